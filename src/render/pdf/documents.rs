//! The four PDF documents, built from `Progress` as flows of layout blocks:
//! the board report (cover, contents, executive summary with the chart and
//! the exceptions, one section per action group, returns by agency, data
//! problems, glossary), the commissioners' summary (two to four pages), one
//! PDF per action group and one per strategic priority. Every figure, status
//! and exception is read from `Progress`; nothing is counted or decided here.
//! Prose comes from Markdown via [`Passages`]; text from returns is only ever
//! inserted as plain runs, never read as Markdown.

use super::chart::{Chart, ChartRow, Series};
use super::embed::SharedFonts;
use super::fonts::FontStyle;
use super::layout::{
    self, heading, labelled, para, scale, Band, Block, Cell, Colour, Column, Flow, Furniture, GroupedTable, Laid, LineBreaks, PageStyle,
    Paragraph, RowGroup, Table,
};
use super::markdown;
use super::terms;
use super::text::{MissingGlyphs, Span};
use super::write::{render_pdf_after, render_pdf_but_fonts, render_pdf_keeping, Drawn, Metadata, Unfonted, WriteError};
use crate::diagnostics::{Diagnostic, Place};
use crate::output::{safe_file_stem, FileNames};
use crate::progress::{
    ActionProgress, Exception, ExceptionKind, GroupProgress, LeadDetail, LeadUpdate, PriorityProgress, Progress, Subject, UpdateState,
};
use crate::render::context;
use crate::render::sentences::Sentences;
use crate::render::{OutputFile, RenderContext, RenderError, RenderFailure, Rendered};
use crate::status::Status;
use crate::templates::{uk_date, TemplateData, Templates};
use crate::vocabulary;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;

/// Page style of the sections with action tables. Landscape: nine columns
/// with the leads' words read far better at 25 cm than at 17 cm.
const ACTION_PAGES: PageStyle = PageStyle::A4_LANDSCAPE;

/// One PDF document of the pack.
enum Document<'a> {
    Board,
    Commissioners,
    Group(&'a GroupProgress),
    Priority(&'a PriorityProgress),
}

impl Document<'_> {
    /// Every document with its path under the period's folder, in the order
    /// they are listed. Group and priority files are named from their ids
    /// made safe ([`safe_file_stem`]); two ids that make one name get two
    /// files (`-2`), handed out in plan order.
    fn all(p: &Progress) -> Vec<(Document<'_>, PathBuf)> {
        let mut documents = vec![
            (Document::Board, PathBuf::from("board-report.pdf")),
            (Document::Commissioners, PathBuf::from("commissioner-summary.pdf")),
        ];
        let (mut groups, mut priorities) = (FileNames::default(), FileNames::default());
        for g in &p.groups {
            let name = groups.claim(&format!("{}.pdf", safe_file_stem(&g.id, "group")));
            documents.push((Document::Group(g), PathBuf::from("groups").join(name)));
        }
        for pr in &p.priorities {
            let name = priorities.claim(&format!("{}.pdf", safe_file_stem(&pr.id, "priority")));
            documents.push((Document::Priority(pr), PathBuf::from("priorities").join(name)));
        }
        documents
    }

    fn metadata(&self, p: &Progress) -> Metadata {
        match self {
            Document::Board => metadata(p, "Quarterly progress report"),
            Document::Commissioners => metadata(p, "Summary for commissioners"),
            Document::Group(g) => metadata(p, &format!("{} action group", g.name)),
            Document::Priority(pr) => metadata(p, &format!("Strategic priority: {}", pr.name)),
        }
    }

    fn flow(&self, p: &Progress, passages: &Passages, s: &Sentences) -> Flow {
        match self {
            Document::Board => board_report(p, passages, s).0,
            Document::Commissioners => commissioner_summary(p, passages, s),
            Document::Group(g) => group_document(p, passages, s, g),
            Document::Priority(pr) => priority_document(p, passages, s, pr),
        }
    }
}

/// Every PDF document as a flow of blocks: its path under the period's
/// folder, the flow, and its metadata, in the order they are listed.
pub fn flows(ctx: &RenderContext) -> Result<Vec<(PathBuf, Flow, Metadata)>, RenderError> {
    let p = ctx.progress;
    let passages = Passages::render(ctx.templates, p, ctx.sentences).map_err(|e| RenderError::new("pdf", e))?;
    Ok(Document::all(p).into_iter().map(|(d, path)| (path, d.flow(p, &passages, ctx.sentences), d.metadata(p))).collect())
}

/// Renders every PDF document.
pub(crate) fn render_all(ctx: &RenderContext) -> Result<Rendered, RenderError> {
    render_documents(ctx, GroupPages::FromBoard).map(|(rendered, _)| rendered)
}

/// Where a group's PDF gets the pages of its section: the same pages, and
/// the same file, either way (`tests/pdf.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupPages {
    /// As the board report drew them, deflated: laid out once for both.
    FromBoard,
    /// Laid out again.
    LaidOutAgain,
}

/// A document drawn but for its fonts, with the characters no font had
/// and the terms the glossary lacks.
type DrawnDocument = (PathBuf, Result<Unfonted, RenderError>, Vec<MissingGlyphs>, std::collections::BTreeSet<String>);

