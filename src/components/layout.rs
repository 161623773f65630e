//! The frame around every realm screen: sidebar (realm picker, Directory navigation), top bar (target badge), content.

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate, use_params_map};

use crate::components::deferred::Deferred;
use crate::components::markup::{options_html, push_link, unless_hydrating};
use crate::components::ready::use_ready;

use crate::api::get_frame;
use crate::model::{encode_component_into, escape_into, Action, AppError, Frame, OperatorView};

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

    /// Whether the operator is an admin (who alone changes protected groups and their members).
    pub fn is_admin(&self) -> bool {
        self.0
            .as_ref()
            .is_some_and(|o| o.role == crate::model::Role::Admin)
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
                            <SidebarLinks realm=realm />
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

/// The sidebar's sections as HTML (see `markup`), the open one marked; drawn again as the page moves.
#[component]
fn SidebarLinks(realm: Memo<String>) -> impl IntoView {
    let me = use_me();
    let location = use_location();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // The outbox's links complete enrollments: it is listed for those who may send invitations.
                let sandbox = me.0.await.is_ok_and(|f| f.info.sandbox && f.operator.can(crate::model::Action::Invite));
                // Drawn again when the open section changes, not on every move inside one; and once when the page
                // has hydrated, in case a link was followed while part of it was still waiting for its code (the
                // page hydrated as the server drew it, for the section it has left).
                let open = Memo::new(move |_| location.pathname.with(|path| realm.with(|realm| open_section(realm, path))));
                let ready = use_ready();
                let html = move || {
                    ready.track();
                    let (realm, open) = (realm.get(), open.get());
                    unless_hydrating(|| sidebar_html(&realm, open, sandbox))
                };
                view! { <div class="flex flex-col gap-6" inner_html=html></div> }
            })}
        </Suspense>
    }
}

/// The sidebar's section `path` is in, when it is one of `realm`'s.
fn open_section(realm: &str, path: &str) -> Option<&'static str> {
    let rest = path
        .strip_prefix("/realms/")
        .and_then(|rest| rest.strip_prefix(realm))
        .and_then(|rest| rest.strip_prefix('/'))?;
    ["identities", "groups", "audit", "outbox"]
        .into_iter()
        .find(|section| rest.starts_with(section))
}

