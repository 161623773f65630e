//! Reusable pieces of the interface.

pub mod error;
pub mod layout;
pub mod pager;
