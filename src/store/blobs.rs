//! Attachment bytes, content-addressed by SHA-256.
//!
//! Small attachments (up to [`INLINE_MAX`], which covers the documents and scans boards
//! usually receive) live in the database itself, in the `blobs` table, written in the same
//! transaction as the item that references them: one durable commit, no file per attachment
//! (creating and syncing a file costs more than the rest of a typical message's import).
//! Larger ones are files under the data directory, `blobs/<ab>/<64 hex digits>`, made durable
//! before the transaction that references them commits (see `intake::blobs`).
//!
//! Readers call [`Store::blob`]: the table first, then the file, then the layout of the first
//! release (`blobs/<ab>/<62 remaining digits>`), so that attachments imported then stay
//! readable.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use super::{Result, Store};

/// Largest attachment stored inside the database.
pub const INLINE_MAX: usize = 256 * 1024;

/// Where an attachment's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blob {
    /// In the database.
    Inline(Vec<u8>),
    /// A file under the data directory (it may be missing: the reader reports that).
    File(PathBuf),
}

/// Where a large attachment's bytes live: content-addressed under the data directory,
/// `blobs/<first two hex digits>/<all 64 hex digits>`.
pub fn blob_path(data_dir: &Path, sha256_hex: &str) -> PathBuf {
    let prefix = sha256_hex.get(..2).unwrap_or("00");
    data_dir.join("blobs").join(prefix).join(sha256_hex)
}

/// The first release's layout (`blobs/<ab>/<the other 62 digits>`), still read.
fn legacy_blob_path(data_dir: &Path, sha256_hex: &str) -> PathBuf {
    let (a, b) = sha256_hex.split_at(2.min(sha256_hex.len()));
    data_dir.join("blobs").join(a).join(b)
}

/// Store `data` (whose SHA-256 is `sha`) in the database; a blob already there is kept.
/// Call inside the transaction that records the attachment.
pub fn put_inline(conn: &Connection, sha: &str, data: &[u8]) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO blobs(sha256, data) VALUES (?1, ?2)")?
        .execute(rusqlite::params![sha, data])?;
    Ok(())
}

impl Store {
    /// The bytes of the attachment with this SHA-256: in the database, or the file under the
    /// data directory where it should be.
    pub fn blob(&self, sha: &str) -> Result<Blob> {
        let inline: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT data FROM blobs WHERE sha256 = ?1")?
            .query_row([sha], |r| r.get(0))
            .optional()?;
        if let Some(d) = inline {
            return Ok(Blob::Inline(d));
        }
        let data_dir = super::identity::data_dir(self.path());
        let p = blob_path(&data_dir, sha);
        if !p.exists() {
            let old = legacy_blob_path(&data_dir, sha);
            if old.exists() {
                return Ok(Blob::File(old));
            }
        }
        Ok(Blob::File(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_first_then_file_then_first_release_layout() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("b.db");
        let st = crate::store::test_store(&db);
        let data_dir = super::super::identity::data_dir(&db);
        let sha = "ab".repeat(32);
        // Nothing anywhere: the expected file (whose absence the reader reports).
        assert_eq!(
            st.blob(&sha).unwrap(),
            Blob::File(blob_path(&data_dir, &sha))
        );
        // The first release's layout is found.
        let old = legacy_blob_path(&data_dir, &sha);
        std::fs::create_dir_all(old.parent().unwrap()).unwrap();
        std::fs::write(&old, b"old").unwrap();
        assert_eq!(st.blob(&sha).unwrap(), Blob::File(old));
        // In the database: wins, and a second put keeps the first.
        put_inline(st.conn(), &sha, b"inline").unwrap();
        put_inline(st.conn(), &sha, b"other").unwrap();
        assert_eq!(st.blob(&sha).unwrap(), Blob::Inline(b"inline".to_vec()));
    }

    #[test]
    fn a_first_release_database_gets_the_table_when_opened() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("b.db");
        drop(crate::store::test_store(&db));
        {
            let c = Connection::open(&db).unwrap();
            c.execute_batch("DROP TABLE blobs; DROP TABLE titles_fts; PRAGMA user_version = 1;")
                .unwrap();
        }
        let st = Store::open(&db).unwrap();
        let v: i64 = st
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, super::super::SCHEMA_VERSION);
        put_inline(st.conn(), "cd", b"x").unwrap();
        assert_eq!(st.blob("cd").unwrap(), Blob::Inline(b"x".to_vec()));
    }
}
