//! The console's state and its pure update step: `update(&mut State, UiAction) -> Vec<Effect>`
//! never touches the database, the terminal or the clock (the loop puts `now` in the state).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Utc};
use ratatui_textarea::TextArea;

use super::filter::{self, Expr};
use super::keymap::{self, Cmd, Ctx as KeyCtx};
use super::keys::{Code, Key};
use crate::domain::item::{
    Attribution, ContactMethod, Content, Identity, Opinion, SourceKind, State as IState,
};
use crate::domain::profile::{Capability, Profile, ReasonKind, StepKind};
use crate::domain::workflow::{self, Action, Actor};
use crate::i18n::Lang;
use crate::store::queue::{Cursor, Page, PageDir, PageQuery, Part};
use crate::store::{
    Attachment, AuditEntry, CheckResult, Confirmation, Item, ItemRow, Note, Revision, SortKey, User,
};
use crate::tr;

/// How long a lease lasts; renewed while the item is open.
pub const LEASE_SECS: i64 = 90;
/// Renew the lease after this many seconds.
pub const LEASE_RENEW_SECS: i64 = 30;
/// Search results shown at most.
pub const SEARCH_LIMIT: usize = 200;
/// Tagging by pattern tags at most this many items.
pub const TAG_LIMIT: usize = 1000;
/// Up to how many matches `T` counts to say how many were left untagged.
pub const TAG_COUNT_CAP: usize = 100_000;
/// Counts of "my work" beyond this show as "999+".
pub const COUNT_CAP: usize = 999;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Queue,
    Item,
    Editor,
    Reports,
}

/// What the reports screen shows for its month.
#[derive(Debug, Clone)]
pub enum ReportView {
    /// The report is being built (the first frame says so).
    Loading,
    Ready(Box<crate::report::PeriodReport>),
    /// Why the month has no report (e.g. no working calendar for its year), readable.
    Failed(String),
}

/// The reports screen: a month and what is known of its report.
#[derive(Debug, Clone)]
pub struct ReportsState {
    pub year: i32,
    pub month: u32,
    pub view: ReportView,
}

impl ReportsState {
    /// The month a number of months away (negative: earlier).
    pub fn shifted(year: i32, month: u32, by: i32) -> (i32, u32) {
        let n = year * 12 + month as i32 - 1 + by;
        (n.div_euclid(12), n.rem_euclid(12) as u32 + 1)
    }

    /// "tháng 11/2026" / "2026-11".
    pub fn label(&self, lang: Lang) -> String {
        let (y, m) = (self.year, self.month);
        tr!(lang, "tháng {m}/{y}", "{y}-{m:02}")
    }
}

/// A tab of the queue: a set of states, or "my work".
#[derive(Debug, Clone)]
pub struct Tab {
    pub vi: &'static str,
    pub en: &'static str,
    pub states: Vec<IState>,
    pub mine: bool,
}

/// What the status line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Info(String),
    Ok(String),
    Error(String),
}

/// Which decision a flow is taking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    Triage,
    Assign,
    Step,
    Return,
    Resubmit,
    Reject,
    Escalate,
    Opinion,
    Publish,
    Withdraw,
    /// The secretary's record that the source (or attribution) was confirmed by contacting
    /// someone (not a state change).
    Confirm,
    /// Complete or correct one of the submitter's details (name, title, organisation, e-mail,
    /// phone, address) once they answered; the identity check runs again (not a state change).
    Submitter,
}

impl FlowKind {
    pub const ALL: [FlowKind; 12] = [
        FlowKind::Step,
        FlowKind::Triage,
        FlowKind::Assign,
        FlowKind::Return,
        FlowKind::Reject,
        FlowKind::Escalate,
        FlowKind::Opinion,
        FlowKind::Resubmit,
        FlowKind::Publish,
        FlowKind::Withdraw,
        FlowKind::Confirm,
        FlowKind::Submitter,
    ];

    /// A probe action with placeholder parameters (to ask the workflow whether it is allowed).
    pub fn probe(self, profile: &Profile, category: &str) -> Action {
        let first = |k: ReasonKind| -> Vec<String> {
            profile
                .reasons
                .iter()
                .filter(|r| r.kind == k)
                .take(1)
                .map(|r| r.code.clone())
                .collect()
        };
        match self {
            FlowKind::Triage => Action::Triage {
                category: Some(
                    profile
                        .category(category)
                        .map(|c| c.code.clone())
                        .or_else(|| profile.categories.first().map(|c| c.code.clone()))
                        .unwrap_or_default(),
                ),
            },
            FlowKind::Assign => Action::Assign { to: String::new() },
            FlowKind::Step => Action::Step {
                step: None,
                kind: None,
            },
            FlowKind::Return => Action::Return {
                reasons: first(ReasonKind::Return),
                note: "x".into(),
            },
            FlowKind::Resubmit => Action::Resubmit,
            FlowKind::Reject => Action::Reject {
                reasons: first(ReasonKind::Reject),
                note: "x".into(),
            },
            FlowKind::Escalate => Action::Escalate {
                note: String::new(),
            },
            FlowKind::Opinion => Action::Opinion {
                opinion: Opinion::Agree,
                note: String::new(),
            },
            FlowKind::Publish => Action::Publish,
            FlowKind::Withdraw => Action::Withdraw {
                reasons: vec![],
                note: "x".into(),
            },
            FlowKind::Confirm | FlowKind::Submitter => Action::ConfirmSource,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            FlowKind::Triage => lang.pick("phân loại", "triage"),
            FlowKind::Assign => lang.pick("giao biên tập", "assign"),
            FlowKind::Step => lang.pick("chuyển bước tiếp theo", "take the next step"),
            FlowKind::Return => lang.pick("trả lại để bổ sung", "return for revision"),
            FlowKind::Resubmit => lang.pick("nhận lại bản đã sửa", "resubmitted"),
            FlowKind::Reject => lang.pick("từ chối", "reject"),
            FlowKind::Escalate => lang.pick("xin ý kiến lãnh đạo", "escalate to the head"),
            FlowKind::Opinion => lang.pick("cho ý kiến", "give opinion"),
            FlowKind::Publish => lang.pick("đăng", "publish"),
            FlowKind::Withdraw => lang.pick("gỡ tin (kèm căn cứ)", "withdraw (with grounds)"),
            FlowKind::Confirm => lang.pick(
                "ghi đã xác minh nguồn (đã liên hệ)",
                "record the source confirmed (contacted)",
            ),
            FlowKind::Submitter => lang.pick(
                "bổ sung thông tin người gửi",
                "complete the submitter's details",
            ),
        }
    }

    /// Whether the flow may be applied to several tagged items at once.
    pub fn bulk(self) -> bool {
        matches!(self, FlowKind::Assign | FlowKind::Return)
    }
}

/// A decision being prepared: what is still missing is asked for in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub kind: FlowKind,
    /// Items and the versions the user saw (None: no check, bulk).
    pub targets: Vec<(i64, Option<i64>)>,
    pub category: Option<String>,
    pub to: Option<String>,
    pub reasons: Option<Vec<String>>,
    pub opinion: Option<Opinion>,
    pub note: Option<String>,
    pub confirmed: bool,
    /// Next step kind of the (single) target, to word the confirmation.
    pub step_kind: Option<StepKind>,
    /// Failed checks of the single target, for pre-selecting return codes.
    pub failed_checks: Vec<String>,
    /// What was confirmed (`source` or `attribution`) and how (confirm flow).
    pub what: Option<String>,
    pub how: Option<ContactMethod>,
    /// Which of the submitter's details, and its new value (submitter flow).
    pub field: Option<String>,
    pub value: Option<String>,
}

