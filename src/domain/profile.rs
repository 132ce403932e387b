//! A regulation profile as domain data: who the board is, which steps an item passes, on which
//! grounds it may be refused or returned, which deadlines apply. Loaded from TOML by
//! `crate::profile`; nothing here does I/O.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// The whole profile of one regulation (*Quy chế*).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Stable id, e.g. `thads-hai-duong`.
    pub id: String,
    pub source: SourceDoc,
    pub agency: Agency,
    /// Board roles, in order of seniority (the first role with `admin` is the one `init` gives).
    pub roles: Vec<RoleDef>,
    pub categories: Vec<Category>,
    #[serde(default)]
    pub deadlines: Vec<DeadlineRule>,
    /// Approval steps in order. The last one is the final approval (four-eyes applies).
    pub steps: Vec<Step>,
    pub reasons: Vec<ReasonCode>,
    #[serde(default)]
    pub escalation: Option<Escalation>,
    pub intake: IntakeRules,
    #[serde(default)]
    pub quotas: Vec<Quota>,
    /// Administrative working hours, by season. Empty: 07:30–11:30, 13:30–17:00 all year.
    #[serde(default)]
    pub admin_hours: Vec<AdminHoursSeason>,
    /// Royalty rates per kind of item (optional; none by default).
    #[serde(default)]
    pub royalties: Vec<RoyaltyRate>,
}

/// The regulation text a profile encodes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    /// Title of the regulation, e.g. "Quy chế hoạt động của Trang thông tin điện tử …".
    pub title: String,
    /// Number of the decision that issued it, e.g. "123/QĐ-CTHADS".
    pub number: String,
    /// Date of issue, ISO `YYYY-MM-DD`.
    pub date: String,
    /// Who issued it.
    pub issuer: String,
    /// The seed file it was digested from (informative).
    #[serde(default)]
    pub seed: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    /// e.g. "Cục Thi hành án dân sự tỉnh Hải Dương".
    pub name: String,
    /// The governing body above the agency, used in document headers, e.g. "Tổng cục THADS".
    #[serde(default)]
    pub parent: String,
    /// e.g. "Trang thông tin điện tử Cục THADS tỉnh Hải Dương".
    pub site_name: String,
    #[serde(default)]
    pub site_url: String,
    /// e.g. "Tổ biên tập" or "Ban Biên tập".
    pub board_name: String,
    /// Title of the agency head, e.g. "Cục trưởng".
    pub head_title: String,
    /// Place name for dated documents, e.g. "Hải Dương".
    #[serde(default)]
    pub place: String,
}

/// What a role may do outside the approval steps.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Take items in, classify, route/assign, return for revision (the secretary's work).
    Intake,
    /// Edit items' content.
    Edit,
    /// Refuse items with a reason code (the board's decision makers).
    Decide,
    /// Escalate sensitive items to the agency head.
    Escalate,
    /// Give the opinion that sensitive items need (the agency head).
    Opinion,
    /// Publish approved items and withdraw published ones.
    Publish,
    /// Manage the board's users and delegations.
    Admin,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    /// Stable code, e.g. `to-truong`, `thu-ky`, `thanh-vien`.
    pub code: String,
    pub title_vi: String,
    pub title_en: String,
    #[serde(default)]
    pub can: Vec<Capability>,
    /// Article that gives the role its duties.
    #[serde(default)]
    pub article: String,
}

impl RoleDef {
    pub fn title(&self, lang: Lang) -> &str {
        lang.pick(&self.title_vi, &self.title_en)
    }
    pub fn has(&self, cap: Capability) -> bool {
        self.can.contains(&cap)
    }
}

/// A category (section, channel) of the site.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable slug, e.g. `tin-tuc`; also the Hugo section name on export.
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// Article that defines the category, e.g. "Điều 7 khoản 3".
    pub article: String,
    /// Code of the deadline rule that applies, if any.
    #[serde(default)]
    pub deadline: Option<String>,
    /// Articles by staff need their unit head's approval before sending.
    #[serde(default)]
    pub needs_unit_approval: bool,
    /// Needs a scanned red-stamped copy (or a digital signature where `signature_ok`).
    #[serde(default)]
    pub needs_stamped: bool,
    /// A digital signature is accepted instead of the stamped paper.
    #[serde(default)]
    pub signature_ok: bool,
    /// Items of this category are sensitive by default (escalation applies).
    #[serde(default)]
    pub sensitive: bool,
    /// Kind for royalties and reports: news, article, photo, document, other.
    #[serde(default)]
    pub kind: ItemKind,
    /// Logins or role codes the text names as responsible (e.g. 004's channels).
    #[serde(default)]
    pub responsible: Vec<String>,
}

impl Category {
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_vi, &self.name_en)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    #[default]
    News,
    Article,
    Photo,
    Document,
    Other,
}

/// What a deadline is counted from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    /// The event the news reports.
    Event,
    /// Issuance (signing) of a document.
    Issuance,
    /// Receipt of the item by the board.
    Receipt,
    /// Approval of a plan/project, or a decision to release statistics.
    Approval,
    /// A review/thematic conference.
    Conference,
    /// End of a programme or of a reporting period.
    PeriodEnd,
}

