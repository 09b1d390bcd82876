//! The Excel progress workbook (`progress.xlsx`): a Summary sheet (headline
//! figures, status matrices by action group and by strategic priority, a
//! stacked bar chart, the agencies' returns), one sheet per action group with
//! a row per action × lead, and the Exceptions, Missing returns and Data
//! problems sheets. It owns how [`Progress`] is laid out in a spreadsheet:
//! text is always written as text (never a formula), sheet names are made
//! legal and unique, and each row's height is set for its wrapped text.
//! Excel's own rules (the cell limit and its warning, row heights, dates) are
//! followed through [`crate::excel`], as the return forms follow them; a cut
//! cell here points to `progress.csv` for the whole text. Every figure comes from
//! `Progress`; nothing here counts. The file is byte-identical for the same
//! input: the document's creation date is `Progress::produced`.

use super::sentences::Sentences;
use super::{OutputFile, RenderContext, RenderError, Rendered, Renderer};
use crate::diagnostics::{Diagnostic, Place, Severity};
use crate::excel::{clean_text, excel_date, fit_to_cell, row_height, wrapped_lines, CellAt};
use crate::plan::Period;
use crate::progress::{
    ActionProgress, AgencyProgress, Counts, DetailValue, Exception, ExceptionKind, LeadDetail, LeadUpdate, Progress, Subject, UpdateState,
};
use crate::status::Status;
use crate::vocabulary;
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartFormat, ChartLegendPosition, ChartLine, ChartSolidFill, ChartType, ColNum, DocProperties, Format,
    FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The file this renderer writes, in the period's output folder.
pub const FILE_NAME: &str = "progress.xlsx";

pub mod year;

// The cell limit and its diagnostic code are the shared Excel policy's;
// re-exported so the workbook's users find them beside it.
pub use crate::excel::{CELL_LIMIT, CELL_TRUNCATED};

/// Where the whole text of a cell cut to Excel's limit can be read.
const FULL_TEXT: &str = "progress.csv";

/// Names of the fixed sheets; group sheets may not take them.
pub const SUMMARY_SHEET: &str = "Summary";
pub const EXCEPTIONS_SHEET: &str = "Exceptions";
pub const MISSING_SHEET: &str = "Missing returns";
pub const PROBLEMS_SHEET: &str = "Data problems";
pub const HISTORY_SHEET: &str = "History";

/// The last row the Data problems sheet lists a problem on: Excel stops at
/// 1,048,576 rows.
const MAX_PROBLEM_ROW: RowNum = 1_048_000;

/// Fill for "overdue" flags: orange, apart from the status colours.
const OVERDUE_COLOUR: &str = "F8CBAD";

/// Characters of Excel's header and footer strings.
const HEADER_FOOTER_LIMIT: usize = 255;

/// Renders `progress.xlsx`.
pub struct XlsxRenderer;

impl Renderer for XlsxRenderer {
    fn name(&self) -> &'static str {
        "xlsx"
    }

    fn render(&self, ctx: &RenderContext) -> Result<Rendered, RenderError> {
        render_workbook(ctx.progress, ctx.sentences)
    }
}

/// Lays `progress` out as the workbook; the diagnostics are the cells that had
/// to be cut to Excel's limit.
pub fn render_workbook(progress: &Progress, sentences: &Sentences) -> Result<Rendered, RenderError> {
    let mut diagnostics = Vec::new();
    let bytes = build(progress, sentences, &mut diagnostics).map_err(|e| RenderError::new("xlsx", e))?;
    Ok(Rendered { files: vec![OutputFile { path: PathBuf::from(FILE_NAME), bytes }], diagnostics })
}

fn build(progress: &Progress, sentences: &Sentences, diagnostics: &mut Vec<Diagnostic>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let produced = excel_date(progress.produced)?;
    // Properties are not cells (no length limit), but XML must carry them.
    let properties = DocProperties::new()
        .set_title(clean_text(&format!("{} progress, {}", progress.partnership.short_name, progress.period)))
        .set_subject(clean_text(&format!(
            "{} {}: progress for {}",
            progress.partnership.plan_title,
            progress.partnership.plan_year,
            progress.period.long_name()
        )))
        .set_author(clean_text(&progress.partnership.name))
        .set_company(clean_text(&progress.partnership.name))
        .set_keywords("community safety, action plan, progress")
        .set_creation_datetime(&produced);
    workbook.set_properties(&properties);

    let page = PageSetup::new(progress);
    let group_sheet_names = group_sheet_names(progress);

    let mut sheets = vec![summary_sheet(progress, &page, diagnostics)?];
    for (group, name) in progress.groups.iter().zip(&group_sheet_names) {
        sheets.push(group_sheet(progress, sentences, group, name, &page, diagnostics)?);
    }
    sheets.push(exceptions_sheet(progress, sentences, &page, diagnostics)?);
    sheets.push(history_sheet(progress, &page, diagnostics)?);
    sheets.push(missing_returns_sheet(progress, &page, diagnostics)?);
    // Last, so it also lists the cells this workbook had to cut.
    sheets.push(data_problems_sheet(progress, &page, diagnostics)?);
    for sheet in sheets {
        workbook.push_worksheet(sheet);
    }
    // Zipping the worksheets' XML at the default level (6) was 3.5% of a
    // county build's processor time; level 4 takes a third of that for a
    // file 6% larger (1.31 → 1.38 MB at 5,000 actions). Levels 1–3 make it
    // 18–70% larger.
    workbook.set_zip_compression_level(4);
    workbook.save_to_buffer()
}

// ---------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------

/// Arial 10 everywhere: LibreOffice has a metric-compatible font for it
/// (Liberation Sans), so the row heights estimated here hold there too.
fn base() -> Format {
    Format::new().set_font_name("Arial").set_font_size(10).set_align(FormatAlign::Top)
}

/// A table cell: wrapped, thin grey border.
fn cell() -> Format {
    base().set_text_wrap().set_border(FormatBorder::Thin).set_border_color("A6A6A6")
}

