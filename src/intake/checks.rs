//! The regulation's intake checks, as pure functions over a parsed submission.
//!
//! Each check yields a [`NewCheck`] with the article of the profile's `[intake]` rules it
//! enforces. The duplicate check needs the database and is made by the importer
//! (`super::import`) with [`duplicate_check`].

use crate::domain::item::{Attribution, Identity, SourceKind};
use crate::domain::profile::{Category, Profile};
use crate::store::intake::{DupMatch, NewCheck};
use crate::text::fold::fold;

use super::archive;
use super::message::{Limits, RawAttachment};

pub use crate::domain::checks::{FAIL, FLAG_LETTERS, NA, PASS, WARN};

/// The compact flag string of a set of checks: e.g. `I S d`.
pub fn flags_of(checks: &[NewCheck]) -> String {
    crate::domain::checks::flags(checks.iter().map(|c| (c.code.as_str(), c.status.as_str())))
}

fn check(code: &str, status: &str, article: &str, detail: impl Into<String>) -> NewCheck {
    NewCheck {
        code: code.into(),
        status: status.into(),
        article: article.into(),
        detail: detail.into(),
    }
}

/// Identity: every field the profile requires.
pub fn identity_check(p: &Profile, id: &Identity) -> NewCheck {
    let (status, detail) = crate::domain::checks::identity(&p.intake.identity_fields, id);
    check("identity", status, &p.intake.identity_article, detail)
}

/// What an attachment turned out to be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub name: String,
    pub ext: String,
    /// MIME type by content (magic bytes), else the declared one.
    pub mime: String,
    pub flags: Vec<&'static str>,
    /// Archive listing, when it is one.
    pub listing: Option<archive::Listing>,
    /// A scanned document (PDF or image by content).
    pub scan: bool,
    /// A digital signature (PDF with a signature dictionary, or a .p7s/.sig file).
    pub digital_signature: bool,
    /// Legacy encoding found in a text attachment (txt, rtf, htm).
    pub legacy: Option<&'static str>,
}

/// Extensions that are the same type for the check (declared → also accepted by content).
fn same_type(declared: &str, by_content: &str) -> bool {
    let norm = |e: &str| match e {
        "jpeg" | "jpe" => "jpg".to_string(),
        "tif" => "tiff".to_string(),
        "htm" => "html".to_string(),
        "mpeg" => "mpg".to_string(),
        "wma" | "asf" => "wmv".to_string(),
        e => e.to_string(),
    };
    let (d, c) = (norm(declared), norm(by_content));
    d == c
        // OLE compound files: infer cannot always tell doc, xls and ppt apart.
        || (matches!(d.as_str(), "doc" | "xls" | "ppt") && matches!(c.as_str(), "doc" | "xls" | "ppt" | "msi"))
}

/// Types whose content `infer` always recognises: no match means the content is something else.
const MAGIC_KNOWN: &[&str] = &["pdf", "jpg", "jpeg", "png", "gif", "zip", "rar"];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// Inspect one attachment: name, type by extension and by content, archives, signatures.
pub fn inspect_attachment(p: &Profile, a: &RawAttachment, limits: &Limits) -> AttachmentInfo {
    let name = crate::text::sanitize::display_name(&a.original_name);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 8)
        .unwrap_or_default();
    let mut info = AttachmentInfo {
        name,
        ext: ext.clone(),
        mime: a.content_type.clone(),
        ..Default::default()
    };
    if a.data.is_empty() {
        info.flags.push("empty");
    }
    if ext.is_empty() {
        info.flags.push("no-extension");
    } else if !p
        .intake
        .allowed_types
        .iter()
        .any(|t| t.eq_ignore_ascii_case(&ext))
    {
        info.flags.push("not-allowed");
    }
    let kind = infer::get(&a.data);
    if let Some(k) = &kind {
        info.mime = k.mime_type().to_string();
    }
    if !a.data.is_empty() && !ext.is_empty() {
        let mismatch = match &kind {
            Some(k) => !same_type(&ext, k.extension()),
            None => MAGIC_KNOWN.contains(&ext.as_str()),
        };
        if mismatch {
            info.flags.push("type-mismatch");
        }
    }
    let content_ext = kind.as_ref().map(|k| k.extension()).unwrap_or("");
    // Outlook in RTF mode wraps the message (and its real attachments) in winmail.dat.
    if a.data.starts_with(&super::message::TNEF_MAGIC)
        || a.content_type == "application/ms-tnef"
        || a.content_type == "application/vnd.ms-tnef"
        || info.name.eq_ignore_ascii_case("winmail.dat")
    {
        info.flags.retain(|f| *f != "not-allowed");
        info.flags.push("tnef");
    }
    // Opaque S/MIME (smime.p7m): the whole message is inside the signature envelope, which
    // bientap does not open; encrypted mail (enveloped-data) cannot be read at all.
    if matches!(
        a.content_type.as_str(),
        "application/pkcs7-mime" | "application/x-pkcs7-mime"
    ) || (ext == "p7m" && info.name.to_ascii_lowercase().starts_with("smime"))
    {
        info.flags
            .retain(|f| *f != "not-allowed" && *f != "type-mismatch");
        info.flags.push("smime-opaque");
    }
    // Images below this size are logos and signature pictures (Outlook's image001.png, a
    // Gmail signature logo), not scans of a stamped page.
    const MIN_SCAN_IMAGE: usize = 16 * 1024;
    info.scan = match content_ext {
        "pdf" => true,
        "jpg" | "png" | "tif" => a.data.len() >= MIN_SCAN_IMAGE,
        _ => false,
    };
    info.digital_signature = matches!(ext.as_str(), "p7s" | "sig" | "p7m")
        || (content_ext == "pdf"
            && (contains(&a.data, b"/ByteRange")
                || contains(&a.data, b"/Type /Sig")
                || contains(&a.data, b"/Type/Sig")));
    if let Some(l) = archive::list(&a.data, limits) {
        for f in &l.flags {
            info.flags.push(f);
        }
        info.listing = Some(l);
    }
    if matches!(ext.as_str(), "txt" | "rtf" | "htm" | "html") && !a.data.is_empty() {
        let text = crate::text::legacy::decode_bytes(&a.data, None);
        let hint = (ext == "rtf" || ext.starts_with("htm")).then_some(text.as_str());
        let d = crate::text::legacy::detect(&text, hint.map(rtf_fonts).as_deref());
        if d.encoding != crate::text::legacy::Encoding::Unicode {
            info.legacy = Some(d.encoding.name());
        }
    }
    info
}

