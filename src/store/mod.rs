//! SQLite store. `schema.sql` is the one schema; every change commits in one `BEGIN IMMEDIATE`
//! transaction together with its audit row.

mod audit;
pub mod blobs;
pub mod checkpoint;
pub mod export;
pub mod identity;
pub mod intake;
mod items;
pub mod queue;
mod search;
mod users;
pub mod vfs;

pub use search::fts_query;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::domain::profile::Profile;
use crate::domain::workflow::WorkflowError;
use crate::i18n::Lang;
use crate::tr;

pub use audit::{AuditEntry, AuditReport};
pub use items::insert_item as insert_item_in;
pub use items::{
    Attachment, CheckResult, Confirmation, DecideOutcome, Item, ItemRow, ListFilter, NewItem, Note,
    Revision, SortKey, SubmitterUpdate,
};
pub use users::{Delegation, NewUser, User};

/// The schema, embedded.
pub const SCHEMA: &str = include_str!("../../schema.sql");
/// Schema version written to `PRAGMA user_version`. `schema.sql` is always the newest schema
/// (what a new database gets); `MIGRATIONS` bring an older database up to it.
pub const SCHEMA_VERSION: i64 = 1 + MIGRATIONS.len() as i64;

/// The SQL that (re)builds `items_fts` with the given `detail` from the items, folded as
/// [`index_words`] folds them, then merges it into one segment (`optimize`). Migrations 3 and 7.
macro_rules! rebuild_items_fts {
    ($detail:literal) => {
        concat!(
            "DROP TABLE IF EXISTS items_fts;
     CREATE VIRTUAL TABLE items_fts USING fts5(
         title, body, submitter,
         content = '', contentless_delete = 1,
         tokenize = 'unicode61 remove_diacritics 2',
         prefix = '1 2 3', detail = ",
            $detail,
            "
     );
     INSERT INTO items_fts(rowid, title, body, submitter)
       SELECT id, bt_fold(title), bt_fold(lead || char(10) || body),
              bt_fold(CASE
                  WHEN sub_name <> '' AND sub_org <> '' THEN sub_name || ' — ' || sub_org
                  WHEN sub_name <> '' THEN sub_name
                  WHEN sub_org <> '' THEN sub_org
                  ELSE sub_email END)
       FROM items;
     INSERT INTO items_fts(items_fts) VALUES ('optimize');"
        )
    };
}

/// Step `i` takes a database from version `i + 1` to `i + 2`. Each runs in one `BEGIN IMMEDIATE`
/// transaction together with the new `user_version`, so a crash leaves the old version whole.
/// When `schema.sql` changes, the same change is appended here.
pub const MIGRATIONS: &[Migration] = &[
    // 2: small attachments inside the database (store::blobs).
    Migration::Sql(
        "CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);",
    ),
    // 3: the search index keeps which column a word is in, not its positions (`detail =
    // column`): a quarter less work per imported message, same answers (bientap never asks
    // for phrases). Rebuilt from the items, folded as `index_text` folds them, then merged
    // into one segment (`optimize`: 16 s at a million items, queries several times faster).
    Migration::Sql(rebuild_items_fts!("column")),
    // 4: the title-only search index of the console's `~s` limit, filled from every item.
    Migration::Sql(
        "CREATE VIRTUAL TABLE titles_fts USING fts5(title, content = '', contentless_delete = 1, \
     tokenize = 'unicode61 remove_diacritics 2', detail = none); \
     INSERT INTO titles_fts(rowid, title) SELECT id, bt_fold(title) FROM items; \
     INSERT INTO titles_fts(titles_fts) VALUES ('optimize');",
    ),
    // 5: `lead` and `body` moved to the end of `items`: SQLite reads a row's columns in order
    // and a long body spills into overflow pages, so every column after it (due time, state
    // dates, submitter…) cost the walk of the body's overflow chain on a cold read.
    Migration::Rust(items_body_last),
    // 6: less to write for each imported message. `items_message` was read by no query
    // (intake_log has the Message-IDs that decide what was imported); `checks` keyed by its
    // primary key alone, instead of a row id and a second B-tree for the key.
    Migration::Sql(
        "DROP INDEX IF EXISTS items_message;
     CREATE TABLE checks_new (
         item_id INTEGER NOT NULL REFERENCES items(id),
         code    TEXT NOT NULL,
         status  TEXT NOT NULL CHECK (status IN ('pass','fail','warn','na')),
         article TEXT NOT NULL DEFAULT '',
         detail  TEXT NOT NULL DEFAULT '',
         PRIMARY KEY (item_id, code)
     ) WITHOUT ROWID;
     INSERT INTO checks_new(item_id, code, status, article, detail)
       SELECT item_id, code, status, article, detail FROM checks;
     DROP TABLE checks;
     ALTER TABLE checks_new RENAME TO checks;",
    ),
    // 7: the search index keeps which rows have a word, not which column (`detail = none`):
    // no query names a column, and each of a word's prefix entries no longer carries a column
    // list (about 14 % less CPU on the importer's writing thread for the bench's messages).
    // Rebuilt from the items as migration 3 built it, then merged into one segment.
    Migration::Sql(rebuild_items_fts!("none")),
    // 8: every item in the near-duplicate index, from its current text. Until now only
    // imported items were (with their text as imported): an item added by hand was never found
    // as a duplicate, and an edited one only by its first text. Band keys and the missing
    // content digests computed again from `title\nbody` (see `intake::index_duplicates`).
    Migration::Rust(rebuild_dup_index),
    // 9: which items name an item as the original they duplicate, so that refusing,
    // withdrawing or editing that item runs their duplicate check again.
    Migration::Sql("CREATE INDEX IF NOT EXISTS dup_matches_other ON dup_matches(other_id);"),
];

