//! `csp-report build`: not yet available (see the open issues); says so plainly.

use super::Outcome;
use crate::config::Config;
use crate::ui::Ui;

pub fn run(_config: &Config, ui: &mut Ui) -> anyhow::Result<Outcome> {
    let _ = ui;
    anyhow::bail!("`csp-report build` is not available yet in this version")
}
