//! Shared helpers for integration tests: a real SQLite file in a temp dir, a board, a clock.
#![allow(dead_code)]

use std::path::PathBuf;

use bientap::domain::item::Identity;
use bientap::domain::profile::Profile;
use bientap::store::{Ctx, NewItem, NewUser, Store};
use chrono::{DateTime, TimeZone, Utc};

pub struct Board {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub store: Store,
    pub profile: Profile,
}

/// A fixed clock: Tuesday 3 November 2026, 09:00 in Hà Nội (02:00 UTC).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, 2, 0, 0)
        .single()
        .expect("valid time")
}

pub fn ctx(login: &str) -> Ctx {
    Ctx {
        actor: login.to_string(),
        os_login: login.to_string(),
        now: t0(),
    }
}

/// A new database for a bundled profile with `users`: (login, role) pairs; the first user is
/// created as the database's first user and must hold an admin role.
pub fn board(profile_id: &str, users: &[(&str, &str)]) -> Board {
    let text = bientap::profile::bundled_text(profile_id).expect("bundled profile");
    let profile = bientap::profile::parse(profile_id, text).expect("profile parses");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bientap.db");
    let mut store = Store::create(&path, &profile, text).expect("create");
    bientap::due::install(&mut store);
    let (first, first_role) = users[0];
    store
        .add_first_user(
            &ctx(first),
            &NewUser {
                login: first.into(),
                name: format!("Người {first}"),
                role: first_role.into(),
                unit: "Văn phòng".into(),
                email: String::new(),
            },
        )
        .expect("first user");
    for (login, role) in &users[1..] {
        store
            .add_user(
                &ctx(first),
                &NewUser {
                    login: (*login).into(),
                    name: format!("Người {login}"),
                    role: (*role).into(),
                    unit: "Văn phòng".into(),
                    email: String::new(),
                },
            )
            .expect("add user");
    }
    Board {
        dir,
        path,
        store,
        profile,
    }
}

pub fn new_item(title: &str, category: &str) -> NewItem {
    NewItem {
        title: title.into(),
        lead: "Sa-pô của tin.".into(),
        body: "Nội dung tin bài về công tác thi hành án dân sự.".into(),
        category: category.into(),
        submitter: Identity {
            name: "Nguyễn Văn An".into(),
            title: "Chuyên viên".into(),
            organisation: "Phòng Nghiệp vụ".into(),
            email: "an.nv@example.gov.vn".into(),
            phone: "0220 3855 123".into(),
            ..Default::default()
        },
        unit: "Phòng Nghiệp vụ".into(),
        channel: "manual".into(),
        ..Default::default()
    }
}
