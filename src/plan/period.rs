//! Reporting periods: UK financial-year quarters. `2018-19 Q1` runs April to
//! June 2018, Q4 January to March 2019. Owns parsing what users type for a
//! period, its dates, and its neighbours.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// One financial-year quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// Calendar year in which the financial year starts (2018 for 2018-19).
    pub fy_start: i32,
    /// 1 to 4.
    pub quarter: u8,
}

/// Why a period could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a reporting period: {reason}; write it like \"2018-19 Q3\" (financial year, then quarter 1-4)")]
pub struct PeriodError {
    pub input: String,
    pub reason: &'static str,
}

impl Period {
    /// A checked period; `None` when the quarter is not 1-4 or the year is out of range.
    pub fn new(fy_start: i32, quarter: u8) -> Option<Self> {
        ((1..=4).contains(&quarter) && (1900..=9998).contains(&fy_start)).then_some(Period { fy_start, quarter })
    }

    /// First day of the quarter.
    pub fn start(self) -> NaiveDate {
        let (year, month) = self.first_month();
        NaiveDate::from_ymd_opt(year, month, 1).expect("valid quarter start")
    }

    /// Last day of the quarter.
    pub fn end(self) -> NaiveDate {
        self.next().start().pred_opt().expect("valid quarter end")
    }

    fn first_month(self) -> (i32, u32) {
        match self.quarter {
            1 => (self.fy_start, 4),
            2 => (self.fy_start, 7),
            3 => (self.fy_start, 10),
            _ => (self.fy_start + 1, 1),
        }
    }

    /// The quarter before this one.
    pub fn previous(self) -> Period {
        if self.quarter == 1 {
            Period { fy_start: self.fy_start - 1, quarter: 4 }
        } else {
            Period { fy_start: self.fy_start, quarter: self.quarter - 1 }
        }
    }

    /// The quarter after this one.
    pub fn next(self) -> Period {
        if self.quarter == 4 {
            Period { fy_start: self.fy_start + 1, quarter: 1 }
        } else {
            Period { fy_start: self.fy_start, quarter: self.quarter + 1 }
        }
    }

    /// The quarter a date falls in.
    pub(crate) fn containing(date: NaiveDate) -> Period {
        let (fy_start, quarter) = match date.month() {
            4..=6 => (date.year(), 1),
            7..=9 => (date.year(), 2),
            10..=12 => (date.year(), 3),
            _ => (date.year() - 1, 4),
        };
        Period { fy_start, quarter }
    }

    /// Financial year as written: `2018-19`.
    pub fn financial_year(self) -> String {
        format!("{}-{:02}", self.fy_start, (self.fy_start + 1) % 100)
    }

    /// File-name form: `2018-19-Q3`. Also accepted by [`Period::from_str`].
    pub fn slug(self) -> String {
        format!("{}-Q{}", self.financial_year(), self.quarter)
    }

    /// Long form for prose: `2018-19 Q3 (October to December 2018)`: the
    /// short form first, so the period reads the same way everywhere.
    pub(crate) fn long_name(self) -> String {
        format!("{} ({} to {})", self, self.start().format("%B"), self.end().format("%B %Y"))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Q{}", self.financial_year(), self.quarter)
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Accepts `2018-19 Q3`, `2018-19-Q3` and `FY2018-19 Q3`, in any case.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| PeriodError { input: input.to_string(), reason };
        let text = input.trim().to_ascii_uppercase();
        let text = text.strip_prefix("FY").unwrap_or(&text).trim_start();
        let (year_part, quarter_part) =
            text.rsplit_once(" Q").or_else(|| text.rsplit_once("-Q")).ok_or_else(|| err("no quarter such as \"Q3\" after the year"))?;
        let (first, second) = year_part.trim().split_once('-').ok_or_else(|| err("the financial year needs both years, as in 2018-19"))?;
        if first.len() != 4 || second.len() != 2 || !first.bytes().chain(second.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(err("the financial year must be four digits, a hyphen and two digits"));
        }
        let fy_start: i32 = first.parse().map_err(|_| err("the year is not a number"))?;
        let fy_end: i32 = second.parse().map_err(|_| err("the year is not a number"))?;
        if (fy_start + 1) % 100 != fy_end {
            return Err(err("the two years of a financial year must follow each other"));
        }
        let quarter = match quarter_part.trim() {
            "1" => 1,
            "2" => 2,
            "3" => 3,
            "4" => 4,
            _ => return Err(err("the quarter must be Q1, Q2, Q3 or Q4")),
        };
        Period::new(fy_start, quarter).ok_or_else(|| err("the year is out of range"))
    }
}

/// A whole financial year, for the year-end review: `2018-19`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FinancialYear {
    /// Calendar year in which it starts (2018 for 2018-19).
    pub fy_start: i32,
}

impl FinancialYear {
    /// Its four quarters, Q1 first.
    pub fn quarters(self) -> [Period; 4] {
        [1, 2, 3, 4].map(|quarter| Period { fy_start: self.fy_start, quarter })
    }

