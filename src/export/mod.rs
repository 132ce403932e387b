//! Export: the nightly bundle for the site host (docs/export.md).
//!
//! Crash-safety protocol (one export at a time, under `flock` on `<data dir>/export.lock`):
//! 1. Recover: every ledger run still `staged` is finished first — its final directory is kept if
//!    it verifies, else its `.tmp-<run>` is renamed into place if it verifies, else the bundle is
//!    rebuilt from the ledger's item list; then the run is marked `complete`. A `.tmp-<run>`
//!    with no `staged` run behind it is the leftover of a run that died before its commit: it is
//!    deleted (its items are still approved and go into the new bundle).
//! 2. Read the candidates and the audit head in one read transaction (a consistent snapshot).
//! 3. Write the whole bundle into `OUT/.tmp-<run>`: attachments are copied from the blob store
//!    and their SHA-256 checked while copying; then `manifest.json`, `feed.xml`, `SHA256SUMS`.
//! 4. Flush it to disk (`syncfs` of the output file system: files and directories).
//! 5. Commit point, one `BEGIN IMMEDIATE` transaction: each item is checked unchanged since the
//!    snapshot, usable items go approved → published through the workflow (role with `publish`),
//!    ledger rows (`export_runs` as `staged`, `export_items`) and audit rows are written.
//! 6. Rename `.tmp-<run>` → `<run>`, fsync `OUT`, mark the run `complete`.
//!
//! Before 5 nothing is decided: a crash leaves only a temporary directory, deleted on the next
//! run. After 5 the items are published and the bundle's bytes are on disk under the temporary
//! name: the next run's step 1 puts it in place. So the database and the directory can never
//! disagree in a way that loses an item or ships it twice.

pub mod deliver;
pub mod format;
pub mod verify;

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::profile::{Capability, StepKind};
use crate::i18n::Lang;
use crate::store::export::{ExportCandidate, ExportItem, ExportKind};
use crate::store::{identity, Blob, Ctx, Store, StoreError};
use crate::tr;
use format::{BundleMeta, FileEntry, Placed};

pub use verify::{verify, Problem, VerifyReport};

/// Name of the lock file in the data directory.
pub const LOCK_FILE: &str = "export.lock";
/// Prefix of a bundle being written.
pub const TMP_PREFIX: &str = ".tmp-";
/// Format tag of the manifest.
pub const FORMAT: &str = "bientap-export/1";

/// Why an export stopped. Nothing was published unless the error says the bundle is complete.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("another export holds {0}")]
    Busy(PathBuf),
    #[error("output directory {path}: {reason}")]
    OutDir { path: PathBuf, reason: String },
    #[error("item {item}: attachment {name}: {reason}")]
    Blob {
        item: i64,
        name: String,
        reason: String,
    },
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("items kept changing during the export")]
    Unstable,
    #[error("bundle {0} failed its own check: {1}")]
    SelfCheck(String, String),
    #[error("delivery: {0}")]
    DeliverConfig(String),
    #[error("delivery failed")]
    DeliveryFailed {
        runs: Vec<String>,
        status: Option<i32>,
        attempts: u32,
        last: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |err| ExportError::Io {
        path: path.to_path_buf(),
        err,
    }
}

