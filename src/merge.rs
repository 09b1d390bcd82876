//! Merge: the plan, the period's returns and the previous period's results
//! turned into one [`Progress`], the model every report renders. Owns every
//! decision and figure the board reads: which return and row counts when an
//! agency sent two, each action's overall status, overdue, slippage,
//! conflicts, not-started-late, trend, stale updates, the summaries per
//! group, per strategic priority and per agency, and the exceptions. Pure: no
//! files, no clock; the same inputs in any order give the same `Progress`.
//! The rules are written out for readers in `docs/rules.md`; each one is
//! tested in `tests/merge.rs`.

pub mod year;

use crate::diagnostics::{Diagnostic, Place, Severity};
use crate::history::{PreviousPeriod, YearSoFar};
use crate::plan::{Action, Departure, Group, Period, Plan};
use crate::progress::{
    ActionHistory, ActionProgress, AgencyProgress, Counts, DiagnosticCounts, Exception, ExceptionCounts, GroupProgress, LeadHistory,
    LeadUpdate, LeadWords, PlanChangeEntry, PlanChangeKind, PriorityProgress, Progress, QuarterSource, QuarterState, Reason, ReturnState,
    Subject, Trend, UpdateState,
};
use crate::returns::{FileOutcome, ReadReport, RejectedRow, Return, ReturnNote, Update};
use crate::status::Status;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::{BTreeMap, BTreeSet};

/// Everything merge reads.
pub struct MergeInput<'a> {
    pub plan: &'a Plan,
    /// The period being reported. Returns for other periods are not merged
    /// into it (a note says so).
    pub period: Period,
    /// What the reader found: returns of any period, the file accounts and
    /// the reader's diagnostics (carried into `Progress` so it is complete).
    pub read: &'a ReadReport,
    /// The previous period's results, for trend and stale updates.
    pub previous: Option<&'a PreviousPeriod>,
    /// The date the reports say they were produced.
    pub produced: NaiveDate,
    /// The date returns were due (what the forms told the agencies).
    pub deadline: NaiveDate,
    /// Other problems found before merging (reading history), carried into
    /// `Progress`.
    pub extra_diagnostics: &'a [Diagnostic],
}

impl<'a> MergeInput<'a> {
    /// The period's returns alone: no history and no earlier problems,
    /// produced and due at the period's end (for tools and tests).
    pub fn new(plan: &'a Plan, period: Period, read: &'a ReadReport) -> MergeInput<'a> {
        MergeInput { plan, period, read, previous: None, produced: period.end(), deadline: period.end(), extra_diagnostics: &[] }
    }
}

/// Merges the period's returns with the plan. See `docs/rules.md`. The
/// year's history holds only the previous quarter (earlier quarters have no
/// data); [`merge_with_year`] takes the whole year so far.
pub fn merge(input: &MergeInput) -> Progress {
    merge_with_year(input, &YearSoFar::from_previous(input.period, input.previous))
}

/// Merges the period's returns with the plan and the earlier quarters of
/// its financial year (Q1 up to the one before it; see
/// [`crate::history::find_year`]), which give each action's history and the
/// persistent exceptions. See `docs/rules.md`.
pub fn merge_with_year(input: &MergeInput, year: &YearSoFar) -> Progress {
    let plan = input.plan;
    let period = input.period;
    let mut diagnostics: Vec<Diagnostic> = input.read.diagnostics.iter().cloned().collect();
    diagnostics.extend(input.extra_diagnostics.iter().cloned());

    note_other_periods(input, year, &mut diagnostics);
    let chosen = choose_updates(plan, period, &input.read.returns, &mut diagnostics);

    let mut groups = Vec::new();
    for group in &plan.groups {
        // Only the actions in the plan this quarter: one added later or
        // already withdrawn is never counted, nor shown as "no return".
        let actions: Vec<ActionProgress> = group
            .actions
            .iter()
            .filter(|action| action.is_in_plan(period))
            .map(|action| merge_action(input, group, action, &chosen, year, &mut diagnostics))
            .collect();
        let counts = Counts::over(actions.iter());
        groups.push(GroupProgress {
            id: group.id.clone(),
            name: group.name.clone(),
            tags: group.tags.iter().map(|t| plan.tag(t).map_or_else(|| t.clone(), |tag| tag.name.clone())).collect(),
            priority_ids: plan.priorities_of_group(group).iter().map(|p| p.id.clone()).collect(),
            actions,
            counts,
        });
    }

    let priorities = plan
        .priorities
        .iter()
        .map(|p| {
            let member_groups: Vec<&GroupProgress> =
                plan.groups_for_priority(&p.id).iter().filter_map(|g| groups.iter().find(|gp| gp.id == g.id)).collect();
            PriorityProgress {
                id: p.id.clone(),
                name: p.name.clone(),
                evidence: p.evidence.clone(),
                aims: p.aims.clone(),
                current_work: p.current_work.clone(),
                planned_activity: p.planned_activity.clone(),
                group_ids: member_groups.iter().map(|g| g.id.clone()).collect(),
                action_ids: member_groups.iter().flat_map(|g| g.actions.iter().map(|a| a.id.clone())).collect(),
                counts: Counts::over(member_groups.iter().flat_map(|g| g.actions.iter())),
            }
        })
        .collect();

    let totals = Counts::over(groups.iter().flat_map(|g| g.actions.iter()));
    let agencies = agency_progress(plan, period, &groups, &chosen, input);
    let exceptions = exceptions(period, input.previous.map(|p| p.period), &groups, &agencies);
    let exception_counts = ExceptionCounts::over(&exceptions);

    sort_diagnostics(&mut diagnostics);
    // The row account covers the files of this period (and files that could
    // not be tied to any period), not past quarters kept in the folder.
    let other_period_files: BTreeSet<&str> = input.read.returns.iter().filter(|r| r.period != period).map(|r| r.file.as_str()).collect();
    let accounts = || input.read.accounts.iter().filter(|a| !other_period_files.contains(a.file.as_str()));
    let sum = |field: fn(&crate::returns::FileAccount) -> usize| accounts().map(field).sum::<usize>();
    let diagnostic_counts = DiagnosticCounts {
        errors: diagnostics.iter().filter(|d| d.severity == Severity::Error).count(),
        warnings: diagnostics.iter().filter(|d| d.severity == Severity::Warning).count(),
        notes: diagnostics.iter().filter(|d| d.severity == Severity::Note).count(),
        rows_read: sum(|a| a.rows_read),
        rows_accepted: sum(|a| a.rows_accepted),
        rows_rejected: sum(|a| a.rows_rejected),
        rows_notes: sum(|a| a.rows_notes),
        files_unreadable: input.read.accounts.iter().filter(|a| matches!(a.outcome, FileOutcome::Unreadable { .. })).count(),
    };

    Progress {
        partnership: plan.partnership.clone(),
        period,
        previous_period: input.previous.map(|p| p.period),
        history_source: input.previous.map(|p| p.source.clone()),
        produced: input.produced,
        plan_hash: plan.hash.clone(),
        totals,
        groups,
        priorities,
        agencies,
        exceptions,
        exception_counts,
        deadline: input.deadline,
        deadline_passed: input.produced > input.deadline,
        diagnostics,
        diagnostic_counts,
        glossary: plan.glossary.clone(),
        year: year_sources(period, year),
        plan_changes: plan_changes(plan, period),
    }
}

