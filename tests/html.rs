//! The accessible HTML board report: parsed with html5ever (through scraper)
//! and checked the way a reviewer would: valid structure, every status in
//! words, every table captioned with scoped headers, no scripts and nothing
//! fetched from elsewhere, every action under its own group, every exception
//! listed, text from returns escaped, byte-identical on a second run; leads'
//! words in other languages marked with their `lang`; on a phone every
//! table's values under their column's names. The accessibility check with
//! axe-core in headless Chromium, at desktop and phone widths, is
//! `tests/a11y.rs`.

#[path = "support/sample_progress.rs"]
mod sample_progress;

use csp_report::forms::FormSettings;
use csp_report::progress::{Progress, ReturnState, Subject};
use csp_report::render::{html::HtmlReport, RenderContext, Renderer};
use csp_report::status::Status;
use csp_report::templates::Templates;
use sample_progress::{sample_progress, HOSTILE_UPDATE, MARKDOWN_UPDATE, POLISH_UPDATE, URDU_UPDATE};
use scraper::{ElementRef, Html, Selector};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn render(progress: &Progress) -> String {
    let plan = sample_progress::plan();
    let templates = Templates::built_in();
    let rendered = HtmlReport
        .render(&RenderContext {
            progress,
            plan: &plan,
            templates: &templates,
            forms: &FormSettings::new(&Default::default(), progress.period),
            sentences: &sample_progress::sentences(progress),
        })
        .expect("renders");
    assert!(rendered.diagnostics.is_empty(), "{:?}", rendered.diagnostics);
    assert_eq!(rendered.files.len(), 1);
    assert_eq!(rendered.files[0].path, PathBuf::from("board-report.html"));
    String::from_utf8(rendered.files[0].bytes.clone()).expect("UTF-8")
}

/// The sample report, also saved under the test temp folder for looking at.
fn sample_html() -> (Progress, String) {
    let progress = sample_progress();
    let html = render(&progress);
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("board-report.html");
    std::fs::write(&out, &html).unwrap();
    (progress, html)
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"))
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn parses_as_html5_without_errors_and_has_the_document_basics() {
    let (_, html) = sample_html();
    let doc = Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "html5ever parse errors: {:?}", doc.errors);
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    let root = doc.root_element();
    assert_eq!(root.value().attr("lang"), Some("en-GB"));
    assert!(doc.select(&sel("head > meta[charset='utf-8']")).next().is_some());
    let title = text(doc.select(&sel("head > title")).next().unwrap());
    assert!(title.contains("Preston Community Safety Partnership") && title.contains("2018-19 Q3"), "{title}");
    // The skip link is the first thing in the body and goes to the main content.
    let first = doc.select(&sel("body > *")).next().unwrap();
    assert_eq!(first.value().name(), "a");
    assert_eq!(first.value().attr("href"), Some("#main"));
    assert_eq!(doc.select(&sel("main#main")).count(), 1);
    assert!(html.contains("@media print"), "print stylesheet");
}

#[test]
fn nothing_runs_and_nothing_is_fetched() {
    let (_, html) = sample_html();
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("script, iframe, object, embed, link, img, base, form")).count(), 0);
    for element in doc.select(&sel("*")) {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "event handler {name}={value}");
            assert!(name != "src", "src={value}");
            if name == "href" {
                assert!(value.starts_with('#') && value.len() > 1, "only in-page links: href={value}");
            }
        }
    }
    assert!(!html.to_ascii_lowercase().contains("<script"), "a script tag");
    // Styles fetch nothing either (text from returns may mention a web
    // address: that is words on the page, not a resource).
    for style in doc.select(&sel("style")) {
        let css = style.text().collect::<String>().to_ascii_lowercase();
        for resource in ["url(", "@import", "http:", "https:", "//"] {
            assert!(!css.contains(resource), "{resource} in the stylesheet");
        }
    }
    for element in doc.select(&sel("[style]")) {
        let css = element.value().attr("style").unwrap().to_ascii_lowercase();
        assert!(!css.contains("url(") && !css.contains("http"), "style={css}");
    }
}

#[test]
fn every_link_lands_and_every_id_is_unique() {
    let (_, html) = sample_html();
    let doc = Html::parse_document(&html);
    let mut ids = BTreeSet::new();
    for element in doc.select(&sel("[id]")) {
        let id = element.value().attr("id").unwrap();
        assert!(ids.insert(id.to_string()), "id {id} used twice");
    }
    for link in doc.select(&sel("a[href]")) {
        let target = &link.value().attr("href").unwrap()[1..];
        assert!(ids.contains(target), "link to #{target} goes nowhere");
        assert!(!text(link).is_empty(), "link to #{target} has no text");
    }
}