/// The Directory section (Identities, Groups) and the Console section (Audit; in sandbox mode, the sandbox's
/// outbox: the invitations it "emailed"), each link to `realm`'s screen; the `open` one marked as the page.
fn sidebar_html(realm: &str, open: Option<&str>, sandbox: bool) -> String {
    macro_rules! link_class {
        () => {
            "rounded-md px-2 py-1.5 font-medium text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800"
        };
    }
    const LINK: &str = link_class!();
    // The open section's link: marked as the hovered one is.
    const OPEN: &str = concat!(link_class!(), " bg-slate-100 dark:bg-slate-800");
    let mut base = String::from("/realms/");
    encode_component_into(&mut base, realm);
    base.push('/');
    let console: &[(&str, &str)] = if sandbox {
        &[("audit", "Audit"), ("outbox", "Sandbox outbox")]
    } else {
        &[("audit", "Audit")]
    };
    let sections = [
        (
            "Directory",
            &[("identities", "Identities"), ("groups", "Groups")][..],
        ),
        ("Console", console),
    ];
    let mut out = String::new();
    for (name, links) in sections {
        out.push_str(r#"<nav aria-label=""#);
        out.push_str(name);
        out.push_str(r#"" class="flex flex-col gap-1 text-sm"><p class="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">"#);
        out.push_str(name);
        out.push_str("</p>");
        for &(section, label) in links {
            let href = format!("{base}{section}");
            if open == Some(section) {
                push_link(&mut out, &href, OPEN, r#" aria-current="page""#, label);
            } else {
                push_link(&mut out, &href, LINK, "", label);
            }
        }
        out.push_str("</nav>");
    }
    out
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
                                // The options as HTML (see `markup`); a realm not in the list (one typed into the
                                // address) first, so the picker still says where the page is.
                                let current = realm.get_untracked();
                                let options = unless_hydrating(|| {
                                    let known = list.iter().any(|r| r.id == current);
                                    let unknown = (!known).then_some((current.as_str(), current.as_str()));
                                    let realms = list.iter().map(|r| (r.id.as_str(), r.display_name.as_str()));
                                    options_html(unknown.into_iter().chain(realms), &current)
                                });
                                view! {
                                    <select
                                        id="realm-picker"
                                        name="realm"
                                        on:change=on_change.clone()
                                        class="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-800"
                                        inner_html=options
                                    ></select>
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

/// Where the console points ("Sandbox", or the BI region and tenant), and who is signed in, with Sign out (as HTML,
/// see `markup`).
#[component]
fn TopBar(me: Me) -> impl IntoView {
    view! {
        <header class="sticky top-0 z-10 flex min-h-14 flex-wrap items-center justify-end gap-x-3 gap-y-1 border-b border-slate-200 bg-white/90 px-4 py-2 backdrop-blur md:px-8 dark:border-slate-800 dark:bg-slate-900/90">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.0.await.ok().map(|frame| Deferred::new(move || {
                        let html = unless_hydrating(|| top_bar_html(&frame));
                        view! { <div class="contents" inner_html=html></div> }
                    }))
                })}
            </Suspense>
        </header>
    }
}

fn top_bar_html(Frame { operator, info, .. }: &Frame) -> String {
    let mut out = String::from(r#"<span id="mode-badge" title=""#);
    if info.sandbox {
        out.push_str("Embedded sandbox, tenant ");
        escape_into(&mut out, &info.tenant_id);
        out.push_str(r#"" class="rounded-full bg-amber-100 px-3 py-1 text-xs font-semibold text-amber-900 dark:bg-amber-900/40 dark:text-amber-200">Sandbox"#);
    } else {
        out.push_str("Beyond Identity ");
        escape_into(&mut out, &info.target_label);
        out.push_str(", tenant ");
        escape_into(&mut out, &info.tenant_id);
        out.push_str(r#"" class="rounded-full bg-emerald-100 px-3 py-1 text-xs font-semibold text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200">BI "#);
        escape_into(&mut out, &info.target_label);
        out.push_str(" · tenant ");
        escape_into(&mut out, &info.tenant_id);
    }
    out.push_str(r#"</span><span id="signed-in-as" class="text-sm text-slate-600 dark:text-slate-300"><span class="font-medium text-slate-900 dark:text-slate-100">"#);
    escape_into(&mut out, &operator.username);
    out.push_str("</span> · ");
    out.push_str(operator.role.as_str());
    out.push_str(r#"</span><a href="/account" class="rounded-md px-2 py-1 text-sm font-medium text-slate-600 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800">Account</a><form method="post" action="/sign-out"><button type="submit" class="rounded-md px-2 py-1 text-sm font-medium text-slate-600 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800">Sign out</button></form>"#);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConsoleInfo, Role};

    #[test]
    fn the_sidebar_marks_the_open_section_of_its_realm() {
        assert_eq!(open_section("r1", "/realms/r1/groups/g9"), Some("groups"));
        assert_eq!(open_section("r1", "/realms/r10/identities"), None);
        assert_eq!(open_section("r1", "/realms/r1/import"), None);
        let html = sidebar_html("r1", Some("groups"), false);
        assert!(html.contains(r#"<nav aria-label="Directory""#), "{html}");
        assert!(html.contains(r#"<a href="/realms/r1/groups" class="rounded-md px-2 py-1.5 font-medium text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800 bg-slate-100 dark:bg-slate-800" aria-current="page">Groups</a>"#), "{html}");
        assert_eq!(html.matches("aria-current").count(), 1, "{html}");
        assert!(!html.contains("outbox"), "{html}");
        // The sandbox adds its outbox.
        let html = sidebar_html("r1", None, true);
        assert!(!html.contains("aria-current"), "{html}");
        assert!(html.contains(r#"href="/realms/r1/outbox""#), "{html}");
        // A realm that needs encoding is encoded in the links.
        assert!(sidebar_html("a b", None, false).contains(r#"href="/realms/a%20b/audit""#));
    }

    #[test]
    fn the_top_bar_escapes_what_it_shows() {
        let frame = |sandbox| Frame {
            operator: OperatorView {
                username: "<eve>".into(),
                role: Role::Helpdesk,
                realms: None,
            },
            info: ConsoleInfo {
                sandbox,
                target_label: "eu".into(),
                tenant_id: "t\"1".into(),
                default_realm: String::new(),
                bi_sign_in: false,
                password_sign_in: true,
            },
            realms: Ok(Vec::new()),
        };
        let html = top_bar_html(&frame(true));
        assert!(
            html.contains(r#"title="Embedded sandbox, tenant t&quot;1""#),
            "{html}"
        );
        assert!(
            html.contains(">&lt;eve&gt;</span> · helpdesk</span>"),
            "{html}"
        );
        assert!(
            html.contains(r#"<form method="post" action="/sign-out"><button type="submit""#),
            "{html}"
        );
        let html = top_bar_html(&frame(false));
        assert!(
            html.contains(r#"title="Beyond Identity eu, tenant t&quot;1""#),
            "{html}"
        );
        assert!(html.contains(">BI eu · tenant t&quot;1</span>"), "{html}");
    }
}
