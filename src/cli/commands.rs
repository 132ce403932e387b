//! Running the commands. Each returns an exit code; messages go to stderr in the user's language.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::output::{one_line, safe, safe_block, table};
use super::{exit, AuditCmd, Cli, Command, Global, ProfilesCmd, UserCmd};
use crate::domain::item::{Attribution, ContactMethod, Identity, Opinion, SourceKind, State};
use crate::domain::profile::{Profile, StepKind};
use crate::domain::workflow::Action;
use crate::i18n::Lang;
use crate::store::{identity, Ctx, ListFilter, NewItem, NewUser, SortKey, Store, StoreError};
use crate::tr;

/// A failure: the message (already in the user's language) and the exit code.
pub struct Fail {
    pub code: i32,
    pub msg: String,
}

type R<T> = Result<T, Fail>;

pub fn fail(code: i32, msg: String) -> Fail {
    Fail { code, msg }
}

pub(super) fn store_fail(e: StoreError, lang: Lang, profile: Option<&Profile>) -> Fail {
    let code = match &e {
        StoreError::NoDatabase(_) | StoreError::NotFound(_) => exit::NOT_FOUND,
        StoreError::Conflict { .. } => exit::CONFLICT,
        StoreError::Busy => exit::BUSY,
        StoreError::UnknownUser(_) | StoreError::InactiveUser(_) | StoreError::ReadOnly(_) => {
            exit::DENIED
        }
        StoreError::Workflow(_) | StoreError::FourEyesTrigger | StoreError::UnknownRole(_) => {
            exit::REFUSED
        }
        StoreError::Invalid { .. } | StoreError::UserExists(_) => exit::REFUSED,
        _ => exit::FAILURE,
    };
    fail(code, e.message(lang, profile))
}

/// The language: `--lang`, else `BIENTAP_LANG`, else Vietnamese.
pub fn lang_of(g: &Global) -> Lang {
    g.lang
        .or_else(|| {
            std::env::var("BIENTAP_LANG")
                .ok()
                .and_then(|s| Lang::parse(&s))
        })
        .unwrap_or_default()
}

pub fn db_path(g: &Global) -> PathBuf {
    g.db.clone().unwrap_or_else(identity::default_db_path)
}

/// Who acts: the OS account, or with `--as` (root only) another login.
pub(super) fn ctx_for(g: &Global, lang: Lang) -> R<Ctx> {
    let os = identity::os_login().ok_or_else(|| {
        fail(
            exit::DENIED,
            tr!(
                lang,
                "không xác định được tài khoản hệ điều hành của tiến trình này",
                "cannot tell which OS account runs this process"
            ),
        )
    })?;
    let actor = match &g.as_login {
        Some(l) if identity::is_root() => l.clone(),
        Some(_) => {
            return Err(fail(
                exit::DENIED,
                tr!(
                    lang,
                    "chỉ root mới được dùng --as để thao tác thay người khác",
                    "only root may act for another login with --as"
                ),
            ))
        }
        None => os.clone(),
    };
    Ok(Ctx {
        actor,
        os_login: os,
        now: Utc::now(),
    })
}

pub(super) fn open(g: &Global, lang: Lang) -> R<Store> {
    let db = db_path(g);
    let mut store = Store::open_with(&db, &mut |from, to| {
        eprintln!("{}", crate::store::upgrade_notice(&db, from, to, lang))
    })
    .map_err(|e| store_fail(e, lang, None))?;
    crate::due::install(&mut store);
    Ok(store)
}

fn print_json<T: serde::Serialize>(v: &T) -> R<()> {
    match serde_json::to_string_pretty(v) {
        Ok(s) => {
            println!("{s}");
            Ok(())
        }
        Err(e) => Err(fail(exit::FAILURE, e.to_string())),
    }
}

/// Local time (Asia/Ho_Chi_Minh, UTC+7) of a stored UTC timestamp, for display.
pub fn local(ts: &str) -> String {
    match crate::store::parse_ts(ts) {
        Some(t) => {
            let off = chrono::FixedOffset::east_opt(7 * 3600).map(|o| t.with_timezone(&o));
            match off {
                Some(l) => l.format("%d/%m/%Y %H:%M").to_string(),
                None => ts.to_string(),
            }
        }
        None => ts.to_string(),
    }
}

/// Parse a user-given date or date-time (local time, UTC+7) into the stored UTC text.
pub fn parse_local_time(s: &str, lang: Lang) -> R<String> {
    let s = s.trim();
    let off = chrono::FixedOffset::east_opt(7 * 3600)
        .ok_or_else(|| fail(exit::FAILURE, "offset".into()))?;
    let dt = if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)
    } else {
        ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    };
    let dt = dt.ok_or_else(|| {
        fail(
            exit::USAGE,
            tr!(
                lang,
                "ngày giờ \"{s}\" không đúng dạng YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM",
                "date \"{s}\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM"
            ),
        )
    })?;
    let local = off.from_local_datetime(&dt).single().ok_or_else(|| {
        fail(
            exit::USAGE,
            tr!(
                lang,
                "ngày giờ \"{s}\" không hợp lệ",
                "invalid date \"{s}\""
            ),
        )
    })?;
    Ok(crate::store::ts(local.with_timezone(&Utc)))
}

fn parse_date(s: &str, lang: Lang) -> R<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        fail(
            exit::USAGE,
            tr!(
                lang,
                "ngày \"{s}\" không đúng dạng YYYY-MM-DD",
                "date \"{s}\" is not YYYY-MM-DD"
            ),
        )
    })
}

/// NFC and strip control characters from anything typed on the command line.
fn clean(s: &str) -> String {
    crate::text_input(s)
}

