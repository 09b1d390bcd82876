//! The last line of defence around the spreadsheet reader: each workbook
//! that passed [`super::guard`] is read by calamine in a child process (the
//! `csp-report` binary run again as `csp-report __read-workbooks …`) with an
//! address-space and CPU-time limit, and comes back as data on the child's
//! stdout. calamine can abort the whole process (a failed allocation is not
//! a panic, so `catch_unwind` cannot stop it) or spin on a crafted file; if
//! anything slips past the guard's checks, the child dies instead of the run,
//! and that one file becomes a `file-refused` error while every other file is
//! still read.
//!
//! **One child reads a batch.** Starting a child costs far more than reading
//! a typical return (exec, relocating a 20 MB binary and starting its
//! allocator take about 4 ms of processor time; calamine reads a return in
//! well under 1 ms), so a child started once per workbook made the read
//! stage of a county build several times slower than the reading itself. A
//! [`WorkbookReader`] sends several workbooks to one child in turn (the
//! returns reader keeps one reader per worker thread for the whole folder,
//! and a child reads up to 256 workbooks, 32 on Windows) over a framed
//! protocol on the child's stdin and stdout, each workbook and each reply
//! in one write where the pipe takes it, so that neither side is woken for
//! part of one:
//! - in, per workbook: one byte naming the format, the workbook's length as
//!   8 little-endian bytes, the workbook;
//! - out, per workbook: four bytes that mark a reply, then the reply (the
//!   workbook's grids, or why it could not be read) in postcard's compact
//!   binary encoding, in chunks of up to 64 KiB, each after its length as 4
//!   little-endian bytes, then a length of 0. The reply is written as it is
//!   encoded, as it was when a child read one workbook, so no workbook needs
//!   more memory in a batch.
//!
//! The next workbook goes in only once the last reply is out, and the child
//! drops each workbook before it reads the next, so it never holds more than
//! one; it exits when its stdin ends. The limits stay per workbook: memory is
//! limited per process, and the child raises its own processor-time limit to
//! what it has used so far plus the per-file allowance before each workbook.
//!
//! **A child that dies partway through a batch** (aborts, is killed, runs out
//! of time, or writes something that is not a reply) costs nothing already
//! received. The workbook it was reading is read again *alone*, in a fresh
//! child, exactly as a single file is ([`read_workbook_in_child`]: a batch of
//! one, whose exit [`explain_exit`] turns into the file's `file-refused`
//! error), and the rest of the batch goes on in a new child. So whatever the
//! earlier workbooks left behind in a child (memory in use or fragmented,
//! processor time spent), no file is refused without being read on its own:
//! each file's outcome is what a child of its own gives it.
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
//!   or aborts when an allocation fails. `RLIMIT_CPU` counts the whole
//!   process's time, so before each workbook the child sets the soft limit
//!   to the whole seconds used so far plus the per-file allowance (a little
//!   less than a child of its own would have, never more); the hard limit,
//!   which an unprivileged process can lower but never raise again, is set
//!   once, to the allowance plus a second, times the batch's size.
//! - **Windows**: the parent puts the child in a Job Object with a
//!   per-process committed-memory limit and a per-process user-time limit
//!   (and kills it if the parent goes away) before writing the first
//!   workbook to its stdin, so the child reads nothing unconfined. An
//!   allocation over the limit fails and the child aborts; over the time
//!   limit Windows ends it with `ERROR_NOT_ENOUGH_QUOTA`. The job's time
//!   limit is cumulative over the child's life, so a batch child's is the
//!   per-file limit times the batch's size: a workbook that spins is
//!   stopped within the batch's budget (at most that many times the
//!   per-file limit), then read alone with the per-file limit, which gives
//!   its `file-refused`.
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
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::{BufReader, BufWriter, IoSlice, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::OnceLock;

/// The hidden first argument that makes the binary a reader child.
pub const CHILD_ARG: &str = "__read-workbooks";

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

    /// Read here because `program` could not be started: not the file's
    /// fault, so it is read rather than lost, and the result says so.
    fn in_process(program: &Path, error: &std::io::Error, bytes: &[u8], format: Format) -> WorkbookRead {
        let reason = format!("{} could not be started: {error}", program.display());
        WorkbookRead { result: sheet::read_workbook(bytes, format), weakened: Some(Weakened::InProcess(reason)) }
    }
}

