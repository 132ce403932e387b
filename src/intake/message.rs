//! Parsing one message (RFC 5322 / MIME) into clean, Unicode parts, with limits.
//!
//! Nothing here touches the disk or the database. A message is either parsed whole or refused
//! whole with a [`Refusal`].

use mail_parser::{MessageParser, MimeHeaders, PartType};

use crate::domain::profile::Profile;
use crate::i18n::Lang;
use crate::text::legacy::{self, Encoding};
use crate::text::sanitize::clean_input;
use crate::tr;

/// Limits applied to every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest raw message accepted.
    pub max_message_bytes: u64,
    /// Longest line in the top-level header section (RFC 5322 allows 998).
    pub max_header_line: usize,
    /// Most MIME parts in one message.
    pub max_parts: usize,
    /// Largest single attachment (from the profile's `max_attachment_bytes`).
    pub max_attachment_bytes: u64,
    /// Most entries listed from one archive.
    pub max_archive_entries: usize,
    /// Uncompressed/compressed ratio above which an archive is a bomb.
    pub max_archive_ratio: u64,
    /// Total uncompressed size above which an archive is a bomb.
    pub max_archive_total: u64,
}

impl Limits {
    pub fn from_profile(p: &Profile) -> Limits {
        let att = p.intake.max_attachment_bytes.max(1);
        Limits {
            // base64 grows 4/3; allow a few attachments at the limit plus headers.
            max_message_bytes: att.saturating_mul(3).saturating_add(1 << 20),
            max_header_line: 64 * 1024,
            max_parts: 500,
            max_attachment_bytes: att,
            max_archive_entries: 10_000,
            max_archive_ratio: 100,
            max_archive_total: 1 << 30,
        }
    }
}

/// Why a whole message was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The file could not be read.
    Unreadable(String),
    Malformed,
    TooLarge {
        size: u64,
        limit: u64,
    },
    HeaderLineTooLong {
        len: usize,
        limit: usize,
    },
    TooManyParts {
        count: usize,
        limit: usize,
    },
    AttachmentTooLarge {
        name: String,
        size: u64,
        limit: u64,
    },
    /// No subject, no body text and no attachment.
    Empty,
    /// An Outlook `.msg` file (OLE compound document), not an RFC 822 message.
    OutlookMsg,
}

impl Refusal {
    /// Stable code, kept in the intake log and the JSON summary.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Unreadable(_) => "unreadable",
            Refusal::Malformed => "malformed",
            Refusal::TooLarge { .. } => "too-large",
            Refusal::HeaderLineTooLong { .. } => "header-line-too-long",
            Refusal::TooManyParts { .. } => "too-many-parts",
            Refusal::AttachmentTooLarge { .. } => "attachment-too-large",
            Refusal::Empty => "empty",
            Refusal::OutlookMsg => "outlook-msg",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::Unreadable(e) => {
                tr!(lang, "không đọc được tệp: {e}", "cannot read the file: {e}")
            }
            Refusal::Malformed => tr!(
                lang,
                "không phải thư điện tử hợp lệ (MIME hỏng)",
                "not a valid e-mail message (malformed MIME)"
            ),
            Refusal::TooLarge { size, limit } => tr!(
                lang,
                "thư quá lớn ({size} byte; giới hạn {limit} byte)",
                "message too large ({size} bytes; limit {limit} bytes)"
            ),
            Refusal::HeaderLineTooLong { len, limit } => tr!(
                lang,
                "dòng tiêu đề thư dài {len} byte (giới hạn {limit})",
                "a header line is {len} bytes long (limit {limit})"
            ),
            Refusal::TooManyParts { count, limit } => tr!(
                lang,
                "thư có {count} phần MIME (giới hạn {limit})",
                "the message has {count} MIME parts (limit {limit})"
            ),
            Refusal::AttachmentTooLarge { name, size, limit } => tr!(
                lang,
                "tệp đính kèm \"{name}\" quá lớn ({size} byte; giới hạn {limit} byte)",
                "attachment \"{name}\" too large ({size} bytes; limit {limit} bytes)"
            ),
            Refusal::Empty => tr!(
                lang,
                "thư trống: không có tiêu đề, nội dung hay tệp đính kèm",
                "empty message: no subject, body or attachment"
            ),
            Refusal::OutlookMsg => tr!(
                lang,
                "đây là tệp .msg của Outlook (định dạng riêng của Microsoft), không phải thư .eml: hãy chuyển tiếp thư đó vào hộp thư của Ban Biên tập rồi nhận từ hộp thư, hoặc lưu thư thành tệp .eml (Outlook trên web hoặc Outlook mới: Tải xuống; Thunderbird: Lưu thành tệp) rồi nhận lại",
                "this is an Outlook .msg file (Microsoft's own format), not an .eml message: forward that message to the board's mailbox and import from the mailbox, or save it as an .eml file (Outlook on the web or new Outlook: Download; Thunderbird: Save As File) and import again"
            ),
        }
    }
}

