//! The fonts inside a PDF: which glyphs of each shipped face the pages drew
//! (and the text each stands for), and, once every page of every document
//! of the build is written, each used face subset once (printpdf's
//! subsetter) to the glyphs all of them drew, with its widths, its map
//! from glyph to Unicode (printpdf's CMap writer) for copying and
//! searching, and its descriptor ([`SharedFonts`]), then embedded in each
//! document that drew in it.
//!
//! The content streams name glyphs by their id in the whole font (the CID),
//! and each font's `/CIDToGIDMap` maps them to the subset's renumbered ids.
//! So a page can be written, compressed and dropped before the build
//! knows every glyph it will use.

use super::content::{as_written, number};
use super::file::{self, array, deflate, Dict, PdfFile, Ref};
use super::fonts::FaceId;
use super::text::PlacedGlyph;
use printpdf::ParsedFont;
use std::collections::BTreeMap;
use std::io::Write;
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
/// positioning of its own. Each glyph's is decoded once and kept in a
/// table by face and glyph id, shared by every thread: every drawn glyph
/// asks, and a report draws a few hundred glyphs millions of times.
pub(crate) fn pdf_width(face: FaceId, gid: u16) -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    /// A slot not decoded yet (a NaN no width is).
    const UNKNOWN: u64 = u64::MAX;
    static KNOWN: OnceLock<Vec<Vec<AtomicU64>>> = OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        FaceId::ALL.iter().map(|&f| (0..parsed(f).map_or(0, |font| font.num_glyphs)).map(|_| AtomicU64::new(UNKNOWN)).collect()).collect()
    });
    let Some(slot) = known.get(face as usize).and_then(|glyphs| glyphs.get(gid as usize)) else { return 0.0 };
    let bits = slot.load(Ordering::Relaxed);
    if bits != UNKNOWN {
        return f64::from_bits(bits);
    }
    let width = parsed(face).map_or(0.0, |font| {
        let units_per_em = font.pdf_font_metrics.units_per_em as f64;
        font.get_or_decode_glyph(gid).map(|g| as_written(g.horz_advance as f64 * 1000.0 / units_per_em)).unwrap_or(0.0)
    });
    // Two threads may both decode a glyph: they store the same width.
    slot.store(width.to_bits(), Ordering::Relaxed);
    width
}

/// The glyphs a document's pages drew, by face, each with the text it
/// stands for.
#[derive(Default)]
pub(crate) struct GlyphUse {
    /// By face, then glyph id: `None` for a glyph not drawn.
    faces: [Vec<Option<Box<str>>>; FaceId::ALL.len()],
}

impl GlyphUse {
    /// Notes a drawn glyph. A glyph drawn for several texts (a space for
    /// U+0020 and U+00A0) keeps the first that is not empty: the second
    /// glyph of a cluster stands for nothing, the cluster's first for it all.
    pub(crate) fn add(&mut self, glyph: &PlacedGlyph) {
        self.note(glyph.face, glyph.gid, &glyph.text);
    }

    fn note(&mut self, face: FaceId, gid: u16, text: &str) {
        let glyphs = &mut self.faces[face as usize];
        let index = gid as usize;
        if glyphs.len() <= index {
            glyphs.resize(index + 1, None);
        }
        let slot = &mut glyphs[index];
        if slot.as_ref().is_none_or(|known| known.is_empty() && !text.is_empty()) {
            *slot = Some(text.into());
        }
    }

