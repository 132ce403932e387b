//! Reports over a database with known events in April 2026 (Giỗ Tổ moved to Mon 27/4, 30/4 off),
//! driven through the store API with an injected clock; every figure checked. Then the formats:
//! XLSX read back with calamine, HTML header and escaping, CSV, text; bad input.

mod common;

use std::io::Cursor;

use bientap::domain::item::State;
use bientap::domain::workflow::Action;
use bientap::i18n::Lang;
use bientap::report::{self, Format, LateMeasure, Period, Produced, QuotaStatus, ReportError};
use bientap::store::{Ctx, NewItem, Store};
use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;

/// Local time (UTC+7) → UTC.
fn at(m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, mi, 0)
        .single()
        .expect("time")
        - Duration::hours(7)
}

fn cx(who: &str, t: DateTime<Utc>) -> Ctx {
    Ctx {
        actor: who.into(),
        os_login: who.into(),
        now: t,
    }
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("date")
}

struct World {
    b: Board,
    ids: std::collections::HashMap<&'static str, i64>,
}

impl World {
    fn add(&mut self, key: &'static str, new: NewItem, t: DateTime<Utc>) -> i64 {
        let mut new = new;
        new.received_at = Some(bientap::store::ts(t));
        let id = self.b.store.add_item(&cx("tk", t), &new).expect("add");
        self.ids.insert(key, id);
        id
    }

    fn act(&mut self, who: &str, id: i64, t: DateTime<Utc>, a: Action) -> State {
        let note = match &a {
            Action::Reject { note, .. }
            | Action::Withdraw { note, .. }
            | Action::Return { note, .. } => note.clone(),
            _ => String::new(),
        };
        match self.b.store.decide(&cx(who, t), id, None, &a, &note) {
            Ok(o) => o.to,
            Err(e) => panic!(
                "{who} {a:?}: {}",
                e.message(Lang::En, Some(&self.b.profile))
            ),
        }
    }

    /// Triage at `t`, then assign, edit, advance, verify at 10-minute intervals; approve
    /// `gap_h` hours before `publish`; publish.
    fn publish(
        &mut self,
        id: i64,
        cat: &str,
        t: DateTime<Utc>,
        publish: DateTime<Utc>,
        gap_h: i64,
    ) {
        self.act(
            "tk",
            id,
            t,
            Action::Triage {
                category: Some(cat.into()),
            },
        );
        self.act(
            "tk",
            id,
            t + Duration::minutes(10),
            Action::Assign { to: "tv".into() },
        );
        let item = self.b.store.item(id).expect("item");
        let mut c = item.content();
        c.body.push_str(" Đã biên tập.");
        self.b
            .store
            .edit(
                &cx("tv", t + Duration::minutes(20)),
                id,
                item.version,
                &c,
                "biên tập",
            )
            .expect("edit");
        let step = |kind| Action::Step { step: None, kind };
        self.act("tv", id, t + Duration::minutes(30), step(None));
        self.act(
            "tb",
            id,
            t + Duration::minutes(40),
            step(Some(bientap::domain::profile::StepKind::Verify)),
        );
        self.act(
            "ptb",
            id,
            publish - Duration::hours(gap_h),
            step(Some(bientap::domain::profile::StepKind::Approve)),
        );
        assert_eq!(
            self.act("tk", id, publish, Action::Publish),
            State::Published
        );
    }
}

fn item(title: &str, unit: &str) -> NewItem {
    let mut n = new_item(title, "");
    n.unit = unit.into();
    n
}

