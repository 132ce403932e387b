//! The console's figures: the real `App` on the bench database, drawn to a ratatui
//! `TestBackend` in this process. Each key is timed from the press to the end of the next frame
//! (keymap + update + effects, i.e. the database queries, + render).

use std::path::Path;
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::{ms, percentiles, Figure};
use crate::i18n::Lang;
use crate::store::Store;
use crate::tui::keys::{self, Key};
use crate::tui::App;

/// The screen size the figures are taken at (a common SSH terminal).
const W: u16 = 120;
const H: u16 = 40;

/// The board login the console opens as: the bench database's secretary (admin role).
const LOGIN: &str = "bientap00";

fn keys_of(script: &str) -> Result<Vec<Key>, String> {
    keys::parse_script(script)
}

/// Typed text (spaces included) as keys.
fn typed(text: &str) -> Vec<Key> {
    text.chars().map(Key::ch).collect()
}

struct Run {
    app: App,
    term: Terminal<TestBackend>,
}

impl Run {
    fn frame(&mut self) -> Result<(), String> {
        let app = &self.app;
        self.term
            .draw(|f| app.render(f))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Press a key and draw: the time to the next frame.
    fn press(&mut self, k: Key) -> Result<Duration, String> {
        let t = Instant::now();
        self.app.key(k);
        self.frame()?;
        Ok(t.elapsed())
    }

    fn press_all(&mut self, ks: &[Key]) -> Result<Vec<Duration>, String> {
        ks.iter().map(|k| self.press(*k)).collect()
    }
}

fn open(db: &Path) -> Result<(Run, Duration), String> {
    let t = Instant::now();
    let clock: crate::tui::Clock = Box::new(chrono::Utc::now);
    let mut app = App::new(db, LOGIN, LOGIN, Lang::Vi, clock)?;
    app.dispatch(crate::tui::app::UiAction::Resize(W, H));
    let term = Terminal::new(TestBackend::new(W, H)).map_err(|e| e.to_string())?;
    let mut run = Run { app, term };
    run.frame()?;
    Ok((run, t.elapsed()))
}

fn rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

fn key_figure(name: &str, samples: &mut [Duration], note: String) -> Figure {
    let n = samples.len();
    let (p50, _, p99) = percentiles(samples);
    Figure {
        figure: format!("console: {name} (×{n})"),
        value: format!("p50 {} / p99 {}", ms(p50), ms(p99)),
        target: "p99 ≤ 16 ms".into(),
        met: Some(p99 <= 16.0),
        peer: String::new(),
        note,
    }
}

/// The folded titles of `n` items spread evenly over the ids of the database.
fn spread_titles(store: &Store, n: usize) -> Result<Vec<String>, String> {
    let max: i64 = store
        .conn()
        .query_row("SELECT max(id) FROM items", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let mut stmt = store
        .conn()
        .prepare("SELECT title FROM items WHERE id >= ?1 ORDER BY id LIMIT 1")
        .map_err(|e| e.to_string())?;
    (0..n as i64)
        .map(|i| {
            let id = 1 + (max - 1) * i / (n as i64).max(1);
            stmt.query_row([id], |r| r.get::<_, String>(0))
                .map(|t| crate::store::fold_index(&t))
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// The folded words of 4 letters or more of a folded title.
fn long_words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
}

/// Words to search for: the first long folded word of titles spread over the database.
fn search_words(store: &Store, n: usize) -> Result<Vec<String>, String> {
    Ok(spread_titles(store, n)?
        .iter()
        .filter_map(|t| long_words(t).next().map(str::to_string))
        .collect())
}

/// Every distinct folded word (4 letters or more) of titles spread over the database.
fn title_words(store: &Store, n: usize) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = spread_titles(store, n)?
        .iter()
        .flat_map(|t| long_words(t).map(str::to_string).collect::<Vec<_>>())
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// The query plans of the pages the console asks for: every one must be an index walk (a
/// `SCAN items` or a sort over a whole state would grow with the database).
fn plan_check(run: &Run, plans: &mut Vec<String>) -> Result<(), String> {
    let conn = run.app.store().conn();
    let sqls = run
        .app
        .store()
        .page_sql(&run.app.state.page_query())
        .map_err(|e| e.to_string())?;
    for (sql, args) in sqls {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .map_err(|e| e.to_string())?;
        let lines = stmt
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .map_err(|e| e.to_string())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| e.to_string())?;
        plans.push(lines.join(" / "));
    }
    Ok(())
}

fn plan_ok(p: &str) -> bool {
    // A windowed filter sorts its window (at most SCAN_WINDOW rows), a `~s` read by id its
    // titles (at most `title_ids_cap()`): those sorts are bounded.
    let windowed = p.contains("SUBQUERY") || p.contains("CO-ROUTINE");
    !p.contains("SCAN items ")
        && !p.ends_with("SCAN items")
        && (windowed || !p.contains("TEMP B-TREE"))
}

/// The console figures on the bench database.
pub fn figures(db: &Path, store: &Store) -> Result<Vec<Figure>, String> {
    let mut out = Vec::new();
    // First frame: App::new (open, login, users, first page, counts) + first render. The first
    // open may find a cold page cache; the next ones show the steady state.
    let mut firsts = Vec::new();
    for _ in 0..5 {
        let (_run, t) = open(db)?;
        firsts.push(t);
    }
    let first = firsts[0];
    let (p50, _, _) = percentiles(&mut firsts);
    out.push(Figure {
        figure: "console: first frame (App::new + render)".into(),
        value: format!(
            "{} (median of 5: {})",
            ms(first.as_secs_f64() * 1e3),
            ms(p50)
        ),
        target: "≤ 50 ms".into(),
        met: Some(first.as_secs_f64() * 1e3 <= 50.0),
        peer: String::new(),
        note: format!("in process, TestBackend {W}×{H}, login {LOGIN}"),
    });
    out.push(match pty_first_frame(db) {
        Ok(mut v) => {
            let first = v[0];
            let (p50, _, _) = percentiles(&mut v);
            Figure {
                figure: "console: first frame through a real pty (process start to header drawn)"
                    .into(),
                value: format!(
                    "{} (median of {}: {})",
                    ms(first.as_secs_f64() * 1e3),
                    v.len(),
                    ms(p50)
                ),
                target: "≤ 50 ms".into(),
                met: Some(p50 <= 50.0),
                peer: String::new(),
                note: format!("the bientap binary in a {W}×{H} pseudo-terminal, --as {LOGIN}"),
            }
        }
        Err(why) => Figure {
            figure: "console: first frame through a real pty".into(),
            value: "not measured".into(),
            target: "≤ 50 ms".into(),
            met: None,
            peer: String::new(),
            note: why,
        },
    });

    let (mut run, _) = open(db)?;
    let mut all: Vec<Duration> = Vec::new();
    let mut plans = Vec::new();
    plan_check(&run, &mut plans)?;

    // Scrolling and paging in the largest tab ("closed": published, rejected, withdrawn).
    run.press_all(&keys_of("9")?)?;
    plan_check(&run, &mut plans)?;
    let mut v = run.press_all(&vec![Key::ch('j'); 200])?;
    all.extend(&v);
    out.push(key_figure(
        "j (down), closed tab",
        &mut v,
        "crosses pages".into(),
    ));
    let mut v = run.press_all(&keys_of(&"<PgDn> ".repeat(50))?)?;
    plan_check(&run, &mut plans)?;
    all.extend(&v);
    out.push(key_figure("PgDn, closed tab", &mut v, String::new()));

    // Tab switches 1..9.
    let mut v = Vec::new();
    for i in 0..20 {
        let k = char::from(b'1' + (i % 9) as u8);
        v.push(run.press(Key::ch(k))?);
        plan_check(&run, &mut plans)?;
    }
    all.extend(&v);
    out.push(key_figure("tab switch 1..9", &mut v, String::new()));

    // Limit patterns on the closed tab: `~c code` and `~s word` (the Enter is the query).
    run.press_all(&keys_of("9")?)?;
    let code = store
        .profile()
        .categories
        .first()
        .map(|c| c.code.clone())
        .unwrap_or_default();
    let words = search_words(store, 50)?;
    let word = words.first().cloned().unwrap_or_else(|| "tin".into());
    // `~s` with a common, a less common and the rarest word of titles spread over the database
    // (how many titles have it, from the title index): the rare one is read by id, the less
    // common one by the walk checking entries against its titles' ids, the common one by the
    // walk checking each row.
    let mut hits = Vec::new();
    for w in title_words(store, 200)? {
        if let Some(n) = store
            .title_hits_capped(&w, usize::MAX / 2)
            .map_err(|e| e.to_string())?
        {
            hits.push((n, w));
        }
    }
    hits.sort();
    let rare = hits.iter().find(|(n, _)| *n > 0).cloned();
    let (ids_cap, set_cap) = (
        crate::store::queue::title_ids_cap(),
        crate::store::queue::title_set_cap(),
    );
    let mid = hits
        .iter()
        .rev()
        .find(|(n, _)| *n > ids_cap && *n <= set_cap)
        .cloned();
    let common = hits.last().cloned();
    let mut patterns = vec![(format!("~c {code}"), String::new())];
    for (label, hw) in [("common", common), ("less common", mid), ("rare", rare)] {
        if let Some((n, w)) = hw {
            patterns.push((format!("~s {w}"), format!("{label} word: {n} titles; ")));
        }
    }
    for (pattern, about) in patterns {
        let mut typing = run.press_all(&keys_of("l")?)?;
        typing.extend(run.press_all(&typed(&pattern))?);
        let enter = run.press_all(&keys_of("<Enter>")?)?;
        plan_check(&run, &mut plans)?;
        let mut pages = run.press_all(&keys_of(&"<PgDn> ".repeat(10))?)?;
        plan_check(&run, &mut plans)?;
        let mut v: Vec<Duration> = enter.clone();
        v.extend(&pages);
        all.extend(&typing);
        all.extend(&v);
        let enter_ms = enter.first().map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0);
        let (_, _, pages_p99) = percentiles(&mut pages);
        out.push(key_figure(
            &format!("limit `l {pattern}` Enter + PgDn ×10"),
            &mut v,
            format!(
                "{about}Enter {}, PgDn p99 {}, typing p99 {}",
                ms(enter_ms),
                ms(pages_p99),
                ms(percentiles(&mut typing).2)
            ),
        ));
        run.press_all(&keys_of("<Esc>")?)?;
    }

    // Searches: `/ word <Enter>`, 50 words.
    let mut enters = Vec::new();
    for w in &words {
        let mut typing = run.press_all(&keys_of("/")?)?;
        typing.extend(run.press_all(&typed(w))?);
        all.extend(&typing);
        enters.push(run.press(Key::plain(keys::Code::Enter))?);
        run.press_all(&keys_of("<Esc>")?)?;
    }
    all.extend(&enters);
    out.push(key_figure(
        "search `/ word Enter`",
        &mut enters,
        "folded words from titles spread over the database".into(),
    ));
    // Paging through one search's results.
    run.press_all(&keys_of("/")?)?;
    run.press_all(&typed(&word))?;
    run.press_all(&keys_of("<Enter>")?)?;
    let mut v = run.press_all(&keys_of(&"<PgDn> ".repeat(20))?)?;
    all.extend(&v);
    out.push(key_figure(
        &format!("search \"{word}\": PgDn"),
        &mut v,
        String::new(),
    ));

    out.push(key_figure(
        "every key above",
        &mut all,
        "typing included".into(),
    ));

    let bad: Vec<&String> = plans.iter().filter(|p| !plan_ok(p)).collect();
    out.push(Figure {
        figure: "console: query plans of the pages shown".into(),
        value: format!("{} of {} index walks", plans.len() - bad.len(), plans.len()),
        target: "all".into(),
        met: Some(bad.is_empty()),
        peer: String::new(),
        note: bad
            .first()
            .map(|p| format!("e.g. {p}"))
            .unwrap_or_else(|| "no scan of items, no sort over a whole state".into()),
    });

    let rss = rss_kb().map(|kb| kb as f64 / 1024.0);
    out.push(Figure {
        figure: "console: resident memory (VmRSS) after the keys above".into(),
        value: rss
            .map(|m| format!("{m:.1} MB"))
            .unwrap_or_else(|| "?".into()),
        target: "≤ 32 MB".into(),
        met: rss.map(|m| m <= 32.0),
        peer: String::new(),
        note: "whole bench process (bench's own Store open too)".into(),
    });
    drop(run);
    Ok(out)
}

/// Start the real binary in a pseudo-terminal and time until its first frame shows the header
/// (the login appears in it). Needs root, since the bench database's users are not OS logins.
fn pty_first_frame(db: &Path) -> Result<Vec<Duration>, String> {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    if !crate::store::identity::is_root() {
        return Err("needs root (--as a board login of the bench database)".into());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for _ in 0..5 {
        let (mut master, mut slave) = (0, 0);
        let ws = libc::winsize {
            ws_row: H,
            ws_col: W,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: out-parameters are valid; name and termios may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &ws,
            )
        };
        if rc != 0 {
            return Err(format!("openpty: {}", std::io::Error::last_os_error()));
        }
        // SAFETY: openpty returned two fresh descriptors that we now own.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let dup = |fd: &OwnedFd| fd.try_clone().map_err(|e| e.to_string());
        let t = Instant::now();
        let mut cmd = std::process::Command::new(&exe);
        cmd.arg("--db")
            .arg(db)
            .args(["--as", LOGIN, "--lang", "en"])
            .env("TERM", "xterm-256color")
            .stdin(dup(&slave)?)
            .stdout(dup(&slave)?)
            .stderr(dup(&slave)?);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| e.to_string())?;
        drop(slave);
        let fd = std::os::fd::AsRawFd::as_raw_fd(&master);
        let mut seen = Vec::new();
        let mut found = None;
        while t.elapsed() < Duration::from_secs(10) {
            let mut p = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&mut p, 1, 20) } > 0 {
                let mut buf = [0u8; 65536];
                // SAFETY: reading into a buffer of its length.
                let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n <= 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n as usize]);
                if seen.windows(LOGIN.len()).any(|w| w == LOGIN.as_bytes()) {
                    found = Some(t.elapsed());
                    break;
                }
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        match found {
            Some(d) => times.push(d),
            None => return Err("the header never appeared".into()),
        }
    }
    Ok(times)
}
