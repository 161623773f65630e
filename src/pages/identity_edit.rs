//! Edit identity: the Add form, prefilled. Only the fields the operator changed are sent (PATCH).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{get_identity, UpdateIdentity};
use crate::components::form_page::{form_page, FormPage};
use crate::model::{FieldError, IdentityInput};

fn rules(d: UpdateIdentity) -> Vec<FieldError> {
    d.input.validate()
}

#[component]
pub fn EditIdentityPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Signal::derive(move || params.read().get("realm").unwrap_or_default());
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let now = Resource::new(
        move || (realm.get(), id.get()),
        |(realm, id)| async move {
            get_identity(realm, id)
                .await
                .map(|d| IdentityInput::from_identity(&d.identity))
        },
    );
    form_page(FormPage {
        title: "Edit identity",
        back_label: "← Identity",
        back: Signal::derive(move || format!("/realms/{}/identities/{}", realm.get(), id.get())),
        submit: ("Save changes", "Saving changes…"),
        action: ServerAction::<UpdateIdentity>::new(),
        rules,
        hidden: vec![("realm", realm), ("id", id)],
        original: Some((now, "Loading identity…")),
    })
}
