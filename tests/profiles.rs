//! The bundled regulation profiles against their seed texts, and the loader's errors.
//!
//! The seed texts (the regulations in full) are read from `assets/seeds/` (or `$BIENTAP_SEEDS`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use bientap::domain::profile::{
    Anchor, Capability, PeriodUnit, Profile, QuotaPer, QuotaSubject, ReasonKind, StepKind,
};
use bientap::i18n::Lang;
use bientap::profile::{
    bundled_text, load_bundled, load_file, parse, resolve, validate, ProblemKind, ProfileErrorKind,
    BUNDLED_IDS, CHECK_CODES,
};

// ------------------------------------------------------------------ helpers

fn seeds_dir() -> PathBuf {
    let dir = std::env::var_os("BIENTAP_SEEDS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/seeds"));
    assert!(
        dir.is_dir(),
        "seed texts not found in {} (set BIENTAP_SEEDS)",
        dir.display()
    );
    dir
}

/// Whitespace collapsed to single spaces (seed 001 breaks lines inside sentences).
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn seed_of(p: &Profile) -> String {
    let path = seeds_dir().join(&p.source.seed);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    norm(&text)
}

fn profile(id: &str) -> Profile {
    load_bundled(id).unwrap_or_else(|e| panic!("{}", e.messages(Lang::En).join("\n")))
}

