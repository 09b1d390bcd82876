//! Status: the RAG-style state of an action as agencies report it and as the
//! reports show it. Owns the canonical tokens (`complete`, `green`, …), the
//! order of severity, the colours, and reading what people type into a
//! status cell: a status word alone, or one followed by punctuation and an
//! explanation ("Amber – please see notes"), or two statuses at once
//! ("Amber/Red"), which cannot be read. The words readers see are in
//! [`crate::vocabulary`].

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
    pub(crate) fn from_token(token: &str) -> Option<Status> {
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

    /// Reads a status cell as people fill it in: a status alone
    /// ([`StatusReading::Exact`]); a status, then punctuation and words
    /// ("Amber – please see notes", "RED (board aware)", "Green - on
    /// track"), read with the words kept (punctuation alone, as in
    /// "Complete!", is an exact status, as it always was); or two statuses
    /// ("Amber/Red", "Green or Amber"), which is ambiguous. A status word
    /// followed by more words with no punctuation between ("A bit late") is
    /// not read: without the punctuation it is a sentence, not a status.
    pub(crate) fn read_typed(text: &str) -> StatusReading {
        let text = text.trim();
        if let Some(status) = Status::from_typed(text) {
            return StatusReading::Exact(status);
        }
        let words = word_ends(text);
        // The longest leading phrase that is a status: "Not yet started", "On track".
        let Some((status, end)) = words
            .iter()
            .take(3)
            .rev()
            .find_map(|&end| Status::from_typed(&text[..end]).map(|s| (s, end)))
            .filter(|_| starts_with_word(text))
        else {
            return StatusReading::Unknown;
        };
        let rest = &text[end..];
        if let Some(second) = second_status(rest) {
            if second != status {
                return StatusReading::Ambiguous(status, second);
            }
        }
        let next = rest.trim_start().chars().next();
        let single_letter = status_key(&text[..end]).len() == 1;
        let punctuated = match next {
            None => true,
            // A lone RAG letter needs a clear break after it: "R&D" is not Red.
            Some(c) if single_letter => matches!(c, '-' | '–' | '—' | ':' | ';' | ',' | '(' | '.'),
            Some(c) => !c.is_alphanumeric(),
        };
        if !punctuated {
            return StatusReading::Unknown;
        }
        StatusReading::Decorated { status, rest: explanation(rest) }
    }

    /// The closest typed-status word to something unreadable, for "did you
    /// mean": the whole text, else its first word ("Gren - fine").
    pub(crate) fn suggest(text: &str) -> Option<Status> {
        let nearest = |text: &str| {
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
        };
        nearest(text).or_else(|| text.split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).and_then(nearest))
    }
}

/// What a status cell says, read by [`Status::read_typed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusReading {
    /// A status and nothing else ("Amber", "on track").
    Exact(Status),
    /// A status, then punctuation and an explanation: the explanation is
    /// `rest` ("please see notes"; empty for "Complete!").
    Decorated { status: Status, rest: String },
    /// Two different statuses ("Amber/Red"): which one is meant cannot be told.
    Ambiguous(Status, Status),
    /// Not a status.
    Unknown,
}

/// Byte offsets where each run of letters and digits ends.
fn word_ends(text: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if !c.is_alphanumeric() && in_word {
            ends.push(i);
        }
        in_word = c.is_alphanumeric();
    }
    if in_word {
        ends.push(text.len());
    }
    ends
}

fn starts_with_word(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_alphanumeric)
}

/// Words that name a status on their own (not phrases like "on track",
/// which also start explanations: "Amber - on track for the new date").
const STATUS_WORDS: [&str; 8] = ["complete", "completed", "done", "blue", "green", "amber", "yellow", "red"];

/// The second status in "Amber/Red", "Green or Amber", "Red-Amber", "A/R":
/// after a joining mark or word, the rest is a status, or begins with a
/// status word.
fn second_status(rest: &str) -> Option<Status> {
    let rest = rest.trim_start();
    let after = ["/", "\\", "|", "&", "+", "-", "–", "—"]
        .iter()
        .find_map(|mark| rest.strip_prefix(mark))
        .or_else(|| {
            let word_end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
            matches!(rest[..word_end].to_lowercase().as_str(), "or" | "and" | "to" | "into").then(|| &rest[word_end..])
        })?
        .trim();
    if let Some(status) = Status::from_typed(after) {
        return Some(status);
    }
    let first = after.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    if STATUS_WORDS.contains(&first.to_lowercase().as_str()) {
        Status::from_typed(first)
    } else {
        None
    }
}

/// The explanation after a status: leading dashes, colons and the like
/// removed, one pair of enclosing brackets unwrapped ("(board aware)" →
/// "board aware"); empty when it holds no words ("!").
fn explanation(rest: &str) -> String {
    let text =
        rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | ';' | ',' | '.' | '!')).trim_end();
    let text = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) if !inner.contains(['(', ')']) => inner.trim(),
        _ => text,
    };
    if text.chars().any(char::is_alphanumeric) {
        text.to_string()
    } else {
        String::new()
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
    fn statuses_with_words_around_them_are_read_and_the_words_kept() {
        let decorated = |status, rest: &str| StatusReading::Decorated { status, rest: rest.to_string() };
        let cases = [
            ("Amber – please see notes", decorated(Status::Amber, "please see notes")),
            ("RED (board aware)", decorated(Status::Red, "board aware")),
            ("Green - on track", decorated(Status::Green, "on track")),
            // Punctuation alone was always ignored: an exact status.
            ("Complete!", StatusReading::Exact(Status::Complete)),
            ("(Green)", StatusReading::Exact(Status::Green)),
            ("Done - ", StatusReading::Exact(Status::Complete)),
            ("Not started: awaiting funding", decorated(Status::NotStarted, "awaiting funding")),
            ("On track, meeting monthly", decorated(Status::Green, "meeting monthly")),
            ("G - a few delays in November", decorated(Status::Green, "a few delays in November")),
            ("Amber - on track for the revised date", decorated(Status::Amber, "on track for the revised date")),
            ("Green", StatusReading::Exact(Status::Green)),
        ];
        for (typed, expected) in cases {
            assert_eq!(Status::read_typed(typed), expected, "{typed:?}");
        }
    }

    #[test]
    fn two_statuses_in_one_cell_are_ambiguous() {
        for (typed, a, b) in [
            ("Amber/Red", Status::Amber, Status::Red),
            ("Green or Amber", Status::Green, Status::Amber),
            ("red-amber", Status::Red, Status::Amber),
            ("A/R", Status::Amber, Status::Red),
            ("Amber to Green by March", Status::Amber, Status::Green),
        ] {
            assert_eq!(Status::read_typed(typed), StatusReading::Ambiguous(a, b), "{typed:?}");
        }
    }

    #[test]
    fn sentences_and_near_misses_are_not_statuses() {
        for typed in ["Gren", "Gren - fine", "A bit behind", "R&D phase", "Greenish", "(Green) see notes", "Red flag raised", ""] {
            assert_eq!(Status::read_typed(typed), StatusReading::Unknown, "{typed:?}");
        }
        assert_eq!(Status::suggest("Gren - fine"), Some(Status::Green));
    }

    #[test]
    fn tokens_round_trip() {
        for (i, s) in Status::ALL.into_iter().enumerate() {
            assert_eq!(Status::from_token(s.token()), Some(s));
            assert_eq!(s.index(), i, "index() is the place in ALL");
        }
    }
}
