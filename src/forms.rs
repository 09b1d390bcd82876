//! The return forms: one `.xlsx` workbook per lead agency, holding the
//! actions it leads, for it to fill in and send back. Owns the form's layout
//! (the agreed label cells, header names and hidden `csp-report` metadata
//! sheet that the returns reader relies on), its protection and validation,
//! its print set-up, and safe file names. Writing a *filled* form is here too,
//! so tests and the shipped example can make realistic returns from the real
//! form. Output is deterministic: no clock, fixed document dates. Excel's
//! own rules (dates, row heights, the cell limit) are [`crate::excel`]'s: a
//! cell cut to the limit gives a warning the `forms` command prints.

use crate::diagnostics::Diagnostic;
use crate::excel::{clean_text, excel_date, fit_to_cell, row_height, wrapped_lines, CellAt};
use crate::history::PreviousPeriod;
use crate::output::{safe_file_stem, FileNames};
use crate::plan::{Action, Agency, Period, Plan};
use crate::status::Status;
use crate::templates::uk_date;
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

/// Version of the form layout, recorded in the metadata sheet.
pub const FORM_SCHEMA: &str = "csp-report-form/1";
/// The visible sheet agencies fill in.
pub const PROGRESS_SHEET: &str = "Progress";
/// The hidden sheet identifying the form.
pub const METADATA_SHEET: &str = "csp-report";

/// The header row, in column order. The reader matches these names.
pub const HEADERS: [&str; 13] = [
    "Action ID",
    "Group",
    "Action",
    "Timescale",
    "Co-leads",
    "Status",
    "% complete",
    "Progress update",
    "Next steps",
    "Issues / risks",
    "Revised date",
    "Previous status",
    "Previous update",
];

/// Column positions (0-based), named so layout code reads as the form does.
pub mod col {
    pub const ACTION_ID: u16 = 0;
    pub const GROUP: u16 = 1;
    pub const ACTION: u16 = 2;
    pub const TIMESCALE: u16 = 3;
    pub const CO_LEADS: u16 = 4;
    pub const STATUS: u16 = 5;
    pub const PERCENT: u16 = 6;
    pub const UPDATE: u16 = 7;
    pub const NEXT_STEPS: u16 = 8;
    pub const ISSUES: u16 = 9;
    pub const REVISED_DATE: u16 = 10;
    pub const PREVIOUS_STATUS: u16 = 11;
    pub const PREVIOUS_UPDATE: u16 = 12;
}

/// Column widths in Excel's character units, in column order.
const WIDTHS: [f64; 13] = [12.0, 14.0, 40.0, 11.0, 18.0, 12.0, 11.0, 42.0, 28.0, 24.0, 11.0, 10.0, 34.0];

/// Row (0-based) of the header row: the title, five label rows and a gap above it.
pub const HEADER_ROW: u32 = 7;

/// The header block's label cells (column A), top to bottom from row 2.
pub const LABELS: [&str; 5] = ["Partnership:", "Agency:", "Period:", "Return by:", "Contact:"];

/// Height of the label rows: five of them hold the instructions beside.
const LABEL_ROW_HEIGHT: f64 = 20.0;

/// Where the whole text of a cut cell is, by where the text came from.
const FROM_PLAN: &str = "the plan";
const FROM_CONFIG: &str = "csp-report.toml";
const FROM_FILL: &str = "the text the form was filled with";

/// What goes on a form besides the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSettings {
    /// The date returns are due.
    pub deadline: NaiveDate,
    /// Who to contact with questions.
    pub contact: String,
    /// The date stamped in the metadata and document properties: never the clock.
    pub generated: NaiveDate,
}

impl FormSettings {
    /// Settings for a period from the configuration: the deadline is the
    /// period end plus `deadline_days`; the stamp is `SOURCE_DATE_EPOCH` when
    /// set, else the period end.
    pub(crate) fn for_period(config: &crate::config::Config, period: Period) -> FormSettings {
        FormSettings::new(&config.forms, period)
    }

