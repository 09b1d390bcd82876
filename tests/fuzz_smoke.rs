//! A bounded fuzz for CI: random and mutated bytes thrown at the same entry
//! points as the cargo-fuzz targets in `fuzz/` (reading a return under each
//! extension, loading a plan, reading a CSV, laying out Unicode text into a
//! PDF). The mutations start from real inputs (a filled return form, the
//! shipped plan, a CSV return) so they reach past the first checks. It runs
//! in well under a minute in a debug build; the long runs are cargo-fuzz's
//! (see docs/fuzzing.md). The ignored test at the end writes the cargo-fuzz
//! seed corpora.

use chrono::NaiveDate;
use csp_report::forms::{build_form, FilledRow, FilledValue, FormSettings};
use csp_report::plan::{parse_plan, Period, Plan};
use csp_report::render::pdf::layout::{lay_out, Block, Cell, Column, Flow, Furniture, PageStyle, Paragraph, Table};
use csp_report::render::pdf::text::Span;
use csp_report::returns::{read_returns, FileOutcome, ReadOptions};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

const PLAN_TEXT: &str = include_str!("../input/plan.toml");

fn plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(|| parse_plan(PLAN_TEXT, "input/plan.toml").expect("the shipped plan loads"))
}

/// A filled return form for the police, as an agency would send it back.
fn form() -> &'static [u8] {
    static FORM: OnceLock<Vec<u8>> = OnceLock::new();
    FORM.get_or_init(|| {
        let plan = plan();
        let agency = plan.lead_agencies().next().expect("a lead agency");
        let ids: Vec<String> = plan.actions_led_by(&agency.id).take(3).map(|a| a.id.clone()).collect();
        let fill: Vec<FilledRow> = ids
            .iter()
            .zip(["Green", "Amber", "Red"])
            .map(|(id, status)| FilledRow {
                action_id: id.clone(),
                status: Some(FilledValue::Text(status.into())),
                percent: Some(FilledValue::Number(40.0)),
                update: "Delivered two sessions; the third moved to March".into(),
                revised_date: Some(FilledValue::Date(NaiveDate::from_ymd_opt(2019, 3, 31).unwrap())),
                ..FilledRow::default()
            })
            .collect();
        let period: Period = "2018-19 Q3".parse().unwrap();
        let settings = FormSettings {
            deadline: NaiveDate::from_ymd_opt(2019, 1, 14).unwrap(),
            contact: "csp@example.org".into(),
            generated: NaiveDate::from_ymd_opt(2018, 12, 31).unwrap(),
        };
        build_form(plan, agency, period, None, &settings, &fill).expect("the form is written").bytes
    })
}

/// A CSV return with a title line, CRLF endings and a quoted line break.
fn csv_return() -> String {
    let plan = plan();
    let agency = plan.lead_agencies().next().expect("a lead agency");
    let mut csv = format!("Agency:,{}\r\nPeriod:,2018-19 Q3\r\n\r\nAction ID,Status,% complete,Progress update\r\n", agency.name);
    for (i, action) in plan.actions_led_by(&agency.id).take(3).enumerate() {
        csv.push_str(&format!("{},{},{}%,\"line one\r\nline two\"\r\n", action.id, ["Green", "Amber", "Red"][i], i * 30));
    }
    csv
}

