//! The demo's mailbox: a few submissions as they really arrive (signature blocks, photos, a
//! scanned decision, a district office still typing in TCVN3, a citizen writing from Gmail, a
//! copy of something already published…), written as a Maildir beside the demo database and
//! taken in by the real importer, so that the demo shows the regulation's checks at work.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use crate::domain::item::State;
use crate::domain::profile::{Category, Profile};
use crate::intake::reply::{b64, b64_lines};
use crate::intake::{import_paths, ImportOptions, ImportSummary};
use crate::store::{Ctx, Store};

/// One message of the demo mailbox: its file name in `new/` and its bytes.
pub struct DemoMessage {
    pub file: String,
    pub bytes: Vec<u8>,
}

/// A part of a message: `(content type with parameters, file name if an attachment, bytes)`.
type Part<'a> = (&'a str, Option<&'a str>, Vec<u8>);

fn mime(n: usize, from: &str, subject: &str, date: &str, body: &str, atts: &[Part<'_>]) -> Vec<u8> {
    let boundary = format!("=_demo{n:04}");
    let mut m = format!(
        "From: {from}\r\nTo: bbt@example.gov.vn\r\nSubject: =?UTF-8?B?{}?=\r\nDate: {date}\r\n\
         Message-ID: <demo-{n}@example.gov.vn>\r\nMIME-Version: 1.0\r\n",
        b64(subject.as_bytes())
    );
    let text = body.replace('\n', "\r\n");
    if atts.is_empty() {
        m.push_str(&format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n"
        ));
        return m.into_bytes();
    }
    m.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n"
    ));
    for (ctype, name, bytes) in atts {
        m.push_str(&format!("--{boundary}\r\nContent-Type: {ctype}\r\n"));
        if let Some(name) = name {
            m.push_str(&format!(
                "Content-Disposition: attachment; filename=\"{name}\"\r\n"
            ));
        }
        m.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        m.push_str(&b64_lines(bytes));
    }
    m.push_str(&format!("--{boundary}--\r\n"));
    m.into_bytes()
}

/// A photo's bytes: a JPEG header and end marker around filler (what the type checks read).
fn jpeg(size: usize) -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00,
    ];
    let mut x: u32 = 0x2545_F491;
    while v.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push((x >> 11) as u8);
    }
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// A PNG signature and header chunk (a picture that is not the JPEG its name says).
fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x01\x00\x00\x00\x00\xc0\x08\x02\x00\x00\x00".to_vec();
    v.extend(std::iter::repeat_n(0x5Au8, 3000));
    v
}

/// A scanned decision: a PDF with an image page (no text layer).
fn scan_pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /Resources << /XObject << /Im0 4 0 R >> >> >> endobj\n\
4 0 obj << /Type /XObject /Subtype /Image /Width 1240 /Height 1754 /Filter /DCTDecode >> stream\n"
        .to_vec();
    v.extend(jpeg(6000));
    v.extend_from_slice(b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    v
}

/// A Word 97–2003 document (OLE compound file header, then filler).
fn doc() -> Vec<u8> {
    let mut v = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    v.extend(std::iter::repeat_n(0u8, 4088));
    v
}

fn first_category(p: &Profile, pick: impl Fn(&Category) -> bool) -> Option<&Category> {
    p.categories.iter().find(|c| pick(c))
}

/// `[code] ` to put the message in a category of the profile (as a sender's subject tag).
fn tag(c: Option<&Category>) -> String {
    c.map(|c| format!("[{}] ", c.code)).unwrap_or_default()
}

