//! Where commands speak: results to stdout, messages to stderr, `--quiet`
//! honoured, colour only on a terminal and never when `NO_COLOR` is set.
//! Commands write through a [`Ui`] so tests can capture what they print.

use crate::cli::ColorChoice;
use crate::diagnostics::{Diagnostic, Severity};
use std::io::{IsTerminal, Write};

/// The two streams a command writes to, and how.
pub struct Ui<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub quiet: bool,
    pub colour: bool,
}

impl Ui<'_> {
    /// Whether to colour stderr: `always`, or `auto` on a terminal; never with `NO_COLOR`.
    pub fn colour_wanted(choice: ColorChoice) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        match choice {
            _ if no_color => false,
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal(),
        }
    }

    /// A progress or status message on stderr (silent with `--quiet`).
    pub fn info(&mut self, message: impl std::fmt::Display) {
        if !self.quiet {
            let _ = writeln!(self.err, "{message}");
        }
    }

    /// A diagnostic on stderr; notes and warnings are hidden by `--quiet`.
    pub fn diagnostic(&mut self, d: &Diagnostic) {
        if self.quiet && d.severity != Severity::Error {
            return;
        }
        let (start, end) = match (self.colour, d.severity) {
            (true, Severity::Error) => ("\x1b[1;31m", "\x1b[0m"),
            (true, Severity::Warning) => ("\x1b[1;33m", "\x1b[0m"),
            (true, Severity::Note) => ("\x1b[1;36m", "\x1b[0m"),
            (false, _) => ("", ""),
        };
        let _ = write!(self.err, "{}: {start}{}{end} [{}]: {}", d.place, d.severity, d.code, d.message);
        if let Some(hint) = &d.hint {
            let _ = write!(self.err, " ({hint})");
        }
        let _ = writeln!(self.err);
    }

    /// An error on stderr, always shown.
    pub fn error(&mut self, message: impl std::fmt::Display) {
        let (start, end) = if self.colour { ("\x1b[1;31m", "\x1b[0m") } else { ("", "") };
        let _ = writeln!(self.err, "{start}error{end}: {message}");
    }
}
