//! Submitter identity from the signature block at the end of a body and the mail headers.
//!
//! A typical Vietnamese signature block:
//!
//! ```text
//! Nguyễn Văn A
//! Chuyên viên Phòng Nghiệp vụ
//! Cục THADS tỉnh Hải Dương
//! ĐT: 0220 3855 123
//! ```
//!
//! Labelled forms ("Họ tên: …", "Chức vụ: …", "Đơn vị: …", "Điện thoại: …", "Địa chỉ: …",
//! "Email: …") are read too. The block is searched in the last lines of the body, before any
//! quoted reply ("-----Original Message-----", "Vào … đã viết:", "On … wrote:").

use crate::domain::item::Identity;
use crate::text::fold::fold;

/// What the signature block gave, plus the unit (department) when a title line names one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    pub identity: Identity,
    /// Unit inside the organisation ("Phòng Nghiệp vụ"), if any.
    pub unit: String,
}

/// Job titles that start a title line (folded, longest first where prefixes overlap).
const TITLES: &[&str] = &[
    "pho chanh thanh tra",
    "chanh thanh tra",
    "chuyen vien cao cap",
    "chuyen vien chinh",
    "pho truong khoa",
    "truong khoa",
    "pho bi thu",
    "bi thu",
    "kiem sat vien",
    "tham phan",
    "can su",
    "pho chanh van phong",
    "chanh van phong",
    "pho truong phong",
    "truong phong",
    "pho chi cuc truong",
    "chi cuc truong",
    "pho cuc truong",
    "cuc truong",
    "pho giam doc",
    "giam doc",
    "pho chu tich",
    "chu tich",
    "pho truong ban",
    "truong ban",
    "pho hieu truong",
    "hieu truong",
    "pho truong",
    "tham tra vien",
    "chap hanh vien",
    "chuyen vien",
    "can bo",
    "cong chuc",
    "vien chuc",
    "nhan vien",
    "thu ky",
    "ke toan",
    "van thu",
    "thanh tra vien",
    "giao vien",
    "phong vien",
    "bien tap vien",
    "cong tac vien",
    "thu truong",
    "truong",
];

/// Words that start an organisation (or unit) line (folded).
const ORGS: &[&str] = &[
    "cuc",
    "chi cuc",
    "tong cuc",
    "so",
    "phong",
    "van phong",
    "ubnd",
    "uy ban",
    "trung tam",
    "ban",
    "bo",
    "truong",
    "cong ty",
    "hoi",
    "vien",
    "benh vien",
    "xa",
    "phuong",
    "thi tran",
    "huyen",
    "thanh pho",
    "tinh",
    "doan",
    "toa an",
    "vien kiem sat",
    "thads",
    "dang uy",
    "cong an",
];

/// Units inside an organisation (folded prefixes).
const UNITS: &[&str] = &["phong", "van phong", "to", "bo phan", "doi", "khoa"];

fn starts_with_word(folded: &str, prefix: &str) -> bool {
    folded == prefix
        || (folded.starts_with(prefix)
            && folded[prefix.len()..]
                .chars()
                .next()
                .is_some_and(|c| !c.is_alphanumeric()))
}

/// Strip "Label:" and return (folded label, value) when the line is labelled.
fn labelled(line: &str) -> Option<(String, &str)> {
    let (l, v) = line.split_once(':')?;
    if l.chars().count() > 20 {
        return None;
    }
    Some((fold(l.trim()), v.trim()))
}

/// A phone number in the line (Vietnamese forms: 0220 3855 123, 0912.345.678, +84 912 345 678).
pub fn find_phone(line: &str) -> Option<String> {
    let mut best = String::new();
    let mut cur = String::new();
    let mut digits = 0;
    let flush = |cur: &mut String, digits: &mut usize, best: &mut String| {
        if *digits >= 9 && *digits <= 13 && best.is_empty() {
            *best = cur
                .trim()
                .trim_end_matches(['.', '-', ' ', '('])
                .trim()
                .to_string();
        }
        cur.clear();
        *digits = 0;
    };
    for c in line.chars() {
        if c.is_ascii_digit() {
            cur.push(c);
            digits += 1;
        } else if (c == '+' && cur.is_empty())
            || (!cur.is_empty() && matches!(c, ' ' | '\u{a0}' | '.' | '-' | '(' | ')'))
        {
            cur.push(if c == '\u{a0}' { ' ' } else { c });
        } else {
            flush(&mut cur, &mut digits, &mut best);
        }
    }
    flush(&mut cur, &mut digits, &mut best);
    (!best.is_empty()).then_some(best)
}

