//! Reports to the agency's leadership (002 Điều 18.5; 004 Điều 4.6): monthly, quarterly and
//! yearly figures, and the quarterly royalty sheet (002 Điều 8; 004 Điều 7.3, 13).
//!
//! `build` reads the store (read-only SQL over indexed ranges) and the working calendar and
//! returns a [`PeriodReport`]; `render_*` turn it into text, JSON, CSV, XLSX or printable HTML.
//! Definitions of every figure are in `docs/reports.md`.

pub mod chart;
mod csv;
mod html;
mod period;
mod query;
mod royalty;
mod text;
mod write;
mod xlsx;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::calendar::CalendarError;
use crate::domain::profile::{ItemKind, QuotaPer};
use crate::i18n::Lang;
use crate::store::StoreError;

pub use period::{Period, PeriodKind};
pub use query::build;
pub use royalty::{royalties, RoyaltyRow, RoyaltySheet};
pub use write::write_atomic;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    Xlsx,
    Html,
}

/// Who produced a report, and when.
#[derive(Debug, Clone, Serialize)]
pub struct Produced {
    pub by_login: String,
    /// Full name from the board's users, else the login.
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// What every report states first.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub profile_id: String,
    pub agency: String,
    /// Governing body above the agency (document header).
    pub parent: String,
    pub board: String,
    pub site_name: String,
    pub place: String,
    pub period: Period,
    /// "tháng 10/2026" / "October 2026".
    pub period_label: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub calendar_days: u32,
    pub working_days: u32,
    pub produced: Produced,
    /// Local time (UTC+7) of production, "22/11/2026 19:05".
    pub produced_local: String,
}

/// Items received, published, refused, returned, withdrawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Items whose `received_at` falls in the period.
    pub received: u64,
    /// Items whose `published_at` falls in the period.
    pub published: u64,
    /// Refusals decided in the period (audit transitions to `rejected`).
    pub refused: u64,
    /// Returns for revision in the period (each return counts).
    pub returned: u64,
    /// Withdrawals from the site in the period.
    pub withdrawn: u64,
}

impl Counts {
    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }

    /// The column headings of [`Counts::values`], in every report format.
    pub fn headings(lang: Lang) -> [&'static str; 5] {
        [
            lang.pick("Nhận", "Received"),
            lang.pick("Đăng", "Published"),
            lang.pick("Từ chối", "Refused"),
            lang.pick("Trả lại", "Returned"),
            lang.pick("Gỡ", "Withdrawn"),
        ]
    }

    /// Received, published, refused, returned, withdrawn: the columns of [`Counts::headings`].
    pub fn values(&self) -> [u64; 5] {
        [
            self.received,
            self.published,
            self.refused,
            self.returned,
            self.withdrawn,
        ]
    }

    /// [`Counts::values`] as text cells.
    pub fn cells(&self) -> Vec<String> {
        self.values().iter().map(u64::to_string).collect()
    }
}

/// Counts for one category (channel) or one supplying unit.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub code: String,
    pub name: String,
    pub counts: Counts,
}

/// Below, within, or above a quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuotaStatus {
    Below,
    Met,
    Above,
}

impl QuotaStatus {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            QuotaStatus::Below => lang.pick("THIẾU", "BELOW"),
            QuotaStatus::Met => lang.pick("đạt", "met"),
            QuotaStatus::Above => lang.pick("vượt", "above"),
        }
    }
    fn of(n: u64, min: u64, max: Option<u64>) -> QuotaStatus {
        if n < min {
            QuotaStatus::Below
        } else if max.is_some_and(|m| n > m) {
            QuotaStatus::Above
        } else {
            QuotaStatus::Met
        }
    }
}

/// A profile quota, scaled to the report's period.
#[derive(Debug, Clone, Serialize)]
pub struct QuotaInfo {
    pub per: QuotaPer,
    pub min: u32,
    pub max: Option<u32>,
    pub article: String,
    /// Minimum over the whole period (monthly minimum × months; per working day × working days).
    pub period_min: u64,
    pub period_max: Option<u64>,
}

