//! The CSV data: `progress.csv` (one row per action × lead, and per
//! contribution), written by [`CsvRenderer`], and `validation.csv` (one row
//! per diagnostic), written by the build once every renderer has run (see
//! [`validation_file`]), so that it lists the problems met while laying
//! returns' text out as well as those in the returns. UTF-8
//! with a byte-order mark (see [`UTF8_BOM`]), RFC 4180 quoting, CRLF line
//! ends, a header row.
//! `progress.csv` is also the history later periods read back
//! ([`crate::history`]), so its columns and tokens are a contract: see
//! [`PROGRESS_COLUMNS`].
//!
//! Formula neutralising: a spreadsheet opening a CSV runs a cell that starts
//! with `=`, `+`, `-` or `@` (and some run one starting with a tab or a
//! carriage return) as a formula. Every such cell is written with a leading
//! apostrophe (`'=HYPERLINK(…)`), which spreadsheets show as text; a cell
//! that genuinely starts with an apostrophe gets one more (`'tis` →
//! `''tis`). Reading back, [`unneutralise`] removes exactly one leading
//! apostrophe, so the text round-trips unchanged.

use super::{OutputFile, RenderContext, RenderError, Rendered, Renderer};
use crate::diagnostics::Diagnostic;
use crate::progress::{ActionProgress, LeadUpdate, Progress, UpdateState};
use chrono::NaiveDate;
use std::path::PathBuf;

/// One row of `progress.csv`: a lead's (or contributor's) update on an action.
pub struct ProgressRow<'a> {
    pub period: &'a str,
    pub group: &'a str,
    pub action: &'a ActionProgress,
    pub lead: &'a LeadUpdate,
    /// `lead`, or `contributor` for an agency that does not lead the action.
    pub role: &'static str,
}

/// How one column of `progress.csv` is filled from a row.
type Column = fn(&ProgressRow) -> String;

/// The columns of `progress.csv`, in order, each with how it is filled: the
/// one place a column is added. The first nineteen are the original
/// contract; `role` tells a lead's row from a contribution; `update_state`
/// says whether the lead reported (`reported`), reported unreadably
/// (`rejected`: `status` is `rejected` and `rejected_because` says why),
/// sent a return without this action (`not_in_return`) or sent no return
/// (`no_return`). History reads columns by name, so order may grow.
pub const PROGRESS_COLUMNS: [(&str, Column); 22] = [
    ("period", |r| r.period.to_string()),
    ("group", |r| r.group.to_string()),
    ("action_id", |r| r.action.id.clone()),
    ("action", |r| r.action.text.clone()),
    ("timescale", |r| r.action.timescale.clone()),
    ("due_date", |r| iso(r.action.due_date)),
    ("new", |r| boolean(r.action.new)),
    ("lead", |r| r.lead.agency_id.clone()),
    ("lead_name", |r| r.lead.agency_name.clone()),
    ("status", |r| r.lead.status().token().to_string()),
    ("percent_complete", |r| r.lead.percent_complete.map(|p| p.to_string()).unwrap_or_default()),
    ("update", |r| r.lead.update.clone()),
    ("next_steps", |r| r.lead.next_steps.clone()),
    ("issues_risks", |r| r.lead.issues_risks.clone()),
    ("revised_date", |r| iso(r.lead.revised_date)),
    ("overall_status", |r| r.action.overall.token().to_string()),
    ("overdue", |r| boolean(r.action.overdue)),
    ("trend", |r| r.action.trend.map(|t| t.token().to_string()).unwrap_or_default()),
    ("source", |r| r.lead.source.as_ref().map(|p| p.to_string()).unwrap_or_default()),
    ("role", |r| r.role.to_string()),
    ("update_state", |r| r.lead.state.token().to_string()),
    ("rejected_because", |r| match &r.lead.state {
        UpdateState::Rejected(rejection) => match &rejection.hint {
            Some(hint) => format!("{} ({hint})", rejection.problem),
            None => rejection.problem.clone(),
        },
        _ => String::new(),
    }),
];

