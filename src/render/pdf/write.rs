//! Turning laid-out pages into PDF bytes with printpdf's low-level
//! operations: glyphs by id (so shaped Urdu and Gujarati print as laid out)
//! with the text each glyph stands for (so the PDF can be searched and
//! copied), boxes and rules; the fonts embedded and subset. Every item is
//! drawn inside marked content, as its layout tag says: content of a
//! structure element (with its marked-content id) or an artifact, and text
//! in another script than its element's inside a span with its `/Lang`.
//! Then, on printpdf's lopdf document: the structure tree (`tagged`), the
//! language (`en-GB`), XMP metadata naming PDF/UA-1, a nested outline of
//! bookmarks in document order, and a trailer `/ID` made from a hash of the
//! content, so the same report gives the same bytes.

use super::fonts::FaceId;
use super::layout::{Colour, Item, LaidOut, OutlineEntry};
use super::tagged::Structure;
use super::text::PlacedGlyph;
use chrono::NaiveDate;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Codepoint, Color, DictItem, FontId, Line as PdfLine, LinePoint, Op, PaintMode, ParsedFont, PdfDocument, PdfFont, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The document information dictionary's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub title: String,
    pub author: String,
    pub subject: String,
    /// Creation and modification date (midnight UTC).
    pub date: NaiveDate,
}

/// Why the PDF could not be written (a defect, never bad data).
#[derive(Debug, thiserror::Error)]
#[error("could not write the PDF: {0}")]
pub struct WriteError(String);

fn parsed_fonts() -> &'static Vec<(FaceId, ParsedFont)> {
    static PARSED: OnceLock<Vec<(FaceId, ParsedFont)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        FaceId::ALL.iter().filter_map(|&id| ParsedFont::from_bytes(id.bytes(), 0, &mut Vec::new()).map(|f| (id, f))).collect()
    })
}

fn colour(c: Colour) -> Color {
    Color::Rgb(Rgb { r: c.r as f32 / 255.0, g: c.g as f32 / 255.0, b: c.b as f32 / 255.0, icc_profile: None })
}

fn font_id(face: FaceId) -> FontId {
    FontId(face.pdf_tag().to_string())
}

/// Opens a marked-content span whose `/ActualText` is `text` (UTF-16BE).
fn actual_text_start(text: &str) -> Op {
    let mut data = vec![0xFE, 0xFF];
    data.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let mut map = std::collections::BTreeMap::new();
    map.insert("ActualText".to_string(), DictItem::String { data, literal: false });
    Op::BeginMarkedContentWithProperties { tag: "Span".to_string(), properties: DictItem::Dict { map } }
}

/// Glyphs on one baseline in one face, drawn as one positioned text run:
/// one text matrix and one `TJ` whose kerns put each glyph at its laid-out
/// x. Drawing each glyph with its own matrix (as printpdf's layout does)
/// costs two operations per glyph in memory, most of a county-scale
/// build's peak (BENCHMARKS.md); printpdf merges such pairs into the same
/// `TJ` when it writes, and the kerns here are worked out exactly as it
/// does, so the bytes are the same.
struct GlyphRun {
    x: f32,
    y: f32,
    size: f32,
    /// Where the viewer's pen is after the glyphs so far, in thousandths of
    /// an em from `x`: each glyph advances it by its `/W` width.
    pen: f64,
    glyphs: Vec<Codepoint>,
}

impl GlyphRun {
    fn new(x: f32, y: f32, size: f32) -> GlyphRun {
        GlyphRun { x, y, size, pen: 0.0, glyphs: Vec::new() }
    }

