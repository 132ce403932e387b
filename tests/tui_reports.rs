//! The console's reports screen: opened from the queue with `R` (or the palette), month to month
//! with ←/→ (h/l), back with Esc; charts readable at 80×24 and without colour; a month whose
//! year has no working calendar says so instead of failing.
mod tui_support;

use bientap::i18n::Lang;
use bientap::tui::app::{ReportView, Screen};
use bientap::tui::keys::parse_script;
use bientap::tui::testing::{press, screen};
use bientap::tui::App;
use chrono::{TimeZone, Utc};
use tui_support::*;

fn ready(a: &App) -> bool {
    matches!(
        a.state.reports.as_ref().map(|r| &r.view),
        Some(ReportView::Ready(_))
    )
}

#[test]
fn opens_on_the_clock_month_with_the_figures_labelled() {
    let (_d, path) = demo(120);
    let cases = [
        (
            Lang::Vi,
            "tháng 11/2026",
            [
                "Báo cáo",
                "đăng",
                "Đơn vị / định mức",
                "Từ chối/trả lại theo mã",
            ],
        ),
        (
            Lang::En,
            "2026-11",
            [
                "Report",
                "published",
                "Units / quota",
                "Refused/returned by code",
            ],
        ),
    ];
    for (lang, month, labels) in cases {
        let mut a = app(&path, SECRETARY, lang);
        press(&mut a, "R");
        assert_eq!(a.state.screen, Screen::Reports);
        assert!(ready(&a), "{lang:?}: the report was built");
        let s = screen(&mut a, 80, 24);
        assert!(s.contains(month), "{lang:?}: month {month} named:\n{s}");
        for l in labels {
            assert!(s.contains(l), "{lang:?}: label {l:?} shown:\n{s}");
        }
        // The demo month has publications: the summary line carries a non-zero count.
        let Some(ReportView::Ready(r)) = a.state.reports.as_ref().map(|r| &r.view) else {
            panic!("no report");
        };
        assert!(r.totals.published > 0, "demo month has publications");
        let published = r.totals.published.to_string();
        assert!(s.contains(&published), "published count shown:\n{s}");
    }
}

#[test]
fn arrows_move_month_to_month_and_esc_goes_back() {
    let (_d, path) = demo(60);
    let mut a = app(&path, SECRETARY, Lang::Vi);
    press(&mut a, "R <Left>");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("tháng 10/2026"), "previous month:\n{s}");
    assert!(!s.contains("tháng 11/2026"), "{s}");
    press(&mut a, "h h");
    assert!(screen(&mut a, 80, 24).contains("tháng 8/2026"));
    press(&mut a, "<Right> l l l");
    assert!(screen(&mut a, 80, 24).contains("tháng 12/2026"));
    // Across the year boundary.
    press(&mut a, "<Right>");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("tháng 1/2027"), "{s}");
    assert!(ready(&a));
    press(&mut a, "<Esc>");
    assert_eq!(a.state.screen, Screen::Queue);
    assert!(a.state.reports.is_none());
    // `q` on the reports screen goes back too; it does not quit the console.
    press(&mut a, "R q");
    assert_eq!(a.state.screen, Screen::Queue);
    assert!(!a.state.quit);
}

#[test]
fn a_year_without_a_calendar_says_so() {
    let (_d, path) = demo(30);
    // Stepping back from November 2026 to December 2024 (bundled calendars: 2025–2027).
    let mut a = app(&path, SECRETARY, Lang::Vi);
    press(&mut a, "R");
    for _ in 0..23 {
        press(&mut a, "<Left>");
    }
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("tháng 12/2024"), "{s}");
    assert!(s.contains("chưa có lịch làm việc năm 2024"), "{s}");
    // And forward again to a month that has one.
    press(&mut a, "<Right>");
    assert!(ready(&a));

    // A console whose clock is in 2024 opens on that month, in English.
    let mut b = App::new(
        &path,
        SECRETARY,
        SECRETARY,
        Lang::En,
        Box::new(|| Utc.with_ymd_and_hms(2024, 6, 10, 3, 0, 0).unwrap()),
    )
    .unwrap();
    b.theme = bientap::tui::theme::Theme::new(false);
    press(&mut b, "R");
    let s = screen(&mut b, 80, 24);
    assert!(s.contains("2024-06"), "{s}");
    assert!(s.contains("no working calendar for 2024"), "{s}");
    assert_eq!(b.state.screen, Screen::Reports);
}

#[test]
fn the_first_frame_says_the_report_is_being_built() {
    let (_d, path) = demo(30);
    let mut a = app(&path, SECRETARY, Lang::Vi);
    // A bare key press (no deferred run): what the terminal draws before the build.
    for k in parse_script("R").unwrap() {
        a.key(k);
    }
    assert!(a.has_deferred());
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Báo cáo tháng 11/2026"), "{s}");
    assert!(s.contains("đang lập báo cáo"), "{s}");
    assert!(a.run_deferred());
    assert!(ready(&a));
    assert!(!screen(&mut a, 80, 24).contains("đang lập báo cáo"));
}

#[test]
fn help_and_palette_list_the_screen() {
    let (_d, path) = demo(30);
    let mut a = app(&path, SECRETARY, Lang::En);
    // The queue's help names the key.
    press(&mut a, "?");
    assert!(screen(&mut a, 120, 40).contains("monthly report"));
    press(&mut a, "<Esc>");
    // The palette runs it.
    press(&mut a, ": m o n t h l y <Enter>");
    assert_eq!(a.state.screen, Screen::Reports);
    // The screen's own help lists its keys.
    press(&mut a, "?");
    let s = screen(&mut a, 80, 24);
    for l in ["previous month", "next month", "back to the queue"] {
        assert!(s.contains(l), "{l}:\n{s}");
    }
    press(&mut a, "<Esc>");
    assert_eq!(a.state.screen, Screen::Reports);

    // In Vietnamese, accents optional.
    let mut v = app(&path, SECRETARY, Lang::Vi);
    press(&mut v, ": b a o <Space> c a o <Enter>");
    assert_eq!(v.state.screen, Screen::Reports);
}

#[test]
fn the_month_is_the_local_month() {
    let (_d, path) = demo(30);
    // 30 November 18:00 UTC is 1 December 01:00 in Vietnam (UTC+7).
    let mut a = App::new(
        &path,
        SECRETARY,
        SECRETARY,
        Lang::Vi,
        Box::new(|| Utc.with_ymd_and_hms(2026, 11, 30, 18, 0, 0).unwrap()),
    )
    .unwrap();
    press(&mut a, "R");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Báo cáo tháng 12/2026"), "{s}");
}

#[test]
fn snapshots() {
    let (_d, path) = demo(120);
    let mut a = app(&path, SECRETARY, Lang::Vi);
    press(&mut a, "R");
    insta::assert_snapshot!("reports_vi_80x24", screen(&mut a, 80, 24));
    let mut b = app(&path, SECRETARY, Lang::En);
    press(&mut b, "R <Left>");
    insta::assert_snapshot!("reports_en_120x40", screen(&mut b, 120, 40));
}