/// The text of "Điều n" of a normalised seed: from its heading to the next article's heading.
fn article(seed: &str, n: u32) -> Option<&str> {
    let start = [format!("Điều {n}."), format!("Điều {n}:")]
        .iter()
        .filter_map(|h| seed.find(h.as_str()))
        .min()?;
    let rest = &seed[start..];
    let end = [format!("Điều {}.", n + 1), format!("Điều {}:", n + 1)]
        .iter()
        .filter_map(|h| rest.find(h.as_str()))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The text of clause k of an article ("k." or "k)" up to the next clause).
fn clause(art: &str, k: u32) -> Option<&str> {
    let start = [format!(" {k}. "), format!(" {k}) ")]
        .iter()
        .filter_map(|h| art.find(h.as_str()))
        .min()?;
    let rest = &art[start + 1..];
    let end = [format!(" {}. ", k + 1), format!(" {}) ", k + 1)]
        .iter()
        .filter_map(|h| rest.find(h.as_str()))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

fn first_number(s: &str) -> Option<u32> {
    let digits: String = s
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Checks that a citation like "Điều 10 khoản 1 điểm b, c; Điều 8 khoản 2" names articles,
/// clauses and points that exist in the seed. Citations of other instruments ("Quyết định …")
/// are skipped.
fn assert_citation_in_seed(seed: &str, citation: &str, what: &str) {
    for part in citation.split(';').map(str::trim) {
        let Some(rest) = part.strip_prefix("Điều ") else {
            assert!(
                part.starts_with("Quyết định"),
                "{what}: unexpected citation {part:?}"
            );
            continue;
        };
        let n =
            first_number(rest).unwrap_or_else(|| panic!("{what}: no article number in {part:?}"));
        let art = article(seed, n)
            .unwrap_or_else(|| panic!("{what}: the seed has no Điều {n} ({part:?})"));
        let Some((_, after_k)) = rest.split_once("khoản ") else {
            continue;
        };
        let (k_list, points) = match after_k.split_once(" điểm ") {
            Some((k, pts)) => (k, Some(pts)),
            None => (after_k, None),
        };
        for k in k_list.split([',', '-']).filter_map(first_number) {
            let cl = clause(art, k)
                .unwrap_or_else(|| panic!("{what}: Điều {n} has no khoản {k} ({part:?})"));
            if let Some(pts) = points {
                for pt in pts.split(',').map(str::trim) {
                    assert!(
                        cl.contains(&format!("{pt}) ")),
                        "{what}: Điều {n} khoản {k} has no điểm {pt} ({part:?})"
                    );
                }
            }
        }
    }
}

fn reject_codes(p: &Profile) -> BTreeSet<String> {
    p.reasons
        .iter()
        .filter(|r| r.kind == ReasonKind::Reject)
        .map(|r| r.code.clone())
        .collect()
}

fn set(xs: &[&str]) -> BTreeSet<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the test profile"))
        + 1
}

// ------------------------------------------------------------------ the bundled profiles

#[test]
fn every_bundled_profile_loads_validates_and_matches_its_id() {
    for id in BUNDLED_IDS {
        let p = profile(id);
        assert_eq!(p.id, id);
        assert!(validate(&p).is_empty());
        assert!(bundled_text(id).is_some());
        // resolve() takes the same ids.
        assert_eq!(resolve(id).map(|q| q.id), Ok(id.to_string()));
    }
}

#[test]
fn seeds_are_the_files_named_in_the_brief() {
    let prefixes = ["000_", "001_", "002_", "003_", "004_"];
    for (id, prefix) in BUNDLED_IDS.iter().zip(prefixes) {
        let p = profile(id);
        assert!(p.source.seed.starts_with(prefix), "{id}: {}", p.source.seed);
        assert!(seeds_dir().join(&p.source.seed).is_file());
    }
}

#[test]
fn every_citation_points_at_an_article_clause_and_point_of_the_seed() {
    for id in BUNDLED_IDS {
        let p = profile(id);
        let seed = seed_of(&p);
        let mut cites: Vec<(String, &str)> = Vec::new();
        for r in &p.roles {
            if !r.article.is_empty() {
                cites.push((format!("{id} role {}", r.code), &r.article));
            }
        }
        for c in &p.categories {
            cites.push((format!("{id} category {}", c.code), &c.article));
        }
        for d in &p.deadlines {
            cites.push((format!("{id} deadline {}", d.code), &d.article));
        }
        for s in &p.steps {
            cites.push((format!("{id} step {}", s.code), &s.article));
        }
        for r in &p.reasons {
            cites.push((format!("{id} reason {}", r.code), &r.citation));
        }
        for q in &p.quotas {
            cites.push((format!("{id} quota"), &q.article));
        }
        if let Some(e) = &p.escalation {
            cites.push((format!("{id} escalation"), &e.article));
        }
        let it = &p.intake;
        for a in [
            &it.identity_article,
            &it.types_article,
            &it.unicode_article,
            &it.unit_approval_article,
            &it.stamped_article,
            &it.attribution_article,
            &it.source_check_article,
            &it.duplicate_article,
        ] {
            if !a.is_empty() {
                cites.push((format!("{id} intake"), a));
            }
        }
        for (what, c) in cites {
            assert_citation_in_seed(&seed, c, &what);
        }
    }
}

#[test]
fn source_number_and_date_appear_in_the_seed() {
    for id in BUNDLED_IDS {
        let p = profile(id);
        let seed = seed_of(&p);
        let s = &p.source;
        if s.number.is_empty() {
            // Only where the text really carries no decision header.
            assert!(
                !seed.contains("Quyết định số"),
                "{id}: the seed has a decision number"
            );
            assert!(s.date.is_empty());
            continue;
        }
        assert!(
            seed.contains(&s.number),
            "{id}: number {} not in the seed",
            s.number
        );
        let parts: Vec<&str> = s.date.split('-').collect();
        let found = match parts.as_slice() {
            [y, m, d] => {
                let (mn, dn): (u32, u32) = (m.parse().unwrap(), d.parse().unwrap());
                [format!("{d:0>2}"), dn.to_string()].iter().any(|dd| {
                    [format!("{m:0>2}"), mn.to_string()]
                        .iter()
                        .any(|mm| seed.contains(&format!("ngày {dd} tháng {mm} năm {y}")))
                })
            }
            [y, m] => seed.contains(&format!("/{m}/{y}")),
            [y] => seed.contains(&format!("/{y}")),
            _ => false,
        };
        assert!(found, "{id}: date {} not in the seed", s.date);
        assert!(
            seed.contains(&norm(&s.issuer)) || id == "xa-hai-duong",
            "{id}: issuer"
        );
    }
    // 004 is issued by the commune People's Committee.
    assert!(seed_of(&profile("xa-hai-duong")).contains("UỶ BAN NHÂN DÂN XÃ HẢI DƯƠNG"));
}

#[test]
fn refusal_grounds_of_000_and_001_are_article_10_2_a_to_g() {
    for id in ["thads-hai-duong", "thads-thai-nguyen"] {
        let p = profile(id);
        let seed = seed_of(&p);
        assert_eq!(
            reject_codes(&p),
            set(&["10.2.a", "10.2.b", "10.2.c", "10.2.d", "10.2.e", "10.2.g"]),
            "{id}"
        );
        let art = article(&seed, 10).unwrap();
        let cl = clause(art, 2).unwrap();
        for r in p.reasons.iter().filter(|r| r.kind == ReasonKind::Reject) {
            let point = r.code.rsplit('.').next().unwrap();
            assert_eq!(
                r.citation,
                format!("Điều 10 khoản 2 điểm {point}"),
                "{id} {}",
                r.code
            );
            // The label is the ground exactly as the text words it, under its own letter.
            assert!(
                cl.contains(&format!("{point}) {}", r.label_vi)),
                "{id} {}: {:?}",
                r.code,
                r.label_vi
            );
        }
        assert_eq!(
            p.reason("10.2.d").and_then(|r| r.check.as_deref()),
            Some("duplicate")
        );
    }
}

#[test]
fn refusal_grounds_of_002_are_article_12_3_a_to_dd_and_returns_cite_4_2() {
    let p = profile("stp-binh-phuoc");
    let seed = seed_of(&p);
    assert_eq!(
        reject_codes(&p),
        set(&["12.3.a", "12.3.b", "12.3.c", "12.3.d", "12.3.đ"])
    );
    let cl = clause(article(&seed, 12).unwrap(), 3).unwrap();
    for r in p.reasons.iter().filter(|r| r.kind == ReasonKind::Reject) {
        let point = r.code.rsplit('.').next().unwrap();
        assert_eq!(r.citation, format!("Điều 12 khoản 3 điểm {point}"));
        assert!(
            cl.contains(&format!("{point}) {}", r.label_vi)),
            "{}: {:?}",
            r.code,
            r.label_vi
        );
    }
    // Điều 4 khoản 2: Unicode, scope (Điều 5) and preparation (Điều 9 khoản 1) send the item back.
    for code in [
        "khong-unicode",
        "ngoai-pham-vi",
        "thieu-duyet-don-vi",
        "sai-loai-tep",
        "thieu-danh-tinh",
        "thieu-ban-dau",
    ] {
        let r = p.reason(code).unwrap_or_else(|| panic!("{code}"));
        assert_eq!(r.kind, ReasonKind::Return, "{code}");
        assert!(
            r.citation.starts_with("Điều 4 khoản 2"),
            "{code}: {}",
            r.citation
        );
    }
    assert!(article(&seed, 4)
        .unwrap()
        .contains("Điều 5 và Khoản 1 Điều 9 sẽ không đủ điều kiện đăng tải"));
}

#[test]
fn refusal_grounds_of_003_are_the_content_clauses_of_article_8() {
    let p = profile("snv-hung-yen");
    let seed = seed_of(&p);
    assert_eq!(reject_codes(&p), set(&["8.1", "8.2", "8.5", "8.6", "8.7"]));
    let art = article(&seed, 8).unwrap();
    let phrases = [
        ("8.1", "Điều 16 Luật An ninh mạng năm 2018"),
        ("8.2", "thuộc danh mục cấm"),
        ("8.5", "phần mềm độc hại"),
        ("8.6", "Điều 31, Điều 38 Bộ Luật Dân sự"),
        ("8.7", "sở hữu trí tuệ, về giao dịch thương mại điện tử"),
    ];
    for (code, phrase) in phrases {
        let r = p.reason(code).unwrap();
        let k: u32 = code[2..].parse().unwrap();
        assert_eq!(r.citation, format!("Điều 8 khoản {k}"));
        assert!(clause(art, k).unwrap().contains(phrase), "{code}");
    }
    // Điều 10 khoản 3 is the return rule.
    for r in p.reasons.iter().filter(|r| r.kind == ReasonKind::Return) {
        assert!(
            r.citation.starts_with("Điều 10 khoản 3"),
            "{}: {}",
            r.code,
            r.citation
        );
    }
}

#[test]
fn refusal_grounds_of_004_are_the_three_demands_of_article_10() {
    let p = profile("xa-hai-duong");
    let seed = seed_of(&p);
    assert_eq!(
        reject_codes(&p),
        set(&["10.chinh-xac", "10.nguon-goc", "10.sao-chep"])
    );
    let art = article(&seed, 10).unwrap();
    for (code, phrase) in [
        ("10.chinh-xac", "đảm bảo tính chính xác"),
        ("10.nguon-goc", "có nguồn gốc rõ ràng"),
        (
            "10.sao-chep",
            "không được phép sao chép hay sử dụng bài viết của người khác",
        ),
    ] {
        assert_eq!(p.reason(code).unwrap().citation, "Điều 10");
        assert!(art.contains(phrase), "{code}");
    }
}

#[test]
fn return_reasons_name_known_checks_and_cover_the_intake_checks_each_text_supports() {
    let expected: [(&str, &[&str]); 5] = [
        (
            "thads-hai-duong",
            &[
                "identity",
                "unit-approval",
                "stamped",
                "unicode",
                "file-types",
                "attribution",
                "source",
            ],
        ),
        (
            "thads-thai-nguyen",
            &[
                "identity",
                "unit-approval",
                "stamped",
                "unicode",
                "file-types",
                "attribution",
                "source",
            ],
        ),
        (
            "stp-binh-phuoc",
            &[
                "identity",
                "unit-approval",
                "stamped",
                "unicode",
                "file-types",
                "source",
            ],
        ),
        (
            "snv-hung-yen",
            &[
                "identity",
                "unit-approval",
                "unicode",
                "file-types",
                "attribution",
            ],
        ),
        ("xa-hai-duong", &["identity", "unicode", "attribution"]),
    ];
    for (id, checks) in expected {
        let p = profile(id);
        let got: BTreeSet<String> = p
            .reasons
            .iter()
            .filter(|r| r.kind == ReasonKind::Return)
            .filter_map(|r| r.check.clone())
            .collect();
        assert_eq!(got, set(checks), "{id}");
        for r in &p.reasons {
            if let Some(c) = &r.check {
                assert!(CHECK_CODES.contains(&c.as_str()), "{id} {}: {c}", r.code);
            }
        }
    }
}

#[test]
fn approval_chains_follow_the_texts() {
    // 000/001 Điều 10.1.b: a member checks, then the Tổ trưởng or Tổ phó approves.
    for (id, head) in [
        ("thads-hai-duong", "cuc-truong"),
        ("thads-thai-nguyen", "truong-thads"),
    ] {
        let p = profile(id);
        let seed = seed_of(&p);
        let kinds: Vec<_> = p.steps.iter().map(|s| (s.code.as_str(), s.kind)).collect();
        assert_eq!(
            kinds,
            [("kiem-tra", StepKind::Verify), ("duyet", StepKind::Approve)],
            "{id}"
        );
        assert!(p.steps[0].roles.contains(&"thanh-vien".to_string()));
        assert_eq!(p.steps[1].roles, ["to-truong", "to-pho"]);
        assert!(seed.contains("Thành viên Tổ biên tập phải kiểm tra nội dung tin, bài và gửi Tổ trưởng hoặc Tổ phó Tổ biên tập duyệt"));
        let e = p.escalation.as_ref().unwrap();
        assert_eq!((e.role.as_str(), e.before_step.as_str()), (head, "duyet"));
        assert!(p.role(head).unwrap().has(Capability::Opinion));
        assert!(
            seed.contains(&format!("xin ý kiến {}", p.role(head).unwrap().title_vi)),
            "{id}"
        );
    }

    // 002 Điều 15: edit, verify (delegable), final check (delegable); the Thư ký posts.
    let p = profile("stp-binh-phuoc");
    let seed = seed_of(&p);
    let kinds: Vec<_> = p
        .steps
        .iter()
        .map(|s| (s.code.as_str(), s.kind, s.delegable))
        .collect();
    assert_eq!(
        kinds,
        [
            ("bien-tap", StepKind::Edit, false),
            ("xac-thuc", StepKind::Verify, true),
            ("kiem-tra-cuoi", StepKind::Approve, true)
        ]
    );
    assert_eq!(p.steps[1].roles, ["truong-ban"]);
    assert_eq!(p.steps[2].roles, ["truong-ban"]);
    assert!(p.role("thu-ky").unwrap().has(Capability::Publish));
    assert!(!p.role("truong-ban").unwrap().has(Capability::Publish));
    let art15 = article(&seed, 15).unwrap();
    assert!(art15.contains(
        "Bước 2: Xác thực thông tin Trưởng Ban Biên tập hoặc thành viên Ban Biên tập được ủy quyền"
    ));
    assert!(art15.contains("chuyển cho Thư ký Ban Biên tập thực hiện việc đăng tải"));

    // 003: the board approves (Trưởng Ban or Phó Trưởng Ban); Lãnh đạo Sở per Điều 9.4.
    let p = profile("snv-hung-yen");
    assert_eq!(
        p.steps.last().map(|s| (s.code.as_str(), s.kind)),
        Some(("duyet", StepKind::Approve))
    );
    assert_eq!(
        p.steps.last().unwrap().roles,
        ["truong-ban", "pho-truong-ban"]
    );
    assert_eq!(
        p.escalation.as_ref().map(|e| e.role.as_str()),
        Some("giam-doc")
    );
    assert!(clause(article(&seed_of(&p), 9).unwrap(), 4)
        .unwrap()
        .contains("phải được Lãnh đạo Sở phê duyệt"));

    // 004 Điều 4.3, 7.1: the Trưởng Ban approves everything, in one step.
    let p = profile("xa-hai-duong");
    assert_eq!(p.steps.len(), 1);
    assert_eq!(
        (p.steps[0].kind, p.steps[0].roles.clone()),
        (StepKind::Approve, vec!["truong-ban".to_string()])
    );
    assert!(p.escalation.is_none());
    assert!(clause(article(&seed_of(&p), 7).unwrap(), 1)
        .unwrap()
        .contains("kiểm duyệt, quyết định, xác thực"));
}

#[test]
fn each_profile_has_its_operator_its_head_and_its_decision_makers() {
    let expected = [
        (
            "thads-hai-duong",
            "dau-moi",
            "cuc-truong",
            &["to-truong", "to-pho"][..],
        ),
        (
            "thads-thai-nguyen",
            "dau-moi",
            "truong-thads",
            &["to-truong", "to-pho"][..],
        ),
        (
            "stp-binh-phuoc",
            "thu-ky",
            "giam-doc",
            &["truong-ban", "pho-truong-ban"][..],
        ),
        (
            "snv-hung-yen",
            "dau-moi",
            "giam-doc",
            &["truong-ban", "pho-truong-ban"][..],
        ),
        ("xa-hai-duong", "thu-ky", "truong-ban", &["truong-ban"][..]),
    ];
    for (id, admin, head, deciders) in expected {
        let p = profile(id);
        let a = p.admin_role().unwrap();
        assert_eq!(a.code, admin, "{id}");
        assert!(a.has(Capability::Intake));
        let heads: Vec<&str> = p
            .roles_with(Capability::Opinion)
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(heads, [head], "{id}");
        let d: Vec<&str> = p
            .roles_with(Capability::Decide)
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(d, deciders, "{id}");
        // The head's title is the one the text uses.
        assert!(
            seed_of(&p).contains(&p.agency.head_title),
            "{id}: {}",
            p.agency.head_title
        );
    }
    // Where the text has a Thư ký, it is the operator.
    for id in ["stp-binh-phuoc", "xa-hai-duong"] {
        assert!(seed_of(&profile(id)).contains("Thư ký Ban"));
    }
}

#[test]
fn deadlines_follow_the_texts() {
    let p = profile("stp-binh-phuoc");
    let seed = seed_of(&p);
    let d = p.deadline("tin-tuc").unwrap();
    assert_eq!(
        (d.anchor, d.unit, d.amount),
        (Anchor::Event, PeriodUnit::AdminHours, 12)
    );
    assert!(seed.contains("Không quá 12 giờ hành chính kể từ khi diễn ra hoạt động, sự kiện"));
    let d = p.deadline("tra-loi").unwrap();
    assert_eq!(
        (d.anchor, d.unit, d.amount, d.extended_amount),
        (Anchor::Receipt, PeriodUnit::WorkingDays, 15, Some(30))
    );
    assert!(seed.contains("Không quá 15 ngày làm việc kể từ khi tiếp nhận ý kiến, kiến nghị"));
    assert!(seed.contains("Không quá 30 làm việc kể từ khi tiếp nhận"));
    let d = p.deadline("bao-cao-quy").unwrap();
    assert_eq!(
        (d.anchor, d.unit, d.amount),
        (Anchor::PeriodEnd, PeriodUnit::FirstDaysNextQuarter, 10)
    );
    assert_eq!(
        p.category("hoi-dap").and_then(|c| c.deadline.as_deref()),
        Some("tra-loi")
    );

    let p = profile("thads-hai-duong");
    let seed = seed_of(&p);
    let d = p.deadline("tin-tuc").unwrap();
    assert_eq!(
        (d.anchor, d.unit, d.amount),
        (Anchor::Event, PeriodUnit::CalendarDays, 1)
    );
    assert!(seed.contains("Không quá 01 ngày kể từ khi diễn ra hoạt động, sự kiện"));
    let d = p.deadline("chi-dao-dieu-hanh").unwrap();
    assert_eq!(
        (d.anchor, d.unit, d.amount),
        (Anchor::Issuance, PeriodUnit::WorkingDays, 2)
    );
    assert_eq!(
        p.category("tin-tuc").and_then(|c| c.deadline.as_deref()),
        Some("tin-tuc")
    );

    let p = profile("xa-hai-duong");
    let seed = seed_of(&p);
    let d = p.deadline("tin-tuc").unwrap();
    assert_eq!(
        (d.anchor, d.unit, d.amount),
        (Anchor::Event, PeriodUnit::WorkingDays, 1)
    );
    assert!(seed.contains("không quá 01 ngày làm việc kể từ khi diễn ra hoạt động, sự kiện"));
    let d = p.deadline("hoi-nghi").unwrap();
    assert_eq!(
        (d.anchor, d.unit, d.amount),
        (Anchor::Conference, PeriodUnit::WorkingDays, 2)
    );

    let p = profile("snv-hung-yen");
    assert_eq!(
        p.deadline("chi-dao-dieu-hanh").map(|d| (d.anchor, d.unit)),
        Some((Anchor::Issuance, PeriodUnit::Immediate))
    );
}

#[test]
fn allowed_file_types_of_000_and_001_are_exactly_the_list_of_article_8_1() {
    for id in ["thads-hai-duong", "thads-thai-nguyen"] {
        let p = profile(id);
        let seed = seed_of(&p);
        let cl = clause(article(&seed, 8).unwrap(), 1).unwrap();
        let listed: BTreeSet<String> = cl
            .split("*.")
            .skip(1)
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect()
            })
            .collect();
        let ours: BTreeSet<String> = p.intake.allowed_types.iter().cloned().collect();
        assert_eq!(ours, listed, "{id}");
        assert_eq!(listed.len(), 17);
    }
    // 002 Điều 9.1.a: Word and OpenOffice documents, jpg, gif, bmp.
    let p = profile("stp-binh-phuoc");
    for t in ["doc", "docx", "odt", "jpg", "gif", "bmp"] {
        assert!(p.intake.allowed_types.iter().any(|x| x == t), "{t}");
    }
}

