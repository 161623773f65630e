//! Signing in with Beyond Identity: OpenID Connect's authorization code flow with PKCE (S256), the console a
//! confidential client (`openidconnect`). `GET /sign-in/bi` keeps a state, a nonce and the PKCE verifier in the
//! session and sends the browser to the issuer's `/authorize`; `GET /sign-in/bi/callback` checks the state, trades
//! the code for tokens and verifies the ID token (RS256 from the issuer's JWKS, issuer, audience, expiry, nonce).
//! BI documents no groups claim, so the role comes from what BI says of the identity afterwards ([`RoleSource`]:
//! its groups through `CONSOLE_OIDC_ROLES`), and is asked again every `CONSOLE_OIDC_RECHECK_SECS` while the session
//! lasts: an identity suspended, deleted or taken out of its group loses the session at its next request after that.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::model::Role;
use crate::secret::Secret;

/// The console role BI's groups give an identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiRole {
    /// The identity's username at BI (how the console names the operator).
    pub username: String,
    pub role: Role,
    /// The realms the mapping limits the role to; `None`: every realm.
    pub realms: Option<Vec<String>>,
}

/// Why BI gives an identity no role in the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoRole {
    /// The identity is suspended.
    Suspended,
    /// The identity no longer exists.
    Gone,
    /// None of the identity's groups is mapped to a role.
    NoGroup,
    /// BI could not be asked (the session is kept until it can be).
    Unreachable(String),
}

impl NoRole {
    pub fn message(&self) -> &'static str {
        match self {
            NoRole::Suspended => "This identity is suspended at Beyond Identity.",
            NoRole::Gone => "This identity no longer exists at Beyond Identity.",
            NoRole::NoGroup => "This identity has no role in the console: it is in none of the groups the console maps to a role.",
            NoRole::Unreachable(_) => "Beyond Identity could not be asked for this identity's role; try again shortly.",
        }
    }
}

/// What the role of a BI identity is now (implemented on the console's BI client in `server`).
pub trait RoleSource: Send + Sync {
    fn role_of<'a>(&'a self, identity: &'a str) -> Pin<Box<dyn Future<Output = Result<BiRole, NoRole>> + Send + 'a>>;
}

/// The settings of signing in with BI.
#[derive(Clone, Debug)]
pub struct OidcClient {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Where BI sends the browser back: `<console>/sign-in/bi/callback`.
    pub redirect_uri: String,
    /// The realm the operators' identities live in (the issuer's).
    pub realm: String,
}

/// Signing in with BI: the client, where roles come from, and how often they are asked again.
pub struct BiSignIn {
    client: OidcClient,
    roles: Arc<dyn RoleSource>,
    pub recheck: Duration,
    http: openidconnect::reqwest::Client,
    /// The issuer's discovery document and its keys, and when they were read: read at the first sign-in, again
    /// after [`METADATA_TTL`] (so keys BI rotates are picked up) or when a sign-in's ID token was signed with a key
    /// they do not hold.
    metadata: tokio::sync::Mutex<Option<(std::time::Instant, CoreProviderMetadata)>>,
}

/// How long the issuer's discovery document and keys are used before they are read again.
const METADATA_TTL: Duration = Duration::from_secs(3600);

impl std::fmt::Debug for BiSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BiSignIn")
            .field("issuer", &self.client.issuer)
            .field("client_id", &self.client.client_id)
            .field("recheck", &self.recheck)
            .finish()
    }
}

/// The session key of a sign-in under way (until the callback).
const PENDING_KEY: &str = "bi_pending";

/// A sign-in under way, in the session: what the callback checks.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
    /// A step-up of the operator signed in on this session, not a sign-in: BI was asked to authenticate them
    /// afresh (`prompt=login`, `max_age=0`), at `started` (Unix seconds).
    #[serde(default)]
    step_up: bool,
    #[serde(default)]
    started: i64,
}

