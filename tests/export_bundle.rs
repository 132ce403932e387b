//! `bientap export`: bundles a site host can use — content, confidentiality, idempotence,
//! takedowns, bad input, delivery, the lock, a real Hugo build, `sha256sum -c`, `xmllint`, and
//! `kill -9` at random moments.
//!
//! External tools (installed in CI: `hugo rsync libxml2-utils`): a test that needs one that is
//! missing prints `SKIP …` and returns (under CI, which installs them, it fails instead).

mod intake_common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bientap::domain::item::State;
use bientap::domain::workflow::Action;
use bientap::export::{self, ExportError, ExportOptions};
use bientap::i18n::Lang;
use bientap::store::{blob_path, identity, Ctx, Store};
use sha2::{Digest, Sha256};

const PROFILE: &str = include_str!("fixtures/stp-binh-phuoc.toml");
const SECRET_NAME: &str = "Người Gửi Bí Mật Zq";
const SECRET_MAIL: &str = "bimat.zq@example.vn";
const SECRET_PHONE: &str = "0999.123.777";
const NOTE: &str = "GHI CHÚ NỘI BỘ không được xuất Kx";

fn me() -> String {
    identity::os_login().unwrap_or_else(|| "root".into())
}

fn ctx_as(login: &str) -> Ctx {
    Ctx {
        actor: login.to_string(),
        os_login: login.to_string(),
        now: chrono::Utc::now(),
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

struct Env {
    _tmp: tempfile::TempDir,
    db: PathBuf,
    out: PathBuf,
}

/// A realistic database (demo generator: the OS login is the secretary, who may publish) with
/// attachments on some approved items and one approved item whose submitter is confidential and
/// that carries an internal note.
/// A missing outside tool: skipped on a developer machine, a failure under CI (which installs it).
fn skip(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("CI must install this tool: {what}");
    }
    eprintln!("SKIP {what}");
}

fn setup(items: usize) -> (Env, Store) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = tmp.path().join("data").join("bientap.db");
    let out = tmp.path().join("outbox");
    std::fs::create_dir_all(&out).expect("outbox");
    let profile = bientap::profile::parse("stp-binh-phuoc.toml", PROFILE).expect("profile");
    bientap::demo::generate(
        &db,
        &profile,
        PROFILE,
        &me(),
        "thu-ky",
        items,
        7,
        chrono::Utc::now(),
    )
    .expect("demo");
    let mut store = Store::open(&db).expect("open");
    let approved = approved_ids(&store);
    assert!(approved.len() >= 3, "demo has approved items");
    // Attachments on the first two approved items (one with a hostile name).
    for (n, id) in approved.iter().take(2).enumerate() {
        add_attachment(
            &store,
            &db,
            *id,
            &format!("Quyết định số {n}.pdf"),
            &vec![n as u8 + 1; 5000 + n],
        );
    }
    add_attachment(&store, &db, approved[0], "../../etc/passwd", b"not really");
    // A confidential submitter and an internal note on the third.
    store
        .conn()
        .execute(
            "UPDATE items SET sub_name = ?2, sub_email = ?3, sub_phone = ?4, sub_confidential = 1,
                src_author = '', title = title || ' \"ngoặc\" {{< shortcode >}} & <b>',
                body = body || ' {{< readfile \"/etc/passwd\" >}}' WHERE id = ?1",
            rusqlite::params![approved[2], SECRET_NAME, SECRET_MAIL, SECRET_PHONE],
        )
        .expect("confidential");
    store
        .add_note(&ctx_as(&me()), approved[2], NOTE)
        .expect("note");
    (Env { _tmp: tmp, db, out }, store)
}

fn add_attachment(store: &Store, db: &Path, item: i64, name: &str, bytes: &[u8]) {
    let sha = hex::encode(Sha256::digest(bytes));
    let p = blob_path(&identity::data_dir(db), &sha);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("blob dir");
    std::fs::write(&p, bytes).expect("blob");
    store
        .conn()
        .execute(
            "INSERT INTO attachments(item_id, sha256, size, name, ext, mime) VALUES (?1, ?2, ?3, ?4, 'pdf', 'application/pdf')",
            rusqlite::params![item, sha, bytes.len() as i64, name],
        )
        .expect("attachment row");
}

fn approved_ids(store: &Store) -> Vec<i64> {
    ids_in(store, "approved")
}

