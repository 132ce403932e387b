//! Rendering: reads the state, draws the frame, changes nothing. Every untrusted string goes
//! through `tui::safe` before it is drawn.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::app::{
    palette_view, sort_label, Modal, PromptKind, ReportView, Screen, State, Status, F_AUTHOR,
    F_BODY, F_DATE, F_LEAD, F_SOURCE, F_TITLE, F_URL,
};
use super::keymap::{self, Ctx};
use super::safe;
use super::theme::{Role, Theme};
use crate::domain::diff::{diff_lines, DiffLine};
use crate::domain::item::State as IState;
use crate::i18n::Lang;
use crate::store::ItemRow;
use crate::tr;

/// Width at which screens switch to their wide layout.
pub const WIDE: u16 = 110;

/// Below this width (a phone over SSH) screens use their compact layout: short labels, the
/// title gets the row, the assignee is left to the item screen.
pub const COMPACT: u16 = 64;

/// Whether a screen this wide uses the compact layout.
pub fn compact(width: u16) -> bool {
    width < COMPACT
}

fn fit(s: &str, w: usize) -> String {
    crate::cli::output::fit(s, w)
}

fn local(ts: &str) -> String {
    crate::cli::local_time(ts)
}

/// How close an item is to its due time: symbol and role (never colour alone).
pub fn urgency(due: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> (&'static str, Role) {
    match due.and_then(crate::store::parse_ts) {
        Some(d) if d < now => ("‼", Role::Danger),
        Some(d) if d - now < chrono::Duration::hours(24) => ("!", Role::Warning),
        _ => (" ", Role::Normal),
    }
}

pub fn render(s: &State, theme: &Theme, f: &mut Frame) {
    let area = f.area();
    match s.screen {
        Screen::Queue => queue(s, theme, f, area),
        Screen::Item => item(s, theme, f, area),
        Screen::Editor => editor(s, theme, f, area),
        Screen::Reports => reports(s, theme, f, area),
    }
    modal(s, theme, f, area);
}

fn header(s: &State, theme: &Theme, right: String) -> Line<'static> {
    if compact(s.size.0) {
        // A phone: who is logged in, then what the screen says; the site is the same all day.
        let mut spans = vec![Span::styled(
            format!(" {}", safe(&s.me.login)),
            theme.style(Role::Title),
        )];
        if !right.is_empty() {
            spans.push(Span::raw(" · "));
            spans.push(Span::styled(right, theme.style(Role::Muted)));
        }
        return Line::from(spans);
    }
    let p = &s.profile;
    let role = p
        .role(&s.me.role)
        .map(|r| r.title(s.lang).to_string())
        .unwrap_or_else(|| s.me.role.clone());
    let left = format!(
        " {} · {} ({})",
        safe(&p.agency.site_name),
        safe(&s.me.login),
        safe(&role)
    );
    Line::from(vec![
        Span::styled(left, theme.style(Role::Title)),
        Span::raw("  "),
        Span::styled(right, theme.style(Role::Muted)),
    ])
}

fn status_line(s: &State, theme: &Theme, hints: &str) -> Line<'static> {
    match &s.status {
        Some(Status::Ok(m)) => Line::from(Span::styled(format!("✓ {m}"), theme.style(Role::Ok))),
        Some(Status::Error(m)) => {
            Line::from(Span::styled(format!("✗ {m}"), theme.style(Role::Danger)))
        }
        Some(Status::Info(m)) => Line::from(Span::styled(m.clone(), theme.style(Role::Status))),
        None => Line::from(Span::styled(hints.to_string(), theme.style(Role::Muted))),
    }
}

fn count_text(n: i64, capped: bool) -> String {
    if capped && n > super::app::COUNT_CAP as i64 {
        format!("{}+", super::app::COUNT_CAP)
    } else {
        n.to_string()
    }
}

fn tab_count(s: &State, i: usize) -> i64 {
    let t = &s.queue.tabs[i];
    if t.mine {
        return s.queue.mine_count;
    }
    s.queue
        .counts
        .iter()
        .filter(|(st, _)| t.states.contains(st))
        .map(|(_, n)| n)
        .sum()
}

