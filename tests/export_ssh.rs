//! The nightly export delivered over a real SSH login, to a key that `examples/deploy/
//! authorized_keys` confines to `rrsync -wo <incoming dir>` (write only, no shell).
//!
//! A throw-away OpenSSH server on 127.0.0.1 (fresh host key, keys only, no PAM) stands in for the
//! site host; the OS account `bt-site-e2e` is its receiving side (created if missing, left in
//! place). The test runs the real binary: `bientap export --out OUT --deliver` with
//! `BIENTAP_DELIVER` set to an rsync over ssh command line, then checks the bundle arrived intact
//! (`sha256sum -c SHA256SUMS` in the incoming copy), that the ledger says `delivered`, that the key
//! can neither run a command, nor write outside the incoming directory, nor read it back; then it
//! stops sshd: the next export writes its bundle, exits 9 and says why; with sshd back, a plain
//! rerun exports nothing new and delivers the waiting bundle.
//!
//! Needs root, `sshd`, `ssh`, `ssh-keygen`, `rsync`, `rrsync`, `useradd`, `usermod`, `sha256sum`.
//! Without them it prints `SKIP: …` and passes, except under CI (`CI` set), where it fails with
//! what is missing. Every wait is bounded; sshd is stopped by a Drop guard. See docs/export.md.

mod ssh_common;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use bientap::store::{identity, Store};
use ssh_common::{ensure_account, find_tool, keygen, output_within, set_mode, text, Sshd};

/// The site host's receiving account (created if missing, left in place afterwards).
const SITE: &str = "bt-site-e2e";
const PROFILE: &str = include_str!("fixtures/stp-binh-phuoc.toml");
/// The documented authorized_keys line for the export key; the test uses exactly its options.
const EXAMPLE_KEYS: &str = include_str!("../examples/deploy/authorized_keys");
/// The incoming directory the example names (replaced by the test's own).
const EXAMPLE_INCOMING: &str = "/home/bientap/incoming";
/// Upper bound of every wait for a process.
const WAIT: Duration = Duration::from_secs(30);

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_bientap")
}

// ------------------------------------------------------------------ environment

struct Tools {
    sshd: PathBuf,
    ssh: PathBuf,
    ssh_keygen: PathBuf,
    rsync: PathBuf,
    rrsync: PathBuf,
    useradd: PathBuf,
    usermod: PathBuf,
    sha256sum: PathBuf,
}

fn preflight() -> Result<Tools, String> {
    let mut missing = Vec::new();
    let mut get = |name: &str| {
        let p = find_tool(name);
        if p.is_none() {
            missing.push(name.to_string());
        }
        p.unwrap_or_default()
    };
    let tools = Tools {
        sshd: get("sshd"),
        ssh: get("ssh"),
        ssh_keygen: get("ssh-keygen"),
        rsync: get("rsync"),
        rrsync: get("rrsync"),
        useradd: get("useradd"),
        usermod: get("usermod"),
        sha256sum: get("sha256sum"),
    };
    if !missing.is_empty() {
        return Err(format!(
            "missing {} (apt-get install openssh-server openssh-client rsync passwd coreutils)",
            missing.join(", ")
        ));
    }
    if !identity::is_root() {
        return Err(
            "not running as root (needed to create the site's OS account and run sshd)".into(),
        );
    }
    Ok(tools)
}

fn tools_or_skip() -> Option<Tools> {
    match preflight() {
        Ok(t) => Some(t),
        Err(why) if std::env::var_os("CI").is_some() => panic!(
            "export_ssh cannot run: {why}. CI must install openssh-server, openssh-client and \
             rsync (with rrsync) and run the tests as root"
        ),
        Err(why) => {
            eprintln!("SKIP: export_ssh: {why}");
            None
        }
    }
}

fn must(cmd: &mut Command) -> Output {
    let o = output_within(cmd, WAIT);
    assert!(o.status.success(), "{cmd:?} failed: {}", text(&o));
    o
}

/// The site's OS account, ready for a key login; returns its uid and gid.
fn ensure_site_account(t: &Tools) -> (u32, u32) {
    ensure_account(&t.useradd, &t.usermod, SITE);
    let num = |flag: &str| -> u32 {
        let o = must(Command::new("id").args([flag, SITE]));
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse()
            .expect("numeric id")
    };
    (num("-u"), num("-g"))
}

