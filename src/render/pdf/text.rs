//! Setting text: rich text (runs of regular, bold and italic), per-character
//! font fallback, the Unicode bidirectional algorithm, shaping with
//! rustybuzz (so Urdu is joined and right to left, and Gujarati conjuncts and
//! vowel signs are formed), measuring with the fonts' own advances, and
//! wrapping into lines. A character no shipped font covers is drawn as a
//! visible replacement mark and reported, never left as a blank box.

use super::fonts::{fonts, FaceId, FontStyle};
use rustybuzz::{Direction, ShapePlan, UnicodeBuffer};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use unicode_bidi::BidiInfo;

/// A piece of text in one style.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    pub text: String,
    pub style: FontStyle,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span { text: text.into(), style: FontStyle::REGULAR }
    }
    pub fn bold(text: impl Into<String>) -> Span {
        Span { text: text.into(), style: FontStyle::BOLD }
    }
    pub fn italic(text: impl Into<String>) -> Span {
        Span { text: text.into(), style: FontStyle::ITALIC }
    }
}

/// One glyph placed on a line.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    pub face: FaceId,
    pub gid: u16,
    /// Pen position from the line's left edge, in points, before offsets.
    pub x: f32,
    /// Shaping offsets in points (marks, kerning of attachments).
    pub dx: f32,
    pub dy: f32,
    /// The text this glyph stands for, for copying and searching (a ligature
    /// stands for several characters; a second glyph of a cluster for none).
    /// Shared with the shaping cache: a report draws the same few hundred
    /// glyphs millions of times.
    pub text: Rc<str>,
}

/// One laid line of text, glyphs in visual (left-to-right) order.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub glyphs: Vec<PlacedGlyph>,
    /// Advance width in points.
    pub width: f32,
    /// The paragraph reads right to left (lines align right).
    pub rtl: bool,
    /// Font size in points.
    pub size: f32,
    /// Glyph ranges whose characters are drawn in another order than they
    /// are read (Gujarati vowel signs before their consonant, reph after):
    /// the PDF marks them with the text as written, so copying and search
    /// give the words, not the drawing order.
    pub actual_text: Vec<(Range<usize>, String)>,
    /// Glyph ranges of right-to-left runs (Urdu). They are laid out in
    /// visual order; the PDF draws each run's glyphs in reverse, last glyph
    /// first, so the content stream holds them in reading order and text
    /// extraction (`pdftotext -raw`, copying) gives the words as written.
    pub rtl_runs: Vec<Range<usize>>,
}

impl Line {
    /// Glyph indices in the order the PDF draws them: visual order, except
    /// each right-to-left run reversed into reading order.
    pub fn drawing_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.glyphs.len()).collect();
        for run in &self.rtl_runs {
            order[run.clone()].reverse();
        }
        order
    }

    pub(crate) fn empty(size: f32) -> Line {
        Line { glyphs: Vec::new(), width: 0.0, rtl: false, size, actual_text: Vec::new(), rtl_runs: Vec::new() }
    }

    /// The characters of the line in visual order (for tests and debugging).
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| &*g.text).collect()
    }
}

/// Text that had characters no shipped font covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingGlyphs {
    pub text: String,
    pub chars: Vec<char>,
}

/// Characters that draw nothing and need no glyph (joiners, marks of
/// direction): shaping hides them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// A combining character: never start a line with one when breaking a word.
fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}'
        | '\u{0A81}'..='\u{0A83}' | '\u{0ABC}' | '\u{0ABE}'..='\u{0ACD}' | '\u{0AE2}'..='\u{0AE3}' | '\u{200C}' | '\u{200D}'
        | '\u{FE00}'..='\u{FE0F}')
}

/// Rich text made ready for setting: one string, the style of each byte
/// range, the face of each character.
#[derive(Debug)]
struct Prepared {
    text: String,
    /// (byte range, style), covering the text in order.
    styles: Vec<(Range<usize>, FontStyle)>,
    /// Face per byte (the face of the character starting there).
    faces: Vec<FaceId>,
}

