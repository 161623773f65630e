//! Add identity: Name*, Username*, Email, External ID, and behind "More fields" Given and Family name. The server
//! runs the same rules as `model::IdentityInput::validate`; errors land on their field and what was typed stays.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::CreateIdentity;
use crate::components::error::ErrorBanner;
use crate::components::form::{
    check_before_submit, form_error, use_form_flash, IdentityFields, PRIMARY_BUTTON,
};
use crate::model::{AppError, IdentityInput};

#[component]
pub fn NewIdentityPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let action = ServerAction::<CreateIdentity>::new();
    let pending = action.pending();
    // What a plain form post that failed typed, and its error, come back once through the session.
    let flash = use_form_flash();
    // The same rules as the server, checked in the browser before anything is sent (once hydrated).
    let client_error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let check = move |ev: leptos::ev::MouseEvent| {
        client_error.set(check_before_submit(&ev, |d: CreateIdentity| {
            IdentityInput {
                display_name: d.display_name,
                username: d.username,
                email: d.email,
                external_id: d.external_id,
                given_name: d.given_name,
                family_name: d.family_name,
            }
            .validate()
        }));
    };

    view! {
        <div class="mx-auto flex max-w-2xl flex-col gap-5">
            <div>
                <a href=move || format!("/realms/{}/identities", realm.get()) class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Identities"</a>
                <h1 class="mt-1 text-2xl font-semibold tracking-tight">"Add identity"</h1>
            </div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await;
                    let initial = flash
                        .as_ref()
                        .map(|f| IdentityInput::from_values(|k| f.get(k)))
                        .unwrap_or_default();
                    let flash_error = flash.map(|f| f.error);
                    let error = form_error(
                        client_error,
                        move || action.value().get().map(|r| r.err()),
                        flash_error,
                    );
                    view! {
                        <ActionForm action=action attr:class="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900" attr:novalidate=true>
                            <input type="hidden" name="realm" value=move || realm.get() />
                            {move || error.get().filter(|e| e.fields.is_empty() || e.request_id.is_some()).map(|e| view! { <ErrorBanner error=e /> })}
                            <IdentityFields values=initial error=error />
                            <div class="flex items-center gap-3 pt-2">
                                <button
                                    type="submit"
                                    on:click=check
                                    disabled=move || pending.get()
                                    class=PRIMARY_BUTTON
                                >
                                    {move || if pending.get() { "Adding identity…" } else { "Add identity" }}
                                </button>
                                <a href=move || format!("/realms/{}/identities", realm.get()) class="text-sm font-medium text-slate-600 hover:underline dark:text-slate-400">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </div>
    }
}
