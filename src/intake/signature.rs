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
use crate::text::fold::{fold, fold_each, fold_into};

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
        && {
            let f = fold_head(line, PREFIX_BYTES);
            !ORGS.iter().any(|o| starts_with_word(&f, o))
        }
}

/// The first characters of `fold(s)`: a prefix of it at least `min_bytes` long, or all of it.
/// Folding is character by character (`fold(ab) == fold(a) + fold(b)`), so folding the first
/// characters gives the first characters of the folded whole; `starts_with(p)` on the result
/// equals `fold(s).starts_with(p)` for any `p` up to `min_bytes` long.
pub(super) fn fold_head(s: &str, min_bytes: usize) -> String {
    let mut out = String::new();
    fold_head_into(s, usize::MAX, min_bytes, &mut out);
    out
}

/// Like [`fold_head`] over the first `max_chars` characters of `s` only (the fold of
/// `s.chars().take(max_chars)`), into `out` (cleared first).
pub(super) fn fold_head_into(s: &str, max_chars: usize, min_bytes: usize, out: &mut String) {
    out.clear();
    for (i, c) in s.char_indices().take(max_chars) {
        if out.len() >= min_bytes {
            return;
        }
        fold_into(&s[i..i + c.len_utf8()], out);
    }
}

/// The last characters of `fold(s)`: a suffix of it at least `min_bytes` long, or all of it;
/// `ends_with(p)` on the result equals `fold(s).ends_with(p)` for any `p` up to `min_bytes`.
pub(super) fn fold_tail(s: &str, min_bytes: usize) -> String {
    let mut start = s.len();
    let mut bytes = 0;
    for (i, c) in s.char_indices().rev() {
        if bytes >= min_bytes {
            break;
        }
        fold_each(&s[i..i + c.len_utf8()], |f| bytes += f.len_utf8());
        start = i;
    }
    fold(&s[start..])
}

/// Whether the folded line is a reply attribution ("On … wrote:", "Vào … đã viết:").
fn attribution(x: &str) -> bool {
    (x.starts_with("vao ") && x.ends_with("viet:"))
        || (x.starts_with("on ") && x.ends_with("wrote:"))
}

/// Folded beginnings of the header lines that follow "From:"/"Từ:" in an Outlook header block.
const HEADER_NEXT: [&str; 6] = ["sent:", "gui:", "date:", "ngay:", "ngay gui:", "thoi gian:"];

/// The first line of `s` (through its '\n', as `split_inclusive('\n')` gives it) and the rest.
fn first_line(s: &str) -> (&str, &str) {
    let end = memchr::memchr(b'\n', s.as_bytes()).map_or(s.len(), |i| i + 1);
    s.split_at(end)
}

/// Whether `line` (one line of a body, `after` the text that follows it) opens the quoted or
/// forwarded part. Only how the line starts and ends is folded, except on the rare lines that
/// look like a marker or an attribution.
/// `buf` is scratch space for folding (reused from line to line).
fn opens_quote(line: &str, after: &str, buf: &mut String) -> bool {
    let t = line.trim();
    if t.starts_with('>') {
        return true;
    }
    if t.starts_with("-----")
        && (t.contains("Original Message")
            || t.contains("Forwarded message")
            || t.contains("Forwarded Message")
            || {
                let f = fold(t);
                f.contains("thu goc") || f.contains("chuyen tiep")
            })
    {
        return true;
    }
    // Only lines starting like "On", "Vào", "From:", "Từ:" can open a quote.
    if !t
        .as_bytes()
        .first()
        .is_some_and(|b| matches!(b.to_ascii_lowercase(), b'o' | b'v' | b'f' | b't'))
    {
        return false;
    }
    fold_head_into(t, usize::MAX, 5, buf);
    let (vao, on) = (buf.starts_with("vao "), buf.starts_with("on "));
    if vao || on {
        let tail = fold_tail(t, 6);
        if (vao && tail.ends_with("viet:")) || (on && tail.ends_with("wrote:")) {
            return true;
        }
        // An attribution wrapped over two lines.
        if t.len() < 200 && !after.is_empty() {
            let next = first_line(after).0;
            return attribution(&format!("{} {}", fold(t), fold(next.trim())));
        }
        return false;
    }
    if buf.starts_with("from:") || buf.starts_with("tu:") {
        let mut rest = after;
        for _ in 0..2 {
            if rest.is_empty() {
                break;
            }
            let (next, r) = first_line(rest);
            fold_head_into(next.trim(), usize::MAX, 10, buf);
            if HEADER_NEXT.iter().any(|p| buf.starts_with(p)) {
                return true;
            }
            rest = r;
        }
    }
    false
}

