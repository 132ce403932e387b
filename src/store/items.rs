//! Items: creation, reading, the queue, decisions and edits.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::audit::{append, AuditWrite};
use super::{Ctx, Result, Store, StoreError};
use crate::domain::item::{
    Attribution, ContactMethod, Content, Identity, ItemFacts, Opinion, SourceKind, State,
};
use crate::domain::workflow::{self, Action};

/// A new item as entered by hand or by intake. Text must already be clean (NFC, no controls).
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    pub title: String,
    pub lead: String,
    pub body: String,
    pub category: String,
    pub submitter: Identity,
    pub unit: String,
    pub attribution: Attribution,
    pub event_at: Option<String>,
    pub issued_at: Option<String>,
    /// Defaults to now.
    pub received_at: Option<String>,
    pub sensitive: bool,
    pub channel: String,
    pub message_id: Option<String>,
    pub content_digest: Option<String>,
    pub encoding_from: Option<String>,
    pub check_flags: String,
}

/// A full item, as `show` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    pub version: i64,
    pub state: State,
    pub step: usize,
    pub category: String,
    pub title: String,
    pub lead: String,
    pub body: String,
    pub submitter: Identity,
    pub unit: String,
    pub attribution: Attribution,
    pub event_at: Option<String>,
    pub issued_at: Option<String>,
    pub received_at: String,
    pub anchor_at: Option<String>,
    pub rule_override: Option<String>,
    pub extended: bool,
    pub due_at: Option<String>,
    pub sensitive: bool,
    pub opinion: Option<Opinion>,
    pub escalated_from: Option<State>,
    pub assignee: Option<String>,
    pub last_actor: Option<String>,
    pub channel: String,
    pub message_id: Option<String>,
    pub content_digest: Option<String>,
    pub encoding_from: Option<String>,
    pub check_flags: String,
    pub dup_score: Option<f64>,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub editors: Vec<String>,
    pub verifiers: Vec<String>,
}

impl Item {
    pub fn facts(&self) -> ItemFacts {
        ItemFacts {
            state: self.state,
            step: self.step,
            category: self.category.clone(),
            sensitive: self.sensitive,
            opinion: self.opinion,
            escalated_from: self.escalated_from,
            assignee: self.assignee.clone(),
            editors: self.editors.clone(),
            verifiers: self.verifiers.clone(),
        }
    }

    pub fn content(&self) -> Content {
        Content {
            title: self.title.clone(),
            lead: self.lead.clone(),
            body: self.body.clone(),
            attribution: self.attribution.clone(),
        }
    }
}

/// One row of the queue (no body).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ItemRow {
    pub id: i64,
    pub version: i64,
    pub state: State,
    pub step: usize,
    pub category: String,
    pub title: String,
    pub submitter: String,
    pub unit: String,
    pub assignee: Option<String>,
    pub received_at: String,
    pub due_at: Option<String>,
    pub sensitive: bool,
    pub check_flags: String,
    pub dup_score: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub sha256: String,
    pub size: i64,
    pub name: String,
    pub ext: String,
    pub mime: String,
    pub flags: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub code: String,
    pub status: String,
    pub article: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Confirmation {
    pub what: String,
    pub how: String,
    pub login: String,
    pub at: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub id: i64,
    pub login: String,
    pub at: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub version: i64,
    pub at: String,
    pub login: Option<String>,
    pub content: Content,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecideOutcome {
    pub id: i64,
    pub from: State,
    pub to: State,
    pub version: i64,
    pub step: usize,
    pub step_code: Option<String>,
    /// Other items whose duplicate check now reads differently, because this item's text
    /// changed or it was refused, withdrawn or taken back into the chain (see
    /// `recheck_dependants`).
    pub rechecked: Vec<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum SortKey {
    /// Soonest due first (items without a due time last), then oldest received.
    #[default]
    Due,
    /// Newest received first.
    Received,
    Title,
}

/// Which items the queue shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub states: Vec<State>,
    pub category: Option<String>,
    pub assignee: Option<String>,
    pub unit: Option<String>,
    /// Due before this time (RFC 3339) — "overdue" when given now.
    pub due_before: Option<String>,
    pub sort: SortKey,
}

const ITEM_COLS: &str = "id, version, state, step, category, title, lead, body, sub_name, sub_title, sub_org, \
    sub_email, sub_phone, sub_address, sub_confidential, unit, src_kind, src_author, src_name, src_url, src_date, \
    event_at, issued_at, received_at, anchor_at, rule_override, extended, due_at, sensitive, opinion, \
    escalated_from, assignee, last_actor, channel, message_id, content_digest, encoding_from, check_flags, \
    dup_score, created_at, updated_at, published_at";

fn parse_state(s: &str) -> rusqlite::Result<State> {
    State::parse(s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("bad state {s}").into(),
        )
    })
}

