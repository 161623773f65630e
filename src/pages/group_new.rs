//! Create group: Name* and Description. The server runs the same rules as `model::GroupInput::validate`; errors
//! land on their field and what was typed stays. Works as a plain form before the wasm has loaded.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::CreateGroup;
use crate::components::error::ErrorBanner;
use crate::components::form::{
    check_before_submit, form_error, use_form_flash, GroupFields, PRIMARY_BUTTON,
};
use crate::model::{AppError, GroupInput};

#[component]
pub fn NewGroupPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let action = ServerAction::<CreateGroup>::new();
    let pending = action.pending();
    // What a plain form post that failed typed, and its error, come back once through the session.
    let flash = use_form_flash();
    let client_error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let check = move |ev: leptos::ev::MouseEvent| {
        client_error.set(check_before_submit(&ev, |d: CreateGroup| {
            GroupInput {
                display_name: d.display_name,
                description: d.description,
            }
            .validate()
        }));
    };
    let back = move || format!("/realms/{}/groups", realm.get());

    view! {
        <div class="mx-auto flex max-w-2xl flex-col gap-5">
            <div>
                <a href=back class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Groups"</a>
                <h1 class="mt-1 text-2xl font-semibold tracking-tight">"Create group"</h1>
            </div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await;
                    let initial = flash
                        .as_ref()
                        .map(|f| GroupInput::from_values(|k| f.get(k)))
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
                            <GroupFields values=initial error=error />
                            <div class="flex items-center gap-3 pt-2">
                                <button type="submit" on:click=check disabled=move || pending.get() class=PRIMARY_BUTTON>
                                    {move || if pending.get() { "Creating group…" } else { "Create group" }}
                                </button>
                                <a href=back class="text-sm font-medium text-slate-600 hover:underline dark:text-slate-400">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </div>
    }
}
