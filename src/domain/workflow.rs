//! The approval workflow, driven by the profile's steps. Pure: given the profile, the item's
//! facts, the actor and the requested action, either the resulting transition or a typed error
//! that names the rule.

use serde::{Deserialize, Serialize};

use super::item::{ItemFacts, Opinion, State};
use super::profile::{Capability, Profile, ReasonKind, StepKind};
use crate::i18n::Lang;
use crate::tr;

/// The person acting: their login and board role, and the steps delegated to them.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub login: String,
    pub role: String,
    /// Codes of the steps another role holder authorised this person to take.
    pub delegated_steps: Vec<String>,
}

/// What someone asks to do to an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Classify a new item (category) and accept it for handling.
    Triage { category: Option<String> },
    /// Route to a member for editing.
    Assign { to: String },
    /// Change the content (title, lead, body, attribution).
    Edit,
    /// Take the next approval step; `step` names it (must be the next one), `kind` restricts
    /// which kind of step the caller means (`verify`, `approve`).
    Step {
        step: Option<String>,
        kind: Option<StepKind>,
    },
    /// Send back to the submitter to fix (return-for-revision codes).
    Return { reasons: Vec<String>, note: String },
    /// The submitter sent the fixed item back.
    Resubmit,
    /// Refuse (refusal codes plus a note).
    Reject { reasons: Vec<String>, note: String },
    /// Ask the agency head's opinion on a sensitive item.
    Escalate { note: String },
    /// The agency head's opinion.
    Opinion { opinion: Opinion, note: String },
    /// Put an approved item on the site.
    Publish,
    /// Take a published item down (expired document, correction).
    Withdraw { reasons: Vec<String>, note: String },
    /// Record that the source was confirmed by contacting the sender or unit (no state change).
    ConfirmSource,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Triage { .. } => "triage",
            Action::Assign { .. } => "assign",
            Action::Edit => "edit",
            Action::Step { kind, .. } => match kind {
                Some(StepKind::Verify) => "verify",
                Some(StepKind::Approve) => "approve",
                _ => "advance",
            },
            Action::Return { .. } => "return",
            Action::Resubmit => "resubmit",
            Action::Reject { .. } => "reject",
            Action::Escalate { .. } => "escalate",
            Action::Opinion { .. } => "opinion",
            Action::Publish => "publish",
            Action::Withdraw { .. } => "withdraw",
            Action::ConfirmSource => "confirm-source",
        }
    }

    pub fn label(&self, lang: Lang) -> &'static str {
        match self {
            Action::Triage { .. } => lang.pick("phân loại", "triage"),
            Action::Assign { .. } => lang.pick("giao biên tập", "assign"),
            Action::Edit => lang.pick("biên tập", "edit"),
            Action::Step { kind, .. } => match kind {
                Some(StepKind::Verify) => lang.pick("kiểm tra", "verify"),
                Some(StepKind::Approve) => lang.pick("duyệt", "approve"),
                _ => lang.pick("chuyển bước", "advance"),
            },
            Action::Return { .. } => lang.pick("trả lại", "return"),
            Action::Resubmit => lang.pick("nhận lại", "resubmit"),
            Action::Reject { .. } => lang.pick("từ chối", "reject"),
            Action::Escalate { .. } => lang.pick("xin ý kiến", "escalate"),
            Action::Opinion { .. } => lang.pick("cho ý kiến", "give opinion"),
            Action::Publish => lang.pick("đăng", "publish"),
            Action::Withdraw { .. } => lang.pick("gỡ", "withdraw"),
            Action::ConfirmSource => lang.pick("xác minh nguồn", "confirm source"),
        }
    }

    pub fn reasons(&self) -> &[String] {
        match self {
            Action::Return { reasons, .. }
            | Action::Reject { reasons, .. }
            | Action::Withdraw { reasons, .. } => reasons,
            _ => &[],
        }
    }
}

/// What a permitted action does to the item.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: State,
    pub to: State,
    /// Steps completed after the action.
    pub step: usize,
    /// The step taken, if any (its code).
    pub step_code: Option<String>,
    pub step_kind: Option<StepKind>,
    pub assignee: Option<String>,
    pub category: Option<String>,
    pub sensitive: bool,
    pub opinion: Option<Opinion>,
    pub escalated_from: Option<State>,
    /// The actor is to be recorded as an editor (four-eyes).
    pub records_editor: bool,
    /// The actor is to be recorded as a verifier (four-eyes).
    pub records_verifier: bool,
}