/// Font names of an RTF font table or HTML, for the legacy hint.
fn rtf_fonts(text: &str) -> String {
    let mut out = Vec::new();
    for part in text.split(['{', '}', ';', '"', '\'']) {
        let t = part.trim();
        if let Some(i) = t.find(".Vn").or_else(|| t.find("VNI-")) {
            out.push(t[i..].to_string());
        }
    }
    out.join(";")
}

/// File types: allowed by the profile, content matching the extension, no bombs, not empty.
pub fn file_types_check(p: &Profile, atts: &[AttachmentInfo]) -> NewCheck {
    let a = &p.intake.types_article;
    if atts.is_empty() {
        return check("file-types", NA, a, "không có tệp đính kèm");
    }
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for att in atts {
        for f in &att.flags {
            let msg = match *f {
                "not-allowed" => Some(format!(
                    "{}: loại .{} không được chấp nhận",
                    att.name, att.ext
                )),
                "no-extension" => Some(format!("{}: không có phần mở rộng", att.name)),
                "type-mismatch" => Some(format!(
                    "{}: nội dung ({}) không khớp phần mở rộng .{}",
                    att.name, att.mime, att.ext
                )),
                "empty" => Some(format!("{}: tệp rỗng", att.name)),
                "archive-bomb" => Some(format!(
                    "{}: tệp nén nguy hiểm (bom nén), không giải nén",
                    att.name
                )),
                "archive-corrupt" => Some(format!("{}: tệp nén hỏng", att.name)),
                "smime-opaque" => Some(format!(
                    "{}: thư ký số S/MIME dạng đóng gói (hoặc mã hóa), bientap không đọc được nội dung bên trong; đề nghị người gửi gửi lại ở chế độ ký số dạng văn bản rõ (Outlook: Trung tâm Tin cậy > Bảo mật Email > \"Gửi thư đã ký ở dạng văn bản rõ\") hoặc đính kèm tệp PDF đã ký số",
                    att.name
                )),
                "tnef" => Some(format!(
                    "{}: tệp winmail.dat của Outlook (định dạng TNEF), không phải tài liệu; nội dung và tệp đính kèm thật nằm trong đó — đề nghị người gửi gửi lại với định dạng thư HTML hoặc văn bản thường (Outlook: Tệp > Tùy chọn > Thư > Soạn thư theo định dạng HTML)",
                    att.name
                )),
                _ => None,
            };
            if let Some(m) = msg {
                problems.push(m);
            }
            match *f {
                "archive-encrypted" => warnings.push(format!("{}: tệp nén có mật khẩu", att.name)),
                "archive-unlisted" => {
                    warnings.push(format!("{}: không liệt kê được nội dung tệp nén", att.name))
                }
                "archive-path" => {
                    warnings.push(format!("{}: tệp nén chứa đường dẫn bất thường", att.name))
                }
                _ => {}
            }
        }
    }
    if !problems.is_empty() {
        problems.extend(warnings);
        check("file-types", FAIL, a, problems.join("; "))
    } else if !warnings.is_empty() {
        check("file-types", WARN, a, warnings.join("; "))
    } else {
        check("file-types", PASS, a, "")
    }
}

/// Unicode: the text was (or an attachment is) in a legacy encoding.
pub fn unicode_check(
    p: &Profile,
    encoding_from: Option<&str>,
    atts: &[AttachmentInfo],
) -> NewCheck {
    let a = &p.intake.unicode_article;
    let mut notes = Vec::new();
    if let Some(e) = encoding_from {
        notes.push(format!(
            "nội dung thư soạn bằng bảng mã {e}, đã chuyển sang Unicode"
        ));
    }
    for att in atts {
        if let Some(e) = att.legacy {
            notes.push(format!("{}: bảng mã {e}", att.name));
        }
    }
    if notes.is_empty() {
        check("unicode", PASS, a, "")
    } else {
        check("unicode", WARN, a, notes.join("; "))
    }
}

/// Approval evidence phrases (folded). A line with "chưa"/"không" is not evidence.
const APPROVAL_PHRASES: [&str; 13] = [
    "da duyet",
    "lanh dao don vi duyet",
    "thu truong don vi duyet",
    "lanh dao don vi da dong y",
    "thu truong don vi da dong y",
    "dong y cho dang",
    "dong y dang",
    "dong y gui dang",
    "duyet dang",
    "da xin y kien lanh dao",
    "lanh dao phong da dong y",
    "truong phong da dong y",
    "da duoc lanh dao",
];

/// Titles of unit heads (folded) looked for in Cc display names.
const HEAD_TITLES: &[&str] = &[
    "truong phong",
    "chanh van phong",
    "chi cuc truong",
    "cuc truong",
    "giam doc",
    "lanh dao",
    "thu truong",
    "truong ban",
    "chu tich",
];

/// Every approval phrase contains one of these (folded): a line without any of them is not an
/// approval line.
const APPROVAL_ANCHORS: [&str; 3] = ["duyet", "dong y", "lanh dao"];

