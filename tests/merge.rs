//! Merge rules, one table or case per rule, on a small plan whose every
//! action exists to exercise one rule; then properties over random returns
//! on the shipped plan (counts add up, nothing is lost, order does not
//! matter).

use chrono::{NaiveDate, NaiveDateTime};
use csp_report::diagnostics::{Diagnostic, Place, Severity};
use csp_report::history::{History, PastAction, PastUpdate, PreviousPeriod};
use csp_report::history::{YearQuarter, YearSoFar};
use csp_report::merge::{merge, merge_with_year, overall_status, trend, MergeInput};
use csp_report::plan::{parse_plan, Period, Plan};
use csp_report::progress::{
    ActionProgress, AgencyProgress, Exception, ExceptionKind, LeadUpdate, LeadWords, Progress, QuarterState, Reason, ReturnState, Subject,
    Trend, UpdateState,
};
use csp_report::render::sentences::Sentences;
use csp_report::returns::{FileAccount, FileOutcome, Identification, ReadReport, RejectedRow, Rejection, Return, ReturnNote, Update};
use csp_report::status::Status;
use csp_report::templates::Templates;
use std::collections::BTreeMap;

const PLAN: &str = r#"
[partnership]
name = "Test Community Safety Partnership"
short_name = "Test CSP"
plan_title = "Community Safety Partnership Plan"
plan_year = "2018-19"

[[priority]]
id = "p1"
name = "Priority One"

[[priority]]
id = "p2"
name = "Priority Two"

[[tag]]
id = "t1"
name = "Tag One"
priority = "p1"

[[tag]]
id = "t2"
name = "Tag Two"
priority = "p2"

[[tag]]
id = "t3"
name = "Business Crime"

[[group]]
id = "g1"
name = "Group One"
priorities = ["t1", "t3"]

[[group.action]]
id = "A1"
text = "Co-led ongoing action"
timescale = "Ongoing"
leads = ["police", "council"]

[[group.action]]
id = "A2"
text = "Police action due March 2019"
timescale = "March 2019"
leads = ["police"]

[[group.action]]
id = "A3"
text = "Council action due September 2018"
timescale = "September 2018"
leads = ["council"]

[[group.action]]
id = "A4"
text = "Police action due December 2018"
timescale = "December 2018"
leads = ["police"]

[[group]]
id = "g2"
name = "Group Two"
priorities = ["t1", "t2"]

[[group.action]]
id = "B1"
text = "New charity action due March 2019"
timescale = "March 2019"
leads = ["charity"]
new = true

[[group.action]]
id = "B2"
text = "Co-led by the charity and police"
timescale = "Ongoing"
leads = ["charity", "police"]

[[group.action]]
id = "B3"
text = "New council action due June 2019"
timescale = "June 2019"
leads = ["council"]
new = true

[[agency]]
id = "police"
name = "Lancashire Constabulary"

[[agency]]
id = "council"
name = "Preston City Council"

[[agency]]
id = "charity"
name = "Victim Support"

[[agency]]
id = "health"
name = "Public Health"
"#;

fn plan() -> Plan {
    parse_plan(PLAN, "plan.toml").expect("the test plan is valid")
}

fn q3() -> Period {
    "2018-19 Q3".parse().unwrap()
}

fn q2() -> Period {
    "2018-19 Q2".parse().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn datetime(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, 0, 0).unwrap()
}

/// A return for Q3 with no rows yet.
fn ret(agency: &str, file: &str) -> Return {
    Return {
        agency: agency.to_string(),
        period: q3(),
        file: file.to_string(),
        identified_by: Identification::Metadata,
        submitted: None,
        modified: None,
        file_order: 0,
        updates: Vec::new(),
        rejected: Vec::new(),
        notes: Vec::new(),
    }
}

/// Adds a row to a return and gives it back for further setting.
fn row<'a>(r: &'a mut Return, action: &str, status: Status, text: &str) -> &'a mut Update {
    let index = r.updates.len();
    r.updates.push(Update {
        action_id: action.to_string(),
        status,
        percent_complete: None,
        update: text.to_string(),
        next_steps: String::new(),
        issues_risks: String::new(),
        revised_date: None,
        notes: Vec::new(),
        place: Place::cell(&r.file, "Progress", 9 + index as u32, 5),
        row_index: index,
    });
    r.updates.last_mut().unwrap()
}

fn report(returns: Vec<Return>) -> ReadReport {
    let accounts = returns
        .iter()
        .map(|r| FileAccount {
            file: r.file.clone(),
            outcome: FileOutcome::Read,
            rows_read: r.updates.len(),
            rows_accepted: r.updates.len(),
            rows_rejected: 0,
            rows_notes: 0,
        })
        .collect();
    ReadReport { returns, accounts, ..ReadReport::default() }
}

fn run_with(plan: &Plan, returns: Vec<Return>, previous: Option<&PreviousPeriod>, extra: &[Diagnostic]) -> Progress {
    let read = report(returns);
    merge(&MergeInput { plan, period: q3(), read: &read, previous, produced: q3().end(), deadline: q3().end(), extra_diagnostics: extra })
}

fn run(returns: Vec<Return>) -> Progress {
    run_with(&plan(), returns, None, &[])
}

fn action<'a>(progress: &'a Progress, id: &str) -> &'a ActionProgress {
    progress.groups.iter().flat_map(|g| g.actions.iter()).find(|a| a.id == id).unwrap_or_else(|| panic!("{id} in progress"))
}

/// The kinds of every reason the action is an exception for.
fn kinds_for(progress: &Progress, id: &str) -> Vec<ExceptionKind> {
    progress.exceptions.iter().filter(|e| e.action_id() == Some(id)).flat_map(|e| e.reasons.iter().map(|r| r.kind())).collect()
}

/// The exception about an action.
fn exception_for<'a>(progress: &'a Progress, id: &str) -> &'a Exception {
    progress.exceptions.iter().find(|e| e.action_id() == Some(id)).unwrap_or_else(|| panic!("{id} is an exception"))
}

/// The sentence a reader sees for one reason of an action's exception,
/// from the built-in template.
fn sentence(progress: &Progress, id: &str, kind: ExceptionKind) -> String {
    let index = progress.exceptions.iter().position(|e| e.action_id() == Some(id)).expect("an exception");
    let position = progress.exceptions[index].reasons.iter().position(|r| r.kind() == kind).expect("that reason");
    let mut diagnostics = Vec::new();
    let sentences = Sentences::render(&Templates::built_in(), progress, &mut diagnostics).expect("renders");
    sentences.reasons[index][position].clone()
}

fn words(lead: &str, update: &str, issues_risks: &str) -> LeadWords {
    LeadWords { lead: lead.to_string(), update: update.to_string(), issues_risks: issues_risks.to_string() }
}

fn codes(progress: &Progress) -> Vec<&'static str> {
    progress.diagnostics.iter().map(|d| d.code).collect()
}

/// History for Q2 from (action, overall, [(agency, status, text)]).
/// (agency, status, update text) of one lead last period.
type PastLead<'a> = (&'a str, Status, &'a str);

fn history(entries: &[(&str, Status, &[PastLead])]) -> PreviousPeriod {
    let actions = entries
        .iter()
        .map(|(id, overall, leads)| {
            let leads =
                leads.iter().map(|(agency, status, text)| (agency.to_string(), PastUpdate::new(*status, text.to_string()))).collect();
            (id.to_string(), PastAction { leads, ..PastAction::new(*overall) })
        })
        .collect();
    PreviousPeriod { period: q2(), source: "output/2018-19-Q2/progress.csv".to_string(), from_returns: false, history: History { actions } }
}

// ---------------------------------------------------------------------------
// Overall status and conflicts
// ---------------------------------------------------------------------------

#[test]
fn overall_status_follows_the_documented_rule() {
    use Status::*;
    let cases: &[(&[Status], Status)] = &[
        (&[], NoReturn),
        (&[NoReturn, NoReturn], NoReturn),
        (&[Complete, Complete], Complete),
        (&[Complete, NoReturn], Complete),
        (&[Complete, Green], Green),
        (&[Green, Amber], Amber),
        (&[Amber, Red, Green], Red),
        (&[Green, NotStarted], Green),
        (&[NotStarted, Complete], NotStarted),
        (&[NotStarted, NoReturn], NotStarted),
    ];
    for (statuses, expected) in cases {
        assert_eq!(overall_status(statuses.iter().copied()), *expected, "{statuses:?}");
    }
}

#[test]
fn two_leads_disagreeing_by_two_steps_is_a_conflict_and_the_worse_counts() {
    use Status::*;
    // (police on A1, council on A1) → (overall, conflict)
    let cases = [
        (Green, Red, Red, true),
        (Complete, Red, Red, true),
        (Green, Amber, Amber, false),
        (Amber, Red, Red, false),
        (Complete, Green, Green, false),
        (NotStarted, Red, Red, false),
    ];
    for (police, council, overall, conflict) in cases {
        let mut p = ret("police", "returns/police.xlsx");
        row(&mut p, "A1", police, "police words");
        let mut c = ret("council", "returns/council.xlsx");
        row(&mut c, "A1", council, "council words");
        let progress = run(vec![p, c]);
        let a1 = action(&progress, "A1");
        assert_eq!((a1.overall, a1.conflict), (overall, conflict), "{police:?} + {council:?}");
        assert_eq!(kinds_for(&progress, "A1").contains(&ExceptionKind::Conflict), conflict);
        // Co-leads side by side, in the plan's order.
        assert_eq!(
            a1.leads.iter().map(|l| (l.agency_id.as_str(), l.status())).collect::<Vec<_>>(),
            [("police", police), ("council", council)]
        );
    }
}

