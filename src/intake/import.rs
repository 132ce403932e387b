//! The importer: sources (Maildir, .eml files, plain folders) → parsed submissions → checks →
//! one item each, group-committed.
//!
//! Each batch: parse and check every message, stage its attachments in the blob store, make the
//! blobs durable (one `syncfs`), then one `BEGIN IMMEDIATE` transaction in which every message
//! is whole or nothing (written again with a SAVEPOINT each if one fails: `write_batch`).
//! Only after the commit are Maildir
//! messages marked seen (`cur/…:2,S`) and refused ones moved to `data_dir/quarantine/`. A crash
//! loses at most the open batch, which the next run imports again: the intake log (Message-ID
//! and content digest) makes import idempotent.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::domain::item::Identity;
use crate::domain::profile::{Capability, Profile};
use crate::i18n::Lang;
use crate::store::intake::{self as sti, IndexText, IntakeRecord, NewAttachment};
use crate::store::{identity, Ctx, NewItem, Store, StoreError};
use crate::text::minhash;
use crate::tr;

use super::blobs::{sha256_hex, BlobBatch};
use super::checks;
use super::message::{self, Limits, ParsedMessage, RawAttachment, Refusal};
use super::signature;

/// Where one submission comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A message file of a Maildir (in `new/`, or in `cur/` without the `S` flag).
    Maildir { path: PathBuf, root: PathBuf },
    /// A message file given on the command line or found in a folder.
    Eml(PathBuf),
    /// One message of an mbox file (Thunderbird's local folders, `mail`, fetchmail's mbox
    /// delivery): bytes `start..end` of the file, its "From " line excluded. The file itself is
    /// never changed; a second run skips what the intake log already has.
    Mbox {
        path: PathBuf,
        /// 1-based position in the file (for messages).
        n: usize,
        start: u64,
        end: u64,
    },
    /// Files that make one submission: a sub-folder's files, or one document.
    Files {
        title: String,
        files: Vec<PathBuf>,
        origin: PathBuf,
    },
}

impl Source {
    pub fn label(&self) -> String {
        match self {
            Source::Maildir { path, .. } | Source::Eml(path) => path.display().to_string(),
            Source::Files { origin, .. } => origin.display().to_string(),
            Source::Mbox { path, n, .. } => format!("{}#{n}", path.display()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Messages per transaction.
    pub batch_size: usize,
    /// Move refused Maildir messages to `data_dir/quarantine/` (else leave them in place).
    pub quarantine: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch_size: 500,
            quarantine: true,
        }
    }
}

/// A refused message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Refused {
    pub source: String,
    pub code: String,
    pub reason_vi: String,
    pub reason_en: String,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub imported: usize,
    /// Already imported before (same Message-ID or content digest).
    pub skipped: usize,
    pub refused: usize,
    /// Ids of the new items.
    pub items: Vec<i64>,
    /// New items with at least one failed check.
    pub flagged: usize,
    pub refusals: Vec<Refused>,
    /// Refused Maildir messages moved to the quarantine folder.
    pub quarantined: usize,
    /// Problems after commit (a Maildir message that could not be marked seen…).
    pub warnings: Vec<String>,
    pub seconds: f64,
}

