//! `bientap import`: Maildir, .eml files and folders; idempotency; the checks; bad input.

mod intake_common;

use std::fs;
use std::path::PathBuf;

use bientap::intake::{import_paths, ImportOptions};
use intake_common::*;

fn opts() -> ImportOptions {
    ImportOptions {
        batch_size: 7,
        quarantine: true,
    }
}

fn check<'a>(cs: &'a [bientap::store::CheckResult], code: &str) -> &'a bientap::store::CheckResult {
    cs.iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("no check {code}: {cs:?}"))
}

/// A corpus: UTF-8 and windows-1258 subjects, alternative/mixed/HTML-only bodies, attachments.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for i in 0..20u64 {
        let mut m = Mail::new(
            &format!("m{i}"),
            &format!("Hội nghị tổng kết công tác thi hành án số {i}"),
            &format!("{}{SIGNATURE}", prose(i, 8)),
        );
        match i % 4 {
            0 => m = m.attach(&format!("bao-cao-{i}.pdf"), "application/pdf", PDF),
            1 => {
                m.html = Some(format!(
                    "<html><body><p>{}</p><p>Đã duyệt</p></body></html>",
                    prose(i, 3)
                ));
            }
            2 => {
                m.text = None;
                m.html = Some(format!(
                    "<html><head><style>p{{color:red}}</style></head><body><p>{}</p><br>{}</body></html>",
                    prose(i, 6),
                    SIGNATURE.replace('\n', "<br>")
                ));
            }
            _ => {
                // windows-1258 subject: "Việt" with a combining dot below.
                m.subject_header = format!("=?windows-1258?Q?Tin_Vi=EA=F2t_Nam_s=F4=EC_{i}?=");
            }
        }
        v.push((format!("m{i}.eml"), m.bytes()));
    }
    v
}

#[test]
fn maildir_import_marks_seen_after_commit_and_is_idempotent() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let md = maildir(&d.path().join("Maildir"));
    let msgs = corpus();
    for (k, (name, bytes)) in msgs.iter().enumerate() {
        // Half in new/, half already read by a mail client but not seen by bientap (cur/ without S).
        let p = if k % 2 == 0 {
            md.join("new").join(name)
        } else {
            md.join("cur").join(format!("{name}:2,F"))
        };
        fs::write(p, bytes).unwrap();
    }
    // A message already seen (S flag) is not taken in.
    fs::write(
        md.join("cur").join("old.eml:2,S"),
        Mail::new("old", "Cũ", "cũ").bytes(),
    )
    .unwrap();

    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&md), &opts()).unwrap();
    assert_eq!((s.imported, s.skipped, s.refused), (20, 0, 0), "{s:?}");
    assert!(
        fs::read_dir(md.join("new")).unwrap().next().is_none(),
        "new/ emptied"
    );
    let cur: Vec<String> = fs::read_dir(md.join("cur"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(cur.len(), 21);
    assert!(
        cur.iter()
            .all(|n| n.ends_with(":2,S") || n.ends_with(":2,FS")),
        "{cur:?}"
    );

    // Subjects decoded (UTF-8 and windows-1258), HTML-only bodies readable.
    let items = st.list(&Default::default(), None).unwrap();
    assert!(
        items.iter().any(|r| r.title == "Tin Việt Nam số 3"),
        "{:?}",
        items.iter().map(|r| &r.title).collect::<Vec<_>>()
    );
    assert!(items
        .iter()
        .any(|r| r.title == "Hội nghị tổng kết công tác thi hành án số 0"));
    let html_only = st.item(s.items[2]).unwrap();
    assert!(
        !html_only.body.contains('<') && !html_only.body.contains("color:red"),
        "{}",
        html_only.body
    );
    assert!(html_only.body.contains("Nguyễn Văn A"));
    assert_eq!(html_only.submitter.phone, "0220 3855 123");

    // Idempotent: the same messages again (e.g. a mail client restored them to new/) are skipped.
    for (name, bytes) in &msgs {
        fs::write(md.join("new").join(name), bytes).unwrap();
    }
    let s2 = import_paths(&mut st, &ctx(), std::slice::from_ref(&md), &opts()).unwrap();
    assert_eq!((s2.imported, s2.skipped, s2.refused), (0, 20, 0), "{s2:?}");
    assert_eq!(st.list(&Default::default(), None).unwrap().len(), 20);
    // And a plain second run finds nothing new at all.
    let s3 = import_paths(&mut st, &ctx(), &[md], &opts()).unwrap();
    assert_eq!((s3.imported, s3.skipped, s3.refused), (0, 0, 0));
    assert!(st.audit_verify().unwrap().fault.is_none());
}

/// An mbox file (Thunderbird's local folders, fetchmail's mbox delivery): one item per message,
/// `>From ` lines unquoted, the file left as it was, a second run skips everything; an mbox in
/// a folder is read the same way; a message over the size limit is refused alone.
#[test]
fn mbox_file_one_item_per_message_unquoted_and_idempotent() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let mut mbox = Vec::new();
    let sep = |m: &mut Vec<u8>, n: u32| {
        m.extend_from_slice(
            format!("From nva@thads.haiduong.gov.vn Mon Mar  2 08:0{n}:00 2026\n").as_bytes(),
        )
    };
    sep(&mut mbox, 1);
    mbox.extend(
        Mail::new(
            "mb1",
            "Tin mbox một",
            &format!("Nội dung tin một.{SIGNATURE}"),
        )
        .attach("Báo cáo.pdf", "application/pdf", PDF)
        .bytes(),
    );
    mbox.extend_from_slice(b"\n");
    sep(&mut mbox, 2);
    mbox.extend_from_slice(
        "From: Trần Văn B <tvb@thads.haiduong.gov.vn>\nTo: bbt@thads.haiduong.gov.vn\n\
         Subject: Tin mbox hai\nMessage-ID: <mb2@test.vn>\nMIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
         Dòng đầu.\n>From the desk of the editor: dòng này bắt đầu bằng From.\n\n\
         Trân trọng,\nTrần Văn B\n\n"
            .as_bytes(),
    );
    sep(&mut mbox, 3);
    mbox.extend(
        Mail::new(
            "mb3",
            "Tin mbox ba",
            &format!("Nội dung tin ba.{SIGNATURE}"),
        )
        .bytes(),
    );
    mbox.extend_from_slice(b"\n");
    let path = d.path().join("Inbox");
    fs::write(&path, &mbox).unwrap();

    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&path), &opts()).unwrap();
    assert_eq!((s.imported, s.skipped, s.refused), (3, 0, 0), "{s:?}");
    let items: Vec<_> = s.items.iter().map(|id| st.item(*id).unwrap()).collect();
    let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Tin mbox một", "Tin mbox hai", "Tin mbox ba"]);
    assert!(
        items[1].body.contains("\nFrom the desk of the editor"),
        "{}",
        items[1].body
    );
    assert_eq!(items[0].channel, "mbox");
    assert_eq!(st.attachments(items[0].id).unwrap().len(), 1);
    // The file is not changed; a second run skips every message.
    assert_eq!(fs::read(&path).unwrap(), mbox);
    let s2 = import_paths(&mut st, &ctx(), std::slice::from_ref(&path), &opts()).unwrap();
    assert_eq!((s2.imported, s2.skipped, s2.refused), (0, 3, 0), "{s2:?}");

    // In a folder, with an empty message between two good ones: refused alone, named by its
    // place in the file; a message Thunderbird deleted is left out.
    let dir = d.path().join("usb");
    fs::create_dir_all(&dir).unwrap();
    let mut other = Vec::new();
    sep(&mut other, 4);
    other.extend(Mail::new("mb4", "Tin mbox bốn", "Bốn.").bytes());
    other.extend_from_slice(b"\n");
    sep(&mut other, 5);
    other.extend_from_slice(b"\n");
    sep(&mut other, 6);
    other.extend(Mail::new("mb6", "Tin mbox sáu", "Sáu.").bytes());
    other.extend_from_slice(b"\n");
    // Deleted in Thunderbird, not yet compacted away: not a submission.
    sep(&mut other, 7);
    let mut deleted = Mail::new("mb7", "Tin đã xóa", "Đã xóa.");
    deleted.extra_headers = "X-Mozilla-Status: 0009\r\n".into();
    other.extend(deleted.bytes());
    other.extend_from_slice(b"\n");
    fs::write(dir.join("Sent.mbox"), &other).unwrap();
    let s3 = import_paths(&mut st, &ctx(), &[dir], &opts()).unwrap();
    assert_eq!((s3.imported, s3.refused), (2, 1), "{s3:?}");
    assert!(s3.refusals[0].source.ends_with("Sent.mbox#2"), "{s3:?}");
}

