//! Reading a CSV return from arbitrary bytes: a grid or a `Failure`, never a
//! panic; every row's line number lies within the file.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    checks::csv(data);
});