/// Applies edits to a copy of `seed`: each (position, byte, kind) overwrites,
/// inserts or deletes one byte; `cut` truncates.
fn mutate(seed: &[u8], edits: &[(usize, u8, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, byte, kind) in edits {
        if bytes.is_empty() {
            bytes.push(byte);
            continue;
        }
        let at = at % bytes.len();
        match kind % 3 {
            0 => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ => {
                bytes.remove(at);
            }
        }
    }
    if let Some(cut) = cut {
        bytes.truncate(cut % (bytes.len() + 1));
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..8)
}

/// Reads one file under `name` through the public reader and checks the
/// account: the file is read or refused with an error, every row accounted for.
fn read_one(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    std::fs::write(returns.join(name), bytes).unwrap();
    let report = read_returns(&returns, plan(), &ReadOptions::default());
    assert_eq!(report.accounts.len(), 1);
    let account = &report.accounts[0];
    assert_eq!(account.rows_read, account.rows_accepted + account.rows_rejected + account.rows_notes);
    if let FileOutcome::Unreadable { .. } = account.outcome {
        assert!(report.diagnostics.has_errors(), "{name}: unreadable without an error");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_form_costs_at_most_itself(edits in edits(), cut in prop::option::of(any::<usize>()), ext in 0usize..4) {
        let name = ["police.xlsx", "police.xls", "police.ods", "police.csv"][ext];
        read_one(name, &mutate(form(), &edits, cut));
    }

    #[test]
    fn random_bytes_under_any_name_are_refused_or_read(bytes in prop::collection::vec(any::<u8>(), 0..600), ext in 0usize..4) {
        let name = ["police.xlsx", "police.xls", "police.ods", "police.csv"][ext];
        read_one(name, &bytes);
    }

    #[test]
    fn a_mutated_csv_reads_or_fails_cleanly(edits in edits(), cut in prop::option::of(any::<usize>())) {
        let bytes = mutate(csv_return().as_bytes(), &edits, cut);
        if let Ok(grid) = csp_report::returns::csv::read_csv(&bytes) {
            let lines = grid.lines.unwrap();
            prop_assert!(grid.rows.iter().all(|r| lines[r.index as usize] >= 1));
        }
        read_one("yot.csv", &bytes);
    }

    #[test]
    fn a_mutated_plan_loads_or_reports(edits in edits(), cut in prop::option::of(any::<usize>())) {
        let text = String::from_utf8_lossy(&mutate(PLAN_TEXT.as_bytes(), &edits, cut)).into_owned();
        match parse_plan(&text, "plan.toml") {
            Ok(plan) => prop_assert!(plan.actions().all(|a| plan.action(&a.id).is_some())),
            Err(csp_report::plan::PlanError::Invalid { problems, .. }) => prop_assert!(!problems.is_empty()),
            Err(other) => prop_assert!(false, "parsing text gave {other}"),
        }
    }
}

proptest! {
    // Layout in a debug build is the slow one: fewer cases.
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_unicode_text_lays_out_on_the_page(texts in prop::collection::vec(any::<String>(), 1..5), narrow in any::<bool>()) {
        let width = if narrow { 0.05 } else { 1.0 };
        let cells: Vec<Cell> = texts.iter().map(|t| Cell::text(t.clone())).collect();
        let columns: Vec<Column> = cells.iter().enumerate().map(|(i, _)| Column::new(format!("C{i}"), if i == 0 { width } else { 1.0 })).collect();
        let flow = Flow {
            page: PageStyle::A4_PORTRAIT,
            furniture: Furniture { header_left: texts[0].clone(), header_right: String::new(), footer_left: String::new() },
            blocks: vec![
                Block::Heading { level: 1, text: texts[0].clone() },
                Block::Paragraph(Paragraph::new(texts.iter().map(|t| Span::plain(t.clone())).collect())),
                Block::Table(Table { columns, rows: vec![cells], size: 8.0 }),
            ],
        };
        let laid = lay_out(&flow);
        prop_assert!(!laid.pages.is_empty());
        for page in &laid.pages {
            for item in &page.items {
                let (left, top, right, bottom) = item.bounds();
                prop_assert!([left, top, right, bottom].iter().all(|v| v.is_finite()));
                prop_assert!(top >= -1.0 && bottom <= page.style.height + 1.0, "off the page: {item:?}");
            }
        }
    }
}

/// Writes the cargo-fuzz seed corpora under fuzz/seeds/ (run it once before
/// fuzzing: `cargo test --test fuzz_smoke -- --ignored write_fuzz_seeds`).
/// The .xls and .ods seeds are the same form converted by LibreOffice, when
/// it is installed.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let root = Path::new("fuzz/seeds");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    // read_return: the first byte picks the extension (0 xlsx, 1 xls, 2 ods, 3 csv).
    let with_selector = |selector: u8, bytes: &[u8]| [&[selector][..], bytes].concat();
    write("read_return", "form.xlsx", &with_selector(0, form()));
    write("read_return", "return.csv", &with_selector(3, csv_return().as_bytes()));
    let scratch = tempfile::tempdir().unwrap();
    std::fs::write(scratch.path().join("form.xlsx"), form()).unwrap();
    for (selector, ext) in [(1u8, "xls"), (2, "ods")] {
        let converted = std::process::Command::new("soffice")
            .args(["--headless", "--convert-to", ext, "--outdir"])
            .arg(scratch.path())
            .arg(scratch.path().join("form.xlsx"))
            .output();
        match converted.ok().and_then(|_| std::fs::read(scratch.path().join(format!("form.{ext}"))).ok()) {
            Some(bytes) => write("read_return", &format!("form.{ext}"), &with_selector(selector, &bytes)),
            None => eprintln!("LibreOffice is not installed: no .{ext} seed"),
        }
    }
    // What the fuzzers found before goes back in as seeds (named `<target>-…`).
    for entry in std::fs::read_dir("tests/fixtures/fuzz").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((target, _)) = name.split_once('-') {
            write(target, &name, &std::fs::read(entry.path()).unwrap());
        }
    }
    write("plan", "plan.toml", PLAN_TEXT.as_bytes());
    write("csv", "return.csv", csv_return().as_bytes());
    write("csv", "semicolons.csv", "\u{feff}Action ID;Status;% complete\nDA1;Green;50%\n".as_bytes());
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain("Action ID\tStatus\nDA1\tRed\n".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    write("csv", "utf16.csv", &utf16);
    write("pdf_text", "english.txt", "Delivered two **sessions**|Amber|Police|# Heading\n\n- item\n".as_bytes());
    write("pdf_text", "urdu.txt", "پولیس نے دو اجلاس منعقد کیے|Red|گجراتی: પોલીસ|mixed English اردو text".as_bytes());
    write(
        "pdf_text",
        "marks.txt",
        "e\u{301}\u{302}\u{303}|\u{200F}\u{202E}abc\u{202C}|\u{FEFF}\u{00AD}|\t\r\n|\u{10FFFF}\u{E000}".as_bytes(),
    );
}