/// An attachment as received (not yet stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAttachment {
    /// Original name as given by the sender (untrusted; only its sanitised form is stored).
    pub original_name: String,
    /// Declared content type, lower case (`application/pdf`).
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A parsed, cleaned message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedMessage {
    pub message_id: Option<String>,
    /// Clean one-line subject (may be empty).
    pub subject: String,
    /// Clean NFC Unicode body (plain text; HTML converted).
    pub body: String,
    pub from_name: String,
    pub from_email: String,
    /// Reply-To or Sender when it differs from From.
    pub other_sender: Option<String>,
    /// Cc recipients: (display name, address).
    pub cc: Vec<(String, String)>,
    /// Date header as stored UTC text.
    pub date: Option<String>,
    pub attachments: Vec<RawAttachment>,
    /// Legacy encoding the text was converted from ("TCVN3", "VNI"), if any.
    pub encoding_from: Option<String>,
    pub encoding_evidence: String,
    /// Control characters, escape sequences and bidi controls removed from subject and body.
    pub removed: usize,
    /// The body came from HTML only.
    pub html_only: bool,
    /// multipart/signed or a detached signature part (S/MIME, PGP).
    pub signed_mime: bool,
    /// Text of forwarded messages (message/rfc822 parts).
    pub forwarded: Vec<String>,
}

/// Magic of an OLE compound document (Outlook `.msg`, old Word/Excel files).
pub const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Magic of a TNEF stream (`winmail.dat`, `application/ms-tnef`).
pub const TNEF_MAGIC: [u8; 4] = [0x78, 0x9F, 0x3E, 0x22];

/// The bytes are an OLE compound document (an Outlook `.msg` file when given as a message).
pub fn is_ole_compound(raw: &[u8]) -> bool {
    raw.starts_with(&OLE_MAGIC)
}

/// Undo `format=flowed` (RFC 3676): a line ending in a space continues on the next line.
/// The signature separator `-- ` is never a soft break; quoted lines join only at the same depth.
pub fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open = false; // the last line pushed ended in a soft break
    let mut open_depth = 0;
    for raw_line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let depth = line.chars().take_while(|&c| c == '>').count();
        let mut content = &line[depth..];
        // Space-stuffing.
        if let Some(c) = content.strip_prefix(' ') {
            content = c;
        }
        if open && depth != open_depth {
            out.push('\n');
            open = false;
        }
        if !open {
            out.push_str(&">".repeat(depth));
            if depth > 0 {
                out.push(' ');
            }
        }
        let soft = content.ends_with(' ') && content != "-- ";
        if soft {
            out.push_str(if delsp {
                &content[..content.len() - 1]
            } else {
                content
            });
            open = true;
            open_depth = depth;
        } else {
            out.push_str(content);
            out.push('\n');
            open = false;
        }
    }
    if out.ends_with('\n') && !text.ends_with('\n') {
        out.pop();
    }
    out
}

/// Prepare Outlook/Word HTML for text conversion: table cells side by side (`a | b`), one row a
/// line, paragraphs inside cells not breaking the row; Office `<o:p>` tags dropped.
fn tidy_html(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<td") && !lower.contains("<o:p") && !lower.contains("<th") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut in_cell = 0usize;
    let mut i = 0;
    let bytes = lower.as_bytes();
    while i < html.len() {
        if bytes[i] == b'<' {
            let end = lower[i..]
                .find('>')
                .map(|e| i + e + 1)
                .unwrap_or(html.len());
            let tag = &lower[i..end];
            let name: String = tag
                .trim_start_matches('<')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | ':'))
                .collect();
            match name.as_str() {
                "td" | "th" => {
                    in_cell += 1;
                }
                "/td" | "/th" => {
                    in_cell = in_cell.saturating_sub(1);
                    out.push_str(" | ");
                }
                "/tr" => out.push_str("<br>"),
                "o:p" | "/o:p" => {}
                "p" | "/p" | "div" | "/div" | "br" if in_cell > 0 => out.push(' '),
                _ => out.push_str(&html[i..end]),
            }
            i = end;
        } else {
            let next = lower[i..].find('<').map(|e| i + e).unwrap_or(html.len());
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    out
}

