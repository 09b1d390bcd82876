//! Templates: the built-in ones render the real report data; a user's file
//! changes the wording without a rebuild; a misspelt field is an error naming
//! the template and line, and a broken user template falls back to the
//! built-in one with a warning.

#[path = "support/sample_progress.rs"]
mod sample_progress;

use csp_report::diagnostics::Severity;
use csp_report::forms::FormSettings;
use csp_report::render::context;
use csp_report::templates::Templates;
use sample_progress::sample_progress;
use std::fs;

/// The report context of a progress, with its sentences.
fn report_of(progress: &csp_report::progress::Progress) -> serde_json::Value {
    context::report(progress, &sample_progress::sentences(progress))
}

#[test]
fn every_built_in_template_renders_the_sample_quarter() {
    let progress = sample_progress();
    let (templates, diagnostics) = Templates::load(std::path::Path::new("/nonexistent/templates"));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let report = report_of(&progress);
    for name in ["cover.md", "introduction.md", "executive-summary.md", "commissioner-summary.md"] {
        let text = templates.render(name, &report).unwrap_or_else(|e| panic!("{e}"));
        assert!(!text.trim().is_empty(), "{name} is empty");
    }
    let cover = templates.render("cover.md.hbs", &report).unwrap();
    assert!(cover.contains("Community Safety Partnership Plan 2018\\-19"), "{cover}");
    assert!(cover.contains("2018\\-19 Q3 \\(October to December 2018\\)"), "period escaped for Markdown: {cover}");

    let summary = templates.render("executive-summary.md", &report).unwrap();
    let totals = &progress.totals;
    assert!(summary.contains(&format!("{} key actions", totals.actions)), "{summary}");
    assert!(summary.contains(&format!("**{}\\%**", totals.on_track_or_complete_percent)), "{summary}");
    assert!(summary.contains("Preston Genga Group"), "missing return named: {summary}");

    for group in &progress.groups {
        let data = context::for_group(&progress, &sample_progress::sentences(&progress), &group.id).unwrap();
        let text = templates.render("group-introduction.md", &data).unwrap();
        assert!(text.contains(&format!("{} key action", group.counts.actions)), "{text}");
    }

    for priority in &progress.priorities {
        let data = context::for_priority(&progress, &sample_progress::sentences(&progress), &priority.id).unwrap();
        let text = templates.render("priority-introduction.md", &data).unwrap();
        assert!(text.contains(&format!("{} key action", priority.counts.actions)), "{text}");
        assert!(
            text.contains(&csp_report::templates::markdown_escape(&progress.groups[2].name)),
            "Early Intervention serves every priority: {text}"
        );
    }

    // Its groups are the PDF's chart, one line each (tests/board_pack.rs).
    let commissioners = templates.render("commissioner-summary.md", &report).unwrap();
    let share = format!("**{}\\%** are complete or on track", progress.totals.on_track_or_complete_percent);
    assert!(commissioners.contains(&share), "{commissioners}");
}

#[test]
fn a_users_template_changes_the_wording_without_a_rebuild() {
    let progress = sample_progress();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("cover.md.hbs"), "Report of the {{partnership.short_name}} for {{period.name}}\n").unwrap();
    let (templates, diagnostics) = Templates::load(dir.path());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let text = templates.render("cover.md", &report_of(&progress)).unwrap();
    assert_eq!(text, "Report of the Preston CSP for 2018\\-19 Q3\n");
    assert!(templates.take_diagnostics().is_empty());
    assert_eq!(templates.overridden().map(|(name, _)| name).collect::<Vec<_>>(), ["cover.md"]);
    // Other templates stay built in.
    assert!(templates.render("introduction.md", &report_of(&progress)).unwrap().contains("key actions"));
}

/// The shipped `templates/` folder is the built-in templates, unchanged: it
/// replaces nothing, so nothing is compiled twice; a copy changed in one
/// word replaces its template.
#[test]
fn the_shipped_templates_folder_changes_nothing_until_a_template_is_edited() {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let (templates, diagnostics) = Templates::load(&shipped);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(templates.overridden().count(), 0);

    let dir = tempfile::tempdir().unwrap();
    let edited = fs::read_to_string(shipped.join("introduction.md.hbs")).unwrap().replace("key actions", "key tasks");
    fs::write(dir.path().join("introduction.md.hbs"), edited).unwrap();
    fs::copy(shipped.join("cover.md.hbs"), dir.path().join("cover.md.hbs")).unwrap();
    let (templates, _) = Templates::load(dir.path());
    assert_eq!(templates.overridden().map(|(name, _)| name).collect::<Vec<_>>(), ["introduction.md"]);
    assert!(templates.render("introduction.md", &report_of(&sample_progress())).unwrap().contains("key tasks"));
}

