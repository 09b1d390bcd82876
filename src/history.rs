//! History: what earlier periods' results were, read back from the
//! `progress.csv` each build writes, so merge can show trend and spot stale
//! updates, and forms can pre-fill last quarter's status. Reading history is
//! forgiving: a missing or damaged file is a warning and no trend.

use crate::plan::Period;
use crate::status::Status;
use std::collections::BTreeMap;

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
    pub history: History,
}