impl ImportSummary {
    /// The summary for people, in their language.
    pub fn render(&self, lang: Lang) -> String {
        let mut s = tr!(
            lang,
            "Đã nhận {} tin bài ({} có kiểm tra không đạt), bỏ qua {} thư đã nhận trước đây, từ chối {} thư.",
            "Took in {} items ({} with failed checks), skipped {} already imported, refused {}.",
            self.imported,
            self.flagged,
            self.skipped,
            self.refused
        );
        for r in &self.refusals {
            s.push_str(&format!(
                "\n  - {}: {}",
                crate::text::sanitize::one_line(&r.source),
                lang.pick(&r.reason_vi, &r.reason_en)
            ));
        }
        if self.quarantined > 0 {
            s.push_str(&tr!(
                lang,
                "\n{} thư bị từ chối đã chuyển vào thư mục cách ly (quarantine).",
                "\n{} refused messages were moved to the quarantine folder.",
                self.quarantined
            ));
        }
        for w in &self.warnings {
            s.push_str(&format!("\n  ! {}", crate::text::sanitize::one_line(w)));
        }
        s
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
}

impl IntakeError {
    pub fn message(&self, lang: Lang, profile: Option<&Profile>) -> String {
        match self {
            IntakeError::Store(e) => e.message(lang, profile),
            IntakeError::Io { path, err } => tr!(
                lang,
                "lỗi vào/ra với {}: {err}",
                "I/O error on {}: {err}",
                crate::text::sanitize::one_line(&path.display().to_string())
            ),
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IntakeError + '_ {
    move |err| IntakeError::Io {
        path: path.to_path_buf(),
        err,
    }
}

// ------------------------------------------------------------------------------------ sources

fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

/// Maildir info flags of a file name (`…:2,FS` → "FS").
fn maildir_flags(name: &str) -> Option<&str> {
    name.rsplit_once(":2,").map(|(_, f)| f)
}

/// A file or folder found in a folder (symbolic links and other kinds are left out).
struct Entry {
    path: PathBuf,
    dir: bool,
}

/// The files and folders of `dir`, sorted, from the folder listing alone (no `stat` of each).
fn folder_entries(dir: &Path) -> Result<Vec<Entry>, IntakeError> {
    let mut v = Vec::new();
    for e in fs::read_dir(dir).map_err(io_err(dir))? {
        let e = e.map_err(io_err(dir))?;
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // Never follow symbolic links: only what is really in the folder is taken in.
        let ft = e.file_type().map_err(io_err(&e.path()))?;
        if ft.is_file() || ft.is_dir() {
            v.push(Entry {
                path: e.path(),
                dir: ft.is_dir(),
            });
        }
    }
    v.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(v)
}

fn maildir_sources(root: &Path, out: &mut Vec<Source>) -> Result<(), IntakeError> {
    for sub in ["new", "cur"] {
        for e in folder_entries(&root.join(sub))? {
            if e.dir {
                continue;
            }
            let p = e.path;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if sub == "cur" && maildir_flags(&name).is_some_and(|f| f.contains('S')) {
                continue;
            }
            out.push(Source::Maildir {
                path: p,
                root: root.to_path_buf(),
            });
        }
    }
    Ok(())
}

fn title_from_name(p: &Path) -> String {
    let stem = p
        .file_stem()
        .or_else(|| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::text::sanitize::display_name(&stem.replace(['_', '-'], " "))
}

fn folder_sources(dir: &Path, out: &mut Vec<Source>, depth: usize) -> Result<(), IntakeError> {
    for Entry { path: p, dir } in folder_entries(dir)? {
        if dir {
            if is_maildir(&p) {
                maildir_sources(&p, out)?;
                continue;
            }
            let files = folder_entries(&p)?;
            let has_eml = files.iter().any(|f| !f.dir && is_eml(&f.path));
            if has_eml && depth < 4 {
                folder_sources(&p, out, depth + 1)?;
            } else {
                let files: Vec<PathBuf> = files
                    .into_iter()
                    .filter(|f| !f.dir)
                    .map(|f| f.path)
                    .collect();
                if !files.is_empty() {
                    out.push(Source::Files {
                        title: title_from_name(&p),
                        files,
                        origin: p,
                    });
                }
            }
        } else if is_eml(&p) {
            out.push(Source::Eml(p));
        } else if is_mbox(&p) {
            mbox_sources(&p, out)?;
        } else {
            out.push(Source::Files {
                title: title_from_name(&p),
                files: vec![p.clone()],
                origin: p,
            });
        }
    }
    Ok(())
}

/// An mbox file: it starts with a "From " separator line.
fn is_mbox(p: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 5];
    fs::File::open(p)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"From "
}

/// The messages of an mbox file: a message starts at a "From " line that opens the file or
/// follows an empty line (a "From " inside a body is quoted ">From " by the writer, or at least
/// not preceded by an empty line in practice). Read line by line: the file may be large.
fn mbox_sources(path: &Path, out: &mut Vec<Source>) -> Result<(), IntakeError> {
    use std::io::BufRead;
    let f = fs::File::open(path).map_err(io_err(path))?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, f);
    let mut line = Vec::new();
    let (mut pos, mut prev_empty, mut n) = (0u64, true, 0usize);
    // Where the open message's first header line starts; whether its headers are still being
    // read; whether the mail client deleted it.
    let mut open: Option<u64> = None;
    let (mut in_headers, mut deleted) = (false, false);
    let mut close = |open: Option<u64>, deleted: bool, end: u64, n: &mut usize| {
        if let Some(start) = open {
            *n += 1;
            if !deleted {
                out.push(Source::Mbox {
                    path: path.to_path_buf(),
                    n: *n,
                    start,
                    end,
                });
            }
        }
    };
    loop {
        line.clear();
        let k = r.read_until(b'\n', &mut line).map_err(io_err(path))? as u64;
        if k == 0 {
            break;
        }
        let empty = line == b"\n" || line == b"\r\n";
        if prev_empty && line.starts_with(b"From ") {
            close(open.take(), deleted, pos, &mut n);
            open = Some(pos + k);
            (in_headers, deleted) = (true, false);
        } else if in_headers {
            if empty {
                in_headers = false;
            } else if let Some(v) = line.strip_prefix(b"X-Mozilla-Status:") {
                // Thunderbird keeps a deleted message in the file until the folder is
                // compacted, flagged 0x0008 (expunged): it is not a submission.
                let hex = String::from_utf8_lossy(v);
                deleted = u32::from_str_radix(hex.trim(), 16).is_ok_and(|f| f & 0x0008 != 0);
            }
        }
        prev_empty = empty;
        pos += k;
    }
    close(open, deleted, pos, &mut n);
    Ok(())
}

/// Bytes `start..end` of an mbox file, as the message was before the mbox writer quoted it:
/// one `>` removed from lines that read `>From `, `>>From `… (mboxrd; for mboxo files this
/// restores the lines it quoted, and leaves the rare `>From ` typed by a sender one `>` short).
fn read_mbox_message(path: &Path, start: u64, end: u64, limit: u64) -> Result<Vec<u8>, Refusal> {
    use std::io::{Read, Seek, SeekFrom};
    let len = end.saturating_sub(start);
    if len > limit {
        return Err(Refusal::TooLarge { size: len, limit });
    }
    let mut f = fs::File::open(path).map_err(|e| Refusal::Unreadable(e.to_string()))?;
    f.seek(SeekFrom::Start(start))
        .map_err(|e| Refusal::Unreadable(e.to_string()))?;
    let mut raw = vec![0u8; len as usize];
    f.read_exact(&mut raw)
        .map_err(|e| Refusal::Unreadable(e.to_string()))?;
    let mut out = Vec::with_capacity(raw.len());
    for l in raw.split_inclusive(|b| *b == b'\n') {
        let q = l.iter().take_while(|b| **b == b'>').count();
        if q > 0 && l[q..].starts_with(b"From ") {
            out.extend_from_slice(&l[1..]);
        } else {
            out.extend_from_slice(l);
        }
    }
    Ok(out)
}

/// The bytes of a message source (a Maildir or `.eml` file, or a message of an mbox file).
fn read_message(src: &Source, limits: &Limits) -> Result<Vec<u8>, Refusal> {
    match src {
        Source::Maildir { path, .. } | Source::Eml(path) => {
            read_limited(path, limits.max_message_bytes)
        }
        Source::Mbox {
            path, start, end, ..
        } => read_mbox_message(path, *start, *end, limits.max_message_bytes),
        Source::Files { .. } => Err(Refusal::Unreadable(
            "a folder submission, not a message".into(),
        )),
    }
}

fn is_eml(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("eml") || e.eq_ignore_ascii_case("msg"))
        || is_maildir_message(p)
}

/// A message file of a Maildir named on the command line (`bientap import ~/Maildir/new/*`):
/// in the `new/` or `cur/` folder of a Maildir, or named as Maildir names a message it has
/// seen (`…:2,S`), and starting with a mail header. Such a file is one message, not a
/// document to take in as an attachment.
fn is_maildir_message(p: &Path) -> bool {
    use std::io::Read;
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let in_maildir = p.parent().is_some_and(|d| {
        d.file_name().is_some_and(|n| n == "new" || n == "cur")
            && d.parent().is_some_and(is_maildir)
    });
    if !in_maildir && !name.contains(":2,") {
        return false;
    }
    let mut head = [0u8; 256];
    let n = fs::File::open(p)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let first = head[..n].split(|&b| b == b'\n').next().unwrap_or_default();
    // "Name: value", the name made of the characters RFC 5322 allows (no space).
    first
        .iter()
        .position(|&b| b == b':')
        .is_some_and(|i| i > 0 && first[..i].iter().all(|&b| b.is_ascii_graphic()))
}

/// Expand the paths given to `bientap import` into sources.
pub fn collect_sources(paths: &[PathBuf]) -> Result<Vec<Source>, IntakeError> {
    let mut out = Vec::new();
    for p in paths {
        let md = fs::metadata(p).map_err(io_err(p))?;
        if md.is_dir() {
            if is_maildir(p) {
                maildir_sources(p, &mut out)?;
            } else {
                folder_sources(p, &mut out, 0)?;
            }
        } else if is_eml(p) {
            out.push(Source::Eml(p.clone()));
        } else if is_mbox(p) {
            mbox_sources(p, &mut out)?;
        } else {
            out.push(Source::Files {
                title: title_from_name(p),
                files: vec![p.clone()],
                origin: p.clone(),
            });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------- preparing

/// A message ready to be written (or refused).
#[derive(Debug)]
enum Prepared {
    Ok(Box<Ready>),
    Refused {
        digest: String,
        message_id: Option<String>,
        refusal: Refusal,
    },
}

#[derive(Debug)]
struct Ready {
    rec: IntakeRecord,
    shingles: Vec<u64>,
}

fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let unreadable = |e: std::io::Error| Refusal::Unreadable(e.to_string());
    let not_regular = || Refusal::Unreadable("not a regular file".into());
    // One open and one `fstat`: a symbolic link is refused by the open itself, and a FIFO or
    // device is opened without waiting, then refused by its type.
    let mut f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                not_regular()
            } else {
                unreadable(e)
            }
        })?;
    let md = f.metadata().map_err(unreadable)?;
    if !md.is_file() {
        return Err(not_regular());
    }
    if md.len() > limit {
        return Err(Refusal::TooLarge {
            size: md.len(),
            limit,
        });
    }
    // At most one byte past the limit is read, should the file grow meanwhile.
    let mut data = Vec::with_capacity(md.len() as usize);
    f.by_ref()
        .take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(unreadable)?;
    if data.len() as u64 > limit {
        return Err(Refusal::TooLarge {
            size: data.len() as u64,
            limit,
        });
    }
    Ok(data)
}

