//! Intake: taking submissions in from mail (Maildir, .eml) and folders, with the regulation's
//! checks (see `docs/intake.md`).
//!
//! * [`message`] — parse one RFC 5322/MIME message into clean Unicode parts, with limits.
//! * [`signature`] — the submitter's identity from headers and the signature block.
//! * [`checks`] — the checks (identity, unit approval, stamped, file types, Unicode,
//!   attribution, source, duplicates) and the queue's flag letters.
//! * [`archive`] — ZIP listing from the central directory (never extracted), bomb detection.
//! * [`blobs`] — the content-addressed attachment store.
//! * [`import`] — the group-committing importer.
//! * [`reply`] — the "return for revision" letter, written to the outbox and optionally sent.

pub mod archive;
pub mod blobs;
pub mod checks;
pub mod import;
pub mod message;
pub mod reply;
pub mod signature;

pub use import::{
    collect_sources, import_paths, import_sources, ImportOptions, ImportSummary, IntakeError,
    Refused, Source,
};
