//! History: what earlier periods' results were, read back from the
//! `progress.csv` each build writes, so merge can show trend and spot stale
//! updates, and forms can pre-fill last quarter's status. Reading history is
//! forgiving: a missing or damaged file is a warning and no trend.

use crate::diagnostics::{Diagnostic, Place};
use crate::plan::Period;
use crate::progress::Progress;
use crate::status::Status;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One earlier period's results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Results by action ID.
    pub actions: BTreeMap<String, PastAction>,
}

/// An action's result in an earlier period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastAction {
    pub overall: Status,
    /// Each lead's status and update text, by agency id.
    pub leads: BTreeMap<String, PastUpdate>,
}

/// One lead's update in an earlier period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastUpdate {
    pub status: Status,
    pub update: String,
}

/// The previous period's results, and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousPeriod {
    pub period: Period,
    /// In words, for the report ("output/2018-19-Q2/progress.csv").
    pub source: String,
    /// Merged from that period's returns, for want of its progress.csv.
    pub from_returns: bool,
    pub history: History,
}

/// The largest history file read (far beyond any real partnership's).
const MAX_HISTORY_BYTES: u64 = 256 << 20;

/// Columns the history reader needs from `progress.csv`.
const NEEDED: [&str; 6] = ["period", "action_id", "lead", "status", "update", "overall_status"];

/// What became of looking for a period's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryRead {
    /// Read and usable.
    Found(PreviousPeriod),
    /// No file where it would be (`path`, as shown in messages).
    Missing { path: String },
    /// A file is there but cannot be used: a warning saying why.
    Damaged(Diagnostic),
}

/// Where a period's `progress.csv` lives under a history (or output) folder:
/// `<dir>/<period slug>/progress.csv`.
pub(crate) fn history_path(dir: &Path, period: Period) -> PathBuf {
    dir.join(period.slug()).join(crate::render::csv::PROGRESS_CSV)
}

/// Reads the results of `period` from `<dir>/<period slug>/progress.csv`.
/// Never fails: a missing file is [`HistoryRead::Missing`], anything wrong
/// with it is [`HistoryRead::Damaged`] with a warning naming the file.
pub fn read_period(dir: &Path, period: Period) -> HistoryRead {
    let path = history_path(dir, period);
    let shown = path.display().to_string();
    let damaged = |message: String| {
        HistoryRead::Damaged(
            Diagnostic::warning("history-damaged", Place::file(&shown), message)
                .with_hint(format!("rebuild {period} to rewrite it, or move the file away; until then the reports show no trend")),
        )
    };
    let size = match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => meta.len(),
        Ok(_) => return damaged("it is not a file".to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return HistoryRead::Missing { path: shown },
        Err(e) => return damaged(format!("cannot read it: {e}")),
    };
    if size > MAX_HISTORY_BYTES {
        return damaged(format!("it is {size} bytes, more than a history file can be ({MAX_HISTORY_BYTES})"));
    }
    match std::fs::read(&path) {
        Ok(bytes) => match parse_progress_csv(&bytes, &shown, period) {
            Ok(history) => HistoryRead::Found(PreviousPeriod { period, source: shown, from_returns: false, history }),
            Err(d) => HistoryRead::Damaged(*d),
        },
        Err(e) => damaged(format!("cannot read it: {e}")),
    }
}