/// Searchers for `needles`, built once per program.
fn finders<const N: usize>(
    cell: &'static std::sync::OnceLock<[memchr::memmem::Finder<'static>; N]>,
    needles: &'static [&'static str; N],
) -> &'static [memchr::memmem::Finder<'static>; N] {
    cell.get_or_init(|| needles.map(memchr::memmem::Finder::new))
}

fn approval_line(text: &str) -> Option<String> {
    approval_line_folded(text, &fold(text))
}

/// [`approval_line`] given `folded == fold(text)`. Folding keeps every '\n' and makes no new
/// one, so line k of `folded` is the fold of line k of `text` (plus the '\r' of a CR LF, which
/// no phrase contains): the anchors are searched in the whole folded text at once, and only the
/// folded lines they fall on are read.
fn approval_line_folded(text: &str, folded: &str) -> Option<String> {
    static ANCHORS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 3]> =
        std::sync::OnceLock::new();
    static PHRASES: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 13]> =
        std::sync::OnceLock::new();
    let fb = folded.as_bytes();
    let mut hits: Vec<usize> = finders(&ANCHORS, &APPROVAL_ANCHORS)
        .iter()
        .flat_map(|f| f.find_iter(fb))
        .collect();
    if hits.is_empty() {
        return None;
    }
    hits.sort_unstable();
    let phrases = finders(&PHRASES, &APPROVAL_PHRASES);
    // Walk the lines of `text` and of `folded` together, up to the lines with a hit.
    let mut lines = text.lines().enumerate();
    let (mut line_no, mut line_start) = (0usize, 0usize);
    let mut last_read = None;
    for h in hits {
        // The folded line holding byte `h`.
        while let Some(nl) = memchr::memchr(b'\n', &fb[line_start..h]) {
            line_start += nl + 1;
            line_no += 1;
        }
        if last_read == Some(line_no) {
            continue;
        }
        last_read = Some(line_no);
        let end = memchr::memchr(b'\n', &fb[line_start..]).map_or(fb.len(), |i| line_start + i);
        let f = &folded[line_start..end];
        let pos = phrases.iter().any(|p| p.find(f.as_bytes()).is_some());
        if pos && !(f.contains("chua ") || f.contains("khong ") || f.contains("chua duoc")) {
            let l = lines.find(|(k, _)| *k == line_no).map_or("", |(_, l)| l);
            return Some(l.trim().chars().take(120).collect());
        }
    }
    None
}

/// The intake rule's article, else the category's own.
fn category_article(cat: Option<&Category>, intake_article: &str) -> String {
    match cat {
        Some(c) if intake_article.is_empty() => c.article.clone(),
        _ => intake_article.to_string(),
    }
}

/// Unit-head approval where the category requires it: an approval line in the body or in a
/// forwarded message (pass), or a Cc to a unit head (warning: informed, approval not shown).
pub fn unit_approval_check(
    p: &Profile,
    cat: Option<&Category>,
    body: &str,
    forwarded: &[String],
    cc: &[(String, String)],
) -> NewCheck {
    let a = category_article(cat, &p.intake.unit_approval_article);
    if cat.is_some_and(|c| !c.needs_unit_approval) {
        return check("unit-approval", NA, &a, "chuyên mục không yêu cầu");
    }
    unit_approval_check_folded(p, cat, body, &fold(body), forwarded, cc)
}

/// [`unit_approval_check`] with the body already folded: `folded_body` must be
/// `crate::text::fold::fold(body)` (the importer folds the body once for this check and
/// [`find_attribution_folded`]).
pub fn unit_approval_check_folded(
    p: &Profile,
    cat: Option<&Category>,
    body: &str,
    folded_body: &str,
    forwarded: &[String],
    cc: &[(String, String)],
) -> NewCheck {
    let a = category_article(cat, &p.intake.unit_approval_article);
    if cat.is_some_and(|c| !c.needs_unit_approval) {
        return check("unit-approval", NA, &a, "chuyên mục không yêu cầu");
    }
    if let Some(l) = approval_line_folded(body, folded_body) {
        return check("unit-approval", PASS, &a, format!("trong thư: \"{l}\""));
    }
    for f in forwarded {
        if let Some(l) = approval_line(f) {
            return check(
                "unit-approval",
                PASS,
                &a,
                format!("thư chuyển tiếp: \"{l}\""),
            );
        }
    }
    // Inline forwards ("---------- Forwarded message") are part of the body and were searched.
    if let Some((n, e)) = cc.iter().find(|(n, e)| {
        let f = fold(n);
        HEAD_TITLES.iter().any(|t| f.contains(t))
            || e.starts_with("lanhdao")
            || e.starts_with("truongphong")
    }) {
        return check(
            "unit-approval",
            WARN,
            &a,
            format!("đồng gửi (cc) lãnh đạo đơn vị {n} <{e}>; chưa thấy ý kiến duyệt"),
        );
    }
    match cat {
        Some(_) => check(
            "unit-approval",
            FAIL,
            &a,
            "không thấy ý kiến duyệt của Thủ trưởng đơn vị",
        ),
        None => check(
            "unit-approval",
            NA,
            &a,
            "chưa xác định chuyên mục; thư ký kiểm tra khi phân loại",
        ),
    }
}

