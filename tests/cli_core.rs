//! The command line as a secretary uses it: init, users, items, decisions — and every kind of bad
//! input gives one clear line in the user's language, a meaningful exit code, and changes nothing.
//! Several processes on one database file work at once.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bientap::cli::exit;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_bientap")
}

fn run(db: &Path, lang: &str, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(["--lang", lang])
        .args(args)
        .env_remove("BIENTAP_DB")
        .output()
        .expect("run bientap")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let o = run(db, "en", args);
    assert!(
        o.status.success(),
        "bientap {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(db: &Path, lang: &str, args: &[&str], code: i32) -> String {
    let o = run(db, lang, args);
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "bientap {args:?}: {e}");
    assert_eq!(e.trim().lines().count(), 1, "one line expected: {e}");
    e
}

fn me() -> String {
    bientap::store::identity::os_login().expect("os login")
}

fn fresh(profile: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("board").join("bientap.db");
    ok(&db, &["init", "--profile", profile, "--name", "Thư ký Thử"]);
    (dir, db)
}

fn audit_rows(db: &Path) -> i64 {
    let c = rusqlite::Connection::open(db).expect("open");
    c.query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn init_makes_the_caller_the_secretary_and_a_private_data_dir() {
    let (_d, db) = fresh("stp-binh-phuoc");
    let users = ok(&db, &["--json", "user", "list"]);
    let v: serde_json::Value = serde_json::from_str(&users).expect("json");
    assert_eq!(v[0]["login"], me());
    assert_eq!(v[0]["role"], "thu-ky");
    // Refuses to overwrite an existing database.
    err(
        &db,
        "en",
        &["init", "--profile", "stp-binh-phuoc"],
        exit::FAILURE,
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(db.parent().expect("dir"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o007,
        0,
        "data dir must not be world-accessible: {mode:o}"
    );
}

#[test]
fn a_secretary_enters_and_triages_an_item_from_the_command_line() {
    let (d, db) = fresh("thads-hai-duong");
    let body = d.path().join("body.txt");
    // NFD input (combining marks) is stored as NFC.
    std::fs::write(
        &body,
        "Quye\u{0302}\u{0301}t \u{0111}i\u{0323}nh thi ha\u{0300}nh a\u{0301}n.",
    )
    .expect("write");
    let out = ok(
        &db,
        &[
            "--json",
            "add",
            "--title",
            "Hội nghị triển khai công tác thi hành án dân sự năm 2027",
            "--category",
            "tin-tuc",
            "--body-file",
            body.to_str().expect("utf8"),
            "--submitter",
            "Nguyễn Văn An",
            "--email",
            "an@example.gov.vn",
            "--event",
            "2026-11-20T16:00",
        ],
    );
    let id: serde_json::Value = serde_json::from_str(&out).expect("json");
    let id = id["id"].as_i64().expect("id").to_string();
    ok(&db, &["decide", &id, "triage"]);
    let shown = ok(&db, &["--json", "show", &id]);
    let v: serde_json::Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(v["item"]["state"], "triaged");
    assert_eq!(v["item"]["body"], "Quyết định thi hành án.");
    // The news rule (≤ 1 day after the event) gives a due time.
    assert!(v["due"]["at"].is_string(), "{}", v["due"]);
    // Diacritic-insensitive search, đ folded to d.
    let found = ok(&db, &["--json", "search", "quyet dinh thi hanh"]);
    assert!(found.contains("Hội nghị triển khai"), "{found}");
    let listed = ok(&db, &["--json", "list", "--state", "triaged"]);
    let rows: serde_json::Value = serde_json::from_str(&listed).expect("json");
    assert_eq!(rows.as_array().map(|a| a.len()), Some(1));
    ok(&db, &["audit", "verify"]);
}

/// Entering by hand a text the board already has says so (the importer's duplicate check, the
/// profile's article), and the submitter's details can be completed afterwards: the identity
/// check runs again.
#[test]
fn adding_a_known_text_says_so_and_the_submitter_can_be_completed() {
    let (d, db) = fresh("thads-hai-duong");
    let body = d.path().join("tin.txt");
    std::fs::write(
        &body,
        "Sáng ngày 20/11/2026, Chi cục Thi hành án dân sự huyện Tứ Kỳ tổ chức hội nghị sơ kết \
         công tác 6 tháng đầu năm. Hội nghị đã thảo luận, đánh giá kết quả và đề ra phương \
         hướng nhiệm vụ trong thời gian tới.",
    )
    .expect("write");
    let b = body.to_str().expect("utf8");
    let add = |title: &str| ok(&db, &["--json", "add", "--title", title, "--body-file", b]);
    let first: serde_json::Value = serde_json::from_str(&add("Hội nghị sơ kết")).expect("json");
    assert_eq!(first["duplicates"], serde_json::json!([]));
    let first = first["id"].as_i64().expect("id");
    let again: serde_json::Value = serde_json::from_str(&add("Hội nghị sơ kết")).expect("json");
    assert_eq!(again["duplicates"][0]["id"], first);
    assert_eq!(again["duplicates"][0]["similarity"], 1.0);
    let shown = ok(
        &db,
        &["add", "--title", "Hội nghị sơ kết", "--body-file", b],
    );
    assert!(
        shown.contains(&format!("#{first} (100%)")) && shown.contains("Điều 10"),
        "{shown}"
    );

    // An item added by hand has no intake checks: completing its submitter changes the
    // details and says what the identity rule still lacks.
    let id = first.to_string();
    let out = ok(
        &db,
        &[
            "submitter",
            &id,
            "--name",
            "Lê Văn Nam",
            "--phone",
            "0912 000 111",
            "--note",
            "gọi điện",
        ],
    );
    assert!(out.contains("Lê Văn Nam"), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&db, &["--json", "show", &id])).expect("json");
    assert_eq!(v["item"]["submitter"]["phone"], "0912 000 111");
    let e = err(
        &db,
        "vi",
        &["submitter", &id, "--phone", "1", "--note", ""],
        3,
    );
    assert!(e.contains("--note"), "{e}");
    // Nothing given, or nothing different: said, and nothing written.
    let rows = audit_rows(&db);
    let e = err(&db, "en", &["submitter", &id, "--note", "x"], 2);
    assert!(e.contains("--phone"), "{e}");
    let same = ok(
        &db,
        &["submitter", &id, "--name", "Lê Văn Nam", "--note", "x"],
    );
    assert!(same.contains("unchanged"), "{same}");
    assert_eq!(audit_rows(&db), rows);
    ok(&db, &["audit", "verify"]);
}

#[test]
fn bad_input_gives_one_clear_line_and_changes_nothing() {
    let (d, db) = fresh("thads-hai-duong");
    let id = {
        let out = ok(&db, &["--json", "add", "--title", "Tin thử"]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        v["id"].as_i64().expect("id").to_string()
    };
    let before = audit_rows(&db);

    // Unknown profile id (Vietnamese by default, English on request).
    let e = err(
        &d.path().join("x.db"),
        "vi",
        &["init", "--profile", "khong-co"],
        exit::NOT_FOUND,
    );
    assert!(
        e.contains("không có quy chế") && e.contains("thads-hai-duong"),
        "{e}"
    );
    let e = err(
        &d.path().join("x.db"),
        "en",
        &["init", "--profile", "nope"],
        exit::NOT_FOUND,
    );
    assert!(e.contains("no profile"), "{e}");
    // Malformed TOML names the file and line.
    let bad = d.path().join("bad.toml");
    std::fs::write(&bad, "id = \"x\"\n[source\ntitle = 1\n").expect("write");
    let e = err(
        &d.path().join("y.db"),
        "en",
        &["init", "--profile", bad.to_str().expect("p")],
        exit::NOT_FOUND,
    );
    assert!(e.contains("bad.toml:2"), "{e}");
    assert!(!d.path().join("y.db").exists());
    // Missing database.
    let e = err(&d.path().join("none.db"), "en", &["list"], exit::NOT_FOUND);
    assert!(e.contains("no database"), "{e}");
    // Wrong role.
    let e = err(
        &db,
        "en",
        &["user", "add", "lan", "--name", "Lan", "--role", "chu-tich"],
        exit::REFUSED,
    );
    assert!(e.contains("chu-tich") && e.contains("to-truong"), "{e}");
    // An action outside the state machine.
    let e = err(&db, "en", &["decide", &id, "approve"], exit::REFUSED);
    assert!(e.contains("cannot approve"), "{e}");
    // Refusal by a role that may not refuse, unknown reason code, refusal without note.
    let e = err(
        &db,
        "vi",
        &[
            "decide", &id, "reject", "--reason", "10.2.d", "--note", "trùng",
        ],
        exit::REFUSED,
    );
    assert!(e.contains("không được"), "{e}");
    let e = err(
        &db,
        "en",
        &["decide", &id, "return", "--reason", "10.9.z"],
        exit::REFUSED,
    );
    assert!(e.contains("10.9.z") && e.contains("10.2.a"), "{e}");
    // Stale version.
    let e = err(
        &db,
        "en",
        &[
            "decide",
            &id,
            "triage",
            "--category",
            "tin-tuc",
            "--version",
            "7",
        ],
        exit::CONFLICT,
    );
    assert!(e.contains("changed by someone else"), "{e}");
    // Unknown item, unknown action, bad date.
    err(&db, "en", &["show", "9999"], exit::NOT_FOUND);
    err(&db, "en", &["decide", &id, "bless"], exit::USAGE);
    err(
        &db,
        "en",
        &["add", "--title", "x", "--event", "20/11/2026"],
        exit::USAGE,
    );
    // `--as` is for root only.
    if !bientap::store::identity::is_root() {
        err(&db, "en", &["--as", "someone", "list"], exit::DENIED);
    }
    assert_eq!(
        audit_rows(&db),
        before,
        "a refused command wrote to the audit log"
    );
    ok(&db, &["audit", "verify"]);
}

/// A new user runs `bientap demo`, then a command without `--db`: the message says where the
/// demo database is and how to use it, instead of only "no database".
#[test]
fn after_the_demo_a_command_without_db_points_to_the_demo_database() {
    let home = tempfile::tempdir().expect("home");
    let run = |args: &[&str]| {
        Command::new(bin())
            .env("HOME", home.path())
            .env_remove("XDG_DATA_HOME")
            .env_remove("BIENTAP_DB")
            .args(args)
            .output()
            .expect("run")
    };
    let o = run(&["demo", "--no-open", "--items", "5"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let demo = home.path().join(".local/share/bientap/demo.db");
    assert!(demo.is_file());
    let o = run(&["--lang", "en", "list"]);
    assert_eq!(o.status.code(), Some(exit::NOT_FOUND));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("no database") && e.contains(&format!("--db {}", demo.display())),
        "{e}"
    );
    let o = run(&["list"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("cơ sở dữ liệu thử"), "{e}");
}

/// Opening a database of an older schema says, before the (possibly long) upgrade, what is
/// happening; the command then runs, and the next one says nothing.
#[test]
fn an_older_database_is_upgraded_with_a_notice() {
    let (_d, db) = fresh("stp-binh-phuoc");
    {
        // Back to schema 4 (the later steps, rebuilding `items` and `checks`, run again on any
        // database).
        let c = rusqlite::Connection::open(&db).expect("open");
        c.pragma_update(None, "user_version", 4).expect("version");
    }
    let o = run(&db, "en", &["list"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("upgrading the database")
            && e.contains(&format!("schema 4 → {}", bientap::store::SCHEMA_VERSION)),
        "{e}"
    );
    let v: i64 = rusqlite::Connection::open(&db)
        .expect("open")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(v, bientap::store::SCHEMA_VERSION);
    let o = run(&db, "vi", &["list"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!e.contains("nâng cấp"), "{e}");
}

#[test]
fn an_unknown_login_is_refused() {
    if !bientap::store::identity::is_root() {
        eprintln!("skipped: needs root for --as");
        return;
    }
    let (_d, db) = fresh("xa-hai-duong");
    let e = err(
        &db,
        "en",
        &["--as", "nguoila", "add", "--title", "x"],
        exit::DENIED,
    );
    assert!(
        e.contains("nguoila") && e.contains("not on the board"),
        "{e}"
    );
}

#[test]
fn root_acting_for_another_login_is_recorded() {
    if !bientap::store::identity::is_root() {
        eprintln!("skipped: needs root for --as");
        return;
    }
    let (_d, db) = fresh("xa-hai-duong");
    ok(
        &db,
        &[
            "user",
            "add",
            "lan.nt",
            "--name",
            "Nguyễn Thị Lan",
            "--role",
            "thanh-vien",
        ],
    );
    ok(
        &db,
        &["--as", "lan.nt", "add", "--title", "Tin do Lan nhập"],
    );
    let log = ok(&db, &["--json", "audit", "log"]);
    let v: serde_json::Value = serde_json::from_str(&log).expect("json");
    let last = v.as_array().and_then(|a| a.last()).expect("row");
    assert_eq!(last["actor"], "lan.nt");
    assert_eq!(last["os_login"], "root");
}

#[test]
fn two_processes_write_to_one_database_at_once() {
    let (_d, db) = fresh("xa-hai-duong");
    let spawn = |tag: &str| {
        let script = format!(
            "for i in $(seq 1 40); do \"$0\" --db \"$1\" add --title \"{tag} số $i\" >/dev/null || exit 1; done"
        );
        Command::new("sh")
            .args(["-c", &script, bin()])
            .arg(&db)
            .spawn()
            .expect("spawn")
    };
    let reader = {
        let script =
            "for i in $(seq 1 40); do \"$0\" --db \"$1\" list --json >/dev/null || exit 1; done";
        Command::new("sh")
            .args(["-c", script, bin()])
            .arg(&db)
            .spawn()
            .expect("spawn")
    };
    let (mut a, mut b, mut r) = (spawn("Thư ký"), spawn("Chủ tịch"), reader);
    assert!(a.wait().expect("wait").success());
    assert!(b.wait().expect("wait").success());
    assert!(r.wait().expect("wait").success());
    let out = ok(&db, &["--json", "list"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v.as_array().map(|a| a.len()), Some(80));
    ok(&db, &["audit", "verify"]);
}

#[test]
fn a_writer_locked_out_past_the_timeout_says_so_and_writes_nothing() {
    let (_d, db) = fresh("xa-hai-duong");
    let holder = rusqlite::Connection::open(&db).expect("open");
    holder.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let e = err(&db, "en", &["add", "--title", "x"], exit::BUSY);
    assert!(e.contains("locked by another writer"), "{e}");
    holder.execute_batch("ROLLBACK").expect("unlock");
    let out = ok(&db, &["--json", "list"]);
    assert_eq!(out.trim(), "[]");
}

/// `bientap demo` also takes in a mailbox of sample submissions with the real importer, so a
/// new user sees each of the regulation's checks at work in the Received tab; the messages
/// stay in a Maildir beside the database, marked seen, and are never taken in twice.
#[test]
fn the_demo_takes_in_its_mailbox_with_the_checks_at_work() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("demo.db");
    let o = run(&db, "en", &["demo", "--no-open", "--items", "120"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("Took in 8 sample messages"), "{said}");
    let maildir = dir.path().join("demo-mail");
    assert_eq!(fs::read_dir(maildir.join("new")).expect("new").count(), 0);
    assert_eq!(fs::read_dir(maildir.join("cur")).expect("cur").count(), 8);

    let c = rusqlite::Connection::open(&db).expect("open");
    // (title starts with, flags) of the eight submissions, in the order they came.
    let rows: Vec<(String, String, i64)> = c
        .prepare(
            "SELECT title, check_flags, id FROM items WHERE channel = 'maildir' AND state = 'received'
               AND message_id LIKE '%demo-%' ORDER BY id",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(rows.len(), 8, "{rows:?}");
    let check = |id: i64, code: &str| -> (String, String) {
        c.query_row(
            "SELECT status, detail FROM checks WHERE item_id = ?1 AND code = ?2",
            rusqlite::params![id, code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("check")
    };
    let flags = |i: usize| rows[i].1.split(' ').map(String::from).collect::<Vec<_>>();
    // 1: complete — nothing failed.
    assert!(rows[0].1.is_empty(), "{rows:?}");
    assert_eq!(check(rows[0].2, "unit-approval").0, "pass");
    // 2: a citizen from Gmail, name only.
    assert!(flags(1).contains(&"I".to_string()), "{rows:?}");
    assert!(check(rows[1].2, "identity").1.contains("số điện thoại"));
    // 3: a copy of a published item.
    assert!(flags(2).contains(&"D".to_string()), "{rows:?}");
    let (status, detail) = check(rows[2].2, "duplicate");
    assert_eq!(status, "fail");
    let original: i64 = detail
        .split('#')
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .expect("names the original");
    let state: String = c
        .query_row("SELECT state FROM items WHERE id = ?1", [original], |r| {
            r.get(0)
        })
        .expect("original");
    assert_eq!(state, "published");
    // 4: TCVN3, converted and said so; the text reads as Vietnamese.
    assert_eq!(check(rows[3].2, "unicode").0, "warn");
    let body: String = c
        .query_row("SELECT body FROM items WHERE id = ?1", [rows[3].2], |r| {
            r.get(0)
        })
        .expect("body");
    assert!(body.contains("hòa giải ở cơ sở"), "{body}");
    // 5: collected from a newspaper without its date; `show` says what is missing.
    assert!(flags(4).contains(&"T".to_string()), "{rows:?}");
    let shown = ok(&db, &["show", &rows[4].2.to_string()]);
    assert!(
        shown.contains("Quoted from: author (missing); source Báo Pháp luật Việt Nam; first published (missing)"),
        "{shown}"
    );
    // 6 and 7: a decision as a Word file only, then with the stamped scan.
    assert!(flags(5).contains(&"S".to_string()), "{rows:?}");
    assert_eq!(check(rows[6].2, "stamped").0, "pass");
    // 8: a PNG named .jpg, and terminal escapes removed from the subject.
    assert!(flags(7).contains(&"F".to_string()), "{rows:?}");
    assert_eq!(check(rows[7].2, "text-cleaned").0, "warn");
    assert!(!rows[7].0.contains('\u{1b}'), "{:?}", rows[7].0);

    // Taken in again from the files: all already there.
    let files: Vec<PathBuf> = fs::read_dir(maildir.join("cur"))
        .expect("cur")
        .map(|e| e.expect("entry").path())
        .collect();
    let mut args = vec!["import".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ok(&db, &args);
    assert!(out.contains("skipped 8"), "{out}");
}
