//! Parts of a screen written as HTML text (an element's `inner_html`) instead of views: the parts a page view
//! draws on every request and that hold no control of their own (the sidebar's links, the top bar, sort heads,
//! the pager's links, option lists). Each is the same markup its views would make, without their per-element
//! work: on the server no view tree is walked and no static attribute escaped again, and in the browser a
//! hydrating page does not walk, look up or watch their elements (hydration does not set an element's HTML,
//! so none is built then; see [`unless_hydrating`]). Links in them are plain `<a href>`: the router follows them
//! in place once the page is interactive, the browser before.

use crate::model::escape_into;

/// Whether the view is being hydrated (in the browser, from the server's page).
pub fn hydrating() -> bool {
    cfg!(feature = "hydrate")
        && leptos::prelude::Owner::current_shared_context()
            .is_some_and(|context| context.during_hydration())
}

/// `make()`, except while hydrating: the element's HTML is in the page already and is not set again.
pub fn unless_hydrating(make: impl FnOnce() -> String) -> String {
    if hydrating() {
        String::new()
    } else {
        make()
    }
}

/// `<a href="…" class="…"…>text</a>`: `href` and `text` escaped; `attrs` (more attributes, each after a space)
/// written as given, so only literals belong there.
pub fn push_link(out: &mut String, href: &str, class: &str, attrs: &str, text: &str) {
    push_link_around(out, href, class, attrs, |out| escape_into(out, text));
}

/// `<a href="…" class="…"…>`, then what `inner` writes (escaping the values it writes), then `</a>`: a link whose
/// text holds markup of its own. `href` is escaped; `attrs` as in [`push_link`].
pub fn push_link_around(
    out: &mut String,
    href: &str,
    class: &str,
    attrs: &str,
    inner: impl FnOnce(&mut String),
) {
    out.push_str(r#"<a href=""#);
    escape_into(out, href);
    out.push_str(r#"" class=""#);
    out.push_str(class);
    out.push('"');
    out.push_str(attrs);
    out.push('>');
    inner(out);
    out.push_str("</a>");
}

/// `<option value="…">label</option>` for each `(value, label)`, the one whose value is `selected` marked so.
pub fn options_html<'a>(
    options: impl IntoIterator<Item = (&'a str, &'a str)>,
    selected: &str,
) -> String {
    let mut out = String::new();
    for (value, label) in options {
        out.push_str(r#"<option value=""#);
        escape_into(&mut out, value);
        out.push_str(if value == selected {
            r#"" selected>"#
        } else {
            r#"">"#
        });
        escape_into(&mut out, label);
        out.push_str("</option>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_escape_their_address_and_text() {
        let mut out = String::new();
        push_link(&mut out, "?q=a&b=\"c\"", "k", r#" rel="next""#, "<Next>");
        assert_eq!(
            out,
            r#"<a href="?q=a&amp;b=&quot;c&quot;" class="k" rel="next">&lt;Next&gt;</a>"#
        );
    }

    #[test]
    fn a_link_around_markup_escapes_its_address() {
        let mut out = String::new();
        push_link_around(&mut out, "?a=1&b=2", "k", "", |out| {
            out.push_str("<b>");
            escape_into(out, "x<y");
            out.push_str("</b>");
        });
        assert_eq!(out, r#"<a href="?a=1&amp;b=2" class="k"><b>x&lt;y</b></a>"#);
    }

    #[test]
    fn options_mark_the_selected_one() {
        assert_eq!(
            options_html([("", "Any"), ("a&b", "A & B")], "a&b"),
            r#"<option value="">Any</option><option value="a&amp;b" selected>A &amp; B</option>"#
        );
        assert_eq!(
            options_html([("", "Any"), ("x", "X")], ""),
            r#"<option value="" selected>Any</option><option value="x">X</option>"#
        );
    }

    #[test]
    fn outside_a_browser_nothing_is_hydrating() {
        assert!(!hydrating());
        assert_eq!(unless_hydrating(|| "made".into()), "made");
    }
}