impl Flow {
    pub fn action(&self) -> Action {
        let note = self.note.clone().unwrap_or_default();
        let reasons = self.reasons.clone().unwrap_or_default();
        match self.kind {
            FlowKind::Triage => Action::Triage {
                category: self.category.clone(),
            },
            FlowKind::Assign => Action::Assign {
                to: self.to.clone().unwrap_or_default(),
            },
            FlowKind::Step => Action::Step {
                step: None,
                kind: None,
            },
            FlowKind::Return => Action::Return { reasons, note },
            FlowKind::Resubmit => Action::Resubmit,
            FlowKind::Reject => Action::Reject { reasons, note },
            FlowKind::Escalate => Action::Escalate { note },
            FlowKind::Opinion => Action::Opinion {
                opinion: self.opinion.unwrap_or(Opinion::Agree),
                note,
            },
            FlowKind::Publish => Action::Publish,
            FlowKind::Withdraw => Action::Withdraw { reasons, note },
            FlowKind::Confirm | FlowKind::Submitter => Action::ConfirmSource,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickPurpose {
    Decision,
    Category,
    User,
    Reasons,
    Opinion,
    ConfirmWhat,
    ConfirmHow,
    SubmitterField,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PickItem {
    pub key: String,
    pub label: String,
    pub detail: String,
    pub checked: bool,
    pub enabled: bool,
}

impl PickItem {
    /// An item that can be picked, not yet picked.
    pub fn new(
        key: impl Into<String>,
        label: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        PickItem {
            key: key.into(),
            label: label.into(),
            detail: detail.into(),
            checked: false,
            enabled: true,
        }
    }

    /// A reason code of the profile: `code — label`, its citation beside it.
    fn reason(r: &crate::domain::profile::ReasonCode, lang: Lang) -> Self {
        PickItem::new(
            r.code.clone(),
            format!("{} — {}", r.code, r.label(lang)),
            r.citation.clone(),
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<PickItem>,
    pub sel: usize,
    pub multi: bool,
    pub purpose: PickPurpose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    Goto,
    Limit,
    TagPattern,
    Note,
    FlowNote,
    /// The new value of one of the submitter's details (submitter flow).
    FlowValue,
}

#[derive(Debug, Clone)]
pub enum Modal {
    /// The key list; `scroll` lines scrolled (j/k, arrows, pages) when it does not fit.
    Help {
        scroll: u16,
    },
    Palette {
        query: String,
        sel: usize,
    },
    Prompt {
        kind: PromptKind,
        text: String,
    },
    Picker(Picker),
    ConfirmFlow,
    ConfirmTakeOver,
    ConfirmDiscard,
    RestoreDraft(Box<(Content, i64)>),
    Conflict(Box<Item>),
    ConflictDiff {
        theirs: Box<Item>,
        scroll: u16,
    },
    Diff {
        idx: usize,
        scroll: u16,
    },
    Bulk,
}

/// Everything shown about one item.
#[derive(Debug, Clone)]
pub struct ItemData {
    pub item: Item,
    pub attachments: Vec<Attachment>,
    pub checks: Vec<CheckResult>,
    pub confirmations: Vec<Confirmation>,
    pub notes: Vec<Note>,
    pub revisions: Vec<Revision>,
    pub history: Vec<AuditEntry>,
}

pub struct ItemState {
    pub data: ItemData,
    pub scroll: u16,
    /// Someone else's live lease: (login, until).
    pub other: Option<(String, String)>,
    pub lease_until: Option<String>,
}

/// Text from the database made safe to put in an editor field: escape sequences, control,
/// bidi and zero-width characters removed, NFC.
/// " · kiểm tra trùng lặp thay đổi: #5, #7": the other items whose duplicate check a decision
/// or a save ran again with a different result; empty when there are none.
pub fn rechecked_note(lang: Lang, ids: &[i64]) -> String {
    if ids.is_empty() {
        return String::new();
    }
    let ids = ids
        .iter()
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    tr!(
        lang,
        " · kiểm tra trùng lặp thay đổi: {ids}",
        " · duplicate check changed: {ids}"
    )
}

pub fn edit_clean(s: &str) -> String {
    crate::text_input(s)
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{061c}'
            )
        })
        .collect()
}

/// The editor's fields, in focus order.
pub const FIELDS: usize = 7;
pub const F_TITLE: usize = 0;
pub const F_LEAD: usize = 1;
pub const F_BODY: usize = 2;
pub const F_AUTHOR: usize = 3;
pub const F_SOURCE: usize = 4;
pub const F_URL: usize = 5;
pub const F_DATE: usize = 6;

pub struct EditorState {
    pub id: i64,
    /// The version the user loaded: saving checks it.
    pub version: i64,
    pub fields: Vec<TextArea<'static>>,
    pub quoted: bool,
    pub focus: usize,
    pub original: Content,
}

impl EditorState {
    pub fn new(id: i64, version: i64, c: &Content) -> EditorState {
        let a = &c.attribution;
        let texts = [
            edit_clean(&c.title),
            edit_clean(&c.lead),
            edit_clean(&c.body),
            edit_clean(&a.author),
            edit_clean(&a.source_name),
            edit_clean(&a.source_url),
            a.source_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        ];
        let fields = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut ta = TextArea::new(t.split('\n').map(str::to_string).collect());
                ta.set_cursor_line_style(ratatui::style::Style::default());
                if matches!(i, F_LEAD | F_BODY) {
                    ta.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
                }
                ta
            })
            .collect();
        let mut e = EditorState {
            id,
            version,
            fields,
            quoted: a.kind == SourceKind::Quoted,
            focus: F_TITLE,
            original: c.clone(),
        };
        e.apply_focus();
        e
    }

    /// Only the focused field shows a cursor.
    pub fn apply_focus(&mut self) {
        let on = ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::REVERSED);
        for (i, f) in self.fields.iter_mut().enumerate() {
            f.set_cursor_style(if i == self.focus {
                on
            } else {
                ratatui::style::Style::default()
            });
        }
    }

    fn text(&self, i: usize) -> String {
        self.fields
            .get(i)
            .map(|f| f.lines().join("\n"))
            .unwrap_or_default()
    }

    /// The content as typed, normalised (NFC, controls removed). Errors name the bad field.
    pub fn content(&self) -> Result<Content, (String, String)> {
        let one = |i: usize| crate::text_input(&self.text(i).replace('\n', " "));
        let date = one(F_DATE);
        let source_date = if date.trim().is_empty() {
            None
        } else {
            let d = date.trim();
            Some(
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .or_else(|_| chrono::NaiveDate::parse_from_str(d, "%d/%m/%Y"))
                    .map_err(|_| {
                        (
                            format!(
                                "ngày đăng gốc \"{}\" không hợp lệ (NNNN-TT-NN hoặc NN/TT/NNNN)",
                                super::safe(d)
                            ),
                            format!(
                                "source date \"{}\" is not valid (YYYY-MM-DD or DD/MM/YYYY)",
                                super::safe(d)
                            ),
                        )
                    })?,
            )
        };
        Ok(Content {
            title: one(F_TITLE).trim().to_string(),
            lead: crate::text_input(&self.text(F_LEAD)),
            body: crate::text_input(&self.text(F_BODY)),
            attribution: Attribution {
                kind: if self.quoted {
                    SourceKind::Quoted
                } else {
                    SourceKind::Original
                },
                author: one(F_AUTHOR).trim().to_string(),
                source_name: one(F_SOURCE).trim().to_string(),
                source_url: one(F_URL).trim().to_string(),
                source_date,
            },
        })
    }

    pub fn dirty(&self) -> bool {
        self.content().map(|c| c != self.original).unwrap_or(true)
    }
}

pub struct QueueState {
    pub tabs: Vec<Tab>,
    pub tab: usize,
    pub rows: Vec<ItemRow>,
    pub sel: usize,
    pub dir: PageDir,
    pub more_before: bool,
    pub more_after: bool,
    /// Where the next page starts when a filter's scan window ended the page early (see
    /// `store::queue::SCAN_WINDOW`): (forward, backward).
    pub resume: (Option<Cursor>, Option<Cursor>),
    pub counts: Vec<(IState, i64)>,
    pub mine_count: i64,
    pub sort: SortKey,
    pub limit: Option<(String, Expr)>,
    pub search: Option<String>,
    pub tags: BTreeSet<i64>,
    /// Where the selection goes once the requested page arrives.
    pub land: Land,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Land {
    Keep,
    First,
    Last,
}

/// What the loop must do (I/O), and feed back as actions.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadQueue,
    LoadPage,
    LoadUsers,
    Search(String),
    OpenItem(i64),
    ReloadItem(i64),
    CloseItem(i64),
    TakeOver(i64),
    Decide {
        targets: Vec<(i64, Option<i64>)>,
        action: Action,
        note: String,
    },
    Save {
        id: i64,
        version: i64,
        content: Content,
    },
    AddNote {
        id: i64,
        text: String,
    },
    /// Record that the source (or attribution) was confirmed by contacting someone.
    Confirm {
        id: i64,
        what: String,
        how: ContactMethod,
        note: String,
    },
    /// Set one of the submitter's details (`field`: name, title, organisation, email, phone,
    /// address).
    SetSubmitter {
        id: i64,
        field: String,
        value: String,
        note: String,
    },
    TagPattern(Expr),
    CheckDraft(i64),
    DeleteDraft(i64),
    /// Build the report of a month (slow on a large month: the App draws a frame first).
    LoadReport {
        year: i32,
        month: u32,
    },
}

/// Why a save failed.
#[derive(Debug, Clone)]
pub enum SaveError {
    Conflict(Box<Item>),
    Other(String),
}

/// Inputs of `update`: commands from the keymap, text keys, and results of effects.
#[derive(Debug, Clone)]
pub enum UiAction {
    Cmd(Cmd),
    /// A key for the focused text (prompt, palette, editor field).
    Text(Key),
    Paste(String),
    Resize(u16, u16),
    QueueLoaded {
        page: Page,
        /// None: a page turn, the counts are unchanged.
        counts: Option<(Vec<(IState, i64)>, i64)>,
    },
    SearchLoaded(Page),
    UsersLoaded(Vec<User>),
    ItemLoaded(Box<ItemData>),
    Lease {
        id: i64,
        other: Option<(String, String)>,
        until: Option<String>,
    },
    Decided {
        ok: usize,
        failed: Vec<(i64, String)>,
        last: Option<String>,
    },
    /// The new version, and the items whose duplicate check changed with it.
    Saved(Result<(i64, Vec<i64>), SaveError>),
    NoteAdded(Result<(), String>),
    /// Items tagged by a pattern (at most `TAG_LIMIT`), and how many matched in all (counted
    /// up to `TAG_COUNT_CAP`; more means "more than that").
    Tagged {
        ids: Vec<i64>,
        matched: i64,
    },
    DraftFound(Option<(Content, i64)>),
    Failed(String),
    DataChanged,
    /// A month's report, or the readable reason it could not be built.
    ReportLoaded {
        year: i32,
        month: u32,
        result: Result<Box<crate::report::PeriodReport>, String>,
    },
}

pub struct State {
    pub lang: Lang,
    pub profile: Profile,
    pub me: Actor,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub screen: Screen,
    pub queue: QueueState,
    pub item: Option<ItemState>,
    pub editor: Option<EditorState>,
    pub reports: Option<ReportsState>,
    pub modal: Option<Modal>,
    pub flow: Option<Flow>,
    pub users: Vec<User>,
    pub status: Option<Status>,
    pub quit: bool,
}