impl ExportError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ExportError::Busy(p) => tr!(
                lang,
                "một lần xuất khác đang chạy (khóa {}); lần này không làm gì",
                "another export is running (lock {}); this one did nothing",
                p.display()
            ),
            ExportError::OutDir { path, reason } => tr!(
                lang,
                "thư mục xuất {}: {reason}; chưa xuất gì, các tin bài vẫn ở trạng thái đã duyệt",
                "output directory {}: {reason}; nothing exported, the items stay approved",
                path.display()
            ),
            ExportError::Blob { item, name, reason } => tr!(
                lang,
                "tin bài {item}, tệp đính kèm \"{name}\": {reason}; dừng trước khi đưa gói vào chỗ, các tin bài vẫn ở trạng thái đã duyệt",
                "item {item}, attachment \"{name}\": {reason}; stopped before anything was put in place, the items stay approved"
            ),
            ExportError::Io { path, err } => tr!(
                lang,
                "lỗi ghi/đọc {}: {err}; dừng trước khi đưa gói vào chỗ, các tin bài vẫn ở trạng thái đã duyệt",
                "I/O error on {}: {err}; stopped before anything was put in place, the items stay approved",
                path.display()
            ),
            ExportError::Store(e) => e.message(lang, None),
            ExportError::Unstable => tr!(
                lang,
                "các tin bài liên tục bị sửa trong lúc xuất; chưa xuất gì, hãy chạy lại",
                "items kept changing while exporting; nothing exported, run again"
            ),
            ExportError::SelfCheck(run, what) => tr!(
                lang,
                "gói {run} không qua được kiểm tra: {what}",
                "bundle {run} failed its check: {what}"
            ),
            ExportError::DeliverConfig(e) => tr!(
                lang,
                "cấu hình chuyển gói sai: {e}",
                "delivery configuration error: {e}"
            ),
            ExportError::DeliveryFailed { runs, status, attempts, last } => tr!(
                lang,
                "chuyển gói {} thất bại sau {attempts} lần (mã thoát {}): {last}; các gói vẫn đầy đủ và sẽ được chuyển lại ở lần chạy sau, không xuất lại",
                "delivery of {} failed after {attempts} attempts (exit status {}): {last}; the bundles are complete and will be delivered on the next run, not exported again",
                runs.join(", "),
                status.map(|s| s.to_string()).unwrap_or_else(|| "-".into())
            ),
        }
    }
}

/// What a call to [`export`] asks for.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The outbox: bundles appear here as `<run id>/`.
    pub out: PathBuf,
    pub lang: Lang,
}

/// What an export did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportOutcome {
    /// The new bundle, if there was anything to export.
    pub run_id: Option<String>,
    pub dir: Option<PathBuf>,
    pub usable: usize,
    pub canceled: usize,
    pub withheld: usize,
    pub files: usize,
    pub bytes: u64,
    /// Staged runs finished by this call.
    pub recovered: Vec<String>,
    /// Leftover temporary directories removed.
    pub discarded: Vec<String>,
}

/// The exclusive export lock: held while the value lives; released by the kernel if the process
/// dies, so a crash never leaves a stale lock.
pub struct ExportLock {
    _file: File,
    pub path: PathBuf,
}

impl ExportLock {
    pub fn acquire(data_dir: &Path) -> Result<ExportLock, ExportError> {
        use std::os::unix::io::AsRawFd;
        let path = data_dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        // SAFETY: a valid open file descriptor.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                return Err(ExportError::Busy(path));
            }
            return Err(ExportError::Io { path, err: e });
        }
        Ok(ExportLock { _file: file, path })
    }
}

/// fsync a directory (its entries: renames and new files).
pub fn fsync_dir(dir: &Path) -> Result<(), ExportError> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io_err(dir))
}

/// Flush everything written on the file system holding `dir`, files and directories alike.
/// One `syncfs` costs far less than an fsync per file (a bundle can hold tens of thousands).
fn sync_tree(dir: &Path) -> Result<(), ExportError> {
    use std::os::unix::io::AsRawFd;
    let f = File::open(dir).map_err(io_err(dir))?;
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a valid open file descriptor.
        let rc = unsafe { libc::syncfs(f.as_raw_fd()) };
        if rc == 0 {
            return Ok(());
        }
    }
    let _ = f.as_raw_fd();
    // Fallback: fsync every file and directory.
    fn walk(p: &Path) -> std::io::Result<()> {
        for e in std::fs::read_dir(p)? {
            let e = e?;
            if e.file_type()?.is_dir() {
                walk(&e.path())?;
            } else {
                File::open(e.path())?.sync_all()?;
            }
        }
        File::open(p)?.sync_all()
    }
    walk(dir).map_err(io_err(dir))
}

/// A new run id: UTC time to the millisecond (so ids sort by time) and the process id.
fn new_run_id(store: &Store, out: &Path) -> Result<String, ExportError> {
    let base = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ"),
        std::process::id()
    );
    let mut id = base.clone();
    let mut n = 1;
    while store.export_run(&id)?.is_some()
        || out.join(&id).exists()
        || out.join(format!("{TMP_PREFIX}{id}")).exists()
    {
        n += 1;
        id = format!("{base}-{n}");
    }
    Ok(id)
}

/// Writes a file and returns its digest.
fn write_file(root: &Path, rel: &str, bytes: &[u8]) -> Result<FileEntry, ExportError> {
    let path = root.join(rel);
    let mut f = File::create(&path).map_err(io_err(&path))?;
    f.write_all(bytes).map_err(io_err(&path))?;
    Ok(FileEntry {
        path: rel.to_string(),
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len() as u64,
    })
}

