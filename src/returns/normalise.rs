//! Normalising what people type into a return's cells: percentages (`50`,
//! `"50%"`, `0.5`), dates (Excel dates and serial numbers, ISO text, UK
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
/// give 50; a blank cell (or `n/a`, `-`) gives `None`.
pub fn percent(cell: &Cell) -> Result<Option<u8>, PercentProblem> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => percent_from_number(*n, false),
        Cell::Text(text) => {
            let text = text.trim();
            if is_blank_word(text) {
                return Ok(None);
            }
            let (number, with_sign) = match text.strip_suffix('%') {
                Some(rest) => (rest.trim(), true),
                None => (text, false),
            };
            let value: f64 = number.parse().map_err(|_| PercentProblem::NotANumber)?;
            percent_from_number(value, with_sign)
        }
        Cell::Bool(_) | Cell::Date(_) | Cell::Error(_) => Err(PercentProblem::NotANumber),
    }
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
pub fn date_from_text(text: &str) -> Option<NaiveDate> {
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
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
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
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The key a header is matched by: lower-case letters and digits only, with
/// `%` read as "percent" and `#` as "no", so `% complete`, `Percent
/// complete:` and `PERCENT-COMPLETE` all give `percentcomplete`.
pub fn header_key(text: &str) -> String {
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
}
