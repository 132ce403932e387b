//! Deadline arithmetic (see issue: deadlines).
//!
//! Counting follows the Civil Code 2015, Art. 147–148:
//! - the anchor day (the day of the event, issue, receipt…) is not counted (Art. 147 cl. 2);
//! - a period in days ends at the end of its last day (Art. 148 cl. 1); **bientap takes the end of a day to be the
//!   close of office hours** (e.g. 17:00), for every unit counted in days. Art. 148 cl. 6 puts the
//!   legal end at 24:00; the close of office hours is earlier, so a board that keeps to it is never
//!   late in law, and it is the time the board can actually act;
//! - a period in calendar days whose last day is a rest day or holiday ends at the end of the next
//!   working day (Art. 148 cl. 5);
//! - a period in administrative hours counts only the office periods of working days, starting at
//!   the anchor, or at the next office period when the anchor is outside office hours.
//!
//! Times are stored in UTC and shown in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).

use chrono::{
    DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc,
    Weekday,
};
use serde::Serialize;

use crate::domain::calendar::{Calendar, CalendarError};
use crate::domain::profile::{AdminHoursSeason, Anchor, DeadlineRule, PeriodUnit};
use crate::i18n::Lang;

/// Asia/Ho_Chi_Minh: UTC+7 all year.
pub const VN_OFFSET: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(o) => o,
    None => panic!("UTC+7 is a valid offset"),
};

const fn hm(h: u32, m: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, m, 0) {
        Some(t) => t,
        None => panic!("valid constant time"),
    }
}

/// An instant in Vietnamese local time.
pub fn to_local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&VN_OFFSET).naive_local()
}

/// A Vietnamese local time as UTC.
pub fn from_local(local: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(local - TimeDelta::seconds(7 * 3600), Utc)
}

/// "17:00 thứ Năm 04/09/2025" / "17:00 Thu 04/09/2025" (local time).
pub fn format_local(at: DateTime<Utc>, lang: Lang) -> String {
    let l = to_local(at);
    format!(
        "{} {} {}",
        l.format("%H:%M"),
        weekday_name(l.weekday(), lang),
        l.format("%d/%m/%Y")
    )
}

pub fn weekday_name(w: Weekday, lang: Lang) -> &'static str {
    match w {
        Weekday::Mon => lang.pick("thứ Hai", "Mon"),
        Weekday::Tue => lang.pick("thứ Ba", "Tue"),
        Weekday::Wed => lang.pick("thứ Tư", "Wed"),
        Weekday::Thu => lang.pick("thứ Năm", "Thu"),
        Weekday::Fri => lang.pick("thứ Sáu", "Fri"),
        Weekday::Sat => lang.pick("thứ Bảy", "Sat"),
        Weekday::Sun => lang.pick("Chủ nhật", "Sun"),
    }
}

/// Errors of deadline arithmetic and office-hour parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// An `admin_hours` entry of the profile cannot be read.
    #[error("giờ hành chính không hợp lệ «{text}»: {reason_vi} / invalid office hours “{text}”: {reason_en}")]
    BadHours {
        text: String,
        reason_vi: String,
        reason_en: String,
    },
    /// A rule whose amount makes no sense for its unit.
    #[error("quy tắc thời hạn {code} không hợp lệ: {reason_vi} / invalid deadline rule {code}: {reason_en}")]
    InvalidRule {
        code: String,
        reason_vi: String,
        reason_en: String,
    },
}

impl DeadlineError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            DeadlineError::Calendar(e) => e.message(lang),
            DeadlineError::BadHours {
                text,
                reason_vi,
                reason_en,
            } => crate::tr!(
                lang,
                "giờ hành chính không hợp lệ «{text}»: {reason_vi}",
                "invalid office hours “{text}”: {reason_en}"
            ),
            DeadlineError::InvalidRule {
                code,
                reason_vi,
                reason_en,
            } => crate::tr!(
                lang,
                "quy tắc thời hạn {code} không hợp lệ: {reason_vi}",
                "invalid deadline rule {code}: {reason_en}"
            ),
        }
    }
}