    /// Adds a glyph to be drawn at `x`.
    fn push(&mut self, glyph: &PlacedGlyph, x: f32) {
        if let Some(previous) = self.glyphs.last_mut() {
            // TJ numbers move the pen by -n/1000 em.
            let wanted = (x as f64 - self.x as f64) * 1000.0 / self.size as f64;
            let kern = (self.pen - wanted) as f32;
            if kern != 0.0 {
                previous.offset = kern;
                self.pen -= kern as f64;
            }
        }
        self.glyphs.push(Codepoint { gid: glyph.gid, offset: 0.0, cid: Some(glyph.text.to_string()) });
        self.pen += pdf_advance(glyph.face, glyph.gid) as f64;
    }

    /// Draws the run in progress, if any, and ends it.
    fn flush(run: &mut Option<GlyphRun>, ops: &mut Vec<Op>) {
        if let Some(run) = run.take() {
            ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(run.x), Pt(run.y)) });
            ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(run.glyphs)] });
        }
    }
}

/// A glyph's advance as the PDF's `/W` array gives it (thousandths of an
/// em, truncated), computed as printpdf computes it when it writes `/W`.
/// Remembered per thread, as decoding the glyph is most of the cost and a
/// report uses a few hundred glyphs millions of times.
fn pdf_advance(face: FaceId, gid: u16) -> i64 {
    thread_local! {
        static KNOWN: std::cell::RefCell<std::collections::HashMap<(FaceId, u16), i64>> = Default::default();
    }
    let decode = || {
        let Some((_, font)) = parsed_fonts().iter().find(|(id, _)| *id == face) else { return 0 };
        let units_per_em = font.pdf_font_metrics.units_per_em as f32;
        font.get_or_decode_glyph(gid).map(|g| (g.horz_advance as f32 * 1000.0 / units_per_em) as i64).unwrap_or(0)
    };
    KNOWN.with(|known| *known.borrow_mut().entry((face, gid)).or_insert_with(decode))
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

/// What one glyph says of the language around it.
#[derive(Clone, Copy, PartialEq)]
enum GlyphLang {
    /// Spaces, digits, punctuation, the later glyphs of a cluster: they
    /// belong to whatever surrounds them.
    Neutral,
    Latin,
    Script(&'static str),
}

/// Opens a marked-content span in language `lang` (a quote in Urdu inside
/// an English update), so a screen reader switches voice for it.
fn lang_start(lang: &str) -> Op {
    let map = std::collections::BTreeMap::from([("Lang".to_string(), DictItem::String { data: lang.as_bytes().to_vec(), literal: true })]);
    Op::BeginMarkedContentWithProperties { tag: "Span".to_string(), properties: DictItem::Dict { map } }
}

/// Opens marked content for a run of items with one tag: an artifact, or
/// content of a structure element with its marked-content id.
fn mark_start(structure: &mut Structure, page: usize, tag: super::layout::Tag) -> Op {
    use super::layout::Tag;
    let artifact = |kind: &[u8]| {
        let map = std::collections::BTreeMap::from([("Type".to_string(), DictItem::Name(kind.to_vec()))]);
        Op::BeginMarkedContentWithProperties { tag: "Artifact".to_string(), properties: DictItem::Dict { map } }
    };
    match tag {
        Tag::Artifact => return artifact(b"Layout"),
        Tag::Pagination => return artifact(b"Pagination"),
        _ => {}
    }
    match structure.mark(page, tag) {
        // Only artifact tags have no element, and they are answered above.
        None => artifact(b"Layout"),
        Some((role, mcid)) => {
            let map = std::collections::BTreeMap::from([("MCID".to_string(), DictItem::Int(mcid as i64))]);
            Op::BeginMarkedContentWithProperties { tag: role.to_string(), properties: DictItem::Dict { map } }
        }
    }
}

/// What the content stream has set so far on a page, so each operator is
/// written only when it changes something: consecutive lines share one text
/// object, colour and font (a county board report is some ten million
/// operators, and printpdf and lopdf spend most of the writing time on them).
#[derive(Default)]
struct PenState {
    in_text: bool,
    fill: Option<Colour>,
    stroke: Option<(Colour, f32)>,
    font: Option<(FaceId, u32)>,
}

impl PenState {
    fn end_text(&mut self, ops: &mut Vec<Op>) {
        if std::mem::take(&mut self.in_text) {
            ops.push(Op::EndTextSection);
        }
    }

    fn begin_text(&mut self, ops: &mut Vec<Op>) {
        if !std::mem::replace(&mut self.in_text, true) {
            ops.push(Op::StartTextSection);
        }
    }

    fn fill(&mut self, c: Colour, ops: &mut Vec<Op>) {
        if self.fill != Some(c) {
            ops.push(Op::SetFillColor { col: colour(c) });
            self.fill = Some(c);
        }
    }

    fn stroke(&mut self, c: Colour, width: f32, ops: &mut Vec<Op>) {
        if self.stroke != Some((c, width)) {
            ops.push(Op::SetOutlineColor { col: colour(c) });
            ops.push(Op::SetOutlineThickness { pt: Pt(width) });
            self.stroke = Some((c, width));
        }
    }

    fn has_font(&self, face: FaceId, size: f32) -> bool {
        self.font == Some((face, size.to_bits()))
    }

    fn font(&mut self, face: FaceId, size: f32, ops: &mut Vec<Op>) {
        if !self.has_font(face, size) {
            ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(face)), size: Pt(size) });
            self.font = Some((face, size.to_bits()));
        }
    }
}

