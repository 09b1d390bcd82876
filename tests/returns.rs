//! Reading returns end to end: forms as the tool writes them and as people
//! leave them (columns moved, rows inserted, protection removed), agency-made
//! sheets, CSV and .ods, and a table of broken and hostile files, each with
//! the exact error it must give while the good returns beside it are still
//! read. Workbooks are built at test time in temporary folders.

use csp_report::config::Limits;
use csp_report::diagnostics::{Diagnostic, Severity};
use csp_report::plan::{load_plan, Period, Plan};
use csp_report::returns::{read_returns, FileOutcome, Identification, ReadOptions, ReadReport, Update};
use csp_report::status::Status;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

fn plan() -> Plan {
    load_plan(Path::new("input/plan.toml")).expect("the shipped plan loads")
}

fn q3() -> Period {
    "2018-19 Q3".parse().unwrap()
}

fn options() -> ReadOptions {
    ReadOptions { period: Some(q3()), limits: Limits::default() }
}

/// A temporary `returns/` folder.
struct Folder {
    _temp: tempfile::TempDir,
    dir: PathBuf,
}

impl Folder {
    fn new() -> Folder {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("returns");
        std::fs::create_dir(&dir).unwrap();
        Folder { _temp: temp, dir }
    }

    fn put(&self, name: &str, bytes: &[u8]) -> &Self {
        let path = self.dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    fn read(&self) -> ReadReport {
        self.read_with(&options())
    }

    fn read_with(&self, options: &ReadOptions) -> ReadReport {
        let report = read_returns(&self.dir, &plan(), options);
        assert_accounts_balance(&report);
        report
    }
}

/// Every file's rows: read = accepted + rejected + notes, and the accepted
/// rows, rejected rows and notes are those of its return.
fn assert_accounts_balance(report: &ReadReport) {
    for account in &report.accounts {
        assert_eq!(account.rows_read, account.rows_accepted + account.rows_rejected + account.rows_notes, "{account:?}");
        let of_file = || report.returns.iter().filter(|r| r.file == account.file);
        assert_eq!(of_file().map(|r| r.updates.len()).sum::<usize>(), account.rows_accepted, "{account:?}");
        if account.outcome == FileOutcome::Read {
            assert_eq!(of_file().map(|r| r.rejected.len()).sum::<usize>(), account.rows_rejected, "{account:?}");
            assert_eq!(of_file().map(|r| r.notes.len()).sum::<usize>(), account.rows_notes, "{account:?}");
        }
    }
    let (read, accepted, rejected, notes) = report.totals();
    assert_eq!(read, accepted + rejected + notes);
}

fn diagnostics_for<'a>(report: &'a ReadReport, file: &str) -> Vec<&'a Diagnostic> {
    report.diagnostics.iter().filter(|d| d.place.file == file).collect()
}

fn codes(report: &ReadReport, file: &str) -> Vec<&'static str> {
    diagnostics_for(report, file).iter().map(|d| d.code).collect()
}

