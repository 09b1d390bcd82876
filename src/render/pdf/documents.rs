//! The four PDF documents, built from `Progress` as flows of layout blocks:
//! the board report (cover, contents, executive summary with the chart and
//! the exceptions, one section per action group, returns by agency, data
//! problems, glossary), the commissioners' summary (two to four pages), one
//! PDF per action group and one per strategic priority. Every figure, status
//! and exception is read from `Progress`; nothing is counted or decided here.
//! Prose comes from Markdown via [`Passages`]; text from returns is only ever
//! inserted as plain runs, never read as Markdown.

use super::chart::{Chart, ChartRow, Series};
use super::layout::{self, heading, labelled, para, Align, Block, Cell, Colour, Column, Flow, Furniture, PageStyle, Paragraph, Table};
use super::markdown;
use super::text::{MissingGlyphs, Span};
use super::write::{write_pdf, Metadata};
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
use std::path::PathBuf;

/// Size of table text.
const TABLE_SIZE: f32 = 7.8;

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
            Document::Board => board_report(p, passages, s),
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
    let p = ctx.progress;
    let passages = Passages::render(ctx.templates, p, ctx.sentences).map_err(|e| RenderError::new("pdf", e))?;
    // Each document is built, laid out and written on its own, so on all
    // cores, and dropped once written: only the documents in flight are held
    // in memory (BENCHMARKS.md). Gathered in the order of `Document::all`.
    use rayon::prelude::*;
    let written: Vec<_> = Document::all(p)
        .into_par_iter()
        .map(|(document, path)| {
            let laid = layout::lay_out(&document.flow(p, &passages, ctx.sentences));
            let bytes = write_pdf(&laid, &document.metadata(p)).map_err(|e| RenderError::new("pdf", e));
            (path, bytes, laid.missing)
        })
        .collect();
    let mut rendered = Rendered::default();
    // Missing characters by text, with the documents they are in.
    let mut missing: BTreeMap<String, (Vec<char>, Vec<String>)> = BTreeMap::new();
    for (path, bytes, missing_glyphs) in written {
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
    Ok(rendered)
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
/// a lead's words cannot become Markdown. All render with the one report
/// context, built once; a group's or priority's passage has its `group` or
/// `priority` set in it first.
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
        let mut data = TemplateData::new(context::report(p, sentences));
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
            let entry = context::group_entry(p, sentences, &group.id)
                .ok_or_else(|| RenderFailure::Missing(format!("group {} is not in the progress", group.id)))?;
            data.set("group", entry);
            passages.groups.insert(group.id.clone(), passage("group-introduction.md", &data)?);
        }
        for priority in &p.priorities {
            let entry = context::priority_entry(p, sentences, &priority.id)
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

fn status_colour(status: Status) -> Colour {
    Colour::hex(status.colour())
}

fn status_key() -> Block {
    Block::Table(Table {
        columns: vec![Column::new("Status", 1.0), Column::new("Meaning", 3.2)],
        rows: Status::ALL
            .iter()
            .map(|s| vec![Cell::spans(vec![Span::bold(s.label())]).fill(status_colour(*s)), Cell::text(capitalise(s.meaning()))])
            .collect(),
        size: TABLE_SIZE + 0.7,
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The headline counts as one row of coloured cells, labelled as counts of
/// actions (agencies are counted in the returns section, in words).
fn headline_table(c: &crate::progress::Counts) -> Block {
    let mut columns = vec![Column::new("", 1.2)];
    columns.extend(Status::ALL.iter().map(|s| Column::new(s.label(), 1.0)));
    columns.push(Column::new("Overdue", 1.0));
    columns.push(Column::new("All actions", 1.0));
    let mut row: Vec<Cell> = vec![Cell::spans(vec![Span::bold("Actions")])];
    row.extend(Status::ALL.iter().map(|s| Cell::spans(vec![Span::bold(c.of(*s).to_string())]).fill(status_colour(*s))));
    row.push(Cell::spans(vec![Span::bold(c.overdue.to_string())]));
    row.push(Cell::spans(vec![Span::bold(c.actions.to_string())]));
    Block::Table(Table { columns, rows: vec![row], size: TABLE_SIZE + 1.5 })
}

fn status_chart(groups: &[&GroupProgress]) -> Block {
    Block::Chart(Chart {
        series: Status::ALL.iter().map(|s| Series { label: s.label().to_string(), colour: status_colour(*s) }).collect(),
        rows: groups
            .iter()
            .map(|g| ChartRow { label: g.name.clone(), values: Status::ALL.iter().map(|s| g.counts.of(*s)).collect() })
            .collect(),
        unit: "actions".to_string(),
    })
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

fn exceptions_table(exceptions: &[Exception], sentences: &Sentences) -> Block {
    Block::Table(Table {
        columns: vec![
            Column::new("Why", 1.1),
            Column::new("Action", 3.3),
            Column::new("Group", 1.25),
            Column::new("Lead(s)", 2.1),
            Column::new("Detail", 2.3),
        ],
        rows: exceptions
            .iter()
            .zip(&sentences.reasons)
            .map(|(e, reasons)| {
                let group = match &e.subject {
                    Subject::Action { group_name, .. } => group_name.clone(),
                    Subject::Agency { .. } => String::new(),
                };
                vec![
                    why_cell(e),
                    Cell::spans(subject_spans(e, None)),
                    Cell::text(group),
                    Cell::text(e.leads.join(", ")),
                    Cell::paragraphs(reasons.iter().map(|r| vec![Span::plain(r)]).collect()),
                ]
            })
            .collect(),
        size: TABLE_SIZE,
    })
}

/// The text of a lead's update cell: who, what they said, next steps, risks.
fn lead_paragraphs(update: &LeadUpdate, state_sentence: Option<&str>, name_them: bool, contribution: bool) -> Vec<Vec<Span>> {
    let mut out = Vec::new();
    if name_them || contribution {
        let mut who = vec![Span::bold(&update.agency_name)];
        let mut detail = vec![update.state.label().to_string()];
        if let Some(pc) = update.percent_complete {
            detail.push(format!("{pc}%"));
        }
        if contribution {
            detail.push("not a lead".to_string());
        }
        who.push(Span::plain(format!(" ({})", detail.join(", "))));
        out.push(who);
    }
    if !matches!(update.state, UpdateState::Reported(_)) {
        let why = state_sentence.unwrap_or(vocabulary::NO_RETURN_THIS_QUARTER);
        out.push(vec![Span::italic(why)]);
        return out;
    }
    if !update.update.is_empty() {
        out.push(vec![Span::plain(&update.update)]);
    } else {
        out.push(vec![Span::italic(format!("{}.", vocabulary::NO_UPDATE_GIVEN))]);
    }
    if update.stale {
        out.push(vec![Span::italic(format!("{}.", vocabulary::STALE))]);
    }
    for detail in LeadDetail::ALL {
        if let Some(value) = detail.value(update) {
            out.push(labelled(&format!("{}:", detail.label()), value.words()));
        }
    }
    for (header, value) in &update.notes {
        out.push(labelled(&format!("{header}:"), value));
    }
    out
}

/// The actions table of a group (or of a priority's share of a group).
fn actions_table(actions: &[&ActionProgress], sentences: &Sentences) -> Block {
    let columns = vec![
        Column::new("ID", 0.72),
        Column::new("Action", 2.55),
        Column::new("Timescale", 1.08),
        Column::new("NEW", 0.62),
        Column::new("Lead(s)", 1.35),
        Column::new("Status", 0.95),
        Column::new("% complete", 0.98),
        Column::new(vocabulary::TREND, 0.95),
        Column::new("Progress update, next steps and risks", 5.0),
    ];
    let rows = actions
        .iter()
        .map(|a| {
            let several = a.leads.len() + a.contributions.len() > 1;
            let leads = a
                .leads
                .iter()
                .map(|l| match l.state {
                    UpdateState::Reported(_) => vec![Span::plain(&l.agency_name)],
                    _ => vec![Span::plain(&l.agency_name), Span::italic(format!(" ({})", l.state.label()))],
                })
                .collect();
            let mut status = vec![vec![Span::bold(a.overall.label())]];
            if a.overdue {
                status.push(vec![Span::italic(ExceptionKind::Overdue.label())]);
            }
            if a.conflict {
                status.push(vec![Span::italic(ExceptionKind::Conflict.label())]);
            }
            if a.not_started_late {
                status.push(vec![Span::italic(ExceptionKind::NotStartedLate.label())]);
            }
            if let Some(date) = a.slipped_to {
                status.push(vec![Span::italic(format!("{} {}", vocabulary::REVISED_TO, uk_date(date)))]);
            }
            let percent: Vec<Vec<Span>> = a
                .leads
                .iter()
                .map(|l| vec![Span::plain(l.percent_complete.map(|pc| format!("{pc}%")).unwrap_or_else(|| "–".to_string()))])
                .collect();
            let trend = match a.trend {
                Some(_) => vec![Span::plain(vocabulary::trend_words(a.trend))],
                None => vec![Span::italic(vocabulary::trend_words(a.trend))],
            };
            let mut updates: Vec<Vec<Span>> = Vec::new();
            for l in &a.leads {
                updates.extend(lead_paragraphs(l, sentences.lead_state(&a.id, &l.agency_name), several, false));
            }
            for c in &a.contributions {
                updates.extend(lead_paragraphs(c, None, true, true));
            }
            vec![
                Cell::spans(vec![Span::bold(&a.id)]),
                Cell::text(&a.text),
                Cell::text(&a.timescale),
                Cell::spans(if a.new { vec![Span::bold("NEW")] } else { vec![] }),
                Cell::paragraphs(leads),
                Cell::paragraphs(status).fill(status_colour(a.overall)),
                Cell::paragraphs(if percent.is_empty() { vec![vec![Span::plain("–")]] } else { percent }),
                Cell::spans(trend),
                Cell::paragraphs(updates),
            ]
        })
        .collect();
    Block::Table(Table { columns, rows, size: TABLE_SIZE })
}

fn bullet_list(items: &[String]) -> Block {
    Block::Bullets { items: items.iter().map(|i| vec![Span::plain(i)]).collect(), size: layout::BODY_SIZE }
}

fn priorities_of<'a>(p: &'a Progress, group: &GroupProgress) -> Vec<&'a PriorityProgress> {
    group.priority_ids.iter().filter_map(|id| p.priorities.iter().find(|pr| &pr.id == id)).collect()
}

/// One action group's section: heading, priorities, their evidence and aims, the actions.
fn group_section(p: &Progress, t: &Passages, s: &Sentences, group: &GroupProgress, blocks: &mut Vec<Block>) {
    blocks.push(Block::PageBreak(Some(ACTION_PAGES)));
    blocks.push(heading(1, format!("{} action group", group.name)));
    blocks.extend_from_slice(t.group(&group.id));
    let priorities = priorities_of(p, group);
    if !priorities.is_empty() {
        blocks.push(Block::Heading { level: 2, text: "What the plan says".to_string(), outline: false });
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
            size: TABLE_SIZE + 0.4,
        }));
    }
    blocks.push(Block::Heading { level: 2, text: format!("{}: actions", group.name), outline: false });
    let actions: Vec<&ActionProgress> = group.actions.iter().collect();
    blocks.push(actions_table(&actions, s));
}