#[test]
fn eml_files_identity_and_attachments() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let p = d.path().join("a.eml");
    fs::write(
        &p,
        Mail::new("a1", "Tin hội nghị", &format!("Nội dung tin.{SIGNATURE}"))
            .attach("Báo cáo tổng kết.pdf", "application/pdf", PDF)
            .bytes(),
    )
    .unwrap();
    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&p), &opts()).unwrap();
    assert_eq!(s.imported, 1);
    let it = st.item(s.items[0]).unwrap();
    assert_eq!(it.submitter.name, "Nguyễn Văn A");
    assert_eq!(it.submitter.title, "Chuyên viên");
    assert_eq!(it.submitter.organisation, "Cục THADS tỉnh Hải Dương");
    assert_eq!(it.submitter.email, "nva@thads.haiduong.gov.vn");
    assert_eq!(it.unit, "Phòng Nghiệp vụ");
    assert_eq!(it.message_id.as_deref(), Some("a1@test.vn"));
    let cs = st.checks(it.id).unwrap();
    assert_eq!(check(&cs, "identity").status, "pass");
    assert_eq!(check(&cs, "identity").article, "Điều 8 khoản 2");
    assert_eq!(check(&cs, "file-types").status, "pass");
    let atts = st.attachments(it.id).unwrap();
    assert_eq!(atts.len(), 1);
    assert_eq!(atts[0].name, "Báo cáo tổng kết.pdf");
    assert_eq!(atts[0].mime, "application/pdf");
    // A small attachment is stored inside the database, under its SHA-256.
    assert_eq!(
        st.blob(&atts[0].sha256).unwrap(),
        bientap::store::Blob::Inline(PDF.to_vec())
    );
    // The file given on the command line is left where it was.
    assert!(p.exists());
}

#[test]
fn checks_fail_and_flag_letters() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    // Category from a [code] tag: van-ban-chi-dao needs unit approval and a stamped scan.
    let mut m = Mail::new(
        "c1",
        "[van-ban-chi-dao] Công văn hướng dẫn",
        "Gửi công văn, không chữ ký.",
    )
    .attach(
        "cong-van.docx",
        "application/octet-stream",
        b"PK\x03\x04 not really",
    )
    .attach(
        "virus.pdf",
        "application/pdf",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
    );
    m.from = "someone@gmail.com".into();
    m.extra_headers = "Reply-To: other@evil.example\r\n".into();
    let p = d.path().join("c1.eml");
    fs::write(&p, m.bytes()).unwrap();
    let s = import_paths(&mut st, &ctx(), &[p], &opts()).unwrap();
    assert_eq!(s.imported, 1);
    assert_eq!(s.flagged, 1);
    let it = st.item(s.items[0]).unwrap();
    assert_eq!(it.category, "van-ban-chi-dao");
    let cs = st.checks(it.id).unwrap();
    let idc = check(&cs, "identity");
    assert_eq!(idc.status, "fail");
    assert!(
        idc.detail.contains("họ tên") && idc.detail.contains("chức danh"),
        "{}",
        idc.detail
    );
    assert_eq!(check(&cs, "unit-approval").status, "fail");
    assert_eq!(check(&cs, "unit-approval").article, "Điều 9 khoản 1");
    assert_eq!(check(&cs, "stamped").status, "fail");
    let ft = check(&cs, "file-types");
    assert_eq!(ft.status, "fail");
    assert!(
        ft.detail.contains("virus.pdf") && ft.detail.contains("không khớp"),
        "{}",
        ft.detail
    );
    assert!(ft.detail.contains(".docx"), "{}", ft.detail);
    assert_eq!(check(&cs, "source").status, "warn");
    assert_eq!(it.check_flags, "I A S F o");
    let atts = st.attachments(it.id).unwrap();
    assert!(atts
        .iter()
        .any(|a| a.name == "virus.pdf" && a.flags.contains("type-mismatch")));
    assert!(atts
        .iter()
        .any(|a| a.name == "cong-van.docx" && a.flags.contains("not-allowed")));
}

