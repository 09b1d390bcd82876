//! The fonts the PDFs are set in, built into the binary: DejaVu Sans
//! (regular, bold, oblique) for Latin, Greek, Cyrillic and symbols, Noto Naskh
//! Arabic for Urdu and other Arabic-script text, Noto Sans Gujarati for
//! Gujarati. Owns which face a character is drawn in (per-character fallback
//! along a chain that starts at the wanted weight and slant) and each face's
//! metrics. Licences are beside the files in `assets/fonts/`.

use rustybuzz::Face;
use std::sync::OnceLock;

/// One shipped face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaceId {
    Sans,
    SansBold,
    SansOblique,
    NaskhArabic,
    Gujarati,
}

impl FaceId {
    pub const ALL: [FaceId; 5] = [FaceId::Sans, FaceId::SansBold, FaceId::SansOblique, FaceId::NaskhArabic, FaceId::Gujarati];

    fn index(self) -> usize {
        self as usize
    }

    /// The font file, built in.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            FaceId::Sans => include_bytes!("../../../assets/fonts/DejaVuSans.ttf"),
            FaceId::SansBold => include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf"),
            FaceId::SansOblique => include_bytes!("../../../assets/fonts/DejaVuSans-Oblique.ttf"),
            FaceId::NaskhArabic => include_bytes!("../../../assets/fonts/NotoNaskhArabic-Regular.ttf"),
            FaceId::Gujarati => include_bytes!("../../../assets/fonts/NotoSansGujarati-Regular.ttf"),
        }
    }

    /// Six capital letters: the PDF resource name and the subset tag, fixed so
    /// output is byte-identical between runs.
    pub(crate) fn pdf_tag(self) -> &'static str {
        match self {
            FaceId::Sans => "CSPSAA",
            FaceId::SansBold => "CSPSAB",
            FaceId::SansOblique => "CSPSAC",
            FaceId::NaskhArabic => "CSPSAD",
            FaceId::Gujarati => "CSPSAE",
        }
    }
}

/// Weight and slant a piece of text asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FontStyle {
    pub bold: bool,
    pub italic: bool,
}

impl FontStyle {
    pub const REGULAR: FontStyle = FontStyle { bold: false, italic: false };
    pub const BOLD: FontStyle = FontStyle { bold: true, italic: false };
    pub const ITALIC: FontStyle = FontStyle { bold: false, italic: true };

    /// Faces to try, in order, for a character in this style. The Noto faces
    /// have no bold or italic here: a bold Urdu word is set in the regular
    /// face rather than not at all.
    pub fn chain(self) -> &'static [FaceId] {
        match (self.bold, self.italic) {
            (true, _) => &[FaceId::SansBold, FaceId::NaskhArabic, FaceId::Gujarati, FaceId::Sans],
            (false, true) => &[FaceId::SansOblique, FaceId::NaskhArabic, FaceId::Gujarati, FaceId::Sans],
            (false, false) => &[FaceId::Sans, FaceId::NaskhArabic, FaceId::Gujarati],
        }
    }
}

/// A parsed face with the metrics layout needs.
pub struct LoadedFace {
    pub id: FaceId,
    pub face: Face<'static>,
    pub units_per_em: f32,
    /// Ascender and descender (negative) in font units.
    pub ascender: f32,
    pub descender: f32,
    /// Whether it has a glyph for each of the first 256 characters, which
    /// are nearly all a report's: asked for every character set.
    latin1: [bool; 256],
}

impl LoadedFace {
    pub(crate) fn has_glyph(&self, c: char) -> bool {
        match self.latin1.get(c as usize) {
            Some(&has) => has,
            None => Self::maps(&self.face, c),
        }
    }

    fn maps(face: &Face, c: char) -> bool {
        face.glyph_index(c).is_some_and(|g| g.0 != 0)
    }
}

/// Every shipped face, parsed once.
pub struct Fonts {
    faces: Vec<LoadedFace>,
}

impl Fonts {
    pub fn get(&self, id: FaceId) -> &LoadedFace {
        &self.faces[id.index()]
    }

    /// The face a character is drawn in, for a style; `None` when no shipped
    /// font has it.
    pub(crate) fn face_for(&self, c: char, style: FontStyle) -> Option<FaceId> {
        // DejaVu has some Arabic letters but not Urdu's forms and joining
        // rules: a script's own Noto face goes first for its characters.
        let own = match c {
            '\u{0600}'..='\u{06FF}'
            | '\u{0750}'..='\u{077F}'
            | '\u{08A0}'..='\u{08FF}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFF}' => Some(FaceId::NaskhArabic),
            '\u{0A80}'..='\u{0AFF}' => Some(FaceId::Gujarati),
            _ => None,
        };
        own.into_iter().chain(style.chain().iter().copied()).find(|&id| self.get(id).has_glyph(c))
    }
}

/// The shipped faces (parsed on first use).
pub(crate) fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let faces = FaceId::ALL
            .iter()
            .map(|&id| {
                // The files are ours and built in: failing to parse one is a build defect.
                let face = Face::from_slice(id.bytes(), 0).expect("shipped font parses");
                LoadedFace {
                    id,
                    units_per_em: face.units_per_em() as f32,
                    ascender: face.ascender() as f32,
                    descender: face.descender() as f32,
                    latin1: std::array::from_fn(|i| char::from_u32(i as u32).is_some_and(|c| LoadedFace::maps(&face, c))),
                    face,
                }
            })
            .collect();
        Fonts { faces }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_script_has_a_face() {
        let f = fonts();
        assert_eq!(f.face_for('A', FontStyle::REGULAR), Some(FaceId::Sans));
        assert_eq!(f.face_for('ł', FontStyle::BOLD), Some(FaceId::SansBold));
        assert_eq!(f.face_for('ک', FontStyle::REGULAR), Some(FaceId::NaskhArabic));
        assert_eq!(f.face_for('ગ', FontStyle::ITALIC), Some(FaceId::Gujarati));
        assert_eq!(f.face_for('\u{4E2D}', FontStyle::REGULAR), None, "no CJK font is shipped");
    }
}
