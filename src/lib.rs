//! csp-report: turns a Community Safety Partnership's plan and its agencies'
//! quarterly returns into the board's progress reports.
//!
//! Data flows one way (see DESIGN.md): [`plan`] is loaded and checked;
//! [`returns`] reads what agencies send into typed returns; [`merge`] turns
//! plan, returns and [`history`] into one [`progress::Progress`]; renderers
//! under [`render`] lay it out. Every stage collects [`diagnostics`] instead
//! of stopping. The binary in `main.rs` only parses arguments and maps the
//! outcome to an exit code; the commands themselves live in [`app`].

pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostics;
pub mod drafts;
pub mod excel;
pub mod forms;
pub mod history;
pub mod merge;
pub mod output;
pub mod plan;
pub mod progress;
pub mod render;
pub mod returns;
pub mod status;
pub mod templates;
pub mod ui;
pub mod vocabulary;
