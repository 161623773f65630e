//! Reusable pieces of the interface.

pub mod activity;
pub mod dialog;
pub mod error;
pub mod form;
pub mod layout;
pub mod pager;
pub mod ready;
pub mod table;
