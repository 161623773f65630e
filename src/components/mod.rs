//! Reusable pieces of the interface, and the parts of screens that are more than one screen's worth: the member
//! picker and the group chooser.

pub mod activity;
pub mod deferred;
pub mod dialog;
pub mod error;
pub mod form;
pub mod form_page;
pub mod freshness;
pub mod group_chooser;
pub mod layout;
pub mod markup;
pub mod member_picker;
pub mod pager;
pub mod poll;
pub mod ready;
pub mod step_up;
pub mod table;
pub mod webauthn;
