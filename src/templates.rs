//! Templates: all prose in the outputs comes from Handlebars templates. The
//! defaults (`templates/*.hbs` in the source tree) are built into the binary;
//! a file of the same name in the project's templates folder replaces one, so
//! wording changes without a rebuild. A user's template that fails to compile
//! or to render is a warning naming the file and line, and the built-in one
//! is used instead, so a typo never costs the board its report.
//!
//! Strict mode is on: a misspelt field (`{{partnershp.name}}`, and also
//! `{{#if partnershp}}`, which plain Handlebars would treat as false) is an
//! error naming the template and line.
//!
//! Escaping depends on what a template makes, read from its name:
//! - `*.html` — HTML escaping (`&`, `<`, `>`, quotes, `` ` ``, `=`), so text
//!   from returns is never markup.
//! - `*.md` — Markdown escaping: every ASCII punctuation character is
//!   backslash-escaped (CommonMark allows this for all of them), leading and
//!   trailing spaces of each line are dropped (so no indented code block),
//!   blank lines are dropped, and line breaks become hard line breaks
//!   (`\` at the end of a line). The parsed text of an escaped value is the
//!   value itself: nothing a lead types can become a heading, list, link,
//!   emphasis, HTML or an entity. See [`markdown_escape`].
//! - anything else (`*.txt`) — no escaping: plain text.
//!
//! Triple braces (`{{{value}}}`) switch escaping off; the built-in templates
//! never use them for data.
//!
//! Helpers, beyond Handlebars' own (`eq`, `ne`, `gt`, `len`, `and`, `or`, `not`, …):
//! - `status_label s` — the words for a status token or status object (`not_started` → `Not started`);
//! - `uk_date d` — an ISO date as the UK writes it (`2019-03-31` → `31 March 2019`);
//! - `percent n` — a number as a whole percentage (`75` → `75%`);
//! - `plural n "action" "actions"` — the count with the right word (`1 action`, `3 actions`);
//! - `plural_word n "is" "are"` — the right word alone;
//! - `join_and list` — a list of strings in prose (`Police, BID and UCLan`);
//! - `lower s` — lower case (for a status label inside a sentence);
//! - `lang text` — the BCP 47 tag of the community language a lead's text is
//!   written in (`ur`, `gu`, `bn`, `pa`, `pl`), or empty for English: for
//!   `lang="…"` on the element that holds it (see [`crate::render::language`]);
//! - `text_dir text` — `rtl` for text in a right-to-left language, else `auto`: for `dir="…"`.
//!
//! And one block helper in the HTML report only: `{{#each_action id}}…{{/each_action}}`
//! walks the actions of the group `id` as `{{#each}}` walks a list (`this`,
//! `@index`, `@first`, `@last`, `{{else}}` when there are none). Each action's
//! data is made when the block reaches it and dropped once rendered
//! ([`Items`]): a county's actions, held as template data all at once, took
//! 160 MB for a 17 MB page (BENCHMARKS.md).

use crate::diagnostics::{Diagnostic, Diagnostics, Place};
use crate::status::Status;
use handlebars::{
    BlockContext, Context, Handlebars, Helper, HelperDef, HelperResult, JsonRender, Output, RenderContext, RenderErrorReason, Renderable,
    ScopedJson,
};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The built-in templates: (name, source). The name is the file name without
/// `.hbs`; its last extension decides the escaping.
const BUILT_IN: &[(&str, &str)] = &[
    ("cover.md", include_str!("../templates/cover.md.hbs")),
    ("introduction.md", include_str!("../templates/introduction.md.hbs")),
    ("executive-summary.md", include_str!("../templates/executive-summary.md.hbs")),
    ("group-introduction.md", include_str!("../templates/group-introduction.md.hbs")),
    ("priority-introduction.md", include_str!("../templates/priority-introduction.md.hbs")),
    ("commissioner-summary.md", include_str!("../templates/commissioner-summary.md.hbs")),
    ("year-review.md", include_str!("../templates/year-review.md.hbs")),
    ("board-report.html", include_str!("../templates/board-report.html.hbs")),
    ("reminder.txt", include_str!("../templates/reminder.txt.hbs")),
    ("form-email.txt", include_str!("../templates/form-email.txt.hbs")),
    ("exception-reason.txt", include_str!("../templates/exception-reason.txt.hbs")),
    ("exceptions-count.txt", include_str!("../templates/exceptions-count.txt.hbs")),
];

