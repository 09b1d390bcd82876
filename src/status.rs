//! Status: the RAG-style state of an action as agencies report it and as the
//! reports show it. Owns the canonical tokens (`complete`, `green`, …), the
//! words shown to readers, the order of severity, and reading what people
//! type into a status cell.

use std::fmt;

/// The state of an action for one lead, or overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Complete,
    Green,
    Amber,
    Red,
    NotStarted,
    /// Assigned by the tool when a lead did not report; never typed.
    NoReturn,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 6] = [Status::Complete, Status::Green, Status::Amber, Status::Red, Status::NotStarted, Status::NoReturn];

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
            Status::NoReturn => "no_return",
        }
    }

    /// Reads a canonical token back.
    pub fn from_token(token: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.token() == token)
    }

    /// The word readers see: `Not started`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Complete => "Complete",
            Status::Green => "Green",
            Status::Amber => "Amber",
            Status::Red => "Red",
            Status::NotStarted => "Not started",
            Status::NoReturn => "No return",
        }
    }

    /// What the status means, for keys and legends.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Complete => "delivered what it promised",
            Status::Green => "on track to meet its timescale",
            Status::Amber => "at risk: slipping, recoverable with action in hand",
            Status::Red => "will not meet its timescale without intervention",
            Status::NotStarted => "work has not begun",
            Status::NoReturn => "the lead did not report",
        }
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
            Status::NoReturn => "FFFFFF",
        }
    }

    /// Severity rank for "worst of": red > amber > green > not_started > complete.
    /// `no_return` ranks lowest: it is not a reported state.
    pub fn severity_rank(self) -> u8 {
        match self {
            Status::Red => 5,
            Status::Amber => 4,
            Status::Green => 3,
            Status::NotStarted => 2,
            Status::Complete => 1,
            Status::NoReturn => 0,
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
        for s in Status::ALL {
            assert_eq!(Status::from_token(s.token()), Some(s));
        }
    }
}
