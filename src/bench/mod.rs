//! `bientap bench`: the figures behind the targets in DESIGN.md, measured on a generated database
//! and set beside what users would otherwise use, in the same run on the same machine.

pub mod export;
pub mod gen;
pub mod import;
pub mod tui;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::demo::Rng;
use crate::i18n::Lang;
use crate::store::{ListFilter, SortKey, Store};
use crate::text::minhash;

/// One line of the table.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub figure: String,
    pub value: String,
    pub target: String,
    /// Whether the target is met (None: no target, or not measured).
    pub met: Option<bool>,
    pub peer: String,
    pub note: String,
}

/// Timing samples → (p50, p95, p99) in milliseconds.
pub fn percentiles(samples: &mut [Duration]) -> (f64, f64, f64) {
    if samples.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i.min(samples.len() - 1)].as_secs_f64() * 1000.0
    };
    (at(0.50), at(0.95), at(0.99))
}

fn ms(v: f64) -> String {
    if v < 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.1} ms")
    }
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct Options {
    pub items: usize,
    pub seed: u64,
    pub profile: String,
    pub cache: PathBuf,
    /// Which groups to run (empty: all).
    pub only: Vec<String>,
    pub queries: usize,
}

impl Options {
    fn wants(&self, group: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == group)
    }
}

/// Run the benchmarks; `log` receives progress lines.
pub fn run(opts: &Options, lang: Lang, log: &mut dyn FnMut(&str)) -> Result<Vec<Figure>, String> {
    let (profile, text) =
        crate::cli::load_profile_with_text(&opts.profile, lang).map_err(|f| f.msg)?;
    let t = Instant::now();
    let (db, built) = gen::ensure(&opts.cache, &profile, &text, opts.items, opts.seed, log)
        .map_err(|e| e.message(lang, Some(&profile)))?;
    let mut figures = Vec::new();
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    figures.push(Figure {
        figure: format!("database: {} items", opts.items),
        value: format!("{:.0} MB", size as f64 / 1e6),
        target: String::new(),
        met: None,
        peer: String::new(),
        note: if built {
            format!(
                "generated in {:.0} s (cached for later runs)",
                t.elapsed().as_secs_f64()
            )
        } else {
            format!("cached: {}", db.display())
        },
    });
    let store = Store::open(&db).map_err(|e| e.message(lang, Some(&profile)))?;
    if opts.wants("startup") {
        log("startup");
        figures.extend(startup(&db));
    }
    if opts.wants("queue") {
        log("queue");
        figures.extend(queue(&store).map_err(|e| e.message(lang, None))?);
    }
    if opts.wants("search") {
        log("search");
        figures.extend(search(&store, opts, log).map_err(|e| e.message(lang, None))?);
    }
    if opts.wants("console") {
        log("console");
        figures.extend(tui::figures(&db, &store)?);
    }
    if opts.wants("import") {
        log("import");
        figures.extend(import::run(&profile, &text, opts, log)?);
    }
    if opts.wants("dups") {
        log("near-duplicates");
        figures.extend(dups(&store, opts).map_err(|e| e.message(lang, None))?);
    }
    if opts.wants("export") {
        log("export of 10,000 items");
        figures.extend(export::run(&opts.cache, 10_000, 32 * 1024)?);
    }
    Ok(figures)
}

fn spawn_times(args: &[&str], db: &Path, n: usize) -> Option<Vec<Duration>> {
    let exe = std::env::current_exe().ok()?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let st = Command::new(&exe)
            .arg("--db")
            .arg(db)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        if !st.success() {
            return None;
        }
        v.push(t.elapsed());
    }
    Some(v)
}

