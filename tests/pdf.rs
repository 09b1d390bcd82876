//! The PDF documents as a reader gets them: rendered from a realistic
//! quarter (the shipped plan, with updates written by hand in this file,
//! including Urdu, Polish and Gujarati ones), then read back with
//! `pdftotext` (poppler-utils). Skipped, with the reason printed, when
//! poppler is not installed.

use chrono::NaiveDate;
use csp_report::diagnostics::Place;
use csp_report::forms::FormSettings;
use csp_report::plan::{load_plan, Period, Plan};
use csp_report::progress::*;
use csp_report::render::pdf::PdfRenderer;
use csp_report::render::sentences::Sentences;
use csp_report::render::{OutputFile, RenderContext, Renderer};
use csp_report::status::Status;
use csp_report::templates::Templates;
use std::path::Path;
use std::process::Command;

const URDU: &str = "پولیس نے رات کے وقت گشت میں اضافہ کیا ہے";
const POLISH: &str = "Zespół przeprowadził szkolenie dla 25 pracowników; następne spotkanie w styczniu.";
const GUJARATI: &str = "શાળાઓમાં જાગૃતિ સત્રો પૂર્ણ થયા";
const LONG: &str = "The partnership analyst reviewed the quarter's figures with the neighbourhood policing teams and the council's community safety officers. ";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The shared sentences, from the built-in templates.
fn sentences_of(progress: &Progress) -> Sentences {
    Sentences::render(&Templates::built_in(), progress, &mut Vec::new()).expect("renders")
}

fn plan() -> Plan {
    load_plan(Path::new(env!("CARGO_MANIFEST_DIR")).join("input/plan.toml").as_path()).expect("shipped plan loads")
}

