//! Reading a return from arbitrary bytes under each extension. The first
//! byte picks the name the file arrives under (.xlsx, .xls, .ods, .csv); the
//! rest is the file, read through the public `read_returns` against the
//! shipped plan, exactly as a file dropped into the returns folder. Whatever
//! the bytes, the reader must account for the file (read, or one error
//! saying why) and never abort or let a panic out.
#![no_main]

use csp_report::returns::{read_returns, FileOutcome, ReadOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const EXTENSIONS: [&str; 4] = ["xlsx", "xls", "ods", "csv"];

struct Setup {
    plan: csp_report::plan::Plan,
    dir: tempfile::TempDir,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let plan = csp_report::plan::parse_plan(include_str!("../../input/plan.toml"), "input/plan.toml").expect("the shipped plan loads");
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(dir.path().join("returns")).expect("the returns folder");
        Setup { plan, dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let setup = setup();
    let returns = setup.dir.path().join("returns");
    let extension = EXTENSIONS[selector as usize % EXTENSIONS.len()];
    let path = returns.join(format!("police.{extension}"));
    std::fs::write(&path, bytes).expect("write the return");
    let report = read_returns(&returns, &setup.plan, &ReadOptions::default());
    std::fs::remove_file(&path).expect("remove the return");
    assert_eq!(report.accounts.len(), 1, "the one file is accounted for");
    let account = &report.accounts[0];
    assert_eq!(account.rows_read, account.rows_accepted + account.rows_rejected, "every row is accepted or rejected");
    if let FileOutcome::Unreadable { .. } = account.outcome {
        assert!(report.diagnostics.has_errors(), "an unreadable file has an error saying why");
    }
});
