//! Every input the fuzzers found a fault with, fed back through the public
//! API with the fuzz target's own checks. The inputs live in
//! `tests/fixtures/fuzz/`, named after the target that found them
//! (`read_return-…`, `csv-…`, `plan-…`, `pdf_text-…`); for `read_return` the
//! first byte picks the file's extension, as in the target. Named tests below
//! also say what the user sees for each one. See docs/fuzzing.md.

#[path = "../fuzz/checks.rs"]
mod checks;

use csp_report::plan::Plan;
use csp_report::returns::{FileOutcome, ReadReport};
use std::path::Path;
use std::sync::OnceLock;

const FIXTURES: &str = "tests/fixtures/fuzz";

fn plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(checks::shipped_plan)
}

/// The `read_return` target's checks, in a fresh returns folder.
fn read_return(data: &[u8]) -> ReadReport {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    checks::read_return(plan(), &returns, data).unwrap_or_default()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_fuzz_finding_passes_its_target() {
    let mut ran = 0;
    for entry in std::fs::read_dir(FIXTURES).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let data = std::fs::read(entry.path()).unwrap();
        match name.split_once('-').map(|(target, _)| target) {
            Some("read_return") => drop(read_return(&data)),
            Some("csv") => checks::csv(&data),
            Some("plan") => checks::plan_text(&data),
            // Every finding is written as a PDF too, however it starts.
            Some("pdf_text") => checks::pdf_text(&data, true),
            _ => panic!("{name}: a fuzz fixture is named after its target (read_return-, csv-, plan-, pdf_text-)"),
        }
        ran += 1;
    }
    assert!(ran > 0, "no fixtures found in {FIXTURES}");
}

/// An .xls form with one byte changed in a NAME record: calamine 0.38 indexes
/// past the end of the record (xls.rs `parse_lbl`) and panics. The reader
/// catches it: the file is one clear error, not a crash.
#[test]
fn an_xls_whose_name_record_panics_calamine_is_one_unreadable_file() {
    let report = read_return(&fixture("read_return-xls-name-record-panics-calamine"));
    let account = &report.accounts[0];
    assert!(matches!(account.outcome, FileOutcome::Unreadable { .. }), "{:?}", account.outcome);
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == csp_report::diagnostics::Severity::Error).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "file-unreadable");
    assert_eq!(errors[0].place.to_string(), "returns/police.xls");
    assert!(errors[0].message.contains("the spreadsheet reader failed"), "{}", errors[0].message);
}
