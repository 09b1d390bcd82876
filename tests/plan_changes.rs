//! Plan changes across quarters and years (docs/rules.md, "Plan changes"):
//! an action added in Q2 is not in the plan, and never "no return", before
//! it; one withdrawn, closed or merged in Q3 leaves the counts from Q3 and
//! is listed with its reason; a row on an action not in the plan is set
//! aside with a warning; forms list only the actions in the plan; in a new
//! plan year an action carried from last year's ID keeps its trend; and
//! every inconsistent change is refused at its line.

use csp_report::diagnostics::{Place, Severity};
use csp_report::history::{History, PastAction, PreviousPeriod};
use csp_report::merge::{merge, previous_id, MergeInput};
use csp_report::plan::{parse_plan, InPlan, Period, Plan, PlanError};
use csp_report::progress::{PlanChangeKind, Progress, Trend, UpdateState};
use csp_report::returns::{Identification, ReadReport, Return, Update};
use csp_report::status::Status;

const PLAN: &str = r#"
[partnership]
name = "Test CSP"
plan_title = "Plan"
plan_year = "2018-19"

[[agency]]
id = "police"
name = "Police"

[[agency]]
id = "council"
name = "Council"

[[group]]
id = "g"
name = "Group"

[[group.action]]
id = "A1"
text = "In the plan all year"
timescale = "Ongoing"
leads = ["police"]

[[group.action]]
id = "A2"
text = "Added at the Q2 board"
timescale = "Ongoing"
leads = ["police"]
added = "2018-19 Q2"
added_reason = "Agreed at the September board"

[[group.action]]
id = "A3"
text = "Withdrawn in Q3"
timescale = "Ongoing"
leads = ["council"]
withdrawn = "2018-19 Q3"
withdrawn_reason = "Funding ended"

[[group.action]]
id = "A4"
text = "Merged into A1 in Q3"
timescale = "Ongoing"
leads = ["police"]
withdrawn = "2018-19 Q3"
merged_into = "A1"

[[group.action]]
id = "A5"
text = "Completed and closed in Q3"
timescale = "Ongoing"
leads = ["council"]
closed = "2018-19 Q3"
"#;

fn plan() -> Plan {
    parse_plan(PLAN, "plan.toml").expect("the plan loads")
}

fn period(text: &str) -> Period {
    text.parse().unwrap()
}

fn ret(agency: &str, p: Period, rows: &[(&str, Status)]) -> Return {
    Return {
        agency: agency.into(),
        period: p,
        file: format!("{agency}.xlsx"),
        identified_by: Identification::Metadata,
        submitted: None,
        modified: None,
        file_order: 0,
        updates: rows
            .iter()
            .enumerate()
            .map(|(i, (id, status))| Update {
                action_id: id.to_string(),
                status: *status,
                percent_complete: None,
                update: format!("Update on {id}"),
                next_steps: String::new(),
                issues_risks: String::new(),
                revised_date: None,
                notes: Vec::new(),
                place: Place::cell(format!("{agency}.xlsx"), "Progress", 8 + i as u32, 5),
                row_index: i,
            })
            .collect(),
        rejected: Vec::new(),
        notes: Vec::new(),
    }
}

fn run(plan: &Plan, p: Period, returns: Vec<Return>, previous: Option<&PreviousPeriod>) -> Progress {
    let read = ReadReport { returns, ..ReadReport::default() };
    merge(&MergeInput { previous, ..MergeInput::new(plan, p, &read) })
}

fn ids(progress: &Progress) -> Vec<&str> {
    progress.groups.iter().flat_map(|g| g.actions.iter()).map(|a| a.id.as_str()).collect()
}

#[test]
fn in_plan_says_why_not() {
    let plan = plan();
    let a2 = plan.action("A2").unwrap();
    assert!(matches!(a2.in_plan(period("2018-19 Q1")), InPlan::NotYet(c) if c.period == period("2018-19 Q2")));
    assert_eq!(a2.in_plan(period("2018-19 Q2")), InPlan::Yes);
    let a3 = plan.action("A3").unwrap();
    assert_eq!(a3.in_plan(period("2018-19 Q2")), InPlan::Yes, "still reported the quarter before it leaves");
    assert!(matches!(a3.in_plan(period("2018-19 Q3")), InPlan::Left(_)));
    assert!(matches!(a3.in_plan(period("2018-19 Q4")), InPlan::Left(_)));
}

