//! Styles by meaning. The 16 ANSI colours by default; with `NO_COLOR` set, no colour at all but
//! the selection keeps REVERSED/BOLD. State is never shown by colour alone: every styled row
//! also carries a symbol or a word.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Normal,
    Selected,
    Muted,
    Danger,
    Warning,
    Ok,
    Title,
    Heading,
    TabActive,
    Tab,
    Key,
    Status,
    Added,
    Removed,
    Tagged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    /// Colours unless `NO_COLOR` is set to a non-empty value (no-color.org).
    pub fn from_env() -> Theme {
        let no = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme::new(!no)
    }

    pub fn style(&self, role: Role) -> Style {
        let s = Style::default();
        let (fg, modifier): (Option<Color>, Modifier) = match role {
            Role::Normal => (None, Modifier::empty()),
            Role::Selected => (None, Modifier::REVERSED | Modifier::BOLD),
            Role::Muted => (Some(Color::DarkGray), Modifier::empty()),
            Role::Danger => (Some(Color::Red), Modifier::BOLD),
            Role::Warning => (Some(Color::Yellow), Modifier::empty()),
            Role::Ok => (Some(Color::Green), Modifier::empty()),
            Role::Title => (None, Modifier::BOLD),
            Role::Heading => (Some(Color::Cyan), Modifier::BOLD),
            Role::TabActive => (None, Modifier::REVERSED | Modifier::BOLD),
            Role::Tab => (None, Modifier::empty()),
            Role::Key => (Some(Color::Cyan), Modifier::BOLD),
            Role::Status => (None, Modifier::empty()),
            Role::Added => (Some(Color::Green), Modifier::empty()),
            Role::Removed => (Some(Color::Red), Modifier::empty()),
            Role::Tagged => (Some(Color::Magenta), Modifier::BOLD),
        };
        let s = s.add_modifier(modifier);
        match (self.color, fg) {
            (true, Some(c)) => s.fg(c),
            _ => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_selection_visible() {
        let t = Theme::new(false);
        for r in [Role::Danger, Role::Warning, Role::Muted, Role::Added] {
            assert_eq!(t.style(r).fg, None);
        }
        assert!(t
            .style(Role::Selected)
            .add_modifier
            .contains(Modifier::REVERSED));
        assert!(t
            .style(Role::Selected)
            .add_modifier
            .contains(Modifier::BOLD));
        assert_eq!(Theme::new(true).style(Role::Danger).fg, Some(Color::Red));
    }
}