#[test]
fn quotas_follow_the_texts() {
    let q = |id: &str| -> Vec<(QuotaSubject, QuotaPer, u32, Option<u32>)> {
        profile(id)
            .quotas
            .iter()
            .map(|q| (q.subject, q.per, q.min, q.max))
            .collect()
    };
    assert_eq!(
        q("stp-binh-phuoc"),
        [
            (QuotaSubject::Unit, QuotaPer::Month, 1, Some(2)),
            (QuotaSubject::Site, QuotaPer::WorkingDay, 1, None)
        ]
    );
    assert_eq!(
        q("xa-hai-duong"),
        [
            (QuotaSubject::Member, QuotaPer::Month, 1, Some(2)),
            (QuotaSubject::Site, QuotaPer::WorkingDay, 1, None)
        ]
    );
    assert!(q("thads-hai-duong").is_empty());
    assert!(seed_of(&profile("stp-binh-phuoc")).contains("từ 01 đến 02 tin, bài/01 tháng"));
    assert!(seed_of(&profile("xa-hai-duong")).contains("ít nhất từ 01 đến 02 tin bài/tháng"));
}

#[test]
fn channels_of_004_name_the_staff_article_8_names() {
    let p = profile("xa-hai-duong");
    let seed = seed_of(&p);
    assert_eq!(p.categories.len(), 13); // 12 clauses, clause 5 names two channels
    for c in &p.categories {
        assert!(!c.responsible.is_empty(), "{}", c.code);
        for who in &c.responsible {
            // Either a role code of the profile or a person the text names.
            assert!(
                p.role(who).is_some() || seed.contains(who.as_str()),
                "{}: {who}",
                c.code
            );
        }
    }
    assert_eq!(
        p.category("gioi-thieu").unwrap().responsible,
        ["Trần Nhất Bi"]
    );
}

