//! The demo board: a deterministic generator of realistic Vietnamese submissions, driven through
//! the real workflow (so the demo's audit log, revisions and four-eyes records are genuine).

pub mod mail;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};

use crate::cli::{exit, DemoArgs, Global};
use crate::domain::item::{Attribution, Content, Identity, Opinion, SourceKind, State};
use crate::domain::profile::{Capability, Profile, ReasonKind, StepKind};
use crate::domain::workflow::{self, Action};
use crate::i18n::Lang;
use crate::store::{identity, Ctx, NewItem, NewUser, Store};
use crate::tr;

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

const FAMILY: [&str; 14] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô",
];
const MIDDLE: [&str; 10] = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Hồng",
];
const GIVEN: [&str; 20] = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Lan", "Linh",
    "Long", "Mai", "Nam", "Nga", "Phương", "Quân", "Thảo", "Tuấn",
];
const UNITS: [&str; 10] = [
    "Văn phòng",
    "Phòng Nghiệp vụ",
    "Phòng Tổ chức cán bộ",
    "Phòng Kế hoạch - Tài chính",
    "Phòng Kiểm tra",
    "Thanh tra",
    "Chi cục huyện Kinh Môn",
    "Chi cục huyện Nam Sách",
    "Chi cục thành phố",
    "Trung tâm Công nghệ thông tin",
];
const TITLES_OF_PEOPLE: [&str; 6] = [
    "Chuyên viên",
    "Trưởng phòng",
    "Phó Trưởng phòng",
    "Chấp hành viên",
    "Thư ký",
    "Cán bộ",
];
const SUBJECTS: [&str; 16] = [
    "công tác thi hành án dân sự",
    "cải cách hành chính",
    "phổ biến, giáo dục pháp luật",
    "chuyển đổi số",
    "công tác thi đua, khen thưởng",
    "phòng, chống tham nhũng",
    "giải quyết khiếu nại, tố cáo",
    "công tác cán bộ",
    "trợ giúp pháp lý",
    "kiểm tra văn bản quy phạm pháp luật",
    "hòa giải ở cơ sở",
    "công tác văn thư, lưu trữ",
    "thực hành tiết kiệm, chống lãng phí",
    "đào tạo, bồi dưỡng công chức",
    "ứng dụng công nghệ thông tin",
    "quản lý tài chính, tài sản công",
];
const ACTIVITIES: [&str; 12] = [
    "tổ chức Hội nghị sơ kết",
    "tổ chức Hội nghị tổng kết",
    "ban hành Kế hoạch triển khai",
    "tập huấn nghiệp vụ về",
    "kiểm tra việc thực hiện",
    "báo cáo kết quả",
    "triển khai thực hiện",
    "hướng dẫn thực hiện",
    "tuyên truyền về",
    "đánh giá kết quả",
    "phát động phong trào thi đua về",
    "công bố quyết định về",
];
const PERIODS: [&str; 8] = [
    "năm 2026",
    "quý III năm 2026",
    "quý IV năm 2026",
    "6 tháng đầu năm 2026",
    "tháng 10 năm 2026",
    "tháng 11 năm 2026",
    "giai đoạn 2026 - 2030",
    "năm 2027",
];
const SENTENCES: [&str; 18] = [
    "Tham dự hội nghị có đại diện lãnh đạo {agency}, các phòng chuyên môn và đơn vị trực thuộc.",
    "Hội nghị đã đánh giá kết quả đạt được về {subject}, chỉ ra những tồn tại, hạn chế và nguyên nhân.",
    "Trong {period}, toàn ngành đã thụ lý và giải quyết đúng thời hạn các việc theo quy định của pháp luật.",
    "Đồng chí lãnh đạo đề nghị các đơn vị tiếp tục quán triệt, thực hiện nghiêm các văn bản chỉ đạo của cấp trên.",
    "Các đơn vị cần chủ động rà soát, phân loại, tập trung giải quyết dứt điểm các việc còn tồn đọng.",
    "Kế hoạch nêu rõ mục đích, yêu cầu, nội dung, thời gian thực hiện và trách nhiệm của từng đơn vị.",
    "Việc triển khai {subject} góp phần nâng cao chất lượng, hiệu quả hoạt động của cơ quan.",
    "Thông tin chi tiết được đăng tải trên Trang thông tin điện tử để cán bộ, công chức và người dân được biết.",
    "Kết quả kiểm tra cho thấy các đơn vị cơ bản thực hiện đúng quy trình, thủ tục theo quy định.",
    "Bên cạnh kết quả đạt được, vẫn còn một số khó khăn, vướng mắc cần được tháo gỡ kịp thời.",
    "Lớp tập huấn đã trang bị cho học viên những kiến thức cần thiết về {subject}.",
    "Các đại biểu đã thảo luận, đóng góp nhiều ý kiến tâm huyết, thiết thực.",
    "Cơ quan đề nghị các tổ chức, cá nhân phản ánh kiến nghị qua hộp thư điện tử của Trang thông tin.",
    "Đơn vị phối hợp chặt chẽ với các cơ quan liên quan trong quá trình tổ chức thực hiện.",
    "Việc ứng dụng công nghệ thông tin giúp rút ngắn thời gian xử lý hồ sơ, giảm phiền hà cho người dân.",
    "Công tác tuyên truyền được thực hiện bằng nhiều hình thức phong phú, đa dạng.",
    "Hội nghị cũng đã công bố quyết định khen thưởng các tập thể, cá nhân có thành tích xuất sắc.",
    "Các chỉ tiêu, nhiệm vụ được giao cơ bản hoàn thành, một số chỉ tiêu vượt kế hoạch.",
];

