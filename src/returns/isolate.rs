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
//!
//! How the limits are enforced depends on the system:
//! - **Linux and macOS**: the child sets `RLIMIT_AS` (address space) and
//!   `RLIMIT_CPU` on itself before it reads a byte; it dies of `SIGXCPU`,
//!   or aborts when an allocation fails.
//! - **Windows**: the parent puts the child in a Job Object with a
//!   per-process committed-memory limit and a per-process user-time limit
//!   (and kills it if the parent goes away) before writing the workbook to
//!   its stdin, so the child reads nothing unconfined. An allocation over
//!   the limit fails and the child aborts; over the time limit Windows ends
//!   it with `ERROR_NOT_ENOUGH_QUOTA`.
//! - Elsewhere there are no limits, only the separate process.
//!
//! [`explain_exit`] turns how a child ended into the message a coordinator
//! reads; it is plain data in, a message out, compiled everywhere, so its
//! Windows cases are tested on Linux too.
//!
//! Nothing falls back silently: when the child cannot be started (the
//! binary was removed, or an antivirus blocks a program starting itself),
//! the file is still read here, and the result says so ([`Weakened`]); the
//! returns reader turns that into one warning per run.

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
pub(crate) fn child_program() -> Option<&'static Path> {
    CHILD_PROGRAM.get().map(PathBuf::as_path)
}

/// What reading one workbook gave, and whether it had the protection asked
/// for.
#[derive(Debug)]
pub struct WorkbookRead {
    pub result: Result<Workbook, Failure>,
    /// Set when isolation was asked for but this file was read with less.
    pub weakened: Option<Weakened>,
}

/// How a workbook came to be read with less protection than asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakened {
    /// The child process could not be started, so the file was read in
    /// this process, with no limits and no separate process: the reason.
    InProcess(String),
    /// The child ran, but its memory and CPU limits could not be set: the
    /// reason. A crash still costs one file; a runaway file is not stopped.
    Unlimited(String),
}

impl WorkbookRead {
    fn protected(result: Result<Workbook, Failure>) -> WorkbookRead {
        WorkbookRead { result, weakened: None }
    }
}

/// Reads a workbook the guard has passed: in a child process when isolation
/// is on and a child program is registered, else in this process (which is
/// what was asked for, so nothing is [`Weakened`]).
pub fn read_workbook(bytes: &[u8], format: Format, limits: &Limits) -> WorkbookRead {
    match child_program() {
        Some(program) if limits.isolate && format != Format::Csv => read_workbook_in_child(program, bytes, format, limits),
        _ => WorkbookRead::protected(sheet::read_workbook(bytes, format)),
    }
}

/// Reads a workbook in a child process running `program __read-one FORMAT`.
/// The bytes go to its stdin; its stdout holds the workbook as JSON. Nothing
/// here checks the bytes: callers pass what the guard has passed (tests pass
/// hostile files straight in to prove a child's death costs one file).
/// When the child cannot be started, the file is read in this process and
/// the result is marked [`Weakened::InProcess`] with the reason.
pub fn read_workbook_in_child(program: &Path, bytes: &[u8], format: Format, limits: &Limits) -> WorkbookRead {
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
        // The tool itself cannot be started again (removed, no permission,
        // an antivirus refusing it): not the file's fault, so read it here
        // rather than lose it, and say so.
        Err(e) => {
            let reason = format!("{} could not be started: {e}", program.display());
            return WorkbookRead { result: sheet::read_workbook(bytes, format), weakened: Some(Weakened::InProcess(reason)) };
        }
    };
    // On Windows the limits are the parent's to set, and must be in place
    // before the child has the bytes (it blocks reading stdin until then).
    let confined = confine(&child, limits);
    let weakened = confined.as_ref().err().map(|reason| Weakened::Unlimited(reason.clone()));
    // The child reads all of stdin before it writes anything, so writing
    // first and reading after cannot deadlock. A child that dies early
    // closes the pipe: the write fails and the exit status says why.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(bytes);
    }
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(e) => {
            let failure = Failure::unreadable(format!("the spreadsheet reader could not be run for this file ({e})"));
            return WorkbookRead { result: Err(failure), weakened };
        }
    };
    if output.status.success() {
        if let Ok(reply) = serde_json::from_slice::<Reply>(&output.stdout) {
            return WorkbookRead { result: reply.into_result(), weakened };
        }
    }
    let hit = confined.ok().flatten().and_then(|job| job.limit_hit(limits));
    let exit = ChildExit { signal: signal_of(&output.status), code: output.status.code(), stderr: &output.stderr, hit };
    WorkbookRead { result: Err(explain_exit(&exit, limits)), weakened }
}