/// The tabs: "my work" first, then the states.
pub fn tabs() -> Vec<Tab> {
    use IState::*;
    let t = |vi, en, states: Vec<IState>| Tab {
        vi,
        en,
        states,
        mine: false,
    };
    vec![
        Tab {
            vi: "Việc của tôi",
            en: "My work",
            states: vec![],
            mine: true,
        },
        t("Mới nhận", "New", vec![Received]),
        t("Đã phân loại", "Triaged", vec![Triaged]),
        t("Đang biên tập", "Editing", vec![Editing]),
        t("Đã kiểm tra", "Verified", vec![Verified]),
        t("Xin ý kiến", "Escalated", vec![Escalated]),
        t("Đã duyệt", "Approved", vec![Approved]),
        t("Trả lại", "Returned", vec![Returned]),
        t("Đã xong", "Closed", vec![Published, Rejected, Withdrawn]),
    ]
}

/// Whether an index answers a condition in queue order (with the state): then its page needs
/// no scan window.
fn indexed(e: &Expr) -> bool {
    match e {
        Expr::Assignee(_) | Expr::CategoryIs(_) => true,
        Expr::AtStep(v) => v.len() == 1,
        _ => false,
    }
}

/// What the user must act on now, by role: (states read, condition).
pub fn my_work(profile: &Profile, me: &Actor) -> (Vec<IState>, Expr) {
    use IState::*;
    let role = profile.role(&me.role);
    let has = |c: Capability| role.is_some_and(|r| r.has(c));
    let mut clauses = Vec::new();
    let mut states: BTreeSet<IState> = BTreeSet::new();
    if has(Capability::Intake) {
        clauses.push(Expr::InState(vec![Received, Returned]));
        states.extend([Received, Returned]);
    }
    if has(Capability::Publish) {
        clauses.push(Expr::InState(vec![Approved]));
        states.insert(Approved);
    }
    clauses.push(Expr::And(vec![
        Expr::InState(vec![Triaged, Editing, Verified]),
        Expr::Assignee(me.login.clone()),
    ]));
    states.extend([Triaged, Editing, Verified]);
    let steps: Vec<usize> = profile
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind != StepKind::Edit && workflow::may_take_step(profile, me, &s.code))
        .map(|(i, _)| i)
        .collect();
    // One clause per step, so that each is one walk of `items_state_step_due`.
    for step in steps {
        clauses.push(Expr::And(vec![
            Expr::InState(vec![Editing, Verified]),
            Expr::AtStep(vec![step]),
        ]));
    }
    if has(Capability::Opinion) {
        clauses.push(Expr::InState(vec![Escalated]));
        states.insert(Escalated);
    }
    (states.into_iter().collect(), Expr::Or(clauses))
}

impl State {
    pub fn new(profile: Profile, me: Actor, lang: Lang, now: DateTime<Utc>) -> State {
        State {
            lang,
            profile,
            me,
            now,
            size: (80, 24),
            screen: Screen::Queue,
            queue: QueueState {
                tabs: tabs(),
                tab: 0,
                rows: Vec::new(),
                sel: 0,
                dir: PageDir::After(None),
                more_before: false,
                more_after: false,
                resume: (None, None),
                counts: Vec::new(),
                mine_count: 0,
                sort: SortKey::Due,
                limit: None,
                search: None,
                tags: BTreeSet::new(),
                land: Land::Keep,
            },
            item: None,
            editor: None,
            reports: None,
            modal: None,
            flow: None,
            users: Vec::new(),
            status: None,
            quit: false,
        }
    }

    /// Rows of the queue list that fit the screen.
    pub fn page_rows(&self) -> usize {
        (self.size.1 as usize).saturating_sub(5).max(1)
    }

    /// The indexed parts of the current tab with the limit pattern: one per state, each with
    /// its condition folded for that state; states where nothing can match are left out.
    fn parts(&self, mine: bool, with_limit: bool, split_or: bool) -> Vec<Part> {
        let q = &self.queue;
        let tab = &q.tabs[q.tab.min(q.tabs.len() - 1)];
        let mut conds = Vec::new();
        let states = if mine {
            let (states, e) = my_work(&self.profile, &self.me);
            conds.push(e);
            states
        } else {
            tab.states.clone()
        };
        if with_limit {
            if let Some((_, e)) = &q.limit {
                let is_code = |c: &str| self.profile.category(c).is_some();
                conds.push(e.exact_categories(&is_code));
            }
        }
        let whole = Expr::And(conds);
        let mut out = Vec::new();
        for st in states {
            match whole.for_state(st) {
                Expr::Const(false) => {}
                Expr::Const(true) => out.push(Part {
                    state: Some(st),
                    filter: None,
                    indexed: false,
                    title: None,
                }),
                // Each alternative its own query, so that each can use its own index
                // (`assignee IS ?` uses items_assignee_due, `step IN (?)` items_state_step_due);
                // list_page drops the duplicates.
                Expr::Or(v) if split_or => out.extend(v.into_iter().map(|e| Part {
                    state: Some(st),
                    filter: Some(filter::compile(&e, self.now)),
                    indexed: indexed(&e),
                    title: filter::title_words(&e),
                })),
                e => out.push(Part {
                    state: Some(st),
                    filter: Some(filter::compile(&e, self.now)),
                    indexed: indexed(&e),
                    title: filter::title_words(&e),
                }),
            }
        }
        out
    }

    /// The page request for the current tab, sort, limit and direction.
    pub fn page_query(&self) -> PageQuery {
        let q = &self.queue;
        let mine = q.tabs.get(q.tab).is_some_and(|t| t.mine);
        PageQuery {
            parts: self.parts(mine, true, true),
            sort: q.sort,
            dir: q.dir.clone(),
            limit: self.page_rows(),
        }
    }

    /// The parts of "my work" (for its count).
    pub fn mine_parts(&self) -> Vec<Part> {
        self.parts(true, false, false)
    }

    pub fn key_context(&self) -> KeyCtx {
        match &self.modal {
            Some(Modal::Help { .. }) => KeyCtx::Help,
            Some(Modal::Palette { .. }) => KeyCtx::Palette,
            Some(Modal::Prompt { .. }) => KeyCtx::Prompt,
            Some(Modal::Picker(_)) => KeyCtx::Picker,
            Some(
                Modal::ConfirmFlow
                | Modal::ConfirmTakeOver
                | Modal::ConfirmDiscard
                | Modal::RestoreDraft(_),
            ) => KeyCtx::Confirm,
            Some(Modal::Conflict(_)) => KeyCtx::Conflict,
            Some(Modal::ConflictDiff { .. } | Modal::Diff { .. }) => KeyCtx::Diff,
            Some(Modal::Bulk) => KeyCtx::Bulk,
            None => match self.screen {
                Screen::Queue => KeyCtx::Queue,
                Screen::Item => KeyCtx::Item,
                Screen::Editor => KeyCtx::Editor,
                Screen::Reports => KeyCtx::Reports,
            },
        }
    }

    pub fn selected_row(&self) -> Option<&ItemRow> {
        self.queue.rows.get(self.queue.sel)
    }

    fn info(&mut self, s: String) {
        self.status = Some(Status::Info(s));
    }
    fn error(&mut self, s: String) {
        self.status = Some(Status::Error(s));
    }

    /// Why a decision is not available on the open item, or None when it is.
    pub fn refusal(&self, kind: FlowKind) -> Option<String> {
        let it = self.item.as_ref()?;
        let facts = it.data.item.facts();
        match workflow::apply(
            &self.profile,
            &facts,
            &self.me,
            &kind.probe(&self.profile, &facts.category),
        ) {
            Ok(_) => None,
            Err(e) => Some(e.message(self.lang, &self.profile)),
        }
    }
}

/// Resolve a key in the current context and update: the one entry point for key presses.
pub fn on_key(s: &mut State, k: Key) -> Vec<Effect> {
    match keymap::resolve(s.key_context(), &k) {
        Some(cmd) => update(s, UiAction::Cmd(cmd)),
        None => update(s, UiAction::Text(k)),
    }
}

fn tag_toggle(s: &mut State) {
    if let Some(id) = s.selected_row().map(|r| r.id) {
        if !s.queue.tags.remove(&id) {
            s.queue.tags.insert(id);
        }
        let n = s.queue.tags.len();
        s.info(tr!(s.lang, "đã đánh dấu {n} tin bài", "{n} items tagged"));
        if s.queue.sel + 1 < s.queue.rows.len() {
            s.queue.sel += 1;
        }
    }
}

fn reload_queue(s: &mut State, dir: PageDir, land: Land) -> Vec<Effect> {
    s.queue.dir = dir;
    s.queue.land = land;
    if let Some(q) = s.queue.search.clone() {
        vec![Effect::Search(q)]
    } else {
        vec![Effect::LoadQueue]
    }
}

/// Another page of the same tab: the counts have not changed.
fn turn_page(s: &mut State, dir: PageDir, land: Land) -> Vec<Effect> {
    s.queue.dir = dir;
    s.queue.land = land;
    match s.queue.search.clone() {
        Some(q) => vec![Effect::Search(q)],
        None => vec![Effect::LoadPage],
    }
}

