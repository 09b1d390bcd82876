//! The plan as a workbook, the coordinator's way to keep it: one sheet per
//! part of the plan (Partnership, Priorities, Tags, Groups, Actions,
//! Agencies, Glossary) after an Instructions sheet, formatted for editing
//! (frozen headers, filters, dropdowns, wrapped text). Owns both directions:
//! [`write_plan_workbook`] (`plan --export FILE.xlsx`) and reading it back
//! into a [`Draft`] checked like the TOML plan, each problem placed at its
//! sheet and cell. Columns are found by their header, so a coordinator may
//! reorder them or add their own.

use super::draft::{check, At, Declare, Draft, DraftAction, DraftAgency, DraftGroup, DraftPartnership, DraftPriority, DraftTag};
use super::{Departure, GlossaryEntry, Period, Plan, PlanError};
use crate::diagnostics::{Diagnostic, Diagnostics, Place};
use crate::returns::normalise::{header_key, number_text};
use calamine::{Data, Reader};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};
use std::collections::HashMap;
use std::path::Path;

pub const INSTRUCTIONS: &str = "Instructions";
pub const PARTNERSHIP: &str = "Partnership";
pub const PRIORITIES: &str = "Priorities";
pub const TAGS: &str = "Tags";
pub const GROUPS: &str = "Groups";
pub const ACTIONS: &str = "Actions";
pub const AGENCIES: &str = "Agencies";
pub const GLOSSARY: &str = "Glossary";

/// The Partnership sheet's labels, in order.
const PARTNERSHIP_LABELS: [&str; 6] = ["Name", "Short name", "Plan title", "Plan year", "Source", "Introduction"];
const PRIORITY_COLUMNS: [&str; 6] = ["ID", "Name", "Evidence", "Aims", "Current work", "Planned activity"];
const TAG_COLUMNS: [&str; 4] = ["ID", "Name", "Aliases", "Strategic priority"];
const GROUP_COLUMNS: [&str; 3] = ["ID", "Name", "Tags"];
/// The Actions sheet: the lead in E (one agency per cell, from a dropdown),
/// co-leads beside it, and any further leads one per line in "Other leads".
const ACTION_COLUMNS: [&str; 17] = [
    "Group",
    "Action ID",
    "Action",
    "Timescale",
    "Lead",
    "Second lead",
    "Third lead",
    "Fourth lead",
    "Other leads",
    "NEW",
    "Added in",
    "Why added",
    "Status",
    "From quarter",
    "Merged into",
    "Why withdrawn",
    "Carried from",
];
const AGENCY_COLUMNS: [&str; 5] = ["ID", "Name", "Aliases", "Contact name", "Contact email"];
const GLOSSARY_COLUMNS: [&str; 2] = ["Term", "Meaning"];

/// The Status column's words for an action leaving the plan (blank: in the plan).
const WITHDRAWN: &str = "Withdrawn";
const CLOSED: &str = "Closed";
const MERGED: &str = "Merged";

/// The largest plan workbook read: far beyond any real plan.
const MAX_BYTES: u64 = 50 << 20;

/// How the workbook declares things, for hints.
const DECLARE: Declare = Declare { tag: "the Tags sheet", agency: "the Agencies sheet", action: "rows to the Actions sheet" };

/// Whether a plan path names a workbook (`.xlsx`, `.xlsm`), by extension.
pub fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

struct Styles {
    header: Format,
    text: Format,
    /// Text cells Excel must not turn into numbers or dates (IDs, timescales).
    literal: Format,
    label: Format,
    title: Format,
    para: Format,
}

