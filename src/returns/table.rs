//! The return table inside a sheet: finding its header row (the first row
//! holding an Action ID column and a Status column, names matched as
//! RETURNS.md says, with every alias) and turning each data row below it into
//! an [`Update`] or a rejection with its reason. Lines of text the agency
//! wrote below its last action row ("Completed by: …") are its notes on the
//! return, not rejected rows. Every non-empty row below the header is
//! counted: rows read = accepted + rejected + notes.

use super::normalise::{self, ascii_header_key, header_key, with_header_key, DateProblem, PercentProblem, KEY_ROOM};
use super::sheet::{Cell, Grid, Row};
use super::{RejectedRow, Rejection, ReturnNote, Update};
use crate::diagnostics::{column_letters, Diagnostic, Place};
use crate::plan::{name_key, Plan};
use crate::status::{Status, StatusReading};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// What a column of a return holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    ActionId,
    Status,
    Percent,
    Update,
    NextSteps,
    Issues,
    RevisedDate,
    /// The action's text: used only to match a row whose ID is missing or wrong.
    ActionText,
    /// Columns the form fills in for the reader (group, timescale, co-leads,
    /// last quarter's status and update): known, not kept as notes.
    ReadOnly,
}

/// Header names, and every alias RETURNS.md accepts, per field.
const HEADERS: &[(Field, &[&str])] = &[
    (Field::ActionId, &["Action ID", "ID", "Ref", "Action ref", "Action reference", "Action no", "Action number"]),
    (Field::Status, &["Status", "RAG", "RAG status", "Progress status"]),
    (Field::Percent, &["% complete", "Percent complete", "Percentage complete", "Progress %", "%"]),
    (Field::Update, &["Progress update", "Update", "Progress", "Commentary", "Comments"]),
    (Field::NextSteps, &["Next steps", "Next actions", "Planned activity"]),
    (Field::Issues, &["Issues / risks", "Risks", "Issues", "Barriers", "Issues and risks", "Risks / issues"]),
    (Field::RevisedDate, &["Revised date", "New date", "Revised deadline"]),
    (Field::ActionText, &["Action", "Action text", "Description"]),
    (
        Field::ReadOnly,
        &["Group", "Action group", "Timescale", "Co-leads", "Co-lead", "Lead", "Leads", "Previous status", "Previous update"],
    ),
];

/// The field a header names, if any. A note in brackets after the name is
/// ignored when the name alone matches (`Status (choose from the list)`,
/// `Revised date [dd/mm/yyyy]`).
pub(crate) fn field_of(header: &str) -> Option<Field> {
    field_of_text(header).or_else(|| {
        // Without a bracket there is nothing to strip.
        if !header.contains(['(', '[', ')', ']']) {
            return None;
        }
        let without_notes = strip_bracketed(header);
        (without_notes.len() < header.len()).then(|| field_of_text(&without_notes)).flatten()
    })
}

/// The field a text's key names. ASCII text whose key does not fit in
/// [`KEY_ROOM`] names none (no alias's key is that long), so the long
/// text of a guidance sheet costs no allocation.
fn field_of_text(text: &str) -> Option<Field> {
    if text.is_ascii() {
        ascii_header_key(text, &mut [0; KEY_ROOM]).and_then(field_of_key)
    } else {
        field_of_key(&header_key(text))
    }
}

fn field_of_key(key: &str) -> Option<Field> {
    // Keyed once: every cell of every row is looked up while the header is
    // sought, so normalising the aliases per lookup was most of the read stage.
    static FIELDS: OnceLock<HashMap<String, Field>> = OnceLock::new();
    let fields = FIELDS.get_or_init(|| {
        let mut fields = HashMap::new();
        for (field, names) in HEADERS {
            for name in *names {
                // The first field to claim a key keeps it, as HEADERS is ordered.
                let key = header_key(name);
                assert!(key.len() <= KEY_ROOM, "field_of_text looks up keys up to KEY_ROOM long");
                fields.entry(key).or_insert(*field);
            }
        }
        fields
    });
    fields.get(key).copied()
}

