//! `bientap calendar …`: show a year's working calendar, check calendar files.

use std::path::{Path, PathBuf};

use anyhow::bail;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::calendar::{Calendar, DayInfo};
use crate::domain::deadline::weekday_name;
use crate::i18n::Lang;
use crate::profile::calendar::{check_bundled, check_files, load_calendar, FileReport};

#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum CalendarCmd {
    /// Show a year's working calendar: month grids, days off with names, make-up days,
    /// working days per month and in the year.
    Show {
        /// Year, e.g. 2026 (its calendar file must exist).
        year: i32,
    },
    /// Check calendar files (the bundled ones and the board's directory when none are given).
    Check {
        /// Calendar TOML files (default: the bundled ones and the board's directory).
        files: Vec<PathBuf>,
    },
}

/// Replace control characters (paths are not validated like calendar names are).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[derive(Serialize)]
struct DayJson {
    date: NaiveDate,
    #[serde(flatten)]
    info: DayInfo,
}

#[derive(Serialize)]
struct MonthJson {
    month: u32,
    working_days: u32,
    days: Vec<DayJson>,
}

#[derive(Serialize)]
struct YearJson<'a> {
    year: i32,
    provisional: bool,
    source: &'a str,
    files: &'a [String],
    working_days: u32,
    months: Vec<MonthJson>,
}

fn month_days(year: i32, month: u32) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(year, month, 1);
    while let Some(cur) = d {
        if cur.month() != month {
            break;
        }
        out.push(cur);
        d = cur.succ_opt();
    }
    out
}

fn show(cal: &Calendar, year: i32, lang: Lang, json: bool) -> anyhow::Result<()> {
    let Some(yc) = cal.year(year) else {
        // The same typed error deadline code gets, naming the file to add.
        let msg = match NaiveDate::from_ymd_opt(year, 1, 1).map(|d| cal.is_working_day(d)) {
            Some(Err(e)) => e.message(lang),
            _ => crate::tr!(lang, "không có lịch năm {year}", "no calendar for {year}"),
        };
        bail!(msg);
    };
    let mut months = Vec::new();
    let mut total = 0;
    for m in 1..=12 {
        let wd = cal.working_days_in_month(year, m)?;
        total += wd;
        let mut days = Vec::new();
        for d in month_days(year, m) {
            let info = cal.day_info(d)?;
            if matches!(info, DayInfo::Off(_) | DayInfo::MakeUp(_)) {
                days.push(DayJson { date: d, info });
            }
        }
        months.push(MonthJson {
            month: m,
            working_days: wd,
            days,
        });
    }
    if json {
        let out = YearJson {
            year,
            provisional: yc.provisional,
            source: &yc.source,
            files: &yc.files,
            working_days: total,
            months,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }

    println!(
        "{}",
        crate::tr!(lang, "Lịch làm việc năm {year}", "Working calendar {year}")
    );
    if yc.provisional {
        println!(
            "{}",
            lang.pick(
                "TẠM TÍNH: chưa có quyết định của Thủ tướng về lịch nghỉ năm này.",
                "PROVISIONAL: the Prime Minister's decision for this year is not known yet."
            )
        );
    }
    println!(
        "{}: {}",
        lang.pick("Tệp", "Files"),
        clean(&yc.files.join(", "))
    );
    if !yc.source.is_empty() {
        println!("{}: {}", lang.pick("Nguồn", "Source"), yc.source);
    }
    println!(
        "{}",
        lang.pick(
            "Ký hiệu: * ngày nghỉ (lễ, nghỉ bù, hoán đổi, địa phương), + ngày làm bù, ? chưa xác nhận",
            "Legend: * day off (holiday, substitute, swapped, local), + make-up working day, ? not confirmed"
        )
    );
    let header = lang.pick(" T2  T3  T4  T5  T6  T7  CN", " Mo  Tu  We  Th  Fr  Sa  Su");
    for mj in &months {
        let m = mj.month;
        println!();
        println!(
            "{}",
            crate::tr!(
                lang,
                "Tháng {m}/{year} — {} ngày làm việc",
                "{m}/{year} — {} working days",
                mj.working_days
            )
        );
        println!("{header}");
        let days = month_days(year, m);
        let mut line = String::new();
        if let Some(first) = days.first() {
            for _ in 0..first.weekday().num_days_from_monday() {
                line.push_str("    ");
            }
        }
        for d in &days {
            let mark = match cal.day_info(*d)? {
                DayInfo::Off(o) if !o.confirmed => '?',
                DayInfo::Off(_) => '*',
                DayInfo::MakeUp(_) => '+',
                _ => ' ',
            };
            line.push_str(&format!("{:>3}{mark}", d.day()));
            if d.weekday() == chrono::Weekday::Sun {
                println!("{}", line.trim_end());
                line.clear();
            }
        }
        if !line.trim().is_empty() {
            println!("{}", line.trim_end());
        }
        // Consecutive days with the same entry are shown as one range.
        let mut i = 0;
        while i < mj.days.len() {
            let first = &mj.days[i];
            let mut j = i;
            while j + 1 < mj.days.len()
                && mj.days[j + 1].info == first.info
                && mj.days[j].date.succ_opt() == Some(mj.days[j + 1].date)
            {
                j += 1;
            }
            let last = &mj.days[j];
            let unconfirmed = match &first.info {
                DayInfo::Off(o) => !o.confirmed,
                DayInfo::MakeUp(m) => !m.confirmed,
                _ => false,
            };
            let when = if i == j {
                format!(
                    "{} {}",
                    first.date.format("%d/%m"),
                    weekday_name(first.date.weekday(), lang)
                )
            } else {
                format!(
                    "{}–{}",
                    first.date.format("%d/%m"),
                    last.date.format("%d/%m")
                )
            };
            println!(
                "  {when:<16} {}{}",
                first.info.describe(lang),
                if unconfirmed {
                    lang.pick(" (chưa xác nhận)", " (not confirmed)")
                } else {
                    ""
                }
            );
            i = j + 1;
        }
    }
    println!();
    println!(
        "{}",
        crate::tr!(
            lang,
            "Cả năm {year}: {total} ngày làm việc",
            "Year {year}: {total} working days"
        )
    );
    Ok(())
}

fn print_reports(reports: &[FileReport], lang: Lang, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(reports)?);
    } else {
        for r in reports {
            if r.ok() {
                let year = r.year.map(|y| y.to_string()).unwrap_or_default();
                let wd = r
                    .working_days
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into());
                println!(
                    "{}",
                    crate::tr!(
                        lang,
                        "OK   {}: năm {year}, {} ngày nghỉ, {} ngày làm bù, {wd} ngày làm việc",
                        "OK   {}: year {year}, {} days off, {} make-up days, {wd} working days",
                        clean(&r.file),
                        r.days_off,
                        r.make_up_days
                    )
                );
            } else {
                for e in &r.errors {
                    println!("{} {}", lang.pick("LỖI", "ERROR"), clean(&e.message(lang)));
                }
            }
            for (vi, en) in &r.warnings {
                println!("     {}: {}", lang.pick("lưu ý", "note"), lang.pick(vi, en));
            }
        }
    }
    let bad = reports.iter().filter(|r| !r.ok()).count();
    if bad > 0 {
        bail!(crate::tr!(
            lang,
            "{bad} tệp lịch không hợp lệ",
            "{bad} invalid calendar file(s)"
        ));
    }
    Ok(())
}

