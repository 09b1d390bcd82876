//! `csp-report build`: read the returns, find the previous period's results,
//! merge, run every renderer, and write the files into
//! `<output>/<period slug>/` under the output folder's lock, atomically (see
//! [`crate::output`]). Prints a text summary on stdout: per group a line of
//! counts, the exceptions with their reasons and leads, then the data
//! problems and the row account.
//!
//! Problems in the returns do not fail the build: they are counted in the
//! summary and listed in `validation.csv` (written last, with the problems
//! met while building the outputs), and the build exits 0 once its
//! outputs are written (`validate` is the command that exits 1 on them).
//! It exits 2 when it cannot run or write: no period, an unreadable plan or
//! returns folder, the output folder locked by another run, a renderer that
//! failed, or a disk or permission error (the message names the path).

use super::{load_plan_or_report, Outcome};
use crate::config::Config;
use crate::forms::FormSettings;
use crate::history::{find_previous, find_year};
use crate::merge::{merge_with_year, MergeInput};
use crate::output::{ensure_outside_inputs, OutputFolder};
use crate::plan::{Period, Plan};
use crate::progress::{Counts, Progress, Subject};
use crate::render::csv::validation_file;
use crate::render::sentences::Sentences;
use crate::render::{reminders, renderers, OutputFile, RenderContext};
use crate::returns::{read_returns_with, ReadOptions, ReadReport, READER_NOT_ISOLATED, READER_NOT_LIMITED};
use crate::status::Status;
use crate::templates::Templates;
use crate::ui::Ui;
use crate::vocabulary::counted;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(config: &Config, ui: &mut Ui) -> anyhow::Result<Outcome> {
    let period = config.require_period()?;
    // The templates are compiled on a thread of their own while the plan
    // is loaded and the returns read, which leave a core idle much of the
    // time: compiling them (the HTML report's above all: handlebars finds
    // each token's line by counting from the start) was a third of the
    // Preston example's build.
    let templates_folder = config.templates.clone();
    let compiling = std::thread::spawn(move || Templates::load(&templates_folder));
    let Some(plan) = load_plan_or_report(config, ui)? else { return Ok(Outcome::ProblemsFound) };
    if !config.returns.is_dir() {
        anyhow::bail!("the returns folder {} does not exist or is not a folder", config.returns.display());
    }
    let plan_folder = config.plan.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let period_folder = config.output.join(period.slug());
    // The plan's own folder counts as input only when it is not also the
    // project folder that holds the output folder (input/plan.toml vs ./plan.toml).
    let plan_input = (!absolute_starts_with(&config.output, plan_folder)).then_some(plan_folder);
    ensure_outside_inputs(&period_folder, &[Some(config.returns.as_path()), plan_input].into_iter().flatten().collect::<Vec<_>>())?;
    // Lock first: a second build on the same output folder stops here.
    let folder = OutputFolder::lock(&config.output)?;

    ui.info(format!("Reading returns from {} for {period}", config.returns.display()));
    let options = ReadOptions { period: Some(period), limits: config.limits };
    let read = read_returns_with(&config.returns, &plan, &options, &crate::ui::ReadProgressBar::new(ui.quiet));
    // Problems in the returns are only counted here (validate lists them),
    // but a reader that ran unprotected is about this run, not a return: say it.
    for d in read.diagnostics.iter().filter(|d| [READER_NOT_ISOLATED, READER_NOT_LIMITED].contains(&d.code)) {
        ui.diagnostic(d);
    }
    let forms = FormSettings::for_period(config, period);
    let progress = merge_with_history(config, &plan, period, &read, &forms);
    let (templates, template_diagnostics) = compiling.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    // Problems met while building the outputs, for the terminal and validation.csv.
    let mut building_diagnostics: Vec<_> = template_diagnostics.into_iter().collect();
    let mut files = Vec::new();
    let mut failed = Vec::new();
    let sentences = match Sentences::render(&templates, &progress, &mut building_diagnostics) {
        Ok(sentences) => sentences,
        Err(e) => {
            failed.push(e.to_string());
            Sentences::default()
        }
    };
    let ctx = RenderContext { progress: &progress, plan: &plan, templates: &templates, forms: &forms, sentences: &sentences };
    // The renderers run side by side (the PDFs spread over the cores
    // themselves); their files and messages are taken in renderer order.
    use rayon::prelude::*;
    let results: Vec<_> = renderers().par_iter().map(|renderer| renderer.render(&ctx)).collect();
    for result in results {
        match result {
            Ok(rendered) => {
                building_diagnostics.extend(rendered.diagnostics);
                files.extend(rendered.files);
            }
            Err(e) => failed.push(e.to_string()),
        }
    }
    // And user templates that failed in the PDFs' prose (the built-in ones were used).
    building_diagnostics.extend(templates.take_diagnostics());
    for d in &building_diagnostics {
        ui.diagnostic(d);
    }
    let (drafts, without_form) = reminder_drafts(&files, &plan, &progress, &period_folder.join("forms"));
    files.extend(drafts);
    match validation_file(&progress.diagnostics, &building_diagnostics) {
        Ok(file) => files.push(file),
        Err(e) => failed.push(e.to_string()),
    }

    let written = folder.write(Path::new(&period.slug()), &files)?;
    drop(folder);
    if without_form > 0 {
        ui.info(format!(
            "{} no form attached: run `csp-report forms` first to have each reminder carry its agency's form from {}",
            counted(without_form, "reminder draft has", "reminder drafts have"),
            period_folder.join("forms").display()
        ));
    }
    if !ui.quiet {
        write_summary(&mut *ui.out, &progress, &sentences, &period_folder, &written)?;
    }
    if !failed.is_empty() {
        anyhow::bail!("{} failed, so the board pack is incomplete: {}", counted(failed.len(), "renderer", "renderers"), failed.join("; "));
    }
    Ok(Outcome::Success)
}

