//! `kill -9` at random moments of `bientap import` (the real binary, a real Maildir, a real
//! SQLite file): after every kill the database is whole (audit chain, every attachment readable
//! with its recorded digest), no message was taken in twice, and no message is lost — each one
//! is either an item already (and then marked seen) or still waiting in the Maildir; a last,
//! uninterrupted run takes in exactly the rest.

mod intake_common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use bientap::store::{Blob, Store};
use intake_common::*;
use sha2::{Digest, Sha256};

const MESSAGES: u64 = 600;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bientap"))
}

/// The message ids waiting in the Maildir (`new/`, or `cur/` without the seen flag) and those
/// marked seen.
fn maildir_state(md: &Path) -> (Vec<String>, Vec<String>) {
    let id_of = |p: &Path| -> String {
        let raw = fs::read(p).unwrap();
        let text = String::from_utf8_lossy(&raw);
        text.lines()
            .find_map(|l| l.strip_prefix("Message-ID: <"))
            .and_then(|l| l.split('@').next())
            .unwrap_or_default()
            .to_string()
    };
    let (mut waiting, mut seen) = (Vec::new(), Vec::new());
    for sub in ["new", "cur"] {
        for e in fs::read_dir(md.join(sub)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let is_seen = name
                .rsplit_once(":2,")
                .is_some_and(|(_, f)| f.contains('S'));
            if sub == "cur" && is_seen {
                seen.push(id_of(&p));
            } else {
                waiting.push(id_of(&p));
            }
        }
    }
    waiting.sort();
    seen.sort();
    (waiting, seen)
}

/// Items by Message-ID (`kN@test.vn` → `kN`), with how many of each.
fn items_by_message(db: &Path) -> BTreeMap<String, usize> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT message_id FROM items WHERE message_id IS NOT NULL")
        .unwrap();
    let mut out = BTreeMap::new();
    for m in st.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        let m = m.unwrap();
        let id = m.split('@').next().unwrap_or_default().to_string();
        *out.entry(id).or_insert(0) += 1;
    }
    out
}

/// Every attachment row's bytes can be read and match the recorded digest and size.
fn attachments_whole(db: &Path) -> usize {
    let st = Store::open(db).unwrap();
    let rows: Vec<(String, i64)> = st
        .conn()
        .prepare("SELECT sha256, size FROM attachments")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (sha, size) in &rows {
        let bytes = match st.blob(sha).unwrap() {
            Blob::Inline(b) => b,
            Blob::File(p) => fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
        };
        assert_eq!(bytes.len() as i64, *size, "size of {sha}");
        assert_eq!(hex::encode(Sha256::digest(&bytes)), *sha, "digest of {sha}");
    }
    rows.len()
}

#[test]
fn kill_9_during_import_loses_and_duplicates_nothing() {
    let d = tempfile::tempdir().unwrap();
    let st = store(d.path());
    let db: PathBuf = st.path().to_path_buf();
    drop(st);
    let md = maildir(&d.path().join("Maildir"));
    for i in 0..MESSAGES {
        let mut m = Mail::new(
            &format!("k{i}"),
            &format!("Tin số {i}"),
            &format!("{}{SIGNATURE}", prose(i, 8)),
        );
        if i % 3 == 0 {
            m = m.attach(&format!("bao-cao-{i}.pdf"), "application/pdf", PDF);
        }
        if i % 40 == 7 {
            // Over the in-database limit: a file in the blob store.
            let mut big = PDF.to_vec();
            big.extend((0..300_000u32).map(|k| (k.wrapping_mul(2_654_435_761) ^ i as u32) as u8));
            m = m.attach(&format!("scan-{i}.pdf"), "application/pdf", &big);
        }
        fs::write(md.join("new").join(format!("{i:04}.eml")), m.bytes()).unwrap();
    }
    let run = |kill_after: Option<Duration>| -> Option<i32> {
        let mut child = bin()
            .args(["--lang", "en", "--db"])
            .arg(&db)
            .args(["--as", LOGIN, "import", "--batch", "16"])
            .arg(&md)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if let Some(t) = kill_after {
            std::thread::sleep(t);
            let _ = child.kill(); // SIGKILL
        }
        child.wait().unwrap().code()
    };
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let all: Vec<String> = (0..MESSAGES).map(|i| format!("k{i}")).collect();
    let mut kills = 0;
    for _ in 0..25 {
        // Anywhere from start-up to well into the run (a debug build imports a batch of 16 in
        // tens of milliseconds).
        let t = Duration::from_micros(next() % 120_000 + 3_000);
        if run(Some(t)) == Some(0) {
            break; // this run finished before the kill: nothing left to interrupt
        }
        kills += 1;
        // Whole: the audit chain verifies (through the CLI, as a board would check).
        let o = bin()
            .args(["--lang", "en", "--db"])
            .arg(&db)
            .args(["--as", LOGIN, "audit", "verify"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
        attachments_whole(&db);
        // Nothing twice, nothing lost: every message is an item or still waiting, and one
        // marked seen is an item.
        let items = items_by_message(&db);
        assert!(items.values().all(|n| *n == 1), "taken in twice: {items:?}");
        let (waiting, seen) = maildir_state(&md);
        eprintln!(
            "killed after {t:?}: {} items, {} waiting, {} seen",
            items.len(),
            waiting.len(),
            seen.len()
        );
        for m in &all {
            assert!(
                items.contains_key(m) || waiting.contains(m),
                "{m} is neither an item nor waiting in the Maildir"
            );
        }
        for m in &seen {
            assert!(items.contains_key(m), "{m} marked seen but not an item");
        }
    }
    // A last run takes in the rest: every message exactly once, every one marked seen.
    assert_eq!(run(None), Some(0));
    let items = items_by_message(&db);
    assert_eq!(items.len() as u64, MESSAGES, "{kills} kills");
    assert!(items.values().all(|n| *n == 1));
    let (waiting, seen) = maildir_state(&md);
    assert!(waiting.is_empty(), "{waiting:?}");
    assert_eq!(seen, {
        let mut a = all.clone();
        a.sort();
        a
    });
    assert!(attachments_whole(&db) >= (MESSAGES / 3) as usize);
    // Large attachments staged by a killed run are not left behind in the blob store's
    // temporary folder.
    let tmp = d.path().join("data/blobs/tmp");
    let left: Vec<_> = fs::read_dir(&tmp)
        .map(|r| r.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    assert!(kills >= 3, "only {kills} runs were interrupted");
}
