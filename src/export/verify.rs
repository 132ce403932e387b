//! `bientap export verify DIR`: re-check a bundle against its own manifest and `SHA256SUMS`, and
//! check that `feed.xml` is well-formed Atom. Every problem is named; none is fatal to the walk.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::format::parse_sha256sums;
use crate::i18n::Lang;
use crate::tr;

/// One mismatch found in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    MissingFile {
        path: String,
    },
    Unreadable {
        path: String,
        error: String,
    },
    DigestMismatch {
        path: String,
        expected: String,
        found: String,
    },
    SizeMismatch {
        path: String,
        expected: u64,
        found: u64,
    },
    /// A file in the bundle that neither the manifest nor `SHA256SUMS` lists.
    Unlisted {
        path: String,
    },
    /// The manifest and `SHA256SUMS` disagree about a file.
    ListsDisagree {
        path: String,
    },
    BadManifest {
        error: String,
    },
    BadSums {
        line: usize,
    },
    BadFeed {
        error: String,
    },
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::MissingFile { path } => tr!(lang, "thiếu tệp {path}", "missing file {path}"),
            Problem::Unreadable { path, error } => {
                tr!(
                    lang,
                    "không đọc được {path}: {error}",
                    "cannot read {path}: {error}"
                )
            }
            Problem::DigestMismatch {
                path,
                expected,
                found,
            } => tr!(
                lang,
                "{path}: SHA-256 sai (ghi {expected}, thực tế {found})",
                "{path}: SHA-256 mismatch (listed {expected}, found {found})"
            ),
            Problem::SizeMismatch {
                path,
                expected,
                found,
            } => tr!(
                lang,
                "{path}: kích thước sai (ghi {expected}, thực tế {found} byte)",
                "{path}: size mismatch (listed {expected}, found {found} bytes)"
            ),
            Problem::Unlisted { path } => tr!(
                lang,
                "{path} có trong gói nhưng không có trong manifest.json/SHA256SUMS",
                "{path} is in the bundle but not listed in manifest.json/SHA256SUMS"
            ),
            Problem::ListsDisagree { path } => tr!(
                lang,
                "{path}: manifest.json và SHA256SUMS ghi khác nhau",
                "{path}: manifest.json and SHA256SUMS disagree"
            ),
            Problem::BadManifest { error } => {
                tr!(
                    lang,
                    "manifest.json hỏng: {error}",
                    "manifest.json is malformed: {error}"
                )
            }
            Problem::BadSums { line } => tr!(
                lang,
                "SHA256SUMS hỏng ở dòng {line}",
                "SHA256SUMS is malformed at line {line}"
            ),
            Problem::BadFeed { error } => {
                tr!(
                    lang,
                    "feed.xml không hợp lệ: {error}",
                    "feed.xml is not valid: {error}"
                )
            }
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub run_id: String,
    pub items: usize,
    pub files: usize,
    pub bytes: u64,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// SHA-256 and size of a file, streamed.
