//! Signing in with Beyond Identity, wired at start-up: the console's OIDC application (from the settings, or on the
//! sandbox registered there at the first start and kept in the data directory, owner-only), and operators' roles
//! from their BI groups asked through the console's own BI client.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use crate::auth::bi::{BiRole, BiSignIn, NoRole, OidcClient, RoleMapping, RoleSource};
use crate::bi::Client;
use crate::config::Settings;
use crate::sandbox::Sandbox;
use crate::secret::Secret;

/// An identity's groups read for its role, at most (five of BI's pages); an identity in more is refused as
/// unreachable rather than judged on part of its groups.
const MAX_GROUPS: usize = 1_000;

/// Roles from BI: an identity's status and groups, through `mappings`.
struct BiRoles {
    client: Arc<Client>,
    realm: String,
    mappings: Vec<RoleMapping>,
}

impl RoleSource for BiRoles {
    fn role_of<'a>(&'a self, identity: &'a str) -> Pin<Box<dyn Future<Output = Result<BiRole, NoRole>> + Send + 'a>> {
        Box::pin(async move {
            let unreachable = |e: crate::bi::BiError| NoRole::Unreachable(e.reason());
            let found = match self.client.get_identity(&self.realm, identity).await {
                Ok(i) => i,
                Err(e) if e.is_not_found() => return Err(NoRole::Gone),
                Err(e) => return Err(unreachable(e)),
            };
            if found.status.as_deref() != Some(crate::model::STATUS_ACTIVE) {
                return Err(NoRole::Suspended);
            }
            let (client, realm) = (&self.client, &self.realm);
            let groups = crate::bi::pages::all_pages(MAX_GROUPS, |q| async move {
                client.list_identity_groups(realm, identity, &q).await
            })
            .await
            .map_err(unreachable)?;
            let groups: Vec<_> = groups.into_iter().map(|g| (g.id, g.display_name)).collect();
            let (role, realms) = crate::auth::bi::role_from_groups(&self.mappings, &groups).ok_or(NoRole::NoGroup)?;
            Ok(BiRole {
                username: found.traits.username.clone().unwrap_or_else(|| found.id.clone()),
                role,
                realms,
            })
        })
    }
}

/// The realm of a BI issuer (`…/realms/{realm}/applications/{app}`).
fn issuer_realm(issuer: &str) -> Option<String> {
    let mut parts = issuer.split('/');
    parts.by_ref().find(|p| *p == "realms")?;
    parts.next().filter(|r| !r.is_empty()).map(str::to_string)
}

/// What the console keeps of its registration as the sandbox's OIDC application.
#[derive(serde::Serialize, serde::Deserialize)]
struct Registration {
    realm: String,
    application_id: String,
    client_id: String,
    client_secret: String,
}

/// The file the console keeps its sandbox registration in.
pub const REGISTRATION_FILE: &str = "sandbox-oidc.json";

/// The console as the sandbox's OIDC application in `realm`: the one registered before (its redirect URI brought up
/// to date), or registered now.
async fn registered(sb: &Sandbox, data_dir: &Path, realm: &str, redirect: &str) -> Result<OidcClient, String> {
    let path = data_dir.join(REGISTRATION_FILE);
    let kept: Option<Registration> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(|r: &Registration| r.realm == realm);
    let redirects = vec![redirect.to_string()];
    let store = sb.store();
    let registration = match kept {
        Some(r) if store.oidc_application(realm, &r.application_id).await.ok().flatten().is_some() => {
            store
                .set_redirect_uris(realm, &r.application_id, &redirects)
                .await
                .map_err(|e| e.body.message)?;
            r
        }
        _ => {
            let (app, secret) = store
                .create_oidc_application(realm, "Identity Console", &redirects)
                .await
                .map_err(|e| e.body.message)?;
            let r = Registration {
                realm: realm.to_string(),
                application_id: app.id,
                client_id: app.client_id,
                client_secret: secret,
            };
            crate::files::write_private(&path, &serde_json::to_string_pretty(&r).expect("serializes"))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            r
        }
    };
    Ok(OidcClient {
        issuer: sb.issuer(realm, &registration.application_id),
        client_id: registration.client_id,
        client_secret: Secret::new(registration.client_secret),
        redirect_uri: redirect.to_string(),
        realm: realm.to_string(),
    })
}

/// Signing in with BI as the settings ask: off with `CONSOLE_OIDC=off`; the configured application; on the
/// sandbox with none configured, the console's own registration there; otherwise off.
pub(super) async fn bi_sign_in(
    settings: &Settings,
    sandbox: Option<&Arc<Sandbox>>,
    client: Arc<Client>,
    default_realm: &str,
    origin: &str,
) -> Result<Option<Arc<BiSignIn>>, String> {
    let oidc = &settings.access.oidc;
    if !oidc.enabled {
        return Ok(None);
    }
    let redirect = format!("{origin}/sign-in/bi/callback");
    let (oidc_client, realm) = match (&oidc.client, sandbox) {
        (Some((issuer, id, secret)), _) => (
            OidcClient {
                issuer: issuer.clone(),
                client_id: id.clone(),
                client_secret: secret.clone(),
                redirect_uri: redirect,
                realm: issuer_realm(issuer).unwrap_or_else(|| default_realm.to_string()),
            },
            issuer_realm(issuer).unwrap_or_else(|| default_realm.to_string()),
        ),
        (None, Some(sb)) => (
            registered(sb, &settings.data_dir, default_realm, &redirect).await?,
            default_realm.to_string(),
        ),
        (None, None) => return Ok(None),
    };
    let roles = BiRoles {
        client,
        realm,
        mappings: oidc.roles.clone(),
    };
    Ok(Some(Arc::new(BiSignIn::new(oidc_client, Arc::new(roles), oidc.recheck))))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_realm_is_read_from_the_issuer() {
        assert_eq!(
            super::issuer_realm("https://auth-us.beyondidentity.com/v1/tenants/t1/realms/r9/applications/a1").as_deref(),
            Some("r9")
        );
        assert_eq!(super::issuer_realm("https://idp.example.com/"), None);
    }
}
