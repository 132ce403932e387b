//! The quarterly royalty sheet (*bảng kê nhuận bút*, 002 Điều 8; 004 Điều 7.3, 13): every item
//! published in the period with its author, unit, category, kind and size, and the profile's
//! rate when it has one (none by default: the accountant fills the rate column).

use rusqlite::params;
use serde::Serialize;

use super::query::{header, published_items};
use super::{Header, Period, Produced, ReportError};
use crate::domain::calendar::Calendar;
use crate::domain::deadline::to_local;
use crate::domain::profile::ItemKind;
use crate::i18n::Lang;
use crate::store::{parse_ts, Store};

#[derive(Debug, Clone, Serialize)]
pub struct RoyaltyRow {
    pub id: i64,
    /// Local date of publication.
    pub published_on: chrono::NaiveDate,
    pub title: String,
    /// Author, else the submitter (masked when confidential).
    pub author: String,
    pub unit: String,
    pub category: String,
    pub category_name: String,
    pub kind: ItemKind,
    /// Words of the title, lead and body.
    pub words: u64,
    /// Image attachments.
    pub photos: u64,
    /// Rate per item in VND from the profile, if it sets one for the kind.
    pub rate_vnd: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoyaltySheet {
    pub header: Header,
    pub rows: Vec<RoyaltyRow>,
    /// Whether the profile sets any rate.
    pub rates_defined: bool,
}

const IMAGE_EXT: [&str; 7] = ["jpg", "jpeg", "png", "gif", "bmp", "webp", "tif"];

/// Build the royalty sheet for a period (normally a quarter).
pub fn royalties(
    store: &Store,
    cal: &Calendar,
    period: &Period,
    produced: &Produced,
    lang: Lang,
) -> Result<RoyaltySheet, ReportError> {
    let p = store.profile();
    let (header, _) = header(store, cal, period, produced, lang)?;
    let (start, end) = period.utc_bounds();
    let items = published_items(store, &start, &end, lang)?;
    let conn = store.conn();
    let mut words_stmt =
        conn.prepare("SELECT title || ' ' || lead || ' ' || body FROM items WHERE id = ?1")?;
    let mut photos_stmt = conn.prepare(
        "SELECT count(*) FROM attachments WHERE item_id = ?1
         AND (mime LIKE 'image/%' OR lower(ext) IN ('jpg','jpeg','png','gif','bmp','webp','tif'))",
    )?;
    debug_assert_eq!(IMAGE_EXT.len(), 7);
    let mut rows = Vec::new();
    for it in items {
        let text: String = words_stmt.query_row(params![it.id], |r| r.get(0))?;
        let photos: i64 = photos_stmt.query_row(params![it.id], |r| r.get(0))?;
        let cat = p.category(&it.category);
        let kind = cat.map(|c| c.kind).unwrap_or_default();
        rows.push(RoyaltyRow {
            id: it.id,
            published_on: parse_ts(&it.published_at)
                .map(|t| to_local(t).date())
                .unwrap_or(period.first),
            title: it.title,
            author: it.contributor,
            unit: it.unit,
            category_name: cat
                .map(|c| c.name(lang).to_string())
                .unwrap_or_else(|| it.category.clone()),
            category: it.category,
            kind,
            words: text.split_whitespace().count() as u64,
            photos: photos as u64,
            rate_vnd: p.royalties.iter().find(|r| r.kind == kind).map(|r| r.vnd),
        });
    }
    Ok(RoyaltySheet {
        header,
        rows,
        rates_defined: !p.royalties.is_empty(),
    })
}
