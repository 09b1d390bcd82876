//! `year-review.pdf`: the year-end review for the board, built from a
//! [`YearReview`] with the quarterly pack's layout layer, type scale and
//! tagging: the opening (a template), where each quarter came from, the
//! year in figures, a chart of the status mix per quarter, the actions red
//! for more than one quarter, then (landscape) per group each action's four
//! quarters as words on their colours with its final status, timescale,
//! completion or revised date and days slipped, the actions to carry
//! forward with their last update, any data problems, and the glossary.
//! Every figure and state comes from the review; nothing is decided here.

use super::chart::{Chart, ChartRow, Series};
use super::layout::{self, heading, para, scale, Block, Cell, Colour, Column, Flow, Furniture, PageStyle, Paragraph, Table};
use super::text::Span;
use super::write::{render_pdf, Metadata};
use crate::diagnostics::{Diagnostic, Place};
use crate::merge::year::{YearAction, YearReview};
use crate::progress::QuarterState;
use crate::render::xlsx::year::{carry_order, completed_or_revised, headline};
use crate::templates::{uk_date, TemplateData, Templates};
use crate::vocabulary;
use serde_json::json;

const TABLE_SIZE: f32 = scale::SMALL;

/// A quarter's state as a cell: the word, bold, on its colour; "No data"
/// and "Not in the plan" in italics on white. Never the colour alone.
fn state_cell(state: QuarterState) -> Cell {
    match state {
        QuarterState::Status(s) => Cell::spans(vec![Span::bold(s.label())]).fill(Colour::hex(s.colour())),
        other => Cell::spans(vec![Span::italic(other.label())]),
    }
}

fn caption(text: impl Into<String>) -> Block {
    Block::Paragraph(Paragraph::new(vec![Span::italic(text)]).size(TABLE_SIZE).colour(Colour::MUTED))
}

/// The first sentence or two of a lead's words, about `max` characters.
fn first_words(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(". ").map(|i| i + 1).or_else(|| cut.rfind(' ')).unwrap_or(cut.len());
    format!("{} …", cut[..at].trim_end())
}

/// The review's opening, from `year-review.md`.
fn opening(review: &YearReview, templates: &Templates) -> Result<Vec<Block>, crate::templates::TemplateError> {
    let t = &review.totals;
    let no_data: Vec<String> = review.quarters.iter().filter(|q| q.source.is_none()).map(|q| q.period.to_string()).collect();
    let data = TemplateData::new(json!({
        "partnership": {"name": review.partnership.name, "short_name": review.partnership.short_name},
        "year": {"name": review.year.to_string(), "long_name": review.year.long_name()},
        "totals": {
            "actions": t.actions, "delivered": t.delivered, "on_track": t.on_track, "slipped": t.slipped,
            "not_started": t.not_started, "at_risk": t.at_risk, "unknown": t.unknown, "withdrawn": t.withdrawn,
            "carried_forward": t.carried_forward,
        },
        "no_data": no_data,
        "red_more_than_once": review.groups.iter().flat_map(|g| g.actions.iter()).filter(|a| a.red_quarters > 1).count(),
    }));
    Ok(super::markdown::blocks(&templates.render("year-review.md", &data)?, 2))
}

fn mix_chart(review: &YearReview) -> Block {
    // Only the states some quarter has, so the legend names what is drawn.
    let shown: Vec<usize> = (0..QuarterState::KEY.len()).filter(|i| review.mix.iter().any(|q| q[*i] > 0)).collect();
    Block::Chart(Chart {
        series: shown
            .iter()
            .map(|i| Series { label: QuarterState::KEY[*i].label().to_string(), colour: Colour::hex(QuarterState::KEY[*i].colour()) })
            .collect(),
        rows: review
            .quarters
            .iter()
            .zip(&review.mix)
            .map(|(q, counts)| ChartRow {
                label: q.period.to_string(),
                values: shown.iter().map(|i| counts[*i]).collect(),
                total: match &q.source {
                    Some(_) => vocabulary::actions(counts.iter().sum()),
                    None => vocabulary::NO_DATA.to_string(),
                },
            })
            .collect(),
    })
}

/// One row per action: the action, its four quarters, final status,
/// timescale, completed or revised to, days slipped.
fn year_table(group_name: &str, actions: &[&YearAction], review: &YearReview) -> Block {
    // The group in the header, which repeats on every page the table runs
    // onto, so a reader who starts on a continued page knows whose rows these are.
    let mut columns = vec![Column::new(format!("{group_name}: action"), 4.2)];
    columns.extend(review.quarters.iter().map(|q| Column::new(format!("Q{}", q.period.quarter), 0.85)));
    columns.extend([
        Column::new("At year end", 1.0),
        Column::new(vocabulary::TIMESCALE, 1.0),
        Column::new("Completed or revised to", 1.3),
        Column::new("Days slipped", 0.75),
    ]);
    let rows = actions
        .iter()
        .map(|a| {
            let mut row = vec![Cell::spans(vec![Span::bold(format!("{} ", a.id)), Span::plain(&a.text)])];
            row.extend(a.overall.iter().map(|s| state_cell(*s)));
            let mut end = state_cell(a.final_state);
            if let Some(q) = a.final_quarter.filter(|q| q.quarter != 4) {
                end.paragraphs.push(vec![Span::italic(format!("as at {q}"))]);
            }
            row.push(end);
            row.push(Cell::text(&a.timescale));
            row.push(Cell::text(completed_or_revised(a)));
            row.push(Cell::text(a.slipped_days.map(|d| d.to_string()).unwrap_or_else(|| "–".to_string())));
            row
        })
        .collect();
    Block::Table(Table { columns, rows, size: TABLE_SIZE })
}

