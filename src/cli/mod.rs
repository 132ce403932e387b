//! The command line: every action of the console, for scripts and cron.

pub mod calendar;
mod commands;
pub mod export;
pub mod import;
pub mod output;
pub mod report;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::i18n::Lang;

pub use commands::{fail, load_profile_with_text, local as local_time, run, Fail};

/// Exit codes (documented in README and docs/architecture.md).
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// Any other failure (I/O, database error, bad file).
    pub const FAILURE: i32 = 1;
    /// Bad command line (clap's own code).
    pub const USAGE: i32 = 2;
    /// Refused by the regulation's rules (role, step, four-eyes, reason codes…).
    pub const REFUSED: i32 = 3;
    /// Someone else changed the item first (stale version).
    pub const CONFLICT: i32 = 4;
    /// No such item, user, profile or database.
    pub const NOT_FOUND: i32 = 5;
    /// The database stayed locked by another writer for longer than the timeout.
    pub const BUSY: i32 = 6;
    /// Not allowed: unknown login, read-only database, `--as` without root.
    pub const DENIED: i32 = 7;
    /// A check found a problem (audit verify, export verify, calendar check).
    pub const CHECK_FAILED: i32 = 8;
    /// Export: the bundle is complete but its delivery failed (retried on the next run).
    pub const DELIVERY_FAILED: i32 = 9;
}

#[derive(Parser, Debug)]
#[command(
    name = "bientap",
    version,
    about = "Bàn làm việc của Ban Biên tập — editorial board console",
    long_about = "bientap: tiếp nhận, kiểm tra, duyệt và xuất bản tin bài theo quy chế.\n\
                  bientap: take in, check, approve and publish submissions as the regulation says.\n\
                  Without a command it opens the console."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Database file (default: $BIENTAP_DB, else the XDG data directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Language of messages: vi (default) or en.
    #[arg(long, global = true, value_name = "vi|en", value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Print data as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// Act for another login (root only; recorded in the audit log).
    #[arg(long = "as", global = true, value_name = "LOGIN")]
    pub as_login: Option<String>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("'{s}': vi | en"))
}

// Parsed once per process: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate a demo database (and open the console on it).
    Demo(DemoArgs),
    /// Create the database for a regulation profile; the caller becomes the secretary.
    Init(InitArgs),
    /// List the bundled profiles, or print one.
    Profiles {
        #[command(subcommand)]
        cmd: Option<ProfilesCmd>,
    },
    /// The board and its roles.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Enter one item by hand.
    Add(AddArgs),
    /// The queue.
    List(ListArgs),
    /// One item, with its checks, due time and history.
    Show {
        /// Item id.
        id: i64,
        /// Also print the full body.
        #[arg(long)]
        full: bool,
    },
    /// Take a workflow action on an item.
    Decide(DecideArgs),
    /// Change an item's content (keeps the previous revision).
    Edit(EditArgs),
    /// Record that the source (or attribution) was confirmed by contacting someone.
    Confirm(ConfirmArgs),
    /// Complete or correct the submitter's details (name, title, organisation, e-mail, phone,
    /// address); the identity check runs again.
    Submitter(SubmitterArgs),
    /// Add an internal note to an item.
    Note {
        /// Item id.
        id: i64,
        /// The note (not empty; internal, never exported).
        text: String,
    },
    /// Compare two revisions of an item.
    Diff {
        /// Item id.
        id: i64,
        /// Older revision (default: the one before the newest).
        a: Option<i64>,
        /// Newer revision (default: the newest).
        b: Option<i64>,
    },
    /// Diacritic-insensitive full-text search.
    Search {
        /// Words to find: every one must match (diacritics optional).
        query: Vec<String>,
        /// Show at most this many items (newest first).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// The audit log: verify the hash chain, or print the history.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Override an item's deadline anchor or rule (secretary; audited, note required).
    Deadline(DeadlineArgs),
    /// Benchmarks behind the targets (generated database, cached).
    Bench(BenchArgs),
    /// Take in submissions: Maildir folders, .eml files, mbox files, plain folders.
    Import(import::ImportArgs),
    /// Write (and send) the return-for-revision letter to an item's submitter.
    Reply(import::ReplyArgs),
    /// Export approved items as a bundle for the site host; check a bundle.
    Export(export::ExportArgs),
    /// The working-day calendar.
    Calendar {
        #[command(subcommand)]
        cmd: calendar::CalendarCmd,
    },
    /// Reports to leadership: monthly, quarterly, yearly; the royalty sheet.
    Report {
        #[command(subcommand)]
        cmd: report::ReportCmd,
    },
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Profile of the demo board.
    #[arg(long, default_value = "stp-binh-phuoc")]
    pub profile: String,
    /// Number of items.
    #[arg(long, default_value_t = 300)]
    pub items: usize,
    /// Seed of the generator (same seed, same database).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Only write the database; do not open the console.
    #[arg(long)]
    pub no_open: bool,
    /// Replace an existing demo database.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Bundled profile id, or a path to a profile TOML file.
    #[arg(long)]
    pub profile: String,
    /// Your full name (the secretary).
    #[arg(long)]
    pub name: Option<String>,
    /// Your unit.
    #[arg(long, default_value = "")]
    pub unit: String,
}

