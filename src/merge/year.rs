//! The year-end review: the plan and the four quarters of a financial year
//! (each quarter's results, from its `progress.csv` or its returns; see
//! [`crate::history::find_results`]) decided into one [`YearReview`], the
//! model the year's outputs render. Owns what the year says of each action:
//! its status quarter by quarter, its final status, when it was delivered,
//! whether and by how many days it slipped, whether it carries forward, its
//! last update; and the year's headline figures and status mix. Pure, like
//! [`super::merge`]; the rules are in `docs/rules.md`, "The year-end review".

use super::in_plan_then;
use crate::diagnostics::Diagnostic;
use crate::history::{PastAction, PreviousPeriod, YearSoFar};
use crate::plan::{Action, FinancialYear, GlossaryEntry, Partnership, Period, Plan};
use crate::progress::{QuarterSource, QuarterState};
use crate::status::Status;
use chrono::NaiveDate;

/// The year, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct YearReview {
    pub partnership: Partnership,
    pub year: FinancialYear,
    /// The four quarters and where each one's results came from (`None`: no data).
    pub quarters: Vec<QuarterSource>,
    pub produced: NaiveDate,
    pub plan_hash: String,
    pub groups: Vec<YearGroup>,
    /// Actions in an earlier quarter's results that are not in the plan at
    /// the year's end.
    pub withdrawn: Vec<WithdrawnAction>,
    /// Headline figures over every action in the plan at the year's end.
    pub totals: YearCounts,
    /// Per quarter, how many actions had each state (indexed as
    /// [`QuarterState::KEY`]).
    pub mix: Vec<[usize; QuarterState::KEY.len()]>,
    /// Problems met finding the quarters (a quarter with no data, a damaged file).
    pub diagnostics: Vec<Diagnostic>,
    pub glossary: Vec<GlossaryEntry>,
}

/// One action group's year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearGroup {
    pub id: String,
    pub name: String,
    pub actions: Vec<YearAction>,
    pub counts: YearCounts,
}

/// What the year says of one action.
#[derive(Debug, Clone, PartialEq)]
pub struct YearAction {
    pub id: String,
    pub group_name: String,
    pub text: String,
    /// As the plan writes it.
    pub timescale: String,
    pub due_date: Option<NaiveDate>,
    /// Its overall state each quarter, Q1 first.
    pub overall: Vec<QuarterState>,
    pub leads: Vec<YearLead>,
    /// Its state in the latest quarter with data, and which quarter that is.
    pub final_state: QuarterState,
    pub final_quarter: Option<Period>,
    /// Delivered: the quarter from which it was reported complete to the end.
    pub completed_in: Option<Period>,
    /// The latest revised date any lead gave in the year.
    pub latest_revised: Option<NaiveDate>,
    /// The date it slipped to (see docs/rules.md), when later than its due date.
    pub slipped_to: Option<NaiveDate>,
    /// Days from the due date to `slipped_to`.
    pub slipped_days: Option<i64>,
    /// In the plan at the year's end and not delivered.
    pub carry_forward: bool,
    /// How many quarters its overall status was Red.
    pub red_quarters: usize,
    /// The leads' latest words: the latest quarter in which any lead wrote
    /// an update, and each such lead's (name, update).
    pub last_update: Option<(Period, Vec<(String, String)>)>,
}

impl YearAction {
    /// Final status Complete.
    pub fn delivered(&self) -> bool {
        self.final_state == QuarterState::Status(Status::Complete)
    }
}

/// One lead of an action over the year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearLead {
    pub agency_id: String,
    pub agency_name: String,
    /// Its state each quarter, Q1 first.
    pub states: Vec<QuarterState>,
    /// Its % complete each quarter, when it gave one.
    pub percents: Vec<Option<u8>>,
}

/// An action that was in the plan earlier in the year and is not at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawnAction {
    pub id: String,
    pub text: String,
    pub group_name: String,
    /// The last quarter it was in the plan, and its status then.
    pub last_quarter: Period,
    pub last_status: Status,
}

