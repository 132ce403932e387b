-- bientap: the one schema. Applied by src/store/migrate.rs, keyed on PRAGMA user_version.
-- Times are RFC 3339 UTC text ("2026-11-22T08:30:00Z"), which sorts as time.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The board: OS logins mapped to a role of the profile and a unit.
CREATE TABLE users (
    login    TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    unit     TEXT NOT NULL DEFAULT '',
    email    TEXT NOT NULL DEFAULT '',
    active   INTEGER NOT NULL DEFAULT 1,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL
) WITHOUT ROWID;

-- "Trưởng Ban hoặc thành viên được ủy quyền": a role holder authorises another member for a step.
CREATE TABLE delegations (
    id        INTEGER PRIMARY KEY,
    from_login TEXT NOT NULL REFERENCES users(login),
    to_login  TEXT NOT NULL REFERENCES users(login),
    step      TEXT NOT NULL,
    since     TEXT NOT NULL,
    until     TEXT,
    revoked_at TEXT
);
CREATE INDEX delegations_to ON delegations(to_login);

CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    version     INTEGER NOT NULL DEFAULT 1,
    state       TEXT NOT NULL CHECK (state IN ('received','triaged','editing','verified','approved',
                    'published','returned','escalated','rejected','withdrawn')),
    step        INTEGER NOT NULL DEFAULT 0,
    category    TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    -- submitter identity (confidential on request: never exported)
    sub_name    TEXT NOT NULL DEFAULT '',
    sub_title   TEXT NOT NULL DEFAULT '',
    sub_org     TEXT NOT NULL DEFAULT '',
    sub_email   TEXT NOT NULL DEFAULT '',
    sub_phone   TEXT NOT NULL DEFAULT '',
    sub_address TEXT NOT NULL DEFAULT '',
    sub_confidential INTEGER NOT NULL DEFAULT 0,
    unit        TEXT NOT NULL DEFAULT '',
    -- source and attribution
    src_kind    TEXT NOT NULL DEFAULT 'original' CHECK (src_kind IN ('original','quoted')),
    src_author  TEXT NOT NULL DEFAULT '',
    src_name    TEXT NOT NULL DEFAULT '',
    src_url     TEXT NOT NULL DEFAULT '',
    src_date    TEXT,
    -- dates the deadline rules count from
    event_at    TEXT,
    issued_at   TEXT,
    received_at TEXT NOT NULL,
    anchor_at   TEXT,             -- secretary's override of the anchor
    rule_override TEXT,           -- secretary's override of the deadline rule
    extended    INTEGER NOT NULL DEFAULT 0,  -- the rule's extended amount applies
    due_at      TEXT,             -- computed due time (NULL: no rule or unknown)
    -- workflow
    sensitive   INTEGER NOT NULL DEFAULT 0,
    opinion     TEXT CHECK (opinion IN ('agree','disagree')),
    escalated_from TEXT,
    assignee    TEXT,
    last_actor  TEXT,
    -- intake
    channel     TEXT NOT NULL DEFAULT 'manual',
    message_id  TEXT,
    content_digest TEXT,
    encoding_from TEXT,           -- legacy encoding the text was converted from, if any
    check_flags TEXT NOT NULL DEFAULT '',   -- failed/flagged checks, compact, for the queue
    dup_score   REAL,             -- best near-duplicate similarity, if any
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    published_at TEXT,
    -- Long text last: SQLite reads a row's columns in order, and a body that spills into
    -- overflow pages would make every column after it cost the walk of its overflow chain.
    lead        TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT ''
);
-- Queue order "soonest due first, items without a due time last" uses these expression indexes:
-- the ORDER BY must be exactly `coalesce(due_at, '9999'), id`.
CREATE INDEX items_state_due ON items(state, coalesce(due_at, '9999'), id);
CREATE INDEX items_due ON items(coalesce(due_at, '9999'), id);
CREATE INDEX items_received ON items(received_at, id);
CREATE INDEX items_state_received ON items(state, received_at, id);
-- "My work": someone's items of a state in due order, and the items at an approval step.
CREATE INDEX items_assignee_due ON items(assignee, state, coalesce(due_at, '9999'), id);
CREATE INDEX items_state_step_due ON items(state, step, coalesce(due_at, '9999'), id);
-- Title order (ASCII case-insensitive, as the queue compares): ORDER BY title COLLATE NOCASE, id.
CREATE INDEX items_state_title ON items(state, title COLLATE NOCASE, id);
-- A category's or a unit's items of a state, in due order (queue filters).
CREATE INDEX items_category ON items(category, state, coalesce(due_at, '9999'), id);
CREATE INDEX items_unit ON items(unit, state, coalesce(due_at, '9999'), id);
CREATE INDEX items_digest ON items(content_digest);
CREATE INDEX items_published ON items(published_at);