/// Copy an attachment blob into the bundle, hashing as it goes; refuses a missing or corrupted
/// blob (digest or size not as recorded).
fn copy_blob(
    store: &Store,
    root: &Path,
    rel: &str,
    item: i64,
    att: &crate::store::export::ExportAttachment,
    buf: &mut [u8],
) -> Result<FileEntry, ExportError> {
    let blob_err = |reason: String| ExportError::Blob {
        item,
        name: att.name.clone(),
        reason,
    };
    let dst = root.join(rel);
    let mut h = Sha256::new();
    let mut n = 0u64;
    match store.blob(&att.sha256)? {
        Blob::Inline(data) => {
            h.update(&data);
            File::create(&dst)
                .and_then(|mut f| f.write_all(&data))
                .map_err(io_err(&dst))?;
            n = data.len() as u64;
        }
        Blob::File(src) => {
            let mut input = File::open(&src).map_err(|e| {
                blob_err(if e.kind() == std::io::ErrorKind::NotFound {
                    format!("blob missing ({})", src.display())
                } else {
                    format!("blob unreadable ({}): {e}", src.display())
                })
            })?;
            let mut output = File::create(&dst).map_err(io_err(&dst))?;
            loop {
                let k = input
                    .read(buf)
                    .map_err(|e| blob_err(format!("read error ({}): {e}", src.display())))?;
                if k == 0 {
                    break;
                }
                h.update(&buf[..k]);
                output.write_all(&buf[..k]).map_err(io_err(&dst))?;
                n += k as u64;
            }
        }
    }
    let digest = hex::encode(h.finalize());
    if !digest.eq_ignore_ascii_case(&att.sha256) {
        return Err(blob_err(format!(
            "blob corrupted: SHA-256 {digest}, recorded {}",
            att.sha256
        )));
    }
    if att.size >= 0 && n != att.size as u64 {
        return Err(blob_err(format!(
            "blob size {n} bytes, recorded {}",
            att.size
        )));
    }
    Ok(FileEntry {
        path: rel.to_string(),
        sha256: digest,
        size: n,
    })
}

#[derive(Serialize)]
struct ManifestItem<'a> {
    id: i64,
    version: i64,
    pubstatus: &'static str,
    slug: &'a str,
    category: &'a str,
    category_name: &'a str,
    path: String,
    title: &'a str,
    dates: serde_json::Value,
    author: &'a str,
    unit: &'a str,
    source: serde_json::Value,
    approvals: &'a [crate::store::export::ExportApproval],
    reasons: Vec<serde_json::Value>,
    files: Vec<serde_json::Value>,
}

fn file_json(f: &FileEntry, role: &str) -> serde_json::Value {
    serde_json::json!({"path": f.path, "sha256": f.sha256, "size": f.size, "role": role})
}