pub fn file_digest(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex::encode(h.finalize()), n))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let p = e.path();
        let ft = e.file_type()?;
        if ft.is_dir() {
            walk(root, &p, out)?;
        } else {
            let rel = p.strip_prefix(root).unwrap_or(&p);
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(rel.join("/"));
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct MFile {
    path: String,
    sha256: String,
    size: u64,
}

#[derive(serde::Deserialize)]
struct MItem {
    #[serde(default)]
    files: Vec<MFile>,
}

#[derive(serde::Deserialize)]
struct Manifest {
    run_id: String,
    items: Vec<MItem>,
    #[serde(default)]
    files: Vec<MFile>,
}

/// Check a bundle directory. `Err` only when the directory itself cannot be read.
pub fn verify(dir: &Path) -> std::io::Result<VerifyReport> {
    let mut rep = VerifyReport::default();
    let meta = std::fs::metadata(dir)?;
    if !meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a directory", dir.display()),
        ));
    }
    // The manifest's view: path → (sha, size).
    let mut listed: BTreeMap<String, (String, u64)> = BTreeMap::new();
    match std::fs::read(dir.join("manifest.json")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            rep.problems.push(Problem::MissingFile {
                path: "manifest.json".into(),
            })
        }
        Err(e) => rep.problems.push(Problem::Unreadable {
            path: "manifest.json".into(),
            error: e.to_string(),
        }),
        Ok(bytes) => match serde_json::from_slice::<Manifest>(&bytes) {
            Err(e) => rep.problems.push(Problem::BadManifest {
                error: e.to_string(),
            }),
            Ok(m) => {
                rep.run_id = m.run_id;
                rep.items = m.items.len();
                for f in m
                    .files
                    .into_iter()
                    .chain(m.items.into_iter().flat_map(|i| i.files))
                {
                    if f.path.split('/').any(|c| c == ".." || c.is_empty())
                        || f.path.starts_with('/')
                    {
                        rep.problems.push(Problem::BadManifest {
                            error: format!("unsafe path {}", f.path),
                        });
                        continue;
                    }
                    listed.insert(f.path, (f.sha256.to_ascii_lowercase(), f.size));
                }
            }
        },
    }
    // SHA256SUMS' view.
    let mut sums: BTreeMap<String, String> = BTreeMap::new();
    match std::fs::read_to_string(dir.join("SHA256SUMS")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            rep.problems.push(Problem::MissingFile {
                path: "SHA256SUMS".into(),
            })
        }
        Err(e) => rep.problems.push(Problem::Unreadable {
            path: "SHA256SUMS".into(),
            error: e.to_string(),
        }),
        Ok(text) => match parse_sha256sums(&text) {
            Err(line) => rep.problems.push(Problem::BadSums { line }),
            Ok(v) => {
                for (h, p) in v {
                    sums.insert(p, h);
                }
            }
        },
    }
    // The files on disk.
    let mut on_disk = Vec::new();
    walk(dir, dir, &mut on_disk)?;
    on_disk.sort();
    for p in &on_disk {
        if p == "SHA256SUMS" {
            continue;
        }
        if !listed.contains_key(p) && p != "manifest.json" || !sums.contains_key(p) {
            rep.problems.push(Problem::Unlisted { path: p.clone() });
        }
    }
    let mut all: BTreeMap<String, Option<(String, u64)>> = BTreeMap::new();
    for (p, v) in &listed {
        all.insert(p.clone(), Some(v.clone()));
    }
    for (p, h) in &sums {
        match listed.get(p) {
            Some((lh, _)) if lh != h => rep
                .problems
                .push(Problem::ListsDisagree { path: p.clone() }),
            None if p != "manifest.json" => rep
                .problems
                .push(Problem::ListsDisagree { path: p.clone() }),
            _ => {}
        }
        all.entry(p.clone()).or_insert(None);
    }
    for (p, want) in &all {
        let path: PathBuf = dir.join(p);
        match file_digest(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                rep.problems.push(Problem::MissingFile { path: p.clone() })
            }
            Err(e) => rep.problems.push(Problem::Unreadable {
                path: p.clone(),
                error: e.to_string(),
            }),
            Ok((h, n)) => {
                rep.files += 1;
                rep.bytes += n;
                let expected = want
                    .as_ref()
                    .map(|(h, _)| h.clone())
                    .or_else(|| sums.get(p).cloned())
                    .unwrap_or_default();
                if expected != h {
                    rep.problems.push(Problem::DigestMismatch {
                        path: p.clone(),
                        expected,
                        found: h,
                    });
                } else if let Some((_, size)) = want {
                    if *size != n {
                        rep.problems.push(Problem::SizeMismatch {
                            path: p.clone(),
                            expected: *size,
                            found: n,
                        });
                    }
                }
            }
        }
    }
    match std::fs::read(dir.join("feed.xml")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            rep.problems.push(Problem::MissingFile {
                path: "feed.xml".into(),
            })
        }
        Err(e) => rep.problems.push(Problem::Unreadable {
            path: "feed.xml".into(),
            error: e.to_string(),
        }),
        Ok(bytes) => {
            if let Err(e) = check_atom(&bytes) {
                rep.problems.push(Problem::BadFeed { error: e });
            }
        }
    }
    rep.problems.dedup();
    Ok(rep)
}