/// What a session signed in with BI holds beside the username: the identity, its role when last asked, and when.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct BiSession {
    pub identity: String,
    pub role: BiRole,
    /// When the role was last asked (Unix seconds).
    pub checked: i64,
}

impl BiSignIn {
    pub fn new(client: OidcClient, roles: Arc<dyn RoleSource>, recheck: Duration) -> BiSignIn {
        let http = openidconnect::reqwest::Client::builder()
            // Following redirects would let the issuer's answers send the server elsewhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .expect("a client builds");
        BiSignIn {
            client,
            roles,
            recheck,
            http,
            metadata: tokio::sync::Mutex::new(None),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.client.issuer
    }

    /// The issuer's discovery document with its keys; `fresh`: read again now.
    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, String> {
        let mut held = self.metadata.lock().await;
        if let Some((at, m)) = held.as_ref() {
            if !fresh && at.elapsed() < METADATA_TTL {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(self.client.issuer.clone()).map_err(|e| e.to_string())?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| format!("the issuer's discovery document: {e}"))?;
        *held = Some((std::time::Instant::now(), m.clone()));
        Ok(m)
    }

    /// The role of `identity` now.
    pub async fn role_of(&self, identity: &str) -> Result<BiRole, NoRole> {
        self.roles.role_of(identity).await
    }
}

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
    /// `step_up=1`: the signed-in operator confirms it is them (see `auth::step_up`).
    #[serde(default)]
    step_up: Option<String>,
}

/// `GET /sign-in/bi`: off to BI's sign-in, with a state, a nonce and a PKCE challenge kept in the session.
pub async fn start(State(bi): State<Arc<BiSignIn>>, session: Session, Query(q): Query<StartQuery>) -> Response {
    let next = super::web::safe_next(&q.next);
    let metadata = match bi.metadata(false).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "sign-in with Beyond Identity: the issuer did not answer");
            return login_with("bi-unavailable", &next);
        }
    };
    let Ok(redirect) = RedirectUrl::new(bi.client.redirect_uri.clone()) else {
        return login_with("bi-unavailable", &next);
    };
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(bi.client.client_id.clone()),
        Some(ClientSecret::new(bi.client.client_secret.expose().to_string())),
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let step_up = q.step_up.is_some();
    let mut request = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if step_up {
        // A fresh authentication, whatever session the operator holds at BI.
        request = request
            .add_prompt(openidconnect::core::CoreAuthPrompt::Login)
            .set_max_age(Duration::ZERO);
    }
    let (url, state, nonce) = request.url();
    let pending = Pending {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next,
        step_up,
        started: super::web::now_secs(),
    };
    if session.insert(PENDING_KEY, pending).await.is_err() {
        return login_with("bi-unavailable", "/");
    }
    Redirect::to(url.as_str()).into_response()
}

