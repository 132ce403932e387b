//! The `~s` limit reads rare title words from the title index and common ones with the
//! index walk: both must page through exactly the rows a brute-force scan finds, in order,
//! with other conditions and every sort.
mod tui_support;

use bientap::store::{queue, Store};
use bientap::tui::testing::press;
use tui_support::*;

/// Every row of the current tab, page by page.
fn all_pages(app: &mut bientap::tui::App) -> Vec<i64> {
    let mut seen: Vec<i64> = app.state.queue.rows.iter().map(|r| r.id).collect();
    let mut guard = 0;
    while app.state.queue.more_after {
        press(app, "<PgDn>");
        seen.extend(app.state.queue.rows.iter().map(|r| r.id));
        guard += 1;
        assert!(guard < 10_000, "paging never ends");
    }
    seen
}

/// The same rows by a full scan: the tab's states, the compiled condition, the sort's order.
fn brute(path: &std::path::Path, app: &bientap::tui::App) -> Vec<i64> {
    let q = &app.state.queue;
    let tab = &q.tabs[q.tab];
    assert!(!tab.mine);
    let expr = &q.limit.as_ref().expect("a limit is set").1;
    let w = bientap::tui::filter::compile(expr, now());
    let states: Vec<String> = tab
        .states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let order = match q.sort {
        bientap::store::SortKey::Due => "coalesce(due_at, '9999'), id",
        bientap::store::SortKey::Received => "received_at DESC, id DESC",
        bientap::store::SortKey::Title => "title COLLATE NOCASE, id",
    };
    let sql = format!(
        "SELECT id FROM items NOT INDEXED WHERE state IN ({}) AND ({}) ORDER BY {order}",
        states.join(","),
        w.sql
    );
    let s = Store::open(path).unwrap();
    let mut stmt = s.conn().prepare(&sql).unwrap();
    let ids = stmt
        .query_map(rusqlite::params_from_iter(w.params), |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<i64>>>()
        .unwrap();
    ids
}

/// Folded title words with how many titles have them, most frequent first.
/// In each of the three sorts, every limit pattern, typed at the `l` prompt, pages exactly the
/// rows of a full scan (`brute`).
fn pages_like_a_full_scan<P: AsRef<str>>(
    path: &std::path::Path,
    sec: &mut bientap::tui::App,
    patterns: &[P],
    context: &str,
) {
    for _sort in 0..3 {
        for p in patterns {
            let p = p.as_ref();
            let typed = p.replace(' ', " <Space> ");
            press(sec, &format!("l <C-u> {typed} <Enter>"));
            assert!(sec.state.queue.limit.is_some(), "{p} parses");
            let got = all_pages(sec);
            let want = brute(path, sec);
            assert_eq!(
                got, want,
                "{context}, sort {:?}, pattern {p}",
                sec.state.queue.sort
            );
        }
        press(sec, "s");
    }
}

fn word_counts(path: &std::path::Path) -> Vec<(String, usize)> {
    let s = Store::open(path).unwrap();
    let mut stmt = s.conn().prepare("SELECT title FROM items").unwrap();
    let titles: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for t in &titles {
        let f = bientap::store::fold_index(t);
        let mut ws: Vec<&str> = f
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 3)
            .collect();
        ws.sort();
        ws.dedup();
        for w in ws {
            *counts.entry(w.to_string()).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

#[test]
fn title_limit_pages_the_rows_of_a_full_scan_with_either_plan() {
    let (_d, path) = demo(300);
    let counts = word_counts(&path);
    let common = counts[0].0.clone();
    let second = counts[1].0.clone();
    let rare = counts
        .iter()
        .rev()
        .find(|(_, n)| *n >= 2)
        .map(|(w, _)| w.clone())
        .unwrap();
    let code = profile().categories[0].code.clone();
    let patterns = [
        format!("~s {common}"),
        format!("~s {rare}"),
        format!("~s \"{common} {second}\""),
        format!("{common} ~c {code}"),
        format!("~s {rare} | ~o"),
        format!("~s {rare} | ~s {second}"),
        format!("! ~s {common}"),
        format!("(~s {common} | ~D) ~s {second}"),
        "~s khongcotutrongtieude".to_string(),
    ];
    // Caps 0: every title limit walks the index checking each row; a set cap only: the walk
    // checks entries against the set of titles first; an ids cap: every one is read by id.
    for (cap, set) in [(0, 0), (0, 100_000), (100_000, 100_000)] {
        queue::set_title_caps(cap, set);
        let mut sec = app(&path, SECRETARY, bientap::i18n::Lang::Vi);
        for tab in ["2", "4", "9"] {
            press(&mut sec, tab);
            pages_like_a_full_scan(
                &path,
                &mut sec,
                &patterns,
                &format!("caps {cap} {set}, tab {tab}"),
            );
        }
    }
    queue::set_title_caps(queue::TITLE_IDS_CAP, queue::TITLE_SET_CAP);
}

#[test]
fn title_limit_finds_exactly_the_titles_with_every_word() {
    let (_d, path) = demo(200);
    let counts = word_counts(&path);
    let word = counts[3].0.clone();
    let mut sec = app(&path, SECRETARY, bientap::i18n::Lang::Vi);
    press(&mut sec, "9");
    press(&mut sec, &format!("l ~s <Space> {word} <Enter>"));
    let got = all_pages(&mut sec);
    let s = Store::open(&path).unwrap();
    let closed = ["published", "rejected", "withdrawn"];
    let mut stmt = s
        .conn()
        .prepare("SELECT id, title, state FROM items")
        .unwrap();
    let mut want: Vec<i64> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .filter(|(_, t, st)| closed.contains(&st.as_str()) && bientap::store::has_words(t, &word))
        .map(|(id, _, _)| id)
        .collect();
    want.sort();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert!(!want.is_empty());
    assert_eq!(got_sorted, want);
}

#[test]
fn an_edited_title_is_found_by_its_new_words_only() {
    let (_d, path) = demo(60);
    let mut s = Store::open(&path).unwrap();
    let (id, who): (i64, String) = s
        .conn()
        .query_row(
            "SELECT id, assignee FROM items WHERE state = 'editing' AND assignee IS NOT NULL LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let ctx = bientap::store::Ctx {
        actor: who.clone(),
        os_login: who,
        now: now(),
    };
    let item = s.item(id).unwrap();
    let mut c = item.content();
    c.title = "Thông báo về lịchcũ".into();
    s.edit(&ctx, id, item.version, &c, "").unwrap();
    assert_eq!(s.title_hits_capped("lichcu", 10).unwrap(), Some(1));
    let item = s.item(id).unwrap();
    let mut c = item.content();
    c.title = "Thông báo về lịchmới".into();
    s.edit(&ctx, id, item.version, &c, "").unwrap();
    assert_eq!(s.title_hits_capped("lichcu", 10).unwrap(), Some(0));
    assert_eq!(s.title_hits_capped("lichmoi", 10).unwrap(), Some(1));
    // More hits than the cap: the caller walks the index instead.
    assert_eq!(s.title_hits_capped("thong", 0).unwrap(), None);
}

fn status_text(app: &bientap::tui::App) -> String {
    match &app.state.status {
        Some(
            bientap::tui::app::Status::Info(s)
            | bientap::tui::app::Status::Ok(s)
            | bientap::tui::app::Status::Error(s),
        ) => s.clone(),
        None => String::new(),
    }
}

#[test]
fn tagging_by_pattern_says_when_the_cap_left_items_untagged() {
    let cap = bientap::tui::app::TAG_LIMIT;
    let (_d, path) = demo(cap + 25);
    let all: i64 = Store::open(&path)
        .unwrap()
        .conn()
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert!(all > cap as i64);
    for (lang, want) in [
        (
            bientap::i18n::Lang::En,
            format!("{all} items match; only the first {cap}"),
        ),
        (
            bientap::i18n::Lang::Vi,
            format!("{all} tin khớp mẫu; chỉ đánh dấu {cap} tin đầu"),
        ),
    ] {
        let mut sec = app(&path, SECRETARY, lang);
        press(&mut sec, "T ! <Space> ~s <Space> khongcotunay <Enter>");
        assert_eq!(sec.state.queue.tags.len(), cap);
        let status = status_text(&sec);
        assert!(status.contains(&want), "{status}");
    }
    // Under the cap: every match is tagged, and nothing is said about a cap.
    let word = word_counts(&path)[0].0.clone();
    let n = Store::open(&path)
        .unwrap()
        .title_hits_capped(&word, 100_000)
        .unwrap()
        .unwrap();
    let mut sec = app(&path, SECRETARY, bientap::i18n::Lang::En);
    press(&mut sec, &format!("T ~s <Space> {word} <Enter>"));
    let status = status_text(&sec);
    assert!(n < cap && sec.state.queue.tags.len() <= n, "{n}");
    assert!(!sec.state.queue.tags.is_empty());
    assert!(status.starts_with("tagged"), "{status}");
}

#[test]
fn the_cached_title_set_follows_items_added_by_another_connection() {
    let (_d, path) = demo(30);
    let add = |title: &str| add_titled(&path, title);
    let first = add("Thông báo lịch tiếpdân tháng 12");
    // Every `~s` of this test is read by the walk checking the (cached) set of title ids.
    queue::set_title_caps(0, 100_000);
    let mut sec = app(&path, SECRETARY, bientap::i18n::Lang::Vi);
    press(&mut sec, "2 l ~s <Space> tiepdan <Enter>");
    assert_eq!(all_pages(&mut sec), vec![first]);
    let second = add("Lịch tiếpdân bổ sung");
    press(&mut sec, "3 2");
    let mut got = all_pages(&mut sec);
    got.sort();
    queue::set_title_caps(queue::TITLE_IDS_CAP, queue::TITLE_SET_CAP);
    assert_eq!(got, vec![first, second]);
}

#[test]
fn full_scan_windows_page_the_same_rows_in_every_sort() {
    // More closed items than a scan window (`SCAN_WINDOW`), titles in mixed case.
    let (_d, path) = demo(20);
    let n = queue::SCAN_WINDOW + 700;
    {
        let s = Store::open(&path).unwrap();
        s.conn()
            .execute_batch(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
                 INSERT INTO items(state, title, unit, received_at, due_at, created_at, updated_at)
                 SELECT 'published',
                        CASE i % 4 WHEN 0 THEN 'Văn bản ' WHEN 1 THEN 'an toàn ' WHEN 2 THEN 'Zeta ' ELSE 'bản tin ' END
                          || CASE WHEN i % 5 = 0 THEN 'alpha ' ELSE '' END
                          || CASE WHEN i % 37 = 0 THEN 'beta ' ELSE '' END
                          || CASE WHEN i % 211 = 0 THEN 'gamma ' ELSE '' END || 'số ' || i,
                        CASE WHEN i % 3 = 0 THEN 'Phòng A' ELSE 'Phòng B' END,
                        printf('2025-%02d-%02dT08:00:00Z', 1 + i % 12, 1 + i % 28),
                        CASE WHEN i % 7 = 0 THEN NULL ELSE printf('2025-%02d-%02dT10:00:00Z', 1 + i % 12, 1 + (i * 7) % 28) END,
                        '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'
                 FROM n;
                 INSERT INTO titles_fts(rowid, title)
                 SELECT id, bt_fold(title) FROM items WHERE id > 20;"
            ))
            .unwrap();
    }
    let patterns = [
        "~s alpha",
        "~s beta",
        "~u B",
        "~s ban ~u A",
        "~s alpha | ~s beta",
        "~s gamma",
        "~s gamma | ~u A",
    ];
    for (cap, set) in [(0, 0), (0, 100_000), (100_000, 100_000)] {
        queue::set_title_caps(cap, set);
        let mut sec = app(&path, SECRETARY, bientap::i18n::Lang::En);
        press(&mut sec, "9");
        pages_like_a_full_scan(&path, &mut sec, &patterns, &format!("caps {cap} {set}"));
    }
    queue::set_title_caps(queue::TITLE_IDS_CAP, queue::TITLE_SET_CAP);
}
