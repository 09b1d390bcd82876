//! `Progress`: the merged view of one reporting period, the one input of every
//! renderer. It owns every figure and every decision the reports show (overall
//! statuses, overdue, trend, counts, exceptions), already ordered for display:
//! groups in plan order, actions in plan order, exceptions by severity.
//! Renderers lay it out; they never compute. [`crate::merge`] builds it.

use crate::diagnostics::{Diagnostic, Place};
use crate::plan::{GlossaryEntry, Partnership, Period};
// The reader's own types for what a return says about a row or itself.
pub use crate::returns::{RejectedRow, Rejection, ReturnNote};
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
    /// What the board must look at: one entry per action (or per agency
    /// with no return), with all its reasons, most serious first.
    pub exceptions: Vec<Exception>,
    /// The exceptions counted: actions and agencies, and reasons by kind.
    pub exception_counts: ExceptionCounts,
    /// The date returns were due, and whether it had passed when the
    /// reports were produced.
    pub deadline: NaiveDate,
    pub deadline_passed: bool,
    /// Every problem found on the way, sorted by file then place.
    pub diagnostics: Vec<Diagnostic>,
    /// Diagnostic counts for the report's summary.
    pub diagnostic_counts: DiagnosticCounts,
    pub glossary: Vec<GlossaryEntry>,
    /// The financial year so far, from Q1 to this period: where each
    /// quarter's results came from. The statuses are on each action
    /// ([`ActionProgress::history`]), in the same order.
    pub year: Vec<QuarterSource>,
    /// The plan's changes that take effect this quarter: actions added, and
    /// actions withdrawn, closed or merged, in plan order. Those leaving are
    /// not among `groups`' actions, nor counted anywhere.
    pub plan_changes: Vec<PlanChangeEntry>,
}

/// One quarter of the year's history and where its results came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterSource {
    pub period: Period,
    /// In words ("output/2018-19-Q2/progress.csv", "returns for 2018-19 Q1
    /// in input/returns", "this quarter's returns"); `None` when nothing was
    /// found for it: the quarter has no data.
    pub source: Option<String>,
}

/// One change to the plan, for the reports' short list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanChangeEntry {
    pub action_id: String,
    pub text: String,
    pub group_name: String,
    pub kind: PlanChangeKind,
    /// The reason the plan gives; may be empty.
    pub reason: String,
}

/// What happened to an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanChangeKind {
    Added,
    Withdrawn,
    Closed,
    /// Merged into the action with this ID.
    MergedInto(String),
}

/// Counts of actions by overall status, and the headline figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Number of actions.
    pub actions: usize,
    /// Actions by overall status, indexed by [`Status::index`]: a new status
    /// gets its own count without touching the others.
    pub by_status: [usize; Status::COUNT],
    /// Actions that are overdue.
    pub overdue: usize,
    /// Whole-number percentage of actions green or complete (0 when no actions).
    pub on_track_or_complete_percent: u32,
}

impl Counts {
    /// The count for one status.
    pub fn of(&self, status: Status) -> usize {
        self.by_status[status.index()]
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
    /// Its statuses quarter by quarter over the financial year so far.
    pub history: ActionHistory,
}

/// An action's (or a lead's) state in one quarter of the financial year, as
/// the history shows it. "No return" is a status the lead was given; "not
/// in the plan" and "no data" are not statuses and are kept apart from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuarterState {
    /// Its status that quarter: reported, rejected, or no return.
    Status(Status),
    /// The action was not in the plan that quarter (or the agency did not
    /// lead it then): see `merge::in_plan_then`.
    NotInPlan,
    /// Nothing is known of the quarter: neither its results nor its returns
    /// were found. Never filled in from the quarters either side.
    NoData,
}

impl QuarterState {
    /// Token used in CSV: a status token, `not_in_plan` or `no_data`.
    pub fn token(self) -> &'static str {
        match self {
            QuarterState::Status(s) => s.token(),
            QuarterState::NotInPlan => "not_in_plan",
            QuarterState::NoData => "no_data",
        }
    }

    /// The status, when there is one.
    pub fn status(self) -> Option<Status> {
        match self {
            QuarterState::Status(s) => Some(s),
            _ => None,
        }
    }
}

