//! The reports screen of the console: a pure ratatui drawing of a [`PeriodReport`]. Readable at
//! 80×24 and without colour: every bar carries its label and number, and what is short of a
//! quota is marked with `!` as well as (with colour) red.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::{PeriodReport, QuotaStatus};
use crate::i18n::Lang;

fn short(s: &str, w: usize) -> String {
    let s = crate::text::sanitize::one_line(s);
    if s.width() <= w {
        return s.into_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

fn block(title: String) -> Block<'static> {
    Block::default().borders(Borders::ALL).title(title)
}

/// Horizontal bars, each "label value-text ███", flagged ones marked "!" (and red with colour).
fn draw_bars(
    frame: &mut Frame,
    area: Rect,
    title: String,
    rows: Vec<(String, u64, String, bool)>,
    empty: &str,
    no_color: bool,
) {
    if rows.is_empty() {
        frame.render_widget(Paragraph::new(empty.to_string()).block(block(title)), area);
        return;
    }
    let inner_h = area.height.saturating_sub(2) as usize;
    let widest = rows.iter().map(|r| r.0.width() + 1).max().unwrap_or(6);
    let label_w = widest.min(area.width as usize / 2).max(6);
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let list: Vec<Bar> = rows
        .into_iter()
        .take(inner_h.max(1))
        .map(|(label, v, text, flagged)| {
            let mark = if flagged { "!" } else { " " };
            let mut b = Bar::default()
                .value(v)
                .label(Line::from(format!("{mark}{}", short(&label, label_w - 1))))
                .text_value(text);
            if !no_color {
                let c = if flagged { Color::Red } else { Color::Cyan };
                b = b
                    .style(Style::default().fg(c))
                    .value_style(Style::default().fg(Color::Black).bg(c));
            } else {
                b = b.value_style(Style::default().add_modifier(Modifier::REVERSED));
            }
            b
        })
        .collect();
    let chart = BarChart::default()
        .block(block(title))
        .direction(ratatui::layout::Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .max(max)
        .data(BarGroup::default().bars(&list));
    frame.render_widget(chart, area);
}

/// Draw the report's charts: publications per working day (sparkline), units against their
/// quota, refusals and returns by reason code, lateness by deadline rule.
pub fn render(frame: &mut Frame, area: Rect, data: &PeriodReport, lang: Lang, no_color: bool) {
    let [top, grid] = Layout::vertical([Constraint::Length(2), Constraint::Min(4)]).areas(area);
    let h = &data.header;
    let t = &data.totals;
    let summary = vec![
        Line::from(crate::tr!(
            lang,
            "{} · {} · {} ngày làm việc",
            "{} · {} · {} working days",
            short(&h.site_name, 40),
            h.period_label,
            h.working_days
        ))
        .style(Style::default().add_modifier(Modifier::BOLD)),
        Line::from(if data.empty {
            lang.pick("Không có số liệu trong kỳ.", "No data in this period.")
                .to_string()
        } else {
            crate::tr!(
                lang,
                "nhận {} · đăng {} · từ chối {} · trả lại {} · gỡ {}",
                "received {} · published {} · refused {} · returned {} · withdrawn {}",
                t.received,
                t.published,
                t.refused,
                t.returned,
                t.withdrawn
            )
        }),
    ];
    frame.render_widget(Paragraph::new(summary), top);

    let [row1, row2] = Layout::vertical([Constraint::Percentage(50); 2]).areas(grid);
    let [a, b] = Layout::horizontal([Constraint::Percentage(50); 2]).areas(row1);
    let [c, d] = Layout::horizontal([Constraint::Percentage(50); 2]).areas(row2);

    // Publications per working day: a sparkline; days with none show as "·" and are counted.
    let working: Vec<&super::DayRow> = data.days.iter().filter(|d| d.working).collect();
    let max = working.iter().map(|d| d.published).max().unwrap_or(0);
    let title = crate::tr!(
        lang,
        "Tin/ngày làm việc: tối đa {max}, thiếu {}",
        "Per working day: max {max}, short {}",
        data.days_short.len()
    );
    let inner = block(title.clone()).inner(a);
    frame.render_widget(block(title), a);
    if inner.height >= 2 && inner.width >= 4 {
        let [spark, marks, axis] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let shown: Vec<&super::DayRow> =
            working.iter().take(spark.width as usize).copied().collect();
        let values: Vec<u64> = shown.iter().map(|d| d.published).collect();
        let mut s = Sparkline::default().data(values).max(max.max(1));
        if !no_color {
            s = s.style(Style::default().fg(Color::Green));
        }
        frame.render_widget(s, spark);
        // Under each day: "!" when it is short of the site quota, "·" otherwise.
        let mark_line: String = shown
            .iter()
            .map(|d| {
                if data.days_short.contains(&d.date) {
                    '!'
                } else {
                    '·'
                }
            })
            .collect();
        let mut mark_style = Style::default();
        if !no_color {
            mark_style = mark_style.fg(Color::Red);
        }
        frame.render_widget(
            Paragraph::new(Line::from(mark_line).style(mark_style)),
            marks,
        );
        let first = working.first().map(|d| d.date.format("%d/%m").to_string());
        let last = working.last().map(|d| d.date.format("%d/%m").to_string());
        let axis_text = match (first, last) {
            (Some(f), Some(l)) => {
                let gap = (axis.width as usize).saturating_sub(f.len() + l.len());
                format!("{f}{}{l}", " ".repeat(gap))
            }
            _ => String::new(),
        };
        frame.render_widget(Paragraph::new(axis_text), axis);
    }

    // Units against their quota.
    let unit_rows: Vec<(String, u64, String, bool)> = match &data.unit_quota {
        Some(q) => data
            .units
            .iter()
            .map(|u| {
                (
                    u.unit.clone(),
                    u.supplied,
                    format!("{}/{}", u.supplied, q.period_min),
                    u.status == QuotaStatus::Below,
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let unit_title = match &data.unit_quota {
        Some(q) => crate::tr!(
            lang,
            "Đơn vị / định mức {} (! = thiếu)",
            "Units / quota {} (! = below)",
            q.period_min
        ),
        None => lang.pick("Đơn vị / định mức", "Units / quota").to_string(),
    };
    draw_bars(
        frame,
        b,
        unit_title,
        unit_rows,
        lang.pick(
            "Quy chế không đặt định mức đơn vị.",
            "No unit quota in the regulation.",
        ),
        no_color,
    );

    // Refusals and returns by code.
    let reason_rows = data
        .reasons
        .iter()
        .map(|r| {
            let n = r.refused + r.returned + r.withdrawn;
            (r.code.clone(), n, n.to_string(), false)
        })
        .collect();
    draw_bars(
        frame,
        c,
        lang.pick("Từ chối/trả lại theo mã", "Refused/returned by code")
            .to_string(),
        reason_rows,
        lang.pick("Không có.", "None."),
        no_color,
    );

    // Lateness by rule: late items, with late/published.
    let late_rows = data
        .deadlines
        .iter()
        .map(|r| {
            (
                r.rule.clone(),
                r.late,
                format!("{}/{}", r.late, r.published),
                r.late > 0,
            )
        })
        .collect();
    draw_bars(
        frame,
        d,
        lang.pick(
            "Trễ hạn theo quy tắc (trễ/đăng)",
            "Late by rule (late/published)",
        )
        .to_string(),
        late_rows,
        lang.pick("Không có tin có thời hạn.", "No item with a deadline."),
        no_color,
    );
}