fn bad_hours(text: &str, vi: &str, en: &str) -> DeadlineError {
    DeadlineError::BadHours {
        text: text.to_string(),
        reason_vi: vi.to_string(),
        reason_en: en.to_string(),
    }
}

/// One office period of a day, local time, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Season {
    /// (month, day), inclusive.
    from: (u32, u32),
    to: (u32, u32),
    periods: Vec<Period>,
}

impl Season {
    fn contains(&self, d: NaiveDate) -> bool {
        let md = (d.month(), d.day());
        if self.from <= self.to {
            self.from <= md && md <= self.to
        } else {
            // Wraps over the new year, e.g. 10-01 … 03-31.
            md >= self.from || md <= self.to
        }
    }
}

/// Office (administrative) hours by season. Dates no season covers use the standard hours,
/// 07:30–11:30 and 13:30–17:00. The first season that covers a date wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    seasons: Vec<Season>,
    standard: Vec<Period>,
}

impl Default for OfficeHours {
    fn default() -> Self {
        OfficeHours::standard()
    }
}

impl OfficeHours {
    /// 07:30–11:30 and 13:30–17:00 all year.
    pub fn standard() -> Self {
        OfficeHours {
            seasons: Vec::new(),
            standard: vec![
                Period {
                    start: hm(7, 30),
                    end: hm(11, 30),
                },
                Period {
                    start: hm(13, 30),
                    end: hm(17, 0),
                },
            ],
        }
    }

    /// Read a profile's `admin_hours` (`MM-DD` ranges, `HH:MM-HH:MM` periods). Empty: standard.
    pub fn from_seasons(seasons: &[AdminHoursSeason]) -> Result<Self, DeadlineError> {
        let mut out = OfficeHours::standard();
        for s in seasons {
            let from = parse_month_day(&s.from)?;
            let to = parse_month_day(&s.to)?;
            if s.periods.is_empty() {
                return Err(bad_hours(
                    &format!("{}..{}", s.from, s.to),
                    "mùa không có khoảng giờ nào",
                    "the season has no periods",
                ));
            }
            let mut periods = Vec::new();
            for p in &s.periods {
                periods.push(parse_period(p)?);
            }
            periods.sort_by_key(|p| p.start);
            for w in periods.windows(2) {
                if w[1].start < w[0].end {
                    return Err(bad_hours(
                        &s.periods.join(", "),
                        "các khoảng giờ chồng lên nhau",
                        "the periods overlap",
                    ));
                }
            }
            out.seasons.push(Season { from, to, periods });
        }
        Ok(out)
    }

    /// The office periods of a date (whether or not it is a working day).
    pub fn periods_on(&self, d: NaiveDate) -> &[Period] {
        self.seasons
            .iter()
            .find(|s| s.contains(d))
            .map(|s| s.periods.as_slice())
            .unwrap_or(self.standard.as_slice())
    }

    /// Close of office hours on a date (end of the last period).
    pub fn close_of(&self, d: NaiveDate) -> NaiveTime {
        self.periods_on(d)
            .last()
            .map(|p| p.end)
            .unwrap_or(hm(17, 0))
    }

    /// Office minutes of a full working day on that date.
    pub fn minutes_on(&self, d: NaiveDate) -> i64 {
        self.periods_on(d)
            .iter()
            .map(|p| (p.end - p.start).num_minutes())
            .sum()
    }

    /// Whether a local instant falls inside an office period (working-day status not checked).
    pub fn in_period(&self, t: NaiveDateTime) -> bool {
        self.periods_on(t.date())
            .iter()
            .any(|p| p.start <= t.time() && t.time() < p.end)
    }
}

fn parse_month_day(s: &str) -> Result<(u32, u32), DeadlineError> {
    let err = || {
        bad_hours(
            s,
            "cần dạng MM-DD, ví dụ 04-15",
            "expected MM-DD, e.g. 04-15",
        )
    };
    let (m, d) = s.trim().split_once('-').ok_or_else(err)?;
    let m: u32 = m.parse().map_err(|_| err())?;
    let d: u32 = d.parse().map_err(|_| err())?;
    // 2024 is a leap year: accepts 02-29.
    NaiveDate::from_ymd_opt(2024, m, d).ok_or_else(err)?;
    Ok((m, d))
}

