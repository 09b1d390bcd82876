//! The subcommands: each takes the checked [`Config`] and a [`Ui`], runs the
//! library's stages, and returns how the run went. Nothing here exits; the
//! binary maps the outcome to an exit code.

mod build;
mod forms;
mod plan;
mod validate;
mod year;

use crate::cli::{Cli, Command, Common};
use crate::config::{Config, Overrides};
use crate::plan::Reporting;
use crate::ui::Ui;

/// How a command finished when it could run at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything fine: exit 0.
    Success,
    /// The data has problems (an invalid plan, errors in returns): exit 1.
    ProblemsFound,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::ProblemsFound => 1,
        }
    }
}

/// Runs the command the user asked for. `Err` is a usage or I/O error (exit 2).
pub fn run(cli: &Cli, ui: &mut Ui) -> anyhow::Result<Outcome> {
    let quarter = |common: &Common| match common.period {
        Some(Reporting::Quarter(p)) => Some(p),
        _ => None,
    };
    let overrides = |common: &Common| Overrides {
        config: cli.config.clone(),
        plan: common.plan.clone(),
        period: quarter(common),
        ..Overrides::default()
    };
    let common = match &cli.command {
        Command::Plan(args) => &args.common,
        Command::Forms(args) => &args.common,
        Command::Validate(args) => &args.common,
        Command::Build(args) => &args.common,
    };
    if let Some(Reporting::Year(year)) = common.period {
        let Command::Build(args) = &cli.command else {
            anyhow::bail!("--period {year} is a whole financial year, which only build takes (for the year-end review); give a quarter, such as \"{year} Q3\"");
        };
        let config = Config::load(&Overrides { returns: args.returns.clone(), output: args.out.clone(), ..overrides(&args.common) })?;
        return year::run(&config, year, ui);
    }
    match &cli.command {
        Command::Plan(args) => plan::run(&Config::load(&overrides(&args.common))?, args.export.as_deref(), ui),
        Command::Forms(args) => forms::run(&Config::load(&overrides(&args.common))?, args.out.as_deref(), ui),
        Command::Validate(args) => {
            let returns = args.returns_dir.clone().or_else(|| args.returns.clone());
            validate::run(&Config::load(&Overrides { returns, ..overrides(&args.common) })?, ui)
        }
        Command::Build(args) => {
            let config = Config::load(&Overrides { returns: args.returns.clone(), output: args.out.clone(), ..overrides(&args.common) })?;
            build::run(&config, ui)
        }
    }
}

/// Loads the plan; an invalid plan prints every problem and gives `None`.
fn load_plan_or_report(config: &Config, ui: &mut Ui) -> anyhow::Result<Option<crate::plan::Plan>> {
    match crate::plan::load_plan(&config.plan) {
        Ok(plan) => Ok(Some(plan)),
        Err(crate::plan::PlanError::Invalid { file, problems }) => {
            for d in &problems {
                ui.diagnostic(d);
            }
            ui.error(format!(
                "the plan {file} has {}; fix them and run again",
                crate::vocabulary::counted(problems.len(), "problem", "problems")
            ));
            Ok(None)
        }
        Err(e @ crate::plan::PlanError::Io { .. }) => Err(e.into()),
    }
}