/// The demo mailbox for `profile`. `published`: the title and body of an item already on the
/// site, which one message copies (the duplicate check's case). `now` dates the messages.
pub fn messages(
    profile: &Profile,
    published: Option<(&str, &str)>,
    now: DateTime<Utc>,
) -> Vec<DemoMessage> {
    let agency = &profile.agency.name;
    let stamped = first_category(profile, |c| c.needs_stamped);
    let date = |hours: i64| {
        let t = now - Duration::hours(hours);
        chrono::FixedOffset::east_opt(7 * 3600)
            .map(|tz| t.with_timezone(&tz).to_rfc2822())
            .unwrap_or_else(|| t.to_rfc2822())
    };
    let sig = |name: &str, title: &str, unit: &str, phone: &str| {
        format!("\n\nTrân trọng,\n{name}\n{title} {unit}\n{agency}\nĐT: {phone}\n")
    };
    let mut out = Vec::new();
    let mut push = |n: usize, bytes: Vec<u8>| {
        out.push(DemoMessage {
            file: format!("{}.M{n}P1.demo", (now - Duration::hours(4)).timestamp()),
            bytes,
        })
    };

    // 1. Complete: who sent it, the head of unit's approval, a photo. Every check passes.
    let body = format!(
        "Kính gửi Ban Biên tập,\n\nSáng ngày {}, {agency} tổ chức Hội nghị sơ kết công tác \
         6 tháng cuối năm và triển khai nhiệm vụ trọng tâm thời gian tới. Hội nghị đánh giá kết quả \
         thực hiện các chỉ tiêu được giao, chỉ ra những tồn tại, hạn chế và nguyên nhân, đồng thời \
         thống nhất các giải pháp nâng cao chất lượng phục vụ người dân và doanh nghiệp.\n\n\
         Phát biểu chỉ đạo, đồng chí Giám đốc đề nghị các phòng, đơn vị tiếp tục đẩy mạnh cải cách \
         thủ tục hành chính, chuyển đổi số và tăng cường phổ biến, giáo dục pháp luật ở cơ sở.\n\n\
         Tin đã được Trưởng phòng đồng ý cho đăng.{}",
        (now - Duration::days(2)).format("%d/%m/%Y"),
        sig("Nguyễn Thị Thu Hà", "Chuyên viên", "Văn phòng", "0271 3879 123")
    );
    push(
        1,
        mime(
            1,
            "=?UTF-8?B?Tmd1eeG7hW4gVGjhu4sgVGh1IEjDoA==?= <hantt@example.gov.vn>",
            "Hội nghị sơ kết công tác 6 tháng cuối năm",
            &date(30),
            &body,
            &[("image/jpeg", Some("hoi-nghi-so-ket.jpg"), jpeg(9000))],
        ),
    );

    // 2. A citizen writing from Gmail: a name only (identity incomplete), no approval.
    push(
        2,
        mime(
            2,
            "=?UTF-8?B?VHLhuqduIFbEg24gQsOsbmg=?= <tranvanbinh1975@gmail.com>",
            "Góp ý về việc niêm yết thủ tục chứng thực tại xã",
            &date(26),
            "Kính gửi Quý cơ quan,\n\nTôi là người dân đến làm thủ tục chứng thực bản sao tại \
             Ủy ban nhân dân xã vào tuần trước. Bảng niêm yết thủ tục hành chính đã cũ, nhiều nội \
             dung không còn đúng với quy định hiện hành về phí và thời hạn giải quyết. Đề nghị Quý \
             cơ quan đăng hướng dẫn mới trên Trang thông tin điện tử để người dân tiện tra cứu.\n\n\
             Trần Văn Bình\n",
            &[],
        ),
    );

    // 3. What is already on the site, sent again by another unit with its paragraphs in
    //    another order (a near-duplicate: refusal ground "trùng lặp").
    if let Some((title, text)) = published {
        let mut copy: Vec<&str> = text.split("\n\n").collect();
        if copy.len() > 2 {
            copy.swap(0, 1);
        }
        let body = format!(
            "{}{}",
            copy.join("\n\n"),
            sig("Lê Hoàng Phúc", "Chuyên viên", "Văn phòng", "0271 3879 456")
        );
        push(
            3,
            mime(
                3,
                "=?UTF-8?B?TMOqIEhvw6BuZyBQaMO6Yw==?= <phuclh@example.gov.vn>",
                title,
                &date(20),
                &body,
                &[],
            ),
        );
    }

    // 4. A district office still typing in the TCVN3 font (.VnTime), inside a UTF-8 message.
    let legacy = format!(
        "Kính gửi Ban Biên tập,\n\nPhòng Tư pháp huyện gửi tin về kết quả công tác hòa giải ở cơ sở \
         năm nay. Toàn huyện đã tiếp nhận và hòa giải thành nhiều vụ việc, góp phần giữ gìn đoàn \
         kết trong cộng đồng dân cư. Tin đã được Trưởng phòng duyệt đăng.\n\nTrân trọng,\n\
         Phạm Văn Tuấn\nChuyên viên Phòng Tư pháp huyện\n{agency}\nĐT: 0271 3866 789\n"
    );
    push(
        4,
        mime(
            4,
            "Pham Van Tuan <tuanpv.phongtuphap@example.gov.vn>",
            "Tin ket qua hoa giai o co so",
            &date(18),
            &crate::text::legacy::encode_tcvn3(&legacy),
            &[],
        ),
    );

    // 5. Collected from a newspaper: the source is named, its date is not (attribution).
    let body = format!(
        "Kính gửi Ban Biên tập,\n\nXin gửi bài sưu tầm để đăng ở mục phổ biến pháp luật.\n\n\
         Từ ngày 01/7, nhiều quy định mới về chứng thực điện tử có hiệu lực, cho phép người dân \
         nộp hồ sơ và nhận bản sao điện tử qua Cổng dịch vụ công. Bản sao điện tử có giá trị sử \
         dụng thay cho bản sao giấy trong các giao dịch theo quy định.\n\n\
         Nguồn: Báo Pháp luật Việt Nam\n\nBài đã được lãnh đạo phòng duyệt đăng.{}",
        sig(
            "Đỗ Thị Mai",
            "Chuyên viên",
            "Phòng Phổ biến, giáo dục pháp luật",
            "0271 3879 321"
        )
    );
    push(
        5,
        mime(
            5,
            "=?UTF-8?B?xJDhu5cgVGjhu4sgTWFp?= <maidt@example.gov.vn>",
            "Bài sưu tầm: quy định mới về chứng thực điện tử",
            &date(12),
            &body,
            &[],
        ),
    );

    // 6. A decision that needs the red-stamped copy, sent as a Word file only.
    let body = format!(
        "Kính gửi Ban Biên tập,\n\nVăn phòng gửi Quyết định ban hành Kế hoạch kiểm tra công tác \
         năm sau để đăng tải theo quy định.\n\nĐã được Chánh Văn phòng duyệt đăng.{}",
        sig("Vũ Thị Lan", "Văn thư", "Văn phòng", "0271 3879 000")
    );
    push(
        6,
        mime(
            6,
            "=?UTF-8?B?VsWpIFRo4buLIExhbg==?= <vanthu@example.gov.vn>",
            &format!(
                "{}Quyết định ban hành Kế hoạch kiểm tra công tác",
                tag(stamped)
            ),
            &date(8),
            &body,
            &[(
                "application/msword",
                Some("quyet-dinh-ke-hoach-kiem-tra.doc"),
                doc(),
            )],
        ),
    );

    // 7. The same decision again, now with the scanned signed copy: the stamped check passes.
    let body = format!(
        "Kính gửi Ban Biên tập,\n\nVăn phòng gửi lại Quyết định kèm bản scan có chữ ký, đóng dấu.\n\n\
         Đã được Chánh Văn phòng duyệt đăng.{}",
        sig("Vũ Thị Lan", "Văn thư", "Văn phòng", "0271 3879 000")
    );
    push(
        7,
        mime(
            7,
            "=?UTF-8?B?VsWpIFRo4buLIExhbg==?= <vanthu@example.gov.vn>",
            &format!(
                "{}Quyết định ban hành Kế hoạch kiểm tra công tác (bản có dấu)",
                tag(stamped)
            ),
            &date(6),
            &body,
            &[
                (
                    "application/pdf",
                    Some("quyet-dinh-ban-scan.pdf"),
                    scan_pdf(),
                ),
                (
                    "application/msword",
                    Some("quyet-dinh-ke-hoach-kiem-tra.doc"),
                    doc(),
                ),
            ],
        ),
    );

    // 8. A photo that is not what its name says, and a subject carrying terminal escapes
    //    (shown cleaned, never sent to the screen).
    let body = format!(
        "Kính gửi Ban Biên tập,\n\nGửi ảnh hoạt động tập huấn nghiệp vụ hộ tịch cho công chức tư pháp \
         - hộ tịch cấp xã. Tin đã được Trưởng phòng đồng ý cho đăng.{}",
        sig("Hoàng Minh Đức", "Chuyên viên", "Phòng Hành chính tư pháp", "0271 3879 654")
    );
    push(
        8,
        mime(
            8,
            "=?UTF-8?B?SG/DoG5nIE1pbmggxJDhu6lj?= <ducmh@example.gov.vn>",
            "\u{1b}[5mẢnh\u{1b}[0m tập huấn nghiệp vụ hộ tịch",
            &date(3),
            &body,
            &[("image/jpeg", Some("anh-tap-huan.jpg"), png())],
        ),
    );
    out
}

