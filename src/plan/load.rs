//! Loading the plan from TOML and checking it. Every problem is collected and
//! reported at once with its file and line, so a coordinator editing the plan
//! by hand fixes them all in one pass.

use super::{Action, Agency, GlossaryEntry, Group, Partnership, Plan, StrategicPriority, Tag, Timescale};
use crate::diagnostics::{Diagnostic, Diagnostics, Place};
use serde::Deserialize;
use serde_spanned::Spanned;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Why a plan could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("cannot read the plan {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the plan {file} has {}", crate::vocabulary::counted(problems.len(), "problem", "problems"))]
    Invalid { file: String, problems: Vec<Diagnostic> },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    partnership: RawPartnership,
    #[serde(default, rename = "priority")]
    priorities: Vec<RawPriority>,
    #[serde(default, rename = "tag")]
    tags: Vec<RawTag>,
    #[serde(default, rename = "group")]
    groups: Vec<RawGroup>,
    #[serde(default, rename = "agency")]
    agencies: Vec<RawAgency>,
    #[serde(default)]
    glossary: Vec<RawGlossary>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartnership {
    name: String,
    short_name: Option<String>,
    plan_title: String,
    plan_year: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    introduction: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPriority {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default)]
    aims: Vec<String>,
    #[serde(default)]
    current_work: Vec<String>,
    #[serde(default)]
    planned_activity: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTag {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    priority: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    priorities: Vec<Spanned<String>>,
    #[serde(default, rename = "action")]
    actions: Vec<RawAction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    id: Spanned<String>,
    text: Spanned<String>,
    timescale: Spanned<String>,
    leads: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    new: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgency {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    term: String,
    meaning: String,
}

/// Reads and checks the plan file.
pub fn load_plan(path: &Path) -> Result<Plan, PlanError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| PlanError::Io { path: display.clone(), source })?;
    let text = String::from_utf8(bytes).map_err(|_| PlanError::Invalid {
        file: display.clone(),
        problems: vec![Diagnostic::error("plan-not-utf8", Place::file(&display), "the plan is not UTF-8 text; save it as UTF-8")],
    })?;
    parse_plan(&text, &display)
}