impl Prepared {
    fn new(spans: &[Span], missing: &mut Vec<MissingGlyphs>) -> Prepared {
        let f = fonts();
        let mut text = String::new();
        let mut styles = Vec::new();
        let mut faces: Vec<FaceId> = Vec::new();
        let mut not_covered = Vec::new();
        for span in spans {
            let start = text.len();
            // Neutral characters follow the face before them within a span
            // only: at a span's start the span's own style decides.
            let mut previous: Option<FaceId> = None;
            for c in span.text.chars() {
                let c = match c {
                    '\t' => ' ',
                    '\r' => continue,
                    c if c.is_control() && c != '\n' => continue,
                    c => c,
                };
                let neutral = c.is_whitespace() || c.is_ascii_punctuation() || is_invisible(c) || is_combining(c);
                let face = match previous {
                    // Spaces, punctuation and marks stay in the run around them
                    // when that face has them, so shaping sees whole runs.
                    Some(p) if neutral && (f.get(p).has_glyph(c) || is_invisible(c) || c == '\n') => Some(p),
                    _ => f.face_for(c, span.style),
                };
                let (c, face) = match face {
                    Some(face) => (c, face),
                    None if is_invisible(c) || c == '\n' => (c, f.face_for(' ', span.style).unwrap_or(FaceId::Sans)),
                    None => {
                        not_covered.push(c);
                        ('\u{FFFD}', f.face_for('\u{FFFD}', span.style).unwrap_or(FaceId::Sans))
                    }
                };
                text.push(c);
                faces.extend(std::iter::repeat_n(face, c.len_utf8()));
                previous = Some(face);
            }
            if text.len() > start {
                styles.push((start..text.len(), span.style));
            }
        }
        if !not_covered.is_empty() {
            not_covered.dedup();
            let original: String = spans.iter().map(|s| s.text.as_str()).collect();
            missing.push(MissingGlyphs { text: original, chars: not_covered });
        }
        Prepared { text, styles, faces }
    }

    /// Splits a byte range into pieces of one face and one style, in logical order.
    fn pieces(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut key = None;
        // The styles cover the text in order: the one in force is found by
        // moving forward, not by searching from the start at every character.
        let mut styles = self.styles.iter().peekable();
        for (i, _) in self.text[range.clone()].char_indices() {
            let at = range.start + i;
            while styles.next_if(|(r, _)| r.end <= at).is_some() {}
            let style = styles.peek().filter(|(r, _)| r.contains(&at)).map(|(_, s)| *s).unwrap_or_default();
            let k = (self.faces[at], style);
            if key == Some(k) {
                if let Some(last) = out.last_mut() {
                    last.end = at;
                }
            } else {
                if let Some(last) = out.last_mut() {
                    last.end = at;
                }
                out.push(at..range.end);
                key = Some(k);
            }
        }
        if let Some(last) = out.last_mut() {
            last.end = range.end;
        }
        out
    }
}

/// A shaped glyph in font units, before placing.
#[derive(Debug, Clone)]
struct UnitGlyph {
    gid: u16,
    advance: i32,
    x_offset: i32,
    y_offset: i32,
    text: Rc<str>,
}

type PlanKey = (FaceId, bool, [u8; 4]);
/// Word shapes by face and direction, then by text.
type Shapes = foldhash::HashMap<(FaceId, bool), foldhash::HashMap<Box<str>, Rc<Vec<UnitGlyph>>>>;

thread_local! {
    /// Shaping is a pure function of (face, direction, text): the same words
    /// recur across the documents, so their shapes are kept (not lines'), by
    /// face and direction, then by text, looked up without copying it.
    static SHAPED: RefCell<Shapes> = RefCell::default();
    /// Shape plans by face, direction and script (building one is costly).
    static PLANS: RefCell<HashMap<PlanKey, Rc<ShapePlan>>> = RefCell::new(HashMap::new());
}

