//! Edit identity: the Add form, prefilled. Only the fields the operator changed are sent (PATCH).

use leptos::prelude::*;

use crate::api::{get_identity, UpdateIdentity};
use crate::components::form_page::{edit_form, form_page, FormKind};
use crate::model::{AppError, IdentityInput};

/// The identity as BI has it now, as the form's values.
async fn load(realm: String, id: String) -> Result<IdentityInput, AppError> {
    let detail = get_identity(realm, id).await?;
    Ok(IdentityInput::from_identity(&detail.identity))
}

#[component]
pub fn EditIdentityPage() -> impl IntoView {
    let action = ServerAction::<UpdateIdentity>::new();
    form_page(edit_form(&FormKind::IDENTITY, action, load))
}
