-- Passkeys: authenticator configurations, credential binding jobs (invitations) and their batches, credentials,
-- the outbox of emails the sandbox "sent", and each identity's enrollment status kept by BI's rule by triggers.
CREATE TABLE IF NOT EXISTS authenticator_configs (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    realm_id     TEXT NOT NULL,
    display_name TEXT NOT NULL,
    config       TEXT NOT NULL,
    create_time  TEXT NOT NULL,
    update_time  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS authenticator_configs_by_realm ON authenticator_configs (realm_id, seq);
CREATE TABLE IF NOT EXISTS batch_jobs (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    realm_id     TEXT NOT NULL,
    identity_ids TEXT NOT NULL,
    job_template TEXT NOT NULL,
    state        TEXT NOT NULL,
    errors       TEXT NOT NULL DEFAULT '{}',
    done         INTEGER NOT NULL DEFAULT 0,
    create_time  TEXT NOT NULL,
    update_time  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batch_jobs_by_realm ON batch_jobs (realm_id, state);
CREATE TABLE IF NOT EXISTS credential_binding_jobs (
    seq                       INTEGER PRIMARY KEY AUTOINCREMENT,
    id                        TEXT NOT NULL UNIQUE,
    realm_id                  TEXT NOT NULL,
    identity_id               TEXT NOT NULL,
    delivery_method           TEXT NOT NULL,
    state                     TEXT NOT NULL,
    post_binding_redirect_uri TEXT,
    authenticator_config_id   TEXT NOT NULL,
    credential_id             TEXT,
    batch_id                  TEXT,
    link_token                TEXT NOT NULL UNIQUE,
    expire_time               TEXT NOT NULL,
    create_time               TEXT NOT NULL,
    update_time               TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_identity ON credential_binding_jobs (identity_id, seq);
CREATE INDEX IF NOT EXISTS jobs_by_realm ON credential_binding_jobs (realm_id, seq);
CREATE INDEX IF NOT EXISTS jobs_by_batch ON credential_binding_jobs (batch_id, seq);
CREATE INDEX IF NOT EXISTS jobs_open ON credential_binding_jobs (expire_time)
    WHERE state IN ('LINK_SENT', 'LINK_OPENED', 'REQUEST_DELIVERED');
CREATE TABLE IF NOT EXISTS credentials (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    realm_id       TEXT NOT NULL,
    identity_id    TEXT NOT NULL,
    state          TEXT NOT NULL,
    csr_type       TEXT NOT NULL,
    jwk_json       TEXT NOT NULL,
    jwk_thumbprint TEXT NOT NULL,
    create_time    TEXT NOT NULL,
    update_time    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS credentials_by_identity ON credentials (identity_id, seq);
CREATE INDEX IF NOT EXISTS credentials_by_realm ON credentials (realm_id, seq);
CREATE TABLE IF NOT EXISTS outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    realm_id    TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    job_id      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    link        TEXT NOT NULL,
    create_time TEXT NOT NULL
);

-- BI's rule: ENROLLED with an active credential; else PENDING with an open job; else INVITE_FAILED with a job
-- that failed to send; else UNENROLLED. The view says it once; the triggers apply it to the identity whose
-- credential or job changed.
CREATE VIEW IF NOT EXISTS enrollment_by_rule AS
    SELECT i.id AS identity_id,
           CASE WHEN EXISTS (SELECT 1 FROM credentials c WHERE c.identity_id = i.id AND c.state = 'ACTIVE') THEN 'ENROLLED'
                WHEN EXISTS (SELECT 1 FROM credential_binding_jobs j WHERE j.identity_id = i.id
                             AND j.state IN ('LINK_SENT', 'LINK_OPENED', 'REQUEST_DELIVERED')) THEN 'PENDING'
                WHEN EXISTS (SELECT 1 FROM credential_binding_jobs j WHERE j.identity_id = i.id
                             AND j.state = 'FAILED_TO_SEND') THEN 'INVITE_FAILED'
                ELSE 'UNENROLLED' END AS status
    FROM identities i;
CREATE TRIGGER IF NOT EXISTS enrollment_credential_in AFTER INSERT ON credentials BEGIN
    UPDATE identities SET enrollment_status = (SELECT status FROM enrollment_by_rule WHERE identity_id = NEW.identity_id)
    WHERE id = NEW.identity_id;
END;
CREATE TRIGGER IF NOT EXISTS enrollment_credential_change AFTER UPDATE OF state ON credentials BEGIN
    UPDATE identities SET enrollment_status = (SELECT status FROM enrollment_by_rule WHERE identity_id = NEW.identity_id)
    WHERE id = NEW.identity_id;
END;
CREATE TRIGGER IF NOT EXISTS enrollment_job_in AFTER INSERT ON credential_binding_jobs BEGIN
    UPDATE identities SET enrollment_status = (SELECT status FROM enrollment_by_rule WHERE identity_id = NEW.identity_id)
    WHERE id = NEW.identity_id;
END;
CREATE TRIGGER IF NOT EXISTS enrollment_job_change AFTER UPDATE OF state ON credential_binding_jobs BEGIN
    UPDATE identities SET enrollment_status = (SELECT status FROM enrollment_by_rule WHERE identity_id = NEW.identity_id)
    WHERE id = NEW.identity_id;
END;
-- An identity's passkeys and invitations go with it.
CREATE TRIGGER IF NOT EXISTS passkeys_of_deleted_identity AFTER DELETE ON identities BEGIN
    DELETE FROM credentials WHERE identity_id = OLD.id;
    DELETE FROM credential_binding_jobs WHERE identity_id = OLD.id;
END;

-- Identities stored before passkeys existed keep the status they had, now backed by what BI's rule needs: an
-- active credential for ENROLLED, an open emailed invitation for PENDING, a failed one for INVITE_FAILED.
INSERT INTO authenticator_configs (id, realm_id, display_name, config, create_time, update_time)
    SELECT lower(hex(randomblob(8))), r.id, 'Hosted Web passkeys',
           '{"type":"hosted_web","authentication_methods":[{"type":"webauthn_passkey"},{"type":"software_passkey"}],"trusted_origins":[]}',
           r.create_time, r.create_time
    FROM realms r
    WHERE NOT EXISTS (SELECT 1 FROM authenticator_configs a WHERE a.realm_id = r.id);
INSERT INTO credentials (id, realm_id, identity_id, state, csr_type, jwk_json, jwk_thumbprint, create_time, update_time)
    SELECT lower(hex(randomblob(8))), i.realm_id, i.id, 'ACTIVE', 'WEBAUTHN',
           '{"kty":"EC","crv":"P-256"}', lower(hex(randomblob(16))), i.create_time, i.create_time
    FROM identities i WHERE i.enrollment_status = 'ENROLLED';
INSERT INTO credential_binding_jobs (id, realm_id, identity_id, delivery_method, state, authenticator_config_id,
                                     link_token, expire_time, create_time, update_time)
    SELECT lower(hex(randomblob(8))), i.realm_id, i.id, 'EMAIL',
           CASE i.enrollment_status WHEN 'PENDING' THEN 'LINK_SENT' ELSE 'FAILED_TO_SEND' END,
           (SELECT a.id FROM authenticator_configs a WHERE a.realm_id = i.realm_id ORDER BY a.seq LIMIT 1),
           lower(hex(randomblob(16))), '2999-12-31T00:00:00.000Z', i.create_time, i.create_time
    FROM identities i WHERE i.enrollment_status IN ('PENDING', 'INVITE_FAILED');
UPDATE identities SET enrollment_status = 'UNENROLLED'
    WHERE enrollment_status IS NULL OR enrollment_status NOT IN ('ENROLLED', 'PENDING', 'INVITE_FAILED');