/// An action's states over the financial year so far: one entry per
/// quarter from Q1 to the period reported, in order (index 0 is Q1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionHistory {
    /// Its overall status each quarter.
    pub overall: Vec<QuarterState>,
    /// Each lead's status each quarter, in the plan's order of leads.
    pub leads: Vec<LeadHistory>,
}

/// One lead's states over the financial year so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadHistory {
    pub agency_id: String,
    pub agency_name: String,
    /// One per quarter, as [`ActionHistory::overall`].
    pub states: Vec<QuarterState>,
}

/// One lead's (or contributor's) update on an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadUpdate {
    pub agency_id: String,
    pub agency_name: String,
    /// Whether the lead reported, and what became of it.
    pub state: UpdateState,
    pub percent_complete: Option<u8>,
    pub update: String,
    pub next_steps: String,
    pub issues_risks: String,
    pub revised_date: Option<NaiveDate>,
    /// Extra columns the agency added: (header, value).
    pub notes: Vec<(String, String)>,
    /// The update text is identical to last quarter's ("no change reported").
    pub stale: bool,
    /// Where it came from: the row read, or the row rejected; `None` when
    /// the agency sent nothing on it.
    pub source: Option<Place>,
}

impl LeadUpdate {
    /// The status the reports show for this lead: what it reported, or
    /// [`Status::Rejected`] / [`Status::NoReturn`] when it has none.
    pub fn status(&self) -> Status {
        match &self.state {
            UpdateState::Reported(status) => *status,
            UpdateState::Rejected(_) => Status::Rejected,
            UpdateState::NotInReturn | UpdateState::NoReturn => Status::NoReturn,
        }
    }
}

/// A lead's reported details after its status, % complete and progress
/// update, in the order every output shows them. This list is the one
/// place the PDFs, the HTML and the workbook take a lead's further columns
/// from: a new lead-level column is a variant here (the compiler then asks
/// for its words, its token and its value), a field on [`LeadUpdate`] and
/// the reader's column for it, and a `progress.csv` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadDetail {
    NextSteps,
    IssuesRisks,
    RevisedDate,
}

/// A detail's value: text as the lead wrote it, or a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailValue {
    Text(String),
    Date(NaiveDate),
}

impl LeadDetail {
    pub const ALL: [LeadDetail; 3] = [LeadDetail::NextSteps, LeadDetail::IssuesRisks, LeadDetail::RevisedDate];

    /// Token for CSS classes and data.
    pub fn token(self) -> &'static str {
        match self {
            LeadDetail::NextSteps => "next_steps",
            LeadDetail::IssuesRisks => "issues_risks",
            LeadDetail::RevisedDate => "revised_date",
        }
    }

    /// The lead's value, when it gave one.
    pub fn value(self, lead: &LeadUpdate) -> Option<DetailValue> {
        let text = |t: &str| (!t.is_empty()).then(|| DetailValue::Text(t.to_string()));
        match self {
            LeadDetail::NextSteps => text(&lead.next_steps),
            LeadDetail::IssuesRisks => text(&lead.issues_risks),
            LeadDetail::RevisedDate => lead.revised_date.map(DetailValue::Date),
        }
    }
}

/// What became of one lead's update on one action this period (the rule is
/// in docs/rules.md, "Each lead's update").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateState {
    /// The lead reported, with this status.
    Reported(Status),
    /// The lead's row was read but could not be used: the agency did report.
    Rejected(Rejection),
    /// The agency's return arrived, without a row for this action.
    NotInReturn,
    /// No return from the agency this period.
    NoReturn,
}

impl UpdateState {
    /// Token used in CSV (`update_state`) and for templates: `reported`,
    /// `rejected`, `not_in_return` or `no_return`.
    pub fn token(&self) -> &'static str {
        match self {
            UpdateState::Reported(_) => "reported",
            UpdateState::Rejected(_) => "rejected",
            UpdateState::NotInReturn => "not_in_return",
            UpdateState::NoReturn => "no_return",
        }
    }
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
}

