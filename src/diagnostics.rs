//! Diagnostics: every problem any stage finds in the inputs, with the place it
//! was found, a stable code, a severity and a message a submitter can act on.
//! Stages collect them in a [`Diagnostics`] list and carry on; nothing here
//! stops a run. How a diagnostic prints (`file › sheet › cell: message`) is
//! owned here too, so every output shows places the same way.

use std::fmt;

/// How bad a problem is. Errors make `validate` exit 1; warnings are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, nothing was rejected.
    Note,
    /// Something was accepted with a doubt, or a value was ignored.
    Warning,
    /// A row, a value or a file was rejected.
    Error,
}

impl Severity {
    /// The lower-case word used in CSV and workbook output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a problem was found. All parts but `file` are optional: a problem
/// with a whole file has no sheet or cell.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    /// The file as the user named it (relative to where they pointed the tool).
    pub file: String,
    /// Sheet name for spreadsheets.
    pub sheet: Option<String>,
    /// The cell of a spreadsheet, or the line of a text file.
    pub cell: Option<Spot>,
}

/// A spot inside a file, typed so places sort by row and column (`C9`
/// before `C10`) without reading their text back.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Spot {
    /// A spreadsheet cell: 0-based row and column, shown A1-style (`C7`).
    Cell { row: u32, col: u32 },
    /// A 1-based line of a text file, with the CSV column's name when known
    /// (`line 3, column Status`).
    Line { line: usize, column: Option<String> },
}

impl fmt::Display for Spot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spot::Cell { row, col } => f.write_str(&a1(*row, *col)),
            Spot::Line { line, column: Some(name) } => write!(f, "line {line}, column {name}"),
            Spot::Line { line, column: None } => write!(f, "line {line}"),
        }
    }
}

impl Place {
    /// A whole file.
    pub fn file(file: impl Into<String>) -> Self {
        Place { file: file.into(), sheet: None, cell: None }
    }

    /// One cell of one sheet; `row` and `col` are 0-based absolute positions.
    pub fn cell(file: impl Into<String>, sheet: impl Into<String>, row: u32, col: u32) -> Self {
        Place { file: file.into(), sheet: Some(sheet.into()), cell: Some(Spot::Cell { row, col }) }
    }

    /// A line of a text file (1-based), optionally naming a CSV column.
    pub fn line(file: impl Into<String>, line: usize, column: Option<&str>) -> Self {
        Place { file: file.into(), sheet: None, cell: Some(Spot::Line { line, column: column.map(str::to_string) }) }
    }

    /// The cell or line as readers see it (`C7`, `line 3, column Status`).
    pub fn cell_text(&self) -> Option<String> {
        self.cell.as_ref().map(Spot::to_string)
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, " › {sheet}")?;
        }
        if let Some(cell) = &self.cell {
            write!(f, " › {cell}")?;
        }
        Ok(())
    }
}

/// Spreadsheet column letters for a 0-based column index (0 → `A`, 26 → `AA`).
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// A1 reference for 0-based row and column (`a1(6, 2)` is `C7`).
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row as u64 + 1)
}

/// Every diagnostic code, by family, in the order README.md's "Problem
/// codes" table lists them (a test keeps the two the same). Codes are
/// stable: `validation.csv` and the workbook carry them, and coordinators
/// filter on them. A diagnostic made with a code missing here fails in
/// debug builds (the tests), so a new code cannot ship undocumented.
pub const CODES: &[(&str, &[&str])] = &[
    (
        "file",
        &[
            "file-unreadable",
            "file-mismatch",
            "file-encrypted",
            "file-empty",
            "file-too-large",
            "file-refused",
            "file-skipped",
            "file-not-a-return",
            "file-ignored",
            "sheet-unreadable",
            "extra-sheet",
            "other-sheet",
            "no-sheet-for-period",
        ],
    ),
    ("run", &["reader-not-isolated", "reader-not-limited"]),
    ("identity", &["agency-unknown", "agency-mismatch", "period-unknown", "other-period", "plan-version"]),
    ("header", &["no-header", "missing-column"]),
    (
        "row and cell",
        &[
            "missing-action-id",
            "unknown-action",
            "action-by-text",
            "action-id-number",
            "ambiguous-action-id",
            "missing-status",
            "unknown-status",
            "ambiguous-status",
            "status-decorated",
            "percent-decorated",
            "bad-percent",
            "percent-out-of-range",
            "bad-date",
            "missing-update",
        ],
    ),
    ("merge", &["duplicate-return", "duplicate-row", "not-lead", "not-in-plan", "stale-update"]),
    ("history", &["history-missing", "history-damaged"]),
    (
        "rendering",
        &[
            "cell-truncated",
            "glyph-missing",
            "glossary-term-missing",
            "template-invalid",
            "template-failed",
            "template-unknown",
            "template-unreadable",
        ],
    ),
    (
        "plan",
        &[
            "plan-syntax",
            "plan-duplicate-id",
            "plan-unknown-lead",
            "plan-unknown-tag",
            "plan-unknown-priority",
            "plan-bad-timescale",
            "plan-empty-action",
            "plan-no-leads",
            "plan-duplicate-lead",
            "plan-bad-action-id",
            "plan-unknown-group",
            "plan-bad-change",
            "plan-unknown-action",
            "plan-bad-email",
            "plan-no-actions",
            "plan-not-utf8",
        ],
    ),
];

