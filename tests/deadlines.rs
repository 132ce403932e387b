//! Deadlines on the bundled calendar: hand-checked cases across Tết 2026 and 2027, 30/4–1/5,
//! 2/9 and year ends, for every period unit; properties of working-day arithmetic.

use bientap::domain::calendar::{Calendar, CalendarError, DayInfo};
use bientap::domain::deadline::{
    due, due_as_of, from_local, remaining, AnchorFlag, DeadlineError, OfficeHours,
};
use bientap::domain::profile::{AdminHoursSeason, Anchor, DeadlineRule, PeriodUnit};
use bientap::i18n::Lang;
use bientap::profile::calendar::load_calendar;
use chrono::{DateTime, Days, NaiveDate, Utc};
use proptest::prelude::*;

fn cal() -> Calendar {
    load_calendar(None).expect("bundled calendar")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A local (UTC+7) time as UTC.
fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    from_local(date(y, m, d).and_hms_opt(h, min, 0).unwrap())
}

fn rule(unit: PeriodUnit, amount: u32, anchor: Anchor) -> DeadlineRule {
    DeadlineRule {
        code: "r".into(),
        label_vi: "quy tắc".into(),
        label_en: "rule".into(),
        anchor,
        unit,
        amount,
        extended_amount: None,
        extended_when_vi: String::new(),
        article: "Điều 9 khoản 3".into(),
    }
}

fn std_hours() -> OfficeHours {
    OfficeHours::standard()
}

fn due_at(r: &DeadlineRule, anchor: DateTime<Utc>) -> DateTime<Utc> {
    due(r, anchor, false, &cal(), &std_hours()).unwrap().at
}

// ---- calendar facts ----------------------------------------------------------------------

#[test]
fn announced_days_of_2025_and_2026() {
    let c = cal();
    let off = |y, m, d| !c.is_working_day(date(y, m, d)).unwrap();
    // 2025: Tết 25/1–2/2, Giỗ Tổ Mon 7/4, 30/4–4/5 with Sat 26/4 worked, 1/9 + 2/9.
    assert!(off(2025, 1, 27) && off(2025, 1, 31) && off(2025, 2, 2));
    assert!(!off(2025, 2, 3));
    assert!(off(2025, 4, 7));
    assert!(!off(2025, 4, 26), "Sat 26/4/2025 is a make-up working day");
    assert!(off(2025, 4, 30) && off(2025, 5, 1) && off(2025, 5, 2));
    assert!(off(2025, 9, 1) && off(2025, 9, 2) && !off(2025, 9, 3));
    // 2026: 1/1–4/1 with Sat 10/1 worked, Tết 14/2–22/2, Mon 27/4, 30/4, 1/5, 1/9 (unconfirmed), 2/9.
    assert!(off(2026, 1, 1) && off(2026, 1, 2));
    assert!(!off(2026, 1, 10), "Sat 10/1/2026 is a make-up working day");
    assert!(off(2026, 2, 16) && off(2026, 2, 20) && !off(2026, 2, 23));
    assert!(off(2026, 4, 27) && off(2026, 4, 30) && off(2026, 5, 1));
    assert!(off(2026, 9, 2));
    match c.day_info(date(2026, 9, 1)).unwrap() {
        DayInfo::Off(d) => assert!(!d.confirmed),
        other => panic!("1/9/2026 should be an unconfirmed day off, got {other:?}"),
    }
    // 2027 statutory, provisional: Tết around Sat 6/2, Giỗ Tổ Fri 16/4.
    assert!(c.year(2027).unwrap().provisional);
    assert!(off(2027, 2, 8) && off(2027, 4, 16) && off(2027, 5, 3));
    // Working days in the years (counted by hand from the notices: 261 weekdays − 12 + 1).
    for y in [2025, 2026] {
        let total: u32 = (1..=12)
            .map(|m| c.working_days_in_month(y, m).unwrap())
            .sum();
        assert_eq!(total, 250, "{y}");
    }
}

// ---- calendar days (Civil Code art. 148) --------------------------------------------------

