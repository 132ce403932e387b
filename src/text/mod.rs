//! Text services: sanitising untrusted text, NFC, folding, legacy encodings, near-duplicates.
//!
//! Pure functions only: no SQLite, no terminal. See `docs/text.md`.
//!
//! Recommended order for incoming text: [`legacy::decode_bytes`] (charset → Unicode, NFC) →
//! [`legacy::to_unicode`] (TCVN3/VNI → Unicode) → [`sanitize::clean_input`] (storage) →
//! [`fold::fold`] / [`minhash`] (search and duplicates). Anything printed goes through
//! [`sanitize::for_display`] or [`sanitize::one_line`].

pub mod fold;
pub mod legacy;
pub mod minhash;
pub mod sanitize;
pub mod syllable;

pub use fold::{fold, is_nfc, nfc, words};