/// Plain text from converted HTML: no-break spaces as spaces, row separators trimmed, lines of
/// only spaces emptied, at most one empty line in a row.
fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.replace('\u{a0}', " ").lines() {
        let mut l = line.trim_end();
        while let Some(x) = l.strip_suffix(" |").or_else(|| l.strip_suffix('|')) {
            l = x.trim_end();
        }
        let words: Vec<&str> = l.split(' ').filter(|w| !w.is_empty()).collect();
        let mut l = words.join(" ");
        // Outlook's reply header "<b>From:</b> X" loses its space in conversion.
        if let Some((label, rest)) = l.split_once(':') {
            let f = crate::text::fold::fold(label);
            if REPLY_LABELS.contains(&f.as_str()) && !rest.is_empty() && !rest.starts_with(' ') {
                l = format!("{label}: {rest}");
            }
        }
        if l.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Labels of a reply/forward header block (folded).
const REPLY_LABELS: &[&str] = &[
    "from", "sent", "to", "cc", "subject", "date", "tu", "gui", "den", "chu de", "ngay",
];

/// Reply and forward prefixes of subjects, as mail clients add them (folded, without ':').
const SUBJECT_PREFIXES: &[&str] = &[
    "re",
    "fw",
    "fwd",
    "tl",
    "tra loi",
    "chuyen tiep",
    "aw",
    "wg",
];

/// The subject without "Re:", "Fwd:", "TRẢ LỜI:", "Chuyển tiếp:" … prefixes (repeated ones too).
pub fn strip_subject_prefixes(subject: &str) -> &str {
    let mut s = subject.trim();
    loop {
        let Some((head, rest)) = s.split_once(':') else {
            return s;
        };
        let f = crate::text::fold::fold(head.trim());
        let f = f.trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, '[' | ']'));
        if head.chars().count() <= 14
            && SUBJECT_PREFIXES.contains(&f.trim())
            && !rest.trim().is_empty()
        {
            s = rest.trim();
        } else {
            return s;
        }
    }
}

