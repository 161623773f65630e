//! Writes that are never repeated blindly. After a failure that may hide a success (no answer, or a server
//! error), BI's state is read first: an identity is looked up by username, an edit is compared with the identity as
//! BI now has it. Only when the write has not happened is it sent again, within the retry policy and the action's
//! deadline. Failures that say the request was not processed (429, 503) are simply tried again.

use super::forms::username_filter;
use super::retry;
use super::wire::{IdentityWrite, ListQuery};
use super::{BiError, Client};
use crate::model::{Identity, Traits};
use crate::permit::{act, PatchesIdentity, Permit, Target};

impl Client {
    /// The identity with this username (BI compares usernames ignoring case), if any.
    pub async fn find_by_username(
        &self,
        realm: &str,
        username: &str,
    ) -> Result<Option<Identity>, BiError> {
        let query = ListQuery {
            filter: Some(username_filter(username)),
            page_size: Some(1),
            ..ListQuery::default()
        };
        Ok(self
            .list_identities(realm, &query)
            .await?
            .items
            .into_iter()
            .next())
    }

    /// Creates an identity. When an attempt's outcome is unknown (or BI then answers "username already exists"),
    /// the username is looked up. The identity found is this call's only when it holds every value sent and was
    /// created after the call started (see [`made_by`]); someone else's identity with that username is a conflict,
    /// never a success. Not found, the create is tried again.
    pub async fn create_identity_verified(
        &self,
        permit: &Permit<act::CreateIdentity>,
        identity: &IdentityWrite,
    ) -> Result<Identity, BiError> {
        let realm = permit.realm();
        let username = identity
            .traits
            .as_ref()
            .and_then(|t| t.username.clone())
            .unwrap_or_default();
        let started = chrono::Utc::now();
        retry::write_checked(
            self.retry_policy(),
            || self.create_identity(permit, identity),
            || async {
                Ok(self
                    .find_by_username(realm, &username)
                    .await?
                    .filter(|found| made_by(found, identity, started)))
            },
        )
        .await
    }

    /// PATCHes an identity. When an attempt's outcome is unknown, the identity is read: if it already holds every
    /// value of the patch, that is the result; otherwise the patch is sent again.
    pub async fn update_identity_verified<A: PatchesIdentity>(
        &self,
        target: &Target<'_, A>,
        patch: &IdentityWrite,
    ) -> Result<Identity, BiError> {
        let (realm, id) = (target.realm(), target.id());
        retry::write_checked(
            self.retry_policy(),
            || self.update_identity(target, patch),
            || async {
                let now = self.get_identity(realm, id).await?;
                Ok(holds(&now, patch).then_some(now))
            },
        )
        .await
    }
}

/// How far BI's clock may be behind the console's when deciding whether an identity was created after a request.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(120);

/// Whether `found` is the identity a create of `sent`, started at `started`, made: it holds every value sent and BI
/// created it after the request began (less [`CLOCK_SKEW`]).
pub fn made_by(
    found: &Identity,
    sent: &IdentityWrite,
    started: chrono::DateTime<chrono::Utc>,
) -> bool {
    let created = found
        .create_time
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    holds(found, sent) && created.is_some_and(|c| c >= started - CLOCK_SKEW)
}

/// Whether `identity` already has every value `patch` sets (an empty string clears a trait).
pub fn holds(identity: &Identity, patch: &IdentityWrite) -> bool {
    let same = |want: &Option<String>, have: &Option<String>| match want {
        None => true,
        Some(w) if w.is_empty() => have.as_deref().unwrap_or_default().is_empty(),
        Some(w) => have.as_deref() == Some(w.as_str()),
    };
    let name_ok = patch
        .display_name
        .as_ref()
        .is_none_or(|n| *n == identity.display_name);
    let status_ok = same(&patch.status, &identity.status);
    let traits_ok = patch.traits.as_ref().is_none_or(|t| {
        let h: &Traits = &identity.traits;
        same(&t.username, &h.username)
            && same(&t.primary_email_address, &h.primary_email_address)
            && same(&t.external_id, &h.external_id)
            && same(&t.given_name, &h.given_name)
            && same(&t.family_name, &h.family_name)
    });
    name_ok && status_ok && traits_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_found_identity_is_ours_only_when_it_matches_and_is_new() {
        let now = chrono::Utc::now();
        let found = |name: &str, created: chrono::DateTime<chrono::Utc>| -> Identity {
            serde_json::from_value(serde_json::json!({
                "id": "i1", "display_name": name, "create_time": created.to_rfc3339(),
                "traits": {"type": "traits_v0", "username": "ada", "primary_email_address": "ada@example.com"}
            }))
            .unwrap()
        };
        let sent = IdentityWrite {
            display_name: Some("Ada".into()),
            status: None,
            traits: Some(Traits {
                username: Some("ada".into()),
                primary_email_address: Some("ada@example.com".into()),
                ..Traits::default()
            }),
        };
        assert!(made_by(&found("Ada", now), &sent, now));
        assert!(
            !made_by(&found("Someone Else", now), &sent, now),
            "other values"
        );
        let last_year = now - chrono::TimeDelta::days(365);
        assert!(
            !made_by(&found("Ada", last_year), &sent, now),
            "existed before"
        );
    }

    #[test]
    fn a_patch_is_held_when_every_value_it_sets_is_there() {
        let identity: Identity = serde_json::from_value(serde_json::json!({
            "id": "i1", "display_name": "Ada", "status": "suspended",
            "traits": {"type": "traits_v0", "username": "ada", "primary_email_address": "ada@example.com"}
        }))
        .unwrap();
        assert!(holds(&identity, &IdentityWrite::status_change(true)));
        assert!(!holds(&identity, &IdentityWrite::status_change(false)));
        let rename = IdentityWrite {
            display_name: Some("Ada L".into()),
            ..IdentityWrite::default()
        };
        assert!(!holds(&identity, &rename));
        let clear_email = IdentityWrite {
            traits: Some(Traits {
                primary_email_address: Some(String::new()),
                ..Traits::default()
            }),
            ..IdentityWrite::default()
        };
        assert!(!holds(&identity, &clear_email));
    }
}