// ------------------------------------------------------------------ malformed profiles

/// A small valid profile; the tests below break one thing at a time.
const MINI: &str = r#"id = "mini"

[source]
title = "Quy chế thử"
number = "1/QĐ-X"
date = "2024-01-31"
issuer = "Giám đốc"

[agency]
name = "Sở X"
site_name = "Trang X"
board_name = "Ban Biên tập"
head_title = "Giám đốc"

[[roles]]
code = "giam-doc"
title_vi = "Giám đốc"
title_en = "Director"
can = ["opinion"]

[[roles]]
code = "to-truong"
title_vi = "Tổ trưởng"
title_en = "Head"
can = ["decide", "escalate"]

[[roles]]
code = "thu-ky"
title_vi = "Thư ký"
title_en = "Secretary"
can = ["admin", "intake", "publish"]

[[categories]]
code = "tin-tuc"
name_vi = "Tin tức"
name_en = "News"
article = "Điều 7"
deadline = "tin"

[[deadlines]]
code = "tin"
label_vi = "Tin"
label_en = "News"
anchor = "event"
unit = "working-days"
amount = 1
article = "Điều 7"

[[steps]]
code = "kiem-tra"
name_vi = "Kiểm tra"
name_en = "Check"
kind = "verify"
roles = ["thu-ky"]
article = "Điều 10"

