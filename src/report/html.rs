//! Printable HTML (A4) with the administrative header of a state document (Nghị định
//! 30/2020/NĐ-CP, Phụ lục I): governing body and agency on the left, the national motto on the
//! right, place and date in italics, the title centred in bold. Every value is HTML-escaped.

use std::fmt::Write as _;

use chrono::Datelike;

use super::text::{header_lines, num_l, quota_line};
use super::{kind_label, Header, PeriodReport, RoyaltySheet};
use crate::domain::deadline::to_local;
use crate::i18n::Lang;

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let s = crate::text::sanitize::for_display(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { font-family: 'Times New Roman', Times, serif; font-size: 13pt; line-height: 1.3; color: #000; }
table.hdr { width: 100%; border-collapse: collapse; margin-bottom: 6pt; }
table.hdr td { vertical-align: top; text-align: center; padding: 0; border: none; }
.hdr .left { width: 40%; } .hdr .right { width: 60%; }
.parent { text-transform: uppercase; font-size: 12pt; }
.agency { text-transform: uppercase; font-weight: bold; font-size: 12pt; }
.motto1 { font-weight: bold; font-size: 12pt; }
.motto2 { font-weight: bold; font-size: 13pt; }
hr.short { width: 30%; margin: 2pt auto; border: 0; border-top: 1px solid #000; }
hr.motto { width: 60%; margin: 2pt auto; border: 0; border-top: 1px solid #000; }
.number { font-size: 13pt; margin-top: 6pt; }
.placedate { font-style: italic; font-size: 13pt; margin-top: 6pt; }
h1 { text-align: center; font-weight: bold; font-size: 14pt; margin: 14pt 0 2pt; text-transform: uppercase; }
.subtitle { text-align: center; font-weight: bold; margin-bottom: 12pt; }
h2 { font-size: 13pt; font-weight: bold; margin: 12pt 0 4pt; page-break-after: avoid; }
table.data { border-collapse: collapse; width: 100%; font-size: 11pt; page-break-inside: auto; }
table.data th, table.data td { border: 1px solid #000; padding: 2pt 4pt; }
table.data th { font-weight: bold; text-align: center; }
table.data tr { page-break-inside: avoid; }
td.n { text-align: right; }
dl.meta { font-size: 12pt; } dl.meta dt { float: left; clear: left; width: 11em; font-weight: bold; } dl.meta dd { margin-left: 11em; }
.empty { font-style: italic; }
";

/// "ngày 05 tháng 01 năm 2026": days below 10 and months 1–2 take a leading zero (NĐ 30/2020).
pub fn vn_date(d: chrono::NaiveDate) -> String {
    let m = d.month();
    let month = if m <= 2 {
        format!("{m:02}")
    } else {
        m.to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

fn doc_head(out: &mut String, h: &Header, lang: Lang, title: &str, subtitle: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        esc(title)
    );
    let date = to_local(h.produced.at).date();
    let place = if h.place.is_empty() { "…" } else { &h.place };
    let _ = write!(
        out,
        "<table class=\"hdr\"><tr>\n<td class=\"left\"><div class=\"parent\">{}</div>\n<div class=\"agency\">{}</div>\n<hr class=\"short\">\n<div class=\"number\">Số: &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;/BC-BBT</div></td>\n<td class=\"right\"><div class=\"motto1\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>\n<div class=\"motto2\">Độc lập - Tự do - Hạnh phúc</div>\n<hr class=\"motto\">\n<div class=\"placedate\">{}, {}</div></td>\n</tr></table>\n",
        esc(&h.parent),
        esc(&h.agency),
        esc(place),
        vn_date(date)
    );
    let _ = write!(
        out,
        "<h1>{}</h1>\n<div class=\"subtitle\">{}</div>\n<dl class=\"meta\">\n",
        esc(title),
        esc(subtitle)
    );
    for (k, v) in header_lines(h, lang) {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(&k), esc(&v));
    }
    out.push_str("</dl>\n");
}

fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>], numeric: &[usize]) {
    out.push_str("<table class=\"data\"><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            if numeric.contains(&i) {
                let _ = write!(out, "<td class=\"n\">{}</td>", esc(c));
            } else {
                let _ = write!(out, "<td>{}</td>", esc(c));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn h2(out: &mut String, n: usize, t: &str) {
    let _ = writeln!(out, "<h2>{n}. {}</h2>", esc(t));
}

fn para(out: &mut String, t: &str) {
    let _ = writeln!(out, "<p>{}</p>", esc(t));
}

pub(crate) fn period(r: &PeriodReport, lang: Lang) -> String {
    let h = &r.header;
    let mut out = String::new();
    let title = lang.pick("Báo cáo", "Report");
    let subtitle = crate::tr!(
        lang,
        "Kết quả hoạt động {} {}",
        "Activity of {}, {}",
        h.site_name,
        h.period_label
    );
    doc_head(&mut out, h, lang, title, &subtitle);
    if r.empty {
        let _ = writeln!(
            out,
            "<p class=\"empty\">{}</p>",
            esc(lang.pick(
                "Không có số liệu trong kỳ: không có tin bài nào được tiếp nhận, đăng, từ chối, trả lại hay gỡ.",
                "No data in this period: no item was received, published, refused, returned or withdrawn."
            ))
        );
    }
    let ch = super::Counts::headings(lang);
    h2(&mut out, 1, lang.pick("Tổng hợp", "Totals"));
    table(&mut out, &ch, &[r.totals.cells()], &[0, 1, 2, 3, 4]);
    for (n, name, first, groups) in [
        (
            2,
            lang.pick("Theo chuyên mục", "By category"),
            lang.pick("Chuyên mục", "Category"),
            &r.by_category,
        ),
        (
            3,
            lang.pick("Theo đơn vị cung cấp", "By supplying unit"),
            lang.pick("Đơn vị", "Unit"),
            &r.by_unit,
        ),
    ] {
        h2(&mut out, n, name);
        let mut hd = vec![first];
        hd.extend(ch);
        let rows: Vec<Vec<String>> = groups
            .iter()
            .map(|g| {
                let mut v = vec![g.name.clone()];
                v.extend(g.counts.cells());
                v
            })
            .collect();
        table(&mut out, &hd, &rows, &[1, 2, 3, 4, 5]);
    }
    h2(&mut out, 4, lang.pick("Định mức của đơn vị", "Unit quotas"));
    match &r.unit_quota {
        None => para(
            &mut out,
            lang.pick(
                "Quy chế không đặt định mức cho đơn vị.",
                "The regulation sets no quota for units.",
            ),
        ),
        Some(q) => {
            para(&mut out, &quota_line(q, lang));
            let rows: Vec<Vec<String>> = r
                .units
                .iter()
                .map(|u| {
                    vec![
                        u.unit.clone(),
                        u.supplied.to_string(),
                        u.published.to_string(),
                        u.status.label(lang).into(),
                    ]
                })
                .collect();
            table(
                &mut out,
                &[
                    lang.pick("Đơn vị", "Unit"),
                    lang.pick("Gửi", "Supplied"),
                    lang.pick("Đăng", "Published"),
                    lang.pick("Định mức", "Quota"),
                ],
                &rows,
                &[1, 2],
            );
        }
    }
    h2(
        &mut out,
        5,
        lang.pick("Định mức của thành viên", "Member quotas"),
    );
    match &r.member_quota {
        None => para(
            &mut out,
            lang.pick(
                "Quy chế không đặt định mức cho thành viên Ban biên tập.",
                "The regulation sets no quota for board members.",
            ),
        ),
        Some(q) => {
            para(&mut out, &quota_line(q, lang));
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
                        m.status.label(lang).into(),
                    ]
                })
                .collect();
            table(
                &mut out,
                &[
                    lang.pick("Thành viên", "Member"),
                    lang.pick("Vai trò", "Role"),
                    lang.pick("Biên tập", "Edited"),
                    lang.pick("Tác giả", "Authored"),
                    lang.pick("Tính định mức", "Counted"),
                    lang.pick("Định mức", "Quota"),
                ],
                &rows,
                &[2, 3, 4],
            );
        }
    }
    h2(
        &mut out,
        6,
        lang.pick("Thời hạn đăng tải", "Deadline compliance"),
    );
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
                d.measure.unit(lang).into(),
            ]
        })
        .collect();
    if rows.is_empty() {
        para(
            &mut out,
            lang.pick(
                "Không có tin bài có thời hạn được đăng trong kỳ.",
                "No item with a deadline was published in the period.",
            ),
        );
    } else {
        table(
            &mut out,
            &[
                lang.pick("Quy tắc", "Rule"),
                lang.pick("Căn cứ", "Article"),
                lang.pick("Đăng", "Published"),
                lang.pick("Đúng hạn", "On time"),
                lang.pick("Trễ", "Late"),
                lang.pick("Trễ trung vị", "Median late"),
                lang.pick("Trễ nhất", "Worst"),
                lang.pick("Đơn vị đo", "Measured in"),
            ],
            &rows,
            &[2, 3, 4, 5, 6],
        );
    }
    h2(
        &mut out,
        7,
        lang.pick(
            "Ngày làm việc không có tin đăng",
            "Working days without a publication",
        ),
    );
    if let Some(q) = &r.site_quota {
        para(&mut out, &quota_line(q, lang));
    }
    if r.days_short.is_empty() {
        para(&mut out, lang.pick("Không có.", "None."));
    } else {
        let list: Vec<String> = r
            .days_short
            .iter()
            .map(|d| d.format("%d/%m/%Y").to_string())
            .collect();
        para(&mut out, &list.join(", "));
    }
    h2(
        &mut out,
        8,
        lang.pick(
            "Từ chối và trả lại theo lý do",
            "Refusals and returns by reason",
        ),
    );
    let rows: Vec<Vec<String>> = r
        .reasons
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
        .collect();
    if rows.is_empty() {
        para(&mut out, lang.pick("Không có.", "None."));
    } else {
        table(
            &mut out,
            &[
                lang.pick("Mã", "Code"),
                lang.pick("Căn cứ", "Citation"),
                lang.pick("Lý do", "Reason"),
                lang.pick("Từ chối", "Refused"),
                lang.pick("Trả lại", "Returned"),
                lang.pick("Gỡ", "Withdrawn"),
            ],
            &rows,
            &[3, 4, 5],
        );
    }
    h2(
        &mut out,
        9,
        lang.pick(
            "Thời gian ở mỗi trạng thái (giờ)",
            "Time in each state (hours)",
        ),
    );
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
    table(
        &mut out,
        &[
            lang.pick("Trạng thái", "State"),
            lang.pick("Lượt", "Stays"),
            lang.pick("Trung vị", "Median"),
            lang.pick("Phân vị 90", "90th percentile"),
        ],
        &rows,
        &[1, 2, 3],
    );
    h2(
        &mut out,
        10,
        lang.pick(
            "Cộng tác viên có tin bài được đăng",
            "Contributors with published items",
        ),
    );
    let rows: Vec<Vec<String>> = r
        .contributors
        .iter()
        .map(|c| {
            let ids: Vec<String> = c.items.iter().map(|i| format!("#{}", i.id)).collect();
            vec![
                c.name.clone(),
                c.unit.clone(),
                c.published.to_string(),
                ids.join(" "),
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            lang.pick("Tác giả / người gửi", "Author / contributor"),
            lang.pick("Đơn vị", "Unit"),
            lang.pick("Số tin bài", "Items"),
            lang.pick("Tin bài", "Items"),
        ],
        &rows,
        &[2],
    );
    out.push_str("</body>\n</html>\n");
    out
}

