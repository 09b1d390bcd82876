//! Which agency sent a return, and for which period. In order of trust: the
//! form's hidden metadata sheet (`csp-report`), then `Agency:` /
//! `Organisation:` and `Period:` / `Quarter:` label cells above the table,
//! then the file name (`police-q3.xlsx` → Police) and the folder it sits in
//! (`2018-19-Q3/`), then the period given on the command line. When nothing
//! works the error says how to fix it.

use super::normalise;
use super::sheet::{Cell, Grid};
use super::table::Labels;
use super::Identification;
use crate::diagnostics::{Diagnostic, Place};
use crate::plan::{Agency, Period, Plan};
use chrono::NaiveDateTime;
use std::path::Path;

/// The name of the form's hidden metadata sheet.
pub const METADATA_SHEET: &str = "csp-report";

/// The form's metadata, key → value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub entries: Vec<(String, Cell)>,
    pub sheet: String,
}

impl Metadata {
    /// Reads the key/value rows (column A, column B) of the metadata sheet.
    pub(crate) fn from_grid(grid: &Grid) -> Metadata {
        let entries = grid
            .rows
            .iter()
            .filter_map(|row| {
                let key = row.get(0).as_text()?.to_ascii_lowercase();
                Some((key, row.get(1).clone()))
            })
            .collect();
        Metadata { entries, sheet: grid.name.clone() }
    }

    pub fn get(&self, key: &str) -> Option<&Cell> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| !v.is_blank())
    }

    fn text(&self, key: &str) -> Option<String> {
        self.get(key).map(normalise::text)
    }

    fn place(&self, file: &str, key: &str) -> Place {
        let row = self.entries.iter().position(|(k, _)| k == key).unwrap_or(0);
        Place::cell(file, self.sheet.clone(), u32::try_from(row).unwrap_or(u32::MAX), 1)
    }
}

/// Who sent a return and for when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub agency: String,
    pub period: Period,
    pub identified_by: Identification,
    pub submitted: Option<NaiveDateTime>,
}

/// What identifying a file found, with its problems. `agency` or `period`
/// is `None` when an error says why.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub agency: Option<(String, Identification)>,
    pub period: Option<Period>,
    pub submitted: Option<NaiveDateTime>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Works out the agency and period of one return.
