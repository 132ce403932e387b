//! The SQL behind the reports: indexed range queries on `items.received_at`,
//! `items.published_at` and `audit.at`, then aggregation in Rust.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use rusqlite::params;

use super::{
    percentile, ContributedItem, Contributor, Counts, DayRow, DeadlineRow, GroupRow, Header,
    LateMeasure, MemberQuotaRow, Period, PeriodReport, Produced, QuotaInfo, QuotaStatus, ReasonRow,
    ReportError, StateTimeRow, UnitQuotaRow,
};
use crate::domain::calendar::Calendar;
use crate::domain::deadline::{self, to_local, OfficeHours};
use crate::domain::item::State;
use crate::domain::profile::{PeriodUnit, Profile, Quota, QuotaPer, QuotaSubject, ReasonKind};
use crate::i18n::Lang;
use crate::store::{parse_ts, Store};

/// On time, late, and the late items' (lateness, id), per deadline rule.
type RuleTally = (u64, u64, Vec<(f64, i64)>);

/// A published item, as the reports need it.
#[derive(Debug, Clone)]
pub(crate) struct PubItem {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub unit: String,
    pub rule_override: Option<String>,
    pub due_at: Option<String>,
    pub published_at: String,
    /// Author, else submitter; masked when the submitter asked for confidentiality.
    pub contributor: String,
    pub src_author: String,
}

/// Name shown for a contributor who asked to stay confidential (000 Điều 4.2).
pub(crate) fn confidential_name(id: i64, lang: Lang) -> String {
    crate::tr!(
        lang,
        "(giữ bí mật, tin #{id})",
        "(confidential, item #{id})"
    )
}

