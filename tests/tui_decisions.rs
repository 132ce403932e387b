//! Decisions of the profile reachable from the item screen: taking down with grounds and a
//! note, and the secretary's record that a source was confirmed.
mod tui_support;

use bientap::domain::item::State;
use bientap::i18n::Lang;
use bientap::store::Store;
use bientap::tui::testing::{press, screen};
use tui_support::*;

#[test]
fn withdraw_asks_for_grounds_with_citations_and_a_note() {
    let (_d, path) = demo(80);
    let id = first_in(&path, "published");
    let profile = profile();
    let first_reject = profile
        .reasons
        .iter()
        .find(|r| r.kind == bientap::domain::profile::ReasonKind::Reject)
        .unwrap()
        .clone();
    let mut sec = app(&path, SECRETARY, Lang::En);
    press(&mut sec, &format!("# {id} <Enter> W"));
    // The picker lists the profile's grounds, refusal grounds first, each with its citation.
    let shown = screen(&mut sec, 120, 40);
    assert!(shown.contains("Grounds for withdrawal"), "{shown}");
    assert!(shown.contains(&first_reject.code), "{shown}");
    assert!(shown.contains(&first_reject.citation), "{shown}");
    press(&mut sec, "<Space> <Enter>");
    // The note is required.
    press(&mut sec, "<Enter>");
    assert!(screen(&mut sec, 120, 40).contains("a note is required"));
    press(
        &mut sec,
        "Gỡ <Space> theo <Space> yêu <Space> cầu <Enter> y",
    );
    let s = Store::open(&path).unwrap();
    assert_eq!(s.item(id).unwrap().state, State::Withdrawn);
    let last = s.audit_log(Some(id), None).unwrap();
    let rec = &last.last().unwrap().record;
    assert_eq!(rec.action, "withdraw");
    assert_eq!(rec.reasons, vec![first_reject.code.clone()]);
    assert_eq!(rec.note, "Gỡ theo yêu cầu");
}

#[test]
fn a_member_without_the_right_is_told_why_not_to_withdraw() {
    let (_d, path) = demo(80);
    let id = first_in(&path, "published");
    let member = user_with_role(&path, "thanh-vien");
    let mut m = app(&path, &member, Lang::Vi);
    press(&mut m, &format!("# {id} <Enter> W"));
    assert!(m.state.flow.is_none());
    let s = Store::open(&path).unwrap();
    assert_eq!(s.item(id).unwrap().state, State::Published);
}

#[test]
fn confirm_source_records_how_and_a_required_note() {
    let (_d, path) = demo(80);
    let id = first_in(&path, "received");
    for (lang, label) in [(Lang::Vi, "điện thoại"), (Lang::En, "phone")] {
        let mut sec = app(&path, SECRETARY, lang);
        press(&mut sec, &format!("# {id} <Enter> C"));
        // What: the source (first); how: phone (first).
        press(&mut sec, "<Enter> <Enter>");
        press(&mut sec, "<Enter>");
        assert!(
            sec.state.modal.is_some(),
            "an empty note keeps the prompt open"
        );
        press(&mut sec, "Ông <Space> A <Space> xác <Space> nhận <Enter>");
        let shown = screen(&mut sec, 120, 40);
        assert!(shown.contains(label), "{shown}");
    }
    let s = Store::open(&path).unwrap();
    let c = s.confirmations(id).unwrap();
    assert_eq!(c.len(), 2);
    assert!(c
        .iter()
        .all(|c| c.what == "source" && c.how == "phone" && c.note == "Ông A xác nhận"));
    // An approved item is past the point where a source is confirmed: the console says why.
    let approved = first_in(&path, "approved");
    let mut sec = app(&path, SECRETARY, Lang::En);
    press(&mut sec, &format!("# {approved} <Enter> C"));
    assert!(sec.state.flow.is_none());
    assert_eq!(s.confirmations(approved).unwrap().len(), 0);
}

