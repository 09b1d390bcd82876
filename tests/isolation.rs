//! The last line of defence: a workbook that makes calamine abort the process
//! (here one whose shared-strings table declares four billion entries, with
//! the guard that normally refuses it out of the way) costs that one file
//! when read in a child process, and the run goes on with the other returns.
//! And when the child cannot be started, the file is still read, with a
//! warning once per run.
//!
//! Which limits these tests rely on, by system (see `returns::isolate`):
//! - **Linux**: `RLIMIT_AS` caps the child's address space, so the
//!   crafted file's huge allocation fails and the child aborts saying
//!   "memory allocation … failed": the "needed more than the 512 MiB"
//!   message is checked. `RLIMIT_CPU` (`SIGXCPU`) is set too, but no test
//!   here spins for a minute; the mapping of `SIGXCPU` to its message is a
//!   unit test in `returns::isolate`.
//! - **Windows**: a Job Object's per-process memory limit refuses the same
//!   allocation, the child aborts with the same words, and the message is
//!   the same; the job's per-process time limit ends a spinning child with
//!   `ERROR_NOT_ENOUGH_QUOTA`. These tests are built for Windows (`cargo
//!   check --target x86_64-pc-windows-gnu --tests` in CI) but CI runs them on
//!   Linux only; the exit-code mapping is unit-tested on every system.
//! - **macOS**: the kernel accepts `RLIMIT_AS` but does not enforce it; the
//!   crafted file is still refused only because the allocation it asks
//!   for (about 100 GB) fails on its own.

use assert_cmd::Command;
use chrono::NaiveDate;
use csp_report::config::Limits;
use csp_report::forms::{build_form, FilledRow, FilledValue, FormSettings};
use csp_report::plan::{load_plan, Period, Plan};
use csp_report::returns::guard::Format;
use csp_report::returns::{isolate, sheet};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

const BINARY: &str = env!("CARGO_BIN_EXE_csp-report");

fn plan() -> Plan {
    load_plan(Path::new("input/plan.toml")).expect("the shipped plan loads")
}

/// A filled form for the plan's first lead agency, and that agency's name.
fn form(plan: &Plan) -> (Vec<u8>, String) {
    form_for(plan, 0)
}

/// A filled form, with two rows, for the plan's `n`th lead agency (counting
/// round), and that agency's name.
fn form_for(plan: &Plan, n: usize) -> (Vec<u8>, String) {
    let leads = plan.lead_agencies().count();
    let agency = plan.lead_agencies().nth(n % leads).expect("a lead agency");
    let fill: Vec<FilledRow> = plan
        .actions_led_by(&agency.id)
        .take(2)
        .map(|a| FilledRow {
            action_id: a.id.clone(),
            status: Some(FilledValue::Text("Green".into())),
            percent: Some(FilledValue::Number(75.0)),
            update: "On track".into(),
            ..FilledRow::default()
        })
        .collect();
    let settings = FormSettings {
        deadline: NaiveDate::from_ymd_opt(2019, 1, 14).unwrap(),
        contact: "csp@example.org".into(),
        generated: NaiveDate::from_ymd_opt(2018, 12, 31).unwrap(),
    };
    let period: Period = "2018-19 Q3".parse().unwrap();
    (build_form(plan, agency, period, None, &settings, &fill).unwrap().bytes, agency.name.clone())
}

/// The same package with its shared-strings table declaring four billion
/// strings: calamine reserves room for them all and the allocation fails,
/// which aborts the process.
fn declaring_four_billion_strings(xlsx: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut patched = false;
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut content = Vec::new();
        part.read_to_end(&mut content).unwrap();
        if name == "xl/sharedStrings.xml" {
            let text = String::from_utf8(content).unwrap();
            let start = text.find("uniqueCount=\"").expect("a uniqueCount") + "uniqueCount=\"".len();
            let end = start + text[start..].find('"').unwrap();
            content = format!("{}4000000000{}", &text[..start], &text[end..]).into_bytes();
            patched = true;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&content).unwrap();
    }
    assert!(patched, "the form has a shared-strings table");
    out.finish().unwrap().into_inner()
}