/// Renders every PDF document, the group PDFs' sections from where
/// `group_pages` says; also returns how many group PDFs began with the
/// board report's pages.
pub fn render_documents(ctx: &RenderContext, group_pages: GroupPages) -> Result<(Rendered, usize), RenderError> {
    let p = ctx.progress;
    let passages = Passages::render(ctx.templates, p, ctx.sentences).map_err(|e| RenderError::new("pdf", e))?;
    // Each document is built, laid out and written on its own, so on all
    // cores, and dropped once written: only the documents in flight are held
    // in memory (BENCHMARKS.md). They share their line breaks: the action
    // tables are in three. The group PDFs follow the board report, whose
    // pages they begin with; the other documents are drawn beside it.
    let breaks = LineBreaks::default();
    let drawn = |path: PathBuf, result: Result<(Unfonted, Laid), WriteError>, flow: &Flow| -> DrawnDocument {
        let undefined = terms::undefined(&p.glossary, &flow.blocks);
        match result {
            Ok((unfonted, laid)) => (path, Ok(unfonted), laid.missing, undefined),
            Err(e) => (path, Err(RenderError::new("pdf", e)), Vec::new(), undefined),
        }
    };
    let draw = |document: &Document, path: PathBuf, pages: Option<Drawn>| -> DrawnDocument {
        let flow = document.flow(p, &passages, ctx.sentences);
        let meta = document.metadata(p);
        let result = match pages {
            Some(pages) => render_pdf_after(pages, &flow, &meta, &breaks),
            None => render_pdf_but_fonts(&flow, &meta, &breaks),
        };
        drawn(path, result, &flow)
    };
    use rayon::prelude::*;
    let (mut board_path, mut others, mut groups) = (PathBuf::new(), Vec::new(), Vec::new());
    for (document, path) in Document::all(p) {
        match document {
            Document::Board => board_path = path,
            Document::Group(_) => groups.push((document, path)),
            _ => others.push((document, path)),
        }
    }
    let ((board, groups, reused), others) = rayon::join(
        || {
            let (flow, sections) = board_report(p, &passages, ctx.sentences);
            let keep = if group_pages == GroupPages::FromBoard { sections } else { Vec::new() };
            let mut kept = Vec::new();
            let result = render_pdf_keeping(&flow, &Document::Board.metadata(p), &breaks, keep).map(|(unfonted, laid, pages)| {
                kept = pages;
                (unfonted, laid)
            });
            let board = drawn(board_path, result, &flow);
            drop(flow);
            kept.resize_with(groups.len(), || None);
            let reused = kept.iter().filter(|k| k.is_some()).count();
            let groups: Vec<DrawnDocument> =
                groups.into_par_iter().zip(kept).map(|((document, path), drawn)| draw(&document, path, drawn)).collect();
            (board, groups, reused)
        },
        || others.into_par_iter().map(|(document, path)| draw(&document, path, None)).collect::<Vec<_>>(),
    );
    // In the order of `Document::all`: the board, the summary, the groups, the priorities.
    let mut others = others.into_iter();
    let drawn: Vec<DrawnDocument> = std::iter::once(board).chain(others.next()).chain(groups).chain(others).collect();
    // Each face subset once, to every glyph any document drew in it.
    let fonts = SharedFonts::subset(drawn.iter().filter_map(|(_, unfonted, _, _)| unfonted.as_ref().ok().map(|u| u.used())))
        .map_err(|e| RenderError::new("pdf", WriteError::from(e)))?;
    let written: Vec<_> = drawn
        .into_par_iter()
        .map(|(path, unfonted, missing, undefined)| {
            let bytes = unfonted.and_then(|u| u.finish(&fonts).map_err(|e| RenderError::new("pdf", e)));
            (path, bytes, missing, undefined)
        })
        .collect();
    let mut rendered = Rendered::default();
    // Terms in capitals the glossary lacks, with the documents they are in.
    let mut undefined_terms: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, _, _, terms) in &written {
        for term in terms {
            undefined_terms.entry(term.clone()).or_default().push(path.display().to_string());
        }
    }
    for (term, docs) in undefined_terms {
        rendered.diagnostics.push(
            Diagnostic::warning(
                "glossary-term-missing",
                Place::file(docs[0].clone()),
                format!("\"{term}\" is used in {} but the plan's glossary does not say what it stands for", docs.join(", ")),
            )
            .with_hint(format!("add it to the plan's glossary ([[glossary]] term = \"{term}\"), so board members can look it up")),
        );
    }
    // Missing characters by text, with the documents they are in.
    let mut missing: BTreeMap<String, (Vec<char>, Vec<String>)> = BTreeMap::new();
    for (path, bytes, missing_glyphs, _) in written {
        for MissingGlyphs { text, chars } in missing_glyphs {
            let entry = missing.entry(text).or_insert_with(|| (chars, Vec::new()));
            entry.1.push(path.display().to_string());
        }
        rendered.files.push(OutputFile { path, bytes: bytes? });
    }
    for (text, (chars, docs)) in missing {
        let listed: Vec<String> = chars.iter().map(|c| format!("'{c}' (U+{:04X})", *c as u32)).collect();
        rendered.diagnostics.push(
            Diagnostic::warning(
                "glyph-missing",
                Place::file(docs[0].clone()),
                format!("no font shipped with csp-report has {}; it prints as \u{FFFD} in \"{}\"", listed.join(", "), shorten(&text, 120)),
            )
            .with_hint(format!("also in: {}", docs.join(", "))),
        );
    }
    Ok((rendered, reused))
}

