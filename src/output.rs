//! Writing a build's files safely. Owns the output folder's lock (two builds
//! on one output folder never interleave: the second refuses with a clear
//! message) and the atomic write: every file is first written in full to a
//! hidden temporary name beside its final one and flushed to disk, and only
//! when all of them are written are they renamed into place. A run that
//! fails or is killed while writing leaves every earlier output whole: each
//! file is either the previous version or the new one, never half of one.
//! Files a build does not produce (the forms folder, say) are not touched.
//! Every failure names the path concerned.
//!
//! It also owns the names of files made from the plan's ids (forms, group
//! and priority PDFs, reminders): [`safe_file_stem`] and [`FileNames`] are
//! the one place that decides what such a name may contain, so that what a
//! coordinator types as an id can never make a name Windows refuses, point
//! outside the output folder, or overwrite another agency's file.

use crate::render::OutputFile;
use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Component, Path, PathBuf};

/// The lock file, in the output folder.
pub const LOCK_FILE: &str = ".csp-report.lock";

/// The suffix of temporary files; leftovers from a killed run are removed
/// by the next run that holds the lock.
const TEMP_SUFFIX: &str = ".csp-report-tmp";

/// Test hook: abort the process after this many files have been renamed into
/// place (0: after writing every temporary file, before any rename), so tests
/// can check that a run killed mid-way leaves whole files behind.
const ABORT_HOOK: &str = "CSP_REPORT_TEST_ABORT_AFTER_RENAMES";

/// Why the outputs could not be written (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("another csp-report run is writing into {folder} right now{holder}; wait for it to finish and run again (the lock is {lock})")]
    Locked { folder: String, lock: String, holder: String },
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: String, source: std::io::Error },
    #[error("cannot write {path:?}: a renderer may only write plain relative paths inside the output folder (this is a bug)")]
    BadPath { path: String },
    #[error("refusing to write outputs into {output}: it is inside {input}, which csp-report only reads; choose another output folder")]
    IntoInput { output: String, input: String },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.display().to_string();
    move |source| OutputError::Io { action, path, source }
}

/// The output folder, locked for this run. The lock is released when this
/// is dropped (or the process ends, however it ends).
#[derive(Debug)]
pub struct OutputFolder {
    root: PathBuf,
    // Held open for the lock; never read after locking.
    _lock: File,
}

impl OutputFolder {
    /// Creates the folder if needed and takes its lock, or says who holds it.
    pub fn lock(root: &Path) -> Result<OutputFolder, OutputError> {
        std::fs::create_dir_all(root).map_err(io("create the output folder", root))?;
        let lock_path = root.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io("create the lock file", &lock_path))?;
        match <File as fs4::FileExt>::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() { String::new() } else { format!(" ({holder})") };
                return Err(OutputError::Locked { folder: root.display().to_string(), lock: lock_path.display().to_string(), holder });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io("lock", &lock_path)(e)),
        }
        // Say who holds it, for a second run's message. Best effort.
        let _ = file.set_len(0).and_then(|_| file.rewind()).and_then(|_| write!(file, "process {}", std::process::id()));
        Ok(OutputFolder { root: root.to_path_buf(), _lock: file })
    }

    /// The locked folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `files` (paths relative to `subfolder` of the output folder)
    /// atomically as described in the module documentation. Returns the
    /// final paths written.
    pub fn write(&self, subfolder: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, OutputError> {
        check_relative(subfolder)?;
        for f in files {
            check_relative(&f.path)?;
        }
        let dir = self.root.join(subfolder);
        std::fs::create_dir_all(&dir).map_err(io("create the folder", &dir))?;
        remove_leftovers(&dir);

        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let result = files.iter().try_for_each(|f| {
            let target = dir.join(&f.path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io("create the folder", parent))?;
            }
            let temp = temp_name(&target);
            staged.push((temp.clone(), target.clone()));
            write_synced(&temp, &f.bytes).map_err(io("write", &target))
        });
        if let Err(e) = result {
            for (temp, _) in &staged {
                let _ = std::fs::remove_file(temp);
            }
            return Err(e);
        }

        let abort_after: Option<usize> = std::env::var(ABORT_HOOK).ok().and_then(|v| v.parse().ok());
        let mut written = Vec::new();
        for (i, (temp, target)) in staged.iter().enumerate() {
            if abort_after == Some(i) {
                std::process::abort();
            }
            std::fs::rename(temp, target).map_err(io("replace", target))?;
            written.push(target.clone());
        }
        // Make the renames durable too, where the platform allows it.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(written)
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// `dir/name.ext` → `dir/.name.ext.csp-report-tmp`.
fn temp_name(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}{TEMP_SUFFIX}"))
}