/// A folder submission as a message: the body is `noi-dung.txt`, `body.txt` or the first
/// `.txt` file; every other file is an attachment.
fn parse_files(title: &str, files: &[PathBuf], limits: &Limits) -> Result<ParsedMessage, Refusal> {
    let body_idx = files
        .iter()
        .position(|f| {
            let n = f
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            n == "noi-dung.txt" || n == "noidung.txt" || n == "body.txt"
        })
        .or_else(|| {
            files.iter().position(|f| {
                f.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")) && files.len() > 1
            })
        });
    let mut m = ParsedMessage::default();
    let mut total = 0u64;
    for (i, f) in files.iter().enumerate() {
        let data = read_limited(f, limits.max_attachment_bytes)?;
        total += data.len() as u64;
        if total > limits.max_message_bytes {
            return Err(Refusal::TooLarge {
                size: total,
                limit: limits.max_message_bytes,
            });
        }
        if Some(i) == body_idx {
            let text = crate::text::legacy::decode_bytes(&data, None);
            let conv = crate::text::legacy::to_unicode(&text, None);
            if conv.converted {
                m.encoding_from = Some(conv.from.name().to_string());
            }
            let c = crate::text::sanitize::clean_input(&conv.text);
            m.removed += c.removed_controls + c.removed_escapes + c.bidi;
            m.body = c.text.trim().to_string();
        } else {
            m.attachments.push(RawAttachment {
                original_name: f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                content_type: String::new(),
                data,
            });
        }
    }
    m.subject = title.to_string();
    if m.subject.is_empty() && m.body.is_empty() && m.attachments.is_empty() {
        return Err(Refusal::Empty);
    }
    Ok(m)
}

