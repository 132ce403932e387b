//! `bientap bench --only import`: throughput of `bientap import` on a generated Maildir of
//! typical submissions (about 20 KB: a Vietnamese body with a signature block and one PDF),
//! into a copy of a 10,000-item benchmark database (so that duplicate lookups hit a realistic
//! index), with the board's real settings (`synchronous=FULL`, blobs made durable). The peer:
//! Python's `mailbox` + `email` only parsing the same Maildir, in the same run.
//!
//! Size: `BIENTAP_BENCH_IMPORT_N` messages (default 5,000). `BIENTAP_BENCH_KEEP=1` keeps the
//! run's Maildir and database in the cache directory (for profiling `bientap import` alone).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use super::{gen, Figure, Options};
use crate::demo::Rng;
use crate::domain::profile::{Capability, Profile};
use crate::intake::{import_paths, ImportOptions};
use crate::store::{Ctx, Store};

const PEER_SCRIPT: &str = include_str!("../../scripts/bench_import.py");

/// Items already in the database the messages are imported into.
pub const BASE_ITEMS: usize = 10_000;
/// Messages imported (unless `BIENTAP_BENCH_IMPORT_N` says otherwise).
pub const DEFAULT_MESSAGES: usize = 5_000;
/// The target of DESIGN.md.
pub const TARGET_PER_SEC: f64 = 5_000.0;