fn read_body(path: &Path, lang: Lang) -> R<String> {
    let mut bytes = Vec::new();
    let res = if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    res.map_err(|e| {
        fail(
            exit::FAILURE,
            tr!(
                lang,
                "không đọc được {}: {e}",
                "cannot read {}: {e}",
                path.display()
            ),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        fail(
            exit::FAILURE,
            tr!(
                lang,
                "{} không phải văn bản UTF-8 (Unicode TCVN 6909:2001); hãy chuyển mã trước",
                "{} is not UTF-8 text (Unicode, TCVN 6909:2001); convert it first",
                path.display()
            ),
        )
    })?;
    Ok(clean(&text))
}

/// Entry point: parse nothing here (main did), run, return the exit code.
pub fn run(cli: Cli) -> i32 {
    let lang = lang_of(&cli.global);
    match dispatch(cli, lang) {
        Ok(()) => exit::OK,
        Err(f) => {
            if !f.msg.is_empty() {
                eprintln!("bientap: {}", one_line(&f.msg));
            }
            f.code
        }
    }
}

fn dispatch(cli: Cli, lang: Lang) -> R<()> {
    let g = cli.global.clone();
    match cli.command {
        None => {
            // The same message and exit code as every other command when there is no database.
            drop(open(&g, lang)?);
            crate::tui_entry(&g, lang).map_err(|e| fail(exit::FAILURE, e))
        }
        Some(Command::Demo(a)) => crate::demo::run_cli(&g, &a, lang),
        Some(Command::Init(a)) => init(&g, &a, lang),
        Some(Command::Profiles { cmd }) => profiles(cmd, &g, lang),
        Some(Command::User { cmd }) => user(cmd, &g, lang),
        Some(Command::Add(a)) => add(&g, &a, lang),
        Some(Command::List(a)) => list(&g, &a, lang),
        Some(Command::Show { id, full }) => show(&g, id, full, lang),
        Some(Command::Decide(a)) => decide(&g, &a, lang),
        Some(Command::Edit(a)) => edit(&g, &a, lang),
        Some(Command::Confirm(a)) => confirm(&g, &a, lang),
        Some(Command::Submitter(a)) => submitter(&g, &a, lang),
        Some(Command::Note { id, text }) => note(&g, id, &text, lang),
        Some(Command::Diff { id, a, b }) => diff(&g, id, a, b, lang),
        Some(Command::Search { query, limit }) => search(&g, &query.join(" "), limit, lang),
        Some(Command::Audit { cmd }) => audit(cmd, &g, lang),
        Some(Command::Deadline(a)) => deadline_cmd(&g, &a, lang),
        Some(Command::Bench(a)) => bench_cmd(&g, &a, lang),
        Some(Command::Import(a)) => {
            let (ctx, mut st) = (ctx_for(&g, lang)?, open(&g, lang)?);
            let s = super::import::run(&a, &mut st, &ctx, lang, g.json)
                .map_err(|e| fail(exit::FAILURE, e.to_string()))?;
            if s.refused > 0 {
                Err(fail(exit::CHECK_FAILED, String::new()))
            } else {
                Ok(())
            }
        }
        Some(Command::Reply(a)) => {
            let (ctx, mut st) = (ctx_for(&g, lang)?, open(&g, lang)?);
            super::import::run_reply(&a, &mut st, &ctx, lang, g.json)
                .map(|_| ())
                .map_err(|e| fail(exit::FAILURE, e.to_string()))
        }
        Some(Command::Export(a)) => super::export::run(&g, &a, lang),
        Some(Command::Calendar { cmd }) => {
            let db = db_path(&g);
            let dir = crate::profile::calendar::user_dir_for_db(&db);
            super::calendar::run(&cmd, Some(&dir), lang, g.json)
                .map_err(|e| fail(exit::CHECK_FAILED, e.to_string()))
        }
        Some(Command::Report { cmd }) => super::report::run(&cmd, &g, lang),
    }
}

fn profile_fail(e: crate::profile::ProfileError, lang: Lang) -> Fail {
    fail(exit::NOT_FOUND, e.message(lang))
}

fn init(g: &Global, a: &super::InitArgs, lang: Lang) -> R<()> {
    let (profile, text) = load_profile_with_text(&a.profile, lang)?;
    let ctx = ctx_for(g, lang)?;
    let db = db_path(g);
    let dir = identity::data_dir(&db);
    let own_dir = !dir.exists();
    let mut store =
        Store::create(&db, &profile, &text).map_err(|e| store_fail(e, lang, Some(&profile)))?;
    let role = profile
        .admin_role()
        .map(|r| r.code.clone())
        .ok_or_else(|| {
            fail(
                exit::FAILURE,
                tr!(
                    lang,
                    "quy chế không có vai trò quản trị",
                    "the profile has no admin role"
                ),
            )
        })?;
    let name = a.name.clone().unwrap_or_else(|| ctx.actor.clone());
    store
        .add_first_user(
            &ctx,
            &NewUser {
                login: ctx.actor.clone(),
                name: clean(&name),
                role: role.clone(),
                unit: clean(&a.unit),
                email: String::new(),
            },
        )
        .map_err(|e| store_fail(e, lang, Some(&profile)))?;
    let shared = identity::share_data_dir(&dir, &db, own_dir).map_err(|e| {
        fail(
            exit::FAILURE,
            tr!(
                lang,
                "không đặt được quyền thư mục: {e}",
                "cannot set directory permissions: {e}"
            ),
        )
    })?;
    let role_title = profile
        .role(&role)
        .map(|r| r.title(lang).to_string())
        .unwrap_or(role);
    println!(
        "{}",
        tr!(
            lang,
            "Đã tạo {} theo {} ({} số {}). {} là {}.",
            "Created {} for {} ({} no. {}). {} is the {}.",
            db.display(),
            profile.agency.name,
            profile.source.title,
            profile.source.number,
            ctx.actor,
            role_title
        )
    );
    for (vi, en) in shared.notes {
        println!("{}", lang.pick(&vi, &en));
    }
    Ok(())
}

/// A profile and its TOML text (bundled id or a file path).
pub fn load_profile_with_text(id_or_path: &str, lang: Lang) -> R<(Profile, String)> {
    if let Some(text) = crate::profile::bundled_text(id_or_path) {
        let p = crate::profile::parse(id_or_path, text).map_err(|e| profile_fail(e, lang))?;
        return Ok((p, text.to_string()));
    }
    let path = Path::new(id_or_path);
    if !path.exists() {
        let ids = crate::profile::BUNDLED_IDS.join(", ");
        return Err(fail(
            exit::NOT_FOUND,
            tr!(
                lang,
                "không có quy chế \"{id_or_path}\"; các quy chế có sẵn: {ids} (hoặc đường dẫn tới tệp .toml)",
                "no profile \"{id_or_path}\"; bundled profiles: {ids} (or a path to a .toml file)"
            ),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(
            exit::FAILURE,
            tr!(
                lang,
                "không đọc được {id_or_path}: {e}",
                "cannot read {id_or_path}: {e}"
            ),
        )
    })?;
    let p = crate::profile::parse(id_or_path, &text).map_err(|e| profile_fail(e, lang))?;
    Ok((p, text))
}

fn profiles(cmd: Option<ProfilesCmd>, g: &Global, lang: Lang) -> R<()> {
    match cmd {
        None => {
            let mut rows = Vec::new();
            let mut all = Vec::new();
            for id in crate::profile::BUNDLED_IDS {
                let (p, _) = load_profile_with_text(id, lang)?;
                rows.push(vec![
                    p.id.clone(),
                    p.agency.name.clone(),
                    format!("{} ({})", p.source.number, p.source.date),
                ]);
                all.push(p);
            }
            if g.json {
                return print_json(&all);
            }
            print!(
                "{}",
                table(
                    &[
                        lang.pick("mã", "id"),
                        lang.pick("cơ quan", "agency"),
                        lang.pick("văn bản", "document")
                    ],
                    &rows,
                    &[0, 48, 0]
                )
            );
            Ok(())
        }
        Some(ProfilesCmd::Show { id }) => {
            let (p, text) = load_profile_with_text(&id, lang)?;
            if g.json {
                print_json(&p)
            } else {
                print!("{}", safe_block(&text));
                Ok(())
            }
        }
        Some(ProfilesCmd::Check { path }) => {
            let (p, _) = load_profile_with_text(&path.display().to_string(), lang)
                .map_err(|f| fail(exit::CHECK_FAILED, f.msg))?;
            println!(
                "{}",
                tr!(
                    lang,
                    "{}: hợp lệ ({})",
                    "{}: valid ({})",
                    path.display(),
                    p.id
                )
            );
            Ok(())
        }
    }
}

fn user(cmd: UserCmd, g: &Global, lang: Lang) -> R<()> {
    let mut store = open(g, lang)?;
    let p = store.profile().clone();
    let ctx = ctx_for(g, lang)?;
    let sf = |e| store_fail(e, lang, Some(&p));
    match cmd {
        UserCmd::Add {
            login,
            name,
            role,
            unit,
            email,
        } => {
            store
                .add_user(
                    &ctx,
                    &NewUser {
                        login: clean(&login),
                        name: clean(&name),
                        role: clean(&role),
                        unit: clean(&unit),
                        email: clean(&email),
                    },
                )
                .map_err(sf)?;
            let title = p
                .role(&role)
                .map(|r| r.title(lang).to_string())
                .unwrap_or(role);
            println!(
                "{}",
                tr!(
                    lang,
                    "Đã thêm {login} ({title}).",
                    "Added {login} ({title})."
                )
            );
            Ok(())
        }
        UserCmd::List => {
            let users = store.users().map_err(sf)?;
            if g.json {
                return print_json(&users);
            }
            let rows: Vec<Vec<String>> = users
                .iter()
                .map(|u| {
                    vec![
                        u.login.clone(),
                        u.name.clone(),
                        p.role(&u.role)
                            .map(|r| r.title(lang).to_string())
                            .unwrap_or(u.role.clone()),
                        u.unit.clone(),
                        if u.active {
                            String::new()
                        } else {
                            lang.pick("vô hiệu", "inactive").into()
                        },
                    ]
                })
                .collect();
            print!(
                "{}",
                table(
                    &[
                        lang.pick("tài khoản", "login"),
                        lang.pick("họ tên", "name"),
                        lang.pick("vai trò", "role"),
                        lang.pick("đơn vị", "unit"),
                        ""
                    ],
                    &rows,
                    &[]
                )
            );
            Ok(())
        }
        UserCmd::Update {
            login,
            role,
            unit,
            deactivate,
            activate,
        } => {
            let active = if deactivate {
                Some(false)
            } else if activate {
                Some(true)
            } else {
                None
            };
            store
                .update_user(&ctx, &login, role.as_deref(), unit.as_deref(), active)
                .map_err(sf)?;
            println!("{}", tr!(lang, "Đã cập nhật {login}.", "Updated {login}."));
            Ok(())
        }
        UserCmd::Delegate { to, step, until } => {
            let until = match until {
                Some(d) => Some(format!("{}T23:59:59Z", parse_date(&d, lang)?)),
                None => None,
            };
            store
                .delegate(&ctx, &to, &step, until.as_deref())
                .map_err(sf)?;
            println!(
                "{}",
                tr!(
                    lang,
                    "Đã ủy quyền bước {step} cho {to}.",
                    "Delegated step {step} to {to}."
                )
            );
            Ok(())
        }
        UserCmd::Whoami => {
            let u = store.require_user(&ctx.actor).map_err(sf)?;
            if g.json {
                return print_json(&u);
            }
            let title = p
                .role(&u.role)
                .map(|r| r.title(lang).to_string())
                .unwrap_or(u.role.clone());
            println!("{} — {} — {}", u.login, safe(&u.name), title);
            Ok(())
        }
    }
}

fn add(g: &Global, a: &super::AddArgs, lang: Lang) -> R<()> {
    let mut store = open(g, lang)?;
    let p = store.profile().clone();
    let ctx = ctx_for(g, lang)?;
    let body = match (&a.body_file, &a.body) {
        (Some(f), _) => read_body(f, lang)?,
        (None, Some(b)) => clean(b),
        (None, None) => String::new(),
    };
    let kind = SourceKind::parse(&a.source).ok_or_else(|| {
        fail(
            exit::USAGE,
            tr!(
                lang,
                "--source phải là original hoặc quoted",
                "--source must be original or quoted"
            ),
        )
    })?;
    if !a.category.is_empty() && p.category(&a.category).is_none() {
        return Err(store_fail(
            StoreError::Workflow(crate::domain::workflow::WorkflowError::UnknownCategory(
                a.category.clone(),
            )),
            lang,
            Some(&p),
        ));
    }
    let new = NewItem {
        title: clean(&a.title),
        lead: clean(&a.lead),
        body,
        category: a.category.clone(),
        submitter: Identity {
            name: clean(&a.submitter),
            title: clean(&a.submitter_title),
            organisation: clean(&a.organisation),
            email: clean(&a.email),
            phone: clean(&a.phone),
            address: clean(&a.address),
            confidential: a.confidential,
        },
        unit: clean(&a.unit),
        attribution: Attribution {
            kind,
            author: clean(&a.author),
            source_name: clean(&a.source_name),
            source_url: clean(&a.source_url),
            source_date: match &a.source_date {
                Some(d) => Some(parse_date(d, lang)?),
                None => None,
            },
        },
        event_at: a
            .event
            .as_deref()
            .map(|s| parse_local_time(s, lang))
            .transpose()?,
        issued_at: a
            .issued
            .as_deref()
            .map(|s| parse_local_time(s, lang))
            .transpose()?,
        received_at: None,
        sensitive: a.sensitive,
        channel: "manual".into(),
        ..Default::default()
    };
    let id = store
        .add_item(&ctx, &new)
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    // What the importer would flag: the same or nearly the same text among items published or
    // pending (the profile's duplicate article). Said, not refused: the secretary decides.
    let dups = same_text_as(&store, id, &new.title, &new.body)
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    if g.json {
        let d: Vec<_> = dups
            .iter()
            .map(|(o, s)| serde_json::json!({ "id": o, "similarity": s }))
            .collect();
        return print_json(&serde_json::json!({ "id": id, "duplicates": d }));
    }
    println!(
        "{}",
        tr!(lang, "Đã nhập tin bài số {id}.", "Entered item {id}.")
    );
    if !dups.is_empty() {
        let list: Vec<String> = dups
            .iter()
            .map(|(o, s)| format!("#{o} ({:.0}%)", s * 100.0))
            .collect();
        println!(
            "{}",
            tr!(
                lang,
                "Lưu ý: nội dung trùng hoặc gần trùng với {} ({}).",
                "Note: the same or nearly the same text as {} ({}).",
                list.join(", "),
                p.intake.duplicate_article
            )
        );
    }
    Ok(())
}

/// Items other than `id` whose text is the same as or near `title\nbody` (the importer's
/// duplicate check), with their similarity.
fn same_text_as(
    store: &Store,
    id: i64,
    title: &str,
    body: &str,
) -> crate::store::Result<Vec<(i64, f64)>> {
    use crate::store::intake::{dup_source, find_duplicates_of};
    Ok(find_duplicates_of(store.conn(), &dup_source(title, body))?
        .into_iter()
        .filter(|d| d.other_id != id)
        .map(|d| (d.other_id, d.score))
        .collect())
}

fn parse_states(v: &[String], lang: Lang) -> R<Vec<State>> {
    v.iter()
        .flat_map(|s| s.split(','))
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            State::parse(s).ok_or_else(|| {
                let all: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
                fail(
                    exit::USAGE,
                    tr!(
                        lang,
                        "trạng thái \"{s}\" không có; các trạng thái: {}",
                        "no state \"{s}\"; states: {}",
                        all.join(", ")
                    ),
                )
            })
        })
        .collect()
}

