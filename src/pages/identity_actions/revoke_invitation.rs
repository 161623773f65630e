//! Revoking an invitation that is still open: "Revoke" on its row in the enrollment history, then a confirmation
//! naming it. BI refuses one that completed.

use leptos::prelude::*;

use super::{Revocation, RevokeDialog};
use crate::api::RevokePasskeyInvitation;

/// The revocation of an invitation.
pub type InvitationRevocation = Revocation<RevokePasskeyInvitation>;

/// The confirmation naming the invitation and whose it is.
#[component]
pub fn RevokeInvitationDialog(
    revocation: InvitationRevocation,
    realm: String,
    identity: String,
    who: String,
) -> impl IntoView {
    view! {
        <RevokeDialog
            revocation=revocation
            title="Revoke invitation?"
            confirm_label="Revoke invitation"
            body=move |id| format!("Revoke invitation {id} of {who}. Its link will no longer work.")
            request=move |job| RevokePasskeyInvitation { realm: realm.clone(), identity: identity.clone(), job }
        />
    }
}