fn queue_move(s: &mut State, cmd: Cmd) -> Vec<Effect> {
    let q = &mut s.queue;
    let n = q.rows.len();
    // Search results page too (by id, newest first).
    let paged = true;
    let cur = |r: &ItemRow| {
        if q.search.is_some() {
            Cursor::Id(r.id)
        } else {
            Cursor::of(r, q.sort)
        }
    };
    // A page that a filter's scan window ended early continues from where the scan stopped.
    let first = q.resume.1.clone().or_else(|| q.rows.first().map(cur));
    let last = q.resume.0.clone().or_else(|| q.rows.last().map(cur));
    match cmd {
        Cmd::Down => {
            if q.sel + 1 < n {
                q.sel += 1;
            } else if paged && q.more_after {
                return turn_page(s, PageDir::After(last), Land::First);
            }
        }
        Cmd::Up => {
            if q.sel > 0 {
                q.sel -= 1;
            } else if paged && q.more_before {
                return turn_page(s, PageDir::Before(first), Land::Last);
            }
        }
        Cmd::PageDown => {
            if paged && q.more_after {
                return turn_page(s, PageDir::After(last), Land::First);
            }
            q.sel = n.saturating_sub(1);
        }
        Cmd::PageUp => {
            if paged && q.more_before {
                return turn_page(s, PageDir::Before(first), Land::First);
            }
            q.sel = 0;
        }
        Cmd::Top => {
            if paged && q.more_before {
                return turn_page(s, PageDir::After(None), Land::First);
            }
            q.sel = 0;
        }
        Cmd::Bottom => {
            if paged && q.more_after {
                return turn_page(s, PageDir::Before(None), Land::Last);
            }
            q.sel = n.saturating_sub(1);
        }
        _ => {}
    }
    vec![]
}

fn switch_tab(s: &mut State, t: usize) -> Vec<Effect> {
    if t >= s.queue.tabs.len() {
        return vec![];
    }
    s.queue.tab = t;
    s.queue.search = None;
    s.queue.sel = 0;
    reload_queue(s, PageDir::After(None), Land::First)
}

/// Start a decision on the open item (or the tagged items when `bulk`).
fn start_flow(s: &mut State, kind: FlowKind, bulk: bool) -> Vec<Effect> {
    let lang = s.lang;
    let mut flow = Flow {
        kind,
        targets: vec![],
        category: None,
        to: None,
        reasons: None,
        opinion: None,
        note: None,
        confirmed: false,
        step_kind: None,
        failed_checks: vec![],
        what: None,
        how: None,
        field: None,
        value: None,
    };
    if bulk {
        if !kind.bulk() {
            s.error(tr!(
                lang,
                "không áp dụng \"{}\" cho nhiều tin bài cùng lúc",
                "\"{}\" cannot be applied to several items at once",
                kind.label(lang)
            ));
            return vec![];
        }
        let versions: Vec<(i64, Option<i64>)> = s
            .queue
            .tags
            .iter()
            .map(|id| {
                let v = s.queue.rows.iter().find(|r| r.id == *id).map(|r| r.version);
                (*id, v)
            })
            .collect();
        if versions.is_empty() {
            s.error(
                lang.pick("chưa đánh dấu tin bài nào (t)", "no items tagged (t)")
                    .into(),
            );
            return vec![];
        }
        flow.targets = versions;
    } else {
        let Some(it) = s.item.as_ref() else {
            return vec![];
        };
        if let Some(why) = s.refusal(kind) {
            s.error(why);
            return vec![];
        }
        let item = &it.data.item;
        flow.targets = vec![(item.id, Some(item.version))];
        flow.step_kind = workflow::next_step(&s.profile, &item.facts()).map(|st| st.kind);
        flow.failed_checks = it
            .data
            .checks
            .iter()
            .filter(|c| c.status == "fail")
            .map(|c| c.code.clone())
            .collect();
    }
    s.flow = Some(flow);
    advance_flow(s)
}

/// Ask for whatever the flow still needs, or run it.
fn advance_flow(s: &mut State) -> Vec<Effect> {
    let lang = s.lang;
    let Some(flow) = s.flow.clone() else {
        return vec![];
    };
    let p = &s.profile;
    let picker = |title: String, items: Vec<PickItem>, multi: bool, purpose| {
        Modal::Picker(Picker {
            title,
            items,
            sel: 0,
            multi,
            purpose,
        })
    };
    let reasons_picker = |kind: ReasonKind, pre: &[String]| {
        let items: Vec<PickItem> = p
            .reasons
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| PickItem {
                checked: r.check.as_ref().is_some_and(|c| pre.contains(c)),
                ..PickItem::reason(r, lang)
            })
            .collect();
        picker(
            match kind {
                ReasonKind::Reject => lang.pick(
                    "Lý do từ chối (Space chọn, Enter xong)",
                    "Refusal grounds (Space picks, Enter done)",
                ),
                ReasonKind::Return => lang.pick(
                    "Nội dung cần bổ sung (Space chọn, Enter xong)",
                    "What to fix (Space picks, Enter done)",
                ),
            }
            .to_string(),
            items,
            true,
            PickPurpose::Reasons,
        )
    };
    let note_prompt = Modal::Prompt {
        kind: PromptKind::FlowNote,
        text: String::new(),
    };
    let submitter = s.item.as_ref().map(|i| &i.data.item.submitter);
    let next: Option<Modal> = match flow.kind {
        FlowKind::Triage if flow.category.is_none() => Some(picker(
            lang.pick("Chuyên mục", "Category").into(),
            p.categories
                .iter()
                .map(|c| PickItem::new(c.code.clone(), c.name(lang), c.article.clone()))
                .collect(),
            false,
            PickPurpose::Category,
        )),
        FlowKind::Assign if flow.to.is_none() => Some(picker(
            lang.pick("Giao cho", "Assign to").into(),
            s.users
                .iter()
                .filter(|u| u.active)
                .map(|u| {
                    PickItem::new(
                        u.login.clone(),
                        format!("{} — {}", u.login, super::safe(&u.name)),
                        p.role(&u.role)
                            .map(|r| r.title(lang).to_string())
                            .unwrap_or_else(|| u.role.clone()),
                    )
                })
                .collect(),
            false,
            PickPurpose::User,
        )),
        FlowKind::Reject if flow.reasons.is_none() => Some(reasons_picker(ReasonKind::Reject, &[])),
        // Taking down: the grounds are any of the profile's reason codes (refusal grounds
        // first), each with its citation; the note is always required (the workflow says so).
        FlowKind::Withdraw if flow.reasons.is_none() => {
            let mut rs: Vec<&crate::domain::profile::ReasonCode> = p.reasons.iter().collect();
            rs.sort_by_key(|r| r.kind != ReasonKind::Reject);
            Some(picker(
                lang.pick(
                    "Căn cứ gỡ tin (Space chọn, Enter xong; bắt buộc ghi chú sau)",
                    "Grounds for withdrawal (Space picks, Enter done; a note follows)",
                )
                .into(),
                rs.iter().map(|r| PickItem::reason(r, lang)).collect(),
                true,
                PickPurpose::Reasons,
            ))
        }
        FlowKind::Confirm if flow.what.is_none() => Some(picker(
            lang.pick("Xác minh điều gì", "What was confirmed").into(),
            vec![
                PickItem::new(
                    "source",
                    lang.pick("nguồn tin", "the source"),
                    lang.pick(
                        "người/cơ quan cung cấp thông tin",
                        "who provided the information",
                    ),
                ),
                PickItem::new(
                    "attribution",
                    lang.pick("trích dẫn", "the attribution"),
                    lang.pick(
                        "tác giả, tên nguồn được trích dẫn",
                        "the quoted author and source name",
                    ),
                ),
            ],
            false,
            PickPurpose::ConfirmWhat,
        )),
        FlowKind::Confirm if flow.how.is_none() => Some(picker(
            lang.pick("Đã liên hệ bằng cách nào", "How they were contacted")
                .into(),
            [
                ContactMethod::Phone,
                ContactMethod::Email,
                ContactMethod::InPerson,
                ContactMethod::Document,
            ]
            .iter()
            .map(|m| PickItem::new(m.as_str(), m.label(lang), ""))
            .collect(),
            false,
            PickPurpose::ConfirmHow,
        )),
        FlowKind::Submitter if flow.field.is_none() => Some(picker(
            lang.pick(
                "Bổ sung thông tin người gửi: chọn ô",
                "Complete the submitter's details: pick one",
            )
            .into(),
            Identity::DETAILS
                .iter()
                .map(|key| {
                    let now = submitter.and_then(|w| w.detail(key)).unwrap_or("");
                    PickItem::new(
                        *key,
                        Identity::detail_label(key, lang),
                        if now.is_empty() {
                            lang.pick("(chưa có)", "(none)").to_string()
                        } else {
                            super::safe(now)
                        },
                    )
                })
                .collect(),
            false,
            PickPurpose::SubmitterField,
        )),
        FlowKind::Submitter if flow.value.is_none() => Some(Modal::Prompt {
            kind: PromptKind::FlowValue,
            text: submitter
                .and_then(|w| w.detail(flow.field.as_deref().unwrap_or("")))
                .unwrap_or("")
                .to_string(),
        }),
        FlowKind::Return if flow.reasons.is_none() => {
            Some(reasons_picker(ReasonKind::Return, &flow.failed_checks))
        }
        FlowKind::Opinion if flow.opinion.is_none() => Some(picker(
            lang.pick("Ý kiến", "Opinion").into(),
            vec![
                PickItem::new("agree", lang.pick("đồng ý đăng", "agree to publish"), ""),
                PickItem::new("disagree", lang.pick("không đồng ý", "disagree"), ""),
            ],
            false,
            PickPurpose::Opinion,
        )),
        FlowKind::Reject
        | FlowKind::Return
        | FlowKind::Escalate
        | FlowKind::Opinion
        | FlowKind::Withdraw
        | FlowKind::Confirm
        | FlowKind::Submitter
            if flow.note.is_none() =>
        {
            Some(note_prompt)
        }
        FlowKind::Step
        | FlowKind::Reject
        | FlowKind::Return
        | FlowKind::Publish
        | FlowKind::Withdraw
        | FlowKind::Resubmit
            if !flow.confirmed
                && (flow.kind != FlowKind::Step || flow.step_kind == Some(StepKind::Approve)) =>
        {
            Some(Modal::ConfirmFlow)
        }
        _ => None,
    };
    match next {
        Some(m) => {
            s.modal = Some(m);
            vec![]
        }
        None => {
            s.modal = None;
            let action = flow.action();
            s.flow = None;
            s.info(lang.pick("đang ghi…", "saving…").into());
            if flow.kind == FlowKind::Submitter {
                let Some(&(id, _)) = flow.targets.first() else {
                    return vec![];
                };
                return vec![Effect::SetSubmitter {
                    id,
                    field: flow.field.unwrap_or_default(),
                    value: flow.value.unwrap_or_default(),
                    note: flow.note.unwrap_or_default(),
                }];
            }
            if flow.kind == FlowKind::Confirm {
                let Some(&(id, _)) = flow.targets.first() else {
                    return vec![];
                };
                return vec![Effect::Confirm {
                    id,
                    what: flow.what.unwrap_or_else(|| "source".into()),
                    how: flow.how.unwrap_or(ContactMethod::Phone),
                    note: flow.note.unwrap_or_default(),
                }];
            }
            vec![Effect::Decide {
                targets: flow.targets,
                action,
                note: flow.note.unwrap_or_default(),
            }]
        }
    }
}