/// The operations drawing one page (0-based `page`), every item inside
/// marked content: consecutive items with the same tag share one sequence,
/// and within it consecutive lines of text one text object.
fn page_ops(items: &[Item], height: f32, page: usize, structure: &mut Structure) -> Vec<Op> {
    let mut ops = Vec::new();
    structure.start_page(page);
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
            pen.end_text(&mut ops);
            if open.is_some() {
                ops.push(Op::EndMarkedContent);
            }
            ops.push(mark_start(structure, page, item.tag()));
            open = Some(item.tag());
        }
        match item {
            Item::Rect { x, y, w, h, fill, stroke, .. } => {
                pen.end_text(&mut ops);
                let mode = match (fill, stroke) {
                    (Some(_), Some(_)) => PaintMode::FillStroke,
                    (Some(_), None) => PaintMode::Fill,
                    _ => PaintMode::Stroke,
                };
                if let Some(f) = fill {
                    pen.fill(*f, &mut ops);
                }
                if let Some(s) = stroke {
                    pen.stroke(*s, 0.5, &mut ops);
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(height - y - h),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(mode),
                        winding_order: None,
                    },
                });
            }
            Item::Rule { x1, y1, x2, y2, colour: c, width, .. } => {
                pen.end_text(&mut ops);
                pen.stroke(*c, *width, &mut ops);
                let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(height - y) }, bezier: false };
                ops.push(Op::DrawLine { line: PdfLine { points: vec![point(*x1, *y1), point(*x2, *y2)], is_closed: false } });
            }
            // Links are annotations, added after conversion (`add_links`).
            Item::Link { .. } => {}
            Item::Text { x, baseline, line, colour: c, tag } => {
                if line.glyphs.is_empty() {
                    continue;
                }
                pen.begin_text(&mut ops);
                pen.fill(*c, &mut ops);
                let mut run: Option<GlyphRun> = None;
                // The language span open, and whether an ActualText span
                // is (a language span never cuts through one).
                let mut lang_open: Option<&'static str> = None;
                let mut in_actual = false;
                for index in line.drawing_order() {
                    let glyph = &line.glyphs[index];
                    let wanted = match glyph_lang(&glyph.text) {
                        GlyphLang::Neutral => lang_open,
                        GlyphLang::Latin => None,
                        GlyphLang::Script(lang) => (Some(lang) != tag.lang()).then_some(lang),
                    };
                    if wanted != lang_open && !in_actual {
                        GlyphRun::flush(&mut run, &mut ops);
                        if lang_open.is_some() {
                            ops.push(Op::EndMarkedContent);
                        }
                        if let Some(lang) = wanted {
                            ops.push(lang_start(lang));
                        }
                        lang_open = wanted;
                    }
                    let marked = line.actual_text.iter().find(|(r, _)| r.start == index);
                    let (gx, gy) = (x + glyph.x + glyph.dx, height - baseline + glyph.dy);
                    if marked.is_some() || !pen.has_font(glyph.face, line.size) || run.as_ref().is_some_and(|r| r.y != gy) {
                        GlyphRun::flush(&mut run, &mut ops);
                    }
                    if let Some((_, text)) = marked {
                        ops.push(actual_text_start(text));
                        in_actual = true;
                    }
                    pen.font(glyph.face, line.size, &mut ops);
                    run.get_or_insert_with(|| GlyphRun::new(gx, gy, line.size)).push(glyph, gx);
                    if line.actual_text.iter().any(|(r, _)| r.end == index + 1) {
                        GlyphRun::flush(&mut run, &mut ops);
                        ops.push(Op::EndMarkedContent);
                        in_actual = false;
                    }
                }
                GlyphRun::flush(&mut run, &mut ops);
                if lang_open.is_some() {
                    ops.push(Op::EndMarkedContent);
                }
            }
        }
    }
    pen.end_text(&mut ops);
    if open.is_some() {
        ops.push(Op::EndMarkedContent);
    }
    ops
}