impl Styles {
    fn new() -> Styles {
        let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color(Color::RGB(0xBFBFBF));
        let text = border(Format::new().set_font_name("Arial").set_font_size(10).set_text_wrap().set_align(FormatAlign::Top));
        Styles {
            header: border(
                Format::new()
                    .set_font_name("Arial")
                    .set_font_size(10)
                    .set_bold()
                    .set_text_wrap()
                    .set_background_color(Color::RGB(0xDDEBF7))
                    .set_align(FormatAlign::Top),
            ),
            literal: text.clone().set_num_format("@"),
            label: text.clone().set_bold(),
            text,
            title: Format::new().set_font_name("Arial").set_bold().set_font_size(14),
            para: Format::new().set_font_name("Arial").set_font_size(10).set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// Rows below the data that dropdowns and formats still cover, for the
/// coordinator's additions.
const SPARE_ROWS: u32 = 500;

/// The plan as a workbook. Deterministic: the document date is the start
/// of the plan year, never the clock.
pub fn write_plan_workbook(plan: &Plan) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut book = Workbook::new();
    let year: u16 = plan.partnership.plan_year.get(..4).and_then(|y| y.parse().ok()).filter(|y| (1900..=9998).contains(y)).unwrap_or(2000);
    book.set_properties(
        &DocProperties::new()
            .set_title(crate::excel::clean_text(&format!(
                "{} {} {}",
                plan.partnership.name, plan.partnership.plan_title, plan.partnership.plan_year
            )))
            .set_subject("The partnership plan, for csp-report")
            .set_author(crate::excel::clean_text(&plan.partnership.name))
            .set_creation_datetime(&ExcelDateTime::from_ymd(year, 4, 1)?),
    );
    instructions(book.add_worksheet(), plan, &s)?;

    let sheet = book.add_worksheet().set_name(PARTNERSHIP)?;
    let p = &plan.partnership;
    let values = [&p.name, &p.short_name, &p.plan_title, &p.plan_year, &p.source, &p.introduction];
    let widths = [18.0, 90.0];
    table(sheet, &["Label", "Value"], &widths, &s)?;
    for (i, (label, value)) in PARTNERSHIP_LABELS.iter().zip(values).enumerate() {
        put(sheet, i as u32 + 1, &widths, &[(label, &s.label), (value, &s.text)])?;
    }

    let sheet = book.add_worksheet().set_name(PRIORITIES)?;
    let widths = [18.0, 22.0, 40.0, 40.0, 30.0, 45.0];
    table(sheet, &PRIORITY_COLUMNS, &widths, &s)?;
    for (i, pr) in plan.priorities.iter().enumerate() {
        let lists = [&pr.evidence, &pr.aims, &pr.current_work, &pr.planned_activity].map(|l| l.join("\n"));
        let [a, b, c, d] = &lists;
        put(
            sheet,
            i as u32 + 1,
            &widths,
            &[(&pr.id, &s.literal), (&pr.name, &s.text), (a, &s.text), (b, &s.text), (c, &s.text), (d, &s.text)],
        )?;
    }

    let sheet = book.add_worksheet().set_name(TAGS)?;
    let widths = [22.0, 28.0, 28.0, 22.0];
    table(sheet, &TAG_COLUMNS, &widths, &s)?;
    for (i, t) in plan.tags.iter().enumerate() {
        let aliases = t.aliases.join("\n");
        put(
            sheet,
            i as u32 + 1,
            &widths,
            &[(&t.id, &s.literal), (&t.name, &s.text), (&aliases, &s.text), (t.priority.as_deref().unwrap_or(""), &s.text)],
        )?;
    }
    let last = plan.tags.len() as u32 + SPARE_ROWS;
    dropdown(
        sheet,
        1,
        3,
        last,
        &format!("={PRIORITIES}!$A$2:$A${}", plan.priorities.len() as u32 + SPARE_ROWS + 1),
        "Strategic priority",
        "The ID of a strategic priority on the Priorities sheet, or blank.",
    )?;

    let sheet = book.add_worksheet().set_name(GROUPS)?;
    let widths = [24.0, 32.0, 40.0];
    table(sheet, &GROUP_COLUMNS, &widths, &s)?;
    for (i, g) in plan.groups.iter().enumerate() {
        let tags = g.tags.join("\n");
        put(sheet, i as u32 + 1, &widths, &[(&g.id, &s.literal), (&g.name, &s.text), (&tags, &s.text)])?;
    }

    let sheet = book.add_worksheet().set_name(ACTIONS)?;
    let widths = [22.0, 10.0, 60.0, 16.0, 18.0, 18.0, 18.0, 18.0, 18.0, 7.0, 11.0, 30.0, 11.0, 11.0, 11.0, 30.0, 14.0];
    table(sheet, &ACTION_COLUMNS, &widths, &s)?;
    let mut row = 0;
    for action in plan.actions() {
        row += 1;
        let left = action.withdrawn.as_ref();
        let (status, into) = match left.map(|w| &w.how) {
            None => ("", ""),
            Some(Departure::Withdrawn) => (WITHDRAWN, ""),
            Some(Departure::Closed) => (CLOSED, ""),
            Some(Departure::MergedInto(id)) => (MERGED, id.as_str()),
        };
        let other_leads = action.leads.iter().skip(4).cloned().collect::<Vec<_>>().join("\n");
        let lead = |i: usize| action.leads.get(i).map_or("", String::as_str);
        let cells: [(&str, &Format); 17] = [
            (&action.group, &s.text),
            (&action.id, &s.literal),
            (&action.text, &s.text),
            (&action.timescale.written, &s.literal),
            (lead(0), &s.text),
            (lead(1), &s.text),
            (lead(2), &s.text),
            (lead(3), &s.text),
            (&other_leads, &s.text),
            (if action.new { "NEW" } else { "" }, &s.text),
            (&action.added.as_ref().map(|c| c.period.to_string()).unwrap_or_default(), &s.literal),
            (action.added.as_ref().map_or("", |c| c.reason.as_str()), &s.text),
            (status, &s.text),
            (&left.map(|w| w.change.period.to_string()).unwrap_or_default(), &s.literal),
            (into, &s.literal),
            (left.map_or("", |w| w.change.reason.as_str()), &s.text),
            (&action.carried_from.as_ref().map(|c| c.to_string()).unwrap_or_default(), &s.literal),
        ];
        put(sheet, row, &widths, &cells)?;
    }
    let last = row + SPARE_ROWS;
    for c in [1u16, 3, 10, 13, 14, 16] {
        sheet.set_column_format(c, &s.literal)?;
    }
    dropdown(
        sheet,
        0,
        0,
        last,
        &format!("={GROUPS}!$A$2:$A${}", plan.groups.len() as u32 + SPARE_ROWS + 1),
        "Group",
        "The ID of an action group on the Groups sheet.",
    )?;
    let agencies = format!("={AGENCIES}!$A$2:$A${}", plan.agencies.len() as u32 + SPARE_ROWS + 1);
    dropdown(sheet, 4, 4, last, &agencies, "Lead", "The ID of the lead agency, from the Agencies sheet.")?;
    dropdown(sheet, 5, 7, last, &agencies, "Co-lead", "Another lead agency, from the Agencies sheet, or blank.")?;
    let timescales = timescale_choices(plan);
    let rule = DataValidation::new()
        .allow_list_strings(&timescales.iter().map(String::as_str).collect::<Vec<_>>())?
        .set_input_title("Timescale")?
        .set_input_message("Ongoing, a month (March 2019), a quarter (2018-19 Q4) or a date (31/03/2019).")?
        .set_error_title("Timescale")?
        .set_error_message("Not in the list: check it is Ongoing, a month and year, a quarter or a date.")?
        .set_error_style(DataValidationErrorStyle::Information);
    sheet.add_data_validation(1, 3, last, 3, &rule)?;
    let rule = DataValidation::new()
        .allow_list_strings(&["NEW"])?
        .set_input_title("NEW")?
        .set_input_message("NEW when the plan marks the action as new; else blank.")?;
    sheet.add_data_validation(1, 9, last, 9, &rule)?;
    let rule = DataValidation::new()
        .allow_list_strings(&[WITHDRAWN, CLOSED, MERGED])?
        .set_input_title("Status")?
        .set_input_message("Blank while the action is in the plan. Withdrawn, Closed (completed and closed) or Merged (give Merged into), with From quarter: the first quarter it is no longer reported on.")?;
    sheet.add_data_validation(1, 12, last, 12, &rule)?;

    let sheet = book.add_worksheet().set_name(AGENCIES)?;
    let widths = [26.0, 40.0, 32.0, 26.0, 32.0];
    table(sheet, &AGENCY_COLUMNS, &widths, &s)?;
    sheet.set_column_format(0, &s.literal)?;
    for (i, a) in plan.agencies.iter().enumerate() {
        let aliases = a.aliases.join("\n");
        let contact = (a.contact.name.as_deref().unwrap_or(""), a.contact.email.as_deref().unwrap_or(""));
        put(
            sheet,
            i as u32 + 1,
            &widths,
            &[(&a.id, &s.literal), (&a.name, &s.text), (&aliases, &s.text), (contact.0, &s.text), (contact.1, &s.text)],
        )?;
    }

    let sheet = book.add_worksheet().set_name(GLOSSARY)?;
    let widths = [16.0, 70.0];
    table(sheet, &GLOSSARY_COLUMNS, &widths, &s)?;
    for (i, g) in plan.glossary.iter().enumerate() {
        put(sheet, i as u32 + 1, &widths, &[(&g.term, &s.literal), (&g.meaning, &s.text)])?;
    }
    book.save_to_buffer()
}

/// Writes one row of text cells and makes it tall enough for its longest
/// wrapped cell (Excel does not grow rows written by a program).
fn put(sheet: &mut Worksheet, row: u32, widths: &[f64], cells: &[(&str, &Format)]) -> Result<(), XlsxError> {
    let mut lines = 1;
    for (c, (value, format)) in cells.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *value, format)?;
        lines = lines.max(crate::excel::wrapped_lines(value, widths.get(c).copied().unwrap_or(10.0)));
    }
    sheet.set_row_height(row, crate::excel::row_height(lines))?;
    Ok(())
}