/// The file extension of template files.
const TEMPLATE_EXTENSION: &str = ".hbs";

/// How a template's output is escaped, decided by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escaping {
    Html,
    Markdown,
    Plain,
}

impl Escaping {
    fn of(name: &str) -> Escaping {
        if name.ends_with(".html") {
            Escaping::Html
        } else if name.ends_with(".md") {
            Escaping::Markdown
        } else {
            Escaping::Plain
        }
    }
}

/// A user's template that replaces a built-in one.
#[derive(Debug, Clone)]
struct Override {
    /// Where it was read from, for messages.
    path: PathBuf,
}

/// The loaded templates (built-in defaults plus the user's overrides).
pub struct Templates {
    html: Handlebars<'static>,
    markdown: Handlebars<'static>,
    plain: Handlebars<'static>,
    /// Overrides by template name; each is registered as `user:<name>`.
    overrides: Vec<(String, Override)>,
    /// Warnings from overrides that failed to render (the built-in was used),
    /// kept until [`Templates::take_diagnostics`]; a set, because the same
    /// broken template may be rendered once per group.
    render_warnings: Mutex<BTreeSet<Diagnostic>>,
}

/// A template that failed to render.
#[derive(Debug, thiserror::Error)]
#[error("template {name}: {message}")]
pub struct TemplateError {
    /// The template's file: `cover.md.hbs` for a built-in one, the path of a user's one.
    pub name: String,
    /// What went wrong, starting with the line when known.
    pub message: String,
    /// 1-based line in the template, when known.
    pub line: Option<usize>,
}

/// The data templates are rendered with, in Handlebars' own form. Handlebars
/// copies plain data into that form on every render, and the report's data
/// holds every action: copied once per passage it dominated county-scale
/// builds (BENCHMARKS.md). Built once, with [`TemplateData::set`] to give each
/// group's or priority's passage its `group` or `priority`.
#[derive(Debug, Clone)]
pub struct TemplateData(Context);

impl TemplateData {
    pub fn new(data: Value) -> TemplateData {
        TemplateData(Context::from(data))
    }

    /// Sets (or replaces) one top-level field.
    pub fn set(&mut self, field: &str, value: Value) {
        if let Value::Object(map) = self.0.data_mut() {
            map.insert(field.to_string(), value);
        }
    }
}

impl From<Value> for TemplateData {
    fn from(data: Value) -> TemplateData {
        TemplateData::new(data)
    }
}

/// What [`Templates::render`] takes: [`TemplateData`], used as it is, or a
/// plain JSON value, copied into template data first (fine for small data
/// such as a reminder's, and for tests).
pub trait TemplateInput {
    fn template_context(&self) -> Cow<'_, Context>;
}

impl TemplateInput for TemplateData {
    fn template_context(&self) -> Cow<'_, Context> {
        Cow::Borrowed(&self.0)
    }
}

impl TemplateInput for Value {
    fn template_context(&self) -> Cow<'_, Context> {
        Cow::Owned(Context::from(self.clone()))
    }
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("overrides", &self.overrides).finish_non_exhaustive()
    }
}

impl Templates {
    /// The built-in templates only.
    pub fn built_in() -> Templates {
        let mut templates = Templates {
            html: registry(Escaping::Html),
            markdown: registry(Escaping::Markdown),
            plain: registry(Escaping::Plain),
            overrides: Vec::new(),
            render_warnings: Mutex::new(BTreeSet::new()),
        };
        for (name, source) in BUILT_IN {
            templates
                .registry_mut(name)
                .register_template_string(name, *source)
                .unwrap_or_else(|e| panic!("built-in template {name}.hbs does not compile: {e}"));
        }
        templates
    }