fn shape_units(text: &str, face_id: FaceId, rtl: bool) -> Rc<Vec<UnitGlyph>> {
    // Words and the spaces between them recur; whole lines hardly ever do,
    // and keeping them would keep every line of every document.
    let kept = !text.trim_matches(' ').contains(' ');
    if let Some(hit) = SHAPED.with(|c| c.borrow().get(&(face_id, rtl)).and_then(|by_text| by_text.get(text)).cloned()) {
        return hit;
    }
    let loaded = fonts().get(face_id);
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let direction = if rtl { Direction::RightToLeft } else { Direction::LeftToRight };
    buffer.set_direction(direction);
    let script = buffer.script();
    let plan_key = (face_id, rtl, script.tag().to_bytes());
    let plan = PLANS.with(|p| {
        p.borrow_mut().entry(plan_key).or_insert_with(|| Rc::new(ShapePlan::new(&loaded.face, direction, Some(script), None, &[]))).clone()
    });
    let shaped = rustybuzz::shape_with_plan(&loaded.face, &plan, buffer);
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();

    // Cluster starts in logical order give each cluster's text.
    let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let cluster_text = |cluster: usize| -> &str {
        let next = starts.iter().copied().find(|&s| s > cluster).unwrap_or(text.len());
        &text[cluster..next]
    };

    let mut glyphs = Vec::with_capacity(infos.len());
    let mut i = 0;
    while i < infos.len() {
        // The glyphs of one cluster are contiguous in the output.
        let cluster = infos[i].cluster as usize;
        let mut j = i;
        while j < infos.len() && infos[j].cluster as usize == cluster {
            j += 1;
        }
        let source = cluster_text(cluster);
        let texts = share_cluster_text(source, &infos[i..j].iter().map(|g| g.glyph_id as u16).collect::<Vec<_>>(), face_id);
        for (k, t) in (i..j).zip(texts) {
            let p = positions[k];
            glyphs.push(UnitGlyph {
                gid: infos[k].glyph_id as u16,
                advance: p.x_advance,
                x_offset: p.x_offset,
                y_offset: p.y_offset,
                text: Rc::from(t),
            });
        }
        i = j;
    }
    let glyphs = Rc::new(glyphs);
    if kept {
        SHAPED.with(|c| c.borrow_mut().entry((face_id, rtl)).or_default().insert(text.into(), glyphs.clone()));
    }
    glyphs
}

/// Shapes one piece (one face, one direction) onto the end of `glyphs`, in
/// visual order, pen positions from `start`; returns the piece's advance
/// width. Written into the line's own glyphs, not a vector of its own: a
/// county's documents set millions of pieces.
fn shape_piece_into(glyphs: &mut Vec<PlacedGlyph>, text: &str, face_id: FaceId, rtl: bool, size: f32, start: f32) -> f32 {
    let scale = size / fonts().get(face_id).units_per_em;
    let mut pen = 0.0f32;
    let mut place = |piece: &str| {
        for g in shape_units(piece, face_id, rtl).iter() {
            glyphs.push(PlacedGlyph {
                face: face_id,
                gid: g.gid,
                x: pen + start,
                dx: g.x_offset as f32 * scale,
                dy: g.y_offset as f32 * scale,
                text: g.text.clone(),
            });
            pen += g.advance as f32 * scale;
        }
    };
    // Left-to-right text in the Latin faces is set word by word, from the
    // shapes of its words and spaces (kept, as words recur): as it was
    // measured for breaking, and without shaping each line anew in each
    // document. Right-to-left and Indic text is shaped whole.
    if !rtl && matches!(face_id, FaceId::Sans | FaceId::SansBold | FaceId::SansOblique) {
        words_and_spaces(text).for_each(place);
    } else {
        place(text);
    }
    pen
}

/// Text cut into its words and its runs of spaces, in order.
fn words_and_spaces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = *rest.as_bytes().first()?;
        let end = rest.bytes().position(|b| (b == b' ') != (first == b' ')).unwrap_or(rest.len());
        let (piece, after) = rest.split_at(end);
        rest = after;
        Some(piece)
    })
}

/// Advance width of a piece in points.
fn piece_width(text: &str, face_id: FaceId, rtl: bool, size: f32) -> f32 {
    let scale = size / fonts().get(face_id).units_per_em;
    shape_units(text, face_id, rtl).iter().map(|g| g.advance as f32 * scale).sum()
}

/// Shares a cluster's characters among its glyphs: a glyph the font maps a
/// character to takes that character; what is left goes to the first glyph.
fn share_cluster_text(source: &str, gids: &[u16], face_id: FaceId) -> Vec<String> {
    if gids.len() == 1 {
        return vec![source.to_string()];
    }
    let face = &fonts().get(face_id).face;
    let mut pool: Vec<Option<char>> = source.chars().map(Some).collect();
    let mut texts: Vec<String> = gids
        .iter()
        .map(|&gid| {
            let found = pool.iter_mut().find(|c| c.and_then(|c| face.glyph_index(c)).is_some_and(|g| g.0 == gid));
            found.and_then(Option::take).map(String::from).unwrap_or_default()
        })
        .collect();
    let rest: String = pool.into_iter().flatten().collect();
    if !rest.is_empty() {
        let target = texts.iter().position(String::is_empty).unwrap_or(0);
        texts[target].insert_str(0, &rest);
    }
    texts
}

