//! Who is running this process (the OS account, never `$USER`), and the shared data directory.

use std::path::{Path, PathBuf};

/// The login of the process's real user id, from the password database.
pub fn os_login() -> Option<String> {
    let uid = uzers::get_current_uid();
    uzers::get_user_by_uid(uid).and_then(|u| u.name().to_str().map(str::to_string))
}

/// Whether the process runs as root (may act for another login with `--as`).
pub fn is_root() -> bool {
    uzers::get_current_uid() == 0
}

/// The default database path: `$BIENTAP_DB`, else `<XDG data dir>/bientap/bientap.db`.
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("BIENTAP_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    directories::ProjectDirs::from("vn", "bientap", "bientap")
        .map(|d| d.data_dir().join("bientap.db"))
        .unwrap_or_else(|| PathBuf::from("bientap.db"))
}

/// The data directory beside a database (blobs, outbox, calendars).
pub fn data_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// What `init` did to share the data directory with the board's group.
#[derive(Debug, Clone, Default)]
pub struct SharedSetup {
    pub group: Option<String>,
    pub dir_mode: u32,
    pub notes: Vec<(String, String)>,
}

/// Make the data directory group-shared: group `bientap` if it exists, dir `2770`, files `0660`.
/// `own_dir`: the directory was made for bientap (its mode may be set); otherwise only files change.
pub fn share_data_dir(dir: &Path, db: &Path, own_dir: bool) -> std::io::Result<SharedSetup> {
    use std::os::unix::fs::PermissionsExt;
    let mut s = SharedSetup::default();
    let group = uzers::get_group_by_name("bientap");
    if let Some(g) = &group {
        let gid = g.gid();
        let targets: Vec<PathBuf> = if own_dir {
            vec![dir.to_path_buf(), db.to_path_buf()]
        } else {
            vec![db.to_path_buf()]
        };
        for p in targets {
            let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes())
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            // SAFETY: valid C string; -1 keeps the owner.
            let rc = unsafe { libc::chown(c.as_ptr(), u32::MAX, gid) };
            if rc != 0 {
                let e = std::io::Error::last_os_error();
                s.notes.push((
                    format!("không đổi được nhóm của {}: {e}", p.display()),
                    format!("could not change the group of {}: {e}", p.display()),
                ));
            }
        }
        s.group = Some("bientap".into());
        s.dir_mode = 0o2770;
    } else {
        s.dir_mode = 0o700;
        s.notes.push((
            "chưa có nhóm \"bientap\": thư mục dữ liệu chỉ chủ sở hữu dùng được (xem docs/architecture.md để chia sẻ cho Ban biên tập)".into(),
            "no group \"bientap\": the data directory is private to its owner (see docs/architecture.md to share it with the board)".into(),
        ));
    }
    if own_dir {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(s.dir_mode))?;
    }
    let file_mode = if s.group.is_some() { 0o660 } else { 0o600 };
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(file_mode))?;
        }
    }
    Ok(s)
}