#[test]
fn approval_by_line_forward_or_cc() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let body = format!("Tin hoạt động của đơn vị.\nLãnh đạo đơn vị đã duyệt nội dung.{SIGNATURE}");
    let a = Mail::new("ap1", "[tin-tuc] Tin hoạt động", &body);
    let mut b = Mail::new(
        "ap2",
        "[tin-tuc] Tin khác",
        &format!("Tin khác hẳn.{SIGNATURE}"),
    );
    b.cc = Some("\"Trưởng phòng Trần Văn B\" <tvb@thads.vn>".into());
    let c = Mail::new(
        "ap3",
        "[tin-tuc] Tin thứ ba",
        &format!("Tin thứ ba chưa được lãnh đạo đơn vị duyệt.{SIGNATURE}"),
    );
    let mut paths = Vec::new();
    for (k, m) in [a, b, c].iter().enumerate() {
        let p = d.path().join(format!("{k}.eml"));
        fs::write(&p, m.bytes()).unwrap();
        paths.push(p);
    }
    let s = import_paths(&mut st, &ctx(), &paths, &opts()).unwrap();
    assert_eq!(s.imported, 3);
    let st_of = |id| {
        check(&st.checks(id).unwrap(), "unit-approval")
            .status
            .clone()
    };
    assert_eq!(st_of(s.items[0]), "pass");
    assert_eq!(st_of(s.items[1]), "warn");
    assert_eq!(st_of(s.items[2]), "fail");
}

#[test]
fn legacy_tcvn3_body_is_converted_and_flagged() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let uni = "Căn cứ Luật Tổ chức Chính phủ, Cục thi hành án dân sự tỉnh Hải Dương thông báo kết quả công tác của các đơn vị trong năm qua được đánh giá cao.";
    let tcvn = bientap::text::legacy::encode_tcvn3(uni);
    // As a mail client would send it: the TCVN3 bytes labelled windows-1252.
    let bytes: Vec<u8> = tcvn
        .chars()
        .map(|c| encoding_rs::WINDOWS_1252.encode(&c.to_string()).0[0])
        .collect();
    let mut raw = b"From: a@b.vn\r\nSubject: Thong bao\r\nMessage-ID: <t1@x>\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\n".to_vec();
    raw.extend_from_slice(&bytes);
    let p = d.path().join("t.eml");
    fs::write(&p, raw).unwrap();
    let s = import_paths(&mut st, &ctx(), &[p], &opts()).unwrap();
    let it = st.item(s.items[0]).unwrap();
    assert_eq!(it.encoding_from.as_deref(), Some("TCVN3"));
    assert_eq!(it.body, uni);
    assert_eq!(check(&st.checks(it.id).unwrap(), "unicode").status, "warn");
    assert!(it.check_flags.contains('e'), "{}", it.check_flags);
}

#[test]
fn duplicates_exact_and_near() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let base = prose(42, 20);
    // Near: change a few words at the end (well above 0.8 Jaccard with 240 syllables).
    let near = base.replacen("hội nghị", "hội thảo", 1);
    let other = prose(7, 20);
    let mails = [
        Mail::new("d1", "Bài gốc", &base),
        Mail::new("d2", "Bài gốc", &base.to_uppercase()), // exact after folding
        Mail::new("d3", "Bài gốc", &near),
        Mail::new("d4", "Bài khác", &other),
    ];
    let mut paths = Vec::new();
    for (k, m) in mails.iter().enumerate() {
        let p = d.path().join(format!("{k}.eml"));
        fs::write(&p, m.bytes()).unwrap();
        paths.push(p);
    }
    let s = import_paths(&mut st, &ctx(), &paths, &opts()).unwrap();
    assert_eq!(s.imported, 4);
    let first = s.items[0];
    let it2 = st.item(s.items[1]).unwrap();
    assert_eq!(it2.dup_score, Some(1.0));
    let dc = st.checks(it2.id).unwrap();
    assert_eq!(check(&dc, "duplicate").status, "fail");
    assert!(check(&dc, "duplicate")
        .detail
        .contains(&format!("#{first}")));
    let it3 = st.item(s.items[2]).unwrap();
    let score = it3.dup_score.unwrap();
    assert!((0.8..1.0).contains(&score), "{score}");
    assert!(it3.check_flags.contains('D'));
    let it4 = st.item(s.items[3]).unwrap();
    assert_eq!(it4.dup_score, None);
    assert_eq!(
        check(&st.checks(it4.id).unwrap(), "duplicate").status,
        "pass"
    );
    let n: i64 = st
        .conn()
        .query_row(
            "SELECT count(*) FROM dup_matches WHERE item_id = ?1 AND other_id = ?2 AND exact = 0",
            [it3.id, first],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}

