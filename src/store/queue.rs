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
    /// Search results, newest first: the item id.
    Id(i64),
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
    /// The filter is answered by an index walk in queue order (`assignee IS ?`, `step = ?`):
    /// no scan window is needed.
    pub indexed: bool,
    /// Folded title words (space-separated) that every row of the filter has (a `~s` the
    /// filter requires). When few titles have them (at most `title_ids_cap()`), the part is read
    /// from those titles' ids (`titles_fts`) instead of walking the index with a scan window.
    pub title: Option<String>,
}

impl Part {
    /// The scan window for this part's filter (None: no filter, or an indexed one).
    fn window(&self) -> Option<usize> {
        (self.filter.as_ref().is_some_and(|w| !w.sql.is_empty()) && !self.indexed)
            .then_some(SCAN_WINDOW)
    }
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
    /// Set when a filter that no index answers stopped at its scan window before filling the
    /// page: the next page (in the same direction) continues from here, not from the last row.
    pub resume: Option<Cursor>,
}

/// How many index entries one filtered part reads for one page before it stops and says
/// "more…" (a condition that no index answers, e.g. `~s` or `~u`, is checked row by row).
pub const SCAN_WINDOW: usize = 2000;

/// Default of `title_ids_cap`.
pub const TITLE_IDS_CAP: usize = 1000;

/// Up to how many titles with a `~s` part's words its index walk checks each entry against
/// those titles' ids (an in-memory set: a fraction of a microsecond an entry) and fetches
/// only the rows in the set, so that the walk can look at `TITLE_SET_WINDOW` entries a page.
/// Beyond it the words are common (over 1.5 % of items at a million): the plain walk fills
/// its page in a short stretch of the index, and building the set would cost more than it
/// saves.
pub const TITLE_SET_CAP: usize = 15_000;

/// At most how many index entries a part's walk looks at for one page when it checks them
/// against the set of titles with the words (see `TITLE_SET_CAP`; fewer for commoner words:
/// about four pages' worth at their density).
pub const TITLE_SET_WINDOW: usize = 20_000;

static TITLE_CAP: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(TITLE_IDS_CAP);

/// Up to how many titles with a `~s` part's words the part is read by id (fetched, checked
/// and sorted: a few milliseconds) instead of an index walk.
pub fn title_ids_cap() -> usize {
    TITLE_CAP.load(std::sync::atomic::Ordering::Relaxed)
}

static SET_CAP: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(TITLE_SET_CAP);

/// Up to how many titles with a `~s` part's words the walk checks entries against their set
/// (default `TITLE_SET_CAP`).
pub fn title_set_cap() -> usize {
    SET_CAP.load(std::sync::atomic::Ordering::Relaxed)
}

/// Change `title_ids_cap` and `title_set_cap` (tests: the rows are the same with every plan,
/// only the plan changes).
pub fn set_title_caps(ids: usize, set: usize) {
    TITLE_CAP.store(ids, std::sync::atomic::Ordering::Relaxed);
    SET_CAP.store(set, std::sync::atomic::Ordering::Relaxed);
}

/// Result of asking for a lease on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lease {
    /// The caller holds it until the given time.
    Held { until: String },
    /// Someone else has the item open until the given time.
    Other { login: String, until: String },
}

/// Where items without a due time sort (after every real date): the same expression as the
/// indexes `items_state_due`, `items_due`.
const NO_DUE: &str = "9999";
const DUE_KEY: &str = "coalesce(due_at, '9999')";

/// The sort key of a row as (text, id), compared in index order (ascending).
fn key_of(row: &ItemRow, sort: SortKey) -> (String, i64) {
    match sort {
        SortKey::Due => (
            row.due_at.clone().unwrap_or_else(|| NO_DUE.to_string()),
            row.id,
        ),
        SortKey::Received => (row.received_at.clone(), row.id),
        SortKey::Title => (row.title.to_ascii_lowercase(), row.id),
    }
}

fn key_of_cursor(c: &Cursor) -> (String, i64) {
    match c {
        Cursor::Due(d, id) => (d.clone().unwrap_or_else(|| NO_DUE.to_string()), *id),
        Cursor::Received(r, id) => (r.clone(), *id),
        Cursor::Title(t, id) => (t.to_ascii_lowercase(), *id),
        Cursor::Id(id) => (String::new(), *id),
    }
}

