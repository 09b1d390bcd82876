//! The return forms, read back as the returns reader and a person would see
//! them: one per lead agency with exactly its actions, the agreed labels,
//! header and metadata sheet, protection and validation in place, safe file
//! names, byte-identical output, filled values and last quarter's pre-fill.

use calamine::{open_workbook_from_rs, Data, Range, Reader, SheetVisible, Xlsx};
use chrono::NaiveDate;
use csp_report::diagnostics::Severity;
use csp_report::excel::{CELL_LIMIT, CELL_TRUNCATED};
use csp_report::forms::{
    build_form, build_forms, col, FilledRow, FilledValue, Form, FormSettings, HEADERS, HEADER_ROW, METADATA_SHEET, PROGRESS_SHEET,
};
use csp_report::history::{History, PastAction, PastUpdate, PreviousPeriod};
use csp_report::plan::{load_plan, Period, Plan};
use csp_report::status::Status;
use std::io::{Cursor, Read};
use std::path::Path;

fn shipped() -> Plan {
    load_plan(Path::new("input/plan.toml")).expect("the shipped plan loads")
}

fn q3() -> Period {
    "2018-19 Q3".parse().unwrap()
}

fn settings() -> FormSettings {
    FormSettings {
        deadline: NaiveDate::from_ymd_opt(2019, 1, 14).unwrap(),
        contact: "the CSP coordinator, csp@example.org".to_string(),
        generated: NaiveDate::from_ymd_opt(2018, 12, 31).unwrap(),
    }
}

type Book = Xlsx<Cursor<Vec<u8>>>;

fn open(bytes: &[u8]) -> Book {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("the form opens with calamine")
}

fn sheet(book: &mut Book, name: &str) -> Range<Data> {
    book.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn text(range: &Range<Data>, row: u32, col: u16) -> String {
    match range.get_value((row, u32::from(col))) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The value beside a label cell in column A, wherever it is.
fn labelled(range: &Range<Data>, label: &str) -> Option<String> {
    (0..HEADER_ROW).find(|r| text(range, *r, 0) == label).map(|r| text(range, r, 1))
}

/// Action IDs in column A below the header row.
fn ids(range: &Range<Data>) -> Vec<String> {
    let end = range.end().map(|(r, _)| r).unwrap_or(0);
    (HEADER_ROW + 1..=end).map(|r| text(range, r, col::ACTION_ID)).filter(|id| !id.is_empty()).collect()
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut entry = archive.by_name(name).unwrap_or_else(|_| panic!("{name} in the xlsx"));
    let mut out = String::new();
    entry.read_to_string(&mut out).unwrap();
    out
}

fn form_for<'a>(forms: &'a [Form], agency: &str) -> &'a Form {
    forms.iter().find(|f| f.agency_id == agency).unwrap_or_else(|| panic!("no form for {agency}"))
}

#[test]
fn every_lead_agency_gets_a_form_with_exactly_its_actions() {
    let plan = shipped();
    let forms = build_forms(&plan, q3(), None, &settings()).unwrap();
    assert_eq!(forms.len(), 22);
    let agencies: Vec<&str> = plan.lead_agencies().map(|a| a.id.as_str()).collect();
    assert_eq!(forms.iter().map(|f| f.agency_id.as_str()).collect::<Vec<_>>(), agencies);
    for form in &forms {
        assert_eq!(form.file_name, format!("return-2018-19-Q3-{}.xlsx", form.agency_id));
        let mut book = open(&form.bytes);
        let progress = sheet(&mut book, PROGRESS_SHEET);
        let expected: Vec<String> = plan.actions_led_by(&form.agency_id).map(|a| a.id.clone()).collect();
        assert_eq!(ids(&progress), expected, "{}", form.agency_id);
        assert_eq!(form.actions, expected.len());
        let agency = plan.agency(&form.agency_id).unwrap();
        assert_eq!(labelled(&progress, "Agency:").as_deref(), Some(agency.name.as_str()));
        assert_eq!(labelled(&progress, "Period:").as_deref(), Some("2018-19 Q3"));
        assert_eq!(labelled(&progress, "Partnership:").as_deref(), Some("Preston Community Safety Partnership"));
        assert_eq!(labelled(&progress, "Return by:").as_deref(), Some("Monday 14 January 2019"));
        assert_eq!(labelled(&progress, "Contact:").as_deref(), Some("the CSP coordinator, csp@example.org"));
        let header: Vec<String> = (0..HEADERS.len() as u16).map(|c| text(&progress, HEADER_ROW, c)).collect();
        assert_eq!(header, HEADERS);
    }
}