fn header() -> Format {
    cell().set_bold().set_background_color("1F3864").set_font_color("FFFFFF")
}

fn title() -> Format {
    base().set_bold().set_font_size(16).set_font_color("1F3864").set_align(FormatAlign::VerticalCenter)
}

fn heading() -> Format {
    base().set_bold().set_font_size(12).set_font_color("1F3864").set_align(FormatAlign::Bottom)
}

fn label() -> Format {
    base().set_bold()
}

fn status_cell(status: Status) -> Format {
    cell().set_bold().set_background_color(status.colour())
}

fn date_cell() -> Format {
    cell().set_num_format("d mmm yyyy")
}

fn percent_cell() -> Format {
    cell().set_num_format("0%").set_align(FormatAlign::Center)
}

fn number_cell() -> Format {
    cell().set_align(FormatAlign::Center)
}

fn total_cell() -> Format {
    number_cell().set_bold().set_background_color("F2F2F2")
}

/// Repeated action columns on a co-lead's second row: same text, quieter.
fn repeat_cell() -> Format {
    cell().set_font_color("595959")
}

fn severity_cell(severity: Severity) -> Format {
    match severity {
        Severity::Error => cell().set_bold().set_background_color(Status::Red.colour()),
        Severity::Warning => cell().set_bold().set_background_color("FFE699"),
        Severity::Note => cell(),
    }
}

// ---------------------------------------------------------------------------
// Writing cells
// ---------------------------------------------------------------------------

/// A sheet being filled: writes text safely and remembers how tall each row
/// must be for its wrapped text.
struct SheetWriter<'d> {
    sheet: Worksheet,
    name: String,
    widths: Vec<f64>,
    /// Lines needed per row, for the rows written so far.
    lines: BTreeMap<RowNum, usize>,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl<'d> SheetWriter<'d> {
    fn new(name: &str, widths: &[f64], diagnostics: &'d mut Vec<Diagnostic>) -> Result<Self, XlsxError> {
        let mut sheet = Worksheet::new();
        sheet.set_name(name)?;
        for (col, width) in widths.iter().enumerate() {
            sheet.set_column_width(col as ColNum, *width)?;
        }
        Ok(SheetWriter { sheet, name: name.to_string(), widths: widths.to_vec(), lines: BTreeMap::new(), diagnostics })
    }

    /// Writes `text` as a string cell (never a formula), cut to Excel's limit
    /// with a visible marker and a warning naming `source` (where the text came
    /// from) or, when it has none, this cell.
    fn text(&mut self, row: RowNum, col: ColNum, text: &str, format: &Format, source: Option<&Place>) -> Result<(), XlsxError> {
        self.text_span(row, col, col, text, format, source)
    }

    /// Like [`SheetWriter::text`], merged across columns `col..=last_col`.
    fn text_span(
        &mut self,
        row: RowNum,
        col: ColNum,
        last_col: ColNum,
        text: &str,
        format: &Format,
        source: Option<&Place>,
    ) -> Result<(), XlsxError> {
        let shown = self.fit_to_cell(row, col, text, source);
        if last_col > col {
            self.sheet.merge_range(row, col, row, last_col, &shown, format)?;
        } else {
            self.sheet.write_string_with_format(row, col, &shown, format)?;
        }
        let width: f64 = (col..=last_col).map(|c| self.width(c)).sum();
        self.need_lines(row, wrapped_lines(&shown, width));
        Ok(())
    }

    fn number(&mut self, row: RowNum, col: ColNum, value: f64, format: &Format) -> Result<(), XlsxError> {
        self.sheet.write_number_with_format(row, col, value, format)?;
        self.need_lines(row, 1);
        Ok(())
    }

    fn date(&mut self, row: RowNum, col: ColNum, date: Option<NaiveDate>, format: &Format) -> Result<(), XlsxError> {
        match date.map(excel_date) {
            Some(Ok(date)) => {
                self.sheet.write_datetime_with_format(row, col, date, format)?;
            }
            // Outside Excel's calendar (before 1900 or after 9999): shown as written.
            Some(Err(_)) => {
                let text = date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
                self.sheet.write_string_with_format(row, col, text, format)?;
            }
            None => {
                self.sheet.write_blank(row, col, format)?;
            }
        }
        Ok(())
    }

    fn blank(&mut self, row: RowNum, col: ColNum, format: &Format) -> Result<(), XlsxError> {
        self.sheet.write_blank(row, col, format)?;
        Ok(())
    }

    fn width(&self, col: ColNum) -> f64 {
        self.widths.get(col as usize).copied().unwrap_or(8.43)
    }

    fn need_lines(&mut self, row: RowNum, lines: usize) {
        let have = self.lines.entry(row).or_insert(1);
        *have = (*have).max(lines);
    }

    /// The text as the cell will hold it, by the shared cell policy: cleaned,
    /// and cut to the cell limit with a warning when it is longer.
    fn fit_to_cell(&mut self, row: RowNum, col: ColNum, text: &str, source: Option<&Place>) -> String {
        let at = CellAt { file: FILE_NAME, sheet: &self.name, row, col, source, full_text: FULL_TEXT };
        fit_to_cell(text, &at, self.diagnostics)
    }

    /// Sets the height of every row written with more than one line, then
    /// hands the sheet back.
    fn finish(mut self) -> Result<Worksheet, XlsxError> {
        for (row, lines) in std::mem::take(&mut self.lines) {
            if lines > 1 {
                self.sheet.set_row_height(row, row_height(lines))?;
            }
        }
        Ok(self.sheet)
    }
}

// ---------------------------------------------------------------------------
// Page set-up
// ---------------------------------------------------------------------------

/// What every sheet prints with: landscape A4, one page wide, header with
/// the partnership and the sheet, footer with the period and "page N of M".
struct PageSetup {
    header: String,
    footer: String,
}