fn lines(report: &ReadReport) -> Vec<String> {
    report.diagnostics.iter().map(|d| d.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Building workbooks
// ---------------------------------------------------------------------------

/// A value to put in a cell.
#[derive(Clone, Debug)]
enum V {
    S(&'static str),
    N(f64),
    /// A date cell (with a date format), year, month, day.
    D(u16, u8, u8),
}

const FORM_HEADERS: [&str; 13] = [
    "Action ID",
    "Group",
    "Action",
    "Timescale",
    "Co-leads",
    "Status",
    "% complete",
    "Progress update",
    "Next steps",
    "Issues / risks",
    "Revised date",
    "Previous status",
    "Previous update",
];

/// Police's filled-in rows, by header: 7 rows, 4 good, 3 to reject.
fn police_rows() -> Vec<Vec<(&'static str, V)>> {
    vec![
        vec![
            ("Action ID", V::S("CS1")),
            ("Group", V::S("City Safe")),
            ("Action", V::S("Night-time economy")),
            ("Status", V::S("green ")),
            ("% complete", V::N(50.0)),
            ("Progress update", V::S("Patrols in place.\nSecond line — café ✓")),
            ("Next steps", V::S("Review in January")),
        ],
        vec![("Action ID", V::S("cs 2")), ("Status", V::S("At risk")), ("% complete", V::S("75%"))],
        vec![("Action ID", V::S("SOC1")), ("Status", V::S("Gren")), ("Progress update", V::S("fine"))],
        vec![
            ("Action ID", V::S("SOC2")),
            ("Status", V::S("R")),
            ("% complete", V::N(150.0)),
            ("Progress update", V::S("Delayed by staffing")),
            ("Issues / risks", V::S("Two vacancies")),
            ("Revised date", V::S("12/31/2018")),
        ],
        vec![
            ("Action ID", V::S("ASB1")),
            ("Status", V::S("Completed")),
            ("% complete", V::N(1.0)),
            ("Revised date", V::D(2019, 3, 31)),
            ("Progress update", V::S("Done")),
        ],
        vec![("Action ID", V::S("XX1")), ("Status", V::S("Green")), ("Progress update", V::S("?"))],
        vec![("Action ID", V::S("ASB2")), ("Progress update", V::S("Forgot the status"))],
    ]
}

struct FormLayout {
    headers: Vec<&'static str>,
    /// Extra rows inserted above the label block.
    inserted_rows: u32,
    protect: bool,
    metadata: Option<Vec<(&'static str, String)>>,
}

impl FormLayout {
    fn agreed(plan: &Plan) -> FormLayout {
        FormLayout { headers: FORM_HEADERS.to_vec(), inserted_rows: 0, protect: true, metadata: Some(metadata("police", plan)) }
    }
}

fn metadata(agency: &str, plan: &Plan) -> Vec<(&'static str, String)> {
    vec![
        ("form_schema", "csp-report-form/1".into()),
        ("agency_id", agency.into()),
        ("agency_name", plan.agency(agency).map(|a| a.name.clone()).unwrap_or_default()),
        ("period", "2018-19 Q3".into()),
        ("plan_hash", plan.hash.clone()),
        ("generated", "2018-12-31".into()),
    ]
}

fn write_value(sheet: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, value: &V) {
    match value {
        V::S(s) => sheet.write_string(row, col, *s).map(|_| ()).unwrap(),
        V::N(n) => sheet.write_number(row, col, *n).map(|_| ()).unwrap(),
        V::D(y, m, d) => {
            let format = Format::new().set_num_format("dd/mm/yyyy");
            sheet.write_datetime_with_format(row, col, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &format).map(|_| ()).unwrap()
        }
    }
}

/// A return form as `csp-report forms` lays it out (see the agreed
/// conventions), filled in with `rows`.
fn form(layout: &FormLayout, agency_name: &str, rows: &[Vec<(&'static str, V)>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Progress").unwrap();
    let top = layout.inserted_rows;
    let labels = [
        ("Partnership:", "Preston Community Safety Partnership"),
        ("Agency:", agency_name),
        ("Period:", "2018-19 Q3"),
        ("Return by:", "14/01/2019"),
        ("Contact:", "the CSP coordinator"),
    ];
    for (i, (label, value)) in labels.iter().enumerate() {
        sheet.write_string(top + i as u32, 0, *label).unwrap();
        sheet.write_string(top + i as u32, 1, *value).unwrap();
    }
    sheet.write_string(top + 5, 0, "Fill in one row per action. Status: Complete, Green, Amber, Red or Not started.").unwrap();
    let header_row = top + 7;
    for (col, name) in layout.headers.iter().enumerate() {
        sheet.write_string(header_row, col as u16, *name).unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        for (header, value) in row {
            let col = layout.headers.iter().position(|h| h == header).unwrap_or_else(|| panic!("no column {header}"));
            write_value(sheet, header_row + 1 + i as u32, col as u16, value);
        }
    }
    if layout.protect {
        sheet.protect();
    }
    if let Some(entries) = &layout.metadata {
        let meta = workbook.add_worksheet();
        meta.set_name("csp-report").unwrap();
        for (i, (key, value)) in entries.iter().enumerate() {
            meta.write_string(i as u32, 0, *key).unwrap();
            meta.write_string(i as u32, 1, value).unwrap();
        }
        meta.set_hidden(true);
    }
    workbook.save_to_buffer().unwrap()
}

fn police_form() -> Vec<u8> {
    form(&FormLayout::agreed(&plan()), "Lancashire Constabulary", &police_rows())
}

/// A small valid return with the given agency name in its Agency: cell and
/// no metadata: one green row for `action`.
fn simple_return(agency_name: &str, action: &'static str) -> Vec<u8> {
    let layout = FormLayout { headers: FORM_HEADERS.to_vec(), inserted_rows: 0, protect: false, metadata: None };
    form(&layout, agency_name, &[vec![("Action ID", V::S(action)), ("Status", V::S("Green")), ("Progress update", V::S("On track"))]])
}

/// Rewrites a zip, letting `edit` change each part's bytes.
fn rezip(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        writer.start_file(name.clone(), options).unwrap();
        writer.write_all(&edit(&name, data)).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A minimal OpenDocument spreadsheet written by hand: one table, the
/// agency-made layout, dates as date values, a repeated empty tail.
fn ods_return() -> Vec<u8> {
    let cell = |text: &str| format!("<table:table-cell office:value-type=\"string\"><text:p>{text}</text:p></table:table-cell>");
    let row = |cells: &[String]| format!("<table:table-row>{}</table:table-row>", cells.concat());
    let content = format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" ",
            "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" ",
            "office:version=\"1.2\"><office:body><office:spreadsheet><table:table table:name=\"Return\">",
            "{title}{blank}{header}{r1}{r2}",
            "<table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>",
            "</table:table></office:spreadsheet></office:body></office:document-content>"
        ),
        title = row(&[cell("Organisation:"), cell("Forum members")]),
        blank = "<table:table-row><table:table-cell/></table:table-row>",
        header = row(&[cell("Action ID"), cell("Status"), cell("% complete"), cell("Progress update"), cell("Revised date")]),
        r1 = row(&[
            cell("DA1"),
            cell("Amber"),
            "<table:table-cell office:value-type=\"percentage\" office:value=\"0.4\"><text:p>40%</text:p></table:table-cell>".into(),
            cell("Waiting for the venue"),
            "<table:table-cell office:value-type=\"date\" office:date-value=\"2019-02-28\"><text:p>28/02/19</text:p></table:table-cell>".into(),
        ]),
        r2 = row(&[cell("DA2"), cell("Not started"), "<table:table-cell office:value-type=\"float\" office:value=\"0\"><text:p>0</text:p></table:table-cell>".into()]),
    );
    let manifest = concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">",
        "<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>",
        "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>",
        "</manifest:manifest>"
    );
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("mimetype", stored).unwrap();
    writer.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    writer.start_file("META-INF/manifest.xml", deflated).unwrap();
    writer.write_all(manifest.as_bytes()).unwrap();
    writer.start_file("content.xml", deflated).unwrap();
    writer.write_all(content.as_bytes()).unwrap();
    writer.finish().unwrap().into_inner()
}

fn without_places(updates: &[Update]) -> Vec<Update> {
    updates.iter().map(|u| Update { place: csp_report::diagnostics::Place::file(""), ..u.clone() }).collect()
}

// ---------------------------------------------------------------------------
// Good returns
// ---------------------------------------------------------------------------

#[test]
fn a_filled_in_form_is_read_with_every_problem_placed() {
    let folder = Folder::new();
    folder.put("police.xlsx", &police_form());
    let report = folder.read();
    assert_eq!(report.returns.len(), 1);
    let r = &report.returns[0];
    assert_eq!((r.agency.as_str(), r.period, r.identified_by), ("police", q3(), Identification::Metadata));
    assert_eq!(r.file, "returns/police.xlsx");
    let got: Vec<(&str, Status, Option<u8>)> = r.updates.iter().map(|u| (u.action_id.as_str(), u.status, u.percent_complete)).collect();
    assert_eq!(
        got,
        [
            ("CS1", Status::Green, Some(50)),
            ("CS2", Status::Amber, Some(75)),
            ("SOC2", Status::Red, None),
            ("ASB1", Status::Complete, Some(1))
        ]
    );
    let cs1 = &r.updates[0];
    assert_eq!(cs1.update, "Patrols in place.\nSecond line — café ✓");
    assert_eq!(cs1.next_steps, "Review in January");
    assert!(cs1.notes.is_empty(), "read-only columns are not notes: {:?}", cs1.notes);
    assert_eq!(cs1.place.to_string(), "returns/police.xlsx › Progress › F9");
    assert_eq!(r.updates[2].issues_risks, "Two vacancies");
    assert_eq!(r.updates[3].revised_date, chrono::NaiveDate::from_ymd_opt(2019, 3, 31));
    assert_eq!(r.updates.iter().map(|u| u.row_index).collect::<Vec<_>>(), [0, 1, 3, 4]);

    let account = &report.accounts[0];
    assert_eq!((account.rows_read, account.rows_accepted, account.rows_rejected), (7, 4, 3));
    let expected = [
        "returns/police.xlsx › Progress › F10: warning [missing-update]: CS2 is Amber but has no progress update (say what is slipping and what is being done about it)",
        "returns/police.xlsx › Progress › F11: error [unknown-status]: status \"Gren\" is not a status, so the row for SOC1 was not read (did you mean Green?)",
        "returns/police.xlsx › Progress › G12: error [percent-out-of-range]: % complete 150 is more than 100; it was left out (write a whole number from 0 to 100)",
        "returns/police.xlsx › Progress › K12: error [bad-date]: revised date \"12/31/2018\" is not a date; it was left out (write the date day first, like 31/03/2019, or as 2019-03-31)",
        "returns/police.xlsx › Progress › A14: error [unknown-action]: action ID \"XX1\" is not in the plan, so the row was not read (this agency leads CS1, CS2, CS5, SOC1, SOC2, SOC3, SOC5, SO1, SO4, ASB1, ASB2, ASB3)",
        "returns/police.xlsx › Progress › F15: error [missing-status]: no status was given, so the row for ASB2 was not read (choose Complete, Green, Amber, Red or Not started)",
    ];
    assert_eq!(lines(&report), expected);
}

#[test]
fn a_form_with_columns_moved_rows_inserted_and_protection_removed_reads_the_same() {
    let plan = plan();
    let original = Folder::new();
    original.put("police.xlsx", &police_form());
    let mut headers = FORM_HEADERS.to_vec();
    headers.reverse();
    headers.swap(0, 5);
    let edited_layout = FormLayout { headers, inserted_rows: 3, protect: false, metadata: Some(metadata("police", &plan)) };
    let edited = Folder::new();
    edited.put("police.xlsx", &form(&edited_layout, "Lancashire Constabulary", &police_rows()));
    let (a, b) = (original.read(), edited.read());
    assert_eq!(without_places(&a.returns[0].updates), without_places(&b.returns[0].updates));
    assert_eq!(codes(&a, "returns/police.xlsx"), codes(&b, "returns/police.xlsx"));
    // The places follow the cells to where they moved.
    let status_col = csp_report::diagnostics::column_letters(edited_layout.headers.iter().position(|h| *h == "Status").unwrap() as u32);
    assert_eq!(b.returns[0].updates[0].place.to_string(), format!("returns/police.xlsx › Progress › {status_col}12"));
}

#[test]
fn a_form_from_another_plan_version_is_read_with_a_warning() {
    let plan = plan();
    let mut layout = FormLayout::agreed(&plan);
    layout.metadata = Some(
        metadata("police", &plan)
            .into_iter()
            .map(|(k, v)| if k == "plan_hash" { (k, "0123456789abcdef".to_string()) } else { (k, v) })
            .collect(),
    );
    let folder = Folder::new();
    folder.put("whatever-name.xlsx", &form(&layout, "Lancashire Constabulary", &police_rows()[..1]));
    let report = folder.read();
    assert_eq!(report.returns[0].agency, "police");
    let d = diagnostics_for(&report, "returns/whatever-name.xlsx");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "plan-version");
    assert_eq!(d[0].severity, Severity::Warning);
    assert_eq!(d[0].place.to_string(), "returns/whatever-name.xlsx › csp-report › B5");
}

#[test]
fn a_form_passed_on_to_another_agency_is_read_as_the_forms_with_a_warning() {
    let folder = Folder::new();
    folder.put("pcc.xlsx", &form(&FormLayout::agreed(&plan()), "Preston City Council", &police_rows()[..1]));
    let report = folder.read();
    assert_eq!(report.returns[0].agency, "police");
    assert_eq!(
        lines(&report),
        ["returns/pcc.xlsx › Progress › B2: warning [agency-mismatch]: the form was made for Lancashire Constabulary, but its Agency: cell says \"Preston City Council\"; it was read as Lancashire Constabulary's return (if this is Preston City Council's return, ask them to use their own form)"]
    );
}

#[test]
fn an_agency_made_sheet_with_aliases_under_a_title_block_is_read() {
    let mut workbook = Workbook::new();
    let notes = workbook.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "Read me first: our return for the CSP").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Q3 return").unwrap();
    sheet.write_string(0, 1, "Preston Genga Group — quarterly update").unwrap();
    sheet.write_string(1, 1, "Prepared by the coordinator").unwrap();
    for (col, name) in ["Ref", "RAG", "Commentary", "Progress %", "Budget", "Barriers"].iter().enumerate() {
        sheet.write_string(4, col as u16 + 1, *name).unwrap();
    }
    let rows: [[&str; 6]; 3] = [
        ["SOC1", "G", "Sessions running weekly", "0.6", "£2,000", ""],
        ["soc 3", "a", "Venue lost", "40%", "", "Funding"],
        ["SOC4", "Blue", "Finished", "100", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(5 + r as u32, c as u16 + 1, *value).unwrap();
            }
        }
    }
    let folder = Folder::new();
    folder.put("genga-q3.xlsx", &workbook.save_to_buffer().unwrap());
    let report = folder.read();
    assert_eq!(lines(&report), Vec::<String>::new());
    let r = &report.returns[0];
    assert_eq!((r.agency.as_str(), r.identified_by, r.period), ("genga", Identification::FileName, q3()));
    let got: Vec<(&str, Status, Option<u8>)> = r.updates.iter().map(|u| (u.action_id.as_str(), u.status, u.percent_complete)).collect();
    assert_eq!(got, [("SOC1", Status::Green, Some(60)), ("SOC3", Status::Amber, Some(40)), ("SOC4", Status::Complete, Some(100))]);
    assert_eq!(r.updates[0].notes, [("Budget".to_string(), "£2,000".to_string())]);
    assert_eq!(r.updates[1].issues_risks, "Funding");
    assert_eq!(r.updates[0].place.to_string(), "returns/genga-q3.xlsx › Q3 return › C6");
}

#[test]
fn a_csv_with_a_bom_and_semicolons_is_read_with_line_places() {
    let csv = "\u{feff}Organisation:;Youth Offending Team\r\nQuarter:;Q3 2018/19\r\n\r\nAction ID;Status;Progress update;New date\r\nSOC2;Green;\"Two\r\nlines\";31/03/2019\r\nASB3;Ambre;Late;\r\n";
    let folder = Folder::new();
    folder.put("sub/return.csv", csv.as_bytes());
    let report = folder.read_with(&ReadOptions { period: None, limits: Limits::default() });
    let r = &report.returns[0];
    assert_eq!((r.agency.as_str(), r.identified_by, r.period), ("yot", Identification::Label, q3()));
    assert_eq!(r.updates[0].update, "Two\nlines");
    assert_eq!(r.updates[0].revised_date, chrono::NaiveDate::from_ymd_opt(2019, 3, 31));
    assert_eq!(r.updates[0].place.to_string(), "returns/sub/return.csv › line 5, column Status");
    assert_eq!(
        lines(&report),
        ["returns/sub/return.csv › line 7, column Status: error [unknown-status]: status \"Ambre\" is not a status, so the row for ASB3 was not read (did you mean Amber?)"]
    );
}

#[test]
fn a_hand_made_ods_is_read_with_its_dates_and_percentages() {
    let folder = Folder::new();
    folder.put("forum.ods", &ods_return());
    let report = folder.read();
    assert_eq!(lines(&report), Vec::<String>::new());
    let r = &report.returns[0];
    assert_eq!((r.agency.as_str(), r.identified_by), ("forum-members", Identification::Label));
    assert_eq!(r.updates.len(), 2);
    assert_eq!((r.updates[0].status, r.updates[0].percent_complete), (Status::Amber, Some(40)));
    assert_eq!(r.updates[0].revised_date, chrono::NaiveDate::from_ymd_opt(2019, 2, 28));
    assert_eq!(r.updates[1].percent_complete, Some(0));
    assert_eq!(r.updates[0].place.to_string(), "returns/forum.ods › Return › B4");
}

#[test]
fn ods_and_xls_converted_by_libreoffice_read_like_the_xlsx() {
    let available = std::process::Command::new("soffice").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !available {
        println!(
            "skipped: LibreOffice (soffice) is not installed, so no .ods or .xls can be converted; the hand-made .ods test covers .ods"
        );
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let xlsx = work.path().join("police.xlsx");
    std::fs::write(&xlsx, police_form()).unwrap();
    let from_xlsx = {
        let f = Folder::new();
        f.put("police.xlsx", &police_form());
        f.read()
    };
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", work.path().display());
    for format in ["ods", "xls"] {
        let status = std::process::Command::new("soffice")
            .args([profile.as_str(), "--headless", "--convert-to", format, "--outdir"])
            .arg(work.path())
            .arg(&xlsx)
            .output()
            .unwrap();
        let converted = work.path().join(format!("police.{format}"));
        if !converted.exists() {
            println!("skipped .{format}: LibreOffice did not convert the file: {}", String::from_utf8_lossy(&status.stderr));
            continue;
        }
        let folder = Folder::new();
        let name = format!("police.{format}");
        folder.put(&name, &std::fs::read(&converted).unwrap());
        let report = folder.read();
        assert_eq!(report.returns.len(), 1, "{format}: {:?}", lines(&report));
        assert_eq!(report.returns[0].identified_by, Identification::Metadata, "{format}");
        assert_eq!(without_places(&report.returns[0].updates), without_places(&from_xlsx.returns[0].updates), "{format}");
        assert_eq!(codes(&report, &format!("returns/{name}")), codes(&from_xlsx, "returns/police.xlsx"), "{format}");
        let places: Vec<String> = report.diagnostics.iter().map(|d| d.place.to_string().replace(&name, "police.xlsx")).collect();
        let expected: Vec<String> = from_xlsx.diagnostics.iter().map(|d| d.place.to_string()).collect();
        assert_eq!(places, expected, "{format}");
    }
}

// ---------------------------------------------------------------------------
// Identification
// ---------------------------------------------------------------------------

#[test]
fn returns_are_identified_by_label_file_name_or_folder_else_an_error_says_how() {
    let folder = Folder::new();
    folder
        .put("2018-19-Q2/a.xlsx", &simple_return("Preston City Council", "DA3"))
        .put("probation services.xlsx", &simple_return("", "CS4"))
        .put("unknown.xlsx", &simple_return("Lancs Fire and Rescue", "CS1"))
        .put("police-and-pcc.xlsx", &simple_return("", "CS1"));
    let report = folder.read_with(&ReadOptions { period: None, limits: Limits::default() });
    let find = |file: &str| report.returns.iter().find(|r| r.file == file);
    let a = find("returns/2018-19-Q2/a.xlsx").unwrap();
    assert_eq!((a.agency.as_str(), a.identified_by, a.period.to_string().as_str()), ("pcc", Identification::Label, "2018-19 Q3"));
    let p = find("returns/probation services.xlsx").unwrap();
    assert_eq!((p.agency.as_str(), p.identified_by), ("probation", Identification::FileName));
    assert!(find("returns/unknown.xlsx").is_none());
    assert_eq!(
        lines(&report).iter().filter(|l| l.contains("[agency-unknown]")).cloned().collect::<Vec<_>>(),
        [
            "returns/police-and-pcc.xlsx: error [agency-unknown]: the file name names more than one agency (Lancashire Constabulary, Preston City Council), so the return cannot be identified (add a cell \"Agency:\" with the agency's name above the table, or rename the file after one agency)",
            "returns/unknown.xlsx › Progress › B2: error [agency-unknown]: the Agency: cell says \"Lancs Fire and Rescue\", which is not an agency in the plan, and the file name names none either (add a cell \"Agency:\" with the agency's name next to it above the table, or name the file after the agency (e.g. police.xlsx))",
        ]
    );
    // Unidentified files still account for their rows: all rejected.
    let unknown = report.accounts.iter().find(|a| a.file == "returns/unknown.xlsx").unwrap();
    assert_eq!((unknown.rows_read, unknown.rows_rejected), (1, 1));
    assert!(matches!(unknown.outcome, FileOutcome::Unreadable { .. }));
}

#[test]
fn the_period_comes_from_the_folder_name_or_the_option_else_an_error() {
    let folder = Folder::new();
    let no_period_label = |agency: &'static str| {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Agency:").unwrap();
        sheet.write_string(0, 1, agency).unwrap();
        sheet.write_string(2, 0, "Action ID").unwrap();
        sheet.write_string(2, 1, "Status").unwrap();
        sheet.write_string(3, 0, "DA3").unwrap();
        sheet.write_string(3, 1, "Green").unwrap();
        workbook.save_to_buffer().unwrap()
    };
    folder.put("2018-19-Q2/pcc.xlsx", &no_period_label("PCC")).put("loose/pcc.xlsx", &no_period_label("PCC"));
    let report = folder.read_with(&ReadOptions { period: None, limits: Limits::default() });
    assert_eq!(report.returns.len(), 1);
    assert_eq!(report.returns[0].period.to_string(), "2018-19 Q2");
    assert_eq!(codes(&report, "returns/loose/pcc.xlsx"), ["missing-column", "period-unknown"]);
    let with_option = folder.read();
    assert_eq!(with_option.returns.len(), 2);
    assert_eq!(with_option.returns[1].period, q3());
}

// ---------------------------------------------------------------------------
// Broken and hostile files
// ---------------------------------------------------------------------------

fn patch_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// Offsets of every central-directory header in a zip.
fn central_headers(bytes: &[u8]) -> Vec<usize> {
    bytes.windows(4).enumerate().filter(|(_, w)| *w == b"PK\x01\x02").map(|(i, _)| i).collect()
}

fn local_headers(bytes: &[u8]) -> Vec<usize> {
    bytes.windows(4).enumerate().filter(|(_, w)| *w == b"PK\x03\x04").map(|(i, _)| i).collect()
}

/// A zip whose central directory says its first part expands to 4 GB.
fn declared_bomb() -> Vec<u8> {
    let mut bytes = simple_return("Lancashire Constabulary", "CS1");
    let at = central_headers(&bytes)[0];
    patch_u32(&mut bytes, at + 24, 0xF000_0000);
    bytes
}

/// A zip whose sheet part inflates far beyond the size it declares.
fn understated_bomb() -> Vec<u8> {
    let padded = rezip(&simple_return("Lancashire Constabulary", "CS1"), |name, data| {
        if name.ends_with("sheet1.xml") {
            let mut text = String::from_utf8(data).unwrap();
            text.push_str(&" ".repeat(200_000));
            text.into_bytes()
        } else {
            data
        }
    });
    let mut bytes = padded;
    let names: Vec<String> = {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
        (0..archive.len()).map(|i| archive.by_index(i).unwrap().name().unwrap().to_string()).collect()
    };
    let index = names.iter().position(|n| n.ends_with("sheet1.xml")).unwrap();
    let (central, local) = (central_headers(&bytes)[index], local_headers(&bytes)[index]);
    patch_u32(&mut bytes, central + 24, 1000);
    patch_u32(&mut bytes, local + 22, 1000);
    bytes
}

/// A 9 KB xlsx whose shared strings declare four thousand million entries.
fn shared_strings_bomb() -> Vec<u8> {
    rezip(&simple_return("Lancashire Constabulary", "CS1"), |name, data| {
        if name.ends_with("sharedStrings.xml") {
            let text = String::from_utf8(data).unwrap();
            let start = text.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
            let end = start + text[start..].find('"').unwrap();
            format!("{}4000000000{}", &text[..start], &text[end..]).into_bytes()
        } else {
            data
        }
    })
}

/// A return with one more cell at XFD1048576: a dense range of 17 thousand million cells.
fn far_cell(with_table: bool) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    if with_table {
        sheet.write_string(0, 0, "Action ID").unwrap();
        sheet.write_string(0, 1, "Status").unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "far away").unwrap();
    workbook.save_to_buffer().unwrap()
}

