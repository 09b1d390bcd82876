//! Reading returns: every file under the returns folder, whatever the
//! agencies did to it, into typed [`Return`]s, with every data row accounted
//! for (accepted into an update, rejected with a diagnostic, or kept as the
//! agency's note on its return) and every unreadable file listed with its
//! reason. Nothing here stops the run: one bad file costs that file only.

//!
//! The stages, one module each: [`files`] lists the folder; [`guard`] picks
//! the reader by content and refuses what would cost too much to read;
//! [`sheet`] and [`csv`] turn a file into grids of typed cells; [`table`]
//! finds the header row and reads the rows; `tabs` picks the sheet for the
//! period in a workbook with a tab per quarter; [`isolate`] runs the
//! spreadsheet reader in memory-limited child processes, a run of workbooks
//! to each; [`identify`] works out the agency and period; [`normalise`]
//! reads what people type. A reader that panics on a file is contained to
//! that file (`contain`).

mod contain;
pub mod csv;
pub mod files;
pub mod guard;
pub mod identify;
pub mod isolate;
pub mod normalise;
pub mod sheet;
pub mod table;
mod tabs;

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
/// read), why, and where. Merge shows it as the lead's update state, so an
/// agency that reported is never shown as silent; its error diagnostic is in
/// the report's diagnostics too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The plan's action ID, when the row's ID was usable.
    pub action_id: Option<String>,
    pub rejection: Rejection,
    /// 0-based position among the return's data rows.
    pub row_index: usize,
}

/// Why a row was not used, where it is, and what would fix it: what the
/// reports and the reminder show for a rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The problem in a few words: `status "Gren" is not a status`.
    pub problem: String,
    /// What would fix it, when known: `did you mean Green?`.
    pub hint: Option<String>,
    /// The cell (or line) that was rejected.
    pub place: Place,
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

/// The row account of one file: rows read = accepted + rejected + notes.
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

impl FileAccount {
    /// The account of a file with no rows read.
    fn empty(file: &str, outcome: FileOutcome) -> FileAccount {
        FileAccount { file: file.to_string(), outcome, rows_read: 0, rows_accepted: 0, rows_rejected: 0, rows_notes: 0 }
    }
}

/// Everything read from a returns folder.
#[derive(Debug, Clone, Default)]
pub struct ReadReport {
    /// Returns in file order.
    pub returns: Vec<Return>,
    /// One account per file seen, in file order; a workbook with a tab per
    /// quarter has one more for each earlier quarter's sheet read from it,
    /// named `file › sheet`, right after its own.
    pub accounts: Vec<FileAccount>,
    pub diagnostics: Diagnostics,
}

