//! `bientap calendar …` (placeholder until the calendar branch lands).

use std::path::{Path, PathBuf};

use crate::i18n::Lang;

#[derive(clap::Subcommand, Debug)]
pub enum CalendarCmd {
    /// Print a year's working calendar.
    Show { year: i32 },
    /// Validate calendar files.
    Check { files: Vec<PathBuf> },
}

pub fn run(
    _cmd: &CalendarCmd,
    _extra: Option<&Path>,
    _lang: Lang,
    _json: bool,
) -> anyhow::Result<()> {
    anyhow::bail!("calendar not available yet")
}
