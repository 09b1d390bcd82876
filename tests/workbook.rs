//! The Excel progress workbook, read back as a coordinator would: every action
//! on its group's sheet with each lead's status, summary counts equal to the
//! rows, the red and overdue actions under exceptions, text from returns kept
//! as text (never a formula), over-long text cut visibly with a warning, the
//! same input giving the same bytes, and the file opening in LibreOffice.

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use csp_report::diagnostics::{Diagnostic, Place};
use csp_report::plan::{GlossaryEntry, Partnership, Period};
use csp_report::progress::{
    ActionProgress, AgencyProgress, Counts, DiagnosticCounts, Exception, ExceptionCounts, ExceptionKind, GroupProgress, LeadUpdate,
    LeadWords, PriorityProgress, Progress, Reason, ReturnState, Subject, Trend, UpdateState,
};
use csp_report::render::sentences::Sentences;
use csp_report::render::xlsx::{
    render_workbook, CELL_LIMIT, CELL_TRUNCATED, EXCEPTIONS_SHEET, MISSING_SHEET, PROBLEMS_SHEET, SUMMARY_SHEET,
};
use csp_report::status::Status;
use csp_report::templates::Templates;
use std::io::{Cursor, Read};
use std::path::Path;
use std::process::Command;

const HOSTILE: &str = "=HYPERLINK(\"http://x\",\"y\")";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn source(file: &str, row: u32, col: u32) -> Place {
    Place::cell(format!("returns/{file}"), "Progress", row, col)
}

#[allow(clippy::too_many_arguments)]
fn lead(
    agency_id: &str,
    agency_name: &str,
    status: Status,
    percent: Option<u8>,
    update: &str,
    risks: &str,
    file: &str,
    row: u32,
) -> LeadUpdate {
    LeadUpdate {
        agency_id: agency_id.to_string(),
        agency_name: agency_name.to_string(),
        state: UpdateState::Reported(status),
        percent_complete: percent,
        update: update.to_string(),
        next_steps: if status == Status::Complete { String::new() } else { "Report progress to the next board.".to_string() },
        issues_risks: risks.to_string(),
        revised_date: None,
        notes: Vec::new(),
        stale: false,
        source: Some(source(file, row, 7)),
    }
}