impl PageSetup {
    fn new(progress: &Progress) -> Self {
        // Two texts of at most 100 characters, doubled ampersands and codes stay
        // inside the limit.
        let partnership = header_text(&progress.partnership.name, HEADER_FOOTER_LIMIT / 5);
        let period = header_text(&progress.period.long_name(), HEADER_FOOTER_LIMIT / 5);
        PageSetup { header: format!("&L{partnership}&R&A"), footer: format!("&L{period}&RPage &P of &N") }
    }

    fn apply(&self, sheet: &mut Worksheet, header_row: Option<RowNum>, paper: Paper) -> Result<(), XlsxError> {
        sheet.set_landscape();
        sheet.set_paper_size(paper as u8);
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.25, 0.25);
        sheet.set_header(&self.header);
        sheet.set_footer(&self.footer);
        if let Some(row) = header_row {
            sheet.set_repeat_rows(row, row)?;
        }
        Ok(())
    }
}

/// Paper sizes, as Excel numbers them.
#[derive(Clone, Copy)]
enum Paper {
    A4 = 9,
    /// For the group sheets: seventeen columns on A4 would print at half size.
    A3 = 8,
}

/// Text for a header or footer: `&` doubled (it starts a code there) and
/// kept well inside Excel's 255-character limit.
fn header_text(text: &str, max_chars: usize) -> String {
    let short: String = if text.chars().count() > max_chars {
        text.chars().take(max_chars - 1).chain(std::iter::once('…')).collect()
    } else {
        text.to_string()
    };
    short.replace('&', "&&")
}

/// A table's header row: bold on dark blue, frozen, filtered, repeated on
/// every printed page.
fn table_header(w: &mut SheetWriter, row: RowNum, headers: &[&str]) -> Result<(), XlsxError> {
    let format = header();
    for (col, text) in headers.iter().enumerate() {
        w.text(row, col as ColNum, text, &format, None)?;
    }
    Ok(())
}

fn filtered_table(
    w: &mut SheetWriter,
    header_row: RowNum,
    last_row: RowNum,
    columns: usize,
    frozen_columns: ColNum,
    page: &PageSetup,
    paper: Paper,
) -> Result<(), XlsxError> {
    w.sheet.set_freeze_panes(header_row + 1, frozen_columns)?;
    w.sheet.autofilter(header_row, 0, last_row.max(header_row), (columns - 1) as ColNum)?;
    page.apply(&mut w.sheet, Some(header_row), paper)
}

// ---------------------------------------------------------------------------
// Sheet names
// ---------------------------------------------------------------------------

/// A legal, unique sheet name per group, in group order: at most 31
/// characters, none of `[]:*?/\`, not starting or ending with `'`, and not
/// clashing (ignoring case) with the fixed sheets or each other.
pub(crate) fn group_sheet_names(progress: &Progress) -> Vec<String> {
    let groups: Vec<(&str, &str)> = progress.groups.iter().map(|g| (g.name.as_str(), g.id.as_str())).collect();
    unique_sheet_names(&groups, &[SUMMARY_SHEET, EXCEPTIONS_SHEET, MISSING_SHEET, PROBLEMS_SHEET, HISTORY_SHEET])
}

/// A legal sheet name for each (name, id), unique ignoring case and not
/// one of `reserved`: the name made legal, else the id, else "Group",
/// with " (2)" and on where two clash.
fn unique_sheet_names(groups: &[(&str, &str)], reserved: &[&str]) -> Vec<String> {
    let mut taken: Vec<String> = reserved.iter().map(|s| s.to_lowercase()).collect();
    let mut names = Vec::new();
    for (group_name, group_id) in groups {
        let mut base = legal_sheet_name(group_name);
        if base.is_empty() {
            base = legal_sheet_name(group_id);
        }
        if base.is_empty() {
            base = "Group".to_string();
        }
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            name = format!("{}{suffix}", truncate_utf16(&base, 31 - suffix.len()).trim_end());
            n += 1;
        }
        taken.push(name.to_lowercase());
        names.push(name);
    }
    names
}

fn legal_sheet_name(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let collapsed = replaced.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate_utf16(collapsed.trim_matches('\''), 31).trim().trim_matches('\'').to_string()
}

fn truncate_utf16(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (index, c) in text.char_indices() {
        if used + c.len_utf16() > max {
            return &text[..index];
        }
        used += c.len_utf16();
    }
    text
}

// ---------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------

/// Summary columns: names, then one per status, total, % on track, overdue.
/// The Summary's status matrices: a name column, one column per status
/// (driven by [`Status::ALL`], so a new status gets its own column), then
/// these totals.
const MATRIX_TOTALS: [(&str, f64); 3] = [("Total actions", 9.0), ("% on track or complete", 13.0), ("Overdue", 10.0)];
/// The first column after the status columns.
const MATRIX_TOTALS_COL: ColNum = 1 + Status::COUNT as ColNum;

/// The Summary's column widths: the name, the statuses, the totals.
fn summary_widths() -> Vec<f64> {
    let mut widths = vec![40.0];
    widths.extend([11.0; Status::COUNT]);
    widths.extend(MATRIX_TOTALS.iter().map(|(_, w)| *w));
    widths
}