    /// As [`FormSettings::for_period`], from the `[forms]` table alone.
    pub fn new(forms: &crate::config::FormsConfig, period: Period) -> FormSettings {
        FormSettings {
            deadline: period.end() + chrono::Days::new(u64::from(forms.deadline_days)),
            contact: forms.contact.clone(),
            generated: crate::config::source_date_epoch().unwrap_or_else(|| period.end()),
        }
    }
}

/// One agency's form, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub agency_id: String,
    pub agency_name: String,
    /// Safe file name, e.g. `return-2018-19-Q3-police.xlsx`.
    pub file_name: String,
    /// How many action rows the form holds.
    pub actions: usize,
    pub bytes: Vec<u8>,
    /// Cells cut to Excel's limit (`cell-truncated` warnings), at their
    /// place in this form. Empty for any ordinary plan.
    pub diagnostics: Vec<Diagnostic>,
}

/// A value typed into an input cell of a filled form, as the agency typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum FilledValue {
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// What an agency typed into one row of its form. Rows whose action the
/// agency does not lead are added below the plan's rows, as an agency does
/// when it reports on something extra.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilledRow {
    /// As typed; matched exactly against the form's rows.
    pub action_id: String,
    pub status: Option<FilledValue>,
    pub percent: Option<FilledValue>,
    pub update: String,
    pub next_steps: String,
    pub issues_risks: String,
    pub revised_date: Option<FilledValue>,
}

/// Why a form could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("cannot write the form for {agency}: {source}")]
    Xlsx { agency: String, source: XlsxError },
}

/// Writes a blank form for every lead agency of the plan, in plan order.
pub fn build_forms(
    plan: &Plan,
    period: Period,
    previous: Option<&PreviousPeriod>,
    settings: &FormSettings,
) -> Result<Vec<Form>, FormError> {
    // Two ids that make one safe name (`Police` and `police`) get two files.
    let mut names = FileNames::default();
    let mut forms = Vec::new();
    for agency in plan.lead_agencies().filter(|ag| plan.actions_led_by(&ag.id).any(|a| a.is_in_plan(period))) {
        let file_name = names.claim(&form_file_name(period, &agency.id));
        forms.push(write_form(plan, agency, period, previous, settings, &[], file_name)?);
    }
    Ok(forms)
}

/// The form's file name: `return-2018-19-Q3-police.xlsx`, the agency id made
/// safe by [`safe_file_stem`].
pub fn form_file_name(period: Period, agency_id: &str) -> String {
    format!("return-{}-{}.xlsx", period.slug(), safe_file_stem(agency_id, "agency"))
}

/// Writes one agency's form, filled with `fill` (empty for a blank form),
/// named by [`form_file_name`].
pub fn build_form(
    plan: &Plan,
    agency: &Agency,
    period: Period,
    previous: Option<&PreviousPeriod>,
    settings: &FormSettings,
    fill: &[FilledRow],
) -> Result<Form, FormError> {
    write_form(plan, agency, period, previous, settings, fill, form_file_name(period, &agency.id))
}

fn write_form(
    plan: &Plan,
    agency: &Agency,
    period: Period,
    previous: Option<&PreviousPeriod>,
    settings: &FormSettings,
    fill: &[FilledRow],
    file_name: String,
) -> Result<Form, FormError> {
    let mut cells = Cells { file: &file_name, diagnostics: Vec::new() };
    let bytes = write_workbook(&mut cells, plan, agency, period, previous, settings, fill)
        .map_err(|source| FormError::Xlsx { agency: agency.id.clone(), source })?;
    let diagnostics = cells.diagnostics;
    Ok(Form {
        agency_id: agency.id.clone(),
        agency_name: agency.name.clone(),
        actions: plan.actions_led_by(&agency.id).filter(|a| a.is_in_plan(period)).count(),
        file_name,
        bytes,
        diagnostics,
    })
}

