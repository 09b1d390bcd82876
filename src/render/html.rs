//! The accessible HTML board report (`board-report.html`): the board report's
//! content as one self-contained file for the partnership's website, laid out
//! by the `board-report.html` template (inline CSS, no scripts, no external
//! resources). This module adds only chart geometry to the shared template
//! context; every figure comes from [`Progress`](crate::progress::Progress).

use super::context;
use super::{OutputFile, RenderContext, RenderError, Rendered, Renderer};
use crate::templates::TemplateData;
use serde_json::{json, Value};
use std::path::PathBuf;

/// The file this renderer writes, relative to the period's output folder.
pub const FILE_NAME: &str = "board-report.html";

/// The template it renders.
pub const TEMPLATE: &str = "board-report.html";

/// Writes `board-report.html`.
pub struct HtmlReport;

impl Renderer for HtmlReport {
    fn name(&self) -> &'static str {
        "html"
    }

    fn render(&self, ctx: &RenderContext) -> Result<Rendered, RenderError> {
        let mut data = context::report(ctx.progress, ctx.sentences);
        add_chart_widths(&mut data);
        let mut diagnostics = Vec::new();
        let actions = context::GroupActions { progress: ctx.progress, sentences: ctx.sentences };
        let html = ctx
            .templates
            .render_reporting_with(TEMPLATE, &TemplateData::new(data), Some(&actions), &mut diagnostics)
            .map_err(|e| RenderError::new("html", e))?;
        Ok(Rendered { files: vec![OutputFile { path: PathBuf::from(FILE_NAME), bytes: html.into_bytes() }], diagnostics })
    }
}

/// Sets each group's `chart_width`: the length of its bar as a percentage of
/// the longest, so bars compare groups of different sizes. Layout geometry,
/// not a reported figure.
fn add_chart_widths(data: &mut Value) {
    let Some(groups) = data.get_mut("groups").and_then(Value::as_array_mut) else { return };
    let actions = |g: &Value| g["counts"]["actions"].as_u64().unwrap_or(0);
    let longest = groups.iter().map(actions).max().unwrap_or(0).max(1);
    for group in groups.iter_mut() {
        // One decimal place keeps the output short and identical across platforms.
        let width = (actions(group) * 1000 / longest) as f64 / 10.0;
        group["chart_width"] = json!(width);
    }
}
