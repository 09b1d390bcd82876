//! Reading returns: every file under the returns folder, whatever the
//! agencies did to it, into typed [`Return`]s, with every data row accounted
//! for (accepted into an update, or rejected with a diagnostic) and every
//! unreadable file listed with its reason. Nothing here stops the run: one
//! bad file costs that file only.

//!
//! The stages, one module each: [`files`] lists the folder; [`guard`] picks
//! the reader by content and refuses what would cost too much to read;
//! [`sheet`] and [`csv`] turn a file into grids of typed cells; [`table`]
//! finds the header row and reads the rows; [`isolate`] runs the
//! spreadsheet reader in a memory-limited child process; [`identify`] works
//! out the agency and period; [`normalise`] reads what people type. A reader
//! that panics on a file is contained to that file (`contain`).

mod contain;
pub mod csv;
pub mod files;
pub mod guard;
pub mod identify;
pub mod isolate;
pub mod normalise;
pub mod sheet;
pub mod table;

use crate::diagnostics::{Diagnostic, Diagnostics, Place};
use crate::plan::Period;
use crate::status::Status;
use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;
use std::io::Read;

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
    /// Rows that were read but could not be used, each with its reason.
    pub rejected: Vec<RejectedRow>,
    /// Text the agency wrote below its table ("Completed by: …",
    /// "Figures for December are provisional"): its notes on the return.
    pub notes: Vec<ReturnNote>,
}

/// A data row that was read but not used: its action (when the ID could be
/// read) and the error that rejected it. Merge shows it as the lead's update
/// state, so an agency that reported is never shown as silent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The plan's action ID, when the row's ID was usable.
    pub action_id: Option<String>,
    /// The error diagnostic that rejected it (code, place, message, hint).
    pub reason: Diagnostic,
    /// 0-based position among the return's data rows.
    pub row_index: usize,
}

/// A line of text below a return's table, with no action ID or status: the
/// agency's note on its return, kept and shown beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnNote {
    pub text: String,
    pub place: Place,
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
    /// Rows of text below the table that are the agency's notes on its
    /// return, not data (counted apart: read = accepted + rejected + notes).
    pub rows_notes: usize,
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
/// shown relative to `dir`'s parent (`returns/police.xlsx`). Files are read
/// in parallel; the report lists them in sorted file order whatever order
/// they finished in.
pub fn read_returns(dir: &std::path::Path, plan: &crate::plan::Plan, options: &ReadOptions) -> ReadReport {
    read_returns_with(dir, plan, options, &())
}

/// Told how reading a folder goes, for a progress bar (see
/// `ui::ReadProgressBar`). Called from the reading threads; every method
/// does nothing by default, and `()` is the silent observer.
pub trait ReadProgress: Sync {
    /// Reading is about to start on `files` files.
    fn start(&self, _files: usize) {}
    /// One file is done with, whatever became of it.
    fn file_done(&self, _file: &str) {}
    /// Every file is done with; the report is about to be returned.
    fn finish(&self) {}
}

impl ReadProgress for () {}

/// [`read_returns`], telling `progress` as each file is done.
pub fn read_returns_with(
    dir: &std::path::Path,
    plan: &crate::plan::Plan,
    options: &ReadOptions,
    progress: &dyn ReadProgress,
) -> ReadReport {
    let found = files::list(dir);
    progress.start(found.len());
    let results: Vec<FileResult> = found
        .par_iter()
        .enumerate()
        .map(|(order, file)| {
            let result = read_file(file, order, plan, options);
            progress.file_done(&file.display);
            result
        })
        .collect();
    progress.finish();
    let mut report = ReadReport::default();
    report.diagnostics.extend(weakened_warnings(&results));
    for result in results {
        report.diagnostics.extend(result.diagnostics);
        report.accounts.push(result.account);
        report.returns.extend(result.read);
    }
    report
}

/// What reading one file gave.
struct FileResult {
    account: FileAccount,
    read: Option<Return>,
    diagnostics: Vec<Diagnostic>,
    /// Read with less protection than asked for: one warning per run says so.
    weakened: Option<isolate::Weakened>,
}