    /// Loads the built-in templates, then overrides from `dir` when it exists.
    /// Problems with a user's template are diagnostics; the default is used.
    pub fn load(dir: &Path) -> (Templates, Diagnostics) {
        let mut templates = Templates::built_in();
        let mut diagnostics = Diagnostics::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return (templates, diagnostics);
        };
        // Sorted, so messages come out in the same order on every machine.
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        for path in files {
            let Some(file_name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
            let Some(name) = file_name.strip_suffix(TEMPLATE_EXTENSION) else { continue };
            if !BUILT_IN.iter().any(|(known, _)| *known == name) {
                let known: Vec<String> = BUILT_IN.iter().map(|(n, _)| format!("{n}{TEMPLATE_EXTENSION}")).collect();
                diagnostics.push(
                    Diagnostic::warning(
                        "template-unknown",
                        Place::file(path.display().to_string()),
                        format!("{file_name} is not the name of a template, so it is not used"),
                    )
                    .with_hint(format!("templates are named {}", known.join(", "))),
                );
                continue;
            }
            match std::fs::read_to_string(&path) {
                Err(e) => diagnostics.push(
                    Diagnostic::warning(
                        "template-unreadable",
                        Place::file(path.display().to_string()),
                        format!("cannot read this template ({e}); the built-in {file_name} is used"),
                    )
                    .with_hint("save it as UTF-8 text"),
                ),
                // An unchanged copy of the built-in (as the shipped
                // `templates/` folder holds) would render the same: it is
                // not compiled a second time, which for the HTML report's
                // template was a fifth of a small build's time.
                Ok(source) if BUILT_IN.iter().any(|(known, built_in)| *known == name && *built_in == source) => {}
                Ok(source) => {
                    let user_name = user_name(name);
                    match templates.registry_mut(name).register_template_string(&user_name, source) {
                        Ok(()) if uses_partials(templates.registry(name).get_template(&user_name)) => {
                            templates.registry_mut(name).unregister_template(&user_name);
                            diagnostics.push(
                                Diagnostic::warning(
                                    "template-invalid",
                                    Place::file(path.display().to_string()),
                                    format!("this template uses partials ({{{{> …}}}}) or decorators ({{{{* …}}}}), which are not supported; the built-in {file_name} is used"),
                                )
                                .with_hint("write the text into the template itself"),
                            );
                        }
                        Ok(()) => templates.overrides.push((name.to_string(), Override { path: path.clone() })),
                        Err(e) => {
                            let line = e.pos().map(|(line, _)| line);
                            let place = match line {
                                Some(line) => Place::line(path.display().to_string(), line, None),
                                None => Place::file(path.display().to_string()),
                            };
                            diagnostics.push(
                                Diagnostic::warning(
                                    "template-invalid",
                                    place,
                                    format!("this template has a mistake ({}); the built-in {file_name} is used", e.reason()),
                                )
                                .with_hint("check that every {{#if}}, {{#each}} and {{#unless}} is closed, and that braces are paired"),
                            );
                        }
                    }
                }
            }
        }
        (templates, diagnostics)
    }

    /// Renders one template by name (`cover.md`; `cover.md.hbs` is accepted
    /// too) with a JSON context. A user's template that fails to render is
    /// recorded as a warning (see [`Templates::take_diagnostics`]) and the
    /// built-in one is rendered instead; an error means the built-in one
    /// failed too, or no template has that name.
    pub fn render(&self, name: &str, data: &impl TemplateInput) -> Result<String, TemplateError> {
        self.render_with(name, data, None)
    }

    /// As [`Templates::render`], with the block helper of `items` (see [`Items`]).
    pub fn render_with(&self, name: &str, data: &impl TemplateInput, items: Option<&dyn Items>) -> Result<String, TemplateError> {
        let (text, warning) = self.render_with_fallback(name, &data.template_context(), items)?;
        if let Some(warning) = warning {
            self.render_warnings.lock().unwrap_or_else(|p| p.into_inner()).insert(warning);
        }
        Ok(text)
    }