/// The same with the sheet's `<dimension>` taken out: the cells themselves must be bounded.
fn far_cell_undeclared() -> Vec<u8> {
    rezip(&far_cell(true), |name, data| {
        if name.ends_with("sheet1.xml") {
            let text = String::from_utf8(data).unwrap();
            let start = text.find("<dimension").unwrap();
            let end = start + text[start..].find("/>").unwrap() + 2;
            format!("{}{}", &text[..start], &text[end..]).into_bytes()
        } else {
            data
        }
    })
}

/// An .xlsx saved with a password: an OLE2 file holding the encrypted package.
fn encrypted_workbook() -> Vec<u8> {
    let mut compound = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    compound.create_stream("/EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
    compound.create_stream("/EncryptedPackage").unwrap().write_all(&[0x55; 4096]).unwrap();
    compound.flush().unwrap();
    compound.into_inner().into_inner()
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn every_bad_file_gets_its_error_and_the_good_returns_are_still_read() {
    let good = simple_return("Lancashire Constabulary", "CS1");
    let folder = Folder::new();
    folder
        .put("police.xlsx", &good)
        .put("pcc.xls", &simple_return("Preston City Council", "DA3"))
        .put("empty.xlsx", b"")
        .put("text.xlsx", b"Action ID,Status\nCS1,Green\n")
        .put("truncated.xlsx", &good[..good.len() / 2])
        .put("random.xlsx", &random_bytes(3000))
        .put("encrypted.xlsx", &encrypted_workbook())
        .put("bomb.xlsx", &declared_bomb())
        .put("inflates.xlsx", &understated_bomb())
        .put("strings.xlsx", &shared_strings_bomb())
        .put("far.xlsx", &far_cell(true))
        .put("lonely.xlsx", &far_cell(false))
        .put("far-undeclared.xlsx", &far_cell_undeclared())
        .put("~$police.xlsx", b"\x0bSomebody")
        .put(".~lock.forum.ods#", b"Somebody,host,12/01/2019")
        .put(".hidden.xlsx", &good)
        .put("covering letter.docx", b"PK\x03\x04 not really")
        .put("logo.png", b"\x89PNG");
    let report = folder.read();
    let error_of = |file: &str| {
        let d: Vec<_> =
            diagnostics_for(&report, &format!("returns/{file}")).into_iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(d.len(), 1, "{file}: {d:?}");
        (d[0].code, d[0].message.clone())
    };
    assert_eq!(error_of("empty.xlsx"), ("file-empty", "the file is empty (0 bytes)".into()));
    assert_eq!(error_of("text.xlsx"), ("file-mismatch", "the file is named .xlsx but holds plain text, not a workbook".into()));
    let (code, message) = error_of("truncated.xlsx");
    assert_eq!(code, "file-unreadable");
    assert!(message.starts_with("the file is a damaged or incomplete zip archive"), "{message}");
    assert_eq!(
        error_of("random.xlsx"),
        ("file-unreadable", "the file is not a workbook: it does not start like an .xlsx (zip) or .xls (OLE2) file, so it is damaged or of another kind (named .xlsx)".into())
    );
    assert_eq!(error_of("encrypted.xlsx"), ("file-encrypted", "the workbook is protected with a password, so it cannot be read".into()));
    let (code, message) = error_of("bomb.xlsx");
    assert_eq!(code, "file-refused");
    assert!(message.starts_with("refused: part ") && message.contains("declares 3.8 GiB once unzipped (limit 200 MiB)"), "{message}");
    let (code, message) = error_of("inflates.xlsx");
    assert_eq!(code, "file-refused", "{message}");
    assert!(message.contains("sheet1.xml inflates beyond the 1000 bytes it declares"), "{message}");
    assert_eq!(
        error_of("strings.xlsx"),
        ("file-refused", "refused: the workbook declares 4,000,000,000 shared strings (limit 1,000,000)".into())
    );
    assert_eq!(
        error_of("far.xlsx"),
        ("file-refused", "refused: sheet \"Sheet1\" declares a used range of A1:XFD1048576 (17,179,869,184 cells; limit 5,000,000)".into())
    );
    assert_eq!(
        error_of("far-undeclared.xlsx"),
        ("file-refused", "refused: the cells of sheet \"Sheet1\" span A1:XFD1048576 (17,179,869,184 cells; limit 5,000,000)".into())
    );
    assert_eq!(error_of("lonely.xlsx").0, "no-header");

    // The .xls that is really an .xlsx is read by its content, with a note.
    let pcc = report.returns.iter().find(|r| r.file == "returns/pcc.xls").expect("pcc.xls read by content");
    assert_eq!(pcc.agency, "pcc");
    assert_eq!(codes(&report, "returns/pcc.xls"), ["file-mismatch"]);
    assert_eq!(diagnostics_for(&report, "returns/pcc.xls")[0].severity, Severity::Note);

    // Lock files, hidden files and other kinds are notes, never errors.
    for (file, code) in [
        ("~$police.xlsx", "file-skipped"),
        (".~lock.forum.ods#", "file-skipped"),
        (".hidden.xlsx", "file-skipped"),
        ("logo.png", "file-ignored"),
    ] {
        let d = diagnostics_for(&report, &format!("returns/{file}"));
        assert_eq!(d.len(), 1, "{file}");
        assert_eq!((d[0].code, d[0].severity), (code, Severity::Note), "{file}");
    }
    // A Word document may be an update sent in the wrong form: a warning naming it.
    let letter = diagnostics_for(&report, "returns/covering letter.docx");
    assert_eq!(
        letter.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        ["returns/covering letter.docx: warning [file-not-a-return]: this is a Word document, not a return: it may be an agency's update sent in the wrong form; open it and ask the agency for the return form"]
    );
    // The good return beside them all is read.
    let police = report.returns.iter().find(|r| r.file == "returns/police.xlsx").expect("police read");
    assert_eq!(police.updates.len(), 1);
    assert_eq!(report.returns.len(), 2);
    // Files are listed in sorted order, every one accounted for.
    let files: Vec<&str> = report.accounts.iter().map(|a| a.file.as_str()).collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert_eq!(files.len(), 18);
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let folder = Folder::new();
    folder.put("police.xlsx", &police_form()).put("small.csv", b"Agency:,PCC\nAction ID,Status\nDA3,Green\n");
    let limits = Limits { max_file_bytes: 1000, ..Limits::default() };
    let report = folder.read_with(&ReadOptions { period: Some(q3()), limits });
    let d = diagnostics_for(&report, "returns/police.xlsx");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "file-too-large");
    assert!(d[0].message.ends_with("over the 1000 bytes limit for one return"), "{}", d[0].message);
    assert_eq!(report.returns.len(), 1);
    assert_eq!(report.returns[0].agency, "pcc");
}

#[test]
fn an_xls_workbook_is_read_when_it_is_one() {
    // An OLE2 file with a Workbook stream holding a FILEPASS record: a
    // password-protected .xls.
    let mut compound = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    let mut stream = Vec::new();
    stream.extend_from_slice(&[0x09, 0x08, 0x10, 0x00]);
    stream.extend_from_slice(&[0u8; 16]);
    stream.extend_from_slice(&[0x2F, 0x00, 0x02, 0x00, 0x01, 0x00]);
    compound.create_stream("/Workbook").unwrap().write_all(&stream).unwrap();
    compound.flush().unwrap();
    let folder = Folder::new();
    folder.put("police.xls", &compound.into_inner().into_inner());
    let report = folder.read();
    assert_eq!(codes(&report, "returns/police.xls"), ["file-encrypted"]);
}

#[test]
fn reading_is_deterministic() {
    let folder = Folder::new();
    folder.put("police.xlsx", &police_form()).put("genga.csv", b"Action ID,Status\nSOC1,Green\nSOC9,Red\n").put("bad.xlsx", b"nope");
    let (a, b) = (folder.read(), folder.read());
    assert_eq!(a.accounts, b.accounts);
    assert_eq!(a.returns, b.returns);
    assert_eq!(a.diagnostics, b.diagnostics);
}

// ---------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------

fn validate(dir: &Path) -> assert_cmd::assert::Assert {
    let plan = std::fs::canonicalize("input/plan.toml").unwrap();
    assert_cmd::Command::cargo_bin("csp-report")
        .unwrap()
        .current_dir(dir.parent().unwrap())
        .args(["validate", "--period", "2018-19 Q3", "--plan"])
        .arg(plan)
        .arg(dir)
        .assert()
}

#[test]
fn validate_exits_1_on_errors_and_prints_the_account() {
    let folder = Folder::new();
    folder.put("police.xlsx", &police_form()).put("empty.xlsx", b"");
    let output = validate(&folder.dir).code(1).get_output().clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("returns/police.xlsx › Progress › F11: error [unknown-status]: status \"Gren\" is not a status"), "{stderr}");
    assert!(stderr.contains("returns/empty.xlsx: error [file-empty]"), "{stderr}");
    assert!(
        stdout.contains("Lancashire Constabulary (police), 2018-19 Q3, by form metadata: 7 rows read = 4 accepted + 3 rejected"),
        "{stdout}"
    );
    assert!(stdout.contains("Total: 7 rows read = 4 accepted + 3 rejected"), "{stdout}");
    assert!(stdout.contains("No return for 2018-19 Q3 from 21 of 22 lead agencies"), "{stdout}");
    assert!(stdout.contains("  Preston City Council (pcc)"), "{stdout}");
}