/// The decision menu: every decision, available ones first; unavailable ones say why.
fn decision_menu(s: &mut State) {
    let lang = s.lang;
    let mut items: Vec<PickItem> = FlowKind::ALL
        .iter()
        .map(|k| {
            let why = s.refusal(*k);
            PickItem {
                enabled: why.is_none(),
                ..PickItem::new(
                    format!("{k:?}"),
                    k.label(lang),
                    why.clone().unwrap_or_default(),
                )
            }
        })
        .collect();
    items.sort_by_key(|i| !i.enabled);
    s.modal = Some(Modal::Picker(Picker {
        title: lang.pick("Quyết định", "Decide").into(),
        items,
        sel: 0,
        multi: false,
        purpose: PickPurpose::Decision,
    }));
}

fn flow_kind_of(key: &str) -> Option<FlowKind> {
    FlowKind::ALL.into_iter().find(|k| format!("{k:?}") == key)
}

fn picked(s: &mut State, p: Picker) -> Vec<Effect> {
    let chosen: Vec<String> = if p.multi {
        p.items
            .iter()
            .filter(|i| i.checked)
            .map(|i| i.key.clone())
            .collect()
    } else {
        p.items
            .get(p.sel)
            .filter(|i| i.enabled)
            .map(|i| vec![i.key.clone()])
            .unwrap_or_default()
    };
    if chosen.is_empty() {
        if let Some(i) = p.items.get(p.sel).filter(|i| !i.enabled) {
            s.error(i.detail.clone());
        } else {
            s.error(s.lang.pick("chưa chọn gì", "nothing chosen").into());
        }
        s.modal = Some(Modal::Picker(p));
        return vec![];
    }
    s.modal = None;
    match p.purpose {
        PickPurpose::Decision => match flow_kind_of(&chosen[0]) {
            Some(k) => start_flow(s, k, false),
            None => vec![],
        },
        PickPurpose::Category => {
            if let Some(f) = s.flow.as_mut() {
                f.category = chosen.into_iter().next();
            }
            advance_flow(s)
        }
        PickPurpose::User => {
            if let Some(f) = s.flow.as_mut() {
                f.to = chosen.into_iter().next();
            }
            advance_flow(s)
        }
        PickPurpose::Reasons => {
            if let Some(f) = s.flow.as_mut() {
                f.reasons = Some(chosen);
            }
            advance_flow(s)
        }
        PickPurpose::Opinion => {
            if let Some(f) = s.flow.as_mut() {
                f.opinion = Opinion::parse(&chosen[0]);
            }
            advance_flow(s)
        }
        PickPurpose::ConfirmWhat => {
            if let Some(f) = s.flow.as_mut() {
                f.what = chosen.into_iter().next();
            }
            advance_flow(s)
        }
        PickPurpose::ConfirmHow => {
            if let Some(f) = s.flow.as_mut() {
                f.how = chosen.first().and_then(|c| ContactMethod::parse(c));
            }
            advance_flow(s)
        }
        PickPurpose::SubmitterField => {
            if let Some(f) = s.flow.as_mut() {
                f.field = chosen.first().cloned();
            }
            advance_flow(s)
        }
    }
}

fn cancel_modal(s: &mut State) {
    if s.flow.take().is_some() {
        s.info(
            s.lang
                .pick("đã huỷ, không thay đổi gì", "cancelled, nothing changed")
                .into(),
        );
    }
    s.modal = None;
}

fn open_editor(s: &mut State) -> Vec<Effect> {
    let Some(it) = s.item.as_ref() else {
        return vec![];
    };
    if let Some((who, _)) = &it.other {
        let who = super::safe(who);
        s.modal = Some(Modal::ConfirmTakeOver);
        s.info(tr!(
            s.lang,
            "{who} đang mở tin bài này; nhận quyền sửa? (y/n)",
            "{who} has this item open; take it over? (y/n)"
        ));
        return vec![];
    }
    if let Some(why) = s.refusal_edit() {
        s.error(why);
        return vec![];
    }
    let item = &it.data.item;
    s.editor = Some(EditorState::new(item.id, item.version, &item.content()));
    s.screen = Screen::Editor;
    vec![Effect::CheckDraft(item.id)]
}

impl State {
    fn refusal_edit(&self) -> Option<String> {
        let it = self.item.as_ref()?;
        workflow::apply(
            &self.profile,
            &it.data.item.facts(),
            &self.me,
            &Action::Edit,
        )
        .err()
        .map(|e| e.message(self.lang, &self.profile))
    }
}

fn text_edit(buf: &mut String, k: &Key) {
    match k.code {
        Code::Backspace => {
            buf.pop();
        }
        Code::Char(c) if !k.ctrl && !k.alt => buf.push(c),
        Code::Char('u') if k.ctrl => buf.clear(),
        Code::Char('w') if k.ctrl => {
            let t = buf.trim_end().rfind(' ').map(|i| i + 1).unwrap_or(0);
            buf.truncate(t);
        }
        _ => {}
    }
}

fn submit_prompt(s: &mut State, kind: PromptKind, text: String) -> Vec<Effect> {
    let lang = s.lang;
    let text = crate::text_input(&text);
    s.modal = None;
    match kind {
        PromptKind::Search => {
            if text.trim().is_empty() {
                s.queue.search = None;
                return reload_queue(s, PageDir::After(None), Land::First);
            }
            s.queue.search = Some(text.clone());
            s.queue.land = Land::First;
            s.queue.dir = PageDir::After(None);
            vec![Effect::Search(text)]
        }
        PromptKind::Goto => match text.trim().trim_start_matches('#').parse::<i64>() {
            Ok(id) => vec![Effect::OpenItem(id)],
            Err(_) => {
                s.error(tr!(
                    lang,
                    "\"{}\" không phải số tin bài",
                    "\"{}\" is not an item number",
                    super::safe(&text)
                ));
                vec![]
            }
        },
        PromptKind::Limit => {
            if text.trim().is_empty() || text.trim() == "all" {
                s.queue.limit = None;
                s.info(lang.pick("bỏ lọc", "limit cleared").into());
                return reload_queue(s, PageDir::After(None), Land::First);
            }
            match filter::parse(&text) {
                Ok(e) => {
                    s.info(tr!(
                        lang,
                        "lọc: {}",
                        "limit: {}",
                        filter::describe(&e, lang)
                    ));
                    s.queue.limit = Some((text, e));
                    s.queue.search = None;
                    reload_queue(s, PageDir::After(None), Land::First)
                }
                Err(e) => {
                    s.error(e.message(lang));
                    s.modal = Some(Modal::Prompt { kind, text });
                    vec![]
                }
            }
        }
        PromptKind::TagPattern => match filter::parse(&text) {
            Ok(e) => vec![Effect::TagPattern(e)],
            Err(e) => {
                s.error(e.message(lang));
                s.modal = Some(Modal::Prompt { kind, text });
                vec![]
            }
        },
        PromptKind::Note => {
            let Some(id) = s.item.as_ref().map(|i| i.data.item.id) else {
                return vec![];
            };
            if text.trim().is_empty() {
                s.info(
                    lang.pick("ghi chú trống, không lưu", "empty note, not saved")
                        .into(),
                );
                return vec![];
            }
            vec![Effect::AddNote { id, text }]
        }
        PromptKind::FlowNote => {
            let required = s.flow.as_ref().is_some_and(|f| {
                matches!(
                    f.kind,
                    FlowKind::Reject
                        | FlowKind::Return
                        | FlowKind::Withdraw
                        | FlowKind::Confirm
                        | FlowKind::Submitter
                ) || (f.kind == FlowKind::Opinion && f.opinion == Some(Opinion::Disagree))
            });
            if required && text.trim().is_empty() {
                s.error(
                    lang.pick(
                        "phải ghi chú lý do (quy chế yêu cầu)",
                        "a note is required (the regulation asks for one)",
                    )
                    .into(),
                );
                s.modal = Some(Modal::Prompt { kind, text });
                return vec![];
            }
            if let Some(f) = s.flow.as_mut() {
                f.note = Some(text.trim().to_string());
            }
            advance_flow(s)
        }
        PromptKind::FlowValue => {
            if let Some(f) = s.flow.as_mut() {
                f.value = Some(crate::text_input_line(&text));
            }
            advance_flow(s)
        }
    }
}