fn ids_in(store: &Store, state: &str) -> Vec<i64> {
    let mut stmt = store
        .conn()
        .prepare("SELECT id FROM items WHERE state = ?1 ORDER BY id")
        .expect("prepare");
    let rows = stmt
        .query_map([state], |r| r.get::<_, i64>(0))
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

fn run_export(store: &mut Store, out: &Path) -> Result<export::ExportOutcome, ExportError> {
    let mut lines = Vec::new();
    let r = export::export(
        store,
        &ctx_as(&me()),
        &ExportOptions {
            out: out.to_path_buf(),
            lang: Lang::En,
        },
        &mut |l| lines.push(l),
    );
    for l in &lines {
        eprintln!("{l}");
    }
    r
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest"))
        .expect("json")
}

fn manifest_ids(m: &serde_json::Value, kind: &str) -> Vec<i64> {
    m["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["pubstatus"] == kind)
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut v = Vec::new();
    fn walk(p: &Path, v: &mut Vec<u8>) {
        for e in std::fs::read_dir(p).expect("read_dir") {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                walk(&e.path(), v);
            } else {
                v.extend(std::fs::read(e.path()).expect("read"));
                v.extend(e.path().display().to_string().as_bytes());
            }
        }
    }
    walk(dir, &mut v);
    v
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bientap"))
}

#[test]
fn one_bundle_of_every_approved_item_published_once_and_nothing_secret() {
    let (env, mut store) = setup(120);
    let approved = approved_ids(&store);
    let o = run_export(&mut store, &env.out).expect("export");
    let dir = o.dir.clone().expect("a bundle");
    assert_eq!(o.usable, approved.len());
    // Exactly one bundle, under its final name; no temporary directory left.
    let names: Vec<String> = std::fs::read_dir(&env.out)
        .expect("ls")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![o.run_id.clone().expect("run")]);
    // Every approved item is now published, recorded in the ledger and the audit log.
    assert!(approved_ids(&store).is_empty());
    for id in &approved {
        assert_eq!(store.item(*id).expect("item").state, State::Published);
        let log = store.audit_log(Some(*id), None).expect("log");
        assert_eq!(
            log.last().map(|e| e.record.action.as_str()),
            Some("publish")
        );
    }
    assert!(store.audit_verify().expect("verify").fault.is_none());
    let m = manifest(&dir);
    assert_eq!(manifest_ids(&m, "usable"), approved);
    assert_eq!(m["profile"], "stp-binh-phuoc");
    let run = store
        .export_run(o.run_id.as_deref().expect("id"))
        .expect("ledger")
        .expect("row");
    assert_eq!(run.status, "complete");
    assert_eq!(m["audit_head"].as_str(), Some(run.audit_head.as_str()));
    assert_eq!(run.audit_head.len(), 64);
    // Per item: Hugo page bundle under its category, ninjs beside it, attachments with digests.
    for it in m["items"].as_array().expect("items") {
        let path = it["path"].as_str().expect("path");
        assert!(
            path.starts_with(&format!("content/{}/", it["category"].as_str().expect("c")))
                || it["category"] == ""
        );
        let md = std::fs::read_to_string(dir.join(path).join("index.md")).expect("index.md");
        assert!(md.starts_with("---\ntitle: \""));
        assert!(
            md.contains("\napprovals:\n  - step: "),
            "approvals from the audit log: {md}"
        );
        let nj: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join(path).join("item.json")).expect("ninjs"),
        )
        .expect("ninjs json");
        assert_eq!(nj["pubstatus"], "usable");
        assert_eq!(nj["headlines"][0]["value"], it["title"]);
        assert!(nj["bodies"][0]["value"].is_string());
        assert!(nj["copyrightholder"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        for f in it["files"].as_array().expect("files") {
            let bytes = std::fs::read(dir.join(f["path"].as_str().expect("p"))).expect("file");
            assert_eq!(
                hex::encode(Sha256::digest(&bytes)),
                f["sha256"].as_str().expect("sha")
            );
            assert_eq!(bytes.len() as u64, f["size"].as_u64().expect("size"));
        }
    }
    // Attachments arrived byte for byte, with safe names.
    let first = &m["items"][0];
    let files: Vec<&str> = first["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("p"))
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("/quyet-dinh-so-0.pdf")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .all(|f| !f.contains("..") && !f.contains("/etc/")),
        "{files:?}"
    );
    // Nothing confidential, no internal note anywhere in the bundle.
    let bytes = all_bytes(&dir);
    for secret in [SECRET_NAME, SECRET_MAIL, SECRET_PHONE, NOTE] {
        assert!(!contains(&bytes, secret), "{secret} leaked into the bundle");
    }
    for id in &approved {
        let it = store.item(*id).expect("item");
        if !it.submitter.email.is_empty() {
            assert!(
                !contains(&bytes, &it.submitter.email),
                "submitter e-mail leaked"
            );
        }
        if !it.submitter.phone.is_empty() {
            assert!(
                !contains(&bytes, &it.submitter.phone),
                "submitter phone leaked"
            );
        }
    }
    // The hostile title is escaped, and no shortcode survives in Markdown.
    let tricky = m["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["title"].as_str().is_some_and(|t| t.contains("ngoặc")))
        .expect("tricky item");
    let md = std::fs::read_to_string(
        dir.join(tricky["path"].as_str().expect("p"))
            .join("index.md"),
    )
    .expect("md");
    assert!(md.contains("\\\"ngoặc\\\""));
    let body = md.splitn(3, "---\n").nth(2).expect("body");
    assert!(body.contains("readfile") && !body.contains("{{"), "{body}");
    // The bundle verifies.
    assert!(export::verify(&dir).expect("verify").ok());

    // A second run exports nothing and says so.
    let o2 = run_export(&mut store, &env.out).expect("second export");
    assert!(o2.run_id.is_none());
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--out"])
        .arg(&env.out)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing new to export"));
    assert_eq!(std::fs::read_dir(&env.out).expect("ls").count(), 1);
}

#[test]
fn sha256sum_and_verify_catch_one_changed_byte_and_xmllint_reads_the_feed() {
    let (env, mut store) = setup(60);
    let o = run_export(&mut store, &env.out).expect("export");
    let dir = o.dir.expect("bundle");
    let sums = Command::new("sha256sum")
        .args(["-c", "--quiet", "SHA256SUMS"])
        .current_dir(&dir)
        .status()
        .expect("sha256sum");
    assert!(sums.success(), "sha256sum -c accepts the bundle");
    if have("xmllint") {
        let x = Command::new("xmllint")
            .arg("--noout")
            .arg(dir.join("feed.xml"))
            .status()
            .expect("xmllint");
        assert!(x.success(), "feed.xml is well-formed XML");
    } else {
        skip("xmllint part: xmllint not installed (apt-get install libxml2-utils)");
    }
    let feed = std::fs::read_to_string(dir.join("feed.xml")).expect("feed");
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert!(feed.contains("&quot;ngoặc&quot;") && feed.contains("&amp; &lt;b&gt;"));
    let ok = bin()
        .args(["--lang", "en", "export", "verify"])
        .arg(&dir)
        .output()
        .expect("verify");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // Change one byte of one page.
    let m = manifest(&dir);
    let page = dir
        .join(m["items"][0]["path"].as_str().expect("p"))
        .join("index.md");
    let mut bytes = std::fs::read(&page).expect("page");
    let last = bytes.len() - 2;
    bytes[last] ^= 0x01;
    std::fs::write(&page, &bytes).expect("write");
    let sums = Command::new("sha256sum")
        .args(["-c", "--quiet", "SHA256SUMS"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("sha256sum");
    assert!(!sums.success(), "sha256sum -c notices the change");
    let bad = bin()
        .args(["--lang", "en", "export", "verify"])
        .arg(&dir)
        .output()
        .expect("verify");
    assert_eq!(bad.status.code(), Some(8));
    let err = String::from_utf8_lossy(&bad.stderr);
    let rel = m["items"][0]["path"].as_str().expect("p");
    assert!(
        err.contains(&format!("{rel}/index.md: SHA-256 mismatch")),
        "{err}"
    );
    // A broken feed is named too.
    std::fs::write(&page, {
        bytes[last] ^= 0x01;
        &bytes
    })
    .expect("restore");
    let feed_path = dir.join("feed.xml");
    std::fs::write(&feed_path, feed.replace("</feed>", "")).expect("break feed");
    let rep = export::verify(&dir).expect("verify");
    assert!(rep
        .problems
        .iter()
        .any(|p| matches!(p, export::Problem::BadFeed { .. })));
}

#[test]
fn hugo_builds_a_site_from_the_bundle() {
    if !have("hugo") {
        skip("hugo_builds_a_site_from_the_bundle: hugo not installed (apt-get install hugo)");
        return;
    }
    let (env, mut store) = setup(80);
    let o = run_export(&mut store, &env.out).expect("export");
    let dir = o.dir.expect("bundle");
    let site = env.out.parent().expect("tmp").join("site");
    std::fs::create_dir_all(site.join("layouts/_default")).expect("layouts");
    std::fs::write(
        site.join("config.toml"),
        "baseURL = \"http://stp.binhphuoc.gov.vn/\"\nlanguageCode = \"vi\"\ntitle = \"test\"\ndisableKinds = [\"taxonomy\", \"term\"]\n",
    )
    .expect("config");
    std::fs::write(
        site.join("layouts/_default/single.html"),
        "<html><body><h1>{{ .Title }}</h1><p>{{ .Params.author }}</p>{{ .Content }}{{ range .Resources }}<a href=\"{{ .RelPermalink }}\">{{ .Name }}</a>{{ end }}</body></html>\n",
    )
    .expect("single");
    std::fs::write(
        site.join("layouts/_default/list.html"),
        "<html><body>{{ range .Pages }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</body></html>\n",
    )
    .expect("list");
    let st = Command::new("cp")
        .arg("-r")
        .arg(dir.join("content"))
        .arg(&site)
        .status()
        .expect("cp");
    assert!(st.success());
    let h = Command::new("hugo")
        .args(["--quiet", "--source"])
        .arg(&site)
        .output()
        .expect("hugo");
    assert!(
        h.status.success(),
        "hugo failed: {}",
        String::from_utf8_lossy(&h.stderr)
    );
    let m = manifest(&dir);
    for it in m["items"].as_array().expect("items") {
        let rel = it["path"]
            .as_str()
            .expect("p")
            .trim_start_matches("content/");
        let page = site.join("public").join(rel).join("index.html");
        let html =
            std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let title = it["title"].as_str().expect("title");
        // Hugo HTML-escapes the title.
        let esc = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;");
        assert!(
            html.contains(&esc),
            "{} lacks its title {esc}",
            page.display()
        );
        for f in it["files"].as_array().expect("files") {
            if f["role"] == "attachment" {
                let p = f["path"]
                    .as_str()
                    .expect("p")
                    .trim_start_matches("content/");
                assert!(
                    site.join("public").join(p).is_file(),
                    "{p} published as a page resource"
                );
            }
        }
        // The submitted shortcode text did not run: it appears as text.
        if title.contains("shortcode") {
            assert!(html.contains("shortcode"));
        }
    }
    // The receiving script of examples/deploy: verify, apply, build a release, swap the link.
    let base = env.out.parent().expect("tmp").join("host");
    let run = dir.file_name().expect("run").to_string_lossy().into_owned();
    std::fs::create_dir_all(base.join("incoming")).expect("incoming");
    let st = Command::new("cp")
        .arg("-r")
        .arg(&dir)
        .arg(base.join("incoming"))
        .status()
        .expect("cp");
    assert!(st.success());
    std::fs::create_dir_all(base.join("site")).expect("site");
    for f in ["config.toml", "layouts"] {
        let st = Command::new("cp")
            .arg("-r")
            .arg(site.join(f))
            .arg(base.join("site"))
            .status()
            .expect("cp");
        assert!(st.success());
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/deploy/receive.sh");
    let r = Command::new("sh")
        .arg(&script)
        .env("BASE", &base)
        .output()
        .expect("receive.sh");
    assert!(
        r.status.success(),
        "receive.sh: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let first = &m["items"][0];
    let rel = first["path"]
        .as_str()
        .expect("p")
        .trim_start_matches("content/");
    assert!(base.join("current").join(rel).join("index.html").is_file());
    assert_eq!(
        std::fs::read_to_string(base.join("applied.list"))
            .expect("list")
            .trim(),
        run
    );
    // A second call finds nothing new and leaves the live release alone.
    let live = std::fs::read_link(base.join("current")).expect("link");
    let r = Command::new("sh")
        .arg(&script)
        .env("BASE", &base)
        .output()
        .expect("again");
    assert!(r.status.success());
    assert_eq!(
        std::fs::read_link(base.join("current")).expect("link"),
        live
    );
}

#[test]
fn takedowns_and_changes_after_publication_travel_as_data() {
    let (env, mut store) = setup(80);
    let o = run_export(&mut store, &env.out).expect("export");
    let first = manifest(&o.dir.expect("bundle"));
    let ids = manifest_ids(&first, "usable");
    let (gone, changed) = (ids[0], ids[1]);
    let reason = store
        .profile()
        .reasons
        .first()
        .map(|r| r.code.clone())
        .expect("a reason code");
    let it = store.item(gone).expect("item");
    store
        .decide(
            &ctx_as(&me()),
            gone,
            Some(it.version),
            &Action::Withdraw {
                reasons: vec![reason.clone()],
                note: "Văn bản hết hiệu lực — ghi chú nội bộ Qw".into(),
            },
            "Văn bản hết hiệu lực — ghi chú nội bộ Qw",
        )
        .expect("withdraw");
    // A change in place after publication (a new content version).
    store
        .conn()
        .execute(
            "UPDATE items SET version = version + 1, title = title || ' (sửa)', updated_at = '2030-01-01T00:00:00Z' WHERE id = ?1",
            [changed],
        )
        .expect("change");
    let o2 = run_export(&mut store, &env.out).expect("second export");
    assert_eq!((o2.usable, o2.canceled, o2.withheld), (0, 1, 1));
    let dir2 = o2.dir.expect("bundle 2");
    let m2 = manifest(&dir2);
    assert_eq!(manifest_ids(&m2, "canceled"), vec![gone]);
    assert_eq!(manifest_ids(&m2, "withheld"), vec![changed]);
    let path_of = |m: &serde_json::Value, id: i64| {
        m["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == id)
            .map(|i| i["path"].as_str().expect("p").to_string())
            .expect("item")
    };
    // Same folder as before, so the host's copy is replaced, and the page becomes a draft.
    assert_eq!(path_of(&first, gone), path_of(&m2, gone));
    assert_eq!(path_of(&first, changed), path_of(&m2, changed));
    let md = std::fs::read_to_string(dir2.join(path_of(&m2, gone)).join("index.md")).expect("md");
    assert!(md.contains("pubstatus: \"canceled\"") && md.contains("draft: true"));
    assert!(md.contains(&format!("code: \"{reason}\"")));
    let nj: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir2.join(path_of(&m2, gone)).join("item.json")).expect("ninjs"),
    )
    .expect("json");
    assert_eq!(nj["pubstatus"], "canceled");
    assert!(nj.get("bodies").is_none());
    let bytes = all_bytes(&dir2);
    assert!(
        !contains(&bytes, "ghi chú nội bộ Qw"),
        "the withdraw note is internal"
    );
    let nj: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir2.join(path_of(&m2, changed)).join("item.json")).expect("ninjs"),
    )
    .expect("json");
    assert_eq!(nj["pubstatus"], "withheld");
    // Takedowns travel once.
    assert!(run_export(&mut store, &env.out)
        .expect("third")
        .run_id
        .is_none());
}

#[test]
fn bad_input_stops_before_anything_is_put_in_place() {
    let (env, mut store) = setup(60);
    let approved = approved_ids(&store);
    // Output directory missing.
    let missing = env.out.join("nope");
    match run_export(&mut store, &missing) {
        Err(ExportError::OutDir { .. }) => {}
        other => panic!("expected OutDir, got {other:?}"),
    }
    // Output "directory" is a file.
    let file = env.out.parent().expect("p").join("a-file");
    std::fs::write(&file, b"x").expect("file");
    assert!(matches!(
        run_export(&mut store, &file),
        Err(ExportError::OutDir { .. })
    ));
    // A blob missing from the store.
    let (sha, item): (String, i64) = store
        .conn()
        .query_row(
            "SELECT sha256, item_id FROM attachments ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("attachment");
    let blob = blob_path(&identity::data_dir(&env.db), &sha);
    let saved = std::fs::read(&blob).expect("blob");
    std::fs::remove_file(&blob).expect("rm blob");
    match run_export(&mut store, &env.out) {
        Err(e @ ExportError::Blob { .. }) => {
            let msg = e.message(Lang::En);
            assert!(
                msg.contains(&format!("item {item}")) && msg.contains("missing"),
                "{msg}"
            );
        }
        other => panic!("expected Blob, got {other:?}"),
    }
    // A corrupted blob (same length, one byte changed).
    let mut bad = saved.clone();
    bad[0] ^= 0xff;
    std::fs::write(&blob, &bad).expect("corrupt");
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--out"])
        .arg(&env.out)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("item {item}")) && err.contains("corrupted"),
        "{err}"
    );
    // Nothing renamed into place, nothing left behind, nothing published.
    assert_eq!(std::fs::read_dir(&env.out).expect("ls").count(), 0);
    assert_eq!(approved_ids(&store), approved);
    assert!(store.export_last_run().expect("ledger").is_none());
    // Repaired: the next run exports everything.
    std::fs::write(&blob, &saved).expect("repair");
    let o = run_export(&mut store, &env.out).expect("export");
    assert_eq!(o.usable, approved.len());
}

/// Attachments as `bientap import` stores them (small ones inside the database, large ones as
/// files under the data directory) reach the bundle byte for byte; a changed byte in the
/// database is caught like one in a file.
#[test]
fn imported_attachments_in_the_database_and_as_files_reach_the_bundle() {
    let (env, mut store) = setup(60);
    let small: Vec<u8> = (0..6000u32).map(|i| (i * 7 % 251) as u8).collect();
    let large: Vec<u8> = (0..(bientap::store::blobs::INLINE_MAX as u32 + 4096))
        .map(|i| (i * 13 % 253) as u8)
        .collect();
    let eml = env.out.parent().expect("tmp").join("tin.eml");
    std::fs::write(
        &eml,
        intake_common::Mail::new("att-1", "Tin có tệp đính kèm", "Nội dung tin bài.")
            .attach("Quyết định nhỏ.pdf", "application/pdf", &small)
            .attach("Báo cáo lớn.pdf", "application/pdf", &large)
            .bytes(),
    )
    .expect("eml");
    let s = bientap::intake::import_paths(
        &mut store,
        &ctx_as(&me()),
        &[eml],
        &bientap::intake::ImportOptions::default(),
    )
    .expect("import");
    assert_eq!(s.imported, 1, "{s:?}");
    let data_dir = identity::data_dir(&env.db);
    let sha = |b: &[u8]| hex::encode(Sha256::digest(b));
    // Small: in the database, no file; large: a file, content-addressed.
    assert!(!blob_path(&data_dir, &sha(&small)).exists());
    assert_eq!(
        store.blob(&sha(&small)).expect("blob"),
        bientap::store::Blob::Inline(small.clone())
    );
    assert_eq!(
        std::fs::read(blob_path(&data_dir, &sha(&large))).expect("large blob"),
        large
    );
    // Put them on an approved item and export.
    let target = *approved_ids(&store).last().expect("approved");
    store
        .conn()
        .execute(
            "UPDATE attachments SET item_id = ?1 WHERE item_id = ?2",
            [target, s.items[0]],
        )
        .expect("move attachments");
    // A changed byte inside the database stops the run, naming the item.
    let orig: Vec<u8> = small.clone();
    let mut bad = orig.clone();
    bad[10] ^= 1;
    store
        .conn()
        .execute(
            "UPDATE blobs SET data = ?1 WHERE sha256 = ?2",
            rusqlite::params![bad, sha(&small)],
        )
        .expect("corrupt");
    match run_export(&mut store, &env.out) {
        Err(e @ ExportError::Blob { .. }) => {
            let msg = e.message(Lang::En);
            assert!(
                msg.contains(&format!("item {target}")) && msg.contains("corrupted"),
                "{msg}"
            );
        }
        other => panic!("expected Blob, got {other:?}"),
    }
    store
        .conn()
        .execute(
            "UPDATE blobs SET data = ?1 WHERE sha256 = ?2",
            rusqlite::params![orig, sha(&small)],
        )
        .expect("repair");
    run_export(&mut store, &env.out).expect("export");
    let bundle = bundles(&env.out).pop().expect("bundle");
    let mut found = Vec::new();
    fn walk(p: &Path, found: &mut Vec<Vec<u8>>) {
        for e in std::fs::read_dir(p).expect("read_dir") {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                walk(&e.path(), found);
            } else if e.path().extension().is_some_and(|x| x == "pdf") {
                found.push(std::fs::read(e.path()).expect("read"));
            }
        }
    }
    walk(&bundle, &mut found);
    assert!(found.contains(&small), "small attachment in the bundle");
    assert!(found.contains(&large), "large attachment in the bundle");
}