/// Writes the laid-out pages as a PDF.
/// Takes the pages by value and drops each once it is turned into
/// operators, so a long report is not held twice over.
pub fn write_pdf(laid: LaidOut, meta: &Metadata) -> Result<Vec<u8>, WriteError> {
    let mut doc = PdfDocument::new(&meta.title);
    let timestamp = meta.date.and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp()).unwrap_or(0);
    let date = printpdf::OffsetDateTime::from_unix_timestamp(timestamp).map_err(|e| WriteError(e.to_string()))?;
    let info = &mut doc.metadata.info;
    info.author = meta.author.clone();
    info.subject = meta.subject.clone();
    info.creator = "csp-report".to_string();
    info.producer = format!("csp-report {} (printpdf 0.12.8)", env!("CARGO_PKG_VERSION"));
    info.creation_date = date;
    info.modification_date = date;
    info.metadata_date = date;

    // Only the faces the document uses are embedded.
    let used: BTreeSet<FaceId> = laid
        .pages
        .iter()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| match i {
            Item::Text { line, .. } => Some(line.glyphs.iter().map(|g| g.face)),
            _ => None,
        })
        .flatten()
        .collect();
    for (face, parsed) in parsed_fonts() {
        if used.contains(face) {
            doc.resources.fonts.map.insert(font_id(*face), PdfFont::new(parsed.clone()));
        }
    }

    let heights: Vec<f32> = laid.pages.iter().map(|p| p.style.height).collect();
    let links: Vec<Link> = laid
        .pages
        .iter()
        .enumerate()
        .flat_map(|(index, p)| {
            p.items.iter().filter_map(move |item| match *item {
                Item::Link { x, y, w, h, page: target, tag } => Some(Link { page: index, x, y, w, h, target, tag }),
                _ => None,
            })
        })
        .collect();
    let mut structure = Structure::new();
    let pages = laid
        .pages
        .into_iter()
        .enumerate()
        .map(|(index, p)| {
            let ops = page_ops(&p.items, p.style.height, index, &mut structure);
            let mut page = PdfPage::new(Pt(p.style.width).into(), Pt(p.style.height).into(), ops);
            // Exact sizes: the Mm round trip must not change a point.
            let media = Rect::from_wh(Pt(p.style.width), Pt(p.style.height));
            page.media_box = media.clone();
            page.trim_box = media.clone();
            page.crop_box = media;
            page
        })
        .collect();
    doc.with_pages(pages);

    let mut warnings = Vec::new();
    let options = PdfSaveOptions { optimize: false, subset_fonts: true, secure: true, image_optimization: None };
    let mut lo = doc.to_lopdf_document(&options, &mut warnings);
    drop(doc);

    add_outline(&mut lo, &laid.outline)?;
    add_links(&mut lo, &heights, &links, &mut structure)?;
    let page_ids: Vec<ObjectId> = lo.get_pages().into_values().collect();
    structure.write(&mut lo, &page_ids, &laid.figures).map_err(WriteError)?;
    add_xmp(&mut lo, meta);
    drop_empty_info_entries(&mut lo);
    let catalog = lo.catalog_mut().map_err(|e| WriteError(e.to_string()))?;
    catalog.set("Lang", Object::String(b"en-GB".to_vec(), StringFormat::Literal));
    catalog.set("ViewerPreferences", Object::Dictionary(Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))])));
    if !laid.outline.is_empty() {
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    compress_streams(&mut lo)?;

    // The /ID is a hash of the document written with a blank /ID, put in
    // place of the blank: the same length, so no offset moves, and the
    // document is written once.
    let blank = Object::String(vec![0u8; 16], StringFormat::Hexadecimal);
    lo.trailer.set("ID", Object::Array(vec![blank.clone(), blank]));
    let mut bytes = Vec::new();
    // Object streams: the structure tree is tens of thousands of small
    // dictionaries at county scale, which compress to a fraction in them.
    lo.save_modern(&mut bytes).map_err(|e| WriteError(e.to_string()))?;
    let digest = Sha256::digest(&bytes);
    set_id(&mut bytes, &digest[..16])?;
    Ok(bytes)
}