/// Reads a workbook the guard has passed: in a child process when isolation
/// is on and a child program is registered, else in this process (which is
/// what was asked for, so nothing is [`Weakened`]). For several workbooks,
/// a [`WorkbookReader`] starts far fewer children.
pub fn read_workbook(bytes: &[u8], format: Format, limits: &Limits) -> WorkbookRead {
    match child_program() {
        Some(program) if limits.isolate && format != Format::Csv => read_workbook_in_child(program, bytes, format, limits),
        _ => WorkbookRead::protected(sheet::read_workbook(bytes, format)),
    }
}

/// Reads workbooks one after another, several to a child process (see the
/// module's introduction): each [`read`](WorkbookReader::read) gives what a
/// child of that workbook's own would have given. Where isolation is off
/// or no child program is registered, reads in this process.
pub struct WorkbookReader {
    /// The child program; `None` reads in this process.
    program: Option<PathBuf>,
    limits: Limits,
    /// Most workbooks one child reads: its hard processor-time limit (or,
    /// on Windows, its job's time budget) is set for this many.
    per_child: usize,
    /// The child reading this batch, started at the first workbook.
    child: Option<BatchChild>,
    /// Children started so far, those that read a workbook again alone
    /// included.
    started: usize,
}

impl WorkbookReader {
    /// A reader for up to `per_child` workbooks to a child, with the
    /// registered program when `limits.isolate` asks for isolation.
    pub fn new(limits: &Limits, per_child: usize) -> WorkbookReader {
        Self::running(child_program().filter(|_| limits.isolate), limits, per_child)
    }

    /// A reader whose children run `program`, whatever is registered (tests
    /// pass the binary they built).
    pub fn in_children(program: &Path, limits: &Limits, per_child: usize) -> WorkbookReader {
        Self::running(Some(program), limits, per_child)
    }

    /// A reader whose children run `program` (`None`: it reads in this process).
    fn running(program: Option<&Path>, limits: &Limits, per_child: usize) -> WorkbookReader {
        WorkbookReader { program: program.map(Path::to_path_buf), limits: *limits, per_child: per_child.max(1), child: None, started: 0 }
    }

    /// Reads one workbook. Nothing here checks the bytes: callers pass what
    /// the guard has passed (tests pass hostile files straight in to prove a
    /// child's death costs one file).
    pub fn read(&mut self, bytes: &[u8], format: Format) -> WorkbookRead {
        let Some(program) = self.program.as_deref().filter(|_| format != Format::Csv) else {
            return WorkbookRead::protected(sheet::read_workbook(bytes, format));
        };
        if self.per_child == 1 {
            // A batch of one: a child of its own straight away, rather than
            // a second one should the first die.
            self.started += 1;
            return read_workbook_in_child(program, bytes, format, &self.limits);
        }
        // Taken out while the workbook is in it: should anything below
        // unwind, the child half-way through an exchange is ended, not
        // asked for another workbook.
        let mut child = match self.child.take() {
            Some(child) if child.read < self.per_child => child,
            // A child that has read its share, or none yet: a new one.
            _ => match BatchChild::start(program, &self.limits, self.per_child) {
                Ok(child) => {
                    self.started += 1;
                    child
                }
                Err(e) => return WorkbookRead::in_process(program, &e, bytes, format),
            },
        };
        match child.exchange(bytes, format) {
            Some(reply) => {
                let weakened = child.weakened.clone();
                child.read += 1;
                self.child = Some(child);
                WorkbookRead { result: reply.into_result(), weakened }
            }
            // The child died on this workbook or after the last (or its
            // answer is not a reply). Whichever it was, this workbook is
            // read again alone, so its outcome, a refusal included, is what
            // a child of its own gives; the next workbook starts a new child.
            None => {
                drop(child);
                self.started += 1;
                read_workbook_in_child(program, bytes, format, &self.limits)
            }
        }
    }

    /// How many child processes this reader has started (for tests and
    /// measurements: a batch that went well started one).
    pub fn children_started(&self) -> usize {
        self.started
    }
}

/// A reader child that takes workbooks one after another.
struct BatchChild {
    process: Child,
    stdin: ChildStdin,
    /// Buffered: a reply is read in one or two reads, not one per field.
    stdout: BufReader<ChildStdout>,
    /// Why its limits could not be set, if they could not (Windows).
    weakened: Option<Weakened>,
    /// Workbooks it has answered.
    read: usize,
    /// Its Job Object (Windows), kept open while the child lives: closing
    /// it ends the child.
    _job: Option<Confinement>,
}