/// The export key's authorized_keys line: the options of the documented example, with the test's
/// incoming directory (and rrsync where this system has it), followed by the test's public key.
fn authorized_line(rrsync: &Path, incoming: &Path, public: &str) -> String {
    let example = EXAMPLE_KEYS
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .expect("examples/deploy/authorized_keys has a key line");
    let (options, _key) = example
        .split_once(" ssh-")
        .expect("the example line is `OPTIONS ssh-… KEY COMMENT`");
    assert!(
        options.contains(EXAMPLE_INCOMING) && options.contains("/usr/bin/rrsync"),
        "the example no longer names {EXAMPLE_INCOMING} through /usr/bin/rrsync: {options}"
    );
    let dir = incoming.to_str().expect("utf-8 incoming dir");
    assert!(
        !dir.contains(['"', ' ']),
        "no quotes or spaces in {dir} (it goes in command=\"…\")"
    );
    let options = options
        .replace(EXAMPLE_INCOMING, dir)
        .replace("/usr/bin/rrsync", rrsync.to_str().expect("utf-8"));
    format!("{options} {}\n", public.trim())
}

// ------------------------------------------------------------------ sshd

const SSHD_CONFIG: &str = "\
ListenAddress 127.0.0.1
Port @PORT@
HostKey @DIR@/host_ed25519
PidFile @DIR@/sshd.pid
AuthorizedKeysFile @DIR@/keys/%u
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
AllowUsers @USER@
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
";

/// The site's sshd on `port` (or a free one), keys only, only the site's account.
fn start_sshd(t: &Tools, dir: &Path, port: Option<u16>) -> Sshd {
    let config = SSHD_CONFIG.replace("@USER@", SITE);
    Sshd::start(&t.sshd, &t.ssh_keygen, dir, &config, port, WAIT)
}

// ------------------------------------------------------------------ the board side

/// Inserts `n` approved items (as the workflow leaves them) for a later bundle.
fn add_approved(db: &Path, n: usize) -> Vec<i64> {
    let store = Store::open(db).expect("open");
    let now = bientap::store::ts(chrono::Utc::now());
    let mut ids = Vec::new();
    for k in 0..n {
        store
            .conn()
            .execute(
                "INSERT INTO items(version, state, step, category, title, body, received_at, created_at, updated_at, last_actor)
                 VALUES (5, 'approved', 3, 'tin-tuc', ?1, ?2, ?3, ?3, ?3, 'truong-ban-x')",
                rusqlite::params![
                    format!("Tin giao qua SSH {k}: hội nghị triển khai công tác"),
                    "Nội dung. ".repeat(50),
                    now
                ],
            )
            .expect("insert");
        ids.push(store.conn().last_insert_rowid());
    }
    ids
}

fn state_of(db: &Path, id: i64) -> String {
    let store = Store::open(db).expect("open");
    store
        .conn()
        .query_row("SELECT state FROM items WHERE id = ?1", [id], |r| r.get(0))
        .expect("state")
}

