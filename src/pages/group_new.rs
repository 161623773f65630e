//! Create group: Name* and Description. The server runs the same rules as `model::GroupInput::validate`; errors
//! land on their field and what was typed stays. Works as a plain form before the wasm has loaded.

use leptos::prelude::*;

use crate::api::CreateGroup;
use crate::components::form_page::{new_form, FormKind};

/// The group form's words and paths, shared with the edit page.
pub const GROUP_FORM: FormKind = FormKind::new("group", "groups", ("Create", "Creating"));

#[component]
pub fn NewGroupPage() -> impl IntoView {
    let action = ServerAction::<CreateGroup>::new();
    new_form::<_, _, crate::model::GroupInput>(&GROUP_FORM, action, |d| d.input.validate())
}