impl BatchChild {
    fn start(program: &Path, limits: &Limits, per_child: usize) -> std::io::Result<BatchChild> {
        // Its stderr is not needed: a child that dies is not asked why; the
        // workbook is read again alone and that child's stderr is read.
        // Nor can it fill a pipe nobody reads.
        let mut process = spawn(program, limits, per_child, Stdio::null())?;
        let (Some(stdin), Some(stdout)) = (process.stdin.take(), process.stdout.take()) else {
            let _ = process.kill();
            let _ = process.wait();
            return Err(std::io::Error::other("its stdin or stdout could not be connected"));
        };
        // On Windows the limits are the parent's to set, and must be in
        // place before the child has a workbook (it blocks reading stdin).
        let (job, weakened) = match confine(&process, limits, per_child) {
            Ok(job) => (job, None),
            Err(reason) => (None, Some(Weakened::Unlimited(reason))),
        };
        let stdout = BufReader::with_capacity(REPLY_CHUNK + 64, stdout);
        Ok(BatchChild { process, stdin, stdout, weakened, read: 0, _job: job })
    }

    /// Sends one workbook and takes its reply; `None` when the child did
    /// not answer with one (it died, or wrote something else).
    fn exchange(&mut self, bytes: &[u8], format: Format) -> Option<Reply> {
        // The child reads a whole workbook before it writes anything, and
        // the next goes in only after this reply is out, so writing all
        // and then reading cannot deadlock. A child that dies early closes
        // the pipe and the write fails.
        write_frame(&mut self.stdin, format, bytes).ok()?;
        let reply = read_frame(&mut self.stdout).ok()??;
        decode_reply(&reply)
    }
}

impl Drop for BatchChild {
    /// Ends the child and reaps it. After its last reply it has nothing the
    /// run needs; after a failed exchange it may be stuck or spinning.
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Reads one workbook in a child process of its own: `program` run as a
/// reader child, sent this one workbook and then the end of its input.
/// Its exit status and stderr explain a death ([`explain_exit`]). Nothing
/// here checks the bytes (see [`WorkbookReader::read`]). When the child
/// cannot be started, the file is read in this process and the result is
/// marked [`Weakened::InProcess`] with the reason.
pub fn read_workbook_in_child(program: &Path, bytes: &[u8], format: Format, limits: &Limits) -> WorkbookRead {
    let mut child = match spawn(program, limits, 1, Stdio::piped()) {
        Ok(child) => child,
        Err(e) => return WorkbookRead::in_process(program, &e, bytes, format),
    };
    let confined = confine(&child, limits, 1);
    let weakened = confined.as_ref().err().map(|reason| Weakened::Unlimited(reason.clone()));
    // Written whole, then the pipe is closed: the child reads the workbook,
    // answers, finds the end of its input and exits. One that dies early
    // closes the pipe: the write fails and the exit status says why.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = write_frame(&mut stdin, format, bytes);
    }
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(e) => {
            let failure = Failure::unreadable(format!("the spreadsheet reader could not be run for this file ({e})"));
            return WorkbookRead { result: Err(failure), weakened };
        }
    };
    if output.status.success() {
        if let Some(reply) = single_reply(&output.stdout) {
            return WorkbookRead { result: reply.into_result(), weakened };
        }
    }
    let hit = confined.ok().flatten().and_then(|job| job.limit_hit(limits));
    let exit = ChildExit { signal: signal_of(&output.status), code: output.status.code(), stderr: &output.stderr, hit };
    WorkbookRead { result: Err(explain_exit(&exit, limits)), weakened }
}