/// A hand-built quarter: statuses cycle through the plan, one agency sent
/// nothing, a few updates are long, and three are in Urdu, Polish and Gujarati.
pub fn fixture(plan: &Plan) -> Progress {
    let period = Period { fy_start: 2018, quarter: 3 };
    let cycle = [Status::Green, Status::Amber, Status::Complete, Status::Red, Status::Green, Status::NotStarted, Status::Green];
    let silent_agency = "bid";
    let mut groups = Vec::new();
    let mut n = 0usize;
    for g in &plan.groups {
        let mut actions = Vec::new();
        for a in &g.actions {
            n += 1;
            let mut leads = Vec::new();
            for (k, lead) in a.leads.iter().enumerate() {
                let agency = plan.agency(lead).unwrap();
                // Co-leads mostly agree; on every sixth action they do not.
                let step = if n % 6 == 0 { k } else { 0 };
                let status = if lead == silent_agency { Status::NoReturn } else { cycle[(n + step) % cycle.len()] };
                let mut update = match (a.id.as_str(), k) {
                    ("DA2", 0) => URDU.to_string(),
                    ("ASB1", 0) => POLISH.to_string(),
                    ("SO2", 0) => GUJARATI.to_string(),
                    _ => format!(
                        "{} reports steady progress on {}: meetings held, partners engaged and the next milestone agreed.",
                        agency.name, a.id
                    ),
                };
                if n % 5 == 0 {
                    update.push_str(&format!(" {}", LONG.repeat(4)));
                }
                let no_return = status == Status::NoReturn;
                leads.push(LeadUpdate {
                    agency_id: lead.clone(),
                    agency_name: agency.name.clone(),
                    state: if no_return { UpdateState::NoReturn } else { UpdateState::Reported(status) },
                    percent_complete: if no_return { None } else { Some(((n * 13) % 100) as u8) },
                    update: if no_return { String::new() } else { update },
                    next_steps: if no_return { String::new() } else { format!("Report back to the {} group in January.", g.name) },
                    issues_risks: if status == Status::Red {
                        "Funding for the post ends in March; no replacement agreed.".to_string()
                    } else {
                        String::new()
                    },
                    revised_date: None,
                    notes: Vec::new(),
                    stale: n % 9 == 0,
                    source: (!no_return).then(|| Place::cell(format!("returns/{lead}.xlsx"), "Progress", 7 + k as u32, 5)),
                });
            }
            let overall = csp_report::merge::overall_status(leads.iter().map(LeadUpdate::status));
            let due_date = a.timescale.due_date();
            let overdue = due_date.is_some_and(|d| d < period.end()) && overall != Status::Complete;
            let conflict = csp_report::merge::is_conflict(leads.iter().map(LeadUpdate::status));
            actions.push(ActionProgress {
                id: a.id.clone(),
                group_id: g.id.clone(),
                group_name: g.name.clone(),
                text: a.text.clone(),
                timescale: a.timescale.written.clone(),
                due_date,
                new: a.new,
                leads,
                contributions: Vec::new(),
                overall,
                overdue,
                slipped_to: None,
                conflict,
                not_started_late: false,
                trend: Some([Trend::Improved, Trend::Same, Trend::Worse, Trend::New][n % 4]),
                previous_overall: Some(Status::Green),
                history: Default::default(),
            });
        }
        let c = Counts::over(&actions);
        let priority_ids = plan.priorities_of_group(g).iter().map(|p| p.id.clone()).collect();
        let tags = g.tags.iter().filter_map(|t| plan.tag(t)).map(|t| t.name.clone()).collect();
        groups.push(GroupProgress { id: g.id.clone(), name: g.name.clone(), tags, priority_ids, actions, counts: c });
    }
    let all: Vec<&ActionProgress> = groups.iter().flat_map(|g| g.actions.iter()).collect();
    let totals = Counts::over(all.iter().copied());

    let priorities = plan
        .priorities
        .iter()
        .map(|p| {
            let group_ids: Vec<String> = plan.groups_for_priority(&p.id).iter().map(|g| g.id.clone()).collect();
            let actions: Vec<&ActionProgress> = all.iter().copied().filter(|a| group_ids.contains(&a.group_id)).collect();
            PriorityProgress {
                id: p.id.clone(),
                name: p.name.clone(),
                evidence: p.evidence.clone(),
                aims: p.aims.clone(),
                current_work: p.current_work.clone(),
                planned_activity: p.planned_activity.clone(),
                group_ids,
                action_ids: actions.iter().map(|a| a.id.clone()).collect(),
                counts: Counts::over(actions.iter().copied()),
            }
        })
        .collect();

    let agencies: Vec<AgencyProgress> = plan
        .lead_agencies()
        .map(|ag| {
            let led: Vec<String> = plan.actions_led_by(&ag.id).map(|a| a.id.clone()).collect();
            let returned = ag.id != silent_agency;
            AgencyProgress {
                id: ag.id.clone(),
                name: ag.name.clone(),
                actions_returned: if returned { led.clone() } else { Vec::new() },
                actions_missing: if returned { Vec::new() } else { led.clone() },
                actions_rejected: Vec::new(),
                actions_led: led,
                state: if returned { ReturnState::Complete } else { ReturnState::Missing },
                reminder_due: !returned,
                files: if returned { vec![format!("returns/{}.xlsx", ag.id)] } else { Vec::new() },
                last_return: Some(if returned { period } else { period.previous() }),
                notes: Vec::new(),
            }
        })
        .collect();

    let mut exceptions = Vec::new();
    for a in &all {
        let names = |status: Status| a.leads.iter().filter(|l| l.status() == status).map(|l| l.agency_name.clone()).collect();
        let mut reasons = Vec::new();
        if a.overall == Status::Red {
            reasons.push(Reason::Red { by: names(Status::Red) });
        }
        if a.overdue {
            let (due, timescale) = (a.due_date, a.timescale.clone());
            reasons.push(Reason::Overdue { due, timescale, due_passed: true, passed_revised: None, slipped: None, overall: a.overall });
        }
        if a.conflict {
            let said = a.leads.iter().filter(|l| l.status().is_reported()).map(|l| (l.agency_name.clone(), l.status())).collect();
            reasons.push(Reason::Conflict { said, overall: a.overall });
        }
        if reasons.is_empty() {
            continue;
        }
        exceptions.push(Exception {
            subject: Subject::Action { id: a.id.clone(), text: a.text.clone(), group_name: a.group_name.clone() },
            reasons,
            leads: a.leads.iter().map(|l| l.agency_name.clone()).collect(),
            words: a
                .leads
                .iter()
                .filter(|l| !l.update.is_empty())
                .map(|l| LeadWords { lead: l.agency_name.clone(), update: l.update.clone(), issues_risks: l.issues_risks.clone() })
                .collect(),
            sources: Vec::new(),
        });
    }
    for ag in agencies.iter().filter(|a| a.state == ReturnState::Missing) {
        exceptions.push(Exception {
            subject: Subject::Agency { id: ag.id.clone(), name: ag.name.clone() },
            reasons: vec![Reason::MissingReturn { agency: ag.name.clone(), actions_led: ag.actions_led.clone() }],
            leads: vec![ag.name.clone()],
            words: Vec::new(),
            sources: Vec::new(),
        });
    }
    exceptions.sort_by_key(Exception::kind);

    Progress {
        partnership: plan.partnership.clone(),
        period,
        previous_period: Some(period.previous()),
        history_source: Some("output/2018-19-Q2/progress.csv".to_string()),
        produced: date(2019, 1, 14),
        plan_hash: plan.hash.clone(),
        totals,
        groups,
        priorities,
        agencies,
        exception_counts: ExceptionCounts::over(&exceptions),
        exceptions,
        deadline: period.end() + chrono::Days::new(14),
        deadline_passed: true,
        diagnostics: Vec::new(),
        diagnostic_counts: DiagnosticCounts {
            errors: 2,
            warnings: 5,
            notes: 1,
            rows_read: 60,
            rows_accepted: 58,
            rows_rejected: 2,
            rows_notes: 0,
            files_unreadable: 1,
        },
        glossary: plan.glossary.clone(),
        year: Vec::new(),
        plan_changes: Vec::new(),
    }
}

