//! A plan as read, before it is checked: every value that can be wrong
//! carries the [`Place`] it came from (a TOML line, a workbook cell), so the
//! TOML and workbook readers share one set of checks and report every
//! problem at once, each where the coordinator will fix it.

use super::{
    Action, Agency, CarriedFrom, Contact, Departure, GlossaryEntry, Group, Partnership, Period, Plan, PlanChange, StrategicPriority, Tag,
    Timescale, Withdrawal,
};
use crate::diagnostics::{Diagnostic, Diagnostics, Place, Spot};
use std::collections::HashMap;

/// A value and where it was read.
#[derive(Debug, Clone)]
pub struct At<T> {
    pub value: T,
    pub place: Place,
}

impl<T> At<T> {
    pub fn new(value: T, place: Place) -> At<T> {
        At { value, place }
    }
}

/// The whole plan as read.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub partnership: DraftPartnership,
    pub priorities: Vec<DraftPriority>,
    pub tags: Vec<DraftTag>,
    pub groups: Vec<DraftGroup>,
    pub agencies: Vec<DraftAgency>,
    pub glossary: Vec<GlossaryEntry>,
}

#[derive(Debug, Clone, Default)]
pub struct DraftPartnership {
    pub name: String,
    pub short_name: Option<String>,
    pub plan_title: String,
    pub plan_year: String,
    pub source: String,
    pub introduction: String,
}

