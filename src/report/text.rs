//! Plain text: what `bientap report … --format text` prints. Every untrusted value goes through
//! the one sanitiser (`cli::output::table` / `safe`).

use std::fmt::Write as _;

use super::{kind_label, Header, PeriodKind, PeriodReport, QuotaInfo, RoyaltySheet};
use crate::cli::output::{safe, table};
use crate::domain::profile::QuotaPer;
use crate::i18n::Lang;

pub(crate) fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "—".into(),
    }
}

/// A number for people: Vietnamese writes the decimal comma ("1,40").
pub(crate) fn num_l(v: Option<f64>, lang: Lang) -> String {
    let s = num(v);
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

pub(crate) fn title(h: &Header, lang: Lang, royalty: bool) -> String {
    if royalty {
        return crate::tr!(
            lang,
            "BẢNG KÊ NHUẬN BÚT {}",
            "ROYALTY SHEET, {}",
            h.period_label.to_uppercase()
        );
    }
    match h.period.kind {
        PeriodKind::Month => crate::tr!(
            lang,
            "BÁO CÁO HOẠT ĐỘNG TRANG THÔNG TIN ĐIỆN TỬ {}",
            "WEBSITE ACTIVITY REPORT, {}",
            h.period_label.to_uppercase()
        ),
        PeriodKind::Quarter => crate::tr!(
            lang,
            "BÁO CÁO HOẠT ĐỘNG TRANG THÔNG TIN ĐIỆN TỬ {}",
            "QUARTERLY WEBSITE ACTIVITY REPORT, {}",
            h.period_label.to_uppercase()
        ),
        PeriodKind::Year => crate::tr!(
            lang,
            "BÁO CÁO TỔNG KẾT HOẠT ĐỘNG TRANG THÔNG TIN ĐIỆN TỬ {}",
            "YEARLY WEBSITE ACTIVITY REPORT, {}",
            h.period_label.to_uppercase()
        ),
    }
}

/// The lines every report starts with: profile, period (with working days), produced when/by.
pub(crate) fn header_lines(h: &Header, lang: Lang) -> Vec<(String, String)> {
    vec![
        (lang.pick("Cơ quan", "Agency").into(), h.agency.clone()),
        (lang.pick("Trang", "Site").into(), h.site_name.clone()),
        (
            lang.pick("Quy chế (hồ sơ)", "Regulation profile").into(),
            h.profile_id.clone(),
        ),
        (
            lang.pick("Kỳ báo cáo", "Period").into(),
            crate::tr!(
                lang,
                "{} (từ {} đến {}; {} ngày, {} ngày làm việc)",
                "{} ({} to {}; {} days, {} working days)",
                h.period_label,
                h.first_day.format("%d/%m/%Y"),
                h.last_day.format("%d/%m/%Y"),
                h.calendar_days,
                h.working_days
            ),
        ),
        (
            lang.pick("Lập lúc", "Produced at").into(),
            format!("{} (UTC+7)", h.produced_local),
        ),
        (
            lang.pick("Người lập", "Produced by").into(),
            if h.produced.by_name == h.produced.by_login {
                h.produced.by_login.clone()
            } else {
                format!("{} ({})", h.produced.by_name, h.produced.by_login)
            },
        ),
    ]
}

pub(crate) fn per_label(per: QuotaPer, lang: Lang) -> &'static str {
    match per {
        QuotaPer::WorkingDay => lang.pick("ngày làm việc", "working day"),
        QuotaPer::Month => lang.pick("tháng", "month"),
        QuotaPer::Quarter => lang.pick("quý", "quarter"),
        QuotaPer::Year => lang.pick("năm", "year"),
    }
}

