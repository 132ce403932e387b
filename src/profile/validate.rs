//! Semantic checks on a deserialised profile: the things TOML and serde cannot see (unknown
//! references, duplicate codes, the order of steps, formats of dates and hours, …).

use std::collections::HashSet;
use std::fmt;

use crate::domain::profile::{Capability, Profile, ReasonKind, StepKind};
use crate::i18n::Lang;

/// The check codes a reason may name in `check` (what intake pre-selects on return).
pub const CHECK_CODES: [&str; 8] = [
    "identity",
    "unit-approval",
    "stamped",
    "file-types",
    "unicode",
    "attribution",
    "duplicate",
    "source",
];

/// One step of a path into the TOML document, e.g. `steps[1].roles[0]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// Where a problem is: a path of keys and array indices from the document root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TomlPath(pub Vec<PathSeg>);

impl TomlPath {
    pub fn root() -> Self {
        TomlPath(Vec::new())
    }
    fn key(mut self, k: &str) -> Self {
        self.0.push(PathSeg::Key(k.to_string()));
        self
    }
    fn idx(mut self, i: usize) -> Self {
        self.0.push(PathSeg::Index(i));
        self
    }
}

impl fmt::Display for TomlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                PathSeg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                PathSeg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

fn p(k: &str) -> TomlPath {
    TomlPath::root().key(k)
}
fn pik(k: &str, i: usize, f: &str) -> TomlPath {
    TomlPath::root().key(k).idx(i).key(f)
}

/// Which list a duplicate code was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thing {
    Profile,
    Role,
    Category,
    Step,
    Reason,
    Deadline,
}

impl Thing {
    fn name(self, lang: Lang) -> &'static str {
        match self {
            Thing::Profile => lang.pick("hồ sơ", "profile"),
            Thing::Role => lang.pick("vai trò", "role"),
            Thing::Category => lang.pick("chuyên mục", "category"),
            Thing::Step => lang.pick("bước", "step"),
            Thing::Reason => lang.pick("lý do", "reason"),
            Thing::Deadline => lang.pick("thời hạn", "deadline"),
        }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A required text field is empty.
    Empty {
        field: String,
    },
    /// A code has characters it may not have (whitespace, capitals, …).
    BadCode {
        what: Thing,
        code: String,
    },
    Duplicate {
        what: Thing,
        code: String,
    },
    /// A step lists no role.
    StepWithoutRoles {
        step: String,
    },
    UnknownStepRole {
        step: String,
        role: String,
    },
    UnknownDeadline {
        category: String,
        deadline: String,
    },
    NoSteps,
    NoApproveStep,
    ApproveNotLast {
        step: String,
    },
    EscalationUnknownRole {
        role: String,
    },
    EscalationUnknownStep {
        step: String,
    },
    EscalationRoleWithoutOpinion {
        role: String,
    },
    /// Escalation is configured but no role may escalate.
    NoEscalatingRole,
    /// A category is sensitive but the profile has no escalation.
    SensitiveWithoutEscalation {
        category: String,
    },
    NoAdminIntakeRole,
    NoOpinionRole,
    NoDecideRole,
    NoRejectReason,
    BadDate {
        value: String,
    },
    BadSeasonDay {
        value: String,
    },
    BadPeriod {
        value: String,
    },
    NoFileTypes,
    BadFileType {
        value: String,
    },
    DuplicateFileType {
        value: String,
    },
    NoIdentityFields,
    UnknownCheck {
        reason: String,
        check: String,
    },
    /// A reason names a check whose article in `[intake]` is empty.
    CheckWithoutArticle {
        reason: String,
        check: String,
        field: String,
    },
    /// A category needs something whose article in `[intake]` is empty.
    CategoryNeedsArticle {
        category: String,
        field: String,
    },
    SignatureWithoutStamped {
        category: String,
    },
    ZeroAmount {
        deadline: String,
    },
    ExtendedNotLonger {
        deadline: String,
    },
    QuotaMinAboveMax,
    ZeroAttachmentSize,
}

/// A semantic problem and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: TomlPath,
    pub kind: ProblemKind,
}