/// Digest of a message's content (subject, body, attachments): the same submission delivered
/// again with other transport headers has the same digest.
fn message_digest(m: &ParsedMessage, att_shas: &[String]) -> String {
    let mut s = String::with_capacity(m.body.len() + 200);
    s.push_str(&m.from_email);
    s.push('\0');
    s.push_str(&m.subject);
    s.push('\0');
    s.push_str(&m.body);
    for a in att_shas {
        s.push('\0');
        s.push_str(a);
    }
    sha256_hex(s.as_bytes())
}

fn prepare(
    profile: &Profile,
    limits: &Limits,
    src: &Source,
    blobs: &BlobBatch,
    now: &str,
) -> Result<Prepared, std::io::Error> {
    // A refused message is logged under the digest of its bytes, or of where it came from
    // when there are none to read (computed only then).
    let (parsed, refused_key): (_, Vec<u8>) = match src {
        Source::Files { title, files, .. } => {
            (parse_files(title, files, limits), src.label().into_bytes())
        }
        _ => match read_message(src, limits) {
            Ok(raw) => (message::parse(&raw, limits), raw),
            Err(r) => (Err(r), src.label().into_bytes()),
        },
    };
    let mut m = match parsed {
        Ok(m) => m,
        Err(refusal) => {
            return Ok(Prepared::Refused {
                digest: sha256_hex(&refused_key),
                message_id: None,
                refusal,
            })
        }
    };

    // Attachments: inspect, then stage in the blob store.
    let infos: Vec<checks::AttachmentInfo> = m
        .attachments
        .iter()
        .map(|a| checks::inspect_attachment(profile, a, limits))
        .collect();
    let mut atts = Vec::with_capacity(infos.len());
    let mut shas = Vec::with_capacity(infos.len());
    for (a, info) in m.attachments.iter_mut().zip(&infos) {
        // Small attachments travel with the record into the transaction; large ones are
        // staged as files.
        let (sha, inline) = if a.data.len() <= crate::store::blobs::INLINE_MAX {
            (sha256_hex(&a.data), Some(std::mem::take(&mut a.data)))
        } else {
            (blobs.put(&a.data)?, None)
        };
        shas.push(sha.clone());
        atts.push(NewAttachment {
            sha256: sha,
            size: inline.as_ref().map_or(a.data.len(), Vec::len) as u64,
            inline,
            name: info.name.clone(),
            ext: info.ext.clone(),
            mime: info.mime.clone(),
            flags: info.flags.join(","),
        });
    }

    let sig = signature::identity_from(&m.from_name, &m.from_email, &m.body);
    let submitter: Identity = sig.identity;
    let title = if !m.subject.is_empty() {
        m.subject.clone()
    } else {
        m.body
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| l.chars().take(200).collect())
            .or_else(|| infos.first().map(|i| i.name.clone()))
            .unwrap_or_else(|| "(không có tiêu đề)".into())
    };
    let category = checks::guess_category(profile, &title, &m.body);
    let text = sti::dup_source(&title, &m.body);
    // Fold once for the content digest, the shingles, the search index's body words and the
    // checks that search the body: folding is character by character, so the folded body is
    // what follows the folded title and its line end.
    let mut folded = String::new();
    let (fp, words) = minhash::fingerprint_words_and_fold(&text, &mut folded);
    let folded_title_len = crate::text::fold::fold(&title).len();
    debug_assert_eq!(folded.as_bytes().get(folded_title_len), Some(&b'\n'));
    let folded_body = folded.get(folded_title_len + 1..).unwrap_or("");
    let attribution = checks::find_attribution_folded(&m.body, folded_body);

    let mut cks = vec![
        checks::identity_check(profile, &submitter),
        checks::unit_approval_check_folded(
            profile,
            category,
            &m.body,
            folded_body,
            &m.forwarded,
            &m.cc,
        ),
        checks::stamped_check(profile, category, &infos, m.signed_mime),
        checks::file_types_check(profile, &infos),
        checks::unicode_check(profile, m.encoding_from.as_deref(), &infos),
        checks::attribution_check(profile, &attribution),
        checks::source_check(profile, m.other_sender.as_deref()),
        checks::cleaned_check(m.removed),
    ];
    // The duplicate check is added in the transaction.
    cks.retain(|c| !c.code.is_empty());

    let folded_title = &folded[..folded_title_len];
    let title_words = crate::text::fold::words(folded_title).count();
    let shingles = fp.shingles;
    let band_keys = minhash::band_keys(&minhash::signature(&shingles));
    let digest = message_digest(&m, &shas);
    let channel = match src {
        Source::Maildir { .. } => "maildir",
        Source::Eml(_) => "eml",
        Source::Mbox { .. } => "mbox",
        Source::Files { .. } => "folder",
    };
    let item = NewItem {
        title,
        body: m.body.clone(),
        category: category.map(|c| c.code.clone()).unwrap_or_default(),
        sensitive: category.is_some_and(|c| c.sensitive),
        submitter,
        unit: sig.unit,
        attribution,
        received_at: Some(now.to_string()),
        channel: channel.into(),
        message_id: m.message_id.clone(),
        content_digest: Some(fp.digest),
        encoding_from: m.encoding_from.clone(),
        check_flags: String::new(),
        ..Default::default()
    };
    // What `IndexText::of` gives (the lead is empty): the body's words, each once.
    debug_assert!(item.lead.is_empty());
    let index = IndexText {
        title: crate::store::folded_index_words(folded_title),
        body: words.unique_from(title_words),
        submitter: crate::store::index_words(&item.submitter.display()),
    };
    debug_assert_eq!(index, IndexText::of(&item));
    Ok(Prepared::Ok(Box::new(Ready {
        rec: IntakeRecord {
            index,
            item,
            attachments: atts,
            checks: cks,
            band_keys,
            dups: Vec::new(),
            source: src.label(),
            digest,
        },
        shingles,
    })))
}