fn queue(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let lang = s.lang;
    let wide = area.width >= WIDE;
    let small = compact(area.width);
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .split(area);
    let q = &s.queue;
    let mut right = tr!(lang, "sắp xếp: {}", "sort: {}", sort_label(q.sort, lang));
    if small {
        // The tab bar shows only numbers and counts: the active tab is named here.
        let name = match (&q.search, q.tabs.get(q.tab)) {
            (Some(_), _) => lang.pick("Kết quả tìm", "Search results").to_string(),
            (None, Some(t)) => format!("{} {}", q.tab + 1, lang.pick(t.vi, t.en)),
            (None, None) => String::new(),
        };
        right = format!("{name} · ↕{}", sort_label(q.sort, lang));
    }
    if !q.tags.is_empty() {
        right.push_str(&tr!(
            lang,
            " · ✱ {} đánh dấu",
            " · ✱ {} tagged",
            q.tags.len()
        ));
    }
    f.render_widget(Paragraph::new(header(s, theme, right)), rows[0]);

    // Tabs with counts; narrow screens name only the active tab, phones none.
    let mut spans = Vec::new();
    for (i, t) in q.tabs.iter().enumerate() {
        let n = count_text(tab_count(s, i), t.mine);
        let label = lang.pick(t.vi, t.en);
        let active = i == q.tab && q.search.is_none();
        let text = if small {
            format!(" {}:{n}", i + 1)
        } else if wide || active {
            format!(" {} {label} {n} ", i + 1)
        } else {
            format!(" {}:{n} ", i + 1)
        };
        let text = if active {
            format!("▸{}", &text[1..])
        } else {
            text
        };
        spans.push(Span::styled(
            text,
            theme.style(if active { Role::TabActive } else { Role::Tab }),
        ));
    }
    if q.search.is_some() {
        let text = if small {
            format!(" ▸{}", lang.pick("tìm", "search"))
        } else {
            format!(" ▸{} ", lang.pick("Kết quả tìm", "Search results"))
        };
        spans.push(Span::styled(text, theme.style(Role::TabActive)));
    }
    if small {
        spans = tab_window(spans, rows[1].width as usize, q.tab, q.search.is_some());
    }
    f.render_widget(Paragraph::new(Line::from(spans)), rows[1]);

    let w = rows[3].width as usize;
    let layout = if small {
        // The state column goes when the tab holds a single state (the header names it).
        let one_state = q.search.is_none()
            && q.tabs
                .get(q.tab)
                .is_some_and(|t| !t.mine && t.states.len() == 1);
        Layout3::Compact { state: !one_state }
    } else if wide {
        Layout3::Wide
    } else {
        Layout3::Narrow
    };
    let heads = headings_for(lang, layout);
    let table: Vec<(Vec<String>, Role)> = q
        .rows
        .iter()
        .map(|r| {
            let (sym, role) = urgency(crate::due::running(r.state, r.due_at.as_deref()), s.now);
            (row_cells(s, r, sym, layout), role)
        })
        .collect();
    // On a phone the due and state columns are as wide as this page needs, no wider.
    let need = |i: usize, cap: usize| {
        std::iter::once(&heads)
            .chain(table.iter().map(|(c, _)| c))
            .filter_map(|c| c.get(i))
            .map(|c| c.width())
            .max()
            .unwrap_or(0)
            .min(cap)
    };
    let cols = columns(w, layout, need(1, SHORT_DUE), need(2, SHORT_STATE));
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(
            row_text(&cols, &heads),
            theme.style(Role::Heading),
        ))),
        rows[2],
    );
    let mut lines = Vec::new();
    if q.rows.is_empty() {
        lines.push(Line::from(Span::styled(
            lang.pick("  (không có tin bài nào)", "  (no items)"),
            theme.style(Role::Muted),
        )));
    }
    for (i, (r, (cells, urgency_role))) in q.rows.iter().zip(table).enumerate() {
        let text = row_text(&cols, &cells);
        let role = if i == q.sel {
            Role::Selected
        } else if q.tags.contains(&r.id) {
            Role::Tagged
        } else {
            urgency_role
        };
        lines.push(Line::from(Span::styled(text, theme.style(role))));
    }
    f.render_widget(Paragraph::new(lines), rows[3]);

    // Where we are: filter, search, more above/below.
    let mut info = Vec::new();
    if let Some(qs) = &q.search {
        info.push(tr!(
            lang,
            "tìm: \"{}\" (Esc bỏ)",
            "search: \"{}\" (Esc clears)",
            safe(qs)
        ));
    }
    if let Some((text, _)) = &q.limit {
        info.push(tr!(
            lang,
            "lọc: {} (Esc bỏ)",
            "limit: {} (Esc clears)",
            safe(text)
        ));
    }
    if q.more_before {
        info.push(lang.pick("↑ còn trang trước", "↑ more above").into());
    }
    if q.more_after {
        info.push(lang.pick("↓ còn trang sau", "↓ more below").into());
    }
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(
            info.join(" · "),
            theme.style(Role::Muted),
        ))),
        rows[4],
    );
    let hints = if small {
        lang.pick(
            "Enter mở · / tìm · ? trợ giúp · q thoát",
            "Enter open · / search · ? help · q quit",
        )
    } else {
        lang.pick(
            "Enter mở · / tìm · l lọc · t đánh dấu · s sắp xếp · ? trợ giúp · q thoát",
            "Enter open · / search · l limit · t tag · s sort · ? help · q quit",
        )
    };
    bottom(s, theme, f, rows[5], hints);
}

/// The phone tab bar: when the tabs do not fit, drop tabs from the far end first so that the
/// active one stays in view, and mark the cut with ‹ or ›.
fn tab_window(
    spans: Vec<Span<'static>>,
    width: usize,
    active: usize,
    searching: bool,
) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(|s| s.content.width()).sum();
    if total <= width || spans.is_empty() {
        return spans;
    }
    let keep = if searching {
        spans.len() - 1
    } else {
        active.min(spans.len() - 1)
    };
    let (mut lo, mut hi) = (keep, keep + 1);
    let mut used = spans[keep].content.width() + 2;
    loop {
        let mut grew = false;
        if hi < spans.len() && used + spans[hi].content.width() <= width {
            used += spans[hi].content.width();
            hi += 1;
            grew = true;
        }
        if lo > 0 && used + spans[lo - 1].content.width() <= width {
            used += spans[lo - 1].content.width();
            lo -= 1;
            grew = true;
        }
        if !grew {
            break;
        }
    }
    let mut out = Vec::new();
    if lo > 0 {
        out.push(Span::raw("‹"));
    }
    out.extend(spans[lo..hi].iter().cloned());
    if hi < spans.len() {
        out.push(Span::raw(" ›"));
    }
    out
}

/// Which set of queue columns a width gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout3 {
    /// Below 64 columns: marks, short due, short state (unless the tab implies it), title.
    Compact { state: bool },
    /// 64 to 109 columns.
    Narrow,
    /// 110 columns and more.
    Wide,
}

struct Col {
    width: usize,
}

/// Widest short due cell (`due::due_short`) and short state label (`short_state`).
const SHORT_DUE: usize = 9;
const SHORT_STATE: usize = 8;

fn columns(w: usize, layout: Layout3, due_w: usize, state_w: usize) -> Vec<Col> {
    // compact: tag+urgency, short due, [short state], title
    // narrow: tag+urgency, due, state, title, assignee
    // wide: tag+urgency, due, state, category, title, submitter/unit, assignee, flags, dup
    if let Layout3::Compact { state } = layout {
        let mut widths = vec![2, due_w];
        if state {
            widths.push(state_w);
        }
        let fixed: usize = widths.iter().map(|w| w + 1).sum();
        widths.push(w.saturating_sub(fixed));
        return widths.into_iter().map(|width| Col { width }).collect();
    }
    if layout == Layout3::Wide {
        let fixed = 3 + 29 + 16 + 10 + 8 + 4 + 8;
        let rest = w.saturating_sub(fixed);
        let cat = rest * 20 / 100;
        let who = rest * 25 / 100;
        let title = rest.saturating_sub(cat + who).max(10);
        [3, 29, 16, cat, title, who, 10, 8, 4]
            .into_iter()
            .map(|width| Col { width })
            .collect()
    } else {
        let fixed = 3 + 16 + 13 + 10 + 4;
        let title = w.saturating_sub(fixed).max(10);
        [3, 16, 13, title, 10]
            .into_iter()
            .map(|width| Col { width })
            .collect()
    }
}

