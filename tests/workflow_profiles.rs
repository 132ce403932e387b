//! The approval chain of each of the five bundled profiles, step by step, on a real database:
//! allowed and refused transitions, skipped steps, roles, four-eyes, escalation, delegation,
//! refusal and return codes.

mod common;

use bientap::domain::item::{Content, Opinion, State};
use bientap::domain::profile::StepKind;
use bientap::domain::workflow::{Action, WorkflowError};
use bientap::i18n::Lang;
use bientap::store::{DecideOutcome, StoreError};
use common::*;

fn act(b: &mut Board, who: &str, id: i64, a: Action) -> Result<DecideOutcome, StoreError> {
    let note = match &a {
        Action::Reject { note, .. }
        | Action::Withdraw { note, .. }
        | Action::Return { note, .. } => note.clone(),
        _ => String::new(),
    };
    b.store.decide(&ctx(who), id, None, &a, &note)
}

fn ok(b: &mut Board, who: &str, id: i64, a: Action) -> State {
    match act(b, who, id, a.clone()) {
        Ok(o) => o.to,
        Err(e) => panic!(
            "{who} {:?} refused: {}",
            a,
            e.message(Lang::En, Some(&b.profile))
        ),
    }
}

fn refused(b: &mut Board, who: &str, id: i64, a: Action) -> WorkflowError {
    let before = b.store.item(id).expect("item");
    match act(b, who, id, a.clone()) {
        Err(StoreError::Workflow(w)) => {
            // a refusal changes nothing
            let after = b.store.item(id).expect("item");
            assert_eq!(before.version, after.version, "refusal changed the item");
            assert_eq!(before.state, after.state);
            w
        }
        Err(e) => panic!("{who} {:?}: unexpected error {e:?}", a),
        Ok(o) => panic!("{who} {:?} should have been refused, went to {:?}", a, o.to),
    }
}

fn step(kind: Option<StepKind>) -> Action {
    Action::Step { step: None, kind }
}
fn verify() -> Action {
    step(Some(StepKind::Verify))
}
fn approve() -> Action {
    step(Some(StepKind::Approve))
}
fn advance() -> Action {
    step(None)
}
fn triage(cat: &str) -> Action {
    Action::Triage {
        category: Some(cat.into()),
    }
}
fn assign(to: &str) -> Action {
    Action::Assign { to: to.into() }
}
fn reject(codes: &[&str], note: &str) -> Action {
    Action::Reject {
        reasons: codes.iter().map(|c| c.to_string()).collect(),
        note: note.into(),
    }
}
fn ret(codes: &[&str]) -> Action {
    Action::Return {
        reasons: codes.iter().map(|c| c.to_string()).collect(),
        note: "Đề nghị bổ sung.".into(),
    }
}

fn edit(b: &mut Board, who: &str, id: i64) {
    let item = b.store.item(id).expect("item");
    let mut c: Content = item.content();
    c.body.push_str("\nĐoạn bổ sung sau biên tập.");
    b.store
        .edit(&ctx(who), id, item.version, &c, "biên tập")
        .unwrap_or_else(|e| panic!("edit by {who}: {}", e.message(Lang::En, None)));
}

fn new(b: &mut Board, who: &str) -> i64 {
    b.store
        .add_item(
            &ctx(who),
            &new_item("Hội nghị tổng kết công tác năm 2026", ""),
        )
        .expect("add")
}

// ------------------------------------------------------------------ 000 / 001 (THADS)