#[test]
fn calendar_days_roll_over_rest_days() {
    let news = rule(PeriodUnit::CalendarDays, 1, Anchor::Event);
    // Fri 13/2/2026: the next day is in Tết → Mon 23/2 at close of office hours.
    assert_eq!(
        due_at(&news, at(2026, 2, 13, 10, 0)),
        at(2026, 2, 23, 17, 0)
    );
    // Wed 29/4/2026 → Thu 30/4 holiday, Fri 1/5 holiday, weekend → Mon 4/5.
    assert_eq!(due_at(&news, at(2026, 4, 29, 9, 0)), at(2026, 5, 4, 17, 0));
    // Year end: Wed 31/12/2025 → 1/1 holiday, 2/1 swapped, weekend → Mon 5/1/2026.
    assert_eq!(
        due_at(&news, at(2025, 12, 31, 15, 0)),
        at(2026, 1, 5, 17, 0)
    );
    // An ordinary week: Mon 9/3/2026 + 3 days → Thu 12/3.
    let three = rule(PeriodUnit::CalendarDays, 3, Anchor::Event);
    assert_eq!(due_at(&three, at(2026, 3, 9, 8, 0)), at(2026, 3, 12, 17, 0));
    // A late-night event still counts from its local day (23:30 local is 16:30 UTC).
    assert_eq!(
        due_at(&news, at(2026, 3, 9, 23, 30)),
        at(2026, 3, 10, 17, 0)
    );
}

#[test]
fn national_day_2026_is_flagged_unconfirmed() {
    let news = rule(PeriodUnit::CalendarDays, 1, Anchor::Event);
    let d = due(&news, at(2026, 8, 31, 10, 0), false, &cal(), &std_hours()).unwrap();
    // Mon 31/8 + 1 → Tue 1/9 (unconfirmed day off), Wed 2/9 → Thu 3/9.
    assert_eq!(d.at, at(2026, 9, 3, 17, 0));
    assert!(d.flags.contains(&AnchorFlag::UnconfirmedDays(2026)));
}

// ---- working days -------------------------------------------------------------------------

#[test]
fn working_days_skip_holidays_and_count_make_up_days() {
    let two = rule(PeriodUnit::WorkingDays, 2, Anchor::Issuance);
    let three = rule(PeriodUnit::WorkingDays, 3, Anchor::Receipt);
    // Thu 12/2/2026 → Fri 13/2 (1), Tết, Mon 23/2 (2).
    assert_eq!(due_at(&two, at(2026, 2, 12, 15, 0)), at(2026, 2, 23, 17, 0));
    // Fri 9/1/2026 → Sat 10/1 make-up (1), Mon 12/1 (2).
    assert_eq!(due_at(&two, at(2026, 1, 9, 9, 0)), at(2026, 1, 12, 17, 0));
    // Tue 28/4/2026 → Wed 29/4 (1), 30/4–3/5 off, Mon 4/5 (2), Tue 5/5 (3).
    assert_eq!(due_at(&three, at(2026, 4, 28, 9, 0)), at(2026, 5, 5, 17, 0));
    // Fri 29/8/2025 → Mon 1/9, Tue 2/9 off → Wed 3/9 (1), Thu 4/9 (2).
    assert_eq!(due_at(&two, at(2025, 8, 29, 16, 0)), at(2025, 9, 4, 17, 0));
    // Issued on a Saturday: Sat 7/3/2026 → Mon 9/3 (1), Tue 10/3 (2); flagged.
    let d = due(&two, at(2026, 3, 7, 10, 0), false, &cal(), &std_hours()).unwrap();
    assert_eq!(d.at, at(2026, 3, 10, 17, 0));
    assert!(d.flags.contains(&AnchorFlag::NonWorkingDay));
}

#[test]
fn working_days_over_year_end_and_tet_2027_are_provisional() {
    let three = rule(PeriodUnit::WorkingDays, 3, Anchor::Receipt);
    // Wed 30/12/2026 → Thu 31/12 (1), Fri 1/1/2027 off, Mon 4/1 (2), Tue 5/1 (3).
    let d = due(&three, at(2026, 12, 30, 10, 0), false, &cal(), &std_hours()).unwrap();
    assert_eq!(d.at, at(2027, 1, 5, 17, 0));
    assert!(d.flags.contains(&AnchorFlag::ProvisionalYear(2027)));
    // Thu 4/2/2027 → 5/2–11/2 off (statutory Tết + substitutes) → Fri 12/2 (1), Mon 15/2 (2).
    let two = rule(PeriodUnit::WorkingDays, 2, Anchor::Issuance);
    let d = due(&two, at(2027, 2, 4, 10, 0), false, &cal(), &std_hours()).unwrap();
    assert_eq!(d.at, at(2027, 2, 15, 17, 0));
    assert!(d.flags.contains(&AnchorFlag::ProvisionalYear(2027)));
    assert!(d.flags.contains(&AnchorFlag::UnconfirmedDays(2027)));
}

