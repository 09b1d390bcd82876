//! The accessibility check of the HTML report, as a reader's browser sees it:
//! `tests/a11y/check.mjs` opens the page in headless Chromium and runs
//! axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, and best practice) at desktop
//! (1366 px) and phone (400 px) widths, failing on any violation and on any
//! colour contrast axe could not measure; checks that no word of a heading,
//! caption or table header is broken across lines and no table cell's
//! content runs out of it (into the next column) at those widths and at
//! 1024 px; and that the page never scrolls sideways at 400 px or 360 px.
//!
//! Pages checked: the shipped Preston example, built by the binary as a
//! coordinator would; the sample quarter the other HTML tests use (Urdu and
//! Polish updates, text that looks like markup); and a control page with
//! known faults, which must fail, so a check that silently stopped working
//! cannot pass.
//!
//! Needs Node, Chromium (`/usr/bin/chromium`, or `CHROMIUM`) and
//! `tests/a11y/node_modules` (`npm ci` there); `.ci/run` installs all three.
//! Without them the test prints why it was skipped and passes.

#[path = "support/sample_progress.rs"]
mod sample_progress;

use csp_report::forms::FormSettings;
use csp_report::render::{html::HtmlReport, RenderContext, Renderer};
use csp_report::templates::Templates;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A page with faults every check must find: an image without a text
/// alternative, faint text, a heading broken inside a word, a table cell too
/// narrow for its word, and a box wider than a phone.
const CONTROL_PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Control</title></head>\
    <body><main><h1>Control</h1><img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\">\
    <p style=\"color:#bbb\">faint</p><h2 style=\"width:4rem;overflow-wrap:anywhere\">Reoffending</h2>\
    <table style=\"table-layout:fixed;width:5rem\"><caption>Narrow</caption><tr><td>Supercalifragilistic</td></tr></table><div style=\"width:600px\">wide</div></main></body></html>";

/// Why the check cannot run here, if it cannot.
fn missing_tools(root: &Path) -> Option<String> {
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed (Debian: apt-get install nodejs npm)".into());
    }
    let chromium = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Some(format!("no browser at {} (Debian: apt-get install chromium, or set CHROMIUM)", chromium.display()));
    }
    for package in ["puppeteer-core", "axe-core"] {
        if !root.join("tests/a11y/node_modules").join(package).join("package.json").is_file() {
            return Some(format!("tests/a11y/node_modules/{package} is missing (cd tests/a11y && npm ci)"));
        }
    }
    None
}

/// The sample quarter as the HTML renderer writes it.
fn sample_report() -> String {
    let progress = sample_progress::sample_progress();
    let plan = sample_progress::plan();
    let templates = Templates::built_in();
    let rendered = HtmlReport
        .render(&RenderContext {
            progress: &progress,
            plan: &plan,
            templates: &templates,
            forms: &FormSettings::new(&Default::default(), progress.period),
            sentences: &sample_progress::sentences(&progress),
        })
        .expect("renders");
    String::from_utf8(rendered.files[0].bytes.clone()).expect("UTF-8")
}

#[test]
fn the_html_report_passes_axe_at_desktop_and_phone_widths_without_scrolling_sideways() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if let Some(reason) = missing_tools(&root) {
        eprintln!("SKIPPED the accessibility check: {reason}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();

    // The shipped example, built as the README says, into a folder of its own.
    let out = dir.path().join("out");
    let build = Command::new(env!("CARGO_BIN_EXE_csp-report"))
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .args(["build", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(build.status.success(), "build failed: {}", String::from_utf8_lossy(&build.stderr));
    let example = out.join("2018-19-Q3/board-report.html");
    assert!(example.is_file(), "the build wrote no {}", example.display());

    let sample = dir.path().join("sample-board-report.html");
    std::fs::write(&sample, sample_report()).unwrap();
    let control = dir.path().join("control.html");
    std::fs::write(&control, CONTROL_PAGE).unwrap();

    // One browser for all three pages keeps the test near ten seconds.
    let check = Command::new("node").arg(root.join("tests/a11y/check.mjs")).args([&example, &sample, &control]).output().unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "the control page must fail the check\nstdout:\n{stdout}\nstderr:\n{stderr}");
    eprintln!("{stdout}");

    // Every problem reported is the control page's; the reports have none.
    let control_name = control.display().to_string();
    let problems: Vec<&str> = stderr.lines().filter(|line| !line.starts_with(' ')).collect();
    let others: Vec<&&str> = problems.iter().filter(|line| !line.starts_with(&control_name)).collect();
    assert!(others.is_empty(), "accessibility problems in the report:\n{stderr}");
    for expected in [
        "violation image-alt",
        "violation color-contrast",
        "at 400px the page is",
        "at 360px the page is",
        "1366px: a word breaks",
        "1024px: a table cell's content runs out",
    ] {
        assert!(problems.iter().any(|line| line.contains(expected)), "the check missed the control page's {expected:?}:\n{stderr}");
    }
    for page in [&example, &sample] {
        let page = page.display().to_string();
        for width in ["desktop 1366px", "phone 400px"] {
            let line = format!("{page}: {width}: 0 violations, 0 incomplete colour-contrast results");
            assert!(stdout.lines().any(|l| l == line), "no clean result for {page} at {width}:\n{stdout}");
        }
    }
}