impl Problem {
    fn new(path: TomlPath, kind: ProblemKind) -> Self {
        Problem { path, kind }
    }

    /// One line describing the problem, without the file position.
    pub fn message(&self, lang: Lang) -> String {
        use ProblemKind::*;
        match &self.kind {
            Empty { field } => crate::tr!(lang, "\"{field}\" không được để trống", "\"{field}\" must not be empty"),
            BadCode { what, code } => crate::tr!(
                lang,
                "mã {} không hợp lệ: \"{code}\" (chỉ chữ thường, số, \"-\" và \".\")",
                "invalid {} code: \"{code}\" (lower-case letters, digits, \"-\" and \".\" only)",
                what.name(lang)
            ),
            Duplicate { what, code } => crate::tr!(
                lang,
                "mã {} bị trùng: \"{code}\"",
                "duplicate {} code: \"{code}\"",
                what.name(lang)
            ),
            StepWithoutRoles { step } => crate::tr!(
                lang,
                "bước \"{step}\" không nêu vai trò nào",
                "step \"{step}\" names no role"
            ),
            UnknownStepRole { step, role } => crate::tr!(
                lang,
                "bước \"{step}\" nêu vai trò không có: \"{role}\"",
                "step \"{step}\" names a role that does not exist: \"{role}\""
            ),
            UnknownDeadline { category, deadline } => crate::tr!(
                lang,
                "chuyên mục \"{category}\" nêu thời hạn không có: \"{deadline}\"",
                "category \"{category}\" names a deadline rule that does not exist: \"{deadline}\""
            ),
            NoSteps => crate::tr!(lang, "hồ sơ không có bước duyệt nào", "the profile has no approval step"),
            NoApproveStep => crate::tr!(
                lang,
                "không có bước loại \"approve\" (duyệt cuối)",
                "no step of kind \"approve\" (final approval)"
            ),
            ApproveNotLast { step } => crate::tr!(
                lang,
                "bước duyệt cuối \"{step}\" phải là bước sau cùng và là bước \"approve\" duy nhất",
                "final approval step \"{step}\" must be the last step and the only \"approve\" step"
            ),
            EscalationUnknownRole { role } => crate::tr!(
                lang,
                "[escalation] nêu vai trò không có: \"{role}\"",
                "[escalation] names a role that does not exist: \"{role}\""
            ),
            EscalationUnknownStep { step } => crate::tr!(
                lang,
                "[escalation] nêu bước không có: \"{step}\"",
                "[escalation] names a step that does not exist: \"{step}\""
            ),
            EscalationRoleWithoutOpinion { role } => crate::tr!(
                lang,
                "vai trò \"{role}\" ở [escalation] phải có quyền \"opinion\"",
                "role \"{role}\" in [escalation] must have the \"opinion\" capability"
            ),
            NoEscalatingRole => crate::tr!(
                lang,
                "có [escalation] nhưng không vai trò nào có quyền \"escalate\"",
                "[escalation] is set but no role has the \"escalate\" capability"
            ),
            SensitiveWithoutEscalation { category } => crate::tr!(
                lang,
                "chuyên mục \"{category}\" là nhạy cảm nhưng hồ sơ không có [escalation]",
                "category \"{category}\" is sensitive but the profile has no [escalation]"
            ),
            NoAdminIntakeRole => crate::tr!(
                lang,
                "cần một vai trò có cả quyền \"admin\" và \"intake\" (người vận hành bientap)",
                "a role with both \"admin\" and \"intake\" is required (the person who runs bientap)"
            ),
            NoOpinionRole => crate::tr!(
                lang,
                "cần một vai trò có quyền \"opinion\" (thủ trưởng cơ quan)",
                "a role with the \"opinion\" capability is required (the agency head)"
            ),
            NoDecideRole => crate::tr!(
                lang,
                "cần ít nhất một vai trò có quyền \"decide\"",
                "at least one role with the \"decide\" capability is required"
            ),
            NoRejectReason => crate::tr!(
                lang,
                "cần ít nhất một lý do loại \"reject\" (căn cứ từ chối đăng)",
                "at least one reason of kind \"reject\" (ground for refusal) is required"
            ),
            BadDate { value } => crate::tr!(
                lang,
                "ngày không hợp lệ: \"{value}\" (cần YYYY-MM-DD, hoặc YYYY-MM / YYYY khi văn bản để trống ngày)",
                "invalid date: \"{value}\" (expected YYYY-MM-DD, or YYYY-MM / YYYY where the text leaves the day blank)"
            ),
            BadSeasonDay { value } => crate::tr!(
                lang,
                "ngày của mùa không hợp lệ: \"{value}\" (cần MM-DD)",
                "invalid season day: \"{value}\" (expected MM-DD)"
            ),
            BadPeriod { value } => crate::tr!(
                lang,
                "khung giờ không hợp lệ: \"{value}\" (cần HH:MM-HH:MM, giờ bắt đầu trước giờ kết thúc)",
                "invalid period: \"{value}\" (expected HH:MM-HH:MM, start before end)"
            ),
            NoFileTypes => crate::tr!(
                lang,
                "danh sách loại tệp được nhận đang trống",
                "the list of allowed file types is empty"
            ),
            BadFileType { value } => crate::tr!(
                lang,
                "loại tệp không hợp lệ: \"{value}\" (viết thường, không có dấu chấm, ví dụ \"pdf\")",
                "invalid file type: \"{value}\" (lower case without a dot, e.g. \"pdf\")"
            ),
            DuplicateFileType { value } => crate::tr!(
                lang,
                "loại tệp bị lặp: \"{value}\"",
                "file type listed twice: \"{value}\""
            ),
            NoIdentityFields => crate::tr!(
                lang,
                "danh sách thông tin người gửi đang trống",
                "the list of submitter identity fields is empty"
            ),
            UnknownCheck { reason, check } => crate::tr!(
                lang,
                "lý do \"{reason}\" nêu mã kiểm tra không có: \"{check}\" (có: {})",
                "reason \"{reason}\" names an unknown check: \"{check}\" (known: {})",
                CHECK_CODES.join(", ")
            ),
            CheckWithoutArticle { reason, check, field } => crate::tr!(
                lang,
                "lý do \"{reason}\" dùng kiểm tra \"{check}\" nhưng [intake] {field} đang trống",
                "reason \"{reason}\" uses check \"{check}\" but [intake] {field} is empty"
            ),
            CategoryNeedsArticle { category, field } => crate::tr!(
                lang,
                "chuyên mục \"{category}\" cần điều khoản [intake] {field}, đang trống",
                "category \"{category}\" needs [intake] {field}, which is empty"
            ),
            SignatureWithoutStamped { category } => crate::tr!(
                lang,
                "chuyên mục \"{category}\": signature_ok chỉ có nghĩa khi needs_stamped = true",
                "category \"{category}\": signature_ok only makes sense with needs_stamped = true"
            ),
            ZeroAmount { deadline } => crate::tr!(
                lang,
                "thời hạn \"{deadline}\" cần amount lớn hơn 0",
                "deadline rule \"{deadline}\" needs an amount above 0"
            ),
            ExtendedNotLonger { deadline } => crate::tr!(
                lang,
                "thời hạn \"{deadline}\": extended_amount phải lớn hơn amount",
                "deadline rule \"{deadline}\": extended_amount must exceed amount"
            ),
            QuotaMinAboveMax => crate::tr!(
                lang,
                "định mức có min lớn hơn max",
                "quota has min above max"
            ),
            ZeroAttachmentSize => crate::tr!(
                lang,
                "max_attachment_bytes phải lớn hơn 0",
                "max_attachment_bytes must be above 0"
            ),
        }
    }
}

