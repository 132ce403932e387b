//! Content-addressed store of large attachments (over `store::blobs::INLINE_MAX`; smaller
//! ones go into the database): `data_dir/blobs/ab/abcdef…` (SHA-256, hex).
//!
//! A blob is written to a temporary file in `data_dir/blobs/tmp/`, made durable, then renamed
//! into place; its name is its hash, so no name from a message ever reaches the file system.
//! For group commit, writes are staged: [`BlobBatch::put`] writes the temporary file,
//! [`BlobBatch::commit`] flushes all of them with one `syncfs` (per-file `fsync` when that is
//! not available), renames them into place and flushes the directories — before the database
//! transaction that references them commits.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub use crate::store::blob_path;

/// Blobs written in one import batch, made durable together. [`BlobBatch::put`] takes `&self`:
/// the importer's worker threads stage blobs concurrently.
pub struct BlobBatch {
    data_dir: PathBuf,
    tmp_dir: PathBuf,
    staged: Mutex<Staged>,
}

/// Numbers the temporary files of every batch of this process: batches are staged while the
/// previous one is committed, so their temporary names must never collide.
static SEQ: AtomicU64 = AtomicU64::new(0);

#[derive(Default)]
struct Staged {
    /// (temporary file, destination)
    files: Vec<(PathBuf, PathBuf)>,
    dests: HashSet<PathBuf>,
}

impl BlobBatch {
    pub fn new(data_dir: &Path) -> std::io::Result<BlobBatch> {
        let tmp_dir = data_dir.join("blobs").join("tmp");
        fs::create_dir_all(&tmp_dir)?;
        Ok(BlobBatch {
            data_dir: data_dir.to_path_buf(),
            tmp_dir,
            staged: Mutex::new(Staged::default()),
        })
    }

