//! End to end over a real SSH login: the Head of the board (Trưởng Ban) logs in with a key that
//! is confined to the console (`restrict,pty,command="bientap …"`), finds the item that waits for
//! the final approval, approves it with the keys a person would press, and the secretary's console,
//! open at the same time on the same database, shows the change without a key pressed there.
//!
//! The fixture is the project's own: a throw-away OpenSSH server on 127.0.0.1 (a fresh host key,
//! `tests/e2e/sshd_config.in`), an OS account `bt-chair-e2e`, two tmux sessions standing in for the
//! two terminals. It needs root, `sshd`, `ssh`, `ssh-keygen`, `tmux`, `useradd` and `usermod`.
//! Without them it prints `SKIP: …` and passes, except under CI (`CI` set), where it fails with
//! what is missing. Every wait is a bounded poll; everything it started is stopped by Drop guards,
//! also when an assertion fails. See docs/ssh.md.

mod ssh_common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ssh_common::{ensure_account, find_tool, keygen, must, output_within, set_mode, text, Sshd};

/// The chair's OS account (created if missing, left in place afterwards).
const CHAIR: &str = "bt-chair-e2e";
/// The member's login: on the board only (root acts for it with `--as`), no OS account needed.
const MEMBER: &str = "bt-member-e2e";
const TITLE: &str = "Thông báo lịch tiếp công dân tháng 12";
/// Enough of the title to recognise its row at 80 columns.
const TITLE_START: &str = "Thông báo lịch tiếp";
/// Upper bound of every wait for a screen or a process.
const WAIT: Duration = Duration::from_secs(20);

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_bientap")
}

// ------------------------------------------------------------------ environment

struct Tools {
    sshd: PathBuf,
    ssh: PathBuf,
    ssh_keygen: PathBuf,
    tmux: PathBuf,
    useradd: PathBuf,
    usermod: PathBuf,
}

/// What the test needs, or why it cannot run here.
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
        tmux: get("tmux"),
        useradd: get("useradd"),
        usermod: get("usermod"),
    };
    if !missing.is_empty() {
        return Err(format!(
            "missing {} (apt-get install openssh-server openssh-client tmux passwd)",
            missing.join(", ")
        ));
    }
    if !bientap::store::identity::is_root() {
        return Err(
            "not running as root (needed to create the chair's OS account and run sshd)".into(),
        );
    }
    Ok(tools)
}

