//! The export ledger: which items go into the next bundle, what an item looks like to the public,
//! and the one transaction that marks a batch published together with its ledger rows and audit
//! rows. The bundle writing itself lives in `crate::export`.
//!
//! Public data only: the queries here never read the submitter's contact data (e-mail, phone,
//! address), internal notes or audit notes; the submitter's name is read only to be used as the
//! byline of an original item when the submitter did not ask for confidentiality.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::audit::{append, AuditWrite};
use super::{Ctx, Result, Store, StoreError};
use crate::domain::item::{ItemFacts, Opinion, State};
use crate::domain::workflow::{self, Action};

/// How an item travels in a bundle (IPTC ninjs `pubstatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    /// New (or re-approved) content to publish.
    Usable,
    /// Taken down after publication (withdrawn): the site must remove it.
    Canceled,
    /// Changed after publication and not approved again: the site must hide it for now.
    Withheld,
}

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Usable => "usable",
            ExportKind::Canceled => "canceled",
            ExportKind::Withheld => "withheld",
        }
    }
    pub fn parse(s: &str) -> Option<ExportKind> {
        match s {
            "usable" => Some(ExportKind::Usable),
            "canceled" => Some(ExportKind::Canceled),
            "withheld" => Some(ExportKind::Withheld),
            _ => None,
        }
    }
}

/// One item chosen for the next bundle, with the version it was read at.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportCandidate {
    pub item_id: i64,
    pub kind: ExportKind,
    pub version: i64,
}

/// An approval step taken on the item, from the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportApproval {
    /// Step code (or `opinion` for the agency head's opinion).
    pub step: String,
    /// Board member's full name.
    pub by: String,
    /// Their role code.
    pub role: String,
    /// RFC 3339 UTC.
    pub at: String,
}

/// An attachment of an exported item.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportAttachment {
    pub sha256: String,
    pub size: i64,
    pub name: String,
    pub ext: String,
    pub mime: String,
}

/// What the public may see of an item.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportItem {
    pub id: i64,
    pub version: i64,
    pub state: State,
    pub category: String,
    pub title: String,
    /// The title when the item was first exported (keeps its folder name stable).
    pub first_title: Option<String>,
    pub lead: String,
    pub body: String,
    /// Byline: the quoted author, else the submitter's name unless confidential.
    pub author: String,
    pub unit: String,
    pub src_kind: String,
    pub src_name: String,
    pub src_url: String,
    pub src_date: Option<String>,
    pub event_at: Option<String>,
    pub issued_at: Option<String>,
    pub received_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub approvals: Vec<ExportApproval>,
    pub attachments: Vec<ExportAttachment>,
    /// For takedowns and holds: the reason codes and when.
    pub reasons: Vec<String>,
    pub reason_at: Option<String>,
}

/// A row of the export ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRun {
    pub run_id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub dir: String,
    pub status: String,
    pub audit_head: String,
    pub items: i64,
    pub delivered_at: Option<String>,
    pub delivery_log: String,
}