#[test]
fn a_conflict_exception_names_both_leads_and_their_words() {
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A1", Status::Green, "Patrols in place");
    let mut c = ret("council", "returns/council.xlsx");
    row(&mut c, "A1", Status::Red, "Funding withdrawn").issues_risks = "No budget".to_string();
    let progress = run(vec![p, c]);
    let a1 = exception_for(&progress, "A1");
    assert_eq!(kinds_for(&progress, "A1"), [ExceptionKind::Red, ExceptionKind::Conflict], "one exception with both reasons");
    assert_eq!(a1.leads, ["Lancashire Constabulary", "Preston City Council"]);
    let conflict = sentence(&progress, "A1", ExceptionKind::Conflict);
    assert!(conflict.contains("Lancashire Constabulary says Green"), "{conflict}");
    assert!(conflict.contains("Preston City Council says Red"), "{conflict}");
    assert!(a1.words.contains(&words("Preston City Council", "Funding withdrawn", "No budget")));
    assert_eq!(
        a1.sources.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        ["returns/police.xlsx › Progress › F10", "returns/council.xlsx › Progress › F10"]
    );
    assert_eq!(a1.reasons[0], Reason::Red { by: vec!["Preston City Council".to_string()] });
    assert_eq!(sentence(&progress, "A1", ExceptionKind::Red), "Reported red by Preston City Council.");
}

#[test]
fn one_lead_missing_gets_no_return_and_the_other_counts() {
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A1", Status::Green, "On track");
    let progress = run(vec![p]);
    let a1 = action(&progress, "A1");
    assert_eq!(a1.leads[1].agency_id, "council");
    assert_eq!(a1.leads[1].state, UpdateState::NoReturn);
    assert_eq!(a1.leads[1].source, None);
    assert_eq!(a1.overall, Status::Green);
    // The council sent nothing at all: one missing-return exception for it.
    let missing: Vec<_> = progress.exceptions.iter().filter(|e| e.kind() == ExceptionKind::MissingReturn).collect();
    assert!(missing.iter().any(|e| matches!(&e.subject, Subject::Agency { name, .. } if name == "Preston City Council")), "{missing:?}");
    let council = progress.agencies.iter().find(|a| a.id == "council").unwrap();
    assert_eq!(council.state, ReturnState::Missing);
    assert_eq!(council.actions_missing, ["A1", "A3", "B3"]);
}

#[test]
fn a_return_that_skips_an_action_its_agency_leads_is_a_missing_return_for_that_action() {
    let mut c = ret("council", "returns/council.xlsx");
    row(&mut c, "A3", Status::Complete, "Done");
    row(&mut c, "B3", Status::Green, "Going well");
    let progress = run(vec![c]);
    let council = progress.agencies.iter().find(|a| a.id == "council").unwrap();
    assert_eq!(council.state, ReturnState::Incomplete);
    assert_eq!(council.actions_returned, ["A3", "B3"]);
    assert_eq!(council.actions_missing, ["A1"]);
    assert_eq!(council.files, ["returns/council.xlsx"]);
    assert_eq!(kinds_for(&progress, "A1"), [ExceptionKind::NotReported]);
    let e = exception_for(&progress, "A1");
    assert_eq!(e.leads, ["Preston City Council"]);
    let said = sentence(&progress, "A1", ExceptionKind::NotReported);
    assert_eq!(said, "Preston City Council sent a return for 2018-19 Q3 without an update on this action.");
}

#[test]
fn no_lead_reporting_gives_no_return_overall() {
    let progress = run(vec![]);
    assert!(progress.groups.iter().flat_map(|g| &g.actions).all(|a| a.overall == Status::NoReturn));
    assert_eq!(progress.totals.of(Status::NoReturn), 7);
    assert_eq!(progress.totals.on_track_or_complete_percent, 0);
}

// ---------------------------------------------------------------------------
// Overdue, slippage and not-started-late
// ---------------------------------------------------------------------------

#[test]
fn overdue_follows_the_due_date_or_the_revised_date() {
    use Status::*;
    // (action, status, revised date) → (overdue, slipped_to)
    type Case = (&'static str, Status, Option<NaiveDate>, bool, Option<NaiveDate>);
    let cases: &[Case] = &[
        // Due September 2018, before the end of Q3.
        ("A3", Amber, None, true, None),
        ("A3", Complete, None, false, None),
        ("A3", NotStarted, None, true, None),
        // Revised to a date that has also passed: still overdue, and a slippage.
        ("A3", Amber, Some(date(2018, 11, 30)), true, Some(date(2018, 11, 30))),
        // Revised to next year: a slippage, and still overdue against the plan.
        ("A3", Amber, Some(date(2019, 2, 28)), true, Some(date(2019, 2, 28))),
        ("A3", Complete, Some(date(2019, 2, 28)), false, Some(date(2019, 2, 28))),
        // Due March 2019: not yet due; a later revised date is a slippage.
        ("A2", Green, None, false, None),
        ("A2", Amber, Some(date(2019, 6, 30)), false, Some(date(2019, 6, 30))),
        // A revised date earlier than the plan's that has passed: overdue, no slippage.
        ("A2", Amber, Some(date(2018, 12, 1)), true, None),
        // Due December 2018, the month the period ends: due on its last day, so overdue.
        ("A4", Green, None, true, None),
        ("A4", Complete, None, false, None),
        // Ongoing is never overdue, whatever date a lead gives.
        ("A1", Red, None, false, None),
        ("A1", Red, Some(date(2018, 10, 1)), false, None),
    ];
    for (id, status, revised, overdue, slipped) in cases {
        let agency = if ["A3"].contains(id) { "council" } else { "police" };
        let mut r = ret(agency, "returns/r.xlsx");
        row(&mut r, id, *status, "words").revised_date = *revised;
        let progress = run(vec![r]);
        let a = action(&progress, id);
        assert_eq!((a.overdue, a.slipped_to), (*overdue, *slipped), "{id} {status:?} revised {revised:?}");
        assert_eq!(kinds_for(&progress, id).contains(&ExceptionKind::Overdue), *overdue, "{id} {status:?} {revised:?}");
    }
}

#[test]
fn an_overdue_slipped_action_says_both() {
    let mut c = ret("council", "returns/council.xlsx");
    row(&mut c, "A3", Status::Amber, "Waiting for funding").revised_date = Some(date(2019, 2, 28));
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Amber, "Brought forward").revised_date = Some(date(2018, 11, 30));
    let progress = run(vec![c, p]);
    let reason = |id: &str| sentence(&progress, id, ExceptionKind::Overdue);
    assert_eq!(
        reason("A3"),
        "Due 30 September 2018 (plan: \"September 2018\") and it is not complete (overall Amber). \
         Slipped: Preston City Council revised it to 28 February 2019."
    );
    assert_eq!(
        reason("A2"),
        "The revised date 30 November 2018 given by Lancashire Constabulary has passed (the plan says 31 March 2019) \
         and it is not complete (overall Amber)."
    );
}

#[test]
fn an_action_with_no_return_past_its_date_is_overdue_and_says_why() {
    let progress = run(vec![]);
    let a3 = action(&progress, "A3");
    assert!(a3.overdue);
    assert_eq!(
        sentence(&progress, "A3", ExceptionKind::Overdue),
        "Due 30 September 2018 (plan: \"September 2018\") and no lead has reported on it."
    );
    assert!(matches!(&exception_for(&progress, "A3").subject, Subject::Action { group_name, .. } if group_name == "Group One"));
    assert!(!action(&progress, "A2").overdue);
    assert_eq!(progress.totals.overdue, 2, "A3 and A4 are due by 31 December 2018");
}

#[test]
fn not_started_past_its_time_or_new_and_due_next_quarter_is_an_exception() {
    // (action, agency) → not_started_late when reported not started
    let cases = [
        ("A3", "council", true),  // timescale passed
        ("A4", "police", true),   // due on the period's last day
        ("A2", "police", false),  // due next quarter but not NEW
        ("B1", "charity", true),  // NEW and due next quarter
        ("B3", "council", false), // NEW but due in two quarters
        ("A1", "police", false),  // Ongoing
    ];
    for (id, agency, late) in cases {
        let mut r = ret(agency, "returns/r.xlsx");
        row(&mut r, id, Status::NotStarted, "");
        let progress = run(vec![r]);
        assert_eq!(action(&progress, id).not_started_late, late, "{id}");
        assert_eq!(kinds_for(&progress, id).contains(&ExceptionKind::NotStartedLate), late, "{id}");
    }
    // Started work is never "not started late".
    let mut r = ret("charity", "returns/r.xlsx");
    row(&mut r, "B1", Status::Green, "Begun");
    assert!(!action(&run(vec![r]), "B1").not_started_late);
}

// ---------------------------------------------------------------------------
// Trend and stale updates
// ---------------------------------------------------------------------------

