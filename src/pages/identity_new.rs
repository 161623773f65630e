//! Add identity: Name*, Username*, Email, External ID, and behind "More fields" Given and Family name. The server
//! runs the same rules as `model::IdentityInput::validate`; errors land on their field and what was typed stays.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::CreateIdentity;
use crate::components::form_page::{form_page, FormPage};
use crate::model::{FieldError, IdentityInput};

/// The server's rules, on what the form would send.
fn rules(d: CreateIdentity) -> Vec<FieldError> {
    IdentityInput {
        display_name: d.display_name,
        username: d.username,
        email: d.email,
        external_id: d.external_id,
        given_name: d.given_name,
        family_name: d.family_name,
    }
    .validate()
}

#[component]
pub fn NewIdentityPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Signal::derive(move || params.read().get("realm").unwrap_or_default());
    form_page(FormPage::<_, IdentityInput> {
        title: "Add identity",
        back_label: "← Identities",
        back: Signal::derive(move || format!("/realms/{}/identities", realm.get())),
        submit: ("Add identity", "Adding identity…"),
        action: ServerAction::<CreateIdentity>::new(),
        rules,
        hidden: vec![("realm", realm)],
        original: None,
    })
}