    fn staged(&self) -> std::sync::MutexGuard<'_, Staged> {
        // A worker that panicked cannot leave the list half-updated (push/insert only).
        self.staged.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stage a blob; returns its SHA-256. A blob already in place (same hash, same size) or
    /// already staged in this batch is not written again.
    pub fn put(&self, data: &[u8]) -> std::io::Result<String> {
        let sha = sha256_hex(data);
        let dest = blob_path(&self.data_dir, &sha);
        if fs::metadata(&dest).is_ok_and(|m| m.len() == data.len() as u64) {
            return Ok(sha);
        }
        // Claim the destination first, so that two threads never write the same blob.
        if !self.staged().dests.insert(dest.clone()) {
            return Ok(sha);
        }
        let seq = SEQ.fetch_add(1, Ordering::Relaxed) + 1;
        let tmp = self
            .tmp_dir
            .join(format!("{}.{}.{}", std::process::id(), seq, &sha[..16]));
        let written = File::create(&tmp).and_then(|mut f| f.write_all(data));
        let mut st = self.staged();
        match written {
            Ok(()) => {
                st.files.push((tmp, dest));
                Ok(sha)
            }
            Err(e) => {
                st.dests.remove(&dest);
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Remove temporary files that a killed import left behind: their name starts with the
    /// process id of the run that wrote them, and that process is gone. Files of a run still
    /// going (another `bientap import`) are kept. Returns how many were removed.
    pub fn sweep_stale(data_dir: &Path) -> usize {
        let tmp = data_dir.join("blobs").join("tmp");
        let Ok(rd) = fs::read_dir(&tmp) else {
            return 0;
        };
        let me = std::process::id();
        let mut removed = 0;
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            if pid != me && !process_alive(pid) && fs::remove_file(e.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Number of blobs staged and not yet committed.
    pub fn pending(&self) -> usize {
        self.staged().files.len()
    }

    /// Make every staged blob durable and move it into place.
    pub fn commit(&mut self) -> std::io::Result<()> {
        let st = self.staged.get_mut().unwrap_or_else(|e| e.into_inner());
        if st.files.is_empty() {
            return Ok(());
        }
        sync_all(&self.tmp_dir, st.files.iter().map(|(t, _)| t.as_path()))?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        st.dests.clear();
        for (tmp, dest) in st.files.drain(..) {
            if let Some(d) = dest.parent() {
                if !dirs.iter().any(|x| x == d) {
                    fs::create_dir_all(d)?;
                    dirs.push(d.to_path_buf());
                }
            }
            fs::rename(&tmp, &dest)?;
        }
        // The renames (directory entries) must be durable too.
        sync_all(&self.tmp_dir, dirs.iter().map(PathBuf::as_path))
    }

    /// Remove staged temporary files (the batch was abandoned).
    pub fn abandon(&mut self) {
        let st = self.staged.get_mut().unwrap_or_else(|e| e.into_inner());
        st.dests.clear();
        for (tmp, _) in st.files.drain(..) {
            let _ = fs::remove_file(tmp);
        }
    }
}

impl Drop for BlobBatch {
    fn drop(&mut self) {
        self.abandon();
    }
}

/// Whether a process with this id exists (signal 0 checks without sending anything).
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks that the process exists and may be signalled.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Flush the file system holding `anchor` (one `syncfs`), or each path with `fsync`.
fn sync_all<'a>(anchor: &Path, paths: impl Iterator<Item = &'a Path>) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::io::AsRawFd;
        let _ = paths;
        let d = File::open(anchor)?;
        // SAFETY: a valid open descriptor.
        let rc = unsafe { libc::syncfs(d.as_raw_fd()) };
        if rc == 0 {
            return Ok(());
        }
        Err(std::io::Error::last_os_error())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = anchor;
        for p in paths {
            File::open(p)?.sync_all()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_addressed_and_deduplicated() {
        let d = tempfile::tempdir().unwrap();
        let mut b = BlobBatch::new(d.path()).unwrap();
        let s1 = b.put(b"abc").unwrap();
        let s2 = b.put(b"abc").unwrap();
        assert_eq!(s1, s2);
        assert_eq!(b.pending(), 1);
        b.commit().unwrap();
        let p = blob_path(d.path(), &s1);
        assert_eq!(fs::read(&p).unwrap(), b"abc");
        assert!(p.starts_with(d.path().join("blobs").join(&s1[..2])));
        assert_eq!(fs::read_dir(d.path().join("blobs/tmp")).unwrap().count(), 0);
    }

    #[test]
    fn stale_temporary_files_of_dead_runs_are_swept_live_ones_kept() {
        let d = tempfile::tempdir().unwrap();
        let b = BlobBatch::new(d.path()).unwrap();
        b.put(b"mine").unwrap();
        let tmp = d.path().join("blobs/tmp");
        // A process id that cannot exist (above the kernel's limit) and our own parent's.
        fs::write(tmp.join("4194305.1.0123456789abcdef"), b"dead").unwrap();
        let parent = std::os::unix::process::parent_id();
        fs::write(tmp.join(format!("{parent}.1.fedcba9876543210")), b"live").unwrap();
        fs::write(tmp.join("not-ours"), b"x").unwrap();
        assert_eq!(BlobBatch::sweep_stale(d.path()), 1);
        let mut left: Vec<String> = fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 3, "{left:?}");
        assert!(!left.iter().any(|n| n.starts_with("4194305.")));
    }

    #[test]
    fn concurrent_batches_never_share_a_temporary_file() {
        let d = tempfile::tempdir().unwrap();
        // Two batches staged at once (the importer prepares the next while committing one),
        // with the same blob from two threads each.
        let mut a = BlobBatch::new(d.path()).unwrap();
        let mut b = BlobBatch::new(d.path()).unwrap();
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| a.put(b"same").unwrap());
                s.spawn(|| b.put(b"same").unwrap());
            }
        });
        assert_eq!((a.pending(), b.pending()), (1, 1));
        a.commit().unwrap();
        b.commit().unwrap();
        let sha = sha256_hex(b"same");
        assert_eq!(fs::read(blob_path(d.path(), &sha)).unwrap(), b"same");
        assert_eq!(fs::read_dir(d.path().join("blobs/tmp")).unwrap().count(), 0);
    }
}