pub(crate) fn quota_line(q: &QuotaInfo, lang: Lang) -> String {
    let range = match q.max {
        Some(m) => format!("{}–{m}", q.min),
        None => format!("≥ {}", q.min),
    };
    let prange = match q.period_max {
        Some(m) => format!("{}–{m}", q.period_min),
        None => format!("≥ {}", q.period_min),
    };
    crate::tr!(
        lang,
        "Định mức {range} mỗi {} ({}); cả kỳ: {prange}",
        "Quota {range} per {} ({}); whole period: {prange}",
        per_label(q.per, lang),
        q.article
    )
}

fn section(out: &mut String, n: usize, title: &str) {
    let _ = write!(out, "\n{n}. {title}\n");
}

pub(crate) fn period(r: &PeriodReport, lang: Lang) -> String {
    let h = &r.header;
    let mut out = String::new();
    let _ = writeln!(out, "{}", title(h, lang, false));
    for (k, v) in header_lines(h, lang) {
        let _ = writeln!(out, "{k}: {}", safe(&v));
    }
    if r.empty {
        let _ = writeln!(
            out,
            "\n{}",
            lang.pick(
                "Không có số liệu trong kỳ: không có tin bài nào được tiếp nhận, đăng, từ chối, trả lại hay gỡ.",
                "No data in this period: no item was received, published, refused, returned or withdrawn."
            )
        );
    }
    let t = &r.totals;
    let counts_headers = super::Counts::headings(lang);
    section(&mut out, 1, lang.pick("Tổng hợp", "Totals"));
    out.push_str(&table(&counts_headers, &[t.cells()], &[]));

    section(
        &mut out,
        2,
        lang.pick("Theo chuyên mục", "By category (channel)"),
    );
    let mut hd = vec![lang.pick("Chuyên mục", "Category")];
    hd.extend(counts_headers);
    let rows: Vec<Vec<String>> = r
        .by_category
        .iter()
        .map(|g| {
            let mut v = vec![g.name.clone()];
            v.extend(g.counts.cells());
            v
        })
        .collect();
    out.push_str(&table(&hd, &rows, &[40]));

    section(
        &mut out,
        3,
        lang.pick("Theo đơn vị cung cấp", "By supplying unit"),
    );
    hd[0] = lang.pick("Đơn vị", "Unit");
    let rows: Vec<Vec<String>> = r
        .by_unit
        .iter()
        .map(|g| {
            let mut v = vec![g.name.clone()];
            v.extend(g.counts.cells());
            v
        })
        .collect();
    out.push_str(&table(&hd, &rows, &[40]));

    section(&mut out, 4, lang.pick("Định mức của đơn vị", "Unit quotas"));
    match &r.unit_quota {
        None => {
            let _ = writeln!(
                out,
                "{}",
                lang.pick(
                    "Quy chế không đặt định mức cho đơn vị.",
                    "The regulation sets no quota for units."
                )
            );
        }
        Some(q) => {
            let _ = writeln!(out, "{}", quota_line(q, lang));
            let rows: Vec<Vec<String>> = r
                .units
                .iter()
                .map(|u| {
                    vec![
                        u.unit.clone(),
                        u.supplied.to_string(),
                        u.published.to_string(),
                        u.status.label(lang).to_string(),
                    ]
                })
                .collect();
            out.push_str(&table(
                &[
                    lang.pick("Đơn vị", "Unit"),
                    lang.pick("Gửi", "Supplied"),
                    lang.pick("Đăng", "Published"),
                    lang.pick("Định mức", "Quota"),
                ],
                &rows,
                &[40],
            ));
        }
    }

    section(
        &mut out,
        5,
        lang.pick("Định mức của thành viên", "Member quotas"),
    );
    match &r.member_quota {
        None => {
            let _ = writeln!(
                out,
                "{}",
                lang.pick(
                    "Quy chế không đặt định mức cho thành viên Ban biên tập.",
                    "The regulation sets no quota for board members."
                )
            );
        }
        Some(q) => {
            let _ = writeln!(out, "{}", quota_line(q, lang));
            let rows: Vec<Vec<String>> = r
                .members
                .iter()
                .map(|m| {
                    vec![
                        m.name.clone(),
                        m.role.clone(),
                        m.edited.to_string(),
                        m.authored.to_string(),
                        m.total.to_string(),
                        m.status.label(lang).to_string(),
                    ]
                })
                .collect();
            out.push_str(&table(
                &[
                    lang.pick("Thành viên", "Member"),
                    lang.pick("Vai trò", "Role"),
                    lang.pick("Biên tập", "Edited"),
                    lang.pick("Tác giả", "Authored"),
                    lang.pick("Tính định mức", "Counted"),
                    lang.pick("Định mức", "Quota"),
                ],
                &rows,
                &[30, 20],
            ));
        }
    }

    section(
        &mut out,
        6,
        lang.pick("Thời hạn đăng tải", "Deadline compliance"),
    );
    if r.deadlines.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "Không có tin bài có thời hạn được đăng trong kỳ.",
                "No item with a deadline was published in the period."
            )
        );
    } else {
        let rows: Vec<Vec<String>> = r
            .deadlines
            .iter()
            .map(|d| {
                vec![
                    d.rule.clone(),
                    d.article.clone(),
                    d.published.to_string(),
                    d.on_time.to_string(),
                    d.late.to_string(),
                    num_l(d.median_late, lang),
                    num_l(d.worst_late, lang),
                    d.measure.unit(lang).to_string(),
                    d.worst_item.map(|i| format!("#{i}")).unwrap_or_default(),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                lang.pick("Quy tắc", "Rule"),
                lang.pick("Căn cứ", "Article"),
                lang.pick("Đăng", "Published"),
                lang.pick("Đúng hạn", "On time"),
                lang.pick("Trễ", "Late"),
                lang.pick("Trễ (trung vị)", "Median late"),
                lang.pick("Trễ nhất", "Worst"),
                lang.pick("Đơn vị đo", "Measured in"),
                lang.pick("Tin trễ nhất", "Worst item"),
            ],
            &rows,
            &[],
        ));
    }

    section(
        &mut out,
        7,
        lang.pick(
            "Ngày làm việc không có tin đăng",
            "Working days without a publication",
        ),
    );
    if let Some(q) = &r.site_quota {
        let _ = writeln!(out, "{}", quota_line(q, lang));
    }
    let pubs_on_working: u64 = r
        .days
        .iter()
        .filter(|d| d.working)
        .map(|d| d.published)
        .sum();
    let _ = writeln!(
        out,
        "{}",
        crate::tr!(
            lang,
            "{} ngày làm việc; {} tin đăng trong ngày làm việc; {} ngày thiếu tin.",
            "{} working days; {} publications on working days; {} days short.",
            r.header.working_days,
            pubs_on_working,
            r.days_short.len()
        )
    );
    // One line per month: "tháng 4/2026 (15): 01 03 06 …".
    let mut by_month: Vec<(String, Vec<String>)> = Vec::new();
    for d in &r.days_short {
        let m = d.format("%m/%Y").to_string();
        let m = m.trim_start_matches('0').to_string();
        match by_month.last_mut() {
            Some((k, v)) if *k == m => v.push(d.format("%d").to_string()),
            _ => by_month.push((m, vec![d.format("%d").to_string()])),
        }
    }
    for (m, days) in by_month {
        let _ = writeln!(
            out,
            "{} {m} ({}): {}",
            lang.pick("tháng", "month"),
            days.len(),
            days.join(" ")
        );
    }

    section(
        &mut out,
        8,
        lang.pick(
            "Từ chối và trả lại theo lý do",
            "Refusals and returns by reason",
        ),
    );
    if r.reasons.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("Không có.", "None."));
    } else {
        let rows: Vec<Vec<String>> = r
            .reasons
            .iter()
            .map(|x| {
                vec![
                    x.code.clone(),
                    x.citation.clone(),
                    x.refused.to_string(),
                    x.returned.to_string(),
                    x.withdrawn.to_string(),
                    x.label.clone(),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                lang.pick("Mã", "Code"),
                lang.pick("Căn cứ", "Citation"),
                lang.pick("Từ chối", "Refused"),
                lang.pick("Trả lại", "Returned"),
                lang.pick("Gỡ", "Withdrawn"),
                lang.pick("Lý do", "Reason"),
            ],
            &rows,
            &[],
        ));
    }

    section(
        &mut out,
        9,
        lang.pick(
            "Thời gian ở mỗi trạng thái (giờ)",
            "Time in each state (hours)",
        ),
    );
    if r.state_times.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("Không có.", "None."));
    } else {
        let rows: Vec<Vec<String>> = r
            .state_times
            .iter()
            .map(|s| {
                vec![
                    s.label.clone(),
                    s.stays.to_string(),
                    num_l(Some(s.median_hours), lang),
                    num_l(Some(s.p90_hours), lang),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                lang.pick("Trạng thái", "State"),
                lang.pick("Lượt", "Stays"),
                lang.pick("Trung vị", "Median"),
                lang.pick("Phân vị 90", "90th pct"),
            ],
            &rows,
            &[],
        ));
    }

    section(
        &mut out,
        10,
        lang.pick(
            "Cộng tác viên có tin bài được đăng",
            "Contributors with published items",
        ),
    );
    if r.contributors.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("Không có.", "None."));
    } else {
        let rows: Vec<Vec<String>> = r
            .contributors
            .iter()
            .map(|c| {
                let ids: Vec<String> = c
                    .items
                    .iter()
                    .take(8)
                    .map(|i| format!("#{}", i.id))
                    .collect();
                let more = if c.items.len() > 8 { " …" } else { "" };
                vec![
                    c.name.clone(),
                    c.unit.clone(),
                    c.published.to_string(),
                    format!("{}{more}", ids.join(" ")),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                lang.pick("Tác giả / người gửi", "Author / contributor"),
                lang.pick("Đơn vị", "Unit"),
                lang.pick("Số tin bài", "Items"),
                lang.pick("Tin bài", "Item ids"),
            ],
            &rows,
            &[34, 26],
        ));
    }
    out
}

