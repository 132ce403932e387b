//! Loading calendar files: one TOML file per year (see `docs/deadlines.md`).
//!
//! The bundled years (`assets/calendars/*.toml`) are embedded in the binary. A board adds or
//! corrects years in its own directory (e.g. `calendars/` next to the database): each `*.toml`
//! there is read in file-name order and laid over the bundled year (`mode = "extend"`, the
//! default: its entries win date by date, `[[cancel]]` removes bundled entries) or replaces it
//! (`mode = "replace"`). A year no file covers stays missing: deadlines in it are "unknown".

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::domain::calendar::{is_weekend, Calendar, DayOff, DayOffKind, MakeUpDay, YearCalendar};
use crate::i18n::Lang;

/// The bundled calendar files: (file name, text).
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "assets/calendars/2025.toml",
        include_str!("../../assets/calendars/2025.toml"),
    ),
    (
        "assets/calendars/2026.toml",
        include_str!("../../assets/calendars/2026.toml"),
    ),
    (
        "assets/calendars/2027.toml",
        include_str!("../../assets/calendars/2027.toml"),
    ),
];

/// Name of the board's calendar directory, conventionally next to the database.
pub const USER_DIR_NAME: &str = "calendars";

/// The conventional user calendar directory for a database file: `<db dir>/calendars`.
pub fn user_dir_for_db(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(USER_DIR_NAME)
}

/// A calendar file that cannot be read or is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarFileError {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub reason_vi: String,
    pub reason_en: String,
}

impl CalendarFileError {
    pub fn message(&self, lang: Lang) -> String {
        let reason = lang.pick(&self.reason_vi, &self.reason_en);
        match self.line {
            Some(l) => crate::tr!(
                lang,
                "{}, dòng {l}: {reason}",
                "{}, line {l}: {reason}",
                self.file
            ),
            None => format!("{}: {reason}", self.file),
        }
    }
}

impl fmt::Display for CalendarFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message(Lang::Vi), self.reason_en)
    }
}

impl std::error::Error for CalendarFileError {}

/// How a file combines with a year already loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverlayMode {
    /// Entries win date by date; `[[cancel]]` removes earlier entries.
    Extend,
    /// The file is the whole year.
    Replace,
}

/// One parsed, validated calendar file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFile {
    pub year: YearCalendar,
    pub mode: OverlayMode,
    /// Dates whose earlier entries are removed before this file's entries apply.
    pub cancel: Vec<NaiveDate>,
    /// Whether the file sets `provisional` (an extending file without it keeps the bundled flag).
    pub sets_provisional: bool,
    /// Non-fatal remarks (vi, en).
    pub warnings: Vec<(String, String)>,
}

