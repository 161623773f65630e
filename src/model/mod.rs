//! Types and rules shared by the server and the browser (the wasm): BI's resources as the console reads them,
//! the forms' validation (one rule for the form and the server), paging, errors, and operators' roles.
//!
//! The types follow BI's Management API v1 (`Identity`, `Traits_v0`, `Group`, `Realm`). Every field BI may omit is
//! optional and unknown fields are ignored, so a newer BI answer still decodes. Nothing here depends on
//! server-only code: the conversions into BI's request bodies live in `bi::forms`.

mod access;
mod bulk;
mod errors;
mod forms;
mod group;
mod identity;
mod import;
mod invitations;
mod new_identity;
mod paging;
mod passkey;
mod realm;
mod search;
mod text;
pub use access::*;
pub use bulk::*;
pub use errors::*;
pub use forms::*;
pub use group::*;
pub use identity::*;
pub use import::*;
pub use invitations::*;
pub use new_identity::*;
pub use paging::*;
pub use passkey::*;
pub use realm::*;
pub use search::*;
pub use text::*;

/// The only traits schema BI defines.
pub const TRAITS_V0: &str = "traits_v0";
/// Bounds on what one request from the browser may ask for (stated in the README). A request over a bound is
/// refused whole (400) before anything is sent to BI.
pub mod limits {
    /// Identities selected for one bulk action or one membership change.
    pub const MAX_SELECTED_IDS: usize = 10_000;
    /// Groups an identity joins in one request.
    pub const MAX_GROUPS_AT_ONCE: usize = 200;
    /// Usernames in one pasted list (each is one lookup at BI).
    pub const MAX_PASTED_USERNAMES: usize = 1_000;
}
/// BI's ceiling for ids in one `:addMembers`, `:deleteMembers` or `:batchDelete` call.
pub const MAX_BATCH_IDS: usize = 1000;