/// Writes `id` over the blank `/ID` entries of the trailer: the
/// dictionary of the cross-reference stream that `startxref` points at.
fn set_id(bytes: &mut [u8], id: &[u8]) -> Result<(), WriteError> {
    let blank = format!("<{}>", "00".repeat(id.len()));
    let hex: String = id.iter().map(|b| format!("{b:02X}")).collect();
    let value = format!("<{hex}>");
    // Only the trailer is searched, so a blank string elsewhere in the
    // document is never touched.
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    let start = tail.windows(9).rposition(|w| w == b"startxref").ok_or_else(|| WriteError("no startxref".to_string()))?;
    let offset: usize = String::from_utf8_lossy(&tail[start + 9..])
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| WriteError("no cross-reference offset".to_string()))?;
    let stream = bytes[offset..].windows(6).position(|w| w == b"stream").map_or(bytes.len(), |s| offset + s);
    let mut found = 0;
    let mut at = offset;
    while let Some(position) = bytes[at..stream].windows(blank.len()).position(|w| w == blank.as_bytes()) {
        let start = at + position;
        bytes[start..start + value.len()].copy_from_slice(value.as_bytes());
        at = start + value.len();
        found += 1;
    }
    if found == 2 {
        Ok(())
    } else {
        Err(WriteError(format!("the trailer's /ID was found {found} times, not twice")))
    }
}

/// Removes the document information entries printpdf always writes but we
/// leave empty (`GTS_PDFXVersion`, `Identifier`, `Keywords`): viewers list
/// them as blank custom properties.
fn drop_empty_info_entries(lo: &mut lopdf::Document) {
    let Ok(Object::Reference(info)) = lo.trailer.get(b"Info").cloned() else { return };
    let Ok(Object::Dictionary(dict)) = lo.get_object_mut(info) else { return };
    let empty: Vec<Vec<u8>> =
        dict.iter().filter(|(_, value)| matches!(value, Object::String(text, _) if text.is_empty())).map(|(key, _)| key.clone()).collect();
    for key in empty {
        dict.remove(&key);
    }
}