    /// Folder-name form, the same as its display: `2018-19`.
    pub fn slug(self) -> String {
        self.to_string()
    }

    /// Long form for prose: `2018-19 (April 2018 to March 2019)`.
    pub fn long_name(self) -> String {
        let [q1, _, _, q4] = self.quarters();
        format!("{} ({} to {})", self, q1.start().format("%B %Y"), q4.end().format("%B %Y"))
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.fy_start, (self.fy_start + 1) % 100)
    }
}

impl FromStr for FinancialYear {
    type Err = PeriodError;

    /// Accepts `2018-19` and `FY2018-19`: a period with no quarter.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| PeriodError { input: input.to_string(), reason };
        let text = input.trim().to_ascii_uppercase();
        let text = text.strip_prefix("FY").unwrap_or(&text).trim();
        let (first, second) = text.split_once('-').ok_or_else(|| err("the financial year needs both years, as in 2018-19"))?;
        if first.len() != 4 || second.len() != 2 || !first.bytes().chain(second.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(err("the financial year must be four digits, a hyphen and two digits"));
        }
        let fy_start: i32 = first.parse().map_err(|_| err("the year is not a number"))?;
        let fy_end: i32 = second.parse().map_err(|_| err("the year is not a number"))?;
        if (fy_start + 1) % 100 != fy_end {
            return Err(err("the two years of a financial year must follow each other"));
        }
        Period::new(fy_start, 1).map(|_| FinancialYear { fy_start }).ok_or_else(|| err("the year is out of range"))
    }
}

/// What `--period` names: one quarter, or a whole financial year (for the
/// year-end review).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporting {
    Quarter(Period),
    Year(FinancialYear),
}

impl FromStr for Reporting {
    type Err = PeriodError;

    /// A quarter as [`Period`] reads it, else a year (`2018-19`); when
    /// neither, the quarter's error, which shows both forms.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        match input.parse::<Period>() {
            Ok(p) => Ok(Reporting::Quarter(p)),
            Err(e) => input.parse::<FinancialYear>().map(Reporting::Year).map_err(|_| e),
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn accepts_the_three_written_forms() {
        let q3 = Period { fy_start: 2018, quarter: 3 };
        for text in ["2018-19 Q3", "2018-19-Q3", "FY2018-19 Q3", "fy2018-19 q3", " 2018-19  Q3 "] {
            assert_eq!(text.parse::<Period>(), Ok(q3), "{text}");
        }
        assert_eq!(q3.to_string(), "2018-19 Q3");
        assert_eq!(q3.slug(), "2018-19-Q3");
        assert_eq!(q3.slug().parse::<Period>(), Ok(q3));
    }

    #[test]
    fn a_whole_year_is_read_where_a_period_may_be_a_year() {
        let year = FinancialYear { fy_start: 2018 };
        assert_eq!("2018-19".parse::<Reporting>(), Ok(Reporting::Year(year)));
        assert_eq!("FY2018-19".parse::<FinancialYear>(), Ok(year));
        assert_eq!("2018-19 Q2".parse::<Reporting>(), Ok(Reporting::Quarter(Period { fy_start: 2018, quarter: 2 })));
        assert!("2018-20".parse::<Reporting>().unwrap_err().to_string().contains("2018-19 Q3"));
        assert_eq!(year.quarters()[3], Period { fy_start: 2018, quarter: 4 });
        assert_eq!(year.long_name(), "2018-19 (April 2018 to March 2019)");
    }

    #[test]
    fn rejects_other_forms_with_an_example() {
        for text in ["Q3", "2018 Q3", "2018-20 Q3", "2018-19 Q5", "2018-19", "", "2018/19 Q3", "18-19 Q3"] {
            let e = text.parse::<Period>().unwrap_err();
            assert!(e.to_string().contains("2018-19 Q3"), "{text}: {e}");
        }
    }

    #[test]
    fn quarter_boundaries_follow_the_financial_year() {
        let p = |q| Period { fy_start: 2018, quarter: q };
        assert_eq!((p(1).start(), p(1).end()), (date(2018, 4, 1), date(2018, 6, 30)));
        assert_eq!((p(2).start(), p(2).end()), (date(2018, 7, 1), date(2018, 9, 30)));
        assert_eq!((p(3).start(), p(3).end()), (date(2018, 10, 1), date(2018, 12, 31)));
        assert_eq!((p(4).start(), p(4).end()), (date(2019, 1, 1), date(2019, 3, 31)));
        assert_eq!(p(1).previous(), Period { fy_start: 2017, quarter: 4 });
        assert_eq!(p(4).next(), Period { fy_start: 2019, quarter: 1 });
        assert_eq!(Period::containing(date(2019, 3, 31)), p(4));
        assert_eq!(Period::containing(date(2018, 4, 1)), p(1));
        assert_eq!(Period { fy_start: 1999, quarter: 1 }.financial_year(), "1999-00");
        assert_eq!(p(3).long_name(), "2018-19 Q3 (October to December 2018)");
    }
}