fn row_to_item(r: &Row<'_>) -> rusqlite::Result<Item> {
    let state: String = r.get(2)?;
    let src_kind: String = r.get(16)?;
    let src_date: Option<String> = r.get(20)?;
    let opinion: Option<String> = r.get(29)?;
    let esc: Option<String> = r.get(30)?;
    let step: i64 = r.get(3)?;
    Ok(Item {
        id: r.get(0)?,
        version: r.get(1)?,
        state: parse_state(&state)?,
        step: step.max(0) as usize,
        category: r.get(4)?,
        title: r.get(5)?,
        lead: r.get(6)?,
        body: r.get(7)?,
        submitter: Identity {
            name: r.get(8)?,
            title: r.get(9)?,
            organisation: r.get(10)?,
            email: r.get(11)?,
            phone: r.get(12)?,
            address: r.get(13)?,
            confidential: r.get(14)?,
        },
        unit: r.get(15)?,
        attribution: Attribution {
            kind: SourceKind::parse(&src_kind).unwrap_or_default(),
            author: r.get(17)?,
            source_name: r.get(18)?,
            source_url: r.get(19)?,
            source_date: src_date
                .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        },
        event_at: r.get(21)?,
        issued_at: r.get(22)?,
        received_at: r.get(23)?,
        anchor_at: r.get(24)?,
        rule_override: r.get(25)?,
        extended: r.get(26)?,
        due_at: r.get(27)?,
        sensitive: r.get(28)?,
        opinion: opinion.as_deref().and_then(Opinion::parse),
        escalated_from: esc.as_deref().and_then(State::parse),
        assignee: r.get(31)?,
        last_actor: r.get(32)?,
        channel: r.get(33)?,
        message_id: r.get(34)?,
        content_digest: r.get(35)?,
        encoding_from: r.get(36)?,
        check_flags: r.get(37)?,
        dup_score: r.get(38)?,
        created_at: r.get(39)?,
        updated_at: r.get(40)?,
        published_at: r.get(41)?,
        editors: Vec::new(),
        verifiers: Vec::new(),
    })
}

pub(crate) const ROW_COLS: &str = "id, version, state, step, category, title, \
    CASE WHEN sub_name <> '' THEN sub_name ELSE sub_email END, unit, assignee, received_at, due_at, \
    sensitive, check_flags, dup_score";

pub(crate) fn row_to_row(r: &Row<'_>) -> rusqlite::Result<ItemRow> {
    let state: String = r.get(2)?;
    let step: i64 = r.get(3)?;
    Ok(ItemRow {
        id: r.get(0)?,
        version: r.get(1)?,
        state: parse_state(&state)?,
        step: step.max(0) as usize,
        category: r.get(4)?,
        title: r.get(5)?,
        submitter: r.get(6)?,
        unit: r.get(7)?,
        assignee: r.get(8)?,
        received_at: r.get(9)?,
        due_at: r.get(10)?,
        sensitive: r.get(11)?,
        check_flags: r.get(12)?,
        dup_score: r.get(13)?,
    })
}

/// Text put into the search index: folded so that đ matches d (unicode61 folds the rest).
pub(crate) fn index_text(
    conn: &Connection,
    id: i64,
    title: &str,
    body: &str,
    submitter: &str,
) -> Result<()> {
    index_folded(
        conn,
        id,
        &crate::store::index_words(title),
        &crate::store::index_words(body),
        &crate::store::index_words(submitter),
    )
}