/// The text cells of one form, fitted by the shared cell policy; the cells
/// that had to be cut are remembered as warnings.
struct Cells<'a> {
    file: &'a str,
    diagnostics: Vec<Diagnostic>,
}

impl Cells<'_> {
    /// `text` as cell `row`, `col` of `sheet` will hold it; `full_text` says
    /// where the reader finds all of it if it has to be cut.
    fn fit(&mut self, sheet: &str, row: u32, col: u16, text: &str, full_text: &str) -> String {
        let at = CellAt { file: self.file, sheet, row, col, source: None, full_text };
        fit_to_cell(text, &at, &mut self.diagnostics)
    }
}

/// The formats a form uses, made once.
struct Styles {
    title: Format,
    label: Format,
    value: Format,
    instructions: Format,
    key_heading: Format,
    key_meaning: Format,
    header_fixed: Format,
    header_input: Format,
    fixed: Format,
    fixed_id: Format,
    fixed_centre: Format,
    input_text: Format,
    input_centre: Format,
    input_percent: Format,
    input_date: Format,
}

const FONT: &str = "Arial";
const NAVY: u32 = 0x1F3864;
const TEAL: u32 = 0x1D5E5B;
const READ_ONLY_FILL: u32 = 0xEDEDED;
const GRID: u32 = 0xA6A6A6;

impl Styles {
    fn new() -> Styles {
        let base = Format::new().set_font_name(FONT).set_font_size(10);
        let cell = base.clone().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin).set_border_color(GRID);
        let fixed = cell.clone().set_background_color(READ_ONLY_FILL);
        let input = cell.clone().set_unlocked().set_background_color(Color::White);
        let header = base.clone().set_bold().set_text_wrap().set_align(FormatAlign::VerticalCenter).set_font_color(Color::White);
        Styles {
            title: base.clone().set_bold().set_font_size(15).set_font_color(NAVY),
            label: base.clone().set_bold().set_align(FormatAlign::Top),
            value: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            instructions: base.clone().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin).set_border_color(GRID),
            key_heading: base.clone().set_bold(),
            key_meaning: base.clone().set_font_size(8).set_text_wrap().set_align(FormatAlign::VerticalCenter),
            header_fixed: header.clone().set_background_color(NAVY).set_border(FormatBorder::Thin).set_border_color(Color::White),
            header_input: header.set_background_color(TEAL).set_border(FormatBorder::Thin).set_border_color(Color::White),
            fixed_id: fixed.clone().set_bold(),
            fixed_centre: fixed.clone().set_align(FormatAlign::Center),
            fixed,
            input_text: input.clone(),
            input_centre: input.clone().set_align(FormatAlign::Center),
            input_percent: input.clone().set_align(FormatAlign::Center).set_num_format("0"),
            input_date: input.set_align(FormatAlign::Center).set_num_format("dd/mm/yyyy"),
        }
    }
}

/// One row of the table as it will be written.
struct TableRow<'a> {
    action_id: String,
    action: Option<&'a Action>,
    fill: Option<&'a FilledRow>,
}