/// Why an action is refused. Each names the rule it enforces.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkflowError {
    #[error("action {action} not allowed in state {state:?}")]
    WrongState { action: String, state: State },
    #[error("role {role} may not {action}")]
    RoleNotAllowed {
        action: String,
        role: String,
        allowed: Vec<String>,
        article: String,
    },
    #[error("step {requested} is not the next step {next}")]
    SkippedStep {
        requested: String,
        next: String,
        article: String,
    },
    #[error("next step is {next} ({kind:?}), not a {wanted:?} step")]
    WrongStepKind {
        next: String,
        kind: StepKind,
        wanted: StepKind,
    },
    #[error("no approval step left")]
    NoStepLeft,
    #[error("four-eyes: {login} edited or verified this item")]
    FourEyes { login: String },
    #[error("sensitive item needs the agency head's opinion")]
    NeedsOpinion { head: String, article: String },
    #[error("the agency head disagreed")]
    OpinionAgainst { head: String, article: String },
    #[error("a reason code is required")]
    ReasonRequired { kind: ReasonKind },
    #[error("a note is required")]
    NoteRequired,
    #[error("unknown reason code {0}")]
    UnknownReason(String),
    #[error("reason {code} is not a {expected:?} code")]
    WrongReasonKind { code: String, expected: ReasonKind },
    #[error("unknown category {0}")]
    UnknownCategory(String),
    #[error("a category is required")]
    CategoryRequired,
    #[error("profile has no escalation")]
    NoEscalation,
    #[error("unknown role {0}")]
    UnknownRole(String),
    #[error("not the assignee")]
    NotAssignee { assignee: String },
}

