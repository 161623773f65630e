//! A confirmation dialog for destructive or consequential actions: it names what will happen, focus lands on
//! Cancel, Escape closes it.

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
