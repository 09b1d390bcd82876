//! Which language a piece of text from a return is written in, when it is not
//! English: the BCP 47 tag a renderer puts on it (`lang="ur"` in the HTML), so
//! that screen readers switch voice and browsers pick a font that has its
//! letters. Preston's community languages are the ones told apart: Urdu
//! (Arabic script), Gujarati, Bengali, Punjabi (Gurmukhi) and Polish. This is
//! a guess from the letters alone, never a language model: a script other
//! than Latin names its language (Arabic script in Preston is Urdu), and
//! Latin text is Polish only when enough of its words carry letters English
//! and the other Latin languages of the returns never use. Everything else,
//! English included, is `None`: the page's own `lang` covers it.

/// The BCP 47 tag of the language `text` is predominantly written in, when
/// that is one of Preston's community languages; `None` for English and any
/// other text.
///
/// ```
/// use csp_report::render::language::detect;
/// assert_eq!(detect("ہم نے اس سہ ماہی میں تین ورکشاپس منعقد کیں"), Some("ur"));
/// assert_eq!(detect("Zorganizowaliśmy spotkania w języku polskim."), Some("pl"));
/// assert_eq!(detect("Patrols doubled in the bus station."), None);
/// ```
pub fn detect(text: &str) -> Option<&'static str> {
    // ASCII letters are Latin, and Polish is only told by its own letters.
    if text.is_ascii() {
        return None;
    }
    let mut letters = [0usize; Script::COUNT];
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters[script(c) as usize] += 1;
    }
    // The script with the most letters; on a tie the earlier one, so text
    // half in English stays unmarked.
    let (most, count) = letters.iter().enumerate().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    if *count == 0 {
        return None;
    }
    match Script::ALL[most] {
        Script::Latin => polish(text).then_some("pl"),
        Script::Arabic => Some("ur"),
        Script::Bengali => Some("bn"),
        Script::Gurmukhi => Some("pa"),
        Script::Gujarati => Some("gu"),
        Script::Other => None,
    }
}

/// Whether text in the language `tag` runs right to left (`dir="rtl"`).
///
/// ```
/// use csp_report::render::language::is_right_to_left;
/// assert!(is_right_to_left("ur"));
/// assert!(!is_right_to_left("gu"));
/// ```
pub fn is_right_to_left(tag: &str) -> bool {
    matches!(tag.split('-').next(), Some("ur" | "ar" | "fa" | "ps" | "he" | "yi"))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Latin,
    Arabic,
    Bengali,
    Gurmukhi,
    Gujarati,
    Other,
}

impl Script {
    const COUNT: usize = 6;
    const ALL: [Script; Script::COUNT] =
        [Script::Latin, Script::Arabic, Script::Bengali, Script::Gurmukhi, Script::Gujarati, Script::Other];
}

/// The script of one letter, by Unicode block.
fn script(c: char) -> Script {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x980..=0x9FF => Script::Bengali,
        0xA00..=0xA7F => Script::Gurmukhi,
        0xA80..=0xAFF => Script::Gujarati,
        _ => Script::Other,
    }
}

/// Letters only Polish writes among the languages Preston's returns use.
const POLISH_ONLY: &str = "ąćęłńśźżĄĆĘŁŃŚŹŻ";

/// Latin text is Polish when at least one word in five has a Polish-only
/// letter: in Polish prose about a third of words do, while an English
/// sentence naming a Polish person or place ("met Mr Wałęsa at the centre")
/// has one such word among many.
fn polish(text: &str) -> bool {
    let words: Vec<&str> = text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).collect();
    let marked = words.iter().filter(|w| w.chars().any(|c| POLISH_ONLY.contains(c))).count();
    marked > 0 && marked * 5 >= words.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn community_languages_are_told_by_their_script() {
        assert_eq!(detect("ہم نے اس سہ ماہی میں تین ورکشاپس منعقد کیں"), Some("ur"));
        assert_eq!(detect("અમે આ ક્વાર્ટરમાં ત્રણ વર્કશોપ યોજી"), Some("gu"));
        assert_eq!(detect("আমরা এই ত্রৈমাসিকে তিনটি কর্মশালা করেছি"), Some("bn"));
        assert_eq!(detect("ਅਸੀਂ ਇਸ ਤਿਮਾਹੀ ਵਿੱਚ ਤਿੰਨ ਵਰਕਸ਼ਾਪਾਂ ਕੀਤੀਆਂ"), Some("pa"));
        assert_eq!(detect("Zorganizowaliśmy spotkania informacyjne w języku polskim."), Some("pl"));
        assert_eq!(detect("ŁÓDŹ"), Some("pl"));
    }

    #[test]
    fn english_and_everything_else_is_left_unmarked() {
        assert_eq!(detect("Radio link extended to 21 Fishergate retailers."), None);
        assert_eq!(detect(""), None);
        assert_eq!(detect("55% – 31/03/2019"), None);
        // French and German letters are not Polish.
        assert_eq!(detect("Café réunion à la mairie; Straße geschlossen."), None);
        // An English sentence that names a Polish person is still English.
        assert_eq!(detect("Met Mr Wałęsa and the outreach team at the community centre on Friday."), None);
        // Scripts this module does not name give no tag rather than a wrong one.
        assert_eq!(detect("Встреча с партнёрами"), None);
    }

    #[test]
    fn the_script_with_most_letters_decides() {
        // An Urdu update with an English label and numbers is Urdu.
        assert_eq!(detect("Update: ہم نے اس سہ ماہی میں 3 ورکشاپس منعقد کیں"), Some("ur"));
        // An English update quoting a word of Urdu is English.
        assert_eq!(detect("Workshops held in Urdu (ورکشاپ) for twelve mothers at the mosque."), None);
    }

    #[test]
    fn only_right_to_left_scripts_run_right_to_left() {
        assert!(is_right_to_left("ur"));
        assert!(is_right_to_left("ar-SA"));
        for tag in ["gu", "bn", "pa", "pl", "en-GB"] {
            assert!(!is_right_to_left(tag), "{tag}");
        }
    }
}
