//! The board's users: OS logins mapped to a role and a unit; delegations of steps.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::audit::{append, AuditWrite};
use super::{Ctx, Result, Store, StoreError};
use crate::domain::profile::Capability;
use crate::domain::workflow::Actor;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub login: String,
    pub name: String,
    pub role: String,
    pub unit: String,
    pub email: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub role: String,
    pub unit: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Delegation {
    pub id: i64,
    pub from_login: String,
    pub to_login: String,
    pub step: String,
    pub since: String,
    pub until: Option<String>,
}

fn valid_login(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 64
        && l.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl Store {
    fn check_new_user(&self, u: &NewUser) -> Result<()> {
        if !valid_login(&u.login) {
            return Err(StoreError::invalid(
                format!(
                    "tên đăng nhập \"{}\" không hợp lệ (chữ, số, . _ -)",
                    u.login
                ),
                format!(
                    "login \"{}\" is not valid (letters, digits, . _ -)",
                    u.login
                ),
            ));
        }
        if u.name.trim().is_empty() {
            return Err(StoreError::invalid(
                "phải có họ tên (--name)",
                "a full name is required (--name)",
            ));
        }
        if self.profile.role(&u.role).is_none() {
            return Err(StoreError::UnknownRole(u.role.clone()));
        }
        Ok(())
    }

    /// The first user, created with the database (the caller of `init`). No admin check.
    pub fn add_first_user(&mut self, ctx: &Ctx, u: &NewUser) -> Result<()> {
        self.check_new_user(u)?;
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        if n > 0 {
            return Err(StoreError::invalid(
                "Ban biên tập đã có thành viên",
                "the board already has users",
            ));
        }
        self.insert_user(ctx, u)
    }

    /// Add a user; only a role with `admin` may.
    pub fn add_user(&mut self, ctx: &Ctx, u: &NewUser) -> Result<()> {
        self.require_cap(&ctx.actor, Capability::Admin)?;
        self.check_new_user(u)?;
        if self.user(&u.login)?.is_some() {
            return Err(StoreError::UserExists(u.login.clone()));
        }
        self.insert_user(ctx, u)
    }

    fn insert_user(&mut self, ctx: &Ctx, u: &NewUser) -> Result<()> {
        let note = format!("{} | {} | {}", u.name, u.role, u.unit);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO users(login, name, role, unit, email, active, added_at, added_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)",
                params![
                    u.login,
                    u.name,
                    u.role,
                    u.unit,
                    u.email,
                    ctx.now_text(),
                    ctx.actor
                ],
            )?;
            append(
                tx,
                ctx,
                AuditWrite {
                    item_id: None,
                    action: &format!("user-add:{}", u.login),
                    from_state: None,
                    to_state: None,
                    reasons: &[],
                    note: &note,
                    version: None,
                },
            )?;
            Ok(())
        })
    }

    /// Change a user's role/unit or deactivate them (admin only).
    pub fn update_user(
        &mut self,
        ctx: &Ctx,
        login: &str,
        role: Option<&str>,
        unit: Option<&str>,
        active: Option<bool>,
    ) -> Result<()> {
        self.require_cap(&ctx.actor, Capability::Admin)?;
        let cur = self
            .user(login)?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))?;
        if let Some(r) = role {
            if self.profile.role(r).is_none() {
                return Err(StoreError::UnknownRole(r.to_string()));
            }
        }
        let role = role.unwrap_or(&cur.role).to_string();
        let unit = unit.unwrap_or(&cur.unit).to_string();
        let active = active.unwrap_or(cur.active);
        let note = format!("{role} | {unit} | active={active}");
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET role = ?2, unit = ?3, active = ?4 WHERE login = ?1",
                params![login, role, unit, active],
            )?;
            append(
                tx,
                ctx,
                AuditWrite {
                    item_id: None,
                    action: &format!("user-update:{login}"),
                    from_state: None,
                    to_state: None,
                    reasons: &[],
                    note: &note,
                    version: None,
                },
            )?;
            Ok(())
        })
    }

    pub fn user(&self, login: &str) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(
                "SELECT login, name, role, unit, email, active FROM users WHERE login = ?1",
                [login],
                |r| {
                    Ok(User {
                        login: r.get(0)?,
                        name: r.get(1)?,
                        role: r.get(2)?,
                        unit: r.get(3)?,
                        email: r.get(4)?,
                        active: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self.conn.prepare(
            "SELECT login, name, role, unit, email, active FROM users ORDER BY active DESC, role, login",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(User {
                login: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                unit: r.get(3)?,
                email: r.get(4)?,
                active: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The active board user for a login, or a clear refusal.
    pub fn require_user(&self, login: &str) -> Result<User> {
        let u = self
            .user(login)?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))?;
        if !u.active {
            return Err(StoreError::InactiveUser(login.to_string()));
        }
        Ok(u)
    }

    pub(crate) fn require_cap(&self, login: &str, cap: Capability) -> Result<User> {
        let u = self.require_user(login)?;
        let ok = self.profile.role(&u.role).is_some_and(|r| r.has(cap));
        if !ok {
            let allowed: Vec<String> = self
                .profile
                .roles_with(cap)
                .map(|r| r.code.clone())
                .collect();
            return Err(StoreError::Workflow(
                crate::domain::workflow::WorkflowError::RoleNotAllowed {
                    action: format!("{cap:?}").to_lowercase(),
                    role: u.role.clone(),
                    allowed,
                    article: String::new(),
                },
            ));
        }
        Ok(u)
    }

    /// The workflow actor for a login, with the steps delegated to it now.
    pub fn actor(&self, login: &str, now: &str) -> Result<Actor> {
        let u = self.require_user(login)?;
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT step FROM delegations
             WHERE to_login = ?1 AND revoked_at IS NULL AND since <= ?2 AND (until IS NULL OR until >= ?2)",
        )?;
        let steps = stmt
            .query_map(params![login, now], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Actor {
            login: u.login,
            role: u.role,
            delegated_steps: steps,
        })
    }

    /// Authorise `to` to take `step` on behalf of a role holder. The delegator must be able to
    /// take the step themselves (or be admin), and the step must allow delegation.
    pub fn delegate(
        &mut self,
        ctx: &Ctx,
        to: &str,
        step: &str,
        until: Option<&str>,
    ) -> Result<i64> {
        let from = self.require_user(&ctx.actor)?;
        self.require_user(to)?;
        let st = self.profile.step(step).ok_or_else(|| {
            StoreError::invalid(
                format!("không có bước \"{step}\" trong quy chế"),
                format!("no step \"{step}\" in the regulation"),
            )
        })?;
        if !st.delegable {
            return Err(StoreError::invalid(
                format!(
                    "quy chế không cho ủy quyền bước \"{step}\" ({})",
                    st.article
                ),
                format!(
                    "the regulation does not allow delegating step \"{step}\" ({})",
                    st.article
                ),
            ));
        }
        let is_admin = self
            .profile
            .role(&from.role)
            .is_some_and(|r| r.has(Capability::Admin));
        if !st.roles.contains(&from.role) && !is_admin {
            return Err(StoreError::Workflow(
                crate::domain::workflow::WorkflowError::RoleNotAllowed {
                    action: "delegate".into(),
                    role: from.role.clone(),
                    allowed: st.roles.clone(),
                    article: st.article.clone(),
                },
            ));
        }
        let note = format!("{to} ← {step} until {}", until.unwrap_or("-"));
        self.write(|tx| {
            tx.execute(
                "INSERT INTO delegations(from_login, to_login, step, since, until) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![ctx.actor, to, step, ctx.now_text(), until],
            )?;
            let id = tx.last_insert_rowid();
            append(
                tx,
                ctx,
                AuditWrite {
                    item_id: None,
                    action: &format!("delegate:{to}"),
                    from_state: None,
                    to_state: None,
                    reasons: &[],
                    note: &note,
                    version: None,
                },
            )?;
            Ok(id)
        })
    }

    pub fn delegations(&self) -> Result<Vec<Delegation>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, from_login, to_login, step, since, until FROM delegations WHERE revoked_at IS NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Delegation {
                id: r.get(0)?,
                from_login: r.get(1)?,
                to_login: r.get(2)?,
                step: r.get(3)?,
                since: r.get(4)?,
                until: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
