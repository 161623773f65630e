//! The proof that an operator may do one kind of write in one realm. BI's write calls take a [`Permit`], and the
//! only way to make one is [`Permit::check`], so a server function that forgets the role and realm check does not
//! compile; the permit's action is in its type, so a check for one action cannot open another's call.

use std::marker::PhantomData;

use crate::model::{Action, OperatorView};

/// A kind of write, as a type: `Permit<act::DeleteGroup>` opens `delete_group` and nothing else.
pub trait Act {
    const ACTION: Action;
}

/// The kinds of write, one type each.
pub mod act {
    use super::Act;
    use crate::model::Action;

    macro_rules! acts {
        ($($name:ident),* $(,)?) => {
            $(
                #[doc = concat!("The permission `Action::", stringify!($name), "`.")]
                #[derive(Debug)]
                pub struct $name;
                impl Act for $name {
                    const ACTION: Action = Action::$name;
                }
            )*
        };
    }

    acts! {
        CreateIdentity, EditIdentity, SetStatus, DeleteIdentity, CreateGroup, EditGroup, DeleteGroup, ManageMembers,
        Invite, RevokePasskey,
    }
}

/// The kinds of write that may PATCH an identity: an edit, and a status change.
pub trait PatchesIdentity: Act {}
impl PatchesIdentity for act::EditIdentity {}
impl PatchesIdentity for act::SetStatus {}

/// Why a permit was not given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the operator's role does not allow {0:?}")]
    Role(Action),
    #[error("the operator may not use this realm")]
    Realm,
}

/// Permission for `operator` to do `A` in `realm`, checked when it was made.
#[derive(Debug)]
pub struct Permit<A: Act> {
    operator: OperatorView,
    realm: String,
    act: PhantomData<A>,
}

impl<A: Act> Permit<A> {
    /// The one door: the operator's role must allow `A` and their realm list must include `realm`.
    pub fn check(operator: &OperatorView, realm: &str) -> Result<Permit<A>, Refusal> {
        if !operator.can(A::ACTION) {
            return Err(Refusal::Role(A::ACTION));
        }
        if !operator.may_use(realm) {
            return Err(Refusal::Realm);
        }
        Ok(Permit {
            operator: operator.clone(),
            realm: realm.to_string(),
            act: PhantomData,
        })
    }

    /// The realm this permit is for; BI's write calls go to this realm and no other.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    pub fn operator(&self) -> &OperatorView {
        &self.operator
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    fn operator(role: Role, realms: Option<Vec<String>>) -> OperatorView {
        OperatorView {
            username: "op".into(),
            role,
            realms,
        }
    }

    #[test]
    fn permits_follow_role_and_realm() {
        let helpdesk = operator(Role::Helpdesk, Some(vec!["r1".into()]));
        assert!(Permit::<act::ManageMembers>::check(&helpdesk, "r1").is_ok());
        assert_eq!(
            Permit::<act::DeleteGroup>::check(&helpdesk, "r1").unwrap_err(),
            Refusal::Role(Action::DeleteGroup)
        );
        assert_eq!(
            Permit::<act::ManageMembers>::check(&helpdesk, "r2").unwrap_err(),
            Refusal::Realm
        );
        let admin = operator(Role::Admin, None);
        let p = Permit::<act::DeleteGroup>::check(&admin, "any").unwrap();
        assert_eq!(p.realm(), "any");
        let viewer = operator(Role::Viewer, None);
        assert!(Permit::<act::CreateIdentity>::check(&viewer, "r1").is_err());
    }
}