/// Refusal ground 10.2.d covers anything published or pending, whichever way it came in: an
/// item the secretary added by hand is found as the original of a message that repeats it, and
/// an edited item is found by its text as edited, no longer by its first text.
#[test]
fn duplicates_of_items_added_by_hand_and_of_edited_items() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let typed = prose(11, 20);
    let by_hand = st
        .add_item(
            &ctx(),
            &bientap::store::NewItem {
                title: "Tin nhập tay".into(),
                body: typed.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    let first = prose(21, 20);
    let p = d.path().join("goc.eml");
    fs::write(&p, Mail::new("g1", "Bài gốc", &first).bytes()).unwrap();
    let edited_id = import_paths(&mut st, &ctx(), &[p], &opts()).unwrap().items[0];
    let now = prose(31, 20);
    let item = st.item(edited_id).unwrap();
    let mut c = item.content();
    c.body = now.clone();
    st.edit(&ctx(), edited_id, item.version, &c, "").unwrap();

    let mails = [
        // The hand-typed item, a few words changed; and word for word under another title.
        Mail::new(
            "m1",
            "Tin nhập tay",
            &typed.replacen("hội nghị", "hội thảo", 1),
        ),
        Mail::new("m2", "Tin nhập tay", &typed),
        // The edited item's text as it is now, and as it first was (sent again under another
        // subject: the same message again would be skipped as already imported).
        Mail::new("m3", "Bài gốc", &now),
        Mail::new("m4", "Bài gốc (gửi lại)", &first),
    ];
    let mut paths = Vec::new();
    for (k, m) in mails.iter().enumerate() {
        let p = d.path().join(format!("m{k}.eml"));
        fs::write(&p, m.bytes()).unwrap();
        paths.push(p);
    }
    let s = import_paths(&mut st, &ctx(), &paths, &opts()).unwrap();
    assert_eq!(s.imported, 4);
    let matches = |id: i64| -> Vec<(i64, bool)> {
        st.conn()
            .prepare("SELECT other_id, exact FROM dup_matches WHERE item_id = ?1 ORDER BY other_id")
            .unwrap()
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let near = matches(s.items[0]);
    assert!(near.contains(&(by_hand, false)), "{near:?}");
    let score = st.item(s.items[0]).unwrap().dup_score.unwrap();
    assert!((0.8..1.0).contains(&score), "{score}");
    // Same title and body: the content digest of the hand-typed item matches.
    assert!(matches(s.items[1]).contains(&(by_hand, true)));
    assert_eq!(
        check(&st.checks(s.items[1]).unwrap(), "duplicate").status,
        "fail"
    );
    assert!(matches(s.items[2]).contains(&(edited_id, true)));
    assert!(
        !matches(s.items[3]).iter().any(|(o, _)| *o == edited_id),
        "the edited item's first text no longer matches it"
    );
    // The edited item has the band keys of its text as edited, and no others.
    let keys: i64 = st
        .conn()
        .query_row(
            "SELECT count(*) FROM dup_bands WHERE item_id = ?1",
            [edited_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(keys, bientap::text::minhash::BANDS as i64);
}

/// A collected article without the date it was first published fails the attribution check
/// (000/001 Điều 11.3); once an editor fills in the date, the check passes, the queue's `T`
/// flag goes, and the return-for-revision letter no longer asks for it.
#[test]
fn editing_the_attribution_clears_the_attribution_check() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let body = format!(
        "{}\n\nSưu tầm.\nTác giả: Nguyễn Văn An\nNguồn: Báo Hải Dương\n",
        prose(5, 6)
    );
    let p = d.path().join("st.eml");
    fs::write(&p, Mail::new("st1", "Bài sưu tầm", &body).bytes()).unwrap();
    let id = import_paths(&mut st, &ctx(), &[p], &opts()).unwrap().items[0];
    let item = st.item(id).unwrap();
    let before = check(&st.checks(id).unwrap(), "attribution").clone();
    assert_eq!(before.status, "fail", "{before:?}");
    assert!(before.detail.contains("ngày đăng tải"), "{}", before.detail);
    assert!(item.check_flags.contains('T'), "{}", item.check_flags);
    let flags_before = item.check_flags.clone();
    let asks = |st: &bientap::store::Store| -> bool {
        bientap::intake::reply::points(st.profile(), &st.checks(id).unwrap(), &[])
            .unwrap()
            .iter()
            .any(|p| p.detail.contains("ngày đăng tải"))
    };
    assert!(asks(&st));

    // An edit of the body alone changes nothing about the attribution.
    let mut c = item.content();
    c.body.push_str("\nĐã biên tập.");
    st.edit(&ctx(), id, item.version, &c, "").unwrap();
    assert_eq!(check(&st.checks(id).unwrap(), "attribution").status, "fail");

    let item = st.item(id).unwrap();
    let mut c = item.content();
    c.attribution.source_date = chrono::NaiveDate::from_ymd_opt(2026, 2, 14);
    st.edit(&ctx(), id, item.version, &c, "").unwrap();
    let after = check(&st.checks(id).unwrap(), "attribution").clone();
    assert_eq!(after.status, "pass", "{after:?}");
    assert_eq!(after.article, before.article);
    let item = st.item(id).unwrap();
    assert!(!item.check_flags.contains('T'), "{}", item.check_flags);
    // The other flags are kept as they were.
    let kept: Vec<&str> = flags_before.split(' ').filter(|f| *f != "T").collect();
    assert_eq!(item.check_flags, kept.join(" "));
    assert!(!asks(&st));
}

/// The board asks a submitter for the details the regulation requires (000/001 Điều 8.2) and
/// enters the answer: the identity check runs again, the queue's `I` flag goes, the search
/// finds the item by the submitter's name, the audit names the fields changed, and the letter
/// no longer asks for them.
#[test]
fn completing_the_submitter_details_clears_the_identity_check() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let p = d.path().join("n.eml");
    // A bare address, no signature block.
    let mut m = Mail::new("n1", "Tin hội nghị", &prose(9, 4));
    m.from = "nam@example.gov.vn".into();
    fs::write(&p, m.bytes()).unwrap();
    let id = import_paths(&mut st, &ctx(), &[p], &opts()).unwrap().items[0];
    let before = check(&st.checks(id).unwrap(), "identity").clone();
    assert_eq!(before.status, "fail", "{before:?}");
    assert!(st.item(id).unwrap().check_flags.contains('I'));
    let asks = |st: &bientap::store::Store| {
        bientap::intake::reply::points(st.profile(), &st.checks(id).unwrap(), &[])
            .unwrap()
            .iter()
            .any(|p| p.detail.contains("họ tên"))
    };
    assert!(asks(&st));

    let name = [("name", "Lê Văn Nam".to_string())];
    // A note is required, and nothing is written without it.
    assert!(st.set_submitter(&ctx(), id, &name, " ").is_err());
    assert_eq!(st.item(id).unwrap().submitter.name, "");
    // Part of what is missing: still failing, with what is left.
    let u = st.set_submitter(&ctx(), id, &name, "gọi điện").unwrap();
    let (status, detail) = (u.status, u.detail);
    assert_eq!(status, "fail");
    assert!(
        !detail.contains("họ tên") && detail.contains("chức danh"),
        "{detail}"
    );
    let rest = [
        ("title", "Chuyên viên".to_string()),
        (
            "organisation",
            "Chi cục Thi hành án dân sự huyện Tứ Kỳ".to_string(),
        ),
        ("phone", "0912 000 111".to_string()),
    ];
    let status = st
        .set_submitter(&ctx(), id, &rest, "trả lời thư ngày 20/11")
        .unwrap()
        .status;
    assert_eq!(status, "pass");
    let item = st.item(id).unwrap();
    assert_eq!(item.submitter.phone, "0912 000 111");
    assert_eq!(check(&st.checks(id).unwrap(), "identity").status, "pass");
    assert!(!item.check_flags.contains('I'), "{}", item.check_flags);
    assert!(!asks(&st));
    let found: Vec<i64> = st
        .search("le van nam", 10)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(found, [id]);
    let actions: Vec<String> = st
        .conn()
        .prepare("SELECT action || ' ' || note FROM audit WHERE item_id = ?1 AND action LIKE 'submitter:%' ORDER BY seq")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        actions,
        [
            "submitter:name gọi điện",
            "submitter:title,organisation,phone trả lời thư ngày 20/11"
        ]
    );
}

/// An imported item flagged as a near-duplicate and then rewritten by an editor is looked at
/// again: its duplicate check, matches and score follow its text as edited, both ways.
#[test]
fn an_edited_item_is_checked_for_duplicates_again() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let base = prose(42, 20);
    let mut paths = Vec::new();
    for (k, (id, text)) in [
        ("e1", base.clone()),
        ("e2", base.replacen("hội nghị", "hội thảo", 1)),
    ]
    .iter()
    .enumerate()
    {
        let p = d.path().join(format!("e{k}.eml"));
        fs::write(&p, Mail::new(id, "Bài", text).bytes()).unwrap();
        paths.push(p);
    }
    let s = import_paths(&mut st, &ctx(), &paths, &opts()).unwrap();
    let (original, copy) = (s.items[0], s.items[1]);
    let item = st.item(copy).unwrap();
    assert!(item.check_flags.contains('D'), "{}", item.check_flags);
    let matches = |st: &bientap::store::Store| -> Vec<i64> {
        st.conn()
            .prepare("SELECT other_id FROM dup_matches WHERE item_id = ?1")
            .unwrap()
            .query_map([copy], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(matches(&st), [original]);

    // Rewritten: no longer anyone's copy.
    let mut c = item.content();
    c.body = prose(77, 20);
    st.edit(&ctx(), copy, item.version, &c, "viết lại").unwrap();
    let item = st.item(copy).unwrap();
    assert_eq!(check(&st.checks(copy).unwrap(), "duplicate").status, "pass");
    assert!(!item.check_flags.contains('D'), "{}", item.check_flags);
    assert_eq!(item.dup_score, None);
    assert!(matches(&st).is_empty());

    // Edited back into a copy of the original: flagged again, itself never its own match.
    let mut c = item.content();
    c.body = base.clone();
    st.edit(&ctx(), copy, item.version, &c, "").unwrap();
    let item = st.item(copy).unwrap();
    let dc = check(&st.checks(copy).unwrap(), "duplicate").clone();
    assert_eq!(dc.status, "fail");
    assert!(dc.detail.contains(&format!("#{original}")), "{}", dc.detail);
    assert!(item.check_flags.contains('D'));
    assert_eq!(item.dup_score, Some(1.0));
    assert_eq!(matches(&st), [original]);
}

#[test]
fn plain_folder_one_submission_per_subfolder_and_per_document() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let usb = d.path().join("tin-bai");
    fs::create_dir_all(usb.join("hoi-nghi-tong-ket")).unwrap();
    fs::write(
        usb.join("hoi-nghi-tong-ket/noi-dung.txt"),
        format!("Hội nghị tổng kết.{SIGNATURE}"),
    )
    .unwrap();
    fs::write(
        usb.join("hoi-nghi-tong-ket/anh.jpg"),
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    )
    .unwrap();
    fs::write(usb.join("ke-hoach-2026.pdf"), PDF).unwrap();
    fs::write(
        usb.join("thu.eml"),
        Mail::new("f1", "Thư trong thư mục", "Nội dung").bytes(),
    )
    .unwrap();
    fs::write(usb.join(".hidden"), b"x").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", usb.join("passwd.txt")).unwrap();
    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&usb), &opts()).unwrap();
    assert_eq!((s.imported, s.refused), (3, 0), "{s:?}");
    let titles: Vec<String> = s
        .items
        .iter()
        .map(|id| st.item(*id).unwrap().title)
        .collect();
    assert!(
        titles.contains(&"hoi nghi tong ket".to_string()),
        "{titles:?}"
    );
    assert!(titles.contains(&"ke hoach 2026".to_string()), "{titles:?}");
    assert!(titles.contains(&"Thư trong thư mục".to_string()));
    let folder_item = s
        .items
        .iter()
        .map(|id| st.item(*id).unwrap())
        .find(|i| i.title == "hoi nghi tong ket")
        .unwrap();
    assert_eq!(folder_item.submitter.name, "Nguyễn Văn A");
    assert_eq!(st.attachments(folder_item.id).unwrap().len(), 1);
    // The user's folder is left untouched.
    assert!(usb.join("ke-hoach-2026.pdf").exists());
    let again = import_paths(&mut st, &ctx(), &[usb], &opts()).unwrap();
    assert_eq!((again.imported, again.skipped), (0, 3));
}