#[test]
fn extended_answer_period_15_to_30_working_days() {
    let mut answer = rule(PeriodUnit::WorkingDays, 15, Anchor::Receipt);
    answer.extended_amount = Some(30);
    answer.extended_when_vi = "phải xin ý kiến Bộ".into();
    let anchor = at(2026, 2, 2, 9, 0); // Mon 2/2/2026, Tết inside the period.
    let normal = due(&answer, anchor, false, &cal(), &std_hours()).unwrap();
    // 3–6/2 (4), 9–13/2 (9), Tết, 23–27/2 (14), Mon 2/3 (15).
    assert_eq!(normal.at, at(2026, 3, 2, 17, 0));
    assert_eq!(normal.amount, 15);
    let ext = due(&answer, anchor, true, &cal(), &std_hours()).unwrap();
    // … 3–6/3 (19), 9–13/3 (24), 16–20/3 (29), Mon 23/3 (30).
    assert_eq!(ext.at, at(2026, 3, 23, 17, 0));
    assert_eq!(ext.amount, 30);
    assert!(ext.explain_vi.contains("phải xin ý kiến Bộ"));
    // A rule without an extension keeps its amount and says so.
    let plain = rule(PeriodUnit::WorkingDays, 15, Anchor::Receipt);
    let d = due(&plain, anchor, true, &cal(), &std_hours()).unwrap();
    assert_eq!(d.at, normal.at);
    assert!(d.flags.contains(&AnchorFlag::NoExtension));
}

// ---- administrative hours -----------------------------------------------------------------

#[test]
fn twelve_admin_hours_from_friday_afternoon_before_national_day() {
    let news = rule(PeriodUnit::AdminHours, 12, Anchor::Event);
    // Fri 29/8/2025 16:00: 1 h on Friday; Mon 1/9 and Tue 2/9 off; Wed 3/9 7.5 h (8.5);
    // Thu 4/9 07:30 + 3.5 h = 11:00.
    let d = due(&news, at(2025, 8, 29, 16, 0), false, &cal(), &std_hours()).unwrap();
    assert_eq!(d.at, at(2025, 9, 4, 11, 0));
    assert_eq!(d.at.to_rfc3339(), "2025-09-04T04:00:00+00:00");
    assert!(!d.flags.contains(&AnchorFlag::OutsideOfficeHours));
    // Before Tết 2026: Fri 13/2 16:00 → 1 h; Mon 23/2 7.5 h; Tue 24/2 07:30 + 3.5 h = 11:00.
    assert_eq!(
        due_at(&news, at(2026, 2, 13, 16, 0)),
        at(2026, 2, 24, 11, 0)
    );
}

#[test]
fn admin_hours_outside_office_hours_start_at_next_period() {
    let c = cal();
    let h = std_hours();
    let news = rule(PeriodUnit::AdminHours, 12, Anchor::Event);
    // Sat 10/1/2026 06:00 is a make-up working day: start 07:30, 7.5 h Saturday,
    // Mon 12/1: 4 h morning (11.5), 13:30 + 0.5 h = 14:00.
    let d = due(&news, at(2026, 1, 10, 6, 0), false, &c, &h).unwrap();
    assert_eq!(d.at, at(2026, 1, 12, 14, 0));
    assert!(d.flags.contains(&AnchorFlag::OutsideOfficeHours));
    // Lunch break: Tue 3/3/2026 12:00 + 4 h → 13:30–17:00 (3.5 h), Wed 07:30 + 0.5 h.
    let four = rule(PeriodUnit::AdminHours, 4, Anchor::Event);
    assert_eq!(
        due(&four, at(2026, 3, 3, 12, 0), false, &c, &h).unwrap().at,
        at(2026, 3, 4, 8, 0)
    );
    // A period used up exactly ends at its end, not at the next period's start.
    assert_eq!(
        due(&four, at(2026, 3, 9, 7, 30), false, &c, &h).unwrap().at,
        at(2026, 3, 9, 11, 30)
    );
    // Hours counted from a holiday start on the next working day: Thu 30/4/2026 → Mon 4/5.
    assert_eq!(
        due(&four, at(2026, 4, 30, 9, 0), false, &c, &h).unwrap().at,
        at(2026, 5, 4, 11, 30)
    );
}

