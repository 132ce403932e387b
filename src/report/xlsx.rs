//! XLSX through rust_xlsxwriter: one sheet per table, Vietnamese headings (or English with
//! `--lang en`), bold frozen header row, column widths from the content, real number and date
//! cells. Text cells are written as strings (never formulas).

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::text::{header_lines, title};
use super::{kind_label, Header, PeriodReport, ReportError, RoyaltySheet};
use crate::i18n::Lang;

enum Cell {
    S(String),
    N(f64),
    D(NaiveDate),
    Blank,
}

fn s(v: impl AsRef<str>) -> Cell {
    Cell::S(crate::text::sanitize::one_line(v.as_ref()).into_owned())
}
fn n(v: impl Into<f64>) -> Cell {
    Cell::N(v.into())
}
fn opt(v: Option<f64>) -> Cell {
    v.map(Cell::N).unwrap_or(Cell::Blank)
}

fn xerr(e: XlsxError) -> ReportError {
    ReportError::Xlsx(e.to_string())
}

fn cell_width(c: &Cell) -> usize {
    match c {
        Cell::S(v) => v.width(),
        Cell::N(v) => format!("{v}").len(),
        Cell::D(_) => 10,
        Cell::Blank => 0,
    }
}

fn sheet(
    wb: &mut Workbook,
    name: &str,
    headers: &[&str],
    rows: Vec<Vec<Cell>>,
) -> Result<(), ReportError> {
    let bold = Format::new().set_bold().set_text_wrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let int = Format::new().set_num_format("0");
    let dec = Format::new().set_num_format("0.00");
    let ws: &mut Worksheet = wb.add_worksheet();
    ws.set_name(name).map_err(xerr)?;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xerr)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(cell_width(cell));
            }
            match cell {
                Cell::S(v) => {
                    ws.write_string(r, col, v).map_err(xerr)?;
                }
                Cell::N(v) => {
                    let f = if v.fract() == 0.0 { &int } else { &dec };
                    ws.write_number_with_format(r, col, *v, f).map_err(xerr)?;
                }
                Cell::D(d) => {
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(xerr)?;
                    ws.write_datetime_with_format(r, col, &dt, &date)
                        .map_err(xerr)?;
                }
                Cell::Blank => {}
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, ((*w).clamp(6, 60) + 2) as f64)
            .map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    Ok(())
}

fn info_sheet(wb: &mut Workbook, h: &Header, lang: Lang, royalty: bool) -> Result<(), ReportError> {
    let mut rows = vec![vec![
        s(lang.pick("Báo cáo", "Report")),
        s(title(h, lang, royalty)),
    ]];
    for (k, v) in header_lines(h, lang) {
        rows.push(vec![s(k), s(v)]);
    }
    rows.push(vec![
        s(lang.pick("Từ ngày", "First day")),
        Cell::D(h.first_day),
    ]);
    rows.push(vec![
        s(lang.pick("Đến ngày", "Last day")),
        Cell::D(h.last_day),
    ]);
    rows.push(vec![
        s(lang.pick("Số ngày làm việc", "Working days")),
        n(h.working_days),
    ]);
    sheet(
        wb,
        lang.pick("Thông tin", "About"),
        &[lang.pick("Mục", "Field"), lang.pick("Nội dung", "Value")],
        rows,
    )
}

fn counts(k: &super::Counts) -> Vec<Cell> {
    k.values().iter().map(|v| n(*v as f64)).collect()
}