/// Codes of roles, categories, steps and deadlines: `a-z`, `0-9`, `-`, `.` (they end up in
/// command lines and, for categories, as Hugo section names).
fn slug_ok(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && !code.starts_with(['-', '.'])
}

/// Reason codes may also carry Vietnamese point letters (`12.3.đ`): any lower-case letter.
fn reason_code_ok(code: &str) -> bool {
    !code.is_empty()
        && code.chars().count() <= 64
        && code.chars().all(|c| {
            (c.is_alphabetic() && !c.is_uppercase()) || c.is_ascii_digit() || c == '-' || c == '.'
        })
}

/// Dates of issue: `YYYY-MM-DD`; `YYYY-MM` or `YYYY` where the text leaves day (and month)
/// blank; empty where the text carries no header at all.
pub fn date_ok(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && matches!(m.parse::<u32>(), Ok(1..=12)),
        [_, _, _] => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10,
        _ => false,
    }
}

/// `MM-DD`; 02-29 is allowed (seasons recur every year).
pub fn season_day_ok(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b'-' {
        return false;
    }
    let (Ok(m), Ok(d)) = (s[0..2].parse::<u32>(), s[3..5].parse::<u32>()) else {
        return false;
    };
    if !s[0..2].bytes().all(|c| c.is_ascii_digit()) || !s[3..5].bytes().all(|c| c.is_ascii_digit())
    {
        return false;
    }
    chrono::NaiveDate::from_ymd_opt(2024, m, d).is_some()
}

