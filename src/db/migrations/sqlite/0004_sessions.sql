-- The sessions' table, as tower-sessions' SQLite store makes it (a database from before this version has it made
-- by the store already): made here, with the rest of the schema, rather than by the store as it opens.
CREATE TABLE IF NOT EXISTS sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);
