//! Merge: the plan, the period's returns and the previous period's results
//! turned into one [`Progress`], the model every report renders. Owns every
//! decision and figure the board reads: which return and row counts when an
//! agency sent two, each action's overall status, overdue, slippage,
//! conflicts, not-started-late, trend, stale updates, the summaries per
//! group, per strategic priority and per agency, and the exceptions. Pure: no
//! files, no clock; the same inputs in any order give the same `Progress`.
//! The rules are written out for readers in `docs/rules.md`; each one is
//! tested in `tests/merge.rs`.

use crate::diagnostics::{Diagnostic, Place, Severity};
use crate::history::PreviousPeriod;
use crate::plan::{Action, Group, Period, Plan};
use crate::progress::{
    ActionProgress, AgencyProgress, Counts, DiagnosticCounts, Exception, ExceptionKind, GroupProgress, LeadUpdate, PriorityProgress,
    Progress, Trend,
};
use crate::returns::{FileOutcome, ReadReport, Return, Update};
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
    /// Other problems found before merging (reading history), carried into
    /// `Progress`.
    pub extra_diagnostics: &'a [Diagnostic],
}

/// Merges the period's returns with the plan. See `docs/rules.md`.
pub fn merge(input: &MergeInput) -> Progress {
    let plan = input.plan;
    let period = input.period;
    let mut diagnostics: Vec<Diagnostic> = input.read.diagnostics.iter().cloned().collect();
    diagnostics.extend(input.extra_diagnostics.iter().cloned());

    note_other_periods(input, &mut diagnostics);
    let chosen = choose_updates(plan, period, &input.read.returns, &mut diagnostics);

    let mut groups = Vec::new();
    for group in &plan.groups {
        let actions: Vec<ActionProgress> = group
            .actions
            .iter()
            .map(|action| merge_action(plan, group, action, period, &chosen, input.previous, &mut diagnostics))
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

    sort_diagnostics(&mut diagnostics);
    // The row account covers the files of this period (and files that could
    // not be tied to any period), not past quarters kept in the folder.
    let other_period_files: BTreeSet<&str> = input.read.returns.iter().filter(|r| r.period != period).map(|r| r.file.as_str()).collect();
    let (rows_read, rows_accepted, rows_rejected, rows_notes) = input
        .read
        .accounts
        .iter()
        .filter(|a| !other_period_files.contains(a.file.as_str()))
        .fold((0, 0, 0, 0), |(r, a, j, n), f| (r + f.rows_read, a + f.rows_accepted, j + f.rows_rejected, n + f.rows_notes));
    let diagnostic_counts = DiagnosticCounts {
        errors: diagnostics.iter().filter(|d| d.severity == Severity::Error).count(),
        warnings: diagnostics.iter().filter(|d| d.severity == Severity::Warning).count(),
        notes: diagnostics.iter().filter(|d| d.severity == Severity::Note).count(),
        rows_read,
        rows_accepted,
        rows_rejected,
        rows_notes,
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
        diagnostics,
        diagnostic_counts,
        glossary: plan.glossary.clone(),
    }
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
    }
    chosen
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
    uncovered.sort_by_key(|id| natural_key(id));
    let mut message = format!(
        "{agency_name} sent two returns for {period}: {} is used ({}) and this one is set aside with its {} row(s)",
        used.file,
        why_later(used, earlier),
        earlier.updates.len()
    );
    if !uncovered.is_empty() {
        message.push_str(&format!("; it reports on {}, which the used return does not", uncovered.join(", ")));
    }
    Diagnostic::warning("duplicate-return", Place::file(&earlier.file), message)
        .with_hint("keep one return per agency in the returns folder: move the out-of-date one elsewhere")
}