#[test]
fn bad_input_each_message_whole_or_refused_and_run_goes_on() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let max = st.profile().intake.max_attachment_bytes as usize;
    let md = maildir(&d.path().join("Maildir"));
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail");
    for e in fs::read_dir(&fixtures).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), md.join("new").join(e.file_name())).unwrap();
    }
    // 1 MB header line.
    let mut huge = b"From: a@b.vn\r\nSubject: ".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 1 << 20));
    huge.extend_from_slice(b"\r\n\r\nbody\r\n");
    fs::write(md.join("new/huge-header"), huge).unwrap();
    // Thousands of parts.
    let mut many = String::from(
        "From: a@b.vn\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=\"p\"\r\n\r\n",
    );
    for k in 0..3000 {
        many.push_str(&format!(
            "--p\r\nContent-Type: text/plain\r\n\r\npart {k}\r\n"
        ));
    }
    many.push_str("--p--\r\n");
    fs::write(md.join("new/many-parts"), many).unwrap();
    // Zero-byte and enormous attachments.
    fs::write(
        md.join("new/zero-att"),
        Mail::new("z1", "Tệp rỗng", "x")
            .attach("rong.pdf", "application/pdf", b"")
            .bytes(),
    )
    .unwrap();
    fs::write(
        md.join("new/big-att"),
        Mail::new("z2", "Tệp lớn", "x")
            .attach("lon.pdf", "application/pdf", &vec![b'%'; max + 1])
            .bytes(),
    )
    .unwrap();
    // Zip bomb (overlapping entries) and a ratio bomb.
    let bomb = bientap::intake::archive::build_overlapping_zip(200);
    fs::write(
        md.join("new/zip-bomb"),
        Mail::new("z3", "Nén", "x")
            .attach("tai-lieu.zip", "application/zip", &bomb)
            .bytes(),
    )
    .unwrap();
    // A good message after all the bad ones.
    fs::write(
        md.join("new/zz-good"),
        Mail::new("good", "Tin tốt", &format!("Nội dung tốt.{SIGNATURE}")).bytes(),
    )
    .unwrap();

    let before_outside: Vec<PathBuf> = files_under(d.path())
        .into_iter()
        .filter(|p| !p.starts_with(d.path().join("data")))
        .collect();
    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&md), &opts()).unwrap();
    let codes: Vec<(String, String)> = s
        .refusals
        .iter()
        .map(|r| {
            (
                r.source.rsplit('/').next().unwrap().to_string(),
                r.code.clone(),
            )
        })
        .collect();
    let code_of = |n: &str| {
        codes
            .iter()
            .find(|(s, _)| s.starts_with(n))
            .map(|(_, c)| c.as_str())
    };
    assert_eq!(
        code_of("huge-header"),
        Some("header-line-too-long"),
        "{codes:?}"
    );
    assert_eq!(code_of("many-parts"), Some("too-many-parts"));
    assert_eq!(code_of("big-att"), Some("attachment-too-large"));
    assert_eq!(code_of("not-a-message"), Some("malformed"));
    assert_eq!(s.refused, 4, "{codes:?}");
    assert_eq!(s.quarantined, 4);
    // Everything else went in whole.
    assert_eq!(s.imported, 7, "{s:?}");
    let titles: Vec<(i64, String)> = s
        .items
        .iter()
        .map(|id| (*id, st.item(*id).unwrap().title))
        .collect();
    let by_title = |t: &str| {
        titles
            .iter()
            .find(|(_, x)| x.contains(t))
            .map(|(i, _)| *i)
            .unwrap_or_else(|| panic!("{t} in {titles:?}"))
    };
    // Escapes, bidi and NUL removed from subject and body; flagged X.
    let esc = st.item(by_title("Tin")).unwrap();
    let _ = esc;
    let e = s
        .items
        .iter()
        .map(|id| st.item(*id).unwrap())
        .find(|i| i.message_id.as_deref() == Some("esc-1@x"))
        .unwrap();
    assert!(
        !e.title.contains('\u{1b}')
            && !e.title.contains('\u{202e}')
            && !e.body.contains('\0')
            && !e.body.contains('\u{1b}'),
        "{:?} {:?}",
        e.title,
        e.body
    );
    assert!(e.check_flags.contains('x'), "{}", e.check_flags);
    // Invalid UTF-8 imported with replacement characters, not refused.
    assert!(s
        .items
        .iter()
        .any(|id| st.item(*id).unwrap().message_id.as_deref() == Some("badutf8-1@x")));
    // Traversal names sanitised; blobs only under data/blobs.
    let t = s
        .items
        .iter()
        .map(|id| st.item(*id).unwrap())
        .find(|i| i.message_id.as_deref() == Some("trav-1@x"))
        .unwrap();
    let names: Vec<String> = st
        .attachments(t.id)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains('/') && !n.contains("..") && !n.chars().any(char::is_control)),
        "{names:?}"
    );
    // Zero-byte attachment and zip bomb: imported, flagged F.
    let z = st.item(by_title("Tệp rỗng")).unwrap();
    assert!(z.check_flags.contains('F'));
    let b = st.item(by_title("Nén")).unwrap();
    let ba = st.attachments(b.id).unwrap();
    assert!(ba[0].flags.contains("archive-bomb"), "{:?}", ba[0].flags);
    assert!(b.check_flags.contains('F'));
    assert!(st.item(by_title("Tin tốt")).is_ok());
    // Nothing lost: refused messages are in quarantine, the rest in cur/ marked seen.
    let q = files_under(&d.path().join("data/quarantine"));
    assert_eq!(q.len(), 4);
    assert!(fs::read_dir(md.join("new")).unwrap().next().is_none());
    assert_eq!(fs::read_dir(md.join("cur")).unwrap().count(), 7);
    // Nothing written outside the data directory except the Maildir's own renames.
    let after_outside: Vec<PathBuf> = files_under(d.path())
        .into_iter()
        .filter(|p| !p.starts_with(d.path().join("data")))
        .collect();
    assert_eq!(after_outside.len() + 4, before_outside.len());
    assert!(after_outside.iter().all(|p| p.starts_with(&md)));
    assert!(files_under(&d.path().join("data"))
        .iter()
        .all(|p| p.starts_with(d.path().join("data"))));
    // The refusals are in the intake log with their reasons.
    let n: i64 = st
        .conn()
        .query_row(
            "SELECT count(*) FROM intake_log WHERE outcome = 'refused'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 4);
}

