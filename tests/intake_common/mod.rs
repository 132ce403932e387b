//! Shared helpers of the intake tests: a store with a test profile, and a message generator.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use bientap::store::{Ctx, NewUser, Store};

pub const LOGIN: &str = "thuky";

pub fn ctx() -> Ctx {
    Ctx {
        actor: LOGIN.into(),
        os_login: LOGIN.into(),
        now: chrono::DateTime::parse_from_rfc3339("2026-03-02T02:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    }
}

/// A fresh database for `thads-hai-duong` in `dir/data/`, with a user holding `intake`.
pub fn store(dir: &Path) -> Store {
    let text = bientap::profile::bundled_text("thads-hai-duong").unwrap();
    let profile = bientap::profile::load_bundled("thads-hai-duong").unwrap();
    let db = dir.join("data").join("bientap.db");
    let mut s = Store::create(&db, &profile, text).unwrap();
    s.add_first_user(
        &ctx(),
        &NewUser {
            login: LOGIN.into(),
            name: "Thư Ký".into(),
            role: "dau-moi".into(),
            unit: String::new(),
            email: String::new(),
        },
    )
    .unwrap();
    s
}

pub fn b64(data: &[u8]) -> String {
    b64_wrap(data, true)
}

pub fn b64_wrap(data: &[u8], wrap: bool) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for (k, c) in data.chunks(3).enumerate() {
        if wrap && k > 0 && k % 19 == 0 {
            s.push_str("\r\n");
        }
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            s.push(if i <= c.len() {
                T[((n >> shift) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    s
}

/// RFC 2047 B-encoding in UTF-8.
pub fn enc_utf8(s: &str) -> String {
    format!("=?UTF-8?B?{}?=", b64_wrap(s.as_bytes(), false))
}

/// A message under construction.
#[derive(Clone)]
pub struct Mail {
    pub from: String,
    pub subject_header: String,
    pub message_id: String,
    pub cc: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<(String, String, Vec<u8>)>,
    pub extra_headers: String,
}

impl Mail {
    pub fn new(id: &str, subject: &str, body: &str) -> Mail {
        Mail {
            from: "\"Nguyễn Văn A\" <nva@thads.haiduong.gov.vn>".into(),
            subject_header: enc_utf8(subject),
            message_id: format!("<{id}@test.vn>"),
            cc: None,
            text: Some(body.into()),
            html: None,
            attachments: Vec::new(),
            extra_headers: String::new(),
        }
    }

    pub fn attach(mut self, name: &str, ctype: &str, data: &[u8]) -> Mail {
        self.attachments
            .push((name.into(), ctype.into(), data.to_vec()));
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut m = String::new();
        let from = if self.from.is_ascii() {
            self.from.clone()
        } else {
            // encode the display name
            match self.from.split_once('<') {
                Some((n, a)) => format!("{} <{a}", enc_utf8(n.trim().trim_matches('"'))),
                None => self.from.clone(),
            }
        };
        m.push_str(&format!("From: {from}\r\nTo: haiduong@moi.gov.vn\r\n"));
        if let Some(cc) = &self.cc {
            m.push_str(&format!("Cc: {cc}\r\n"));
        }
        m.push_str(&format!(
            "Subject: {}\r\nMessage-ID: {}\r\nDate: Mon, 02 Mar 2026 08:00:00 +0700\r\nMIME-Version: 1.0\r\n{}",
            self.subject_header, self.message_id, self.extra_headers
        ));
        let text_part = |t: &str| {
            format!(
                "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                b64(t.as_bytes())
            )
        };
        let html_part = |h: &str| {
            format!(
                "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                b64(h.as_bytes())
            )
        };
        let body = match (&self.text, &self.html) {
            (Some(t), Some(h)) => format!(
                "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\n{}--alt\r\n{}--alt--\r\n",
                text_part(t),
                html_part(h)
            ),
            (Some(t), None) => text_part(t),
            (None, Some(h)) => html_part(h),
            (None, None) => "Content-Type: text/plain\r\n\r\n\r\n".into(),
        };
        if self.attachments.is_empty() {
            m.push_str(&body);
        } else {
            m.push_str("Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\n");
            m.push_str(&body);
            for (name, ct, data) in &self.attachments {
                m.push_str(&format!(
                    "--mix\r\nContent-Type: {ct}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                    b64(data)
                ));
            }
            m.push_str("--mix--\r\n");
        }
        m.into_bytes()
    }
}

/// A Maildir (tmp, new, cur) under `dir`.
pub fn maildir(dir: &Path) -> PathBuf {
    for d in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    dir.to_path_buf()
}

pub const SIGNATURE: &str = "\n\nTrân trọng,\nNguyễn Văn A\nChuyên viên Phòng Nghiệp vụ\nCục THADS tỉnh Hải Dương\nĐT: 0220 3855 123\n";

/// A minimal PDF (magic bytes are what the file-type check reads).
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

/// Vietnamese prose of `n` sentences, varied by `seed` (for bodies and near-duplicates).
pub fn prose(seed: u64, n: usize) -> String {
    const W: &[&str] = &[
        "thi hành án",
        "dân sự",
        "tỉnh Hải Dương",
        "hội nghị",
        "tổng kết",
        "công tác",
        "năm",
        "chấp hành viên",
        "kết quả",
        "đạt được",
        "nhiệm vụ",
        "trọng tâm",
        "chỉ tiêu",
        "giao",
        "đơn vị",
        "phối hợp",
        "cơ quan",
        "liên quan",
        "giải quyết",
        "việc",
        "tiền",
        "tài sản",
        "đồng chí",
        "phát biểu",
        "chỉ đạo",
        "triển khai",
        "kế hoạch",
        "quý",
        "cán bộ",
        "công chức",
    ];
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::new();
    for _ in 0..n {
        for k in 0..12 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let w = W[((x >> 33) as usize) % W.len()];
            if k == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(w);
            }
        }
        out.push_str(". ");
    }
    out
}

/// Every file under a directory, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
