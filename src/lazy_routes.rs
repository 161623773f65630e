//! The routes whose code the browser loads when one of them is first opened (a `--split` release build makes each
//! its own wasm chunk): every screen but the Identities list, where the console opens. Each page reads its data as
//! before; only its code waits for its chunk. Built without `--split`, they are ordinary routes.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

#[derive(Clone, Copy)]
pub struct NewIdentityRoute;

#[lazy_route]
impl LazyRoute for NewIdentityRoute {
    fn data() -> Self {
        NewIdentityRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::identity_new::NewIdentityPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct IdentityDetailRoute;

#[lazy_route]
impl LazyRoute for IdentityDetailRoute {
    fn data() -> Self {
        IdentityDetailRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::identity_detail::IdentityDetailPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct EditIdentityRoute;

#[lazy_route]
impl LazyRoute for EditIdentityRoute {
    fn data() -> Self {
        EditIdentityRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::identity_edit::EditIdentityPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct GroupsRoute;

#[lazy_route]
impl LazyRoute for GroupsRoute {
    fn data() -> Self {
        GroupsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::groups::GroupsPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct NewGroupRoute;

#[lazy_route]
impl LazyRoute for NewGroupRoute {
    fn data() -> Self {
        NewGroupRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::group_new::NewGroupPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct GroupDetailRoute;

#[lazy_route]
impl LazyRoute for GroupDetailRoute {
    fn data() -> Self {
        GroupDetailRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::group_detail::GroupDetailPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct EditGroupRoute;

#[lazy_route]
impl LazyRoute for EditGroupRoute {
    fn data() -> Self {
        EditGroupRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::group_edit::EditGroupPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct AuditRoute;

#[lazy_route]
impl LazyRoute for AuditRoute {
    fn data() -> Self {
        AuditRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::audit::AuditPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct OutboxRoute;

#[lazy_route]
impl LazyRoute for OutboxRoute {
    fn data() -> Self {
        OutboxRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::outbox::OutboxPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct ImportUploadRoute;

#[lazy_route]
impl LazyRoute for ImportUploadRoute {
    fn data() -> Self {
        ImportUploadRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::import::ImportUploadPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct ImportRoute;

#[lazy_route]
impl LazyRoute for ImportRoute {
    fn data() -> Self {
        ImportRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::import::ImportPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct InvitationsRoute;

#[lazy_route]
impl LazyRoute for InvitationsRoute {
    fn data() -> Self {
        InvitationsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::invitations::InvitationsPage /> }.into_any()
    }
}

#[derive(Clone, Copy)]
pub struct LoginRoute;

#[lazy_route]
impl LazyRoute for LoginRoute {
    fn data() -> Self {
        LoginRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <crate::pages::login::LoginPage /> }.into_any()
    }
}