#[test]
fn trend_compares_with_last_period_on_a_documented_ladder() {
    use Status::*;
    let cases = [
        (Some(Green), Amber, Some(Trend::Worse)),
        (Some(Amber), Green, Some(Trend::Improved)),
        (Some(Green), Complete, Some(Trend::Improved)),
        (Some(Red), Red, Some(Trend::Same)),
        (Some(NotStarted), Green, Some(Trend::Improved)),
        (Some(NotStarted), Amber, Some(Trend::Worse)),
        (Some(Green), NotStarted, Some(Trend::Worse)),
        (Some(NoReturn), Green, Some(Trend::New)),
        (None, Red, Some(Trend::New)),
        (Some(Green), NoReturn, None),
    ];
    for (previous, current, expected) in cases {
        assert_eq!(trend(previous, current), expected, "{previous:?} → {current:?}");
    }
}

#[test]
fn no_history_means_no_trend_not_a_false_same() {
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Green, "Same as ever");
    let progress = run(vec![p]);
    assert_eq!(progress.previous_period, None);
    assert!(progress.groups.iter().flat_map(|g| &g.actions).all(|a| a.trend.is_none() && a.previous_overall.is_none()));
    assert!(!progress.exceptions.iter().any(|e| e.reasons.iter().any(|r| r.kind() == ExceptionKind::Worsened)));
}

#[test]
fn with_history_trend_and_worsened_exception_appear() {
    let previous = history(&[
        ("A2", Status::Green, &[("police", Status::Green, "Planning")]),
        ("A4", Status::Amber, &[("police", Status::Amber, "Slow")]),
    ]);
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Amber, "Supplier delayed");
    row(&mut p, "A4", Status::Green, "Recovered");
    row(&mut p, "B2", Status::Green, "Started");
    let progress = run_with(&plan(), vec![p], Some(&previous), &[]);
    assert_eq!(progress.previous_period, Some(q2()));
    assert_eq!(progress.history_source.as_deref(), Some("output/2018-19-Q2/progress.csv"));
    assert_eq!(action(&progress, "A2").trend, Some(Trend::Worse));
    assert_eq!(action(&progress, "A2").previous_overall, Some(Status::Green));
    assert_eq!(action(&progress, "A4").trend, Some(Trend::Improved));
    assert_eq!(action(&progress, "B2").trend, Some(Trend::New), "not in history");
    assert_eq!(action(&progress, "A3").trend, None, "no return this period");
    let worsened: Vec<_> = progress.exceptions.iter().filter(|e| e.reasons.iter().any(|r| r.kind() == ExceptionKind::Worsened)).collect();
    assert_eq!(worsened.len(), 1);
    assert_eq!(worsened[0].action_id(), Some("A2"));
    let said = sentence(&progress, "A2", ExceptionKind::Worsened);
    assert!(said.contains("from Green last quarter (2018-19 Q2) to Amber"), "{said}");
    assert_eq!(worsened[0].words, [words("Lancashire Constabulary", "Supplier delayed", "")]);
    let police = progress.agencies.iter().find(|a| a.id == "police").unwrap();
    assert_eq!(police.last_return, Some(q3()), "it returned this quarter");
    let council = progress.agencies.iter().find(|a| a.id == "council").unwrap();
    assert_eq!(council.last_return, None);
}

#[test]
fn identical_text_to_last_quarter_is_stale() {
    let previous = history(&[
        ("A1", Status::Green, &[("police", Status::Green, "Patrols continue."), ("council", Status::Green, "Meeting held.")]),
        ("A2", Status::Green, &[("police", Status::Green, "")]),
    ]);
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A1", Status::Green, "Patrols continue.");
    row(&mut p, "A2", Status::Green, "");
    let mut c = ret("council", "returns/council.xlsx");
    row(&mut c, "A1", Status::Green, "Meeting held; plan agreed.");
    let progress = run_with(&plan(), vec![p, c], Some(&previous), &[]);
    let a1 = action(&progress, "A1");
    assert!(a1.leads[0].stale, "police repeated its words");
    assert!(!a1.leads[1].stale, "council wrote something new");
    assert!(!action(&progress, "A2").leads[0].stale, "an empty update is not stale");
    let stale: Vec<_> = progress.diagnostics.iter().filter(|d| d.code == "stale-update").collect();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].place.to_string(), "returns/police.xlsx › Progress › F10");
    assert!(stale[0].message.contains("no change reported"));
}

#[test]
fn damaged_history_reaches_progress_as_a_warning_and_gives_no_trend() {
    let warning = Diagnostic::warning("history-damaged", Place::file("output/2018-19-Q2/progress.csv"), "cannot read it");
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Green, "Fine");
    let progress = run_with(&plan(), vec![p], None, std::slice::from_ref(&warning));
    assert!(progress.diagnostics.contains(&warning));
    assert_eq!(progress.diagnostic_counts.warnings, 1);
    assert_eq!(action(&progress, "A2").trend, None);
}

// ---------------------------------------------------------------------------
// The year so far and persistent exceptions
// ---------------------------------------------------------------------------

fn q1() -> Period {
    "2018-19 Q1".parse().unwrap()
}

/// One earlier quarter's results, from `history` entries.
fn results_for(period: Period, entries: &[(&str, Status, &[PastLead])]) -> PreviousPeriod {
    PreviousPeriod { period, source: format!("output/{}/progress.csv", period.slug()), ..history(entries) }
}

/// Q3 merged with Q1 and Q2 (either may be missing: no data).
fn run_year(returns: Vec<Return>, q1_results: Option<PreviousPeriod>, q2_results: Option<PreviousPeriod>) -> Progress {
    let read = report(returns);
    let year = YearSoFar {
        quarters: vec![YearQuarter { period: q1(), results: q1_results }, YearQuarter { period: q2(), results: q2_results.clone() }],
    };
    let plan = plan();
    let input = MergeInput { previous: q2_results.as_ref(), ..MergeInput::new(&plan, q3(), &read) };
    merge_with_year(&input, &year)
}

#[test]
fn an_action_amber_in_q1_to_q3_is_listed_as_persistent_in_q3() {
    let amber = |period| results_for(period, &[("A2", Status::Amber, &[("police", Status::Amber, "Slow")])]);
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Amber, "Still slow");
    let progress = run_year(vec![p], Some(amber(q1())), Some(amber(q2())));
    let a2 = action(&progress, "A2");
    assert_eq!(a2.history.overall, [QuarterState::Status(Status::Amber); 3]);
    assert_eq!(a2.history.leads[0].states, [QuarterState::Status(Status::Amber); 3]);
    assert_eq!(kinds_for(&progress, "A2"), [ExceptionKind::Persistent], "amber and not worse: persistent is its one reason");
    assert_eq!(exception_for(&progress, "A2").reasons[0], Reason::Persistent { status: Some(Status::Amber), quarters: 3, since: q1() });
    assert_eq!(sentence(&progress, "A2", ExceptionKind::Persistent), "Amber since Q1 (3 quarters running).");
    assert_eq!(progress.exception_counts.of(ExceptionKind::Persistent), 1);
    let sources: Vec<Option<&str>> = progress.year.iter().map(|q| q.source.as_deref()).collect();
    assert_eq!(sources, [Some("output/2018-19-Q1/progress.csv"), Some("output/2018-19-Q2/progress.csv"), Some("this quarter's returns")]);
}

#[test]
fn persistent_needs_two_reds_or_three_ambers_running_within_the_year() {
    let q1_results =
        results_for(q1(), &[("A2", Status::Green, &[("police", Status::Green, "")]), ("A4", Status::Red, &[("police", Status::Red, "")])]);
    let q2_results = results_for(
        q2(),
        &[("A2", Status::Amber, &[("police", Status::Amber, "")]), ("A4", Status::Amber, &[("police", Status::Amber, "")])],
    );
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Amber, "late");
    row(&mut p, "A4", Status::Red, "stuck");
    let progress = run_year(vec![p], Some(q1_results), Some(q2_results));
    assert!(!kinds_for(&progress, "A2").contains(&ExceptionKind::Persistent), "amber for two quarters is not yet persistent");
    assert_eq!(
        exception_for(&progress, "A4").reasons.iter().find(|r| r.kind() == ExceptionKind::Persistent),
        Some(&Reason::Persistent { status: None, quarters: 3, since: q1() }),
        "red, amber, red: amber or red for three quarters"
    );
    assert_eq!(sentence(&progress, "A4", ExceptionKind::Persistent), "Amber or red since Q1 (3 quarters running).");

    let q2_red = results_for(q2(), &[("A4", Status::Red, &[("police", Status::Red, "")])]);
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A4", Status::Red, "stuck");
    let progress = run_year(vec![p], None, Some(q2_red));
    assert_eq!(
        sentence(&progress, "A4", ExceptionKind::Persistent),
        "Red for 2 quarters running, since 2018-19 Q2.",
        "two reds are persistent"
    );
}

#[test]
fn no_data_not_in_the_plan_and_no_return_are_kept_apart_and_never_filled_in() {
    // Q1 has no data at all; Q2's results do not list B3 (not in the plan
    // then) and give A2's lead no return.
    let q2_results = results_for(
        q2(),
        &[("A2", Status::NoReturn, &[("police", Status::NoReturn, "")]), ("A4", Status::Amber, &[("police", Status::Amber, "")])],
    );
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Amber, "late");
    row(&mut p, "A4", Status::Amber, "late");
    let progress = run_year(vec![p], None, Some(q2_results));
    let (no_data, not_in_plan, status) = (QuarterState::NoData, QuarterState::NotInPlan, QuarterState::Status);
    assert_eq!(action(&progress, "A2").history.overall, [no_data, status(Status::NoReturn), status(Status::Amber)]);
    assert_eq!(action(&progress, "B3").history.overall, [no_data, not_in_plan, status(Status::NoReturn)]);
    assert_eq!(action(&progress, "A4").history.overall, [no_data, status(Status::Amber), status(Status::Amber)]);
    assert!(!kinds_for(&progress, "A4").contains(&ExceptionKind::Persistent), "a quarter with no data breaks the run");
    assert_eq!(progress.year[0].source, None, "Q1 has no data");
}

