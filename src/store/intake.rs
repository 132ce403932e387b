//! Store side of intake: the intake log (nothing imported twice), attachments, checks and the
//! near-duplicate index. Every function works inside an open transaction (`conn` is the
//! transaction); the importer makes each message whole or nothing (see
//! `intake::import::write_batch`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::text::minhash;

use super::items::insert_item_unindexed;
use super::{Ctx, NewItem, Result};

/// An attachment: its bytes are either staged in the blob store (large) or carried here, to
/// be stored in the database with the item ([`super::blobs`]).
#[derive(Debug, Clone, Default)]
pub struct NewAttachment {
    pub sha256: String,
    /// The bytes, when they are stored inside the database (at most `blobs::INLINE_MAX`).
    pub inline: Option<Vec<u8>>,
    pub size: u64,
    /// Sanitised display name.
    pub name: String,
    pub ext: String,
    pub mime: String,
    /// Comma-separated flags (type-mismatch, not-allowed, empty, archive-bomb…).
    pub flags: String,
}

/// One check result to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheck {
    pub code: String,
    /// pass | fail | warn | na
    pub status: String,
    pub article: String,
    pub detail: String,
}

pub use crate::domain::checks::DupMatch;

/// The search index row of an item, as [`super::index_words`] gives it: title, `lead\nbody`,
/// and the submitter's display (what `insert_item` indexes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexText {
    pub title: String,
    pub body: String,
    pub submitter: String,
}

impl IndexText {
    pub fn of(item: &NewItem) -> IndexText {
        IndexText {
            title: super::index_words(&item.title),
            body: super::index_words(&format!("{}\n{}", item.lead, item.body)),
            submitter: super::index_words(&item.submitter.display()),
        }
    }
}

/// Everything intake writes for one message.
#[derive(Debug, Clone, Default)]
pub struct IntakeRecord {
    pub item: NewItem,
    pub attachments: Vec<NewAttachment>,
    pub checks: Vec<NewCheck>,
    pub band_keys: Vec<u64>,
    pub dups: Vec<DupMatch>,
    /// Where it came from (file path), for the log.
    pub source: String,
    /// Digest of the message's content (intake log key, with the Message-ID).
    pub digest: String,
    /// The search index row ([`IndexText::of`] the item).
    pub index: IndexText,
}

