//! `Progress`: the merged view of one reporting period, the one input of every
//! renderer. It owns every figure and every decision the reports show (overall
//! statuses, overdue, trend, counts, exceptions), already ordered for display:
//! groups in plan order, actions in plan order, exceptions by severity.
//! Renderers lay it out; they never compute. [`crate::merge`] builds it.

use crate::diagnostics::{Diagnostic, Place};
use crate::plan::{GlossaryEntry, Partnership, Period};
use crate::status::Status;
use chrono::NaiveDate;

/// The quarter's progress, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub partnership: Partnership,
    pub period: Period,
    /// The period trend is measured against, when there was history for it.
    pub previous_period: Option<Period>,
    /// Where the previous period's results came from, in words, for the
    /// report's notes ("output/2018-19-Q2/progress.csv", "returns for 2018-19 Q2").
    pub history_source: Option<String>,
    /// The date the reports say they were produced.
    pub produced: NaiveDate,
    /// Plan version (hash) the returns were merged against.
    pub plan_hash: String,
    /// Counts over every action of the plan.
    pub totals: Counts,
    pub groups: Vec<GroupProgress>,
    pub priorities: Vec<PriorityProgress>,
    /// Every lead agency, in plan order.
    pub agencies: Vec<AgencyProgress>,
    /// What the board must look at, in order (see [`ExceptionKind`]).
    pub exceptions: Vec<Exception>,
    /// Every problem found on the way, sorted by file then place.
    pub diagnostics: Vec<Diagnostic>,
    /// Diagnostic counts for the report's summary.
    pub diagnostic_counts: DiagnosticCounts,
    pub glossary: Vec<GlossaryEntry>,
}

/// Counts of actions by overall status, and the headline figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Number of actions.
    pub actions: usize,
    pub complete: usize,
    pub green: usize,
    pub amber: usize,
    pub red: usize,
    pub not_started: usize,
    pub no_return: usize,
    /// Actions that are overdue.
    pub overdue: usize,
    /// Whole-number percentage of actions green or complete (0 when no actions).
    pub on_track_or_complete_percent: u32,
}

impl Counts {
    /// The count for one status.
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Complete => self.complete,
            Status::Green => self.green,
            Status::Amber => self.amber,
            Status::Red => self.red,
            Status::NotStarted => self.not_started,
            Status::NoReturn => self.no_return,
        }
    }
}

/// Counts of diagnostics by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiagnosticCounts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Rows read, accepted and rejected over all returns of the period.
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    /// Rows that were the agencies' notes below their tables (read =
    /// accepted + rejected + notes).
    pub rows_notes: usize,
    /// Files that could not be read at all.
    pub files_unreadable: usize,
}

/// One action group's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupProgress {
    pub id: String,
    pub name: String,
    /// Its "Priorities:" tags, as names.
    pub tags: Vec<String>,
    /// Ids of the strategic priorities it reports under.
    pub priority_ids: Vec<String>,
    pub actions: Vec<ActionProgress>,
    pub counts: Counts,
}

/// One strategic priority's progress, across every group tagged with it.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityProgress {
    pub id: String,
    pub name: String,
    pub evidence: Vec<String>,
    pub aims: Vec<String>,
    pub current_work: Vec<String>,
    pub planned_activity: Vec<String>,
    /// Ids of the groups reporting under it, in plan order.
    pub group_ids: Vec<String>,
    /// Ids of every action of those groups, in plan order.
    pub action_ids: Vec<String>,
    pub counts: Counts,
}

/// One action's progress for the period.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionProgress {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub text: String,
    /// As the plan writes it ("March 2019", "Ongoing").
    pub timescale: String,
    pub due_date: Option<NaiveDate>,
    pub new: bool,
    /// One entry per lead, in the plan's order; `no_return` where a lead did not report.
    pub leads: Vec<LeadUpdate>,
    /// Updates from agencies that do not lead the action (accepted with a warning).
    pub contributions: Vec<LeadUpdate>,
    /// The rule in docs/rules.md, "The overall status of an action".
    pub overall: Status,
    pub overdue: bool,
    /// The latest revised date a lead gave that is later than the plan's
    /// timescale (a slippage).
    pub slipped_to: Option<NaiveDate>,
    /// Leads disagree by more than one step.
    pub conflict: bool,
    /// Not started although its time has passed (or NEW and due next quarter).
    pub not_started_late: bool,
    /// Direction of travel against the previous period; `None` without history.
    pub trend: Option<Trend>,
    /// Overall status last period, when known.
    pub previous_overall: Option<Status>,
}