    /// As [`Templates::render`], but a user's template that failed is
    /// reported into `diagnostics` (once, however often it fails) instead of
    /// being kept for [`Templates::take_diagnostics`]: for a renderer that
    /// returns its own diagnostics.
    pub(crate) fn render_reporting(
        &self,
        name: &str,
        data: &impl TemplateInput,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<String, TemplateError> {
        self.render_reporting_with(name, data, None, diagnostics)
    }

    /// As [`Templates::render_reporting`], with the block helper of `items` (see [`Items`]).
    pub(crate) fn render_reporting_with(
        &self,
        name: &str,
        data: &impl TemplateInput,
        items: Option<&dyn Items>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<String, TemplateError> {
        let (text, warning) = self.render_with_fallback(name, &data.template_context(), items)?;
        if let Some(warning) = warning {
            if !diagnostics.contains(&warning) {
                diagnostics.push(warning);
            }
        }
        Ok(text)
    }

    /// The user's template if it renders, else the built-in one with a
    /// warning saying why.
    ///
    /// With `items`, their block helper is registered on a copy of the
    /// registry (its templates are compiled already, so the copy is cheap).
    fn render_with_fallback(
        &self,
        name: &str,
        context: &Context,
        items: Option<&dyn Items>,
    ) -> Result<(String, Option<Diagnostic>), TemplateError> {
        let name = name.strip_suffix(TEMPLATE_EXTENSION).unwrap_or(name);
        if !BUILT_IN.iter().any(|(known, _)| *known == name) {
            return Err(TemplateError { name: name.to_string(), message: "there is no template of this name".to_string(), line: None });
        }
        let with_items;
        let registry = match items {
            Some(items) => {
                let mut copy = self.registry(name).clone();
                copy.register_helper(items.helper(), Box::new(EachItem { items }));
                with_items = copy;
                &with_items
            }
            None => self.registry(name),
        };
        let mut warning = None;
        if let Some((_, user)) = self.overrides.iter().find(|(n, _)| n == name) {
            match registry.render_with_context(&user_name(name), context) {
                Ok(text) => return Ok((text, None)),
                Err(e) => {
                    let error = template_error(user.path.display().to_string(), &e);
                    let place = match error.line {
                        Some(line) => Place::line(user.path.display().to_string(), line, None),
                        None => Place::file(user.path.display().to_string()),
                    };
                    warning = Some(
                        Diagnostic::warning(
                            "template-failed",
                            place,
                            format!(
                                "this template could not be used ({}); the built-in {name}{TEMPLATE_EXTENSION} was used",
                                error.message
                            ),
                        )
                        .with_hint("check the spelling of the field names against the built-in template"),
                    );
                }
            }
        }
        let text = registry.render_with_context(name, context).map_err(|e| template_error(format!("{name}{TEMPLATE_EXTENSION}"), &e))?;
        Ok((text, warning))
    }

    /// Renders a user's override alone, without falling back: for checking a
    /// template (and for tests). `Ok(None)` when there is no override of that name.
    pub fn render_override(&self, name: &str, data: &impl TemplateInput) -> Result<Option<String>, TemplateError> {
        let name = name.strip_suffix(TEMPLATE_EXTENSION).unwrap_or(name);
        let Some((_, user)) = self.overrides.iter().find(|(n, _)| n == name) else { return Ok(None) };
        self.registry(name)
            .render_with_context(&user_name(name), &data.template_context())
            .map(Some)
            .map_err(|e| template_error(user.path.display().to_string(), &e))
    }

    /// The files that replace built-in templates, by template name.
    pub fn overridden(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.overrides.iter().map(|(name, o)| (name.as_str(), o.path.as_path()))
    }

    /// Names of every template (`cover.md`, `board-report.html`, …).
    pub fn names() -> impl Iterator<Item = &'static str> {
        BUILT_IN.iter().map(|(name, _)| *name)
    }

    /// The warnings recorded while rendering (user templates that failed and
    /// were replaced by the built-in ones), sorted, and forgets them. The build
    /// reports them after rendering.
    pub fn take_diagnostics(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut *self.render_warnings.lock().unwrap_or_else(|p| p.into_inner())).into_iter().collect()
    }

