//! The Identities table's body: its rows written as one piece of HTML, every value escaped, rather than built
//! element by element. A page of 50 rows is most of a page view's work on the server, and a row built as a view
//! makes about seventy small allocations; as text it makes none of its own. The rows hold nothing reactive but
//! their checkboxes: one change handler on the body keeps the selection, and one effect sets each box's `checked`
//! from it (and enables them once the page is interactive).

use leptos::prelude::*;
use leptos::server::codee;

use crate::components::markup::unless_hydrating;
use crate::components::ready::use_ready;
use crate::components::table::{Selection, BODY_CLASS};
use crate::model::{
    encode_component_into, enrollment_label, escape_into, human_date_into, known_enrollment_label,
    AppError, IdentityRow, IdentitySearch, PageView,
};

/// The body of the Identities table: `items` as rows, each with a checkbox when `selectable`. `on_page` is each
/// row's (id, username), in the rows' order.
#[component]
pub fn IdentityRows(
    items: Vec<IdentityRow>,
    realm: String,
    selected: Selection,
    selectable: bool,
    on_page: Vec<(String, String)>,
) -> impl IntoView {
    let ready = use_ready();
    // Hydrating, the rows are already in the page and the body's HTML is not set again: none is built.
    let html = unless_hydrating(|| rows_html(&items, &realm, selectable, ready.get_untracked()));
    let body = NodeRef::<leptos::html::Tbody>::new();
    Effect::new(move |_| sync_boxes(body.get(), ready.get(), &selected.read()));
    let on_change = move |ev: leptos::ev::Event| toggled(&ev, &on_page, selected);
    view! {
        <tbody class=BODY_CLASS node_ref=body on:change=on_change inner_html=html></tbody>
    }
}

/// How the page's answer is sent for hydration: as JSON, each row reduced to its id and username
/// ([`IdentityRow::key`]). The rows are in the page's HTML already, and hydrating does not draw them again (see
/// `IdentityRows`); a later answer (another page, a search) comes whole from the server function.
pub struct RowsAsKeys;

type Answer = Result<IdentitySearch, AppError>;

impl codee::Encoder<Answer> for RowsAsKeys {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(answer: &Answer) -> Result<String, serde_json::Error> {
        match answer {
            Ok(found) => serde_json::to_string(&Ok::<_, ()>(IdentitySearch {
                page: PageView {
                    items: found.page.items.iter().map(IdentityRow::key).collect(),
                    total: found.page.total,
                    page: found.page.page,
                    size: found.page.size,
                },
                summary: found.summary.clone(),
                index: found.index.clone(),
            })),
            Err(_) => serde_json::to_string(answer),
        }
    }
}

impl codee::Decoder<Answer> for RowsAsKeys {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<Answer, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Each box checked when its row is selected; all enabled once the page is interactive.
#[cfg(feature = "hydrate")]
fn sync_boxes(
    body: Option<web_sys::HtmlTableSectionElement>,
    ready: bool,
    selected: &[(String, String)],
) {
    use wasm_bindgen::JsCast;
    let Some(body) = body else { return };
    let boxes = body.get_elements_by_tag_name("input");
    for i in 0..boxes.length() {
        if let Some(input) = boxes
            .item(i)
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            let id = input.value();
            input.set_checked(selected.iter().any(|(s, _)| *s == id));
            input.set_disabled(!ready);
        }
    }
}

#[cfg(not(feature = "hydrate"))]
fn sync_boxes<T>(_body: Option<T>, _ready: bool, _selected: &[(String, String)]) {}

/// A row's box was checked or unchecked: its row joins or leaves the selection.
#[cfg(feature = "hydrate")]
fn toggled(ev: &leptos::ev::Event, on_page: &[(String, String)], selected: Selection) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let id = input.value();
    if !input.checked() {
        selected.update(|v| v.retain(|(s, _)| *s != id));
    } else if let Some(row) = on_page.iter().find(|(i, _)| *i == id) {
        selected.update(|v| {
            if !v.iter().any(|(s, _)| *s == id) {
                v.push(row.clone());
            }
        });
    }
}

#[cfg(not(feature = "hydrate"))]
fn toggled(_ev: &leptos::ev::Event, _on_page: &[(String, String)], _selected: Selection) {}

