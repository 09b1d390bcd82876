//! `csp-report forms`: write one return form per lead agency for the period
//! into `--out` (default `OUTPUT/PERIOD/forms/`), each written to a temporary
//! file in the same folder and renamed into place, so a failed run never
//! leaves half a form. Prints one line per form and a summary, and a warning
//! for any cell cut to Excel's limit (the run still succeeds).

use super::{load_plan_or_report, Outcome};
use crate::config::Config;
use crate::forms::{build_forms, email_drafts, FormSettings};
use crate::history::find_previous;
use crate::returns::{read_returns, ReadOptions};
use crate::templates::Templates;
use crate::ui::Ui;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(config: &Config, out: Option<&Path>, ui: &mut Ui) -> anyhow::Result<Outcome> {
    let period = config.require_period()?;
    let Some(plan) = load_plan_or_report(config, ui)? else { return Ok(Outcome::ProblemsFound) };
    let folder: PathBuf = out.map(Path::to_path_buf).unwrap_or_else(|| config.output.join(period.slug()).join("forms"));
    std::fs::create_dir_all(&folder).with_context(|| format!("cannot create the folder {}", folder.display()))?;

    // Last quarter's status and update are pre-filled from the same history
    // `build` uses: the previous period's progress.csv, else its returns.
    let read = read_returns(&config.returns, &plan, &ReadOptions { period: Some(period), limits: config.limits });
    let (previous, _) = find_previous(&config.history, &config.returns.display().to_string(), &plan, period, &read);
    match &previous {
        Some(p) => ui.info(format!("Pre-filling last quarter's status and update from {}", p.source)),
        None => ui.info(format!("No results for {} found, so the forms carry no previous status", period.previous())),
    }
    let settings = FormSettings::for_period(config, period);
    let forms = build_forms(&plan, period, previous.as_ref(), &settings)?;
    // Each form's covering email, a draft to open and send (nothing is sent).
    let (templates, template_diagnostics) = Templates::load(&config.templates);
    let mut email_diagnostics: Vec<_> = template_diagnostics.into_iter().collect();
    let drafts = email_drafts(&plan, &forms, period, &settings, &templates, &mut email_diagnostics)?;

    for form in &forms {
        let path = folder.join(&form.file_name);
        write_atomically(&folder, &path, &form.bytes)?;
        writeln!(
            ui.out,
            "{:<24} {:>2} action{}  {}",
            form.agency_id,
            form.actions,
            if form.actions == 1 { " " } else { "s" },
            path.display()
        )?;
    }
    for (name, bytes, _) in &drafts {
        write_atomically(&folder, &folder.join(name), bytes)?;
    }
    let unaddressed = drafts.iter().filter(|(_, _, addressed)| !addressed).count();
    ui.info(format!(
        "Wrote {} to send, each with its form attached{}",
        crate::vocabulary::counted(drafts.len(), "email draft (.eml)", "email drafts (.eml)"),
        if unaddressed == 0 {
            String::new()
        } else {
            format!(
                "; {} no contact email in the plan, so fill in To before sending",
                crate::vocabulary::counted(unaddressed, "agency has", "agencies have")
            )
        }
    ));
    for d in &email_diagnostics {
        ui.diagnostic(d);
    }
    // Cells cut to Excel's limit are warnings: the form is written and usable,
    // but the coordinator should know what it does not show.
    for d in forms.iter().flat_map(|f| &f.diagnostics) {
        ui.diagnostic(d);
    }
    let actions: usize = forms.iter().map(|f| f.actions).sum();
    writeln!(
        ui.out,
        "Wrote {} forms for {period} ({} action rows) to {}; returns are due by {}.",
        forms.len(),
        actions,
        folder.display(),
        settings.deadline.format("%d/%m/%Y")
    )?;
    Ok(Outcome::Success)
}

/// Writes `bytes` to a temporary file in `folder`, then renames it to `path`.
fn write_atomically(folder: &Path, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut temp = tempfile::Builder::new()
        .prefix(".csp-report-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .with_context(|| format!("cannot create a temporary file in {}", folder.display()))?;
    temp.write_all(bytes).and_then(|()| temp.flush()).with_context(|| format!("cannot write {}", path.display()))?;
    // Temporary files are private (0600); a form is an ordinary document.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644));
    }
    temp.persist(path).map_err(|e| e.error).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