    fn registry(&self, name: &str) -> &Handlebars<'static> {
        match Escaping::of(name) {
            Escaping::Html => &self.html,
            Escaping::Markdown => &self.markdown,
            Escaping::Plain => &self.plain,
        }
    }

    fn registry_mut(&mut self, name: &str) -> &mut Handlebars<'static> {
        match Escaping::of(name) {
            Escaping::Html => &mut self.html,
            Escaping::Markdown => &mut self.markdown,
            Escaping::Plain => &mut self.plain,
        }
    }
}

/// Whether a template includes partials or uses decorators anywhere. User
/// templates may not: an inline partial that includes itself recurses until
/// the stack overflows, which would abort the whole run.
fn uses_partials(template: Option<&handlebars::template::Template>) -> bool {
    use handlebars::template::TemplateElement as E;
    let Some(template) = template else { return false };
    template.elements.iter().any(|element| match element {
        E::DecoratorExpression(_) | E::DecoratorBlock(_) | E::PartialExpression(_) | E::PartialBlock(_) => true,
        E::HelperBlock(helper) | E::Expression(helper) | E::HtmlExpression(helper) => {
            uses_partials(helper.template.as_ref()) || uses_partials(helper.inverse.as_ref())
        }
        E::RawString(_) | E::Comment(_) => false,
        // Future kinds of element: refuse rather than risk it.
        _ => true,
    })
}

/// The registry name of a user's version of a template.
fn user_name(name: &str) -> String {
    format!("user:{name}")
}

/// A Handlebars registry in strict mode with our helpers and escaping.
fn registry(escaping: Escaping) -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    match escaping {
        Escaping::Html => hb.register_escape_fn(handlebars::html_escape),
        Escaping::Markdown => hb.register_escape_fn(markdown_escape),
        Escaping::Plain => hb.register_escape_fn(handlebars::no_escape),
    }
    hb.register_helper("if", Box::new(StrictIf { positive: true }));
    hb.register_helper("unless", Box::new(StrictIf { positive: false }));
    hb.register_helper("status_label", Box::new(StatusLabel));
    hb.register_helper("uk_date", Box::new(UkDate));
    hb.register_helper("percent", Box::new(Percent));
    hb.register_helper("plural", Box::new(Plural { with_count: true }));
    hb.register_helper("plural_word", Box::new(Plural { with_count: false }));
    hb.register_helper("join_and", Box::new(JoinAnd));
    hb.register_helper("lower", Box::new(Lower));
    hb.register_helper("lang", Box::new(Lang));
    hb.register_helper("text_dir", Box::new(TextDir));
    hb
}

/// A Handlebars error as ours: the template's file, the line, and the reason
/// in words a coordinator editing a template can act on.
fn template_error(file: String, e: &handlebars::RenderError) -> TemplateError {
    let reason = match e.reason() {
        RenderErrorReason::MissingVariable(Some(path)) => {
            format!("\"{path}\" is not a field of the report data (check its spelling and where it is used)")
        }
        RenderErrorReason::MissingVariable(None) => "a field used here is not in the report data (check its spelling)".to_string(),
        RenderErrorReason::HelperNotFound(helper) => format!("there is no helper called \"{helper}\""),
        other => other.to_string(),
    };
    let message = match (e.line_no, e.column_no) {
        (Some(line), Some(column)) => format!("line {line}, column {column}: {reason}"),
        (Some(line), None) => format!("line {line}: {reason}"),
        _ => reason,
    };
    TemplateError { name: file, message, line: e.line_no }
}

