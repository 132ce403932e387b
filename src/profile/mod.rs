//! Loading regulation profiles (TOML) into domain types, with validation.

pub mod calendar;
