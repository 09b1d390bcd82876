//! The last line of defence around the spreadsheet reader: each workbook
//! that passed [`super::guard`] is read by calamine in a child process (the
//! `csp-report` binary run again as `csp-report __read-one FORMAT`) with an
//! address-space and CPU-time limit, and comes back as data on the child's
//! stdout. calamine can abort the whole process (a failed allocation is not
//! a panic, so `catch_unwind` cannot stop it) or spin on a crafted file; if
//! anything slips past the guard's checks, the child dies instead of the run,
//! and that one file becomes a `file-refused` error while every other file is
//! still read.
//!
//! Isolation needs a program to run. The binary registers itself at start
//! ([`use_child_program`]); a library caller that registers nothing (tests,
//! other tools) reads in-process, still behind the guard and `catch_unwind`.
//! `[limits] isolate = false` in `csp-report.toml` turns it off; the memory
//! and CPU limits are `max_child_memory_bytes` and `max_child_cpu_seconds`.
//! CSV files never reach calamine and are always read in-process.

use super::guard::{Failure, Format};
use super::sheet::{self, Cell, Grid, Row, Workbook};
use crate::config::Limits;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::OnceLock;

/// The hidden first argument that makes the binary a reader child.
pub const CHILD_ARG: &str = "__read-one";

static CHILD_PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Registers the program to run as the reader child (the `csp-report`
/// binary itself). Called once by the binary at start; later calls are
/// ignored.
pub fn use_child_program(program: PathBuf) {
    let _ = CHILD_PROGRAM.set(program);
}

/// The registered child program, if any.
pub fn child_program() -> Option<&'static Path> {
    CHILD_PROGRAM.get().map(PathBuf::as_path)
}

/// Reads a workbook the guard has passed: in a child process when isolation
/// is on and a child program is registered, else in this process.
pub fn read_workbook(bytes: &[u8], format: Format, limits: &Limits) -> Result<Workbook, Failure> {
    match child_program() {
        Some(program) if limits.isolate && format != Format::Csv => read_workbook_in_child(program, bytes, format, limits),
        _ => sheet::read_workbook(bytes, format),
    }
}

/// Reads a workbook in a child process running `program __read-one FORMAT`.
/// The bytes go to its stdin; its stdout holds the workbook as JSON. Nothing
/// here checks the bytes: callers pass what the guard has passed (tests pass
/// hostile files straight in to prove a child's death costs one file).
pub fn read_workbook_in_child(program: &Path, bytes: &[u8], format: Format, limits: &Limits) -> Result<Workbook, Failure> {
    let spawned = Command::new(program)
        .arg(CHILD_ARG)
        .arg(format_token(format))
        .arg(limits.max_child_memory_bytes.to_string())
        .arg(limits.max_child_cpu_seconds.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        // The tool itself cannot be started again (removed, no permission):
        // not the file's fault, so read it here rather than lose it.
        Err(_) => return sheet::read_workbook(bytes, format),
    };
    // The child reads all of stdin before it writes anything, so writing
    // first and reading after cannot deadlock. A child that dies early
    // closes the pipe: the write fails and the exit status says why.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(bytes);
    }
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(e) => return Err(Failure::unreadable(format!("the spreadsheet reader could not be run for this file ({e})"))),
    };
    if output.status.success() {
        if let Ok(reply) = serde_json::from_slice::<Reply>(&output.stdout) {
            return reply.into_result();
        }
    }
    Err(died(&output.status, &output.stderr, limits))
}

/// The failure for a child that died or answered nonsense.
fn died(status: &std::process::ExitStatus, stderr: &[u8], limits: &Limits) -> Failure {
    let said = String::from_utf8_lossy(stderr);
    let said = said.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").chars().take(200).collect::<String>();
    let out_of_memory = said.contains("memory allocation") || said.contains("capacity overflow");
    let how = match signal_of(status) {
        Some(24) => format!("it used more than the {} seconds of processor time allowed", limits.max_child_cpu_seconds),
        _ if out_of_memory => {
            format!("it needed more than the {} of memory allowed", super::guard::file_size_text(limits.max_child_memory_bytes))
        }
        Some(9) => "the spreadsheet reader was killed while reading it (too much memory or processor time)".to_string(),
        Some(signal) => format!("the spreadsheet reader crashed on it (signal {signal})"),
        None => match status.code() {
            Some(code) => format!("the spreadsheet reader failed on it (exit status {code})"),
            None => "the spreadsheet reader failed on it".to_string(),
        },
    };
    let detail = if said.is_empty() || (!out_of_memory && signal_of(status).is_none()) { String::new() } else { format!(": {said}") };
    Failure {
        code: "file-refused",
        message: format!("refused: the workbook could not be read safely: {how}{detail}"),
        hint: Some("the file is probably damaged or crafted; ask the agency to save it again in Excel and resend it".into()),
    }
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(status)
}