pub(crate) fn published_items(
    store: &Store,
    start: &str,
    end: &str,
    lang: Lang,
) -> Result<Vec<PubItem>, ReportError> {
    let mut stmt = store.conn().prepare(
        "SELECT id, title, category, unit, rule_override, due_at, published_at, src_author,
                sub_name, sub_confidential
         FROM items WHERE published_at >= ?1 AND published_at < ?2
         ORDER BY published_at, id",
    )?;
    let rows = stmt.query_map(params![start, end], |r| {
        let id: i64 = r.get(0)?;
        let author: String = r.get(7)?;
        let sub: String = r.get(8)?;
        let conf: bool = r.get(9)?;
        Ok(PubItem {
            id,
            title: r.get(1)?,
            category: r.get(2)?,
            unit: r.get(3)?,
            rule_override: r.get(4)?,
            due_at: r.get(5)?,
            published_at: r.get(6)?,
            contributor: if !author.trim().is_empty() {
                author.trim().to_string()
            } else if conf {
                confidential_name(id, lang)
            } else {
                sub.trim().to_string()
            },
            src_author: author,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(crate) fn office_hours(p: &Profile) -> OfficeHours {
    OfficeHours::from_seasons(&p.admin_hours).unwrap_or_else(|_| OfficeHours::standard())
}

/// Header fields shared by every report; fails when the calendar lacks the period's year.
pub(crate) fn header(
    store: &Store,
    cal: &Calendar,
    period: &Period,
    produced: &Produced,
    lang: Lang,
) -> Result<(Header, Vec<(NaiveDate, bool)>), ReportError> {
    let p = store.profile();
    let mut days = Vec::new();
    for d in period.days() {
        days.push((d, cal.is_working_day(d).map_err(ReportError::Calendar)?));
    }
    let working = days.iter().filter(|(_, w)| *w).count() as u32;
    let h = Header {
        profile_id: p.id.clone(),
        agency: p.agency.name.clone(),
        parent: p.agency.parent.clone(),
        board: p.agency.board_name.clone(),
        site_name: p.agency.site_name.clone(),
        place: p.agency.place.clone(),
        period: period.clone(),
        period_label: period.label(lang),
        first_day: period.first,
        last_day: period.last,
        calendar_days: days.len() as u32,
        working_days: working,
        produced: produced.clone(),
        produced_local: to_local(produced.at).format("%d/%m/%Y %H:%M").to_string(),
    };
    Ok((h, days))
}

fn scale(q: &Quota, period: &Period, working_days: u32) -> QuotaInfo {
    let factor = match q.per {
        QuotaPer::WorkingDay => working_days as f64,
        QuotaPer::Month => period.months() as f64,
        QuotaPer::Quarter => period.months() as f64 / 3.0,
        QuotaPer::Year => period.months() as f64 / 12.0,
    };
    QuotaInfo {
        per: q.per,
        min: q.min,
        max: q.max,
        article: q.article.clone(),
        period_min: (q.min as f64 * factor).ceil() as u64,
        period_max: q.max.map(|m| (m as f64 * factor).floor() as u64),
    }
}

fn category_name(p: &Profile, code: &str, lang: Lang) -> String {
    if code.is_empty() {
        return lang
            .pick("(chưa phân loại)", "(not classified)")
            .to_string();
    }
    p.category(code)
        .map(|c| c.name(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn unit_name(unit: &str, lang: Lang) -> String {
    if unit.is_empty() {
        lang.pick("(không ghi đơn vị)", "(no unit)").to_string()
    } else {
        unit.to_string()
    }
}

/// Build the report for a period. `cal` must hold the period's year.
pub fn build(
    store: &Store,
    cal: &Calendar,
    period: &Period,
    produced: &Produced,
    lang: Lang,
) -> Result<PeriodReport, ReportError> {
    let p = store.profile();
    let conn = store.conn();
    let (header, days) = header(store, cal, period, produced, lang)?;
    let (start, end) = period.utc_bounds();

    let mut by_cat: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_unit: BTreeMap<String, Counts> = BTreeMap::new();
    let mut totals = Counts::default();

    // Received (index items_received).
    {
        let mut stmt = conn.prepare(
            "SELECT category, unit, count(*) FROM items
             WHERE received_at >= ?1 AND received_at < ?2 GROUP BY category, unit",
        )?;
        let mut rows = stmt.query(params![start, end])?;
        while let Some(r) = rows.next()? {
            let (c, u, n): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            by_cat.entry(c).or_default().received += n as u64;
            by_unit.entry(u).or_default().received += n as u64;
            totals.received += n as u64;
        }
    }

    // Published (index items_published).
    let published = published_items(store, &start, &end, lang)?;
    for it in &published {
        by_cat.entry(it.category.clone()).or_default().published += 1;
        by_unit.entry(it.unit.clone()).or_default().published += 1;
        totals.published += 1;
    }

    // Every state change in the period, from the audit log (one range scan on `audit.at`).
    let transitions = transitions(store, &start, &end)?;

    // Refusals, returns, withdrawals, with their reason codes.
    let mut reason_counts: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    {
        let mut item_stmt =
            conn.prepare_cached("SELECT category, unit FROM items WHERE id = ?1")?;
        for t in transitions
            .iter()
            .filter(|t| matches!(t.to.as_str(), "rejected" | "returned" | "withdrawn"))
        {
            let (c, u): (String, String) =
                item_stmt.query_row(params![t.item_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let codes: Vec<String> = serde_json::from_str(&t.reasons).unwrap_or_default();
            let bump = |k: &mut Counts| match t.to.as_str() {
                "rejected" => k.refused += 1,
                "returned" => k.returned += 1,
                _ => k.withdrawn += 1,
            };
            bump(by_cat.entry(c).or_default());
            bump(by_unit.entry(u).or_default());
            bump(&mut totals);
            for code in codes {
                let e = reason_counts.entry(code).or_default();
                match t.to.as_str() {
                    "rejected" => e.0 += 1,
                    "returned" => e.1 += 1,
                    _ => e.2 += 1,
                }
            }
        }
    }

    let by_category: Vec<GroupRow> = {
        // Profile order first, then anything else (unclassified, retired codes).
        let mut out = Vec::new();
        for c in &p.categories {
            if let Some(k) = by_cat.remove(&c.code) {
                out.push(GroupRow {
                    code: c.code.clone(),
                    name: c.name(lang).to_string(),
                    counts: k,
                });
            }
        }
        for (code, k) in by_cat {
            out.push(GroupRow {
                name: category_name(p, &code, lang),
                code,
                counts: k,
            });
        }
        out
    };

    // Unit quotas: every unit that ever supplied an item (index items_unit), even with none now.
    let unit_quota = p
        .quotas
        .iter()
        .find(|q| q.subject == QuotaSubject::Unit)
        .map(|q| scale(q, period, header.working_days));
    let mut units = Vec::new();
    if let Some(q) = &unit_quota {
        let mut stmt = conn.prepare("SELECT DISTINCT unit FROM items WHERE unit <> ''")?;
        let all: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for u in all {
            let k = by_unit.get(&u).copied().unwrap_or_default();
            units.push(UnitQuotaRow {
                status: QuotaStatus::of(k.received, q.period_min, q.period_max),
                unit: u,
                supplied: k.received,
                published: k.published,
            });
        }
        units.sort_by(|a, b| {
            let below = |r: &UnitQuotaRow| r.status != QuotaStatus::Below;
            (below(a), if below(a) { 0 } else { a.supplied }, &a.unit).cmp(&(
                below(b),
                if below(b) { 0 } else { b.supplied },
                &b.unit,
            ))
        });
    }
    let by_unit: Vec<GroupRow> = by_unit
        .into_iter()
        .map(|(u, k)| GroupRow {
            name: unit_name(&u, lang),
            code: u,
            counts: k,
        })
        .collect();

    // Member quotas (004 Điều 6.1): items published in the period that a member edited or wrote.
    let member_quota = p
        .quotas
        .iter()
        .find(|q| q.subject == QuotaSubject::Member)
        .map(|q| scale(q, period, header.working_days));
    let mut members = Vec::new();
    if let Some(q) = &member_quota {
        let mut edited: HashMap<String, BTreeSet<i64>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT ip.login, ip.item_id FROM items i JOIN item_people ip ON ip.item_id = i.id
             WHERE i.published_at >= ?1 AND i.published_at < ?2 AND ip.kind = 'edit'",
        )?;
        let mut rows = stmt.query(params![start, end])?;
        while let Some(r) = rows.next()? {
            edited
                .entry(r.get::<_, String>(0)?)
                .or_default()
                .insert(r.get(1)?);
        }
        for u in store.users()?.into_iter().filter(|u| u.active) {
            let ed = edited.remove(&u.login).unwrap_or_default();
            let name_key = u.name.trim().to_lowercase();
            let au: BTreeSet<i64> = published
                .iter()
                .filter(|it| {
                    !name_key.is_empty() && it.src_author.trim().to_lowercase() == name_key
                })
                .map(|it| it.id)
                .collect();
            let total = ed.union(&au).count() as u64;
            members.push(MemberQuotaRow {
                role: p
                    .role(&u.role)
                    .map(|r| r.title(lang).to_string())
                    .unwrap_or(u.role.clone()),
                login: u.login,
                name: u.name,
                edited: ed.len() as u64,
                authored: au.len() as u64,
                total,
                status: QuotaStatus::of(total, q.period_min, q.period_max),
            });
        }
        members.sort_by(|a, b| {
            (a.status != QuotaStatus::Below, a.total, &a.login).cmp(&(
                b.status != QuotaStatus::Below,
                b.total,
                &b.login,
            ))
        });
    }

    // Deadlines: published items against their due time.
    let hours = office_hours(p);
    let mut per_rule: BTreeMap<String, RuleTally> = BTreeMap::new();
    for it in &published {
        let code = it
            .rule_override
            .clone()
            .or_else(|| p.category(&it.category).and_then(|c| c.deadline.clone()));
        let (Some(code), Some(due)) = (code, it.due_at.as_deref().and_then(parse_ts)) else {
            continue;
        };
        let Some(pubd) = parse_ts(&it.published_at) else {
            continue;
        };
        let measure = measure_of(p, &code);
        let e = per_rule.entry(code).or_default();
        if pubd <= due {
            e.0 += 1;
        } else {
            e.1 += 1;
            if let Ok(rem) = deadline::remaining(due, pubd, cal, &hours) {
                let v = match measure {
                    LateMeasure::WorkingDays => rem.working_days as f64,
                    LateMeasure::OfficeHours => {
                        (rem.office_minutes as f64 / 60.0 * 100.0).round() / 100.0
                    }
                };
                e.2.push((v, it.id));
            }
        }
    }
    let mut deadlines = Vec::new();
    let mut order: Vec<&str> = p.deadlines.iter().map(|d| d.code.as_str()).collect();
    for k in per_rule.keys() {
        if !order.contains(&k.as_str()) {
            order.push(k);
        }
    }
    for code in order {
        let Some((on_time, late, mut lates)) = per_rule.get(code).cloned() else {
            continue;
        };
        lates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let vals: Vec<f64> = lates.iter().map(|x| x.0).collect();
        let rule = p.deadline(code);
        deadlines.push(DeadlineRow {
            rule: code.to_string(),
            label: rule
                .map(|r| lang.pick(&r.label_vi, &r.label_en).to_string())
                .unwrap_or_default(),
            article: rule.map(|r| r.article.clone()).unwrap_or_default(),
            measure: measure_of(p, code),
            published: on_time + late,
            on_time,
            late,
            median_late: percentile(&vals, 50.0),
            worst_late: vals.last().copied(),
            worst_item: lates.last().map(|x| x.1),
        });
    }

    // Publications per day; working days short of the site quota.
    let mut per_day: HashMap<NaiveDate, u64> = HashMap::new();
    for it in &published {
        if let Some(t) = parse_ts(&it.published_at) {
            *per_day.entry(to_local(t).date()).or_default() += 1;
        }
    }
    let site_quota = p
        .quotas
        .iter()
        .find(|q| q.subject == QuotaSubject::Site && q.per == QuotaPer::WorkingDay)
        .map(|q| scale(q, period, header.working_days));
    let site_min = site_quota.as_ref().map(|q| q.min as u64).unwrap_or(1);
    let day_rows: Vec<DayRow> = days
        .iter()
        .map(|(d, w)| DayRow {
            date: *d,
            working: *w,
            published: per_day.get(d).copied().unwrap_or(0),
        })
        .collect();
    // Days after the report was produced have not happened yet.
    let today = to_local(produced.at).date();
    let days_short = day_rows
        .iter()
        .filter(|d| d.working && d.published < site_min && d.date <= today)
        .map(|d| d.date)
        .collect();

    // Reasons with their citations, in profile order, then unknown codes.
    let mut reasons = Vec::new();
    for rc in &p.reasons {
        if let Some((a, b, c)) = reason_counts.remove(&rc.code) {
            reasons.push(ReasonRow {
                code: rc.code.clone(),
                kind: match rc.kind {
                    ReasonKind::Reject => "reject",
                    ReasonKind::Return => "return",
                }
                .into(),
                label: rc.label(lang).to_string(),
                citation: rc.citation.clone(),
                refused: a,
                returned: b,
                withdrawn: c,
            });
        }
    }
    for (code, (a, b, c)) in reason_counts {
        reasons.push(ReasonRow {
            code,
            kind: "unknown".into(),
            label: lang
                .pick("(mã không còn trong quy chế)", "(code not in the profile)")
                .into(),
            citation: String::new(),
            refused: a,
            returned: b,
            withdrawn: c,
        });
    }

    let state_times = state_times(store, transitions, lang)?;

    // Contributors with their published items.
    let mut contrib: BTreeMap<(String, String), Vec<ContributedItem>> = BTreeMap::new();
    for it in &published {
        if it.contributor.is_empty() {
            continue;
        }
        contrib
            .entry((it.contributor.clone(), it.unit.clone()))
            .or_default()
            .push(ContributedItem {
                id: it.id,
                title: it.title.clone(),
                published_at: it.published_at.clone(),
            });
    }
    let mut contributors: Vec<Contributor> = contrib
        .into_iter()
        .map(|((name, unit), items)| Contributor {
            name,
            unit,
            published: items.len() as u64,
            items,
        })
        .collect();
    contributors.sort_by(|a, b| b.published.cmp(&a.published).then(a.name.cmp(&b.name)));

    let empty = totals.is_zero();
    Ok(PeriodReport {
        header,
        empty,
        totals,
        by_category,
        by_unit,
        unit_quota,
        units,
        member_quota,
        members,
        deadlines,
        site_quota,
        days: day_rows,
        days_short,
        reasons,
        state_times,
        contributors,
    })
}

fn measure_of(p: &Profile, rule: &str) -> LateMeasure {
    match p.deadline(rule).map(|r| r.unit) {
        Some(PeriodUnit::AdminHours) => LateMeasure::OfficeHours,
        _ => LateMeasure::WorkingDays,
    }
}

/// A state change recorded in the audit log.
struct Transition {
    item_id: i64,
    seq: i64,
    at: String,
    from: Option<String>,
    to: String,
    reasons: String,
}

fn transitions(store: &Store, start: &str, end: &str) -> Result<Vec<Transition>, ReportError> {
    let mut stmt = store.conn().prepare(
        "SELECT item_id, seq, at, from_state, to_state, reasons FROM audit
         WHERE at >= ?1 AND at < ?2 AND item_id IS NOT NULL AND to_state IS NOT NULL
           AND (from_state IS NULL OR from_state <> to_state)",
    )?;
    let rows = stmt.query_map(params![start, end], |r| {
        Ok(Transition {
            item_id: r.get(0)?,
            seq: r.get(1)?,
            at: r.get(2)?,
            from: r.get(3)?,
            to: r.get(4)?,
            reasons: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Time in each state: every stay (from entering a state to leaving it, by the audit log) that
/// ended in the period. Wall-clock hours. A stay that began before the period starts at the
/// item's previous state change, looked up once per item.
fn state_times(
    store: &Store,
    mut ts: Vec<Transition>,
    lang: Lang,
) -> Result<Vec<StateTimeRow>, ReportError> {
    ts.sort_by_key(|t| (t.item_id, t.seq));
    let mut prev_stmt = store.conn().prepare_cached(
        "SELECT at FROM audit WHERE item_id = ?1 AND seq < ?2 AND to_state IS NOT NULL
           AND (from_state IS NULL OR from_state <> to_state)
         ORDER BY seq DESC LIMIT 1",
    )?;
    let mut stays: HashMap<String, Vec<f64>> = HashMap::new();
    let mut last: Option<(i64, chrono::DateTime<Utc>)> = None;
    for t in &ts {
        let Some(at) = parse_ts(&t.at) else { continue };
        let since = match last {
            Some((id, since)) if id == t.item_id => Some(since),
            _ if t.from.is_some() => {
                use rusqlite::OptionalExtension;
                prev_stmt
                    .query_row(params![t.item_id, t.seq], |r| r.get::<_, String>(0))
                    .optional()?
                    .and_then(|s| parse_ts(&s))
            }
            _ => None,
        };
        if let (Some(from), Some(since)) = (&t.from, since) {
            let h = (at - since).num_seconds().max(0) as f64 / 3600.0;
            stays.entry(from.clone()).or_default().push(h);
        }
        last = Some((t.item_id, at));
    }
    let mut out = Vec::new();
    for s in [
        State::Received,
        State::Triaged,
        State::Editing,
        State::Verified,
        State::Escalated,
        State::Approved,
        State::Returned,
        State::Published,
    ] {
        let Some(mut v) = stays.remove(s.as_str()) else {
            continue;
        };
        v.sort_by(f64::total_cmp);
        let r2 = |x: f64| (x * 100.0).round() / 100.0;
        out.push(StateTimeRow {
            state: s.as_str().to_string(),
            label: s.label(lang).to_string(),
            stays: v.len() as u64,
            median_hours: r2(percentile(&v, 50.0).unwrap_or(0.0)),
            p90_hours: r2(percentile(&v, 90.0).unwrap_or(0.0)),
        });
    }
    Ok(out)
}