#[test]
fn a_good_workbook_reads_the_same_in_a_child() {
    let (xlsx, _) = form(&plan());
    let here = sheet::read_workbook(&xlsx, Format::Xlsx).unwrap();
    let read = isolate::read_workbook_in_child(Path::new(BINARY), &xlsx, Format::Xlsx, &Limits::default());
    assert_eq!(read.weakened, None, "the child started, with its limits");
    let there = read.result.unwrap();
    assert_eq!(there.sheets, here.sheets);
    assert_eq!(there.unreadable_sheets, here.unreadable_sheets);
    assert!(there.sheets.iter().any(|g| g.name == "Progress" && g.rows.len() > 8));
}

#[test]
fn a_workbook_that_aborts_the_reader_costs_one_file_in_a_child() {
    let (xlsx, _) = form(&plan());
    let hostile = declaring_four_billion_strings(&xlsx);
    // Straight to the child: no guard in the way. In this process the same
    // call would abort the test run.
    let limits = Limits { max_child_memory_bytes: 512 << 20, ..Limits::default() };
    let failure = isolate::read_workbook_in_child(Path::new(BINARY), &hostile, Format::Xlsx, &limits).result.unwrap_err();
    assert_eq!(failure.code, "file-refused");
    assert!(
        failure.message.starts_with("refused: the workbook could not be read safely: it needed more than the 512 MiB"),
        "{}",
        failure.message
    );
    // And this process is still here to read the next file.
    assert!(isolate::read_workbook_in_child(Path::new(BINARY), &xlsx, Format::Xlsx, &limits).result.is_ok());
}

#[test]
fn the_run_goes_on_when_a_child_dies() {
    let plan = plan();
    let (xlsx, agency_name) = form(&plan);
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    std::fs::write(returns.join("good.xlsx"), &xlsx).unwrap();
    std::fs::write(returns.join("crafted.xlsx"), declaring_four_billion_strings(&xlsx)).unwrap();
    // A limit raised far too high lets the file past the guard: only the
    // child process stands between it and the run.
    let config = loose_limits_config(dir.path());
    let output = Command::new(BINARY).arg("--config").arg(&config).arg("validate").current_dir(dir.path()).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "problems found, not a crash\nstdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains("returns/crafted.xlsx"), "{stderr}");
    assert!(stderr.contains("file-refused") && stderr.contains("could not be read safely"), "{stderr}");
    assert!(stdout.contains(&agency_name), "the good return is in the account: {stdout}");
    assert!(stdout.contains("returns/good.xlsx") && stdout.contains("= 2 accepted"), "{stdout}");
}

/// One child reads a batch of workbooks; one that kills it partway costs
/// that file only. The workbooks already read keep their results, the one
/// it died on is read again alone (so its refusal is exactly what a child
/// of its own gives), and the rest go to a new child.
#[test]
fn a_batch_goes_on_past_a_workbook_that_kills_its_child() {
    let plan = plan();
    let (first, _) = form_for(&plan, 0);
    let (second, _) = form_for(&plan, 1);
    let hostile = declaring_four_billion_strings(&first);
    let limits = Limits { max_child_memory_bytes: 512 << 20, ..Limits::default() };
    let batch: [&[u8]; 6] = [&first, &second, &hostile, &second, &first, &second];

    let mut reader = isolate::WorkbookReader::in_children(Path::new(BINARY), &limits, batch.len());
    let reads: Vec<_> = batch.iter().map(|bytes| reader.read(bytes, Format::Xlsx)).collect();

    let alone = isolate::read_workbook_in_child(Path::new(BINARY), &hostile, Format::Xlsx, &limits).result.unwrap_err();
    assert_eq!(alone.code, "file-refused");
    for (i, (read, bytes)) in reads.into_iter().zip(batch).enumerate() {
        assert_eq!(read.weakened, None, "workbook {i}");
        if i == 2 {
            assert_eq!(read.result.unwrap_err(), alone, "the same refusal as a child of its own gives");
        } else {
            let here = sheet::read_workbook(bytes, Format::Xlsx).unwrap();
            let there = read.result.unwrap_or_else(|e| panic!("workbook {i}: {e:?}"));
            assert_eq!((there.sheets, there.unreadable_sheets), (here.sheets, here.unreadable_sheets), "workbook {i}");
        }
    }
    // The batch's child, the lone reading of the file it died on, and a
    // new child for the other three.
    assert_eq!(reader.children_started(), 3);
}