/// An e-mail address in the line.
pub fn find_email(line: &str) -> Option<String> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';'))
        .map(|t| t.trim_matches(|c: char| matches!(c, '.' | '"' | '\'' | '[' | ']')))
        .map(|t| t.rsplit(':').next().unwrap_or(t))
        .find(|t| {
            let mut sp = t.splitn(2, '@');
            let (Some(a), Some(b)) = (sp.next(), sp.next()) else {
                return false;
            };
            !a.is_empty() && b.contains('.') && !b.contains('@') && t.is_ascii()
        })
        .map(|t| t.to_lowercase())
}

/// A personal name: 2–6 words, each starting with an upper-case letter, no digits.
fn looks_like_name(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    (2..=6).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(|c| c.is_uppercase()) && w.chars().all(char::is_alphabetic)
        })
        && !ORGS.iter().any(|o| starts_with_word(&fold(line), o))
}

/// Where the quoted or forwarded part of a body starts: a forward/original-message marker, an
/// Outlook header block ("From:"/"Từ:" followed within two lines by "Sent:"/"Gửi:"/"Date:"/
/// "Ngày:"), an attribution line ("On … wrote:", "Vào … đã viết:", possibly wrapped over two
/// lines), or a `>` quote. Each line is folded once.
fn quoted_start(body: &str) -> Option<usize> {
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    // Folded lines, computed on demand (most lines never need it).
    let mut folded: Vec<Option<String>> = vec![None; lines.len()];
    let mut fold_at = |k: usize| -> String {
        folded[k]
            .get_or_insert_with(|| fold(lines[k].trim()))
            .clone()
    };
    let attribution = |x: &str| {
        (x.starts_with("vao ") && x.ends_with("viet:"))
            || (x.starts_with("on ") && x.ends_with("wrote:"))
    };
    let mut off = 0;
    for (k, line) in lines.iter().enumerate() {
        let t = line.trim();
        let marker = t.starts_with('>')
            || (t.starts_with("-----")
                && (t.contains("Original Message")
                    || t.contains("Forwarded message")
                    || t.contains("Forwarded Message")
                    || {
                        let f = fold_at(k);
                        f.contains("thu goc") || f.contains("chuyen tiep")
                    }));
        let quoted = marker || {
            // Only lines starting like "On", "Vào", "From:", "Từ:" can open a quote.
            let maybe = t
                .chars()
                .next()
                .is_some_and(|c| matches!(c.to_ascii_lowercase(), 'o' | 'v' | 'f' | 't'));
            maybe && {
                let f = fold_at(k);
                attribution(&f)
                    || ((f.starts_with("on ") || f.starts_with("vao "))
                        && t.len() < 200
                        && k + 1 < lines.len()
                        && attribution(&format!("{f} {}", fold_at(k + 1))))
                    || ((f.starts_with("from:") || f.starts_with("tu:"))
                        && (k + 1..lines.len().min(k + 3)).any(|j| {
                            let g = fold_at(j);
                            ["sent:", "gui:", "date:", "ngay:", "ngay gui:", "thoi gian:"]
                                .iter()
                                .any(|p| g.starts_with(p))
                        }))
            }
        };
        if quoted {
            return Some(off);
        }
        off += line.len();
    }
    None
}

fn cut_quoted(body: &str) -> &str {
    &body[..quoted_start(body).unwrap_or(body.len())]
}

/// Lines mail clients add under a message ("Sent from my iPhone", "Gửi từ iPhone của tôi"…).
fn client_footer(line: &str) -> bool {
    // Short lines only, and only their first words folded (most lines are long sentences).
    line.split_whitespace().count() <= 8 && {
        let f = fold(&line.chars().take(16).collect::<String>());
        f.starts_with("sent from ") || f.starts_with("gui tu ") || f.starts_with("duoc gui tu ")
    }
}

/// A closing formula ("Trân trọng", "Kính thư", "Best regards"): the block starts after it.
fn closing(line: &str) -> bool {
    let f = fold(line);
    let f = f.trim_end_matches(|c: char| !c.is_alphanumeric());
    [
        "tran trong",
        "tran trong cam on",
        "kinh thu",
        "best regards",
        "regards",
        "tran trong kinh chao",
    ]
    .contains(&f)
}

/// A line that reads as a sentence of the message, not a signature line.
fn sentence(line: &str) -> bool {
    line.split_whitespace().count() > 14
        || line.ends_with('.') && !line.ends_with("./.")
        || line.ends_with(':')
        || line.ends_with(',')
}