fn login_with(error: &str, next: &str) -> Response {
    Redirect::to(&format!("/login?error={error}&next={}", crate::model::encode_component(next))).into_response()
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// Why a callback is refused (logged; the browser is told only that signing in with BI failed).
#[derive(Debug)]
pub enum Refused {
    NoPending,
    State,
    Provider(String),
    Exchange(String),
    IdToken(String),
    Role(NoRole),
}

/// Checks a callback against the sign-in under way: the state, then the code traded (with the PKCE verifier) and
/// the ID token verified. Answers the identity's id (`sub`) and when BI authenticated it (`auth_time`, Unix seconds).
async fn verified(bi: &BiSignIn, pending: &Pending, q: &CallbackQuery) -> Result<(String, Option<i64>), Refused> {
    use subtle::ConstantTimeEq;
    let state = q.state.as_deref().unwrap_or_default();
    if !bool::from(state.as_bytes().ct_eq(pending.state.as_bytes())) {
        return Err(Refused::State);
    }
    if let Some(e) = &q.error {
        return Err(Refused::Provider(e.clone()));
    }
    let metadata = bi.metadata(false).await.map_err(Refused::Exchange)?;
    let redirect = RedirectUrl::new(bi.client.redirect_uri.clone()).map_err(|e| Refused::Exchange(e.to_string()))?;
    let client = |metadata: CoreProviderMetadata| {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(bi.client.client_id.clone()),
            Some(ClientSecret::new(bi.client.client_secret.expose().to_string())),
        )
        .set_redirect_uri(redirect.clone())
    };
    let code = AuthorizationCode::new(q.code.clone().unwrap_or_default());
    let tokens = client(metadata.clone())
        .exchange_code(code)
        .map_err(|e| Refused::Exchange(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&bi.http)
        .await
        .map_err(|e| Refused::Exchange(e.to_string()))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| Refused::IdToken("no ID token in the answer".into()))?;
    let nonce = Nonce::new(pending.nonce.clone());
    let claims = match id_token.claims(&client(metadata).id_token_verifier(), &nonce) {
        Ok(c) => c.clone(),
        // Signed with a key the keys read before do not hold: BI may have rotated them; read them again, once.
        Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
            let fresh = bi.metadata(true).await.map_err(Refused::Exchange)?;
            id_token
                .claims(&client(fresh).id_token_verifier(), &nonce)
                .map_err(|e| Refused::IdToken(e.to_string()))?
                .clone()
        }
        Err(e) => return Err(Refused::IdToken(e.to_string())),
    };
    Ok((claims.subject().to_string(), claims.auth_time().map(|t| t.timestamp())))
}

/// `GET /sign-in/bi/callback`: BI sent the browser back; on success a new session id, the operator's role from
/// BI's groups, and on to where they were going.
pub async fn callback(
    State((bi, access)): State<(Arc<BiSignIn>, super::web::SharedAccess)>,
    session: Session,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let pending: Option<Pending> = session.remove(PENDING_KEY).await.ok().flatten();
    let Some(pending) = pending else {
        tracing::warn!(why = ?Refused::NoPending, "sign-in with Beyond Identity refused");
        return login_with("bi-failed", "/");
    };
    let verified = verified(&bi, &pending, &q).await;
    if pending.step_up {
        return super::step_up::with_bi(&access, &session, &pending.next, pending.started, verified).await;
    }
    let identity = match verified {
        Ok((sub, _)) => sub,
        Err(why) => {
            tracing::warn!(?why, "sign-in with Beyond Identity refused");
            crate::metrics::global().sign_in("bi", "failed");
            return login_with("bi-failed", &pending.next);
        }
    };
    let role = match bi.role_of(&identity).await {
        Ok(r) => r,
        Err(no) => {
            tracing::warn!(identity = %identity, why = ?Refused::Role(no.clone()), "sign-in with Beyond Identity refused: no role");
            crate::metrics::global().sign_in("bi", "refused");
            if !matches!(no, NoRole::Unreachable(_)) {
                access
                    .record_sign_in(
                        &format!("bi:{identity}"),
                        crate::audit::Event::new(
                            crate::model::AuditAction::OperatorSignInRefused,
                            &bi.client.realm,
                            &identity,
                            "",
                            no.message(),
                        ),
                        match no {
                            NoRole::Suspended => "suspended",
                            NoRole::Gone => "gone",
                            _ => "no-role",
                        },
                    )
                    .await;
            }
            let code = match no {
                NoRole::Unreachable(_) => "bi-unavailable",
                _ => "bi-no-role",
            };
            return login_with(code, &pending.next);
        }
    };
    let signed = BiSession {
        identity,
        role: role.clone(),
        checked: super::web::now_secs(),
    };
    if super::web::start_session(&session, &role.username, String::new(), Some(signed.clone()))
        .await
        .is_err()
    {
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "The session store is not available.").into_response();
    }
    tracing::info!(operator = %role.username, role = role.role.as_str(), method = "bi", "signed in");
    crate::metrics::global().sign_in("bi", "ok");
    access
        .record_sign_in(
            &role.username,
            crate::audit::Event::new(
                crate::model::AuditAction::OperatorSignIn,
                &bi.client.realm,
                &signed.identity,
                &role.username,
                format!("signed in with Beyond Identity as {}", role.role.as_str()),
            ),
            "ok",
        )
        .await;
    Redirect::to(&pending.next).into_response()
}