fn list(g: &Global, a: &super::ListArgs, lang: Lang) -> R<()> {
    let store = open(g, lang)?;
    let p = store.profile().clone();
    let sort = match a.sort.as_str() {
        "due" => SortKey::Due,
        "received" => SortKey::Received,
        "title" => SortKey::Title,
        other => {
            return Err(fail(
                exit::USAGE,
                tr!(
                    lang,
                    "--sort \"{other}\": due, received hoặc title",
                    "--sort \"{other}\": due, received or title"
                ),
            ))
        }
    };
    let f = ListFilter {
        states: parse_states(&a.state, lang)?,
        category: a.category.clone(),
        assignee: a.assignee.clone(),
        unit: a.unit.clone(),
        due_before: a.overdue.then(|| crate::store::ts(Utc::now())),
        sort,
    };
    let rows = store
        .list(&f, a.limit)
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    let now = Utc::now();
    if g.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "due".into(),
                        crate::due::due_json(
                            &p,
                            crate::due::running(r.state, r.due_at.as_deref()),
                            now,
                        ),
                    );
                }
                v
            })
            .collect();
        return print_json(&v);
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.state.label(lang).to_string(),
                crate::due::due_text(
                    &p,
                    crate::due::running(r.state, r.due_at.as_deref()),
                    now,
                    lang,
                ),
                r.category.clone(),
                r.title.clone(),
                r.submitter.clone(),
                r.assignee.clone().unwrap_or_default(),
                r.check_flags.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "#",
                lang.pick("trạng thái", "state"),
                lang.pick("hạn", "due"),
                lang.pick("chuyên mục", "category"),
                lang.pick("tiêu đề", "title"),
                lang.pick("người gửi", "submitter"),
                lang.pick("giao cho", "assignee"),
                lang.pick("kiểm tra", "checks"),
            ],
            &table_rows,
            &[0, 14, 22, 16, 50, 24, 12, 0]
        )
    );
    eprintln!("{}", tr!(lang, "{} tin bài", "{} items", rows.len()));
    Ok(())
}

