//! The plan as a workbook: `plan --export FILE.xlsx` writes every part of
//! the plan on its own sheet, formatted for editing; reading it back gives
//! the same plan (and the same version hash), so a build from the workbook
//! writes the same progress.csv as one from the TOML; every problem in the
//! workbook is placed at its sheet and cell.

use assert_cmd::Command;
use calamine::{Data, Reader};
use csp_report::plan::workbook::{read_plan_workbook, write_plan_workbook};
use csp_report::plan::{export::to_toml, load_plan, parse_plan, Plan, PlanError};
use std::io::Read;
use std::path::Path;

fn shipped() -> Plan {
    load_plan(Path::new("input/plan.toml")).expect("the shipped plan loads")
}

fn problems(bytes: &[u8]) -> Vec<csp_report::diagnostics::Diagnostic> {
    match read_plan_workbook(bytes, "plan.xlsx") {
        Err(PlanError::Invalid { problems, .. }) => problems,
        Ok(_) => panic!("the workbook loaded"),
        Err(e) => panic!("{e}"),
    }
}

/// The text of one part of the xlsx package.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn the_round_trip_gives_the_same_plan_and_version() {
    let plan = shipped();
    let bytes = write_plan_workbook(&plan).unwrap();
    let back = read_plan_workbook(&bytes, "plan.xlsx").expect("the exported workbook loads");
    assert_eq!(back, plan);
    assert_eq!(back.hash, plan.hash, "the same plan has the same version, whatever it was read from");
    // And back to TOML: the same text as the TOML export of the original, which loads as the same plan.
    assert_eq!(to_toml(&back), to_toml(&plan));
    assert_eq!(parse_plan(&to_toml(&plan), "export.toml").unwrap(), plan);
    // Deterministic.
    assert_eq!(write_plan_workbook(&plan).unwrap(), bytes);
}

#[test]
fn the_version_follows_the_content_not_the_comments() {
    let text = std::fs::read_to_string("input/plan.toml").unwrap();
    let plan = parse_plan(&text, "plan.toml").unwrap();
    let commented = parse_plan(&format!("# a new comment\n{text}"), "plan.toml").unwrap();
    assert_eq!(commented.hash, plan.hash);
    let changed = parse_plan(&text.replace("Accounts for 35% of Harm", "Accounts for 36% of Harm"), "plan.toml").unwrap();
    assert_ne!(changed.hash, plan.hash);
}

