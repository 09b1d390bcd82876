//! The partnership plan: strategic priorities, priority tags, action groups
//! and their key actions, lead agencies and the glossary. Owns the model
//! every other stage reads, and the look-ups on it (an action by ID, the
//! actions an agency leads, the groups reporting under a priority), and
//! whether an action is in the plan in a quarter ([`Action::in_plan`]).
//! Reading a plan (TOML in [`load`], a workbook in [`workbook`]) gives a
//! [`draft`], checked once by the same rules; [`export`] writes a plan back.
//! Periods and timescales have their own modules.

pub mod draft;
pub mod export;
pub mod load;
pub mod period;
pub mod timescale;
pub mod workbook;

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
    /// Added to the plan during the year: from which quarter, and why.
    pub added: Option<PlanChange>,
    /// Withdrawn, completed and closed, or merged into another action: from
    /// which quarter, how, and why.
    pub withdrawn: Option<Withdrawal>,
    /// In a new plan year, the action of an earlier plan this one carries
    /// on, so its trend and history follow it.
    pub carried_from: Option<CarriedFrom>,
}

/// A change to the plan during the year: the first quarter it applies to,
/// and the reason the plan gives (may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanChange {
    pub period: Period,
    pub reason: String,
}

/// How an action left the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Departure {
    /// Withdrawn (`withdrawn = "2018-19 Q3"`).
    Withdrawn,
    /// Completed and closed (`closed = "2018-19 Q3"`).
    Closed,
    /// Merged into another action of the plan (`merged_into = "CS2"`), by its ID.
    MergedInto(String),
}

/// An action leaving the plan: `change.period` is the first quarter it is
/// no longer reported on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub how: Departure,
    pub change: PlanChange,
}

/// Where an action of a new plan year came from: `2018-19/CS1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedFrom {
    /// The earlier plan's year, as written: `2018-19`.
    pub plan_year: String,
    /// The action's ID in that plan.
    pub id: String,
}

impl std::fmt::Display for CarriedFrom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.plan_year, self.id)
    }
}

/// Whether an action is part of the plan in a quarter, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InPlan<'a> {
    /// Reported on this quarter.
    Yes,
    /// Added in a later quarter: not in the plan yet.
    NotYet(&'a PlanChange),
    /// Withdrawn, closed or merged in this quarter or before.
    Left(&'a Withdrawal),
}

impl Action {
    /// Whether the action is in the plan in `period`: from the quarter it
    /// was added (always, when it was in the plan from the start) until the
    /// quarter before it was withdrawn, closed or merged. An action not in
    /// the plan in a quarter is never counted as "no return" for it.
    pub fn in_plan(&self, period: Period) -> InPlan<'_> {
        match (&self.added, &self.withdrawn) {
            (Some(added), _) if period < added.period => InPlan::NotYet(added),
            (_, Some(left)) if period >= left.change.period => InPlan::Left(left),
            _ => InPlan::Yes,
        }
    }

    /// Whether the action is reported on in `period`.
    pub fn is_in_plan(&self, period: Period) -> bool {
        self.in_plan(period) == InPlan::Yes
    }
}

/// A body that leads actions and sends returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Stable short id, used in file names and metadata: `police`.
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// Who the forms and reminders go to, when the plan names them.
    pub contact: Contact,
}

