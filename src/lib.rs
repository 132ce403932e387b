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

/// Open the console (until the TUI lands: print the queue).
pub fn tui_entry(g: &cli::Global, lang: i18n::Lang) -> Result<(), String> {
    let _ = (g, lang);
    Err("console not built yet".into())
}