/// Bundle folders in the outbox (not the temporary ones), sorted.
fn bundles(out: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(out)
        .expect("ls outbox")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

/// Every file under `dir`, as relative paths, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, p: &Path, v: &mut Vec<String>) {
        for e in fs::read_dir(p).expect("ls").map(|e| e.expect("entry")) {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, v);
            } else {
                v.push(
                    path.strip_prefix(root)
                        .expect("under root")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

fn manifest_ids(bundle: &Path) -> Vec<i64> {
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(bundle.join("manifest.json")).expect("manifest"))
            .expect("manifest json");
    m["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

// ------------------------------------------------------------------ the test

#[test]
fn nightly_export_delivers_over_ssh_to_an_rrsync_key_and_retries_after_a_failure() {
    let Some(t) = tools_or_skip() else { return };
    let started = Instant::now();
    let tmp = tempfile::Builder::new()
        .prefix("bientap-export-ssh-")
        .tempdir()
        .expect("temp dir");
    let d = tmp.path().to_path_buf();
    set_mode(&d, 0o755);

    // The site host's side: the account, its incoming directory, the confined export key.
    let (uid, gid) = ensure_site_account(&t);
    let site = d.join("site");
    let incoming = site.join("incoming");
    fs::create_dir_all(&incoming).expect("incoming");
    set_mode(&site, 0o755);
    std::os::unix::fs::chown(&incoming, Some(uid), Some(gid)).expect("chown incoming");
    set_mode(&incoming, 0o755);
    let keys = d.join("keys");
    fs::create_dir(&keys).expect("keys dir");
    set_mode(&keys, 0o755);
    let key = d.join("export_ed25519");
    let public = keygen(&t.ssh_keygen, &key, "bientap-export@e2e");
    let line = authorized_line(&t.rrsync, &incoming, &public);
    assert!(
        line.contains(",restrict ") && line.contains(" -wo "),
        "{line}"
    );
    let auth = keys.join(SITE);
    fs::write(&auth, &line).expect("authorized_keys");
    set_mode(&auth, 0o644);

    let sshd = start_sshd(&t, &d, None);
    let port = sshd.port;
    let key_s = key.to_str().expect("utf-8 key path");
    let ssh_opts = format!(
        "-F /dev/null -p {port} -i {key_s} -o IdentitiesOnly=yes -o BatchMode=yes \
         -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
         -o ConnectTimeout=10"
    );
    let target = format!("{SITE}@127.0.0.1");
    // The delivery command as an administrator would set it: split into words by bientap (the
    // double quotes keep rsync's `-e` value one word), run without a shell, once per bundle.
    let deliver = format!(
        "{} -a --delay-updates -e \"{} {ssh_opts}\" {{bundle}} {target}:",
        t.rsync.display(),
        t.ssh.display()
    );

    // The board's side: a demo database (root is the secretary, who may publish) and an outbox.
    let db = d.join("data").join("bientap.db");
    let out = d.join("outbox");
    fs::create_dir_all(&out).expect("outbox");
    let profile = bientap::profile::parse("stp-binh-phuoc.toml", PROFILE).expect("profile");
    bientap::demo::generate(
        &db,
        &profile,
        PROFILE,
        &identity::os_login().unwrap_or_else(|| "root".into()),
        "thu-ky",
        40,
        7,
        chrono::Utc::now(),
    )
    .expect("demo");
    let approved: Vec<i64> = {
        let store = Store::open(&db).expect("open");
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM items WHERE state = 'approved' ORDER BY id")
            .expect("prepare");
        let rows = stmt.query_map([], |r| r.get(0)).expect("query");
        rows.map(|r| r.expect("row")).collect()
    };
    assert!(!approved.is_empty(), "the demo has approved items");

    let export = || {
        output_within(
            Command::new(bin())
                .args(["--lang", "en", "--db"])
                .arg(&db)
                .args(["export", "--deliver", "--out"])
                .arg(&out)
                .env_remove("BIENTAP_DB")
                .env("BIENTAP_DELIVER", &deliver)
                .env("BIENTAP_DELIVER_RETRIES", "1")
                .env("BIENTAP_DELIVER_BACKOFF", "0"),
            Duration::from_secs(60),
        )
    };
    let sha256sum_c = |dir: &Path| {
        output_within(
            Command::new(&t.sha256sum)
                .args(["-c", "--strict", "SHA256SUMS"])
                .current_dir(dir),
            WAIT,
        )
    };

    // 1. The nightly run: one bundle, delivered over SSH into the incoming directory.
    let o = export();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "export --deliver: {err}\n--- sshd log:\n{}",
        sshd.log_text()
    );
    let first = bundles(&out);
    assert_eq!(first.len(), 1, "{first:?}");
    let run1 = first[0].clone();
    assert!(
        err.contains(&format!("export: wrote bundle {run1}")),
        "{err}"
    );
    assert!(err.contains(&format!("deliver: delivered {run1}")), "{err}");
    let arrived = incoming.join(&run1);
    assert!(
        arrived.is_dir(),
        "the bundle did not arrive in {} (the forced command's directory)",
        incoming.display()
    );
    let sums = sha256sum_c(&arrived);
    assert!(
        sums.status.success(),
        "sha256sum -c in the delivered copy: {}",
        text(&sums)
    );
    assert_eq!(
        files_under(&arrived),
        files_under(&out.join(&run1)),
        "the delivered copy holds exactly the bundle's files"
    );
    assert_eq!(
        fs::metadata(arrived.join("manifest.json"))
            .expect("manifest")
            .uid(),
        uid,
        "the files were written by the site's account over SSH"
    );
    assert_eq!(manifest_ids(&arrived), approved, "every approved item");
    assert!(
        sshd.log_text().contains("forced-command"),
        "sshd ran the key's forced command:\n{}",
        sshd.log_text()
    );
    {
        let store = Store::open(&db).expect("open");
        let r = store.export_run(&run1).expect("run").expect("ledger row");
        assert_eq!(r.status, "delivered", "{r:?}");
        assert!(r.delivered_at.is_some(), "{r:?}");
        assert!(r.delivery_log.contains("ok=true"), "{r:?}");
    }
    for id in &approved {
        assert_eq!(state_of(&db, *id), "published", "item {id}");
    }

    // 2. The key is confined: no command runs, nothing lands outside the incoming directory,
    //    nothing is read back (`-wo`).
    let ssh = |args: &[&str]| {
        let mut c = Command::new(&t.ssh);
        c.args(ssh_opts.split_whitespace()).arg(&target).args(args);
        output_within(&mut c, WAIT)
    };
    let o = ssh(&["echo pwned"]);
    assert!(
        !text(&o).contains("pwned") && !o.status.success(),
        "the export key ran a shell command ({:?}): {}",
        o.status,
        text(&o)
    );
    let probe = d.join("escape");
    fs::write(&probe, b"should stay out").expect("probe");
    let rsync_e = format!("{} {ssh_opts}", t.ssh.display());
    let rsync = |src: &str, dst: &str| {
        output_within(
            Command::new(&t.rsync).args(["-a", "-e", &rsync_e, src, dst]),
            WAIT,
        )
    };
    let probe_s = probe.to_str().expect("utf-8");
    let up = rsync(probe_s, &format!("{target}:../escape"));
    assert!(
        !site.join("escape").exists(),
        "rsync to ../escape wrote beside the incoming directory ({:?}): {}",
        up.status,
        text(&up)
    );
    assert!(
        !up.status.success() || incoming.join("escape").exists(),
        "rsync to ../escape claims success but the file is nowhere: {}",
        text(&up)
    );
    let outside = site.join("escape-abs");
    let up = rsync(probe_s, &format!("{target}:{}", outside.display()));
    assert!(
        !outside.exists(),
        "rsync to an absolute path wrote outside the incoming directory: {}",
        text(&up)
    );
    let home_escape = Path::new("/home").join(SITE).join("escape");
    assert!(!home_escape.exists(), "wrote into the account's home");
    let back = d.join("read-back");
    let down = rsync(&format!("{target}:{run1}/"), back.to_str().expect("utf-8"));
    assert!(
        !down.status.success() && !back.join("manifest.json").exists(),
        "the write-only key read a bundle back: {}",
        text(&down)
    );

    // 3. The site host is down: the new bundle is written and kept, delivery fails with exit 9
    //    and a log line per attempt, and nothing already exported is exported again.
    let new_ids = add_approved(&db, 3);
    drop(sshd);
    let o = export();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(9),
        "export --deliver, sshd down: {err}"
    );
    let second = bundles(&out);
    assert_eq!(second.len(), 2, "{second:?}");
    let run2 = second[1].clone();
    assert!(
        err.contains(&format!("export: wrote bundle {run2}")),
        "{err}"
    );
    for n in 1..=2 {
        let attempt = err
            .lines()
            .find(|l| l.contains(&format!("deliver: attempt {n}/2")))
            .unwrap_or_else(|| panic!("no log line for attempt {n}: {err}"));
        assert!(
            attempt.starts_with("bientap:")
                && attempt.contains("exited with status")
                && !attempt.contains("status 0 "),
            "{attempt}"
        );
    }
    assert!(
        err.contains(&format!("delivery of {run2} failed after 2 attempts"))
            && err.contains("not exported again"),
        "{err}"
    );
    assert!(!err.contains("deliver: delivered"), "{err}");
    assert!(!incoming.join(&run2).exists(), "nothing arrived");
    assert_eq!(
        manifest_ids(&out.join(&run2)),
        new_ids,
        "only the new items"
    );
    {
        let store = Store::open(&db).expect("open");
        let r = store.export_run(&run2).expect("run").expect("ledger row");
        assert_eq!(r.status, "complete", "{r:?}");
        assert!(r.delivery_log.contains("ok=false"), "{r:?}");
        let r1 = store.export_run(&run1).expect("run").expect("ledger row");
        assert_eq!(r1.status, "delivered", "{r1:?}");
    }

    // 4. The site host is back (same port, same command): a plain rerun exports nothing new and
    //    delivers the waiting bundle; the one delivered before is not sent again.
    let sshd = start_sshd(&t, &d, Some(port));
    let o = export();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "rerun: {err}\n--- sshd log:\n{}",
        sshd.log_text()
    );
    assert!(err.contains("export: nothing new to export"), "{err}");
    assert!(err.contains(&format!("deliver: delivered {run2}")), "{err}");
    assert!(
        !err.contains(&run1),
        "the delivered bundle is left alone: {err}"
    );
    assert_eq!(bundles(&out), second, "no new bundle");
    let sums = sha256sum_c(&incoming.join(&run2));
    assert!(sums.status.success(), "{}", text(&sums));
    assert_eq!(
        files_under(&incoming.join(&run2)),
        files_under(&out.join(&run2))
    );
    {
        let store = Store::open(&db).expect("open");
        let r = store.export_run(&run2).expect("run").expect("ledger row");
        assert_eq!(r.status, "delivered", "{r:?}");
        assert!(
            r.delivery_log.contains("ok=false") && r.delivery_log.contains("ok=true"),
            "both attempts are on record: {r:?}"
        );
        assert!(store
            .export_runs_with_status("complete")
            .expect("runs")
            .is_empty());
    }
    for id in &new_ids {
        assert_eq!(state_of(&db, *id), "published", "item {id}");
    }
    eprintln!(
        "export_ssh: delivered {run1} ({} items) and, after an outage, {run2} over SSH/rrsync in {:.1} s (port {port})",
        approved.len(),
        started.elapsed().as_secs_f64()
    );
}
