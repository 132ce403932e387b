//! Due times: the deadline engine (domain) over the board's calendar (profile files), applied to
//! stored items and shown by the CLI and the console.

use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use chrono::{DateTime, Utc};

use crate::domain::calendar::Calendar;
use crate::domain::deadline::{self, AnchorFlag, OfficeHours};
use crate::domain::profile::{Anchor, DeadlineRule, Profile};
use crate::i18n::Lang;
use crate::store::{parse_ts, ts, Item, Store};

/// The calendar in use: bundled years plus the board's own files (`<data dir>/calendars/`).
static CALENDAR: OnceLock<RwLock<Arc<Result<Calendar, String>>>> = OnceLock::new();

fn cell() -> &'static RwLock<Arc<Result<Calendar, String>>> {
    CALENDAR.get_or_init(|| {
        RwLock::new(Arc::new(
            crate::profile::calendar::bundled_calendar().map_err(|e| e.message(Lang::En)),
        ))
    })
}

/// Load the calendar for a database: bundled years overlaid with the board's directory.
/// A bad calendar file is reported once here; due times then say "unknown".
pub fn load_for_db(db: &Path) -> Result<(), String> {
    let dir = crate::profile::calendar::user_dir_for_db(db);
    let cal = crate::profile::calendar::load_calendar(Some(&dir));
    let (value, err) = match cal {
        Ok(c) => (Ok(c), None),
        Err(e) => {
            let m = e.message(Lang::Vi) + " / " + &e.message(Lang::En);
            (Err(m.clone()), Some(m))
        }
    };
    if let Ok(mut w) = cell().write() {
        *w = Arc::new(value);
    }
    match err {
        Some(m) => Err(m),
        None => Ok(()),
    }
}

/// The calendar in use.
pub fn calendar() -> Arc<Result<Calendar, String>> {
    match cell().read() {
        Ok(r) => r.clone(),
        Err(_) => Arc::new(Err("calendar lock poisoned".into())),
    }
}

fn hours(p: &Profile) -> OfficeHours {
    OfficeHours::from_seasons(&p.admin_hours).unwrap_or_else(|_| OfficeHours::standard())
}

/// The deadline rule that applies to an item: the secretary's override, else its category's.
pub fn rule_for<'p>(p: &'p Profile, item: &Item) -> Option<&'p DeadlineRule> {
    let code = item
        .rule_override
        .clone()
        .or_else(|| p.category(&item.category).and_then(|c| c.deadline.clone()))?;
    p.deadline(&code)
}

/// The anchor of an item for a rule: the override, else the date the rule counts from, else
/// the receipt (flagged by the caller when it falls back).
pub fn anchor_for(rule: &DeadlineRule, item: &Item) -> (DateTime<Utc>, bool) {
    let pick = |s: &Option<String>| s.as_deref().and_then(parse_ts);
    let received = parse_ts(&item.received_at).unwrap_or_else(Utc::now);
    if let Some(a) = pick(&item.anchor_at) {
        return (a, false);
    }
    let specific = match rule.anchor {
        Anchor::Event => pick(&item.event_at),
        Anchor::Issuance => pick(&item.issued_at),
        Anchor::Receipt => Some(received),
        _ => pick(&item.event_at).or_else(|| pick(&item.issued_at)),
    };
    match specific {
        Some(a) => (a, false),
        None => (received, true),
    }
}

/// The computed due time of an item, or why there is none.
#[derive(Debug, Clone)]
pub enum DueCalc {
    /// The item's category has no deadline rule.
    NoRule,
    Due {
        at: DateTime<Utc>,
        rule: String,
        explain_vi: String,
        explain_en: String,
        flags: Vec<String>,
        /// The anchor the rule needs was missing; the receipt was used.
        anchor_fallback: bool,
    },
    /// The calendar lacks a year, or a file is bad.
    Unknown { vi: String, en: String },
}

pub fn compute(p: &Profile, item: &Item, now: DateTime<Utc>) -> DueCalc {
    let Some(rule) = rule_for(p, item) else {
        return DueCalc::NoRule;
    };
    let (anchor, fallback) = anchor_for(rule, item);
    let cal = calendar();
    let cal = match cal.as_ref() {
        Ok(c) => c,
        Err(e) => {
            return DueCalc::Unknown {
                vi: e.clone(),
                en: e.clone(),
            }
        }
    };
    match deadline::due_as_of(rule, anchor, now, item.extended, cal, &hours(p)) {
        Ok(d) => DueCalc::Due {
            at: d.at,
            rule: d.rule_code.clone(),
            explain_vi: d.explain_vi.clone(),
            explain_en: d.explain_en.clone(),
            flags: d
                .flags
                .iter()
                .map(|f: &AnchorFlag| f.message(Lang::Vi))
                .collect(),
            anchor_fallback: fallback,
        },
        Err(e) => DueCalc::Unknown {
            vi: e.message(Lang::Vi),
            en: e.message(Lang::En),
        },
    }
}