fn write_workbook(
    cells: &mut Cells,
    plan: &Plan,
    agency: &Agency,
    period: Period,
    previous: Option<&PreviousPeriod>,
    settings: &FormSettings,
    fill: &[FilledRow],
) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    let stamp = excel_date(settings.generated)?;
    // Properties are not cells: Excel sets them no length limit, but XML must
    // carry them.
    workbook.set_properties(
        &DocProperties::new()
            .set_title(clean_text(&format!("{} quarterly return {}: {}", plan.partnership.short_name, period, agency.name)))
            .set_subject("Quarterly progress return on the partnership plan")
            .set_author(clean_text(&plan.partnership.name))
            .set_company(clean_text(&plan.partnership.name))
            .set_creation_datetime(&stamp),
    );

    // The table: the agency's actions in plan order, each with what was
    // typed for it, then any typed rows for actions it does not lead.
    // Only the actions in the plan this quarter (not yet added, or withdrawn, closed or merged: nothing to report).
    let led: Vec<&Action> = plan.actions_led_by(&agency.id).filter(|a| a.is_in_plan(period)).collect();
    let mut rows: Vec<TableRow> = led
        .iter()
        .map(|a| TableRow { action_id: a.id.clone(), action: Some(a), fill: fill.iter().find(|f| f.action_id == a.id) })
        .collect();
    for extra in fill.iter().filter(|f| !led.iter().any(|a| a.id == f.action_id)) {
        rows.push(TableRow { action_id: extra.action_id.clone(), action: plan.find_action_id(&extra.action_id), fill: Some(extra) });
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name(PROGRESS_SHEET)?;
    write_header_block(cells, sheet, &styles, plan, agency, period, settings)?;
    write_table(cells, sheet, &styles, plan, agency, previous, &rows)?;
    set_up_page(sheet, agency, period, rows.len())?;

    let meta = workbook.add_worksheet();
    meta.set_name(METADATA_SHEET)?;
    let entries = [
        ("form_schema", FORM_SCHEMA.to_string()),
        ("agency_id", agency.id.clone()),
        ("agency_name", agency.name.clone()),
        ("period", period.to_string()),
        ("plan_hash", plan.hash.clone()),
        ("generated", settings.generated.format("%Y-%m-%d").to_string()),
    ];
    for (row, (key, value)) in (0u32..).zip(entries) {
        meta.write_string(row, 0, key)?;
        meta.write_string(row, 1, cells.fit(METADATA_SHEET, row, 1, &value, FROM_PLAN))?;
    }
    meta.set_column_width(0, 14)?;
    meta.set_column_width(1, 40)?;
    meta.set_hidden(true);
    meta.protect();

    workbook.save_to_buffer()
}

/// Title, the agreed label cells, the instructions and the status key.
fn write_header_block(
    cells: &mut Cells,
    sheet: &mut Worksheet,
    s: &Styles,
    plan: &Plan,
    agency: &Agency,
    period: Period,
    settings: &FormSettings,
) -> Result<(), XlsxError> {
    sheet.set_row_height(0, 24)?;
    let title = format!("Quarterly progress return: {}", period.long_name());
    sheet.write_string_with_format(0, 0, cells.fit(PROGRESS_SHEET, 0, 0, &title, FROM_PLAN), &s.title)?;

    let values = [
        (plan.partnership.name.clone(), FROM_PLAN),
        (agency.name.clone(), FROM_PLAN),
        (period.to_string(), FROM_PLAN),
        (format!("{} {}", settings.deadline.format("%A"), uk_date(settings.deadline)), FROM_CONFIG),
        (settings.contact.clone(), FROM_CONFIG),
    ];
    for (row, (label, (value, full_text))) in (1u32..).zip(LABELS.iter().zip(values)) {
        sheet.set_row_height(row, LABEL_ROW_HEIGHT)?;
        sheet.write_string_with_format(row, 0, *label, &s.label)?;
        sheet.merge_range(row, 1, row, col::CO_LEADS, &cells.fit(PROGRESS_SHEET, row, 1, &value, full_text), &s.value)?;
    }
    sheet.write_string_with_format(0, col::UPDATE, "How to fill in this form", &s.key_heading)?;
    let instructions = "1. For each action, choose a Status from the list and give the % complete as a whole number from 0 to 100.\n\
        2. Write a short Progress update saying what has been done this quarter. An update is needed for every Amber or Red action: say what is slipping and what you are doing about it.\n\
        3. If an action will miss its timescale, enter the new expected date under Revised date (dd/mm/yyyy).\n\
        4. Grey columns come from the plan and last quarter's return and cannot be changed. If something in them is wrong, say so under Issues / risks.\n\
        5. Please keep the file as it is (do not add, remove or move columns) and email it back by the return date.";
    sheet.merge_range(1, col::UPDATE, 5, col::REVISED_DATE, instructions, &s.instructions)?;

    sheet.write_string_with_format(0, col::PREVIOUS_STATUS, "Status key", &s.key_heading)?;
    for (row, status) in (1u32..).zip(Status::REPORTABLE) {
        let swatch = Format::new()
            .set_font_name(FONT)
            .set_font_size(10)
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(status_colour(status))
            .set_border(FormatBorder::Thin)
            .set_border_color(GRID);
        sheet.write_string_with_format(row, col::PREVIOUS_STATUS, status.label(), &swatch)?;
        sheet.write_string_with_format(row, col::PREVIOUS_UPDATE, capitalise(status.meaning()), &s.key_meaning)?;
    }
    sheet.set_row_height(HEADER_ROW - 1, 8)?;
    Ok(())
}

