//! Loading regulation profiles (TOML) into domain types, with validation.
//! (Placeholder until the profiles branch lands: parses without validation.)

pub mod calendar;

use std::path::Path;

use crate::domain::profile::Profile;
use crate::i18n::Lang;

pub const BUNDLED_IDS: [&str; 0] = [];

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct ProfileError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl ProfileError {
    pub fn message(&self, _lang: Lang) -> String {
        self.to_string()
    }
}

pub fn bundled_text(_id: &str) -> Option<&'static str> {
    None
}

pub fn parse(source_name: &str, text: &str) -> Result<Profile, ProfileError> {
    toml::from_str(text).map_err(|e| ProfileError {
        file: source_name.to_string(),
        line: 0,
        reason: e.to_string(),
    })
}

pub fn load_bundled(id: &str) -> Result<Profile, ProfileError> {
    Err(ProfileError {
        file: id.to_string(),
        line: 0,
        reason: "no bundled profiles yet".into(),
    })
}

pub fn load_file(path: &Path) -> Result<Profile, ProfileError> {
    let text = std::fs::read_to_string(path).map_err(|e| ProfileError {
        file: path.display().to_string(),
        line: 0,
        reason: e.to_string(),
    })?;
    parse(&path.display().to_string(), &text)
}

pub fn resolve(id_or_path: &str) -> Result<Profile, ProfileError> {
    load_bundled(id_or_path).or_else(|_| load_file(Path::new(id_or_path)))
}