fn person(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        rng.pick(&FAMILY),
        rng.pick(&MIDDLE),
        rng.pick(&GIVEN)
    )
}

/// An ASCII login from a Vietnamese name: "Nguyễn Thị Lan" → "lan.nt".
pub fn login_for(name: &str) -> String {
    let folded = crate::store::fold_index(name);
    let parts: Vec<&str> = folded.split_whitespace().collect();
    match parts.split_last() {
        Some((last, rest)) => {
            let initials: String = rest.iter().filter_map(|p| p.chars().next()).collect();
            format!("{last}.{initials}")
        }
        None => "user".into(),
    }
}

/// A generated submission's text.
pub fn article(rng: &mut Rng, agency: &str) -> (String, String, String) {
    let subject = *rng.pick(&SUBJECTS);
    let period = *rng.pick(&PERIODS);
    let activity = *rng.pick(&ACTIVITIES);
    let unit = *rng.pick(&UNITS);
    let title = format!("{unit} {activity} {subject} {period}");
    let fill = |s: &str| {
        s.replace("{agency}", agency)
            .replace("{subject}", subject)
            .replace("{period}", period)
    };
    let lead = fill(&format!(
        "Ngày {} tháng {}, {unit} {activity} {subject} {period}.",
        1 + rng.below(28),
        1 + rng.below(12)
    ));
    let paragraphs = 3 + rng.below(4);
    let mut body = String::new();
    for p in 0..paragraphs {
        if p > 0 {
            body.push_str("\n\n");
        }
        let n = 2 + rng.below(3);
        for k in 0..n {
            if k > 0 {
                body.push(' ');
            }
            body.push_str(&fill(SENTENCES[rng.below(SENTENCES.len())]));
        }
    }
    (title, lead, body)
}

/// What happens to one generated item, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Received,
    Triaged,
    Editing,
    Verified,
    Approved,
    Published,
    Returned,
    Escalated,
    Rejected,
    Withdrawn,
}

fn target(rng: &mut Rng, age: f64) -> Target {
    // Older items are mostly finished; the open ones are mostly recent, as on a real board.
    if age > 0.4 && rng.chance(85) {
        return match rng.below(100) {
            0..=64 => Target::Published,
            65..=74 => Target::Withdrawn,
            75..=89 => Target::Rejected,
            _ => Target::Returned,
        };
    }
    match rng.below(100) {
        0..=13 => Target::Received,
        14..=21 => Target::Triaged,
        22..=35 => Target::Editing,
        36..=45 => Target::Verified,
        46..=67 => Target::Approved,
        68..=79 => Target::Published,
        80..=86 => Target::Returned,
        87..=90 => Target::Escalated,
        91..=96 => Target::Rejected,
        _ => Target::Withdrawn,
    }
}

/// Summary of a generated demo.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub path: PathBuf,
    pub profile: String,
    pub users: usize,
    pub items: usize,
    pub counts: Vec<(State, i64)>,
    /// The demo mailbox taken in by the importer (`bientap demo` only; see [`mail`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<DemoMail>,
}

