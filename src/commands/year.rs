//! `csp-report build --period 2018-19`: the year-end review. Reads the
//! year's four quarters (each from `<output>/<quarter>/progress.csv`, else
//! from that quarter's returns), decides the year
//! ([`crate::merge::year::review_year`]) and writes `year.csv`,
//! `year-review.xlsx`, `year-review.pdf` and `validation.csv` into
//! `<output>/<year>/` under the output folder's lock, atomically. A quarter
//! with no data still builds: it shows as "no data" and is named in the
//! data problems. Exits as `build` does.

use super::{load_plan_or_report, Outcome};
use crate::config::Config;
use crate::history::find_whole_year;
use crate::merge::sort_diagnostics;
use crate::merge::year::review_year;
use crate::output::{ensure_outside_inputs, OutputFolder};
use crate::plan::FinancialYear;
use crate::render::csv::validation_file;
use crate::render::year::render_year;
use crate::returns::{read_returns_with, ReadOptions, READER_NOT_ISOLATED, READER_NOT_LIMITED};
use crate::ui::Ui;
use crate::vocabulary::counted;
use std::path::Path;

pub fn run(config: &Config, year: FinancialYear, ui: &mut Ui) -> anyhow::Result<Outcome> {
    let Some(plan) = load_plan_or_report(config, ui)? else { return Ok(Outcome::ProblemsFound) };
    if !config.returns.is_dir() {
        anyhow::bail!("the returns folder {} does not exist or is not a folder", config.returns.display());
    }
    let year_folder = config.output.join(year.slug());
    ensure_outside_inputs(&year_folder, &[config.returns.as_path()])?;
    let folder = OutputFolder::lock(&config.output)?;
    let [.., q4] = year.quarters();
    ui.info(format!("Reading returns from {} for the year {year}", config.returns.display()));
    // Read as for Q4: a workbook with a tab per quarter gives every quarter.
    let read = read_returns_with(
        &config.returns,
        &plan,
        &ReadOptions { period: Some(q4), limits: config.limits },
        &crate::ui::ReadProgressBar::new(ui.quiet),
    );
    for d in read.diagnostics.iter().filter(|d| [READER_NOT_ISOLATED, READER_NOT_LIMITED].contains(&d.code)) {
        ui.diagnostic(d);
    }
    let (quarters, mut diagnostics) = find_whole_year(&config.history, &config.returns.display().to_string(), &plan, year, &read);
    sort_diagnostics(&mut diagnostics);
    for d in &diagnostics {
        ui.diagnostic(d);
    }
    let review = review_year(&plan, year, &quarters, config.produced_date(q4), diagnostics);
    let (templates, template_diagnostics) = crate::templates::Templates::load(&config.templates);
    let mut rendered = render_year(&review, &templates)?;
    rendered.diagnostics.extend(template_diagnostics);
    rendered.diagnostics.extend(templates.take_diagnostics());
    for d in &rendered.diagnostics {
        ui.diagnostic(d);
    }
    let mut files = rendered.files;
    files.push(validation_file(&review.diagnostics, &rendered.diagnostics)?);
    let written = folder.write(Path::new(&year.slug()), &files)?;
    drop(folder);
    if !ui.quiet {
        let out = &mut *ui.out;
        let t = &review.totals;
        writeln!(out, "{} — the year {}", review.partnership.name, year.long_name())?;
        for q in &review.quarters {
            match &q.source {
                Some(source) => writeln!(out, "  {}: {source}", q.period)?,
                None => writeln!(out, "  {}: no data (no progress.csv and no returns)", q.period)?,
            }
        }
        writeln!(
            out,
            "{}: {} delivered, {} on track at year end, {} slipped, {} not started, {} withdrawn; {} carried forward.",
            crate::vocabulary::actions(t.actions),
            t.delivered,
            t.on_track,
            t.slipped,
            t.not_started,
            t.withdrawn,
            t.carried_forward
        )?;
        let names: Vec<String> = written.iter().map(|w| w.strip_prefix(&year_folder).unwrap_or(w).display().to_string()).collect();
        writeln!(out, "Wrote {} to {}: {}", counted(written.len(), "file", "files"), year_folder.display(), names.join(", "))?;
    }
    Ok(Outcome::Success)
}