/// Finds the previous quarter's results and the earlier quarters of the
/// year, and merges them with the plan and the returns read.
fn merge_with_history(config: &Config, plan: &Plan, period: Period, read: &ReadReport, forms: &FormSettings) -> Progress {
    let returns_label = config.returns.display().to_string();
    let (previous, mut history_diagnostics) = find_previous(&config.history, &returns_label, plan, period, read);
    // The earlier quarters of the year, for each action's history and the
    // persistent exceptions; the previous quarter is the one just found.
    let (year, year_diagnostics) = find_year(&config.history, &returns_label, plan, period, read, previous.as_ref());
    history_diagnostics.extend(year_diagnostics);
    merge_with_year(
        &MergeInput {
            plan,
            period,
            read,
            previous: previous.as_ref(),
            produced: config.produced_date(period),
            deadline: forms.deadline,
            extra_diagnostics: &history_diagnostics,
        },
        &year,
    )
}

/// Each reminder as an `.eml` draft beside its `.txt`: the same words (the
/// `Subject:` line its subject), addressed to the agency's contact, with the
/// agency's form for the period attached when `forms_folder` holds it.
/// Returns the drafts and how many went without a form.
fn reminder_drafts(files: &[OutputFile], plan: &Plan, progress: &Progress, forms_folder: &Path) -> (Vec<OutputFile>, usize) {
    let folder = Path::new(reminders::FOLDER);
    let mut drafts = Vec::new();
    let mut without_form = 0;
    for (agency_progress, txt) in reminders::named(progress).into_iter().filter(|(a, _)| a.reminder_due) {
        let Some(agency) = plan.agency(&agency_progress.id) else { continue };
        let Some(file) = files.iter().find(|f| f.path == folder.join(&txt)) else { continue };
        let text = String::from_utf8_lossy(&file.bytes);
        let fallback = format!("{} quarterly return for {}", plan.partnership.short_name, progress.period);
        let (subject, body) = crate::drafts::split_subject(&text, &fallback);
        let form_name = crate::forms::form_file_name(progress.period, &agency.id);
        let form = std::fs::read(forms_folder.join(&form_name)).ok();
        without_form += usize::from(form.is_none());
        let draft = crate::drafts::EmailDraft {
            agency,
            subject: &subject,
            body: &body,
            attachment: form.as_deref().map(|bytes| crate::drafts::Attachment {
                file_name: &form_name,
                content_type: crate::drafts::XLSX,
                bytes,
            }),
            date: progress.produced,
        };
        let stem = txt.strip_suffix(".txt").unwrap_or(&txt);
        drafts.push(OutputFile { path: folder.join(crate::drafts::eml_name(stem)), bytes: draft.to_eml() });
    }
    (drafts, without_form)
}

/// Whether `path` lies inside `folder` once both are made absolute.
fn absolute_starts_with(path: &Path, folder: &Path) -> bool {
    let abs = |p: &Path| std::path::absolute(p).ok().and_then(|a| a.canonicalize().ok().or(Some(a)));
    matches!((abs(path), abs(folder)), (Some(p), Some(f)) if p.starts_with(&f))
}