impl WorkflowError {
    /// A one-line message in the user's language that names the rule.
    pub fn message(&self, lang: Lang, profile: &Profile) -> String {
        let role_title = |code: &str| {
            profile
                .role(code)
                .map(|r| r.title(lang).to_string())
                .unwrap_or_else(|| code.to_string())
        };
        let step_name = |code: &str| {
            profile
                .step(code)
                .map(|s| format!("{} ({})", s.name(lang), code))
                .unwrap_or_else(|| code.to_string())
        };
        match self {
            WorkflowError::WrongState { action, state } => tr!(
                lang,
                "không thể {} khi tin bài đang ở trạng thái \"{}\"",
                "cannot {} an item in state \"{}\"",
                action_label(action, lang, profile),
                state.label(lang)
            ),
            WorkflowError::RoleNotAllowed {
                action,
                role,
                allowed,
                article,
            } => {
                let allowed: Vec<String> = allowed.iter().map(|r| role_title(r)).collect();
                let action = action_label(action, lang, profile);
                tr!(
                    lang,
                    "vai trò \"{}\" không được {action}; chỉ: {} ({article})",
                    "role \"{}\" may not {action}; only: {} ({article})",
                    role_title(role),
                    allowed.join(", ")
                )
            }
            WorkflowError::SkippedStep {
                requested,
                next,
                article,
            } => tr!(
                lang,
                "không được bỏ qua bước: bước tiếp theo là {}, không phải {} ({article})",
                "steps may not be skipped: the next step is {}, not {} ({article})",
                step_name(next),
                step_name(requested)
            ),
            WorkflowError::WrongStepKind { next, kind, wanted } => tr!(
                lang,
                "bước tiếp theo là {} ({}), không phải bước {}",
                "the next step is {} ({}), not a {} step",
                step_name(next),
                step_kind_label(*kind, lang),
                step_kind_label(*wanted, lang)
            ),
            WorkflowError::NoStepLeft => tr!(
                lang,
                "tin bài đã qua hết các bước duyệt",
                "the item has passed every approval step"
            ),
            WorkflowError::FourEyes { login } => tr!(
                lang,
                "nguyên tắc bốn mắt: {login} đã biên tập hoặc kiểm tra tin bài này nên không được duyệt lần cuối",
                "four-eyes rule: {login} edited or verified this item and may not give its final approval"
            ),
            WorkflowError::NeedsOpinion { head, article } => tr!(
                lang,
                "thông tin nhạy cảm phải xin ý kiến {} trước khi duyệt ({article})",
                "a sensitive item needs the opinion of the {} before approval ({article})",
                role_title(head)
            ),
            WorkflowError::OpinionAgainst { head, article } => tr!(
                lang,
                "{} không đồng ý đăng tin bài này ({article})",
                "the {} did not agree to publish this item ({article})",
                role_title(head)
            ),
            WorkflowError::ReasonRequired { kind } => match kind {
                ReasonKind::Reject => tr!(
                    lang,
                    "từ chối phải nêu ít nhất một lý do theo quy chế (--reason MÃ)",
                    "a refusal needs at least one reason code of the regulation (--reason CODE)"
                ),
                ReasonKind::Return => tr!(
                    lang,
                    "trả lại phải nêu ít nhất một nội dung cần bổ sung (--reason MÃ)",
                    "a return needs at least one thing to fix (--reason CODE)"
                ),
            },
            WorkflowError::NoteRequired => tr!(
                lang,
                "phải ghi chú lý do (--note)",
                "a note is required (--note)"
            ),
            WorkflowError::UnknownReason(code) => {
                let codes: Vec<&str> = profile.reasons.iter().map(|r| r.code.as_str()).collect();
                tr!(
                    lang,
                    "mã lý do \"{code}\" không có trong quy chế; các mã: {}",
                    "reason code \"{code}\" is not in the regulation; codes: {}",
                    codes.join(", ")
                )
            }
            WorkflowError::WrongReasonKind { code, expected } => match expected {
                ReasonKind::Reject => tr!(
                    lang,
                    "mã \"{code}\" là lý do trả lại để bổ sung, không phải lý do từ chối",
                    "code \"{code}\" is a return-for-revision ground, not a refusal ground"
                ),
                ReasonKind::Return => tr!(
                    lang,
                    "mã \"{code}\" là lý do từ chối, không phải lý do trả lại",
                    "code \"{code}\" is a refusal ground, not a return-for-revision ground"
                ),
            },
            WorkflowError::UnknownCategory(code) => {
                let codes: Vec<&str> = profile
                    .categories
                    .iter()
                    .map(|c| c.code.as_str())
                    .collect();
                tr!(
                    lang,
                    "chuyên mục \"{code}\" không có trong quy chế; các chuyên mục: {}",
                    "category \"{code}\" is not in the regulation; categories: {}",
                    codes.join(", ")
                )
            }
            WorkflowError::CategoryRequired => tr!(
                lang,
                "phải chọn chuyên mục khi phân loại (--category)",
                "triage needs a category (--category)"
            ),
            WorkflowError::NoEscalation => tr!(
                lang,
                "quy chế này không quy định xin ý kiến lãnh đạo",
                "this regulation has no escalation to the agency head"
            ),
            WorkflowError::UnknownRole(code) => tr!(
                lang,
                "vai trò \"{code}\" không có trong quy chế",
                "role \"{code}\" is not in the regulation"
            ),
            WorkflowError::NotAssignee { assignee } => tr!(
                lang,
                "tin bài đang giao cho {assignee}",
                "the item is assigned to {assignee}"
            ),
        }
    }
}

/// An action or capability code (as carried by errors) in the user's language; a step code
/// becomes the step's name.
pub fn action_label(code: &str, lang: Lang, profile: &Profile) -> String {
    if let Some(step) = profile.step(code) {
        return step.name(lang).to_string();
    }
    let (vi, en) = match code {
        "triage" => ("phân loại", "triage"),
        "assign" => ("giao biên tập", "assign"),
        "edit" => ("biên tập", "edit"),
        "verify" => ("kiểm tra", "verify"),
        "approve" => ("duyệt", "approve"),
        "advance" => ("chuyển bước", "advance"),
        "return" => ("trả lại", "return"),
        "resubmit" => ("nhận lại", "resubmit"),
        "reject" => ("từ chối", "reject"),
        "escalate" => ("xin ý kiến lãnh đạo", "escalate"),
        "opinion" => ("cho ý kiến", "give an opinion on"),
        "publish" => ("đăng", "publish"),
        "withdraw" => ("gỡ", "withdraw"),
        "confirm-source" => ("xác minh nguồn", "confirm the source of"),
        "delegate" => ("ủy quyền", "delegate"),
        "admin" => ("quản trị người dùng", "manage users"),
        "intake" => ("tiếp nhận", "take in"),
        "decide" => ("quyết định", "decide"),
        _ => return code.to_string(),
    };
    lang.pick(vi, en).to_string()
}

