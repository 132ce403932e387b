//! bientap — the editorial board's console.
//!
//! Layers (each depends only on those above it in this list):
//! `domain` (pure rules, no I/O) → `profile` (TOML → domain) → `store` (SQLite) →
//! services (`text`, `intake`, `export`, `report`) → front ends (`tui`, `cli`).

pub mod i18n;

pub mod domain;
pub mod export;
pub mod intake;
pub mod profile;
pub mod report;
pub mod store;
pub mod text;
pub mod tui;
pub mod cli;
