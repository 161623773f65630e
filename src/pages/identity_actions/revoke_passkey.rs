//! Revoking one of an identity's passkeys: "Revoke" on its row, then a confirmation naming the identity and the
//! passkey. The identity is read again after (its enrollment status follows).

use leptos::prelude::*;

use super::{Revocation, RevokeDialog};
use crate::api::RevokePasskey;

/// The revocation of a passkey.
pub type PasskeyRevocation = Revocation<RevokePasskey>;

/// The confirmation naming the passkey and `who` holds it.
#[component]
pub fn RevokePasskeyDialog(
    revocation: PasskeyRevocation,
    realm: String,
    identity: String,
    who: String,
) -> impl IntoView {
    view! {
        <RevokeDialog
            revocation=revocation
            title="Revoke passkey?"
            confirm_label="Revoke passkey"
            body=move |id| format!("Revoke passkey {id} of {who}. It can no longer be used to sign in. This cannot be undone.")
            request=move |credential| RevokePasskey { realm: realm.clone(), identity: identity.clone(), credential }
        />
    }
}
