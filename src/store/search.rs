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
    let words: Vec<&str> = crate::text::fold::words(&folded).collect();
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

/// The `titles_fts` query for folded title words (space-separated, as `bt_has_words` takes
/// them): every plain word (ASCII letters and digits: one token for the index's tokenizer) as a
/// quoted term. Other words are left out, so the matches are a superset of the rows that have
/// every word; the caller checks each row with `bt_has_words`. None when no word is plain.
pub fn title_fts_query(words: &str) -> Option<String> {
    let terms: Vec<String> = words
        .split(' ')
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|w| format!("\"{w}\""))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// Keep an item's row of `titles_fts` (the folded title) up to date: called wherever
/// `items_fts` is written.
pub(crate) fn index_title(conn: &rusqlite::Connection, id: i64, folded_title: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM titles_fts WHERE rowid = ?1")?
        .execute([id])?;
    conn.prepare_cached("INSERT INTO titles_fts(rowid, title) VALUES (?1, ?2)")?
        .execute(rusqlite::params![id, folded_title])?;
    Ok(())
}

impl Store {
    /// How many titles have every plain word of `words` (`title_fts_query`), counted up to
    /// `cap`: None when more than `cap` do, or when no word is plain.
    pub fn title_hits_capped(&self, words: &str, cap: usize) -> Result<Option<usize>> {
        let Some(q) = title_fts_query(words) else {
            return Ok(None);
        };
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT rowid FROM titles_fts WHERE titles_fts MATCH ?1 LIMIT ?2)",
            )?
            .query_row(rusqlite::params![q, cap as i64 + 1], |r| r.get(0))?;
        Ok((n as usize <= cap).then_some(n as usize))
    }

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