#[test]
fn a_misspelt_field_names_the_template_and_line_and_the_built_in_is_used() {
    let progress = sample_progress();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("introduction.md.hbs");
    fs::write(&path, "First line.\n\nWelcome to {{partnershp.name}}.\n").unwrap();
    let (templates, diagnostics) = Templates::load(dir.path());
    assert!(diagnostics.is_empty(), "it compiles: {diagnostics:?}");
    let data = report_of(&progress);

    let error = templates.render_override("introduction.md", &data).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("introduction.md.hbs"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("partnershp"), "{message}");
    assert_eq!(error.line, Some(3));

    let text = templates.render("introduction.md", &data).unwrap();
    assert!(text.contains("This report sets out"), "built-in used: {text}");
    let warnings = templates.take_diagnostics();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].severity, Severity::Warning);
    assert_eq!(warnings[0].code, "template-failed");
    assert_eq!(warnings[0].place.file, path.display().to_string());
    assert_eq!(warnings[0].place.cell_text().as_deref(), Some("line 3"));
    // Rendering again does not repeat the warning.
    templates.render("introduction.md", &data).unwrap();
    templates.render("introduction.md", &data).unwrap();
    assert_eq!(templates.take_diagnostics().len(), 1);
}

#[test]
fn a_misspelt_field_in_an_if_is_an_error_too() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("cover.md.hbs"), "{{#if totals.rde}}Red!{{/if}}\n").unwrap();
    let (templates, _) = Templates::load(dir.path());
    let error = templates.render_override("cover.md", &report_of(&sample_progress())).unwrap_err();
    assert!(error.to_string().contains("totals.rde"), "{error}");
}

#[test]
fn a_built_in_template_given_the_wrong_data_names_itself() {
    let templates = Templates::built_in();
    let error = templates.render("cover.md", &serde_json::json!({"partnership": {"name": "X"}})).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("template cover.md.hbs"), "{message}");
    assert!(message.contains("line"), "{message}");
    let unknown = templates.render("nonesuch.md", &serde_json::json!({})).unwrap_err();
    assert!(unknown.to_string().contains("no template"), "{unknown}");
}

#[test]
fn a_broken_or_misnamed_user_template_is_a_warning_and_the_built_in_is_used() {
    let progress = sample_progress();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("cover.md.hbs"), "line one\n{{#if partnership.name}}unclosed\n").unwrap();
    fs::write(dir.path().join("cuver.md.hbs"), "misnamed\n").unwrap();
    fs::write(dir.path().join("notes.txt"), "not a template, ignored\n").unwrap();
    let (templates, diagnostics) = Templates::load(dir.path());
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["template-invalid", "template-unknown"], "{diagnostics:?}");
    assert!(diagnostics.iter().all(|d| d.severity == Severity::Warning));
    assert!(diagnostics.iter().next().unwrap().place.file.ends_with("cover.md.hbs"));
    let cover = templates.render("cover.md", &report_of(&progress)).unwrap();
    assert_eq!(cover, Templates::built_in().render("cover.md", &report_of(&progress)).unwrap());
}

#[test]
fn text_from_returns_is_literal_in_markdown_and_escaped_in_html() {
    let templates = Templates::built_in();
    let mut data = report_of(&sample_progress());
    data["partnership"]["name"] = serde_json::json!("*Emphasis* <b>bold</b> [link](x)");
    data["partnership"]["plan_title"] = serde_json::json!("*Emphasis* <b>bold</b> [link](x)");
    let cover = templates.render("cover.md", &data).unwrap();
    assert!(cover.starts_with(r"\*Emphasis\* \<b\>bold\<\/b\> \[link\]\(x\)"), "{cover}");
    let progress = sample_progress();
    let sentences = sample_progress::sentences(&progress);
    let actions = context::GroupActions { progress: &progress, sentences: &sentences };
    let data = {
        let mut d = data.clone();
        for g in d["groups"].as_array_mut().unwrap() {
            g["chart_width"] = serde_json::json!(100);
        }
        d
    };
    let html = templates.render_with("board-report.html", &data, Some(&actions));
    let html = html.unwrap();
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"));
    assert!(!html.contains("<b>bold</b>"));
}