fn hhmm(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 5
        || b[2] != b':'
        || !s[0..2].bytes().all(|c| c.is_ascii_digit())
        || !s[3..5].bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let h: u32 = s[0..2].parse().ok()?;
    let m: u32 = s[3..5].parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `HH:MM-HH:MM`, start strictly before end.
pub fn period_ok(s: &str) -> bool {
    let Some((a, b)) = s.split_once('-') else {
        return false;
    };
    matches!((hhmm(a), hhmm(b)), (Some(a), Some(b)) if a < b)
}

/// Extensions: lower-case ASCII letters and digits, no dot.
fn file_type_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 16
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Every semantic problem of a profile, in document order as far as possible.
pub fn validate(pr: &Profile) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push = |path: TomlPath, kind: ProblemKind| out.push(Problem::new(path, kind));
    let empty = |f: &str| ProblemKind::Empty {
        field: f.to_string(),
    };

    // id, source, agency
    if pr.id.trim().is_empty() {
        push(p("id"), empty("id"));
    } else if !slug_ok(&pr.id) {
        push(
            p("id"),
            ProblemKind::BadCode {
                what: Thing::Profile,
                code: pr.id.clone(),
            },
        );
    }
    for (f, v) in [
        ("title", &pr.source.title),
        ("number", &pr.source.number),
        ("issuer", &pr.source.issuer),
    ] {
        // The number may be empty when the text carries no header (seed 001).
        if f != "number" && v.trim().is_empty() {
            push(p("source").key(f), empty(&format!("source.{f}")));
        }
    }
    if !date_ok(&pr.source.date) {
        push(
            p("source").key("date"),
            ProblemKind::BadDate {
                value: pr.source.date.clone(),
            },
        );
    }
    for (f, v) in [
        ("name", &pr.agency.name),
        ("site_name", &pr.agency.site_name),
        ("board_name", &pr.agency.board_name),
        ("head_title", &pr.agency.head_title),
    ] {
        if v.trim().is_empty() {
            push(p("agency").key(f), empty(&format!("agency.{f}")));
        }
    }

    // roles
    let mut seen = HashSet::new();
    for (i, r) in pr.roles.iter().enumerate() {
        if !slug_ok(&r.code) {
            push(
                pik("roles", i, "code"),
                ProblemKind::BadCode {
                    what: Thing::Role,
                    code: r.code.clone(),
                },
            );
        } else if !seen.insert(r.code.as_str()) {
            push(
                pik("roles", i, "code"),
                ProblemKind::Duplicate {
                    what: Thing::Role,
                    code: r.code.clone(),
                },
            );
        }
        for (f, v) in [("title_vi", &r.title_vi), ("title_en", &r.title_en)] {
            if v.trim().is_empty() {
                push(pik("roles", i, f), empty(f));
            }
        }
    }
    let admin_intake = pr
        .roles
        .iter()
        .any(|r| r.has(Capability::Admin) && r.has(Capability::Intake));
    if !admin_intake {
        push(p("roles"), ProblemKind::NoAdminIntakeRole);
    }
    if pr.roles_with(Capability::Opinion).next().is_none() {
        push(p("roles"), ProblemKind::NoOpinionRole);
    }
    if pr.roles_with(Capability::Decide).next().is_none() {
        push(p("roles"), ProblemKind::NoDecideRole);
    }

    // deadlines
    let mut seen = HashSet::new();
    for (i, d) in pr.deadlines.iter().enumerate() {
        if !slug_ok(&d.code) {
            push(
                pik("deadlines", i, "code"),
                ProblemKind::BadCode {
                    what: Thing::Deadline,
                    code: d.code.clone(),
                },
            );
        } else if !seen.insert(d.code.as_str()) {
            push(
                pik("deadlines", i, "code"),
                ProblemKind::Duplicate {
                    what: Thing::Deadline,
                    code: d.code.clone(),
                },
            );
        }
        for (f, v) in [
            ("label_vi", &d.label_vi),
            ("label_en", &d.label_en),
            ("article", &d.article),
        ] {
            if v.trim().is_empty() {
                push(pik("deadlines", i, f), empty(f));
            }
        }
        use crate::domain::profile::PeriodUnit;
        if d.amount == 0 && d.unit != PeriodUnit::Immediate {
            push(
                pik("deadlines", i, "amount"),
                ProblemKind::ZeroAmount {
                    deadline: d.code.clone(),
                },
            );
        }
        if let Some(x) = d.extended_amount {
            if x <= d.amount {
                push(
                    pik("deadlines", i, "extended_amount"),
                    ProblemKind::ExtendedNotLonger {
                        deadline: d.code.clone(),
                    },
                );
            }
        }
    }

    // categories
    let mut seen = HashSet::new();
    let any_escalation = pr.escalation.is_some();
    for (i, c) in pr.categories.iter().enumerate() {
        if !slug_ok(&c.code) {
            push(
                pik("categories", i, "code"),
                ProblemKind::BadCode {
                    what: Thing::Category,
                    code: c.code.clone(),
                },
            );
        } else if !seen.insert(c.code.as_str()) {
            push(
                pik("categories", i, "code"),
                ProblemKind::Duplicate {
                    what: Thing::Category,
                    code: c.code.clone(),
                },
            );
        }
        for (f, v) in [
            ("name_vi", &c.name_vi),
            ("name_en", &c.name_en),
            ("article", &c.article),
        ] {
            if v.trim().is_empty() {
                push(pik("categories", i, f), empty(f));
            }
        }
        if let Some(d) = &c.deadline {
            if pr.deadline(d).is_none() {
                push(
                    pik("categories", i, "deadline"),
                    ProblemKind::UnknownDeadline {
                        category: c.code.clone(),
                        deadline: d.clone(),
                    },
                );
            }
        }
        if c.needs_unit_approval && pr.intake.unit_approval_article.trim().is_empty() {
            push(
                pik("categories", i, "needs_unit_approval"),
                ProblemKind::CategoryNeedsArticle {
                    category: c.code.clone(),
                    field: "unit_approval_article".into(),
                },
            );
        }
        if c.needs_stamped && pr.intake.stamped_article.trim().is_empty() {
            push(
                pik("categories", i, "needs_stamped"),
                ProblemKind::CategoryNeedsArticle {
                    category: c.code.clone(),
                    field: "stamped_article".into(),
                },
            );
        }
        if c.signature_ok && !c.needs_stamped {
            push(
                pik("categories", i, "signature_ok"),
                ProblemKind::SignatureWithoutStamped {
                    category: c.code.clone(),
                },
            );
        }
        if c.sensitive && !any_escalation {
            push(
                pik("categories", i, "sensitive"),
                ProblemKind::SensitiveWithoutEscalation {
                    category: c.code.clone(),
                },
            );
        }
    }

    // steps
    if pr.steps.is_empty() {
        push(p("steps"), ProblemKind::NoSteps);
    }
    let mut seen = HashSet::new();
    let last = pr.steps.len().saturating_sub(1);
    for (i, s) in pr.steps.iter().enumerate() {
        if !slug_ok(&s.code) {
            push(
                pik("steps", i, "code"),
                ProblemKind::BadCode {
                    what: Thing::Step,
                    code: s.code.clone(),
                },
            );
        } else if !seen.insert(s.code.as_str()) {
            push(
                pik("steps", i, "code"),
                ProblemKind::Duplicate {
                    what: Thing::Step,
                    code: s.code.clone(),
                },
            );
        }
        for (f, v) in [
            ("name_vi", &s.name_vi),
            ("name_en", &s.name_en),
            ("article", &s.article),
        ] {
            if v.trim().is_empty() {
                push(pik("steps", i, f), empty(f));
            }
        }
        if s.roles.is_empty() {
            push(
                pik("steps", i, "roles"),
                ProblemKind::StepWithoutRoles {
                    step: s.code.clone(),
                },
            );
        }
        for (j, r) in s.roles.iter().enumerate() {
            if pr.role(r).is_none() {
                push(
                    pik("steps", i, "roles").idx(j),
                    ProblemKind::UnknownStepRole {
                        step: s.code.clone(),
                        role: r.clone(),
                    },
                );
            }
        }
        if s.kind == StepKind::Approve && i != last {
            push(
                pik("steps", i, "kind"),
                ProblemKind::ApproveNotLast {
                    step: s.code.clone(),
                },
            );
        }
    }
    if !pr.steps.is_empty() && !pr.steps.iter().any(|s| s.kind == StepKind::Approve) {
        push(pik("steps", last, "kind"), ProblemKind::NoApproveStep);
    }

    // escalation
    if let Some(e) = &pr.escalation {
        match pr.role(&e.role) {
            None => push(
                p("escalation").key("role"),
                ProblemKind::EscalationUnknownRole {
                    role: e.role.clone(),
                },
            ),
            Some(r) if !r.has(Capability::Opinion) => push(
                p("escalation").key("role"),
                ProblemKind::EscalationRoleWithoutOpinion {
                    role: e.role.clone(),
                },
            ),
            Some(_) => {}
        }
        if pr.step(&e.before_step).is_none() {
            push(
                p("escalation").key("before_step"),
                ProblemKind::EscalationUnknownStep {
                    step: e.before_step.clone(),
                },
            );
        }
        if e.article.trim().is_empty() {
            push(p("escalation").key("article"), empty("article"));
        }
        if pr.roles_with(Capability::Escalate).next().is_none() {
            push(p("escalation"), ProblemKind::NoEscalatingRole);
        }
    }

    // reasons
    let mut seen = HashSet::new();
    for (i, r) in pr.reasons.iter().enumerate() {
        if !reason_code_ok(&r.code) {
            push(
                pik("reasons", i, "code"),
                ProblemKind::BadCode {
                    what: Thing::Reason,
                    code: r.code.clone(),
                },
            );
        } else if !seen.insert(r.code.as_str()) {
            push(
                pik("reasons", i, "code"),
                ProblemKind::Duplicate {
                    what: Thing::Reason,
                    code: r.code.clone(),
                },
            );
        }
        for (f, v) in [
            ("label_vi", &r.label_vi),
            ("label_en", &r.label_en),
            ("citation", &r.citation),
        ] {
            if v.trim().is_empty() {
                push(pik("reasons", i, f), empty(f));
            }
        }
        if let Some(check) = &r.check {
            match intake_article_for(pr, check) {
                None => push(
                    pik("reasons", i, "check"),
                    ProblemKind::UnknownCheck {
                        reason: r.code.clone(),
                        check: check.clone(),
                    },
                ),
                Some((field, art)) if art.trim().is_empty() => push(
                    pik("reasons", i, "check"),
                    ProblemKind::CheckWithoutArticle {
                        reason: r.code.clone(),
                        check: check.clone(),
                        field: field.into(),
                    },
                ),
                Some(_) => {}
            }
        }
    }
    if !pr.reasons.iter().any(|r| r.kind == ReasonKind::Reject) {
        push(p("reasons"), ProblemKind::NoRejectReason);
    }

    // intake
    let it = &pr.intake;
    if it.identity_fields.is_empty() {
        push(
            p("intake").key("identity_fields"),
            ProblemKind::NoIdentityFields,
        );
    }
    for f in ["identity_article", "types_article", "unicode_article"] {
        let v = match f {
            "identity_article" => &it.identity_article,
            "types_article" => &it.types_article,
            _ => &it.unicode_article,
        };
        if v.trim().is_empty() {
            push(p("intake").key(f), empty(&format!("intake.{f}")));
        }
    }
    if it.allowed_types.is_empty() {
        push(p("intake").key("allowed_types"), ProblemKind::NoFileTypes);
    }
    let mut seen = HashSet::new();
    for (j, t) in it.allowed_types.iter().enumerate() {
        let path = p("intake").key("allowed_types").idx(j);
        if !file_type_ok(t) {
            push(path, ProblemKind::BadFileType { value: t.clone() });
        } else if !seen.insert(t.as_str()) {
            push(path, ProblemKind::DuplicateFileType { value: t.clone() });
        }
    }
    if it.max_attachment_bytes == 0 {
        push(
            p("intake").key("max_attachment_bytes"),
            ProblemKind::ZeroAttachmentSize,
        );
    }

    // quotas
    for (i, q) in pr.quotas.iter().enumerate() {
        if matches!(q.max, Some(m) if m < q.min) {
            push(pik("quotas", i, "max"), ProblemKind::QuotaMinAboveMax);
        }
        if q.article.trim().is_empty() {
            push(pik("quotas", i, "article"), empty("article"));
        }
    }

    // admin hours
    for (i, s) in pr.admin_hours.iter().enumerate() {
        for (f, v) in [("from", &s.from), ("to", &s.to)] {
            if !season_day_ok(v) {
                push(
                    pik("admin_hours", i, f),
                    ProblemKind::BadSeasonDay { value: v.clone() },
                );
            }
        }
        for (j, per) in s.periods.iter().enumerate() {
            if !period_ok(per) {
                push(
                    pik("admin_hours", i, "periods").idx(j),
                    ProblemKind::BadPeriod { value: per.clone() },
                );
            }
        }
    }
    out
}

