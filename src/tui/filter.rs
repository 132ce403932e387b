//! The limit pattern language (like mutt's): `~s text` title, `~c code` category, `~u unit`,
//! `~a login` assignee, `~o` overdue, `~d <3` due within 3 days (`~d >3` later than 3 days),
//! `~D` has a duplicate candidate; `!` not, `|` or, juxtaposition and, parentheses. A bare word
//! means `~s word`. Parsed to an AST (pure), compiled to SQL with bound parameters.

use rusqlite::types::Value;

use crate::domain::item::State;
use crate::i18n::Lang;
use crate::store::queue::Where;
use crate::tr;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Title(String),
    /// Categories whose code starts with this text.
    Category(String),
    /// Exactly this category code (an index walks it in queue order).
    CategoryIs(String),
    Unit(String),
    Assignee(String),
    Overdue,
    /// Due within (`Less`) or after (`More`) this many days from now.
    Due(Cmp, u32),
    HasDuplicate,
    /// Used by the console itself ("my work"): items in a state.
    InState(Vec<State>),
    /// Items whose next approval step is one of these indexes.
    AtStep(Vec<usize>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    /// Constants left by `for_state`.
    Const(bool),
}

impl Expr {
    /// `~c` naming a whole category code of the profile becomes an exact match, which the
    /// category index answers in queue order (a prefix needs a scan window).
    pub fn exact_categories(&self, is_code: &dyn Fn(&str) -> bool) -> Expr {
        match self {
            Expr::Category(c) if is_code(c) => Expr::CategoryIs(c.clone()),
            Expr::Not(x) => Expr::Not(Box::new(x.exact_categories(is_code))),
            Expr::And(v) => Expr::And(v.iter().map(|x| x.exact_categories(is_code)).collect()),
            Expr::Or(v) => Expr::Or(v.iter().map(|x| x.exact_categories(is_code)).collect()),
            other => other.clone(),
        }
    }