#[test]
fn reminders_render_as_plain_text() {
    let progress = sample_progress();
    let templates = Templates::built_in();
    let genga = progress.agencies.iter().find(|a| a.id == "genga").unwrap();
    let forms = FormSettings {
        deadline: chrono::NaiveDate::from_ymd_opt(2019, 1, 14).unwrap(),
        contact: "Jo Bloggs, csp@preston.example".to_string(),
        generated: progress.period.end(),
    };
    let text = templates.render("reminder.txt", &context::reminder(&progress, genga, &forms)).unwrap();
    assert!(text.contains("Preston Genga Group"), "{text}");
    // Produced after the deadline (merge decided it had passed), and naming whom to ask.
    assert!(progress.deadline_passed);
    assert!(text.contains("as soon as you can (returns were due on 14 January 2019) so that"), "{text}");
    assert!(text.contains("Questions about the return: Jo Bloggs, csp@preston.example."), "{text}");
    let mut early = progress.clone();
    early.deadline = progress.produced + chrono::Days::new(7);
    early.deadline_passed = false;
    let text = templates.render("reminder.txt", &context::reminder(&early, genga, &forms)).unwrap();
    assert!(text.contains(&format!("send it back by {} so that", csp_report::templates::uk_date(early.deadline))), "{text}");
    assert!(text.contains("We have not yet received your quarterly return"), "{text}");
    for id in &genga.actions_missing {
        assert!(text.contains(&format!("{id}: ")), "{id} listed: {text}");
    }
    // Plain text: nothing escaped.
    assert!(text.contains("Lancashire Children's") || !text.contains("&#x27;"), "{text}");
}

#[test]
fn a_reminder_is_written_for_each_agency_with_missing_returns() {
    use csp_report::render::{reminders::Reminders, RenderContext, Renderer};
    let progress = sample_progress();
    let plan = sample_progress::plan();
    let templates = Templates::built_in();
    let ctx = RenderContext {
        progress: &progress,
        plan: &plan,
        templates: &templates,
        forms: &FormSettings::new(&Default::default(), progress.period),
        sentences: &sample_progress::sentences(&progress),
    };
    let rendered = Reminders.render(&ctx).unwrap();
    let expected: Vec<_> = progress.agencies.iter().filter(|a| a.reminder_due).collect();
    assert_eq!(rendered.files.len(), expected.len());
    assert!(expected.iter().any(|a| a.state.arrived()), "the sample has a partial return");
    for (file, agency) in rendered.files.iter().zip(&expected) {
        assert_eq!(file.path, std::path::PathBuf::from(format!("reminders/{}.txt", agency.id)));
        let text = String::from_utf8(file.bytes.clone()).unwrap();
        assert!(text.starts_with("Subject: Preston CSP quarterly return for 2018-19 Q3"), "{text}");
        assert!(text.contains(&format!("To: {}", agency.name)), "{text}");
        for id in &agency.actions_missing {
            assert!(text.contains(&format!("  {id}: ")), "{} lists {id}:\n{text}", agency.id);
        }
        for id in &agency.actions_returned {
            assert!(!text.contains(&format!("  {id}: ")), "{} does not list {id}, which it reported:\n{text}", agency.id);
        }
        for rejected in &agency.actions_rejected {
            let cell = rejected.rejection.place.cell_text().unwrap();
            assert!(text.contains(&cell) && text.contains(&rejected.rejection.problem), "{} names {cell}:\n{text}", agency.id);
        }
        let opening = if agency.state.arrived() { "Thank you for your return" } else { "We have not yet received" };
        assert!(text.contains(opening), "{text}");
        assert!(!text.contains("&#") && !text.contains("&amp;") && !text.contains("\n\n\n"), "plain text, tidy:\n{text}");
    }
    let again = Reminders.render(&ctx).unwrap();
    assert_eq!(again.files, rendered.files, "deterministic");
}

#[test]
fn partials_and_decorators_in_a_users_template_are_refused_not_run() {
    // An inline partial that includes itself would recurse until the stack
    // overflows and abort the build: such templates are refused at load.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("cover.md.hbs"), "{{#if period}}{{#*inline \"a\"}}x{{> a}}{{/inline}}{{> a}}{{/if}}").unwrap();
    fs::write(dir.path().join("introduction.md.hbs"), "{{#each groups}}{{else}}{{> cover.md}}{{/each}}").unwrap();
    let (templates, diagnostics) = Templates::load(dir.path());
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["template-invalid", "template-invalid"], "{diagnostics:?}");
    assert_eq!(templates.overridden().count(), 0);
    let data = report_of(&sample_progress());
    assert_eq!(templates.render("cover.md", &data).unwrap(), Templates::built_in().render("cover.md", &data).unwrap());
}