/// The April 2026 world. See the comments for the expected figures.
fn world() -> World {
    let b = board(
        "stp-binh-phuoc",
        &[
            ("tk", "thu-ky"),
            ("tv", "thanh-vien"),
            ("tb", "truong-ban"),
            ("ptb", "pho-truong-ban"),
            ("gd", "giam-doc"),
        ],
    );
    let mut w = World {
        b,
        ids: Default::default(),
    };
    w.b.store
        .delegate(&cx("tb", at(3, 1, 8, 0)), "ptb", "kiem-tra-cuoi", None)
        .expect("delegate");

    // K: a unit that supplied something in March only (below its April quota).
    w.add("K", item("Tin tháng ba", "Phòng Tổ chức"), at(3, 20, 9, 0));
    // H: received in March, published Thu 2/4 (no deadline rule); confidential submitter.
    let mut h = item("Giới thiệu chức năng nhiệm vụ", "Phòng Nghiệp vụ");
    h.submitter.confidential = true;
    let id = w.add("H", h, at(3, 30, 9, 0));
    w.publish(id, "gioi-thieu", at(3, 30, 10, 0), at(4, 2, 10, 0), 1);
    // F: refused on 12.3.b.
    let id = w.add(
        "F",
        item("Tin không được đăng", "Thanh tra"),
        at(4, 6, 8, 0),
    );
    w.act(
        "tk",
        id,
        at(4, 6, 9, 0),
        Action::Triage {
            category: Some("tin-tuc".into()),
        },
    );
    w.act(
        "tb",
        id,
        at(4, 8, 10, 0),
        Action::Reject {
            reasons: vec!["12.3.b".into()],
            note: "Chưa được phép phổ biến.".into(),
        },
    );
    // G: returned twice (khong-unicode, then thieu-danh-tinh), resubmitted in between.
    let id = w.add(
        "G",
        item("Bài gửi bằng phông cũ", "Thanh tra"),
        at(4, 9, 8, 0),
    );
    w.act(
        "tk",
        id,
        at(4, 9, 15, 0),
        Action::Return {
            reasons: vec!["khong-unicode".into()],
            note: "Gửi lại bằng Unicode.".into(),
        },
    );
    w.act("tk", id, at(4, 10, 9, 0), Action::Resubmit);
    w.act(
        "tk",
        id,
        at(4, 13, 10, 0),
        Action::Return {
            reasons: vec!["thieu-danh-tinh".into()],
            note: "Thiếu số điện thoại.".into(),
        },
    );
    // C: document issued Mon 13/4, due Wed 15/4, published Tue 21/4: 4 working days late.
    let mut c = item("Quyết định ban hành kế hoạch", "Văn phòng");
    c.issued_at = Some(bientap::store::ts(at(4, 13, 8, 0)));
    let id = w.add("C", c, at(4, 13, 8, 0));
    w.publish(
        id,
        "van-ban-phap-luat",
        at(4, 13, 9, 0),
        at(4, 21, 10, 0),
        2,
    );
    // D: news, event Wed 22/4 08:00; 12 office hours → Thu 23/4 14:30; published 16:30: 2 h late.
    let mut d = item("Hội nghị triển khai nhiệm vụ", "Phòng Nghiệp vụ");
    d.event_at = Some(bientap::store::ts(at(4, 22, 8, 0)));
    let id = w.add("D", d, at(4, 22, 8, 0));
    w.publish(id, "tin-tuc", at(4, 22, 8, 10), at(4, 23, 16, 30), 3);
    // E: news, event Fri 24/4 09:00, published the same afternoon: on time.
    let mut e = item("Tập huấn nghiệp vụ", "Phòng Nghiệp vụ");
    e.event_at = Some(bientap::store::ts(at(4, 24, 9, 0)));
    let id = w.add("E", e, at(4, 24, 9, 0));
    w.publish(id, "tin-tuc", at(4, 24, 9, 10), at(4, 24, 15, 0), 4);
    // A: document issued Thu 23/4; +2 working days skipping Mon 27/4 → Tue 28/4; published
    // Wed 29/4: 1 working day late; withdrawn Thu 30/4 (a holiday). Written by a named author.
    let mut a = item("Chỉ thị về công tác tư pháp", "Văn phòng");
    a.issued_at = Some(bientap::store::ts(at(4, 23, 8, 0)));
    a.attribution.author = "Trần Thị Bình".into();
    let id = w.add("A", a, at(4, 23, 9, 0));
    w.publish(
        id,
        "chi-dao-dieu-hanh",
        at(4, 23, 9, 30),
        at(4, 29, 9, 0),
        5,
    );
    w.act(
        "tk",
        id,
        at(4, 30, 10, 0),
        Action::Withdraw {
            reasons: vec![],
            note: "Văn bản đã được thay thế.".into(),
        },
    );
    // B: document issued Fri 24/4 → due Wed 29/4; published Wed 29/4 16:00: on time.
    // Its title is hostile markup (submission text is untrusted).
    let mut bb = item("<script>alert('x')</script> & \"Kế hoạch\"", "Văn phòng");
    bb.issued_at = Some(bientap::store::ts(at(4, 24, 8, 0)));
    let id = w.add("B", bb, at(4, 24, 10, 0));
    w.publish(
        id,
        "chi-dao-dieu-hanh",
        at(4, 24, 10, 30),
        at(4, 29, 16, 0),
        6,
    );
    // I: received Thu 30/4 23:30 local (16:30 UTC): April. J: Fri 1/5 00:30 local: May.
    w.add(
        "I",
        item("Tin cuối tháng", "Phòng Kiểm tra"),
        at(4, 30, 23, 30),
    );
    w.add(
        "J",
        item("Tin đầu tháng", "Phòng Kiểm tra"),
        at(5, 1, 0, 30),
    );
    // An image attachment on D (for the royalty sheet).
    let did = w.ids["D"];
    w.b.store
        .write(|tx| {
            tx.execute(
                "INSERT INTO attachments(item_id, sha256, size, name, ext, mime) VALUES (?1, 'ab', 10, 'anh.jpg', 'jpg', 'image/jpeg'), (?1, 'cd', 10, 'bien-ban.pdf', 'pdf', 'application/pdf')",
                [did],
            )?;
            Ok(())
        })
        .expect("attachments");
    w
}

