//! The page layout layer: a flow of blocks (headings, paragraphs with bold
//! and italic runs, bullet and key-value lists, tables, charts, spacers,
//! page breaks, a table of contents) laid into pages of positioned text,
//! rules and boxes. It knows nothing of partnerships or statuses: documents
//! build blocks, this module places them.
//!
//! Rules it keeps: a heading is never the last thing on a page
//! (keep-with-next); a table repeats its header row on every page it runs
//! onto; a row never leaves only its first line at the foot of a page, and a
//! row (or a single cell) too tall for the space left is split between lines
//! with "(continued)" at the top of the rest; nothing is drawn outside the
//! margins. A flow that prints page numbers in its body (a contents page)
//! is laid out twice: the first pass finds the page of every heading, the
//! second fills the contents with those numbers. Any other is laid out
//! once. Every page gets its header and "Page N of M" footer, drawn once the
//! page count is known.
//!
//! Coordinates are points from the top-left corner of the page.

use super::chart::{self, Chart};
use super::fonts::FontStyle;
use super::text::{self, Broken, Line, MissingGlyphs, Span};
use std::sync::{Arc, Mutex};

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Colour {
    pub const BLACK: Colour = Colour::rgb(0x1A, 0x1A, 0x1A);
    pub const WHITE: Colour = Colour::rgb(0xFF, 0xFF, 0xFF);
    /// Headings and the table header band.
    pub const ACCENT: Colour = Colour::rgb(0x1F, 0x38, 0x64);
    pub const MUTED: Colour = Colour::rgb(0x59, 0x59, 0x59);
    pub const RULE: Colour = Colour::rgb(0xBF, 0xBF, 0xBF);
    pub const ZEBRA: Colour = Colour::rgb(0xF4, 0xF6, 0xF9);

    pub const fn rgb(r: u8, g: u8, b: u8) -> Colour {
        Colour { r, g, b }
    }

    /// From six hex digits (`"A9D08E"`); grey when malformed.
    pub fn hex(hex: &str) -> Colour {
        let part = |i: usize| hex.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()).unwrap_or(0x80);
        Colour::rgb(part(0), part(2), part(4))
    }
}

/// Page size and margins, in points. Header and footer sit inside the margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageStyle {
    pub width: f32,
    pub height: f32,
    pub margin: f32,
    /// Height of the header band at the top of the margin box.
    pub header: f32,
    /// Height of the footer band at the bottom of the margin box.
    pub footer: f32,
}

impl PageStyle {
    /// A4 portrait with 18 mm margins.
    pub const A4_PORTRAIT: PageStyle = PageStyle { width: 595.276, height: 841.89, margin: 51.0, header: 26.0, footer: 26.0 };
    /// A4 landscape.
    pub const A4_LANDSCAPE: PageStyle = PageStyle { width: 841.89, height: 595.276, margin: 42.5, header: 24.0, footer: 24.0 };

    pub(crate) fn content_left(&self) -> f32 {
        self.margin
    }
    pub(crate) fn content_right(&self) -> f32 {
        self.width - self.margin
    }
    pub fn content_top(&self) -> f32 {
        self.margin + self.header
    }
    pub fn content_bottom(&self) -> f32 {
        self.height - self.margin - self.footer
    }
    pub(crate) fn content_width(&self) -> f32 {
        self.content_right() - self.content_left()
    }
}

/// Alignment of a paragraph's lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Centre,
    Right,
}

/// A paragraph of rich text.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub spans: Vec<Span>,
    pub size: f32,
    pub colour: Colour,
    pub align: Align,
    pub space_after: f32,
}

impl Paragraph {
    pub fn new(spans: Vec<Span>) -> Paragraph {
        Paragraph { spans, size: BODY_SIZE, colour: Colour::BLACK, align: Align::Left, space_after: BODY_SIZE * 0.6 }
    }
    pub fn size(mut self, size: f32) -> Self {
        self.size = size;
        self.space_after = size * 0.6;
        self
    }
    pub fn colour(mut self, colour: Colour) -> Self {
        self.colour = colour;
        self
    }
    pub(crate) fn space_after(mut self, space: f32) -> Self {
        self.space_after = space;
        self
    }
}

/// A table column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Relative width: columns share the content width in these proportions.
    pub width: f32,
    /// Drawn again in full at the top of a page a split row continues on:
    /// the short cells that say whose row it is and its status.
    pub repeat: bool,
}

impl Column {
    pub fn new(header: impl Into<String>, width: f32) -> Column {
        Column { header: header.into(), width, repeat: false }
    }
    /// A column whose cell is repeated on the continuation of a split row.
    pub fn repeated(mut self) -> Column {
        self.repeat = true;
        self
    }
}

/// One table cell: paragraphs of rich text, and an optional fill.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub paragraphs: Vec<Vec<Span>>,
    pub fill: Option<Colour>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell { paragraphs: vec![vec![Span::plain(text)]], fill: None }
    }
    pub fn spans(spans: Vec<Span>) -> Cell {
        Cell { paragraphs: vec![spans], fill: None }
    }
    pub fn paragraphs(paragraphs: Vec<Vec<Span>>) -> Cell {
        Cell { paragraphs, fill: None }
    }
    pub fn fill(mut self, colour: Colour) -> Cell {
        self.fill = Some(colour);
        self
    }
}

/// A table: a header row repeated on every page, then rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub size: f32,
}

/// A full-width row across a table, with its own cells in its own
/// proportions: the line that names a group of rows (an action above its
/// leads' rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// (relative width, cell).
    pub cells: Vec<(f32, Cell)>,
    pub fill: Colour,
}

/// Rows under a band. The band stays with its first row; when the group
/// goes on over a page, `continued` heads the rest, so a reader who starts
/// on that page still sees whose rows these are.
#[derive(Debug, Clone, PartialEq)]
pub struct RowGroup {
    pub band: Band,
    pub continued: Band,
    pub rows: Vec<Vec<Cell>>,
}

/// A table whose rows come in banded groups (an action and its leads).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedTable {
    pub columns: Vec<Column>,
    pub groups: Vec<RowGroup>,
    pub size: f32,
}

/// One block of the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading, listed in the contents and the PDF bookmarks: every
    /// heading is, so a reader's list of headings is the contents.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(Paragraph),
    Bullets {
        items: Vec<Vec<Span>>,
        size: f32,
    },
    /// Label and value pairs (label in bold on the left).
    KeyValues {
        rows: Vec<(String, Vec<Span>)>,
        size: f32,
    },
    Table(Table),
    Grouped(GroupedTable),
    Chart(Chart),
    Spacer(f32),
    /// A new page; with a page style, that style from here on (landscape
    /// sections in a portrait report).
    PageBreak(Option<PageStyle>),
    /// The table of contents under its title: every heading with
    /// its page number.
    Contents {
        title: String,
    },
}

/// The type scale: every text size a document uses, and no other
/// (docs/typography.md says why).
pub mod scale {
    /// Tables, captions, chart labels, running heads and feet: the smallest.
    pub const SMALL: f32 = 9.0;
    /// Body text and the contents.
    pub const BODY: f32 = 10.0;
    /// Third-level headings and the cover's lines.
    pub const H3: f32 = 12.0;
    pub const H2: f32 = 14.0;
    pub const H1: f32 = 18.0;
    /// The cover's title.
    pub const TITLE: f32 = 26.0;
    /// All six, smallest first.
    pub const ALL: [f32; 6] = [SMALL, BODY, H3, H2, H1, TITLE];
}

/// Body text size in points.
pub const BODY_SIZE: f32 = scale::BODY;
/// Leading: line height as a multiple of the font size.
pub const LEADING: f32 = 1.3;
const CELL_PAD: f32 = 3.5;

/// What repeats on every page.
#[derive(Debug, Clone, PartialEq)]
pub struct Furniture {
    pub header_left: String,
    pub header_right: String,
    /// Left of the footer ("Produced 14 January 2019"); the right is "Page N of M".
    pub footer_left: String,
}

/// A document to lay out.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub page: PageStyle,
    pub furniture: Furniture,
    pub blocks: Vec<Block>,
}

/// The language of a piece of text when it is not the document's (a BCP 47
/// tag from [`crate::render::language::detect`]).
pub type Lang = Option<&'static str>;