/// Whether another account can reach `path` (every ancestor searchable by others).
fn reachable_by_others(path: &Path) -> bool {
    path.ancestors().skip(1).all(|d| {
        d.as_os_str().is_empty()
            || fs::metadata(d)
                .map(|m| m.permissions().mode() & 0o001 != 0)
                .unwrap_or(false)
    })
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn ensure_chair_account(t: &Tools) {
    ensure_account(&t.useradd, &t.usermod, CHAIR);
}

// ------------------------------------------------------------------ the CLI (as root)

fn cli(db: &Path, args: &[&str]) -> String {
    let o = must(
        Command::new(bin())
            .arg("--db")
            .arg(db)
            .args(["--lang", "en"])
            .args(args)
            .env_remove("BIENTAP_DB"),
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn show(db: &Path, id: i64) -> serde_json::Value {
    let out = cli(db, &["--json", "show", &id.to_string()]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("show {id}: {e}: {out}"))
}

/// A fresh `xa-hai-duong` board in `data` (shared: 0777 directory, 0666 files, as a group set-up
/// would give to its members), with an item waiting for the Trưởng Ban's single `duyet` step.
fn board(data: &Path) -> (PathBuf, i64) {
    let db = data.join("bientap.db");
    cli(
        &db,
        &["init", "--profile", "xa-hai-duong", "--name", "Thư ký Thử"],
    );
    set_mode(data, 0o777);
    for f in ["bientap.db", "bientap.db-wal", "bientap.db-shm"] {
        let p = data.join(f);
        if p.exists() {
            set_mode(&p, 0o666);
        }
    }
    cli(
        &db,
        &[
            "user",
            "add",
            CHAIR,
            "--name",
            "Chủ tịch Thử",
            "--role",
            "truong-ban",
        ],
    );
    cli(
        &db,
        &[
            "user",
            "add",
            MEMBER,
            "--name",
            "Thành viên Thử",
            "--role",
            "thanh-vien",
        ],
    );
    let out = cli(
        &db,
        &[
            "--json",
            "add",
            "--title",
            "Thông báo lịch tiếp công dân",
            "--category",
            "gioi-thieu",
            "--body",
            "Ủy ban nhân dân xã thông báo lịch tiếp công dân định kỳ.",
            "--submitter",
            "Nguyễn Văn An",
            "--email",
            "an@example.gov.vn",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("add --json");
    let id = v["id"].as_i64().expect("id");
    let ids = id.to_string();
    cli(&db, &["decide", &ids, "triage"]);
    cli(&db, &["decide", &ids, "assign", "--to", MEMBER]);
    let version = show(&db, id)["item"]["version"].to_string();
    cli(
        &db,
        &[
            "--as",
            MEMBER,
            "edit",
            &ids,
            "--version",
            &version,
            "--title",
            TITLE,
        ],
    );
    let item = show(&db, id);
    assert_eq!(item["item"]["state"], "editing", "{item}");
    assert_eq!(item["item"]["step"], 0, "the `duyet` step is next: {item}");
    (db, id)
}

// ------------------------------------------------------------------ sshd

// ------------------------------------------------------------------ tmux

/// A private tmux server (its own socket); `kill-server` on drop ends both sessions and the SSH
/// client in one of them.
struct Tmux {
    tmux: PathBuf,
    sock: PathBuf,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new(&self.tmux);
        c.arg("-u")
            .arg("-S")
            .arg(&self.sock)
            .env_remove("TMUX")
            .env("LANG", "C.UTF-8");
        c
    }

    fn new_session(&self, name: &str, cols: u16, rows: u16, shell_cmd: &str) {
        must(self.cmd().args([
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
            shell_cmd,
        ]));
    }

    fn screen(&self, name: &str) -> String {
        let o = self
            .cmd()
            .args(["capture-pane", "-p", "-t", name])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Keys by tmux name (`Enter`, `Escape`, single characters).
    fn keys(&self, name: &str, keys: &[&str]) {
        must(self.cmd().args(["send-keys", "-t", name]).args(keys));
    }

    /// Text typed literally.
    fn type_text(&self, name: &str, text: &str) {
        must(self.cmd().args(["send-keys", "-t", name, "-l", text]));
    }

    /// Polls the screen of `name` until `ok` holds; panics with the screen after `WAIT`.
    fn wait_for(&self, name: &str, what: &str, ok: impl Fn(&str) -> bool, sshd: &Sshd) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen(name);
            if ok(&s) {
                return s;
            }
            if start.elapsed() > WAIT {
                panic!(
                    "session {name}: waited {WAIT:?} for {what}; the screen:\n{s}\n--- sshd log:\n{}",
                    sshd.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .cmd()
            .arg("kill-server")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The count a queue screen shows for tab `n` (the tab line: `▸1 Việc của tôi 1  2:0  3:0 …`).
fn tab_count(screen: &str, n: u8) -> Option<u32> {
    let line = screen.lines().find(|l| l.contains("Việc của tôi"))?;
    let prefix = format!("{n}:");
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(prefix.as_str()))
        .and_then(|c| c.parse().ok())
}

/// The row of the item on a queue screen.
fn item_row(screen: &str) -> Option<&str> {
    screen.lines().find(|l| l.contains(TITLE_START))
}

// ------------------------------------------------------------------ the fixture

/// Serialises the account set-up between the tests of this file (they run in parallel).
static ACCOUNT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Everything a test here needs. Fields drop in declaration order: the tmux server (sessions, SSH
/// clients), leftover consoles, sshd, then the directory.
struct Fixture {
    tmux: Tmux,
    _leftovers: Leftovers,
    sshd: Sshd,
    dir: tempfile::TempDir,
    t: Tools,
    exe: String,
    db: PathBuf,
    id: i64,
    ssh_args: Vec<String>,
    target: String,
}

/// Skips (or, under CI, fails) when the environment cannot run these tests.
fn tools_or_skip() -> Option<Tools> {
    match preflight() {
        Ok(t) => Some(t),
        Err(why) if std::env::var_os("CI").is_some() => panic!(
            "e2e_ssh cannot run: {why}. CI must install openssh-server, openssh-client and tmux \
             and run the tests as root"
        ),
        Err(why) => {
            eprintln!("SKIP: e2e_ssh: {why}");
            None
        }
    }
}

impl Fixture {
    /// A shared data directory with a board whose item waits for the chair, the chair's key
    /// confined to the console, and a running sshd.
    fn new(t: Tools) -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("bientap-e2e-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path().to_path_buf();
        set_mode(&d, 0o755);
        assert!(
            reachable_by_others(&d),
            "{} is not reachable by other accounts (set TMPDIR to a world-searchable directory)",
            d.display()
        );

        // The binary the chair's forced command runs must be reachable by the chair's account;
        // a target directory under a private home is not, so use a copy then.
        let exe = if reachable_by_others(Path::new(bin())) {
            PathBuf::from(bin())
        } else {
            let copy = d.join("bientap");
            fs::copy(bin(), &copy).expect("copy the binary");
            set_mode(&copy, 0o755);
            copy
        };
        let exe = exe.to_str().expect("utf-8 binary path").to_string();

        {
            let _one_at_a_time = ACCOUNT.lock().unwrap_or_else(|p| p.into_inner());
            ensure_chair_account(&t);
        }
        let data = d.join("data");
        fs::create_dir(&data).expect("data dir");
        let (db, id) = board(&data);
        let db_s = db.to_str().expect("utf-8 db path");

        // The chair's key, confined to the console.
        let keys = d.join("keys");
        fs::create_dir(&keys).expect("keys dir");
        set_mode(&keys, 0o755);
        let client_key = d.join("client_ed25519");
        let public = keygen(&t.ssh_keygen, &client_key, "chair@e2e");
        let forced = format!("{exe} --db {db_s} --lang vi");
        assert!(
            !forced.contains('"'),
            "a path with a double quote cannot go in command=\"…\""
        );
        let auth = keys.join(CHAIR);
        fs::write(
            &auth,
            format!("restrict,pty,command=\"{forced}\" {}\n", public.trim()),
        )
        .expect("authorized_keys");
        set_mode(&auth, 0o644);

        let sshd = Sshd::start(
            &t.sshd,
            &t.ssh_keygen,
            &d,
            include_str!("e2e/sshd_config.in"),
            None,
            WAIT,
        );
        let ssh_args: Vec<String> = [
            "-F",
            "/dev/null",
            "-p",
            &sshd.port.to_string(),
            "-i",
            client_key.to_str().expect("utf-8"),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let tmux = Tmux {
            tmux: t.tmux.clone(),
            sock: d.join("tmux.sock"),
        };
        Fixture {
            tmux,
            _leftovers: Leftovers { db: db.clone() },
            sshd,
            dir,
            t,
            exe,
            db,
            id,
            ssh_args,
            target: format!("{CHAIR}@127.0.0.1"),
        }
    }

    /// The interactive login as a shell command line (`ssh -tt … bt-chair-e2e@127.0.0.1`).
    fn ssh_line(&self) -> String {
        std::iter::once(self.t.ssh.to_str().expect("utf-8").to_string())
            .chain(["-tt".to_string()])
            .chain(self.ssh_args.iter().cloned())
            .chain([self.target.clone()])
            .map(|a| sh_quote(&a))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Opens the chair's console over SSH in tmux session `B` (80×24) and waits for its queue.
    fn chair_logs_in(&self, shell_cmd: &str) -> String {
        self.tmux.new_session("B", 80, 24, shell_cmd);
        self.wait("B", "the chair's console over SSH", |s| {
            s.contains(CHAIR) && s.contains("Việc của tôi") && item_row(s).is_some()
        })
    }

    fn wait(&self, name: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.tmux.wait_for(name, what, ok, &self.sshd)
    }

    /// `#`, the number, Enter: the item view.
    fn open_item(&self, name: &str) {
        self.tmux.keys(name, &["#"]);
        self.wait(name, "the number prompt", |s| s.contains("Mở tin bài số"));
        self.tmux.type_text(name, &self.id.to_string());
        self.tmux.keys(name, &["Enter"]);
        let head = format!("#{} v", self.id);
        self.wait(name, "the item", |s| {
            s.contains(&head) && s.contains(TITLE_START)
        });
    }
}

/// Console processes of the chair still running on this test's database (scanned from /proc;
/// the database path is unique to the test, so nothing else matches).
fn chair_consoles(db: &Path) -> Vec<u32> {
    let needle = format!("--db\0{}\0", db.display());
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(&needle))
                .unwrap_or(false)
        })
        .collect()
}

/// User plus system CPU time a process has used (from /proc/PID/stat, in clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat(5); `rest` starts at field 3.
    (ticks(11) + ticks(12)) / 100.0
}

/// Kills (SIGKILL, by pid) any console still running on the test's database when the test ends:
/// a console stuck after its terminal went away ignores SIGTERM.
struct Leftovers {
    db: PathBuf,
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        for pid in chair_consoles(&self.db) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

// ------------------------------------------------------------------ the tests

#[test]
fn the_chair_approves_over_a_confined_ssh_login_and_the_secretary_sees_it() {
    let Some(t) = tools_or_skip() else { return };
    let started = Instant::now();
    let f = Fixture::new(t);
    let id = f.id;

    // 1. The confined key gets no shell: the forced command runs instead of `echo pwned` (and,
    //    without a terminal, the console says it cannot open the screen).
    let o = output_within(
        Command::new(&f.t.ssh)
            .args(&f.ssh_args)
            .arg(&f.target)
            .arg("echo pwned"),
        WAIT,
    );
    let said = text(&o);
    assert!(
        !said.contains("pwned"),
        "the confined key ran a command: {said}"
    );
    assert!(
        !o.status.success() && said.contains("bientap"),
        "expected bientap's own refusal (no terminal), got {:?}: {said}\n--- sshd log:\n{}",
        o.status,
        f.sshd.log_text()
    );
    assert!(
        f.sshd.log_text().contains("forced-command"),
        "sshd ran no forced command:\n{}",
        f.sshd.log_text()
    );

    // 2. The secretary's console (root, locally) at 100×30.
    let db_s = f.db.to_str().expect("utf-8");
    f.tmux.new_session(
        "A",
        100,
        30,
        &format!("{} --db {} --lang vi", sh_quote(&f.exe), sh_quote(db_s)),
    );
    let a0 = f.wait("A", "the secretary's queue", |s| {
        s.contains("root (Thư ký") && tab_count(s, 4).is_some()
    });
    assert_eq!(tab_count(&a0, 4), Some(1), "one item in editing:\n{a0}");
    assert_eq!(tab_count(&a0, 7), Some(0), "nothing approved yet:\n{a0}");

    // 3. The chair logs in over SSH at 80×24; the login opens the console (nothing else).
    let b = f.chair_logs_in(&format!(
        "{}; echo \"ssh-ended:$?\"; sleep 600",
        f.ssh_line()
    ));
    assert!(
        item_row(&b).is_some_and(|r| r.contains("đang biên tập")),
        "the item waits in the chair's work:\n{b}"
    );

    // 4. Like a person: `#`, the number, Enter; `a` for the decision menu; Enter on the first
    //    (allowed) action, which is the next step; the confirmation names the `duyet` step; `y`.
    f.open_item("B");
    f.tmux.keys("B", &["a"]);
    let menu = f.wait("B", "the decision menu", |s| s.contains("Quyết định"));
    let first = menu
        .lines()
        .skip_while(|l| !l.contains("Quyết định"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        first.contains("chuyển bước tiếp theo"),
        "the next step comes first in the menu:\n{menu}"
    );
    f.tmux.keys("B", &["Enter"]);
    f.wait("B", "the confirmation of the final approval", |s| {
        s.contains("Xác nhận") && s.contains("Trưởng Ban kiểm duyệt, quyết định")
    });
    f.tmux.keys("B", &["y"]);
    f.wait("B", "the outcome line", |s| {
        s.contains(&format!("✓ #{id}")) && s.contains("đã duyệt")
    });

    // 5a. The database: approved, and the last audit row is the chair's own, not root's.
    let v = show(&f.db, id);
    assert_eq!(v["item"]["state"], "approved", "{v}");
    let last = v["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["actor"], CHAIR, "{last}");
    assert_eq!(last["os_login"], CHAIR, "{last}");
    assert_eq!(last["to_state"], "approved", "{last}");

    // 5b. The secretary's console shows it with no key pressed there (it watches data_version).
    f.wait(
        "A",
        "the approval to appear on the secretary's console",
        |s| {
            tab_count(s, 7) == Some(1)
                && tab_count(s, 4) == Some(0)
                && item_row(s).is_some_and(|r| r.contains("đã duyệt"))
        },
    );

    // 6. Esc back to the queue, `q` quits the console, and that ends the SSH session (exit 0).
    f.tmux.keys("B", &["Escape"]);
    f.wait("B", "the chair's queue", |s| s.contains("Việc của tôi"));
    f.tmux.keys("B", &["q"]);
    let end = f.wait("B", "the SSH session to end", |s| s.contains("ssh-ended:"));
    assert!(
        end.contains("ssh-ended:0"),
        "quitting the console ends the session cleanly:\n{end}"
    );

    // The secretary quits too, so the last connection checkpoints the WAL.
    f.tmux.keys("A", &["q"]);
    eprintln!(
        "e2e_ssh: approval over SSH done in {:.1} s (port {})",
        started.elapsed().as_secs_f64(),
        f.sshd.port
    );
}

/// The link drops while the chair is editing: the console on the server must end (not linger)
/// and keep the unsaved text as a draft, as docs/guide.en.md promises.
///
/// crossterm 0.29 can stay stuck re-reading a hung-up tty (crossterm-rs/crossterm#793), so the
/// console's own watchdog thread notices the hang-up, writes the last draft and ends the process.
#[test]
fn a_dropped_link_ends_the_console_and_keeps_the_draft() {
    let Some(t) = tools_or_skip() else { return };
    let f = Fixture::new(t);

    // `exec`, so that the pane's process is the SSH client itself.
    f.chair_logs_in(&format!("exec {}", f.ssh_line()));
    assert_eq!(
        chair_consoles(&f.db).len(),
        1,
        "one console on the server for the chair's login"
    );
    f.open_item("B");
    f.tmux.keys("B", &["e"]);
    f.wait("B", "the editor", |s| s.contains("Ctrl-S lưu"));
    f.tmux.type_text("B", " (nháp chưa lưu)");
    f.wait("B", "the typed text", |s| s.contains("(nháp chưa lưu)"));

    // The link drops: the client dies without a word (as when the network goes).
    let pane_pid = must(
        f.tmux
            .cmd()
            .args(["display-message", "-p", "-t", "B", "#{pane_pid}"]),
    );
    let pane_pid = String::from_utf8_lossy(&pane_pid.stdout).trim().to_string();
    must(Command::new("kill").args(["-KILL", &pane_pid]));

    let start = Instant::now();
    while !chair_consoles(&f.db).is_empty() && start.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left = chair_consoles(&f.db);
    let cpu: Vec<String> = left
        .iter()
        .map(|pid| format!("pid {pid}: {:.1} s of CPU", cpu_seconds(*pid)))
        .collect();
    assert!(
        left.is_empty(),
        "the chair's console outlived its SSH link by {WAIT:?} ({})\n--- sshd log:\n{}",
        cpu.join(", "),
        f.sshd.log_text()
    );
    // Each login keeps its drafts in a private folder of its own.
    let drafts = f.dir.path().join("data").join("drafts").join(CHAIR);
    let kept: Vec<_> = fs::read_dir(&drafts)
        .map(|r| r.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        kept.iter()
            .any(|n| n.to_string_lossy() == format!("{CHAIR}-{}.json", f.id)),
        "no draft kept in {}: {kept:?}",
        drafts.display()
    );
}
