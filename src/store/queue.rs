//! The console's queue: keyset paging over the indexes (never OFFSET, never all rows), bounded
//! counts, and leases (who has an item open).
//!
//! A page of a tab is read state by state: each state's query is an equality on `state` plus a
//! range on the sort key, which `items_state_due(state, due_at, id)` and
//! `items_state_received(state, received_at, id)` answer in index order; the per-state pages are
//! merged in memory and cut to the page size.

use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension};

use super::items::{row_to_row, ItemRow, SortKey, ROW_COLS};
use super::{Result, Store};
use crate::domain::item::State;

/// A SQL condition with its bound parameters (positional `?`). Built by the console's filter
/// compiler from fixed column names; user text only ever travels in `params`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Where {
    pub sql: String,
    pub params: Vec<Value>,
}

/// Where a page starts: the sort key of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Due order: `(due_at, id)`; items without a due time come last.
    Due(Option<String>, i64),
    /// Newest received first: `(received_at, id)`.
    Received(String, i64),
    /// Title order (case-insensitive): `(title, id)`.
    Title(String, i64),
}

impl Cursor {
    pub fn of(row: &ItemRow, sort: SortKey) -> Cursor {
        match sort {
            SortKey::Due => Cursor::Due(row.due_at.clone(), row.id),
            SortKey::Received => Cursor::Received(row.received_at.clone(), row.id),
            SortKey::Title => Cursor::Title(row.title.clone(), row.id),
        }
    }
}

/// Which page: forward after a cursor (None: from the start) or backward before one (None: the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageDir {
    After(Option<Cursor>),
    Before(Option<Cursor>),
}

/// One indexed part of a tab: a state (None: all items) and the condition that applies in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub state: Option<State>,
    pub filter: Option<Where>,
}

/// One page request.
#[derive(Debug, Clone)]
pub struct PageQuery {
    /// The parts of the tab, each read with its own indexed query.
    pub parts: Vec<Part>,
    pub sort: SortKey,
    pub dir: PageDir,
    pub limit: usize,
}

/// A page of rows in display order, and whether more rows exist beyond each end.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub rows: Vec<ItemRow>,
    pub more_before: bool,
    pub more_after: bool,
}

/// Result of asking for a lease on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lease {
    /// The caller holds it until the given time.
    Held { until: String },
    /// Someone else has the item open until the given time.
    Other { login: String, until: String },
}

/// Total order of rows in display order for a sort key.
fn cmp_rows(a: &ItemRow, b: &ItemRow, sort: SortKey) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match sort {
        SortKey::Due => match (&a.due_at, &b.due_at) {
            (Some(x), Some(y)) => x.cmp(y).then(a.id.cmp(&b.id)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.id.cmp(&b.id),
        },
        SortKey::Received => b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)),
        SortKey::Title => a
            .title
            .to_ascii_lowercase()
            .cmp(&b.title.to_ascii_lowercase())
            .then(a.id.cmp(&b.id)),
    }
}

struct Seg {
    cond: String,
    params: Vec<Value>,
    order: &'static str,
}