fn show(g: &Global, id: i64, full: bool, lang: Lang) -> R<()> {
    let store = open(g, lang)?;
    let p = store.profile().clone();
    let sf = |e| store_fail(e, lang, Some(&p));
    let item = store.item(id).map_err(sf)?;
    let checks = store.checks(id).map_err(sf)?;
    let atts = store.attachments(id).map_err(sf)?;
    let conf = store.confirmations(id).map_err(sf)?;
    let notes = store.notes(id).map_err(sf)?;
    let log = store.audit_log(Some(id), None).map_err(sf)?;
    let now = Utc::now();
    if g.json {
        return print_json(&serde_json::json!({
            "item": item,
            "due": crate::due::due_json(&p, item.due_at.as_deref(), now),
            "checks": checks,
            "attachments": atts,
            "confirmations": conf,
            "notes": notes,
            "history": log,
        }));
    }
    let cat = p
        .category(&item.category)
        .map(|c| format!("{} ({})", c.name(lang), c.code))
        .unwrap_or_else(|| item.category.clone());
    let next = crate::domain::workflow::next_step(&p, &item.facts())
        .map(|s| {
            format!(
                " — {}: {}",
                lang.pick("bước tiếp theo", "next step"),
                s.name(lang)
            )
        })
        .unwrap_or_default();
    println!(
        "#{} v{}  [{}]{}",
        item.id,
        item.version,
        item.state.label(lang),
        next
    );
    println!("{}: {}", lang.pick("Tiêu đề", "Title"), safe(&item.title));
    println!("{}: {}", lang.pick("Chuyên mục", "Category"), safe(&cat));
    let s = &item.submitter;
    println!(
        "{}: {}{}",
        lang.pick("Người gửi", "Submitter"),
        safe(
            &[
                s.name.as_str(),
                s.title.as_str(),
                s.organisation.as_str(),
                s.email.as_str(),
                s.phone.as_str(),
                s.address.as_str()
            ]
            .iter()
            .filter(|x| !x.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
        ),
        if s.confidential {
            lang.pick(" (giữ bí mật)", " (confidential)")
        } else {
            ""
        }
    );
    if !item.unit.is_empty() {
        println!("{}: {}", lang.pick("Đơn vị", "Unit"), safe(&item.unit));
    }
    let a = &item.attribution;
    if a.kind == SourceKind::Quoted {
        // Each part named, and what is missing said so (the attribution check asks for it).
        let missing = lang.pick("chưa có", "missing");
        let or_missing = |v: &str| {
            if v.trim().is_empty() {
                format!("({missing})")
            } else {
                safe(v)
            }
        };
        println!(
            "{}: {} {}; {} {}; {} {}{}",
            lang.pick("Nguồn trích", "Quoted from"),
            lang.pick("tác giả", "author"),
            or_missing(&a.author),
            lang.pick("nguồn", "source"),
            or_missing(&a.source_name),
            lang.pick("ngày đăng gốc", "first published"),
            a.source_date
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| format!("({missing})")),
            if a.source_url.is_empty() {
                String::new()
            } else {
                format!("; {}", safe(&a.source_url))
            }
        );
    }
    println!(
        "{}: {}",
        lang.pick("Nhận lúc", "Received"),
        local(&item.received_at)
    );
    println!(
        "{}: {}",
        lang.pick("Hạn đăng", "Due"),
        crate::due::due_text(&p, item.due_at.as_deref(), now, lang)
    );
    match crate::due::compute(&p, &item, now) {
        crate::due::DueCalc::Due {
            explain_vi,
            explain_en,
            flags,
            anchor_fallback,
            ..
        } => {
            println!("  {}", lang.pick(&explain_vi, &explain_en));
            if anchor_fallback {
                println!(
                    "  {}",
                    lang.pick(
                        "(chưa có ngày sự kiện/ban hành: tạm tính từ ngày nhận)",
                        "(no event/issue date: counted from receipt for now)"
                    )
                );
            }
            for f in flags {
                println!("  ! {f}");
            }
        }
        crate::due::DueCalc::Unknown { vi, en } => {
            println!(
                "  {}: {}",
                lang.pick("không tính được hạn", "due time unknown"),
                lang.pick(&vi, &en)
            );
        }
        crate::due::DueCalc::NoRule => {}
    }
    if let Some(asg) = &item.assignee {
        println!("{}: {}", lang.pick("Giao cho", "Assigned to"), safe(asg));
    }
    if item.sensitive {
        let op = match item.opinion {
            Some(Opinion::Agree) => lang.pick("đã đồng ý", "agreed"),
            Some(Opinion::Disagree) => lang.pick("không đồng ý", "disagreed"),
            None => lang.pick("chưa có ý kiến", "no opinion yet"),
        };
        println!(
            "{}: {}",
            lang.pick("Nhạy cảm — ý kiến lãnh đạo", "Sensitive — head's opinion"),
            op
        );
    }
    if !item.lead.is_empty() {
        println!("\n{}", safe_block(&item.lead));
    }
    if !item.body.is_empty() {
        if full {
            println!("\n{}", safe_block(&item.body));
        } else {
            let short: String = item.body.chars().take(400).collect();
            println!(
                "\n{}{}",
                safe_block(&short),
                if item.body.chars().count() > 400 {
                    " …"
                } else {
                    ""
                }
            );
        }
    }
    if !checks.is_empty() {
        println!("\n{}:", lang.pick("Kiểm tra", "Checks"));
        for c in &checks {
            let (name, letter) = crate::domain::checks::label(&c.code, lang);
            let letter = letter.map(|l| format!("{l} ")).unwrap_or_default();
            println!(
                "  [{}] {letter}{name} ({}) — {} {}",
                c.status,
                c.code,
                safe(&c.article),
                safe(&c.detail)
            );
        }
    }
    if !atts.is_empty() {
        println!("\n{}:", lang.pick("Tệp đính kèm", "Attachments"));
        for at in &atts {
            println!(
                "  {} ({} B) {} {}",
                safe(&at.name),
                at.size,
                at.mime,
                at.flags
            );
        }
    }
    for c in &conf {
        println!(
            "{}: {} {} {} — {}",
            lang.pick("Xác minh", "Confirmed"),
            c.what,
            c.how,
            c.login,
            safe(&c.note)
        );
    }
    if !notes.is_empty() {
        println!("\n{}:", lang.pick("Ghi chú nội bộ", "Internal notes"));
        for n in &notes {
            println!("  {} {}: {}", local(&n.at), n.login, safe(&n.text));
        }
    }
    println!("\n{}:", lang.pick("Lịch sử", "History"));
    for e in &log {
        let r = &e.record;
        println!(
            "  {} {:<10} {} {}→{} {} {}",
            local(&r.at),
            r.actor,
            r.action,
            r.from_state.as_deref().unwrap_or("-"),
            r.to_state.as_deref().unwrap_or("-"),
            r.reasons.join(","),
            safe(&r.note)
        );
    }
    Ok(())
}