/// The fixture quarter rendered once for every test that only reads it.
fn rendered_fixture() -> (&'static Progress, &'static [OutputFile]) {
    static RENDERED: std::sync::OnceLock<(Progress, Vec<OutputFile>)> = std::sync::OnceLock::new();
    let (progress, files) = RENDERED.get_or_init(|| {
        let plan = plan();
        let progress = fixture(&plan);
        let files = render(&progress, &plan);
        (progress, files)
    });
    (progress, files)
}

fn render(progress: &Progress, plan: &Plan) -> Vec<OutputFile> {
    let (templates, _) = Templates::load(Path::new("templates"));
    let ctx = RenderContext {
        progress,
        plan,
        templates: &templates,
        forms: &FormSettings::new(&Default::default(), progress.period),
        sentences: &sentences_of(progress),
    };
    PdfRenderer.render(&ctx).expect("renders").files
}

fn poppler() -> bool {
    let ok = Command::new("pdftotext").arg("-v").output().is_ok();
    if !ok {
        println!("skipped: pdftotext (poppler-utils) is not installed");
    }
    ok
}

/// The text of each page in reading order, whitespace collapsed.
fn pages_text(bytes: &[u8]) -> Vec<String> {
    pdftotext(bytes, false)
}

/// The text of each page in drawing order (`-raw`): a table's cells in
/// row order, so an action's ID comes just before its text.
fn pages_raw(bytes: &[u8]) -> Vec<String> {
    pdftotext(bytes, true)
}

fn pdftotext(bytes: &[u8], raw: bool) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("doc.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let mut command = Command::new("pdftotext");
    if raw {
        command.arg("-raw");
    }
    let out = command.arg("-enc").arg("UTF-8").arg(&pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Poppler wraps right-to-left runs in embedding marks; they are not text.
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{200E}' | '\u{200F}'))
        .collect();
    let mut pages: Vec<String> = text.split('\u{c}').map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    if pages.last().is_some_and(|p| p.is_empty()) {
        pages.pop();
    }
    pages
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a OutputFile {
    files.iter().find(|f| f.path == Path::new(path)).unwrap_or_else(|| panic!("{path} not rendered"))
}

/// Whether every word of `needle` appears in `pages`, in order. A table row
/// split over two pages has other cells, the page furniture and
/// "(continued)" between its halves, so the words are not contiguous.
fn has_in_order(pages: &[String], needle: &str) -> bool {
    let hay: Vec<&str> = pages.iter().flat_map(|p| p.split_whitespace()).collect();
    let mut at = 0;
    for word in needle.split_whitespace() {
        match hay[at..].iter().position(|w| *w == word) {
            Some(k) => at += k + 1,
            None => return false,
        }
    }
    true
}

#[test]
fn writes_every_document() {
    let (progress, files) = rendered_fixture();
    let names: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    assert!(names.contains(&"board-report.pdf".to_string()));
    assert!(names.contains(&"commissioner-summary.pdf".to_string()));
    for g in &progress.groups {
        assert!(names.contains(&format!("groups/{}.pdf", g.id)), "{names:?}");
    }
    for p in &progress.priorities {
        assert!(names.contains(&format!("priorities/{}.pdf", p.id)), "{names:?}");
    }
    for f in files {
        assert!(f.bytes.starts_with(b"%PDF-"), "{}", f.path.display());
    }
}

#[test]
fn every_action_is_under_its_group_in_the_board_report() {
    if !poppler() {
        return;
    }
    let (progress, files) = rendered_fixture();
    let pages = pages_raw(&file(files, "board-report.pdf").bytes);
    // A group's section starts on the page with its actions heading.
    let starts: Vec<usize> = progress
        .groups
        .iter()
        .map(|g| {
            // After the cover and the contents, which lists the heading too.
            2 + pages[2..]
                .iter()
                .position(|p| p.contains(&format!("{}: actions", g.name)))
                .unwrap_or_else(|| panic!("no section for {}", g.name))
        })
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "sections in plan order: {starts:?}");
    for (i, g) in progress.groups.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(pages.len());
        let section = &pages[starts[i]..end.max(starts[i] + 1)];
        for a in &g.actions {
            assert!(has_in_order(section, &format!("{} {}", a.id, a.text)), "{} and its text not in the {} section", a.id, g.name);
        }
    }
}

