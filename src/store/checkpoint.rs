//! Checkpoints of the write-ahead log on a thread of their own, for long writing runs (import).
//!
//! In WAL mode a commit appends the changed pages to `bientap.db-wal` and syncs that file; a
//! *checkpoint* later copies them into the database file and syncs it. SQLite runs the
//! checkpoint itself after a commit that left the log above `wal_autocheckpoint` pages, on the
//! committing connection: for an import that is the writing thread, whose every millisecond is
//! the run's. A [`Checkpointer`] turns that off for the run and checkpoints from a second
//! connection instead, while the writer goes on with its next batch. Nothing about durability
//! changes: a committed batch is in the synced log either way, and a checkpoint interrupted
//! (kill -9) is done again by the next one.
//!
//! The log can only start again from its beginning when a checkpoint has copied all of it
//! before the writer's next transaction; a checkpointer that is always one batch behind never
//! lets that happen. So once the log has grown past [`Checkpointer::LOG_LIMIT`] pages, the
//! writer completes a checkpoint itself before going on (most of its pages are already copied).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{mpsc, Arc};

use rusqlite::{Connection, OpenFlags};

use super::{Store, BUSY_TIMEOUT};

/// Background checkpoints for the duration of a writing run; see the module documentation.
pub struct Checkpointer {
    wake: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<CheckpointStats>>,
    /// Pages in the log at the last checkpoint (of either thread).
    log_pages: Arc<AtomicI64>,
    /// The store connection's own `wal_autocheckpoint`, given back by [`Checkpointer::finish`].
    autocheckpoint: i64,
    /// Consecutive writes of the log and the database merged for the run ([`super::vfs`]);
    /// dropped after the thread has stopped, which writes every buffer out.
    bulk: Option<super::vfs::Bulk>,
}

/// What the background thread did (for `BIENTAP_TIMING`).
#[derive(Debug, Default, Clone, Copy)]
pub struct CheckpointStats {
    pub checkpoints: u64,
    /// Most pages the log held at one checkpoint.
    pub longest_log: i64,
    pub seconds: f64,
}

/// `PRAGMA wal_checkpoint(PASSIVE)`: (pages in the log, pages copied), or `None` when it could
/// not run (busy, or not in WAL mode).
fn checkpoint(conn: &Connection) -> Option<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })
    .ok()
    .filter(|(busy, log, _)| *busy == 0 && *log >= 0)
    .map(|(_, log, done)| (log, done))
}

impl Checkpointer {
    /// Log size (pages of 4 KiB: 128 MiB) past which the writer completes a checkpoint itself.
    pub const LOG_LIMIT: i64 = 32 * 1024;

    /// Start checkpointing in the background, or `None` (nothing changed) when the database
    /// is not in WAL mode, is read-only, or cannot be opened a second time.
    pub fn start(store: &Store) -> Option<Checkpointer> {
        let conn = store.conn();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .ok()?;
        if !mode.eq_ignore_ascii_case("wal") || conn.is_readonly(rusqlite::MAIN_DB).ok()? {
            return None;
        }
        let autocheckpoint: i64 = conn
            .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
            .ok()?;
        let other = super::open_connection(
            store.path(),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        other.busy_timeout(BUSY_TIMEOUT).ok()?;
        // Syncs the database before it records how far it copied (see `super::vfs`).
        other.pragma_update(None, "synchronous", "FULL").ok()?;
        conn.pragma_update(None, "wal_autocheckpoint", 0).ok()?;
        let log_pages = Arc::new(AtomicI64::new(0));
        let (wake, woken) = mpsc::channel::<()>();
        let pages = Arc::clone(&log_pages);
        let thread = std::thread::Builder::new()
            .name("bientap-checkpoint".into())
            .spawn(move || {
                let mut stats = CheckpointStats::default();
                while woken.recv().is_ok() {
                    // Several commits since the last wake-up: one checkpoint covers them all.
                    while woken.try_recv().is_ok() {}
                    let t = std::time::Instant::now();
                    if let Some((log, _)) = checkpoint(&other) {
                        pages.store(log, Ordering::Relaxed);
                        stats.checkpoints += 1;
                        stats.longest_log = stats.longest_log.max(log);
                    }
                    stats.seconds += t.elapsed().as_secs_f64();
                }
                stats
            });
        let Ok(thread) = thread else {
            let _ = conn.pragma_update(None, "wal_autocheckpoint", autocheckpoint);
            return None;
        };
        Some(Checkpointer {
            wake: Some(wake),
            thread: Some(thread),
            log_pages,
            autocheckpoint,
            bulk: Some(super::vfs::Bulk::start()),
        })
    }

    /// Call after each commit of the run: wakes the background thread; when the log has grown
    /// past [`Self::LOG_LIMIT`], completes a checkpoint on the store's connection first, so
    /// that the next transaction writes the log from its beginning again.
    pub fn committed(&self, store: &Store) {
        if self.log_pages.load(Ordering::Relaxed) > Self::LOG_LIMIT
            && checkpoint(store.conn()).is_some()
        {
            self.log_pages.store(0, Ordering::Relaxed);
        }
        if let Some(w) = &self.wake {
            let _ = w.send(());
        }
    }

    /// Stop the thread (after its last checkpoint) and give the store's connection its own
    /// automatic checkpoints back.
    pub fn finish(mut self, store: &Store) -> CheckpointStats {
        let stats = self.stop();
        let _ = store
            .conn()
            .pragma_update(None, "wal_autocheckpoint", self.autocheckpoint);
        stats
    }

    fn stop(&mut self) -> CheckpointStats {
        self.wake = None;
        let stats = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        self.bulk = None;
        stats
    }
}

impl Drop for Checkpointer {
    /// The thread never outlives the run, even when `finish` was not reached.
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &std::path::Path) -> Store {
        crate::store::test_store(&dir.join("c.db"))
    }