/// Returns of other periods are not part of this report. Returns for earlier
/// quarters are normal (past quarters kept in the returns folder): one note
/// per quarter, placed at the folder holding them. A return for a later
/// quarter usually means a mistyped period: a warning for each file.
fn note_other_periods(input: &MergeInput, diagnostics: &mut Vec<Diagnostic>) {
    let mut earlier: BTreeMap<Period, Vec<&str>> = BTreeMap::new();
    for r in input.read.returns.iter().filter(|r| r.period != input.period) {
        if r.period < input.period {
            earlier.entry(r.period).or_default().push(r.file.as_str());
        } else {
            diagnostics.push(
                Diagnostic::warning(
                    "other-period",
                    Place::file(&r.file),
                    format!("this return is for {}, later than the quarter being reported ({}): it is not used", r.period, input.period),
                )
                .with_hint("check the period in the return, or build that quarter with --period"),
            );
        }
    }
    for (period, files) in earlier {
        let use_note = if period == input.period.previous() {
            "; they serve as last quarter's results where there is no history file for it"
        } else {
            ""
        };
        diagnostics.push(Diagnostic::note(
            "other-period",
            Place::file(common_folder(&files)),
            format!("{} return(s) here are for {period}, not {}: they are not part of this report{use_note}", files.len(), input.period),
        ));
    }
}

/// The deepest folder holding every one of these files (`returns/2018-19-Q2`).
fn common_folder(files: &[&str]) -> String {
    let parents: Vec<Vec<&str>> = files
        .iter()
        .map(|f| {
            let mut parts: Vec<&str> = f.split('/').collect();
            parts.pop();
            parts
        })
        .collect();
    let first = parents.first().cloned().unwrap_or_default();
    let shared = (0..first.len()).take_while(|&i| parents.iter().all(|p| p.get(i) == first.get(i))).count();
    let folder = first[..shared].join("/");
    if folder.is_empty() {
        ".".to_string()
    } else {
        folder
    }
}

// ---------------------------------------------------------------------------
// One action
// ---------------------------------------------------------------------------

