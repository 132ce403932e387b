//! Mail as Vietnamese government senders' clients really write it (Outlook on Windows with
//! windows-1258 and Word HTML, Gmail, Thunderbird, iPhone Mail, S/MIME), imported through the
//! real command line: `bientap init` + `bientap import`, then what `show --json` tells the user.
//! The fixtures are in `tests/fixtures/realmail/`, byte for byte as the clients produce them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use unicode_normalization::UnicodeNormalization;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_bientap")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/realmail")
        .join(name)
}

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(["--lang", "en"])
        .args(args)
        .env_remove("BIENTAP_DB")
        .output()
        .expect("run bientap")
}

fn ok_json(db: &Path, args: &[&str]) -> serde_json::Value {
    let o = run(db, &[&["--json"], args].concat());
    assert!(
        o.status.success(),
        "bientap {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json")
}

fn board(dir: &Path, profile: &str) -> PathBuf {
    let db = dir.join("board").join("bientap.db");
    let o = run(&db, &["init", "--profile", profile, "--name", "Thư ký"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    db
}

/// A fresh board with `profile`, one file imported: the import summary and the item shown.
fn import_path(dir: &Path, profile: &str, path: &Path) -> (serde_json::Value, serde_json::Value) {
    let db = board(dir, profile);
    let summary = ok_json(&db, &["import", path.to_str().expect("utf8 path")]);
    let shown = match summary["items"].as_array().and_then(|a| a.first()) {
        Some(id) => ok_json(&db, &["show", &id.to_string()]),
        None => serde_json::Value::Null,
    };
    (summary, shown)
}

fn import_one(
    profile: &str,
    name: &str,
) -> (tempfile::TempDir, serde_json::Value, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (sum, v) = import_path(dir.path(), profile, &fixture(name));
    (dir, sum, v)
}

fn check<'a>(shown: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    shown["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["code"] == code))
        .unwrap_or_else(|| panic!("no check {code}: {}", shown["checks"]))
}

fn s<'a>(v: &'a serde_json::Value, path: &[&str]) -> &'a str {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    x.as_str()
        .unwrap_or_else(|| panic!("{path:?} not a string in {v}"))
}

fn attachment_names(shown: &serde_json::Value) -> Vec<String> {
    shown["attachments"]
        .as_array()
        .map(|a| a.iter().map(|x| s(x, &["name"]).to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn outlook_windows_1258_quoted_printable_is_nfc_with_the_signature_read() {
    let (_d, sum, v) = import_one("thads-hai-duong", "outlook-1258-qp.eml");
    assert_eq!(sum["imported"], 1, "{sum}");
    let body = s(&v, &["item", "body"]);
    // windows-1258 stores tones as combining marks: the stored text is NFC.
    assert_eq!(body, body.nfc().collect::<String>().as_str());
    assert!(
        !body.chars().any(|c| ('\u{300}'..='\u{36f}').contains(&c)),
        "{body:?}"
    );
    assert!(
        body.contains("Hội nghị tổng kết công tác thi hành án dân sự năm 2025"),
        "{body}"
    );
    assert_eq!(
        s(&v, &["item", "title"]),
        "Gửi tin Hội nghị tổng kết công tác thi hành án năm 2025"
    );
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Phạm Thị Hương");
    assert_eq!(s(sub, &["title"]), "Chuyên viên");
    assert_eq!(
        s(sub, &["organisation"]),
        "Cục Thi hành án dân sự tỉnh Hải Dương"
    );
    assert_eq!(s(sub, &["phone"]), "0220.3855.124");
    assert_eq!(s(&v, &["item", "unit"]), "Phòng Tổ chức cán bộ");
    assert_eq!(check(&v, "identity")["status"], "pass");
    // The text/plain alternative was used, not the Word HTML.
    assert!(
        !body.contains("mso-") && !body.contains("WordSection"),
        "{body}"
    );
}

#[test]
fn outlook_html_only_reads_as_text_with_table_rows_and_a_phone_after_nbsp() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "outlook-html-only.eml");
    let body = s(&v, &["item", "body"]);
    for junk in ["<o:p>", "o:p", "mso-", "&nbsp;", "MsoNormal", "\u{a0}", "<"] {
        assert!(!body.contains(junk), "{junk:?} in {body}");
    }
    assert!(
        !body.lines().any(|l| !l.is_empty() && l.trim().is_empty()),
        "{body:?}"
    );
    // One table row a line, cells side by side.
    assert!(body.contains("Chỉ tiêu | Số việc"), "{body}");
    assert!(body.contains("Thi hành xong | 152"), "{body}");
    assert_eq!(
        s(&v, &["item", "title"]),
        "Báo cáo kết quả thi hành án tháng 02/2026"
    );
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Đỗ Văn Quang");
    assert_eq!(s(sub, &["title"]), "Trưởng phòng");
    // Not the body sentence that starts with "Chi cục …".
    assert_eq!(
        s(sub, &["organisation"]),
        "Chi cục Thi hành án dân sự huyện Gia Lộc"
    );
    assert_eq!(s(sub, &["phone"]), "0220 3716 222");
    assert_eq!(check(&v, "identity")["status"], "pass");
}

#[test]
fn winmail_dat_is_flagged_as_outlook_tnef_not_taken_as_a_document() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "outlook-winmail-dat.eml");
    let ft = check(&v, "file-types");
    assert_eq!(ft["status"], "fail", "{ft}");
    let detail = s(ft, &["detail"]);
    assert!(
        detail.contains("winmail.dat") && detail.contains("TNEF"),
        "{detail}"
    );
    let att = &v["attachments"][0];
    assert!(s(att, &["flags"]).split(',').any(|f| f == "tnef"), "{att}");
    assert_eq!(check(&v, "stamped")["status"], "fail");
}