fn parse_time(s: &str, whole: &str) -> Result<NaiveTime, DeadlineError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
        bad_hours(
            whole,
            "cần dạng HH:MM-HH:MM, ví dụ 07:30-11:30",
            "expected HH:MM-HH:MM, e.g. 07:30-11:30",
        )
    })
}

fn parse_period(s: &str) -> Result<Period, DeadlineError> {
    let norm = s.replace(['–', '—'], "-");
    let (a, b) = norm.split_once('-').ok_or_else(|| {
        bad_hours(
            s,
            "cần dạng HH:MM-HH:MM, ví dụ 07:30-11:30",
            "expected HH:MM-HH:MM, e.g. 07:30-11:30",
        )
    })?;
    let start = parse_time(a, s)?;
    let end = parse_time(b, s)?;
    if start >= end {
        return Err(bad_hours(
            s,
            "giờ bắt đầu phải trước giờ kết thúc",
            "the start must be before the end",
        ));
    }
    Ok(Period { start, end })
}

/// Something about the anchor or the calendar the user should know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "flag", content = "year", rename_all = "kebab-case")]
pub enum AnchorFlag {
    /// The anchor is later than now.
    InFuture,
    /// The anchor is more than a year before now.
    TooOld,
    /// The anchor falls on a weekend or day off.
    NonWorkingDay,
    /// Administrative hours: the anchor is outside office hours; counting starts at the next period.
    OutsideOfficeHours,
    /// An extension was asked for but the rule has none; the normal amount was used.
    NoExtension,
    /// The period runs through a year whose calendar is provisional.
    ProvisionalYear(i32),
    /// The period runs through days off or make-up days not yet officially confirmed.
    UnconfirmedDays(i32),
}

impl AnchorFlag {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AnchorFlag::InFuture => lang
                .pick("mốc tính nằm ở tương lai", "the anchor is in the future")
                .to_string(),
            AnchorFlag::TooOld => lang
                .pick(
                    "mốc tính cách đây hơn một năm",
                    "the anchor is more than a year old",
                )
                .to_string(),
            AnchorFlag::NonWorkingDay => lang
                .pick("mốc tính rơi vào ngày nghỉ", "the anchor is on a day off")
                .to_string(),
            AnchorFlag::OutsideOfficeHours => lang
                .pick(
                    "mốc tính ngoài giờ hành chính: bắt đầu tính từ giờ hành chính kế tiếp",
                    "the anchor is outside office hours: counting starts at the next office period",
                )
                .to_string(),
            AnchorFlag::NoExtension => lang
                .pick(
                    "quy tắc không có thời hạn gia hạn: dùng thời hạn thường",
                    "the rule has no extended period: the normal period was used",
                )
                .to_string(),
            AnchorFlag::ProvisionalYear(y) => crate::tr!(
                lang,
                "lịch năm {y} là tạm tính (chưa có quyết định của Thủ tướng)",
                "the {y} calendar is provisional (no Prime Minister's decision yet)"
            ),
            AnchorFlag::UnconfirmedDays(y) => crate::tr!(
                lang,
                "thời hạn đi qua ngày nghỉ năm {y} chưa được công bố chính thức",
                "the period runs through {y} days off not yet officially confirmed"
            ),
        }
    }
}

/// A computed due time with the rule that produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub at: DateTime<Utc>,
    pub rule_code: String,
    /// The amount actually used (the extended one when extended).
    pub amount: u32,
    pub explain_vi: String,
    pub explain_en: String,
    pub flags: Vec<AnchorFlag>,
}

impl Due {
    pub fn explain(&self, lang: Lang) -> &str {
        lang.pick(&self.explain_vi, &self.explain_en)
    }
    /// The due time in local time, e.g. "17:00 thứ Năm 04/09/2025".
    pub fn at_local(&self, lang: Lang) -> String {
        format_local(self.at, lang)
    }
}

