//! The `csp-report` binary: parse arguments, run the command, map the outcome
//! to an exit code (0 success, 1 problems in the data, 2 usage or I/O error).
//! The only place that exits.

use clap::Parser;
use csp_report::cli::Cli;
use csp_report::commands;
use csp_report::ui::Ui;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr());
    let mut ui = Ui { out: &mut out, err: &mut err, quiet: cli.quiet, colour: Ui::colour_wanted(cli.color) };
    match commands::run(&cli, &mut ui) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => {
            ui.error(format!("{e:#}"));
            ExitCode::from(2)
        }
    }
}
