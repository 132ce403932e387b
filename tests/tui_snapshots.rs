//! Screens at 80×24 and 120×40 in both languages, from a fixed-seed demo and a fixed clock.
mod tui_support;

use bientap::i18n::Lang;
use bientap::tui::testing::{press, screen};
use tui_support::*;

fn first_received(a: &bientap::tui::App) -> i64 {
    a.state.queue.rows.first().map(|r| r.id).unwrap()
}

#[test]
fn queue_screens() {
    let (_d, path) = demo(80);
    for lang in [Lang::Vi, Lang::En] {
        let mut a = app(&path, SECRETARY, lang);
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(
                format!("queue_{}_{w}x{h}", lang.code()),
                screen(&mut a, w, h)
            );
        }
        // The chair's home is what waits for verification or approval.
        let chair = user_with_role(&path, "truong-ban");
        let mut c = app(&path, &chair, lang);
        insta::assert_snapshot!(
            format!("queue_chair_{}_80x24", lang.code()),
            screen(&mut c, 80, 24)
        );
    }
}

#[test]
fn item_screens() {
    let (_d, path) = demo(80);
    for lang in [Lang::Vi, Lang::En] {
        let mut a = app(&path, SECRETARY, lang);
        press(&mut a, "2");
        let id = first_received(&a);
        press(&mut a, &format!("# {id} <Enter>"));
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(
                format!("item_{}_{w}x{h}", lang.code()),
                screen(&mut a, w, h)
            );
        }
        press(&mut a, "a");
        insta::assert_snapshot!(
            format!("decide_menu_{}_80x24", lang.code()),
            screen(&mut a, 80, 24)
        );
        press(&mut a, "<Esc> e");
        insta::assert_snapshot!(
            format!("editor_{}_80x24", lang.code()),
            screen(&mut a, 80, 24)
        );
        insta::assert_snapshot!(
            format!("editor_{}_120x40", lang.code()),
            screen(&mut a, 120, 40)
        );
        press(&mut a, "<Esc> <Esc> ?");
        insta::assert_snapshot!(
            format!("help_queue_{}_80x24", lang.code()),
            screen(&mut a, 80, 24)
        );
    }
}

#[test]
fn reject_picker_shows_labels_and_citations() {
    let (_d, path) = demo(80);
    let chair = user_with_role(&path, "truong-ban");
    let mut c = app(&path, &chair, Lang::Vi);
    press(&mut c, "2");
    let id = first_received(&c);
    press(&mut c, &format!("# {id} <Enter> x <Space>"));
    insta::assert_snapshot!("reject_picker_vi_120x40", screen(&mut c, 120, 40));
}

fn first_in(path: &std::path::Path, state: &str) -> i64 {
    bientap::store::Store::open(path)
        .unwrap()
        .conn()
        .query_row(
            "SELECT id FROM items WHERE state = ?1 ORDER BY id LIMIT 1",
            [state],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn withdraw_and_confirm_screens() {
    let (_d, path) = demo(80);
    let published = first_in(&path, "published");
    let received = first_in(&path, "received");
    for lang in [Lang::Vi, Lang::En] {
        let l = lang.code();
        let mut a = app(&path, SECRETARY, lang);
        // Taking down: the grounds with their citations.
        press(&mut a, &format!("# {published} <Enter> W"));
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("withdraw_picker_{l}_{w}x{h}"), screen(&mut a, w, h));
        }
        press(&mut a, "<Esc> <Esc>");
        // Confirming a source: what, how, then whom and what they said.
        press(&mut a, &format!("# {received} <Enter> C"));
        insta::assert_snapshot!(format!("confirm_what_{l}_80x24"), screen(&mut a, 80, 24));
        press(&mut a, "<Enter>");
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("confirm_how_{l}_{w}x{h}"), screen(&mut a, w, h));
        }
        press(&mut a, "<Enter>");
        insta::assert_snapshot!(format!("confirm_note_{l}_80x24"), screen(&mut a, 80, 24));
        press(&mut a, "Ông <Space> A <Space> xác <Space> nhận <Enter>");
        insta::assert_snapshot!(
            format!("item_confirmed_{l}_120x40"),
            screen(&mut a, 120, 40)
        );
        press(&mut a, "?");
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("help_item_{l}_{w}x{h}"), screen(&mut a, w, h));
        }
    }
}
