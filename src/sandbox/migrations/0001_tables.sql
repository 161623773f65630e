-- The sandbox's tables: realms, identities, groups and their members, and a key/value table for the tenant id.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS realms (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    classification TEXT,
    create_time    TEXT NOT NULL,
    update_time    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    realm_id          TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    status            TEXT NOT NULL,
    enrollment_status TEXT,
    username_key      TEXT NOT NULL,
    traits            TEXT NOT NULL,
    create_time       TEXT NOT NULL,
    update_time       TEXT NOT NULL,
    UNIQUE (realm_id, username_key)
);
CREATE INDEX IF NOT EXISTS identities_by_realm ON identities (realm_id, seq);
CREATE TABLE IF NOT EXISTS bi_groups (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    realm_id     TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT,
    create_time  TEXT NOT NULL,
    update_time  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS groups_by_realm ON bi_groups (realm_id, seq);
CREATE TABLE IF NOT EXISTS members (
    group_seq    INTEGER NOT NULL,
    identity_seq INTEGER NOT NULL,
    PRIMARY KEY (group_seq, identity_seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_identity ON members (identity_seq, group_seq);
