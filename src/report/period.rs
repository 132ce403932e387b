//! Report periods: a month, a quarter or a year of local (UTC+7) dates.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::ReportError;
use crate::domain::deadline::from_local;
use crate::i18n::Lang;
use crate::store::ts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

/// A closed range of local dates `[first, last]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i32,
    /// Month 1–12, quarter 1–4, or 0 for a year.
    pub index: u32,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

fn last_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

impl Period {
    pub fn month(year: i32, month: u32) -> Option<Period> {
        Some(Period {
            kind: PeriodKind::Month,
            year,
            index: month,
            first: NaiveDate::from_ymd_opt(year, month, 1)?,
            last: last_of_month(year, month)?,
        })
    }

    pub fn quarter(year: i32, q: u32) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        Some(Period {
            kind: PeriodKind::Quarter,
            year,
            index: q,
            first: NaiveDate::from_ymd_opt(year, 3 * q - 2, 1)?,
            last: last_of_month(year, 3 * q)?,
        })
    }

    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            kind: PeriodKind::Year,
            year,
            index: 0,
            first: NaiveDate::from_ymd_opt(year, 1, 1)?,
            last: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    fn year_of(s: &str) -> Option<i32> {
        let s = s.trim();
        if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().filter(|y| (1900..=9999).contains(y))
    }

    /// "2026-10".
    pub fn parse_month(s: &str) -> Result<Period, ReportError> {
        let bad = || ReportError::BadPeriod {
            input: s.to_string(),
            expected: "YYYY-MM (2026-10)",
        };
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let y = Self::year_of(y).ok_or_else(bad)?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        Period::month(y, m).ok_or_else(bad)
    }

    /// "2026-Q3" (or "2026-q3", "2026-3").
    pub fn parse_quarter(s: &str) -> Result<Period, ReportError> {
        let bad = || ReportError::BadPeriod {
            input: s.to_string(),
            expected: "YYYY-Qn (2026-Q3)",
        };
        let (y, q) = s.trim().split_once('-').ok_or_else(bad)?;
        let y = Self::year_of(y).ok_or_else(bad)?;
        let q = q.trim_start_matches(['Q', 'q']);
        let q: u32 = q.parse().map_err(|_| bad())?;
        Period::quarter(y, q).ok_or_else(bad)
    }

    /// "2026".
    pub fn parse_year(s: &str) -> Result<Period, ReportError> {
        let bad = || ReportError::BadPeriod {
            input: s.to_string(),
            expected: "YYYY (2026)",
        };
        let y = Self::year_of(s).ok_or_else(bad)?;
        Period::year(y).ok_or_else(bad)
    }

    /// "2026-10", "2026-Q3", "2026": for file names and JSON.
    pub fn code(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}-{:02}", self.year, self.index),
            PeriodKind::Quarter => format!("{}-Q{}", self.year, self.index),
            PeriodKind::Year => format!("{}", self.year),
        }
    }

    /// "tháng 10/2026", "quý III/2026", "năm 2026".
    pub fn label(&self, lang: Lang) -> String {
        let (y, i) = (self.year, self.index);
        match self.kind {
            PeriodKind::Month => crate::tr!(lang, "tháng {i}/{y}", "{y}-{i:02}"),
            PeriodKind::Quarter => {
                let r = ROMAN[(i as usize).clamp(1, 4) - 1];
                crate::tr!(lang, "quý {r}/{y}", "Q{i} {y}")
            }
            PeriodKind::Year => crate::tr!(lang, "năm {y}", "{y}"),
        }
    }

    /// Months the period spans (1, 3 or 12).
    pub fn months(&self) -> u32 {
        match self.kind {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year => 12,
        }
    }

    /// Every date of the period.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.first
            .iter_days()
            .take_while(|d| *d <= self.last)
            .collect()
    }

    /// `[start, end)` in the database's time text (UTC): local midnight of the first day to
    /// local midnight after the last.
    pub fn utc_bounds(&self) -> (String, String) {
        let start = from_local(self.first.and_time(chrono::NaiveTime::MIN));
        let end_day = self.last.succ_opt().unwrap_or(self.last);
        let end = from_local(end_day.and_time(chrono::NaiveTime::MIN));
        (ts(start), ts(end))
    }

    /// Years the period touches (one).
    pub fn calendar_year(&self) -> i32 {
        self.first.year()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_periods() {
        let m = Period::parse_month("2026-04").unwrap();
        assert_eq!(m.first, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(m.last, NaiveDate::from_ymd_opt(2026, 4, 30).unwrap());
        assert_eq!(m.days().len(), 30);
        let q = Period::parse_quarter("2026-Q3").unwrap();
        assert_eq!(q.first, NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(q.last, NaiveDate::from_ymd_opt(2026, 9, 30).unwrap());
        assert_eq!(q.label(Lang::Vi), "quý III/2026");
        let y = Period::parse_year("2026").unwrap();
        assert_eq!(y.days().len(), 365);
        let d = Period::parse_month("2026-12").unwrap();
        assert_eq!(d.last, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        for bad in ["2026-13", "2026-Q5", "26-10", "2026/10", "x"] {
            assert!(Period::parse_month(bad).is_err() || bad == "2026-Q5");
            assert!(Period::parse_quarter(bad).is_err() || bad == "2026-10");
        }
        assert!(Period::parse_quarter("2026-Q5").is_err());
        assert!(Period::parse_year("20266").is_err());
    }

    #[test]
    fn bounds_are_local_midnight() {
        let m = Period::parse_month("2026-09").unwrap();
        let (a, b) = m.utc_bounds();
        assert_eq!(a, "2026-08-31T17:00:00Z");
        assert_eq!(b, "2026-09-30T17:00:00Z");
    }
}