/// Text with anything in `()` or `[]` removed.
fn strip_bracketed(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The header row and what each column holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// 0-based absolute row.
    pub row: u32,
    /// The column of each field found (the first, when a field appears twice).
    pub fields: BTreeMap<Field, u32>,
    /// Every header cell as written, by column.
    pub names: BTreeMap<u32, String>,
}

impl Header {
    pub fn column(&self, field: Field) -> Option<u32> {
        self.fields.get(&field).copied()
    }

    /// The header as written over a column, or `Column F` when it has none.
    pub(crate) fn name_of(&self, col: u32) -> String {
        self.names.get(&col).cloned().unwrap_or_else(|| format!("Column {}", column_letters(col)))
    }

    /// Whether a column is one the reader uses or knows.
    fn is_known(&self, col: u32) -> bool {
        self.names.get(&col).and_then(|n| field_of(n)).is_some()
    }
}

/// Why no table was found in a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum NoTable {
    /// No row has both columns.
    NoHeader,
    /// A row has one of the two required columns but not the other.
    Missing { row: u32, col: u32, found: &'static str, missing: &'static str },
}

/// Finds the header row: the first row holding an Action ID and a Status column.
pub(crate) fn find_header(grid: &Grid) -> Result<Header, NoTable> {
    let mut near_miss = None;
    for row in &grid.rows {
        let mut fields = BTreeMap::new();
        for (col, cell) in &row.cells {
            if let Some(field) = cell.as_text().and_then(field_of) {
                fields.entry(field).or_insert(*col);
            }
        }
        match (fields.get(&Field::ActionId), fields.get(&Field::Status)) {
            (Some(_), Some(_)) => {
                // Only the header row's names are kept.
                let names = row.cells.iter().filter_map(|(col, cell)| Some((*col, cell.as_text()?.to_string()))).collect();
                return Ok(Header { row: row.index, fields, names });
            }
            (Some(&col), None) if near_miss.is_none() => {
                near_miss = Some(NoTable::Missing { row: row.index, col, found: "an Action ID", missing: "Status" });
            }
            (None, Some(&col)) if near_miss.is_none() => {
                near_miss = Some(NoTable::Missing { row: row.index, col, found: "a Status", missing: "Action ID" });
            }
            _ => {}
        }
    }
    Err(near_miss.unwrap_or(NoTable::NoHeader))
}

