//! Templates: all prose in the outputs comes from Handlebars templates. The
//! defaults are built into the binary; a file of the same name in the
//! project's `templates/` folder replaces one, so wording changes without a
//! rebuild. Strict mode: a misspelt field is an error naming the template.

use crate::diagnostics::Diagnostics;
use std::path::Path;

/// The loaded templates (built-in defaults plus the user's overrides).
pub struct Templates {
    _private: (),
}

/// A template that failed to render.
#[derive(Debug, thiserror::Error)]
#[error("template {name}: {message}")]
pub struct TemplateError {
    pub name: String,
    pub message: String,
}

impl Templates {
    /// Loads the built-in templates, then overrides from `dir` when it exists.
    /// Problems with a user's template are diagnostics; the default is used.
    pub fn load(dir: &Path) -> (Templates, Diagnostics) {
        // Placeholder until the templates land (issue 6).
        let _ = dir;
        (Templates { _private: () }, Diagnostics::new())
    }

    /// Renders one template by name with a JSON context.
    pub fn render(&self, name: &str, context: &serde_json::Value) -> Result<String, TemplateError> {
        let _ = context;
        Err(TemplateError { name: name.to_string(), message: "templates are not available yet".to_string() })
    }
}