[[steps]]
code = "duyet"
name_vi = "Duyệt"
name_en = "Approve"
kind = "approve"
roles = ["to-truong"]
article = "Điều 10"

[escalation]
role = "giam-doc"
before_step = "duyet"
article = "Điều 10"

[[reasons]]
code = "10.2.a"
kind = "reject"
label_vi = "Ngoài phạm vi"
label_en = "Out of scope"
citation = "Điều 10 khoản 2 điểm a"

[[reasons]]
code = "thieu-danh-tinh"
kind = "return"
label_vi = "Thiếu danh tính"
label_en = "Identity missing"
citation = "Điều 8"
check = "identity"

[intake]
identity_fields = ["name", "email"]
identity_article = "Điều 8"
allowed_types = ["pdf", "doc"]
types_article = "Điều 8"
unicode_article = "Điều 8"

[[admin_hours]]
from = "01-01"
to = "12-31"
periods = ["07:30-11:30", "13:30-17:00"]
"#;

/// Replaces exactly one occurrence (so the tests break what they mean to break).
fn with(from: &str, to: &str) -> String {
    assert_eq!(
        MINI.matches(from).count(),
        1,
        "{from:?} must occur once in MINI"
    );
    MINI.replacen(from, to, 1)
}

/// Parses, expects a semantic problem, returns (line, first problem kind, vi message, en message).
fn invalid(text: &str) -> (usize, ProblemKind, String, String) {
    let e = parse("profile.toml", text).expect_err("the profile should be rejected");
    let ProfileErrorKind::Invalid { problems } = &e.kind else {
        panic!("expected a semantic problem, got {}", e.message(Lang::En))
    };
    (
        e.line.expect("a line"),
        problems[0].problem.kind.clone(),
        e.message(Lang::Vi),
        e.message(Lang::En),
    )
}

