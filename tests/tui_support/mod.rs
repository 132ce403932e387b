//! Shared set-up for the console tests: a demo database from the fixture profile, a fixed clock.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use bientap::domain::profile::Profile;
use bientap::i18n::Lang;
use bientap::tui::App;
use chrono::{DateTime, TimeZone, Utc};

pub const PROFILE_TEXT: &str = include_str!("../fixtures/stp-binh-phuoc.toml");
pub const SECRETARY: &str = "thuky";

pub fn profile() -> Profile {
    bientap::profile::parse("stp-binh-phuoc.toml", PROFILE_TEXT).expect("fixture profile parses")
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0).unwrap()
}

/// A demo database (fixed seed) in a temp dir; the secretary is `thuky`.
pub fn demo(items: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bientap.db");
    let p = profile();
    let role = p.admin_role().unwrap().code.clone();
    bientap::demo::generate(&path, &p, PROFILE_TEXT, SECRETARY, &role, items, 7, now()).unwrap();
    (dir, path)
}

pub fn app(path: &Path, login: &str, lang: Lang) -> App {
    let mut a = App::new(path, login, login, lang, Box::new(now)).unwrap();
    a.theme = bientap::tui::theme::Theme::new(false);
    a
}

/// The first active user holding a role.
pub fn user_with_role(path: &Path, role: &str) -> String {
    let s = bientap::store::Store::open(path).unwrap();
    s.users()
        .unwrap()
        .into_iter()
        .find(|u| u.role == role && u.active)
        .map(|u| u.login)
        .unwrap_or_else(|| panic!("no user with role {role}"))
}

/// The lowest id of an item in a state.
pub fn first_in(path: &Path, state: &str) -> i64 {
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

/// Add an item with this title, as the secretary, from a connection of its own (as another
/// session would); its id.
pub fn add_titled(path: &Path, title: &str) -> i64 {
    bientap::store::Store::open(path)
        .unwrap()
        .add_item(
            &bientap::store::Ctx {
                actor: SECRETARY.into(),
                os_login: SECRETARY.into(),
                now: now(),
            },
            &bientap::store::NewItem {
                title: title.into(),
                ..Default::default()
            },
        )
        .unwrap()
}