/// A previous import of the same message, if any: (item id, when).
pub fn already_imported(
    conn: &Connection,
    message_id: Option<&str>,
    digest: &str,
) -> Result<Option<(Option<i64>, String)>> {
    let mut by_digest = conn.prepare_cached(
        "SELECT item_id, at FROM intake_log WHERE digest = ?1 AND outcome = 'imported' LIMIT 1",
    )?;
    if let Some(r) = by_digest
        .query_row([digest], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    {
        return Ok(Some(r));
    }
    if let Some(m) = message_id.filter(|m| !m.is_empty()) {
        let mut by_id = conn.prepare_cached(
            "SELECT item_id, at FROM intake_log WHERE message_id = ?1 AND outcome = 'imported' LIMIT 1",
        )?;
        return Ok(by_id
            .query_row([m], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?);
    }
    Ok(None)
}

/// Record a refused message (kept so that the refusal and its reason can be shown later).
pub fn log_refused(
    conn: &Connection,
    ctx: &Ctx,
    message_id: Option<&str>,
    digest: &str,
    source: &str,
    reason: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO intake_log(message_id, digest, source, item_id, at, outcome, reason)
         VALUES (?1, ?2, ?3, NULL, ?4, 'refused', ?5)",
    )?
    .execute(params![message_id, digest, source, ctx.now_text(), reason])?;
    Ok(())
}

/// The text the near-duplicate index and the content digest are computed from: title, a line
/// end, body (what the importer fingerprints, and what [`dup_text`] gives back to confirm a
/// candidate).
pub fn dup_source(title: &str, body: &str) -> String {
    format!("{title}\n{body}")
}

/// The content digest, shingles and LSH band keys of a text ([`dup_source`] of an item): what
/// the near-duplicate index is keyed by and looked up with.
pub fn dup_fingerprint(text: &str) -> (minhash::Fingerprint, Vec<u64>) {
    let fp = minhash::fingerprint(text);
    let keys = minhash::band_keys(&minhash::signature(&fp.shingles));
    (fp, keys)
}

/// [`find_duplicates`] of a text ([`dup_source`] of an item), fingerprinted here.
pub fn find_duplicates_of(conn: &Connection, text: &str) -> Result<Vec<DupMatch>> {
    let (fp, keys) = dup_fingerprint(text);
    find_duplicates(conn, &fp.digest, &fp.shingles, &keys)
}

/// Keep an item's entries in the near-duplicate index (its LSH band keys) and its content
/// digest those of its text, for an item added by hand or edited (the importer writes its own
/// from the same text). `old` is the item's previous title and body, whose band keys are
/// removed first. Call inside the transaction that changes the text. Gives back the new text's
/// fingerprint and band keys.
pub fn index_duplicates(
    conn: &Connection,
    id: i64,
    old: Option<(&str, &str)>,
    title: &str,
    body: &str,
) -> Result<(minhash::Fingerprint, Vec<u64>)> {
    if let Some((t, b)) = old {
        let (_, keys) = dup_fingerprint(&dup_source(t, b));
        let mut del = conn.prepare_cached(
            "DELETE FROM dup_bands WHERE key = CAST(?1 AS INTEGER) AND item_id = ?2",
        )?;
        for k in keys {
            del.execute(params![k as i64, id])?;
        }
    }
    let (fp, keys) = dup_fingerprint(&dup_source(title, body));
    let mut put =
        conn.prepare_cached("INSERT OR IGNORE INTO dup_bands(key, item_id) VALUES (?1, ?2)")?;
    for k in &keys {
        put.execute(params![*k as i64, id])?;
    }
    conn.prepare_cached("UPDATE items SET content_digest = ?2 WHERE id = ?1")?
        .execute(params![id, fp.digest])?;
    Ok((fp, keys))
}

/// Look again, for an item with the intake's duplicate check, for what its text (`fp`, `keys`)
/// duplicates among the items that came before it and are published or pending, as the
/// importer did when it arrived; `dup_matches`, `dup_score` and the check's result follow.
/// Only earlier items count: the first of two copies is never the duplicate of the second.
/// Returns the check's new (status, detail), or `None` when the item has no such check.
pub fn refresh_duplicates(
    conn: &Connection,
    id: i64,
    fp: &minhash::Fingerprint,
    keys: &[u64],
) -> Result<Option<(&'static str, String)>> {
    if !has_duplicate_check(conn, id)? {
        return Ok(None);
    }
    let dups: Vec<DupMatch> = find_duplicates(conn, &fp.digest, &fp.shingles, keys)?
        .into_iter()
        .filter(|d| d.other_id < id)
        .collect();
    conn.prepare_cached("DELETE FROM dup_matches WHERE item_id = ?1")?
        .execute([id])?;
    let mut put = conn.prepare_cached(
        "INSERT OR REPLACE INTO dup_matches(item_id, other_id, score, exact) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for d in &dups {
        put.execute(params![id, d.other_id, d.score, d.exact])?;
    }
    let best = dups.iter().map(|d| d.score).reduce(f64::max);
    conn.prepare_cached("UPDATE items SET dup_score = ?2 WHERE id = ?1")?
        .execute(params![id, best])?;
    Ok(Some(crate::domain::checks::duplicate(&dups)))
}

/// Whether an item has the intake's duplicate check (imported items; not those added by hand).
fn has_duplicate_check(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM checks WHERE item_id = ?1 AND code = 'duplicate'")?
        .exists([id])?)
}