#[test]
fn an_outlook_msg_file_is_refused_with_what_to_do_in_both_languages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = board(dir.path(), "thads-hai-duong");
    let path = fixture("bai-viet.msg");
    let o = run(&db, &["--json", "import", path.to_str().expect("utf8")]);
    // Nothing taken in: the run says so by its exit status, and the summary says why.
    assert!(!o.status.success());
    let sum: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json summary");
    assert_eq!(
        (sum["imported"].as_u64(), sum["refused"].as_u64()),
        (Some(0), Some(1)),
        "{sum}"
    );
    let r = &sum["refusals"][0];
    assert_eq!(r["code"], "outlook-msg");
    let (vi, en) = (s(r, &["reason_vi"]), s(r, &["reason_en"]));
    assert!(
        vi.contains(".msg") && vi.contains(".eml") && vi.contains("chuyển tiếp"),
        "{vi}"
    );
    assert!(
        en.contains(".msg") && en.contains(".eml") && en.contains("forward"),
        "{en}"
    );
}

#[test]
fn gmail_nested_multiparts_rfc2231_names_split_subjects_and_a_logo_that_is_no_scan() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "gmail-mixed-related-2231.eml");
    // B and Q encoded-words across three folded lines join without stray spaces.
    assert_eq!(
        s(&v, &["item", "title"]),
        "Báo cáo tổng kết công tác thi hành án năm 2025"
    );
    let names = attachment_names(&v);
    assert!(
        names
            .contains(&"Báo cáo tổng kết năm 2025 - Chi cục THADS huyện Kim Thành.pdf".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"logo.png".to_string()), "{names:?}");
    // The plain alternative is the body; the HTML's cid: image is not text.
    let body = s(&v, &["item", "body"]);
    assert!(!body.contains("cid:") && !body.contains("<img"), "{body}");
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Vũ Minh Tuấn");
    assert_eq!(s(sub, &["title"]), "Chấp hành viên");
    // The stamped evidence is the PDF, never the 70-byte signature logo.
    let st = check(&v, "stamped");
    assert!(!s(st, &["detail"]).contains("logo.png"), "{st}");
}