/// One schema step: SQL, or Rust for a step SQL alone cannot take (run with foreign keys off,
/// checked with `foreign_key_check` before it commits).
pub enum Migration {
    Sql(&'static str),
    Rust(fn(&Connection) -> rusqlite::Result<()>),
}

/// Bring a database at `from` up to `SCHEMA_VERSION`, one step per transaction.
fn migrate(conn: &Connection, from: i64) -> Result<()> {
    for (i, m) in MIGRATIONS
        .iter()
        .enumerate()
        .skip((from - 1).max(0) as usize)
    {
        let to = i as i64 + 2;
        let rust = matches!(m, Migration::Rust(_));
        if rust {
            // Only outside a transaction; restored below whatever happens.
            conn.pragma_update(None, "foreign_keys", "OFF")?;
        }
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let step = match m {
            Migration::Sql(sql) => conn.execute_batch(sql),
            Migration::Rust(f) => f(conn).and_then(|_| foreign_keys_hold(conn)),
        }
        .and_then(|_| conn.pragma_update(None, "user_version", to));
        let done = match step {
            Ok(()) => conn.execute_batch("COMMIT").map_err(StoreError::from),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e.into())
            }
        };
        if rust {
            conn.pragma_update(None, "foreign_keys", "ON")?;
        }
        done?;
    }
    Ok(())
}

/// The line a command prints when the database it opens needs upgrading (a large one takes
/// minutes: the user should know why nothing happens yet). See [`Store::open_with`].
pub fn upgrade_notice(path: &Path, from: i64, to: i64, lang: Lang) -> String {
    crate::tr!(
        lang,
        "bientap: đang nâng cấp cơ sở dữ liệu {} (lược đồ {from} → {to}). Cơ sở dữ liệu lớn có thể mất vài phút; nếu bị ngắt giữa chừng, lần mở sau sẽ làm lại bước dở dang.",
        "bientap: upgrading the database {} (schema {from} → {to}). A large database can take minutes; if interrupted, the next open redoes the unfinished step.",
        path.display()
    )
}

/// `PRAGMA foreign_key_check` finds nothing (else the step is rolled back).
fn foreign_keys_hold(conn: &Connection) -> rusqlite::Result<()> {
    let bad: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if bad == 0 {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
            Some(format!(
                "{bad} rows break a foreign key after the migration"
            )),
        ))
    }
}