#[test]
fn the_workbook_has_the_sheets_and_columns_the_coordinator_edits() {
    let plan = shipped();
    let bytes = write_plan_workbook(&plan).unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["Instructions", "Partnership", "Priorities", "Tags", "Groups", "Actions", "Agencies", "Glossary"]);
    let header = |book: &mut calamine::Xlsx<_>, sheet: &str| -> Vec<String> {
        let range = book.worksheet_range(sheet).unwrap();
        range.rows().next().unwrap().iter().map(|c| c.to_string()).collect()
    };
    assert_eq!(header(&mut book, "Priorities"), ["ID", "Name", "Evidence", "Aims", "Current work", "Planned activity"]);
    assert_eq!(header(&mut book, "Groups"), ["ID", "Name", "Tags"]);
    assert_eq!(header(&mut book, "Agencies"), ["ID", "Name", "Aliases", "Contact name", "Contact email"]);
    assert_eq!(&header(&mut book, "Actions")[..6], ["Group", "Action ID", "Action", "Timescale", "Lead", "Second lead"]);
    // Lists are one item per line in a cell.
    let priorities = book.worksheet_range("Priorities").unwrap();
    assert_eq!(priorities.get_value((1, 2)), Some(&Data::String(plan.priorities[0].evidence.join("\n"))));
    // Every action is a row, with its first lead in column E.
    let actions = book.worksheet_range("Actions").unwrap();
    assert_eq!(actions.height() - 1, plan.actions().count());
    assert_eq!(actions.get_value((1, 1)), Some(&Data::String("CS1".into())));
    assert_eq!(actions.get_value((1, 4)), Some(&Data::String("police".into())));
    let partnership = book.worksheet_range("Partnership").unwrap();
    assert_eq!(partnership.get_value((1, 1)), Some(&Data::String(plan.partnership.name.clone())));

    // Formatted for editing: frozen header, filter, dropdowns on group, leads and timescale, wrapped text.
    let actions_xml = part(&bytes, "xl/worksheets/sheet6.xml");
    assert!(actions_xml.contains(r#"state="frozen""#), "frozen header");
    assert!(actions_xml.contains("<autoFilter"), "filter");
    assert!(actions_xml.contains("<formula1>Groups!$A$2:"), "group dropdown");
    assert!(actions_xml.contains("<formula1>Agencies!$A$2:"), "lead dropdown");
    assert!(actions_xml.contains("Ongoing,2018-19 Q1"), "timescale dropdown");
    assert!(part(&bytes, "xl/styles.xml").contains(r#"wrapText="1""#));
    assert!(part(&bytes, "xl/worksheets/sheet1.xml").contains("<c "), "instructions");
}

/// The shipped plan's workbook with one action's first lead misspelt.
fn with_misspelt_lead() -> Vec<u8> {
    let mut plan = shipped();
    plan.groups[0].actions[2].leads[0] = "polise".into();
    write_plan_workbook(&plan).unwrap()
}

#[test]
fn a_misspelt_lead_is_placed_at_its_cell() {
    let found = problems(&with_misspelt_lead());
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0];
    assert_eq!(d.code, "plan-unknown-lead");
    assert_eq!(d.place.to_string(), "plan.xlsx › Actions › E4", "CS3 is on row 4");
    assert!(d.message.contains("\"polise\""), "{d}");
    assert_eq!(d.hint.as_deref(), Some("did you mean \"police\"?"));
}

#[test]
fn every_kind_of_workbook_problem_is_placed() {
    let mut plan = shipped();
    plan.groups[1].actions[0].group = "soc".into(); // row 7: an unknown group
    plan.groups[0].actions[1].timescale.written = "Soon".into(); // row 3
    plan.agencies[0].contact.email = Some("not an address".into());
    let found = problems(&write_plan_workbook(&plan).unwrap());
    let places: Vec<(String, &str)> = found.iter().map(|d| (d.place.to_string(), d.code)).collect();
    assert_eq!(
        places,
        [
            ("plan.xlsx › Actions › D3".to_string(), "plan-bad-timescale"),
            ("plan.xlsx › Actions › A7".to_string(), "plan-unknown-group"),
            ("plan.xlsx › Agencies › E2".to_string(), "plan-bad-email"),
        ]
    );
}

/// Writes one cell of a hand-made workbook.
type Put<'a> = &'a dyn Fn(&mut rust_xlsxwriter::Worksheet, u32, u16);

/// A minimal workbook written by hand, with the Actions rows given.
fn hand_made(actions: &[[Put; 5]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Partnership").unwrap();
    for (r, (label, value)) in
        [("Label", "Value"), ("Name", "Testshire CSP"), ("Plan title", "Plan"), ("Plan year", "2019-20")].iter().enumerate()
    {
        sheet.write_string(r as u32, 0, *label).unwrap();
        sheet.write_string(r as u32, 1, *value).unwrap();
    }
    let sheet = book.add_worksheet().set_name("Groups").unwrap();
    sheet.write_row(0, 0, ["ID", "Name"]).unwrap();
    sheet.write_row(1, 0, ["safer", "Safer Streets"]).unwrap();
    let sheet = book.add_worksheet().set_name("Agencies").unwrap();
    sheet.write_row(0, 0, ["ID", "Name"]).unwrap();
    sheet.write_row(1, 0, ["police", "Police"]).unwrap();
    let sheet = book.add_worksheet().set_name("Actions").unwrap();
    sheet.write_row(0, 0, ["Group", "Action ID", "Action", "Timescale", "Lead"]).unwrap();
    for (r, row) in actions.iter().enumerate() {
        for (c, write) in row.iter().enumerate() {
            write(sheet, r as u32 + 1, c as u16);
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn an_id_excel_made_a_number_is_refused_at_its_cell() {
    let text = |t: &'static str| {
        move |s: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16| {
            s.write_string(r, c, t).unwrap();
        }
    };
    let number = |n: f64| {
        move |s: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16| {
            s.write_number(r, c, n).unwrap();
        }
    };
    let bytes = hand_made(&[
        [&text("safer"), &text("1.2"), &text("Patrols"), &text("Ongoing"), &text("police")],
        [&text("safer"), &number(1.1), &text("Lighting"), &text("Ongoing"), &text("police")],
        [&text("safer"), &number(3.0), &text("Cameras"), &text("Ongoing"), &text("police")],
    ]);
    let found = problems(&bytes);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, "plan-bad-action-id");
    assert_eq!(found[0].place.to_string(), "plan.xlsx › Actions › B3");
    assert!(found[0].message.contains("number 1.1"), "{}", found[0]);
    // A whole number is a fine ID.
    let bytes = hand_made(&[[&text("safer"), &number(3.0), &text("Cameras"), &text("Ongoing"), &text("police")]]);
    let plan = read_plan_workbook(&bytes, "plan.xlsx").unwrap();
    assert_eq!(plan.actions().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["3"]);
    assert_eq!(plan.partnership.short_name, "Testshire CSP");
}

#[test]
fn a_missing_sheet_is_named() {
    let bytes = write_plan_workbook(&shipped()).unwrap();
    // The Actions sheet renamed, as a coordinator might.
    let renamed = {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            let name = f.name().unwrap().to_string();
            if name == "xl/workbook.xml" {
                data = String::from_utf8(data).unwrap().replace("name=\"Actions\"", "name=\"Deeds\"").into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut out, &data).unwrap();
        }
        out.finish().unwrap().into_inner()
    };
    let found = problems(&renamed);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("no Actions sheet"), "{}", found[0]);
    assert!(found[0].hint.as_deref().unwrap().contains("Deeds"), "{:?}", found[0].hint);
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("csp-report")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .args(args)
        .output()
        .unwrap()
}

#[path = "support/project_copy.rs"]
mod project_copy;
use project_copy::project_copy;

#[test]
fn building_from_the_exported_workbook_gives_the_same_progress_csv() {
    let dir = project_copy();
    let out = run(dir.path(), &["plan", "--export", "input/plan.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(dir.path(), &["plan", "--export", "input/plan.toml"]);
    assert_eq!(out.status.code(), Some(2), "never overwrites the plan it reads");
    assert!(String::from_utf8_lossy(&out.stderr).contains("would overwrite the plan it reads"));

    let out = run(dir.path(), &["build", "--out", "from-toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(dir.path(), &["build", "--plan", "input/plan.xlsx", "--out", "from-xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = |folder: &str| std::fs::read(dir.path().join(folder).join("2018-19-Q3/progress.csv")).unwrap();
    assert_eq!(String::from_utf8(csv("from-xlsx")).unwrap(), String::from_utf8(csv("from-toml")).unwrap());
    let validation = |folder: &str| std::fs::read(dir.path().join(folder).join("2018-19-Q3/validation.csv")).unwrap();
    assert_eq!(validation("from-xlsx"), validation("from-toml"), "no plan-version warnings: the workbook is the same plan");

    // plan = "input/plan.xlsx" in csp-report.toml does the same.
    let config = std::fs::read_to_string(dir.path().join("csp-report.toml")).unwrap().replace("input/plan.toml", "input/plan.xlsx");
    std::fs::write(dir.path().join("csp-report.toml"), config).unwrap();
    let out = run(dir.path(), &["plan", "--export", "back.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("back.toml")).unwrap(), to_toml(&shipped()));

    // A misspelt lead: plan and validate exit 1 and name the cell.
    std::fs::write(dir.path().join("input/plan.xlsx"), with_misspelt_lead()).unwrap();
    for command in ["plan", "validate"] {
        let out = run(dir.path(), &[command]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("input/plan.xlsx › Actions › E4") || stderr.contains("input\\plan.xlsx › Actions › E4"),
            "{command}: {stderr}"
        );
    }
}
