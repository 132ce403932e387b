//! The benchmark database: a deterministic generator of realistic items at scale (10k–1M),
//! with Vietnamese titles and bodies drawn from the administrative language of the five
//! regulations, a realistic mix of categories, states, submitters, attachments and
//! near-duplicates. Cached: the same (items, seed, profile) reuses the file.

use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use rusqlite::params;

use crate::demo::Rng;
use crate::domain::profile::Profile;
use crate::store::{ts, Store};
use crate::text::minhash;

/// The regulations' text: the generator's vocabulary.
const SEEDS: [&str; 5] = [
    include_str!("../../assets/seeds/000_ab28262774c656bc.txt"),
    include_str!("../../assets/seeds/001_035e91c0f6b00166.txt"),
    include_str!("../../assets/seeds/002_4206ceeaee7279bd.txt"),
    include_str!("../../assets/seeds/003_40b34ea77f95a2cf.txt"),
    include_str!("../../assets/seeds/004_dad8187a59055d59.txt"),
];

/// Sentences (at least 6 syllables) of the regulations, as word lists.
pub struct Vocabulary {
    pub sentences: Vec<Vec<String>>,
}

impl Vocabulary {
    pub fn new() -> Vocabulary {
        let mut sentences = Vec::new();
        for text in SEEDS {
            for s in text.split(['.', ';', ':', '\n']) {
                let words: Vec<String> = s
                    .split_whitespace()
                    .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
                    .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
                    .collect();
                if words.len() >= 6 {
                    sentences.push(words);
                }
            }
        }
        Vocabulary { sentences }
    }

    /// A run of `n` syllables from a random sentence (sentence-cased).
    pub fn phrase(&self, rng: &mut Rng, n: usize) -> String {
        let s = &self.sentences[rng.below(self.sentences.len())];
        let start = rng.below(s.len().saturating_sub(n).max(1));
        let words: Vec<&str> = s.iter().skip(start).take(n).map(String::as_str).collect();
        let mut out = words.join(" ");
        if let Some(first) = out.chars().next() {
            let upper: String = first.to_uppercase().collect();
            out.replace_range(..first.len_utf8(), &upper);
        }
        out
    }

    /// A body of about `syllables` syllables in paragraphs.
    pub fn body(&self, rng: &mut Rng, syllables: usize) -> String {
        let mut out = String::with_capacity(syllables * 6);
        let mut count = 0;
        let mut in_para = 0;
        while count < syllables {
            let s = &self.sentences[rng.below(self.sentences.len())];
            if !out.is_empty() {
                out.push_str(if in_para >= 3 { "\n\n" } else { " " });
                if in_para >= 3 {
                    in_para = 0;
                }
            }
            let text = s.join(" ");
            let mut chars = text.chars();
            if let Some(f) = chars.next() {
                out.extend(f.to_uppercase());
                out.push_str(chars.as_str());
            }
            out.push('.');
            count += s.len();
            in_para += 1;
        }
        out
    }

    /// One to three folded syllables, as a user would type a search without diacritics.
    pub fn query(&self, rng: &mut Rng) -> String {
        let n = 1 + rng.below(3);
        crate::text::fold::fold(&self.phrase(rng, n))
    }
}

impl Default for Vocabulary {
    fn default() -> Self {
        Self::new()
    }
}

/// Slightly edit a text: change `k` syllables (a near-duplicate).
pub fn perturb(rng: &mut Rng, text: &str, k: usize) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
    for _ in 0..k {
        if words.is_empty() {
            break;
        }
        let i = rng.below(words.len());
        words[i] = format!("{}x", words[i]);
    }
    words.join(" ")
}

const UNITS: [&str; 12] = [
    "van-phong",
    "phong-nghiep-vu",
    "phong-to-chuc",
    "phong-ke-hoach",
    "thanh-tra",
    "chi-cuc-kinh-mon",
    "chi-cuc-nam-sach",
    "chi-cuc-thanh-pho",
    "chi-cuc-cam-giang",
    "chi-cuc-gia-loc",
    "trung-tam-cntt",
    "phong-phap-che",
];

/// Path of the cached database for these parameters.
pub fn cache_path(dir: &Path, profile: &str, items: usize, seed: u64) -> PathBuf {
    dir.join(format!("bench-{profile}-{items}-{seed}.db"))
}

