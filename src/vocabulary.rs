//! The one vocabulary: every word or short phrase a reader sees for a state
//! the merge decided — statuses, a lead's update state, an agency's return
//! state, trend, exception kinds, "no earlier quarter" — worded here once.
//! Every renderer takes its words from this table: the PDF and the workbook
//! call these functions, and the templates get the same words in their data
//! (`label` fields, and `words` for the phrases; see
//! [`crate::render::context`]). Sentences are not here: they are templates'.
//! The period is written by [`crate::plan::Period`]'s `Display` (`2018-19
//! Q3`) and `long_name`, and nowhere else.

use crate::progress::{DetailValue, ExceptionKind, LeadDetail, QuarterState, ReturnState, Trend, UpdateState};
use crate::status::Status;
use serde_json::{json, Value};

/// What to call the comparison with last quarter, in headings and keys.
pub const TREND: &str = "Trend";

/// Shown where an action has no earlier quarter to compare with.
pub const NO_EARLIER_QUARTER: &str = "No earlier quarter";

/// Shown for a lead's update that is word for word last quarter's.
pub const STALE: &str = "Same words as last quarter (no change reported)";

/// Shown for a lead that reported but gave no progress update.
pub const NO_UPDATE_GIVEN: &str = "No progress update given";

/// Before the latest revised date of an action that has slipped.
pub const REVISED_TO: &str = "Revised to";

/// Shown for a lead that sent no return this quarter.
pub const NO_RETURN_THIS_QUARTER: &str = "No return received this quarter.";

/// Marks an action the plan marks NEW, and what that means.
pub const NEW_ACTION: &str = "NEW";
pub const NEW_ACTION_MEANING: &str = "an action added to the plan this year";

/// After the action heading a split row repeats on the next page.
pub const CONTINUED: &str = "continued";

/// Beside an agency that reported on an action it does not lead.
pub const CONTRIBUTING: &str = "Contributing, not a lead";

/// Before an action's timescale ("Timescale: March 2019").
pub const TIMESCALE: &str = "Timescale";

/// Shown for a quarter of the year nothing is known of.
pub const NO_DATA: &str = "No data";

/// Shown for a quarter before an action was in the plan.
pub const NOT_IN_PLAN: &str = "Not in the plan";

/// What to call an action's statuses quarter by quarter, in headings.
pub const HISTORY: &str = "The year so far";

/// A count with its noun: "1 error", "4 errors".
pub fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Alternatives in words: `A`, `A or B`, `A, B or C`.
pub fn either(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => only.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// "1 action", "27 actions".
pub fn actions(count: usize) -> String {
    counted(count, "action", "actions")
}

impl Status {
    /// The word readers see: `Not started`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Complete => "Complete",
            Status::Green => "Green",
            Status::Amber => "Amber",
            Status::Red => "Red",
            Status::NotStarted => "Not started",
            Status::Rejected => "Rejected",
            Status::NoReturn => "No return",
        }
    }

    /// What the status means, for keys and legends: a phrase that follows
    /// the label after a dash or a colon.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Complete => "delivered what it promised",
            Status::Green => "on track to meet its timescale",
            Status::Amber => "at risk of slipping; recoverable with action in hand",
            Status::Red => "will not meet its timescale without intervention",
            Status::NotStarted => "work has not begun",
            Status::Rejected => "the lead reported, but its status could not be read; a correction has been asked for",
            Status::NoReturn => "the lead has not reported on it this quarter",
        }
    }
}

impl UpdateState {
    /// The state of one lead's update, in words: its status, or why it has none.
    pub fn label(&self) -> &'static str {
        match self {
            UpdateState::Reported(status) => status.label(),
            UpdateState::Rejected(_) => Status::Rejected.label(),
            UpdateState::NotInReturn => "Not in return",
            UpdateState::NoReturn => Status::NoReturn.label(),
        }
    }
}

impl QuarterState {
    /// The words readers see for one quarter: a status, "No data" or "Not in the plan".
    pub fn label(self) -> &'static str {
        match self {
            QuarterState::Status(s) => s.label(),
            QuarterState::NotInPlan => NOT_IN_PLAN,
            QuarterState::NoData => NO_DATA,
        }
    }

    /// A short form for a strip of quarters, never a colour alone: "G",
    /// "A", "R", "C", "NS", "Rej", "NR" (no return), "–" (not in the plan),
    /// "?" (no data). Each is explained in the strip's key.
    pub fn abbreviation(self) -> &'static str {
        match self {
            QuarterState::Status(Status::Complete) => "C",
            QuarterState::Status(Status::Green) => "G",
            QuarterState::Status(Status::Amber) => "A",
            QuarterState::Status(Status::Red) => "R",
            QuarterState::Status(Status::NotStarted) => "NS",
            QuarterState::Status(Status::Rejected) => "Rej",
            QuarterState::Status(Status::NoReturn) => "NR",
            QuarterState::NotInPlan => "–",
            QuarterState::NoData => "?",
        }
    }

    /// Fill colour (RGB hex): the status's, white for no data or not in the plan.
    pub fn colour(self) -> &'static str {
        match self {
            QuarterState::Status(s) => s.colour(),
            QuarterState::NotInPlan | QuarterState::NoData => "FFFFFF",
        }
    }

    /// Every state a strip can show, in key order.
    pub const KEY: [QuarterState; 9] = [
        QuarterState::Status(Status::Complete),
        QuarterState::Status(Status::Green),
        QuarterState::Status(Status::Amber),
        QuarterState::Status(Status::Red),
        QuarterState::Status(Status::NotStarted),
        QuarterState::Status(Status::Rejected),
        QuarterState::Status(Status::NoReturn),
        QuarterState::NotInPlan,
        QuarterState::NoData,
    ];
}