/// Deflates every stream that allows it and is not compressed yet, as
/// lopdf's `compress` does but at zlib's default level instead of its
/// slowest (BENCHMARKS.md), and on every core: each stream on its own, so
/// the bytes do not depend on the order. A stream that would not shrink is
/// left as it is.
fn compress_streams(lo: &mut lopdf::Document) -> Result<(), WriteError> {
    use flate2::{write::ZlibEncoder, Compression};
    use rayon::prelude::*;
    use std::io::Write;
    lo.objects.par_iter_mut().try_for_each(|(_, object)| {
        let Object::Stream(stream) = object else { return Ok(()) };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            return Ok(());
        }
        let mut encoder = ZlibEncoder::new(Vec::with_capacity(stream.content.len() / 3), Compression::default());
        encoder.write_all(&stream.content).map_err(|e| WriteError(e.to_string()))?;
        let compressed = encoder.finish().map_err(|e| WriteError(e.to_string()))?;
        // "/Filter /FlateDecode" costs 19 bytes in the dictionary.
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
        Ok(())
    })
}

/// The object of the page at a 0-based index, from lopdf's 1-based page map.
fn page_object(pages: &std::collections::BTreeMap<u32, ObjectId>, index: usize) -> Result<ObjectId, WriteError> {
    pages.get(&(index as u32 + 1)).copied().ok_or_else(|| WriteError(format!("no page {}", index + 1)))
}

/// XMP metadata: the title (which PDF/UA asks for here as well as in the
/// document information) and the PDF/UA-1 identification. Nothing in it
/// varies between runs.
fn add_xmp(lo: &mut lopdf::Document, meta: &Metadata) {
    let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let xmp = format!(
        concat!(
            "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
            "xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n",
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n",
            "<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>\n",
            "<pdfuaid:part>1</pdfuaid:part>\n",
            "</rdf:Description>\n",
            "</rdf:RDF>\n",
            "</x:xmpmeta>\n",
            "<?xpacket end=\"w\"?>"
        ),
        title = escape(&meta.title),
        author = escape(&meta.author),
    );
    let dict = Dictionary::from_iter(vec![("Type", Object::Name(b"Metadata".to_vec())), ("Subtype", Object::Name(b"XML".to_vec()))]);
    // Left uncompressed, so tools that only scan for XMP still find it.
    let stream = lopdf::Stream::new(dict, xmp.into_bytes()).with_compression(false);
    let id = lo.add_object(Object::Stream(stream));
    if let Ok(catalog) = lo.catalog_mut() {
        catalog.set("Metadata", Object::Reference(id));
    }
}

/// A contents entry's link: the area on page `page` (0-based) that goes to
/// page `target`.
struct Link {
    page: usize,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    target: usize,
    tag: super::layout::Tag,
}

/// Makes each link a link annotation to the top of its target page, filed
/// under its structure element; `heights` are the pages' heights.
fn add_links(lo: &mut lopdf::Document, heights: &[f32], links: &[Link], structure: &mut Structure) -> Result<(), WriteError> {
    let pages = lo.get_pages();
    let page_id = |index: usize| page_object(&pages, index);
    let mut annotations: std::collections::BTreeMap<usize, Vec<Object>> = Default::default();
    for &Link { page: index, x, y, w, h, target, tag } in links {
        let height = heights[index];
        let target_height = heights.get(target).copied().unwrap_or(height);
        let mut link = Dictionary::new();
        link.set("Type", Object::Name(b"Annot".to_vec()));
        link.set("Subtype", Object::Name(b"Link".to_vec()));
        link.set("Rect", Object::Array([x, height - y - h, x + w, height - y].into_iter().map(Object::Real).collect()));
        link.set("Border", Object::Array(vec![Object::Integer(0), Object::Integer(0), Object::Integer(0)]));
        // The top of the page, at the reader's zoom.
        link.set(
            "Dest",
            Object::Array(vec![
                Object::Reference(page_id(target)?),
                Object::Name(b"XYZ".to_vec()),
                Object::Null,
                Object::Real(target_height),
                Object::Null,
            ]),
        );
        // PDF/UA asks every annotation for a description.
        link.set("Contents", lopdf::text_string(&format!("Go to page {}", target + 1)));
        let id = lo.add_object(Object::Dictionary(link.clone()));
        if let Some(key) = structure.annotation(index, tag, id) {
            link.set("StructParent", Object::Integer(key));
            lo.objects.insert(id, Object::Dictionary(link));
        }
        annotations.entry(index).or_default().push(Object::Reference(id));
    }
    for (index, annotations) in annotations {
        let page_dict = lo.get_dictionary_mut(page_id(index)?).map_err(|e| WriteError(e.to_string()))?;
        page_dict.set("Annots", Object::Array(annotations));
    }
    Ok(())
}