#[test]
fn admin_hours_follow_the_profile_seasons() {
    // Hải Dương style: summer 07:00–11:30, 13:30–17:00; winter 07:30–11:30, 13:00–17:00.
    let hours = OfficeHours::from_seasons(&[
        AdminHoursSeason {
            from: "04-15".into(),
            to: "10-14".into(),
            periods: vec!["07:00-11:30".into(), "13:30-17:00".into()],
        },
        AdminHoursSeason {
            from: "10-15".into(),
            to: "04-14".into(),
            periods: vec!["07:30-11:30".into(), "13:00-17:00".into()],
        },
    ])
    .unwrap();
    let news = rule(PeriodUnit::AdminHours, 12, Anchor::Event);
    // Summer: Fri 29/8/2025 16:00 → 1 h; Wed 3/9 8 h (9); Thu 4/9 07:00 + 3 h = 10:00.
    let d = due(&news, at(2025, 8, 29, 16, 0), false, &cal(), &hours).unwrap();
    assert_eq!(d.at, at(2025, 9, 4, 10, 0));
    // Winter: Fri 9/1/2026 16:00 → 1 h; Sat 10/1 make-up 8 h (9); Mon 12/1 07:30 + 3 h = 10:30.
    let d = due(&news, at(2026, 1, 9, 16, 0), false, &cal(), &hours).unwrap();
    assert_eq!(d.at, at(2026, 1, 12, 10, 30));
}

// ---- first days of the next month / quarter ----------------------------------------------

#[test]
fn first_days_of_next_month_and_quarter() {
    let monthly = rule(PeriodUnit::FirstDaysNextMonth, 7, Anchor::PeriodEnd);
    // January 2026 report: 7/2 is a Saturday → Mon 9/2.
    assert_eq!(
        due_at(&monthly, at(2026, 1, 31, 17, 0)),
        at(2026, 2, 9, 17, 0)
    );
    // April 2026 report: Thu 7/5.
    assert_eq!(
        due_at(&monthly, at(2026, 4, 15, 9, 0)),
        at(2026, 5, 7, 17, 0)
    );
    // December 2026 report: Thu 7/1/2027 (provisional year).
    let d = due(
        &monthly,
        at(2026, 12, 31, 9, 0),
        false,
        &cal(),
        &std_hours(),
    )
    .unwrap();
    assert_eq!(d.at, at(2027, 1, 7, 17, 0));
    assert!(d.flags.contains(&AnchorFlag::ProvisionalYear(2027)));

    let quarterly = rule(PeriodUnit::FirstDaysNextQuarter, 10, Anchor::PeriodEnd);
    // Q4 2025 report: day 10 of Q1 2026 is Sat 10/1, a make-up working day.
    assert_eq!(
        due_at(&quarterly, at(2025, 12, 31, 9, 0)),
        at(2026, 1, 10, 17, 0)
    );
    // Q3 2026 report: Sat 10/10/2026 → Mon 12/10.
    assert_eq!(
        due_at(&quarterly, at(2026, 8, 15, 9, 0)),
        at(2026, 10, 12, 17, 0)
    );
    // Q1 2027 report: Sat 10/4/2027 → Mon 12/4/2027.
    assert_eq!(
        due_at(&quarterly, at(2027, 1, 20, 9, 0)),
        at(2027, 4, 12, 17, 0)
    );
    // A zero amount is a rule error, not a date.
    let zero = rule(PeriodUnit::FirstDaysNextMonth, 0, Anchor::PeriodEnd);
    assert!(matches!(
        due(&zero, at(2026, 1, 31, 9, 0), false, &cal(), &std_hours()),
        Err(DeadlineError::InvalidRule { .. })
    ));
}

// ---- immediate ----------------------------------------------------------------------------