/// Write the demo mailbox into the Maildir `maildir` (replacing a previous demo's messages) and
/// take it in as `login` at `at` with the real importer. The copy is of the longest published
/// item, if any.
pub fn import(
    store: &mut Store,
    maildir: &Path,
    login: &str,
    os_login: &str,
    at: DateTime<Utc>,
) -> Result<ImportSummary, String> {
    let published: Option<(String, String)> = store
        .conn()
        .query_row(
            "SELECT title, body FROM items WHERE state = ?1 ORDER BY length(body) DESC, id DESC LIMIT 1",
            [State::Published.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    let profile = store.profile().clone();
    let msgs = messages(
        &profile,
        published.as_ref().map(|(t, b)| (t.as_str(), b.as_str())),
        at,
    );
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).map_err(|e| e.to_string())?;
    }
    // A new demo replaces the messages of the previous one (`….demo`, `….demo:2,S`), and only
    // those: anything else put in the folder stays.
    for sub in ["new", "cur"] {
        for e in std::fs::read_dir(maildir.join(sub)).map_err(|e| e.to_string())? {
            let p = e.map_err(|e| e.to_string())?.path();
            let ours = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".demo") || n.contains(".demo:2,"));
            if ours {
                std::fs::remove_file(&p).map_err(|e| e.to_string())?;
            }
        }
    }
    for m in &msgs {
        std::fs::write(maildir.join("new").join(&m.file), &m.bytes).map_err(|e| e.to_string())?;
    }
    let ctx = Ctx {
        actor: login.to_string(),
        os_login: os_login.to_string(),
        now: at,
    };
    import_paths(
        store,
        &ctx,
        &[maildir.to_path_buf()],
        &ImportOptions::default(),
    )
    .map_err(|e| e.to_string())
}
