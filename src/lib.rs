//! bientap — the editorial board's console.
//!
//! Layers (each depends only on those above it in this list):
//! `domain` (pure rules, no I/O) → `profile` (TOML → domain) → `store` (SQLite) →
//! services (`text`, `intake`, `export`, `report`) → front ends (`tui`, `cli`).

pub mod i18n;

pub mod bench;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod due;
pub mod export;
pub mod intake;
pub mod profile;
pub mod report;
pub mod store;
pub mod text;
pub mod tui;

/// Clean text typed by a user (CLI argument, file): NFC, control characters and escape
/// sequences removed (one sanitiser for every input: `text::sanitize`).
pub fn text_input(s: &str) -> String {
    text::sanitize::clean_input(s).text
}

/// [`text_input`] for a one-line value (a name, a phone number): line ends and tabs become
/// spaces, and the ends are trimmed.
pub fn text_input_line(s: &str) -> String {
    text_input(s)
        .replace(['\n', '\r', '\t'], " ")
        .trim()
        .to_string()
}

/// Open the console for the caller (the OS login, or with `--as` under root another login).
pub fn tui_entry(g: &cli::Global, lang: i18n::Lang) -> Result<(), String> {
    let db =
        g.db.clone()
            .unwrap_or_else(store::identity::default_db_path);
    let os = store::identity::os_login().ok_or_else(|| {
        tr!(
            lang,
            "không xác định được tài khoản hệ điều hành của tiến trình này",
            "cannot tell which OS account runs this process"
        )
    })?;
    let login = match &g.as_login {
        Some(l) if store::identity::is_root() => l.clone(),
        Some(_) => {
            return Err(tr!(
                lang,
                "chỉ root mới được dùng --as để thao tác thay người khác",
                "only root may act for another login with --as"
            ))
        }
        None => os.clone(),
    };
    tui::run(&db, &login, &os, lang)
}