#[test]
fn headings_go_down_one_level_at_a_time() {
    let (_, html) = sample_html();
    let doc = Html::parse_document(&html);
    let levels: Vec<u8> = doc.select(&sel("h1, h2, h3, h4, h5, h6")).map(|h| h.value().name()[1..].parse::<u8>().unwrap()).collect();
    assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1, "one h1");
    assert_eq!(levels[0], 1);
    for pair in levels.windows(2) {
        assert!(pair[1] <= pair[0] + 1, "heading level jumps from h{} to h{}", pair[0], pair[1]);
    }
    for h in doc.select(&sel("h1, h2, h3, h4")) {
        assert!(!text(h).is_empty(), "empty heading");
    }
}

#[test]
fn every_table_has_a_caption_and_scoped_headers() {
    let (_, html) = sample_html();
    let doc = Html::parse_document(&html);
    let tables: Vec<ElementRef> = doc.select(&sel("table")).collect();
    assert!(tables.len() > 30, "{} tables", tables.len());
    for table in tables {
        let caption = table.select(&sel(":scope > caption")).next().map(text).unwrap_or_default();
        assert!(!caption.is_empty(), "a table without a caption");
        assert!(table.select(&sel("th")).next().is_some(), "table {caption:?} has no headers");
        for th in table.select(&sel("th")) {
            let scope = th.value().attr("scope");
            assert!(matches!(scope, Some("col" | "row" | "colgroup" | "rowgroup")), "th {:?} in {caption:?} has scope {scope:?}", text(th));
        }
        for th in table.select(&sel("thead th")) {
            assert_eq!(th.value().attr("scope"), Some("col"), "{caption}");
        }
        for th in table.select(&sel("tbody th, tfoot th")) {
            assert_eq!(th.value().attr("scope"), Some("row"), "{caption}");
        }
    }
}

#[test]
fn every_status_is_written_in_words() {
    let (progress, html) = sample_html();
    let doc = Html::parse_document(&html);
    let labels: BTreeSet<&str> = Status::ALL.iter().map(|s| s.label()).collect();
    let badges: Vec<ElementRef> = doc.select(&sel(".status")).collect();
    let lead_updates: usize = progress.groups.iter().flat_map(|g| &g.actions).map(|a| a.leads.len() + a.contributions.len()).sum();
    assert!(badges.len() >= lead_updates + progress.totals.actions, "{} status badges", badges.len());
    for badge in badges {
        let words = text(badge);
        assert!(labels.contains(words.as_str()), "status badge says {words:?}");
        // The class that colours it matches the words.
        let class = badge.value().attr("class").unwrap();
        let status = Status::ALL.into_iter().find(|s| s.label() == words).unwrap();
        assert!(class.split(' ').any(|c| c == format!("s-{}", status.token())), "{words} coloured as {class}");
    }
}

#[test]
fn every_action_is_in_its_own_groups_section_with_every_leads_update() {
    let (progress, html) = sample_html();
    let doc = Html::parse_document(&html);
    let sections: Vec<ElementRef> = doc.select(&sel("section.group")).collect();
    assert_eq!(sections.len(), progress.groups.len());
    for (section, group) in sections.iter().zip(&progress.groups) {
        let heading = text(section.select(&sel("h2")).next().unwrap());
        assert_eq!(heading, group.name, "groups in plan order");
        let rows: Vec<String> = section.select(&sel("table.actions tbody tr > th")).map(text).collect();
        let ids: Vec<String> = group.actions.iter().map(|a| a.id.clone()).collect();
        assert_eq!(rows, ids, "actions of {} in plan order", group.name);
        let section_text = text(*section);
        for action in &group.actions {
            assert!(section_text.contains(&action.text.split_whitespace().collect::<Vec<_>>().join(" ")), "{} text", action.id);
            for lead in &action.leads {
                assert!(section_text.contains(&lead.agency_name), "{} lead {}", action.id, lead.agency_name);
                let words = lead.update.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(section_text.contains(&words), "{}: {}'s update", action.id, lead.agency_name);
            }
            let updates = section.select(&sel(&format!("h4#action-{}-updates", action.id.to_lowercase()))).count();
            assert_eq!(updates, 1, "{} has its updates heading", action.id);
        }
        // And no other group's actions.
        for other in progress.groups.iter().filter(|g| g.id != group.id) {
            for action in &other.actions {
                assert!(!rows.contains(&action.id), "{} appears under {}", action.id, group.name);
            }
        }
    }
}

