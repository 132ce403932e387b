//! Legacy Vietnamese encodings: TCVN3 (ABC, `.Vn*` fonts) and VNI (`VNI-*` fonts).
//!
//! Legacy documents arrive as text a mail parser produced by reading the legacy bytes as
//! windows-1252 (or latin-1): "Việt" written in TCVN3 arrives as "ViÖt", in VNI as "Vieät".
//! [`detect`] decides per document (never per character: TCVN3 "ñ" is ủ, VNI "ñ" is đ) and
//! [`decode`] / [`to_unicode`] convert to NFC Unicode. [`encode_tcvn3`] / [`encode_vni`] produce
//! the legacy glyph strings (tests, benchmark generator).
//!
//! TCVN3 has no toned capitals: `.VnTimeH`-style fonts draw the lowercase bytes as capitals. The
//! encoder therefore writes toned capitals with the lowercase bytes, and the decoder restores case
//! per word: a word with a lowercase letter is lowercase; a word whose letters beyond the first are
//! capitals is all capitals; a word with no evidence (e.g. "§Ò") takes the case of its nearest
//! decided neighbour on the same line; a lowercase word starting a line or a sentence gets a
//! capital initial. If every font in the hint is an `…H` font, the whole text is uppercased.
//! What remains lost is a toned capital initial in the middle of a sentence ("… của Ủy ban" comes
//! back as "… của ủy ban"); see `docs/text.md`.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use super::fold::nfc;
use super::syllable;
use crate::i18n::Lang;

/// Text encoding of a document's Vietnamese letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Unicode,
    Tcvn3,
    Vni,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Unicode => "Unicode",
            Encoding::Tcvn3 => "TCVN3",
            Encoding::Vni => "VNI",
        }
    }
}

/// Outcome of [`detect`].
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub encoding: Encoding,
    /// 0.0 ..= 1.0.
    pub confidence: f32,
    /// Compact, language-neutral account of the signals (kept in the audit note).
    pub evidence: String,
    /// Number of legacy marker glyphs seen.
    pub markers: usize,
    /// Share of valid syllables among the words containing non-ASCII characters, read as
    /// Unicode, TCVN3 and VNI (in that order).
    pub scores: [f32; 3],
    /// Encoding suggested by font names in the hint, if any.
    pub hinted: Option<Encoding>,
}

impl Detection {
    /// A sentence for the user, in their language.
    pub fn describe(&self, lang: Lang) -> String {
        let [u, t, v] = self.scores.map(|s| (s * 100.0).round() as u32);
        let enc = self.encoding.name();
        let m = self.markers;
        crate::tr!(
            lang,
            "Bảng mã: {enc} (độ tin cậy {conf}%). {m} ký tự đặc trưng của bảng mã cũ; âm tiết hợp lệ khi đọc theo Unicode {u}%, TCVN3 {t}%, VNI {v}%.{hint}",
            "Encoding: {enc} (confidence {conf}%). {m} legacy marker glyphs; valid syllables read as Unicode {u}%, TCVN3 {t}%, VNI {v}%.{hint}",
            conf = (self.confidence * 100.0).round() as u32,
            hint = match (self.hinted, lang) {
                (Some(h), Lang::Vi) => format!(" Phông chữ gợi ý {}.", h.name()),
                (Some(h), Lang::En) => format!(" Font names suggest {}.", h.name()),
                (None, _) => String::new(),
            }
        )
    }
}

/// Outcome of [`to_unicode`].
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// NFC Unicode text.
    pub text: String,
    /// Encoding the input was read as.
    pub from: Encoding,
    /// Whether a legacy conversion was applied.
    pub converted: bool,
    pub evidence: String,
}

// ---------------------------------------------------------------------------------------------
// Tables. Order of tones in each row: none, huyền (grave), sắc (acute), hỏi (hook), ngã (tilde),
// nặng (dot below).

