//! Create group: Name* and Description. The server runs the same rules as `model::GroupInput::validate`; errors
//! land on their field and what was typed stays. Works as a plain form before the wasm has loaded.

use leptos::prelude::*;

use crate::api::CreateGroup;
use crate::components::form_page::{form_page, new_form, FormKind};
use crate::model::GroupInput;

#[component]
pub fn NewGroupPage() -> impl IntoView {
    let action = ServerAction::<CreateGroup>::new();
    form_page(new_form::<_, GroupInput>(&FormKind::GROUP, action))
}