    /// The condition as it applies to items of one state: state tests become constants and are
    /// folded away, so that each state's query keeps its index.
    pub fn for_state(&self, st: State) -> Expr {
        match self {
            Expr::InState(v) => Expr::Const(v.contains(&st)),
            Expr::Not(x) => match x.for_state(st) {
                Expr::Const(b) => Expr::Const(!b),
                y => Expr::Not(Box::new(y)),
            },
            Expr::And(v) => {
                let mut out = Vec::new();
                for x in v {
                    match x.for_state(st) {
                        Expr::Const(true) => {}
                        Expr::Const(false) => return Expr::Const(false),
                        y => out.push(y),
                    }
                }
                match out.len() {
                    0 => Expr::Const(true),
                    1 => out.remove(0),
                    _ => Expr::And(out),
                }
            }
            Expr::Or(v) => {
                let mut out = Vec::new();
                for x in v {
                    match x.for_state(st) {
                        Expr::Const(false) => {}
                        Expr::Const(true) => return Expr::Const(true),
                        y => out.push(y),
                    }
                }
                match out.len() {
                    0 => Expr::Const(false),
                    1 => out.remove(0),
                    _ => Expr::Or(out),
                }
            }
            other => other.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Less,
    More,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Op(char),
    Word(String),
    Open,
    Close,
    Not,
    Or,
}

/// Why a pattern does not parse, in the user's language.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub vi: String,
    pub en: String,
}

impl ParseError {
    fn new(vi: String, en: String) -> Self {
        ParseError { vi, en }
    }
    pub fn message(&self, lang: Lang) -> String {
        lang.pick(&self.vi, &self.en).to_string()
    }
}

fn lex(s: &str) -> Result<Vec<Tok>, ParseError> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '!' => {
                out.push(Tok::Not);
                i += 1;
            }
            '|' => {
                out.push(Tok::Or);
                i += 1;
            }
            '~' => {
                let op = cs.get(i + 1).copied().ok_or_else(|| {
                    ParseError::new(
                        "thiếu chữ sau ~ (ví dụ ~s, ~c, ~o)".into(),
                        "a letter must follow ~ (e.g. ~s, ~c, ~o)".into(),
                    )
                })?;
                out.push(Tok::Op(op));
                i += 2;
            }
            '"' => {
                let mut w = String::new();
                i += 1;
                while i < cs.len() && cs[i] != '"' {
                    w.push(cs[i]);
                    i += 1;
                }
                if i >= cs.len() {
                    return Err(ParseError::new(
                        "thiếu dấu \" đóng".into(),
                        "missing closing \"".into(),
                    ));
                }
                i += 1;
                out.push(Tok::Word(w));
            }
            _ => {
                let mut w = String::new();
                while i < cs.len() && !cs[i].is_whitespace() && !matches!(cs[i], '(' | ')' | '|') {
                    w.push(cs[i]);
                    i += 1;
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut v = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Expr::Or(v)
        })
    }
    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut v = Vec::new();
        while let Some(t) = self.peek() {
            if matches!(t, Tok::Or | Tok::Close) {
                break;
            }
            v.push(self.unary()?);
        }
        match v.len() {
            0 => Err(ParseError::new(
                "thiếu điều kiện".into(),
                "a condition is missing".into(),
            )),
            1 => Ok(v.remove(0)),
            _ => Ok(Expr::And(v)),
        }
    }
    fn word(&mut self, op: char) -> Result<String, ParseError> {
        match self.next() {
            Some(Tok::Word(w)) => Ok(w),
            _ => Err(ParseError::new(
                format!("~{op} cần một giá trị"),
                format!("~{op} needs a value"),
            )),
        }
    }
    fn unary(&mut self) -> Result<Expr, ParseError> {
        match self.next() {
            Some(Tok::Not) => Ok(Expr::Not(Box::new(self.unary()?))),
            Some(Tok::Open) => {
                let e = self.or()?;
                match self.next() {
                    Some(Tok::Close) => Ok(e),
                    _ => Err(ParseError::new("thiếu dấu )".into(), "missing )".into())),
                }
            }
            Some(Tok::Word(w)) => Ok(Expr::Title(w)),
            Some(Tok::Op(op)) => match op {
                's' => Ok(Expr::Title(self.word(op)?)),
                'c' => Ok(Expr::Category(self.word(op)?)),
                'u' => Ok(Expr::Unit(self.word(op)?)),
                'a' => Ok(Expr::Assignee(self.word(op)?)),
                'o' => Ok(Expr::Overdue),
                'D' => Ok(Expr::HasDuplicate),
                'd' => {
                    let w = self.word(op)?;
                    let (cmp, n) = if let Some(n) = w.strip_prefix('<') {
                        (Cmp::Less, n)
                    } else if let Some(n) = w.strip_prefix('>') {
                        (Cmp::More, n)
                    } else {
                        (Cmp::Less, w.as_str())
                    };
                    let n: u32 = n.trim().parse().map_err(|_| {
                        ParseError::new(
                            format!("~d cần số ngày, ví dụ ~d <3 (không phải \"{w}\")"),
                            format!("~d needs a number of days, e.g. ~d <3 (not \"{w}\")"),
                        )
                    })?;
                    Ok(Expr::Due(cmp, n))
                }
                other => Err(ParseError::new(
                    format!("không có ~{other}; dùng ~s ~c ~u ~a ~o ~d ~D"),
                    format!("there is no ~{other}; use ~s ~c ~u ~a ~o ~d ~D"),
                )),
            },
            Some(Tok::Close) => Err(ParseError::new("dấu ) thừa".into(), "unexpected )".into())),
            Some(Tok::Or) | None => Err(ParseError::new(
                "thiếu điều kiện".into(),
                "a condition is missing".into(),
            )),
        }
    }
}

/// Parse a pattern. The text is normalised to NFC first.
pub fn parse(s: &str) -> Result<Expr, ParseError> {
    let s = crate::text_input(s);
    let toks = lex(&s)?;
    if toks.is_empty() {
        return Err(ParseError::new(
            "mẫu lọc trống".into(),
            "the pattern is empty".into(),
        ));
    }
    let mut p = Parser { toks, pos: 0 };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return Err(ParseError::new("dấu ) thừa".into(), "unexpected )".into()));
    }
    Ok(e)
}

fn like_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

