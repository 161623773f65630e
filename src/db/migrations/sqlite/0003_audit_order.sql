-- The audit log ordered by the database: an explicit sequence (`seq`) given as each entry is written, instead of
-- each process's clock (two processes' clocks need not agree, and one process's clock can step back). Entries kept
-- so far take their sequence in the order of their times. The subjects' table is made anew beside it, as SQLite
-- cannot drop a table another one refers to.
CREATE TABLE audit_events_ordered (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
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
INSERT INTO audit_events_ordered (id, at, operator, action, realm, target_id, target_name, detail, result, request_id)
    SELECT id, at, operator, action, realm, target_id, target_name, detail, result, request_id
    FROM audit_events ORDER BY at, id;
CREATE TABLE audit_subjects_ordered (
    subject_id TEXT NOT NULL,
    event_id   TEXT NOT NULL REFERENCES audit_events_ordered (id),
    PRIMARY KEY (subject_id, event_id)
);
INSERT INTO audit_subjects_ordered (subject_id, event_id) SELECT subject_id, event_id FROM audit_subjects;
DROP TABLE audit_subjects;
DROP TABLE audit_events;
ALTER TABLE audit_events_ordered RENAME TO audit_events;
ALTER TABLE audit_subjects_ordered RENAME TO audit_subjects;
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_target ON audit_events (target_id, seq);