fn flow(review: &YearReview, templates: &Templates) -> Result<Flow, crate::templates::TemplateError> {
    let mut b: Vec<Block> = vec![
        Block::Paragraph(Paragraph::new(vec![Span::bold(&review.partnership.name)]).size(scale::H2).colour(Colour::ACCENT)),
        Block::Heading { level: 1, text: format!("The year {}: review", review.year) },
        Block::Paragraph(Paragraph::new(vec![Span::plain(review.year.long_name())]).size(scale::H3).colour(Colour::MUTED)),
    ];
    b.extend(opening(review, templates)?);

    b.push(heading(2, "The year in figures"));
    let rows = headline(&review.totals)
        .into_iter()
        .map(|(name, count, meaning)| {
            vec![Cell::spans(vec![Span::bold(name)]), Cell::spans(vec![Span::bold(count.to_string())]), Cell::text(meaning)]
        })
        .chain(std::iter::once(vec![
            Cell::spans(vec![Span::bold("All actions")]),
            Cell::spans(vec![Span::bold(review.totals.actions.to_string())]),
            Cell::text("in the plan at the year's end"),
        ]))
        .collect();
    b.push(Block::Table(Table {
        columns: vec![Column::new("Actions", 1.8), Column::new("Number", 0.8), Column::new("What it counts", 4.5)],
        rows,
        size: TABLE_SIZE,
    }));

    b.push(heading(2, "Status mix per quarter"));
    b.push(mix_chart(review));
    b.push(caption("Each bar is one quarter's actions by overall status, each status named in the legend beneath."));

    b.push(heading(2, "Where each quarter's results came from"));
    b.push(Block::KeyValues {
        rows: review
            .quarters
            .iter()
            .map(|q| {
                let value = match &q.source {
                    Some(source) => vec![Span::plain(source)],
                    None => vec![Span::italic(format!("{}: no results and no returns were found for it.", vocabulary::NO_DATA))],
                };
                (q.period.to_string(), value)
            })
            .collect(),
        size: layout::BODY_SIZE,
    });

    let red: Vec<&YearAction> = review.groups.iter().flat_map(|g| g.actions.iter()).filter(|a| a.red_quarters > 1).collect();
    b.push(heading(2, "Red for more than one quarter"));
    if red.is_empty() {
        b.push(para(vec![Span::plain("No action was red in more than one quarter.")]));
    } else {
        b.push(Block::Bullets {
            items: red
                .iter()
                .map(|a| {
                    vec![
                        Span::bold(format!("{} ", a.id)),
                        Span::plain(first_words(&a.text, 90)),
                        Span::italic(format!(" (red in {} quarters; {} at year end)", a.red_quarters, a.final_state.label())),
                    ]
                })
                .collect(),
            size: layout::BODY_SIZE,
        });
    }

    // The key to the quarter cells, once, before the tables.
    b.push(Block::PageBreak(Some(PageStyle::A4_LANDSCAPE)));
    b.push(heading(1, "Each action over the year"));
    b.push(para(vec![Span::plain(
        "One row per action, by group: its overall status in each quarter, its status at the year's end, the plan's timescale against \
         when it was completed or the latest revised date, and how many days it slipped (– where it did not, or has no date).",
    )]));
    let mut key: Vec<(String, Vec<Span>)> =
        QuarterState::KEY.iter().filter_map(|s| s.status().map(|st| (st.label().to_string(), vec![Span::plain(st.meaning())]))).collect();
    key.push((vocabulary::NOT_IN_PLAN.to_string(), vec![Span::plain("the action was not in the plan that quarter")]));
    key.push((vocabulary::NO_DATA.to_string(), vec![Span::plain("nothing is known of that quarter: no results and no returns")]));
    b.push(Block::KeyValues { rows: key, size: TABLE_SIZE });
    for group in &review.groups {
        b.push(heading(2, format!("{} action group", group.name)));
        let actions: Vec<&YearAction> = group.actions.iter().collect();
        b.push(year_table(&group.name, &actions, review));
    }

    b.push(heading(1, "Carried forward into next year"));
    let mut carried: Vec<&YearAction> = review.groups.iter().flat_map(|g| g.actions.iter()).filter(|a| a.carry_forward).collect();
    // Most at risk first (red, amber, then slipped), then plan order: what
    // the next plan must deal with leads the list.
    carried.sort_by_key(|a| carry_order(a));
    if carried.is_empty() {
        b.push(para(vec![Span::plain("Every action in the plan was delivered.")]));
    } else {
        b.push(para(vec![Span::plain(format!(
            "{} in the plan at the year's end {} not delivered, and carry forward: here with the leads' last update, red and amber first, then those that slipped.",
            vocabulary::actions(carried.len()),
            if carried.len() == 1 { "was" } else { "were" }
        ))]));
        let rows = carried
            .iter()
            .map(|a| {
                let mut what = vec![
                    vec![Span::bold(format!("{} ", a.id)), Span::plain(&a.text)],
                    vec![Span::italic(format!("{} action group", a.group_name))],
                ];
                if let Some(days) = a.slipped_days {
                    what.push(vec![Span::italic(format!("Slipped {days} days"))]);
                }
                let said = match &a.last_update {
                    Some((q, words)) => {
                        let mut lines = vec![vec![Span::italic(format!("{q}:"))]];
                        lines.extend(words.iter().map(|(lead, text)| {
                            vec![Span::bold(format!("{lead}: ")), Span::plain(format!("“{}”", first_words(text, 150)))]
                        }));
                        lines
                    }
                    None => vec![vec![Span::italic(vocabulary::NO_UPDATE_GIVEN)]],
                };
                vec![Cell::paragraphs(what), state_cell(a.final_state), Cell::paragraphs(said)]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![Column::new("Action", 3.5), Column::new("At year end", 1.0), Column::new("Last update", 5.5)],
            rows,
            size: TABLE_SIZE,
        }));
    }
    if !review.withdrawn.is_empty() {
        b.push(heading(2, "Withdrawn during the year"));
        b.push(Block::Bullets {
            items: review
                .withdrawn
                .iter()
                .map(|w| {
                    vec![
                        Span::bold(format!("{} ", w.id)),
                        Span::plain(first_words(&w.text, 100)),
                        Span::italic(format!(" (last in the plan in {}, {})", w.last_quarter, w.last_status.label())),
                    ]
                })
                .collect(),
            size: layout::BODY_SIZE,
        });
    }
    if !review.diagnostics.is_empty() {
        b.push(heading(1, "Data problems"));
        b.push(Block::Bullets {
            items: review.diagnostics.iter().map(|d| vec![Span::bold(format!("{}: ", d.place)), Span::plain(&d.message)]).collect(),
            size: TABLE_SIZE,
        });
    }
    let used = super::terms::used(&review.glossary, &b);
    if !used.is_empty() {
        b.push(heading(1, "Glossary"));
        b.push(Block::Table(Table {
            columns: vec![Column::new("Term", 1.0), Column::new("Meaning", 4.0)],
            rows: used.iter().map(|g| vec![Cell::spans(vec![Span::bold(&g.term)]), Cell::text(&g.meaning)]).collect(),
            size: TABLE_SIZE,
        }));
    }
    Ok(Flow {
        page: PageStyle::A4_PORTRAIT,
        furniture: Furniture {
            header_left: review.partnership.name.clone(),
            header_right: format!("Year review · {}", review.year),
            footer_left: format!("Produced {}", uk_date(review.produced)),
        },
        blocks: b,
    })
}