#[test]
fn gmail_logo_alone_does_not_pass_the_stamped_check() {
    // The same message without its PDF: only the inline logo is left. The [tag] puts it in a
    // category that needs a stamped scan.
    let raw = std::fs::read(fixture("gmail-mixed-related-2231.eml")).expect("fixture");
    let text = String::from_utf8(raw).expect("ascii fixture");
    let cut = text
        .find("--000000000000b1c2d3061f0a1b2c\r\nContent-Type: application/pdf")
        .expect("pdf part");
    let text = format!("{}--000000000000b1c2d3061f0a1b2c--\r\n", &text[..cut]).replacen(
        "Subject: ",
        "Subject: [bao-cao-hoi-nghi] ",
        1,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let eml = dir.path().join("logo-only.eml");
    std::fs::write(&eml, text).expect("write");
    let (_sum, v) = import_path(dir.path(), "thads-hai-duong", &eml);
    assert_eq!(s(&v, &["item", "category"]), "bao-cao-hoi-nghi");
    let st = check(&v, "stamped");
    assert_eq!(st["status"], "fail", "{st}");
}

#[test]
fn thunderbird_format_flowed_is_unwrapped_and_the_rfc2231_doc_name_decoded() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "thunderbird-flowed.eml");
    let body = s(&v, &["item", "body"]);
    assert!(
        body.contains("tổ chức hội nghị triển khai nhiệm vụ công tác năm 2026\" để đăng trên Trang thông tin điện tử của Cục."),
        "{body}"
    );
    assert_eq!(
        attachment_names(&v),
        vec!["Bài viết hội nghị.doc".to_string()]
    );
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Lê Thu Trang");
    assert_eq!(s(sub, &["phone"]), "0220 3855 120");
    assert_eq!(s(&v, &["item", "unit"]), "Văn phòng");
}

#[test]
fn inline_forward_the_forwarder_is_the_submitter_not_the_forwarded_author() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "gmail-forward.eml");
    assert_eq!(s(&v, &["item", "title"]), "Tin tuyên truyền pháp luật");
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Đặng Thị Mai");
    assert_eq!(s(sub, &["phone"]), "0936 112 233");
    assert_eq!(s(sub, &["email"]), "dangthimai.thads@gmail.com");
    // The forwarded article stays in the body for the editor.
    assert!(s(&v, &["item", "body"]).contains("xã An Lâm"));
}

#[test]
fn outlook_vietnamese_reply_block_does_not_leak_into_the_identity() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "outlook-reply-vi.eml");
    assert_eq!(s(&v, &["item", "title"]), "Về việc bổ sung tin hội nghị");
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Bùi Văn Long");
    assert_eq!(s(sub, &["email"]), "longbv@thads.haiduong.gov.vn");
    assert_eq!(s(sub, &["phone"]), "0220.3855.130");
    assert_eq!(s(sub, &["organisation"]), "Cục THADS tỉnh Hải Dương");
}

#[test]
fn forward_as_attachment_puts_the_article_in_the_body_and_fills_the_senders_own_identity() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "thunderbird-forward-attached.eml");
    assert_eq!(
        s(&v, &["item", "title"]),
        "Tin hội nghị cán bộ công chức năm 2026"
    );
    let body = s(&v, &["item", "body"]);
    assert!(body.starts_with("Gui BBT."), "{body}");
    assert!(
        body.contains("Hội nghị cán bộ, công chức năm 2026"),
        "{body}"
    );
    // The attached message is the sender's own: its signature completes the identity.
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Hoàng Văn Sơn");
    assert_eq!(s(sub, &["title"]), "Phó Trưởng phòng");
    assert_eq!(s(sub, &["phone"]), "0220 3855 140");
    assert_eq!(check(&v, "identity")["status"], "pass");
    // An attached .eml is a forwarded message, not a file of the submission.
    assert!(
        attachment_names(&v).is_empty(),
        "{:?}",
        attachment_names(&v)
    );
}

#[test]
fn smime_signed_mail_with_a_signed_pdf_satisfies_the_digital_signature_rule() {
    let (_d, _sum, v) = import_one("stp-binh-phuoc", "smime-signed-vgca.eml");
    assert_eq!(s(&v, &["item", "category"]), "van-ban-phap-luat");
    let st = check(&v, "stamped");
    assert_eq!(st["status"], "pass", "{st}");
    // smime.p7s is the envelope's signature, not a file of the submission.
    assert_eq!(
        attachment_names(&v),
        vec!["125-QD-STP.signed.pdf".to_string()]
    );
    assert_eq!(check(&v, "file-types")["status"], "pass");
    // The VGCA stamp under the signature names the signing agency, not the submitter.
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Võ Thị Kim Anh");
    assert_eq!(s(sub, &["email"]), "anhvtk@stp.binhphuoc.gov.vn");
    assert_eq!(s(sub, &["organisation"]), "Sở Tư pháp tỉnh Bình Phước");
    assert_eq!(s(sub, &["phone"]), "0271 3879 123");
}

