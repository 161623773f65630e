//! The frame around every realm screen: sidebar (realm picker, Directory navigation), top bar (target badge), content.

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate, use_params_map};

use crate::components::deferred::Deferred;

use crate::api::get_frame;
use crate::model::{Action, AppError, Frame, OperatorView};

/// The signed-in operator with the rest of the page's frame (console information, realms): read once per page by
/// the layout (one server call) and shared with the sidebar, the top bar and the pages.
#[derive(Clone, Copy)]
pub struct Me(pub OnceResource<Result<Frame, AppError>>);

/// What the signed-in operator may do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Perms(pub Option<OperatorView>);

impl Perms {
    pub fn can(&self, action: Action) -> bool {
        self.0.as_ref().is_some_and(|o| o.can(action))
    }
}

impl Me {
    /// The operator's permissions, awaited (inside a page's `Suspend`, so the server renders the right controls).
    pub async fn perms(self) -> Perms {
        Perms(self.0.await.ok().map(|f| f.operator))
    }

    /// The permissions once loaded (for controls that appear only after the operator interacts).
    pub fn perms_now(self) -> Perms {
        Perms(self.0.with(|f| {
            f.as_ref()
                .and_then(|f| f.as_ref().ok())
                .map(|f| f.operator.clone())
        }))
    }
}

/// The layout's [`Me`]; outside a realm screen, one of its own.
pub fn use_me() -> Me {
    use_context::<Me>().unwrap_or_else(|| Me(OnceResource::new(get_frame())))
}

#[component]
pub fn RealmLayout() -> impl IntoView {
    let params = use_params_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let me = Me(OnceResource::new(get_frame()));
    provide_context(me);
    // On a phone the menu closes once a page is chosen (in place, after hydration; before it, a link loads a new
    // page with the menu closed anyway).
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        if let Some(menu) = document().get_element_by_id("sidebar-menu") {
            let _ = menu.remove_attribute("open");
        }
    });

    view! {
        <div class="flex min-h-screen flex-col md:flex-row">
            // The aside runs the page's full height (its background and border with it); its content stays in
            // view. Below the md breakpoint it is a bar whose menu opens and closes without any script (<details>).
            <aside class="shrink-0 border-b border-slate-200 bg-white md:w-64 md:border-b-0 md:border-r dark:border-slate-800 dark:bg-slate-900">
                <div class="flex flex-col gap-4 px-4 py-3 md:sticky md:top-0 md:h-screen md:gap-6 md:overflow-y-auto md:py-5">
                    <div class="flex items-center justify-between gap-2">
                        <a href=move || format!("/realms/{}/identities", realm.get()) class="flex items-center gap-2 text-lg font-semibold tracking-tight">
                            <span class="inline-block h-6 w-6 rounded-md bg-indigo-600"></span>
                            "Identity Console"
                        </a>
                    </div>
                    <details id="sidebar-menu" class="sidebar-menu group">
                        <summary class="flex cursor-pointer list-none items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 md:hidden dark:border-slate-700">
                            <span aria-hidden="true">"☰"</span>
                            <span>"Menu"</span>
                        </summary>
                        <div class="mt-3 flex flex-col gap-6 md:mt-0">
                            <RealmPicker realm=realm />
                            <nav aria-label="Directory" class="flex flex-col gap-1 text-sm">
                                <p class="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">"Directory"</p>
                                <NavLink realm=realm section="identities" label="Identities" />
                                <NavLink realm=realm section="groups" label="Groups" />
                            </nav>
                            <nav aria-label="Console" class="flex flex-col gap-1 text-sm">
                                <p class="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">"Console"</p>
                                <NavLink realm=realm section="audit" label="Audit" />
                                <SandboxLinks realm=realm />
                            </nav>
                        </div>
                    </details>
                </div>
            </aside>
            <div class="flex min-w-0 flex-1 flex-col">
                <TopBar me=me />
                <main class="flex-1 px-4 py-5 md:px-8 md:py-6">
                    <Outlet />
                </main>
            </div>
        </div>
    }
}

/// In sandbox mode, the sandbox's outbox (the invitations it "emailed").
#[component]
fn SandboxLinks(realm: Memo<String>) -> impl IntoView {
    let me = use_me();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.0.await.ok().filter(|f| f.info.sandbox).map(|_| view! { <NavLink realm=realm section="outbox" label="Sandbox outbox" /> })
            })}
        </Suspense>
    }
}

