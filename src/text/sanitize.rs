//! Sanitising untrusted text (subjects, bodies, file names from submissions).
//!
//! * [`clean_input`] — for storage: removes escape sequences whole, control characters, bidi
//!   controls and stray zero-width characters, normalises line ends and NFC, and counts what it
//!   removed so the item can be flagged.
//! * [`for_display`] / [`one_line`] — for anything printed outside ratatui (CLI output, logs,
//!   errors): nothing is removed, everything dangerous is made visible.
//! * [`display_name`] — a safe display name for an attachment file name.
//!
//! Why: terminals interpret ESC/CSI/OSC sequences (title changes, hyperlinks, clipboard writes,
//! cursor moves that hide text: CVE-2024-52005, CVE-2021-25743), and bidi controls reorder what
//! the reader sees (CVE-2021-42574, "Trojan Source"). See `docs/text.md`.

use std::borrow::Cow;

/// Result of [`clean_input`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cleaned {
    /// NFC text with `\n` line ends and no control, escape, bidi or stray zero-width characters.
    pub text: String,
    /// Control characters (C0 except `\t`/`\n`, DEL, C1, stray zero-width, tag characters) removed.
    pub removed_controls: usize,
    /// Complete (or truncated) escape sequences removed.
    pub removed_escapes: usize,
    /// Bidirectional controls removed.
    pub bidi: usize,
}

impl Cleaned {
    /// Whether anything was removed (the item should be flagged for the editor).
    pub fn suspicious(&self) -> bool {
        self.removed_controls + self.removed_escapes + self.bidi > 0
    }
}

const ESC: char = '\u{1B}';
const BEL: char = '\u{07}';
const C1_CSI: char = '\u{9B}';
const C1_OSC: char = '\u{9D}';
const C1_DCS: char = '\u{90}';
const C1_SOS: char = '\u{98}';
const C1_ST: char = '\u{9C}';
const C1_PM: char = '\u{9E}';
const C1_APC: char = '\u{9F}';

/// Bidirectional formatting characters (Trojan Source).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Zero-width characters: ZWSP, ZWNJ, ZWJ, WORD JOINER, BOM / ZWNBSP.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Unicode tag characters (invisible "ASCII smuggling").
fn is_tag(c: char) -> bool {
    ('\u{E0000}'..='\u{E007F}').contains(&c)
}