impl FileResult {
    fn not_read(file: &files::FoundFile, outcome: FileOutcome, diagnostic: Diagnostic) -> FileResult {
        FileResult {
            account: FileAccount { file: file.display.clone(), outcome, rows_read: 0, rows_accepted: 0, rows_rejected: 0, rows_notes: 0 },
            read: None,
            diagnostics: vec![diagnostic],
            weakened: None,
        }
    }

    fn failed(file: &files::FoundFile, failure: guard::Failure, mut diagnostics: Vec<Diagnostic>) -> FileResult {
        let mut d = Diagnostic::error(failure.code, Place::file(&file.display), failure.message.clone());
        d.hint = failure.hint;
        diagnostics.push(d);
        FileResult {
            account: FileAccount {
                file: file.display.clone(),
                outcome: FileOutcome::Unreadable { reason: failure.message },
                rows_read: 0,
                rows_accepted: 0,
                rows_rejected: 0,
                rows_notes: 0,
            },
            read: None,
            diagnostics,
            weakened: None,
        }
    }
}

/// Reads one file; whatever happens, one file's trouble stays in its result.
fn read_file(file: &files::FoundFile, order: usize, plan: &crate::plan::Plan, options: &ReadOptions) -> FileResult {
    let place = || Place::file(&file.display);
    match &file.disposition {
        files::Disposition::Read => {}
        files::Disposition::Skip(reason) => {
            return FileResult::not_read(
                file,
                FileOutcome::Skipped { reason: reason.clone() },
                Diagnostic::note("file-skipped", place(), reason.clone()),
            );
        }
        files::Disposition::Ignore(reason) => {
            return FileResult::not_read(
                file,
                FileOutcome::Skipped { reason: reason.clone() },
                Diagnostic::note("file-ignored", place(), reason.clone()),
            );
        }
        files::Disposition::Unlistable(reason) => {
            return FileResult::failed(file, guard::Failure::unreadable(reason.clone()), Vec::new());
        }
    }
    match contain::contain(|| read_spreadsheet(file, order, plan, options)) {
        Ok(result) => result,
        Err(fault) => FileResult::failed(
            file,
            guard::Failure::unreadable(format!("the file could not be read (the reader failed on it: {fault})")),
            Vec::new(),
        ),
    }
}

fn read_spreadsheet(file: &files::FoundFile, order: usize, plan: &crate::plan::Plan, options: &ReadOptions) -> FileResult {
    let limits = &options.limits;
    let metadata = match std::fs::metadata(&file.path) {
        Ok(m) => m,
        Err(e) => return FileResult::failed(file, guard::Failure::unreadable(format!("the file cannot be opened ({e})")), Vec::new()),
    };
    let modified = metadata.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_secs() as i64);
    let too_large = |size: u64| guard::Failure {
        code: "file-too-large",
        message: format!(
            "the file is {}, over the {} limit for one return",
            guard::file_size_text(size),
            guard::file_size_text(limits.max_file_bytes)
        ),
        hint: Some("if the file is genuine, raise max_file_bytes under [limits] in csp-report.toml".into()),
    };
    if metadata.len() > limits.max_file_bytes {
        return FileResult::failed(file, too_large(metadata.len()), Vec::new());
    }
    let mut bytes = Vec::new();
    let read = std::fs::File::open(&file.path).and_then(|f| f.take(limits.max_file_bytes.saturating_add(1)).read_to_end(&mut bytes));
    if let Err(e) = read {
        return FileResult::failed(file, guard::Failure::unreadable(format!("the file cannot be read ({e})")), Vec::new());
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return FileResult::failed(file, too_large(bytes.len() as u64), Vec::new());
    }
    if bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes).iter().all(|b| b.is_ascii_whitespace()) {
        let what = if bytes.is_empty() { "the file is empty (0 bytes)" } else { "the file holds nothing but blank space" };
        let failure = guard::Failure {
            code: "file-empty",
            message: what.into(),
            hint: Some("ask the agency to save the return again and resend it".into()),
        };
        return FileResult::failed(file, failure, Vec::new());
    }
    let extension = file.path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
    let mut diagnostics = Vec::new();
    let verdict = match guard::check(&bytes, &extension, limits) {
        Ok(v) => v,
        Err(failure) => return FileResult::failed(file, failure, diagnostics),
    };
    if let Some(note) = verdict.renamed_note {
        diagnostics.push(Diagnostic::note("file-mismatch", Place::file(&file.display), note));
    }
    let (workbook, weakened) = match verdict.format {
        guard::Format::Csv => {
            (csv::read_csv(&bytes).map(|grid| sheet::Workbook { sheets: vec![grid], unreadable_sheets: Vec::new() }), None)
        }
        format => {
            let read = isolate::read_workbook(&bytes, format, limits);
            (read.result, read.weakened)
        }
    };
    let mut result = match workbook {
        Ok(workbook) => {
            for (sheet, reason) in &workbook.unreadable_sheets {
                diagnostics.push(Diagnostic::warning(
                    "sheet-unreadable",
                    Place { file: file.display.clone(), sheet: Some(sheet.clone()), cell: None },
                    format!("the sheet could not be read ({reason})"),
                ));
            }
            read_tables(file, order, modified, &workbook, plan, options, diagnostics)
        }
        Err(failure) => FileResult::failed(file, failure, diagnostics),
    };
    result.weakened = weakened;
    result
}