fn row_text(cols: &[Col], cells: &[String]) -> String {
    let mut out = String::new();
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&fit(
            cells.get(i).map(String::as_str).unwrap_or(""),
            c.width,
        ));
    }
    out
}

fn row_cells(s: &State, r: &ItemRow, sym: &str, layout: Layout3) -> Vec<String> {
    let lang = s.lang;
    let wide = layout == Layout3::Wide;
    let tag = if s.queue.tags.contains(&r.id) {
        "✱"
    } else {
        " "
    };
    let due = crate::due::due_cell(
        &s.profile,
        crate::due::running(r.state, r.due_at.as_deref()),
        s.now,
        lang,
        wide,
    );
    if let Layout3::Compact { state } = layout {
        let mut title = if r.sensitive {
            format!("⚠ {}", safe(&r.title))
        } else {
            safe(&r.title)
        };
        if !r.check_flags.is_empty() {
            title = format!("⚑ {title}");
        }
        if r.dup_score.is_some() {
            title = format!("≈ {title}");
        }
        let due = crate::due::due_short(
            &s.profile,
            crate::due::running(r.state, r.due_at.as_deref()),
            s.now,
            lang,
        );
        let mut cells = vec![format!("{tag}{sym}"), due];
        if state {
            cells.push(short_state(r.state, lang).to_string());
        }
        cells.push(title);
        return cells;
    }
    let state = state_text(r.state, r.step, s, wide);
    let title = if r.sensitive {
        format!("⚠ {}", safe(&r.title))
    } else {
        safe(&r.title)
    };
    let assignee = r
        .assignee
        .as_deref()
        .map(safe)
        .unwrap_or_else(|| "—".into());
    if wide {
        let cat = s
            .profile
            .category(&r.category)
            .map(|c| c.name(lang).to_string())
            .unwrap_or_else(|| {
                if r.category.is_empty() {
                    "—".into()
                } else {
                    safe(&r.category)
                }
            });
        let who = if r.unit.is_empty() {
            safe(&r.submitter)
        } else {
            format!("{} / {}", safe(&r.submitter), safe(&r.unit))
        };
        let flags = if r.check_flags.is_empty() {
            String::new()
        } else {
            format!("⚑ {}", safe(&r.check_flags))
        };
        let dup = r
            .dup_score
            .map(|d| format!("{:.0}%", d * 100.0))
            .unwrap_or_default();
        vec![
            format!("{tag}{sym}"),
            due,
            state,
            cat,
            title,
            who,
            assignee,
            flags,
            dup,
        ]
    } else {
        let mut title = title;
        if !r.check_flags.is_empty() {
            title = format!("⚑ {title}");
        }
        if r.dup_score.is_some() {
            title = format!("≈ {title}");
        }
        vec![format!("{tag}{sym}"), due, state, title, assignee]
    }
}

fn state_text(st: IState, step: usize, s: &State, wide: bool) -> String {
    let label = st.label(s.lang).to_string();
    if wide && matches!(st, IState::Editing | IState::Verified) && !s.profile.steps.is_empty() {
        format!("{label} {}/{}", step, s.profile.steps.len())
    } else {
        label
    }
}

/// A state in at most six columns, for the phone queue (the item screen says it in full).
pub fn short_state(st: IState, lang: Lang) -> &'static str {
    match st {
        IState::Received => lang.pick("mới", "new"),
        // English: whole words of at most 8 letters (newsroom usage: a published item is
        // "live", a taken-down one "pulled"; an escalated one went "to head" of the agency).
        IState::Triaged => lang.pick("p.loại", "triaged"),
        IState::Editing => lang.pick("b.tập", "editing"),
        IState::Verified => lang.pick("k.tra", "verified"),
        IState::Approved => lang.pick("duyệt", "approved"),
        IState::Published => lang.pick("đăng", "live"),
        IState::Returned => lang.pick("trả", "returned"),
        IState::Escalated => lang.pick("xin ý", "to head"),
        IState::Rejected => lang.pick("t.chối", "refused"),
        IState::Withdrawn => lang.pick("gỡ", "pulled"),
    }
}

fn headings_for(lang: Lang, layout: Layout3) -> Vec<String> {
    match layout {
        Layout3::Compact { state } => {
            let mut h = vec![String::new(), lang.pick("Hạn", "Due").to_string()];
            if state {
                h.push(lang.pick("T.thái", "State").to_string());
            }
            h.push(lang.pick("Tiêu đề", "Title").to_string());
            h
        }
        Layout3::Narrow => headings(lang, false),
        Layout3::Wide => headings(lang, true),
    }
}

/// Column headings (kept apart so that both layouts share them).
pub fn headings(lang: Lang, wide: bool) -> Vec<String> {
    let h = |vi: &str, en: &str| lang.pick(vi, en).to_string();
    if wide {
        vec![
            String::new(),
            h("Hạn", "Due"),
            h("Trạng thái", "State"),
            h("Chuyên mục", "Category"),
            h("Tiêu đề", "Title"),
            h("Người gửi / đơn vị", "Submitter / unit"),
            h("Giao cho", "Assignee"),
            h("Kiểm tra", "Checks"),
            h("Trùng", "Dup"),
        ]
    } else {
        vec![
            String::new(),
            h("Hạn", "Due"),
            h("Trạng thái", "State"),
            h("Tiêu đề", "Title"),
            h("Giao cho", "Assignee"),
        ]
    }
}