fn palette_entries(s: &State, query: &str) -> Vec<(Cmd, String)> {
    let ctx = match s.screen {
        Screen::Queue => KeyCtx::Queue,
        Screen::Item => KeyCtx::Item,
        Screen::Editor => KeyCtx::Editor,
        Screen::Reports => KeyCtx::Reports,
    };
    let q = crate::store::fold_index(query);
    keymap::bindings(ctx)
        .iter()
        .filter(|b| b.cmd != Cmd::Palette)
        .map(|b| (b.cmd, format!("{}  {}", b.label(s.lang), b.keys)))
        .filter(|(_, l)| q.is_empty() || crate::store::fold_index(l).contains(q.trim()))
        .collect()
}

/// The pure update step.
pub fn update(s: &mut State, a: UiAction) -> Vec<Effect> {
    let lang = s.lang;
    match a {
        UiAction::Resize(w, h) => {
            let before = s.page_rows();
            s.size = (w, h);
            if s.page_rows() != before && s.screen == Screen::Queue {
                return reload_queue(s, s.queue.dir.clone(), Land::Keep);
            }
            vec![]
        }
        UiAction::QueueLoaded { page, counts } => {
            let q = &mut s.queue;
            if let Some((counts, mine)) = counts {
                q.counts = counts;
                q.mine_count = mine;
            }
            let keep = q.rows.get(q.sel).map(|r| r.id);
            q.rows = page.rows;
            q.more_before = page.more_before;
            q.more_after = page.more_after;
            q.resume = match q.dir {
                PageDir::After(_) => (page.resume, None),
                PageDir::Before(_) => (None, page.resume),
            };
            q.sel = match q.land {
                Land::First => 0,
                Land::Last => q.rows.len().saturating_sub(1),
                Land::Keep => keep
                    .and_then(|id| q.rows.iter().position(|r| r.id == id))
                    .unwrap_or(q.sel.min(q.rows.len().saturating_sub(1))),
            };
            q.land = Land::Keep;
            vec![]
        }
        UiAction::SearchLoaded(page) => {
            let n = page.rows.len();
            let first_page = matches!(s.queue.dir, PageDir::After(None));
            let q = &mut s.queue;
            q.rows = page.rows;
            q.more_after = page.more_after;
            q.more_before = page.more_before;
            q.resume = (None, None);
            q.sel = match q.land {
                Land::First => 0,
                Land::Last => n.saturating_sub(1),
                Land::Keep => q.sel.min(n.saturating_sub(1)),
            };
            q.land = Land::Keep;
            if let (Some(text), true) = (&s.queue.search, first_page) {
                let text = super::safe(text);
                let more = s.queue.more_after;
                s.info(if more {
                    tr!(
                        lang,
                        "tìm \"{text}\": hơn {n} kết quả (PgDn xem tiếp)",
                        "search \"{text}\": more than {n} results (PgDn for more)"
                    )
                } else {
                    tr!(
                        lang,
                        "tìm \"{text}\": {n} kết quả",
                        "search \"{text}\": {n} results"
                    )
                });
            }
            vec![]
        }
        UiAction::UsersLoaded(u) => {
            s.users = u;
            vec![]
        }
        UiAction::ItemLoaded(d) => {
            let keep_scroll = s
                .item
                .as_ref()
                .filter(|i| i.data.item.id == d.item.id)
                .map(|i| (i.scroll, i.other.clone(), i.lease_until.clone()));
            let (scroll, other, until) = keep_scroll.unwrap_or((0, None, None));
            s.item = Some(ItemState {
                data: *d,
                scroll,
                other,
                lease_until: until,
            });
            if s.screen == Screen::Queue {
                s.screen = Screen::Item;
            }
            vec![]
        }
        UiAction::Lease { id, other, until } => {
            if let Some(it) = s.item.as_mut().filter(|i| i.data.item.id == id) {
                it.other = other;
                it.lease_until = until;
            }
            vec![]
        }
        UiAction::Decided { ok, failed, last } => {
            s.status = Some(match (ok, failed.first()) {
                (_, None) => Status::Ok(match (ok, last) {
                    (1, Some(l)) => l,
                    _ => tr!(lang, "đã ghi {ok} tin bài", "{ok} items done"),
                }),
                (0, Some((id, why))) if failed.len() == 1 => {
                    Status::Error(tr!(lang, "#{id}: {why}", "#{id}: {why}"))
                }
                (_, Some((id, why))) => Status::Error(tr!(
                    lang,
                    "{ok} xong, {} bị từ chối; #{id}: {why}",
                    "{ok} done, {} refused; #{id}: {why}",
                    failed.len()
                )),
            });
            if failed.is_empty() {
                s.queue.tags.clear();
            }
            let mut e = vec![Effect::LoadQueue];
            if let Some(it) = &s.item {
                e.push(Effect::ReloadItem(it.data.item.id));
            }
            if s.queue.search.is_some() {
                e[0] = Effect::Search(s.queue.search.clone().unwrap_or_default());
            }
            e
        }
        UiAction::Saved(r) => match r {
            Ok((v, rechecked)) => {
                let id = s.editor.as_ref().map(|e| e.id);
                s.editor = None;
                s.screen = Screen::Item;
                let mut msg = tr!(lang, "đã lưu (phiên bản {v})", "saved (version {v})");
                msg.push_str(&rechecked_note(lang, &rechecked));
                s.status = Some(Status::Ok(msg));
                let mut e = vec![Effect::LoadQueue];
                if let Some(id) = id {
                    e.push(Effect::ReloadItem(id));
                    e.push(Effect::DeleteDraft(id));
                }
                e
            }
            Err(SaveError::Conflict(theirs)) => {
                s.error(tr!(
                    lang,
                    "người khác đã sửa tin bài này (phiên bản {}); r tải bản của họ · d so sánh · o ghi đè có chủ ý · Esc tiếp tục sửa",
                    "someone else changed this item (version {}); r reload theirs · d compare · o overwrite deliberately · Esc keep editing",
                    theirs.version
                ));
                s.modal = Some(Modal::Conflict(theirs));
                vec![]
            }
            Err(SaveError::Other(m)) => {
                s.error(m);
                vec![]
            }
        },
        UiAction::NoteAdded(r) => {
            match r {
                Ok(()) => {
                    s.status = Some(Status::Ok(
                        lang.pick("đã thêm ghi chú", "note added").into(),
                    ))
                }
                Err(m) => s.error(m),
            }
            match &s.item {
                Some(it) => vec![Effect::ReloadItem(it.data.item.id)],
                None => vec![],
            }
        }
        UiAction::Tagged { ids, matched } => {
            let n = ids.len();
            s.queue.tags.extend(ids);
            let total = s.queue.tags.len();
            if matched > n as i64 {
                // Honest about the cap: how many matched, and that only the first were tagged.
                let how_many = if matched > TAG_COUNT_CAP as i64 {
                    tr!(lang, "hơn {}", "more than {}", TAG_COUNT_CAP)
                } else {
                    matched.to_string()
                };
                s.info(tr!(
                    lang,
                    "{how_many} tin khớp mẫu; chỉ đánh dấu {n} tin đầu (số nhỏ nhất; tối đa {TAG_LIMIT} một lần) — thu hẹp mẫu để đánh dấu phần còn lại; tổng {total} đã đánh dấu",
                    "{how_many} items match; only the first {n} (lowest numbers; at most {TAG_LIMIT} at a time) were tagged — narrow the pattern for the rest; {total} tagged in all"
                ));
            } else {
                s.info(tr!(
                    lang,
                    "đã đánh dấu thêm {n} (tổng {total}); ; để áp dụng một quyết định",
                    "tagged {n} more ({total} in all); ; applies a decision"
                ));
            }
            vec![]
        }
        UiAction::DraftFound(d) => {
            if let Some((c, v)) = d {
                s.modal = Some(Modal::RestoreDraft(Box::new((c, v))));
                s.info(lang.pick(
                    "có bản nháp chưa lưu từ phiên trước (mất kết nối); khôi phục? y/n (Esc: để sau)",
                    "there is an unsaved draft from an earlier session (connection lost); restore it? y/n (Esc: later)",
                ).into());
            }
            vec![]
        }
        UiAction::Failed(m) => {
            s.error(m);
            vec![]
        }
        UiAction::DataChanged => {
            let mut e = reload_queue(s, s.queue.dir.clone(), Land::Keep);
            if let Some(it) = &s.item {
                e.push(Effect::ReloadItem(it.data.item.id));
            }
            e
        }
        UiAction::Paste(text) => {
            let clean = crate::text_input(&text);
            match (&mut s.modal, s.screen) {
                (Some(Modal::Prompt { text, .. }), _)
                | (Some(Modal::Palette { query: text, .. }), _) => {
                    text.push_str(&clean.replace('\n', " "));
                }
                (None, Screen::Editor) => {
                    if let Some(ed) = s.editor.as_mut() {
                        let single = !matches!(ed.focus, F_LEAD | F_BODY);
                        let t = if single {
                            clean.replace('\n', " ")
                        } else {
                            clean
                        };
                        if let Some(f) = ed.fields.get_mut(ed.focus) {
                            f.insert_str(t);
                        }
                    }
                }
                _ => {}
            }
            vec![]
        }
        UiAction::ReportLoaded {
            year,
            month,
            result,
        } => {
            // A result for a month the user has already left is dropped.
            if let Some(r) = s
                .reports
                .as_mut()
                .filter(|r| r.year == year && r.month == month)
            {
                r.view = match result {
                    Ok(rep) => ReportView::Ready(rep),
                    Err(m) => ReportView::Failed(m),
                };
            }
            vec![]
        }
        UiAction::Text(k) => on_text(s, k),
        UiAction::Cmd(c) => on_cmd(s, c),
    }
}