/// Whether a character can make any text run right to left: a letter or
/// digit of a right-to-left script (Hebrew, Arabic, Syriac, Thaana, N'Ko,
/// …, and their presentation forms) or a mark or control of direction.
/// Without one, every character of a paragraph is at the left-to-right
/// level, so the bidirectional algorithm is skipped (dashes, bullets and
/// curly quotes, above U+0590 but neutral, no longer run it).
fn may_turn_right_to_left(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{08FF}'
        | '\u{200E}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FB1D}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}'
        | '\u{10800}'..='\u{10FFF}'
        | '\u{1E800}'..='\u{1EFFF}')
}

/// A paragraph (no line feeds) ready for breaking.
struct Paragraph<'a> {
    prepared: &'a Prepared,
    range: Range<usize>,
    /// The bidirectional levels; `None` when no character could run right
    /// to left, as in nearly every paragraph, which then skips the
    /// algorithm (a tenth of a county build's layout time).
    bidi: Option<BidiInfo<'a>>,
}

impl Paragraph<'_> {
    fn new<'a>(prepared: &'a Prepared, range: Range<usize>) -> Paragraph<'a> {
        let text = &prepared.text[range.clone()];
        let bidi = text.chars().any(may_turn_right_to_left).then(|| BidiInfo::new(text, None));
        Paragraph { prepared, range, bidi }
    }

    fn rtl(&self) -> bool {
        self.bidi.as_ref().is_some_and(|b| b.paragraphs.first().is_some_and(|p| p.level.is_rtl()))
    }

    fn level_rtl(&self, at: usize) -> bool {
        self.bidi.as_ref().is_some_and(|b| b.levels[at - self.range.start].is_rtl())
    }

    /// The line's runs in visual order, each with whether it runs right to left.
    fn visual_runs(&self, local: Range<usize>) -> Vec<(Range<usize>, bool)> {
        match &self.bidi {
            None => vec![(local, false)],
            Some(bidi) => {
                let (levels, runs) = bidi.visual_runs(&bidi.paragraphs[0], local);
                runs.into_iter().map(|run| (run.clone(), levels[run.start].is_rtl())).collect()
            }
        }
    }

    /// Advance width of a logical byte range (absolute offsets), shaped in pieces.
    fn measure(&self, range: Range<usize>, size: f32) -> f32 {
        let p = self.prepared;
        let mut width = 0.0;
        for piece in p.pieces(range) {
            if self.bidi.is_none() {
                width += piece_width(&p.text[piece.clone()], p.faces[piece.start], false, size);
                continue;
            }
            // Split further where the direction changes.
            let mut start = piece.start;
            while start < piece.end {
                let rtl = self.level_rtl(start);
                let end = p.text[start..piece.end]
                    .char_indices()
                    .map(|(i, _)| start + i)
                    .find(|&at| self.level_rtl(at) != rtl)
                    .unwrap_or(piece.end);
                width += piece_width(&p.text[start..end], p.faces[start], rtl, size);
                start = end;
            }
        }
        width
    }

    /// Lays a logical byte range as one visual line.
    fn line(&self, range: Range<usize>, size: f32) -> Line {
        let p = self.prepared;
        let local = (range.start - self.range.start)..(range.end - self.range.start);
        // A glyph a character at most, in all but a few scripts: one allocation.
        let mut glyphs = Vec::with_capacity(range.len());
        let mut actual_text = Vec::new();
        let mut rtl_runs = Vec::new();
        let mut pen = 0.0;
        for (run, rtl) in self.visual_runs(local) {
            let absolute = (run.start + self.range.start)..(run.end + self.range.start);
            let mut pieces = p.pieces(absolute);
            if rtl {
                pieces.reverse();
            }
            let run_start = glyphs.len();
            for piece in pieces {
                let face = p.faces[piece.start];
                let first = glyphs.len();
                pen += shape_piece_into(&mut glyphs, &p.text[piece.clone()], face, rtl, size, pen);
                // Gujarati conjuncts map several characters to one glyph; the
                // whole piece's text lets a reader copy and search it.
                if face == FaceId::Gujarati && !rtl {
                    actual_text.push((first..glyphs.len(), p.text[piece.clone()].to_string()));
                }
            }
            if rtl && glyphs.len() > run_start {
                rtl_runs.push(run_start..glyphs.len());
            }
        }
        Line { glyphs, width: pen, rtl: self.rtl(), size, actual_text, rtl_runs }
    }
}