/// The value to store in `items.due_at`.
pub fn due_column(p: &Profile, item: &Item, now: DateTime<Utc>) -> Option<String> {
    match compute(p, item, now) {
        DueCalc::Due { at, .. } => Some(ts(at)),
        _ => None,
    }
}

/// Install the due-time hook on a store (used inside every transaction that may change it).
pub fn install(store: &mut Store) {
    let _ = load_for_db(store.path());
    store.set_due_hook(Arc::new(|p: &Profile, item: &Item| {
        due_column(p, item, Utc::now())
    }));
}

/// "17:00 thứ Năm 05/03/2026 · còn 2 ngày 1 giờ" — or "—" when the item has no due time.
pub fn due_text(p: &Profile, due: Option<&str>, now: DateTime<Utc>, lang: Lang) -> String {
    let Some(d) = due.and_then(parse_ts) else {
        return "—".into();
    };
    let left = remaining_text(p, d, now, lang);
    format!("{} · {}", short_local(d), left)
}

/// The due time to show for an item in this state: none once its deadline no longer runs
/// (published, refused, withdrawn, or waiting on the submitter).
pub fn running(state: crate::domain::item::State, due: Option<&str>) -> Option<&str> {
    due.filter(|_| state.deadline_runs())
}

/// The queue's due cell: time left first (what the eye needs), the date too when wide.
pub fn due_cell(
    p: &Profile,
    due: Option<&str>,
    now: DateTime<Utc>,
    lang: Lang,
    wide: bool,
) -> String {
    let Some(d) = due.and_then(parse_ts) else {
        return "—".into();
    };
    let left = remaining_text(p, d, now, lang);
    let left = if left.is_empty() {
        short_local(d)
    } else {
        left
    };
    if wide {
        format!("{left} ({})", short_local(d))
    } else {
        left
    }
}

/// The due cell at phone widths (at most 9 columns): "-6n" / "-6d" (six working days
/// overdue), "-3g" / "-3h", "-45p" / "-45m"; "còn 2n 1g" / "in 2d 1h", "còn 12n" / "in 12d",
/// "còn 3g" / "in 3h", "còn 45p" / "in 45m"; "đến hạn" / "due now"; "—" without a due time.
/// The queue's ‼ and ! marks go with it, so the state never rests on colour alone.
pub fn due_short(p: &Profile, due: Option<&str>, now: DateTime<Utc>, lang: Lang) -> String {
    let Some(d) = due.and_then(parse_ts) else {
        return "—".into();
    };
    let rem = remaining_at(p, d, now);
    match rem {
        Some(r) => short_remaining(&r, lang),
        None if d < now => lang.pick("quá hạn", "overdue").into(),
        None => deadline::to_local(d).format("%d/%m").to_string(),
    }
}

/// The compact form of a `Remaining` (see `due_short`).
pub fn short_remaining(r: &deadline::Remaining, lang: Lang) -> String {
    let (d, h, m) = (
        lang.pick("n", "d"),
        lang.pick("g", "h"),
        lang.pick("p", "m"),
    );
    if r.overdue {
        let (hh, mm) = (r.office_minutes / 60, r.office_minutes % 60);
        return if r.working_days > 0 {
            format!("-{}{d}", r.working_days)
        } else if hh > 0 {
            format!("-{hh}{h}")
        } else if mm > 0 {
            format!("-{mm}{m}")
        } else {
            lang.pick("quá hạn", "overdue").into()
        };
    }
    let dm = r.day_minutes.max(1);
    let days = r.office_minutes / dm;
    let rest = r.office_minutes % dm;
    let (hh, mm) = (rest / 60, rest % 60);
    let left = if days > 0 && hh > 0 && days < 10 {
        format!("{days}{d} {hh}{h}")
    } else if days > 0 {
        format!("{days}{d}")
    } else if hh > 0 {
        format!("{hh}{h}")
    } else if mm > 0 {
        format!("{mm}{m}")
    } else {
        return lang.pick("đến hạn", "due now").into();
    };
    crate::tr!(lang, "còn {left}", "in {left}")
}

