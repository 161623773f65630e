-- The sandbox as BI's identity provider: the realm's OIDC applications (their client secret kept as a SHA-256
-- hash), the RSA key ID tokens are signed with (made at first use and kept), authorization codes (single use, one
-- minute, bound to their redirect URI, nonce and PKCE challenge) and access tokens for `/userinfo` (kept hashed).
CREATE TABLE IF NOT EXISTS oidc_keys (
    kid         TEXT PRIMARY KEY,
    pem         TEXT NOT NULL,
    create_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oidc_applications (
    id                 TEXT PRIMARY KEY,
    realm_id           TEXT NOT NULL,
    display_name       TEXT NOT NULL,
    client_id          TEXT NOT NULL UNIQUE,
    client_secret_hash TEXT NOT NULL,
    redirect_uris      TEXT NOT NULL,
    create_time        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oidc_codes (
    code_hash      TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    identity_id    TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT NOT NULL,
    auth_time      INTEGER NOT NULL,
    expires        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS oidc_tokens (
    token_hash     TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    identity_id    TEXT NOT NULL,
    expires        INTEGER NOT NULL
);