fn metadata(p: &Progress, what: &str) -> Metadata {
    Metadata {
        title: format!("{}: {what}, {}", p.partnership.name, p.period),
        author: p.partnership.name.clone(),
        subject: format!("{what}, {}", p.period.long_name()),
        date: p.produced,
    }
}

fn furniture(p: &Progress, right: &str) -> Furniture {
    Furniture {
        header_left: p.partnership.name.clone(),
        header_right: format!("{right} · {}", p.period),
        footer_left: format!("Produced {}", uk_date(p.produced)),
    }
}

/// Cuts text to about `max` characters at a word boundary, marking the cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(' ').filter(|&i| i > max / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

// ---------------------------------------------------------------------------
// Prose
// ---------------------------------------------------------------------------

/// The prose passages of every document, rendered before any document is
/// built: each a Handlebars template (built in, or the user's copy) rendered
/// into Markdown, then read into blocks. The templates escape every field, so
/// a lead's words cannot become Markdown. All render with the one passages'
/// context (`context::prose`, the report without its action lists), built
/// once; a group's or priority's passage has its `group` or `priority` set
/// in it first.
struct Passages {
    cover: Vec<Block>,
    introduction: Vec<Block>,
    executive_summary: Vec<Block>,
    commissioner_summary: Vec<Block>,
    /// `group-introduction.md` by group id.
    groups: HashMap<String, Vec<Block>>,
    /// `priority-introduction.md` by priority id.
    priorities: HashMap<String, Vec<Block>>,
}

impl Passages {
    fn render(templates: &Templates, p: &Progress, sentences: &Sentences) -> Result<Passages, RenderFailure> {
        let mut data = TemplateData::new(context::prose(p, sentences));
        let passage = |name: &str, data: &TemplateData| -> Result<Vec<Block>, RenderFailure> {
            let markdown = templates.render(name, data)?;
            Ok(markdown::blocks(&markdown, 2))
        };
        let mut passages = Passages {
            cover: passage("cover.md", &data)?,
            introduction: passage("introduction.md", &data)?,
            executive_summary: passage("executive-summary.md", &data)?,
            commissioner_summary: passage("commissioner-summary.md", &data)?,
            groups: HashMap::new(),
            priorities: HashMap::new(),
        };
        for group in &p.groups {
            let entry = context::group_entry(p, &group.id)
                .ok_or_else(|| RenderFailure::Missing(format!("group {} is not in the progress", group.id)))?;
            data.set("group", entry);
            passages.groups.insert(group.id.clone(), passage("group-introduction.md", &data)?);
        }
        for priority in &p.priorities {
            let entry = context::priority_entry(p, &priority.id)
                .ok_or_else(|| RenderFailure::Missing(format!("priority {} is not in the progress", priority.id)))?;
            data.set("priority", entry);
            passages.priorities.insert(priority.id.clone(), passage("priority-introduction.md", &data)?);
        }
        Ok(passages)
    }

    fn group(&self, id: &str) -> &[Block] {
        self.groups.get(id).map(Vec::as_slice).unwrap_or_default()
    }

