-- Operators kept in the console's database (see `auth::OperatorStore`): made by the first start and by
-- `bi-console add-operator`, read by every replica. `username_key`: the username lowercased (names are unique
-- ignoring case); `realms`: a JSON list, or NULL for every realm. `operator_book.generation` moves with every
-- change, so a replica reads the list again only when it moved.
CREATE TABLE operators (
    username_key  TEXT PRIMARY KEY,
    username      TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    realms        TEXT,
    changed       BIGINT NOT NULL
);
CREATE TABLE operator_book (
    id         INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO operator_book (id, generation) VALUES (1, 0);
-- The sign-in throttle's three rules across replicas (see `db::signin`): a failure counts for its pair until the
-- operator signs in from that address (`cleared`), for the username's slow-down and, when the name is no
-- operator's (`operator` = 0), for the address. `signin_turns`: when a username's next queued attempt may run.
ALTER TABLE signin_failures ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signin_failures ADD COLUMN cleared INTEGER NOT NULL DEFAULT 0;
CREATE INDEX signin_failures_user ON signin_failures (user_key, at);
CREATE INDEX signin_failures_address ON signin_failures (address, at);
CREATE TABLE signin_turns (
    user_key  TEXT PRIMARY KEY,
    next_turn BIGINT NOT NULL
);