    fn autocheckpoint(s: &Store) -> i64 {
        s.conn()
            .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
            .unwrap()
    }

    fn wal_len(s: &Store) -> u64 {
        let mut p = s.path().as_os_str().to_owned();
        p.push("-wal");
        std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
    }

    /// Commits made while the checkpointer runs reach the database file from the other
    /// connection; the store's own automatic checkpoints are off meanwhile and back after.
    #[test]
    fn commits_are_copied_into_the_database_by_the_other_connection() {
        let d = tempfile::tempdir().unwrap();
        let mut s = store(d.path());
        let before = autocheckpoint(&s);
        assert!(before > 0);
        let ck = Checkpointer::start(&s).unwrap();
        assert_eq!(autocheckpoint(&s), 0);
        for i in 0..20 {
            s.write(|tx| {
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES (?1, zeroblob(20000))",
                    [format!("k{i}")],
                )?;
                Ok(())
            })
            .unwrap();
            ck.committed(&s);
        }
        let stats = ck.finish(&s);
        assert_eq!(autocheckpoint(&s), before);
        assert!(stats.checkpoints >= 1, "{stats:?}");
        assert!(stats.longest_log > 0, "{stats:?}");
        // Everything is in the database file: a checkpoint now has nothing left to copy.
        let (log, done) = checkpoint(s.conn()).unwrap();
        assert_eq!(log, done);
        let n: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM meta WHERE key LIKE 'k%'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 20);
    }

    /// Past the limit, the writer completes a checkpoint, so the log starts again from its
    /// beginning instead of growing for the whole run; below it, the writer leaves the log to
    /// the background thread (absent here, so that only the writer's checkpoints happen).
    #[test]
    fn the_log_starts_again_once_past_the_limit() {
        let d = tempfile::tempdir().unwrap();
        let mut s = store(d.path());
        s.conn()
            .pragma_update(None, "wal_autocheckpoint", 0)
            .unwrap();
        let ck = Checkpointer {
            wake: None,
            thread: None,
            log_pages: Arc::new(AtomicI64::new(0)),
            autocheckpoint: 1000,
            bulk: Some(crate::store::vfs::Bulk::start()),
        };
        fn put(s: &mut Store, key: &str, bytes: i64) {
            s.write(|tx| {
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES (?1, zeroblob(?2))",
                    rusqlite::params![key, bytes],
                )?;
                Ok(())
            })
            .unwrap();
        }
        put(&mut s, "a", 4_000_000);
        let grown = wal_len(&s);
        assert!(grown > 4_000_000, "{grown}");
        // Below the limit: nothing copied, the next commit makes the log longer.
        ck.committed(&s);
        put(&mut s, "b", 1);
        let longer = wal_len(&s);
        assert!(longer > grown, "{longer} {grown}");
        // Past it: the writer copies everything, and the next commit starts the log again.
        ck.log_pages
            .store(Checkpointer::LOG_LIMIT + 1, Ordering::Relaxed);
        ck.committed(&s);
        assert_eq!(ck.log_pages.load(Ordering::Relaxed), 0);
        put(&mut s, "c", 1);
        assert_eq!(wal_len(&s), longer);
    }

    /// A database in rollback-journal mode is left alone.
    #[test]
    fn not_started_outside_wal_mode() {
        let d = tempfile::tempdir().unwrap();
        let s = store(d.path());
        s.conn()
            .pragma_update(None, "journal_mode", "DELETE")
            .unwrap();
        let before = autocheckpoint(&s);
        assert!(Checkpointer::start(&s).is_none());
        assert_eq!(autocheckpoint(&s), before);
    }
}
