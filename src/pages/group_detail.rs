//! One group: its name, description and members (paged through BI's `:listMembers`, with the total).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::get_group;
use crate::components::error::ErrorBanner;
use crate::components::pager::{encode_component, Pager};
use crate::components::table::{DataTable, StatusBadge};
use crate::pages::identities::page_and_size;

#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let realm = Memo::new(move |_| params.read().get("realm").unwrap_or_default());
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let (page, size) = page_and_size(query);
    let data = Resource::new(
        move || (realm.get(), id.get(), page.get(), size.get()),
        |(realm, id, page, size)| get_group(realm, id, page, size),
    );
    view! {
        <div class="mx-auto flex max-w-5xl flex-col gap-5">
            <a href=move || format!("/realms/{}/groups", realm.get()) class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">"← Groups"</a>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading group…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorBanner error=e /> }.into_any(),
                        Ok(detail) => {
                            let realm = realm.get_untracked();
                            let m = detail.members;
                            let shown = m.items.len();
                            let rows = m
                                .items
                                .into_iter()
                                .map(|i| {
                                    let href = format!("/realms/{}/identities/{}", encode_component(&realm), encode_component(&i.id));
                                    view! {
                                        <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/60">
                                            <td class="px-4 py-2.5 font-medium"><a href=href class="text-indigo-700 hover:underline dark:text-indigo-300">{i.username().to_string()}</a></td>
                                            <td class="px-4 py-2.5">{i.display_name.clone()}</td>
                                            <td class="px-4 py-2.5 text-slate-600 dark:text-slate-400">{i.email().to_string()}</td>
                                            <td class="px-4 py-2.5"><StatusBadge suspended=i.is_suspended() /></td>
                                        </tr>
                                    }
                                })
                                .collect_view();
                            view! {
                                <div>
                                    <h1 class="text-2xl font-semibold tracking-tight">{detail.group.display_name.clone()}</h1>
                                    <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">{detail.group.description.clone().unwrap_or_default()}</p>
                                </div>
                                <section aria-labelledby="members-heading" class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
                                    <h2 id="members-heading" class="px-4 pt-4 text-lg font-semibold">{format!("Members ({})", m.total)}</h2>
                                    {if shown == 0 {
                                        view! { <p id="empty-state" class="p-4 text-sm text-slate-600 dark:text-slate-400">"This group has no members."</p> }.into_any()
                                    } else {
                                        view! {
                                            <DataTable columns=&["Username", "Name", "Email", "Status"]>{rows}</DataTable>
                                            <Pager page=m.page size=m.size shown=shown total=m.total />
                                        }.into_any()
                                    }}
                                </section>
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}
