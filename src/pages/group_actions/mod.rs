//! The operator's actions on one group, one file each: adding members (through the picker or a pasted list),
//! removing members (per row or the selection), deleting the group (or emptying and deleting it). Each holds its
//! server action and its own state in a small `Copy` value the group's page makes once; the page only places the
//! action's controls, outcome and dialogs.

pub mod add_members;
pub mod delete_group;
pub mod remove_members;

use leptos::prelude::*;

use crate::components::member_picker::MembershipCall;
use crate::model::AppError;

/// The outcome of the last membership change, shown above the members.
pub type Outcome = RwSignal<Option<Result<Vec<String>, AppError>>>;

/// Shows an action's result in `outcome` as soon as it arrives.
pub(super) fn report<A: MembershipCall>(action: ServerAction<A>, outcome: Outcome, adding: bool) {
    Effect::new(move |_| {
        if let Some(r) = action.value().get() {
            outcome.set(Some(r.map(|r| r.lines(adding))));
        }
    });
}
