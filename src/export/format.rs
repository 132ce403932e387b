//! The text formats of a bundle: YAML front matter, IPTC ninjs JSON, the Atom feed, the manifest
//! and `SHA256SUMS`. Pure functions of their inputs (no I/O), so they are tested directly.

use serde::{Deserialize, Serialize};

use crate::store::export::{ExportApproval, ExportItem, ExportKind};

/// Escape a string as a YAML double-quoted scalar (always quoted: no YAML type guessing, no
/// `yes`/`no`/`null` surprises, no injection of keys through newlines).
pub fn yaml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escape text for XML 1.0 content and attribute values; drops characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// ASCII slug of Vietnamese text: diacritics folded (đ→d), lower case, words joined by `-`.
pub fn slugify(s: &str, max: usize) -> String {
    let folded = crate::store::fold_index(s);
    let mut out = String::new();
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            if out.len() >= max {
                break;
            }
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// The folder of an item inside `content/<category>/`: `<id>-<slug of the title it was first
/// exported with>`, so later takedowns and corrections land in the same folder.
pub fn item_slug(item: &ExportItem) -> String {
    let title = item.first_title.as_deref().unwrap_or(&item.title);
    let s = slugify(title, 60);
    if s.is_empty() {
        item.id.to_string()
    } else {
        format!("{}-{s}", item.id)
    }
}

/// The section (category) folder name: the category code reduced to `[a-z0-9-]`.
pub fn section_name(code: &str) -> String {
    let s = slugify(code, 60);
    if s.is_empty() {
        "khac".to_string()
    } else {
        s
    }
}

/// A safe file name for an attachment: folded to `[a-z0-9._-]`, never hidden, never one of the
/// bundle's own file names, unique within the item (a `-2`, `-3`… suffix).
pub fn attachment_name(name: &str, ext: &str, taken: &[String]) -> String {
    let (stem, given_ext) = match name.rsplit_once('.') {
        Some((s, e))
            if !s.is_empty()
                && !e.is_empty()
                && e.len() <= 10
                && e.chars().all(|c| c.is_alphanumeric()) =>
        {
            (s, e)
        }
        _ => (name, ""),
    };
    let mut stem = slugify(stem, 80);
    if stem.is_empty() {
        stem = "tep".into();
    }
    let ext_src = if given_ext.is_empty() { ext } else { given_ext };
    let ext: String = crate::store::fold_index(ext_src)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(10)
        .collect();
    let make = |n: usize| {
        let s = if n == 1 {
            stem.clone()
        } else {
            format!("{stem}-{n}")
        };
        if ext.is_empty() {
            s
        } else {
            format!("{s}.{ext}")
        }
    };
    let mut n = 1;
    loop {
        let cand = make(n);
        let reserved = matches!(cand.as_str(), "index.md" | "item.json" | "_index.md")
            || cand.starts_with("index.");
        if !reserved && !taken.iter().any(|t| t == &cand) {
            return cand;
        }
        n += 1;
    }
}

/// Hugo treats `{{<` and `{{%` in content as shortcode calls: neutralise every `{{` in item text
/// (rendered back as `{{` through the HTML entity) so that no submitted text can call one.
pub fn neutralise_shortcodes(s: &str) -> String {
    s.replace("{{", "&#123;&#123;")
}

/// Context shared by all items of one bundle.
#[derive(Debug, Clone)]
pub struct BundleMeta {
    pub run_id: String,
    pub profile_id: String,
    pub agency: String,
    pub site_name: String,
    pub site_url: String,
    pub board_name: String,
    /// When the bundle was made (RFC 3339 UTC).
    pub created_at: String,
    /// The previous run's time, if any (start of the range this bundle covers).
    pub range_from: Option<String>,
    pub audit_head: String,
}

impl BundleMeta {
    fn host(&self) -> String {
        let u = self.site_url.trim();
        let rest = u.split_once("://").map(|(_, r)| r).unwrap_or(u);
        let host: String = rest
            .split(['/', ':', '?', '#'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            .collect::<String>()
            .to_ascii_lowercase();
        if host.is_empty() {
            "bientap.invalid".into()
        } else {
            host
        }
    }

    /// A stable tag URI (RFC 4151) for an item: the same in every bundle, so that a takedown
    /// names the entry it cancels.
    pub fn item_uri(&self, item: &ExportItem) -> String {
        let year = item.received_at.get(..4).unwrap_or("2000");
        format!(
            "tag:{},{year}:{}/item/{}",
            self.host(),
            self.profile_id,
            item.id
        )
    }

    pub fn feed_uri(&self) -> String {
        let year = self.created_at.get(..4).unwrap_or("2000");
        format!(
            "tag:{},{year}:{}/export/{}",
            self.host(),
            self.profile_id,
            self.run_id
        )
    }

    pub fn page_url(&self, section: &str, slug: &str) -> String {
        let base = self.site_url.trim().trim_end_matches('/');
        format!("{base}/{section}/{slug}/")
    }
}

/// One item as placed in the bundle.
#[derive(Debug, Clone)]
pub struct Placed<'a> {
    pub item: &'a ExportItem,
    pub kind: ExportKind,
    /// Item version the ledger records for this bundle.
    pub version: i64,
    pub section: String,
    pub slug: String,
    pub category_name: String,
    /// Publication time shown on the page.
    pub date: String,
    /// Reason codes with their labels (takedowns and holds).
    pub reasons: Vec<(String, String)>,
    /// Attachment file names in the item folder, in order.
    pub attachment_files: Vec<String>,
}

impl Placed<'_> {
    pub fn dir(&self) -> String {
        format!("content/{}/{}", self.section, self.slug)
    }

    /// The approval time of the final approve step, if any.
    pub fn approved_at(&self, approve_steps: &[String]) -> Option<String> {
        self.item
            .approvals
            .iter()
            .rev()
            .find(|a| approve_steps.contains(&a.step))
            .map(|a| a.at.clone())
    }
}

fn yaml_approvals(out: &mut String, approvals: &[ExportApproval]) {
    if approvals.is_empty() {
        out.push_str("approvals: []\n");
        return;
    }
    out.push_str("approvals:\n");
    for a in approvals {
        out.push_str(&format!(
            "  - step: {}\n    by: {}\n    role: {}\n    at: {}\n",
            yaml_str(&a.step),
            yaml_str(&a.by),
            yaml_str(&a.role),
            yaml_str(&a.at)
        ));
    }
}

/// `index.md`: YAML front matter and the Markdown body. Canceled and withheld items carry no body
/// and are drafts, so Hugo stops rendering the page when the folder replaces the earlier one.
pub fn index_md(p: &Placed<'_>) -> String {
    let it = p.item;
    let mut s = String::with_capacity(it.body.len() + it.lead.len() + 1024);
    s.push_str("---\n");
    s.push_str(&format!("title: {}\n", yaml_str(&it.title)));
    s.push_str(&format!("date: {}\n", yaml_str(&p.date)));
    s.push_str(&format!("lastmod: {}\n", yaml_str(&it.updated_at)));
    s.push_str(&format!("category: {}\n", yaml_str(&it.category)));
    s.push_str(&format!("categories: [{}]\n", yaml_str(&p.category_name)));
    s.push_str(&format!("author: {}\n", yaml_str(&it.author)));
    s.push_str(&format!("unit: {}\n", yaml_str(&it.unit)));
    s.push_str(&format!("source_kind: {}\n", yaml_str(&it.src_kind)));
    s.push_str(&format!("source: {}\n", yaml_str(&it.src_name)));
    s.push_str(&format!("source_url: {}\n", yaml_str(&it.src_url)));
    match &it.src_date {
        Some(d) => s.push_str(&format!("source_date: {}\n", yaml_str(d))),
        None => s.push_str("source_date: null\n"),
    }
    yaml_approvals(&mut s, &it.approvals);
    s.push_str(&format!("pubstatus: {}\n", yaml_str(p.kind.as_str())));
    s.push_str(&format!("bientap_id: {}\n", it.id));
    s.push_str(&format!("bientap_version: {}\n", p.version));
    if p.kind != ExportKind::Usable {
        s.push_str("draft: true\n");
        s.push_str("reasons:\n");
        if p.reasons.is_empty() {
            s.push_str("  []\n");
        }
        for (code, label) in &p.reasons {
            s.push_str(&format!(
                "  - code: {}\n    label: {}\n",
                yaml_str(code),
                yaml_str(label)
            ));
        }
    }
    s.push_str("---\n");
    if p.kind == ExportKind::Usable {
        if !it.lead.trim().is_empty() {
            s.push_str(&format!(
                "**{}**\n\n",
                neutralise_shortcodes(it.lead.trim())
            ));
        }
        s.push_str(&neutralise_shortcodes(&it.body));
        if !s.ends_with('\n') {
            s.push('\n');
        }
        if !p.attachment_files.is_empty() {
            s.push('\n');
            for f in &p.attachment_files {
                s.push_str(&format!("- [{f}]({f})\n"));
            }
        }
    }
    s
}

/// `item.json`: IPTC ninjs 2.x.
pub fn ninjs(meta: &BundleMeta, p: &Placed<'_>, mimes: &[(String, String, u64)]) -> String {
    let it = p.item;
    let usable = p.kind == ExportKind::Usable;
    let mut v = serde_json::json!({
        "uri": meta.item_uri(it),
        "standard": {"name": "ninjs", "version": "2.1", "schema": "https://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"},
        "type": "text",
        "version": p.version.to_string(),
        "firstcreated": it.received_at,
        "versioncreated": p.date,
        "pubstatus": p.kind.as_str(),
        "language": "vi",
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": it.title}],
        "subjects": [{"name": p.category_name, "uri": format!("{}/{}/", meta.site_url.trim_end_matches('/'), p.section)}],
        "by": it.author,
        "copyrightholder": meta.agency,
        "usageterms": format!("Nguồn: {} ({}). Ghi rõ nguồn khi phát hành lại thông tin.", meta.site_name, meta.site_url),
        "infosources": infosources(meta, it),
    });
    if let Some(obj) = v.as_object_mut() {
        if usable {
            let mut bodies = Vec::new();
            bodies.push(serde_json::json!({"role": "main", "contenttype": "text/markdown", "value": it.body}));
            obj.insert("bodies".into(), serde_json::Value::Array(bodies));
            if !it.lead.trim().is_empty() {
                obj.insert(
                    "descriptions".into(),
                    serde_json::json!([{"role": "summary", "contenttype": "text/plain", "value": it.lead}]),
                );
            }
            let renditions: Vec<serde_json::Value> = mimes
                .iter()
                .map(|(name, mime, size)| {
                    serde_json::json!({"name": name, "href": name, "contenttype": mime, "sizeinbytes": size})
                })
                .collect();
            if !renditions.is_empty() {
                obj.insert("renditions".into(), serde_json::Value::Array(renditions));
            }
        } else {
            let codes: Vec<String> = p
                .reasons
                .iter()
                .map(|(c, l)| {
                    if l.is_empty() {
                        c.clone()
                    } else {
                        format!("{c}: {l}")
                    }
                })
                .collect();
            obj.insert(
                "ednote".into(),
                serde_json::Value::String(if codes.is_empty() {
                    p.kind.as_str().to_string()
                } else {
                    codes.join("; ")
                }),
            );
        }
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn infosources(meta: &BundleMeta, it: &ExportItem) -> serde_json::Value {
    let mut v = Vec::new();
    if !it.src_name.is_empty() || !it.src_url.is_empty() {
        let mut o = serde_json::json!({"name": it.src_name, "role": "originfo"});
        if !it.src_url.is_empty() {
            o["uri"] = serde_json::Value::String(it.src_url.clone());
        }
        v.push(o);
    }
    v.push(serde_json::json!({"name": meta.site_name, "uri": meta.site_url, "role": "publisher"}));
    serde_json::Value::Array(v)
}

/// `feed.xml`: an Atom feed (RFC 4287) of the batch. Entry ids are the items' stable tag URIs.
pub fn atom_feed(meta: &BundleMeta, placed: &[Placed<'_>]) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n");
    s.push_str(&format!("  <id>{}</id>\n", xml_escape(&meta.feed_uri())));
    s.push_str(&format!(
        "  <title>{}</title>\n",
        xml_escape(&format!("{} — {}", meta.site_name, meta.run_id))
    ));
    s.push_str(&format!(
        "  <updated>{}</updated>\n",
        xml_escape(&meta.created_at)
    ));
    s.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(if meta.board_name.is_empty() {
            &meta.agency
        } else {
            &meta.board_name
        })
    ));
    if !meta.site_url.is_empty() {
        s.push_str(&format!(
            "  <link rel=\"alternate\" href=\"{}\"/>\n",
            xml_escape(&meta.site_url)
        ));
    }
    s.push_str("  <generator>bientap</generator>\n");
    for p in placed {
        let it = p.item;
        s.push_str("  <entry>\n");
        s.push_str(&format!(
            "    <id>{}</id>\n",
            xml_escape(&meta.item_uri(it))
        ));
        s.push_str(&format!("    <title>{}</title>\n", xml_escape(&it.title)));
        s.push_str(&format!("    <updated>{}</updated>\n", xml_escape(&p.date)));
        if p.kind == ExportKind::Usable {
            s.push_str(&format!(
                "    <published>{}</published>\n",
                xml_escape(&p.date)
            ));
        }
        if !it.author.is_empty() {
            s.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                xml_escape(&it.author)
            ));
        }
        s.push_str(&format!(
            "    <category term=\"{}\" label=\"{}\"/>\n",
            xml_escape(&it.category),
            xml_escape(&p.category_name)
        ));
        s.push_str(&format!(
            "    <category scheme=\"https://iptc.org/std/ninjs/pubstatus\" term=\"{}\"/>\n",
            p.kind.as_str()
        ));
        if !meta.site_url.is_empty() {
            s.push_str(&format!(
                "    <link rel=\"alternate\" href=\"{}\"/>\n",
                xml_escape(&meta.page_url(&p.section, &p.slug))
            ));
        }
        match p.kind {
            ExportKind::Usable => {
                if !it.lead.trim().is_empty() {
                    s.push_str(&format!(
                        "    <summary>{}</summary>\n",
                        xml_escape(&it.lead)
                    ));
                }
                s.push_str(&format!(
                    "    <content type=\"text\">{}</content>\n",
                    xml_escape(&it.body)
                ));
            }
            _ => {
                let reasons: Vec<&str> = p.reasons.iter().map(|(c, _)| c.as_str()).collect();
                s.push_str(&format!(
                    "    <summary>{}</summary>\n",
                    xml_escape(&format!(
                        "pubstatus: {}{}",
                        p.kind.as_str(),
                        if reasons.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", reasons.join(", "))
                        }
                    ))
                ));
            }
        }
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}