/// The one warning per run for workbooks read with less protection than
/// `[limits] isolate` asks for (see [`isolate::Weakened`]): the first
/// reason met, and how many files it cost, placed at the first such file.
fn weakened_warnings(results: &[FileResult]) -> Vec<Diagnostic> {
    let hint = "an antivirus may be stopping csp-report from starting itself: ask IT to allow the program \
                (see \"On Windows\" in the README); to read in-process on purpose, set isolate = false under [limits]";
    let mut warnings = Vec::new();
    let in_process = |w: &isolate::Weakened| matches!(w, isolate::Weakened::InProcess(_));
    for wanted in [true, false] {
        let hit: Vec<(&str, &isolate::Weakened)> = results
            .iter()
            .filter_map(|r| r.weakened.as_ref().map(|w| (r.account.file.as_str(), w)))
            .filter(|(_, w)| in_process(w) == wanted)
            .collect();
        let Some((first, weakened)) = hit.first() else { continue };
        let n = hit.len();
        let files = if n == 1 { "1 workbook".to_string() } else { format!("{n} workbooks") };
        let diagnostic = match weakened {
            isolate::Weakened::InProcess(reason) => Diagnostic::warning(
                READER_NOT_ISOLATED,
                Place::file(*first),
                format!(
                    "the spreadsheet reader could not be started as a separate process ({reason}), so {files} were read inside \
                     csp-report itself, without the memory and processor-time limits: a crafted file could stop the whole run"
                ),
            ),
            isolate::Weakened::Unlimited(reason) => Diagnostic::warning(
                READER_NOT_LIMITED,
                Place::file(*first),
                format!(
                    "the spreadsheet reader ran without its memory and processor-time limits ({reason}) for {files}: a crafted \
                     file still costs only itself if it crashes the reader, but one that runs away is not stopped"
                ),
            ),
        };
        warnings.push(diagnostic.with_hint(hint));
    }
    warnings
}

/// The warning code for workbooks read in-process because the reader
/// child could not be started.
pub const READER_NOT_ISOLATED: &str = "reader-not-isolated";
/// The warning code for a reader child that ran without its limits.
pub const READER_NOT_LIMITED: &str = "reader-not-limited";