/// The year's headline figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearCounts {
    pub actions: usize,
    pub delivered: usize,
    /// Final status Green.
    pub on_track: usize,
    pub slipped: usize,
    /// Final status Not started.
    pub not_started: usize,
    /// Final status Amber or Red.
    pub at_risk: usize,
    /// No usable status at the end (no return, rejected, no data).
    pub unknown: usize,
    pub carried_forward: usize,
    pub withdrawn: usize,
}

impl YearCounts {
    fn over<'a>(actions: impl IntoIterator<Item = &'a YearAction>) -> YearCounts {
        let mut c = YearCounts::default();
        for a in actions {
            c.actions += 1;
            match a.final_state.status() {
                Some(Status::Complete) => c.delivered += 1,
                Some(Status::Green) => c.on_track += 1,
                Some(Status::NotStarted) => c.not_started += 1,
                Some(Status::Amber | Status::Red) => c.at_risk += 1,
                _ => c.unknown += 1,
            }
            c.slipped += usize::from(a.slipped_to.is_some());
            c.carried_forward += usize::from(a.carry_forward);
        }
        c
    }
}

/// An action's (or, with `lead`, one lead's) state in one quarter: no data
/// without results; not in the plan when the results say so (see
/// [`in_plan_then`]); else its status then.
pub(crate) fn quarter_state(action: &Action, results: Option<&PreviousPeriod>, lead: Option<&str>) -> QuarterState {
    let Some(results) = results else { return QuarterState::NoData };
    let Some(past) = results.history.actions.get(&action.id).filter(|_| in_plan_then(action, results)) else {
        return QuarterState::NotInPlan;
    };
    match lead {
        None => QuarterState::Status(past.overall),
        // A lead the results do not list did not lead the action then.
        Some(id) => past.leads.get(id).map_or(QuarterState::NotInPlan, |u| QuarterState::Status(u.status)),
    }
}

/// Decides the year (docs/rules.md, "The year-end review"). `quarters`
/// holds the year's four quarters in order, each with its results when
/// found; `diagnostics` are the problems met finding them.
pub fn review_year(
    plan: &Plan,
    year: FinancialYear,
    quarters: &YearSoFar,
    produced: NaiveDate,
    diagnostics: Vec<Diagnostic>,
) -> YearReview {
    let periods = year.quarters();
    let results: Vec<Option<&PreviousPeriod>> = periods.iter().map(|p| quarters.results(*p)).collect();
    let groups: Vec<YearGroup> = plan
        .groups
        .iter()
        .map(|g| {
            let actions: Vec<YearAction> = g.actions.iter().map(|a| review_action(plan, &g.name, a, &periods, &results)).collect();
            YearGroup { id: g.id.clone(), name: g.name.clone(), counts: YearCounts::over(&actions), actions }
        })
        .collect();
    let withdrawn = withdrawn_actions(plan, &periods, &results);
    let mut totals = YearCounts::over(groups.iter().flat_map(|g| g.actions.iter()));
    totals.withdrawn = withdrawn.len();
    let mix = (0..4)
        .map(|q| {
            let mut counts = [0; QuarterState::KEY.len()];
            for a in groups.iter().flat_map(|g| g.actions.iter()) {
                if let Some(i) = QuarterState::KEY.iter().position(|k| *k == a.overall[q]) {
                    counts[i] += 1;
                }
            }
            counts
        })
        .collect();
    YearReview {
        partnership: plan.partnership.clone(),
        year,
        quarters: periods.iter().zip(&results).map(|(p, r)| QuarterSource { period: *p, source: r.map(|r| r.source.clone()) }).collect(),
        produced,
        plan_hash: plan.hash.clone(),
        groups,
        withdrawn,
        totals,
        mix,
        diagnostics,
        glossary: plan.glossary.clone(),
    }
}

