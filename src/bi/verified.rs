//! Writes that are never repeated blindly. After a failure that may hide a success (no answer, or a server
//! error), BI's state is read first: an identity is looked up by username, an edit is compared with the identity as
//! BI now has it. Only when the write has not happened is it sent again, within the retry policy and the action's
//! deadline. Failures that say the request was not processed (429, 503) are simply tried again.

use super::retry;
use super::wire::{IdentityWrite, ListQuery};
use super::{BiError, Client};
use crate::model::{username_filter, Identity, Traits};

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
    /// the username is looked up: found, that is the identity this call created; not found, the create is tried
    /// again.
    pub async fn create_identity_verified(
        &self,
        realm: &str,
        identity: &IdentityWrite,
    ) -> Result<Identity, BiError> {
        let username = identity
            .traits
            .as_ref()
            .and_then(|t| t.username.clone())
            .unwrap_or_default();
        retry::write_checked(
            self.retry_policy(),
            || self.create_identity(realm, identity),
            || self.find_by_username(realm, &username),
        )
        .await
    }

    /// PATCHes an identity. When an attempt's outcome is unknown, the identity is read: if it already holds every
    /// value of the patch, that is the result; otherwise the patch is sent again.
    pub async fn update_identity_verified(
        &self,
        realm: &str,
        id: &str,
        patch: &IdentityWrite,
    ) -> Result<Identity, BiError> {
        retry::write_checked(
            self.retry_policy(),
            || self.update_identity(realm, id, patch),
            || async {
                let now = self.get_identity(realm, id).await?;
                Ok(holds(&now, patch).then_some(now))
            },
        )
        .await
    }
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
