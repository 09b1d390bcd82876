//! Normalising what people type into a return's cells: percentages (`50`,
//! `"50%"`, `0.5`, and with words around them: `"80% done"`, `"approx
//! 70%"`, `"40-50%"`), dates (Excel dates and serial numbers, ISO text, UK
//! day-first text, never month-first), free text (kept as written, trimmed)
//! and header names (matched ignoring case, spaces, punctuation and a
//! trailing colon). Pure functions over one [`Cell`]; the caller turns a
//! problem into a diagnostic with the cell's place.

use super::sheet::Cell;
use crate::plan::timescale::{parse_uk_date, Timescale};
use chrono::{Datelike, NaiveDate};

/// Why a `% complete` cell could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum PercentProblem {
    /// Not a number at all ("about half").
    NotANumber,
    /// A number outside 0–100 (after reading 0.5 as 50).
    OutOfRange(f64),
}

/// Words people type in an optional cell to mean "nothing here".
fn is_blank_word(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "" | "-" | "--" | "n/a" | "na" | "none" | "nil" | "tbc" | "tbd" | "ongoing")
}

/// Reads a `% complete` cell: `50`, `"50%"`, `"50 %"`, `0.5` and `"0.5"` all
/// give 50; a blank cell (or `n/a`, `-`) gives `None`. See [`percent_reading`]
/// for what is read around the number.
pub fn percent(cell: &Cell) -> Result<Option<u8>, PercentProblem> {
    percent_reading(cell).map(|reading| reading.map(|r| r.value))
}

/// A `% complete` cell read, with how it was written when it was more than
/// a number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PercentReading {
    /// 0 to 100.
    pub value: u8,
    /// Written as an estimate: "approx 70%", "c. 70%", "about 70%".
    pub approximate: bool,
    /// Written as a range ("40-50%"): `value` is its lower bound, so a
    /// report never shows more progress than the agency claimed.
    pub range: Option<(u8, u8)>,
    /// Words after the % sign ("80% done" → "done").
    pub words: String,
}

impl PercentReading {
    /// Whether it was more than a number, so a note should say how it was read.
    pub(crate) fn is_decorated(&self) -> bool {
        self.approximate || self.range.is_some() || !self.words.is_empty()
    }
}

/// Reads a `% complete` cell, also when people wrote words around the
/// number: a number then `%` then words ("80% done"); an estimate before
/// it ("approx 70%", "c. 70%", "~70%"); a range ("40-50%", "40% to 50%"),
/// read as its lower bound. Written with words, the `%` sign is required:
/// it is what tells a percentage from a date or a count.
pub(crate) fn percent_reading(cell: &Cell) -> Result<Option<PercentReading>, PercentProblem> {
    let plain = |value: Option<u8>| value.map(|value| PercentReading { value, ..PercentReading::default() });
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => percent_from_number(*n, false).map(plain),
        Cell::Text(text) => {
            let text = text.trim();
            if is_blank_word(text) {
                return Ok(None);
            }
            let (number, with_sign) = match text.strip_suffix('%') {
                Some(rest) => (rest.trim(), true),
                None => (text, false),
            };
            match number.parse::<f64>() {
                Ok(value) => percent_from_number(value, with_sign).map(plain),
                Err(_) => decorated_percent(text).map(Some),
            }
        }
        Cell::Bool(_) | Cell::Date(_) | Cell::Error(_) => Err(PercentProblem::NotANumber),
    }
}

/// Words that mark a percentage as an estimate, longest first so `approx.`
/// is taken whole.
const ESTIMATE_WORDS: [&str; 12] =
    ["approximately", "estimated", "approx.", "approx", "roughly", "around", "circa", "about", "est.", "ca.", "c.", "~"];

