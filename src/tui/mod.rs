//! The console (TUI). Shape: a key resolves to a command in a pure keymap step
//! (`keymap::resolve`), `app::update(&mut State, UiAction) -> Vec<Effect>` changes the state
//! without I/O, `view::render(&State, …)` only reads, and `App` runs the effects (database
//! queries, decisions) and feeds their results back as actions. `term` owns the terminal.
//!
//! The console never starts a program (no shell, no `$EDITOR`, no pager): it is meant to run as
//! an SSH `ForceCommand`.

pub mod app;
pub mod filter;
pub mod keymap;
pub mod keys;
mod term;
pub mod theme;
pub mod view;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ratatui::Frame;

use app::{Effect, ItemData, SaveError, State, UiAction};
use keys::Key;
use theme::Theme;

use crate::domain::item::Content;
use crate::i18n::Lang;
use crate::store::{Ctx, Store, StoreError};
use crate::tr;

pub use term::run;

/// Make untrusted text safe to draw on one line (escape sequences, control and bidi characters
/// shown visibly, zero-width characters dropped). The one call site to swap for `text::sanitize`.
pub fn safe(s: &str) -> String {
    crate::cli::output::one_line(s)
}

/// The clock the console reads (injected so that tests are deterministic).
pub type Clock = Box<dyn Fn() -> DateTime<Utc>>;

/// The console: its state, the database and the effect runner.
pub struct App {
    pub state: State,
    store: Store,
    os_login: String,
    clock: Clock,
    pub theme: Theme,
    data_version: i64,
    lease_renewed: Option<DateTime<Utc>>,
    drafts: PathBuf,
    /// A slow effect (a month's report) held back until a frame has been drawn: the latest
    /// request wins, so that months skipped over quickly are never built.
    deferred: Option<Effect>,
}