/// The statements of `schema.sql`, whole (a trigger's body included).
fn schema_statements() -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in SCHEMA.lines() {
        let code = line.split("--").next().unwrap_or("");
        if cur.is_empty() && code.trim().is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        let t = code.trim_end();
        let in_trigger = cur.trim_start().starts_with("CREATE TRIGGER");
        if (t.ends_with(';') && !in_trigger) || (in_trigger && t.trim() == "END;") {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

/// Migration 5: rebuild `items` in `schema.sql`'s column order (the SQLite "twelve-step"
/// table change: new table, copy, drop, rename, then its indexes and triggers again).
fn items_body_last(conn: &Connection) -> rusqlite::Result<()> {
    let stmts = schema_statements();
    let table = stmts
        .iter()
        .find(|s| s.trim_start().starts_with("CREATE TABLE items ("))
        .ok_or_else(|| rusqlite::Error::InvalidQuery)?;
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('items') ORDER BY cid")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let list = cols.join(", ");
    // ANALYZE statistics of `items` go with the table; the rows are the same, so they are kept.
    let stat_tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('sqlite_stat1', 'sqlite_stat4')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for t in &stat_tables {
        conn.execute_batch(&format!(
            "CREATE TEMP TABLE bt_keep_{t} AS SELECT * FROM {t} WHERE tbl = 'items'"
        ))?;
    }
    conn.execute_batch(&table.replacen("CREATE TABLE items (", "CREATE TABLE items_new (", 1))?;
    conn.execute_batch(&format!(
        "INSERT INTO items_new({list}) SELECT {list} FROM items;
         DROP TABLE items;
         PRAGMA legacy_alter_table = ON;
         ALTER TABLE items_new RENAME TO items;
         PRAGMA legacy_alter_table = OFF;"
    ))?;
    for s in &stmts {
        let t = s.trim_start();
        let on_items =
            t.contains(" ON items(") || t.contains(" ON items\n") || t.contains(" ON items ");
        if (t.starts_with("CREATE INDEX") || t.starts_with("CREATE TRIGGER")) && on_items {
            conn.execute_batch(s)?;
        }
    }
    for t in &stat_tables {
        conn.execute_batch(&format!(
            "DELETE FROM {t} WHERE tbl = 'items';
             INSERT INTO {t} SELECT * FROM temp.bt_keep_{t}
               WHERE idx IS NULL OR idx = tbl
                  OR idx IN (SELECT name FROM sqlite_schema WHERE type = 'index');
             DROP TABLE temp.bt_keep_{t};"
        ))?;
    }
    Ok(())
}

/// Migration 8: the near-duplicate index (`dup_bands`) rebuilt from every item's current
/// text, and the content digest of the items that had none (added by hand). The keys are
/// gathered in a temporary table and inserted in key order, so that the index is written from
/// start to end instead of at random places (a million items: 16 million keys).
fn rebuild_dup_index(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DROP TABLE IF EXISTS temp.bt_bands;
         CREATE TEMP TABLE bt_bands(key INTEGER NOT NULL, item_id INTEGER NOT NULL);
         DELETE FROM dup_bands;",
    )?;
    let mut digests: Vec<(i64, String)> = Vec::new();
    {
        let mut read =
            conn.prepare("SELECT id, title, body, content_digest IS NULL FROM items ORDER BY id")?;
        let mut put = conn.prepare("INSERT INTO temp.bt_bands(key, item_id) VALUES (?1, ?2)")?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let title: String = r.get(1)?;
            let body: String = r.get(2)?;
            let (fp, keys) = intake::dup_fingerprint(&intake::dup_source(&title, &body));
            for k in keys {
                put.execute(rusqlite::params![k as i64, id])?;
            }
            if r.get::<_, bool>(3)? {
                digests.push((id, fp.digest));
            }
        }
    }
    let mut set = conn.prepare("UPDATE items SET content_digest = ?2 WHERE id = ?1")?;
    for (id, d) in &digests {
        set.execute(rusqlite::params![id, d])?;
    }
    conn.execute_batch(
        "INSERT OR IGNORE INTO dup_bands(key, item_id)
           SELECT key, item_id FROM temp.bt_bands ORDER BY key, item_id;
         DROP TABLE temp.bt_bands;",
    )
}

/// How long a writer waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Who is acting, and when (the clock is injected).
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The board login the action is attributed to.
    pub actor: String,
    /// The OS account of the process.
    pub os_login: String,
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Ctx {
    pub fn now_text(&self) -> String {
        ts(self.now)
    }
}

/// RFC 3339 UTC with seconds, the one time format of the database.
pub fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn parse_ts(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no database at {0}")]
    NoDatabase(PathBuf),
    #[error("database exists at {0}")]
    Exists(PathBuf),
    #[error("database is read-only: {0}")]
    ReadOnly(PathBuf),
    #[error("database busy")]
    Busy,
    #[error("not a bientap database: {0}")]
    NotBientap(String),
    #[error("database schema {found} is newer than this program ({supported})")]
    TooNew { found: i64, supported: i64 },
    #[error("network file system")]
    NetworkFs(PathBuf),
    #[error("item {0} not found")]
    NotFound(i64),
    #[error("version conflict on item {id}: expected {expected}, found {found}")]
    Conflict { id: i64, expected: i64, found: i64 },
    #[error("unknown user {0}")]
    UnknownUser(String),
    #[error("user exists {0}")]
    UserExists(String),
    #[error("inactive user {0}")]
    InactiveUser(String),
    #[error("unknown role {0}")]
    UnknownRole(String),
    #[error("workflow: {0}")]
    Workflow(#[from] WorkflowError),
    #[error("four-eyes trigger")]
    FourEyesTrigger,
    #[error("invalid input: {vi} / {en}")]
    Invalid { vi: String, en: String },
    #[error("profile: {0}")]
    Profile(String),
    #[error("sqlite: {0}")]
    Sqlite(rusqlite::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => return StoreError::Busy,
                ErrorCode::ReadOnly => return StoreError::ReadOnly(PathBuf::new()),
                ErrorCode::ConstraintViolation
                    if msg.as_deref().is_some_and(|m| m.contains("four-eyes")) =>
                {
                    return StoreError::FourEyesTrigger;
                }
                _ => {}
            }
        }
        StoreError::Sqlite(e)
    }
}