/// Write a complete bundle for `items` into `root` (which must exist and be empty).
/// `version_of` gives the version the ledger records for each item in this bundle;
/// `date_of` the publication time shown for it.
fn write_bundle(
    store: &Store,
    root: &Path,
    meta: &BundleMeta,
    loaded: &[(ExportCandidate, ExportItem, i64, String)],
    lang: Lang,
) -> Result<(Vec<FileEntry>, usize), ExportError> {
    let profile = store.profile();
    let approve_steps: Vec<String> = profile
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Approve)
        .map(|s| s.code.clone())
        .collect();
    let mut all_files: Vec<FileEntry> = Vec::new();
    let mut placed: Vec<Placed<'_>> = Vec::new();
    let mut per_item: Vec<Vec<(FileEntry, &'static str)>> = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut made_dirs: std::collections::HashSet<String> = Default::default();
    for (c, it, version, date) in loaded {
        let section = format::section_name(&it.category);
        let slug = format::item_slug(it);
        let category_name = profile
            .category(&it.category)
            .map(|cat| cat.name(Lang::Vi).to_string())
            .unwrap_or_else(|| it.category.clone());
        let reasons: Vec<(String, String)> = match c.kind {
            ExportKind::Usable => Vec::new(),
            ExportKind::Canceled => {
                let mut v: Vec<(String, String)> = it
                    .reasons
                    .iter()
                    .map(|code| {
                        (
                            code.clone(),
                            profile
                                .reason(code)
                                .map(|r| r.label(Lang::Vi).to_string())
                                .unwrap_or_default(),
                        )
                    })
                    .collect();
                if v.is_empty() {
                    v.push(("withdrawn".into(), "Đã gỡ khỏi Trang thông tin".into()));
                }
                v
            }
            ExportKind::Withheld => vec![(
                "changed-after-publication".into(),
                "Nội dung đang được sửa sau khi đăng, tạm ngừng hiển thị".into(),
            )],
        };
        let mut p = Placed {
            item: it,
            kind: c.kind,
            version: *version,
            section,
            slug,
            category_name,
            date: date.clone(),
            reasons,
            attachment_files: Vec::new(),
        };
        let dir_rel = p.dir();
        if !made_dirs.insert(dir_rel.clone()) {
            // Two items with the same folder cannot happen (the id leads the slug).
            return Err(ExportError::SelfCheck(
                meta.run_id.clone(),
                format!("duplicate folder {dir_rel}"),
            ));
        }
        let dir = root.join(&dir_rel);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let mut files = Vec::new();
        let mut mimes = Vec::new();
        if c.kind == ExportKind::Usable {
            for att in &it.attachments {
                let name = format::attachment_name(&att.name, &att.ext, &p.attachment_files);
                let f = copy_blob(
                    store,
                    root,
                    &format!("{dir_rel}/{name}"),
                    it.id,
                    att,
                    &mut buf,
                )?;
                mimes.push((name.clone(), att.mime.clone(), f.size));
                p.attachment_files.push(name);
                files.push((f, "attachment"));
            }
        }
        let md = format::index_md(&p);
        files.insert(
            0,
            (
                write_file(root, &format!("{dir_rel}/index.md"), md.as_bytes())?,
                "page",
            ),
        );
        let nj = format::ninjs(meta, &p, &mimes);
        files.insert(
            1,
            (
                write_file(root, &format!("{dir_rel}/item.json"), nj.as_bytes())?,
                "ninjs",
            ),
        );
        per_item.push(files);
        placed.push(p);
    }
    let _ = lang;
    let feed = format::atom_feed(meta, &placed);
    let feed_entry = write_file(root, "feed.xml", feed.as_bytes())?;
    let mut items_json = Vec::new();
    let mut counts = [0usize; 3];
    for (p, files) in placed.iter().zip(per_item.iter()) {
        let it = p.item;
        counts[match p.kind {
            ExportKind::Usable => 0,
            ExportKind::Canceled => 1,
            ExportKind::Withheld => 2,
        }] += 1;
        items_json.push(ManifestItem {
            id: it.id,
            version: p.version,
            pubstatus: p.kind.as_str(),
            slug: &p.slug,
            category: &it.category,
            category_name: &p.category_name,
            path: p.dir(),
            title: &it.title,
            dates: serde_json::json!({
                "received": it.received_at,
                "event": it.event_at,
                "issued": it.issued_at,
                "approved": p.approved_at(&approve_steps),
                "published": if p.kind == ExportKind::Usable { Some(p.date.clone()) } else { it.published_at.clone() },
                "updated": it.updated_at,
                "withdrawn": it.reason_at,
            }),
            author: &it.author,
            unit: &it.unit,
            source: serde_json::json!({
                "kind": it.src_kind,
                "name": it.src_name,
                "url": it.src_url,
                "date": it.src_date,
            }),
            approvals: &it.approvals,
            reasons: p
                .reasons
                .iter()
                .map(|(c, l)| serde_json::json!({"code": c, "label": l}))
                .collect(),
            files: files.iter().map(|(f, role)| file_json(f, role)).collect(),
        });
        all_files.extend(files.iter().map(|(f, _)| f.clone()));
    }
    let manifest = serde_json::json!({
        "format": FORMAT,
        "run_id": meta.run_id,
        "profile": meta.profile_id,
        "agency": meta.agency,
        "site": {"name": meta.site_name, "url": meta.site_url},
        "created_at": meta.created_at,
        "range": {"from": meta.range_from, "to": meta.created_at},
        "audit_head": meta.audit_head,
        "counts": {"usable": counts[0], "canceled": counts[1], "withheld": counts[2]},
        "files": [file_json(&feed_entry, "feed")],
        "items": items_json,
    });
    let mut mtext = serde_json::to_string_pretty(&manifest)
        .map_err(|e| ExportError::SelfCheck(meta.run_id.clone(), format!("manifest: {e}")))?;
    mtext.push('\n');
    all_files.push(feed_entry);
    let m_entry = write_file(root, "manifest.json", mtext.as_bytes())?;
    all_files.push(m_entry);
    write_file(
        root,
        "SHA256SUMS",
        format::sha256sums(&all_files).as_bytes(),
    )?;
    Ok((all_files, placed.len()))
}