/// Starts `program` as a reader child for up to `per_child` workbooks.
fn spawn(program: &Path, limits: &Limits, per_child: usize, stderr: Stdio) -> std::io::Result<Child> {
    Command::new(program)
        .arg(CHILD_ARG)
        .arg(limits.max_child_memory_bytes.to_string())
        .arg(limits.max_child_cpu_seconds.to_string())
        .arg(per_child.to_string())
        // mimalloc reserves address space a gibibyte at a time, which does
        // not fit under the child's address-space limit: now and then its
        // fallback failed a small allocation (zlib's state) in a fresh
        // child reading a good workbook. Small reservations fit.
        .env("MIMALLOC_ARENA_RESERVE", "64MiB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
}

/// Writes one workbook as the child reads it: format, length, bytes, in one
/// system call where the pipe takes it (a child woken by the head alone
/// would read it and wait again for the rest).
fn write_frame(to: &mut impl Write, format: Format, bytes: &[u8]) -> std::io::Result<()> {
    let mut head = [0u8; 9];
    head[0] = format_code(format);
    head[1..].copy_from_slice(&(bytes.len() as u64).to_le_bytes());
    let written = loop {
        match to.write_vectored(&[IoSlice::new(&head), IoSlice::new(bytes)]) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            result => break result?,
        }
    };
    match written.checked_sub(head.len()) {
        None => {
            to.write_all(&head[written..])?;
            to.write_all(bytes)?;
        }
        Some(of_bytes) => to.write_all(&bytes[of_bytes..])?,
    }
    to.flush()
}

/// Reads one reply as a child writes it ([`write_reply`]): its encoding.
/// `None` at the end of the stream before a reply starts; an error for
/// anything else that is not a whole reply.
fn read_frame(from: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let Some(magic) = read_head::<4>(from)? else { return Ok(None) };
    if magic != REPLY_MAGIC {
        return Err(std::io::ErrorKind::InvalidData.into());
    }
    let mut reply = Vec::new();
    loop {
        let Some(length) = read_head::<4>(from)?.map(u32::from_le_bytes) else {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        };
        if length == 0 {
            return Ok(Some(reply));
        }
        let had = reply.len();
        from.take(u64::from(length)).read_to_end(&mut reply)?;
        if reply.len() - had != length as usize {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
}

/// A child's whole stdout when it read one workbook: exactly one reply.
fn single_reply(stdout: &[u8]) -> Option<Reply> {
    let mut rest = stdout;
    let reply = read_frame(&mut rest).ok()??;
    if !rest.is_empty() {
        return None;
    }
    decode_reply(&reply)
}

/// Reads N bytes: `None` if the stream ends before the first, an error if
/// it ends among them.
fn read_head<const N: usize>(from: &mut impl Read) -> std::io::Result<Option<[u8; N]>> {
    let mut head = [0u8; N];
    let mut filled = 0;
    while filled < N {
        match from.read(&mut head[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(head))
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

/// The byte that names a workbook's format on the way to a child.
fn format_code(format: Format) -> u8 {
    match format {
        Format::Xlsx => b'x',
        Format::Xlsb => b'b',
        Format::Xls => b'l',
        Format::Ods => b'o',
        Format::Csv => b'c',
    }
}

fn format_from_code(code: u8) -> Option<Format> {
    [Format::Xlsx, Format::Xlsb, Format::Xls, Format::Ods].into_iter().find(|f| format_code(*f) == code)
}

/// The child's side: when the process was started as `csp-report
/// __read-workbooks MEMORY CPU WORKBOOKS`, reads workbooks from stdin one
/// at a time under the limits (at most WORKBOOKS of them: the hard CPU
/// limit is set for that many), writes each reply to stdout, and returns
/// the exit code when stdin ends; else `None` (a normal run). The binary
/// calls this before parsing its arguments.
pub fn serve_child_if_asked() -> Option<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).and_then(|a| a.to_str()) != Some(CHILD_ARG) {
        return None;
    }
    let arg = |i: usize| args.get(i).and_then(|a| a.to_str()).unwrap_or("").parse::<u64>();
    let (Ok(memory), Ok(cpu), Ok(workbooks)) = (arg(2), arg(3), arg(4)) else {
        eprintln!(
            "usage: csp-report {CHILD_ARG} MEMORY_BYTES CPU_SECONDS WORKBOOKS (internal: reads workbooks from stdin, \
             each as a format byte, its length as 8 little-endian bytes, and its bytes)"
        );
        return Some(ExitCode::from(2));
    };
    // Panics are caught and answered; the default hook's message would only
    // be noise on the parent's captured stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let cpu = apply_limits(memory, cpu, workbooks);
    let (mut input, mut output) = (std::io::stdin().lock(), reply_output());
    loop {
        let (format, bytes) = match read_workbook_frame(&mut input) {
            Ok(Some(workbook)) => workbook,
            // The end of the batch.
            Ok(None) => return Some(ExitCode::SUCCESS),
            Err(_) => return Some(ExitCode::from(2)),
        };
        limit_next_workbook(cpu);
        let reply = Reply::from_result(sheet::read_workbook(&bytes, format));
        drop(bytes);
        if write_reply(&mut output, &reply).is_err() {
            return Some(ExitCode::from(2));
        }
    }
}

/// Where a reader child writes its replies: its stdout, buffered for a
/// whole chunk, so that a reply of up to [`REPLY_CHUNK`] goes out in one
/// write. Not through `std::io::Stdout`, which flushes at every newline
/// byte of the binary encoding: each of those writes woke the parent.
fn reply_output() -> BufWriter<Box<dyn Write>> {
    let stdout: Box<dyn Write> = raw_stdout().unwrap_or_else(|| Box::new(std::io::stdout()));
    BufWriter::with_capacity(REPLY_CHUNK + 64, stdout)
}

/// This process's stdout as a file, unbuffered, where the system lets it be
/// opened again so.
#[cfg(unix)]
fn raw_stdout() -> Option<Box<dyn Write>> {
    use std::os::fd::AsFd;
    let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    Some(Box::new(std::fs::File::from(fd)))
}

#[cfg(windows)]
fn raw_stdout() -> Option<Box<dyn Write>> {
    use std::os::windows::io::AsHandle;
    let handle = std::io::stdout().as_handle().try_clone_to_owned().ok()?;
    Some(Box::new(std::fs::File::from(handle)))
}

#[cfg(not(any(unix, windows)))]
fn raw_stdout() -> Option<Box<dyn Write>> {
    None
}

/// Writes a reply as [`read_frame`] reads it: `REPLY_MAGIC`, then its
/// postcard encoding in chunks of up to [`REPLY_CHUNK`] bytes, each after
/// its length (4 bytes, little-endian), then a length of 0. Chunks rather
/// than one length up front because the reply is written as it is encoded,
/// as a reader child always wrote it: a child holds a workbook's grids and
/// a chunk, never the grids and the whole encoding beside them, so no
/// workbook needs more memory in a batch than it did alone.
fn write_reply(to: &mut impl Write, reply: &Reply) -> std::io::Result<()> {
    to.write_all(&REPLY_MAGIC)?;
    let mut chunks = Chunks { to: &mut *to, buffer: Vec::with_capacity(REPLY_CHUNK) };
    postcard::to_io(reply, &mut chunks).map_err(std::io::Error::other)?;
    chunks.send()?;
    to.write_all(&0u32.to_le_bytes())?;
    to.flush()
}

/// The most of a reply one chunk holds.
const REPLY_CHUNK: usize = 64 << 10;

/// Collects a reply's encoding into chunks for [`write_reply`].
struct Chunks<'a, W: Write> {
    to: &'a mut W,
    buffer: Vec<u8>,
}

impl<W: Write> Chunks<'_, W> {
    /// Writes the chunk collected so far, if any.
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.to.write_all(&(self.buffer.len() as u32).to_le_bytes())?;
        self.to.write_all(&self.buffer)?;
        self.buffer.clear();
        Ok(())
    }
}