/// Reads a `progress.csv` (as written by [`crate::render::csv`]) back into a
/// [`History`] for `period`, undoing the formula neutralising. Contributions
/// (`role` = `contributor`) are not history. Any problem makes the whole
/// file unusable: a warning naming the line, so trend is never computed from
/// half a file.
pub fn parse_progress_csv(bytes: &[u8], file: &str, period: Period) -> Result<History, Box<Diagnostic>> {
    use crate::render::csv::unneutralise;
    // With CRLF endings the csv crate puts a record's start on the previous
    // line's "\n"; counting through the start byte itself gives the right
    // line for both CRLF and LF files.
    let at_byte = |byte: u64| bytes.iter().take(byte as usize + 1).filter(|b| **b == b'\n').count() + 1;
    let damaged = |line: Option<usize>, column: Option<&str>, message: String| {
        let place = match line {
            Some(line) => Place::line(file, line, column),
            None => Place::file(file),
        };
        Box::new(
            Diagnostic::warning("history-damaged", place, format!("the history file cannot be used, so there is no trend: {message}"))
                .with_hint(format!("rebuild {period} to rewrite it, or move the file away")),
        )
    };
    // Files from before the byte-order mark and files with it both read:
    // csv-core skips a UTF-8 BOM at the start, and its byte positions count
    // it, so `at_byte` stays right.
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let headers = reader.headers().map_err(|e| damaged(None, None, format!("cannot read its header row: {e}")))?.clone();
    let index = |name: &str| headers.iter().position(|h| h == name);
    let missing: Vec<&str> = NEEDED.iter().copied().filter(|n| index(n).is_none()).collect();
    if !missing.is_empty() {
        return Err(damaged(
            Some(1),
            None,
            format!(
                "it has no {} {}; it is not a progress.csv written by csp-report",
                missing.join(", "),
                if missing.len() == 1 { "column" } else { "columns" }
            ),
        ));
    }
    let column = |name: &str| index(name).expect("checked above");
    let role = index("role");
    let expected_period = period.to_string();
    let mut history = History::default();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| at_byte(p.byte()));
                return Err(damaged(line, None, format!("cannot read it as CSV: {e}")));
            }
        }
        // The line number is worked out only for a problem: counting lines
        // for every record made reading a large history quadratic.
        let byte = record.position().map(|p| p.byte());
        let line = || byte.map(at_byte);
        let cell = |name: &str| unneutralise(record.get(column(name)).unwrap_or(""));
        if role.is_some_and(|r| unneutralise(record.get(r).unwrap_or("")) == "contributor") {
            continue;
        }
        if cell("period") != expected_period {
            return Err(damaged(line(), Some("period"), format!("it is for {:?}, not {expected_period}", cell("period"))));
        }
        let token = |name: &str| {
            Status::from_token(cell(name)).ok_or_else(|| damaged(line(), Some(name), format!("{:?} is not a status token", cell(name))))
        };
        let (status, overall) = (token("status")?, token("overall_status")?);
        let (action_id, lead) = (cell("action_id"), cell("lead"));
        if action_id.is_empty() || lead.is_empty() {
            return Err(damaged(line(), Some(if action_id.is_empty() { "action_id" } else { "lead" }), "the cell is empty".to_string()));
        }
        let entry = history.actions.entry(action_id.to_string()).or_insert_with(|| PastAction { overall, leads: BTreeMap::new() });
        if entry.overall != overall {
            return Err(damaged(line(), Some("overall_status"), format!("{action_id} has two different overall statuses")));
        }
        let past = PastUpdate { status, update: cell("update").to_string() };
        if entry.leads.insert(lead.to_string(), past).is_some() {
            return Err(damaged(line(), Some("lead"), format!("{action_id} lists the lead {lead} twice")));
        }
    }
    Ok(history)
}

impl History {
    /// The history a period's [`Progress`] amounts to: what reading back its
    /// `progress.csv` gives. Used when the previous period is merged from its
    /// returns rather than read from history.
    pub fn from_progress(progress: &Progress) -> History {
        let actions = progress
            .groups
            .iter()
            .flat_map(|g| g.actions.iter())
            .map(|a| {
                let leads =
                    a.leads.iter().map(|l| (l.agency_id.clone(), PastUpdate { status: l.status(), update: l.update.clone() })).collect();
                (a.id.clone(), PastAction { overall: a.overall, leads })
            })
            .collect();
        History { actions }
    }
}

/// The previous period's results for `period`, wherever they are: its
/// `progress.csv` under `history_dir` when present and sound; else, when the
/// returns read include returns for the previous period, those merged on
/// their own (so a first build still shows trend); else none. Problems met
/// on the way are warnings in the list returned: never a failed build.
/// `returns_label` names the returns folder in the source description.
pub fn find_previous(
    history_dir: &Path,
    returns_label: &str,
    plan: &crate::plan::Plan,
    period: Period,
    read: &crate::returns::ReadReport,
) -> (Option<PreviousPeriod>, Vec<Diagnostic>) {
    let previous = period.previous();
    let mut diagnostics = Vec::new();
    let missing_path = match read_period(history_dir, previous) {
        HistoryRead::Found(found) => return (Some(found), diagnostics),
        HistoryRead::Damaged(d) => {
            diagnostics.push(d);
            None
        }
        HistoryRead::Missing { path } => Some(path),
    };
    if read.returns.iter().any(|r| r.period == previous) {
        let progress = crate::merge::merge(&crate::merge::MergeInput {
            plan,
            period: previous,
            read,
            previous: None,
            produced: previous.end(),
            deadline: previous.end(),
            extra_diagnostics: &[],
        });
        let source = format!("returns for {previous} in {returns_label}");
        return (
            Some(PreviousPeriod { period: previous, source, from_returns: true, history: History::from_progress(&progress) }),
            diagnostics,
        );
    }
    if let Some(path) = missing_path {
        diagnostics.push(
            Diagnostic::warning(
                "history-missing",
                Place::file(&path),
                format!("no results for {previous}: this file does not exist and {returns_label} holds no returns for {previous}, so the reports show no trend"),
            )
            .with_hint(format!("build {previous} first, or set history in csp-report.toml to the folder holding its progress.csv")),
        );
    }
    (None, diagnostics)
}
