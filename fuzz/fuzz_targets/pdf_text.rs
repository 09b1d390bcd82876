//! Laying out arbitrary Unicode text into the PDF. The input, as UTF-8
//! (lossy), is split on `|` into pieces that become what return text becomes
//! in the reports: a heading, rich-text runs, table cells, bullets, label and
//! value rows; and the whole as template prose through the Markdown reader.
//! The flow is laid out, wrapped at a narrow width, and written as PDF bytes.
//! Nothing may panic, every position must be a finite number on the page,
//! and the PDF must come out (for inputs starting with `%`).
#![no_main]

use csp_report::render::pdf::layout::{lay_out, Block, Cell, Column, Flow, Furniture, Item, PageStyle, Paragraph, Table};
use csp_report::render::pdf::markdown;
use csp_report::render::pdf::text::{self, Span};
use csp_report::render::pdf::write::{write_pdf, Metadata};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
            if let Item::Text { line, .. } = item {
                assert!(line.glyphs.iter().all(|g| g.x.is_finite() && g.dx.is_finite() && g.dy.is_finite()));
            }
        }
    }
    // Writing the bytes (font subsetting, compression) is a hundred times
    // slower than layout: only inputs starting with `%` go that far, so the
    // fuzzer spends its time on shaping and layout and can still reach it.
    if !text.starts_with('%') {
        return;
    }
    let meta = Metadata {
        title: piece(0),
        author: piece(1),
        subject: piece(2),
        date: chrono::NaiveDate::from_ymd_opt(2019, 1, 14).expect("a date"),
    };
    let pdf = write_pdf(&laid, &meta).expect("the PDF is written");
    assert!(pdf.starts_with(b"%PDF"));
});