/// Read the signature block. Lines are examined from the end, at most 12 non-empty lines.
pub fn parse_signature(body: &str) -> Signature {
    let main = cut_quoted(body);
    let mut lines: Vec<&str> = main
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace()))
        .filter(|l| !l.is_empty() && !client_footer(l))
        .collect();
    // After a "-- " delimiter, the block is what follows it.
    if let Some(p) = lines.iter().rposition(|l| *l == "--" || *l == "—") {
        lines = lines[p + 1..].to_vec();
    }
    let mut start = lines.len().saturating_sub(12);
    // After a closing formula ("Trân trọng,") in the last lines, the block is what follows it.
    if let Some(p) = lines[start..].iter().rposition(|l| closing(l)) {
        if start + p + 1 < lines.len() {
            start += p + 1;
        }
    }
    let block = &lines[start..];
    let mut s = Signature::default();
    let id = &mut s.identity;
    // Inside a VGCA-style digital signature stamp ("Người ký: …", "Cơ quan: …", "Thời gian ký:
    // …"): those lines name the signing agency, not the submitter.
    let mut in_stamp = false;
    for &line in block {
        let f = fold(line);
        if let Some((label, value)) = labelled(line) {
            if matches!(
                label.as_str(),
                "nguoi ky" | "ky boi" | "signed by" | "signer"
            ) {
                in_stamp = true;
                continue;
            }
            if label.starts_with("thoi gian ky") || label.starts_with("ngay ky") {
                continue;
            }
            if in_stamp
                && matches!(
                    label.as_str(),
                    "email" | "e-mail" | "co quan" | "to chuc" | "don vi"
                )
            {
                continue;
            }
            in_stamp = false;
            if value.is_empty() {
                continue;
            }
            match label.as_str() {
                "ho ten" | "ho va ten" | "nguoi gui" | "nguoi viet" | "tac gia" | "name" => {
                    id.name = value.to_string();
                    continue;
                }
                "chuc vu" | "chuc danh" | "title" => {
                    id.title = value.to_string();
                    continue;
                }
                "don vi" | "co quan" | "to chuc" | "organisation" | "organization" => {
                    id.organisation = value.to_string();
                    continue;
                }
                "dia chi" | "d/c" | "dc" | "address" => {
                    id.address = value.to_string();
                    continue;
                }
                "email" | "e-mail" | "thu dien tu" | "mail" => {
                    if let Some(e) = find_email(value) {
                        id.email = e;
                    }
                    continue;
                }
                l if l.starts_with("dt")
                    || l.starts_with("dien thoai")
                    || l.starts_with("tel")
                    || l.starts_with("mobile")
                    || l.starts_with("phone")
                    || l.starts_with("dd")
                    || l.starts_with("hotline")
                    || l.starts_with("zalo")
                    || l.starts_with("so dien thoai")
                    || l.starts_with("so dt")
                    || l == "sdt" =>
                {
                    if let Some(p) = find_phone(value) {
                        if id.phone.is_empty() {
                            id.phone = p;
                        }
                    }
                    continue;
                }
                _ => {}
            }
        }
        if let Some(e) = find_email(line) {
            if id.email.is_empty() {
                id.email = e;
            }
            if line.split_whitespace().count() <= 2 {
                continue;
            }
        }
        if let Some(p) = find_phone(line) {
            if id.phone.is_empty()
                && line.chars().filter(char::is_ascii_digit).count() * 2
                    >= line.chars().filter(|c| !c.is_whitespace()).count() / 2
            {
                id.phone = p;
                continue;
            }
        }
        if let Some(t) = TITLES.iter().find(|t| starts_with_word(&f, t)) {
            if id.title.is_empty() {
                // Split "Chuyên viên Phòng Nghiệp vụ" into the title and the unit.
                let words: Vec<&str> = line.split_whitespace().collect();
                let n = t.split(' ').count().min(words.len());
                id.title = words[..n].join(" ");
                let rest = words[n..].join(" ");
                if !rest.is_empty() {
                    s.unit = rest;
                }
                continue;
            }
        }
        if ORGS.iter().any(|o| starts_with_word(&f, o))
            && line.split_whitespace().count() >= 2
            && !sentence(line)
        {
            let is_unit = UNITS.iter().any(|u| starts_with_word(&f, u));
            if is_unit && s.unit.is_empty() && id.organisation.is_empty() {
                s.unit = line.to_string();
            } else if id.organisation.is_empty() {
                id.organisation = line.to_string();
            }
            continue;
        }
        if id.name.is_empty() && looks_like_name(line) {
            id.name = line.to_string();
        }
    }
    // A unit line seen alone is the organisation as far as the check is concerned.
    if s.identity.organisation.is_empty() && !s.unit.is_empty() {
        s.identity.organisation = s.unit.clone();
    }
    s
}