fn thads(profile: &str, head_role: &str) {
    let mut b = board(
        profile,
        &[
            ("dm", "dau-moi"),
            ("tv", "thanh-vien"),
            ("tt", "to-truong"),
            ("tp", "to-pho"),
            ("ct", head_role),
        ],
    );
    // Happy path: a member checks (Điều 10.1.b), the Tổ trưởng approves, the đầu mối posts.
    let id = new(&mut b, "dm");
    assert!(matches!(
        refused(&mut b, "tv", id, triage("tin-tuc")),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(ok(&mut b, "dm", id, triage("tin-tuc")), State::Triaged);
    // No approval of an item nobody has checked: steps may not be skipped.
    assert!(matches!(
        refused(&mut b, "tt", id, approve()),
        WorkflowError::WrongState { .. }
    ));
    assert_eq!(ok(&mut b, "dm", id, assign("tv")), State::Editing);
    edit(&mut b, "tv", id);
    assert!(matches!(
        refused(&mut b, "tt", id, approve()),
        WorkflowError::WrongStepKind { .. }
    ));
    assert!(matches!(
        refused(
            &mut b,
            "tt",
            id,
            Action::Step {
                step: Some("duyet".into()),
                kind: None
            }
        ),
        WorkflowError::SkippedStep { .. }
    ));
    assert_eq!(ok(&mut b, "tv", id, verify()), State::Verified);
    // A member may not approve (Điều 10.1.b: Tổ trưởng or Tổ phó).
    assert!(matches!(
        refused(&mut b, "tv", id, approve()),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(ok(&mut b, "tp", id, approve()), State::Approved);
    assert!(matches!(
        refused(&mut b, "tv", id, Action::Publish),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(ok(&mut b, "dm", id, Action::Publish), State::Published);
    let w = Action::Withdraw {
        reasons: vec![],
        note: "Văn bản hết hiệu lực".into(),
    };
    assert_eq!(ok(&mut b, "tt", id, w), State::Withdrawn);

    // Four-eyes: the Tổ trưởng who checked the item may not approve it; the Tổ phó may.
    let id = new(&mut b, "dm");
    ok(&mut b, "dm", id, triage("tin-tuc"));
    ok(&mut b, "dm", id, assign("tv"));
    ok(&mut b, "tt", id, verify());
    assert!(matches!(
        refused(&mut b, "tt", id, approve()),
        WorkflowError::FourEyes { .. }
    ));
    assert_eq!(ok(&mut b, "tp", id, approve()), State::Approved);

    // Four-eyes after an edit by the approver: the edit also voids the verification.
    let id = new(&mut b, "dm");
    ok(&mut b, "dm", id, triage("tin-tuc"));
    ok(&mut b, "dm", id, assign("tv"));
    ok(&mut b, "tv", id, verify());
    edit(&mut b, "tt", id);
    assert_eq!(b.store.item(id).expect("item").state, State::Editing);
    ok(&mut b, "tv", id, verify());
    assert!(matches!(
        refused(&mut b, "tt", id, approve()),
        WorkflowError::FourEyes { .. }
    ));

    // Sensitive items need the head's opinion before approval (Điều 10.1.c).
    let id = b
        .store
        .add_item(
            &ctx("dm"),
            &bientap::store::NewItem {
                sensitive: true,
                ..new_item("Thông tin nhạy cảm", "")
            },
        )
        .expect("add");
    ok(&mut b, "dm", id, triage("tin-tuc"));
    ok(&mut b, "dm", id, assign("tv"));
    ok(&mut b, "tv", id, verify());
    assert!(matches!(
        refused(&mut b, "tt", id, approve()),
        WorkflowError::NeedsOpinion { .. }
    ));
    assert!(matches!(
        refused(
            &mut b,
            "dm",
            id,
            Action::Escalate {
                note: String::new()
            }
        ),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(
        ok(
            &mut b,
            "tt",
            id,
            Action::Escalate {
                note: "xin ý kiến".into()
            }
        ),
        State::Escalated
    );
    let agree = Action::Opinion {
        opinion: Opinion::Agree,
        note: String::new(),
    };
    assert!(matches!(
        refused(&mut b, "tt", id, agree.clone()),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(ok(&mut b, "ct", id, agree), State::Verified);
    assert_eq!(ok(&mut b, "tt", id, approve()), State::Approved);

    // The head disagrees: the item cannot be approved, the board refuses it.
    let id = b
        .store
        .add_item(
            &ctx("dm"),
            &bientap::store::NewItem {
                sensitive: true,
                ..new_item("Thông tin nhạy cảm 2", "")
            },
        )
        .expect("add");
    ok(&mut b, "dm", id, triage("tin-tuc"));
    ok(&mut b, "dm", id, assign("tv"));
    ok(&mut b, "tv", id, verify());
    ok(
        &mut b,
        "tt",
        id,
        Action::Escalate {
            note: "xin ý kiến".into(),
        },
    );
    let disagree_no_note = Action::Opinion {
        opinion: Opinion::Disagree,
        note: String::new(),
    };
    assert!(matches!(
        refused(&mut b, "ct", id, disagree_no_note),
        WorkflowError::NoteRequired
    ));
    ok(
        &mut b,
        "ct",
        id,
        Action::Opinion {
            opinion: Opinion::Disagree,
            note: "Chưa đăng".into(),
        },
    );
    assert!(matches!(
        refused(&mut b, "tp", id, approve()),
        WorkflowError::OpinionAgainst { .. }
    ));
    assert_eq!(
        ok(
            &mut b,
            "tt",
            id,
            reject(&["10.2.c"], "Chưa được phép phổ biến")
        ),
        State::Rejected
    );

    // Refusal grounds: Điều 10.2 codes only, with a note, by the Tổ trưởng/Tổ phó.
    let id = new(&mut b, "dm");
    ok(&mut b, "dm", id, triage("tin-tuc"));
    assert!(matches!(
        refused(&mut b, "dm", id, reject(&["10.2.d"], "trùng")),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert!(matches!(
        refused(&mut b, "tt", id, reject(&[], "trùng")),
        WorkflowError::ReasonRequired { .. }
    ));
    assert!(matches!(
        refused(&mut b, "tt", id, reject(&["10.2.d"], "  ")),
        WorkflowError::NoteRequired
    ));
    assert!(matches!(
        refused(&mut b, "tt", id, reject(&["10.2.f"], "trùng")),
        WorkflowError::UnknownReason(_)
    ));
    assert!(matches!(
        refused(&mut b, "tt", id, reject(&["thieu-danh-tinh"], "thiếu")),
        WorkflowError::WrongReasonKind { .. }
    ));
    assert_eq!(
        ok(
            &mut b,
            "tt",
            id,
            reject(&["10.2.d", "10.2.e"], "Trùng tin đã đăng ngày 2/11")
        ),
        State::Rejected
    );
    let log = b.store.audit_log(Some(id), None).expect("log");
    let last = &log.last().expect("row").record;
    assert_eq!(
        last.reasons,
        vec!["10.2.d".to_string(), "10.2.e".to_string()]
    );
    assert_eq!(last.actor, "tt");

    // Return for revision, then resubmission starts the chain again.
    let id = new(&mut b, "dm");
    assert!(matches!(
        refused(&mut b, "dm", id, ret(&["10.2.a"])),
        WorkflowError::WrongReasonKind { .. }
    ));
    assert_eq!(
        ok(&mut b, "dm", id, ret(&["thieu-danh-tinh"])),
        State::Returned
    );
    assert_eq!(ok(&mut b, "dm", id, Action::Resubmit), State::Received);

    assert!(b.store.audit_verify().expect("verify").fault.is_none());
}

#[test]
fn thads_hai_duong_000() {
    thads("thads-hai-duong", "cuc-truong");
}

#[test]
fn thads_thai_nguyen_001() {
    thads("thads-thai-nguyen", "truong-thads");
}

// ------------------------------------------------------------------ 002 (Sở Tư pháp Bình Phước)

#[test]
fn stp_binh_phuoc_002_three_steps_and_delegation() {
    let mut b = board(
        "stp-binh-phuoc",
        &[
            ("tk", "thu-ky"),
            ("tv", "thanh-vien"),
            ("tb", "truong-ban"),
            ("ptb", "pho-truong-ban"),
            ("gd", "giam-doc"),
        ],
    );
    let id = new(&mut b, "tk");
    ok(&mut b, "tk", id, triage("tin-tuc"));
    ok(&mut b, "tk", id, assign("tv"));
    // Bước 1: the board compiles and edits.
    assert!(matches!(
        refused(&mut b, "tb", id, verify()),
        WorkflowError::WrongStepKind { .. }
    ));
    edit(&mut b, "tv", id);
    assert_eq!(ok(&mut b, "tv", id, advance()), State::Editing);
    assert_eq!(b.store.item(id).expect("item").step, 1);
    // Bước 2: verification by the Trưởng Ban (or an authorised member) — not a plain member.
    assert!(matches!(
        refused(&mut b, "tv", id, verify()),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert!(matches!(
        refused(&mut b, "ptb", id, verify()),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(ok(&mut b, "tb", id, verify()), State::Verified);
    // Bước 3: the same Trưởng Ban may not also give the final check (four-eyes)…
    assert!(matches!(
        refused(&mut b, "tb", id, approve()),
        WorkflowError::FourEyes { .. }
    ));
    // …so the Trưởng Ban authorises the Phó Trưởng Ban for the final check ("thành viên được ủy quyền").
    b.store
        .delegate(&ctx("tb"), "ptb", "kiem-tra-cuoi", None)
        .expect("delegate");
    assert_eq!(ok(&mut b, "ptb", id, approve()), State::Approved);
    // Then the Thư ký posts (Điều 15.3).
    assert!(matches!(
        refused(&mut b, "tb", id, Action::Publish),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(ok(&mut b, "tk", id, Action::Publish), State::Published);

    // A member cannot hand out delegations, and a step that is not delegable cannot be delegated.
    assert!(b
        .store
        .delegate(&ctx("tv"), "tv", "xac-thuc", None)
        .is_err());
    assert!(b
        .store
        .delegate(&ctx("tb"), "tv", "bien-tap", None)
        .is_err());

    // Refusal on Điều 12.3 (including point đ) and return on Điều 4.2.
    let id = new(&mut b, "tk");
    ok(&mut b, "tk", id, triage("tin-tuc"));
    assert_eq!(
        ok(&mut b, "tb", id, reject(&["12.3.đ"], "Pháp luật cấm đăng")),
        State::Rejected
    );
    let id = new(&mut b, "tk");
    assert_eq!(
        ok(&mut b, "tk", id, ret(&["khong-unicode"])),
        State::Returned
    );
}

// ------------------------------------------------------------------ 003 (Sở Nội vụ Hưng Yên)

#[test]
fn snv_hung_yen_003_standing_information_needs_the_director() {
    let mut b = board(
        "snv-hung-yen",
        &[
            ("dm", "dau-moi"),
            ("uv", "uy-vien"),
            ("tb", "truong-ban"),
            ("ptb", "pho-truong-ban"),
            ("gd", "giam-doc"),
        ],
    );
    // Ordinary news: edit, then the Trưởng/Phó Trưởng Ban approves.
    let id = new(&mut b, "dm");
    ok(&mut b, "dm", id, triage("tin-tuc"));
    ok(&mut b, "dm", id, assign("uv"));
    edit(&mut b, "uv", id);
    ok(&mut b, "uv", id, advance());
    assert!(matches!(
        refused(&mut b, "uv", id, approve()),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(ok(&mut b, "ptb", id, approve()), State::Approved);

    // Standing information (Điều 7) is sensitive by category: the Giám đốc's opinion first (Điều 9.4).
    let id = new(&mut b, "dm");
    ok(&mut b, "dm", id, triage("gioi-thieu"));
    assert!(b.store.item(id).expect("item").sensitive);
    ok(&mut b, "dm", id, assign("uv"));
    ok(&mut b, "uv", id, advance());
    assert!(matches!(
        refused(&mut b, "tb", id, approve()),
        WorkflowError::NeedsOpinion { .. }
    ));
    ok(
        &mut b,
        "tb",
        id,
        Action::Escalate {
            note: "xin ý kiến".into(),
        },
    );
    ok(
        &mut b,
        "gd",
        id,
        Action::Opinion {
            opinion: Opinion::Agree,
            note: String::new(),
        },
    );
    assert_eq!(ok(&mut b, "tb", id, approve()), State::Approved);

    // Refusal on Điều 8, return on Điều 10.3.
    let id = new(&mut b, "dm");
    ok(&mut b, "dm", id, triage("tin-tuc"));
    assert_eq!(
        ok(&mut b, "tb", id, reject(&["8.1"], "Nội dung bị cấm")),
        State::Rejected
    );
    let id = new(&mut b, "dm");
    assert_eq!(
        ok(&mut b, "dm", id, ret(&["khong-unicode"])),
        State::Returned
    );
}

// ------------------------------------------------------------------ 004 (UBND xã Hải Dương)

#[test]
fn xa_hai_duong_004_the_chair_decides() {
    let mut b = board(
        "xa-hai-duong",
        &[
            ("tk", "thu-ky"),
            ("tv", "thanh-vien"),
            ("tb", "truong-ban"),
            ("pb", "pho-ban"),
        ],
    );
    let id = new(&mut b, "tk");
    let cat = b.profile.categories[0].code.clone();
    ok(&mut b, "tk", id, triage(&cat));
    ok(&mut b, "tk", id, assign("tv"));
    edit(&mut b, "tv", id);
    // Only the Trưởng Ban approves (Điều 4.3, 7.1) — not the Phó Ban, not the secretary.
    assert!(matches!(
        refused(&mut b, "pb", id, approve()),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert!(matches!(
        refused(&mut b, "tk", id, approve()),
        WorkflowError::RoleNotAllowed { .. }
    ));
    assert_eq!(ok(&mut b, "tb", id, approve()), State::Approved);
    assert_eq!(ok(&mut b, "tk", id, Action::Publish), State::Published);

    // The chair may not approve what he edited himself.
    let id = new(&mut b, "tk");
    let cat = b.profile.categories[0].code.clone();
    ok(&mut b, "tk", id, triage(&cat));
    ok(&mut b, "tk", id, assign("tv"));
    edit(&mut b, "tb", id);
    assert!(matches!(
        refused(&mut b, "tb", id, approve()),
        WorkflowError::FourEyes { .. }
    ));
    // No escalation in this regulation.
    assert!(matches!(
        refused(
            &mut b,
            "tb",
            id,
            Action::Escalate {
                note: String::new()
            }
        ),
        WorkflowError::NoEscalation
    ));
    // Refusal on Điều 10: inaccurate, unclear origin, copied.
    assert_eq!(
        ok(
            &mut b,
            "tb",
            id,
            reject(&["10.sao-chep"], "Sao chép bài của báo khác")
        ),
        State::Rejected
    );
}

// ------------------------------------------------------------------ rules no code path can skip

#[test]
fn four_eyes_is_enforced_by_the_database_too() {
    let mut b = board(
        "thads-hai-duong",
        &[("dm", "dau-moi"), ("tv", "thanh-vien"), ("tt", "to-truong")],
    );
    let id = new(&mut b, "dm");
    ok(&mut b, "dm", id, triage("tin-tuc"));
    ok(&mut b, "dm", id, assign("tv"));
    edit(&mut b, "tt", id);
    ok(&mut b, "tv", id, verify());
    let c = rusqlite::Connection::open(&b.path).expect("raw");
    // Bypassing the domain with plain SQL: the trigger refuses the approver who edited…
    let e = c
        .execute(
            "UPDATE items SET state = 'approved', last_actor = 'tt' WHERE id = ?1",
            [id],
        )
        .expect_err("trigger must refuse");
    assert!(e.to_string().contains("four-eyes"), "{e}");
    // …and an approval that names no approver at all.
    assert!(c
        .execute(
            "UPDATE items SET state = 'approved', last_actor = NULL WHERE id = ?1",
            [id]
        )
        .is_err());
    assert_eq!(b.store.item(id).expect("item").state, State::Verified);
}

#[test]
fn every_edit_keeps_the_previous_revision() {
    let mut b = board("xa-hai-duong", &[("tk", "thu-ky"), ("tv", "thanh-vien")]);
    let id = new(&mut b, "tk");
    let cat = b.profile.categories[0].code.clone();
    ok(&mut b, "tk", id, triage(&cat));
    ok(&mut b, "tk", id, assign("tv"));
    edit(&mut b, "tv", id);
    edit(&mut b, "tv", id);
    let revs = b.store.revisions(id).expect("revisions");
    assert_eq!(revs.len(), 3);
    assert!(!revs[0].content.body.contains("bổ sung"));
    assert_eq!(revs[2].content.body.matches("bổ sung").count(), 2);
    let d = bientap::domain::diff::diff_lines(&revs[0].content.body, &revs[1].content.body);
    assert!(d
        .iter()
        .any(|l| matches!(l, bientap::domain::diff::DiffLine::Added(t) if t.contains("bổ sung"))));
}

#[test]
fn a_stale_version_is_a_conflict_never_an_overwrite() {
    let mut b = board("xa-hai-duong", &[("tk", "thu-ky"), ("tv", "thanh-vien")]);
    let id = new(&mut b, "tk");
    let cat = b.profile.categories[0].code.clone();
    ok(&mut b, "tk", id, triage(&cat));
    ok(&mut b, "tk", id, assign("tv"));
    let seen = b.store.item(id).expect("item");
    // Another process (a second connection to the same file) edits first.
    let mut other = bientap::store::Store::open(&b.path).expect("open");
    let mut c = seen.content();
    c.title = "Tiêu đề do người khác sửa".into();
    other
        .edit(&ctx("tk"), id, seen.version, &c, "")
        .expect("first edit");
    let mut mine = seen.content();
    mine.title = "Tiêu đề của tôi".into();
    match b.store.edit(&ctx("tv"), id, seen.version, &mine, "") {
        Err(StoreError::Conflict {
            expected, found, ..
        }) => {
            assert_eq!(expected, seen.version);
            assert_eq!(found, seen.version + 1);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        b.store.item(id).expect("item").title,
        "Tiêu đề do người khác sửa"
    );
    // Decisions with a stale version are refused the same way.
    assert!(matches!(
        b.store
            .decide(&ctx("tk"), id, Some(seen.version), &Action::Edit, ""),
        Err(StoreError::Conflict { .. })
    ));
}

#[test]
fn an_unknown_login_is_refused_clearly() {
    let mut b = board("xa-hai-duong", &[("tk", "thu-ky")]);
    let e = b
        .store
        .add_item(&ctx("nguoi-la"), &new_item("x", ""))
        .expect_err("unknown login");
    assert!(matches!(e, StoreError::UnknownUser(_)));
    assert!(e.message(Lang::Vi, None).contains("nguoi-la"));
    assert!(e.message(Lang::En, None).contains("is not on the board"));
}