/// The header row and one row per action.
fn write_table(
    cells: &mut Cells,
    sheet: &mut Worksheet,
    s: &Styles,
    plan: &Plan,
    agency: &Agency,
    previous: Option<&PreviousPeriod>,
    rows: &[TableRow],
) -> Result<(), XlsxError> {
    for (c, (header, width)) in (0u16..).zip(HEADERS.iter().zip(WIDTHS)) {
        sheet.set_column_width(c, width)?;
        let is_input = (col::STATUS..=col::REVISED_DATE).contains(&c);
        sheet.write_string_with_format(HEADER_ROW, c, *header, if is_input { &s.header_input } else { &s.header_fixed })?;
    }
    sheet.set_row_height(HEADER_ROW, 30)?;

    for (row, table_row) in (HEADER_ROW + 1..).zip(rows) {
        let action = table_row.action;
        let group = action.and_then(|a| plan.group(&a.group)).map(|g| g.name.as_str()).unwrap_or("");
        let co_leads = action
            .map(|a| {
                a.leads.iter().filter(|l| **l != agency.id).filter_map(|l| plan.agency(l)).map(|l| l.name.as_str()).collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .join("\n");
        let past = action.and_then(|a| previous?.history.actions.get(&a.id)?.leads.get(&agency.id));
        let fixed_cells: [(u16, String); 7] = [
            (col::ACTION_ID, table_row.action_id.clone()),
            (col::GROUP, group.to_string()),
            (col::ACTION, action.map(|a| a.text.clone()).unwrap_or_default()),
            (col::TIMESCALE, action.map(|a| a.timescale.written.clone()).unwrap_or_default()),
            (col::CO_LEADS, co_leads),
            (col::PREVIOUS_STATUS, past.map(|p| p.status.label().to_string()).unwrap_or_default()),
            (col::PREVIOUS_UPDATE, past.map(|p| p.update.clone()).unwrap_or_default()),
        ];
        // The whole of last quarter's words are where they were read from.
        let history = previous.map(|p| p.source.as_str()).unwrap_or(FROM_PLAN);
        let mut lines = 4; // room to type an update: rows do not grow by themselves in LibreOffice
        for (c, text) in &fixed_cells {
            let format = match *c {
                col::ACTION_ID => &s.fixed_id,
                col::PREVIOUS_STATUS => &s.fixed_centre,
                _ => &s.fixed,
            };
            let full_text = if *c >= col::PREVIOUS_STATUS { history } else { FROM_PLAN };
            let shown = cells.fit(PROGRESS_SHEET, row, *c, text, full_text);
            sheet.write_string_with_format(row, *c, &shown, format)?;
            lines = lines.max(wrapped_lines(&shown, WIDTHS[usize::from(*c)]));
        }
        let fill = table_row.fill;
        write_input(cells, sheet, row, col::STATUS, fill.and_then(|f| f.status.as_ref()), &s.input_centre)?;
        write_input(cells, sheet, row, col::PERCENT, fill.and_then(|f| f.percent.as_ref()), &s.input_percent)?;
        for (c, text) in [
            (col::UPDATE, fill.map(|f| f.update.as_str())),
            (col::NEXT_STEPS, fill.map(|f| f.next_steps.as_str())),
            (col::ISSUES, fill.map(|f| f.issues_risks.as_str())),
        ] {
            let text = text.unwrap_or("");
            if text.is_empty() {
                sheet.write_blank(row, c, &s.input_text)?;
            } else {
                let shown = cells.fit(PROGRESS_SHEET, row, c, text, FROM_FILL);
                sheet.write_string_with_format(row, c, &shown, &s.input_text)?;
                lines = lines.max(wrapped_lines(&shown, WIDTHS[usize::from(c)]));
            }
        }
        write_input(cells, sheet, row, col::REVISED_DATE, fill.and_then(|f| f.revised_date.as_ref()), &s.input_date)?;
        sheet.set_row_height(row, row_height(lines))?;
    }

    let last = HEADER_ROW + rows.len().max(1) as u32;
    let first = HEADER_ROW + 1;
    let statuses: Vec<&str> = Status::REPORTABLE.iter().map(|s| s.label()).collect();
    let status_rule = DataValidation::new()
        .allow_list_strings(&statuses)?
        .set_input_title("Status")?
        .set_input_message("Choose Complete, Green, Amber, Red or Not started. See the status key at the top.")?
        .set_error_title("Choose a status from the list")?
        .set_error_message("The status must be one of: Complete, Green, Amber, Red, Not started.")?;
    sheet.add_data_validation(first, col::STATUS, last, col::STATUS, &status_rule)?;
    let percent_rule = DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(0, 100))
        .set_input_title("% complete")?
        .set_input_message("A whole number from 0 to 100.")?
        .set_error_title("Not a percentage")?
        .set_error_message("Enter a whole number from 0 to 100, without the % sign.")?;
    sheet.add_data_validation(first, col::PERCENT, last, col::PERCENT, &percent_rule)?;
    let date_rule = DataValidation::new()
        .allow_date(DataValidationRule::Between(ExcelDateTime::from_ymd(2000, 1, 1)?, ExcelDateTime::from_ymd(2099, 12, 31)?))
        .set_input_title("Revised date")?
        .set_input_message("Only if the action will miss its timescale: the new expected date, as dd/mm/yyyy.")?
        .set_error_title("Not a date")?
        .set_error_message("Enter a date as dd/mm/yyyy, for example 31/03/2019.")?
        .set_error_style(DataValidationErrorStyle::Stop);
    sheet.add_data_validation(first, col::REVISED_DATE, last, col::REVISED_DATE, &date_rule)?;

    // Colour the status cells as the status key does.
    for status in Status::REPORTABLE {
        let rule = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(status.label()))
            .set_format(Format::new().set_background_color(status_colour(status)));
        sheet.add_conditional_format(first, col::STATUS, last, col::STATUS, &rule)?;
        sheet.add_conditional_format(first, col::PREVIOUS_STATUS, last, col::PREVIOUS_STATUS, &rule)?;
    }
    Ok(())
}