/// Show the reports screen on a month and ask for its report.
fn report_month(s: &mut State, year: i32, month: u32) -> Vec<Effect> {
    s.screen = Screen::Reports;
    s.reports = Some(ReportsState {
        year,
        month,
        view: ReportView::Loading,
    });
    vec![Effect::LoadReport { year, month }]
}

fn on_text(s: &mut State, k: Key) -> Vec<Effect> {
    match &mut s.modal {
        Some(Modal::Prompt { text, .. }) => {
            text_edit(text, &k);
            vec![]
        }
        Some(Modal::Palette { query, sel }) => {
            text_edit(query, &k);
            *sel = 0;
            vec![]
        }
        Some(Modal::Help { .. }) => {
            s.modal = None;
            vec![]
        }
        None if s.screen == Screen::Editor => {
            if let Some(ed) = s.editor.as_mut() {
                let single = !matches!(ed.focus, F_LEAD | F_BODY);
                if single && (k.code == Code::Enter || (k.ctrl && k.code == Code::Char('m'))) {
                    ed.focus = (ed.focus + 1) % FIELDS;
                    ed.apply_focus();
                    return vec![];
                }
                if let Some(f) = ed.fields.get_mut(ed.focus) {
                    use ratatui_textarea::CursorMove;
                    match (k.ctrl, k.code) {
                        // Start/end of the whole field without Alt.
                        (true, Code::End) => {
                            f.move_cursor(CursorMove::Bottom);
                            f.move_cursor(CursorMove::End);
                        }
                        (true, Code::Home) => {
                            f.move_cursor(CursorMove::Top);
                            f.move_cursor(CursorMove::Head);
                        }
                        _ => {
                            f.input(super::keys::to_textarea(&k));
                        }
                    }
                }
            }
            vec![]
        }
        _ => vec![],
    }
}