pub(crate) fn royalties(s: &RoyaltySheet, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", title(&s.header, lang, true));
    for (k, v) in header_lines(&s.header, lang) {
        let _ = writeln!(out, "{k}: {}", safe(&v));
    }
    if !s.rates_defined {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "Quy chế không đặt mức nhuận bút: cột mức để kế toán điền.",
                "The regulation sets no royalty rates: the rate column is left for the accountant."
            )
        );
    }
    if s.rows.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            lang.pick(
                "Không có tin bài nào được đăng trong kỳ.",
                "No item was published in the period."
            )
        );
        return out;
    }
    let rows: Vec<Vec<String>> = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                format!("#{}", r.id),
                r.published_on.format("%d/%m/%Y").to_string(),
                r.author.clone(),
                r.unit.clone(),
                r.category_name.clone(),
                kind_label(r.kind, lang).to_string(),
                r.words.to_string(),
                r.photos.to_string(),
                r.rate_vnd.map(|v| v.to_string()).unwrap_or_default(),
                r.title.clone(),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(
        &[
            lang.pick("STT", "No."),
            lang.pick("Số", "Item"),
            lang.pick("Ngày đăng", "Published"),
            lang.pick("Tác giả", "Author"),
            lang.pick("Đơn vị", "Unit"),
            lang.pick("Chuyên mục", "Category"),
            lang.pick("Loại", "Kind"),
            lang.pick("Số chữ", "Words"),
            lang.pick("Số ảnh", "Photos"),
            lang.pick("Mức (đồng)", "Rate (VND)"),
            lang.pick("Tiêu đề", "Title"),
        ],
        &rows,
        &[0, 0, 0, 24, 20, 24, 0, 0, 0, 0, 50],
    ));
    out
}