/// (day phrase vi, en; moment phrase vi, en)
fn anchor_phrases(a: Anchor) -> (&'static str, &'static str, &'static str, &'static str) {
    match a {
        Anchor::Event => (
            "ngày xảy ra sự kiện",
            "the day of the event",
            "thời điểm xảy ra sự kiện",
            "the event",
        ),
        Anchor::Issuance => (
            "ngày ban hành",
            "the day of issue",
            "thời điểm ban hành",
            "issue",
        ),
        Anchor::Receipt => (
            "ngày tiếp nhận",
            "the day of receipt",
            "thời điểm tiếp nhận",
            "receipt",
        ),
        Anchor::Approval => (
            "ngày phê duyệt",
            "the day of approval",
            "thời điểm phê duyệt",
            "approval",
        ),
        Anchor::Conference => (
            "ngày tổ chức hội nghị",
            "the day of the conference",
            "thời điểm hội nghị",
            "the conference",
        ),
        Anchor::PeriodEnd => (
            "ngày kết thúc kỳ",
            "the end of the period",
            "thời điểm kết thúc kỳ",
            "the end of the period",
        ),
    }
}

fn explain(rule: &DeadlineRule, amount: u32, extended: bool) -> (String, String) {
    let (day_vi, day_en, at_vi, at_en) = anchor_phrases(rule.anchor);
    let art = &rule.article;
    let n = amount;
    let (mut vi, mut en) = match rule.unit {
        PeriodUnit::CalendarDays => (
            format!(
                "{n} ngày kể từ {day_vi} ({art}) — không tính {day_vi}, hết giờ hành chính ngày cuối; \
                 ngày cuối là ngày nghỉ thì hết giờ hành chính ngày làm việc tiếp theo (BLDS 2015 Điều 148)"
            ),
            format!(
                "{n} days from {day_en} ({art}) — {day_en} not counted; ends at the close of office hours \
                 on the last day, or on the next working day if that is a day off (Civil Code 2015 Art. 148)"
            ),
        ),
        PeriodUnit::WorkingDays => (
            format!(
                "{n} ngày làm việc kể từ {day_vi} ({art}) — không tính {day_vi}, hết giờ hành chính ngày làm việc cuối"
            ),
            format!(
                "{n} working days from {day_en} ({art}) — {day_en} not counted; ends at the close of office hours \
                 on the last working day"
            ),
        ),
        PeriodUnit::AdminHours => (
            format!(
                "{n} giờ hành chính kể từ {at_vi} ({art}) — chỉ tính giờ hành chính của ngày làm việc; \
                 ngoài giờ thì bắt đầu tính từ giờ hành chính kế tiếp"
            ),
            format!(
                "{n} administrative hours from {at_en} ({art}) — only office hours of working days count; \
                 outside them counting starts at the next office period"
            ),
        ),
        PeriodUnit::FirstDaysNextMonth => (
            format!(
                "trong {n} ngày đầu của tháng sau ({art}) — hết giờ hành chính ngày {n}; \
                 ngày đó là ngày nghỉ thì hết giờ hành chính ngày làm việc tiếp theo"
            ),
            format!(
                "within the first {n} days of the next month ({art}) — ends at the close of office hours on day {n}, \
                 or on the next working day if that is a day off"
            ),
        ),
        PeriodUnit::FirstDaysNextQuarter => (
            format!(
                "trong {n} ngày đầu của quý sau ({art}) — hết giờ hành chính ngày {n} của quý; \
                 ngày đó là ngày nghỉ thì hết giờ hành chính ngày làm việc tiếp theo"
            ),
            format!(
                "within the first {n} days of the next quarter ({art}) — ends at the close of office hours on day {n} \
                 of the quarter, or on the next working day if that is a day off"
            ),
        ),
        PeriodUnit::Immediate => (
            format!(
                "ngay kể từ {at_vi} ({art}) — hết giờ hành chính của ngày làm việc đó; \
                 ngoài ngày hoặc sau giờ làm việc thì hết giờ hành chính ngày làm việc kế tiếp"
            ),
            format!(
                "immediately after {at_en} ({art}) — by the close of office hours that working day; \
                 on a day off or after hours, by the close of the next working day"
            ),
        ),
    };
    if extended {
        if rule.extended_when_vi.is_empty() {
            vi.push_str(" [gia hạn]");
            en.push_str(" [extended]");
        } else {
            vi.push_str(&format!(" [gia hạn: {}]", rule.extended_when_vi));
            en.push_str(&format!(" [extended: {}]", rule.extended_when_vi));
        }
    }
    (vi, en)
}