#[test]
fn only_a_role_with_publish_may_export_and_only_one_export_runs_at_a_time() {
    let (env, mut store) = setup(60);
    let member = store
        .users()
        .expect("users")
        .into_iter()
        .find(|u| u.role == "thanh-vien")
        .expect("a member");
    let r = export::export(
        &mut store,
        &ctx_as(&member.login),
        &ExportOptions {
            out: env.out.clone(),
            lang: Lang::En,
        },
        &mut |_| {},
    );
    assert!(matches!(r, Err(ExportError::Store(_))), "{r:?}");
    assert!(!approved_ids(&store).is_empty());
    // The lock: held here, the binary refuses with exit 6 (busy) and changes nothing.
    let lock = export::ExportLock::acquire(&identity::data_dir(&env.db)).expect("lock");
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--out"])
        .arg(&env.out)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("another export is running"));
    drop(lock);
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--out"])
        .arg(&env.out)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn delivery_with_rsync_retries_and_never_reexports() {
    if !have("rsync") {
        skip("delivery_with_rsync_retries_and_never_reexports: rsync not installed (apt-get install rsync)");
        return;
    }
    let (env, store) = setup(60);
    drop(store);
    let dest = env.out.parent().expect("p").join("incoming");
    std::fs::create_dir_all(&dest).expect("dest");
    // A failing delivery: the bundle stays complete, exit 9, one log line per attempt.
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--deliver", "--out"])
        .arg(&env.out)
        .env(
            "BIENTAP_DELIVER",
            "rsync -a --delay-updates {out} /nonexistent/dir/x/",
        )
        .env("BIENTAP_DELIVER_RETRIES", "2")
        .env("BIENTAP_DELIVER_BACKOFF", "0")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "{err}");
    assert_eq!(err.matches("deliver: attempt").count(), 3, "{err}");
    assert!(err.contains("attempt 3/3"));
    let bundles: Vec<_> = std::fs::read_dir(&env.out).expect("ls").collect();
    assert_eq!(bundles.len(), 1);
    let store = Store::open(&env.db).expect("open");
    let runs = store.export_runs_with_status("complete").expect("runs");
    assert_eq!(runs.len(), 1);
    assert!(runs[0].delivery_log.contains("ok=false"));
    drop(store);
    // The next run delivers it without exporting again.
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--deliver", "--out"])
        .arg(&env.out)
        .env(
            "BIENTAP_DELIVER",
            format!("rsync -a --delay-updates {{out}} '{}/'", dest.display()),
        )
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("nothing new to export") && err.contains("deliver: delivered"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&env.out).expect("ls").count(), 1);
    let run = &runs[0].run_id;
    assert!(export::verify(&dest.join(run)).expect("verify").ok());
    let store = Store::open(&env.db).expect("open");
    assert_eq!(
        store.export_run(run).expect("run").expect("row").status,
        "delivered"
    );
    // Nothing waits any more.
    drop(store);
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--deliver", "--out"])
        .arg(&env.out)
        .env("BIENTAP_DELIVER", "false")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no bundle waiting"));
}

