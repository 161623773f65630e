//! Parts of a screen written as HTML text (an element's `inner_html`) instead of views: the parts a page view
//! draws on every request and that hold no control of their own (the sidebar's links, the top bar, sort heads,
//! the pager's links, option lists). Each is the same markup its views would make, without their per-element
//! work: on the server no view tree is walked and no static attribute escaped again, and in the browser a
//! hydrating page does not walk, look up or watch their elements, and builds none of their HTML (see [`Markup`]).
//! Links in them are plain `<a href>`: the router follows them in place once the page is interactive, the browser
//! before.

use std::sync::Arc;

use leptos::prelude::{IntoAttributeValue, RenderEffect};
use leptos::tachys::html::element::InnerHtmlValue;
use leptos::tachys::renderer::{types::Element, Rndr};

use crate::model::escape_into;

/// An element's HTML, made by `make` when the element is rendered on the server, built or drawn again in the
/// browser, and not when it is hydrated: the server's HTML is the element's already. Used as `inner_html=`, or
/// returned by a closure there to be drawn again when what it reads changes.
pub struct Markup<F>(F);

impl<F: FnOnce() -> String + Send> Markup<F> {
    pub fn new(make: F) -> Self {
        Markup(make)
    }
}

// `inner_html=` in `view!` takes its value through this conversion.
impl<F: FnOnce() -> String + Send> IntoAttributeValue for Markup<F> {
    type Output = Self;

    fn into_attribute_value(self) -> Self {
        self
    }
}

impl<F: FnOnce() -> String + Send> InnerHtmlValue for Markup<F> {
    type AsyncOutput = Self;
    /// The element, and the HTML set on it (none yet: the server's).
    type State = (Element, Option<String>);
    type Cloneable = Arc<str>;
    type CloneableOwned = Arc<str>;

    fn html_len(&self) -> usize {
        0
    }

    fn to_html(self, buf: &mut String) {
        buf.push_str(&(self.0)());
    }

    fn to_template(_buf: &mut String) {}

    fn hydrate<const FROM_SERVER: bool>(self, el: &Element) -> Self::State {
        if FROM_SERVER {
            (el.clone(), None)
        } else {
            self.build(el)
        }
    }

    fn build(self, el: &Element) -> Self::State {
        let html = (self.0)();
        Rndr::set_inner_html(el, &html);
        (el.clone(), Some(html))
    }

    fn rebuild(self, state: &mut Self::State) {
        let html = (self.0)();
        if state.1.as_ref() != Some(&html) {
            Rndr::set_inner_html(&state.0, &html);
            state.1 = Some(html);
        }
    }

    fn into_cloneable(self) -> Self::Cloneable {
        (self.0)().into()
    }

    fn into_cloneable_owned(self) -> Self::CloneableOwned {
        (self.0)().into()
    }

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> Self::AsyncOutput {
        self
    }
}

/// [`Markup`] drawn again whenever what `make` reads changes (the first time, hydrated or built as `Markup` is).
pub struct Live<F>(F);

impl<F, G> Live<F>
where
    F: FnMut() -> Markup<G> + Send + 'static,
    G: FnOnce() -> String + Send + 'static,
{
    pub fn new(make: F) -> Self {
        Live(make)
    }
}

impl<F, G> IntoAttributeValue for Live<F>
where
    F: FnMut() -> Markup<G> + Send + 'static,
    G: FnOnce() -> String + Send + 'static,
{
    type Output = Self;

    fn into_attribute_value(self) -> Self {
        self
    }
}

impl<F, G> InnerHtmlValue for Live<F>
where
    F: FnMut() -> Markup<G> + Send + 'static,
    G: FnOnce() -> String + Send + 'static,
{
    type AsyncOutput = Self;
    type State = RenderEffect<<Markup<G> as InnerHtmlValue>::State>;
    type Cloneable = Arc<str>;
    type CloneableOwned = Arc<str>;

    fn html_len(&self) -> usize {
        0
    }

    fn to_html(mut self, buf: &mut String) {
        (self.0)().to_html(buf);
    }

    fn to_template(_buf: &mut String) {}

    fn hydrate<const FROM_SERVER: bool>(mut self, el: &Element) -> Self::State {
        let el = el.clone();
        RenderEffect::new(move |state| match state {
            Some(mut state) => {
                (self.0)().rebuild(&mut state);
                state
            }
            None => (self.0)().hydrate::<FROM_SERVER>(&el),
        })
    }

    fn build(mut self, el: &Element) -> Self::State {
        let el = el.clone();
        RenderEffect::new(move |state| match state {
            Some(mut state) => {
                (self.0)().rebuild(&mut state);
                state
            }
            None => (self.0)().build(&el),
        })
    }

    fn rebuild(mut self, state: &mut Self::State) {
        let drawn = state.take_value();
        *state = RenderEffect::new_with_value(
            move |state| {
                let mut state = state.expect("drawn before");
                (self.0)().rebuild(&mut state);
                state
            },
            drawn,
        );
    }

    fn into_cloneable(mut self) -> Self::Cloneable {
        (self.0)().into_cloneable()
    }

    fn into_cloneable_owned(mut self) -> Self::CloneableOwned {
        (self.0)().into_cloneable_owned()
    }

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> Self::AsyncOutput {
        self
    }
}

/// `<a href="…" class="…"…>text</a>`: `href` and `text` escaped; `attrs` (more attributes, each after a space)
/// written as given, so only literals belong there.
pub fn push_link(out: &mut String, href: &str, class: &str, attrs: &str, text: &str) {
    out.push_str(r#"<a href=""#);
    escape_into(out, href);
    out.push_str(r#"" class=""#);
    out.push_str(class);
    out.push('"');
    out.push_str(attrs);
    out.push('>');
    escape_into(out, text);
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
    fn markup_is_made_when_rendered() {
        let mut page = String::from("<p>");
        Markup::new(|| "<b>made</b>".to_string()).to_html(&mut page);
        assert_eq!(page, "<p><b>made</b>");
    }
}
