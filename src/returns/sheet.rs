//! Sheets as grids of typed cells at ABSOLUTE positions (row 0 is the
//! sheet's first row, whatever calamine's range starts at), and reading a
//! workbook's sheets with calamine. Every calamine call runs inside
//! `catch_unwind` (see `super::contain`), after the checks in [`super::guard`] have bounded what it
//! may allocate; a panic or a calamine error becomes a [`Failure`] for that
//! file only. CSV files become a grid too (see [`super::csv`]), whose places
//! are lines and column names rather than cells.

use super::guard::{Failure, Format};
use crate::diagnostics::Place;
use calamine::{Data, Reader, SheetType, SheetVisible, Sheets};
use chrono::{NaiveDate, NaiveDateTime};
use std::io::Cursor;

/// One cell's value, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDateTime),
    /// A formula error as Excel shows it (`#N/A`).
    Error(String),
}

impl Cell {
    /// Empty, or text of spaces only.
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The text of a text cell, trimmed; `None` for other cells.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(t) => Some(t.trim()),
            _ => None,
        }
    }
}

/// One row's non-blank cells, by column.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 0-based absolute row number (for CSV, the record number).
    pub index: u32,
    /// Non-blank cells, ordered by 0-based column.
    pub cells: Vec<(u32, Cell)>,
}

impl Row {
    /// The cell in a column, or [`Cell::Empty`].
    pub fn get(&self, col: u32) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        match self.cells.binary_search_by_key(&col, |(c, _)| *c) {
            Ok(i) => &self.cells[i].1,
            Err(_) => &EMPTY,
        }
    }
}

/// A sheet (or a CSV file) as rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Sheet name; empty for CSV.
    pub name: String,
    pub visible: bool,
    /// Rows holding at least one non-blank cell, in order.
    pub rows: Vec<Row>,
    /// For CSV: the 1-based line each record starts on, by record number.
    pub lines: Option<Vec<usize>>,
}

impl Grid {
    /// Where a cell is, for messages: `file › Sheet › C7` for a sheet,
    /// `file › line 7, column Status` for CSV (`column_name` is the header
    /// as written, when known).
    pub fn place(&self, file: &str, row: u32, col: u32, column_name: Option<&str>) -> Place {
        match &self.lines {
            Some(lines) => {
                let line = lines.get(row as usize).copied().unwrap_or(row as usize + 1);
                let fallback = (col + 1).to_string();
                let name = column_name.filter(|n| !n.trim().is_empty()).unwrap_or(&fallback);
                Place::line(file, line, Some(name))
            }
            None => Place::cell(file, self.name.clone(), row, col),
        }
    }
}

/// A workbook's worksheets in workbook order, and any sheet that could not
/// be read (name, reason).
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    pub sheets: Vec<Grid>,
    pub unreadable_sheets: Vec<(String, String)>,
}

/// Reads every worksheet of a workbook already checked by the guard.
pub fn read_workbook(bytes: &[u8], format: Format) -> Result<Workbook, Failure> {
    match super::contain::contain(|| read_workbook_unguarded(bytes, format)) {
        Ok(result) => result,
        Err(fault) => Err(Failure::unreadable(format!("the workbook could not be read (the spreadsheet reader failed: {fault})"))),
    }
}

fn read_workbook_unguarded(bytes: &[u8], format: Format) -> Result<Workbook, Failure> {
    let cursor = Cursor::new(bytes);
    let opened: Result<Sheets<Cursor<&[u8]>>, calamine::Error> = match format {
        Format::Xlsx => calamine::Xlsx::new(cursor).map(Sheets::Xlsx).map_err(calamine::Error::Xlsx),
        Format::Xlsb => calamine::Xlsb::new(cursor).map(Sheets::Xlsb).map_err(calamine::Error::Xlsb),
        Format::Xls => calamine::Xls::new(cursor).map(Sheets::Xls).map_err(calamine::Error::Xls),
        Format::Ods => calamine::Ods::new(cursor).map(Sheets::Ods).map_err(calamine::Error::Ods),
        Format::Csv => return Err(Failure::unreadable("internal: a CSV file was sent to the workbook reader")),
    };
    let mut workbook = opened.map_err(failure_of)?;
    let sheets: Vec<(String, bool)> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    let mut result = Workbook::default();
    for (name, visible) in sheets {
        // xlsx and xlsb sheets are streamed cell by cell, so only the cells
        // holding something are ever kept; calamine's ranges are dense
        // (rows × columns of the used area), which the other formats need.
        let cells = match &mut workbook {
            Sheets::Xlsx(xlsx) => match xlsx.worksheet_cells_reader(&name) {
                Ok(mut reader) => streamed(|| reader.next_cell()),
                Err(e) => Err(e.to_string()),
            },
            Sheets::Xlsb(xlsb) => match xlsb.worksheet_cells_reader(&name) {
                Ok(mut reader) => streamed(|| reader.next_cell()),
                Err(e) => Err(e.to_string()),
            },
            other => other.worksheet_range(&name).map(|range| cells_of_range(&range)).map_err(|e| e.to_string()),
        };
        match cells {
            Ok(cells) => result.sheets.push(grid_from_cells(name, visible, cells)),
            Err(reason) => result.unreadable_sheets.push((name, reason)),
        }
    }
    Ok(result)
}

/// A sheet's cells at absolute positions, as (row, column, cell).
type PlacedCells = Vec<(u32, u32, Cell)>;