impl StoreError {
    pub fn invalid(vi: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Invalid {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// One line in the user's language.
    pub fn message(&self, lang: Lang, profile: Option<&Profile>) -> String {
        match self {
            StoreError::NoDatabase(p) => {
                // After `bientap demo`, the demo database sits beside the default one: say so.
                let demo = p.with_file_name("demo.db");
                if demo != *p && demo.is_file() {
                    tr!(
                        lang,
                        "không có cơ sở dữ liệu tại {}; cơ sở dữ liệu thử (bientap demo) ở {}: thêm `--db {}` vào lệnh, hoặc tạo cơ sở dữ liệu thật bằng `bientap init --profile MÃ`",
                        "no database at {}; the demo database (bientap demo) is {}: add `--db {}` to the command, or create a real one with `bientap init --profile ID`",
                        p.display(),
                        demo.display(),
                        demo.display()
                    )
                } else {
                    tr!(
                        lang,
                        "không có cơ sở dữ liệu tại {} (tạo bằng `bientap init --profile MÃ` hoặc chạy thử `bientap demo`)",
                        "no database at {} (create one with `bientap init --profile ID`, or try `bientap demo`)",
                        p.display()
                    )
                }
            }
            StoreError::Exists(p) => tr!(
                lang,
                "đã có cơ sở dữ liệu tại {}; không ghi đè",
                "a database already exists at {}; not overwriting it",
                p.display()
            ),
            StoreError::ReadOnly(p) => tr!(
                lang,
                "cơ sở dữ liệu chỉ đọc{}: không ghi được thay đổi (kiểm tra quyền nhóm bientap)",
                "the database is read-only{}: nothing was changed (check the bientap group's permissions)",
                if p.as_os_str().is_empty() { String::new() } else { format!(" ({})", p.display()) }
            ),
            StoreError::Busy => tr!(
                lang,
                "cơ sở dữ liệu đang bị người khác ghi quá {} giây; chưa thay đổi gì, hãy thử lại",
                "the database was locked by another writer for more than {} s; nothing was changed, try again",
                BUSY_TIMEOUT.as_secs()
            ),
            StoreError::NotBientap(p) => tr!(
                lang,
                "{p} không phải cơ sở dữ liệu của bientap",
                "{p} is not a bientap database"
            ),
            StoreError::TooNew { found, supported } => tr!(
                lang,
                "cơ sở dữ liệu có lược đồ phiên bản {found}, mới hơn chương trình này ({supported}); hãy cập nhật bientap",
                "the database has schema version {found}, newer than this program ({supported}); update bientap"
            ),
            StoreError::NetworkFs(p) => tr!(
                lang,
                "{} nằm trên hệ thống tệp mạng (NFS/CIFS); SQLite WAL không an toàn ở đó, hãy dùng ổ đĩa cục bộ",
                "{} is on a network file system (NFS/CIFS); SQLite WAL is not safe there, use a local disk",
                p.display()
            ),
            StoreError::NotFound(id) => tr!(
                lang,
                "không có tin bài số {id}",
                "no item {id}"
            ),
            StoreError::Conflict { id, expected, found } => tr!(
                lang,
                "tin bài {id} đã được người khác sửa (phiên bản {found}, bạn đang xem {expected}); tải lại rồi làm lại, không ghi đè",
                "item {id} was changed by someone else (version {found}, you had {expected}); reload and redo, nothing overwritten"
            ),
            StoreError::UnknownUser(l) => tr!(
                lang,
                "tài khoản \"{l}\" chưa có trong Ban biên tập (thư ký thêm bằng `bientap user add {l} --name … --role …`)",
                "login \"{l}\" is not on the board (the secretary adds it with `bientap user add {l} --name … --role …`)"
            ),
            StoreError::UserExists(l) => tr!(
                lang,
                "tài khoản \"{l}\" đã có",
                "login \"{l}\" already exists"
            ),
            StoreError::InactiveUser(l) => tr!(
                lang,
                "tài khoản \"{l}\" đã bị vô hiệu",
                "login \"{l}\" is deactivated"
            ),
            StoreError::UnknownRole(r) => {
                let roles = profile
                    .map(|p| {
                        p.roles
                            .iter()
                            .map(|r| r.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                tr!(
                    lang,
                    "vai trò \"{r}\" không có trong quy chế; các vai trò: {roles}",
                    "role \"{r}\" is not in the regulation; roles: {roles}"
                )
            }
            StoreError::Workflow(w) => match profile {
                Some(p) => w.message(lang, p),
                None => w.to_string(),
            },
            StoreError::FourEyesTrigger => tr!(
                lang,
                "nguyên tắc bốn mắt (ràng buộc của cơ sở dữ liệu): người duyệt lần cuối đã biên tập hoặc kiểm tra tin bài này",
                "four-eyes rule (database constraint): the final approver edited or verified this item"
            ),
            StoreError::Invalid { vi, en } => lang.pick(vi, en).to_string(),
            StoreError::Profile(m) => m.clone(),
            StoreError::Sqlite(e) => tr!(
                lang,
                "lỗi cơ sở dữ liệu: {e}",
                "database error: {e}"
            ),
            StoreError::Io(e) => tr!(lang, "lỗi vào/ra: {e}", "I/O error: {e}"),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open bientap database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    profile: Profile,
    due_hook: Option<DueHook>,
}

/// Computes an item's due time (`items.due_at`) inside the transaction that changes it.
pub type DueHook = std::sync::Arc<dyn Fn(&Profile, &Item) -> Option<String> + Send + Sync>;

/// Open a connection to a bientap database through the write-merging VFS shim ([`vfs`]), or
/// SQLite's default VFS when the shim could not be registered.
pub(crate) fn open_connection(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    match vfs::name() {
        Some(name) => Connection::open_with_flags_and_vfs(path, flags, name),
        None => Connection::open_with_flags(path, flags),
    }
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    register_functions(conn)?;
    Ok(())
}

/// Put a database in WAL mode if it is not (a copy made with `VACUUM INTO`, `.backup` or an
/// older tool is in rollback-journal mode): WAL lets the console read while an import or an
/// export writes, and a commit costs one `fsync` of the log instead of a journal and the file.
/// Nothing is done when the database is read-only or another connection holds it (the mode
/// then stays as it is: correct, only slower).
fn ensure_wal(conn: &Connection) {
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap_or_default();
    let read_only = conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true);
    if !mode.eq_ignore_ascii_case("wal") && !read_only {
        // Without waiting: a database held by another connection is opened as it is.
        let _ = conn.busy_timeout(std::time::Duration::ZERO);
        let _ = conn.pragma_update(None, "journal_mode", "WAL");
        let _ = conn.busy_timeout(BUSY_TIMEOUT);
    }
}

/// SQL functions of bientap. `bt_has_words(text, words)`: 1 when every space-separated word of
/// `words` (already folded) is a whole word of `text` once folded (`text::fold`) — the same
/// match as the search index, evaluated on one row. The console's title filter uses it on the
/// rows of a page's index walk, which costs microseconds a row instead of building every
/// title match of the index first.
fn register_functions(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "bt_has_words",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
            let words: String = ctx.get::<Option<String>>(1)?.unwrap_or_default();
            Ok(has_words(&text, &words))
        },
    )?;
    // `bt_fold(text)`: what the search indexes are given for a text ([`index_words`]), for
    // migrations that build them.
    conn.create_scalar_function(
        "bt_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
            Ok(index_words(&text))
        },
    )?;
    Ok(())
}

/// Whether every word of `words` (folded, space-separated) is a word of `text` once folded.
pub fn has_words(text: &str, words: &str) -> bool {
    let folded = crate::text::fold::fold(text);
    let have: Vec<&str> = crate::text::fold::words(&folded).collect();
    words
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| have.contains(&w))
}

/// Refuse network file systems, where WAL is unsafe.
fn check_local_fs(dir: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let Ok(c) = CString::new(dir.as_os_str().as_bytes()) else {
            return Ok(());
        };
        let mut st: libc::statfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized out-parameter.
        let rc = unsafe { libc::statfs(c.as_ptr(), &mut st) };
        if rc == 0 {
            const NFS: i64 = 0x6969;
            const SMB: i64 = 0x517B;
            const CIFS: i64 = 0xFF53_4D42;
            const SMB2: i64 = 0xFE53_4D42;
            let t = st.f_type as i64;
            if t == NFS || t == SMB || t == CIFS || t == SMB2 {
                return Err(StoreError::NetworkFs(dir.to_path_buf()));
            }
        }
    }
    Ok(())
}

impl Store {
    /// Create a new database for a profile. `profile_text` is stored so that the database
    /// carries the exact rules it was created under.
    pub fn create(path: &Path, profile: &Profile, profile_text: &str) -> Result<Store> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
            check_local_fs(dir)?;
        }
        let conn = open_connection(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        configure(&conn)?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let r = (|| -> Result<()> {
            conn.execute_batch(SCHEMA)?;
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('profile_id', ?1), ('profile_toml', ?2), ('created_at', ?3)",
                rusqlite::params![profile.id, profile_text, ts(chrono::Utc::now())],
            )?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            Ok(())
        })();
        match r {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            profile: profile.clone(),
            due_hook: None,
        })
    }

    /// Open an existing database; reads its profile.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, &mut |_, _| {})
    }

    /// [`Store::open`], calling `before_upgrade(from, to)` just before an older schema is
    /// brought up to date (so that a command can say why it is slow).
    pub fn open_with(path: &Path, before_upgrade: &mut dyn FnMut(i64, i64)) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::NoDatabase(path.to_path_buf()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            check_local_fs(dir)?;
        }
        let conn = open_connection(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .or_else(|_| {
            open_connection(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
        })
        .map_err(|e| match StoreError::from(e) {
            StoreError::Sqlite(_) => StoreError::NotBientap(path.display().to_string()),
            other => other,
        })?;
        configure(&conn).map_err(|e| match e {
            StoreError::Sqlite(_) => StoreError::NotBientap(path.display().to_string()),
            other => other,
        })?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|_| StoreError::NotBientap(path.display().to_string()))?;
        if version == 0 {
            return Err(StoreError::NotBientap(path.display().to_string()));
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        ensure_wal(&conn);
        if version < SCHEMA_VERSION {
            before_upgrade(version, SCHEMA_VERSION);
            migrate(&conn, version).map_err(|e| match e {
                StoreError::ReadOnly(_) => StoreError::ReadOnly(path.to_path_buf()),
                other => other,
            })?;
        }
        let text: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'profile_toml'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|_| StoreError::NotBientap(path.display().to_string()))?;
        let text = text.ok_or_else(|| StoreError::NotBientap(path.display().to_string()))?;
        let profile =
            crate::profile::parse(&format!("{} (meta.profile_toml)", path.display()), &text)
                .map_err(|e| StoreError::Profile(e.message(Lang::En)))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            profile,
            due_hook: None,
        })
    }

    /// Install the due-time computation (see `crate::due::install`).
    pub fn set_due_hook(&mut self, hook: DueHook) {
        self.due_hook = Some(hook);
    }

    pub(crate) fn due_hook(&self) -> Option<DueHook> {
        self.due_hook.clone()
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for read-only queries of other modules (reports, export, TUI).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run `f` in a `BEGIN IMMEDIATE` transaction: committed if it returns Ok, rolled back otherwise.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_or_roll_back(|tx| f(tx).map(Some))?
            .ok_or_else(|| StoreError::Io(std::io::Error::other("transaction rolled back")))
    }

    /// [`Store::write`] whose closure may decline to commit: `Ok(None)` rolls the whole
    /// transaction back (the importer then writes the batch again, message by message).
    pub fn write_or_roll_back<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let path = self.path.clone();
        let map = move |e: StoreError| match e {
            StoreError::ReadOnly(_) => StoreError::ReadOnly(path.clone()),
            other => other,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| map(e.into()))?;
        match f(&tx).map_err(&map)? {
            Some(out) => {
                tx.commit().map_err(|e| map(e.into()))?;
                Ok(Some(out))
            }
            None => {
                tx.rollback().map_err(|e| map(e.into()))?;
                Ok(None)
            }
        }
    }

    /// `PRAGMA data_version`: changes when another connection commits (for live refresh).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// A meta value.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }
}