#[test]
fn reply_letter_lists_missing_with_articles() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let mut m = Mail::new(
        "r1",
        "[van-ban-chi-dao] Công văn",
        "Gửi công văn.\nNguyễn Văn A",
    );
    m.from = "nva@thads.vn".into();
    let p = d.path().join("r.eml");
    fs::write(&p, m.bytes()).unwrap();
    let s = import_paths(&mut st, &ctx(), &[p], &opts()).unwrap();
    let id = s.items[0];
    std::env::remove_var("BIENTAP_SENDMAIL");
    let out =
        bientap::intake::reply::reply(&mut st, &ctx(), id, &["thieu-trich-nguon".into()], true)
            .unwrap();
    assert!(!out.sent);
    assert!(out.path.starts_with(d.path().join("data/outbox/new")));
    let eml = fs::read(&out.path).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&eml).unwrap();
    let body = msg.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(body.contains("Kính gửi: Nguyễn Văn A"), "{body}");
    assert!(
        body.contains("Thiếu thông tin người cung cấp") && body.contains("Điều 8 khoản 2"),
        "{body}"
    );
    assert!(
        body.contains("Chưa được Thủ trưởng đơn vị xét duyệt"),
        "{body}"
    );
    assert!(body.contains("Điều 11 khoản 3"), "{body}");
    assert!(body.contains("haiduong@moi.gov.vn"));
    assert_eq!(
        msg.to().unwrap().first().unwrap().address(),
        Some("nva@thads.vn")
    );
    assert_eq!(msg.in_reply_to().as_text(), Some("r1@test.vn"));
    let log = st.audit_log(Some(id), None).unwrap();
    assert!(log.iter().any(|e| e.record.action == "reply-letter"));
    assert!(st.audit_verify().unwrap().fault.is_none());
    // An unknown reason is refused.
    assert!(
        bientap::intake::reply::reply(&mut st, &ctx(), id, &["khong-co".into()], false).is_err()
    );
}