fn summary_sheet(progress: &Progress, page: &PageSetup, diagnostics: &mut Vec<Diagnostic>) -> Result<Worksheet, XlsxError> {
    let widths = summary_widths();
    let mut w = SheetWriter::new(SUMMARY_SHEET, &widths, diagnostics)?;
    w.sheet.set_screen_gridlines(false);
    let last_col = (widths.len() - 1) as ColNum;
    let partnership = &progress.partnership;

    w.text_span(0, 0, last_col, &partnership.name, &title(), None)?;
    w.sheet.set_row_height(0, 24)?;
    let subtitle = format!("Progress on the {} {}", partnership.plan_title, partnership.plan_year);
    w.text_span(1, 0, last_col, &subtitle, &heading(), None)?;

    let mut row: RowNum = 3;
    let value = base().set_text_wrap();
    let facts: [(&str, String); 3] = [
        ("Period", progress.period.long_name()),
        (
            "Trend compared with",
            match (&progress.previous_period, &progress.history_source) {
                (Some(previous), Some(source)) => format!("{} (from {source})", previous.long_name()),
                (Some(previous), None) => previous.long_name(),
                (None, _) => "no earlier period on record: no trend is shown".to_string(),
            },
        ),
        ("Plan version", progress.plan_hash.clone()),
    ];
    w.text(row, 0, "Produced", &label(), None)?;
    let long_date = base().set_num_format("d mmmm yyyy").set_align(FormatAlign::Left);
    w.sheet.merge_range(row, 1, row, 3, "", &long_date)?;
    w.sheet.write_datetime_with_format(row, 1, excel_date(progress.produced)?, &long_date)?;
    row += 1;
    for (name, text) in facts {
        w.text(row, 0, name, &label(), None)?;
        w.text_span(row, 1, last_col, &text, &value, None)?;
        row += 1;
    }

    row += 1;
    w.text(row, 0, "Headlines", &heading(), None)?;
    row += 1;
    let totals = &progress.totals;
    let headline_number = base().set_bold().set_align(FormatAlign::Left);
    let headlines: [(&str, f64, &str); 5] = [
        ("Actions in the plan", totals.actions as f64, "0"),
        ("On track or complete", f64::from(totals.on_track_or_complete_percent) / 100.0, "0%"),
        ("Overdue", totals.overdue as f64, "0"),
        ("Actions that need attention", progress.exception_counts.actions as f64, "0"),
        ("Lead agencies with no return", progress.exception_counts.agencies as f64, "0"),
    ];
    for (name, number, num_format) in headlines {
        w.text(row, 0, name, &label(), None)?;
        w.number(row, 1, number, &headline_number.clone().set_num_format(num_format))?;
        row += 1;
    }
    let counts = &progress.diagnostic_counts;
    w.text(row, 0, "Problems in the returns", &label(), None)?;
    let problems = format!(
        "{}, {}, {} ({} read: {} accepted, {} rejected, {} notes below a table): see the {PROBLEMS_SHEET} sheet",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.notes, "note"),
        plural(counts.rows_read, "row"),
        counts.rows_accepted,
        counts.rows_rejected,
        counts.rows_notes
    );
    w.text_span(row, 1, last_col, &problems, &value, None)?;
    row += 2;

    w.text(row, 0, "Actions by action group", &heading(), None)?;
    row += 1;
    let group_header_row = row;
    matrix_header(&mut w, row, "Action group")?;
    row += 1;
    let groups_first = row;
    for group in &progress.groups {
        matrix_row(&mut w, row, &group.name, &group.counts, false)?;
        row += 1;
    }
    let groups_last = row.saturating_sub(1).max(groups_first);
    matrix_row(&mut w, row, "All actions", &progress.totals, true)?;
    row += 1;

    // Printed as three pages: the figures; the chart and the priorities; the
    // key and the agencies.
    let mut page_breaks = vec![row];
    if !progress.groups.is_empty() {
        let height = 110 + 38 * progress.groups.len() as u32;
        let chart = status_chart(group_header_row, groups_first, groups_last, height);
        w.sheet.insert_chart(row, 0, &chart)?;
        row += height.div_ceil(20) + 1;
    }

    w.text(row, 0, "Actions by strategic priority", &heading(), None)?;
    row += 1;
    matrix_header(&mut w, row, "Strategic priority")?;
    row += 1;
    for priority in &progress.priorities {
        matrix_row(&mut w, row, &priority.name, &priority.counts, false)?;
        row += 1;
    }
    let note = "A group reporting under two priorities counts under both, so these rows can add up to more than the plan's actions.";
    w.text_span(row, 0, last_col, note, &base().set_italic().set_text_wrap(), None)?;
    row += 2;

    page_breaks.push(row);
    w.text(row, 0, "Status key", &heading(), None)?;
    row += 1;
    for status in Status::ALL {
        w.text(row, 0, status.label(), &status_cell(status), None)?;
        let meaning = format!("{}: {}", status.label(), status.meaning());
        w.text_span(row, 1, last_col, &meaning, &cell(), None)?;
        row += 1;
    }
    row += 1;

    w.text(row, 0, "Returns by agency", &heading(), None)?;
    row += 1;
    let header = header();
    w.text(row, 0, "Lead agency", &header, None)?;
    w.text(row, 1, "Return", &header, None)?;
    w.text_span(row, 2, 3, "Actions it leads", &header, None)?;
    w.text_span(row, 4, 5, "Reported on", &header, None)?;
    w.text_span(row, 6, 7, "Not reported on", &header, None)?;
    w.text_span(row, 8, 9, "Return file", &header, None)?;
    row += 1;
    for agency in &progress.agencies {
        agency_row(&mut w, row, agency)?;
        row += 1;
    }
    if progress.agencies.is_empty() {
        w.text_span(row, 0, last_col, "The plan names no lead agencies.", &cell(), None)?;
    }

    page.apply(&mut w.sheet, None, Paper::A4)?;
    w.sheet.set_page_breaks(&page_breaks)?;
    w.finish()
}

/// "1 error", "2 errors".
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn matrix_header(w: &mut SheetWriter, row: RowNum, first: &str) -> Result<(), XlsxError> {
    w.text(row, 0, first, &header(), None)?;
    // The status columns carry their colour in the header too; the word says it.
    for (index, status) in Status::ALL.into_iter().enumerate() {
        w.text(row, 1 + index as ColNum, status.label(), &status_cell(status).set_align(FormatAlign::Center), None)?;
    }
    for (index, (text, _)) in MATRIX_TOTALS.iter().enumerate() {
        w.text(row, MATRIX_TOTALS_COL + index as ColNum, text, &header(), None)?;
    }
    Ok(())
}