/// Only the time left (or overdue by), for narrow columns.
pub fn remaining_text(p: &Profile, d: DateTime<Utc>, now: DateTime<Utc>, lang: Lang) -> String {
    let cal = calendar();
    match cal.as_ref() {
        Ok(c) => match deadline::remaining(d, now, c, &hours(p)) {
            Ok(r) => r.display(lang),
            Err(_) => {
                if d < now {
                    lang.pick("quá hạn", "overdue").into()
                } else {
                    String::new()
                }
            }
        },
        Err(_) => String::new(),
    }
}

/// Working days and office minutes left (negative when overdue), for colouring.
pub fn remaining_parts(
    p: &Profile,
    d: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<(bool, i64, i64)> {
    let r = remaining_at(p, d, now)?;
    Some((r.overdue, r.working_days, r.office_minutes))
}

/// Working time from `now` to `d` on the board's calendar (None: a year without calendar).
fn remaining_at(p: &Profile, d: DateTime<Utc>, now: DateTime<Utc>) -> Option<deadline::Remaining> {
    let cal = calendar();
    let c = cal.as_ref().as_ref().ok()?;
    deadline::remaining(d, now, c, &hours(p)).ok()
}

fn short_local(d: DateTime<Utc>) -> String {
    deadline::to_local(d).format("%d/%m %H:%M").to_string()
}

pub fn due_json(p: &Profile, due: Option<&str>, now: DateTime<Utc>) -> serde_json::Value {
    let Some(d) = due.and_then(parse_ts) else {
        return serde_json::Value::Null;
    };
    let rem = remaining_at(p, d, now);
    serde_json::json!({
        "at": ts(d),
        "local": deadline::to_local(d).format("%Y-%m-%dT%H:%M:%S+07:00").to_string(),
        "overdue": rem.as_ref().map(|r| r.overdue).unwrap_or(d < now),
        "working_days_left": rem.as_ref().map(|r| r.working_days),
        "office_minutes_left": rem.as_ref().map(|r| r.office_minutes),
        "text_vi": rem.as_ref().map(|r| r.display(Lang::Vi)),
        "text_en": rem.as_ref().map(|r| r.display(Lang::En)),
    })
}

/// Recompute every open item's due time (after a calendar change, and by the demo).
pub fn recompute_all(store: &mut Store, now: DateTime<Utc>) -> crate::store::Result<usize> {
    let p = store.profile().clone();
    let ids: Vec<i64> = {
        let mut stmt = store.conn().prepare("SELECT id FROM items")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut changed = Vec::new();
    for id in ids {
        let item = store.item(id)?;
        let d = due_column(&p, &item, now);
        if d != item.due_at {
            changed.push((id, d));
        }
    }
    let n = changed.len();
    store.write(|tx| {
        for (id, d) in &changed {
            tx.execute(
                "UPDATE items SET due_at = ?2 WHERE id = ?1",
                rusqlite::params![id, d],
            )?;
        }
        Ok(())
    })?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deadline::Remaining;

    fn r(overdue: bool, working_days: i64, office_minutes: i64) -> Remaining {
        Remaining {
            overdue,
            working_days,
            office_minutes,
            day_minutes: 480,
        }
    }

    #[test]
    fn short_due_forms_fit_the_phone_column() {
        let cases = [
            (r(true, 19, 19 * 480), "-19n", "-19d"),
            (r(true, 0, 200), "-3g", "-3h"),
            (r(true, 0, 45), "-45p", "-45m"),
            (r(true, 0, 0), "quá hạn", "overdue"),
            (r(false, 3, 2 * 480 + 60), "còn 2n 1g", "in 2d 1h"),
            (r(false, 13, 12 * 480 + 300), "còn 12n", "in 12d"),
            (r(false, 1, 200), "còn 3g", "in 3h"),
            (r(false, 1, 45), "còn 45p", "in 45m"),
            (r(false, 0, 0), "đến hạn", "due now"),
        ];
        for (rem, vi, en) in cases {
            assert_eq!(short_remaining(&rem, Lang::Vi), vi);
            assert_eq!(short_remaining(&rem, Lang::En), en);
            for l in [Lang::Vi, Lang::En] {
                let w = unicode_width::UnicodeWidthStr::width(short_remaining(&rem, l).as_str());
                assert!(w <= 9, "{rem:?} is {w} wide");
            }
        }
    }
}