/// Well-formed XML whose root is an Atom `feed` with `id`, `title` and `updated`, and whose
/// entries each have them too.
pub fn check_atom(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let doc = parse_xml(text)?;
    if doc.name != "feed" || doc.xmlns.as_deref() != Some("http://www.w3.org/2005/Atom") {
        return Err("root element is not an Atom <feed>".into());
    }
    for req in ["id", "title", "updated"] {
        if !doc.children.iter().any(|c| c.name == req) {
            return Err(format!("<feed> has no <{req}>"));
        }
    }
    for (i, e) in doc
        .children
        .iter()
        .filter(|c| c.name == "entry")
        .enumerate()
    {
        for req in ["id", "title", "updated"] {
            if !e.children.iter().any(|c| c.name == req) {
                return Err(format!("entry {} has no <{req}>", i + 1));
            }
        }
    }
    Ok(())
}

/// The element tree, names and structure only (enough for the checks above).
#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub xmlns: Option<String>,
    pub children: Vec<Element>,
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == ':'
}
fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || matches!(c, '-' | '.') || c.is_alphanumeric()
}

fn check_text(s: &str, pos: usize) -> Result<(), String> {
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        let after = &rest[i + 1..];
        let end = after
            .find(';')
            .ok_or_else(|| format!("unterminated entity near byte {pos}"))?;
        let ent = &after[..end];
        let ok = matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos")
            || ent
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && u32::from_str_radix(h, 16).is_ok())
            || ent
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.parse::<u32>().is_ok());
        if !ok {
            return Err(format!("unknown entity &{ent}; near byte {pos}"));
        }
        rest = &after[end + 1..];
    }
    if let Some(c) = s
        .chars()
        .find(|c| ((*c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || *c == '<')
    {
        return Err(format!(
            "character U+{:04X} not allowed near byte {pos}",
            c as u32
        ));
    }
    Ok(())
}

/// A strict, small XML 1.0 well-formedness parser: one root, balanced tags, quoted unique
/// attributes, known entities, no stray `<` or `&`, no forbidden control characters.
pub fn parse_xml(text: &str) -> Result<Element, String> {
    let mut s = text.strip_prefix('\u{feff}').unwrap_or(text);
    let base = text.len() - s.len();
    if let Some(rest) = s.strip_prefix("<?xml") {
        let end = rest.find("?>").ok_or("unterminated XML declaration")?;
        s = &rest[end + 2..];
    }
    let pos = |rest: &str| text.len() - rest.len();
    let _ = base;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        // Text up to the next tag.
        let next = s.find('<');
        let (txt, rest) = match next {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        };
        if stack.is_empty() {
            if !txt.trim().is_empty() {
                return Err(format!(
                    "text outside the root element near byte {}",
                    pos(s)
                ));
            }
        } else {
            check_text(txt, pos(s))?;
        }
        s = rest;
        if s.is_empty() {
            break;
        }
        if let Some(r) = s.strip_prefix("<!--") {
            let end = r.find("-->").ok_or("unterminated comment")?;
            s = &r[end + 3..];
            continue;
        }
        if let Some(r) = s.strip_prefix("<![CDATA[") {
            if stack.is_empty() {
                return Err("CDATA outside the root element".into());
            }
            let end = r.find("]]>").ok_or("unterminated CDATA section")?;
            s = &r[end + 3..];
            continue;
        }
        if let Some(r) = s.strip_prefix("<?") {
            let end = r.find("?>").ok_or("unterminated processing instruction")?;
            s = &r[end + 2..];
            continue;
        }
        if s.starts_with("<!") {
            return Err(format!(
                "DOCTYPE/declarations are not allowed (byte {})",
                pos(s)
            ));
        }
        if let Some(r) = s.strip_prefix("</") {
            let end = r.find('>').ok_or("unterminated end tag")?;
            let name = r[..end].trim_end();
            let open = stack
                .pop()
                .ok_or_else(|| format!("end tag </{name}> without a start tag"))?;
            if open.name != name {
                return Err(format!(
                    "end tag </{name}> does not match <{}> near byte {}",
                    open.name,
                    pos(s)
                ));
            }
            s = &r[end + 1..];
            match stack.last_mut() {
                Some(parent) => parent.children.push(open),
                None => {
                    if root.is_some() {
                        return Err("more than one root element".into());
                    }
                    root = Some(open);
                }
            }
            continue;
        }
        // Start tag.
        let r = &s[1..];
        let name_len = r
            .char_indices()
            .find(|(_, c)| !is_name_char(*c))
            .map(|(i, _)| i)
            .unwrap_or(r.len());
        let name = &r[..name_len];
        if name.is_empty() || !name.chars().next().is_some_and(is_name_start) {
            return Err(format!("bad tag name near byte {}", pos(s)));
        }
        if stack.is_empty() && root.is_some() {
            return Err("more than one root element".into());
        }
        let mut el = Element {
            name: name.to_string(),
            ..Default::default()
        };
        let mut a = &r[name_len..];
        let mut seen: Vec<String> = Vec::new();
        let self_closing;
        loop {
            let t = a.trim_start();
            let had_space = t.len() != a.len();
            a = t;
            if let Some(rest) = a.strip_prefix("/>") {
                self_closing = true;
                a = rest;
                break;
            }
            if let Some(rest) = a.strip_prefix('>') {
                self_closing = false;
                a = rest;
                break;
            }
            if a.is_empty() {
                return Err(format!("unterminated start tag <{name}>"));
            }
            if !had_space {
                return Err(format!(
                    "attributes of <{name}> must be separated by spaces"
                ));
            }
            let an_len = a
                .char_indices()
                .find(|(_, c)| !is_name_char(*c))
                .map(|(i, _)| i)
                .unwrap_or(a.len());
            let an = &a[..an_len];
            if an.is_empty() {
                return Err(format!("bad attribute in <{name}> near byte {}", pos(a)));
            }
            let rest = a[an_len..].trim_start();
            let rest = rest
                .strip_prefix('=')
                .ok_or_else(|| format!("attribute {an} of <{name}> has no value"))?
                .trim_start();
            let q = rest
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .ok_or_else(|| format!("attribute {an} of <{name}> is not quoted"))?;
            let body = &rest[1..];
            let end = body
                .find(q)
                .ok_or_else(|| format!("unterminated attribute {an} of <{name}>"))?;
            let value = &body[..end];
            check_text(value, pos(body))?;
            if seen.iter().any(|x| x == an) {
                return Err(format!("duplicate attribute {an} in <{name}>"));
            }
            seen.push(an.to_string());
            if an == "xmlns" {
                el.xmlns = Some(value.to_string());
            }
            a = &body[end + 1..];
        }
        s = a;
        if self_closing {
            match stack.last_mut() {
                Some(parent) => parent.children.push(el),
                None => root = Some(el),
            }
        } else {
            stack.push(el);
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("element <{}> is not closed", open.name));
    }
    root.ok_or_else(|| "no root element".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_atom_passes() {
        let x = "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>a</id><title>T &amp; U</title><updated>x</updated><entry><id>1</id><title>t</title><updated>u</updated><link href=\"a?b=1&amp;c\"/></entry></feed>";
        assert_eq!(check_atom(x.as_bytes()), Ok(()));
    }

    #[test]
    fn malformed_xml_is_named() {
        for bad in [
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>a</feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>a & b</id></feed>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>a</id></feed><x/>",
            "<feed xmlns=http://www.w3.org/2005/Atom></feed>",
            "<feed a=\"1\" a=\"2\"></feed>",
            "<feed><id>\u{1}</id></feed>",
        ] {
            assert!(
                parse_xml(bad).is_err() || check_atom(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
        assert!(check_atom(b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><updated>u</updated></feed>")
            .unwrap_err()
            .contains("<id>"));
    }
}