#[test]
fn tcvn3_plain_text_is_converted_and_flagged() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "tcvn3-plain.eml");
    assert_eq!(s(&v, &["item", "encoding_from"]), "TCVN3");
    let body = s(&v, &["item", "body"]);
    assert!(
        body.contains("Chi cục Thi hành án dân sự huyện Thanh Hà gửi tin"),
        "{body}"
    );
    assert_eq!(check(&v, "unicode")["status"], "warn");
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Ngô Thị Thủy");
    assert_eq!(
        s(sub, &["organisation"]),
        "Chi cục Thi hành án dân sự huyện Thanh Hà"
    );
}

#[test]
fn a_vntime_paragraph_is_converted_and_the_unicode_signature_left_alone() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "html-vntime.eml");
    assert_eq!(s(&v, &["item", "encoding_from"]), "TCVN3");
    let body = s(&v, &["item", "body"]);
    assert!(
        body.contains("Chi cục Thi hành án dân sự huyện Cẩm Giàng tổ chức hội nghị triển khai"),
        "{body}"
    );
    assert!(body.contains("Trân trọng"), "{body}");
    // Unicode lines are not run through the TCVN3 table ("Chuyên" must not become "Chuyờn").
    assert!(
        body.contains("Chuyên viên") && !body.contains("ờn viờn"),
        "{body}"
    );
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["title"]), "Chuyên viên");
    assert_eq!(
        s(sub, &["organisation"]),
        "Chi cục Thi hành án dân sự huyện Cẩm Giàng"
    );
}

#[test]
fn iphone_mail_without_a_from_name_takes_the_name_from_the_signature() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "iphone-noname.eml");
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Trịnh Thị Nga");
    assert_eq!(s(sub, &["title"]), "Trưởng phòng");
    assert_eq!(s(sub, &["phone"]), "0912.345.678");
    assert_eq!(s(sub, &["email"]), "chuyenvien.tuky@gmail.com");
    assert_eq!(check(&v, "identity")["status"], "pass");
    assert_eq!(attachment_names(&v), vec!["IMG_4512.JPG".to_string()]);
}

#[test]
fn outlook_html_reply_quoted_header_block_and_image001_logo() {
    let (_d, _sum, v) = import_one("thads-hai-duong", "outlook-html-reply-image001.eml");
    assert_eq!(s(&v, &["item", "title"]), "Góp ý tin tiếp công dân");
    let body = s(&v, &["item", "body"]);
    assert!(body.contains("\nFrom: Ban Biên tập"), "{body}");
    let sub = &v["item"]["submitter"];
    assert_eq!(s(sub, &["name"]), "Mạc Thị Yến");
    assert_eq!(s(sub, &["title"]), "Chuyên viên chính");
    assert_eq!(
        s(&v, &["item", "unit"]),
        "Phòng Kiểm tra, giải quyết khiếu nại, tố cáo"
    );
    // The board's own signature in the quoted part is not the submitter's.
    assert_eq!(s(sub, &["phone"]), "0977 888 999");
    assert_eq!(s(sub, &["email"]), "yenmt@thads.haiduong.gov.vn");
    assert_eq!(attachment_names(&v), vec!["image001.png".to_string()]);
}

#[test]
fn opaque_smime_p7m_is_flagged_with_what_to_ask_the_sender() {
    let (_d, _sum, v) = import_one("stp-binh-phuoc", "smime-opaque-p7m.eml");
    let ft = check(&v, "file-types");
    assert_eq!(ft["status"], "fail", "{ft}");
    assert!(s(ft, &["detail"]).contains("S/MIME"), "{ft}");
    let att = &v["attachments"][0];
    assert_eq!(s(att, &["flags"]), "smime-opaque");
    // It is signed: the digital-signature rule is met, the unreadable content is flagged.
    assert_eq!(check(&v, "stamped")["status"], "pass");
}
