//! Dialogs: a modal panel (Escape closes it, focus moves into it), and on it a confirmation for destructive or
//! consequential actions that names what will happen, with focus on Cancel.

use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    /// Dialog title, e.g. "Delete identity?"
    #[prop(into)]
    title: Signal<String>,
    /// Exactly what will happen, e.g. "Delete ada.lovelace (Ada Lovelace). This cannot be undone."
    #[prop(into)]
    body: Signal<String>,
    /// The confirming button's text, e.g. "Delete identity".
    #[prop(into)]
    confirm_label: Signal<String>,
    #[prop(optional)] danger: bool,
    #[prop(into)] pending: Signal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if open.get() {
            if let Some(button) = cancel_ref.get() {
                let _ = button.focus();
            }
        }
    });
    let confirm_class = if danger {
        "rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 disabled:opacity-60"
    } else {
        "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-60"
    };
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex items-center justify-center bg-slate-900/50 p-4">
                <div
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="confirm-title"
                    aria-describedby="confirm-body"
                    class="w-full max-w-md rounded-lg bg-white p-6 shadow-xl dark:bg-slate-900"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            open.set(false);
                        }
                    }
                >
                    <h2 id="confirm-title" class="text-lg font-semibold">{move || title.get()}</h2>
                    <p id="confirm-body" class="mt-2 text-sm text-slate-600 dark:text-slate-300">{move || body.get()}</p>
                    <div class="mt-6 flex justify-end gap-2">
                        <button
                            type="button"
                            node_ref=cancel_ref
                            on:click=move |_| open.set(false)
                            class="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:hover:bg-slate-800"
                        >
                            "Cancel"
                        </button>
                        <button
                            type="button"
                            class=confirm_class
                            disabled=move || pending.get()
                            on:click=move |_| on_confirm.run(())
                        >
                            {move || if pending.get() { "Working…".to_string() } else { confirm_label.get() }}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// A modal panel titled `title`, shown while `open`. Escape and the Close button close it; on opening, focus moves
/// to the element with `autofocus` inside it (or the Close button).
#[component]
pub fn Modal(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    /// Id of the title element, for `aria-labelledby`.
    id: &'static str,
    #[prop(optional)] wide: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let close_ref = NodeRef::<leptos::html::Button>::new();
    let panel_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if open.get() {
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                let target = panel_ref
                    .get()
                    .and_then(|p| p.query_selector("[autofocus]").ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                match target {
                    Some(t) => {
                        let _ = t.focus();
                    }
                    None => {
                        if let Some(b) = close_ref.get() {
                            let _ = b.focus();
                        }
                    }
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (panel_ref, close_ref);
        }
    });
    let width = if wide { "max-w-2xl" } else { "max-w-lg" };
    let title_id = format!("{id}-title");
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-30 flex items-start justify-center overflow-y-auto bg-slate-900/50 p-4 sm:pt-16">
                <div
                    node_ref=panel_ref
                    id=id
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby=title_id.clone()
                    class=format!("w-full {width} rounded-lg bg-white p-6 shadow-xl dark:bg-slate-900")
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            open.set(false);
                        }
                    }
                >
                    <div class="flex items-start justify-between gap-4">
                        <h2 id=title_id.clone() class="text-lg font-semibold">{move || title.get()}</h2>
                        <button type="button" node_ref=close_ref aria-label="Close" on:click=move |_| open.set(false)
                            class="rounded px-2 text-xl leading-none text-slate-500 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800">
                            "×"
                        </button>
                    </div>
                    {children()}
                </div>
            </div>
        </Show>
    }
}