/// What an item is to a reader, for the tagged PDF's structure: the writer
/// gathers items with the same tag into one structure element, in the order
/// they are drawn. Blocks are numbered by their place in the flow, so each
/// tag names one element of one document; a table's header row is row 0.
/// Everything a reader should not hear (running heads and feet, rules,
/// backgrounds, a header or cell repeated on a continued page,
/// "(continued)") is an artifact: [`Tag::Pagination`] for what the page
/// break makes, [`Tag::Artifact`] for the page's look.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Tag {
    /// Drawn for the page's look: rules, fills, leaders.
    #[default]
    Artifact,
    /// Made by the page break: running heads and feet, page numbers, a table
    /// header or band repeated on a continued page, cells repeated on a
    /// split row, "(continued)".
    Pagination,
    Heading {
        block: u32,
        level: u8,
    },
    Paragraph {
        block: u32,
        lang: Lang,
    },
    /// The bullet of a list item, or the label of a label-value pair.
    ListLabel {
        block: u32,
        item: u32,
    },
    /// The text of a list item, or the value of a label-value pair.
    ListBody {
        block: u32,
        item: u32,
        lang: Lang,
    },
    /// A table cell; `header` for the column headers; `span` columns wide
    /// (an action's band spans the whole table).
    Cell {
        block: u32,
        row: u32,
        col: u32,
        span: u32,
        header: bool,
        lang: Lang,
    },
    /// Everything a chart draws: the figure, described in words by
    /// [`LaidOut::figures`].
    Figure {
        block: u32,
    },
    /// A contents entry: its title and page number, and its link.
    Contents {
        block: u32,
        entry: u32,
    },
    /// The contents' own title, its caption rather than a heading: the
    /// headings are what the contents lists.
    ContentsTitle {
        block: u32,
    },
}

impl Tag {
    /// The same tag in a flow that has `blocks` fewer blocks before this
    /// one's: a page drawn for one document, placed in another that leaves
    /// out what came before it ([`crate::render::pdf::write`]).
    pub fn blocks_back(self, blocks: u32) -> Tag {
        let mut tag = self;
        match &mut tag {
            Tag::Artifact | Tag::Pagination => {}
            Tag::Heading { block, .. }
            | Tag::Paragraph { block, .. }
            | Tag::ListLabel { block, .. }
            | Tag::ListBody { block, .. }
            | Tag::Cell { block, .. }
            | Tag::Figure { block }
            | Tag::Contents { block, .. }
            | Tag::ContentsTitle { block } => *block -= blocks,
        }
        tag
    }

    /// The language of the element the tag's content belongs to, when not
    /// the document's.
    pub fn lang(&self) -> Lang {
        match *self {
            Tag::Paragraph { lang, .. } | Tag::ListBody { lang, .. } | Tag::Cell { lang, .. } => lang,
            _ => None,
        }
    }
}

/// Something drawn on a page, with what it is ([`Tag`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text with its left end at `x` and its baseline at `baseline`.
    Text { x: f32, baseline: f32, line: Line, colour: Colour, tag: Tag },
    /// A box, filled and/or outlined.
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Option<Colour>, stroke: Option<Colour>, tag: Tag },
    /// A straight rule.
    Rule { x1: f32, y1: f32, x2: f32, y2: f32, colour: Colour, width: f32, tag: Tag },
    /// An invisible area that takes the reader to a page (0-based) when
    /// clicked: a contents entry.
    Link { x: f32, y: f32, w: f32, h: f32, page: usize, tag: Tag },
}

impl Item {
    /// What the item is to a reader.
    pub fn tag(&self) -> Tag {
        match self {
            Item::Text { tag, .. } | Item::Rect { tag, .. } | Item::Rule { tag, .. } | Item::Link { tag, .. } => *tag,
        }
    }

    /// The box the item covers: (left, top, right, bottom).
    pub fn bounds(&self) -> (f32, f32, f32, f32) {
        match self {
            Item::Text { x, baseline, line, .. } => (*x, baseline - line.size * 0.93, x + line.width, baseline + line.size * 0.24),
            Item::Rect { x, y, w, h, stroke, .. } => {
                let s = if stroke.is_some() { 0.25 } else { 0.0 };
                (x - s, y - s, x + w + s, y + h + s)
            }
            Item::Rule { x1, y1, x2, y2, width, .. } => {
                // Butt caps: a stroke reaches half its width beside the line, not beyond its ends.
                let (px, py) = if y1 == y2 {
                    (0.0, width / 2.0)
                } else if x1 == x2 {
                    (width / 2.0, 0.0)
                } else {
                    (width / 2.0, width / 2.0)
                };
                (x1.min(*x2) - px, y1.min(*y2) - py, x1.max(*x2) + px, y1.max(*y2) + py)
            }
            Item::Link { x, y, w, h, .. } => (*x, *y, x + w, y + h),
        }
    }

    /// The text of a text item (visual order).
    pub fn text(&self) -> Option<String> {
        match self {
            Item::Text { line, .. } => Some(line.text()),
            _ => None,
        }
    }
}

/// One laid page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub style: PageStyle,
    pub items: Vec<Item>,
    /// The flow block being placed when the page began: a page break's
    /// for a page it began, or the block that ran over from the last page.
    pub block: u32,
    /// Text with characters no shipped font covers, met while this page
    /// was being filled.
    pub missing: Vec<MissingGlyphs>,
}

impl Page {
    fn new(style: PageStyle, block: u32) -> Page {
        Page { style, items: Vec::new(), block, missing: Vec::new() }
    }

    /// Text items in drawing order, with their baselines.
    pub fn lines(&self) -> impl Iterator<Item = (f32, f32, String)> + '_ {
        self.items.iter().filter_map(|i| match i {
            Item::Text { x, baseline, line, .. } => Some((*x, *baseline, line.text())),
            _ => None,
        })
    }
}

/// A heading in the outline (contents and bookmarks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineEntry {
    pub title: String,
    pub level: u8,
    /// 0-based page index.
    pub page: usize,
}

/// The laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct LaidOut {
    pub pages: Vec<Page>,
    pub outline: Vec<OutlineEntry>,
    /// Text with characters no shipped font covers.
    pub missing: Vec<MissingGlyphs>,
    /// Each chart's figures in words, by the block number of its
    /// [`Tag::Figure`]: the tagged PDF's alternate description.
    pub figures: Vec<(u32, String)>,
}

/// What laying out a flow gives besides its pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Laid {
    pub outline: Vec<OutlineEntry>,
    /// Text with characters no shipped font covers.
    pub missing: Vec<MissingGlyphs>,
    /// Each chart's figures in words, by the block number of its
    /// [`Tag::Figure`]: the tagged PDF's alternate description.
    pub figures: Vec<(u32, String)>,
}

/// Where laid pages go, one by one, in order: a PDF writer, or a list.
/// Pages come without their running heads and feet, which wait for the
/// page count: [`PageSink::furnish`] gives them all once the last page is
/// given.
pub trait PageSink {
    fn page(&mut self, page: Page);
    /// Forgets the pages given so far: the layout starts again (rarely: when
    /// the last pass's page numbers turned out to move the pages).
    fn restart(&mut self);
    /// Draws each page's running head and foot after everything else on
    /// it: what every page of its style shares, then its number.
    fn furnish(&mut self, furniture: &mut Furnishing);
}

/// A document's running heads and feet, once its pages are counted. All
/// but the page number are the same on every page of one style, so they
/// are set once per style ([`Furnishing::shared`]).
pub struct Furnishing<'a> {
    furniture: &'a Furniture,
    total: usize,
    missing: Vec<MissingGlyphs>,
}

