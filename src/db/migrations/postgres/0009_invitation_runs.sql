-- Invitation runs (see `invitation_runs`): each run as JSON with what is still to be handed to BI, whose username
-- started it and whether it is still going (for the bounds on runs at once). `created`: milliseconds since 1970 by
-- the database's clock; runs handed over are forgotten a day after they started.
CREATE TABLE invitation_runs (
    id       TEXT PRIMARY KEY,
    realm    TEXT NOT NULL,
    operator TEXT NOT NULL,
    going    BIGINT NOT NULL,
    run      TEXT NOT NULL,
    created  BIGINT NOT NULL
);
CREATE INDEX invitation_runs_going ON invitation_runs (going, realm);