fn bottom(s: &State, theme: &Theme, f: &mut Frame, area: Rect, hints: &str) {
    if let Some(Modal::Prompt { kind, text }) = &s.modal {
        let lang = s.lang;
        let label = match kind {
            PromptKind::Search => lang.pick("Tìm: ", "Search: "),
            PromptKind::Goto => lang.pick("Mở tin bài số: ", "Open item number: "),
            PromptKind::Limit => lang.pick(
                "Lọc (~s ~c ~u ~a ~o ~d ~D ! | ()): ",
                "Limit (~s ~c ~u ~a ~o ~d ~D ! | ()): ",
            ),
            PromptKind::TagPattern => lang.pick("Đánh dấu theo mẫu: ", "Tag by pattern: "),
            PromptKind::Note => lang.pick("Ghi chú: ", "Note: "),
            PromptKind::FlowNote => match s.flow.as_ref().map(|f| f.kind) {
                Some(crate::tui::app::FlowKind::Confirm) => lang.pick(
                    "Đã liên hệ ai, kết quả: ",
                    "Whom you contacted, what they said: ",
                ),
                Some(crate::tui::app::FlowKind::Submitter) => lang.pick(
                    "Thông tin lấy từ đâu (thư trả lời, điện thoại…): ",
                    "Where the details came from (reply, phone…): ",
                ),
                _ => lang.pick("Ghi chú lý do: ", "Note (reason): "),
            },
            PromptKind::FlowValue => lang.pick("Giá trị mới: ", "New value: "),
        };
        let shown = safe(text);
        let room = (area.width as usize).saturating_sub(label.width() + 1);
        let tail: String = {
            let mut w = 0;
            let mut v: Vec<char> = Vec::new();
            for c in shown.chars().rev() {
                w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if w > room {
                    break;
                }
                v.push(c);
            }
            v.into_iter().rev().collect()
        };
        let x = area.x + (label.width() + tail.width()) as u16;
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label.to_string(), theme.style(Role::Key)),
                Span::raw(tail),
            ])),
            area,
        );
        f.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
        // A refusal (bad pattern, missing note) shows just above the prompt.
        if let (Some(Status::Error(_)), true) = (&s.status, area.y > 0) {
            let above = Rect {
                y: area.y - 1,
                ..area
            };
            f.render_widget(Clear, above);
            f.render_widget(Paragraph::new(status_line(s, theme, "")), above);
        }
        return;
    }
    f.render_widget(Paragraph::new(status_line(s, theme, hints)), area);
}

fn size_text(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1048576.0)
    } else if n >= 1024 {
        format!("{:.0} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

fn section(theme: &Theme, title: &str) -> Line<'static> {
    Line::from(Span::styled(
        format!("── {title} "),
        theme.style(Role::Heading),
    ))
}

fn item(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let lang = s.lang;
    let Some(it) = &s.item else {
        return;
    };
    let d = &it.data;
    let i = &d.item;
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .split(area);
    f.render_widget(Paragraph::new(header(s, theme, String::new())), rows[0]);
    // State line: state, step, due with urgency symbol, lease.
    let (sym, urole) = urgency(crate::due::running(i.state, i.due_at.as_deref()), s.now);
    let mut spans = vec![
        Span::styled(
            format!("#{} v{} ", i.id, i.version),
            theme.style(Role::Title),
        ),
        Span::styled(
            format!(" {} ", i.state.label(lang)),
            theme.style(Role::TabActive),
        ),
    ];
    let small = compact(area.width);
    let running = crate::due::running(i.state, i.due_at.as_deref());
    if small {
        // A phone: the short due here, the rest (next step, due date, lease) at the top of
        // the scrolling text below.
        if running.is_some() {
            spans.push(Span::styled(
                format!(
                    " {sym} {}",
                    crate::due::due_short(&s.profile, running, s.now, lang)
                ),
                theme.style(urole),
            ));
        }
    } else {
        if let Some(step) = crate::domain::workflow::next_step(&s.profile, &i.facts()) {
            spans.push(Span::raw(tr!(
                lang,
                " bước tiếp: {}",
                " next: {}",
                step.name(lang)
            )));
        }
        spans.push(Span::styled(
            format!(
                "  {sym}{} {}",
                lang.pick("hạn", "due"),
                crate::due::due_text(&s.profile, running, s.now, lang)
            ),
            theme.style(urole),
        ));
    }
    if let (Some((who, until)), false) = (&it.other, small) {
        spans.push(Span::styled(
            tr!(
                lang,
                "  ⚠ {} đang mở (đến {}) — L nhận quyền sửa",
                "  ⚠ open by {} (until {}) — L takes over",
                safe(who),
                local(until)
            ),
            theme.style(Role::Warning),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), rows[1]);

    let wide = area.width >= WIDE;
    let (main, side) = if wide {
        let c = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
            .split(rows[2]);
        (c[0], Some(c[1]))
    } else {
        (rows[2], None)
    };
    let mut lines = if small {
        state_lines(s, theme)
    } else {
        Vec::new()
    };
    lines.extend(content_lines(s, theme));
    let mut side_lines = Vec::new();
    let extra = record_lines(s, theme);
    if side.is_some() {
        side_lines = extra;
    } else {
        lines.extend(extra);
    }
    let max_scroll = (lines.len() as u16).saturating_sub(main.height / 2);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((it.scroll.min(max_scroll), 0)),
        main,
    );
    if let Some(side) = side {
        f.render_widget(
            Paragraph::new(side_lines)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::LEFT)),
            side,
        );
    }
    bottom(
        s,
        theme,
        f,
        rows[3],
        if small {
            lang.pick(
                "a quyết định · e sửa · Esc về · ? trợ giúp",
                "a decide · e edit · Esc back · ? help",
            )
        } else {
            lang.pick(
                "a quyết định · v bước tiếp · e sửa · n ghi chú · d so sánh · Esc về · ? trợ giúp",
                "a decide · v next step · e edit · n note · d diff · Esc back · ? help",
            )
        },
    );
}

/// On a phone, what the state line holds at 64 columns and more: who else has the item open,
/// the next step and the due time in full.
fn state_lines(s: &State, theme: &Theme) -> Vec<Line<'static>> {
    let lang = s.lang;
    let Some(it) = &s.item else {
        return vec![];
    };
    let i = &it.data.item;
    let mut l = Vec::new();
    if let Some((who, until)) = &it.other {
        l.push(Line::styled(
            tr!(
                lang,
                "⚠ {} đang mở (đến {}) — L nhận quyền sửa",
                "⚠ open by {} (until {}) — L takes over",
                safe(who),
                local(until)
            ),
            theme.style(Role::Warning),
        ));
    }
    let meta = |k: &str, v: String, role: Role| {
        Line::from(vec![
            Span::styled(format!("{k}: "), theme.style(Role::Muted)),
            Span::styled(v, theme.style(role)),
        ])
    };
    let (sym, urole) = urgency(crate::due::running(i.state, i.due_at.as_deref()), s.now);
    let due = crate::due::due_text(
        &s.profile,
        crate::due::running(i.state, i.due_at.as_deref()),
        s.now,
        lang,
    );
    let due = if sym.trim().is_empty() {
        due
    } else {
        format!("{sym} {due}")
    };
    l.push(meta(lang.pick("Hạn", "Due"), due, urole));
    if let Some(step) = crate::domain::workflow::next_step(&s.profile, &i.facts()) {
        l.push(meta(
            lang.pick("Bước tiếp", "Next step"),
            step.name(lang).to_string(),
            Role::Normal,
        ));
    }
    l.push(Line::raw(""));
    l
}

