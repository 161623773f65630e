//! Add identity: Name*, Username*, Email, External ID, and behind "More fields" Given and Family name. The server
//! runs the same rules as `model::IdentityInput::validate`; errors land on their field and what was typed stays.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::CreateIdentity;
use crate::components::error::ErrorBanner;
use crate::components::form::IdentityFields;
use crate::model::{AppError, IdentityInput};

#[component]
pub fn NewIdentityPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let action = ServerAction::<CreateIdentity>::new();
    let pending = action.pending();
    // Values and errors of a plain form post come back in the URL (see `create_identity`).
    let query = use_query_map();
    let (initial, url_error) = IdentityInput::from_query(|k| query.get_untracked().get(k));
    // The same rules as the server, checked in the browser before anything is sent (once hydrated).
    let client_error: RwSignal<Option<AppError>> = RwSignal::new(None);
    // Runs on the submit button's click, which comes before the form's submit (Enter in a field clicks it too).
    let check = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::form::FromFormData;
            use wasm_bindgen::JsCast;
            let form = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
                .and_then(|b| b.form());
            let data = form
                .and_then(|f| web_sys::FormData::new_with_form(&f).ok())
                .and_then(|fd| CreateIdentity::from_form_data(&fd).ok());
            if let Some(data) = data {
                let input = IdentityInput {
                    display_name: data.display_name,
                    username: data.username,
                    email: data.email,
                    external_id: data.external_id,
                    given_name: data.given_name,
                    family_name: data.family_name,
                };
                let fields = input.validate();
                if fields.is_empty() {
                    client_error.set(None);
                } else {
                    ev.prevent_default();
                    client_error.set(Some(AppError::with_fields(
                        crate::model::FIX_FIELDS,
                        fields,
                    )));
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, client_error);
    };
    let error = Signal::derive(move || {
        client_error.get().or_else(|| match action.value().get() {
            Some(result) => result.err(),
            None => url_error.clone(),
        })
    });

    view! {
        <div class="mx-auto flex max-w-2xl flex-col gap-5">
            <div>
                <a href=move || format!("/realms/{}/identities", realm.get()) class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Identities"</a>
                <h1 class="mt-1 text-2xl font-semibold tracking-tight">"Add identity"</h1>
            </div>
            <ActionForm action=action attr:class="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900" attr:novalidate=true>
                <input type="hidden" name="realm" value=move || realm.get() />
                {move || error.get().filter(|e| e.fields.is_empty() || e.request_id.is_some()).map(|e| view! { <ErrorBanner error=e /> })}
                <IdentityFields values=initial error=error />
                <div class="flex items-center gap-3 pt-2">
                    <button
                        type="submit"
                        on:click=check
                        disabled=move || pending.get()
                        class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-60"
                    >
                        {move || if pending.get() { "Adding identity…" } else { "Add identity" }}
                    </button>
                    <a href=move || format!("/realms/{}/identities", realm.get()) class="text-sm font-medium text-slate-600 hover:underline dark:text-slate-400">"Cancel"</a>
                </div>
            </ActionForm>
        </div>
    }
}