fn row_to_run(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExportRun> {
    Ok(ExportRun {
        run_id: r.get(0)?,
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        dir: r.get(3)?,
        status: r.get(4)?,
        audit_head: r.get(5)?,
        items: r.get(6)?,
        delivered_at: r.get(7)?,
        delivery_log: r.get(8)?,
    })
}

const RUN_COLS: &str =
    "run_id, started_at, finished_at, dir, status, audit_head, items, delivered_at, delivery_log";

impl Store {
    /// Items the next bundle carries, in id order: approved items never exported at their current
    /// version (usable); items exported before and now withdrawn (canceled); items exported as
    /// usable and since then moved back before approval or changed in place (withheld).
    pub fn export_candidates(&self) -> Result<Vec<ExportCandidate>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.version FROM items i
             WHERE i.state = 'approved'
               AND NOT EXISTS (SELECT 1 FROM export_items e WHERE e.item_id = i.id AND e.version >= i.version)
             ORDER BY i.id",
        )?;
        for r in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            let (item_id, version) = r?;
            out.push(ExportCandidate {
                item_id,
                kind: ExportKind::Usable,
                version,
            });
        }
        // The latest ledger row of every item ever exported (run ids sort by time).
        let mut stmt = self.conn.prepare(
            "WITH ranked AS (
                SELECT item_id, kind, version,
                       row_number() OVER (PARTITION BY item_id ORDER BY run_id DESC) AS n
                FROM export_items
             )
             SELECT i.id, i.version, i.state, ranked.kind, ranked.version,
                    (SELECT max(v.version) FROM revisions v WHERE v.item_id = i.id)
             FROM ranked JOIN items i ON i.id = ranked.item_id
             WHERE ranked.n = 1
             ORDER BY i.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })?;
        for r in rows {
            let (item_id, version, state, last_kind, last_version, last_rev) = r?;
            let state = State::parse(&state);
            let last_kind = ExportKind::parse(&last_kind);
            let kind = match (state, last_kind) {
                (Some(State::Withdrawn), Some(ExportKind::Usable | ExportKind::Withheld)) => {
                    Some(ExportKind::Canceled)
                }
                // `revisions` keeps each earlier content version under the item version it had
                // when it was replaced: a row at or after the exported version is a change since.
                (Some(State::Published), Some(ExportKind::Usable))
                    if last_rev.is_some_and(|v| v >= last_version) =>
                {
                    // Content changed after the published version: hold it back.
                    Some(ExportKind::Withheld)
                }
                (
                    Some(
                        State::Received
                        | State::Triaged
                        | State::Editing
                        | State::Verified
                        | State::Returned
                        | State::Escalated
                        | State::Rejected,
                    ),
                    Some(ExportKind::Usable),
                ) => Some(ExportKind::Withheld),
                _ => None,
            };
            if let Some(kind) = kind {
                out.push(ExportCandidate {
                    item_id,
                    kind,
                    version,
                });
            }
        }
        out.sort_by_key(|c| c.item_id);
        Ok(out)
    }

    /// The public view of one item (see the module note on what is never read).
    pub fn export_item(&self, id: i64) -> Result<ExportItem> {
        let conn = &self.conn;
        let mut item = conn
            .query_row(
                "SELECT id, version, state, category, title, lead, body,
                        CASE WHEN src_author <> '' THEN src_author
                             WHEN sub_confidential = 0 THEN sub_name ELSE '' END,
                        unit, src_kind, src_name, src_url, src_date, event_at, issued_at, received_at,
                        updated_at, published_at
                 FROM items WHERE id = ?1",
                [id],
                |r| {
                    let state: String = r.get(2)?;
                    Ok(ExportItem {
                        id: r.get(0)?,
                        version: r.get(1)?,
                        state: State::parse(&state).unwrap_or(State::Received),
                        category: r.get(3)?,
                        title: r.get(4)?,
                        first_title: None,
                        lead: r.get(5)?,
                        body: r.get(6)?,
                        author: r.get(7)?,
                        unit: r.get(8)?,
                        src_kind: r.get(9)?,
                        src_name: r.get(10)?,
                        src_url: r.get(11)?,
                        src_date: r.get(12)?,
                        event_at: r.get(13)?,
                        issued_at: r.get(14)?,
                        received_at: r.get(15)?,
                        updated_at: r.get(16)?,
                        published_at: r.get(17)?,
                        approvals: Vec::new(),
                        attachments: Vec::new(),
                        reasons: Vec::new(),
                        reason_at: None,
                    })
                },
            )
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        // The title of the first exported version names the item's folder for good.
        item.first_title = conn
            .query_row(
                "SELECT coalesce(
                    (SELECT v.title FROM revisions v WHERE v.item_id = e.item_id AND v.version >= e.version
                     ORDER BY v.version LIMIT 1),
                    (SELECT i.title FROM items i WHERE i.id = e.item_id))
                 FROM export_items e
                 WHERE e.item_id = ?1 AND e.kind = 'usable'
                 ORDER BY e.run_id LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        // Approval steps: those taken since the chain last restarted (return, resubmit, or an
        // edit that voided a verification).
        let restart: i64 = conn.query_row(
            "SELECT coalesce(max(seq), 0) FROM audit WHERE item_id = ?1
               AND (action IN ('return', 'resubmit') OR (action = 'edit' AND from_state = 'verified'))",
            [id],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare(
            "SELECT a.action, coalesce(u.name, a.actor), coalesce(u.role, ''), a.at FROM audit a
             LEFT JOIN users u ON u.login = a.actor
             WHERE a.item_id = ?1 AND a.seq > ?2
               AND (a.action LIKE 'advance:%' OR a.action LIKE 'verify:%' OR a.action LIKE 'approve:%'
                    OR a.action = 'opinion:agree')
             ORDER BY a.seq",
        )?;
        let rows = stmt.query_map(params![id, restart], |r| {
            let action: String = r.get(0)?;
            let step = match action.split_once(':') {
                Some(("opinion", _)) => "opinion".to_string(),
                Some((_, code)) => code.to_string(),
                None => action.clone(),
            };
            Ok(ExportApproval {
                step,
                by: r.get(1)?,
                role: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        for a in rows {
            item.approvals.push(a?);
        }
        let mut stmt = conn.prepare(
            "SELECT sha256, size, name, ext, mime FROM attachments WHERE item_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(ExportAttachment {
                sha256: r.get(0)?,
                size: r.get(1)?,
                name: r.get(2)?,
                ext: r.get(3)?,
                mime: r.get(4)?,
            })
        })?;
        for a in rows {
            item.attachments.push(a?);
        }
        // Why it was taken down or held: the reason codes of the latest withdraw (or other
        // state change), never its note.
        let last: Option<(String, String)> = conn
            .query_row(
                "SELECT reasons, at FROM audit WHERE item_id = ?1 AND action = 'withdraw'
                 ORDER BY seq DESC LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((reasons, at)) = last {
            item.reasons = serde_json::from_str(&reasons).unwrap_or_default();
            item.reason_at = Some(at);
        }
        Ok(item)
    }

    /// The newest export run (any status), for the bundle's time range.
    pub fn export_last_run(&self) -> Result<Option<ExportRun>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {RUN_COLS} FROM export_runs ORDER BY run_id DESC LIMIT 1"),
                [],
                row_to_run,
            )
            .optional()?)
    }

    /// The start time of the run before `run_id`, if any.
    pub fn export_previous_run(&self, run_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT started_at FROM export_runs WHERE run_id < ?1 ORDER BY run_id DESC LIMIT 1",
                [run_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn export_run(&self, run_id: &str) -> Result<Option<ExportRun>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {RUN_COLS} FROM export_runs WHERE run_id = ?1"),
                [run_id],
                row_to_run,
            )
            .optional()?)
    }

    /// Runs with the given status, oldest first.
    pub fn export_runs_with_status(&self, status: &str) -> Result<Vec<ExportRun>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RUN_COLS} FROM export_runs WHERE status = ?1 ORDER BY run_id"
        ))?;
        let rows = stmt.query_map([status], row_to_run)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The items a run carried, in id order.
    pub fn export_run_items(&self, run_id: &str) -> Result<Vec<ExportCandidate>> {
        let mut stmt = self.conn.prepare(
            "SELECT item_id, kind, version FROM export_items WHERE run_id = ?1 ORDER BY item_id",
        )?;
        let rows = stmt.query_map([run_id], |r| {
            let kind: String = r.get(1)?;
            Ok(ExportCandidate {
                item_id: r.get(0)?,
                kind: ExportKind::parse(&kind).unwrap_or(ExportKind::Usable),
                version: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The commit point of an export: in one `BEGIN IMMEDIATE` transaction, check that every item
    /// is still as it was read, publish the usable ones through the workflow (the actor's role
    /// must have `publish`), write the ledger (`staged`) and the audit rows. Either all of it
    /// happens or none. Returns the versions recorded per item (after publishing).
    pub fn export_commit(
        &mut self,
        ctx: &Ctx,
        run_id: &str,
        dir: &str,
        audit_head: &str,
        items: &[ExportCandidate],
    ) -> Result<Vec<ExportCandidate>> {
        let now = ctx.now_text();
        let actor = self.actor(&ctx.actor, &now)?;
        self.require_cap(&ctx.actor, crate::domain::profile::Capability::Publish)?;
        let profile = self.profile.clone();
        self.write(|tx| {
            let mut recorded = Vec::with_capacity(items.len());
            tx.execute(
                "INSERT INTO export_runs(run_id, started_at, dir, status, audit_head, items)
                 VALUES (?1, ?2, ?3, 'staged', ?4, ?5)",
                params![run_id, now, dir, audit_head, items.len() as i64],
            )?;
            for c in items {
                let (state, version, step, category, sensitive, opinion, assignee): (
                    String,
                    i64,
                    i64,
                    String,
                    bool,
                    Option<String>,
                    Option<String>,
                ) = tx
                    .query_row(
                        "SELECT state, version, step, category, sensitive, opinion, assignee FROM items WHERE id = ?1",
                        [c.item_id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
                    )
                    .optional()?
                    .ok_or(StoreError::NotFound(c.item_id))?;
                if version != c.version {
                    return Err(StoreError::Conflict {
                        id: c.item_id,
                        expected: c.version,
                        found: version,
                    });
                }
                let state = State::parse(&state).unwrap_or(State::Received);
                if c.kind != ExportKind::Usable {
                    tx.execute(
                        "INSERT INTO export_items(run_id, item_id, kind, version) VALUES (?1, ?2, ?3, ?4)",
                        params![run_id, c.item_id, c.kind.as_str(), version],
                    )?;
                    recorded.push(c.clone());
                    continue;
                }
                let facts = ItemFacts {
                    state,
                    step: step.max(0) as usize,
                    category,
                    sensitive,
                    opinion: opinion.as_deref().and_then(Opinion::parse),
                    escalated_from: None,
                    assignee,
                    editors: Vec::new(),
                    verifiers: Vec::new(),
                };
                let t = workflow::apply(&profile, &facts, &actor, &Action::Publish)?;
                let new_version = version + 1;
                let changed = tx.execute(
                    "UPDATE items SET version = ?2, state = ?3, last_actor = ?4, updated_at = ?5, published_at = ?5
                     WHERE id = ?1 AND version = ?6",
                    params![c.item_id, new_version, t.to.as_str(), ctx.actor, now, version],
                )?;
                if changed != 1 {
                    return Err(StoreError::Conflict {
                        id: c.item_id,
                        expected: version,
                        found: version + 1,
                    });
                }
                tx.execute(
                    "INSERT INTO export_items(run_id, item_id, kind, version) VALUES (?1, ?2, ?3, ?4)",
                    params![run_id, c.item_id, c.kind.as_str(), new_version],
                )?;
                append(
                    tx,
                    ctx,
                    AuditWrite {
                        item_id: Some(c.item_id),
                        action: "publish",
                        from_state: Some(t.from.as_str()),
                        to_state: Some(t.to.as_str()),
                        reasons: &[],
                        note: &format!("export {run_id}"),
                        version: Some(new_version),
                    },
                )?;
                recorded.push(ExportCandidate {
                    item_id: c.item_id,
                    kind: c.kind,
                    version: new_version,
                });
            }
            let usable = items.iter().filter(|c| c.kind == ExportKind::Usable).count();
            append(
                tx,
                ctx,
                AuditWrite {
                    item_id: None,
                    action: &format!("export:{run_id}"),
                    from_state: None,
                    to_state: None,
                    reasons: &[],
                    note: &format!(
                        "{} items ({usable} usable, {} takedowns/holds), audit head {audit_head}",
                        items.len(),
                        items.len() - usable
                    ),
                    version: None,
                },
            )?;
            Ok(recorded)
        })
    }

    /// After the bundle was renamed into place.
    pub fn export_mark_complete(&mut self, run_id: &str, at: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE export_runs SET status = 'complete', finished_at = ?2 WHERE run_id = ?1 AND status = 'staged'",
                params![run_id, at],
            )?;
            Ok(())
        })
    }

    /// Record a delivery attempt: `ok` marks the runs delivered; otherwise only the log grows.
    pub fn export_record_delivery(
        &mut self,
        run_ids: &[String],
        at: &str,
        ok: bool,
        log_line: &str,
    ) -> Result<()> {
        self.write(|tx| {
            for id in run_ids {
                if ok {
                    tx.execute(
                        "UPDATE export_runs SET status = 'delivered', delivered_at = ?2,
                            delivery_log = delivery_log || ?3 || char(10)
                         WHERE run_id = ?1 AND status = 'complete'",
                        params![id, at, log_line],
                    )?;
                } else {
                    tx.execute(
                        "UPDATE export_runs SET delivery_log = delivery_log || ?2 || char(10) WHERE run_id = ?1",
                        params![id, log_line],
                    )?;
                }
            }
            Ok(())
        })
    }
}
