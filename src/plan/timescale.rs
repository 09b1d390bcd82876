//! Timescales as the plan writes them ("Ongoing", "March 2019", a date, a
//! quarter), read into a due date while keeping the original wording for
//! display.

use super::period::Period;
use chrono::NaiveDate;

/// When an action is due.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timescale {
    /// As written in the plan, for display.
    pub written: String,
    pub kind: TimescaleKind,
}

/// What a timescale means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimescaleKind {
    /// Never due, so never overdue.
    Ongoing,
    /// Due on the given date (the last day of a month or quarter, or a date).
    Due(NaiveDate),
}

impl Timescale {
    /// The due date, or `None` for ongoing actions.
    pub fn due_date(&self) -> Option<NaiveDate> {
        match self.kind {
            TimescaleKind::Ongoing => None,
            TimescaleKind::Due(date) => Some(date),
        }
    }

    /// Reads a timescale: "Ongoing", "March 2019" / "Mar 2019" (end of that
    /// month), "2019-03-31", "31/03/2019", "31 March 2019", or a quarter
    /// ("2018-19 Q4", end of that quarter). `None` when it cannot be read.
    pub fn parse(written: &str) -> Option<Timescale> {
        let text = written.trim();
        let kind = if text.eq_ignore_ascii_case("ongoing") {
            TimescaleKind::Ongoing
        } else if let Some(date) = parse_month_year(text) {
            TimescaleKind::Due(date)
        } else if let Some(date) = parse_uk_date(text) {
            TimescaleKind::Due(date)
        } else if let Ok(period) = text.parse::<Period>() {
            TimescaleKind::Due(period.end())
        } else {
            return None;
        };
        Some(Timescale { written: text.to_string(), kind })
    }
}

/// Month names and their common abbreviations, lower case.
fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    if word == "sept" {
        return Some(9);
    }
    MONTHS.iter().position(|m| m.starts_with(&word)).map(|i| i as u32 + 1)
}

/// "March 2019" → 31 March 2019.
fn parse_month_year(text: &str) -> Option<NaiveDate> {
    let mut words = text.split_whitespace();
    let month = month_number(words.next()?)?;
    let year: i32 = words.next()?.parse().ok()?;
    if words.next().is_some() || !(1900..=9999).contains(&year) {
        return None;
    }
    last_day_of_month(year, month)
}

/// The last day of a month.
pub(crate) fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

/// Reads a date as a UK user writes it: ISO `2018-12-31`, `31/12/2018`,
/// `31-12-2018`, `31.12.2018`, `31/12/18`, `31 Dec 2018`, `31 December 2018`.
/// Numeric dates are always day first; an impossible date gives `None`.
pub fn parse_uk_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(date);
    }
    for separator in ['/', '-', '.'] {
        let parts: Vec<&str> = text.split(separator).collect();
        if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit())) {
            let day: u32 = parts[0].parse().ok()?;
            let month: u32 = parts[1].parse().ok()?;
            let mut year: i32 = parts[2].parse().ok()?;
            if parts[0].len() > 2 || parts[1].len() > 2 {
                return None;
            }
            if parts[2].len() == 2 {
                year += 2000;
            } else if parts[2].len() != 4 {
                return None;
            }
            return NaiveDate::from_ymd_opt(year, month, day);
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() == 3 {
        let day_word = words[0].trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let day: u32 = day_word.parse().ok()?;
        let month = month_number(words[1])?;
        let year: i32 = words[2].parse().ok()?;
        if words[2].len() != 4 {
            return None;
        }
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn reads_the_plans_timescales() {
        assert_eq!(Timescale::parse("Ongoing").unwrap().due_date(), None);
        assert_eq!(Timescale::parse("March 2019").unwrap().due_date(), Some(date(2019, 3, 31)));
        assert_eq!(Timescale::parse("September 2018").unwrap().due_date(), Some(date(2018, 9, 30)));
        assert_eq!(Timescale::parse("Sept 2018").unwrap().due_date(), Some(date(2018, 9, 30)));
        assert_eq!(Timescale::parse("February 2020").unwrap().due_date(), Some(date(2020, 2, 29)));
        assert_eq!(Timescale::parse("2018-19 Q4").unwrap().due_date(), Some(date(2019, 3, 31)));
        assert_eq!(Timescale::parse("15/07/2018").unwrap().due_date(), Some(date(2018, 7, 15)));
        assert_eq!(Timescale::parse(" July 2018 ").unwrap().written, "July 2018");
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for text in ["Soon", "Marchember 2019", "March", "2019", "", "13/13/2018", "Ma 2019"] {
            assert_eq!(Timescale::parse(text), None, "{text}");
        }
    }

    #[test]
    fn dates_are_read_day_first() {
        assert_eq!(parse_uk_date("31/12/2018"), Some(date(2018, 12, 31)));
        assert_eq!(parse_uk_date("03/04/2018"), Some(date(2018, 4, 3)));
        assert_eq!(parse_uk_date("12/31/2018"), None);
        assert_eq!(parse_uk_date("31 Dec 2018"), Some(date(2018, 12, 31)));
        assert_eq!(parse_uk_date("1st March 2019"), Some(date(2019, 3, 1)));
        assert_eq!(parse_uk_date("2018-12-31"), Some(date(2018, 12, 31)));
        assert_eq!(parse_uk_date("31/12/18"), Some(date(2018, 12, 31)));
        assert_eq!(parse_uk_date("31.12.2018"), Some(date(2018, 12, 31)));
        assert_eq!(parse_uk_date("29/02/2019"), None);
    }
}