// ---------------------------------------------------------------------------
// Duplicates, contributions, other periods
// ---------------------------------------------------------------------------

#[test]
fn of_two_returns_from_one_agency_the_later_is_used_and_the_other_reported() {
    // (first's submitted, modified, file_order), (second's …) → which file wins
    type Stamp = (Option<NaiveDateTime>, Option<i64>, usize);
    let cases: &[(Stamp, Stamp, &str)] = &[
        ((Some(datetime(2019, 1, 10, 9)), None, 1), (Some(datetime(2019, 1, 8, 9)), None, 2), "returns/a.xlsx"),
        ((Some(datetime(2019, 1, 8, 9)), None, 2), (Some(datetime(2019, 1, 10, 9)), None, 1), "returns/b.xlsx"),
        ((None, Some(2_000_000_000), 1), (None, Some(1_000_000_000), 2), "returns/a.xlsx"),
        ((None, None, 1), (None, None, 2), "returns/b.xlsx"),
        ((None, None, 2), (None, None, 1), "returns/a.xlsx"),
    ];
    for (a_stamp, b_stamp, winner) in cases {
        let mut a = ret("police", "returns/a.xlsx");
        (a.submitted, a.modified, a.file_order) = *a_stamp;
        row(&mut a, "A2", Status::Green, "from a");
        row(&mut a, "A4", Status::Green, "only in a");
        let mut b = ret("police", "returns/b.xlsx");
        (b.submitted, b.modified, b.file_order) = *b_stamp;
        row(&mut b, "A2", Status::Red, "from b");
        for order in [vec![a.clone(), b.clone()], vec![b.clone(), a.clone()]] {
            let progress = run(order);
            let used = action(&progress, "A2").leads[0].source.as_ref().unwrap().file.clone();
            assert_eq!(&used, winner, "{a_stamp:?} vs {b_stamp:?}");
            let loser = if *winner == "returns/a.xlsx" { "returns/b.xlsx" } else { "returns/a.xlsx" };
            let dup: Vec<_> = progress.diagnostics.iter().filter(|d| d.code == "duplicate-return").collect();
            assert_eq!(dup.len(), 1);
            assert_eq!(dup[0].place, Place::file(loser));
            assert!(dup[0].message.contains(winner), "names the used file: {}", dup[0].message);
            let why = match (a_stamp.0, b_stamp.0, a_stamp.1) {
                (Some(_), Some(_), _) => "submitted 2019-01-10 09:00 rather than 2019-01-08 09:00",
                (None, None, Some(_)) => "its file was saved more recently",
                _ => "it comes later in the folder listing",
            };
            assert!(dup[0].message.contains(why), "{}", dup[0].message);
            if loser == "returns/a.xlsx" {
                assert!(dup[0].message.contains("A4"), "names what only the set-aside return reported: {}", dup[0].message);
            }
            let police = progress.agencies.iter().find(|a| a.id == "police").unwrap();
            assert_eq!(police.files, ["returns/a.xlsx", "returns/b.xlsx"]);
        }
    }
}

#[test]
fn of_two_rows_for_one_action_the_later_is_used_and_the_other_reported() {
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Green, "first row");
    row(&mut p, "A4", Status::Green, "other action");
    row(&mut p, "A2", Status::Amber, "second row");
    let progress = run(vec![p]);
    let a2 = action(&progress, "A2");
    assert_eq!((a2.leads[0].status(), a2.leads[0].update.as_str()), (Status::Amber, "second row"));
    let dup: Vec<_> = progress.diagnostics.iter().filter(|d| d.code == "duplicate-row").collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].place.to_string(), "returns/police.xlsx › Progress › F10");
    assert!(dup[0].message.contains("returns/police.xlsx › Progress › F12"), "{}", dup[0].message);
}

#[test]
fn an_update_from_an_agency_that_does_not_lead_the_action_is_a_contribution() {
    let mut h = ret("health", "returns/health.xlsx");
    row(&mut h, "A2", Status::Red, "We can help");
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Green, "On track");
    row(&mut p, "B1", Status::Amber, "Helping the charity");
    let progress = run(vec![h, p]);
    let a2 = action(&progress, "A2");
    assert_eq!(a2.overall, Status::Green, "a contribution does not count towards the status");
    assert_eq!(a2.contributions.len(), 1);
    assert_eq!((a2.contributions[0].agency_name.as_str(), a2.contributions[0].update.as_str()), ("Public Health", "We can help"));
    let b1 = action(&progress, "B1");
    assert_eq!(b1.overall, Status::NoReturn);
    assert_eq!(b1.contributions[0].agency_id, "police");
    let warnings: Vec<_> = progress.diagnostics.iter().filter(|d| d.code == "not-lead").collect();
    assert_eq!(warnings.len(), 2);
    assert!(warnings.iter().any(|d| d.message.starts_with("Public Health does not lead A2")));
    assert!(!progress.agencies.iter().any(|a| a.id == "health"), "agencies lists lead agencies only");
}

#[test]
fn returns_for_other_periods_are_not_merged_into_this_one() {
    let mut old = ret("police", "returns/police-q2.xlsx");
    old.period = q2();
    row(&mut old, "A2", Status::Red, "Old news");
    let mut next = ret("council", "returns/council-q4.xlsx");
    next.period = q3().next();
    row(&mut next, "A3", Status::Complete, "Future");
    let progress = run(vec![old, next]);
    assert_eq!(action(&progress, "A2").overall, Status::NoReturn);
    assert_eq!(action(&progress, "A3").overall, Status::NoReturn);
    let other: Vec<_> = progress.diagnostics.iter().filter(|d| d.code == "other-period").collect();
    assert_eq!(other.len(), 2);
    // Neither agency returned for this period: each file is a warning of its own.
    assert!(other.iter().any(|d| d.severity == Severity::Warning && d.place == Place::file("returns/police-q2.xlsx")));
    assert!(other.iter().any(|d| d.severity == Severity::Warning && d.place == Place::file("returns/council-q4.xlsx")));
    assert_eq!(progress.diagnostic_counts.rows_read, 0, "rows of other periods' files are not this period's account");
    assert!(progress.agencies.iter().find(|a| a.id == "police").unwrap().last_return == Some(q2()));
    assert_eq!(progress.agencies.iter().find(|a| a.id == "police").unwrap().state, ReturnState::Missing);
}

// ---------------------------------------------------------------------------
// Summaries and exceptions
// ---------------------------------------------------------------------------

#[test]
fn summaries_count_groups_priorities_and_totals() {
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A1", Status::Green, "a");
    row(&mut p, "A2", Status::Complete, "b");
    row(&mut p, "A4", Status::Amber, "c");
    row(&mut p, "B2", Status::Red, "d");
    let mut c = ret("council", "returns/council.xlsx");
    row(&mut c, "A1", Status::Green, "e");
    row(&mut c, "A3", Status::NotStarted, "");
    let progress = run(vec![p, c]);
    let g1 = &progress.groups[0].counts;
    use Status::*;
    let by = |c: &csp_report::progress::Counts| [Complete, Green, Amber, Red, NotStarted, Rejected, NoReturn].map(|s| c.of(s));
    assert_eq!((g1.actions, by(g1)), (4, [1, 1, 1, 0, 1, 0, 0]));
    assert_eq!(g1.overdue, 2, "A3 not started past September, A4 amber at its December deadline");
    assert_eq!(g1.on_track_or_complete_percent, 50);
    let g2 = &progress.groups[1].counts;
    assert_eq!((g2.actions, g2.of(Red), g2.of(NoReturn)), (3, 1, 2));
    assert_eq!(progress.groups[0].tags, ["Tag One", "Business Crime"]);
    assert_eq!(progress.groups[0].priority_ids, ["p1"]);
    assert_eq!(progress.groups[1].priority_ids, ["p1", "p2"]);
    let p1 = &progress.priorities[0];
    assert_eq!(p1.group_ids, ["g1", "g2"]);
    assert_eq!(p1.counts.actions, 7);
    assert_eq!(p1.counts, progress.totals);
    let p2 = &progress.priorities[1];
    assert_eq!(p2.action_ids, ["B1", "B2", "B3"]);
    assert_eq!(p2.counts, *g2);
    assert_eq!(progress.totals.on_track_or_complete_percent, 29, "2 of 7");
}