fn add_days(d: NaiveDate, n: u64) -> Result<NaiveDate, DeadlineError> {
    d.checked_add_days(Days::new(n))
        .ok_or(DeadlineError::Calendar(CalendarError::OutOfRange))
}

fn invalid_rule(rule: &DeadlineRule, vi: &str, en: &str) -> DeadlineError {
    DeadlineError::InvalidRule {
        code: rule.code.clone(),
        reason_vi: vi.to_string(),
        reason_en: en.to_string(),
    }
}

/// The due time of `rule` for an item anchored at `anchor`. `extended` uses the rule's
/// `extended_amount` (e.g. 15 → 30 working days when a ministry is consulted).
///
/// Flags that need the current time (future / too old anchors) are added by [`due_as_of`].
pub fn due(
    rule: &DeadlineRule,
    anchor: DateTime<Utc>,
    extended: bool,
    cal: &Calendar,
    hours: &OfficeHours,
) -> Result<Due, DeadlineError> {
    let local = to_local(anchor);
    let adate = local.date();
    let mut flags = Vec::new();
    let amount = if extended {
        match rule.extended_amount {
            Some(x) => x,
            None => {
                flags.push(AnchorFlag::NoExtension);
                rule.amount
            }
        }
    } else {
        rule.amount
    };
    let anchor_working = cal.is_working_day(adate);
    if let Ok(false) = anchor_working {
        flags.push(AnchorFlag::NonWorkingDay);
    }

    let end_of = |d: NaiveDate| d.and_time(hours.close_of(d));
    let due_local: NaiveDateTime = match rule.unit {
        PeriodUnit::CalendarDays => {
            let last = add_days(adate, u64::from(amount))?;
            end_of(cal.this_or_next_working_day(last)?)
        }
        PeriodUnit::WorkingDays => {
            let last = if amount == 0 {
                cal.this_or_next_working_day(adate)?
            } else {
                cal.add_working_days(adate, amount)?
            };
            end_of(last)
        }
        PeriodUnit::AdminHours => {
            let inside = matches!(anchor_working, Ok(true)) && hours.in_period(local);
            if !inside {
                flags.push(AnchorFlag::OutsideOfficeHours);
            }
            add_office_seconds(local, i64::from(amount) * 3600, cal, hours)?
        }
        PeriodUnit::FirstDaysNextMonth | PeriodUnit::FirstDaysNextQuarter => {
            if amount == 0 {
                return Err(invalid_rule(
                    rule,
                    "số ngày đầu kỳ phải lớn hơn 0",
                    "the number of first days must be greater than 0",
                ));
            }
            let (y, m) = (adate.year(), adate.month());
            let (ny, nm) = if rule.unit == PeriodUnit::FirstDaysNextMonth {
                if m == 12 {
                    (y + 1, 1)
                } else {
                    (y, m + 1)
                }
            } else {
                let q_start = ((m - 1) / 3 + 1) * 3 + 1;
                if q_start > 12 {
                    (y + 1, 1)
                } else {
                    (y, q_start)
                }
            };
            let first = NaiveDate::from_ymd_opt(ny, nm, 1)
                .ok_or(DeadlineError::Calendar(CalendarError::OutOfRange))?;
            let last = add_days(first, u64::from(amount - 1))?;
            end_of(cal.this_or_next_working_day(last)?)
        }
        PeriodUnit::Immediate => {
            let day = if matches!(anchor_working, Ok(true)) && local.time() < hours.close_of(adate)
            {
                adate
            } else {
                // Propagates a missing year for the anchor day.
                anchor_working?;
                cal.next_working_day(adate)?
            };
            end_of(day)
        }
    };

    let due_date = due_local.date();
    for y in adate.year()..=due_date.year() {
        if let Some(yc) = cal.year(y) {
            if yc.provisional {
                flags.push(AnchorFlag::ProvisionalYear(y));
            }
            let from = adate.max(NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(adate));
            let to = due_date.min(NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(due_date));
            if yc.has_unconfirmed_between(from, to) {
                flags.push(AnchorFlag::UnconfirmedDays(y));
            }
        }
    }

    let (explain_vi, explain_en) =
        explain(rule, amount, extended && rule.extended_amount.is_some());
    Ok(Due {
        at: from_local(due_local),
        rule_code: rule.code.clone(),
        amount,
        explain_vi,
        explain_en,
        flags,
    })
}