#[test]
fn the_mini_profile_is_valid() {
    let p = parse("profile.toml", MINI)
        .unwrap_or_else(|e| panic!("{}", e.messages(Lang::En).join("\n")));
    assert_eq!(p.steps.len(), 2);
}

#[test]
fn a_step_naming_an_unknown_role_is_reported_at_that_role() {
    let text = with(
        r#"roles = ["to-truong"]"#,
        "roles = [\n  \"to-truong\",\n  \"to-pho\",\n]",
    );
    let (line, kind, vi, en) = invalid(&text);
    assert_eq!(line, line_of(&text, "\"to-pho\","));
    assert_eq!(
        kind,
        ProblemKind::UnknownStepRole {
            step: "duyet".into(),
            role: "to-pho".into()
        }
    );
    assert_eq!(
        vi,
        format!("profile.toml:{line}: bước \"duyet\" nêu vai trò không có: \"to-pho\"")
    );
    assert_eq!(
        en,
        format!("profile.toml:{line}: step \"duyet\" names a role that does not exist: \"to-pho\"")
    );
}

#[test]
fn duplicate_codes_are_reported_at_the_second_one() {
    let text = with("code = \"thu-ky\"", "code = \"to-truong\"");
    let (line, kind, vi, _) = invalid(&text);
    // The first "to-truong" is the original role; the duplicate is the one that replaced thu-ky.
    let second = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "code = \"to-truong\"")
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert_eq!(line, second);
    assert!(matches!(kind, ProblemKind::Duplicate { code, .. } if code == "to-truong"));
    assert!(vi.contains("mã vai trò bị trùng: \"to-truong\""), "{vi}");

    let text = with("code = \"thieu-danh-tinh\"", "code = \"10.2.a\"");
    let (line, kind, _, en) = invalid(&text);
    assert_eq!(
        line,
        text.lines()
            .enumerate()
            .filter(|(_, l)| *l == "code = \"10.2.a\"")
            .nth(1)
            .unwrap()
            .0
            + 1
    );
    assert!(matches!(kind, ProblemKind::Duplicate { code, .. } if code == "10.2.a"));
    assert!(en.contains("duplicate reason code: \"10.2.a\""), "{en}");

    let text = with("code = \"kiem-tra\"", "code = \"duyet\"");
    let (line, kind, _, _) = invalid(&text);
    assert_eq!(
        line,
        text.lines()
            .enumerate()
            .filter(|(_, l)| *l == "code = \"duyet\"")
            .nth(1)
            .unwrap()
            .0
            + 1
    );
    assert!(matches!(kind, ProblemKind::Duplicate { code, .. } if code == "duyet"));
}

