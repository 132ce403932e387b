//! Near-duplicate fingerprints: 3-syllable shingles of the folded text, MinHash signatures and
//! LSH band keys, plus an exact-duplicate digest.
//!
//! Everything here is persisted by the store, so every hash is stable across versions and
//! platforms: xxh3 with fixed seeds (never `DefaultHasher`). Changing any of it changes [`PARAMS`]; the store keeps [`PARAMS`] in its meta
//! table and must recompute signatures when it differs.
//!
//! Parameters: 16 bands × 6 rows (96 signature values, by one-permutation hashing). A pair with Jaccard J becomes a candidate with
//! probability 1 − (1 − J⁶)¹⁶: 0.992 at J = 0.8, 0.9998 at J = 0.9, but only 0.22 at J = 0.5 and
//! 0.012 at J = 0.3. 12 × 5 catches J = 0.8 equally well (0.991) but lets through 0.32 of the
//! J = 0.5 pairs and 0.029 of the J = 0.3 pairs; every false candidate costs an exact Jaccard on
//! stored text, which dominates the 2 ms lookup budget, while 16 probes instead of 12 cost little.

use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::fold::fold_each;

/// Syllables per shingle.
pub const SHINGLE: usize = 3;
/// Bands of the LSH index.
pub const BANDS: usize = 16;
/// Rows (signature values) per band.
pub const ROWS: usize = 6;
/// Values (bins) in a signature.
pub const NUM_PERM: usize = BANDS * ROWS;

const SHINGLE_SEED: u64 = 0x6269_656e_7461_7031; // "bientap1"
const DENSIFY_SEED: u64 = 0x6d69_6e68_6173_6832; // "minhash2"
const BAND_SEED: u64 = 0x6c73_6862_616e_6431; // "lshband1"

/// Description of the parameters, stored by the store in its meta table.
pub const PARAMS: &str = "minhash-v1; shingles: 3 folded syllables joined by U+0020, \
xxh3_64 seed 0x6269656e74617031, sorted+dedup; signature: one-permutation hashing, 96 bins \
(bin=(h>>32)*96>>32, value=low 32 bits, min), optimal densification probes \
xxh3_64(bin LE u64, seed 0x6d696e6861736832^attempt); \
lsh: 16 bands x 6 rows, key=xxh3_64(6 u32 LE, seed 0x6c736862616e6431+band)";

/// A MinHash signature: for each permutation, the minimum over the shingles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub [u32; NUM_PERM]);

impl Signature {
    /// The signature of an empty shingle set (no band keys: empty texts are nobody's duplicate).
    pub fn empty() -> Self {
        Signature([u32::MAX; NUM_PERM])
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&v| v == u32::MAX)
    }

    /// Little-endian bytes, for storage (4 × [`NUM_PERM`] bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// Inverse of [`Signature::to_bytes`]; `None` if the length is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 4 * NUM_PERM {
            return None;
        }
        let mut s = [0u32; NUM_PERM];
        for (v, c) in s.iter_mut().zip(bytes.chunks_exact(4)) {
            *v = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        Some(Signature(s))
    }
}

/// Shingle hashes of `text`: fold, split into words, hash each run of [`SHINGLE`] consecutive
/// words joined by single spaces; sorted and deduplicated. A text of 1–2 words yields one
/// shingle of all of them; an empty text none.
pub fn shingles(text: &str) -> Vec<u64> {
    let mut w = Words::with_capacity(text.len());
    fold_each(text, |c| w.push(c));
    w.shingles()
}

/// Exact-duplicate digest and shingles of one text, folding it once (what import needs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// [`content_digest`] of the text.
    pub digest: String,
    /// [`shingles`] of the text.
    pub shingles: Vec<u64>,
}

/// [`content_digest`] and [`shingles`] in one pass of folding.
pub fn fingerprint(text: &str) -> Fingerprint {
    fingerprint_and_words(text).0
}

/// [`fingerprint`], and the folded words of `text` (split where the search index splits them),
/// from the same pass: the importer gives them to the search index without folding again.
pub fn fingerprint_and_words(text: &str) -> (Fingerprint, FoldedWords) {
    fingerprint_words_into(text, None)
}

/// [`fingerprint_and_words`], also appending the folded text ([`super::fold::fold`] of
/// `text`) to `folded`, from the same pass.
pub fn fingerprint_words_and_fold(text: &str, folded: &mut String) -> (Fingerprint, FoldedWords) {
    fingerprint_words_into(text, Some(folded))
}

