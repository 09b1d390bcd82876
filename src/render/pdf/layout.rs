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
//! margins. Layout runs twice: the first pass finds the page of every
//! heading, the second fills the contents with those numbers, then every page
//! gets its header and "Page N of M" footer.
//!
//! Coordinates are points from the top-left corner of the page.

use super::chart::{self, Chart};
use super::fonts::FontStyle;
use super::text::{self, Line, MissingGlyphs, Span};

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
    pub(crate) fn align(mut self, align: Align) -> Self {
        self.align = align;
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
}

impl Column {
    pub fn new(header: impl Into<String>, width: f32) -> Column {
        Column { header: header.into(), width }
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

/// One block of the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading; `outline` puts it in the contents and the PDF bookmarks.
    Heading {
        level: u8,
        text: String,
        outline: bool,
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
    Chart(Chart),
    Spacer(f32),
    /// A new page; with a page style, that style from here on (landscape
    /// sections in a portrait report).
    PageBreak(Option<PageStyle>),
    /// The table of contents: every outlined heading with its page number.
    Contents,
}

/// Body text size in points.
pub const BODY_SIZE: f32 = 9.5;
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

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text with its left end at `x` and its baseline at `baseline`.
    Text { x: f32, baseline: f32, line: Line, colour: Colour },
    /// A box, filled and/or outlined.
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Option<Colour>, stroke: Option<Colour> },
    /// A straight rule.
    Rule { x1: f32, y1: f32, x2: f32, y2: f32, colour: Colour, width: f32 },
    /// An invisible area that takes the reader to a page (0-based) when
    /// clicked: a contents entry.
    Link { x: f32, y: f32, w: f32, h: f32, page: usize },
}

impl Item {
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
}

impl Page {
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
}

/// Lays a flow into pages: two passes, then headers and footers.
pub fn lay_out(flow: &Flow) -> LaidOut {
    let first = Composer::run(flow, None);
    let pages_of_headings: Vec<usize> = first.outline.iter().map(|e| e.page).collect();
    let mut second = Composer::run(flow, Some(&pages_of_headings));
    let total = second.pages.len();
    for (index, page) in second.pages.iter_mut().enumerate() {
        add_furniture(page, &flow.furniture, index + 1, total, &mut second.missing);
    }
    LaidOut { pages: second.pages, outline: second.outline, missing: dedup_missing(second.missing) }
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
        0 => 24.0,
        1 => 16.0,
        2 => 12.5,
        _ => 10.5,
    }
}

fn line_height(size: f32) -> f32 {
    size * LEADING
}

fn add_furniture(page: &mut Page, furniture: &Furniture, number: usize, total: usize, missing: &mut Vec<MissingGlyphs>) {
    let s = page.style;
    let size = 8.0;
    let left = s.content_left();
    let right = s.content_right();
    let header_base = s.margin + size;
    let header_left = text::set_line(&[Span::bold(&furniture.header_left)], size, missing);
    let header_right = text::set_line(&[Span::plain(&furniture.header_right)], size, missing);
    let rule_y = s.margin + s.header * 0.55;
    page.items.push(Item::Text { x: left, baseline: header_base, line: header_left, colour: Colour::MUTED });
    page.items.push(Item::Text { x: right - header_right.width, baseline: header_base, line: header_right, colour: Colour::MUTED });
    page.items.push(Item::Rule { x1: left, y1: rule_y, x2: right, y2: rule_y, colour: Colour::RULE, width: 0.6 });

    let footer_base = s.height - s.margin - size * 0.3;
    let footer_rule = s.height - s.margin - s.footer * 0.55;
    let footer_left = text::set_line(&[Span::plain(&furniture.footer_left)], size, missing);
    let footer_right = text::set_line(&[Span::plain(format!("Page {number} of {total}"))], size, missing);
    page.items.push(Item::Rule { x1: left, y1: footer_rule, x2: right, y2: footer_rule, colour: Colour::RULE, width: 0.6 });
    page.items.push(Item::Text { x: left, baseline: footer_base, line: footer_left, colour: Colour::MUTED });
    page.items.push(Item::Text { x: right - footer_right.width, baseline: footer_base, line: footer_right, colour: Colour::MUTED });
}

