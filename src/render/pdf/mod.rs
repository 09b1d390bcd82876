//! The PDF documents: the board report, the commissioners' summary, one PDF
//! per action group and one per strategic priority. [`documents`] turns
//! `Progress` into flows of blocks, [`layout`] lays them into A4 pages with
//! measured, shaped text ([`text`], [`fonts`]), [`chart`] draws the status
//! chart, [`markdown`] reads the prose templates, and [`write`] makes the
//! bytes: each page's content stream (`content`), the embedded, subset
//! fonts (`embed`) and the structure tree (`tagged`), in the file syntax of
//! `file`. Output is byte-identical for the same inputs.

pub mod chart;
mod content;
pub mod documents;
mod embed;
mod file;
pub mod fonts;
pub mod layout;
pub mod markdown;
mod tagged;
pub mod terms;
pub mod text;
pub mod write;
pub mod year;

use super::{RenderContext, RenderError, Rendered, Renderer};

/// Writes the four kinds of PDF document.
pub struct PdfRenderer;

impl Renderer for PdfRenderer {
    fn name(&self) -> &'static str {
        "pdf"
    }

    fn render(&self, ctx: &RenderContext) -> Result<Rendered, RenderError> {
        documents::render_all(ctx)
    }
}
