//! Excel's own rules, shared by the two writers of `.xlsx` files (the return
//! forms in [`crate::forms`] and the progress workbook in
//! [`crate::render::xlsx`]), so both follow them the same way: calendar dates
//! as Excel dates; the row height wrapped text needs (LibreOffice does not
//! grow rows by itself, so both writers set heights from this estimate); the
//! characters XML cannot carry; and the one cell-limit policy — text over
//! Excel's 32,767 UTF-16 units is cut visibly, with a marker saying how much
//! is hidden and where the whole text is, and always with a `cell-truncated`
//! warning naming the place. Nothing here knows what a form or a report is.

use crate::diagnostics::{a1, Diagnostic, Place};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ColNum, ExcelDateTime, RowNum, XlsxError};

/// Excel's limit on the length of a cell's text, in UTF-16 code units.
pub const CELL_LIMIT: usize = 32_767;

/// Diagnostic code for a string cut to Excel's cell limit.
pub const CELL_TRUNCATED: &str = "cell-truncated";

/// Excel's tallest row, in points.
const MAX_ROW_HEIGHT: f64 = 409.0;
/// Height of one line of 10pt Arial, in points, and the padding of a row.
const LINE_HEIGHT: f64 = 12.75;
const ROW_PADDING: f64 = 3.0;

/// The longest name of "where the whole text is" a marker quotes: beyond it
/// the marker alone would eat the cell.
const MAX_SEE_CHARS: usize = 200;

/// An Excel date for a calendar date; an error for a year Excel cannot hold.
pub(crate) fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year()).map_err(|_| XlsxError::DateTimeRangeError(format!("year {} is out of range", date.year())))?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}

/// Text as a cell or property can carry it: CRLF and CR become LF (Excel
/// shows a lone CR as a box), and U+FFFE and U+FFFF, which XML does not
/// allow, become U+FFFD. Other control characters are left to
/// rust_xlsxwriter, which writes them as Excel does (`_x0001_`).
pub(crate) fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}")
}

/// Where a cell's text is written, and where the whole text can be read
/// when it has to be cut.
pub(crate) struct CellAt<'a> {
    /// The file being written (`progress.xlsx`, `return-2018-19-Q3-police.xlsx`).
    pub file: &'a str,
    pub sheet: &'a str,
    pub row: RowNum,
    pub col: ColNum,
    /// Where the text came from (a return's cell): the warning names it, so
    /// the coordinator knows whom to ask; without it, the warning names this cell.
    pub source: Option<&'a Place>,
    /// Where the reader finds the whole text (`progress.csv`), named by the
    /// marker and the warning's hint.
    pub full_text: &'a str,
}

/// The text as the cell will hold it: cleaned by [`clean_text`], and when
/// over Excel's limit cut by [`cut_to_limit`] with a `cell-truncated` warning
/// pushed onto `diagnostics`.
pub(crate) fn fit_to_cell(text: &str, at: &CellAt, diagnostics: &mut Vec<Diagnostic>) -> String {
    let clean = clean_text(text);
    let Some((shown, hidden)) = cut_to_limit(&clean, at.full_text) else {
        return clean;
    };
    let place = at.source.cloned().unwrap_or_else(|| Place::cell(at.file, at.sheet, at.row, u32::from(at.col)));
    let total = clean.chars().count();
    diagnostics.push(
        Diagnostic::warning(
            CELL_TRUNCATED,
            place,
            format!(
                "text of {total} characters is longer than Excel's cell limit of {CELL_LIMIT}; {} › {} › {} shows the first part and leaves {hidden} characters out",
                at.file,
                at.sheet,
                a1(at.row, u32::from(at.col))
            ),
        )
        .with_hint(format!("the full text is in {}", see(at.full_text))),
    );
    shown
}

/// When `text` is over Excel's limit: the part to show, ending with the
/// [`marker`], and how many characters were left out. Cuts fall between
/// characters, never inside a UTF-16 surrogate pair.
pub(crate) fn cut_to_limit(text: &str, full_text: &str) -> Option<(String, usize)> {
    if text.encode_utf16().count() <= CELL_LIMIT {
        return None;
    }
    let total = text.chars().count();
    // The marker with the largest possible count bounds its length.
    let budget = CELL_LIMIT.saturating_sub(marker(total, full_text).encode_utf16().count());
    let mut used = 0;
    let mut kept = 0;
    let mut end = 0;
    for (index, c) in text.char_indices() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        kept += 1;
        end = index + c.len_utf8();
    }
    let hidden = total - kept;
    Some((format!("{}{}", &text[..end], marker(hidden, full_text)), hidden))
}