fn content_lines(s: &State, theme: &Theme) -> Vec<Line<'static>> {
    let lang = s.lang;
    let Some(it) = &s.item else {
        return vec![];
    };
    let d = &it.data;
    let i = &d.item;
    let mut l = Vec::new();
    l.push(Line::from(Span::styled(
        safe(&i.title),
        theme.style(Role::Title),
    )));
    let cat = s
        .profile
        .category(&i.category)
        .map(|c| format!("{} ({})", c.name(lang), c.article))
        .unwrap_or_else(|| {
            if i.category.is_empty() {
                "—".into()
            } else {
                safe(&i.category)
            }
        });
    let meta = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k}: "), theme.style(Role::Muted)),
            Span::raw(v),
        ])
    };
    l.push(meta(lang.pick("Chuyên mục", "Category"), cat));
    let mut who = safe(&i.submitter.display());
    if i.submitter.confidential {
        who.push_str(lang.pick(" (yêu cầu giữ bí mật)", " (confidential)"));
    }
    if !i.unit.is_empty() {
        who.push_str(&format!(" · {}", safe(&i.unit)));
    }
    l.push(meta(lang.pick("Người gửi", "Submitter"), who));
    l.push(meta(
        lang.pick("Nhận lúc", "Received"),
        local(&i.received_at),
    ));
    l.push(meta(
        lang.pick("Giao cho", "Assignee"),
        i.assignee
            .as_deref()
            .map(safe)
            .unwrap_or_else(|| "—".into()),
    ));
    let a = &i.attribution;
    if a.kind == crate::domain::item::SourceKind::Quoted {
        let missing = a.missing();
        let mut v = format!(
            "{} · {} · {} · {}",
            safe(&a.author),
            safe(&a.source_name),
            safe(&a.source_url),
            a.source_date
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "—".into())
        );
        if !missing.is_empty() {
            v.push_str(&tr!(
                lang,
                "  ✗ thiếu: {}",
                "  ✗ missing: {}",
                missing.join(", ")
            ));
        }
        l.push(meta(lang.pick("Trích dẫn", "Quoted from"), v));
    }
    if i.sensitive {
        let (text, role) = match i.opinion {
            Some(crate::domain::item::Opinion::Agree) => (
                lang.pick(
                    "⚠ thông tin nhạy cảm: lãnh đạo đã đồng ý",
                    "⚠ sensitive: the head agreed",
                ),
                Role::Warning,
            ),
            Some(crate::domain::item::Opinion::Disagree) => (
                lang.pick(
                    "✗ thông tin nhạy cảm: lãnh đạo không đồng ý",
                    "✗ sensitive: the head disagreed",
                ),
                Role::Danger,
            ),
            None => (
                lang.pick(
                    "⚠ thông tin nhạy cảm: cần ý kiến lãnh đạo",
                    "⚠ sensitive: needs the head's opinion",
                ),
                Role::Warning,
            ),
        };
        l.push(Line::from(Span::styled(text, theme.style(role))));
    }
    l.push(Line::raw(""));
    if !i.lead.is_empty() {
        for line in i.lead.split('\n') {
            l.push(Line::from(Span::styled(
                safe(line),
                theme.style(Role::Title),
            )));
        }
        l.push(Line::raw(""));
    }
    for line in i.body.split('\n') {
        l.push(Line::raw(safe(line)));
    }
    if !d.attachments.is_empty() {
        l.push(Line::raw(""));
        l.push(section(theme, lang.pick("Tệp đính kèm", "Attachments")));
        for at in &d.attachments {
            let flag = if at.flags.is_empty() {
                String::new()
            } else {
                format!("  ⚑ {}", safe(&at.flags))
            };
            l.push(Line::raw(format!(
                "  {} · {} · {}{flag}",
                safe(&at.name),
                safe(if at.mime.is_empty() {
                    &at.ext
                } else {
                    &at.mime
                }),
                size_text(at.size)
            )));
        }
    }
    l
}

fn record_lines(s: &State, theme: &Theme) -> Vec<Line<'static>> {
    let lang = s.lang;
    let Some(it) = &s.item else {
        return vec![];
    };
    let d = &it.data;
    let mut l = Vec::new();
    l.push(Line::raw(""));
    l.push(section(theme, lang.pick("Kiểm tra", "Checks")));
    if d.checks.is_empty() {
        l.push(Line::styled(
            lang.pick("  (chưa có)", "  (none)"),
            theme.style(Role::Muted),
        ));
    }
    for c in &d.checks {
        let (sym, word, role) = match c.status.as_str() {
            "pass" => ("✓", lang.pick("đạt", "pass"), Role::Ok),
            "fail" => ("✗", lang.pick("không đạt", "fail"), Role::Danger),
            "warn" => ("!", lang.pick("lưu ý", "warn"), Role::Warning),
            _ => ("–", lang.pick("không áp dụng", "n/a"), Role::Muted),
        };
        let (name, letter) = crate::domain::checks::label(&c.code, lang);
        let letter = letter.map(|l| format!("[{l}] ")).unwrap_or_default();
        let mut text = format!(
            "  {sym} {word} · {letter}{} — {}",
            safe(&name),
            safe(&c.article)
        );
        if !c.detail.is_empty() {
            text.push_str(&format!(": {}", safe(&c.detail)));
        }
        l.push(Line::styled(text, theme.style(role)));
    }
    if !d.confirmations.is_empty() {
        l.push(section(theme, lang.pick("Xác minh", "Confirmations")));
        for c in &d.confirmations {
            l.push(Line::raw(format!(
                "  {} {} {} ({}) {}",
                local(&c.at),
                safe(&c.login),
                safe(&c.what),
                safe(&c.how),
                safe(&c.note)
            )));
        }
    }
    l.push(section(
        theme,
        lang.pick("Ghi chú trong Ban", "Board notes"),
    ));
    if d.notes.is_empty() {
        l.push(Line::styled(
            lang.pick("  (chưa có; n để thêm)", "  (none; n adds one)"),
            theme.style(Role::Muted),
        ));
    }
    for n in &d.notes {
        l.push(Line::from(vec![
            Span::styled(
                format!("  {} {}: ", local(&n.at), safe(&n.login)),
                theme.style(Role::Muted),
            ),
            Span::raw(safe(&n.text)),
        ]));
    }
    l.push(section(
        theme,
        &tr!(
            lang,
            "Lịch sử ({} bản sửa; d so sánh)",
            "History ({} revisions; d compares)",
            d.revisions.len()
        ),
    ));
    for e in &d.history {
        let r = &e.record;
        let mut text = format!("  {} {} {}", local(&r.at), safe(&r.actor), safe(&r.action));
        if let (Some(a), Some(b)) = (&r.from_state, &r.to_state) {
            if a != b {
                let lab = |x: &str| {
                    IState::parse(x)
                        .map(|s| s.label(lang).to_string())
                        .unwrap_or_else(|| safe(x))
                };
                text.push_str(&format!(" {}→{}", lab(a), lab(b)));
            }
        }
        if !r.reasons.is_empty() {
            text.push_str(&format!(" [{}]", safe(&r.reasons.join(", "))));
        }
        if !r.note.is_empty() {
            text.push_str(&format!(" «{}»", safe(&r.note)));
        }
        l.push(Line::raw(text));
    }
    l
}