#[test]
fn every_exception_is_in_the_executive_summary() {
    if !poppler() {
        return;
    }
    let plan = plan();
    let progress = fixture(&plan);
    assert!(progress.exceptions.len() >= 4, "the fixture has exceptions of several kinds");
    let files = render(&progress, &plan);
    let pages = pages_raw(&file(&files, "board-report.pdf").bytes);
    // After the cover and the contents, which lists the headings too.
    let summary_start =
        2 + pages[2..].iter().position(|p| p.contains("Executive summary") && p.contains("Headline figures")).expect("summary");
    let first_group =
        summary_start + pages[summary_start..].iter().position(|p| p.contains(&format!("{}: actions", progress.groups[0].name))).unwrap();
    let summary = &pages[summary_start..first_group];
    let sentences = sentences_of(&progress);
    for (e, reasons) in progress.exceptions.iter().zip(&sentences.reasons) {
        let shown = match &e.subject {
            Subject::Action { id, text, .. } => format!("{} {id} {text}", e.kind().label()),
            Subject::Agency { name, .. } => format!("{} {name}", e.kind().label()),
        };
        assert!(has_in_order(summary, &shown), "exception {shown:?} not in the executive summary");
        for reason in reasons {
            assert!(has_in_order(summary, reason), "reason {reason:?} not in the executive summary");
        }
    }
}

#[test]
fn pages_are_numbered_n_of_m() {
    if !poppler() {
        return;
    }
    let (_, files) = rendered_fixture();
    for f in files {
        let pages = pages_text(&f.bytes);
        let m = pages.len();
        assert!(m >= 1);
        for (i, page) in pages.iter().enumerate() {
            assert!(page.contains(&format!("Page {} of {m}", i + 1)), "{} page {}: {page}", f.path.display(), i + 1);
            assert!(page.contains("Produced 14 January 2019"), "{} page {}", f.path.display(), i + 1);
        }
    }
    let summary = pages_text(&file(files, "commissioner-summary.pdf").bytes);
    assert!((2..=4).contains(&summary.len()), "commissioner summary has {} pages", summary.len());
}

/// Each contents entry is a link to the page its heading is on.
/// The board report's headings, each in the contents and the bookmarks:
/// introduction, executive summary (+3 subsections), each group with "What
/// the plan says" (when it serves a priority) and its actions, returns,
/// problems, glossary.
fn headings(progress: &Progress) -> usize {
    let plan_says = progress.groups.iter().filter(|g| !g.priority_ids.is_empty()).count();
    1 + 4 + 2 * progress.groups.len() + plan_says + 3
}

