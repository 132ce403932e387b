//! Throughput of `bientap import` (prints figures; no timed assertion). Run with:
//! `cargo test --release --test intake_bench -- --ignored --nocapture`
//! Sizes: `BIENTAP_BENCH_N` messages (default 5000); `BIENTAP_BENCH_ITEMS` items already stored
//! (default 10,000 for `import_throughput`, so that duplicate lookups hit a realistic index;
//! 100,000 for `near_duplicate_lookup`).

mod intake_common;

use std::fs;
use std::time::Instant;

use bientap::intake::{import_paths, ImportOptions};
use intake_common::*;

/// User + system CPU seconds of this process so far (load-independent on a shared machine).
fn cpu_secs() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid out-parameter.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn env_n(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

#[test]
#[ignore]
fn import_throughput() {
    let n = env_n("BIENTAP_BENCH_N", 5000);
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    prefill(&mut st, env_n("BIENTAP_BENCH_ITEMS", 10_000), 1_000_000);
    let md = maildir(&d.path().join("Maildir"));
    let mut total = 0usize;
    for i in 0..n as u64 {
        // ~20 KB: ~8 KB of prose plus an ~8 KB attachment (base64 grows it to ~11 KB).
        let mut att = PDF.to_vec();
        att.extend(
            (0..8000u32).map(|k| (k.wrapping_mul(2654435761).wrapping_add(i as u32) >> 13) as u8),
        );
        let m = Mail::new(
            &format!("b{i}"),
            &format!("Tin hoạt động số {i}"),
            &format!("{}{SIGNATURE}", prose(i, 30)),
        )
        .attach(&format!("bao-cao-{i}.pdf"), "application/pdf", &att)
        .bytes();
        total += m.len();
        fs::write(md.join("new").join(format!("{i}.eml")), m).unwrap();
    }
    let t = Instant::now();
    let c0 = cpu_secs();
    let s = import_paths(&mut st, &ctx(), &[md], &ImportOptions::default()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs() - c0;
    assert_eq!(s.imported, n);
    println!(
        "imported {n} messages (avg {} bytes, one attachment each) in {secs:.2} s wall, {cpu:.2} s CPU: {:.0} messages/s wall, {:.0} messages per CPU-second",
        total / n,
        n as f64 / secs,
        n as f64 / cpu
    );
}

/// Store `n` items (texts from seeds `base..base+n`) with their band keys, as import would.
fn prefill(st: &mut bientap::store::Store, n: usize, base: u64) {
    st.write(|tx| {
        for i in base..base + n as u64 {
            let text = format!("Tin số {i}\n{}", prose(i, 15));
            let id = bientap::store::insert_item_in(
                tx,
                &ctx(),
                &bientap::store::NewItem {
                    title: format!("Tin số {i}"),
                    body: prose(i, 15),
                    content_digest: Some(bientap::text::minhash::content_digest(&text)),
                    ..Default::default()
                },
            )?;
            let keys = bientap::text::minhash::band_keys(&bientap::text::minhash::signature(
                &bientap::text::minhash::shingles(&text),
            ));
            for k in keys {
                tx.execute(
                    "INSERT OR IGNORE INTO dup_bands(key, item_id) VALUES (?1, ?2)",
                    rusqlite::params![k as i64, id],
                )?;
            }
        }
        Ok(())
    })
    .unwrap();
}

#[test]
#[ignore]
fn near_duplicate_lookup() {
    let n = env_n("BIENTAP_BENCH_ITEMS", 100_000);
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    // Fill the band index directly (what import writes), in one transaction.
    let t = Instant::now();
    prefill(&mut st, n, 0);
    println!("stored {n} items in {:.1} s", t.elapsed().as_secs_f64());
    let mut times = Vec::new();
    let mut found = 0;
    for q in 0..200u64 {
        let i = (q * 7919) % n as u64;
        let text = format!(
            "Tin số {i}\n{}",
            prose(i, 15).replacen("hội nghị", "hội thảo", 1)
        );
        let sh = bientap::text::minhash::shingles(&text);
        let keys = bientap::text::minhash::band_keys(&bientap::text::minhash::signature(&sh));
        let digest = bientap::text::minhash::content_digest(&text);
        let t = Instant::now();
        let r = bientap::intake::import::find_duplicates(st.conn(), &digest, &sh, &keys).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found += r.iter().any(|m| m.other_id == i as i64 + 1) as usize;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "near-duplicate lookup against {n} items: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; found the edited original in {found}/200",
        times[100], times[190], times[199]
    );
}
