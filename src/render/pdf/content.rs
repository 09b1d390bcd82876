//! One page's content stream, written as PDF operators straight into bytes:
//! glyphs by id (so shaped Urdu and Gujarati print as laid out), boxes and
//! rules, every item inside marked content as its layout tag says (content
//! of a structure element with its marked-content id, or an artifact), and
//! text in another script than its element's inside a span with its
//! `/Lang`. It records which glyphs the page used, and the text each stands
//! for, so [`super::embed`] can subset the fonts and map them to Unicode
//! once every page is written, and the tag of each marked-content id, for
//! the structure tree ([`super::tagged`]) to file: the stream itself does
//! not depend on where the page falls in its document, so a page drawn for
//! one document can be placed in another.
//!
//! Written directly rather than through printpdf's operations: a county's
//! board report is millions of operators, and converting each into
//! printpdf's and then lopdf's objects was half the build (BENCHMARKS.md).

use super::embed::{pdf_width, GlyphUse};
use super::file::{literal, utf16_hex};
use super::fonts::FaceId;
use super::layout::{Colour, Item, Tag};
use super::tagged;
use super::text::PlacedGlyph;

/// Writes `value` as a PDF number with at most three decimals (a
/// thousandth of a point, of an em or of a colour step is far below what
/// shows), without trailing zeros.
pub(crate) fn number(out: &mut Vec<u8>, value: f64) {
    let thousandths = (value * 1000.0).round() as i64;
    if thousandths < 0 {
        out.push(b'-');
    }
    let magnitude = thousandths.unsigned_abs();
    super::file::integer(out, magnitude / 1000);
    let fraction = magnitude % 1000;
    if fraction != 0 {
        let digits = [(fraction / 100) as u8, (fraction / 10 % 10) as u8, (fraction % 10) as u8].map(|d| b'0' + d);
        // Without trailing zeros.
        let kept = if fraction % 100 == 0 {
            1
        } else if fraction % 10 == 0 {
            2
        } else {
            3
        };
        out.push(b'.');
        out.extend_from_slice(&digits[..kept]);
    }
}

