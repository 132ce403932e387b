//! Export throughput for N approved items with attachments, against `cp -r` plus `sha256sum`
//! over the same bytes on the same disk, in the same run.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::Figure;
use crate::export::{self, ExportOptions};
use crate::i18n::Lang;
use crate::store::{blob_path, identity, Ctx, NewUser, Store};

/// The scratch directory, removed when the run ends (also on error).
struct Work(std::path::PathBuf);

impl Drop for Work {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Export `items` approved items with one `att`-byte attachment each, under `base`.
pub fn run(base: &Path, items: usize, att: usize) -> Result<Vec<Figure>, String> {
    let work = Work(base.join(format!("export-bench-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&work.0);
    let db = work.0.join("data").join("bientap.db");
    let out = work.0.join("outbox");
    std::fs::create_dir_all(&out).map_err(err)?;
    let text = crate::profile::bundled_text("stp-binh-phuoc").ok_or("profile")?;
    let profile = crate::profile::parse("stp-binh-phuoc", text).map_err(|e| e.message(Lang::En))?;
    let me = identity::os_login().unwrap_or_else(|| "root".into());
    let ctx = Ctx {
        actor: me.clone(),
        os_login: me.clone(),
        now: chrono::Utc::now(),
    };
    let mut store = Store::create(&db, &profile, text).map_err(|e| e.message(Lang::En, None))?;
    store
        .add_first_user(
            &ctx,
            &NewUser {
                login: me.clone(),
                name: "Thư ký".into(),
                role: "thu-ky".into(),
                unit: String::new(),
                email: String::new(),
            },
        )
        .map_err(|e| e.message(Lang::En, None))?;
    let data_dir = identity::data_dir(&db);
    let now = crate::store::ts(chrono::Utc::now());
    let vocab = super::gen::Vocabulary::new();
    let mut rng = crate::demo::Rng::new(11);
    let c = store.conn();
    c.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    for i in 0..items {
        let body = vocab.body(&mut rng, 250);
        c.execute(
            "INSERT INTO items(version, state, step, category, title, lead, body, src_author, received_at, created_at, updated_at, last_actor)
             VALUES (5, 'approved', 3, 'tin-tuc', ?1, 'Tóm tắt.', ?2, 'Phòng Tổng hợp', ?3, ?3, ?3, 'x')",
            rusqlite::params![format!("Hội nghị triển khai nhiệm vụ số {i}"), body, now],
        )
        .map_err(err)?;
        let id = c.last_insert_rowid();
        let bytes: Vec<u8> = (0..att)
            .map(|k| ((k as u64).wrapping_mul(2_654_435_761) ^ id as u64) as u8)
            .collect();
        let sha = hex::encode(Sha256::digest(&bytes));
        // Where `bientap import` would have put it: in the database up to INLINE_MAX.
        if bytes.len() <= crate::store::blobs::INLINE_MAX {
            crate::store::blobs::put_inline(c, &sha, &bytes)
                .map_err(|e| e.message(Lang::En, None))?;
        } else {
            let p = blob_path(&data_dir, &sha);
            std::fs::create_dir_all(p.parent().ok_or("blob parent")?).map_err(err)?;
            std::fs::write(&p, &bytes).map_err(err)?;
        }
        c.execute(
            "INSERT INTO attachments(item_id, sha256, size, name, ext, mime) VALUES (?1, ?2, ?3, ?4, 'pdf', 'application/pdf')",
            rusqlite::params![id, sha, att as i64, format!("van-ban-{id}.pdf")],
        )
        .map_err(err)?;
    }
    c.execute_batch("COMMIT").map_err(err)?;
    // Settle the set-up's writes so that they are not charged to either side.
    let _ = Command::new("sync").status();

    let t = Instant::now();
    let o = export::export(
        &mut store,
        &ctx,
        &ExportOptions {
            out: out.clone(),
            lang: Lang::En,
        },
        &mut |_| {},
    )
    .map_err(|e| e.message(Lang::En))?;
    let export_s = t.elapsed().as_secs_f64();
    let dir = o.dir.ok_or("no bundle")?;
    let _ = Command::new("sync").status();

    let copy = work.0.join("copy");
    let t = Instant::now();
    let st = Command::new("cp")
        .arg("-r")
        .arg(&dir)
        .arg(&copy)
        .status()
        .map_err(err)?;
    if !st.success() {
        return Err("cp failed".into());
    }
    let st = Command::new("sh")
        .arg("-c")
        .arg("find . -type f -print0 | xargs -0 sha256sum > /dev/null && sync")
        .current_dir(&copy)
        .status()
        .map_err(err)?;
    if !st.success() {
        return Err("sha256sum failed".into());
    }
    let peer_s = t.elapsed().as_secs_f64();
    let ratio = peer_s / export_s;
    let mb = o.bytes as f64 / 1e6;
    let verified = export::verify(&dir).map(|v| v.ok()).unwrap_or(false);
    Ok(vec![Figure {
        figure: format!(
            "export of {} items with a {} KiB attachment each",
            o.usable,
            att / 1024
        ),
        value: format!(
            "{export_s:.2} s ({:.0} items/s, {:.0} MB/s, {} files)",
            o.usable as f64 / export_s,
            mb / export_s,
            o.files
        ),
        target: "≥ 0.7 of peer".into(),
        met: Some(ratio >= 0.7),
        peer: format!("cp -r + sha256sum + sync: {peer_s:.2} s; ratio {ratio:.2}"),
        note: format!(
            "bundle fsynced (syncfs) before rename; export verify {}",
            if verified { "ok" } else { "FAILED" }
        ),
    }])
}
