//! Whole flows through the console, driven by key scripts, on a real SQLite file.
mod tui_support;

use bientap::domain::item::State;
use bientap::i18n::Lang;
use bientap::store::{ListFilter, Store};
use bientap::tui::testing::{press, screen};
use tui_support::*;

/// A received, non-sensitive item.
fn received_item(path: &std::path::Path) -> i64 {
    let s = Store::open(path).unwrap();
    let rows = s
        .list(
            &ListFilter {
                states: vec![State::Received],
                ..Default::default()
            },
            None,
        )
        .unwrap();
    rows.iter().find(|r| !r.sensitive).unwrap().id
}

fn picker_index(path: &std::path::Path, login: &str) -> usize {
    let s = Store::open(path).unwrap();
    s.users()
        .unwrap()
        .iter()
        .filter(|u| u.active)
        .position(|u| u.login == login)
        .unwrap()
}

fn logins_with_role(path: &std::path::Path, role: &str) -> Vec<String> {
    let s = Store::open(path).unwrap();
    s.users()
        .unwrap()
        .into_iter()
        .filter(|u| u.role == role && u.active)
        .map(|u| u.login)
        .collect()
}

#[test]
fn route_edit_verify_approve_with_four_people() {
    let (_d, path) = demo(60);
    let id = received_item(&path);
    let member = user_with_role(&path, "thanh-vien");
    let chairs = logins_with_role(&path, "truong-ban");
    assert!(chairs.len() >= 2, "the demo has two chairs");

    // Secretary: open by number, triage (first category), assign to the member.
    let mut sec = app(&path, SECRETARY, Lang::Vi);
    press(&mut sec, &format!("# {id} <Enter>"));
    assert!(screen(&mut sec, 80, 24).contains(&format!("#{id}")));
    press(&mut sec, "c <Enter>");
    let j = "j ".repeat(picker_index(&path, &member));
    press(&mut sec, &format!("A {j} <Enter> <Esc>"));
    let item = Store::open(&path).unwrap().item(id).unwrap();
    assert_eq!(item.state, State::Editing);
    assert_eq!(item.assignee.as_deref(), Some(member.as_str()));

    // Member: the item is in "my work"; edit the body, save, then finish the edit step.
    let mut m = app(&path, &member, Lang::Vi);
    assert!(
        m.state.queue.rows.iter().any(|r| r.id == id),
        "assigned item is in my work"
    );
    press(&mut m, &format!("# {id} <Enter> e <Tab> <Tab> <C-End>"));
    press(
        &mut m,
        "<Enter> Đã <Space> biên <Space> tập <Space> lại. <C-s>",
    );
    let item = Store::open(&path).unwrap().item(id).unwrap();
    assert!(item.body.ends_with("Đã biên tập lại."), "{}", item.body);
    assert_eq!(item.editors, vec![member.clone()]);
    press(&mut m, "v <Esc>");
    assert_eq!(Store::open(&path).unwrap().item(id).unwrap().step, 1);

    // Chair 1 verifies; then may not give the final approval (four-eyes) and is told why.
    let mut c1 = app(&path, &chairs[0], Lang::Vi);
    assert!(
        c1.state.queue.rows.iter().any(|r| r.id == id),
        "waiting for the chair"
    );
    press(&mut c1, &format!("# {id} <Enter> v"));
    assert_eq!(
        Store::open(&path).unwrap().item(id).unwrap().state,
        State::Verified
    );
    press(&mut c1, "v y");
    let st = screen(&mut c1, 120, 40);
    assert!(st.contains("bốn mắt"), "{st}");
    assert_eq!(
        Store::open(&path).unwrap().item(id).unwrap().state,
        State::Verified
    );

    // Chair 2 approves after a confirmation; Esc at the confirmation changes nothing.
    let mut c2 = app(&path, &chairs[1], Lang::En);
    press(&mut c2, &format!("# {id} <Enter> v"));
    assert!(screen(&mut c2, 80, 24).contains("Confirm"));
    press(&mut c2, "<Esc>");
    assert_eq!(
        Store::open(&path).unwrap().item(id).unwrap().state,
        State::Verified
    );
    press(&mut c2, "v y");
    let item = Store::open(&path).unwrap().item(id).unwrap();
    assert_eq!(item.state, State::Approved);
    assert!(screen(&mut c2, 80, 24).contains("approved"));
    let log = Store::open(&path)
        .unwrap()
        .audit_log(Some(id), None)
        .unwrap();
    let actors: Vec<&str> = log.iter().map(|e| e.record.actor.as_str()).collect();
    for who in [
        SECRETARY,
        member.as_str(),
        chairs[0].as_str(),
        chairs[1].as_str(),
    ] {
        assert!(actors.contains(&who), "{who} in {actors:?}");
    }
}