/// Makes text literal in Markdown: what a CommonMark parser reads back from
/// the result is the text itself (apart from spaces at the ends of lines and
/// blank lines, which are dropped, and line breaks, which become hard breaks).
///
/// ```
/// use csp_report::templates::markdown_escape;
/// assert_eq!(markdown_escape("# Not a *heading*"), r"\# Not a \*heading\*");
/// assert_eq!(markdown_escape("75% done\n- next"), "75\\% done\\\n\\- next");
/// ```
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let lines = text.split(['\n', '\r']).map(|line| line.trim_matches(|c: char| c.is_whitespace())).filter(|line| !line.is_empty());
    for (i, line) in lines.enumerate() {
        if i > 0 {
            // A backslash before a line ending is a hard line break.
            out.push_str("\\\n");
        }
        for c in line.chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
                out.push(c);
            } else if c == '\t' {
                out.push(' ');
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// `if` and `unless` that, in strict mode, refuse a field that does not
/// exist (Handlebars' own treat it as false, hiding a misspelling).
#[derive(Clone, Copy)]
struct StrictIf {
    positive: bool,
}

impl HelperDef for StrictIf {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = if self.positive { "if" } else { "unless" };
        let param = h.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))?;
        if r.strict_mode() && param.is_value_missing() {
            return Err(RenderErrorReason::MissingVariable(param.relative_path().cloned()).into());
        }
        let include_zero = h.hash_get("includeZero").and_then(|v| v.value().as_bool()).unwrap_or(false);
        let truthy = handlebars::JsonTruthy::is_truthy(param.value(), include_zero);
        let template = if truthy == self.positive { h.template() } else { h.inverse() };
        match template {
            Some(t) => t.render(r, ctx, rc, out),
            None => Ok(()),
        }
    }
}

/// Lists a block helper walks one item at a time, each made when the block
/// reaches it and dropped once rendered: for lists too large to hold as
/// template data all at once.
pub trait Items: Send + Sync {
    /// The block helper's name: `{{#NAME key}}…{{/NAME}}`.
    fn helper(&self) -> &'static str;
    /// How many items the list called `key` has; `None` when there is no such list.
    fn count(&self, key: &str) -> Option<usize>;
    /// Item `index` of the list called `key`, as template data.
    fn item(&self, key: &str, index: usize) -> Value;
}

/// `{{#helper key}}…{{else}}…{{/helper}}`: the block once for each item of
/// the list `key` of `items`, as `{{#each}}` renders it for a list.
struct EachItem<'a> {
    items: &'a dyn Items,
}

impl HelperDef for EachItem<'_> {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let helper = self.items.helper();
        let key = param(h, r, helper, 0)?;
        let key = key.as_str().ok_or_else(|| invalid(helper, format!("{key} is not the name of a list")))?;
        let count = self.items.count(key).ok_or_else(|| invalid(helper, format!("there is no list called \"{key}\"")))?;
        if count == 0 {
            return h.inverse().map_or(Ok(()), |t| t.render(r, ctx, rc, out));
        }
        let Some(template) = h.template() else { return Ok(()) };
        rc.push_block(BlockContext::new());
        for index in 0..count {
            if let Some(block) = rc.block_mut() {
                block.set_base_value(self.items.item(key, index));
                block.set_local_var("index", Value::from(index));
                block.set_local_var("first", Value::from(index == 0));
                block.set_local_var("last", Value::from(index + 1 == count));
            }
            template.render(r, ctx, rc, out)?;
        }
        rc.pop_block();
        Ok(())
    }
}

/// The value of parameter `index`, refusing a missing field in strict mode.
fn param<'a>(h: &'a Helper<'_>, r: &Handlebars<'_>, helper: &'static str, index: usize) -> Result<&'a Value, handlebars::RenderError> {
    match h.param(index) {
        Some(p) if r.strict_mode() && p.is_value_missing() => Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into()),
        Some(p) => Ok(p.value()),
        None => Err(RenderErrorReason::ParamNotFoundForIndex(helper, index).into()),
    }
}

fn invalid(helper: &'static str, message: String) -> handlebars::RenderError {
    RenderErrorReason::Other(format!("{helper}: {message}")).into()
}

/// `{{status_label s}}`: a status token (`not_started`), label, or status
/// object (with a `token` field) as the words readers see.
struct StatusLabel;

