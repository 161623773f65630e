//! One file per screen.

pub mod identities;
pub mod not_found;
