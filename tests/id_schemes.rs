//! Action ID schemes as partnerships write them (`1.1`/`1.10`, `CS2-1`,
//! `DA 3`, `A1.1`, `2.3a`, `P1-A3`): plans using each load, returns that
//! write the IDs the ways people type them are matched, an ID Excel turned
//! into a number is flagged rather than matched to the wrong action, and a
//! plan of each scheme builds end to end.

use assert_cmd::Command;
use csp_report::config::Limits;
use csp_report::plan::{natural_cmp, parse_plan, Period, Plan, PlanError};
use csp_report::returns::{read_returns, ReadOptions, ReadReport};
use rust_xlsxwriter::Workbook;
use std::path::Path;

/// The schemes the issue names, each a plan's action IDs in plan order.
const SCHEMES: &[(&str, &[&str])] = &[
    ("dotted", &["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "1.11", "2.1", "2.3a"]),
    ("hyphen", &["CS2-1", "CS2-2", "CS21", "CS10-1", "SOC1-1"]),
    ("spaced", &["DA 1", "DA 2", "DA 3", "DA 10", "ASB 1"]),
    ("mixed", &["A1.1", "A1.2", "P1-A3", "P1-A10", "2.3a", "CS/2"]),
];

/// A small plan: one group, every action led by police, the even ones
/// co-led by the council.
fn plan_toml(ids: &[&str]) -> String {
    let mut text = String::from(
        "[partnership]\nname = \"Testshire CSP\"\nplan_title = \"Plan\"\nplan_year = \"2018-19\"\n\n\
         [[agency]]\nid = \"police\"\nname = \"Police\"\n\n[[agency]]\nid = \"council\"\nname = \"Council\"\n\n\
         [[group]]\nid = \"safer\"\nname = \"Safer Streets\"\n",
    );
    for (i, id) in ids.iter().enumerate() {
        let leads = if i % 2 == 1 { "[\"police\", \"council\"]" } else { "[\"police\"]" };
        text.push_str(&format!(
            "\n[[group.action]]\nid = \"{id}\"\ntext = \"Action number {i} of the plan\"\ntimescale = \"Ongoing\"\nleads = {leads}\n"
        ));
    }
    text
}

fn plan(ids: &[&str]) -> Plan {
    parse_plan(&plan_toml(ids), "plan.toml").expect("the plan loads")
}

fn q3() -> Period {
    "2018-19 Q3".parse().unwrap()
}

/// An Action ID cell as a return holds it.
enum Id {
    Text(String),
    Number(f64),
}

/// An agency-made return: labels above, then Action ID, Status, Progress update.
fn return_xlsx(agency: &str, rows: &[(Id, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Agency:").unwrap();
    sheet.write_string(0, 1, agency).unwrap();
    sheet.write_string(1, 0, "Period:").unwrap();
    sheet.write_string(1, 1, "2018-19 Q3").unwrap();
    for (c, header) in ["Action ID", "Status", "Progress update"].iter().enumerate() {
        sheet.write_string(3, c as u16, *header).unwrap();
    }
    for (i, (id, status)) in rows.iter().enumerate() {
        let row = 4 + i as u32;
        match id {
            Id::Text(text) => sheet.write_string(row, 0, text).unwrap(),
            Id::Number(n) => sheet.write_number(row, 0, *n).unwrap(),
        };
        sheet.write_string(row, 1, *status).unwrap();
        sheet.write_string(row, 2, "Going to plan").unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn read(plan: &Plan, files: &[(&str, Vec<u8>)]) -> ReadReport {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    read_returns(dir.path(), plan, &ReadOptions { period: Some(q3()), limits: Limits::default() })
}

/// How people type an ID: lower case, spaces added or dropped.
fn typed_variants(id: &str) -> Vec<String> {
    let lower = id.to_lowercase();
    let no_space: String = id.chars().filter(|c| *c != ' ').collect();
    // A space between the letter prefix and the rest (`cs 2-1`).
    let split = match id.find(|c: char| c.is_ascii_digit()) {
        Some(i) if i > 0 && !id[..i].contains(' ') => format!("{} {}", &id[..i], &id[i..]),
        _ => id.to_string(),
    };
    vec![id.to_string(), lower, no_space.to_lowercase(), split.to_lowercase(), format!("  {id} ")]
}

#[test]
fn every_scheme_loads_and_keeps_plan_order() {
    for (name, ids) in SCHEMES {
        let plan = plan(ids);
        let loaded: Vec<&str> = plan.actions().map(|a| a.id.as_str()).collect();
        assert_eq!(loaded, *ids, "{name}");
    }
}

#[test]
fn returns_typing_ids_as_people_do_are_matched() {
    for (name, ids) in SCHEMES {
        let plan = plan(ids);
        for variant in 0..typed_variants("X1").len() {
            let rows: Vec<(Id, &str)> = ids.iter().map(|id| (Id::Text(typed_variants(id)[variant].clone()), "Green")).collect();
            let report = read(&plan, &[("police.xlsx", return_xlsx("Police", &rows))]);
            assert!(
                report.diagnostics.iter().all(|d| d.severity != csp_report::diagnostics::Severity::Error),
                "{name}: {:#?}",
                report.diagnostics
            );
            let matched: Vec<&str> = report.returns[0].updates.iter().map(|u| u.action_id.as_str()).collect();
            assert_eq!(
                matched,
                *ids,
                "{name}, typed as {:?}",
                ids.iter().map(|id| typed_variants(id)[variant].clone()).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn punctuation_is_part_of_the_id() {
    let plan = plan(&["CS2-1", "CS21", "CS3"]);
    assert_eq!(plan.action("cs2-1").unwrap().id, "CS2-1");
    assert_eq!(plan.action("CS 21").unwrap().id, "CS21");
    assert!(plan.action("CS2.1").is_none(), "a dot is not a hyphen");
    // A return writing CS3-0 is not matched to CS3 by dropping the hyphen.
    let report =
        read(&plan, &[("police.xlsx", return_xlsx("Police", &[(Id::Text("CS2.1".into()), "Green"), (Id::Text("cs21".into()), "Red")]))]);
    let matched: Vec<&str> = report.returns[0].updates.iter().map(|u| u.action_id.as_str()).collect();
    assert_eq!(matched, ["CS21"]);
    let unknown: Vec<&str> = report.diagnostics.iter().filter(|d| d.code == "unknown-action").map(|d| d.message.as_str()).collect();
    assert_eq!(unknown.len(), 1, "{:#?}", report.diagnostics);
    assert!(unknown[0].contains("\"CS2.1\""), "{}", unknown[0]);
}

#[test]
fn ids_differing_only_by_case_or_spaces_are_refused() {
    for pair in [["DA 3", "da3"], ["CS2-1", "cs2-1"], ["1.1", "1.1"]] {
        let Err(PlanError::Invalid { problems, .. }) = parse_plan(&plan_toml(&pair), "plan.toml") else { panic!("{pair:?} loaded") };
        let d = problems.iter().find(|d| d.code == "plan-duplicate-id").unwrap_or_else(|| panic!("{pair:?}: {problems:#?}"));
        assert_eq!(d.place.cell_text().as_deref(), Some("line 25"), "{d}");
        if pair[0] != pair[1] {
            assert!(d.message.contains("differ only by case or spaces"), "{d}");
        }
    }
}

#[test]
fn malformed_ids_are_refused_with_their_line() {
    for bad in ["CS_1", "DA  3", "1 .1", "CS1 (new)", "-CS1"] {
        let Err(PlanError::Invalid { problems, .. }) = parse_plan(&plan_toml(&["CS2", bad]), "plan.toml") else { panic!("{bad:?} loaded") };
        assert_eq!(problems.len(), 1, "{bad}: {problems:#?}");
        assert_eq!(problems[0].code, "plan-bad-action-id");
        assert_eq!(problems[0].place.cell_text().as_deref(), Some("line 25"), "{bad}");
        assert!(problems[0].message.contains(bad), "{}", problems[0].message);
    }
}

#[test]
fn a_number_excel_made_of_1_10_is_flagged_not_matched_to_1_1() {
    // The plan has both 1.1 and 1.10: the number 1.1 could be either.
    let plan = plan(SCHEMES[0].1);
    let report = read(
        &plan,
        &[(
            "police.xlsx",
            return_xlsx("Police", &[(Id::Number(1.1), "Green"), (Id::Number(1.2), "Amber"), (Id::Text("1.10".into()), "Red")]),
        )],
    );
    let r = &report.returns[0];
    let matched: Vec<(&str, &str)> = r.updates.iter().map(|u| (u.action_id.as_str(), u.status.label())).collect();
    assert_eq!(matched, [("1.2", "Amber"), ("1.10", "Red")], "1.2 is only 1.2; 1.10 typed as text is 1.10");
    assert_eq!(r.rejected.len(), 1);
    let d = report.diagnostics.iter().find(|d| d.code == "ambiguous-action-id").expect("flagged");
    assert_eq!(d.severity, csp_report::diagnostics::Severity::Error);
    assert_eq!(d.place.cell_text().as_deref(), Some("A5"));
    assert!(d.message.contains("1.1 or 1.10"), "{d}");
    assert!(d.hint.as_deref().unwrap().contains("format the Action ID column as text"), "{d}");
}

#[test]
fn a_number_that_can_only_be_one_id_is_read_with_a_warning() {
    // No 1.1 in this plan, so the number 1.1 can only have been 1.10.
    let plan = plan(&["1.2", "1.10", "2.1"]);
    let report = read(&plan, &[("police.xlsx", return_xlsx("Police", &[(Id::Number(1.1), "Green"), (Id::Number(2.1), "Amber")]))]);
    let matched: Vec<&str> = report.returns[0].updates.iter().map(|u| u.action_id.as_str()).collect();
    assert_eq!(matched, ["1.10", "2.1"]);
    let warnings: Vec<_> = report.diagnostics.iter().filter(|d| d.code == "action-id-number").collect();
    assert_eq!(warnings.len(), 1, "2.1 is written as the plan writes it: {:#?}", report.diagnostics);
    assert_eq!(warnings[0].place.cell_text().as_deref(), Some("A5"));
    assert!(warnings[0].message.contains("read as 1.10"), "{}", warnings[0]);
}

#[test]
fn ids_sort_naturally_where_sorted() {
    let mut ids: Vec<&str> = SCHEMES.iter().flat_map(|(_, ids)| ids.iter().copied()).collect();
    ids.sort_by(|a, b| natural_cmp(a, b));
    let pos = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    assert!(pos("1.2") < pos("1.10") && pos("1.9") < pos("1.10") && pos("1.10") < pos("1.11"));
    assert!(pos("CS2-1") < pos("CS10-1") && pos("CS10-1") < pos("CS21"));
    assert!(pos("DA 2") < pos("DA 3") && pos("DA 3") < pos("DA 10"));
    assert!(pos("P1-A3") < pos("P1-A10"));
}

/// A project folder with this plan and a return from each agency.
fn project(ids: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir_all(input.join("returns")).unwrap();
    std::fs::write(input.join("plan.toml"), plan_toml(ids)).unwrap();
    std::fs::write(dir.path().join("csp-report.toml"), "period = \"2018-19 Q3\"\n").unwrap();
    let police: Vec<(Id, &str)> = ids.iter().map(|id| (Id::Text(typed_variants(id)[3].clone()), "Green")).collect();
    let council: Vec<(Id, &str)> = ids.iter().skip(1).step_by(2).map(|id| (Id::Text(id.to_lowercase()), "Amber")).collect();
    std::fs::write(input.join("returns/police.xlsx"), return_xlsx("Police", &police)).unwrap();
    std::fs::write(input.join("returns/council.xlsx"), return_xlsx("Council", &council)).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("csp-report")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1548028800")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn plans_of_each_scheme_build_end_to_end() {
    for (name, ids) in SCHEMES {
        let dir = project(ids);
        let out = run(dir.path(), &["validate"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let out = run(dir.path(), &["build"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let folder = dir.path().join("output/2018-19-Q3");
        let mut csv = csv::Reader::from_path(folder.join("progress.csv")).unwrap();
        let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        let headers = csv.headers().unwrap().clone();
        let column = |row: &csv::StringRecord, name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_string();
        let leads: Vec<(String, String)> =
            rows.iter().filter(|r| column(r, "role") == "lead").map(|r| (column(r, "action_id"), column(r, "status"))).collect();
        let mut expected = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            expected.push((id.to_string(), "green".to_string()));
            if i % 2 == 1 {
                expected.push((id.to_string(), "amber".to_string()));
            }
        }
        assert_eq!(leads, expected, "{name}: every lead's status, in plan order");
        let html = std::fs::read_to_string(folder.join("board-report.html")).unwrap();
        for id in *ids {
            let anchor = csp_report::render::context::anchor("action", id);
            assert!(html.contains(&format!("id=\"{anchor}\"")), "{name}: {id}'s anchor {anchor} in the HTML");
            assert!(html.contains(id), "{name}: {id} in the HTML");
        }
        // Each action's anchor is its own: CS2-1 and CS21 do not share one.
        let anchors: Vec<String> = ids.iter().map(|id| csp_report::render::context::anchor("action", id)).collect();
        let unique: std::collections::BTreeSet<&String> = anchors.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{name}: {anchors:?}");
    }
}
