//! Add identity: Name*, Username*, Email, External ID, and behind "More fields" Given and Family name. The server
//! runs the same rules as `model::IdentityInput::validate`; errors land on their field and what was typed stays.

use leptos::prelude::*;

use crate::api::CreateIdentity;
use crate::components::form_page::{form_page, new_form, FormKind};
use crate::model::IdentityInput;

#[component]
pub fn NewIdentityPage() -> impl IntoView {
    let action = ServerAction::<CreateIdentity>::new();
    form_page(new_form::<_, IdentityInput>(&FormKind::IDENTITY, action))
}
