//! Folding for search and duplicate detection, and NFC helpers.
//!
//! `fold`: NFC → NFD → drop U+0300–U+036F → đ→d, Đ→D → lowercase. Because NFD(NFC(s)) equals
//! NFD(s), the NFC step is implied: each character is decomposed canonically and the combining
//! diacritics are dropped, so mixed forms from the Windows Vietnamese keyboard (precomposed vowel
//! + combining tone) and both tone placements ("hoà"/"hòa", "thuỷ"/"thủy") fold the same.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Diacritic- and case-insensitive form of `s` (see module docs).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Like [`fold`], appending to `out` (lets callers reuse a buffer).
pub fn fold_into(s: &str, out: &mut String) {
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            unicode_normalization::char::decompose_canonical(c, |d| push_folded(d, out));
        }
    }
}

#[inline]
fn push_folded(d: char, out: &mut String) {
    match d {
        '\u{0300}'..='\u{036F}' => {}
        'đ' | 'Đ' => out.push('d'),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => {
            for l in c.to_lowercase() {
                // Lowercasing may itself produce a combining mark (İ → i + U+0307): drop it too.
                if !('\u{0300}'..='\u{036F}').contains(&l) {
                    out.push(l);
                }
            }
        }
    }
}

/// `s` in Normalization Form C (composed): what is stored and shown.
pub fn nfc(s: &str) -> String {
    if is_nfc(s) {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// Whether `s` is already in NFC.
pub fn is_nfc(s: &str) -> bool {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => unicode_normalization::is_nfc(s),
    }
}

/// Words of a folded text: maximal runs of alphanumeric characters. Used for search tokens and
/// shingles. Works on unfolded text too, but callers should fold first.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_to_ascii_base() {
        assert_eq!(fold("Quyết định"), "quyet dinh");
        assert_eq!(fold("ĐẢNG Cộng sản Việt Nam"), "dang cong san viet nam");
        assert_eq!(fold("Ủy ban nhân dân"), "uy ban nhan dan");
    }

    #[test]
    fn tone_placement_and_mixed_forms_fold_the_same() {
        assert_eq!(fold("hoà"), fold("hòa"));
        assert_eq!(fold("thuỷ"), fold("thủy"));
        // Windows keyboard: precomposed ê + combining acute, versus precomposed ế.
        assert_eq!(fold("quy\u{00EA}\u{0301}t"), fold("quyết"));
        // Fully decomposed (NFD) input.
        assert_eq!(fold("Vie\u{0302}\u{0323}t"), "viet");
    }

    #[test]
    fn nfc_helpers() {
        let nfd = "To\u{0302}\u{0309} ho\u{031B}\u{0323}p";
        assert!(!is_nfc(nfd));
        let n = nfc(nfd);
        assert_eq!(n, "Tổ hợp");
        assert!(is_nfc(&n));
        // Mixed form: precomposed vowel + combining tone.
        assert_eq!(nfc("\u{00EA}\u{0301}"), "ế");
    }

    #[test]
    fn words_split_on_non_alphanumerics() {
        let f = fold("Số 117/QĐ-CTHADS, ngày 02.");
        let w: Vec<&str> = words(&f).collect();
        assert_eq!(w, ["so", "117", "qd", "cthads", "ngay", "02"]);
    }
}