// ---- TOML shapes -------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    year: Spanned<i64>,
    #[serde(default)]
    provisional: Option<bool>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    mode: Option<Spanned<String>>,
    #[serde(default)]
    holidays: Vec<Spanned<DayOffToml>>,
    #[serde(default)]
    local_days_off: Vec<Spanned<DayOffToml>>,
    #[serde(default)]
    make_up_days: Vec<Spanned<MakeUpToml>>,
    #[serde(default)]
    cancel: Vec<Spanned<CancelToml>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DayOffToml {
    #[serde(default)]
    date: Option<Spanned<toml::Value>>,
    #[serde(default)]
    from: Option<Spanned<toml::Value>>,
    #[serde(default)]
    to: Option<Spanned<toml::Value>>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    name_vi: String,
    name_en: String,
    #[serde(default)]
    basis: String,
    #[serde(default = "yes")]
    confirmed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MakeUpToml {
    date: Spanned<toml::Value>,
    #[serde(default)]
    replaces: Option<Spanned<toml::Value>>,
    name_vi: String,
    name_en: String,
    #[serde(default)]
    basis: String,
    #[serde(default = "yes")]
    confirmed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelToml {
    #[serde(default)]
    date: Option<Spanned<toml::Value>>,
    #[serde(default)]
    from: Option<Spanned<toml::Value>>,
    #[serde(default)]
    to: Option<Spanned<toml::Value>>,
    #[serde(default)]
    note: String,
}

fn yes() -> bool {
    true
}

// ---- parsing -----------------------------------------------------------------------------

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn err(
        &self,
        span: Option<std::ops::Range<usize>>,
        vi: String,
        en: String,
    ) -> CalendarFileError {
        CalendarFileError {
            file: self.file.to_string(),
            line: span.map(|s| self.line_of(s.start)),
            reason_vi: vi,
            reason_en: en,
        }
    }

    fn date(&self, v: &Spanned<toml::Value>) -> Result<NaiveDate, CalendarFileError> {
        let text = match v.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(dt) => dt.to_string(),
            other => other.to_string(),
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            self.err(
                Some(v.span()),
                format!("ngày không hợp lệ «{text}»: cần dạng YYYY-MM-DD"),
                format!("invalid date “{text}”: expected YYYY-MM-DD"),
            )
        })
    }

    /// Dates of an entry given as `date` or as `from`/`to` (inclusive).
    fn dates(
        &self,
        span: std::ops::Range<usize>,
        date: &Option<Spanned<toml::Value>>,
        from: &Option<Spanned<toml::Value>>,
        to: &Option<Spanned<toml::Value>>,
        year: i32,
    ) -> Result<Vec<NaiveDate>, CalendarFileError> {
        let (a, b) = match (date, from, to) {
            (Some(d), None, None) => {
                let d = self.date(d)?;
                (d, d)
            }
            (None, Some(f), Some(t)) => (self.date(f)?, self.date(t)?),
            _ => {
                return Err(self.err(
                    Some(span),
                    "cần hoặc `date`, hoặc cả `from` và `to`".into(),
                    "give either `date` or both `from` and `to`".into(),
                ))
            }
        };
        if b < a {
            return Err(self.err(
                Some(span),
                format!("`to` ({b}) trước `from` ({a})"),
                format!("`to` ({b}) is before `from` ({a})"),
            ));
        }
        if (b - a).num_days() > 31 {
            return Err(self.err(
                Some(span),
                "khoảng ngày dài quá 31 ngày".into(),
                "the range is longer than 31 days".into(),
            ));
        }
        if a.year() != year || b.year() != year {
            return Err(self.err(
                Some(span),
                format!(
                    "ngày {a}…{b} không thuộc năm {year} của tệp (khoảng qua năm mới: tách vào tệp của từng năm)"
                ),
                format!(
                    "dates {a}…{b} are outside the file's year {year} (a range over the new year: split it into each year's file)"
                ),
            ));
        }
        let mut out = Vec::new();
        let mut cur = a;
        while cur <= b {
            out.push(cur);
            match cur.checked_add_days(Days::new(1)) {
                Some(n) => cur = n,
                None => break,
            }
        }
        Ok(out)
    }

    fn text_ok(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        s: &str,
        required: bool,
    ) -> Result<(), CalendarFileError> {
        if required && s.trim().is_empty() {
            return Err(self.err(
                Some(span),
                format!("thiếu `{field}`"),
                format!("`{field}` is empty"),
            ));
        }
        if let Some(c) = s.chars().find(|&c| is_unsafe_char(c)) {
            return Err(self.err(
                Some(span),
                format!("`{field}` chứa ký tự điều khiển U+{:04X}", c as u32),
                format!(
                    "`{field}` contains the control character U+{:04X}",
                    c as u32
                ),
            ));
        }
        Ok(())
    }
}