fn no_return(agency_id: &str, agency_name: &str) -> LeadUpdate {
    LeadUpdate {
        agency_id: agency_id.to_string(),
        agency_name: agency_name.to_string(),
        state: UpdateState::NoReturn,
        percent_complete: None,
        update: String::new(),
        next_steps: String::new(),
        issues_risks: String::new(),
        revised_date: None,
        notes: Vec::new(),
        stale: false,
        source: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn action(
    id: &str,
    group: (&str, &str),
    text: &str,
    timescale: &str,
    due: Option<NaiveDate>,
    leads: Vec<LeadUpdate>,
    overall: Status,
    trend: Option<Trend>,
) -> ActionProgress {
    ActionProgress {
        id: id.to_string(),
        group_id: group.0.to_string(),
        group_name: group.1.to_string(),
        text: text.to_string(),
        timescale: timescale.to_string(),
        due_date: due,
        new: false,
        leads,
        contributions: Vec::new(),
        overall,
        overdue: false,
        slipped_to: None,
        conflict: false,
        not_started_late: false,
        trend,
        previous_overall: None,
        history: Default::default(),
    }
}

/// A quarter with what the board must see: a co-led action whose leads
/// disagree (red), an overdue amber that slipped, a NEW action not started, a
/// lead with no return, a contribution from a non-lead, a hostile update and
/// an update longer than Excel's cell limit.
fn fixture() -> Progress {
    let cs = ("city-safe", "City Safe");
    let da = ("domestic-abuse", "Domestic Abuse");
    let ro = ("reoffending", "Reoffending");

    let mut cs1 = action(
        "CS1",
        cs,
        "Deliver the Purple Flag accreditation for the city centre evening economy",
        "March 2019",
        Some(date(2019, 3, 31)),
        vec![lead(
            "police",
            "Lancashire Constabulary",
            Status::Green,
            Some(60),
            "Assessment visit booked for February.",
            "",
            "police.xlsx",
            6,
        )],
        Status::Green,
        Some(Trend::Same),
    );
    cs1.contributions.push(lead(
        "probation",
        "National Probation Service",
        Status::Green,
        None,
        "Offered community payback teams for clean-up days.",
        "",
        "probation.xlsx",
        9,
    ));
    let mut cs2 = action(
        "CS2",
        cs,
        "Extend city centre CCTV coverage to the bus station and Fishergate",
        "December 2018",
        Some(date(2018, 12, 31)),
        vec![
            lead(
                "council",
                "Preston City Council",
                Status::Green,
                Some(80),
                "Cameras installed at the bus station.",
                "",
                "council.xlsx",
                7,
            ),
            lead(
                "police",
                "Lancashire Constabulary",
                Status::Red,
                Some(20),
                "Monitoring staff not yet recruited; the Fishergate cameras are not live.",
                "Funding for the monitoring post was withdrawn in November.",
                "police.xlsx",
                7,
            ),
        ],
        Status::Red,
        Some(Trend::Worse),
    );
    cs2.conflict = true;
    cs2.overdue = true;
    cs2.previous_overall = Some(Status::Green);
    let cs3 = action(
        "CS3",
        cs,
        "Run Safe Zones on Friday and Saturday nights",
        "Ongoing",
        None,
        vec![no_return("bid", "Preston Business Improvement District")],
        Status::NoReturn,
        None,
    );

    let mut da1_lead = lead(
        "council",
        "Preston City Council",
        Status::Amber,
        Some(50),
        "Refuge places commissioned; second site delayed.",
        "Planning permission for the second site.",
        "council.xlsx",
        9,
    );
    da1_lead.revised_date = Some(date(2019, 6, 30));
    da1_lead.stale = true;
    da1_lead.notes.push(("Officer".to_string(), "J. Smith".to_string()));
    let mut da1 = action(
        "DA1",
        da,
        "Commission additional refuge places for victims of domestic abuse",
        "December 2018",
        Some(date(2018, 12, 31)),
        vec![da1_lead],
        Status::Amber,
        Some(Trend::Worse),
    );
    da1.overdue = true;
    da1.slipped_to = Some(date(2019, 6, 30));
    let da2 = action(
        "DA2",
        da,
        "Train frontline staff in DASH risk assessment",
        "September 2018",
        Some(date(2018, 9, 30)),
        vec![lead(
            "police",
            "Lancashire Constabulary",
            Status::Complete,
            Some(100),
            "All response officers trained.",
            "",
            "police.xlsx",
            8,
        )],
        Status::Complete,
        Some(Trend::Improved),
    );
    let mut da3 = action(
        "DA3",
        da,
        "Launch a perpetrator programme",
        "2018-19 Q4",
        Some(date(2019, 3, 31)),
        vec![lead(
            "probation",
            "National Probation Service",
            Status::NotStarted,
            Some(0),
            HOSTILE,
            "@risk: -5% budget",
            "probation.xlsx",
            7,
        )],
        Status::NotStarted,
        Some(Trend::New),
    );
    da3.new = true;
    da3.not_started_late = true;

    let long_update = format!("Caseload review. {}", "The programme continues to meet every referral within five days. ".repeat(600));
    let ro1 = action(
        "RO1",
        ro,
        "Integrated offender management for prolific acquisitive offenders",
        "Ongoing",
        None,
        vec![lead("probation", "National Probation Service", Status::Green, None, &long_update, "", "probation.xlsx", 8)],
        Status::Green,
        Some(Trend::Same),
    );
    let ro2 = action(
        "RO2",
        ro,
        "Housing pathway for prison leavers",
        "March 2019",
        Some(date(2019, 3, 31)),
        vec![lead(
            "council",
            "Preston City Council",
            Status::Amber,
            Some(40),
            "+44 1772 906 000 is the referral line.",
            "Shortage of move-on flats.",
            "council.xlsx",
            10,
        )],
        Status::Amber,
        None,
    );

    let group = |id: &str, name: &str, tags: &[&str], actions: Vec<ActionProgress>| GroupProgress {
        id: id.to_string(),
        name: name.to_string(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        priority_ids: Vec::new(),
        counts: Counts::over(&actions),
        actions,
    };
    let groups = vec![
        group("city-safe", "City Safe", &["Violent Crime", "ASB"], vec![cs1, cs2, cs3]),
        group("domestic-abuse", "Domestic Abuse", &["Domestic Abuse"], vec![da1, da2, da3]),
        group("reoffending", "Reoffending", &["Reoffending"], vec![ro1, ro2]),
    ];
    let all: Vec<&ActionProgress> = groups.iter().flat_map(|g| g.actions.iter()).collect();
    let totals = Counts::over(all.iter().copied());
    let priority = |id: &str, name: &str, group_ids: &[&str]| {
        let actions: Vec<&ActionProgress> =
            groups.iter().filter(|g| group_ids.contains(&g.id.as_str())).flat_map(|g| g.actions.iter()).collect();
        PriorityProgress {
            id: id.to_string(),
            name: name.to_string(),
            evidence: Vec::new(),
            aims: Vec::new(),
            current_work: Vec::new(),
            planned_activity: Vec::new(),
            group_ids: group_ids.iter().map(|s| s.to_string()).collect(),
            action_ids: actions.iter().map(|a| a.id.clone()).collect(),
            counts: Counts::over(actions),
        }
    };
    let priorities = vec![
        priority("violent-crime", "Violent Crime", &["city-safe"]),
        priority("domestic-abuse", "Domestic Abuse and Sexual Offences", &["domestic-abuse"]),
        priority("reoffending", "Reducing Reoffending", &["reoffending", "city-safe"]),
    ];

    let agency = |id: &str, name: &str, led: &[&str], missing: &[&str], returned: bool, last: Option<Period>| {
        let state = match (returned, missing.is_empty()) {
            (false, _) => ReturnState::Missing,
            (true, true) => ReturnState::Complete,
            (true, false) => ReturnState::Incomplete,
        };
        AgencyProgress {
            id: id.to_string(),
            name: name.to_string(),
            actions_led: led.iter().map(|s| s.to_string()).collect(),
            actions_returned: led.iter().filter(|a| !missing.contains(a)).map(|s| s.to_string()).collect(),
            actions_missing: missing.iter().map(|s| s.to_string()).collect(),
            actions_rejected: Vec::new(),
            state,
            reminder_due: state != ReturnState::Complete,
            files: if returned { vec![format!("returns/{id}.xlsx")] } else { Vec::new() },
            last_return: if returned { Some(Period::new(2018, 3).unwrap()) } else { last },
            notes: Vec::new(),
        }
    };
    let q2 = Period::new(2018, 2).unwrap();
    let agencies = vec![
        agency("police", "Lancashire Constabulary", &["CS1", "CS2", "DA2"], &[], true, Some(q2)),
        agency("council", "Preston City Council", &["CS2", "DA1", "RO2"], &[], true, Some(q2)),
        agency("probation", "National Probation Service", &["DA3", "RO1"], &[], true, Some(q2)),
        agency("bid", "Preston Business Improvement District", &["CS3"], &["CS3"], false, Some(q2)),
        agency("street-pastors", "Street Pastors", &[], &[], false, None),
    ];

    let words = |lead: &str, text: &str| LeadWords { lead: lead.to_string(), update: text.to_string(), issues_risks: String::new() };
    let on = |id: &str, text: &str, group: &str| Subject::Action { id: id.into(), text: text.into(), group_name: group.into() };
    let cctv = "Extend city centre CCTV coverage to the bus station and Fishergate";
    let mut exceptions = vec![
        Exception {
            subject: on("CS2", cctv, "City Safe"),
            reasons: vec![
                Reason::Red { by: vec!["Lancashire Constabulary".into()] },
                Reason::Overdue {
                    due: Some(date(2018, 12, 31)),
                    timescale: "December 2018".into(),
                    due_passed: true,
                    passed_revised: None,
                    slipped: None,
                    overall: Status::Red,
                },
                Reason::Conflict {
                    said: vec![("Preston City Council".into(), Status::Green), ("Lancashire Constabulary".into(), Status::Red)],
                    overall: Status::Red,
                },
            ],
            leads: vec!["Preston City Council".into(), "Lancashire Constabulary".into()],
            words: vec![words("Lancashire Constabulary", "Monitoring staff not yet recruited; the Fishergate cameras are not live.")],
            sources: vec![source("council.xlsx", 7, 7), source("police.xlsx", 7, 7)],
        },
        Exception {
            subject: on("DA1", "Commission additional refuge places for victims of domestic abuse", "Domestic Abuse"),
            reasons: vec![Reason::Overdue {
                due: Some(date(2018, 12, 31)),
                timescale: "December 2018".into(),
                due_passed: true,
                passed_revised: None,
                slipped: Some((date(2019, 6, 30), vec!["Preston City Council".into()])),
                overall: Status::Amber,
            }],
            leads: vec!["Preston City Council".into()],
            words: vec![words("Preston City Council", "Planning permission for the second site.")],
            sources: vec![source("council.xlsx", 9, 7)],
        },
        Exception {
            subject: on("DA3", "Launch a perpetrator programme", "Domestic Abuse"),
            reasons: vec![Reason::NotStartedLate { due: Some(date(2019, 3, 31)), timescale: "March 2019".into(), due_passed: false }],
            leads: vec!["National Probation Service".into()],
            words: vec![words("National Probation Service", HOSTILE)],
            sources: vec![source("probation.xlsx", 7, 7)],
        },
        Exception {
            subject: Subject::Agency { id: "bid".into(), name: "Preston Business Improvement District".into() },
            reasons: vec![Reason::MissingReturn {
                agency: "Preston Business Improvement District".into(),
                actions_led: vec!["CS3".into()],
            }],
            leads: vec!["Preston Business Improvement District".into()],
            words: vec![],
            sources: vec![],
        },
    ];
    exceptions.sort_by_key(Exception::kind);

    let diagnostics = vec![
        Diagnostic::warning("missing-update", source("council.xlsx", 9, 5), "DA1 is amber but has no progress update"),
        Diagnostic::error("unknown-status", source("police.xlsx", 11, 5), "status \"Gren\" is not a status")
            .with_hint("did you mean Green?"),
        Diagnostic::note("file-skipped", Place::file("returns/~$police.xlsx"), "Office lock file skipped"),
    ];

    Progress {
        partnership: Partnership {
            name: "Preston Community Safety Partnership".into(),
            short_name: "Preston CSP".into(),
            plan_title: "Community Safety Partnership Plan".into(),
            plan_year: "2018-19".into(),
            source: "Lancashire Strategic Assessment 2016".into(),
            introduction: String::new(),
        },
        period: Period::new(2018, 3).unwrap(),
        previous_period: Some(q2),
        history_source: Some("output/2018-19-Q2/progress.csv".into()),
        produced: date(2019, 1, 14),
        plan_hash: "0123456789abcdef".into(),
        totals,
        groups,
        priorities,
        agencies,
        exception_counts: ExceptionCounts::over(&exceptions),
        exceptions,
        deadline: date(2019, 1, 14),
        deadline_passed: false,
        diagnostics,
        diagnostic_counts: DiagnosticCounts {
            errors: 1,
            warnings: 1,
            notes: 1,
            rows_read: 9,
            rows_accepted: 8,
            rows_rejected: 1,
            rows_notes: 0,
            files_unreadable: 0,
        },
        glossary: vec![GlossaryEntry { term: "CSP".into(), meaning: "Community Safety Partnership".into() }],
        year: Vec::new(),
        plan_changes: Vec::new(),
    }
}

/// An exception's reasons as the Why cell lists them, one per line.
fn kinds_of(e: &Exception) -> String {
    e.reasons.iter().map(|r| r.kind().label()).collect::<Vec<_>>().join("\n")
}

fn render(progress: &Progress) -> (Vec<u8>, Vec<Diagnostic>) {
    let sentences = Sentences::render(&Templates::built_in(), progress, &mut Vec::new()).expect("sentences render");
    let rendered = render_workbook(progress, &sentences).expect("the workbook renders");
    assert_eq!(rendered.files.len(), 1);
    assert_eq!(rendered.files[0].path, Path::new("progress.xlsx"));
    (rendered.files[0].bytes.clone(), rendered.diagnostics)
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook")
}

/// A sheet's cells as rows of text (dates and numbers as calamine prints them).
fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The table under the header row whose first cell is `first_header`.
fn table(rows: &[Vec<Data>], first_header: &str) -> Vec<Vec<String>> {
    let start = rows.iter().position(|r| r.first().map(text).as_deref() == Some(first_header)).expect("header row");
    rows[start + 1..].iter().map(|r| r.iter().map(text).collect::<Vec<_>>()).take_while(|r| !r[0].is_empty()).collect()
}

#[test]
fn every_action_appears_on_its_group_sheet_with_each_leads_status() {
    let progress = fixture();
    let (bytes, _) = render(&progress);
    let mut book = open(&bytes);
    let names = book.sheet_names();
    assert_eq!(
        names,
        ["Summary", "City Safe", "Domestic Abuse", "Reoffending", "Exceptions", "History", "Missing returns", "Data problems"]
    );
    for group in &progress.groups {
        let rows = table(&sheet(&mut book, &group.name), "ID");
        for action in &group.actions {
            let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == action.id).collect();
            assert_eq!(mine.len(), action.leads.len() + action.contributions.len(), "{}: one row per lead and contribution", action.id);
            for lead in &action.leads {
                let row =
                    mine.iter().find(|r| r[5] == lead.agency_name).unwrap_or_else(|| panic!("{} lead {}", action.id, lead.agency_name));
                assert_eq!(row[1], action.text);
                assert_eq!(row[2], action.timescale);
                assert_eq!(row[6], lead.state.label(), "{} {}", action.id, lead.agency_name);
                assert_eq!(row[12], action.overall.label());
                assert_eq!(row[13], if action.overdue { "Yes" } else { "No" });
                assert_eq!(row[16], lead.source.as_ref().map(Place::to_string).unwrap_or_default());
            }
            for contribution in &action.contributions {
                assert!(
                    mine.iter().any(|r| r[5].starts_with(&contribution.agency_name) && r[5].contains("contribution")),
                    "{} contribution from {} is marked",
                    action.id,
                    contribution.agency_name
                );
            }
        }
    }
    // Words, not colour alone: trend arrows with words, NEW marked, due date a real date.
    let rows = sheet(&mut book, "City Safe");
    let cs2 = rows.iter().find(|r| text(&r[0]) == "CS2").unwrap();
    assert_eq!(text(&cs2[14]), "▼ Worse");
    assert!(matches!(cs2[3], Data::DateTime(_)), "due date is a date cell: {:?}", cs2[3]);
    assert_eq!(serial(&cs2[3]), Some(excel_serial(date(2018, 12, 31))));
    let rows = sheet(&mut book, "Domestic Abuse");
    let da3 = rows.iter().find(|r| text(&r[0]) == "DA3").unwrap();
    assert_eq!(text(&da3[4]), "NEW");
    let da1 = rows.iter().find(|r| text(&r[0]) == "DA1").unwrap();
    assert_eq!(serial(&da1[11]), Some(excel_serial(date(2019, 6, 30))), "revised date");
    assert!(text(&da1[15]).contains("Revised to 30 June 2019") && text(&da1[15]).contains("no change reported"), "{:?}", da1[15]);
    assert_eq!(da1[7], Data::Float(0.5), "% complete is a number");
}

#[test]
fn summary_counts_equal_the_rows_of_the_group_sheets() {
    let progress = fixture();
    let (bytes, _) = render(&progress);
    let mut book = open(&bytes);
    let summary = sheet(&mut book, SUMMARY_SHEET);
    let matrix = table(&summary, "Action group");
    let statuses = Status::ALL;
    let mut all = vec![0usize; statuses.len()];
    for group in &progress.groups {
        let line = matrix.iter().find(|r| r[0] == group.name).unwrap_or_else(|| panic!("{} on the summary", group.name));
        // One overall status per action: the first row of each action ID.
        let rows = table(&sheet(&mut book, &group.name), "ID");
        let mut seen = Vec::new();
        let mut counted = vec![0usize; statuses.len()];
        for row in &rows {
            if !seen.contains(&row[0]) {
                seen.push(row[0].clone());
                let index = statuses.iter().position(|s| s.label() == row[12]).expect("a status word");
                counted[index] += 1;
            }
        }
        for (index, status) in statuses.iter().enumerate() {
            assert_eq!(line[1 + index], counted[index].to_string(), "{} {}", group.name, status.label());
            all[index] += counted[index];
        }
        assert_eq!(line[1 + Status::COUNT], seen.len().to_string(), "{} total", group.name);
    }
    let totals = matrix.iter().find(|r| r[0] == "All actions").expect("a totals row");
    for (index, count) in all.iter().enumerate() {
        assert_eq!(totals[1 + index], count.to_string(), "all actions, {}", statuses[index].label());
    }
    assert_eq!(totals[1 + Status::COUNT], "8");
    // Headline figures from Progress, and the agencies' returns.
    let flat: Vec<Vec<String>> = summary.iter().map(|r| r.iter().map(text).collect()).collect();
    let headline = |name: &str| flat.iter().find(|r| r[0] == name).map(|r| r[1].clone()).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(headline("Actions in the plan"), "8");
    assert_eq!(headline("Overdue"), "2");
    assert_eq!(headline("Actions that need attention"), progress.exception_counts.actions.to_string());
    assert_eq!(headline("Lead agencies with no return"), "1", "the BID");
    assert_eq!(headline("On track or complete"), format!("{}", f64::from(progress.totals.on_track_or_complete_percent) / 100.0));
    assert!(flat.iter().any(|r| r[0] == "Period" && r[1] == "2018-19 Q3 (October to December 2018)"));
    let agencies = table(&summary, "Lead agency");
    let bid = agencies.iter().find(|r| r[0] == "Preston Business Improvement District").unwrap();
    assert_eq!(bid[1], ReturnState::Missing.label());
    let police = agencies.iter().find(|r| r[0] == "Lancashire Constabulary").unwrap();
    assert_eq!((police[1].as_str(), police[2].as_str()), ("Returned", "CS1, CS2, DA2"));
    let priorities = table(&summary, "Strategic priority");
    assert_eq!(priorities.len(), 3 + 1, "three priorities and the note under them");
    assert_eq!(priorities[2][0], "Reducing Reoffending");
    assert_eq!(priorities[2][1 + Status::COUNT], "5");
}

#[test]
fn the_exceptions_sheet_lists_the_red_and_overdue_actions_in_merges_order() {
    let progress = fixture();
    let (bytes, _) = render(&progress);
    let mut book = open(&bytes);
    let rows = table(&sheet(&mut book, EXCEPTIONS_SHEET), "Why");
    let kinds: Vec<(String, String)> = rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let expected: Vec<(String, String)> =
        progress.exceptions.iter().map(|e| (kinds_of(e), e.action_id().unwrap_or_default().to_string())).collect();
    assert_eq!(kinds, expected);
    assert_eq!(kinds[0], ("Red\nOverdue\nLeads disagree".to_string(), "CS2".to_string()), "one row per action, every reason");
    assert!(kinds.contains(&("Overdue".to_string(), "DA1".to_string())));
    let red = &rows[0];
    assert_eq!(red[3], "City Safe");
    assert!(red[5].starts_with("Reported red by Lancashire Constabulary."), "the reasons' sentences: {}", red[5]);
    assert!(red[6].contains("Lancashire Constabulary: Monitoring staff not yet recruited"), "the lead's words: {}", red[6]);
    assert_eq!(red[7], "returns/council.xlsx › Progress › H8\nreturns/police.xlsx › Progress › H8");

    let missing = table(&sheet(&mut book, MISSING_SHEET), "Lead agency");
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert_eq!(missing[0][0], "Preston Business Improvement District");
    assert_eq!(missing[0][2], "CS3");
    assert_eq!(missing[0][3], "CS3");
    assert_eq!(missing[0][5], "2018-19 Q2 (July to September 2018)");
    assert_eq!(missing[1][5], "none on record");
}

#[test]
fn text_from_returns_is_never_a_formula() {
    let progress = fixture();
    let (bytes, _) = render(&progress);
    let mut book = open(&bytes);
    let rows = sheet(&mut book, "Domestic Abuse");
    let da3 = rows.iter().find(|r| text(&r[0]) == "DA3").unwrap();
    assert_eq!(da3[8], Data::String(HOSTILE.to_string()));
    assert_eq!(da3[10], Data::String("@risk: -5% budget".to_string()));
    let ro2 = sheet(&mut book, "Reoffending").into_iter().find(|r| text(&r[0]) == "RO2").unwrap();
    assert_eq!(ro2[8], Data::String("+44 1772 906 000 is the referral line.".to_string()));
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).expect("formulas read");
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "{name} has a formula");
    }
    // The raw XML agrees: no <f> element anywhere.
    for (name, xml) in zip_entries(&bytes) {
        if name.starts_with("xl/worksheets/") {
            assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name} holds a formula");
        }
    }
}