#[test]
fn contents_entries_link_to_their_pages() {
    if !poppler() {
        return;
    }
    let (progress, files) = rendered_fixture();
    let bytes = &file(files, "board-report.pdf").bytes;
    let text = pages_text(bytes);
    let doc = lopdf::Document::load_mem(bytes).expect("parses");
    let pages = doc.get_pages();
    let number_of = |id: lopdf::ObjectId| pages.iter().find(|(_, page)| **page == id).map(|(n, _)| *n as usize).unwrap();
    let contents = doc.get_dictionary(pages[&2]).unwrap();
    let annots = contents.get(b"Annots").expect("the contents page has links").as_array().unwrap();
    assert_eq!(annots.len(), headings(progress));
    let mut targets = Vec::new();
    for annot in annots {
        let link = doc.get_dictionary(annot.as_reference().unwrap()).unwrap();
        assert_eq!(link.get(b"Subtype").unwrap().as_name().unwrap(), b"Link");
        let dest = link.get(b"Dest").unwrap().as_array().unwrap();
        targets.push(number_of(dest[0].as_reference().unwrap()));
    }
    assert!(targets.windows(2).all(|w| w[0] <= w[1]), "in page order: {targets:?}");
    for group in &progress.groups {
        let heading = format!("{} action group", group.name);
        // The exceptions table names groups too; its pages carry its header.
        let page =
            text.iter().position(|p| p.contains(&heading) && !p.contains("Contents") && !p.contains("In the leads' words")).unwrap() + 1;
        assert!(targets.contains(&page), "{heading} is on page {page}; links go to {targets:?}");
    }
}

#[test]
fn urdu_polish_and_gujarati_extract_as_written() {
    if !poppler() {
        return;
    }
    let (_, files) = rendered_fixture();
    let da = pages_text(&file(files, "groups/domestic-abuse.pdf").bytes).join(" ");
    assert!(da.contains(URDU), "Urdu not extracted as written:\n{da}");
    // In drawing order, cell by cell: the layout reading would mix in the next column.
    let collapse = |pages: Vec<String>| pages.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
    let asb = collapse(pages_raw(&file(files, "groups/anti-social-behaviour.pdf").bytes));
    assert!(asb.contains(POLISH), "Polish not extracted as written:\n{asb}");
    let so = collapse(pages_raw(&file(files, "groups/sexual-offences.pdf").bytes));
    assert!(so.contains(GUJARATI), "Gujarati not extracted as written:\n{so}");
}

#[test]
fn two_renders_are_byte_identical() {
    let plan = plan();
    let (progress, first) = rendered_fixture();
    let second = render(progress, &plan);
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.path, b.path);
        assert!(a.bytes == b.bytes, "{} differs between two renders", a.path.display());
    }
}

/// Each group's PDF begins with the board report's pages for the group as
/// drawn, not laid out again: the files are the same either way, down to
/// the byte (structure tree, bookmarks, running feet, glossary), for every
/// group of the fixture quarter and of the shared sample.
#[test]
fn group_pdfs_from_the_board_reports_pages_are_the_files_laid_out_again() {
    use csp_report::render::pdf::documents::{render_documents, GroupPages};
    let (templates, _) = Templates::load(Path::new("templates"));
    let preston = plan();
    let sample_plan = sample::plan();
    for (plan, progress) in [(&preston, fixture(&preston)), (&sample_plan, sample::sample_progress())] {
        let ctx = RenderContext {
            progress: &progress,
            plan,
            templates: &templates,
            forms: &FormSettings::new(&Default::default(), progress.period),
            sentences: &sentences_of(&progress),
        };
        let (reused, from_board) = render_documents(&ctx, GroupPages::FromBoard).expect("renders");
        let (again, none) = render_documents(&ctx, GroupPages::LaidOutAgain).expect("renders");
        assert_eq!(from_board, progress.groups.len(), "every group's PDF began with the board's pages");
        assert_eq!(none, 0);
        assert_eq!(reused.files.len(), again.files.len());
        let mut pages = 0;
        for (a, b) in reused.files.iter().zip(&again.files) {
            assert_eq!(a.path, b.path);
            assert!(a.bytes == b.bytes, "{} differs from the one laid out again", a.path.display());
            if a.path.starts_with("groups") {
                pages += lopdf::Document::load_mem(&a.bytes).expect("parses").get_pages().len();
            }
        }
        assert!(pages > 2 * progress.groups.len(), "sections of several pages: {pages} pages in {} groups", progress.groups.len());
    }
}