/// The visible end of a cut cell: `… [cut: 120 characters not shown; see progress.csv]`.
pub(crate) fn marker(hidden: usize, full_text: &str) -> String {
    format!("… [cut: {hidden} characters not shown; see {}]", see(full_text))
}

/// Where the whole text is, short enough to quote in a marker.
fn see(full_text: &str) -> String {
    if full_text.chars().count() <= MAX_SEE_CHARS {
        full_text.to_string()
    } else {
        full_text.chars().take(MAX_SEE_CHARS - 1).chain(std::iter::once('…')).collect()
    }
}

/// Lines `text` takes when wrapped in a column `width` characters wide (in
/// Excel's width units). Widths are estimated from Arial's glyph widths
/// relative to a digit, with a margin: a row a little too tall reads fine, a
/// row too short hides text.
pub(crate) fn wrapped_lines(text: &str, width: f64) -> usize {
    // A little extra for bold text, which is wider.
    let scale = 1.03;
    // An Excel width unit is a Calibri 11 digit (7 px) plus 5 px padding; an
    // Arial 10 digit is 7.4 px.
    let capacity = ((width * 7.0 + 5.0 - 6.0) / 7.4).max(1.0);
    text.split('\n')
        .map(|paragraph| {
            let mut lines = 1;
            let mut line = 0.0;
            for word in paragraph.split(' ') {
                let word_width: f64 = word.chars().map(glyph_width).sum::<f64>() * scale;
                let space = if line > 0.0 { glyph_width(' ') * scale } else { 0.0 };
                if line + space + word_width <= capacity {
                    line += space + word_width;
                } else if word_width <= capacity {
                    lines += 1;
                    line = word_width;
                } else {
                    // A word longer than the line breaks wherever it must.
                    if line > 0.0 {
                        lines += 1;
                    }
                    let pieces = (word_width / capacity).ceil() as usize;
                    lines += pieces - 1;
                    line = word_width - (pieces - 1) as f64 * capacity;
                }
            }
            lines
        })
        .sum()
}

/// A character's width in Arial, in digit widths.
fn glyph_width(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'I' | ' ' | 'f' | 't' => 0.5,
        'r' | '(' | ')' | '-' | '/' | '[' | ']' | '"' => 0.6,
        'c' | 'k' | 's' | 'v' | 'x' | 'y' | 'z' => 0.9,
        'm' | 'M' => 1.5,
        'w' => 1.3,
        'W' => 1.7,
        'A'..='Z' | '%' | '@' | '&' => 1.22,
        c if c.is_ascii() => 1.0,
        // Letters of wide scripts and emoji take about two digits.
        c if (c as u32) >= 0x1100 && !('\u{2000}'..='\u{2BFF}').contains(&c) => 2.0,
        _ => 1.1,
    }
}