#[component]
fn NavLink(realm: Memo<String>, section: &'static str, label: &'static str) -> impl IntoView {
    let location = use_location();
    let href = move || format!("/realms/{}/{section}", realm.get());
    // Read once per change of the path or the realm by the three attributes that show it, without a string made.
    let active = Memo::new(move |_| {
        location.pathname.with(|path| {
            realm.with(|realm| {
                path.strip_prefix("/realms/")
                    .and_then(|rest| rest.strip_prefix(realm.as_str()))
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|rest| rest.starts_with(section))
            })
        })
    });
    view! {
        <a
            href=href
            aria-current=move || active.get().then_some("page")
            class="rounded-md px-2 py-1.5 font-medium text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800"
            class=("bg-slate-100", move || active.get())
            class=("dark:bg-slate-800", move || active.get())
        >
            {label}
        </a>
    }
}

/// Picks the realm: a plain GET form (works before the wasm loads), switching on change once hydrated.
#[component]
fn RealmPicker(realm: Memo<String>) -> impl IntoView {
    let me = use_me();
    let navigate = use_navigate();
    let on_change = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        if !chosen.is_empty() {
            navigate(&format!("/realms/{chosen}/identities"), Default::default());
        }
    };
    view! {
        <form method="get" action="/switch-realm" class="flex flex-col gap-1">
            <label for="realm-picker" class="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500">"Realm"</label>
            <div class="flex gap-2">
                <Suspense fallback=|| view! { <select id="realm-picker" disabled class="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-800"><option>"Loading…"</option></select> }>
                    {move || {
                        let on_change = on_change.clone();
                        Suspend::new(async move {
                        match me.0.await.and_then(|f| f.realms) {
                            Ok(list) => Deferred::new(move || {
                                let current = realm.get_untracked();
                                let known = list.iter().any(|r| r.id == current);
                                view! {
                                    <select
                                        id="realm-picker"
                                        name="realm"
                                        on:change=on_change.clone()
                                        class="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-800"
                                    >
                                        {(!known).then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> })}
                                        {list
                                            .into_iter()
                                            .map(|r| {
                                                let selected = r.id == current;
                                                view! { <option value=r.id.clone() selected=selected>{r.display_name.clone()}</option> }
                                            })
                                            .collect_view()}
                                    </select>
                                }
                            })
                            .into_any(),
                            Err(e) => view! {
                                <p role="alert" class="text-xs text-red-700 dark:text-red-300">{e.full_message()}</p>
                            }
                                .into_any(),
                        }
                    })
                    }}
                </Suspense>
                <noscript>
                    <button type="submit" class="rounded-md border border-slate-300 px-2 text-sm">"Open"</button>
                </noscript>
            </div>
        </form>
    }
}

/// Where the console points ("Sandbox", or the BI region and tenant), and who is signed in, with Sign out.
#[component]
fn TopBar(me: Me) -> impl IntoView {
    view! {
        <header class="sticky top-0 z-10 flex min-h-14 flex-wrap items-center justify-end gap-x-3 gap-y-1 border-b border-slate-200 bg-white/90 px-4 py-2 backdrop-blur md:px-8 dark:border-slate-800 dark:bg-slate-900/90">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.0.await.ok().map(|Frame { operator, info, .. }| Deferred::new(move || {
                        let badge = if info.sandbox {
                            view! {
                                <span
                                    id="mode-badge"
                                    title=format!("Embedded sandbox, tenant {}", info.tenant_id)
                                    class="rounded-full bg-amber-100 px-3 py-1 text-xs font-semibold text-amber-900 dark:bg-amber-900/40 dark:text-amber-200"
                                >
                                    "Sandbox"
                                </span>
                            }
                                .into_any()
                        } else {
                            view! {
                                <span
                                    id="mode-badge"
                                    title=format!("Beyond Identity {}, tenant {}", info.target_label, info.tenant_id)
                                    class="rounded-full bg-emerald-100 px-3 py-1 text-xs font-semibold text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200"
                                >
                                    {format!("BI {} · tenant {}", info.target_label, info.tenant_id)}
                                </span>
                            }
                                .into_any()
                        };
                        view! {
                            {badge}
                            <span id="signed-in-as" class="text-sm text-slate-600 dark:text-slate-300">
                                <span class="font-medium text-slate-900 dark:text-slate-100">{operator.username}</span>
                                {format!(" · {}", operator.role.as_str())}
                            </span>
                            <form method="post" action="/sign-out">
                                <button type="submit" class="rounded-md px-2 py-1 text-sm font-medium text-slate-600 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800">
                                    "Sign out"
                                </button>
                            </form>
                        }
                    }))
                })}
            </Suspense>
        </header>
    }
}
