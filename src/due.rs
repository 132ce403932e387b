//! Due times for display: the deadline engine over the calendar, shared by CLI and console.

use chrono::{DateTime, Utc};

use crate::domain::profile::Profile;
use crate::i18n::Lang;

/// "20/11/2026 17:00 (còn …)" or "—" when the item has no due time.
pub fn due_text(_p: &Profile, due: Option<&str>, now: DateTime<Utc>, lang: Lang) -> String {
    match due.and_then(crate::store::parse_ts) {
        Some(d) => {
            let local = crate::cli::local_time(&crate::store::ts(d));
            if d < now {
                format!("{local} ({})", lang.pick("quá hạn", "overdue"))
            } else {
                local
            }
        }
        None => "—".into(),
    }
}

pub fn due_json(_p: &Profile, due: Option<&str>, now: DateTime<Utc>) -> serde_json::Value {
    match due.and_then(crate::store::parse_ts) {
        Some(d) => serde_json::json!({ "at": crate::store::ts(d), "overdue": d < now }),
        None => serde_json::Value::Null,
    }
}

/// Recompute every open item's due time (placeholder until the deadline engine lands).
pub fn recompute_all(
    _store: &mut crate::store::Store,
    _now: DateTime<Utc>,
) -> crate::store::Result<usize> {
    Ok(0)
}
