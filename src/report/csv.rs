//! CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read Vietnamese). The period report
//! holds several tables: each starts with a `# title` line and ends with a blank line. Cells
//! that a spreadsheet would run as a formula (`= + - @` first) get a leading `'`.

use super::text::{header_lines, num, title};
use super::{kind_label, PeriodReport, RoyaltySheet};
use crate::i18n::Lang;

/// One CSV cell, quoted when needed, defused against formula injection.
pub(crate) fn cell(s: &str) -> String {
    let s: String = crate::text::sanitize::one_line(s).into_owned();
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn line(out: &mut String, cells: &[String]) {
    let v: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    out.push_str(&v.join(","));
    out.push_str("\r\n");
}

fn table(out: &mut String, name: &str, headers: &[&str], rows: Vec<Vec<String>>) {
    out.push_str(&cell(&format!("# {name}")));
    out.push_str("\r\n");
    line(
        out,
        &headers.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
    );
    for r in rows {
        line(out, &r);
    }
    out.push_str("\r\n");
}

fn head(out: &mut String, h: &super::Header, lang: Lang, royalty: bool) {
    out.push('\u{feff}');
    line(out, &[title(h, lang, royalty)]);
    for (k, v) in header_lines(h, lang) {
        line(out, &[k, v]);
    }
    out.push_str("\r\n");
}

pub(crate) fn period(r: &PeriodReport, lang: Lang) -> String {
    let mut out = String::new();
    head(&mut out, &r.header, lang, false);
    let ch = super::Counts::headings(lang);
    table(
        &mut out,
        lang.pick("Tổng hợp", "Totals"),
        &ch,
        vec![r.totals.cells()],
    );
    for (name, first, groups) in [
        (
            lang.pick("Theo chuyên mục", "By category"),
            lang.pick("Chuyên mục", "Category"),
            &r.by_category,
        ),
        (
            lang.pick("Theo đơn vị", "By unit"),
            lang.pick("Đơn vị", "Unit"),
            &r.by_unit,
        ),
    ] {
        let mut hd = vec![lang.pick("Mã", "Code"), first];
        hd.extend(ch);
        let rows = groups
            .iter()
            .map(|g| {
                let mut v = vec![g.code.clone(), g.name.clone()];
                v.extend(g.counts.cells());
                v
            })
            .collect();
        table(&mut out, name, &hd, rows);
    }
    if r.unit_quota.is_some() {
        table(
            &mut out,
            lang.pick("Định mức đơn vị", "Unit quotas"),
            &[
                lang.pick("Đơn vị", "Unit"),
                lang.pick("Gửi", "Supplied"),
                lang.pick("Đăng", "Published"),
                lang.pick("Định mức", "Quota"),
            ],
            r.units
                .iter()
                .map(|u| {
                    vec![
                        u.unit.clone(),
                        u.supplied.to_string(),
                        u.published.to_string(),
                        u.status.label(lang).into(),
                    ]
                })
                .collect(),
        );
    }
    if r.member_quota.is_some() {
        table(
            &mut out,
            lang.pick("Định mức thành viên", "Member quotas"),
            &[
                lang.pick("Tài khoản", "Login"),
                lang.pick("Thành viên", "Member"),
                lang.pick("Biên tập", "Edited"),
                lang.pick("Tác giả", "Authored"),
                lang.pick("Tính định mức", "Counted"),
                lang.pick("Định mức", "Quota"),
            ],
            r.members
                .iter()
                .map(|m| {
                    vec![
                        m.login.clone(),
                        m.name.clone(),
                        m.edited.to_string(),
                        m.authored.to_string(),
                        m.total.to_string(),
                        m.status.label(lang).into(),
                    ]
                })
                .collect(),
        );
    }
    table(
        &mut out,
        lang.pick("Thời hạn", "Deadlines"),
        &[
            lang.pick("Quy tắc", "Rule"),
            lang.pick("Căn cứ", "Article"),
            lang.pick("Đăng", "Published"),
            lang.pick("Đúng hạn", "On time"),
            lang.pick("Trễ", "Late"),
            lang.pick("Trễ trung vị", "Median late"),
            lang.pick("Trễ nhất", "Worst late"),
            lang.pick("Đơn vị đo", "Measured in"),
        ],
        r.deadlines
            .iter()
            .map(|d| {
                vec![
                    d.rule.clone(),
                    d.article.clone(),
                    d.published.to_string(),
                    d.on_time.to_string(),
                    d.late.to_string(),
                    num(d.median_late),
                    num(d.worst_late),
                    d.measure.unit(lang).into(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang.pick("Tin đăng theo ngày", "Publications per day"),
        &[
            lang.pick("Ngày", "Date"),
            lang.pick("Ngày làm việc", "Working day"),
            lang.pick("Đăng", "Published"),
        ],
        r.days
            .iter()
            .map(|d| {
                vec![
                    d.date.format("%Y-%m-%d").to_string(),
                    if d.working { "1".into() } else { "0".into() },
                    d.published.to_string(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang.pick("Lý do", "Reasons"),
        &[
            lang.pick("Mã", "Code"),
            lang.pick("Căn cứ", "Citation"),
            lang.pick("Lý do", "Reason"),
            lang.pick("Từ chối", "Refused"),
            lang.pick("Trả lại", "Returned"),
            lang.pick("Gỡ", "Withdrawn"),
        ],
        r.reasons
            .iter()
            .map(|x| {
                vec![
                    x.code.clone(),
                    x.citation.clone(),
                    x.label.clone(),
                    x.refused.to_string(),
                    x.returned.to_string(),
                    x.withdrawn.to_string(),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang.pick("Thời gian ở trạng thái (giờ)", "Time in state (hours)"),
        &[
            lang.pick("Trạng thái", "State"),
            lang.pick("Lượt", "Stays"),
            lang.pick("Trung vị", "Median"),
            lang.pick("Phân vị 90", "90th percentile"),
        ],
        r.state_times
            .iter()
            .map(|s| {
                vec![
                    s.label.clone(),
                    s.stays.to_string(),
                    num(Some(s.median_hours)),
                    num(Some(s.p90_hours)),
                ]
            })
            .collect(),
    );
    table(
        &mut out,
        lang.pick("Cộng tác viên", "Contributors"),
        &[
            lang.pick("Tác giả / người gửi", "Author / contributor"),
            lang.pick("Đơn vị", "Unit"),
            lang.pick("Số tin bài", "Items"),
            lang.pick("Tin bài", "Item ids"),
        ],
        r.contributors
            .iter()
            .map(|c| {
                let ids: Vec<String> = c.items.iter().map(|i| i.id.to_string()).collect();
                vec![
                    c.name.clone(),
                    c.unit.clone(),
                    c.published.to_string(),
                    ids.join(" "),
                ]
            })
            .collect(),
    );
    out
}

pub(crate) fn royalties(s: &RoyaltySheet, lang: Lang) -> String {
    let mut out = String::new();
    head(&mut out, &s.header, lang, true);
    let rows = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.id.to_string(),
                r.published_on.format("%Y-%m-%d").to_string(),
                r.title.clone(),
                r.author.clone(),
                r.unit.clone(),
                r.category_name.clone(),
                kind_label(r.kind, lang).into(),
                r.words.to_string(),
                r.photos.to_string(),
                r.rate_vnd.map(|v| v.to_string()).unwrap_or_default(),
                String::new(),
            ]
        })
        .collect();
    table(
        &mut out,
        lang.pick("Bảng kê nhuận bút", "Royalty sheet"),
        &[
            lang.pick("STT", "No."),
            lang.pick("Số tin bài", "Item"),
            lang.pick("Ngày đăng", "Published"),
            lang.pick("Tiêu đề", "Title"),
            lang.pick("Tác giả", "Author"),
            lang.pick("Đơn vị", "Unit"),
            lang.pick("Chuyên mục", "Category"),
            lang.pick("Loại", "Kind"),
            lang.pick("Số chữ", "Words"),
            lang.pick("Số ảnh", "Photos"),
            lang.pick("Mức (đồng)", "Rate (VND)"),
            lang.pick("Thành tiền (đồng)", "Amount (VND)"),
        ],
        rows,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_defused() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-3"), "-3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Việt Nam"), "Việt Nam");
    }
}