/// Measures text set on one line (no wrapping).
pub fn measure(spans: &[Span], size: f32) -> f32 {
    set_line(spans, size, &mut Vec::new()).width
}

/// Sets text on one line, however long.
pub(crate) fn set_line(spans: &[Span], size: f32, missing: &mut Vec<MissingGlyphs>) -> Line {
    let lines = wrap(spans, size, f32::INFINITY, missing);
    lines.into_iter().next().unwrap_or_else(|| Line::empty(size))
}

/// Wraps rich text into lines no wider than `max_width` points. Line feeds
/// in the text start new lines; a word longer than a line is broken between
/// characters.
pub fn wrap(spans: &[Span], size: f32, max_width: f32, missing: &mut Vec<MissingGlyphs>) -> Vec<Line> {
    Broken::new(spans, size, max_width, missing).lines()
}

/// Rich text broken into lines but not yet set in glyphs: what a layout
/// pass that only counts lines needs, at a fraction of the memory (the
/// glyphs of a county board report's text are hundreds of megabytes).
#[derive(Debug)]
pub(crate) struct Broken {
    prepared: Prepared,
    size: f32,
    /// Each line as (its paragraph's byte range, the line's byte range),
    /// the line `None` for an empty one.
    lines: Vec<(Range<usize>, Option<Range<usize>>)>,
}

impl Broken {
    pub(crate) fn new(spans: &[Span], size: f32, max_width: f32, missing: &mut Vec<MissingGlyphs>) -> Broken {
        let prepared = Prepared::new(spans, missing);
        let text = prepared.text.as_str();
        let mut lines = Vec::new();
        let mut start = 0;
        for piece in text.split('\n') {
            let range = start..start + piece.len();
            start = range.end + 1;
            if piece.trim().is_empty() {
                lines.push((range, None));
                continue;
            }
            let paragraph = Paragraph::new(&prepared, range.clone());
            lines.extend(break_lines(&paragraph, size, max_width).into_iter().map(|line| (range.clone(), Some(line))));
        }
        Broken { prepared, size, lines }
    }

    /// How many lines the text takes.
    pub(crate) fn len(&self) -> usize {
        self.lines.len()
    }

    /// The lines set in glyphs.
    pub(crate) fn lines(&self) -> Vec<Line> {
        let mut out = Vec::with_capacity(self.lines.len());
        let mut paragraph: Option<Paragraph> = None;
        for (range, line) in &self.lines {
            let Some(line) = line else {
                out.push(Line::empty(self.size));
                continue;
            };
            if paragraph.as_ref().is_none_or(|p| p.range != *range) {
                paragraph = Some(Paragraph::new(&self.prepared, range.clone()));
            }
            if let Some(paragraph) = &paragraph {
                out.push(paragraph.line(line.clone(), self.size));
            }
        }
        out
    }
}