/// Flags about the anchor relative to now: in the future, or more than a year old.
pub fn anchor_flags(anchor: DateTime<Utc>, now: DateTime<Utc>) -> Vec<AnchorFlag> {
    let mut f = Vec::new();
    if anchor > now {
        f.push(AnchorFlag::InFuture);
    }
    if now - anchor > TimeDelta::days(366) {
        f.push(AnchorFlag::TooOld);
    }
    f
}

/// [`due`] plus the flags that need the current time. The anchor is accepted either way.
pub fn due_as_of(
    rule: &DeadlineRule,
    anchor: DateTime<Utc>,
    now: DateTime<Utc>,
    extended: bool,
    cal: &Calendar,
    hours: &OfficeHours,
) -> Result<Due, DeadlineError> {
    let mut d = due(rule, anchor, extended, cal, hours)?;
    let mut f = anchor_flags(anchor, now);
    f.append(&mut d.flags);
    d.flags = f;
    Ok(d)
}

/// The local instant `secs` office seconds after `start` (outside office hours, counting
/// starts at the next office period). A period that is used up exactly ends at its end.
pub fn add_office_seconds(
    start: NaiveDateTime,
    secs: i64,
    cal: &Calendar,
    hours: &OfficeHours,
) -> Result<NaiveDateTime, DeadlineError> {
    let mut date = start.date();
    let mut from = start.time();
    let mut left = secs;
    loop {
        if cal.is_working_day(date)? {
            for p in hours.periods_on(date) {
                if from >= p.end {
                    continue;
                }
                let s = from.max(p.start);
                let avail = (p.end - s).num_seconds();
                if left <= avail {
                    return Ok(date.and_time(s) + TimeDelta::seconds(left));
                }
                left -= avail;
                from = p.end;
            }
        }
        date = add_days(date, 1)?;
        from = NaiveTime::MIN;
    }
}

/// Office seconds of working days in `[a, b]` (local instants, `a <= b`).
pub fn office_seconds_between(
    a: NaiveDateTime,
    b: NaiveDateTime,
    cal: &Calendar,
    hours: &OfficeHours,
) -> Result<i64, DeadlineError> {
    if b <= a {
        return Ok(0);
    }
    let mut total = 0;
    let mut date = a.date();
    while date <= b.date() {
        if cal.is_working_day(date)? {
            for p in hours.periods_on(date) {
                let ps = date.and_time(p.start).max(a);
                let pe = date.and_time(p.end).min(b);
                if pe > ps {
                    total += (pe - ps).num_seconds();
                }
            }
        }
        date = add_days(date, 1)?;
    }
    Ok(total)
}

/// Time left until a due time, or how late it is, in office time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Remaining {
    pub overdue: bool,
    /// Not overdue: working days in (today, due day]. Overdue: working days in (due day, today].
    pub working_days: i64,
    /// Office minutes between now and the due time (either way round), working days only.
    pub office_minutes: i64,
    /// Office minutes in a full working day (of the season at the earlier of the two instants),
    /// used to show minutes as "days and hours".
    pub day_minutes: i64,
}