/// How a reader child ended, as plain data: what the system reported and
/// what the child said on stderr.
#[derive(Debug, Clone, Copy)]
pub struct ChildExit<'a> {
    /// The signal that ended it (Unix).
    pub signal: Option<i32>,
    /// Its exit code; on Windows an `NTSTATUS` or Win32 error code for a
    /// process the system ended (`0xC0000017` is `-1073741801` here).
    pub code: Option<i32>,
    /// What it wrote on stderr.
    pub stderr: &'a [u8],
    /// A limit the Job Object saw it reach (Windows).
    pub hit: Option<LimitHit>,
}

/// A limit a reader child was seen to reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    Memory,
    Cpu,
}

/// Unix signals: the soft CPU limit, and the kill (hard CPU limit, or the
/// kernel's out-of-memory killer).
const SIGXCPU: i32 = 24;
const SIGKILL: i32 = 9;

/// Windows exit codes of a process the system or the runtime ended. Plain
/// numbers rather than `windows-sys` constants so that [`explain_exit`] and
/// its tests compile everywhere.
mod windows_exit {
    /// `STATUS_NO_MEMORY`: an allocation failed inside the system.
    pub const STATUS_NO_MEMORY: u32 = 0xC000_0017;
    /// `STATUS_COMMITMENT_LIMIT`: no commit charge left (the job's memory limit).
    pub const STATUS_COMMITMENT_LIMIT: u32 = 0xC000_012D;
    /// `ERROR_COMMITMENT_LIMIT`, the same as a Win32 error code.
    pub const ERROR_COMMITMENT_LIMIT: u32 = 1455;
    /// `ERROR_NOT_ENOUGH_QUOTA`: a Job Object ended the process for using
    /// more than its per-process user time.
    pub const ERROR_NOT_ENOUGH_QUOTA: u32 = 1816;
    /// `STATUS_STACK_BUFFER_OVERRUN`: a fast-fail, which is how Rust's
    /// `abort` ends a process on Windows (after a failed allocation, say).
    pub const STATUS_FAIL_FAST: u32 = 0xC000_0409;
    /// `STATUS_STACK_OVERFLOW`.
    pub const STATUS_STACK_OVERFLOW: u32 = 0xC000_00FD;
    /// `STATUS_ACCESS_VIOLATION`.
    pub const STATUS_ACCESS_VIOLATION: u32 = 0xC000_0005;
}