#[test]
fn exceptions_come_before_the_detail_and_list_every_exception() {
    let (progress, html) = sample_html();
    let doc = Html::parse_document(&html);
    assert!(!progress.exceptions.is_empty());
    let rows: Vec<ElementRef> = doc.select(&sel("table.exceptions tbody tr")).collect();
    assert_eq!(rows.len(), progress.exceptions.len());
    for (row, exception) in rows.iter().zip(&progress.exceptions) {
        let row_text = text(*row);
        assert!(row_text.starts_with(exception.kind().label()), "{row_text}");
        match &exception.subject {
            Subject::Action { id, .. } => {
                let link = row.select(&sel("a")).next().expect("links to the action");
                assert_eq!(link.value().attr("href").unwrap(), format!("#action-{}", id.to_lowercase()));
            }
            Subject::Agency { name, .. } => assert!(row_text.contains(name.as_str()), "{row_text}"),
        }
    }
    let exceptions_at = html.find("id=\"exceptions\"").unwrap();
    let first_group_at = html.find("class=\"group\"").unwrap();
    assert!(exceptions_at < first_group_at);
    // The headline figures and the chart show merge's numbers.
    let figures: Vec<String> = doc.select(&sel(".headlines .figure")).map(text).collect();
    assert_eq!(figures[0], progress.totals.actions.to_string());
    let chart_rows = doc.select(&sel(".chart .chart-row")).count();
    assert_eq!(chart_rows, progress.groups.len());
    for (bar, group) in doc.select(&sel(".chart .bar")).zip(&progress.groups) {
        let segments: usize = bar.select(&sel("span")).map(|s| text(s).parse::<usize>().unwrap()).sum();
        assert_eq!(segments, group.counts.actions, "{}'s bar adds up", group.name);
    }
}

#[test]
fn returns_received_and_missing_are_listed_by_agency() {
    let (progress, html) = sample_html();
    let doc = Html::parse_document(&html);
    let rows: Vec<ElementRef> = doc.select(&sel("table.agencies tbody tr")).collect();
    assert_eq!(rows.len(), progress.agencies.len());
    for (row, agency) in rows.iter().zip(&progress.agencies) {
        let row_text = text(*row);
        assert!(row_text.starts_with(&agency.name), "{row_text}");
        assert!(row_text.contains(agency.state.label()), "{row_text}");
        for id in &agency.actions_missing {
            assert!(row_text.contains(id.as_str()), "{} missing {id}", agency.name);
        }
    }
}

#[test]
fn text_from_returns_is_shown_as_written_never_as_markup() {
    let (_, html) = sample_html();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "hostile update escaped");
    assert!(!html.contains("<b>bold</b>"));
    let doc = Html::parse_document(&html);
    let cells: Vec<String> = doc.select(&sel("td.text")).map(|c| c.text().collect::<String>()).collect();
    for written in [HOSTILE_UPDATE, URDU_UPDATE, POLISH_UPDATE, MARKDOWN_UPDATE] {
        assert!(cells.iter().any(|c| c.starts_with(written)), "{written:?} shown as written");
    }
}

#[test]
fn the_same_quarter_gives_the_same_bytes() {
    let first = render(&sample_progress());
    let second = render(&sample_progress());
    assert!(first == second, "two renders differ");
}