fn on_cmd(s: &mut State, c: Cmd) -> Vec<Effect> {
    let lang = s.lang;
    match c {
        Cmd::Quit => {
            if s.screen == Screen::Queue {
                s.quit = true;
            }
            vec![]
        }
        Cmd::Help => {
            s.modal = Some(Modal::Help { scroll: 0 });
            vec![]
        }
        Cmd::Palette => {
            s.modal = Some(Modal::Palette {
                query: String::new(),
                sel: 0,
            });
            vec![]
        }
        Cmd::Close => {
            if matches!(s.modal, Some(Modal::Conflict(_))) {
                s.modal = None;
                s.info(
                    lang.pick(
                        "tiếp tục sửa; bản của bạn vẫn còn",
                        "keep editing; your text is kept",
                    )
                    .into(),
                );
                return vec![];
            }
            if matches!(s.modal, Some(Modal::RestoreDraft(_))) {
                s.modal = None;
                s.info(
                    lang.pick("để bản nháp lại cho lần sau", "draft kept for later")
                        .into(),
                );
                return vec![];
            }
            if matches!(s.modal, Some(Modal::ConflictDiff { .. })) {
                if let Some(Modal::ConflictDiff { theirs, .. }) = s.modal.take() {
                    s.modal = Some(Modal::Conflict(theirs));
                }
                return vec![];
            }
            cancel_modal(s);
            vec![]
        }
        Cmd::Down | Cmd::Up | Cmd::PageDown | Cmd::PageUp | Cmd::Top | Cmd::Bottom => {
            match (&mut s.modal, s.screen) {
                (Some(Modal::Picker(p)), _) => {
                    let n = p.items.len();
                    p.sel = match c {
                        Cmd::Down => (p.sel + 1).min(n.saturating_sub(1)),
                        Cmd::Up => p.sel.saturating_sub(1),
                        Cmd::Top | Cmd::PageUp => 0,
                        _ => n.saturating_sub(1),
                    };
                    vec![]
                }
                (Some(Modal::Palette { sel, .. }), _) => {
                    *sel = match c {
                        Cmd::Down => *sel + 1,
                        Cmd::Up => sel.saturating_sub(1),
                        _ => 0,
                    };
                    vec![]
                }
                (
                    Some(
                        Modal::Diff { scroll, .. }
                        | Modal::ConflictDiff { scroll, .. }
                        | Modal::Help { scroll },
                    ),
                    _,
                ) => {
                    *scroll = scroll_by(*scroll, c, s.size.1);
                    vec![]
                }
                (None, Screen::Queue) => queue_move(s, c),
                (None, Screen::Item) => {
                    let h = s.size.1;
                    if let Some(it) = s.item.as_mut() {
                        it.scroll = scroll_by(it.scroll, c, h);
                    }
                    vec![]
                }
                _ => vec![],
            }
        }
        Cmd::Open => {
            if let Some(Modal::Palette { query, sel }) = &s.modal {
                let entries = palette_entries(s, query);
                let pick = entries
                    .get((*sel).min(entries.len().saturating_sub(1)))
                    .map(|e| e.0);
                s.modal = None;
                return match pick {
                    Some(cmd) => on_cmd(s, cmd),
                    None => vec![],
                };
            }
            if let Some(Modal::Prompt { kind, text }) = s.modal.clone() {
                return submit_prompt(s, kind, text);
            }
            if let Some(Modal::Picker(p)) = s.modal.clone() {
                return picked(s, p);
            }
            match s.screen {
                Screen::Queue => match s.selected_row().map(|r| r.id) {
                    Some(id) => vec![Effect::OpenItem(id)],
                    None => vec![],
                },
                _ => vec![],
            }
        }
        Cmd::Toggle => {
            if let Some(Modal::Picker(p)) = &mut s.modal {
                if p.multi {
                    if let Some(i) = p.items.get_mut(p.sel) {
                        i.checked = !i.checked;
                    }
                    p.sel = (p.sel + 1).min(p.items.len().saturating_sub(1));
                }
            }
            vec![]
        }
        Cmd::Yes => match s.modal.take() {
            Some(Modal::ConfirmFlow) => {
                if let Some(f) = s.flow.as_mut() {
                    f.confirmed = true;
                }
                advance_flow(s)
            }
            Some(Modal::ConfirmTakeOver) => {
                let Some(id) = s.item.as_ref().map(|i| i.data.item.id) else {
                    return vec![];
                };
                if let Some(it) = s.item.as_mut() {
                    it.other = None;
                }
                let mut e = vec![Effect::TakeOver(id)];
                e.extend(open_editor(s));
                e
            }
            Some(Modal::ConfirmDiscard) => {
                s.editor = None;
                s.screen = Screen::Item;
                s.info(
                    lang.pick("đã bỏ các thay đổi chưa lưu", "unsaved changes discarded")
                        .into(),
                );
                vec![]
            }
            Some(Modal::RestoreDraft(d)) => {
                let (c, v) = *d;
                if let Some(ed) = s.editor.as_mut() {
                    let mut restored = EditorState::new(ed.id, v, &c);
                    restored.original = ed.original.clone();
                    *ed = restored;
                }
                s.info(
                    lang.pick(
                        "đã khôi phục bản nháp; lưu sẽ kiểm tra phiên bản bạn đã sửa",
                        "draft restored; saving checks the version you edited",
                    )
                    .into(),
                );
                vec![]
            }
            other => {
                s.modal = other;
                vec![]
            }
        },
        Cmd::No => match s.modal.take() {
            Some(Modal::RestoreDraft(_)) => {
                s.info(lang.pick("đã bỏ bản nháp", "draft discarded").into());
                match s.editor.as_ref() {
                    Some(ed) => vec![Effect::DeleteDraft(ed.id)],
                    None => vec![],
                }
            }
            Some(Modal::ConfirmFlow) => {
                s.flow = None;
                s.info(
                    lang.pick("đã huỷ, không thay đổi gì", "cancelled, nothing changed")
                        .into(),
                );
                vec![]
            }
            _ => {
                s.status = None;
                vec![]
            }
        },
        Cmd::NextTab => switch_tab(s, (s.queue.tab + 1) % s.queue.tabs.len()),
        Cmd::PrevTab => {
            let n = s.queue.tabs.len();
            switch_tab(s, (s.queue.tab + n - 1) % n)
        }
        Cmd::Tab(n) => switch_tab(s, n as usize),
        Cmd::Search => {
            s.modal = Some(Modal::Prompt {
                kind: PromptKind::Search,
                text: s.queue.search.clone().unwrap_or_default(),
            });
            vec![]
        }
        Cmd::Goto => {
            s.modal = Some(Modal::Prompt {
                kind: PromptKind::Goto,
                text: String::new(),
            });
            vec![]
        }
        Cmd::Limit => {
            s.modal = Some(Modal::Prompt {
                kind: PromptKind::Limit,
                text: s
                    .queue
                    .limit
                    .as_ref()
                    .map(|l| l.0.clone())
                    .unwrap_or_default(),
            });
            vec![]
        }
        Cmd::ClearView => {
            if s.queue.search.is_some() || s.queue.limit.is_some() {
                s.queue.search = None;
                s.queue.limit = None;
                s.info(
                    lang.pick("bỏ tìm kiếm và lọc", "search and limit cleared")
                        .into(),
                );
                return reload_queue(s, PageDir::After(None), Land::First);
            }
            vec![]
        }
        Cmd::Tag => {
            tag_toggle(s);
            vec![]
        }
        Cmd::TagPattern => {
            s.modal = Some(Modal::Prompt {
                kind: PromptKind::TagPattern,
                text: String::new(),
            });
            vec![]
        }
        Cmd::Bulk => {
            if s.queue.tags.is_empty() {
                s.error(
                    lang.pick("chưa đánh dấu tin bài nào (t, T)", "no items tagged (t, T)")
                        .into(),
                );
                return vec![];
            }
            s.modal = Some(Modal::Bulk);
            s.info(tr!(
                lang,
                "áp dụng cho {} tin bài đã đánh dấu: a giao · b trả lại · Esc huỷ",
                "apply to {} tagged items: a assign · b return · Esc cancel",
                s.queue.tags.len()
            ));
            vec![]
        }
        Cmd::BulkAssign => start_flow(s, FlowKind::Assign, true),
        Cmd::BulkReturn => start_flow(s, FlowKind::Return, true),
        Cmd::Sort => {
            s.queue.sort = match s.queue.sort {
                SortKey::Due => SortKey::Received,
                SortKey::Received => SortKey::Title,
                SortKey::Title => SortKey::Due,
            };
            s.info(tr!(
                lang,
                "sắp xếp: {}",
                "sort: {}",
                sort_label(s.queue.sort, lang)
            ));
            reload_queue(s, PageDir::After(None), Land::First)
        }
        Cmd::Reports => {
            if s.screen != Screen::Queue {
                return vec![];
            }
            let today = crate::domain::deadline::to_local(s.now).date();
            report_month(s, today.year(), today.month())
        }
        Cmd::PrevPeriod | Cmd::NextPeriod => {
            let Some(r) = s.reports.as_ref().filter(|_| s.screen == Screen::Reports) else {
                return vec![];
            };
            let by = if c == Cmd::PrevPeriod { -1 } else { 1 };
            let (y, m) = ReportsState::shifted(r.year, r.month, by);
            // Years the report engine can name (four digits).
            if !(1900..=9999).contains(&y) {
                return vec![];
            }
            report_month(s, y, m)
        }
        Cmd::Back => match s.screen {
            Screen::Item => {
                let id = s.item.as_ref().map(|i| i.data.item.id);
                s.item = None;
                s.screen = Screen::Queue;
                let mut e = reload_queue(s, s.queue.dir.clone(), Land::Keep);
                if let Some(id) = id {
                    e.push(Effect::CloseItem(id));
                }
                e
            }
            Screen::Editor => {
                if s.editor.as_ref().is_some_and(|e| e.dirty()) {
                    s.modal = Some(Modal::ConfirmDiscard);
                    s.info(lang.pick(
                        "bỏ các thay đổi chưa lưu? y bỏ · n/Esc tiếp tục sửa (Ctrl-S để lưu)",
                        "discard unsaved changes? y discard · n/Esc keep editing (Ctrl-S saves)",
                    ).into());
                } else {
                    s.editor = None;
                    s.screen = Screen::Item;
                }
                vec![]
            }
            Screen::Reports => {
                s.reports = None;
                s.screen = Screen::Queue;
                reload_queue(s, s.queue.dir.clone(), Land::Keep)
            }
            Screen::Queue => vec![],
        },
        Cmd::Act => {
            if s.item.is_some() {
                decision_menu(s);
            }
            vec![]
        }
        Cmd::Decide(k) => start_flow(s, k, false),
        Cmd::Edit => open_editor(s),
        Cmd::AddNote => {
            if s.item.is_some() {
                s.modal = Some(Modal::Prompt {
                    kind: PromptKind::Note,
                    text: String::new(),
                });
            }
            vec![]
        }
        Cmd::Diff => {
            let n = s.item.as_ref().map(|i| i.data.revisions.len()).unwrap_or(0);
            if n < 2 {
                s.info(
                    lang.pick(
                        "chưa có bản sửa nào để so sánh",
                        "no revisions to compare yet",
                    )
                    .into(),
                );
            } else {
                s.modal = Some(Modal::Diff {
                    idx: n - 1,
                    scroll: 0,
                });
            }
            vec![]
        }
        Cmd::Older | Cmd::Newer => {
            let n = s.item.as_ref().map(|i| i.data.revisions.len()).unwrap_or(0);
            if let Some(Modal::Diff { idx, scroll }) = &mut s.modal {
                *idx = if c == Cmd::Older {
                    (*idx).saturating_sub(1).max(1)
                } else {
                    (*idx + 1).min(n.saturating_sub(1))
                };
                *scroll = 0;
            }
            vec![]
        }
        Cmd::TakeOver => {
            if s.item.as_ref().is_some_and(|i| i.other.is_some()) {
                s.modal = Some(Modal::ConfirmTakeOver);
            }
            vec![]
        }
        Cmd::NextField | Cmd::PrevField => {
            if let Some(ed) = s.editor.as_mut() {
                ed.focus = if c == Cmd::NextField {
                    (ed.focus + 1) % FIELDS
                } else {
                    (ed.focus + FIELDS - 1) % FIELDS
                };
                ed.apply_focus();
            }
            vec![]
        }
        Cmd::ToggleQuoted => {
            if let Some(ed) = s.editor.as_mut() {
                ed.quoted = !ed.quoted;
            }
            vec![]
        }
        Cmd::Save => {
            let Some(ed) = s.editor.as_ref() else {
                return vec![];
            };
            match ed.content() {
                Ok(c) => {
                    if c.title.is_empty() {
                        s.error(
                            lang.pick("tiêu đề không được để trống", "the title may not be empty")
                                .into(),
                        );
                        return vec![];
                    }
                    vec![Effect::Save {
                        id: ed.id,
                        version: ed.version,
                        content: c,
                    }]
                }
                Err((vi, en)) => {
                    s.error(lang.pick(&vi, &en).to_string());
                    vec![]
                }
            }
        }
        Cmd::Reload => {
            if s.modal.is_none() && s.screen == Screen::Reports {
                return match s.reports.as_ref() {
                    Some(r) => {
                        let (y, m) = (r.year, r.month);
                        report_month(s, y, m)
                    }
                    None => vec![],
                };
            }
            if let Some(Modal::Conflict(theirs)) = s.modal.take() {
                if let Some(ed) = s.editor.as_mut() {
                    *ed = EditorState::new(theirs.id, theirs.version, &theirs.content());
                }
                s.info(tr!(
                    lang,
                    "đã tải phiên bản {} của người khác; sửa lại rồi Ctrl-S",
                    "loaded their version {}; redo your change and Ctrl-S",
                    theirs.version
                ));
            }
            vec![]
        }
        Cmd::Compare => {
            if let Some(Modal::Conflict(theirs)) = s.modal.take() {
                s.modal = Some(Modal::ConflictDiff { theirs, scroll: 0 });
            }
            vec![]
        }
        Cmd::Overwrite => {
            if let Some(Modal::Conflict(theirs)) = s.modal.take() {
                if let Some(ed) = s.editor.as_mut() {
                    ed.version = theirs.version;
                }
                s.info(tr!(
                    lang,
                    "bản của bạn sẽ thay phiên bản {} (bản của họ vẫn còn trong lịch sử); Ctrl-S để ghi",
                    "your text will replace version {} (theirs stays in the history); Ctrl-S to save",
                    theirs.version
                ));
            }
            vec![]
        }
    }
}

fn scroll_by(cur: u16, c: Cmd, h: u16) -> u16 {
    let page = h.saturating_sub(6).max(1);
    match c {
        Cmd::Down => cur.saturating_add(1),
        Cmd::Up => cur.saturating_sub(1),
        Cmd::PageDown => cur.saturating_add(page),
        Cmd::PageUp => cur.saturating_sub(page),
        Cmd::Top => 0,
        Cmd::Bottom => u16::MAX / 2,
        _ => cur,
    }
}

pub fn sort_label(k: SortKey, lang: Lang) -> &'static str {
    match k {
        SortKey::Due => lang.pick("hạn xử lý", "due"),
        SortKey::Received => lang.pick("mới nhận", "received"),
        SortKey::Title => lang.pick("tiêu đề", "title"),
    }
}

/// The palette's entries for the current screen (for rendering).
pub fn palette_view(s: &State, query: &str) -> Vec<String> {
    palette_entries(s, query).into_iter().map(|e| e.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_shift_across_years() {
        assert_eq!(ReportsState::shifted(2026, 11, -1), (2026, 10));
        assert_eq!(ReportsState::shifted(2026, 1, -1), (2025, 12));
        assert_eq!(ReportsState::shifted(2026, 12, 1), (2027, 1));
        assert_eq!(ReportsState::shifted(2026, 11, -23), (2024, 12));
        assert_eq!(ReportsState::shifted(2026, 3, 0), (2026, 3));
    }
}
