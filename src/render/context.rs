//! The data templates see: [`Progress`] shaped into JSON for Handlebars. Merge
//! has decided every figure already; this module only names and arranges
//! them (statuses as token, words and colour; dates as ISO, written in UK form
//! by the `uk_date` helper; anchors for links), so that every template reads
//! the same fields. The fields are listed in `templates/README.md`.
//!
//! Words for states come from [`crate::vocabulary`] (every status, trend
//! and return state carries its `label`); sentences that carry data and
//! appear in several outputs (the exception reasons) come ready-made from
//! [`Sentences`].
//!
//! Two contexts: [`report`] for the board report, the commissioner summary
//! and the HTML (with `group` and `priority` added by [`for_group`] and
//! [`for_priority`] for their sections), and [`reminder`] for one agency's
//! reminder email.

use super::sentences::Sentences;
use crate::forms::FormSettings;
use crate::plan::Period;
use crate::progress::{
    ActionProgress, AgencyProgress, Counts, Exception, ExceptionCounts, ExceptionKind, GroupProgress, LeadDetail, LeadUpdate,
    PriorityProgress, Progress, Reason, Rejection, Subject, Trend, UpdateState,
};
use crate::status::Status;
use crate::templates::Items;
use chrono::NaiveDate;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Object `v` with each of `fields` put in, moved. `json!` copies every
/// value it is given (it serializes it), so the objects and lists made
/// here for an object go in after it: copying them was a twentieth of the
/// instructions of a county's build.
fn with(mut v: Value, fields: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    if let Value::Object(map) = &mut v {
        for (key, value) in fields {
            map.insert(key.to_string(), value);
        }
    }
    v
}

/// How much of each priority a report context carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Each priority with the list of its actions (ids, anchors and groups):
    /// the HTML report's template may link them.
    Full,
    /// The counts without the action lists: the PDFs' passages, which speak
    /// of the quarter while the PDFs lay out each action themselves.
    Prose,
}

/// The context of the HTML report's template: the whole quarter. The
/// groups' actions in full are not in it: the template walks them with
/// `{{#each_action id}}`, each made when reached ([`GroupActions`]).
pub fn report(progress: &Progress, sentences: &Sentences) -> Value {
    report_in(progress, sentences, Scope::Full)
}

/// The context of the PDFs' passages (cover, introduction, summaries, group
/// and priority introductions): the quarter without the action lists of
/// `groups` and `priorities`.
pub fn prose(progress: &Progress, sentences: &Sentences) -> Value {
    report_in(progress, sentences, Scope::Prose)
}