/// Merge the headers (From name and address) with the signature block: the block wins for the
/// name when the From display name is empty or only the address.
///
/// The block is the sender's own text, above any quoted or forwarded part. When it lacks fields
/// and the quoted/forwarded part is the sender's own earlier message (its "From:"/"Từ:" line
/// names the same address: "forward as attachment" of one's own mail, a re-sent message), the
/// missing fields are taken from that part's signature. Somebody else's signature in a forwarded
/// part never fills the submitter's identity.
pub fn identity_from(from_name: &str, from_email: &str, body: &str) -> Signature {
    let mut s = parse_signature(body);
    if !from_email.is_empty() {
        if let Some(own) = own_forwarded_part(body, from_email) {
            let f = parse_signature(own);
            let (id, fid) = (&mut s.identity, f.identity);
            for (mine, theirs) in [
                (&mut id.name, fid.name),
                (&mut id.title, fid.title),
                (&mut id.organisation, fid.organisation),
                (&mut id.phone, fid.phone),
                (&mut id.address, fid.address),
            ] {
                if mine.is_empty() {
                    *mine = theirs;
                }
            }
            if s.unit.is_empty() {
                s.unit = f.unit;
            }
        }
    }
    let id = &mut s.identity;
    let from_name = from_name.trim().trim_matches(['"', '\'']).trim();
    // A unit mailbox ("Phòng TCCB - Cục THADS Hải Dương", "Văn thư Sở Tư pháp") names an
    // organisation, not a person.
    let from_org = ORGS.iter().any(|o| starts_with_word(&fold(from_name), o))
        || fold(from_name).starts_with("van thu");
    if !from_name.is_empty() && !from_name.contains('@') {
        if from_org {
            if id.organisation.is_empty() {
                id.organisation = from_name.to_string();
            }
        } else if id.name.is_empty() {
            id.name = from_name.to_string();
        }
    }
    if id.email.is_empty() {
        id.email = from_email.to_string();
    }
    s
}

