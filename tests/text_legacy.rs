//! Legacy encodings on real Vietnamese passages (excerpts of the seed regulations): encode to
//! TCVN3 and VNI through the complete tables, detect, decode back without loss.

use bientap::text::fold::nfc;
use bientap::text::legacy::{
    decode, decode_bytes, detect, encode_tcvn3, encode_vni, letter_table, to_unicode, Encoding,
};

const PASSAGES: [(&str, &str); 3] = [
    ("seed_000", include_str!("fixtures/text/seed_000.txt")),
    ("seed_002", include_str!("fixtures/text/seed_002.txt")),
    ("seed_004", include_str!("fixtures/text/seed_004.txt")),
];

/// Toned capitals are the letters TCVN3 cannot write (they reuse the lowercase bytes).
fn is_toned_capital(c: char) -> bool {
    c.is_uppercase()
        && letter_table()
            .iter()
            .any(|(l, t, _)| *l == c && t.chars().all(|g| g.is_lowercase() || !g.is_alphabetic()))
}

#[test]
fn vni_round_trip_is_exact() {
    for (name, p) in PASSAGES {
        let original = nfc(p);
        let legacy = encode_vni(&original);
        assert_ne!(legacy, original);
        let d = detect(&legacy, None);
        assert_eq!(d.encoding, Encoding::Vni, "{name}: {}", d.evidence);
        assert!(d.confidence > 0.8, "{name}: {d:?}");
        eprintln!("{name}: {}", d.evidence);
        let c = to_unicode(&legacy, None);
        assert!(c.converted);
        assert_eq!(c.from, Encoding::Vni);
        assert_eq!(c.text, original, "{name}");
    }
}

#[test]
fn tcvn3_round_trip_loses_only_mid_sentence_toned_capitals() {
    for (name, p) in PASSAGES {
        let original = nfc(p);
        let legacy = encode_tcvn3(&original);
        let d = detect(&legacy, None);
        assert_eq!(d.encoding, Encoding::Tcvn3, "{name}: {}", d.evidence);
        assert!(d.confidence > 0.8, "{name}: {d:?}");
        let c = to_unicode(&legacy, None);
        assert!(c.converted);
        let (o, r): (Vec<char>, Vec<char>) = (original.chars().collect(), c.text.chars().collect());
        assert_eq!(o.len(), r.len(), "{name}");
        let mut lost = 0;
        for i in 0..o.len() {
            if o[i] == r[i] {
                continue;
            }
            let word_start = i == 0 || !o[i - 1].is_alphanumeric();
            let lowered = o[i].to_lowercase().eq(std::iter::once(r[i]));
            assert!(
                word_start && lowered && is_toned_capital(o[i]),
                "{name}: unexpected change at {i}: {:?} → {:?} in {:?}",
                o[i],
                r[i],
                o[i.saturating_sub(20)..(i + 20).min(o.len())]
                    .iter()
                    .collect::<String>()
            );
            lost += 1;
        }
        eprintln!(
            "{name}: {lost} toned capital initials lowered in {} chars; {}",
            o.len(),
            d.evidence
        );
        // Headings in capitals and sentence starts are restored; only a few initials are lost.
        assert!(lost * 200 < o.len(), "{name}: {lost} capitals lost");
    }
}

#[test]
fn font_hint_decides_and_all_caps_fonts_uppercase() {
    let original = nfc(PASSAGES[0].1);
    let legacy = encode_tcvn3(&original);
    let c = to_unicode(&legacy, Some(".VnTime"));
    assert_eq!(c.from, Encoding::Tcvn3);
    assert!(c.evidence.contains("hint=TCVN3"), "{}", c.evidence);
    let caps = to_unicode(&encode_tcvn3("quyết định"), Some(".VnTimeH"));
    assert_eq!(caps.text, "QUYẾT ĐỊNH");
    // A stale font name on a document already in Unicode does not convert it.
    let stale = to_unicode(&original, Some(".VnTime"));
    assert!(!stale.converted);
    assert_eq!(stale.text, original);
    let stale_vni = to_unicode(&original, Some("VNI-Times"));
    assert!(!stale_vni.converted);
}