fn produced() -> Produced {
    Produced {
        by_login: "tk".into(),
        by_name: "Người tk".into(),
        at: at(5, 5, 9, 0),
    }
}

fn cal() -> std::sync::Arc<Result<bientap::domain::calendar::Calendar, String>> {
    bientap::due::calendar()
}

fn april(store: &Store) -> report::PeriodReport {
    let c = cal();
    let c = c.as_ref().as_ref().expect("calendar");
    report::build(
        store,
        c,
        &Period::parse_month("2026-04").expect("period"),
        &produced(),
        Lang::Vi,
    )
    .expect("report")
}

#[test]
fn the_due_times_the_scenario_relies_on() {
    let w = world();
    let due = |k: &str| {
        let it = w.b.store.item(w.ids[k]).expect("item");
        bientap::store::parse_ts(it.due_at.as_deref().expect("due")).expect("ts")
    };
    let local = |t: DateTime<Utc>| bientap::domain::deadline::to_local(t);
    assert_eq!(local(due("C")).date(), date(4, 15));
    assert_eq!(local(due("A")).date(), date(4, 28));
    assert_eq!(local(due("B")).date(), date(4, 29));
    assert_eq!(due("D"), at(4, 23, 14, 30));
    assert!(due("E") > at(4, 24, 15, 0));
}

