//! The terminal: one guard that restores raw mode, the alternate screen, bracketed paste and the
//! cursor on every way out (normal exit, error, panic, SIGHUP, SIGTERM), and the event loop.
//! The loop redraws on change only; it polls with a timeout just to watch the database.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::Terminal;

use super::app::UiAction;
use super::keys;
use super::{App, DraftFile};
use crate::i18n::Lang;
use crate::tr;

/// How long the loop waits for input before checking the database for others' changes.
pub const POLL: Duration = Duration::from_millis(500);

/// Put the terminal back as it was. Safe to call more than once.
fn restore() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

struct Guard;

impl Guard {
    fn enter() -> io::Result<Guard> {
        enable_raw_mode()?;
        let g = Guard;
        execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
        Ok(g)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Run the console on a database for a board login until the user quits.
pub fn run(db: &Path, login: &str, os_login: &str, lang: Lang) -> Result<(), String> {
    let mut app = App::new(db, login, os_login, lang, Box::new(chrono::Utc::now))?;
    ratatui::crossterm::style::force_color_output(true);

    let hup = Arc::new(AtomicBool::new(false));
    let term = Arc::new(AtomicBool::new(false));
    for (sig, flag) in [
        (signal_hook::consts::SIGHUP, &hup),
        (signal_hook::consts::SIGTERM, &term),
    ] {
        signal_hook::flag::register(sig, Arc::clone(flag)).map_err(|e| {
            tr!(
                lang,
                "không cài được xử lý tín hiệu: {e}",
                "cannot install signal handler: {e}"
            )
        })?;
    }
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        prev(info);
    }));

    // The watchdog: if the terminal hangs up or a SIGHUP/SIGTERM is not acted on by the loop
    // within a moment (the terminal library can stay stuck reading a dead terminal), it writes
    // the last draft and ends the process itself.
    let pending: Arc<Mutex<Option<DraftFile>>> = Arc::new(Mutex::new(None));
    let loop_done = Arc::new(AtomicBool::new(false));
    spawn_watchdog(
        Arc::clone(&hup),
        Arc::clone(&term),
        Arc::clone(&pending),
        Arc::clone(&loop_done),
    );

    let guard = Guard::enter().map_err(|e| {
        tr!(
            lang,
            "không mở được màn hình: {e}",
            "cannot open the terminal: {e}"
        )
    })?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout())).map_err(|e| {
        tr!(
            lang,
            "không mở được màn hình: {e}",
            "cannot open the terminal: {e}"
        )
    })?;
    if let Ok(sz) = terminal.size() {
        app.dispatch(UiAction::Resize(sz.width, sz.height));
    }
    let mut dirty = true;
    let mut lost = false;
    loop {
        if dirty {
            if terminal.draw(|f| app.render(f)).is_err() {
                lost = true;
                break;
            }
            dirty = false;
        }
        // A slow effect (a month's report) runs once its "building…" frame is on screen, unless
        // more keys are already waiting (then the latest request wins and is built after them).
        if app.has_deferred() && !matches!(event::poll(Duration::ZERO), Ok(true)) {
            dirty |= app.run_deferred();
            continue;
        }
        if hup.load(Ordering::Relaxed) || term.load(Ordering::Relaxed) {
            lost = true;
            break;
        }
        if app.state.quit {
            break;
        }
        match event::poll(POLL) {
            Ok(true) => match event::read() {
                Ok(Event::Key(k)) => {
                    if let Some(key) = keys::from_crossterm(&k) {
                        app.key(key);
                        dirty = true;
                        if let Ok(mut p) = pending.lock() {
                            *p = app.draft_snapshot().ok().flatten();
                        }
                    }
                }
                Ok(Event::Paste(s)) => {
                    app.dispatch(UiAction::Paste(s));
                    dirty = true;
                }
                Ok(Event::Resize(w, h)) => {
                    let _ = terminal.autoresize();
                    app.dispatch(UiAction::Resize(w, h));
                    dirty = true;
                }
                Ok(_) => {}
                Err(_) => {
                    lost = true;
                    break;
                }
            },
            Ok(false) => {
                if app.tick() {
                    dirty = true;
                }
            }
            Err(_) => {
                lost = true;
                break;
            }
        }
    }
    loop_done.store(true, Ordering::Relaxed);
    // A dropped link (SIGHUP) or a killed session keeps the open editor's text as a draft.
    let saved = if lost {
        app.save_draft().unwrap_or(false)
    } else {
        false
    };
    app.close();
    drop(terminal);
    drop(guard);
    let _ = std::panic::take_hook();
    if saved {
        eprintln!(
            "{}",
            tr!(
                lang,
                "đã lưu bản nháp đang sửa; lần sau mở lại tin bài sẽ được hỏi khôi phục",
                "the open draft was saved; you will be offered it when you next edit the item"
            )
        );
    }
    Ok(())
}

/// Whether standard input (the terminal) has hung up.
fn stdin_hung_up() -> bool {
    let mut fds = libc::pollfd {
        fd: 0,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, zero timeout.
    let rc = unsafe { libc::poll(&mut fds, 1, 0) };
    rc > 0 && (fds.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL)) != 0
}

fn spawn_watchdog(
    hup: Arc<AtomicBool>,
    term: Arc<AtomicBool>,
    pending: Arc<Mutex<Option<DraftFile>>>,
    loop_done: Arc<AtomicBool>,
) {
    std::thread::spawn(move || {
        let mut since: Option<std::time::Instant> = None;
        loop {
            std::thread::sleep(Duration::from_millis(200));
            if loop_done.load(Ordering::Relaxed) {
                return;
            }
            let trouble =
                hup.load(Ordering::Relaxed) || term.load(Ordering::Relaxed) || stdin_hung_up();
            match (trouble, since) {
                (false, _) => since = None,
                (true, None) => since = Some(std::time::Instant::now()),
                // Give the loop its chance to save and leave in order first.
                (true, Some(t)) if t.elapsed() >= POLL * 3 => {
                    if loop_done.load(Ordering::Relaxed) {
                        return;
                    }
                    if let Ok(p) = pending.lock() {
                        if let Some(d) = p.as_ref() {
                            let _ = d.write();
                        }
                    }
                    restore();
                    std::process::exit(1);
                }
                (true, Some(_)) => {}
            }
        }
    });
}
