//! `csp-report forms`: not yet available (see the open issues); says so plainly.

use super::Outcome;
use crate::config::Config;
use crate::ui::Ui;

pub fn run(_config: &Config, _out: Option<&std::path::Path>, ui: &mut Ui) -> anyhow::Result<Outcome> {
    let _ = ui;
    anyhow::bail!("`csp-report forms` is not available yet in this version")
}