/// User + system CPU seconds: of this process (`children == false`) or of its waited-for
/// children.
fn cpu_secs(children: bool) -> f64 {
    let who = if children {
        libc::RUSAGE_CHILDREN
    } else {
        libc::RUSAGE_SELF
    };
    // SAFETY: an all-zero rusage is a valid value; getrusage fills it.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid out-parameter.
    unsafe { libc::getrusage(who, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// `/proc/loadavg`'s first three fields ("1.20 0.90 0.70"), or empty.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A small PDF of about `size` bytes (a real header and trailer; stream filler).
fn pdf(rng: &mut Rng, size: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n3 0 obj << /Length 0 >> stream\n"
        .to_vec();
    while v.len() < size {
        v.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    v.extend_from_slice(b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    v
}

const NAMES: [&str; 8] = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Minh Châu",
    "Phạm Quốc Dũng",
    "Hoàng Thị Giang",
    "Vũ Đức Hải",
    "Đặng Thu Hương",
    "Bùi Thanh Long",
];

/// One typical submission: subject, ~9 KB of prose, a signature block, one ~8 KB PDF.
pub fn message(vocab: &gen::Vocabulary, rng: &mut Rng, i: usize) -> Vec<u8> {
    let name = NAMES[rng.below(NAMES.len())];
    let (tn, bn) = (8 + rng.below(8), 1_300 + rng.below(300));
    let subject = vocab.phrase(rng, tn);
    let body = vocab.body(rng, bn);
    let phone = format!("0220 38{:02} {:03}", rng.below(100), rng.below(1000));
    let an = 7_000 + rng.below(2_000);
    let att = pdf(rng, an);
    let boundary = format!("=_bt{i:08}");
    let mut m = String::with_capacity(body.len() + att.len() * 2);
    m.push_str(&format!(
        "From: =?UTF-8?B?{}?= <cv{}@thads.haiduong.gov.vn>\r\nTo: haiduong@moi.gov.vn\r\n\
         Subject: =?UTF-8?B?{}?=\r\nDate: Mon, 2 Mar 2026 09:{:02}:00 +0700\r\n\
         Message-ID: <bench-import-{i}@thads.haiduong.gov.vn>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n",
        crate::intake::reply::b64(name.as_bytes()),
        rng.below(500),
        crate::intake::reply::b64(subject.as_bytes()),
        i % 60,
    ));
    m.push_str(&format!(
        "--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\r\nTrân trọng,\r\n{name}\r\n\
         Chuyên viên Phòng Nghiệp vụ\r\nCục Thi hành án dân sự tỉnh Hải Dương\r\nĐT: {phone}\r\n\r\n",
        body.replace('\n', "\r\n")
    ));
    m.push_str(&format!(
        "--{boundary}\r\nContent-Type: application/pdf; name=\"bao-cao-{i}.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"bao-cao-{i}.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}--{boundary}--\r\n",
        crate::intake::reply::b64_lines(&att)
    ));
    m.into_bytes()
}

/// Write `n` messages into a fresh Maildir at `dir`; returns the total size in bytes.
pub fn write_maildir(dir: &Path, n: usize, seed: u64) -> std::io::Result<u64> {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let vocab = gen::Vocabulary::new();
    let mut rng = Rng::new(seed ^ 0x1a9e);
    let mut total = 0u64;
    for i in 0..n {
        let m = message(&vocab, &mut rng, i);
        total += m.len() as u64;
        std::fs::write(dir.join("new").join(format!("1772416800.M{i}P1.bench")), m)?;
    }
    Ok(total)
}

/// Flush the file system holding `dir` (so that the timed import does not pay for writing the
/// generated Maildir out).
fn flush_fs(dir: &Path) {
    #[cfg(target_os = "linux")]
    if let Ok(f) = std::fs::File::open(dir) {
        use std::os::unix::io::AsRawFd;
        // SAFETY: a valid open descriptor.
        unsafe { libc::syncfs(f.as_raw_fd()) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Run the import benchmark.
pub fn run(
    profile: &Profile,
    profile_text: &str,
    opts: &Options,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<Figure>, String> {
    let n = std::env::var("BIENTAP_BENCH_IMPORT_N")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(DEFAULT_MESSAGES);
    let (base, _) = gen::ensure(
        &opts.cache,
        profile,
        profile_text,
        BASE_ITEMS,
        opts.seed,
        log,
    )
    .map_err(|e| e.message(crate::i18n::Lang::En, Some(profile)))?;
    let work = opts
        .cache
        .join(format!("import-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("data")).map_err(err)?;
    let r = run_in(&base, &work, n, opts.seed, log);
    // `BIENTAP_BENCH_KEEP=1` keeps the Maildir and database of the run (for profiling).
    if std::env::var_os("BIENTAP_BENCH_KEEP").is_some() {
        log(&format!("import: kept {}", work.display()));
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }
    r
}

fn run_in(
    base: &Path,
    work: &Path,
    n: usize,
    seed: u64,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<Figure>, String> {
    // A copy of the base database, as the board's own (WAL and synchronous=FULL on open).
    let db: PathBuf = work.join("data").join("bientap.db");
    {
        let src = Store::open(base).map_err(|e| e.message(crate::i18n::Lang::En, None))?;
        src.conn()
            .execute("VACUUM INTO ?1", [db.display().to_string()])
            .map_err(err)?;
    }
    let mut store = Store::open(&db).map_err(|e| e.message(crate::i18n::Lang::En, None))?;
    let actor: String = {
        let p = store.profile().clone();
        let mut st = store
            .conn()
            .prepare("SELECT login, role FROM users ORDER BY login")
            .map_err(err)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(err)?;
        let mut found = None;
        for row in rows {
            let (login, role) = row.map_err(err)?;
            if p.role(&role).is_some_and(|r| r.has(Capability::Intake)) {
                found = Some(login);
                break;
            }
        }
        found.ok_or("no user with the intake capability in the benchmark database")?
    };
    let ctx = Ctx {
        actor: actor.clone(),
        os_login: actor,
        now: chrono::Utc::now(),
    };
    log(&format!("import: writing {n} messages"));
    let md = work.join("Maildir");
    let bytes = write_maildir(&md, n, seed).map_err(err)?;
    flush_fs(work);

    // Peer first (it reads the same files; both find them in the page cache).
    log("import: Python mailbox + email");
    let peer = python_peer(work, &md);

    // The copy is opened in WAL mode, as a board's database is (Store::open puts a VACUUM INTO
    // copy back in WAL); the figure says which mode it measured.
    let journal: String = store
        .conn()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .map_err(err)?;
    log(&format!("import: bientap import of {n} messages"));
    let load_before = load_average();
    let c0 = cpu_secs(false);
    let t = Instant::now();
    let summary = import_paths(
        &mut store,
        &ctx,
        std::slice::from_ref(&md),
        &ImportOptions::default(),
    )
    .map_err(|e| e.message(crate::i18n::Lang::En, None))?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs(false) - c0;
    let load_after = load_average();
    if summary.imported != n {
        return Err(format!(
            "import took in {} of {n} messages (refused {}, skipped {})",
            summary.imported, summary.refused, summary.skipped
        ));
    }
    let rate = n as f64 / secs;
    let per_cpu = n as f64 / cpu.max(1e-9);
    let cores = std::thread::available_parallelism()
        .map(|c| c.get())
        .unwrap_or(1);
    let peer_text = match &peer {
        Some((p_rate, p_cpu_rate)) => format!(
            "Python mailbox+email, parsing only: {p_rate:.0} messages/s ({p_cpu_rate:.0} per CPU-second); bientap ×{:.1} (wall), ×{:.1} (CPU)",
            rate / p_rate,
            per_cpu / p_cpu_rate
        ),
        None => "python3 not available".into(),
    };
    Ok(vec![
        Figure {
            figure: format!(
                "`bientap import`: {n} messages of {:.0} KB (one PDF) into {BASE_ITEMS} items",
                bytes as f64 / n as f64 / 1024.0
            ),
            value: format!("{rate:.0} messages/s"),
            target: format!("≥ {TARGET_PER_SEC:.0} messages/s"),
            met: Some(rate >= TARGET_PER_SEC),
            peer: peer_text,
            note: format!(
                "{secs:.2} s wall, {cpu:.2} s CPU ({per_cpu:.0} messages per CPU-second) on {cores} cores; load average {load_before} → {load_after}; journal_mode={journal}, synchronous=FULL, batches of {}, {} flagged",
                ImportOptions::default().batch_size,
                summary.flagged
            ),
        },
    ])
}

/// Python's `mailbox` + `email` over the Maildir: (messages/s wall, messages per CPU-second),
/// both as measured by the script (interpreter start-up excluded).
fn python_peer(work: &Path, md: &Path) -> Option<(f64, f64)> {
    let script = work.join("bench_import.py");
    std::fs::write(&script, PEER_SCRIPT).ok()?;
    let o = Command::new("python3").arg(&script).arg(md).output().ok()?;
    if !o.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
    let n = v["messages"].as_f64()?;
    let s = v["seconds"].as_f64()?;
    let c = v["cpu_seconds"].as_f64()?;
    (n > 0.0 && s > 0.0 && c > 0.0).then(|| (n / s, n / c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_messages_are_typical_and_import_cleanly() {
        let vocab = gen::Vocabulary::new();
        let mut rng = Rng::new(7);
        let m = message(&vocab, &mut rng, 3);
        assert!(
            (16_000..26_000).contains(&m.len()),
            "about 20 KB: {}",
            m.len()
        );
        let profile = crate::profile::load_bundled("thads-hai-duong").expect("bundled profile");
        let limits = crate::intake::message::Limits::from_profile(&profile);
        let p = crate::intake::message::parse(&m, &limits).expect("parses");
        assert_eq!(p.attachments.len(), 1);
        assert!(p.attachments[0].data.starts_with(b"%PDF-"));
        assert!(p.body.contains("Trân trọng"));
        assert!(!p.subject.is_empty());
        assert!(NAMES.contains(&p.from_name.as_str()), "{}", p.from_name);
        // Deterministic.
        let mut rng2 = Rng::new(7);
        assert_eq!(message(&vocab, &mut rng2, 3), m);
    }
}