#[test]
fn metadata_language_and_bookmarks() {
    let (progress, files) = rendered_fixture();
    let doc = lopdf::Document::load_mem(&file(files, "board-report.pdf").bytes).expect("parses");
    let catalog = doc.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"en-GB");
    let outlines = catalog.get(b"Outlines").unwrap().as_reference().unwrap();
    let count = doc.get_dictionary(outlines).unwrap().get(b"Count").unwrap().as_i64().unwrap();
    assert_eq!(count as usize, headings(progress));
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info).unwrap();
    let author = lopdf::decode_text_string(info.get(b"Author").unwrap()).unwrap();
    assert_eq!(author, progress.partnership.name);
    let created = info.get(b"CreationDate").unwrap().as_str().unwrap();
    assert!(String::from_utf8_lossy(created).contains("20190114"), "{}", String::from_utf8_lossy(created));
    // No blank entries for viewers to list as custom properties.
    for (key, value) in info.iter() {
        if let Ok(text) = value.as_str() {
            assert!(!text.is_empty(), "empty /{} in the document information", String::from_utf8_lossy(key));
        }
    }
}

#[test]
fn a_character_no_font_has_is_a_warning() {
    let plan = plan();
    let mut progress = fixture(&plan);
    progress.groups[0].actions[0].leads[0].update = "Meeting notes: 会議".to_string();
    let (templates, _) = Templates::load(Path::new("templates"));
    let ctx = RenderContext {
        progress: &progress,
        plan: &plan,
        templates: &templates,
        forms: &FormSettings::new(&Default::default(), progress.period),
        sentences: &sentences_of(&progress),
    };
    let rendered = PdfRenderer.render(&ctx).unwrap();
    let d: Vec<_> = rendered.diagnostics.iter().filter(|d| d.code == "glyph-missing").collect();
    assert_eq!(d.len(), 1, "{:?}", rendered.diagnostics);
    assert!(d[0].message.contains("Meeting notes: 会議"), "{}", d[0].message);
    assert!(d[0].message.contains("U+4F1A"));
}

#[test]
fn returned_text_is_not_read_as_markdown() {
    if !poppler() {
        return;
    }
    let plan = plan();
    let mut progress = fixture(&plan);
    let marked = "**Not bold** _and_ # not a heading [link](http://x)";
    progress.groups[0].actions[0].leads[0].update = marked.to_string();
    let files = render(&progress, &plan);
    let text = pages_text(&file(&files, &format!("groups/{}.pdf", progress.groups[0].id)).bytes).join(" ");
    assert!(text.contains(marked), "{text}");
}

/// `CSP_PDF_DUMP=dir cargo test --test pdf dump` writes the fixture's PDFs
/// there, to look at them.
#[test]
fn dump() {
    let Ok(dir) = std::env::var("CSP_PDF_DUMP") else { return };
    let plan = plan();
    let progress = fixture(&plan);
    for f in render(&progress, &plan) {
        let path = Path::new(&dir).join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &f.bytes).unwrap();
    }
}

