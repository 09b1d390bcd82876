//! Renderers: one per output format, behind one small interface. Each takes
//! the finished [`Progress`] (and the plan and templates) and returns the
//! files to write, relative to the period's output folder; the build command
//! writes them atomically. Renderers lay out: they never compute a figure.

pub mod context;
pub mod csv;
pub mod html;
pub mod language;
pub mod pdf;
pub mod reminders;
pub mod sentences;
pub mod xlsx;
pub mod year;

use crate::diagnostics::Diagnostic;
use crate::forms::FormSettings;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::templates::Templates;
use std::path::PathBuf;

/// What a renderer reads.
pub struct RenderContext<'a> {
    pub progress: &'a Progress,
    pub plan: &'a Plan,
    pub templates: &'a Templates,
    /// What this quarter's forms told the agencies (whom to ask), for the reminders.
    pub forms: &'a FormSettings,
    /// The sentences every output shares (exception reasons), rendered once.
    pub sentences: &'a sentences::Sentences,
}

/// One file to write, relative to `output/<period>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// A renderer's files, and any problems met while laying out (a string cut
/// to Excel's cell limit, a character no font covers).
#[derive(Debug, Default)]
pub struct Rendered {
    pub files: Vec<OutputFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a renderer could not produce its output (a bug or a broken template,
/// never bad data in returns).
#[derive(Debug, thiserror::Error)]
#[error("{renderer}: {source}")]
pub struct RenderError {
    pub renderer: &'static str,
    #[source]
    pub source: RenderFailure,
}

/// What went wrong inside a renderer, with its own error kept as the source.
#[derive(Debug, thiserror::Error)]
pub enum RenderFailure {
    #[error(transparent)]
    Template(#[from] crate::templates::TemplateError),
    #[error(transparent)]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error(transparent)]
    Csv(#[from] ::csv::Error),
    #[error(transparent)]
    Pdf(#[from] pdf::write::WriteError),
    /// A group or priority the progress does not hold (a bug).
    #[error("{0}")]
    Missing(String),
}

impl RenderError {
    pub fn new(renderer: &'static str, source: impl Into<RenderFailure>) -> RenderError {
        RenderError { renderer, source: source.into() }
    }
}

/// One output format.
pub trait Renderer: Sync {
    /// Short name for messages ("xlsx", "pdf").
    fn name(&self) -> &'static str;
    fn render(&self, ctx: &RenderContext) -> Result<Rendered, RenderError>;
}

/// Every renderer the build runs, in order.
pub fn renderers() -> Vec<Box<dyn Renderer>> {
    vec![
        Box::new(self::csv::CsvRenderer),
        Box::new(xlsx::XlsxRenderer),
        Box::new(pdf::PdfRenderer),
        Box::new(html::HtmlReport),
        Box::new(reminders::Reminders),
    ]
}