/// The rows of one return table, read.
#[derive(Debug, Clone, Default)]
pub struct TableRead {
    pub updates: Vec<Update>,
    pub rows_read: usize,
    /// Rows rejected, each with the error that rejected it (also in `diagnostics`).
    pub rejected: Vec<RejectedRow>,
    /// Lines of text below the last action row: the agency's notes on its
    /// return (counted in `rows_read`, never rejected).
    pub notes: Vec<ReturnNote>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads every data row below the header. `agency` (when known) narrows the
/// actions a row without a usable ID may be matched to by its text.
pub(crate) fn read_rows(grid: &Grid, header: &Header, file: &str, plan: &Plan, agency: Option<&str>) -> TableRead {
    let mut out = TableRead::default();
    let rows: Vec<&Row> = grid.rows.iter().filter(|r| r.index > header.row && !is_repeated_header(r, header)).collect();
    // Notes are only the lines after the last row that is not one: a line
    // of text between action rows is more likely a row gone wrong, and its
    // error is what gets it fixed.
    let first_note = rows.iter().rposition(|r| !is_note_line(header, r, plan, agency)).map_or(0, |last_data| last_data + 1);
    for (i, row) in rows.into_iter().enumerate() {
        if i >= first_note {
            out.rows_read += 1;
            out.notes.push(note_of(grid, header, row, file));
            continue;
        }
        let row_index = out.rows_read;
        out.rows_read += 1;
        match read_row(grid, header, row, file, plan, agency, row_index, &mut out.diagnostics) {
            Ok(update) => out.updates.push(update),
            Err(rejection) => {
                out.diagnostics.push(rejection.diagnostic());
                out.rejected.push(RejectedRow { action_id: rejection.action_id, rejection: rejection.why, row_index });
            }
        }
    }
    out
}

/// Whether a row could be a line of the agency's own text rather than an
/// action row: text cells only, all left of the Status column (the "first
/// cells" a person types a sign-off into), no status or % complete, and
/// nothing that names an action: no ID from the plan, nothing shaped like
/// an ID (`DA9`, a typo of one, is an action row gone wrong), no action text
/// from the plan.
fn is_note_line(header: &Header, row: &Row, plan: &Plan, agency: Option<&str>) -> bool {
    let Some(status_col) = header.column(Field::Status) else { return false };
    let filled = |field: Field| header.column(field).is_some_and(|c| !row.get(c).is_blank());
    if filled(Field::Status) || filled(Field::Percent) {
        return false;
    }
    if !row.cells.iter().all(|(col, cell)| *col < status_col && matches!(cell, Cell::Text(_))) {
        return false;
    }
    let id = header.column(Field::ActionId).map(|c| normalise::text(row.get(c))).unwrap_or_default();
    if plan.find_action_id(&id).is_some() || looks_like_action_id(&id) {
        return false;
    }
    let action_text = header.column(Field::ActionText).map(|c| normalise::text(row.get(c))).unwrap_or_default();
    match_by_text(plan, agency, &action_text).is_none()
}

/// Short, with a digit, and at most two words: how action IDs are written
/// (`DA3`, `CS2-1`, `soc 3`), and not how sentences are.
fn looks_like_action_id(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && text.chars().count() <= 12 && text.chars().any(|c| c.is_ascii_digit()) && text.split_whitespace().count() <= 2
}

/// A note line's text: its cells joined with spaces, placed at its first cell.
fn note_of(grid: &Grid, header: &Header, row: &Row, file: &str) -> ReturnNote {
    let text = row.cells.iter().map(|(_, cell)| normalise::text(cell)).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
    let first = row.cells.first().map_or(0, |(col, _)| *col);
    ReturnNote { text, place: grid.place(file, row.index, first, Some(&header.name_of(first))) }
}

/// A copy of the header row further down (pasted tables): not data.
fn is_repeated_header(row: &Row, header: &Header) -> bool {
    let is = |field: Field| header.column(field).and_then(|c| row.get(c).as_text()).and_then(field_of) == Some(field);
    is(Field::ActionId) && is(Field::Status)
}

/// A row refused: its action when known, why, and the code of the error
/// that says so.
struct Refusal {
    action_id: Option<String>,
    code: &'static str,
    why: Rejection,
}

impl Refusal {
    fn new(code: &'static str, place: Place, action_id: Option<String>, problem: String, hint: impl Into<String>) -> Refusal {
        Refusal { action_id, code, why: Rejection { problem, hint: Some(hint.into()), place } }
    }

