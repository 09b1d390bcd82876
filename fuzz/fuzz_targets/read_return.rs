//! Reading a return from arbitrary bytes under each extension. The first
//! byte picks the name the file arrives under (.xlsx, .xls, .ods, .csv); the
//! rest is the file, read through the public `read_returns` against the
//! shipped plan, exactly as a file dropped into the returns folder. Whatever
//! the bytes, the reader must account for the file (read, or one error
//! saying why) and never abort or let a panic out.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Setup {
    plan: csp_report::plan::Plan,
    dir: tempfile::TempDir,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(dir.path().join("returns")).expect("the returns folder");
        Setup { plan: checks::shipped_plan(), dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    checks::read_return(&setup.plan, &setup.dir.path().join("returns"), data);
});
