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
    fold_each(s, |c| out.push(c));
}

/// Calls `emit` with each character of the folded form of `s`, without building a string.
#[inline(always)]
pub fn fold_each<F: FnMut(char)>(s: &str, mut emit: F) {
    let table = latin_table();
    for c in s.chars() {
        if c.is_ascii() {
            emit(c.to_ascii_lowercase());
            continue;
        }
        let cached = match c as u32 {
            n @ 0x80..LATIN_END => table.low[(n - 0x80) as usize],
            n @ EXT_START..EXT_END => table.ext[(n - EXT_START) as usize],
            _ => NONE,
        };
        match cached {
            NONE => {
                let mut buf = String::new();
                unicode_normalization::char::decompose_canonical(c, |d| push_folded(d, &mut buf));
                buf.chars().for_each(&mut emit);
            }
            DROP => {}
            f => emit(f),
        }
    }
}

/// [`fold_each`] decoding the UTF-8 bytes of `s` itself (an ASCII byte is lowercased and
/// emitted without decoding). Same characters, same order as [`fold_each`].
#[inline(always)]
pub(crate) fn fold_each_bytes<F: FnMut(char)>(s: &str, mut emit: F) {
    let table = latin_table();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            emit(char::from(x.to_ascii_lowercase()));
            i += 1;
            continue;
        }
        let (n, len) = if x < 0xE0 {
            ((u32::from(x & 0x1F) << 6) | u32::from(b[i + 1] & 0x3F), 2)
        } else if x < 0xF0 {
            (
                (u32::from(x & 0x0F) << 12)
                    | (u32::from(b[i + 1] & 0x3F) << 6)
                    | u32::from(b[i + 2] & 0x3F),
                3,
            )
        } else {
            (
                (u32::from(x & 0x07) << 18)
                    | (u32::from(b[i + 1] & 0x3F) << 12)
                    | (u32::from(b[i + 2] & 0x3F) << 6)
                    | u32::from(b[i + 3] & 0x3F),
                4,
            )
        };
        i += len;
        let cached = match n {
            0x80..LATIN_END => table.low[(n - 0x80) as usize],
            EXT_START..EXT_END => table.ext[(n - EXT_START) as usize],
            _ => NONE,
        };
        match cached {
            NONE => {
                // `s` is a str: `n` is a scalar value.
                let Some(c) = char::from_u32(n) else { continue };
                let mut buf = String::new();
                unicode_normalization::char::decompose_canonical(c, |d| push_folded(d, &mut buf));
                buf.chars().for_each(&mut emit);
            }
            DROP => {}
            f => emit(f),
        }
    }
}

const LATIN_END: u32 = 0x250;
const EXT_START: u32 = 0x1E00;
const EXT_END: u32 = 0x1F00;
/// Not cached: fold through the general path.
const NONE: char = '\u{0}';
/// Folds to nothing (a combining diacritic).
const DROP: char = '\u{1}';

/// Folded forms of Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional (every
/// Vietnamese letter), computed once with the general rule when it yields one character.
struct LatinTable {
    low: Vec<char>,
    ext: Vec<char>,
}

fn latin_table() -> &'static LatinTable {
    static T: std::sync::OnceLock<LatinTable> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let one = |n: u32| -> char {
            let Some(c) = char::from_u32(n) else {
                return NONE;
            };
            let mut s = String::new();
            unicode_normalization::char::decompose_canonical(c, |d| push_folded(d, &mut s));
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (None, _) => DROP,
                (Some(f), None) if f != NONE && f != DROP => f,
                _ => NONE,
            }
        };
        LatinTable {
            low: (0x80..LATIN_END).map(one).collect(),
            ext: (EXT_START..EXT_END).map(one).collect(),
        }
    })
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
///
/// Fast on Vietnamese text: composition never reaches across ASCII whitespace (a starter that
/// composes with nothing), so only the whitespace-separated pieces that are not plainly NFC are
/// normalised.
pub fn nfc(s: &str) -> String {
    nfc_with(s, plainly_nfc)
}

