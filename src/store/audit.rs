//! The audit log: appended in the same transaction as the change it records.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::{Ctx, Result, Store};
use crate::domain::audit::{verify_chain, AuditRecord, ChainFault, GENESIS};

/// One row of the history, for display.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    #[serde(flatten)]
    pub record: AuditRecord,
    pub hash: String,
}

/// Result of walking the chain.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub rows: i64,
    pub head: String,
    /// The first bad row, if any: (seq, what).
    pub fault: Option<(i64, String)>,
}

/// What to write: everything but the sequence number, time and hashes.
pub(crate) struct AuditWrite<'a> {
    pub item_id: Option<i64>,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub reasons: &'a [String],
    pub note: &'a str,
    pub version: Option<i64>,
}

/// Append one row to the chain. Must be called inside the change's transaction.
pub(crate) fn append(conn: &Connection, ctx: &Ctx, w: AuditWrite<'_>) -> Result<String> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let rec = AuditRecord {
        seq,
        actor: ctx.actor.clone(),
        os_login: ctx.os_login.clone(),
        at: ctx.now_text(),
        item_id: w.item_id,
        action: w.action.to_string(),
        from_state: w.from_state.map(str::to_string),
        to_state: w.to_state.map(str::to_string),
        reasons: w.reasons.to_vec(),
        note: w.note.to_string(),
        version: w.version,
    };
    let hash = rec.hash(&prev);
    conn.prepare_cached(
        "INSERT INTO audit(seq, prev_hash, hash, actor, os_login, at, item_id, action, from_state, to_state, reasons, note, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
            rec.seq,
            prev,
            hash,
            rec.actor,
            rec.os_login,
            rec.at,
            rec.item_id,
            rec.action,
            rec.from_state,
            rec.to_state,
            serde_json::to_string(&rec.reasons).unwrap_or_else(|_| "[]".into()),
            rec.note,
            rec.version
        ])?;
    Ok(hash)
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AuditRecord, String, String)> {
    let reasons: String = r.get(10)?;
    Ok((
        AuditRecord {
            seq: r.get(0)?,
            actor: r.get(3)?,
            os_login: r.get(4)?,
            at: r.get(5)?,
            item_id: r.get(6)?,
            action: r.get(7)?,
            from_state: r.get(8)?,
            to_state: r.get(9)?,
            // A row whose reasons are not a JSON list was tampered with; keep the raw text so the
            // hash check catches it.
            reasons: serde_json::from_str(&reasons).unwrap_or_else(|_| vec![reasons.clone()]),
            note: r.get(11)?,
            version: r.get(12)?,
        },
        r.get(1)?,
        r.get(2)?,
    ))
}

const COLS: &str = "seq, prev_hash, hash, actor, os_login, at, item_id, action, from_state, to_state, reasons, note, version";

impl Store {
    /// Walk the whole chain; name the first bad row.
    pub fn audit_verify(&self) -> Result<AuditReport> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLS} FROM audit ORDER BY seq"))?;
        let rows = stmt.query_map([], row_to_record)?;
        let mut collected = Vec::new();
        for r in rows {
            collected.push(r?);
        }
        Ok(match verify_chain(collected) {
            Ok((n, head)) => AuditReport {
                rows: n,
                head,
                fault: None,
            },
            Err(f) => {
                let (seq, what) = match f {
                    ChainFault::BrokenLink { seq } => (seq, "broken-link".to_string()),
                    ChainFault::Altered { seq } => (seq, "altered".to_string()),
                    ChainFault::Gap { expected, found } => {
                        (expected, format!("gap: expected {expected}, found {found}"))
                    }
                };
                AuditReport {
                    rows: 0,
                    head: String::new(),
                    fault: Some((seq, what)),
                }
            }
        })
    }

    /// The history: of one item, or everything (newest last), at most `limit` rows (the latest).
    pub fn audit_log(&self, item: Option<i64>, limit: Option<usize>) -> Result<Vec<AuditEntry>> {
        let limit = limit.map(|l| l as i64).unwrap_or(-1);
        let sql = match item {
            Some(_) => format!(
                "SELECT * FROM (SELECT {COLS} FROM audit WHERE item_id = ?1 ORDER BY seq DESC LIMIT ?2) ORDER BY seq"
            ),
            None => format!(
                "SELECT * FROM (SELECT {COLS} FROM audit WHERE ?1 IS NULL ORDER BY seq DESC LIMIT ?2) ORDER BY seq"
            ),
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![item, limit], row_to_record)?;
        let mut out = Vec::new();
        for r in rows {
            let (record, _prev, hash) = r?;
            out.push(AuditEntry { record, hash });
        }
        Ok(out)
    }

    /// The hash of the newest audit row (GENESIS when empty).
    pub fn audit_head(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row(
                "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| GENESIS.to_string()))
    }
}
