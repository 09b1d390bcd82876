//! Writing a plan back out: as TOML (`plan --export FILE.toml`), the text
//! the plan's content hash is taken over, and as the coordinator's workbook
//! (`plan --export FILE.xlsx`, written by [`super::workbook`]). The TOML is
//! canonical: the same plan, however it was read, writes the same text.

use super::{Departure, Plan};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Serialize)]
struct OutPlan<'a> {
    partnership: OutPartnership<'a>,
    #[serde(rename = "priority", skip_serializing_if = "Vec::is_empty")]
    priorities: Vec<OutPriority<'a>>,
    #[serde(rename = "tag", skip_serializing_if = "Vec::is_empty")]
    tags: Vec<OutTag<'a>>,
    #[serde(rename = "group")]
    groups: Vec<OutGroup<'a>>,
    #[serde(rename = "agency", skip_serializing_if = "Vec::is_empty")]
    agencies: Vec<OutAgency<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    glossary: Vec<OutGlossary<'a>>,
}

#[derive(Serialize)]
struct OutPartnership<'a> {
    name: &'a str,
    short_name: &'a str,
    plan_title: &'a str,
    plan_year: &'a str,
    source: &'a str,
    introduction: &'a str,
}

#[derive(Serialize)]
struct OutPriority<'a> {
    id: &'a str,
    name: &'a str,
    evidence: &'a [String],
    aims: &'a [String],
    current_work: &'a [String],
    planned_activity: &'a [String],
}

#[derive(Serialize)]
struct OutTag<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    aliases: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<&'a str>,
}

#[derive(Serialize)]
struct OutGroup<'a> {
    id: &'a str,
    name: &'a str,
    priorities: &'a [String],
    #[serde(rename = "action")]
    actions: Vec<OutAction<'a>>,
}

#[derive(Serialize)]
struct OutAction<'a> {
    id: &'a str,
    text: &'a str,
    timescale: &'a str,
    leads: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    new: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    added: Option<String>,
    #[serde(skip_serializing_if = "str::is_empty")]
    added_reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    withdrawn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    merged_into: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    withdrawn_reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    carried_from: Option<String>,
}

#[derive(Serialize)]
struct OutAgency<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    aliases: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

#[derive(Serialize)]
struct OutGlossary<'a> {
    term: &'a str,
    meaning: &'a str,
}

/// The plan as TOML, in the layout `input/plan.toml` uses (comments aside).
pub fn to_toml(plan: &Plan) -> String {
    let p = &plan.partnership;
    let out = OutPlan {
        partnership: OutPartnership {
            name: &p.name,
            short_name: &p.short_name,
            plan_title: &p.plan_title,
            plan_year: &p.plan_year,
            source: &p.source,
            introduction: &p.introduction,
        },
        priorities: plan
            .priorities
            .iter()
            .map(|p| OutPriority {
                id: &p.id,
                name: &p.name,
                evidence: &p.evidence,
                aims: &p.aims,
                current_work: &p.current_work,
                planned_activity: &p.planned_activity,
            })
            .collect(),
        tags: plan.tags.iter().map(|t| OutTag { id: &t.id, name: &t.name, aliases: &t.aliases, priority: t.priority.as_deref() }).collect(),
        groups: plan
            .groups
            .iter()
            .map(|g| OutGroup {
                id: &g.id,
                name: &g.name,
                priorities: &g.tags,
                actions: g
                    .actions
                    .iter()
                    .map(|a| {
                        let left = a.withdrawn.as_ref();
                        let when =
                            |closed: bool| left.filter(|w| (w.how == Departure::Closed) == closed).map(|w| w.change.period.to_string());
                        OutAction {
                            id: &a.id,
                            text: &a.text,
                            timescale: &a.timescale.written,
                            leads: &a.leads,
                            new: a.new,
                            added: a.added.as_ref().map(|c| c.period.to_string()),
                            added_reason: a.added.as_ref().map_or("", |c| c.reason.as_str()),
                            withdrawn: when(false),
                            closed: when(true),
                            merged_into: left.and_then(|w| match &w.how {
                                Departure::MergedInto(id) => Some(id.as_str()),
                                _ => None,
                            }),
                            withdrawn_reason: left.map_or("", |w| w.change.reason.as_str()),
                            carried_from: a.carried_from.as_ref().map(|c| c.to_string()),
                        }
                    })
                    .collect(),
            })
            .collect(),
        agencies: plan
            .agencies
            .iter()
            .map(|a| OutAgency {
                id: &a.id,
                name: &a.name,
                aliases: &a.aliases,
                contact: a.contact.name.as_deref(),
                email: a.contact.email.as_deref(),
            })
            .collect(),
        glossary: plan.glossary.iter().map(|g| OutGlossary { term: &g.term, meaning: &g.meaning }).collect(),
    };
    let body = toml::to_string_pretty(&out).expect("a plan always serialises to TOML");
    format!(
        "# {} — {} {}\n# Written by `csp-report plan --export`; see README.md, \"The plan file\".\n\n{body}",
        p.name, p.plan_title, p.plan_year
    )
}

/// The plan's version: the first 16 hex digits of the SHA-256 of its
/// canonical TOML. It depends on what the plan says, not on how it was
/// written: the same plan read from TOML or from its workbook (or with
/// comments changed) has the same version, which forms record so that a
/// return made against another version of the plan can be spotted.
pub fn content_hash(plan: &Plan) -> String {
    Sha256::digest(to_toml(plan).as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}
