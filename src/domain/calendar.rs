//! Working-day calendar of a Vietnamese state agency (see issue: deadlines).
//!
//! Working days are Monday–Friday (QĐ 188/1999/QĐ-TTg), minus public holidays and other
//! announced days off, plus announced make-up working days (*ngày làm bù*). Nothing here knows
//! the lunar calendar: every year's holidays are data (see `crate::profile::calendar`), and a
//! date in a year the calendar does not hold is an error, never a guess.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

use crate::i18n::Lang;

/// Why a day is not an ordinary working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayOffKind {
    /// A public holiday of Labour Code 2019 Art. 112 (or the days the Prime Minister fixes for Tết).
    Holiday,
    /// A day off in place of a holiday that fell on a weekend (Labour Code 2019 Art. 111 cl. 3).
    Substitute,
    /// A working day swapped for a make-up working day on a weekend (*hoán đổi ngày làm việc*).
    Swapped,
    /// A day off decided locally (province, agency).
    Local,
}

impl DayOffKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            DayOffKind::Holiday => lang.pick("ngày lễ", "holiday"),
            DayOffKind::Substitute => lang.pick("nghỉ bù", "substitute day off"),
            DayOffKind::Swapped => lang.pick("nghỉ hoán đổi", "swapped day off"),
            DayOffKind::Local => lang.pick("nghỉ theo quyết định địa phương", "local day off"),
        }
    }
}

/// A named day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayOff {
    pub kind: DayOffKind,
    pub name_vi: String,
    pub name_en: String,
    /// Legal basis, e.g. "Bộ luật Lao động 2019, Điều 112 khoản 1 điểm a".
    pub basis: String,
    /// False when the day is expected but has not been officially announced.
    pub confirmed: bool,
}

impl DayOff {
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_vi, &self.name_en)
    }
}

/// A weekend day that is a working day by announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MakeUpDay {
    /// The weekday whose work this day makes up, if any.
    pub replaces: Option<NaiveDate>,
    pub name_vi: String,
    pub name_en: String,
    pub basis: String,
    pub confirmed: bool,
}

/// One year of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearCalendar {
    pub year: i32,
    /// True until the Prime Minister's decision for the year is known.
    pub provisional: bool,
    /// Where the data comes from (notices, decisions), free text.
    pub source: String,
    /// The files this year was read from, in order (bundled first).
    pub files: Vec<String>,
    pub days_off: BTreeMap<NaiveDate, DayOff>,
    pub make_up: BTreeMap<NaiveDate, MakeUpDay>,
}

impl YearCalendar {
    pub fn new(year: i32) -> Self {
        YearCalendar {
            year,
            provisional: false,
            source: String::new(),
            files: Vec::new(),
            days_off: BTreeMap::new(),
            make_up: BTreeMap::new(),
        }
    }

    /// Set a day off; a make-up day on the same date is removed (the later entry wins).
    pub fn set_day_off(&mut self, date: NaiveDate, day: DayOff) {
        self.make_up.remove(&date);
        self.days_off.insert(date, day);
    }

    /// Set a make-up working day; a day off on the same date is removed (the later entry wins).
    pub fn set_make_up(&mut self, date: NaiveDate, day: MakeUpDay) {
        self.days_off.remove(&date);
        self.make_up.insert(date, day);
    }

    /// Remove any day off or make-up day on `date` (it becomes an ordinary weekday/weekend day).
    pub fn clear_day(&mut self, date: NaiveDate) {
        self.days_off.remove(&date);
        self.make_up.remove(&date);
    }

    /// Overlay `other` (same year) on `self`: entries of `other` win date by date.
    pub fn extend_with(&mut self, other: YearCalendar) {
        self.provisional = other.provisional;
        if !other.source.is_empty() {
            if self.source.is_empty() {
                self.source = other.source;
            } else {
                self.source = format!("{}; {}", self.source, other.source);
            }
        }
        self.files.extend(other.files);
        for (d, off) in other.days_off {
            self.set_day_off(d, off);
        }
        for (d, m) in other.make_up {
            self.set_make_up(d, m);
        }
    }

    /// Whether any entry in `[from, to]` is not confirmed.
    pub fn has_unconfirmed_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        if from > to {
            return false;
        }
        self.days_off.range(from..=to).any(|(_, d)| !d.confirmed)
            || self.make_up.range(from..=to).any(|(_, d)| !d.confirmed)
    }
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "day", rename_all = "kebab-case")]
pub enum DayInfo {
    /// An ordinary working day (Monday–Friday).
    Working,
    /// A weekend day made a working day by announcement.
    MakeUp(MakeUpDay),
    /// Saturday or Sunday.
    Weekend,
    /// A holiday, substitute, swapped or local day off.
    Off(DayOff),
}