/// Greedy line breaking at spaces; byte ranges of the lines (trailing spaces dropped).
fn break_lines(paragraph: &Paragraph, size: f32, max_width: f32) -> Vec<Range<usize>> {
    let text = &paragraph.prepared.text;
    // Words with their trailing spaces: (word range, end including spaces).
    let mut words: Vec<(Range<usize>, usize)> = Vec::new();
    let body = &text[paragraph.range.clone()];
    let mut i = 0;
    let bytes: Vec<(usize, char)> = body.char_indices().collect();
    while i < bytes.len() {
        let word_start = bytes[i].0;
        while i < bytes.len() && bytes[i].1 == ' ' {
            i += 1;
        }
        while i < bytes.len() && bytes[i].1 != ' ' {
            i += 1;
        }
        let word_end = if i < bytes.len() { bytes[i].0 } else { body.len() };
        while i < bytes.len() && bytes[i].1 == ' ' {
            i += 1;
        }
        let with_spaces = if i < bytes.len() { bytes[i].0 } else { body.len() };
        let base = paragraph.range.start;
        words.push((base + word_start..base + word_end, base + with_spaces));
    }

    let mut lines = Vec::new();
    let mut line_start: Option<usize> = None;
    let mut line_end = 0;
    let mut width = 0.0;
    let mut pending_space = 0.0;
    for (word, with_spaces) in words {
        let word_width = paragraph.measure(word.clone(), size);
        let space_width = if with_spaces > word.end { paragraph.measure(word.end..with_spaces, size) } else { 0.0 };
        if line_start.is_some() && width + pending_space + word_width > max_width {
            lines.push(line_start.take().unwrap_or(0)..line_end);
            width = 0.0;
        }
        if line_start.is_none() && word_width > max_width {
            // Break a word wider than the line between characters.
            let mut piece_start = word.start;
            let mut piece_width = 0.0;
            let chars: Vec<(usize, char)> = text[word.clone()].char_indices().map(|(k, c)| (word.start + k, c)).collect();
            for (idx, &(at, c)) in chars.iter().enumerate() {
                let next = chars.get(idx + 1).map(|&(n, _)| n).unwrap_or(word.end);
                let w = paragraph.measure(at..next, size);
                if piece_width + w > max_width && at > piece_start && !is_combining(c) {
                    lines.push(piece_start..at);
                    piece_start = at;
                    piece_width = 0.0;
                }
                piece_width += w;
            }
            line_start = Some(piece_start);
            line_end = word.end;
            width = piece_width;
            pending_space = space_width;
            continue;
        }
        if line_start.is_none() {
            line_start = Some(word.start);
            width = word_width;
        } else {
            width += pending_space + word_width;
        }
        line_end = word.end;
        pending_space = space_width;
    }
    if let Some(s) = line_start {
        lines.push(s..line_end);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_within_the_width_and_keeps_every_word() {
        let text = "Deliver the White Ribbon campaign across all partner agencies and schools in the city";
        let mut missing = Vec::new();
        let lines = wrap(&[Span::plain(text)], 10.0, 120.0, &mut missing);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(line.width <= 120.0 + 0.01, "{} is {}", line.text(), line.width);
        }
        let joined: Vec<String> = lines.iter().map(Line::text).collect();
        assert_eq!(joined.join(" "), text);
        assert!(missing.is_empty());
    }

    #[test]
    fn a_long_word_is_broken() {
        let lines = wrap(&[Span::plain("x".repeat(200))], 10.0, 100.0, &mut Vec::new());
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 100.01));
    }

    /// Latin lines are set from their words' shapes: the same glyphs in the
    /// same places as shaping the whole line, kerned pairs included.
    #[test]
    fn a_line_set_word_by_word_is_the_line_shaped_whole() {
        for text in ["AVAWAY To Ty Yo, LT. \"Quoted\" -- 55% V. Wray", "Patrols doubled in the bus station.  Two spaces."] {
            for face in [FaceId::Sans, FaceId::SansBold, FaceId::SansOblique] {
                let mut by_words = Vec::new();
                let width = shape_piece_into(&mut by_words, text, face, false, 10.0, 0.0);
                let scale = 10.0 / fonts().get(face).units_per_em;
                let whole = shape_units(text, face, false);
                assert_eq!(by_words.iter().map(|g| g.gid).collect::<Vec<_>>(), whole.iter().map(|g| g.gid).collect::<Vec<_>>(), "{text}");
                let mut pen = 0.0;
                for (placed, unit) in by_words.iter().zip(whole.iter()) {
                    assert!((placed.x - pen).abs() < 0.001, "{text}: glyph {} at {} not {pen}", unit.gid, placed.x);
                    pen += unit.advance as f32 * scale;
                }
                assert!((width - pen).abs() < 0.001, "{text}");
            }
        }
    }

    #[test]
    fn urdu_is_shaped_right_to_left() {
        let urdu = "پولیس نے گشت بڑھا دیا";
        let line = set_line(&[Span::plain(urdu)], 10.0, &mut Vec::new());
        assert!(line.rtl);
        assert!(line.glyphs.iter().all(|g| g.face == FaceId::NaskhArabic || &*g.text == " "));
        // Visual order is the reverse of reading order; joined forms are not the
        // isolated forms the cmap gives.
        let reversed: String = urdu.chars().rev().collect();
        assert_eq!(line.text(), reversed);
        let isolated = fonts().get(FaceId::NaskhArabic).face.glyph_index('پ').unwrap().0;
        assert_ne!(line.glyphs.last().unwrap().gid, isolated, "initial form expected");
    }

    #[test]
    fn missing_characters_are_reported() {
        let mut missing = Vec::new();
        let line = set_line(&[Span::plain("Meeting 会議")], 10.0, &mut missing);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].chars, vec!['会', '議']);
        assert!(line.text().contains('\u{FFFD}'));
    }
}