/// The failure for a child that died or answered nonsense: one clear
/// message whichever system it ran on. Unix and Windows report the same
/// event differently (out of memory is `SIGABRT` after "memory allocation
/// of N bytes failed" on Linux, a fast-fail exit code after the same words
/// on Windows; out of time is `SIGXCPU` on Linux, `ERROR_NOT_ENOUGH_QUOTA`
/// on Windows); they read the same here.
pub(crate) fn explain_exit(exit: &ChildExit, limits: &Limits) -> Failure {
    use windows_exit::*;
    let said = String::from_utf8_lossy(exit.stderr);
    let said = said.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").chars().take(200).collect::<String>();
    let allocation_failed = said.contains("memory allocation") || said.contains("capacity overflow");
    let windows_code = exit.code.map(|c| c as u32);
    let memory = || format!("it needed more than the {} of memory allowed", super::guard::file_size_text(limits.max_child_memory_bytes));
    let cpu = || format!("it used more than the {} seconds of processor time allowed", limits.max_child_cpu_seconds);
    let (how, show_said) = match (exit.signal, windows_code) {
        (Some(SIGXCPU), _) => (cpu(), true),
        _ if exit.hit == Some(LimitHit::Cpu) => (cpu(), false),
        (None, Some(ERROR_NOT_ENOUGH_QUOTA)) => (cpu(), false),
        _ if allocation_failed => (memory(), true),
        _ if exit.hit == Some(LimitHit::Memory) => (memory(), false),
        (None, Some(STATUS_NO_MEMORY | STATUS_COMMITMENT_LIMIT | ERROR_COMMITMENT_LIMIT)) => (memory(), false),
        (Some(SIGKILL), _) => ("the spreadsheet reader was killed while reading it (too much memory or processor time)".to_string(), true),
        (Some(signal), _) => (format!("the spreadsheet reader crashed on it (signal {signal})"), true),
        (None, Some(STATUS_STACK_OVERFLOW)) => ("the spreadsheet reader crashed on it (stack overflow)".to_string(), true),
        (None, Some(STATUS_ACCESS_VIOLATION)) => ("the spreadsheet reader crashed on it (access violation)".to_string(), true),
        (None, Some(STATUS_FAIL_FAST)) => ("the spreadsheet reader stopped itself on it (abort)".to_string(), true),
        (None, Some(code)) if code > 0xFFFF => (format!("the spreadsheet reader crashed on it (exit status 0x{code:08X})"), true),
        (None, Some(_)) => (format!("the spreadsheet reader failed on it (exit status {})", exit.code.unwrap_or_default()), false),
        (None, None) => ("the spreadsheet reader failed on it".to_string(), false),
    };
    let detail = if said.is_empty() || !show_said { String::new() } else { format!(": {said}") };
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

/// On Windows the parent sets the limits ([`confine`]); elsewhere there are none.
#[cfg(not(unix))]
fn apply_limits(_memory: u64, _cpu_seconds: u64) {}

/// A reader child's Job Object (Windows): closing it ends the child.
#[cfg(windows)]
struct Job(windows_sys::Win32::Foundation::HANDLE);

#[cfg(windows)]
impl Drop for Job {
    fn drop(&mut self) {
        // SAFETY: the handle came from CreateJobObjectW and is closed once, here.
        unsafe { windows_sys::Win32::Foundation::CloseHandle(self.0) };
    }
}

#[cfg(windows)]
impl Job {
    /// Which limit the child reached, if the job's accounting shows one.
    fn limit_hit(&self, limits: &Limits) -> Option<LimitHit> {
        use windows_sys::Win32::System::JobObjects::*;
        // SAFETY: plain C structures of integers, for which all zeroes is a valid value.
        let mut extended: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut accounting: JOBOBJECT_BASIC_ACCOUNTING_INFORMATION = unsafe { std::mem::zeroed() };
        // SAFETY: each buffer is the structure its class names, with its true size.
        let (got_memory, got_time) = unsafe {
            (
                QueryInformationJobObject(
                    self.0,
                    JobObjectExtendedLimitInformation,
                    (&raw mut extended).cast(),
                    size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
                    std::ptr::null_mut(),
                ) != 0,
                QueryInformationJobObject(
                    self.0,
                    JobObjectBasicAccountingInformation,
                    (&raw mut accounting).cast(),
                    size_of::<JOBOBJECT_BASIC_ACCOUNTING_INFORMATION>() as u32,
                    std::ptr::null_mut(),
                ) != 0,
            )
        };
        let cpu_ticks = limits.max_child_cpu_seconds.saturating_mul(10_000_000);
        if got_time && limits.max_child_cpu_seconds > 0 && accounting.TotalUserTime as u64 >= cpu_ticks {
            return Some(LimitHit::Cpu);
        }
        // A failed allocation asks for more than is left: peak use comes
        // close to the limit without passing it. Within 1/16 counts.
        let memory = limits.max_child_memory_bytes;
        if got_memory && memory > 0 && extended.PeakProcessMemoryUsed as u64 >= memory - memory / 16 {
            return Some(LimitHit::Memory);
        }
        None
    }
}

/// Puts a just-started reader child in a Job Object with the memory and
/// CPU limits (Windows). `Ok(None)` where the system has no such thing (the
/// child limits itself); `Err` with the reason when the limits could not be
/// set, and the child then runs without them.
#[cfg(windows)]
fn confine(child: &std::process::Child, limits: &Limits) -> Result<Option<Job>, String> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::System::JobObjects::*;
    let last_error = || std::io::Error::last_os_error().to_string();
    // SAFETY: no security attributes and no name: a new, private job.
    let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
    if handle.is_null() {
        return Err(format!("no Job Object could be made ({})", last_error()));
    }
    let job = Job(handle);
    // SAFETY: a plain C structure, for which all zeroes means "no limits".
    let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
    // The child dies with the job (so with this process), and a crash ends
    // it at once instead of showing a Windows error dialogue nobody sees.
    info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    if limits.max_child_memory_bytes > 0 {
        info.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY;
        info.ProcessMemoryLimit = usize::try_from(limits.max_child_memory_bytes).unwrap_or(usize::MAX);
    }
    if limits.max_child_cpu_seconds > 0 {
        info.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_TIME;
        // In 100-nanosecond ticks.
        info.BasicLimitInformation.PerProcessUserTimeLimit =
            i64::try_from(limits.max_child_cpu_seconds.saturating_mul(10_000_000)).unwrap_or(i64::MAX);
    }
    // SAFETY: `info` is the structure JobObjectExtendedLimitInformation names, with its true size.
    let set = unsafe {
        SetInformationJobObject(
            job.0,
            JobObjectExtendedLimitInformation,
            (&raw const info).cast(),
            size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        )
    };
    if set == 0 {
        return Err(format!("the Job Object's limits could not be set ({})", last_error()));
    }
    // SAFETY: the child's process handle stays open while `child` lives.
    if unsafe { AssignProcessToJobObject(job.0, child.as_raw_handle()) } == 0 {
        return Err(format!("the reader could not be put in its Job Object ({})", last_error()));
    }
    Ok(Some(job))
}