impl ReturnState {
    /// An agency's return this quarter, in words.
    pub fn label(self) -> &'static str {
        match self {
            ReturnState::Complete => "Returned",
            ReturnState::Incomplete => "Returned, incomplete",
            ReturnState::Missing => "No return",
        }
    }

    /// Its colour (RGB hex) where shown in a cell, always beside the label.
    pub fn colour(self) -> &'static str {
        match self {
            ReturnState::Complete => Status::Green.colour(),
            ReturnState::Incomplete => Status::Amber.colour(),
            ReturnState::Missing => Status::Red.colour(),
        }
    }
}

impl Trend {
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
    pub(crate) fn arrow(self) -> &'static str {
        match self {
            Trend::Improved => "▲",
            Trend::Same => "▶",
            Trend::Worse => "▼",
            Trend::New => "●",
        }
    }
}

impl LeadDetail {
    /// Its heading: "Next steps".
    pub fn label(self) -> &'static str {
        match self {
            LeadDetail::NextSteps => "Next steps",
            LeadDetail::IssuesRisks => "Issues and risks",
            LeadDetail::RevisedDate => "Revised date",
        }
    }
}

impl DetailValue {
    /// As text: dates as the UK writes them (31 March 2019).
    pub fn words(&self) -> String {
        match self {
            DetailValue::Text(text) => text.clone(),
            DetailValue::Date(date) => crate::templates::uk_date(*date),
        }
    }
}

/// A trend as a table shows it: "▼ Worse", or [`NO_EARLIER_QUARTER`].
pub(crate) fn trend_words(trend: Option<Trend>) -> String {
    match trend {
        Some(trend) => format!("{} {}", trend.arrow(), trend.label()),
        None => NO_EARLIER_QUARTER.to_string(),
    }
}

impl ExceptionKind {
    /// Heading words: "Red", "Overdue", "Leads disagree", …
    pub fn label(self) -> &'static str {
        match self {
            ExceptionKind::Red => "Red",
            ExceptionKind::Overdue => "Overdue",
            ExceptionKind::Conflict => "Leads disagree",
            ExceptionKind::NotStartedLate => "Not started past its time",
            ExceptionKind::Persistent => "Persistent",
            ExceptionKind::Worsened => "Worsened to amber",
            ExceptionKind::Rejected => "Update rejected",
            ExceptionKind::NotReported => "Left out of a return",
            ExceptionKind::MissingReturn => "No return",
        }
    }

    /// The phrase after a count in prose: "2 red", "4 overdue", "1 not
    /// started past its time".
    pub fn counted(self, count: usize) -> &'static str {
        match self {
            ExceptionKind::NotStartedLate if count == 1 => "not started past its time",
            ExceptionKind::Red => "red",
            ExceptionKind::Overdue => "overdue",
            ExceptionKind::Conflict => "with leads who disagree",
            ExceptionKind::NotStartedLate => "not started past their time",
            ExceptionKind::Persistent => "amber or red for several quarters running",
            ExceptionKind::Worsened => "worsened to amber",
            ExceptionKind::Rejected => "with an update that could not be read",
            ExceptionKind::NotReported => "left out of a lead's return",
            ExceptionKind::MissingReturn => "with no return from a lead",
        }
    }
}

/// The phrases above for templates, as `words` in their data.
pub fn words() -> Value {
    json!({
        "trend": TREND,
        "no_earlier_quarter": NO_EARLIER_QUARTER,
        "no_return_this_quarter": NO_RETURN_THIS_QUARTER,
        "stale": STALE,
        "no_update_given": NO_UPDATE_GIVEN,
        "revised_to": REVISED_TO,
        "new_action": NEW_ACTION,
        "new_action_meaning": NEW_ACTION_MEANING,
        "contributing": CONTRIBUTING,
        "history": HISTORY,
        "overdue": ExceptionKind::Overdue.label(),
        "conflict": ExceptionKind::Conflict.label(),
        "not_started_late": ExceptionKind::NotStartedLate.label(),
    })
}

/// What happened to an action that joined or left the plan, as the reports
/// word it: "Added", "Withdrawn", "Completed and closed", "Merged into CS2".
pub fn plan_change_words(kind: &crate::progress::PlanChangeKind) -> String {
    use crate::progress::PlanChangeKind;
    match kind {
        PlanChangeKind::Added => "Added to the plan".to_string(),
        PlanChangeKind::Withdrawn => "Withdrawn".to_string(),
        PlanChangeKind::Closed => "Completed and closed".to_string(),
        PlanChangeKind::MergedInto(id) => format!("Merged into {id}"),
    }
}