/// A new database at `path` under the bundled profile `stp-binh-phuoc` (for the store's tests).
#[cfg(test)]
pub(crate) fn test_store(path: &Path) -> Store {
    let id = "stp-binh-phuoc";
    let profile = crate::profile::load_bundled(id).expect("bundled profile");
    let text = crate::profile::bundled_text(id).expect("bundled profile text");
    Store::create(path, &profile, text).expect("new database")
}

/// Fold text for the search index and queries: `text::fold` (NFD, marks dropped, đ→d, lower
/// case) — unicode61 with remove_diacritics 2 would fold the vowels but never đ.
pub fn fold_index(s: &str) -> String {
    crate::text::fold::fold(s)
}

/// What the search index is given for a text: its folded words, each once, space-separated.
/// The index keeps only which rows have a word (`detail = none`), so repeats add nothing
/// but work — and that work runs on the importer's single writing thread, while this runs on
/// its workers. Words are split where the search query splits them ([`search::fts_query`]).
pub fn index_words(s: &str) -> String {
    folded_index_words(&fold_index(s))
}

/// [`index_words`] of a text already folded (`fold_index`).
pub fn folded_index_words(folded: &str) -> String {
    crate::text::fold::join_unique(crate::text::fold::words(folded))
}

pub use blobs::{blob_path, Blob};

