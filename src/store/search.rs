//! Diacritic-insensitive full-text search over the folded FTS5 index.

use super::items::ItemRow;
use super::{Result, Store};

/// Build an FTS5 query from what the user typed: every word must match (prefix match on the
/// last one, so results come while typing); quotes keep FTS syntax out of user input.
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
                if i == last {
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