/// Control and bidirectional-override characters are refused in names (they would reach the
/// terminal unfiltered through CLI output).
fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Parse and validate one calendar file. `file` is only used in error messages.
pub fn parse_calendar_file(file: &str, text: &str) -> Result<CalendarFile, CalendarFileError> {
    let ctx = Ctx { file, text };
    let raw: FileToml = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().to_string();
        ctx.err(
            e.span(),
            format!("TOML không hợp lệ: {msg}"),
            format!("invalid TOML: {msg}"),
        )
    })?;
    let year_v = *raw.year.get_ref();
    if !(1990..=2200).contains(&year_v) {
        return Err(ctx.err(
            Some(raw.year.span()),
            format!("năm {year_v} ngoài khoảng 1990–2200"),
            format!("year {year_v} is outside 1990–2200"),
        ));
    }
    let year = year_v as i32;
    let mode = match &raw.mode {
        None => OverlayMode::Extend,
        Some(m) => match m.get_ref().as_str() {
            "extend" => OverlayMode::Extend,
            "replace" => OverlayMode::Replace,
            other => {
                return Err(ctx.err(
                    Some(m.span()),
                    format!("`mode` phải là \"extend\" hoặc \"replace\", không phải «{other}»"),
                    format!("`mode` must be \"extend\" or \"replace\", not “{other}”"),
                ))
            }
        },
    };
    ctx.text_ok(0..0, "source", &raw.source, false)?;

    let mut y = YearCalendar::new(year);
    y.provisional = raw.provisional.unwrap_or(false);
    y.source = raw.source.trim().to_string();
    y.files.push(file.to_string());
    let mut seen: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut warnings = Vec::new();
    let mut unconfirmed = 0usize;

    let day_off_lists = [(&raw.holidays, false), (&raw.local_days_off, true)];
    for (list, local) in day_off_lists {
        for entry in list {
            let span = entry.span();
            let h = entry.get_ref();
            ctx.text_ok(span.clone(), "name_vi", &h.name_vi, true)?;
            ctx.text_ok(span.clone(), "name_en", &h.name_en, true)?;
            ctx.text_ok(span.clone(), "basis", &h.basis, false)?;
            let kind = if local {
                if let Some(k) = &h.kind {
                    return Err(ctx.err(
                        Some(k.span()),
                        "`kind` không dùng trong [[local_days_off]]".into(),
                        "`kind` is not used in [[local_days_off]]".into(),
                    ));
                }
                DayOffKind::Local
            } else {
                match h.kind.as_ref().map(|k| (k.get_ref().as_str(), k.span())) {
                    None | Some(("holiday", _)) => DayOffKind::Holiday,
                    Some(("substitute", _)) => DayOffKind::Substitute,
                    Some(("swapped", _)) => DayOffKind::Swapped,
                    Some(("local", _)) => DayOffKind::Local,
                    Some((other, sp)) => {
                        return Err(ctx.err(
                            Some(sp),
                            format!("`kind` «{other}» không hợp lệ: holiday, substitute, swapped hoặc local"),
                            format!("invalid `kind` “{other}”: holiday, substitute, swapped or local"),
                        ))
                    }
                }
            };
            if !h.confirmed {
                unconfirmed += 1;
            }
            for d in ctx.dates(span.clone(), &h.date, &h.from, &h.to, year)? {
                if !seen.insert(d) {
                    return Err(ctx.err(
                        Some(span),
                        format!("ngày {d} được khai báo hai lần"),
                        format!("the date {d} is declared twice"),
                    ));
                }
                y.set_day_off(
                    d,
                    DayOff {
                        kind,
                        name_vi: h.name_vi.trim().to_string(),
                        name_en: h.name_en.trim().to_string(),
                        basis: h.basis.trim().to_string(),
                        confirmed: h.confirmed,
                    },
                );
            }
        }
    }

    for entry in &raw.make_up_days {
        let span = entry.span();
        let m = entry.get_ref();
        ctx.text_ok(span.clone(), "name_vi", &m.name_vi, true)?;
        ctx.text_ok(span.clone(), "name_en", &m.name_en, true)?;
        ctx.text_ok(span.clone(), "basis", &m.basis, false)?;
        let d = ctx.date(&m.date)?;
        if d.year() != year {
            return Err(ctx.err(
                Some(m.date.span()),
                format!("ngày làm bù {d} không thuộc năm {year} của tệp"),
                format!("the make-up day {d} is outside the file's year {year}"),
            ));
        }
        if !is_weekend(d) {
            return Err(ctx.err(
                Some(m.date.span()),
                format!("ngày làm bù {d} không phải thứ Bảy hay Chủ nhật"),
                format!("the make-up day {d} is not a Saturday or Sunday"),
            ));
        }
        if !seen.insert(d) {
            return Err(ctx.err(
                Some(span),
                format!("ngày {d} được khai báo hai lần"),
                format!("the date {d} is declared twice"),
            ));
        }
        let replaces = match &m.replaces {
            None => None,
            Some(r) => {
                let rd = ctx.date(r)?;
                if is_weekend(rd) {
                    return Err(ctx.err(
                        Some(r.span()),
                        format!("ngày được hoán đổi {rd} là ngày cuối tuần"),
                        format!("the replaced day {rd} is a weekend day"),
                    ));
                }
                if rd.year() == year && !y.days_off.contains_key(&rd) {
                    return Err(ctx.err(
                        Some(r.span()),
                        format!(
                            "ngày được hoán đổi {rd} chưa có trong [[holidays]] (khai báo với kind = \"swapped\")"
                        ),
                        format!(
                            "the replaced day {rd} is not listed in [[holidays]] (declare it with kind = \"swapped\")"
                        ),
                    ));
                }
                Some(rd)
            }
        };
        if !m.confirmed {
            unconfirmed += 1;
        }
        y.set_make_up(
            d,
            MakeUpDay {
                replaces,
                name_vi: m.name_vi.trim().to_string(),
                name_en: m.name_en.trim().to_string(),
                basis: m.basis.trim().to_string(),
                confirmed: m.confirmed,
            },
        );
    }

    let mut cancel = Vec::new();
    for entry in &raw.cancel {
        let span = entry.span();
        let c = entry.get_ref();
        ctx.text_ok(span.clone(), "note", &c.note, false)?;
        if mode == OverlayMode::Replace {
            return Err(ctx.err(
                Some(span),
                "[[cancel]] không dùng với mode = \"replace\"".into(),
                "[[cancel]] cannot be used with mode = \"replace\"".into(),
            ));
        }
        cancel.extend(ctx.dates(span, &c.date, &c.from, &c.to, year)?);
    }

    if y.provisional {
        warnings.push((
            format!("lịch năm {year} là tạm tính"),
            format!("the {year} calendar is provisional"),
        ));
    }
    if unconfirmed > 0 {
        warnings.push((
            format!("{unconfirmed} mục chưa được xác nhận chính thức"),
            format!("{unconfirmed} entries not officially confirmed"),
        ));
    }
    Ok(CalendarFile {
        year: y,
        mode,
        cancel,
        sets_provisional: raw.provisional.is_some(),
        warnings,
    })
}