#[derive(Debug, Clone)]
pub struct DraftPriority {
    pub id: At<String>,
    pub name: String,
    pub evidence: Vec<String>,
    pub aims: Vec<String>,
    pub current_work: Vec<String>,
    pub planned_activity: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DraftTag {
    pub id: At<String>,
    pub name: String,
    pub aliases: Vec<String>,
    pub priority: Option<At<String>>,
}

#[derive(Debug, Clone)]
pub struct DraftGroup {
    pub id: At<String>,
    pub name: String,
    pub tags: Vec<At<String>>,
    pub actions: Vec<DraftAction>,
}

#[derive(Debug, Clone)]
pub struct DraftAction {
    pub id: At<String>,
    pub text: At<String>,
    pub timescale: At<String>,
    /// The leads, and where the list as a whole is (for "no leads").
    pub leads: At<Vec<At<String>>>,
    pub new: bool,
    pub added: Option<At<String>>,
    pub added_reason: String,
    pub withdrawn: Option<At<String>>,
    pub closed: Option<At<String>>,
    pub merged_into: Option<At<String>>,
    /// Why it was withdrawn, closed or merged.
    pub withdrawn_reason: String,
    pub carried_from: Option<At<String>>,
}

#[derive(Debug, Clone)]
pub struct DraftAgency {
    pub id: At<String>,
    pub name: String,
    pub aliases: Vec<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<At<String>>,
}

/// "on line 21" for a TOML place, "at Actions › B5" for a cell.
pub(crate) fn where_is(place: &Place) -> String {
    match (&place.sheet, &place.cell) {
        (_, Some(Spot::Line { line, .. })) => format!("on line {line}"),
        (Some(sheet), Some(cell)) => format!("at {sheet} › {cell}"),
        _ => format!("in {}", place.file),
    }
}

/// Checks a draft into a plan. `problems` may already hold the reader's own
/// (a missing column, a cell of the wrong kind); every problem is returned
/// at once, sorted by place.
pub fn check(draft: Draft, file: &str, mut problems: Diagnostics, hint_declare: &Declare) -> Result<Plan, Vec<Diagnostic>> {
    check_unique("priority", draft.priorities.iter().map(|p| &p.id), &mut problems);
    check_unique("tag", draft.tags.iter().map(|t| &t.id), &mut problems);
    check_unique("group", draft.groups.iter().map(|g| &g.id), &mut problems);
    check_unique("agency", draft.agencies.iter().map(|a| &a.id), &mut problems);
    check_unique_actions(draft.groups.iter().flat_map(|g| g.actions.iter().map(|a| &a.id)), &mut problems);

    for tag in &draft.tags {
        if let Some(priority) = &tag.priority {
            if !draft.priorities.iter().any(|p| p.id.value == priority.value) {
                let known: Vec<&str> = draft.priorities.iter().map(|p| p.id.value.as_str()).collect();
                problems.push(unknown("plan-unknown-priority", "strategic priority", priority, &known));
            }
        }
    }
    for agency in &draft.agencies {
        if let Some(email) = &agency.contact_email {
            if !looks_like_email(&email.value) {
                problems.push(
                    Diagnostic::error(
                        "plan-bad-email",
                        email.place.clone(),
                        format!("agency {}: {:?} is not an email address", agency.id.value, email.value),
                    )
                    .with_hint("write one address, like name@example.org.uk"),
                );
            }
        }
    }

    let agency_names: Vec<(&str, &str)> = draft
        .agencies
        .iter()
        .flat_map(|a| {
            let id = a.id.value.as_str();
            std::iter::once((id, id)).chain(std::iter::once((a.name.as_str(), id))).chain(a.aliases.iter().map(move |al| (al.as_str(), id)))
        })
        .collect();
    let tag_ids: Vec<&str> = draft.tags.iter().map(|t| t.id.value.as_str()).collect();
    let action_ids: Vec<&str> = draft.groups.iter().flat_map(|g| g.actions.iter().map(|a| a.id.value.as_str())).collect();

    let mut groups = Vec::new();
    for draft_group in &draft.groups {
        for tag in &draft_group.tags {
            if !tag_ids.contains(&tag.value.as_str()) {
                let by_name = draft.tags.iter().find(|t| super::name_key(&t.name) == super::name_key(&tag.value));
                let mut d = unknown("plan-unknown-tag", "priority tag", tag, &tag_ids);
                if let Some(t) = by_name {
                    d.hint = Some(format!("the tag named {:?} has the id \"{}\"", t.name, t.id.value));
                } else if d.hint.is_none() {
                    d.hint = Some(format!("declare it in {} first", hint_declare.tag));
                }
                problems.push(d);
            }
        }
        let mut actions = Vec::new();
        for draft_action in &draft_group.actions {
            if let Some(action) = check_action(draft_group, draft_action, &agency_names, &action_ids, hint_declare, &mut problems) {
                actions.push(action);
            }
        }
        groups.push(Group {
            id: draft_group.id.value.clone(),
            name: draft_group.name.clone(),
            tags: draft_group.tags.iter().map(|t| t.value.clone()).collect(),
            actions,
        });
    }
    check_merges(&draft, &groups, &mut problems);

    if groups.iter().all(|g| g.actions.is_empty()) && problems.is_empty() {
        problems.push(Diagnostic::error(
            "plan-no-actions",
            Place::file(file),
            format!("the plan has no actions; add {}", hint_declare.action),
        ));
    }
    if problems.has_errors() {
        let mut problems = problems.into_vec();
        problems.sort_by(|a, b| a.place.cmp(&b.place));
        return Err(problems);
    }

    let p = draft.partnership;
    let partnership = Partnership {
        short_name: p.short_name.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| p.name.clone()),
        name: p.name,
        plan_title: p.plan_title,
        plan_year: p.plan_year,
        source: p.source,
        introduction: p.introduction,
    };
    let mut plan = Plan {
        lookups: Default::default(),
        partnership,
        priorities: draft
            .priorities
            .into_iter()
            .map(|p| StrategicPriority {
                id: p.id.value,
                name: p.name,
                evidence: p.evidence,
                aims: p.aims,
                current_work: p.current_work,
                planned_activity: p.planned_activity,
            })
            .collect(),
        tags: draft
            .tags
            .into_iter()
            .map(|t| Tag { id: t.id.value, name: t.name, aliases: t.aliases, priority: t.priority.map(|p| p.value) })
            .collect(),
        groups,
        agencies: draft
            .agencies
            .into_iter()
            .map(|a| Agency {
                id: a.id.value,
                name: a.name,
                aliases: a.aliases,
                contact: Contact { name: a.contact_name, email: a.contact_email.map(|e| e.value) },
            })
            .collect(),
        glossary: draft.glossary,
        hash: String::new(),
    };
    plan.hash = super::export::content_hash(&plan);
    Ok(plan)
}

/// How each reader tells the coordinator to declare a missing thing.
pub struct Declare {
    pub tag: &'static str,
    pub agency: &'static str,
    pub action: &'static str,
}