fn report_in(progress: &Progress, sentences: &Sentences, scope: Scope) -> Value {
    let index = ActionIndex::new(progress);
    let agencies: Vec<Value> = progress.agencies.iter().map(|a| agency(a, &index)).collect();
    let pick = |keep: fn(&AgencyProgress) -> bool| -> Vec<Value> {
        progress.agencies.iter().zip(&agencies).filter(|(a, _)| keep(a)).map(|(_, v)| v.clone()).collect()
    };
    let scalars = json!({
        "history_source": progress.history_source,
        "produced": iso(progress.produced),
        "plan_hash": progress.plan_hash,
        "lead_details": LeadDetail::ALL.iter().map(|d| json!({"token": d.token(), "label": d.label()})).collect::<Vec<_>>(),
        // The columns a lead's row spans after its % complete: the update and the details.
        "lead_detail_span": 1 + LeadDetail::ALL.len(),
        "exceptions_summary": sentences.exceptions_count,
        "deadline": iso(progress.deadline),
        "deadline_passed": progress.deadline_passed,
        "diagnostic_counts": {
            "errors": progress.diagnostic_counts.errors,
            "warnings": progress.diagnostic_counts.warnings,
            "notes": progress.diagnostic_counts.notes,
            "total": progress.diagnostics.len(),
            "rows_read": progress.diagnostic_counts.rows_read,
            "rows_accepted": progress.diagnostic_counts.rows_accepted,
            "rows_rejected": progress.diagnostic_counts.rows_rejected,
            "rows_notes": progress.diagnostic_counts.rows_notes,
            "files_unreadable": progress.diagnostic_counts.files_unreadable,
        },
        "glossary": used_glossary(progress).iter().map(|g| json!({"term": g.term, "meaning": g.meaning})).collect::<Vec<_>>(),
    });
    let list = |values: Vec<Value>| Value::Array(values);
    with(
        scalars,
        [
            ("partnership", partnership(progress)),
            ("period", period(progress.period)),
            ("previous_period", progress.previous_period.map(period).unwrap_or(Value::Null)),
            ("words", crate::vocabulary::words()),
            ("statuses", list(Status::ALL.iter().map(|s| status(*s)).collect())),
            ("totals", counts(&progress.totals)),
            ("groups", list(progress.groups.iter().map(|g| group(g, progress)).collect())),
            (
                "priorities",
                list(
                    progress
                        .priorities
                        .iter()
                        .map(|p| {
                            let mut v = priority(p, progress);
                            if scope == Scope::Full {
                                v["actions"] = priority_actions(p, &index);
                            }
                            v
                        })
                        .collect(),
                ),
            ),
            (
                "exceptions",
                list(progress.exceptions.iter().zip(&sentences.reasons).map(|(e, texts)| exception(e, texts, progress.period)).collect()),
            ),
            ("exception_counts", exception_counts(&progress.exception_counts)),
            ("plan_changes", list(progress.plan_changes.iter().map(plan_change).collect())),
            ("agencies_returned", list(pick(|a| a.state.arrived()))),
            ("agencies_not_returned", list(pick(|a| !a.state.arrived()))),
            ("agencies_reminded", list(pick(|a| a.reminder_due))),
            ("agencies", list(agencies)),
        ],
    )
}

/// The plan's glossary entries the report's text uses (the plan's, the
/// groups', the agencies' and the leads' words), in the glossary's order:
/// a reader looks up the terms they meet, not every term the plan defines.
fn used_glossary(progress: &Progress) -> Vec<&crate::plan::GlossaryEntry> {
    let mut texts: Vec<&str> = vec![&progress.partnership.name, &progress.partnership.introduction];
    for pr in &progress.priorities {
        texts.push(&pr.name);
        texts.extend(pr.evidence.iter().chain(&pr.aims).map(String::as_str));
    }
    for g in &progress.groups {
        texts.push(&g.name);
        for a in &g.actions {
            texts.push(&a.text);
            for l in a.leads.iter().chain(&a.contributions) {
                texts.extend([l.agency_name.as_str(), &l.update, &l.next_steps, &l.issues_risks]);
                texts.extend(l.notes.iter().map(|(_, v)| v.as_str()));
            }
        }
    }
    for agency in &progress.agencies {
        texts.push(&agency.name);
        texts.extend(agency.notes.iter().map(|n| n.text.as_str()));
    }
    progress.glossary.iter().filter(|g| texts.iter().any(|t| crate::render::pdf::terms::occurs(t, &g.term))).collect()
}

/// The passages' context with `group` set to one group's entry (for
/// `group-introduction.md`); `None` if the group is not in the progress.
pub fn for_group(progress: &Progress, sentences: &Sentences, group_id: &str) -> Option<Value> {
    let mut context = prose(progress, sentences);
    context["group"] = group_entry(progress, group_id)?;
    Some(context)
}

/// The passages' context with `priority` set to one strategic priority's entry.
pub fn for_priority(progress: &Progress, sentences: &Sentences, priority_id: &str) -> Option<Value> {
    let mut context = prose(progress, sentences);
    context["priority"] = priority_entry(progress, priority_id)?;
    Some(context)
}

/// One group's entry, as in the passages' `groups`: what [`for_group`]
/// sets as `group`, for a caller that keeps one context and swaps it.
pub fn group_entry(progress: &Progress, group_id: &str) -> Option<Value> {
    progress.groups.iter().find(|g| g.id == group_id).map(|g| group(g, progress))
}