impl DayInfo {
    pub fn is_working(&self) -> bool {
        matches!(self, DayInfo::Working | DayInfo::MakeUp(_))
    }

    /// Short description, e.g. "ngày lễ: Quốc khánh".
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            DayInfo::Working => lang.pick("ngày làm việc", "working day").to_string(),
            DayInfo::Weekend => lang.pick("nghỉ cuối tuần", "weekend").to_string(),
            DayInfo::MakeUp(m) => format!(
                "{}: {}",
                lang.pick("làm bù", "make-up working day"),
                lang.pick(&m.name_vi, &m.name_en)
            ),
            DayInfo::Off(d) => format!("{}: {}", d.kind.label(lang), d.name(lang)),
        }
    }
}

/// Errors of calendar arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar holds no data for a year: the due time is unknown.
    #[error("không có lịch năm {year} (cần tệp {file}) / no calendar for {year} (needs {file})")]
    YearMissing { year: i32, file: String },
    /// A date outside what chrono can represent.
    #[error("ngày ngoài phạm vi / date out of range")]
    OutOfRange,
}

impl CalendarError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            CalendarError::YearMissing { year, file } => crate::tr!(
                lang,
                "không có lịch làm việc năm {year}: hạn chưa xác định (cần tệp {file})",
                "no working calendar for {year}: due time unknown (needs the file {file})"
            ),
            CalendarError::OutOfRange => lang
                .pick("ngày ngoài phạm vi tính được", "date out of range")
                .to_string(),
        }
    }
}

/// Years → holidays, make-up days, provisional flag, names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
    /// Where a missing year's file would go, with `{year}` in place of the year
    /// (e.g. `/var/lib/bientap/calendars/{year}.toml`). Used in error messages only.
    missing_hint: String,
}

impl Calendar {
    pub fn new() -> Self {
        Calendar {
            years: BTreeMap::new(),
            missing_hint: "assets/calendars/{year}.toml".to_string(),
        }
    }

    /// Set the path pattern named in "year missing" errors (`{year}` is replaced).
    pub fn set_missing_hint(&mut self, pattern: impl Into<String>) {
        self.missing_hint = pattern.into();
    }

    /// Add a year, or overlay it on the year already held (entries of `y` win).
    pub fn add_year(&mut self, y: YearCalendar) {
        match self.years.get_mut(&y.year) {
            Some(existing) => existing.extend_with(y),
            None => {
                self.years.insert(y.year, y);
            }
        }
    }

    /// Replace a year entirely.
    pub fn replace_year(&mut self, y: YearCalendar) {
        self.years.insert(y.year, y);
    }

    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    pub fn year_mut(&mut self, year: i32) -> Option<&mut YearCalendar> {
        self.years.get_mut(&year)
    }

    /// The years the calendar holds, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    fn year_of(&self, d: NaiveDate) -> Result<&YearCalendar, CalendarError> {
        self.years
            .get(&d.year())
            .ok_or_else(|| CalendarError::YearMissing {
                year: d.year(),
                file: self.missing_hint.replace("{year}", &d.year().to_string()),
            })
    }

    /// Working, weekend, named day off, or make-up working day.
    pub fn day_info(&self, d: NaiveDate) -> Result<DayInfo, CalendarError> {
        let y = self.year_of(d)?;
        if let Some(m) = y.make_up.get(&d) {
            return Ok(DayInfo::MakeUp(m.clone()));
        }
        if let Some(off) = y.days_off.get(&d) {
            return Ok(DayInfo::Off(off.clone()));
        }
        Ok(if is_weekend(d) {
            DayInfo::Weekend
        } else {
            DayInfo::Working
        })
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let y = self.year_of(d)?;
        if y.make_up.contains_key(&d) {
            return Ok(true);
        }
        if y.days_off.contains_key(&d) {
            return Ok(false);
        }
        Ok(!is_weekend(d))
    }

    /// The `n`-th working day after `d` (`d` itself is not counted; `n = 0` gives `d`).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut cur = d;
        let mut left = n;
        while left > 0 {
            cur = next_day(cur)?;
            if self.is_working_day(cur)? {
                left -= 1;
            }
        }
        Ok(cur)
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        self.add_working_days(d, 1)
    }

    /// `d` if it is a working day, else the first working day after it.
    pub fn this_or_next_working_day(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        if self.is_working_day(d)? {
            Ok(d)
        } else {
            self.next_working_day(d)
        }
    }

    /// Working days in `(a, b]` when `a <= b`; minus the working days in `(b, a]` otherwise.
    /// So `working_days_between(d, add_working_days(d, n)) == n`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0i64;
        let mut cur = lo;
        while cur < hi {
            cur = next_day(cur)?;
            if self.is_working_day(cur)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// Working days in a month (1–12) of a held year.
    pub fn working_days_in_month(&self, year: i32, month: u32) -> Result<u32, CalendarError> {
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or(CalendarError::OutOfRange)?;
        let mut n = 0;
        let mut cur = first;
        while cur.month() == month {
            if self.is_working_day(cur)? {
                n += 1;
            }
            cur = next_day(cur)?;
        }
        Ok(n)
    }
}

pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.checked_add_days(Days::new(1))
        .ok_or(CalendarError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn off(name: &str) -> DayOff {
        DayOff {
            kind: DayOffKind::Holiday,
            name_vi: name.into(),
            name_en: name.into(),
            basis: String::new(),
            confirmed: true,
        }
    }

    fn sample() -> Calendar {
        let mut y = YearCalendar::new(2026);
        y.set_day_off(d(2026, 1, 1), off("Tết Dương lịch"));
        y.set_day_off(
            d(2026, 1, 2),
            DayOff {
                kind: DayOffKind::Swapped,
                ..off("hoán đổi")
            },
        );
        y.set_make_up(
            d(2026, 1, 10),
            MakeUpDay {
                replaces: Some(d(2026, 1, 2)),
                name_vi: "làm bù".into(),
                name_en: "make-up".into(),
                basis: String::new(),
                confirmed: true,
            },
        );
        let mut c = Calendar::new();
        c.add_year(y);
        c
    }

    #[test]
    fn weekdays_holidays_and_make_up_days() {
        let c = sample();
        assert!(!c.is_working_day(d(2026, 1, 1)).unwrap());
        assert!(!c.is_working_day(d(2026, 1, 2)).unwrap());
        assert!(!c.is_working_day(d(2026, 1, 3)).unwrap());
        assert!(c.is_working_day(d(2026, 1, 5)).unwrap());
        assert!(c.is_working_day(d(2026, 1, 10)).unwrap());
        assert!(!c.is_working_day(d(2026, 1, 11)).unwrap());
        assert!(matches!(
            c.day_info(d(2026, 1, 10)).unwrap(),
            DayInfo::MakeUp(_)
        ));
        assert_eq!(c.day_info(d(2026, 1, 3)).unwrap(), DayInfo::Weekend);
    }

    #[test]
    fn adding_and_counting() {
        let c = sample();
        // Crossing into 2027, which this sample does not hold.
        assert!(matches!(
            c.add_working_days(d(2026, 12, 31), 1),
            Err(CalendarError::YearMissing { year: 2027, .. })
        ));
        // From Thu 1/1: Mon 5/1 is the first working day.
        assert_eq!(c.add_working_days(d(2026, 1, 1), 1).unwrap(), d(2026, 1, 5));
        // Fri 9/1 + 1 → Sat 10/1 (make-up).
        assert_eq!(
            c.add_working_days(d(2026, 1, 9), 1).unwrap(),
            d(2026, 1, 10)
        );
        assert_eq!(
            c.working_days_between(d(2026, 1, 1), d(2026, 1, 12))
                .unwrap(),
            7
        );
        assert_eq!(
            c.working_days_between(d(2026, 1, 12), d(2026, 1, 1))
                .unwrap(),
            -7
        );
        // January 2026 in this sample: 22 weekdays − 2 days off + 1 make-up.
        assert_eq!(c.working_days_in_month(2026, 1).unwrap(), 21);
    }

    #[test]
    fn overlay_later_entry_wins() {
        let mut c = sample();
        let mut user = YearCalendar::new(2026);
        user.set_make_up(
            d(2026, 1, 2),
            MakeUpDay {
                replaces: None,
                name_vi: "đi làm".into(),
                name_en: "work".into(),
                basis: String::new(),
                confirmed: true,
            },
        );
        user.set_day_off(d(2026, 1, 5), off("nghỉ địa phương"));
        c.add_year(user);
        assert!(c.is_working_day(d(2026, 1, 2)).unwrap());
        assert!(!c.is_working_day(d(2026, 1, 5)).unwrap());
        assert!(!c.is_working_day(d(2026, 1, 1)).unwrap());
    }

    #[test]
    fn missing_year_names_the_file() {
        let mut c = sample();
        c.set_missing_hint("/data/calendars/{year}.toml");
        let e = c.is_working_day(d(2030, 5, 5)).unwrap_err();
        assert!(e.message(Lang::Vi).contains("/data/calendars/2030.toml"));
        assert!(e.message(Lang::En).contains("2030"));
    }
}