/// Checks one action; returns it when it can be used.
fn check_action(
    group: &DraftGroup,
    raw: &DraftAction,
    agency_names: &[(&str, &str)],
    action_ids: &[&str],
    declare: &Declare,
    problems: &mut Diagnostics,
) -> Option<Action> {
    let id = &raw.id.value;
    let before = problems.len();
    if let Some(problem) = super::action_id_problem(id) {
        problems.push(
            Diagnostic::error("plan-bad-action-id", raw.id.place.clone(), format!("action ID {id:?} {problem}"))
                .with_hint("write it with letters, digits, '.', '-' and '/', like \"DA3\", \"1.10\", \"CS2-1\" or \"DA 3\""),
        );
    }
    if raw.text.value.trim().is_empty() {
        problems.push(Diagnostic::error("plan-empty-action", raw.text.place.clone(), format!("action {id} has no text")));
    }
    let timescale = Timescale::parse(&raw.timescale.value);
    if timescale.is_none() {
        problems.push(
            Diagnostic::error(
                "plan-bad-timescale",
                raw.timescale.place.clone(),
                format!("action {id}: cannot read the timescale {:?}", raw.timescale.value),
            )
            .with_hint("write \"Ongoing\", a month and year (\"March 2019\"), a date (\"31/03/2019\") or a quarter (\"2018-19 Q4\")"),
        );
    }
    let mut leads = Vec::new();
    if raw.leads.value.is_empty() {
        problems.push(Diagnostic::error("plan-no-leads", raw.leads.place.clone(), format!("action {id} has no leads")));
    }
    for lead in &raw.leads.value {
        let text = &lead.value;
        if let Some((_, agency_id)) = agency_names.iter().find(|(name, _)| name == text) {
            if leads.iter().any(|l| l == agency_id) {
                problems.push(Diagnostic::error(
                    "plan-duplicate-lead",
                    lead.place.clone(),
                    format!("action {id} names the lead {text:?} twice"),
                ));
            } else {
                leads.push(agency_id.to_string());
            }
        } else {
            // Suggest the agency id, whichever of its names the slip is nearest: ids are what leads are written as.
            let names: Vec<&str> = agency_names.iter().map(|(name, _)| *name).collect();
            let suggestion = closest(text, &names).and_then(|near| agency_names.iter().find(|(name, _)| *name == near)).map(|(_, id)| *id);
            let d =
                Diagnostic::error("plan-unknown-lead", lead.place.clone(), format!("action {id}: the lead {text:?} is not a known agency"));
            problems.push(match suggestion {
                Some(agency_id) => d.with_hint(format!("did you mean {agency_id:?}?")),
                None => d.with_hint(format!("declare it in {} first", declare.agency)),
            });
        }
    }

    let period = |at: &At<String>, what: &str, problems: &mut Diagnostics| match at.value.parse::<Period>() {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(Diagnostic::error("plan-bad-change", at.place.clone(), format!("action {id}: {what}: {e}")));
            None
        }
    };
    let added = raw
        .added
        .as_ref()
        .and_then(|at| period(at, "added", problems))
        .map(|p| PlanChange { period: p, reason: raw.added_reason.trim().to_string() });
    let withdrawn = match (&raw.withdrawn, &raw.closed) {
        (Some(w), Some(c)) => {
            problems.push(
                Diagnostic::error(
                    "plan-bad-change",
                    c.place.clone(),
                    format!("action {id} is both withdrawn ({}) and closed ({})", w.value, c.value),
                )
                .with_hint("keep one: closed when it was completed, withdrawn otherwise"),
            );
            None
        }
        (Some(w), None) => period(w, "withdrawn", problems).map(|p| (p, false)),
        (None, Some(c)) => period(c, "closed", problems).map(|p| (p, true)),
        (None, None) => None,
    };
    if let (Some(into), None) = (&raw.merged_into, &raw.withdrawn) {
        problems.push(
            Diagnostic::error(
                "plan-bad-change",
                into.place.clone(),
                format!("action {id} is merged into {} but does not say when", into.value),
            )
            .with_hint("give the first quarter it is no longer reported on as withdrawn, e.g. withdrawn = \"2018-19 Q3\""),
        );
    }
    let withdrawn = withdrawn.map(|(p, closed)| Withdrawal {
        how: match (&raw.merged_into, closed) {
            (_, true) => Departure::Closed,
            (Some(into), false) => Departure::MergedInto(
                action_ids
                    .iter()
                    .find(|a| super::action_key(a) == super::action_key(&into.value))
                    .map_or_else(|| into.value.clone(), |a| a.to_string()),
            ),
            (None, false) => Departure::Withdrawn,
        },
        change: PlanChange { period: p, reason: raw.withdrawn_reason.trim().to_string() },
    });
    if let (Some(added), Some(left), Some(at)) = (&added, &withdrawn, raw.withdrawn.as_ref().or(raw.closed.as_ref())) {
        if left.change.period <= added.period {
            problems.push(Diagnostic::error(
                "plan-bad-change",
                at.place.clone(),
                format!("action {id} leaves the plan in {} but is only added in {}", left.change.period, added.period),
            ));
        }
    }
    let carried_from = raw.carried_from.as_ref().and_then(|at| match parse_carried_from(&at.value) {
        Ok(c) => Some(c),
        Err(why) => {
            problems.push(
                Diagnostic::error("plan-bad-change", at.place.clone(), format!("action {id}: carried_from {:?} {why}", at.value))
                    .with_hint("write the earlier plan's year and the action's ID there, like \"2018-19/CS1\""),
            );
            None
        }
    });
    (problems.len() == before).then(|| Action {
        id: id.clone(),
        group: group.id.value.clone(),
        text: raw.text.value.trim().to_string(),
        timescale: timescale.expect("checked above"),
        leads,
        new: raw.new,
        added,
        withdrawn,
        carried_from,
    })
}