-- How many items are in each state, kept by triggers so that the console's tab counts never
-- scan `items` (a GROUP BY over a million rows takes tens of milliseconds).
CREATE TABLE state_counts (
    state TEXT PRIMARY KEY,
    n     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO state_counts(state) VALUES ('received'), ('triaged'), ('editing'), ('verified'),
    ('approved'), ('published'), ('returned'), ('escalated'), ('rejected'), ('withdrawn');
CREATE TRIGGER items_count_insert AFTER INSERT ON items
BEGIN
    UPDATE state_counts SET n = n + 1 WHERE state = NEW.state;
END;
CREATE TRIGGER items_count_delete AFTER DELETE ON items
BEGIN
    UPDATE state_counts SET n = n - 1 WHERE state = OLD.state;
END;
CREATE TRIGGER items_count_state AFTER UPDATE OF state ON items
WHEN OLD.state IS NOT NEW.state
BEGIN
    UPDATE state_counts SET n = n - 1 WHERE state = OLD.state;
    UPDATE state_counts SET n = n + 1 WHERE state = NEW.state;
END;

-- Who edited or verified an item: the four-eyes rule reads this.
CREATE TABLE item_people (
    item_id INTEGER NOT NULL REFERENCES items(id),
    login   TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('edit','verify')),
    PRIMARY KEY (item_id, login, kind)
) WITHOUT ROWID;

-- Four-eyes, enforced by the database too: the final approver (items.last_actor on the
-- approving update) must not have edited or verified the item.
CREATE TRIGGER items_four_eyes BEFORE UPDATE OF state ON items
WHEN NEW.state = 'approved' AND OLD.state <> 'approved'
 AND (NEW.last_actor IS NULL
      OR EXISTS (SELECT 1 FROM item_people WHERE item_id = NEW.id AND login = NEW.last_actor))
BEGIN
    SELECT RAISE(ABORT, 'four-eyes: the final approver edited or verified this item');
END;

-- Every earlier version of the editable content (the current one is in `items`); kept by a
-- trigger so that no code path can change content without keeping what it replaced.
CREATE TABLE revisions (
    item_id    INTEGER NOT NULL REFERENCES items(id),
    version    INTEGER NOT NULL,
    at         TEXT NOT NULL,
    login      TEXT,
    title      TEXT NOT NULL,
    lead       TEXT NOT NULL,
    body       TEXT NOT NULL,
    src_kind   TEXT NOT NULL,
    src_author TEXT NOT NULL,
    src_name   TEXT NOT NULL,
    src_url    TEXT NOT NULL,
    src_date   TEXT,
    PRIMARY KEY (item_id, version)
);

CREATE TRIGGER items_rev_update BEFORE UPDATE OF title, lead, body, src_kind, src_author, src_name,
    src_url, src_date ON items
WHEN OLD.title IS NOT NEW.title OR OLD.lead IS NOT NEW.lead OR OLD.body IS NOT NEW.body
  OR OLD.src_kind IS NOT NEW.src_kind OR OLD.src_author IS NOT NEW.src_author
  OR OLD.src_name IS NOT NEW.src_name OR OLD.src_url IS NOT NEW.src_url
  OR OLD.src_date IS NOT NEW.src_date
BEGIN
    INSERT OR REPLACE INTO revisions VALUES (OLD.id, OLD.version, OLD.updated_at, OLD.last_actor,
        OLD.title, OLD.lead, OLD.body, OLD.src_kind, OLD.src_author, OLD.src_name, OLD.src_url,
        OLD.src_date);
END;

-- Folded text for diacritic-insensitive search (đ→d folded by bientap, the rest by unicode61).
-- detail = none: which rows have a word, no columns or positions (no query names a column or
-- asks for a phrase); the prefix indexes make a short last word typed a prefix lookup.
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, body, submitter,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3', detail = none
);

-- Attachment bytes of up to 256 KiB, content-addressed (larger ones are files under the
-- data directory: blobs/<ab>/<sha256>). See src/store/blobs.rs.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    data   BLOB NOT NULL
);