/// The first quoted/forwarded part of `body` whose header names `email` as its sender (the text
/// after its header lines, up to the next quoted part).
fn own_forwarded_part<'a>(body: &'a str, email: &str) -> Option<&'a str> {
    let mut rest = body;
    for _ in 0..4 {
        let start = quoted_start(rest)?;
        // Skip the marker line itself, then read the header lines.
        let part = &rest[start..];
        let first = fold(part.lines().next().unwrap_or("").trim());
        let after_marker = if first.starts_with("from:") || first.starts_with("tu:") {
            part
        } else {
            part.find('\n').map(|i| &part[i + 1..]).unwrap_or("")
        };
        let mut from_is_sender = false;
        let mut header_end = 0;
        for line in after_marker.split_inclusive('\n').take(8) {
            let t = line.trim();
            let f = fold(t);
            if f.starts_with("from:") || f.starts_with("tu:") {
                from_is_sender = find_email(t).is_some_and(|e| e.eq_ignore_ascii_case(email));
            }
            if t.is_empty() {
                break;
            }
            header_end += line.len();
        }
        let text = &after_marker[header_end..];
        if from_is_sender {
            return Some(cut_quoted(text));
        }
        if text.is_empty() {
            return None;
        }
        rest = text;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typical_block() {
        let body = "Kính gửi Tổ biên tập,\nXin gửi tin.\n\nTrân trọng,\nNguyễn Văn A\nChuyên viên Phòng Nghiệp vụ\nCục THADS tỉnh Hải Dương\nĐT: 0220 3855 123\n";
        let s = parse_signature(body);
        assert_eq!(s.identity.name, "Nguyễn Văn A");
        assert_eq!(s.identity.title, "Chuyên viên");
        assert_eq!(s.unit, "Phòng Nghiệp vụ");
        assert_eq!(s.identity.organisation, "Cục THADS tỉnh Hải Dương");
        assert_eq!(s.identity.phone, "0220 3855 123");
    }

    #[test]
    fn labelled_block() {
        let body = "Nội dung.\n\nHọ tên: Trần Thị Bình\nChức vụ: Thư ký tòa soạn\nĐơn vị: Sở Tư pháp tỉnh Bình Phước\nĐịa chỉ: 123 Trần Hưng Đạo\nEmail: binh@stp.binhphuoc.gov.vn";
        let s = parse_signature(body);
        assert_eq!(s.identity.name, "Trần Thị Bình");
        assert_eq!(s.identity.title, "Thư ký tòa soạn");
        assert_eq!(s.identity.organisation, "Sở Tư pháp tỉnh Bình Phước");
        assert_eq!(s.identity.address, "123 Trần Hưng Đạo");
        assert_eq!(s.identity.email, "binh@stp.binhphuoc.gov.vn");
        assert!(s.identity.phone.is_empty());
    }

    #[test]
    fn quoted_reply_is_not_the_signature() {
        let body = "Gửi lại bài.\nLê Văn C\n\n-----Original Message-----\nNguyễn Văn B\nChuyên viên\nĐT: 0912345678";
        let s = parse_signature(body);
        assert_eq!(s.identity.name, "Lê Văn C");
        assert!(s.identity.phone.is_empty());
    }

    #[test]
    fn gmail_attribution_wrapped_over_two_lines_starts_the_quote() {
        let body = "Em gửi lại ạ.\nLê Văn C\nChuyên viên\n\nVào Th 2, 2 thg 3, 2026 vào lúc 08:00 Trần Văn B <\nb@x.vn> đã viết:\n> Nguyễn Văn D\n> Trưởng phòng\n";
        let s = parse_signature(body);
        assert_eq!(s.identity.name, "Lê Văn C");
        assert_eq!(s.identity.title, "Chuyên viên");
        assert!(s.identity.email.is_empty());
    }

    #[test]
    fn outlook_english_header_block_starts_the_quote() {
        let body = "Updated.\nLê Văn C\nĐT: 0912 000 111\n\nFrom: Nguyễn Văn D <d@x.vn>\nSent: Monday, March 2, 2026 8:00 AM\nTo: C\nNguyễn Văn D\nTrưởng phòng\nĐT: 0988 777 666\n";
        let s = parse_signature(body);
        assert_eq!(s.identity.phone, "0912 000 111");
        assert!(s.identity.title.is_empty());
    }

    #[test]
    fn a_forwarded_part_fills_gaps_only_when_it_is_the_senders_own() {
        let fwd = |from: &str| {
            format!("Gửi BBT.\n\n---------- Forwarded message ---------\nFrom: X <{from}>\nSubject: Tin\n\nNội dung.\n\nHoàng Văn Sơn\nChuyên viên\nCục THADS tỉnh Hải Dương\nĐT: 0220 3855 140\n")
        };
        let own = identity_from("", "son@x.vn", &fwd("son@x.vn"));
        assert_eq!(own.identity.name, "Hoàng Văn Sơn");
        assert_eq!(own.identity.phone, "0220 3855 140");
        assert_eq!(own.identity.email, "son@x.vn");
        let other = identity_from("", "mai@x.vn", &fwd("son@x.vn"));
        assert!(other.identity.name.is_empty() && other.identity.phone.is_empty());
    }

    #[test]
    fn a_unit_mailbox_name_is_the_organisation_not_the_name() {
        let s = identity_from("Văn phòng Cục THADS tỉnh Hải Dương", "vp@x.vn", "Gửi tin.");
        assert!(s.identity.name.is_empty());
        assert_eq!(
            s.identity.organisation,
            "Văn phòng Cục THADS tỉnh Hải Dương"
        );
    }

    #[test]
    fn vgca_stamp_lines_are_not_the_submitter() {
        let body = "Gửi văn bản.\nTrân trọng,\nVõ Thị Kim Anh\nChuyên viên\nSở Tư pháp tỉnh Bình Phước\n\nNgười ký: Sở Tư pháp\nEmail: stp@bp.gov.vn\nCơ quan: Tỉnh Bình Phước\nThời gian ký: 02.03.2026 08:12:45 +07:00\n";
        let s = parse_signature(body);
        assert_eq!(s.identity.organisation, "Sở Tư pháp tỉnh Bình Phước");
        assert!(s.identity.email.is_empty() && s.identity.phone.is_empty());
    }

    #[test]
    fn phones() {
        assert_eq!(
            find_phone("DĐ 0912.345.678").as_deref(),
            Some("0912.345.678")
        );
        assert_eq!(
            find_phone("+84 912 345 678").as_deref(),
            Some("+84 912 345 678")
        );
        assert_eq!(find_phone("năm 2024"), None);
    }
}