/// Where the quoted or forwarded part of a body starts: a forward/original-message marker, an
/// Outlook header block ("From:"/"Từ:" followed within two lines by "Sent:"/"Gửi:"/"Date:"/
/// "Ngày:"), an attribution line ("On … wrote:", "Vào … đã viết:", possibly wrapped over two
/// lines), or a `>` quote.
fn quoted_start(body: &str) -> Option<usize> {
    let mut off = 0;
    let mut rest = body;
    let mut buf = String::new();
    while !rest.is_empty() {
        let (line, after) = first_line(rest);
        if opens_quote(line, after, &mut buf) {
            return Some(off);
        }
        off += line.len();
        rest = after;
    }
    None
}

fn cut_quoted(body: &str) -> &str {
    &body[..quoted_start(body).unwrap_or(body.len())]
}

/// Lines mail clients add under a message ("Sent from my iPhone", "Gửi từ iPhone của tôi"…).
fn client_footer(line: &str) -> bool {
    // Short lines only, and only their first words folded (most lines are long sentences).
    line.split_whitespace().nth(8).is_none() && {
        let mut f = String::new();
        fold_head_into(line, 16, 12, &mut f);
        f.starts_with("sent from ") || f.starts_with("gui tu ") || f.starts_with("duoc gui tu ")
    }
}

/// Closing formulas (folded, trailing punctuation removed).
const CLOSINGS: [&str; 6] = [
    "tran trong",
    "tran trong cam on",
    "kinh thu",
    "best regards",
    "regards",
    "tran trong kinh chao",
];

/// A closing formula ("Trân trọng", "Kính thư", "Best regards"): the block starts after it.
fn closing(line: &str) -> bool {
    // The folded line must be a formula followed by non-alphanumerics only: look at its first
    // characters, and fold the whole line only when they could be one.
    let head = fold_head(line, 21);
    let maybe = CLOSINGS
        .iter()
        .any(|c| head.starts_with(c) && head[c.len()..].chars().all(|x| !x.is_alphanumeric()));
    maybe && {
        let f = fold(line);
        CLOSINGS.contains(&f.trim_end_matches(|c: char| !c.is_alphanumeric()))
    }
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
    signature_of(cut_quoted(body))
}

/// Most titles, organisations and units are matched on a line's first folded characters: this
/// many bytes of them (more than the longest prefix in [`TITLES`], [`ORGS`] and [`UNITS`]).
const PREFIX_BYTES: usize = 24;