// -------------------------------------------------------------------------------- duplicates

pub use crate::store::intake::{
    find_duplicates, find_duplicates_cached, ShingleCache, MAX_CANDIDATES, NEAR_DUP,
};

// ---------------------------------------------------------------------------------- the run

enum Outcome {
    Imported(i64, bool),
    Skipped,
    Refused(Refusal),
    Failed(String),
}

/// CPU seconds of the calling thread (for `BIENTAP_TIMING`).
fn thread_cpu() -> f64 {
    #[cfg(target_os = "linux")]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: valid out-parameter.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
        t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
    }
    #[cfg(not(target_os = "linux"))]
    0.0
}

/// Worker threads that prepare messages (parse, check, fold, shingle, stage blobs).
fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
}

/// The batches of a run: the first one small, so that the writing thread starts early instead
/// of waiting for a whole batch to be prepared with nothing to overlap it; then `batch` each.
fn batches(sources: &[Source], batch: usize) -> Vec<&[Source]> {
    let first = batch.min(FIRST_BATCH).min(sources.len());
    let (head, rest) = sources.split_at(first);
    let mut out = Vec::with_capacity(rest.len() / batch.max(1) + 2);
    if !head.is_empty() {
        out.push(head);
    }
    out.extend(rest.chunks(batch.max(1)));
    out
}

/// Lower the calling thread's scheduling priority (Linux: nice is per thread, and threads it
/// starts inherit it). Best effort: nothing else depends on it.
fn yield_to_writer() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions; setpriority only reads its arguments.
        unsafe {
            let tid = libc::gettid();
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
        }
    }
}

/// Size of a run's first batch (see [`batches`]).
const FIRST_BATCH: usize = 64;

/// A prepared batch: its messages in source order and their staged blobs.
type PreparedBatch = (Vec<Prepared>, BlobBatch, Duration);