/// Parses and checks plan text; `file` names it in messages.
pub fn parse_plan(text: &str, file: &str) -> Result<Plan, PlanError> {
    let lines = LineIndex::new(text);
    let at = |span: std::ops::Range<usize>| Place::line(file, lines.line_of(span.start), None);
    let raw: RawPlan = toml::from_str(text).map_err(|e| {
        let place = e.span().map(at).unwrap_or_else(|| Place::file(file));
        PlanError::Invalid {
            file: file.to_string(),
            problems: vec![Diagnostic::error("plan-syntax", place, e.message().trim().to_string())],
        }
    })?;
    let mut problems = Diagnostics::new();

    check_unique("priority", raw.priorities.iter().map(|p| &p.id), &at, &mut problems);
    check_unique("tag", raw.tags.iter().map(|t| &t.id), &at, &mut problems);
    check_unique("group", raw.groups.iter().map(|g| &g.id), &at, &mut problems);
    check_unique("agency", raw.agencies.iter().map(|a| &a.id), &at, &mut problems);
    check_unique_actions(raw.groups.iter().flat_map(|g| g.actions.iter().map(|a| &a.id)), &at, &mut problems);

    for tag in &raw.tags {
        if let Some(priority) = &tag.priority {
            if !raw.priorities.iter().any(|p| p.id.get_ref() == priority.get_ref()) {
                let known: Vec<&str> = raw.priorities.iter().map(|p| p.id.get_ref().as_str()).collect();
                problems.push(unknown("plan-unknown-priority", "strategic priority", priority, &known, &at));
            }
        }
    }

    let agency_names: Vec<(&str, &str)> = raw
        .agencies
        .iter()
        .flat_map(|a| {
            let id = a.id.get_ref().as_str();
            std::iter::once((id, id)).chain(std::iter::once((a.name.as_str(), id))).chain(a.aliases.iter().map(move |al| (al.as_str(), id)))
        })
        .collect();
    let tag_ids: Vec<&str> = raw.tags.iter().map(|t| t.id.get_ref().as_str()).collect();

    let mut groups = Vec::new();
    for raw_group in &raw.groups {
        for tag in &raw_group.priorities {
            if !tag_ids.contains(&tag.get_ref().as_str()) {
                let by_name = raw.tags.iter().find(|t| super::name_key(&t.name) == super::name_key(tag.get_ref()));
                let mut d = unknown("plan-unknown-tag", "priority tag", tag, &tag_ids, &at);
                if let Some(t) = by_name {
                    d.hint = Some(format!("the tag named {:?} has the id \"{}\"", t.name, t.id.get_ref()));
                } else if d.hint.is_none() {
                    d.hint = Some("declare it in a [[tag]] table first".to_string());
                }
                problems.push(d);
            }
        }
        let mut actions = Vec::new();
        for raw_action in &raw_group.actions {
            if let Some(action) = check_action(raw_group, raw_action, &agency_names, &at, &mut problems) {
                actions.push(action);
            }
        }
        groups.push(Group {
            id: raw_group.id.get_ref().clone(),
            name: raw_group.name.clone(),
            tags: raw_group.priorities.iter().map(|t| t.get_ref().clone()).collect(),
            actions,
        });
    }

    if groups.iter().all(|g| g.actions.is_empty()) && problems.is_empty() {
        problems.push(Diagnostic::error("plan-no-actions", Place::file(file), "the plan has no actions; add [[group.action]] tables"));
    }
    if problems.has_errors() {
        let mut problems = problems.into_vec();
        problems.sort_by_key(|d| line_number(&d.place));
        return Err(PlanError::Invalid { file: file.to_string(), problems });
    }

    let hash = Sha256::digest(text.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect();
    let partnership = Partnership {
        short_name: raw.partnership.short_name.unwrap_or_else(|| raw.partnership.name.clone()),
        name: raw.partnership.name,
        plan_title: raw.partnership.plan_title,
        plan_year: raw.partnership.plan_year,
        source: raw.partnership.source,
        introduction: raw.partnership.introduction,
    };
    Ok(Plan {
        lookups: Default::default(),
        partnership,
        priorities: raw
            .priorities
            .into_iter()
            .map(|p| StrategicPriority {
                id: p.id.into_inner(),
                name: p.name,
                evidence: p.evidence,
                aims: p.aims,
                current_work: p.current_work,
                planned_activity: p.planned_activity,
            })
            .collect(),
        tags: raw
            .tags
            .into_iter()
            .map(|t| Tag { id: t.id.into_inner(), name: t.name, aliases: t.aliases, priority: t.priority.map(Spanned::into_inner) })
            .collect(),
        groups,
        agencies: raw.agencies.into_iter().map(|a| Agency { id: a.id.into_inner(), name: a.name, aliases: a.aliases }).collect(),
        glossary: raw.glossary.into_iter().map(|g| GlossaryEntry { term: g.term, meaning: g.meaning }).collect(),
        hash,
    })
}

/// Checks one action; returns it when it can be used.
fn check_action(
    group: &RawGroup,
    raw: &RawAction,
    agency_names: &[(&str, &str)],
    at: &impl Fn(std::ops::Range<usize>) -> Place,
    problems: &mut Diagnostics,
) -> Option<Action> {
    let id = raw.id.get_ref();
    let before = problems.len();
    if let Some(problem) = super::action_id_problem(id) {
        problems.push(
            Diagnostic::error("plan-bad-action-id", at(raw.id.span()), format!("action ID {id:?} {problem}"))
                .with_hint("write it with letters, digits, '.', '-' and '/', like \"DA3\", \"1.10\", \"CS2-1\" or \"DA 3\""),
        );
    }
    if raw.text.get_ref().trim().is_empty() {
        problems.push(Diagnostic::error("plan-empty-action", at(raw.text.span()), format!("action {id} has no text")));
    }
    let timescale = Timescale::parse(raw.timescale.get_ref());
    if timescale.is_none() {
        problems.push(
            Diagnostic::error(
                "plan-bad-timescale",
                at(raw.timescale.span()),
                format!("action {id}: cannot read the timescale {:?}", raw.timescale.get_ref()),
            )
            .with_hint("write \"Ongoing\", a month and year (\"March 2019\"), a date (\"31/03/2019\") or a quarter (\"2018-19 Q4\")"),
        );
    }
    let mut leads = Vec::new();
    if raw.leads.get_ref().is_empty() {
        problems.push(Diagnostic::error("plan-no-leads", at(raw.leads.span()), format!("action {id} has no leads")));
    }
    for lead in raw.leads.get_ref() {
        let text = lead.get_ref();
        if let Some((_, agency_id)) = agency_names.iter().find(|(name, _)| *name == text) {
            if leads.iter().any(|l| l == agency_id) {
                problems.push(Diagnostic::error(
                    "plan-duplicate-lead",
                    at(lead.span()),
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
                Diagnostic::error("plan-unknown-lead", at(lead.span()), format!("action {id}: the lead {text:?} is not a known agency"));
            problems.push(match suggestion {
                Some(agency_id) => d.with_hint(format!("did you mean {agency_id:?}?")),
                None => d.with_hint("declare it in an [[agency]] table first"),
            });
        }
    }
    (problems.len() == before).then(|| Action {
        id: id.clone(),
        group: group.id.get_ref().clone(),
        text: raw.text.get_ref().trim().to_string(),
        timescale: timescale.expect("checked above"),
        leads,
        new: raw.new,
    })
}

fn check_unique<'a>(
    what: &str,
    ids: impl Iterator<Item = &'a Spanned<String>>,
    at: &impl Fn(std::ops::Range<usize>) -> Place,
    problems: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        let here = at(id.span());
        if let Some(first_line) = seen.get(id.get_ref().as_str()) {
            problems.push(Diagnostic::error(
                "plan-duplicate-id",
                here,
                format!("{what} ID {:?} is used twice (first on line {first_line})", id.get_ref()),
            ));
        } else {
            seen.insert(id.get_ref(), line_number(&here));
        }
    }
}

/// Action IDs are compared ignoring case and spaces, as returns are read, so
/// two IDs that differ only by those would be one action to the reader.
fn check_unique_actions<'a>(
    ids: impl Iterator<Item = &'a Spanned<String>>,
    at: &impl Fn(std::ops::Range<usize>) -> Place,
    problems: &mut Diagnostics,
) {
    let mut seen: HashMap<String, (&str, usize)> = HashMap::new();
    for id in ids {
        let here = at(id.span());
        match seen.get(&super::action_key(id.get_ref())) {
            Some((first, first_line)) if *first == id.get_ref() => problems.push(Diagnostic::error(
                "plan-duplicate-id",
                here,
                format!("action ID {:?} is used twice (first on line {first_line})", id.get_ref()),
            )),
            Some((first, first_line)) => problems.push(
                Diagnostic::error(
                    "plan-duplicate-id",
                    here,
                    format!("action IDs {:?} and {first:?} (line {first_line}) differ only by case or spaces", id.get_ref()),
                )
                .with_hint("returns are matched ignoring case and spaces, so give the two actions different IDs"),
            ),
            None => {
                seen.insert(super::action_key(id.get_ref()), (id.get_ref(), line_number(&here)));
            }
        }
    }
}

/// The line a TOML place points at (0 when it names none).
fn line_number(place: &Place) -> usize {
    match place.cell {
        Some(crate::diagnostics::Spot::Line { line, .. }) => line,
        _ => 0,
    }
}

/// "X is not a known Y (did you mean Z?)".
fn unknown(
    code: &'static str,
    what: &str,
    value: &Spanned<String>,
    known: &[&str],
    at: &impl Fn(std::ops::Range<usize>) -> Place,
) -> Diagnostic {
    let text = value.get_ref();
    let d = Diagnostic::error(code, at(value.span()), format!("{text:?} is not a known {what}"));
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

/// Byte offset → 1-based line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}