fn startup(db: &Path) -> Vec<Figure> {
    let mut out = Vec::new();
    for (name, args) in [
        ("`bientap --version` start-up", vec!["--version"]),
        (
            "`bientap list --json --limit 50` start-up",
            vec!["list", "--json", "--limit", "50"],
        ),
    ] {
        match spawn_times(&args, db, 30) {
            Some(mut v) => {
                let (p50, p95, _) = percentiles(&mut v);
                out.push(Figure {
                    figure: name.into(),
                    value: format!("p50 {} / p95 {}", ms(p50), ms(p95)),
                    target: "≤ 20 ms".into(),
                    met: Some(p50 <= 20.0),
                    peer: String::new(),
                    note: "30 runs, process spawn included".into(),
                });
            }
            None => out.push(Figure {
                figure: name.into(),
                value: "failed".into(),
                target: "≤ 20 ms".into(),
                met: Some(false),
                peer: String::new(),
                note: String::new(),
            }),
        }
    }
    out
}

fn queue(store: &Store) -> crate::store::Result<Vec<Figure>> {
    let mut out = Vec::new();
    let open = vec![
        crate::domain::item::State::Received,
        crate::domain::item::State::Triaged,
        crate::domain::item::State::Editing,
        crate::domain::item::State::Verified,
    ];
    for (name, filter) in [
        (
            "queue page (open items, soonest due first, 50 rows)",
            ListFilter {
                states: open.clone(),
                sort: SortKey::Due,
                ..Default::default()
            },
        ),
        (
            "queue page (all items, newest first, 50 rows)",
            ListFilter {
                sort: SortKey::Received,
                ..Default::default()
            },
        ),
        (
            "queue page (published, by category, 50 rows)",
            ListFilter {
                states: vec![crate::domain::item::State::Published],
                category: Some(store.profile().categories[0].code.clone()),
                sort: SortKey::Due,
                ..Default::default()
            },
        ),
    ] {
        let mut v = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let rows = store.list(&filter, Some(50))?;
            std::hint::black_box(rows);
            v.push(t.elapsed());
        }
        let (p50, p95, p99) = percentiles(&mut v);
        out.push(Figure {
            figure: name.into(),
            value: format!("p50 {} / p99 {}", ms(p50), ms(p99)),
            target: "p99 ≤ 16 ms (whole keypress-to-frame)".into(),
            met: Some(p99 <= 16.0),
            peer: String::new(),
            note: format!("p95 {}", ms(p95)),
        });
    }
    let mut v = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        std::hint::black_box(store.counts()?);
        v.push(t.elapsed());
    }
    let (p50, _, p99) = percentiles(&mut v);
    out.push(Figure {
        figure: "counts per state (tab headers)".into(),
        value: format!("p50 {} / p99 {}", ms(p50), ms(p99)),
        target: String::new(),
        met: None,
        peer: String::new(),
        note: "the state_counts table kept by triggers".into(),
    });
    Ok(out)
}

/// Write the folded texts as files (1,000 items a file) for the `rg` peer.
fn texts_for_rg(store: &Store, dir: &Path) -> crate::store::Result<()> {
    if dir.join("complete").exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let mut stmt = store
        .conn()
        .prepare("SELECT id, title, lead, body, sub_name FROM items ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut buf = String::new();
    let mut n = 0usize;
    let mut file_no = 0usize;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let line = format!(
            "{id}\t{} {} {} {}",
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?.replace('\n', " "),
            r.get::<_, String>(4)?
        );
        buf.push_str(&crate::text::fold::fold(&line));
        buf.push('\n');
        n += 1;
        if n % 1000 == 0 {
            std::fs::write(dir.join(format!("{file_no:05}.txt")), &buf)?;
            buf.clear();
            file_no += 1;
        }
    }
    if !buf.is_empty() {
        std::fs::write(dir.join(format!("{file_no:05}.txt")), &buf)?;
    }
    std::fs::write(dir.join("complete"), "")?;
    Ok(())
}