/// Pins what printpdf 0.12.8 does with our operations: a fixed two-page
/// document must keep its page count, page size and the place of its words
/// (from `pdftotext -bbox`). An upgrade that moves text fails here.
#[test]
fn golden_printpdf_behaviour() {
    use csp_report::render::pdf::layout::*;
    use csp_report::render::pdf::text::Span;
    use csp_report::render::pdf::write::{write_pdf, Metadata};
    if !poppler() {
        return;
    }
    let flow = Flow {
        page: PageStyle::A4_PORTRAIT,
        furniture: Furniture { header_left: "Golden".into(), header_right: "Q3".into(), footer_left: "Fixed".into() },
        blocks: vec![
            heading(1, "Alpha"),
            para(vec![Span::plain("Bravo "), Span::bold("Charlie "), Span::italic("Delta")]),
            Block::PageBreak(None),
            para(vec![Span::plain("Echo پولیس")]),
        ],
    };
    let laid = lay_out(&flow);
    let meta = Metadata { title: "Golden".into(), author: "Test".into(), subject: "Pin".into(), date: date(2019, 1, 14) };
    let bytes = write_pdf(laid, &meta).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("golden.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let out = Command::new("pdftotext").arg("-bbox").arg(&pdf).arg("-").output().unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert_eq!(html.matches("<page ").count(), 2, "{html}");
    assert!(html.contains(r#"<page width="595.276000" height="841.890000">"#), "{html}");
    // (word, xMin, yMin) measured once and pinned; 0.5 pt tolerance.
    let expected = [
        ("Golden", 51.0, 51.58),
        ("Alpha", 51.0, 78.47),
        ("Bravo", 51.0, 110.62),
        ("Charlie", 83.31, 110.62),
        ("Delta", 126.57, 110.62),
        ("Page", 493.78, 779.84),
        ("Echo", 51.0, 77.87),
    ];
    let mut wrong = Vec::new();
    for (word, x, y) in expected {
        let at = html.find(&format!(">{word}</word>")).unwrap_or_else(|| panic!("{word} not found in\n{html}"));
        let tag = &html[html[..at].rfind("<word").unwrap()..at];
        let attr = |name: &str| -> f32 {
            let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            tag[start..].split('"').next().unwrap().parse().unwrap()
        };
        let (got_x, got_y) = (attr("xMin"), attr("yMin"));
        if (got_x - x).abs() >= 0.5 || (got_y - y).abs() >= 0.5 {
            wrong.push(format!("{word}: at ({got_x}, {got_y}), pinned at ({x}, {y})"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The real pipeline: `csp-report build` on the shipped example writes every
/// PDF, each page numbered, every action of the plan in the board report.
#[test]
fn build_writes_the_pdfs_from_the_shipped_returns() {
    if !poppler() {
        return;
    }
    let plan = plan();
    let out = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = assert_cmd::Command::cargo_bin("csp-report")
        .unwrap()
        .current_dir(root)
        .args(["build", "--out"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1547424000")
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let folder = out.path().join("2018-19-Q3");
    let board = std::fs::read(folder.join("board-report.pdf")).expect("board report written");
    let pages = pages_raw(&board);
    for a in plan.actions() {
        assert!(has_in_order(&pages, &format!("{} {}", a.id, a.text)), "{} missing from the board report", a.id);
    }
    let mut documents = vec![folder.join("board-report.pdf"), folder.join("commissioner-summary.pdf")];
    documents.extend(plan.groups.iter().map(|g| folder.join("groups").join(format!("{}.pdf", g.id))));
    documents.extend(plan.priorities.iter().map(|p| folder.join("priorities").join(format!("{}.pdf", p.id))));
    for path in documents {
        let pages = pages_text(&std::fs::read(&path).unwrap_or_else(|_| panic!("{} not written", path.display())));
        for (i, page) in pages.iter().enumerate() {
            assert!(page.contains(&format!("Page {} of {}", i + 1, pages.len())), "{} page {}", path.display(), i + 1);
        }
    }
    let summary = pages_text(&std::fs::read(folder.join("commissioner-summary.pdf")).unwrap());
    assert!((2..=4).contains(&summary.len()), "commissioner summary has {} pages", summary.len());
}

#[path = "support/sample_progress.rs"]
mod sample;

/// The shared sample quarter (used by every renderer's tests): its hostile,
/// Markdown-looking, Urdu and Polish updates print exactly as written.
#[test]
fn the_shared_sample_prints_its_updates_as_written() {
    if !poppler() {
        return;
    }
    let plan = sample::plan();
    let progress = sample::sample_progress();
    let files = render(&progress, &plan);
    let board = pages_text(&file(&files, "board-report.pdf").bytes).join(" ");
    for text in [sample::URDU_UPDATE, sample::POLISH_UPDATE, sample::HOSTILE_UPDATE] {
        assert!(board.contains(text), "{text:?} not in the board report");
    }
    // Line breaks in the update are kept as line breaks; the words are all there, unformatted.
    let collapsed: String = sample::MARKDOWN_UPDATE.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(board.contains(&collapsed), "{collapsed:?} not in the board report");
}

/// Every page of every real document keeps inside its margins.
#[test]
fn nothing_in_the_documents_is_drawn_outside_the_margins() {
    let plan = plan();
    let (progress, _) = rendered_fixture();
    let (templates, _) = Templates::load(Path::new("templates"));
    let ctx = RenderContext {
        progress,
        plan: &plan,
        templates: &templates,
        forms: &FormSettings::new(&Default::default(), progress.period),
        sentences: &sentences_of(progress),
    };
    for (path, flow, _) in csp_report::render::pdf::documents::flows(&ctx).unwrap() {
        let laid = csp_report::render::pdf::layout::lay_out(&flow);
        for (n, page) in laid.pages.iter().enumerate() {
            let s = page.style;
            for item in &page.items {
                let (l, t, r, b) = item.bounds();
                let inside =
                    l >= s.margin - 0.01 && t >= s.margin - 0.01 && r <= s.width - s.margin + 0.01 && b <= s.height - s.margin + 0.01;
                assert!(inside, "{} page {}: {:?} at ({l}, {t}, {r}, {b})", path.display(), n + 1, item.text());
            }
        }
    }
}
