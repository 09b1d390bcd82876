//! Reading a CSV return from arbitrary bytes: a grid or a `Failure`, never a
//! panic; every row's line number lies within the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(grid) = csp_report::returns::csv::read_csv(data) {
        let lines = grid.lines.as_ref().expect("a CSV grid knows its lines");
        let line_count = data.iter().filter(|b| **b == b'\n').count() + 1;
        for row in &grid.rows {
            let line = lines[row.index as usize];
            assert!(line >= 1 && line <= line_count, "row {} on line {line} of {line_count}", row.index);
        }
    }
});