/// One strategic priority's entry, as in the passages' `priorities`.
pub(crate) fn priority_entry(progress: &Progress, priority_id: &str) -> Option<Value> {
    progress.priorities.iter().find(|p| p.id == priority_id).map(|p| priority(p, progress))
}

/// The context of one agency's reminder email: the partnership, the period,
/// `agency` with the actions it has not reported on and the rows that were
/// rejected, and `returns`: the deadline the forms gave, whether it has
/// passed (both decided in merge), and whom to ask.
pub fn reminder(progress: &Progress, agency_progress: &AgencyProgress, forms: &FormSettings) -> Value {
    json!({
        "partnership": partnership(progress),
        "period": period(progress.period),
        "produced": iso(progress.produced),
        "returns": {
            "deadline": iso(progress.deadline),
            "deadline_passed": progress.deadline_passed,
            "contact": forms.contact,
        },
        "agency": agency(agency_progress, &ActionIndex::new(progress)),
    })
}

/// Every action by id: agencies and priorities name their actions by id, and
/// a county-scale plan has thousands.
struct ActionIndex<'a>(HashMap<&'a str, &'a ActionProgress>);

impl<'a> ActionIndex<'a> {
    fn new(progress: &'a Progress) -> Self {
        // The first of a repeated id wins, as a search in plan order would.
        let mut index = HashMap::new();
        for action in progress.groups.iter().flat_map(|g| g.actions.iter()) {
            index.entry(action.id.as_str()).or_insert(action);
        }
        ActionIndex(index)
    }

    fn get(&self, id: &str) -> Option<&'a ActionProgress> {
        self.0.get(id).copied()
    }
}

/// A fragment id for links: lower-case letters, digits, and the `.`, `-`
/// and `/` action IDs may hold (kept, so `CS2-1` and `CS2.1` link to
/// different places); spaces dropped, as IDs are compared without them.
pub fn anchor(prefix: &str, id: &str) -> String {
    let cleaned: String = id
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/') { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("{prefix}-{cleaned}")
}