    fn priority(&self, id: &str) -> &[Block] {
        self.priorities.get(id).map(Vec::as_slice).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/// Table text, captions and every cell: the smallest size of the scale.
const TABLE_SIZE: f32 = scale::SMALL;

/// How many of the board's asks a summary lists before "and N more".
const SUMMARY_EXCEPTIONS: usize = 8;

/// How many exceptions a summary shows in a table before "and N more".
const SUMMARY_OTHERS: usize = 5;

/// How many a priority's page at a glance shows, so it stays one page.
const PRIORITY_EXCEPTIONS: usize = 3;

/// The board report's heading over its full list of exceptions.
const EXCEPTIONS_HEADING: &str = "Exceptions";

fn status_colour(status: Status) -> Colour {
    Colour::hex(status.colour())
}

fn status_cell(status: Status) -> Cell {
    Cell::spans(vec![Span::bold(status.label())]).fill(status_colour(status))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The headline figures, once: each status as a word on its colour, the
/// number of actions, and what the status means (the report's status key).
/// Then the overdue actions and the total.
fn headline_table(c: &crate::progress::Counts) -> Block {
    let mut rows: Vec<Vec<Cell>> =
        Status::ALL.iter().map(|s| vec![status_cell(*s), count_cell(c.of(*s)), Cell::text(capitalise(s.meaning()))]).collect();
    rows.push(vec![
        Cell::spans(vec![Span::bold(ExceptionKind::Overdue.label())]),
        count_cell(c.overdue),
        Cell::text("Past the plan's timescale and not complete (counted under their status too)"),
    ]);
    rows.push(vec![
        Cell::spans(vec![Span::bold("All actions")]),
        count_cell(c.actions),
        Cell::text(format!("{}% complete or on track", c.on_track_or_complete_percent)),
    ]);
    Block::Table(Table {
        columns: vec![Column::new("Status", 1.3), Column::new("Actions", 0.8), Column::new("What it means", 5.0)],
        rows,
        size: TABLE_SIZE,
    })
}

fn count_cell(count: usize) -> Cell {
    Cell::spans(vec![Span::bold(count.to_string())])
}

fn status_chart(groups: &[&GroupProgress]) -> Block {
    Block::Chart(Chart {
        series: Status::ALL.iter().map(|s| Series { label: s.label().to_string(), colour: status_colour(*s) }).collect(),
        rows: groups
            .iter()
            .map(|g| ChartRow {
                label: g.name.clone(),
                values: Status::ALL.iter().map(|s| g.counts.of(*s)).collect(),
                total: chart_total(&g.counts),
            })
            .collect(),
    })
}

/// A group's line in the chart, after its bar: its actions, and in words
/// the red and overdue ones (a red segment too narrow for its number would
/// otherwise be told by colour alone). The chart is the one line per group.
fn chart_total(c: &crate::progress::Counts) -> String {
    let mut total = vocabulary::actions(c.actions);
    if c.of(Status::Red) > 0 {
        total.push_str(&format!(", {} {}", c.of(Status::Red), Status::Red.label().to_lowercase()));
    }
    if c.overdue > 0 {
        total.push_str(&format!(", {} {}", c.overdue, ExceptionKind::Overdue.label().to_lowercase()));
    }
    total
}

/// The first sentence or two of a lead's words, about `max` characters at
/// most, ending "…" where cut.
fn first_sentences(text: &str, max: usize) -> String {
    let text = text.trim();
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let next = i + c.len_utf8();
        let at_end = next == text.len() || text[next..].starts_with(char::is_whitespace);
        if matches!(c, '.' | '!' | '?') && at_end {
            if text[..next].chars().count() > max {
                break;
            }
            end = next;
        }
    }
    if end == text.len() {
        return text.to_string();
    }
    if end == 0 {
        return shorten(text, max);
    }
    format!("{} …", &text[..end])
}

/// The action (id and text) or agency an exception is about.
fn subject_spans(e: &Exception, max: Option<usize>) -> Vec<Span> {
    match &e.subject {
        Subject::Action { id, text, .. } => {
            vec![Span::bold(format!("{id} ")), Span::plain(max.map_or_else(|| text.clone(), |m| shorten(text, m)))]
        }
        Subject::Agency { name, .. } => vec![Span::bold(name)],
    }
}

/// Each reason's kind, one per line: the "Why" cell.
fn why_cell(e: &Exception) -> Cell {
    Cell::paragraphs(e.reasons.iter().map(|r| vec![Span::bold(r.kind().label())]).collect())
}

/// The heading of a group's section, where its actions are in full.
fn group_heading(name: &str) -> String {
    format!("{name} action group")
}

/// How much of each exception a table shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// The board report: every reason in words, each lead's first sentences,
    /// and the page where the action is in full.
    Full,
    /// A summary: the reasons' names, and the first sentence of two leads.
    Brief,
}

/// What the leads said on an exception, a sentence or two each; or, without
/// words, why there are none.
fn words_cell(e: &Exception, reasons: &[String], detail: Detail) -> Cell {
    let (leads, length) = match detail {
        Detail::Full => (usize::MAX, 170),
        Detail::Brief => (2, 130),
    };
    let mut out: Vec<Vec<Span>> = Vec::new();
    for w in e.words.iter().filter(|w| !(w.update.trim().is_empty() && w.issues_risks.trim().is_empty())).take(leads) {
        let said = if w.update.trim().is_empty() { &w.issues_risks } else { &w.update };
        out.push(vec![Span::bold(format!("{}: ", w.lead)), Span::plain(format!("“{}”", first_sentences(said, length)))]);
    }
    if out.is_empty() {
        out.extend(reasons.iter().map(|r| vec![Span::italic(r)]));
    }
    if let (Detail::Full, Subject::Action { group_name, .. }) = (detail, &e.subject) {
        out.push(vec![Span::italic("In full: page "), layout::page_of(&group_heading(group_name), FontStyle::ITALIC)]);
    }
    Cell::paragraphs(out)
}

/// One row per exception: why, the action with what makes it one, and the
/// leads' words.
fn exceptions_table(exceptions: &[&Exception], reasons: &[&Vec<String>], detail: Detail) -> Block {
    Block::Table(Table {
        columns: vec![Column::new("Why", 1.2), Column::new("Action", 3.5), Column::new("In the leads' words", 4.5)],
        rows: exceptions
            .iter()
            .zip(reasons)
            .map(|(e, reasons)| {
                // The board report names the action in full; a summary, its start.
                let mut what = vec![subject_spans(e, (detail == Detail::Brief).then_some(110))];
                if let Subject::Action { group_name, .. } = &e.subject {
                    what.push(vec![Span::italic(group_heading(group_name))]);
                }
                if detail == Detail::Full && !e.words.is_empty() {
                    what.extend(reasons.iter().map(|r| vec![Span::plain(r.as_str())]));
                }
                vec![why_cell(e), Cell::paragraphs(what), words_cell(e, reasons, detail)]
            })
            .collect(),
        size: TABLE_SIZE,
    })
}

/// The exceptions `keep` chooses, most serious first: at most `cap`, with
/// how many more the board report lists.
fn capped_exceptions(p: &Progress, s: &Sentences, keep: impl Fn(&Exception) -> bool, cap: usize, b: &mut Vec<Block>) {
    let chosen: Vec<(&Exception, &Vec<String>)> = p.exceptions.iter().zip(&s.reasons).filter(|(e, _)| keep(e)).collect();
    if chosen.is_empty() {
        return;
    }
    let shown = &chosen[..chosen.len().min(cap)];
    let (e, r): (Vec<&Exception>, Vec<&Vec<String>>) = shown.iter().copied().unzip();
    // Said before the table, so it stays with it.
    more_in_board_report(shown.len(), chosen.len(), b);
    b.push(exceptions_table(&e, &r, Detail::Brief));
}

/// A caption saying a list shows `shown` of `all`, and where the rest are.
fn more_in_board_report(shown: usize, all: usize, b: &mut Vec<Block>) {
    if all > shown {
        b.push(caption(format!(
            "The {shown} most serious of {all}: the board report lists every one under “{EXCEPTIONS_HEADING}” in its executive summary."
        )));
    }
}

/// What the board is asked to do: one line per action, most serious first, at most `cap`.
fn board_asks(p: &Progress, cap: usize, b: &mut Vec<Block>) {
    let asks: Vec<&Exception> = p.exceptions.iter().filter(|e| e.asks_board()).collect();
    if asks.is_empty() {
        return;
    }
    b.push(heading(2, "What the board is asked to do"));
    b.push(para(vec![Span::plain(
        "To agree help or a decision for each of these actions: those reported red, and those whose leads disagree on how they stand.",
    )]));
    more_in_board_report(asks.len().min(cap), asks.len(), b);
    let items = asks
        .iter()
        .take(cap)
        .map(|e| {
            let why: Vec<&str> = e.reasons.iter().map(|r| r.kind().label()).collect();
            let mut spans = subject_spans(e, Some(110));
            spans.push(Span::italic(format!(" ({})", why.join("; "))));
            spans
        })
        .collect();
    b.push(Block::Bullets { items, size: layout::BODY_SIZE });
}

/// A line of small muted text under a table or chart.
fn caption(text: impl Into<String>) -> Block {
    Block::Paragraph(Paragraph::new(vec![Span::italic(text)]).size(TABLE_SIZE).colour(Colour::MUTED))
}

/// The band naming an action above its leads' rows: id, text, timescale,
/// NEW, trend, and the overall status as a word on its colour, with what
/// else is true of it.
fn action_band(a: &ActionProgress) -> Band {
    // One run of text, so it takes two lines at most: timescale · NEW · trend.
    let mut meta = vec![Span::plain(format!("{}: {}", vocabulary::TIMESCALE, a.timescale))];
    if a.new {
        meta.extend([Span::plain(" · "), Span::bold(vocabulary::NEW_ACTION)]);
    }
    meta.push(Span::plain(" · "));
    meta.push(match a.trend {
        Some(_) => Span::plain(format!("{}: {}", vocabulary::TREND, vocabulary::trend_words(a.trend))),
        None => Span::italic(vocabulary::trend_words(a.trend)),
    });
    let mut status = vec![vec![Span::bold(a.overall.label())]];
    for (flag, kind) in
        [(a.overdue, ExceptionKind::Overdue), (a.conflict, ExceptionKind::Conflict), (a.not_started_late, ExceptionKind::NotStartedLate)]
    {
        if flag {
            status.push(vec![Span::italic(kind.label())]);
        }
    }
    if let Some(date) = a.slipped_to {
        status.push(vec![Span::italic(format!("{} {}", vocabulary::REVISED_TO, uk_date(date)))]);
    }
    // The year so far, once there is more than this quarter: one small cell
    // per quarter, "Q1" over its abbreviation, on its colour.
    let strip = strip_cells(a);
    let text_width = 5.7 - strip.iter().map(|(w, _)| w).sum::<f32>();
    let mut cells = vec![(0.75, Cell::spans(vec![Span::bold(&a.id)])), (text_width, Cell::spans(vec![Span::bold(&a.text)]))];
    cells.extend(strip);
    cells.push((2.75, Cell::spans(meta)));
    cells.push((1.5, Cell::paragraphs(status).fill(status_colour(a.overall))));
    Band { cells, fill: Colour::ZEBRA }
}

/// The status strip of an action band: for each quarter of the year so far
/// (when there is more than one), the quarter over its state's
/// abbreviation, on the state's colour; empty in Q1.
fn strip_cells(a: &ActionProgress) -> Vec<(f32, Cell)> {
    if a.history.overall.len() < 2 {
        return Vec::new();
    }
    a.history
        .overall
        .iter()
        .enumerate()
        .map(|(i, state)| {
            let cell = Cell::paragraphs(vec![vec![Span::plain(format!("Q{}", i + 1))], vec![Span::bold(state.abbreviation())]]);
            (0.42, cell.fill(Colour::hex(state.colour())))
        })
        .collect()
}

/// The key to the status strip's abbreviations, for the caption under
/// every actions heading: "C Complete, G Green, …".
fn strip_key() -> String {
    let key: Vec<String> = crate::progress::QuarterState::KEY.iter().map(|s| format!("{} {}", s.abbreviation(), s.label())).collect();
    format!("Q1, Q2 … show its overall status in each quarter of the year so far: {}.", key.join(", "))
}

/// The band heading a page an action's rows continue onto.
fn action_continued(a: &ActionProgress) -> Band {
    Band {
        cells: vec![
            (0.75, Cell::spans(vec![Span::bold(&a.id)])),
            (8.45, Cell::spans(vec![Span::plain(shorten(&a.text, 90)), Span::italic(format!(" ({})", vocabulary::CONTINUED))])),
            (1.5, Cell::spans(vec![Span::bold(a.overall.label())]).fill(status_colour(a.overall))),
        ],
        fill: Colour::ZEBRA,
    }
}

/// One lead's row: who, status, % complete, what they said, and their next
/// steps, risks and other notes.
fn lead_row(update: &LeadUpdate, state_sentence: Option<&str>, contribution: bool) -> Vec<Cell> {
    let mut who = vec![vec![Span::bold(&update.agency_name)]];
    if contribution {
        who.push(vec![Span::italic(vocabulary::CONTRIBUTING)]);
    }
    let mut status = vec![vec![Span::bold(update.status().label())]];
    if let Some(date) = update.revised_date {
        status.push(vec![Span::italic(format!("{} {}", vocabulary::REVISED_TO, uk_date(date)))]);
    }
    let percent = update.percent_complete.map(|pc| format!("{pc}%")).unwrap_or_else(|| "–".to_string());
    let mut said: Vec<Vec<Span>> = Vec::new();
    let mut notes: Vec<Vec<Span>> = Vec::new();
    if !matches!(update.state, UpdateState::Reported(_)) {
        said.push(vec![Span::italic(state_sentence.unwrap_or(vocabulary::NO_RETURN_THIS_QUARTER))]);
    } else {
        if update.update.is_empty() {
            said.push(vec![Span::italic(format!("{}.", vocabulary::NO_UPDATE_GIVEN))]);
        } else {
            said.push(vec![Span::plain(&update.update)]);
        }
        if update.stale {
            said.push(vec![Span::italic(format!("{}.", vocabulary::STALE))]);
        }
        for detail in [LeadDetail::NextSteps, LeadDetail::IssuesRisks] {
            if let Some(value) = detail.value(update) {
                notes.push(labelled(&format!("{}:", detail.label()), value.words()));
            }
        }
        for (header, value) in &update.notes {
            notes.push(labelled(&format!("{header}:"), value));
        }
    }
    vec![
        Cell::paragraphs(who),
        Cell::paragraphs(status).fill(status_colour(update.status())),
        Cell::text(percent),
        Cell::paragraphs(said),
        Cell::paragraphs(notes),
    ]
}

/// The actions of a group (or a priority's share of one): each action a
/// band, then one row per lead, so a lead's status, % complete and words
/// stay together and a lead's row is never split across pages unless it is
/// longer than a page.
fn actions_table(actions: &[&ActionProgress], sentences: &Sentences) -> Block {
    let columns = vec![
        Column::new("Lead", 1.75).repeated(),
        Column::new("Status", 1.25).repeated(),
        Column::new("% complete", 0.8).repeated(),
        Column::new("Progress this quarter", 4.2),
        Column::new("Next steps, issues and risks", 2.7),
    ];
    let groups = actions
        .iter()
        .map(|a| {
            let mut rows: Vec<Vec<Cell>> =
                a.leads.iter().map(|l| lead_row(l, sentences.lead_state(&a.id, &l.agency_name), false)).collect();
            rows.extend(a.contributions.iter().map(|c| lead_row(c, None, true)));
            RowGroup { band: action_band(a), continued: action_continued(a), rows }
        })
        .collect();
    Block::Grouped(GroupedTable { columns, groups, size: TABLE_SIZE })
}

fn bullet_list(items: &[String]) -> Block {
    Block::Bullets { items: items.iter().map(|i| vec![Span::plain(i)]).collect(), size: layout::BODY_SIZE }
}

fn priorities_of<'a>(p: &'a Progress, group: &GroupProgress) -> Vec<&'a PriorityProgress> {
    group.priority_ids.iter().filter_map(|id| p.priorities.iter().find(|pr| &pr.id == id)).collect()
}