/// Removes temporary files a killed run left behind, in `dir` and its
/// subfolders (we hold the lock, so no other run is writing them).
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        match entry.file_type() {
            Ok(t) if t.is_dir() => remove_leftovers(&entry.path()),
            Ok(t) if t.is_file() && name.starts_with('.') && name.ends_with(TEMP_SUFFIX) => {
                let _ = std::fs::remove_file(entry.path());
            }
            _ => {}
        }
    }
}

/// Only plain relative paths naming something: no root, no `..`, no drive prefix.
fn check_relative(path: &Path) -> Result<(), OutputError> {
    let plain = path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if plain && path.components().any(|c| matches!(c, Component::Normal(_))) {
        Ok(())
    } else {
        Err(OutputError::BadPath { path: path.display().to_string() })
    }
}

/// Refuses an output folder inside (or equal to) an input folder, or one
/// that would hold the plan file: the tool never writes into its inputs.
pub(crate) fn ensure_outside_inputs(output: &Path, inputs: &[&Path]) -> Result<(), OutputError> {
    let out = absolute(output);
    for input in inputs {
        let input_abs = absolute(input);
        if out.starts_with(&input_abs) {
            return Err(OutputError::IntoInput { output: output.display().to_string(), input: input.display().to_string() });
        }
    }
    Ok(())
}

/// The path made absolute and resolved as far as it exists (symbolic links
/// followed), so two spellings of one folder compare equal.
fn absolute(path: &Path) -> PathBuf {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // Resolve the longest existing ancestor, then re-append the rest.
    let mut existing = full.clone();
    let mut rest = Vec::new();
    loop {
        if let Ok(resolved) = existing.canonicalize() {
            return rest.iter().rev().fold(resolved, |p: PathBuf, part| p.join(part));
        }
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return full,
        }
    }
}