impl Store {
    fn run_seg(
        &self,
        state: Option<State>,
        filter: Option<&Where>,
        seg: &Seg,
        limit: usize,
    ) -> Result<Vec<ItemRow>> {
        let mut sql = format!("SELECT {ROW_COLS} FROM items WHERE 1=1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(s) = state {
            sql.push_str(" AND state = ?");
            args.push(Value::Text(s.as_str().into()));
        }
        if !seg.cond.is_empty() {
            sql.push_str(" AND ");
            sql.push_str(&seg.cond);
            args.extend(seg.params.iter().cloned());
        }
        if let Some(w) = filter.filter(|w| !w.sql.is_empty()) {
            sql.push_str(" AND (");
            sql.push_str(&w.sql);
            sql.push(')');
            args.extend(w.params.iter().cloned());
        }
        sql.push_str(" ORDER BY ");
        sql.push_str(seg.order);
        sql.push_str(" LIMIT ?");
        args.push(Value::Integer(limit as i64));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), row_to_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Segments (in query order) for one direction: each is an index range.
    fn segments(sort: SortKey, dir: &PageDir) -> Vec<Seg> {
        let t = |s: &str| Value::Text(s.to_string());
        let seg = |cond: &str, params: Vec<Value>, order: &'static str| Seg {
            cond: cond.to_string(),
            params,
            order,
        };
        const DUE_ASC: &str = "due_at, id";
        const DUE_DESC: &str = "due_at DESC, id DESC";
        const NULL_ASC: &str = "id";
        const NULL_DESC: &str = "id DESC";
        match (sort, dir) {
            (SortKey::Due, PageDir::After(None)) => vec![
                seg("due_at IS NOT NULL", vec![], DUE_ASC),
                seg("due_at IS NULL", vec![], NULL_ASC),
            ],
            (SortKey::Due, PageDir::After(Some(Cursor::Due(Some(d), id)))) => vec![
                seg(
                    "due_at IS NOT NULL AND (due_at, id) > (?, ?)",
                    vec![t(d), Value::Integer(*id)],
                    DUE_ASC,
                ),
                seg("due_at IS NULL", vec![], NULL_ASC),
            ],
            (SortKey::Due, PageDir::After(Some(Cursor::Due(None, id)))) => vec![seg(
                "due_at IS NULL AND id > ?",
                vec![Value::Integer(*id)],
                NULL_ASC,
            )],
            (SortKey::Due, PageDir::Before(None)) => vec![
                seg("due_at IS NULL", vec![], NULL_DESC),
                seg("due_at IS NOT NULL", vec![], DUE_DESC),
            ],
            (SortKey::Due, PageDir::Before(Some(Cursor::Due(None, id)))) => vec![
                seg(
                    "due_at IS NULL AND id < ?",
                    vec![Value::Integer(*id)],
                    NULL_DESC,
                ),
                seg("due_at IS NOT NULL", vec![], DUE_DESC),
            ],
            (SortKey::Due, PageDir::Before(Some(Cursor::Due(Some(d), id)))) => vec![seg(
                "due_at IS NOT NULL AND (due_at, id) < (?, ?)",
                vec![t(d), Value::Integer(*id)],
                DUE_DESC,
            )],
            (SortKey::Received, PageDir::After(c)) => match c {
                Some(Cursor::Received(r, id)) => vec![seg(
                    "(received_at, id) < (?, ?)",
                    vec![t(r), Value::Integer(*id)],
                    "received_at DESC, id DESC",
                )],
                _ => vec![seg("", vec![], "received_at DESC, id DESC")],
            },
            (SortKey::Received, PageDir::Before(c)) => match c {
                Some(Cursor::Received(r, id)) => vec![seg(
                    "(received_at, id) > (?, ?)",
                    vec![t(r), Value::Integer(*id)],
                    "received_at, id",
                )],
                _ => vec![seg("", vec![], "received_at, id")],
            },
            (SortKey::Title, PageDir::After(c)) => match c {
                Some(Cursor::Title(s, id)) => vec![seg(
                    "(lower(title), id) > (lower(?), ?)",
                    vec![t(s), Value::Integer(*id)],
                    "lower(title), id",
                )],
                _ => vec![seg("", vec![], "lower(title), id")],
            },
            (SortKey::Title, PageDir::Before(c)) => match c {
                Some(Cursor::Title(s, id)) => vec![seg(
                    "(lower(title), id) < (lower(?), ?)",
                    vec![t(s), Value::Integer(*id)],
                    "lower(title) DESC, id DESC",
                )],
                _ => vec![seg("", vec![], "lower(title) DESC, id DESC")],
            },
            // A cursor of another sort: start over.
            (s, PageDir::After(_)) => Self::segments(s, &PageDir::After(None)),
            (s, PageDir::Before(_)) => Self::segments(s, &PageDir::Before(None)),
        }
    }

    /// One page of a tab, read with keyset conditions on the indexes (one query per state and
    /// segment, each `LIMIT limit + 1`). Never reads more than `(limit + 1) × states × 2` rows.
    pub fn list_page(&self, q: &PageQuery) -> Result<Page> {
        let limit = q.limit.max(1);
        let backward = matches!(q.dir, PageDir::Before(_));
        let segs = Self::segments(q.sort, &q.dir);
        let mut all: Vec<ItemRow> = Vec::new();
        for part in &q.parts {
            let mut got = 0usize;
            for seg in &segs {
                if got > limit {
                    break;
                }
                let rows = self.run_seg(part.state, part.filter.as_ref(), seg, limit + 1 - got)?;
                got += rows.len();
                all.extend(rows);
            }
        }
        all.sort_by(|a, b| cmp_rows(a, b, q.sort));
        // Parts of one state may overlap (alternatives of a condition): keep each row once.
        all.dedup_by_key(|r| r.id);
        let more = all.len() > limit;
        if backward {
            // `all` is in display order; the page is its last `limit` rows.
            let start = all.len().saturating_sub(limit);
            let rows = all.split_off(start);
            Ok(Page {
                rows,
                more_before: more,
                more_after: matches!(q.dir, PageDir::Before(Some(_))),
            })
        } else {
            all.truncate(limit);
            Ok(Page {
                rows: all,
                more_before: matches!(q.dir, PageDir::After(Some(_))),
                more_after: more,
            })
        }
    }

    /// How many items match, counted up to `cap` (the queue shows "cap+" beyond).
    pub fn count_capped(&self, parts: &[Part], cap: usize) -> Result<i64> {
        let mut total = 0i64;
        for part in parts {
            let (st, filter) = (part.state, part.filter.as_ref());
            let mut sql = String::from("SELECT count(*) FROM (SELECT 1 FROM items WHERE 1=1");
            let mut args: Vec<Value> = Vec::new();
            if let Some(s) = st {
                sql.push_str(" AND state = ?");
                args.push(Value::Text(s.as_str().into()));
            }
            if let Some(w) = filter.filter(|w| !w.sql.is_empty()) {
                sql.push_str(" AND (");
                sql.push_str(&w.sql);
                sql.push(')');
                args.extend(w.params.iter().cloned());
            }
            sql.push_str(" LIMIT ?)");
            args.push(Value::Integer(cap as i64 + 1));
            let n: i64 = self
                .conn
                .prepare_cached(&sql)?
                .query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
            total += n;
        }
        Ok(total)
    }

    /// Ids of items matching a condition (for tagging by pattern), at most `limit`.
    pub fn ids_matching(&self, filter: &Where, limit: usize) -> Result<Vec<i64>> {
        let sql = format!(
            "SELECT id FROM items WHERE ({}) ORDER BY id LIMIT ?",
            filter.sql
        );
        let mut args = filter.params.clone();
        args.push(Value::Integer(limit as i64));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Take (or renew) the lease on an item for `login` until `until`. Someone else's live lease
    /// is kept unless `take_over`.
    pub fn lease_acquire(
        &mut self,
        item: i64,
        login: &str,
        now: &str,
        until: &str,
        take_over: bool,
    ) -> Result<Lease> {
        self.write(|tx| {
            let cur: Option<(String, String)> = tx
                .query_row(
                    "SELECT login, expires_at FROM leases WHERE item_id = ?1",
                    [item],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((holder, exp)) = cur {
                if holder != login && exp.as_str() > now && !take_over {
                    return Ok(Lease::Other {
                        login: holder,
                        until: exp,
                    });
                }
            }
            tx.execute(
                "INSERT INTO leases(item_id, login, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(item_id) DO UPDATE SET login = excluded.login, expires_at = excluded.expires_at",
                params![item, login, until],
            )?;
            Ok(Lease::Held {
                until: until.to_string(),
            })
        })
    }

    /// Give the lease back (only one's own).
    pub fn lease_release(&mut self, item: i64, login: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM leases WHERE item_id = ?1 AND login = ?2",
                params![item, login],
            )?;
            Ok(())
        })
    }

    /// The intake checks of an item, failed first. (`Store::checks` orders by `rowid`, which the
    /// WITHOUT ROWID `checks` table does not have; this is the console's reader.)
    pub fn item_checks(&self, id: i64) -> Result<Vec<super::CheckResult>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT code, status, article, detail FROM checks WHERE item_id = ?1
             ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 WHEN 'pass' THEN 2 ELSE 3 END, code",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(super::CheckResult {
                code: r.get(0)?,
                status: r.get(1)?,
                article: r.get(2)?,
                detail: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Who holds a live lease on an item, if anyone.
    pub fn lease_holder(&self, item: i64, now: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT login, expires_at FROM leases WHERE item_id = ?1 AND expires_at > ?2",
                params![item, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