fn bundle_meta(
    store: &Store,
    run_id: &str,
    created_at: &str,
    range_from: Option<String>,
    audit_head: &str,
) -> BundleMeta {
    let p = store.profile();
    BundleMeta {
        run_id: run_id.to_string(),
        profile_id: p.id.clone(),
        agency: p.agency.name.clone(),
        site_name: p.agency.site_name.clone(),
        site_url: p.agency.site_url.clone(),
        board_name: p.agency.board_name.clone(),
        created_at: created_at.to_string(),
        range_from,
        audit_head: audit_head.to_string(),
    }
}

fn check_out_dir(out: &Path) -> Result<(), ExportError> {
    match std::fs::metadata(out) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(ExportError::OutDir {
            path: out.to_path_buf(),
            reason: "not a directory".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ExportError::OutDir {
            path: out.to_path_buf(),
            reason: "does not exist (create it for the export account)".into(),
        }),
        Err(e) => Err(ExportError::OutDir {
            path: out.to_path_buf(),
            reason: e.to_string(),
        }),
    }
}

/// Finish staged runs; delete leftover temporary directories. Returns (recovered, discarded).
fn recover(
    store: &mut Store,
    out: &Path,
    lang: Lang,
    log: &mut dyn FnMut(String),
) -> Result<(Vec<String>, Vec<String>), ExportError> {
    let mut recovered = Vec::new();
    let staged = store.export_runs_with_status("staged")?;
    for run in &staged {
        let final_dir = PathBuf::from(&run.dir);
        let parent = final_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| out.to_path_buf());
        let tmp = parent.join(format!("{TMP_PREFIX}{}", run.run_id));
        let ok = |d: &Path| verify::verify(d).map(|r| r.ok()).unwrap_or(false);
        if final_dir.is_dir() && ok(&final_dir) {
            fsync_dir(&parent)?;
        } else {
            if final_dir.exists() {
                // Damaged after it was put in place: keep it aside for inspection, rebuild.
                let aside = parent.join(format!("{TMP_PREFIX}damaged-{}", run.run_id));
                let _ = std::fs::remove_dir_all(&aside);
                std::fs::rename(&final_dir, &aside).map_err(io_err(&final_dir))?;
            }
            if !(tmp.is_dir() && ok(&tmp)) {
                if tmp.exists() {
                    std::fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
                }
                std::fs::create_dir(&tmp).map_err(io_err(&tmp))?;
                let items = store.export_run_items(&run.run_id)?;
                let mut loaded = Vec::with_capacity(items.len());
                for c in items {
                    let it = store.export_item(c.item_id)?;
                    let date = if c.kind == ExportKind::Usable {
                        it.published_at
                            .clone()
                            .unwrap_or_else(|| run.started_at.clone())
                    } else {
                        run.started_at.clone()
                    };
                    let v = c.version;
                    loaded.push((c, it, v, date));
                }
                let prev = store.export_previous_run(&run.run_id)?;
                let meta = bundle_meta(store, &run.run_id, &run.started_at, prev, &run.audit_head);
                write_bundle(store, &tmp, &meta, &loaded, lang)?;
                sync_tree(&tmp)?;
                log(tr!(
                    lang,
                    "xuất: dựng lại gói {} từ sổ xuất ({} tin bài)",
                    "export: rebuilt bundle {} from the ledger ({} items)",
                    run.run_id,
                    loaded.len()
                ));
            }
            std::fs::rename(&tmp, &final_dir).map_err(io_err(&tmp))?;
            fsync_dir(&parent)?;
        }
        store.export_mark_complete(&run.run_id, &crate::store::ts(chrono::Utc::now()))?;
        log(tr!(
            lang,
            "xuất: hoàn tất gói dở dang {} (run={}, dir={})",
            "export: completed interrupted bundle {} (run={}, dir={})",
            run.run_id,
            run.run_id,
            final_dir.display()
        ));
        recovered.push(run.run_id.clone());
    }
    // Leftovers of runs that died before their commit.
    let mut discarded = Vec::new();
    let entries = std::fs::read_dir(out).map_err(io_err(out))?;
    for e in entries {
        let e = e.map_err(io_err(out))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(run_id) = name.strip_prefix(TMP_PREFIX) {
            if run_id.starts_with("damaged-") {
                continue;
            }
            let staged_here = store
                .export_run(run_id)?
                .is_some_and(|r| r.status == "staged");
            if !staged_here {
                let p = e.path();
                std::fs::remove_dir_all(&p).map_err(io_err(&p))?;
                log(tr!(
                    lang,
                    "xuất: xóa thư mục tạm {} của một lần xuất bị ngắt trước khi ghi sổ",
                    "export: removed temporary directory {} of a run interrupted before its commit",
                    p.display()
                ));
                discarded.push(name);
            }
        }
    }
    if !discarded.is_empty() {
        fsync_dir(out)?;
    }
    Ok((recovered, discarded))
}