#[test]
fn a_renderer_reports_a_failing_user_template_once_and_still_writes() {
    use csp_report::render::{html::HtmlReport, reminders::Reminders, RenderContext, Renderer};
    let progress = sample_progress();
    let plan = sample_progress::plan();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("reminder.txt.hbs"), "Dear {{agency.nmae}}\n").unwrap();
    fs::write(dir.path().join("board-report.html.hbs"), "<p>{{partnership.nmae}}</p>\n").unwrap();
    let (templates, _) = Templates::load(dir.path());
    let ctx = RenderContext {
        progress: &progress,
        plan: &plan,
        templates: &templates,
        forms: &FormSettings::new(&Default::default(), progress.period),
        sentences: &sample_progress::sentences(&progress),
    };
    let reminders = Reminders.render(&ctx).unwrap();
    assert!(reminders.files.len() > 1);
    assert_eq!(reminders.diagnostics.len(), 1, "{:?}", reminders.diagnostics);
    assert!(reminders.diagnostics[0].message.contains("agency.nmae"), "{}", reminders.diagnostics[0]);
    assert!(String::from_utf8_lossy(&reminders.files[0].bytes).starts_with("Subject:"), "built-in used");
    let html = HtmlReport.render(&ctx).unwrap();
    assert_eq!(html.diagnostics.len(), 1);
    assert_eq!(html.diagnostics[0].place.cell_text().as_deref(), Some("line 1"));
    assert!(String::from_utf8_lossy(&html.files[0].bytes).starts_with("<!DOCTYPE html>"), "built-in used");
    assert!(templates.take_diagnostics().is_empty(), "reported by the renderers, not kept");
}

/// One report context, its `group` swapped between renders (as the PDFs do),
/// renders each group's own introduction, the same as a context built for it.
#[test]
fn template_data_swaps_the_group_between_renders() {
    use csp_report::templates::TemplateData;
    let progress = sample_progress();
    let templates = Templates::built_in();
    let mut data = TemplateData::new(report_of(&progress));
    assert!(progress.groups.len() >= 2);
    for group in &progress.groups {
        data.set("group", context::group_entry(&progress, &group.id).unwrap());
        let swapped = templates.render("group-introduction.md", &data).unwrap();
        let fresh = templates
            .render("group-introduction.md", &context::for_group(&progress, &sample_progress::sentences(&progress), &group.id).unwrap())
            .unwrap();
        assert_eq!(swapped, fresh, "{}", group.id);
        assert!(swapped.contains(&format!("{} key action", group.counts.actions)), "{swapped}");
    }
}

/// Reminder files are named from agency ids made safe for Windows: no
/// forbidden character, no device name, no trailing dot, and two ids that
/// make one name still make two files.
#[test]
fn reminder_file_names_are_safe_on_windows_and_never_collide() {
    use csp_report::render::{reminders::Reminders, RenderContext, Renderer};
    let mut progress = sample_progress();
    let plan = sample_progress::plan();
    let missing: Vec<usize> = (0..progress.agencies.len()).filter(|&i| progress.agencies[i].reminder_due).collect();
    assert!(missing.len() >= 2, "the sample has two agencies to remind");
    progress.agencies[missing[0]].id = "CON".into();
    progress.agencies[missing[1]].id = "con".into();
    if let Some(&third) = missing.get(2) {
        progress.agencies[third].id = "a<b>:\"c\"/d\\e|f?g*. ".into();
    }
    let templates = Templates::built_in();
    let forms = FormSettings::new(&Default::default(), progress.period);
    let sentences = sample_progress::sentences(&progress);
    let ctx = RenderContext { progress: &progress, plan: &plan, templates: &templates, forms: &forms, sentences: &sentences };
    let names: Vec<String> = Reminders.render(&ctx).unwrap().files.iter().map(|f| f.path.display().to_string()).collect();
    assert!(names.contains(&"reminders/con-agency.txt".to_string()), "{names:?}");
    assert!(names.contains(&"reminders/con-agency-2.txt".to_string()), "{names:?}");
    if missing.len() > 2 {
        assert!(names.contains(&"reminders/a-b-c-d-e-f-g.txt".to_string()), "{names:?}");
    }
    for name in &names {
        let file = name.strip_prefix("reminders/").unwrap();
        assert!(!file.contains(['<', '>', ':', '"', '/', '\\', '|', '?', '*']) && !file.ends_with(['.', ' ']), "{file}");
    }
}