/// Stamped scan or digital signature where the category requires it.
pub fn stamped_check(
    p: &Profile,
    cat: Option<&Category>,
    atts: &[AttachmentInfo],
    signed_mime: bool,
) -> NewCheck {
    let a = category_article(cat, &p.intake.stamped_article);
    if cat.is_some_and(|c| !c.needs_stamped) {
        return check("stamped", NA, &a, "chuyên mục không yêu cầu");
    }
    let sig_ok = cat.is_none_or(|c| c.signature_ok);
    if let Some(s) = atts.iter().find(|x| x.digital_signature) {
        if sig_ok {
            return check("stamped", PASS, &a, format!("chữ ký số: {}", s.name));
        }
    }
    if signed_mime && sig_ok {
        return check("stamped", PASS, &a, "thư có chữ ký số (S/MIME)");
    }
    if let Some(s) = atts.iter().find(|x| x.scan) {
        return check(
            "stamped",
            PASS,
            &a,
            format!("bản scan: {} (kiểm tra dấu đỏ bằng mắt)", s.name),
        );
    }
    match cat {
        Some(c) if c.signature_ok => check(
            "stamped",
            FAIL,
            &a,
            "thiếu bản scan có dấu đỏ hoặc văn bản có chữ ký số",
        ),
        Some(_) => check("stamped", FAIL, &a, "thiếu bản scan có dấu đỏ"),
        None => check(
            "stamped",
            NA,
            &a,
            "chưa xác định chuyên mục; thư ký kiểm tra khi phân loại",
        ),
    }
}

/// Signals that the body quotes or collects material from elsewhere (folded).
const QUOTED_SIGNALS: [&str; 10] = [
    "suu tam",
    "nguon:",
    "nguon tin:",
    "(theo ",
    "theo bao ",
    "trich tu",
    "trich dan",
    "dang tai tren",
    "dang lai tu",
    "tong hop tu",
];

/// Attribution of quoted material, read from the body: "Nguồn: Báo X, ngày 12/3/2025",
/// "Tác giả: …", "(Theo …)". Returns the attribution to store (kind quoted when detected).
pub fn find_attribution(body: &str) -> Attribution {
    find_attribution_folded(body, &fold(body))
}

/// [`find_attribution`] with the body already folded: `folded_body` must be
/// `crate::text::fold::fold(body)`.
pub fn find_attribution_folded(body: &str, folded_body: &str) -> Attribution {
    static SIGNALS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 10]> =
        std::sync::OnceLock::new();
    let fb = folded_body.as_bytes();
    if !finders(&SIGNALS, &QUOTED_SIGNALS)
        .iter()
        .any(|s| s.find(fb).is_some())
    {
        return Attribution::default();
    }
    let mut a = Attribution {
        kind: SourceKind::Quoted,
        ..Default::default()
    };
    let mut f = String::new();
    for line in body.lines().map(str::trim) {
        // Every test below is on how the line starts: the fold of its first 12 characters, of
        // which the first 9 bytes (the longest label, "ngay dang") are enough.
        crate::intake::signature::fold_head_into(line, 12, 9, &mut f);
        if !["nguon", "tac gia", "but danh", "(theo ", "ngay dang"]
            .iter()
            .any(|p| f.starts_with(p))
        {
            continue;
        }
        let value = line.split_once(':').map(|(_, v)| v.trim()).unwrap_or("");
        if f.starts_with("nguon") && !value.is_empty() {
            let (name, url) = split_url(value);
            if a.source_name.is_empty() {
                a.source_name = strip_date(&name);
            }
            if a.source_url.is_empty() {
                a.source_url = url;
            }
            a.source_date = a.source_date.or_else(|| find_date(value));
        } else if (f.starts_with("tac gia") || f.starts_with("but danh")) && !value.is_empty() {
            a.author = value.to_string();
        } else if f.starts_with("(theo ") {
            let inner = line.trim_start_matches('(').trim_end_matches(')');
            let inner = inner.get("Theo ".len()..).unwrap_or("").trim();
            if a.source_name.is_empty() {
                a.source_name = strip_date(inner);
            }
            a.source_date = a.source_date.or_else(|| find_date(inner));
        } else if f.starts_with("ngay dang") && !value.is_empty() {
            a.source_date = a.source_date.or_else(|| find_date(value));
        }
    }
    a
}

fn split_url(v: &str) -> (String, String) {
    let url = v
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|w| w.trim_end_matches([',', ';', ')']).to_string())
        .unwrap_or_default();
    let name = v
        .split_whitespace()
        .filter(|w| !w.starts_with("http"))
        .collect::<Vec<_>>()
        .join(" ");
    (name.trim_matches([',', ';', ' ']).to_string(), url)
}

fn strip_date(s: &str) -> String {
    // Cut before the word "ngày" (compared folded, word by word: no byte offsets across forms).
    let words: Vec<&str> = s.split_whitespace().collect();
    let end = words
        .iter()
        .position(|w| fold(w.trim_matches(|c: char| !c.is_alphanumeric())) == "ngay")
        .unwrap_or(words.len());
    words[..end]
        .join(" ")
        .trim()
        .trim_end_matches(',')
        .trim()
        .to_string()
}

/// First date d/m/yyyy (or d-m-yyyy, d.m.yyyy) in the text.
pub fn find_date(s: &str) -> Option<chrono::NaiveDate> {
    for tok in s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ';')) {
        let parts: Vec<&str> = tok.split(['/', '-', '.']).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            let (d, m, y) = (
                parts[0].parse().ok()?,
                parts[1].parse().ok()?,
                parts[2].parse().ok()?,
            );
            if let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d) {
                return Some(date);
            }
        }
    }
    None
}

pub fn attribution_check(p: &Profile, a: &Attribution) -> NewCheck {
    let (status, detail) = crate::domain::checks::attribution(a);
    check("attribution", status, &p.intake.attribution_article, detail)
}

/// Source: the board confirms it (`bientap confirm`); intake only warns when the reply address
/// differs from the sender.
pub fn source_check(p: &Profile, other_sender: Option<&str>) -> NewCheck {
    let a = &p.intake.source_check_article;
    match other_sender {
        Some(o) => check(
            "source",
            WARN,
            a,
            format!("địa chỉ trả lời/người gửi khác From: {o}; xác minh nguồn"),
        ),
        None => check(
            "source",
            NA,
            a,
            "Ban biên tập xác minh nguồn (bientap confirm)",
        ),
    }
}

