//! Archives are never extracted. A ZIP's entries are listed from its central directory (with
//! limits), and the listing is checked for the known bomb shapes: overlapping entries (one
//! compressed stream referenced by many entries), an absurd compression ratio, an absurd total
//! size, or too many entries. RAR archives are recognised by their signature but not listed.

use super::message::Limits;

/// One entry of an archive's listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Sanitised display name.
    pub name: String,
    pub size: u64,
    pub compressed: u64,
}

/// What listing an archive found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub kind: &'static str,
    pub entries: Vec<Entry>,
    /// Number of entries the directory declares (may exceed `entries` when over the limit).
    pub declared: u64,
    pub total_uncompressed: u64,
    /// Flags: archive-bomb, archive-overlap, archive-too-many, archive-encrypted,
    /// archive-corrupt, archive-unlisted, archive-path (an entry name with `..` or `/` root).
    pub flags: Vec<&'static str>,
}

impl Listing {
    pub fn is_bomb(&self) -> bool {
        self.flags.contains(&"archive-bomb")
    }
}

fn u16le(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]) as u64)
}
fn u32le(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64)
}
fn u64le(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).map(|s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

/// Whether the bytes are an archive this module knows, and which.
pub fn kind_of(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some("zip")
    } else if data.starts_with(b"Rar!\x1a\x07") {
        Some("rar")
    } else {
        None
    }
}

/// List an archive. Returns `None` when the data is not an archive.
pub fn list(data: &[u8], limits: &Limits) -> Option<Listing> {
    match kind_of(data)? {
        "zip" => Some(list_zip(data, limits)),
        _ => Some(Listing {
            kind: "rar",
            flags: vec!["archive-unlisted"],
            ..Default::default()
        }),
    }
}

fn corrupt(mut l: Listing) -> Listing {
    if !l.flags.contains(&"archive-corrupt") {
        l.flags.push("archive-corrupt");
    }
    l
}

/// List a ZIP from its central directory.
pub fn list_zip(data: &[u8], limits: &Limits) -> Listing {
    let mut l = Listing {
        kind: "zip",
        ..Default::default()
    };
    // End of central directory: within the last 22 + 65535 bytes.
    let min = data.len().saturating_sub(22 + 65_535);
    let Some(eocd) = (min..data.len().saturating_sub(21))
        .rev()
        .find(|&i| data[i..i + 4] == *b"PK\x05\x06")
    else {
        return corrupt(l);
    };
    let (mut count, mut cd_size, mut cd_off) = match (
        u16le(data, eocd + 10),
        u32le(data, eocd + 12),
        u32le(data, eocd + 16),
    ) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => return corrupt(l),
    };
    // ZIP64: the locator sits just before the EOCD.
    if (count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_off == 0xFFFF_FFFF) && eocd >= 20 {
        let loc = eocd - 20;
        if data[loc..loc + 4] == *b"PK\x06\x07" {
            let z = u64le(data, loc + 8).unwrap_or(u64::MAX) as usize;
            if data.get(z..z + 4) == Some(b"PK\x06\x06") {
                count = u64le(data, z + 32).unwrap_or(0);
                cd_size = u64le(data, z + 40).unwrap_or(0);
                cd_off = u64le(data, z + 48).unwrap_or(u64::MAX);
            }
        }
    }
    l.declared = count;
    if count as usize > limits.max_archive_entries {
        l.flags.push("archive-too-many");
        l.flags.push("archive-bomb");
    }
    let cd_off = cd_off as usize;
    if cd_off > data.len() || cd_size as usize > data.len() - cd_off {
        return corrupt(l);
    }
    let mut spans: Vec<(u64, u64)> = Vec::new();
    let mut p = cd_off;
    let limit = (count as usize).min(limits.max_archive_entries);
    for _ in 0..limit {
        if data.get(p..p + 4) != Some(b"PK\x01\x02") {
            return corrupt(l);
        }
        let (
            Some(flags),
            Some(mut csize),
            Some(mut usize_),
            Some(nlen),
            Some(elen),
            Some(clen),
            Some(mut off),
        ) = (
            u16le(data, p + 8),
            u32le(data, p + 20),
            u32le(data, p + 24),
            u16le(data, p + 28),
            u16le(data, p + 30),
            u16le(data, p + 32),
            u32le(data, p + 42),
        )
        else {
            return corrupt(l);
        };
        let name_at = p + 46;
        let Some(name) = data.get(name_at..name_at + nlen as usize) else {
            return corrupt(l);
        };
        // ZIP64 extra field: the 0xFFFFFFFF fields follow in order usize, csize, offset.
        let extra_at = name_at + nlen as usize;
        if let Some(extra) = data.get(extra_at..extra_at + elen as usize) {
            let mut e = 0;
            while e + 4 <= extra.len() {
                let id = u16le(extra, e).unwrap_or(0);
                let sz = u16le(extra, e + 2).unwrap_or(0) as usize;
                if id == 1 {
                    let mut q = e + 4;
                    for field in [&mut usize_, &mut csize, &mut off] {
                        if *field == 0xFFFF_FFFF {
                            if let Some(v) = u64le(extra, q) {
                                *field = v;
                                q += 8;
                            }
                        }
                    }
                }
                e += 4 + sz;
            }
        }
        if flags & 1 == 1 && !l.flags.contains(&"archive-encrypted") {
            l.flags.push("archive-encrypted");
        }
        let raw_name = String::from_utf8_lossy(name);
        if (raw_name.contains("..") || raw_name.starts_with('/') || raw_name.contains('\\'))
            && !l.flags.contains(&"archive-path")
        {
            l.flags.push("archive-path");
        }
        // Span of the entry's local header and data, for the overlap test.
        let local_len = match (
            u16le(data, off as usize + 26),
            u16le(data, off as usize + 28),
        ) {
            (Some(n), Some(e)) => 30 + n + e,
            _ => 30,
        };
        spans.push((off, off.saturating_add(local_len).saturating_add(csize)));
        l.total_uncompressed = l.total_uncompressed.saturating_add(usize_);
        l.entries.push(Entry {
            name: crate::text::sanitize::clean_input(&raw_name).text,
            size: usize_,
            compressed: csize,
        });
        p = extra_at + elen as usize + clen as usize;
    }
    spans.sort_unstable();
    if spans.windows(2).any(|w| w[1].0 < w[0].1) {
        l.flags.push("archive-overlap");
        if !l.flags.contains(&"archive-bomb") {
            l.flags.push("archive-bomb");
        }
    }
    let ratio_bomb = l.total_uncompressed / (data.len() as u64).max(1) > limits.max_archive_ratio;
    if (ratio_bomb || l.total_uncompressed > limits.max_archive_total)
        && !l.flags.contains(&"archive-bomb")
    {
        l.flags.push("archive-bomb");
    }
    l
}