#[test]
fn an_action_added_later_is_never_no_return_before_it() {
    let plan = plan();
    let q1 =
        run(&plan, period("2018-19 Q1"), vec![ret("police", period("2018-19 Q1"), &[("A1", Status::Green), ("A4", Status::Green)])], None);
    assert_eq!(ids(&q1), ["A1", "A3", "A4", "A5"], "A2 is not in the plan in Q1");
    assert_eq!(q1.totals.actions, 4);
    assert!(q1.plan_changes.is_empty());
    let police = q1.agencies.iter().find(|a| a.id == "police").unwrap();
    assert!(!police.actions_missing.contains(&"A2".to_string()), "not missing what was not in the plan");

    let q2 = run(&plan, period("2018-19 Q2"), vec![], None);
    assert_eq!(ids(&q2), ["A1", "A2", "A3", "A4", "A5"]);
    assert_eq!(q2.plan_changes.len(), 1);
    assert_eq!(q2.plan_changes[0].action_id, "A2");
    assert_eq!(q2.plan_changes[0].kind, PlanChangeKind::Added);
    assert_eq!(q2.plan_changes[0].reason, "Agreed at the September board");
    let a2 = q2.groups[0].actions.iter().find(|a| a.id == "A2").unwrap();
    assert_eq!(a2.leads[0].state, UpdateState::NoReturn, "from Q2 on it is reported on like any other");
}

#[test]
fn actions_that_leave_are_listed_not_counted() {
    let plan = plan();
    let returns = vec![ret("police", period("2018-19 Q3"), &[("A1", Status::Green), ("A2", Status::Amber), ("A4", Status::Red)])];
    let q3 = run(&plan, period("2018-19 Q3"), returns, None);
    assert_eq!(ids(&q3), ["A1", "A2"]);
    assert_eq!(q3.totals.actions, 2);
    assert_eq!(q3.totals.of(Status::Red), 0, "A4's row does not count: it was merged into A1");
    let changes: Vec<(&str, &PlanChangeKind, &str)> =
        q3.plan_changes.iter().map(|c| (c.action_id.as_str(), &c.kind, c.reason.as_str())).collect();
    assert_eq!(
        changes,
        [
            ("A3", &PlanChangeKind::Withdrawn, "Funding ended"),
            ("A4", &PlanChangeKind::MergedInto("A1".into()), ""),
            ("A5", &PlanChangeKind::Closed, ""),
        ]
    );
    // The council leads only actions that left: it is not asked for a return.
    assert!(q3.agencies.iter().all(|a| a.id != "council"));
    let warning = q3.diagnostics.iter().find(|d| d.code == "not-in-plan").expect("the row on A4 is flagged");
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.message.contains("A4 was merged into A1 from 2018-19 Q3"), "{warning}");
    // In Q4 nothing changes: the list is empty, the actions stay out.
    let q4 = run(&plan, period("2018-19 Q4"), vec![], None);
    assert_eq!(ids(&q4), ["A1", "A2"]);
    assert!(q4.plan_changes.is_empty());
}

#[test]
fn forms_list_only_the_actions_in_the_plan() {
    let plan = plan();
    let settings = csp_report::forms::FormSettings::new(&Default::default(), period("2018-19 Q3"));
    let forms = csp_report::forms::build_forms(&plan, period("2018-19 Q3"), None, &settings).unwrap();
    let counts: Vec<(&str, usize)> = forms.iter().map(|f| (f.agency_id.as_str(), f.actions)).collect();
    assert_eq!(counts, [("police", 2)], "A1 and A2; the council leads nothing this quarter");
    let q1 = csp_report::forms::build_forms(&plan, period("2018-19 Q1"), None, &settings).unwrap();
    let counts: Vec<(&str, usize)> = q1.iter().map(|f| (f.agency_id.as_str(), f.actions)).collect();
    assert_eq!(counts, [("police", 2), ("council", 2)], "police: A1 and A4 (A2 comes in Q2)");
}

