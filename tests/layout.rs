//! The page layout layer on its own: tables that run over pages, cells
//! taller than a page, headings kept with what follows, the margins, and
//! determinism. These look at the laid-out boxes, not at a PDF.

use csp_report::render::pdf::chart::{Chart, ChartRow, Series};
use csp_report::render::pdf::layout::*;
use csp_report::render::pdf::text::Span;
use csp_report::render::pdf::write::{write_pdf, Metadata};

fn furniture() -> Furniture {
    Furniture { header_left: "Test Partnership".into(), header_right: "2018-19 Q3".into(), footer_left: "Produced 14 January 2019".into() }
}

fn flow(blocks: Vec<Block>) -> Flow {
    Flow { page: PageStyle::A4_PORTRAIT, furniture: furniture(), blocks }
}

fn long_table(rows: usize) -> Block {
    Block::Table(Table {
        columns: vec![Column::new("Ref", 1.0), Column::new("Description", 4.0), Column::new("Owner", 2.0)],
        rows: (0..rows)
            .map(|i| {
                vec![
                    Cell::text(format!("R{i}")),
                    Cell::text(format!("Row {i} describes a piece of work that wraps over more than one line of the cell.")),
                    Cell::text("Lancashire Constabulary"),
                ]
            })
            .collect(),
        size: 8.0,
    })
}

/// The texts on a page, furniture (header and footer) left out.
fn body_lines(page: &Page) -> Vec<(f32, f32, String)> {
    let s = page.style;
    page.lines().filter(|(_, y, _)| *y > s.content_top() && *y < s.content_bottom()).collect()
}

#[test]
fn a_table_longer_than_three_pages_repeats_its_header_on_each_page() {
    let laid = lay_out(&flow(vec![heading(1, "Register"), long_table(150)]));
    assert!(laid.pages.len() > 3, "{} pages", laid.pages.len());
    let mut seen_rows = Vec::new();
    for (n, page) in laid.pages.iter().enumerate() {
        let lines = body_lines(page);
        let header = lines.iter().find(|(_, _, t)| t == "Description").unwrap_or_else(|| panic!("no header row on page {}", n + 1));
        // The header is above every row of the page.
        for (_, y, t) in &lines {
            if t.starts_with("Row ") {
                assert!(*y > header.1, "row {t} above the header on page {}", n + 1);
            }
        }
        seen_rows.extend(lines.iter().filter(|(_, _, t)| t.starts_with('R') && t[1..].parse::<usize>().is_ok()).map(|(_, _, t)| t.clone()));
    }
    let expected: Vec<String> = (0..150).map(|i| format!("R{i}")).collect();
    assert_eq!(seen_rows, expected, "every row once, in order");
}

#[test]
fn a_cell_longer_than_a_page_is_split_with_continued() {
    let words: Vec<String> = (0..1500).map(|i| format!("w{i}")).collect();
    let table = Block::Table(Table {
        columns: vec![Column::new("ID", 1.0), Column::new("Update", 5.0)],
        rows: vec![vec![Cell::text("A1"), Cell::text(words.join(" "))], vec![Cell::text("A2"), Cell::text("short")]],
        size: 8.0,
    });
    let laid = lay_out(&flow(vec![table]));
    assert!(laid.pages.len() >= 2, "{} pages", laid.pages.len());
    let mut found = Vec::new();
    for (n, page) in laid.pages.iter().enumerate() {
        let lines = body_lines(page);
        if n > 0 {
            assert!(lines.iter().any(|(_, _, t)| t == "(continued)"), "no (continued) on page {}", n + 1);
        }
        for (_, _, t) in lines {
            found.extend(t.split_whitespace().filter(|w| w.starts_with('w')).map(str::to_string));
        }
    }
    assert_eq!(found, words, "every word of the cell, in order, across the pages");
}

#[test]
fn a_heading_is_never_last_on_a_page() {
    let mut blocks = Vec::new();
    for i in 0..40 {
        blocks.push(heading(2, format!("Heading {i}")));
        blocks.push(para(vec![Span::plain(
            "A paragraph of body text that runs to two lines when it is set in the body size across the page width of A4 paper. ".repeat(2),
        )]));
    }
    let laid = lay_out(&flow(blocks));
    for (n, page) in laid.pages.iter().enumerate() {
        let lines = body_lines(page);
        let last = lines.last().unwrap();
        assert!(!last.2.starts_with("Heading"), "page {} ends with {}", n + 1, last.2);
    }
    // The outline knows each heading's page.
    assert_eq!(laid.outline.len(), 40);
    assert!(laid.outline.windows(2).all(|w| w[0].page <= w[1].page));
}

