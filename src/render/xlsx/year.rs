//! `year-review.xlsx`: the year-end review for the coordinator. Summary
//! (where each quarter came from, the headline figures, the status mix per
//! quarter), one sheet per action group (one row per action: its four
//! quarters' statuses as words on their colours, final status, timescale,
//! when completed or revised to, days slipped, carried forward), and Carry
//! forward (the actions not delivered, with their last update). Same cell
//! policy as `progress.xlsx`: text written as strings, cut to Excel's limit
//! with a marker, fixed creation date.

use super::{cell, header, heading, label, number_cell, status_cell, table_header, title, unique_sheet_names, SheetWriter};
use crate::diagnostics::Diagnostic;
use crate::excel::{clean_text, excel_date};
use crate::merge::year::{YearAction, YearCounts, YearReview};
use crate::progress::QuarterState;
use crate::templates::uk_date;
use crate::vocabulary;
use rust_xlsxwriter::{ColNum, DocProperties, Format, RowNum, Workbook, Worksheet, XlsxError};

pub const SUMMARY_SHEET: &str = "Summary";
pub const CARRY_FORWARD_SHEET: &str = "Carry forward";

/// A quarter's state in a cell: its word on its colour, bold, never the colour alone.
fn state_format(state: QuarterState) -> Format {
    match state {
        QuarterState::Status(s) => status_cell(s),
        QuarterState::NotInPlan | QuarterState::NoData => cell().set_italic(),
    }
}

/// The year's headline figures, in order, with what each counts. Shared
/// with the PDF so both say the same.
pub fn headline(t: &YearCounts) -> Vec<(&'static str, usize, &'static str)> {
    vec![
        ("Delivered", t.delivered, "final status Complete"),
        ("On track at year end", t.on_track, "final status Green"),
        ("Slipped", t.slipped, "completed after, or still open past, the plan's timescale (also counted above or below)"),
        ("Not started", t.not_started, "final status Not started"),
        ("Amber or red at year end", t.at_risk, "final status Amber or Red"),
        ("No status at year end", t.unknown, "no return, rejected or no data in the last quarter"),
        ("Withdrawn", t.withdrawn, "in the plan earlier in the year, not at its end"),
        ("Carried forward", t.carried_forward, "in the plan at the year's end and not delivered"),
    ]
}

/// The order the carried-forward list takes: red, amber, then slipped,
/// then the rest, each in plan order (the sort is stable).
pub fn carry_order(a: &YearAction) -> u8 {
    match (a.final_state.status(), a.slipped_to) {
        (Some(crate::status::Status::Red), _) => 0,
        (Some(crate::status::Status::Amber), _) => 1,
        (_, Some(_)) => 2,
        _ => 3,
    }
}

/// When it was completed, or the date it was revised to, in words.
pub fn completed_or_revised(a: &YearAction) -> String {
    match (a.completed_in, a.latest_revised) {
        (Some(q), _) => format!("Completed in {q}"),
        (None, Some(d)) => format!("{} {}", vocabulary::REVISED_TO, uk_date(d)),
        (None, None) => String::new(),
    }
}

pub fn workbook(review: &YearReview, diagnostics: &mut Vec<Diagnostic>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let produced = excel_date(review.produced)?;
    let properties = DocProperties::new()
        .set_title(clean_text(&format!("{} year review, {}", review.partnership.short_name, review.year)))
        .set_subject(clean_text(&format!("{}: the year {}", review.partnership.plan_title, review.year.long_name())))
        .set_author(clean_text(&review.partnership.name))
        .set_company(clean_text(&review.partnership.name))
        .set_keywords("community safety, action plan, year review")
        .set_creation_datetime(&produced);
    workbook.set_properties(&properties);
    let groups: Vec<(&str, &str)> = review.groups.iter().map(|g| (g.name.as_str(), g.id.as_str())).collect();
    let names = unique_sheet_names(&groups, &[SUMMARY_SHEET, CARRY_FORWARD_SHEET]);
    let mut sheets = vec![summary(review, diagnostics)?];
    for (group, name) in review.groups.iter().zip(&names) {
        sheets.push(group_sheet(review, &group.actions, name, diagnostics)?);
    }
    sheets.push(carry_forward(review, diagnostics)?);
    for sheet in sheets {
        workbook.push_worksheet(sheet);
    }
    workbook.save_to_buffer()
}