/// The value [`number`] writes, as a reader of the PDF sees it.
pub(crate) fn as_written(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// A content stream being written: numbers separated by spaces, each
/// operator on its own line.
struct Stream {
    out: Vec<u8>,
}

impl Stream {
    fn numbers(&mut self, values: &[f64]) {
        for value in values {
            number(&mut self.out, *value);
            self.out.push(b' ');
        }
    }

    fn op(&mut self, values: &[f64], operator: &str) {
        self.numbers(values);
        self.out.extend_from_slice(operator.as_bytes());
        self.out.push(b'\n');
    }

    fn colour(&mut self, c: Colour, operator: &str) {
        let part = |v: u8| v as f64 / 255.0;
        self.op(&[part(c.r), part(c.g), part(c.b)], operator);
    }

    /// Opens marked content: `/tag <<properties>> BDC`.
    fn begin_marked(&mut self, tag: &str, properties: &[u8]) {
        self.out.push(b'/');
        self.out.extend_from_slice(tag.as_bytes());
        self.out.extend_from_slice(b" <<");
        self.out.extend_from_slice(properties);
        self.out.extend_from_slice(b">> BDC\n");
    }

    fn end_marked(&mut self) {
        self.out.extend_from_slice(b"EMC\n");
    }
}

/// Opens a marked-content span whose `/ActualText` is `text` (UTF-16BE).
fn actual_text_start(stream: &mut Stream, text: &str) {
    let mut properties = b"/ActualText ".to_vec();
    utf16_hex(&mut properties, text);
    stream.begin_marked("Span", &properties);
}

/// Opens a marked-content span in language `lang` (a quote in Urdu inside
/// an English update), so a screen reader switches voice for it.
fn lang_start(stream: &mut Stream, lang: &str) {
    let mut properties = b"/Lang ".to_vec();
    literal(&mut properties, lang.as_bytes());
    stream.begin_marked("Span", &properties);
}

/// Opens marked content for a run of items with one tag: an artifact, or
/// content of a structure element with its marked-content id, the next on
/// the page (`marked` holds the tags of those before it).
fn mark_start(stream: &mut Stream, marked: &mut Vec<Tag>, tag: Tag) {
    let artifact = |stream: &mut Stream, kind: &str| stream.begin_marked("Artifact", format!("/Type /{kind}").as_bytes());
    match tag {
        Tag::Artifact => return artifact(stream, "Layout"),
        Tag::Pagination => return artifact(stream, "Pagination"),
        _ => {}
    }
    match tagged::role(tag) {
        // Only artifact tags have no element, and they are answered above.
        None => artifact(stream, "Layout"),
        Some(role) => {
            stream.begin_marked(role, format!("/MCID {}", marked.len()).as_bytes());
            marked.push(tag);
        }
    }
}

/// What one glyph says of the language around it.
#[derive(Clone, Copy, PartialEq)]
enum GlyphLang {
    /// Spaces, digits, punctuation, the later glyphs of a cluster: they
    /// belong to whatever surrounds them.
    Neutral,
    Latin,
    Script(&'static str),
}

/// What a glyph's text says of its language: a script that names one
/// (Urdu, Gujarati, Bengali, Punjabi), Latin letters, or nothing.
fn glyph_lang(text: &str) -> GlyphLang {
    // Nearly every glyph: no need to ask which language ASCII is.
    if text.is_ascii() {
        return if text.bytes().any(|b| b.is_ascii_alphabetic()) { GlyphLang::Latin } else { GlyphLang::Neutral };
    }
    if !text.chars().any(char::is_alphabetic) {
        return GlyphLang::Neutral;
    }
    match crate::render::language::detect(text) {
        // Polish is told from English by whole words, never by one letter.
        None | Some("pl") => GlyphLang::Latin,
        Some(lang) => GlyphLang::Script(lang),
    }
}

/// Glyphs on one baseline in one face, drawn as one positioned text run:
/// one text matrix and one `TJ`. Each glyph is where the one before leaves
/// the pen (its `/W` width is its exact advance), unless shaping moved it
/// (kerning, marks, right-to-left runs drawn in reading order): then a
/// number in the `TJ` moves the pen to it.
struct GlyphRun {
    x: f64,
    y: f64,
    size: f64,
    /// Where the viewer's pen is after the glyphs so far, in thousandths of
    /// an em from `x`.
    pen: f64,
    /// The `TJ` array's contents so far.
    array: Vec<u8>,
    /// A string of glyph ids is open in `array`.
    in_string: bool,
}

/// How far the pen may be from a glyph's place (thousandths of an em)
/// before a `TJ` number moves it: a twenty-thousandth of an em is under a
/// thousandth of a point at report sizes, and keeps the float noise of
/// summed advances from becoming a number between every two glyphs.
const PEN_SLACK: f64 = 0.05;

impl GlyphRun {
    fn new(x: f32, y: f32, size: f32) -> GlyphRun {
        GlyphRun { x: x as f64, y: y as f64, size: size as f64, pen: 0.0, array: Vec::new(), in_string: false }
    }

    /// Adds a glyph to be drawn at `x`.
    fn push(&mut self, glyph: &PlacedGlyph, x: f32) {
        let wanted = (x as f64 - self.x) * 1000.0 / self.size;
        // TJ numbers move the pen by -n/1000 em. Nearly every glyph is where
        // the pen is: a gap that cannot round to the slack is not rounded.
        let gap = self.pen - wanted;
        let kern = if gap.abs() < PEN_SLACK - 0.001 { 0.0 } else { as_written(gap) };
        if kern.abs() >= PEN_SLACK {
            if std::mem::take(&mut self.in_string) {
                self.array.push(b')');
            }
            number(&mut self.array, kern);
            self.pen -= kern;
        }
        if !std::mem::replace(&mut self.in_string, true) {
            self.array.push(b'(');
        }
        // Two bytes per glyph id, as they are: half the bytes of hex to
        // write and to deflate. A literal string needs only its brackets and
        // backslash escaped, and a carriage return, which a reader would
        // take for a line end.
        for byte in glyph.gid.to_be_bytes() {
            match byte {
                b'(' | b')' | b'\\' => self.array.extend_from_slice(&[b'\\', byte]),
                b'\r' => self.array.extend_from_slice(b"\\r"),
                _ => self.array.push(byte),
            }
        }
        self.pen += pdf_width(glyph.face, glyph.gid);
    }

    /// Draws the run in progress, if any, and ends it.
    fn flush(run: &mut Option<GlyphRun>, stream: &mut Stream) {
        if let Some(mut run) = run.take() {
            if run.in_string {
                run.array.push(b')');
            }
            stream.op(&[1.0, 0.0, 0.0, 1.0, run.x, run.y], "Tm");
            stream.out.push(b'[');
            stream.out.extend_from_slice(&run.array);
            stream.out.extend_from_slice(b"] TJ\n");
        }
    }
}

/// What the content stream has set so far on a page, so each operator is
/// written only when it changes something: consecutive lines share one text
/// object, colour and font.
#[derive(Default)]
struct PenState {
    in_text: bool,
    fill: Option<Colour>,
    stroke: Option<(Colour, f32)>,
    font: Option<(FaceId, u32)>,
}

impl PenState {
    fn end_text(&mut self, stream: &mut Stream) {
        if std::mem::take(&mut self.in_text) {
            stream.op(&[], "ET");
        }
    }

    fn begin_text(&mut self, stream: &mut Stream) {
        if !std::mem::replace(&mut self.in_text, true) {
            stream.op(&[], "BT");
        }
    }

    fn fill(&mut self, c: Colour, stream: &mut Stream) {
        if self.fill != Some(c) {
            stream.colour(c, "rg");
            self.fill = Some(c);
        }
    }

    fn stroke(&mut self, c: Colour, width: f32, stream: &mut Stream) {
        if self.stroke != Some((c, width)) {
            stream.colour(c, "RG");
            stream.op(&[width as f64], "w");
            self.stroke = Some((c, width));
        }
    }

    fn has_font(&self, face: FaceId, size: f32) -> bool {
        self.font == Some((face, size.to_bits()))
    }

    fn font(&mut self, face: FaceId, size: f32, stream: &mut Stream) {
        if !self.has_font(face, size) {
            stream.out.push(b'/');
            stream.out.extend_from_slice(face.pdf_tag().as_bytes());
            stream.out.push(b' ');
            stream.op(&[size as f64], "Tf");
            self.font = Some((face, size.to_bits()));
        }
    }
}

/// The content stream drawing one page (`height` points tall), every item
/// inside marked content: consecutive items with the same tag share one
/// sequence, and within it consecutive lines of text one text object. The
/// glyphs drawn are added to `used`, and the tag of each marked-content id
/// (0, 1, …) to `marked`.
pub(crate) fn page_content(items: &[Item], height: f32, marked: &mut Vec<Tag>, used: &mut GlyphUse) -> Vec<u8> {
    let height = height as f64;
    let mut stream = Stream { out: Vec::with_capacity(items.len() * 48) };
    let mut open = None;
    let mut pen = PenState::default();
    for item in items {
        // Links draw nothing here; text without glyphs neither.
        let draws = match item {
            Item::Link { .. } => false,
            Item::Text { line, .. } => !line.glyphs.is_empty(),
            _ => true,
        };
        if draws && open != Some(item.tag()) {
            // A text object sits inside one marked-content sequence.
            pen.end_text(&mut stream);
            if open.is_some() {
                stream.end_marked();
            }
            mark_start(&mut stream, marked, item.tag());
            open = Some(item.tag());
        }
        match item {
            Item::Rect { x, y, w, h, fill, stroke, .. } => {
                pen.end_text(&mut stream);
                if let Some(f) = fill {
                    pen.fill(*f, &mut stream);
                }
                if let Some(s) = stroke {
                    pen.stroke(*s, 0.5, &mut stream);
                }
                stream.op(&[*x as f64, height - *y as f64 - *h as f64, *w as f64, *h as f64], "re");
                let paint = match (fill, stroke) {
                    (Some(_), Some(_)) => "B",
                    (Some(_), None) => "f",
                    _ => "S",
                };
                stream.op(&[], paint);
            }
            Item::Rule { x1, y1, x2, y2, colour: c, width, .. } => {
                pen.end_text(&mut stream);
                pen.stroke(*c, *width, &mut stream);
                stream.op(&[*x1 as f64, height - *y1 as f64], "m");
                stream.op(&[*x2 as f64, height - *y2 as f64], "l");
                stream.op(&[], "S");
            }
            // Links are annotations, added with the page (`write::add_links`).
            Item::Link { .. } => {}
            Item::Text { x, baseline, line, colour: c, tag } => {
                if line.glyphs.is_empty() {
                    continue;
                }
                pen.begin_text(&mut stream);
                pen.fill(*c, &mut stream);
                let mut run: Option<GlyphRun> = None;
                // The language span open, and whether an ActualText span
                // is (a language span never cuts through one).
                let mut lang_open: Option<&'static str> = None;
                let mut in_actual = false;
                for index in line.drawing_order() {
                    let glyph = &line.glyphs[index];
                    used.add(glyph);
                    let wanted = match glyph_lang(&glyph.text) {
                        GlyphLang::Neutral => lang_open,
                        GlyphLang::Latin => None,
                        GlyphLang::Script(lang) => (Some(lang) != tag.lang()).then_some(lang),
                    };
                    if wanted != lang_open && !in_actual {
                        GlyphRun::flush(&mut run, &mut stream);
                        if lang_open.is_some() {
                            stream.end_marked();
                        }
                        if let Some(lang) = wanted {
                            lang_start(&mut stream, lang);
                        }
                        lang_open = wanted;
                    }
                    let marked = line.actual_text.iter().find(|(r, _)| r.start == index);
                    let (gx, gy) = (x + glyph.x + glyph.dx, (height - *baseline as f64) as f32 + glyph.dy);
                    if marked.is_some() || !pen.has_font(glyph.face, line.size) || run.as_ref().is_some_and(|r| r.y != gy as f64) {
                        GlyphRun::flush(&mut run, &mut stream);
                    }
                    if let Some((_, text)) = marked {
                        actual_text_start(&mut stream, text);
                        in_actual = true;
                    }
                    pen.font(glyph.face, line.size, &mut stream);
                    run.get_or_insert_with(|| GlyphRun::new(gx, gy, line.size)).push(glyph, gx);
                    if line.actual_text.iter().any(|(r, _)| r.end == index + 1) {
                        GlyphRun::flush(&mut run, &mut stream);
                        stream.end_marked();
                        in_actual = false;
                    }
                }
                GlyphRun::flush(&mut run, &mut stream);
                if lang_open.is_some() {
                    stream.end_marked();
                }
            }
        }
    }
    pen.end_text(&mut stream);
    if open.is_some() {
        stream.end_marked();
    }
    stream.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(value: f64) -> String {
        let mut out = Vec::new();
        number(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_short_and_exact_to_a_thousandth() {
        assert_eq!(written(51.0), "51");
        assert_eq!(written(750.61), "750.61");
        assert_eq!(written(0.12156863), "0.122");
        assert_eq!(written(-0.91015625), "-0.91");
        assert_eq!(written(-0.0001), "0");
        assert_eq!(written(634.765625), "634.766");
        assert_eq!(written(0.05), "0.05");
        assert_eq!(written(-12.5), "-12.5");
        assert_eq!(as_written(634.765625), 634.766);
    }

    /// A `TJ` array's contents: strings of glyph ids and the numbers between them.
    #[derive(Debug, PartialEq)]
    enum Piece {
        Glyphs(Vec<u16>),
        Move(f64),
    }

    /// Reads a `TJ` array's contents back as a PDF reader would.
    fn pieces(array: &[u8]) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < array.len() {
            if array[i] == b'(' {
                let mut bytes = Vec::new();
                i += 1;
                while array[i] != b')' {
                    if array[i] == b'\\' {
                        i += 1;
                        bytes.push(if array[i] == b'r' { b'\r' } else { array[i] });
                    } else {
                        bytes.push(array[i]);
                    }
                    i += 1;
                }
                i += 1;
                out.push(Piece::Glyphs(bytes.chunks(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect()));
            } else {
                let end = array[i..].iter().position(|&b| b == b'(').map_or(array.len(), |p| i + p);
                out.push(Piece::Move(std::str::from_utf8(&array[i..end]).unwrap().parse().unwrap()));
                i = end;
            }
        }
        out
    }

    /// The `TJ` array drawing `text` at 10 pt (read back), the glyph ids
    /// laid out, and the faces noted as used.
    fn drawn(text: &str) -> (Vec<Piece>, Vec<u16>, Vec<FaceId>) {
        use crate::render::pdf::layout::{Colour, Item, Tag};
        use crate::render::pdf::text::{wrap, Span};
        let line = wrap(&[Span::plain(text)], 10.0, 500.0, &mut Vec::new()).remove(0);
        let gids = line.glyphs.iter().map(|g| g.gid).collect();
        let item = Item::Text { x: 50.0, baseline: 100.0, line, colour: Colour::rgb(0, 0, 0), tag: Tag::Artifact };
        let mut used = GlyphUse::default();
        let content = page_content(&[item], 800.0, &mut Vec::new(), &mut used);
        let text = String::from_utf8_lossy(&content);
        assert_eq!(text.matches("TJ").count(), 1, "{text}");
        assert!(text.starts_with("/Artifact <</Type /Layout>> BDC\nBT\n"), "{text}");
        assert!(text.contains("1 0 0 1 50 700 Tm\n[("), "{text}");
        let open = content.iter().position(|&b| b == b'[').unwrap();
        let close = content.len() - content.iter().rev().position(|&b| b == b']').unwrap() - 1;
        (pieces(&content[open + 1..close]), gids, used.faces().collect())
    }

    /// A line of English is one text run: one text matrix and one string
    /// of glyph ids, with no positioning between glyphs that the font's own
    /// advances already place; and every glyph drawn is noted for the fonts.
    #[test]
    fn a_line_of_english_is_one_string_of_glyphs() {
        let (array, gids, faces) = drawn("doubled in the bus station");
        assert_eq!(array, vec![Piece::Glyphs(gids)]);
        assert_eq!(faces, vec![FaceId::Sans]);
    }

    /// A pair the font kerns ("Pa") gets a number moving the second glyph
    /// closer, and only that pair.
    #[test]
    fn kerned_pairs_are_moved_and_nothing_else() {
        let (array, gids, _) = drawn("Pa doubled");
        let moves: Vec<f64> = array.iter().filter_map(|p| if let Piece::Move(n) = p { Some(*n) } else { None }).collect();
        assert_eq!(moves.len(), 1, "{array:?}");
        assert!(moves[0] > 0.0, "{array:?}");
        let drawn: Vec<u16> = array.iter().flat_map(|p| if let Piece::Glyphs(g) = p { g.clone() } else { Vec::new() }).collect();
        assert_eq!(drawn, gids);
    }

    /// Glyph ids whose bytes are a bracket, a backslash or a carriage
    /// return read back as the same ids.
    #[test]
    fn glyph_ids_that_look_like_syntax_are_escaped() {
        let mut run = GlyphRun::new(0.0, 0.0, 10.0);
        let ids = [0x0028u16, 0x2900, 0x005C, 0x000D, 0x0D0A, 0x0041];
        for gid in ids {
            let glyph = PlacedGlyph { face: FaceId::Sans, gid, x: 0.0, dx: 0.0, dy: 0.0, text: std::rc::Rc::from("") };
            run.push(&glyph, (run.x + run.pen * run.size / 1000.0) as f32);
        }
        run.array.push(b')');
        let read = pieces(&run.array);
        let drawn: Vec<u16> = read.iter().flat_map(|p| if let Piece::Glyphs(g) = p { g.clone() } else { Vec::new() }).collect();
        assert_eq!(drawn, ids);
    }
}