#[test]
fn unicode_english_and_ascii_are_never_converted() {
    for (name, p) in PASSAGES {
        let d = detect(p, None);
        assert_eq!(d.encoding, Encoding::Unicode, "{name}");
        let c = to_unicode(p, None);
        assert!(!c.converted, "{name}");
        assert_eq!(c.text, nfc(p), "{name}");
    }
    for s in [
        "The committee met on Monday; the minutes follow.",
        "Café naïve Müller Señor façade — déjà vu, Ærøskøbing, Straße, Zürich.",
        "Prix: 12,50 € · 3 × 4 ± 1 ° © ® « quoted »",
        "",
        "QĐ-TTg 72/2002",
    ] {
        let c = to_unicode(s, None);
        assert!(!c.converted, "{s}: {}", c.evidence);
        assert_eq!(c.text, s);
    }
}

#[test]
fn short_legacy_subjects_are_detected() {
    let t = to_unicode("Th«ng b¸o vÒ viÖc tæ chøc héi nghÞ", None);
    assert_eq!(t.from, Encoding::Tcvn3, "{}", t.evidence);
    assert_eq!(t.text, "Thông báo về việc tổ chức hội nghị");
    let v = to_unicode("Thoâng baùo veà vieäc toå chöùc hoäi nghò", None);
    assert_eq!(v.from, Encoding::Vni, "{}", v.evidence);
    assert_eq!(v.text, "Thông báo về việc tổ chức hội nghị");
}

#[test]
fn text_read_as_latin1_is_repaired_through_cp1252() {
    // Legacy text whose bytes went through latin-1 keeps only Latin-1 glyphs; the decoder treats
    // any C1 character as the windows-1252 glyph of the same byte.
    let s = "ViÖt Nam \u{85}";
    assert_eq!(decode(s, Encoding::Tcvn3), "Việt Nam …");
}

#[test]
fn nfd_input_is_normalised() {
    let c = to_unicode("To\u{302}\u{309} ho\u{31B}\u{323}p", None);
    assert!(!c.converted);
    assert_eq!(c.text, "Tổ hợp");
}

#[test]
fn decode_bytes_by_charset() {
    // windows-1258 writes tones as combining marks: ệ = ê + dot below (0xF2), ờ = ơ + grave.
    assert_eq!(decode_bytes(b"Vi\xEA\xF2t", Some("windows-1258")), "Việt");
    assert_eq!(
        decode_bytes(b"ng\xFD\xF5\xCCi", Some("windows-1258")),
        "người"
    );
    assert_eq!(decode_bytes("Việt".as_bytes(), None), "Việt");
    assert_eq!(decode_bytes("Việt".as_bytes(), Some("UTF-8")), "Việt");
    assert_eq!(decode_bytes(b"caf\xE9", None), "café");
    assert_eq!(decode_bytes(b"Vi\xD6t", Some("x-viet-tcvn")), "Việt");
    assert_eq!(decode_bytes(b"Vie\xE4t", Some("vni")), "Việt");
    assert_eq!(decode_bytes(b"caf\xE9", Some("no-such-charset")), "café");
}

#[test]
fn every_letter_round_trips_in_context() {
    for (letter, t, v) in letter_table() {
        // Mid-word, lowercase context for lowercase letters; all-caps context for capitals.
        let word = if letter.is_uppercase() {
            format!("X{letter}NG")
        } else {
            format!("x{letter}ng")
        };
        let sentence = format!("và {word}");
        assert_eq!(
            decode(&encode_vni(&sentence), Encoding::Vni),
            sentence,
            "VNI {v}"
        );
        assert_eq!(
            decode(&encode_tcvn3(&sentence), Encoding::Tcvn3),
            sentence,
            "TCVN3 {t}"
        );
    }
}