fn editor(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let lang = s.lang;
    let Some(ed) = &s.editor else {
        return;
    };
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(4),
        Constraint::Min(3),
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .split(area);
    let kind = if ed.quoted {
        lang.pick("trích dẫn", "quoted")
    } else {
        lang.pick("tự viết", "original")
    };
    let dirty = if ed.dirty() {
        lang.pick(" · ● chưa lưu", " · ● unsaved")
    } else {
        ""
    };
    let small = compact(area.width);
    let right = if small {
        let dirty = if ed.dirty() { " · ●" } else { "" };
        tr!(
            lang,
            "sửa #{} v{} · {kind}{dirty}",
            "edit #{} v{} · {kind}{dirty}",
            ed.id,
            ed.version
        )
    } else {
        tr!(
            lang,
            "sửa #{} (từ phiên bản {}) · nguồn: {kind}{dirty}",
            "editing #{} (from version {}) · source: {kind}{dirty}",
            ed.id,
            ed.version
        )
    };
    f.render_widget(Paragraph::new(header(s, theme, right)), rows[0]);
    let names = [
        (F_TITLE, lang.pick("Tiêu đề", "Title")),
        (F_LEAD, lang.pick("Sapo", "Lead")),
        (F_BODY, lang.pick("Nội dung", "Body")),
        (F_AUTHOR, lang.pick("Tác giả", "Author")),
        (F_SOURCE, lang.pick("Nguồn", "Source")),
        (F_URL, lang.pick("Địa chỉ nguồn", "Source URL")),
        (F_DATE, lang.pick("Ngày đăng gốc", "First published")),
    ];
    let attr1 =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).split(rows[4]);
    let attr2 =
        Layout::horizontal([Constraint::Percentage(70), Constraint::Percentage(30)]).split(rows[5]);
    let areas = [
        rows[1], rows[2], rows[3], attr1[0], attr1[1], attr2[0], attr2[1],
    ];
    for (idx, name) in names {
        let focused = ed.focus == idx;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(if focused { Role::Key } else { Role::Muted }))
            .title(Span::styled(
                if focused {
                    format!("▸ {name}")
                } else {
                    name.to_string()
                },
                theme.style(if focused {
                    Role::Selected
                } else {
                    Role::Normal
                }),
            ));
        let a = areas[idx];
        let inner = block.inner(a);
        f.render_widget(block, a);
        if let Some(field) = ed.fields.get(idx) {
            f.render_widget(field, inner);
        }
    }
    bottom(
        s,
        theme,
        f,
        rows[6],
        if small {
            lang.pick(
                "Ctrl-S lưu · Tab ô sau · Esc đóng · F1 phím",
                "Ctrl-S save · Tab next · Esc close · F1 keys",
            )
        } else {
            lang.pick(
                "Ctrl-S lưu · Tab ô sau · Shift-Tab ô trước · Ctrl-T tự viết/trích dẫn · Esc đóng · F1 trợ giúp",
                "Ctrl-S save · Tab next · Shift-Tab previous · Ctrl-T original/quoted · Esc close · F1 help",
            )
        },
    );
}

/// The reports screen: the month, then its charts (or "building…", or why there is no report).
fn reports(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let lang = s.lang;
    let [top, title, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let Some(r) = &s.reports else {
        return;
    };
    let month = r.label(lang);
    f.render_widget(
        Paragraph::new(header(s, theme, lang.pick("báo cáo", "report").to_string())),
        top,
    );
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("◀ ", theme.style(Role::Key)),
            Span::styled(
                tr!(lang, "Báo cáo {month}", "Report {month}"),
                theme.style(Role::Heading),
            ),
            Span::styled(" ▶", theme.style(Role::Key)),
        ])),
        title,
    );
    match &r.view {
        ReportView::Loading => f.render_widget(
            Paragraph::new(Line::styled(
                tr!(
                    lang,
                    "đang lập báo cáo {month}…",
                    "building the report for {month}…"
                ),
                theme.style(Role::Muted),
            )),
            body,
        ),
        ReportView::Failed(m) => f.render_widget(
            Paragraph::new(vec![
                Line::styled(format!("✗ {}", safe(m)), theme.style(Role::Danger)),
                Line::raw(""),
                Line::styled(
                    lang.pick(
                        "← → để chọn tháng khác · Esc về danh sách",
                        "← → to pick another month · Esc back to the queue",
                    ),
                    theme.style(Role::Muted),
                ),
            ])
            .wrap(Wrap { trim: false }),
            body,
        ),
        ReportView::Ready(rep) => {
            crate::report::chart::render(f, body, rep, lang, !theme.color);
        }
    }
    bottom(
        s,
        theme,
        f,
        foot,
        lang.pick(
            "← h tháng trước · → l tháng sau · r lập lại · Esc về danh sách · ? trợ giúp",
            "← h previous month · → l next month · r rebuild · Esc back · ? help",
        ),
    );
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn boxed(
    f: &mut Frame,
    theme: &Theme,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
) {
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(format!(" {title} "), theme.style(Role::Title))),
            ),
        area,
    );
}