#[cfg(not(unix))]
fn signal_of(_status: &std::process::ExitStatus) -> Option<i32> {
    None
}

fn format_token(format: Format) -> &'static str {
    match format {
        Format::Xlsx => "xlsx",
        Format::Xlsb => "xlsb",
        Format::Xls => "xls",
        Format::Ods => "ods",
        Format::Csv => "csv",
    }
}

fn format_from_token(token: &str) -> Option<Format> {
    [Format::Xlsx, Format::Xlsb, Format::Xls, Format::Ods].into_iter().find(|f| format_token(*f) == token)
}

/// The child's side: when the process was started as `csp-report __read-one
/// FORMAT MEMORY CPU`, reads one workbook from stdin under the limits, writes
/// the reply to stdout and returns the exit code; else `None` (a normal run).
/// The binary calls this before parsing its arguments.
pub fn serve_child_if_asked() -> Option<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).and_then(|a| a.to_str()) != Some(CHILD_ARG) {
        return None;
    }
    let arg = |i: usize| args.get(i).and_then(|a| a.to_str()).unwrap_or("");
    let (Some(format), Ok(memory), Ok(cpu)) = (format_from_token(arg(2)), arg(3).parse::<u64>(), arg(4).parse::<u64>()) else {
        eprintln!("usage: csp-report {CHILD_ARG} xlsx|xlsb|xls|ods MEMORY_BYTES CPU_SECONDS (internal: reads one workbook from stdin)");
        return Some(ExitCode::from(2));
    };
    // Panics are caught and answered; the default hook's message would only
    // be noise on the parent's captured stderr.
    std::panic::set_hook(Box::new(|_| {}));
    apply_limits(memory, cpu);
    let mut bytes = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut bytes).is_err() {
        return Some(ExitCode::from(2));
    }
    let reply = Reply::from_result(sheet::read_workbook(&bytes, format));
    drop(bytes);
    let mut out = std::io::stdout().lock();
    match serde_json::to_writer(&mut out, &reply).and_then(|_| out.flush().map_err(serde_json::Error::io)) {
        Ok(()) => Some(ExitCode::SUCCESS),
        Err(_) => Some(ExitCode::from(2)),
    }
}

/// Caps the child's address space and processor time (0 leaves a limit off).
#[cfg(unix)]
fn apply_limits(memory: u64, cpu_seconds: u64) {
    let set = |resource, value: u64| {
        let limit = libc::rlimit { rlim_cur: value as libc::rlim_t, rlim_max: value as libc::rlim_t };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
        unsafe { libc::setrlimit(resource, &limit) }
    };
    if memory > 0 {
        set(libc::RLIMIT_AS, memory);
    }
    if cpu_seconds > 0 {
        // The soft limit sends SIGXCPU; one second later the hard limit kills.
        let limit = libc::rlimit { rlim_cur: cpu_seconds as libc::rlim_t, rlim_max: cpu_seconds.saturating_add(1) as libc::rlim_t };
        // SAFETY: as above.
        unsafe { libc::setrlimit(libc::RLIMIT_CPU, &limit) };
    }
}

#[cfg(not(unix))]
fn apply_limits(_memory: u64, _cpu_seconds: u64) {}

// ---------------------------------------------------------------------------
// What crosses the pipe: the workbook as plain data.
// ---------------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
enum Reply {
    Read { sheets: Vec<WireGrid>, unreadable_sheets: Vec<(String, String)> },
    Failed { code: String, message: String, hint: Option<String> },
}

#[derive(Serialize, Deserialize)]
struct WireGrid {
    name: String,
    visible: bool,
    rows: Vec<(u32, Vec<(u32, WireCell)>)>,
}

#[derive(Serialize, Deserialize)]
enum WireCell {
    Empty,
    Text(String),
    /// The f64's bits: exact, and NaN or infinity survive JSON.
    Number(u64),
    Bool(bool),
    Date(String),
    Error(String),
}

const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// The failure codes a child may send back (a `Failure`'s code is static).
const CODES: [&str; 5] = ["file-unreadable", "file-encrypted", "file-refused", "file-mismatch", "file-empty"];

impl Reply {
    fn from_result(result: Result<Workbook, Failure>) -> Reply {
        match result {
            Ok(workbook) => Reply::Read {
                sheets: workbook
                    .sheets
                    .into_iter()
                    .map(|grid| WireGrid {
                        name: grid.name,
                        visible: grid.visible,
                        rows: grid
                            .rows
                            .into_iter()
                            .map(|row| (row.index, row.cells.into_iter().map(|(col, cell)| (col, WireCell::from(cell))).collect()))
                            .collect(),
                    })
                    .collect(),
                unreadable_sheets: workbook.unreadable_sheets,
            },
            Err(failure) => Reply::Failed { code: failure.code.to_string(), message: failure.message, hint: failure.hint },
        }
    }

