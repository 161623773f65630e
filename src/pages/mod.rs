//! One file per screen (and the group page's member dialogs).

pub mod audit;
pub mod group_detail;
pub mod group_edit;
pub mod group_new;
pub mod groups;
pub mod identities;
pub mod identity_detail;
pub mod identity_edit;
pub mod identity_groups;
pub mod identity_new;
pub mod login;
pub mod member_picker;
pub mod not_found;