-- Folded titles alone, for the console's `~s` limit: which items have these words in their
-- title, without walking the body's occurrences of a word (as a column filter on items_fts
-- would). Plain terms only (detail = none): the console checks each row with bt_has_words.
CREATE VIRTUAL TABLE titles_fts USING fts5(
    title,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    detail = none
);

CREATE TABLE attachments (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES items(id),
    sha256   TEXT NOT NULL,
    size     INTEGER NOT NULL,
    name     TEXT NOT NULL,        -- sanitised display name
    ext      TEXT NOT NULL DEFAULT '',
    mime     TEXT NOT NULL DEFAULT '',
    flags    TEXT NOT NULL DEFAULT ''  -- e.g. type-mismatch, archive-bomb, not-allowed
);
CREATE INDEX attachments_item ON attachments(item_id);
CREATE INDEX attachments_sha ON attachments(sha256);

-- Results of the intake checks, each with the article it enforces.
CREATE TABLE checks (
    item_id INTEGER NOT NULL REFERENCES items(id),
    code    TEXT NOT NULL,
    status  TEXT NOT NULL CHECK (status IN ('pass','fail','warn','na')),
    article TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, code)
) WITHOUT ROWID;

-- Checks a person made (source confirmed by phone, email, in person), recorded like decisions.
CREATE TABLE confirmations (
    id      INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    what    TEXT NOT NULL,         -- source | attribution
    how     TEXT NOT NULL,         -- phone | email | in-person | document
    login   TEXT NOT NULL,
    at      TEXT NOT NULL,
    note    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX confirmations_item ON confirmations(item_id);

-- Internal notes between board members (never exported).
CREATE TABLE notes (
    id      INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    login   TEXT NOT NULL,
    at      TEXT NOT NULL,
    text    TEXT NOT NULL
);
CREATE INDEX notes_item ON notes(item_id);

-- Near-duplicate index: MinHash LSH band keys of every item's current text (title, line end,
-- body), written when an item is imported, added or edited (src/store/intake.rs).
CREATE TABLE dup_bands (
    key     INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (key, item_id)
) WITHOUT ROWID;

-- Duplicate candidates found for an item (confirmed by exact Jaccard).
CREATE TABLE dup_matches (
    item_id  INTEGER NOT NULL REFERENCES items(id),
    other_id INTEGER NOT NULL REFERENCES items(id),
    score    REAL NOT NULL,
    exact    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, other_id)
) WITHOUT ROWID;
-- Who names an item as its original: refusing, withdrawing or editing that item runs their
-- duplicate check again.
CREATE INDEX dup_matches_other ON dup_matches(other_id);

-- Who has an item open right now (leases renewed while the screen is open).
CREATE TABLE leases (
    item_id    INTEGER PRIMARY KEY,
    login      TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Imported messages, so that nothing is imported twice.
CREATE TABLE intake_log (
    id         INTEGER PRIMARY KEY,
    message_id TEXT,
    digest     TEXT NOT NULL,
    source     TEXT NOT NULL,
    item_id    INTEGER REFERENCES items(id),
    at         TEXT NOT NULL,
    outcome    TEXT NOT NULL,       -- imported | refused
    reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX intake_log_msgid ON intake_log(message_id);
CREATE INDEX intake_log_digest ON intake_log(digest);

-- Export ledger: one row per run, one per item exported in it.
CREATE TABLE export_runs (
    run_id      TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    dir         TEXT NOT NULL,
    status      TEXT NOT NULL,      -- staged | complete | delivered | failed
    audit_head  TEXT NOT NULL DEFAULT '',
    items       INTEGER NOT NULL DEFAULT 0,
    delivered_at TEXT,
    delivery_log TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE export_items (
    run_id  TEXT NOT NULL REFERENCES export_runs(run_id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    kind    TEXT NOT NULL,          -- usable | canceled | withheld
    version INTEGER NOT NULL,
    PRIMARY KEY (run_id, item_id)
) WITHOUT ROWID;
CREATE INDEX export_items_item ON export_items(item_id);

-- The hash-chained audit log: append-only.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    os_login   TEXT NOT NULL,
    at         TEXT NOT NULL,
    item_id    INTEGER,
    action     TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    reasons    TEXT NOT NULL DEFAULT '[]',
    note       TEXT NOT NULL DEFAULT '',
    version    INTEGER
);
CREATE INDEX audit_item ON audit(item_id, seq);
-- Reports read the transitions of a period by time.
CREATE INDEX audit_at ON audit(at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