/// The flow of `year-review.pdf`, for tests that read its blocks.
pub fn year_flow(review: &YearReview, templates: &Templates) -> Result<Flow, crate::templates::TemplateError> {
    flow(review, templates)
}

/// `year-review.pdf`'s bytes; characters no font has and terms the glossary
/// lacks are reported into `diagnostics`.
pub fn document(
    review: &YearReview,
    templates: &Templates,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<u8>, crate::render::RenderFailure> {
    let flow = flow(review, templates)?;
    for term in super::terms::undefined(&review.glossary, &flow.blocks) {
        diagnostics.push(
            Diagnostic::warning(
                "glossary-term-missing",
                Place::file(crate::render::year::YEAR_PDF),
                format!("\"{term}\" is used in {} but the plan's glossary does not say what it stands for", crate::render::year::YEAR_PDF),
            )
            .with_hint(format!("add it to the plan's glossary ([[glossary]] term = \"{term}\"), so board members can look it up")),
        );
    }
    let metadata = Metadata {
        title: format!("{}: year review, {}", review.partnership.name, review.year),
        author: review.partnership.name.clone(),
        subject: format!("Year review, {}", review.year.long_name()),
        date: review.produced,
    };
    let (bytes, laid) = render_pdf(&flow, &metadata, &Default::default())?;
    for missing in &laid.missing {
        let listed: Vec<String> = missing.chars.iter().map(|c| format!("'{c}' (U+{:04X})", *c as u32)).collect();
        diagnostics.push(Diagnostic::warning(
            "glyph-missing",
            Place::file(crate::render::year::YEAR_PDF),
            format!(
                "no font shipped with csp-report has {}; it prints as \u{FFFD} in \"{}\"",
                listed.join(", "),
                first_words(&missing.text, 120)
            ),
        ));
    }
    Ok(bytes)
}