fn compile_into(e: &Expr, now: chrono::DateTime<chrono::Utc>, p: &mut Vec<Value>) -> String {
    let text = |s: &str| Value::Text(s.to_string());
    match e {
        Expr::Title(t) => {
            let words = title_words_of(t);
            if words.is_empty() {
                "1".into()
            } else {
                // Evaluated on each row the page's index walk looks at (see `store::has_words`);
                // the FTS form `id IN (… MATCH …)` built every title match first (≈ 120 ms a page
                // at a million items).
                p.push(text(&words.join(" ")));
                "bt_has_words(title, ?)".into()
            }
        }
        Expr::Category(c) => {
            p.push(text(&format!("{}%", like_escape(c))));
            "category LIKE ? ESCAPE '\\'".into()
        }
        Expr::CategoryIs(c) => {
            p.push(text(c));
            "category = ?".into()
        }
        Expr::Unit(u) => {
            p.push(text(&format!("%{}%", like_escape(u))));
            "unit LIKE ? ESCAPE '\\'".into()
        }
        Expr::Assignee(a) => {
            p.push(text(a));
            "assignee IS ?".into()
        }
        Expr::Overdue => {
            p.push(text(&crate::store::ts(now)));
            format!(
                "(due_at IS NOT NULL AND due_at < ? AND state IN {})",
                crate::domain::item::State::DEADLINE_RUNS_SQL
            )
        }
        Expr::Due(cmp, days) => {
            let t = now + chrono::Duration::days(i64::from(*days));
            p.push(text(&crate::store::ts(t)));
            match cmp {
                Cmp::Less => format!(
                    "(due_at IS NOT NULL AND due_at <= ? AND state IN {})",
                    crate::domain::item::State::DEADLINE_RUNS_SQL
                ),
                Cmp::More => format!(
                    "(due_at IS NOT NULL AND due_at > ? AND state IN {})",
                    crate::domain::item::State::DEADLINE_RUNS_SQL
                ),
            }
        }
        Expr::HasDuplicate => "dup_score IS NOT NULL".into(),
        Expr::Const(b) => if *b { "1" } else { "0" }.into(),
        Expr::InState(states) => {
            if states.is_empty() {
                return "0".into();
            }
            let marks: Vec<&str> = states
                .iter()
                .map(|s| {
                    p.push(text(s.as_str()));
                    "?"
                })
                .collect();
            format!("state IN ({})", marks.join(","))
        }
        Expr::AtStep(steps) => {
            if steps.is_empty() {
                return "0".into();
            }
            let marks: Vec<&str> = steps
                .iter()
                .map(|s| {
                    p.push(Value::Integer(*s as i64));
                    "?"
                })
                .collect();
            format!("step IN ({})", marks.join(","))
        }
        Expr::Not(x) => format!("NOT ({})", compile_into(x, now, p)),
        Expr::And(v) => {
            let parts: Vec<String> = v
                .iter()
                .map(|x| format!("({})", compile_into(x, now, p)))
                .collect();
            parts.join(" AND ")
        }
        Expr::Or(v) => {
            let parts: Vec<String> = v
                .iter()
                .map(|x| format!("({})", compile_into(x, now, p)))
                .collect();
            parts.join(" OR ")
        }
    }
}