impl HelperDef for StatusLabel {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let value = param(h, r, "status_label", 0)?;
        let token = match value {
            Value::Object(map) => map.get("token").and_then(Value::as_str).unwrap_or_default(),
            Value::String(s) => s.as_str(),
            _ => "",
        };
        let status = Status::from_token(token)
            .or_else(|| Status::ALL.into_iter().find(|s| s.label().eq_ignore_ascii_case(token)))
            .ok_or_else(|| invalid("status_label", format!("{} is not a status", value.render())))?;
        Ok(ScopedJson::Derived(Value::String(status.label().to_string())))
    }
}

/// `{{uk_date d}}`: `2019-03-31` → `31 March 2019`.
struct UkDate;

impl HelperDef for UkDate {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let value = param(h, r, "uk_date", 0)?;
        let date = value.as_str().and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).ok_or_else(|| {
            invalid("uk_date", format!("{} is not a date like 2019-03-31 (use {{{{#if}}}} for dates that may be missing)", value))
        })?;
        Ok(ScopedJson::Derived(Value::String(uk_date(date))))
    }
}

/// A date as the UK writes it: `31 March 2019`.
pub fn uk_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// `{{percent n}}`: `75` → `75%` (rounded to a whole number).
struct Percent;

impl HelperDef for Percent {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let value = param(h, r, "percent", 0)?;
        let number = value.as_f64().ok_or_else(|| invalid("percent", format!("{value} is not a number")))?;
        Ok(ScopedJson::Derived(Value::String(format!("{}%", number.round() as i64))))
    }
}

/// `{{plural n "action" "actions"}}` → `3 actions`; `plural_word` gives the word alone.
struct Plural {
    with_count: bool,
}

impl HelperDef for Plural {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let helper = if self.with_count { "plural" } else { "plural_word" };
        let count = param(h, r, helper, 0)?;
        let count = match count {
            Value::Array(items) => items.len() as u64,
            other => other.as_u64().ok_or_else(|| invalid(helper, format!("{other} is not a count")))?,
        };
        let singular = param(h, r, helper, 1)?.render();
        let plural = param(h, r, helper, 2)?.render();
        let word = if count == 1 { singular } else { plural };
        let text = if self.with_count { format!("{count} {word}") } else { word };
        Ok(ScopedJson::Derived(Value::String(text)))
    }
}

/// `{{join_and list}}`: `["Police", "BID", "UCLan"]` → `Police, BID and UCLan`.
struct JoinAnd;

impl HelperDef for JoinAnd {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let value = param(h, r, "join_and", 0)?;
        let items: Vec<String> =
            value.as_array().ok_or_else(|| invalid("join_and", format!("{value} is not a list")))?.iter().map(JsonRender::render).collect();
        Ok(ScopedJson::Derived(Value::String(join_and(&items))))
    }
}

/// Items in prose: `A`, `A and B`, `A, B and C`.
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `{{lower s}}`: lower case.
struct Lower;

impl HelperDef for Lower {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let value = param(h, r, "lower", 0)?;
        Ok(ScopedJson::Derived(Value::String(value.render().to_lowercase())))
    }
}

/// `{{lang text}}`: the language tag of text in a community language, or ""
/// (false to `#if`) for English, for no text and for anything not a string.
struct Lang;

impl HelperDef for Lang {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let value = param(h, r, "lang", 0)?;
        let tag = value.as_str().and_then(crate::render::language::detect).unwrap_or("");
        Ok(ScopedJson::Derived(Value::String(tag.to_string())))
    }
}

/// `{{text_dir text}}`: `rtl` for text in a right-to-left language, so an
/// Urdu update that opens with a number or an English word still reads from
/// the right; else `auto`, which lets the browser judge by the first letter.
struct TextDir;