fn modal(s: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let lang = s.lang;
    let Some(m) = &s.modal else {
        return;
    };
    match m {
        Modal::Help { scroll } => {
            let ctx = match s.screen {
                Screen::Queue => Ctx::Queue,
                Screen::Item => Ctx::Item,
                Screen::Editor => Ctx::Editor,
                Screen::Reports => Ctx::Reports,
            };
            let binds = keymap::bindings(ctx);
            let mut notes: Vec<Line<'static>> = Vec::new();
            if ctx == Ctx::Queue {
                notes.push(Line::styled(
                    lang.pick(
                        "Mẫu lọc: ~s chữ (tiêu đề) ~c mã (chuyên mục) ~u đơn vị ~a người ~o quá hạn ~d <3 (hạn trong 3 ngày) ~D nghi trùng; ! không, | hoặc, ( )",
                        "Patterns: ~s text (title) ~c code (category) ~u unit ~a login ~o overdue ~d <3 (due in 3 days) ~D duplicate; ! not, | or, ( )",
                    ),
                    theme.style(Role::Muted),
                ));
            }
            if compact(area.width) {
                help_compact(s, theme, f, area, binds, *scroll);
                return;
            }
            let box_w = area.width.saturating_sub(2).min(118);
            let inner_h = area
                .height
                .saturating_sub(2 + 2 * notes.len() as u16)
                .max(1) as usize;
            // Two columns when one does not fit.
            let ncols = if binds.len() > inner_h { 2 } else { 1 };
            let col_w = (box_w as usize).saturating_sub(2) / ncols;
            let key_w = if col_w >= 40 { 20 } else { 13 };
            let per_col = binds.len().div_ceil(ncols);
            let cell = |b: &keymap::Binding| -> Vec<Span<'static>> {
                vec![
                    Span::styled(fit(b.keys, key_w), theme.style(Role::Key)),
                    Span::raw(fit(b.label(lang), col_w.saturating_sub(key_w + 1))),
                    Span::raw(" "),
                ]
            };
            let mut lines: Vec<Line<'static>> = (0..per_col)
                .map(|r| {
                    let mut spans = Vec::new();
                    for c in 0..ncols {
                        if let Some(b) = binds.get(c * per_col + r) {
                            spans.extend(cell(b));
                        }
                    }
                    Line::from(spans)
                })
                .collect();
            if !notes.is_empty() {
                lines.push(Line::raw(""));
                lines.extend(notes);
            }
            let h = (lines.len() as u16 + 3).min(area.height);
            // Scrolled no further than the last line at the bottom of the box.
            let top = (*scroll).min((lines.len() as u16 + 1).saturating_sub(h.saturating_sub(2)));
            boxed(
                f,
                theme,
                centered(area, box_w, h),
                lang.pick("Phím", "Keys"),
                lines,
                top,
            );
        }
        Modal::Palette { query, sel } => {
            let entries = palette_view(s, query);
            let sel = (*sel).min(entries.len().saturating_sub(1));
            let mut lines = vec![Line::from(vec![
                Span::styled(": ", theme.style(Role::Key)),
                Span::raw(safe(query)),
            ])];
            for (i, e) in entries.iter().enumerate() {
                let role = if i == sel {
                    Role::Selected
                } else {
                    Role::Normal
                };
                lines.push(Line::styled(format!(" {e}"), theme.style(role)));
            }
            let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
            boxed(
                f,
                theme,
                centered(area, 70, h),
                lang.pick("Lệnh", "Commands"),
                lines,
                0,
            );
        }
        Modal::Picker(p) => {
            let small = compact(area.width);
            let indent = if small { "  " } else { "      " };
            let box_w = if small {
                area.width
            } else {
                area.width.saturating_sub(4).min(100)
            };
            let inner_w = (box_w as usize).saturating_sub(2).max(1);
            // Rows each choice takes (on a phone, counting wrapped lines).
            let mut heights: Vec<u16> = Vec::new();
            let mut lines = Vec::new();
            for (i, it) in p.items.iter().enumerate() {
                let mark = match (p.multi, it.checked, it.enabled) {
                    (true, true, _) => "[x] ",
                    (true, false, _) => "[ ] ",
                    (false, _, true) => "  ",
                    (false, _, false) => "✗ ",
                };
                let role = if i == p.sel {
                    Role::Selected
                } else if !it.enabled {
                    Role::Muted
                } else {
                    Role::Normal
                };
                let head = format!("{mark}{}", it.label);
                let rows = |t: &str| {
                    if small {
                        t.width().div_ceil(inner_w).max(1) as u16
                    } else {
                        1
                    }
                };
                let mut hgt = rows(&head);
                lines.push(Line::styled(head, theme.style(role)));
                if !it.detail.is_empty() {
                    let detail = format!("{indent}{}", it.detail);
                    hgt += rows(&detail);
                    lines.push(Line::styled(detail, theme.style(Role::Muted)));
                }
                heights.push(hgt);
            }
            let total: u16 = heights.iter().sum();
            let h = (total + 2).min(area.height.saturating_sub(2));
            // Keep the selection in view.
            let sel_line = heights.iter().take(p.sel).sum::<u16>();
            let inner_h = h.saturating_sub(2);
            let scroll = sel_line.saturating_sub(inner_h.saturating_sub(2));
            boxed(f, theme, centered(area, box_w, h), &p.title, lines, scroll);
        }
        Modal::ConfirmFlow => {
            let Some(flow) = &s.flow else {
                return;
            };
            let mut lines = vec![Line::styled(
                tr!(
                    lang,
                    "{} — {} tin bài",
                    "{} — {} item(s)",
                    flow.kind.label(lang),
                    flow.targets.len()
                ),
                theme.style(Role::Title),
            )];
            if flow.kind == super::app::FlowKind::Step {
                if let Some(step) = s.item.as_ref().and_then(|i| {
                    crate::domain::workflow::next_step(&s.profile, &i.data.item.facts())
                }) {
                    lines.push(Line::raw(format!("{} ({})", step.name(lang), step.article)));
                }
            }
            for code in flow.reasons.iter().flatten() {
                if let Some(r) = s.profile.reason(code) {
                    lines.push(Line::raw(format!(
                        "• {} — {} ({})",
                        r.code,
                        r.label(lang),
                        r.citation
                    )));
                }
            }
            if let Some(n) = &flow.note {
                if !n.is_empty() {
                    lines.push(Line::raw(format!("« {} »", safe(n))));
                }
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                lang.pick("y đồng ý · n không · Esc huỷ", "y yes · n no · Esc cancel"),
                theme.style(Role::Key),
            ));
            let h = (lines.len() as u16 + 4).min(area.height);
            boxed(
                f,
                theme,
                centered(area, 76, h),
                lang.pick("Xác nhận", "Confirm"),
                lines,
                0,
            );
        }
        Modal::ConfirmTakeOver | Modal::ConfirmDiscard | Modal::RestoreDraft(_) | Modal::Bulk => {
            let text = match &s.status {
                Some(Status::Info(m) | Status::Error(m) | Status::Ok(m)) => m.clone(),
                None => String::new(),
            };
            let lines = vec![Line::raw(text)];
            boxed(
                f,
                theme,
                centered(area, 70, 5),
                lang.pick("Xác nhận", "Confirm"),
                lines,
                0,
            );
        }
        Modal::Conflict(theirs) => {
            let lines = vec![
                Line::styled(
                    tr!(
                        lang,
                        "Người khác đã lưu phiên bản {} ({}) trong khi bạn sửa.",
                        "Someone saved version {} ({}) while you were editing.",
                        theirs.version,
                        theirs.last_actor.as_deref().map(safe).unwrap_or_default()
                    ),
                    theme.style(Role::Warning),
                ),
                Line::raw(lang.pick("Không có gì bị ghi đè.", "Nothing was overwritten.")),
                Line::raw(""),
                Line::styled(
                    lang.pick(
                        "r tải bản của họ · d so sánh hai bản · o ghi đè có chủ ý · Esc tiếp tục sửa",
                        "r reload theirs · d compare both · o overwrite deliberately · Esc keep editing",
                    ),
                    theme.style(Role::Key),
                ),
            ];
            boxed(
                f,
                theme,
                centered(area, 78, 8),
                lang.pick("Xung đột phiên bản", "Version conflict"),
                lines,
                0,
            );
        }
        Modal::ConflictDiff { theirs, scroll } => {
            let mine = s
                .editor
                .as_ref()
                .and_then(|e| e.content().ok())
                .unwrap_or_default();
            let a = content_text(&theirs.content());
            let b = content_text(&mine);
            let lines = diff_view(theme, &a, &b);
            boxed(
                f,
                theme,
                area,
                &tr!(
                    lang,
                    "- bản của họ (v{}) / + bản của bạn · Esc quay lại",
                    "- theirs (v{}) / + yours · Esc back",
                    theirs.version
                ),
                lines,
                *scroll,
            );
        }
        Modal::Diff { idx, scroll } => {
            let Some(it) = &s.item else {
                return;
            };
            let revs = &it.data.revisions;
            let (Some(a), Some(b)) = (revs.get(idx.saturating_sub(1)), revs.get(*idx)) else {
                return;
            };
            let lines = diff_view(theme, &content_text(&a.content), &content_text(&b.content));
            boxed(
                f,
                theme,
                area,
                &tr!(
                    lang,
                    "v{} → v{} ({}) · h/l bản khác · Esc đóng",
                    "v{} → v{} ({}) · h/l other revisions · Esc close",
                    a.version,
                    b.version,
                    b.login.as_deref().map(safe).unwrap_or_default()
                ),
                lines,
                *scroll,
            );
        }
        Modal::Prompt { .. } => {}
    }
}

