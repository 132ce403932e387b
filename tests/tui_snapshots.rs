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

/// Phone widths (below 64 columns) get the compact layout: the queue and the item at 44×20.
#[test]
fn phone_screens() {
    let (_d, path) = demo(80);
    for lang in [Lang::Vi, Lang::En] {
        let l = lang.code();
        let mut a = app(&path, SECRETARY, lang);
        insta::assert_snapshot!(format!("queue_{l}_44x20"), screen(&mut a, 44, 20));
        press(&mut a, "?");
        insta::assert_snapshot!(format!("help_queue_{l}_44x20"), screen(&mut a, 44, 20));
        press(&mut a, "<Esc> 2");
        let id = first_received(&a);
        press(&mut a, &format!("# {id} <Enter>"));
        insta::assert_snapshot!(format!("item_{l}_44x20"), screen(&mut a, 44, 20));
        press(&mut a, "a");
        insta::assert_snapshot!(format!("decide_menu_{l}_44x20"), screen(&mut a, 44, 20));
        press(&mut a, "<Esc>");
        // An overdue item: the short due on the state line, the full one and the next step below.
        press(&mut a, "<Esc> 1");
        let overdue = a
            .state
            .queue
            .rows
            .iter()
            .find(|r| {
                r.state.deadline_runs() && r.due_at.as_deref().is_some_and(|d| d < "2026-11-20")
            })
            .map(|r| r.id)
            .unwrap();
        press(&mut a, &format!("# {overdue} <Enter>"));
        insta::assert_snapshot!(format!("item_overdue_{l}_44x20"), screen(&mut a, 44, 20));
    }
}

/// Every screen and modal draws at small sizes, down to a single cell, without a panic.
#[test]
fn every_screen_draws_at_small_sizes() {
    use bientap::tui::app::{Modal, Screen};
    let (_d, path) = demo(40);
    let published = first_in(&path, "published");
    let sizes = [
        (1, 1),
        (2, 2),
        (10, 3),
        (20, 6),
        (30, 10),
        (44, 20),
        (63, 24),
    ];
    let chair = user_with_role(&path, "truong-ban");
    // Draws the current screen at every size; `want` checks the script reached it.
    let all = |a: &mut bientap::tui::App, what: &str, want: fn(Screen, Option<&Modal>) -> bool| {
        assert!(
            want(a.state.screen, a.state.modal.as_ref()),
            "{what}: not reached ({:?}, {:?})",
            a.state.screen,
            a.state.modal.as_ref().map(std::mem::discriminant)
        );
        for (w, h) in sizes {
            let text = screen(a, w, h);
            assert_eq!(text.lines().count(), h as usize, "{what} at {w}x{h}");
        }
    };
    for lang in [Lang::Vi, Lang::En] {
        let mut a = app(&path, SECRETARY, lang);
        let mut c = app(&path, &chair, lang);
        all(&mut a, "queue", |s, m| s == Screen::Queue && m.is_none());
        press(&mut a, "?");
        all(&mut a, "queue help", |_, m| {
            matches!(m, Some(Modal::Help { .. }))
        });
        press(&mut a, "<Esc> :");
        all(&mut a, "palette", |_, m| {
            matches!(m, Some(Modal::Palette { .. }))
        });
        press(&mut a, "<Esc> /");
        all(&mut a, "search prompt", |_, m| {
            matches!(m, Some(Modal::Prompt { .. }))
        });
        press(&mut a, "<Esc> 2");
        let id = first_received(&a);
        press(&mut a, &format!("# {id} <Enter>"));
        all(&mut a, "item", |s, m| s == Screen::Item && m.is_none());
        press(&mut a, "a");
        all(&mut a, "decision menu", |_, m| {
            matches!(m, Some(Modal::Picker(_)))
        });
        press(&mut a, "<Esc> ?");
        all(&mut a, "item help", |s, m| {
            s == Screen::Item && matches!(m, Some(Modal::Help { .. }))
        });
        press(&mut a, "<Esc> e");
        all(&mut a, "editor", |s, _| s == Screen::Editor);
        press(&mut a, "<Esc> <Esc>");
        press(&mut a, &format!("# {published} <Enter> W"));
        all(&mut a, "withdraw picker", |_, m| {
            matches!(m, Some(Modal::Picker(_)))
        });
        press(&mut a, &format!("<Esc> <Esc> # {id} <Enter> C"));
        all(&mut a, "confirm source", |_, m| m.is_some());
        press(&mut c, "2");
        let id = first_received(&c);
        press(&mut c, &format!("# {id} <Enter> x <Space>"));
        all(&mut c, "reject picker", |_, m| {
            matches!(m, Some(Modal::Picker(_)))
        });
    }
}