/// Convert a legacy-encoded text line by line: a line with letters that windows-1252 cannot
/// show (ư, ạ, Đ …) is already Unicode and is kept (HTML mixing a `.VnTime` paragraph with a
/// Unicode signature).
fn decode_mixed(text: &str, enc: Encoding) -> String {
    let is_1252 = |c: char| {
        (c as u32) <= 0xFF
            || matches!(
                c,
                '€' | '‚'
                    | 'ƒ'
                    | '„'
                    | '…'
                    | '†'
                    | '‡'
                    | 'ˆ'
                    | '‰'
                    | 'Š'
                    | '‹'
                    | 'Œ'
                    | 'Ž'
                    | '‘'
                    | '’'
                    | '“'
                    | '”'
                    | '•'
                    | '–'
                    | '—'
                    | '˜'
                    | '™'
                    | 'š'
                    | '›'
                    | 'œ'
                    | 'ž'
                    | 'Ÿ'
            )
    };
    let mut out = String::with_capacity(text.len());
    for (k, line) in text.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        if line.chars().all(is_1252) {
            out.push_str(&legacy::decode(line, enc));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The line put above the text of a message forwarded as an attachment (`message/rfc822`).
pub const FORWARD_MARKER: &str = "---------- Forwarded message ---------";

/// Longest line in the top-level header section.
fn longest_header_line(raw: &[u8]) -> usize {
    let mut longest = 0;
    let mut start = 0;
    for (i, &b) in raw.iter().enumerate() {
        if b == b'\n' {
            let mut line = &raw[start..i];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            if line.is_empty() {
                return longest;
            }
            longest = longest.max(line.len());
            start = i + 1;
        }
    }
    longest.max(raw.len() - start)
}

/// Font names declared in HTML (`face="…"`, `font-family: …`), for legacy detection.
fn font_hint(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut names = Vec::new();
    for key in ["font-family:", "face="] {
        let mut from = 0;
        while let Some(p) = lower[from..].find(key) {
            let s = from + p + key.len();
            let end = lower[s..]
                .find(['>', ';', '}'])
                .map(|e| s + e)
                .unwrap_or(lower.len())
                .min(s + 200);
            names.push(lower[s..end].replace(['"', '\''], ","));
            from = end;
            if names.len() > 50 {
                break;
            }
        }
    }
    (!names.is_empty()).then(|| names.join(";"))
}

/// Text of an HTML body (Outlook tables and `<o:p>` tidied, no-break spaces normalised).
fn html_text(html: &str) -> String {
    tidy_text(&mail_parser::decoders::html::html_to_text(&tidy_html(html)))
}

fn collect_text(msg: &mail_parser::Message<'_>) -> (String, bool, Option<String>) {
    let mut parts = Vec::new();
    let mut hint = None;
    let mut html_only = msg.text_body_count() == 0 && msg.html_body_count() > 0;
    for i in 0..msg.text_body_count() {
        if let Some(p) = msg.text_part(i as u32) {
            match &p.body {
                PartType::Text(t) => {
                    let ct = p.content_type();
                    let flowed = ct
                        .and_then(|c| c.attribute("format"))
                        .is_some_and(|f| f.eq_ignore_ascii_case("flowed"));
                    if flowed {
                        let delsp = ct
                            .and_then(|c| c.attribute("delsp"))
                            .is_some_and(|d| d.eq_ignore_ascii_case("yes"));
                        parts.push(unflow(t, delsp));
                    } else {
                        parts.push(t.to_string());
                    }
                }
                PartType::Html(h) => {
                    html_only = true;
                    hint = hint.or_else(|| font_hint(h));
                    parts.push(html_text(h));
                }
                _ => {}
            }
        }
    }
    if parts.is_empty() {
        for i in 0..msg.html_body_count() {
            if let Some(p) = msg.html_part(i as u32) {
                if let PartType::Html(h) = &p.body {
                    hint = hint.or_else(|| font_hint(h));
                    parts.push(html_text(h));
                }
            }
        }
    } else {
        // The HTML alternative still tells which fonts the author used.
        for i in 0..msg.html_body_count() {
            if let Some(p) = msg.html_part(i as u32) {
                if let PartType::Html(h) = &p.body {
                    hint = hint.or_else(|| font_hint(h));
                }
            }
        }
    }
    (parts.join("\n"), html_only, hint)
}

fn addr_pair(a: &mail_parser::Addr<'_>) -> (String, String) {
    (
        a.name().map(|n| clean_input(n).text).unwrap_or_default(),
        a.address()
            .map(|n| clean_input(n).text.trim().to_lowercase())
            .unwrap_or_default(),
    )
}

/// Parse and clean one message. `raw` is the whole file.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<ParsedMessage, Refusal> {
    if is_ole_compound(raw) {
        return Err(Refusal::OutlookMsg);
    }
    if raw.len() as u64 > limits.max_message_bytes {
        return Err(Refusal::TooLarge {
            size: raw.len() as u64,
            limit: limits.max_message_bytes,
        });
    }
    let longest = longest_header_line(raw);
    if longest > limits.max_header_line {
        return Err(Refusal::HeaderLineTooLong {
            len: longest,
            limit: limits.max_header_line,
        });
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(Refusal::Malformed)?;
    // A file without any of the basic headers is not a message (mail-parser accepts almost
    // anything).
    let basic = msg.from().is_some()
        || msg.to().is_some()
        || msg.subject().is_some()
        || msg.date().is_some()
        || msg.message_id().is_some();
    if !basic {
        return Err(Refusal::Malformed);
    }
    let total_parts = count_parts(&msg);
    if total_parts > limits.max_parts {
        return Err(Refusal::TooManyParts {
            count: total_parts,
            limit: limits.max_parts,
        });
    }
    let mut out = ParsedMessage {
        message_id: msg
            .message_id()
            .map(|m| clean_input(m).text.trim().to_string())
            .filter(|m| !m.is_empty()),
        date: msg.date().and_then(|d| {
            chrono::DateTime::from_timestamp(d.to_timestamp(), 0).map(crate::store::ts)
        }),
        ..Default::default()
    };
    if let Some(a) = msg.from().and_then(|f| f.first()) {
        (out.from_name, out.from_email) = addr_pair(a);
    }
    for other in [msg.reply_to(), msg.sender()].into_iter().flatten() {
        if let Some(a) = other.first() {
            let (_, e) = addr_pair(a);
            if !e.is_empty() && e != out.from_email {
                out.other_sender = Some(e);
            }
        }
    }
    for a in msg.cc().into_iter().flat_map(|c| c.iter()) {
        out.cc.push(addr_pair(a));
    }
    let (mut body, html_only, hint) = collect_text(&msg);
    out.html_only = html_only;
    let subject = strip_subject_prefixes(msg.subject().unwrap_or("")).to_string();

    // Attachments (and forwarded messages, whose text is kept for the approval check and whose
    // own attachments count as the message's).
    collect_attachments(&msg, limits, &mut out, 0)?;
    // A message forwarded as an attachment is often the submission itself ("Gửi BBT." above
    // it): its text goes into the body below a forward marker, as an inline forward would.
    for f in &out.forwarded {
        body.truncate(body.trim_end().len());
        body.push_str("\n\n");
        body.push_str(FORWARD_MARKER);
        body.push('\n');
        body.push_str(f);
    }

    // Legacy encodings: decide once for the whole message (never per character).
    let probe = format!("{subject}\n{body}");
    let det = legacy::detect(&probe, hint.as_deref());
    out.encoding_evidence = det.evidence.clone();
    let (subject, body) = if det.encoding != Encoding::Unicode {
        out.encoding_from = Some(det.encoding.name().to_string());
        (
            decode_mixed(&subject, det.encoding),
            decode_mixed(&body, det.encoding),
        )
    } else {
        (subject, body)
    };
    let s = clean_input(&subject);
    let b = clean_input(&body);
    out.removed = s.removed_controls
        + s.removed_escapes
        + s.bidi
        + b.removed_controls
        + b.removed_escapes
        + b.bidi;
    out.subject = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
    out.body = b.text.trim().to_string();
    if out.subject.is_empty() && out.body.is_empty() && out.attachments.is_empty() {
        return Err(Refusal::Empty);
    }
    Ok(out)
}

fn count_parts(msg: &mail_parser::Message<'_>) -> usize {
    msg.parts
        .iter()
        .map(|p| match &p.body {
            PartType::Message(m) => 1 + count_parts(m),
            _ => 1,
        })
        .sum()
}

fn collect_attachments(
    msg: &mail_parser::Message<'_>,
    limits: &Limits,
    out: &mut ParsedMessage,
    depth: usize,
) -> Result<(), Refusal> {
    for part in &msg.parts {
        if let Some(ct) = part.content_type() {
            let t = format!(
                "{}/{}",
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase()
            );
            let opaque_signed = matches!(
                t.as_str(),
                "application/pkcs7-mime" | "application/x-pkcs7-mime"
            ) && ct
                .attribute("smime-type")
                .is_none_or(|s| s.eq_ignore_ascii_case("signed-data"));
            if opaque_signed
                || t == "multipart/signed"
                || t == "application/pkcs7-signature"
                || t == "application/x-pkcs7-signature"
                || t == "application/pgp-signature"
            {
                out.signed_mime = true;
            }
        }
    }
    for part in msg.attachments() {
        // The detached signature of multipart/signed belongs to the envelope, not the submission.
        if part.content_type().is_some_and(|c| {
            c.ctype().eq_ignore_ascii_case("application")
                && c.subtype().is_some_and(|st| {
                    st.eq_ignore_ascii_case("pkcs7-signature")
                        || st.eq_ignore_ascii_case("x-pkcs7-signature")
                        || st.eq_ignore_ascii_case("pgp-signature")
                })
        }) {
            out.signed_mime = true;
            continue;
        }
        let ctype = part
            .content_type()
            .map(|c| {
                format!(
                    "{}/{}",
                    c.ctype().to_ascii_lowercase(),
                    c.subtype().unwrap_or("octet-stream").to_ascii_lowercase()
                )
            })
            .unwrap_or_else(|| "application/octet-stream".into());
        if let PartType::Message(nested) = &part.body {
            if depth < 3 {
                let (t, _, _) = collect_text(nested);
                let from = nested
                    .from()
                    .and_then(|f| f.first())
                    .map(|a| {
                        let (n, e) = addr_pair(a);
                        format!("{n} <{e}>")
                    })
                    .unwrap_or_default();
                let subj = nested.subject().unwrap_or("");
                let date = nested
                    .date()
                    .map(|d| format!("Date: {}\n", d.to_rfc3339()))
                    .unwrap_or_default();
                out.forwarded.push(
                    clean_input(&format!(
                        "From: {from}\n{date}Subject: {subj}\n\n{}",
                        t.trim()
                    ))
                    .text,
                );
                collect_attachments(nested, limits, out, depth + 1)?;
            }
            continue;
        }
        let data = part.contents();
        let name = part.attachment_name().unwrap_or("").to_string();
        if data.len() as u64 > limits.max_attachment_bytes {
            return Err(Refusal::AttachmentTooLarge {
                name: crate::text::sanitize::display_name(&name),
                size: data.len() as u64,
                limit: limits.max_attachment_bytes,
            });
        }
        out.attachments.push(RawAttachment {
            original_name: name,
            content_type: ctype,
            data: data.to_vec(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> Limits {
        Limits {
            max_message_bytes: 1 << 20,
            max_header_line: 1000,
            max_parts: 50,
            max_attachment_bytes: 1000,
            max_archive_entries: 100,
            max_archive_ratio: 100,
            max_archive_total: 1 << 20,
        }
    }

    #[test]
    fn header_line_measured_only_in_header() {
        let raw = b"Subject: a\r\nFrom: b@c\r\n\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
        assert_eq!(longest_header_line(raw), 10);
    }

    #[test]
    fn rfc2047_windows_1258_subject() {
        // "Tin" + " Việt" in windows-1258 (ệ = e + combining dot below 0xF2 after ê 0xEA).
        let raw = b"From: A <a@b.vn>\r\nSubject: =?windows-1258?Q?Vi=EA=F2t?=\r\n\r\nbody\r\n";
        let m = parse(raw, &lim()).unwrap();
        assert_eq!(m.subject, "Việt");
    }

    #[test]
    fn flowed_lines_join_but_not_the_signature_separator() {
        let t = "Một câu dài \nvà tiếp.\n> trích \n> tiếp\n-- \nTên\n";
        assert_eq!(
            unflow(t, false),
            "Một câu dài và tiếp.\n> trích tiếp\n-- \nTên\n"
        );
        assert_eq!(unflow("ab \ncd\n", true), "abcd\n");
    }

    #[test]
    fn subject_prefixes() {
        assert_eq!(strip_subject_prefixes("TRẢ LỜI: Fwd: Tin A"), "Tin A");
        assert_eq!(strip_subject_prefixes("RE[2]: Tin B"), "Tin B");
        assert_eq!(strip_subject_prefixes("Chuyển tiếp: Tin C"), "Tin C");
        // Not a prefix: a subject that is itself "Thông báo: …".
        assert_eq!(
            strip_subject_prefixes("Thông báo: lịch họp"),
            "Thông báo: lịch họp"
        );
        assert_eq!(strip_subject_prefixes("Re:"), "Re:");
    }

    #[test]
    fn ole_files_are_refused_as_outlook_msg() {
        let mut raw = OLE_MAGIC.to_vec();
        raw.extend_from_slice(b"Subject: x\r\n\r\nbody");
        assert_eq!(parse(&raw, &lim()), Err(Refusal::OutlookMsg));
        assert!(Refusal::OutlookMsg.message(Lang::En).contains(".eml"));
        assert!(Refusal::OutlookMsg.message(Lang::Vi).contains(".eml"));
    }

    #[test]
    fn opaque_smime_is_signed_and_kept_as_an_attachment() {
        let raw = b"From: A <a@b.vn>\r\nSubject: Ky so\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\nContent-Disposition: attachment; filename=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwGggCSABIIB\r\n";
        let m = parse(raw, &lim()).unwrap();
        assert!(m.signed_mime);
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].content_type, "application/pkcs7-mime");
    }

    #[test]
    fn font_hint_finds_vntime() {
        let h = font_hint("<p style=\"font-family: '.VnTime'\">x</p>").unwrap();
        assert!(h.contains(".vntime"), "{h}");
    }
}
