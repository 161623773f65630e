-- The console's own tables as they were when its database first came under migrations (but the directory index). Every statement is
-- "IF NOT EXISTS": a database made before then (its tables made by each store as it opened, its later columns
-- added by `db::legacy`) adopts this version as it is, rows and all.

-- The audit log: every write made through the console.
CREATE TABLE IF NOT EXISTS audit_events (
    id          TEXT PRIMARY KEY,
    at          TEXT NOT NULL,
    operator    TEXT NOT NULL,
    action      TEXT NOT NULL,
    realm       TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    target_name TEXT NOT NULL,
    detail      TEXT NOT NULL,
    result      TEXT NOT NULL,
    request_id  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events (at, id);
CREATE INDEX IF NOT EXISTS audit_events_target ON audit_events (target_id, at);
-- The identities a membership change touched, so each one's Activity shows it.
CREATE TABLE IF NOT EXISTS audit_subjects (
    subject_id TEXT NOT NULL,
    event_id   TEXT NOT NULL REFERENCES audit_events (id),
    PRIMARY KEY (subject_id, event_id)
);

-- What the console remembers per realm (the invitation's authenticator configuration last used).
CREATE TABLE IF NOT EXISTS realm_preferences (
    realm_id TEXT NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (realm_id, name)
);

-- Imports: the plan and, as the apply job goes, each step's outcome.
CREATE TABLE IF NOT EXISTS imports (
    id                TEXT PRIMARY KEY,
    realm             TEXT NOT NULL,
    operator          TEXT NOT NULL,
    file_name         TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    created           TEXT NOT NULL,
    state             TEXT NOT NULL,
    summary           TEXT NOT NULL,
    started           TEXT,
    ended             TEXT,
    invite            INTEGER NOT NULL DEFAULT 0,
    invitations       TEXT,
    invitations_error TEXT,
    applier           TEXT,
    halted            TEXT
);
CREATE TABLE IF NOT EXISTS import_rows (
    import_id   TEXT NOT NULL,
    line        INTEGER NOT NULL,
    username    TEXT NOT NULL,
    action      TEXT NOT NULL,
    plan        TEXT NOT NULL,
    write       TEXT,
    outcome     TEXT,
    message     TEXT,
    identity_id TEXT,
    PRIMARY KEY (import_id, line)
);
CREATE TABLE IF NOT EXISTS import_groups (
    import_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    group_id  TEXT,
    to_create INTEGER NOT NULL,
    created   TEXT,
    filled    TEXT,
    trimmed   TEXT,
    message   TEXT,
    PRIMARY KEY (import_id, name)
);
CREATE TABLE IF NOT EXISTS import_leaves (
    import_id   TEXT NOT NULL,
    group_name  TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    PRIMARY KEY (import_id, group_name, identity_id)
);
CREATE TABLE IF NOT EXISTS import_suspensions (
    import_id   TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    username    TEXT NOT NULL,
    outcome     TEXT,
    message     TEXT,
    PRIMARY KEY (import_id, identity_id)
);
CREATE TABLE IF NOT EXISTS import_joins (
    import_id  TEXT NOT NULL,
    line       INTEGER NOT NULL,
    group_name TEXT NOT NULL,
    PRIMARY KEY (import_id, group_name, line)
);

-- The directory index is not here: it is a copy of what BI holds, made anew by 0002 whatever an older database
-- had of it.