#[test]
fn exceptions_come_in_the_board_order_and_trace_to_cells() {
    let previous = history(&[("B2", Status::Green, &[("charity", Status::Green, "fine")])]);
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A1", Status::Green, "fine");
    row(&mut p, "A2", Status::Red, "stuck");
    row(&mut p, "A4", Status::Amber, "late");
    row(&mut p, "B2", Status::Amber, "slipping");
    let mut c = ret("council", "returns/council.xlsx");
    row(&mut c, "A1", Status::Red, "no money");
    row(&mut c, "A3", Status::NotStarted, "");
    let progress = run_with(&plan(), vec![p, c], Some(&previous), &[]);
    use ExceptionKind::*;
    let kinds: Vec<(Option<&str>, Vec<ExceptionKind>)> =
        progress.exceptions.iter().map(|e| (e.action_id(), e.reasons.iter().map(|r| r.kind()).collect())).collect();
    assert_eq!(
        kinds,
        [
            (Some("A1"), vec![Red, Conflict]),
            (Some("A2"), vec![Red]),
            (Some("A3"), vec![Overdue, NotStartedLate]),
            (Some("A4"), vec![Overdue]),
            (Some("B2"), vec![Worsened]),
            (Some("B3"), vec![NotReported]),
            (None, vec![MissingReturn]),
        ],
        "one row per action, by its most serious reason, then plan order"
    );
    for e in progress.exceptions.iter().filter(|e| e.action_id().is_some() && e.kind() != NotReported) {
        assert!(!e.sources.is_empty(), "{:?} traces to a cell", e.action_id());
        assert!(e.sources.iter().all(|s| s.cell.is_some()));
    }
    let whole = progress.exceptions.last().unwrap();
    assert!(matches!(&whole.subject, Subject::Agency { name, .. } if name == "Victim Support"));
    let mut diagnostics = Vec::new();
    let sentences = Sentences::render(&Templates::built_in(), &progress, &mut diagnostics).unwrap();
    assert_eq!(sentences.reasons.last().unwrap()[0], "No return received from Victim Support for 2018-19 Q3; it leads B1 and B2.");
    assert_eq!(
        sentences.exceptions_count,
        "6 actions need attention: 2 red, 2 overdue, 1 with leads who disagree, 1 not started past its time, \
         1 worsened to amber, 1 left out of a lead's return. 1 lead agency sent no return."
    );
}

#[test]
fn diagnostics_are_sorted_by_file_and_cell_and_counted() {
    let mut read = report(vec![]);
    read.diagnostics.push(Diagnostic::error("bad-date", Place::cell("returns/b.xlsx", "Progress", 9, 10), "b"));
    read.diagnostics.push(Diagnostic::error("bad-date", Place::cell("returns/a.xlsx", "Progress", 9, 10), "a10"));
    read.diagnostics.push(Diagnostic::warning("missing-update", Place::cell("returns/a.xlsx", "Progress", 8, 2), "a9"));
    read.accounts.push(FileAccount {
        file: "returns/c.xlsx".into(),
        outcome: FileOutcome::Unreadable { reason: "corrupt".into() },
        rows_read: 0,
        rows_accepted: 0,
        rows_rejected: 0,
        rows_notes: 0,
    });
    read.accounts.push(FileAccount {
        file: "returns/a.xlsx".into(),
        outcome: FileOutcome::Read,
        rows_read: 5,
        rows_accepted: 4,
        rows_rejected: 1,
        rows_notes: 0,
    });
    let plan = plan();
    let progress = merge(&MergeInput {
        plan: &plan,
        period: q3(),
        read: &read,
        previous: None,
        produced: q3().end(),
        deadline: q3().end(),
        extra_diagnostics: &[],
    });
    let order: Vec<&str> = progress.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(order, ["a9", "a10", "b"]);
    let counts = progress.diagnostic_counts;
    assert_eq!((counts.errors, counts.warnings, counts.notes), (2, 1, 0));
    assert_eq!((counts.rows_read, counts.rows_accepted, counts.rows_rejected, counts.files_unreadable), (5, 4, 1, 1));
    assert!(codes(&progress).iter().all(|c| *c != "other-period"));
}

// ---------------------------------------------------------------------------
// Properties over random returns on the shipped plan
// ---------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn shipped() -> &'static Plan {
        static PLAN: OnceLock<Plan> = OnceLock::new();
        PLAN.get_or_init(|| csp_report::plan::load_plan(std::path::Path::new("input/plan.toml")).expect("shipped plan"))
    }

    const TEXTS: [&str; 4] = ["", "On track.", "=HYPERLINK(\"x\")", "Same words"];

    /// (agency index, Q2 or Q3, submitted hour, modified, rows of (action index, status index, text index, revised))
    type RawReturn = (usize, bool, Option<u32>, Option<i64>, Vec<(usize, usize, usize, Option<u32>)>);

    fn raw_returns() -> impl Strategy<Value = Vec<RawReturn>> {
        prop::collection::vec(
            (
                0usize..22,
                prop::bool::weighted(0.8),
                prop::option::of(0u32..3),
                prop::option::of(0i64..3),
                prop::collection::vec((0usize..29, 0usize..5, 0usize..4, prop::option::of(0u32..400)), 0..12),
            ),
            0..14,
        )
    }

    fn build(raw: &[RawReturn]) -> Vec<Return> {
        let plan = shipped();
        let action_ids: Vec<String> = plan.actions().map(|a| a.id.clone()).chain(["ZZ9".to_string(), "CS1".to_string()]).collect();
        raw.iter()
            .enumerate()
            .map(|(i, (agency, this_period, submitted, modified, rows))| {
                let mut r = ret(&plan.agencies[*agency].id, &format!("returns/{i:02}-{}.xlsx", plan.agencies[*agency].id));
                r.period = if *this_period { q3() } else { q2() };
                r.submitted = submitted.map(|h| datetime(2019, 1, 10, h));
                r.modified = *modified;
                r.file_order = i;
                for (action, status, text, revised) in rows {
                    let status = Status::REPORTABLE[*status];
                    row(&mut r, &action_ids[*action], status, TEXTS[*text]).revised_date =
                        revised.map(|d| date(2018, 6, 1) + chrono::Days::new(u64::from(d)));
                }
                r
            })
            .collect()
    }

    fn previous() -> PreviousPeriod {
        history(&[
            ("CS1", Status::Green, &[("police", Status::Green, "Same words")]),
            ("DA1", Status::Red, &[("forum-members", Status::Red, "On track.")]),
        ])
    }

    fn merged(returns: Vec<Return>) -> Progress {
        let read = report(returns);
        let previous = previous();
        merge(&MergeInput {
            plan: shipped(),
            period: q3(),
            read: &read,
            previous: Some(&previous),
            produced: q3().end(),
            deadline: q3().end(),
            extra_diagnostics: &[],
        })
    }

    fn sums_up(c: &csp_report::progress::Counts) -> bool {
        Status::ALL.iter().map(|s| c.of(*s)).sum::<usize>() == c.actions && c.overdue <= c.actions
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn counts_in_every_summary_add_up_to_the_actions(raw in raw_returns()) {
            let progress = merged(build(&raw));
            prop_assert_eq!(progress.totals.actions, shipped().actions().count());
            prop_assert!(sums_up(&progress.totals));
            for g in &progress.groups {
                prop_assert_eq!(g.counts.actions, g.actions.len());
                prop_assert!(sums_up(&g.counts));
            }
            for p in &progress.priorities {
                prop_assert_eq!(p.counts.actions, p.action_ids.len());
                prop_assert!(sums_up(&p.counts));
            }
            let by_groups: usize = progress.groups.iter().map(|g| g.counts.of(Status::Red)).sum();
            prop_assert_eq!(by_groups, progress.totals.of(Status::Red));
        }

        #[test]
        fn every_update_appears_exactly_once_in_progress_or_in_the_diagnostics(raw in raw_returns()) {
            let returns = build(&raw);
            let progress = merged(returns.clone());
            let mut shown: BTreeMap<String, usize> = BTreeMap::new();
            for a in progress.groups.iter().flat_map(|g| &g.actions) {
                for l in a.leads.iter().chain(&a.contributions) {
                    if let Some(place) = &l.source {
                        *shown.entry(place.to_string()).or_default() += 1;
                    }
                }
            }
            for d in &progress.diagnostics {
                if ["duplicate-row", "unknown-action"].contains(&d.code) {
                    *shown.entry(d.place.to_string()).or_default() += 1;
                }
            }
            let set_aside: Vec<&str> =
                progress.diagnostics.iter().filter(|d| d.code == "duplicate-return").map(|d| d.place.file.as_str()).collect();
            for r in returns.iter().filter(|r| r.period == q3()) {
                for u in &r.updates {
                    let times = shown.get(&u.place.to_string()).copied().unwrap_or(0) + usize::from(set_aside.contains(&r.file.as_str()));
                    prop_assert_eq!(times, 1, "{} appears {} times", u.place, times);
                }
            }
            for r in returns.iter().filter(|r| r.period != q3()) {
                prop_assert!(progress.diagnostics.iter().any(|d| d.code == "other-period" && r.file.starts_with(&d.place.file)));
                for u in &r.updates {
                    prop_assert!(!shown.contains_key(&u.place.to_string()), "another period's row is never merged");
                }
            }
        }

        #[test]
        fn merge_does_not_depend_on_the_order_of_the_returns(raw in raw_returns(), rotate in 0usize..14) {
            let returns = build(&raw);
            let mut shuffled = returns.clone();
            shuffled.reverse();
            if !shuffled.is_empty() {
                let k = rotate % shuffled.len();
                shuffled.rotate_left(k);
            }
            prop_assert_eq!(merged(returns), merged(shuffled));
        }
    }
}

// ---------------------------------------------------------------------------
// progress.csv, validation.csv and reading history back
// ---------------------------------------------------------------------------

mod csv_history {
    use super::*;
    use csp_report::history::{parse_progress_csv, read_period, HistoryRead};
    use csp_report::render::csv::{progress_csv, validation_csv, PROGRESS_COLUMNS};