impl<W: Write> Write for Chunks<'_, W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buffer.len() + data.len() > REPLY_CHUNK {
            self.send()?;
        }
        let taken = data.len().min(REPLY_CHUNK);
        self.buffer.extend_from_slice(&data[..taken]);
        Ok(taken)
    }

    /// Chunks go out when full and at the end of the reply.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads one workbook as [`write_frame`] writes it: `None` when the input
/// ends where a workbook would start.
fn read_workbook_frame(from: &mut impl Read) -> std::io::Result<Option<(Format, Vec<u8>)>> {
    let Some([code, length @ ..]) = read_head::<9>(from)? else { return Ok(None) };
    let format = format_from_code(code).ok_or(std::io::ErrorKind::InvalidData)?;
    let length = u64::from_le_bytes(length);
    // Room for it all (the parent says how long it is, and sends no more
    // than it has): read in as few calls as the pipe allows. Within reason,
    // should a broken parent claim more.
    let mut bytes = Vec::with_capacity(length.min(1 << 28) as usize);
    from.take(length).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != length {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some((format, bytes)))
}

/// Where a child's reply starts: anything else on its stdout (a stray
/// print) is not taken for a chunk's length and waited for.
const REPLY_MAGIC: [u8; 4] = *b"CSPr";

/// The processor-time allowance for each workbook, in seconds, and the hard
/// limit above it (unix).
#[cfg(unix)]
#[derive(Debug, Clone, Copy)]
struct CpuAllowance {
    per_workbook: u64,
    hard: libc::rlim_t,
}

