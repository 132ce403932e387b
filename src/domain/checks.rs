//! The parts of the intake checks that are rules over an item's own content, shared by the
//! importer (which runs every check on a new submission, `intake::checks`) and the store
//! (which runs these again when the content is edited).

use super::item::{Attribution, Identity, SourceKind};
use super::profile::IdentityField;

pub const PASS: &str = "pass";
pub const FAIL: &str = "fail";
pub const WARN: &str = "warn";
pub const NA: &str = "na";

/// Letters of the queue's `check_flags`, in display order: upper case = failed, lower case =
/// warning. `X` is not a regulation check: control characters, escape sequences or bidi
/// controls were removed from the text (look at it closely).
pub const FLAG_LETTERS: [(&str, char); 9] = [
    ("identity", 'I'),
    ("unit-approval", 'A'),
    ("stamped", 'S'),
    ("file-types", 'F'),
    ("unicode", 'E'),
    ("attribution", 'T'),
    ("duplicate", 'D'),
    ("source", 'O'),
    ("text-cleaned", 'X'),
];

/// What a check is about, in the user's language, and the letter it shows in the queue's flags
/// (the code itself when it is not one of the intake's).
pub fn label(code: &str, lang: crate::i18n::Lang) -> (String, Option<char>) {
    let (vi, en) = match code {
        "identity" => ("Thông tin người gửi", "Submitter's details"),
        "unit-approval" => ("Lãnh đạo đơn vị duyệt", "Unit head's approval"),
        "stamped" => (
            "Bản có dấu đỏ hoặc chữ ký số",
            "Stamped copy or digital signature",
        ),
        "file-types" => ("Định dạng tệp", "File types"),
        "unicode" => ("Phông chữ Unicode", "Unicode text"),
        "attribution" => ("Ghi nguồn trích dẫn", "Attribution of quoted material"),
        "duplicate" => ("Trùng lặp", "Duplicates"),
        "source" => ("Xác minh nguồn", "Source verified"),
        "text-cleaned" => ("Ký tự điều khiển đã loại", "Control characters removed"),
        other => (other, other),
    };
    let letter = FLAG_LETTERS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l);
    (lang.pick(vi, en).to_string(), letter)
}

/// The compact flag string of a set of checks given as (code, status): e.g. `I S d`.
pub fn flags<'a>(checks: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> String {
    let mut out: Vec<String> = Vec::new();
    for (code, letter) in FLAG_LETTERS {
        if let Some((_, status)) = checks.clone().into_iter().find(|(c, _)| *c == code) {
            match status {
                FAIL => out.push(letter.to_string()),
                WARN => out.push(letter.to_ascii_lowercase().to_string()),
                _ => {}
            }
        }
    }
    out.join(" ")
}

/// Attribution of quoted or collected material (000/001 Điều 11.3; 003 Điều 9.3): its author,
/// its source (name or address) and the date it was first published must all be given.
/// Returns the status and the detail shown to the board (in Vietnamese, as every check's).
pub fn attribution(a: &Attribution) -> (&'static str, String) {
    if a.kind != SourceKind::Quoted {
        return (NA, "không thấy nội dung trích dẫn, sưu tầm".into());
    }
    let missing: Vec<&str> = a
        .missing()
        .into_iter()
        .map(|m| match m {
            "author" => "tên tác giả",
            "source" => "nguồn cung cấp",
            "source_date" => "ngày đăng tải",
            other => other,
        })
        .collect();
    if missing.is_empty() {
        (PASS, String::new())
    } else {
        (
            FAIL,
            format!("nội dung trích dẫn thiếu: {}", missing.join(", ")),
        )
    }
}

/// Submitter identity (000/001 Điều 8.2; 002 Điều 9.1): every field the profile requires.
/// Returns the status and the detail shown to the board.
pub fn identity(fields: &[IdentityField], id: &Identity) -> (&'static str, String) {
    let mut missing = Vec::new();
    for f in fields {
        let (ok, name) = match f {
            IdentityField::Name => (!id.name.trim().is_empty(), "họ tên"),
            IdentityField::Title => (!id.title.trim().is_empty(), "chức danh"),
            IdentityField::Organisation => (!id.organisation.trim().is_empty(), "cơ quan, đơn vị"),
            IdentityField::Email => (id.email.contains('@'), "địa chỉ thư điện tử"),
            IdentityField::PhoneOrAddress => (
                !id.phone.trim().is_empty() || !id.address.trim().is_empty(),
                "số điện thoại hoặc địa chỉ liên lạc",
            ),
        };
        if !ok {
            missing.push(name);
        }
    }
    if missing.is_empty() {
        (PASS, String::new())
    } else {
        (FAIL, format!("thiếu: {}", missing.join(", ")))
    }
}

/// An item with the same or nearly the same text as another one.
#[derive(Debug, Clone, PartialEq)]
pub struct DupMatch {
    pub other_id: i64,
    /// Jaccard similarity of their shingles (1.0 for the same content digest).
    pub score: f64,
    /// Same content digest.
    pub exact: bool,
}

/// Duplicates (000/001 Điều 10.2.d): the items with the same or nearly the same text, most
/// similar first. Returns the status and the detail shown.
pub fn duplicate(matches: &[DupMatch]) -> (&'static str, String) {
    if matches.is_empty() {
        return (PASS, String::new());
    }
    let list: Vec<String> = matches
        .iter()
        .take(5)
        .map(|d| {
            if d.exact {
                format!("#{} (trùng hoàn toàn)", d.other_id)
            } else {
                format!("#{} ({:.0}%)", d.other_id, d.score * 100.0)
            }
        })
        .collect();
    (FAIL, format!("trùng với {}", list.join(", ")))
}
