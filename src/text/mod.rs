//! Text services: sanitising untrusted text, NFC, folding, legacy encodings, near-duplicates.
