//! CPU time of the intake checks and the signature reader over the import corpus (prints
//! figures; no timed assertion). Run with:
//! `BIENTAP_CORPUS=MAILDIR/new cargo test --release --test checks_speed -- --ignored --nocapture`
//! (`BIENTAP_BENCH_KEEP=1 bientap bench --items 10000 --only import` keeps a Maildir of 5,000
//! typical messages and says where).
//! `BIENTAP_PROFILE` picks the bundled profile (default `stp-binh-phuoc`, the corpus's board).
//! `BIENTAP_CHECKS_OUT=FILE` writes every result (Debug form, one message a line) to FILE, so
//! that two builds can be compared with `cmp`.

use std::io::Write;
use std::time::Duration;

use bientap::intake::checks;
use bientap::intake::message::{parse, Limits, ParsedMessage};
use bientap::intake::signature;

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut t: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: valid out-parameter.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Whether `label` is measured: all, or those `BIENTAP_ONLY` names (a substring of the label).
fn wanted(label: &str) -> bool {
    std::env::var("BIENTAP_ONLY").map_or(true, |o| label.contains(&o))
}

/// Best CPU time of `rounds` passes of `f` over `items` (messages, or messages with their
/// folded bodies), printed per item.
fn timed<I, T>(label: &str, rounds: usize, items: &[I], f: impl Fn(&I) -> T) {
    if !wanted(label) {
        return;
    }
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let t = thread_cpu();
        for m in items {
            std::hint::black_box(f(m));
        }
        best = best.min(thread_cpu() - t);
    }
    println!(
        "{label:<28} {:>8.1} ms CPU for {} messages ({:.2} µs each, best of {rounds})",
        best.as_secs_f64() * 1e3,
        items.len(),
        best.as_secs_f64() * 1e6 / items.len() as f64
    );
}

#[test]
#[ignore]
fn checks_cpu_on_corpus() {
    let Ok(dir) = std::env::var("BIENTAP_CORPUS") else {
        println!("BIENTAP_CORPUS not set: nothing to measure");
        return;
    };
    let id = std::env::var("BIENTAP_PROFILE").unwrap_or_else(|_| "stp-binh-phuoc".into());
    let p = bientap::profile::load_bundled(&id).unwrap();
    let limits = Limits::from_profile(&p);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let msgs: Vec<ParsedMessage> = paths
        .iter()
        .filter_map(|p| parse(&std::fs::read(p).unwrap(), &limits).ok())
        .collect();
    println!("{} messages parsed", msgs.len());
    let title = |m: &ParsedMessage| m.subject.clone();
    let rounds = std::env::var("BIENTAP_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    timed("identity_from", rounds, &msgs, |m| {
        signature::identity_from(&m.from_name, &m.from_email, &m.body)
    });
    timed("parse_signature", rounds, &msgs, |m| {
        signature::parse_signature(&m.body)
    });
    timed("unit_approval_check", rounds, &msgs, |m| {
        let cat = checks::guess_category(&p, &m.subject, &m.body);
        checks::unit_approval_check(&p, cat, &m.body, &m.forwarded, &m.cc)
    });
    timed("unit_approval_check(None)", rounds, &msgs, |m| {
        checks::unit_approval_check(&p, None, &m.body, &m.forwarded, &m.cc)
    });
    timed("find_attribution", rounds, &msgs, |m| {
        checks::find_attribution(&m.body)
    });
    timed("guess_category", rounds, &msgs, |m| {
        checks::guess_category(&p, &title(m), &m.body).map(|c| c.code.len())
    });
    timed("fold(body)", rounds, &msgs, |m| {
        bientap::text::fold::fold(&m.body)
    });
    let folded: Vec<String> = msgs
        .iter()
        .map(|m| bientap::text::fold::fold(&m.body))
        .collect();
    let pairs: Vec<(&ParsedMessage, &String)> = msgs.iter().zip(&folded).collect();
    timed("unit_approval_check_folded", rounds, &pairs, |(m, f)| {
        let cat = checks::guess_category(&p, &m.subject, &m.body);
        checks::unit_approval_check_folded(&p, cat, &m.body, f, &m.forwarded, &m.cc)
    });
    timed("find_attribution_folded", rounds, &pairs, |(m, f)| {
        checks::find_attribution_folded(&m.body, f)
    });
    timed("inspect_attachment", rounds, &msgs, |m| {
        m.attachments
            .iter()
            .map(|a| checks::inspect_attachment(&p, a, &limits))
            .collect::<Vec<_>>()
    });
    if let Ok(out) = std::env::var("BIENTAP_CHECKS_OUT") {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
        for m in &msgs {
            let cat = checks::guess_category(&p, &m.subject, &m.body);
            writeln!(
                w,
                "{:?} | {:?} | {:?} | {:?} | {:?} | {:?}",
                signature::identity_from(&m.from_name, &m.from_email, &m.body),
                cat.map(|c| &c.code),
                checks::unit_approval_check(&p, cat, &m.body, &m.forwarded, &m.cc),
                checks::unit_approval_check(&p, None, &m.body, &m.forwarded, &m.cc),
                checks::find_attribution(&m.body),
                m.attachments
                    .iter()
                    .map(|a| checks::inspect_attachment(&p, a, &limits))
                    .collect::<Vec<_>>()
            )
            .unwrap();
        }
    }
}