/// The processor-time limit is per workbook, not per child: a batch whose
/// workbooks together take longer than one file is allowed, each well
/// within it, is read by one child, none of them refused or read again.
#[test]
fn each_workbook_in_a_batch_has_its_own_processor_time() {
    // A workbook that takes a while to read (about a tenth of a second).
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for row in 0..25_000u32 {
        for col in 0..8u16 {
            sheet.write_number(row, col, f64::from(row) + f64::from(col) / 8.0).unwrap();
        }
    }
    let big = book.save_to_buffer().unwrap();
    let limits = Limits { max_child_cpu_seconds: 2, ..Limits::default() };
    let started = std::time::Instant::now();
    let here = sheet::read_workbook(&big, Format::Xlsx).unwrap();
    let one = started.elapsed();

    // Enough of them to take three seconds here, more in the child (which
    // also encodes each reply): longer than the two allowed for one.
    let count = ((3.0 / one.as_secs_f64().max(1e-3)).ceil() as usize).clamp(8, 100);
    let mut reader = isolate::WorkbookReader::in_children(Path::new(BINARY), &limits, count);
    for i in 0..count {
        let read = reader.read(&big, Format::Xlsx);
        assert_eq!(read.result.unwrap_or_else(|e| panic!("workbook {i}: {e:?}")).sheets, here.sheets, "workbook {i}");
    }
    // A read here that took half a second or more leaves too little room
    // under a budget that can be a second short (see `returns::isolate`);
    // the results above still had to be right.
    if one.as_secs_f64() < 0.5 {
        assert_eq!(reader.children_started(), 1, "no workbook ran out of time in the batch (one read here: {one:?})");
    }
}

/// A whole folder through the binary: enough returns that each reader
/// child is given a run of several, one of them crafted to kill it. Every
/// other return is read, in file order, and only the crafted one is refused.
#[test]
fn a_folder_read_in_batches_loses_only_the_file_that_kills_a_child() {
    let plan = plan();
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    let files = 30;
    let crafted = 13;
    let mut agencies = Vec::new();
    for i in 0..files {
        let (xlsx, agency) = form_for(&plan, i);
        let bytes = if i == crafted { declaring_four_billion_strings(&xlsx) } else { xlsx };
        std::fs::write(returns.join(format!("return-{i:02}.xlsx")), bytes).unwrap();
        // The form fills two rows, or one for an agency that leads one action.
        let lead = plan.lead_agencies().find(|a| a.name == agency).unwrap();
        agencies.push((agency, plan.actions_led_by(&lead.id).take(2).count()));
    }
    let config = loose_limits_config(dir.path());
    // One worker: runs of 8 files (30 over 4 runs), the crafted file the
    // sixth of the second run.
    let output = Command::new(BINARY)
        .arg("--config")
        .arg(&config)
        .arg("validate")
        .env("RAYON_NUM_THREADS", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "problems found, not a crash\nstdout: {stdout}\nstderr: {stderr}");
    let refused: Vec<&str> = stderr.lines().filter(|l| l.contains("file-refused")).collect();
    assert_eq!(refused.len(), 1, "{stderr}");
    assert!(
        refused[0].starts_with(
            "returns/return-13.xlsx: error [file-refused]: refused: the workbook could not be read safely: it needed more than the 1 GiB"
        ),
        "{stderr}"
    );
    // Each file's account, in file order, with its own agency's rows.
    let mut at = 0;
    for (i, (agency, filled)) in agencies.iter().enumerate() {
        let name = format!("returns/return-{i:02}.xlsx");
        let line = stdout.lines().skip(at).position(|l| l.trim_start().starts_with(&name)).map(|p| p + at);
        let line = line.unwrap_or_else(|| panic!("{name} after line {at}: {stdout}"));
        let text = stdout.lines().nth(line).unwrap();
        if i == crafted {
            assert!(text.contains("not read: refused: the workbook could not be read safely"), "{text}");
        } else {
            assert!(text.contains(agency.as_str()) && text.contains(&format!("= {filled} accepted")), "{text}");
        }
        at = line + 1;
    }
}

