//! Edit group: the Create form, prefilled. Only the fields the operator changed are sent (PATCH).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{get_group, UpdateGroup};
use crate::components::error::ErrorBanner;
use crate::components::form::{
    check_before_submit, form_error, use_form_flash, GroupFields, PRIMARY_BUTTON,
};
use crate::model::{AppError, GroupInput};

#[component]
pub fn EditGroupPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    // The group itself; one row of members comes along (BI's get and list are separate calls, made concurrently).
    let data = Resource::new(
        move || (realm.get(), id.get()),
        |(realm, id)| get_group(realm, id, 1, 1),
    );
    let action = ServerAction::<UpdateGroup>::new();
    let pending = action.pending();
    // After a plain form post that failed, what was typed and the error come back once through the session.
    let flash = use_form_flash();
    let client_error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let check = move |ev: leptos::ev::MouseEvent| {
        client_error.set(check_before_submit(&ev, |d: UpdateGroup| {
            d.input.validate()
        }));
    };
    let back = move || format!("/realms/{}/groups/{}", realm.get(), id.get());

    view! {
        <div class="mx-auto flex max-w-2xl flex-col gap-5">
            <div>
                <a href=back class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Group"</a>
                <h1 class="mt-1 text-2xl font-semibold tracking-tight">"Edit group"</h1>
            </div>
            <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading group…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await;
                    match data.await {
                        Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                        Ok(detail) => {
                            let typed = flash.as_ref().map(|f| GroupInput::from_values(|k| f.get(k)));
                            let flash_error = flash.map(|f| f.error);
                            let error = form_error(
                        client_error,
                        move || action.value().get().map(|r| r.err()),
                        flash_error,
                    );
                            let original = GroupInput::from_group(&detail.group);
                            view! {
                                <ActionForm action=action attr:class="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900" attr:novalidate=true>
                                    <input type="hidden" name="realm" value=realm.get_untracked() />
                                    <input type="hidden" name="id" value=id.get_untracked() />
                                    <input type="hidden" name="original[display_name]" value=original.display_name.clone() />
                                    <input type="hidden" name="original[description]" value=original.description.clone() />
                                    {move || error.get().filter(|e| e.fields.is_empty() || e.request_id.is_some()).map(|e| view! { <ErrorBanner error=e /> })}
                                    <GroupFields values=typed.unwrap_or_else(|| original.clone()) error=error prefix="input" />
                                    <div class="flex items-center gap-3 pt-2">
                                        <button type="submit" on:click=check disabled=move || pending.get() class=PRIMARY_BUTTON>
                                            {move || if pending.get() { "Saving changes…" } else { "Save changes" }}
                                        </button>
                                        <a href=back class="text-sm font-medium text-slate-600 hover:underline dark:text-slate-400">"Cancel"</a>
                                    </div>
                                </ActionForm>
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}