#[test]
fn validate_exits_0_on_a_clean_folder() {
    let folder = Folder::new();
    folder.put("police.xlsx", &simple_return("Lancashire Constabulary", "CS1")).put("~$police.xlsx", b"lock");
    let output = validate(&folder.dir).code(0).get_output().clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("Total: 1 row read = 1 accepted + 0 rejected"), "{stdout}");
}

// ---------------------------------------------------------------------------
// The tool's own forms, filled in and read back
// ---------------------------------------------------------------------------

fn form_settings() -> csp_report::forms::FormSettings {
    csp_report::forms::FormSettings {
        deadline: chrono::NaiveDate::from_ymd_opt(2019, 1, 14).unwrap(),
        contact: "the CSP coordinator".to_string(),
        generated: chrono::NaiveDate::from_ymd_opt(2018, 12, 31).unwrap(),
    }
}

#[test]
fn the_tools_own_forms_filled_in_read_back_as_typed() {
    use csp_report::forms::{build_form, form_file_name, FilledRow, FilledValue};
    let plan = plan();
    let agency = plan.agency("clcrc").unwrap();
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let text = |s: &str| Some(FilledValue::Text(s.into()));
    let fill = [
        FilledRow {
            action_id: "RO2".into(),
            status: text("On track"),
            percent: text("50%"),
            update: "Referrals up.".into(),
            ..FilledRow::default()
        },
        FilledRow {
            action_id: "RO3".into(),
            status: text("Red"),
            percent: Some(FilledValue::Number(0.25)),
            update: "Funding ended.\nSeeking a new source — ¿qué?".into(),
            issues_risks: "No budget".into(),
            revised_date: Some(FilledValue::Date(date(2019, 6, 30))),
            ..FilledRow::default()
        },
        FilledRow { action_id: "RO4".into(), status: text("complete"), percent: Some(FilledValue::Number(100.0)), ..FilledRow::default() },
        FilledRow {
            action_id: "RO5".into(),
            status: text("Amber"),
            percent: Some(FilledValue::Number(60.0)),
            update: "Second cohort started.".into(),
            next_steps: "Evaluate.".into(),
            revised_date: text("31 Mar 2019"),
            ..FilledRow::default()
        },
        // An action the CRC does not lead, added below the plan's rows.
        FilledRow { action_id: "RO1".into(), status: text("G"), update: "Supporting probation.".into(), ..FilledRow::default() },
    ];
    let bytes = build_form(&plan, agency, q3(), None, &form_settings(), &fill).unwrap().bytes;
    let folder = Folder::new();
    let name = form_file_name(q3(), "clcrc");
    folder.put(&name, &bytes);
    let report = folder.read();
    assert_eq!(lines(&report), Vec::<String>::new());
    let r = &report.returns[0];
    assert_eq!((r.agency.as_str(), r.period, r.identified_by), ("clcrc", q3(), Identification::Metadata));
    let got: Vec<(&str, Status, Option<u8>, Option<chrono::NaiveDate>)> =
        r.updates.iter().map(|u| (u.action_id.as_str(), u.status, u.percent_complete, u.revised_date)).collect();
    assert_eq!(
        got,
        [
            ("RO2", Status::Green, Some(50), None),
            ("RO3", Status::Red, Some(25), Some(date(2019, 6, 30))),
            ("RO4", Status::Complete, Some(100), None),
            ("RO5", Status::Amber, Some(60), Some(date(2019, 3, 31))),
            ("RO1", Status::Green, None, None),
        ]
    );
    assert_eq!(r.updates[1].update, "Funding ended.\nSeeking a new source — ¿qué?");
    assert_eq!(r.updates[1].issues_risks, "No budget");
    assert_eq!(r.updates[3].next_steps, "Evaluate.");
    assert!(r.updates.iter().all(|u| u.notes.is_empty()), "the form's read-only columns are not notes");
    assert_eq!(r.updates[0].place.to_string(), format!("returns/{name} › Progress › F9"));
}