#[test]
fn immediate_is_the_end_of_the_anchor_working_day() {
    let now = rule(PeriodUnit::Immediate, 0, Anchor::Issuance);
    assert_eq!(due_at(&now, at(2026, 3, 3, 10, 0)), at(2026, 3, 3, 17, 0));
    // After hours: the next working day.
    assert_eq!(due_at(&now, at(2026, 3, 3, 18, 30)), at(2026, 3, 4, 17, 0));
    // On a holiday: Thu 30/4/2026 → Mon 4/5.
    let d = due(&now, at(2026, 4, 30, 9, 0), false, &cal(), &std_hours()).unwrap();
    assert_eq!(d.at, at(2026, 5, 4, 17, 0));
    assert!(d.flags.contains(&AnchorFlag::NonWorkingDay));
    // New Year's Eve after hours: Fri 1/1/2027 off → Mon 4/1/2027.
    assert_eq!(due_at(&now, at(2026, 12, 31, 20, 0)), at(2027, 1, 4, 17, 0));
}

// ---- missing years, flags, explanations ---------------------------------------------------

#[test]
fn a_missing_year_is_an_error_naming_it() {
    let fifteen = rule(PeriodUnit::WorkingDays, 15, Anchor::Receipt);
    match due(
        &fifteen,
        at(2027, 12, 15, 9, 0),
        false,
        &cal(),
        &std_hours(),
    ) {
        Err(DeadlineError::Calendar(CalendarError::YearMissing { year, file })) => {
            assert_eq!(year, 2028);
            assert!(file.contains("2028.toml"));
        }
        other => panic!("expected a missing 2028, got {other:?}"),
    }
    let news = rule(PeriodUnit::CalendarDays, 1, Anchor::Event);
    let e = due(&news, at(2024, 6, 3, 9, 0), false, &cal(), &std_hours()).unwrap_err();
    assert!(e.message(Lang::Vi).contains("2024"));
    assert!(e.message(Lang::En).contains("due time unknown"));
}

#[test]
fn future_and_old_anchors_are_accepted_but_flagged() {
    let two = rule(PeriodUnit::WorkingDays, 2, Anchor::Issuance);
    let now = at(2026, 3, 3, 10, 0);
    let d = due_as_of(
        &two,
        at(2026, 3, 10, 9, 0),
        now,
        false,
        &cal(),
        &std_hours(),
    )
    .unwrap();
    assert_eq!(d.at, at(2026, 3, 12, 17, 0));
    assert!(d.flags.contains(&AnchorFlag::InFuture));
    let d = due_as_of(&two, at(2025, 2, 3, 9, 0), now, false, &cal(), &std_hours()).unwrap();
    assert!(d.flags.contains(&AnchorFlag::TooOld));
    let d = due_as_of(&two, at(2026, 3, 2, 9, 0), now, false, &cal(), &std_hours()).unwrap();
    assert!(!d.flags.contains(&AnchorFlag::InFuture) && !d.flags.contains(&AnchorFlag::TooOld));
}

#[test]
fn the_rule_is_explained_in_both_languages() {
    let two = rule(PeriodUnit::WorkingDays, 2, Anchor::Issuance);
    let d = due(&two, at(2026, 3, 3, 10, 0), false, &cal(), &std_hours()).unwrap();
    assert_eq!(
        d.explain_vi,
        "2 ngày làm việc kể từ ngày ban hành (Điều 9 khoản 3) — không tính ngày ban hành, hết giờ hành chính ngày làm việc cuối"
    );
    assert!(d
        .explain_en
        .starts_with("2 working days from the day of issue (Điều 9 khoản 3)"));
    assert_eq!(d.rule_code, "r");
    assert_eq!(d.at_local(Lang::Vi), "17:00 thứ Năm 05/03/2026");
    assert_eq!(d.at_local(Lang::En), "17:00 Thu 05/03/2026");
}

// ---- remaining time -----------------------------------------------------------------------

