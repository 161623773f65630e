-- The directory index with an explicit order column (`seq`: BI's listing order, as rows were first read) instead of
-- SQLite's row id, and a refresh that marks the rows it saw in the row itself (`stamp`) instead of in a temporary
-- table. The index is a copy of what BI holds, rebuilt from BI's pages: its tables are made anew here and each
-- realm is read again from BI on its next view.
DROP TRIGGER IF EXISTS ix_count_in;
DROP TRIGGER IF EXISTS ix_count_out;
DROP TRIGGER IF EXISTS ix_count_moved;
DROP TRIGGER IF EXISTS ix_identities_in;
DROP TRIGGER IF EXISTS ix_identities_out;
DROP TRIGGER IF EXISTS ix_identities_text;
DROP TABLE IF EXISTS ix_identities_fts;
DROP TABLE IF EXISTS ix_identities;
DROP TABLE IF EXISTS ix_groups;
DROP TABLE IF EXISTS ix_counts;
DROP TABLE IF EXISTS ix_realms;

-- A realm's state in the index: when it was last read whole, how far a refresh is, and the refresh generation
-- (rows the console writes while a refresh runs carry it in `stamp` and are kept).
CREATE TABLE ix_realms (
    realm_id   TEXT PRIMARY KEY,
    indexed_at TEXT,
    done       INTEGER NOT NULL DEFAULT 0,
    total      INTEGER NOT NULL DEFAULT 0,
    gen        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ix_identities (
    seq          INTEGER PRIMARY KEY,
    realm_id     TEXT NOT NULL,
    id           TEXT NOT NULL,
    username     TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email        TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    given_name   TEXT NOT NULL DEFAULT '',
    family_name  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    enrollment   TEXT NOT NULL,
    create_time  TEXT NOT NULL,
    update_time  TEXT NOT NULL,
    -- username, name, email and external id, accent-folded and in lower case: what a search matches.
    folded       TEXT NOT NULL,
    stamp        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (realm_id, id)
);
CREATE INDEX ix_identities_sort ON ix_identities (realm_id, username);
-- A realm's rows in BI's listing order (`seq` follows `realm_id` in every index): the unsorted page.
CREATE INDEX ix_identities_realm ON ix_identities (realm_id);
CREATE INDEX ix_identities_username ON ix_identities (realm_id, username COLLATE NOCASE);
CREATE INDEX ix_identities_created ON ix_identities (realm_id, create_time);
CREATE INDEX ix_identities_updated ON ix_identities (realm_id, update_time);
CREATE INDEX ix_identities_name ON ix_identities (realm_id, display_name);
CREATE INDEX ix_identities_email ON ix_identities (realm_id, email);
CREATE INDEX ix_identities_state ON ix_identities (realm_id, enrollment, status);
-- The rows a refresh has not seen (yet): what it removes at its end.
CREATE INDEX ix_identities_stamp ON ix_identities (realm_id, stamp);

-- Counts per (status, enrollment), kept by triggers: totals and the Enrollment Summary read a few rows.
CREATE TABLE ix_counts (
    realm_id   TEXT NOT NULL,
    status     TEXT NOT NULL,
    enrollment TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (realm_id, status, enrollment)
) WITHOUT ROWID;
CREATE TRIGGER ix_count_in AFTER INSERT ON ix_identities BEGIN
    INSERT INTO ix_counts (realm_id, status, enrollment, n) VALUES (NEW.realm_id, NEW.status, NEW.enrollment, 1)
    ON CONFLICT (realm_id, status, enrollment) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER ix_count_out AFTER DELETE ON ix_identities BEGIN
    UPDATE ix_counts SET n = n - 1 WHERE realm_id = OLD.realm_id AND status = OLD.status AND enrollment = OLD.enrollment;
END;
CREATE TRIGGER ix_count_moved AFTER UPDATE OF status, enrollment ON ix_identities BEGIN
    UPDATE ix_counts SET n = n - 1 WHERE realm_id = OLD.realm_id AND status = OLD.status AND enrollment = OLD.enrollment;
    INSERT INTO ix_counts (realm_id, status, enrollment, n) VALUES (NEW.realm_id, NEW.status, NEW.enrollment, 1)
    ON CONFLICT (realm_id, status, enrollment) DO UPDATE SET n = n + 1;
END;

-- Any substring of three characters or more of `folded`, through SQLite's trigram tokenizer.
CREATE VIRTUAL TABLE ix_identities_fts USING fts5(
    folded, content = 'ix_identities', content_rowid = 'seq', tokenize = 'trigram'
);
CREATE TRIGGER ix_identities_in AFTER INSERT ON ix_identities BEGIN
    INSERT INTO ix_identities_fts (rowid, folded) VALUES (NEW.seq, NEW.folded);
END;
CREATE TRIGGER ix_identities_out AFTER DELETE ON ix_identities BEGIN
    INSERT INTO ix_identities_fts (ix_identities_fts, rowid, folded) VALUES ('delete', OLD.seq, OLD.folded);
END;
CREATE TRIGGER ix_identities_text AFTER UPDATE OF folded ON ix_identities BEGIN
    INSERT INTO ix_identities_fts (ix_identities_fts, rowid, folded) VALUES ('delete', OLD.seq, OLD.folded);
    INSERT INTO ix_identities_fts (rowid, folded) VALUES (NEW.seq, NEW.folded);
END;

CREATE TABLE ix_groups (
    seq          INTEGER PRIMARY KEY,
    realm_id     TEXT NOT NULL,
    id           TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT NOT NULL,
    members      INTEGER,
    create_time  TEXT NOT NULL,
    update_time  TEXT NOT NULL,
    folded       TEXT NOT NULL,
    stamp        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (realm_id, id)
);
CREATE INDEX ix_groups_name ON ix_groups (realm_id, display_name);
