//! The audit record and its hash chain. Each row stores SHA-256(previous hash ‖ canonical row);
//! altering, deleting or inserting a row breaks every hash after it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that precedes the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One decision or change, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// The board login the action is attributed to.
    pub actor: String,
    /// The OS account of the process (differs from `actor` only when root used `--as`).
    pub os_login: String,
    /// RFC 3339 UTC time.
    pub at: String,
    pub item_id: Option<i64>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    /// Reason codes, in the order given.
    pub reasons: Vec<String>,
    pub note: String,
    /// Item version after the change.
    pub version: Option<i64>,
}

impl AuditRecord {
    /// Canonical encoding: a JSON array in fixed field order (no maps, so no key-order ambiguity).
    pub fn canonical(&self) -> String {
        serde_json::json!([
            self.seq,
            self.actor,
            self.os_login,
            self.at,
            self.item_id,
            self.action,
            self.from_state,
            self.to_state,
            self.reasons,
            self.note,
            self.version
        ])
        .to_string()
    }

    /// This row's hash given the previous row's hash.
    pub fn hash(&self, prev: &str) -> String {
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(b"\n");
        h.update(self.canonical().as_bytes());
        hex::encode(h.finalize())
    }
}

/// What is wrong with a chain, at the first bad row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// The row's stored previous hash is not the hash of the row before it (a row was deleted or inserted).
    BrokenLink { seq: i64 },
    /// The row's content does not match its stored hash (it was altered).
    Altered { seq: i64 },
    /// Sequence numbers are not consecutive (a row was deleted or inserted).
    Gap { expected: i64, found: i64 },
}

/// Walk stored rows `(record, prev_hash, hash)` in sequence order; the head hash or the first fault.
pub fn verify_chain<I>(rows: I) -> Result<(i64, String), ChainFault>
where
    I: IntoIterator<Item = (AuditRecord, String, String)>,
{
    let mut prev = GENESIS.to_string();
    let mut count = 0i64;
    for (expected, (rec, stored_prev, stored_hash)) in (1i64..).zip(rows) {
        if rec.seq != expected {
            return Err(ChainFault::Gap {
                expected,
                found: rec.seq,
            });
        }
        if stored_prev != prev {
            return Err(ChainFault::BrokenLink { seq: rec.seq });
        }
        if rec.hash(&prev) != stored_hash {
            return Err(ChainFault::Altered { seq: rec.seq });
        }
        prev = stored_hash;
        count += 1;
    }
    Ok((count, prev))
}