#[test]
fn remaining_counts_office_time() {
    let c = cal();
    let h = std_hours();
    // Due Thu 4/9/2025 17:00, now Fri 29/8 16:00: 1 h + 7.5 h (Wed) + 7.5 h (Thu) = 16 h.
    let r = remaining(at(2025, 9, 4, 17, 0), at(2025, 8, 29, 16, 0), &c, &h).unwrap();
    assert!(!r.overdue);
    assert_eq!(r.office_minutes, 16 * 60);
    assert_eq!(r.working_days, 2);
    assert_eq!(r.display(Lang::Vi), "còn 2 ngày 1 giờ");
    // Due Fri 13/2/2026 17:00, now Mon 23/2 10:00 (after Tết): one working day late.
    let r = remaining(at(2026, 2, 13, 17, 0), at(2026, 2, 23, 10, 0), &c, &h).unwrap();
    assert!(r.overdue);
    assert_eq!(r.working_days, 1);
    assert_eq!(r.display(Lang::Vi), "quá hạn 1 ngày");
    // Same day: due 11:00, now 14:00 → 30 + 30 office minutes late.
    let r = remaining(at(2026, 3, 3, 11, 0), at(2026, 3, 3, 14, 0), &c, &h).unwrap();
    assert!(r.overdue);
    assert_eq!(r.office_minutes, 60);
    assert_eq!(r.display(Lang::Vi), "quá hạn 1 giờ");
    // Friday evening before a Monday deadline: the weekend does not count.
    let r = remaining(at(2026, 3, 9, 17, 0), at(2026, 3, 6, 20, 0), &c, &h).unwrap();
    assert_eq!(r.office_minutes, 450);
    assert_eq!(r.display(Lang::En), "1 day(s) left");
}

// ---- properties ---------------------------------------------------------------------------

fn start_date() -> impl Strategy<Value = NaiveDate> {
    // 2025-01-01 … 2027-04-30, so that 100 working days stay inside the bundled years.
    (0u64..850).prop_map(|o| date(2025, 1, 1).checked_add_days(Days::new(o)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn adding_working_days_lands_on_a_working_day(d in start_date(), n in 1u32..100) {
        let c = cal();
        let r = c.add_working_days(d, n).unwrap();
        prop_assert!(c.is_working_day(r).unwrap());
        prop_assert!(r > d);
    }

    #[test]
    fn adding_then_counting_back_gives_n(d in start_date(), n in 0u32..100) {
        let c = cal();
        let r = c.add_working_days(d, n).unwrap();
        prop_assert_eq!(c.working_days_between(d, r).unwrap(), i64::from(n));
        prop_assert_eq!(c.working_days_between(r, d).unwrap(), -i64::from(n));
    }

    #[test]
    fn adding_is_monotonic_in_n(d in start_date(), n in 0u32..99) {
        let c = cal();
        prop_assert!(c.add_working_days(d, n).unwrap() < c.add_working_days(d, n + 1).unwrap());
    }

    #[test]
    fn due_times_are_office_closes_of_working_days(
        d in start_date(), n in 0u32..40, unit in 0usize..4, h in 0u32..24
    ) {
        let c = cal();
        let hours = OfficeHours::standard();
        let unit = [
            PeriodUnit::CalendarDays,
            PeriodUnit::WorkingDays,
            PeriodUnit::FirstDaysNextMonth,
            PeriodUnit::Immediate,
        ][unit];
        let r = rule(unit, n.max(1), Anchor::Event);
        let anchor = from_local(d.and_hms_opt(h, 0, 0).unwrap());
        let due = due(&r, anchor, false, &c, &hours).unwrap();
        let local = bientap::domain::deadline::to_local(due.at);
        prop_assert!(due.at > anchor);
        prop_assert!(c.is_working_day(local.date()).unwrap());
        prop_assert_eq!(local.time(), hours.close_of(local.date()));
    }

    #[test]
    fn admin_hours_are_monotonic_and_inside_office_time(
        d in start_date(), n in 0u32..60, h in 0u32..24
    ) {
        let c = cal();
        let hours = OfficeHours::standard();
        let anchor = from_local(d.and_hms_opt(h, 0, 0).unwrap());
        let a = due(&rule(PeriodUnit::AdminHours, n, Anchor::Event), anchor, false, &c, &hours).unwrap().at;
        let b = due(&rule(PeriodUnit::AdminHours, n + 1, Anchor::Event), anchor, false, &c, &hours).unwrap().at;
        prop_assert!(a < b);
        let lb = bientap::domain::deadline::to_local(b);
        prop_assert!(c.is_working_day(lb.date()).unwrap());
        prop_assert!(hours.periods_on(lb.date()).iter().any(|p| p.start < lb.time() && lb.time() <= p.end));
        // The office time between anchor and due is exactly the amount.
        let r = remaining(b, anchor, &c, &hours).unwrap();
        prop_assert_eq!(r.office_minutes, i64::from(n + 1) * 60);
    }
}