#[test]
fn every_figure_of_an_april_with_two_holidays() {
    let w = world();
    let r = april(&w.b.store);
    let h = &r.header;
    assert_eq!(h.profile_id, "stp-binh-phuoc");
    assert_eq!(h.calendar_days, 30);
    // 22 weekdays minus Mon 27/4 (Giỗ Tổ, moved from Sun 26/4) and Thu 30/4.
    assert_eq!(h.working_days, 20);
    assert!(
        !r.days
            .iter()
            .find(|d| d.date == date(4, 27))
            .expect("27/4")
            .working
    );
    assert!(
        !r.days
            .iter()
            .find(|d| d.date == date(4, 30))
            .expect("30/4")
            .working
    );
    assert!(!r.empty);

    let t = r.totals;
    assert_eq!(
        (t.received, t.published, t.refused, t.returned, t.withdrawn),
        (8, 6, 1, 2, 1)
    );

    let unit = |name: &str| {
        r.by_unit
            .iter()
            .find(|g| g.code == name)
            .map(|g| g.counts)
            .unwrap_or_default()
    };
    assert_eq!(unit("Văn phòng").received, 3);
    assert_eq!(unit("Văn phòng").published, 3);
    assert_eq!(unit("Văn phòng").withdrawn, 1);
    assert_eq!(unit("Phòng Nghiệp vụ").received, 2);
    assert_eq!(unit("Phòng Nghiệp vụ").published, 3); // H (received in March), D, E
    assert_eq!(unit("Thanh tra").refused, 1);
    assert_eq!(unit("Thanh tra").returned, 2);
    assert_eq!(unit("Phòng Kiểm tra").received, 1); // I, not J

    let cat = |code: &str| {
        r.by_category
            .iter()
            .find(|g| g.code == code)
            .map(|g| g.counts)
            .unwrap_or_default()
    };
    assert_eq!(cat("chi-dao-dieu-hanh").published, 2);
    assert_eq!(cat("tin-tuc").published, 2);
    assert_eq!(cat("tin-tuc").refused, 1);
    assert_eq!(cat("").returned, 2);
    assert_eq!(
        r.by_category.iter().map(|g| g.counts.received).sum::<u64>(),
        8
    );

    // Unit quota 1–2 a month (Điều 9 khoản 4): the unit with nothing in April comes first.
    let q = r.unit_quota.as_ref().expect("unit quota");
    assert_eq!((q.period_min, q.period_max), (1, Some(2)));
    assert_eq!(q.article, "Điều 9 khoản 4");
    assert_eq!(r.units[0].unit, "Phòng Tổ chức");
    assert_eq!(r.units[0].supplied, 0);
    assert_eq!(r.units[0].status, QuotaStatus::Below);
    let st = |u: &str| r.units.iter().find(|x| x.unit == u).expect("unit").status;
    assert_eq!(st("Văn phòng"), QuotaStatus::Above);
    assert_eq!(st("Thanh tra"), QuotaStatus::Met);
    assert_eq!(st("Phòng Kiểm tra"), QuotaStatus::Met);
    assert_eq!(
        r.units
            .iter()
            .filter(|u| u.status == QuotaStatus::Below)
            .count(),
        1
    );
    assert!(r.member_quota.is_none(), "002 sets no member quota");

    // Deadlines.
    let vb = r
        .deadlines
        .iter()
        .find(|d| d.rule == "van-ban-so")
        .expect("van-ban-so");
    assert_eq!((vb.published, vb.on_time, vb.late), (3, 1, 2));
    assert_eq!(vb.measure, LateMeasure::WorkingDays);
    assert_eq!(vb.median_late, Some(1.0));
    assert_eq!(vb.worst_late, Some(4.0));
    assert_eq!(vb.worst_item, Some(w.ids["C"]));
    let tt = r
        .deadlines
        .iter()
        .find(|d| d.rule == "tin-tuc")
        .expect("tin-tuc");
    assert_eq!((tt.published, tt.on_time, tt.late), (2, 1, 1));
    assert_eq!(tt.measure, LateMeasure::OfficeHours);
    assert_eq!(tt.worst_late, Some(2.0));
    assert_eq!(tt.worst_item, Some(w.ids["D"]));
    assert_eq!(r.deadlines.len(), 2);

    // Working days without a publication: 20 working days, publications on 2, 21, 23, 24, 29.
    let q = r.site_quota.as_ref().expect("site quota");
    assert_eq!(q.article, "Điều 13 khoản 1");
    assert_eq!(r.days_short.len(), 15);
    for d in [2, 21, 23, 24, 29] {
        assert!(
            !r.days_short.contains(&date(4, d)),
            "{d}/4 had a publication"
        );
    }
    for d in [1, 3, 6, 22, 28] {
        assert!(r.days_short.contains(&date(4, d)), "{d}/4 had none");
    }
    assert!(
        !r.days_short.contains(&date(4, 30)),
        "a holiday is not a working day"
    );
    assert_eq!(
        r.days
            .iter()
            .find(|d| d.date == date(4, 29))
            .expect("29/4")
            .published,
        2
    );

    // Reasons with citations.
    let rs = |code: &str| {
        r.reasons
            .iter()
            .find(|x| x.code == code)
            .expect(code)
            .clone()
    };
    assert_eq!(rs("12.3.b").refused, 1);
    assert_eq!(rs("12.3.b").citation, "Điều 12 khoản 3 điểm b");
    assert_eq!(rs("khong-unicode").returned, 1);
    assert_eq!(rs("thieu-danh-tinh").returned, 1);
    assert_eq!(r.reasons.len(), 3);

    // Time in state (hours), nearest-rank percentiles.
    let ts = |s: &str| {
        r.state_times
            .iter()
            .find(|x| x.state == s)
            .expect(s)
            .clone()
    };
    let ap = ts("approved");
    assert_eq!((ap.stays, ap.median_hours, ap.p90_hours), (6, 3.0, 6.0));
    let pb = ts("published");
    assert_eq!((pb.stays, pb.median_hours), (1, 25.0));
    let rt = ts("returned");
    assert_eq!((rt.stays, rt.median_hours), (1, 18.0));
    let rc = ts("received");
    // F 1 h, G 7 h and 73 h, C 1 h, D and E 10 min, A and B 30 min (H's stay ended in March).
    assert_eq!((rc.stays, rc.median_hours, rc.p90_hours), (8, 0.5, 73.0));

    // Contributors: the author when named, else the submitter; the confidential one masked.
    let c = |name: &str, unit: &str| {
        r.contributors
            .iter()
            .find(|c| c.name == name && c.unit == unit)
            .map(|c| c.published)
    };
    assert_eq!(c("Trần Thị Bình", "Văn phòng"), Some(1));
    assert_eq!(c("Nguyễn Văn An", "Văn phòng"), Some(2));
    assert_eq!(c("Nguyễn Văn An", "Phòng Nghiệp vụ"), Some(2));
    let hidden = r
        .contributors
        .iter()
        .find(|c| c.items.iter().any(|i| i.id == w.ids["H"]))
        .expect("H");
    assert!(!hidden.name.contains("Nguyễn Văn An"), "{}", hidden.name);
    assert_eq!(r.contributors.iter().map(|c| c.published).sum::<u64>(), 6);
}

#[test]
fn quarter_and_year_contain_the_month() {
    let w = world();
    let c = cal();
    let c = c.as_ref().as_ref().expect("calendar");
    let q = report::build(
        &w.b.store,
        c,
        &Period::parse_quarter("2026-Q2").expect("q"),
        &produced(),
        Lang::En,
    )
    .expect("quarter");
    // Q2 adds J (received 1/5).
    assert_eq!((q.totals.received, q.totals.published), (9, 6));
    let uq = q.unit_quota.as_ref().expect("unit quota");
    assert_eq!((uq.period_min, uq.period_max), (3, Some(6)));
    let y = report::build(
        &w.b.store,
        c,
        &Period::parse_year("2026").expect("y"),
        &produced(),
        Lang::En,
    )
    .expect("year");
    // The year adds K and H (received in March).
    assert_eq!((y.totals.received, y.totals.published), (11, 6));
    assert_eq!(y.header.period_label, "2026");
}