fn print(sheet: &mut Worksheet, review: &YearReview, header_row: Option<RowNum>) -> Result<(), XlsxError> {
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    // As progress.xlsx: ampersands doubled, well inside Excel's 255 characters.
    sheet.set_header(format!("&L{}&R&A", super::header_text(&review.partnership.name, 51)));
    sheet.set_footer(format!("&L{}&RPage &P of &N", super::header_text(&review.year.long_name(), 51)));
    if let Some(row) = header_row {
        sheet.set_repeat_rows(row, row)?;
        sheet.set_freeze_panes(row + 1, 0)?;
    }
    Ok(())
}

fn summary(review: &YearReview, diagnostics: &mut Vec<Diagnostic>) -> Result<Worksheet, XlsxError> {
    let mut w = SheetWriter::new(SUMMARY_SHEET, &[34.0, 12.0, 12.0, 12.0, 12.0, 50.0], diagnostics)?;
    w.text_span(0, 0, 5, &format!("{}: the year {}", review.partnership.name, review.year.long_name()), &title(), None)?;
    let mut row: RowNum = 2;
    w.text(row, 0, "Where each quarter's results came from", &heading(), None)?;
    row += 1;
    for q in &review.quarters {
        w.text(row, 0, &q.period.to_string(), &label(), None)?;
        let source = q.source.clone().unwrap_or_else(|| format!("{}: no progress.csv and no returns were found", vocabulary::NO_DATA));
        w.text_span(row, 1, 5, &source, &cell(), None)?;
        row += 1;
    }
    row += 1;
    w.text(row, 0, "The year in figures", &heading(), None)?;
    row += 1;
    table_header(&mut w, row, &["Actions", "Number"])?;
    w.text_span(row, 2, 5, "What it counts", &header(), None)?;
    row += 1;
    for (name, count, meaning) in headline(&review.totals) {
        w.text(row, 0, name, &label(), None)?;
        w.number(row, 1, count as f64, &number_cell())?;
        w.text_span(row, 2, 5, meaning, &cell(), None)?;
        row += 1;
    }
    w.text(row, 0, "All actions at the year's end", &label(), None)?;
    w.number(row, 1, review.totals.actions as f64, &number_cell().set_bold())?;
    row += 2;
    w.text(row, 0, "Status mix per quarter (actions by overall status)", &heading(), None)?;
    row += 1;
    let mut headers = vec!["Status"];
    let quarter_names: Vec<String> = review.quarters.iter().map(|q| q.period.to_string()).collect();
    headers.extend(quarter_names.iter().map(String::as_str));
    table_header(&mut w, row, &headers)?;
    row += 1;
    for (i, state) in QuarterState::KEY.iter().enumerate() {
        if review.mix.iter().all(|q| q[i] == 0) {
            continue;
        }
        w.text(row, 0, state.label(), &state_format(*state), None)?;
        for (q, counts) in review.mix.iter().enumerate() {
            w.number(row, 1 + q as ColNum, counts[i] as f64, &number_cell())?;
        }
        row += 1;
    }
    let mut sheet = w.finish()?;
    print(&mut sheet, review, None)?;
    Ok(sheet)
}

const GROUP_COLUMNS: [(&str, f64); 13] = [
    ("ID", 7.0),
    ("Action", 48.0),
    ("Leads", 26.0),
    ("Timescale", 14.0),
    ("Q1", 11.0),
    ("Q2", 11.0),
    ("Q3", 11.0),
    ("Q4", 11.0),
    ("Final status", 12.0),
    ("Completed or revised to", 20.0),
    ("Days slipped", 9.0),
    ("Carried forward", 10.0),
    ("Last update", 60.0),
];