pub fn step_kind_label(kind: StepKind, lang: Lang) -> &'static str {
    match kind {
        StepKind::Edit => lang.pick("biên tập", "edit"),
        StepKind::Verify => lang.pick("kiểm tra", "verify"),
        StepKind::Approve => lang.pick("duyệt", "approve"),
    }
}

/// The project's own rule for four-eyes (no article: the design requires it on top of every text).
pub const FOUR_EYES: &str = "bốn mắt";

fn has_cap(profile: &Profile, actor: &Actor, cap: Capability) -> bool {
    profile.role(&actor.role).is_some_and(|r| r.has(cap))
}

fn need_cap(
    profile: &Profile,
    actor: &Actor,
    action: &Action,
    caps: &[Capability],
) -> Result<(), WorkflowError> {
    if caps.iter().any(|c| has_cap(profile, actor, *c)) {
        return Ok(());
    }
    let allowed: Vec<String> = profile
        .roles
        .iter()
        .filter(|r| caps.iter().any(|c| r.has(*c)))
        .map(|r| r.code.clone())
        .collect();
    let article = profile
        .roles
        .iter()
        .find(|r| caps.iter().any(|c| r.has(*c)))
        .map(|r| r.article.clone())
        .unwrap_or_default();
    Err(WorkflowError::RoleNotAllowed {
        action: action.name().to_string(),
        role: actor.role.clone(),
        allowed,
        article,
    })
}

fn need_state(action: &Action, state: State, allowed: &[State]) -> Result<(), WorkflowError> {
    if allowed.contains(&state) {
        Ok(())
    } else {
        Err(WorkflowError::WrongState {
            action: action.name().to_string(),
            state,
        })
    }
}

fn check_reasons(
    profile: &Profile,
    reasons: &[String],
    kind: ReasonKind,
    required: bool,
) -> Result<(), WorkflowError> {
    if required && reasons.is_empty() {
        return Err(WorkflowError::ReasonRequired { kind });
    }
    for code in reasons {
        let r = profile
            .reason(code)
            .ok_or_else(|| WorkflowError::UnknownReason(code.clone()))?;
        if r.kind != kind {
            return Err(WorkflowError::WrongReasonKind {
                code: code.clone(),
                expected: kind,
            });
        }
    }
    Ok(())
}

/// The states in which an item is still before final approval.
const BEFORE_APPROVAL: [State; 4] = [
    State::Received,
    State::Triaged,
    State::Editing,
    State::Verified,
];

/// Whether `actor` may take `step` (by role, or by delegation where the step allows it).
pub fn may_take_step(profile: &Profile, actor: &Actor, step_code: &str) -> bool {
    profile.step(step_code).is_some_and(|s| {
        s.roles.contains(&actor.role)
            || (s.delegable && actor.delegated_steps.iter().any(|d| d == step_code))
    })
}

