//! Configuration: `csp-report.toml` plus command-line arguments, checked once
//! into a [`Config`] that every command reads. Paths in the file are relative
//! to the file's folder, so the tool works from anywhere.

use crate::plan::Period;
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The config file's name, looked for in the current folder.
pub const CONFIG_FILE: &str = "csp-report.toml";

/// Why the configuration could not be used (a usage error: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the config file {path} is not valid: {message}")]
    Invalid { path: String, message: String },
    #[error("no reporting period given: pass --period \"2018-19 Q3\" or set period in {CONFIG_FILE}")]
    NoPeriod,
}

/// The file as written. Every field has a default so a missing file works.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawConfig {
    plan: Option<PathBuf>,
    returns: Option<PathBuf>,
    output: Option<PathBuf>,
    history: Option<PathBuf>,
    templates: Option<PathBuf>,
    period: Option<String>,
    report_date: Option<String>,
    forms: FormsConfig,
    limits: Limits,
}

/// What goes on the return forms besides the plan.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct FormsConfig {
    /// Who agencies contact with questions, printed on every form.
    pub contact: String,
    /// Returns are due this many days after the end of the period.
    pub deadline_days: u32,
}

impl Default for FormsConfig {
    fn default() -> Self {
        FormsConfig { contact: "the Community Safety Partnership coordinator".to_string(), deadline_days: 14 }
    }
}

/// Bounds on what one return file may cost to read. A file beyond them is
/// refused with one clear error, and the other files are still read.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest total a zip-based workbook may expand to, in bytes.
    pub max_expanded_bytes: u64,
    /// Most shared strings an xlsx may declare.
    pub max_shared_strings: u64,
    /// Most cells (rows × columns of the used range) in one sheet.
    pub max_cells: u64,
    /// Read each workbook in a child process (the binary run again), so a
    /// file that crashes the spreadsheet reader costs that file only.
    pub isolate: bool,
    /// Address space a child may use, in bytes (0: no limit); it reads one
    /// workbook at a time.
    pub max_child_memory_bytes: u64,
    /// Processor time the child may use for one workbook, in seconds (0: no
    /// limit).
    pub max_child_cpu_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 25 << 20,
            max_expanded_bytes: 200 << 20,
            max_shared_strings: 1_000_000,
            max_cells: 5_000_000,
            isolate: true,
            max_child_memory_bytes: 2 << 30,
            max_child_cpu_seconds: 60,
        }
    }
}

/// Arguments that override the file; `None` keeps the file's value.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub plan: Option<PathBuf>,
    pub returns: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub period: Option<Period>,
}

/// Everything a command needs to know, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub plan: PathBuf,
    pub returns: PathBuf,
    pub output: PathBuf,
    /// Where earlier periods' `progress.csv` files are; defaults to `output`.
    pub history: PathBuf,
    /// Folder of template overrides.
    pub templates: PathBuf,
    /// The period being reported, if known.
    pub period: Option<Period>,
    /// Date printed as "produced" and stamped in document metadata.
    pub report_date: Option<NaiveDate>,
    pub forms: FormsConfig,
    pub limits: Limits,
}

impl Config {
    /// Reads the config file (the one given, else `csp-report.toml` in the
    /// current folder if present) and applies the overrides.
    pub fn load(overrides: &Overrides) -> Result<Config, ConfigError> {
        let (raw, base) = match &overrides.config {
            Some(path) => (read_raw(path)?, path.parent().map(Path::to_path_buf).unwrap_or_default()),
            None if Path::new(CONFIG_FILE).is_file() => (read_raw(Path::new(CONFIG_FILE))?, PathBuf::new()),
            None => (RawConfig::default(), PathBuf::new()),
        };
        let path_label = overrides.config.as_deref().unwrap_or(Path::new(CONFIG_FILE)).display().to_string();
        let invalid = |message: String| ConfigError::Invalid { path: path_label.clone(), message };
        let period = match (&overrides.period, &raw.period) {
            (Some(p), _) => Some(*p),
            (None, Some(text)) => Some(text.parse::<Period>().map_err(|e| invalid(e.to_string()))?),
            (None, None) => None,
        };
        let report_date = match &raw.report_date {
            Some(text) => Some(
                crate::plan::timescale::parse_uk_date(text)
                    .ok_or_else(|| invalid(format!("report_date {text:?} is not a date; write it as 2019-01-15")))?,
            ),
            None => None,
        };
        let resolve = |arg: &Option<PathBuf>, file: &Option<PathBuf>, default: &str| match (arg, file) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) => base.join(p),
            (None, None) => base.join(default),
        };
        let output = resolve(&overrides.output, &raw.output, "output");
        Ok(Config {
            plan: resolve(&overrides.plan, &raw.plan, "input/plan.toml"),
            returns: resolve(&overrides.returns, &raw.returns, "input/returns"),
            history: raw.history.map(|h| base.join(h)).unwrap_or_else(|| output.clone()),
            templates: resolve(&None, &raw.templates, "templates"),
            output,
            period,
            report_date,
            forms: raw.forms,
            limits: raw.limits,
        })
    }

    /// The period, or a usage error saying how to give one.
    pub(crate) fn require_period(&self) -> Result<Period, ConfigError> {
        self.period.ok_or(ConfigError::NoPeriod)
    }

    /// The date reports say they were produced: `SOURCE_DATE_EPOCH` when set
    /// (reproducible builds), else `report_date` from the config, else the
    /// last day of the period. Never the clock, so outputs are reproducible.
    pub(crate) fn produced_date(&self, period: Period) -> NaiveDate {
        source_date_epoch().or(self.report_date).unwrap_or_else(|| period.end())
    }
}

/// The date in `SOURCE_DATE_EPOCH`, if set to a valid Unix time.
pub(crate) fn source_date_epoch() -> Option<NaiveDate> {
    let seconds: i64 = std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()?;
    chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.date_naive())
}

fn read_raw(path: &Path) -> Result<RawConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.display().to_string(), source })?;
    toml::from_str(&text).map_err(|e| ConfigError::Invalid { path: path.display().to_string(), message: e.to_string() })
}