pub fn identify(
    metadata: Option<&Metadata>,
    labels: &Labels,
    relative: &Path,
    file: &str,
    plan: &Plan,
    fallback_period: Option<Period>,
) -> Found {
    let mut found = Found::default();
    let whole_file = Place::file(file);

    // 1. The form's metadata.
    if let Some(meta) = metadata {
        if let Some(id) = meta.text("agency_id") {
            match plan.agency(&id).or_else(|| plan.find_agency(&id)) {
                Some(agency) => found.agency = Some((agency.id.clone(), Identification::Metadata)),
                None => found.diagnostics.push(Diagnostic::warning(
                    "agency-unknown",
                    meta.place(file, "agency_id"),
                    format!("the form's metadata names agency {id:?}, which is not in this plan; looking for an Agency: cell or the file name instead"),
                )),
            }
        }
        if let Some(text) = meta.text("period") {
            match parse_period(&text) {
                Some(p) => found.period = Some(p),
                None => found.diagnostics.push(Diagnostic::warning(
                    "period-unknown",
                    meta.place(file, "period"),
                    format!("the form's metadata names period {text:?}, which is not a period"),
                )),
            }
        }
        if let Some(hash) = meta.text("plan_hash") {
            if hash != plan.hash {
                found.diagnostics.push(
                    Diagnostic::warning(
                        "plan-version",
                        meta.place(file, "plan_hash"),
                        format!("this form was made from another version of the plan (plan {hash}, now {})", plan.hash),
                    )
                    .with_hint("check its action IDs still mean the same actions; send this agency a new form next quarter"),
                );
            }
        }
        found.submitted = meta.get("submitted").and_then(submitted_time);
    }

    // A form sent on by another agency: the metadata still names the first.
    if let (Some((id, Identification::Metadata)), Some((text, place))) = (&found.agency, &labels.agency) {
        if let Some(labelled) = plan.find_agency(text).or_else(|| agency_in_text(plan, text)) {
            if &labelled.id != id {
                let form_for = plan.agency(id).map(|a| a.name.as_str()).unwrap_or(id);
                found.diagnostics.push(
                    Diagnostic::warning(
                        "agency-mismatch",
                        place.clone(),
                        format!("the form was made for {form_for}, but its Agency: cell says {text:?}; it was read as {form_for}'s return"),
                    )
                    .with_hint(format!("if this is {}'s return, ask them to use their own form", labelled.name)),
                );
            }
        }
    }

    // 2. Label cells above the table.
    let mut label_miss = None;
    if found.agency.is_none() {
        if let Some((text, place)) = &labels.agency {
            match plan.find_agency(text).or_else(|| agency_in_text(plan, text)) {
                Some(agency) => found.agency = Some((agency.id.clone(), Identification::Label)),
                None => label_miss = Some((text.clone(), place.clone())),
            }
        }
    }
    if found.period.is_none() {
        if let Some((text, place)) = &labels.period {
            match parse_period(text) {
                Some(p) => found.period = Some(p),
                None => found.diagnostics.push(
                    Diagnostic::warning("period-unknown", place.clone(), format!("the Period: cell says {text:?}, which is not a period"))
                        .with_hint("write it like 2018-19 Q3"),
                ),
            }
        }
    }

    // 3. The file name, then the folders it sits in.
    if found.agency.is_none() {
        match agency_from_path(plan, relative) {
            Ok(Some(agency)) => {
                if let Some((text, place)) = &label_miss {
                    found.diagnostics.push(Diagnostic::warning(
                        "agency-unknown",
                        place.clone(),
                        format!("the Agency: cell says {text:?}, which is not an agency in the plan; the file name says {}", agency.name),
                    ));
                }
                found.agency = Some((agency.id.clone(), Identification::FileName));
            }
            Ok(None) => {
                let (place, message) = match &label_miss {
                    Some((text, place)) => (place.clone(), format!("the Agency: cell says {text:?}, which is not an agency in the plan, and the file name names none either")),
                    None => (whole_file.clone(), "cannot tell which agency sent this return: it has no form metadata, no Agency: cell above the table, and its file name names no agency".to_string()),
                };
                found.diagnostics.push(
                    Diagnostic::error("agency-unknown", place, message)
                        .with_hint("add a cell \"Agency:\" with the agency's name next to it above the table, or name the file after the agency (e.g. police.xlsx)"),
                );
            }
            Err(names) => found.diagnostics.push(
                Diagnostic::error(
                    "agency-unknown",
                    whole_file.clone(),
                    format!("the file name names more than one agency ({}), so the return cannot be identified", names.join(", ")),
                )
                .with_hint("add a cell \"Agency:\" with the agency's name above the table, or rename the file after one agency"),
            ),
        }
    }
    if found.period.is_none() {
        found.period = folder_period(relative).or(fallback_period);
        if found.period.is_none() {
            found.diagnostics.push(
                Diagnostic::error("period-unknown", whole_file, "cannot tell which period this return is for")
                    .with_hint("add a cell \"Period:\" (e.g. 2018-19 Q3) above the table, put the file in a folder named like 2018-19-Q3, or pass --period"),
            );
        }
    }
    found
}

/// The period the folders a file sits in name (`2018-19-Q3/police.xlsx`),
/// the nearest first.
pub(crate) fn folder_period(relative: &Path) -> Option<Period> {
    relative.parent().and_then(|p| p.components().rev().find_map(|c| parse_period(&c.as_os_str().to_string_lossy())))
}

/// The `submitted` metadata value: a date-time cell or ISO text.
fn submitted_time(cell: &Cell) -> Option<NaiveDateTime> {
    match cell {
        Cell::Date(when) => Some(*when),
        Cell::Text(text) => {
            let text = text.trim();
            ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text.trim_end_matches('Z'), f).ok())
                .or_else(|| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
        }
        _ => None,
    }
}

