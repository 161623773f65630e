-- Local operators' passkeys (WebAuthn): one row per credential, the passkey as the relying party keeps it (its
-- public key and signature counter, as JSON), named by its operator.
CREATE TABLE operator_passkeys (
    credential_id TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX operator_passkeys_username ON operator_passkeys (username);