    /// Every glyph `uses` drew, as [`GlyphUse::add`] would have noted them
    /// drawn in that order.
    fn union<'a>(uses: impl IntoIterator<Item = &'a GlyphUse>) -> GlyphUse {
        let mut all = GlyphUse::default();
        for used in uses {
            for face in FaceId::ALL {
                for (gid, text) in used.faces[face as usize].iter().enumerate() {
                    if let Some(text) = text {
                        all.note(face, gid as u16, text);
                    }
                }
            }
        }
        all
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

/// The faces a build drew in, each subset once to the glyphs every
/// document of the build drew in it, and embedded as the same objects in
/// each document that used it. Subsetting scans the whole font's character
/// map, which made it a quarter of a small build's time when done for each
/// document; a document's font then holds the few glyphs the others drew too.
pub(crate) struct SharedFonts {
    faces: Vec<PreparedFace>,
}

/// One face's font objects, made once: all but the references between them.
struct PreparedFace {
    face: FaceId,
    /// The subset's PostScript name, tagged (`CSPSAA+DejaVuSans`).
    name: String,
    /// The subset program, deflated, and its length before.
    program: Vec<u8>,
    program_length: usize,
    /// `/CIDToGIDMap` and `/ToUnicode`, deflated.
    cid_to_gid: Vec<u8>,
    to_unicode: Vec<u8>,
    /// The `/W` array.
    widths: Vec<u8>,
    /// The font descriptor, but for its `/FontFile2`.
    descriptor: Dict,
}

impl SharedFonts {
    /// Subsets each face to the glyphs any of `uses` drew in it, the faces
    /// on every core.
    pub(crate) fn subset<'a>(uses: impl IntoIterator<Item = &'a GlyphUse>) -> Result<SharedFonts, String> {
        use rayon::prelude::*;
        let all = GlyphUse::union(uses);
        let faces: Vec<FaceId> = all.faces().collect();
        let faces = faces.into_par_iter().map(|face| prepare(face, &all.glyphs(face))).collect::<Result<Vec<_>, String>>()?;
        Ok(SharedFonts { faces })
    }

    /// Embeds the faces `used` drew, and returns the font resources that
    /// name them (`/CSPSAA` and so on, as the content streams do).
    pub(crate) fn embed(&self, file: &mut PdfFile, used: &GlyphUse) -> Result<Dict, String> {
        let mut resources = Dict::new();
        for face in used.faces() {
            let prepared = self.faces.iter().find(|f| f.face == face).ok_or_else(|| format!("the font {face:?} was not subset"))?;
            let r = embed_face(file, prepared);
            resources = resources.reference(face.pdf_tag(), r);
        }
        Ok(resources)
    }
}

/// One face's font objects' contents for `glyphs`: the subset program
/// (printpdf's subsetter), `/W` and `/ToUnicode` keyed by the full font's
/// glyph ids, and the `/CIDToGIDMap` to the subset's.
fn prepare(face: FaceId, glyphs: &BTreeMap<u16, String>) -> Result<PreparedFace, String> {
    let font = parsed(face).ok_or_else(|| format!("the shipped font {face:?} does not parse"))?;
    let subset = printpdf::subset_font(font, glyphs)?;
    let name = format!("{}+{}", face.pdf_tag(), font.font_name.clone().unwrap_or_else(|| face.pdf_tag().to_string()));

    // Two bytes per CID up to the highest used: the subset's glyph id.
    let highest = glyphs.keys().next_back().copied().unwrap_or(0) as usize;
    let mut cid_to_gid = vec![0u8; 2 * (highest + 1)];
    for (&cid, (gid, _)) in &subset.glyph_mapping {
        cid_to_gid[2 * cid as usize..2 * cid as usize + 2].copy_from_slice(&gid.to_be_bytes());
    }

    // Widths in runs of consecutive CIDs: `c [w1 w2 …]`.
    let mut runs: Vec<(u16, Vec<f64>)> = Vec::new();
    for &cid in glyphs.keys() {
        let width = pdf_width(face, cid);
        match runs.last_mut() {
            Some((first, list)) if *first as usize + list.len() == cid as usize => list.push(width),
            _ => runs.push((cid, vec![width])),
        }
    }
    let widths = array(runs, |out, (first, list)| {
        let _ = write!(out, "{first} ");
        out.extend_from_slice(&array(list, number));
    });

    let mappings: Vec<(u16, String)> = glyphs.iter().map(|(&cid, text)| (cid, text.clone())).collect();
    let cmap = printpdf::generate_cmap_string(font, &printpdf::FontId(face.pdf_tag().to_string()), &mappings);
    Ok(PreparedFace {
        face,
        program: deflate(&subset.bytes)?,
        program_length: subset.bytes.len(),
        cid_to_gid: deflate(&cid_to_gid)?,
        to_unicode: deflate(cmap.as_bytes())?,
        widths,
        descriptor: descriptor(font, &name),
        name,
    })
}