fn cursor_from_key(sort: SortKey, k: String, id: i64) -> Cursor {
    match sort {
        SortKey::Due => Cursor::Due((k != NO_DUE).then_some(k), id),
        SortKey::Received => Cursor::Received(k, id),
        SortKey::Title => Cursor::Title(k, id),
    }
}

/// Display order: soonest due, newest received, or title; the index order reversed for
/// "newest received first".
fn display_desc(sort: SortKey) -> bool {
    matches!(sort, SortKey::Received)
}

/// Total order of rows in display order for a sort key.
fn cmp_rows(a: &ItemRow, b: &ItemRow, sort: SortKey) -> std::cmp::Ordering {
    let o = key_of(a, sort).cmp(&key_of(b, sort));
    if display_desc(sort) {
        o.reverse()
    } else {
        o
    }
}

/// How a part with a `~s` is read (see `Part::title`).
#[derive(Debug, Clone, PartialEq)]
enum TitlePlan {
    /// The index walk, each row checked (common words, or no `~s`).
    Walk,
    /// The rows of the titles with the words, by id (`titles_fts` query), sorted in memory.
    ById(String),
    /// The index walk, each entry first checked against the ids of the titles with the words:
    /// the connection's cached set `temp.bt_title_set` when it holds them (`true`), else a set
    /// built from the `titles_fts` query by each statement.
    InSet(String, bool),
}

/// What the parts of one page share while their plans are chosen.
struct PlanCtx {
    /// Titles with each part's words, counted once a page (None: more than the caps).
    hits: Vec<(String, Option<usize>)>,
    /// The words whose ids `temp.bt_title_set` holds for this page.
    cached: Option<String>,
    /// All items (from the kept state counts), read once a page when needed.
    total: Option<i64>,
    limit: usize,
}

impl PlanCtx {
    fn new(limit: usize) -> PlanCtx {
        PlanCtx {
            hits: Vec::new(),
            cached: None,
            total: None,
            limit,
        }
    }
}

/// One page walk over an index: the range condition (after or before the cursor, in index
/// order), its parameters, and the ORDER BY that the index answers.
struct Walk {
    cond: String,
    params: Vec<Value>,
    order: String,
    /// The sort key expression (to read the scan window's last key).
    key: &'static str,
    /// The walk goes up the index.
    up: bool,
}

impl Walk {
    fn new(sort: SortKey, dir: &PageDir) -> Walk {
        let key: &'static str = match sort {
            SortKey::Due => DUE_KEY,
            SortKey::Received => "received_at",
            SortKey::Title => "title COLLATE NOCASE",
        };
        // Walking forward in display order is walking the index up, except for the descending
        // display of "newest received first".
        let (cursor, display_forward) = match dir {
            PageDir::After(c) => (c.as_ref(), true),
            PageDir::Before(c) => (c.as_ref(), false),
        };
        let up = display_forward != display_desc(sort);
        let cursor = cursor.filter(|c| {
            matches!(
                (c, sort),
                (Cursor::Due(..), SortKey::Due)
                    | (Cursor::Received(..), SortKey::Received)
                    | (Cursor::Title(..), SortKey::Title)
            )
        });
        let order = if up {
            format!("{key}, id")
        } else {
            format!("{key} DESC, id DESC")
        };
        let (cond, params) = match cursor {
            None => (String::new(), vec![]),
            Some(c) => {
                let (k, id) = key_of_cursor(c);
                let (ge, gt, idc) = if up {
                    (">=", ">", ">")
                } else {
                    ("<=", "<", "<")
                };
                // `key >= ? AND (key > ? OR id > ?)`: the first term is the index range (a row
                // value `(key, id) > (?, ?)` is not used as a range on an expression index).
                (
                    format!("{key} {ge} ?1 AND ({key} {gt} ?1 OR id {idc} ?2)"),
                    vec![Value::Text(k), Value::Integer(id)],
                )
            }
        };
        Walk {
            cond,
            params,
            order,
            key,
            up,
        }
    }
}

