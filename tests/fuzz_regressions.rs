//! Every input the fuzzers found a fault with, fed back through the public
//! API with the fuzz target's own checks. The inputs live in
//! `tests/fixtures/fuzz/`, named after the target that found them
//! (`read_return-…`, `csv-…`, `plan-…`, `pdf_text-…`); for `read_return` the
//! first byte picks the file's extension, as in the target. Named tests below
//! also say what the user sees for each one. See docs/fuzzing.md.

use chrono::NaiveDate;
use csp_report::plan::{parse_plan, Plan};
use csp_report::render::pdf::layout::{lay_out, Block, Cell, Column, Flow, Furniture, PageStyle, Paragraph, Table};
use csp_report::render::pdf::markdown;
use csp_report::render::pdf::text::{self, Span};
use csp_report::render::pdf::write::{write_pdf, Metadata};
use csp_report::returns::{read_returns, FileOutcome, ReadOptions, ReadReport};
use std::path::Path;
use std::sync::OnceLock;

const FIXTURES: &str = "tests/fixtures/fuzz";
const EXTENSIONS: [&str; 4] = ["xlsx", "xls", "ods", "csv"];

fn plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(|| parse_plan(include_str!("../input/plan.toml"), "input/plan.toml").expect("the shipped plan loads"))
}

/// The `read_return` target: the file under the extension its first byte picks.
fn read_return(data: &[u8]) -> ReadReport {
    let Some((&selector, bytes)) = data.split_first() else { return ReadReport::default() };
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    std::fs::write(returns.join(format!("police.{}", EXTENSIONS[selector as usize % EXTENSIONS.len()])), bytes).unwrap();
    let report = read_returns(&returns, plan(), &ReadOptions::default());
    assert_eq!(report.accounts.len(), 1, "the one file is accounted for");
    let account = &report.accounts[0];
    assert_eq!(account.rows_read, account.rows_accepted + account.rows_rejected, "every row is accepted or rejected");
    if let FileOutcome::Unreadable { .. } = account.outcome {
        assert!(report.diagnostics.has_errors(), "an unreadable file has an error saying why");
    }
    report
}

/// The `csv` target.
fn csv(data: &[u8]) {
    if let Ok(grid) = csp_report::returns::csv::read_csv(data) {
        let lines = grid.lines.as_ref().expect("a CSV grid knows its lines");
        let line_count = data.iter().filter(|b| **b == b'\n').count() + 1;
        for row in &grid.rows {
            let line = lines[row.index as usize];
            assert!(line >= 1 && line <= line_count, "row {} on line {line} of {line_count}", row.index);
        }
    }
}

/// The `plan` target.
fn plan_text(data: &[u8]) {
    if let Ok(plan) = parse_plan(&String::from_utf8_lossy(data), "input/plan.toml") {
        assert!(!plan.hash.is_empty());
        for action in plan.actions() {
            assert!(plan.action(&action.id).is_some(), "action {:?} cannot be found by its own id", action.id);
        }
    }
}

/// The `pdf_text` target.
fn pdf_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let pieces: Vec<&str> = text.split('|').collect();
    let piece = |i: usize| pieces.get(i % pieces.len()).copied().unwrap_or_default().to_string();
    let spans = vec![Span::plain(piece(0)), Span::bold(piece(1)), Span::italic(piece(2))];
    let _ = text::wrap(&spans, 9.5, 40.0, &mut Vec::new());
    let _ = text::measure(&spans, 7.0);
    let mut blocks = vec![
        Block::Heading { level: 1, text: piece(0), outline: true },
        Block::Contents,
        Block::Paragraph(Paragraph::new(spans.clone())),
        Block::Table(Table {
            columns: vec![Column::new(piece(1), 1.0), Column::new("Status", 0.4), Column::new(piece(3), 2.0)],
            rows: vec![
                vec![Cell::text(piece(2)), Cell::text("Green"), Cell::paragraphs(vec![spans.clone(), vec![Span::plain(piece(4))]])],
                vec![Cell::text(piece(5)), Cell::spans(vec![Span::bold(piece(6))]), Cell::text(text.to_string())],
            ],
            size: 8.0,
        }),
        Block::Bullets { items: vec![vec![Span::plain(piece(7))], spans.clone()], size: 9.5 },
        Block::KeyValues { rows: vec![(piece(8), vec![Span::plain(piece(9))])], size: 9.5 },
        Block::PageBreak(Some(PageStyle::A4_LANDSCAPE)),
    ];
    blocks.extend(markdown::blocks(&text, 2));
    let flow = Flow {
        page: PageStyle::A4_PORTRAIT,
        furniture: Furniture { header_left: piece(10), header_right: piece(11), footer_left: piece(12) },
        blocks,
    };
    let laid = lay_out(&flow);
    for page in &laid.pages {
        for item in &page.items {
            let (left, top, right, bottom) = item.bounds();
            assert!([left, top, right, bottom].iter().all(|v| v.is_finite()), "a non-finite position: {item:?}");
            assert!(top >= -1.0 && bottom <= page.style.height + 1.0, "drawn off the page: {:?}", (left, top, right, bottom));
        }
    }
    let meta = Metadata { title: piece(0), author: piece(1), subject: piece(2), date: NaiveDate::from_ymd_opt(2019, 1, 14).unwrap() };
    let pdf = write_pdf(&laid, &meta).expect("the PDF is written");
    assert!(pdf.starts_with(b"%PDF"));
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
            Some("csv") => csv(&data),
            Some("plan") => plan_text(&data),
            Some("pdf_text") => pdf_text(&data),
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
