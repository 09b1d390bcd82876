//! The fonts inside a PDF: which glyphs of each shipped face the pages drew
//! (and the text each stands for), and, once every page is written, each
//! used face embedded as a subset (printpdf's subsetter) with its widths,
//! its map from glyph to Unicode (printpdf's CMap writer) for copying and
//! searching, and its descriptor.
//!
//! The content streams name glyphs by their id in the whole font (the CID),
//! and each font's `/CIDToGIDMap` maps them to the subset's renumbered ids.
//! So a page can be written, compressed and dropped before the document
//! knows every glyph it will use.

use super::content::as_written;
use super::fonts::FaceId;
use super::text::PlacedGlyph;
use lopdf::{Dictionary, Object, Stream, StringFormat};
use printpdf::ParsedFont;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::OnceLock;

/// The shipped faces as printpdf parses them, for widths and subsetting.
fn parsed_fonts() -> &'static Vec<(FaceId, ParsedFont)> {
    static PARSED: OnceLock<Vec<(FaceId, ParsedFont)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        FaceId::ALL.iter().filter_map(|&id| ParsedFont::from_bytes(id.bytes(), 0, &mut Vec::new()).map(|f| (id, f))).collect()
    })
}

fn parsed(face: FaceId) -> Option<&'static ParsedFont> {
    parsed_fonts().iter().find(|(id, _)| *id == face).map(|(_, font)| font)
}

/// A glyph's advance in thousandths of an em, as the font's `/W` array
/// gives it: the font's own advance, to a thousandth. Drawing follows it,
/// so a glyph set where its predecessor leaves the pen needs no
/// positioning of its own. Remembered per thread, as decoding the glyph is
/// most of the cost and a report uses a few hundred glyphs millions of times.
pub(crate) fn pdf_width(face: FaceId, gid: u16) -> f64 {
    thread_local! {
        static KNOWN: std::cell::RefCell<std::collections::HashMap<(FaceId, u16), f64>> = Default::default();
    }
    let decode = || {
        let Some(font) = parsed(face) else { return 0.0 };
        let units_per_em = font.pdf_font_metrics.units_per_em as f64;
        font.get_or_decode_glyph(gid).map(|g| as_written(g.horz_advance as f64 * 1000.0 / units_per_em)).unwrap_or(0.0)
    };
    KNOWN.with(|known| *known.borrow_mut().entry((face, gid)).or_insert_with(decode))
}

/// The glyphs a document's pages drew, by face, each with the text it
/// stands for.
#[derive(Default)]
pub(crate) struct GlyphUse {
    /// By face, then glyph id: `None` for a glyph not drawn.
    faces: [Vec<Option<Rc<str>>>; FaceId::ALL.len()],
}

impl GlyphUse {
    /// Notes a drawn glyph. A glyph drawn for several texts (a space for
    /// U+0020 and U+00A0) keeps the first that is not empty: the second
    /// glyph of a cluster stands for nothing, the cluster's first for it all.
    pub(crate) fn add(&mut self, glyph: &PlacedGlyph) {
        let glyphs = &mut self.faces[glyph.face as usize];
        let index = glyph.gid as usize;
        if glyphs.len() <= index {
            glyphs.resize(index + 1, None);
        }
        let slot = &mut glyphs[index];
        if slot.as_ref().is_none_or(|text| text.is_empty() && !glyph.text.is_empty()) {
            *slot = Some(glyph.text.clone());
        }
    }

    /// The faces drawn in, in [`FaceId::ALL`] order.
    pub(crate) fn faces(&self) -> impl Iterator<Item = FaceId> + '_ {
        FaceId::ALL.into_iter().filter(|face| self.faces[*face as usize].iter().any(Option::is_some))
    }

    /// A face's drawn glyphs by id, with their text.
    fn glyphs(&self, face: FaceId) -> BTreeMap<u16, String> {
        self.faces[face as usize].iter().enumerate().filter_map(|(gid, text)| Some((gid as u16, text.as_deref()?.to_string()))).collect()
    }
}

/// A stream deflated at zlib's default level (lopdf's own `compress` uses
/// the slowest, a sixth of a county-scale build for ~3% smaller files).
pub(crate) fn deflated(mut dict: Dictionary, content: &[u8]) -> Result<Stream, String> {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(content.len() / 3), Compression::default());
    encoder.write_all(content).map_err(|e| e.to_string())?;
    let compressed = encoder.finish().map_err(|e| e.to_string())?;
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    Ok(Stream::new(dict, compressed).with_compression(false))
}

/// Embeds every face `used` drew, and returns the font resources that name
/// them (`/CSPSAA` and so on, as the content streams do).
pub(crate) fn embed_fonts(lo: &mut lopdf::Document, used: &GlyphUse) -> Result<Dictionary, String> {
    let mut resources = Dictionary::new();
    for face in used.faces() {
        let font = parsed(face).ok_or_else(|| format!("the shipped font {face:?} does not parse"))?;
        let id = embed_face(lo, face, font, &used.glyphs(face))?;
        resources.set(face.pdf_tag(), Object::Reference(id));
    }
    Ok(resources)
}

