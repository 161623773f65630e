//! One file per screen (the identity page's groups and passkeys are files of their own: `identity_groups`,
//! `identity_passkeys`).

pub mod account;
pub mod audit;
pub mod group_actions;
pub mod group_detail;
pub mod group_edit;
pub mod group_new;
pub mod groups;
pub mod identities;
pub mod identities_bulk;
pub mod identity_actions;
pub mod identity_detail;
pub mod identity_edit;
pub mod identity_groups;
pub mod identity_new;
pub mod identity_passkeys;
pub mod identity_rows;
pub mod import;
pub mod invitations;
pub mod login;
pub mod not_found;
pub mod outbox;
pub mod step_up;