#[test]
fn reject_with_two_codes_and_a_required_note() {
    let (_d, path) = demo(60);
    let id = received_item(&path);
    let chair = user_with_role(&path, "truong-ban");
    let mut c = app(&path, &chair, Lang::Vi);
    // Two codes (Space picks and moves down), then an empty note is refused.
    press(
        &mut c,
        &format!("# {id} <Enter> x <Space> <Space> <Enter> <Enter>"),
    );
    assert!(screen(&mut c, 80, 24).contains("phải ghi chú"));
    assert_eq!(
        Store::open(&path).unwrap().item(id).unwrap().state,
        State::Received
    );
    press(&mut c, "Trùng <Space> nội <Space> dung <Enter>");
    let sc = screen(&mut c, 80, 24);
    assert!(sc.contains("12.3.a") && sc.contains("12.3.b"), "{sc}");
    press(&mut c, "y");
    let s = Store::open(&path).unwrap();
    assert_eq!(s.item(id).unwrap().state, State::Rejected);
    let last = s.audit_log(Some(id), None).unwrap().pop().unwrap().record;
    assert_eq!(
        last.reasons,
        vec!["12.3.a".to_string(), "12.3.b".to_string()]
    );
    assert_eq!(last.note, "Trùng nội dung");
}

#[test]
fn a_member_is_told_why_they_cannot_reject() {
    let (_d, path) = demo(60);
    let id = received_item(&path);
    let member = user_with_role(&path, "thanh-vien");
    let mut m = app(&path, &member, Lang::En);
    press(&mut m, &format!("# {id} <Enter> x"));
    let sc = screen(&mut m, 120, 40);
    assert!(sc.contains("may not reject"), "{sc}");
    assert_eq!(
        Store::open(&path).unwrap().item(id).unwrap().state,
        State::Received
    );
}

#[test]
fn conflict_between_two_sessions_never_overwrites_silently() {
    let (_d, path) = demo(60);
    let id = received_item(&path);
    let mut a = app(&path, SECRETARY, Lang::Vi);
    let chair = user_with_role(&path, "truong-ban");
    let mut b = app(&path, &chair, Lang::Vi);
    press(&mut a, &format!("# {id} <Enter> e"));
    // b opens the editor too: a holds the lease, so b is asked first and takes over.
    press(&mut b, &format!("# {id} <Enter> e"));
    assert!(b.state.modal.is_some(), "b is asked before taking over");
    press(&mut b, "y");
    assert!(b.state.editor.is_some());
    press(&mut a, "<End> <Space> A <C-s>");
    let v_after_a = Store::open(&path).unwrap().item(id).unwrap().version;
    press(&mut b, "<End> <Space> B <C-s>");
    let sc = screen(&mut b, 80, 24);
    assert!(sc.contains("Xung đột"), "{sc}");
    let item = Store::open(&path).unwrap().item(id).unwrap();
    assert_eq!(item.version, v_after_a, "b's save did not land");
    assert!(item.title.ends_with(" A"));
    // Compare both versions, go back, then reload theirs: b's editor now holds a's title.
    press(&mut b, "d");
    let sc = screen(&mut b, 120, 40);
    assert!(sc.contains("- ") && sc.contains("+ "), "{sc}");
    press(&mut b, "<Esc> r");
    let title = b.state.editor.as_ref().unwrap().fields[0].lines().join("");
    assert!(title.ends_with(" A"), "{title}");
    // Saving now is a normal edit on top of a's version.
    press(&mut b, "<End> <Space> B <C-s>");
    let item = Store::open(&path).unwrap().item(id).unwrap();
    assert!(item.title.ends_with(" A B"), "{}", item.title);
}

#[test]
fn bulk_assign_tagged_items() {
    let (_d, path) = demo(200);
    let member = user_with_role(&path, "thanh-vien");
    let mut sec = app(&path, SECRETARY, Lang::Vi);
    // Tab 3: triaged items. Tag two, assign both.
    press(&mut sec, "3");
    let ids: Vec<i64> = sec.state.queue.rows.iter().take(2).map(|r| r.id).collect();
    assert_eq!(ids.len(), 2);
    let j = "j ".repeat(picker_index(&path, &member));
    press(&mut sec, &format!("t t ; a {j} <Enter>"));
    let s = Store::open(&path).unwrap();
    for id in ids {
        let it = s.item(id).unwrap();
        assert_eq!(it.assignee.as_deref(), Some(member.as_str()));
        assert_eq!(it.state, State::Editing);
    }
    assert!(sec.state.queue.tags.is_empty());
}

