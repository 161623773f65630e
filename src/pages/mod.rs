//! One file per screen.

pub mod groups;
pub mod identities;
pub mod not_found;
