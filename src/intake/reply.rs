//! The "return for revision" letter (*đề nghị bổ sung, chỉnh sửa*): in Vietnamese, to the
//! submitter, listing what is missing with the articles it cites — from the item's failed
//! checks and/or the return reasons given. Written as an `.eml` into the outbox Maildir
//! (`data_dir/outbox/new/`) and, when a `sendmail`-compatible command is configured, piped to
//! it; a sent letter moves to `outbox/cur/…:2,S`.
//!
//! Configuration: `$BIENTAP_SENDMAIL` (a command, split on spaces, no shell), else
//! `data_dir/config.toml`:
//!
//! ```toml
//! [mail]
//! sendmail = "/usr/sbin/sendmail -t -oi"
//! from = "Tổ biên tập <haiduong@moi.gov.vn>"
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::domain::profile::{Profile, ReasonKind};
use crate::store::{identity, Ctx, Store, StoreError};

use super::import::IntakeError;

/// Mail settings from `config.toml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct MailConfig {
    #[serde(default)]
    pub sendmail: String,
    #[serde(default)]
    pub from: String,
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    mail: MailConfig,
}

/// The mail settings: `config.toml` in the data directory, `$BIENTAP_SENDMAIL` overriding.
pub fn mail_config(data_dir: &Path) -> MailConfig {
    let mut c = fs::read_to_string(data_dir.join("config.toml"))
        .ok()
        .and_then(|t| toml::from_str::<ConfigFile>(&t).ok())
        .map(|f| f.mail)
        .unwrap_or_default();
    if let Some(s) = std::env::var_os("BIENTAP_SENDMAIL").filter(|s| !s.is_empty()) {
        c.sendmail = s.to_string_lossy().into_owned();
    }
    c
}

/// One point of the letter.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Point {
    pub what: String,
    pub citation: String,
    pub detail: String,
}

/// A composed letter.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub item_id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub points: Vec<Point>,
    pub in_reply_to: Option<String>,
}

/// What `reply` did.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyOutcome {
    pub item_id: i64,
    pub to: String,
    /// The letter file (in `outbox/new/`, or `outbox/cur/` once sent).
    pub path: PathBuf,
    pub sent: bool,
    pub points: Vec<Point>,
}

/// Keep only characters allowed in an address (no spaces, controls, angle brackets).
fn clean_addr(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_whitespace() && !c.is_control() && !matches!(c, '<' | '>' | ',' | ';' | '"')
        })
        .collect()
}

fn date_vi(ts: &str) -> String {
    crate::store::parse_ts(ts)
        .map(|t| {
            let off = chrono::FixedOffset::east_opt(7 * 3600);
            match off {
                Some(o) => t.with_timezone(&o).format("%d/%m/%Y").to_string(),
                None => t.format("%d/%m/%Y").to_string(),
            }
        })
        .unwrap_or_default()
}

/// The points of a letter: each return reason given (by code), then each failed check not
/// already covered by a reason.
pub fn points(
    profile: &Profile,
    checks: &[crate::store::CheckResult],
    reasons: &[String],
) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    for code in reasons {
        let r = profile.reason(code).ok_or_else(|| code.clone())?;
        let detail = r
            .check
            .as_ref()
            .and_then(|c| checks.iter().find(|x| &x.code == c && x.status == "fail"))
            .map(|c| c.detail.clone())
            .unwrap_or_default();
        if let Some(c) = &r.check {
            covered.push(c.clone());
        }
        out.push(Point {
            what: r.label_vi.clone(),
            citation: r.citation.clone(),
            detail,
        });
    }
    for c in checks.iter().filter(|c| c.status == "fail") {
        if covered.contains(&c.code) {
            continue;
        }
        // The profile's return reason for this check gives the wording, else a generic one.
        let r = profile
            .reasons
            .iter()
            .filter(|r| r.check.as_deref() == Some(c.code.as_str()))
            .min_by_key(|r| (r.kind != ReasonKind::Return) as u8);
        let (what, citation) = match r {
            Some(r) => (r.label_vi.clone(), r.citation.clone()),
            None => (check_label(&c.code).to_string(), c.article.clone()),
        };
        out.push(Point {
            what,
            citation: if citation.is_empty() {
                c.article.clone()
            } else {
                citation
            },
            detail: c.detail.clone(),
        });
    }
    Ok(out)
}

fn check_label(code: &str) -> &'static str {
    match code {
        "identity" => "Thiếu thông tin người cung cấp",
        "unit-approval" => "Chưa có ý kiến duyệt của Thủ trưởng đơn vị",
        "stamped" => "Thiếu bản scan có dấu đỏ hoặc chữ ký số",
        "file-types" => "Tệp đính kèm không đúng định dạng được chấp nhận",
        "unicode" => "Văn bản không dùng bộ mã Unicode (TCVN 6909:2001)",
        "attribution" => "Thông tin trích dẫn chưa ghi rõ tác giả, nguồn và ngày đăng tải",
        "duplicate" => "Nội dung trùng lặp với thông tin đã đăng tải hoặc đang xử lý",
        "source" => "Cần làm rõ nguồn thông tin",
        _ => "Nội dung cần bổ sung",
    }
}