/// `2018-19/CS1`: a financial year, a slash, an action ID.
fn parse_carried_from(text: &str) -> Result<CarriedFrom, &'static str> {
    let (year, id) = text.trim().split_once('/').ok_or("has no '/' between the year and the ID")?;
    if format!("{} Q1", year.trim()).parse::<Period>().is_err() {
        return Err("does not start with a financial year such as 2018-19");
    }
    let id = id.trim();
    if super::action_id_problem(id).is_some() {
        return Err("does not end with an action ID");
    }
    Ok(CarriedFrom { plan_year: year.trim().to_string(), id: id.to_string() })
}

/// An action merged into another: the other must be in the plan, and be
/// reported on from the quarter the merge takes effect.
fn check_merges(draft: &Draft, groups: &[Group], problems: &mut Diagnostics) {
    for raw in draft.groups.iter().flat_map(|g| g.actions.iter()) {
        let Some(into) = &raw.merged_into else { continue };
        let target = groups.iter().flat_map(|g| g.actions.iter()).find(|a| super::action_key(&a.id) == super::action_key(&into.value));
        let known: Vec<&str> = draft.groups.iter().flat_map(|g| g.actions.iter().map(|a| a.id.value.as_str())).collect();
        match target {
            _ if super::action_key(&into.value) == super::action_key(&raw.id.value) => {
                problems.push(Diagnostic::error(
                    "plan-bad-change",
                    into.place.clone(),
                    format!("action {} is merged into itself", raw.id.value),
                ));
            }
            None if !known.iter().any(|k| super::action_key(k) == super::action_key(&into.value)) => {
                problems.push(unknown("plan-unknown-action", "action of the plan", into, &known));
            }
            Some(target) => {
                let when = raw.withdrawn.as_ref().and_then(|w| w.value.parse::<Period>().ok());
                if let Some(when) = when {
                    if !target.is_in_plan(when) {
                        problems.push(Diagnostic::error(
                            "plan-bad-change",
                            into.place.clone(),
                            format!(
                                "action {} is merged into {} in {when}, when {} is not in the plan",
                                raw.id.value, target.id, target.id
                            ),
                        ));
                    }
                }
            }
            None => {} // The target has its own problems, reported at it.
        }
    }
}

/// Something shaped like one email address: text@domain.tld, no spaces.
fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.trim().split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.trim().contains(char::is_whitespace)
        && !domain.contains('@')
}

fn check_unique<'a>(what: &str, ids: impl Iterator<Item = &'a At<String>>, problems: &mut Diagnostics) {
    let mut seen: HashMap<&str, &Place> = HashMap::new();
    for id in ids {
        if let Some(first) = seen.get(id.value.as_str()) {
            problems.push(Diagnostic::error(
                "plan-duplicate-id",
                id.place.clone(),
                format!("{what} ID {:?} is used twice (first {})", id.value, where_is(first)),
            ));
        } else {
            seen.insert(&id.value, &id.place);
        }
    }
}

/// Action IDs are compared ignoring case and spaces, as returns are read, so
/// two IDs that differ only by those would be one action to the reader.
fn check_unique_actions<'a>(ids: impl Iterator<Item = &'a At<String>>, problems: &mut Diagnostics) {
    let mut seen: HashMap<String, &At<String>> = HashMap::new();
    for id in ids {
        match seen.get(&super::action_key(&id.value)) {
            Some(first) if first.value == id.value => problems.push(Diagnostic::error(
                "plan-duplicate-id",
                id.place.clone(),
                format!("action ID {:?} is used twice (first {})", id.value, where_is(&first.place)),
            )),
            Some(first) => problems.push(
                Diagnostic::error(
                    "plan-duplicate-id",
                    id.place.clone(),
                    format!("action IDs {:?} and {:?} ({}) differ only by case or spaces", id.value, first.value, where_is(&first.place)),
                )
                .with_hint("returns are matched ignoring case and spaces, so give the two actions different IDs"),
            ),
            None => {
                seen.insert(super::action_key(&id.value), id);
            }
        }
    }
}

/// "X is not a known Y (did you mean Z?)".
fn unknown(code: &'static str, what: &str, value: &At<String>, known: &[&str]) -> Diagnostic {
    let text = &value.value;
    let d = Diagnostic::error(code, value.place.clone(), format!("{text:?} is not a known {what}"));
    match closest(text, known) {
        Some(suggestion) => d.with_hint(format!("did you mean {suggestion:?}?")),
        None => d,
    }
}

/// The known name nearest to `text`, if any is near enough to be a slip.
pub(crate) fn closest<'a>(text: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = text.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::normalized_levenshtein(&lower, &k.to_lowercase()), *k))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}