/// An agency's contact for returns: a name and an email address, each
/// optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
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
    /// (group index, action index) by the [`action_key`] of the action's
    /// id; the first of a repeated id.
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
                    actions.entry(action_key(&action.id)).or_insert((g, a));
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

    /// The action with this ID, compared ignoring case and spaces only
    /// (`da 3` finds `DA 3` and `DA3`; `CS21` never finds `CS2-1`).
    pub fn action(&self, id: &str) -> Option<&Action> {
        self.tables().actions.get(&action_key(id)).map(|&(g, a)| &self.groups[g].actions[a])
    }

    /// The actions whose IDs read as this decimal number (`1.1` and `1.10`
    /// both read as 1.1): what a number cell in a return's Action ID column
    /// may have been before Excel turned it into a number. Plan order.
    pub fn actions_numbered(&self, number: f64) -> Vec<&Action> {
        self.actions().filter(|a| id_as_number(&a.id) == Some(number)).collect()
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

    /// The plan's action for an ID as typed (`cs 2-1` → `CS2-1`), if any.
    pub(crate) fn find_action_id(&self, typed: &str) -> Option<&Action> {
        self.action(typed)
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

/// The key action IDs are compared by: upper case, spaces removed, and
/// nothing else (`cs 2-1` → `CS2-1`). Punctuation is part of the ID:
/// `CS2-1` and `CS21` are different actions.
pub fn action_key(id: &str) -> String {
    id.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// An ID made only of digits with one dot inside (`1.10`), read as the
/// number Excel would store for it; `None` for any other ID.
fn id_as_number(id: &str) -> Option<f64> {
    let (whole, fraction) = id.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(whole) && digits(fraction)).then(|| id.parse().ok()).flatten()
}

/// Orders action IDs naturally: runs of digits by their value, so `1.2`
/// comes before `1.10` and `CS2` before `CS10`; letters ignoring case.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    natural_key(a).cmp(&natural_key(b)).then_with(|| a.cmp(b))
}

/// The sort key behind [`natural_cmp`]: letter runs upper-cased, digit runs
/// as numbers.
pub fn natural_key(text: &str) -> Vec<(String, u64)> {
    let mut parts = Vec::new();
    let mut chars = text.chars().filter(|c| !c.is_whitespace()).peekable();
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
            parts.push((run.to_uppercase(), 0));
        }
    }
    parts
}

/// Why an action ID cannot be used, or `None` when it is well formed:
/// letters, digits, `.`, `-` and `/`, starting and ending with a letter or
/// digit, with at most one space and only between a letter prefix and a
/// number (`DA 3`).
pub fn action_id_problem(id: &str) -> Option<&'static str> {
    let chars: Vec<char> = id.chars().collect();
    if chars.is_empty() {
        return Some("is empty");
    }
    if let Some(c) = chars.iter().find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '/' | ' '))) {
        return Some(if c.is_whitespace() {
            "has a space other than one between letters and a number"
        } else {
            "has a character other than letters, digits, '.', '-' and '/'"
        });
    }
    if !chars[0].is_alphanumeric() || !chars[chars.len() - 1].is_alphanumeric() {
        return Some("must start and end with a letter or digit");
    }
    let spaces: Vec<usize> = chars.iter().enumerate().filter(|(_, c)| **c == ' ').map(|(i, _)| i).collect();
    match spaces.as_slice() {
        [] => None,
        [i] if chars[..*i].iter().all(|c| c.is_alphabetic()) && chars[i + 1].is_ascii_digit() => None,
        _ => Some("has a space other than one between letters and a number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_ids_compare_ignoring_case_and_spaces_only() {
        assert_eq!(action_key("da 3"), "DA3");
        assert_eq!(action_key(" cs2-1 "), "CS2-1");
        assert_ne!(action_key("CS2-1"), action_key("CS21"));
        assert_ne!(action_key("1.1"), action_key("1.10"));
    }

    #[test]
    fn ids_sort_naturally() {
        let mut ids = vec!["1.10", "CS10", "1.2", "CS2", "2.3a", "1.1", "CS2-1", "DA 3", "DA10"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, ["1.1", "1.2", "1.10", "2.3a", "CS2", "CS2-1", "CS10", "DA 3", "DA10"]);
    }

    #[test]
    fn id_schemes_are_accepted_and_bad_ids_refused() {
        for good in ["1.1", "1.10", "2.3a", "CS2-1", "A1.1", "DA 3", "P1-A3", "DA3", "CS/2"] {
            assert_eq!(action_id_problem(good), None, "{good}");
        }
        for bad in ["", "DA  3", "D A3", "3 DA", "-CS1", "CS1.", "CS_1", "CS1 (new)", "DA\t3", "1 .1"] {
            assert!(action_id_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn only_dotted_numbers_read_as_numbers() {
        assert_eq!(id_as_number("1.10"), Some(1.1));
        assert_eq!(id_as_number("1.1"), Some(1.1));
        assert_eq!(id_as_number("2.3a"), None);
        assert_eq!(id_as_number("12"), None);
        assert_eq!(id_as_number("A1.1"), None);
    }
}