#[test]
fn a_category_naming_an_unknown_deadline_is_reported() {
    let text = with("deadline = \"tin\"", "deadline = \"tin-nhanh\"");
    let (line, kind, vi, _) = invalid(&text);
    assert_eq!(line, line_of(&text, "deadline = \"tin-nhanh\""));
    assert_eq!(
        kind,
        ProblemKind::UnknownDeadline {
            category: "tin-tuc".into(),
            deadline: "tin-nhanh".into()
        }
    );
    assert!(vi.contains("chuyên mục \"tin-tuc\" nêu thời hạn không có: \"tin-nhanh\""));
}

#[test]
fn the_approve_step_must_exist_and_be_last() {
    let text = with("kind = \"verify\"", "kind = \"approve\"");
    let (line, kind, _, en) = invalid(&text);
    assert_eq!(line, line_of(&text, "kind = \"approve\""));
    assert_eq!(
        kind,
        ProblemKind::ApproveNotLast {
            step: "kiem-tra".into()
        }
    );
    assert!(en.contains("must be the last step"));

    let text = with("kind = \"approve\"", "kind = \"verify\"");
    let (_, kind, _, _) = invalid(&text);
    assert_eq!(kind, ProblemKind::NoApproveStep);
}

#[test]
fn escalation_must_name_a_known_role_with_opinion_and_a_known_step() {
    let text = with("role = \"giam-doc\"", "role = \"to-truong\"");
    let (line, kind, _, _) = invalid(&text);
    assert_eq!(line, line_of(&text, "role = \"to-truong\""));
    assert_eq!(
        kind,
        ProblemKind::EscalationRoleWithoutOpinion {
            role: "to-truong".into()
        }
    );

    let text = with("role = \"giam-doc\"", "role = \"cuc-truong\"");
    let (_, kind, _, _) = invalid(&text);
    assert_eq!(
        kind,
        ProblemKind::EscalationUnknownRole {
            role: "cuc-truong".into()
        }
    );

    let text = with("before_step = \"duyet\"", "before_step = \"dang\"");
    let (line, kind, _, _) = invalid(&text);
    assert_eq!(line, line_of(&text, "before_step = \"dang\""));
    assert_eq!(
        kind,
        ProblemKind::EscalationUnknownStep {
            step: "dang".into()
        }
    );
}

#[test]
fn a_profile_without_an_admin_intake_role_is_rejected() {
    let text = with(
        "can = [\"admin\", \"intake\", \"publish\"]",
        "can = [\"intake\", \"publish\"]",
    );
    let (_, kind, vi, _) = invalid(&text);
    assert_eq!(kind, ProblemKind::NoAdminIntakeRole);
    assert!(vi.contains("\"admin\" và \"intake\""));
}

#[test]
fn empty_citations_bad_dates_hours_and_types_are_reported_at_their_line() {
    let text = with("citation = \"Điều 8\"", "citation = \"  \"");
    let (line, kind, _, _) = invalid(&text);
    assert_eq!(line, line_of(&text, "citation = \"  \""));
    assert_eq!(
        kind,
        ProblemKind::Empty {
            field: "citation".into()
        }
    );

    let text = with("date = \"2024-01-31\"", "date = \"31/01/2024\"");
    let (line, kind, vi, _) = invalid(&text);
    assert_eq!(line, line_of(&text, "date = \"31/01/2024\""));
    assert_eq!(
        kind,
        ProblemKind::BadDate {
            value: "31/01/2024".into()
        }
    );
    assert!(vi.contains("ngày không hợp lệ"));
    // 2023-02-29 does not exist.
    assert!(matches!(
        invalid(&with("2024-01-31", "2023-02-29")).1,
        ProblemKind::BadDate { .. }
    ));

    let text = with(
        "periods = [\"07:30-11:30\", \"13:30-17:00\"]",
        "periods = [\n  \"07:30-11:30\",\n  \"13:30-7:00\",\n]",
    );
    let (line, kind, _, _) = invalid(&text);
    assert_eq!(line, line_of(&text, "13:30-7:00"));
    assert_eq!(
        kind,
        ProblemKind::BadPeriod {
            value: "13:30-7:00".into()
        }
    );

    let text = with("to = \"12-31\"", "to = \"12-32\"");
    let (line, kind, _, _) = invalid(&text);
    assert_eq!(line, line_of(&text, "to = \"12-32\""));
    assert_eq!(
        kind,
        ProblemKind::BadSeasonDay {
            value: "12-32".into()
        }
    );

    let text = with(
        "allowed_types = [\"pdf\", \"doc\"]",
        "allowed_types = [\"pdf\", \".DOC\"]",
    );
    let (line, kind, _, _) = invalid(&text);
    assert_eq!(line, line_of(&text, ".DOC"));
    assert_eq!(
        kind,
        ProblemKind::BadFileType {
            value: ".DOC".into()
        }
    );
}

