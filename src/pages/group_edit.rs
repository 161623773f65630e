//! Edit group: the Create form, prefilled. Only the fields the operator changed are sent (PATCH).

use leptos::prelude::*;

use crate::api::{get_group, UpdateGroup};
use crate::components::form_page::{edit_form, form_page, FormKind};
use crate::model::{AppError, GroupInput};

/// The group as BI has it now (one row of members comes along: BI's get and list are separate calls, made
/// concurrently), as the form's values.
async fn load(realm: String, id: String) -> Result<GroupInput, AppError> {
    Ok(GroupInput::from_group(
        &get_group(realm, id, 1, 1).await?.group,
    ))
}

#[component]
pub fn EditGroupPage() -> impl IntoView {
    let action = ServerAction::<UpdateGroup>::new();
    form_page(edit_form(&FormKind::GROUP, action, load))
}