/// Elsewhere the child limits itself ([`apply_limits`]).
#[cfg(not(windows))]
fn confine(_child: &std::process::Child, _limits: &Limits) -> Result<Option<NoJob>, String> {
    Ok(None)
}

/// Where there is no Job Object: nothing to ask.
#[cfg(not(windows))]
struct NoJob;

#[cfg(not(windows))]
impl NoJob {
    fn limit_hit(&self, _limits: &Limits) -> Option<LimitHit> {
        None
    }
}

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
                debug_assert!(crate::diagnostics::registered_code(code).is_some());
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
        let read = read_workbook(b"PK\x03\x04 not really a zip", Format::Xlsx, &Limits::default());
        assert_eq!(read.result.unwrap_err().code, "file-unreadable");
        assert_eq!(read.weakened, None, "reading here was what was asked for");
    }

    fn explained(signal: Option<i32>, code: Option<u32>, stderr: &str, hit: Option<LimitHit>) -> String {
        let limits = Limits { max_child_memory_bytes: 512 << 20, max_child_cpu_seconds: 60, ..Limits::default() };
        let exit = ChildExit { signal, code: code.map(|c| c as i32), stderr: stderr.as_bytes(), hit };
        let failure = explain_exit(&exit, &limits);
        assert_eq!(failure.code, "file-refused");
        assert!(failure.hint.is_some());
        failure.message
    }

    const PREFIX: &str = "refused: the workbook could not be read safely: ";
    const MEMORY: &str = "it needed more than the 512 MiB of memory allowed";
    const CPU: &str = "it used more than the 60 seconds of processor time allowed";

    #[test]
    fn running_out_of_memory_reads_the_same_on_linux_and_windows() {
        let said = "memory allocation of 64000000000 bytes failed";
        let linux = explained(Some(6), None, said, None);
        let windows = explained(None, Some(windows_exit::STATUS_FAIL_FAST), said, Some(LimitHit::Memory));
        assert_eq!(linux, format!("{PREFIX}{MEMORY}: {said}"));
        assert_eq!(windows, linux);
        // What Windows itself may report when the job's memory limit is reached.
        for code in [windows_exit::STATUS_NO_MEMORY, windows_exit::STATUS_COMMITMENT_LIMIT, windows_exit::ERROR_COMMITMENT_LIMIT] {
            assert_eq!(explained(None, Some(code), "", None), format!("{PREFIX}{MEMORY}"), "0x{code:X}");
        }
        // A fast-fail with nothing said, but the job saw memory at its limit.
        assert_eq!(explained(None, Some(windows_exit::STATUS_FAIL_FAST), "", Some(LimitHit::Memory)), format!("{PREFIX}{MEMORY}"));
    }

    #[test]
    fn running_out_of_processor_time_reads_the_same_on_linux_and_windows() {
        let linux = explained(Some(SIGXCPU), None, "", None);
        assert_eq!(linux, format!("{PREFIX}{CPU}"));
        // Windows ends a process over its job's time limit with ERROR_NOT_ENOUGH_QUOTA.
        assert_eq!(explained(None, Some(windows_exit::ERROR_NOT_ENOUGH_QUOTA), "", None), linux);
        assert_eq!(explained(None, Some(1), "", Some(LimitHit::Cpu)), linux, "the job's accounting decides");
    }

    #[test]
    fn crashes_say_what_happened_without_blaming_a_limit() {
        assert_eq!(
            explained(Some(SIGKILL), None, "", None),
            format!("{PREFIX}the spreadsheet reader was killed while reading it (too much memory or processor time)")
        );
        assert_eq!(explained(Some(11), None, "", None), format!("{PREFIX}the spreadsheet reader crashed on it (signal 11)"));
        assert_eq!(
            explained(None, Some(windows_exit::STATUS_ACCESS_VIOLATION), "", None),
            format!("{PREFIX}the spreadsheet reader crashed on it (access violation)")
        );
        assert_eq!(
            explained(None, Some(windows_exit::STATUS_STACK_OVERFLOW), "thread 'main' has overflowed its stack", None),
            format!("{PREFIX}the spreadsheet reader crashed on it (stack overflow): thread 'main' has overflowed its stack")
        );
        assert_eq!(
            explained(None, Some(windows_exit::STATUS_FAIL_FAST), "", None),
            format!("{PREFIX}the spreadsheet reader stopped itself on it (abort)")
        );
        assert_eq!(
            explained(None, Some(0xC000_001D), "", None),
            format!("{PREFIX}the spreadsheet reader crashed on it (exit status 0xC000001D)")
        );
        assert_eq!(explained(None, Some(2), "usage: …", None), format!("{PREFIX}the spreadsheet reader failed on it (exit status 2)"));
        assert_eq!(explained(None, None, "", None), format!("{PREFIX}the spreadsheet reader failed on it"));
    }
}