/// [`nfc`] with the given test for text that is plainly NFC already.
fn nfc_with(s: &str, plain: fn(&str) -> bool) -> String {
    if plain(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for piece in s.split_inclusive(|c: char| c.is_ascii_whitespace()) {
        if plain(piece) {
            out.push_str(piece);
        } else {
            out.extend(piece.nfc());
        }
    }
    out
}

/// Characters that are starters and NFC_QC=Yes: everything below U+0300, the precomposed
/// Vietnamese letters (U+1EA0–U+1EF9), and the general punctuation and currency signs of
/// typeset text (U+2002–U+206F: dashes, quotes, ellipsis; U+20A0–U+20C0: ₫ …) — U+2000 and
/// U+2001 are left out, they decompose. A string of them is in NFC.
///
/// Read byte by byte: ASCII and the 2-byte sequences led by C2–CB (U+0080–U+02FF) need no
/// decoding; 3-byte sequences are decoded and checked against the ranges; anything from CC 80
/// (U+0300) to U+07FF and every 4-byte sequence is outside them.
pub(crate) fn plainly_nfc(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            i += 1;
        } else if x < 0xE0 {
            if x > 0xCB {
                return false;
            }
            i += 2;
        } else if x < 0xF0 {
            let c = (u32::from(x & 0x0F) << 12)
                | (u32::from(b[i + 1] & 0x3F) << 6)
                | u32::from(b[i + 2] & 0x3F);
            if !((0x1EA0..=0x1EF9).contains(&c)
                || (0x2002..=0x206F).contains(&c)
                || (0x20A0..=0x20C0).contains(&c))
            {
                return false;
            }
            i += 3;
        } else {
            return false;
        }
    }
    true
}

/// Whether `s` is already in NFC.
pub fn is_nfc(s: &str) -> bool {
    if plainly_nfc(s) {
        return true;
    }
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

/// A set of words by their exact bytes, for [`join_unique`]: open addressing (linear probing)
/// over a power-of-two table that doubles at half full. A word of at most 8 bytes is its own key
/// (its bytes, little-endian, zero-padded, with the length beside them), so the common short word
/// is found without hashing its bytes or comparing them apart; a longer word is keyed by its xxh3
/// hash and compared byte for byte.
pub(crate) struct WordSet<'a> {
    slots: Vec<Slot>,
    long: Vec<&'a [u8]>,
    len: usize,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    /// Byte length + 1; 0 marks an empty slot.
    len1: u32,
    /// For a word longer than 8 bytes: its index in `long`.
    long: u32,
}

impl<'a> WordSet<'a> {
    pub(crate) fn new() -> Self {
        WordSet {
            slots: vec![Slot::default(); 256],
            long: Vec::new(),
            len: 0,
        }
    }

    #[inline]
    fn key(w: &[u8]) -> u64 {
        if w.len() <= 8 {
            let mut buf = [0u8; 8];
            buf[..w.len()].copy_from_slice(w);
            u64::from_le_bytes(buf)
        } else {
            xxhash_rust::xxh3::xxh3_64(w)
        }
    }

    #[inline]
    fn home(key: u64, len1: u32, mask: usize) -> usize {
        let h = (key ^ u64::from(len1).rotate_right(8)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 32) as usize & mask
    }

    /// Adds `w`; whether it was new.
    #[inline]
    pub(crate) fn insert(&mut self, w: &'a [u8]) -> bool {
        self.insert_keyed(Self::key(w), w)
    }

