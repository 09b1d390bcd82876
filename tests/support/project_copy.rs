//! A temporary copy of the project (its `csp-report.toml` and `input/`),
//! for tests that build, export or change files the way a coordinator would,
//! without touching the shipped example.

use std::path::Path;

/// A new temporary folder holding `csp-report.toml` and `input/`.
pub fn project_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("csp-report.toml", dir.path().join("csp-report.toml")).unwrap();
    copy_dir(Path::new("input"), &dir.path().join("input"));
    dir
}

/// Copies `from` into `to`, folders and files, creating `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