#[test]
fn rows_carry_the_plan_and_co_leads() {
    let plan = shipped();
    let forms = build_forms(&plan, q3(), None, &settings()).unwrap();
    let mut book = open(&form_for(&forms, "bid").bytes);
    let progress = sheet(&mut book, PROGRESS_SHEET);
    let row = HEADER_ROW + 1; // CS1, co-led by police, UCLan and the council
    assert_eq!(text(&progress, row, col::ACTION_ID), "CS1");
    assert_eq!(text(&progress, row, col::GROUP), "City Safe");
    assert_eq!(text(&progress, row, col::ACTION), plan.action("CS1").unwrap().text);
    assert_eq!(text(&progress, row, col::TIMESCALE), "March 2019");
    let co_leads = text(&progress, row, col::CO_LEADS);
    assert_eq!(
        co_leads.lines().collect::<Vec<_>>(),
        ["Lancashire Constabulary", "University of Central Lancashire", "Preston City Council"]
    );
    assert!(!co_leads.contains("Business Improvement District"), "the agency is not its own co-lead");
    // A sole lead has no co-leads.
    let mut book = open(&form_for(&forms, "cseg-members").bytes);
    let progress = sheet(&mut book, PROGRESS_SHEET);
    assert_eq!(text(&progress, HEADER_ROW + 1, col::ACTION_ID), "EI1");
    assert_eq!(text(&progress, HEADER_ROW + 1, col::CO_LEADS), "");
}

#[test]
fn the_metadata_sheet_identifies_the_form() {
    let plan = shipped();
    let forms = build_forms(&plan, q3(), None, &settings()).unwrap();
    let form = form_for(&forms, "forum-members");
    let mut book = open(&form.bytes);
    let meta = book.sheets_metadata().iter().find(|s| s.name == METADATA_SHEET).expect("metadata sheet").clone();
    assert_eq!(meta.visible, SheetVisible::Hidden);
    let progress_meta = &book.sheets_metadata()[0];
    assert_eq!((progress_meta.name.as_str(), progress_meta.visible), (PROGRESS_SHEET, SheetVisible::Visible));
    let range = sheet(&mut book, METADATA_SHEET);
    let rows: Vec<(String, String)> = (0..6).map(|r| (text(&range, r, 0), text(&range, r, 1))).collect();
    let expected = [
        ("form_schema", "csp-report-form/1"),
        ("agency_id", "forum-members"),
        ("agency_name", "Forum members"),
        ("period", "2018-19 Q3"),
        ("plan_hash", plan.hash.as_str()),
        ("generated", "2018-12-31"),
    ];
    assert_eq!(rows, expected.map(|(k, v)| (k.to_string(), v.to_string())));
    assert_eq!(plan.hash.len(), 16);
}