/// The folded words of a `~s` text, as `bt_has_words` takes them.
fn title_words_of(t: &str) -> Vec<String> {
    crate::text::fold::fold(t)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The folded title words (space-separated) that every item matching `e` has in its title:
/// the words of the `~s` terms `e` requires (itself, or terms of an AND). None when `e` does
/// not require any (`!~s`, `~s a | ~c b`, no `~s`). The store reads such a filter from the
/// title index when the words are rare.
pub fn title_words(e: &Expr) -> Option<String> {
    fn collect(e: &Expr, out: &mut Vec<String>) {
        match e {
            Expr::Title(t) => out.extend(title_words_of(t)),
            Expr::And(v) => v.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    let mut words = Vec::new();
    collect(e, &mut words);
    (!words.is_empty()).then(|| words.join(" "))
}

/// Compile to a SQL condition over `items`; user text goes only into the parameters.
pub fn compile(e: &Expr, now: chrono::DateTime<chrono::Utc>) -> Where {
    let mut params = Vec::new();
    let sql = compile_into(e, now, &mut params);
    Where { sql, params }
}

/// A short message for the status line when a pattern is set.
pub fn describe(e: &Expr, lang: Lang) -> String {
    match e {
        Expr::Title(t) => tr!(
            lang,
            "tiêu đề có \"{}\"",
            "title has \"{}\"",
            super::safe(t)
        ),
        Expr::Category(c) | Expr::CategoryIs(c) => {
            tr!(lang, "chuyên mục {}", "category {}", super::safe(c))
        }
        Expr::Unit(u) => tr!(lang, "đơn vị {}", "unit {}", super::safe(u)),
        Expr::Assignee(a) => tr!(lang, "giao cho {}", "assigned to {}", super::safe(a)),
        Expr::Overdue => lang.pick("quá hạn", "overdue").into(),
        Expr::Due(Cmp::Less, n) => tr!(lang, "hạn trong {n} ngày", "due within {n} days"),
        Expr::Due(Cmp::More, n) => tr!(lang, "hạn sau {n} ngày", "due after {n} days"),
        Expr::HasDuplicate => lang.pick("nghi trùng", "possible duplicate").into(),
        Expr::Const(b) => if *b { "*" } else { "∅" }.into(),
        Expr::InState(v) => v
            .iter()
            .map(|s| s.label(lang))
            .collect::<Vec<_>>()
            .join("/"),
        Expr::AtStep(v) => tr!(lang, "bước {:?}", "step {:?}", v),
        Expr::Not(x) => format!("!({})", describe(x, lang)),
        Expr::And(v) => v
            .iter()
            .map(|x| describe(x, lang))
            .collect::<Vec<_>>()
            .join(" & "),
        Expr::Or(v) => v
            .iter()
            .map(|x| describe(x, lang))
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> chrono::DateTime<chrono::Utc> {
        crate::store::parse_ts("2026-11-20T03:00:00Z").unwrap()
    }

    #[test]
    fn precedence_not_and_or_parens() {
        assert_eq!(
            parse("~o ~c tin | !~D").unwrap(),
            Expr::Or(vec![
                Expr::And(vec![Expr::Overdue, Expr::Category("tin".into())]),
                Expr::Not(Box::new(Expr::HasDuplicate)),
            ])
        );
        assert_eq!(
            parse("~o (~a lan | ~a minh)").unwrap(),
            Expr::And(vec![
                Expr::Overdue,
                Expr::Or(vec![
                    Expr::Assignee("lan".into()),
                    Expr::Assignee("minh".into())
                ])
            ])
        );
        assert_eq!(parse("~d <3").unwrap(), Expr::Due(Cmp::Less, 3));
        assert_eq!(parse("~d >10").unwrap(), Expr::Due(Cmp::More, 10));
        assert_eq!(
            parse("~s \"thi hành án\"").unwrap(),
            Expr::Title("thi hành án".into())
        );
        assert_eq!(
            parse("hội nghị").unwrap(),
            Expr::And(vec![Expr::Title("hội".into()), Expr::Title("nghị".into())])
        );
    }

    #[test]
    fn errors_are_explained() {
        for bad in ["", "~", "~x", "~s", "(~o", "~o)", "~d soon", "|", "\"open"] {
            let e = parse(bad).unwrap_err();
            assert!(!e.message(Lang::Vi).is_empty(), "{bad}");
            assert!(!e.message(Lang::En).is_empty(), "{bad}");
        }
    }

    #[test]
    fn user_text_is_bound_never_interpolated() {
        let e = parse("~u \"x' OR 1=1 --\" | ~a \"'; DROP TABLE items;\"").unwrap();
        let w = compile(&e, now());
        assert!(!w.sql.contains("DROP"));
        assert!(!w.sql.contains("OR 1=1"));
        assert_eq!(w.sql.matches('?').count(), w.params.len());
        assert_eq!(w.params[0], Value::Text("%x' OR 1=1 --%".into()));
    }

    #[test]
    fn state_tests_fold_per_state() {
        use crate::domain::item::State::*;
        let e = Expr::Or(vec![
            Expr::InState(vec![Received, Returned]),
            Expr::And(vec![
                Expr::InState(vec![Editing]),
                Expr::Assignee("lan".into()),
            ]),
        ]);
        assert_eq!(e.for_state(Received), Expr::Const(true));
        assert_eq!(e.for_state(Editing), Expr::Assignee("lan".into()));
        assert_eq!(e.for_state(Published), Expr::Const(false));
        assert_eq!(
            Expr::Not(Box::new(e)).for_state(Received),
            Expr::Const(false)
        );
    }

    #[test]
    fn due_window_is_relative_to_now() {
        let w = compile(&Expr::Due(Cmp::Less, 3), now());
        assert_eq!(w.params, vec![Value::Text("2026-11-23T03:00:00Z".into())]);
        let w = compile(&Expr::Overdue, now());
        assert_eq!(w.params, vec![Value::Text("2026-11-20T03:00:00Z".into())]);
    }

    #[test]
    fn a_whole_category_code_becomes_an_exact_indexed_match() {
        let is_code = |c: &str| c == "tin-tuc";
        let e = parse("~c tin-tuc | !~c tin")
            .unwrap()
            .exact_categories(&is_code);
        assert_eq!(
            e,
            Expr::Or(vec![
                Expr::CategoryIs("tin-tuc".into()),
                Expr::Not(Box::new(Expr::Category("tin".into())))
            ])
        );
        let w = compile(&Expr::CategoryIs("tin-tuc".into()), now());
        assert_eq!(w.sql, "category = ?");
    }
}