/// The caption under every actions heading: how to read the table.
fn actions_caption(actions: &[&ActionProgress]) -> Block {
    let mut text = "Each action is shown with its overall status, then one row for each lead.".to_string();
    if actions.iter().any(|a| a.history.overall.len() > 1) {
        text.push(' ');
        text.push_str(&strip_key());
    }
    if actions.iter().any(|a| a.new) {
        text.push_str(&format!(" {}: {}.", vocabulary::NEW_ACTION, vocabulary::NEW_ACTION_MEANING));
    }
    caption(text)
}

/// One action group's section: heading, priorities, their evidence and aims, the actions.
fn group_section(p: &Progress, t: &Passages, s: &Sentences, group: &GroupProgress, blocks: &mut Vec<Block>) {
    blocks.push(Block::PageBreak(Some(ACTION_PAGES)));
    blocks.push(heading(1, group_heading(&group.name)));
    blocks.extend_from_slice(t.group(&group.id));
    let priorities = priorities_of(p, group);
    if !priorities.is_empty() {
        blocks.push(heading(2, "What the plan says"));
        let rows = priorities
            .iter()
            .map(|pr| {
                vec![
                    Cell::spans(vec![Span::bold(&pr.name)]),
                    Cell::paragraphs(pr.evidence.iter().map(|e| vec![Span::plain(format!("• {e}"))]).collect()),
                    Cell::paragraphs(pr.aims.iter().map(|e| vec![Span::plain(format!("• {e}"))]).collect()),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            columns: vec![Column::new("Strategic priority", 1.0), Column::new("Evidence", 2.0), Column::new("Aims", 2.0)],
            rows,
            size: TABLE_SIZE,
        }));
    }
    blocks.push(heading(2, format!("{}: actions", group.name)));
    let actions: Vec<&ActionProgress> = group.actions.iter().collect();
    blocks.push(actions_caption(&actions));
    blocks.push(actions_table(&actions, s));
}