/// Why the board must look at something, in the order the board sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExceptionKind {
    Red,
    Overdue,
    Conflict,
    NotStartedLate,
    /// Amber or red for several quarters running.
    Persistent,
    Worsened,
    /// A lead's row on the action was rejected: it reported, unreadably.
    Rejected,
    /// A lead's return arrived without a row on the action.
    NotReported,
    /// An agency sent no return at all.
    MissingReturn,
}

impl ExceptionKind {
    /// Every kind, in the order the board sees them.
    pub const ALL: [ExceptionKind; 9] = [
        ExceptionKind::Red,
        ExceptionKind::Overdue,
        ExceptionKind::Conflict,
        ExceptionKind::NotStartedLate,
        ExceptionKind::Persistent,
        ExceptionKind::Worsened,
        ExceptionKind::Rejected,
        ExceptionKind::NotReported,
        ExceptionKind::MissingReturn,
    ];

    pub fn token(self) -> &'static str {
        match self {
            ExceptionKind::Red => "red",
            ExceptionKind::Overdue => "overdue",
            ExceptionKind::Conflict => "conflict",
            ExceptionKind::NotStartedLate => "not_started_late",
            ExceptionKind::Persistent => "persistent",
            ExceptionKind::Worsened => "worsened",
            ExceptionKind::Rejected => "rejected",
            ExceptionKind::NotReported => "not_reported",
            ExceptionKind::MissingReturn => "missing_return",
        }
    }
}

/// One reason an action (or agency) needs the board's attention, with the
/// facts its sentence is made from; the sentence itself is a template's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Overall red; `by` are the leads that reported red.
    Red { by: Vec<String> },
    /// Not complete and past its date. `passed_revised` is a lead's revised
    /// date that has passed although the plan's has not; `slipped` the latest
    /// revised date beyond the plan's; each with the leads that gave it.
    Overdue {
        due: Option<NaiveDate>,
        timescale: String,
        due_passed: bool,
        passed_revised: Option<(NaiveDate, Vec<String>)>,
        slipped: Option<(NaiveDate, Vec<String>)>,
        overall: Status,
    },
    /// Leads two steps apart: what each said, and the overall status.
    Conflict { said: Vec<(String, Status)>, overall: Status },
    /// Not started although due (`due_passed`), or NEW and due next quarter.
    NotStartedLate { due: Option<NaiveDate>, timescale: String, due_passed: bool },
    /// Amber or red this quarter and for the quarters before it, `quarters`
    /// in all since `since` (docs/rules.md, "Persistent"). `status` is the
    /// one status it had throughout, when it had only one.
    Persistent { status: Option<Status>, quarters: usize, since: Period },
    /// Worse than last quarter and now amber.
    Worsened { from: Option<Status>, previous: Option<Period>, by: Vec<String> },
    /// A lead's row was rejected.
    Rejected { lead: String, rejection: Rejection },
    /// A lead's return arrived without a row on the action.
    NotReported { lead: String },
    /// The agency sent no return; it leads these actions.
    MissingReturn { agency: String, actions_led: Vec<String> },
}

impl Reason {
    pub fn kind(&self) -> ExceptionKind {
        match self {
            Reason::Red { .. } => ExceptionKind::Red,
            Reason::Overdue { .. } => ExceptionKind::Overdue,
            Reason::Conflict { .. } => ExceptionKind::Conflict,
            Reason::NotStartedLate { .. } => ExceptionKind::NotStartedLate,
            Reason::Persistent { .. } => ExceptionKind::Persistent,
            Reason::Worsened { .. } => ExceptionKind::Worsened,
            Reason::Rejected { .. } => ExceptionKind::Rejected,
            Reason::NotReported { .. } => ExceptionKind::NotReported,
            Reason::MissingReturn { .. } => ExceptionKind::MissingReturn,
        }
    }
}

/// What an exception is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Action {
        id: String,
        text: String,
        group_name: String,
    },
    /// An agency with no return.
    Agency {
        id: String,
        name: String,
    },
}

