//! Printing: every untrusted string goes through `safe` before it reaches a terminal.

use unicode_width::UnicodeWidthStr;

/// Make untrusted text safe to print on one line: control characters and escape sequences are
/// shown visibly, bidi controls as `<U+202E>`, newlines as spaces (`text::sanitize::one_line`).
pub fn safe(s: &str) -> String {
    crate::text::sanitize::one_line(s).into_owned()
}

/// Untrusted multi-line text for printing (keeps newlines and tabs).
pub fn safe_block(s: &str) -> String {
    crate::text::sanitize::for_display(s).into_owned()
}

pub fn one_line(s: &str) -> String {
    safe(s)
}

/// Truncate to a display width, adding "…" when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        let pad = width - s.width();
        return format!("{s}{}", " ".repeat(pad));
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    w += 1;
    out.push_str(&" ".repeat(width.saturating_sub(w)));
    out
}

/// A plain text table: columns padded by display width (Vietnamese is width 1 per letter in NFC).
pub fn table(headers: &[&str], rows: &[Vec<String>], max: &[usize]) -> String {
    let n = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(c.width());
        }
    }
    for (i, w) in widths.iter_mut().enumerate() {
        if let Some(m) = max.get(i) {
            if *m > 0 {
                *w = (*w).min(*m);
            }
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>| -> String {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            if i + 1 == n {
                l.push_str(c.trim_end());
            } else {
                l.push_str(&fit(c, widths[i]));
            }
        }
        l.trim_end().to_string()
    };
    out.push_str(&line(headers.iter().map(|h| h.to_string()).collect()));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(|c| safe(c)).collect()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_made_visible() {
        let s = safe("a\u{1b}[31mred\u{7}\u{202e}x\ny");
        assert!(!s.contains('\u{1b}'));
        assert!(!s.contains('\u{202e}'));
        assert!(s.contains("[31m"), "{s}");
        assert!(s.contains("<U+202E>"));
        assert!(!s.contains('\n'));
    }

    #[test]
    fn fit_counts_display_width() {
        assert_eq!(fit("Việt Nam", 10), "Việt Nam  ");
        assert_eq!(fit("Thi hành án dân sự", 8).chars().count(), 8);
    }
}