/// Decide whether `actor` may do `action` to an item with `facts`, and what it does.
pub fn apply(
    profile: &Profile,
    facts: &ItemFacts,
    actor: &Actor,
    action: &Action,
) -> Result<Transition, WorkflowError> {
    if profile.role(&actor.role).is_none() {
        return Err(WorkflowError::UnknownRole(actor.role.clone()));
    }
    let mut t = Transition {
        from: facts.state,
        to: facts.state,
        step: facts.step,
        step_code: None,
        step_kind: None,
        assignee: facts.assignee.clone(),
        category: None,
        sensitive: facts.sensitive,
        opinion: facts.opinion,
        escalated_from: facts.escalated_from,
        records_editor: false,
        records_verifier: false,
    };
    match action {
        Action::Triage { category } => {
            need_state(action, facts.state, &[State::Received])?;
            need_cap(profile, actor, action, &[Capability::Intake])?;
            let code = match category {
                Some(c) => c.clone(),
                None if !facts.category.is_empty() => facts.category.clone(),
                None => return Err(WorkflowError::CategoryRequired),
            };
            let cat = profile
                .category(&code)
                .ok_or_else(|| WorkflowError::UnknownCategory(code.clone()))?;
            t.sensitive = facts.sensitive || cat.sensitive;
            t.category = Some(code);
            t.to = State::Triaged;
        }
        Action::Assign { to } => {
            need_state(
                action,
                facts.state,
                &[State::Triaged, State::Editing, State::Verified],
            )?;
            need_cap(
                profile,
                actor,
                action,
                &[Capability::Intake, Capability::Decide],
            )?;
            t.assignee = Some(to.clone());
            if facts.state == State::Triaged {
                t.to = State::Editing;
            }
        }
        Action::Edit => {
            need_state(
                action,
                facts.state,
                &[
                    State::Received,
                    State::Triaged,
                    State::Editing,
                    State::Verified,
                ],
            )?;
            let is_assignee = facts.assignee.as_deref() == Some(actor.login.as_str());
            if !is_assignee {
                need_cap(
                    profile,
                    actor,
                    action,
                    &[Capability::Edit, Capability::Intake],
                )?;
            }
            t.records_editor = true;
            if facts.state == State::Verified {
                // An edit after verification voids it: the item goes back to editing, steps restart.
                t.to = State::Editing;
                t.step = 0;
            }
        }
        Action::Step { step, kind } => {
            need_state(action, facts.state, &[State::Editing, State::Verified])?;
            let next = profile
                .steps
                .get(facts.step)
                .ok_or(WorkflowError::NoStepLeft)?;
            if let Some(requested) = step {
                if requested != &next.code {
                    return Err(WorkflowError::SkippedStep {
                        requested: requested.clone(),
                        next: next.code.clone(),
                        article: next.article.clone(),
                    });
                }
            }
            if let Some(wanted) = kind {
                if *wanted != next.kind {
                    return Err(WorkflowError::WrongStepKind {
                        next: next.code.clone(),
                        kind: next.kind,
                        wanted: *wanted,
                    });
                }
            }
            if !may_take_step(profile, actor, &next.code) {
                return Err(WorkflowError::RoleNotAllowed {
                    action: next.code.clone(),
                    role: actor.role.clone(),
                    allowed: next.roles.clone(),
                    article: next.article.clone(),
                });
            }
            if let Some(esc) = &profile.escalation {
                if facts.sensitive && esc.before_step == next.code {
                    match facts.opinion {
                        Some(Opinion::Agree) => {}
                        Some(Opinion::Disagree) => {
                            return Err(WorkflowError::OpinionAgainst {
                                head: esc.role.clone(),
                                article: esc.article.clone(),
                            })
                        }
                        None => {
                            return Err(WorkflowError::NeedsOpinion {
                                head: esc.role.clone(),
                                article: esc.article.clone(),
                            })
                        }
                    }
                }
            }
            if next.kind == StepKind::Approve
                && (facts.editors.contains(&actor.login) || facts.verifiers.contains(&actor.login))
            {
                return Err(WorkflowError::FourEyes {
                    login: actor.login.clone(),
                });
            }
            t.step = facts.step + 1;
            t.step_code = Some(next.code.clone());
            t.step_kind = Some(next.kind);
            match next.kind {
                StepKind::Edit => {
                    t.to = State::Editing;
                    t.records_verifier = true;
                }
                StepKind::Verify => {
                    t.to = State::Verified;
                    t.records_verifier = true;
                }
                StepKind::Approve => t.to = State::Approved,
            }
        }
        Action::Return { reasons, .. } => {
            need_state(action, facts.state, &BEFORE_APPROVAL)?;
            let next_step_role = profile
                .steps
                .get(facts.step)
                .is_some_and(|s| may_take_step(profile, actor, &s.code));
            if !next_step_role {
                need_cap(
                    profile,
                    actor,
                    action,
                    &[Capability::Intake, Capability::Decide],
                )?;
            }
            check_reasons(profile, reasons, ReasonKind::Return, true)?;
            t.to = State::Returned;
            t.step = 0;
        }
        Action::Resubmit => {
            need_state(action, facts.state, &[State::Returned])?;
            need_cap(profile, actor, action, &[Capability::Intake])?;
            t.to = State::Received;
            t.step = 0;
        }
        Action::Reject { reasons, note } => {
            need_state(
                action,
                facts.state,
                &[
                    State::Received,
                    State::Triaged,
                    State::Editing,
                    State::Verified,
                    State::Escalated,
                ],
            )?;
            need_cap(profile, actor, action, &[Capability::Decide])?;
            check_reasons(profile, reasons, ReasonKind::Reject, true)?;
            if note.trim().is_empty() {
                return Err(WorkflowError::NoteRequired);
            }
            t.to = State::Rejected;
        }
        Action::Escalate { .. } => {
            profile
                .escalation
                .as_ref()
                .ok_or(WorkflowError::NoEscalation)?;
            need_state(
                action,
                facts.state,
                &[State::Triaged, State::Editing, State::Verified],
            )?;
            need_cap(
                profile,
                actor,
                action,
                &[Capability::Escalate, Capability::Decide],
            )?;
            t.to = State::Escalated;
            t.escalated_from = Some(facts.state);
            t.sensitive = true;
            t.opinion = None;
        }
        Action::Opinion { opinion, note } => {
            need_state(action, facts.state, &[State::Escalated])?;
            let esc = profile
                .escalation
                .as_ref()
                .ok_or(WorkflowError::NoEscalation)?;
            if actor.role != esc.role || !has_cap(profile, actor, Capability::Opinion) {
                return Err(WorkflowError::RoleNotAllowed {
                    action: action.name().to_string(),
                    role: actor.role.clone(),
                    allowed: vec![esc.role.clone()],
                    article: esc.article.clone(),
                });
            }
            if *opinion == Opinion::Disagree && note.trim().is_empty() {
                return Err(WorkflowError::NoteRequired);
            }
            t.opinion = Some(*opinion);
            t.to = facts.escalated_from.unwrap_or(State::Editing);
            t.escalated_from = None;
        }
        Action::Publish => {
            need_state(action, facts.state, &[State::Approved])?;
            need_cap(profile, actor, action, &[Capability::Publish])?;
            t.to = State::Published;
        }
        Action::Withdraw { reasons, note } => {
            need_state(action, facts.state, &[State::Published, State::Approved])?;
            need_cap(
                profile,
                actor,
                action,
                &[Capability::Publish, Capability::Decide],
            )?;
            for code in reasons {
                if profile.reason(code).is_none() {
                    return Err(WorkflowError::UnknownReason(code.clone()));
                }
            }
            if note.trim().is_empty() {
                return Err(WorkflowError::NoteRequired);
            }
            t.to = State::Withdrawn;
        }
        Action::ConfirmSource => {
            need_state(action, facts.state, &BEFORE_APPROVAL)?;
        }
    }
    Ok(t)
}

