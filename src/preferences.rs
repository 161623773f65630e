//! What the console remembers for each realm on behalf of its operators, in its own database: today the
//! authenticator configuration last used to send a passkey invitation, which the next invitation starts from.

use std::sync::Arc;

use crate::store::Fut;

/// The authenticator configuration last used in a realm to send an invitation.
pub const INVITATION_CONFIG: &str = "invitation_config";

/// Where the preferences are kept (the console's database: `db`).
pub trait PreferenceStore: Send + Sync {
    /// The value of `name` remembered for `realm`, if any.
    fn get<'a>(&'a self, realm: &'a str, name: &'a str) -> Fut<'a, Option<String>>;
    /// Remembers `value` as `realm`'s `name`, in place of the one before.
    fn set<'a>(&'a self, realm: &'a str, name: &'a str, value: &'a str) -> Fut<'a, ()>;
}

#[derive(Clone)]
pub struct Preferences {
    store: Arc<dyn PreferenceStore>,
}

impl Preferences {
    /// The preferences kept in `store`.
    pub fn new(store: impl PreferenceStore + 'static) -> Preferences {
        Preferences { store: Arc::new(store) }
    }

    /// The value remembered for `realm`, if any. A failure to read is logged and answers none: a preference only
    /// chooses a default.
    pub async fn get(&self, realm: &str, name: &str) -> Option<String> {
        self.store.get(realm, name).await.unwrap_or_else(|e| {
            tracing::warn!(realm, name, error = %e, "cannot read a realm preference");
            None
        })
    }

    /// Remembers `value` for `realm` (a failure is logged: the write it follows has been made).
    pub async fn set(&self, realm: &str, name: &str, value: &str) {
        if let Err(e) = self.store.set(realm, name, value).await {
            tracing::warn!(realm, name, error = %e, "cannot remember a realm preference");
        }
    }
}