/// Writes what an agency typed into an input cell, or an empty input cell.
fn write_input(
    cells: &mut Cells,
    sheet: &mut Worksheet,
    row: u32,
    c: u16,
    value: Option<&FilledValue>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        None => sheet.write_blank(row, c, format)?,
        Some(FilledValue::Text(text)) => {
            sheet.write_string_with_format(row, c, cells.fit(PROGRESS_SHEET, row, c, text, FROM_FILL), format)?
        }
        Some(FilledValue::Number(n)) => sheet.write_number_with_format(row, c, *n, format)?,
        Some(FilledValue::Date(d)) => sheet.write_date_with_format(row, c, excel_date(*d)?, format)?,
    };
    Ok(())
}

/// Protection, frozen header, print set-up.
fn set_up_page(sheet: &mut Worksheet, agency: &Agency, period: Period, rows: usize) -> Result<(), XlsxError> {
    // No password: protection guards against slips, it is not security.
    // Rows and columns may be resized so people can read long text.
    sheet.protect_with_options(&ProtectionOptions { format_columns: true, format_rows: true, ..ProtectionOptions::default() });
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    sheet.set_selection(HEADER_ROW + 1, col::STATUS, HEADER_ROW + 1, col::STATUS)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_margins(0.4, 0.4, 0.5, 0.5, 0.2, 0.2);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_print_area(0, 0, HEADER_ROW + rows.max(1) as u32, col::PREVIOUS_UPDATE)?;
    let name: String = agency.name.chars().filter(|c| !c.is_control()).take(60).collect::<String>().replace('&', "&&");
    sheet.set_footer(format!("&L&8{name}, {period}&R&8Page &P of &N"));
    Ok(())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn status_colour(status: Status) -> Color {
    Color::RGB(u32::from_str_radix(status.colour(), 16).unwrap_or(0xFFFFFF))
}

/// The template each form's covering email is rendered from.
pub const EMAIL_TEMPLATE: &str = "form-email.txt";

/// What the form's covering email says: the partnership, the period, the
/// agency with its contact and the actions on its form, the deadline and
/// whom to ask.
pub fn email_data(plan: &Plan, agency: &Agency, period: Period, settings: &FormSettings) -> serde_json::Value {
    let p = &plan.partnership;
    let actions: Vec<serde_json::Value> = plan
        .actions_led_by(&agency.id)
        .filter(|a| a.is_in_plan(period))
        .map(|a| {
            let co_leads: Vec<&str> =
                a.leads.iter().filter(|l| **l != agency.id).map(|l| plan.agency(l).map_or(l.as_str(), |ag| ag.name.as_str())).collect();
            serde_json::json!({"id": a.id, "text": a.text, "timescale": a.timescale.written, "co_leads": co_leads.join(", ")})
        })
        .collect();
    serde_json::json!({
        "partnership": {"name": p.name, "short_name": p.short_name, "plan_title": p.plan_title, "plan_year": p.plan_year},
        "period": {"name": period.to_string(), "long_name": period.long_name(), "slug": period.slug()},
        "returns": {"deadline": settings.deadline.format("%Y-%m-%d").to_string(), "contact": settings.contact},
        "agency": {
            "id": agency.id,
            "name": agency.name,
            "contact_name": agency.contact.name,
            "contact_email": agency.contact.email,
            "actions_count": actions.len(),
            "actions": actions,
        },
    })
}

/// Each form's covering email as an `.eml` draft with the form attached,
/// named `<agency>.eml` (the agency id made safe, as the form's name is).
/// Returns (file name, bytes, whether it is addressed) per form, in order.
pub fn email_drafts(
    plan: &Plan,
    forms: &[Form],
    period: Period,
    settings: &FormSettings,
    templates: &crate::templates::Templates,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<(String, Vec<u8>, bool)>, crate::templates::TemplateError> {
    let mut names = FileNames::default();
    let mut out = Vec::new();
    for form in forms {
        let Some(agency) = plan.agency(&form.agency_id) else { continue };
        let text = templates.render_reporting(EMAIL_TEMPLATE, &email_data(plan, agency, period, settings), diagnostics)?;
        let fallback = format!("{} quarterly return for {period}", plan.partnership.short_name);
        let (subject, body) = crate::drafts::split_subject(&text, &fallback);
        let draft = crate::drafts::EmailDraft {
            agency,
            subject: &subject,
            body: &body,
            attachment: Some(crate::drafts::Attachment {
                file_name: &form.file_name,
                content_type: crate::drafts::XLSX,
                bytes: &form.bytes,
            }),
            date: settings.generated,
        };
        let name = names.claim(&crate::drafts::eml_name(&safe_file_stem(&agency.id, "agency")));
        out.push((name, draft.to_eml(), draft.is_addressed()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_names_come_from_safe_agency_ids() {
        let period: Period = "2018-19 Q3".parse().unwrap();
        assert_eq!(form_file_name(period, "police"), "return-2018-19-Q3-police.xlsx");
        assert_eq!(form_file_name(period, "../Con"), "return-2018-19-Q3-con-agency.xlsx");
        assert_eq!(form_file_name(period, "a:b?"), "return-2018-19-Q3-a-b.xlsx");
    }
}