/// The next approval step of an item, if any.
pub fn next_step<'p>(profile: &'p Profile, facts: &ItemFacts) -> Option<&'p super::profile::Step> {
    if matches!(facts.state, State::Editing | State::Verified) {
        profile.steps.get(facts.step)
    } else {
        None
    }
}

/// Every action this actor could take now on this item (for menus; parameters left empty).
pub fn available(profile: &Profile, facts: &ItemFacts, actor: &Actor) -> Vec<Action> {
    let probes = [
        Action::Triage {
            category: Some(
                profile
                    .category(&facts.category)
                    .map(|c| c.code.clone())
                    .or_else(|| profile.categories.first().map(|c| c.code.clone()))
                    .unwrap_or_default(),
            ),
        },
        Action::Assign { to: String::new() },
        Action::Edit,
        Action::Step {
            step: None,
            kind: None,
        },
        Action::Return {
            reasons: profile
                .reasons
                .iter()
                .filter(|r| r.kind == ReasonKind::Return)
                .take(1)
                .map(|r| r.code.clone())
                .collect(),
            note: "x".into(),
        },
        Action::Resubmit,
        Action::Reject {
            reasons: profile
                .reasons
                .iter()
                .filter(|r| r.kind == ReasonKind::Reject)
                .take(1)
                .map(|r| r.code.clone())
                .collect(),
            note: "x".into(),
        },
        Action::Escalate {
            note: String::new(),
        },
        Action::Opinion {
            opinion: Opinion::Agree,
            note: String::new(),
        },
        Action::Publish,
        Action::Withdraw {
            reasons: vec![],
            note: "x".into(),
        },
    ];
    probes
        .into_iter()
        .filter(|a| apply(profile, facts, actor, a).is_ok())
        .collect()
}