/// Row height in points for that many lines of Arial 10, capped at Excel's
/// tallest row (longer text scrolls inside the cell).
pub(crate) fn row_height(lines: usize) -> f64 {
    (lines as f64 * LINE_HEIGHT + ROW_PADDING).min(MAX_ROW_HEIGHT)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEE: &str = "progress.csv";

    fn units(text: &str) -> usize {
        text.encode_utf16().count()
    }

    #[test]
    fn text_exactly_at_the_limit_is_kept_whole() {
        assert!(cut_to_limit(&"a".repeat(CELL_LIMIT), SEE).is_none());
        // 16,383 pairs and one more unit: exactly 32,767 units.
        let astral = format!("{}a", "😀".repeat((CELL_LIMIT - 1) / 2));
        assert_eq!(units(&astral), CELL_LIMIT);
        assert!(cut_to_limit(&astral, SEE).is_none());
    }

    #[test]
    fn one_unit_over_the_limit_is_cut_with_a_marker() {
        let text = "a".repeat(CELL_LIMIT + 1);
        let (shown, hidden) = cut_to_limit(&text, SEE).expect("over the limit");
        assert!(units(&shown) <= CELL_LIMIT);
        assert!(shown.ends_with(&marker(hidden, SEE)), "{}", &shown[shown.len() - 60..]);
        assert!(shown.ends_with("see progress.csv]"));
        let kept = shown.chars().count() - marker(hidden, SEE).chars().count();
        assert_eq!(kept + hidden, CELL_LIMIT + 1, "what is shown and what is hidden add up to the text");
    }

    #[test]
    fn multibyte_and_astral_characters_are_never_split() {
        // Two UTF-8 bytes, one UTF-16 unit each.
        let text = "é".repeat(40_000);
        let (shown, hidden) = cut_to_limit(&text, SEE).expect("over the limit");
        assert!(units(&shown) <= CELL_LIMIT);
        assert_eq!(shown.chars().count() - marker(hidden, SEE).chars().count() + hidden, 40_000);
        // 20,000 emoji are 40,000 UTF-16 units: over the limit though only
        // 20,000 characters. The cut keeps whole pairs only.
        let emoji = "😀".repeat(20_000);
        let (shown, hidden) = cut_to_limit(&emoji, SEE).expect("over the limit in UTF-16");
        assert!(units(&shown) <= CELL_LIMIT);
        let body = shown.strip_suffix(&marker(hidden, SEE)).expect("ends with the marker");
        assert!(body.chars().all(|c| c == '😀'));
        assert_eq!(body.chars().count() + hidden, 20_000);
        // Filled as near the limit as the pairs allow.
        assert!(units(&shown) >= CELL_LIMIT - 1);
    }

    #[test]
    fn a_cut_always_warns_at_the_source_or_the_cell() {
        let at = CellAt { file: "form.xlsx", sheet: "Progress", row: 8, col: 12, source: None, full_text: "last quarter's progress.csv" };
        let mut diagnostics = Vec::new();
        assert_eq!(fit_to_cell("short\r\ntext", &at, &mut diagnostics), "short\ntext");
        assert!(diagnostics.is_empty(), "nothing cut, nothing said");

        let shown = fit_to_cell(&"x".repeat(CELL_LIMIT + 10), &at, &mut diagnostics);
        assert!(shown.ends_with("characters not shown; see last quarter's progress.csv]"));
        assert_eq!(diagnostics.len(), 1);
        let d = &diagnostics[0];
        assert_eq!(d.code, CELL_TRUNCATED);
        assert_eq!(d.severity, crate::diagnostics::Severity::Warning);
        assert_eq!(d.place.to_string(), "form.xlsx › Progress › M9");
        assert!(d.message.contains("form.xlsx › Progress › M9 shows the first part"), "{}", d.message);
        assert_eq!(d.hint.as_deref(), Some("the full text is in last quarter's progress.csv"));

        let source = Place::cell("returns/police.xlsx", "Progress", 9, 7);
        let from_return = CellAt { source: Some(&source), ..at };
        fit_to_cell(&"x".repeat(CELL_LIMIT + 10), &from_return, &mut diagnostics);
        assert_eq!(diagnostics[1].place.to_string(), "returns/police.xlsx › Progress › H10");
    }

    #[test]
    fn a_long_name_for_the_full_text_does_not_eat_the_cell() {
        let far = "d/".repeat(20_000);
        let (shown, hidden) = cut_to_limit(&"a".repeat(CELL_LIMIT + 1), &far).expect("over the limit");
        assert!(units(&shown) <= CELL_LIMIT);
        assert!(hidden < 300, "{hidden}");
    }

    #[test]
    fn xml_forbidden_characters_and_carriage_returns_are_cleaned() {
        assert_eq!(clean_text("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(clean_text("x\u{FFFE}y\u{FFFF}"), "x\u{FFFD}y\u{FFFD}");
        assert_eq!(clean_text("tab\there"), "tab\there");
    }

    #[test]
    fn wrapped_lines_grow_with_text() {
        assert_eq!(wrapped_lines("", 20.0), 1);
        assert_eq!(wrapped_lines("short", 20.0), 1);
        assert_eq!(wrapped_lines("one\ntwo\nthree", 20.0), 3);
        let long = "word ".repeat(100);
        let lines = wrapped_lines(&long, 20.0);
        assert!((20..=40).contains(&lines), "{lines}");
        assert!(wrapped_lines(&"x".repeat(200), 10.0) >= 20);
        // A wider column needs fewer lines.
        assert!(wrapped_lines(&long, 40.0) < lines);
    }

    #[test]
    fn row_heights_are_lines_of_arial_10_up_to_excels_tallest_row() {
        assert_eq!(row_height(1), 15.75);
        assert_eq!(row_height(4), 54.0);
        assert!(row_height(10) > row_height(9));
        assert_eq!(row_height(31), 398.25);
        assert_eq!(row_height(32), 409.0, "capped at Excel's 409 points");
        assert_eq!(row_height(10_000), 409.0);
    }

    #[test]
    fn dates_outside_excels_calendar_are_errors_not_panics() {
        assert!(excel_date(NaiveDate::from_ymd_opt(2019, 1, 14).unwrap()).is_ok());
        assert!(excel_date(NaiveDate::from_ymd_opt(1850, 1, 1).unwrap()).is_err());
        assert!(excel_date(NaiveDate::from_ymd_opt(-5, 1, 1).unwrap()).is_err());
    }
}