#[test]
fn royalty_sheet_lists_every_published_item() {
    let w = world();
    let c = cal();
    let c = c.as_ref().as_ref().expect("calendar");
    let s = report::royalties(
        &w.b.store,
        c,
        &Period::parse_quarter("2026-Q2").expect("q"),
        &produced(),
        Lang::Vi,
    )
    .expect("royalties");
    assert_eq!(s.rows.len(), 6);
    assert!(!s.rates_defined);
    assert!(s.rows.iter().all(|r| r.rate_vnd.is_none()));
    let d = s.rows.iter().find(|r| r.id == w.ids["D"]).expect("D");
    assert_eq!(d.photos, 1, "the jpg counts, the pdf does not");
    assert_eq!(d.kind, bientap::domain::profile::ItemKind::News);
    assert_eq!(d.published_on, date(4, 23));
    let it = w.b.store.item(w.ids["D"]).expect("item");
    let words = format!("{} {} {}", it.title, it.lead, it.body)
        .split_whitespace()
        .count() as u64;
    assert_eq!(d.words, words);
    let a = s.rows.iter().find(|r| r.id == w.ids["A"]).expect("A");
    assert_eq!(a.author, "Trần Thị Bình");
    assert_eq!(a.kind, bientap::domain::profile::ItemKind::Document);

    // XLSX: a real date cell and numbers.
    let bytes = report::render_royalties(&s, Format::Xlsx, Lang::Vi).expect("xlsx");
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("open xlsx");
    let range = wb.worksheet_range("Nhuận bút").expect("sheet");
    let header: Vec<String> = range
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[2], "Ngày đăng");
    assert_eq!(header[10], "Mức (đồng)");
    let row = range
        .rows()
        .find(|r| r[1] == Data::Float(w.ids["D"] as f64))
        .expect("row of D");
    match &row[2] {
        Data::DateTime(dt) => {
            // Excel serial day: days since 1899-12-30.
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch");
            assert_eq!(dt.as_f64(), (date(4, 23) - epoch).num_days() as f64);
        }
        other => panic!("date cell expected, got {other:?}"),
    }
    assert_eq!(row[9], Data::Float(1.0));
    assert_eq!(row[10], Data::Empty, "no rate: left for the accountant");
}

#[test]
fn xlsx_has_one_sheet_per_table_with_the_figures() {
    let w = world();
    let r = april(&w.b.store);
    let bytes = report::render(&r, Format::Xlsx, Lang::Vi).expect("xlsx");
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("open");
    let names = wb.sheet_names().to_vec();
    for n in [
        "Thông tin",
        "Tổng hợp",
        "Theo chuyên mục",
        "Theo đơn vị",
        "Định mức đơn vị",
        "Thời hạn",
        "Theo ngày",
        "Lý do",
        "Thời gian xử lý",
        "Cộng tác viên",
    ] {
        assert!(names.iter().any(|x| x == n), "sheet {n} missing: {names:?}");
    }
    let tot = wb.worksheet_range("Tổng hợp").expect("totals");
    let rows: Vec<_> = tot.rows().collect();
    assert_eq!(rows[0][0], Data::String("Nhận".into()));
    let vals: Vec<Data> = rows[1].to_vec();
    assert_eq!(vals, [8.0, 6.0, 1.0, 2.0, 1.0].map(Data::Float).to_vec());
    let units = wb.worksheet_range("Định mức đơn vị").expect("units");
    let first: Vec<_> = units.rows().nth(1).expect("row").to_vec();
    assert_eq!(first[0], Data::String("Phòng Tổ chức".into()));
    assert_eq!(first[1], Data::Float(0.0));
    let dl = wb.worksheet_range("Thời hạn").expect("deadlines");
    let vb = dl
        .rows()
        .find(|r| r[0] == Data::String("van-ban-so".into()))
        .expect("row");
    assert_eq!(
        (vb[4].clone(), vb[5].clone(), vb[7].clone()),
        (Data::Float(1.0), Data::Float(2.0), Data::Float(4.0))
    );
    let days = wb.worksheet_range("Theo ngày").expect("days");
    assert_eq!(days.rows().count(), 31);
    assert!(matches!(
        days.rows().nth(1).expect("row")[0],
        Data::DateTime(_)
    ));
    let info = wb.worksheet_range("Thông tin").expect("info");
    let wd = info
        .rows()
        .find(|r| r[0] == Data::String("Số ngày làm việc".into()))
        .expect("working days row");
    assert_eq!(wd[1], Data::Float(20.0));
}

