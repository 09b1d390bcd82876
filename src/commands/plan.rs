//! `csp-report plan`: check the plan and print a summary of it: groups,
//! actions, leads, and the deadlines that fall in the current period; with
//! `--export FILE`, also write the plan as a workbook or as TOML.

use super::{load_plan_or_report, Outcome};
use crate::config::Config;
use crate::plan::Plan;
use crate::ui::Ui;
use anyhow::{bail, Context};
use std::path::Path;

pub fn run(config: &Config, export: Option<&Path>, ui: &mut Ui) -> anyhow::Result<Outcome> {
    let Some(plan) = load_plan_or_report(config, ui)? else { return Ok(Outcome::ProblemsFound) };
    if let Some(path) = export {
        export_plan(&plan, &config.plan, path)?;
        ui.info(format!("wrote the plan to {}", path.display()));
    }
    let p = &plan.partnership;
    let out = &mut *ui.out;
    writeln!(out, "{} — {} {}", p.name, p.plan_title, p.plan_year)?;
    writeln!(
        out,
        "{} strategic priorities, {} action groups, {} actions, {} lead agencies, {} glossary terms",
        plan.priorities.len(),
        plan.groups.len(),
        plan.actions().count(),
        plan.lead_agencies().count(),
        plan.glossary.len()
    )?;
    writeln!(out)?;
    writeln!(out, "Strategic priorities:")?;
    for priority in &plan.priorities {
        let groups: Vec<&str> = plan.groups_for_priority(&priority.id).iter().map(|g| g.name.as_str()).collect();
        writeln!(out, "  {} — reported by: {}", priority.name, groups.join(", "))?;
    }
    for group in &plan.groups {
        writeln!(out)?;
        let tags: Vec<&str> = group.tags.iter().filter_map(|t| plan.tag(t)).map(|t| t.name.as_str()).collect();
        writeln!(out, "{} ({}) — priorities: {}", group.name, plural(group.actions.len(), "action"), tags.join(", "))?;
        for action in &group.actions {
            let leads: Vec<&str> = action.leads.iter().filter_map(|l| plan.agency(l)).map(|a| a.name.as_str()).collect();
            writeln!(
                out,
                "  {:<5} {:<15} {}{}{}",
                action.id,
                action.timescale.written,
                leads.join(" / "),
                if action.new { "  [NEW]" } else { "" },
                changes(action)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Lead agencies:")?;
    for agency in plan.lead_agencies() {
        let ids: Vec<&str> = plan.actions_led_by(&agency.id).map(|a| a.id.as_str()).collect();
        writeln!(out, "  {:<24} {:<55} {}", agency.id, agency.name, ids.join(" "))?;
    }
    if let Some(period) = config.period {
        writeln!(out)?;
        let due: Vec<String> = plan
            .actions()
            .filter(|a| a.timescale.due_date().is_some_and(|d| d >= period.start() && d <= period.end()))
            .map(|a| format!("{} ({})", a.id, a.timescale.written))
            .collect();
        if due.is_empty() {
            writeln!(out, "No deadlines fall in {period}.")?;
        } else {
            writeln!(out, "Deadlines falling in {period}: {}", due.join(", "))?;
        }
    }
    Ok(Outcome::Success)
}

/// The action's changes, for the summary: `  [added 2018-19 Q2]`,
/// `  [merged into CS2 from 2018-19 Q3]`, `  [from 2018-19/CS1]`.
fn changes(action: &crate::plan::Action) -> String {
    use crate::plan::Departure;
    let mut out = String::new();
    if let Some(from) = &action.carried_from {
        out.push_str(&format!("  [from {from}]"));
    }
    if let Some(added) = &action.added {
        out.push_str(&format!("  [added {}]", added.period));
    }
    if let Some(left) = &action.withdrawn {
        let how = match &left.how {
            Departure::Withdrawn => "withdrawn".to_string(),
            Departure::Closed => "closed".to_string(),
            Departure::MergedInto(id) => format!("merged into {id}"),
        };
        out.push_str(&format!("  [{how} from {}]", left.change.period));
    }
    out
}

/// "1 action", "5 actions".
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Writes the plan to `path`, as a workbook or TOML by its extension. The
/// plan being read is never overwritten (its comments would be lost).
fn export_plan(plan: &Plan, source: &Path, path: &Path) -> anyhow::Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same(source, path) {
        bail!("--export {} would overwrite the plan it reads; export to another file", path.display());
    }
    let bytes = if crate::plan::workbook::is_workbook(path) {
        crate::plan::workbook::write_plan_workbook(plan).context("cannot write the plan workbook")?
    } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        crate::plan::export::to_toml(plan).into_bytes()
    } else {
        bail!("--export {}: name a .xlsx workbook or a .toml file", path.display());
    };
    // Written beside the target and renamed into place, so a failed run never leaves half a plan.
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    std::io::Write::write_all(&mut temp, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