/// The rows as HTML. What every row repeats has short class names (`style/tailwind.css`), and its cells' padding
/// comes from the row (`*:`). A box is `disabled` until the page is interactive (`ready`).
pub fn rows_html(items: &[IdentityRow], realm: &str, selectable: bool, ready: bool) -> String {
    let mut href = String::from("/realms/");
    encode_component_into(&mut href, realm);
    href.push_str("/identities/");
    let mut out = String::with_capacity(items.len() * 640);
    for i in items {
        out.push_str(
            r#"<tr class="*:px-4 *:py-2.5 hover:bg-slate-50 dark:hover:bg-slate-800/60">"#,
        );
        if selectable {
            out.push_str(r#"<td><input type="checkbox" class="checkbox" aria-label="Select "#);
            escape_into(&mut out, &i.username);
            out.push_str(r#"" value=""#);
            escape_into(&mut out, &i.id);
            out.push_str(if ready {
                r#""></td>"#
            } else {
                r#"" disabled></td>"#
            });
        }
        // The realm and the id percent-encoded: nothing in them to escape.
        out.push_str(r#"<td class="font-medium"><a class="row-link" href=""#);
        out.push_str(&href);
        encode_component_into(&mut out, &i.id);
        out.push_str(r#"">"#);
        escape_into(&mut out, &i.username);
        out.push_str("</a></td><td>");
        escape_into(&mut out, &i.display_name);
        out.push_str(r#"</td><td class="muted">"#);
        if i.email.is_empty() {
            out.push_str(r#"<span class="text-slate-400">—</span>"#);
        } else {
            escape_into(&mut out, &i.email);
        }
        out.push_str(if i.suspended {
            r#"</td><td><span class="badge badge-suspended">Suspended</span></td><td class="muted">"#
        } else {
            r#"</td><td><span class="badge badge-active">Active</span></td><td class="muted">"#
        });
        match known_enrollment_label(&i.enrollment) {
            Some(label) => out.push_str(label),
            None => escape_into(&mut out, &enrollment_label(&i.enrollment)),
        }
        out.push_str(r#"</td><td class="muted"><time datetime=""#);
        escape_into(&mut out, &i.created);
        out.push_str(r#"" title=""#);
        escape_into(&mut out, &i.created);
        out.push_str(r#"">"#);
        human_date_into(&mut out, &i.created);
        out.push_str("</time></td></tr>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(username: &str, display_name: &str, email: &str) -> IdentityRow {
        IdentityRow {
            id: "0123abcd".into(),
            username: username.into(),
            display_name: display_name.into(),
            email: email.into(),
            suspended: false,
            enrollment: "ENROLLED".into(),
            created: "2026-11-28T14:03:00Z".into(),
        }
    }

    #[test]
    fn a_row_says_what_the_identity_is_and_nothing_it_holds_is_markup() {
        let html = rows_html(
            &[row("ada\"><b>", "<img src=x onerror=alert(1)>", "")],
            "realm 1",
            true,
            false,
        );
        assert_eq!(
            html,
            concat!(
                r#"<tr class="*:px-4 *:py-2.5 hover:bg-slate-50 dark:hover:bg-slate-800/60">"#,
                r#"<td><input type="checkbox" class="checkbox" aria-label="Select ada&quot;&gt;&lt;b&gt;" value="0123abcd" disabled></td>"#,
                r#"<td class="font-medium"><a class="row-link" href="/realms/realm%201/identities/0123abcd">ada&quot;&gt;&lt;b&gt;</a></td>"#,
                r#"<td>&lt;img src=x onerror=alert(1)&gt;</td>"#,
                r#"<td class="muted"><span class="text-slate-400">—</span></td>"#,
                r#"<td><span class="badge badge-active">Active</span></td>"#,
                r#"<td class="muted">Enrolled</td>"#,
                r#"<td class="muted"><time datetime="2026-11-28T14:03:00Z" title="2026-11-28T14:03:00Z">28 Nov 2026</time></td></tr>"#,
            )
        );
    }

    #[test]
    fn a_status_or_date_the_console_does_not_know_is_shown_as_given_and_escaped() {
        let mut odd = row("ada", "Ada", "ada@example.com");
        odd.enrollment = "NEW_STATE".into();
        odd.created = "<soon>".into();
        let html = rows_html(&[odd], "r", false, true);
        assert!(
            html.contains(r#"<td class="muted">New state</td>"#),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<time datetime="&lt;soon&gt;" title="&lt;soon&gt;">&lt;soon&gt;</time>"#
            ),
            "{html}"
        );
    }

    #[test]
    fn the_hydration_data_holds_each_rows_id_and_username_and_reads_back() {
        use codee::{Decoder, Encoder};
        let found = IdentitySearch {
            page: PageView {
                items: vec![row("ada", "Ada", "ada@example.com")],
                total: 61,
                page: 2,
                size: 50,
            },
            summary: vec![],
            index: Default::default(),
        };
        let text = RowsAsKeys::encode(&Ok(found.clone())).unwrap();
        assert!(text.contains(r#""items":[["0123abcd","ada"]]"#), "{text}");
        assert!(!text.contains("ada@example.com"), "{text}");
        let back = RowsAsKeys::decode(&text).unwrap().unwrap();
        assert_eq!(back.page.items, vec![found.page.items[0].key()]);
        assert_eq!(
            (back.page.total, back.page.page, back.page.size),
            (61, 2, 50)
        );
        let failed: Answer = Err(AppError::new("BI is down"));
        assert_eq!(
            RowsAsKeys::decode(&RowsAsKeys::encode(&failed).unwrap()).unwrap(),
            failed
        );
    }

    #[test]
    fn boxes_only_when_rows_can_be_selected_and_enabled_once_ready() {
        let items = [row("ada", "Ada", "ada@example.com")];
        assert!(!rows_html(&items, "r", false, true).contains("checkbox"));
        let ready = rows_html(&items, "r", true, true);
        assert!(ready.contains(r#"value="0123abcd"></td>"#), "{ready}");
        assert!(ready.contains(r#"<td class="muted">ada@example.com</td>"#));
    }
}
