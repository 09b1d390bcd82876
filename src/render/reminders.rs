//! Reminder emails: one plain-text message per lead agency that merge says
//! is due one (`AgencyProgress::reminder_due`: no return, an incomplete one,
//! or rows that could not be read), as `reminders/<agency id>.txt`, listing
//! the actions it has not reported on and each rejected row with its cell
//! and reason, with the return deadline and whom to ask, from the
//! `reminder.txt` template. The coordinator pastes them into email; nothing
//! is sent.

use super::context;
use super::{OutputFile, RenderContext, RenderError, Rendered, Renderer};
use crate::output::{safe_file_stem, FileNames};
use std::path::PathBuf;

/// The folder the reminders go in, inside the period's output folder.
pub const FOLDER: &str = "reminders";

/// The template each reminder is rendered from.
pub const TEMPLATE: &str = "reminder.txt";

/// Writes `reminders/<agency>.txt` for each agency due a reminder.
pub struct Reminders;

impl Renderer for Reminders {
    fn name(&self) -> &'static str {
        "reminders"
    }

    fn render(&self, ctx: &RenderContext) -> Result<Rendered, RenderError> {
        let mut rendered = Rendered::default();
        for (agency, file_name) in named(ctx.progress).into_iter().filter(|(a, _)| a.reminder_due) {
            let data = context::reminder(ctx.progress, agency, ctx.forms);
            let text =
                ctx.templates.render_reporting(TEMPLATE, &data, &mut rendered.diagnostics).map_err(|e| RenderError::new("reminders", e))?;
            let path = PathBuf::from(FOLDER).join(file_name);
            rendered.files.push(OutputFile { path, bytes: normalise_blank_lines(&text).into_bytes() });
        }
        Ok(rendered)
    }
}

/// Each agency with its reminder's file name (`police.txt`). Names are
/// handed out over every agency, in plan order, so an agency's reminder
/// keeps its name whoever else is missing.
pub fn named(progress: &crate::progress::Progress) -> Vec<(&crate::progress::AgencyProgress, String)> {
    let mut names = FileNames::default();
    progress.agencies.iter().map(|a| (a, names.claim(&format!("{}.txt", safe_file_stem(&a.id, "agency"))))).collect()
}

/// Template blocks leave runs of blank lines; an email wants at most one.
fn normalise_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_collapse() {
        assert_eq!(normalise_blank_lines("\n\na\n\n\n b  \n\n"), "a\n\n b\n");
    }
}
