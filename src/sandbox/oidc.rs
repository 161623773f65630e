//! The sandbox as BI's identity provider, so signing in with Beyond Identity runs offline: each OIDC application of a
//! realm is an issuer at `…/auth/v1/tenants/{t}/realms/{r}/applications/{app}` (BI's shape) with discovery, its
//! JWKS (RS256; the key made at first use and kept), `/authorize` (a page standing in for the passkey sign-in: an
//! identity of the realm that is active and holds an active passkey signs in; any other is refused, as BI would),
//! `/token` (authorization code with PKCE S256 only, the client's secret by HTTP Basic or in the form) and
//! `/userinfo`. Every authorization is a fresh authentication (`auth_time` is now), so `prompt=login` and `max_age`
//! are always met.

use axum::extract::{Form, Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;

use super::error::ApiError;
use super::store::{unix_now, OidcApplication};
use super::{Sandbox, Shared, PREFIX};
use crate::model::escape_html;

type Ids = UrlPath<(String, String, String)>;

impl Sandbox {
    /// The issuer of OIDC application `app` of `realm`, as browsers reach the sandbox (its link origin).
    pub fn issuer(&self, realm: &str, app: &str) -> String {
        let origin = self
            .link_origin
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1");
        format!(
            "{origin}{PREFIX}/auth/v1/tenants/{}/realms/{realm}/applications/{app}",
            self.tenant_id()
        )
    }

    /// The application `app` of `realm` in this tenant, or 404.
    async fn application(&self, tenant: &str, realm: &str, app: &str) -> Result<OidcApplication, ApiError> {
        if tenant != self.tenant_id() {
            return Err(ApiError::not_found("Application", app));
        }
        self.store
            .oidc_application(realm, app)
            .await?
            .ok_or_else(|| ApiError::not_found("Application", app))
    }

    async fn signing_key(&self) -> Result<openidconnect::core::CoreRsaPrivateSigningKey, ApiError> {
        let (kid, pem) = self.store.oidc_key().await?;
        openidconnect::core::CoreRsaPrivateSigningKey::from_pem(&pem, Some(openidconnect::JsonWebKeyId::new(kid)))
            .map_err(|e| {
                tracing::error!(error = %e, "the sandbox's signing key cannot be read");
                ApiError::internal()
            })
    }
}

pub(super) async fn discovery(State(sb): Shared, UrlPath((tenant, realm, app)): Ids) -> Result<Response, ApiError> {
    sb.application(&tenant, &realm, &app).await?;
    let issuer = sb.issuer(&realm, &app);
    Ok(Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "name", "email", "preferred_username"],
    }))
    .into_response())
}

pub(super) async fn jwks(State(sb): Shared, UrlPath((tenant, realm, app)): Ids) -> Result<Response, ApiError> {
    use openidconnect::PrivateSigningKey;
    sb.application(&tenant, &realm, &app).await?;
    let key = sb.signing_key().await?.as_verification_key();
    Ok(Json(openidconnect::core::CoreJsonWebKeySet::new(vec![key])).into_response())
}

/// What `/authorize` is asked, kept in the sign-in page's form.
#[derive(Debug, Deserialize, Default)]
pub(super) struct AuthorizeQuery {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    /// The identity signing in (the page's choice).
    #[serde(default)]
    username: Option<String>,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    (
        status,
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>",
            title = escape_html(title)
        )),
    )
        .into_response()
}

/// Back to the client with an OAuth error (once its redirect URI is known to be the application's).
fn error_redirect(q: &AuthorizeQuery, error: &str) -> Response {
    let mut to = url::Url::parse(&q.redirect_uri).expect("checked before");
    to.query_pairs_mut().append_pair("error", error);
    if let Some(state) = &q.state {
        to.query_pairs_mut().append_pair("state", state);
    }
    Redirect::to(to.as_str()).into_response()
}

/// The request's checks: a refusal page when the client or its redirect URI is wrong (never a redirect there),
/// an error sent back to the client for the rest.
async fn checked(sb: &Sandbox, (tenant, realm, app): &(String, String, String), q: &AuthorizeQuery) -> Result<OidcApplication, Response> {
    let refused = |why: &str| page(StatusCode::BAD_REQUEST, "Sign-in request refused", &format!("<p role=\"alert\">{}</p>", escape_html(why)));
    let application = match sb.application(tenant, realm, app).await {
        Ok(a) => a,
        Err(_) => return Err(refused("This application does not exist.")),
    };
    if q.client_id != application.client_id {
        return Err(refused("The client id is not this application's."));
    }
    if !application.redirect_uris().contains(&q.redirect_uri) || url::Url::parse(&q.redirect_uri).is_err() {
        return Err(refused("The redirect URI is not one this application registered."));
    }
    if q.response_type != "code" {
        return Err(error_redirect(q, "unsupported_response_type"));
    }
    if !q.scope.split_whitespace().any(|s| s == "openid") || q.code_challenge.is_empty() || q.code_challenge_method != "S256" {
        return Err(error_redirect(q, "invalid_request"));
    }
    Ok(application)
}

