//! One file per screen.

pub mod group_detail;
pub mod groups;
pub mod identities;
pub mod identity_detail;
pub mod identity_edit;
pub mod identity_new;
pub mod not_found;
