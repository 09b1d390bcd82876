//! Reading returns: every file under the returns folder, whatever the
//! agencies did to it, into typed [`Return`]s, with every data row accounted
//! for (accepted into an update, or rejected with a diagnostic) and every
//! unreadable file listed with its reason. Nothing here stops the run: one
//! bad file costs that file only.

use crate::diagnostics::{Diagnostics, Place};
use crate::plan::Period;
use crate::status::Status;
use chrono::{NaiveDate, NaiveDateTime};

/// One lead's update on one action, as read from one row of a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Canonical action ID from the plan (`DA3`).
    pub action_id: String,
    /// Never [`Status::NoReturn`]: that is assigned by merge.
    pub status: Status,
    /// 0 to 100.
    pub percent_complete: Option<u8>,
    /// Text exactly as written (line breaks and Unicode kept), trimmed.
    pub update: String,
    pub next_steps: String,
    pub issues_risks: String,
    pub revised_date: Option<NaiveDate>,
    /// Other columns the agency added: (header as written, value).
    pub notes: Vec<(String, String)>,
    /// Where the row's status was read (`returns/police.xlsx › Progress › C7`).
    pub place: Place,
    /// 0-based position of the row among the return's data rows: later rows
    /// win when one action is reported twice.
    pub row_index: usize,
}

/// One agency's return for one period, from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    /// Agency id from the plan.
    pub agency: String,
    pub period: Period,
    /// The file as named in messages (relative to the returns folder's parent).
    pub file: String,
    /// How the agency was identified, for messages.
    pub identified_by: Identification,
    /// Submission time from the form's metadata, when present.
    pub submitted: Option<NaiveDateTime>,
    /// File modification time (seconds since the Unix epoch), when known.
    pub modified: Option<i64>,
    /// Position of the file in the sorted listing: the last tie-breaker.
    pub file_order: usize,
    pub updates: Vec<Update>,
}

/// How a return's agency (and period) were worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identification {
    /// The form's hidden metadata sheet.
    Metadata,
    /// An `Agency:` label cell.
    Label,
    /// The file name.
    FileName,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// Read; its rows are counted in the account.
    Read,
    /// Deliberately not read (an Office lock file, a hidden file): a note.
    Skipped { reason: String },
    /// Could not be read at all (corrupt, encrypted, refused by a limit, not
    /// identified): an error diagnostic says why.
    Unreadable { reason: String },
}

/// The row account of one file: rows read = accepted + rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAccount {
    pub file: String,
    pub outcome: FileOutcome,
    /// Non-empty data rows found.
    pub rows_read: usize,
    /// Rows that became an [`Update`].
    pub rows_accepted: usize,
    /// Rows rejected, each with an error diagnostic.
    pub rows_rejected: usize,
}

/// Everything read from a returns folder.
#[derive(Debug, Clone, Default)]
pub struct ReadReport {
    /// Returns in file order.
    pub returns: Vec<Return>,
    /// One account per file seen, in file order.
    pub accounts: Vec<FileAccount>,
    pub diagnostics: Diagnostics,
}

impl ReadReport {
    /// Totals over all files: (read, accepted, rejected).
    pub fn totals(&self) -> (usize, usize, usize) {
        self.accounts.iter().fold((0, 0, 0), |(r, a, j), f| (r + f.rows_read, a + f.rows_accepted, j + f.rows_rejected))
    }
}

/// How to read a returns folder.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The period to assume for returns that name none (`--period`).
    pub period: Option<Period>,
    /// Bounds on what one file may cost to read.
    pub limits: crate::config::Limits,
}

/// Reads every return under `dir` (recursively). File names in messages are
/// shown relative to `dir`'s parent (`returns/police.xlsx`).
pub fn read_returns(dir: &std::path::Path, plan: &crate::plan::Plan, options: &ReadOptions) -> ReadReport {
    // Placeholder until the reader lands (issue 3): reads nothing.
    let _ = (dir, plan, options);
    ReadReport::default()
}
