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

/// A progress bar for reading returns (indicatif), on stderr. Drawn only
/// when stderr is a terminal, `--quiet` is off and there are enough files to
/// be worth it; otherwise it draws nothing. Cleared when reading finishes,
/// so the diagnostics that follow print on a clean line.
pub struct ReadProgressBar {
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
    enabled: bool,
}

impl ReadProgressBar {
    /// Fewer files than this read in a blink: no bar.
    pub const MIN_FILES: usize = 20;

    pub fn new(quiet: bool) -> ReadProgressBar {
        ReadProgressBar { bar: std::sync::OnceLock::new(), enabled: !quiet && std::io::stderr().is_terminal() }
    }
}

impl crate::returns::ReadProgress for ReadProgressBar {
    fn start(&self, files: usize) {
        if !self.enabled || files < Self::MIN_FILES {
            return;
        }
        let bar = indicatif::ProgressBar::with_draw_target(Some(files as u64), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("reading returns {bar:40} {pos}/{len} files {elapsed}") {
            bar.set_style(style);
        }
        let _ = self.bar.set(bar);
    }

    fn file_done(&self, _file: &str) {
        if let Some(bar) = self.bar.get() {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
