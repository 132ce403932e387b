//! Delivery of complete bundles to the site host by a command the administrator configures.
//!
//! Where the command comes from, first match wins:
//! 1. `BIENTAP_DELIVER` in the environment: a command line split into words like a shell would
//!    (quotes and backslashes), but run without a shell;
//! 2. `<data dir>/config.toml`, table `[export]`: `deliver = ["rsync", "-a", …]` (an argument
//!    list), or `deliver = "rsync -a …"` (split as above), or `deliver_shell = "…"` (run with
//!    `sh -c`: only ever from this file, which only the administrator writes).
//!
//! Placeholders replaced in each argument: `{out}` (the output directory, with a trailing `/`),
//! `{bundle}` (one bundle's directory) and `{run}` (its run id). With `{bundle}` or `{run}` the
//! command runs once per bundle; otherwise once for all bundles waiting. Nothing that comes from
//! an item ever reaches the command line: run ids and paths are made by bientap.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

/// How to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliverConfig {
    pub command: DeliverCommand,
    /// Extra attempts after the first (bounded: at most 10).
    pub retries: u32,
    /// Wait before retry n: n × backoff.
    pub backoff: Duration,
    /// Where the command came from, for the log.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeliverCommand {
    Argv(Vec<String>),
    Shell(String),
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    export: ExportSection,
}

#[derive(Debug, Default, Deserialize)]
struct ExportSection {
    deliver: Option<toml::Value>,
    deliver_shell: Option<String>,
    retries: Option<u32>,
    backoff_secs: Option<u64>,
}