/// Insert `n` approved items (as the workflow would leave them) with one attachment each.
fn add_approved(store: &Store, db: &Path, n: usize, tag: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    let now = bientap::store::ts(chrono::Utc::now());
    store
        .conn()
        .execute_batch("BEGIN IMMEDIATE")
        .expect("begin");
    for k in 0..n {
        store
            .conn()
            .execute(
                "INSERT INTO items(version, state, step, category, title, body, received_at, created_at, updated_at, last_actor)
                 VALUES (5, 'approved', 3, 'tin-tuc', ?1, ?2, ?3, ?3, ?3, 'truong-ban-x')",
                rusqlite::params![
                    format!("Tin thử {tag}-{k}: hội nghị triển khai công tác"),
                    "Nội dung. ".repeat(200),
                    now
                ],
            )
            .expect("insert");
        let id = store.conn().last_insert_rowid();
        let bytes: Vec<u8> = (0..40_000u32)
            .map(|i| (i as u64 * 31 + id as u64) as u8)
            .collect();
        add_attachment(store, db, id, &format!("tep-{id}.pdf"), &bytes);
        ids.push(id);
    }
    store.conn().execute_batch("COMMIT").expect("commit");
    ids
}

fn bundles(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("ls")
        .map(|e| e.expect("e").path())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn kill_9_at_random_moments_loses_and_duplicates_nothing() {
    let (env, store) = setup(80);
    // Start from a clean slate: what demo approved is exported first.
    drop(store);
    let run = |kill_after: Option<Duration>| -> Option<i32> {
        let mut child = bin()
            .args(["--lang", "en", "--db"])
            .arg(&env.db)
            .args(["export", "--out"])
            .arg(&env.out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        if let Some(d) = kill_after {
            std::thread::sleep(d);
            let _ = child.kill(); // SIGKILL
        }
        child.wait().expect("wait").code()
    };
    assert_eq!(run(None), Some(0));
    let store = Store::open(&env.db).expect("open");
    // Calibrate: how long one run takes with a batch like the ones below.
    add_approved(&store, &env.db, 30, 0);
    let t = Instant::now();
    assert_eq!(run(None), Some(0));
    let span = t.elapsed().as_micros().max(1000) as u64;
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut expected: BTreeSet<i64> = BTreeSet::new();
    for m in bundles(&env.out) {
        expected.extend(manifest_ids(&manifest(&m), "usable"));
    }
    let mut seen_states: BTreeMap<&str, usize> = BTreeMap::new();
    let iterations = 50;
    for i in 1..=iterations {
        expected.extend(add_approved(&store, &env.db, 30, i));
        let delay = Duration::from_micros(next() % (span * 3 / 2));
        let code = run(Some(delay));
        // What the kill left behind (for the printed summary only).
        let tmp_left = std::fs::read_dir(&env.out).expect("ls").any(|e| {
            e.expect("e")
                .file_name()
                .to_string_lossy()
                .starts_with(".tmp-")
        });
        let staged = !store
            .export_runs_with_status("staged")
            .expect("staged")
            .is_empty();
        *seen_states
            .entry(match (code, staged, tmp_left) {
                (Some(0), ..) => "finished before the kill",
                (_, true, _) => "killed after commit (staged)",
                (_, false, true) => "killed while writing",
                _ => "killed before writing",
            })
            .or_insert(0) += 1;
        // Rerun to completion; then the invariants hold.
        let t = Instant::now();
        assert_eq!(run(None), Some(0), "rerun after kill {i}");
        if std::env::var_os("EXPORT_TEST_TIMING").is_some() {
            eprintln!(
                "iteration {i}: kill after {delay:?}, rerun {:?}",
                t.elapsed()
            );
        }
        let names: Vec<String> = std::fs::read_dir(&env.out)
            .expect("ls")
            .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".tmp-")),
            "temp dir left: {names:?}"
        );
        assert!(store
            .export_runs_with_status("staged")
            .expect("staged")
            .is_empty());
        assert!(
            approved_ids(&store).is_empty(),
            "every approved item exported after the rerun"
        );
        let mut count: BTreeMap<i64, usize> = BTreeMap::new();
        for b in bundles(&env.out) {
            for id in manifest_ids(&manifest(&b), "usable") {
                *count.entry(id).or_insert(0) += 1;
            }
        }
        let dup: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
        assert!(dup.is_empty(), "items in two bundles: {dup:?}");
        let got: BTreeSet<i64> = count.keys().copied().collect();
        assert_eq!(got, expected, "bundles carry exactly the approved items");
        for id in &expected {
            let (state,): (String,) = store
                .conn()
                .query_row("SELECT state FROM items WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?,))
                })
                .expect("state");
            assert_eq!(state, "published");
        }
    }
    // Every bundle is complete and verifies.
    for b in bundles(&env.out) {
        let rep = export::verify(&b).expect("verify");
        assert!(rep.ok(), "{}: {:?}", b.display(), rep.problems);
    }
    assert!(store.audit_verify().expect("audit").fault.is_none());
    eprintln!("kill -9 outcomes over {iterations} runs (one run ≈ {span} µs): {seen_states:?}");
}