/// A period as people write it: `2018-19 Q3`, `2018-19-Q3`, `Q3 2018-19`,
/// `Q3 2018/19`, `Quarter 3 2018-19`.
pub fn parse_period(text: &str) -> Option<Period> {
    if let Ok(p) = text.parse::<Period>() {
        return Some(p);
    }
    let upper = text.to_ascii_uppercase().replace('/', "-").replace("QUARTER ", "Q").replace("QTR ", "Q").replace('_', " ");
    let tokens: Vec<&str> = upper.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()).collect();
    let mut quarter = None;
    let mut year = None;
    for token in &tokens {
        let token = token.trim_start_matches("FY");
        if token.len() == 2 && token.starts_with('Q') && matches!(&token[1..], "1" | "2" | "3" | "4") {
            quarter = Some(&token[1..]);
        } else if token.len() == 7 && token.as_bytes()[4] == b'-' {
            year = Some(token);
        } else if token.len() == 9 && token.as_bytes()[4] == b'-' {
            // "2018-2019"
            year = Some(token);
        }
    }
    let year = year?;
    let year = if year.len() == 9 { format!("{}-{}", &year[..4], &year[7..]) } else { year.to_string() };
    format!("{year} Q{}", quarter?).parse().ok()
}

/// A quarter as a sheet or a label names it, when a workbook keeps a tab
/// per quarter: any form [`parse_period`] reads, or a quarter without its
/// year (`Q3`), or its months (`Oct-Dec`, `October to December 2018`,
/// `Jan-Mar 2019`), with an optional financial year (`2018-19`, `2018/19`)
/// or calendar year. A quarter or months without a year belong to
/// `default_fy` (the financial year being reported), else are not read.
/// Months must make up one quarter (`Nov-Jan` is none).
pub(crate) fn period_in_text(text: &str, default_fy: Option<i32>) -> Option<Period> {
    if let Some(period) = parse_period(text) {
        return Some(period);
    }
    let upper = text.to_ascii_uppercase().replace("QUARTER ", "Q").replace("QTR ", "Q");
    let words: Vec<&str> = upper.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let mut quarter = None;
    let mut months = Vec::new();
    let mut financial_year = None;
    let mut calendar_year = None;
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let number = |w: &str| w.bytes().all(|b| b.is_ascii_digit()).then(|| w.parse::<i32>().ok()).flatten();
        match (word.len(), number(word)) {
            (4, Some(year)) => {
                // "2018-19" and "2018/19" split into two words; "2018-2019" too.
                match words.get(i + 1).and_then(|w| number(w).map(|n| (w.len(), n))) {
                    Some((2, next)) if next == (year + 1) % 100 => {
                        financial_year = Some(year);
                        i += 1;
                    }
                    Some((4, next)) if next == year + 1 => {
                        financial_year = Some(year);
                        i += 1;
                    }
                    _ => calendar_year = Some(year),
                }
            }
            _ if word.len() == 2 && word.starts_with('Q') && matches!(&word[1..], "1" | "2" | "3" | "4") => {
                quarter = word[1..].parse::<u8>().ok();
            }
            _ => {
                if let Some(month) = month_of(word) {
                    months.push(month);
                }
            }
        }
        i += 1;
    }
    let quarter_of_month = |month: u32| Period::containing(chrono::NaiveDate::from_ymd_opt(2000, month, 1).expect("a month")).quarter;
    if quarter.is_none() {
        let (first, last) = (*months.first()?, *months.last()?);
        if quarter_of_month(first) != quarter_of_month(last) || last < first {
            return None;
        }
        quarter = Some(quarter_of_month(first));
        // A calendar year with months places the quarter exactly: "Jan-Mar 2019" is 2018-19 Q4.
        if let (None, Some(year)) = (financial_year, calendar_year) {
            return chrono::NaiveDate::from_ymd_opt(year, first, 1).map(Period::containing);
        }
    }
    // "Q3 2018" is read as the financial year starting in 2018, as "Q3 2018-19" would be.
    let fy = financial_year.or(calendar_year).or(default_fy)?;
    Period::new(fy, quarter?)
}

