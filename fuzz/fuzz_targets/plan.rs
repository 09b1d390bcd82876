//! Loading a plan from arbitrary text: `parse_plan` must return a plan or a
//! list of problems, never panic; a plan it accepts must find each of its actions by id
//! and list its lead agencies' actions.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    checks::plan_text(data);
});