/// The registered code equal to `code`, as the `'static` string diagnostics
/// carry; `None` for a code that is not in [`CODES`].
pub(crate) fn registered_code(code: &str) -> Option<&'static str> {
    CODES.iter().flat_map(|(_, codes)| codes.iter()).find(|c| **c == code).copied()
}

/// One problem found in the inputs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Where it was found.
    pub place: Place,
    pub severity: Severity,
    /// Stable kebab-case code, e.g. `unknown-status`. Listed in README.md.
    pub code: &'static str,
    /// What is wrong, in words the submitter understands.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, place: Place, message: impl Into<String>) -> Self {
        debug_assert!(registered_code(code).is_some(), "diagnostic code {code:?} is not in diagnostics::CODES (and README.md)");
        Diagnostic { place, severity, code, message: message.into(), hint: None }
    }

    pub fn error(code: &'static str, place: Place, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, place, message)
    }

    pub fn warning(code: &'static str, place: Place, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, place, message)
    }

    pub fn note(code: &'static str, place: Place, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Note, code, place, message)
    }

    /// Adds a hint ("did you mean Green?").
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} [{}]: {}", self.place, self.severity, self.code, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// The problems collected by a stage, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Sorted by file, then in the order found within a file: stable output
    /// whatever order files were read in.
    pub(crate) fn sorted_by_file(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort_by(|a, b| a.place.file.cmp(&b.place.file));
        items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics { items: iter.into_iter().collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_cover_the_boundaries() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16383), "XFD");
        assert_eq!(a1(6, 2), "C7");
    }

    /// README.md's "Problem codes" table lists exactly the registered
    /// codes, family by family, in the same order.
    #[test]
    fn the_readme_lists_every_code_and_no_other() {
        let readme = include_str!("../README.md");
        let start = readme.find("| family | codes |").expect("the README has the codes table");
        let table = &readme[start..readme[start..].find("\n\n").map_or(readme.len(), |end| start + end)];
        let mut listed: Vec<(String, Vec<String>)> = Vec::new();
        for line in table.lines().skip(2) {
            let cells: Vec<&str> = line.split('|').collect();
            let family = cells[1].trim().to_string();
            let mut codes = Vec::new();
            // A code is a backticked lower-case word with hyphens; file
            // extensions (`.docx`) and settings (`[limits]`) are not.
            for piece in cells[2].split('`').skip(1).step_by(2) {
                let is_code = piece.contains('-') && piece.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if is_code && !codes.contains(&piece.to_string()) {
                    codes.push(piece.to_string());
                }
            }
            listed.push((family, codes));
        }
        let registered: Vec<(String, Vec<String>)> =
            CODES.iter().map(|(family, codes)| (family.to_string(), codes.iter().map(|c| c.to_string()).collect())).collect();
        assert_eq!(listed, registered);
    }

    #[test]
    fn a_diagnostic_prints_its_place_first() {
        let mut spots =
            [Spot::Cell { row: 9, col: 2 }, Spot::Cell { row: 8, col: 2 }, Spot::Cell { row: 8, col: 1 }, Spot::Cell { row: 0, col: 26 }];
        spots.sort();
        assert_eq!(spots.map(|s| s.to_string()), ["AA1", "B9", "C9", "C10"], "rows, then columns, as numbers");
        let mut lines =
            [Place::line("a.csv", 10, Some("Status")), Place::line("a.csv", 9, None), Place::line("a.csv", 10, Some("Action ID"))];
        lines.sort();
        assert_eq!(lines.map(|p| p.cell_text().unwrap()), ["line 9", "line 10, column Action ID", "line 10, column Status"]);
        let d =
            Diagnostic::error("unknown-status", Place::cell("returns/police.xlsx", "Progress", 6, 2), "status \"Gren\" is not a status")
                .with_hint("did you mean Green?");
        assert_eq!(
            d.to_string(),
            "returns/police.xlsx › Progress › C7: error [unknown-status]: status \"Gren\" is not a status (did you mean Green?)"
        );
    }
}