#[test]
fn search_folds_diacritics_and_limit_patterns_filter() {
    let (_d, path) = demo(60);
    let planted = add_titled(&path, "Hội nghị về phòng, chống tham nhũng");
    let mut sec = app(&path, SECRETARY, Lang::Vi);
    press(&mut sec, "/ tham <Space> nhung <Enter>");
    assert!(!sec.state.queue.rows.is_empty());
    // Search results come a page at a time: read them all.
    let mut found = sec.state.queue.rows.clone();
    while sec.state.queue.more_after {
        press(&mut sec, "<PgDn>");
        found.extend(sec.state.queue.rows.clone());
    }
    let s = Store::open(&path).unwrap();
    for r in &found {
        let it = s.item(r.id).unwrap();
        let text = bientap::store::fold_index(&format!("{} {} {}", it.title, it.lead, it.body));
        assert!(
            text.contains("tham") && text.contains("nhung"),
            "{}",
            it.title
        );
    }
    // Typed without diacritics, found with them.
    assert!(found.iter().any(|r| r.id == planted));
    press(&mut sec, "<Esc> 9 l ~c <Space> gioi <Enter>");
    assert!(!sec.state.queue.rows.is_empty());
    assert!(sec
        .state
        .queue
        .rows
        .iter()
        .all(|r| r.category.starts_with("gioi")));
    // A bad pattern is explained and keeps the prompt open.
    press(&mut sec, "l <C-u> ~x <Enter>");
    assert!(screen(&mut sec, 80, 24).contains("~x"));
    press(&mut sec, "<Esc>");
    assert!(sec.state.modal.is_none());
    assert!(
        sec.state.queue.limit.is_some(),
        "Esc in the prompt only cancels it"
    );
    press(&mut sec, "<Esc>");
    assert!(sec.state.queue.limit.is_none());
}

#[test]
fn paging_walks_every_row_once_in_order() {
    let (_d, path) = demo(150);
    let mut sec = app(&path, SECRETARY, Lang::Vi);
    screen(&mut sec, 80, 24);
    press(&mut sec, "9");
    let total: i64 = sec
        .state
        .queue
        .counts
        .iter()
        .filter(|(s, _)| matches!(s, State::Published | State::Rejected | State::Withdrawn))
        .map(|(_, n)| n)
        .sum();
    let mut seen = Vec::new();
    loop {
        seen.extend(sec.state.queue.rows.iter().map(|r| r.id));
        if !sec.state.queue.more_after {
            break;
        }
        press(&mut sec, "<PgDn>");
    }
    assert_eq!(seen.len() as i64, total);
    let mut uniq = seen.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), seen.len());
    // G jumps to the last page, PgUp walks back.
    press(&mut sec, "g G");
    assert!(!sec.state.queue.more_after);
    assert_eq!(
        sec.state.queue.rows.last().map(|r| r.id),
        seen.last().copied()
    );
    press(&mut sec, "<PgUp>");
    assert!(sec.state.queue.more_after);
}

/// On a phone the key list does not fit: j/↓ and pages scroll it (the last line says so), and
/// any other key closes it.
#[test]
fn help_scrolls_on_a_phone_and_any_other_key_closes_it() {
    let (_d, path) = demo(20);
    let mut a = app(&path, SECRETARY, Lang::En);
    screen(&mut a, 44, 20);
    press(&mut a, "?");
    let first = screen(&mut a, 44, 20);
    assert!(first.contains("j/↓ scrolls"), "{first}");
    let top_row = first.lines().nth(1).unwrap().to_string();
    press(&mut a, "j j j");
    let scrolled = screen(&mut a, 44, 20);
    assert!(
        !scrolled.contains(&top_row),
        "{top_row:?} still shown:\n{scrolled}"
    );
    // Paging down reaches the end: the "more" line goes, the last key (the palette) shows.
    press(&mut a, "<PgDn> <PgDn> <PgDn> <PgDn>");
    let end = screen(&mut a, 44, 20);
    assert!(!end.contains("j/↓ scrolls"), "{end}");
    assert!(end.contains("palette"), "{end}");
    press(&mut a, "x");
    assert!(a.state.modal.is_none());
}
