//! The screens a split build loads when one of them is first opened: every screen but the Identities list, where the
//! console opens. With the `split` feature (and `cargo leptos … --split`) each is a lazy route whose view is a wasm
//! chunk of its own; its page reads its data as before, only its code waits for the chunk. Without it they are plain
//! routes (the lazy macros need the splitter's step, so an unsplit build must not use them).
//!
//! `screen!(Route, Page)` is the route's view either way.

#[cfg(feature = "split")]
use leptos::prelude::*;
#[cfg(feature = "split")]
use leptos_router::{lazy_route, LazyRoute};

/// The view of a screen's route: its lazy route in a split build, its page otherwise.
#[cfg(feature = "split")]
macro_rules! screen {
    ($route:ident, $page:path) => {
        leptos_router::Lazy::<$crate::lazy_routes::$route>::new()
    };
}

#[cfg(not(feature = "split"))]
macro_rules! screen {
    ($route:ident, $page:path) => {
        $page
    };
}

pub(crate) use screen;

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct NewIdentityRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for NewIdentityRoute {
    fn data() -> Self {
        NewIdentityRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::identity_new::NewIdentityPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct IdentityDetailRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for IdentityDetailRoute {
    fn data() -> Self {
        IdentityDetailRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::identity_detail::IdentityDetailPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct EditIdentityRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for EditIdentityRoute {
    fn data() -> Self {
        EditIdentityRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::identity_edit::EditIdentityPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct GroupsRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for GroupsRoute {
    fn data() -> Self {
        GroupsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::groups::GroupsPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct NewGroupRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for NewGroupRoute {
    fn data() -> Self {
        NewGroupRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::group_new::NewGroupPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct GroupDetailRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for GroupDetailRoute {
    fn data() -> Self {
        GroupDetailRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::group_detail::GroupDetailPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct EditGroupRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for EditGroupRoute {
    fn data() -> Self {
        EditGroupRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::group_edit::EditGroupPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct AuditRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for AuditRoute {
    fn data() -> Self {
        AuditRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::audit::AuditPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct OutboxRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for OutboxRoute {
    fn data() -> Self {
        OutboxRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::outbox::OutboxPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct ImportUploadRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for ImportUploadRoute {
    fn data() -> Self {
        ImportUploadRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::import::ImportUploadPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct ImportRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for ImportRoute {
    fn data() -> Self {
        ImportRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::import::ImportPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct InvitationsRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for InvitationsRoute {
    fn data() -> Self {
        InvitationsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::invitations::InvitationsPage /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[derive(Clone, Copy)]
pub struct LoginRoute;

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for LoginRoute {
    fn data() -> Self {
        LoginRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::login::LoginPage /> }.into_any()
    }
}