    fn sample() -> Progress {
        let mut p = ret("police", "returns/police.xlsx");
        row(&mut p, "A1", Status::Green, "=HYPERLINK(\"http://x\",\"y\")");
        row(&mut p, "A2", Status::Amber, "Line one\r\nline \"two\", with a comma").revised_date = Some(date(2019, 6, 30));
        row(&mut p, "A4", Status::Complete, "'Tis done — ✓ café").percent_complete = Some(100);
        let mut h = ret("health", "returns/health.csv");
        row(&mut h, "A2", Status::Red, "-contribution");
        let mut c = ret("council", "returns/council.xlsx");
        row(&mut c, "A3", Status::NotStarted, "");
        run(vec![p, h, c])
    }

    fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
        let mut reader = ::csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
    }

    #[test]
    fn a_rejected_update_is_rejected_in_progress_csv_with_its_reason_and_cell() {
        let mut p = ret("police", "returns/police.xlsx");
        rejected_row(&mut p, Some("A2"), 12);
        let progress = run(vec![p]);
        let bytes = progress_csv(&progress).unwrap();
        let rows = rows(&bytes);
        let column = |name: &str| rows[0].iter().position(|c| c == name).unwrap_or_else(|| panic!("column {name}"));
        let a2 = rows.iter().find(|r| r[column("action_id")] == "A2" && r[column("lead")] == "police").unwrap();
        assert_eq!(a2[column("status")], "rejected");
        assert_eq!(a2[column("update_state")], "rejected");
        assert_eq!(a2[column("rejected_because")], "status \"Gren\" is not a status (did you mean Green?)");
        assert_eq!(a2[column("source")], "returns/police.xlsx › Progress › C13");
        assert_eq!(a2[column("overall_status")], "rejected");
        // And a later quarter reads it back as no usable status, not as a crash.
        let history = parse_progress_csv(&bytes, "progress.csv", q3()).expect("reads back");
        assert_eq!(history.actions["A2"].leads["police"].status, Status::Rejected);
    }

    #[test]
    fn progress_csv_has_the_agreed_columns_and_one_row_per_action_and_lead() {
        let progress = sample();
        let bytes = progress_csv(&progress).unwrap();
        let rows = rows(&bytes);
        assert_eq!(rows[0], PROGRESS_COLUMNS.map(|(name, _)| name));
        assert_eq!(
            &rows[0][..19],
            [
                "period",
                "group",
                "action_id",
                "action",
                "timescale",
                "due_date",
                "new",
                "lead",
                "lead_name",
                "status",
                "percent_complete",
                "update",
                "next_steps",
                "issues_risks",
                "revised_date",
                "overall_status",
                "overdue",
                "trend",
                "source"
            ]
        );
        let leads: usize = progress.groups.iter().flat_map(|g| &g.actions).map(|a| a.leads.len() + a.contributions.len()).sum();
        assert_eq!(rows.len() - 1, leads);
        let a2_police = rows.iter().find(|r| r[2] == "A2" && r[7] == "police").unwrap();
        assert_eq!(a2_police[0], "2018-19 Q3");
        assert_eq!(a2_police[1], "Group One");
        assert_eq!((a2_police[4].as_str(), a2_police[5].as_str(), a2_police[6].as_str()), ("March 2019", "2019-03-31", "false"));
        assert_eq!((a2_police[9].as_str(), a2_police[14].as_str(), a2_police[15].as_str()), ("amber", "2019-06-30", "amber"));
        assert_eq!(a2_police[18], "returns/police.xlsx › Progress › F11");
        assert_eq!(a2_police[19], "lead");
        let contribution = rows.iter().find(|r| r[2] == "A2" && r[7] == "health").unwrap();
        assert_eq!(
            (contribution[9].as_str(), contribution[19].as_str(), contribution[11].as_str()),
            ("red", "contributor", "'-contribution")
        );
        let silent = rows.iter().find(|r| r[2] == "A1" && r[7] == "council").unwrap();
        assert_eq!((silent[9].as_str(), silent[18].as_str()), ("no_return", ""), "no source for no_return");
        assert_eq!(silent[20], "not_in_return", "the council's return arrived without A1");
        let hostile = rows.iter().find(|r| r[2] == "A1" && r[7] == "police").unwrap();
        assert_eq!(hostile[11], "'=HYPERLINK(\"http://x\",\"y\")", "a formula is stored with a leading apostrophe");
        let overdue = rows.iter().find(|r| r[2] == "A3").unwrap();
        assert_eq!((overdue[16].as_str(), overdue[17].as_str()), ("true", ""), "no trend without history");
        assert!(bytes.windows(2).filter(|w| w == b"\r\n").count() >= rows.len(), "RFC 4180 line ends");
        assert!(bytes.starts_with(b"\xEF\xBB\xBFperiod,group,"), "a byte-order mark, for Excel on Windows, then the header");
        assert_eq!(bytes.windows(3).filter(|w| w == b"\xEF\xBB\xBF").count(), 1, "one mark, at the start only");
    }

    #[test]
    fn progress_csv_reads_back_as_the_same_history() {
        let progress = sample();
        let bytes = progress_csv(&progress).unwrap();
        let read = parse_progress_csv(&bytes, "output/2018-19-Q3/progress.csv", q3()).expect("reads back");
        assert_eq!(read, History::from_progress(&progress));
        assert_eq!(read.actions["A1"].leads["police"].update, "=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(read.actions["A2"].leads["police"].update, "Line one\r\nline \"two\", with a comma");
        assert_eq!(read.actions["A4"].leads["police"].update, "'Tis done — ✓ café");
        assert!(!read.actions["A2"].leads.contains_key("health"), "contributions are not history");
        assert_eq!(read.actions["A1"].leads["council"].status, Status::NoReturn);
    }

    /// History written before the byte-order mark (and a file a user saved
    /// without one) reads the same as today's files.
    #[test]
    fn history_reads_with_and_without_a_byte_order_mark() {
        let progress = sample();
        let with = progress_csv(&progress).unwrap();
        let without = with.strip_prefix(csp_report::render::csv::UTF8_BOM).expect("written with a mark");
        let read_with = parse_progress_csv(&with, "progress.csv", q3()).expect("reads with the mark");
        let read_without = parse_progress_csv(without, "progress.csv", q3()).expect("reads without the mark");
        assert_eq!(read_with, History::from_progress(&progress));
        assert_eq!(read_without, read_with);
        // A problem is still placed on the right line, mark or not.
        let bad = b"\xEF\xBB\xBFperiod,action_id,lead,status,update,overall_status\r\n2018-19 Q3,A1,police,purple,x,green\r\n";
        let damaged = parse_progress_csv(bad, "progress.csv", q3()).unwrap_err();
        assert_eq!(damaged.place.cell_text().as_deref(), Some("line 2, column status"), "{damaged}");
    }

    /// Both CSV files as LibreOffice Calc reads them: opened as UTF-8, every
    /// column as text (as a coordinator's import would keep "0075" and
    /// "'=1+1" as typed), saved back as CSV and compared cell by cell with
    /// what was written. The byte-order mark must not leak into the first
    /// header cell, and accents, dashes and ticks must survive. Skipped with
    /// a reason when LibreOffice is not installed.
    #[test]
    fn libreoffice_reads_both_csv_files_back_unchanged() {
        let found = std::process::Command::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success());
        if !found {
            println!("skipped: LibreOffice (soffice) is not installed (apt-get install libreoffice-calc-nogui to run this check)");
            return;
        }
        let progress = sample();
        let mut diagnostics = progress.diagnostics.clone();
        diagnostics.push(
            Diagnostic::warning("missing-update", Place::cell("returns/Zoë's return.xlsx", "Progress", 9, 5), "Amber with no update — Zoë")
                .with_hint("ask Zoë"),
        );
        let dir = tempfile::tempdir().unwrap();
        let files = [("progress.csv", progress_csv(&progress).unwrap()), ("validation.csv", validation_csv(&diagnostics).unwrap())];
        let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
        for (name, bytes) in &files {
            assert!(bytes.starts_with(csp_report::render::csv::UTF8_BOM), "{name} starts with a byte-order mark");
            let written = rows(bytes);
            let columns = written[0].len();
            // Field separator, text delimiter, UTF-8 (76), first line 1, then every column as text (type 2).
            let as_text: Vec<String> = (1..=columns).map(|c| format!("{c}/2")).collect();
            let infilter = format!("Text - txt - csv (StarCalc):44,34,76,1,{}", as_text.join("/"));
            let source = dir.path().join(name);
            std::fs::write(&source, bytes).unwrap();
            let out = dir.path().join("out");
            let status = std::process::Command::new("soffice")
                .args([profile.as_str(), "--headless"])
                .arg(format!("--infilter={infilter}"))
                .args(["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir"])
                .arg(&out)
                .arg(&source)
                .output()
                .unwrap();
            let saved = std::fs::read(out.join(name))
                .unwrap_or_else(|e| panic!("LibreOffice did not convert {name} ({e}): {}", String::from_utf8_lossy(&status.stderr)));
            let read_back = rows(&saved);
            assert_eq!(read_back[0][0], written[0][0], "{name}: no stray mark in the first header cell");
            // Calc keeps a line break inside a cell as one LF, whatever the file had.
            let calc_breaks = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
                rows.into_iter().map(|r| r.into_iter().map(|c| c.replace("\r\n", "\n")).collect()).collect()
            };
            assert_eq!(calc_breaks(read_back), calc_breaks(written), "{name} as LibreOffice reads it");
        }
        let validation = String::from_utf8(files[1].1.clone()).unwrap();
        assert!(validation.contains("Amber with no update — Zoë"), "written as UTF-8");
    }

    #[test]
    fn csv_output_is_byte_identical_across_runs() {
        let (a, b) = (sample(), sample());
        assert_eq!(progress_csv(&a).unwrap(), progress_csv(&b).unwrap());
        assert_eq!(validation_csv(&a.diagnostics).unwrap(), validation_csv(&b.diagnostics).unwrap());
    }

    #[test]
    fn validation_csv_lists_every_diagnostic_with_its_place() {
        let progress = sample();
        let rows = rows(&validation_csv(&progress.diagnostics).unwrap());
        assert_eq!(rows[0], ["file", "sheet", "cell", "severity", "code", "message", "hint"]);
        assert_eq!(rows.len() - 1, progress.diagnostics.len());
        let not_lead = rows.iter().find(|r| r[4] == "not-lead").expect("the contribution's warning");
        assert_eq!(&not_lead[..4], ["returns/health.csv", "Progress", "F10", "warning"]);
    }

    #[test]
    fn damaged_or_missing_history_is_a_warning_not_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read_period(dir.path(), q2()), HistoryRead::Missing { .. }));
        let folder = dir.path().join("2018-19-Q2");
        std::fs::create_dir_all(&folder).unwrap();
        let cases: &[(&[u8], &str)] = &[
            (b"\x00\x01garbage", "no period"),
            (
                b"period,action_id,lead,status,update,overall_status\r\n2018-19 Q2,A1,police,purple,x,green\r\n",
                "\"purple\" is not a status",
            ),
            (b"period,action_id,lead,status,update,overall_status\r\n2018-19 Q1,A1,police,green,x,green\r\n", "not 2018-19 Q2"),
            (b"period,action_id,lead,status,update,overall_status\r\n2018-19 Q2,A1,police,green,\"unterminated\r\n", ""),
            (b"period,action_id,lead,status,update,overall_status\r\n2018-19 Q2,A1,police,green\r\n", "CSV"),
        ];
        for (bytes, says) in cases {
            std::fs::write(folder.join("progress.csv"), bytes).unwrap();
            match read_period(dir.path(), q2()) {
                HistoryRead::Damaged(d) => {
                    assert_eq!(d.code, "history-damaged");
                    assert_eq!(d.severity, csp_report::diagnostics::Severity::Warning);
                    assert!(d.place.file.ends_with("progress.csv"), "{d}");
                    assert!(d.message.contains(says), "{d}");
                    if says.contains("purple") {
                        assert_eq!(d.place.cell_text().as_deref(), Some("line 2, column status"), "{d}");
                    }
                }
                other => panic!("{:?} read as {other:?}", String::from_utf8_lossy(bytes)),
            }
        }
        // A good file reads.
        std::fs::write(folder.join("progress.csv"), progress_csv(&super::run_q2()).unwrap()).unwrap();
        match read_period(dir.path(), q2()) {
            HistoryRead::Found(previous) => {
                assert_eq!(previous.period, q2());
                assert_eq!(previous.history.actions["A2"].overall, Status::Red);
                assert!(previous.source.ends_with("progress.csv"));
            }
            other => panic!("good history read as {other:?}"),
        }
    }

    mod round_trip {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
            #[test]
            fn any_text_round_trips_through_progress_csv(texts in prop::collection::vec(any::<String>(), 4), statuses in prop::collection::vec(0usize..5, 4)) {
                let mut p = ret("police", "returns/police.xlsx");
                for (i, id) in ["A1", "A2", "A4", "B2"].iter().enumerate() {
                    row(&mut p, id, Status::REPORTABLE[statuses[i]], &texts[i]);
                }
                let progress = run(vec![p]);
                let bytes = progress_csv(&progress).unwrap();
                let read = parse_progress_csv(&bytes, "progress.csv", q3()).unwrap();
                prop_assert_eq!(read, History::from_progress(&progress));
            }
        }
    }
}

