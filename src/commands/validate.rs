//! `csp-report validate [--period P] [RETURNS_DIR]`: reads every return and
//! reports every problem in them. Problems go to stderr grouped by file
//! (`place: severity [code]: message (hint)`); the account goes to stdout:
//! per file who sent it, for which period, how it was identified, and
//! `N rows read = A accepted + R rejected (+ K notes)`, then the total, then the lead
//! agencies with no return for the period. Exits 1 when any error was found.

use super::{load_plan_or_report, Outcome};
use crate::config::Config;
use crate::plan::{Period, Plan};
use crate::returns::{read_returns_with, FileAccount, FileOutcome, Identification, ReadOptions, ReadReport};
use crate::ui::Ui;
use crate::vocabulary::counted;
use std::io::Write;

pub fn run(config: &Config, ui: &mut Ui) -> anyhow::Result<Outcome> {
    let Some(plan) = load_plan_or_report(config, ui)? else { return Ok(Outcome::ProblemsFound) };
    if !config.returns.is_dir() {
        anyhow::bail!("the returns folder {} does not exist or is not a folder", config.returns.display());
    }
    let options = ReadOptions { period: config.period, limits: config.limits };
    let report = read_returns_with(&config.returns, &plan, &options, &crate::ui::ReadProgressBar::new(ui.quiet));
    print_problems(&report, ui);
    print_account(&report, &plan, config, &mut *ui.out)?;
    Ok(if report.diagnostics.has_errors() { Outcome::ProblemsFound } else { Outcome::Success })
}

/// Every problem on stderr, grouped by file (a blank line between files).
fn print_problems(report: &ReadReport, ui: &mut Ui) {
    let mut last_file: Option<String> = None;
    for d in report.diagnostics.sorted_by_file() {
        if ui.quiet && d.severity != crate::diagnostics::Severity::Error {
            continue;
        }
        if last_file.as_deref().is_some_and(|f| f != d.place.file) {
            let _ = writeln!(ui.err);
        }
        last_file = Some(d.place.file.clone());
        ui.diagnostic(&d);
    }
    if last_file.is_some() {
        let _ = writeln!(ui.err);
    }
}

/// How a return was identified, in words.
fn identified_by(by: Identification) -> &'static str {
    match by {
        Identification::Metadata => "form metadata",
        Identification::Label => "Agency: cell",
        Identification::FileName => "file name",
    }
}

/// `9 rows read = 6 accepted + 1 rejected + 2 notes`: the notes term only
/// when there are notes, as most returns have none.
fn rows_line(read: usize, accepted: usize, rejected: usize, notes: usize) -> String {
    let rows = if read == 1 { "row" } else { "rows" };
    let notes = match notes {
        0 => String::new(),
        1 => " + 1 note".to_string(),
        n => format!(" + {n} notes"),
    };
    format!("{read} {rows} read = {accepted} accepted + {rejected} rejected{notes}")
}

/// The per-file account, the total, and the missing returns, on stdout.
fn print_account(report: &ReadReport, plan: &Plan, config: &Config, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "Returns in {}", config.returns.display())?;
    if report.accounts.is_empty() {
        writeln!(out, "  (the folder holds no files)")?;
    }
    let width = report.accounts.iter().map(|a| a.file.chars().count()).max().unwrap_or(0);
    for account in &report.accounts {
        writeln!(out, "  {:<width$}  {}", account.file, describe(account, report, plan))?;
    }
    let (read, accepted, rejected, notes) = report.totals();
    let count = |f: fn(&FileOutcome) -> bool| report.accounts.iter().filter(|a| f(&a.outcome)).count();
    let (files_read, files_unreadable, files_skipped) = (
        count(|o| matches!(o, FileOutcome::Read)),
        count(|o| matches!(o, FileOutcome::Unreadable { .. })),
        count(|o| matches!(o, FileOutcome::Skipped { .. })),
    );
    writeln!(out)?;
    writeln!(
        out,
        "Total: {} ({} read, {files_unreadable} not usable, {files_skipped} skipped)",
        rows_line(read, accepted, rejected, notes),
        counted(files_read, "file", "files")
    )?;
    let d = &report.diagnostics;
    use crate::diagnostics::Severity;
    writeln!(
        out,
        "Problems: {}, {}, {}",
        counted(d.count(Severity::Error), "error", "errors"),
        counted(d.count(Severity::Warning), "warning", "warnings"),
        counted(d.count(Severity::Note), "note", "notes")
    )?;
    if let Some(period) = config.period {
        writeln!(out)?;
        print_missing(report, plan, period, out)?;
    }
    Ok(())
}

/// One file's line after its name.
fn describe(account: &FileAccount, report: &ReadReport, plan: &Plan) -> String {
    match &account.outcome {
        FileOutcome::Read => {
            let rows = rows_line(account.rows_read, account.rows_accepted, account.rows_rejected, account.rows_notes);
            match report.returns.iter().find(|r| r.file == account.file) {
                Some(r) => {
                    let agency = plan.agency(&r.agency).map(|a| a.name.as_str()).unwrap_or(&r.agency);
                    format!("{agency} ({}), {}, by {}: {rows}", r.agency, r.period, identified_by(r.identified_by))
                }
                None => rows,
            }
        }
        FileOutcome::Unreadable { reason } if account.rows_read > 0 => {
            format!(
                "not usable: {reason}: {}",
                rows_line(account.rows_read, account.rows_accepted, account.rows_rejected, account.rows_notes)
            )
        }
        FileOutcome::Unreadable { reason } => format!("not read: {reason}"),
        FileOutcome::Skipped { reason } => format!("skipped: {reason}"),
    }
}

/// Lead agencies with no return read for the period.
fn print_missing(report: &ReadReport, plan: &Plan, period: Period, out: &mut dyn Write) -> std::io::Result<()> {
    let missing: Vec<String> = plan
        .lead_agencies()
        .filter(|agency| !report.returns.iter().any(|r| r.agency == agency.id && r.period == period))
        .map(|agency| format!("{} ({})", agency.name, agency.id))
        .collect();
    let mut other_periods: std::collections::BTreeMap<Period, usize> = std::collections::BTreeMap::new();
    for r in report.returns.iter().filter(|r| r.period != period) {
        *other_periods.entry(r.period).or_default() += 1;
    }
    let other_periods: Vec<String> = other_periods.iter().map(|(p, n)| format!("{n} for {p}")).collect();
    if missing.is_empty() {
        writeln!(out, "Every lead agency has a return for {period}.")?;
    } else {
        writeln!(out, "No return for {period} from {} of {} lead agencies:", missing.len(), plan.lead_agencies().count())?;
        for name in missing {
            writeln!(out, "  {name}")?;
        }
    }
    if !other_periods.is_empty() {
        writeln!(
            out,
            "Returns for other periods, not counted above: {} (each file's period is shown beside it)",
            other_periods.join(", ")
        )?;
    }
    Ok(())
}