fn search(
    store: &Store,
    opts: &Options,
    log: &mut dyn FnMut(&str),
) -> crate::store::Result<Vec<Figure>> {
    let vocab = gen::Vocabulary::new();
    let mut rng = Rng::new(opts.seed ^ 0x5eac);
    let queries: Vec<String> = (0..opts.queries).map(|_| vocab.query(&mut rng)).collect();
    let mut v = Vec::new();
    let mut hits = 0usize;
    for q in &queries {
        let t = Instant::now();
        let rows = store.search(q, 50)?;
        v.push(t.elapsed());
        hits += rows.len();
    }
    let (p50, p95, _) = percentiles(&mut v);
    // Peer: ripgrep over the same (folded) texts as files.
    let rg = Command::new("rg").arg("--version").output().is_ok();
    let peer = if rg {
        let dir = opts.cache.join(format!(
            "texts-{}-{}-{}",
            store.profile().id,
            opts.items,
            opts.seed
        ));
        log("writing texts for rg");
        texts_for_rg(store, &dir)?;
        let mut w = Vec::new();
        for q in queries.iter().take(40) {
            let t = Instant::now();
            let _ = Command::new("rg")
                .args(["-i", "-F", "-c", "--", q])
                .arg(&dir)
                .stdout(std::process::Stdio::null())
                .status();
            w.push(t.elapsed());
        }
        let (r50, r95, _) = percentiles(&mut w);
        format!(
            "rg -i: p50 {} / p95 {} (×{:.0} slower at p50)",
            ms(r50),
            ms(r95),
            if p50 > 0.0 { r50 / p50 } else { 0.0 }
        )
    } else {
        "rg not installed (apt-get install ripgrep)".into()
    };
    Ok(vec![Figure {
        figure: format!(
            "diacritic-insensitive search, queue order, first 50 ({} queries)",
            queries.len()
        ),
        value: format!("p50 {} / p95 {}", ms(p50), ms(p95)),
        target: "p95 ≤ 5 ms".into(),
        met: Some(p95 <= 5.0),
        peer,
        note: format!(
            "{:.1} hits per query on average",
            hits as f64 / queries.len().max(1) as f64
        ),
    }])
}