fn action_from(a: &super::DecideArgs, p: &Profile, lang: Lang) -> R<Action> {
    let note = clean(&a.note);
    let reasons: Vec<String> = a.reasons.iter().map(|r| clean(r)).collect();
    Ok(match a.action.as_str() {
        "triage" => Action::Triage {
            category: a.category.clone(),
        },
        "assign" | "route" => Action::Assign {
            to: a.to.clone().ok_or_else(|| {
                fail(
                    exit::USAGE,
                    tr!(lang, "assign cần --to TÀI_KHOẢN", "assign needs --to LOGIN"),
                )
            })?,
        },
        "advance" | "step" => Action::Step {
            step: a.step.clone(),
            kind: None,
        },
        "verify" => Action::Step {
            step: a.step.clone(),
            kind: Some(StepKind::Verify),
        },
        "approve" => Action::Step {
            step: a.step.clone(),
            kind: Some(StepKind::Approve),
        },
        "return" => Action::Return { reasons, note },
        "resubmit" => Action::Resubmit,
        "reject" => Action::Reject { reasons, note },
        "escalate" => Action::Escalate { note },
        "opinion" => Action::Opinion {
            opinion: match a.opinion.as_deref() {
                Some("agree") | Some("dong-y") | Some("đồng-ý") => Opinion::Agree,
                Some("disagree") | Some("khong-dong-y") => Opinion::Disagree,
                _ => {
                    return Err(fail(
                        exit::USAGE,
                        tr!(
                            lang,
                            "opinion cần --opinion agree hoặc disagree",
                            "opinion needs --opinion agree or disagree"
                        ),
                    ))
                }
            },
            note,
        },
        "publish" => Action::Publish,
        "withdraw" => Action::Withdraw { reasons, note },
        other => {
            let _ = p;
            return Err(fail(
                exit::USAGE,
                tr!(
                    lang,
                    "không có thao tác \"{other}\"; các thao tác: triage, assign, advance, verify, approve, return, resubmit, reject, escalate, opinion, publish, withdraw",
                    "no action \"{other}\"; actions: triage, assign, advance, verify, approve, return, resubmit, reject, escalate, opinion, publish, withdraw"
                ),
            ));
        }
    })
}