/// Export every approved item not yet exported (and the takedowns and holds due) as one bundle
/// in `opts.out`, then mark them published. See the module note for the protocol. `log` gets one
/// line per event.
pub fn export(
    store: &mut Store,
    ctx: &Ctx,
    opts: &ExportOptions,
    log: &mut dyn FnMut(String),
) -> Result<ExportOutcome, ExportError> {
    let lang = opts.lang;
    let out = opts.out.as_path();
    check_out_dir(out)?;
    let data_dir = identity::data_dir(store.path());
    let _lock = ExportLock::acquire(&data_dir)?;
    // The export account must be a board member whose role may publish.
    store.require_cap(&ctx.actor, Capability::Publish)?;
    let (recovered, discarded) = recover(store, out, lang, log)?;
    let mut outcome = ExportOutcome {
        recovered,
        discarded,
        ..Default::default()
    };
    const ATTEMPTS: usize = 3;
    for attempt in 1..=ATTEMPTS {
        // A consistent snapshot of what to export.
        store
            .conn()
            .execute_batch("BEGIN DEFERRED")
            .map_err(StoreError::from)?;
        let snap = (|| -> Result<_, ExportError> {
            let candidates = store.export_candidates()?;
            let head = store.audit_head()?;
            let prev = store.export_last_run()?.map(|r| r.started_at);
            let mut loaded = Vec::with_capacity(candidates.len());
            for c in candidates {
                let it = store.export_item(c.item_id)?;
                let (v, date) = match c.kind {
                    ExportKind::Usable => (c.version + 1, ctx.now_text()),
                    _ => (c.version, ctx.now_text()),
                };
                loaded.push((c, it, v, date));
            }
            Ok((loaded, head, prev))
        })();
        let _ = store.conn().execute_batch("COMMIT");
        let (loaded, head, prev) = snap?;
        if loaded.is_empty() {
            log(tr!(
                lang,
                "xuất: không có tin bài mới nào để xuất",
                "export: nothing new to export"
            ));
            return Ok(outcome);
        }
        let run_id = new_run_id(store, out)?;
        let tmp = out.join(format!("{TMP_PREFIX}{run_id}"));
        let final_dir = out.join(&run_id);
        std::fs::create_dir(&tmp).map_err(|e| ExportError::OutDir {
            path: out.to_path_buf(),
            reason: e.to_string(),
        })?;
        let meta = bundle_meta(store, &run_id, &ctx.now_text(), prev, &head);
        let written = write_bundle(store, &tmp, &meta, &loaded, lang)
            .and_then(|r| sync_tree(&tmp).map(|_| r));
        let (files, _) = match written {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        let candidates: Vec<ExportCandidate> = loaded.iter().map(|(c, ..)| c.clone()).collect();
        match store.export_commit(
            ctx,
            &run_id,
            &final_dir.display().to_string(),
            &head,
            &candidates,
        ) {
            Ok(_) => {}
            Err(StoreError::Conflict { id, .. }) if attempt < ATTEMPTS => {
                let _ = std::fs::remove_dir_all(&tmp);
                log(tr!(
                    lang,
                    "xuất: tin bài {id} vừa bị sửa trong lúc xuất; làm lại (lần {attempt})",
                    "export: item {id} changed during the export; starting over (attempt {attempt})"
                ));
                continue;
            }
            Err(StoreError::Conflict { .. }) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(ExportError::Unstable);
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e.into());
            }
        }
        std::fs::rename(&tmp, &final_dir).map_err(io_err(&tmp))?;
        fsync_dir(out)?;
        store.export_mark_complete(&run_id, &crate::store::ts(chrono::Utc::now()))?;
        for (c, ..) in &loaded {
            match c.kind {
                ExportKind::Usable => outcome.usable += 1,
                ExportKind::Canceled => outcome.canceled += 1,
                ExportKind::Withheld => outcome.withheld += 1,
            }
        }
        outcome.files = files.len() + 1;
        outcome.bytes = files.iter().map(|f| f.size).sum();
        log(tr!(
            lang,
            "xuất: đã xuất gói {run_id}: {} tin bài đăng mới, {} gỡ, {} tạm ngừng; {} tệp, {} byte (dir={})",
            "export: wrote bundle {run_id}: {} new items published, {} takedowns, {} holds; {} files, {} bytes (dir={})",
            outcome.usable,
            outcome.canceled,
            outcome.withheld,
            outcome.files,
            outcome.bytes,
            final_dir.display()
        ));
        outcome.run_id = Some(run_id);
        outcome.dir = Some(final_dir);
        return Ok(outcome);
    }
    Err(ExportError::Unstable)
}

