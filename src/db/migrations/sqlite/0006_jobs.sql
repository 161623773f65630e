-- Background jobs, done once whichever process does them (see `jobs`): one row per (kind, subject), claimed with a
-- lease, its attempts and last error kept. Times are milliseconds since 1970 by the database's clock.
CREATE TABLE jobs (
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    state       TEXT NOT NULL,
    owner       TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    run_after   INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX jobs_ready ON jobs (state, run_after, created);
-- Imports applying when this version came: their jobs, so whichever process starts next carries them on.
INSERT INTO jobs (kind, subject, state, created, updated)
    SELECT 'import.apply', id, 'queued', 0, 0 FROM imports WHERE state IN ('applying', 'cancelling');