/// The glossary of one document: the plan's terms the document uses, in
/// the plan's order.
fn glossary(p: &Progress, blocks: &[Block]) -> Option<Block> {
    let used = super::terms::used(&p.glossary, blocks);
    (!used.is_empty()).then(|| {
        Block::Table(Table {
            columns: vec![Column::new("Term", 1.0), Column::new("Meaning", 4.0)],
            rows: used.iter().map(|g| vec![Cell::spans(vec![Span::bold(&g.term)]), Cell::text(&g.meaning)]).collect(),
            size: TABLE_SIZE,
        })
    })
}

// ---------------------------------------------------------------------------
// The documents
// ---------------------------------------------------------------------------

/// The board report, and the blocks of each group's section (in plan
/// order): a page break, then the blocks the group's own PDF begins with.
fn board_report(p: &Progress, t: &Passages, s: &Sentences) -> (Flow, Vec<Range<u32>>) {
    // Cover.
    let mut b: Vec<Block> = vec![Block::Spacer(120.0)];
    b.push(Block::Paragraph(Paragraph::new(vec![Span::bold(&p.partnership.name)]).size(scale::H2).colour(Colour::ACCENT)));
    b.push(Block::Paragraph(
        Paragraph::new(vec![Span::bold("Quarterly progress report")]).size(scale::TITLE).colour(Colour::ACCENT).space_after(14.0),
    ));
    b.push(Block::Paragraph(Paragraph::new(vec![Span::plain(p.period.long_name())]).size(scale::H2)));
    b.extend(t.cover.iter().cloned().map(|block| match block {
        Block::Paragraph(para) => Block::Paragraph(para.size(scale::H3).colour(Colour::MUTED)),
        other => other,
    }));
    b.push(Block::Paragraph(
        Paragraph::new(vec![Span::plain(format!("Produced {}", uk_date(p.produced)))]).size(scale::H3).colour(Colour::MUTED),
    ));
    b.push(Block::PageBreak(None));

    b.push(Block::Contents { title: "Contents".to_string() });

    b.push(Block::PageBreak(None));
    b.push(heading(1, "Introduction"));
    b.extend_from_slice(&t.introduction);

    // Executive summary: exceptions before detail.
    b.push(heading(1, "Executive summary"));
    b.extend_from_slice(&t.executive_summary);
    b.push(heading(2, "Headline figures"));
    b.push(headline_table(&p.totals));
    b.push(heading(2, "Progress by action group"));
    let groups: Vec<&GroupProgress> = p.groups.iter().collect();
    b.push(status_chart(&groups));
    b.push(heading(2, EXCEPTIONS_HEADING));
    if p.exceptions.is_empty() {
        b.push(para(vec![Span::plain(&s.exceptions_count)]));
    } else {
        let all: Vec<&Exception> = p.exceptions.iter().collect();
        let reasons: Vec<&Vec<String>> = s.reasons.iter().collect();
        b.push(exceptions_table(&all, &reasons, Detail::Full));
    }

    let mut sections = Vec::new();
    for group in &p.groups {
        let start = b.len() as u32;
        group_section(p, t, s, group, &mut b);
        sections.push(start..b.len() as u32);
    }

    // Returns by agency.
    b.push(Block::PageBreak(Some(PageStyle::A4_PORTRAIT)));
    b.push(heading(1, "Returns received and missing"));
    b.push(Block::Table(Table {
        columns: vec![
            Column::new("Agency", 2.0),
            Column::new("Return", 1.4),
            Column::new("Reported on", 1.55),
            Column::new("Not reported on", 1.35),
            Column::new("Could not be read", 1.8),
            Column::new("Last return", 0.9),
        ],
        rows: p
            .agencies
            .iter()
            .map(|a| {
                let list = |ids: &[String]| if ids.is_empty() { "–".to_string() } else { ids.join(", ") };
                let mut agency = vec![vec![Span::plain(&a.name)]];
                agency.extend(a.notes.iter().map(|n| vec![Span::italic(format!("Note: {}", n.text))]));
                let unread: Vec<Vec<Span>> = a
                    .actions_rejected
                    .iter()
                    .map(|r| {
                        let id = r.action_id.as_deref().map(|id| format!("{id}: ")).unwrap_or_default();
                        vec![Span::bold(id), Span::plain(&r.rejection.problem)]
                    })
                    .collect();
                vec![
                    Cell::paragraphs(agency),
                    Cell::spans(vec![Span::bold(a.state.label())]).fill(Colour::hex(a.state.colour())),
                    Cell::text(list(&a.actions_returned)),
                    Cell::text(list(&a.actions_missing)),
                    if unread.is_empty() { Cell::text("–") } else { Cell::paragraphs(unread) },
                    Cell::text(a.last_return.map(|l| l.to_string()).unwrap_or_else(|| "–".into())),
                ]
            })
            .collect(),
        size: TABLE_SIZE,
    }));

    // Data problems.
    b.push(heading(1, "Problems found in the returns"));
    let d = &p.diagnostic_counts;
    b.push(Block::KeyValues {
        rows: vec![
            ("Rows read".to_string(), vec![Span::plain(d.rows_read.to_string())]),
            ("Rows accepted".to_string(), vec![Span::plain(d.rows_accepted.to_string())]),
            ("Rows rejected".to_string(), vec![Span::plain(d.rows_rejected.to_string())]),
            ("Notes written below a table".to_string(), vec![Span::plain(d.rows_notes.to_string())]),
            ("Files that could not be read".to_string(), vec![Span::plain(d.files_unreadable.to_string())]),
            ("Errors".to_string(), vec![Span::plain(d.errors.to_string())]),
            ("Warnings".to_string(), vec![Span::plain(d.warnings.to_string())]),
            ("Notes".to_string(), vec![Span::plain(d.notes.to_string())]),
        ],
        size: layout::BODY_SIZE,
    });
    b.push(para(vec![Span::plain(
        "Every problem, with the file, sheet and cell it was found in, is listed in this quarter's Excel workbook, so the coordinator can follow each one up with the agency concerned.",
    )]));

    if let Some(table) = glossary(p, &b) {
        b.push(heading(1, "Glossary"));
        b.push(table);
    }
    (Flow { page: PageStyle::A4_PORTRAIT, furniture: furniture(p, "Quarterly progress report"), blocks: b }, sections)
}

