//! One fact, one wording, in every output. The shipped example's quarter is
//! merged once and rendered to CSV, the workbook, the board report's PDF text
//! and the HTML; then each agency's return state, each lead's update state,
//! each action's overall status and each exception (its reasons' sentences
//! and the count of them) are looked for in all four, worded as the
//! vocabulary and the sentence templates word them. Changing one renderer's
//! wording of any of them makes this test fail.

use calamine::{Data, Reader, Xlsx};
use csp_report::forms::FormSettings;
use csp_report::history::find_previous;
use csp_report::merge::{merge, MergeInput};
use csp_report::plan::{load_plan, Plan};
use csp_report::progress::{Progress, ReturnState, Subject, UpdateState};
use csp_report::render::sentences::Sentences;
use csp_report::render::{renderers, OutputFile, RenderContext};
use csp_report::returns::{read_returns, ReadOptions};
use csp_report::templates::Templates;
use scraper::{Html, Selector};
use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;
use std::process::Command;

/// The shipped example's 2018-19 Q3, merged as `build` merges it, and every
/// file the renderers write for it.
fn example() -> (Progress, Sentences, BTreeMap<String, Vec<u8>>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan: Plan = load_plan(&root.join("input/plan.toml")).expect("the shipped plan loads");
    let period = "2018-19 Q3".parse().unwrap();
    let returns = root.join("input/returns");
    let read = read_returns(&returns, &plan, &ReadOptions { period: Some(period), ..ReadOptions::default() });
    let no_history = tempfile::tempdir().unwrap();
    let (previous, history_diagnostics) = find_previous(no_history.path(), "input/returns", &plan, period, &read);
    let forms = FormSettings::new(&Default::default(), period);
    let progress = merge(&MergeInput {
        plan: &plan,
        period,
        read: &read,
        previous: previous.as_ref(),
        produced: period.end() + chrono::Days::new(21),
        deadline: forms.deadline,
        extra_diagnostics: &history_diagnostics,
    });
    let templates = Templates::built_in();
    let mut problems = Vec::new();
    let sentences = Sentences::render(&templates, &progress, &mut problems).expect("the sentences render");
    assert!(problems.is_empty(), "{problems:?}");
    let ctx = RenderContext { progress: &progress, plan: &plan, templates: &templates, forms: &forms, sentences: &sentences };
    let mut files = BTreeMap::new();
    for renderer in renderers() {
        for OutputFile { path, bytes } in renderer.render(&ctx).expect("renders").files {
            files.insert(path.display().to_string(), bytes);
        }
    }
    (progress, sentences, files)
}

/// Text with every run of whitespace made one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The example has each state these checks are about.
fn the_example_has_every_state(progress: &Progress) {
    let states: Vec<ReturnState> = progress.agencies.iter().map(|a| a.state).collect();
    for state in ReturnState::ALL {
        assert!(states.contains(&state), "the example has an agency whose return is {state:?}");
    }
    let leads: Vec<&UpdateState> = progress.groups.iter().flat_map(|g| &g.actions).flat_map(|a| &a.leads).map(|l| &l.state).collect();
    assert!(leads.iter().any(|s| matches!(s, UpdateState::Rejected(_))), "a rejected row (police SOC1, \"Gren\")");
    assert!(leads.iter().any(|s| matches!(s, UpdateState::NoReturn)), "a lead with no return (Public Health)");
}