/// One face as a Type 0 font with Identity-H encoding over a TrueType CID
/// font: the subset program, `/W` and `/ToUnicode` keyed by the full
/// font's glyph ids, and the `/CIDToGIDMap` to the subset's.
fn embed_face(
    lo: &mut lopdf::Document,
    face: FaceId,
    font: &ParsedFont,
    glyphs: &BTreeMap<u16, String>,
) -> Result<lopdf::ObjectId, String> {
    let subset = printpdf::subset_font(font, glyphs)?;
    let name = format!("{}+{}", face.pdf_tag(), font.font_name.clone().unwrap_or_else(|| face.pdf_tag().to_string()));

    // Two bytes per CID up to the highest used: the subset's glyph id.
    let highest = glyphs.keys().next_back().copied().unwrap_or(0) as usize;
    let mut cid_to_gid = vec![0u8; 2 * (highest + 1)];
    for (&cid, (gid, _)) in &subset.glyph_mapping {
        cid_to_gid[2 * cid as usize..2 * cid as usize + 2].copy_from_slice(&gid.to_be_bytes());
    }
    let cid_to_gid = lo.add_object(deflated(Dictionary::new(), &cid_to_gid)?);

    // Widths in runs of consecutive CIDs: `c [w1 w2 …]`.
    let mut widths: Vec<Object> = Vec::new();
    let mut run: Option<(u16, Vec<Object>)> = None;
    for &cid in glyphs.keys() {
        let width = Object::Real(pdf_width(face, cid) as f32);
        match &mut run {
            Some((first, list)) if *first as usize + list.len() == cid as usize => list.push(width),
            _ => {
                if let Some((first, list)) = run.replace((cid, vec![width])) {
                    widths.extend([Object::Integer(first as i64), Object::Array(list)]);
                }
            }
        }
    }
    if let Some((first, list)) = run {
        widths.extend([Object::Integer(first as i64), Object::Array(list)]);
    }

    let mappings: Vec<(u16, String)> = glyphs.iter().map(|(&cid, text)| (cid, text.clone())).collect();
    let cmap = printpdf::generate_cmap_string(font, &printpdf::FontId(face.pdf_tag().to_string()), &mappings);
    let to_unicode = lo.add_object(deflated(Dictionary::new(), cmap.as_bytes())?);

    let program_dict = Dictionary::from_iter(vec![("Length1", Object::Integer(subset.bytes.len() as i64))]);
    let program = lo.add_object(deflated(program_dict, &subset.bytes)?);

    let descriptor = lo.add_object(descriptor(font, &name, program));
    let name_object = || Object::Name(name.as_bytes().to_vec());
    let cid_font = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
        ("BaseFont", name_object()),
        (
            "CIDSystemInfo",
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Registry", Object::String(b"Adobe".to_vec(), StringFormat::Literal)),
                ("Ordering", Object::String(b"Identity".to_vec(), StringFormat::Literal)),
                ("Supplement", Object::Integer(0)),
            ])),
        ),
        ("FontDescriptor", Object::Reference(descriptor)),
        ("W", Object::Array(widths)),
        ("CIDToGIDMap", Object::Reference(cid_to_gid)),
    ]);
    let cid_font = lo.add_object(cid_font);
    Ok(lo.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type0".to_vec())),
        ("BaseFont", name_object()),
        ("Encoding", Object::Name(b"Identity-H".to_vec())),
        ("DescendantFonts", Object::Array(vec![Object::Reference(cid_font)])),
        ("ToUnicode", Object::Reference(to_unicode)),
    ])))
}

/// The font descriptor, its metrics in thousandths of an em, worked out
/// from the font's tables as printpdf does (ISO 32000-1, 9.8).
fn descriptor(font: &ParsedFont, name: &str, program: lopdf::ObjectId) -> Dictionary {
    let m = &font.pdf_font_metrics;
    let scale = 1000.0 / m.units_per_em.max(1) as f32;
    let scaled = |v: f32| Object::Integer((v * scale).round() as i64);
    let ascent = font.font_metrics.ascent;
    // Counter-clockwise from vertical: an oblique face's angle is negative.
    let italic_angle = if m.caret_slope_rise == 0 {
        0
    } else {
        (-(m.caret_slope_run as f32).atan2(m.caret_slope_rise as f32).to_degrees()).round() as i64
    };
    // Non-symbolic (Latin character set), and italic when slanted.
    let flags = (1 << 5) | if italic_angle != 0 { 1 << 6 } else { 0 };
    // No table carries the stem width: estimated from the weight class as
    // PDF producers conventionally do (~88 at 400, ~166 at 700).
    let stem_v = if m.us_weight_class == 0 { 80 } else { 50 + ((m.us_weight_class as f32 / 65.0).powi(2)).round() as i64 };
    Dictionary::from_iter(vec![
        ("Type", Object::Name(b"FontDescriptor".to_vec())),
        ("FontName", Object::Name(name.as_bytes().to_vec())),
        ("Flags", Object::Integer(flags)),
        ("FontBBox", Object::Array([m.x_min, m.y_min, m.x_max, m.y_max].into_iter().map(|v| scaled(v as f32)).collect())),
        ("ItalicAngle", Object::Integer(italic_angle)),
        ("Ascent", scaled(ascent)),
        ("Descent", scaled(font.font_metrics.descent)),
        ("CapHeight", scaled(font.font_metrics.cap_height.unwrap_or(ascent))),
        ("StemV", Object::Integer(stem_v)),
        ("FontFile2", Object::Reference(program)),
    ])
}
