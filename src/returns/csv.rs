//! Reading a CSV return into a [`Grid`]: UTF-8 with or without a byte-order
//! mark (also UTF-16, as Excel's "Unicode text" saves it), comma, semicolon
//! (Excel in many European locales) or tab separated, detected from the
//! file. Every record remembers the line it starts on, counted from the
//! bytes themselves (the csv crate's own line numbers drift with CRLF line
//! endings), so messages say `returns/yot.csv › line 7, column Status`.

use super::guard::Failure;
use super::sheet::{Cell, Grid, Row};

/// Reads CSV bytes into a grid of text cells.
pub fn read_csv(bytes: &[u8]) -> Result<Grid, Failure> {
    let text = decode(bytes)?;
    // Excel honours a first line `sep=;` naming the delimiter.
    let (delimiter, body_start, first_line) = match declared_delimiter(&text) {
        Some((delimiter, skip)) => (delimiter, skip, 2),
        None => (detect_delimiter(&text), 0, 1),
    };
    let body = &text[body_start..];
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(body.as_bytes());
    let text = body;
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut counted_to = 0usize;
    let mut line = first_line;
    for (index, record) in reader.byte_records().enumerate() {
        let record = record.map_err(|e| {
            let at = e.position().map(|p| format!(" at line {}", first_line - 1 + line_at(text, p.byte() as usize))).unwrap_or_default();
            Failure::unreadable(format!("the CSV file cannot be read{at}: {e}"))
        })?;
        // The crate puts a record's position where the previous one ended:
        // before the `\n` of a CRLF and before skipped blank lines. The record
        // itself starts at the first byte that is not a line ending.
        let mut start = record.position().map(|p| p.byte() as usize).unwrap_or(counted_to).min(text.len());
        while start < text.len() && matches!(text.as_bytes()[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= counted_to {
            line += count_newlines(&text.as_bytes()[counted_to..start]);
            counted_to = start;
        }
        lines.push(line);
        let mut cells = Vec::new();
        for (col, field) in record.iter().enumerate() {
            // The text was checked as UTF-8 and fields split on ASCII bytes.
            let field = String::from_utf8_lossy(field);
            if !field.trim().is_empty() {
                cells.push((col as u32, Cell::Text(field.into_owned())));
            }
        }
        if !cells.is_empty() {
            rows.push(Row { index: index as u32, cells });
        }
    }
    Ok(Grid { name: String::new(), visible: true, rows, lines: Some(lines) })
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

fn line_at(text: &str, byte: usize) -> usize {
    1 + count_newlines(&text.as_bytes()[..byte.min(text.len())])
}

/// The file's text: UTF-8 (a BOM dropped) or UTF-16 with a BOM.
fn decode(bytes: &[u8]) -> Result<String, Failure> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    let utf16 = |big_endian: bool, rest: &[u8]| -> Result<String, Failure> {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|pair| if big_endian { u16::from_be_bytes([pair[0], pair[1]]) } else { u16::from_le_bytes([pair[0], pair[1]]) })
            .collect();
        String::from_utf16(&units).map_err(|_| Failure::unreadable("the CSV file says it is UTF-16 text but is not"))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(false, rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(true, rest);
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<String, Failure> {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => Ok(text.to_string()),
        Ok(_) => Err(Failure::unreadable("the file is named .csv but holds binary data, not text")),
        Err(e) => {
            let line = line_at(&String::from_utf8_lossy(&bytes[..e.valid_up_to()]), e.valid_up_to());
            Err(Failure {
                code: "file-unreadable",
                message: format!("the CSV file is not UTF-8 text (line {line} has a character in another encoding)"),
                hint: Some("in Excel choose File › Save As › \"CSV UTF-8 (Comma delimited)\"".into()),
            })
        }
    }
}

/// A first line `sep=X` (as Excel writes and reads): the delimiter and the
/// byte where the data starts.
fn declared_delimiter(text: &str) -> Option<(u8, usize)> {
    let first = text.lines().next()?;
    let rest = first.trim_end_matches('\r').strip_prefix("sep=")?;
    let delimiter = match rest.as_bytes() {
        [d] if d.is_ascii() => *d,
        _ => return None,
    };
    let skip = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    Some((delimiter, skip))
}

/// Comma, semicolon or tab: the one found most often outside quotes in the
/// first lines. Ties go to the comma.
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut in_quotes = false;
    let mut lines = 0;
    for b in text.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                lines += 1;
                if lines >= 50 {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(entry) = counts.iter_mut().find(|(d, _)| *d == b) {
                    entry.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts.iter().fold((b',', 0), |best, &(d, n)| if n > best.1 { (d, n) } else { best }).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(grid: &Grid, row: usize, col: u32) -> String {
        match grid.rows[row].get(col) {
            Cell::Text(t) => t.clone(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn reads_semicolons_with_a_bom() {
        let grid = read_csv("\u{feff}Action ID;Status;% complete\nDA1;Green;50%\n".as_bytes()).unwrap();
        assert_eq!(text_of(&grid, 0, 0), "Action ID");
        assert_eq!(text_of(&grid, 1, 2), "50%");
        assert_eq!(grid.lines, Some(vec![1, 2]));
    }

    #[test]
    fn line_numbers_hold_with_crlf_and_quoted_line_breaks() {
        let csv = "Title\r\n\r\nAction ID,Status,Progress update\r\nDA1,Green,\"two\r\nlines\"\r\nDA2,Red,x\r\n";
        let grid = read_csv(csv.as_bytes()).unwrap();
        let lines = grid.lines.clone().unwrap();
        let line_of = |text: &str| grid.rows.iter().find(|r| r.get(0) == &Cell::Text(text.into())).map(|r| lines[r.index as usize]);
        assert_eq!(line_of("Title"), Some(1));
        assert_eq!(line_of("Action ID"), Some(3));
        assert_eq!(line_of("DA1"), Some(4));
        assert_eq!(line_of("DA2"), Some(6));
        assert_eq!(text_of(&grid, 2, 2), "two\r\nlines");
    }

    #[test]
    fn honours_an_excel_sep_line() {
        let grid = read_csv(b"sep=;\r\nAction ID;Status\r\nDA1;Green, mostly\r\n").unwrap();
        assert_eq!(text_of(&grid, 1, 1), "Green, mostly");
        assert_eq!(grid.lines, Some(vec![2, 3]));
    }

    #[test]
    fn detects_the_delimiter() {
        assert_eq!(detect_delimiter("a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(detect_delimiter("a,b,c\n"), b',');
        assert_eq!(detect_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), b',');
        assert_eq!(detect_delimiter("abc\n"), b',');
    }

    #[test]
    fn refuses_other_encodings_with_a_hint() {
        let failure = read_csv(b"Action ID,Status\nDA1,Green\nDA2,Caf\xe9\n").unwrap_err();
        assert_eq!(failure.code, "file-unreadable");
        assert!(failure.message.contains("line 3"), "{}", failure.message);
        assert!(failure.hint.unwrap().contains("CSV UTF-8"));
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("ID\tStatus\n".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        assert_eq!(text_of(&read_csv(&utf16).unwrap(), 0, 1), "Status");
    }
}
