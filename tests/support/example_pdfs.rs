//! The shipped example's PDFs, built once per test binary by the real
//! binary (`csp-report build` on `input/`), for the tests that read PDFs back.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The shipped example's PDFs (board report, summary, groups, priorities), sorted by path.
pub fn preston() -> &'static [PathBuf] {
    static BUILT: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    &BUILT
        .get_or_init(|| {
            let out = tempfile::tempdir().unwrap();
            let status = assert_cmd::Command::cargo_bin("csp-report")
                .unwrap()
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(["build", "--quiet", "--out"])
                .arg(out.path())
                .output()
                .unwrap();
            assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
            let pdfs = pdfs_under(&out.path().join("2018-19-Q3"));
            assert!(pdfs.len() >= 4, "{pdfs:?}");
            (out, pdfs)
        })
        .1
}

fn pdfs_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(pdfs_under(&path));
        } else if path.extension().is_some_and(|e| e == "pdf") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The shipped example's year-end review (`build --period 2018-19`, every
/// quarter read from its returns), built once per test binary.
#[allow(dead_code)]
pub fn year_review() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &BUILT
        .get_or_init(|| {
            let out = tempfile::tempdir().unwrap();
            let status = assert_cmd::Command::cargo_bin("csp-report")
                .unwrap()
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(["build", "--quiet", "--period", "2018-19", "--out"])
                .arg(out.path())
                .output()
                .unwrap();
            assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
            let pdf = out.path().join("2018-19").join("year-review.pdf");
            assert!(pdf.is_file());
            (out, pdf)
        })
        .1
}

/// The quarter's PDFs and the year review.
#[allow(dead_code)]
pub fn with_year_review() -> Vec<&'static Path> {
    preston().iter().map(PathBuf::as_path).chain(std::iter::once(year_review())).collect()
}
