//! CPU time of the text functions on the import path, over a Maildir corpus.
//!
//! `cargo run --release --example text_speed -- MAILDIR/new [rounds]`
//!
//! A corpus: `BIENTAP_BENCH_KEEP=1 bientap bench --items 10000 --only import` keeps the
//! benchmark's Maildir of 5,000 typical messages and says where.
//!
//! Reads every message, takes its subject and first text part (as mail-parser gives them, CR LF
//! and all), then times, per function and over all messages, what `intake` calls: legacy
//! detection of subject + body, `clean_input` of the body, `fingerprint_and_words` of title +
//! body, and `unique_from` of the words. Thread CPU time, best of `rounds` (default 5).

use bientap::text::{fold, legacy, minhash, sanitize};

fn cpu_now() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid pointer to a timespec; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn best<F: FnMut() -> usize>(rounds: usize, mut f: F) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut check = 0;
    for _ in 0..rounds {
        let t = cpu_now();
        check = f();
        best = best.min(cpu_now() - t);
    }
    (best, check)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: text_speed MAILDIR/new [rounds]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(5);
    let mut msgs: Vec<(String, String)> = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for p in names {
        let raw = std::fs::read(&p)?;
        let Some(m) = mail_parser::MessageParser::default().parse(&raw) else {
            continue;
        };
        let subject = m.subject().unwrap_or("").to_string();
        let body = m.body_text(0).map(|b| b.into_owned()).unwrap_or_default();
        msgs.push((subject, body));
    }
    let bytes: usize = msgs.iter().map(|(s, b)| s.len() + b.len()).sum();
    println!("{} messages, {} bytes of text", msgs.len(), bytes);

    let cleaned: Vec<(String, String)> = msgs
        .iter()
        .map(|(s, b)| {
            (
                sanitize::clean_input(s).text,
                sanitize::clean_input(b).text.trim().to_string(),
            )
        })
        .collect();
    let texts: Vec<String> = cleaned.iter().map(|(s, b)| format!("{s}\n{b}")).collect();

    let report = |name: &str, (t, check): (f64, usize)| {
        println!(
            "{name:<28} {:>8.1} ms  {:>6.2} µs/msg  (check {check})",
            t * 1e3,
            t * 1e6 / msgs.len() as f64
        );
    };
    report(
        "legacy::detect",
        best(rounds, || {
            msgs.iter()
                .map(|(s, b)| legacy::detect(&format!("{s}\n{b}"), None).markers + 1)
                .sum()
        }),
    );
    report(
        "sanitize::clean_input",
        best(rounds, || {
            msgs.iter()
                .map(|(s, b)| {
                    sanitize::clean_input(s).text.len() + sanitize::clean_input(b).text.len()
                })
                .sum()
        }),
    );
    report(
        "fold::nfc",
        best(rounds, || {
            cleaned.iter().map(|(_, b)| fold::nfc(b).len()).sum()
        }),
    );
    report(
        "fold::fold",
        best(rounds, || texts.iter().map(|t| fold::fold(t).len()).sum()),
    );
    report(
        "minhash::fingerprint_and_words",
        best(rounds, || {
            texts
                .iter()
                .map(|t| minhash::fingerprint_and_words(t).0.shingles.len())
                .sum()
        }),
    );
    report(
        "minhash::content_digest",
        best(rounds, || {
            texts.iter().map(|t| minhash::content_digest(t).len()).sum()
        }),
    );
    report(
        "minhash::shingles",
        best(rounds, || {
            texts.iter().map(|t| minhash::shingles(t).len()).sum()
        }),
    );
    report(
        "(sha256 of the text)",
        best(rounds, || {
            use sha2::Digest;
            texts
                .iter()
                .map(|t| sha2::Sha256::digest(t.as_bytes())[0] as usize)
                .sum()
        }),
    );
    let sh: Vec<Vec<u64>> = texts
        .iter()
        .map(|t| {
            let mut v = minhash::shingles(t);
            // Unsorted, as they are hashed.
            v.iter_mut()
                .for_each(|x| *x = x.rotate_left(17).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            v
        })
        .collect();
    report(
        "(sort_unstable of shingles)",
        best(rounds, || {
            sh.iter()
                .map(|v| {
                    let mut v = v.clone();
                    v.sort_unstable();
                    v.len()
                })
                .sum()
        }),
    );
    let words: Vec<_> = texts
        .iter()
        .map(|t| minhash::fingerprint_and_words(t).1)
        .collect();
    report(
        "FoldedWords::unique_from",
        best(rounds, || {
            words.iter().map(|w| w.unique_from(3).len()).sum()
        }),
    );
    Ok(())
}
