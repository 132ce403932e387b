//! Diacritic-insensitive full-text search over the folded FTS5 index.

use super::items::ItemRow;
use super::{Result, Store};

/// Longest last word still matched as a prefix: the index keeps prefixes of 1–3 letters
/// (`prefix = '1 2 3'` in schema.sql), so these stay index lookups; a longer prefix would merge
/// the lists of every term it starts (≈ 40 ms at a million items instead of ≈ 0.3 ms).
pub const PREFIX_MAX: usize = 3;

/// Build an FTS5 query from what the user typed: every syllable must match, whole (Vietnamese
/// is typed syllable by syllable); a last syllable of up to three letters also matches as a
/// prefix ("thi hanh a" finds "thi hành án"). Quotes keep FTS syntax out of user input.
pub fn fts_query(q: &str) -> Option<String> {
    let folded = crate::store::fold_index(q);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let last = words.len() - 1;
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last && w.chars().count() <= PREFIX_MAX {
                    format!("\"{w}\"*")
                } else {
                    format!("\"{w}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

impl Store {
    /// Items matching `query`, newest first (queue order), at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<ItemRow>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {} FROM items WHERE id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2) ORDER BY id DESC",
            super::items::ROW_COLS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params![q, limit as i64], super::items::row_to_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_syllables_and_a_short_last_prefix() {
        assert_eq!(
            fts_query("Thi hành án").as_deref(),
            Some("\"thi\" \"hanh\" \"an\"*")
        );
        assert_eq!(
            fts_query("quyết định").as_deref(),
            Some("\"quyet\" \"dinh\"")
        );
        // FTS syntax typed by a user is only ever a quoted term.
        assert_eq!(
            fts_query("a OR b* \"x").as_deref(),
            Some("\"a\" \"or\" \"b\" \"x\"*")
        );
        assert_eq!(fts_query(" ,. "), None);
    }
}