/// Build (or reuse) the benchmark database. Returns its path and whether it was built now.
pub fn ensure(
    dir: &Path,
    profile: &Profile,
    profile_text: &str,
    items: usize,
    seed: u64,
    log: &mut dyn FnMut(&str),
) -> crate::store::Result<(PathBuf, bool)> {
    let path = cache_path(dir, &profile.id, items, seed);
    if path.exists() {
        if let Ok(s) = Store::open(&path) {
            if s.meta("bench_complete")?.as_deref() == Some("1") {
                return Ok((path, false));
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
    std::fs::create_dir_all(dir)?;
    let mut store = Store::create(&path, profile, profile_text)?;
    let vocab = Vocabulary::new();
    let mut rng = Rng::new(seed);
    let start = Utc
        .with_ymd_and_hms(2022, 1, 3, 1, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let span_minutes: i64 = 5 * 365 * 24 * 60;
    let cats: Vec<String> = profile.categories.iter().map(|c| c.code.clone()).collect();
    let people: Vec<String> = (0..40).map(|i| format!("bientap{i:02}")).collect();
    let admin = profile
        .admin_role()
        .map(|r| r.code.clone())
        .unwrap_or_default();
    // A cache that can be rebuilt: no fsync per batch.
    store.conn().execute_batch("PRAGMA synchronous = OFF")?;
    store.write(|tx| {
        for (i, p) in people.iter().enumerate() {
            let role = if i == 0 {
                admin.clone()
            } else {
                profile.roles[i % profile.roles.len()].code.clone()
            };
            tx.execute(
                "INSERT INTO users(login, name, role, unit, added_at, added_by) VALUES (?1, ?1, ?2, ?3, ?4, 'bench')",
                params![p, role, UNITS[i % UNITS.len()], ts(start)],
            )?;
        }
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('bench_seed', ?1), ('minhash_params', ?2)",
            params![seed.to_string(), minhash::PARAMS],
        )?;
        Ok(())
    })?;
    const BATCH: usize = 5_000;
    let mut done = 0;
    // Recent bodies, to make near-duplicates of (about 2 % of items).
    let mut recent: Vec<String> = Vec::new();
    while done < items {
        let n = BATCH.min(items - done);
        store.write(|tx| {
            let mut ins = tx.prepare_cached(
                "INSERT INTO items(id, version, state, step, category, title, lead, body, sub_name, sub_org, sub_email,
                    unit, received_at, due_at, sensitive, assignee, last_actor, channel, content_digest, check_flags,
                    created_at, updated_at, published_at)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14, ?15, 'email', ?16, ?17, ?12, ?12, ?18)",
            )?;
            let mut fts = tx.prepare_cached(
                "INSERT INTO items_fts(rowid, title, body, submitter) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut band = tx.prepare_cached("INSERT OR IGNORE INTO dup_bands(key, item_id) VALUES (?1, ?2)")?;
            let mut att = tx.prepare_cached(
                "INSERT INTO attachments(item_id, sha256, size, name, ext, mime) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for k in 0..n {
                let id = (done + k + 1) as i64;
                let frac = (done + k) as f64 / items as f64;
                let received = start + Duration::minutes((frac * span_minutes as f64) as i64);
                // Recent items are still open; the archive is mostly published.
                let recent_item = frac > 0.995;
                let state = if recent_item {
                    ["received", "triaged", "editing", "verified", "approved", "returned"][rng.below(6)]
                } else {
                    match rng.below(100) {
                        0..=84 => "published",
                        85..=92 => "rejected",
                        93..=96 => "withdrawn",
                        _ => "returned",
                    }
                };
                let tn = 8 + rng.below(8);
                let title = vocab.phrase(&mut rng, tn);
                let lead = vocab.phrase(&mut rng, 20);
                let body = if !recent.is_empty() && rng.chance(2) {
                    let base = &recent[rng.below(recent.len())];
                    let k = 1 + rng.below(4);
                    perturb(&mut rng, base, k)
                } else {
                    let bn = 120 + rng.below(160);
                    vocab.body(&mut rng, bn)
                };
                if recent.len() < 512 {
                    recent.push(body.clone());
                } else {
                    let slot = rng.below(512);
                    recent[slot] = body.clone();
                }
                let cat = &cats[rng.below(cats.len())];
                let sub = format!("Người gửi {}", rng.below(5000));
                let unit = UNITS[rng.below(UNITS.len())];
                // What the importer and `bientap add` fingerprint: title, line end, body.
                let (fp, keys) = crate::store::intake::dup_fingerprint(
                    &crate::store::intake::dup_source(&title, &body),
                );
                let due = received + Duration::days(3);
                let assignee = if recent_item { Some(people[1 + rng.below(people.len() - 1)].clone()) } else { None };
                let flags = if rng.chance(10) { "I" } else { "" };
                let published = (state == "published" || state == "withdrawn").then(|| ts(received + Duration::days(1)));
                ins.execute(params![
                    id,
                    state,
                    if state == "verified" { 1 } else { 0 },
                    cat,
                    title,
                    lead,
                    body,
                    sub,
                    unit,
                    format!("nguoi{}@example.gov.vn", rng.below(5000)),
                    unit,
                    ts(received),
                    ts(due),
                    assignee,
                    people[0],
                    fp.digest,
                    flags,
                    published
                ])?;
                fts.execute(params![
                    id,
                    crate::store::index_words(&title),
                    crate::store::index_words(&format!("{lead}\n{body}")),
                    crate::store::index_words(&sub)
                ])?;
                for key in keys {
                    band.execute(params![key as i64, id])?;
                }
                if rng.chance(40) {
                    let sha = format!("{:064x}", rng.next_u64());
                    att.execute(params![id, sha, 20_000 + rng.below(2_000_000) as i64, "anh.jpg", "jpg", "image/jpeg"])?;
                }
            }
            Ok(())
        })?;
        done += n;
        if done % 50_000 == 0 || done == items {
            log(&format!("{done}/{items}"));
        }
    }
    store.write(|tx| {
        tx.execute(
            "INSERT INTO titles_fts(rowid, title) SELECT id, bt_fold(title) FROM items",
            [],
        )?;
        // Both search indexes merged into one segment, as after a migration that fills them.
        tx.execute_batch(
            "INSERT INTO items_fts(items_fts) VALUES ('optimize');
             INSERT INTO titles_fts(titles_fts) VALUES ('optimize');",
        )?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('bench_complete', '1')",
            [],
        )?;
        Ok(())
    })?;
    store
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")?;
    Ok((path, true))
}