#[test]
fn a_rerun_finishes_staged_runs_and_discards_uncommitted_leftovers() {
    let (env, mut store) = setup(60);
    let o = run_export(&mut store, &env.out).expect("export");
    let run = o.run_id.expect("run");
    let dir = o.dir.expect("dir");
    let ids = manifest_ids(&manifest(&dir), "usable");
    let tmp = env.out.join(format!(".tmp-{run}"));
    let set_staged = |s: &Store| {
        s.conn()
            .execute(
                "UPDATE export_runs SET status = 'staged' WHERE run_id = ?1",
                [&run],
            )
            .expect("staged");
    };
    // Died after the commit, before the rename: the staged bundle is put in place.
    set_staged(&store);
    std::fs::rename(&dir, &tmp).expect("unrename");
    let o2 = run_export(&mut store, &env.out).expect("rerun");
    assert_eq!(o2.recovered, vec![run.clone()]);
    assert!(
        o2.run_id.is_none(),
        "nothing new: the items were published by the commit"
    );
    assert!(dir.is_dir() && !tmp.exists());
    assert!(export::verify(&dir).expect("verify").ok());
    assert_eq!(
        store.export_run(&run).expect("q").expect("row").status,
        "complete"
    );
    // The staged bundle lost (or damaged): rebuilt from the ledger with the same items.
    set_staged(&store);
    std::fs::remove_dir_all(&dir).expect("rm");
    let o3 = run_export(&mut store, &env.out).expect("rerun");
    assert_eq!(o3.recovered, vec![run.clone()]);
    assert!(export::verify(&dir).expect("verify").ok());
    assert_eq!(manifest_ids(&manifest(&dir), "usable"), ids);
    // A leftover of a run that died before its commit is deleted.
    let leftover = env.out.join(".tmp-20000101T000000000Z-1");
    std::fs::create_dir_all(leftover.join("content")).expect("leftover");
    let o4 = run_export(&mut store, &env.out).expect("rerun");
    assert_eq!(o4.discarded, vec![".tmp-20000101T000000000Z-1".to_string()]);
    assert!(!leftover.exists());
}