fn fingerprint_words_into(
    text: &str,
    mut folded: Option<&mut String>,
) -> (Fingerprint, FoldedWords) {
    let mut w = Words::with_capacity(text.len());
    let mut norm: Vec<u8> = Vec::with_capacity(text.len());
    let mut space = false;
    if let Some(f) = folded.as_deref_mut() {
        f.reserve(text.len());
    }
    // What `Words::push` and `Normalised::push` do, for a folded ASCII character; others go
    // through them.
    super::fold::fold_each_bytes(text, |c| {
        if let Some(f) = folded.as_deref_mut() {
            f.push(c);
        }
        if !c.is_ascii() {
            w.push(c);
            if c.is_whitespace() {
                space = true;
            } else {
                if space && !norm.is_empty() {
                    norm.push(b' ');
                }
                space = false;
                norm.extend_from_slice(c.encode_utf8(&mut [0u8; 4]).as_bytes());
            }
            return;
        }
        let b = c as u8;
        match b {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => {
                if !w.in_word {
                    if !w.joined.is_empty() {
                        w.joined.push(b' ');
                    }
                    w.starts.push(w.joined.len() as u32);
                    w.in_word = true;
                }
                w.joined.push(b);
                if space && !norm.is_empty() {
                    norm.push(b' ');
                }
                space = false;
                norm.push(b);
            }
            // char::is_whitespace of ASCII.
            b' ' | b'\t'..=b'\r' => {
                w.in_word = false;
                space = true;
            }
            _ => {
                w.in_word = false;
                if space && !norm.is_empty() {
                    norm.push(b' ');
                }
                space = false;
                norm.push(b);
            }
        }
    });
    let fp = Fingerprint {
        digest: hex::encode(Sha256::digest(&norm)),
        shingles: w.shingles(),
    };
    (fp, FoldedWords(w))
}

/// [`fingerprint_and_words`] as it was, through `fold_each` and the `push` methods: the
/// reference for the tests.
#[cfg(test)]
fn fingerprint_and_words_reference(text: &str) -> (Fingerprint, FoldedWords) {
    let mut w = Words::with_capacity(text.len());
    let mut norm = Normalised::with_capacity(text.len());
    fold_each(text, |c| {
        w.push(c);
        norm.push(c);
    });
    let fp = Fingerprint {
        digest: norm.digest(),
        shingles: w.shingles_reference(),
    };
    (fp, FoldedWords(w))
}

/// The folded words of a text, in order.
pub struct FoldedWords(Words);

impl FoldedWords {
    pub fn len(&self) -> usize {
        self.0.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.starts.is_empty()
    }

    /// Words from the `skip`-th on, each once (first occurrence order), space-separated.
    pub fn unique_from(&self, skip: usize) -> String {
        let (bytes, starts) = (&self.0.joined, &self.0.starts);
        let mut seen = super::fold::WordSet::new();
        let mut out = Vec::with_capacity(
            bytes
                .len()
                .saturating_sub(starts.get(skip).map_or(bytes.len(), |&s| s as usize)),
        );
        for (k, &s) in starts.iter().enumerate().skip(skip) {
            // Words are separated by one space: a word ends where the next one's space is.
            let e = starts.get(k + 1).map_or(bytes.len(), |&n| n as usize - 1);
            let w = &bytes[s as usize..e];
            if seen.insert_in(bytes, s as usize, e) {
                if !out.is_empty() {
                    out.push(b' ');
                }
                out.extend_from_slice(w);
            }
        }
        // Whole words of Strings joined by ASCII spaces: valid UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// [`FoldedWords::unique_from`] as it was: split the joined words and de-duplicate them
    /// with [`super::fold::join_unique`].
    #[cfg(test)]
    fn unique_from_reference(&self, skip: usize) -> String {
        let joined = std::str::from_utf8(&self.0.joined).unwrap_or_default();
        super::fold::reference::join_unique(joined.split(' ').filter(|w| !w.is_empty()).skip(skip))
    }
}

/// Folded words joined by single spaces (UTF-8 bytes), with the start offset of each word.
struct Words {
    joined: Vec<u8>,
    starts: Vec<u32>,
    in_word: bool,
}

impl Words {
    fn with_capacity(n: usize) -> Self {
        Words {
            joined: Vec::with_capacity(n),
            starts: Vec::with_capacity(n / 4),
            in_word: false,
        }
    }