/// Compose the letter for an item.
pub fn compose(store: &Store, id: i64, reasons: &[String]) -> Result<Letter, IntakeError> {
    let p = store.profile();
    let item = store.item(id)?;
    let checks = store.checks(id)?;
    let pts = points(p, &checks, reasons).map_err(|code| {
        StoreError::invalid(
            format!("không có lý do \"{code}\" trong quy chế"),
            format!("no reason \"{code}\" in the regulation"),
        )
    })?;
    if pts.is_empty() {
        return Err(StoreError::invalid(
            "tin bài không có kiểm tra nào không đạt và không có lý do trả lại: không có gì để đề nghị bổ sung",
            "the item has no failed check and no return reason was given: nothing to ask for",
        )
        .into());
    }
    let to = clean_addr(&item.submitter.email);
    if !to.contains('@') {
        return Err(StoreError::invalid(
            "người cung cấp không có địa chỉ thư điện tử: hãy liên hệ bằng cách khác",
            "the submitter has no e-mail address: contact them another way",
        )
        .into());
    }
    let s = &item.submitter;
    let mut greet = if s.name.is_empty() {
        s.email.clone()
    } else {
        s.name.clone()
    };
    if !s.title.is_empty() {
        greet.push_str(&format!(", {}", s.title));
    }
    if !s.organisation.is_empty() {
        greet.push_str(&format!(" — {}", s.organisation));
    }
    let ag = &p.agency;
    let src = &p.source;
    let mut body = String::new();
    body.push_str(&format!("Kính gửi: {greet}\n\n"));
    body.push_str(&format!(
        "{} {} đã nhận tin bài \"{}\" ngày {}.\n",
        ag.board_name,
        ag.site_name,
        item.title,
        date_vi(&item.received_at)
    ));
    body.push_str(&format!(
        "Căn cứ {} (Quyết định số {} ngày {} của {}), đề nghị đồng chí bổ sung, chỉnh sửa tin bài như sau:\n\n",
        src.title,
        src.number,
        src.date,
        src.issuer
    ));
    for (k, pt) in pts.iter().enumerate() {
        body.push_str(&format!("{}. {} ({}).", k + 1, pt.what, pt.citation));
        if !pt.detail.is_empty() {
            body.push_str(&format!(" Cụ thể: {}.", pt.detail.trim_end_matches('.')));
        }
        body.push('\n');
    }
    let reply_to = if p.intake.email.is_empty() {
        String::new()
    } else {
        format!(" về địa chỉ {}", p.intake.email)
    };
    body.push_str(&format!(
        "\nTin bài đã bổ sung, chỉnh sửa đề nghị gửi lại{reply_to}, ghi rõ số tin bài #{id} ở tiêu đề thư.\n\nTrân trọng.\n\n{}\n{}\n",
        ag.board_name, ag.name
    ));
    Ok(Letter {
        item_id: id,
        to,
        subject: format!("Đề nghị bổ sung, chỉnh sửa tin bài #{id}: {}", item.title),
        body,
        points: pts,
        in_reply_to: item.message_id.clone(),
    })
}

