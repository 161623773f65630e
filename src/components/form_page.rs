//! The page around a form, shared by the four form screens (identity and group, new and edit): a back link and a
//! title, the form's values (as opened, or as typed before a plain post failed), its error banner and fields, the
//! browser-side check before sending, and the submit button that says when it is working.

use leptos::prelude::*;
use leptos::server_fn::client::Client;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::request::ClientReq;
use leptos::server_fn::{Http, ServerFn};
use leptos_router::hooks::use_params_map;
use serde::de::DeserializeOwned;

use crate::api::FormWrite;
use crate::components::error::ErrorBanner;
use crate::components::form::{
    check_before_submit, form_error, use_form_flash, GroupFields, IdentityFields, PRIMARY_BUTTON,
};
use crate::model::{AppError, GroupInput, IdentityInput};

/// A form's values: how they come back from a flash, go out as hidden `original[…]` inputs, and show as fields.
pub trait FormValues: Clone + Default + Send + Sync + 'static {
    fn from_values(get: impl Fn(&str) -> Option<String>) -> Self;
    fn pairs(&self) -> Vec<(String, String)>;
    /// The form's fields, filled with these values (named `input[…]`).
    fn fields(self, error: Signal<Option<AppError>>) -> AnyView;
}

/// `FormValues` for a form's input type, shown by its fields component.
macro_rules! form_values {
    ($($input:ty => $fields:ident),* $(,)?) => {
        $(
            impl FormValues for $input {
                fn from_values(get: impl Fn(&str) -> Option<String>) -> Self {
                    <$input>::from_values(get)
                }
                fn pairs(&self) -> Vec<(String, String)> {
                    <$input>::pairs(self)
                }
                fn fields(self, error: Signal<Option<AppError>>) -> AnyView {
                    view! { <$fields values=self error=error /> }.into_any()
                }
            }
        )*
    };
}

form_values! { IdentityInput => IdentityFields, GroupInput => GroupFields }

