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

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy("csp-report.toml", dir.path().join("csp-report.toml")).unwrap();
        copy_dir(Path::new("input"), &dir.path().join("input"));
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

#[test]
fn build_writes_progress_csv_and_prints_the_summary() {
    let project = Project::new();
    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let files = project.outputs("2018-19-Q3");
    let csv = text(&files["progress.csv"]);
    assert!(csv.starts_with("period,group,action_id,action,timescale,due_date,new,lead,lead_name,status,percent_complete,update,"));
    // One row per action × lead at least: the shipped plan has 27 actions and 62 leads.
    assert!(csv.lines().count() > 62, "{} lines", csv.lines().count());
    assert!(files.contains_key("validation.csv"));
    let stdout = text(&out.stdout);
    for group in ["City Safe", "Serious and Organised Crime", "Domestic Abuse", "Reoffending", "All actions"] {
        assert!(stdout.lines().any(|l| l.starts_with(group)), "a line of counts for {group}:\n{stdout}");
    }
    assert!(stdout.contains("Rows read:"), "{stdout}");
    assert!(stdout.contains("Wrote "), "{stdout}");
    assert!(!project.path("output/2018-19-Q3").read_dir().unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with("tmp")));
}

#[test]
fn quiet_build_prints_nothing_but_still_writes() {
    let project = Project::new();
    let out = project.build(&["--quiet"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(project.path("output/2018-19-Q3/progress.csv").is_file());
}

#[test]
fn two_builds_give_byte_identical_files() {
    let project = Project::new();
    assert_eq!(project.build(&[]).status.code(), Some(0));
    let first = project.outputs("2018-19-Q3");
    assert_eq!(project.build(&[]).status.code(), Some(0));
    assert_eq!(first, project.outputs("2018-19-Q3"));
    // And in another copy of the project, elsewhere on disk.
    let other = Project::new();
    assert_eq!(other.build(&[]).status.code(), Some(0));
    assert_eq!(first, other.outputs("2018-19-Q3"));
}

#[test]
fn a_second_build_is_refused_while_another_holds_the_lock() {
    let project = Project::new();
    std::fs::create_dir_all(project.path("output")).unwrap();
    let held = csp_report::output::OutputFolder::lock(&project.path("output")).expect("this test takes the lock");
    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("another csp-report run is writing into output"), "{stderr}");
    assert!(stderr.contains(".csp-report.lock"), "{stderr}");
    assert!(!project.path("output/2018-19-Q3/progress.csv").exists(), "nothing written while locked");
    drop(held);
    assert_eq!(project.build(&[]).status.code(), Some(0), "free once the other run ends");
}

#[cfg(unix)]
#[test]
fn a_read_only_returns_folder_works_and_is_never_written() {
    let project = Project::new();
    let returns = project.path("input/returns");
    std::fs::write(returns.join("notes.txt"), "kept as it is").unwrap();
    let before = snapshot(&project.path("input"));
    for path in walk(&returns).into_iter().rev() {
        set_mode(&path, if path.is_dir() { 0o555 } else { 0o444 });
    }
    let out = project.build(&[]);
    for path in walk(&returns) {
        set_mode(&path, if path.is_dir() { 0o755 } else { 0o644 });
    }
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(before, snapshot(&project.path("input")), "the input folder is untouched");
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
    assert_eq!(project.build(&[]).status.code(), Some(0));
    let good = project.outputs("2018-19-Q3");
    for renames in [0, 1] {
        // The previous outputs, recognisably.
        for name in good.keys() {
            std::fs::write(project.path("output/2018-19-Q3").join(name), "previous run\n").unwrap();
        }
        let out = Command::cargo_bin("csp-report")
            .unwrap()
            .current_dir(project.dir.path())
            .env("CSP_REPORT_TEST_ABORT_AFTER_RENAMES", renames.to_string())
            .args(["build", "--quiet"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "the hook kills the run");
        let now = project.outputs("2018-19-Q3");
        let replaced = good.keys().filter(|name| now[*name] == good[*name]).count();
        for name in good.keys() {
            assert!(now[name] == good[name] || now[name] == b"previous run\n", "{name} is whole after a kill after {renames} rename(s)");
        }
        assert_eq!(replaced, renames, "files renamed before the kill");
    }
    // The next run cleans up and writes everything.
    assert_eq!(project.build(&["--quiet"]).status.code(), Some(0));
    assert_eq!(project.outputs("2018-19-Q3"), good, "no temporary files left, every file new");
}

#[test]
fn the_previous_quarter_built_first_gives_trend() {
    let project = Project::new();
    assert_eq!(project.build(&["--period", "2018-19 Q2"]).status.code(), Some(0));
    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Trend is measured against 2018-19 Q2 (output/2018-19-Q2/progress.csv)"), "{stdout}");
}

#[test]
fn a_damaged_history_file_is_a_warning_and_the_build_goes_on() {
    let project = Project::new();
    std::fs::create_dir_all(project.path("output/2018-19-Q2")).unwrap();
    std::fs::write(project.path("output/2018-19-Q2/progress.csv"), "not,a,progress\nfile\n").unwrap();
    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let validation = text(&project.outputs("2018-19-Q3")["validation.csv"]);
    assert!(validation.contains("history-damaged"), "{validation}");
}

/// The shipped example's planted exceptions (input/returns/PLANTED.md,
/// written with the example returns): every planted red and overdue action
/// is named among the summary's exceptions.
#[test]
fn the_summary_names_the_planted_red_and_overdue_actions() {
    let Ok(planted) = std::fs::read_to_string("input/returns/PLANTED.md") else {
        eprintln!("skipped: input/returns/PLANTED.md is not here yet (the example returns come from another branch)");
        return;
    };
    // Lines such as "- `red`: CS1 is Red (…)" and "- `overdue`: DA2 was due …".
    let mut expected = Vec::new();
    for line in planted.lines() {
        for (kind, label) in [("red", "Red"), ("overdue", "Overdue")] {
            if let Some(rest) = line.trim().strip_prefix(&format!("- `{kind}`: ")) {
                let id = rest.split_whitespace().next().unwrap_or_default().to_string();
                expected.push((label, id));
            }
        }
    }
    assert!(!expected.is_empty(), "PLANTED.md lists red and overdue actions");
    let project = Project::new();
    let out = project.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for (label, id) in expected {
        assert!(stdout.lines().any(|l| l.trim_start().starts_with(&format!("{label}: {id} "))), "{label} {id} in the summary:\n{stdout}");
    }
}