/// A reader child that cannot be started (the program is gone, or an
/// antivirus refuses it) does not lose the file: it is read here, and the
/// run says so once, with the reason, in the diagnostics that become the
/// terminal's warnings and validation.csv.
#[test]
fn when_the_child_cannot_start_the_files_are_read_here_with_one_warning() {
    let plan = plan();
    let (xlsx, agency_name) = form(&plan);
    let missing = std::env::temp_dir().join("csp-report-no-such-program").join("csp-report.exe");

    let read = isolate::read_workbook_in_child(&missing, &xlsx, Format::Xlsx, &Limits::default());
    assert!(read.result.is_ok(), "the file is still read");
    match read.weakened {
        Some(isolate::Weakened::InProcess(reason)) => {
            assert!(reason.contains("csp-report-no-such-program") && reason.contains("could not be started"), "{reason}")
        }
        other => panic!("expected InProcess, got {other:?}"),
    }

    // A whole folder: two workbooks, one warning. (This test binary reads
    // through `read_workbook_in_child` everywhere else, so registering a
    // missing program here changes no other test.)
    isolate::use_child_program(missing);
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    std::fs::write(returns.join("a.xlsx"), &xlsx).unwrap();
    std::fs::write(returns.join("b.xlsx"), &xlsx).unwrap();
    let options = csp_report::returns::ReadOptions { period: Some("2018-19 Q3".parse().unwrap()), limits: Limits::default() };
    let report = csp_report::returns::read_returns(&returns, &plan, &options);
    assert_eq!(report.returns.len(), 2, "both returns read");
    assert!(report.returns.iter().all(|r| plan.agencies.iter().any(|a| a.id == r.agency && a.name == agency_name)));
    let warnings: Vec<_> = report.diagnostics.iter().filter(|d| d.code == csp_report::returns::READER_NOT_ISOLATED).collect();
    assert_eq!(warnings.len(), 1, "once per run: {warnings:?}");
    let warning = warnings[0];
    assert_eq!(warning.severity, csp_report::diagnostics::Severity::Warning);
    assert_eq!(warning.place.file, "returns/a.xlsx");
    assert!(warning.message.contains("2 workbooks were read inside csp-report itself"), "{}", warning.message);
    assert!(warning.message.contains("could not be started"), "the reason: {}", warning.message);
    assert!(warning.hint.as_deref().is_some_and(|h| h.contains("antivirus")), "{warning:?}");
    // And it is a row of validation.csv.
    let csv = String::from_utf8(csp_report::render::csv::validation_csv(&report.diagnostics.into_vec()).unwrap()).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("returns/a.xlsx,,,warning,reader-not-isolated,")), "{csv}");
}

/// A `csp-report.toml` in `dir` reading `dir/returns` against the shipped
/// plan, with the shared-strings limit raised far too high: a crafted file
/// gets past the guard, and only the reader child stands between it and the run.
fn loose_limits_config(dir: &Path) -> PathBuf {
    let plan_path: PathBuf = std::fs::canonicalize("input/plan.toml").unwrap();
    let config = dir.join("csp-report.toml");
    std::fs::write(
        &config,
        format!(
            "plan = {:?}\nreturns = \"returns\"\nperiod = \"2018-19 Q3\"\n\n[limits]\nmax_shared_strings = 5000000000\nmax_child_memory_bytes = 1073741824\n",
            plan_path.display().to_string()
        ),
    )
    .unwrap();
    config
}
