//! Hostile text never reaches the terminal raw; live refresh; drafts after a dropped link; paste.
mod tui_support;

use bientap::domain::item::{Identity, State};
use bientap::i18n::Lang;
use bientap::store::{Ctx, NewItem, Store};
use bientap::tui::app::UiAction;
use bientap::tui::testing::{press, screen};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tui_support::*;

const HOSTILE: &str =
    "Tin\u{1b}[2J xấu \u{1b}]52;c;SGVsbG8=\u{7} \u{202e}exe.pdf \u{200b}ẩn\r\nhết";

fn hostile_item(path: &std::path::Path) -> i64 {
    let mut s = Store::open(path).unwrap();
    let ctx = Ctx {
        actor: SECRETARY.into(),
        os_login: SECRETARY.into(),
        now: now(),
    };
    s.add_item(
        &ctx,
        &NewItem {
            title: HOSTILE.into(),
            lead: HOSTILE.into(),
            body: format!("{HOSTILE}\n{HOSTILE}"),
            submitter: Identity {
                name: HOSTILE.into(),
                ..Default::default()
            },
            unit: HOSTILE.into(),
            ..Default::default()
        },
    )
    .unwrap()
}

/// A writer whose bytes the test can read afterwards.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{200b}', '\r'] {
        assert!(!text.contains(bad), "{what}: {:?} reached the screen", bad);
    }
}

#[test]
fn hostile_text_is_never_drawn_raw() {
    let (_d, path) = demo(10);
    let id = hostile_item(&path);
    let mut a = app(&path, SECRETARY, Lang::Vi);
    press(&mut a, "2 /");
    press(&mut a, "xau <Enter>");
    assert!(a.state.queue.rows.iter().any(|r| r.id == id));
    for (w, h) in [(80, 24), (120, 40)] {
        assert_clean("queue", &screen(&mut a, w, h));
    }
    press(&mut a, &format!("<Esc> # {id} <Enter>"));
    for (w, h) in [(80, 24), (120, 40)] {
        let sc = screen(&mut a, w, h);
        assert_clean("item", &sc);
        assert!(sc.contains("<U+202E>"), "bidi override shown visibly");
    }
    press(&mut a, "e");
    assert_clean("editor", &screen(&mut a, 120, 40));

    // The bytes a real terminal would get.
    press(&mut a, "<Esc>");
    let out = Shared::default();
    let mut t = Terminal::with_options(
        CrosstermBackend::new(out.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 120, 40)),
        },
    )
    .unwrap();
    t.draw(|f| a.render(f)).unwrap();
    drop(t);
    let bytes = out.0.borrow().clone();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("xấu"), "the item was drawn");
    assert!(!text.contains("\u{1b}[2J"), "clear-screen from the title");
    assert!(!text.contains("\u{1b}]52"), "OSC 52 from the title");
    assert!(!bytes.contains(&7u8), "BEL");
    assert!(!text.contains('\u{202e}') && !text.contains('\u{200b}'));
}

#[test]
fn changes_by_others_appear_on_the_next_tick() {
    let (_d, path) = demo(30);
    let mut a = app(&path, SECRETARY, Lang::Vi);
    press(&mut a, "2");
    let before = a.state.queue.rows.len();
    assert!(!a.tick(), "nothing changed yet");
    let id = hostile_item(&path);
    assert!(a.tick(), "another connection committed");
    assert!(a.state.queue.rows.iter().any(|r| r.id == id));
    assert_eq!(a.state.queue.rows.len(), before + 1);
}

#[test]
fn a_dropped_link_keeps_the_draft_and_offers_it_next_time() {
    let (_d, path) = demo(30);
    let mut a = app(&path, SECRETARY, Lang::Vi);
    press(&mut a, "2");
    let id = a.state.queue.rows[0].id;
    press(&mut a, &format!("# {id} <Enter> e <Tab> <Tab> <C-Home>"));
    press(&mut a, "Bản <Space> nháp <Enter>");
    assert!(
        a.save_draft().unwrap(),
        "a changed editor is saved as a draft"
    );
    drop(a);
    assert_eq!(
        Store::open(&path).unwrap().item(id).unwrap().version,
        1,
        "nothing saved to the item"
    );

    let mut b = app(&path, SECRETARY, Lang::Vi);
    press(&mut b, &format!("# {id} <Enter> e"));
    assert!(screen(&mut b, 80, 24).contains("bản nháp"));
    press(&mut b, "y");
    let body = b.state.editor.as_ref().unwrap().fields[2]
        .lines()
        .join("\n");
    assert!(body.starts_with("Bản nháp\n"), "{body}");
    press(&mut b, "<C-s>");
    let it = Store::open(&path).unwrap().item(id).unwrap();
    assert!(it.body.starts_with("Bản nháp\n"));
    // The draft is gone once saved.
    press(&mut b, "e");
    assert!(b.state.modal.is_none());
}

#[test]
fn paste_is_cleaned_and_normalised() {
    let (_d, path) = demo(10);
    let mut a = app(&path, SECRETARY, Lang::Vi);
    press(&mut a, "/");
    // Decomposed "hành" (a + combining grave) with an escape sequence in the middle.
    a.dispatch(UiAction::Paste(
        "tha\u{300}nh\u{1b}[31m pho\u{302}\u{301}".into(),
    ));
    match &a.state.modal {
        Some(bientap::tui::app::Modal::Prompt { text, .. }) => assert_eq!(text, "thành phố"),
        other => panic!("{other:?}"),
    }
    let _ = State::Received;
}
