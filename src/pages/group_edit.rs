//! Edit group: the Create form, prefilled. Only the fields the operator changed are sent (PATCH).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{get_group, UpdateGroup};
use crate::components::form_page::{form_page, FormPage};
use crate::model::{FieldError, GroupInput};

fn rules(d: UpdateGroup) -> Vec<FieldError> {
    d.input.validate()
}

#[component]
pub fn EditGroupPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Signal::derive(move || params.read().get("realm").unwrap_or_default());
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    // The group itself; one row of members comes along (BI's get and list are separate calls, made concurrently).
    let now = Resource::new(
        move || (realm.get(), id.get()),
        |(realm, id)| async move {
            get_group(realm, id, 1, 1)
                .await
                .map(|d| GroupInput::from_group(&d.group))
        },
    );
    form_page(FormPage {
        title: "Edit group",
        back_label: "← Group",
        back: Signal::derive(move || format!("/realms/{}/groups/{}", realm.get(), id.get())),
        submit: ("Save changes", "Saving changes…"),
        action: ServerAction::<UpdateGroup>::new(),
        rules,
        hidden: vec![("realm", realm), ("id", id)],
        original: Some((now, "Loading group…")),
    })
}