#[test]
fn html_has_the_state_document_header_and_escapes_values() {
    let w = world();
    let r = april(&w.b.store);
    let html =
        String::from_utf8(report::render(&r, Format::Html, Lang::Vi).expect("html")).expect("utf8");
    assert!(html.contains("<div class=\"parent\">Ủy ban nhân dân tỉnh Bình Phước</div>"));
    assert!(html.contains("<div class=\"agency\">Sở Tư pháp tỉnh Bình Phước</div>"));
    assert!(html.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(html.contains("Độc lập - Tự do - Hạnh phúc"));
    assert!(html.contains("<div class=\"placedate\">Bình Phước, ngày 05 tháng 5 năm 2026</div>"));
    assert!(html.contains(".placedate { font-style: italic"));
    assert!(html.contains("size: A4"));
    assert!(html.contains("<h1>"));
    let s = report::royalties(
        &w.b.store,
        cal().as_ref().as_ref().expect("calendar"),
        &Period::parse_quarter("2026-Q2").expect("q"),
        &produced(),
        Lang::Vi,
    )
    .expect("royalties");
    let html =
        String::from_utf8(report::render_royalties(&s, Format::Html, Lang::Vi).expect("html"))
            .expect("utf8");
    assert!(
        !html.contains("<script>"),
        "untrusted title must be escaped"
    );
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Kế hoạch&quot;")
    );
}

#[test]
fn text_csv_and_json_state_profile_period_and_producer() {
    let w = world();
    let r = april(&w.b.store);
    let text =
        String::from_utf8(report::render(&r, Format::Text, Lang::Vi).expect("text")).expect("utf8");
    assert!(text.contains("stp-binh-phuoc"));
    assert!(text.contains("tháng 4/2026 (từ 01/04/2026 đến 30/04/2026; 30 ngày, 20 ngày làm việc)"));
    assert!(text.contains("Người lập: Người tk (tk)"));
    assert!(text.contains("05/05/2026 09:00"));
    let csv =
        String::from_utf8(report::render(&r, Format::Csv, Lang::Vi).expect("csv")).expect("utf8");
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("Nhận,Đăng,Từ chối,Trả lại,Gỡ\r\n8,6,1,2,1\r\n"));
    let json: serde_json::Value =
        serde_json::from_slice(&report::render(&r, Format::Json, Lang::Vi).expect("json"))
            .expect("json");
    assert_eq!(json["header"]["working_days"], 20);
    assert_eq!(json["totals"]["published"], 6);
    assert_eq!(json["header"]["produced"]["by_login"], "tk");
}

#[test]
fn an_empty_period_is_a_report_that_says_so() {
    let w = world();
    let c = cal();
    let c = c.as_ref().as_ref().expect("calendar");
    let r = report::build(
        &w.b.store,
        c,
        &Period::parse_month("2026-07").expect("m"),
        &produced(),
        Lang::Vi,
    )
    .expect("empty report is not an error");
    assert!(r.empty);
    assert_eq!(r.totals.received, 0);
    let text =
        String::from_utf8(report::render(&r, Format::Text, Lang::Vi).expect("text")).expect("utf8");
    assert!(text.contains("Không có số liệu trong kỳ"));
    let en =
        String::from_utf8(report::render(&r, Format::Text, Lang::En).expect("text")).expect("utf8");
    assert!(en.contains("No data in this period"));
    // Every unit is below its quota in an empty month; XLSX and HTML still build.
    assert!(r.units.iter().all(|u| u.status == QuotaStatus::Below));
    report::render(&r, Format::Xlsx, Lang::Vi).expect("xlsx");
    report::render(&r, Format::Html, Lang::Vi).expect("html");
}

#[test]
fn a_period_outside_the_calendars_names_the_missing_year() {
    let w = world();
    let c = cal();
    let c = c.as_ref().as_ref().expect("calendar");
    let e = report::build(
        &w.b.store,
        c,
        &Period::parse_month("2035-03").expect("m"),
        &produced(),
        Lang::Vi,
    )
    .expect_err("no calendar for 2035");
    assert!(matches!(e, ReportError::Calendar(_)));
    assert!(
        e.message(Lang::Vi).contains("năm 2035"),
        "{}",
        e.message(Lang::Vi)
    );
    assert!(e.message(Lang::En).contains("2035"));
}

#[test]
fn an_unwritable_out_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    // Parent is a file: cannot create anything there.
    let bad = file.join("report.csv");
    let e = report::write_atomic(&bad, b"data").expect_err("unwritable");
    assert!(e.message(Lang::Vi).contains("không ghi được"));
    assert!(e.message(Lang::En).contains("nothing was written"));
    // A good path: written whole, and no temporary file left beside it.
    let good = dir.path().join("report.csv");
    report::write_atomic(&good, b"data").expect("write");
    assert_eq!(std::fs::read(&good).expect("read"), b"data");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // A directory as target is refused, and left as it was.
    let e = report::write_atomic(dir.path(), b"data").expect_err("dir");
    assert!(matches!(e, ReportError::Write { .. }));
}