/// The plan's changes taking effect in `period`, in plan order: actions
/// added from it, and actions withdrawn, closed or merged from it.
fn plan_changes(plan: &Plan, period: Period) -> Vec<PlanChangeEntry> {
    let mut out = Vec::new();
    for group in &plan.groups {
        for action in &group.actions {
            let entry = |kind, reason: &str| PlanChangeEntry {
                action_id: action.id.clone(),
                text: action.text.clone(),
                group_name: group.name.clone(),
                kind,
                reason: reason.to_string(),
            };
            if let Some(added) = action.added.as_ref().filter(|c| c.period == period) {
                out.push(entry(PlanChangeKind::Added, &added.reason));
            }
            if let Some(left) = action.withdrawn.as_ref().filter(|w| w.change.period == period) {
                let kind = match &left.how {
                    Departure::Withdrawn => PlanChangeKind::Withdrawn,
                    Departure::Closed => PlanChangeKind::Closed,
                    Departure::MergedInto(id) => PlanChangeKind::MergedInto(id.clone()),
                };
                out.push(entry(kind, &left.change.reason));
            }
        }
    }
    out
}

/// The ID an action had in the previous period's results: its own, or,
/// across a plan-year boundary, the ID it is carried from when that was in
/// the previous period's plan year, so trend and history follow it.
pub fn previous_id(action: &Action, previous: Period) -> &str {
    match &action.carried_from {
        Some(from) if from.plan_year == previous.financial_year() => &from.id,
        _ => &action.id,
    }
}