    /// The error: the problem and what became of the row.
    fn diagnostic(&self) -> Diagnostic {
        let consequence = match &self.action_id {
            Some(id) => format!("so the row for {id} was not read"),
            None => "so the row was not read".to_string(),
        };
        let d = Diagnostic::error(self.code, self.why.place.clone(), format!("{}, {consequence}", self.why.problem));
        match &self.why.hint {
            Some(hint) => d.with_hint(hint.clone()),
            None => d,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    grid: &Grid,
    header: &Header,
    row: &Row,
    file: &str,
    plan: &Plan,
    agency: Option<&str>,
    row_index: usize,
    diags: &mut Vec<Diagnostic>,
) -> Result<Update, Box<Refusal>> {
    let place = |field: Field| {
        let col = header.column(field).unwrap_or(0);
        grid.place(file, row.index, col, Some(&header.name_of(col)))
    };
    let cell = |field: Field| header.column(field).map(|c| row.get(c)).unwrap_or(&Cell::Empty);

    // Which action: the ID, else the action's text.
    let typed_id = normalise::text(cell(Field::ActionId));
    let action_text = normalise::text(cell(Field::ActionText));
    let by_number = match cell(Field::ActionId) {
        Cell::Number(n) => id_from_number(plan, *n, &typed_id, place(Field::ActionId), diags)?,
        _ => None,
    };
    let action_id = match by_number.or_else(|| plan.find_action_id(&typed_id).map(|a| a.id.clone())) {
        Some(id) => id,
        None => match match_by_text(plan, agency, &action_text) {
            Some(id) => {
                let why = if typed_id.is_empty() {
                    "there is no action ID".to_string()
                } else {
                    format!("{typed_id:?} is not an action ID in the plan")
                };
                diags.push(
                    Diagnostic::warning(
                        "action-by-text",
                        place(Field::ActionId),
                        format!("{why}; the row was matched to {id} by its action text"),
                    )
                    .with_hint(format!("write {id} in the Action ID column")),
                );
                id
            }
            None if typed_id.is_empty() => {
                return Err(Box::new(Refusal::new(
                    "missing-action-id",
                    place(Field::ActionId),
                    None,
                    "the row has no action ID".to_string(),
                    "write the action's ID from the plan, e.g. DA3",
                )));
            }
            None => {
                return Err(Box::new(Refusal::new(
                    "unknown-action",
                    place(Field::ActionId),
                    None,
                    format!("action ID {typed_id:?} is not in the plan"),
                    unknown_action_hint(plan, agency, &typed_id),
                )));
            }
        },
    };

    // Its status.
    let status_cell = cell(Field::Status);
    let status_place = place(Field::Status);
    let status_name = header.name_of(header.column(Field::Status).unwrap_or(0));
    // What the agency wrote around a status or a percentage, kept as notes on
    // the update so nothing it said is lost.
    let mut kept_notes: Vec<(String, String)> = Vec::new();
    let status = if status_cell.is_blank() {
        return Err(Box::new(Refusal::new(
            "missing-status",
            status_place,
            Some(action_id.clone()),
            "no status was given".to_string(),
            "choose Complete, Green, Amber, Red or Not started",
        )));
    } else {
        let typed = normalise::text(status_cell);
        match Status::read_typed(&typed) {
            StatusReading::Exact(status) => status,
            StatusReading::Decorated { status, rest } => {
                let kept = if rest.is_empty() {
                    String::new()
                } else {
                    kept_notes.push((status_name.clone(), rest));
                    "; the words after it are kept with the update".to_string()
                };
                diags.push(Diagnostic::note(
                    "status-decorated",
                    status_place.clone(),
                    format!("status {typed:?} for {action_id} was read as {}{kept}", status.label()),
                ));
                status
            }
            StatusReading::Ambiguous(first, second) => {
                return Err(Box::new(Refusal::new(
                    "ambiguous-status",
                    status_place,
                    Some(action_id.clone()),
                    format!("status {typed:?} names two statuses, {} and {}", first.label(), second.label()),
                    format!("ask the agency whether {action_id} is {} or {}, and write that one", first.label(), second.label()),
                )));
            }
            StatusReading::Unknown => {
                let hint = match Status::suggest(&typed) {
                    Some(s) => format!("did you mean {}?", s.label()),
                    None => "choose Complete, Green, Amber, Red or Not started".to_string(),
                };
                return Err(Box::new(Refusal::new(
                    "unknown-status",
                    status_place,
                    Some(action_id),
                    format!("status {typed:?} is not a status"),
                    hint,
                )));
            }
        }
    };

    // The rest: problems here drop the value, never the row.
    let percent_complete = match normalise::percent_reading(cell(Field::Percent)) {
        Ok(Some(reading)) => {
            if reading.is_decorated() {
                let written = normalise::text(cell(Field::Percent));
                let mut how = Vec::new();
                if reading.approximate {
                    how.push("an estimate".to_string());
                }
                if let Some((low, high)) = reading.range {
                    how.push(format!("a range from {low} to {high}, read as its lower bound so progress is not overstated"));
                }
                if !reading.words.is_empty() {
                    how.push("the words are kept with the update".to_string());
                }
                let percent_col = header.column(Field::Percent).unwrap_or(0);
                kept_notes.push((header.name_of(percent_col), written.clone()));
                diags.push(Diagnostic::note(
                    "percent-decorated",
                    place(Field::Percent),
                    format!("% complete {written:?} for {action_id} was read as {} ({})", reading.value, how.join("; ")),
                ));
            }
            Some(reading.value)
        }
        Ok(None) => None,
        Err(problem) => {
            let written = normalise::text(cell(Field::Percent));
            let d = match problem {
                PercentProblem::NotANumber => Diagnostic::error(
                    "bad-percent",
                    place(Field::Percent),
                    format!("% complete {written:?} is not a number; it was left out"),
                ),
                PercentProblem::OutOfRange(v) if v < 0.0 => Diagnostic::error(
                    "percent-out-of-range",
                    place(Field::Percent),
                    format!("% complete {written} is negative; it was left out"),
                ),
                PercentProblem::OutOfRange(_) => Diagnostic::error(
                    "percent-out-of-range",
                    place(Field::Percent),
                    format!("% complete {written} is more than 100; it was left out"),
                ),
            };
            diags.push(d.with_hint("write a whole number from 0 to 100"));
            None
        }
    };
    let revised_date = match normalise::date(cell(Field::RevisedDate)) {
        Ok(d) => d,
        Err(problem) => {
            let written = normalise::text(cell(Field::RevisedDate));
            let message = match problem {
                DateProblem::NotADate => format!("revised date {written:?} is not a date; it was left out"),
                DateProblem::Implausible(d) => {
                    format!("revised date {written:?} is not a plausible date (it reads as {}); it was left out", d.format("%d/%m/%Y"))
                }
            };
            diags.push(
                Diagnostic::error("bad-date", place(Field::RevisedDate), message)
                    .with_hint("write the date day first, like 31/03/2019, or as 2019-03-31"),
            );
            None
        }
    };
    let update = normalise::text(cell(Field::Update));
    if update.is_empty() && matches!(status, Status::Amber | Status::Red) {
        diags.push(
            Diagnostic::warning(
                "missing-update",
                status_place.clone(),
                format!("{action_id} is {} but has no progress update", status.label()),
            )
            .with_hint("say what is slipping and what is being done about it"),
        );
    }
    let other_columns = row
        .cells
        .iter()
        .filter(|(col, _)| !header.is_known(*col))
        .map(|(col, value)| (header.name_of(*col), normalise::text(value)))
        .filter(|(_, value)| !value.is_empty());
    let notes = kept_notes.into_iter().chain(other_columns).collect();
    Ok(Update {
        action_id,
        status,
        percent_complete,
        update,
        next_steps: normalise::text(cell(Field::NextSteps)),
        issues_risks: normalise::text(cell(Field::Issues)),
        revised_date,
        notes,
        place: status_place,
        row_index,
    })
}

/// The action whose text the row gives, when the ID is missing or wrong:
/// the same words, or nearly (a typo or two), among the agency's actions
/// when the agency is known.
fn match_by_text(plan: &Plan, agency: Option<&str>, text: &str) -> Option<String> {
    let key = name_key(text);
    if key.len() < 12 || key.len() > 2000 {
        return None;
    }
    let candidates: Vec<&crate::plan::Action> = match agency {
        Some(agency) => plan.actions_led_by(agency).collect(),
        None => plan.actions().collect(),
    };
    if let Some(action) = candidates.iter().find(|a| name_key(&a.text) == key) {
        return Some(action.id.clone());
    }
    candidates
        .iter()
        .map(|a| (strsim::normalized_levenshtein(&name_key(&a.text), &key), a))
        .filter(|(similarity, _)| *similarity >= 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, a)| a.id.clone())
}

/// An Action ID cell Excel holds as a number: `1.10` typed into a cell
/// that is not text becomes the number 1.1, so the ID as written is lost.
/// It is matched to the one plan ID that reads as that number, with a
/// warning when that ID is written otherwise (`1.10`); refused when several
/// IDs read as it (`1.1` and `1.10`), rather than guessed. `Ok(None)` when
/// no plan ID is a dotted number equal to it (the usual look-up follows).
fn id_from_number(plan: &Plan, n: f64, shown: &str, place: Place, diags: &mut Vec<Diagnostic>) -> Result<Option<String>, Box<Refusal>> {
    match plan.actions_numbered(n).as_slice() {
        [] => Ok(None),
        [only] if only.id == shown => Ok(Some(only.id.clone())),
        [only] => {
            diags.push(
                Diagnostic::warning(
                    "action-id-number",
                    place,
                    format!(
                        "the Action ID cell holds the number {shown}, not text; it was read as {}, the plan's only action numbered so",
                        only.id
                    ),
                )
                .with_hint(format!("format the Action ID column as text and write {}", only.id)),
            );
            Ok(Some(only.id.clone()))
        }
        several => {
            let ids: Vec<&str> = several.iter().map(|a| a.id.as_str()).collect();
            Err(Box::new(Refusal::new(
                "ambiguous-action-id",
                place,
                None,
                format!("the Action ID cell holds the number {shown}, not text, which could be any of {}", crate::vocabulary::either(&ids)),
                format!("format the Action ID column as text and write the ID again, e.g. {}", ids.last().expect("several")),
            )))
        }
    }
}

/// A hint for an action ID typed wrong: "did you mean DA3?" when one ID of
/// the agency's (or the plan's) is a single edit away, else the IDs the
/// agency leads.
fn unknown_action_hint(plan: &Plan, agency: Option<&str>, typed: &str) -> String {
    let led: Vec<&str> = agency.map(|a| plan.actions_led_by(a).map(|x| x.id.as_str()).collect()).unwrap_or_default();
    let pool: Vec<&str> = if led.is_empty() { plan.actions().map(|a| a.id.as_str()).collect() } else { led.clone() };
    let key = crate::plan::action_key(typed);
    let near: Vec<&str> = if key.is_empty() || key.len() > 12 {
        Vec::new()
    } else {
        pool.iter().copied().filter(|id| strsim::levenshtein(&crate::plan::action_key(id), &key) <= 1).collect()
    };
    match (near.as_slice(), led.is_empty()) {
        ([only], _) => format!("did you mean {only}?"),
        (_, false) => format!("this agency leads {}", led.join(", ")),
        (_, true) => "use the action IDs printed on the form or in the plan".to_string(),
    }
}

/// Label cells above the header: `Agency:` / `Organisation:` and `Period:` /
/// `Quarter:`, with the value in the next cell to the right or after the
/// colon in the same cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels {
    pub agency: Option<(String, Place)>,
    pub period: Option<(String, Place)>,
}

pub(crate) fn labels_above(grid: &Grid, header_row: u32, file: &str) -> Labels {
    let mut labels = Labels::default();
    for row in grid.rows.iter().filter(|r| r.index < header_row) {
        for (i, (col, cell)) in row.cells.iter().enumerate() {
            let Some(text) = cell.as_text() else { continue };
            let (label, inline) = match text.split_once(':') {
                Some((label, rest)) => (label, rest.trim()),
                None => (text, ""),
            };
            let slot = with_header_key(label, |key| match key {
                "agency" | "agencyname" | "leadagency" | "organisation" | "organization" | "organisationname" => Some(&mut labels.agency),
                "period" | "quarter" | "reportingperiod" | "returnperiod" => Some(&mut labels.period),
                _ => None,
            });
            let Some(slot) = slot else { continue };
            if slot.is_some() {
                continue;
            }
            let value = if !inline.is_empty() {
                Some((inline.to_string(), grid.place(file, row.index, *col, None)))
            } else {
                row.cells[i + 1..]
                    .iter()
                    .find(|(_, c)| !c.is_blank())
                    .map(|(c, value)| (normalise::text(value), grid.place(file, row.index, *c, None)))
            };
            *slot = value;
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[(u32, &[(u32, &str)])]) -> Grid {
        Grid {
            name: "Progress".into(),
            visible: true,
            rows: rows
                .iter()
                .map(|(i, cells)| Row { index: *i, cells: cells.iter().map(|(c, t)| (*c, Cell::Text(t.to_string()))).collect() })
                .collect(),
            lines: None,
        }
    }

    #[test]
    fn header_names_and_aliases_are_matched() {
        for (typed, field) in [
            ("Action ID", Field::ActionId),
            ("action id:", Field::ActionId),
            ("Ref", Field::ActionId),
            ("Action No.", Field::ActionId),
            ("RAG", Field::Status),
            ("RAG Status", Field::Status),
            ("% Complete", Field::Percent),
            ("Progress %", Field::Percent),
            ("Commentary", Field::Update),
            ("PROGRESS UPDATE", Field::Update),
            ("Next actions", Field::NextSteps),
            ("Issues/Risks", Field::Issues),
            ("Barriers", Field::Issues),
            ("New date", Field::RevisedDate),
            ("Description", Field::ActionText),
            ("Co-leads", Field::ReadOnly),
            ("Previous status", Field::ReadOnly),
        ] {
            assert_eq!(field_of(typed), Some(field), "{typed}");
        }
        assert_eq!(field_of("Status (choose from the list)"), Some(Field::Status));
        assert_eq!(field_of("Revised date [dd/mm/yyyy]"), Some(Field::RevisedDate));
        assert_eq!(field_of("% complete (0-100)"), Some(Field::Percent));
        assert_eq!(field_of("Budget"), None);
        assert_eq!(field_of(""), None);
    }

    #[test]
    fn the_header_is_the_first_row_with_id_and_status() {
        let g = grid(&[
            (0, &[(0, "Quarterly return")]),
            (2, &[(1, "Agency:"), (2, "Police")]),
            (5, &[(1, "Ref"), (3, "RAG"), (4, "Commentary")]),
        ]);
        let header = find_header(&g).unwrap();
        assert_eq!(header.row, 5);
        assert_eq!(header.column(Field::ActionId), Some(1));
        assert_eq!(header.column(Field::Status), Some(3));
        assert_eq!(header.column(Field::Update), Some(4));
        let labels = labels_above(&g, 5, "returns/x.xlsx");
        assert_eq!(labels.agency.unwrap().0, "Police");
    }

    #[test]
    fn a_header_missing_status_is_named() {
        let g = grid(&[(3, &[(0, "Action ID"), (1, "Progress update")])]);
        assert_eq!(find_header(&g), Err(NoTable::Missing { row: 3, col: 0, found: "an Action ID", missing: "Status" }));
        assert_eq!(find_header(&grid(&[(0, &[(0, "Hello")])])), Err(NoTable::NoHeader));
    }

    #[test]
    fn labels_may_hold_their_value_inline() {
        let g = grid(&[
            (0, &[(0, "Organisation: Youth Offending Team")]),
            (1, &[(0, "Quarter"), (3, "2018-19 Q3")]),
            (2, &[(0, "ID"), (1, "Status")]),
        ]);
        let labels = labels_above(&g, 2, "f");
        assert_eq!(labels.agency.unwrap().0, "Youth Offending Team");
        let (period, place) = labels.period.unwrap();
        assert_eq!(period, "2018-19 Q3");
        assert_eq!(place.cell_text().as_deref(), Some("D2"));
    }
}
