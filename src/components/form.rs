//! Form pieces: a labelled field with help text and its error under it.

use leptos::prelude::*;

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
            <input
                id=id
                name=name
                type=kind.unwrap_or("text")
                value=value
                aria-required=required.then_some("true")
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
                class="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-950"
            />
            {help.map(|h| view! { <p id=help_id class="text-xs text-slate-500 dark:text-slate-400">{h}</p> })}
            <p id=error_id class="text-sm text-red-700 dark:text-red-400">{move || error.get()}</p>
        </div>
    }
}