/// The executive summary for commissioners, two to four pages at any
/// scale: key messages, the headline figures once, the chart, the most
/// serious exceptions (capped), what the board is asked to do (capped), and
/// one line per group.
fn commissioner_summary(p: &Progress, t: &Passages, s: &Sentences) -> Flow {
    let mut b: Vec<Block> = Vec::new();
    b.push(Block::Paragraph(
        Paragraph::new(vec![Span::bold("Summary for commissioners")]).size(scale::H1).colour(Colour::ACCENT).space_after(4.0),
    ));
    b.push(Block::Paragraph(
        Paragraph::new(vec![Span::plain(format!("{} · {}", p.partnership.name, p.period.long_name()))])
            .size(scale::H3)
            .colour(Colour::MUTED),
    ));
    b.push(heading(2, "Key messages"));
    b.extend_from_slice(&t.commissioner_summary);
    b.push(heading(2, "Headline figures"));
    b.push(headline_table(&p.totals));
    b.push(heading(2, "Progress by action group"));
    let groups: Vec<&GroupProgress> = p.groups.iter().collect();
    b.push(status_chart(&groups));
    board_asks(p, SUMMARY_EXCEPTIONS, &mut b);
    b.push(heading(2, "Other exceptions"));
    b.push(para(vec![Span::plain(&s.exceptions_count)]));
    capped_exceptions(p, s, |e| !e.asks_board(), SUMMARY_OTHERS, &mut b);
    if let Some(table) = glossary(p, &b) {
        b.push(heading(2, "Glossary"));
        b.push(table);
    }
    Flow { page: PageStyle::A4_PORTRAIT, furniture: furniture(p, "Summary for commissioners"), blocks: b }
}