fn hidden(q: &AuthorizeQuery) -> String {
    let field = |name: &str, value: &str| {
        format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape_html(value))
    };
    [
        field("client_id", &q.client_id),
        field("redirect_uri", &q.redirect_uri),
        field("response_type", &q.response_type),
        field("scope", &q.scope),
        field("state", q.state.as_deref().unwrap_or_default()),
        field("nonce", q.nonce.as_deref().unwrap_or_default()),
        field("code_challenge", &q.code_challenge),
        field("code_challenge_method", &q.code_challenge_method),
    ]
    .concat()
}

/// `GET …/authorize`: the simulated passkey sign-in page.
pub(super) async fn authorize_page(State(sb): Shared, UrlPath(ids): Ids, Query(q): Query<AuthorizeQuery>) -> Response {
    let application = match checked(&sb, &ids, &q).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let holders = match sb.store.passkey_holders(&application.realm_id, 50).await {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(error = %e.body.message, "the sandbox could not list who may sign in");
            Vec::new()
        }
    };
    let choices: String = holders
        .iter()
        .map(|(username, name)| {
            format!(
                "<li><button type=\"submit\" name=\"username\" value=\"{u}\">Sign in as {n} ({u})</button></li>",
                u = escape_html(username),
                n = escape_html(name)
            )
        })
        .collect();
    page(
        StatusCode::OK,
        &format!("Sign in to {}", application.display_name),
        &format!(
            "<p>Simulated Beyond Identity sign-in: choose who signs in with their passkey, or type a username. \
             Only an active identity holding an active passkey can.</p>\
             <form method=\"post\">{hidden}<p><label for=\"username\">Username</label> \
             <input id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{typed}\"> \
             <button type=\"submit\">Sign in with passkey</button></p></form>\
             <form method=\"post\">{hidden}<ul aria-label=\"Identities with a passkey\">{choices}</ul></form>",
            hidden = hidden(&q),
            typed = escape_html(q.username.as_deref().unwrap_or_default())
        ),
    )
}

/// `POST …/authorize`: the chosen identity signs in (or is refused), and goes back to the client with a code.
pub(super) async fn authorize(State(sb): Shared, UrlPath(ids): Ids, Form(q): Form<AuthorizeQuery>) -> Response {
    let application = match checked(&sb, &ids, &q).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let realm = &application.realm_id;
    let refused = |why: &str| {
        page(
            StatusCode::FORBIDDEN,
            "Sign-in refused",
            &format!(
                "<p role=\"alert\">{}</p><form method=\"get\">{}<input type=\"hidden\" name=\"username\" value=\"{}\">\
                 <button>Try again</button></form>",
                escape_html(why),
                hidden(&q),
                escape_html(q.username.as_deref().unwrap_or_default())
            ),
        )
    };
    let username = q.username.as_deref().unwrap_or_default().trim();
    let identity = match sb.store.identity_by_username(realm, username).await {
        Ok(Some(i)) => i,
        Ok(None) => return refused("No identity of this realm has that username."),
        Err(_) => return refused("The sign-in could not be checked."),
    };
    if identity.status.as_deref() != Some(crate::model::STATUS_ACTIVE) {
        return refused("This identity is suspended: it cannot sign in.");
    }
    if !sb.store.has_active_passkey(realm, &identity.id).await.unwrap_or(false) {
        return refused("This identity holds no active passkey: it cannot sign in.");
    }
    let code = match sb
        .store
        .issue_code(&application.id, &identity.id, &q.redirect_uri, q.nonce.as_deref().filter(|n| !n.is_empty()), &q.code_challenge, unix_now())
        .await
    {
        Ok(c) => c,
        Err(_) => return refused("The sign-in could not be recorded."),
    };
    let mut to = url::Url::parse(&q.redirect_uri).expect("checked");
    to.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = q.state.as_deref().filter(|s| !s.is_empty()) {
        to.query_pairs_mut().append_pair("state", state);
    }
    Redirect::to(to.as_str()).into_response()
}