#[test]
fn a_carried_action_keeps_its_trend_across_the_year() {
    let next_year = PLAN
        .replace("plan_year = \"2018-19\"", "plan_year = \"2019-20\"")
        .replace("id = \"A1\"\n", "id = \"1.1\"\ncarried_from = \"2018-19/A1\"\n")
        .replace("merged_into = \"A1\"", "merged_into = \"1.1\"")
        .replace("\"2018-19 Q", "\"2019-20 Q");
    let plan = parse_plan(&next_year, "plan.toml").expect("the next year's plan loads");
    let carried = plan.action("1.1").unwrap();
    assert_eq!(carried.carried_from.as_ref().unwrap().to_string(), "2018-19/A1");
    let q4 = period("2018-19 Q4");
    assert_eq!(previous_id(carried, q4), "A1");
    assert_eq!(previous_id(carried, period("2019-20 Q1")), "1.1", "within the year it is its own ID");
    let mut history = History::default();
    history.actions.insert("A1".into(), PastAction::new(Status::Amber));
    let previous = PreviousPeriod { period: q4, source: "output/2018-19-Q4/progress.csv".into(), from_returns: false, history };
    let q1 = period("2019-20 Q1");
    let progress = run(&plan, q1, vec![ret("police", q1, &[("1.1", Status::Green)])], Some(&previous));
    let action = &progress.groups[0].actions[0];
    assert_eq!(action.id, "1.1");
    assert_eq!(action.trend, Some(Trend::Improved), "Amber last year as A1, Green now as 1.1");
}

#[test]
fn inconsistent_changes_are_refused_at_their_line() {
    let cases = [
        ("merged_into = \"A1\"", "merged_into = \"A9\"", "plan-unknown-action"),
        ("merged_into = \"A1\"", "merged_into = \"a 1\"", ""),
        ("merged_into = \"A1\"", "merged_into = \"A4\"", "plan-bad-change"),
        ("merged_into = \"A1\"", "merged_into = \"A3\"", "plan-bad-change"),
        ("added = \"2018-19 Q2\"", "added = \"2018-19 Q5\"", "plan-bad-change"),
        ("closed = \"2018-19 Q3\"", "closed = \"2018-19 Q3\"\nwithdrawn = \"2018-19 Q3\"", "plan-bad-change"),
        ("text = \"In the plan all year\"", "text = \"In the plan all year\"\ncarried_from = \"CS1\"", "plan-bad-change"),
    ];
    for (from, to, code) in cases {
        let text = PLAN.replacen(from, to, 1);
        if code.is_empty() {
            let plan = parse_plan(&text, "plan.toml").expect("an ID typed in another case is the same action");
            assert!(
                matches!(&plan.action("A4").unwrap().withdrawn.as_ref().unwrap().how, csp_report::plan::Departure::MergedInto(id) if id == "A1")
            );
            continue;
        }
        let Err(PlanError::Invalid { problems, .. }) = parse_plan(&text, "plan.toml") else { panic!("{to} loaded") };
        assert_eq!(problems.len(), 1, "{to}: {problems:#?}");
        assert_eq!(problems[0].code, code, "{to}: {}", problems[0]);
        assert!(problems[0].place.cell_text().unwrap().starts_with("line "), "{}", problems[0]);
    }
    // Merged without saying when.
    let text = PLAN.replacen("withdrawn = \"2018-19 Q3\"\nmerged_into", "merged_into", 1);
    let Err(PlanError::Invalid { problems, .. }) = parse_plan(&text, "plan.toml") else { panic!("loaded") };
    assert!(problems[0].message.contains("does not say when"), "{}", problems[0]);
    // Added after it left.
    let text = PLAN.replacen("closed = \"2018-19 Q3\"", "closed = \"2018-19 Q3\"\nadded = \"2018-19 Q4\"", 1);
    let Err(PlanError::Invalid { problems, .. }) = parse_plan(&text, "plan.toml") else { panic!("loaded") };
    assert!(problems[0].message.contains("leaves the plan in 2018-19 Q3 but is only added in 2018-19 Q4"), "{}", problems[0]);
}

#[test]
fn changes_survive_the_workbook_round_trip() {
    let plan = plan();
    let bytes = csp_report::plan::workbook::write_plan_workbook(&plan).unwrap();
    let back = csp_report::plan::workbook::read_plan_workbook(&bytes, "plan.xlsx").unwrap();
    assert_eq!(back, plan);
    assert_eq!(csp_report::plan::export::to_toml(&back), csp_report::plan::export::to_toml(&plan));
}

