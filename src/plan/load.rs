//! Loading the plan: a TOML file read here, a workbook (`.xlsx`) by
//! [`super::workbook`]; either way into a [`Draft`] checked by
//! [`super::draft::check`]. Every problem is collected and reported at once
//! with its file and line (or sheet and cell), so a coordinator editing the
//! plan fixes them all in one pass.

use super::draft::{check, At, Declare, Draft, DraftAction, DraftAgency, DraftGroup, DraftPartnership, DraftPriority, DraftTag};
use super::{GlossaryEntry, Plan};
use crate::diagnostics::{Diagnostic, Diagnostics, Place};
use serde::Deserialize;
use serde_spanned::Spanned;
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
    added: Option<Spanned<String>>,
    #[serde(default)]
    added_reason: String,
    withdrawn: Option<Spanned<String>>,
    closed: Option<Spanned<String>>,
    merged_into: Option<Spanned<String>>,
    #[serde(default, alias = "closed_reason")]
    withdrawn_reason: String,
    carried_from: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgency {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    contact: Option<String>,
    email: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    term: String,
    meaning: String,
}

/// How the TOML plan declares things, for hints.
const TOML_DECLARE: Declare = Declare { tag: "a [[tag]] table", agency: "an [[agency]] table", action: "[[group.action]] tables" };

/// Reads and checks the plan file: a workbook when it ends in `.xlsx`,
/// else TOML.
pub fn load_plan(path: &Path) -> Result<Plan, PlanError> {
    if super::workbook::is_workbook(path) {
        return super::workbook::load_plan_workbook(path);
    }
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
    let located = |s: &Spanned<String>| At::new(s.get_ref().clone(), at(s.span()));
    let raw: RawPlan = toml::from_str(text).map_err(|e| {
        let place = e.span().map(at).unwrap_or_else(|| Place::file(file));
        PlanError::Invalid {
            file: file.to_string(),
            problems: vec![Diagnostic::error("plan-syntax", place, e.message().trim().to_string())],
        }
    })?;
    let draft = Draft {
        partnership: DraftPartnership {
            name: raw.partnership.name,
            short_name: raw.partnership.short_name,
            plan_title: raw.partnership.plan_title,
            plan_year: raw.partnership.plan_year,
            source: raw.partnership.source,
            introduction: raw.partnership.introduction,
        },
        priorities: raw
            .priorities
            .into_iter()
            .map(|p| DraftPriority {
                id: located(&p.id),
                name: p.name,
                evidence: p.evidence,
                aims: p.aims,
                current_work: p.current_work,
                planned_activity: p.planned_activity,
            })
            .collect(),
        tags: raw
            .tags
            .iter()
            .map(|t| DraftTag {
                id: located(&t.id),
                name: t.name.clone(),
                aliases: t.aliases.clone(),
                priority: t.priority.as_ref().map(located),
            })
            .collect(),
        groups: raw
            .groups
            .iter()
            .map(|g| DraftGroup {
                id: located(&g.id),
                name: g.name.clone(),
                tags: g.priorities.iter().map(located).collect(),
                actions: g
                    .actions
                    .iter()
                    .map(|a| DraftAction {
                        id: located(&a.id),
                        text: located(&a.text),
                        timescale: located(&a.timescale),
                        leads: At::new(a.leads.get_ref().iter().map(located).collect(), at(a.leads.span())),
                        new: a.new,
                        added: a.added.as_ref().map(located),
                        added_reason: a.added_reason.clone(),
                        withdrawn: a.withdrawn.as_ref().map(located),
                        closed: a.closed.as_ref().map(located),
                        merged_into: a.merged_into.as_ref().map(located),
                        withdrawn_reason: a.withdrawn_reason.clone(),
                        carried_from: a.carried_from.as_ref().map(located),
                    })
                    .collect(),
            })
            .collect(),
        agencies: raw
            .agencies
            .iter()
            .map(|a| DraftAgency {
                id: located(&a.id),
                name: a.name.clone(),
                aliases: a.aliases.clone(),
                contact_name: a.contact.clone().filter(|c| !c.trim().is_empty()),
                contact_email: a.email.as_ref().map(located).filter(|e| !e.value.trim().is_empty()),
            })
            .collect(),
        glossary: raw.glossary.into_iter().map(|g| GlossaryEntry { term: g.term, meaning: g.meaning }).collect(),
    };
    check(draft, file, Diagnostics::new(), &TOML_DECLARE).map_err(|problems| PlanError::Invalid { file: file.to_string(), problems })
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
