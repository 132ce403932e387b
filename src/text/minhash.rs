//! Near-duplicate fingerprints: 3-syllable shingles of the folded text, MinHash signatures and
//! LSH band keys, plus an exact-duplicate digest.
//!
//! Everything here is persisted by the store, so every hash is stable across versions and
//! platforms: xxh3 with fixed seeds and permutation constants derived from a fixed seed (never
//! `DefaultHasher`). Changing any of it changes [`PARAMS`]; the store keeps [`PARAMS`] in its meta
//! table and must recompute signatures when it differs.
//!
//! Parameters: 16 bands × 6 rows (96 permutations). A pair with Jaccard J becomes a candidate with
//! probability 1 − (1 − J⁶)¹⁶: 0.992 at J = 0.8, 0.9998 at J = 0.9, but only 0.22 at J = 0.5 and
//! 0.012 at J = 0.3. 12 × 5 catches J = 0.8 equally well (0.991) but lets through 0.32 of the
//! J = 0.5 pairs and 0.029 of the J = 0.3 pairs; every false candidate costs an exact Jaccard on
//! stored text, which dominates the 2 ms lookup budget, while 16 probes instead of 12 cost little.

use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::fold::{fold_into, words};

/// Syllables per shingle.
pub const SHINGLE: usize = 3;
/// Bands of the LSH index.
pub const BANDS: usize = 16;
/// Rows (signature values) per band.
pub const ROWS: usize = 6;
/// Permutations in a signature.
pub const NUM_PERM: usize = BANDS * ROWS;

const SHINGLE_SEED: u64 = 0x6269_656e_7461_7031; // "bientap1"
const PERM_SEED: u64 = 0x6d69_6e68_6173_6831; // "minhash1"
const BAND_SEED: u64 = 0x6c73_6862_616e_6431; // "lshband1"

/// Description of the parameters, stored by the store in its meta table.
pub const PARAMS: &str = "minhash-v1; shingles: 3 folded syllables joined by U+0020, \
xxh3_64 seed 0x6269656e74617031, sorted+dedup; signature: 96 permutations \
v=(h*a+b)>>32 with (a odd, b) from splitmix64 seed 0x6d696e6861736831; \
lsh: 16 bands x 6 rows, key=xxh3_64(6 u32 LE, seed 0x6c736862616e6431+band)";

const fn splitmix64(state: u64) -> (u64, u64) {
    let s = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (s, z ^ (z >> 31))
}

const fn perm_constants() -> ([u64; NUM_PERM], [u64; NUM_PERM]) {
    let mut a = [0u64; NUM_PERM];
    let mut b = [0u64; NUM_PERM];
    let mut st = PERM_SEED;
    let mut i = 0;
    while i < NUM_PERM {
        let (s1, x) = splitmix64(st);
        let (s2, y) = splitmix64(s1);
        st = s2;
        a[i] = x | 1;
        b[i] = y;
        i += 1;
    }
    (a, b)
}

const PERMS: ([u64; NUM_PERM], [u64; NUM_PERM]) = perm_constants();

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
    let mut folded = String::with_capacity(text.len());
    fold_into(text, &mut folded);
    // Canonical form: words joined by one space, with word end offsets.
    let mut joined = String::with_capacity(folded.len());
    let mut starts: Vec<u32> = Vec::with_capacity(folded.len() / 4);
    for w in words(&folded) {
        if !joined.is_empty() {
            joined.push(' ');
        }
        starts.push(joined.len() as u32);
        joined.push_str(w);
    }
    let n = starts.len();
    if n == 0 {
        return Vec::new();
    }
    if n < SHINGLE {
        return vec![xxh3_64_with_seed(joined.as_bytes(), SHINGLE_SEED)];
    }
    let mut out = Vec::with_capacity(n - SHINGLE + 1);
    for i in 0..=n - SHINGLE {
        let s = starts[i] as usize;
        let e = if i + SHINGLE < n {
            starts[i + SHINGLE] as usize - 1
        } else {
            joined.len()
        };
        out.push(xxh3_64_with_seed(&joined.as_bytes()[s..e], SHINGLE_SEED));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// MinHash signature of a shingle set, in one pass over the hashes with multiply-add-shift
/// permutations.
pub fn signature(shingles: &[u64]) -> Signature {
    if shingles.is_empty() {
        return Signature::empty();
    }
    let (a, b) = (&PERMS.0, &PERMS.1);
    let mut mins = [u64::MAX; NUM_PERM];
    for &h in shingles {
        for i in 0..NUM_PERM {
            let v = h.wrapping_mul(a[i]).wrapping_add(b[i]);
            if v < mins[i] {
                mins[i] = v;
            }
        }
    }
    let mut s = [0u32; NUM_PERM];
    for (o, m) in s.iter_mut().zip(mins) {
        // Keep the high half (it depends on every bit of h); u32::MAX marks "empty".
        *o = ((m >> 32) as u32).min(u32::MAX - 1);
    }
    Signature(s)
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
    let mut folded = String::with_capacity(text.len());
    fold_into(text, &mut folded);
    let mut h = Sha256::new();
    for (k, w) in folded.split_whitespace().enumerate() {
        if k > 0 {
            h.update(b" ");
        }
        h.update(w.as_bytes());
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
