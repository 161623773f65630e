//! Add identity: Name*, Username*, Email, External ID, and behind "More fields" Given and Family name. The server
//! runs the same rules as `model::IdentityInput::validate`; errors land on their field and what was typed stays.

use leptos::prelude::*;

use crate::api::CreateIdentity;
use crate::components::form_page::{new_form, FormKind};

/// The identity form's words and paths, shared with the edit page.
pub const IDENTITY_FORM: FormKind = FormKind::new("identity", "identities", ("Add", "Adding"));

#[component]
pub fn NewIdentityPage() -> impl IntoView {
    let action = ServerAction::<CreateIdentity>::new();
    new_form::<_, _, crate::model::IdentityInput>(&IDENTITY_FORM, action, |d| d.input.validate())
}