/// Where each quarter of the year so far came from, Q1 to `period`.
fn year_sources(period: Period, year: &YearSoFar) -> Vec<QuarterSource> {
    (1..=period.quarter)
        .map(|q| {
            let p = Period { fy_start: period.fy_start, quarter: q };
            let source = if p == period { Some("this quarter's returns".to_string()) } else { year.results(p).map(|r| r.source.clone()) };
            QuarterSource { period: p, source }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The year so far
// ---------------------------------------------------------------------------

/// Whether `action` was in the plan in an earlier quarter whose results are
/// `results`: the one place this is decided. Today the plan has no dates
/// for when an action was added or withdrawn, so it answers from the
/// quarter's results: the plan says so (`added`, `withdrawn`, `closed`,
/// `merged_into`: [`Action::is_in_plan`]), or its `progress.csv` does not
/// list it (results merged from returns against today's plan list every
/// action the plan had then). Every output follows from this one answer.
pub fn in_plan_then(action: &Action, results: &PreviousPeriod) -> bool {
    action.is_in_plan(results.period) && results.history.actions.contains_key(previous_id(action, results.period))
}

/// An action's states quarter by quarter, Q1 to `period` (docs/rules.md,
/// "The year so far"): earlier quarters from their results, this quarter
/// from `overall` and `leads`.
fn action_history(action: &Action, period: Period, year: &YearSoFar, overall: Status, leads: &[LeadUpdate]) -> ActionHistory {
    let earlier: Vec<Option<&PreviousPeriod>> =
        (1..period.quarter).map(|q| year.results(Period { fy_start: period.fy_start, quarter: q })).collect();
    let mut overall_states: Vec<QuarterState> = earlier.iter().map(|r| year::quarter_state(action, *r, None)).collect();
    overall_states.push(QuarterState::Status(overall));
    let leads = leads
        .iter()
        .map(|l| {
            let mut states: Vec<QuarterState> = earlier.iter().map(|r| year::quarter_state(action, *r, Some(&l.agency_id))).collect();
            states.push(QuarterState::Status(l.status()));
            LeadHistory { agency_id: l.agency_id.clone(), agency_name: l.agency_name.clone(), states }
        })
        .collect();
    ActionHistory { overall: overall_states, leads }
}

/// The persistent reason (docs/rules.md, "Persistent"): red this quarter
/// and the quarter before, or amber or red this quarter and the two before,
/// within the financial year. `overall` is the action's history, index 0
/// being Q1 of `period`'s year and the last entry `period` itself. A
/// quarter with no data, not in the plan or with no reported status breaks
/// the run: nothing is assumed of it.
pub fn persistent(period: Period, overall: &[QuarterState]) -> Option<Reason> {
    let run = |accept: &dyn Fn(Status) -> bool| overall.iter().rev().take_while(|s| s.status().is_some_and(accept)).count();
    let reds = run(&|s| s == Status::Red);
    let ambers_or_reds = run(&|s| matches!(s, Status::Amber | Status::Red));
    // The longer story when both hold: "amber or red since Q1" says more
    // than "red for 2 quarters" about an action amber before it turned red.
    let quarters = if ambers_or_reds >= 3 {
        ambers_or_reds
    } else if reds >= 2 {
        reds
    } else {
        return None;
    };
    let states = &overall[overall.len() - quarters..];
    let first = states[0].status();
    let status = first.filter(|f| states.iter().all(|s| s.status() == Some(*f)));
    let since = Period { fy_start: period.fy_start, quarter: (overall.len() - quarters + 1) as u8 };
    Some(Reason::Persistent { status, quarters, since })
}

// ---------------------------------------------------------------------------
// Choosing which return and which row count
// ---------------------------------------------------------------------------

/// The updates that count for the period, after duplicates are set aside.
#[derive(Default)]
struct Chosen<'a> {
    /// (agency id, action id) → the update used.
    updates: BTreeMap<(String, String), &'a Update>,
    /// Action id → (agency id, update used), agencies in id order.
    by_action: BTreeMap<String, Vec<(String, &'a Update)>>,
    /// Agency id → every file it sent for the period (used or set aside), sorted.
    files: BTreeMap<String, Vec<String>>,
    /// (agency id, action id) → the row of the used return that was
    /// rejected, where no row on the action was accepted.
    rejected: BTreeMap<(String, String), &'a RejectedRow>,
    /// Agency id → every rejected row of its used return, in sheet order.
    rejected_rows: BTreeMap<String, Vec<&'a RejectedRow>>,
    /// Agency id → the notes below its used return's table.
    notes: BTreeMap<String, &'a [ReturnNote]>,
}

/// How late a return is, for choosing between two from one agency: its
/// submission time from the form's metadata, else the file's modification
/// time; then its place in the folder listing; then its name (so the choice
/// never depends on the order returns are given in).
fn lateness(r: &Return) -> (Option<NaiveDateTime>, usize, &str) {
    let when = r.submitted.or_else(|| r.modified.and_then(|s| chrono::DateTime::from_timestamp(s, 0)).map(|t| t.naive_utc()));
    (when, r.file_order, r.file.as_str())
}

/// Why `later` counts as later than `earlier`, in words for the message.
/// File modification times are compared but never printed, so messages do
/// not change when files are copied.
fn why_later(later: &Return, earlier: &Return) -> String {
    let time = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
    if lateness(later).0 == lateness(earlier).0 {
        return "it comes later in the folder listing".to_string();
    }
    match (later.submitted, earlier.submitted) {
        (Some(l), Some(e)) => format!("submitted {} rather than {}", time(l), time(e)),
        (Some(l), None) if earlier.modified.is_some() => format!("submitted {}, after the other file was last saved", time(l)),
        (Some(l), None) => format!("submitted {}; the other records no time", time(l)),
        (None, Some(e)) => format!("its file was saved after the other's submission time, {}", time(e)),
        (None, None) => "its file was saved more recently".to_string(),
    }
}

/// Picks the return and row that count for each agency and action of the
/// period; reports every update set aside.
fn choose_updates<'a>(plan: &Plan, period: Period, returns: &'a [Return], diagnostics: &mut Vec<Diagnostic>) -> Chosen<'a> {
    let mut chosen = Chosen::default();
    let mut by_agency: BTreeMap<&str, Vec<&Return>> = BTreeMap::new();
    for r in returns.iter().filter(|r| r.period == period) {
        by_agency.entry(r.agency.as_str()).or_default().push(r);
    }
    for (agency_id, mut agency_returns) in by_agency {
        let mut files: Vec<String> = agency_returns.iter().map(|r| r.file.clone()).collect();
        files.sort();
        files.dedup();
        let Some(agency) = plan.agency(agency_id) else {
            for r in &agency_returns {
                diagnostics.push(Diagnostic::error(
                    "agency-unknown",
                    Place::file(&r.file),
                    format!(
                        "the return names the agency {agency_id:?}, which is not in the plan; none of its {} rows is used",
                        r.updates.len()
                    ),
                ));
            }
            continue;
        };
        chosen.files.insert(agency_id.to_string(), files);
        agency_returns.sort_by(|a, b| lateness(a).cmp(&lateness(b)));
        let used = agency_returns.pop().expect("at least one return per agency");
        for earlier in &agency_returns {
            diagnostics.push(superseded_return(agency.name.as_str(), period, used, earlier));
        }

        let mut rows: BTreeMap<&str, Vec<&Update>> = BTreeMap::new();
        for update in &used.updates {
            if update.status == Status::NoReturn {
                diagnostics.push(Diagnostic::error(
                    "unknown-status",
                    update.place.clone(),
                    "\"no return\" is not a status an agency can report; the row is not used",
                ));
            } else if plan.action(&update.action_id).is_none() {
                diagnostics.push(Diagnostic::error(
                    "unknown-action",
                    update.place.clone(),
                    format!("{:?} is not an action in the plan; the row is not used", update.action_id),
                ));
            } else if let Some(why) = not_in_plan(plan, &update.action_id, period) {
                diagnostics.push(
                    Diagnostic::warning(
                        "not-in-plan",
                        update.place.clone(),
                        format!("{} {why} in {period}; the row is not used", update.action_id),
                    )
                    .with_hint("check the action ID; nothing is needed on this action this quarter"),
                );
            } else {
                rows.entry(update.action_id.as_str()).or_default().push(update);
            }
        }
        for (action_id, mut updates) in rows {
            updates.sort_by(|a, b| (a.row_index, &a.place).cmp(&(b.row_index, &b.place)));
            let winner = updates.pop().expect("at least one row per action");
            for loser in updates {
                diagnostics.push(
                    Diagnostic::warning(
                        "duplicate-row",
                        loser.place.clone(),
                        format!(
                            "{action_id} is reported twice in this return: the later row ({}) is used and this row is set aside",
                            winner.place
                        ),
                    )
                    .with_hint("delete the row that is out of date"),
                );
            }
            chosen.updates.insert((agency_id.to_string(), action_id.to_string()), winner);
            chosen.by_action.entry(action_id.to_string()).or_default().push((agency_id.to_string(), winner));
        }
        // A rejected row stands for its action only where no row on it was
        // accepted; the later rejected row when there are several.
        for rejected in &used.rejected {
            if let Some(action_id) = &rejected.action_id {
                let key = (agency_id.to_string(), action_id.clone());
                if !chosen.updates.contains_key(&key) {
                    chosen.rejected.insert(key, rejected);
                }
            }
        }
        chosen.rejected_rows.insert(agency_id.to_string(), used.rejected.iter().collect());
        chosen.notes.insert(agency_id.to_string(), &used.notes);
    }
    chosen
}

/// Why an action of the plan is not reported on in `period`, in words, or
/// `None` when it is.
fn not_in_plan(plan: &Plan, id: &str, period: Period) -> Option<String> {
    match plan.action(id)?.in_plan(period) {
        crate::plan::InPlan::Yes => None,
        crate::plan::InPlan::NotYet(added) => Some(format!("is only in the plan from {}", added.period)),
        crate::plan::InPlan::Left(left) => Some(match &left.how {
            Departure::Withdrawn => format!("was withdrawn from the plan from {}", left.change.period),
            Departure::Closed => format!("was completed and closed from {}", left.change.period),
            Departure::MergedInto(into) => format!("was merged into {into} from {}", left.change.period),
        }),
    }
}

/// The warning for a return set aside because the same agency sent a later one.
fn superseded_return(agency_name: &str, period: Period, used: &Return, earlier: &Return) -> Diagnostic {
    let used_actions: BTreeSet<&str> = used.updates.iter().map(|u| u.action_id.as_str()).collect();
    let mut uncovered: Vec<&str> = earlier
        .updates
        .iter()
        .map(|u| u.action_id.as_str())
        .filter(|id| !used_actions.contains(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    uncovered.sort_by(|a, b| crate::plan::natural_cmp(a, b));
    let mut message = format!(
        "{agency_name} sent two returns for {period}: {} is used ({}) and this one is set aside with its {}",
        used.file,
        why_later(used, earlier),
        crate::vocabulary::counted(earlier.updates.len(), "row", "rows")
    );
    if !uncovered.is_empty() {
        message.push_str(&format!("; it reports on {}, which the used return does not", uncovered.join(", ")));
    }
    Diagnostic::warning("duplicate-return", Place::file(&earlier.file), message)
        .with_hint("keep one return per agency in the returns folder: move the out-of-date one elsewhere")
}

/// Returns of other periods are not part of this report: each is listed
/// under its own file name, with the period it is for and what it was used
/// for. A note when its agency also returned for this period (past quarters
/// kept in the folder); a warning when the agency has nothing for this
/// period, since the wrong period may have been typed. See docs/rules.md.
fn note_other_periods(input: &MergeInput, year: &YearSoFar, diagnostics: &mut Vec<Diagnostic>) {
    let this_period: BTreeSet<&str> = input.read.returns.iter().filter(|r| r.period == input.period).map(|r| r.agency.as_str()).collect();
    let history_from_returns = input.previous.is_some_and(|p| p.from_returns);
    for r in input.read.returns.iter().filter(|r| r.period != input.period) {
        let used_for = if r.period == input.period.previous() && history_from_returns {
            "it is used only as last quarter's results, for trend"
        } else if year.results(r.period).is_some_and(|q| q.from_returns) {
            "it is used only for the year's history"
        } else {
            "it is not used in this report"
        };
        let message = format!("this return is for {}, not {}: {used_for}", r.period, input.period);
        if this_period.contains(r.agency.as_str()) {
            diagnostics.push(Diagnostic::note("other-period", Place::file(&r.file), message));
        } else {
            let agency = agency_name(input.plan, &r.agency);
            diagnostics.push(
                Diagnostic::warning(
                    "other-period",
                    Place::file(&r.file),
                    format!("{message}; {agency} has no return for {}", input.period),
                )
                .with_hint(format!("check the period written in the return; if it is {agency}'s return for {}, correct it", input.period)),
            );
        }
    }
}

// ---------------------------------------------------------------------------
// One action
// ---------------------------------------------------------------------------

fn lead_update(plan: &Plan, agency_id: &str, update: &Update) -> LeadUpdate {
    LeadUpdate {
        agency_id: agency_id.to_string(),
        agency_name: agency_name(plan, agency_id),
        state: UpdateState::Reported(update.status),
        percent_complete: update.percent_complete,
        update: update.update.clone(),
        next_steps: update.next_steps.clone(),
        issues_risks: update.issues_risks.clone(),
        revised_date: update.revised_date,
        notes: update.notes.clone(),
        stale: false,
        source: Some(update.place.clone()),
    }
}

/// A lead with no usable update: `state` says why; `source` is the
/// rejected row, when there is one.
fn without_update(plan: &Plan, agency_id: &str, state: UpdateState, source: Option<Place>) -> LeadUpdate {
    LeadUpdate {
        agency_id: agency_id.to_string(),
        agency_name: agency_name(plan, agency_id),
        state,
        percent_complete: None,
        update: String::new(),
        next_steps: String::new(),
        issues_risks: String::new(),
        revised_date: None,
        notes: Vec::new(),
        stale: false,
        source,
    }
}

fn agency_name(plan: &Plan, agency_id: &str) -> String {
    plan.agency(agency_id).map_or_else(|| agency_id.to_string(), |a| a.name.clone())
}

/// The overall status of an action from its leads' statuses: `complete`
/// only when every reporting lead says complete; otherwise the worst
/// reported (red > amber > green > not started). With no reported status:
/// `rejected` when a lead's row was rejected, else `no_return`.
pub fn overall_status(lead_statuses: impl IntoIterator<Item = Status>) -> Status {
    let statuses: Vec<Status> = lead_statuses.into_iter().collect();
    match statuses.iter().filter(|s| s.is_reported()).max_by_key(|s| s.severity_rank()) {
        Some(worst) => *worst,
        None if statuses.contains(&Status::Rejected) => Status::Rejected,
        None => Status::NoReturn,
    }
}

/// Position on the red/amber/green scale used to spot conflicts: complete
/// and green 0, amber 1, red 2. Not started and no return are not on it.
pub(crate) fn rag_step(status: Status) -> Option<u8> {
    match status {
        Status::Complete | Status::Green => Some(0),
        Status::Amber => Some(1),
        Status::Red => Some(2),
        Status::NotStarted | Status::Rejected | Status::NoReturn => None,
    }
}

/// Leads disagree by more than one step on the red/amber/green scale (one
/// says green or complete, another red).
pub fn is_conflict(lead_statuses: impl IntoIterator<Item = Status>) -> bool {
    let steps: Vec<u8> = lead_statuses.into_iter().filter_map(rag_step).collect();
    match (steps.iter().min(), steps.iter().max()) {
        (Some(lo), Some(hi)) => hi - lo >= 2,
        _ => false,
    }
}

/// Rank for direction of travel, best first: complete, green, not started,
/// amber, red. Not started sits between green and amber: not a problem in
/// itself, but not progress either. Rejected and no return have no rank.
pub(crate) fn trend_rank(status: Status) -> Option<u8> {
    match status {
        Status::Complete => Some(0),
        Status::Green => Some(1),
        Status::NotStarted => Some(2),
        Status::Amber => Some(3),
        Status::Red => Some(4),
        Status::Rejected | Status::NoReturn => None,
    }
}

/// Direction of travel from last period's overall status to this one's.
/// `previous` is `None` when the history does not mention the action.
/// No trend (`None`) when nothing was reported this period.
pub fn trend(previous: Option<Status>, current: Status) -> Option<Trend> {
    let now = trend_rank(current)?;
    let Some(before) = previous.and_then(trend_rank) else { return Some(Trend::New) };
    Some(match now.cmp(&before) {
        std::cmp::Ordering::Less => Trend::Improved,
        std::cmp::Ordering::Equal => Trend::Same,
        std::cmp::Ordering::Greater => Trend::Worse,
    })
}

fn merge_action(
    input: &MergeInput,
    group: &Group,
    action: &Action,
    chosen: &Chosen,
    year: &YearSoFar,
    diagnostics: &mut Vec<Diagnostic>,
) -> ActionProgress {
    let (plan, period, previous) = (input.plan, input.period, input.previous);
    let past = previous.and_then(|p| p.history.actions.get(previous_id(action, p.period)));
    let mut leads: Vec<LeadUpdate> = action
        .leads
        .iter()
        .map(|lead| {
            let key = (lead.clone(), action.id.clone());
            match (chosen.updates.get(&key), chosen.rejected.get(&key)) {
                (Some(update), _) => lead_update(plan, lead, update),
                (None, Some(row)) => {
                    without_update(plan, lead, UpdateState::Rejected(row.rejection.clone()), Some(row.rejection.place.clone()))
                }
                (None, None) if chosen.files.contains_key(lead) => without_update(plan, lead, UpdateState::NotInReturn, None),
                (None, None) => without_update(plan, lead, UpdateState::NoReturn, None),
            }
        })
        .collect();

    // Stale: the same words as last quarter.
    if let (Some(prev), Some(past)) = (previous, past) {
        for lead in leads.iter_mut().filter(|l| !l.update.is_empty()) {
            if past.leads.get(&lead.agency_id).is_some_and(|p| p.update == lead.update) {
                lead.stale = true;
                if let Some(place) = &lead.source {
                    diagnostics.push(
                        Diagnostic::note(
                            "stale-update",
                            place.clone(),
                            format!(
                                "{}'s progress update on {} is word for word the same as last quarter's ({}): no change reported",
                                lead.agency_name, action.id, prev.period
                            ),
                        )
                        .with_hint("ask the lead what has happened since last quarter"),
                    );
                }
            }
        }
    }

    let mut contributions: Vec<(usize, LeadUpdate)> = chosen
        .by_action
        .get(&action.id)
        .into_iter()
        .flatten()
        .filter(|(agency, _)| !action.leads.contains(agency))
        .map(|(agency, update)| {
            let led_by: Vec<String> = action.leads.iter().map(|l| agency_name(plan, l)).collect();
            diagnostics.push(Diagnostic::warning(
                "not-lead",
                update.place.clone(),
                format!(
                    "{} does not lead {} (led by {}): its update is shown as a contribution and does not count towards the action's status",
                    agency_name(plan, agency),
                    action.id,
                    led_by.join(", ")
                ),
            ));
            let order = plan.agencies.iter().position(|a| &a.id == agency).unwrap_or(usize::MAX);
            (order, lead_update(plan, agency, update))
        })
        .collect();
    contributions.sort_by(|a, b| (a.0, &a.1.agency_id).cmp(&(b.0, &b.1.agency_id)));

    let overall = overall_status(leads.iter().map(LeadUpdate::status));
    let conflict = is_conflict(leads.iter().map(LeadUpdate::status));
    let due_date = action.timescale.due_date();
    let latest_revised = leads.iter().filter_map(|l| l.revised_date).max();
    let slipped_to = match (due_date, latest_revised) {
        (Some(due), Some(revised)) if revised > due => Some(revised),
        _ => None,
    };
    // Overdue against the plan's date, or against a lead's own revised date,
    // whichever has passed: a slippage does not hide that the plan's date
    // has gone by. Ongoing actions have no date and are never overdue.
    let passed = |d: NaiveDate| d <= period.end();
    let overdue =
        due_date.is_some_and(|due| passed(due) || leads.iter().filter_map(|l| l.revised_date).any(passed)) && overall != Status::Complete;
    let not_started_late =
        overall == Status::NotStarted && due_date.is_some_and(|due| due <= period.end() || (action.new && due <= period.next().end()));
    let previous_overall = past.map(|p| p.overall);
    let trend = previous.and_then(|_| trend(previous_overall, overall));
    let history = action_history(action, period, year, overall, &leads);

    ActionProgress {
        id: action.id.clone(),
        group_id: group.id.clone(),
        group_name: group.name.clone(),
        text: action.text.clone(),
        timescale: action.timescale.written.clone(),
        due_date,
        new: action.new,
        leads,
        contributions: contributions.into_iter().map(|(_, c)| c).collect(),
        overall,
        overdue,
        slipped_to,
        conflict,
        not_started_late,
        trend,
        previous_overall,
        history,
    }
}

// ---------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------

impl Counts {
    /// Counts over a set of actions: by overall status, overdue, and the
    /// whole-number percentage green or complete (halves round up).
    pub fn over<'a>(actions: impl IntoIterator<Item = &'a ActionProgress>) -> Counts {
        let mut counts = Counts::default();
        for action in actions {
            counts.actions += 1;
            counts.by_status[action.overall.index()] += 1;
            counts.overdue += usize::from(action.overdue);
        }
        counts.on_track_or_complete_percent = percent(counts.of(Status::Green) + counts.of(Status::Complete), counts.actions);
        counts
    }
}

/// `part` of `whole` as a whole-number percentage, halves rounded up; 0 of nothing.
pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        0
    } else {
        ((200 * part as u64 + whole as u64) / (2 * whole as u64)) as u32
    }
}