pub(crate) fn period(r: &PeriodReport, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    info_sheet(&mut wb, &r.header, lang, false)?;
    let ch = super::Counts::headings(lang);
    sheet(
        &mut wb,
        lang.pick("Tổng hợp", "Totals"),
        &ch,
        vec![counts(&r.totals)],
    )?;
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
                let mut v = vec![s(&g.code), s(&g.name)];
                v.extend(counts(&g.counts));
                v
            })
            .collect();
        sheet(&mut wb, name, &hd, rows)?;
    }
    if r.unit_quota.is_some() {
        let rows = r
            .units
            .iter()
            .map(|u| {
                vec![
                    s(&u.unit),
                    n(u.supplied as f64),
                    n(u.published as f64),
                    s(u.status.label(lang)),
                ]
            })
            .collect();
        sheet(
            &mut wb,
            lang.pick("Định mức đơn vị", "Unit quotas"),
            &[
                lang.pick("Đơn vị", "Unit"),
                lang.pick("Gửi", "Supplied"),
                lang.pick("Đăng", "Published"),
                lang.pick("Định mức", "Quota"),
            ],
            rows,
        )?;
    }
    if r.member_quota.is_some() {
        let rows = r
            .members
            .iter()
            .map(|m| {
                vec![
                    s(&m.login),
                    s(&m.name),
                    s(&m.role),
                    n(m.edited as f64),
                    n(m.authored as f64),
                    n(m.total as f64),
                    s(m.status.label(lang)),
                ]
            })
            .collect();
        sheet(
            &mut wb,
            lang.pick("Định mức thành viên", "Member quotas"),
            &[
                lang.pick("Tài khoản", "Login"),
                lang.pick("Thành viên", "Member"),
                lang.pick("Vai trò", "Role"),
                lang.pick("Biên tập", "Edited"),
                lang.pick("Tác giả", "Authored"),
                lang.pick("Tính định mức", "Counted"),
                lang.pick("Định mức", "Quota"),
            ],
            rows,
        )?;
    }
    let rows = r
        .deadlines
        .iter()
        .map(|d| {
            vec![
                s(&d.rule),
                s(&d.label),
                s(&d.article),
                n(d.published as f64),
                n(d.on_time as f64),
                n(d.late as f64),
                opt(d.median_late),
                opt(d.worst_late),
                s(d.measure.unit(lang)),
                d.worst_item.map(|i| n(i as f64)).unwrap_or(Cell::Blank),
            ]
        })
        .collect();
    sheet(
        &mut wb,
        lang.pick("Thời hạn", "Deadlines"),
        &[
            lang.pick("Quy tắc", "Rule"),
            lang.pick("Nội dung", "Label"),
            lang.pick("Căn cứ", "Article"),
            lang.pick("Đăng", "Published"),
            lang.pick("Đúng hạn", "On time"),
            lang.pick("Trễ", "Late"),
            lang.pick("Trễ trung vị", "Median late"),
            lang.pick("Trễ nhất", "Worst late"),
            lang.pick("Đơn vị đo", "Measured in"),
            lang.pick("Tin trễ nhất", "Worst item"),
        ],
        rows,
    )?;
    let rows = r
        .days
        .iter()
        .map(|d| {
            vec![
                Cell::D(d.date),
                s(if d.working {
                    lang.pick("có", "yes")
                } else {
                    lang.pick("không", "no")
                }),
                n(d.published as f64),
            ]
        })
        .collect();
    sheet(
        &mut wb,
        lang.pick("Theo ngày", "Per day"),
        &[
            lang.pick("Ngày", "Date"),
            lang.pick("Ngày làm việc", "Working day"),
            lang.pick("Đăng", "Published"),
        ],
        rows,
    )?;
    let rows = r
        .reasons
        .iter()
        .map(|x| {
            vec![
                s(&x.code),
                s(&x.citation),
                s(&x.label),
                n(x.refused as f64),
                n(x.returned as f64),
                n(x.withdrawn as f64),
            ]
        })
        .collect();
    sheet(
        &mut wb,
        lang.pick("Lý do", "Reasons"),
        &[
            lang.pick("Mã", "Code"),
            lang.pick("Căn cứ", "Citation"),
            lang.pick("Lý do", "Reason"),
            lang.pick("Từ chối", "Refused"),
            lang.pick("Trả lại", "Returned"),
            lang.pick("Gỡ", "Withdrawn"),
        ],
        rows,
    )?;
    let rows = r
        .state_times
        .iter()
        .map(|x| {
            vec![
                s(&x.label),
                n(x.stays as f64),
                n(x.median_hours),
                n(x.p90_hours),
            ]
        })
        .collect();
    sheet(
        &mut wb,
        lang.pick("Thời gian xử lý", "Time in state"),
        &[
            lang.pick("Trạng thái", "State"),
            lang.pick("Lượt", "Stays"),
            lang.pick("Trung vị (giờ)", "Median (h)"),
            lang.pick("Phân vị 90 (giờ)", "90th pct (h)"),
        ],
        rows,
    )?;
    let mut rows = Vec::new();
    for c in &r.contributors {
        for it in &c.items {
            let d = crate::store::parse_ts(&it.published_at)
                .map(|t| crate::domain::deadline::to_local(t).date());
            rows.push(vec![
                s(&c.name),
                s(&c.unit),
                n(it.id as f64),
                d.map(Cell::D).unwrap_or(Cell::Blank),
                s(&it.title),
            ]);
        }
    }
    sheet(
        &mut wb,
        lang.pick("Cộng tác viên", "Contributors"),
        &[
            lang.pick("Tác giả / người gửi", "Author / contributor"),
            lang.pick("Đơn vị", "Unit"),
            lang.pick("Số tin bài", "Item"),
            lang.pick("Ngày đăng", "Published"),
            lang.pick("Tiêu đề", "Title"),
        ],
        rows,
    )?;
    wb.save_to_buffer().map_err(xerr)
}

pub(crate) fn royalties(sh: &RoyaltySheet, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    info_sheet(&mut wb, &sh.header, lang, true)?;
    let rows = sh
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                n((i + 1) as f64),
                n(r.id as f64),
                Cell::D(r.published_on),
                s(&r.title),
                s(&r.author),
                s(&r.unit),
                s(&r.category_name),
                s(kind_label(r.kind, lang)),
                n(r.words as f64),
                n(r.photos as f64),
                r.rate_vnd.map(|v| n(v as f64)).unwrap_or(Cell::Blank),
                Cell::Blank,
            ]
        })
        .collect();
    sheet(
        &mut wb,
        lang.pick("Nhuận bút", "Royalties"),
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
    )?;
    wb.save_to_buffer().map_err(xerr)
}
