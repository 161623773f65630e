//! Edit identity: the Add form, prefilled. Only the fields the operator changed are sent (PATCH).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{get_identity, UpdateIdentity};
use crate::components::error::ErrorBanner;
use crate::components::form::{
    check_before_submit, form_error, use_form_flash, IdentityFields, PRIMARY_BUTTON,
};
use crate::model::{AppError, IdentityInput};

#[component]
pub fn EditIdentityPage() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let data = Resource::new(
        move || (realm.get(), id.get()),
        |(realm, id)| get_identity(realm, id),
    );
    let action = ServerAction::<UpdateIdentity>::new();
    let pending = action.pending();
    // After a plain form post that failed, what was typed and the error come back once through the session.
    let flash = use_form_flash();
    let client_error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let check = move |ev: leptos::ev::MouseEvent| {
        client_error.set(check_before_submit(&ev, |d: UpdateIdentity| {
            d.input.validate()
        }));
    };
    let back = move || format!("/realms/{}/identities/{}", realm.get(), id.get());

    view! {
        <div class="mx-auto flex max-w-2xl flex-col gap-5">
            <div>
                <a href=back class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Identity"</a>
                <h1 class="mt-1 text-2xl font-semibold tracking-tight">"Edit identity"</h1>
            </div>
            <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading identity…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await;
                    match data.await {
                        Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                        Ok(detail) => {
                            let typed = flash.as_ref().map(|f| IdentityInput::from_values(|k| f.get(k)));
                            let flash_error = flash.map(|f| f.error);
                            let error = form_error(
                        client_error,
                        move || action.value().get().map(|r| r.err()),
                        flash_error,
                    );
                            let original = IdentityInput::from_identity(&detail.identity);
                            let hidden = [
                                ("display_name", original.display_name.clone()),
                                ("username", original.username.clone()),
                                ("email", original.email.clone()),
                                ("external_id", original.external_id.clone()),
                                ("given_name", original.given_name.clone()),
                                ("family_name", original.family_name.clone()),
                            ]
                            .into_iter()
                            .map(|(k, v)| view! { <input type="hidden" name=format!("original[{k}]") value=v /> })
                            .collect_view();
                            view! {
                                <ActionForm action=action attr:class="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900" attr:novalidate=true>
                                    <input type="hidden" name="realm" value=realm.get_untracked() />
                                    <input type="hidden" name="id" value=id.get_untracked() />
                                    {hidden}
                                    {move || error.get().filter(|e| e.fields.is_empty() || e.request_id.is_some()).map(|e| view! { <ErrorBanner error=e /> })}
                                    <IdentityFields values=typed.unwrap_or_else(|| original.clone()) error=error prefix="input" />
                                    <div class="flex items-center gap-3 pt-2">
                                        <button
                                            type="submit"
                                            on:click=check
                                            disabled=move || pending.get()
                                            class=PRIMARY_BUTTON
                                        >
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