/// The real pipeline: CSV returns read by the reader, merged, rendered.
#[test]
fn returns_read_and_merged_render_into_the_report() {
    use csp_report::merge::{merge, MergeInput};
    use csp_report::returns::{read_returns, ReadOptions};
    let plan = sample_progress::plan();
    let period: csp_report::plan::Period = "2018-19 Q3".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    std::fs::write(
        returns.join("police.csv"),
        "Action ID,Status,% complete,Progress update,Next steps,Issues / risks\n\
         CS1,Green,60,\"<script>alert(1)</script> patrols doubled\",Keep going,\n\
         CS2,Red,10,\"Funding withdrawn, \"\"no cover\"\" at weekends\",Escalate to board,Loss of staff\n\
         CS5,Amber,40,Street drinking up in the bus station,Joint patrols,\n",
    )
    .unwrap();
    std::fs::write(
        returns.join("bid.csv"),
        "Action ID,Status,Progress update\nCS1,Green,Radio scheme live\nCS2,Green,Taxi marshals in place\nCS3,Complete,New cameras in\n",
    )
    .unwrap();
    let read = read_returns(&returns, &plan, &ReadOptions { period: Some(period), ..ReadOptions::default() });
    assert_eq!(read.returns.len(), 2, "{:?}", read.diagnostics);
    let progress = merge(&MergeInput::new(&plan, period, &read));
    let html = render(&progress);
    let doc = Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; patrols doubled"));
    // CS2 is red: it is an exception, linked to its row under City Safe.
    let exceptions: Vec<String> = doc.select(&sel("table.exceptions tbody tr")).map(text).collect();
    assert_eq!(exceptions.len(), progress.exceptions.len());
    assert!(exceptions.iter().any(|row| row.starts_with("Red") && row.contains("CS2")), "{exceptions:?}");
    assert!(exceptions
        .iter()
        .any(|row| row.contains("Funding withdrawn, \u{201c}no cover\u{201d}") || row.contains("Funding withdrawn, \"no cover\"")));
    let city_safe = doc.select(&sel("section[aria-labelledby='group-city-safe']")).next().unwrap();
    assert!(text(city_safe).contains("Street drinking up in the bus station"));
    // Every agency that sent nothing is listed as not received.
    let not_received = doc.select(&sel("table.agencies tbody tr")).filter(|r| text(*r).contains(ReturnState::Missing.label())).count();
    assert_eq!(not_received, progress.agencies.iter().filter(|a| a.state == ReturnState::Missing).count());
    assert!(not_received > 10);
}

/// A quarter with no history, no exceptions, no glossary and an empty group
/// still gives a tidy, valid report (and tidy prose).
#[test]
fn a_quiet_quarter_without_history_or_exceptions_reads_well() {
    let mut progress = sample_progress();
    progress.previous_period = None;
    progress.history_source = None;
    progress.exceptions.clear();
    progress.glossary.clear();
    for action in progress.groups.iter_mut().flat_map(|g| g.actions.iter_mut()) {
        action.trend = None;
        action.previous_overall = None;
    }
    let mut empty = progress.groups[0].clone();
    empty.id = "new-group".to_string();
    empty.name = "New Group".to_string();
    empty.tags.clear();
    empty.actions.clear();
    empty.counts = Default::default();
    progress.groups.push(empty);
    let html = render(&progress);
    let doc = Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    assert!(!html.contains("<th scope=\"col\" class=\"c-trend\">"), "no trend column without history");
    assert!(html.contains("There are no exceptions for the board this quarter."));
    assert_eq!(doc.select(&sel("table.exceptions")).count(), 0);
    assert!(html.contains("The plan lists no acronyms."));
    assert!(html.contains("<p>0 key actions.</p>"), "the empty group reads well");
    let templates = Templates::built_in();
    let sentences = sample_progress::sentences(&progress);
    let data = csp_report::render::context::for_group(&progress, &sentences, "new-group").unwrap();
    assert_eq!(templates.render("group-introduction.md", &data).unwrap().trim(), "It has 0 key actions.");
    let report = csp_report::render::context::report(&progress, &sentences);
    let intro = templates.render("introduction.md", &report).unwrap();
    assert!(intro.contains("does not show a trend"), "{intro}");
    let summary = templates.render("executive-summary.md", &report).unwrap();
    assert!(summary.contains("There are no exceptions for the board this quarter."), "{summary}");
    let commissioners = templates.render("commissioner-summary.md", &report).unwrap();
    assert!(commissioners.contains("Nothing needs the commissioners' attention this quarter."), "{commissioners}");
}

/// Leads' words in Urdu and Polish carry their language, so a screen reader
/// switches voice and the browser picks a font with their letters; Urdu also
/// runs right to left. English words carry none: the page's `en-GB` covers them.
#[test]
fn words_in_other_languages_are_marked_with_their_language() {
    let (_, html) = sample_html();
    let doc = Html::parse_document(&html);
    let holding = |written: &str| -> Vec<ElementRef> {
        doc.select(&sel("td.text, q.text")).filter(|e| e.text().collect::<String>().starts_with(written)).collect()
    };
    let urdu = holding(URDU_UPDATE);
    assert!(urdu.len() >= 2, "the Urdu update in its lead's table and in the exceptions");
    for e in urdu {
        assert_eq!((e.value().attr("lang"), e.value().attr("dir")), (Some("ur"), Some("rtl")), "{}", e.html());
    }
    let polish = holding(POLISH_UPDATE);
    assert!(!polish.is_empty());
    for e in polish {
        assert_eq!(e.value().attr("lang"), Some("pl"), "{}", e.html());
    }
    let english = holding("Lancashire Constabulary reports");
    assert!(!english.is_empty());
    for e in english {
        assert_eq!(e.value().attr("lang"), None, "English needs no lang: {}", e.html());
    }
    // Each language the report can mark has fonts that have its letters.
    let css: String = doc.select(&sel("style")).flat_map(|s| s.text()).collect();
    for (tag, font) in [
        ("ur", "\"Noto Nastaliq Urdu\""),
        ("gu", "\"Noto Sans Gujarati\""),
        ("bn", "\"Noto Sans Bengali\""),
        ("pa", "\"Noto Sans Gurmukhi\""),
    ] {
        let rule = css.lines().find(|l| l.starts_with(&format!(":lang({tag})"))).unwrap_or_else(|| panic!("no :lang({tag}) rule"));
        assert!(rule.contains(font), "{rule}");
    }
    assert!(css.contains("\"Noto Sans\""), "the page's own font stack starts with a font that has Polish letters");
}