/// A planted near-duplicate of item `id`, as a new message would arrive: its title, then its
/// body with a few syllables changed (the importer fingerprints `title\nbody`). Returns the
/// query, the source's text and whether the source may be matched at all (published or
/// pending: a rejected or withdrawn item is no ground for refusal).
fn planted(store: &Store, rng: &mut Rng, id: i64) -> crate::store::Result<(String, String, bool)> {
    let (title, body, eligible): (String, String, bool) = store.conn().query_row(
        "SELECT title, body, state NOT IN ('rejected','withdrawn') FROM items WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let k = rng.below(12);
    let q = crate::store::intake::dup_source(&title, &gen::perturb(rng, &body, k));
    Ok((q, crate::store::intake::dup_source(&title, &body), eligible))
}

/// The near-duplicate check the importer runs for a new message of this text: its
/// fingerprint and band keys, then [`crate::intake::import::find_duplicates`] (items with the
/// same content digest, then the banded index's candidates confirmed by exact Jaccard on their
/// stored text). Returns the matches (item, similarity).
pub fn dup_lookup(store: &Store, text: &str) -> crate::store::Result<Vec<(i64, f64)>> {
    let found = crate::store::intake::find_duplicates_of(store.conn(), text)?;
    Ok(found.into_iter().map(|d| (d.other_id, d.score)).collect())
}

fn dups(store: &Store, opts: &Options) -> crate::store::Result<Vec<Figure>> {
    let mut rng = Rng::new(opts.seed ^ 0xd0b5);
    let n = opts.items as i64;
    let mut queries = Vec::with_capacity(opts.queries);
    for _ in 0..opts.queries {
        let id = 1 + (rng.next_u64() % n as u64) as i64;
        queries.push((id, planted(store, &mut rng, id)?));
    }
    // Two passes over the same queries: the first finds the database's pages as they are
    // (on this machine, mostly not in memory at a million items), the second in memory.
    let mut times = Vec::new();
    let mut again = Vec::new();
    let (mut should, mut found, mut returned, mut correct, mut cand_total) = (0, 0, 0, 0, 0usize);
    for (id, (q, source, eligible)) in &queries {
        let t = Instant::now();
        let conf = dup_lookup(store, q)?;
        times.push(t.elapsed());
        let (fp, keys) = crate::store::intake::dup_fingerprint(q);
        let qs = fp.shingles;
        cand_total += crate::store::intake::band_candidates(
            store.conn(),
            &keys,
            crate::intake::import::MAX_CANDIDATES,
        )?
        .len();
        if *eligible && minhash::jaccard(&qs, &minhash::shingles(source)) >= 0.8 {
            should += 1;
            if conf.iter().any(|(i, _)| i == id) {
                found += 1;
            }
        }
        // Each match checked apart from the lookup: its stored text read again, its
        // similarity to the query computed again.
        for (other, _) in &conf {
            returned += 1;
            let text = store.conn().query_row(
                "SELECT title, body FROM items WHERE id = ?1",
                [other],
                |r| {
                    Ok(crate::store::intake::dup_source(
                        &r.get::<_, String>(0)?,
                        &r.get::<_, String>(1)?,
                    ))
                },
            )?;
            if minhash::jaccard(&qs, &minhash::shingles(&text)) >= 0.8 {
                correct += 1;
            }
        }
    }
    for (_, (q, _, _)) in &queries {
        let t = Instant::now();
        std::hint::black_box(dup_lookup(store, q)?);
        again.push(t.elapsed());
    }
    let (a50, a95, _) = percentiles(&mut again);
    let (p50, p95, _) = percentiles(&mut times);
    let peer = datasketch_peer(store, opts, p50)?;
    let recall = if should > 0 {
        found as f64 / should as f64
    } else {
        1.0
    };
    let precision = if returned > 0 {
        correct as f64 / returned as f64
    } else {
        1.0
    };
    Ok(vec![
        Figure {
            figure: format!(
                "near-duplicate lookup against all items ({} queries)",
                opts.queries
            ),
            value: format!("p50 {} / p95 {}", ms(p50), ms(p95)),
            target: "p95 ≤ 2 ms".into(),
            met: Some(p95 <= 2.0),
            peer: String::new(),
            note: format!(
                "the importer's own check (content digest, band keys, exact Jaccard of {:.1} candidates per query on their stored text); pages as found; the same queries again: p50 {} / p95 {}",
                cand_total as f64 / opts.queries.max(1) as f64,
                ms(a50),
                ms(a95)
            ),
        },
        Figure {
            figure: "near-duplicate recall / precision at J ≥ 0.8 (planted pairs)".into(),
            value: format!("{recall:.3} / {precision:.3} ({found}/{should} found)"),
            target: "≥ 0.95 each".into(),
            met: Some(recall >= 0.95 && precision >= 0.95),
            peer: String::new(),
            note: "recall: planted pairs with exact Jaccard ≥ 0.8 whose source was found; precision: matches whose stored text, read again, has Jaccard ≥ 0.8 with the query".into(),
        },
    ]
    .into_iter()
    .chain(peer)
    .collect())
}

const DATASKETCH_SCRIPT: &str = include_str!("../../scripts/bench_datasketch.py");
/// Items given to the Python peer (building 1,000,000 MinHashes in Python takes too long).
const PEER_ITEMS: usize = 100_000;

/// Python `datasketch` MinHashLSH over the same shingles: at its defaults and at our banding.
fn datasketch_peer(
    store: &Store,
    opts: &Options,
    our_p50: f64,
) -> crate::store::Result<Vec<Figure>> {
    let have = Command::new("python3")
        .args(["-c", "import datasketch"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have {
        return Ok(vec![Figure {
            figure: "peer: Python datasketch MinHashLSH".into(),
            value: "not installed".into(),
            target: String::new(),
            met: None,
            peer: "pip install datasketch (scripts/bench.sh does)".into(),
            note: String::new(),
        }]);
    }
    let n = opts.items.min(PEER_ITEMS);
    let dir = opts.cache.join("datasketch");
    std::fs::create_dir_all(&dir)?;
    let items_path = dir.join(format!("items-{}-{n}.txt", opts.seed));
    // The same texts as the importer fingerprints.
    let mut texts = store
        .conn()
        .prepare("SELECT id, title, body FROM items WHERE id <= ?1 ORDER BY id")?;
    let mut out = String::new();
    let mut rows = texts.query([n as i64])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text =
            crate::store::intake::dup_source(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?);
        out.push_str(&id.to_string());
        for h in minhash::shingles(&text) {
            out.push(' ');
            out.push_str(&h.to_string());
        }
        out.push('\n');
    }
    std::fs::write(&items_path, out)?;
    let mut rng = Rng::new(opts.seed ^ 0xda7a);
    let mut qout = String::new();
    let mut our = Vec::new();
    for _ in 0..opts.queries {
        let id = 1 + (rng.next_u64() % n as u64) as i64;
        let (q, source, _) = planted(store, &mut rng, id)?;
        let qs = minhash::shingles(&q);
        let truth = minhash::jaccard(&qs, &minhash::shingles(&source));
        qout.push_str(&format!("{id} {truth}"));
        for h in &qs {
            qout.push(' ');
            qout.push_str(&h.to_string());
        }
        qout.push('\n');
        let t = Instant::now();
        std::hint::black_box(dup_lookup(store, &q)?);
        our.push(t.elapsed());
    }
    let (ours50, _, _) = percentiles(&mut our);
    let _ = our_p50;
    let queries_path = dir.join(format!("queries-{}-{n}.txt", opts.seed));
    std::fs::write(&queries_path, qout)?;
    let script = dir.join("bench_datasketch.py");
    std::fs::write(&script, DATASKETCH_SCRIPT)?;
    let o = Command::new("python3")
        .arg(&script)
        .arg(&items_path)
        .arg(&queries_path)
        .output()?;
    let mut figs = Vec::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let p50 = v["p50_ms"].as_f64().unwrap_or(0.0);
        figs.push(Figure {
            figure: format!("peer: datasketch MinHashLSH, {} ({} items)", v["config"].as_str().unwrap_or(""), n),
            value: format!(
                "p50 {} / p95 {}; recall {} / precision {}",
                ms(p50),
                ms(v["p95_ms"].as_f64().unwrap_or(0.0)),
                v["recall"],
                v["precision"]
            ),
            target: String::new(),
            met: None,
            peer: format!(
                "ours on these queries: p50 {} against all {} items (lookup + exact confirmation); datasketch/ours = {:.2}",
                ms(ours50),
                opts.items,
                if ours50 > 0.0 { p50 / ours50 } else { 0.0 }
            ),
            note: format!(
                "{} bands x {} rows, index built in {} s; datasketch returns unconfirmed candidates",
                v["bands"], v["rows"], v["build_s"]
            ),
        });
    }
    if figs.is_empty() {
        figs.push(Figure {
            figure: "peer: Python datasketch MinHashLSH".into(),
            value: "failed".into(),
            target: String::new(),
            met: None,
            peer: String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
                .to_string(),
            note: String::new(),
        });
    }
    Ok(figs)
}

/// The table as text.
pub fn table(figures: &[Figure], lang: Lang) -> String {
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|f| {
            vec![
                f.figure.clone(),
                f.value.clone(),
                f.target.clone(),
                match f.met {
                    Some(true) => lang.pick("đạt", "met").into(),
                    Some(false) => lang.pick("CHƯA ĐẠT", "MISSED").into(),
                    None => String::new(),
                },
                f.peer.clone(),
                f.note.clone(),
            ]
        })
        .collect();
    crate::cli::output::table(
        &[
            lang.pick("chỉ số", "figure"),
            lang.pick("kết quả", "value"),
            lang.pick("mục tiêu", "target"),
            "",
            lang.pick("so sánh", "peer in the same run"),
            lang.pick("ghi chú", "note"),
        ],
        &rows,
        &[60, 28, 24, 9, 48, 0],
    )
}

/// The machine the figures came from.
pub fn machine() -> serde_json::Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
        })
        .unwrap_or_default();
    serde_json::json!({ "cpu": cpu, "cores": cores, "mem_kb": mem })
}