/// The summary on stdout.
fn write_summary(
    out: &mut dyn Write,
    progress: &Progress,
    sentences: &Sentences,
    folder: &Path,
    written: &[PathBuf],
) -> anyhow::Result<()> {
    let p = progress;
    writeln!(out, "{} — progress for {}", p.partnership.name, p.period.long_name())?;
    match (&p.previous_period, &p.history_source) {
        (Some(prev), Some(source)) => writeln!(out, "Trend is measured against {prev} ({source}).")?,
        _ => writeln!(out, "No results for the previous quarter, so no trend is shown.")?,
    }
    writeln!(out)?;

    let width = p.groups.iter().map(|g| g.name.chars().count()).max().unwrap_or(0).max("All actions".len());
    let statuses = Status::ALL;
    write!(out, "{:<width$}  {:>7}", "Group", "Actions")?;
    for s in statuses {
        write!(out, "  {:>w$}", s.label(), w = s.label().len().max(3))?;
    }
    writeln!(out, "  {:>7}  {:>20}", "Overdue", "On track or complete")?;
    let line = |out: &mut dyn Write, name: &str, c: &Counts| -> std::io::Result<()> {
        write!(out, "{name:<width$}  {:>7}", c.actions)?;
        for s in statuses {
            write!(out, "  {:>w$}", c.of(s), w = s.label().len().max(3))?;
        }
        writeln!(out, "  {:>7}  {:>19}%", c.overdue, c.on_track_or_complete_percent)
    };
    for g in &p.groups {
        line(out, &g.name, &g.counts)?;
    }
    line(out, "All actions", &p.totals)?;
    writeln!(out)?;

    if p.exceptions.is_empty() {
        writeln!(out, "No exceptions for the board.")?;
    } else {
        writeln!(out, "Exceptions for the board. {}", sentences.exceptions_count)?;
        for (e, reasons) in p.exceptions.iter().zip(&sentences.reasons) {
            let subject = match &e.subject {
                Subject::Action { id, text, .. } => format!("{id} {}", shorten(text, 70)),
                Subject::Agency { name, .. } => name.clone(),
            };
            let kinds: Vec<&str> = e.reasons.iter().map(|r| r.kind().label()).collect();
            writeln!(out, "  {}: {subject}", kinds.join(" · "))?;
            for reason in reasons {
                writeln!(out, "      {reason}")?;
            }
            if !e.leads.is_empty() {
                writeln!(out, "      {}: {}", if e.leads.len() == 1 { "Lead" } else { "Leads" }, e.leads.join(", "))?;
            }
            for w in e.words.iter().filter(|w| !w.update.is_empty()) {
                writeln!(out, "      {}: \"{}\"", w.lead, shorten(&w.update, 100))?;
            }
            if !e.sources.is_empty() {
                let places: Vec<String> = e.sources.iter().map(|s| s.to_string()).collect();
                writeln!(out, "      From: {}", places.join("; "))?;
            }
        }
    }
    writeln!(out)?;

    let d = &p.diagnostic_counts;
    let problems = d.errors + d.warnings + d.notes;
    writeln!(
        out,
        "Data problems: {problems} ({}, {}, {}){}",
        counted(d.errors, "error", "errors"),
        counted(d.warnings, "warning", "warnings"),
        counted(d.notes, "note", "notes"),
        if problems > 0 { format!(", listed in {}", folder.join(crate::render::csv::VALIDATION_CSV).display()) } else { String::new() }
    )?;
    let notes = if d.rows_notes > 0 { format!(" + {} below the tables", counted(d.rows_notes, "note", "notes")) } else { String::new() };
    let unreadable = match d.files_unreadable {
        1 => "1 file could not be read".to_string(),
        n => format!("{n} files could not be read"),
    };
    writeln!(out, "Rows read: {} = {} accepted + {} rejected{notes}; {unreadable}.", d.rows_read, d.rows_accepted, d.rows_rejected)?;
    let names: Vec<String> = written.iter().map(|w| w.strip_prefix(folder).unwrap_or(w).display().to_string()).collect::<Vec<_>>();
    writeln!(out, "Wrote {} to {}: {}", counted(written.len(), "file", "files"), folder.display(), names.join(", "))
        .context("writing the summary")?;
    Ok(())
}

/// At most `max` characters on one line, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}