/// Caps the child's address space and processor time (0 leaves a limit
/// off), for a child that will read up to `workbooks` workbooks.
#[cfg(unix)]
fn apply_limits(memory: u64, cpu_seconds: u64, workbooks: u64) -> Option<CpuAllowance> {
    if memory > 0 {
        let limit = libc::rlimit { rlim_cur: memory as libc::rlim_t, rlim_max: memory as libc::rlim_t };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
        unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
    }
    if cpu_seconds == 0 {
        return None;
    }
    // The soft limit sends SIGXCPU; the hard limit kills. It cannot be
    // raised again once lowered, so it is set once for the whole batch: the
    // allowance plus a second for each workbook (one more second for a
    // single workbook, as a child of its own always had), so that each
    // soft limit set below fits under it. Never above what this process
    // was given.
    let mut given = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes the struct we pass.
    let known = unsafe { libc::getrlimit(libc::RLIMIT_CPU, &mut given) } == 0;
    let wanted = cpu_seconds.saturating_add(1).saturating_mul(workbooks.max(1)) as libc::rlim_t;
    let hard = if known { wanted.min(given.rlim_max) } else { wanted };
    let limit = libc::rlimit { rlim_cur: (cpu_seconds as libc::rlim_t).min(hard), rlim_max: hard };
    // SAFETY: as above.
    unsafe { libc::setrlimit(libc::RLIMIT_CPU, &limit) };
    Some(CpuAllowance { per_workbook: cpu_seconds, hard })
}

/// Gives the next workbook its own processor-time allowance (unix):
/// `RLIMIT_CPU` counts the whole process's time, so the soft limit becomes
/// the whole seconds used so far plus the allowance. Rounding down means a
/// workbook may have up to a second less than a child of its own, never
/// more; one that runs out is read again alone with the full allowance.
#[cfg(unix)]
fn limit_next_workbook(cpu: Option<CpuAllowance>) {
    let Some(cpu) = cpu else { return };
    // SAFETY: a plain C structure of integers, for which all zeroes is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes the struct we pass.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return;
    }
    let micros = |t: libc::timeval| (t.tv_sec as i128) * 1_000_000 + t.tv_usec as i128;
    let used = u64::try_from((micros(usage.ru_utime) + micros(usage.ru_stime)) / 1_000_000).unwrap_or(0);
    let soft = (used.saturating_add(cpu.per_workbook) as libc::rlim_t).min(cpu.hard);
    let limit = libc::rlimit { rlim_cur: soft, rlim_max: cpu.hard };
    // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
    unsafe { libc::setrlimit(libc::RLIMIT_CPU, &limit) };
}

/// On Windows the parent sets the limits ([`confine`]); elsewhere there are none.
#[cfg(not(unix))]
fn apply_limits(_memory: u64, _cpu_seconds: u64, _workbooks: u64) -> Option<()> {
    None
}

#[cfg(not(unix))]
fn limit_next_workbook(_cpu: Option<()>) {}

/// A reader child's Job Object (Windows): closing it ends the child.
#[cfg(windows)]
struct Job(windows_sys::Win32::Foundation::HANDLE);