fn draft_name(login: &str, id: i64) -> String {
    let clean: String = login
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect();
    format!("{clean}-{id}.json")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Draft {
    version: i64,
    content: Content,
}

impl App {
    /// Open the console on a database for a board login (`os_login` is recorded with it).
    pub fn new(
        db: &Path,
        login: &str,
        os_login: &str,
        lang: Lang,
        clock: Clock,
    ) -> Result<App, String> {
        // Opened before the screen is taken (see `term::run`): an upgrade of a large database
        // takes minutes, and the notice is printed first.
        let mut store = Store::open_with(db, &mut |from, to| {
            eprintln!("{}", crate::store::upgrade_notice(db, from, to, lang))
        })
        .map_err(|e| e.message(lang, None))?;
        crate::due::install(&mut store);
        let now = clock();
        let me = store
            .actor(login, &crate::store::ts(now))
            .map_err(|e| e.message(lang, Some(store.profile())))?;
        let data_version = store.data_version().map_err(|e| e.message(lang, None))?;
        let state = State::new(store.profile().clone(), me, lang, now);
        // One private folder per login: a draft may hold text nobody else should read yet.
        let drafts = crate::store::identity::data_dir(db)
            .join("drafts")
            .join(login);
        let mut app = App {
            state,
            store,
            os_login: os_login.to_string(),
            clock,
            theme: Theme::from_env(),
            data_version,
            lease_renewed: None,
            drafts,
            deferred: None,
        };
        app.run_effects(vec![Effect::LoadUsers, Effect::LoadQueue]);
        Ok(app)
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            actor: self.state.me.login.clone(),
            os_login: self.os_login.clone(),
            now: self.state.now,
        }
    }

    fn msg(&self, e: StoreError) -> String {
        e.message(self.state.lang, Some(self.store.profile()))
    }

    /// A key press: keymap, update, effects.
    pub fn key(&mut self, k: Key) {
        self.state.now = (self.clock)();
        let effects = app::on_key(&mut self.state, k);
        self.run_effects(effects);
    }

    /// Any other input (paste, resize, results).
    pub fn dispatch(&mut self, a: UiAction) {
        self.state.now = (self.clock)();
        let effects = app::update(&mut self.state, a);
        self.run_effects(effects);
    }

    pub fn render(&self, f: &mut Frame) {
        view::render(&self.state, &self.theme, f);
    }

    /// Called when no input came for a while: live refresh (only when another connection
    /// committed) and lease renewal. True when something changed on screen.
    pub fn tick(&mut self) -> bool {
        self.state.now = (self.clock)();
        let mut changed = false;
        if let Ok(v) = self.store.data_version() {
            if v != self.data_version {
                self.data_version = v;
                self.dispatch(UiAction::DataChanged);
                changed = true;
            }
        }
        let now = self.state.now;
        let renew = self.state.item.as_ref().and_then(|it| {
            (it.other.is_none()
                && self
                    .lease_renewed
                    .is_none_or(|t| now - t > chrono::Duration::seconds(app::LEASE_RENEW_SECS)))
            .then_some(it.data.item.id)
        });
        if let Some(id) = renew {
            let a = self.acquire(id, false);
            self.dispatch(a);
            changed = true;
        }
        changed
    }

    fn acquire(&mut self, id: i64, take_over: bool) -> UiAction {
        let now = self.state.now;
        let until = now + chrono::Duration::seconds(app::LEASE_SECS);
        self.lease_renewed = Some(now);
        match self.store.lease_acquire(
            id,
            &self.state.me.login,
            &crate::store::ts(now),
            &crate::store::ts(until),
            take_over,
        ) {
            Ok(crate::store::queue::Lease::Held { until }) => UiAction::Lease {
                id,
                other: None,
                until: Some(until),
            },
            Ok(crate::store::queue::Lease::Other { login, until }) => UiAction::Lease {
                id,
                other: Some((login, until)),
                until: None,
            },
            // A read-only database cannot hold leases; the console still works.
            Err(_) => UiAction::Lease {
                id,
                other: None,
                until: None,
            },
        }
    }

    fn load_item(&self, id: i64) -> Result<ItemData, StoreError> {
        let s = &self.store;
        Ok(ItemData {
            item: s.item(id)?,
            attachments: s.attachments(id)?,
            checks: s.checks(id)?,
            confirmations: s.confirmations(id)?,
            notes: s.notes(id)?,
            revisions: s.revisions(id)?,
            history: s.audit_log(Some(id), Some(200))?,
        })
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        // Effects feed actions back; bound the chain so that a bug cannot loop forever.
        let mut budget = 64;
        while let Some(e) = queue.pop_front() {
            budget -= 1;
            if budget == 0 {
                break;
            }
            if matches!(e, Effect::LoadReport { .. }) {
                self.deferred = Some(e);
                continue;
            }
            for a in self.exec(e) {
                let more = app::update(&mut self.state, a);
                queue.extend(more);
            }
        }
        if let Ok(v) = self.store.data_version() {
            self.data_version = v;
        }
    }

    /// Whether a slow effect waits for `run_deferred` (the loop draws a frame first).
    pub fn has_deferred(&self) -> bool {
        self.deferred.is_some()
    }

    /// Run the held-back slow effect, if any. True when something changed on screen.
    pub fn run_deferred(&mut self) -> bool {
        let Some(e) = self.deferred.take() else {
            return false;
        };
        self.state.now = (self.clock)();
        let mut more = Vec::new();
        for a in self.exec(e) {
            more.extend(app::update(&mut self.state, a));
        }
        self.run_effects(more);
        true
    }

    /// A month's report for the reports screen, or the reason in the user's language.
    fn build_report(&self, year: i32, month: u32) -> Result<crate::report::PeriodReport, String> {
        use crate::report::{Period, Produced, ReportError};
        let lang = self.state.lang;
        let period = Period::month(year, month).ok_or_else(|| {
            ReportError::BadPeriod {
                input: format!("{year}-{month:02}"),
                expected: "YYYY-MM",
            }
            .message(lang)
        })?;
        let cal = crate::due::calendar();
        let cal = cal
            .as_ref()
            .as_ref()
            .map_err(|m| ReportError::CalendarLoad(m.clone()).message(lang))?;
        let me = &self.state.me.login;
        let by_name = self
            .state
            .users
            .iter()
            .find(|u| &u.login == me)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| me.clone());
        let produced = Produced {
            by_login: me.clone(),
            by_name,
            at: self.state.now,
        };
        crate::report::build(&self.store, cal, &period, &produced, lang)
            .map_err(|e| e.message(lang))
    }

    fn exec(&mut self, e: Effect) -> Vec<UiAction> {
        let lang = self.state.lang;
        let fail = |m: String| vec![UiAction::Failed(m)];
        match e {
            Effect::LoadQueue => {
                let q = self.state.page_query();
                let mine_parts = self.state.mine_parts();
                let r = (|| -> Result<UiAction, StoreError> {
                    Ok(UiAction::QueueLoaded {
                        page: self.store.list_page(&q)?,
                        counts: Some((
                            self.store.counts()?,
                            self.store.count_capped(&mine_parts, app::COUNT_CAP)?,
                        )),
                    })
                })();
                match r {
                    Ok(a) => vec![a],
                    Err(e) => fail(self.msg(e)),
                }
            }
            Effect::LoadPage => match self.store.list_page(&self.state.page_query()) {
                Ok(page) => vec![UiAction::QueueLoaded { page, counts: None }],
                Err(e) => fail(self.msg(e)),
            },
            Effect::LoadUsers => match self.store.users() {
                Ok(u) => vec![UiAction::UsersLoaded(u)],
                Err(e) => fail(self.msg(e)),
            },
            Effect::Search(q) => {
                match self
                    .store
                    .search_page(&q, &self.state.queue.dir, self.state.page_rows())
                {
                    Ok(page) => vec![UiAction::SearchLoaded(page)],
                    Err(e) => fail(self.msg(e)),
                }
            }
            Effect::OpenItem(id) => match self.load_item(id) {
                Ok(d) => {
                    let lease = self.acquire(id, false);
                    vec![UiAction::ItemLoaded(Box::new(d)), lease]
                }
                Err(e) => fail(self.msg(e)),
            },
            Effect::ReloadItem(id) => match self.load_item(id) {
                Ok(d) => {
                    let now = crate::store::ts(self.state.now);
                    let me = self.state.me.login.clone();
                    let other = self
                        .store
                        .lease_holder(id, &now)
                        .ok()
                        .flatten()
                        .filter(|(l, _)| *l != me);
                    let until = self.state.item.as_ref().and_then(|i| i.lease_until.clone());
                    vec![
                        UiAction::ItemLoaded(Box::new(d)),
                        UiAction::Lease {
                            id,
                            until: if other.is_some() { None } else { until },
                            other,
                        },
                    ]
                }
                Err(e) => fail(self.msg(e)),
            },
            Effect::CloseItem(id) => {
                let me = self.state.me.login.clone();
                let _ = self.store.lease_release(id, &me);
                self.lease_renewed = None;
                vec![]
            }
            Effect::TakeOver(id) => vec![self.acquire(id, true)],
            Effect::Decide {
                targets,
                action,
                note,
            } => {
                let ctx = self.ctx();
                let mut ok = 0;
                let mut failed = Vec::new();
                let mut last = None;
                for (id, version) in targets {
                    match self.store.decide(&ctx, id, version, &action, &note) {
                        Ok(o) => {
                            ok += 1;
                            let mut l = tr!(
                                lang,
                                "#{id}: {} → {}",
                                "#{id}: {} → {}",
                                o.from.label(lang),
                                o.to.label(lang)
                            );
                            l.push_str(&app::rechecked_note(lang, &o.rechecked));
                            last = Some(l);
                        }
                        Err(e) => failed.push((id, self.msg(e))),
                    }
                }
                vec![UiAction::Decided { ok, failed, last }]
            }
            Effect::Save {
                id,
                version,
                content,
            } => {
                let ctx = self.ctx();
                match self.store.edit(&ctx, id, version, &content, "") {
                    Ok(o) => vec![UiAction::Saved(Ok((o.version, o.rechecked)))],
                    Err(StoreError::Conflict { .. }) => match self.store.item(id) {
                        Ok(theirs) => {
                            vec![UiAction::Saved(Err(SaveError::Conflict(Box::new(theirs))))]
                        }
                        Err(e) => vec![UiAction::Saved(Err(SaveError::Other(self.msg(e))))],
                    },
                    Err(e) => vec![UiAction::Saved(Err(SaveError::Other(self.msg(e))))],
                }
            }
            Effect::AddNote { id, text } => {
                let ctx = self.ctx();
                let r = self.store.add_note(&ctx, id, &text).map(|_| ());
                vec![UiAction::NoteAdded(r.map_err(|e| self.msg(e)))]
            }
            Effect::Confirm {
                id,
                what,
                how,
                note,
            } => {
                let ctx = self.ctx();
                match self.store.confirm(&ctx, id, &what, how, &note) {
                    Ok(()) => vec![UiAction::Decided {
                        ok: 1,
                        failed: vec![],
                        last: Some(tr!(
                            lang,
                            "#{id}: đã ghi xác minh {} ({})",
                            "#{id}: {} confirmed ({})",
                            if what == "attribution" {
                                lang.pick("trích dẫn", "attribution")
                            } else {
                                lang.pick("nguồn", "source")
                            },
                            how.label(lang)
                        )),
                    }],
                    Err(e) => vec![UiAction::Decided {
                        ok: 0,
                        failed: vec![(id, self.msg(e))],
                        last: None,
                    }],
                }
            }
            Effect::SetSubmitter {
                id,
                field,
                value,
                note,
            } => {
                let ctx = self.ctx();
                match self
                    .store
                    .set_submitter(&ctx, id, &[(field.as_str(), value)], &note)
                {
                    Ok(crate::store::SubmitterUpdate { status, detail, .. }) => {
                        vec![UiAction::Decided {
                            ok: 1,
                            failed: vec![],
                            last: Some(if status == crate::domain::checks::PASS {
                                tr!(
                                    lang,
                                    "#{id}: đã bổ sung người gửi; thông tin người gửi đủ",
                                    "#{id}: submitter updated; details complete"
                                )
                            } else {
                                tr!(
                                    lang,
                                    "#{id}: đã bổ sung người gửi; còn {}",
                                    "#{id}: submitter updated; still {}",
                                    detail
                                )
                            }),
                        }]
                    }
                    Err(e) => vec![UiAction::Decided {
                        ok: 0,
                        failed: vec![(id, self.msg(e))],
                        last: None,
                    }],
                }
            }
            Effect::TagPattern(expr) => {
                let w = filter::compile(&expr, self.state.now);
                let r = self.store.ids_matching(&w, app::TAG_LIMIT).and_then(|ids| {
                    // At the cap, count how many matched (up to TAG_COUNT_CAP) to say so.
                    let matched = if ids.len() >= app::TAG_LIMIT {
                        self.store.count_matching(&w, app::TAG_COUNT_CAP)?
                    } else {
                        ids.len() as i64
                    };
                    Ok(UiAction::Tagged { ids, matched })
                });
                match r {
                    Ok(a) => vec![a],
                    Err(e) => fail(self.msg(e)),
                }
            }
            Effect::CheckDraft(id) => {
                let p = self.drafts.join(draft_name(&self.state.me.login, id));
                let d = std::fs::read_to_string(&p)
                    .ok()
                    .and_then(|t| serde_json::from_str::<Draft>(&t).ok())
                    .map(|d| (d.content, d.version));
                vec![UiAction::DraftFound(d)]
            }
            Effect::DeleteDraft(id) => {
                let p = self.drafts.join(draft_name(&self.state.me.login, id));
                let _ = std::fs::remove_file(p);
                vec![]
            }
            Effect::LoadReport { year, month } => vec![UiAction::ReportLoaded {
                year,
                month,
                result: self.build_report(year, month).map(Box::new),
            }],
        }
    }

    /// Save the open editor's text as a draft (on a dropped connection). True if one was saved.
    pub fn save_draft(&self) -> std::io::Result<bool> {
        match self.draft_snapshot()? {
            Some(d) => d.write().map(|_| true),
            None => Ok(false),
        }
    }

    /// The open editor's text as a draft ready to write (None: no editor, or nothing changed).
    /// The terminal loop hands a copy to its watchdog after each key, so that a dropped link is
    /// survived even when the terminal library never returns control.
    pub fn draft_snapshot(&self) -> std::io::Result<Option<DraftFile>> {
        let Some(ed) = &self.state.editor else {
            return Ok(None);
        };
        let content = match ed.content() {
            Ok(c) => c,
            Err(_) => {
                // Keep the text even if a field does not parse: the date goes, the words stay.
                let mut c = ed.original.clone();
                c.title = ed.fields[app::F_TITLE].lines().join(" ");
                c.lead = ed.fields[app::F_LEAD].lines().join("\n");
                c.body = ed.fields[app::F_BODY].lines().join("\n");
                c
            }
        };
        if content == ed.original {
            return Ok(None);
        }
        let text = serde_json::to_string(&Draft {
            version: ed.version,
            content,
        })
        .map_err(std::io::Error::other)?;
        Ok(Some(DraftFile {
            dir: self.drafts.clone(),
            path: self.drafts.join(draft_name(&self.state.me.login, ed.id)),
            text,
        }))
    }

    /// Leave: give back the lease.
    pub fn close(&mut self) {
        if let Some(id) = self.state.item.as_ref().map(|i| i.data.item.id) {
            let me = self.state.me.login.clone();
            let _ = self.store.lease_release(id, &me);
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// A draft ready to be written: the user's private drafts folder, the file, the JSON.
#[derive(Debug, Clone)]
pub struct DraftFile {
    pub dir: PathBuf,
    pub path: PathBuf,
    pub text: String,
}

impl DraftFile {
    /// Write it whole (temp file, rename) into a folder only its owner can read.
    pub fn write(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, &self.text)?;
        std::fs::rename(&tmp, &self.path)
    }
}

/// Helpers for driving the console from tests and benches (no terminal needed).
pub mod testing {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    /// Press keys written in the keymap's own script syntax: `"j j <Enter> <C-s>"`.
    /// Slow effects held back for a first frame (a month's report) are run after each key, as
    /// the terminal loop does once it has drawn. Panics on a malformed script (it is always a
    /// literal in a test).
    pub fn press(app: &mut App, script: &str) {
        match keys::parse_script(script) {
            Ok(ks) => {
                for k in ks {
                    app.key(k);
                    app.run_deferred();
                }
            }
            Err(e) => panic!("bad key script {script:?}: {e}"),
        }
    }

    /// Draw the current screen at a size and return the cells as text, one line per row.
    pub fn screen(app: &mut App, w: u16, h: u16) -> String {
        if app.state.size != (w, h) {
            app.dispatch(UiAction::Resize(w, h));
        }
        let mut t = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(e) => panic!("test backend: {e}"),
        };
        if let Err(e) = t.draw(|f| app.render(f)) {
            panic!("draw: {e}");
        }
        let buf = t.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..h {
            let mut line = String::new();
            for x in 0..w {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