/// Prepare one batch on `workers` threads (messages are independent; results keep the
/// sources' order). Blobs are staged (written to `blobs/tmp/`), not yet durable.
fn prepare_batch(
    profile: &Profile,
    limits: &Limits,
    chunk: &[Source],
    data_dir: &Path,
    now: &str,
    workers: usize,
) -> Result<PreparedBatch, IntakeError> {
    let t0 = Instant::now();
    let blobs = BlobBatch::new(data_dir).map_err(io_err(data_dir))?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let cpu = std::sync::Mutex::new(0.0f64);
    let work = || -> Result<Vec<(usize, Prepared)>, std::io::Error> {
        let mut out = Vec::new();
        let c0 = thread_cpu();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(src) = chunk.get(i) else {
                if let Ok(mut c) = cpu.lock() {
                    *c += thread_cpu() - c0;
                }
                return Ok(out);
            };
            out.push((i, prepare(profile, limits, src, &blobs, now)?));
        }
    };
    let parts: Vec<Result<Vec<(usize, Prepared)>, std::io::Error>> = if workers <= 1 {
        vec![work()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers).map(|_| s.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(std::io::Error::other(
                            "a preparing thread panicked (bug in bientap)",
                        ))
                    })
                })
                .collect()
        })
    };
    let mut slots: Vec<Option<Prepared>> = (0..chunk.len()).map(|_| None).collect();
    for part in parts {
        for (i, p) in part.map_err(io_err(data_dir))? {
            slots[i] = Some(p);
        }
    }
    let prepared = slots
        .into_iter()
        .map(|p| {
            p.ok_or_else(|| IntakeError::Io {
                path: data_dir.to_path_buf(),
                err: std::io::Error::other("a message was not prepared (bug in bientap)"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if std::env::var_os("BIENTAP_TIMING").is_some() {
        eprintln!(
            "  prepared {} in {:?}, {:.3} s CPU",
            chunk.len(),
            t0.elapsed(),
            cpu.lock().map(|c| *c).unwrap_or(0.0)
        );
    }
    Ok((prepared, blobs, t0.elapsed()))
}

/// Import every source; the actor must hold the `intake` capability.
///
/// Pipelined: while one batch is written (blobs made durable, then one transaction), the next
/// is prepared on the worker threads. The order of the guarantees is unchanged: a batch's
/// blobs are durable before its transaction commits, and Maildir messages are marked seen only
/// after it committed.
pub fn import_sources(
    store: &mut Store,
    ctx: &Ctx,
    sources: &[Source],
    opts: &ImportOptions,
) -> Result<ImportSummary, IntakeError> {
    let started = Instant::now();
    store.require_cap(&ctx.actor, Capability::Intake)?;
    let profile = store.profile().clone();
    let limits = Limits::from_profile(&profile);
    let data_dir = identity::data_dir(store.path());
    let now = ctx.now_text();
    let mut summary = ImportSummary::default();
    store.write(|tx| sti::ensure_dup_params(tx, minhash::PARAMS).map(|_| ()))?;
    // When a batch is written again message by message, each runs in a SAVEPOINT: keep the
    // statement journal in memory, not in temp files.
    // A page cache large enough for a batch's changes, so that SQLite does not spill dirty
    // pages to the WAL in the middle of the transaction; every statement of a message cached.
    let conn = store.conn();
    let old_cache: i64 = conn
        .pragma_query_value(None, "cache_size", |r| r.get(0))
        .map_err(StoreError::from)?;
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(StoreError::from)?;
    conn.pragma_update(None, "cache_size", -65536i64)
        .map_err(StoreError::from)?;
    conn.set_prepared_statement_cache_capacity(64);
    BlobBatch::new(&data_dir).map_err(io_err(&data_dir))?;
    // What a killed run staged and never committed.
    BlobBatch::sweep_stale(&data_dir);

    // The log is copied into the database file by another thread while the next batch is
    // written (see store::checkpoint).
    let checkpointer = crate::store::checkpoint::Checkpointer::start(store);
    let batch = opts.batch_size.max(1);
    let workers = workers();
    let r = std::thread::scope(|s| -> Result<(), IntakeError> {
        // One batch prepared ahead: the channel holds it while the next is being prepared.
        let (tx_b, rx_b) = std::sync::mpsc::sync_channel::<Result<PreparedBatch, IntakeError>>(0);
        let (profile_r, limits_r, data_dir_r, now_r) = (&profile, &limits, &data_dir, &now);
        s.spawn(move || {
            // The writing thread is the run's critical path: preparing (this thread and the
            // workers it starts, which inherit it) yields the CPU to it.
            yield_to_writer();
            for chunk in batches(sources, batch) {
                let p = prepare_batch(profile_r, limits_r, chunk, data_dir_r, now_r, workers);
                let failed = p.is_err();
                if tx_b.send(p).is_err() || failed {
                    return;
                }
            }
        });
        // Moves Maildir messages (seen, quarantine) after their batch committed, while the
        // next batch is written.
        let (tx_m, rx_m) = std::sync::mpsc::channel::<Vec<Move>>();
        let data_dir_m = &data_dir;
        let quarantine_on = opts.quarantine;
        let mover = s.spawn(move || {
            let mut done = (0usize, Vec::new());
            for moves in rx_m {
                apply_moves(data_dir_m, quarantine_on, moves, &mut done);
            }
            done
        });
        let mut cache = ShingleCache::default();
        let r = (|| -> Result<(), IntakeError> {
            for chunk in batches(sources, batch) {
                let t0 = Instant::now();
                let (prepared, blobs, t_prep) = rx_b.recv().map_err(|_| IntakeError::Io {
                    path: data_dir.clone(),
                    err: std::io::Error::other("the preparing thread stopped (bug in bientap)"),
                })??;
                let t1 = Instant::now();
                let c1 = thread_cpu();
                let outcomes =
                    write_batch(store, ctx, &profile, chunk, prepared, blobs, &mut cache)?;
                if std::env::var_os("BIENTAP_TIMING").is_some() {
                    eprintln!(
                        "prepare {t_prep:?} (ahead, waited {:?}) write {:?}, {:.3} s CPU",
                        t1 - t0,
                        t1.elapsed(),
                        thread_cpu() - c1
                    );
                }
                if let Some(c) = &checkpointer {
                    c.committed(store);
                }
                let moves = finish_batch(&mut summary, chunk, outcomes);
                if tx_m.send(moves).is_err() {
                    break;
                }
            }
            Ok(())
        })();
        drop(tx_m);
        let (quarantined, warnings) = mover.join().unwrap_or_else(|_| {
            (
                0,
                vec!["moving imported messages failed (bug in bientap)".to_string()],
            )
        });
        summary.quarantined += quarantined;
        summary.warnings.extend(warnings);
        r
    });
    let _ = store.conn().pragma_update(None, "cache_size", old_cache);
    if let Some(c) = checkpointer {
        let st = c.finish(store);
        if std::env::var_os("BIENTAP_TIMING").is_some() {
            eprintln!(
                "checkpoints {} (log up to {} pages) in {:.3} s beside the writer",
                st.checkpoints, st.longest_log, st.seconds
            );
            let (merged, flushes) = crate::store::vfs::stats();
            eprintln!("writes of the log and database: {merged} merged into {flushes}");
        }
    }
    r?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// One transaction for a prepared batch. The search index rows of the imported items are
/// added at the end (see [`sti::insert_record_unindexed`]).
///
/// Each message is whole or not at all. The batch is first written without a SAVEPOINT per
/// message, which would copy every page a message touches into a statement journal; if one
/// message fails to be written (which a checked message does not, short of a full disk or a
/// bug), that transaction is rolled back and the batch written again, each message in its own
/// SAVEPOINT, so that the failing one is logged as refused and the others still come in.
fn write_batch(
    store: &mut Store,
    ctx: &Ctx,
    profile: &Profile,
    chunk: &[Source],
    mut prepared: Vec<Prepared>,
    mut blobs: BlobBatch,
    cache: &mut ShingleCache,
) -> Result<Vec<Outcome>, IntakeError> {
    let data_dir = identity::data_dir(store.path());
    let timing = std::env::var_os("BIENTAP_TIMING").is_some();
    let r = std::thread::scope(|s| {
        // The batch's blobs are made durable while its messages are written; the transaction
        // commits only after that succeeded.
        let mut durable = Some(s.spawn(move || {
            let t = Instant::now();
            blobs.commit().map(|_| t.elapsed())
        }));
        for savepoints in [false, true] {
            let t_msgs = Instant::now();
            let written = store.write_or_roll_back(|tx| {
                let Some(outcomes) =
                    write_messages(tx, ctx, profile, chunk, &mut prepared, cache, savepoints)?
                else {
                    return Ok(None);
                };
                let t_idx = Instant::now();
                for (o, p) in outcomes.iter().zip(&prepared) {
                    if let (Outcome::Imported(id, _), Prepared::Ok(ready)) = (o, p) {
                        sti::index_record(tx, *id, &ready.rec.index)?;
                    }
                }
                let t_blobs = match durable.take() {
                    Some(d) => d.join().unwrap_or_else(|_| {
                        Err(std::io::Error::other("making blobs durable panicked"))
                    }),
                    None => Ok(Duration::ZERO),
                }
                .map_err(|e| {
                    StoreError::Io(std::io::Error::new(
                        e.kind(),
                        format!("{}: {e}", data_dir.display()),
                    ))
                })?;
                if timing {
                    eprintln!(
                        "  messages {:?} index {:?} (blobs durable in {t_blobs:?}{})",
                        t_idx - t_msgs,
                        t_idx.elapsed(),
                        if savepoints {
                            ", again with savepoints"
                        } else {
                            ""
                        }
                    );
                }
                Ok(Some(outcomes))
            });
            match written {
                Ok(Some(o)) => return Ok(o),
                // Rolled back: the cache holds shingles of items that do not exist.
                Ok(None) => *cache = ShingleCache::default(),
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Io(std::io::Error::other(
            "a batch could not be written even message by message (bug in bientap)",
        )))
    });
    match r {
        Ok(o) => Ok(o),
        Err(e) => {
            // The transaction was rolled back: forget the shingles of items that do not exist.
            *cache = ShingleCache::default();
            Err(e.into())
        }
    }
}

/// The messages of a batch, inside its transaction. Without `savepoints`, the first message
/// that fails to be written makes this return `None` (the caller rolls back and comes again
/// with `savepoints`); with them, that message is rolled back alone and logged as refused.
fn write_messages(
    tx: &rusqlite::Transaction<'_>,
    ctx: &Ctx,
    profile: &Profile,
    chunk: &[Source],
    prepared: &mut [Prepared],
    cache: &mut ShingleCache,
    savepoints: bool,
) -> Result<Option<Vec<Outcome>>, StoreError> {
    // Another connection committed since our last batch (an edit could have changed a
    // cached item's text): start the cache again.
    let version: i64 = tx.pragma_query_value(None, "data_version", |r| r.get(0))?;
    if cache.data_version != Some(version) {
        cache.map.clear();
        cache.data_version = Some(version);
    }
    let mut outcomes = Vec::with_capacity(prepared.len());
    for (src, p) in chunk.iter().zip(prepared.iter_mut()) {
        let o = match p {
            Prepared::Refused {
                digest,
                message_id,
                refusal,
            } => {
                sti::log_refused(
                    tx,
                    ctx,
                    message_id.as_deref(),
                    digest,
                    &src.label(),
                    refusal.code(),
                )?;
                Outcome::Refused(refusal.clone())
            }
            Prepared::Ok(ready) => {
                let rec = &mut ready.rec;
                if sti::already_imported(tx, rec.item.message_id.as_deref(), &rec.digest)?.is_some()
                {
                    Outcome::Skipped
                } else {
                    if savepoints {
                        tx.prepare_cached("SAVEPOINT msg")?.execute([])?;
                    }
                    let r = (|| -> Result<(i64, bool), StoreError> {
                        let cd = rec.item.content_digest.clone().unwrap_or_default();
                        rec.dups = find_duplicates_cached(
                            tx,
                            &cd,
                            &ready.shingles,
                            &rec.band_keys,
                            cache,
                        )?;
                        let dup = checks::duplicate_check(profile, &rec.dups);
                        // A second attempt at the batch replaces the first one's.
                        if rec.checks.last().is_some_and(|c| c.code == dup.code) {
                            rec.checks.pop();
                        }
                        rec.checks.push(dup);
                        rec.item.check_flags = checks::flags_of(&rec.checks);
                        let failed = rec.checks.iter().any(|c| c.status == checks::FAIL);
                        Ok((sti::insert_record_unindexed(tx, ctx, rec)?, failed))
                    })();
                    match r {
                        Ok((id, failed)) => {
                            if savepoints {
                                tx.prepare_cached("RELEASE msg")?.execute([])?;
                            }
                            // Later messages of the batch are compared with this one.
                            cache.insert(id, ready.shingles.clone());
                            Outcome::Imported(id, failed)
                        }
                        Err(StoreError::Busy) => return Err(StoreError::Busy),
                        Err(_) if !savepoints => return Ok(None),
                        Err(e) => {
                            tx.execute_batch("ROLLBACK TO msg; RELEASE msg")?;
                            let msg = e.message(Lang::En, None);
                            sti::log_refused(
                                tx,
                                ctx,
                                rec.item.message_id.as_deref(),
                                &rec.digest,
                                &src.label(),
                                "store-error",
                            )?;
                            Outcome::Failed(msg)
                        }
                    }
                }
            }
        };
        outcomes.push(o);
    }
    Ok(Some(outcomes))
}

/// A Maildir message to move after its batch committed: marked seen, or (refused) put in
/// quarantine.
struct Move {
    path: PathBuf,
    root: PathBuf,
    refused: bool,
}

/// After the commit: count the outcomes; return the Maildir messages to move.
fn finish_batch(
    summary: &mut ImportSummary,
    chunk: &[Source],
    outcomes: Vec<Outcome>,
) -> Vec<Move> {
    let mut moves = Vec::new();
    for (src, o) in chunk.iter().zip(outcomes) {
        let refused = match o {
            Outcome::Imported(id, failed) => {
                summary.imported += 1;
                summary.items.push(id);
                summary.flagged += failed as usize;
                None
            }
            Outcome::Skipped => {
                summary.skipped += 1;
                None
            }
            Outcome::Refused(r) => Some((
                r.code().to_string(),
                r.message(Lang::Vi),
                r.message(Lang::En),
            )),
            Outcome::Failed(m) => Some((
                "store-error".into(),
                format!("lỗi ghi cơ sở dữ liệu: {m}"),
                format!("database error: {m}"),
            )),
        };
        if let Source::Maildir { path, root } = src {
            moves.push(Move {
                path: path.clone(),
                root: root.clone(),
                refused: refused.is_some(),
            });
        }
        if let Some(r) = refused {
            push_refused(summary, src, r);
        }
    }
    moves
}

/// Mark imported (and skipped) Maildir messages seen; move refused ones to quarantine when
/// asked. Counts quarantined messages and collects warnings in `done`.
fn apply_moves(
    data_dir: &Path,
    quarantine_on: bool,
    moves: Vec<Move>,
    done: &mut (usize, Vec<String>),
) {
    for m in moves {
        if !m.refused {
            if let Err(e) = mark_seen(&m.root, &m.path) {
                done.1.push(format!("{}: {e}", m.path.display()));
            }
        } else if quarantine_on {
            match quarantine(data_dir, &m.path) {
                Ok(_) => done.0 += 1,
                Err(e) => done.1.push(format!("{}: {e}", m.path.display())),
            }
        }
    }
}

fn push_refused(s: &mut ImportSummary, src: &Source, (code, vi, en): (String, String, String)) {
    s.refused += 1;
    s.refusals.push(Refused {
        source: src.label(),
        code,
        reason_vi: vi,
        reason_en: en,
    });
}

/// Import paths (Maildirs, .eml files, folders).
pub fn import_paths(
    store: &mut Store,
    ctx: &Ctx,
    paths: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportSummary, IntakeError> {
    let sources = collect_sources(paths)?;
    import_sources(store, ctx, &sources, opts)
}

/// Mark a Maildir message seen: move it into `cur/` with the `S` flag added.
pub fn mark_seen(root: &Path, path: &Path) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (base, flags) = match name.rsplit_once(":2,") {
        Some((b, f)) => (b.to_string(), f.to_string()),
        None => (name.clone(), String::new()),
    };
    let mut fl: Vec<char> = flags.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if !fl.contains(&'S') {
        fl.push('S');
    }
    fl.sort_unstable();
    fl.dedup();
    let dest = root
        .join("cur")
        .join(format!("{base}:2,{}", fl.into_iter().collect::<String>()));
    fs::rename(path, &dest)?;
    Ok(dest)
}

/// Move a refused message into `data_dir/quarantine/` (never overwriting).
pub fn quarantine(data_dir: &Path, path: &Path) -> std::io::Result<PathBuf> {
    let q = data_dir.join("quarantine");
    fs::create_dir_all(&q)?;
    let name = path
        .file_name()
        .map(|n| crate::text::sanitize::display_name(&n.to_string_lossy()))
        .unwrap_or_else(|| "message".into());
    let mut dest = q.join(&name);
    let mut k = 1;
    while dest.exists() {
        dest = q.join(format!("{name}.{k}"));
        k += 1;
    }
    if fs::rename(path, &dest).is_err() {
        // Another file system: copy durably, then remove the original.
        let data = fs::read(path)?;
        let mut f = fs::File::create(&dest)?;
        std::io::Write::write_all(&mut f, &data)?;
        f.sync_all()?;
        fs::remove_file(path)?;
    }
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_start_small_then_full_and_keep_every_source_once_in_order() {
        let sources: Vec<Source> = (0..1234)
            .map(|i| Source::Eml(PathBuf::from(format!("{i}.eml"))))
            .collect();
        let b = batches(&sources, 500);
        let sizes: Vec<usize> = b.iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [FIRST_BATCH, 500, 500, 1234 - FIRST_BATCH - 1000]);
        let flat: Vec<&Source> = b.iter().flat_map(|c| c.iter()).collect();
        assert!(flat.iter().zip(&sources).all(|(a, b)| *a == b));
        assert_eq!(flat.len(), sources.len());
        // Small runs and small batch sizes.
        assert_eq!(batches(&sources[..10], 500).len(), 1);
        assert!(batches(&sources[..0], 500).is_empty());
        assert_eq!(
            batches(&sources[..10], 3)
                .iter()
                .map(|c| c.len())
                .sum::<usize>(),
            10
        );
    }

    #[test]
    fn a_message_file_is_read_whole_and_anything_else_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let msg = dir.path().join("1.eml");
        fs::write(&msg, b"Subject: x\r\n\r\nbody").unwrap();
        assert_eq!(read_limited(&msg, 1000).unwrap(), b"Subject: x\r\n\r\nbody");
        // Exactly at the limit is taken; one byte over is refused with both sizes.
        assert_eq!(read_limited(&msg, 18).unwrap().len(), 18);
        assert!(matches!(
            read_limited(&msg, 17),
            Err(Refusal::TooLarge {
                size: 18,
                limit: 17
            })
        ));
        // A symbolic link is never followed, even to a readable file.
        let link = dir.path().join("2.eml");
        std::os::unix::fs::symlink(&msg, &link).unwrap();
        assert!(
            matches!(read_limited(&link, 1000), Err(Refusal::Unreadable(m)) if m == "not a regular file")
        );
        // A FIFO with no writer would block a plain open: refused at once instead.
        let fifo = dir.path().join("3.eml");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(
            matches!(read_limited(&fifo, 1000), Err(Refusal::Unreadable(m)) if m == "not a regular file")
        );
        // A folder, and a file that is not there.
        assert!(read_limited(dir.path(), 1000).is_err());
        assert!(matches!(
            read_limited(&dir.path().join("4.eml"), 1000),
            Err(Refusal::Unreadable(_))
        ));
    }
}
