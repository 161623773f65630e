//! Form pieces: a labelled field with help text and its error under it.

use leptos::prelude::*;

use crate::model::{AppError, FieldError};

/// A form's main button.
pub const PRIMARY_BUTTON: &str = "rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-progress disabled:opacity-60";
/// A secondary action next to a page's title.
pub const SECONDARY_BUTTON: &str = "rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:cursor-progress disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800";
/// A destructive action next to a page's title.
pub const DANGER_BUTTON: &str = "rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 disabled:cursor-progress disabled:opacity-60 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950";

pub const INPUT_CLASS: &str = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-950";

/// Checks a form in the browser before it is sent, with the server's own rules: called from the submit button's
/// click (which comes before the form's submit; Enter in a field clicks it too). Reads the form into the server
/// function's arguments `T`, runs `rules`; with errors, stops the submit and answers them for the fields.
/// Before the wasm has loaded this never runs and the server applies the same rules.
pub fn check_before_submit<T>(
    ev: &leptos::ev::MouseEvent,
    rules: impl Fn(T) -> Vec<FieldError>,
) -> Option<AppError>
where
    T: leptos::form::FromFormData,
{
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let data = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .and_then(|b| b.form())
            .and_then(|f| web_sys::FormData::new_with_form(&f).ok())
            .and_then(|fd| T::from_form_data(&fd).ok())?;
        let fields = rules(data);
        if fields.is_empty() {
            return None;
        }
        ev.prevent_default();
        Some(AppError::with_fields(crate::model::FIX_FIELDS, fields))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, rules);
        None
    }
}

#[component]
pub fn Field(
    label: &'static str,
    /// The input's name, also the key of its errors.
    name: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] help: Option<String>,
    /// The input type; "text" when not given.
    #[prop(optional)]
    kind: Option<&'static str>,
    #[prop(optional, into)] value: String,
    /// The submitted name when it differs from `name` (e.g. `input[username]` for a struct argument).
    #[prop(optional, into)]
    input_name: Option<String>,
    /// Renders a textarea of this many rows instead of a one-line input.
    #[prop(optional)]
    rows: Option<u32>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let described = {
        let help_id = help_id.clone();
        let error_id = error_id.clone();
        let has_help = help.is_some();
        move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push(help_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium">
                {label}
                {required.then(|| view! { <span class="text-red-600" aria-hidden="true">" *"</span> })}
            </label>
            {match rows {
                None => view! {
                    <input
                        id=id
                        name=input_name.unwrap_or_else(|| name.to_string())
                        type=kind.unwrap_or("text")
                        value=value
                        aria-required=required.then_some("true")
                        aria-invalid=move || error.get().is_some().then_some("true")
                        aria-describedby=described
                        class=INPUT_CLASS
                    />
                }.into_any(),
                Some(rows) => view! {
                    <textarea
                        id=id
                        name=input_name.unwrap_or_else(|| name.to_string())
                        rows=rows
                        aria-required=required.then_some("true")
                        aria-invalid=move || error.get().is_some().then_some("true")
                        aria-describedby=described
                        class=INPUT_CLASS
                    >{value}</textarea>
                }.into_any(),
            }}
            {help.map(|h| view! { <p id=help_id class="text-xs text-slate-500 dark:text-slate-400">{h}</p> })}
            <p id=error_id class="text-sm text-red-700 dark:text-red-400">{move || error.get()}</p>
        </div>
    }
}

/// The submitted name of a form field: the server functions take the form as one struct, `input`.
fn input_name(name: &str) -> String {
    format!("input[{name}]")
}

/// The error on one field of a form.
fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field(name)))
}

/// The identity form's fields, shared by Add and Edit (named `input[…]`).
#[component]
pub fn IdentityFields(
    values: crate::model::IdentityInput,
    error: Signal<Option<crate::model::AppError>>,
) -> impl IntoView {
    let field = move |name: &'static str| field_error(error, name);
    let name_help = format!(
        "1–64 characters, none of {}",
        crate::model::FORBIDDEN_CHARS
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let more_open = !values.given_name.is_empty() || !values.family_name.is_empty();
    view! {
        <Field label="Name" name="display_name" input_name=input_name("display_name") required=true help=name_help.clone() value=values.display_name error=field("display_name") />
        <Field label="Username" name="username" input_name=input_name("username") required=true help=format!("Unique in the realm, ignoring case. {name_help}") value=values.username error=field("username") />
        <Field label="Email" name="email" input_name=input_name("email") kind="email" value=values.email error=field("email") />
        <Field label="External ID" name="external_id" input_name=input_name("external_id") help="An id from your HR or provisioning system".to_string() value=values.external_id error=field("external_id") />
        <details class="group" open=more_open>
            <summary class="cursor-pointer text-sm font-medium text-slate-700 dark:text-slate-300">"More fields"</summary>
            <div class="mt-4 flex flex-col gap-4">
                <Field label="Given name" name="given_name" input_name=input_name("given_name") value=values.given_name error=field("given_name") />
                <Field label="Family name" name="family_name" input_name=input_name("family_name") value=values.family_name error=field("family_name") />
            </div>
        </details>
    }
}

/// The group form's fields, shared by Create and Edit.
#[component]
pub fn GroupFields(
    values: crate::model::GroupInput,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let field = move |name: &'static str| field_error(error, name);
    view! {
        <Field label="Name" name="display_name" input_name=input_name("display_name") required=true help="1–64 characters".to_string() value=values.display_name error=field("display_name") />
        <Field label="Description" name="description" input_name=input_name("description") rows=3 help=format!("Up to {} characters", crate::model::MAX_DESCRIPTION_CHARS) value=values.description error=field("description") />
    }
}

/// The one-time flash of a failed plain form post for this page (see `api::back_to_form`): taken from the session
/// by the server before rendering, and carried to the browser with the page, so the form hydrates with the same
/// values and errors. `None` on a form opened normally.
pub fn use_form_flash() -> Resource<Option<crate::model::FormFlash>> {
    let taken: Option<crate::model::FormFlash> = {
        #[cfg(feature = "ssr")]
        {
            use_context::<axum::http::request::Parts>()
                .and_then(|p| p.extensions.get::<crate::model::FormFlash>().cloned())
        }
        #[cfg(not(feature = "ssr"))]
        {
            None
        }
    };
    Resource::new_blocking(
        || (),
        move |_| {
            let taken = taken.clone();
            async move { taken }
        },
    )
}

/// The error a form shows: the browser's own check first, then the last answer of its action, else the flash a
/// failed plain post left (see [`use_form_flash`]).
pub fn form_error(
    client: RwSignal<Option<AppError>>,
    last_answer: impl Fn() -> Option<Option<AppError>> + Send + Sync + 'static,
    flash: Option<AppError>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || {
        client
            .get()
            .or_else(|| last_answer().unwrap_or_else(|| flash.clone()))
    })
}