#[test]
fn an_over_long_update_is_cut_with_a_marker_and_a_warning() {
    let progress = fixture();
    let (bytes, diagnostics) = render(&progress);
    let mut book = open(&bytes);
    let ro1 = sheet(&mut book, "Reoffending").into_iter().find(|r| text(&r[0]) == "RO1").unwrap();
    let shown = text(&ro1[8]);
    let full = &progress.groups[2].actions[0].leads[0].update;
    assert!(full.encode_utf16().count() > CELL_LIMIT, "the fixture is over the limit");
    assert!(shown.encode_utf16().count() <= CELL_LIMIT);
    let hidden = full.chars().count() - (shown.chars().count() - shown.chars().rev().take_while(|c| *c != '…').count() - 1);
    assert!(shown.ends_with(&format!("… [cut: {hidden} characters not shown; see progress.csv]")), "{}", &shown[shown.len() - 80..]);
    assert!(full.starts_with(&shown[..shown.find('…').unwrap()]));

    let cut: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.code == CELL_TRUNCATED).collect();
    assert_eq!(cut.len(), 1, "{diagnostics:?}");
    assert_eq!(cut[0].severity, csp_report::diagnostics::Severity::Warning);
    assert_eq!(cut[0].place.to_string(), "returns/probation.xlsx › Progress › H9");
    assert!(cut[0].message.contains("Reoffending › I"), "{}", cut[0].message);
    // The coordinator sees it among the data problems too.
    let problems = table(&sheet(&mut book, PROBLEMS_SHEET), "File");
    assert!(problems.iter().any(|r| r[4] == CELL_TRUNCATED && r[0] == "returns/probation.xlsx" && r[2] == "H9"));
    assert_eq!(problems.len(), progress.diagnostics.len() + 1);
    for d in &progress.diagnostics {
        assert!(problems.iter().any(|r| r[4] == d.code && r[5] == d.message && r[3] == d.severity.as_str()), "{d}");
    }
}