/// Items whose duplicate check may read differently once item `id` changed its text or
/// left or re-entered the published-or-pending states: those that name it as their match now,
/// and, when it may be matched, the later items with a duplicate check that its current text
/// (fingerprint `fp`, band keys `keys`: [`dup_fingerprint`]) matches. Ascending, without `id`
/// itself.
pub fn duplicate_dependants(
    conn: &Connection,
    id: i64,
    fp: &minhash::Fingerprint,
    keys: &[u64],
) -> Result<Vec<i64>> {
    let mut out: Vec<i64> = conn
        .prepare_cached("SELECT item_id FROM dup_matches WHERE other_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if dup_eligible(conn, id)? {
        for d in find_duplicates(conn, &fp.digest, &fp.shingles, keys)? {
            if d.other_id > id && has_duplicate_check(conn, d.other_id)? {
                out.push(d.other_id);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out.retain(|&other| other != id);
    Ok(out)
}

/// Items with the same content digest that are published or pending (not rejected/withdrawn).
pub fn exact_duplicates(conn: &Connection, content_digest: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        // CAST: with ANALYZE statistics (sqlite_stat4) a plain `= ?1` makes SQLite prepare
        // the statement again for every new value; these lookups run once per imported message.
        "SELECT id FROM items WHERE content_digest = CAST(?1 AS TEXT)
           AND state NOT IN ('rejected','withdrawn') ORDER BY id LIMIT 20",
    )?;
    let rows = stmt.query_map([content_digest], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
}

/// Items sharing at least one LSH band key (candidates; at most `limit`, most shared first).
pub fn band_candidates(conn: &Connection, keys: &[u64], limit: usize) -> Result<Vec<i64>> {
    let mut counts: std::collections::HashMap<i64, u32> = std::collections::HashMap::new();
    // CAST: see `exact_duplicates`.
    let mut stmt =
        conn.prepare_cached("SELECT item_id FROM dup_bands WHERE key = CAST(?1 AS INTEGER)")?;
    for k in keys {
        let rows = stmt.query_map([*k as i64], |r| r.get::<_, i64>(0))?;
        for r in rows {
            *counts.entry(r?).or_default() += 1;
        }
    }
    let mut v: Vec<(i64, u32)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(limit);
    Ok(v.into_iter().map(|(id, _)| id).collect())
}

/// Stored title and body of an item that is published or pending, for the exact Jaccard.
pub fn dup_text(conn: &Connection, id: i64) -> Result<Option<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT title, body FROM items WHERE id = ?1 AND state NOT IN ('rejected','withdrawn')",
    )?;
    Ok(stmt
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Whether an item may be matched as a duplicate (published or pending: not rejected or
/// withdrawn), as [`dup_text`] decides it.
pub fn dup_eligible(conn: &Connection, id: i64) -> Result<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT 1 FROM items WHERE id = ?1 AND state NOT IN ('rejected','withdrawn')",
    )?;
    Ok(stmt.exists([id])?)
}

/// Similarity from which a candidate is a near-duplicate (exact Jaccard on stored text).
pub const NEAR_DUP: f64 = 0.8;
/// Most LSH candidates confirmed per message.
pub const MAX_CANDIDATES: usize = 50;

/// Duplicates of a text among items published or pending: exact by content digest, near by
/// LSH candidates confirmed with exact Jaccard on the candidates' stored text.
pub fn find_duplicates(
    conn: &Connection,
    content_digest: &str,
    shingles: &[u64],
    band_keys: &[u64],
) -> Result<Vec<DupMatch>> {
    find_duplicates_cached(
        conn,
        content_digest,
        shingles,
        band_keys,
        &mut ShingleCache::default(),
    )
}

/// Shingles of stored items (title and body as stored, never changed by import), kept across
/// the messages of a run so that a candidate met again is not folded and shingled again. The
/// candidate's state is still read from the database each time.
#[derive(Debug, Default)]
pub struct ShingleCache {
    pub(crate) map: std::collections::HashMap<i64, Vec<u64>>,
    /// `PRAGMA data_version` when the cache was last known valid (the importer clears it
    /// when another connection has committed since).
    pub(crate) data_version: Option<i64>,
}

impl ShingleCache {
    /// Most items kept (about 7 KB each for a 20 KB message); beyond, the cache starts again.
    pub const CAPACITY: usize = 4096;

    pub fn insert(&mut self, id: i64, shingles: Vec<u64>) {
        if self.map.len() >= Self::CAPACITY {
            self.map.clear();
        }
        self.map.insert(id, shingles);
    }
}

/// [`find_duplicates`] with a [`ShingleCache`] of candidates' shingles.
pub fn find_duplicates_cached(
    conn: &Connection,
    content_digest: &str,
    shingles: &[u64],
    band_keys: &[u64],
    cache: &mut ShingleCache,
) -> Result<Vec<DupMatch>> {
    let mut out: Vec<DupMatch> = exact_duplicates(conn, content_digest)?
        .into_iter()
        .map(|id| DupMatch {
            other_id: id,
            score: 1.0,
            exact: true,
        })
        .collect();
    for id in band_candidates(conn, band_keys, MAX_CANDIDATES)? {
        if out.iter().any(|d| d.other_id == id) {
            continue;
        }
        let j = if cache.map.contains_key(&id) {
            if !dup_eligible(conn, id)? {
                continue;
            }
            cache.map.get(&id).map(|o| minhash::jaccard(shingles, o))
        } else {
            match dup_text(conn, id)? {
                Some((t, b)) => {
                    let other = minhash::shingles(&dup_source(&t, &b));
                    let j = minhash::jaccard(shingles, &other);
                    cache.insert(id, other);
                    Some(j)
                }
                None => None,
            }
        };
        if let Some(j) = j.filter(|j| *j >= NEAR_DUP) {
            out.push(DupMatch {
                other_id: id,
                score: j,
                exact: false,
            });
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.other_id.cmp(&b.other_id))
    });
    Ok(out)
}

/// Keep the near-duplicate parameters in the meta table; returns the stored value when it
/// differs from `params` (signatures computed under other parameters are not comparable).
pub fn ensure_dup_params(conn: &Connection, params_text: &str) -> Result<Option<String>> {
    let cur: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'minhash_params'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match cur {
        None => {
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('minhash_params', ?1)",
                [params_text],
            )?;
            Ok(None)
        }
        Some(c) if c == params_text => Ok(None),
        Some(c) => Ok(Some(c)),
    }
}