#[test]
fn the_2019_20_example_plan_carries_on_from_2018_19() {
    let last_year = csp_report::plan::load_plan(std::path::Path::new("input/plan.toml")).unwrap();
    let plan = csp_report::plan::load_plan(std::path::Path::new("examples/2019-20/plan.toml")).expect("the 2019-20 example plan loads");
    assert_eq!(plan.partnership.plan_year, "2019-20");
    let carried: Vec<(&str, &str)> =
        plan.actions().filter_map(|a| a.carried_from.as_ref().map(|c| (a.id.as_str(), c.id.as_str()))).collect();
    for (id, from) in &carried {
        assert!(last_year.action(from).is_some(), "{id} is carried from {from}, which the 2018-19 plan has");
    }
    let carried_ids: Vec<&str> = carried.iter().map(|(_, from)| *from).collect();
    let dropped: Vec<&str> = last_year.actions().map(|a| a.id.as_str()).filter(|id| !carried_ids.contains(id)).collect();
    assert_eq!(dropped, ["SO2", "DA1", "DA3", "RO5"]);
    let new: Vec<&str> = plan.actions().filter(|a| a.carried_from.is_none()).map(|a| a.id.as_str()).collect();
    assert_eq!(new, ["1.6", "4.4", "5.3", "7.5"]);
    let q1 = period("2019-20 Q1");
    assert!(!plan.action("4.4").unwrap().is_in_plan(q1), "added at the Q2 board");
    assert!(!plan.action("2.5").unwrap().is_in_plan(q1), "merged into 2.2 from Q1");
    let progress = run(&plan, q1, vec![], None);
    assert_eq!(progress.totals.actions, 25);
    let changes: Vec<(&str, &PlanChangeKind)> = progress.plan_changes.iter().map(|c| (c.action_id.as_str(), &c.kind)).collect();
    assert_eq!(changes, [("2.5", &PlanChangeKind::MergedInto("2.2".into()))]);
}

/// The shipped 2019-20 example across the year boundary, through the
/// binary: 2018-19 Q4 on the old plan, then 2019-20 Q1 on the new one.
#[test]
fn the_2019_20_example_follows_the_plan_across_the_year() {
    let out = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("csp-report");
    let run = |args: &[&str]| {
        let status = std::process::Command::new(&bin).args(args).arg("--out").arg(out.path()).arg("--quiet").status().unwrap();
        assert!(status.code() == Some(0) || status.code() == Some(1), "{args:?}: {status}");
    };
    run(&["build", "--period", "2018-19 Q4"]);
    run(&["build", "--plan", "examples/2019-20/plan.toml", "--returns", "examples/2019-20/returns", "--period", "2019-20 Q1"]);
    let csv = std::fs::read_to_string(out.path().join("2019-20-Q1/progress.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let trend_of = |id: &str| -> Vec<String> {
        rows.iter().filter(|r| &r[column("action_id")] == id).map(|r| r[column("trend")].to_string()).collect()
    };
    // Carried on under new IDs, the trend follows from last year's Q4.
    assert!(!trend_of("1.1").is_empty() && trend_of("1.1").iter().all(|t| t == "improved"), "{:?}", trend_of("1.1"));
    assert!(!trend_of("2.4").is_empty() && trend_of("2.4").iter().all(|t| t == "improved"), "{:?}", trend_of("2.4"));
    // Merged away, and added only from Q2: neither counted nor "no return".
    assert!(trend_of("2.5").is_empty() && trend_of("4.4").is_empty());
    assert!(!rows.iter().any(|r| &r[column("status")] == "no_return"), "every lead in the plan returned");
    let ids: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.get(column("action_id")).unwrap()).collect();
    assert_eq!(ids.len(), 25);
    // The board sees the change with its reason.
    let pdf = out.path().join("2019-20-Q1/board-report.pdf");
    if let Ok(text) = std::process::Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output() {
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("Changes to the plan this quarter"), "no plan changes list");
        assert!(text.contains("Merged into 2.2"), "2.5's merge is not listed");
    }
}