/// Run `bientap calendar …`. `extra_dir` is the board's calendar directory (may not exist).
pub fn run(
    cmd: &CalendarCmd,
    extra_dir: Option<&Path>,
    lang: Lang,
    json: bool,
) -> anyhow::Result<()> {
    match cmd {
        CalendarCmd::Show { year } => {
            let cal = load_calendar(extra_dir).map_err(|e| anyhow::anyhow!(e.message(lang)))?;
            show(&cal, *year, lang, json)
        }
        CalendarCmd::Check { files } => {
            let reports = if files.is_empty() {
                let mut r = check_bundled();
                if let Some(dir) = extra_dir {
                    let mut user: Vec<PathBuf> = match std::fs::read_dir(dir) {
                        Ok(rd) => rd
                            .filter_map(|e| e.ok().map(|e| e.path()))
                            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                            .collect(),
                        Err(_) => Vec::new(),
                    };
                    user.sort();
                    r.extend(check_files(&user));
                }
                r
            } else {
                check_files(files)
            };
            print_reports(&reports, lang, json)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_a_held_year_and_refuse_a_missing_one() {
        assert!(run(&CalendarCmd::Show { year: 2026 }, None, Lang::Vi, false).is_ok());
        assert!(run(&CalendarCmd::Show { year: 2027 }, None, Lang::En, true).is_ok());
        let e = run(&CalendarCmd::Show { year: 2030 }, None, Lang::En, false).unwrap_err();
        assert!(e.to_string().contains("2030.toml"), "{e}");
    }

    #[test]
    fn check_fails_on_a_bad_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("2028.toml");
        std::fs::write(
            &good,
            "year = 2028\nprovisional = true\n[[holidays]]\ndate = \"2028-01-03\"\n\
             kind = \"substitute\"\nname_vi = \"Nghỉ bù\"\nname_en = \"Substitute\"\n",
        )
        .unwrap();
        assert!(run(
            &CalendarCmd::Check {
                files: vec![good.clone()]
            },
            None,
            Lang::Vi,
            false
        )
        .is_ok());
        // No files: the bundled ones and the board's directory.
        assert!(run(
            &CalendarCmd::Check { files: vec![] },
            Some(dir.path()),
            Lang::Vi,
            false
        )
        .is_ok());
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "year = 2028\n[[make_up_days]]\ndate = \"2028-01-04\"\nname_vi = \"x\"\nname_en = \"x\"\n").unwrap();
        assert!(run(
            &CalendarCmd::Check {
                files: vec![good, bad]
            },
            None,
            Lang::En,
            true
        )
        .is_err());
        assert!(run(
            &CalendarCmd::Check { files: vec![] },
            Some(dir.path()),
            Lang::Vi,
            false
        )
        .is_err());
    }
}