/// One item for the board's attention: one action with every reason it
/// needs attention, or one agency that sent no return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub subject: Subject,
    /// Most serious first (the order of [`ExceptionKind`]); never empty.
    pub reasons: Vec<Reason>,
    /// Names of the leads concerned.
    pub leads: Vec<String>,
    /// The leads' own words on it, from those concerned.
    pub words: Vec<LeadWords>,
    /// Where the words came from, so every exception traces to a cell.
    pub sources: Vec<Place>,
}

impl Exception {
    /// The most serious reason's kind: what the exception is listed under.
    pub fn kind(&self) -> ExceptionKind {
        self.reasons.first().map_or(ExceptionKind::MissingReturn, Reason::kind)
    }

    /// Whether the board is asked to act on it, not only to note it: an
    /// action reported red needs the board's help to recover, and leads who
    /// disagree by two steps need the board to settle which is right
    /// (docs/rules.md, "What the board is asked to do").
    pub fn asks_board(&self) -> bool {
        self.reasons.iter().any(|r| matches!(r.kind(), ExceptionKind::Red | ExceptionKind::Conflict))
    }

    /// The action's id, for an exception about an action.
    pub fn action_id(&self) -> Option<&str> {
        match &self.subject {
            Subject::Action { id, .. } => Some(id),
            Subject::Agency { .. } => None,
        }
    }
}

/// One lead's words on an exception: its progress update and its issues
/// and risks, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadWords {
    pub lead: String,
    pub update: String,
    pub issues_risks: String,
}

/// The exceptions counted. Actions and agencies are what the board is asked
/// to look at; reasons are counted too, since one action may have several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExceptionCounts {
    /// Actions with at least one reason.
    pub actions: usize,
    /// Agencies with no return.
    pub agencies: usize,
    /// Reasons by kind, indexed as [`ExceptionKind::ALL`] (an action counts
    /// once under each of its reasons).
    pub by_kind: [usize; ExceptionKind::ALL.len()],
}

impl ExceptionCounts {
    pub fn of(&self, kind: ExceptionKind) -> usize {
        self.by_kind[kind as usize]
    }
}

/// Whether an agency's return arrived, decided once for every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnState {
    /// A return arrived with a usable row on every action the agency leads.
    Complete,
    /// A return arrived, but some actions it leads have no usable row
    /// (left out, or rejected).
    Incomplete,
    /// No return arrived.
    Missing,
}

impl ReturnState {
    pub const ALL: [ReturnState; 3] = [ReturnState::Complete, ReturnState::Incomplete, ReturnState::Missing];

    pub fn token(self) -> &'static str {
        match self {
            ReturnState::Complete => "complete",
            ReturnState::Incomplete => "incomplete",
            ReturnState::Missing => "missing",
        }
    }

    /// A return arrived, complete or not.
    pub fn arrived(self) -> bool {
        self != ReturnState::Missing
    }
}

/// One lead agency's returns for the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyProgress {
    pub id: String,
    pub name: String,
    /// Ids of the actions it leads, in plan order.
    pub actions_led: Vec<String>,
    /// Ids of the actions it led and reported on (a usable row).
    pub actions_returned: Vec<String>,
    /// Ids of the actions it leads that its return has no row on (every
    /// action it leads, when no return arrived).
    pub actions_missing: Vec<String>,
    /// Every row of its return that was rejected (on an action it may not
    /// lead, or with no usable action ID), with why, in sheet order.
    pub actions_rejected: Vec<RejectedRow>,
    /// Whether its return arrived, and whole.
    pub state: ReturnState,
    /// The files its return(s) came from.
    pub files: Vec<String>,
    /// The latest period it returned for: this one when a return arrived,
    /// else the latest before it known from history or earlier returns.
    pub last_return: Option<Period>,
    /// A reminder is due: its return is missing or incomplete. What the
    /// reminder asks for is `actions_missing` and `actions_rejected`.
    pub reminder_due: bool,
    /// What it wrote below its return's table.
    pub notes: Vec<ReturnNote>,
}