// SAFETY: a job object's handle is a kernel handle of the whole process:
// any thread may query or close it, and the Job alone owns it (closed once,
// in Drop). The returns reader hands a child's reader, its Job with it, from
// one worker thread to the next.
#[cfg(windows)]
unsafe impl Send for Job {}

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
/// CPU limits, the latter for `workbooks` workbooks (Windows). `Ok(None)` where the system has no such thing (the
/// child limits itself); `Err` with the reason when the limits could not be
/// set, and the child then runs without them.
#[cfg(windows)]
fn confine(child: &std::process::Child, limits: &Limits, workbooks: usize) -> Result<Option<Job>, String> {
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
        // In 100-nanosecond ticks. It counts the child's whole life, so a
        // child reading a batch has the per-file limit once per workbook.
        let seconds = limits.max_child_cpu_seconds.saturating_mul(workbooks.max(1) as u64);
        info.BasicLimitInformation.PerProcessUserTimeLimit = i64::try_from(seconds.saturating_mul(10_000_000)).unwrap_or(i64::MAX);
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
fn confine(_child: &std::process::Child, _limits: &Limits, _workbooks: usize) -> Result<Option<NoJob>, String> {
    Ok(None)
}

/// Where there is no Job Object: nothing to ask.
#[cfg(not(windows))]
struct NoJob;

/// What keeps a reader child confined while it lives: its Job Object on
/// Windows, nothing elsewhere.
#[cfg(windows)]
type Confinement = Job;
#[cfg(not(windows))]
type Confinement = NoJob;

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
    /// Exact: postcard writes an f64's 8 bytes (NaN and infinity too).
    Number(f64),
    Bool(bool),
    /// Days since 1 January of year 1, seconds since midnight, and
    /// nanoseconds (past 10^9 in a leap second): exact, and cheap both ways.
    Date(i32, u32, u32),
    Error(String),
}

/// A reply as a child encoded it; `None` for anything else (a reply with
/// bytes after it included), which is not a reply.
fn decode_reply(bytes: &[u8]) -> Option<Reply> {
    match postcard::take_from_bytes::<Reply>(bytes) {
        Ok((reply, [])) => Some(reply),
        _ => None,
    }
}

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
            Cell::Number(n) => WireCell::Number(n),
            Cell::Bool(b) => WireCell::Bool(b),
            Cell::Date(d) => WireCell::Date(d.date().num_days_from_ce(), d.time().num_seconds_from_midnight(), d.time().nanosecond()),
            Cell::Error(e) => WireCell::Error(e),
        }
    }
}