#[cfg(test)]
mod tests {
    use super::{has_words, index_words, schema_statements, Store};

    #[test]
    fn index_words_keeps_every_folded_word_once() {
        let t = "Thi hành án dân sự: thi hành án, THI HÀNH ÁN — Đảng ủy; đảng";
        assert_eq!(index_words(t), "thi hanh an dan su dang uy");
        let all: std::collections::BTreeSet<String> = crate::text::fold::fold(t)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        let kept: std::collections::BTreeSet<String> =
            index_words(t).split(' ').map(str::to_string).collect();
        assert_eq!(all, kept);
    }

    /// A copy made with `VACUUM INTO` (as a backup script would) is in rollback-journal mode;
    /// opening it puts it back in WAL, unless another connection holds it.
    #[test]
    fn a_copy_in_rollback_journal_mode_is_opened_in_wal() {
        let d = tempfile::tempdir().unwrap();
        let (db, copy) = (d.path().join("a.db"), d.path().join("copy.db"));
        let st = super::test_store(&db);
        st.conn()
            .execute("VACUUM INTO ?1", [copy.display().to_string()])
            .unwrap();
        let mode = |c: &rusqlite::Connection| -> String {
            c.pragma_query_value(None, "journal_mode", |r| r.get(0))
                .unwrap()
        };
        let holder = rusqlite::Connection::open(&copy).unwrap();
        assert_eq!(mode(&holder), "delete");
        // Held by a reader in the middle of a transaction: left as it is, and still opens.
        holder
            .execute_batch("BEGIN; SELECT count(*) FROM items;")
            .unwrap();
        let busy = Store::open(&copy).unwrap();
        assert_eq!(mode(busy.conn()), "delete");
        drop(busy);
        holder.execute_batch("COMMIT").unwrap();
        drop(holder);
        let st = Store::open(&copy).unwrap();
        assert_eq!(mode(st.conn()), "wal");
    }