/// The signature block of `main`, the sender's own text (the body above any quoted part).
fn signature_of(main: &str) -> Signature {
    // The last (at most 12) non-empty lines that are not a mail client's footer, after the last
    // "-- " delimiter: read from the end, so that the rest of the body is never looked at.
    let mut lines: Vec<&str> = Vec::with_capacity(12);
    for l in main.lines().rev() {
        let l = l.trim_matches(|c: char| c.is_whitespace());
        if l.is_empty() || client_footer(l) {
            continue;
        }
        if l == "--" || l == "—" || lines.len() == 12 {
            break;
        }
        lines.push(l);
    }
    lines.reverse();
    let mut start = 0;
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
        let f = fold_head(line, PREFIX_BYTES);
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
    // Where the quoted part starts is found once, for the block and for the forwarded part.
    let quoted = quoted_start(body);
    let mut s = signature_of(&body[..quoted.unwrap_or(body.len())]);
    if !from_email.is_empty() {
        if let Some(own) = quoted.and_then(|q| own_forwarded_part(body, q, from_email)) {
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
    let folded_from = fold_head(from_name, PREFIX_BYTES);
    let from_org = ORGS.iter().any(|o| starts_with_word(&folded_from, o))
        || folded_from.starts_with("van thu");
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
/// `first_quoted` is `quoted_start(body)`.
fn own_forwarded_part<'a>(body: &'a str, first_quoted: usize, email: &str) -> Option<&'a str> {
    let mut rest = body;
    for round in 0..4 {
        let start = if round == 0 {
            first_quoted
        } else {
            quoted_start(rest)?
        };
        // Skip the marker line itself, then read the header lines.
        let part = &rest[start..];
        let first = fold_head(part.lines().next().unwrap_or("").trim(), 5);
        let after_marker = if first.starts_with("from:") || first.starts_with("tu:") {
            part
        } else {
            part.find('\n').map(|i| &part[i + 1..]).unwrap_or("")
        };
        let mut from_is_sender = false;
        let mut header_end = 0;
        for line in after_marker.split_inclusive('\n').take(8) {
            let t = line.trim();
            let f = fold_head(t, 5);
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

/// The implementation before the speed-up (issue #3), kept to prove the new one returns the
/// same for every input.
#[cfg(test)]
pub(super) mod reference {
    use super::{find_email, find_phone, labelled, sentence, starts_with_word};
    use super::{Signature, ORGS, TITLES, UNITS};
    use crate::text::fold::fold;

    // Where the quoted or forwarded part of a body starts: a forward/original-message marker, an
    // Outlook header block ("From:"/"Từ:" followed within two lines by "Sent:"/"Gửi:"/"Date:"/
    // "Ngày:"), an attribution line ("On … wrote:", "Vào … đã viết:", possibly wrapped over two
    // lines), or a `>` quote. Each line is folded once.
    pub(super) fn looks_like_name(line: &str) -> bool {
        let words: Vec<&str> = line.split_whitespace().collect();
        (2..=6).contains(&words.len())
            && words.iter().all(|w| {
                let mut cs = w.chars();
                cs.next().is_some_and(|c| c.is_uppercase()) && w.chars().all(char::is_alphabetic)
            })
            && !ORGS.iter().any(|o| starts_with_word(&fold(line), o))
    }

    pub(super) fn quoted_start(body: &str) -> Option<usize> {
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

    pub(super) fn cut_quoted(body: &str) -> &str {
        &body[..quoted_start(body).unwrap_or(body.len())]
    }

    // Lines mail clients add under a message ("Sent from my iPhone", "Gửi từ iPhone của tôi"…).
    pub(super) fn client_footer(line: &str) -> bool {
        // Short lines only, and only their first words folded (most lines are long sentences).
        line.split_whitespace().count() <= 8 && {
            let f = fold(&line.chars().take(16).collect::<String>());
            f.starts_with("sent from ") || f.starts_with("gui tu ") || f.starts_with("duoc gui tu ")
        }
    }

    // A closing formula ("Trân trọng", "Kính thư", "Best regards"): the block starts after it.
    pub(super) fn closing(line: &str) -> bool {
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

    // Read the signature block. Lines are examined from the end, at most 12 non-empty lines.
    pub(super) fn parse_signature(body: &str) -> Signature {
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

    // Merge the headers (From name and address) with the signature block: the block wins for the
    // name when the From display name is empty or only the address.
    //
    // The block is the sender's own text, above any quoted or forwarded part. When it lacks fields
    // and the quoted/forwarded part is the sender's own earlier message (its "From:"/"Từ:" line
    // names the same address: "forward as attachment" of one's own mail, a re-sent message), the
    // missing fields are taken from that part's signature. Somebody else's signature in a forwarded
    // part never fills the submitter's identity.
    pub(super) fn identity_from(from_name: &str, from_email: &str, body: &str) -> Signature {
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

    // The first quoted/forwarded part of `body` whose header names `email` as its sender (the text
    // after its header lines, up to the next quoted part).
    pub(super) fn own_forwarded_part<'a>(body: &'a str, email: &str) -> Option<&'a str> {
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
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Lines mail really has, in the forms that matter to the block and quote readers: every
    /// line kind the reader looks for, in NFC and NFD, with CR LF, controls, escapes, emoji, CJK,
    /// zero-width and bidi characters and legacy (TCVN3/VNI) letters.
    pub(crate) const PIECES: &[&str] = &[
        "Trân trọng,",
        "Tra\u{302}n tro\u{323}ng,",
        "TRÂN TRỌNG!!!",
        "Trân trọng cảm ơn.",
        "Trân trọng kính chào",
        "Best regards,",
        "Kính thư",
        "Nguyễn Văn A",
        "Nguye\u{302}\u{303}n Va\u{306}n A",
        "Hoàng Thị Giang",
        "Chuyên viên Phòng Nghiệp vụ",
        "Chuye\u{302}n vie\u{302}n",
        "Phó Chánh Văn phòng",
        "Trưởng phòng Tư pháp",
        "Phòng Tư pháp huyện Lộc Ninh",
        "Cục Thi hành án dân sự tỉnh Hải Dương",
        "Sở Tư pháp tỉnh Bình Phước",
        "UBND xã Hải Dương",
        "Văn thư Sở",
        "ĐT: 0220 3855 123",
        "DĐ 0912.345.678",
        "+84 912 345 678",
        "Điện thoại: 0912\u{a0}345\u{a0}678",
        "Email: Binh@STP.binhphuoc.gov.vn",
        "binh@stp.gov.vn",
        "Họ tên: Trần Thị Bình",
        "Ho\u{323} te\u{302}n: Tra\u{302}\u{300}n Thi\u{323} Bi\u{300}nh",
        "Chức vụ: Thư ký",
        "Đơn vị: Sở Tư pháp",
        "Địa chỉ: 123 Trần Hưng Đạo",
        "Người ký: Sở Tư pháp",
        "Cơ quan: Tỉnh Bình Phước",
        "Thời gian ký: 02.03.2026 08:12:45 +07:00",
        "--",
        "—",
        "-- ",
        "Sent from my iPhone",
        "Gửi từ iPhone của tôi",
        "Được gửi từ điện thoại",
        "-----Original Message-----",
        "---------- Forwarded message ---------",
        "----- Thư gốc -----",
        "----- Chuyển tiếp -----",
        "-----",
        "> Nguyễn Văn D",
        ">",
        "On Mon, 2 Mar 2026 at 08:00, B <b@x.vn> wrote:",
        "On Mon, 2 Mar 2026 at 08:00, Trần Văn B <",
        "b@x.vn> wrote:",
        "Vào Th 2, 2 thg 3, 2026 vào lúc 08:00 Trần Văn B <b@x.vn> đã viết:",
        "Vào Th 2, 2 thg 3, 2026 vào lúc 08:00 Trần Văn B <",
        "b@x.vn> đã viết:",
        "Va\u{300}o lu\u{301}c 8 gio\u{31b}\u{300} đa\u{303} vie\u{302}\u{301}t:",
        "Vào ngày 2/3/2026, Sở Tư pháp tổ chức hội nghị.",
        "On",
        "Vào",
        "From: Son <son@x.vn>",
        "From: X <mai@x.vn>",
        "Từ: Hoàng Văn Sơn [mailto:son@x.vn]",
        "Tu\u{31b}\u{300}: son@x.vn",
        "Sent: Monday, March 2, 2026 8:00 AM",
        "Gửi: Thứ Hai, 2 tháng 3, 2026",
        "Ngày gửi: 02/03/2026",
        "Thời gian: 08:00",
        "Date: Mon, 2 Mar 2026",
        "To: BBT",
        "Subject: Tin",
        "Thông tin cung cấp trên Trang thông tin điện tử phải tuân thủ các quy định của pháp luật về bảo vệ bí mật Nhà nước, báo chí, sở hữu trí tuệ và quản lý thông tin điện tử trên Internet.",
        "Việc cập nhật thông tin được thực hiện hàng ngày.",
        "Trong tuần đầu tiên của tháng tiếp theo đối với báo cáo tháng:",
        "Tổ chức lấy ý kiến giữa các cơ quan, đơn vị,",
        "Fax 0220.3855.124 - hotline 1900 1234",
        "Zalo: 0912345678",
        "SĐT: 0912 345 678 (giờ hành chính)",
        "Kiểm sát viên",
        "Thẩm phán Tòa án nhân dân",
        "Công ty TNHH ABC",
        "Xin cảm ơn ./.",
        "\u{1b}[31mĐỏ\u{1b}[0m",
        "\u{202e}Bidi\u{202c} \u{200b}zero\u{200d}width",
        "Chúc mừng 🎉👍🏽",
        "中文 信息 日本語",
        "Trõn trọng (TCVN3: Tr\u{b8}n tr\u{de}ng)",
        "Tr©n träng, Ph\u{a7}ng NghiÖp vô",
        "Traân troïng (VNI)",
        "\u{0}\u{7}\u{7f}",
        "Tel:",
        "e-mail: son@x.vn; khac@y.vn",
        "  ",
        "",
        "\r",
        "ǅ İstanbul Ω K Å ﬁ",
        "\u{301}\u{302}\u{303}",
        "O\u{301}n the road",
        "From:",
        "Tø: son@x.vn",
    ];

    pub(crate) fn body_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            8 => proptest::sample::select(PIECES).prop_map(str::to_string),
            1 => any::<String>(),
            1 => "[a-zA-Z0-9 :>@.\\-]{0,30}",
        ];
        let sep = proptest::sample::select(&["\n", "\r\n", "\n\n", " ", "\n  "][..]);
        proptest::collection::vec((piece, sep), 0..40).prop_map(|v| {
            v.into_iter()
                .map(|(p, s)| format!("{p}{s}"))
                .collect::<String>()
        })
    }

    /// Messages of the corpus named by `BIENTAP_CORPUS` (a Maildir `new/` folder, e.g. the
    /// import benchmark's) and the real-mail fixtures, parsed as the importer parses them.
    pub(crate) fn real_messages() -> Vec<crate::intake::message::ParsedMessage> {
        let p = crate::profile::load_bundled("stp-binh-phuoc").expect("bundled profile");
        let limits = crate::intake::message::Limits::from_profile(&p);
        let mut paths: Vec<std::path::PathBuf> = Vec::new();
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realmail");
        for dir in [
            Some(fixtures),
            std::env::var_os("BIENTAP_CORPUS").map(Into::into),
        ]
        .into_iter()
        .flatten()
        {
            let mut v: Vec<_> = std::fs::read_dir(&dir)
                .expect("corpus folder")
                .map(|e| e.expect("entry").path())
                .collect();
            v.sort();
            paths.extend(v);
        }
        paths
            .iter()
            .filter_map(|f| crate::intake::message::parse(&std::fs::read(f).ok()?, &limits).ok())
            .collect()
    }

    fn same_as_reference(from_name: &str, from_email: &str, body: &str) {
        assert_eq!(
            quoted_start(body),
            reference::quoted_start(body),
            "{body:?}"
        );
        assert_eq!(
            parse_signature(body),
            reference::parse_signature(body),
            "{body:?}"
        );
        assert_eq!(
            identity_from(from_name, from_email, body),
            reference::identity_from(from_name, from_email, body),
            "{from_name:?} {from_email:?} {body:?}"
        );
    }

    #[test]
    fn prefix_reading_covers_every_title_organisation_and_unit() {
        for p in TITLES.iter().chain(ORGS).chain(UNITS) {
            assert!(p.len() < PREFIX_BYTES, "{p}");
        }
        for c in CLOSINGS {
            assert!(c.len() < 21, "{c}");
        }
    }

    #[test]
    fn same_as_reference_on_each_piece_and_pair() {
        for a in PIECES {
            for line in a.lines() {
                assert_eq!(closing(line), reference::closing(line), "{line:?}");
                assert_eq!(
                    client_footer(line),
                    reference::client_footer(line),
                    "{line:?}"
                );
                assert_eq!(
                    looks_like_name(line),
                    reference::looks_like_name(line),
                    "{line:?}"
                );
            }
            for b in PIECES {
                let body = format!("Nội dung.\n{a}\n{b}\nNguyễn Văn A\n");
                same_as_reference(a, "son@x.vn", &body);
                same_as_reference("", "son@x.vn", &format!("{a}\n{b}"));
            }
        }
    }

    #[test]
    fn same_as_reference_on_real_mail() {
        for m in real_messages() {
            same_as_reference(&m.from_name, &m.from_email, &m.body);
            same_as_reference("", "", &m.body);
            for f in &m.forwarded {
                same_as_reference(&m.from_name, &m.from_email, f);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn same_as_reference_on_varied_bodies(
            body in body_strategy(),
            name in proptest::sample::select(PIECES),
            email in proptest::sample::select(&["", "son@x.vn", "SON@X.VN", "mai@x.vn"][..]),
        ) {
            same_as_reference(name, email, &body);
            for line in body.lines() {
                proptest::prop_assert_eq!(closing(line), reference::closing(line));
                proptest::prop_assert_eq!(client_footer(line), reference::client_footer(line));
            }
        }

        #[test]
        fn fold_head_and_tail_are_the_ends_of_the_fold(s in body_strategy(), n in 0usize..30) {
            let full = fold(&s);
            let head = fold_head(&s, n);
            proptest::prop_assert!(full.starts_with(&head));
            proptest::prop_assert!(head.len() >= n || head == full);
            let tail = fold_tail(&s, n);
            proptest::prop_assert!(full.ends_with(&tail));
            proptest::prop_assert!(tail.len() >= n || tail == full);
        }
    }

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