/// A supplying unit against its quota.
#[derive(Debug, Clone, Serialize)]
pub struct UnitQuotaRow {
    pub unit: String,
    /// Items the unit supplied (received in the period).
    pub supplied: u64,
    /// Of all the unit's items, those published in the period.
    pub published: u64,
    pub status: QuotaStatus,
}

/// A board member against the member quota (004 Điều 6.1).
#[derive(Debug, Clone, Serialize)]
pub struct MemberQuotaRow {
    pub login: String,
    pub name: String,
    pub role: String,
    /// Items published in the period that the member edited (`item_people` kind `edit`).
    pub edited: u64,
    /// Items published in the period whose author (`src_author`) is the member's name.
    pub authored: u64,
    /// Distinct items in either list: what counts for the quota.
    pub total: u64,
    pub status: QuotaStatus,
}

/// How lateness is measured for a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LateMeasure {
    /// Working days after the due day (for rules counted in days).
    WorkingDays,
    /// Office hours after the due time (for rules counted in administrative hours).
    OfficeHours,
}

impl LateMeasure {
    pub fn unit(self, lang: Lang) -> &'static str {
        match self {
            LateMeasure::WorkingDays => lang.pick("ngày làm việc", "working days"),
            LateMeasure::OfficeHours => lang.pick("giờ hành chính", "office hours"),
        }
    }
}

/// Deadline compliance of one rule over the items published in the period.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineRow {
    pub rule: String,
    pub label: String,
    pub article: String,
    pub measure: LateMeasure,
    /// Published items the rule applies to that have a due time.
    pub published: u64,
    pub on_time: u64,
    pub late: u64,
    /// Median lateness of the late items (working days or office hours).
    pub median_late: Option<f64>,
    pub worst_late: Option<f64>,
    /// The item that was latest.
    pub worst_item: Option<i64>,
}

/// Publications on one day of the period.
#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    pub date: NaiveDate,
    pub working: bool,
    pub published: u64,
}

/// One reason code and how often it was given in the period.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonRow {
    pub code: String,
    /// `reject`, `return`, or `unknown` (a code no longer in the profile).
    pub kind: String,
    pub label: String,
    pub citation: String,
    /// Refusals citing it.
    pub refused: u64,
    /// Returns citing it.
    pub returned: u64,
    /// Withdrawals citing it.
    pub withdrawn: u64,
}

/// Time items stayed in one state (stays that ended in the period), in hours.
#[derive(Debug, Clone, Serialize)]
pub struct StateTimeRow {
    pub state: String,
    pub label: String,
    pub stays: u64,
    pub median_hours: f64,
    pub p90_hours: f64,
}

/// A contributor and their published items (yearly rewards, 000/001 Điều 13).
#[derive(Debug, Clone, Serialize)]
pub struct Contributor {
    pub name: String,
    pub unit: String,
    pub published: u64,
    pub items: Vec<ContributedItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContributedItem {
    pub id: i64,
    pub title: String,
    pub published_at: String,
}

/// Everything a monthly, quarterly or yearly report holds.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodReport {
    pub header: Header,
    /// No item was received, published, refused, returned or withdrawn in the period.
    pub empty: bool,
    pub totals: Counts,
    pub by_category: Vec<GroupRow>,
    pub by_unit: Vec<GroupRow>,
    pub unit_quota: Option<QuotaInfo>,
    /// Units below the minimum first (fewest first), then the others by name.
    pub units: Vec<UnitQuotaRow>,
    pub member_quota: Option<QuotaInfo>,
    pub members: Vec<MemberQuotaRow>,
    pub deadlines: Vec<DeadlineRow>,
    /// The site's quota of publications per working day, if the profile has one.
    pub site_quota: Option<QuotaInfo>,
    pub days: Vec<DayRow>,
    /// Working days up to the production date with fewer publications than the site quota
    /// (without a site quota: with no publication).
    pub days_short: Vec<NaiveDate>,
    pub reasons: Vec<ReasonRow>,
    pub state_times: Vec<StateTimeRow>,
    pub contributors: Vec<Contributor>,
}

/// The console's reports screen draws this.
pub type MonthlyReport = PeriodReport;

