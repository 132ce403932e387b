//! `bientap import` and `bientap reply`.

use std::path::PathBuf;

use clap::Args;

use crate::i18n::Lang;
use crate::intake::reply::{self, ReplyOutcome};
use crate::intake::{import_paths, ImportOptions, ImportSummary};
use crate::store::{Ctx, Store};
use crate::tr;

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    /// Maildir folders, .eml files, or plain folders of submissions.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Messages per transaction (group commit).
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Leave refused Maildir messages in place instead of moving them to the quarantine folder.
    #[arg(long)]
    pub no_quarantine: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ReplyArgs {
    /// Item id.
    pub id: i64,
    /// Return reason code of the profile (repeatable); failed checks are always listed.
    #[arg(long = "reason")]
    pub reasons: Vec<String>,
    /// Only write the letter to the outbox; do not send it even if sendmail is configured.
    #[arg(long)]
    pub no_send: bool,
}

/// Run an import and print its summary (text or JSON).
pub fn run(
    args: &ImportArgs,
    store: &mut Store,
    ctx: &Ctx,
    lang: Lang,
    json: bool,
) -> anyhow::Result<ImportSummary> {
    let opts = ImportOptions {
        batch_size: args.batch.max(1),
        quarantine: !args.no_quarantine,
    };
    let profile = store.profile().clone();
    let summary = import_paths(store, ctx, &args.paths, &opts)
        .map_err(|e| anyhow::anyhow!(e.message(lang, Some(&profile))))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("{}", summary.render(lang));
    }
    Ok(summary)
}

/// Write (and send, when configured) the return-for-revision letter.
pub fn run_reply(
    args: &ReplyArgs,
    store: &mut Store,
    ctx: &Ctx,
    lang: Lang,
    json: bool,
) -> anyhow::Result<ReplyOutcome> {
    let profile = store.profile().clone();
    let out = reply::reply(store, ctx, args.id, &args.reasons, !args.no_send)
        .map_err(|e| anyhow::anyhow!(e.message(lang, Some(&profile))))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let path = crate::text::sanitize::one_line(&out.path.display().to_string()).into_owned();
        let to = crate::text::sanitize::one_line(&out.to).into_owned();
        println!(
            "{}",
            if out.sent {
                tr!(
                    lang,
                    "Đã gửi thư đề nghị bổ sung tới {to} ({path}).",
                    "Sent the revision request to {to} ({path})."
                )
            } else {
                tr!(
                    lang,
                    "Đã ghi thư đề nghị bổ sung tới {to} vào hộp thư đi: {path}",
                    "Wrote the revision request to {to} into the outbox: {path}"
                )
            }
        );
        for p in &out.points {
            println!(
                "  - {} ({})",
                crate::text::sanitize::one_line(&p.what),
                crate::text::sanitize::one_line(&p.citation)
            );
        }
    }
    Ok(out)
}