/// A sheet's header row: bold, frozen, filtered, with its column widths.
fn table(sheet: &mut Worksheet, headers: &[&str], widths: &[f64], s: &Styles) -> Result<(), XlsxError> {
    for (c, (header, width)) in headers.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(0, c as u16, *header, &s.header)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, 0, headers.len() as u16 - 1)?;
    printable(sheet);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

/// Printed, a sheet is landscape and one page wide, so a coordinator who
/// prints the plan for a meeting gets whole rows, not columns on separate pages.
fn printable(sheet: &mut Worksheet) {
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
}

/// A dropdown of the IDs in another sheet's first column: a value not in
/// it is refused, with a message saying where the choices come from.
fn dropdown(
    sheet: &mut Worksheet,
    first_col: u16,
    last_col: u16,
    last_row: u32,
    range: &str,
    title: &str,
    message: &str,
) -> Result<(), XlsxError> {
    let rule = DataValidation::new()
        .allow_list_formula(Formula::new(range))
        .set_input_title(title)?
        .set_input_message(message)?
        .set_error_title(title)?
        .set_error_message(message)?;
    sheet.add_data_validation(1, first_col, last_row, last_col, &rule).map(|_| ())
}

/// The timescales offered in the dropdown: Ongoing, the plan year's
/// quarters and month ends (any other timescale may still be typed).
fn timescale_choices(plan: &Plan) -> Vec<String> {
    let mut out = vec!["Ongoing".to_string()];
    if let Ok(q1) = format!("{} Q1", plan.partnership.plan_year.trim()).parse::<Period>() {
        let quarters = [q1, q1.next(), q1.next().next(), q1.next().next().next()];
        out.extend(quarters.iter().map(Period::to_string));
        let mut month = q1.start();
        for _ in 0..12 {
            out.push(month.format("%B %Y").to_string());
            month = month.checked_add_months(chrono::Months::new(1)).expect("a month later");
        }
    }
    out
}