/// The month a word names (`OCT`, `OCTOBER`, `SEPT`), upper case in.
fn month_of(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] =
        ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"];
    if word.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| m.starts_with(word)).map(|i| i as u32 + 1)
}

/// An agency named somewhere in a longer text ("Lancashire Constabulary –
/// Preston division"): the agency whose id, name or alias appears as a whole
/// run of words.
fn agency_in_text<'a>(plan: &'a Plan, text: &str) -> Option<&'a Agency> {
    match agencies_in_words(plan, &words(text)) {
        Ok(Some(agency)) => Some(agency),
        _ => None,
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// The agency a run of words names: the longest run of consecutive words
/// that is an agency's id, name or alias. `Err` lists the agencies when the
/// longest runs name more than one.
fn agencies_in_words<'a>(plan: &'a Plan, words: &[String]) -> Result<Option<&'a Agency>, Vec<String>> {
    for len in (1..=words.len().min(8)).rev() {
        let mut hits: Vec<&Agency> = Vec::new();
        for window in words.windows(len) {
            if let Some(agency) = plan.find_agency(&window.join(" ")) {
                if !hits.iter().any(|h| h.id == agency.id) {
                    hits.push(agency);
                }
            }
        }
        match hits.len() {
            0 => continue,
            1 => return Ok(Some(hits[0])),
            _ => return Err(hits.iter().map(|a| a.name.clone()).collect()),
        }
    }
    Ok(None)
}

/// The agency a file's name names, else the nearest folder that names one.
fn agency_from_path<'a>(plan: &'a Plan, relative: &Path) -> Result<Option<&'a Agency>, Vec<String>> {
    let stem = relative.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if let Some(agency) = plan.find_agency(&stem) {
        return Ok(Some(agency));
    }
    if let Some(agency) = agencies_in_words(plan, &words(&stem))? {
        return Ok(Some(agency));
    }
    for folder in relative.parent().into_iter().flat_map(|p| p.components().rev()) {
        let name = folder.as_os_str().to_string_lossy();
        if let Some(agency) = plan.find_agency(&name) {
            return Ok(Some(agency));
        }
        if let Ok(Some(agency)) = agencies_in_words(plan, &words(&name)) {
            return Ok(Some(agency));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_as_people_write_them() {
        let q3 = Period::new(2018, 3);
        for text in ["2018-19 Q3", "2018-19-Q3", "Q3 2018-19", "Q3 2018/19", "Quarter 3 2018-19", "2018/19 Q3", "Q3 2018-2019"] {
            assert_eq!(parse_period(text), q3, "{text}");
        }
        for text in ["Q5 2018-19", "2018 Q3", "soon", ""] {
            assert_eq!(parse_period(text), None, "{text}");
        }
    }

    #[test]
    fn quarters_as_sheets_are_named() {
        let fy = Some(2018);
        let q = |n| Period::new(2018, n);
        for (name, expected) in [
            ("Q3", q(3)),
            ("Q3 2018-19", q(3)),
            ("2018-19 Q3", q(3)),
            ("Q3 2018/19", q(3)),
            ("Oct-Dec", q(3)),
            ("October to December 2018", q(3)),
            ("Apr-Jun", q(1)),
            ("Jul - Sept", q(2)),
            ("Jan-Mar 2019", q(4)),
            ("Jan-Mar", q(4)),
            ("Quarter 2", q(2)),
            ("Q1 (Apr-Jun)", q(1)),
            ("Oct-Dec 2019-20", Period::new(2019, 3)),
        ] {
            assert_eq!(period_in_text(name, fy), expected, "{name}");
        }
        for name in ["Sheet1", "Notes", "Nov-Jan", "Marketing", "2018-19", "Return"] {
            assert_eq!(period_in_text(name, fy), None, "{name}");
        }
        assert_eq!(period_in_text("Q3", None), None, "a quarter without a year needs the year being reported");
    }
}