fn group_sheet(review: &YearReview, actions: &[YearAction], name: &str, diagnostics: &mut Vec<Diagnostic>) -> Result<Worksheet, XlsxError> {
    let widths: Vec<f64> = GROUP_COLUMNS.iter().map(|(_, w)| *w).collect();
    let mut w = SheetWriter::new(name, &widths, diagnostics)?;
    let headers: Vec<&str> = GROUP_COLUMNS.iter().map(|(h, _)| *h).collect();
    table_header(&mut w, 0, &headers)?;
    for (i, a) in actions.iter().enumerate() {
        action_row(&mut w, 1 + i as RowNum, a)?;
    }
    w.sheet.autofilter(0, 0, (actions.len() as RowNum).max(1), (GROUP_COLUMNS.len() - 1) as ColNum)?;
    let mut sheet = w.finish()?;
    print(&mut sheet, review, Some(0))?;
    Ok(sheet)
}

fn last_update(a: &YearAction) -> String {
    a.last_update
        .as_ref()
        .map(|(q, words)| {
            let said: Vec<String> = words.iter().map(|(lead, text)| format!("{lead}: {text}")).collect();
            format!("{q}. {}", said.join("\n"))
        })
        .unwrap_or_default()
}

fn action_row(w: &mut SheetWriter, row: RowNum, a: &YearAction) -> Result<(), XlsxError> {
    let plain = cell();
    w.text(row, 0, &a.id, &plain.clone().set_bold(), None)?;
    w.text(row, 1, &a.text, &plain, None)?;
    let leads: Vec<&str> = a.leads.iter().map(|l| l.agency_name.as_str()).collect();
    w.text(row, 2, &leads.join("\n"), &plain, None)?;
    w.text(row, 3, &a.timescale, &plain, None)?;
    for (q, state) in a.overall.iter().enumerate() {
        w.text(row, 4 + q as ColNum, state.label(), &state_format(*state), None)?;
    }
    let final_words = match a.final_quarter {
        Some(q) if q.quarter != 4 => format!("{} (as at {q})", a.final_state.label()),
        _ => a.final_state.label().to_string(),
    };
    w.text(row, 8, &final_words, &state_format(a.final_state), None)?;
    w.text(row, 9, &completed_or_revised(a), &plain, None)?;
    match a.slipped_days {
        Some(days) => w.number(row, 10, days as f64, &number_cell())?,
        None => w.blank(row, 10, &plain)?,
    }
    w.text(row, 11, if a.carry_forward { "Yes" } else { "No" }, &plain, None)?;
    w.text(row, 12, &last_update(a), &plain, None)?;
    Ok(())
}

fn carry_forward(review: &YearReview, diagnostics: &mut Vec<Diagnostic>) -> Result<Worksheet, XlsxError> {
    let columns = [("ID", 7.0), ("Action", 50.0), ("Group", 22.0), ("Final status", 12.0), ("Days slipped", 9.0), ("Last update", 80.0)];
    let widths: Vec<f64> = columns.iter().map(|(_, w)| *w).collect();
    let mut w = SheetWriter::new(CARRY_FORWARD_SHEET, &widths, diagnostics)?;
    let headers: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
    table_header(&mut w, 0, &headers)?;
    let mut row: RowNum = 1;
    let mut carried: Vec<&YearAction> = review.groups.iter().flat_map(|g| g.actions.iter()).filter(|a| a.carry_forward).collect();
    carried.sort_by_key(|a| carry_order(a));
    for a in carried {
        let plain = cell();
        w.text(row, 0, &a.id, &plain.clone().set_bold(), None)?;
        w.text(row, 1, &a.text, &plain, None)?;
        w.text(row, 2, &a.group_name, &plain, None)?;
        w.text(row, 3, a.final_state.label(), &state_format(a.final_state), None)?;
        match a.slipped_days {
            Some(days) => w.number(row, 4, days as f64, &number_cell())?,
            None => w.blank(row, 4, &plain)?,
        }
        w.text(row, 5, &last_update(a), &plain, None)?;
        row += 1;
    }
    w.sheet.autofilter(0, 0, row.max(2) - 1, (columns.len() - 1) as ColNum)?;
    let mut sheet = w.finish()?;
    print(&mut sheet, review, Some(0))?;
    Ok(sheet)
}
