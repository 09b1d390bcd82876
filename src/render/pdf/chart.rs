//! The stacked bar chart of statuses per action group, drawn as vector
//! graphics: one bar per row, one segment per series (coloured, outlined, with
//! its count written inside when there is room), the row's label on the left,
//! its total on the right, and a legend in words beneath, so the chart reads
//! in black and white too. Figures come in ready-made; the chart only draws.

use super::layout::{Colour, Item, Tag};
use super::text::{self, MissingGlyphs, Span};

/// One series (a status): its name in the legend and its colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub colour: Colour,
}

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRow {
    pub label: String,
    /// One value per series, in series order.
    pub values: Vec<usize>,
    /// The row's total in words, written after the bar ("5 actions").
    pub total: String,
}

/// A stacked horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub series: Vec<Series>,
    pub rows: Vec<ChartRow>,
}

const LABEL_SIZE: f32 = super::layout::scale::SMALL;
const ROW_HEIGHT: f32 = 22.0;
const BAR_HEIGHT: f32 = 13.0;
const LEGEND_LINE: f32 = 14.0;

/// Height the chart takes, legend included (legend assumed on up to two lines).
pub fn height(chart: &Chart) -> f32 {
    chart.rows.len() as f32 * ROW_HEIGHT + 6.0 + legend_lines(chart) as f32 * LEGEND_LINE
}

fn legend_lines(chart: &Chart) -> usize {
    if chart.series.len() > 3 {
        2
    } else {
        1
    }
}

/// The chart's figures in words, for a reader who cannot see it (the
/// tagged PDF's alternate description): each bar's label, its counts by
/// series, and its total.
pub fn describe(chart: &Chart) -> String {
    let series: Vec<&str> = chart.series.iter().map(|s| s.label.as_str()).collect();
    let mut out = format!("Bar chart of actions by status ({}) for each row:", series.join(", "));
    for row in &chart.rows {
        let counts: Vec<String> =
            chart.series.iter().zip(&row.values).filter(|(_, &v)| v > 0).map(|(s, v)| format!("{v} {}", s.label)).collect();
        let counts = if counts.is_empty() { "none".to_string() } else { counts.join(", ") };
        out.push_str(&format!(" {}: {counts} ({}).", row.label, row.total));
    }
    out
}

/// Draws the chart with its top-left corner at (`x`, `y`), `width` wide,
/// every item tagged `tag` (the figure).
pub(crate) fn draw(chart: &Chart, x: f32, y: f32, width: f32, tag: Tag, missing: &mut Vec<MissingGlyphs>) -> Vec<Item> {
    let mut items = Vec::new();
    let label_width = width * 0.34;
    let total_width = chart.rows.iter().map(|r| text::measure(&[Span::plain(&r.total)], LABEL_SIZE)).fold(0.0, f32::max) + 6.0;
    let bar_left = x + label_width + 6.0;
    let bar_space = (width - label_width - 6.0 - total_width).max(10.0);
    let max_total = chart.rows.iter().map(|r| r.values.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let unit = bar_space / max_total as f32;

    for (i, row) in chart.rows.iter().enumerate() {
        let top = y + i as f32 * ROW_HEIGHT;
        // Label: up to two lines, right-aligned against the bars.
        let mut lines = text::wrap(&[Span::plain(&row.label)], LABEL_SIZE, label_width, missing);
        lines.truncate(2);
        let block = lines.len() as f32 * LABEL_SIZE * 1.15;
        let first_top = top + (ROW_HEIGHT - block) / 2.0;
        for (k, line) in lines.into_iter().enumerate() {
            let baseline = first_top + LABEL_SIZE * (0.9 + k as f32 * 1.15);
            items.push(Item::Text { x: x + label_width - line.width, baseline, line, colour: Colour::BLACK, tag });
        }
        let bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2.0;
        let mut at = bar_left;
        for (series, &value) in chart.series.iter().zip(&row.values) {
            if value == 0 {
                continue;
            }
            let w = value as f32 * unit;
            items.push(Item::Rect { x: at, y: bar_top, w, h: BAR_HEIGHT, fill: Some(series.colour), stroke: Some(Colour::MUTED), tag });
            let count = text::set_line(&[Span::plain(value.to_string())], LABEL_SIZE, missing);
            if count.width + 3.0 <= w {
                let baseline = bar_top + BAR_HEIGHT / 2.0 + LABEL_SIZE * 0.36;
                items.push(Item::Text { x: at + (w - count.width) / 2.0, baseline, line: count, colour: Colour::BLACK, tag });
            }
            at += w;
        }
        let total_line = text::set_line(&[Span::plain(&row.total)], LABEL_SIZE, missing);
        let baseline = bar_top + BAR_HEIGHT / 2.0 + LABEL_SIZE * 0.36;
        items.push(Item::Text { x: at + 4.0, baseline, line: total_line, colour: Colour::MUTED, tag });
    }

    // Legend: swatch and word for each series, flowing over at most two lines.
    let legend_top = y + chart.rows.len() as f32 * ROW_HEIGHT + 6.0;
    let per_line = chart.series.len().div_ceil(legend_lines(chart)).max(1);
    let slot = (width - label_width - 6.0) / per_line as f32;
    for (i, series) in chart.series.iter().enumerate() {
        let row = i / per_line;
        let col = i % per_line;
        let sx = bar_left + col as f32 * slot;
        let sy = legend_top + row as f32 * LEGEND_LINE;
        items.push(Item::Rect { x: sx, y: sy + 2.0, w: 9.0, h: 9.0, fill: Some(series.colour), stroke: Some(Colour::MUTED), tag });
        let mut lines = text::wrap(&[Span::plain(&series.label)], LABEL_SIZE, slot - 14.0, missing);
        lines.truncate(1);
        if let Some(line) = lines.pop() {
            items.push(Item::Text { x: sx + 13.0, baseline: sy + 2.0 + LABEL_SIZE * 0.95, line, colour: Colour::BLACK, tag });
        }
    }
    items
}