    /// The columns of `items`, in order.
    fn item_columns(c: &rusqlite::Connection) -> Vec<String> {
        c.prepare("SELECT name FROM pragma_table_info('items') ORDER BY cid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// A database of the first release (search index with positions, no `blobs` table) is
    /// brought up to date when opened, and its search index rebuilt gives the same answers as
    /// a row-by-row check of every item.
    #[test]
    fn first_release_database_migrates_and_search_still_finds_everything() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("m.db");
        let id = "stp-binh-phuoc";
        let profile = crate::profile::load_bundled(id).unwrap();
        let text = crate::profile::bundled_text(id).unwrap();
        crate::demo::generate(
            &db,
            &profile,
            text,
            "thuky",
            "thu-ky",
            40,
            3,
            chrono::Utc::now(),
        )
        .unwrap();
        // What every table and the audit chain hold, by column name, and the schema objects
        // of `items` (indexes and triggers), as a fresh database has them.
        let snapshot = |c: &rusqlite::Connection| -> (Vec<String>, Vec<String>) {
            let mut rows = Vec::new();
            for t in [
                "items",
                "audit",
                "attachments",
                "checks",
                "state_counts",
                "revisions",
            ] {
                let mut st = c
                    .prepare(&format!("SELECT * FROM {t} ORDER BY 1, 2"))
                    .unwrap();
                let names: Vec<String> = st.column_names().map(|n| n.to_string()).collect();
                let mut q = st.query([]).unwrap();
                while let Some(r) = q.next().unwrap() {
                    let mut cells: Vec<String> = (0..names.len())
                        .map(|i| format!("{}={:?}", names[i], r.get_ref(i).unwrap()))
                        .collect();
                    cells.sort();
                    rows.push(format!("{t}: {}", cells.join(" | ")));
                }
            }
            let objects = c
                .prepare("SELECT type || ' ' || name || ' ' || sql FROM sqlite_master WHERE tbl_name = 'items' AND type IN ('index','trigger') ORDER BY name")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<Vec<String>>>()
                .unwrap();
            (rows, objects)
        };
        let before;
        let stats_before: Vec<(String, String)>;
        let stats = |c: &rusqlite::Connection| -> Vec<(String, String)> {
            c.prepare("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'items' ORDER BY idx")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        {
            let c = rusqlite::Connection::open(&db).unwrap();
            before = snapshot(&c);
            // The first release: `lead` and `body` right after `title`, and the search index
            // with positions; no `blobs`, no `titles_fts`.
            let stmts = schema_statements();
            let table = stmts
                .iter()
                .find(|s| s.trim_start().starts_with("CREATE TABLE items ("))
                .unwrap();
            let lead = "    lead        TEXT NOT NULL DEFAULT '',\n";
            let body = "    body        TEXT NOT NULL DEFAULT ''\n";
            let old_ddl = table
                .replace(",\n    -- Long text last", "\n    -- Long text last")
                .replace(lead, "")
                .replace(body, "")
                .replace(
                    "    title       TEXT NOT NULL,\n",
                    "    title       TEXT NOT NULL,\n    lead        TEXT NOT NULL DEFAULT '',\n    body        TEXT NOT NULL DEFAULT '',\n",
                )
                .replacen("CREATE TABLE items (", "CREATE TABLE items_old (", 1);
            assert!(old_ddl.contains("published_at TEXT\n"), "{old_ddl}");
            c.pragma_update(None, "foreign_keys", "OFF").unwrap();
            c.execute_batch(&format!(
                "BEGIN; {old_ddl}
                 INSERT INTO items_old SELECT id, version, state, step, category, title, lead, body,
                   sub_name, sub_title, sub_org, sub_email, sub_phone, sub_address, sub_confidential,
                   unit, src_kind, src_author, src_name, src_url, src_date, event_at, issued_at,
                   received_at, anchor_at, rule_override, extended, due_at, sensitive, opinion,
                   escalated_from, assignee, last_actor, channel, message_id, content_digest,
                   encoding_from, check_flags, dup_score, created_at, updated_at, published_at
                 FROM items;
                 DROP TABLE items;
                 PRAGMA legacy_alter_table = ON;
                 ALTER TABLE items_old RENAME TO items;
                 PRAGMA legacy_alter_table = OFF;
                 COMMIT;"
            ))
            .unwrap();
            for s in &stmts {
                let t = s.trim_start();
                if (t.starts_with("CREATE INDEX") || t.starts_with("CREATE TRIGGER"))
                    && (t.contains(" ON items(") || t.contains(" ON items\n"))
                {
                    c.execute_batch(s).unwrap();
                }
            }
            // The first release's index of Message-IDs and its `checks` with a row id.
            c.execute_batch(
                "CREATE INDEX items_message ON items(message_id);
                 CREATE TABLE checks_old (
                     item_id INTEGER NOT NULL REFERENCES items(id),
                     code    TEXT NOT NULL,
                     status  TEXT NOT NULL CHECK (status IN ('pass','fail','warn','na')),
                     article TEXT NOT NULL DEFAULT '',
                     detail  TEXT NOT NULL DEFAULT '',
                     PRIMARY KEY (item_id, code));
                 INSERT INTO checks_old SELECT * FROM checks;
                 DROP TABLE checks;
                 ALTER TABLE checks_old RENAME TO checks;",
            )
            .unwrap();
            let cols = item_columns(&c);
            assert_eq!(&cols[5..8], ["title", "lead", "body"]);
            c.execute_batch("ANALYZE").unwrap();
            // Statistics of the indexes that stay.
            stats_before = stats(&c)
                .into_iter()
                .filter(|(idx, _)| idx != "items_message")
                .collect();
            assert!(stats_before.len() > 5, "{stats_before:?}");
            c.execute_batch(
                "DROP TABLE items_fts;
                 CREATE VIRTUAL TABLE items_fts USING fts5(title, body, submitter, content = '',
                   contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2',
                   prefix = '1 2 3');
                 DROP TABLE blobs; DROP TABLE titles_fts; DROP INDEX dup_matches_other;
                 PRAGMA user_version = 1;",
            )
            .unwrap();
            // Before migration 8: items added by hand had no content digest and no band keys,
            // and an edited item kept the keys of its first text.
            c.execute_batch(
                "DELETE FROM dup_bands WHERE item_id % 3 = 0;
                 UPDATE items SET content_digest = NULL WHERE id % 2 = 0;
                 INSERT INTO dup_bands(key, item_id) VALUES (12345, 1);",
            )
            .unwrap();
        }
        let st = Store::open(&db).unwrap();
        // Every row kept, `body` last, the same indexes and triggers as a fresh database
        // (the content digests that were missing computed again, equal to what adding gave).
        assert_eq!(snapshot(st.conn()), before);
        // Every item in the near-duplicate index with the keys of its current text, and no
        // other key.
        let mut expected: Vec<(i64, i64)> = Vec::new();
        let texts: Vec<(i64, String, String)> = st
            .conn()
            .prepare("SELECT id, title, body FROM items")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for (id, title, body) in &texts {
            let (_, keys) = super::intake::dup_fingerprint(&super::intake::dup_source(title, body));
            assert_eq!(keys.len(), crate::text::minhash::BANDS, "item {id}");
            expected.extend(keys.into_iter().map(|k| (k as i64, *id)));
        }
        expected.sort_unstable();
        expected.dedup();
        let bands: Vec<(i64, i64)> = st
            .conn()
            .prepare("SELECT key, item_id FROM dup_bands ORDER BY key, item_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(bands, expected);
        let cols = item_columns(st.conn());
        assert_eq!(cols[cols.len() - 2..], ["lead", "body"]);
        // The planner's statistics of `items` survive the rebuild.
        assert_eq!(stats(st.conn()), stats_before);
        let fk: i64 = st
            .conn()
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1, "foreign keys back on after the migration");
        let sql: String = st
            .conn()
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'items_fts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains("detail = none"), "{sql}");
        let sql: String = st
            .conn()
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'checks'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.ends_with("WITHOUT ROWID"), "{sql}");
        let other: i64 = st
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'dup_matches_other'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            other, 1,
            "the index of the items a match names (migration 9)"
        );
        let titles: i64 = st
            .conn()
            .query_row(
                "SELECT count(*) FROM titles_fts WHERE titles_fts MATCH 'so'",
                [],
                |r| r.get(0),
            )
            .unwrap_or(-1);
        assert!(titles >= 0, "the title index exists after migrating");
        let rows: Vec<(i64, String, String)> = st
            .conn()
            .prepare("SELECT id, title, lead || ' ' || body || ' ' || sub_name || ' ' || sub_org FROM items")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut checked = 0;
        for (_, title, _) in rows.iter().take(10) {
            let words: Vec<String> = index_words(title)
                .split(' ')
                .take(2)
                .map(str::to_string)
                .collect();
            // Two whole words (a short last word would also match as a prefix).
            if words.len() < 2 || words[1].chars().count() <= super::search::PREFIX_MAX {
                continue;
            }
            let q = words.join(" ");
            let mut found: Vec<i64> = st
                .search(&q, 1000)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect();
            found.sort_unstable();
            let expected: Vec<i64> = rows
                .iter()
                .filter(|(_, t, rest)| has_words(&format!("{t} {rest}"), &q))
                .map(|(id, _, _)| *id)
                .collect();
            assert_eq!(found, expected, "{q}");
            checked += 1;
        }
        assert!(checked >= 3, "{checked}");
    }

    #[test]
    fn has_words_matches_whole_folded_words_all_of_them() {
        assert!(has_words("Hội nghị về Thi hành án dân sự", "thi hanh"));
        assert!(has_words("Quyết định số 12/QĐ-CTHADS", "quyet dinh qd"));
        assert!(!has_words("Thi hành án", "thi hanh an dan"));
        // Whole words only: "an" is not found inside "ban".
        assert!(!has_words("Ban Biên tập", "an"));
        assert!(has_words("anything", ""));
    }
}