/// A line of a table cell: text, or a gap between paragraphs.
#[derive(Debug, Clone)]
struct CellLine {
    line: Option<Line>,
    colour: Colour,
    height: f32,
}

/// Places blocks onto pages.
struct Composer<'a> {
    flow: &'a Flow,
    style: PageStyle,
    pages: Vec<Page>,
    y: f32,
    outline: Vec<OutlineEntry>,
    /// Pages of the outlined headings, from the first pass.
    known_pages: Option<&'a [usize]>,
    missing: Vec<MissingGlyphs>,
}

impl<'a> Composer<'a> {
    fn run(flow: &'a Flow, known_pages: Option<&'a [usize]>) -> Composer<'a> {
        let style = flow.page;
        let mut c = Composer {
            flow,
            style,
            pages: vec![Page { style, items: Vec::new() }],
            y: style.content_top(),
            outline: Vec::new(),
            known_pages,
            missing: Vec::new(),
        };
        for (index, block) in flow.blocks.iter().enumerate() {
            c.place(block, flow.blocks.get(index + 1));
        }
        c
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("at least one page")
    }

    fn at_top(&self) -> bool {
        (self.y - self.style.content_top()).abs() < 0.01
    }

    fn remaining(&self) -> f32 {
        self.style.content_bottom() - self.y
    }

    fn new_page(&mut self) {
        self.pages.push(Page { style: self.style, items: Vec::new() });
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
        text::wrap(spans, size, width, &mut self.missing)
    }

    fn push_text(&mut self, x: f32, top: f32, line: Line, colour: Colour) {
        let baseline = top + line.size * 1.02;
        self.page().items.push(Item::Text { x, baseline, line, colour });
    }

    /// Height a block needs at least at the foot of a page for a heading
    /// above it not to be left alone.
    fn min_start_height(&mut self, block: &Block) -> f32 {
        match block {
            Block::Paragraph(p) => {
                let lines = self.wrap(&p.spans, p.size, self.width()).len().min(2);
                lines as f32 * line_height(p.size)
            }
            Block::Bullets { size, .. } => 2.0 * line_height(*size),
            Block::KeyValues { rows, size } => rows.len().min(8) as f32 * (line_height(*size) + size * 0.25),
            Block::Table(t) => line_height(t.size) * 4.0 + CELL_PAD * 4.0,
            Block::Chart(c) => chart::height(c),
            Block::Heading { level, .. } => line_height(heading_size(*level)) * 2.0,
            Block::Contents => 3.0 * line_height(BODY_SIZE),
            Block::Spacer(_) | Block::PageBreak(_) => 0.0,
        }
    }

    fn place(&mut self, block: &Block, next: Option<&Block>) {
        match block {
            Block::Heading { level, text, outline } => self.heading(*level, text, *outline, next),
            Block::Paragraph(p) => self.paragraph(p),
            Block::Bullets { items, size } => self.bullets(items, *size),
            Block::KeyValues { rows, size } => self.key_values(rows, *size),
            Block::Table(t) => self.table(t),
            Block::Chart(c) => {
                let h = chart::height(c);
                self.ensure(h);
                let (x, y, w) = (self.style.content_left(), self.y, self.width());
                let items = chart::draw(c, x, y, w, &mut self.missing);
                self.page().items.extend(items);
                self.y += h + BODY_SIZE;
            }
            Block::Spacer(h) => self.y = (self.y + h).min(self.style.content_bottom()),
            Block::PageBreak(style) => {
                if let Some(style) = style {
                    self.style = *style;
                }
                let empty = self.page().items.is_empty();
                if empty {
                    let style = self.style;
                    self.page().style = style;
                    self.y = style.content_top();
                } else {
                    self.new_page();
                }
            }
            Block::Contents => self.contents(),
        }
    }

    fn heading(&mut self, level: u8, text: &str, outline: bool, next: Option<&Block>) {
        let size = heading_size(level);
        let space_before = if level <= 1 { size * 0.5 } else { size * 0.7 };
        let lines = self.wrap(&[Span::bold(text)], size, self.width());
        let own = lines.len() as f32 * line_height(size) + size * 0.35;
        let following = next.map(|b| self.min_start_height(b)).unwrap_or(0.0);
        self.ensure(space_before + own + following);
        if !self.at_top() {
            self.y += space_before;
        }
        if outline {
            let page = self.pages.len() - 1;
            self.outline.push(OutlineEntry { title: text.to_string(), level, page });
        }
        let colour = Colour::ACCENT;
        for line in lines {
            let top = self.y;
            self.push_text(self.style.content_left(), top, line, colour);
            self.y += line_height(size);
        }
        if level == 1 {
            let (l, r, y) = (self.style.content_left(), self.style.content_right(), self.y + 1.0);
            self.page().items.push(Item::Rule { x1: l, y1: y, x2: r, y2: y, colour: Colour::ACCENT, width: 0.8 });
            self.y += 3.0;
        }
        self.y += size * 0.35;
    }

    /// Places lines, moving to a new page when one does not fit; keeps at
    /// least two lines of a paragraph together at the foot of a page.
    fn lines_at(&mut self, lines: Vec<Line>, x: f32, width: f32, align: Align, colour: Colour) {
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
            self.push_text(left, top, line, colour);
            self.y += lh;
        }
    }

    fn paragraph(&mut self, p: &Paragraph) {
        let lines = self.wrap(&p.spans, p.size, self.width());
        let (x, w) = (self.style.content_left(), self.width());
        self.lines_at(lines, x, w, p.align, p.colour);
        self.y += p.space_after;
    }

    fn bullets(&mut self, items: &[Vec<Span>], size: f32) {
        let indent = size * 1.4;
        let x = self.style.content_left();
        let width = self.width() - indent;
        for item in items {
            let lines = self.wrap(item, size, width);
            let first_height = line_height(size) * lines.len().min(2) as f32;
            self.ensure(first_height);
            let bullet = text::set_line(&[Span::plain("•")], size, &mut self.missing);
            let top = self.y;
            self.push_text(x + size * 0.3, top, bullet, Colour::ACCENT);
            self.lines_at(lines, x + indent, width, Align::Left, Colour::BLACK);
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
            let n = self.wrap(&[Span::bold(key)], size, key_width).len().max(self.wrap(value, size, value_width).len()).max(1);
            total += n as f32 * line_height(size) + size * 0.25;
        }
        if total <= (self.style.content_bottom() - self.style.content_top()) / 3.0 {
            self.ensure(total);
        }
        for (key, value) in rows {
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
                self.push_text(x, top + i as f32 * line_height(size), line, Colour::BLACK);
            }
            self.lines_at(values, x + key_width + size, value_width, Align::Left, Colour::BLACK);
            self.y = self.y.max(top + height) + size * 0.25;
        }
        self.y += size * 0.4;
    }

    fn contents(&mut self) {
        let size = BODY_SIZE + 0.5;
        let x = self.style.content_left();
        let right = self.style.content_right();
        let entries: Vec<(String, u8)> = self
            .flow
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, text, outline: true } => Some((text.clone(), *level)),
                _ => None,
            })
            .collect();
        let number_width = text::measure(&[Span::plain("999")], size) + size;
        for (index, (title, level)) in entries.into_iter().enumerate() {
            let target = self.known_pages.and_then(|p| p.get(index)).copied();
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
                self.push_text(x + indent, top + i as f32 * line_height(size), line, Colour::BLACK);
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
                });
            }
            self.push_text(number_x, last_top, number, Colour::BLACK);
            if let Some(page) = target {
                // The whole entry, title to number, is the link.
                self.page().items.push(Item::Link { x, y: top, w: right - x, h: height, page });
            }
            self.y = top + height + size * 0.3;
        }
        self.y += BODY_SIZE;
    }

    fn cell_lines(&mut self, cell: &Cell, size: f32, width: f32) -> Vec<CellLine> {
        let mut out = Vec::new();
        for (i, paragraph) in cell.paragraphs.iter().enumerate() {
            if i > 0 {
                out.push(CellLine { line: None, colour: Colour::BLACK, height: size * 0.45 });
            }
            for line in self.wrap(paragraph, size, width) {
                out.push(CellLine { line: Some(line), colour: Colour::BLACK, height: line_height(size) });
            }
        }
        out
    }

    fn table(&mut self, table: &Table) {
        let size = table.size;
        let left = self.style.content_left();
        let total: f32 = table.columns.iter().map(|c| c.width).sum::<f32>().max(f32::EPSILON);
        let widths: Vec<f32> = table.columns.iter().map(|c| self.width() * c.width / total).collect();
        let xs: Vec<f32> = widths
            .iter()
            .scan(left, |x, w| {
                let at = *x;
                *x += w;
                Some(at)
            })
            .collect();
        let inner = |w: f32| (w - 2.0 * CELL_PAD).max(size);

        let header: Vec<Vec<Line>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, &w)| text::wrap(&[Span::bold(&c.header)], size, inner(w), &mut self.missing))
            .collect();
        let header_height = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_height(size) + 2.0 * CELL_PAD;
        let lh = line_height(size);

        // A table starts where its header and the first lines of its first row fit.
        self.ensure(header_height + 2.0 * lh + 2.0 * CELL_PAD);
        self.table_header(&header, &xs, &widths, header_height);

        for (row_index, row) in table.rows.iter().enumerate() {
            let mut cells: Vec<Vec<CellLine>> = widths
                .iter()
                .enumerate()
                .map(|(i, &w)| row.get(i).map(|c| self.cell_lines(c, size, inner(w))).unwrap_or_default())
                .collect();
            let fills: Vec<Option<Colour>> = (0..widths.len()).map(|i| row.get(i).and_then(|c| c.fill)).collect();
            let zebra = row_index % 2 == 1;
            // The first column names the row: its first line heads every continuation.
            let row_name = cells.first().and_then(|c| c.iter().find(|l| l.line.is_some()).cloned());
            loop {
                let content: f32 = cells.iter().map(|c| c.iter().map(|l| l.height).sum::<f32>()).fold(0.0, f32::max);
                let needed = content + 2.0 * CELL_PAD;
                if needed <= self.remaining() {
                    self.table_row_piece(&mut cells, &xs, &widths, &fills, zebra, needed);
                    break;
                }
                // Split between lines when at least two lines of the row fit
                // here (widow control); otherwise carry the row over.
                let room = self.remaining() - 2.0 * CELL_PAD;
                let fit = cells.iter().map(|c| lines_fitting(c, room)).max().unwrap_or(0);
                // Lines left over for the next page in the cell that goes on longest.
                let left_over = cells.iter().map(|c| c.len() - lines_fitting(c, room)).max().unwrap_or(0);
                let fresh_page = self.y <= self.style.content_top() + header_height + 0.01;
                let page_room = self.style.content_bottom() - self.style.content_top() - header_height;
                // Widow and orphan control: split only when three lines or
                // more stay here and two or more go over, or when the row
                // would not fit on a page of its own anyway.
                let splits = (fit >= 3 && left_over >= 2) || (fit >= 2 && needed > page_room) || (fresh_page && fit >= 1);
                if splits {
                    let mut rest: Vec<Vec<CellLine>> = Vec::with_capacity(cells.len());
                    for c in cells.iter_mut() {
                        let n = lines_fitting(c, room);
                        let tail = c.split_off(n);
                        rest.push(tail);
                    }
                    let piece_height = self.remaining();
                    self.table_row_piece(&mut cells, &xs, &widths, &fills, zebra, piece_height);
                    // The rest starts with "(continued)" in every cell that goes on.
                    cells = rest
                        .into_iter()
                        .enumerate()
                        .map(|(column, mut c)| {
                            while c.first().is_some_and(|l| l.line.is_none()) {
                                c.remove(0);
                            }
                            if !c.is_empty() || column == 0 {
                                let mark = text::set_line(&[Span::italic("(continued)")], size, &mut self.missing);
                                c.insert(0, CellLine { line: Some(mark), colour: Colour::MUTED, height: lh });
                            }
                            if column == 0 && c.len() == 1 {
                                if let Some(name) = row_name.clone() {
                                    c.insert(0, name);
                                }
                            }
                            c
                        })
                        .collect();
                } else if fresh_page {
                    // Nothing fits even on a fresh page (a line taller than the page): give up on this row.
                    break;
                }
                self.new_page();
                self.table_header(&header, &xs, &widths, header_height);
            }
        }
        self.y += BODY_SIZE * 0.8;
    }

    fn table_header(&mut self, header: &[Vec<Line>], xs: &[f32], widths: &[f32], height: f32) {
        let top = self.y;
        let left = xs.first().copied().unwrap_or(0.0);
        let width: f32 = widths.iter().sum();
        self.page().items.push(Item::Rect { x: left, y: top, w: width, h: height, fill: Some(Colour::ACCENT), stroke: None });
        for (i, lines) in header.iter().enumerate() {
            for (k, line) in lines.iter().enumerate() {
                self.push_text(xs[i] + CELL_PAD, top + CELL_PAD + k as f32 * line_height(line.size), line.clone(), Colour::WHITE);
            }
        }
        self.y += height;
    }

    fn table_row_piece(
        &mut self,
        cells: &mut [Vec<CellLine>],
        xs: &[f32],
        widths: &[f32],
        fills: &[Option<Colour>],
        zebra: bool,
        height: f32,
    ) {
        let top = self.y;
        let left = xs.first().copied().unwrap_or(0.0);
        let width: f32 = widths.iter().sum();
        if zebra {
            self.page().items.push(Item::Rect { x: left, y: top, w: width, h: height, fill: Some(Colour::ZEBRA), stroke: None });
        }
        for (i, fill) in fills.iter().enumerate() {
            if let Some(fill) = fill {
                self.page().items.push(Item::Rect { x: xs[i], y: top, w: widths[i], h: height, fill: Some(*fill), stroke: None });
            }
        }
        for (i, lines) in cells.iter_mut().enumerate() {
            let mut y = top + CELL_PAD;
            for cell_line in lines.drain(..) {
                if let Some(line) = cell_line.line {
                    let x = if line.rtl { xs[i] + widths[i] - CELL_PAD - line.width } else { xs[i] + CELL_PAD };
                    self.push_text(x, y, line, cell_line.colour);
                }
                y += cell_line.height;
            }
        }
        let bottom = top + height;
        self.page().items.push(Item::Rule { x1: left, y1: bottom, x2: left + width, y2: bottom, colour: Colour::RULE, width: 0.5 });
        self.y = bottom;
    }
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

/// Convenience: a heading block.
pub fn heading(level: u8, text: impl Into<String>) -> Block {
    Block::Heading { level, text: text.into(), outline: true }
}

/// Convenience: a paragraph block of plain text.
pub fn para(spans: Vec<Span>) -> Block {
    Block::Paragraph(Paragraph::new(spans))
}

/// Style words used by documents for a bold label followed by plain text.
pub fn labelled(label: &str, value: impl Into<String>) -> Vec<Span> {
    vec![Span { text: format!("{label} "), style: FontStyle::BOLD }, Span::plain(value)]
}