#[test]
fn the_same_progress_gives_the_same_bytes_with_fixed_properties() {
    let progress = fixture();
    let (first, _) = render(&progress);
    let (second, _) = render(&progress);
    assert!(first == second, "two renders differ");
    let core = zip_entries(&first).into_iter().find(|(n, _)| n == "docProps/core.xml").expect("core properties").1;
    assert!(core.contains("2019-01-14T00:00:00Z"), "{core}");
    assert!(core.contains("<dc:creator>Preston Community Safety Partnership</dc:creator>"), "{core}");
    assert!(core.contains("<dc:title>Preston CSP progress, 2018-19 Q3</dc:title>"), "{core}");
}

#[test]
fn rows_are_tall_enough_for_their_wrapped_text_and_sheets_print_well() {
    let (bytes, _) = render(&fixture());
    let entries = zip_entries(&bytes);
    let workbook = &entries.iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1;
    // Header row repeated on every printed page of the group sheets.
    assert!(workbook.contains("'City Safe'!$4:$4"), "{workbook}");
    let city_safe = &entries.iter().find(|(n, _)| n == "xl/worksheets/sheet2.xml").unwrap().1;
    assert!(city_safe.contains("<pane xSplit=\"2\" ySplit=\"4\""), "frozen header and ID, action columns");
    assert!(city_safe.contains("<autoFilter ref=\"A4:Q"), "autofilter");
    assert!(city_safe.contains("orientation=\"landscape\"") && city_safe.contains("fitToHeight=\"0\""), "landscape, one page wide");
    assert!(city_safe.contains("Page &amp;P of &amp;N") && city_safe.contains("2018-19 Q3"), "footer");
    // CS2's police row has a two-line update and risks: its height is set.
    let row_heights: Vec<f64> = city_safe
        .split("<row ")
        .skip(1)
        .filter(|r| r.contains("customHeight=\"1\""))
        .filter_map(|r| r.split("ht=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    assert!(row_heights.iter().filter(|h| **h > 15.0).count() >= 3, "{row_heights:?}");
    let reoffending = &entries.iter().find(|(n, _)| n == "xl/worksheets/sheet4.xml").unwrap().1;
    assert!(reoffending.contains("ht=\"408.75\""), "the long update's row is as tall as Excel allows");
}

#[test]
fn group_names_become_legal_unique_sheet_names() {
    let mut progress = fixture();
    progress.groups[0].name = "Drugs: harm/reduction [task and finish] group?".into();
    progress.groups[1].name = "Summary".into();
    progress.groups[2].name = "Drugs: harm/reduction [task and finish] group*".into();
    let (bytes, _) = render(&progress);
    let book = open(&bytes);
    let names = book.sheet_names();
    assert_eq!(&names[1..4], ["Drugs- harm-reduction -task and", "Summary (2)", "Drugs- harm-reduction -task (2)"]);
}

#[test]
fn the_xlsx_renderer_is_registered() {
    let names: Vec<&str> = csp_report::render::renderers().iter().map(|r| r.name()).collect();
    assert!(names.contains(&"xlsx"), "{names:?}");
}

#[test]
fn libreoffice_opens_the_workbook_and_prints_every_sheet() {
    if Command::new("libreoffice").arg("--version").output().is_err() {
        println!("skipped: libreoffice is not installed (apt-get install libreoffice-calc-nogui poppler-utils)");
        return;
    }
    if Command::new("pdftotext").arg("-v").output().is_err() {
        println!("skipped: pdftotext is not installed (apt-get install poppler-utils)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (bytes, _) = render(&fixture());
    let xlsx = dir.path().join("progress.xlsx");
    std::fs::write(&xlsx, bytes).unwrap();
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let status = Command::new("libreoffice")
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&xlsx)
        .output()
        .expect("libreoffice runs");
    let pdf = dir.path().join("progress.pdf");
    assert!(pdf.exists(), "LibreOffice made no PDF: {}", String::from_utf8_lossy(&status.stderr));
    let out = Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().expect("pdftotext runs");
    let pdf_text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "Preston Community Safety Partnership",
        "Actions by action group",
        "Deliver the Purple Flag accreditation",
        "Commission additional refuge places",
        "Housing pathway for prison leavers",
        "Exceptions: what the board should look at",
        "Missing returns, 2018-19 Q3",
        "Problems found in the returns",
        "did you mean Green?",
        "Page 1 of",
    ] {
        assert!(pdf_text.contains(expected), "the PDF lacks {expected:?}");
    }
}

/// A date cell's serial day number, as Excel stores dates.
fn serial(cell: &Data) -> Option<f64> {
    match cell {
        Data::DateTime(dt) => Some(dt.as_f64()),
        _ => None,
    }
}

fn excel_serial(date: NaiveDate) -> f64 {
    (date - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

fn zip_entries(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let mut text = String::new();
        if file.read_to_string(&mut text).is_ok() {
            entries.push((file.name().expect("entry name").into_owned(), text));
        }
    }
    entries
}

#[test]
#[ignore = "writes the fixture workbook to $CSP_XLSX_OUT for looking at"]
fn write_fixture_workbook() {
    let out = std::env::var("CSP_XLSX_OUT").expect("CSP_XLSX_OUT");
    std::fs::write(&out, render(&fixture()).0).unwrap();
    std::fs::write(out.replace(".xlsx", "-pipeline.xlsx"), render(&pipeline_progress().1).0).unwrap();
}

#[test]
fn thousands_of_problems_are_all_listed() {
    let mut progress = fixture();
    progress.diagnostics = (0..5_000u32)
        .map(|row| Diagnostic::error("unknown-status", source("big.xlsx", row + 7, 5), format!("status \"x{row}\" is not a status")))
        .collect();
    let (bytes, _) = render(&progress);
    let mut book = open(&bytes);
    let problems = table(&sheet(&mut book, PROBLEMS_SHEET), "File");
    assert_eq!(problems.len(), 5_000 + 1, "every problem and the cut cell");
    assert_eq!(problems[4_999][5], "status \"x4999\" is not a status");
}

/// The real pipeline on the shipped plan: CSV returns written as agencies
/// would, read, merged, then rendered; the workbook shows what merge decided.
/// CSV returns from four agencies of the shipped plan (one with a hostile
/// update, an over-long one and a typo in a status), read and merged.
fn pipeline_progress() -> (csp_report::plan::Plan, Progress) {
    use csp_report::merge::{merge, MergeInput};
    use csp_report::returns::{read_returns, ReadOptions};

    let plan = csp_report::plan::load_plan(Path::new(env!("CARGO_MANIFEST_DIR")).join("input/plan.toml").as_path()).expect("plan");
    let period = Period::new(2018, 3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    let long_update = "Partnership tasking continues weekly. ".repeat(1_000);
    let header = ["Action ID", "Status", "% complete", "Progress update", "Next steps", "Issues / risks", "Revised date"];
    let statuses = ["Green", "Amber", "Red", "Complete", "Not started"];
    for agency in ["police", "probation", "clcrc", "forum-members"] {
        let mut csv = csv::Writer::from_path(returns.join(format!("{agency}.csv"))).unwrap();
        csv.write_record(header).unwrap();
        for (n, action) in plan.actions_led_by(agency).enumerate() {
            let update = match (agency, n) {
                ("police", 0) => HOSTILE.to_string(),
                ("police", 1) => long_update.clone(),
                _ => format!("{agency} progress on {}: work continues.", action.id),
            };
            let status = statuses[(n + agency.len()) % statuses.len()];
            csv.write_record([action.id.as_str(), status, "50%", &update, "Keep going", "", ""]).unwrap();
        }
        if agency == "police" {
            csv.write_record(["CS1", "Gren", "", "A typo in the status", "", "", ""]).unwrap();
        }
        csv.flush().unwrap();
    }
    let options = ReadOptions { period: Some(period), ..ReadOptions::default() };
    let read = read_returns(&returns, &plan, &options);
    assert_eq!(read.returns.len(), 4, "{:?}", read.diagnostics);
    let progress = merge(&MergeInput::new(&plan, period, &read));
    (plan, progress)
}

#[test]
fn the_real_pipeline_on_the_shipped_plan_gives_a_faithful_workbook() {
    let (plan, progress) = pipeline_progress();
    let (bytes, cut) = render(&progress);
    let mut book = open(&bytes);
    let mut seen_ids = Vec::new();
    for group in &progress.groups {
        let rows = table(&sheet(&mut book, &group.name), "ID");
        for action in &group.actions {
            seen_ids.push(action.id.clone());
            for lead in &action.leads {
                let row = rows
                    .iter()
                    .find(|r| r[0] == action.id && r[5] == lead.agency_name)
                    .unwrap_or_else(|| panic!("{} › {} has no row for {}", group.name, action.id, lead.agency_name));
                assert_eq!(row[6], lead.state.label(), "{} {}", action.id, lead.agency_name);
                assert_eq!(row[12], action.overall.label(), "{}", action.id);
            }
        }
    }
    let planned: Vec<String> = plan.actions().map(|a| a.id.clone()).collect();
    assert_eq!(seen_ids, planned, "every action of the plan, in plan order");

    let summary = sheet(&mut book, SUMMARY_SHEET);
    let matrix = table(&summary, "Action group");
    let totals = matrix.iter().find(|r| r[0] == "All actions").unwrap();
    assert_eq!(totals[1 + Status::COUNT], planned.len().to_string());
    for group in &progress.groups {
        let line = matrix.iter().find(|r| r[0] == group.name).unwrap();
        for (index, status) in Status::ALL.iter().enumerate() {
            let on_sheet = group.actions.iter().filter(|a| a.overall == *status).count();
            assert_eq!(line[1 + index], on_sheet.to_string(), "{} {}", group.name, status.label());
        }
    }

    let exceptions = table(&sheet(&mut book, EXCEPTIONS_SHEET), "Why");
    let expected: Vec<(String, String)> =
        progress.exceptions.iter().map(|e| (kinds_of(e), e.action_id().unwrap_or_default().to_string())).collect();
    let listed: Vec<(String, String)> = exceptions.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(listed, expected);
    assert!(listed.iter().any(|(kind, _)| kind.starts_with("Red")), "the planted red action is an exception");
    assert!(listed.iter().any(|(kind, _)| kind == ExceptionKind::MissingReturn.label()), "silent agencies are exceptions");

    // The hostile update is text; the long one is cut and reported at its CSV place.
    let hostile_action = plan.actions_led_by("police").next().unwrap();
    let group = progress.groups.iter().find(|g| g.id == hostile_action.group).unwrap();
    let rows = sheet(&mut book, &group.name);
    assert!(rows.iter().any(|r| r[0] == Data::String(hostile_action.id.clone()) && r[8] == Data::String(HOSTILE.into())));
    // One warning per cell cut: on the group sheet, and again where the
    // exceptions quote the lead's words.
    assert!(!cut.is_empty());
    assert!(cut.iter().all(|d| d.code == CELL_TRUNCATED && d.place.file.ends_with("police.csv")), "{cut:?}");
    assert!(cut.iter().any(|d| d.message.contains(&format!("{} › I", group.name))), "{cut:?}");
    let problems = table(&sheet(&mut book, PROBLEMS_SHEET), "File");
    assert!(problems.iter().any(|r| r[4] == "unknown-status" && r[0].ends_with("police.csv")), "{problems:?}");
    assert!(problems.iter().any(|r| r[4] == CELL_TRUNCATED));
}

#[test]
fn an_empty_quarter_still_renders_and_says_so() {
    let mut progress = fixture();
    progress.groups.clear();
    progress.priorities.clear();
    progress.agencies.clear();
    progress.exceptions.clear();
    progress.exception_counts = Default::default();
    progress.diagnostics.clear();
    progress.totals = Counts::default();
    let (bytes, diagnostics) = render(&progress);
    assert!(diagnostics.is_empty());
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), [SUMMARY_SHEET, EXCEPTIONS_SHEET, "History", MISSING_SHEET, PROBLEMS_SHEET]);
    assert!(table(&sheet(&mut book, EXCEPTIONS_SHEET), "Why")[0][0].starts_with("Nothing needs attention this quarter"));
    assert_eq!(
        table(&sheet(&mut book, MISSING_SHEET), "Lead agency")[0][0],
        "Every lead agency returned, with a usable row on every action it leads."
    );
    assert_eq!(table(&sheet(&mut book, PROBLEMS_SHEET), "File")[0][0], "No problems found.");
}

#[test]
fn the_history_sheet_has_a_row_per_action_and_lead_with_each_quarters_status_in_words() {
    use csp_report::progress::{ActionHistory, LeadHistory, QuarterSource, QuarterState};
    let mut progress = fixture();
    let q = |quarter| Period { fy_start: 2018, quarter };
    progress.year = vec![
        QuarterSource { period: q(1), source: None },
        QuarterSource { period: q(2), source: Some("output/2018-19-Q2/progress.csv".into()) },
        QuarterSource { period: q(3), source: Some("this quarter's returns".into()) },
    ];
    for action in progress.groups.iter_mut().flat_map(|g| g.actions.iter_mut()) {
        let leads = action
            .leads
            .iter()
            .map(|l| LeadHistory {
                agency_id: l.agency_id.clone(),
                agency_name: l.agency_name.clone(),
                states: vec![QuarterState::NoData, QuarterState::NotInPlan, QuarterState::Status(l.status())],
            })
            .collect();
        action.history = ActionHistory {
            overall: vec![QuarterState::NoData, QuarterState::Status(Status::Amber), QuarterState::Status(action.overall)],
            leads,
        };
    }
    let (bytes, _) = render(&progress);
    let mut book = open(&bytes);
    let all = sheet(&mut book, "History");
    let header: Vec<String> = all[0].iter().map(text).collect();
    let rows = table(&all, "Group");
    let leads: usize = progress.groups.iter().flat_map(|g| g.actions.iter()).map(|a| a.leads.len()).sum();
    assert_eq!(rows.len(), leads, "one row per action and lead");
    assert_eq!(header[4..], ["2018-19 Q1", "2018-19 Q2", "2018-19 Q3", "Overall 2018-19 Q1", "Overall 2018-19 Q2", "Overall 2018-19 Q3"]);
    let first = progress.groups[0].actions[0].clone();
    assert_eq!(rows[0][1], first.id);
    assert_eq!(rows[0][4..7], ["No data", "Not in the plan", first.leads[0].status().label()]);
    assert_eq!(rows[0][7..], ["No data", "Amber", first.overall.label()]);
}
