//! A realistic `Progress` for the shipped Preston plan, built by hand (a
//! stand-in for merge in renderer tests): every action of the plan, a spread
//! of statuses, two agencies with no return, a partial return, a rejected
//! row, red and overdue actions in the exceptions, history for trend, notes
//! below a table, and update texts that test escaping and scripts (a
//! hostile `<script>`, Markdown, Urdu, Polish).

#![allow(dead_code)]

use chrono::NaiveDate;
use csp_report::diagnostics::{Diagnostic, Place};
use csp_report::plan::{load_plan, Period, Plan};
use csp_report::progress::*;
use csp_report::status::Status;
use std::path::Path;

pub const HOSTILE_UPDATE: &str = "<script>alert(1)</script> & <b>bold</b> \"quoted\" 'single'";
pub const URDU_UPDATE: &str = "ہم نے اس سہ ماہی میں تین ورکشاپس منعقد کیں";
pub const POLISH_UPDATE: &str = "Zorganizowaliśmy spotkania informacyjne w języku polskim.";
pub const MARKDOWN_UPDATE: &str = "# Not a heading\n* not a bullet\n[not a link](http://example.com) **not bold**";

/// Agencies that sent nothing this quarter.
pub const SILENT_AGENCIES: [&str; 2] = ["genga", "cga"];

/// The police's row on CS2 was rejected for this status.
pub const REJECTED: (&str, &str, &str) = ("police", "CS2", "status \"Gren\" is not a status");

/// The police's note below its table.
pub const POLICE_NOTE: &str = "Completed by: PC Smith, 01772 555 123";

pub fn plan() -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/plan.toml");
    load_plan(&path).expect("the shipped plan loads")
}

/// The status a lead reports on the n-th (lead, action) pair: a fixed,
/// varied pattern so every status appears.
fn scripted_status(n: usize) -> Status {
    const PATTERN: [Status; 9] = [
        Status::Green,
        Status::Green,
        Status::Amber,
        Status::Complete,
        Status::Green,
        Status::Red,
        Status::NotStarted,
        Status::Green,
        Status::Amber,
    ];
    PATTERN[n % PATTERN.len()]
}