/// A minimal ZIP writer for tests and fixtures: stored entries (no compression), optionally
/// with declared sizes that lie (to model bombs without writing gigabytes).
pub fn build_zip(entries: &[(&str, &[u8], Option<u64>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for (name, data, declared) in entries {
        let off = out.len() as u32;
        let crc = 0u32;
        let size = data.len() as u32;
        let usize_ = declared
            .map(|d| d.min(u32::MAX as u64 - 1) as u32)
            .unwrap_or(size);
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&usize_.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        cd.extend_from_slice(b"PK\x01\x02");
        cd.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        cd.extend_from_slice(&crc.to_le_bytes());
        cd.extend_from_slice(&size.to_le_bytes());
        cd.extend_from_slice(&usize_.to_le_bytes());
        cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
        cd.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        cd.extend_from_slice(&off.to_le_bytes());
        cd.extend_from_slice(name.as_bytes());
    }
    let cd_off = out.len() as u32;
    let n = entries.len() as u16;
    out.extend_from_slice(&cd);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_off.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A ZIP whose entries all point at the same local data (the overlapping-entries bomb).
pub fn build_overlapping_zip(n: usize) -> Vec<u8> {
    let mut z = build_zip(&[("a.txt", b"hello hello hello", None)]);
    // Rewrite: duplicate the single central directory entry n times.
    let eocd = z.len() - 22;
    let cd_off = u32le(&z, eocd + 16).unwrap_or(0) as usize;
    let entry = z[cd_off..eocd].to_vec();
    z.truncate(cd_off);
    for _ in 0..n {
        z.extend_from_slice(&entry);
    }
    let cd_len = (entry.len() * n) as u32;
    z.extend_from_slice(b"PK\x05\x06");
    z.extend_from_slice(&[0, 0, 0, 0]);
    z.extend_from_slice(&(n as u16).to_le_bytes());
    z.extend_from_slice(&(n as u16).to_le_bytes());
    z.extend_from_slice(&cd_len.to_le_bytes());
    z.extend_from_slice(&(cd_off as u32).to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> Limits {
        Limits {
            max_message_bytes: 1 << 20,
            max_header_line: 1000,
            max_parts: 50,
            max_attachment_bytes: 1 << 20,
            max_archive_entries: 100,
            max_archive_ratio: 100,
            max_archive_total: 1 << 30,
        }
    }

    #[test]
    fn lists_a_plain_zip() {
        let z = build_zip(&[("bao-cao.doc", b"abc", None), ("anh.jpg", b"defg", None)]);
        let l = list(&z, &lim()).unwrap();
        assert_eq!(l.entries.len(), 2);
        assert_eq!(l.entries[1].name, "anh.jpg");
        assert_eq!(l.total_uncompressed, 7);
        assert!(l.flags.is_empty(), "{:?}", l.flags);
    }

    #[test]
    fn overlap_is_a_bomb() {
        let l = list(&build_overlapping_zip(10), &lim()).unwrap();
        assert!(l.flags.contains(&"archive-overlap"));
        assert!(l.is_bomb());
    }

    #[test]
    fn ratio_is_a_bomb() {
        let z = build_zip(&[("x", b"0000000000", Some(4_000_000_000))]);
        assert!(list(&z, &lim()).unwrap().is_bomb());
    }

    #[test]
    fn truncated_zip_is_corrupt_not_a_panic() {
        let z = build_zip(&[("x", b"0000000000", None)]);
        for cut in 0..z.len() {
            let _ = list(&z[..cut], &lim());
        }
        let l = list(&z[..z.len() - 5], &lim()).unwrap();
        assert!(l.flags.contains(&"archive-corrupt"));
    }
}
