//! Loading regulation profiles (TOML) into domain types, with validation.
//!
//! Five profiles are bundled (one per regulation in `assets/profiles/`); a board may also load its
//! own copy from a `.toml` file. Every error names the file and the line (and column) it concerns,
//! in Vietnamese or English.

pub mod calendar;
mod validate;

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::domain::profile::Profile;
use crate::i18n::Lang;

pub use validate::{
    date_ok, intake_article_for, period_ok, season_day_ok, validate, PathSeg, Problem, ProblemKind,
    Thing, TomlPath, CHECK_CODES,
};

/// Ids of the bundled profiles, in seed order (000..004).
pub const BUNDLED_IDS: [&str; 5] = [
    "thads-hai-duong",
    "thads-thai-nguyen",
    "stp-binh-phuoc",
    "snv-hung-yen",
    "xa-hai-duong",
];

const BUNDLED: [(&str, &str); 5] = [
    (
        "thads-hai-duong",
        include_str!("../../assets/profiles/thads-hai-duong.toml"),
    ),
    (
        "thads-thai-nguyen",
        include_str!("../../assets/profiles/thads-thai-nguyen.toml"),
    ),
    (
        "stp-binh-phuoc",
        include_str!("../../assets/profiles/stp-binh-phuoc.toml"),
    ),
    (
        "snv-hung-yen",
        include_str!("../../assets/profiles/snv-hung-yen.toml"),
    ),
    (
        "xa-hai-duong",
        include_str!("../../assets/profiles/xa-hai-duong.toml"),
    ),
];

/// The TOML text of a bundled profile (e.g. for `bientap profiles show ID` or to copy and edit).
pub fn bundled_text(id: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// Loads and validates a bundled profile.
pub fn load_bundled(id: &str) -> Result<Profile, ProfileError> {
    match bundled_text(id) {
        Some(text) => parse(&format!("{id}.toml"), text),
        None => Err(ProfileError {
            file: String::new(),
            line: None,
            column: None,
            kind: ProfileErrorKind::UnknownId { id: id.to_string() },
        }),
    }
}

/// Loads and validates a profile file.
pub fn load_file(path: &Path) -> Result<Profile, ProfileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ProfileError {
        file: name.clone(),
        line: None,
        column: None,
        kind: ProfileErrorKind::Io {
            kind: e.kind(),
            detail: e.to_string(),
        },
    })?;
    parse(&name, &text)
}

/// A bundled id, else a path to a `.toml` file.
pub fn resolve(id_or_path: &str) -> Result<Profile, ProfileError> {
    if bundled_text(id_or_path).is_some() {
        return load_bundled(id_or_path);
    }
    let path = Path::new(id_or_path);
    let looks_like_path =
        id_or_path.ends_with(".toml") || id_or_path.contains(['/', '\\']) || path.is_file();
    if looks_like_path {
        load_file(path)
    } else {
        load_bundled(id_or_path)
    }
}

