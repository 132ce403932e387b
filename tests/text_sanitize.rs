//! The sanitiser on hostile input: nothing a terminal would interpret survives.

use bientap::text::fold::is_nfc;
use bientap::text::sanitize::{
    clean_input, display_name, for_display, is_bidi_control, one_line, MAX_NAME_BYTES,
};
use proptest::prelude::*;

fn dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Characters that make up escape sequences and other tricks, mixed with Vietnamese text.
fn hostile() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "\u{1b}",
        "[",
        "]",
        "\u{7}",
        "\\",
        "P",
        "31m",
        "0;",
        "\u{9b}",
        "\u{9c}",
        "\u{9d}",
        "\u{90}",
        "\r",
        "\n",
        "\t",
        "\u{0}",
        "\u{7f}",
        "\u{202e}",
        "\u{2066}",
        "\u{200b}",
        "\u{200d}",
        "\u{feff}",
        "\u{301}",
        "e\u{302}",
        "Việt",
        "người",
        " ",
        "/",
        ".",
        "..",
        "CON",
        "a",
        "\u{e0041}",
        "\u{2028}",
        "\u{1F468}",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn clean_input_output_is_safe_nfc_and_stable(s in hostile()) {
        let c = clean_input(&s);
        prop_assert!(!c.text.chars().any(dangerous), "{:?}", c.text);
        prop_assert!(!c.text.contains('\r'));
        prop_assert!(is_nfc(&c.text));
        // Cleaning clean text changes nothing and removes nothing.
        let again = clean_input(&c.text);
        prop_assert_eq!(&again.text, &c.text);
        prop_assert_eq!(again.removed_escapes + again.bidi, 0);
    }

    #[test]
    fn display_output_has_no_live_controls(s in hostile()) {
        let d = for_display(&s);
        prop_assert!(!d.chars().any(|c| dangerous(c) || c == '\r'), "{:?}", d);
        let o = one_line(&s);
        prop_assert!(!o.chars().any(|c| dangerous(c) || c == '\n' || c == '\t' || c == '\r'));
    }

    #[test]
    fn display_names_are_single_safe_components(s in hostile()) {
        let n = display_name(&s);
        prop_assert!(!n.is_empty());
        prop_assert!(!n.contains('/') && !n.contains('\\'));
        prop_assert!(!n.starts_with('.') && !n.ends_with('.') && !n.ends_with(' '));
        prop_assert!(!n.chars().any(|c| c.is_control() || is_bidi_control(c)));
        prop_assert!(n.len() <= MAX_NAME_BYTES);
        prop_assert!(!n.eq_ignore_ascii_case("con"));
    }
}

#[test]
fn known_terminal_attacks_are_removed_whole() {
    // Clipboard write (OSC 52), window title (OSC 0 with ST), hyperlink (OSC 8), screen clear and
    // cursor moves used to hide lines, DECRQSS-style DCS, 8-bit CSI.
    let attacks = [
        ("\u{1b}]52;c;cm0gLXJmIH4=\u{7}", ""),
        ("\u{1b}]0;title\u{1b}\\", ""),
        (
            "\u{1b}]8;;https://evil.example\u{7}Cổng TTĐT\u{1b}]8;;\u{7}",
            "Cổng TTĐT",
        ),
        ("ok\u{1b}[2J\u{1b}[1;1H\u{1b}[8mhidden", "okhidden"),
        ("\u{1b}P$q\"p\u{1b}\\", ""),
        ("\u{9b}6n", ""),
        ("a\u{1b}[?1049hb", "ab"),
    ];
    for (input, want) in attacks {
        let c = clean_input(input);
        assert_eq!(c.text, want, "{input:?}");
        assert!(c.removed_escapes >= 1 && c.suspicious());
    }
}

#[test]
fn clean_vietnamese_text_is_untouched() {
    let s = "Điều 1. Phạm vi điều chỉnh\n\ta) Thông tin “chính thức” – đúng quy định.";
    let c = clean_input(s);
    assert_eq!(c.text, s);
    assert!(!c.suspicious());
    assert!(matches!(for_display(s), std::borrow::Cow::Borrowed(_)));
}

#[test]
fn trojan_source_is_counted_and_shown() {
    let s = "duyệt\u{202E}\u{2066}// bỏ qua\u{2069}\u{202C}";
    let c = clean_input(s);
    assert_eq!(c.bidi, 4);
    assert_eq!(c.text, "duyệt// bỏ qua");
    assert_eq!(
        for_display(s),
        "duyệt<U+202E><U+2066>// bỏ qua<U+2069><U+202C>"
    );
}