/// Errors of reports, each with a message in both languages.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("bad period {input}")]
    BadPeriod {
        input: String,
        expected: &'static str,
    },
    #[error("calendar: {0}")]
    Calendar(CalendarError),
    #[error("calendar not loaded: {0}")]
    CalendarLoad(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("cannot write {path}: {err}")]
    Write { path: String, err: std::io::Error },
    #[error("xlsx: {0}")]
    Xlsx(String),
}

impl From<rusqlite::Error> for ReportError {
    fn from(e: rusqlite::Error) -> Self {
        ReportError::Store(StoreError::from(e))
    }
}

impl ReportError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ReportError::BadPeriod { input, expected } => crate::tr!(
                lang,
                "kỳ báo cáo \"{input}\" không hợp lệ; cần dạng {expected}",
                "bad report period \"{input}\"; expected {expected}"
            ),
            ReportError::Calendar(CalendarError::YearMissing { year, file }) => crate::tr!(
                lang,
                "không lập được báo cáo: chưa có lịch làm việc năm {year} (cần tệp {file})",
                "cannot produce the report: no working calendar for {year} (needs the file {file})"
            ),
            ReportError::Calendar(e) => e.message(lang),
            ReportError::CalendarLoad(m) => crate::tr!(
                lang,
                "không đọc được lịch làm việc: {m}",
                "the working calendar could not be loaded: {m}"
            ),
            ReportError::Store(e) => e.message(lang, None),
            ReportError::Write { path, err } => crate::tr!(
                lang,
                "không ghi được {path}: {err}; không có tệp nào bị ghi dở",
                "cannot write {path}: {err}; nothing was written"
            ),
            ReportError::Xlsx(m) => crate::tr!(
                lang,
                "lỗi tạo tệp XLSX: {m}",
                "error building the XLSX file: {m}"
            ),
        }
    }
}

/// Render a period report in a format (XLSX is binary; the others are UTF-8 text).
pub fn render(r: &PeriodReport, format: Format, lang: Lang) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        Format::Text => text::period(r, lang).into_bytes(),
        Format::Json => serde_json::to_vec_pretty(r)
            .map_err(|e| ReportError::Xlsx(e.to_string()))?
            .into_iter()
            .chain(std::iter::once(b'\n'))
            .collect(),
        Format::Csv => csv::period(r, lang).into_bytes(),
        Format::Xlsx => xlsx::period(r, lang)?,
        Format::Html => html::period(r, lang).into_bytes(),
    })
}

/// Render the royalty sheet in a format.
pub fn render_royalties(
    s: &RoyaltySheet,
    format: Format,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        Format::Text => text::royalties(s, lang).into_bytes(),
        Format::Json => serde_json::to_vec_pretty(s)
            .map_err(|e| ReportError::Xlsx(e.to_string()))?
            .into_iter()
            .chain(std::iter::once(b'\n'))
            .collect(),
        Format::Csv => csv::royalties(s, lang).into_bytes(),
        Format::Xlsx => xlsx::royalties(s, lang)?,
        Format::Html => html::royalties(s, lang).into_bytes(),
    })
}

/// Vietnamese / English name of a kind of item.
pub fn kind_label(k: ItemKind, lang: Lang) -> &'static str {
    match k {
        ItemKind::News => lang.pick("tin", "news"),
        ItemKind::Article => lang.pick("bài viết", "article"),
        ItemKind::Photo => lang.pick("ảnh", "photo"),
        ItemKind::Document => lang.pick("văn bản", "document"),
        ItemKind::Other => lang.pick("khác", "other"),
    }
}

/// Nearest-rank percentile (p in 0..=100) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&v, 50.0), Some(5.0));
        assert_eq!(percentile(&v, 90.0), Some(9.0));
        assert_eq!(percentile(&[7.0], 90.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 50.0), Some(2.0));
    }

    #[test]
    fn quota_status() {
        assert_eq!(QuotaStatus::of(0, 1, Some(2)), QuotaStatus::Below);
        assert_eq!(QuotaStatus::of(2, 1, Some(2)), QuotaStatus::Met);
        assert_eq!(QuotaStatus::of(3, 1, Some(2)), QuotaStatus::Above);
        assert_eq!(QuotaStatus::of(9, 1, None), QuotaStatus::Met);
    }
}
