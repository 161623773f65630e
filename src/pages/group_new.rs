//! Create group: Name* and Description. The server runs the same rules as `model::GroupInput::validate`; errors
//! land on their field and what was typed stays. Works as a plain form before the wasm has loaded.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::CreateGroup;
use crate::components::form_page::{form_page, FormPage};
use crate::model::{FieldError, GroupInput};

fn rules(d: CreateGroup) -> Vec<FieldError> {
    GroupInput {
        display_name: d.display_name,
        description: d.description,
    }
    .validate()
}

#[component]
pub fn NewGroupPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Signal::derive(move || params.read().get("realm").unwrap_or_default());
    form_page(FormPage::<_, GroupInput> {
        title: "Create group",
        back_label: "← Groups",
        back: Signal::derive(move || format!("/realms/{}/groups", realm.get())),
        submit: ("Create group", "Creating group…"),
        action: ServerAction::<CreateGroup>::new(),
        rules,
        hidden: vec![("realm", realm)],
        original: None,
    })
}