/// "approx 70%", "40-50%", "80% done": see [`percent_reading`]. Works on
/// the text as written (prefixes compared ignoring ASCII case), so the words
/// kept are the agency's own.
fn decorated_percent(text: &str) -> Result<PercentReading, PercentProblem> {
    let mut rest = text;
    let mut reading = PercentReading::default();
    for word in ESTIMATE_WORDS {
        if let Some(after) = strip_prefix_ignoring_case(rest, word) {
            // A word must end there ("about", not "abouts"); "c.70%" and "~70%" need no space.
            if word.ends_with(['.', '~']) || after.starts_with(char::is_whitespace) {
                reading.approximate = true;
                rest = after.trim_start();
                break;
            }
        }
    }
    let (low, after) = leading_number(rest).ok_or(PercentProblem::NotANumber)?;
    rest = after.trim_start();
    let low_sign = rest.starts_with('%');
    if low_sign {
        rest = rest[1..].trim_start();
    }
    let range_mark = ["-", "–", "—", "to "].iter().find_map(|mark| strip_prefix_ignoring_case(rest, mark));
    if let Some((high, after)) = range_mark.and_then(|after| leading_number(after.trim_start())) {
        rest = after.trim_start();
        // The % sign is what makes it a percentage: "40-50%", "40%-50%".
        rest = rest.strip_prefix('%').ok_or(PercentProblem::NotANumber)?;
        let whole = |value: f64| percent_from_number(value, true).map(|v| v.unwrap_or(0));
        let (low, high) = (whole(low)?, whole(high)?);
        if high < low {
            return Err(PercentProblem::NotANumber);
        }
        reading.value = low;
        reading.range = Some((low, high));
    } else if low_sign {
        reading.value = percent_from_number(low, true)?.unwrap_or(0);
    } else {
        // "70 done", "approx 70": without a % sign it may be a count or a date.
        return Err(PercentProblem::NotANumber);
    }
    if rest.contains('%') {
        // "50% or 60%": two figures, not one.
        return Err(PercentProblem::NotANumber);
    }
    reading.words = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | ',' | ';' | ':')).trim_end().to_string();
    Ok(reading)
}

/// `text` without `prefix`, compared ignoring ASCII case.
fn strip_prefix_ignoring_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// A number at the start of `text` (`70`, `72.5`) and what follows it.
fn leading_number(text: &str) -> Option<(f64, &str)> {
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let number = text[..end].trim_end_matches('.');
    let value = number.parse().ok()?;
    Some((value, &text[number.len()..]))
}

/// A number as a whole percentage. Without a `%` sign, a fraction between 0
/// and 1 is a percentage Excel stored as a fraction (50% is stored as 0.5).
fn percent_from_number(value: f64, written_with_percent_sign: bool) -> Result<Option<u8>, PercentProblem> {
    if !value.is_finite() {
        return Err(PercentProblem::NotANumber);
    }
    let scaled = if !written_with_percent_sign && value > 0.0 && value < 1.0 { value * 100.0 } else { value };
    let rounded = scaled.round();
    if !(0.0..=100.0).contains(&rounded) {
        return Err(PercentProblem::OutOfRange(value));
    }
    Ok(Some(rounded as u8))
}

/// Why a date cell could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum DateProblem {
    /// Not readable as a date ("next spring", "12/31/2018", "13/13/2018").
    NotADate,
    /// A date, but not one a plan could mean (before 1990 or after 2100):
    /// usually a number typed into a date column.
    Implausible(NaiveDate),
}

/// Reads a date cell: an Excel date, an Excel serial number, ISO text
/// (`2018-12-31`, also with a time), UK text (`31/12/2018`, `31 Dec 2018`,
/// day first always), or a month (`March 2019`, its last day). A blank cell
/// (or `n/a`, `TBC`, `-`) gives `None`.
pub fn date(cell: &Cell) -> Result<Option<NaiveDate>, DateProblem> {
    let found = match cell {
        Cell::Empty => return Ok(None),
        Cell::Date(when) => when.date(),
        Cell::Number(n) => excel_serial_date(*n).ok_or(DateProblem::NotADate)?,
        Cell::Text(text) => {
            let text = text.trim();
            if is_blank_word(text) {
                return Ok(None);
            }
            date_from_text(text).ok_or(DateProblem::NotADate)?
        }
        Cell::Bool(_) | Cell::Error(_) => return Err(DateProblem::NotADate),
    };
    if (1990..=2100).contains(&found.year()) {
        Ok(Some(found))
    } else {
        Err(DateProblem::Implausible(found))
    }
}