/// Lay a parsed file over a calendar.
pub fn apply_file(cal: &mut Calendar, f: CalendarFile) {
    match f.mode {
        OverlayMode::Replace => cal.replace_year(f.year),
        OverlayMode::Extend => {
            let year = f.year.year;
            let mut y = f.year;
            if let Some(existing) = cal.year_mut(year) {
                for d in &f.cancel {
                    existing.clear_day(*d);
                }
                if !f.sets_provisional {
                    y.provisional = existing.provisional;
                }
            }
            cal.add_year(y);
        }
    }
}

/// The bundled years only.
pub fn bundled_calendar() -> Result<Calendar, CalendarFileError> {
    let mut cal = Calendar::new();
    for (name, text) in BUNDLED {
        apply_file(&mut cal, parse_calendar_file(name, text)?);
    }
    Ok(cal)
}

fn io_err(path: &Path, e: &std::io::Error) -> CalendarFileError {
    CalendarFileError {
        file: path.display().to_string(),
        line: None,
        reason_vi: format!("không đọc được tệp: {e}"),
        reason_en: format!("cannot read the file: {e}"),
    }
}

/// The `*.toml` files of a directory, sorted by name. A missing directory has none.
fn dir_files(dir: &Path) -> Result<Vec<PathBuf>, CalendarFileError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir, &e)),
    };
    let mut files = Vec::new();
    for ent in rd {
        let ent = ent.map_err(|e| io_err(dir, &e))?;
        let p = ent.path();
        if p.extension().is_some_and(|x| x == "toml") && p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

fn read_file(path: &Path) -> Result<CalendarFile, CalendarFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, &e))?;
    parse_calendar_file(&path.display().to_string(), &text)
}

/// The bundled years with the board's files from `extra_dir` laid over them (file-name order).
/// A missing directory is not an error; an unreadable or invalid file is.
pub fn load_calendar(extra_dir: Option<&Path>) -> Result<Calendar, CalendarFileError> {
    let mut cal = bundled_calendar()?;
    if let Some(dir) = extra_dir {
        cal.set_missing_hint(format!("{}/{{year}}.toml", dir.display()));
        for p in dir_files(dir)? {
            apply_file(&mut cal, read_file(&p)?);
        }
    }
    Ok(cal)
}