#[derive(Subcommand, Debug)]
pub enum ProfilesCmd {
    /// Print one profile (its TOML, or with --json the parsed profile).
    Show {
        /// Bundled profile id, or a path to a profile TOML file.
        id: String,
    },
    /// Validate a profile file.
    Check {
        /// Path to the profile TOML file.
        path: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Add a board member.
    Add {
        /// The member's OS login (letters, digits, . _ -).
        login: String,
        /// Full name (not empty).
        #[arg(long)]
        name: String,
        /// Role code of the profile (see `bientap profiles show`).
        #[arg(long)]
        role: String,
        /// Unit (đơn vị).
        #[arg(long, default_value = "")]
        unit: String,
        /// E-mail address.
        #[arg(long, default_value = "")]
        email: String,
    },
    /// List the board.
    List,
    /// Change a member's role or unit, or deactivate them.
    Update {
        /// The member's login.
        login: String,
        /// New role code of the profile.
        #[arg(long)]
        role: Option<String>,
        /// New unit.
        #[arg(long)]
        unit: Option<String>,
        /// Deactivate the member: the login may no longer act.
        #[arg(long)]
        deactivate: bool,
        /// Reactivate a deactivated member (--deactivate wins if both are given).
        #[arg(long)]
        activate: bool,
    },
    /// Authorise a member to take a step (e.g. 002's verification by an authorised member).
    Delegate {
        /// Login of the member who may take the step.
        to: String,
        /// Step code of the profile (one the regulation allows to delegate).
        #[arg(long)]
        step: String,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        until: Option<String>,
    },
    /// Who am I (login and role).
    Whoami,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Title (not empty).
    #[arg(long)]
    pub title: String,
    /// Category code of the profile (empty: chosen at triage).
    #[arg(long, default_value = "")]
    pub category: String,
    /// Lead paragraph.
    #[arg(long, default_value = "")]
    pub lead: String,
    /// File holding the body (UTF-8; `-` for standard input).
    #[arg(long)]
    pub body_file: Option<PathBuf>,
    /// Body text (ignored when --body-file is given).
    #[arg(long)]
    pub body: Option<String>,
    /// Submitter's full name.
    #[arg(long, default_value = "")]
    pub submitter: String,
    /// Submitter's title (chức danh), e.g. "Chuyên viên".
    #[arg(long, default_value = "")]
    pub submitter_title: String,
    /// Submitter's agency or unit (cơ quan, đơn vị).
    #[arg(long, default_value = "")]
    pub organisation: String,
    /// Submitter's e-mail address.
    #[arg(long, default_value = "")]
    pub email: String,
    /// Submitter's phone number.
    #[arg(long, default_value = "")]
    pub phone: String,
    /// Submitter's postal address.
    #[arg(long, default_value = "")]
    pub address: String,
    /// Keep the submitter's identity confidential.
    #[arg(long)]
    pub confidential: bool,
    /// Supplying unit.
    #[arg(long, default_value = "")]
    pub unit: String,
    /// Source kind: original or quoted.
    #[arg(long, default_value = "original")]
    pub source: String,
    /// Author, the published byline (empty: the submitter, unless confidential).
    #[arg(long, default_value = "")]
    pub author: String,
    /// Name of the source of quoted material (newspaper, site, agency).
    #[arg(long, default_value = "")]
    pub source_name: String,
    /// URL of the source of quoted material.
    #[arg(long, default_value = "")]
    pub source_url: String,
    /// First publication date of quoted material (YYYY-MM-DD).
    #[arg(long)]
    pub source_date: Option<String>,
    /// Date (and time) of the event (YYYY-MM-DD or YYYY-MM-DDTHH:MM, local time).
    #[arg(long)]
    pub event: Option<String>,
    /// Date the document was issued/signed.
    #[arg(long)]
    pub issued: Option<String>,
    /// Sensitive: needs the agency head's opinion.
    #[arg(long)]
    pub sensitive: bool,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only these states (repeatable): received, triaged, editing, verified, approved, published,
    /// returned, escalated, rejected, withdrawn.
    #[arg(long)]
    pub state: Vec<String>,
    /// Only this category (code of the profile).
    #[arg(long)]
    pub category: Option<String>,
    /// Only items assigned to this login.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only items of this supplying unit (exact name).
    #[arg(long)]
    pub unit: Option<String>,
    /// Only overdue items.
    #[arg(long)]
    pub overdue: bool,
    /// Sort: due, received, title.
    #[arg(long, default_value = "due")]
    pub sort: String,
    /// Show at most this many items.
    #[arg(long)]
    pub limit: Option<usize>,
}

#[derive(Args, Debug)]
pub struct DecideArgs {
    /// Item id.
    pub id: i64,
    /// triage, assign, advance, verify, approve, return, resubmit, reject, escalate, opinion,
    /// publish, withdraw.
    pub action: String,
    /// Reason code of the profile (repeatable).
    #[arg(long = "reason")]
    pub reasons: Vec<String>,
    /// Note for the audit log (required to reject, to withdraw, and for a disagree opinion).
    #[arg(long, default_value = "")]
    pub note: String,
    /// Category (triage).
    #[arg(long)]
    pub category: Option<String>,
    /// Login to assign to (assign).
    #[arg(long)]
    pub to: Option<String>,
    /// Step code (advance/verify/approve): must be the next step.
    #[arg(long)]
    pub step: Option<String>,
    /// Opinion: agree or disagree.
    #[arg(long)]
    pub opinion: Option<String>,
    /// Version you saw; refused if the item changed since.
    #[arg(long)]
    pub version: Option<i64>,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// Item id.
    pub id: i64,
    /// Version you edited (required: a stale edit is refused, never overwrites).
    #[arg(long)]
    pub version: i64,
    /// New title (not empty).
    #[arg(long)]
    pub title: Option<String>,
    /// New lead paragraph.
    #[arg(long)]
    pub lead: Option<String>,
    /// File holding the new body (UTF-8; `-` for standard input).
    #[arg(long)]
    pub body_file: Option<PathBuf>,
    /// Source kind: original or quoted.
    #[arg(long)]
    pub source: Option<String>,
    /// Author, the published byline (empty: the submitter, unless confidential).
    #[arg(long)]
    pub author: Option<String>,
    /// Name of the source of quoted material (newspaper, site, agency).
    #[arg(long)]
    pub source_name: Option<String>,
    /// URL of the source of quoted material.
    #[arg(long)]
    pub source_url: Option<String>,
    /// First publication date of quoted material (YYYY-MM-DD).
    #[arg(long)]
    pub source_date: Option<String>,
    /// What changed and why (optional; recorded in the audit log).
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Args, Debug)]
pub struct SubmitterArgs {
    /// Item id.
    pub id: i64,
    /// Full name (họ tên).
    #[arg(long)]
    pub name: Option<String>,
    /// Title (chức danh), e.g. "Chuyên viên".
    #[arg(long)]
    pub title: Option<String>,
    /// Agency or unit (cơ quan, đơn vị).
    #[arg(long)]
    pub org: Option<String>,
    /// E-mail address (thư điện tử).
    #[arg(long)]
    pub email: Option<String>,
    /// Phone number (số điện thoại).
    #[arg(long)]
    pub phone: Option<String>,
    /// Postal address (địa chỉ).
    #[arg(long)]
    pub address: Option<String>,
    /// Where the details came from (required), e.g. "trả lời thư ngày 20/11".
    #[arg(long)]
    pub note: String,
}

