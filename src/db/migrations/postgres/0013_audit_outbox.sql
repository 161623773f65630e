-- The audit log's outbox for CONSOLE_AUDIT_SINK: each event still to send, by its place in the audit log (`seq`, the
-- event's own), written in the same transaction as the event and removed once the sink has taken it. `queued` is
-- milliseconds since 1970 by the database's clock (the lag is the age of the oldest row).
CREATE TABLE audit_outbox (
    seq      BIGINT PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    queued   BIGINT NOT NULL
);
-- Who sends the outbox (one process at a time, until its lease lapses) and how sending goes.
CREATE TABLE audit_sink (
    id             INTEGER PRIMARY KEY,
    owner          TEXT,
    lease_until    BIGINT NOT NULL DEFAULT 0,
    delivered      BIGINT NOT NULL DEFAULT 0,
    last_delivered BIGINT,
    failing_since  BIGINT,
    last_error     TEXT
);
INSERT INTO audit_sink (id) VALUES (1);