/// The index that answers a walk's ORDER BY (with `state = ?` or without), named so that
/// SQLite never trades it for another: with `ANALYZE` statistics it chose a skip-scan of
/// `items_category` plus a sort for a scan window's end (180 ms instead of 0.2 ms at a million
/// items).
fn sort_index(state: bool, key: &str) -> Option<&'static str> {
    match (state, key) {
        (true, DUE_KEY) => Some("items_state_due"),
        (true, "received_at") => Some("items_state_received"),
        (true, "title COLLATE NOCASE") => Some("items_state_title"),
        (false, DUE_KEY) => Some("items_due"),
        (false, "received_at") => Some("items_received"),
        _ => None,
    }
}

/// `items`, with the walk's index named when the part's condition is not answered by an
/// index of its own.
fn walk_from(state: bool, key: &str, own_index: bool) -> String {
    match sort_index(state, key) {
        Some(i) if !own_index => format!("items INDEXED BY {i}"),
        _ => "items".to_string(),
    }
}

impl Store {
    /// The SQL of one part's walk: `(sql, params)`. With `end` (the last entry of the part's
    /// scan window, from `window_end`), the walk stops there: the range is bounded on both
    /// sides, so the index answers the ORDER BY and rows are read only until the page is full.
    fn walk_sql(
        state: Option<State>,
        filter: Option<&Where>,
        walk: &Walk,
        end: Option<&(String, i64)>,
        limit: usize,
        title: &TitlePlan,
        own_index: bool,
    ) -> (String, Vec<Value>) {
        let mut range = String::from("1=1");
        let mut args: Vec<Value> = walk.params.clone();
        let mut from = walk_from(state.is_some(), walk.key, own_index);
        match title {
            TitlePlan::Walk => {}
            TitlePlan::ById(q) => {
                // The few rows whose titles have the words, by rowid (NOT INDEXED: never the
                // index walk), sorted in memory; the filter still checks each of them.
                args.push(Value::Text(q.to_string()));
                range.push_str(&format!(
                    " AND id IN (SELECT rowid FROM titles_fts WHERE titles_fts MATCH ?{})",
                    args.len()
                ));
                from = "items NOT INDEXED".to_string();
            }
            TitlePlan::InSet(_, true) => {
                // Each index entry is checked against the cached set of titles with the words
                // (a rowid table: no set to build) before its row is read (`+id`: never a
                // lookup by id).
                range.push_str(" AND +id IN (SELECT id FROM temp.bt_title_set)");
            }
            TitlePlan::InSet(q, false) => {
                // The same with a set SQLite builds from the title index for this statement.
                args.push(Value::Text(q.to_string()));
                range.push_str(&format!(
                    " AND +id IN (SELECT rowid FROM titles_fts WHERE titles_fts MATCH ?{})",
                    args.len()
                ));
            }
        }
        if let Some(s) = state {
            args.push(Value::Text(s.as_str().into()));
            range.push_str(&format!(" AND state = ?{}", args.len()));
        }
        if !walk.cond.is_empty() {
            range.push_str(" AND ");
            range.push_str(&walk.cond);
        }
        if let Some((k, id)) = end {
            args.push(Value::Text(k.clone()));
            let kn = args.len();
            args.push(Value::Integer(*id));
            let idn = args.len();
            let (le, lt, idc) = if walk.up {
                ("<=", "<", "<=")
            } else {
                (">=", ">", ">=")
            };
            range.push_str(&format!(
                " AND {key} {le} ?{kn} AND ({key} {lt} ?{kn} OR id {idc} ?{idn})",
                key = walk.key
            ));
        }
        // Filter parameters are positional `?`: number them after ours.
        let f = filter
            .filter(|w| !w.sql.is_empty())
            .map(|w| {
                let mut out = String::new();
                let mut n = args.len();
                for ch in w.sql.chars() {
                    if ch == '?' {
                        n += 1;
                        out.push_str(&format!("?{n}"));
                    } else {
                        out.push(ch);
                    }
                }
                args.extend(w.params.iter().cloned());
                format!(" AND ({out})")
            })
            .unwrap_or_default();
        args.push(Value::Integer(limit as i64));
        let l = args.len();
        let sql = format!(
            "SELECT {ROW_COLS} FROM {from} WHERE {range}{f} ORDER BY {o} LIMIT ?{l}",
            o = walk.order
        );
        (sql, args)
    }