/// Split a command line into words: whitespace separates; '…' and "…" quote; `\` escapes.
/// No expansion of any kind.
pub fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("unterminated '".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => cur.push(c),
                            None => return Err("trailing \\".into()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("unterminated \"".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => cur.push(c),
                    None => return Err("trailing \\".into()),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// The configured delivery, or `None` when nothing is configured.
pub fn load_config(data_dir: &Path) -> Result<Option<DeliverConfig>, String> {
    let path = data_dir.join("config.toml");
    let file: ConfigFile = match std::fs::read_to_string(&path) {
        Ok(t) => toml::from_str(&t).map_err(|e| format!("{}: {e}", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ConfigFile::default(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let env_num = |k: &str| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let retries = env_num("BIENTAP_DELIVER_RETRIES")
        .map(|n| n as u32)
        .or(file.export.retries)
        .unwrap_or(3)
        .min(10);
    let backoff = Duration::from_secs(
        env_num("BIENTAP_DELIVER_BACKOFF")
            .or(file.export.backoff_secs)
            .unwrap_or(10)
            .min(600),
    );
    if let Some(cmd) = std::env::var("BIENTAP_DELIVER")
        .ok()
        .filter(|s| !s.trim().is_empty())
    {
        let argv = split_words(&cmd).map_err(|e| format!("BIENTAP_DELIVER: {e}"))?;
        return Ok(Some(DeliverConfig {
            command: DeliverCommand::Argv(argv),
            retries,
            backoff,
            origin: "BIENTAP_DELIVER".into(),
        }));
    }
    let origin = format!("{} [export]", path.display());
    let command = match (&file.export.deliver, &file.export.deliver_shell) {
        (Some(toml::Value::Array(a)), _) => {
            let mut argv = Vec::new();
            for v in a {
                match v {
                    toml::Value::String(s) => argv.push(s.clone()),
                    _ => return Err(format!("{origin}: deliver = [...] must hold strings")),
                }
            }
            DeliverCommand::Argv(argv)
        }
        (Some(toml::Value::String(s)), _) => {
            DeliverCommand::Argv(split_words(s).map_err(|e| format!("{origin}: deliver: {e}"))?)
        }
        (Some(_), _) => return Err(format!("{origin}: deliver must be a string or a list")),
        (None, Some(sh)) => DeliverCommand::Shell(sh.clone()),
        (None, None) => return Ok(None),
    };
    if matches!(&command, DeliverCommand::Argv(a) if a.is_empty()) {
        return Err(format!("{origin}: deliver is empty"));
    }
    Ok(Some(DeliverConfig {
        command,
        retries,
        backoff,
        origin,
    }))
}

impl DeliverConfig {
    /// Whether the command names one bundle (then it runs once per bundle).
    pub fn per_bundle(&self) -> bool {
        let has = |s: &str| s.contains("{bundle}") || s.contains("{run}");
        match &self.command {
            DeliverCommand::Argv(a) => a.iter().any(|x| has(x)),
            DeliverCommand::Shell(s) => has(s),
        }
    }

    /// The process to run, placeholders filled.
    pub fn build(&self, out: &Path, bundle: Option<(&Path, &str)>) -> Command {
        let mut out_s = out.display().to_string();
        if !out_s.ends_with('/') {
            out_s.push('/');
        }
        let fill = |s: &str| {
            let mut r = s.replace("{out}", &out_s);
            if let Some((b, run)) = bundle {
                r = r
                    .replace("{bundle}", &b.display().to_string())
                    .replace("{run}", run);
            }
            r
        };
        match &self.command {
            DeliverCommand::Argv(a) => {
                let mut c = Command::new(fill(&a[0]));
                for x in &a[1..] {
                    c.arg(fill(x));
                }
                c
            }
            DeliverCommand::Shell(s) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(fill(s));
                c
            }
        }
    }

    /// A short, printable form of the command (no placeholders filled).
    pub fn describe(&self) -> String {
        match &self.command {
            DeliverCommand::Argv(a) => a.join(" "),
            DeliverCommand::Shell(s) => format!("sh -c {s:?}"),
        }
    }
}

/// The outcome of running the command with its retries.
#[derive(Debug, Clone)]
pub struct Attempts {
    pub ok: bool,
    pub attempts: u32,
    /// Last exit status (None: killed by a signal or could not start).
    pub status: Option<i32>,
    pub last_error: String,
}

/// Run with bounded retries; `log` gets one line per attempt.
pub fn run_with_retries(
    cfg: &DeliverConfig,
    out: &Path,
    bundle: Option<(&Path, &str)>,
    log: &mut dyn FnMut(u32, Option<i32>, &str),
) -> Attempts {
    let total = cfg.retries + 1;
    let mut last = Attempts {
        ok: false,
        attempts: 0,
        status: None,
        last_error: String::new(),
    };
    for n in 1..=total {
        if n > 1 {
            std::thread::sleep(cfg.backoff * (n - 1));
        }
        let mut cmd = cfg.build(out, bundle);
        cmd.stdin(std::process::Stdio::null());
        let res = cmd.output();
        last.attempts = n;
        match res {
            Ok(o) => {
                last.status = o.status.code();
                let err = String::from_utf8_lossy(&o.stderr);
                last.last_error = err.lines().last().unwrap_or("").trim().to_string();
                log(n, last.status, &last.last_error);
                if o.status.success() {
                    last.ok = true;
                    return last;
                }
            }
            Err(e) => {
                last.status = None;
                last.last_error = e.to_string();
                log(n, None, &last.last_error);
            }
        }
    }
    last
}

/// Bundle directory of a run.
pub fn bundle_dir(out: &Path, run_id: &str) -> PathBuf {
    out.join(run_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell_without_expansion() {
        assert_eq!(
            split_words(
                "rsync -a --delay-updates '{out}' \"host:/srv/site/in coming/\" $HOME a\\ b"
            )
            .unwrap_or_default(),
            vec![
                "rsync",
                "-a",
                "--delay-updates",
                "{out}",
                "host:/srv/site/in coming/",
                "$HOME",
                "a b"
            ]
        );
        assert!(split_words("a 'b").is_err());
    }

    #[test]
    fn placeholders_fill_whole_arguments_only() {
        let cfg = DeliverConfig {
            command: DeliverCommand::Argv(vec!["echo".into(), "{out}".into(), "x{run}".into()]),
            retries: 0,
            backoff: Duration::ZERO,
            origin: String::new(),
        };
        assert!(cfg.per_bundle());
        let c = cfg.build(Path::new("/o"), Some((Path::new("/o/r1"), "r1")));
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, vec!["/o/", "xr1"]);
    }
}