#[test]
fn the_palette_reaches_withdraw_and_confirm_in_both_languages() {
    let (_d, path) = demo(80);
    let published = first_in(&path, "published");
    let received = first_in(&path, "received");
    for (lang, withdraw, confirm) in [
        (Lang::Vi, "go <Space> tin", "xac <Space> minh <Space> nguon"),
        (Lang::En, "withdraw", "source/attribution"),
    ] {
        let mut sec = app(&path, SECRETARY, lang);
        press(
            &mut sec,
            &format!("# {published} <Enter> : {withdraw} <Enter>"),
        );
        assert_eq!(
            sec.state.flow.as_ref().map(|f| f.kind),
            Some(bientap::tui::app::FlowKind::Withdraw)
        );
        press(&mut sec, "<Esc> <Esc>");
        press(
            &mut sec,
            &format!("# {received} <Enter> : {confirm} <Enter>"),
        );
        assert_eq!(
            sec.state.flow.as_ref().map(|f| f.kind),
            Some(bientap::tui::app::FlowKind::Confirm)
        );
    }
}

#[test]
fn the_submitter_details_are_completed_from_the_item_screen() {
    let (_d, path) = demo(80);
    let id = first_in(&path, "received");
    let before = Store::open(&path).unwrap().item(id).unwrap().submitter;
    let mut sec = app(&path, SECRETARY, Lang::En);
    press(&mut sec, &format!("# {id} <Enter> S"));
    // Every detail, with its value now.
    let shown = screen(&mut sec, 120, 40);
    assert!(
        shown.contains("Complete the submitter's details"),
        "{shown}"
    );
    for label in [
        "name",
        "title",
        "agency or unit",
        "e-mail",
        "phone",
        "address",
    ] {
        assert!(shown.contains(label), "{label}: {shown}");
    }
    // The phone (fifth); the prompt holds the value now, cleared and typed again.
    press(
        &mut sec,
        "j j j j <Enter> <C-u> 0912 <Space> 000 <Space> 111 <Enter>",
    );
    // Where the details came from is required.
    press(&mut sec, "<Enter>");
    assert!(
        sec.state.modal.is_some(),
        "an empty note keeps the prompt open"
    );
    press(&mut sec, "trả <Space> lời <Space> thư <Enter>");
    let shown = screen(&mut sec, 120, 40);
    assert!(shown.contains("submitter updated"), "{shown}");
    let s = Store::open(&path).unwrap();
    let after = s.item(id).unwrap().submitter;
    assert_eq!(after.phone, "0912 000 111");
    assert_eq!(
        (after.name, after.email),
        (before.name, before.email),
        "the other details are kept"
    );
    let log = s.audit_log(Some(id), None).unwrap();
    let rec = &log.last().unwrap().record;
    assert_eq!(rec.action, "submitter:phone");
    assert_eq!(rec.note, "trả lời thư");
    // Esc at the picker changes nothing.
    let n = log.len();
    press(&mut sec, "S <Esc>");
    assert!(sec.state.flow.is_none());
    assert_eq!(s.audit_log(Some(id), None).unwrap().len(), n);
}

/// Taking down a published item from the console runs the duplicate check of its copy in the
/// queue again: the copy loses its `D` flag, and the status line names it.
#[test]
fn withdrawing_an_original_clears_its_copy_and_says_so() {
    let (d, path) = demo(80);
    let mut st = Store::open(&path).unwrap();
    let got = bientap::demo::mail::import(
        &mut st,
        &d.path().join("demo-mail"),
        SECRETARY,
        SECRETARY,
        now(),
    )
    .unwrap();
    assert_eq!(got.imported, 8);
    let (copy, detail): (i64, String) = st
        .conn()
        .query_row(
            "SELECT item_id, detail FROM checks WHERE code = 'duplicate' AND status = 'fail'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let original: i64 = detail
        .split('#')
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(st.item(copy).unwrap().check_flags.contains('D'));
    drop(st);
    let mut sec = app(&path, SECRETARY, Lang::En);
    // The copy's item screen names the check in words, with the letter of the queue's flags.
    press(&mut sec, &format!("# {copy} <Enter>"));
    let shown = screen(&mut sec, 120, 40);
    assert!(shown.contains("✗ fail · [D] Duplicates"), "{shown}");
    assert!(shown.contains(&format!("#{original}")), "{shown}");
    press(&mut sec, "<Esc>");
    press(&mut sec, &format!("# {original} <Enter> W <Space> <Enter>"));
    press(&mut sec, "Trùng <Space> nội <Space> dung <Enter> y");
    let shown = screen(&mut sec, 120, 40);
    assert!(
        shown.contains(&format!("duplicate check changed: #{copy}")),
        "{shown}"
    );
    let s = Store::open(&path).unwrap();
    assert_eq!(s.item(original).unwrap().state, State::Withdrawn);
    assert!(!s.item(copy).unwrap().check_flags.contains('D'));
}