fn everything() -> Flow {
    let mut blocks = vec![
        Block::Paragraph(Paragraph::new(vec![Span::bold("Quarterly progress report")]).size(28.0)),
        Block::Contents { title: "Contents".into() },
        heading(1, "Summary"),
        para(vec![Span::plain("Plain, "), Span::bold("bold"), Span::plain(" and "), Span::italic("italic"), Span::plain(" text.")]),
        para(vec![Span::plain("x".repeat(400))]),
        para(vec![Span::plain("پولیس نے رات کے وقت گشت میں اضافہ کیا ہے ".repeat(8))]),
        para(vec![Span::plain("શાળાઓમાં જાગૃતિ સત્રો પૂર્ણ થયા ".repeat(8))]),
        Block::Bullets { items: vec![vec![Span::plain("One")], vec![Span::plain("Two ".repeat(60))]], size: 9.5 },
        Block::KeyValues {
            rows: vec![
                ("Rows read".into(), vec![Span::plain("60")]),
                ("A long key that wraps in its column".into(), vec![Span::plain("y ".repeat(200))]),
            ],
            size: 9.5,
        },
        Block::Chart(Chart {
            series: vec![
                Series { label: "Green".into(), colour: Colour::hex("A9D08E") },
                Series { label: "Red".into(), colour: Colour::hex("F4A6A6") },
            ],
            rows: vec![
                ChartRow { label: "A group with a long name that wraps".into(), values: vec![3, 2], total: "5 actions".into() },
                ChartRow { label: "Small".into(), values: vec![0, 1], total: "1 action".into() },
            ],
        }),
        Block::Spacer(500.0),
        long_table(60),
        Block::PageBreak(Some(PageStyle::A4_LANDSCAPE)),
        heading(1, "Landscape"),
        long_table(40),
    ];
    blocks.push(Block::PageBreak(Some(PageStyle::A4_PORTRAIT)));
    blocks.push(heading(1, "Back to portrait"));
    Flow { page: PageStyle::A4_PORTRAIT, furniture: furniture(), blocks }
}

#[test]
fn nothing_is_drawn_outside_the_margins() {
    let laid = lay_out(&everything());
    assert!(laid.pages.iter().any(|p| p.style == PageStyle::A4_LANDSCAPE));
    for (n, page) in laid.pages.iter().enumerate() {
        let s = page.style;
        for item in &page.items {
            let (l, t, r, b) = item.bounds();
            let inside = l >= s.margin - 0.01 && t >= s.margin - 0.01 && r <= s.width - s.margin + 0.01 && b <= s.height - s.margin + 0.01;
            assert!(inside, "page {}: {:?} at ({l}, {t}, {r}, {b}) is outside the margins", n + 1, item.text());
        }
    }
}

#[test]
fn contents_lists_the_pages_of_the_headings() {
    let laid = lay_out(&everything());
    let contents: Vec<String> = body_lines(&laid.pages[0]).into_iter().map(|(_, _, t)| t).collect();
    for entry in &laid.outline {
        let i = contents.iter().position(|t| *t == entry.title).unwrap_or_else(|| panic!("{} not in the contents", entry.title));
        // The number follows its title.
        assert!(contents[i + 1..].contains(&(entry.page + 1).to_string()), "{}: page {}", entry.title, entry.page + 1);
    }
}

#[test]
fn layout_and_pdf_are_deterministic() {
    let flow = everything();
    let (a, b) = (lay_out(&flow), lay_out(&flow));
    assert_eq!(a, b);
    let meta = Metadata {
        title: "T".into(),
        author: "A".into(),
        subject: "S".into(),
        date: chrono::NaiveDate::from_ymd_opt(2019, 1, 14).unwrap(),
    };
    assert_eq!(write_pdf(a, &meta).unwrap(), write_pdf(b, &meta).unwrap());
}
