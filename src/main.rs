//! The `csp-report` binary: parse arguments, run the command, map the outcome
//! to an exit code (0 success, 1 problems in the data, 2 usage or I/O error).
//! The only place that exits.

use clap::Parser;
use csp_report::cli::Cli;
use csp_report::commands;
use csp_report::ui::Ui;
use std::process::ExitCode;

// See Cargo.toml: allocation-heavy PDF writing runs much faster on mimalloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h; the binding names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory waits before mimalloc returns it to the system, in
/// milliseconds: mimalloc 2's default. mimalloc 3 waits a second, and a build
/// frees and takes large buffers on every core within a second, so at county
/// scale it held a fifth more memory than with this (BENCHMARKS.md).
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() -> ExitCode {
    // SAFETY: sets one of mimalloc's options, which it reads at each purge; no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    // `csp-report __read-one …`: this process is a reader child (see returns::isolate).
    if let Some(code) = csp_report::returns::isolate::serve_child_if_asked() {
        return code;
    }
    if let Ok(program) = std::env::current_exe() {
        csp_report::returns::isolate::use_child_program(program);
    }
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
        // A closed pipe (`csp-report plan | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            ui.error(format!("{e:#}"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