fn matrix_row(w: &mut SheetWriter, row: RowNum, name: &str, counts: &Counts, total: bool) -> Result<(), XlsxError> {
    let (name_format, number) = if total {
        (label().set_text_wrap().set_border(FormatBorder::Thin).set_border_color("A6A6A6").set_background_color("F2F2F2"), total_cell())
    } else {
        (cell(), number_cell())
    };
    w.text(row, 0, name, &name_format, None)?;
    for (index, status) in Status::ALL.into_iter().enumerate() {
        w.number(row, 1 + index as ColNum, counts.of(status) as f64, &number)?;
    }
    w.number(row, MATRIX_TOTALS_COL, counts.actions as f64, &total_cell())?;
    w.number(row, MATRIX_TOTALS_COL + 1, f64::from(counts.on_track_or_complete_percent) / 100.0, &number.clone().set_num_format("0%"))?;
    w.number(row, MATRIX_TOTALS_COL + 2, counts.overdue as f64, &number)?;
    Ok(())
}

/// A stacked bar per group, one series per status in the status colours,
/// groups top to bottom in plan order.
fn status_chart(header_row: RowNum, first: RowNum, last: RowNum, height: u32) -> Chart {
    let mut chart = Chart::new(ChartType::BarStacked);
    for (index, status) in Status::ALL.into_iter().enumerate() {
        let col = 1 + index as ColNum;
        chart
            .add_series()
            .set_name((SUMMARY_SHEET, header_row, col))
            .set_categories((SUMMARY_SHEET, first, 0, last, 0))
            .set_values((SUMMARY_SHEET, first, col, last, col))
            .set_gap(60)
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(status.colour()))
                    .set_border(ChartLine::new().set_color("404040").set_width(0.75)),
            );
    }
    chart.title().set_name("Actions by status in each action group");
    // In a bar chart the y axis holds the categories: reversed so the groups
    // read top to bottom in plan order, with the value axis kept at the foot.
    chart.y_axis().set_reverse().set_crossing(ChartAxisCrossing::Max);
    chart.x_axis().set_name("Number of actions").set_min(0).set_major_unit(1);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    // As wide as the tables above it.
    let width: f64 = summary_widths().iter().map(|w| w * 7.0 + 5.0).sum();
    chart.set_width(width as u32).set_height(height);
    chart.set_alt_text("Stacked bar chart: for each action group, the number of actions by overall status.");
    chart
}