/// What the demo mailbox gave.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoMail {
    pub maildir: PathBuf,
    pub imported: usize,
    /// Items with at least one failed check.
    pub flagged: usize,
}

/// Generate a demo database at `path` for `profile`; `me` (the OS login) gets `my_role`.
#[allow(clippy::too_many_arguments)]
pub fn generate(
    path: &Path,
    profile: &Profile,
    profile_text: &str,
    me: &str,
    my_role: &str,
    items: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> crate::store::Result<DemoSummary> {
    let mut rng = Rng::new(seed);
    let mut store = Store::create(path, profile, profile_text)?;
    store.write(|tx| {
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('demo', ?1)",
            [seed.to_string()],
        )?;
        Ok(())
    })?;
    let start = now - Duration::days(45);
    let ctx_at = |login: &str, t: DateTime<Utc>| Ctx {
        actor: login.to_string(),
        os_login: me.to_string(),
        now: t,
    };
    // The board: the caller, plus one to three people per role.
    let mut people: Vec<(String, String)> = vec![(me.to_string(), my_role.to_string())];
    store.add_first_user(
        &ctx_at(me, start),
        &NewUser {
            login: me.to_string(),
            name: format!("{me} (demo)"),
            role: my_role.to_string(),
            unit: "Văn phòng".into(),
            email: String::new(),
        },
    )?;
    // Make sure there is an admin to add the others.
    let admin_role = profile
        .admin_role()
        .map(|r| r.code.clone())
        .unwrap_or_else(|| my_role.to_string());
    let mut admin = me.to_string();
    if my_role != admin_role {
        let name = person(&mut rng);
        let login = login_for(&name);
        store.write(|tx| {
            tx.execute(
                "INSERT INTO users(login, name, role, unit, added_at, added_by) VALUES (?1, ?2, ?3, 'Văn phòng', ?4, ?5)",
                rusqlite::params![login, name, admin_role, crate::store::ts(start), me],
            )?;
            Ok(())
        })?;
        people.push((login.clone(), admin_role.clone()));
        admin = login;
    }
    for role in &profile.roles {
        let n = if role.has(Capability::Opinion) || role.has(Capability::Admin) {
            1
        } else if role.has(Capability::Decide) {
            2
        } else {
            3
        };
        for _ in 0..n {
            let name = person(&mut rng);
            let mut login = login_for(&name);
            while people.iter().any(|(l, _)| *l == login) {
                login.push(char::from(b'0' + rng.below(10) as u8));
            }
            store.add_user(
                &ctx_at(&admin, start),
                &NewUser {
                    login: login.clone(),
                    name,
                    role: role.code.clone(),
                    unit: rng.pick(&UNITS).to_string(),
                    email: format!("{login}@example.gov.vn"),
                },
            )?;
            people.push((login, role.code.clone()));
        }
    }

    // Items arrive over 45 days; each has a plan of actions at later times.
    let mut events: Vec<(DateTime<Utc>, usize, u8)> = Vec::new();
    let mut plans: Vec<(i64, Target)> = Vec::new();
    let mut arrivals: Vec<(DateTime<Utc>, NewItem, Target)> = Vec::new();
    for i in 0..items {
        let received = start + Duration::minutes((i as i64 * 45 * 24 * 60) / items.max(1) as i64);
        let age = 1.0 - i as f64 / items.max(1) as f64;
        let t = target(&mut rng, age);
        let (title, lead, body) = article(&mut rng, &profile.agency.name);
        let submitter = person(&mut rng);
        let unit = rng.pick(&UNITS).to_string();
        let quoted = rng.chance(15);
        let cat = rng.pick(&profile.categories).code.clone();
        let new = NewItem {
            title,
            lead,
            body,
            category: if rng.chance(50) { cat } else { String::new() },
            submitter: Identity {
                name: submitter.clone(),
                title: rng.pick(&TITLES_OF_PEOPLE).to_string(),
                organisation: format!("{unit}, {}", profile.agency.name),
                email: format!("{}@example.gov.vn", login_for(&submitter)),
                phone: if rng.chance(80) {
                    format!("0220.38{:05}", rng.below(100_000))
                } else {
                    String::new()
                },
                address: String::new(),
                confidential: rng.chance(5),
            },
            unit,
            attribution: if quoted {
                Attribution {
                    kind: SourceKind::Quoted,
                    author: person(&mut rng),
                    source_name: "Báo Pháp luật Việt Nam".into(),
                    source_url: "https://baophapluat.vn/".into(),
                    source_date: if rng.chance(70) {
                        Some((received - Duration::days(3)).date_naive())
                    } else {
                        None
                    },
                }
            } else {
                Attribution::default()
            },
            event_at: Some(crate::store::ts(received - Duration::hours(6))),
            issued_at: None,
            received_at: Some(crate::store::ts(received)),
            sensitive: rng.chance(6),
            channel: "email".into(),
            ..Default::default()
        };
        arrivals.push((received, new, t));
    }
    // Insert all items in one transaction (fast), then play the actions in time order.
    let secretary = admin.clone();
    let ids: Vec<i64> = store.write(|tx| {
        let mut ids = Vec::new();
        for (received, new, _) in &arrivals {
            ids.push(crate::store::insert_item_in(
                tx,
                &ctx_at(&secretary, *received),
                new,
            )?);
        }
        Ok(ids)
    })?;
    for (i, ((received, _, t), id)) in arrivals.iter().zip(&ids).enumerate() {
        plans.push((*id, *t));
        let stages = match t {
            Target::Received => 0,
            Target::Triaged => 1,
            Target::Editing => 3,
            Target::Verified => 3 + profile.steps.len().saturating_sub(1),
            // one more event than Verified: the escalation itself
            Target::Escalated => 3 + profile.steps.len(),
            Target::Approved => 3 + profile.steps.len(),
            Target::Published => 4 + profile.steps.len(),
            Target::Returned => 2,
            Target::Rejected => 3,
            Target::Withdrawn => 5 + profile.steps.len(),
        };
        for s in 0..stages {
            let at = *received + Duration::minutes(30 + 90 * s as i64 + rng.below(60) as i64);
            events.push((at.min(now - Duration::minutes(1)), i, s as u8));
        }
    }
    events.sort_by_key(|(t, i, s)| (*t, *i, *s));

    let with_role = |pred: &dyn Fn(&str) -> bool| -> Vec<String> {
        people
            .iter()
            .filter(|(_, r)| pred(r))
            .map(|(l, _)| l.clone())
            .collect()
    };
    let intake = with_role(&|r| profile.role(r).is_some_and(|x| x.has(Capability::Intake)));
    let deciders = with_role(&|r| profile.role(r).is_some_and(|x| x.has(Capability::Decide)));
    let publishers = with_role(&|r| profile.role(r).is_some_and(|x| x.has(Capability::Publish)));
    let heads = with_role(&|r| profile.role(r).is_some_and(|x| x.has(Capability::Opinion)));
    let reject_codes: Vec<String> = profile
        .reasons
        .iter()
        .filter(|r| r.kind == ReasonKind::Reject)
        .map(|r| r.code.clone())
        .collect();
    let return_codes: Vec<String> = profile
        .reasons
        .iter()
        .filter(|r| r.kind == ReasonKind::Return)
        .map(|r| r.code.clone())
        .collect();

    for (at, i, _stage) in events {
        let (id, t) = plans[i];
        let item = store.item(id)?;
        let facts = item.facts();
        // Decide the next action for this item given where it stands and where it is going.
        let (action, candidates, note): (Action, Vec<String>, String) = match (item.state, t) {
            (State::Received, Target::Received) => continue,
            (State::Received, Target::Returned) if !return_codes.is_empty() => (
                Action::Return {
                    reasons: vec![rng.pick(&return_codes).clone()],
                    note: String::new(),
                },
                intake.clone(),
                "Đề nghị bổ sung theo quy chế và gửi lại.".into(),
            ),
            (State::Received, _) => (
                Action::Triage {
                    category: Some(if item.category.is_empty() {
                        rng.pick(&profile.categories).code.clone()
                    } else {
                        item.category.clone()
                    }),
                },
                intake.clone(),
                String::new(),
            ),
            (State::Triaged, Target::Triaged) => continue,
            (State::Triaged, Target::Rejected) if !reject_codes.is_empty() => {
                let note = "Không đủ điều kiện đăng tải theo quy chế.".to_string();
                (
                    Action::Reject {
                        reasons: vec![rng.pick(&reject_codes).clone()],
                        note: note.clone(),
                    },
                    deciders.clone(),
                    note,
                )
            }
            (State::Triaged, _) => {
                // route to someone who may take the first step (or edit)
                let first = profile
                    .steps
                    .first()
                    .map(|s| s.roles.clone())
                    .unwrap_or_default();
                let pool = with_role(&|r| {
                    first.iter().any(|x| x == r)
                        && !profile.role(r).is_some_and(|x| x.has(Capability::Decide))
                });
                let pool = if pool.is_empty() {
                    with_role(&|r| profile.role(r).is_some_and(|x| x.has(Capability::Edit)))
                } else {
                    pool
                };
                if pool.is_empty() {
                    continue;
                }
                (
                    Action::Assign {
                        to: rng.pick(&pool).clone(),
                    },
                    intake.clone(),
                    String::new(),
                )
            }
            (State::Editing, _) if item.editors.is_empty() && item.assignee.is_some() => {
                // the assignee edits the text once
                let who = item.assignee.clone().unwrap_or_default();
                let mut c: Content = item.content();
                c.lead = format!("{} (Ảnh: {})", c.lead, person(&mut rng));
                let ctx = ctx_at(&who, at);
                let _ = store.edit(&ctx, id, item.version, &c, "Biên tập lại phần sa-pô.");
                continue;
            }
            (State::Editing | State::Verified, Target::Escalated)
                if profile.escalation.is_some()
                    && workflow::next_step(profile, &facts).is_some_and(|s| {
                        profile
                            .escalation
                            .as_ref()
                            .is_some_and(|e| e.before_step == s.code)
                    }) =>
            {
                (
                    Action::Escalate {
                        note: "Thông tin nhạy cảm, xin ý kiến lãnh đạo.".into(),
                    },
                    deciders.clone(),
                    "Thông tin nhạy cảm, xin ý kiến lãnh đạo.".into(),
                )
            }
            (State::Escalated, _) => continue,
            (State::Editing | State::Verified, Target::Rejected) if !reject_codes.is_empty() => {
                let note = "Nội dung trùng lặp hoặc không bảo đảm chất lượng.".to_string();
                (
                    Action::Reject {
                        reasons: vec![rng.pick(&reject_codes).clone()],
                        note: note.clone(),
                    },
                    deciders.clone(),
                    note,
                )
            }
            (State::Editing | State::Verified, _) => {
                let Some(step) = workflow::next_step(profile, &facts) else {
                    continue;
                };
                let stop_before_approve =
                    matches!(t, Target::Editing | Target::Verified | Target::Escalated);
                if step.kind == StepKind::Approve && stop_before_approve {
                    continue;
                }
                if t == Target::Editing && step.kind != StepKind::Approve && facts.step >= 1 {
                    continue;
                }
                // sensitive items need the head's opinion first
                if facts.sensitive
                    && facts.opinion.is_none()
                    && profile
                        .escalation
                        .as_ref()
                        .is_some_and(|e| e.before_step == step.code)
                {
                    (
                        Action::Escalate {
                            note: "Thông tin nhạy cảm, xin ý kiến lãnh đạo.".into(),
                        },
                        deciders.clone(),
                        "Thông tin nhạy cảm, xin ý kiến lãnh đạo.".into(),
                    )
                } else {
                    let pool: Vec<String> = people
                        .iter()
                        .filter(|(l, r)| {
                            step.roles.contains(r)
                                && !(step.kind == StepKind::Approve
                                    && (facts.editors.contains(l) || facts.verifiers.contains(l)))
                        })
                        .map(|(l, _)| l.clone())
                        .collect();
                    (
                        Action::Step {
                            step: Some(step.code.clone()),
                            kind: None,
                        },
                        pool,
                        String::new(),
                    )
                }
            }
            (State::Approved, Target::Published | Target::Withdrawn) => {
                (Action::Publish, publishers.clone(), String::new())
            }
            (State::Published, Target::Withdrawn) => {
                let note = "Văn bản đã hết hiệu lực, gỡ khỏi Trang thông tin.".to_string();
                (
                    Action::Withdraw {
                        reasons: vec![],
                        note: note.clone(),
                    },
                    publishers.clone(),
                    note,
                )
            }
            _ => continue,
        };
        let mut done = false;
        for who in candidates {
            let ctx = ctx_at(&who, at);
            if store
                .decide(&ctx, id, Some(item.version), &action, &note)
                .is_ok()
            {
                done = true;
                break;
            }
        }
        let _ = done;
    }
    // Escalated items the head already answered (some of them), so the queue has both kinds.
    for (id, t) in &plans {
        if *t == Target::Escalated {
            continue;
        }
        let item = store.item(*id)?;
        if item.state == State::Escalated {
            if let Some(h) = heads.first() {
                let _ = store.decide(
                    &ctx_at(h, now - Duration::hours(2)),
                    *id,
                    Some(item.version),
                    &Action::Opinion {
                        opinion: Opinion::Agree,
                        note: "Đồng ý đăng.".into(),
                    },
                    "Đồng ý đăng.",
                );
            }
        }
    }
    crate::due::recompute_all(&mut store, now)?;
    let users = store.users()?.len();
    let counts = store.counts()?;
    Ok(DemoSummary {
        path: path.to_path_buf(),
        profile: profile.id.clone(),
        users,
        items,
        counts,
        mail: None,
    })
}

