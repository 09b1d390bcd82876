//! What each fuzz target feeds the library and checks, in one place: the
//! targets in `fuzz_targets/` call these with the fuzzer's bytes, and
//! `tests/fuzz_regressions.rs` calls them with every saved finding, so a
//! regression fixture runs exactly its target's checks. Included by both
//! with `#[path]`: the fuzz crate is its own workspace and cannot share a
//! library with the tests. See docs/fuzzing.md.
#![allow(dead_code)] // each includer uses some of the checks

use csp_report::plan::{parse_plan, Plan};
use csp_report::render::pdf::layout::{lay_out, Block, Cell, Column, Flow, Furniture, Item, PageStyle, Paragraph, Table};
use csp_report::render::pdf::markdown;
use csp_report::render::pdf::text::{self, Span};
use csp_report::render::pdf::write::{write_pdf, Metadata};
use csp_report::returns::{read_returns, FileOutcome, ReadOptions, ReadReport};
use std::path::Path;

/// The extensions a return arrives under; the first input byte picks one.
pub const EXTENSIONS: [&str; 4] = ["xlsx", "xls", "ods", "csv"];

/// The shipped plan, which returns are read against.
pub fn shipped_plan() -> Plan {
    parse_plan(include_str!("../input/plan.toml"), "input/plan.toml").expect("the shipped plan loads")
}

/// `read_return`: the input after its first byte, saved into the empty
/// folder `returns` under the extension the first byte picks and read as a
/// returns folder, then removed. The file is accounted for (read, or
/// unreadable with an error saying why), and every row is accepted or
/// rejected. `None` for an empty input.
pub fn read_return(plan: &Plan, returns: &Path, data: &[u8]) -> Option<ReadReport> {
    let (&selector, bytes) = data.split_first()?;
    let path = returns.join(format!("police.{}", EXTENSIONS[selector as usize % EXTENSIONS.len()]));
    std::fs::write(&path, bytes).expect("write the return");
    let report = read_returns(returns, plan, &ReadOptions::default());
    std::fs::remove_file(&path).expect("remove the return");
    assert_eq!(report.accounts.len(), 1, "the one file is accounted for");
    let account = &report.accounts[0];
    assert_eq!(
        account.rows_read,
        account.rows_accepted + account.rows_rejected + account.rows_notes,
        "every row is accepted, rejected or kept as a note"
    );
    if let FileOutcome::Unreadable { .. } = account.outcome {
        assert!(report.diagnostics.has_errors(), "an unreadable file has an error saying why");
    }
    Some(report)
}

/// `csv`: a grid or a failure, never a panic; every row's line number lies
/// within the file.
pub fn csv(data: &[u8]) {
    if let Ok(grid) = csp_report::returns::csv::read_csv(data) {
        let lines = grid.lines.as_ref().expect("a CSV grid knows its lines");
        let line_count = data.iter().filter(|b| **b == b'\n').count() + 1;
        for row in &grid.rows {
            let line = lines[row.index as usize];
            assert!(line >= 1 && line <= line_count, "row {} on line {line} of {line_count}", row.index);
        }
    }
}

/// `plan`: a plan or a list of problems, never a panic; a plan it accepts
/// finds each of its actions by id and lists its lead agencies' actions.
pub fn plan_text(data: &[u8]) {
    if let Ok(plan) = parse_plan(&String::from_utf8_lossy(data), "input/plan.toml") {
        assert!(!plan.hash.is_empty());
        for action in plan.actions() {
            assert!(plan.action(&action.id).is_some(), "action {:?} cannot be found by its own id", action.id);
        }
        for agency in plan.lead_agencies() {
            let _ = plan.actions_led_by(&agency.id).count();
        }
    }
}

/// `pdf_text`: the input as UTF-8 (lossy), split on `|` into pieces that
/// become what return text becomes in the reports (a heading, rich-text
/// runs, table cells, bullets, label and value rows) and the whole as
/// template prose through the Markdown reader, laid out and, when `write`
/// is true, written as PDF bytes. Nothing may panic, and every position must
/// be a finite number on the page.
pub fn pdf_text(data: &[u8], write: bool) {
    let text = String::from_utf8_lossy(data);
    let pieces: Vec<&str> = text.split('|').collect();
    let piece = |i: usize| pieces.get(i % pieces.len()).copied().unwrap_or_default().to_string();

    let spans = vec![Span::plain(piece(0)), Span::bold(piece(1)), Span::italic(piece(2))];
    let _ = text::wrap(&spans, 9.5, 40.0, &mut Vec::new());
    let _ = text::measure(&spans, 7.0);

    let mut blocks = vec![
        Block::Heading { level: 1, text: piece(0) },
        Block::Contents { title: piece(1) },
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
            if let Item::Text { line, .. } = item {
                assert!(line.glyphs.iter().all(|g| g.x.is_finite() && g.dx.is_finite() && g.dy.is_finite()));
            }
        }
    }
    if !write {
        return;
    }
    let meta = Metadata {
        title: piece(0),
        author: piece(1),
        subject: piece(2),
        date: chrono::NaiveDate::from_ymd_opt(2019, 1, 14).expect("a date"),
    };
    let pdf = write_pdf(laid, &meta).expect("the PDF is written");
    assert!(pdf.starts_with(b"%PDF"));
}