#[test]
fn an_unknown_check_code_on_a_reason_is_reported() {
    let text = with("check = \"identity\"", "check = \"danh-tinh\"");
    let (line, kind, _, en) = invalid(&text);
    assert_eq!(line, line_of(&text, "check = \"danh-tinh\""));
    assert_eq!(
        kind,
        ProblemKind::UnknownCheck {
            reason: "thieu-danh-tinh".into(),
            check: "danh-tinh".into()
        }
    );
    assert!(en.contains("identity, unit-approval, stamped"), "{en}");

    // A known check whose article is missing in [intake].
    let text = with("check = \"identity\"", "check = \"stamped\"");
    let (_, kind, _, _) = invalid(&text);
    assert!(
        matches!(kind, ProblemKind::CheckWithoutArticle { field, .. } if field == "stamped_article")
    );
}

#[test]
fn every_problem_is_listed_with_its_own_line() {
    let text = with("date = \"2024-01-31\"", "date = \"x\"")
        .replace("deadline = \"tin\"", "deadline = \"y\"");
    let e = parse("p.toml", &text).unwrap_err();
    let msgs = e.messages(Lang::En);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].starts_with(&format!(
        "p.toml:{}: invalid date",
        line_of(&text, "date = \"x\"")
    )));
    assert!(msgs[1].starts_with(&format!(
        "p.toml:{}: category",
        line_of(&text, "deadline = \"y\"")
    )));
    assert!(e.message(Lang::Vi).ends_with("(và 1 vấn đề khác)"));
}

#[test]
fn syntax_and_shape_errors_carry_the_line() {
    // Unclosed string.
    let text = with("name_en = \"News\"", "name_en = \"News");
    let e = parse("profile.toml", &text).unwrap_err();
    assert!(matches!(e.kind, ProfileErrorKind::Syntax { .. }));
    assert_eq!(e.line, Some(line_of(&text, "name_en = \"News")));

    // Unknown field (a typo).
    let text = with("citation = \"Điều 8\"", "citaton = \"Điều 8\"");
    let e = parse("profile.toml", &text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "citaton")));
    assert!(e.message(Lang::En).contains("unknown field `citaton`"));
    assert!(e.message(Lang::Vi).contains("`citaton`"));

    // Wrong type.
    let text = with("amount = 1", "amount = \"1\"");
    let e = parse("profile.toml", &text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "amount = \"1\"")));
    assert!(e.message(Lang::Vi).contains("sai kiểu"));

    // Unknown capability.
    let text = with(
        "can = [\"decide\", \"escalate\"]",
        "can = [\"decide\", \"approve\"]",
    );
    let e = parse("profile.toml", &text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "\"approve\"]")));
    assert!(e.message(Lang::En).contains("unknown variant `approve`"));
}

#[test]
fn an_unknown_id_lists_the_bundled_ones() {
    let e = resolve("thads-ha-noi").unwrap_err();
    assert_eq!(
        e.kind,
        ProfileErrorKind::UnknownId {
            id: "thads-ha-noi".into()
        }
    );
    for lang in [Lang::Vi, Lang::En] {
        let m = e.message(lang);
        for id in BUNDLED_IDS {
            assert!(m.contains(id), "{m}");
        }
        assert!(!m.contains('\n'));
    }
    assert!(e
        .message(Lang::Vi)
        .starts_with("không có hồ sơ quy chế \"thads-ha-noi\""));
}

#[test]
fn a_board_can_copy_a_bundled_profile_edit_it_and_load_it_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my-profile.toml");
    let edited = bundled_text("stp-binh-phuoc")
        .unwrap()
        .replace("id = \"stp-binh-phuoc\"", "id = \"stp-cua-toi\"")
        .replace("\"ods\"]", "\"ods\", \"zip\"]");
    std::fs::write(&path, &edited).unwrap();
    let p = resolve(path.to_str().unwrap()).unwrap();
    assert_eq!(p.id, "stp-cua-toi");
    assert!(p.intake.allowed_types.contains(&"zip".to_string()));
    assert_eq!(load_file(&path).unwrap(), p);

    // A broken copy names the file and the line.
    let broken = edited.replace(
        "roles = [\"truong-ban\"]\ndelegable = true\narticle = \"Điều 15 khoản 2\"",
        "roles = [\"truong-bam\"]\ndelegable = true\narticle = \"Điều 15 khoản 2\"",
    );
    std::fs::write(&path, &broken).unwrap();
    let e = load_file(&path).unwrap_err();
    let line = line_of(&broken, "\"truong-bam\"");
    assert!(
        e.message(Lang::Vi)
            .starts_with(&format!("{}:{line}: bước \"xac-thuc\"", path.display())),
        "{}",
        e.message(Lang::Vi)
    );

    let e = resolve(dir.path().join("missing.toml").to_str().unwrap()).unwrap_err();
    assert!(matches!(
        e.kind,
        ProfileErrorKind::Io {
            kind: std::io::ErrorKind::NotFound,
            ..
        }
    ));
    assert!(e.message(Lang::Vi).ends_with("không có tệp này"));
}

#[test]
fn control_characters_from_a_file_do_not_reach_the_terminal() {
    let text = with("deadline = \"tin\"", "deadline = \"\\u001b[2J\"");
    let (_, _, vi, en) = invalid(&text);
    for m in [vi, en] {
        assert!(!m.chars().any(|c| c.is_control()), "{m:?}");
        assert!(m.contains("\\u{1b}"), "{m}");
    }
}