/// Builds the bookmarks as a tree: each entry nests under the nearest
/// earlier entry of a lower level.
fn add_outline(lo: &mut lopdf::Document, outline: &[OutlineEntry]) -> Result<(), WriteError> {
    if outline.is_empty() {
        return Ok(());
    }
    let pages = lo.get_pages();
    let root = lo.new_object_id();
    let ids: Vec<ObjectId> = outline.iter().map(|_| lo.new_object_id()).collect();
    // Parent index of each entry (None: the root).
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(outline.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, entry) in outline.iter().enumerate() {
        while stack.last().is_some_and(|&s| outline[s].level >= entry.level) {
            stack.pop();
        }
        parents.push(stack.last().copied());
        stack.push(i);
    }
    let children = |parent: Option<usize>| -> Vec<usize> { (0..outline.len()).filter(|&i| parents[i] == parent).collect() };
    // Visible descendants, for /Count (every entry open).
    fn descendants(i: Option<usize>, parents: &[Option<usize>]) -> i64 {
        (0..parents.len()).filter(|&k| parents[k] == i).map(|k| 1 + descendants(Some(k), parents)).sum()
    }
    for (i, entry) in outline.iter().enumerate() {
        let page_id = page_object(&pages, entry.page)?;
        let siblings = children(parents[i]);
        let position = siblings.iter().position(|&s| s == i).unwrap_or(0);
        let mut dict = Dictionary::new();
        dict.set("Title", lopdf::text_string(&entry.title));
        dict.set("Parent", Object::Reference(parents[i].map(|p| ids[p]).unwrap_or(root)));
        dict.set("Dest", Object::Array(vec![Object::Reference(page_id), Object::Name(b"Fit".to_vec())]));
        if position > 0 {
            dict.set("Prev", Object::Reference(ids[siblings[position - 1]]));
        }
        if let Some(&next) = siblings.get(position + 1) {
            dict.set("Next", Object::Reference(ids[next]));
        }
        let kids = children(Some(i));
        if let (Some(&first), Some(&last)) = (kids.first(), kids.last()) {
            dict.set("First", Object::Reference(ids[first]));
            dict.set("Last", Object::Reference(ids[last]));
            dict.set("Count", Object::Integer(descendants(Some(i), &parents)));
        }
        lo.objects.insert(ids[i], Object::Dictionary(dict));
    }
    let top = children(None);
    let mut root_dict = Dictionary::new();
    root_dict.set("Type", Object::Name(b"Outlines".to_vec()));
    root_dict.set("First", Object::Reference(ids[top[0]]));
    root_dict.set("Last", Object::Reference(ids[*top.last().unwrap_or(&top[0])]));
    root_dict.set("Count", Object::Integer(descendants(None, &parents)));
    lo.objects.insert(root, Object::Dictionary(root_dict));
    let catalog = lo.catalog_mut().map_err(|e| WriteError(e.to_string()))?;
    catalog.set("Outlines", Object::Reference(root));
    Ok(())
}
