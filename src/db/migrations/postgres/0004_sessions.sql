-- The sessions' table, as tower-sessions' PostgreSQL store makes it, made here with the rest of the schema: replicas
-- starting together migrate one at a time under the migrator's lock, where the store's own "create if not exists"
-- run by each at once collides.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