/// Insert a whole message: item (with its audit row and search index row), attachments,
/// checks, band keys, duplicate matches and the intake log row. Call inside a transaction
/// (or a SAVEPOINT) that is rolled back if this fails.
/// Returns the item id.
pub fn insert_record(conn: &Connection, ctx: &Ctx, rec: &IntakeRecord) -> Result<i64> {
    let id = insert_record_unindexed(conn, ctx, rec)?;
    index_record(conn, id, &rec.index)?;
    Ok(id)
}

/// Add the search index row of an item inserted by [`insert_record_unindexed`].
pub fn index_record(conn: &Connection, id: i64, index: &IndexText) -> Result<()> {
    // A new item: nothing to replace in the index.
    conn.prepare_cached(
        "INSERT INTO items_fts(rowid, title, body, submitter) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, index.title, index.body, index.submitter])?;
    // The title-only index of the console's `~s` limit.
    conn.prepare_cached("INSERT INTO titles_fts(rowid, title) VALUES (?1, ?2)")?
        .execute(params![id, index.title])?;
    Ok(())
}

/// [`insert_record`] without the search index row, which the caller adds with
/// [`index_record`] in the same transaction, after the batch's messages (and outside any
/// SAVEPOINT of theirs): FTS5 flushes its pending terms to disk at every SAVEPOINT it takes
/// part in, so indexing a whole batch at the end writes one segment instead of one per message. Both are in the
/// transaction: a crash keeps neither, a commit both.
pub fn insert_record_unindexed(conn: &Connection, ctx: &Ctx, rec: &IntakeRecord) -> Result<i64> {
    let id = insert_item_unindexed(conn, ctx, &rec.item)?;
    {
        let mut st = conn.prepare_cached(
            "INSERT INTO attachments(item_id, sha256, size, name, ext, mime, flags)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for a in &rec.attachments {
            if let Some(data) = &a.inline {
                super::blobs::put_inline(conn, &a.sha256, data)?;
            }
            st.execute(params![
                id,
                a.sha256,
                a.size as i64,
                a.name,
                a.ext,
                a.mime,
                a.flags
            ])?;
        }
    }
    // One statement for all the checks and one for all the band keys (rows in list order: a
    // later check of the same code replaces an earlier one, as row-by-row inserts did).
    if !rec.checks.is_empty() {
        let sql = multi_row(
            "INSERT OR REPLACE INTO checks(item_id, code, status, article, detail) VALUES ",
            5,
            rec.checks.len(),
        );
        let mut st = conn.prepare_cached(&sql)?;
        let mut vals: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(rec.checks.len() * 5);
        for c in &rec.checks {
            vals.extend([
                &id as &dyn rusqlite::ToSql,
                &c.code,
                &c.status,
                &c.article,
                &c.detail,
            ]);
        }
        st.execute(vals.as_slice())?;
    }
    if !rec.band_keys.is_empty() {
        let sql = multi_row(
            "INSERT OR IGNORE INTO dup_bands(key, item_id) VALUES ",
            2,
            rec.band_keys.len(),
        );
        let mut st = conn.prepare_cached(&sql)?;
        let keys: Vec<i64> = rec.band_keys.iter().map(|k| *k as i64).collect();
        let mut vals: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(keys.len() * 2);
        for k in &keys {
            vals.extend([k as &dyn rusqlite::ToSql, &id]);
        }
        st.execute(vals.as_slice())?;
    }
    if !rec.dups.is_empty() {
        let mut st = conn.prepare_cached(
            "INSERT OR REPLACE INTO dup_matches(item_id, other_id, score, exact) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut best: f64 = 0.0;
        for d in &rec.dups {
            st.execute(params![id, d.other_id, d.score, d.exact])?;
            best = best.max(d.score);
        }
        conn.prepare_cached("UPDATE items SET dup_score = ?2 WHERE id = ?1")?
            .execute(params![id, best])?;
    }
    conn.prepare_cached(
        "INSERT INTO intake_log(message_id, digest, source, item_id, at, outcome, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, 'imported', '')",
    )?
    .execute(params![
        rec.item.message_id,
        rec.digest,
        rec.source,
        id,
        ctx.now_text()
    ])?;
    Ok(id)
}

/// `head` followed by `rows` groups of `cols` numbered parameters: `(?1, ?2), (?3, ?4)…`.
fn multi_row(head: &str, cols: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 5);
    sql.push_str(head);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("?{}", r * cols + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// One row of the intake log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IntakeLogRow {
    pub message_id: Option<String>,
    pub digest: String,
    pub source: String,
    pub item_id: Option<i64>,
    pub at: String,
    pub outcome: String,
    pub reason: String,
}

/// The intake log, newest first.
pub fn intake_log(conn: &Connection, limit: usize) -> Result<Vec<IntakeLogRow>> {
    let mut st = conn.prepare(
        "SELECT message_id, digest, source, item_id, at, outcome, reason FROM intake_log
         ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = st.query_map([limit as i64], |r| {
        Ok(IntakeLogRow {
            message_id: r.get(0)?,
            digest: r.get(1)?,
            source: r.get(2)?,
            item_id: r.get(3)?,
            at: r.get(4)?,
            outcome: r.get(5)?,
            reason: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Record that a "return for revision" letter was written (and maybe sent) for an item.
pub fn record_reply(conn: &Connection, ctx: &Ctx, item_id: i64, note: &str) -> Result<()> {
    super::audit::append(
        conn,
        ctx,
        super::audit::AuditWrite {
            item_id: Some(item_id),
            action: "reply-letter",
            from_state: None,
            to_state: None,
            reasons: &[],
            note,
            version: None,
        },
    )?;
    Ok(())
}
