//! The SSH fixture shared by `tests/e2e_ssh.rs` (the chair's confined console login) and
//! `tests/export_ssh.rs` (bundle delivery to an `rrsync` key): finding the system tools, the
//! throw-away OpenSSH server on 127.0.0.1, and the OS accounts they log in as.
#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// An executable named `name` on `PATH` or in the system directories (sshd lives in /usr/sbin).
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| {
            fs::metadata(p)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

pub fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {mode:o} {}: {e}", path.display()));
}

/// Standard output then standard error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs a command with a bounded wait; kills it when the time is up.
pub fn output_within(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let start = Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("collect output")
}

/// Runs a command to its end; panics with its output when it fails.
pub fn must(cmd: &mut Command) -> Output {
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(o.status.success(), "{cmd:?} failed: {}", text(&o));
    o
}

/// The OS account `login` exists and is not locked (sshd without PAM refuses a locked account;
/// `useradd` leaves `!` in the password field, `*` means "no password" without locking).
pub fn ensure_account(useradd: &Path, usermod: &Path, login: &str) {
    let exists = Command::new("id")
        .args(["-u", login])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !exists {
        must(Command::new(useradd).args(["-m", "-s", "/bin/sh", login]));
    }
    must(Command::new(usermod).args(["-p", "*", login]));
}

/// A new ed25519 key pair without passphrase at `path` (and `path.pub`); returns the public key.
/// Bounded: ssh-keygen never waits for anything, 30 s means it hangs.
pub fn keygen(ssh_keygen: &Path, path: &Path, comment: &str) -> String {
    let mut cmd = Command::new(ssh_keygen);
    cmd.args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(path);
    let o = output_within(&mut cmd, Duration::from_secs(30));
    assert!(o.status.success(), "{cmd:?} failed: {}", text(&o));
    fs::read_to_string(path.with_extension("pub")).expect("public key")
}

/// A throw-away OpenSSH server on the loopback interface, stopped on drop.
pub struct Sshd {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Sshd {
    /// Starts `sshd -D -e -f DIR/sshd_config` from `config` (`@DIR@` and `@PORT@` filled in) on
    /// `port`, or a free loopback port, and waits up to `wait` until it listens. The host key
    /// `DIR/host_ed25519` is made when missing (a restart keeps it).
    pub fn start(
        sshd: &Path,
        ssh_keygen: &Path,
        dir: &Path,
        config: &str,
        port: Option<u16>,
        wait: Duration,
    ) -> Sshd {
        let host_key = dir.join("host_ed25519");
        if !host_key.exists() {
            keygen(ssh_keygen, &host_key, "bientap-test-host");
        }
        // Privilege separation directory.
        fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        set_mode(Path::new("/run/sshd"), 0o755);
        let mut last = String::new();
        for _attempt in 0..3 {
            let port = port.unwrap_or_else(|| {
                std::net::TcpListener::bind("127.0.0.1:0")
                    .and_then(|l| l.local_addr())
                    .expect("a free port")
                    .port()
            });
            let cfg = dir.join("sshd_config");
            fs::write(
                &cfg,
                config
                    .replace("@DIR@", dir.to_str().expect("utf-8 temp dir"))
                    .replace("@PORT@", &port.to_string()),
            )
            .expect("write sshd_config");
            let log = dir.join("sshd.log");
            let logf = fs::File::create(&log).expect("sshd.log");
            let child = Command::new(sshd)
                .args(["-D", "-e", "-f"])
                .arg(&cfg)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(logf)
                .spawn()
                .expect("start sshd");
            let mut s = Sshd { child, port, log };
            let start = Instant::now();
            while start.elapsed() < wait {
                if s.log_text().contains("Server listening on 127.0.0.1") {
                    return s;
                }
                if s.child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            last = s.log_text();
            // Dropping `s` stops it; try again (another port, or the same one freed meanwhile).
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("sshd did not start:\n{last}");
    }

    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