#[test]
fn a_blank_form_sent_back_has_every_row_rejected_for_its_missing_status() {
    let plan = plan();
    let forms = csp_report::forms::build_forms(&plan, q3(), None, &form_settings()).unwrap();
    let police = forms.iter().find(|f| f.agency_id == "police").unwrap();
    let folder = Folder::new();
    folder.put(&police.file_name, &police.bytes);
    let report = folder.read();
    let account = &report.accounts[0];
    assert_eq!((account.rows_read, account.rows_accepted, account.rows_rejected), (police.actions, 0, police.actions));
    assert!(report.diagnostics.iter().all(|d| d.code == "missing-status"), "{:?}", lines(&report));
    assert_eq!(report.diagnostics.len(), police.actions);
}

// ---------------------------------------------------------------------------
// A bounded smoke of damaged files: never a panic out of the reader, always an account
// ---------------------------------------------------------------------------

/// Deterministic xorshift numbers for the smoke test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A form with a few bytes of one XML part changed to digits, letters or
/// markup, re-zipped: what a damaged or hand-edited file looks like inside.
fn mutated_form(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    const PARTS: [&str; 4] = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/worksheets/sheet2.xml"];
    const BYTES: &[u8] = b"0123456789ABZ:\"<>/= x";
    let target = PARTS[rng.below(PARTS.len())];
    let edits = 1 + rng.below(4);
    let choices: Vec<(usize, u8)> = (0..edits).map(|_| (rng.next() as usize, BYTES[rng.below(BYTES.len())])).collect();
    rezip(base, move |name, mut data| {
        if name == target && !data.is_empty() {
            for &(at, byte) in &choices {
                let len = data.len();
                data[at % len] = byte;
            }
        }
        data
    })
}