/// Text cleaned: characters removed on intake.
pub fn cleaned_check(removed: usize) -> NewCheck {
    if removed > 0 {
        check(
            "text-cleaned",
            WARN,
            "",
            format!("đã loại {removed} ký tự điều khiển/chuỗi thoát/ký tự đảo chiều"),
        )
    } else {
        check("text-cleaned", PASS, "", "")
    }
}

/// Duplicates: exact (same content digest) or near (Jaccard ≥ 0.8).
pub fn duplicate_check(p: &Profile, dups: &[DupMatch]) -> NewCheck {
    let (status, detail) = crate::domain::checks::duplicate(dups);
    check("duplicate", status, &p.intake.duplicate_article, detail)
}

/// Hashes strings with one xxh3 call (short word pairs; no need for a keyed hash here). The
/// end marker `str` hashing adds is skipped: equality is still decided by `Eq`.
#[derive(Default)]
struct OneShotHasher(u64);

impl std::hash::Hasher for OneShotHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }
    fn write_u8(&mut self, _: u8) {}
}

type OneShotHash = std::hash::BuildHasherDefault<OneShotHasher>;

thread_local! {
    /// The syllable pairs of each category name (`a b`), folded once per worker thread.
    static NAME_PAIRS: std::cell::RefCell<std::collections::HashMap<String, Vec<String>, OneShotHash>> =
        std::cell::RefCell::new(std::collections::HashMap::default());
}

fn name_pairs(name: &str) -> Vec<String> {
    let folded = fold(name);
    let words: Vec<&str> = crate::text::fold::words(&folded).collect();
    words
        .windows(2)
        .map(|w| format!("{} {}", w[0], w[1]))
        .collect()
}

/// Guess the category: a `[code]` tag in the subject wins; else the category whose name's
/// syllable pairs best cover the subject (at least half of them, and a clear winner).
pub fn guess_category<'a>(p: &'a Profile, subject: &str, body: &str) -> Option<&'a Category> {
    let fs = fold(subject);
    // A tag is "[code]": no '[', no tag.
    if fs.contains('[') {
        for c in &p.categories {
            let tag = fs.match_indices('[').any(|(i, _)| {
                fs[i + 1..]
                    .strip_prefix(c.code.as_str())
                    .is_some_and(|r| r.starts_with(']'))
            });
            if tag {
                return Some(c);
            }
        }
    }
    // The subject's and the first 300 characters' folded words, between single spaces:
    // " w1 w2 … wn ". A name pair " a b " is in that text exactly when some "w_i w_i+1" is
    // "a b" (words are runs of alphanumerics): the adjacent word pairs go in a set once.
    let head = &body[..body.char_indices().nth(300).map_or(body.len(), |(i, _)| i)];
    let fh = fold(head);
    let mut text = String::with_capacity(fs.len() + fh.len() + 2);
    let mut starts = Vec::new();
    for w in crate::text::fold::words(&fs).chain(crate::text::fold::words(&fh)) {
        if !text.is_empty() {
            text.push(' ');
        }
        starts.push(text.len());
        text.push_str(w);
    }
    let mut text_pairs: std::collections::HashSet<&str, OneShotHash> =
        std::collections::HashSet::with_capacity_and_hasher(starts.len(), OneShotHash::default());
    for k in 2..=starts.len() {
        // From word k-2 to the end of word k-1.
        let end = starts.get(k).map_or(text.len(), |&s| s - 1);
        text_pairs.insert(&text[starts[k - 2]..end]);
    }
    // The first category with the highest score, when it is at least 0.5 and no other has it
    // (what a stable sort by descending score followed by a look at the first two gave).
    NAME_PAIRS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let mut best: Option<(f64, &'a Category)> = None;
        let mut tied = false;
        for c in &p.categories {
            let score_of = |pairs: &[String]| {
                if pairs.is_empty() {
                    return 0.0;
                }
                let hit = pairs
                    .iter()
                    .filter(|p| text_pairs.contains(p.as_str()))
                    .count();
                hit as f64 / pairs.len() as f64
            };
            let score = match cache.get(&c.name_vi) {
                Some(pairs) => score_of(pairs),
                None => {
                    let pairs = name_pairs(&c.name_vi);
                    let s = score_of(&pairs);
                    cache.insert(c.name_vi.clone(), pairs);
                    s
                }
            };
            match best {
                Some((b, _)) if score.total_cmp(&b).is_lt() => {}
                Some((b, _)) if score.total_cmp(&b).is_eq() => tied = true,
                _ => {
                    best = Some((score, c));
                    tied = false;
                }
            }
        }
        match best {
            Some((s, c)) if s >= 0.5 && !tied => Some(c),
            _ => None,
        }
    })
}

#[cfg(test)]
mod reference {
    use super::*;

    thread_local! {
        static REF_NAME_PAIRS: std::cell::RefCell<std::collections::HashMap<String, Vec<String>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }

    pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    pub(super) fn inspect_attachment(
        p: &Profile,
        a: &RawAttachment,
        limits: &Limits,
    ) -> AttachmentInfo {
        let name = crate::text::sanitize::display_name(&a.original_name);
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .filter(|e| !e.is_empty() && e.len() <= 8)
            .unwrap_or_default();
        let mut info = AttachmentInfo {
            name,
            ext: ext.clone(),
            mime: a.content_type.clone(),
            ..Default::default()
        };
        if a.data.is_empty() {
            info.flags.push("empty");
        }
        if ext.is_empty() {
            info.flags.push("no-extension");
        } else if !p
            .intake
            .allowed_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&ext))
        {
            info.flags.push("not-allowed");
        }
        let kind = infer::get(&a.data);
        if let Some(k) = &kind {
            info.mime = k.mime_type().to_string();
        }
        if !a.data.is_empty() && !ext.is_empty() {
            let mismatch = match &kind {
                Some(k) => !same_type(&ext, k.extension()),
                None => MAGIC_KNOWN.contains(&ext.as_str()),
            };
            if mismatch {
                info.flags.push("type-mismatch");
            }
        }
        let content_ext = kind.as_ref().map(|k| k.extension()).unwrap_or("");
        // Outlook in RTF mode wraps the message (and its real attachments) in winmail.dat.
        if a.data.starts_with(&crate::intake::message::TNEF_MAGIC)
            || a.content_type == "application/ms-tnef"
            || a.content_type == "application/vnd.ms-tnef"
            || info.name.eq_ignore_ascii_case("winmail.dat")
        {
            info.flags.retain(|f| *f != "not-allowed");
            info.flags.push("tnef");
        }
        // Opaque S/MIME (smime.p7m): the whole message is inside the signature envelope, which
        // bientap does not open; encrypted mail (enveloped-data) cannot be read at all.
        if matches!(
            a.content_type.as_str(),
            "application/pkcs7-mime" | "application/x-pkcs7-mime"
        ) || (ext == "p7m" && info.name.to_ascii_lowercase().starts_with("smime"))
        {
            info.flags
                .retain(|f| *f != "not-allowed" && *f != "type-mismatch");
            info.flags.push("smime-opaque");
        }
        // Images below this size are logos and signature pictures (Outlook's image001.png, a
        // Gmail signature logo), not scans of a stamped page.
        const MIN_SCAN_IMAGE: usize = 16 * 1024;
        info.scan = match content_ext {
            "pdf" => true,
            "jpg" | "png" | "tif" => a.data.len() >= MIN_SCAN_IMAGE,
            _ => false,
        };
        info.digital_signature = matches!(ext.as_str(), "p7s" | "sig" | "p7m")
            || (content_ext == "pdf"
                && (contains(&a.data, b"/ByteRange")
                    || contains(&a.data, b"/Type /Sig")
                    || contains(&a.data, b"/Type/Sig")));
        if let Some(l) = archive::list(&a.data, limits) {
            for f in &l.flags {
                info.flags.push(f);
            }
            info.listing = Some(l);
        }
        if matches!(ext.as_str(), "txt" | "rtf" | "htm" | "html") && !a.data.is_empty() {
            let text = crate::text::legacy::decode_bytes(&a.data, None);
            let hint = (ext == "rtf" || ext.starts_with("htm")).then_some(text.as_str());
            let d = crate::text::legacy::detect(&text, hint.map(rtf_fonts).as_deref());
            if d.encoding != crate::text::legacy::Encoding::Unicode {
                info.legacy = Some(d.encoding.name());
            }
        }
        info
    }

    pub(super) fn approval_line(text: &str) -> Option<String> {
        text.lines().find_map(|l| {
            let f = fold(l);
            let neg = f.contains("chua ") || f.contains("khong ") || f.contains("chua duoc");
            (!neg && APPROVAL_PHRASES.iter().any(|p| f.contains(p)))
                .then(|| l.trim().chars().take(120).collect())
        })
    }

    pub(super) fn unit_approval_check(
        p: &Profile,
        cat: Option<&Category>,
        body: &str,
        forwarded: &[String],
        cc: &[(String, String)],
    ) -> NewCheck {
        let a = category_article(cat, &p.intake.unit_approval_article);
        if cat.is_some_and(|c| !c.needs_unit_approval) {
            return check("unit-approval", NA, &a, "chuyên mục không yêu cầu");
        }
        if let Some(l) = approval_line(body) {
            return check("unit-approval", PASS, &a, format!("trong thư: \"{l}\""));
        }
        for f in forwarded {
            if let Some(l) = approval_line(f) {
                return check(
                    "unit-approval",
                    PASS,
                    &a,
                    format!("thư chuyển tiếp: \"{l}\""),
                );
            }
        }
        // Inline forwards ("---------- Forwarded message") are part of the body and were searched.
        if let Some((n, e)) = cc.iter().find(|(n, e)| {
            let f = fold(n);
            HEAD_TITLES.iter().any(|t| f.contains(t))
                || e.starts_with("lanhdao")
                || e.starts_with("truongphong")
        }) {
            return check(
                "unit-approval",
                WARN,
                &a,
                format!("đồng gửi (cc) lãnh đạo đơn vị {n} <{e}>; chưa thấy ý kiến duyệt"),
            );
        }
        match cat {
            Some(_) => check(
                "unit-approval",
                FAIL,
                &a,
                "không thấy ý kiến duyệt của Thủ trưởng đơn vị",
            ),
            None => check(
                "unit-approval",
                NA,
                &a,
                "chưa xác định chuyên mục; thư ký kiểm tra khi phân loại",
            ),
        }
    }

    pub(super) fn find_attribution(body: &str) -> Attribution {
        let folded = fold(body);
        if !QUOTED_SIGNALS.iter().any(|s| folded.contains(s)) {
            return Attribution::default();
        }
        let mut a = Attribution {
            kind: SourceKind::Quoted,
            ..Default::default()
        };
        for line in body.lines().map(str::trim) {
            // Every test below is on how the line starts: fold its first characters only.
            let f = fold(&line.chars().take(12).collect::<String>());
            let value = line.split_once(':').map(|(_, v)| v.trim()).unwrap_or("");
            if f.starts_with("nguon") && !value.is_empty() {
                let (name, url) = split_url(value);
                if a.source_name.is_empty() {
                    a.source_name = strip_date(&name);
                }
                if a.source_url.is_empty() {
                    a.source_url = url;
                }
                a.source_date = a.source_date.or_else(|| find_date(value));
            } else if (f.starts_with("tac gia") || f.starts_with("but danh")) && !value.is_empty() {
                a.author = value.to_string();
            } else if f.starts_with("(theo ") {
                let inner = line.trim_start_matches('(').trim_end_matches(')');
                let inner = inner.get("Theo ".len()..).unwrap_or("").trim();
                if a.source_name.is_empty() {
                    a.source_name = strip_date(inner);
                }
                a.source_date = a.source_date.or_else(|| find_date(inner));
            } else if f.starts_with("ngay dang") && !value.is_empty() {
                a.source_date = a.source_date.or_else(|| find_date(value));
            }
        }
        a
    }

    pub(super) fn name_pairs(name: &str) -> Vec<String> {
        let folded = fold(name);
        let words: Vec<&str> = crate::text::fold::words(&folded).collect();
        words
            .windows(2)
            .map(|w| format!(" {} {} ", w[0], w[1]))
            .collect()
    }

    // Guess the category: a `[code]` tag in the subject wins; else the category whose name's
    // syllable pairs best cover the subject (at least half of them, and a clear winner).
    pub(super) fn guess_category<'a>(
        p: &'a Profile,
        subject: &str,
        body: &str,
    ) -> Option<&'a Category> {
        let fs = fold(subject);
        for c in &p.categories {
            if fs.contains(&format!("[{}]", c.code)) {
                return Some(c);
            }
        }
        let head: String = body.chars().take(300).collect();
        let text = crate::text::fold::words(&format!(" {} {} ", fs, fold(&head)))
            .collect::<Vec<_>>()
            .join(" ");
        let text = format!(" {text} ");
        let mut scored: Vec<(f64, &Category)> = p
            .categories
            .iter()
            .map(|c| {
                let (hit, total) = REF_NAME_PAIRS.with(|cache| {
                    let mut cache = cache.borrow_mut();
                    let pairs = cache
                        .entry(c.name_vi.clone())
                        .or_insert_with(|| name_pairs(&c.name_vi));
                    (
                        pairs.iter().filter(|p| text.contains(p.as_str())).count(),
                        pairs.len(),
                    )
                });
                if total == 0 {
                    return (0.0, c);
                }
                (hit as f64 / total as f64, c)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        match scored.as_slice() {
            [(s, c), rest @ ..] if *s >= 0.5 && rest.first().is_none_or(|(s2, _)| s2 < s) => {
                Some(c)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::intake::signature::tests::{body_strategy, real_messages, PIECES};

    /// Lines the checks look for, in NFC and NFD, with and without negation.
    const CHECK_PIECES: &[&str] = &[
        "Bài đã được Lãnh đạo đơn vị duyệt.",
        "Đã duyệt - Trưởng phòng",
        "Ða\u{303} duye\u{323}\u{302}t",
        "Bài chưa được lãnh đạo đơn vị duyệt",
        "Lãnh đạo không đồng ý đăng",
        "Thủ trưởng đơn vị đã đồng ý cho đăng",
        "Đồng ý gửi đăng. Trưởng phòng đã đồng ý",
        "Đã xin ý kiến lãnh đạo Sở",
        "Lãnh đạo Sở xem xét sửa đổi bổ sung cho phù hợp.",
        "Trưởng các đơn vị kịp thời phản ánh về Văn phòng Sở để tổng hợp báo cáo Lãnh đạo Sở.",
        "duyệt",
        "đồng\ny",
        "Bài sưu tầm.",
        "Nguồn: Báo Hải Dương, ngày 12/3/2025 https://baohaiduong.vn/x",
        "Nguo\u{302}\u{300}n tin: Cổng TTĐT tỉnh, 1-2-2024",
        "NGUỒN:",
        "Nguồn gốc rõ ràng",
        "Tác giả: Lê Văn D",
        "Bút danh: Hải Minh",
        "(Theo Báo Bình Phước ngày 02.03.2026)",
        "(theo baobinhphuoc.vn)",
        "Theo báo Nhân dân",
        "Trích từ Cổng thông tin",
        "Ngày đăng: 31/12/2025",
        "Ngày đăng tải: 32/13/2025",
        "đăng tải trên Trang thông tin điện tử",
        "Đăng lại từ báo Pháp luật",
        "Tổng hợp từ nhiều nguồn",
        "Trích dẫn",
        "[tin-tuc] Tin tức, sự kiện",
        "[TIN-TUC] Hội nghị, hội thảo, tập huấn",
        "[hoi-dap]",
        "[khong-co] Lịch làm việc của Lãnh đạo Sở",
        "Góp ý dự thảo văn bản quy phạm pháp luật",
        "Hỏi đáp, tư vấn, giải đáp pháp luật",
        "Văn bản chỉ đạo, điều hành",
        "Tin tức",
    ];

    fn text_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            3 => proptest::sample::select(CHECK_PIECES).prop_map(str::to_string),
            1 => body_strategy(),
        ];
        let sep = proptest::sample::select(&["\n", "\r\n", " ", "\n\n", ""][..]);
        proptest::collection::vec((piece, sep), 0..12)
            .prop_map(|v| v.into_iter().map(|(p, s)| format!("{p}{s}")).collect())
    }

    /// The bundled profiles (their categories and articles differ), read once.
    fn profiles() -> &'static [Profile] {
        static P: std::sync::OnceLock<Vec<Profile>> = std::sync::OnceLock::new();
        P.get_or_init(|| {
            [
                "stp-binh-phuoc",
                "thads-hai-duong",
                "snv-hung-yen",
                "xa-hai-duong",
                "thads-thai-nguyen",
            ]
            .iter()
            .map(|id| crate::profile::load_bundled(id).expect("bundled profile"))
            .collect()
        })
    }

    const CCS: &[(&str, &str)] = &[
        ("Trưởng phòng Nghiệp vụ", "np@x.vn"),
        ("Nguyễn Văn A", "lanhdao@x.vn"),
        ("B", "b@x.vn"),
    ];

    /// The checks that read the text give what they gave before the speed-up.
    fn same_as_reference(ps: &[Profile], subject: &str, body: &str, forwarded: &[String]) {
        let folded = fold(body);
        assert_eq!(
            approval_line(body),
            reference::approval_line(body),
            "{body:?}"
        );
        let a = find_attribution(body);
        assert_eq!(a, reference::find_attribution(body), "{body:?}");
        assert_eq!(find_attribution_folded(body, &folded), a, "{body:?}");
        for p in ps {
            let cat = guess_category(p, subject, body);
            let ref_cat = reference::guess_category(p, subject, body);
            assert_eq!(
                cat.map(|c| &c.code),
                ref_cat.map(|c| &c.code),
                "{subject:?} {body:?}"
            );
            for k in 0..=CCS.len() {
                let cc: Vec<(String, String)> = CCS[k..]
                    .iter()
                    .map(|(n, e)| (n.to_string(), e.to_string()))
                    .collect();
                let needs = p.categories.iter().find(|c| c.needs_unit_approval);
                let not = p.categories.iter().find(|c| !c.needs_unit_approval);
                for cat in [None, cat, needs, not] {
                    let want = reference::unit_approval_check(p, cat, body, forwarded, &cc);
                    assert_eq!(unit_approval_check(p, cat, body, forwarded, &cc), want);
                    assert_eq!(
                        unit_approval_check_folded(p, cat, body, &folded, forwarded, &cc),
                        want
                    );
                }
            }
        }
    }

    #[test]
    fn folding_never_makes_a_line_break() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if c != '\n' {
                assert!(!fold(&c.to_string()).contains('\n'), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn every_approval_phrase_has_an_anchor() {
        for p in APPROVAL_PHRASES {
            assert!(APPROVAL_ANCHORS.iter().any(|a| p.contains(a)), "{p}");
        }
    }

    #[test]
    fn same_as_reference_on_each_piece_and_pair() {
        let ps = profiles();
        for a in CHECK_PIECES.iter().chain(PIECES) {
            for b in CHECK_PIECES {
                let body = format!("{a}\n{b}\nNội dung.");
                same_as_reference(&ps[..1], a, &body, &[b.to_string()]);
            }
            same_as_reference(ps, a, a, &[]);
        }
    }

    #[test]
    fn same_as_reference_on_real_mail() {
        let ps = profiles();
        let limits = Limits::from_profile(&ps[0]);
        for m in real_messages() {
            same_as_reference(&ps[..2], &m.subject, &m.body, &m.forwarded);
            for a in &m.attachments {
                for p in &ps[..2] {
                    assert_eq!(
                        inspect_attachment(p, a, &limits),
                        reference::inspect_attachment(p, a, &limits)
                    );
                }
            }
        }
    }

    const PREFIXES: &[&[u8]] = &[
        b"%PDF-1.7\n",
        b"\xFF\xD8\xFF\xE0",
        b"PK\x03\x04",
        b"",
        b"abc",
    ];
    const SIG_MARKS: &[&[u8]] = &[
        b"",
        b"/ByteRange",
        b"/Type /Sig",
        b"/Type/Sig",
        b"/ByteRang",
        b"/Type /Si",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        #[test]
        fn same_as_reference_on_varied_texts(
            subject in text_strategy(),
            body in text_strategy(),
            fwd in text_strategy(),
        ) {
            same_as_reference(&profiles()[..2], &subject, &body, &[fwd]);
        }

        #[test]
        fn attachments_same_as_reference(
            name in proptest::sample::select(&["a.pdf", "b.PDF", "scan.jpg", "x.zip", "winmail.dat", "smime.p7m", "c.txt", "noext", "d.p7s"][..]),
            mime in proptest::sample::select(&["application/pdf", "application/octet-stream", "application/pkcs7-mime", "text/plain"][..]),
            prefix in proptest::sample::select(PREFIXES),
            mid in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            sig in proptest::sample::select(SIG_MARKS),
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..50),
        ) {
            let p = &profiles()[0];
            let limits = Limits::from_profile(p);
            let data = [prefix, &mid[..], sig, &tail[..]].concat();
            let a = RawAttachment {
                original_name: name.to_string(),
                content_type: mime.to_string(),
                data,
            };
            proptest::prop_assert_eq!(
                inspect_attachment(p, &a, &limits),
                reference::inspect_attachment(p, &a, &limits)
            );
        }
    }

    #[test]
    fn attribution_parsed() {
        let a = find_attribution("Bài sưu tầm.\nTác giả: Lê Văn D\nNguồn: Báo Hải Dương, ngày 12/3/2025 https://baohaiduong.vn/x\n");
        assert_eq!(a.kind, SourceKind::Quoted);
        assert_eq!(a.author, "Lê Văn D");
        assert_eq!(a.source_name, "Báo Hải Dương");
        assert_eq!(a.source_url, "https://baohaiduong.vn/x");
        assert_eq!(a.source_date, chrono::NaiveDate::from_ymd_opt(2025, 3, 12));
        assert!(a.missing().is_empty());
    }

    #[test]
    fn approval_lines() {
        assert!(approval_line("Bài đã được Lãnh đạo đơn vị duyệt.").is_some());
        assert!(approval_line("Đã duyệt - Trưởng phòng").is_some());
        assert!(approval_line("Bài chưa được lãnh đạo đơn vị duyệt").is_none());
        assert!(approval_line("Nội dung bình thường").is_none());
    }

    #[test]
    fn flags_order_and_case() {
        let cs = vec![
            check("duplicate", WARN, "", ""),
            check("identity", FAIL, "", ""),
            check("stamped", FAIL, "", ""),
            check("unicode", PASS, "", ""),
        ];
        assert_eq!(flags_of(&cs), "I S d");
    }
}
