//! `bientap report …`: monthly, quarterly and yearly reports, and the quarterly royalty sheet.

use std::io::Write;
use std::path::PathBuf;

use super::{exit, fail, Fail, Global};
use crate::i18n::Lang;
use crate::report::{self, Format, Period, Produced, ReportError};

#[derive(Debug, Clone, clap::Args)]
pub struct OutArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write to this file (whole or not at all) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ReportCmd {
    /// A month's figures (002 Điều 18.5: monthly summary to leadership).
    Monthly {
        /// YYYY-MM, e.g. 2026-10.
        #[arg(long)]
        month: String,
        #[command(flatten)]
        out: OutArgs,
    },
    /// A quarter's figures.
    Quarterly {
        /// YYYY-Qn, e.g. 2026-Q3.
        #[arg(long)]
        quarter: String,
        #[command(flatten)]
        out: OutArgs,
    },
    /// A year's figures (with the contributors for the yearly rewards).
    Yearly {
        /// YYYY, e.g. 2026.
        #[arg(long)]
        year: String,
        #[command(flatten)]
        out: OutArgs,
    },
    /// The royalty sheet of a quarter: every published item, for the accountant.
    Royalties {
        /// YYYY-Qn, e.g. 2026-Q3.
        #[arg(long)]
        quarter: String,
        #[command(flatten)]
        out: OutArgs,
    },
}

fn report_fail(e: ReportError, lang: Lang) -> Fail {
    let code = match &e {
        ReportError::BadPeriod { .. } => exit::USAGE,
        ReportError::Store(crate::store::StoreError::NoDatabase(_)) => exit::NOT_FOUND,
        _ => exit::FAILURE,
    };
    fail(code, e.message(lang))
}

/// Run a report command.
pub fn run(cmd: &ReportCmd, g: &Global, lang: Lang) -> Result<(), Fail> {
    let (period, out, royalty) = match cmd {
        ReportCmd::Monthly { month, out } => (Period::parse_month(month), out, false),
        ReportCmd::Quarterly { quarter, out } => (Period::parse_quarter(quarter), out, false),
        ReportCmd::Yearly { year, out } => (Period::parse_year(year), out, false),
        ReportCmd::Royalties { quarter, out } => (Period::parse_quarter(quarter), out, true),
    };
    let period = period.map_err(|e| report_fail(e, lang))?;
    let format = if g.json && out.format == Format::Text {
        Format::Json
    } else {
        out.format
    };
    if format == Format::Xlsx && out.out.is_none() {
        return Err(fail(
            exit::USAGE,
            lang.pick(
                "định dạng xlsx cần --out TỆP",
                "the xlsx format needs --out FILE",
            )
            .to_string(),
        ));
    }
    let store = super::commands::open(g, lang)?;
    let ctx = super::commands::ctx_for(g, lang)?;
    let by_name = store
        .user(&ctx.actor)
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| ctx.actor.clone());
    let produced = Produced {
        by_login: ctx.actor.clone(),
        by_name,
        at: ctx.now,
    };
    let cal = crate::due::calendar();
    let cal = cal
        .as_ref()
        .as_ref()
        .map_err(|m| report_fail(ReportError::CalendarLoad(m.clone()), lang))?;
    let bytes = if royalty {
        let s = report::royalties(&store, cal, &period, &produced, lang)
            .map_err(|e| report_fail(e, lang))?;
        report::render_royalties(&s, format, lang)
    } else {
        let r = report::build(&store, cal, &period, &produced, lang)
            .map_err(|e| report_fail(e, lang))?;
        report::render(&r, format, lang)
    }
    .map_err(|e| report_fail(e, lang))?;
    match &out.out {
        Some(path) => {
            report::write_atomic(path, &bytes).map_err(|e| report_fail(e, lang))?;
            eprintln!(
                "{}",
                crate::tr!(lang, "Đã ghi {}", "Wrote {}", path.display())
            );
            Ok(())
        }
        None => {
            let mut so = std::io::stdout().lock();
            match so.write_all(&bytes).and_then(|_| so.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(fail(exit::FAILURE, e.to_string())),
            }
        }
    }
}
