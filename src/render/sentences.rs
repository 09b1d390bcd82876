//! Sentences that carry data and appear in several outputs — why each
//! exception needs attention, and how many exceptions there are — rendered
//! once from their templates (`exception-reason.txt.hbs`,
//! `exceptions-count.txt.hbs`) before any renderer runs. The PDF, the
//! workbook, the HTML and the build's summary all place these same strings,
//! so a reason is worded once and reads the same everywhere.

use super::context;
use crate::diagnostics::Diagnostic;
use crate::progress::{Progress, Reason};
use crate::templates::{TemplateError, Templates};
use serde_json::json;
use std::collections::HashMap;

/// The template each exception reason is rendered from.
pub const REASON_TEMPLATE: &str = "exception-reason.txt";
/// The template of the sentence counting the exceptions.
pub const COUNT_TEMPLATE: &str = "exceptions-count.txt";

/// The shared sentences of one `Progress`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sentences {
    /// For each of `progress.exceptions`, in order, one sentence per reason.
    pub reasons: Vec<Vec<String>>,
    /// "9 actions need attention: 2 red, 4 overdue, …", or empty when none.
    pub exceptions_count: String,
    /// (action id, lead name) → the sentence saying why that lead has no
    /// usable update on the action (its rejected or left-out reason).
    lead_states: HashMap<(String, String), String>,
}

impl Sentences {
    /// Renders every shared sentence. A user's template that fails is
    /// reported into `diagnostics` and the built-in one is used.
    pub fn render(templates: &Templates, progress: &Progress, diagnostics: &mut Vec<Diagnostic>) -> Result<Sentences, TemplateError> {
        let mut sentences = Sentences::default();
        for exception in &progress.exceptions {
            let mut texts = Vec::with_capacity(exception.reasons.len());
            for reason in &exception.reasons {
                let data = context::reason(reason, progress.period);
                let text = one_line(&templates.render_reporting(REASON_TEMPLATE, &data, diagnostics)?);
                let lead = match reason {
                    Reason::Rejected { lead, .. } | Reason::NotReported { lead } => Some(lead),
                    _ => None,
                };
                if let (Some(lead), Some(action_id)) = (lead, exception.action_id()) {
                    sentences.lead_states.insert((action_id.to_string(), lead.clone()), text.clone());
                }
                texts.push(text);
            }
            sentences.reasons.push(texts);
        }
        let counts = json!({ "exception_counts": context::exception_counts(&progress.exception_counts) });
        sentences.exceptions_count = one_line(&templates.render_reporting(COUNT_TEMPLATE, &counts, diagnostics)?);
        Ok(sentences)
    }

    /// Why a lead has no usable update on an action, when it reported
    /// unreadably or left the action out of its return.
    pub(crate) fn lead_state(&self, action_id: &str, lead_name: &str) -> Option<&str> {
        self.lead_states.get(&(action_id.to_string(), lead_name.to_string())).map(String::as_str)
    }
}

/// A sentence template's output as one line: the templates are laid out on
/// several lines for reading; their output is a sentence.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_lines_join_into_one_sentence() {
        assert_eq!(one_line("\n  Due 30 September 2018\n\n  and not complete.  \n"), "Due 30 September 2018 and not complete.");
    }
}