/// One agency's return: its name with the notes it wrote below its table
/// (as the board report shows them), its return state, and its actions.
fn agency_row(w: &mut SheetWriter, row: RowNum, agency: &AgencyProgress) -> Result<(), XlsxError> {
    let name = std::iter::once(agency.name.clone()).chain(agency.notes.iter().map(|n| format!("Note: {}", n.text))).collect::<Vec<_>>();
    w.text(row, 0, &name.join("\n"), &cell(), None)?;
    w.text(row, 1, agency.state.label(), &cell().set_bold().set_background_color(agency.state.colour()), None)?;
    w.text_span(row, 2, 3, &agency.actions_led.join(", "), &cell(), None)?;
    w.text_span(row, 4, 5, &agency.actions_returned.join(", "), &cell(), None)?;
    w.text_span(row, 6, 7, &agency.actions_missing.join(", "), &cell(), None)?;
    w.text_span(row, 8, 9, &agency.files.join("\n"), &cell(), None)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Group sheets
// ---------------------------------------------------------------------------

/// A group sheet's columns: these, then one per lead detail
/// ([`LeadDetail::ALL`]), then [`GROUP_COLUMNS_AFTER`].
const GROUP_COLUMNS_BEFORE: [(&str, f64); 9] = [
    ("ID", 6.5),
    ("Action", 34.0),
    ("Timescale", 13.0),
    ("Due date", 11.5),
    ("NEW", 5.5),
    ("Lead", 22.0),
    ("Status", 10.0),
    ("% complete", 10.5),
    ("Progress update", 42.0),
];
const GROUP_COLUMNS_AFTER: [(&str, f64); 5] =
    [("Overall status", 10.0), ("Overdue", 8.5), (vocabulary::TREND, 14.0), ("Notes", 20.0), ("Source", 24.0)];
/// The first column after the lead details.
const AFTER_DETAILS: ColNum = (GROUP_COLUMNS_BEFORE.len() + LeadDetail::ALL.len()) as ColNum;

/// A group sheet's columns, with their widths.
fn group_columns() -> Vec<(&'static str, f64)> {
    let detail_width = |d: LeadDetail| if d == LeadDetail::RevisedDate { 11.5 } else { 28.0 };
    let details = LeadDetail::ALL.into_iter().map(|d| (d.label(), detail_width(d)));
    GROUP_COLUMNS_BEFORE.into_iter().chain(details).chain(GROUP_COLUMNS_AFTER).collect()
}

fn group_sheet(
    progress: &Progress,
    sentences: &Sentences,
    group: &crate::progress::GroupProgress,
    name: &str,
    page: &PageSetup,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Worksheet, XlsxError> {
    let columns = group_columns();
    let widths: Vec<f64> = columns.iter().map(|(_, w)| *w).collect();
    let mut w = SheetWriter::new(name, &widths, diagnostics)?;
    let last_col = (columns.len() - 1) as ColNum;

    w.text_span(0, 0, 8, &group.name, &title(), None)?;
    w.sheet.set_row_height(0, 24)?;
    let mut about = progress.period.long_name();
    if !group.tags.is_empty() {
        about.push_str(&format!(". Priorities: {}", group.tags.join(", ")));
    }
    w.text_span(1, 0, 8, &about, &base().set_text_wrap(), None)?;
    // A key beside the table: the colours only repeat the words in the cells.
    w.text(1, 9, "Status key:", &base().set_italic().set_align(FormatAlign::Right), None)?;
    for (index, status) in Status::ALL.into_iter().enumerate() {
        w.text(1, 10 + index as ColNum, status.label(), &status_cell(status).set_align(FormatAlign::Center), None)?;
    }

    let header_row: RowNum = 3;
    let headers: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
    table_header(&mut w, header_row, &headers)?;
    let mut row = header_row + 1;
    for action in &group.actions {
        let rows = action.leads.iter().map(|l| (l, false)).chain(action.contributions.iter().map(|l| (l, true)));
        for (index, (lead, contribution)) in rows.enumerate() {
            let state_sentence = if contribution { None } else { sentences.lead_state(&action.id, &lead.agency_name) };
            action_row(&mut w, row, action, lead, state_sentence, contribution, index > 0)?;
            row += 1;
        }
        if action.leads.is_empty() && action.contributions.is_empty() {
            // An action nobody leads still appears, with its overall status.
            let none = LeadUpdate {
                agency_id: String::new(),
                agency_name: "(no lead named)".to_string(),
                state: UpdateState::NoReturn,
                percent_complete: None,
                update: String::new(),
                next_steps: String::new(),
                issues_risks: String::new(),
                revised_date: None,
                notes: Vec::new(),
                stale: false,
                source: None,
            };
            action_row(&mut w, row, action, &none, None, false, false)?;
            row += 1;
        }
    }
    if group.actions.is_empty() {
        w.text_span(row, 0, last_col, "This group has no actions in the plan.", &cell(), None)?;
        row += 1;
    }
    filtered_table(&mut w, header_row, row - 1, columns.len(), 2, page, Paper::A3)?;
    w.finish()
}

fn action_row(
    w: &mut SheetWriter,
    row: RowNum,
    action: &ActionProgress,
    lead: &LeadUpdate,
    state_sentence: Option<&str>,
    contribution: bool,
    repeat: bool,
) -> Result<(), XlsxError> {
    let plain = cell();
    let action_format = if repeat { repeat_cell() } else { plain.clone() };
    let source = lead.source.as_ref();
    w.text(row, 0, &action.id, &action_format.clone().set_bold(), None)?;
    w.text(row, 1, &action.text, &action_format, None)?;
    w.text(row, 2, &action.timescale, &action_format, None)?;
    w.date(row, 3, action.due_date, &date_cell())?;
    if action.new {
        w.text(row, 4, "NEW", &plain.clone().set_bold(), None)?;
    } else {
        w.blank(row, 4, &plain)?;
    }
    let lead_name = if contribution { format!("{}\n(contribution: not a lead)", lead.agency_name) } else { lead.agency_name.clone() };
    w.text(row, 5, &lead_name, &plain, None)?;
    w.text(row, 6, lead.state.label(), &status_cell(lead.status()), None)?;
    match lead.percent_complete {
        Some(percent) => w.number(row, 7, f64::from(percent) / 100.0, &percent_cell())?,
        None => w.blank(row, 7, &plain)?,
    }
    w.text(row, 8, &lead.update, &plain, source)?;
    for (index, detail) in LeadDetail::ALL.into_iter().enumerate() {
        let col = GROUP_COLUMNS_BEFORE.len() as ColNum + index as ColNum;
        match detail.value(lead) {
            Some(DetailValue::Text(text)) => w.text(row, col, &text, &plain, source)?,
            Some(DetailValue::Date(date)) => w.date(row, col, Some(date), &date_cell())?,
            None => w.blank(row, col, &plain)?,
        }
    }
    let after = AFTER_DETAILS;
    w.text(row, after, action.overall.label(), &status_cell(action.overall), None)?;
    if action.overdue {
        w.text(row, after + 1, "Yes", &plain.clone().set_bold().set_background_color(OVERDUE_COLOUR), None)?;
    } else {
        w.text(row, after + 1, "No", &plain, None)?;
    }
    w.text(row, after + 2, &vocabulary::trend_words(action.trend), &plain, None)?;
    w.text(row, after + 3, &notes(action, lead, state_sentence), &plain, source)?;
    let source_text = lead.source.as_ref().map(Place::to_string).unwrap_or_default();
    w.text(row, after + 4, &source_text, &plain, None)?;
    Ok(())
}

/// Why a lead has no usable update, then the flags merge set on this row,
/// in words, then the agency's own extra columns.
fn notes(action: &ActionProgress, lead: &LeadUpdate, state_sentence: Option<&str>) -> String {
    let mut notes = Vec::new();
    match (&lead.state, state_sentence) {
        (UpdateState::Reported(_), _) => {}
        (_, Some(sentence)) => notes.push(sentence.to_string()),
        (_, None) => notes.push(vocabulary::NO_RETURN_THIS_QUARTER.to_string()),
    }
    if lead.stale {
        notes.push(vocabulary::STALE.to_string());
    }
    if action.conflict {
        notes.push(ExceptionKind::Conflict.label().to_string());
    }
    if action.not_started_late {
        notes.push(ExceptionKind::NotStartedLate.label().to_string());
    }
    if let Some(date) = action.slipped_to {
        notes.push(format!("{} {}", vocabulary::REVISED_TO, crate::templates::uk_date(date)));
    }
    for (header, value) in &lead.notes {
        notes.push(format!("{header}: {value}"));
    }
    notes.join("\n")
}

// ---------------------------------------------------------------------------
// Exceptions
// ---------------------------------------------------------------------------

const EXCEPTION_COLUMNS: [(&str, f64); 8] = [
    ("Why", 15.0),
    ("Action ID", 8.0),
    ("Action (or agency)", 36.0),
    ("Group", 16.0),
    ("Leads", 18.0),
    ("Reasons", 40.0),
    ("The leads' words", 52.0),
    ("Source", 28.0),
];

fn exceptions_sheet(
    progress: &Progress,
    sentences: &Sentences,
    page: &PageSetup,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Worksheet, XlsxError> {
    let widths: Vec<f64> = EXCEPTION_COLUMNS.iter().map(|(_, w)| *w).collect();
    let mut w = SheetWriter::new(EXCEPTIONS_SHEET, &widths, diagnostics)?;
    w.sheet.set_tab_color(Status::Red.colour());
    let last_col = (EXCEPTION_COLUMNS.len() - 1) as ColNum;
    w.text_span(0, 0, last_col, &format!("Exceptions: what the board should look at, {}", progress.period.long_name()), &title(), None)?;
    w.sheet.set_row_height(0, 24)?;
    w.text_span(1, 0, last_col, &sentences.exceptions_count, &base(), None)?;
    let header_row: RowNum = 3;
    let headers: Vec<&str> = EXCEPTION_COLUMNS.iter().map(|(h, _)| *h).collect();
    table_header(&mut w, header_row, &headers)?;
    let mut row = header_row + 1;
    for (exception, reasons) in progress.exceptions.iter().zip(&sentences.reasons) {
        exception_row(&mut w, row, exception, reasons)?;
        row += 1;
    }
    if progress.exceptions.is_empty() {
        w.text_span(row, 0, last_col, &sentences.exceptions_count, &cell(), None)?;
        row += 1;
    }
    filtered_table(&mut w, header_row, row - 1, EXCEPTION_COLUMNS.len(), 0, page, Paper::A4)?;
    w.finish()
}

/// The History sheet: one row per action and lead, with the lead's status
/// in each quarter of the year so far, then the action's overall status in
/// each, as words on their colours ("No data" and "Not in the plan" in
/// italics), decided in merge (`ActionProgress::history`).
fn history_sheet(progress: &Progress, page: &PageSetup, diagnostics: &mut Vec<Diagnostic>) -> Result<Worksheet, XlsxError> {
    let quarters: Vec<String> = progress.year.iter().map(|q| q.period.to_string()).collect();
    let overall: Vec<String> = quarters.iter().map(|q| format!("Overall {q}")).collect();
    let mut headers = vec!["Group", "ID", "Action", "Lead"];
    headers.extend(quarters.iter().map(String::as_str));
    headers.extend(overall.iter().map(String::as_str));
    let mut widths = vec![20.0, 7.0, 45.0, 28.0];
    widths.extend(std::iter::repeat_n(12.0, quarters.len() * 2));
    let mut w = SheetWriter::new(HISTORY_SHEET, &widths, diagnostics)?;
    table_header(&mut w, 0, &headers)?;
    let state_format = |state: crate::progress::QuarterState| match state.status() {
        Some(s) => status_cell(s),
        None => cell().set_italic(),
    };
    let first_quarter = 4 as ColNum;
    let first_overall = first_quarter + quarters.len() as ColNum;
    let mut row: RowNum = 1;
    for action in progress.groups.iter().flat_map(|g| g.actions.iter()) {
        for lead in &action.history.leads {
            w.text(row, 0, &action.group_name, &cell(), None)?;
            w.text(row, 1, &action.id, &cell().set_bold(), None)?;
            w.text(row, 2, &action.text, &cell(), None)?;
            w.text(row, 3, &lead.agency_name, &cell(), None)?;
            for (q, state) in lead.states.iter().enumerate() {
                w.text(row, first_quarter + q as ColNum, state.label(), &state_format(*state), None)?;
            }
            for (q, state) in action.history.overall.iter().enumerate() {
                w.text(row, first_overall + q as ColNum, state.label(), &state_format(*state), None)?;
            }
            row += 1;
        }
    }
    filtered_table(&mut w, 0, row - 1, headers.len(), 2, page, Paper::A4)?;
    w.finish()
}

fn exception_row(w: &mut SheetWriter, row: RowNum, exception: &Exception, reasons: &[String]) -> Result<(), XlsxError> {
    let plain = cell();
    let kind_format = match exception.kind() {
        ExceptionKind::Red => status_cell(Status::Red),
        ExceptionKind::Overdue | ExceptionKind::NotStartedLate => cell().set_bold().set_background_color(OVERDUE_COLOUR),
        ExceptionKind::Worsened | ExceptionKind::Conflict | ExceptionKind::Persistent => status_cell(Status::Amber),
        ExceptionKind::Rejected | ExceptionKind::NotReported | ExceptionKind::MissingReturn => cell().set_bold(),
    };
    let first_source = exception.sources.first();
    let kinds: Vec<&str> = exception.reasons.iter().map(|r| r.kind().label()).collect();
    w.text(row, 0, &kinds.join("\n"), &kind_format, None)?;
    let (subject, group) = match &exception.subject {
        Subject::Action { text, group_name, .. } => (text.as_str(), group_name.as_str()),
        Subject::Agency { name, .. } => (name.as_str(), ""),
    };
    w.text(row, 1, exception.action_id().unwrap_or(""), &plain.clone().set_bold(), None)?;
    w.text(row, 2, subject, &plain, None)?;
    w.text(row, 3, group, &plain, None)?;
    w.text(row, 4, &exception.leads.join("\n"), &plain, None)?;
    w.text(row, 5, &reasons.join("\n"), &plain, None)?;
    let words = exception
        .words
        .iter()
        .flat_map(|w| {
            let update = (!w.update.is_empty()).then(|| format!("{}: {}", w.lead, w.update));
            let risks = (!w.issues_risks.is_empty()).then(|| format!("{} (issues and risks): {}", w.lead, w.issues_risks));
            update.into_iter().chain(risks)
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    w.text(row, 6, &words, &plain, first_source)?;
    let sources = exception.sources.iter().map(Place::to_string).collect::<Vec<_>>().join("\n");
    w.text(row, 7, &sources, &plain, None)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Missing returns
// ---------------------------------------------------------------------------

const MISSING_COLUMNS: [(&str, f64); 6] = [
    ("Lead agency", 36.0),
    ("This period", 20.0),
    ("Actions it leads", 24.0),
    ("Actions not reported on", 24.0),
    ("Rows that could not be read", 40.0),
    ("Last return received", 24.0),
];

fn missing_returns_sheet(progress: &Progress, page: &PageSetup, diagnostics: &mut Vec<Diagnostic>) -> Result<Worksheet, XlsxError> {
    let widths: Vec<f64> = MISSING_COLUMNS.iter().map(|(_, w)| *w).collect();
    let mut w = SheetWriter::new(MISSING_SHEET, &widths, diagnostics)?;
    let last_col = (MISSING_COLUMNS.len() - 1) as ColNum;
    w.text_span(0, 0, last_col, &format!("Missing returns, {}", progress.period.long_name()), &title(), None)?;
    w.sheet.set_row_height(0, 24)?;
    w.text_span(
        1,
        0,
        last_col,
        "Lead agencies due a reminder: no return, a return without every action they lead, or rows that could not be read.",
        &base(),
        None,
    )?;
    let header_row: RowNum = 3;
    let headers: Vec<&str> = MISSING_COLUMNS.iter().map(|(h, _)| *h).collect();
    table_header(&mut w, header_row, &headers)?;
    let mut row = header_row + 1;
    for agency in progress.agencies.iter().filter(|a| a.reminder_due) {
        let last = agency.last_return.map(Period::long_name).unwrap_or_else(|| "none on record".to_string());
        let rejected: Vec<String> = agency
            .actions_rejected
            .iter()
            .map(|r| {
                let id = r.action_id.as_deref().map(|id| format!("{id}: ")).unwrap_or_default();
                format!("{id}{} ({})", r.rejection.problem, r.rejection.place)
            })
            .collect();
        w.text(row, 0, &agency.name, &cell(), None)?;
        w.text(row, 1, agency.state.label(), &cell().set_bold().set_background_color(agency.state.colour()), None)?;
        w.text(row, 2, &agency.actions_led.join(", "), &cell(), None)?;
        w.text(row, 3, &agency.actions_missing.join(", "), &cell(), None)?;
        w.text(row, 4, &rejected.join("\n"), &cell(), None)?;
        w.text(row, 5, &last, &cell(), None)?;
        row += 1;
    }
    if row == header_row + 1 {
        w.text_span(row, 0, last_col, "Every lead agency returned, with a usable row on every action it leads.", &cell(), None)?;
        row += 1;
    }
    filtered_table(&mut w, header_row, row - 1, MISSING_COLUMNS.len(), 0, page, Paper::A4)?;
    w.finish()
}

// ---------------------------------------------------------------------------
// Data problems
// ---------------------------------------------------------------------------

const PROBLEM_COLUMNS: [(&str, f64); 7] =
    [("File", 28.0), ("Sheet", 12.0), ("Cell", 20.0), ("Severity", 9.5), ("Code", 18.0), ("Message", 60.0), ("Hint", 36.0)];

fn data_problems_sheet(progress: &Progress, page: &PageSetup, diagnostics: &mut Vec<Diagnostic>) -> Result<Worksheet, XlsxError> {
    // The cells cut while laying out the sheets before this one are listed too.
    let cut: Vec<Diagnostic> = diagnostics.clone();
    let widths: Vec<f64> = PROBLEM_COLUMNS.iter().map(|(_, w)| *w).collect();
    let mut w = SheetWriter::new(PROBLEMS_SHEET, &widths, diagnostics)?;
    let last_col = (PROBLEM_COLUMNS.len() - 1) as ColNum;
    w.text_span(0, 0, last_col, &format!("Problems found in the returns, {}", progress.period.long_name()), &title(), None)?;
    w.sheet.set_row_height(0, 24)?;
    w.text_span(
        1,
        0,
        last_col,
        "Filter by file or severity to see what to ask each agency about. Errors were rejected; warnings were accepted with a doubt.",
        &base(),
        None,
    )?;
    let header_row: RowNum = 3;
    let headers: Vec<&str> = PROBLEM_COLUMNS.iter().map(|(h, _)| *h).collect();
    table_header(&mut w, header_row, &headers)?;
    let mut row = header_row + 1;
    let all = progress.diagnostics.len() + cut.len();
    for (index, diagnostic) in progress.diagnostics.iter().chain(cut.iter()).enumerate() {
        if row >= MAX_PROBLEM_ROW {
            let rest = format!("… and {} more problems not shown here: the sheet is full; see validation.csv", all - index);
            w.text_span(row, 0, last_col, &rest, &cell().set_bold(), None)?;
            row += 1;
            break;
        }
        let plain = cell();
        let place = &diagnostic.place;
        w.text(row, 0, &place.file, &plain, None)?;
        w.text(row, 1, place.sheet.as_deref().unwrap_or(""), &plain, None)?;
        w.text(row, 2, place.cell_text().as_deref().unwrap_or(""), &plain, None)?;
        w.text(row, 3, diagnostic.severity.as_str(), &severity_cell(diagnostic.severity), None)?;
        w.text(row, 4, diagnostic.code, &plain, None)?;
        w.text(row, 5, &diagnostic.message, &plain, Some(place))?;
        w.text(row, 6, diagnostic.hint.as_deref().unwrap_or(""), &plain, Some(place))?;
        row += 1;
    }
    if row == header_row + 1 {
        w.text_span(row, 0, last_col, "No problems found.", &cell(), None)?;
        row += 1;
    }
    filtered_table(&mut w, header_row, row - 1, PROBLEM_COLUMNS.len(), 0, page, Paper::A4)?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        for (input, expected) in [
            ("City Safe", "City Safe"),
            ("Drugs: harm/reduction [task]", "Drugs- harm-reduction -task-"),
            ("'Quoted'", "Quoted"),
            ("A very long action group name that goes on and on", "A very long action group name t"),
        ] {
            assert_eq!(legal_sheet_name(input), expected);
        }
    }

    #[test]
    fn header_text_doubles_ampersands() {
        assert_eq!(header_text("Safe & Sound", 50), "Safe && Sound");
        assert_eq!(header_text("abcdef", 4).chars().count(), 4);
    }
}
