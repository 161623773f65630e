//! Adding members to a group: the member picker (search, select, or every result of a search) and a pasted list
//! of usernames, each a dialog opened from the members' heading.

use leptos::prelude::*;

use super::{report, Outcome};
use crate::api::{AddGroupMembers, AddGroupMembersByUsernames, AddGroupMembersMatching};
use crate::components::form::SECONDARY_BUTTON;
use crate::components::member_picker::{MemberPicker, PasteMembers};
use crate::components::ready::not_ready;

/// The three ways of adding members, and which dialog is open.
#[derive(Clone, Copy)]
pub struct Adding {
    pub picked: ServerAction<AddGroupMembers>,
    pub matching: ServerAction<AddGroupMembersMatching>,
    pub pasted: ServerAction<AddGroupMembersByUsernames>,
    picker_open: RwSignal<bool>,
    paste_open: RwSignal<bool>,
}

impl Adding {
    /// The actions, their results reported in `outcome`.
    pub fn new(outcome: Outcome) -> Adding {
        let adding = Adding {
            picked: ServerAction::new(),
            matching: ServerAction::new(),
            pasted: ServerAction::new(),
            picker_open: RwSignal::new(false),
            paste_open: RwSignal::new(false),
        };
        report(adding.picked, outcome, true);
        report(adding.matching, outcome, true);
        report(adding.pasted, outcome, true);
        adding
    }

    /// Changes made so far (the members' page reads again after each).
    pub fn version(&self) -> usize {
        self.picked.version().get() + self.matching.version().get() + self.pasted.version().get()
    }
}

/// "Add members" and "Add by usernames".
#[component]
pub fn AddMembersButtons(adding: Adding) -> impl IntoView {
    view! {
        <div class="flex gap-2">
            <button type="button" class=SECONDARY_BUTTON disabled=not_ready() on:click=move |_| adding.picker_open.set(true)>"Add members"</button>
            <button type="button" class=SECONDARY_BUTTON disabled=not_ready() on:click=move |_| adding.paste_open.set(true)>"Add by usernames"</button>
        </div>
    }
}

/// The picker's and the pasted list's dialogs.
#[component]
pub fn AddMembersDialogs(
    adding: Adding,
    realm: String,
    group: String,
    group_name: String,
) -> impl IntoView {
    view! {
        <MemberPicker open=adding.picker_open realm=realm.clone() group=group.clone() group_name=group_name.clone() action=adding.picked add_all=adding.matching />
        <PasteMembers open=adding.paste_open realm=realm group=group group_name=group_name action=adding.pasted />
    }
}