impl Furnishing<'_> {
    /// What every page of `style` shows: the running head (the partnership
    /// on the left, the document and period on the right, cut short to fit
    /// beside it) over a rule, and the running foot's rule and left side.
    pub fn shared(&mut self, s: PageStyle) -> Vec<Item> {
        let size = scale::SMALL;
        let (left, right) = (s.content_left(), s.content_right());
        let missing = &mut self.missing;
        let header_base = s.margin + size;
        let header_left = text::set_line(&[Span::bold(&self.furniture.header_left)], size, missing);
        // The right-hand header gives way to the left: cut short to fit beside it.
        let room = right - left - header_left.width - size * 2.0;
        let mut right_text = self.furniture.header_right.clone();
        let mut header_right = text::set_line(&[Span::plain(&right_text)], size, missing);
        while header_right.width > room && right_text.chars().count() > 1 {
            let keep = right_text.chars().count() * 9 / 10;
            right_text = format!("{}…", right_text.chars().take(keep).collect::<String>().trim_end_matches(['…', ' ']));
            header_right = text::set_line(&[Span::plain(&right_text)], size, missing);
        }
        let rule_y = s.margin + s.header * 0.55;
        let footer_base = s.height - s.margin - size * 0.3;
        let footer_rule = s.height - s.margin - s.footer * 0.55;
        let footer_left = text::set_line(&[Span::plain(&self.furniture.footer_left)], size, missing);
        let rule = |y: f32| Item::Rule { x1: left, y1: y, x2: right, y2: y, colour: Colour::RULE, width: 0.6, tag: Tag::Pagination };
        vec![
            Item::Text { x: left, baseline: header_base, line: header_left, colour: Colour::MUTED, tag: Tag::Pagination },
            Item::Text {
                x: right - header_right.width,
                baseline: header_base,
                line: header_right,
                colour: Colour::MUTED,
                tag: Tag::Pagination,
            },
            rule(rule_y),
            rule(footer_rule),
            Item::Text { x: left, baseline: footer_base, line: footer_left, colour: Colour::MUTED, tag: Tag::Pagination },
        ]
    }

    /// "Page 3 of 40" at the right of the running foot of page `index` (0-based).
    pub fn number(&mut self, index: usize, style: PageStyle) -> Vec<Item> {
        let size = scale::SMALL;
        let line = text::set_line(&[Span::plain(format!("Page {} of {}", index + 1, self.total))], size, &mut self.missing);
        let baseline = style.height - style.margin - size * 0.3;
        vec![Item::Text { x: style.content_right() - line.width, baseline, line, colour: Colour::MUTED, tag: Tag::Pagination }]
    }
}

impl PageSink for Vec<Page> {
    fn page(&mut self, page: Page) {
        self.push(page);
    }

    fn restart(&mut self) {
        self.clear();
    }

    fn furnish(&mut self, furniture: &mut Furnishing) {
        for (index, page) in self.iter_mut().enumerate() {
            page.items.extend(furniture.shared(page.style));
            page.items.extend(furniture.number(index, page.style));
        }
    }
}

/// Lays a flow into pages, as [`lay_out_into`] does, and keeps them all.
pub fn lay_out(flow: &Flow) -> LaidOut {
    let mut pages = Vec::new();
    let Laid { outline, missing, figures } = lay_out_into(flow, &mut pages);
    LaidOut { pages, outline, missing, figures }
}

/// Lays a flow into pages, giving each to `sink` as soon as it is complete,
/// so no more than a page is held at once, then each page's running head
/// and foot once the pages are counted ([`PageSink::furnish`]). A flow that
/// prints no page numbers in its body is laid out in one pass. Otherwise
/// the first pass finds the pages of the headings (for the contents and
/// [`page_of`]) and the page count, and the second places and sets the text
/// and gives the pages away. Should the second pass's own page numbers move
/// its pages, it runs again with them.
pub fn lay_out_into(flow: &Flow, sink: &mut dyn PageSink) -> Laid {
    lay_out_sharing(flow, sink, &LineBreaks::default())
}

/// Lays a flow out as [`lay_out_into`] does, breaking lines through
/// `breaks`, which other documents of the build share.
pub fn lay_out_sharing(flow: &Flow, sink: &mut dyn PageSink, shared: &LineBreaks) -> Laid {
    lay_out_from(flow, Start::default(), sink, shared)
}

/// Where a layout starts: after the flow's first `blocks` blocks, drawn by
/// another document as the first `pages` pages, which the sink already
/// has, and whose bookmarks are `outline`. Only for a flow that prints no
/// page numbers in its body, whose pages the skipped blocks cannot move.
#[derive(Debug, Default)]
pub(crate) struct Start {
    pub blocks: usize,
    pub pages: usize,
    pub outline: Vec<OutlineEntry>,
    pub missing: Vec<MissingGlyphs>,
}

/// Lays a flow out from `start` (see [`Start`]).
pub(crate) fn lay_out_from(flow: &Flow, start: Start, sink: &mut dyn PageSink, shared: &LineBreaks) -> Laid {
    let breaks = &FlowBreaks { shared, seen: Default::default() };
    let (mut outline, mut missing, figures, count) = if !prints_page_numbers(flow) {
        // One pass lays out and draws (first passes only to count the pages
        // were about 7% of a county build's processor time).
        let Composer { outline, missing, figures, count, .. } =
            Composer::run(flow, None, true, &start, breaks, &mut |page: Page| sink.page(page));
        (outline, missing, figures, count)
    } else {
        debug_assert!(start.blocks == 0, "a flow that numbers pages in its body is laid out whole");
        let mut known = Composer::run(flow, None, false, &start, breaks, &mut |_| {}).numbers();
        // Numbers that keep moving the pages they number would never settle:
        // after a few passes the last one stands.
        let mut pass = 2;
        loop {
            let mut give = |page: Page| sink.page(page);
            let second = Composer::run(flow, Some(&known), true, &start, breaks, &mut give);
            let numbers = second.numbers();
            if numbers == known || pass == 4 {
                let Composer { outline, missing, figures, count, .. } = second;
                break (outline, missing, figures, count);
            }
            drop(second);
            sink.restart();
            known = numbers;
            pass += 1;
        }
    };
    let mut furnishing = Furnishing { furniture: &flow.furniture, total: count, missing: Vec::new() };
    sink.furnish(&mut furnishing);
    missing.append(&mut furnishing.missing);
    let Start { outline: drawn_outline, missing: drawn_missing, .. } = start;
    outline.splice(0..0, drawn_outline);
    missing.splice(0..0, drawn_missing);
    Laid { outline, missing: dedup_missing(missing), figures }
}

/// Whether a flow prints page numbers in its body (a contents page, a
/// [`page_of`] reference), which a first pass must find before any page
/// is drawn.
pub(crate) fn prints_page_numbers(flow: &Flow) -> bool {
    let cells = |cells: &mut dyn Iterator<Item = &Cell>| cells.flat_map(|c| &c.paragraphs).any(|p| numbers_a_page(p));
    flow.blocks.iter().any(|block| match block {
        Block::Contents { .. } => true,
        Block::Paragraph(p) => numbers_a_page(&p.spans),
        Block::Bullets { items, .. } => items.iter().any(|i| numbers_a_page(i)),
        Block::KeyValues { rows, .. } => rows.iter().any(|(_, value)| numbers_a_page(value)),
        Block::Table(t) => cells(&mut t.rows.iter().flatten()),
        Block::Grouped(t) => t
            .groups
            .iter()
            .any(|g| cells(&mut g.band.cells.iter().chain(&g.continued.cells).map(|(_, c)| c)) || cells(&mut g.rows.iter().flatten())),
        _ => false,
    })
}

/// A pass's page numbers: the page of each outlined heading, and the count.
#[derive(Debug, Clone, PartialEq)]
struct PageNumbers {
    headings: Vec<usize>,
    total: usize,
}

fn dedup_missing(items: Vec<MissingGlyphs>) -> Vec<MissingGlyphs> {
    let mut out: Vec<MissingGlyphs> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn heading_size(level: u8) -> f32 {
    match level {
        0 => scale::TITLE,
        1 => scale::H1,
        2 => scale::H2,
        _ => scale::H3,
    }
}

fn line_height(size: f32) -> f32 {
    size * LEADING
}

/// The space between two paragraphs of a table cell.
fn paragraph_gap(size: f32) -> f32 {
    size * 0.45
}

/// A line of a table cell: text, or a gap between paragraphs.
#[derive(Debug, Clone)]
struct CellLine {
    line: Option<Line>,
    colour: Colour,
    height: f32,
    /// Drawn for the eye only ("(continued)", a cell repeated on the page a
    /// row continues on): an artifact, so a screen reader says it once.
    artifact: bool,
}

/// The language of rich text, when not the document's.
fn lang_of<'s>(paragraphs: impl IntoIterator<Item = &'s [Span]> + Clone) -> Lang {
    // Nearly every cell: English, or no words at all, without joining it up.
    if paragraphs.clone().into_iter().flatten().all(|s| s.text.is_ascii()) {
        return None;
    }
    let text: String = paragraphs.into_iter().flatten().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
    crate::render::language::detect(&text)
}