/// On a phone every table is a stack of cards: each value shows under its
/// column's name (`data-label`), which must be that column's header, and the
/// table keeps its roles for screen readers.
#[test]
fn on_a_phone_every_value_is_labelled_with_its_columns_name() {
    let (_, html) = sample_html();
    let doc = Html::parse_document(&html);
    let cards: Vec<ElementRef> = doc.select(&sel("table.cards")).collect();
    let tables = doc.select(&sel("table")).count();
    assert_eq!(cards.len() + 1, tables, "every table but the two-column checks summary becomes cards");
    for table in cards {
        let caption = text(table.select(&sel("caption")).next().unwrap());
        assert_eq!(table.value().attr("role"), Some("table"), "{caption}");
        let headers: Vec<String> = table.select(&sel("thead th")).map(text).collect();
        for row in table.select(&sel("tbody tr, tfoot tr")) {
            assert_eq!(row.value().attr("role"), Some("row"), "{caption}");
            let mut column = 0;
            for cell in row.select(&sel(":scope > th, :scope > td")) {
                let role = cell.value().attr("role");
                let span: usize = cell.value().attr("colspan").map_or(1, |n| n.parse().unwrap());
                if cell.value().name() == "th" {
                    assert_eq!(role, Some("rowheader"), "{caption}");
                } else {
                    assert_eq!(role, Some("cell"), "{caption}");
                    // A cell spanning several columns says what it is itself.
                    if span == 1 && !table.value().attr("class").unwrap().contains("key") {
                        assert_eq!(cell.value().attr("data-label"), Some(headers[column].as_str()), "{caption}, column {column}");
                    }
                }
                column += span;
            }
            assert_eq!(column, headers.len(), "{caption}: a row fills every column");
        }
    }
    let css: String = doc.select(&sel("style")).flat_map(|s| s.text()).collect();
    assert!(css.contains("@media screen and (max-width: 62.5rem)") && css.contains("content: attr(data-label)"), "the phone layout");
}

/// What a board member reads has no "action(s)", no "1 actions", no
/// coordinator's folders, and the NEW mark is explained where it is used.
#[test]
fn the_wording_reads_as_written_for_a_board_member() {
    let (_, html) = sample_html();
    let doc = Html::parse_document(&html);
    let body = text(doc.select(&sel("body")).next().unwrap());
    assert!(!body.contains("(s)"), "a plural written as (s)");
    for word in ["actions", "returns", "agencies", "leads", "key actions", "lead agencies"] {
        assert!(!body.contains(&format!(" 1 {word} ")), "\"1 {word}\"");
    }
    for path in ["input/", "returns/", ".csv", ".ods", ".xls "] {
        assert!(!body.contains(path), "a file path in the report: {path}");
    }
    // The status key: each label in its own cell, its meaning in the next.
    let key: Vec<(String, String)> = doc
        .select(&sel("table.key tbody tr"))
        .map(|r| (text(r.select(&sel("th")).next().unwrap()), text(r.select(&sel("td")).next().unwrap())))
        .collect();
    assert_eq!(key.len(), Status::ALL.len());
    for ((label, meaning), status) in key.iter().zip(Status::ALL) {
        assert_eq!((label.as_str(), meaning.as_str()), (status.label(), status.meaning()));
    }
    // Every table that marks an action NEW says what NEW means.
    for table in doc.select(&sel("table")) {
        if table.select(&sel(".new")).next().is_some() {
            let caption = text(table.select(&sel("caption")).next().unwrap());
            assert!(caption.contains("NEW: an action added to the plan this year."), "{caption}");
        }
    }
    assert!(body.contains("NEW marks a key action added to the plan this year."));
}