/// One change to the plan: the action, what happened in words (from the
/// vocabulary), and the reason.
fn plan_change(change: &crate::progress::PlanChangeEntry) -> Value {
    json!({
        "id": change.action_id,
        "anchor": anchor("action", &change.action_id),
        "text": change.text,
        "group_name": change.group_name,
        "what": crate::vocabulary::plan_change_words(&change.kind),
        "added": change.kind == crate::progress::PlanChangeKind::Added,
        "reason": change.reason,
    })
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn partnership(progress: &Progress) -> Value {
    let p = &progress.partnership;
    json!({
        "name": p.name,
        "short_name": p.short_name,
        "plan_title": p.plan_title,
        "plan_year": p.plan_year,
        "source": p.source,
        "introduction": p.introduction,
    })
}

fn period(p: Period) -> Value {
    json!({
        "name": p.to_string(),
        "long_name": p.long_name(),
        "slug": p.slug(),
        "quarter": p.quarter,
        "financial_year": p.financial_year(),
        "start": iso(p.start()),
        "end": iso(p.end()),
    })
}

/// A status as token (for CSS classes), words, meaning and colour.
fn status(s: Status) -> Value {
    json!({
        "token": s.token(),
        "label": s.label(),
        "meaning": s.meaning(),
        "colour": format!("#{}", s.colour()),
    })
}

fn trend(t: Trend) -> Value {
    json!({"token": t.token(), "label": t.label(), "arrow": t.arrow()})
}

fn counts(c: &Counts) -> Value {
    let v = json!({
        "actions": c.actions,
        "overdue": c.overdue,
        "on_track_or_complete_percent": c.on_track_or_complete_percent,
    });
    // Every status in display order with its count, for keys and charts;
    // `nonzero` leaves out the statuses no action has.
    let mut v = with(
        v,
        [
            ("by_status", Value::Array(Status::ALL.iter().map(|s| status_count(*s, c)).collect())),
            ("nonzero", Value::Array(Status::ALL.iter().filter(|s| c.of(**s) > 0).map(|s| status_count(*s, c)).collect())),
        ],
    );
    // And each status's count by its token (`totals.red`).
    for s in Status::ALL {
        v[s.token()] = json!(c.of(s));
    }
    v
}

/// The exceptions counted: `actions`, `agencies`, and `kinds`, each kind
/// that occurs with its `token`, `label`, `counted` phrase and `count`.
pub(crate) fn exception_counts(c: &ExceptionCounts) -> Value {
    let v = json!({
        "actions": c.actions,
        "agencies": c.agencies,
        "reasons": c.by_kind.iter().sum::<usize>(),
    });
    let kinds = ExceptionKind::ALL
        .iter()
        .filter(|k| c.of(**k) > 0)
        .map(|k| json!({"token": k.token(), "label": k.label(), "counted": k.counted(c.of(*k)), "count": c.of(*k)}));
    with(v, [("kinds", Value::Array(kinds.collect()))])
}

fn status_count(s: Status, c: &Counts) -> Value {
    let mut v = status(s);
    v["count"] = json!(c.of(s));
    v
}

/// A group as the passages see it: its plan, counts and priorities; the HTML
/// report's context adds its `actions`.
fn group(g: &GroupProgress, progress: &Progress) -> Value {
    let v = json!({
        "id": g.id,
        "anchor": anchor("group", &g.id),
        "name": g.name,
        "tags": g.tags,
        // So a table that marks actions NEW can say what the mark means.
        "new_actions": g.actions.iter().filter(|a| a.new).count(),
    });
    let priorities = g.priority_ids.iter().filter_map(|id| progress.priorities.iter().find(|p| &p.id == id)).map(priority_plan);
    with(v, [("priorities", Value::Array(priorities.collect())), ("counts", counts(&g.counts))])
}

/// What the plan says about a strategic priority.
fn priority_plan(p: &PriorityProgress) -> Value {
    json!({
        "id": p.id,
        "anchor": anchor("priority", &p.id),
        "name": p.name,
        "evidence": p.evidence,
        "aims": p.aims,
        "current_work": p.current_work,
        "planned_activity": p.planned_activity,
    })
}

/// A strategic priority as the passages see it: its plan, counts and
/// groups; the HTML report's context adds its `actions`.
fn priority(p: &PriorityProgress, progress: &Progress) -> Value {
    let mut v = priority_plan(p);
    v["counts"] = counts(&p.counts);
    v["groups"] = Value::Array(
        p.group_ids
            .iter()
            .filter_map(|id| progress.groups.iter().find(|g| &g.id == id))
            .map(|g| json!({"id": g.id, "name": g.name, "anchor": anchor("group", &g.id)}))
            .collect(),
    );
    v["group_names"] = json!(p
        .group_ids
        .iter()
        .filter_map(|id| progress.groups.iter().find(|g| &g.id == id))
        .map(|g| g.name.as_str())
        .collect::<Vec<_>>());
    v
}

/// The actions serving a priority, by id, anchor and group: each action is
/// in full once, under its group (the whole action again doubled a county's
/// context).
fn priority_actions(p: &PriorityProgress, index: &ActionIndex) -> Value {
    Value::Array(
        p.action_ids
            .iter()
            .filter_map(|id| index.get(id))
            .map(|a| json!({"id": a.id, "anchor": anchor("action", &a.id), "group_id": a.group_id, "group_name": a.group_name}))
            .collect(),
    )
}

/// The groups' actions in full, for the HTML report's `{{#each_action id}}`
/// block: each action's data is made when the block reaches it and dropped
/// once rendered, as a county's actions held all at once took 160 MB
/// (BENCHMARKS.md).
pub struct GroupActions<'a> {
    pub progress: &'a Progress,
    pub sentences: &'a Sentences,
}

impl GroupActions<'_> {
    fn actions(&self, group_id: &str) -> Option<&[ActionProgress]> {
        self.progress.groups.iter().find(|g| g.id == group_id).map(|g| g.actions.as_slice())
    }
}

