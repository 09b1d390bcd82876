//! Laying out arbitrary Unicode text into the PDF. The input, as UTF-8
//! (lossy), is split on `|` into pieces that become what return text becomes
//! in the reports: a heading, rich-text runs, table cells, bullets, label and
//! value rows; and the whole as template prose through the Markdown reader.
//! The flow is laid out, wrapped at a narrow width, and written as PDF bytes.
//! Nothing may panic, every position must be a finite number on the page,
//! and the PDF must come out (for inputs starting with `%`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Writing the bytes (font subsetting, compression) is a hundred times
    // slower than layout: only inputs starting with `%` go that far, so the
    // fuzzer spends its time on shaping and layout and can still reach it.
    checks::pdf_text(data, data.starts_with(b"%"));
});
