//! The year-end review's files, from a [`YearReview`]: `year.csv` (one row
//! per action and lead; written here), `year-review.xlsx` (in
//! [`super::xlsx::year`]) and `year-review.pdf` (in [`super::pdf::year`]).
//! Like the quarterly renderers they lay out and never decide.

use super::csv::{neutralise, UTF8_BOM};
use super::{OutputFile, RenderError, Rendered};
use crate::merge::year::{YearAction, YearReview};
use std::path::PathBuf;

pub const YEAR_CSV: &str = "year.csv";
pub const YEAR_XLSX: &str = "year-review.xlsx";
pub const YEAR_PDF: &str = "year-review.pdf";

/// Every file of the year-end review, and problems met laying them out.
pub fn render_year(review: &YearReview, templates: &crate::templates::Templates) -> Result<Rendered, RenderError> {
    let mut rendered = Rendered::default();
    let csv = year_csv(review).map_err(|e| RenderError::new("year csv", e))?;
    rendered.files.push(OutputFile { path: PathBuf::from(YEAR_CSV), bytes: csv });
    let xlsx = super::xlsx::year::workbook(review, &mut rendered.diagnostics).map_err(|e| RenderError::new("year xlsx", e))?;
    rendered.files.push(OutputFile { path: PathBuf::from(YEAR_XLSX), bytes: xlsx });
    let pdf = super::pdf::year::document(review, templates, &mut rendered.diagnostics).map_err(|e| RenderError::new("year pdf", e))?;
    rendered.files.push(OutputFile { path: PathBuf::from(YEAR_PDF), bytes: pdf });
    Ok(rendered)
}

/// The quarter columns of `year.csv` for quarter `q` (1-4): the lead's
/// status token, its % complete, and the action's overall status token,
/// as that quarter's `progress.csv` has them (`status`,
/// `percent_complete`, `overall_status`), or `no_data` / `not_in_plan`.
pub fn quarter_columns(q: u8) -> [String; 3] {
    [format!("q{q}_status"), format!("q{q}_percent_complete"), format!("q{q}_overall_status")]
}

/// The columns after the quarters.
pub const YEAR_END_COLUMNS: [&str; 8] =
    ["final_status", "final_quarter", "completed_in", "latest_revised_date", "slipped_to", "slipped_days", "carry_forward", "last_update"];

/// `year.csv`: one row per action and lead, in plan order; UTF-8 with a
/// byte-order mark, CRLF, formula-neutralised, as `progress.csv`.
pub fn year_csv(review: &YearReview) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(UTF8_BOM.to_vec());
    let mut header: Vec<String> =
        ["year", "group", "action_id", "action", "timescale", "due_date", "lead", "lead_name"].iter().map(|s| s.to_string()).collect();
    for q in 1..=4 {
        header.extend(quarter_columns(q));
    }
    header.extend(YEAR_END_COLUMNS.iter().map(|s| s.to_string()));
    w.write_record(&header)?;
    let iso = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    for group in &review.groups {
        for action in &group.actions {
            for lead in &action.leads {
                let mut row = vec![
                    review.year.to_string(),
                    group.name.clone(),
                    action.id.clone(),
                    action.text.clone(),
                    action.timescale.clone(),
                    iso(action.due_date),
                    lead.agency_id.clone(),
                    lead.agency_name.clone(),
                ];
                for q in 0..4 {
                    row.push(lead.states[q].token().to_string());
                    row.push(lead.percents[q].map(|p| p.to_string()).unwrap_or_default());
                    row.push(action.overall[q].token().to_string());
                }
                row.extend(year_end(action));
                w.write_record(row.iter().map(|c| neutralise(c).into_owned()))?;
            }
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn year_end(a: &YearAction) -> [String; 8] {
    let iso = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let last_update = a
        .last_update
        .as_ref()
        .map(|(period, words)| {
            let said: Vec<String> = words.iter().map(|(lead, text)| format!("{lead}: {text}")).collect();
            format!("{period}. {}", said.join(" | "))
        })
        .unwrap_or_default();
    [
        a.final_state.token().to_string(),
        a.final_quarter.map(|p| p.to_string()).unwrap_or_default(),
        a.completed_in.map(|p| p.to_string()).unwrap_or_default(),
        iso(a.latest_revised),
        iso(a.slipped_to),
        a.slipped_days.map(|d| d.to_string()).unwrap_or_default(),
        if a.carry_forward { "true" } else { "false" }.to_string(),
        last_update,
    ]
}
