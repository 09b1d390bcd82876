//! A realistic `Progress` for the shipped Preston plan, built by hand (a
//! stand-in for merge in renderer tests): every action of the plan, a spread
//! of statuses, two agencies with no return, a partial return, red and
//! overdue actions in the exceptions, history for trend, and update texts
//! that test escaping and scripts (a hostile `<script>`, Markdown, Urdu, Polish).

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
                let silent = SILENT_AGENCIES.contains(&lead_id.as_str())
                    // A partial return: the police sent a return, but not on SOC5.
                    || (lead_id == "police" && action.id == "SOC5");
                if silent {
                    leads.push(LeadUpdate {
                        agency_id: lead_id.clone(),
                        agency_name: agency_name(lead_id),
                        status: Status::NoReturn,
                        percent_complete: None,
                        update: String::new(),
                        next_steps: String::new(),
                        issues_risks: String::new(),
                        revised_date: None,
                        notes: vec![],
                        stale: false,
                        source: None,
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
                    status,
                    percent_complete: match status {
                        Status::Complete => Some(100),
                        Status::NotStarted => Some(0),
                        Status::Green => Some(60),
                        Status::Amber => Some(40),
                        Status::Red => Some(10),
                        Status::NoReturn => None,
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
            let overall = leads.iter().map(|l| l.status).max_by_key(|s| s.severity_rank()).unwrap_or(Status::NoReturn);
            let due = action.timescale.due_date();
            let overdue = due.is_some_and(|d| d < period.end()) && overall != Status::Complete;
            let reported: Vec<&LeadUpdate> = leads.iter().filter(|l| l.status != Status::NoReturn).collect();
            let conflict =
                reported.iter().any(|a| reported.iter().any(|b| a.status.severity_rank().abs_diff(b.status.severity_rank()) > 1))
                    && reported.iter().all(|l| l.status != Status::Complete);
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
            };
            for (kind, applies) in [(ExceptionKind::Red, overall == Status::Red), (ExceptionKind::Overdue, overdue)] {
                if applies {
                    exceptions.push(Exception {
                        kind,
                        action_id: Some(ap.id.clone()),
                        subject: ap.text.clone(),
                        group_name: Some(group.name.clone()),
                        leads: ap.leads.iter().map(|l| l.agency_name.clone()).collect(),
                        reason: format!("{}: reported {} by its leads", kind.label(), overall.label().to_lowercase()),
                        words: ap
                            .leads
                            .iter()
                            .filter(|l| !l.update.is_empty())
                            .map(|l| (l.agency_name.clone(), l.update.clone()))
                            .collect(),
                        sources: ap.leads.iter().filter_map(|l| l.source.clone()).collect(),
                    });
                }
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
            let reported = |a: &ActionProgress| a.leads.iter().any(|l| l.agency_id == agency.id && l.status != Status::NoReturn);
            let returned_ids: Vec<String> = led.iter().filter(|a| reported(a)).map(|a| a.id.clone()).collect();
            let missing_ids: Vec<String> = led.iter().filter(|a| !reported(a)).map(|a| a.id.clone()).collect();
            let returned = !returned_ids.is_empty();
            AgencyProgress {
                id: agency.id.clone(),
                name: agency.name.clone(),
                actions_led: led.iter().map(|a| a.id.clone()).collect(),
                actions_returned: returned_ids,
                actions_missing: missing_ids,
                returned,
                files: if returned { vec![format!("returns/{}.xlsx", agency.id)] } else { vec![] },
                last_return: if returned { None } else { Some(period.previous()) },
            }
        })
        .collect();
    for agency in agencies.iter().filter(|a| !a.returned) {
        exceptions.push(Exception {
            kind: ExceptionKind::MissingReturn,
            action_id: None,
            subject: agency.name.clone(),
            group_name: None,
            leads: vec![agency.name.clone()],
            reason: format!("No return received from {} for {} actions", agency.name, agency.actions_missing.len()),
            words: vec![],
            sources: vec![],
        });
    }
    exceptions.sort_by_key(|e| e.kind);
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
        exceptions,
        diagnostic_counts: DiagnosticCounts {
            errors: 1,
            warnings: 1,
            notes: 0,
            rows_read: 60,
            rows_accepted: 59,
            rows_rejected: 1,
            rows_notes: 0,
            files_unreadable: 0,
        },
        diagnostics,
        glossary: plan.glossary.clone(),
    }
}
