//! `csp-report build` end to end, run as a user would: in a copy of the
//! project folder (csp-report.toml and input/), checking what lands in
//! output/<period>/, what the summary says, and how the run behaves when
//! another run holds the lock, the returns are read-only, the output folder
//! cannot be written, or the run is killed half-way.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A temporary copy of the project: csp-report.toml and input/.
struct Project {
    dir: tempfile::TempDir,
}

#[path = "support/project_copy.rs"]
mod project_copy;
use project_copy::project_copy;

impl Project {
    fn new() -> Project {
        let dir = project_copy();
        std::fs::create_dir_all(dir.path().join("input/returns")).unwrap();
        Project { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn build(&self, args: &[&str]) -> std::process::Output {
        Command::cargo_bin("csp-report")
            .unwrap()
            .current_dir(self.dir.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .env("NO_COLOR", "1")
            .arg("build")
            .args(args)
            .output()
            .unwrap()
    }

    /// Every file under output/<period>/ with its bytes.
    fn outputs(&self, period: &str) -> BTreeMap<String, Vec<u8>> {
        let root = self.path("output").join(period);
        let mut files = BTreeMap::new();
        collect(&root, &root, &mut files);
        files
    }
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            collect(root, &entry.path(), files);
        } else {
            let name = entry.path().strip_prefix(root).unwrap().display().to_string();
            files.insert(name, std::fs::read(entry.path()).unwrap());
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Listing of a folder: relative path → (length, modification time).
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    for entry in walk(dir) {
        let meta = std::fs::metadata(&entry).unwrap();
        out.insert(entry.strip_prefix(dir).unwrap().display().to_string(), (meta.len(), meta.modified().unwrap()));
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut all = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(walk(&path));
        } else {
            all.push(path);
        }
    }
    all
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// One full build of the example with a read-only returns folder, then a
/// second, quiet one: what lands, what the summary says, what is never
/// written, and that the two builds give the same bytes. (Each build renders
/// every PDF, which is slow in a debug build: this file keeps their number low.)
#[test]
fn build_writes_the_pack_prints_the_summary_and_is_repeatable() {
    let project = Project::new();
    let returns = project.path("input/returns");
    std::fs::write(returns.join("notes.txt"), "kept as it is").unwrap();
    let before = snapshot(&project.path("input"));
    #[cfg(unix)]
    for path in walk(&returns).into_iter().rev() {
        set_mode(&path, if path.is_dir() { 0o555 } else { 0o444 });
    }
    let out = project.build(&[]);
    let quiet = project.build(&["--quiet"]);
    #[cfg(unix)]
    for path in walk(&returns) {
        set_mode(&path, if path.is_dir() { 0o755 } else { 0o644 });
    }
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(before, snapshot(&project.path("input")), "the input folder is untouched");

    let files = project.outputs("2018-19-Q3");
    let csv = text(&files["progress.csv"]);
    // A byte-order mark first, so Excel on Windows reads the file as UTF-8.
    assert!(csv.starts_with("\u{feff}period,group,action_id,action,timescale,due_date,new,lead,lead_name,status,percent_complete,update,"));
    assert!(text(&files["validation.csv"]).starts_with("\u{feff}file,sheet,cell,severity,code,message,hint\r\n"));
    // One row per action × lead at least: the shipped plan has 27 actions and 62 leads.
    assert!(csv.lines().count() > 62, "{} lines", csv.lines().count());
    assert!(files.contains_key("validation.csv"));
    assert!(!files.keys().any(|name| name.ends_with("tmp")), "{:?}", files.keys());

    let stdout = text(&out.stdout);
    for group in ["City Safe", "Serious and Organised Crime", "Domestic Abuse", "Reoffending", "All actions"] {
        assert!(stdout.lines().any(|l| l.starts_with(group)), "a line of counts for {group}:\n{stdout}");
    }
    assert!(stdout.contains("Rows read:"), "{stdout}");
    assert!(stdout.contains("Wrote "), "{stdout}");
    check_planted(&stdout);

    assert_eq!(quiet.status.code(), Some(0), "stderr: {}", text(&quiet.stderr));
    assert!(quiet.stdout.is_empty(), "--quiet prints no summary: {}", text(&quiet.stdout));
    assert_eq!(files, project.outputs("2018-19-Q3"), "two builds give byte-identical files");
}

/// The shipped example's planted exceptions (input/PLANTED.md,
/// written with the example returns): every planted red and overdue action
/// is named among the summary's exceptions.
fn check_planted(stdout: &str) {
    let planted = std::fs::read_to_string("input/PLANTED.md").expect("input/PLANTED.md is shipped with the example returns");
    // Lines such as "- `red`: CS1 is Red (…)" and "- `overdue`: DA2 was due …".
    let mut expected = Vec::new();
    for line in planted.lines() {
        for (kind, label) in [("red", "Red"), ("overdue", "Overdue")] {
            if let Some(rest) = line.trim().strip_prefix(&format!("- `{kind}`: ")) {
                expected.push((label, rest.split_whitespace().next().unwrap_or_default().to_string()));
            }
        }
    }
    assert!(!expected.is_empty(), "PLANTED.md lists red and overdue actions");
    for (label, id) in expected {
        // "  Red · Overdue: RO3 …": an action's line lists every reason.
        let listed = stdout
            .lines()
            .filter_map(|l| l.trim_start().split_once(": "))
            .any(|(kinds, rest)| kinds.split(" · ").any(|k| k == label) && rest.starts_with(&format!("{id} ")));
        assert!(listed, "{label} {id} in the summary:\n{stdout}");
    }
}

#[test]
fn a_second_build_is_refused_while_another_holds_the_lock() {
    let project = Project::new();
    std::fs::create_dir_all(project.path("output")).unwrap();
    let _held = csp_report::output::OutputFolder::lock(&project.path("output")).expect("this test takes the lock");
    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("another csp-report run is writing into output"), "{stderr}");
    assert!(stderr.contains(".csp-report.lock"), "{stderr}");
    assert!(!project.path("output/2018-19-Q3").exists(), "nothing written while locked");
}

#[test]
fn an_output_folder_that_cannot_be_created_is_exit_2_naming_the_path() {
    let project = Project::new();
    std::fs::write(project.path("blocked"), "a file where a folder should be").unwrap();
    let out = project.build(&["--out", "blocked/output"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("blocked/output"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn an_unwritable_period_folder_is_exit_2_naming_the_path() {
    let project = Project::new();
    let period = project.path("output/2018-19-Q3");
    std::fs::create_dir_all(&period).unwrap();
    set_mode(&period, 0o555);
    if std::fs::write(period.join("probe"), "x").is_ok() {
        set_mode(&period, 0o755);
        eprintln!("skipped: running with privileges that ignore folder permissions (root)");
        return;
    }
    let out = project.build(&[]);
    set_mode(&period, 0o755);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("output/2018-19-Q3/"), "{stderr}");
    assert!(stderr.contains("ermission denied"), "{stderr}");
}

#[test]
fn an_output_folder_inside_the_returns_folder_is_refused() {
    let project = Project::new();
    let out = project.build(&["--out", "input/returns/reports"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("refusing to write outputs into"), "{}", text(&out.stderr));
    assert!(!project.path("input/returns/reports").exists());
}

#[test]
fn a_build_killed_mid_way_leaves_every_file_whole() {
    let project = Project::new();
    let folder = project.path("output/2018-19-Q3");
    std::fs::create_dir_all(&folder).unwrap();
    // The previous run's outputs, recognisably.
    let previous = b"previous run\n";
    for name in ["progress.csv", "validation.csv"] {
        std::fs::write(folder.join(name), previous).unwrap();
    }
    let killed = |renames: usize| {
        let out = Command::cargo_bin("csp-report")
            .unwrap()
            .current_dir(project.dir.path())
            .env("CSP_REPORT_TEST_ABORT_AFTER_RENAMES", renames.to_string())
            .args(["build", "--quiet"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "the hook kills the run");
        project.outputs("2018-19-Q3")
    };
    // Killed after writing every temporary file, before renaming any.
    let after = killed(0);
    assert_eq!((after["progress.csv"].as_slice(), after["validation.csv"].as_slice()), (&previous[..], &previous[..]));
    assert!(after.keys().any(|name| name.ends_with(".csp-report-tmp")), "the run had written its files aside: {:?}", after.keys());
    // Killed after the first rename (progress.csv comes first).
    let after = killed(1);
    assert_ne!(after["progress.csv"], previous);
    assert_eq!(after["validation.csv"], previous);
    // The next run cleans up and writes everything; the file renamed before
    // the kill was already whole (byte-identical to a full run's).
    assert_eq!(project.build(&["--quiet"]).status.code(), Some(0));
    let good = project.outputs("2018-19-Q3");
    assert!(!good.keys().any(|name| name.ends_with(".csp-report-tmp")), "{:?}", good.keys());
    assert_eq!(good["progress.csv"], after["progress.csv"]);
    assert_ne!(good["validation.csv"], previous);
}

#[test]
fn history_gives_trend_and_damaged_history_is_a_warning() {
    let project = Project::new();
    let q2_folder = project.path("output/2018-19-Q2");
    std::fs::create_dir_all(&q2_folder).unwrap();
    std::fs::write(q2_folder.join("progress.csv"), "not,a,progress\nfile\n").unwrap();
    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let validation = text(&project.outputs("2018-19-Q3")["validation.csv"]);
    assert!(validation.lines().any(|l| l.starts_with("output/2018-19-Q2/progress.csv,,line 1,warning,history-damaged,")), "{validation}");

    // A sound history file for Q2 (a Q2 merge of nothing) is used.
    let plan = csp_report::plan::load_plan(&project.path("input/plan.toml")).unwrap();
    let q2: csp_report::plan::Period = "2018-19 Q2".parse().unwrap();
    let read = csp_report::returns::ReadReport::default();
    let progress = csp_report::merge::merge(&csp_report::merge::MergeInput {
        plan: &plan,
        period: q2,
        read: &read,
        previous: None,
        produced: q2.end(),
        deadline: q2.end(),
        extra_diagnostics: &[],
    });
    std::fs::write(q2_folder.join("progress.csv"), csp_report::render::csv::progress_csv(&progress).unwrap()).unwrap();
    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Trend is measured against 2018-19 Q2 (output/2018-19-Q2/progress.csv)"), "{stdout}");
}

/// Problems met while building the outputs reach `validation.csv` too: an
/// update too long for an Excel cell, and a user's template that fails.
#[test]
fn problems_met_while_building_are_in_validation_csv() {
    let project = Project::new();
    let cga = project.path("input/returns/2018-19-Q3/cga-q3.csv");
    let original = std::fs::read_to_string(&cga).unwrap();
    let short = "2 MATAC cases closed after mediation through Gateway's neighbour mediation service.";
    assert!(original.contains(short));
    std::fs::write(&cga, original.replace(short, &"mediation ".repeat(4_000))).unwrap();
    std::fs::create_dir_all(project.path("templates")).unwrap();
    std::fs::write(project.path("templates/group-introduction.md.hbs"), "{{group.no_such_field}}\n").unwrap();

    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let validation = text(&project.outputs("2018-19-Q3")["validation.csv"]);
    let stderr = text(&out.stderr);
    for code in ["cell-truncated", "template-failed"] {
        assert!(validation.lines().any(|l| l.contains(&format!(",warning,{code},"))), "{code} in validation.csv:\n{validation}");
        assert!(stderr.contains(code), "{code} on stderr:\n{stderr}");
    }
    // Reported once each, however many cells or passages they touched.
    assert_eq!(validation.matches(",template-failed,").count(), 1, "{validation}");
}