    #[inline(always)]
    fn push(&mut self, c: char) {
        let alnum = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        if !alnum {
            self.in_word = false;
            return;
        }
        if !self.in_word {
            if !self.joined.is_empty() {
                self.joined.push(b' ');
            }
            self.starts.push(self.joined.len() as u32);
            self.in_word = true;
        }
        if c.is_ascii() {
            self.joined.push(c as u8);
        } else {
            let mut buf = [0u8; 4];
            self.joined
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }

    /// [`Words::shingles`] with `sort_unstable` + `dedup`.
    #[cfg(test)]
    fn shingles_reference(&self) -> Vec<u64> {
        let mut out = self.shingle_hashes();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn shingles(&self) -> Vec<u64> {
        sort_dedup(self.shingle_hashes())
    }

    /// The hash of every run of [`SHINGLE`] words, in text order (with repeats).
    fn shingle_hashes(&self) -> Vec<u64> {
        let (bytes, starts) = (&self.joined, &self.starts);
        let n = starts.len();
        if n == 0 {
            return Vec::new();
        }
        if n < SHINGLE {
            return vec![xxh3_64_with_seed(bytes, SHINGLE_SEED)];
        }
        let mut out = Vec::with_capacity(n - SHINGLE + 1);
        for i in 0..=n - SHINGLE {
            let s = starts[i] as usize;
            let e = if i + SHINGLE < n {
                starts[i + SHINGLE] as usize - 1
            } else {
                bytes.len()
            };
            out.push(xxh3_64_with_seed(&bytes[s..e], SHINGLE_SEED));
        }
        out
    }
}

/// `v` sorted and deduplicated, for hash values (uniform bits): a counting pass scatters them
/// into about `v.len()` buckets by their top bits, so each bucket holds a few values left to sort.
/// Same result as `sort_unstable` + `dedup` on any input; skewed input only costs the sort.
fn sort_dedup(mut v: Vec<u64>) -> Vec<u64> {
    let n = v.len();
    if n < 64 {
        v.sort_unstable();
        v.dedup();
        return v;
    }
    let bits = usize::BITS - n.leading_zeros();
    let shift = 64 - bits;
    let mut starts = vec![0u32; (1usize << bits) + 1];
    for &h in &v {
        starts[(h >> shift) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut next = starts.clone();
    let mut out = vec![0u64; n];
    for &h in &v {
        let b = (h >> shift) as usize;
        out[next[b] as usize] = h;
        next[b] += 1;
    }
    for b in starts.windows(2) {
        let bucket = &mut out[b[0] as usize..b[1] as usize];
        if bucket.len() > 1 {
            bucket.sort_unstable();
        }
    }
    out.dedup();
    out
}

/// Folded text with whitespace runs collapsed to one space and trimmed.
struct Normalised {
    text: String,
    space: bool,
}

impl Normalised {
    fn with_capacity(n: usize) -> Self {
        Normalised {
            text: String::with_capacity(n),
            space: false,
        }
    }

    #[inline]
    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.space = true;
        } else {
            if self.space && !self.text.is_empty() {
                self.text.push(' ');
            }
            self.space = false;
            self.text.push(c);
        }
    }

    fn digest(self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

/// MinHash signature of a shingle set by one-permutation hashing with optimal densification
/// (Shrivastava 2017): each shingle hash is visited once; its high 32 bits choose one of the
/// [`NUM_PERM`] bins, its low 32 bits compete for the bin's minimum. An empty bin (short texts)
/// borrows the value of the first non-empty bin on a fixed pseudo-random probe sequence, which is
/// the same for every document, so two texts agree on a bin with probability J as with
/// [`NUM_PERM`] independent permutations, at a fraction of the cost (O(n + k) instead of O(n·k)).
pub fn signature(shingles: &[u64]) -> Signature {
    if shingles.is_empty() {
        return Signature::empty();
    }
    let mut bins = [u32::MAX; NUM_PERM];
    let mut filled = [false; NUM_PERM];
    for &h in shingles {
        let bin = (((h >> 32) * NUM_PERM as u64) >> 32) as usize;
        // u32::MAX is reserved for "empty".
        let v = (h as u32).min(u32::MAX - 1);
        filled[bin] = true;
        if v < bins[bin] {
            bins[bin] = v;
        }
    }
    let mut out = bins;
    for (i, o) in out.iter_mut().enumerate() {
        if filled[i] {
            continue;
        }
        let mut attempt = 0u64;
        loop {
            let probe = xxh3_64_with_seed(&(i as u64).to_le_bytes(), DENSIFY_SEED ^ attempt);
            let j = (((probe >> 32) * NUM_PERM as u64) >> 32) as usize;
            if filled[j] {
                *o = bins[j];
                break;
            }
            attempt += 1;
        }
    }
    Signature(out)
}

/// LSH band keys (one per band, band index mixed into the seed), to be stored as
/// `(key, item_id)`. Empty for an empty signature.
pub fn band_keys(sig: &Signature) -> Vec<u64> {
    if sig.is_empty() {
        return Vec::new();
    }
    let mut keys = Vec::with_capacity(BANDS);
    let mut buf = [0u8; ROWS * 4];
    for (band, rows) in sig.0.chunks_exact(ROWS).enumerate() {
        for (k, v) in rows.iter().enumerate() {
            buf[k * 4..k * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        keys.push(xxh3_64_with_seed(&buf, BAND_SEED.wrapping_add(band as u64)));
    }
    keys
}

/// Exact Jaccard similarity of two sorted, deduplicated shingle sets (0.0 if both are empty).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    inter as f64 / (a.len() + b.len() - inter) as f64
}

/// Jaccard estimated from two signatures (share of equal positions).
pub fn estimate(a: &Signature, b: &Signature) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let eq = a.0.iter().zip(&b.0).filter(|(x, y)| x == y).count();
    eq as f64 / NUM_PERM as f64
}

/// Whether two signatures share a band key (an LSH candidate pair).
pub fn is_candidate(a: &Signature, b: &Signature) -> bool {
    let (ka, kb) = (band_keys(a), band_keys(b));
    ka.iter().zip(&kb).any(|(x, y)| x == y)
}

/// SHA-256 (hex) of the folded text with whitespace runs collapsed to one space, trimmed: equal
/// digests mean the same text up to case, diacritics, Unicode form and spacing.
pub fn content_digest(text: &str) -> String {
    let mut norm = Normalised::with_capacity(text.len());
    fold_each(text, |c| norm.push(c));
    norm.digest()
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_after_the_title_are_what_the_search_index_gets_for_the_body() {
        let cases = [
            (
                "Tin số 12",
                "Đảng ủy xã họp. Đảng ủy (xã) ra nghị quyết số 12/NQ-ĐU",
            ),
            ("", "ĐẠI HỘI — đại hội; ½ nhiệm kỳ 2025–2030, 2025"),
            ("Thông báo", ""),
            ("Q&A: hỏi-đáp", "hỏi đáp\n\nhỏi   đáp\tHỎI ĐÁP"),
        ];
        for (title, body) in cases {
            let (fp, w) = fingerprint_and_words(&format!("{title}\n{body}"));
            assert_eq!(fp, fingerprint(&format!("{title}\n{body}")));
            let title_words = crate::text::fold::fold(title)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .count();
            assert_eq!(
                w.unique_from(title_words),
                crate::store::index_words(&format!("\n{body}")),
                "{title:?} / {body:?}"
            );
        }
    }

    use super::*;
    use crate::text::fold::testgen;
    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn unique_from_equals_the_reference(s in testgen::text(200), skip in 0usize..8) {
            let (_, w) = fingerprint_and_words(&s);
            proptest::prop_assert_eq!(w.unique_from(skip), w.unique_from_reference(skip));
        }
    }

    proptest::proptest! {
        #[test]
        fn sort_dedup_equals_sort_and_dedup(
            v in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::u64::ANY,
                    0u64..16,
                    (0u64..4).prop_map(|x| x << 62),
                    (0u64..8).prop_map(|x| u64::MAX - x),
                ],
                0..3000,
            )
        ) {
            let mut r = v.clone();
            r.sort_unstable();
            r.dedup();
            proptest::prop_assert_eq!(sort_dedup(v), r);
        }
    }

    /// The fast pass equals the reference.
    fn same_as_reference(
        t: &str,
    ) -> Result<(Fingerprint, FoldedWords), proptest::test_runner::TestCaseError> {
        let (fp, w) = fingerprint_and_words(t);
        let (rfp, rw) = fingerprint_and_words_reference(t);
        proptest::prop_assert_eq!(&fp, &rfp);
        proptest::prop_assert_eq!(&w.0.joined, &rw.0.joined);
        proptest::prop_assert_eq!(&w.0.starts, &rw.0.starts);
        Ok((fp, w))
    }

    /// [`same_as_reference`], and the other entry points agree with it.
    fn same(t: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let (fp, w) = same_as_reference(t)?;
        // The public one-purpose functions agree with it.
        proptest::prop_assert_eq!(&fp.digest, &content_digest(t));
        proptest::prop_assert_eq!(&fp.shingles, &shingles(t));
        // With the folded text on the side: the same, and the text is `fold`'s.
        let mut folded = String::from("kept ");
        let (ffp, fw) = fingerprint_words_and_fold(t, &mut folded);
        proptest::prop_assert_eq!(&ffp, &fp);
        proptest::prop_assert_eq!(&fw.0.joined, &w.0.joined);
        proptest::prop_assert_eq!(folded, format!("kept {}", crate::text::fold::fold(t)));
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn fingerprint_and_words_equal_the_reference(s in testgen::text(200)) {
            same(&s)?;
        }
    }

    #[test]
    fn fingerprint_and_words_equal_the_reference_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for t in [format!("Việt {c}x"), format!("{c}{c} a b"), c.to_string()] {
                if let Err(e) = same_as_reference(&t) {
                    panic!("U+{:04X}: {e}", c as u32);
                }
            }
        }
    }

