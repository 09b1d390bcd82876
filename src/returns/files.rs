//! Finding the return files: every file under the returns folder, at any
//! depth, in sorted order so runs are repeatable. Office lock files
//! (`~$police.xlsx`, `.~lock.police.ods#`) and hidden files are skipped with
//! a note. A document or an email (`.docx`, `.pdf`, `.msg`) is a warning:
//! it may be an agency's update sent in the wrong form, and nobody else will
//! notice it. Files of other kinds are ignored with a note.
//! Names in messages are relative to the returns folder's parent, with `/`
//! separators on every system (`returns/police.xlsx`).

use super::guard::Format;
use std::path::{Path, PathBuf};

/// What to do with a file found in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// A spreadsheet or CSV: read it.
    Read,
    /// An Office lock file or a hidden file: a note, not read.
    Skip(String),
    /// Not a spreadsheet type: a note, not read.
    Ignore(String),
    /// A document or an email (Word, PDF, Outlook): not read, but a warning,
    /// because an agency may have sent its update in it instead of the form.
    NotAReturn(String),
    /// The folder or file could not be listed or opened.
    Unlistable(String),
}

/// One file under the returns folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    pub path: PathBuf,
    /// Relative to the returns folder.
    pub relative: PathBuf,
    /// As shown in messages: `returns/police.xlsx`.
    pub display: String,
    pub disposition: Disposition,
}

/// Folders deeper than this are not entered (a guard against link loops).
const MAX_DEPTH: usize = 16;

/// Lists every file under `dir`, sorted by path.
pub fn list(dir: &Path) -> Vec<FoundFile> {
    let prefix = dir.file_name().map(|n| n.to_string_lossy().into_owned()).filter(|n| !n.is_empty() && n != "." && n != "..");
    let mut found = Vec::new();
    walk(dir, Path::new(""), 0, &mut found);
    found.sort_by(|a, b| a.relative.cmp(&b.relative));
    for file in &mut found {
        file.display = display_name(prefix.as_deref(), &file.relative);
    }
    found
}

/// `returns/sub/police.xlsx`, with `/` whatever the system.
fn display_name(prefix: Option<&str>, relative: &Path) -> String {
    let mut parts: Vec<String> = prefix.map(str::to_string).into_iter().collect();
    parts.extend(relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

fn walk(dir: &Path, relative: &Path, depth: usize, found: &mut Vec<FoundFile>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            found.push(FoundFile {
                path: dir.to_path_buf(),
                relative: relative.to_path_buf(),
                display: String::new(),
                disposition: Disposition::Unlistable(format!("the folder cannot be read ({e})")),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let rel = relative.join(&name);
        let is_dir = std::fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(false);
        if is_dir {
            if name.starts_with('.') {
                found.push(FoundFile {
                    path,
                    relative: rel,
                    display: String::new(),
                    disposition: Disposition::Skip("hidden folder, not read".into()),
                });
            } else if depth + 1 < MAX_DEPTH {
                walk(&path, &rel, depth + 1, found);
            }
            continue;
        }
        let disposition = classify(&name);
        found.push(FoundFile { path, relative: rel, display: String::new(), disposition });
    }
}

/// Decides from a file's name whether to read it.
pub(crate) fn classify(name: &str) -> Disposition {
    if name.starts_with("~$") {
        return Disposition::Skip("an Office lock file (the workbook was open when the folder was copied), not read".into());
    }
    if name.starts_with(".~lock.") {
        return Disposition::Skip("a LibreOffice lock file (the workbook was open when the folder was copied), not read".into());
    }
    if name.starts_with('.') {
        return Disposition::Skip("a hidden file, not read".into());
    }
    let extension = Path::new(name).extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
    if Format::from_extension(&extension).is_some() {
        Disposition::Read
    } else if let Some(kind) = document_kind(&extension) {
        Disposition::NotAReturn(format!(
            "this is {kind}, not a return: it may be an agency's update sent in the wrong form; \
             open it and ask the agency for the return form"
        ))
    } else {
        let kind = if extension.is_empty() { "no file extension".to_string() } else { format!(".{}", extension.to_ascii_lowercase()) };
        Disposition::Ignore(format!("not a spreadsheet ({kind}); only .xlsx, .xlsm, .xlsb, .xls, .ods and .csv files are read"))
    }
}

/// What a document or email file is, by its extension (`a Word document`),
/// for the kinds an agency might send its update in instead of the form.
fn document_kind(extension: &str) -> Option<&'static str> {
    let kind = match extension.to_ascii_lowercase().as_str() {
        "docx" | "doc" | "docm" | "dotx" => "a Word document",
        "odt" | "rtf" => "a word-processor document",
        "pdf" => "a PDF document",
        "msg" => "an Outlook email",
        "eml" => "an email",
        _ => return None,
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_and_hidden_files_are_skipped() {
        assert!(matches!(classify("~$police.xlsx"), Disposition::Skip(_)));
        assert!(matches!(classify(".~lock.police.ods#"), Disposition::Skip(_)));
        assert!(matches!(classify(".DS_Store"), Disposition::Skip(_)));
        assert!(matches!(classify("README"), Disposition::Ignore(_)));
        assert!(matches!(classify("logo.png"), Disposition::Ignore(_)));
        assert_eq!(classify("Police Q3.XLSX"), Disposition::Read);
        assert_eq!(classify("yot.csv"), Disposition::Read);
    }

    #[test]
    fn documents_and_emails_may_be_updates_in_the_wrong_form() {
        for (name, kind) in [
            ("Police update.docx", "a Word document"),
            ("old.DOC", "a Word document"),
            ("q3.pdf", "a PDF document"),
            ("RE Q3 return.msg", "an Outlook email"),
            ("fwd.eml", "an email"),
        ] {
            match classify(name) {
                Disposition::NotAReturn(reason) => {
                    assert!(reason.starts_with(&format!("this is {kind}, not a return")), "{name}: {reason}");
                    assert!(reason.contains("ask the agency for the return form"), "{reason}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn names_are_relative_to_the_folders_parent() {
        assert_eq!(display_name(Some("returns"), Path::new("2018-19-Q3/police.xlsx")), "returns/2018-19-Q3/police.xlsx");
        assert_eq!(display_name(None, Path::new("police.xlsx")), "police.xlsx");
        // A folder typed with spaces keeps them; the file part always uses `/`.
        assert_eq!(display_name(Some("CSP returns"), Path::new("Q3 2018/Zoë's return.xlsx")), "CSP returns/Q3 2018/Zoë's return.xlsx");
    }
}