#[cfg(unix)]
#[test]
fn reply_is_sent_with_the_configured_command() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let p = d.path().join("r.eml");
    fs::write(
        &p,
        Mail::new("s1", "[van-ban-chi-dao] Công văn", "Gửi.").bytes(),
    )
    .unwrap();
    let s = import_paths(&mut st, &ctx(), &[p], &opts()).unwrap();
    let sink = d.path().join("data/sent.eml");
    let script = d.path().join("data/fake-sendmail");
    fs::write(&script, format!("#!/bin/sh\ncat > {}\n", sink.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(
        d.path().join("data/config.toml"),
        format!(
            "[mail]\nsendmail = \"{} -t -oi\"\nfrom = \"Tổ biên tập <haiduong@moi.gov.vn>\"\n",
            script.display()
        ),
    )
    .unwrap();
    let out = bientap::intake::reply::reply(&mut st, &ctx(), s.items[0], &[], true).unwrap();
    assert!(out.sent);
    assert!(out.path.starts_with(d.path().join("data/outbox/cur")));
    assert_eq!(fs::read(&sink).unwrap(), fs::read(&out.path).unwrap());
}

/// The search index rows are written at the end of each batch (outside the per-message
/// SAVEPOINTs): every imported item must still be found, diacritics ignored, and a near-copy in
/// the same batch as its original must still be flagged as a duplicate.
#[test]
fn batched_import_indexes_every_item_and_finds_duplicates_within_a_batch() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let md = maildir(&d.path().join("Maildir"));
    let base = prose(42, 20);
    for i in 0..17u64 {
        let body = if i == 9 {
            // A near-copy of message 8 (same batch of 7: messages 7..13).
            format!("{}{SIGNATURE}", base.replacen("hội nghị", "hội thảo", 1))
        } else if i == 8 {
            format!("{base}{SIGNATURE}")
        } else {
            format!("{}{SIGNATURE}", prose(i, 20))
        };
        let m = Mail::new(
            &format!("s{i}"),
            &format!("Báo cáo quý số {i} Đắk Lắk"),
            &body,
        );
        fs::write(md.join("new").join(format!("{i:02}.eml")), m.bytes()).unwrap();
    }
    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&md), &opts()).unwrap();
    assert_eq!(s.imported, 17, "{s:?}");
    let found = st.search("dak lak", 50).unwrap();
    assert_eq!(
        found.len(),
        17,
        "every imported item is in the search index"
    );
    // A short last word is a prefix and a longer one whole, in the title and in the body (its
    // signature, whose name and organisation are also the submitter's).
    let hits = |q: &str| st.search(q, 50).unwrap().len();
    assert_eq!(hits("dak l"), 17);
    assert_eq!(hits("dak la"), 17);
    assert_eq!(
        hits("dak lx"),
        0,
        "a prefix matches only the words it starts"
    );
    assert_eq!(hits("bao ca"), 17);
    assert_eq!(hits("bao cao quy so dak la"), 17);
    assert_eq!(hits("nguyen van a"), 17, "the signer's name");
    assert_eq!(hits("hai duong"), 17, "the signature's organisation");
    assert_eq!(hits("thads hai d"), 17);
    assert_eq!(hits("dak lakx"), 0, "a longer last word is whole");
    // And in the title index of the console's `~s` limit.
    assert_eq!(st.title_hits_capped("dak lak", 1000).unwrap(), Some(17));
    let copy = s.items[9];
    let original = s.items[8];
    let dups: Vec<i64> = st
        .conn()
        .prepare("SELECT other_id FROM dup_matches WHERE item_id = ?1")
        .unwrap()
        .query_map([copy], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(dups.contains(&original), "{dups:?}");
}

/// A message whose rows cannot be written (here a trigger refuses its title, as a full disk or
/// a constraint would) is left out alone: the batch is written again message by message, the
/// others of its batch come in whole (search index, checks, attachments, audit), the failing
/// one leaves no row behind but its refusal in the intake log, and its Maildir file stays
/// unread for the next run.
#[test]
fn a_message_that_cannot_be_written_is_left_out_alone() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let md = maildir(&d.path().join("Maildir"));
    for i in 0..10u64 {
        let subject = if i == 4 {
            "Không ghi được".to_string()
        } else {
            format!("Tin Quảng Ninh số {i}")
        };
        let m = Mail::new(
            &format!("w{i}"),
            &subject,
            &format!("{}{SIGNATURE}", prose(i, 6)),
        )
        .attach(&format!("bao-cao-{i}.pdf"), "application/pdf", PDF);
        fs::write(md.join("new").join(format!("{i:02}.eml")), m.bytes()).unwrap();
    }
    st.conn()
        .execute_batch(
            "CREATE TRIGGER refuse_one BEFORE INSERT ON items
             WHEN instr(NEW.title, 'ghi') > 0
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        )
        .unwrap();
    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&md), &opts()).unwrap();
    assert_eq!((s.imported, s.refused), (9, 1), "{s:?}");
    assert_eq!(s.refusals.len(), 1, "{s:?}");
    let n = |sql: &str| -> i64 { st.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(n("SELECT count(*) FROM items"), 9);
    assert_eq!(n("SELECT count(*) FROM attachments"), 9);
    assert_eq!(
        n("SELECT count(DISTINCT item_id) FROM checks"),
        9,
        "checks of the failing message were rolled back"
    );
    assert_eq!(n("SELECT count(DISTINCT item_id) FROM dup_bands"), 9);
    assert_eq!(n("SELECT count(*) FROM audit WHERE action LIKE 'add:%'"), 9);
    assert_eq!(
        n("SELECT count(*) FROM intake_log WHERE outcome = 'refused' AND reason = 'store-error'"),
        1
    );
    assert_eq!(st.search("quang ninh", 50).unwrap().len(), 9);
    assert!(st.audit_verify().unwrap().fault.is_none());
    // The failing message went to quarantine; the others were marked seen.
    assert_eq!(s.quarantined, 1, "{s:?}");
    assert_eq!(fs::read_dir(md.join("new")).unwrap().count(), 0);
    let q = d.path().join("data").join("quarantine");
    let kept: Vec<PathBuf> = fs::read_dir(&q)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    // Once the cause is gone, the message put back is taken in.
    st.conn().execute_batch("DROP TRIGGER refuse_one").unwrap();
    fs::rename(&kept[0], md.join("new").join("again.eml")).unwrap();
    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&md), &opts()).unwrap();
    assert_eq!((s.imported, s.skipped), (1, 0), "{s:?}");
    assert_eq!(st.search("khong ghi duoc", 50).unwrap().len(), 1);
}