impl Items for GroupActions<'_> {
    fn helper(&self) -> &'static str {
        "each_action"
    }

    fn count(&self, group_id: &str) -> Option<usize> {
        self.actions(group_id).map(<[_]>::len)
    }

    fn item(&self, group_id: &str, index: usize) -> Value {
        self.actions(group_id).and_then(|actions| actions.get(index)).map_or(Value::Null, |a| action(a, self.sentences))
    }
}

fn action(a: &ActionProgress, sentences: &Sentences) -> Value {
    let lead = |l: &LeadUpdate| lead(l, sentences.lead_state(&a.id, &l.agency_name));
    let v = json!({
        "id": a.id,
        "anchor": anchor("action", &a.id),
        "group_id": a.group_id,
        "group_name": a.group_name,
        "text": a.text,
        "timescale": a.timescale,
        "due_date": a.due_date.map(iso),
        "new": a.new,
        "lead_names": a.leads.iter().map(|l| l.agency_name.as_str()).collect::<Vec<_>>(),
        "overdue": a.overdue,
        "slipped_to": a.slipped_to.map(iso),
        "conflict": a.conflict,
        "not_started_late": a.not_started_late,
        "trend": a.trend.map(trend),
        "trend_words": crate::vocabulary::trend_words(a.trend),
    });
    // The year so far, once there is more than this quarter (the status strip).
    let strip = if a.history.overall.len() > 1 { a.history.overall.as_slice() } else { &[] };
    let history = strip
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"quarter": format!("Q{}", i + 1), "token": s.token(), "label": s.label(), "abbreviation": s.abbreviation()}));
    with(
        v,
        [
            ("leads", Value::Array(a.leads.iter().map(lead).collect())),
            ("contributions", Value::Array(a.contributions.iter().map(lead).collect())),
            ("overall", status(a.overall)),
            ("previous_overall", a.previous_overall.map(status).unwrap_or(Value::Null)),
            ("history", Value::Array(history.collect())),
        ],
    )
}

/// A lead's update; `state_sentence` says why a lead without a usable
/// update has none (the same words as its exception reason).
fn lead(l: &LeadUpdate, state_sentence: Option<&str>) -> Value {
    let v = json!({
        "agency_id": l.agency_id,
        "agency_name": l.agency_name,
        "state": {"token": l.state.token(), "label": l.state.label()},
        "reported": matches!(l.state, UpdateState::Reported(_)),
        "state_sentence": state_sentence,
        "percent_complete": l.percent_complete,
        "update": l.update,
        "next_steps": l.next_steps,
        "issues_risks": l.issues_risks,
        "revised_date": l.revised_date.map(iso),
        "stale": l.stale,
        "source": l.source.as_ref().map(|p| p.to_string()),
    });
    let rejected = match &l.state {
        UpdateState::Rejected(r) => rejection(r),
        _ => Value::Null,
    };
    let details = LeadDetail::ALL.iter().map(|d| json!({"token": d.token(), "label": d.label(), "text": d.value(l).map(|v| v.words())}));
    let notes = l.notes.iter().map(|(header, value)| json!({"header": header, "value": value}));
    with(
        v,
        [
            ("status", status(l.status())),
            ("rejection", rejected),
            ("details", Value::Array(details.collect())),
            ("notes", Value::Array(notes.collect())),
        ],
    )
}

/// Why a row was not used, and where: the whole place and its parts.
fn rejection(r: &Rejection) -> Value {
    json!({
        "problem": r.problem,
        "hint": r.hint,
        "place": r.place.to_string(),
        "file": r.place.file,
        "sheet": r.place.sheet,
        "cell": r.place.cell_text(),
    })
}