/// The unit in which a deadline period is counted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodUnit {
    /// Calendar days (Civil Code art. 148: if the last day is a rest day, the next working day).
    CalendarDays,
    /// Working days of the calendar.
    WorkingDays,
    /// Administrative (office) hours of the profile's `admin_hours`.
    AdminHours,
    /// Within the first `amount` days of the month after the anchor.
    FirstDaysNextMonth,
    /// Within the first `amount` days of the quarter after the anchor.
    FirstDaysNextQuarter,
    /// Immediately: due at the end of the anchor's working day.
    Immediate,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    pub anchor: Anchor,
    pub unit: PeriodUnit,
    #[serde(default)]
    pub amount: u32,
    /// Extended amount allowed in a named case (e.g. 30 working days when a ministry is consulted).
    #[serde(default)]
    pub extended_amount: Option<u32>,
    #[serde(default)]
    pub extended_when_vi: String,
    pub article: String,
}

/// What taking a step does to the item.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// Compiling/editing is complete; the item stays in `editing` but moves to the next step.
    Edit,
    /// Checked/verified: the item becomes `verified`.
    Verify,
    /// Final approval: the item becomes `approved`. Must be the last step.
    Approve,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable code, e.g. `kiem-tra`, `duyet`.
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub kind: StepKind,
    /// Role codes that may take the step.
    pub roles: Vec<String>,
    /// Whether a role holder may authorise another member to take it ("hoặc thành viên được ủy quyền").
    #[serde(default)]
    pub delegable: bool,
    pub article: String,
}

impl Step {
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_vi, &self.name_en)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// Refuse: the item is not published (`rejected`).
    Reject,
    /// Return for revision: the submitter fixes and resends (`returned`).
    Return,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReasonCode {
    /// Stable code, e.g. `10.2.d`.
    pub code: String,
    pub kind: ReasonKind,
    pub label_vi: String,
    pub label_en: String,
    /// Exact citation, e.g. "Điều 10 khoản 2 điểm d".
    pub citation: String,
    /// The check that fails when this reason applies (for pre-selection on return), if any.
    #[serde(default)]
    pub check: Option<String>,
}

impl ReasonCode {
    pub fn label(&self, lang: Lang) -> &str {
        lang.pick(&self.label_vi, &self.label_en)
    }
}

/// Sensitive items need the agency head's opinion before a given step.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Role code of the agency head (must have `opinion`).
    pub role: String,
    /// Code of the step that may not be taken on a sensitive item before the opinion.
    pub before_step: String,
    pub article: String,
}

/// Identity fields a submitter must give.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityField {
    Name,
    Title,
    Organisation,
    Email,
    /// Phone or postal address (either suffices).
    PhoneOrAddress,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IntakeRules {
    pub identity_fields: Vec<IdentityField>,
    pub identity_article: String,
    /// Allowed attachment extensions, lower case without dot.
    pub allowed_types: Vec<String>,
    pub types_article: String,
    /// Article requiring Vietnamese Unicode (TCVN 6909:2001).
    pub unicode_article: String,
    /// Article for unit-head approval.
    #[serde(default)]
    pub unit_approval_article: String,
    /// Article for stamped scans / digital signatures.
    #[serde(default)]
    pub stamped_article: String,
    /// Article requiring attribution of quoted material.
    #[serde(default)]
    pub attribution_article: String,
    /// Article requiring the board to check the source.
    #[serde(default)]
    pub source_check_article: String,
    /// Article on duplicates (refusal ground), if the text has one.
    #[serde(default)]
    pub duplicate_article: String,
    /// Published intake address (informative).
    #[serde(default)]
    pub email: String,
    /// Largest attachment accepted, in bytes.
    #[serde(default = "default_max_attachment")]
    pub max_attachment_bytes: u64,
}

fn default_max_attachment() -> u64 {
    25 * 1024 * 1024
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum QuotaSubject {
    /// Each supplying unit.
    Unit,
    /// Each board member.
    Member,
    /// The site as a whole (e.g. at least one post per working day).
    Site,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum QuotaPer {
    WorkingDay,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub subject: QuotaSubject,
    pub per: QuotaPer,
    pub min: u32,
    #[serde(default)]
    pub max: Option<u32>,
    pub article: String,
}

/// Office hours for part of the year. `from`/`to` are `MM-DD` (inclusive); `periods` are
/// `HH:MM-HH:MM` ranges in local time (Asia/Ho_Chi_Minh).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminHoursSeason {
    pub from: String,
    pub to: String,
    pub periods: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoyaltyRate {
    pub kind: ItemKind,
    /// Amount in VND per item.
    pub vnd: u64,
}

impl Profile {
    pub fn role(&self, code: &str) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.code == code)
    }
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }
    pub fn step(&self, code: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.code == code)
    }
    pub fn step_index(&self, code: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.code == code)
    }
    pub fn reason(&self, code: &str) -> Option<&ReasonCode> {
        self.reasons.iter().find(|r| r.code == code)
    }
    pub fn deadline(&self, code: &str) -> Option<&DeadlineRule> {
        self.deadlines.iter().find(|d| d.code == code)
    }
    /// Roles holding a capability.
    pub fn roles_with(&self, cap: Capability) -> impl Iterator<Item = &RoleDef> {
        self.roles.iter().filter(move |r| r.has(cap))
    }
    /// The role `init` gives its caller: the first with `admin`.
    pub fn admin_role(&self) -> Option<&RoleDef> {
        self.roles_with(Capability::Admin).next()
    }
}
