//! Content-addressed attachment store: `data_dir/blobs/ab/cdef…` (SHA-256, hex).
//!
//! A blob is written to a temporary file in `data_dir/blobs/tmp/`, made durable, then renamed
//! into place; its name is its hash, so no name from a message ever reaches the file system.
//! For group commit, writes are staged: [`BlobBatch::put`] writes the temporary file,
//! [`BlobBatch::commit`] flushes all of them with one `syncfs` (per-file `fsync` when that is
//! not available), renames them into place and flushes the directories — before the database
//! transaction that references them commits.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Path of a blob under the data directory.
pub fn blob_path(data_dir: &Path, sha: &str) -> PathBuf {
    let (a, b) = sha.split_at(2.min(sha.len()));
    data_dir.join("blobs").join(a).join(b)
}

/// Blobs written in one import batch, made durable together.
pub struct BlobBatch {
    data_dir: PathBuf,
    tmp_dir: PathBuf,
    staged: Vec<(PathBuf, PathBuf)>,
    seq: u64,
}

impl BlobBatch {
    pub fn new(data_dir: &Path) -> std::io::Result<BlobBatch> {
        let tmp_dir = data_dir.join("blobs").join("tmp");
        fs::create_dir_all(&tmp_dir)?;
        Ok(BlobBatch {
            data_dir: data_dir.to_path_buf(),
            tmp_dir,
            staged: Vec::new(),
            seq: 0,
        })
    }

    /// Stage a blob; returns its SHA-256. A blob already in place (same hash, same size) is
    /// not written again.
    pub fn put(&mut self, data: &[u8]) -> std::io::Result<String> {
        let sha = sha256_hex(data);
        let dest = blob_path(&self.data_dir, &sha);
        if fs::metadata(&dest).is_ok_and(|m| m.len() == data.len() as u64)
            || self.staged.iter().any(|(_, d)| *d == dest)
        {
            return Ok(sha);
        }
        self.seq += 1;
        let tmp = self.tmp_dir.join(format!(
            "{}.{}.{}",
            std::process::id(),
            self.seq,
            &sha[..16]
        ));
        let mut f = File::create(&tmp)?;
        f.write_all(data)?;
        self.staged.push((tmp, dest));
        Ok(sha)
    }

    /// Number of blobs staged and not yet committed.
    pub fn pending(&self) -> usize {
        self.staged.len()
    }

    /// Make every staged blob durable and move it into place.
    pub fn commit(&mut self) -> std::io::Result<()> {
        if self.staged.is_empty() {
            return Ok(());
        }
        sync_all(&self.tmp_dir, self.staged.iter().map(|(t, _)| t.as_path()))?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        for (tmp, dest) in self.staged.drain(..) {
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
        for (tmp, _) in self.staged.drain(..) {
            let _ = fs::remove_file(tmp);
        }
    }
}

impl Drop for BlobBatch {
    fn drop(&mut self) {
        self.abandon();
    }
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
}