    fn into_result(self) -> Result<Workbook, Failure> {
        match self {
            Reply::Read { sheets, unreadable_sheets } => Ok(Workbook {
                sheets: sheets
                    .into_iter()
                    .map(|grid| Grid {
                        name: grid.name,
                        visible: grid.visible,
                        rows: grid
                            .rows
                            .into_iter()
                            .map(|(index, cells)| Row { index, cells: cells.into_iter().map(|(col, cell)| (col, cell.into())).collect() })
                            .collect(),
                        lines: None,
                    })
                    .collect(),
                unreadable_sheets,
            }),
            Reply::Failed { code, message, hint } => {
                let code = CODES.into_iter().find(|c| *c == code).unwrap_or("file-unreadable");
                Err(Failure { code, message, hint })
            }
        }
    }
}

impl From<Cell> for WireCell {
    fn from(cell: Cell) -> WireCell {
        match cell {
            Cell::Empty => WireCell::Empty,
            Cell::Text(t) => WireCell::Text(t),
            Cell::Number(n) => WireCell::Number(n.to_bits()),
            Cell::Bool(b) => WireCell::Bool(b),
            Cell::Date(d) => WireCell::Date(d.format(DATE_FORMAT).to_string()),
            Cell::Error(e) => WireCell::Error(e),
        }
    }
}

impl From<WireCell> for Cell {
    fn from(cell: WireCell) -> Cell {
        match cell {
            WireCell::Empty => Cell::Empty,
            WireCell::Text(t) => Cell::Text(t),
            WireCell::Number(bits) => Cell::Number(f64::from_bits(bits)),
            WireCell::Bool(b) => Cell::Bool(b),
            // Written by the child from a NaiveDateTime in this format.
            WireCell::Date(d) => NaiveDateTime::parse_from_str(&d, DATE_FORMAT).map(Cell::Date).unwrap_or(Cell::Text(d)),
            WireCell::Error(e) => Cell::Error(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn every_cell_survives_the_pipe() {
        let when = NaiveDate::from_ymd_opt(2019, 3, 31).unwrap().and_hms_milli_opt(13, 5, 7, 250).unwrap();
        let cells = vec![
            (0, Cell::Text("Action ID".into())),
            (1, Cell::Number(0.1 + 0.2)),
            (2, Cell::Number(f64::NAN)),
            (3, Cell::Number(f64::NEG_INFINITY)),
            (4, Cell::Bool(true)),
            (5, Cell::Date(when)),
            (6, Cell::Error("#N/A".into())),
            (7, Cell::Empty),
            (8, Cell::Text("اردو\n\"quoted\"\u{0}".into())),
        ];
        let workbook = Workbook {
            sheets: vec![Grid { name: "Progress".into(), visible: false, rows: vec![Row { index: 6, cells: cells.clone() }], lines: None }],
            unreadable_sheets: vec![("Chart".into(), "no range".into())],
        };
        let json = serde_json::to_vec(&Reply::from_result(Ok(workbook))).unwrap();
        let back = serde_json::from_slice::<Reply>(&json).unwrap().into_result().unwrap();
        let row = &back.sheets[0].rows[0];
        assert_eq!(row.index, 6);
        assert_eq!(back.sheets[0].name, "Progress");
        assert!(!back.sheets[0].visible);
        assert_eq!(back.unreadable_sheets, vec![("Chart".to_string(), "no range".to_string())]);
        for ((col, sent), (got_col, got)) in cells.iter().zip(&row.cells) {
            assert_eq!(col, got_col);
            match (sent, got) {
                (Cell::Number(a), Cell::Number(b)) => assert_eq!(a.to_bits(), b.to_bits()),
                _ => assert_eq!(sent, got),
            }
        }
    }

    #[test]
    fn failures_keep_their_code() {
        let json = serde_json::to_vec(&Reply::from_result(Err(Failure::encrypted()))).unwrap();
        let failure = serde_json::from_slice::<Reply>(&json).unwrap().into_result().unwrap_err();
        assert_eq!(failure, Failure::encrypted());
        let odd = Reply::Failed { code: "made-up".into(), message: "m".into(), hint: None }.into_result().unwrap_err();
        assert_eq!(odd.code, "file-unreadable");
    }

    #[test]
    fn without_a_child_program_the_reader_runs_here() {
        // No program is registered in unit tests: isolation falls back.
        assert!(child_program().is_none());
        let failure = read_workbook(b"PK\x03\x04 not really a zip", Format::Xlsx, &Limits::default()).unwrap_err();
        assert_eq!(failure.code, "file-unreadable");
    }
}
