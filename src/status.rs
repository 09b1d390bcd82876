//! Status: the RAG-style state of an action as agencies report it and as the
//! reports show it. Owns the canonical tokens (`complete`, `green`, …), the
//! order of severity, the colours, and reading what people type into a
//! status cell. The words readers see are in [`crate::vocabulary`].

use std::fmt;

/// The state of an action for one lead, or overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Complete,
    Green,
    Amber,
    Red,
    NotStarted,
    /// Assigned by the tool when a lead reported but its row could not be
    /// used (an unreadable status): the agency did report; never typed.
    Rejected,
    /// Assigned by the tool when a lead did not report; never typed.
    NoReturn,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 7] =
        [Status::Complete, Status::Green, Status::Amber, Status::Red, Status::NotStarted, Status::Rejected, Status::NoReturn];

    /// How many statuses there are: the length of per-status count tables.
    pub const COUNT: usize = Status::ALL.len();

    /// The statuses an agency may type, in the order forms offer them.
    pub const REPORTABLE: [Status; 5] = [Status::Complete, Status::Green, Status::Amber, Status::Red, Status::NotStarted];

    /// Canonical token used in CSV and history: `not_started`.
    pub fn token(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Green => "green",
            Status::Amber => "amber",
            Status::Red => "red",
            Status::NotStarted => "not_started",
            Status::Rejected => "rejected",
            Status::NoReturn => "no_return",
        }
    }

    /// Position in [`Status::ALL`], for per-status tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// A status a lead reported (not one the tool assigned for want of one).
    pub fn is_reported(self) -> bool {
        !matches!(self, Status::Rejected | Status::NoReturn)
    }

    /// Reads a canonical token back.
    pub fn from_token(token: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.token() == token)
    }

    /// Fill colour (RGB hex, no `#`) for status cells; chosen so black text on
    /// it passes WCAG AA contrast.
    pub fn colour(self) -> &'static str {
        match self {
            Status::Complete => "9DC3E6",
            Status::Green => "A9D08E",
            Status::Amber => "FFC000",
            Status::Red => "F4A6A6",
            Status::NotStarted => "D9D9D9",
            Status::Rejected => "E4D4F4",
            Status::NoReturn => "FFFFFF",
        }
    }

    /// Severity rank for "worst of": red > amber > green > not_started > complete.
    /// `rejected` and `no_return` rank lowest: they are not reported states.
    pub fn severity_rank(self) -> u8 {
        match self {
            Status::Red => 5,
            Status::Amber => 4,
            Status::Green => 3,
            Status::NotStarted => 2,
            Status::Complete => 1,
            Status::Rejected | Status::NoReturn => 0,
        }
    }

    /// Reads a status as people type it: words and RAG letters in any case,
    /// stray spaces and punctuation ignored. `None` when it is not a status.
    pub fn from_typed(text: &str) -> Option<Status> {
        let key = status_key(text);
        let status = match key.as_str() {
            "complete" | "completed" | "done" | "blue" | "b" | "closed" | "achieved" => Status::Complete,
            "green" | "g" | "ontrack" => Status::Green,
            "amber" | "a" | "atrisk" | "someslippage" | "yellow" => Status::Amber,
            "red" | "r" | "offtrack" | "significantissues" => Status::Red,
            "notstarted" | "notyetstarted" | "ns" => Status::NotStarted,
            _ => return None,
        };
        Some(status)
    }

    /// The closest typed-status word to something unreadable, for "did you mean".
    pub fn suggest(text: &str) -> Option<Status> {
        let key = status_key(text);
        if key.len() < 3 {
            return None;
        }
        Status::REPORTABLE
            .into_iter()
            .map(|s| (strsim::levenshtein(&key, &status_key(s.label())), s))
            .filter(|(distance, _)| *distance <= 2)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, s)| s)
    }
}

/// Lower case, letters only: "Not  Started." → "notstarted".
fn status_key(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_people_type() {
        let cases = [
            ("G", Status::Green),
            ("green ", Status::Green),
            ("On Track", Status::Green),
            ("Complete", Status::Complete),
            ("Completed", Status::Complete),
            ("Blue", Status::Complete),
            ("b", Status::Complete),
            ("AMBER", Status::Amber),
            ("At risk", Status::Amber),
            ("Some slippage", Status::Amber),
            ("r", Status::Red),
            ("Off-track", Status::Red),
            ("Significant issues", Status::Red),
            ("Not started", Status::NotStarted),
            ("not yet started", Status::NotStarted),
        ];
        for (typed, expected) in cases {
            assert_eq!(Status::from_typed(typed), Some(expected), "{typed:?}");
        }
        for typed in ["Gren", "", "50%", "no return", "x"] {
            assert_eq!(Status::from_typed(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn suggests_the_nearest_status() {
        assert_eq!(Status::suggest("Gren"), Some(Status::Green));
        assert_eq!(Status::suggest("Ambre"), Some(Status::Amber));
        assert_eq!(Status::suggest("banana"), None);
    }

    #[test]
    fn tokens_round_trip() {
        for (i, s) in Status::ALL.into_iter().enumerate() {
            assert_eq!(Status::from_token(s.token()), Some(s));
            assert_eq!(s.index(), i, "index() is the place in ALL");
        }
    }
}