/// Each lead agency's return state, decided once (docs/rules.md, "Each
/// agency's return").
fn agency_progress(plan: &Plan, period: Period, groups: &[GroupProgress], chosen: &Chosen, input: &MergeInput) -> Vec<AgencyProgress> {
    let by_id: BTreeMap<&str, &ActionProgress> = groups.iter().flat_map(|g| g.actions.iter()).map(|a| (a.id.as_str(), a)).collect();
    // What each agency leads, reported before and returned before, each
    // found in one pass (not one pass over the plan, the history and the
    // returns per agency: a county has a thousand agencies and five
    // thousand actions).
    let mut led: BTreeMap<&str, Vec<&Action>> = BTreeMap::new();
    for action in plan.actions().filter(|a| a.is_in_plan(period)) {
        for lead in &action.leads {
            let actions = led.entry(lead.as_str()).or_default();
            // An agency named twice as a lead of one action leads it once.
            if !actions.last().is_some_and(|last| std::ptr::eq(*last, action)) {
                actions.push(action);
            }
        }
    }
    let reported_before: BTreeSet<&str> = input
        .previous
        .filter(|p| p.period < period)
        .iter()
        .flat_map(|p| p.history.actions.values())
        .flat_map(|a| a.leads.iter().filter(|(_, u)| u.status.is_reported()).map(|(agency, _)| agency.as_str()))
        .collect();
    let mut returned_before: BTreeMap<&str, Period> = BTreeMap::new();
    for r in input.read.returns.iter().filter(|r| r.period < period) {
        let latest = returned_before.entry(r.agency.as_str()).or_insert(r.period);
        *latest = (*latest).max(r.period);
    }
    plan.agencies
        .iter()
        .filter_map(|agency| led.get(agency.id.as_str()).map(|actions| (agency, actions)))
        .map(|(agency, actions)| {
            let actions_led: Vec<String> = actions.iter().map(|a| a.id.clone()).collect();
            let state_of =
                |id: &String| by_id.get(id.as_str()).and_then(|a| a.leads.iter().find(|l| l.agency_id == agency.id)).map(|l| &l.state);
            let actions_returned: Vec<String> =
                actions_led.iter().filter(|id| matches!(state_of(id), Some(UpdateState::Reported(_)))).cloned().collect();
            let actions_missing: Vec<String> = actions_led
                .iter()
                .filter(|id| matches!(state_of(id), Some(UpdateState::NotInReturn | UpdateState::NoReturn) | None))
                .cloned()
                .collect();
            let actions_rejected: Vec<RejectedRow> =
                chosen.rejected_rows.get(&agency.id).map(|rows| rows.iter().map(|row| (*row).clone()).collect()).unwrap_or_default();
            let files = chosen.files.get(&agency.id).cloned().unwrap_or_default();
            let state = if files.is_empty() {
                ReturnState::Missing
            } else if actions_returned.len() == actions_led.len() {
                ReturnState::Complete
            } else {
                ReturnState::Incomplete
            };
            let from_history = input.previous.filter(|_| reported_before.contains(agency.id.as_str())).map(|p| p.period);
            let from_returns = returned_before.get(agency.id.as_str()).copied();
            let last_return = if state.arrived() { Some(period) } else { from_history.max(from_returns) };
            let notes = chosen.notes.get(&agency.id).map(|notes| notes.to_vec()).unwrap_or_default();
            AgencyProgress {
                id: agency.id.clone(),
                name: agency.name.clone(),
                reminder_due: state != ReturnState::Complete || !actions_rejected.is_empty(),
                actions_led,
                actions_returned,
                actions_missing,
                actions_rejected,
                state,
                files,
                last_return,
                notes,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Exceptions
// ---------------------------------------------------------------------------

impl ExceptionCounts {
    /// Counts exceptions: actions and agencies once each, reasons by kind.
    pub fn over(exceptions: &[Exception]) -> ExceptionCounts {
        let mut counts = ExceptionCounts::default();
        for e in exceptions {
            match e.subject {
                Subject::Action { .. } => counts.actions += 1,
                Subject::Agency { .. } => counts.agencies += 1,
            }
            for reason in &e.reasons {
                counts.by_kind[reason.kind() as usize] += 1;
            }
        }
        counts
    }
}

/// The leads of an action that reported a given status.
fn with_status(action: &ActionProgress, status: Status) -> Vec<&LeadUpdate> {
    action.leads.iter().filter(|l| l.status() == status).collect()
}

fn names(leads: &[&LeadUpdate]) -> Vec<String> {
    leads.iter().map(|l| l.agency_name.clone()).collect()
}

/// Every reason one action needs the board's attention, most serious
/// first, with the leads each concerns.
fn action_reasons(period: Period, previous: Option<Period>, a: &ActionProgress) -> Vec<(Reason, Vec<&LeadUpdate>)> {
    let mut out = Vec::new();
    if a.overall == Status::Red {
        let reds = with_status(a, Status::Red);
        out.push((Reason::Red { by: names(&reds) }, reds));
    }
    if a.overdue {
        let concerned: Vec<&LeadUpdate> = a.leads.iter().filter(|l| l.status() != Status::Complete).collect();
        let given_by =
            |date: NaiveDate| a.leads.iter().filter(|l| l.revised_date == Some(date)).map(|l| l.agency_name.clone()).collect::<Vec<_>>();
        let due_passed = a.due_date.is_some_and(|due| due <= period.end());
        let passed_revised = a.leads.iter().filter_map(|l| l.revised_date).filter(|d| *d <= period.end()).max();
        out.push((
            Reason::Overdue {
                due: a.due_date,
                timescale: a.timescale.clone(),
                due_passed,
                passed_revised: passed_revised.filter(|_| !due_passed).map(|d| (d, given_by(d))),
                slipped: a.slipped_to.map(|d| (d, given_by(d))),
                overall: a.overall,
            },
            concerned,
        ));
    }
    if a.conflict {
        let concerned: Vec<&LeadUpdate> = a.leads.iter().filter(|l| rag_step(l.status()).is_some()).collect();
        let said = concerned.iter().map(|l| (l.agency_name.clone(), l.status())).collect();
        out.push((Reason::Conflict { said, overall: a.overall }, concerned));
    }
    if a.not_started_late {
        let due_passed = a.due_date.is_some_and(|d| d <= period.end());
        out.push((
            Reason::NotStartedLate { due: a.due_date, timescale: a.timescale.clone(), due_passed },
            with_status(a, Status::NotStarted),
        ));
    }
    if let Some(reason) = persistent(period, &a.history.overall) {
        let concerned: Vec<&LeadUpdate> = a.leads.iter().filter(|l| matches!(l.status(), Status::Amber | Status::Red)).collect();
        out.push((reason, concerned));
    }
    if a.overall == Status::Amber && a.trend == Some(Trend::Worse) {
        let concerned = with_status(a, Status::Amber);
        out.push((Reason::Worsened { from: a.previous_overall, previous, by: names(&concerned) }, concerned));
    }
    for lead in &a.leads {
        if let UpdateState::Rejected(rejection) = &lead.state {
            out.push((Reason::Rejected { lead: lead.agency_name.clone(), rejection: rejection.clone() }, vec![lead]));
        }
    }
    for lead in a.leads.iter().filter(|l| l.state == UpdateState::NotInReturn) {
        out.push((Reason::NotReported { lead: lead.agency_name.clone() }, vec![lead]));
    }
    out
}

/// One exception per action with every reason it has, then one per agency
/// with no return; ordered by their most serious reason, then plan order.
fn exceptions(period: Period, previous: Option<Period>, groups: &[GroupProgress], agencies: &[AgencyProgress]) -> Vec<Exception> {
    let mut out: Vec<Exception> = Vec::new();
    for a in groups.iter().flat_map(|g| g.actions.iter()) {
        let found = action_reasons(period, previous, a);
        if found.is_empty() {
            continue;
        }
        // The leads concerned by any reason, in the plan's order.
        let concerned: Vec<&LeadUpdate> =
            a.leads.iter().filter(|l| found.iter().any(|(_, leads)| leads.iter().any(|c| c.agency_id == l.agency_id))).collect();
        let words = concerned
            .iter()
            .filter(|l| !l.update.is_empty() || !l.issues_risks.is_empty())
            .map(|l| LeadWords { lead: l.agency_name.clone(), update: l.update.clone(), issues_risks: l.issues_risks.clone() })
            .collect();
        out.push(Exception {
            subject: Subject::Action { id: a.id.clone(), text: a.text.clone(), group_name: a.group_name.clone() },
            reasons: found.into_iter().map(|(reason, _)| reason).collect(),
            leads: names(&concerned),
            words,
            sources: concerned.iter().filter_map(|l| l.source.clone()).collect(),
        });
    }
    for agency in agencies.iter().filter(|ag| ag.state == ReturnState::Missing) {
        out.push(Exception {
            subject: Subject::Agency { id: agency.id.clone(), name: agency.name.clone() },
            reasons: vec![Reason::MissingReturn { agency: agency.name.clone(), actions_led: agency.actions_led.clone() }],
            leads: vec![agency.name.clone()],
            words: Vec::new(),
            sources: Vec::new(),
        });
    }
    // A stable sort: plan order within each kind.
    out.sort_by_key(Exception::kind);
    out
}

// ---------------------------------------------------------------------------
// Ordering diagnostics
// ---------------------------------------------------------------------------

/// Sorts diagnostics for display: by file, sheet, then row and column (so
/// `C9` comes before `C10`), then severity (errors first), code and message.
/// The order never depends on the order files were read in.
pub(crate) fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.place.file, &a.place.sheet, &a.place.cell)
            .cmp(&(&b.place.file, &b.place.sheet, &b.place.cell))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.code.cmp(b.code))
            .then_with(|| a.message.cmp(&b.message))
            .then_with(|| a.cmp(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_halves_up() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 8), 13);
        assert_eq!(percent(27, 27), 100);
    }
}
