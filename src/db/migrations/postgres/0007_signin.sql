-- The sign-in throttle's pair failures where replicas share the database (see `db::signin`): each attempt counted,
-- and the addresses each username signed in from. Times are milliseconds since 1970 by the database's clock.
CREATE TABLE signin_failures (
    user_key TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX signin_failures_pair ON signin_failures (user_key, address);
CREATE INDEX signin_failures_at ON signin_failures (at);
CREATE TABLE signin_known (
    user_key TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (user_key, address)
);