/// Writes one prepared face as a Type 0 font with Identity-H encoding over
/// a TrueType CID font; returns the Type 0 font.
fn embed_face(file: &mut PdfFile, f: &PreparedFace) -> Ref {
    let flate = || Dict::new().name("Filter", "FlateDecode");
    let cid_to_gid = file.reserve();
    file.stream(cid_to_gid, flate(), &f.cid_to_gid);
    let to_unicode = file.reserve();
    file.stream(to_unicode, flate(), &f.to_unicode);
    let program = file.reserve();
    file.stream(program, flate().int("Length1", f.program_length as i64), &f.program);

    let descriptor_ref = file.reserve();
    file.object(descriptor_ref, &f.descriptor.clone().reference("FontFile2", program).finish());
    let cid_font = Dict::of_type("Font")
        .name("Subtype", "CIDFontType2")
        .name("BaseFont", &f.name)
        .dict("CIDSystemInfo", Dict::new().text("Registry", "Adobe").text("Ordering", "Identity").int("Supplement", 0))
        .reference("FontDescriptor", descriptor_ref)
        .raw("W", &f.widths)
        .reference("CIDToGIDMap", cid_to_gid);
    let cid_font_ref = file.reserve();
    file.object(cid_font_ref, &cid_font.finish());
    let type0 = Dict::of_type("Font")
        .name("Subtype", "Type0")
        .name("BaseFont", &f.name)
        .name("Encoding", "Identity-H")
        .raw("DescendantFonts", &array([cid_font_ref], file::reference))
        .reference("ToUnicode", to_unicode);
    let r = file.reserve();
    file.object(r, &type0.finish());
    r
}

/// The font descriptor, its metrics in thousandths of an em, worked out
/// from the font's tables as printpdf does (ISO 32000-1, 9.8); the font
/// program's reference is added per document.
fn descriptor(font: &ParsedFont, name: &str) -> Dict {
    let m = &font.pdf_font_metrics;
    let scale = 1000.0 / m.units_per_em.max(1) as f32;
    let scaled = |v: f32| (v * scale).round() as i64;
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
    let bbox = array([m.x_min, m.y_min, m.x_max, m.y_max], |out, v| {
        let _ = write!(out, "{}", scaled(v as f32));
    });
    Dict::of_type("FontDescriptor")
        .name("FontName", name)
        .int("Flags", flags)
        .raw("FontBBox", &bbox)
        .int("ItalicAngle", italic_angle)
        .int("Ascent", scaled(ascent))
        .int("Descent", scaled(font.font_metrics.descent))
        .int("CapHeight", scaled(font.font_metrics.cap_height.unwrap_or(ascent)))
        .int("StemV", stem_v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drew(face: FaceId, gids: &[u16]) -> GlyphUse {
        let mut used = GlyphUse::default();
        for &gid in gids {
            used.note(face, gid, "x");
        }
        used
    }

    /// Two documents share one subset of a face, holding both's glyphs; a
    /// document embeds only the faces it drew in.
    #[test]
    fn documents_share_one_subset_per_face_and_embed_only_their_faces() {
        let board = drew(FaceId::Sans, &[36, 68]);
        let group = drew(FaceId::Sans, &[68, 72]);
        let bold = drew(FaceId::SansBold, &[36]);
        let fonts = SharedFonts::subset([&board, &group, &bold]).unwrap();
        let sans = fonts.faces.iter().find(|f| f.face == FaceId::Sans).unwrap();
        let widths = String::from_utf8_lossy(&sans.widths);
        for gid in [36, 68, 72] {
            assert!(widths.contains(&format!("{gid} [")), "glyph {gid} has its width: {widths}");
        }
        let mut file = PdfFile::new();
        let resources = String::from_utf8(fonts.embed(&mut file, &group).unwrap().finish()).unwrap();
        assert!(resources.contains(FaceId::Sans.pdf_tag()) && !resources.contains(FaceId::SansBold.pdf_tag()), "{resources}");
    }
}
