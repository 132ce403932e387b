//! User-facing language. Vietnamese is the default; every message exists in both languages.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// Pick the Vietnamese or the English text.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" | "vie" | "vn" => Some(Lang::Vi),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// `tr!(lang, "Tiếng Việt {}", "English {}", args…)` formats the text of the chosen language.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $vi:literal, $en:literal $(,)?) => {
        match $lang {
            $crate::i18n::Lang::Vi => format!($vi),
            $crate::i18n::Lang::En => format!($en),
        }
    };
    ($lang:expr, $vi:literal, $en:literal, $($arg:tt)*) => {
        match $lang {
            $crate::i18n::Lang::Vi => format!($vi, $($arg)*),
            $crate::i18n::Lang::En => format!($en, $($arg)*),
        }
    };
}
