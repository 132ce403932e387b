//! Export throughput against `cp -r` plus `sha256sum` over the same bytes on the same disk.
//!
//!     cargo run --release --example export_bench -- [ITEMS] [ATTACHMENT_BYTES] [DIR]
//!
//! Builds a database with ITEMS (default 10,000) approved items, each with one attachment of
//! ATTACHMENT_BYTES (default 32 KiB), exports them as one bundle, then times `cp -r` of that
//! bundle and `sha256sum` of every copied file. Prints both and the ratio
//! (cp+sha256sum time ÷ export time; the target is ≥ 0.7). Not an assertion: a measurement.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use bientap::export::{self, ExportOptions};
use bientap::i18n::Lang;
use bientap::store::{blob_path, identity, Ctx, NewUser, Store};
use sha2::{Digest, Sha256};

const PROFILE: &str = include_str!("../tests/fixtures/stp-binh-phuoc.toml");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let items: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let att: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(32 * 1024);
    let base = match args.get(3) {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            tempfile::tempdir_in(d)?
        }
        None => tempfile::tempdir()?,
    };
    let db = base.path().join("data").join("bientap.db");
    let out = base.path().join("outbox");
    std::fs::create_dir_all(&out)?;
    let profile = bientap::profile::parse("stp-binh-phuoc.toml", PROFILE)?;
    let me = identity::os_login().unwrap_or_else(|| "root".into());
    let ctx = Ctx {
        actor: me.clone(),
        os_login: me.clone(),
        now: chrono::Utc::now(),
    };
    let mut store = Store::create(&db, &profile, PROFILE)?;
    store.add_first_user(
        &ctx,
        &NewUser {
            login: me.clone(),
            name: "Thư ký".into(),
            role: "thu-ky".into(),
            unit: String::new(),
            email: String::new(),
        },
    )?;
    let data_dir = identity::data_dir(&db);
    let t = Instant::now();
    let now = bientap::store::ts(chrono::Utc::now());
    let body =
        "Hội nghị đã đánh giá kết quả đạt được, chỉ ra những tồn tại, hạn chế và nguyên nhân. "
            .repeat(30);
    store.conn().execute_batch("BEGIN IMMEDIATE")?;
    for i in 0..items {
        store.conn().execute(
            "INSERT INTO items(version, state, step, category, title, lead, body, src_author, received_at, created_at, updated_at, last_actor)
             VALUES (5, 'approved', 3, 'tin-tuc', ?1, 'Tóm tắt.', ?2, 'Phòng Tổng hợp', ?3, ?3, ?3, 'x')",
            rusqlite::params![format!("Hội nghị triển khai nhiệm vụ số {i}"), body, now],
        )?;
        let id = store.conn().last_insert_rowid();
        let bytes: Vec<u8> = (0..att)
            .map(|k| ((k as u64).wrapping_mul(2654435761) ^ id as u64) as u8)
            .collect();
        let sha = hex::encode(Sha256::digest(&bytes));
        let p = blob_path(&data_dir, &sha);
        std::fs::create_dir_all(p.parent().ok_or("blob parent")?)?;
        std::fs::write(&p, &bytes)?;
        store.conn().execute(
            "INSERT INTO attachments(item_id, sha256, size, name, ext, mime) VALUES (?1, ?2, ?3, ?4, 'pdf', 'application/pdf')",
            rusqlite::params![id, sha, att as i64, format!("van-ban-{id}.pdf")],
        )?;
    }
    store.conn().execute_batch("COMMIT")?;
    // Settle the set-up's writes so that they are not charged to the export.
    Command::new("sync").status()?;
    eprintln!(
        "set-up: {items} items in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let o = export::export(
        &mut store,
        &ctx,
        &ExportOptions {
            out: out.clone(),
            lang: Lang::En,
        },
        &mut |l| eprintln!("{l}"),
    )?;
    let export_s = t.elapsed().as_secs_f64();
    let dir = o.dir.ok_or("no bundle")?;

    let copy = base.path().join("copy");
    let t = Instant::now();
    let st = Command::new("cp").arg("-r").arg(&dir).arg(&copy).status()?;
    if !st.success() {
        return Err("cp failed".into());
    }
    let cp_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    // sha256sum every copied file (xargs batches the arguments).
    let st = Command::new("sh")
        .arg("-c")
        .arg("find . -type f -print0 | xargs -0 sha256sum > /dev/null")
        .current_dir(&copy)
        .status()?;
    if !st.success() {
        return Err("sha256sum failed".into());
    }
    let sha_s = t.elapsed().as_secs_f64();
    let mb = o.bytes as f64 / 1e6;
    println!(
        "export: {} items, {} files, {:.1} MB in {:.2} s ({:.0} MB/s, {:.0} items/s)",
        o.usable,
        o.files,
        mb,
        export_s,
        mb / export_s,
        o.usable as f64 / export_s
    );
    println!(
        "cp -r: {cp_s:.2} s, sha256sum: {sha_s:.2} s, together {:.2} s",
        cp_s + sha_s
    );
    println!(
        "ratio (cp+sha256sum) / export = {:.2} (target >= 0.70)",
        (cp_s + sha_s) / export_s
    );
    let v = export::verify(&dir)?;
    println!("verify: ok={} files={}", v.ok(), v.files);
    let _ = Path::new(&out);
    Ok(())
}