/// The result of checking one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub file: String,
    pub year: Option<i32>,
    pub provisional: bool,
    pub days_off: usize,
    pub make_up_days: usize,
    /// Working days in the year once the file is applied over the bundled calendar.
    pub working_days: Option<u32>,
    pub errors: Vec<CalendarFileError>,
    /// (vi, en)
    pub warnings: Vec<(String, String)>,
}

impl FileReport {
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

fn report(
    file: String,
    parsed: Result<CalendarFile, CalendarFileError>,
    base: &Calendar,
) -> FileReport {
    match parsed {
        Err(e) => FileReport {
            file,
            year: None,
            provisional: false,
            days_off: 0,
            make_up_days: 0,
            working_days: None,
            errors: vec![e],
            warnings: Vec::new(),
        },
        Ok(f) => {
            let year = f.year.year;
            let (days_off, make_up_days, provisional) = (
                f.year.days_off.len(),
                f.year.make_up.len(),
                f.year.provisional,
            );
            let warnings = f.warnings.clone();
            let mut cal = base.clone();
            apply_file(&mut cal, f);
            let working_days = (1..=12)
                .map(|m| cal.working_days_in_month(year, m))
                .sum::<Result<u32, _>>()
                .ok();
            FileReport {
                file,
                year: Some(year),
                provisional,
                days_off,
                make_up_days,
                working_days,
                errors: Vec::new(),
                warnings,
            }
        }
    }
}

/// Check files. Each user file is checked as laid over the bundled calendar.
pub fn check_files(paths: &[PathBuf]) -> Vec<FileReport> {
    let base = bundled_calendar().unwrap_or_default();
    paths
        .iter()
        .map(|p| report(p.display().to_string(), read_file(p), &base))
        .collect()
}

/// Check the bundled files (each on its own).
pub fn check_bundled() -> Vec<FileReport> {
    let empty = Calendar::new();
    BUNDLED
        .iter()
        .map(|(name, text)| report(name.to_string(), parse_calendar_file(name, text), &empty))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn bundled_files_are_valid() {
        for r in check_bundled() {
            assert!(r.ok(), "{:?}", r.errors);
        }
        let cal = bundled_calendar().unwrap();
        assert_eq!(cal.years(), vec![2025, 2026, 2027]);
        assert!(cal.year(2027).unwrap().provisional);
        assert!(!cal.year(2026).unwrap().provisional);
    }

    #[test]
    fn errors_name_the_line() {
        let text = "year = 2026\n\n[[holidays]]\ndate = \"2026-13-01\"\nname_vi = \"x\"\nname_en = \"x\"\n";
        let e = parse_calendar_file("a.toml", text).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message(Lang::En).contains("invalid date"));
        assert!(e.message(Lang::Vi).contains("dòng 4"));

        let text = "year = 2026\n[[holidays]]\ndate = \"2026-01-01\"\nname_vi = \"x\"\nname_en = \"x\"\ncolour = 1\n";
        let e = parse_calendar_file("a.toml", text).unwrap_err();
        assert!(e.line.is_some());
        assert!(e.reason_en.contains("colour"), "{}", e.reason_en);
    }

    #[test]
    fn validation_rules() {
        let bad = [
            // make-up day on a weekday
            "year = 2026\n[[make_up_days]]\ndate = \"2026-01-12\"\nname_vi = \"x\"\nname_en = \"x\"\n",
            // replaced day not declared
            "year = 2026\n[[make_up_days]]\ndate = \"2026-01-10\"\nreplaces = \"2026-01-02\"\nname_vi = \"x\"\nname_en = \"x\"\n",
            // date outside the year
            "year = 2026\n[[holidays]]\ndate = \"2027-01-01\"\nname_vi = \"x\"\nname_en = \"x\"\n",
            // duplicate date
            "year = 2026\n[[holidays]]\ndate = \"2026-01-01\"\nname_vi = \"x\"\nname_en = \"x\"\n[[local_days_off]]\nfrom = \"2025-12-31\"\nto = \"2026-01-01\"\nname_vi = \"x\"\nname_en = \"x\"\n",
            "year = 2026\n[[local_days_off]]\ndate = \"2026-03-02\"\nname_vi = \"x\"\nname_en = \"x\"\n[[local_days_off]]\ndate = \"2026-03-02\"\nname_vi = \"y\"\nname_en = \"y\"\n",
            // bidi control in a name
            "year = 2026\n[[holidays]]\ndate = \"2026-01-01\"\nname_vi = \"a\u{202E}b\"\nname_en = \"x\"\n",
            // empty name
            "year = 2026\n[[holidays]]\ndate = \"2026-01-01\"\nname_vi = \" \"\nname_en = \"x\"\n",
            // bad mode, bad kind
            "year = 2026\nmode = \"merge\"\n",
            "year = 2026\n[[holidays]]\ndate = \"2026-01-01\"\nkind = \"party\"\nname_vi = \"x\"\nname_en = \"x\"\n",
        ];
        for t in bad {
            assert!(parse_calendar_file("t.toml", t).is_err(), "accepted: {t}");
        }
        // TOML dates are accepted as well as strings.
        let ok = "year = 2026\n[[local_days_off]]\ndate = 2026-03-02\nname_vi = \"Ngày hội\"\nname_en = \"Fair\"\n";
        let f = parse_calendar_file("t.toml", ok).unwrap();
        assert!(f.year.days_off.contains_key(&d(2026, 3, 2)));
    }