/// Finds the return table among the sheets, identifies the return and reads its rows.
fn read_tables(
    file: &files::FoundFile,
    order: usize,
    modified: Option<i64>,
    workbook: &sheet::Workbook,
    plan: &crate::plan::Plan,
    options: &ReadOptions,
    mut diagnostics: Vec<Diagnostic>,
) -> FileResult {
    let display = file.display.as_str();
    let is_metadata = |g: &sheet::Grid| g.lines.is_none() && g.name.eq_ignore_ascii_case(identify::METADATA_SHEET);
    let metadata = workbook.sheets.iter().find(|g| is_metadata(g)).map(identify::Metadata::from_grid);
    // Visible sheets first, in workbook order; then hidden ones.
    let mut candidates: Vec<&sheet::Grid> = workbook.sheets.iter().filter(|g| !is_metadata(g)).collect();
    candidates.sort_by_key(|g| !g.visible);
    let mut table = None;
    let mut near_miss = None;
    for grid in &candidates {
        match table::find_header(grid) {
            Ok(header) if table.is_none() => table = Some((*grid, header)),
            Ok(_) => {
                let (chosen, _) = table.as_ref().expect("a table was chosen");
                if grid.visible {
                    diagnostics.push(
                        Diagnostic::warning(
                            "extra-sheet",
                            Place { file: display.to_string(), sheet: Some(grid.name.clone()), cell: None },
                            format!("this sheet also looks like a return table but only sheet {:?} was read", chosen.name),
                        )
                        .with_hint("put all the rows in one sheet, or send one file per return"),
                    );
                }
            }
            Err(miss @ table::NoTable::Missing { .. }) if near_miss.is_none() => near_miss = Some((*grid, miss)),
            Err(_) => {}
        }
    }
    let Some((grid, header)) = table else {
        let (place, message) = match near_miss {
            Some((grid, table::NoTable::Missing { row, col, found, missing })) => (
                grid.place(display, row, col, None),
                format!("this row has {found} column but no {missing} column, so no return table was found"),
            ),
            _ => (Place::file(display), "no return table found: no row holds both an Action ID column and a Status column".to_string()),
        };
        let code = if matches!(near_miss, Some((_, table::NoTable::Missing { .. }))) { "missing-column" } else { "no-header" };
        let failure = guard::Failure {
            code,
            message: message.clone(),
            hint: Some(
                "the table needs a header row naming at least \"Action ID\" and \"Status\" (see the README for other accepted names)"
                    .into(),
            ),
        };
        let mut result = FileResult::failed(file, failure, diagnostics);
        if let Some(d) = result.diagnostics.last_mut() {
            d.place = place;
        }
        return result;
    };
    if header.column(table::Field::Update).is_none() {
        diagnostics.push(
            Diagnostic::warning(
                "missing-column",
                grid.place(display, header.row, header.column(table::Field::Status).unwrap_or(0), None),
                "the table has no Progress update column, so amber and red actions cannot say why",
            )
            .with_hint("add a \"Progress update\" column"),
        );
    }
    let labels = table::labels_above(grid, header.row, display);
    let found = identify::identify(metadata.as_ref(), &labels, &file.relative, display, plan, options.period);
    diagnostics.extend(found.diagnostics);
    let agency = found.agency.as_ref().map(|(id, _)| id.as_str());
    let rows = table::read_rows(grid, &header, display, plan, agency);
    diagnostics.extend(rows.diagnostics);
    match (found.agency, found.period) {
        (Some((agency, identified_by)), Some(period)) => FileResult {
            account: FileAccount {
                file: display.to_string(),
                outcome: FileOutcome::Read,
                rows_read: rows.rows_read,
                rows_accepted: rows.updates.len(),
                rows_rejected: rows.rejected.len(),
                rows_notes: 0,
            },
            read: Some(Return {
                agency,
                period,
                file: display.to_string(),
                identified_by,
                submitted: found.submitted,
                modified,
                file_order: order,
                updates: rows.updates,
                rejected: rows.rejected,
                notes: Vec::new(),
            }),
            diagnostics,
            weakened: None,
        },
        // Not identified: an error already says why; every row is rejected with it.
        _ => FileResult {
            account: FileAccount {
                file: display.to_string(),
                outcome: FileOutcome::Unreadable { reason: "the return could not be identified (agency or period unknown)".into() },
                rows_read: rows.rows_read,
                rows_accepted: 0,
                rows_rejected: rows.rows_read,
                rows_notes: 0,
            },
            read: None,
            diagnostics,
            weakened: None,
        },
    }
}