/// A group: the board report's section for it, page for page (so it is
/// laid out once for both: `render_documents`), then its glossary on a
/// page of its own. Where it comes from is in its running foot.
fn group_document(p: &Progress, t: &Passages, s: &Sentences, group: &GroupProgress) -> Flow {
    let mut b = Vec::new();
    group_section(p, t, s, group, &mut b);
    // The section's own page break is not needed at the top of its own document.
    b.remove(0);
    if let Some(table) = glossary(p, &b) {
        // A section of its own, as in the board report.
        b.push(Block::PageBreak(None));
        b.push(heading(1, "Glossary"));
        b.push(table);
    }
    let mut furniture = furniture(p, &group_heading(&group.name));
    furniture.footer_left = format!("{} from the quarterly progress report for {}", furniture.footer_left, p.period.long_name());
    Flow { page: ACTION_PAGES, furniture, blocks: b }
}

/// A priority: one page at a glance (its figures, its groups, its most
/// serious exceptions), then its evidence and aims, then its actions.
fn priority_document(p: &Progress, t: &Passages, s: &Sentences, priority: &PriorityProgress) -> Flow {
    let mut b = vec![
        caption(format!("{} · progress for {}", p.partnership.name, p.period.long_name())),
        heading(1, format!("Strategic priority: {}", priority.name)),
    ];
    b.extend_from_slice(t.priority(&priority.id));
    let groups: Vec<&GroupProgress> = priority.group_ids.iter().filter_map(|id| p.groups.iter().find(|g| &g.id == id)).collect();
    // Its figures are in the introduction's words; the chart shows them by group.
    b.push(heading(2, "At a glance"));
    b.push(status_chart(&groups));
    let ours = |e: &Exception| e.action_id().is_some_and(|id| priority.action_ids.iter().any(|a| a == id));
    if p.exceptions.iter().any(ours) {
        b.push(heading(2, "Most serious exceptions"));
        capped_exceptions(p, s, ours, PRIORITY_EXCEPTIONS, &mut b);
    }
    b.push(Block::PageBreak(Some(ACTION_PAGES)));
    if !priority.evidence.is_empty() {
        b.push(heading(2, "Evidence"));
        b.push(bullet_list(&priority.evidence));
    }
    if !priority.aims.is_empty() {
        b.push(heading(2, "Aims"));
        b.push(bullet_list(&priority.aims));
    }
    for group in groups {
        let actions: Vec<&ActionProgress> = group.actions.iter().filter(|a| priority.action_ids.contains(&a.id)).collect();
        if actions.is_empty() {
            continue;
        }
        b.push(heading(2, group_heading(&group.name)));
        b.push(actions_caption(&actions));
        b.push(actions_table(&actions, s));
    }
    if let Some(table) = glossary(p, &b) {
        b.push(heading(2, "Glossary"));
        b.push(table);
    }
    // The page at a glance is portrait, as the board report's summary is; the action tables landscape.
    Flow { page: PageStyle::A4_PORTRAIT, furniture: furniture(p, &format!("Priority: {}", priority.name)), blocks: b }
}