/// The console (another connection) reading while an import runs: the import's batches commit
/// and their log is checkpointed beside the writer as far as the reader allows; the reader keeps
/// its snapshot, and sees everything once it reads again.
#[test]
fn import_while_another_connection_holds_a_snapshot() {
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    let md = maildir(&d.path().join("Maildir"));
    for i in 0..20u64 {
        let m = Mail::new(
            &format!("r{i}"),
            &format!("Tin Lạng Sơn số {i}"),
            &format!("{}{SIGNATURE}", prose(i, 6)),
        );
        fs::write(md.join("new").join(format!("{i:02}.eml")), m.bytes()).unwrap();
    }
    let reader = rusqlite::Connection::open(st.path()).unwrap();
    let count = |c: &rusqlite::Connection| -> i64 {
        c.query_row("SELECT count(*) FROM items", [], |r| r.get(0))
            .unwrap()
    };
    reader.execute_batch("BEGIN").unwrap();
    let before = count(&reader);
    let s = import_paths(&mut st, &ctx(), std::slice::from_ref(&md), &opts()).unwrap();
    assert_eq!(s.imported, 20, "{s:?}");
    assert_eq!(count(&reader), before, "the reader's snapshot is kept");
    reader.execute_batch("COMMIT").unwrap();
    assert_eq!(count(&reader), before + 20);
    assert_eq!(st.search("lang son", 50).unwrap().len(), 20);
    // The writer's own automatic checkpoints are back after the run.
    let auto: i64 = st
        .conn()
        .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
        .unwrap();
    assert!(auto > 0);
}

/// A message flagged as the copy of an earlier item stops being flagged when that item is
/// refused or rewritten, and is flagged again when the earlier item takes back the text it
/// copies; the earlier item never becomes the duplicate of its later copy. (A stale flag
/// would have the console pre-select refusal ground 10.2.d for a copy of nothing pending.)
#[test]
fn a_copy_follows_what_becomes_of_its_original() {
    use bientap::domain::workflow::Action;
    use bientap::store::{Ctx, NewUser};
    let d = tempfile::tempdir().unwrap();
    let mut st = store(d.path());
    st.add_user(
        &ctx(),
        &NewUser {
            login: "truong".into(),
            name: "Tổ Trưởng".into(),
            role: "to-truong".into(),
            unit: String::new(),
            email: String::new(),
        },
    )
    .unwrap();
    let chair = Ctx {
        actor: "truong".into(),
        os_login: "truong".into(),
        now: ctx().now,
    };
    let (a, b) = (prose(42, 20), prose(55, 20));
    let mut paths = Vec::new();
    for (k, text) in [
        a.clone(),
        a.replacen("hội nghị", "hội thảo", 1),
        b.clone(),
        format!("{b} Trân trọng."),
    ]
    .iter()
    .enumerate()
    {
        let p = d.path().join(format!("m{k}.eml"));
        fs::write(&p, Mail::new(&format!("m{k}"), "Bài", text).bytes()).unwrap();
        paths.push(p);
    }
    let s = import_paths(&mut st, &ctx(), &paths, &opts()).unwrap();
    let [orig_a, copy_a, orig_b, copy_b] = s.items[..] else {
        panic!("{:?}", s.items)
    };
    let matches = |st: &bientap::store::Store, id: i64| -> Vec<i64> {
        st.conn()
            .prepare("SELECT other_id FROM dup_matches WHERE item_id = ?1")
            .unwrap()
            .query_map([id], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let flagged = |st: &bientap::store::Store, id: i64| {
        let item = st.item(id).unwrap();
        let c = check(&st.checks(id).unwrap(), "duplicate").clone();
        assert_eq!(
            item.check_flags.contains('D'),
            c.status == "fail",
            "#{id}: {} / {c:?}",
            item.check_flags
        );
        c.status == "fail"
    };
    assert!(flagged(&st, copy_a) && flagged(&st, copy_b));
    assert_eq!(matches(&st, copy_a), [orig_a]);
    assert_eq!(matches(&st, copy_b), [orig_b]);
    assert!(!flagged(&st, orig_a) && !flagged(&st, orig_b));

    // Refused: what copies it is no longer a duplicate of anything pending.
    let v = st.item(orig_a).unwrap().version;
    let out = st
        .decide(
            &chair,
            orig_a,
            Some(v),
            &Action::Reject {
                reasons: vec!["10.2.a".into()],
                note: "Ngoài phạm vi.".into(),
            },
            "",
        )
        .unwrap();
    assert_eq!(out.rechecked, [copy_a]);
    assert!(!flagged(&st, copy_a));
    assert!(matches(&st, copy_a).is_empty());
    assert_eq!(st.item(copy_a).unwrap().dup_score, None);
    assert!(flagged(&st, copy_b), "another pair is left as it was");

    // Rewritten: its copy is flagged no longer; given its text back, the copy is again.
    let item = st.item(orig_b).unwrap();
    let mut c = item.content();
    c.body = prose(77, 20);
    let out = st.edit(&ctx(), orig_b, item.version, &c, "").unwrap();
    assert_eq!(out.rechecked, [copy_b]);
    assert!(!flagged(&st, copy_b));
    assert!(matches(&st, copy_b).is_empty());
    let item = st.item(orig_b).unwrap();
    let mut c = item.content();
    c.body = b.clone();
    let out = st.edit(&ctx(), orig_b, item.version, &c, "").unwrap();
    assert_eq!(out.rechecked, [copy_b]);
    assert!(flagged(&st, copy_b));
    assert_eq!(matches(&st, copy_b), [orig_b]);
    let detail = check(&st.checks(copy_b).unwrap(), "duplicate")
        .detail
        .clone();
    assert!(detail.contains(&format!("#{orig_b}")), "{detail}");
    // The first of the two is not the duplicate of the second.
    assert!(!flagged(&st, orig_b));
    assert!(matches(&st, orig_b).is_empty());
    // An edit that changes nothing another item's check depends on reruns nothing.
    let item = st.item(orig_b).unwrap();
    let mut c = item.content();
    c.lead = "Tóm tắt.".into();
    let out = st.edit(&ctx(), orig_b, item.version, &c, "").unwrap();
    assert!(out.rechecked.is_empty());
}