/// Text broken into lines, by (spans, size, width), with the characters no
/// font had, shared by every pass of every document a build lays out: the
/// second pass breaks nearly all the text the first did, and the board
/// report, the group PDFs and the priority PDFs lay out the same action
/// tables, so breaking (most of the layout's time) is done once per cell.
/// Kept as line breaks, not glyphs: each pass that draws sets its own
/// lines. Locked per look-up: documents are laid out on every core.
#[derive(Default)]
pub struct LineBreaks {
    known: Mutex<Breaks>,
}

/// By (size, width), then by spans: looked up by the spans borrowed, so a
/// cell's text is copied only when it is first broken.
type Breaks = foldhash::HashMap<(u32, u32), foldhash::HashMap<Vec<Span>, BrokenText>>;

/// Text broken into lines, with the characters no font had.
type BrokenText = (Arc<Broken>, Vec<MissingGlyphs>);

impl LineBreaks {
    /// `spans` broken at `size` into lines `width` wide, noting in
    /// `missing` the characters no font has.
    fn get(&self, spans: &[Span], size: f32, width: f32, missing: &mut Vec<MissingGlyphs>) -> Arc<Broken> {
        let measure = (size.to_bits(), width.to_bits());
        let known = self.lock().get(&measure).and_then(|by_text| by_text.get(spans)).map(|(broken, lacking)| {
            missing.extend(lacking.iter().cloned());
            broken.clone()
        });
        known.unwrap_or_else(|| {
            let mut lacking = Vec::new();
            let broken = Arc::new(Broken::new(spans, size, width, &mut lacking));
            missing.extend(lacking.iter().cloned());
            self.lock().entry(measure).or_default().entry(spans.to_vec()).or_insert((broken, lacking)).0.clone()
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Breaks> {
        // A panic elsewhere while it was held leaves whole entries only.
        self.known.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One flow's line breaks, for its passes: each text of the flow looked up
/// in the build's [`LineBreaks`] once, then by where it lies in the flow,
/// as every pass breaks the same texts (without hashing and comparing each
/// whole text, and taking the lock, again).
struct FlowBreaks<'a> {
    shared: &'a LineBreaks,
    /// By (address and length of the flow's spans, size, width).
    seen: std::cell::RefCell<foldhash::HashMap<(usize, usize, u32, u32), BrokenText>>,
}

impl FlowBreaks<'_> {
    /// As [`LineBreaks::get`], for spans that lie in the flow, which
    /// outlives this: their address names them.
    fn get(&self, spans: &[Span], size: f32, width: f32, missing: &mut Vec<MissingGlyphs>) -> Arc<Broken> {
        let key = (spans.as_ptr() as usize, spans.len(), size.to_bits(), width.to_bits());
        if let Some((broken, lacking)) = self.seen.borrow().get(&key) {
            missing.extend(lacking.iter().cloned());
            return broken.clone();
        }
        let mut lacking = Vec::new();
        let broken = self.shared.get(spans, size, width, &mut lacking);
        missing.extend(lacking.iter().cloned());
        self.seen.borrow_mut().insert(key, (broken.clone(), lacking));
        broken
    }
}

/// Places blocks onto pages.
struct Composer<'a> {
    flow: &'a Flow,
    breaks: &'a FlowBreaks<'a>,
    style: PageStyle,
    /// The page being filled; those before it are given to `done`.
    current: Page,
    /// Pages begun so far, the current one included.
    count: usize,
    done: &'a mut dyn FnMut(Page),
    y: f32,
    outline: Vec<OutlineEntry>,
    /// The page numbers the previous pass found, for [`page_of`] spans:
    /// `None` in a first pass, and in the only pass of a flow that prints
    /// no page numbers in its body.
    known: Option<&'a PageNumbers>,
    /// Whether this pass sets text and draws: not the first of two, which
    /// only counts lines and pages.
    draw: bool,
    /// Index of each outlined heading by its text, for [`page_of`] spans.
    headings: std::collections::HashMap<&'a str, usize>,
    missing: Vec<MissingGlyphs>,
    /// How many of `missing` were met before the current page began.
    missing_before: usize,
    /// The flow index of the block being placed, for its items' tags.
    block: u32,
    /// The table whose header row has been drawn once: drawn again on a
    /// continued page, it is an artifact.
    header_shown: Option<u32>,
    figures: Vec<(u32, String)>,
}

impl<'a> Composer<'a> {
    fn run(
        flow: &'a Flow,
        known: Option<&'a PageNumbers>,
        draw: bool,
        start: &Start,
        breaks: &'a FlowBreaks<'a>,
        done: &'a mut dyn FnMut(Page),
    ) -> Composer<'a> {
        let style = flow.page;
        let mut c = Composer {
            flow,
            breaks,
            style,
            current: Page::new(style, start.blocks as u32),
            count: start.pages + 1,
            done,
            y: style.content_top(),
            outline: Vec::new(),
            known,
            draw,
            headings: std::collections::HashMap::new(),
            missing: Vec::new(),
            missing_before: 0,
            block: 0,
            header_shown: None,
            figures: Vec::new(),
        };
        let outlined = flow.blocks.iter().filter_map(|b| match b {
            Block::Heading { text, .. } => Some(text.as_str()),
            _ => None,
        });
        for (index, text) in outlined.enumerate() {
            c.headings.entry(text).or_insert(index);
        }
        for (index, block) in flow.blocks.iter().enumerate().skip(start.blocks) {
            c.block = index as u32;
            c.place(block, &flow.blocks[index + 1..]);
        }
        let last = std::mem::replace(&mut c.current, Page::new(style, 0));
        if start.pages > 0 && c.count == start.pages + 1 && last.items.is_empty() {
            // Nothing after the pages drawn elsewhere.
            c.count = start.pages;
        } else {
            c.finish_page(last);
        }
        c
    }

    /// This pass's page numbers.
    fn numbers(&self) -> PageNumbers {
        PageNumbers { headings: self.outline.iter().map(|e| e.page).collect(), total: self.count }
    }

    /// Gives a complete page away, with the characters no font had in
    /// the text met while it was filled.
    fn finish_page(&mut self, mut page: Page) {
        page.missing = self.missing[self.missing_before..].to_vec();
        self.missing_before = self.missing.len();
        (self.done)(page);
    }

    fn page(&mut self) -> &mut Page {
        &mut self.current
    }

    fn at_top(&self) -> bool {
        (self.y - self.style.content_top()).abs() < 0.01
    }

    fn remaining(&self) -> f32 {
        self.style.content_bottom() - self.y
    }

    fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.current, Page::new(self.style, self.block));
        self.finish_page(done);
        self.count += 1;
        self.y = self.style.content_top();
    }

    /// Makes room for `height`, starting a page when it does not fit here.
    fn ensure(&mut self, height: f32) {
        if height > self.remaining() && !self.at_top() {
            self.new_page();
        }
    }

    fn width(&self) -> f32 {
        self.style.content_width()
    }

    fn wrap(&mut self, spans: &[Span], size: f32, width: f32) -> Vec<Line> {
        let broken = self.broken(spans, size, width);
        self.set(&broken, size)
    }

    /// Text broken into lines, its [`page_of`] spans first resolved.
    fn broken(&mut self, spans: &[Span], size: f32, width: f32) -> Arc<Broken> {
        if numbers_a_page(spans) {
            let resolved: Vec<Span> = spans.iter().map(|s| self.resolve(s)).collect();
            self.breaks.shared.get(&resolved, size, width, &mut self.missing)
        } else {
            self.breaks.shared.get(spans, size, width, &mut self.missing)
        }
    }

    /// As [`Composer::broken`], for text of the flow (a table's cells),
    /// which every pass breaks again: remembered by where it lies in the flow.
    fn broken_in_flow(&mut self, spans: &'a [Span], size: f32, width: f32) -> Arc<Broken> {
        if numbers_a_page(spans) {
            return self.broken(spans, size, width);
        }
        self.breaks.get(spans, size, width, &mut self.missing)
    }

    /// As [`Composer::wrap`], for text of the flow.
    fn wrap_in_flow(&mut self, spans: &'a [Span], size: f32, width: f32) -> Vec<Line> {
        let broken = self.broken_in_flow(spans, size, width);
        self.set(&broken, size)
    }

    /// Broken text's lines: set in glyphs in a pass that draws; a first
    /// pass only counts lines, as where each goes on the page needs no
    /// glyphs until the second.
    fn set(&self, broken: &Broken, size: f32) -> Vec<Line> {
        if self.draw {
            broken.lines()
        } else {
            vec![Line::empty(size); broken.len()]
        }
    }

    /// A [`page_of`] span as the page number of its heading (1-based): "00"
    /// in the first pass, the same width as most page numbers.
    fn resolve(&self, span: &Span) -> Span {
        let Some(title) = span.text.strip_prefix(PAGE_OF) else { return span.clone() };
        let page = self.headings.get(title).and_then(|&i| self.known.and_then(|k| k.headings.get(i)));
        Span { text: page.map_or_else(|| "00".to_string(), |p| (p + 1).to_string()), style: span.style }
    }

    fn push_text(&mut self, x: f32, top: f32, line: Line, colour: Colour, tag: Tag) {
        let baseline = top + line.size * 1.02;
        self.page().items.push(Item::Text { x, baseline, line, colour, tag });
    }

    /// Height a block needs at least at the foot of a page for a heading
    /// above it not to be left alone.
    fn min_start_height(&mut self, block: &'a Block, rest: &'a [Block]) -> f32 {
        match block {
            // A paragraph of one or two lines (a caption, a lead-in) stays
            // with what it introduces; a longer one needs two lines here.
            Block::Paragraph(p) => {
                let lines = self.broken(&p.spans, p.size, self.width()).len();
                let own = lines.min(2) as f32 * line_height(p.size);
                if lines <= 2 {
                    own + p.space_after + rest.split_first().map_or(0.0, |(next, rest)| self.min_start_height(next, rest))
                } else {
                    own
                }
            }
            Block::Bullets { size, .. } => 2.0 * line_height(*size),
            Block::KeyValues { rows, size } => rows.len().min(8) as f32 * (line_height(*size) + size * 0.25),
            Block::Table(t) => match self.short_table(t) {
                Some(whole) => whole,
                None => self.table_keep(&t.columns, t.size, None, t.rows.first().map(Vec::as_slice), true),
            },
            Block::Grouped(t) => {
                let first = t.groups.first();
                self.table_keep(&t.columns, t.size, first.map(|g| &g.band), first.and_then(|g| g.rows.first()).map(Vec::as_slice), false)
            }
            Block::Chart(c) => chart::height(c),
            // A heading above a heading: both stay with what the second introduces.
            Block::Heading { level, text, .. } => {
                let size = heading_size(*level);
                let own = self.broken(&[Span::bold(text)], size, self.width()).len() as f32 * line_height(size) + size * 1.05;
                own + rest.split_first().map_or(0.0, |(next, rest)| self.min_start_height(next, rest))
            }
            Block::Contents { .. } => line_height(heading_size(1)) + 3.0 * line_height(BODY_SIZE),
            Block::Spacer(_) | Block::PageBreak(_) => 0.0,
        }
    }

    fn place(&mut self, block: &'a Block, rest: &'a [Block]) {
        match block {
            Block::Heading { level, text } => self.heading(*level, text, rest),
            Block::Paragraph(p) => self.paragraph(p),
            Block::Bullets { items, size } => self.bullets(items, *size),
            Block::KeyValues { rows, size } => self.key_values(rows, *size),
            Block::Table(t) => self.table(t),
            Block::Grouped(t) => self.grouped(t),
            Block::Chart(c) => {
                let h = chart::height(c);
                self.ensure(h);
                let (x, y, w) = (self.style.content_left(), self.y, self.width());
                let block = self.block;
                let items = chart::draw(c, x, y, w, Tag::Figure { block }, &mut self.missing);
                self.page().items.extend(items);
                self.figures.push((block, chart::describe(c)));
                self.y += h + BODY_SIZE;
            }
            Block::Spacer(h) => self.y = (self.y + h).min(self.style.content_bottom()),
            Block::PageBreak(style) => {
                if let Some(style) = style {
                    self.style = *style;
                }
                let empty = self.page().items.is_empty();
                if empty {
                    let (style, block) = (self.style, self.block);
                    self.page().style = style;
                    self.page().block = block;
                    self.y = style.content_top();
                } else {
                    self.new_page();
                }
            }
            Block::Contents { title } => self.contents(title),
        }
    }

    fn heading(&mut self, level: u8, text: &str, rest: &'a [Block]) {
        let size = heading_size(level);
        let space_before = if level <= 1 { size * 0.5 } else { size * 0.7 };
        let lines = self.wrap(&[Span::bold(text)], size, self.width());
        let own = lines.len() as f32 * line_height(size) + size * 0.35;
        let following = rest.split_first().map_or(0.0, |(next, rest)| self.min_start_height(next, rest));
        // What follows a heading (or a heading and a caption) may move whole.
        let firm =
            rest.iter().take(2).find(|b| !matches!(b, Block::Heading { .. } | Block::Paragraph(_))).is_some_and(|b| self.moves_whole(b));
        if firm {
            self.ensure(space_before + own + following);
        } else {
            self.keep(space_before + own + following);
        }
        if !self.at_top() {
            self.y += space_before;
        }
        let page = self.count - 1;
        self.outline.push(OutlineEntry { title: text.to_string(), level, page });
        self.heading_lines(level, lines, Tag::Heading { block: self.block, level });
    }

    /// Draws a heading's lines, ruled under at level 1.
    fn heading_lines(&mut self, level: u8, lines: Vec<Line>, tag: Tag) {
        let size = heading_size(level);
        let colour = Colour::ACCENT;
        for line in lines {
            let top = self.y;
            self.push_text(self.style.content_left(), top, line, colour, tag);
            self.y += line_height(size);
        }
        if level == 1 {
            let (l, r, y) = (self.style.content_left(), self.style.content_right(), self.y + 1.0);
            self.page().items.push(Item::Rule { x1: l, y1: y, x2: r, y2: y, colour: Colour::ACCENT, width: 0.8, tag: Tag::Artifact });
            self.y += 3.0;
        }
        self.y += size * 0.35;
    }

    /// Places lines, moving to a new page when one does not fit; keeps at
    /// least two lines of a paragraph together at the foot of a page.
    fn lines_at(&mut self, lines: Vec<Line>, x: f32, width: f32, align: Align, colour: Colour, tag: Tag) {
        let total = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            let lh = line_height(line.size);
            let needed = if i == 0 && total >= 2 { 2.0 * lh } else { lh };
            self.ensure(needed);
            let left = match (align, line.rtl) {
                (Align::Centre, _) => x + (width - line.width) / 2.0,
                (Align::Right, _) | (Align::Left, true) => x + width - line.width,
                (Align::Left, false) => x,
            };
            let top = self.y;
            self.push_text(left, top, line, colour, tag);
            self.y += lh;
        }
    }

    fn paragraph(&mut self, p: &Paragraph) {
        let lines = self.wrap(&p.spans, p.size, self.width());
        let (x, w) = (self.style.content_left(), self.width());
        let tag = Tag::Paragraph { block: self.block, lang: lang_of([p.spans.as_slice()]) };
        self.lines_at(lines, x, w, p.align, p.colour, tag);
        self.y += p.space_after;
    }

    fn bullets(&mut self, items: &[Vec<Span>], size: f32) {
        let indent = size * 1.4;
        let x = self.style.content_left();
        let width = self.width() - indent;
        for (index, item) in items.iter().enumerate() {
            let (block, index) = (self.block, index as u32);
            let lines = self.wrap(item, size, width);
            let first_height = line_height(size) * lines.len().min(2) as f32;
            self.ensure(first_height);
            let bullet = text::set_line(&[Span::plain("•")], size, &mut self.missing);
            let top = self.y;
            self.push_text(x + size * 0.3, top, bullet, Colour::ACCENT, Tag::ListLabel { block, item: index });
            let body = Tag::ListBody { block, item: index, lang: lang_of([item.as_slice()]) };
            self.lines_at(lines, x + indent, width, Align::Left, Colour::BLACK, body);
            self.y += size * 0.25;
        }
        self.y += size * 0.4;
    }

    fn key_values(&mut self, rows: &[(String, Vec<Span>)], size: f32) {
        let x = self.style.content_left();
        let key_width = self.width() * 0.3;
        let value_width = self.width() - key_width - size;
        // A short list stays on one page.
        let mut total = 0.0;
        for (key, value) in rows {
            let n = self.broken(&[Span::bold(key)], size, key_width).len().max(self.broken(value, size, value_width).len()).max(1);
            total += n as f32 * line_height(size) + size * 0.25;
        }
        if total <= (self.style.content_bottom() - self.style.content_top()) / 3.0 {
            self.ensure(total);
        }
        for (index, (key, value)) in rows.iter().enumerate() {
            let (block, index) = (self.block, index as u32);
            let keys = self.wrap(&[Span::bold(key)], size, key_width);
            let values = self.wrap(value, size, value_width);
            let n = keys.len().max(values.len()).max(1);
            let height = n as f32 * line_height(size);
            // A pair stays together unless it is taller than a page.
            if height <= self.style.content_bottom() - self.style.content_top() {
                self.ensure(height);
            }
            let top = self.y;
            for (i, line) in keys.into_iter().enumerate() {
                self.push_text(x, top + i as f32 * line_height(size), line, Colour::BLACK, Tag::ListLabel { block, item: index });
            }
            let body = Tag::ListBody { block, item: index, lang: lang_of([value.as_slice()]) };
            self.lines_at(values, x + key_width + size, value_width, Align::Left, Colour::BLACK, body);
            self.y = self.y.max(top + height) + size * 0.25;
        }
        self.y += size * 0.4;
    }

    fn contents(&mut self, title: &str) {
        let lines = self.wrap(&[Span::bold(title)], heading_size(1), self.width());
        self.heading_lines(1, lines, Tag::ContentsTitle { block: self.block });
        let size = scale::BODY;
        let x = self.style.content_left();
        let right = self.style.content_right();
        let entries: Vec<(String, u8)> = self
            .flow
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, text } => Some((text.clone(), *level)),
                _ => None,
            })
            .collect();
        let number_width = text::measure(&[Span::plain("999")], size) + size;
        for (index, (title, level)) in entries.into_iter().enumerate() {
            let tag = Tag::Contents { block: self.block, entry: index as u32 };
            let target = self.known.and_then(|k| k.headings.get(index)).copied();
            let page = target.map(|p| (p + 1).to_string()).unwrap_or_else(|| "0".to_string());
            let indent = if level <= 1 { 0.0 } else { size * 1.5 * (level - 1) as f32 };
            let style = if level <= 1 { Span::bold(title) } else { Span::plain(title) };
            let lines = self.wrap(&[style], size, right - x - indent - number_width);
            let height = lines.len() as f32 * line_height(size);
            self.ensure(height);
            let top = self.y;
            let mut last_right = x;
            for (i, line) in lines.into_iter().enumerate() {
                last_right = x + indent + line.width;
                self.push_text(x + indent, top + i as f32 * line_height(size), line, Colour::BLACK, tag);
            }
            let number = text::set_line(&[Span::plain(page)], size, &mut self.missing);
            let number_x = right - number.width;
            let last_top = top + height - line_height(size);
            // A dotted leader from the title to its page number.
            let leader_y = last_top + size * 0.95;
            if number_x - last_right > size * 2.0 {
                self.page().items.push(Item::Rule {
                    x1: last_right + size * 0.5,
                    y1: leader_y,
                    x2: number_x - size * 0.5,
                    y2: leader_y,
                    colour: Colour::RULE,
                    width: 0.5,
                    tag: Tag::Artifact,
                });
            }
            self.push_text(number_x, last_top, number, Colour::BLACK, tag);
            if let Some(page) = target {
                // The whole entry, title to number, is the link.
                self.page().items.push(Item::Link { x, y: top, w: right - x, h: height, page, tag });
            }
            self.y = top + height + size * 0.3;
        }
        self.y += BODY_SIZE;
    }

    fn cell_lines(&mut self, cell: &'a Cell, size: f32, width: f32) -> Vec<CellLine> {
        let mut out = Vec::new();
        for (i, paragraph) in cell.paragraphs.iter().enumerate() {
            if i > 0 {
                out.push(CellLine { line: None, colour: Colour::BLACK, height: paragraph_gap(size), artifact: false });
            }
            for line in self.wrap_in_flow(paragraph, size, width) {
                out.push(CellLine { line: Some(line), colour: Colour::BLACK, height: line_height(size), artifact: false });
            }
        }
        out
    }

    /// How full the page is, from 0 (nothing yet) to 1.
    fn fill(&self) -> f32 {
        let s = self.style;
        (self.y - s.content_top()) / (s.content_bottom() - s.content_top())
    }

    /// Starts a new page when `height`, which must stay together, does not
    /// fit here, unless that would leave this page less than a third full:
    /// then what does not fit is split instead, by whoever places it.
    fn keep(&mut self, height: f32) {
        if height > self.remaining() && !self.at_top() && self.fill() >= MIN_FILL {
            self.new_page();
        }
    }

    /// Column positions, widths and the laid header of a table.
    fn grid(&mut self, columns: &[Column], size: f32, plain: bool) -> Grid {
        let left = self.style.content_left();
        let total: f32 = columns.iter().map(|c| c.width).sum::<f32>().max(f32::EPSILON);
        let widths: Vec<f32> = columns.iter().map(|c| self.width() * c.width / total).collect();
        let xs = positions(left, &widths);
        let header: Vec<Vec<Line>> = columns
            .iter()
            .zip(&widths)
            .map(|(c, &w)| text::wrap(&[Span::bold(&c.header)], size, inner(w, size), &mut self.missing))
            .collect();
        let header_height = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_height(size) + 2.0 * CELL_PAD;
        // A plain table's first column names its row, so it is repeated too.
        let repeat = columns.iter().enumerate().map(|(i, c)| c.repeat || (plain && i == 0)).collect();
        Grid { xs, widths, size, repeat, header, header_height, plain }
    }

    fn row_lines(&mut self, grid: &Grid, row: &'a [Cell]) -> RowLines {
        let cells = (0..grid.widths.len())
            .map(|i| row.get(i).map(|c| self.cell_lines(c, grid.size, inner(grid.widths[i], grid.size))).unwrap_or_default())
            .collect();
        let fills = (0..grid.widths.len()).map(|i| row.get(i).and_then(|c| c.fill)).collect();
        let langs = (0..grid.widths.len()).map(|i| row.get(i).and_then(|c| lang_of(c.paragraphs.iter().map(Vec::as_slice)))).collect();
        RowLines { cells, fills, langs }
    }

    /// The widths of a band's cells.
    fn band_widths(&self, band: &Band) -> Vec<f32> {
        let total: f32 = band.cells.iter().map(|(w, _)| *w).sum::<f32>().max(f32::EPSILON);
        band.cells.iter().map(|(w, _)| self.width() * w / total).collect()
    }

    /// A band's height as [`Composer::band_lines`] lays it, without setting
    /// its text: a group's continued band is drawn only on a page one of
    /// its rows continues onto, which few do.
    fn band_height(&mut self, band: &'a Band, size: f32) -> f32 {
        let widths = self.band_widths(band);
        let mut tallest = 0.0f32;
        for ((_, cell), &w) in band.cells.iter().zip(&widths) {
            // Summed line by line, in order, as `band_lines` sums its cells' lines.
            let mut height = 0.0f32;
            for (i, paragraph) in cell.paragraphs.iter().enumerate() {
                if i > 0 {
                    height += paragraph_gap(size);
                }
                for _ in 0..self.broken_in_flow(paragraph, size, inner(w, size)).len() {
                    height += line_height(size);
                }
            }
            tallest = tallest.max(height);
        }
        tallest + 2.0 * CELL_PAD
    }

    fn band_lines(&mut self, band: &'a Band, size: f32) -> BandLines {
        let widths = self.band_widths(band);
        let xs = positions(self.style.content_left(), &widths);
        let cells: Vec<Vec<CellLine>> =
            band.cells.iter().zip(&widths).map(|((_, cell), &w)| self.cell_lines(cell, size, inner(w, size))).collect();
        let height = cells.iter().map(|c| c.iter().map(|l| l.height).sum::<f32>()).fold(0.0, f32::max) + 2.0 * CELL_PAD;
        let fills = band.cells.iter().map(|(_, c)| c.fill).collect();
        let langs = band.cells.iter().map(|(_, c)| lang_of(c.paragraphs.iter().map(Vec::as_slice))).collect();
        BandLines { xs, widths, cells, fills, langs, fill: band.fill, height }
    }

    /// The room a page has for rows under a table's header and a continued band.
    fn page_room(&self, grid: &Grid, band: f32) -> f32 {
        self.style.content_bottom() - self.style.content_top() - grid.header_height - band
    }

    /// Height that must stay together at the start of a group: its band and
    /// its first row whole, or the first three lines of a row too tall to
    /// move whole.
    fn group_keep(&self, grid: &Grid, band: Option<&BandLines>, first: Option<&RowLines>) -> f32 {
        let band_height = band.map_or(0.0, |b| b.height);
        let row = first.map_or(0.0, |r| {
            let whole = r.height();
            if whole <= self.page_room(grid, band_height) {
                whole
            } else {
                3.0 * line_height(grid.size) + 2.0 * CELL_PAD
            }
        });
        band_height + row
    }

    /// What must stay with a heading above a table: its header and the keep
    /// of its first group.
    fn table_keep(&mut self, columns: &[Column], size: f32, band: Option<&'a Band>, first: Option<&'a [Cell]>, plain: bool) -> f32 {
        let grid = self.grid(columns, size, plain);
        let band = band.map(|b| self.band_lines(b, size));
        let first = first.map(|r| self.row_lines(&grid, r));
        grid.header_height + self.group_keep(&grid, band.as_ref(), first.as_ref())
    }

    /// The height of a table short enough to be kept on one page (a key, the
    /// headline figures), or `None` for a longer one, which runs over pages.
    fn short_table(&mut self, table: &'a Table) -> Option<f32> {
        let grid = self.grid(&table.columns, table.size, true);
        let limit = self.short_table_limit();
        // Stops at the limit: a county's exceptions table has thousands of rows.
        let mut whole = grid.header_height;
        for row in &table.rows {
            whole += self.row_lines(&grid, row).height();
            if whole > limit {
                return None;
            }
        }
        Some(whole)
    }

    /// The tallest a table may be and still be kept on one page.
    fn short_table_limit(&self) -> f32 {
        (self.style.content_bottom() - self.style.content_top()) * SHORT_TABLE
    }

    /// Whether a block moves to the next page whole rather than split: then
    /// a heading above it must move with it, however empty that leaves the page.
    fn moves_whole(&mut self, block: &'a Block) -> bool {
        match block {
            Block::Chart(_) => true,
            Block::Table(t) => self.short_table(t).is_some(),
            _ => false,
        }
    }

    fn table(&mut self, table: &'a Table) {
        let grid = self.grid(&table.columns, table.size, true);
        self.header_shown = None;
        let rows: Vec<RowLines> = table.rows.iter().map(|r| self.row_lines(&grid, r)).collect();
        let height = grid.header_height + rows.iter().map(RowLines::height).sum::<f32>();
        let whole = (height <= self.short_table_limit()).then_some(height);
        for (index, row) in rows.into_iter().enumerate() {
            if index == 0 {
                match whole {
                    // A short table (a key, the headline figures) stays whole.
                    Some(height) => self.ensure(height),
                    None => {
                        let start = grid.header_height + self.group_keep(&grid, None, Some(&row));
                        self.keep(start);
                    }
                }
                self.table_header(&grid);
            }
            self.place_row(&grid, row, index % 2 == 1, None, index as u32 + 1);
        }
        if table.rows.is_empty() {
            self.keep(grid.header_height);
            self.table_header(&grid);
        }
        self.y += BODY_SIZE * 0.8;
    }

    fn grouped(&mut self, table: &'a GroupedTable) {
        let grid = self.grid(&table.columns, table.size, false);
        self.header_shown = None;
        // Row 0 is the header; each band is a row of its own, before its group's rows.
        let mut row_number = 0;
        for (index, group) in table.groups.iter().enumerate() {
            let band = self.band_lines(&group.band, grid.size);
            let continued = (&group.continued, self.band_height(&group.continued, grid.size));
            let rows: Vec<RowLines> = group.rows.iter().map(|r| self.row_lines(&grid, r)).collect();
            let keep = self.group_keep(&grid, Some(&band), rows.first());
            if index == 0 {
                self.keep(grid.header_height + keep);
                self.table_header(&grid);
            } else if keep > self.remaining() && self.fill() >= MIN_FILL {
                self.new_page();
                self.table_header(&grid);
            }
            row_number += 1;
            self.draw_band(&band, Some(row_number), grid.widths.len() as u32);
            for row in rows {
                row_number += 1;
                self.place_row(&grid, row, false, Some(continued), row_number);
            }
        }
        self.y += BODY_SIZE * 0.8;
    }

    /// Places one row whole, on this page or the next; splits it between
    /// lines only when it is taller than a page, or when moving it would
    /// leave this page less than a third full. A split keeps two lines or
    /// more on each side, repeats the repeated columns, and heads the rest
    /// with the group's continued band.
    /// `continued` is the group's band for a page its rows continue onto, and that band's height.
    fn place_row(&mut self, grid: &Grid, mut row: RowLines, zebra: bool, continued: Option<(&'a Band, f32)>, number: u32) {
        let band_height = continued.map_or(0.0, |(_, height)| height);
        loop {
            let height = row.height();
            if height <= self.remaining() + 0.01 {
                self.row_piece(grid, &row, zebra, height, number);
                return;
            }
            let fresh = self.y <= self.style.content_top() + grid.header_height + band_height + 0.01;
            if !fresh && height <= self.page_room(grid, band_height) && self.fill() >= MIN_FILL {
                self.continue_page(grid, continued);
                continue;
            }
            let room = self.remaining() - 2.0 * CELL_PAD;
            match split_point(&row, room, fresh) {
                Some(counts) => {
                    let (piece, rest) = row.split(grid, &counts);
                    let piece_height = piece.height();
                    self.row_piece(grid, &piece, zebra, piece_height, number);
                    row = rest;
                    if grid.plain {
                        let mark = text::set_line(&[Span::italic("(continued)")], grid.size, &mut self.missing);
                        let height = line_height(grid.size);
                        row.cells[0].push(CellLine { line: Some(mark), colour: Colour::MUTED, height, artifact: true });
                    }
                }
                // Not even one line fits on a fresh page: give up on this row.
                None if fresh => return,
                None => {}
            }
            self.continue_page(grid, continued);
        }
    }

    /// A new page for a table that goes on: its header, then the continued band.
    fn continue_page(&mut self, grid: &Grid, continued: Option<(&'a Band, f32)>) {
        self.new_page();
        self.table_header(grid);
        if let Some((band, _)) = continued {
            let band = self.band_lines(band, grid.size);
            self.draw_band(&band, None, grid.widths.len() as u32);
        }
    }

    /// Draws the header row; drawn again on a page the table continues
    /// onto, it is an artifact, so the table has one header row.
    fn table_header(&mut self, grid: &Grid) {
        let top = self.y;
        let left = grid.xs.first().copied().unwrap_or(0.0);
        let width: f32 = grid.widths.iter().sum();
        let repeated = self.header_shown == Some(self.block);
        self.header_shown = Some(self.block);
        let block = self.block;
        let fill = Some(Colour::ACCENT);
        self.page().items.push(Item::Rect { x: left, y: top, w: width, h: grid.header_height, fill, stroke: None, tag: Tag::Artifact });
        for (i, lines) in grid.header.iter().enumerate() {
            let tag =
                if repeated { Tag::Pagination } else { Tag::Cell { block, row: 0, col: i as u32, span: 1, header: true, lang: None } };
            for (k, line) in lines.iter().enumerate() {
                let y = top + CELL_PAD + k as f32 * line_height(line.size);
                self.push_text(grid.xs[i] + CELL_PAD, y, line.clone(), Colour::WHITE, tag);
            }
        }
        self.y += grid.header_height;
    }

    /// Draws a band as table row `row`; without a row number (a continued
    /// band, which repeats its group's band) it is an artifact.
    fn draw_band(&mut self, band: &BandLines, row: Option<u32>, columns: u32) {
        let top = self.y;
        let left = band.xs.first().copied().unwrap_or(0.0);
        let width: f32 = band.widths.iter().sum();
        let fill = Some(band.fill);
        self.page().items.push(Item::Rect { x: left, y: top, w: width, h: band.height, fill, stroke: None, tag: Tag::Artifact });
        // The band's cells are one cell spanning the table: its columns are
        // not the table's, and a reader hears the action as one line.
        let tag = match row {
            Some(row) => {
                let lang = band.langs.iter().find_map(|l| *l);
                Tag::Cell { block: self.block, row, col: 0, span: columns, header: false, lang }
            }
            None => Tag::Pagination,
        };
        let tags = vec![tag; band.cells.len()];
        self.draw_cells(&band.xs, &band.widths, &band.cells, &band.fills, top, band.height, &tags);
        let colour = Colour::ACCENT;
        self.page().items.push(Item::Rule { x1: left, y1: top, x2: left + width, y2: top, colour, width: 0.8, tag: Tag::Artifact });
        self.y = top + band.height;
    }

    fn row_piece(&mut self, grid: &Grid, row: &RowLines, zebra: bool, height: f32, number: u32) {
        let top = self.y;
        let left = grid.xs.first().copied().unwrap_or(0.0);
        let width: f32 = grid.widths.iter().sum();
        if zebra {
            let fill = Some(Colour::ZEBRA);
            self.page().items.push(Item::Rect { x: left, y: top, w: width, h: height, fill, stroke: None, tag: Tag::Artifact });
        }
        let block = self.block;
        let tags: Vec<Tag> = (0..row.cells.len())
            .map(|i| Tag::Cell { block, row: number, col: i as u32, span: 1, header: false, lang: row.langs[i] })
            .collect();
        self.draw_cells(&grid.xs, &grid.widths, &row.cells, &row.fills, top, height, &tags);
        let bottom = top + height;
        let colour = Colour::RULE;
        self.page().items.push(Item::Rule { x1: left, y1: bottom, x2: left + width, y2: bottom, colour, width: 0.5, tag: Tag::Artifact });
        self.y = bottom;
    }

    /// Draws cells' fills (artifacts) and lines, each cell's lines tagged
    /// with its tag in `tags` unless drawn for the eye only.
    #[allow(clippy::too_many_arguments)]
    fn draw_cells(
        &mut self,
        xs: &[f32],
        widths: &[f32],
        cells: &[Vec<CellLine>],
        fills: &[Option<Colour>],
        top: f32,
        height: f32,
        tags: &[Tag],
    ) {
        for (i, fill) in fills.iter().enumerate() {
            if let Some(fill) = fill {
                let (x, w, fill) = (xs[i], widths[i], Some(*fill));
                self.page().items.push(Item::Rect { x, y: top, w, h: height, fill, stroke: None, tag: Tag::Artifact });
            }
        }
        for (i, lines) in cells.iter().enumerate() {
            let mut y = top + CELL_PAD;
            for cell_line in lines {
                if let Some(line) = &cell_line.line {
                    let x = if line.rtl { xs[i] + widths[i] - CELL_PAD - line.width } else { xs[i] + CELL_PAD };
                    let tag = if cell_line.artifact { Tag::Pagination } else { tags[i] };
                    self.push_text(x, y, line.clone(), cell_line.colour, tag);
                }
                y += cell_line.height;
            }
        }
    }
}

/// The least a page must be filled before a keep rule may move what
/// follows to the next page.
const MIN_FILL: f32 = 1.0 / 3.0;

/// A table no taller than this share of a page is kept on one page.
const SHORT_TABLE: f32 = 0.4;

fn inner(width: f32, size: f32) -> f32 {
    (width - 2.0 * CELL_PAD).max(size)
}

fn positions(left: f32, widths: &[f32]) -> Vec<f32> {
    widths
        .iter()
        .scan(left, |x, w| {
            let at = *x;
            *x += w;
            Some(at)
        })
        .collect()
}

/// A table's columns as laid out.
struct Grid {
    xs: Vec<f32>,
    widths: Vec<f32>,
    size: f32,
    repeat: Vec<bool>,
    header: Vec<Vec<Line>>,
    header_height: f32,
    /// Rows without bands: a continued row says "(continued)" itself.
    plain: bool,
}

/// A band's cells as lines.
struct BandLines {
    xs: Vec<f32>,
    widths: Vec<f32>,
    cells: Vec<Vec<CellLine>>,
    fills: Vec<Option<Colour>>,
    langs: Vec<Lang>,
    fill: Colour,
    height: f32,
}

/// A row's cells as lines.
#[derive(Clone)]
struct RowLines {
    cells: Vec<Vec<CellLine>>,
    fills: Vec<Option<Colour>>,
    langs: Vec<Lang>,
}

impl RowLines {
    fn height(&self) -> f32 {
        self.cells.iter().map(|c| c.iter().map(|l| l.height).sum::<f32>()).fold(0.0, f32::max) + 2.0 * CELL_PAD
    }

    /// The piece with `counts[i]` lines of each cell, and the rest: repeated
    /// cells are in both whole.
    fn split(mut self, grid: &Grid, counts: &[usize]) -> (RowLines, RowLines) {
        let mut rest = Vec::with_capacity(self.cells.len());
        for (i, cell) in self.cells.iter_mut().enumerate() {
            if grid.repeat[i] && counts[i] == cell.len() {
                // Drawn again for the eye; read once.
                rest.push(cell.iter().cloned().map(|l| CellLine { artifact: true, ..l }).collect());
            } else {
                let mut tail = cell.split_off(counts[i].min(cell.len()));
                while tail.first().is_some_and(|l| l.line.is_none()) {
                    tail.remove(0);
                }
                rest.push(tail);
            }
        }
        let (fills, langs) = (self.fills.clone(), self.langs.clone());
        (self, RowLines { cells: rest, fills, langs })
    }
}

/// How many lines of each cell to keep on this page when a row splits in
/// `room` points, or `None` when the row should move whole: the cells that
/// go on keep two lines or more here and send two or more over (one on a
/// fresh page, where moving would not help).
fn split_point(row: &RowLines, room: f32, fresh: bool) -> Option<Vec<usize>> {
    let mut counts = Vec::with_capacity(row.cells.len());
    for cell in &row.cells {
        let fit = lines_fitting(cell, room);
        if fit == cell.len() {
            counts.push(fit);
            continue;
        }
        // Leave two lines or more for the next page.
        let mut keep = fit;
        if !fresh && cell.len() - keep < 2 {
            keep = cell.len().saturating_sub(2);
        }
        let shown = cell[..keep].iter().filter(|l| l.line.is_some()).count();
        if shown < if fresh { 1 } else { 2 } {
            return None;
        }
        counts.push(keep);
    }
    Some(counts)
}

/// How many of a cell's lines fit in `room` points.
fn lines_fitting(lines: &[CellLine], room: f32) -> usize {
    let mut used = 0.0;
    let mut count = 0;
    for line in lines {
        if used + line.height > room + 0.01 {
            break;
        }
        used += line.height;
        count += 1;
    }
    count
}

/// Marks a [`page_of`] span.
const PAGE_OF: char = '\u{F8FF}';

/// Whether rich text holds a [`page_of`] span.
fn numbers_a_page(spans: &[Span]) -> bool {
    spans.iter().any(|s| s.text.starts_with(PAGE_OF))
}

/// A span that prints the page number of the outlined heading `title`,
/// found in the layout's first pass ("see page 12").
pub fn page_of(title: &str, style: FontStyle) -> Span {
    Span { text: format!("{PAGE_OF}{title}"), style }
}

/// Convenience: a heading block.
pub fn heading(level: u8, text: impl Into<String>) -> Block {
    Block::Heading { level, text: text.into() }
}

/// Convenience: a paragraph block of plain text.
pub fn para(spans: Vec<Span>) -> Block {
    Block::Paragraph(Paragraph::new(spans))
}

/// Style words used by documents for a bold label followed by plain text.
pub fn labelled(label: &str, value: impl Into<String>) -> Vec<Span> {
    vec![Span { text: format!("{label} "), style: FontStyle::BOLD }, Span::plain(value)]
}