impl HelperDef for TextDir {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let value = param(h, r, "text_dir", 0)?;
        let rtl = value.as_str().and_then(crate::render::language::detect).is_some_and(crate::render::language::is_right_to_left);
        Ok(ScopedJson::Derived(Value::String(if rtl { "rtl" } else { "auto" }.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Event, Parser};
    use serde_json::json;

    /// The text a Markdown parser reads back, with line breaks as `\n`.
    fn parsed_text(markdown: &str) -> String {
        Parser::new(markdown)
            .map(|event| match event {
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => t.to_string(),
                Event::HardBreak | Event::SoftBreak => "\n".to_string(),
                Event::Start(tag) => format!("<{tag:?}>"),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn escaped_text_reads_back_as_itself_in_a_paragraph() {
        let hostile = [
            "# heading",
            "* bullet",
            "1. numbered",
            "> quote",
            "[link](http://example.com)",
            "![image](x.png)",
            "<script>alert(1)</script>",
            "&amp; &#65;",
            "**bold** _em_ `code`",
            "---",
            "===",
            "| a | b |",
            "back\\slash",
            "75%",
            "<http://example.com>",
        ];
        for text in hostile {
            let markdown = format!("Update: {}", markdown_escape(text));
            assert_eq!(parsed_text(&markdown), format!("<Paragraph>Update: {text}"), "{text}");
        }
        // Line breaks survive as hard breaks; indentation cannot start a code block.
        assert_eq!(parsed_text(&markdown_escape("line one\n\n    # two\r\n- three")), "<Paragraph>line one\n# two\n- three");
    }

    #[test]
    fn helpers_write_what_readers_expect() {
        let t = Templates::built_in();
        let hb = &t.plain;
        let render = |source: &str, data: Value| hb.render_template(source, &data).unwrap();
        assert_eq!(render("{{status_label s}}", json!({"s": "not_started"})), "Not started");
        assert_eq!(render("{{status_label s}}", json!({"s": {"token": "red", "label": "Red"}})), "Red");
        assert_eq!(render("{{uk_date d}}", json!({"d": "2019-03-01"})), "1 March 2019");
        assert_eq!(render("{{percent p}}", json!({"p": 74.6})), "75%");
        assert_eq!(render("{{plural n \"action\" \"actions\"}}", json!({"n": 1})), "1 action");
        assert_eq!(render("{{plural n \"action\" \"actions\"}}", json!({"n": 0})), "0 actions");
        assert_eq!(render("{{plural_word n \"is\" \"are\"}}", json!({"n": 3})), "are");
        assert_eq!(render("{{plural l \"agency\" \"agencies\"}}", json!({"l": ["a", "b"]})), "2 agencies");
        assert_eq!(render("{{join_and l}}", json!({"l": ["Police", "BID", "UCLan"]})), "Police, BID and UCLan");
        assert_eq!(render("{{lower (status_label s)}}", json!({"s": "amber"})), "amber");
        assert_eq!(render("{{lang t}}|{{text_dir t}}", json!({"t": "ہم نے تین ورکشاپس منعقد کیں"})), "ur|rtl");
        assert_eq!(render("{{lang t}}|{{text_dir t}}", json!({"t": "Patrols doubled"})), "|auto");
        assert_eq!(render("{{#if (lang t)}}x{{else}}none{{/if}}|{{text_dir t}}", json!({"t": null})), "none|auto");
        assert!(hb.render_template("{{status_label s}}", &json!({"s": "purple"})).is_err());
        assert!(hb.render_template("{{uk_date d}}", &json!({"d": "31/03/2019"})).is_err());
    }

    #[test]
    fn strict_if_refuses_a_misspelt_field_but_accepts_null_and_false() {
        let t = Templates::built_in();
        let hb = &t.plain;
        assert_eq!(hb.render_template("{{#if a}}y{{else}}n{{/if}}", &json!({"a": null})).unwrap(), "n");
        assert_eq!(hb.render_template("{{#unless a}}y{{/unless}}", &json!({"a": false})).unwrap(), "y");
        assert!(hb.render_template("{{#if b}}y{{/if}}", &json!({"a": true})).is_err());
        assert!(hb.render_template("{{#unless b}}y{{/unless}}", &json!({"a": true})).is_err());
    }

    #[test]
    fn every_built_in_template_has_an_escaping_by_its_name() {
        assert_eq!(Escaping::of("cover.md"), Escaping::Markdown);
        assert_eq!(Escaping::of("board-report.html"), Escaping::Html);
        assert_eq!(Escaping::of("reminder.txt"), Escaping::Plain);
    }
}