#[test]
fn every_output_words_each_state_and_exception_the_same_way() {
    let (progress, sentences, files) = example();
    the_example_has_every_state(&progress);

    // --- progress.csv: the tokens of the same states, row by row.
    let csv = &files["progress.csv"];
    let mut reader = csv::Reader::from_reader(csv.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(csv));
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for action in progress.groups.iter().flat_map(|g| &g.actions) {
        for lead in &action.leads {
            let row = rows
                .iter()
                .find(|r| &r[column("action_id")] == action.id.as_str() && &r[column("lead")] == lead.agency_id.as_str())
                .unwrap_or_else(|| panic!("{} {} in progress.csv", action.id, lead.agency_id));
            assert_eq!(&row[column("status")], lead.status().token(), "{} {}", action.id, lead.agency_id);
            assert_eq!(&row[column("overall_status")], action.overall.token(), "{}", action.id);
            assert_eq!(&row[column("update_state")], lead.state.token(), "{} {}", action.id, lead.agency_id);
        }
    }

    // --- The workbook.
    let mut book = Xlsx::new(Cursor::new(files["progress.xlsx"].clone())).expect("opens");
    let cells = |book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str| -> Vec<Vec<String>> {
        let range = book.worksheet_range(sheet).unwrap();
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    };
    let summary = cells(&mut book, "Summary");
    for agency in &progress.agencies {
        assert!(
            // The name's cell also carries the notes the agency wrote below its table.
            summary.iter().any(|r| r[0].lines().next() == Some(agency.name.as_str()) && r[1] == agency.state.label()),
            "the workbook says {}'s return is {}",
            agency.name,
            agency.state.label()
        );
    }
    for group in &progress.groups {
        let sheet = cells(&mut book, &group.name);
        for action in &group.actions {
            for lead in &action.leads {
                let row = sheet.iter().find(|r| r[0] == action.id && r[5] == lead.agency_name).expect("a row per lead");
                assert_eq!(row[6], lead.state.label(), "{} {} in the workbook", action.id, lead.agency_name);
                assert_eq!(row[12], action.overall.label(), "{} overall in the workbook", action.id);
            }
        }
    }
    let police = summary.iter().find(|r| r[0].starts_with("Lancashire Constabulary\n")).expect("the police's notes beside their name");
    assert!(police[0].contains("Note: Completed by:"), "{police:?}");
    let exceptions_sheet = cells(&mut book, "Exceptions");
    assert!(exceptions_sheet.iter().any(|r| r[0] == sentences.exceptions_count), "the workbook counts the exceptions in the same words");
    let listed: Vec<&Vec<String>> = exceptions_sheet.iter().skip_while(|r| r[0] != "Why").skip(1).collect();
    assert_eq!(listed.len(), progress.exceptions.len(), "one workbook row per exception");
    for ((row, e), reasons) in listed.iter().zip(&progress.exceptions).zip(&sentences.reasons) {
        let kinds: Vec<&str> = e.reasons.iter().map(|r| r.kind().label()).collect();
        assert_eq!(row[0], kinds.join("\n"));
        assert_eq!(row[5], reasons.join("\n"));
    }

    // --- The HTML.
    let html = Html::parse_document(std::str::from_utf8(&files["board-report.html"]).unwrap());
    let sel = |s: &str| Selector::parse(s).unwrap();
    let text = |e: scraper::ElementRef| collapse(&e.text().collect::<String>());
    for (row, agency) in html.select(&sel("table.agencies tbody tr")).zip(&progress.agencies) {
        let cells: Vec<String> = row.select(&sel("th, td")).map(text).collect();
        assert!(cells[0].starts_with(&agency.name), "{cells:?}");
        assert!(
            cells[1].starts_with(agency.state.label()),
            "the HTML says {}'s return is {}: {cells:?}",
            agency.name,
            agency.state.label()
        );
    }
    let html_rows: Vec<_> = html.select(&sel("table.exceptions tbody tr")).collect();
    assert_eq!(html_rows.len(), progress.exceptions.len(), "one HTML row per exception");
    for ((row, e), reasons) in html_rows.iter().zip(&progress.exceptions).zip(&sentences.reasons) {
        let why: Vec<&str> = row.select(&sel("th")).next().unwrap().text().map(str::trim).filter(|t| !t.is_empty()).collect();
        assert_eq!(why, e.reasons.iter().map(|r| r.kind().label()).collect::<Vec<_>>());
        let shown: Vec<String> = row.select(&sel("p.reason")).map(text).collect();
        assert_eq!(&shown, reasons);
    }
    let count = html.select(&sel("section.exceptions-section p")).map(text).next().unwrap();
    assert_eq!(count, sentences.exceptions_count);
    for action in progress.groups.iter().flat_map(|g| &g.actions) {
        let selector = sel(&format!("#{}-updates + table tbody", csp_report::render::context::anchor("action", &action.id)));
        let body = html.select(&selector).next().unwrap_or_else(|| panic!("{}'s updates table", action.id));
        for (row, lead) in body.select(&sel("tr")).zip(&action.leads) {
            let status = text(row.select(&sel("td")).next().unwrap());
            assert!(status.starts_with(lead.status().label()), "{} {}: {status}", action.id, lead.agency_name);
        }
    }

    // --- The board report's text.
    if Command::new("pdftotext").arg("-v").output().is_err() {
        println!("skipped the PDF part: pdftotext (poppler-utils) is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("board-report.pdf");
    std::fs::write(&pdf, &files["board-report.pdf"]).unwrap();
    let out = Command::new("pdftotext").arg("-raw").arg("-enc").arg("UTF-8").arg(&pdf).arg("-").output().unwrap();
    let words = collapse(&String::from_utf8(out.stdout).unwrap().replace('\u{c}', " "));
    assert!(words.contains(&sentences.exceptions_count), "the board report counts the exceptions in the same words");
    for (e, reasons) in progress.exceptions.iter().zip(&sentences.reasons) {
        for reason in reasons {
            assert!(words.contains(reason.as_str()), "the board report gives {reason:?}");
        }
        if let Subject::Agency { name, .. } = &e.subject {
            assert!(words.contains(&format!("{name} {}", ReturnState::Missing.label())), "{name} has no return in the board report");
        }
    }
    let returns_section = &words[words.rfind("Returns received and missing").expect("the returns section")..];
    for agency in &progress.agencies {
        let at = returns_section.find(agency.name.as_str()).unwrap_or_else(|| panic!("{} in the returns table", agency.name));
        let after = &returns_section[at + agency.name.len()..];
        // The first label after the name; of two at one place ("Returned",
        // "Returned, incomplete") the longer.
        let label_at = ReturnState::ALL
            .iter()
            .filter_map(|s| after.find(s.label()).map(|i| (i, *s)))
            .min_by_key(|(i, s)| (*i, std::cmp::Reverse(s.label().len())));
        assert_eq!(
            label_at.map(|(_, s)| s),
            Some(agency.state),
            "the board report says {}'s return is {}",
            agency.name,
            agency.state.label()
        );
    }
}

/// The example: the police reported on SOC1 with the status "Gren".
/// Nothing says they sent no return or no update for it.
#[test]
fn a_rejected_row_is_never_shown_as_no_return() {
    let (progress, _, files) = example();
    let soc1 = progress.groups.iter().flat_map(|g| &g.actions).find(|a| a.id == "SOC1").unwrap();
    let police = soc1.leads.iter().find(|l| l.agency_id == "police").unwrap();
    assert!(matches!(police.state, UpdateState::Rejected(_)), "{:?}", police.state);
    let police_agency = progress.agencies.iter().find(|a| a.id == "police").unwrap();
    assert_eq!(police_agency.state, ReturnState::Incomplete);
    assert!(!police_agency.actions_missing.contains(&"SOC1".to_string()), "SOC1 is not 'not reported on'");

    let html = String::from_utf8(files["board-report.html"].clone()).unwrap();
    let doc = Html::parse_document(&html);
    let sel = |s: &str| Selector::parse(s).unwrap();
    let body = doc.select(&sel("#action-soc1-updates + table tbody")).next().unwrap();
    let police_row = body.select(&sel("tr")).find(|r| r.text().collect::<String>().contains("Lancashire Constabulary")).unwrap();
    let words = collapse(&police_row.text().collect::<String>());
    assert!(words.contains("Rejected") && words.contains("\"Gren\""), "{words}");
    assert!(!words.contains("No return"), "{words}");

    let mut book = Xlsx::new(Cursor::new(files["progress.xlsx"].clone())).unwrap();
    let range = book.worksheet_range("Serious and Organised Crime").unwrap();
    let row: Vec<String> =
        range.rows().find(|r| r[0] == "SOC1" && r[5] == "Lancashire Constabulary").unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(row[6], "Rejected");
    assert!(row[15].contains("\"Gren\""), "the notes say why: {}", row[15]);
    let missing = book.worksheet_range("Missing returns").unwrap();
    let police_line: Vec<String> =
        missing.rows().find(|r| r[0] == "Lancashire Constabulary").unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(police_line[3], "", "no action left unreported");
    assert!(police_line[4].starts_with("SOC1: status \"Gren\" is not a status"), "{police_line:?}");
}
