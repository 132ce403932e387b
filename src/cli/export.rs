//! `bientap export --out DIR [--deliver]` and `bientap export verify DIR`.
//!
//! One line per event on stderr (journald keeps them as they are); exit codes from
//! [`super::exit`]: 0 done (also when there was nothing to export), 6 another export runs,
//! 7 the account may not publish, 8 a bundle failed `verify`, 9 delivery failed (the bundle is
//! complete and is delivered again on the next run), 1 anything else (output directory, disk,
//! attachment blobs: then nothing was published).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::commands::{ctx_for, fail, open, store_fail, Fail};
use super::output::one_line;
use super::{exit, Global};
use crate::domain::profile::Profile;
use crate::export::{self, ExportError, ExportOptions};
use crate::i18n::Lang;
use crate::tr;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub cmd: Option<ExportCmd>,
    /// Output directory (the outbox); each bundle appears in it as `<run id>/`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Then deliver complete bundles with the configured command (BIENTAP_DELIVER or
    /// `deliver` in config.toml in the data directory).
    #[arg(long)]
    pub deliver: bool,
}

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// Check a bundle: files against manifest.json and SHA256SUMS, feed.xml well-formed.
    Verify {
        /// The bundle's directory (`<run id>/` in the outbox).
        dir: PathBuf,
    },
}

fn log_line(msg: String) {
    eprintln!("bientap: {}", one_line(&msg));
}

fn export_fail(e: ExportError, lang: Lang, profile: Option<&Profile>) -> Fail {
    let code = match &e {
        ExportError::Store(_) => 0,
        ExportError::Busy(_) => exit::BUSY,
        ExportError::DeliveryFailed { .. } => exit::DELIVERY_FAILED,
        ExportError::SelfCheck(..) => exit::CHECK_FAILED,
        ExportError::Unstable => exit::CONFLICT,
        _ => exit::FAILURE,
    };
    match e {
        ExportError::Store(se) => {
            let mut f = store_fail(se, lang, profile);
            // A role without `publish` (or an unknown login) is a permission problem here.
            if f.code == exit::REFUSED {
                f.code = exit::DENIED;
            }
            f
        }
        other => fail(code, other.message(lang)),
    }
}

/// Entry point of `bientap export …`.
pub fn run(g: &Global, a: &ExportArgs, lang: Lang) -> Result<(), Fail> {
    if let Some(ExportCmd::Verify { dir }) = &a.cmd {
        return verify(g, dir, lang);
    }
    let Some(out) = a.out.clone() else {
        return Err(fail(
            exit::USAGE,
            tr!(
                lang,
                "thiếu --out THƯ_MỤC (hoặc dùng `bientap export verify THƯ_MỤC`)",
                "missing --out DIR (or use `bientap export verify DIR`)"
            ),
        ));
    };
    let ctx = ctx_for(g, lang)?;
    let mut store = open(g, lang)?;
    let opts = ExportOptions {
        out: out.clone(),
        lang,
    };
    let mut log = log_line;
    let profile = store.profile().clone();
    let outcome = export::export(&mut store, &ctx, &opts, &mut log)
        .map_err(|e| export_fail(e, lang, Some(&profile)))?;
    if g.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&outcome).unwrap_or_else(|_| "{}".into())
        );
    }
    if a.deliver {
        let d = export::deliver_pending(&mut store, &out, lang, &mut log)
            .map_err(|e| export_fail(e, lang, Some(&profile)))?;
        let _ = d;
    }
    Ok(())
}

fn verify(g: &Global, dir: &std::path::Path, lang: Lang) -> Result<(), Fail> {
    let rep = export::verify(dir).map_err(|e| {
        fail(
            exit::NOT_FOUND,
            tr!(
                lang,
                "không đọc được gói {}: {e}",
                "cannot read bundle {}: {e}",
                dir.display()
            ),
        )
    })?;
    if g.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rep).unwrap_or_else(|_| "{}".into())
        );
    }
    if rep.ok() {
        if !g.json {
            println!(
                "{}",
                tr!(
                    lang,
                    "Gói {} hợp lệ: {} tin bài, {} tệp, {} byte",
                    "Bundle {} is intact: {} items, {} files, {} bytes",
                    rep.run_id,
                    rep.items,
                    rep.files,
                    rep.bytes
                )
            );
        }
        return Ok(());
    }
    for p in &rep.problems {
        eprintln!("bientap: {}: {}", dir.display(), one_line(&p.message(lang)));
    }
    Err(fail(
        exit::CHECK_FAILED,
        tr!(
            lang,
            "gói {} có {} lỗi",
            "bundle {} has {} problems",
            dir.display(),
            rep.problems.len()
        ),
    ))
}