fn decide(g: &Global, a: &super::DecideArgs, lang: Lang) -> R<()> {
    let mut store = open(g, lang)?;
    let p = store.profile().clone();
    let ctx = ctx_for(g, lang)?;
    let action = action_from(a, &p, lang)?;
    let note = clean(&a.note);
    let out = store
        .decide(&ctx, a.id, a.version, &action, &note)
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    if g.json {
        return print_json(&out);
    }
    println!(
        "#{}: {} → {} (v{})",
        out.id,
        out.from.label(lang),
        out.to.label(lang),
        out.version
    );
    print_rechecked(&out.rechecked, lang);
    Ok(())
}

/// The items whose duplicate check a decision or an edit ran again with a different result.
fn print_rechecked(ids: &[i64], lang: Lang) {
    if ids.is_empty() {
        return;
    }
    let list = ids
        .iter()
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "{}",
        tr!(
            lang,
            "Kết quả kiểm tra trùng lặp đã thay đổi: {list}",
            "Duplicate check result changed: {list}"
        )
    );
}

fn edit(g: &Global, a: &super::EditArgs, lang: Lang) -> R<()> {
    let mut store = open(g, lang)?;
    let p = store.profile().clone();
    let ctx = ctx_for(g, lang)?;
    let sf = |e| store_fail(e, lang, Some(&p));
    let item = store.item(a.id).map_err(sf)?;
    let mut c = item.content();
    if let Some(t) = &a.title {
        c.title = clean(t);
    }
    if let Some(l) = &a.lead {
        c.lead = clean(l);
    }
    if let Some(f) = &a.body_file {
        c.body = read_body(f, lang)?;
    }
    if let Some(s) = &a.source {
        c.attribution.kind = SourceKind::parse(s).ok_or_else(|| {
            fail(
                exit::USAGE,
                tr!(
                    lang,
                    "--source: original | quoted",
                    "--source: original | quoted"
                ),
            )
        })?;
    }
    if let Some(v) = &a.author {
        c.attribution.author = clean(v);
    }
    if let Some(v) = &a.source_name {
        c.attribution.source_name = clean(v);
    }
    if let Some(v) = &a.source_url {
        c.attribution.source_url = clean(v);
    }
    if let Some(v) = &a.source_date {
        c.attribution.source_date = Some(parse_date(v, lang)?);
    }
    let out = store
        .edit(&ctx, a.id, a.version, &c, &clean(&a.note))
        .map_err(sf)?;
    if g.json {
        return print_json(&out);
    }
    println!("#{}: v{} → v{}", out.id, a.version, out.version);
    print_rechecked(&out.rechecked, lang);
    Ok(())
}

