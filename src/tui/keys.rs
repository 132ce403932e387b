//! Keys: one small key type for the whole console, the key-script syntax the keymap and the
//! tests share (`"j j <Enter> <C-s>"`), and conversions from crossterm and to the text area.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::{Input, Key as TaKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// A key press. `Char` carries its case (no shift flag for letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: Code,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: Code) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }
    pub const fn ch(c: char) -> Key {
        Key::plain(Code::Char(c))
    }
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: Code::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// The key in script syntax, for the help screen.
    pub fn display(&self) -> String {
        let base = match self.code {
            Code::Char(' ') => "Space".to_string(),
            Code::Char('<') => "lt".to_string(),
            Code::Char(c) if !self.ctrl && !self.alt => return c.to_string(),
            Code::Char(c) => c.to_string(),
            Code::Enter => "Enter".into(),
            Code::Esc => "Esc".into(),
            Code::Tab => "Tab".into(),
            Code::BackTab => "S-Tab".into(),
            Code::Backspace => "BS".into(),
            Code::Delete => "Del".into(),
            Code::Up => "Up".into(),
            Code::Down => "Down".into(),
            Code::Left => "Left".into(),
            Code::Right => "Right".into(),
            Code::Home => "Home".into(),
            Code::End => "End".into(),
            Code::PageUp => "PgUp".into(),
            Code::PageDown => "PgDn".into(),
            Code::F(n) => format!("F{n}"),
        };
        let mut s = String::from("<");
        if self.ctrl {
            s.push_str("C-");
        }
        if self.alt {
            s.push_str("M-");
        }
        s.push_str(&base);
        s.push('>');
        s
    }

    /// A printable character typed without Ctrl/Alt.
    pub fn text_char(&self) -> Option<char> {
        match self.code {
            Code::Char(c) if !self.ctrl && !self.alt => Some(c),
            _ => None,
        }
    }
}

/// Parse one `<…>` name.
fn named(name: &str) -> Option<Key> {
    let mut ctrl = false;
    let mut alt = false;
    let mut rest = name;
    loop {
        if let Some(r) = rest.strip_prefix("C-") {
            ctrl = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("M-").or_else(|| rest.strip_prefix("A-")) {
            alt = true;
            rest = r;
        } else {
            break;
        }
    }
    let code = match rest {
        "Enter" | "CR" | "Return" => Code::Enter,
        "Esc" => Code::Esc,
        "Tab" => Code::Tab,
        "S-Tab" | "BackTab" => Code::BackTab,
        "BS" | "Backspace" => Code::Backspace,
        "Del" | "Delete" => Code::Delete,
        "Up" => Code::Up,
        "Down" => Code::Down,
        "Left" => Code::Left,
        "Right" => Code::Right,
        "Home" => Code::Home,
        "End" => Code::End,
        "PgUp" | "PageUp" => Code::PageUp,
        "PgDn" | "PageDown" => Code::PageDown,
        "Space" => Code::Char(' '),
        "lt" => Code::Char('<'),
        "gt" => Code::Char('>'),
        s if s.starts_with('F') && s.len() > 1 => Code::F(s[1..].parse().ok()?),
        s => {
            let mut cs = s.chars();
            let c = cs.next()?;
            if cs.next().is_some() {
                return None;
            }
            Code::Char(c)
        }
    };
    Some(Key { code, ctrl, alt })
}

/// Parse a key script: words separated by spaces; `<Name>` is one key (`<Enter>`, `<C-s>`,
/// `<Space>`, `<lt>`), any other word is typed character by character.
pub fn parse_script(script: &str) -> Result<Vec<Key>, String> {
    let mut out = Vec::new();
    for word in script.split_whitespace() {
        let mut rest = word;
        while !rest.is_empty() {
            if rest.starts_with('<') {
                if let Some(end) = rest.find('>') {
                    if end > 1 {
                        let k = named(&rest[1..end])
                            .ok_or_else(|| format!("unknown key <{}>", &rest[1..end]))?;
                        out.push(k);
                        rest = &rest[end + 1..];
                        continue;
                    }
                }
            }
            let c = rest.chars().next().unwrap_or(' ');
            out.push(Key::ch(c));
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok(out)
}

/// One key from its spec (for keymap tables); `None` for a malformed spec.
pub fn spec(s: &str) -> Option<Key> {
    let v = parse_script(s).ok()?;
    if v.len() == 1 {
        v.first().copied()
    } else {
        None
    }
}

/// From a terminal event (presses and repeats only).
pub fn from_crossterm(e: &KeyEvent) -> Option<Key> {
    if e.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
    let alt = e.modifiers.contains(KeyModifiers::ALT);
    let code = match e.code {
        KeyCode::Char(c) => Code::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
        KeyCode::Enter => Code::Enter,
        KeyCode::Esc => Code::Esc,
        KeyCode::Tab if e.modifiers.contains(KeyModifiers::SHIFT) => Code::BackTab,
        KeyCode::Tab => Code::Tab,
        KeyCode::BackTab => Code::BackTab,
        KeyCode::Backspace => Code::Backspace,
        KeyCode::Delete => Code::Delete,
        KeyCode::Up => Code::Up,
        KeyCode::Down => Code::Down,
        KeyCode::Left => Code::Left,
        KeyCode::Right => Code::Right,
        KeyCode::Home => Code::Home,
        KeyCode::End => Code::End,
        KeyCode::PageUp => Code::PageUp,
        KeyCode::PageDown => Code::PageDown,
        KeyCode::F(n) => Code::F(n),
        _ => return None,
    };
    Some(Key { code, ctrl, alt })
}

/// To the text area's input type.
pub fn to_textarea(k: &Key) -> Input {
    let key = match k.code {
        Code::Char(c) => TaKey::Char(c),
        Code::Enter => TaKey::Enter,
        Code::Esc => TaKey::Esc,
        Code::Tab | Code::BackTab => TaKey::Tab,
        Code::Backspace => TaKey::Backspace,
        Code::Delete => TaKey::Delete,
        Code::Up => TaKey::Up,
        Code::Down => TaKey::Down,
        Code::Left => TaKey::Left,
        Code::Right => TaKey::Right,
        Code::Home => TaKey::Home,
        Code::End => TaKey::End,
        Code::PageUp => TaKey::PageUp,
        Code::PageDown => TaKey::PageDown,
        Code::F(n) => TaKey::F(n),
    };
    Input {
        key,
        ctrl: k.ctrl,
        alt: k.alt,
        shift: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_words_named_keys_and_text() {
        let v = parse_script("j <Enter> <C-s> ab <Space> <lt> <S-Tab>").unwrap();
        assert_eq!(
            v,
            vec![
                Key::ch('j'),
                Key::plain(Code::Enter),
                Key::ctrl('s'),
                Key::ch('a'),
                Key::ch('b'),
                Key::ch(' '),
                Key::ch('<'),
                Key::plain(Code::BackTab),
            ]
        );
        assert!(parse_script("<Nope>").is_err());
        assert_eq!(parse_script("thành").unwrap().len(), 5);
    }

    #[test]
    fn display_round_trips() {
        for s in ["j", "<Enter>", "<C-s>", "<PgDn>", "<Space>", "?", "<S-Tab>"] {
            let k = spec(s).unwrap();
            assert_eq!(spec(&k.display()), Some(k), "{s}");
        }
    }
}