    #[test]
    fn user_directory_overlays_bundled_years() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("2026-local.toml"),
            "year = 2026\n[[cancel]]\ndate = \"2026-09-01\"\nnote = \"quyết định mới\"\n\
             [[holidays]]\ndate = \"2026-09-03\"\nname_vi = \"Quốc khánh (liền kề)\"\nname_en = \"National Day\"\n\
             [[local_days_off]]\ndate = \"2026-03-02\"\nname_vi = \"Ngày hội tỉnh\"\nname_en = \"Provincial day\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("2028.toml"),
            "year = 2028\nprovisional = true\n[[holidays]]\ndate = \"2028-01-03\"\nkind = \"substitute\"\n\
             name_vi = \"Nghỉ bù Tết Dương lịch\"\nname_en = \"New Year substitute\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("README.txt"), "not a calendar").unwrap();
        let cal = load_calendar(Some(dir.path())).unwrap();
        assert_eq!(cal.years(), vec![2025, 2026, 2027, 2028]);
        assert!(cal.is_working_day(d(2026, 9, 1)).unwrap());
        assert!(!cal.is_working_day(d(2026, 9, 3)).unwrap());
        assert!(!cal.is_working_day(d(2026, 3, 2)).unwrap());
        // Bundled entries the file does not touch remain.
        assert!(!cal.is_working_day(d(2026, 2, 16)).unwrap());
        assert!(cal.is_working_day(d(2026, 1, 10)).unwrap());
        assert!(!cal.year(2026).unwrap().provisional);
        assert!(!cal.is_working_day(d(2028, 1, 3)).unwrap());
        let e = cal.is_working_day(d(2029, 1, 2)).unwrap_err();
        assert!(e
            .message(Lang::En)
            .contains(&dir.path().join("2029.toml").display().to_string()));

        // A bad user file is an error naming it.
        std::fs::write(dir.path().join("bad.toml"), "year = \"x\"\n").unwrap();
        let e = load_calendar(Some(dir.path())).unwrap_err();
        assert!(e.file.ends_with("bad.toml"));
        let reports = check_files(&[dir.path().join("bad.toml"), dir.path().join("2028.toml")]);
        assert!(!reports[0].ok());
        assert!(reports[1].ok());
        assert!(reports[1].provisional);
    }

    #[test]
    fn replace_mode_drops_bundled_entries() {
        let mut cal = bundled_calendar().unwrap();
        let f = parse_calendar_file(
            "r.toml",
            "year = 2026\nmode = \"replace\"\n[[holidays]]\ndate = \"2026-01-01\"\nname_vi = \"x\"\nname_en = \"x\"\n",
        )
        .unwrap();
        apply_file(&mut cal, f);
        assert!(cal.is_working_day(d(2026, 2, 16)).unwrap());
        assert!(!cal.is_working_day(d(2026, 1, 1)).unwrap());
    }

    #[test]
    fn missing_dir_is_not_an_error() {
        let cal = load_calendar(Some(Path::new("/nonexistent/bientap/calendars"))).unwrap();
        assert_eq!(cal.years(), vec![2025, 2026, 2027]);
    }
}