/// Letters and marks of the Latin script (and ASCII): a ZWJ/ZWNJ next to one of these has no
/// legitimate use and only serves to defeat search and duplicate detection ("Đ\u{200D}ảng").
fn is_latinish(c: char) -> bool {
    c.is_ascii()
        || ('\u{00C0}'..='\u{024F}').contains(&c)
        || ('\u{1E00}'..='\u{1EFF}').contains(&c)
        || ('\u{0300}'..='\u{036F}').contains(&c)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Seq {
    /// Control sequence: parameters 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E.
    Csi,
    /// OSC: ends with BEL or ST.
    Osc,
    /// DCS / SOS / PM / APC: ends with ST (BEL accepted too).
    Str,
}

/// Storage form of untrusted text (see module docs and `docs/text.md` for the exact rules).
pub fn clean_input(s: &str) -> Cleaned {
    // Fast path: nothing to remove but CR LF line ends (the common case: mail bodies).
    let Some(scan) = scan(s) else {
        return clean_full(s);
    };
    let text = if scan.cr {
        fix_line_ends(s)
    } else {
        s.to_owned()
    };
    Cleaned {
        text: if scan.plainly_nfc {
            text
        } else {
            super::fold::nfc(&text)
        },
        ..Cleaned::default()
    }
}

/// What one pass over the bytes of a text that needs no removal found.
struct Scan {
    /// It has a CR (line ends to fix).
    cr: bool,
    /// Every character is one of `fold::plainly_nfc`'s: the text is in NFC as it is.
    plainly_nfc: bool,
}

/// Whether `c` (U+2000 or above) is removed or replaced by [`clean_full`].
fn removed_above_2000(c: char) -> bool {
    is_bidi_control(c) || is_zero_width(c) || is_tag(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// One pass over the UTF-8 bytes of `s`: `None` if anything must be removed (a C0/C1 control
/// other than `\t`, `\n`, `\r`; DEL; U+061C; a bidi, zero-width or tag character; U+2028/9).
/// ASCII and the 2-byte sequences (up to U+07FF: every Vietnamese letter of Latin-1 and Latin
/// Extended) and the 3-byte sequences below U+2000 (U+1EA0–U+1EF9) need no character look-up.
#[inline]
fn scan(s: &str) -> Option<Scan> {
    let b = s.as_bytes();
    let (mut cr, mut plain) = (false, true);
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            match x {
                0x20..=0x7E | b'\n' | b'\t' => {}
                b'\r' => cr = true,
                _ => return None,
            }
            i += 1;
        } else if x < 0xE0 {
            // U+0080–U+07FF: C2 80–9F are the C1 controls, D8 9C is U+061C; from CC 80 (U+0300)
            // on, not plainly NFC.
            let y = b[i + 1];
            if (x == 0xC2 && y < 0xA0) || (x == 0xD8 && y == 0x9C) {
                return None;
            }
            plain &= x <= 0xCB;
            i += 2;
        } else if x < 0xF0 {
            let c = (u32::from(x & 0x0F) << 12)
                | (u32::from(b[i + 1] & 0x3F) << 6)
                | u32::from(b[i + 2] & 0x3F);
            if c >= 0x2000 && char::from_u32(c).is_some_and(removed_above_2000) {
                return None;
            }
            plain &= (0x1EA0..=0x1EF9).contains(&c)
                || (0x2002..=0x206F).contains(&c)
                || (0x20A0..=0x20C0).contains(&c);
            i += 3;
        } else {
            let c = (u32::from(x & 0x07) << 18)
                | (u32::from(b[i + 1] & 0x3F) << 12)
                | (u32::from(b[i + 2] & 0x3F) << 6)
                | u32::from(b[i + 3] & 0x3F);
            if char::from_u32(c).is_some_and(removed_above_2000) {
                return None;
            }
            plain = false;
            i += 4;
        }
    }
    Some(Scan {
        cr,
        plainly_nfc: plain,
    })
}

/// CR LF → LF and a lone CR → LF, in one copy.
fn fix_line_ends(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('\r') {
        out.push_str(&rest[..p]);
        rest = &rest[p + 1..];
        if !rest.starts_with('\n') {
            out.push('\n');
        }
    }
    out.push_str(rest);
    out
}

/// [`clean_input`] of a text that has something to remove.
fn clean_full(s: &str) -> Cleaned {
    let mut c = Cleaned::default();
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        // Escape sequences, 7-bit (ESC …) and 8-bit (C1).
        let seq = match ch {
            ESC => match chars.get(i + 1) {
                Some('[') => Some((Seq::Csi, 2)),
                Some(']') => Some((Seq::Osc, 2)),
                Some('P' | 'X' | '^' | '_') => Some((Seq::Str, 2)),
                _ => None,
            },
            C1_CSI => Some((Seq::Csi, 1)),
            C1_OSC => Some((Seq::Osc, 1)),
            C1_DCS | C1_SOS | C1_PM | C1_APC => Some((Seq::Str, 1)),
            _ => None,
        };
        if let Some((kind, intro)) = seq {
            c.removed_escapes += 1;
            i = skip_sequence(&chars, i + intro, kind);
            continue;
        }
        if ch == ESC {
            // nF (ESC intermediates… final), Fp/Fe/Fs (ESC 0x30–0x7E), or a lone ESC.
            c.removed_escapes += 1;
            let mut j = i + 1;
            while j < chars.len() && ('\u{20}'..='\u{2F}').contains(&chars[j]) {
                j += 1;
            }
            // A final byte completes it; without one, ESC and intermediates alone are dropped.
            if j < chars.len() && ('\u{30}'..='\u{7E}').contains(&chars[j]) {
                j += 1;
            }
            i = j;
            continue;
        }
        match ch {
            '\r' => {
                // CR LF → LF; a lone CR (old Mac line end, or an overwrite trick) → LF.
                if chars.get(i + 1) != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' | '\t' => out.push(ch),
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            _ if is_bidi_control(ch) => c.bidi += 1,
            '\u{200C}' | '\u{200D}' => out.push(ch), // decided below, in context
            _ if is_zero_width(ch) || is_tag(ch) || ch.is_control() => c.removed_controls += 1,
            _ => out.push(ch),
        }
        i += 1;
    }
    // ZWJ/ZWNJ: kept between two non-Latin characters (emoji sequences, Indic/Persian scripts),
    // removed next to Latin letters or at an end. Decided on the cleaned neighbours, so that a
    // second cleaning changes nothing.
    let joiner = |c: char| c == '\u{200C}' || c == '\u{200D}';
    let mut next_other: Vec<Option<char>> = vec![None; out.len()];
    let mut following = None;
    for (k, &ch) in out.iter().enumerate().rev() {
        next_other[k] = following;
        if !joiner(ch) {
            following = Some(ch);
        }
    }
    let mut kept: Vec<char> = Vec::with_capacity(out.len());
    let mut prev = None;
    for (k, &ch) in out.iter().enumerate() {
        if joiner(ch) {
            if prev.is_none_or(is_latinish) || next_other[k].is_none_or(is_latinish) {
                c.removed_controls += 1;
                continue;
            }
        } else {
            prev = Some(ch);
        }
        kept.push(ch);
    }
    let kept: String = kept.into_iter().collect();
    c.text = super::fold::nfc(&kept);
    c
}

/// Index just after the sequence whose body (after the introducer) starts at `body`.
fn skip_sequence(chars: &[char], body: usize, kind: Seq) -> usize {
    let mut j = body;
    match kind {
        Seq::Csi => {
            while j < chars.len() {
                let c = chars[j];
                if ('\u{40}'..='\u{7E}').contains(&c) {
                    return j + 1;
                }
                if !('\u{20}'..='\u{3F}').contains(&c) {
                    // Malformed: drop what was consumed, keep the rest.
                    return j;
                }
                j += 1;
            }
            j
        }
        Seq::Osc | Seq::Str => {
            while j < chars.len() {
                match chars[j] {
                    BEL | C1_ST => return j + 1,
                    ESC if chars.get(j + 1) == Some(&'\\') => return j + 2,
                    _ => j += 1,
                }
            }
            // Unterminated: remove only the introducer; the rest is ordinary (cleaned) text.
            body
        }
    }
}

/// Make `s` safe to print: control characters become visible (Control Pictures, e.g. `␛` for
/// ESC), bidi, zero-width, C1 and tag characters become `<U+202E>`; `\n` and `\t` are kept.
pub fn for_display(s: &str) -> Cow<'_, str> {
    render(s, false)
}