fn default_demo_path() -> PathBuf {
    identity::data_dir(&identity::default_db_path()).join("demo.db")
}

/// `bientap demo`.
pub fn run_cli(g: &Global, a: &DemoArgs, lang: Lang) -> Result<(), crate::cli::Fail> {
    use crate::cli::{fail, Fail};
    let path = g.db.clone().unwrap_or_else(default_demo_path);
    let (profile, text) = crate::cli::load_profile_with_text(&a.profile, lang)?;
    if path.exists() {
        let is_demo = Store::open(&path)
            .ok()
            .and_then(|s| s.meta("demo").ok().flatten())
            .is_some();
        if !is_demo && !a.force {
            return Err(fail(
                exit::REFUSED,
                tr!(
                    lang,
                    "{} đã có và không phải cơ sở dữ liệu thử; không ghi đè (dùng --db khác, hoặc --force)",
                    "{} exists and is not a demo database; not overwriting it (use another --db, or --force)",
                    path.display()
                ),
            ));
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
    let me = identity::os_login().unwrap_or_else(|| "demo".into());
    let role = profile
        .admin_role()
        .map(|r| r.code.clone())
        .ok_or_else(|| fail(exit::FAILURE, "profile has no admin role".into()))?;
    let store_fail = |e: crate::store::StoreError| Fail {
        code: exit::FAILURE,
        msg: e.message(lang, Some(&profile)),
    };
    let mut summary = generate(
        &path,
        &profile,
        &text,
        &me,
        &role,
        a.items,
        a.seed,
        Utc::now(),
    )
    .map_err(store_fail)?;
    // The mailbox, taken in by the importer as the secretary would (`<name>-mail/` beside the
    // database, kept so that the messages can be read and imported again).
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "demo".into());
    let maildir = path.with_file_name(format!("{stem}-mail"));
    let mut store = Store::open(&path).map_err(store_fail)?;
    let got = mail::import(&mut store, &maildir, &me, &me, Utc::now())
        .map_err(|e| fail(exit::FAILURE, e))?;
    drop(store);
    summary.mail = Some(DemoMail {
        maildir: maildir.clone(),
        imported: got.imported,
        flagged: got.flagged,
    });
    if g.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        );
    } else {
        eprintln!(
            "{}",
            tr!(
                lang,
                "Đã tạo cơ sở dữ liệu thử {} ({}, {} tin bài, {} người). Bạn ({me}) là {}. Mở lại: bientap --db {0}",
                "Created demo database {} ({}, {} items, {} people). You ({me}) are the {}. Reopen it: bientap --db {0}",
                path.display(),
                profile.agency.name,
                summary.items,
                summary.users,
                profile.role(&role).map(|r| r.title(lang)).unwrap_or(&role)
            )
        );
        eprintln!(
            "{}",
            tr!(
                lang,
                "Đã nhận {} thư mẫu từ {} vào hàng đợi ({} có kiểm tra không đạt): tab Mới nhận.",
                "Took in {} sample messages from {} ({} with a failed check): tab Received.",
                got.imported,
                maildir.display(),
                got.flagged
            )
        );
    }
    if a.no_open {
        return Ok(());
    }
    let mut g2 = g.clone();
    g2.db = Some(path);
    crate::tui_entry(&g2, lang).map_err(|e| fail(exit::FAILURE, e))
}