/// [`b64`] in lines of 76 characters, each ended by CR LF (a MIME body part).
pub(crate) fn b64_lines(data: &[u8]) -> String {
    let flat = b64(data);
    let mut out = String::with_capacity(flat.len() + flat.len() / 38 + 2);
    for line in flat.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

pub(crate) fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= c.len() {
                s.push(T[((n >> shift) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// RFC 2047 encoded-word(s) for a header value (UTF-8, base64), folded.
fn encode_header(s: &str) -> String {
    if s.is_ascii() && !s.contains("=?") {
        return s.to_string();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", b64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", b64(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// The letter as an RFC 5322 message.
pub fn to_eml(l: &Letter, from: &str, now: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    let mut h = String::new();
    let from = if from.is_empty() {
        "bientap@localhost"
    } else {
        from
    };
    let (fname, faddr) = match from.rsplit_once('<') {
        Some((n, a)) => (n.trim().trim_matches('"').to_string(), clean_addr(a)),
        None => (String::new(), clean_addr(from)),
    };
    if fname.is_empty() {
        h.push_str(&format!("From: {faddr}\r\n"));
    } else {
        h.push_str(&format!("From: {} <{faddr}>\r\n", encode_header(&fname)));
    }
    h.push_str(&format!("To: {}\r\n", l.to));
    h.push_str(&format!("Subject: {}\r\n", encode_header(&l.subject)));
    h.push_str(&format!("Date: {}\r\n", now.to_rfc2822()));
    h.push_str(&format!(
        "Message-ID: <bientap-reply-{}-{}@{}>\r\n",
        l.item_id,
        now.timestamp(),
        faddr
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or("localhost")
    ));
    if let Some(m) = &l.in_reply_to {
        let m = clean_addr(m);
        if !m.is_empty() {
            h.push_str(&format!("In-Reply-To: <{m}>\r\nReferences: <{m}>\r\n"));
        }
    }
    h.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    let body = l.body.replace('\n', "\r\n");
    h.push_str(&b64_lines(body.as_bytes()));
    h.into_bytes()
}

/// Write into `data_dir/outbox/new/` (through `outbox/tmp/`, fsynced). Returns the path.
pub fn write_outbox(data_dir: &Path, name_hint: &str, eml: &[u8]) -> std::io::Result<PathBuf> {
    let ob = data_dir.join("outbox");
    for d in ["tmp", "new", "cur"] {
        fs::create_dir_all(ob.join(d))?;
    }
    let name = format!("{name_hint}.{}.bientap", std::process::id());
    let tmp = ob.join("tmp").join(&name);
    let mut f = fs::File::create(&tmp)?;
    f.write_all(eml)?;
    f.sync_all()?;
    let dest = ob.join("new").join(&name);
    fs::rename(&tmp, &dest)?;
    fs::File::open(ob.join("new"))?.sync_all()?;
    Ok(dest)
}

/// Pipe a message to the sendmail command (split on whitespace; no shell).
pub fn send(command: &str, eml: &[u8]) -> std::io::Result<()> {
    let mut parts = command.split_whitespace();
    let prog = parts.next().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty sendmail command")
    })?;
    let mut child = Command::new(prog)
        .args(parts)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(eml)?;
    }
    let out = child.wait_with_output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "{prog}: {} {}",
            out.status,
            crate::text::sanitize::one_line(String::from_utf8_lossy(&out.stderr).trim())
        )))
    }
}

/// Compose, write to the outbox, send when configured, and record it in the audit log.
pub fn reply(
    store: &mut Store,
    ctx: &Ctx,
    id: i64,
    reasons: &[String],
    send_now: bool,
) -> Result<ReplyOutcome, IntakeError> {
    store.require_user(&ctx.actor)?;
    let letter = compose(store, id, reasons)?;
    let data_dir = identity::data_dir(store.path());
    let cfg = mail_config(&data_dir);
    let from = if cfg.from.is_empty() {
        let p = store.profile();
        if p.intake.email.is_empty() {
            String::new()
        } else {
            format!("{} <{}>", p.agency.board_name, p.intake.email)
        }
    } else {
        cfg.from.clone()
    };
    let eml = to_eml(&letter, &from, ctx.now);
    let hint = format!("{}.reply-{id}", ctx.now.timestamp());
    let mut path = write_outbox(&data_dir, &hint, &eml).map_err(|err| IntakeError::Io {
        path: data_dir.join("outbox"),
        err,
    })?;
    let mut sent = false;
    if send_now && !cfg.sendmail.is_empty() {
        send(&cfg.sendmail, &eml).map_err(|err| IntakeError::Io {
            path: PathBuf::from(cfg.sendmail.clone()),
            err,
        })?;
        sent = true;
        if let Ok(p) = super::import::mark_seen(&data_dir.join("outbox"), &path) {
            path = p;
        }
    }
    let note = format!(
        "{} → {}{}",
        letter
            .points
            .iter()
            .map(|p| p.citation.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        letter.to,
        if sent { " (sent)" } else { " (outbox)" }
    );
    store.write(|tx| crate::store::intake::record_reply(tx, ctx, id, &note))?;
    Ok(ReplyOutcome {
        item_id: id,
        to: letter.to,
        path,
        sent,
        points: letter.points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(b64(b""), "");
        assert_eq!(b64(b"f"), "Zg==");
        assert_eq!(b64(b"fo"), "Zm8=");
        assert_eq!(b64(b"foo"), "Zm9v");
        assert_eq!(b64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn header_is_parsed_back() {
        let l = Letter {
            item_id: 7,
            to: "a@b.vn".into(),
            subject: "Đề nghị bổ sung, chỉnh sửa tin bài #7: Hội nghị tổng kết công tác năm 2025"
                .into(),
            body: "Kính gửi: Nguyễn Văn A\nNội dung.".into(),
            points: vec![],
            in_reply_to: Some("x@y".into()),
        };
        let eml = to_eml(&l, "Tổ biên tập <haiduong@moi.gov.vn>", chrono::Utc::now());
        let m = mail_parser::MessageParser::default().parse(&eml).unwrap();
        assert_eq!(m.subject(), Some(l.subject.as_str()));
        assert_eq!(m.body_text(0).unwrap().replace("\r\n", "\n"), l.body);
        assert_eq!(
            m.from().unwrap().first().unwrap().name(),
            Some("Tổ biên tập")
        );
    }
}
