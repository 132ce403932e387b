//! bientap — the editorial board's console.
//!
//! Layers (each depends only on those above it in this list):
//! `domain` (pure rules, no I/O) → `profile` (TOML → domain) → `store` (SQLite) →
//! services (`text`, `intake`, `export`, `report`) → front ends (`tui`, `cli`).

pub mod i18n;

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

/// Clean text typed by a user (CLI argument, file): NFC, control characters removed.
pub fn text_input(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' | '\t' => out.push(c),
            '\u{1b}' => {
                // drop a CSI/OSC escape sequence whole
                match chars.peek() {
                    Some('[') => {
                        chars.next();
                        for d in chars.by_ref() {
                            if ('\u{40}'..='\u{7e}').contains(&d) {
                                break;
                            }
                        }
                    }
                    Some(']') => {
                        chars.next();
                        while let Some(d) = chars.next() {
                            if d == '\u{7}' || (d == '\u{1b}' && chars.peek() == Some(&'\\')) {
                                if d == '\u{1b}' {
                                    chars.next();
                                }
                                break;
                            }
                        }
                    }
                    _ => {}
                }
            }
            c if c.is_control() => {}
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out.nfc().collect()
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