fn instructions(sheet: &mut Worksheet, plan: &Plan, s: &Styles) -> Result<(), XlsxError> {
    sheet.set_name(INSTRUCTIONS)?;
    sheet.set_column_width(0, 110.0)?;
    printable(sheet);
    sheet.write_string_with_format(
        0,
        0,
        format!("{} — {} {}", plan.partnership.name, plan.partnership.plan_title, plan.partnership.plan_year),
        &s.title,
    )?;
    let lines = [
        "This workbook is the partnership plan that csp-report reads: keep it up to date and point csp-report at it (plan = \"input/plan.xlsx\" in csp-report.toml, or --plan input/plan.xlsx). Run `csp-report plan` after each change: it lists every problem by sheet and cell.",
        "Partnership: who the plan belongs to. Change the Value column only.",
        "Priorities: the strategic priorities. In Evidence, Aims, Current work and Planned activity, put one item per line (Alt+Enter starts a new line in a cell).",
        "Tags: the words the action groups use for priorities; Strategic priority links a tag to a priority's ID.",
        "Groups: the action groups. Tags: one tag ID per line.",
        "Actions: one row per key action, in the order the reports list them. Action IDs are fixed once forms have gone out: never renumber. They may use letters, digits, '.', '-' and '/' (DA3, 1.10, CS2-1, DA 3). Group and leads are chosen from dropdowns of the Groups and Agencies sheets; more than four leads go one per line in Other leads. Timescale: Ongoing, a month (March 2019), a quarter (2018-19 Q4) or a date (31/03/2019). NEW: mark actions the plan calls new.",
        "Changes during the year: Added in is the first quarter an added action is reported on (Why added: the reason). When an action leaves the plan, set Status to Withdrawn, Closed (completed and closed) or Merged (with the action it joins in Merged into), From quarter to the first quarter it is no longer reported on, and Why withdrawn to the reason. Keep the row: its history stays in the reports. In a new year's plan, Carried from names the action it continues (2018-19/CS1), so its trend follows it.",
        "Agencies: every body that leads an action. ID is used in file names and in Lead columns; Aliases (one per line) are other names returns use. Contact name and Contact email address the return forms and reminders.",
        "Glossary: acronyms and what they stand for, printed in the reports.",
        "Keep the sheet and column names: csp-report finds columns by their header, so columns may be moved and others added.",
    ];
    for (i, line) in lines.iter().enumerate() {
        put(sheet, i as u32 + 2, &[110.0], &[(line, &s.para)])?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// Reads and checks a plan workbook.
pub fn load_plan_workbook(path: &Path) -> Result<Plan, PlanError> {
    let file = path.display().to_string();
    let io = |source| PlanError::Io { path: file.clone(), source };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_BYTES {
        return Err(invalid(
            &file,
            Diagnostic::error("plan-syntax", Place::file(&file), format!("the plan workbook is {size} bytes, more than a plan can be")),
        ));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_plan_workbook(&bytes, &file)
}

fn invalid(file: &str, d: Diagnostic) -> PlanError {
    PlanError::Invalid { file: file.to_string(), problems: vec![d] }
}

/// Reads and checks a plan workbook's bytes; `file` names it in messages.
pub fn read_plan_workbook(bytes: &[u8], file: &str) -> Result<Plan, PlanError> {
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        invalid(
            file,
            Diagnostic::error("plan-syntax", Place::file(file), format!("cannot open the plan workbook: {e}"))
                .with_hint("save it from Excel as an .xlsx workbook"),
        )
    })?;
    let mut problems = Diagnostics::new();
    let names = book.sheet_names();
    let mut sheet = |name: &str, required: bool, problems: &mut Diagnostics| -> Option<Sheet> {
        let Some(actual) = names.iter().find(|n| n.trim().eq_ignore_ascii_case(name)).cloned() else {
            if required {
                problems.push(
                    Diagnostic::error("plan-syntax", Place::file(file), format!("the plan workbook has no {name} sheet"))
                        .with_hint(format!("its sheets are {}; export the plan again to see the layout", names.join(", "))),
                );
            }
            return None;
        };
        match book.worksheet_range(&actual) {
            Ok(range) => Some(Sheet::new(file, &actual, &range)),
            Err(e) => {
                problems.push(Diagnostic::error("plan-syntax", Place::file(file), format!("cannot read the {actual} sheet: {e}")));
                None
            }
        }
    };
    let partnership = sheet(PARTNERSHIP, true, &mut problems);
    let priorities = sheet(PRIORITIES, false, &mut problems);
    let tags = sheet(TAGS, false, &mut problems);
    let groups = sheet(GROUPS, true, &mut problems);
    let actions = sheet(ACTIONS, true, &mut problems);
    let agencies = sheet(AGENCIES, true, &mut problems);
    let glossary = sheet(GLOSSARY, false, &mut problems);
    if problems.has_errors() {
        return Err(PlanError::Invalid { file: file.to_string(), problems: problems.into_vec() });
    }
    let mut draft = Draft::default();
    if let Some(sheet) = &partnership {
        draft.partnership = read_partnership(sheet, &mut problems);
    }
    if let Some(sheet) = &priorities {
        if let Some(cols) = sheet.columns(&PRIORITY_COLUMNS[..2], &mut problems) {
            for row in sheet.rows() {
                let Some(id) = sheet.id(row, &cols, "ID", &mut problems) else { continue };
                draft.priorities.push(DraftPriority {
                    id,
                    name: sheet.text(row, &cols, "Name"),
                    evidence: sheet.list(row, &cols, "Evidence"),
                    aims: sheet.list(row, &cols, "Aims"),
                    current_work: sheet.list(row, &cols, "Current work"),
                    planned_activity: sheet.list(row, &cols, "Planned activity"),
                });
            }
        }
    }
    if let Some(sheet) = &tags {
        if let Some(cols) = sheet.columns(&TAG_COLUMNS[..2], &mut problems) {
            for row in sheet.rows() {
                let Some(id) = sheet.id(row, &cols, "ID", &mut problems) else { continue };
                draft.tags.push(DraftTag {
                    id,
                    name: sheet.text(row, &cols, "Name"),
                    aliases: sheet.list(row, &cols, "Aliases"),
                    priority: sheet.located(row, &cols, "Strategic priority"),
                });
            }
        }
    }
    if let Some(sheet) = &groups {
        if let Some(cols) = sheet.columns(&GROUP_COLUMNS[..2], &mut problems) {
            for row in sheet.rows() {
                let Some(id) = sheet.id(row, &cols, "ID", &mut problems) else { continue };
                let tags = sheet
                    .located(row, &cols, "Tags")
                    .map(|at| lines(&at.value).into_iter().map(|t| At::new(t, at.place.clone())).collect())
                    .unwrap_or_default();
                draft.groups.push(DraftGroup { id, name: sheet.text(row, &cols, "Name"), tags, actions: Vec::new() });
            }
        }
    }
    if let Some(sheet) = &actions {
        read_actions(sheet, &mut draft, &mut problems);
    }
    if let Some(sheet) = &agencies {
        if let Some(cols) = sheet.columns(&AGENCY_COLUMNS[..2], &mut problems) {
            for row in sheet.rows() {
                let Some(id) = sheet.id(row, &cols, "ID", &mut problems) else { continue };
                draft.agencies.push(DraftAgency {
                    id,
                    name: sheet.text(row, &cols, "Name"),
                    aliases: sheet.list(row, &cols, "Aliases"),
                    contact_name: Some(sheet.text(row, &cols, "Contact name")).filter(|t| !t.is_empty()),
                    contact_email: sheet.located(row, &cols, "Contact email"),
                });
            }
        }
    }
    if let Some(sheet) = &glossary {
        if let Some(cols) = sheet.columns(&GLOSSARY_COLUMNS, &mut problems) {
            for row in sheet.rows() {
                draft.glossary.push(GlossaryEntry { term: sheet.text(row, &cols, "Term"), meaning: sheet.text(row, &cols, "Meaning") });
            }
        }
    }
    check(draft, file, problems, &DECLARE).map_err(|problems| PlanError::Invalid { file: file.to_string(), problems })
}

fn read_partnership(sheet: &Sheet, problems: &mut Diagnostics) -> DraftPartnership {
    let mut found: HashMap<String, String> = HashMap::new();
    for row in sheet.rows() {
        let label = cell_text(row.cells.first().unwrap_or(&Data::Empty));
        let value = cell_text(row.cells.get(1).unwrap_or(&Data::Empty));
        found.entry(header_key(&label)).or_insert(value);
    }
    let mut get = |label: &str, required: bool| {
        let value = found.remove(&header_key(label)).unwrap_or_default();
        if required && value.is_empty() {
            problems.push(
                Diagnostic::error(
                    "plan-syntax",
                    Place::cell(&sheet.file, &sheet.name, 0, 0),
                    format!("the partnership's {} is missing", label.to_lowercase()),
                )
                .with_hint(format!("add a row labelled {label:?} with its value in column B")),
            );
        }
        value
    };
    DraftPartnership {
        name: get("Name", true),
        short_name: Some(get("Short name", false)).filter(|s| !s.is_empty()),
        plan_title: get("Plan title", true),
        plan_year: get("Plan year", true),
        source: get("Source", false),
        introduction: get("Introduction", false),
    }
}

fn read_actions(sheet: &Sheet, draft: &mut Draft, problems: &mut Diagnostics) {
    let Some(cols) = sheet.columns(&["Group", "Action ID", "Action", "Timescale", "Lead"], problems) else { return };
    let group_index: HashMap<String, usize> = draft.groups.iter().enumerate().map(|(i, g)| (g.id.value.clone(), i)).collect();
    let group_ids: Vec<String> = draft.groups.iter().map(|g| g.id.value.clone()).collect();
    for row in sheet.rows() {
        let Some(id) = sheet.id(row, &cols, "Action ID", problems) else { continue };
        let group = sheet.located(row, &cols, "Group");
        let Some(&g) = group.as_ref().and_then(|at| group_index.get(&at.value)) else {
            let place = group.as_ref().map_or_else(|| sheet.place(row.index, cols["group"]), |g| g.place.clone());
            let known: Vec<&str> = group_ids.iter().map(String::as_str).collect();
            let d = Diagnostic::error(
                "plan-unknown-group",
                place,
                match &group {
                    Some(g) => format!("action {}: {:?} is not a group on the Groups sheet", id.value, g.value),
                    None => format!("action {} has no group", id.value),
                },
            );
            problems.push(match group.as_ref().and_then(|g| super::draft::closest(&g.value, &known)) {
                Some(near) => d.with_hint(format!("did you mean {near:?}?")),
                None => d.with_hint("choose a group ID from the dropdown"),
            });
            continue;
        };
        let mut leads: Vec<At<String>> =
            ["Lead", "Second lead", "Third lead", "Fourth lead"].iter().filter_map(|h| sheet.located(row, &cols, h)).collect();
        if let Some(other) = sheet.located(row, &cols, "Other leads") {
            leads.extend(lines(&other.value).into_iter().map(|l| At::new(l, other.place.clone())));
        }
        let lead_place = sheet.place(row.index, cols["lead"]);
        let new = match sheet.located(row, &cols, "NEW") {
            None => false,
            Some(at) => match header_key(&at.value).as_str() {
                "new" | "yes" | "y" | "true" | "x" => true,
                "no" | "n" | "false" => false,
                _ => {
                    problems.push(
                        Diagnostic::error("plan-syntax", at.place, format!("action {}: NEW is {:?}", id.value, at.value))
                            .with_hint("write NEW, or leave it blank"),
                    );
                    false
                }
            },
        };
        let status = sheet.located(row, &cols, "Status");
        let from = sheet.located(row, &cols, "From quarter");
        let merged_into = sheet.located(row, &cols, "Merged into");
        let (mut withdrawn, mut closed) = (None, None);
        match status.as_ref().map(|s| (header_key(&s.value), s)) {
            None => {
                if let Some(from) = &from {
                    problems.push(
                        Diagnostic::error(
                            "plan-bad-change",
                            from.place.clone(),
                            format!("action {} has a From quarter but no Status", id.value),
                        )
                        .with_hint("set Status to Withdrawn, Closed or Merged, or clear From quarter"),
                    );
                }
            }
            Some((word, status)) => {
                let when = from.clone();
                if when.is_none() {
                    problems.push(
                        Diagnostic::error(
                            "plan-bad-change",
                            status.place.clone(),
                            format!("action {} is {} but From quarter is blank", id.value, status.value),
                        )
                        .with_hint("give the first quarter it is no longer reported on, e.g. 2018-19 Q3"),
                    );
                }
                match word.as_str() {
                    "withdrawn" | "merged" => withdrawn = when,
                    "closed" => closed = when,
                    _ => problems.push(
                        Diagnostic::error(
                            "plan-bad-change",
                            status.place.clone(),
                            format!("action {}: the status {:?} is not Withdrawn, Closed or Merged", id.value, status.value),
                        )
                        .with_hint("leave Status blank while the action is in the plan"),
                    ),
                }
                if word == "merged" && merged_into.is_none() {
                    problems.push(
                        Diagnostic::error(
                            "plan-bad-change",
                            status.place.clone(),
                            format!("action {} is Merged but Merged into is blank", id.value),
                        )
                        .with_hint("give the ID of the action it was merged into"),
                    );
                }
            }
        }
        let action = DraftAction {
            text: sheet.located(row, &cols, "Action").unwrap_or_else(|| At::new(String::new(), sheet.place(row.index, cols["action"]))),
            timescale: sheet
                .located(row, &cols, "Timescale")
                .unwrap_or_else(|| At::new(String::new(), sheet.place(row.index, cols["timescale"]))),
            leads: At::new(leads, lead_place),
            new,
            added: sheet.located(row, &cols, "Added in"),
            added_reason: sheet.text(row, &cols, "Why added"),
            withdrawn,
            closed,
            merged_into,
            withdrawn_reason: sheet.text(row, &cols, "Why withdrawn"),
            carried_from: sheet.located(row, &cols, "Carried from"),
            id,
        };
        draft.groups[g].actions.push(action);
    }
}

/// One data row: its 0-based sheet row and its cells from column A.
struct Row {
    index: u32,
    cells: Vec<Data>,
}

/// A sheet's cells, placed absolutely.
struct Sheet {
    file: String,
    name: String,
    header: Vec<String>,
    data: Vec<Row>,
}

impl Sheet {
    fn new(file: &str, name: &str, range: &calamine::Range<Data>) -> Sheet {
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Row> = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                let mut full = vec![Data::Empty; left as usize];
                full.extend(cells.iter().cloned());
                Row { index: top + i as u32, cells: full }
            })
            .collect();
        // The header is the sheet's first row; data rows are every non-blank row below it.
        let header =
            if rows.first().is_some_and(|r| r.index == 0) { rows.remove(0).cells.iter().map(cell_text).collect() } else { Vec::new() };
        let data = rows.into_iter().filter(|r| r.cells.iter().any(|c| !cell_text(c).is_empty())).collect();
        Sheet { file: file.to_string(), name: name.to_string(), header, data }
    }

    fn rows(&self) -> impl Iterator<Item = &Row> {
        self.data.iter()
    }

    fn place(&self, row: u32, col: usize) -> Place {
        Place::cell(&self.file, &self.name, row, col as u32)
    }

    /// Column index by header key; an error when a required one is missing.
    fn columns(&self, required: &[&str], problems: &mut Diagnostics) -> Option<HashMap<String, usize>> {
        let mut cols = HashMap::new();
        for (i, h) in self.header.iter().enumerate() {
            cols.entry(header_key(h)).or_insert(i);
        }
        let missing: Vec<&str> = required.iter().copied().filter(|h| !cols.contains_key(&header_key(h))).collect();
        if missing.is_empty() {
            return Some(cols);
        }
        problems.push(
            Diagnostic::error(
                "plan-syntax",
                self.place(0, 0),
                format!("the {} sheet has no {} column", self.name, crate::vocabulary::either(&missing).replace(" or ", " and ")),
            )
            .with_hint("the first row holds the column names; export the plan again to see them"),
        );
        None
    }

    /// A cell's text, located; `None` when the column is absent or the cell blank.
    fn located(&self, row: &Row, cols: &HashMap<String, usize>, header: &str) -> Option<At<String>> {
        let col = *cols.get(&header_key(header))?;
        let text = cell_text(row.cells.get(col).unwrap_or(&Data::Empty));
        (!text.is_empty()).then(|| At::new(text, self.place(row.index, col)))
    }

    fn text(&self, row: &Row, cols: &HashMap<String, usize>, header: &str) -> String {
        self.located(row, cols, header).map(|at| at.value).unwrap_or_default()
    }

    /// A cell of one item per line.
    fn list(&self, row: &Row, cols: &HashMap<String, usize>, header: &str) -> Vec<String> {
        lines(&self.text(row, cols, header))
    }

    /// An ID cell: text, or a whole number. A decimal number is refused:
    /// Excel stores `1.10` typed into a number cell as 1.1, and the ID as
    /// written is lost.
    fn id(&self, row: &Row, cols: &HashMap<String, usize>, header: &str, problems: &mut Diagnostics) -> Option<At<String>> {
        let col = cols[&header_key(header)];
        let place = self.place(row.index, col);
        match row.cells.get(col).unwrap_or(&Data::Empty) {
            Data::Float(f) if f.fract() != 0.0 => {
                problems.push(
                    Diagnostic::error(
                        "plan-bad-action-id",
                        place,
                        format!(
                            "the {header} cell holds the number {}, not text; Excel may have changed it (1.10 becomes 1.1)",
                            number_text(*f)
                        ),
                    )
                    .with_hint("format the column as text and type the ID again"),
                );
                None
            }
            cell => {
                let text = cell_text(cell);
                if text.is_empty() {
                    problems.push(
                        Diagnostic::error("plan-syntax", place, format!("this row of the {} sheet has no {header}", self.name))
                            .with_hint("give it one, or delete the row"),
                    );
                    return None;
                }
                Some(At::new(text, place))
            }
        }
    }
}

/// A cell as text, as the returns reader reads one: trimmed, whole numbers
/// without `.0`, dates as ISO (`2019-03-31`, a timescale it reads).
fn cell_text(cell: &Data) -> String {
    crate::returns::normalise::text(&crate::returns::sheet::cell_from_data(cell))
}

/// One item per line, blank lines dropped.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}