/// A Q2 merge with police red on A2, for history files.
fn run_q2() -> Progress {
    let mut p = ret("police", "returns/police-q2.xlsx");
    p.period = q2();
    row(&mut p, "A2", Status::Red, "Stuck");
    let read = report(vec![p]);
    let plan = plan();
    merge(&MergeInput {
        plan: &plan,
        period: q2(),
        read: &read,
        previous: None,
        produced: q2().end(),
        deadline: q2().end(),
        extra_diagnostics: &[],
    })
}

// ---------------------------------------------------------------------------
// Update states, return states and one exception per action (docs/rules.md,
// "Each lead's update", "Each agency's return", "Exceptions")
// ---------------------------------------------------------------------------

/// Adds a rejected row (status "Gren") on `action` to a return.
fn rejected_row(r: &mut Return, action: Option<&str>, cell_row: u32) {
    let index = r.updates.len() + r.rejected.len();
    r.rejected.push(RejectedRow {
        action_id: action.map(str::to_string),
        rejection: Rejection {
            problem: "status \"Gren\" is not a status".to_string(),
            hint: Some("did you mean Green?".to_string()),
            place: Place::cell(&r.file, "Progress", cell_row, 2),
        },
        row_index: index,
    });
}

fn agency<'a>(progress: &'a Progress, id: &str) -> &'a AgencyProgress {
    progress.agencies.iter().find(|a| a.id == id).unwrap_or_else(|| panic!("{id} in agencies"))
}

fn lead<'a>(progress: &'a Progress, action_id: &str, agency_id: &str) -> &'a LeadUpdate {
    action(progress, action_id).leads.iter().find(|l| l.agency_id == agency_id).expect("the lead")
}

#[test]
fn a_rejected_row_is_a_third_state_with_its_reason_never_no_return() {
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A1", Status::Green, "Fine");
    rejected_row(&mut p, Some("A2"), 10);
    row(&mut p, "A4", Status::Green, "Fine");
    row(&mut p, "B2", Status::Green, "Fine");
    let progress = run(vec![p]);

    let a2 = lead(&progress, "A2", "police");
    match &a2.state {
        UpdateState::Rejected(r) => {
            assert_eq!(r.problem, "status \"Gren\" is not a status");
            assert_eq!(r.hint.as_deref(), Some("did you mean Green?"));
            assert_eq!(r.place, Place::cell("returns/police.xlsx", "Progress", 10, 2));
        }
        other => panic!("A2 should be rejected, not {other:?}"),
    }
    assert_eq!(a2.status(), Status::Rejected);
    assert_eq!(a2.source, Some(Place::cell("returns/police.xlsx", "Progress", 10, 2)), "source points at the rejected row");
    assert_eq!(action(&progress, "A2").overall, Status::Rejected, "its only lead reported, unreadably");
    assert_eq!(progress.totals.of(Status::Rejected), 1);

    let police = agency(&progress, "police");
    assert_eq!(police.state, ReturnState::Incomplete);
    assert!(police.actions_missing.is_empty(), "a rejected action is not a missing one: {:?}", police.actions_missing);
    assert_eq!(police.actions_rejected.len(), 1);
    assert_eq!(police.actions_rejected[0].action_id.as_deref(), Some("A2"));
    assert!(police.reminder_due);

    let e = progress.exceptions.iter().find(|e| e.action_id() == Some("A2")).expect("A2 is an exception");
    assert_eq!(e.reasons.iter().map(|r| r.kind()).collect::<Vec<_>>(), [ExceptionKind::Rejected]);
    assert!(!progress.exceptions.iter().any(|e| e.reasons.iter().any(|r| matches!(r, Reason::NotReported { .. }))));
}

#[test]
fn a_rejected_row_beside_a_usable_row_on_the_same_action_leaves_the_usable_one() {
    let mut p = ret("police", "returns/police.xlsx");
    rejected_row(&mut p, Some("A2"), 9);
    row(&mut p, "A2", Status::Amber, "Slipping");
    let progress = run(vec![p]);
    assert_eq!(lead(&progress, "A2", "police").state, UpdateState::Reported(Status::Amber));
    let police = agency(&progress, "police");
    assert_eq!(police.actions_rejected.len(), 1, "the rejected row is still for the reminder");
    assert!(police.reminder_due);
}

#[test]
fn an_action_left_out_of_a_return_is_not_in_return_and_an_absent_agency_no_return() {
    let mut c = ret("council", "returns/council.xlsx");
    row(&mut c, "A3", Status::Complete, "Done");
    row(&mut c, "B3", Status::Green, "Going well");
    let progress = run(vec![c]);
    assert_eq!(lead(&progress, "A1", "council").state, UpdateState::NotInReturn);
    assert_eq!(lead(&progress, "A1", "police").state, UpdateState::NoReturn);
    let e = progress.exceptions.iter().find(|e| e.action_id() == Some("A1")).expect("A1 is an exception");
    assert!(e.reasons.contains(&Reason::NotReported { lead: "Preston City Council".to_string() }), "{:?}", e.reasons);
}