fn lead_update(plan: &Plan, agency_id: &str, update: &Update) -> LeadUpdate {
    LeadUpdate {
        agency_id: agency_id.to_string(),
        agency_name: agency_name(plan, agency_id),
        status: update.status,
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

fn no_return(plan: &Plan, agency_id: &str) -> LeadUpdate {
    LeadUpdate {
        agency_id: agency_id.to_string(),
        agency_name: agency_name(plan, agency_id),
        status: Status::NoReturn,
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

fn agency_name(plan: &Plan, agency_id: &str) -> String {
    plan.agency(agency_id).map_or_else(|| agency_id.to_string(), |a| a.name.clone())
}

/// The overall status of an action from its leads' statuses: `no_return`
/// when no lead reported; `complete` only when every reporting lead says
/// complete; otherwise the worst reported (red > amber > green > not started).
pub fn overall_status(lead_statuses: impl IntoIterator<Item = Status>) -> Status {
    lead_statuses.into_iter().filter(|s| *s != Status::NoReturn).max_by_key(|s| s.severity_rank()).unwrap_or(Status::NoReturn)
}

/// Position on the red/amber/green scale used to spot conflicts: complete
/// and green 0, amber 1, red 2. Not started and no return are not on it.
pub fn rag_step(status: Status) -> Option<u8> {
    match status {
        Status::Complete | Status::Green => Some(0),
        Status::Amber => Some(1),
        Status::Red => Some(2),
        Status::NotStarted | Status::NoReturn => None,
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
/// itself, but not progress either. No return has no rank.
pub fn trend_rank(status: Status) -> Option<u8> {
    match status {
        Status::Complete => Some(0),
        Status::Green => Some(1),
        Status::NotStarted => Some(2),
        Status::Amber => Some(3),
        Status::Red => Some(4),
        Status::NoReturn => None,
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
    plan: &Plan,
    group: &Group,
    action: &Action,
    period: Period,
    chosen: &Chosen,
    previous: Option<&PreviousPeriod>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ActionProgress {
    let past = previous.and_then(|p| p.history.actions.get(&action.id));
    let mut leads: Vec<LeadUpdate> = action
        .leads
        .iter()
        .map(|lead| match chosen.updates.get(&(lead.clone(), action.id.clone())) {
            Some(update) => lead_update(plan, lead, update),
            None => no_return(plan, lead),
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

    let overall = overall_status(leads.iter().map(|l| l.status));
    let conflict = is_conflict(leads.iter().map(|l| l.status));
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
            match action.overall {
                Status::Complete => counts.complete += 1,
                Status::Green => counts.green += 1,
                Status::Amber => counts.amber += 1,
                Status::Red => counts.red += 1,
                Status::NotStarted => counts.not_started += 1,
                Status::NoReturn => counts.no_return += 1,
            }
            counts.overdue += usize::from(action.overdue);
        }
        counts.on_track_or_complete_percent = percent(counts.green + counts.complete, counts.actions);
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

fn agency_progress(plan: &Plan, period: Period, groups: &[GroupProgress], chosen: &Chosen, input: &MergeInput) -> Vec<AgencyProgress> {
    let by_id: BTreeMap<&str, &ActionProgress> = groups.iter().flat_map(|g| g.actions.iter()).map(|a| (a.id.as_str(), a)).collect();
    plan.lead_agencies()
        .map(|agency| {
            let actions_led: Vec<String> = plan.actions_led_by(&agency.id).map(|a| a.id.clone()).collect();
            let returned_action = |id: &String| {
                by_id.get(id.as_str()).is_some_and(|a| a.leads.iter().any(|l| l.agency_id == agency.id && l.status != Status::NoReturn))
            };
            let (actions_returned, actions_missing): (Vec<String>, Vec<String>) = actions_led.iter().cloned().partition(returned_action);
            let files = chosen.files.get(&agency.id).cloned().unwrap_or_default();
            let from_history = input.previous.filter(|p| p.period < period).and_then(|p| {
                p.history
                    .actions
                    .values()
                    .any(|a| a.leads.get(&agency.id).is_some_and(|u| u.status != Status::NoReturn))
                    .then_some(p.period)
            });
            let from_returns = input.read.returns.iter().filter(|r| r.agency == agency.id && r.period < period).map(|r| r.period).max();
            AgencyProgress {
                id: agency.id.clone(),
                name: agency.name.clone(),
                actions_led,
                actions_returned,
                actions_missing,
                returned: !files.is_empty(),
                files,
                last_return: from_history.max(from_returns),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Exceptions
// ---------------------------------------------------------------------------

/// "A", "A and B", "A, B and C".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// An exception about one action, with the words and places of the leads concerned.
fn action_exception(kind: ExceptionKind, action: &ActionProgress, concerned: &[&LeadUpdate], reason: String) -> Exception {
    let mut words = Vec::new();
    let mut sources = Vec::new();
    for lead in concerned {
        if !lead.update.is_empty() {
            words.push((lead.agency_name.clone(), lead.update.clone()));
        }
        if !lead.issues_risks.is_empty() {
            words.push((lead.agency_name.clone(), format!("Issues / risks: {}", lead.issues_risks)));
        }
        if let Some(place) = &lead.source {
            sources.push(place.clone());
        }
    }
    Exception {
        kind,
        action_id: Some(action.id.clone()),
        subject: action.text.clone(),
        group_name: Some(action.group_name.clone()),
        leads: concerned.iter().map(|l| l.agency_name.clone()).collect(),
        reason,
        words,
        sources,
    }
}

/// The leads of an action that reported a given status.
fn with_status(action: &ActionProgress, status: Status) -> Vec<&LeadUpdate> {
    action.leads.iter().filter(|l| l.status == status).collect()
}

fn exceptions(period: Period, previous: Option<Period>, groups: &[GroupProgress], agencies: &[AgencyProgress]) -> Vec<Exception> {
    let actions: Vec<&ActionProgress> = groups.iter().flat_map(|g| g.actions.iter()).collect();
    let names = |leads: &[&LeadUpdate]| leads.iter().map(|l| l.agency_name.clone()).collect::<Vec<_>>();
    let mut out = Vec::new();

    for a in actions.iter().filter(|a| a.overall == Status::Red) {
        let reds = with_status(a, Status::Red);
        out.push(action_exception(ExceptionKind::Red, a, &reds, format!("Reported red by {}.", and_list(&names(&reds)))));
    }

    for a in actions.iter().filter(|a| a.overdue) {
        let concerned: Vec<&LeadUpdate> = a.leads.iter().filter(|l| l.status != Status::Complete).collect();
        let state = if a.overall == Status::NoReturn {
            "no lead has reported on it".to_string()
        } else {
            format!("it is not complete (overall {})", a.overall.label())
        };
        let given_by = |date: NaiveDate| {
            and_list(&a.leads.iter().filter(|l| l.revised_date == Some(date)).map(|l| l.agency_name.clone()).collect::<Vec<_>>())
        };
        let passed_revised = a.leads.iter().filter_map(|l| l.revised_date).filter(|d| *d <= period.end()).max();
        let mut reason = match (a.due_date, passed_revised) {
            (Some(due), _) if due <= period.end() => format!("Due {} (plan: \"{}\") and {state}.", long_date(due), a.timescale),
            (Some(due), Some(revised)) => format!(
                "The revised date {} given by {} has passed (the plan says {}) and {state}.",
                long_date(revised),
                given_by(revised),
                long_date(due)
            ),
            _ => format!("Overdue and {state}."),
        };
        if let Some(slipped) = a.slipped_to {
            reason.push_str(&format!(" Slipped: {} revised it to {}.", given_by(slipped), long_date(slipped)));
        }
        out.push(action_exception(ExceptionKind::Overdue, a, &concerned, reason));
    }

    for a in actions.iter().filter(|a| a.conflict) {
        let concerned: Vec<&LeadUpdate> = a.leads.iter().filter(|l| rag_step(l.status).is_some()).collect();
        let said: Vec<String> = concerned.iter().map(|l| format!("{} says {}", l.agency_name, l.status.label())).collect();
        out.push(action_exception(
            ExceptionKind::Conflict,
            a,
            &concerned,
            format!("Leads disagree by more than one step: {}. Overall it counts as {}.", said.join(", "), a.overall.label()),
        ));
    }

    for a in actions.iter().filter(|a| a.not_started_late) {
        let concerned = with_status(a, Status::NotStarted);
        let due = a.due_date.map(long_date).unwrap_or_default();
        let reason = if a.due_date.is_some_and(|d| d <= period.end()) {
            format!("Not started although its timescale (\"{}\", {due}) has passed.", a.timescale)
        } else {
            format!("A NEW action due next quarter ({due}) and not started.")
        };
        out.push(action_exception(ExceptionKind::NotStartedLate, a, &concerned, reason));
    }

    for a in actions.iter().filter(|a| a.overall == Status::Amber && a.trend == Some(Trend::Worse)) {
        let concerned = with_status(a, Status::Amber);
        let before = a.previous_overall.map(|s| s.label()).unwrap_or("unknown");
        let last = previous.map(|p| format!(" ({p})")).unwrap_or_default();
        out.push(action_exception(
            ExceptionKind::Worsened,
            a,
            &concerned,
            format!("Worsened from {before} last quarter{last} to Amber, reported by {}.", and_list(&names(&concerned))),
        ));
    }

    for agency in agencies.iter().filter(|ag| !ag.returned) {
        out.push(Exception {
            kind: ExceptionKind::MissingReturn,
            action_id: None,
            subject: agency.name.clone(),
            group_name: None,
            leads: vec![agency.name.clone()],
            reason: format!("No return received from {} for {period}; it leads {}.", agency.name, and_list(&agency.actions_led)),
            words: Vec::new(),
            sources: Vec::new(),
        });
    }
    for a in &actions {
        let missing: Vec<&LeadUpdate> = a
            .leads
            .iter()
            .filter(|l| l.status == Status::NoReturn && agencies.iter().any(|ag| ag.id == l.agency_id && ag.returned))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let files: Vec<String> =
            agencies.iter().filter(|ag| missing.iter().any(|l| l.agency_id == ag.id)).flat_map(|ag| ag.files.iter().cloned()).collect();
        let mut e = action_exception(
            ExceptionKind::MissingReturn,
            a,
            &missing,
            format!("No update on {} from {}, although a return arrived ({}).", a.id, and_list(&names(&missing)), files.join(", ")),
        );
        e.sources = files.iter().map(Place::file).collect();
        out.push(e);
    }
    out
}

// ---------------------------------------------------------------------------
// Ordering diagnostics
// ---------------------------------------------------------------------------

/// Splits text into runs of digits and non-digits so `C10` sorts after `C9`.
fn natural_key(text: &str) -> Vec<(String, u64)> {
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        let digit = c.is_ascii_digit();
        let mut run = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() != digit {
                break;
            }
            run.push(c);
            chars.next();
        }
        if digit {
            parts.push((String::new(), run.parse().unwrap_or(u64::MAX)));
        } else {
            parts.push((run, 0));
        }
    }
    parts
}

/// Where a cell sits, for ordering: (row or line, column) from `C7` or
/// `line 7, column Status`.
fn cell_position(cell: &str) -> (u64, u64, Vec<(String, u64)>) {
    if let Some(rest) = cell.strip_prefix("line ") {
        let line: u64 = rest.split(',').next().and_then(|n| n.trim().parse().ok()).unwrap_or(u64::MAX);
        return (line, 0, natural_key(cell));
    }
    let letters: String = cell.chars().take_while(char::is_ascii_uppercase).collect();
    let digits = &cell[letters.len()..];
    match digits.parse::<u64>() {
        Ok(row) if !letters.is_empty() => {
            let col = letters.bytes().fold(0u64, |n, b| n * 26 + u64::from(b - b'A' + 1));
            (row, col, Vec::new())
        }
        _ => (u64::MAX, 0, natural_key(cell)),
    }
}

/// Sorts diagnostics for display: by file, sheet, then row and column (so
/// `C9` comes before `C10`), then severity (errors first), code and message.
/// The order never depends on the order files were read in.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.place.file.clone(), d.place.sheet.clone(), d.place.cell.as_deref().map(cell_position));
        key(a)
            .cmp(&key(b))
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
    fn cells_sort_by_row_then_column() {
        let mut cells = vec!["C10", "B9", "C9", "AA1", "AB2"];
        cells.sort_by_key(|c| cell_position(c));
        assert_eq!(cells, ["AA1", "AB2", "B9", "C9", "C10"]);
        let mut lines = vec!["line 10, column Status", "line 9", "line 10, column Action ID"];
        lines.sort_by_key(|c| cell_position(c));
        assert_eq!(lines, ["line 9", "line 10, column Action ID", "line 10, column Status"]);
    }

    #[test]
    fn the_common_folder_of_files() {
        assert_eq!(common_folder(&["returns/2018-19-Q2/a.xlsx", "returns/2018-19-Q2/b.csv"]), "returns/2018-19-Q2");
        assert_eq!(common_folder(&["returns/2018-19-Q2/a.xlsx", "returns/old/b.csv"]), "returns");
        assert_eq!(common_folder(&["returns/a.xlsx"]), "returns");
        assert_eq!(common_folder(&["a.xlsx"]), ".");
    }

    #[test]
    fn percentages_round_halves_up() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 8), 13);
        assert_eq!(percent(27, 27), 100);
    }

    #[test]
    fn lists_read_as_english() {
        let s = |v: &[&str]| and_list(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["A"]), "A");
        assert_eq!(s(&["A", "B"]), "A and B");
        assert_eq!(s(&["A", "B", "C"]), "A, B and C");
    }
}