/// The `[intake]` field that holds the article for a check code, and its value.
pub fn intake_article_for<'a>(pr: &'a Profile, check: &str) -> Option<(&'static str, &'a str)> {
    let it = &pr.intake;
    Some(match check {
        "identity" => ("identity_article", it.identity_article.as_str()),
        "unit-approval" => ("unit_approval_article", it.unit_approval_article.as_str()),
        "stamped" => ("stamped_article", it.stamped_article.as_str()),
        "file-types" => ("types_article", it.types_article.as_str()),
        "unicode" => ("unicode_article", it.unicode_article.as_str()),
        "attribution" => ("attribution_article", it.attribution_article.as_str()),
        "duplicate" => ("duplicate_article", it.duplicate_article.as_str()),
        "source" => ("source_check_article", it.source_check_article.as_str()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2023-02-02", "2020-10", "2021", "", "2024-02-29"] {
            assert!(date_ok(ok), "{ok}");
        }
        for bad in [
            "2023-2-2",
            "02/02/2023",
            "2023-13",
            "2023-02-30",
            "2023-02-02T00",
            "20231",
        ] {
            assert!(!date_ok(bad), "{bad}");
        }
    }

    #[test]
    fn seasons_and_periods() {
        assert!(season_day_ok("04-15") && season_day_ok("02-29"));
        assert!(!season_day_ok("4-15") && !season_day_ok("13-01") && !season_day_ok("04-31"));
        assert!(period_ok("07:30-11:30") && period_ok("13:00-17:00"));
        assert!(
            !period_ok("7:30-11:30")
                && !period_ok("11:30-07:30")
                && !period_ok("07:30")
                && !period_ok("24:00-24:30")
        );
    }

    #[test]
    fn codes() {
        assert!(slug_ok("to-truong") && slug_ok("10.2.a"));
        assert!(!slug_ok("Tổ-trưởng") && !slug_ok("to truong") && !slug_ok(""));
        assert!(reason_code_ok("12.3.đ") && !reason_code_ok("12.3.Đ") && !reason_code_ok("a b"));
    }
}