/// One lead's (or contributor's) update on an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadUpdate {
    pub agency_id: String,
    pub agency_name: String,
    pub status: Status,
    pub percent_complete: Option<u8>,
    pub update: String,
    pub next_steps: String,
    pub issues_risks: String,
    pub revised_date: Option<NaiveDate>,
    /// Extra columns the agency added: (header, value).
    pub notes: Vec<(String, String)>,
    /// The update text is identical to last quarter's ("no change reported").
    pub stale: bool,
    /// Where it came from; `None` for `no_return`.
    pub source: Option<Place>,
}

/// Direction of travel of an action's overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trend {
    Improved,
    Same,
    Worse,
    /// No result last period to compare with (first report on it).
    New,
}

impl Trend {
    /// Token used in CSV and history.
    pub fn token(self) -> &'static str {
        match self {
            Trend::Improved => "improved",
            Trend::Same => "same",
            Trend::Worse => "worse",
            Trend::New => "new",
        }
    }

    pub fn from_token(token: &str) -> Option<Trend> {
        [Trend::Improved, Trend::Same, Trend::Worse, Trend::New].into_iter().find(|t| t.token() == token)
    }

    /// Words for readers.
    pub fn label(self) -> &'static str {
        match self {
            Trend::Improved => "Improved",
            Trend::Same => "No change",
            Trend::Worse => "Worse",
            Trend::New => "New",
        }
    }

    /// Arrow for tables (always shown beside the words).
    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Improved => "▲",
            Trend::Same => "▶",
            Trend::Worse => "▼",
            Trend::New => "●",
        }
    }
}

/// Why the board must look at something, in the order the board sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExceptionKind {
    Red,
    Overdue,
    Conflict,
    NotStartedLate,
    Worsened,
    MissingReturn,
}

impl ExceptionKind {
    /// Heading words: "Red", "Overdue", "Leads disagree", …
    pub fn label(self) -> &'static str {
        match self {
            ExceptionKind::Red => "Red",
            ExceptionKind::Overdue => "Overdue",
            ExceptionKind::Conflict => "Leads disagree",
            ExceptionKind::NotStartedLate => "Not started past its time",
            ExceptionKind::Worsened => "Worsened to amber",
            ExceptionKind::MissingReturn => "Missing return",
        }
    }

    pub fn token(self) -> &'static str {
        match self {
            ExceptionKind::Red => "red",
            ExceptionKind::Overdue => "overdue",
            ExceptionKind::Conflict => "conflict",
            ExceptionKind::NotStartedLate => "not_started_late",
            ExceptionKind::Worsened => "worsened",
            ExceptionKind::MissingReturn => "missing_return",
        }
    }
}

/// One item for the board's attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub kind: ExceptionKind,
    /// The action concerned; `None` for a missing return of a whole agency.
    pub action_id: Option<String>,
    /// The action's text, or for a missing return the agency's name.
    pub subject: String,
    pub group_name: Option<String>,
    /// Names of the leads concerned.
    pub leads: Vec<String>,
    /// Why it is an exception, in a sentence ("Red: reported red by Police").
    pub reason: String,
    /// The leads' own words on it: (lead name, text), from update and risks.
    pub words: Vec<(String, String)>,
    /// Where the words came from, so every exception traces to a cell.
    pub sources: Vec<Place>,
}

/// One lead agency's returns for the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyProgress {
    pub id: String,
    pub name: String,
    /// Ids of the actions it leads, in plan order.
    pub actions_led: Vec<String>,
    /// Ids of the actions it led and reported on.
    pub actions_returned: Vec<String>,
    /// Ids of the actions it leads but did not report on.
    pub actions_missing: Vec<String>,
    /// A return from this agency arrived for the period.
    pub returned: bool,
    /// The files its return(s) came from.
    pub files: Vec<String>,
    /// The latest period before this one it returned for, if known from history.
    pub last_return: Option<Period>,
}