#[test]
fn forms_are_protected_without_a_password_and_validate_input() {
    let plan = shipped();
    let forms = build_forms(&plan, q3(), None, &settings()).unwrap();
    let bytes = &form_for(&forms, "police").bytes;
    let sheet_xml = zip_entry(bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet_xml.contains("<sheetProtection"), "the Progress sheet is protected");
    assert!(!sheet_xml.contains("password"), "without a password");
    // Police lead 12 actions: rows 9 to 20 (1-based) carry the validations.
    assert!(sheet_xml.contains(r#"<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1""#), "{sheet_xml}");
    assert!(sheet_xml.contains(r#"sqref="F9:F20"><formula1>"Complete,Green,Amber,Red,Not started"</formula1>"#));
    assert!(
        sheet_xml.contains(r#"<dataValidation type="whole""#)
            && sheet_xml.contains(r#"sqref="G9:G20"><formula1>0</formula1><formula2>100</formula2>"#)
    );
    assert!(sheet_xml.contains(r#"<dataValidation type="date""#) && sheet_xml.contains(r#"sqref="K9:K20""#));
    assert!(
        sheet_xml.contains(r#"<pane xSplit="1" ySplit="8" topLeftCell="B9" activePane="bottomRight" state="frozen"/>"#),
        "frozen header"
    );
    assert!(sheet_xml.contains(r#"orientation="landscape""#) && sheet_xml.contains(r#"fitToHeight="0""#), "landscape, fit to width");
    let workbook_xml = zip_entry(bytes, "xl/workbook.xml");
    assert!(workbook_xml.contains(r#"<sheet name="csp-report" sheetId="2" state="hidden""#), "{workbook_xml}");
    assert!(workbook_xml.contains("_xlnm.Print_Titles") && workbook_xml.contains("Progress!$8:$8"), "the header row repeats on every page");
    let styles = zip_entry(bytes, "xl/styles.xml");
    assert!(styles.contains(r#"<protection locked="0"/>"#), "input cells are unlocked");
    let core = zip_entry(bytes, "docProps/core.xml");
    assert!(core.contains("2018-12-31T00:00:00Z"), "creation date is the stamp, not the clock: {core}");
}

#[test]
fn two_runs_give_byte_identical_forms() {
    let plan = shipped();
    let first = build_forms(&plan, q3(), None, &settings()).unwrap();
    let second = build_forms(&plan, q3(), None, &settings()).unwrap();
    assert_eq!(first, second);
}

#[test]
fn hostile_agency_ids_and_names_give_safe_file_names() {
    let mut plan = shipped();
    let hostile = [
        ("../../etc/passwd", "Evil & Co <script>"),
        (".hidden", "Dot agency"),
        ("C:\\Windows\\system32", "=HYPERLINK(\"http://x\")"),
        ("...", "Only dots"),
        ("con", "Same name as its neighbour"),
        ("CON", "Same name again"),
    ];
    let first_ids: Vec<String> = plan.agencies.iter().take(hostile.len()).map(|a| a.id.clone()).collect();
    for ((old, (id, name)), agency) in first_ids.iter().zip(hostile).zip(plan.agencies.iter_mut()) {
        assert_eq!(&agency.id, old);
        agency.id = id.to_string();
        agency.name = name.to_string();
    }
    for group in &mut plan.groups {
        for action in &mut group.actions {
            for lead in &mut action.leads {
                if let Some(i) = first_ids.iter().position(|o| o == lead) {
                    *lead = hostile[i].0.to_string();
                }
            }
        }
    }
    let forms = build_forms(&plan, q3(), None, &settings()).unwrap();
    let names: Vec<&str> = forms.iter().map(|f| f.file_name.as_str()).collect();
    for name in &names {
        assert!(!name.contains(['/', '\\', ':']) && !name.starts_with('.'), "{name}");
        assert!(name.starts_with("return-2018-19-Q3-") && name.ends_with(".xlsx"), "{name}");
    }
    let mut unique = names.clone();
    unique.sort_unstable_by_key(|n| n.to_ascii_lowercase());
    unique.dedup_by_key(|n| n.to_ascii_lowercase());
    assert_eq!(unique.len(), names.len(), "no form overwrites another: {names:?}");
    assert!(names.contains(&"return-2018-19-Q3-etc-passwd.xlsx"), "{names:?}");
    // The hostile name is data, written as text, never a formula.
    let form = forms.iter().find(|f| f.agency_name.starts_with("=HYPERLINK")).unwrap();
    let sheet_xml = zip_entry(&form.bytes, "xl/worksheets/sheet1.xml");
    assert!(!sheet_xml.contains("<f>"), "no formula in the form");
    let mut book = open(&form.bytes);
    let progress = sheet(&mut book, PROGRESS_SHEET);
    assert_eq!(labelled(&progress, "Agency:").as_deref(), Some("=HYPERLINK(\"http://x\")"));
}

#[test]
fn a_filled_form_holds_what_was_typed() {
    let plan = shipped();
    let agency = plan.agency("clcrc").unwrap();
    let fill = [
        FilledRow {
            action_id: "RO5".into(),
            status: Some(FilledValue::Text("Amber".into())),
            percent: Some(FilledValue::Number(60.0)),
            update: "Programme running in HMP Preston.\nSecond cohort started in November.".into(),
            next_steps: "Evaluate the first cohort.".into(),
            issues_risks: "Prison regime restrictions.".into(),
            revised_date: Some(FilledValue::Date(NaiveDate::from_ymd_opt(2019, 3, 31).unwrap())),
        },
        FilledRow {
            action_id: "RO2".into(),
            status: Some(FilledValue::Text("Gren".into())),
            percent: Some(FilledValue::Text("50%".into())),
            revised_date: Some(FilledValue::Text("13/13/2018".into())),
            ..FilledRow::default()
        },
        // An action the CRC does not lead, added below the plan's rows.
        FilledRow { action_id: "RO1".into(), status: Some(FilledValue::Text("Green".into())), ..FilledRow::default() },
    ];
    let bytes = build_form(&plan, agency, q3(), None, &settings(), &fill).unwrap().bytes;
    let mut book = open(&bytes);
    let progress = sheet(&mut book, PROGRESS_SHEET);
    assert_eq!(ids(&progress), ["RO2", "RO3", "RO4", "RO5", "RO1"]);
    let ro5 = HEADER_ROW + 4;
    assert_eq!(text(&progress, ro5, col::STATUS), "Amber");
    assert_eq!(progress.get_value((ro5, u32::from(col::PERCENT))), Some(&Data::Float(60.0)));
    assert_eq!(text(&progress, ro5, col::UPDATE), "Programme running in HMP Preston.\nSecond cohort started in November.");
    assert_eq!(text(&progress, ro5, col::NEXT_STEPS), "Evaluate the first cohort.");
    assert_eq!(text(&progress, ro5, col::ISSUES), "Prison regime restrictions.");
    match progress.get_value((ro5, u32::from(col::REVISED_DATE))) {
        Some(Data::DateTime(d)) => assert_eq!(d.as_f64(), 43555.0, "31/03/2019 as an Excel serial"),
        other => panic!("revised date is {other:?}"),
    }
    let ro2 = HEADER_ROW + 1;
    assert_eq!(text(&progress, ro2, col::STATUS), "Gren");
    assert_eq!(text(&progress, ro2, col::PERCENT), "50%");
    assert_eq!(text(&progress, ro2, col::REVISED_DATE), "13/13/2018");
    assert_eq!(text(&progress, ro2 + 1, col::STATUS), "", "RO3 left blank");
    let ro1 = HEADER_ROW + 5;
    assert_eq!(text(&progress, ro1, col::ACTION), plan.action("RO1").unwrap().text);
}

#[test]
fn last_quarters_status_and_update_are_pre_filled() {
    let plan = shipped();
    let mut history = History::default();
    let mut leads = std::collections::BTreeMap::new();
    leads.insert("police".to_string(), PastUpdate::new(Status::Amber, "Radio link procurement delayed."));
    leads.insert("bid".to_string(), PastUpdate::new(Status::Green, "BCP meets monthly."));
    history.actions.insert("CS1".to_string(), PastAction { leads, ..PastAction::new(Status::Amber) });
    let previous =
        PreviousPeriod { period: q3().previous(), source: "output/2018-19-Q2/progress.csv".into(), from_returns: false, history };
    let forms = build_forms(&plan, q3(), Some(&previous), &settings()).unwrap();
    let mut book = open(&form_for(&forms, "police").bytes);
    let progress = sheet(&mut book, PROGRESS_SHEET);
    let cs1 = HEADER_ROW + 1;
    assert_eq!(text(&progress, cs1, col::ACTION_ID), "CS1");
    assert_eq!(text(&progress, cs1, col::PREVIOUS_STATUS), "Amber");
    assert_eq!(text(&progress, cs1, col::PREVIOUS_UPDATE), "Radio link procurement delayed.");
    assert_eq!(text(&progress, cs1 + 1, col::PREVIOUS_STATUS), "", "CS2 has no history");
    // Each lead sees its own previous update, not another's.
    let mut book = open(&form_for(&forms, "bid").bytes);
    let progress = sheet(&mut book, PROGRESS_SHEET);
    assert_eq!(text(&progress, cs1, col::PREVIOUS_UPDATE), "BCP meets monthly.");
    // A lead with no previous entry for the action sees nothing.
    let mut book = open(&form_for(&forms, "uclan").bytes);
    let progress = sheet(&mut book, PROGRESS_SHEET);
    assert_eq!(text(&progress, cs1, col::PREVIOUS_STATUS), "");
}

#[test]
fn an_over_long_previous_update_is_cut_visibly_with_a_warning() {
    let plan = shipped();
    // 40,000 characters: more than an Excel cell holds.
    let long = "Radio link procurement delayed. ".repeat(1_250);
    assert!(long.encode_utf16().count() > CELL_LIMIT);
    let mut leads = std::collections::BTreeMap::new();
    leads.insert("police".to_string(), PastUpdate::new(Status::Amber, long.clone()));
    let mut history = History::default();
    history.actions.insert("CS1".to_string(), PastAction { leads, ..PastAction::new(Status::Amber) });
    let previous =
        PreviousPeriod { period: q3().previous(), source: "output/2018-19-Q2/progress.csv".into(), from_returns: false, history };
    let forms = build_forms(&plan, q3(), Some(&previous), &settings()).expect("a long update does not stop the forms");

    let police = form_for(&forms, "police");
    let mut book = open(&police.bytes);
    let progress = sheet(&mut book, PROGRESS_SHEET);
    let cs1 = HEADER_ROW + 1;
    let shown = text(&progress, cs1, col::PREVIOUS_UPDATE);
    assert!(shown.encode_utf16().count() <= CELL_LIMIT);
    let (kept, marker) = shown.rsplit_once('…').expect("the cut is marked");
    assert!(long.starts_with(kept), "the start of the update is shown as written");
    let hidden = long.chars().count() - kept.chars().count();
    assert_eq!(marker, format!(" [cut: {hidden} characters not shown; see output/2018-19-Q2/progress.csv]"));

    // The coordinator is told, at the cell.
    assert_eq!(police.diagnostics.len(), 1, "{:?}", police.diagnostics);
    let warning = &police.diagnostics[0];
    assert_eq!(warning.code, CELL_TRUNCATED);
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.place.to_string(), format!("{} › Progress › M{}", police.file_name, cs1 + 1));
    assert!(warning.message.contains(&format!("leaves {hidden} characters out")), "{}", warning.message);
    // Only the form that shows the long update says so.
    assert!(forms.iter().filter(|f| f.agency_id != "police").all(|f| f.diagnostics.is_empty()));
}

#[test]
fn the_forms_command_prints_a_cut_cell_as_a_warning_and_succeeds() {
    // Last quarter's progress.csv, found through the history folder, with one
    // over-long update for the police on CS1.
    let root = tempfile::tempdir().unwrap();
    let q2 = root.path().join("history/2018-19-Q2");
    std::fs::create_dir_all(&q2).unwrap();
    let long = "Delayed. ".repeat(4_000);
    let csv = format!("period,action_id,lead,status,update,overall_status\n2018-19 Q2,CS1,police,amber,{long},amber\n");
    std::fs::write(q2.join("progress.csv"), csv).unwrap();
    std::fs::create_dir_all(root.path().join("returns")).unwrap();
    let plan = std::fs::canonicalize("input/plan.toml").unwrap();
    let config = format!(
        "plan = {plan:?}\nreturns = \"returns\"\noutput = \"out\"\nhistory = \"history\"\nperiod = \"2018-19 Q3\"\n",
        plan = plan.display().to_string()
    );
    std::fs::write(root.path().join("csp-report.toml"), config).unwrap();
    let output = assert_cmd::Command::cargo_bin("csp-report")
        .unwrap()
        .current_dir(root.path())
        .args(["--color", "never", "forms"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("return-2018-19-Q3-police.xlsx › Progress › M9: warning [cell-truncated]"), "{stderr}");
    assert!(root.path().join("out/2018-19-Q3/forms/return-2018-19-Q3-police.xlsx").is_file());
}

#[test]
fn the_binary_writes_the_forms_into_the_out_folder() {
    let out = tempfile::tempdir().unwrap();
    let assert = assert_cmd::Command::cargo_bin("csp-report")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["forms", "--period", "2018-19 Q2", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let mut written: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    let (drafts, forms): (Vec<String>, Vec<String>) = written.iter().cloned().partition(|n| n.ends_with(".eml"));
    assert_eq!(forms.len(), 22, "{written:?}");
    assert_eq!(drafts.len(), 22, "an email draft per form: {written:?}");
    assert!(drafts.contains(&"police.eml".to_string()), "{drafts:?}");
    assert!(forms.iter().all(|n| n.starts_with("return-2018-19-Q2-") && n.ends_with(".xlsx")), "no temporary files left: {written:?}");
    assert!(stdout.contains("police") && stdout.contains("12 actions") && stdout.contains("return-2018-19-Q2-police.xlsx"), "{stdout}");
    assert!(stdout.contains("Wrote 22 forms for 2018-19 Q2 (63 action rows)"), "{stdout}");
    assert!(stdout.contains("due by 14/10/2018"), "Q2 ends 30 September; 14 days later: {stdout}");
    let bytes = std::fs::read(out.path().join("return-2018-19-Q2-police.xlsx")).unwrap();
    let mut book = open(&bytes);
    assert_eq!(labelled(&sheet(&mut book, PROGRESS_SHEET), "Period:").as_deref(), Some("2018-19 Q2"));
}

#[test]
fn the_binary_needs_a_readable_plan() {
    let out = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("csp-report")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["forms", "--plan", "no/such/plan.toml", "--out"])
        .arg(out.path())
        .assert()
        .code(2);
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

/// LibreOffice opens the form without a repair prompt and prints it: the
/// headless conversion to PDF succeeds and the action text is on the page.
#[test]
fn libreoffice_converts_a_form_to_pdf() {
    let found = std::process::Command::new("libreoffice").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        println!("skipped: libreoffice is not installed (apt-get install libreoffice-calc-nogui to run this check)");
        return;
    }
    let plan = shipped();
    let forms = build_forms(&plan, q3(), None, &settings()).unwrap();
    let form = form_for(&forms, "clcrc");
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join(&form.file_name);
    std::fs::write(&xlsx, &form.bytes).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
    let status = std::process::Command::new("libreoffice")
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&xlsx)
        .output()
        .unwrap();
    let pdf = dir.path().join(form.file_name.replace(".xlsx", ".pdf"));
    assert!(status.status.success() && pdf.is_file(), "conversion failed: {}", String::from_utf8_lossy(&status.stderr));
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(size > 5_000, "the PDF has content ({size} bytes)");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output();
    match text {
        Ok(out) if out.status.success() => {
            let page = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(page.contains("Cumbria and Lancashire Community Rehabilitation Company"), "{page}");
            assert!(page.contains("Implement voluntary domestic abuse perpetrator"), "{page}");
            assert!(page.contains("Progress update") && page.contains("Status key"), "{page}");
        }
        _ => println!("pdftotext not installed: checked the conversion only"),
    }
}

/// `E13` → (12, 4), 0-based.
fn cell_position(name: &str) -> (u32, u32) {
    let letters: String = name.chars().take_while(char::is_ascii_alphabetic).collect();
    let col = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1)) - 1;
    let row: u32 = name[letters.len()..].parse().unwrap();
    (row - 1, col)
}

/// The rows of PLANTED.md's first table: (file, place, code).
fn planted_mistakes() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string("input/PLANTED.md").expect("PLANTED.md is committed");
    let table = text.split("## Planted mistakes").nth(1).unwrap().split("##").next().unwrap();
    table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_string(), cells[2].to_string(), cells[3].trim_matches('`').to_string())
        })
        .collect()
}

/// The shipped example holds what PLANTED.md says, where it says: the file
/// exists and the named cell carries the planted mistake.
#[test]
fn the_shipped_example_holds_the_planted_mistakes() {
    let planted = planted_mistakes();
    let codes: Vec<&str> = planted.iter().map(|p| p.2.as_str()).collect();
    assert_eq!(codes.len(), 5, "{planted:?}");
    for code in ["unknown-status", "percent-out-of-range", "bad-date", "unknown-action", "missing-update"] {
        assert!(codes.contains(&code), "{code} is planted");
    }
    for (file, place, code) in &planted {
        assert!(file.starts_with("2018-19-Q3/"), "Q2 is clean: {file}");
        let path = Path::new("input/returns").join(file);
        if file.ends_with(".csv") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.starts_with('\u{feff}'), "UTF-8 with a byte-order mark");
            let line: usize = place.strip_prefix("line ").unwrap().split(',').next().unwrap().parse().unwrap();
            let row = text.split("\r\n").nth(line - 1).unwrap();
            assert_eq!(code, "bad-date");
            assert!(row.ends_with(";13/13/2018"), "{row}");
            continue;
        }
        let (sheet_name, cell_name) = place.split_once(" › ").unwrap();
        let mut book = calamine::open_workbook_auto(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let range = book.worksheet_range(sheet_name).unwrap();
        let (row, col) = cell_position(cell_name);
        let value = range.get_value((row, col)).cloned().unwrap_or(Data::Empty);
        match code.as_str() {
            "unknown-status" => assert_eq!(value, Data::String("Gren".into()), "{file} {place}"),
            "unknown-action" => assert_eq!(value, Data::String("DA9".into()), "{file} {place}"),
            "percent-out-of-range" => assert_eq!(value.to_string(), "150", "{file} {place}"),
            "missing-update" => {
                assert_eq!(value, Data::String("Amber".into()), "{file} {place}");
                let update_col = (0..=range.end().unwrap().1)
                    .find(|c| matches!(range.get_value((HEADER_ROW, *c)), Some(Data::String(h)) if h == "Progress update"))
                    .unwrap();
                assert!(
                    range.get_value((row, update_col)).is_none_or(|v| v.to_string().trim().is_empty()),
                    "no update in {file} row {row}"
                );
            }
            other => panic!("unexpected planted code {other}"),
        }
    }
}

/// Every lead agency returned in Q1, Q2 and Q4; all but Public Health in Q3; the forms
/// in each folder are that period's forms.
#[test]
fn the_shipped_example_has_a_return_per_agency_but_one() {
    let plan = shipped();
    for (folder, expected) in [("2018-19-Q1", 22), ("2018-19-Q2", 22), ("2018-19-Q3", 21), ("2018-19-Q4", 22)] {
        let dir = Path::new("input/returns").join(folder);
        let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), expected, "{folder}: {files:?}");
        let mut agencies = Vec::new();
        for path in &files {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".csv") {
                agencies.push(name.split('-').next().unwrap().to_string());
                continue;
            }
            let mut book = calamine::open_workbook_auto(path).unwrap_or_else(|e| panic!("{name}: {e}"));
            match book.worksheet_range(METADATA_SHEET) {
                Ok(meta) => {
                    assert_eq!(text(&meta, 3, 1), folder.replace("-Q", " Q"), "{name}");
                    assert_eq!(
                        text(&meta, 4, 1),
                        plan.hash,
                        "{name} was made from another version of the plan: run `cargo run --example make_example_returns`"
                    );
                    agencies.push(text(&meta, 1, 1));
                }
                Err(_) => {
                    let first = book.sheet_names().into_iter().find_map(|s| {
                        let range = book.worksheet_range(&s).ok()?;
                        let label = (0..10).find(|r| matches!(text(&range, *r, 0).as_str(), "Agency:" | "Organisation:"))?;
                        Some(text(&range, label, 1))
                    });
                    agencies.push(plan.find_agency(&first.unwrap_or_else(|| panic!("{name} names its agency"))).unwrap().id.clone());
                }
            }
        }
        agencies.sort();
        let mut leads: Vec<String> =
            plan.lead_agencies().map(|a| a.id.clone()).filter(|a| !folder.ends_with("Q3") || a != "public-health").collect();
        leads.sort();
        assert_eq!(agencies, leads, "{folder}");
    }
}

/// Without --out, forms go to OUTPUT/PERIOD/forms/ as the config file says.
#[test]
fn the_binary_writes_to_the_configured_output_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/plan.toml");
    let config = dir.path().join("csp-report.toml");
    std::fs::write(
        &config,
        format!("plan = {:?}\noutput = \"out\"\nperiod = \"2018-19 Q3\"\n[forms]\ndeadline_days = 21\n", plan.display().to_string()),
    )
    .unwrap();
    let assert = assert_cmd::Command::cargo_bin("csp-report").unwrap().arg("--config").arg(&config).arg("forms").assert().success();
    let forms = dir.path().join("out/2018-19-Q3/forms");
    assert_eq!(
        std::fs::read_dir(&forms).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "xlsx")).count(),
        22
    );
    assert_eq!(std::fs::read_dir(&forms).unwrap().count(), 44, "each form and its email draft");
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("due by 21/01/2019"), "deadline_days from the config: {stdout}");
    let mut book = open(&std::fs::read(forms.join("return-2018-19-Q3-cga.xlsx")).unwrap());
    let progress = sheet(&mut book, PROGRESS_SHEET);
    assert_eq!(labelled(&progress, "Return by:").as_deref(), Some("Monday 21 January 2019"));
    assert_eq!(ids(&progress), ["ASB1", "ASB2"]);
}

/// No period anywhere is a usage error that says how to give one.
#[test]
fn the_binary_asks_for_a_period() {
    let dir = tempfile::tempdir().unwrap();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/plan.toml");
    let config = dir.path().join("csp-report.toml");
    std::fs::write(&config, format!("plan = {:?}\noutput = \"out\"\n", plan.display().to_string())).unwrap();
    let assert = assert_cmd::Command::cargo_bin("csp-report").unwrap().arg("--config").arg(&config).arg("forms").assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("--period \"2018-19 Q3\""), "{stderr}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}