impl ReadReport {
    /// Totals over all files: (read, accepted, rejected, notes), where
    /// read = accepted + rejected + notes.
    pub fn totals(&self) -> (usize, usize, usize, usize) {
        self.accounts
            .iter()
            .fold((0, 0, 0, 0), |(r, a, j, n), f| (r + f.rows_read, a + f.rows_accepted, j + f.rows_rejected, n + f.rows_notes))
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
pub(crate) fn read_returns_with(
    dir: &std::path::Path,
    plan: &crate::plan::Plan,
    options: &ReadOptions,
    progress: &dyn ReadProgress,
) -> ReadReport {
    let found = files::list(dir);
    progress.start(found.len());
    // Runs of files, each read in turn by one worker; the runs are read in
    // parallel and come back in order. A run borrows a workbook reader from
    // `readers` and gives it back, so its reader child goes on to the next
    // run: as many children as workers read at once, until each has read
    // its share (see `isolate`). They end when `readers` is dropped.
    let per_run = files_per_run(found.len(), rayon::current_num_threads());
    let readers = std::sync::Mutex::new(Vec::new());
    let runs: Vec<Vec<FileResult>> = found
        .par_chunks(per_run)
        .enumerate()
        .map(|(run, files)| {
            let mut reader = borrow(&readers).pop().unwrap_or_else(|| isolate::WorkbookReader::new(&options.limits, WORKBOOKS_PER_CHILD));
            let results = files
                .iter()
                .enumerate()
                .map(|(i, file)| {
                    let result = read_file(file, run * per_run + i, plan, options, &mut reader);
                    progress.file_done(&file.display);
                    result
                })
                .collect();
            borrow(&readers).push(reader);
            results
        })
        .collect();
    drop(readers);
    let results: Vec<FileResult> = runs.into_iter().flatten().collect();
    progress.finish();
    let mut report = ReadReport::default();
    report.diagnostics.extend(weakened_warnings(&results));
    for result in results {
        report.diagnostics.extend(result.diagnostics);
        report.accounts.extend(result.accounts);
        report.returns.extend(result.read);
    }
    report
}

/// The pool of workbook readers, locked only while a run takes one or gives
/// it back (so a run that panicked left nothing in it half done).
fn borrow<T>(readers: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Most workbooks one reader child reads before a fresh one takes over.
/// Starting a child (exec, the dynamic loader, its first page faults) costs
/// several times what reading a return does, so a child reads many. On
/// Unix its processor-time limit is set again before each workbook, so the
/// bound only renews its memory now and then. On Windows the Job Object's
/// time budget covers the child's whole life (see `isolate`): a workbook
/// that spins is stopped only once that is spent, so children there read
/// fewer.
#[cfg(not(windows))]
const WORKBOOKS_PER_CHILD: usize = 256;
#[cfg(windows)]
const WORKBOOKS_PER_CHILD: usize = 32;

/// Most files in one run of the listing.
const MAX_FILES_PER_RUN: usize = 32;

/// Runs per worker thread: several, so that a worker left with the last,
/// slow run does not keep the others waiting long.
const RUNS_PER_WORKER: usize = 4;

/// How many files of the listing one run is given: the listing split into
/// a few runs per worker, of at most [`MAX_FILES_PER_RUN`].
fn files_per_run(files: usize, workers: usize) -> usize {
    files.div_ceil(workers.max(1) * RUNS_PER_WORKER).clamp(1, MAX_FILES_PER_RUN)
}

/// What reading one file gave: one account and at most one return, except
/// for a workbook with a tab per quarter, whose earlier quarters' sheets are
/// read as returns of their own, each with its own account (named
/// `file › sheet`).
struct FileResult {
    accounts: Vec<FileAccount>,
    read: Vec<Return>,
    diagnostics: Vec<Diagnostic>,
    /// Read with less protection than asked for: one warning per run says so.
    weakened: Option<isolate::Weakened>,
}

impl FileResult {
    fn not_read(file: &files::FoundFile, outcome: FileOutcome, diagnostic: Diagnostic) -> FileResult {
        FileResult {
            accounts: vec![FileAccount::empty(&file.display, outcome)],
            read: Vec::new(),
            diagnostics: vec![diagnostic],
            weakened: None,
        }
    }

    fn failed(file: &files::FoundFile, failure: guard::Failure, mut diagnostics: Vec<Diagnostic>) -> FileResult {
        let mut d = Diagnostic::error(failure.code, Place::file(&file.display), failure.message.clone());
        d.hint = failure.hint;
        diagnostics.push(d);
        FileResult {
            accounts: vec![FileAccount::empty(&file.display, FileOutcome::Unreadable { reason: failure.message })],
            read: Vec::new(),
            diagnostics,
            weakened: None,
        }
    }
}

/// Reads one file, its workbook (if it is one) through `reader`; whatever
/// happens, one file's trouble stays in its result.
fn read_file(
    file: &files::FoundFile,
    order: usize,
    plan: &crate::plan::Plan,
    options: &ReadOptions,
    reader: &mut isolate::WorkbookReader,
) -> FileResult {
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
        files::Disposition::NotAReturn(reason) => {
            return FileResult::not_read(
                file,
                FileOutcome::Skipped { reason: reason.clone() },
                Diagnostic::warning("file-not-a-return", place(), reason.clone()),
            );
        }
        files::Disposition::Unlistable(reason) => {
            return FileResult::failed(file, guard::Failure::unreadable(reason.clone()), Vec::new());
        }
    }
    match contain::contain(|| read_spreadsheet(file, order, plan, options, reader)) {
        Ok(result) => result,
        Err(fault) => FileResult::failed(
            file,
            guard::Failure::unreadable(format!("the file could not be read (the reader failed on it: {fault})")),
            Vec::new(),
        ),
    }
}

fn read_spreadsheet(
    file: &files::FoundFile,
    order: usize,
    plan: &crate::plan::Plan,
    options: &ReadOptions,
    reader: &mut isolate::WorkbookReader,
) -> FileResult {
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
    // Room for the size it has (`take` hides it from `read_to_end`, which
    // then read a return in six calls of doubling size), and a byte more to
    // see a file that grew past the limit since.
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
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
            let read = reader.read(verdict.unpacked.as_deref().unwrap_or(&bytes), format);
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
            .filter_map(|r| r.weakened.as_ref().zip(r.accounts.first()).map(|(w, a)| (a.file.as_str(), w)))
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

/// Finds the return table among the sheets (or, in a workbook with a tab
/// per quarter, the sheet for the period and the earlier quarters' sheets),
/// identifies each return and reads its rows.
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
    let mut tables: Vec<tabs::Table> = Vec::new();
    let mut near_miss = None;
    for grid in &candidates {
        match table::find_header(grid) {
            Ok(header) => tables.push(tabs::Table { grid, header }),
            Err(miss @ table::NoTable::Missing { .. }) if near_miss.is_none() => near_miss = Some((*grid, miss)),
            Err(_) => {}
        }
    }
    if tables.is_empty() {
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
    }

    let reported = options.period.or_else(|| identify::folder_period(&file.relative));
    let workbook_period = workbook_period(metadata.as_ref(), &candidates, &tables, display);
    let reader = TableReader { file, order, modified, metadata: metadata.as_ref(), plan, options };
    let Some(quarters) = tabs::quarter_tabs(&tables, display, reported, workbook_period) else {
        // One return table (or several, none naming its quarter): the first is the return.
        let chosen = &tables[0];
        for other in tables[1..].iter().filter(|t| t.grid.visible) {
            diagnostics.push(
                Diagnostic::warning(
                    "extra-sheet",
                    Place { file: display.to_string(), sheet: Some(other.grid.name.clone()), cell: None },
                    format!("this sheet also looks like a return table but only sheet {:?} was read", chosen.grid.name),
                )
                .with_hint("put all the rows in one sheet, or send one file per return"),
            );
        }
        let (account, read) = reader.read(chosen, display.to_string(), None, &mut diagnostics);
        return FileResult { accounts: vec![account], read: read.into_iter().collect(), diagnostics, weakened: None };
    };

    diagnostics.extend(quarters.diagnostics);
    let target = quarters.target;
    let mut result = FileResult { accounts: Vec::new(), read: Vec::new(), diagnostics: Vec::new(), weakened: None };
    match quarters.reported {
        Some(i) => {
            let (account, read) = reader.read(&tables[i], display.to_string(), Some(target), &mut diagnostics);
            result.accounts.push(account);
            result.read.extend(read);
        }
        None => result
            .accounts
            .push(FileAccount::empty(display, FileOutcome::Unreadable { reason: format!("the workbook has no sheet for {target}") })),
    }
    for (i, period) in quarters.earlier {
        let table = &tables[i];
        let name = format!("{display} › {}", table.grid.name);
        // Its problems belong to its own quarter, reported then: here it is
        // history, so one note says what was read from it.
        let mut its_problems = Vec::new();
        let (account, read) = reader.read(table, name.clone(), Some(period), &mut its_problems);
        let place = Place { file: display.to_string(), sheet: Some(table.grid.name.clone()), cell: None };
        let Some(read) = read else {
            diagnostics.push(Diagnostic::note(
                "other-sheet",
                place,
                format!("this sheet is for {period}, an earlier quarter, and its return could not be identified: it was not read"),
            ));
            continue;
        };
        let notes = if account.rows_notes > 0 {
            format!(" + {}", crate::vocabulary::counted(account.rows_notes, "note", "notes"))
        } else {
            String::new()
        };
        diagnostics.push(Diagnostic::note(
            "other-sheet",
            place,
            format!(
                "this sheet is for {period}, an earlier quarter: it was read as that quarter's return (for trend only, not {target}'s), \
                 accounted apart as {name:?}: {} = {} accepted + {} rejected{notes}",
                crate::vocabulary::counted(account.rows_read, "row", "rows"),
                account.rows_accepted,
                account.rows_rejected
            ),
        ));
        result.accounts.push(account);
        result.read.push(read);
    }
    result.diagnostics = diagnostics;
    result
}

/// A `Period:` the workbook gives outside its tables: the form's metadata,
/// or a label on a sheet without a table (a cover sheet).
fn workbook_period(
    metadata: Option<&identify::Metadata>,
    sheets: &[&sheet::Grid],
    tables: &[tabs::Table],
    file: &str,
) -> Option<crate::plan::Period> {
    let from_metadata = metadata.and_then(|m| m.get("period")).map(normalise::text).and_then(|t| identify::parse_period(&t));
    from_metadata.or_else(|| {
        sheets
            .iter()
            .filter(|g| !tables.iter().any(|t| std::ptr::eq(t.grid, **g)))
            .find_map(|g| table::labels_above(g, u32::MAX, file).period.and_then(|(text, _)| identify::parse_period(&text)))
    })
}

/// What reading one table needs to know about its file.
struct TableReader<'a> {
    file: &'a files::FoundFile,
    order: usize,
    modified: Option<i64>,
    metadata: Option<&'a identify::Metadata>,
    plan: &'a crate::plan::Plan,
    options: &'a ReadOptions,
}

impl TableReader<'_> {
    /// Identifies and reads one return table. `name` is the return's file as
    /// accounted (`returns/x.xlsx`, or `returns/x.xlsx › Q2` for an earlier
    /// quarter's sheet); `period` is the quarter the sheet was chosen for,
    /// which then is the return's period whatever else the file says.
    fn read(
        &self,
        table: &tabs::Table,
        name: String,
        period: Option<crate::plan::Period>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (FileAccount, Option<Return>) {
        let (grid, header) = (table.grid, &table.header);
        let display = self.file.display.as_str();
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
        let mut labels = table::labels_above(grid, header.row, display);
        if period.is_some() {
            // The sheet's quarter is decided; its Period: cell was part of deciding it.
            labels.period = None;
        }
        let mut found = identify::identify(self.metadata, &labels, &self.file.relative, display, self.plan, period.or(self.options.period));
        if let Some(period) = period {
            found.period = Some(period);
            found.diagnostics.retain(|d| d.code != "period-unknown");
        }
        diagnostics.extend(found.diagnostics);
        let agency = found.agency.as_ref().map(|(id, _)| id.as_str());
        let rows = table::read_rows(grid, header, display, self.plan, agency);
        diagnostics.extend(rows.diagnostics);
        match (found.agency, found.period) {
            (Some((agency, identified_by)), Some(period)) => (
                FileAccount {
                    file: name.clone(),
                    outcome: FileOutcome::Read,
                    rows_read: rows.rows_read,
                    rows_accepted: rows.updates.len(),
                    rows_rejected: rows.rejected.len(),
                    rows_notes: rows.notes.len(),
                },
                Some(Return {
                    agency,
                    period,
                    file: name,
                    identified_by,
                    submitted: found.submitted,
                    modified: self.modified,
                    file_order: self.order,
                    updates: rows.updates,
                    rejected: rows.rejected,
                    notes: rows.notes,
                }),
            ),
            // Not identified: an error already says why; every row is rejected with it.
            _ => (
                FileAccount {
                    file: name,
                    outcome: FileOutcome::Unreadable { reason: "the return could not be identified (agency or period unknown)".into() },
                    rows_read: rows.rows_read,
                    rows_accepted: 0,
                    // Its notes are still notes: they were never data to reject.
                    rows_rejected: rows.rows_read - rows.notes.len(),
                    rows_notes: rows.notes.len(),
                },
                None,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_worker_gets_a_few_runs_of_at_most_32_files() {
        // The county's two quarters (1,892 files), one quarter (946), the
        // Preston example (87), a handful.
        assert_eq!(files_per_run(1892, 2), 32);
        assert_eq!(files_per_run(946, 2), 32);
        assert_eq!(files_per_run(87, 2), 11);
        assert_eq!(files_per_run(87, 16), 2);
        assert_eq!(files_per_run(5, 2), 1);
        assert_eq!(files_per_run(0, 2), 1);
        assert_eq!(files_per_run(10, 0), 3, "no workers reported: one");
    }
}