impl Remaining {
    /// "còn 2 ngày 3 giờ" / "2 days 3 h left"; "quá hạn 1 ngày" / "1 day overdue".
    pub fn display(&self, lang: Lang) -> String {
        if self.overdue {
            if self.working_days > 0 {
                let n = self.working_days;
                return crate::tr!(lang, "quá hạn {n} ngày", "{n} working day(s) overdue");
            }
            let (h, m) = (self.office_minutes / 60, self.office_minutes % 60);
            return if h > 0 && m == 0 {
                crate::tr!(lang, "quá hạn {h} giờ", "{h} h overdue")
            } else if h > 0 {
                crate::tr!(lang, "quá hạn {h} giờ {m} phút", "{h} h {m} min overdue")
            } else if m > 0 {
                crate::tr!(lang, "quá hạn {m} phút", "{m} min overdue")
            } else {
                lang.pick("quá hạn", "overdue").to_string()
            };
        }
        let dm = self.day_minutes.max(1);
        let days = self.office_minutes / dm;
        let rest = self.office_minutes % dm;
        let (h, m) = (rest / 60, rest % 60);
        if days > 0 && h > 0 {
            crate::tr!(lang, "còn {days} ngày {h} giờ", "{days} day(s) {h} h left")
        } else if days > 0 {
            crate::tr!(lang, "còn {days} ngày", "{days} day(s) left")
        } else if h > 0 && m == 0 {
            crate::tr!(lang, "còn {h} giờ", "{h} h left")
        } else if h > 0 {
            crate::tr!(lang, "còn {h} giờ {m} phút", "{h} h {m} min left")
        } else if m > 0 {
            crate::tr!(lang, "còn {m} phút", "{m} min left")
        } else {
            lang.pick("đến hạn", "due now").to_string()
        }
    }
}

/// How much office time is left before `due` (or how late it is) at `now`.
pub fn remaining(
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    cal: &Calendar,
    hours: &OfficeHours,
) -> Result<Remaining, DeadlineError> {
    let overdue = now > due;
    let (a, b) = if overdue { (due, now) } else { (now, due) };
    let (la, lb) = (to_local(a), to_local(b));
    let secs = office_seconds_between(la, lb, cal, hours)?;
    let working_days = cal.working_days_between(la.date(), lb.date())?;
    Ok(Remaining {
        overdue,
        working_days,
        office_minutes: secs / 60,
        day_minutes: hours.minutes_on(la.date()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn season(from: &str, to: &str, periods: &[&str]) -> AdminHoursSeason {
        AdminHoursSeason {
            from: from.into(),
            to: to.into(),
            periods: periods.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn seasons_and_defaults() {
        let h = OfficeHours::from_seasons(&[
            season("04-15", "10-14", &["07:00-11:30", "13:30-17:00"]),
            season("10-15", "04-14", &["07:30–11:30", "13:00-17:00"]),
        ])
        .unwrap();
        let summer = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let winter = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(h.periods_on(summer)[0].start, hm(7, 0));
        assert_eq!(h.periods_on(winter)[1].start, hm(13, 0));
        assert_eq!(h.minutes_on(summer), 8 * 60);
        assert_eq!(OfficeHours::standard().minutes_on(summer), 7 * 60 + 30);
    }

    #[test]
    fn bad_hours_are_rejected() {
        for s in [
            season("13-01", "12-31", &["07:00-11:00"]),
            season("01-01", "12-31", &["11:00-07:00"]),
            season("01-01", "12-31", &["07:00-11:00", "10:00-12:00"]),
            season("01-01", "12-31", &["7h-11h"]),
            season("01-01", "12-31", &[]),
        ] {
            assert!(OfficeHours::from_seasons(&[s]).is_err());
        }
    }

    #[test]
    fn remaining_display() {
        let r = Remaining {
            overdue: false,
            working_days: 3,
            office_minutes: 2 * 450 + 190,
            day_minutes: 450,
        };
        assert_eq!(r.display(Lang::Vi), "còn 2 ngày 3 giờ");
        let r = Remaining {
            overdue: true,
            working_days: 1,
            office_minutes: 500,
            day_minutes: 450,
        };
        assert_eq!(r.display(Lang::Vi), "quá hạn 1 ngày");
        assert_eq!(r.display(Lang::En), "1 working day(s) overdue");
    }

    #[test]
    fn local_time_is_utc_plus_7() {
        let l = NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(3, 0, 0)
            .unwrap();
        let u = from_local(l);
        assert_eq!(u.to_rfc3339(), "2025-12-31T20:00:00+00:00");
        assert_eq!(to_local(u), l);
    }
}