/// A disk that fills up while the bundle is written: the run stops with a clear message, puts
/// nothing in place, publishes nothing, and the next run on a disk with room exports everything.
#[test]
fn a_full_disk_stops_the_run_before_anything_is_put_in_place() {
    let is_root = bientap::store::identity::is_root();
    let (env, store) = setup(60);
    let approved = approved_ids(&store);
    drop(store);
    let small = env.out.parent().expect("p").join("small-disk");
    std::fs::create_dir_all(&small).expect("dir");
    // A 64 KiB file system: far too small for the bundle (attachments are 5 KB, bodies more).
    let mounted = is_root
        && Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(&small)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    if !mounted {
        skip("a_full_disk_…: needs root and `mount -t tmpfs`");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(small.clone());
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--out"])
        .arg(&small)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.to_lowercase().contains("space") || err.contains("No space"),
        "the message says the disk is full: {err}"
    );
    // Nothing visible under a final name; nothing published; no run in the ledger.
    let left: Vec<String> = std::fs::read_dir(&small)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let store = Store::open(&env.db).expect("open");
    assert_eq!(approved_ids(&store), approved);
    assert!(store.export_last_run().expect("ledger").is_none());
    drop(store);
    // Room again: everything goes out in one bundle.
    let out = bin()
        .args(["--lang", "en", "--db"])
        .arg(&env.db)
        .args(["export", "--out"])
        .arg(&env.out)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(&env.db).expect("open");
    assert!(approved_ids(&store).is_empty());
}