// ---------------------------------------------------------------------------
// The documents
// ---------------------------------------------------------------------------

fn board_report(p: &Progress, t: &Passages, s: &Sentences) -> Flow {
    // Cover.
    let mut b: Vec<Block> = vec![Block::Spacer(90.0)];
    b.push(Block::Paragraph(Paragraph::new(vec![Span::bold(&p.partnership.name)]).size(15.0).colour(Colour::ACCENT)));
    b.push(Block::Paragraph(
        Paragraph::new(vec![Span::bold("Quarterly progress report")]).size(28.0).colour(Colour::ACCENT).space_after(14.0),
    ));
    b.push(Block::Paragraph(Paragraph::new(vec![Span::plain(p.period.long_name())]).size(15.0)));
    b.extend(t.cover.iter().cloned().map(|block| match block {
        Block::Paragraph(para) => Block::Paragraph(para.size(12.0).colour(Colour::MUTED)),
        other => other,
    }));
    b.push(Block::Paragraph(
        Paragraph::new(vec![Span::plain(format!("Produced {}", uk_date(p.produced)))]).size(11.0).colour(Colour::MUTED),
    ));
    b.push(Block::Spacer(150.0));
    b.push(Block::Heading { level: 3, text: "Status key".to_string(), outline: false });
    b.push(status_key());
    b.push(Block::PageBreak(None));

    b.push(Block::Heading { level: 1, text: "Contents".to_string(), outline: false });
    b.push(Block::Contents);

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
    b.push(heading(2, "Exceptions"));
    if p.exceptions.is_empty() {
        b.push(para(vec![Span::plain(&s.exceptions_count)]));
    } else {
        b.push(exceptions_table(&p.exceptions, s));
    }

    for group in &p.groups {
        group_section(p, t, s, group, &mut b);
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
        size: TABLE_SIZE + 0.5,
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

    // Glossary.
    if !p.glossary.is_empty() {
        b.push(heading(1, "Glossary"));
        b.push(Block::Table(Table {
            columns: vec![Column::new("Term", 1.0), Column::new("Meaning", 4.0)],
            rows: p.glossary.iter().map(|g| vec![Cell::spans(vec![Span::bold(&g.term)]), Cell::text(&g.meaning)]).collect(),
            size: TABLE_SIZE + 0.5,
        }));
    }
    Flow { page: PageStyle::A4_PORTRAIT, furniture: furniture(p, "Quarterly progress report"), blocks: b }
}

fn commissioner_summary(p: &Progress, t: &Passages, s: &Sentences) -> Flow {
    let mut b: Vec<Block> = Vec::new();
    b.push(Block::Paragraph(
        Paragraph::new(vec![Span::bold("Summary for commissioners")]).size(20.0).colour(Colour::ACCENT).space_after(4.0),
    ));
    b.push(Block::Paragraph(
        Paragraph::new(vec![Span::plain(format!("{} · {}", p.partnership.name, p.period.long_name()))]).size(11.0).colour(Colour::MUTED),
    ));
    b.extend_from_slice(&t.commissioner_summary);
    b.push(heading(2, "Headline figures"));
    b.push(headline_table(&p.totals));
    b.push(heading(2, "Progress by action group"));
    let groups: Vec<&GroupProgress> = p.groups.iter().collect();
    b.push(status_chart(&groups));
    b.push(heading(2, "Exceptions"));
    if p.exceptions.is_empty() {
        b.push(para(vec![Span::plain(&s.exceptions_count)]));
    }
    // One row per exception: merge gives one per action, with all its reasons.
    let rows: Vec<Vec<Cell>> = p
        .exceptions
        .iter()
        .zip(&s.reasons)
        .map(|(e, reasons)| {
            let mut what = vec![subject_spans(e, Some(140))];
            what.extend(reasons.iter().map(|r| vec![Span::italic(r)]));
            let said: Vec<Vec<Span>> = e
                .words
                .iter()
                .filter(|w| !w.update.is_empty())
                .map(|w| vec![Span::bold(format!("{}: ", w.lead)), Span::plain(format!("“{}”", shorten(&w.update, 220)))])
                .collect();
            let words = if said.is_empty() {
                vec![vec![Span::italic(match e.subject {
                    Subject::Action { .. } => "No words from the lead.",
                    Subject::Agency { .. } => vocabulary::NO_RETURN_THIS_QUARTER,
                })]]
            } else {
                said
            };
            vec![why_cell(e), Cell::paragraphs(what), Cell::paragraphs(words)]
        })
        .collect();
    if !rows.is_empty() {
        b.push(Block::Table(Table {
            columns: vec![Column::new("Why", 1.0), Column::new("Action", 2.6), Column::new("In the leads' words", 4.0)],
            rows,
            size: TABLE_SIZE,
        }));
        b.push(Block::Paragraph(
            Paragraph::new(vec![Span::italic("Long updates are shortened (…); the board report has them in full.")])
                .size(7.5)
                .colour(Colour::MUTED),
        ));
    }
    Flow { page: PageStyle::A4_PORTRAIT, furniture: furniture(p, "Summary for commissioners"), blocks: b }
}

fn group_document(p: &Progress, t: &Passages, s: &Sentences, group: &GroupProgress) -> Flow {
    let mut b = vec![Block::Paragraph(
        Paragraph::new(vec![Span::plain(format!(
            "From the {} quarterly progress report for {}, produced {}.",
            p.partnership.name,
            p.period.long_name(),
            uk_date(p.produced)
        ))])
        .size(8.5)
        .colour(Colour::MUTED)
        .align(Align::Left),
    )];
    let mut section = Vec::new();
    group_section(p, t, s, group, &mut section);
    // The section's own page break is not needed at the top of its own document.
    b.extend(section.into_iter().skip(1));
    Flow { page: ACTION_PAGES, furniture: furniture(p, &format!("{} action group", group.name)), blocks: b }
}

fn priority_document(p: &Progress, t: &Passages, s: &Sentences, priority: &PriorityProgress) -> Flow {
    let mut b = vec![
        Block::Paragraph(
            Paragraph::new(vec![Span::plain(format!("{} · progress for {}", p.partnership.name, p.period.long_name()))])
                .size(8.5)
                .colour(Colour::MUTED),
        ),
        heading(1, format!("Strategic priority: {}", priority.name)),
    ];
    b.extend_from_slice(t.priority(&priority.id));
    if !priority.evidence.is_empty() {
        b.push(heading(2, "Evidence"));
        b.push(bullet_list(&priority.evidence));
    }
    if !priority.aims.is_empty() {
        b.push(heading(2, "Aims"));
        b.push(bullet_list(&priority.aims));
    }
    let groups: Vec<&GroupProgress> = priority.group_ids.iter().filter_map(|id| p.groups.iter().find(|g| &g.id == id)).collect();
    for group in groups {
        let actions: Vec<&ActionProgress> = group.actions.iter().filter(|a| priority.action_ids.contains(&a.id)).collect();
        if actions.is_empty() {
            continue;
        }
        b.push(heading(2, format!("{} action group", group.name)));
        b.push(actions_table(&actions, s));
    }
    // Landscape throughout: the action tables are most of it.
    Flow { page: ACTION_PAGES, furniture: furniture(p, &format!("Priority: {}", priority.name)), blocks: b }
}