/// Device names Windows reserves in every folder, whatever the extension
/// (`con.txt` opens the console, `nul.pdf` discards what is written).
const WINDOWS_RESERVED: [&str; 24] = [
    "con", "prn", "aux", "nul", "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt0", "lpt1", "lpt2",
    "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The longest stem made, in characters: with a folder, a prefix and an
/// extension it keeps a path far inside Windows' 260-character limit.
const MAX_STEM: usize = 60;

/// An id from the plan (which a coordinator types) made safe as the stem of
/// a file name on Windows, macOS and Linux: lower-case ASCII letters, digits
/// and `_` kept, every other run of characters one `-` (so no `<>:"/\|?*`,
/// no path separators, no dots and no spaces, hence no trailing dot or
/// space either); no leading or trailing `-` or `_`; at most 60 characters.
/// A name Windows reserves for a device (`con`, `nul`, `com1`, …) gets
/// `-fallback` after it, and `fallback` is used when nothing is left.
/// Ordinary ids (`police`, `domestic-abuse`) come through unchanged.
///
/// Lower case because Windows and macOS file systems ignore case: `DA` and
/// `da` would be one file there, and [`FileNames`] can only keep them apart
/// if it compares what the file system compares.
pub(crate) fn safe_file_stem(text: &str, fallback: &str) -> String {
    let mut stem = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let trimmed: String = stem.trim_matches(['-', '_']).chars().take(MAX_STEM).collect();
    let stem = trimmed.trim_end_matches(['-', '_']);
    if stem.is_empty() {
        fallback.to_string()
    } else if WINDOWS_RESERVED.contains(&stem) {
        format!("{stem}-{fallback}")
    } else {
        stem.to_string()
    }
}

/// Hands out the file names of one folder, so that two ids that make the
/// same safe name never write over each other: the second gets `-2` before
/// its extension, the third `-3`. Names are compared ignoring case, as
/// Windows and macOS compare them. Hand names out in a fixed order (the
/// plan's) and the same plan always gives the same names.
#[derive(Debug, Default)]
pub struct FileNames {
    used: BTreeSet<String>,
}

impl FileNames {
    /// `name` (`police.txt`), or `police-2.txt`, … when it is already taken.
    pub(crate) fn claim(&mut self, name: &str) -> String {
        let (stem, extension) = match name.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
            _ => (name, String::new()),
        };
        let mut candidate = name.to_string();
        let mut n = 2;
        while !self.used.insert(candidate.to_lowercase()) {
            candidate = format!("{stem}-{n}{extension}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, bytes: &[u8]) -> OutputFile {
        OutputFile { path: PathBuf::from(path), bytes: bytes.to_vec() }
    }

    #[test]
    fn writes_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputFolder::lock(dir.path()).unwrap();
        let written = out.write(Path::new("2018-19-Q3"), &[file("a.csv", b"one"), file("sub/b.pdf", b"two")]).unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(std::fs::read(dir.path().join("2018-19-Q3/a.csv")).unwrap(), b"one");
        assert_eq!(std::fs::read(dir.path().join("2018-19-Q3/sub/b.pdf")).unwrap(), b"two");
        let names: Vec<String> = std::fs::read_dir(dir.path().join("2018-19-Q3"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(TEMP_SUFFIX)), "{names:?}");
    }

    #[test]
    fn a_second_lock_on_the_same_folder_is_refused_until_the_first_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputFolder::lock(dir.path()).unwrap();
        let second = OutputFolder::lock(dir.path()).unwrap_err();
        let message = second.to_string();
        assert!(message.contains("another csp-report run is writing into"), "{message}");
        assert!(message.contains(&format!("process {}", std::process::id())), "{message}");
        drop(first);
        OutputFolder::lock(dir.path()).expect("free again once released");
    }

    #[test]
    fn paths_outside_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputFolder::lock(dir.path()).unwrap();
        for bad in ["../x.csv", "/etc/x", "a/../../x"] {
            assert!(matches!(out.write(Path::new("p"), &[file(bad, b"x")]), Err(OutputError::BadPath { .. })), "{bad}");
        }
        assert!(!dir.path().join("p").exists() || std::fs::read_dir(dir.path().join("p")).unwrap().next().is_none());
    }

    #[test]
    fn leftovers_from_a_killed_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let period = dir.path().join("p");
        std::fs::create_dir_all(&period).unwrap();
        std::fs::write(period.join(format!(".progress.csv{TEMP_SUFFIX}")), b"half").unwrap();
        std::fs::create_dir_all(period.join("groups")).unwrap();
        std::fs::write(period.join(format!("groups/.a.pdf{TEMP_SUFFIX}")), b"half").unwrap();
        std::fs::write(period.join("keep.txt"), b"mine").unwrap();
        OutputFolder::lock(dir.path()).unwrap().write(Path::new("p"), &[file("progress.csv", b"new")]).unwrap();
        assert!(!period.join(format!(".progress.csv{TEMP_SUFFIX}")).exists());
        assert!(!period.join(format!("groups/.a.pdf{TEMP_SUFFIX}")).exists());
        assert_eq!(std::fs::read(period.join("keep.txt")).unwrap(), b"mine", "files the build does not make are untouched");
    }

    #[test]
    fn an_output_folder_inside_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let returns = dir.path().join("input/returns");
        std::fs::create_dir_all(&returns).unwrap();
        assert!(ensure_outside_inputs(&returns.join("out"), &[&returns]).is_err());
        assert!(ensure_outside_inputs(&returns, &[&returns]).is_err());
        assert!(ensure_outside_inputs(&dir.path().join("input/./returns/../returns/x"), &[&returns]).is_err());
        assert!(ensure_outside_inputs(&dir.path().join("output"), &[&returns]).is_ok());
    }

    #[test]
    fn ordinary_ids_keep_their_names() {
        for id in ["police", "domestic-abuse", "public-health", "cs1", "2018_q3"] {
            assert_eq!(safe_file_stem(id, "agency"), id);
        }
        assert_eq!(safe_file_stem("Forum Members", "agency"), "forum-members");
        assert_eq!(safe_file_stem("DA", "group"), "da");
    }

    #[test]
    fn no_stem_holds_a_character_windows_forbids() {
        assert_eq!(safe_file_stem("a\\b:c*d?e\"f<g>h|i/j", "agency"), "a-b-c-d-e-f-g-h-i-j");
        assert_eq!(safe_file_stem("../../etc/passwd", "agency"), "etc-passwd");
        assert_eq!(safe_file_stem("C:\\Windows\\System32", "agency"), "c-windows-system32");
        assert_eq!(safe_file_stem(".hidden", "agency"), "hidden");
        for text in ["a<b", "tab\there", "nul\0byte", "line\r\nend", "Zoë's group", "?*?", "\u{202e}txt.exe"] {
            let stem = safe_file_stem(text, "agency");
            assert!(!stem.is_empty(), "{text:?}");
            assert!(stem.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'), "{text:?} → {stem:?}");
        }
    }

    #[test]
    fn no_stem_ends_in_a_dot_or_a_space() {
        for text in ["police.", "police ", "police. . ", "...", "   ", "police-", "_police_"] {
            let stem = safe_file_stem(text, "agency");
            assert!(!stem.ends_with(['.', ' ', '-', '_']) && !stem.starts_with(['.', '-', '_']), "{text:?} → {stem:?}");
        }
        assert_eq!(safe_file_stem("police. ", "agency"), "police");
        assert_eq!(safe_file_stem("...", "agency"), "agency");
        assert_eq!(safe_file_stem("", "group"), "group");
    }

    #[test]
    fn names_windows_reserves_for_devices_are_never_made() {
        for reserved in ["CON", "con", "Prn", "AUX", "NUL", "nul.", "COM1", "com9", "LPT1", "lpt3 ", "con.txt"] {
            let stem = safe_file_stem(reserved, "agency");
            let base = stem.split('.').next().unwrap();
            assert!(!WINDOWS_RESERVED.contains(&base), "{reserved:?} → {stem:?}");
        }
        assert_eq!(safe_file_stem("CON", "agency"), "con-agency");
        assert_eq!(safe_file_stem("nul", "group"), "nul-group");
        // Only the whole name is reserved: these are ordinary names.
        assert_eq!(safe_file_stem("console", "agency"), "console");
        assert_eq!(safe_file_stem("com10", "agency"), "com10");
    }

    #[test]
    fn long_ids_are_cut_without_leaving_a_trailing_hyphen() {
        assert_eq!(safe_file_stem(&"x".repeat(200), "agency").len(), MAX_STEM);
        let cut = safe_file_stem(&format!("{}-tail", "y".repeat(MAX_STEM - 1)), "agency");
        assert_eq!(cut, "y".repeat(MAX_STEM - 1));
    }

    #[test]
    fn two_ids_with_one_safe_name_get_two_files() {
        let mut names = FileNames::default();
        assert_eq!(names.claim("police.txt"), "police.txt");
        assert_eq!(names.claim("police.txt"), "police-2.txt");
        assert_eq!(names.claim("POLICE.txt"), "POLICE-3.txt", "Windows would see POLICE.txt as police.txt");
        assert_eq!(names.claim("police-2.txt"), "police-2-2.txt");
        assert_eq!(names.claim("README"), "README");
        assert_eq!(names.claim("readme"), "readme-2");
    }
}