/// One line of `CONSOLE_OIDC_ROLES`: members of `group` (its id or display name, ignoring case) get `role`, in
/// `realms` when given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleMapping {
    pub role: Role,
    pub group: String,
    pub realms: Option<Vec<String>>,
}

/// The mapping when `CONSOLE_OIDC_ROLES` is not set: the groups the sandbox's demo realm has.
pub const DEFAULT_ROLES: &str = "admin=Console Admins;helpdesk=Service Desk;viewer=Console Viewers";

/// `role=group[:realm1,realm2];…`, e.g. `admin=Console Admins;helpdesk=Service Desk:19a9…`.
pub fn parse_roles(text: &str) -> Result<Vec<RoleMapping>, String> {
    let mut out = Vec::new();
    for entry in text.split([';', '\n']).map(str::trim).filter(|e| !e.is_empty()) {
        let Some((role, rest)) = entry.split_once('=') else {
            return Err(format!("has an entry that is not role=group (near '{entry}')"));
        };
        let role = Role::parse(role.trim())
            .ok_or_else(|| format!("names the role '{}'; expected admin, helpdesk or viewer", role.trim()))?;
        let (group, realms) = match rest.rsplit_once(':') {
            Some((g, r)) => (g, Some(super::parse_realms(r))),
            None => (rest, None),
        };
        let group = group.trim();
        if group.is_empty() {
            return Err(format!("gives the role {} no group", role.as_str()));
        }
        out.push(RoleMapping {
            role,
            group: group.to_string(),
            realms,
        });
    }
    if out.is_empty() {
        return Err("maps no group to a role".into());
    }
    Ok(out)
}

/// The highest role `groups` ((id, display name) pairs) give through `mappings`, with that mapping's realms.
pub fn role_from_groups(mappings: &[RoleMapping], groups: &[(String, String)]) -> Option<(Role, Option<Vec<String>>)> {
    let rank = |r: Role| match r {
        Role::Admin => 3,
        Role::Helpdesk => 2,
        Role::Viewer => 1,
    };
    mappings
        .iter()
        .filter(|m| {
            groups
                .iter()
                .any(|(id, name)| id == &m.group || name.eq_ignore_ascii_case(&m.group))
        })
        .max_by_key(|m| rank(m.role))
        .map(|m| (m.role, m.realms.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_parsed_and_the_highest_group_wins() {
        let roles = parse_roles("admin=Console Admins; helpdesk=Service Desk:r1,r2\nviewer=g-0042").unwrap();
        assert_eq!(roles.len(), 3);
        assert_eq!(roles[1].realms, Some(vec!["r1".to_string(), "r2".to_string()]));
        let g = |id: &str, name: &str| (id.to_string(), name.to_string());
        assert_eq!(role_from_groups(&roles, &[g("x", "Engineering")]), None);
        assert_eq!(role_from_groups(&roles, &[g("g-0042", "Anything")]), Some((Role::Viewer, None)));
        assert_eq!(
            role_from_groups(&roles, &[g("a", "service desk"), g("g-0042", "x")]),
            Some((Role::Helpdesk, Some(vec!["r1".to_string(), "r2".to_string()])))
        );
        assert_eq!(
            role_from_groups(&roles, &[g("a", "Service Desk"), g("b", "Console Admins")]).map(|r| r.0),
            Some(Role::Admin)
        );
        assert!(parse_roles("root=Admins").unwrap_err().contains("root"));
        assert!(parse_roles("admin").unwrap_err().contains("role=group"));
        assert!(parse_roles("").is_err());
        assert_eq!(parse_roles(DEFAULT_ROLES).unwrap().len(), 3);
    }
}