/// A date written as text, UK style.
pub(crate) fn date_from_text(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some(date) = parse_uk_date(text) {
        return Some(date);
    }
    // ISO with a time, as spreadsheets export dates: 2018-12-31T00:00:00.
    if let Some((day, _time)) = text.split_once(['T', ' ']) {
        if let Ok(date) = NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            return Some(date);
        }
    }
    // "March 2019" means the end of March.
    Timescale::parse(text).and_then(|t| t.due_date())
}

/// An Excel serial day number (1900 date system) as a date. Serial 60 is
/// Excel's imaginary 29 February 1900, so days before it are one off.
pub(crate) fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let offset = if days < 60 { days + 1 } else { days };
    epoch.checked_add_signed(chrono::Duration::days(offset))
}

/// A cell as text: text trimmed (inner line breaks and Unicode kept, Windows
/// line endings made plain), numbers without a spurious `.0`, dates as ISO.
pub fn text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => text.trim().replace("\r\n", "\n"),
        Cell::Number(n) => number_text(*n),
        Cell::Bool(true) => "TRUE".to_string(),
        Cell::Bool(false) => "FALSE".to_string(),
        Cell::Date(when) => {
            if when.time() == chrono::NaiveTime::MIN {
                when.date().format("%Y-%m-%d").to_string()
            } else {
                when.format("%Y-%m-%d %H:%M").to_string()
            }
        }
        Cell::Error(e) => e.clone(),
    }
}

/// A number as people expect to see it: `3`, not `3.0`.
pub(crate) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The key a header is matched by: lower-case letters and digits only, with
/// `%` read as "percent" and `#` as "no", so `% complete`, `Percent
/// complete:` and `PERCENT-COMPLETE` all give `percentcomplete`.
pub(crate) fn header_key(text: &str) -> String {
    let mut key = String::new();
    for c in text.chars() {
        match c {
            '%' => key.push_str("percent"),
            '#' => key.push_str("no"),
            c if c.is_alphanumeric() => key.extend(c.to_lowercase()),
            _ => {}
        }
    }
    key
}

/// Room for a key made in place by [`ascii_header_key`].
pub(crate) const KEY_ROOM: usize = 64;

/// [`header_key`]'s key of ASCII text, made in `room` without allocating
/// (for ASCII, `is_alphanumeric` and `to_lowercase` are their ASCII forms,
/// so the key is the same); `None` when the text is not ASCII or its key is
/// longer than [`KEY_ROOM`]. Every text cell above a header, and every
/// header of a row's cells, is keyed: allocating each key was a tenth of
/// reading the tables.
pub(crate) fn ascii_header_key<'r>(text: &str, room: &'r mut [u8; KEY_ROOM]) -> Option<&'r str> {
    if !text.is_ascii() {
        return None;
    }
    let mut len = 0;
    for b in text.bytes() {
        let piece: &[u8] = match b {
            b'%' => b"percent",
            b'#' => b"no",
            // Stored as it is: a one-byte copy was a call to memcpy per letter.
            _ if b.is_ascii_alphanumeric() => {
                *room.get_mut(len)? = b.to_ascii_lowercase();
                len += 1;
                continue;
            }
            _ => continue,
        };
        room.get_mut(len..len + piece.len())?.copy_from_slice(piece);
        len += piece.len();
    }
    std::str::from_utf8(&room[..len]).ok()
}