impl From<WireCell> for Cell {
    fn from(cell: WireCell) -> Cell {
        match cell {
            WireCell::Empty => Cell::Empty,
            WireCell::Text(t) => Cell::Text(t),
            WireCell::Number(n) => Cell::Number(n),
            WireCell::Bool(b) => Cell::Bool(b),
            // Written by the child from a NaiveDateTime, so always one; a
            // date no child of ours writes is no date.
            WireCell::Date(days, seconds, nanos) => NaiveDate::from_num_days_from_ce_opt(days)
                .zip(NaiveTime::from_num_seconds_from_midnight_opt(seconds, nanos))
                .map_or(Cell::Empty, |(date, time)| Cell::Date(date.and_time(time))),
            WireCell::Error(e) => Cell::Error(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// A reply as it crosses the pipe: written by a child, read by the parent.
    fn round_trip(reply: Reply) -> Reply {
        let mut pipe = Vec::new();
        write_reply(&mut pipe, &reply).unwrap();
        let mut output = pipe.as_slice();
        let back = read_frame(&mut output).unwrap().unwrap();
        assert!(output.is_empty());
        decode_reply(&back).expect("a reply")
    }

    #[test]
    fn every_cell_survives_the_pipe() {
        let when = NaiveDate::from_ymd_opt(2019, 3, 31).unwrap().and_hms_milli_opt(13, 5, 7, 250).unwrap();
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
        let long_ago = NaiveDate::from_ymd_opt(-44, 3, 15).unwrap().and_hms_opt(0, 0, 0).unwrap();
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
            (9, Cell::Date(leap)),
            (10, Cell::Date(long_ago)),
            (11, Cell::Number(f64::from_bits(0xFFF8_0000_DEAD_BEEF))),
            (12, Cell::Number(-0.0)),
        ];
        let workbook = Workbook {
            sheets: vec![Grid { name: "Progress".into(), visible: false, rows: vec![Row { index: 6, cells: cells.clone() }], lines: None }],
            unreadable_sheets: vec![("Chart".into(), "no range".into())],
        };
        let back = round_trip(Reply::from_result(Ok(workbook))).into_result().unwrap();
        let row = &back.sheets[0].rows[0];
        assert_eq!(row.index, 6);
        assert_eq!(row.cells.len(), cells.len());
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
    fn only_a_whole_reply_decodes() {
        let mut encoded = postcard::to_allocvec(&Reply::from_result(Err(Failure::encrypted()))).unwrap();
        assert!(decode_reply(&encoded).is_some());
        assert!(decode_reply(&encoded[..encoded.len() - 1]).is_none(), "cut short");
        encoded.push(0);
        assert!(decode_reply(&encoded).is_none(), "a byte after it");
        assert!(decode_reply(b"{\"Failed\":{}}").is_none(), "JSON, or anything else");
        assert!(decode_reply(&[]).is_none());
    }

    #[test]
    fn failures_keep_their_code() {
        let failure = round_trip(Reply::from_result(Err(Failure::encrypted()))).into_result().unwrap_err();
        assert_eq!(failure, Failure::encrypted());
        let odd = Reply::Failed { code: "made-up".into(), message: "m".into(), hint: None }.into_result().unwrap_err();
        assert_eq!(odd.code, "file-unreadable");
    }

    #[test]
    fn workbooks_cross_the_pipe_one_frame_each() {
        let mut pipe = Vec::new();
        write_frame(&mut pipe, Format::Xlsx, b"PK first").unwrap();
        write_frame(&mut pipe, Format::Ods, b"").unwrap();
        write_frame(&mut pipe, Format::Xls, b"second").unwrap();
        let mut input = pipe.as_slice();
        assert_eq!(read_workbook_frame(&mut input).unwrap(), Some((Format::Xlsx, b"PK first".to_vec())));
        assert_eq!(read_workbook_frame(&mut input).unwrap(), Some((Format::Ods, Vec::new())));
        assert_eq!(read_workbook_frame(&mut input).unwrap(), Some((Format::Xls, b"second".to_vec())));
        assert_eq!(read_workbook_frame(&mut input).unwrap(), None, "the end of the batch");
        // Cut short, in the first head or in the last workbook; an unknown format.
        for cut in [3, pipe.len() - 1] {
            let mut input = &pipe[..cut];
            let ending = std::iter::from_fn(|| Some(read_workbook_frame(&mut input))).find(|r| !matches!(r, Ok(Some(_))));
            assert!(matches!(ending, Some(Err(_))), "cut at {cut}");
        }
        assert!(read_workbook_frame(&mut &b"?\0\0\0\0\0\0\0\0"[..]).is_err());
    }

    #[test]
    fn only_whole_replies_are_taken() {
        let mut pipe = Vec::new();
        write_reply(&mut pipe, &Reply::from_result(Err(Failure::encrypted()))).unwrap();
        let one = pipe.len();
        // Longer than a chunk: it goes in several.
        let long = Failure::unreadable("é".repeat(100_000));
        write_reply(&mut pipe, &Reply::from_result(Err(long.clone()))).unwrap();
        let mut output = pipe.as_slice();
        let first = read_frame(&mut output).unwrap().unwrap();
        assert_eq!(decode_reply(&first).unwrap().into_result().unwrap_err(), Failure::encrypted());
        let second = read_frame(&mut output).unwrap().unwrap();
        assert!(second.len() > 3 * REPLY_CHUNK);
        assert_eq!(decode_reply(&second).unwrap().into_result().unwrap_err(), long);
        assert_eq!(read_frame(&mut output).unwrap(), None, "the child's stdout ended between replies");
        // A reply cut short, and a stray print where a reply should start:
        // not waited on for a length it does not have.
        assert!(read_frame(&mut &pipe[..one - 1]).is_err());
        assert!(read_frame(&mut &b"hello from calamine\n"[..]).is_err());
        // A child of its own writes exactly one reply.
        assert!(single_reply(&pipe[..one]).is_some());
        assert!(single_reply(&pipe).is_none(), "two replies");
        assert!(single_reply(&pipe[..one - 1]).is_none(), "cut short");
        assert!(single_reply(b"").is_none());
    }

    #[test]
    fn without_a_child_program_the_reader_runs_here() {
        // No program is registered in unit tests: isolation falls back.
        assert!(child_program().is_none());
        let read = read_workbook(b"PK\x03\x04 not really a zip", Format::Xlsx, &Limits::default());
        assert_eq!(read.result.unwrap_err().code, "file-unreadable");
        assert_eq!(read.weakened, None, "reading here was what was asked for");
        let mut reader = WorkbookReader::new(&Limits::default(), 4);
        assert!(reader.read(b"PK\x03\x04 not really a zip", Format::Xlsx).result.is_err());
        assert_eq!(reader.children_started(), 0);
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