/// The non-blank cells a streaming reader gives, until it ends.
fn streamed<'a, E: std::fmt::Display>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<calamine::DataRef<'a>>>, E>,
) -> Result<PlacedCells, String> {
    let mut cells = Vec::new();
    while let Some(found) = next().map_err(|e| e.to_string())? {
        let cell = cell_from_data(&Data::from(found.get_value().clone()));
        if !cell.is_blank() {
            let (row, col) = found.get_position();
            cells.push((row, col, cell));
        }
    }
    Ok(cells)
}

/// The non-blank cells of a calamine range, at absolute positions (a
/// range's own positions are relative to its start).
fn cells_of_range(range: &calamine::Range<Data>) -> PlacedCells {
    let (start_row, start_col) = range.start().unwrap_or((0, 0));
    range
        .used_cells()
        .map(|(row, col, data)| (start_row + row as u32, start_col + col as u32, cell_from_data(data)))
        .filter(|(_, _, cell)| !cell.is_blank())
        .collect()
}

/// A calamine error as a reason a user can act on.
fn failure_of(error: calamine::Error) -> Failure {
    use calamine::{Error, OdsError, XlsError, XlsxError};
    match error {
        Error::Xlsx(XlsxError::Password) | Error::Xls(XlsError::Password) | Error::Ods(OdsError::Password) => Failure::encrypted(),
        other => Failure::unreadable(format!("the workbook is damaged or not a spreadsheet ({other})")),
    }
}

/// A sheet's placed cells as rows of typed cells at absolute positions.
fn grid_from_cells(name: String, visible: bool, mut cells: PlacedCells) -> Grid {
    // Row by row, left to right, whatever order the file stored them in (a
    // stable sort); a cell stored twice keeps its last value, as in a range.
    cells.sort_by_key(|(row, col, _)| (*row, *col));
    let mut rows: Vec<Row> = Vec::new();
    for (row, col, cell) in cells {
        match rows.last_mut() {
            Some(last) if last.index == row => match last.cells.last_mut() {
                Some((last_col, last_cell)) if *last_col == col => *last_cell = cell,
                _ => last.cells.push((col, cell)),
            },
            _ => rows.push(Row { index: row, cells: vec![(col, cell)] }),
        }
    }
    Grid { name, visible, rows, lines: None }
}

/// One calamine value as a typed cell.
pub(crate) fn cell_from_data(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _ms) = dt.to_ymd_hms_milli();
            match NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32).and_then(|date| date.and_hms_opt(hh as u32, mm as u32, ss as u32)) {
                Some(when) => Cell::Date(when),
                None => Cell::Number(dt.as_f64()),
            }
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(text) => iso_cell(text),
        Data::DurationIso(text) => Cell::Text(text.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// An ISO date or date-time (how .ods gives dates) as a date cell, else text.
fn iso_cell(text: &str) -> Cell {
    if let Ok(when) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Cell::Date(when);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Cell::Date(date.and_hms_opt(0, 0, 0).expect("midnight"));
    }
    Cell::Text(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_absolute_positions() {
        let mut range = calamine::Range::new((3, 2), (5, 4));
        range.set_value((3, 2), Data::String("Action ID".into()));
        range.set_value((5, 4), Data::Float(0.5));
        range.set_value((4, 3), Data::String("   ".into()));
        let grid = grid_from_cells("Progress".into(), true, cells_of_range(&range));
        assert_eq!(grid.rows.len(), 2);
        assert_eq!(grid.rows[0].index, 3);
        assert_eq!(grid.rows[0].cells, vec![(2, Cell::Text("Action ID".into()))]);
        assert_eq!(grid.rows[1].index, 5);
        assert_eq!(grid.rows[1].get(4), &Cell::Number(0.5));
        assert_eq!(grid.rows[1].get(3), &Cell::Empty);
        assert_eq!(grid.place("returns/police.xlsx", 6, 2, None).to_string(), "returns/police.xlsx › Progress › C7");
    }

    #[test]
    fn streamed_cells_in_any_order_make_rows_in_order_and_the_last_write_wins() {
        let text = |s: &str| Cell::Text(s.into());
        let cells = vec![(5, 1, text("b")), (2, 3, text("a")), (5, 0, text("first")), (5, 0, text("second")), (2, 0, Cell::Number(1.0))];
        let grid = grid_from_cells("Sheet1".into(), true, cells);
        let rows: Vec<(u32, Vec<(u32, Cell)>)> = grid.rows.iter().map(|r| (r.index, r.cells.clone())).collect();
        assert_eq!(rows, vec![(2, vec![(0, Cell::Number(1.0)), (3, text("a"))]), (5, vec![(0, text("second")), (1, text("b"))])]);
    }

    #[test]
    fn calamine_values_become_typed_cells() {
        use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
        let when = NaiveDate::from_ymd_opt(2018, 12, 31).unwrap().and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(cell_from_data(&Data::DateTime(ExcelDateTime::new(43465.0, ExcelDateTimeType::DateTime, false))), Cell::Date(when));
        assert_eq!(cell_from_data(&Data::DateTimeIso("2018-12-31".into())), Cell::Date(when));
        assert_eq!(cell_from_data(&Data::DateTimeIso("2018-12-31T00:00:00".into())), Cell::Date(when));
        assert_eq!(cell_from_data(&Data::Int(7)), Cell::Number(7.0));
        assert_eq!(cell_from_data(&Data::Bool(true)), Cell::Bool(true));
        assert_eq!(cell_from_data(&Data::Error(CellErrorType::NA)), Cell::Error("#N/A".into()));
    }

    #[test]
    fn csv_places_name_the_line_and_column() {
        let grid = Grid { name: String::new(), visible: true, rows: vec![], lines: Some(vec![1, 2, 4]) };
        assert_eq!(grid.place("returns/yot.csv", 2, 1, Some("Status")).to_string(), "returns/yot.csv › line 4, column Status");
    }
}