/// Like [`for_display`], for a table cell: newlines and tabs become spaces.
pub fn one_line(s: &str) -> Cow<'_, str> {
    render(s, true)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || is_zero_width(c)
        || is_tag(c)
        || matches!(c, '\u{2028}' | '\u{2029}')
}

fn render(s: &str, single_line: bool) -> Cow<'_, str> {
    let clean = s.chars().all(|c| {
        if c == '\n' || c == '\t' {
            !single_line
        } else {
            !needs_escape(c)
        }
    });
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\n' | '\t' if single_line => out.push(' '),
            '\n' | '\t' => out.push(c),
            '\r' if it.peek() == Some(&'\n') => {
                if single_line {
                    out.push(' ');
                    it.next();
                }
            }
            '\u{00}'..='\u{1F}' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'))
            }
            '\u{7F}' => out.push('\u{2421}'),
            _ if needs_escape(c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Windows device names that cannot be file names, with or without extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Longest display name, in bytes of UTF-8 (file systems allow 255; leave room for prefixes).
pub const MAX_NAME_BYTES: usize = 120;
/// Name used when nothing usable remains ("attachment").
pub const FALLBACK_NAME: &str = "tep-dinh-kem";

/// A safe display name for an attachment's original name: last path component only, no
/// separators, controls, bidi or zero-width characters, no characters Windows forbids, no
/// leading dots, no reserved device names, at most [`MAX_NAME_BYTES`]; NFC Vietnamese letters and
/// a short extension are kept.
pub fn display_name(original: &str) -> String {
    let cleaned = clean_input(original).text;
    // Last path component (both separators).
    let last = cleaned
        .split(['/', '\\'])
        .rev()
        .find(|p| !p.trim().is_empty())
        .unwrap_or("");
    let mut name = String::with_capacity(last.len());
    let mut space = false;
    for c in last.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !name.is_empty() {
            name.push(' ');
        }
        space = false;
        match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => name.push('_'),
            _ if c.is_control() || is_zero_width(c) => {}
            _ => name.push(c),
        }
    }
    let name = name
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    if name.is_empty() {
        return FALLBACK_NAME.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(p)
            if p > 0
                && name.len() - p <= 11
                && name[p + 1..].chars().all(|c| c.is_alphanumeric()) =>
        {
            (&name[..p], &name[p..])
        }
        _ => (name, ""),
    };
    let mut stem = stem.to_string();
    let base = stem.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(base)) {
        stem.insert(0, '_');
    }
    if stem.len() + ext.len() > MAX_NAME_BYTES {
        let budget = MAX_NAME_BYTES - ext.len() - '…'.len_utf8();
        let mut cut = budget;
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        stem.truncate(cut);
        stem = stem.trim_end().to_string();
        stem.push('…');
    }
    format!("{stem}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold::{reference, testgen};

    /// [`clean_input`] as it was before the byte-level scan (the full path is unchanged).
    fn clean_input_reference(s: &str) -> Cleaned {
        let mut c = Cleaned::default();
        let mut has_cr = false;
        if !s.chars().any(|ch| {
            if ch == '\r' {
                has_cr = true;
                return false;
            }
            if (' '..='~').contains(&ch)
                || ch == '\n'
                || ('\u{A0}'..'\u{2000}').contains(&ch) && ch != '\u{61C}'
            {
                return false;
            }
            (ch.is_control() && ch != '\n' && ch != '\t')
                || is_bidi_control(ch)
                || is_zero_width(ch)
                || is_tag(ch)
                || matches!(ch, '\u{2028}' | '\u{2029}')
        }) {
            c.text = if has_cr {
                reference::nfc(&s.replace("\r\n", "\n").replace('\r', "\n"))
            } else {
                reference::nfc(s)
            };
            return c;
        }
        let full = clean_full(s);
        // The full path ends in `nfc`: the reference's.
        assert_eq!(full.text, reference::nfc(&full.text));
        full
    }

    proptest::proptest! {
        #[test]
        fn clean_input_equals_the_reference(s in testgen::text(40)) {
            proptest::prop_assert_eq!(clean_input(&s), clean_input_reference(&s));
        }
    }

    #[test]
    fn clean_input_equals_the_reference_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for s in [format!("a{c}\r\nb"), format!("Việt{c}"), c.to_string()] {
                assert_eq!(
                    clean_input(&s),
                    clean_input_reference(&s),
                    "U+{:04X}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn clean_input_equals_the_reference_on_the_corpus() {
        for s in testgen::corpus(10) {
            assert_eq!(clean_input(&s), clean_input_reference(&s));
        }
    }

    #[test]
    fn removes_whole_escape_sequences() {
        let c = clean_input("a\u{1b}[31mđỏ\u{1b}[0m b");
        assert_eq!(c.text, "ađỏ b");
        assert_eq!(c.removed_escapes, 2);
        let c = clean_input(
            "x\u{1b}]0;pwned title\u{7}y\u{1b}]8;;http://e.vn\u{1b}\\link\u{1b}]8;;\u{1b}\\",
        );
        assert_eq!(c.text, "xylink");
        assert_eq!(c.removed_escapes, 3);
        let c = clean_input("p\u{9b}2Jq\u{1b}P1;2|data\u{1b}\\r\u{1b}_apc\u{9c}s\u{1b}(Bt\u{1b}cu");
        assert_eq!(c.text, "pqrstu");
        assert_eq!(c.removed_escapes, 5);
    }

    #[test]
    fn controls_line_ends_and_nfc() {
        let c = clean_input("a\r\nb\rc\u{0}d\u{7f}e\u{85}f\tg\u{8}");
        assert_eq!(c.text, "a\nb\ncdef\tg");
        assert_eq!(c.removed_controls, 4);
        assert_eq!(clean_input("Vie\u{302}\u{323}t").text, "Việt");
        // Removing a sequence between a letter and a combining mark composes them.
        assert_eq!(clean_input("a\u{1b}[0m\u{301}").text, "á");
    }

    #[test]
    fn line_ends_the_same_with_or_without_other_controls() {
        // The fast path (only CR LF to fix) and the full path give the same lines.
        let plain = clean_input("Kính gửi\r\nBan Biên tập\rcuối\r");
        assert_eq!(plain.text, "Kính gửi\nBan Biên tập\ncuối\n");
        let bell = clean_input("Kính gửi\r\nBan Biên tập\u{7}\rcuối\r");
        assert_eq!(bell.text, plain.text);
        assert_eq!((plain.removed_controls, bell.removed_controls), (0, 1));
        // NFD input on the fast path still becomes NFC.
        assert_eq!(clean_input("Vie\u{302}\u{323}t\r\n").text, "Việt\n");
    }

    #[test]
    fn bidi_and_zero_width() {
        let c = clean_input("invoice\u{202E}fdp.exe \u{2066}x\u{2069}");
        assert_eq!(c.text, "invoicefdp.exe x");
        assert_eq!(c.bidi, 3);
        let c = clean_input("Đ\u{200D}ảng\u{200B} \u{FEFF}x");
        assert_eq!(c.text, "Đảng x");
        assert_eq!(c.removed_controls, 3);
        // ZWJ inside an emoji sequence is kept.
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(clean_input(family).text, family);
        // TCVN3 ư (soft hyphen) survives.
        assert_eq!(clean_input("ng\u{AD}êi").text, "ng\u{AD}êi");
    }

    #[test]
    fn unterminated_string_sequence_keeps_text() {
        let c = clean_input("a\u{1b}]0;title without end\nnext");
        assert_eq!(c.text, "a0;title without end\nnext");
        assert_eq!(c.removed_escapes, 1);
    }

    #[test]
    fn display_makes_controls_visible() {
        assert!(matches!(for_display("Quyết định\nsố 1"), Cow::Borrowed(_)));
        assert_eq!(for_display("a\u{1b}[2Jb"), "a\u{241B}[2Jb");
        assert_eq!(for_display("x\u{202E}y\u{9b}"), "x<U+202E>y<U+009B>");
        assert_eq!(for_display("a\r\nb\rc"), "a\nb\u{240D}c");
        assert_eq!(one_line("a\nb\tc\r\nd"), "a b c d");
        assert_eq!(for_display("\u{7f}\u{200B}"), "\u{2421}<U+200B>");
    }

    #[test]
    fn safe_display_names() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Windows\\system32\\evil.dll"), "evil.dll");
        assert_eq!(display_name("..."), FALLBACK_NAME);
        assert_eq!(display_name(".bashrc"), "bashrc");
        assert_eq!(display_name("CON.txt"), "_CON.txt");
        assert_eq!(display_name("lpt1"), "_lpt1");
        assert_eq!(display_name("a\u{0}b\u{1b}[31mc.pdf"), "abc.pdf");
        assert_eq!(display_name("hoá đơn\u{202E}fdp.exe"), "hoá đơnfdp.exe");
        assert_eq!(
            display_name("Quyết định số 1: \"mới\"?.docx"),
            "Quyết định số 1_ _mới__.docx"
        );
        assert_eq!(display_name("  báo\tcáo  .pdf  "), "báo cáo .pdf");
        let long = format!("{}.pdf", "Nghị quyết ".repeat(40));
        let d = display_name(&long);
        assert!(d.len() <= MAX_NAME_BYTES, "{}", d.len());
        assert!(d.ends_with("….pdf"), "{d}");
        assert!(d.starts_with("Nghị quyết Nghị"));
    }
}