/// Parses TOML text into a profile and validates it. `source_name` is the file name used in
/// messages.
pub fn parse(source_name: &str, text: &str) -> Result<Profile, ProfileError> {
    let profile: Profile = toml::from_str(text).map_err(|e| {
        let (line, column) = match e.span() {
            Some(span) => {
                let (l, c) = line_col(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ProfileError {
            file: source_name.to_string(),
            line,
            column,
            kind: ProfileErrorKind::Syntax {
                detail: e.message().trim().to_string(),
            },
        }
    })?;
    let problems = validate(&profile);
    if problems.is_empty() {
        return Ok(profile);
    }
    // The text parsed once already, so this succeeds; if it did not, positions are just unknown.
    let doc = DeTable::parse(text).ok();
    let located: Vec<LocatedProblem> = problems
        .into_iter()
        .map(|problem| {
            let pos = doc
                .as_ref()
                .and_then(|d| locate(d, &problem.path))
                .map(|span| line_col(text, span.start));
            LocatedProblem {
                line: pos.map(|p| p.0),
                column: pos.map(|p| p.1),
                problem,
            }
        })
        .collect();
    let (line, column) = (located[0].line, located[0].column);
    Err(ProfileError {
        file: source_name.to_string(),
        line,
        column,
        kind: ProfileErrorKind::Invalid { problems: located },
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// The span of the deepest node of `path` present in the document.
fn locate(doc: &Spanned<DeTable<'_>>, path: &TomlPath) -> Option<Range<usize>> {
    let mut span = doc.span();
    let mut table: Option<&DeTable<'_>> = Some(doc.get_ref());
    let mut array: Option<&[Spanned<DeValue<'_>>]> = None;
    for seg in &path.0 {
        let next: Option<&Spanned<DeValue<'_>>> = match seg {
            PathSeg::Key(k) => table.and_then(|t| t.get(k.as_str())),
            PathSeg::Index(i) => array.and_then(|a| a.get(*i)),
        };
        let Some(v) = next else { break };
        span = v.span();
        table = None;
        array = None;
        match v.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    Some(span)
}

/// A semantic problem with its position in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedProblem {
    pub problem: Problem,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileErrorKind {
    /// Not a bundled id (nor a file).
    UnknownId { id: String },
    /// The file could not be read.
    Io {
        kind: std::io::ErrorKind,
        detail: String,
    },
    /// Not valid TOML, or not the shape of a profile (missing/unknown field, wrong type…).
    Syntax { detail: String },
    /// Parsed, but inconsistent: every problem found, in document order (at least one).
    Invalid { problems: Vec<LocatedProblem> },
}

/// Why a profile could not be loaded: the file, the line and column, and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::Vi))]
pub struct ProfileError {
    /// File name as given (bundled profiles: `<id>.toml`); empty for an unknown id.
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub kind: ProfileErrorKind,
}

impl ProfileError {
    /// All semantic problems (empty for other kinds of error).
    pub fn problems(&self) -> &[LocatedProblem] {
        match &self.kind {
            ProfileErrorKind::Invalid { problems } => problems,
            _ => &[],
        }
    }

    /// The reason alone, without file and line.
    pub fn reason(&self, lang: Lang) -> String {
        match &self.kind {
            ProfileErrorKind::UnknownId { id } => crate::tr!(
                lang,
                "không có hồ sơ quy chế \"{id}\"; các hồ sơ có sẵn: {} (hoặc đường dẫn tới tệp .toml)",
                "no regulation profile \"{id}\"; bundled profiles: {} (or a path to a .toml file)",
                BUNDLED_IDS.join(", ")
            ),
            ProfileErrorKind::Io { kind, detail } => match kind {
                std::io::ErrorKind::NotFound => crate::tr!(lang, "không có tệp này", "no such file"),
                std::io::ErrorKind::PermissionDenied => {
                    crate::tr!(lang, "không có quyền đọc tệp", "permission denied")
                }
                std::io::ErrorKind::InvalidData => {
                    crate::tr!(lang, "tệp không phải văn bản UTF-8", "the file is not UTF-8 text")
                }
                _ => crate::tr!(lang, "không đọc được tệp: {detail}", "cannot read the file: {detail}"),
            },
            ProfileErrorKind::Syntax { detail } => syntax_reason(detail, lang),
            ProfileErrorKind::Invalid { problems } => {
                let first = problems.first().map(|p| p.problem.message(lang)).unwrap_or_default();
                match problems.len() {
                    0 | 1 => first,
                    n => crate::tr!(lang, "{first} (và {} vấn đề khác)", "{first} (and {} more)", n - 1),
                }
            }
        }
    }

    /// One line: `file:line: reason` (or `file: reason`, or the reason alone).
    pub fn message(&self, lang: Lang) -> String {
        clean(&format!(
            "{}{}",
            position(&self.file, self.line),
            self.reason(lang)
        ))
    }

    /// One line per problem (a single line for errors other than [`ProfileErrorKind::Invalid`]).
    pub fn messages(&self, lang: Lang) -> Vec<String> {
        match &self.kind {
            ProfileErrorKind::Invalid { problems } => problems
                .iter()
                .map(|p| {
                    clean(&format!(
                        "{}{}",
                        position(&self.file, p.line),
                        p.problem.message(lang)
                    ))
                })
                .collect(),
            _ => vec![self.message(lang)],
        }
    }
}

fn position(file: &str, line: Option<usize>) -> String {
    match (file.is_empty(), line) {
        (true, _) => String::new(),
        (false, Some(l)) => format!("{file}:{l}: "),
        (false, None) => format!("{file}: "),
    }
}

/// Keeps messages to one printable line: control and bidi characters from the file (or its name)
/// are shown as escapes.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// The toml/serde message, with the usual shapes put into Vietnamese.
fn syntax_reason(detail: &str, lang: Lang) -> String {
    let detail = detail.lines().next().unwrap_or("").trim();
    if lang == Lang::En {
        return format!("TOML: {detail}");
    }
    let rewrites: [(&str, &str); 6] = [
        ("missing field ", "thiếu trường "),
        ("unknown field ", "trường không có trong định dạng: "),
        ("unknown variant ", "giá trị không được chấp nhận: "),
        ("invalid type: ", "sai kiểu: "),
        ("invalid value: ", "giá trị không hợp lệ: "),
        ("duplicate key", "khóa bị lặp"),
    ];
    for (en, vi) in rewrites {
        if let Some(rest) = detail.strip_prefix(en) {
            let rest = rest
                .replace(", expected one of ", ", cần một trong ")
                .replace(", expected ", ", cần ");
            return format!("TOML: {vi}{rest}");
        }
    }
    format!("TOML không hợp lệ: {detail}")
}