/// What a delivery did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliverOutcome {
    pub delivered: Vec<String>,
    pub attempts: u32,
}

/// Deliver every complete, undelivered bundle with the configured command. Must be called under
/// the export lock (the CLI calls it right after [`export`]) or takes it itself.
pub fn deliver_pending(
    store: &mut Store,
    out: &Path,
    lang: Lang,
    log: &mut dyn FnMut(String),
) -> Result<DeliverOutcome, ExportError> {
    let data_dir = identity::data_dir(store.path());
    let _lock = ExportLock::acquire(&data_dir)?;
    let cfg = deliver::load_config(&data_dir)
        .map_err(ExportError::DeliverConfig)?
        .ok_or_else(|| {
            ExportError::DeliverConfig(tr!(
                lang,
                "chưa cấu hình lệnh chuyển gói (BIENTAP_DELIVER, hoặc deliver trong {}/config.toml)",
                "no delivery command configured (BIENTAP_DELIVER, or deliver in {}/config.toml)",
                data_dir.display()
            ))
        })?;
    let pending = store.export_runs_with_status("complete")?;
    let mut outcome = DeliverOutcome::default();
    if pending.is_empty() {
        log(tr!(
            lang,
            "chuyển: không có gói nào chờ chuyển",
            "deliver: no bundle waiting for delivery"
        ));
        return Ok(outcome);
    }
    let groups: Vec<Vec<&crate::store::export::ExportRun>> = if cfg.per_bundle() {
        pending.iter().map(|r| vec![r]).collect()
    } else {
        vec![pending.iter().collect()]
    };
    for group in groups {
        let ids: Vec<String> = group.iter().map(|r| r.run_id.clone()).collect();
        let one = (group.len() == 1 && cfg.per_bundle())
            .then(|| (PathBuf::from(&group[0].dir), group[0].run_id.as_str()));
        let bundle = one.as_ref().map(|(p, id)| (p.as_path(), *id));
        let total = cfg.retries + 1;
        let desc = cfg.describe();
        let mut line_log = |n: u32, status: Option<i32>, err: &str| {
            log(tr!(
                lang,
                "chuyển: lần {n}/{total}: `{desc}` thoát với mã {} {}",
                "deliver: attempt {n}/{total}: `{desc}` exited with status {} {}",
                status.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
                crate::cli::output::one_line(err)
            ))
        };
        let r = deliver::run_with_retries(&cfg, out, bundle, &mut line_log);
        outcome.attempts += r.attempts;
        let now = crate::store::ts(chrono::Utc::now());
        let line = format!(
            "{now} attempts={} status={} ok={} {}",
            r.attempts,
            r.status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            r.ok,
            r.last_error
        );
        store.export_record_delivery(&ids, &now, r.ok, &line)?;
        if !r.ok {
            return Err(ExportError::DeliveryFailed {
                runs: ids,
                status: r.status,
                attempts: r.attempts,
                last: r.last_error,
            });
        }
        log(tr!(
            lang,
            "chuyển: đã chuyển {} ({} lần thử)",
            "deliver: delivered {} ({} attempts)",
            ids.join(", "),
            r.attempts
        ));
        outcome.delivered.extend(ids);
    }
    Ok(outcome)
}