pub(crate) fn royalties(s: &RoyaltySheet, lang: Lang) -> String {
    let h = &s.header;
    let mut out = String::new();
    let title = lang.pick("Bảng kê nhuận bút", "Royalty sheet");
    let subtitle = crate::tr!(
        lang,
        "Tin bài đăng trên {} {}",
        "Items published on {}, {}",
        h.site_name,
        h.period_label
    );
    doc_head(&mut out, h, lang, title, &subtitle);
    if !s.rates_defined {
        para(
            &mut out,
            lang.pick(
                "Quy chế không đặt mức nhuận bút: cột mức để kế toán điền.",
                "The regulation sets no royalty rates: the rate column is left for the accountant.",
            ),
        );
    }
    let rows: Vec<Vec<String>> = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.id.to_string(),
                r.published_on.format("%d/%m/%Y").to_string(),
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
    if rows.is_empty() {
        para(
            &mut out,
            lang.pick(
                "Không có tin bài nào được đăng trong kỳ.",
                "No item was published in the period.",
            ),
        );
    } else {
        table(
            &mut out,
            &[
                lang.pick("STT", "No."),
                lang.pick("Số", "Item"),
                lang.pick("Ngày đăng", "Published"),
                lang.pick("Tiêu đề", "Title"),
                lang.pick("Tác giả", "Author"),
                lang.pick("Đơn vị", "Unit"),
                lang.pick("Chuyên mục", "Category"),
                lang.pick("Loại", "Kind"),
                lang.pick("Số chữ", "Words"),
                lang.pick("Số ảnh", "Photos"),
                lang.pick("Mức (đồng)", "Rate (VND)"),
                lang.pick("Thành tiền", "Amount"),
            ],
            &rows,
            &[0, 1, 8, 9, 10, 11],
        );
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert!(!esc("a\u{202e}b").contains('\u{202e}'));
    }

    #[test]
    fn state_document_dates() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(vn_date(d), "ngày 05 tháng 01 năm 2026");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(vn_date(d), "ngày 22 tháng 11 năm 2026");
    }
}