#[derive(Args, Debug)]
pub struct ConfirmArgs {
    /// Item id.
    pub id: i64,
    /// What was confirmed: source or attribution.
    #[arg(long, default_value = "source")]
    pub what: String,
    /// How: phone, email, in-person, document.
    #[arg(long)]
    pub how: String,
    /// Whom you contacted and what they said (required).
    #[arg(long)]
    pub note: String,
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Walk the hash chain; name the first bad row.
    Verify,
    /// Print the history (of one item, or the latest rows).
    Log {
        /// Item id (default: the whole log).
        id: Option<i64>,
        /// Only the latest this many rows (default: all).
        #[arg(long)]
        limit: Option<usize>,
    },
}

#[derive(Args, Debug)]
pub struct DeadlineArgs {
    /// Item id.
    pub id: i64,
    /// New anchor date/time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, local time).
    #[arg(long)]
    pub anchor: Option<String>,
    /// Remove the anchor override.
    #[arg(long)]
    pub clear_anchor: bool,
    /// Deadline rule code of the profile to use instead of the category's.
    #[arg(long)]
    pub rule: Option<String>,
    /// Remove the rule override.
    #[arg(long)]
    pub clear_rule: bool,
    /// Use the rule's extended amount (e.g. a ministry is consulted: 15 → 30 working days).
    #[arg(long)]
    pub extended: bool,
    /// Use the rule's normal amount again (undo --extended).
    #[arg(long, conflicts_with = "extended")]
    pub not_extended: bool,
    /// Why (required; recorded in the audit log).
    #[arg(long)]
    pub note: String,
    /// Version you saw; refused if the item changed since.
    #[arg(long)]
    pub version: Option<i64>,
}

/// The process arguments, normalised to NFC (a terminal or script may send NFD).
pub fn nfc_args() -> Vec<std::ffi::OsString> {
    use unicode_normalization::UnicodeNormalization;
    std::env::args_os()
        .map(|a| match a.to_str() {
            Some(s) => std::ffi::OsString::from(s.nfc().collect::<String>()),
            None => a,
        })
        .collect()
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Items in the generated database (10000, 100000, 1000000).
    #[arg(long, default_value_t = 100_000)]
    pub items: usize,
    /// Seed of the generator (same seed, same database).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Profile of the generated board: bundled id, or a path to a profile TOML file.
    #[arg(long, default_value = "stp-binh-phuoc")]
    pub profile: String,
    /// Where generated databases are cached (default: the XDG cache directory).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Only these groups (repeatable): startup, queue, search, dups, console, import, export.
    #[arg(long)]
    pub only: Vec<String>,
    /// Queries per timed figure.
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
}