    /// Adds the word `buf[s..e]`: like [`WordSet::insert`], reading a short word's key with one
    /// 8-byte load when the buffer has 8 bytes from `s` on.
    #[inline]
    pub(crate) fn insert_in(&mut self, buf: &'a [u8], s: usize, e: usize) -> bool {
        let w = &buf[s..e];
        match buf.get(s..s + 8) {
            Some(b8) if w.len() <= 8 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b8);
                let v = u64::from_le_bytes(a);
                let key = if w.len() == 8 {
                    v
                } else {
                    v & ((1u64 << (8 * w.len())) - 1)
                };
                self.insert_keyed(key, w)
            }
            _ => self.insert(w),
        }
    }

    #[inline]
    fn insert_keyed(&mut self, key: u64, w: &'a [u8]) -> bool {
        // A word longer than u32::MAX - 1 bytes is keyed by its hash and length modulo that,
        // and always compared byte for byte.
        let len1 = (w.len() as u32).saturating_add(1);
        let mask = self.slots.len() - 1;
        let mut i = Self::home(key, len1, mask);
        loop {
            let s = self.slots[i];
            if s.len1 == 0 {
                break;
            }
            if s.key == key && s.len1 == len1 && (w.len() <= 8 || self.long[s.long as usize] == w) {
                return false;
            }
            i = (i + 1) & mask;
        }
        let long = if w.len() > 8 {
            self.long.push(w);
            (self.long.len() - 1) as u32
        } else {
            0
        };
        self.slots[i] = Slot { key, len1, long };
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
        true
    }

    fn grow(&mut self) {
        // Stays a power of two (the mask relies on it).
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.len1 != 0) {
            let mut i = Self::home(s.key, s.len1, mask);
            while self.slots[i].len1 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

/// `words` each once (first occurrence order), joined by single spaces: what the search index
/// is given for a text (it keeps which column a word is in, so repeats only cost work).
pub fn join_unique<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut seen = WordSet::new();
    let mut out = String::new();
    for w in words {
        if seen.insert(w.as_bytes()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// The character-by-character [`plainly_nfc`] and the [`nfc`] built on it, as they were before
/// the byte-level scan: the reference the faster code is tested against.
#[cfg(test)]
pub(crate) mod reference {

    pub(crate) fn plainly_nfc(s: &str) -> bool {
        s.chars().all(|c| {
            c < '\u{300}'
                || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
                || ('\u{2002}'..='\u{206F}').contains(&c)
                || ('\u{20A0}'..='\u{20C0}').contains(&c)
        })
    }

    /// `join_unique` with a hash set of (xxh3, bytes) keys.
    pub(crate) fn join_unique<'a>(words: impl Iterator<Item = &'a str>) -> String {
        let mut seen = std::collections::HashSet::new();
        let mut out = String::new();
        for w in words {
            if seen.insert((xxhash_rust::xxh3::xxh3_64(w.as_bytes()), w)) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(w);
            }
        }
        out
    }

    /// [`super::nfc`] with the reference `plainly_nfc`.
    pub(crate) fn nfc(s: &str) -> String {
        super::nfc_with(s, plainly_nfc)
    }
}

/// Inputs for the tests that compare the fast text functions with their references.
#[cfg(test)]
pub(crate) mod testgen {
    use proptest::prelude::*;

    /// Pieces of hostile and ordinary text: ASCII, line ends, C0/C1 controls, escape sequences,
    /// Vietnamese in NFC, NFD and mixed forms, lone combining marks, TCVN3 and VNI glyphs, emoji
    /// and joiners, CJK and other scripts, zero-width, bidi and tag characters, typeset
    /// punctuation, characters whose folding or NFC is unusual.
    pub(crate) const PIECES: &[&str] = &[
        "Quyết",
        "định",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\r",
        "\t",
        "\u{0}",
        "\u{7}",
        "\u{7f}",
        "\u{8}",
        "\u{b}",
        "\u{c}",
        "\u{1b}[31m",
        "\u{1b}]0;t\u{7}",
        "\u{1b}]8;;x\u{1b}\\",
        "\u{1b}",
        "\u{1b}(B",
        "\u{1b}P1|d",
        "\u{85}",
        "\u{9b}2J",
        "\u{9c}",
        "\u{9d}",
        "\u{90}",
        "Việt",
        "Đảng",
        "người",
        "ĐẠI HỘI",
        "Vie\u{302}\u{323}t",
        "\u{ea}\u{301}",
        "\u{301}",
        "\u{323}",
        "\u{302}",
        "o\u{31b}\u{309}",
        "😀",
        "\u{1F468}\u{200D}\u{1F469}",
        "中文",
        "\u{200B}",
        "\u{200C}",
        "\u{200D}",
        "\u{2060}",
        "\u{FEFF}",
        "\u{202E}",
        "\u{202A}",
        "\u{2066}",
        "\u{2069}",
        "\u{200E}",
        "\u{200F}",
        "\u{61C}",
        "\u{2028}",
        "\u{2029}",
        "\u{E0041}",
        "\u{E007F}",
        "ViÖt",
        "§¶ng",
        "ng\u{AD}êi",
        "C¨n cø",
        "Th«ng b¸o",
        "Vieät",
        "ñöôïc",
        "Ñaûng",
        "\u{A0}",
        "\u{2000}",
        "\u{2001}",
        "\u{2002}",
        "\u{206F}",
        "\u{2070}",
        "–",
        "“",
        "”",
        "…",
        "₫",
        "\u{20C0}",
        "\u{20C1}",
        "\u{1E9B}",
        "\u{1EA0}",
        "\u{1EF9}",
        "\u{1EFA}",
        "Ω",
        "\u{212A}",
        "\u{212B}",
        "ﬁ",
        "İ",
        "ß",
        "ǅ",
        "ΐ",
        "\u{345}",
        "مرحبا",
        "한국",
        "\u{1100}\u{1161}",
        "नमस्ते",
        "117/QĐ-CTHADS",
        "½",
        "²",
        "x",
        "A",
        "0",
        "\u{10FFFF}",
        "\u{7FF}",
        "\u{800}",
        "\u{2FF}",
        "\u{300}",
        "\u{1FFF}",
        "\u{FFFD}",
        ".",
        ",",
        "(",
        "-",
        "_",
    ];

    /// A string of up to `n` pieces and arbitrary characters.
    pub(crate) fn text(n: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                3 => proptest::sample::select(PIECES).prop_map(String::from),
                1 => any::<char>().prop_map(String::from),
            ],
            0..n,
        )
        .prop_map(|v| v.concat())
    }

    /// Subject and first text part (as mail-parser gives them) of every `step`-th message of
    /// the corpus named by `BIENTAP_CORPUS` (a Maildir `new/` folder, e.g. the one
    /// `BIENTAP_BENCH_KEEP=1 bientap bench --only import` keeps); without it, of the real-mail
    /// fixtures and 40 messages made by the import benchmark's generator.
    pub(crate) fn corpus(step: usize) -> Vec<String> {
        let mut raws: Vec<Vec<u8>> = Vec::new();
        if let Some(entries) =
            std::env::var_os("BIENTAP_CORPUS").and_then(|d| std::fs::read_dir(d).ok())
        {
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            raws.extend(
                paths
                    .iter()
                    .step_by(step.max(1))
                    .filter_map(|p| std::fs::read(p).ok()),
            );
        } else {
            let fixtures =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realmail");
            let mut paths: Vec<_> = std::fs::read_dir(fixtures)
                .expect("real-mail fixtures")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            paths.sort();
            raws.extend(paths.iter().filter_map(|p| std::fs::read(p).ok()));
            let vocab = crate::bench::gen::Vocabulary::new();
            let mut rng = crate::demo::Rng::new(11);
            raws.extend((0..40).map(|i| crate::bench::import::message(&vocab, &mut rng, i)));
        }
        let mut out = Vec::new();
        for raw in &raws {
            let Some(m) = mail_parser::MessageParser::default().parse(raw) else {
                continue;
            };
            out.push(m.subject().unwrap_or("").to_string());
            out.push(m.body_text(0).map(|b| b.into_owned()).unwrap_or_default());
        }
        assert!(out.len() > 20, "a corpus of messages to compare on");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn nfc_and_plainly_nfc_equal_the_reference(s in testgen::text(40)) {
            proptest::prop_assert_eq!(plainly_nfc(&s), reference::plainly_nfc(&s));
            proptest::prop_assert_eq!(nfc(&s), reference::nfc(&s));
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn join_unique_equals_the_reference(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(testgen::PIECES).prop_map(String::from),
                    "[a-d]{0,3}",
                    "[a-z0-9]{7,10}",
                    "[\\x00-\\u{1F600}]{0,12}",
                ],
                0..2000,
            )
        ) {
            let refs = || words.iter().map(String::as_str);
            proptest::prop_assert_eq!(join_unique(refs()), reference::join_unique(refs()));
        }
    }

    #[test]
    fn join_unique_keeps_first_occurrences_of_words_of_any_length() {
        // Short words differing only in length or padding, long words sharing a prefix, the empty
        // word first and later, enough distinct words to grow the table several times.
        let mut ws: Vec<String> = [
            "",
            "a",
            "a\0",
            "ab",
            "",
            "a",
            "12345678",
            "123456789",
            "1234567890ab",
            "1234567890ac",
            "123456789",
            "a\0",
            "đđđđ",
            "đđđđđ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        ws.extend((0..5000).map(|n| format!("w{}", n % 3000)));
        ws.extend((0..5000).map(|n| format!("long-word-{}", n % 2500)));
        let refs = || ws.iter().map(String::as_str);
        let got = join_unique(refs());
        assert_eq!(got, reference::join_unique(refs()));
        // Nine distinct non-empty short and long words (the empty word leaves no trace), then
        // the numbered ones.
        assert_eq!(got.split(' ').count(), 9 + 3000 + 2500);
        assert!(got.starts_with(
            "a a\0 ab 12345678 123456789 1234567890ab 1234567890ac đđđđ đđđđđ w0 w1 "
        ));
    }

    #[test]
    fn plainly_nfc_equals_the_reference_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(
                plainly_nfc(&s),
                reference::plainly_nfc(&s),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn nfc_equals_the_reference_on_the_corpus() {
        for s in testgen::corpus(10) {
            assert_eq!(nfc(&s), reference::nfc(&s));
            let nfd: String = s.nfd().collect();
            assert_eq!(nfc(&nfd), reference::nfc(&nfd));
        }
    }

    #[test]
    fn typeset_punctuation_is_plainly_nfc_and_the_two_quads_are_not() {
        // Every character of the fast ranges really is NFC on its own.
        let ranges = [
            ('\u{2002}', '\u{206F}'),
            ('\u{20A0}', '\u{20C0}'),
            ('\u{1EA0}', '\u{1EF9}'),
        ];
        for (a, b) in ranges {
            for c in a..=b {
                let s = c.to_string();
                assert_eq!(s.nfc().collect::<String>(), s, "U+{:04X}", c as u32);
            }
        }
        let t = "“Thi hành án” – 100.000 ₫…";
        assert!(plainly_nfc(t));
        assert_eq!(nfc(t), t);
        // EN QUAD / EM QUAD decompose: not on the fast path, and normalised.
        assert!(!plainly_nfc("a\u{2000}b"));
        assert_eq!(nfc("a\u{2000}b"), "a\u{2002}b");
    }

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
    fn cached_fold_matches_general_rule() {
        let mut general = String::new();
        for n in (0x80..0x250).chain(0x1E00..0x1F00) {
            let Some(c) = char::from_u32(n) else { continue };
            general.clear();
            unicode_normalization::char::decompose_canonical(c, |d| push_folded(d, &mut general));
            assert_eq!(fold(&c.to_string()), general, "U+{n:04X}");
        }
    }

    #[test]
    fn nfc_pieces_match_whole_string_normalisation() {
        for s in [
            "a \u{301}b",
            "Vie\u{302}\u{323}t  Nam\n\u{323}\u{302}e",
            "\u{1E9B}\u{323} x",
            "Ω K Å ế",
        ] {
            assert_eq!(nfc(s), s.nfc().collect::<String>(), "{s:?}");
        }
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
