//! The year-end review end to end (`build --period 2018-19` on a copy of the
//! shipped example, after its four quarters) and its rules through the
//! library (delivered, slipped, carried forward, withdrawn, no data).

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::PathBuf;

struct Project {
    dir: tempfile::TempDir,
}

#[path = "support/project_copy.rs"]
mod project_copy;
use project_copy::project_copy;

impl Project {
    fn new() -> Project {
        let dir = project_copy();
        Project { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn build(&self, period: &str) -> String {
        let out = Command::cargo_bin("csp-report")
            .unwrap()
            .current_dir(self.dir.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .env("NO_COLOR", "1")
            .args(["build", "--period", period])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "build {period}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        stdout
    }

    /// A CSV under output/ as (header → value) maps, one per row.
    fn csv(&self, relative: &str) -> Vec<BTreeMap<String, String>> {
        let mut reader = csv::Reader::from_path(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
        let headers = reader.headers().unwrap().clone();
        reader.records().map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
    }
}

#[test]
fn the_year_review_has_each_actions_four_statuses_as_the_quarters_progress_csv_files_have_them() {
    let project = Project::new();
    let mut summaries = Vec::new();
    for q in ["2018-19 Q1", "2018-19 Q2", "2018-19 Q3", "2018-19 Q4"] {
        summaries.push(project.build(q));
    }
    // The persistent exception, in Q3's summary: SOC4 amber since Q1.
    assert!(summaries[2].contains("Persistent: SOC4 "), "{}", summaries[2]);
    assert!(summaries[2].contains("Amber since Q1 (3 quarters running)."), "{}", summaries[2]);

    // The status strip in Q3's HTML, in words on their colours.
    let html = std::fs::read_to_string(project.path("output/2018-19-Q3/board-report.html")).unwrap();
    let soc4 = &html[html.find("id=\"action-soc4\"").expect("SOC4's row")..];
    let soc4 = &soc4[..soc4.find("</tr>").unwrap()];
    assert!(
        soc4.contains(r#"<li class="s-amber">Q1 Amber</li><li class="s-amber">Q2 Amber</li><li class="s-amber">Q3 Amber</li>"#),
        "{soc4}"
    );

    let summary = project.build("2018-19");
    assert!(summary.contains("2018-19 Q2: output/2018-19-Q2/progress.csv"), "{summary}");
    let year = project.csv("output/2018-19/year.csv");
    let mut compared = 0;
    for q in 1..=4 {
        let progress = project.csv(&format!("output/2018-19-Q{q}/progress.csv"));
        let leads: Vec<_> = progress.iter().filter(|r| r["role"] == "lead").collect();
        assert_eq!(leads.len(), year.len(), "one year.csv row per action and lead, as in Q{q}");
        for row in leads {
            let found = year
                .iter()
                .find(|y| y["action_id"] == row["action_id"] && y["lead"] == row["lead"])
                .unwrap_or_else(|| panic!("{} {} in year.csv", row["action_id"], row["lead"]));
            assert_eq!(found[&format!("q{q}_status")], row["status"], "{} {} Q{q}", row["action_id"], row["lead"]);
            assert_eq!(found[&format!("q{q}_overall_status")], row["overall_status"], "{} Q{q}", row["action_id"]);
            assert_eq!(found[&format!("q{q}_percent_complete")], row["percent_complete"], "{} {} Q{q}", row["action_id"], row["lead"]);
            compared += 1;
        }
    }
    assert!(compared > 200, "{compared}");
    // The shipped year's story, as the returns tell it.
    let action = |id: &str| year.iter().find(|y| y["action_id"] == id).unwrap();
    assert_eq!(action("SO3")["final_status"], "complete");
    assert_eq!(action("SO3")["completed_in"], "2018-19 Q4");
    assert_eq!(action("SO3")["carry_forward"], "false");
    assert_eq!((action("DA1")["completed_in"].as_str(), action("DA1")["slipped_days"].as_str()), ("2018-19 Q3", "92"));
    assert_eq!((action("CS1")["final_status"].as_str(), action("CS1")["slipped_to"].as_str()), ("red", "2019-06-30"));
    assert_eq!(action("CS1")["carry_forward"], "true");
    assert_eq!(action("SOC4")["slipped_days"], "", "an ongoing action has no date to slip from");

    // The workbook: Summary, a sheet per group, Carry forward.
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(project.path("output/2018-19/year-review.xlsx")).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.first().map(String::as_str), Some("Summary"));
    assert_eq!(sheets.last().map(String::as_str), Some("Carry forward"));
    assert_eq!(sheets.len(), 2 + 7, "{sheets:?}");
    let carry = book.worksheet_range("Carry forward").unwrap();
    let carried =
        year.iter().filter(|y| y["carry_forward"] == "true").map(|y| y["action_id"].clone()).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(carry.height() - 1, carried.len(), "one row per action carried forward");

    // Same inputs, same bytes.
    let first: Vec<Vec<u8>> = ["year.csv", "year-review.xlsx", "year-review.pdf", "validation.csv"]
        .iter()
        .map(|f| std::fs::read(project.path("output/2018-19").join(f)).unwrap())
        .collect();
    project.build("2018-19");
    let second: Vec<Vec<u8>> = ["year.csv", "year-review.xlsx", "year-review.pdf", "validation.csv"]
        .iter()
        .map(|f| std::fs::read(project.path("output/2018-19").join(f)).unwrap())
        .collect();
    assert_eq!(first, second);
}

#[test]
fn a_year_with_a_missing_quarter_builds_and_shows_it_as_no_data_named_in_the_data_problems() {
    let project = Project::new();
    std::fs::remove_dir_all(project.path("input/returns/2018-19-Q2")).unwrap();
    let summary = project.build("2018-19");
    assert!(summary.contains("2018-19 Q2: no data"), "{summary}");
    assert!(summary.contains("2018-19 Q1: returns for 2018-19 Q1 in input/returns"), "{summary}");
    let year = project.csv("output/2018-19/year.csv");
    assert!(!year.is_empty());
    for row in &year {
        assert_eq!(row["q2_status"], "no_data", "{}", row["action_id"]);
        assert_eq!(row["q2_overall_status"], "no_data");
        assert_eq!(row["q2_percent_complete"], "");
        assert_ne!(row["q1_overall_status"], "no_data", "Q1 is not filled in from anything, it is read");
        assert_ne!(row["q3_overall_status"], "no_data");
    }
    let problems = project.csv("output/2018-19/validation.csv");
    let gap: Vec<_> = problems.iter().filter(|p| p["code"] == "history-missing").collect();
    assert_eq!(gap.len(), 1, "{problems:?}");
    assert!(gap[0]["message"].contains("no results for 2018-19 Q2") && gap[0]["message"].contains("no data"), "{:?}", gap[0]);
}