/// Help on a phone: the whole screen, one column of keys; what does not fit is one `:` away
/// (the palette lists every command with its keys and filters as you type).
fn help_compact(
    s: &State,
    theme: &Theme,
    f: &mut Frame,
    area: Rect,
    binds: &[keymap::Binding],
    scroll: u16,
) {
    let lang = s.lang;
    let inner_h = area.height.saturating_sub(2) as usize;
    let inner_w = area.width.saturating_sub(2) as usize;
    // The tab keys 1…9 take one line, not nine.
    let digit = |b: &keymap::Binding| b.keys.len() == 1 && b.keys.as_bytes()[0].is_ascii_digit();
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < binds.len() {
        let run = binds[i..].iter().take_while(|b| digit(b)).count();
        if run > 1 {
            let (a, z) = (binds[i].keys, binds[i + run - 1].keys);
            rows.push((format!("{a}…{z}"), tr!(lang, "thẻ {a}…{z}", "tab {a}…{z}")));
            i += run;
        } else {
            rows.push((binds[i].keys.to_string(), binds[i].label(lang).to_string()));
            i += 1;
        }
    }
    let key_w = rows
        .iter()
        .map(|(k, _)| k.width())
        .max()
        .unwrap_or(0)
        .min(12)
        .min(inner_w / 3);
    let more = lang.pick(
        "… còn nữa: j/↓ cuộn · : bảng lệnh",
        "… more: j/↓ scrolls · : palette",
    );
    let room = if rows.len() > inner_h {
        inner_h.saturating_sub(1)
    } else {
        rows.len()
    };
    // Scrolled (j/k, arrows, pages) no further than the last row.
    let top = (scroll as usize).min(rows.len().saturating_sub(room));
    let mut lines: Vec<Line<'static>> = rows
        .iter()
        .skip(top)
        .take(room)
        .map(|(k, label)| {
            Line::from(vec![
                Span::styled(fit(k, key_w), theme.style(Role::Key)),
                Span::raw(" "),
                Span::raw(fit(label, inner_w.saturating_sub(key_w + 1))),
            ])
        })
        .collect();
    if top + room < rows.len() && inner_h > 0 {
        lines.push(Line::styled(fit(more, inner_w), theme.style(Role::Muted)));
    }
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", lang.pick("Phím", "Keys")),
            theme.style(Role::Title),
        ))),
        area,
    );
}

fn content_text(c: &crate::domain::item::Content) -> String {
    format!("{}\n\n{}\n\n{}", c.title, c.lead, c.body)
}

fn diff_view(theme: &Theme, a: &str, b: &str) -> Vec<Line<'static>> {
    diff_lines(a, b)
        .into_iter()
        .map(|d| match d {
            DiffLine::Same(l) => Line::raw(format!("  {}", safe(&l))),
            DiffLine::Removed(l) => {
                Line::styled(format!("- {}", safe(&l)), theme.style(Role::Removed))
            }
            DiffLine::Added(l) => Line::styled(format!("+ {}", safe(&l)), theme.style(Role::Added)),
        })
        .collect()
}