    #[test]
    fn fingerprint_and_words_equal_the_reference_on_the_corpus() {
        for s in testgen::corpus(10) {
            if let Err(e) = same(&s) {
                panic!("{e}");
            }
        }
    }

    #[test]
    fn unique_from_equals_the_reference_on_the_corpus() {
        for s in testgen::corpus(10) {
            let (_, w) = fingerprint_and_words(&s);
            for skip in [0, 1, 3, w.len(), w.len() + 1] {
                assert_eq!(w.unique_from(skip), w.unique_from_reference(skip));
            }
        }
    }

    #[test]
    fn shingles_are_folded_and_stable() {
        let a = shingles("Quyết định số 117, ngày 02");
        let b = shingles("QUYET  dinh so 117 ngay 02");
        assert_eq!(a, b);
        assert_eq!(a.len(), 4);
        // Pinned value: a change here silently invalidates every stored signature.
        assert_eq!(
            shingles("một hai ba"),
            vec![xxh3_64_with_seed(b"mot hai ba", SHINGLE_SEED)]
        );
        assert!(shingles("  ... ").is_empty());
        assert_eq!(shingles("hai từ").len(), 1);
    }

    #[test]
    fn signature_and_bands() {
        let s = shingles("Thông tin cung cấp trên Trang thông tin điện tử phải phù hợp");
        let sig = signature(&s);
        assert!(!sig.is_empty());
        assert_eq!(band_keys(&sig).len(), BANDS);
        assert_eq!(Signature::from_bytes(&sig.to_bytes()), Some(sig.clone()));
        assert_eq!(estimate(&sig, &sig), 1.0);
        assert!(band_keys(&signature(&[])).is_empty());
        // A one-shingle text fills every bin by densification.
        let one = signature(&[0xDEAD_BEEF_u64 << 20]);
        assert!(one.0.iter().all(|&v| v == one.0[0] && v != u32::MAX));
        // Same rows in different bands give different keys.
        let flat = Signature([7; NUM_PERM]);
        let k = band_keys(&flat);
        assert_ne!(k[0], k[1]);
    }

    #[test]
    fn exact_jaccard() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1], &[1]), 1.0);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }

    #[test]
    fn digest_ignores_case_marks_and_spacing() {
        assert_eq!(
            content_digest("Quyết  định\nsố 1"),
            content_digest(" quyet dinh so 1 ")
        );
        assert_ne!(
            content_digest("quyết định số 1"),
            content_digest("quyết định số 2")
        );
        assert_eq!(content_digest("").len(), 64);
        let t = "Quyết định số 117/QĐ-CTHADS ngày 02 tháng 02";
        let f = fingerprint(t);
        assert_eq!(f.digest, content_digest(t));
        assert_eq!(f.shingles, shingles(t));
    }
}
