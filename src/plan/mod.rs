//! The partnership plan: strategic priorities, priority tags, action groups
//! and their key actions, lead agencies and the glossary. Owns the model
//! every other stage reads, and the look-ups on it (an action by ID, the
//! actions an agency leads, the groups reporting under a priority). Loading
//! and checking the TOML file lives in [`load`]; periods and timescales in
//! their own modules.

pub mod load;
pub mod period;
pub mod timescale;

pub use load::{load_plan, parse_plan, PlanError};
pub use period::{FinancialYear, Period, PeriodError, Reporting};
pub use timescale::{Timescale, TimescaleKind};

use std::collections::HashMap;

/// Who the plan belongs to and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partnership {
    pub name: String,
    pub short_name: String,
    pub plan_title: String,
    pub plan_year: String,
    /// The evidence base the plan cites.
    pub source: String,
    pub introduction: String,
}

/// A strategic priority from the first half of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategicPriority {
    pub id: String,
    pub name: String,
    pub evidence: Vec<String>,
    pub aims: Vec<String>,
    pub current_work: Vec<String>,
    pub planned_activity: Vec<String>,
}

/// One word of the groups' "Priorities:" vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// The strategic priority this tag reports under, if any.
    pub priority: Option<String>,
}

/// An action group of the delivery plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub name: String,
    /// Tag ids, in the plan's order.
    pub tags: Vec<String>,
    pub actions: Vec<Action>,
}

/// A key action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Fixed ID such as `DA3`.
    pub id: String,
    /// Id of the group it belongs to.
    pub group: String,
    pub text: String,
    pub timescale: Timescale,
    /// Agency ids, in the plan's order.
    pub leads: Vec<String>,
    /// Marked NEW in the plan.
    pub new: bool,
}

/// A body that leads actions and sends returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Stable short id, used in file names and metadata: `police`.
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
}

/// An acronym and what it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlossaryEntry {
    pub term: String,
    pub meaning: String,
}

/// The whole plan, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub partnership: Partnership,
    pub priorities: Vec<StrategicPriority>,
    pub tags: Vec<Tag>,
    pub groups: Vec<Group>,
    pub agencies: Vec<Agency>,
    pub glossary: Vec<GlossaryEntry>,
    /// First 16 hex digits of the SHA-256 of the plan file: forms record it so
    /// a return made against another version of the plan can be spotted.
    pub hash: String,
    /// Look-up tables, built on first use (see [`Lookups`]).
    pub(crate) lookups: Lookups,
}

/// Actions by id and agencies by every name, so that reading hundreds of
/// returns against thousands of actions does not scan the plan per cell.
/// Built on the first look-up: a plan is read-only once loaded, and a clone
/// starts without them (so a test may clone a plan and edit the copy).
#[derive(Debug, Default)]
pub(crate) struct Lookups(std::sync::OnceLock<Tables>);

#[derive(Debug)]
struct Tables {
    /// (group index, action index) by action id; the first of a repeated id.
    actions: HashMap<String, (usize, usize)>,
    /// Agency index by the [`name_key`] of its id, name and aliases; the
    /// first agency in plan order to have a key keeps it.
    agencies: HashMap<String, usize>,
}

impl Clone for Lookups {
    fn clone(&self) -> Self {
        Lookups::default()
    }
}

/// Derived from the rest of the plan, so never a difference between plans.
impl PartialEq for Lookups {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Lookups {}

impl Plan {
    fn tables(&self) -> &Tables {
        self.lookups.0.get_or_init(|| {
            let mut actions = HashMap::new();
            for (g, group) in self.groups.iter().enumerate() {
                for (a, action) in group.actions.iter().enumerate() {
                    actions.entry(action.id.clone()).or_insert((g, a));
                }
            }
            let mut agencies = HashMap::new();
            for (i, agency) in self.agencies.iter().enumerate() {
                for name in agency.names() {
                    agencies.entry(name_key(name)).or_insert(i);
                }
            }
            Tables { actions, agencies }
        })
    }

    /// Every action, groups in plan order, actions in plan order.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.groups.iter().flat_map(|g| g.actions.iter())
    }

    pub fn action(&self, id: &str) -> Option<&Action> {
        self.tables().actions.get(id).map(|&(g, a)| &self.groups[g].actions[a])
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.id == id)
    }

    pub fn tag(&self, id: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.id == id)
    }

    pub fn priority(&self, id: &str) -> Option<&StrategicPriority> {
        self.priorities.iter().find(|p| p.id == id)
    }

    /// The actions an agency leads, in plan order (co-led actions included).
    pub fn actions_led_by<'a>(&'a self, agency_id: &'a str) -> impl Iterator<Item = &'a Action> + 'a {
        self.actions().filter(move |a| a.leads.iter().any(|l| l == agency_id))
    }

    /// Agencies that lead at least one action, in the order they are declared.
    pub fn lead_agencies(&self) -> impl Iterator<Item = &Agency> {
        self.agencies.iter().filter(|ag| self.actions().any(|a| a.leads.contains(&ag.id)))
    }

    /// The strategic priorities a group reports under, through its tags, in
    /// the order the plan declares the priorities.
    pub fn priorities_of_group(&self, group: &Group) -> Vec<&StrategicPriority> {
        self.priorities
            .iter()
            .filter(|p| group.tags.iter().filter_map(|t| self.tag(t)).any(|t| t.priority.as_deref() == Some(p.id.as_str())))
            .collect()
    }

    /// The groups reporting under a strategic priority, in plan order.
    pub fn groups_for_priority<'a>(&'a self, priority_id: &str) -> Vec<&'a Group> {
        self.groups.iter().filter(|g| self.priorities_of_group(g).iter().any(|p| p.id == priority_id)).collect()
    }

    /// The agency a piece of text names: its id, name or an alias, ignoring
    /// case, spaces and punctuation.
    pub fn find_agency(&self, text: &str) -> Option<&Agency> {
        let key = name_key(text);
        if key.is_empty() {
            // Nothing to match: text of punctuation alone names no agency,
            // even one with such an alias.
            return None;
        }
        self.tables().agencies.get(&key).map(|&i| &self.agencies[i])
    }

    /// The canonical form of an action ID as typed (`da 3` → `DA3`), if the
    /// plan has it.
    pub(crate) fn find_action_id(&self, typed: &str) -> Option<&Action> {
        self.action(&normalise_action_id(typed))
    }
}

impl Agency {
    /// Id, name and aliases: every way the agency may be named.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(std::iter::once(self.name.as_str())).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Lower-case letters and digits only, for matching names however written.
pub(crate) fn name_key(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// An action ID as typed, made canonical: spaces, dots and hyphens removed,
/// upper case (`da 3` → `DA3`, `SOC-1` → `SOC1`).
pub(crate) fn normalise_action_id(typed: &str) -> String {
    typed.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_ids_are_normalised_as_typed() {
        assert_eq!(normalise_action_id("da 3"), "DA3");
        assert_eq!(normalise_action_id(" SOC-1 "), "SOC1");
        assert_eq!(normalise_action_id("Cs.2"), "CS2");
    }
}