    /// The SQL of [`Store::window_end`].
    fn window_end_sql(state: Option<State>, walk: &Walk, window: usize) -> (String, Vec<Value>) {
        let mut range = String::from("1=1");
        let mut args: Vec<Value> = walk.params.clone();
        if let Some(s) = state {
            args.push(Value::Text(s.as_str().into()));
            range.push_str(&format!(" AND state = ?{}", args.len()));
        }
        if !walk.cond.is_empty() {
            range.push_str(" AND ");
            range.push_str(&walk.cond);
        }
        args.push(Value::Integer(window as i64 - 1));
        let sql = format!(
            "SELECT {k}, id FROM {from} WHERE {range} ORDER BY {o} LIMIT 1 OFFSET ?{n}",
            k = walk.key,
            from = walk_from(state.is_some(), walk.key, false),
            o = walk.order,
            n = args.len()
        );
        (sql, args)
    }

    /// The last index entry of a part's scan window, if the window is full (else the window
    /// reached the end of the part).
    fn window_end(
        &self,
        state: Option<State>,
        walk: &Walk,
        window: usize,
    ) -> Result<Option<(String, i64)>> {
        let (sql, args) = Self::window_end_sql(state, walk, window);
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(args), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .optional()?
            // Keys compare as `key_of` makes them: titles ASCII-lowercased (NOCASE order).
            .map(|(k, id)| {
                if walk.key.starts_with("title") {
                    (k.to_ascii_lowercase(), id)
                } else {
                    (k, id)
                }
            }))
    }

    /// How a part is read, from how many titles have its `~s` words (counted once a page
    /// for each set of words: `hits`), and the scan window of its walk.
    fn title_plan(&self, part: &Part, pc: &mut PlanCtx) -> Result<(TitlePlan, Option<usize>)> {
        let PlanCtx {
            hits,
            cached,
            total,
            limit,
        } = pc;
        let window = part.window();
        let Some(words) = part.title.as_deref() else {
            return Ok((TitlePlan::Walk, window));
        };
        let Some(q) = super::search::title_fts_query(words) else {
            return Ok((TitlePlan::Walk, window));
        };
        if part.filter.as_ref().is_none_or(|w| w.sql.is_empty()) {
            return Ok((TitlePlan::Walk, window));
        }
        let n = match hits.iter().find(|(w, _)| w == words) {
            Some((_, n)) => *n,
            None => {
                let n = self.title_hits_capped(words, title_set_cap().max(title_ids_cap()))?;
                hits.push((words.to_string(), n));
                n
            }
        };
        Ok(match n {
            Some(n) if n <= title_ids_cap() => (TitlePlan::ById(q), None),
            Some(_) => {
                // One set of words a page uses the connection's cached set (the others, in a
                // rare `~s a | ~s b`, have their sets built by their statements).
                let use_cache = match cached {
                    Some(c) => *c == q,
                    None => {
                        let ok = self.cache_title_set(&q).unwrap_or(false);
                        if ok {
                            *cached = Some(q.clone());
                        }
                        ok
                    }
                };
                // The window: about four pages' worth of entries at the words' density over
                // all items (fewer entries to step over for commoner words), within
                // SCAN_WINDOW..=TITLE_SET_WINDOW.
                let all = match total {
                    Some(t) => *t,
                    None => {
                        let t: i64 = self.counts()?.iter().map(|(_, n)| n).sum();
                        *total = Some(t);
                        t
                    }
                };
                let n = n.unwrap_or(1).max(1) as u64;
                let want = (4 * (*limit as u64 + 1) * all.max(0) as u64 / n) as usize;
                let w = want.clamp(SCAN_WINDOW, TITLE_SET_WINDOW);
                (TitlePlan::InSet(q, use_cache), window.map(|_| w))
            }
            None => (TitlePlan::Walk, window),
        })
    }

    /// Make `temp.bt_title_set` hold the ids of the titles matching `q` (a `titles_fts`
    /// query). The set is kept for the next pages: it is rebuilt only when the words change or
    /// the database has changed since (`data_version`: another connection committed;
    /// `total_changes()`: this one wrote). False when the connection cannot keep it.
    fn cache_title_set(&self, q: &str) -> Result<bool> {
        let c = &self.conn;
        c.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS bt_title_set(id INTEGER PRIMARY KEY); \
             CREATE TEMP TABLE IF NOT EXISTS bt_title_set_key(q TEXT NOT NULL, dv INTEGER NOT NULL, tc INTEGER NOT NULL);",
        )?;
        let now: (i64, i64) = c
            .prepare_cached(
                "SELECT (SELECT data_version FROM pragma_data_version()), total_changes()",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let key: Option<(String, i64, i64)> = c
            .prepare_cached("SELECT q, dv, tc FROM temp.bt_title_set_key")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if key
            .as_ref()
            .is_some_and(|(kq, dv, tc)| kq == q && (*dv, *tc) == now)
        {
            return Ok(true);
        }
        c.prepare_cached("DELETE FROM temp.bt_title_set")?
            .execute([])?;
        c.prepare_cached(
            "INSERT INTO temp.bt_title_set(id) SELECT rowid FROM titles_fts WHERE titles_fts MATCH ?1",
        )?
        .execute([q])?;
        c.prepare_cached("DELETE FROM temp.bt_title_set_key")?
            .execute([])?;
        // The key row's own insert counts in total_changes(): store the count after it.
        let tc: i64 = c
            .prepare_cached("SELECT total_changes()")?
            .query_row([], |r| r.get(0))?;
        c.prepare_cached("INSERT INTO temp.bt_title_set_key(q, dv, tc) VALUES (?1, ?2, ?3)")?
            .execute(params![q, now.0, tc + 1])?;
        Ok(true)
    }

    /// The SQL statements `list_page` runs for a query (for `EXPLAIN QUERY PLAN` in the bench).
    pub fn page_sql(&self, q: &PageQuery) -> Result<Vec<(String, Vec<Value>)>> {
        let walk = Walk::new(q.sort, &q.dir);
        let mut out = Vec::new();
        let mut pc = PlanCtx::new(q.limit);
        for p in &q.parts {
            let (plan, window) = self.title_plan(p, &mut pc)?;
            let end = match window {
                Some(w) => {
                    // The scan window's end is a statement of the page too.
                    out.push(Self::window_end_sql(p.state, &walk, w));
                    self.window_end(p.state, &walk, w)?
                }
                None => None,
            };
            out.push(Self::walk_sql(
                p.state,
                p.filter.as_ref(),
                &walk,
                end.as_ref(),
                q.limit + 1,
                &plan,
                p.indexed,
            ));
        }
        Ok(out)
    }

    /// One page of a tab, read with keyset conditions on the indexes (one query per part, each
    /// an index walk with `LIMIT limit + 1`). A part with a condition looks at most
    /// `SCAN_WINDOW` index entries; when that window ends before the page is full, the page
    /// stops there and `resume` says where the next one starts. Never OFFSET over the data,
    /// never all rows.
    pub fn list_page(&self, q: &PageQuery) -> Result<Page> {
        let limit = q.limit.max(1);
        let backward = matches!(q.dir, PageDir::Before(_));
        let walk = Walk::new(q.sort, &q.dir);
        let up = backward == display_desc(q.sort);
        let mut all: Vec<ItemRow> = Vec::new();
        // The nearest scan-window end over the parts (in walk direction).
        let mut stop: Option<(String, i64)> = None;
        let mut pc = PlanCtx::new(limit);
        for part in &q.parts {
            let (plan, window) = self.title_plan(part, &mut pc)?;
            // A part with a scan window reads its walk up to the window's last entry.
            let end = match window {
                Some(w) => self.window_end(part.state, &walk, w)?,
                None => None,
            };
            let (sql, args) = Self::walk_sql(
                part.state,
                part.filter.as_ref(),
                &walk,
                end.as_ref(),
                limit + 1,
                &plan,
                part.indexed,
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args), row_to_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if let Some(end) = end {
                if rows.len() <= limit {
                    let nearer = match &stop {
                        None => true,
                        Some(s) => (up && end < *s) || (!up && end > *s),
                    };
                    if nearer {
                        stop = Some(end);
                    }
                }
            }
            all.extend(rows);
        }
        if let Some(s) = &stop {
            // Rows past the nearest window end may skip rows of a part not yet scanned there:
            // they come with the next page.
            all.retain(|r| {
                let k = key_of(r, q.sort);
                if up {
                    k <= *s
                } else {
                    k >= *s
                }
            });
        }
        all.sort_by(|a, b| cmp_rows(a, b, q.sort));
        // Parts of one state may overlap (alternatives of a condition): keep each row once.
        all.dedup_by_key(|r| r.id);
        let more = all.len() > limit;
        let resume = if more {
            None
        } else {
            stop.map(|(k, id)| cursor_from_key(q.sort, k, id))
        };
        let beyond = more || resume.is_some();
        if backward {
            // `all` is in display order; the page is its last `limit` rows.
            let start = all.len().saturating_sub(limit);
            let rows = all.split_off(start);
            Ok(Page {
                rows,
                more_before: beyond,
                more_after: matches!(q.dir, PageDir::Before(Some(_))),
                resume,
            })
        } else {
            all.truncate(limit);
            Ok(Page {
                rows: all,
                more_before: matches!(q.dir, PageDir::After(Some(_))),
                more_after: beyond,
                resume,
            })
        }
    }

    /// A page of search results (`fts_query` syntax), newest first, paged by id: each page is
    /// one FTS5 walk in rowid order with a LIMIT.
    pub fn search_page(&self, query: &str, dir: &PageDir, limit: usize) -> Result<Page> {
        let Some(q) = super::fts_query(query) else {
            return Ok(Page::default());
        };
        let limit = limit.max(1);
        let id_of = |c: &Option<Cursor>| match c {
            Some(Cursor::Id(id)) => Some(*id),
            _ => None,
        };
        // Display order is newest (highest id) first.
        let (cond, order, backward, cursor) = match dir {
            PageDir::After(c) => ("rowid < ?2", "DESC", false, id_of(c)),
            PageDir::Before(c) => ("rowid > ?2", "ASC", true, id_of(c)),
        };
        let sql = format!(
            "SELECT {ROW_COLS} FROM items WHERE id IN (SELECT rowid FROM items_fts \
             WHERE items_fts MATCH ?1 AND {cond} ORDER BY rowid {order} LIMIT ?3) \
             ORDER BY id DESC"
        );
        let bound = cursor.unwrap_or(if backward { i64::MIN } else { i64::MAX });
        let mut rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![q, bound, limit as i64 + 1], row_to_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let more = rows.len() > limit;
        if backward {
            let start = rows.len().saturating_sub(limit);
            rows.drain(..start);
        } else {
            rows.truncate(limit);
        }
        Ok(Page {
            rows,
            more_before: if backward { more } else { cursor.is_some() },
            more_after: if backward { cursor.is_some() } else { more },
            resume: None,
        })
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

    /// How many items match a condition, counted up to `cap + 1` (more than `cap`: beyond).
    pub fn count_matching(&self, filter: &Where, cap: usize) -> Result<i64> {
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM items WHERE ({}) LIMIT ?)",
            filter.sql
        );
        let mut args = filter.params.clone();
        args.push(Value::Integer(cap as i64 + 1));
        Ok(self
            .conn
            .prepare(&sql)?
            .query_row(rusqlite::params_from_iter(args), |r| r.get(0))?)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn slow_counts(s: &Store) -> Vec<(String, i64)> {
        let mut st = s
            .conn()
            .prepare("SELECT state, count(*) FROM items GROUP BY state ORDER BY state")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
    }

    fn kept_counts(s: &Store) -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = s
            .counts()
            .unwrap()
            .into_iter()
            .map(|(st, n)| (st.as_str().to_string(), n))
            .collect();
        v.sort();
        v
    }

    /// With `ANALYZE` statistics (a board that runs `sqlite3 … ANALYZE`, or the bench
    /// database), every statement of a page — the scan window's end included — still walks
    /// the sort index: no sort of a whole state, no scan of `items`.
    /// A demo database of `items` items (the demo takes decisions through the store).
    fn demo_store(dir: &std::path::Path, items: usize) -> (std::path::PathBuf, Store) {
        let path = dir.join("b.db");
        let text = crate::profile::bundled_text("stp-binh-phuoc").unwrap();
        let p = crate::profile::parse("stp-binh-phuoc.toml", text).unwrap();
        let role = p.admin_role().unwrap().code.clone();
        let now = crate::store::parse_ts("2026-11-20T03:00:00Z").unwrap();
        crate::demo::generate(&path, &p, text, "thuky", &role, items, 7, now).unwrap();
        let s = Store::open(&path).unwrap();
        (path, s)
    }

    #[test]
    fn pages_walk_the_sort_index_with_analyze_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let (path, s) = demo_store(dir.path(), 60);
        // The statistics `ANALYZE` gives at a million items (the bench database), written
        // over this small one's, as SQLite's documentation suggests for planning tests.
        s.conn()
            .execute_batch(
                "ANALYZE;
                 DELETE FROM sqlite_stat1 WHERE tbl = 'items';
                 DELETE FROM sqlite_stat4 WHERE tbl = 'items';
                 INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES
                   ('items', 'items_assignee_due', '1000000 25000 4202 1 1'),
                   ('items', 'items_category', '1000000 58824 6536 1 1'),
                   ('items', 'items_digest', '1000000 1'),
                   ('items', 'items_due', '1000000 1 1'),
                   ('items', 'items_message', '1000000 1000000'),
                   ('items', 'items_published', '1000000 2'),
                   ('items', 'items_received', '1000000 1 1'),
                   ('items', 'items_state_due', '1000000 111112 1 1'),
                   ('items', 'items_state_received', '1000000 111112 1 1'),
                   ('items', 'items_state_step_due', '1000000 111112 111112 1 1'),
                   ('items', 'items_state_title', '1000000 111112 9 1'),
                   ('items', 'items_unit', '1000000 83334 9260 1 1');",
            )
            .unwrap();
        let s = Store::open(&path).unwrap();
        let filter = Where {
            sql: "bt_has_words(title, ?)".into(),
            params: vec![Value::Text("so".into())],
        };
        for sort in [SortKey::Due, SortKey::Received, SortKey::Title] {
            for state in [Some(State::Published), Some(State::Received), None] {
                if state.is_none() && sort == SortKey::Title {
                    continue; // no index has titles across every state
                }
                let q = PageQuery {
                    parts: vec![Part {
                        state,
                        filter: Some(filter.clone()),
                        indexed: false,
                        title: None,
                    }],
                    sort,
                    dir: PageDir::After(None),
                    limit: 50,
                };
                let sqls = s.page_sql(&q).unwrap();
                assert_eq!(sqls.len(), 2, "window end and walk");
                for (sql, args) in sqls {
                    let plan: Vec<String> = s
                        .conn()
                        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                        .unwrap()
                        .query_map(rusqlite::params_from_iter(args), |r| r.get(3))
                        .unwrap()
                        .collect::<rusqlite::Result<_>>()
                        .unwrap();
                    let plan = plan.join(" / ");
                    assert!(
                        plan.starts_with("SEARCH items USING")
                            || plan.starts_with("SCAN items USING"),
                        "{sort:?} {state:?}: {plan}"
                    );
                    assert!(!plan.contains("TEMP B-TREE"), "{sort:?} {state:?}: {plan}");
                    assert!(
                        !plan.contains("items_category"),
                        "{sort:?} {state:?}: {plan}"
                    );
                }
            }
        }
    }

    #[test]
    fn state_counts_follow_inserts_state_changes_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let (_, s) = demo_store(dir.path(), 40);
        assert_eq!(kept_counts(&s), slow_counts(&s));
        assert!(
            s.counts().unwrap().len() > 2,
            "the demo spreads items over states"
        );

        let c = s.conn();
        c.execute(
            "INSERT INTO items(state, title, received_at, created_at, updated_at)
             VALUES ('received', 'x', '2026-11-20T03:00:00Z', '2026-11-20T03:00:00Z', '2026-11-20T03:00:00Z')",
            [],
        )
        .unwrap();
        let id = c.last_insert_rowid();
        assert_eq!(kept_counts(&s), slow_counts(&s));
        c.execute("UPDATE items SET state = 'rejected' WHERE id = ?1", [id])
            .unwrap();
        assert_eq!(kept_counts(&s), slow_counts(&s));
        // An update that leaves the state as it is changes no count.
        c.execute(
            "UPDATE items SET state = 'rejected', title = 'y' WHERE id = ?1",
            [id],
        )
        .unwrap();
        assert_eq!(kept_counts(&s), slow_counts(&s));
        // (Rows of other tables may point at the id; this test is about the counts.)
        c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        c.execute("DELETE FROM items WHERE id = ?1", [id]).unwrap();
        assert_eq!(kept_counts(&s), slow_counts(&s));
        c.execute(
            "UPDATE items SET state = 'withdrawn' WHERE state = 'received'",
            [],
        )
        .unwrap();
        assert_eq!(kept_counts(&s), slow_counts(&s));
    }
}
