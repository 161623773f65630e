//! A view made when it is rendered, not before.
//!
//! On the server a `Suspense` walks its children once more after their data has arrived (`dry_resolve`, to find
//! reads it has not seen yet), and throws away what that walk made: a `Suspend` whose data is ready then builds its
//! whole view twice, once for the walk and once for the page. For the Identities list that was 50 rows built and
//! dropped on every page view. A view wrapped in `Deferred` is made only when it is rendered (or hydrated, or
//! mounted), so the walk costs nothing.
//!
//! Only for a view made of data already awaited: a resource read inside it would not be seen by the walk.

use leptos::tachys::html::attribute::{any_attribute::AnyAttribute, Attribute};
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::{add_attr::AddAnyAttr, Position, PositionState, Render, RenderHtml};

/// The view `make` returns, made when it is rendered.
pub struct Deferred<F>(F);

impl<F, V> Deferred<F>
where
    F: FnOnce() -> V,
{
    pub fn new(make: F) -> Self {
        Deferred(make)
    }
}

impl<F, V> Render for Deferred<F>
where
    F: FnOnce() -> V,
    V: Render,
{
    type State = V::State;

    fn build(self) -> Self::State {
        (self.0)().build()
    }

    fn rebuild(self, state: &mut Self::State) {
        (self.0)().rebuild(state)
    }
}

impl<F, V> AddAnyAttr for Deferred<F>
where
    F: FnOnce() -> V + Send,
    V: RenderHtml + AddAnyAttr,
{
    type Output<SomeNewAttr: Attribute> = V::Output<SomeNewAttr>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        (self.0)().add_any_attr(attr)
    }
}

impl<F, V> RenderHtml for Deferred<F>
where
    F: FnOnce() -> V + Send + 'static,
    V: RenderHtml,
{
    type AsyncOutput = V::AsyncOutput;
    type Owned = Self;

    const MIN_LENGTH: usize = 0;

    /// Nothing to find: the view is made of data already awaited.
    fn dry_resolve(&mut self) {}

    fn resolve(self) -> impl std::future::Future<Output = Self::AsyncOutput> + Send {
        (self.0)().resolve()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        (self.0)().to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        (self.0)().to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        )
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        (self.0)().hydrate::<FROM_SERVER>(cursor, position)
    }

    fn hydrate_async(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> impl std::future::Future<Output = Self::State> {
        (self.0)().hydrate_async(cursor, position)
    }

    fn into_owned(self) -> Self::Owned {
        self
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::Deferred;
    use leptos::prelude::*;
    use leptos::tachys::view::RenderHtml;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn made_only_when_rendered_not_by_the_walk() {
        let made = Arc::new(AtomicUsize::new(0));
        let counted = made.clone();
        let mut deferred = Deferred::new(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            view! { <p class="row">"made"</p> }
        });
        deferred.dry_resolve();
        assert_eq!(made.load(Ordering::SeqCst), 0, "the walk made the view");
        let html = deferred.to_html();
        assert_eq!(made.load(Ordering::SeqCst), 1);
        assert!(html.starts_with(r#"<p class="row">made"#), "{html}");
    }
}