/// What a form page shows and does.
pub struct FormPage<A, V>
where
    A: ServerFn + 'static,
    A::Output: 'static,
    V: FormValues,
{
    pub title: String,
    /// The back link's words, e.g. "← Identities".
    pub back_label: String,
    /// Where the back link and Cancel go.
    pub back: Signal<String>,
    /// The submit button's words, idle and while the action runs.
    pub submit: (String, String),
    pub action: ServerAction<A>,
    /// Hidden inputs that say what the form is about (realm, id).
    pub hidden: Vec<(&'static str, Signal<String>)>,
    /// For an edit: the values as they are now, and words while they load; the values opened with go along as
    /// `original[…]`, so only what changed is sent. (The fields are always named `input[…]`.)
    pub original: Option<(Resource<Result<V, AppError>>, String)>,
}

/// The form page: see [`FormPage`].
pub fn form_page<A, P, V>(page: FormPage<A, V>) -> impl IntoView
where
    A: DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, P>, Error = AppError>
        + leptos::form::FromFormData
        + FormWrite
        + Clone
        + Send
        + Sync
        + 'static,
    <<A::Client as Client<AppError>>::Request as ClientReq<AppError>>::FormData:
        From<leptos::web_sys::FormData>,
    A::Output: Clone + Send + Sync + 'static,
    A::Client: Client<AppError>,
    V: FormValues,
{
    let FormPage {
        title,
        back_label,
        back,
        submit,
        action,
        hidden,
        original,
    } = page;
    let pending = action.pending();
    // What a plain form post that failed typed, and its error, come back once through the session.
    let flash = use_form_flash();
    // The same rules as the server, checked in the browser before anything is sent (once hydrated).
    let client_error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let check = move |ev: leptos::ev::MouseEvent| {
        client_error.set(check_before_submit(&ev, |a: A| a.problems()))
    };
    let hidden = StoredValue::new(hidden);
    let (loaded, loading) = match original {
        Some((r, words)) => (Some(r), words),
        None => (None, String::new()),
    };
    let submit = StoredValue::new(submit);
    let editing = loaded.is_some();
    let form = move |now: V, typed: Option<V>, flash_error: Option<AppError>| {
        let error = form_error(
            client_error,
            move || action.value().get().map(|r| r.err()),
            flash_error,
        );
        let fixed = hidden
            .get_value()
            .into_iter()
            .map(|(name, value)| view! { <input type="hidden" name=name value=move || value.get() /> })
            .collect_view();
        let originals = editing.then(|| {
            now.pairs()
                .into_iter()
                .map(|(k, v)| view! { <input type="hidden" name=format!("original[{k}]") value=v /> })
                .collect_view()
        });
        let values = typed.unwrap_or(now);
        view! {
            <ActionForm action=action attr:class="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900" attr:novalidate=true>
                {fixed}
                {originals}
                {move || error.get().filter(|e| e.fields.is_empty() || e.request_id.is_some()).map(|e| view! { <ErrorBanner error=e /> })}
                {values.fields(error)}
                <div class="flex items-center gap-3 pt-2">
                    <button type="submit" on:click=check disabled=move || pending.get() class=PRIMARY_BUTTON>
                        {move || submit.with_value(|(idle, busy)| if pending.get() { busy.clone() } else { idle.clone() })}
                    </button>
                    <a href=move || back.get() class="text-sm font-medium text-slate-600 hover:underline dark:text-slate-400">"Cancel"</a>
                </div>
            </ActionForm>
        }
    };
    view! {
        <div class="mx-auto flex max-w-2xl flex-col gap-5">
            <div>
                <a href=move || back.get() class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">{back_label}</a>
                <h1 class="mt-1 text-2xl font-semibold tracking-tight">{title}</h1>
            </div>
            <Suspense fallback=move || (!loading.is_empty()).then(|| view! { <p class="text-sm text-slate-500">{loading.clone()}</p> })>
                {move || Suspend::new(async move {
                    let flash = flash.await;
                    let now = match loaded {
                        None => Ok(V::default()),
                        Some(r) => r.await,
                    };
                    match now {
                        Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                        Ok(now) => {
                            let typed = flash.as_ref().map(|f| V::from_values(|k| f.get(k)));
                            form(now, typed, flash.map(|f| f.error)).into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}

/// One kind of form (identity or group): the words and paths its pages are made of.
pub struct FormKind {
    /// "identity"
    pub noun: &'static str,
    /// "identities": also the path segment of the list.
    pub plural: &'static str,
    /// The verb that makes one, and its "-ing" form: "Add", "Adding".
    pub verb: (&'static str, &'static str),
}

impl FormKind {
    pub const IDENTITY: FormKind = FormKind::new("identity", "identities", ("Add", "Adding"));
    pub const GROUP: FormKind = FormKind::new("group", "groups", ("Create", "Creating"));

    const fn new(
        noun: &'static str,
        plural: &'static str,
        verb: (&'static str, &'static str),
    ) -> Self {
        FormKind { noun, plural, verb }
    }
}

/// A parameter of the page's route (`realm`, `id`).
fn route_param(name: &'static str) -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get(name).unwrap_or_default())
}

/// The page that makes a new one of `kind` (e.g. "Add identity"), in the realm of the route; shown by [`form_page`].
pub fn new_form<A, V>(kind: &FormKind, action: ServerAction<A>) -> FormPage<A, V>
where
    A: ServerFn + 'static,
    A::Output: 'static,
    V: FormValues,
{
    let realm = route_param("realm");
    let plural = kind.plural;
    let noun = kind.noun;
    FormPage {
        title: format!("{} {noun}", kind.verb.0),
        back_label: format!("← {}", crate::model::capitalize(plural)),
        back: Signal::derive(move || format!("/realms/{}/{plural}", realm.get())),
        submit: (
            format!("{} {noun}", kind.verb.0),
            format!("{} {noun}…", kind.verb.1),
        ),
        action,
        hidden: vec![("realm", realm)],
        original: None,
    }
}

/// The page that edits the one of `kind` the route names, opened with what `load(realm, id)` reads; shown by
/// [`form_page`].
pub fn edit_form<A, V, Fut>(
    kind: &FormKind,
    action: ServerAction<A>,
    load: fn(String, String) -> Fut,
) -> FormPage<A, V>
where
    A: ServerFn + 'static,
    A::Output: 'static,
    V: FormValues + serde::Serialize + DeserializeOwned,
    Fut: std::future::Future<Output = Result<V, AppError>> + Send + 'static,
{
    let (realm, id) = (route_param("realm"), route_param("id"));
    let plural = kind.plural;
    let now = Resource::new(move || (realm.get(), id.get()), move |(r, i)| load(r, i));
    FormPage {
        title: format!("Edit {}", kind.noun),
        back_label: format!("← {}", crate::model::capitalize(kind.noun)),
        back: Signal::derive(move || format!("/realms/{}/{plural}/{}", realm.get(), id.get())),
        submit: ("Save changes".into(), "Saving changes…".into()),
        action,
        hidden: vec![("realm", realm), ("id", id)],
        original: Some((now, format!("Loading {}…", kind.noun))),
    }
}