/// The token request of the authorization code grant.
#[derive(Debug, Deserialize, Default)]
pub(super) struct CodeGrant {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    code_verifier: String,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(serde_json::json!({ "error": error }))).into_response()
}

/// `POST …/token` for an OIDC application: the code exchanged for an ID token and an access token.
pub(super) async fn token(sb: &Sandbox, (tenant, realm, app): (String, String, String), headers: &HeaderMap, body: &[u8]) -> Response {
    let Ok(grant) = serde_urlencoded_form(body) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let Ok(application) = sb.application(&tenant, &realm, &app).await else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let (id, secret) = match super::auth::basic_credentials(headers) {
        Some(pair) => pair,
        None => (grant.client_id.clone().unwrap_or_default(), grant.client_secret.clone().unwrap_or_default()),
    };
    if id != application.client_id || !application.secret_is(&secret) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if grant.grant_type != "authorization_code" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let Ok(Some(code)) = sb.store.take_code(&grant.code).await else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let challenge = {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(grant.code_verifier.as_bytes()))
    };
    if code.application_id != application.id
        || code.redirect_uri != grant.redirect_uri
        || code.expires < unix_now()
        || !super::auth::constant_time_eq(challenge.as_bytes(), code.code_challenge.as_bytes())
    {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    match id_token(sb, &application, &code).await {
        Ok((id_token, access_token)) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(serde_json::json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": id_token,
                "scope": "openid email profile",
            })),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

fn serde_urlencoded_form(body: &[u8]) -> Result<CodeGrant, ()> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let value = serde_json::Value::Object(pairs.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect());
    serde_json::from_value(value).map_err(|_| ())
}

/// The signed ID token and a new access token for the identity that authenticated for `code`.
async fn id_token(sb: &Sandbox, application: &OidcApplication, code: &super::store::TakenCode) -> Result<(String, String), ApiError> {
    use openidconnect::core::{CoreIdToken, CoreIdTokenClaims, CoreJwsSigningAlgorithm};
    use openidconnect::{
        Audience, EmptyAdditionalClaims, EndUserEmail, EndUserName, EndUserUsername, IssuerUrl, Nonce, StandardClaims,
        SubjectIdentifier,
    };
    let identity = sb.store.get_identity(&application.realm_id, &code.identity_id).await?;
    let now = chrono::Utc::now();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(identity.id.clone()))
        .set_name(Some(EndUserName::new(identity.display_name.clone()).into()));
    if let Some(username) = identity.traits.username.clone() {
        standard = standard.set_preferred_username(Some(EndUserUsername::new(username)));
    }
    if let Some(email) = identity.traits.primary_email_address.clone() {
        standard = standard.set_email(Some(EndUserEmail::new(email)));
    }
    let issuer = IssuerUrl::new(sb.issuer(&application.realm_id, &application.id)).map_err(|_| ApiError::internal())?;
    let claims = CoreIdTokenClaims::new(
        issuer,
        vec![Audience::new(application.client_id.clone())],
        now + chrono::Duration::hours(1),
        now,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(code.nonce.clone().map(Nonce::new))
    .set_auth_time(chrono::DateTime::from_timestamp(code.auth_time, 0));
    let key = sb.signing_key().await?;
    let token = CoreIdToken::new(claims, &key, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, None, None).map_err(|e| {
        tracing::error!(error = %e, "the sandbox could not sign an ID token");
        ApiError::internal()
    })?;
    let access = sb.store.issue_access_token(&application.id, &identity.id).await?;
    Ok((token.to_string(), access))
}

/// `GET …/userinfo`: the claims of the identity an access token was issued to.
pub(super) async fn userinfo(State(sb): Shared, UrlPath((tenant, realm, app)): Ids, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let Ok(application) = sb.application(&tenant, &realm, &app).await else {
        return ApiError::unauthorized().into_response();
    };
    let Ok(Some((issued_to, identity))) = sb.store.access_token(bearer).await else {
        return ApiError::unauthorized().into_response();
    };
    if issued_to != application.id {
        return ApiError::unauthorized().into_response();
    }
    match sb.store.get_identity(&realm, &identity).await {
        Ok(i) => Json(serde_json::json!({
            "sub": i.id,
            "name": i.display_name,
            "preferred_username": i.traits.username,
            "email": i.traits.primary_email_address,
        }))
        .into_response(),
        Err(_) => ApiError::unauthorized().into_response(),
    }
}