fn draw(r: &report::PeriodReport, no_color: bool, w: u16, h: u16) -> ratatui::buffer::Buffer {
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| report::chart::render(f, f.area(), r, Lang::Vi, no_color))
        .expect("draw");
    term.backend().buffer().clone()
}

fn lines(b: &ratatui::buffer::Buffer) -> Vec<String> {
    let a = b.area;
    (0..a.height)
        .map(|y| {
            (0..a.width)
                .map(|x| b[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

#[test]
fn the_reports_screen_reads_at_80x24_without_colour() {
    let w = world();
    let r = april(&w.b.store);
    let buf = draw(&r, true, 80, 24);
    let text = lines(&buf).join("\n");
    // Summary with the figures.
    assert!(text.contains("20 ngày làm việc"), "{text}");
    assert!(
        text.contains("nhận 8 · đăng 6 · từ chối 1 · trả lại 2 · gỡ 1"),
        "{text}"
    );
    // Publications per working day: the count of short days in the title, first and last day.
    assert!(text.contains("thiếu 15"), "{text}");
    assert!(text.contains("01/04") && text.contains("29/04"), "{text}");
    // Under the sparkline, one mark per working day: "!" for the 15 days without a publication.
    let marks = lines(&buf)
        .into_iter()
        .map(|l| l.chars().skip(1).take(20).collect::<String>())
        .find(|l| l.chars().all(|c| c == '!' || c == '·'))
        .unwrap_or_else(|| panic!("marks line: {text}"));
    assert_eq!(marks.matches('!').count(), 15, "{marks}");
    assert_eq!(
        marks, "!·!!!!!!!!!!!!·!··!·",
        "2, 21, 23, 24 and 29 April had publications"
    );
    // Units against the quota: the one below is marked with "!" and shows count/minimum.
    assert!(text.contains("!Phòng Tổ"), "{text}");
    assert!(text.contains("0/1"), "{text}");
    assert!(text.contains("3/1"), "{text}");
    // Refusals by code and lateness by rule, with numbers.
    assert!(text.contains("12.3.b"), "{text}");
    assert!(text.contains("khong-unicode"), "{text}");
    assert!(
        text.contains("!van-ban-so") && text.contains("2/3"),
        "{text}"
    );
    assert!(text.contains("!tin-tuc") && text.contains("1/2"), "{text}");
    // Without colour no cell has a colour.
    use ratatui::style::Color;
    assert!(buf
        .content()
        .iter()
        .all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
    // With colour, what is short is red.
    let coloured = draw(&r, false, 80, 24);
    assert!(coloured.content().iter().any(|c| c.fg == Color::Red));
    // Tiny and empty areas do not panic.
    draw(&r, true, 20, 6);
    let c = cal();
    let empty = report::build(
        &w.b.store,
        c.as_ref().as_ref().expect("calendar"),
        &Period::parse_month("2026-07").expect("m"),
        &produced(),
        Lang::Vi,
    )
    .expect("empty");
    let t = lines(&draw(&empty, true, 80, 24)).join("\n");
    assert!(t.contains("Không có số liệu trong kỳ."), "{t}");
}

fn cli(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bientap"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("BIENTAP_LANG")
        .output()
        .expect("run bientap")
}

#[test]
fn the_report_command() {
    let w = world();
    let db = w.b.path.clone();
    let o = cli(&db, &["report", "monthly", "--month", "2026-04"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("BÁO CÁO HOẠT ĐỘNG TRANG THÔNG TIN ĐIỆN TỬ THÁNG 4/2026"),
        "{out}"
    );
    assert!(out.contains("20 ngày làm việc"));
    assert!(out.contains("Người lập:"));

    // --json means the JSON format.
    let o = cli(
        &db,
        &["--json", "report", "quarterly", "--quarter", "2026-Q2"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["totals"]["received"], 9);

    // Files: written whole, with a message.
    let dir = tempfile::tempdir().expect("tmp");
    let html = dir.path().join("bao-cao.html");
    let o = cli(
        &db,
        &[
            "report",
            "yearly",
            "--year",
            "2026",
            "--format",
            "html",
            "--out",
            html.to_str().expect("path"),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(&html)
        .expect("html")
        .contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    let xlsx = dir.path().join("nhuan-but.xlsx");
    let o = cli(
        &db,
        &[
            "report",
            "royalties",
            "--quarter",
            "2026-Q2",
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().expect("path"),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let wb: Xlsx<_> = calamine::open_workbook(&xlsx).expect("xlsx");
    assert!(wb.sheet_names().contains(&"Nhuận bút".to_string()));

    // Bad input: clear messages, proper exit codes, nothing written.
    let o = cli(&db, &["report", "monthly", "--month", "2026-13"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("YYYY-MM"));
    let o = cli(
        &db,
        &[
            "report", "monthly", "--month", "2026-04", "--format", "xlsx",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out"));
    let o = cli(
        &db,
        &["--lang", "en", "report", "monthly", "--month", "2035-01"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no working calendar for 2035"), "{err}");
    let bad = html.join("x.csv");
    let o = cli(
        &db,
        &[
            "report",
            "monthly",
            "--month",
            "2026-04",
            "--format",
            "csv",
            "--out",
            bad.to_str().expect("path"),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("không ghi được"));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(names.len(), 2, "only the two reports: {names:?}");
}

/// 004 Điều 6.1: each board member writes 1–2 items a month. An item counts for a member who
/// edited it or whose name is its author; each item once.
#[test]
fn member_quota_counts_edited_or_authored_items() {
    let mut b = board(
        "xa-hai-duong",
        &[
            ("tk", "thu-ky"),
            ("tv", "thanh-vien"),
            ("tb", "truong-ban"),
            ("pb", "pho-ban"),
        ],
    );
    let cat = b.profile.categories[0].code.clone();
    let publish = |b: &mut Board, day: u32, editor: &str, author: &str| {
        let t = at(9, day, 8, 0);
        let mut n = item("Tin của xã", "Văn phòng");
        n.received_at = Some(bientap::store::ts(t));
        n.attribution.author = author.into();
        let id = b.store.add_item(&cx("tk", t), &n).expect("add");
        let step = |k| Action::Step {
            step: None,
            kind: Some(k),
        };
        for (who, dt, a) in [
            (
                "tk",
                10,
                Action::Triage {
                    category: Some(cat.clone()),
                },
            ),
            ("tk", 20, Action::Assign { to: editor.into() }),
        ] {
            b.store
                .decide(&cx(who, t + Duration::minutes(dt)), id, None, &a, "")
                .expect("act");
        }
        let it = b.store.item(id).expect("item");
        b.store
            .edit(
                &cx(editor, t + Duration::minutes(30)),
                id,
                it.version,
                &it.content(),
                "sửa",
            )
            .expect("edit");
        b.store
            .decide(
                &cx("tb", t + Duration::minutes(40)),
                id,
                None,
                &step(bientap::domain::profile::StepKind::Approve),
                "",
            )
            .expect("approve");
        b.store
            .decide(
                &cx("tk", t + Duration::minutes(50)),
                id,
                None,
                &Action::Publish,
                "",
            )
            .expect("publish");
    };
    // September 2026 (2/9 off). tv edits three items, one of which pb wrote; pb edits none.
    publish(&mut b, 3, "tv", "");
    publish(&mut b, 4, "tv", "Người pb");
    publish(&mut b, 8, "tv", "");
    let c = cal();
    let r = report::build(
        &b.store,
        c.as_ref().as_ref().expect("calendar"),
        &Period::parse_month("2026-09").expect("m"),
        &produced(),
        Lang::Vi,
    )
    .expect("report");
    let q = r.member_quota.as_ref().expect("004 has a member quota");
    assert_eq!((q.period_min, q.period_max), (1, Some(2)));
    assert_eq!(q.article, "Điều 6 khoản 1");
    let m = |l: &str| r.members.iter().find(|m| m.login == l).expect(l).clone();
    assert_eq!((m("tv").edited, m("tv").authored, m("tv").total), (3, 0, 3));
    assert_eq!(m("tv").status, QuotaStatus::Above);
    assert_eq!((m("pb").edited, m("pb").authored, m("pb").total), (0, 1, 1));
    assert_eq!(m("pb").status, QuotaStatus::Met);
    assert_eq!(m("tb").status, QuotaStatus::Below);
    // Below the minimum first.
    assert_eq!(r.members[0].status, QuotaStatus::Below);
    assert!(r.unit_quota.is_none(), "004 sets no unit quota");
}

/// The HTML prints to PDF (A4) with headless Chromium, when it is installed.
#[test]
fn html_prints_to_pdf_with_chromium_when_installed() {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(browser) = browser else {
        eprintln!("skipped: chromium is not installed (apt-get install chromium to run this test)");
        return;
    };
    let w = world();
    let r = april(&w.b.store);
    let dir = tempfile::tempdir().expect("tmp");
    let html = dir.path().join("bao-cao.html");
    std::fs::write(
        &html,
        report::render(&r, Format::Html, Lang::Vi).expect("html"),
    )
    .expect("write");
    let pdf = dir.path().join("bao-cao.pdf");
    let o = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&pdf).expect("pdf written");
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        bytes.len() > 10_000,
        "a near-empty PDF: {} bytes",
        bytes.len()
    );
}