/// Unicode lowercase letters by vowel family.
const FAMILIES: [[char; 6]; 12] = [
    ['a', 'à', 'á', 'ả', 'ã', 'ạ'],
    ['ă', 'ằ', 'ắ', 'ẳ', 'ẵ', 'ặ'],
    ['â', 'ầ', 'ấ', 'ẩ', 'ẫ', 'ậ'],
    ['e', 'è', 'é', 'ẻ', 'ẽ', 'ẹ'],
    ['ê', 'ề', 'ế', 'ể', 'ễ', 'ệ'],
    ['i', 'ì', 'í', 'ỉ', 'ĩ', 'ị'],
    ['o', 'ò', 'ó', 'ỏ', 'õ', 'ọ'],
    ['ô', 'ồ', 'ố', 'ổ', 'ỗ', 'ộ'],
    ['ơ', 'ờ', 'ớ', 'ở', 'ỡ', 'ợ'],
    ['u', 'ù', 'ú', 'ủ', 'ũ', 'ụ'],
    ['ư', 'ừ', 'ứ', 'ử', 'ữ', 'ự'],
    ['y', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
];

/// TCVN3 (TCVN 5712:1993, VN3) bytes, shown as the windows-1252 glyphs, for the letters above.
const TCVN3_LOWER: [[char; 6]; 12] = [
    ['a', '\u{B5}', '\u{B8}', '\u{B6}', '\u{B7}', '\u{B9}'],
    ['\u{A8}', '\u{BB}', '\u{BE}', '\u{BC}', '\u{BD}', '\u{C6}'],
    ['\u{A9}', '\u{C7}', '\u{CA}', '\u{C8}', '\u{C9}', '\u{CB}'],
    ['e', '\u{CC}', '\u{D0}', '\u{CE}', '\u{CF}', '\u{D1}'],
    ['\u{AA}', '\u{D2}', '\u{D5}', '\u{D3}', '\u{D4}', '\u{D6}'],
    ['i', '\u{D7}', '\u{DD}', '\u{D8}', '\u{DC}', '\u{DE}'],
    ['o', '\u{DF}', '\u{E3}', '\u{E1}', '\u{E2}', '\u{E4}'],
    ['\u{AB}', '\u{E5}', '\u{E8}', '\u{E6}', '\u{E7}', '\u{E9}'],
    ['\u{AC}', '\u{EA}', '\u{ED}', '\u{EB}', '\u{EC}', '\u{EE}'],
    ['u', '\u{EF}', '\u{F3}', '\u{F1}', '\u{F2}', '\u{F4}'],
    ['\u{AD}', '\u{F5}', '\u{F8}', '\u{F6}', '\u{F7}', '\u{F9}'],
    ['y', '\u{FA}', '\u{FD}', '\u{FB}', '\u{FC}', '\u{FE}'],
];
/// TCVN3 capitals that exist: Ă Â Ê Ô Ơ Ư Đ.
const TCVN3_UPPER_BASE: [(char, char); 7] = [
    ('Ă', '\u{A1}'),
    ('Â', '\u{A2}'),
    ('Ê', '\u{A3}'),
    ('Ô', '\u{A4}'),
    ('Ơ', '\u{A5}'),
    ('Ư', '\u{A6}'),
    ('Đ', '\u{A7}'),
];
const TCVN3_D_LOWER: char = '\u{AE}';

/// VNI Windows: base letter + modifier, shown as windows-1252 glyphs (lowercase).
const VNI_LOWER: [[&str; 6]; 12] = [
    ["a", "aø", "aù", "aû", "aõ", "aï"],
    ["aê", "aè", "aé", "aú", "aü", "aë"],
    ["aâ", "aà", "aá", "aå", "aã", "aä"],
    ["e", "eø", "eù", "eû", "eõ", "eï"],
    ["eâ", "eà", "eá", "eå", "eã", "eä"],
    ["i", "ì", "í", "æ", "ó", "ò"],
    ["o", "oø", "où", "oû", "oõ", "oï"],
    ["oâ", "oà", "oá", "oå", "oã", "oä"],
    ["ô", "ôø", "ôù", "ôû", "ôõ", "ôï"],
    ["u", "uø", "uù", "uû", "uõ", "uï"],
    ["ö", "öø", "öù", "öû", "öõ", "öï"],
    ["y", "yø", "yù", "yû", "yõ", "î"],
];
const VNI_D_LOWER: &str = "ñ";

fn upper(c: char) -> char {
    c.to_uppercase().next().unwrap_or(c)
}

/// Every Vietnamese letter that is not ASCII (67 lowercase + 67 uppercase), with its TCVN3 and
/// VNI forms. Public so that tests and tools can check coverage.
pub fn letter_table() -> Vec<(char, String, String)> {
    let mut rows = Vec::with_capacity(134);
    for (f, fam) in FAMILIES.iter().enumerate() {
        for (t, &lower) in fam.iter().enumerate() {
            if lower.is_ascii() {
                continue;
            }
            let tl = TCVN3_LOWER[f][t];
            let vl = VNI_LOWER[f][t];
            rows.push((lower, tl.to_string(), vl.to_string()));
            let up = upper(lower);
            let tu = TCVN3_UPPER_BASE
                .iter()
                .find(|(u, _)| *u == up)
                .map(|(_, g)| *g)
                .unwrap_or(tl);
            rows.push((up, tu.to_string(), vl.to_uppercase()));
        }
    }
    rows.push(('đ', TCVN3_D_LOWER.to_string(), VNI_D_LOWER.to_string()));
    rows.push(('Đ', '\u{A7}'.to_string(), VNI_D_LOWER.to_uppercase()));
    rows
}

struct Tables {
    enc_tcvn3: HashMap<char, char>,
    enc_vni: HashMap<char, String>,
    /// VNI two-glyph sequences → letter.
    dec_vni2: HashMap<(char, char), char>,
    /// TCVN3 glyph → (lowercase letter, uppercase letter, kind), and VNI one-glyph letters,
    /// indexed by code point − 0xA0.
    tcvn3_arr: [Option<(char, char, GlyphKind)>; 0x60],
    vni1_arr: [Option<char>; 0x60],
}

impl Tables {
    #[inline]
    fn tcvn3(&self, c: char) -> Option<(char, char, GlyphKind)> {
        let n = c as u32;
        if (0xA0..0x100).contains(&n) {
            self.tcvn3_arr[(n - 0xA0) as usize]
        } else {
            None
        }
    }

    #[inline]
    fn vni1(&self, c: char) -> Option<char> {
        let n = c as u32;
        if (0xA0..0x100).contains(&n) {
            self.vni1_arr[(n - 0xA0) as usize]
        } else {
            None
        }
    }

    /// A VNI two-glyph letter: a base (a e o u y ô ö, either case) and a modifier (≥ U+00C0).
    #[inline]
    fn vni2(&self, c: char, n: char) -> Option<char> {
        if !matches!(
            c,
            'a' | 'e' | 'o' | 'u' | 'y' | 'ô' | 'ö' | 'A' | 'E' | 'O' | 'U' | 'Y' | 'Ô' | 'Ö'
        ) || !('\u{C0}'..='\u{FF}').contains(&n)
        {
            return None;
        }
        self.dec_vni2.get(&(c, n)).copied()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GlyphKind {
    /// A lowercase base letter (ă â ê ô ơ ư đ): evidence of a lowercase word.
    Lower,
    /// A capital (Ă Â Ê Ô Ơ Ư Đ).
    Upper,
    /// A toned letter: its byte serves both cases.
    Toned,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut enc_tcvn3 = HashMap::new();
        let mut enc_vni = HashMap::new();
        let mut dec_tcvn3 = HashMap::new();
        let mut dec_vni1 = HashMap::new();
        let mut dec_vni2 = HashMap::new();
        for (letter, t, v) in letter_table() {
            let tg = t.chars().next().unwrap_or(letter);
            enc_tcvn3.insert(letter, tg);
            let is_upper = letter.is_uppercase();
            if !is_upper || TCVN3_UPPER_BASE.iter().any(|(u, _)| *u == letter) {
                let lower = letter.to_lowercase().next().unwrap_or(letter);
                let kind = if is_upper {
                    GlyphKind::Upper
                } else if TCVN3_UPPER_BASE.iter().any(|(u, _)| upper(lower) == *u) {
                    GlyphKind::Lower
                } else {
                    GlyphKind::Toned
                };
                dec_tcvn3.insert(tg, (lower, upper(lower), kind));
            }
            let vc: Vec<char> = v.chars().collect();
            match vc.as_slice() {
                [a] => {
                    dec_vni1.insert(*a, letter);
                }
                [a, b] => {
                    dec_vni2.insert((*a, *b), letter);
                    // Case changed by a word processor: the base letter decides the case.
                    let other = if b.is_uppercase() {
                        b.to_lowercase().next()
                    } else {
                        b.to_uppercase().next()
                    };
                    if let Some(o) = other {
                        dec_vni2.entry((*a, o)).or_insert(letter);
                    }
                }
                _ => {}
            }
            enc_vni.insert(letter, v);
        }
        let mut tcvn3_arr = [None; 0x60];
        for (&g, &d) in &dec_tcvn3 {
            if let Some(slot) = (g as usize)
                .checked_sub(0xA0)
                .and_then(|i| tcvn3_arr.get_mut(i))
            {
                *slot = Some(d);
            }
        }
        let mut vni1_arr = [None; 0x60];
        for (&g, &d) in &dec_vni1 {
            if let Some(slot) = (g as usize)
                .checked_sub(0xA0)
                .and_then(|i| vni1_arr.get_mut(i))
            {
                *slot = Some(d);
            }
        }
        Tables {
            enc_tcvn3,
            enc_vni,
            dec_vni2,
            tcvn3_arr,
            vni1_arr,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Encoders.

/// Unicode → TCVN3 glyph string (the bytes as windows-1252 would show them). Toned capitals use
/// the lowercase bytes, as real TCVN3 documents do. Other characters pass through.
pub fn encode_tcvn3(s: &str) -> String {
    let t = tables();
    nfc(s)
        .chars()
        .map(|c| t.enc_tcvn3.get(&c).copied().unwrap_or(c))
        .collect()
}

/// Unicode → VNI glyph string. Other characters pass through.
pub fn encode_vni(s: &str) -> String {
    let t = tables();
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for c in nfc(s).chars() {
        match t.enc_vni.get(&c) {
            Some(v) => out.push_str(v),
            None => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Decoders.

/// Text read as latin-1 carries C1 controls where windows-1252 has glyphs: map them back.
fn cp1252_fixup(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| ('\u{80}'..='\u{9F}').contains(&c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if ('\u{80}'..='\u{9F}').contains(&c) {
            let b = [c as u32 as u8];
            let (d, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&b);
            out.push_str(&d);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Decode `text` from the given encoding to NFC Unicode.
pub fn decode(text: &str, enc: Encoding) -> String {
    decode_with(text, enc, false)
}

fn decode_with(text: &str, enc: Encoding, all_caps_font: bool) -> String {
    match enc {
        Encoding::Unicode => nfc(text),
        Encoding::Tcvn3 => {
            let fixed = cp1252_fixup(text);
            let out = decode_tcvn3(&fixed);
            let out = if all_caps_font {
                out.to_uppercase()
            } else {
                out
            };
            nfc(&out)
        }
        Encoding::Vni => nfc(&decode_vni(&cp1252_fixup(text))),
    }
}

fn decode_vni(text: &str) -> String {
    let t = tables();
    let mut out = String::with_capacity(text.len());
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        if let Some(&n) = it.peek() {
            if let Some(l) = t.vni2(c, n) {
                out.push(l);
                it.next();
                continue;
            }
        }
        out.push(t.vni1(c).unwrap_or(c));
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WordCase {
    Lower,
    Upper,
    Unknown,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || tables().tcvn3(c).is_some()
}

fn decode_tcvn3(text: &str) -> String {
    let t = tables();
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for line in text.split_inclusive('\n') {
        // Words: (start, end) byte ranges of maximal runs of word characters.
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, c) in line.char_indices() {
            match (is_word_char(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            spans.push((s, line.len()));
        }
        let mut cases: Vec<WordCase> = spans.iter().map(|&(s, e)| word_case(&line[s..e])).collect();
        // Undecided words take the case of the nearest decided word on the line that is a
        // Vietnamese syllable (abbreviations such as "QĐ", "UBND" do not vote).
        let any_unknown = cases.contains(&WordCase::Unknown);
        let decided: Vec<(usize, WordCase)> = cases
            .iter()
            .enumerate()
            .filter(|_| any_unknown)
            .filter(|(i, c)| {
                **c != WordCase::Unknown && {
                    let (s, e) = spans[*i];
                    syllable::is_valid(&lowercase_tcvn3_word(&line[s..e]))
                }
            })
            .map(|(i, c)| (i, *c))
            .collect();
        for (i, case) in cases.iter_mut().enumerate() {
            if *case == WordCase::Unknown {
                *case = decided
                    .iter()
                    .min_by_key(|(j, _)| j.abs_diff(i))
                    .map(|(_, c)| *c)
                    .unwrap_or(WordCase::Lower);
            }
        }
        let mut pos = 0;
        for (k, &(s, e)) in spans.iter().enumerate() {
            out.push_str(&line[pos..s]);
            let sentence_start = line[..s]
                .trim_end()
                .chars()
                .last()
                .is_none_or(|p| matches!(p, '.' | '!' | '?' | '…'));
            for (n, c) in line[s..e].chars().enumerate() {
                match t.tcvn3(c) {
                    Some((lo, up, kind)) => {
                        // Only toned bytes are ambiguous; base letters carry their case.
                        let capital = kind == GlyphKind::Upper
                            || (kind == GlyphKind::Toned
                                && (cases[k] == WordCase::Upper || (n == 0 && sentence_start)));
                        out.push(if capital { up } else { lo });
                    }
                    None => out.push(c),
                }
            }
            pos = e;
        }
        out.push_str(&line[pos..]);
    }
    out
}

fn lowercase_tcvn3_word(word: &str) -> String {
    let t = tables();
    word.chars()
        .map(|c| t.tcvn3(c).map(|d| d.0).unwrap_or(c))
        .collect()
}

fn word_case(word: &str) -> WordCase {
    let t = tables();
    let mut upper_after_first = false;
    for (n, c) in word.chars().enumerate() {
        let kind = match t.tcvn3(c) {
            Some((_, _, k)) => Some(k),
            None if c.is_lowercase() => Some(GlyphKind::Lower),
            None if c.is_uppercase() => Some(GlyphKind::Upper),
            None => None,
        };
        match kind {
            Some(GlyphKind::Lower) => return WordCase::Lower,
            Some(GlyphKind::Upper) if n > 0 => upper_after_first = true,
            _ => {}
        }
    }
    if upper_after_first {
        WordCase::Upper
    } else {
        WordCase::Unknown
    }
}

// ---------------------------------------------------------------------------------------------
// Detection.

/// Encoding named by font names in a hint (HTML/RTF/DOCX font names), and whether every TCVN3
/// font named is an all-capitals `…H` font.
fn hint_encoding(hint: Option<&str>) -> (Option<Encoding>, bool) {
    let Some(h) = hint else {
        return (None, false);
    };
    let mut tcvn3 = 0;
    let mut tcvn3_caps = 0;
    let mut vni = 0;
    for name in h.split([',', ';', '"', '\'', '\n']) {
        let n = name.trim().to_ascii_lowercase();
        if n.starts_with(".vn") {
            tcvn3 += 1;
            if n.ends_with('h') {
                tcvn3_caps += 1;
            }
        } else if n.starts_with("vni-") || n.starts_with("vni ") || n == "vni" {
            vni += 1;
        }
    }
    match (tcvn3 > 0, vni > 0) {
        (true, false) => (Some(Encoding::Tcvn3), tcvn3_caps == tcvn3),
        (false, true) => (Some(Encoding::Vni), false),
        _ => (None, false),
    }
}

/// Characters that never occur in correct Unicode Vietnamese prose but fill legacy text read
/// as windows-1252 (a few common symbols — NBSP « » ° © ® ± × — are not counted).
pub fn is_marker(c: char) -> bool {
    if !('\u{80}'..='\u{FF}').contains(&c) {
        return false;
    }
    if matches!(c, '\u{A0}' | '«' | '»' | '°' | '©' | '®' | '±' | '×') {
        return false;
    }
    // Latin-1 letters that are Vietnamese.
    !matches!(
        c,
        'à' | 'á'
            | 'â'
            | 'ã'
            | 'è'
            | 'é'
            | 'ê'
            | 'ì'
            | 'í'
            | 'ò'
            | 'ó'
            | 'ô'
            | 'õ'
            | 'ù'
            | 'ú'
            | 'ý'
            | 'À'
            | 'Á'
            | 'Â'
            | 'Ã'
            | 'È'
            | 'É'
            | 'Ê'
            | 'Ì'
            | 'Í'
            | 'Ò'
            | 'Ó'
            | 'Ô'
            | 'Õ'
            | 'Ù'
            | 'Ú'
            | 'Ý'
    )
}

/// Whether one whitespace-separated token, already decoded, reads as Vietnamese.
fn token_valid(tok: &str) -> bool {
    let core = tok.trim_matches(|c: char| !c.is_alphanumeric());
    if core.is_empty() {
        return false;
    }
    let mut any = false;
    for c in core.chars() {
        if !c.is_ascii() && !c.is_alphanumeric() {
            return false;
        }
    }
    for run in core.split(|c: char| !c.is_alphanumeric()) {
        if run.is_ascii() {
            continue;
        }
        if !syllable::is_valid(run) {
            return false;
        }
        any = true;
    }
    any
}

/// Legacy markers in `text` and whether it has a C1 character, from its UTF-8 bytes: U+0080–U+00FF
/// are exactly the 2-byte sequences led by C2 or C3, so every other byte is skipped undecoded.
fn marker_scan(text: &str) -> (usize, bool) {
    static MARKER: OnceLock<[bool; 0x80]> = OnceLock::new();
    let marker = MARKER.get_or_init(|| {
        let mut t = [false; 0x80];
        for (k, m) in t.iter_mut().enumerate() {
            *m = char::from_u32(0x80 + k as u32).is_some_and(is_marker);
        }
        t
    });
    let b = text.as_bytes();
    let (mut markers, mut c1) = (0usize, false);
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x == 0xC2 || x == 0xC3 {
            // Both bytes are in `text` (a str): 0x80 + (lead bit 0 << 6 | continuation bits).
            let k = (usize::from(x & 0x01) << 6) | usize::from(b[i + 1] & 0x3F);
            markers += usize::from(marker[k]);
            c1 |= k < 0x20;
            i += 2;
        } else {
            i += 1;
        }
    }
    (markers, c1)
}

/// Most words scored by [`detect`] (an evenly spread sample of longer documents).
const MAX_SCORED: usize = 400;

/// Decide how a document's text is encoded. `text` is what a mail parser produced (legacy bytes
/// read as windows-1252 or latin-1); `hint` is font names found in the document, if any.
pub fn detect(text: &str, hint: Option<&str>) -> Detection {
    let (hinted, _) = hint_encoding(hint);
    // One pass: legacy markers, and C1 characters (latin-1 reading) that may hide more.
    let (mut markers, c1) = marker_scan(text);
    let fixed = if c1 {
        let f = cp1252_fixup(text);
        markers = f.chars().filter(|&c| is_marker(c)).count();
        f
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    if markers == 0 {
        return Detection {
            encoding: Encoding::Unicode,
            confidence: 1.0,
            evidence: format!(
                "markers=0{}",
                hinted
                    .map(|h| format!(" hint={}", h.name()))
                    .unwrap_or_default()
            ),
            markers,
            scores: [1.0, 0.0, 0.0],
            hinted,
        };
    }
    // Score an evenly spread sample of at most MAX_SCORED words containing non-ASCII characters.
    let relevant = fixed.split_whitespace().filter(|t| !t.is_ascii()).count();
    let stride = relevant.div_ceil(MAX_SCORED).max(1);
    let mut valid = [0usize; 3];
    let mut n = 0usize;
    for tok in fixed
        .split_whitespace()
        .filter(|t| !t.is_ascii())
        .step_by(stride)
    {
        n += 1;
        let lower: String = tok.chars().flat_map(|c| c.to_lowercase()).collect();
        valid[0] += token_valid(&nfc(tok)) as usize;
        valid[1] += token_valid(&nfc(&lowercase_tcvn3_word(tok))) as usize;
        valid[2] += token_valid(&nfc(&decode_vni(&lower))) as usize;
    }
    let share = |k: usize| {
        if n == 0 {
            0.0
        } else {
            valid[k] as f32 / n as f32
        }
    };
    let scores = [share(0), share(1), share(2)];
    let (best, other) = if valid[1] >= valid[2] { (1, 2) } else { (2, 1) };
    let best_enc = if best == 1 {
        Encoding::Tcvn3
    } else {
        Encoding::Vni
    };
    let rival = scores[0].max(scores[other]);
    let margin = scores[best] - rival;
    let evidence = format!(
        "markers={markers} words={n} valid: unicode={:.2} tcvn3={:.2} vni={:.2}{}",
        scores[0],
        scores[1],
        scores[2],
        hinted
            .map(|h| format!(" hint={}", h.name()))
            .unwrap_or_default()
    );
    // The hint is the strongest signal, unless the text plainly reads better as Unicode
    // (a stale font name in a document since converted).
    if let Some(h) = hinted.filter(|h| *h != Encoding::Unicode) {
        let k = if h == Encoding::Tcvn3 { 1 } else { 2 };
        if valid[k] >= 1 && scores[k] >= 0.4 && scores[k] > scores[0] {
            return Detection {
                encoding: h,
                confidence: (0.7 + (scores[k] - scores[0]).max(0.0) * 0.3).min(1.0),
                evidence,
                markers,
                scores,
                hinted,
            };
        }
    }
    if valid[best] >= 2 && scores[best] >= 0.6 && margin >= 0.25 {
        Detection {
            encoding: best_enc,
            confidence: (0.5 + margin).min(1.0),
            evidence,
            markers,
            scores,
            hinted,
        }
    } else {
        let legacy = scores[1].max(scores[2]);
        Detection {
            encoding: Encoding::Unicode,
            confidence: (0.5 + (scores[0] - legacy) / 2.0).clamp(0.0, 1.0),
            evidence,
            markers,
            scores,
            hinted,
        }
    }
}

/// Detect and, on a clear win, convert to NFC Unicode. Unicode input is returned in NFC.
pub fn to_unicode(text: &str, hint: Option<&str>) -> Converted {
    let d = detect(text, hint);
    let (_, caps) = hint_encoding(hint);
    let converted = d.encoding != Encoding::Unicode;
    Converted {
        text: decode_with(text, d.encoding, caps && d.encoding == Encoding::Tcvn3),
        from: d.encoding,
        converted,
        evidence: d.evidence,
    }
}

/// Decode raw bytes with a declared charset (MIME/HTML label; `None` = UTF-8 if valid, else
/// windows-1252) to NFC Unicode. windows-1258 (which uses combining tones) comes out composed.
/// Labels `tcvn3`/`tcvn`/`x-viet-tcvn` and `vni`/`x-viet-vni` decode the legacy encodings.
pub fn decode_bytes(bytes: &[u8], charset: Option<&str>) -> String {
    let label = charset.map(|c| c.trim().to_ascii_lowercase());
    let legacy = match label.as_deref() {
        Some("tcvn3" | "tcvn" | "tcvn-3" | "x-viet-tcvn" | "x-viet-tcvn5712" | "tcvn5712-1") => {
            Some(Encoding::Tcvn3)
        }
        Some("vni" | "x-viet-vni") => Some(Encoding::Vni),
        _ => None,
    };
    let enc = label
        .as_deref()
        .filter(|_| legacy.is_none())
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    let text = match enc {
        Some(e) => e.decode(bytes).0.into_owned(),
        None if legacy.is_none() && std::str::from_utf8(bytes).is_ok() => {
            encoding_rs::UTF_8.decode(bytes).0.into_owned()
        }
        None => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    };
    match legacy {
        Some(l) => decode(&text, l),
        None => text.nfc().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold::testgen;

    /// [`marker_scan`] as it was, character by character.
    fn marker_scan_reference(text: &str) -> (usize, bool) {
        let (mut markers, mut c1) = (0usize, false);
        for c in text.chars() {
            if ('\u{80}'..='\u{FF}').contains(&c) {
                markers += is_marker(c) as usize;
                c1 |= c <= '\u{9F}';
            }
        }
        (markers, c1)
    }

    proptest::proptest! {
        #[test]
        fn marker_scan_equals_the_reference(s in testgen::text(60)) {
            proptest::prop_assert_eq!(marker_scan(&s), marker_scan_reference(&s));
        }
    }

    #[test]
    fn marker_scan_equals_the_reference_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = format!("Vi{c}t {c}");
            assert_eq!(
                marker_scan(&s),
                marker_scan_reference(&s),
                "U+{:04X}",
                c as u32
            );
        }
        // Legacy text and the corpus.
        for s in [
            "C¨n cø LuËt Tæ chøc",
            "Vieät Nam ñöôïc",
            "\u{80}\u{9f}\u{a0}\u{ff}",
        ] {
            assert_eq!(marker_scan(s), marker_scan_reference(s));
        }
        for s in testgen::corpus(10) {
            assert_eq!(marker_scan(&s), marker_scan_reference(&s));
            let tcvn3 = encode_tcvn3(&s);
            assert_eq!(marker_scan(&tcvn3), marker_scan_reference(&tcvn3));
        }
    }

    #[test]
    fn table_is_complete_and_unambiguous() {
        let rows = letter_table();
        assert_eq!(rows.len(), 134);
        assert_eq!(rows.iter().filter(|r| r.0.is_lowercase()).count(), 67);
        // VNI forms are all distinct: the encoding is lossless.
        let mut vni: Vec<&String> = rows.iter().map(|r| &r.2).collect();
        vni.sort();
        vni.dedup();
        assert_eq!(vni.len(), 134);
        // TCVN3: 67 lowercase bytes + 7 capitals; toned capitals share lowercase bytes.
        let mut t: Vec<&String> = rows.iter().map(|r| &r.1).collect();
        t.sort();
        t.dedup();
        assert_eq!(t.len(), 67 + 7);
    }

    #[test]
    fn facts_vectors_tcvn3() {
        for (u, l) in [
            ("của", "cña"),
            ("và", "vµ"),
            ("các", "c¸c"),
            ("được", "®\u{AD}îc"),
            ("người", "ng\u{AD}êi"),
            ("Việt", "ViÖt"),
            ("định", "®Þnh"),
            ("QĐ", "Q§"),
            ("Đảng", "§¶ng"),
        ] {
            assert_eq!(encode_tcvn3(u), l, "encode {u}");
            // Mid-sentence (a line start would get a capital initial).
            let got = decode(&format!("v\u{B5} {l}"), Encoding::Tcvn3);
            assert_eq!(got, format!("và {u}"), "decode {l}");
        }
        assert_eq!(
            decode("C¨n cø LuËt Tæ chøc ChÝnh phñ", Encoding::Tcvn3),
            "Căn cứ Luật Tổ chức Chính phủ"
        );
    }

    #[test]
    fn facts_vectors_vni() {
        for (u, l) in [
            ("Việt", "Vieät"),
            ("người", "ngöôøi"),
            ("được", "ñöôïc"),
            ("định", "ñònh"),
            ("Đảng", "Ñaûng"),
        ] {
            assert_eq!(encode_vni(u), l, "encode {u}");
            assert_eq!(decode(l, Encoding::Vni), u, "decode {l}");
        }
    }

    #[test]
    fn tcvn3_case_recovery() {
        // All-capitals heading: toned bytes become capitals.
        assert_eq!(
            decode(&encode_tcvn3("QUYẾT ĐỊNH VỀ VIỆC"), Encoding::Tcvn3),
            "QUYẾT ĐỊNH VỀ VIỆC"
        );
        // Sentence start gets a capital; mid-sentence title case is lost (documented).
        assert_eq!(
            decode(&encode_tcvn3("Ủy ban. Ở đây"), Encoding::Tcvn3),
            "Ủy ban. Ở đây"
        );
        assert_eq!(
            decode(&encode_tcvn3("của Ủy ban"), Encoding::Tcvn3),
            "của ủy ban"
        );
    }

    #[test]
    fn detection_is_described_in_both_languages() {
        let d = detect("Th«ng b¸o vÒ viÖc", None);
        assert_eq!(d.encoding, Encoding::Tcvn3);
        let vi = d.describe(Lang::Vi);
        let en = d.describe(Lang::En);
        assert!(vi.starts_with("Bảng mã: TCVN3"), "{vi}");
        assert!(en.starts_with("Encoding: TCVN3"), "{en}");
        assert!(en.contains("TCVN3 100%"), "{en}");
    }

    #[test]
    fn hint_names() {
        assert_eq!(
            hint_encoding(Some(".VnTime, .VnTimeH")),
            (Some(Encoding::Tcvn3), false)
        );
        assert_eq!(
            hint_encoding(Some(".VnTimeH")),
            (Some(Encoding::Tcvn3), true)
        );
        assert_eq!(
            hint_encoding(Some("VNI-Times")),
            (Some(Encoding::Vni), false)
        );
        assert_eq!(hint_encoding(Some("Times New Roman")), (None, false));
    }
}