/// [`index_text`] with texts already reduced by [`crate::store::index_words`] (the importer does it
/// on its worker threads, and indexes a whole batch outside the per-message SAVEPOINTs: FTS5
/// flushes its pending terms at every SAVEPOINT it takes part in).
pub(crate) fn index_folded(
    conn: &Connection,
    id: i64,
    title: &str,
    body: &str,
    submitter: &str,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")?
        .execute([id])?;
    conn.prepare_cached(
        "INSERT INTO items_fts(rowid, title, body, submitter) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, title, body, submitter])?;
    super::search::index_title(conn, id, title)?;
    Ok(())
}

fn load_item(conn: &Connection, id: i64) -> Result<Item> {
    let mut item = conn
        .query_row(
            &format!("SELECT {ITEM_COLS} FROM items WHERE id = ?1"),
            [id],
            row_to_item,
        )
        .optional()?
        .ok_or(StoreError::NotFound(id))?;
    let mut stmt = conn
        .prepare_cached("SELECT login, kind FROM item_people WHERE item_id = ?1 ORDER BY login")?;
    let people = stmt.query_map([id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for p in people {
        let (login, kind) = p?;
        if kind == "edit" {
            item.editors.push(login);
        } else {
            item.verifiers.push(login);
        }
    }
    Ok(item)
}

/// Load an item inside a write transaction, refusing a stale version the caller saw.
fn load_at_version(conn: &Connection, id: i64, expected: Option<i64>) -> Result<Item> {
    let item = load_item(conn, id)?;
    match expected {
        Some(v) if v != item.version => Err(StoreError::Conflict {
            id,
            expected: v,
            found: item.version,
        }),
        _ => Ok(item),
    }
}

impl Store {
    /// Enter a new item (state `received`). Returns its id.
    pub fn add_item(&mut self, ctx: &Ctx, new: &NewItem) -> Result<i64> {
        self.require_user(&ctx.actor)?;
        let hook = self.due_hook();
        let profile = self.profile.clone();
        self.write(|tx| {
            let id = insert_item(tx, ctx, new)?;
            refresh_due(tx, hook.as_ref(), &profile, id)?;
            Ok(id)
        })
    }

    pub fn item(&self, id: i64) -> Result<Item> {
        load_item(&self.conn, id)
    }

    /// One page of the queue, in the filter's order, starting after `after` rows (offset-free
    /// keyset paging is done by the TUI through `list_page`).
    pub fn list(&self, f: &ListFilter, limit: Option<usize>) -> Result<Vec<ItemRow>> {
        let mut sql = format!("SELECT {ROW_COLS} FROM items WHERE 1=1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if !f.states.is_empty() {
            let marks: Vec<String> = f
                .states
                .iter()
                .map(|s| {
                    args.push(s.as_str().to_string().into());
                    format!("?{}", args.len())
                })
                .collect();
            sql.push_str(&format!(" AND state IN ({})", marks.join(",")));
        }
        for (col, v) in [
            ("category", &f.category),
            ("assignee", &f.assignee),
            ("unit", &f.unit),
        ] {
            if let Some(v) = v {
                args.push(v.clone().into());
                sql.push_str(&format!(" AND {col} = ?{}", args.len()));
            }
        }
        if let Some(d) = &f.due_before {
            args.push(d.clone().into());
            sql.push_str(&format!(
                " AND due_at IS NOT NULL AND due_at < ?{}",
                args.len()
            ));
        }
        sql.push_str(match f.sort {
            SortKey::Due => " ORDER BY coalesce(due_at, '9999'), id",
            SortKey::Received => " ORDER BY received_at DESC, id DESC",
            SortKey::Title => " ORDER BY title COLLATE NOCASE, id",
        });
        if let Some(l) = limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), row_to_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Count of items per state.
    pub fn counts(&self) -> Result<Vec<(State, i64)>> {
        // `state_counts` is kept by triggers (schema.sql); a database made before it existed
        // is counted the slow way.
        let has_table: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state_counts')",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare_cached(if has_table {
            "SELECT state, n FROM state_counts WHERE n > 0"
        } else {
            "SELECT state, count(*) FROM items GROUP BY state"
        })?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for r in rows {
            let (s, n) = r?;
            if let Some(s) = State::parse(&s) {
                out.push((s, n));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Take a workflow action. `expected_version` (when given) must match, else a conflict.
    pub fn decide(
        &mut self,
        ctx: &Ctx,
        id: i64,
        expected_version: Option<i64>,
        action: &Action,
        note: &str,
    ) -> Result<DecideOutcome> {
        let now = ctx.now_text();
        let actor = self.actor(&ctx.actor, &now)?;
        let profile = self.profile.clone();
        if let Action::Assign { to } = action {
            self.require_user(to)?;
        }
        let hook = self.due_hook();
        self.write(|tx| {
            let item = load_at_version(tx, id, expected_version)?;
            let t = workflow::apply(&profile, &item.facts(), &actor, action)?;
            let version = item.version + 1;
            let published_at: Option<String> = if t.to == State::Published {
                Some(now.clone())
            } else {
                item.published_at.clone()
            };
            let changed = tx.execute(
                "UPDATE items SET version = ?2, state = ?3, step = ?4, assignee = ?5, category = ?6,
                    sensitive = ?7, opinion = ?8, escalated_from = ?9, last_actor = ?10, updated_at = ?11,
                    published_at = ?12
                 WHERE id = ?1 AND version = ?13",
                params![
                    id,
                    version,
                    t.to.as_str(),
                    t.step as i64,
                    t.assignee,
                    t.category.as_deref().unwrap_or(&item.category),
                    t.sensitive,
                    t.opinion.map(|o| o.as_str()),
                    t.escalated_from.map(|s| s.as_str()),
                    ctx.actor,
                    now,
                    published_at,
                    item.version
                ],
            )?;
            if changed != 1 {
                return Err(StoreError::Conflict {
                    id,
                    expected: item.version,
                    found: item.version + 1,
                });
            }
            if t.category.is_some() {
                refresh_due(tx, hook.as_ref(), &profile, id)?;
            }
            if t.records_verifier {
                tx.execute(
                    "INSERT OR IGNORE INTO item_people(item_id, login, kind) VALUES (?1, ?2, 'verify')",
                    params![id, ctx.actor],
                )?;
            }
            if t.to == State::Received && t.from == State::Returned {
                // A resubmitted item starts the chain again.
                tx.execute("DELETE FROM item_people WHERE item_id = ?1 AND kind = 'verify'", [id])?;
            }
            // Only what is published or pending is a ground for refusal as a duplicate.
            let rechecked = if t.from.may_be_duplicated() != t.to.may_be_duplicated() {
                let (fp, keys) = super::intake::dup_fingerprint(&super::intake::dup_source(
                    &item.title,
                    &item.body,
                ));
                recheck_dependants(tx, id, &fp, &keys)?
            } else {
                Vec::new()
            };
            let name = match (&t.step_code, action) {
                (Some(code), _) => format!("{}:{code}", action.name()),
                (None, Action::Assign { to }) => format!("assign:{to}"),
                (None, Action::Opinion { opinion, .. }) => format!("opinion:{}", opinion.as_str()),
                (None, Action::Triage { .. }) => {
                    format!("triage:{}", t.category.as_deref().unwrap_or(""))
                }
                _ => action.name().to_string(),
            };
            append(
                tx,
                ctx,
                AuditWrite {
                    item_id: Some(id),
                    action: &name,
                    from_state: Some(t.from.as_str()),
                    to_state: Some(t.to.as_str()),
                    reasons: action.reasons(),
                    note,
                    version: Some(version),
                },
            )?;
            Ok(DecideOutcome {
                id,
                from: t.from,
                to: t.to,
                version,
                step: t.step,
                step_code: t.step_code.clone(),
                rechecked,
            })
        })
    }

    /// Change an item's content. Keeps the previous revision; records the editor (four-eyes).
    pub fn edit(
        &mut self,
        ctx: &Ctx,
        id: i64,
        expected_version: i64,
        content: &Content,
        note: &str,
    ) -> Result<DecideOutcome> {
        let now = ctx.now_text();
        let actor = self.actor(&ctx.actor, &now)?;
        let profile = self.profile.clone();
        if content.title.trim().is_empty() {
            return Err(StoreError::invalid(
                "tiêu đề không được để trống",
                "the title may not be empty",
            ));
        }
        self.write(|tx| {
            let item = load_at_version(tx, id, Some(expected_version))?;
            let t = workflow::apply(&profile, &item.facts(), &actor, &Action::Edit)?;
            let version = item.version + 1;
            let a = &content.attribution;
            tx.execute(
                "UPDATE items SET version = ?2, state = ?3, step = ?4, title = ?5, lead = ?6, body = ?7,
                    src_kind = ?8, src_author = ?9, src_name = ?10, src_url = ?11, src_date = ?12,
                    last_actor = ?13, updated_at = ?14
                 WHERE id = ?1 AND version = ?15",
                params![
                    id,
                    version,
                    t.to.as_str(),
                    t.step as i64,
                    content.title,
                    content.lead,
                    content.body,
                    a.kind.as_str(),
                    a.author,
                    a.source_name,
                    a.source_url,
                    a.source_date.map(|d| d.format("%Y-%m-%d").to_string()),
                    ctx.actor,
                    now,
                    item.version
                ],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO item_people(item_id, login, kind) VALUES (?1, ?2, 'edit')",
                params![id, ctx.actor],
            )?;
            if t.to != t.from {
                tx.execute("DELETE FROM item_people WHERE item_id = ?1 AND kind = 'verify'", [id])?;
            }
            let submitter = item.submitter.display();
            index_text(tx, id, &content.title, &format!("{}\n{}", content.lead, content.body), &submitter)?;
            // The intake's attribution check is a rule over the content: an editor who fills
            // in the author, source or date of quoted material clears it (and the queue's flag).
            let (status, detail) = crate::domain::checks::attribution(&content.attribution);
            recheck(tx, id, "attribution", status, &detail)?;
            let mut rechecked = Vec::new();
            if (item.title.as_str(), item.body.as_str()) != (content.title.as_str(), content.body.as_str()) {
                // The item's own entries in the index follow its new text, then its own check
                // (imported items) and the checks that depend on it.
                let (fp, keys) = super::intake::index_duplicates(
                    tx,
                    id,
                    Some((&item.title, &item.body)),
                    &content.title,
                    &content.body,
                )?;
                if let Some((status, detail)) =
                    super::intake::refresh_duplicates(tx, id, &fp, &keys)?
                {
                    recheck(tx, id, "duplicate", status, &detail)?;
                }
                // Items flagged as copies of the old text, or copies of the new one.
                rechecked = recheck_dependants(tx, id, &fp, &keys)?;
            }
            append(
                tx,
                ctx,
                AuditWrite {
                    item_id: Some(id),
                    action: "edit",
                    from_state: Some(t.from.as_str()),
                    to_state: Some(t.to.as_str()),
                    reasons: &[],
                    note,
                    version: Some(version),
                },
            )?;
            Ok(DecideOutcome {
                id,
                from: t.from,
                to: t.to,
                version,
                step: t.step,
                step_code: None,
                rechecked,
            })
        })
    }

    /// Record that a person confirmed the source (or attribution) by contacting someone.
    pub fn confirm(
        &mut self,
        ctx: &Ctx,
        id: i64,
        what: &str,
        how: ContactMethod,
        note: &str,
    ) -> Result<()> {
        let actor = self.actor(&ctx.actor, &ctx.now_text())?;
        let profile = self.profile.clone();
        if !matches!(what, "source" | "attribution") {
            return Err(StoreError::invalid(
                "chỉ xác minh được \"source\" (nguồn) hoặc \"attribution\" (trích dẫn)",
                "only \"source\" or \"attribution\" can be confirmed",
            ));
        }
        if note.trim().is_empty() {
            return Err(StoreError::invalid(
                "phải ghi chú đã liên hệ với ai, kết quả thế nào (--note)",
                "a note is required: whom you contacted and what they said (--note)",
            ));
        }
        self.write(|tx| {
            let item = load_item(tx, id)?;
            workflow::apply(&profile, &item.facts(), &actor, &Action::ConfirmSource)?;
            tx.execute(
                "INSERT INTO confirmations(item_id, what, how, login, at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, what, how.as_str(), ctx.actor, ctx.now_text(), note],
            )?;
            audit_in_place(tx, ctx, &item, &format!("confirm-{what}:{}", how.as_str()), note)?;
            Ok(())
        })
    }

    /// Complete or correct the submitter's details: after the board asked them for what was
    /// missing (the return-for-revision letter), or from a phone call. `changes` are
    /// (key of [`Identity::DETAILS`], new value), applied to the identity as stored when the
    /// transaction starts (so that details someone else changed meanwhile are kept); the
    /// confidentiality flag is kept. When something changed, the search index's submitter words
    /// follow, the identity check runs again, and the audit row names the fields changed.
    /// Who may confirm a source may do this; a note (how the details were obtained) is required.
    pub fn set_submitter(
        &mut self,
        ctx: &Ctx,
        id: i64,
        changes: &[(&str, String)],
        note: &str,
    ) -> Result<SubmitterUpdate> {
        let actor = self.actor(&ctx.actor, &ctx.now_text())?;
        let profile = self.profile.clone();
        if note.trim().is_empty() {
            return Err(StoreError::invalid(
                "phải ghi chú thông tin người gửi lấy từ đâu (--note)",
                "a note is required: where the submitter's details came from (--note)",
            ));
        }
        if let Some((k, _)) = changes.iter().find(|(k, _)| !Identity::DETAILS.contains(k)) {
            return Err(StoreError::invalid(
                format!("không có thông tin người gửi \"{k}\""),
                format!("no submitter detail \"{k}\""),
            ));
        }
        self.write(|tx| {
            let item = load_item(tx, id)?;
            workflow::apply(&profile, &item.facts(), &actor, &Action::ConfirmSource)?;
            let old = &item.submitter;
            let mut who = old.clone();
            for (k, v) in changes {
                if let Some(d) = who.detail_mut(k) {
                    d.clone_from(v);
                }
            }
            let changed: Vec<&'static str> = Identity::DETAILS
                .into_iter()
                .filter(|k| old.detail(k) != who.detail(k))
                .collect();
            let (status, detail) =
                crate::domain::checks::identity(&profile.intake.identity_fields, &who);
            let out = |changed| SubmitterUpdate {
                changed,
                status: status.to_string(),
                detail: detail.clone(),
                submitter: who.clone(),
            };
            if changed.is_empty() {
                return Ok(out(changed));
            }
            tx.execute(
                "UPDATE items SET sub_name = ?2, sub_title = ?3, sub_org = ?4, sub_email = ?5,
                    sub_phone = ?6, sub_address = ?7, updated_at = ?8
                 WHERE id = ?1",
                params![
                    id,
                    who.name,
                    who.title,
                    who.organisation,
                    who.email,
                    who.phone,
                    who.address,
                    ctx.now_text()
                ],
            )?;
            index_text(
                tx,
                id,
                &item.title,
                &format!("{}\n{}", item.lead, item.body),
                &who.display(),
            )?;
            recheck(tx, id, "identity", status, &detail)?;
            audit_in_place(
                tx,
                ctx,
                &item,
                &format!("submitter:{}", changed.join(",")),
                note,
            )?;
            Ok(out(changed))
        })
    }

    pub fn confirmations(&self, id: i64) -> Result<Vec<Confirmation>> {
        let mut stmt = self.conn.prepare(
            "SELECT what, how, login, at, note FROM confirmations WHERE item_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(Confirmation {
                what: r.get(0)?,
                how: r.get(1)?,
                login: r.get(2)?,
                at: r.get(3)?,
                note: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Add an internal note (never exported).
    pub fn add_note(&mut self, ctx: &Ctx, id: i64, text: &str) -> Result<i64> {
        self.require_user(&ctx.actor)?;
        if text.trim().is_empty() {
            return Err(StoreError::invalid("ghi chú trống", "empty note"));
        }
        self.write(|tx| {
            let item = load_item(tx, id)?;
            tx.execute(
                "INSERT INTO notes(item_id, login, at, text) VALUES (?1, ?2, ?3, ?4)",
                params![id, ctx.actor, ctx.now_text(), text],
            )?;
            let nid = tx.last_insert_rowid();
            audit_in_place(tx, ctx, &item, "note", text)?;
            Ok(nid)
        })
    }

    pub fn notes(&self, id: i64) -> Result<Vec<Note>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, login, at, text FROM notes WHERE item_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([id], |r| {
            Ok(Note {
                id: r.get(0)?,
                login: r.get(1)?,
                at: r.get(2)?,
                text: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every version of the item's content, oldest first; the last is the current one.
    pub fn revisions(&self, id: i64) -> Result<Vec<Revision>> {
        let item = self.item(id)?;
        let mut stmt = self.conn.prepare(
            "SELECT version, at, login, title, lead, body, src_kind, src_author, src_name, src_url, src_date
             FROM revisions WHERE item_id = ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([id], |r| {
            let kind: String = r.get(6)?;
            let date: Option<String> = r.get(10)?;
            Ok(Revision {
                version: r.get(0)?,
                at: r.get(1)?,
                login: r.get(2)?,
                content: Content {
                    title: r.get(3)?,
                    lead: r.get(4)?,
                    body: r.get(5)?,
                    attribution: Attribution {
                        kind: SourceKind::parse(&kind).unwrap_or_default(),
                        author: r.get(7)?,
                        source_name: r.get(8)?,
                        source_url: r.get(9)?,
                        source_date: date
                            .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                    },
                },
            })
        })?;
        let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(Revision {
            version: item.version,
            at: item.updated_at.clone(),
            login: item.last_actor.clone(),
            content: item.content(),
        });
        Ok(out)
    }

    pub fn attachments(&self, id: i64) -> Result<Vec<Attachment>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, sha256, size, name, ext, mime, flags FROM attachments WHERE item_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(Attachment {
                id: r.get(0)?,
                sha256: r.get(1)?,
                size: r.get(2)?,
                name: r.get(3)?,
                ext: r.get(4)?,
                mime: r.get(5)?,
                flags: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The intake checks of an item, failed first, then warnings, then passed.
    pub fn checks(&self, id: i64) -> Result<Vec<CheckResult>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT code, status, article, detail FROM checks WHERE item_id = ?1
             ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 WHEN 'pass' THEN 2 ELSE 3 END, code",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(CheckResult {
                code: r.get(0)?,
                status: r.get(1)?,
                article: r.get(2)?,
                detail: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// What [`Store::set_submitter`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitterUpdate {
    /// The details that changed, in [`Identity::DETAILS`] order (empty: nothing was written).
    pub changed: Vec<&'static str>,
    /// The identity check's result on the details now: status and detail.
    pub status: String,
    pub detail: String,
    pub submitter: Identity,
}

/// The audit row of something done to an item that leaves its state and version as they are
/// (a source confirmed, new submitter details, a note).
fn audit_in_place(
    conn: &Connection,
    ctx: &Ctx,
    item: &Item,
    action: &str,
    note: &str,
) -> Result<()> {
    append(
        conn,
        ctx,
        AuditWrite {
            item_id: Some(item.id),
            action,
            from_state: Some(item.state.as_str()),
            to_state: Some(item.state.as_str()),
            reasons: &[],
            note,
            version: Some(item.version),
        },
    )?;
    Ok(())
}

/// Store a check's new result, if the item has that check and the result changed, and keep
/// `check_flags` in step with the item's checks.
fn recheck(conn: &Connection, id: i64, code: &str, status: &str, detail: &str) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE checks SET status = ?3, detail = ?4
             WHERE item_id = ?1 AND code = ?2 AND (status <> ?3 OR detail <> ?4)",
        )?
        .execute(params![id, code, status, detail])?;
    if changed > 0 {
        let checks: Vec<(String, String)> = conn
            .prepare_cached("SELECT code, status FROM checks WHERE item_id = ?1")?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let flags =
            crate::domain::checks::flags(checks.iter().map(|(c, s)| (c.as_str(), s.as_str())));
        conn.prepare_cached("UPDATE items SET check_flags = ?2 WHERE id = ?1")?
            .execute(params![id, flags])?;
    }
    Ok(changed > 0)
}

/// After item `id` changed its text (fingerprint `fp`, band keys `keys`) or left or re-entered
/// the states in which it may be matched as a duplicate: run the duplicate check again of every
/// item whose result may change ([`super::intake::duplicate_dependants`]), so that no item stays flagged
/// as the copy of a text that is gone or of an item refused or withdrawn. Returns the items
/// whose check now reads differently.
fn recheck_dependants(
    conn: &Connection,
    id: i64,
    fp: &crate::text::minhash::Fingerprint,
    keys: &[u64],
) -> Result<Vec<i64>> {
    use super::intake::{dup_fingerprint, dup_source, duplicate_dependants, refresh_duplicates};
    let mut changed = Vec::new();
    for other in duplicate_dependants(conn, id, fp, keys)? {
        let Some((t, b)) = conn
            .prepare_cached("SELECT title, body FROM items WHERE id = ?1")?
            .query_row([other], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
        else {
            continue;
        };
        let (fp, keys) = dup_fingerprint(&dup_source(&t, &b));
        if let Some((status, detail)) = refresh_duplicates(conn, other, &fp, &keys)? {
            if recheck(conn, other, "duplicate", status, &detail)? {
                changed.push(other);
            }
        }
    }
    Ok(changed)
}

/// Insert an item inside an open transaction (used by `add_item`, intake and the demo).
pub fn insert_item(conn: &Connection, ctx: &Ctx, new: &NewItem) -> Result<i64> {
    let id = insert_item_unindexed(conn, ctx, new)?;
    // Near-duplicates of anything published or pending, whichever way it came in.
    super::intake::index_duplicates(conn, id, None, &new.title, &new.body)?;
    index_text(
        conn,
        id,
        &new.title,
        &format!("{}\n{}", new.lead, new.body),
        &new.submitter.display(),
    )?;
    Ok(id)
}

/// [`insert_item`] without the search index row: the caller must add it with [`index_folded`]
/// (title, `lead\nbody`, submitter's display) in the same transaction.
pub(crate) fn insert_item_unindexed(conn: &Connection, ctx: &Ctx, new: &NewItem) -> Result<i64> {
    if new.title.trim().is_empty() {
        return Err(StoreError::invalid(
            "tiêu đề không được để trống",
            "the title may not be empty",
        ));
    }
    let now = ctx.now_text();
    let received = new.received_at.clone().unwrap_or_else(|| now.clone());
    let a = &new.attribution;
    let s = &new.submitter;
    conn.prepare_cached(
        "INSERT INTO items(version, state, step, category, title, lead, body, sub_name, sub_title, sub_org,
            sub_email, sub_phone, sub_address, sub_confidential, unit, src_kind, src_author, src_name, src_url,
            src_date, event_at, issued_at, received_at, sensitive, last_actor, channel, message_id,
            content_digest, encoding_from, check_flags, created_at, updated_at)
         VALUES (1, 'received', 0, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
            ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?28)",
    )?
    .execute(params![
            new.category,
            new.title,
            new.lead,
            new.body,
            s.name,
            s.title,
            s.organisation,
            s.email,
            s.phone,
            s.address,
            s.confidential,
            new.unit,
            a.kind.as_str(),
            a.author,
            a.source_name,
            a.source_url,
            a.source_date.map(|d| d.format("%Y-%m-%d").to_string()),
            new.event_at,
            new.issued_at,
            received,
            new.sensitive,
            ctx.actor,
            if new.channel.is_empty() { "manual" } else { &new.channel },
            new.message_id,
            new.content_digest,
            new.encoding_from,
            new.check_flags,
            now
        ])?;
    let id = conn.last_insert_rowid();
    append(
        conn,
        ctx,
        AuditWrite {
            item_id: Some(id),
            action: &format!(
                "add:{}",
                if new.channel.is_empty() {
                    "manual"
                } else {
                    &new.channel
                }
            ),
            from_state: None,
            to_state: Some("received"),
            reasons: &[],
            note: &new.title,
            version: Some(1),
        },
    )?;
    Ok(id)
}

/// Recompute and store an item's due time inside the open transaction.
pub(crate) fn refresh_due(
    conn: &Connection,
    hook: Option<&super::DueHook>,
    profile: &crate::domain::profile::Profile,
    id: i64,
) -> Result<()> {
    if let Some(h) = hook {
        let item = load_item(conn, id)?;
        let due = h(profile, &item);
        if due != item.due_at {
            conn.execute(
                "UPDATE items SET due_at = ?2 WHERE id = ?1",
                params![id, due],
            )?;
        }
    }
    Ok(())
}

impl Store {
    /// The secretary overrides an item's deadline anchor or rule (e.g. a ministry is consulted:
    /// 15 → 30 working days). Audited with the note; the due time is recomputed.
    #[allow(clippy::too_many_arguments)]
    pub fn set_deadline(
        &mut self,
        ctx: &Ctx,
        id: i64,
        expected_version: Option<i64>,
        anchor_at: Option<Option<String>>,
        rule: Option<Option<String>>,
        extended: Option<bool>,
        note: &str,
    ) -> Result<DecideOutcome> {
        self.require_cap(&ctx.actor, crate::domain::profile::Capability::Intake)?;
        if note.trim().is_empty() {
            return Err(StoreError::Workflow(
                crate::domain::workflow::WorkflowError::NoteRequired,
            ));
        }
        if let Some(Some(code)) = &rule {
            if self.profile.deadline(code).is_none() {
                let codes: Vec<&str> = self
                    .profile
                    .deadlines
                    .iter()
                    .map(|d| d.code.as_str())
                    .collect();
                return Err(StoreError::invalid(
                    format!(
                        "không có quy tắc hạn \"{code}\"; các quy tắc: {}",
                        codes.join(", ")
                    ),
                    format!("no deadline rule \"{code}\"; rules: {}", codes.join(", ")),
                ));
            }
        }
        let hook = self.due_hook();
        let profile = self.profile.clone();
        self.write(|tx| {
            let item = load_at_version(tx, id, expected_version)?;
            let anchor = anchor_at.clone().unwrap_or(item.anchor_at.clone());
            let rule = rule.clone().unwrap_or(item.rule_override.clone());
            let ext = extended.unwrap_or(item.extended);
            let version = item.version + 1;
            tx.execute(
                "UPDATE items SET anchor_at = ?2, rule_override = ?3, extended = ?4, version = ?5,
                    last_actor = ?6, updated_at = ?7 WHERE id = ?1",
                params![id, anchor, rule, ext, version, ctx.actor, ctx.now_text()],
            )?;
            refresh_due(tx, hook.as_ref(), &profile, id)?;
            let after = load_item(tx, id)?;
            let summary = format!(
                "anchor={} rule={} extended={} due={} | {}",
                anchor.as_deref().unwrap_or("-"),
                rule.as_deref().unwrap_or("-"),
                ext,
                after.due_at.as_deref().unwrap_or("-"),
                note
            );
            append(
                tx,
                ctx,
                AuditWrite {
                    item_id: Some(id),
                    action: "deadline",
                    from_state: Some(item.state.as_str()),
                    to_state: Some(item.state.as_str()),
                    reasons: &[],
                    note: &summary,
                    version: Some(version),
                },
            )?;
            Ok(DecideOutcome {
                id,
                from: item.state,
                to: item.state,
                version,
                step: item.step,
                step_code: None,
                rechecked: Vec::new(),
            })
        })
    }
}