/// The PDFs' passages get the quarter without the action lists (the PDFs lay
/// out every action themselves). The HTML report's template walks the
/// groups' actions with `each_action`, each made when reached, so neither
/// context holds them.
#[test]
fn no_context_holds_every_action_and_the_html_walks_them_all() {
    use csp_report::templates::Items;
    let progress = sample_progress();
    let sentences = sample_progress::sentences(&progress);
    let html = context::report(&progress, &sentences);
    let prose = context::prose(&progress, &sentences);
    let listed = |v: &serde_json::Value, list: &str| -> usize {
        v[list].as_array().unwrap().iter().map(|g| g["actions"].as_array().map_or(0, Vec::len)).sum()
    };
    assert_eq!(listed(&html, "groups"), 0);
    assert_eq!(listed(&prose, "groups"), 0);
    assert_eq!(listed(&prose, "priorities"), 0);
    assert_eq!(listed(&html, "priorities"), progress.priorities.iter().map(|p| p.action_ids.len()).sum::<usize>());
    // Everything else is the same.
    for key in ["totals", "exceptions", "agencies", "period", "partnership", "groups"] {
        assert_eq!(html[key], prose[key], "{key}");
    }
    let group = &progress.groups[0];
    let entry = context::group_entry(&progress, &group.id).unwrap();
    assert!(entry.get("actions").is_none(), "{entry}");
    // The HTML's block walks each group's actions in order, in full.
    let actions = context::GroupActions { progress: &progress, sentences: &sentences };
    for g in &progress.groups {
        assert_eq!(actions.count(&g.id), Some(g.actions.len()));
        for (i, a) in g.actions.iter().enumerate() {
            let item = actions.item(&g.id, i);
            assert_eq!(item["id"], a.id.as_str());
            assert_eq!(item["leads"].as_array().unwrap().len(), a.leads.len());
        }
    }
    assert_eq!(actions.count("no-such-group"), None);
}

/// A user's HTML template walks each group's actions with `each_action`, as
/// `{{#each}}` walks a list; an older copy that still reads a group's
/// `actions` list is reported and the built-in template used.
#[test]
fn each_action_walks_a_groups_actions_and_an_old_actions_list_is_reported() {
    let progress = sample_progress();
    let sentences = sample_progress::sentences(&progress);
    let actions = context::GroupActions { progress: &progress, sentences: &sentences };
    let mut data = context::report(&progress, &sentences);
    // The bars' lengths, which the HTML renderer adds.
    for g in data["groups"].as_array_mut().unwrap() {
        g["chart_width"] = serde_json::json!(100);
    }
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("board-report.html.hbs"),
        "{{#each groups}}[{{#each_action id}}{{#unless @first}},{{/unless}}{{@index}}:{{id}}{{#if @last}}.{{/if}}{{else}}none{{/each_action}}]{{/each}}",
    )
    .unwrap();
    let (templates, diagnostics) = Templates::load(dir.path());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let text = templates.render_with("board-report.html", &data, Some(&actions)).unwrap();
    let expected: String = progress
        .groups
        .iter()
        .map(|g| {
            let listed: Vec<String> = g.actions.iter().enumerate().map(|(i, a)| format!("{i}:{}", a.id)).collect();
            if listed.is_empty() {
                "[none]".to_string()
            } else {
                format!("[{}.]", listed.join(","))
            }
        })
        .collect();
    assert_eq!(text, expected);
    assert!(templates.take_diagnostics().is_empty());

    fs::write(dir.path().join("board-report.html.hbs"), "{{#each groups}}{{#each actions}}{{id}}{{/each}}{{/each}}").unwrap();
    let (templates, _) = Templates::load(dir.path());
    let text = templates.render_with("board-report.html", &data, Some(&actions)).unwrap();
    assert!(text.contains(&progress.groups[0].actions[0].id), "the built-in template was used");
    let warnings = templates.take_diagnostics();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].code, "template-failed");
    assert!(warnings[0].message.contains("actions"), "{}", warnings[0].message);
}