fn confirm(g: &Global, a: &super::ConfirmArgs, lang: Lang) -> R<()> {
    let mut store = open(g, lang)?;
    let p = store.profile().clone();
    let ctx = ctx_for(g, lang)?;
    let how = ContactMethod::parse(&a.how).ok_or_else(|| {
        fail(
            exit::USAGE,
            tr!(
                lang,
                "--how: phone, email, in-person hoặc document",
                "--how: phone, email, in-person or document"
            ),
        )
    })?;
    store
        .confirm(&ctx, a.id, &a.what, how, &clean(&a.note))
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    println!(
        "{}",
        tr!(
            lang,
            "Đã ghi nhận xác minh cho tin bài {}.",
            "Recorded the confirmation for item {}.",
            a.id
        )
    );
    Ok(())
}

fn submitter(g: &Global, a: &super::SubmitterArgs, lang: Lang) -> R<()> {
    let mut store = open(g, lang)?;
    let p = store.profile().clone();
    let ctx = ctx_for(g, lang)?;
    let changes: Vec<(&str, String)> = [
        ("name", &a.name),
        ("title", &a.title),
        ("organisation", &a.org),
        ("email", &a.email),
        ("phone", &a.phone),
        ("address", &a.address),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().map(|v| (k, crate::text_input_line(v))))
    .collect();
    if changes.is_empty() {
        return Err(fail(
            exit::USAGE,
            tr!(
                lang,
                "cho ít nhất một trong --name, --title, --org, --email, --phone, --address",
                "give at least one of --name, --title, --org, --email, --phone, --address"
            ),
        ));
    }
    let u = store
        .set_submitter(&ctx, a.id, &changes, &clean(&a.note))
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    if u.changed.is_empty() {
        if g.json {
            return print_json(&serde_json::json!({ "id": a.id, "unchanged": true }));
        }
        println!(
            "{}",
            tr!(
                lang,
                "Thông tin người gửi tin bài {} không thay đổi.",
                "The submitter of item {} is unchanged.",
                a.id
            )
        );
        return Ok(());
    }
    let verdict = if u.status == crate::domain::checks::PASS {
        tr!(lang, "đủ", "complete").to_string()
    } else {
        tr!(lang, "còn {}", "still {}", u.detail)
    };
    if g.json {
        println!(
            "{}",
            serde_json::json!({ "id": a.id, "identity": u.status, "detail": u.detail })
        );
    } else {
        println!(
            "{}",
            tr!(
                lang,
                "Đã cập nhật người gửi tin bài {}: {}; thông tin người gửi {}.",
                "Updated the submitter of item {}: {}; submitter details {}.",
                a.id,
                u.submitter.display(),
                verdict
            )
        );
    }
    Ok(())
}

fn note(g: &Global, id: i64, text: &str, lang: Lang) -> R<()> {
    let mut store = open(g, lang)?;
    let p = store.profile().clone();
    let ctx = ctx_for(g, lang)?;
    store
        .add_note(&ctx, id, &clean(text))
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    println!("{}", tr!(lang, "Đã ghi chú.", "Note added."));
    Ok(())
}

fn diff(g: &Global, id: i64, a: Option<i64>, b: Option<i64>, lang: Lang) -> R<()> {
    let store = open(g, lang)?;
    let p = store.profile().clone();
    let revs = store
        .revisions(id)
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    if revs.is_empty() {
        return Err(store_fail(StoreError::NotFound(id), lang, Some(&p)));
    }
    let newest = revs.last().map(|r| r.version).unwrap_or(1);
    let bv = b.unwrap_or(newest);
    let av = a.unwrap_or_else(|| {
        revs.iter()
            .rev()
            .map(|r| r.version)
            .find(|v| *v < bv)
            .unwrap_or(bv)
    });
    let find = |v: i64| {
        revs.iter().find(|r| r.version == v).ok_or_else(|| {
            let have: Vec<String> = revs.iter().map(|r| r.version.to_string()).collect();
            fail(
                exit::NOT_FOUND,
                tr!(
                    lang,
                    "không có bản v{v}; các bản: {}",
                    "no revision v{v}; revisions: {}",
                    have.join(", ")
                ),
            )
        })
    };
    let (ra, rb) = (find(av)?, find(bv)?);
    let text = |r: &crate::store::Revision| {
        format!(
            "{}\n\n{}\n\n{}\n\n[{}: {} {} {} {}]",
            r.content.title,
            r.content.lead,
            r.content.body,
            r.content.attribution.kind.as_str(),
            r.content.attribution.author,
            r.content.attribution.source_name,
            r.content.attribution.source_url,
            r.content
                .attribution
                .source_date
                .map(|d| d.to_string())
                .unwrap_or_default()
        )
    };
    let d = crate::domain::diff::diff_lines(&text(ra), &text(rb));
    if g.json {
        return print_json(&d);
    }
    println!("--- v{av}\n+++ v{bv}");
    for l in d {
        println!("{}", safe(&l.to_string()));
    }
    Ok(())
}