#[test]
fn each_agency_has_one_return_state_and_its_last_return() {
    let mut c = ret("council", "returns/council.xlsx");
    for id in ["A1", "A3", "B3"] {
        row(&mut c, id, Status::Green, "Fine");
    }
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Green, "Fine");
    let mut old = ret("charity", "returns/2018-19-Q2/charity.xlsx");
    old.period = q2();
    row(&mut old, "B1", Status::Green, "Fine");
    let progress = run(vec![c, p, old]);
    assert_eq!(agency(&progress, "council").state, ReturnState::Complete);
    assert!(!agency(&progress, "council").reminder_due);
    assert_eq!(agency(&progress, "council").last_return, Some(q3()), "this period, once it arrived");
    assert_eq!(agency(&progress, "police").state, ReturnState::Incomplete);
    assert!(agency(&progress, "police").reminder_due);
    assert_eq!(agency(&progress, "charity").state, ReturnState::Missing);
    assert_eq!(agency(&progress, "charity").last_return, Some(q2()));
    assert!(agency(&progress, "charity").reminder_due);
}

#[test]
fn an_action_with_several_reasons_is_one_exception_counted_once() {
    // A2 is due March 2019; a red lead with a revised date in the past makes it red and overdue.
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Red, "Stuck").revised_date = Some(date(2018, 11, 30));
    row(&mut p, "A4", Status::Amber, "Late");
    let progress = run(vec![p]);
    let for_a2: Vec<_> = progress.exceptions.iter().filter(|e| e.action_id() == Some("A2")).collect();
    assert_eq!(for_a2.len(), 1, "one row per action");
    assert_eq!(for_a2[0].reasons.iter().map(|r| r.kind()).collect::<Vec<_>>(), [ExceptionKind::Red, ExceptionKind::Overdue]);
    let counts = progress.exception_counts;
    assert_eq!(counts.actions, progress.exceptions.iter().filter(|e| e.action_id().is_some()).count());
    assert_eq!(counts.agencies, 2, "council and charity sent nothing");
    assert_eq!(counts.of(ExceptionKind::Red), 1);
    assert_eq!(counts.of(ExceptionKind::Overdue), 3, "A2; A4, due December 2018; A3, due September 2018 with no return");
    let reasons: usize = progress.exceptions.iter().map(|e| e.reasons.len()).sum();
    assert_eq!(counts.by_kind.iter().sum::<usize>(), reasons);
}

#[test]
fn the_deadline_has_passed_when_the_reports_are_produced_after_it() {
    let read = report(vec![]);
    let plan = plan();
    let deadline = q3().end() + chrono::Days::new(14);
    let at = |produced: NaiveDate| {
        merge(&MergeInput { plan: &plan, period: q3(), read: &read, previous: None, produced, deadline, extra_diagnostics: &[] })
    };
    assert!(!at(deadline).deadline_passed, "on the day it is still due");
    assert!(at(deadline + chrono::Days::new(1)).deadline_passed);
    assert_eq!(at(deadline).deadline, deadline);
}

#[test]
fn a_return_for_another_period_is_listed_by_its_file_with_what_it_was_used_for() {
    let mut old = ret("police", "returns/2018-19-Q2/police.xlsx");
    old.period = q2();
    row(&mut old, "A2", Status::Green, "Fine");
    let mut old_council = ret("council", "returns/2018-19-Q2/council.xlsx");
    old_council.period = q2();
    row(&mut old_council, "A3", Status::Green, "Fine");
    let mut now = ret("council", "returns/council.xlsx");
    row(&mut now, "A3", Status::Green, "Fine");
    let mut previous = history(&[]);
    previous.from_returns = true;
    let progress = run_with(&plan(), vec![old, old_council, now], Some(&previous), &[]);
    let about = |file: &str| progress.diagnostics.iter().find(|d| d.code == "other-period" && d.place.file == file).expect(file).clone();
    let police = about("returns/2018-19-Q2/police.xlsx");
    assert_eq!(police.severity, Severity::Warning, "the police have nothing for this period");
    assert!(police.message.contains("2018-19 Q2") && police.message.contains("used only as last quarter's results"), "{}", police.message);
    let council = about("returns/2018-19-Q2/council.xlsx");
    assert_eq!(council.severity, Severity::Note, "the council returned for this period too");
}

#[test]
fn notes_below_a_return_table_are_kept_with_the_agency() {
    let mut p = ret("police", "returns/police.xlsx");
    row(&mut p, "A2", Status::Green, "Fine");
    p.notes.push(ReturnNote {
        text: "Completed by: PC Smith, 01772 555 123".to_string(),
        place: Place::cell("returns/police.xlsx", "Progress", 20, 0),
    });
    let progress = run(vec![p]);
    let police = agency(&progress, "police");
    assert_eq!(police.notes.len(), 1);
    assert_eq!(police.notes[0].text, "Completed by: PC Smith, 01772 555 123");
}

// ---------------------------------------------------------------------------
// The year-end review
// ---------------------------------------------------------------------------

fn whole_year(quarters: [Option<PreviousPeriod>; 4]) -> csp_report::merge::year::YearReview {
    let year: csp_report::plan::FinancialYear = "2018-19".parse().unwrap();
    let quarters = YearSoFar {
        quarters: year.quarters().into_iter().zip(quarters).map(|(period, results)| YearQuarter { period, results }).collect(),
    };
    csp_report::merge::year::review_year(&plan(), year, &quarters, date(2019, 3, 31), Vec::new())
}

fn year_action<'a>(review: &'a csp_report::merge::year::YearReview, id: &str) -> &'a csp_report::merge::year::YearAction {
    review.groups.iter().flat_map(|g| g.actions.iter()).find(|a| a.id == id).unwrap()
}

#[test]
fn year_end_rules_delivered_slipped_and_carried_forward() {
    let p = |q: u8| Period { fy_start: 2018, quarter: q };
    // A3 (due September 2018): green, green, complete, complete: delivered in Q3, by the end of
    // December, 92 days late. A2 (due March 2019): red at the end with a revised date in June.
    // A1 (ongoing): green all year. A4 (due December 2018): amber, not complete.
    let mut quarters: [Option<PreviousPeriod>; 4] = Default::default();
    for (i, (a3, a2)) in
        [(Status::Green, Status::Green), (Status::Green, Status::Amber), (Status::Complete, Status::Red), (Status::Complete, Status::Red)]
            .into_iter()
            .enumerate()
    {
        let mut results = results_for(
            p(i as u8 + 1),
            &[
                ("A3", a3, &[("council", a3, "")]),
                ("A2", a2, &[("police", a2, "Supplier gone")]),
                ("A1", Status::Green, &[("police", Status::Green, ""), ("council", Status::Green, "")]),
                ("A4", Status::Amber, &[("police", Status::Amber, "")]),
                ("B1", Status::Green, &[("charity", Status::Green, "")]),
            ],
        );
        if i == 3 {
            results.history.actions.get_mut("A2").unwrap().leads.get_mut("police").unwrap().revised_date = Some(date(2019, 6, 30));
        }
        if i == 1 {
            // Z9 was in the plan in Q2 and is not at the year's end.
            results.history.actions.insert("Z9".to_string(), PastAction::new(Status::Amber));
        }
        quarters[i] = Some(results);
    }
    let review = whole_year(quarters);
    let a3 = year_action(&review, "A3");
    assert!(a3.delivered());
    assert_eq!((a3.completed_in, a3.slipped_to, a3.slipped_days), (Some(p(3)), Some(date(2018, 12, 31)), Some(92)));
    assert!(!a3.carry_forward);
    let a2 = year_action(&review, "A2");
    assert_eq!((a2.slipped_to, a2.slipped_days, a2.carry_forward), (Some(date(2019, 6, 30)), Some(91), true));
    assert_eq!(a2.last_update, Some((p(4), vec![("Lancashire Constabulary".to_string(), "Supplier gone".to_string())])));
    let a1 = year_action(&review, "A1");
    assert_eq!((a1.slipped_to, a1.carry_forward), (None, true), "ongoing: never slips, carries forward");
    let a4 = year_action(&review, "A4");
    assert_eq!(a4.slipped_to, Some(date(2019, 3, 31)), "past its date and not complete: slipped at least to the year's end");
    assert_eq!(review.withdrawn.len(), 1);
    assert_eq!((review.withdrawn[0].id.as_str(), review.withdrawn[0].last_quarter), ("Z9", p(2)));
    let t = review.totals;
    // Carried forward: A1, A2, A4 and B1; B2 and B3 were not in the plan at the end (no results list them).
    assert_eq!((t.actions, t.delivered, t.slipped, t.withdrawn, t.carried_forward), (7, 1, 3, 1, 4));
    // B2 and B3 were in none of the quarters' results: not in the plan then.
    assert_eq!(year_action(&review, "B3").final_state, QuarterState::NotInPlan);
    for q in &review.mix {
        assert_eq!(q.iter().sum::<usize>(), 7, "each quarter's mix adds up to the actions");
    }
}

#[test]
fn year_end_rules_a_quarter_with_no_data_is_never_filled_in() {
    let p = |q: u8| Period { fy_start: 2018, quarter: q };
    let green = |q| results_for(p(q), &[("A2", Status::Green, &[("police", Status::Green, "")])]);
    let review = whole_year([Some(green(1)), None, Some(green(3)), None]);
    let a2 = year_action(&review, "A2");
    let status = QuarterState::Status;
    assert_eq!(a2.overall, [status(Status::Green), QuarterState::NoData, status(Status::Green), QuarterState::NoData]);
    assert_eq!((a2.final_state, a2.final_quarter), (status(Status::Green), Some(p(3))), "the last quarter with data");
    assert_eq!(review.quarters[1].source, None);
}