/// The columns of `validation.csv`, in order (`hint` is extra, at the end).
pub const VALIDATION_COLUMNS: [&str; 7] = ["file", "sheet", "cell", "severity", "code", "message", "hint"];

/// The file names, relative to the period's output folder.
pub const PROGRESS_CSV: &str = "progress.csv";
pub const VALIDATION_CSV: &str = "validation.csv";

/// A cell as written: text that a spreadsheet would run as a formula gets a
/// leading apostrophe; text already starting with one gets another.
pub(crate) fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// Undoes [`neutralise`]: removes one leading apostrophe.
pub(crate) fn unneutralise(text: &str) -> &str {
    text.strip_prefix('\'').unwrap_or(text)
}

/// Renders `progress.csv`.
pub struct CsvRenderer;

impl Renderer for CsvRenderer {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn render(&self, ctx: &RenderContext) -> Result<Rendered, RenderError> {
        let error = |e: csv::Error| RenderError::new("csv", e);
        Ok(Rendered {
            files: vec![OutputFile { path: PathBuf::from(PROGRESS_CSV), bytes: progress_csv(ctx.progress).map_err(error)? }],
            diagnostics: Vec::new(),
        })
    }
}

/// `validation.csv` as a file to write: the problems in the returns (and
/// history), then those met while building the outputs (a text cut to
/// Excel's cell limit, a character no font has, a template that failed).
pub(crate) fn validation_file(returns: &[Diagnostic], building: &[Diagnostic]) -> Result<OutputFile, RenderError> {
    let all: Vec<Diagnostic> = returns.iter().chain(building).cloned().collect();
    let bytes = validation_csv(&all).map_err(|e| RenderError::new("csv", e))?;
    Ok(OutputFile { path: PathBuf::from(VALIDATION_CSV), bytes })
}

/// The byte-order mark every CSV file starts with. Excel on Windows opens a
/// double-clicked CSV in the ANSI code page unless it starts with one, and
/// "Zoë" shows as "ZoÃ«"; LibreOffice and the csv crate (so the history
/// reader) skip it.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(UTF8_BOM.to_vec())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn iso(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn boolean(value: bool) -> String {
    if value { "true" } else { "false" }.to_string()
}

/// `progress.csv`: actions in plan order; for each, its leads in the plan's
/// order, then its contributions.
pub fn progress_csv(progress: &Progress) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(PROGRESS_COLUMNS.iter().map(|(name, _)| name))?;
    let period = progress.period.to_string();
    for group in &progress.groups {
        for action in &group.actions {
            let rows = action.leads.iter().map(|l| (l, "lead")).chain(action.contributions.iter().map(|c| (c, "contributor")));
            for (lead, role) in rows {
                let row = ProgressRow { period: &period, group: &group.name, action, lead, role };
                w.write_record(PROGRESS_COLUMNS.iter().map(|(_, fill)| neutralise(&fill(&row)).into_owned()))?;
            }
        }
    }
    finish(w)
}

/// `validation.csv`: one row per diagnostic, in the order given.
pub fn validation_csv(diagnostics: &[Diagnostic]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(VALIDATION_COLUMNS)?;
    for d in diagnostics {
        let cell = d.place.cell_text().unwrap_or_default();
        let row = [
            d.place.file.as_str(),
            d.place.sheet.as_deref().unwrap_or(""),
            cell.as_str(),
            d.severity.as_str(),
            d.code,
            d.message.as_str(),
            d.hint.as_deref().unwrap_or(""),
        ];
        w.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))?;
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for text in ["=HYPERLINK(\"http://x\",\"y\")", "+44 1772", "-", "@SUM(A1)", "\tx", "\rx", "'tis", "''", "plain", "", "5"] {
            let written = neutralise(text);
            assert!(!written.starts_with(['=', '+', '-', '@', '\t', '\r']), "{text:?} → {written:?}");
            assert_eq!(unneutralise(&written), text);
        }
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("'quoted"), "''quoted");
        assert_eq!(neutralise("Fine"), "Fine");
    }
}
