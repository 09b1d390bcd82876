//! The command line: subcommands and their arguments (clap derive). Parsing
//! only; what each command does lives in [`crate::commands`].

use crate::plan::Reporting;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Turns a Community Safety Partnership's quarterly returns into a board pack.
///
/// The quarterly cycle: `forms` writes a return form per lead agency;
/// agencies fill them in; `validate` checks what came back; `build` merges
/// the returns with the plan and writes the reports.
#[derive(Debug, Parser)]
#[command(name = "csp-report", version, about, long_about = None, after_help = "Exit codes: 0 success, 1 problems found in the data, 2 usage or I/O error.")]
pub struct Cli {
    /// Config file [default: csp-report.toml in the current folder, if present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print only errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// When to colour messages (never when NO_COLOR is set).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice for messages on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the plan and print a summary of it.
    #[command(
        after_help = "Examples:\n  csp-report plan --period \"2018-19 Q3\"\n  csp-report plan --export input/plan.xlsx\n  csp-report plan --plan input/plan.xlsx"
    )]
    Plan(PlanArgs),
    /// Write one return form (.xlsx) per lead agency.
    #[command(after_help = "Example:\n  csp-report forms --period \"2018-19 Q3\" --out forms/")]
    Forms(FormsArgs),
    /// Read the returns and report every problem in them, by file and cell.
    #[command(after_help = "Example:\n  csp-report validate --period \"2018-19 Q3\" input/returns")]
    Validate(ValidateArgs),
    /// Merge the returns with the plan and write the period's reports.
    #[command(
        after_help = "Examples:\n  csp-report build --period \"2018-19 Q3\" --out output/\n  csp-report build --period 2018-19     (the year-end review, once its quarters are built)"
    )]
    Build(BuildArgs),
}

/// Arguments every command shares.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// The reporting period, e.g. "2018-19 Q3"; for `build`, a whole year ("2018-19") writes the year-end review [default: period in the config file]
    #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
    pub period: Option<Reporting>,

    /// The plan file, TOML or a workbook (.xlsx) [default: plan in the config file, else input/plan.toml]
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub common: Common,
    /// Also write the plan to FILE: a workbook (.xlsx) to keep the plan in
    /// Excel, or TOML (.toml)
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FormsArgs {
    #[command(flatten)]
    pub common: Common,
    /// Folder to write the forms into [default: OUTPUT/PERIOD/forms]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub common: Common,
    /// Folder of returns [default: returns in the config file, else input/returns]
    #[arg(value_name = "RETURNS_DIR")]
    pub returns_dir: Option<PathBuf>,
    /// Same as RETURNS_DIR.
    #[arg(long, value_name = "DIR", conflicts_with = "returns_dir")]
    pub returns: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: Common,
    /// Folder of returns [default: returns in the config file, else input/returns]
    #[arg(long, value_name = "DIR")]
    pub returns: Option<PathBuf>,
    /// Output folder; the period's reports go in a subfolder [default: output]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

fn parse_period(text: &str) -> Result<Reporting, String> {
    text.parse::<Reporting>().map_err(|e| e.to_string())
}
