//! The audit log is a hash chain: altering, deleting or inserting rows with plain SQL is caught,
//! and the first bad row is named.

mod common;

use bientap::domain::workflow::Action;
use common::*;
use rusqlite::Connection;

fn board_with_history() -> Board {
    let mut b = board(
        "stp-binh-phuoc",
        &[("thuky", "thu-ky"), ("tv1", "thanh-vien")],
    );
    for i in 0..5 {
        let id = b
            .store
            .add_item(&ctx("thuky"), &new_item(&format!("Tin số {i}"), ""))
            .expect("add");
        let cat = b.profile.categories[0].code.clone();
        b.store
            .decide(
                &ctx("thuky"),
                id,
                None,
                &Action::Triage {
                    category: Some(cat),
                },
                "",
            )
            .expect("triage");
    }
    b
}

fn raw(b: &Board) -> Connection {
    Connection::open(&b.path).expect("open raw")
}

#[test]
fn intact_chain_verifies_and_head_is_last_hash() {
    let b = board_with_history();
    let r = b.store.audit_verify().expect("verify");
    assert!(r.fault.is_none(), "{:?}", r.fault);
    // users (2) + 5 adds + 5 triages
    assert_eq!(r.rows, 12);
    assert_eq!(r.head, b.store.audit_head().expect("head"));
}

#[test]
fn the_log_refuses_update_and_delete_through_sql() {
    let b = board_with_history();
    let c = raw(&b);
    assert!(c
        .execute("UPDATE audit SET note = 'x' WHERE seq = 3", [])
        .is_err());
    assert!(c.execute("DELETE FROM audit WHERE seq = 3", []).is_err());
}

#[test]
fn altered_row_is_named() {
    let b = board_with_history();
    let c = raw(&b);
    c.execute_batch("DROP TRIGGER audit_no_update")
        .expect("drop trigger");
    c.execute("UPDATE audit SET actor = 'ke-gian' WHERE seq = 6", [])
        .expect("tamper");
    let r = b.store.audit_verify().expect("verify");
    let (seq, what) = r.fault.expect("fault found");
    assert_eq!(seq, 6);
    assert_eq!(what, "altered");
}

#[test]
fn altered_reasons_are_caught() {
    let b = board_with_history();
    let c = raw(&b);
    c.execute_batch("DROP TRIGGER audit_no_update")
        .expect("drop trigger");
    c.execute(
        "UPDATE audit SET reasons = '[\"12.3.a\"]' WHERE seq = 4",
        [],
    )
    .expect("tamper");
    assert_eq!(
        b.store.audit_verify().expect("verify").fault.map(|f| f.0),
        Some(4)
    );
}

#[test]
fn deleted_row_is_named() {
    let b = board_with_history();
    let c = raw(&b);
    c.execute_batch("DROP TRIGGER audit_no_delete")
        .expect("drop trigger");
    c.execute("DELETE FROM audit WHERE seq = 7", [])
        .expect("tamper");
    let (seq, what) = b
        .store
        .audit_verify()
        .expect("verify")
        .fault
        .expect("fault");
    assert_eq!(seq, 7);
    assert!(what.starts_with("gap"), "{what}");
}

#[test]
fn deleted_last_rows_are_a_shorter_chain_whose_head_changes() {
    // Truncation keeps a valid prefix: it is detected against the head hash an export carried.
    let b = board_with_history();
    let head_before = b.store.audit_head().expect("head");
    let c = raw(&b);
    c.execute_batch("DROP TRIGGER audit_no_delete")
        .expect("drop trigger");
    c.execute("DELETE FROM audit WHERE seq = 12", [])
        .expect("tamper");
    let r = b.store.audit_verify().expect("verify");
    assert!(r.fault.is_none());
    assert_ne!(r.head, head_before);
}

#[test]
fn inserted_row_is_named() {
    let b = board_with_history();
    let c = raw(&b);
    c.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete")
        .expect("drop triggers");
    // Make room at seq 5 by shifting later rows, then forge a row there copying its neighbour's hashes.
    c.execute_batch(
        "UPDATE audit SET seq = seq + 100 WHERE seq >= 5;
         UPDATE audit SET seq = seq - 99 WHERE seq >= 105;",
    )
    .expect("shift");
    c.execute(
        "INSERT INTO audit(seq, prev_hash, hash, actor, os_login, at, item_id, action, reasons, note)
         SELECT 5, prev_hash, hash, 'ke-gian', 'ke-gian', at, item_id, 'approve', '[]', '' FROM audit WHERE seq = 6",
        [],
    )
    .expect("insert forged");
    let (seq, _) = b
        .store
        .audit_verify()
        .expect("verify")
        .fault
        .expect("fault");
    assert_eq!(seq, 5);
}

#[test]
fn cli_audit_verify_exits_nonzero_naming_the_row() {
    let b = board_with_history();
    let c = raw(&b);
    c.execute_batch("DROP TRIGGER audit_no_update")
        .expect("drop trigger");
    c.execute("UPDATE audit SET note = 'sửa' WHERE seq = 9", [])
        .expect("tamper");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bientap"))
        .args(["--lang", "en", "--db"])
        .arg(&b.path)
        .args(["audit", "verify"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(bientap::cli::exit::CHECK_FAILED));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("first bad row 9"), "{err}");
}