/// [`header_key`]'s key handed to `f`, made in place when it can be.
pub(crate) fn with_header_key<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    match ascii_header_key(text, &mut [0; KEY_ROOM]) {
        Some(key) => f(key),
        None => f(&header_key(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn percentages_as_people_type_them() {
        assert_eq!(percent(&Cell::Number(50.0)), Ok(Some(50)));
        assert_eq!(percent(&t("50%")), Ok(Some(50)));
        assert_eq!(percent(&t(" 50 % ")), Ok(Some(50)));
        assert_eq!(percent(&Cell::Number(0.5)), Ok(Some(50)));
        assert_eq!(percent(&t("0.5")), Ok(Some(50)));
        assert_eq!(percent(&Cell::Number(0.0)), Ok(Some(0)));
        assert_eq!(percent(&Cell::Number(100.0)), Ok(Some(100)));
        assert_eq!(percent(&Cell::Number(33.3)), Ok(Some(33)));
        assert_eq!(percent(&t("100%")), Ok(Some(100)));
        assert_eq!(percent(&Cell::Empty), Ok(None));
        assert_eq!(percent(&t("n/a")), Ok(None));
        assert_eq!(percent(&t(" ")), Ok(None));
    }

    #[test]
    fn percentages_with_words_around_them_are_read_with_how_they_were_written() {
        let read = |text: &str| percent_reading(&t(text)).unwrap().unwrap();
        let r = read("80% done");
        assert_eq!((r.value, r.approximate, r.range, r.words.as_str()), (80, false, None, "done"));
        let r = read("approx 70%");
        assert_eq!((r.value, r.approximate, r.range, r.words.as_str()), (70, true, None, ""));
        for text in ["c. 70%", "c.70%", "~70%", "about 70 %", "Approximately 70% complete"] {
            let r = read(text);
            assert_eq!((r.value, r.approximate), (70, true), "{text}");
        }
        let r = read("40-50%");
        assert_eq!((r.value, r.range), (40, Some((40, 50))));
        assert_eq!(read("40% - 50%").range, Some((40, 50)));
        assert_eq!(read("40 to 50% (depends on funding)").words, "(depends on funding)");
        assert_eq!(read("55 %"), PercentReading { value: 55, ..PercentReading::default() });
        assert!(!read("55 %").is_decorated());
        assert_eq!(read("80% done, more in Q4").words, "done, more in Q4");
    }

    #[test]
    fn decorated_percentages_that_are_not_one_figure_are_refused() {
        for text in ["50-40%", "50% or 60%", "about half", "70 done", "approx 70", "40-50", "cabout 70%"] {
            assert_eq!(percent_reading(&t(text)), Err(PercentProblem::NotANumber), "{text}");
        }
        assert_eq!(percent_reading(&t("90-120%")), Err(PercentProblem::OutOfRange(120.0)));
    }

    #[test]
    fn percentages_out_of_range_or_not_numbers_are_refused() {
        assert_eq!(percent(&Cell::Number(150.0)), Err(PercentProblem::OutOfRange(150.0)));
        assert_eq!(percent(&t("120%")), Err(PercentProblem::OutOfRange(120.0)));
        assert_eq!(percent(&Cell::Number(-5.0)), Err(PercentProblem::OutOfRange(-5.0)));
        assert_eq!(percent(&t("about half")), Err(PercentProblem::NotANumber));
        assert_eq!(percent(&t("50%%")), Err(PercentProblem::NotANumber));
        assert_eq!(percent(&Cell::Bool(true)), Err(PercentProblem::NotANumber));
        assert_eq!(percent(&Cell::Error("#DIV/0!".into())), Err(PercentProblem::NotANumber));
    }

    #[test]
    fn dates_from_cells_and_text() {
        let when = d(2018, 12, 31).and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(date(&Cell::Date(when)), Ok(Some(d(2018, 12, 31))));
        assert_eq!(date(&Cell::Number(43465.0)), Ok(Some(d(2018, 12, 31))));
        assert_eq!(date(&t("2018-12-31")), Ok(Some(d(2018, 12, 31))));
        assert_eq!(date(&t("2018-12-31T00:00:00")), Ok(Some(d(2018, 12, 31))));
        assert_eq!(date(&t("31/12/2018")), Ok(Some(d(2018, 12, 31))));
        assert_eq!(date(&t("31 Dec 2018")), Ok(Some(d(2018, 12, 31))));
        assert_eq!(date(&t("March 2019")), Ok(Some(d(2019, 3, 31))));
        assert_eq!(date(&t("TBC")), Ok(None));
        assert_eq!(date(&Cell::Empty), Ok(None));
    }

    #[test]
    fn dates_are_never_read_month_first() {
        assert_eq!(date(&t("03/04/2019")), Ok(Some(d(2019, 4, 3))));
        assert_eq!(date(&t("12/31/2018")), Err(DateProblem::NotADate));
        assert_eq!(date(&t("13/13/2018")), Err(DateProblem::NotADate));
        assert_eq!(date(&t("next spring")), Err(DateProblem::NotADate));
        assert_eq!(date(&Cell::Number(50.0)), Err(DateProblem::Implausible(d(1900, 2, 19))));
        assert_eq!(date(&Cell::Bool(false)), Err(DateProblem::NotADate));
    }

    #[test]
    fn excel_serials_follow_the_1900_system() {
        assert_eq!(excel_serial_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_date(43101.0), Some(d(2018, 1, 1)));
        assert_eq!(excel_serial_date(43101.75), Some(d(2018, 1, 1)));
        assert_eq!(excel_serial_date(0.0), None);
        assert_eq!(excel_serial_date(f64::NAN), None);
        assert_eq!(excel_serial_date(1e300), None);
    }

    #[test]
    fn text_is_kept_as_written_and_trimmed() {
        assert_eq!(text(&t("  Line one\r\nLine two — café ✓  ")), "Line one\nLine two — café ✓");
        assert_eq!(text(&Cell::Number(3.0)), "3");
        assert_eq!(text(&Cell::Number(2.5)), "2.5");
        assert_eq!(text(&Cell::Date(d(2019, 1, 2).and_hms_opt(0, 0, 0).unwrap())), "2019-01-02");
        assert_eq!(text(&Cell::Bool(true)), "TRUE");
    }

    #[test]
    fn header_keys_ignore_case_spaces_punctuation_and_colons() {
        assert_eq!(header_key("% complete"), "percentcomplete");
        assert_eq!(header_key("Percent Complete:"), "percentcomplete");
        assert_eq!(header_key("Action ID"), "actionid");
        assert_eq!(header_key(" action-id: "), "actionid");
        assert_eq!(header_key("Issues / risks"), "issuesrisks");
        assert_eq!(header_key("Progress %"), "progresspercent");
        assert_eq!(header_key("%"), "percent");
        assert_eq!(header_key("Action #"), "actionno");
    }

    #[test]
    fn keys_made_in_place_are_the_same_keys() {
        let long = format!("{}%", "Action ID ".repeat(8));
        for text in ["% complete", " action-id: ", "Action #", "", "İstatus", "\u{212A}ey", "Ünïcode Status", long.as_str()] {
            assert_eq!(with_header_key(text, str::to_string), header_key(text), "{text:?}");
        }
        assert_eq!(ascii_header_key(&long, &mut [0; KEY_ROOM]), None, "longer than the room");
        assert_eq!(ascii_header_key("İstatus", &mut [0; KEY_ROOM]), None, "not ASCII");
    }

    proptest::proptest! {
        #[test]
        fn keys_made_in_place_match_for_any_text(text in ".{0,80}", ascii in "[ -~]{0,80}") {
            proptest::prop_assert_eq!(with_header_key(&text, str::to_string), header_key(&text));
            proptest::prop_assert_eq!(with_header_key(&ascii, str::to_string), header_key(&ascii));
        }
    }
}
