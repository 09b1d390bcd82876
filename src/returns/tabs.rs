//! Workbooks that keep a tab per quarter ("Q1", "Q2", "Oct-Dec", …): an
//! agency adds the new quarter's sheet and sends the same file every time.
//! This module decides, when a workbook holds several return tables, which
//! sheet is the return for the period being reported (by the sheet's own
//! `Period:` cell, else its name, else the workbook's `Period:`), which
//! earlier quarters' sheets are read as those quarters' returns (history
//! for trend), and what is said about the rest: a blank form for a later
//! quarter is noted, never read; a later quarter's filled sheet is a
//! warning; no sheet for the period is an error naming the sheets found,
//! and no other quarter's data is read as this one's. The reading itself is
//! `super::read_table`'s.

use super::identify::period_in_text;
use super::sheet::Grid;
use super::table::{self, Field, Header};
use crate::diagnostics::{Diagnostic, Place};
use crate::plan::Period;

/// A sheet holding a return table, and its header row.
pub(super) struct Table<'a> {
    pub grid: &'a Grid,
    pub header: Header,
}

/// What to read from a workbook with a tab per quarter.
#[derive(Debug)]
pub(super) struct QuarterTabs {
    /// The period being reported.
    pub target: Period,
    /// The table for it, by index, when there is one.
    pub reported: Option<usize>,
    /// Earlier quarters' tables, one per quarter, read as those quarters' returns.
    pub earlier: Vec<(usize, Period)>,
    /// What was said about the sheets not read, and the error when no sheet
    /// is for the period.
    pub diagnostics: Vec<Diagnostic>,
}

/// One table's quarter and whether it is a blank form.
struct Tab {
    period: Option<Period>,
    /// The sheet names its quarter itself (a `Period:` cell or its name),
    /// rather than taking the workbook's.
    own: bool,
    /// Action IDs but no status anywhere: a form not yet filled in.
    blank: bool,
}

/// `None` when the workbook is not one with a tab per quarter (a single
/// table, or no table naming its own quarter): it is then read as one
/// return, as before. `reported` is the period being reported (`--period`,
/// or the folder's); `workbook_period` a `Period:` the workbook gives outside
/// its tables (the form's metadata, a cover sheet).
pub(super) fn quarter_tabs(tables: &[Table], file: &str, reported: Option<Period>, workbook_period: Option<Period>) -> Option<QuarterTabs> {
    if tables.len() < 2 {
        return None;
    }
    // A sheet named "Q3" belongs to the financial year being reported.
    let default_fy = reported.or(workbook_period).map(|p| p.fy_start);
    let tabs: Vec<Tab> = tables
        .iter()
        .map(|t| {
            let labels = table::labels_above(t.grid, t.header.row, file);
            let own = labels
                .period
                .as_ref()
                .and_then(|(text, _)| period_in_text(text, default_fy))
                .or_else(|| period_in_text(&t.grid.name, default_fy));
            Tab { period: own.or(workbook_period), own: own.is_some(), blank: is_blank_form(t) }
        })
        .collect();
    if !tabs.iter().any(|t| t.own) {
        return None;
    }
    // Without a period to report, the latest quarter filled in is the return.
    let latest = |filled_only: bool| tabs.iter().filter(|t| !filled_only || !t.blank).filter_map(|t| t.period).max();
    let target = reported.or_else(|| latest(true)).or_else(|| latest(false))?;
    let is_target = |t: &Tab| t.period == Some(target);
    let reported_index = tabs.iter().position(|t| is_target(t) && !t.blank).or_else(|| tabs.iter().position(is_target));

    let mut out = QuarterTabs { target, reported: reported_index, earlier: Vec::new(), diagnostics: Vec::new() };
    let read_instead = match reported_index {
        Some(i) => format!("only sheet {:?} was read for {target}", tables[i].grid.name),
        None => "it was not read".to_string(),
    };
    for (i, (tab, table)) in tabs.iter().zip(tables).enumerate() {
        if Some(i) == reported_index {
            continue;
        }
        let place = Place { file: file.to_string(), sheet: Some(table.grid.name.clone()), cell: None };
        let rows = table.grid.rows.iter().filter(|r| r.index > table.header.row).count();
        let diagnostic = match tab.period {
            None => Some(
                Diagnostic::warning(
                    "extra-sheet",
                    place,
                    format!("this sheet also looks like a return table but names no quarter (no Period: cell, and its name is not a quarter); {read_instead}"),
                )
                .with_hint("name the sheet after its quarter (Q3, Oct-Dec) or add a Period: cell above its table"),
            )
            .filter(|_| table.grid.visible),
            Some(period) if tab.blank => Some(Diagnostic::note(
                "other-sheet",
                place,
                format!("this sheet is a blank form for {period} (action IDs, no statuses): it was not read"),
            )),
            Some(period) if period == target => Some(
                Diagnostic::warning("extra-sheet", place, format!("this sheet is also for {target}, but {read_instead}"))
                    .with_hint("keep one sheet per quarter, or send one file per return"),
            ),
            Some(period) if period > target => Some(
                Diagnostic::warning(
                    "other-sheet",
                    place,
                    format!(
                        "this sheet is for {period}, later than the period being reported ({target}): its {} not read",
                        if rows == 1 { "1 row was".to_string() } else { format!("{rows} rows were") }
                    ),
                )
                .with_hint(format!("check the sheet's quarter, or build {period} with --period")),
            ),
            Some(period) if out.earlier.iter().any(|(_, p)| *p == period) => Some(Diagnostic::warning(
                "extra-sheet",
                place,
                format!("this sheet is also for {period}, an earlier quarter already read from another sheet: it was not read"),
            )),
            Some(period) => {
                // Said once read, with its count (see `super::read_tables`).
                out.earlier.push((i, period));
                None
            }
        };
        out.diagnostics.extend(diagnostic);
    }
    if reported_index.is_none() {
        let found: Vec<String> = tables
            .iter()
            .zip(&tabs)
            .map(|(t, tab)| match (tab.period, tab.blank) {
                (Some(p), false) => format!("{:?} ({p})", t.grid.name),
                (Some(p), true) => format!("{:?} (a blank form for {p})", t.grid.name),
                (None, _) => format!("{:?} (no quarter named)", t.grid.name),
            })
            .collect();
        out.diagnostics.push(
            Diagnostic::error(
                "no-sheet-for-period",
                Place::file(file),
                format!("no sheet for {target}: this workbook's return tables are on sheets {}; no other quarter's sheet was read as {target}'s", found.join(", ")),
            )
            .with_hint(format!("ask the agency for its {target} return (a new sheet named {} in this workbook is fine)", quarter_name(target))),
        );
    }
    Some(out)
}

/// "Q3" for a period, as a tab would be named.
fn quarter_name(period: Period) -> String {
    format!("Q{}", period.quarter)
}

/// A table with rows but no status in any of them: the form for a quarter
/// not yet reported, sent along with the rest.
fn is_blank_form(table: &Table) -> bool {
    let Some(status) = table.header.column(Field::Status) else { return false };
    table.grid.rows.iter().filter(|r| r.index > table.header.row).all(|r| r.get(status).is_blank())
}