pub fn sample_progress() -> Progress {
    let plan = plan();
    let period: Period = "2018-19 Q3".parse().unwrap();
    let produced = NaiveDate::from_ymd_opt(2019, 1, 21).unwrap();
    let agency_name = |id: &str| plan.agency(id).map(|a| a.name.clone()).unwrap_or_else(|| id.to_string());
    let mut pair = 0usize;
    let mut groups = Vec::new();
    let mut exceptions = Vec::new();
    for group in &plan.groups {
        let mut actions = Vec::new();
        for action in &group.actions {
            let mut leads = Vec::new();
            for lead_id in &action.leads {
                pair += 1;
                let state = if SILENT_AGENCIES.contains(&lead_id.as_str()) {
                    Some(UpdateState::NoReturn)
                } else if lead_id == "police" && action.id == "SOC5" {
                    // A partial return: the police sent a return, but not on SOC5.
                    Some(UpdateState::NotInReturn)
                } else if (lead_id.as_str(), action.id.as_str()) == (REJECTED.0, REJECTED.1) {
                    Some(UpdateState::Rejected(Rejection {
                        problem: REJECTED.2.to_string(),
                        hint: Some("did you mean Green?".to_string()),
                        place: Place::cell("returns/police.xlsx", "Progress", 9, 5),
                    }))
                } else {
                    None
                };
                if let Some(state) = state {
                    let source = match &state {
                        UpdateState::Rejected(r) => Some(r.place.clone()),
                        _ => None,
                    };
                    leads.push(LeadUpdate {
                        agency_id: lead_id.clone(),
                        agency_name: agency_name(lead_id),
                        state,
                        percent_complete: None,
                        update: String::new(),
                        next_steps: String::new(),
                        issues_risks: String::new(),
                        revised_date: None,
                        notes: vec![],
                        stale: false,
                        source,
                    });
                    continue;
                }
                let status = scripted_status(pair);
                let update = match (action.id.as_str(), lead_id.as_str()) {
                    ("CS1", "police") => HOSTILE_UPDATE.to_string(),
                    ("DA2", _) => URDU_UPDATE.to_string(),
                    ("SO1", "lcsc") => POLISH_UPDATE.to_string(),
                    ("ASB1", "pcc") => MARKDOWN_UPDATE.to_string(),
                    _ => format!(
                        "{} reports {} progress on {} this quarter.\nPartners met twice and agreed the next steps.",
                        agency_name(lead_id),
                        status.label().to_lowercase(),
                        action.id
                    ),
                };
                leads.push(LeadUpdate {
                    agency_id: lead_id.clone(),
                    agency_name: agency_name(lead_id),
                    state: UpdateState::Reported(status),
                    percent_complete: match status {
                        Status::Complete => Some(100),
                        Status::NotStarted => Some(0),
                        Status::Green => Some(60),
                        Status::Amber => Some(40),
                        Status::Red => Some(10),
                        Status::Rejected | Status::NoReturn => None,
                    },
                    update,
                    next_steps: format!("Report back to the {} group in {}.", group.name, period.next()),
                    issues_risks: if status == Status::Red { "Funding for the post ends in March.".to_string() } else { String::new() },
                    revised_date: (status == Status::Amber).then(|| NaiveDate::from_ymd_opt(2019, 6, 30).unwrap()),
                    notes: vec![],
                    stale: pair % 11 == 0,
                    source: Some(Place::cell(format!("returns/{lead_id}.xlsx"), "Progress", 8 + pair as u32 % 20, 5)),
                });
            }
            let overall = csp_report::merge::overall_status(leads.iter().map(LeadUpdate::status));
            let due = action.timescale.due_date();
            let overdue = due.is_some_and(|d| d < period.end()) && overall != Status::Complete;
            let conflict = csp_report::merge::is_conflict(leads.iter().map(LeadUpdate::status));
            let previous_overall = if action.new { None } else { Some(Status::Green) };
            let trend = Some(match previous_overall {
                None => Trend::New,
                Some(prev) if prev == overall => Trend::Same,
                Some(_) if overall.severity_rank() > Status::Green.severity_rank() => Trend::Worse,
                Some(_) => Trend::Improved,
            });
            let ap = ActionProgress {
                id: action.id.clone(),
                group_id: group.id.clone(),
                group_name: group.name.clone(),
                text: action.text.clone(),
                timescale: action.timescale.written.clone(),
                due_date: due,
                new: action.new,
                leads,
                contributions: vec![],
                overall,
                overdue,
                slipped_to: None,
                conflict,
                not_started_late: false,
                trend,
                previous_overall,
                history: Default::default(),
            };
            let names = |status: Status| ap.leads.iter().filter(|l| l.status() == status).map(|l| l.agency_name.clone()).collect();
            let mut reasons = Vec::new();
            if overall == Status::Red {
                reasons.push(Reason::Red { by: names(Status::Red) });
            }
            if overdue {
                reasons.push(Reason::Overdue {
                    due,
                    timescale: ap.timescale.clone(),
                    due_passed: true,
                    passed_revised: None,
                    slipped: None,
                    overall,
                });
            }
            for l in &ap.leads {
                match &l.state {
                    UpdateState::Rejected(rejection) => {
                        reasons.push(Reason::Rejected { lead: l.agency_name.clone(), rejection: rejection.clone() })
                    }
                    UpdateState::NotInReturn => reasons.push(Reason::NotReported { lead: l.agency_name.clone() }),
                    _ => {}
                }
            }
            if !reasons.is_empty() {
                exceptions.push(Exception {
                    subject: Subject::Action { id: ap.id.clone(), text: ap.text.clone(), group_name: group.name.clone() },
                    reasons,
                    leads: ap.leads.iter().map(|l| l.agency_name.clone()).collect(),
                    words: ap
                        .leads
                        .iter()
                        .filter(|l| !l.update.is_empty())
                        .map(|l| LeadWords { lead: l.agency_name.clone(), update: l.update.clone(), issues_risks: l.issues_risks.clone() })
                        .collect(),
                    sources: ap.leads.iter().filter_map(|l| l.source.clone()).collect(),
                });
            }
            actions.push(ap);
        }
        let counts = Counts::over(&actions);
        groups.push(GroupProgress {
            id: group.id.clone(),
            name: group.name.clone(),
            tags: group.tags.iter().filter_map(|t| plan.tag(t)).map(|t| t.name.clone()).collect(),
            priority_ids: plan.priorities_of_group(group).iter().map(|p| p.id.clone()).collect(),
            actions,
            counts,
        });
    }
    let all_actions: Vec<&ActionProgress> = groups.iter().flat_map(|g| g.actions.iter()).collect();
    let agencies: Vec<AgencyProgress> = plan
        .lead_agencies()
        .map(|agency| {
            let led: Vec<&ActionProgress> =
                all_actions.iter().copied().filter(|a| a.leads.iter().any(|l| l.agency_id == agency.id)).collect();
            let state_of = |a: &ActionProgress| a.leads.iter().find(|l| l.agency_id == agency.id).map(|l| l.state.clone());
            let returned_ids: Vec<String> =
                led.iter().filter(|a| matches!(state_of(a), Some(UpdateState::Reported(_)))).map(|a| a.id.clone()).collect();
            let missing_ids: Vec<String> = led
                .iter()
                .filter(|a| matches!(state_of(a), Some(UpdateState::NoReturn | UpdateState::NotInReturn)))
                .map(|a| a.id.clone())
                .collect();
            let rejected: Vec<RejectedRow> = led
                .iter()
                .filter_map(|a| match state_of(a) {
                    Some(UpdateState::Rejected(rejection)) => Some(RejectedRow { action_id: Some(a.id.clone()), rejection, row_index: 0 }),
                    _ => None,
                })
                .collect();
            let returned = !SILENT_AGENCIES.contains(&agency.id.as_str());
            let state = if !returned {
                ReturnState::Missing
            } else if returned_ids.len() == led.len() {
                ReturnState::Complete
            } else {
                ReturnState::Incomplete
            };
            AgencyProgress {
                id: agency.id.clone(),
                name: agency.name.clone(),
                actions_led: led.iter().map(|a| a.id.clone()).collect(),
                actions_returned: returned_ids,
                actions_missing: missing_ids,
                reminder_due: state != ReturnState::Complete || !rejected.is_empty(),
                actions_rejected: rejected,
                state,
                files: if returned { vec![format!("returns/{}.xlsx", agency.id)] } else { vec![] },
                last_return: Some(if returned { period } else { period.previous() }),
                notes: if agency.id == "police" {
                    vec![ReturnNote { text: POLICE_NOTE.to_string(), place: Place::cell("returns/police.xlsx", "Progress", 30, 0) }]
                } else {
                    vec![]
                },
            }
        })
        .collect();
    for agency in agencies.iter().filter(|a| a.state == ReturnState::Missing) {
        exceptions.push(Exception {
            subject: Subject::Agency { id: agency.id.clone(), name: agency.name.clone() },
            reasons: vec![Reason::MissingReturn { agency: agency.name.clone(), actions_led: agency.actions_led.clone() }],
            leads: vec![agency.name.clone()],
            words: vec![],
            sources: vec![],
        });
    }
    exceptions.sort_by_key(Exception::kind);
    let priorities = plan
        .priorities
        .iter()
        .map(|p| {
            let group_ids: Vec<String> = plan.groups_for_priority(&p.id).iter().map(|g| g.id.clone()).collect();
            let actions: Vec<ActionProgress> =
                groups.iter().filter(|g| group_ids.contains(&g.id)).flat_map(|g| g.actions.iter().cloned()).collect();
            PriorityProgress {
                id: p.id.clone(),
                name: p.name.clone(),
                evidence: p.evidence.clone(),
                aims: p.aims.clone(),
                current_work: p.current_work.clone(),
                planned_activity: p.planned_activity.clone(),
                group_ids,
                action_ids: actions.iter().map(|a| a.id.clone()).collect(),
                counts: Counts::over(&actions),
            }
        })
        .collect();
    let all_owned: Vec<ActionProgress> = groups.iter().flat_map(|g| g.actions.iter().cloned()).collect();
    let diagnostics = vec![
        Diagnostic::error("unknown-status", Place::cell("returns/police.xlsx", "Progress", 9, 5), "status \"Gren\" is not a status")
            .with_hint("did you mean Green?"),
        Diagnostic::warning("missing-update", Place::cell("returns/pcc.xlsx", "Progress", 11, 7), "amber without a progress update"),
    ];
    Progress {
        partnership: plan.partnership.clone(),
        period,
        previous_period: Some(period.previous()),
        history_source: Some("output/2018-19-Q2/progress.csv".to_string()),
        produced,
        plan_hash: plan.hash.clone(),
        totals: Counts::over(&all_owned),
        groups,
        priorities,
        agencies,
        exception_counts: ExceptionCounts::over(&exceptions),
        exceptions,
        deadline: period.end() + chrono::Days::new(14),
        deadline_passed: true,
        diagnostic_counts: DiagnosticCounts {
            errors: 1,
            warnings: 1,
            notes: 0,
            rows_read: 60,
            rows_accepted: 59,
            rows_rejected: 1,
            rows_notes: 1,
            files_unreadable: 0,
        },
        diagnostics,
        glossary: plan.glossary.clone(),
        year: Vec::new(),
        plan_changes: Vec::new(),
    }
}

/// The shared sentences of a progress, from the built-in templates.
pub fn sentences(progress: &Progress) -> csp_report::render::sentences::Sentences {
    let mut diagnostics = Vec::new();
    let sentences =
        csp_report::render::sentences::Sentences::render(&csp_report::templates::Templates::built_in(), progress, &mut diagnostics)
            .expect("the built-in sentence templates render");
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    sentences
}
