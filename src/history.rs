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
    /// The action's words and group as that period's results gave them
    /// (empty where unknown), so an action no longer in the plan can still
    /// be named in the year's review.
    pub text: String,
    pub group: String,
}

impl PastAction {
    /// An action's result with its overall status and no leads yet.
    pub fn new(overall: Status) -> PastAction {
        PastAction { overall, leads: BTreeMap::new(), text: String::new(), group: String::new() }
    }
}

/// One lead's update in an earlier period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastUpdate {
    pub status: Status,
    pub update: String,
    /// % complete as the lead gave it (`None` when it gave none, or the
    /// history file predates the column).
    pub percent_complete: Option<u8>,
    /// The lead's revised date, when it gave one.
    pub revised_date: Option<chrono::NaiveDate>,
}

impl PastUpdate {
    /// A status and update text, with no % complete or revised date.
    pub fn new(status: Status, update: impl Into<String>) -> PastUpdate {
        PastUpdate { status, update: update.into(), percent_complete: None, revised_date: None }
    }
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
        let entry = history.actions.entry(action_id.to_string()).or_insert_with(|| PastAction {
            text: index("action").map(|i| unneutralise(record.get(i).unwrap_or("")).to_string()).unwrap_or_default(),
            group: index("group").map(|i| unneutralise(record.get(i).unwrap_or("")).to_string()).unwrap_or_default(),
            ..PastAction::new(overall)
        });
        if entry.overall != overall {
            return Err(damaged(line(), Some("overall_status"), format!("{action_id} has two different overall statuses")));
        }
        // Optional columns: an unreadable % or date is left out, not fatal
        // (the status is what history is for).
        let optional = |name: &str| index(name).map(|i| unneutralise(record.get(i).unwrap_or(""))).unwrap_or("");
        let past = PastUpdate {
            percent_complete: optional("percent_complete").parse().ok(),
            revised_date: chrono::NaiveDate::parse_from_str(optional("revised_date"), "%Y-%m-%d").ok(),
            ..PastUpdate::new(status, cell("update"))
        };
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
                let leads = a
                    .leads
                    .iter()
                    .map(|l| {
                        let past = PastUpdate {
                            percent_complete: l.percent_complete,
                            revised_date: l.revised_date,
                            ..PastUpdate::new(l.status(), l.update.clone())
                        };
                        (l.agency_id.clone(), past)
                    })
                    .collect();
                (a.id.clone(), PastAction { leads, text: a.text.clone(), group: a.group_name.clone(), ..PastAction::new(a.overall) })
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
    let consequence = if previous.fy_start == period.fy_start {
        format!("the reports show no trend, and {previous} shows as no data in the year's history")
    } else {
        "the reports show no trend".to_string()
    };
    find_results(history_dir, returns_label, plan, previous, read, &consequence)
}

/// One period's results, wherever they are (see [`find_previous`]);
/// `consequence` ends the warning when there are none ("the reports show no
/// trend").
pub fn find_results(
    history_dir: &Path,
    returns_label: &str,
    plan: &crate::plan::Plan,
    wanted: Period,
    read: &crate::returns::ReadReport,
    consequence: &str,
) -> (Option<PreviousPeriod>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let missing_path = match read_period(history_dir, wanted) {
        HistoryRead::Found(found) => return (Some(found), diagnostics),
        HistoryRead::Damaged(d) => {
            diagnostics.push(d);
            None
        }
        HistoryRead::Missing { path } => Some(path),
    };
    if read.returns.iter().any(|r| r.period == wanted) {
        let progress = crate::merge::merge(&crate::merge::MergeInput::new(plan, wanted, read));
        let source = format!("returns for {wanted} in {returns_label}");
        return (
            Some(PreviousPeriod { period: wanted, source, from_returns: true, history: History::from_progress(&progress) }),
            diagnostics,
        );
    }
    // A damaged file has had its warning; only a missing one is named here.
    if let Some(path) = missing_path {
        diagnostics.push(
            Diagnostic::warning(
                "history-missing",
                Place::file(&path),
                format!(
                    "no results for {wanted}: this file does not exist and {returns_label} holds no returns for {wanted}, so {consequence}"
                ),
            )
            .with_hint(format!("build {wanted} first, or set history in csp-report.toml to the folder holding its progress.csv")),
        );
    }
    (None, diagnostics)
}

/// The quarters of a financial year up to a point, each with its results
/// when any were found: the year's history, never interpolated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearSoFar {
    /// In order from Q1; a quarter with `results: None` has no data.
    pub quarters: Vec<YearQuarter>,
}

/// One quarter of the year's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearQuarter {
    pub period: Period,
    /// `None`: neither its `progress.csv` nor its returns were found.
    pub results: Option<PreviousPeriod>,
}

impl YearSoFar {
    /// The earlier quarters of `period`'s year when only the previous
    /// quarter's results are known (earlier ones have no data).
    pub fn from_previous(period: Period, previous: Option<&PreviousPeriod>) -> YearSoFar {
        let quarters = (1..period.quarter)
            .map(|q| {
                let p = Period { fy_start: period.fy_start, quarter: q };
                YearQuarter { period: p, results: previous.filter(|prev| prev.period == p).cloned() }
            })
            .collect();
        YearSoFar { quarters }
    }

    /// The results of one quarter, when it is in the year and has data.
    pub fn results(&self, period: Period) -> Option<&PreviousPeriod> {
        self.quarters.iter().find(|q| q.period == period).and_then(|q| q.results.as_ref())
    }
}

/// The earlier quarters of `period`'s financial year (Q1 up to the one
/// before it), each read as [`find_previous`] reads the previous quarter.
/// `previous` is what was already found for the quarter before (its
/// problems already reported), so it is neither read nor reported twice.
/// A quarter with nothing found is a warning naming it: the history shows
/// it as "no data".
pub fn find_year(
    history_dir: &Path,
    returns_label: &str,
    plan: &crate::plan::Plan,
    period: Period,
    read: &crate::returns::ReadReport,
    previous: Option<&PreviousPeriod>,
) -> (YearSoFar, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut quarters = Vec::new();
    for q in 1..period.quarter {
        let p = Period { fy_start: period.fy_start, quarter: q };
        let results = if p == period.previous() {
            previous.cloned()
        } else {
            let (found, problems) =
                find_results(history_dir, returns_label, plan, p, read, &format!("{p} shows as no data in the year's history"));
            diagnostics.extend(problems);
            found
        };
        quarters.push(YearQuarter { period: p, results });
    }
    (YearSoFar { quarters }, diagnostics)
}

/// The four quarters of a financial year, each read as [`find_results`]
/// reads one (its `progress.csv`, else its returns), for the year-end
/// review. A quarter with nothing found is a warning naming it: the review
/// shows it as "no data".
pub fn find_whole_year(
    history_dir: &Path,
    returns_label: &str,
    plan: &crate::plan::Plan,
    year: crate::plan::FinancialYear,
    read: &crate::returns::ReadReport,
) -> (YearSoFar, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let quarters = year
        .quarters()
        .into_iter()
        .map(|p| {
            let (results, problems) =
                find_results(history_dir, returns_label, plan, p, read, &format!("{p} shows as no data in the year's review"));
            diagnostics.extend(problems);
            YearQuarter { period: p, results }
        })
        .collect();
    (YearSoFar { quarters }, diagnostics)
}