#[test]
fn damaged_forms_never_escape_the_reader_and_are_always_accounted_for() {
    let base = police_form();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for batch in 0..4 {
        let folder = Folder::new();
        for i in 0..40 {
            let bytes = if i % 4 == 0 {
                // Raw byte damage to the zip itself.
                let mut bytes = base.clone();
                for _ in 0..1 + rng.below(8) {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
                bytes
            } else {
                mutated_form(&base, &mut rng)
            };
            folder.put(&format!("police-{batch}-{i:02}.xlsx"), &bytes);
        }
        let report = folder.read();
        assert_eq!(report.accounts.len(), 40);
        for account in &report.accounts {
            let has_error = report.diagnostics.iter().any(|d| d.place.file == account.file && d.severity == Severity::Error);
            match &account.outcome {
                FileOutcome::Read => {}
                FileOutcome::Unreadable { .. } => assert!(has_error, "{} is unusable without an error saying why", account.file),
                FileOutcome::Skipped { .. } => panic!("{} skipped", account.file),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The shipped example
// ---------------------------------------------------------------------------

#[test]
fn the_shipped_example_gives_exactly_its_planted_mistakes_and_balances() {
    let Ok(planted) = std::fs::read_to_string("input/PLANTED.md") else {
        println!("skipped: input/PLANTED.md is not here (the example returns come from another branch)");
        return;
    };
    // The first table: | file | place | code | severity | what |
    let table = planted.split("## Planted mistakes").nth(1).expect("a table of planted mistakes").split("\n## ").next().unwrap();
    let mut expected: Vec<(String, String, String, String)> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
            (cells[1].to_string(), cells[2].to_string(), cells[3].to_string(), cells[4].to_string())
        })
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let report = read_returns(Path::new("input/returns"), &plan(), &options());
    assert_accounts_balance(&report);
    let mut found: Vec<(String, String, String, String)> = report
        .diagnostics
        .iter()
        .map(|d| {
            let place = [d.place.sheet.clone(), d.place.cell_text()].into_iter().flatten().collect::<Vec<_>>().join(" › ");
            (d.place.file.trim_start_matches("returns/").to_string(), place, d.code.to_string(), d.severity.to_string())
        })
        .collect();
    found.sort();
    assert_eq!(found, expected);
    // Both quarters' returns are read; Q3 lacks Public Health only.
    let q3_agencies: Vec<&str> = report.returns.iter().filter(|r| r.period == q3()).map(|r| r.agency.as_str()).collect();
    let plan = plan();
    let missing: Vec<&str> = plan.lead_agencies().map(|a| a.id.as_str()).filter(|id| !q3_agencies.contains(id)).collect();
    assert_eq!(missing, ["public-health"]);
    let (read, accepted, rejected, notes) = report.totals();
    assert_eq!(read, accepted + rejected + notes);
    assert_eq!(rejected, 2, "the rejected rows are the unknown status and the unknown action");
    // The police wrote two lines under their Q3 table: notes, not errors.
    let police = report.returns.iter().find(|r| r.agency == "police" && r.period == q3()).expect("police Q3");
    let police_notes: Vec<&str> = police.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(notes, 2);
    assert_eq!(police_notes.len(), 2, "{police_notes:?}");
    assert!(police_notes[0].starts_with("Completed by:"), "{police_notes:?}");
    assert!(police_notes[1].starts_with("Figures for December are provisional"), "{police_notes:?}");
}

// ---------------------------------------------------------------------------
// Notes below the table
// ---------------------------------------------------------------------------

#[test]
fn lines_of_text_below_the_table_are_notes_on_the_return_not_errors() {
    let plan = plan();
    let layout = FormLayout { headers: FORM_HEADERS.to_vec(), inserted_rows: 0, protect: false, metadata: Some(metadata("police", &plan)) };
    let mut rows = police_rows()[..2].to_vec();
    rows.push(vec![]);
    rows.push(vec![("Action ID", V::S("Completed by: PC Smith, 01772 123456"))]);
    rows.push(vec![("Action ID", V::S("Figures for December are provisional")), ("Group", V::S("until the January data is published"))]);
    let folder = Folder::new();
    folder.put("police.xlsx", &form(&layout, "Lancashire Constabulary", &rows));
    let report = folder.read();
    assert_eq!(lines(&report), ["returns/police.xlsx › Progress › F10: warning [missing-update]: CS2 is Amber but has no progress update (say what is slipping and what is being done about it)"]);
    let r = &report.returns[0];
    assert_eq!(r.updates.len(), 2);
    let notes: Vec<(String, String)> = r.notes.iter().map(|n| (n.text.clone(), n.place.to_string())).collect();
    assert_eq!(
        notes,
        [
            ("Completed by: PC Smith, 01772 123456".to_string(), "returns/police.xlsx › Progress › A12".to_string()),
            (
                "Figures for December are provisional until the January data is published".to_string(),
                "returns/police.xlsx › Progress › A13".to_string()
            ),
        ]
    );
    let a = &report.accounts[0];
    assert_eq!((a.rows_read, a.rows_accepted, a.rows_rejected, a.rows_notes), (4, 2, 0, 2));
}

#[test]
fn only_text_after_the_last_action_row_is_a_note() {
    let plan = plan();
    let layout = FormLayout { headers: FORM_HEADERS.to_vec(), inserted_rows: 0, protect: false, metadata: Some(metadata("police", &plan)) };
    let green = |id: &'static str| vec![("Action ID", V::S(id)), ("Status", V::S("Green")), ("Progress update", V::S("Fine"))];
    let rows = vec![
        green("CS1"),
        // Between action rows: a row gone wrong, reported as before.
        vec![("Action ID", V::S("Night-time economy actions"))],
        green("CS2"),
        // Shaped like an action ID: an action row with a wrong ID and no status.
        vec![("Action ID", V::S("DA9"))],
        vec![("Action ID", V::S("Prepared by J Bloggs (Forum chair)"))],
    ];
    let folder = Folder::new();
    folder.put("police.xlsx", &form(&layout, "Lancashire Constabulary", &rows));
    let report = folder.read();
    assert_eq!(codes(&report, "returns/police.xlsx"), ["unknown-action", "unknown-action"]);
    let notes: Vec<&str> = report.returns[0].notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(notes, ["Prepared by J Bloggs (Forum chair)"]);
    let a = &report.accounts[0];
    assert_eq!((a.rows_read, a.rows_accepted, a.rows_rejected, a.rows_notes), (5, 2, 2, 1));

    // Words in a column right of the status are not a sign-off: still an error.
    let folder = Folder::new();
    let rows = vec![green("CS1"), vec![("Action ID", V::S("Thanks")), ("Progress update", V::S("see the covering email"))]];
    folder.put("police.xlsx", &form(&layout, "Lancashire Constabulary", &rows));
    let report = folder.read();
    assert_eq!(codes(&report, "returns/police.xlsx"), ["unknown-action"]);
    assert!(report.returns[0].notes.is_empty());
}

#[test]
fn a_csv_sign_off_line_is_a_note_placed_by_line() {
    let csv = "Agency:,Youth Offending Team\nAction ID,Status,Progress update\nSOC2,Green,Going well\nCompleted by: the YOT manager,,\n";
    let folder = Folder::new();
    folder.put("yot.csv", csv.as_bytes());
    let report = folder.read();
    assert_eq!(lines(&report), Vec::<String>::new());
    let r = &report.returns[0];
    assert_eq!(r.notes.len(), 1);
    assert_eq!(r.notes[0].text, "Completed by: the YOT manager");
    assert_eq!(r.notes[0].place.to_string(), "returns/yot.csv › line 4, column Action ID");
}

#[test]
fn validate_counts_notes_in_the_row_account() {
    let plan = plan();
    let layout = FormLayout { headers: FORM_HEADERS.to_vec(), inserted_rows: 0, protect: false, metadata: Some(metadata("police", &plan)) };
    let mut rows = police_rows();
    rows.push(vec![("Action ID", V::S("Completed by: PC Smith"))]);
    let folder = Folder::new();
    folder.put("police.xlsx", &form(&layout, "Lancashire Constabulary", &rows));
    let output = validate(&folder.dir).code(1).get_output().clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("by form metadata: 8 rows read = 4 accepted + 3 rejected + 1 note\n"), "{stdout}");
    assert!(stdout.contains("Total: 8 rows read = 4 accepted + 3 rejected + 1 note ("), "{stdout}");
}

// ---------------------------------------------------------------------------
// Statuses and percentages with words around them
// ---------------------------------------------------------------------------

#[test]
fn decorated_statuses_and_percentages_are_read_with_their_words_kept() {
    let plan = plan();
    let layout = FormLayout { headers: FORM_HEADERS.to_vec(), inserted_rows: 0, protect: false, metadata: Some(metadata("police", &plan)) };
    let row = |id: &'static str, status: &'static str, percent: &'static str| {
        vec![("Action ID", V::S(id)), ("Status", V::S(status)), ("% complete", V::S(percent)), ("Progress update", V::S("Words"))]
    };
    let rows = vec![
        row("CS1", "Amber – please see notes", "55 %"),
        row("CS2", "RED (board aware)", "approx 70%"),
        row("CS5", "Green - on track", "80% done"),
        row("SOC1", "Complete!", "40-50%"),
        row("SOC2", "Amber/Red", "c. 70%"),
        row("SOC3", "Green or Amber", ""),
        row("SOC5", "Gren", ""),
        row("SO1", "Green", "about half"),
    ];
    let folder = Folder::new();
    folder.put("police.xlsx", &form(&layout, "Lancashire Constabulary", &rows));
    let report = folder.read();
    let got: Vec<(&str, Status, Option<u8>)> =
        report.returns[0].updates.iter().map(|u| (u.action_id.as_str(), u.status, u.percent_complete)).collect();
    assert_eq!(
        got,
        [
            ("CS1", Status::Amber, Some(55)),
            ("CS2", Status::Red, Some(70)),
            ("CS5", Status::Green, Some(80)),
            ("SOC1", Status::Complete, Some(40)),
            ("SO1", Status::Green, None),
        ]
    );
    let notes = |i: usize| report.returns[0].updates[i].notes.clone();
    let n = |h: &str, v: &str| (h.to_string(), v.to_string());
    assert_eq!(notes(0), [n("Status", "please see notes")]);
    assert_eq!(notes(1), [n("Status", "board aware"), n("% complete", "approx 70%")]);
    assert_eq!(notes(2), [n("Status", "on track"), n("% complete", "80% done")]);
    assert_eq!(notes(3), [n("% complete", "40-50%")]);
    let f = "returns/police.xlsx › Progress";
    assert_eq!(
        lines(&report),
        [
            format!("{f} › F9: note [status-decorated]: status \"Amber – please see notes\" for CS1 was read as Amber; the words after it are kept with the update"),
            format!("{f} › F10: note [status-decorated]: status \"RED (board aware)\" for CS2 was read as Red; the words after it are kept with the update"),
            format!("{f} › G10: note [percent-decorated]: % complete \"approx 70%\" for CS2 was read as 70 (an estimate)"),
            format!("{f} › F11: note [status-decorated]: status \"Green - on track\" for CS5 was read as Green; the words after it are kept with the update"),
            format!("{f} › G11: note [percent-decorated]: % complete \"80% done\" for CS5 was read as 80 (the words are kept with the update)"),
            format!("{f} › G12: note [percent-decorated]: % complete \"40-50%\" for SOC1 was read as 40 (a range from 40 to 50, read as its lower bound so progress is not overstated)"),
            format!("{f} › F13: error [ambiguous-status]: status \"Amber/Red\" names two statuses, Amber and Red, so the row for SOC2 was not read (ask the agency whether SOC2 is Amber or Red, and write that one)"),
            format!("{f} › F14: error [ambiguous-status]: status \"Green or Amber\" names two statuses, Green and Amber, so the row for SOC3 was not read (ask the agency whether SOC3 is Green or Amber, and write that one)"),
            format!("{f} › F15: error [unknown-status]: status \"Gren\" is not a status, so the row for SOC5 was not read (did you mean Green?)"),
            format!("{f} › G16: error [bad-percent]: % complete \"about half\" is not a number; it was left out (write a whole number from 0 to 100)"),
        ]
    );
    // The rejected rows carry the reason merge shows.
    let rejected: Vec<(Option<&str>, &str)> =
        report.returns[0].rejected.iter().map(|r| (r.action_id.as_deref(), r.rejection.problem.as_str())).collect();
    assert_eq!(
        rejected,
        [
            (Some("SOC2"), "status \"Amber/Red\" names two statuses, Amber and Red"),
            (Some("SOC3"), "status \"Green or Amber\" names two statuses, Green and Amber"),
            (Some("SOC5"), "status \"Gren\" is not a status"),
        ]
    );
}

// ---------------------------------------------------------------------------
// One workbook for the whole year, a tab per quarter
// ---------------------------------------------------------------------------

/// One quarter's tab: its sheet name, an optional Period: cell, and rows of
/// (action, status, update); no status at all makes it a blank form.
struct Tab {
    name: &'static str,
    period: Option<&'static str>,
    rows: Vec<(&'static str, &'static str, &'static str)>,
}

fn tab(name: &'static str, period: Option<&'static str>, rows: &[(&'static str, &'static str, &'static str)]) -> Tab {
    Tab { name, period, rows: rows.to_vec() }
}

/// The Genga group's year workbook: an Organisation: cell on every tab.
fn year_workbook(tabs: &[Tab]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    for t in tabs {
        let sheet = workbook.add_worksheet();
        sheet.set_name(t.name).unwrap();
        sheet.write_string(0, 0, "Organisation:").unwrap();
        sheet.write_string(0, 1, "Preston Genga Group").unwrap();
        if let Some(period) = t.period {
            sheet.write_string(1, 0, "Period:").unwrap();
            sheet.write_string(1, 1, period).unwrap();
        }
        for (c, h) in ["Action ID", "Status", "Progress update"].iter().enumerate() {
            sheet.write_string(3, c as u16, *h).unwrap();
        }
        for (r, (id, status, update)) in t.rows.iter().enumerate() {
            let row = 4 + r as u32;
            sheet.write_string(row, 0, *id).unwrap();
            if !status.is_empty() {
                sheet.write_string(row, 1, *status).unwrap();
            }
            if !update.is_empty() {
                sheet.write_string(row, 2, *update).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn q1_tab() -> Tab {
    // A mistake in Q1, reported back then: not this quarter's error.
    tab("Q1", None, &[("SOC1", "Green", "Q1 words"), ("SOC3", "Gren", "Q1 typo"), ("SOC4", "Not started", "")])
}

fn q2_tab() -> Tab {
    tab("Q2", None, &[("SOC1", "Green", "Q2 words"), ("SOC3", "Green", "Q2 words"), ("SOC4", "Green", "Q2 words")])
}

fn q3_tab() -> Tab {
    tab("Q3", None, &[("SOC1", "Amber", "Q3 words"), ("SOC3", "Green", "Q3 words"), ("SOC4", "Complete", "Q3 words")])
}

fn q4_blank_tab() -> Tab {
    tab("Q4", None, &[("SOC1", "", ""), ("SOC3", "", ""), ("SOC4", "", "")])
}

fn statuses(r: &csp_report::returns::Return) -> Vec<(String, Status, String)> {
    r.updates.iter().map(|u| (u.action_id.clone(), u.status, u.update.clone())).collect()
}

#[test]
fn a_year_workbook_gives_exactly_the_quarters_rows_and_no_errors_from_the_other_tabs() {
    let folder = Folder::new();
    folder.put("genga.xlsx", &year_workbook(&[q1_tab(), q2_tab(), q3_tab(), q4_blank_tab()]));
    let report = folder.read();
    assert!(!report.diagnostics.has_errors(), "{:?}", lines(&report));
    let this: Vec<_> = report.returns.iter().filter(|r| r.period == q3()).collect();
    assert_eq!(this.len(), 1);
    assert_eq!(this[0].file, "returns/genga.xlsx");
    assert_eq!(this[0].agency, "genga");
    assert_eq!(
        statuses(this[0]),
        [
            ("SOC1".to_string(), Status::Amber, "Q3 words".to_string()),
            ("SOC3".to_string(), Status::Green, "Q3 words".to_string()),
            ("SOC4".to_string(), Status::Complete, "Q3 words".to_string()),
        ]
    );
    assert_eq!(this[0].updates[0].place.to_string(), "returns/genga.xlsx › Q3 › B5");
    // Earlier tabs are their quarters' returns, accounted apart; the blank Q4 is not read.
    let accounts: Vec<(&str, usize, usize, usize)> =
        report.accounts.iter().map(|a| (a.file.as_str(), a.rows_read, a.rows_accepted, a.rows_rejected)).collect();
    assert_eq!(accounts, [("returns/genga.xlsx", 3, 3, 0), ("returns/genga.xlsx › Q1", 3, 2, 1), ("returns/genga.xlsx › Q2", 3, 3, 0)]);
    let periods: Vec<(String, String)> = report.returns.iter().map(|r| (r.file.clone(), r.period.to_string())).collect();
    assert_eq!(
        periods,
        [
            ("returns/genga.xlsx".to_string(), "2018-19 Q3".to_string()),
            ("returns/genga.xlsx › Q1".to_string(), "2018-19 Q1".to_string()),
            ("returns/genga.xlsx › Q2".to_string(), "2018-19 Q2".to_string()),
        ]
    );
    let f = "returns/genga.xlsx";
    let mut found = lines(&report);
    found.sort();
    assert_eq!(
        found,
        [
            format!("{f} › Q1: note [other-sheet]: this sheet is for 2018-19 Q1, an earlier quarter: it was read as that quarter's return (for trend only, not 2018-19 Q3's), accounted apart as \"{f} › Q1\": 3 rows = 2 accepted + 1 rejected"),
            format!("{f} › Q2: note [other-sheet]: this sheet is for 2018-19 Q2, an earlier quarter: it was read as that quarter's return (for trend only, not 2018-19 Q3's), accounted apart as \"{f} › Q2\": 3 rows = 3 accepted + 0 rejected"),
            format!("{f} › Q4: note [other-sheet]: this sheet is a blank form for 2018-19 Q4 (action IDs, no statuses): it was not read"),
        ]
    );
}

#[test]
fn a_year_workbook_without_the_quarters_tab_says_so_and_reads_no_other_quarter_as_it() {
    let folder = Folder::new();
    folder.put("genga.xlsx", &year_workbook(&[q1_tab(), q2_tab()]));
    let report = folder.read();
    let errors: Vec<String> = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.to_string()).collect();
    assert_eq!(
        errors,
        ["returns/genga.xlsx: error [no-sheet-for-period]: no sheet for 2018-19 Q3: this workbook's return tables are on sheets \"Q1\" (2018-19 Q1), \"Q2\" (2018-19 Q2); no other quarter's sheet was read as 2018-19 Q3's (ask the agency for its 2018-19 Q3 return (a new sheet named Q3 in this workbook is fine))"]
    );
    assert!(report.returns.iter().all(|r| r.period != q3()), "no Q3 return");
    assert_eq!(report.accounts[0].outcome, FileOutcome::Unreadable { reason: "the workbook has no sheet for 2018-19 Q3".into() });
    // The earlier quarters are still there for trend.
    assert_eq!(report.returns.iter().map(|r| r.period.quarter).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn a_sheets_quarter_is_its_period_cell_then_its_name_then_the_workbooks() {
    // Named by months; a Period: cell beats a misleading name.
    let folder = Folder::new();
    folder.put(
        "genga.xlsx",
        &year_workbook(&[
            tab("Apr-Jun", None, &[("SOC1", "Green", "April")]),
            tab("Jul-Sep", None, &[("SOC1", "Green", "July")]),
            tab("Copy of Jul-Sep", Some("2018-19 Q3"), &[("SOC1", "Red", "October")]),
        ]),
    );
    let report = folder.read();
    assert!(!report.diagnostics.has_errors(), "{:?}", lines(&report));
    let this = report.returns.iter().find(|r| r.period == q3()).expect("a Q3 return");
    assert_eq!(statuses(this), [("SOC1".to_string(), Status::Red, "October".to_string())]);
    assert_eq!(this.file, "returns/genga.xlsx");

    // Names a year in full, no --period: the folder's period, else the latest quarter filled in.
    let folder = Folder::new();
    folder.put(
        "genga.xlsx",
        &year_workbook(&[
            tab("October to December 2018", None, &[("SOC1", "Amber", "Q3")]),
            tab("Jan-Mar 2019", None, &[("SOC1", "Green", "Q4")]),
        ]),
    );
    let report = folder.read_with(&ReadOptions { period: None, limits: Limits::default() });
    let latest: Vec<(String, String)> = report.returns.iter().map(|r| (r.file.clone(), r.period.to_string())).collect();
    assert_eq!(
        latest,
        [
            ("returns/genga.xlsx".to_string(), "2018-19 Q4".to_string()),
            ("returns/genga.xlsx › October to December 2018".to_string(), "2018-19 Q3".to_string())
        ]
    );
    // With --period Q3 the later sheet is a warning, not read.
    let report = folder.read();
    assert_eq!(report.returns.len(), 1);
    assert_eq!(statuses(&report.returns[0]), [("SOC1".to_string(), Status::Amber, "Q3".to_string())]);
    assert_eq!(codes(&report, "returns/genga.xlsx"), ["other-sheet"]);
    assert_eq!(report.diagnostics.iter().next().unwrap().severity, Severity::Warning);
}

#[test]
fn several_tables_naming_no_quarter_are_read_as_before() {
    let folder = Folder::new();
    folder
        .put("genga.xlsx", &year_workbook(&[tab("Sheet1", None, &[("SOC1", "Green", "a")]), tab("Sheet2", None, &[("SOC3", "Red", "b")])]));
    let report = folder.read();
    assert_eq!(report.returns.len(), 1);
    assert_eq!(report.returns[0].updates[0].action_id, "SOC1");
    assert_eq!(codes(&report, "returns/genga.xlsx"), ["extra-sheet"]);
}

#[test]
fn validate_and_build_agree_on_a_year_workbook() {
    use csp_report::history::find_previous;
    use csp_report::merge::{merge, MergeInput};
    let folder = Folder::new();
    folder.put("genga.xlsx", &year_workbook(&[q1_tab(), q2_tab(), q3_tab(), q4_blank_tab()]));
    let read = folder.read();
    let plan = plan();
    let no_history = folder.dir.parent().unwrap().join("output");
    let (previous, history_diagnostics) = find_previous(&no_history, "returns", &plan, q3(), &read);
    let previous = previous.expect("Q2's sheet gives the previous quarter");
    assert_eq!(previous.period, q3().previous());
    let progress = merge(&MergeInput {
        plan: &plan,
        period: q3(),
        read: &read,
        previous: Some(&previous),
        produced: chrono::NaiveDate::from_ymd_opt(2019, 1, 21).unwrap(),
        deadline: q3().end(),
        extra_diagnostics: &history_diagnostics,
    });
    let action = |id: &str| progress.groups.iter().flat_map(|g| &g.actions).find(|a| a.id == id).unwrap();
    let genga = |id: &str| action(id).leads.iter().find(|l| l.agency_id == "genga").unwrap().clone();
    assert_eq!((genga("SOC1").status(), genga("SOC1").update.as_str()), (Status::Amber, "Q3 words"));
    assert_eq!(genga("SOC4").status(), Status::Complete);
    assert_eq!(progress.diagnostic_counts.errors, 0, "{:?}", progress.diagnostics);
    assert_eq!(progress.diagnostic_counts.rows_read, 3, "this quarter's rows only");

    let output = validate(&folder.dir).code(0).get_output().clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line_of = |file: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().strip_prefix(file).is_some_and(|rest| rest.starts_with("  ")))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    assert_eq!(
        line_of("returns/genga.xlsx").as_deref(),
        Some("returns/genga.xlsx Preston Genga Group (genga), 2018-19 Q3, by Agency: cell: 3 rows read = 3 accepted + 0 rejected"),
        "{stdout}"
    );
    assert_eq!(
        line_of("returns/genga.xlsx › Q1").as_deref(),
        Some("returns/genga.xlsx › Q1 Preston Genga Group (genga), 2018-19 Q1, by Agency: cell: 3 rows read = 2 accepted + 1 rejected"),
        "{stdout}"
    );
    assert!(!stdout.contains("  Preston Genga Group (genga)\n"), "genga is not missing: {stdout}");
}