fn search(g: &Global, q: &str, limit: usize, lang: Lang) -> R<()> {
    let store = open(g, lang)?;
    let p = store.profile().clone();
    let rows = store
        .search(&clean(q), limit)
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    if g.json {
        return print_json(&rows);
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.state.label(lang).to_string(),
                r.category.clone(),
                r.title.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "#",
                lang.pick("trạng thái", "state"),
                lang.pick("chuyên mục", "category"),
                lang.pick("tiêu đề", "title")
            ],
            &table_rows,
            &[0, 14, 16, 0]
        )
    );
    eprintln!("{}", tr!(lang, "{} kết quả", "{} results", rows.len()));
    Ok(())
}

fn audit(cmd: AuditCmd, g: &Global, lang: Lang) -> R<()> {
    let store = open(g, lang)?;
    let p = store.profile().clone();
    let sf = |e| store_fail(e, lang, Some(&p));
    match cmd {
        AuditCmd::Verify => {
            let r = store.audit_verify().map_err(sf)?;
            if g.json {
                print_json(&r)?;
            }
            match &r.fault {
                None => {
                    if !g.json {
                        println!(
                            "{}",
                            tr!(
                                lang,
                                "Nhật ký toàn vẹn: {} dòng, mã băm cuối {}",
                                "Audit log intact: {} rows, head hash {}",
                                r.rows,
                                r.head
                            )
                        );
                    }
                    Ok(())
                }
                Some((seq, what)) => Err(fail(
                    exit::CHECK_FAILED,
                    tr!(
                        lang,
                        "nhật ký đã bị sửa: dòng {seq} hỏng đầu tiên ({what})",
                        "the audit log was tampered with: first bad row {seq} ({what})"
                    ),
                )),
            }
        }
        AuditCmd::Log { id, limit } => {
            let log = store.audit_log(id, limit).map_err(sf)?;
            if g.json {
                return print_json(&log);
            }
            for e in &log {
                let r = &e.record;
                let who = if r.os_login != r.actor {
                    format!("{} ({} --as)", r.actor, r.os_login)
                } else {
                    r.actor.clone()
                };
                println!(
                    "{:>6} {} {} {} {} {}→{} {} {}",
                    r.seq,
                    local(&r.at),
                    who,
                    r.item_id
                        .map(|i| format!("#{i}"))
                        .unwrap_or_else(|| "-".into()),
                    r.action,
                    r.from_state.as_deref().unwrap_or("-"),
                    r.to_state.as_deref().unwrap_or("-"),
                    r.reasons.join(","),
                    safe(&r.note)
                );
            }
            Ok(())
        }
    }
}

fn deadline_cmd(g: &Global, a: &super::DeadlineArgs, lang: Lang) -> R<()> {
    let mut store = open(g, lang)?;
    let p = store.profile().clone();
    let ctx = ctx_for(g, lang)?;
    let anchor = if a.clear_anchor {
        Some(None)
    } else {
        match &a.anchor {
            Some(s) => Some(Some(parse_local_time(s, lang)?)),
            None => None,
        }
    };
    let rule = if a.clear_rule {
        Some(None)
    } else {
        a.rule.clone().map(Some)
    };
    let extended = if a.extended {
        Some(true)
    } else if a.not_extended {
        Some(false)
    } else {
        None
    };
    let out = store
        .set_deadline(
            &ctx,
            a.id,
            a.version,
            anchor,
            rule,
            extended,
            &clean(&a.note),
        )
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    let item = store
        .item(a.id)
        .map_err(|e| store_fail(e, lang, Some(&p)))?;
    if g.json {
        return print_json(&serde_json::json!({
            "id": out.id, "version": out.version,
            "due": crate::due::due_json(&p, item.due_at.as_deref(), Utc::now()),
        }));
    }
    println!(
        "#{} v{}: {} {}",
        out.id,
        out.version,
        lang.pick("hạn mới", "new due time"),
        crate::due::due_text(&p, item.due_at.as_deref(), Utc::now(), lang)
    );
    Ok(())
}

fn bench_cmd(g: &Global, a: &super::BenchArgs, lang: Lang) -> R<()> {
    let cache = a.cache.clone().unwrap_or_else(|| {
        directories::ProjectDirs::from("vn", "bientap", "bientap")
            .map(|d| d.cache_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from("bench-cache"))
    });
    let opts = crate::bench::Options {
        items: a.items,
        seed: a.seed,
        profile: a.profile.clone(),
        cache,
        only: a.only.clone(),
        queries: a.queries.max(1),
    };
    let mut log = |m: &str| eprintln!("bench: {m}");
    let figures = crate::bench::run(&opts, lang, &mut log).map_err(|m| fail(exit::FAILURE, m))?;
    if g.json {
        return print_json(&serde_json::json!({
            "items": a.items,
            "seed": a.seed,
            "profile": a.profile,
            "machine": crate::bench::machine(),
            "figures": figures,
        }));
    }
    print!("{}", crate::bench::table(&figures, lang));
    Ok(())
}