fn review_action(plan: &Plan, group_name: &str, action: &Action, periods: &[Period; 4], results: &[Option<&PreviousPeriod>]) -> YearAction {
    let overall: Vec<QuarterState> = results.iter().map(|r| quarter_state(action, *r, None)).collect();
    let past: Vec<Option<&PastAction>> = results
        .iter()
        .zip(&overall)
        .map(|(r, s)| r.and_then(|r| r.history.actions.get(&action.id)).filter(|_| s.status().is_some()))
        .collect();
    let leads = action
        .leads
        .iter()
        .map(|lead| YearLead {
            agency_id: lead.clone(),
            agency_name: plan.agency(lead).map_or_else(|| lead.clone(), |a| a.name.clone()),
            states: results.iter().map(|r| quarter_state(action, *r, Some(lead))).collect(),
            percents: past.iter().map(|p| p.and_then(|p| p.leads.get(lead)).and_then(|u| u.percent_complete)).collect(),
        })
        .collect();
    // The latest quarter with data, and the action's state then.
    let last = overall.iter().rposition(|s| *s != QuarterState::NoData);
    let final_state = last.map_or(QuarterState::NoData, |i| overall[i]);
    let final_quarter = last.map(|i| periods[i]);
    let completed_in = last.filter(|_| final_state == QuarterState::Status(Status::Complete)).map(|last| {
        let first = (0..=last).rev().take_while(|i| overall[*i] == QuarterState::Status(Status::Complete)).last().unwrap_or(last);
        periods[first]
    });
    let latest_revised = past.iter().flatten().flat_map(|p| p.leads.values()).filter_map(|u| u.revised_date).max();
    let due_date = action.timescale.due_date();
    // Delivered: measured to the end of the quarter it was first reported
    // complete in (returns give the quarter, not the day). Not delivered:
    // to the latest revised date, or to the end of the last quarter with
    // data when its date has passed, whichever is later.
    let reached = match (completed_in, final_quarter) {
        (Some(q), _) => Some(q.end()),
        (None, Some(q)) => {
            let passed = due_date.filter(|d| *d <= q.end()).map(|_| q.end());
            latest_revised.max(passed)
        }
        (None, None) => latest_revised,
    };
    let slipped_to = match (due_date, reached) {
        (Some(due), Some(r)) if r > due => Some(r),
        _ => None,
    };
    let slipped_days = slipped_to.zip(due_date).map(|(to, due)| (to - due).num_days());
    let in_plan_at_end = final_state != QuarterState::NotInPlan;
    let last_update = past.iter().enumerate().rev().find_map(|(i, p)| {
        let words: Vec<(String, String)> = action
            .leads
            .iter()
            .filter_map(|lead| {
                let u = p.and_then(|p| p.leads.get(lead)).filter(|u| !u.update.trim().is_empty())?;
                Some((plan.agency(lead).map_or_else(|| lead.clone(), |a| a.name.clone()), u.update.clone()))
            })
            .collect();
        (!words.is_empty()).then(|| (periods[i], words))
    });
    YearAction {
        id: action.id.clone(),
        group_name: group_name.to_string(),
        text: action.text.clone(),
        timescale: action.timescale.written.clone(),
        due_date,
        leads,
        final_state,
        final_quarter,
        completed_in,
        latest_revised,
        slipped_to,
        slipped_days,
        carry_forward: in_plan_at_end && final_state != QuarterState::Status(Status::Complete),
        red_quarters: overall.iter().filter(|s| **s == QuarterState::Status(Status::Red)).count(),
        last_update,
        overall,
    }
}

/// Actions some quarter's results list that the plan no longer holds.
fn withdrawn_actions(plan: &Plan, periods: &[Period; 4], results: &[Option<&PreviousPeriod>]) -> Vec<WithdrawnAction> {
    let mut out: Vec<WithdrawnAction> = Vec::new();
    for (period, r) in periods.iter().zip(results) {
        let Some(r) = r else { continue };
        for (id, past) in r.history.actions.iter().filter(|(id, _)| plan.action(id).is_none()) {
            let entry = WithdrawnAction {
                id: id.clone(),
                text: past.text.clone(),
                group_name: past.group.clone(),
                last_quarter: *period,
                last_status: past.overall,
            };
            match out.iter_mut().find(|w| &w.id == id) {
                Some(w) => *w = entry,
                None => out.push(entry),
            }
        }
    }
    out
}