/// A file of the bundle with its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path relative to the bundle root, `/`-separated.
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// `SHA256SUMS` in the format `sha256sum -c` reads (text mode: two spaces).
pub fn sha256sums(files: &[FileEntry]) -> String {
    let mut sorted: Vec<&FileEntry> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut s = String::new();
    for f in sorted {
        s.push_str(&format!("{}  {}\n", f.sha256, f.path));
    }
    s
}

/// Parse `SHA256SUMS`; malformed lines are returned as errors with their line number.
pub fn parse_sha256sums(text: &str) -> Result<Vec<(String, String)>, usize> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let Some((hash, rest)) = line.split_once(' ') else {
            return Err(i + 1);
        };
        let path = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'));
        let Some(path) = path else {
            return Err(i + 1);
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) || path.is_empty() {
            return Err(i + 1);
        }
        out.push((hash.to_ascii_lowercase(), path.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_cannot_break_out() {
        let evil = "a\"\nevil: true\\ \u{1b}[31m";
        let q = yaml_str(evil);
        assert!(!q.contains('\n'));
        assert!(q.starts_with('"') && q.ends_with('"'));
        assert_eq!(q, "\"a\\\"\\nevil: true\\\\ \\x1B[31m\"");
    }

    #[test]
    fn xml_escape_covers_markup_and_drops_forbidden_controls() {
        assert_eq!(
            xml_escape("<a href='x'>&\"\u{0}\u{8}</a>"),
            "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }

    #[test]
    fn slugs_fold_vietnamese() {
        assert_eq!(
            slugify("Hội nghị tổng kết công tác Tư pháp năm 2026", 60),
            "hoi-nghi-tong-ket-cong-tac-tu-phap-nam-2026"
        );
        assert_eq!(slugify("Đảng bộ — ĐỊNH hướng!", 60), "dang-bo-dinh-huong");
        assert_eq!(section_name(""), "khac");
        assert_eq!(section_name("../etc"), "etc");
    }

    #[test]
    fn attachment_names_are_safe_and_unique() {
        let mut taken = Vec::new();
        let a = attachment_name("Quyết định số 12.pdf", "pdf", &taken);
        assert_eq!(a, "quyet-dinh-so-12.pdf");
        taken.push(a);
        let b = attachment_name("Quyết định số 12.pdf", "pdf", &taken);
        assert_eq!(b, "quyet-dinh-so-12-2.pdf");
        assert_eq!(attachment_name("../../.ssh/x", "", &[]), "ssh-x");
        assert_eq!(attachment_name("index.md", "", &[]), "index-2.md");
        assert_eq!(attachment_name(".bashrc", "", &[]), "bashrc");
    }

    #[test]
    fn shortcodes_are_neutralised() {
        let s = neutralise_shortcodes("x {{< readfile \"/etc/passwd\" >}} y {{% z %}}");
        assert!(!s.contains("{{"));
    }

    #[test]
    fn sha256sums_round_trip() {
        let files = vec![
            FileEntry {
                path: "b".into(),
                sha256: "a".repeat(64),
                size: 1,
            },
            FileEntry {
                path: "a b".into(),
                sha256: "b".repeat(64),
                size: 2,
            },
        ];
        let text = sha256sums(&files);
        assert!(text.starts_with(&format!("{}  a b\n", "b".repeat(64))));
        let parsed = parse_sha256sums(&text).unwrap_or_default();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].1, "a b");
        assert_eq!(parse_sha256sums("zz  x\n"), Err(1));
    }
}