/// One exception: its subject, its reasons (each with its `sentence`, as
/// every output words it), the leads concerned and their words.
fn exception(e: &Exception, sentences: &[String], period_now: Period) -> Value {
    let (action_id, subject, group_name) = match &e.subject {
        Subject::Action { id, text, group_name } => (Some(id.as_str()), text.as_str(), Some(group_name.as_str())),
        Subject::Agency { name, .. } => (None, name.as_str(), None),
    };
    let v = json!({
        "kind": {"token": e.kind().token(), "label": e.kind().label()},
        "action_id": action_id,
        "action_anchor": action_id.map(|id| anchor("action", id)),
        "subject": subject,
        "group_name": group_name,
        "leads": e.leads,
        "sources": e.sources.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
    });
    let reasons = e.reasons.iter().zip(sentences).map(|(r, sentence)| {
        let mut v = reason(r, period_now);
        v["sentence"] = json!(sentence);
        v
    });
    let words = e.words.iter().map(|w| json!({"lead": w.lead, "update": w.update, "issues_risks": w.issues_risks}));
    with(v, [("reasons", Value::Array(reasons.collect())), ("words", Value::Array(words.collect()))])
}

/// The facts of one reason, for its sentence in `exception-reason.txt.hbs`:
/// `kind` and the fields of that kind (see templates/README.md).
pub fn reason(r: &Reason, period_now: Period) -> Value {
    let dated = |(date, by): &(chrono::NaiveDate, Vec<String>)| json!({"date": iso(*date), "by": by});
    let mut v = match r {
        Reason::Red { by } => json!({ "by": by }),
        Reason::Overdue { due, timescale, due_passed, passed_revised, slipped, overall } => json!({
            "due": due.map(iso), "timescale": timescale, "due_passed": due_passed,
            "passed_revised": passed_revised.as_ref().map(dated), "slipped": slipped.as_ref().map(dated), "overall": status(*overall),
        }),
        Reason::Conflict { said, overall } => json!({
            "said": said.iter().map(|(lead, s)| json!({"lead": lead, "status": status(*s)})).collect::<Vec<_>>(),
            "overall": status(*overall),
        }),
        Reason::NotStartedLate { due, timescale, due_passed } => {
            json!({"due": due.map(iso), "timescale": timescale, "due_passed": due_passed})
        }
        Reason::Persistent { status: same, quarters, since } => {
            json!({"status": same.map(status), "quarters": quarters, "since": period(*since), "since_q1": since.quarter == 1})
        }
        Reason::Worsened { from, previous, by } => json!({"from": from.map(status), "previous": previous.map(period), "by": by}),
        Reason::Rejected { lead, rejection: r } => json!({"lead": lead, "rejection": rejection(r)}),
        Reason::NotReported { lead } => json!({"lead": lead}),
        Reason::MissingReturn { agency, actions_led } => json!({"agency": agency, "actions_led": actions_led}),
    };
    v["kind"] = json!({"token": r.kind().token(), "label": r.kind().label()});
    v["period"] = period(period_now);
    v
}

fn agency(a: &AgencyProgress, index: &ActionIndex) -> Value {
    let brief = |id: &String| match index.get(id) {
        Some(action) => json!({
            "id": action.id,
            "anchor": anchor("action", &action.id),
            "text": action.text,
            "group_name": action.group_name,
            "timescale": action.timescale,
        }),
        None => json!({"id": id, "anchor": anchor("action", id), "text": "", "group_name": "", "timescale": ""}),
    };
    let v = json!({
        "id": a.id,
        "anchor": anchor("agency", &a.id),
        "name": a.name,
        "state": {"token": a.state.token(), "label": a.state.label()},
        "returned": a.state.arrived(),
        "reminder_due": a.reminder_due,
        "notes": a.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        "files": a.files,
        "last_return": a.last_return.map(|p| p.to_string()),
    });
    let briefs = |ids: &[String]| Value::Array(ids.iter().map(brief).collect());
    let rejected = a.actions_rejected.iter().map(|r| {
        let mut v = rejection(&r.rejection);
        v["action_id"] = json!(r.action_id);
        v
    });
    with(
        v,
        [
            ("actions_led", briefs(&a.actions_led)),
            ("actions_returned", briefs(&a.actions_returned)),
            ("actions_missing", briefs(&a.actions_missing)),
            ("rows_rejected", Value::Array(rejected.collect())),
        ],
    )
}
