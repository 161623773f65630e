//! The proof that an operator may do one kind of write in one realm. BI's write calls take a [`Permit`], and the
//! only way to make one is [`Permit::check`], so a server function that forgets the role and realm check does not
//! compile; the permit's action is in its type, so a check for one action cannot open another's call.
//!
//! A write on existing identities (an edit, a status change, a delete, an invitation, a revocation) also names
//! them: BI's calls for those take a [`Target`] or [`Targets`], made only by [`Permit::on`] / [`Permit::split`]
//! against a [`Protection`] read from BI for those identities. A member of a protected group
//! (`CONSOLE_PROTECTED_GROUPS`) is a target for an admin only: that rule is written here, once.
//!
//! A consequential write ([`Act::STEP_UP`]: deleting identities or groups, suspending many at once, an import that
//! suspends or removes members, revoking a passkey) needs more than the role: the operator must have authenticated
//! recently ([`Confirmed`], made from the session by the guard). Without it the permit is refused with
//! [`Refusal::StepUp`], and the console asks the operator to confirm it is them, then carries on.

use std::marker::PhantomData;

use crate::model::{Action, Group, OperatorView, Role};

/// A kind of write, as a type: `Permit<act::DeleteGroup>` opens `delete_group` and nothing else.
pub trait Act {
    const ACTION: Action;
    /// A consequential write: its permit needs a recent authentication ([`Confirmed`]).
    const STEP_UP: bool = false;
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

    macro_rules! consequential {
        ($($name:ident = $action:ident: $doc:literal),* $(,)?) => {
            $(
                #[doc = $doc]
                #[derive(Debug)]
                pub struct $name;
                impl Act for $name {
                    const ACTION: Action = Action::$action;
                    const STEP_UP: bool = true;
                }
            )*
        };
    }

    acts! {
        CreateIdentity, EditIdentity, SetStatus, CreateGroup, EditGroup, ManageMembers, Invite,
    }

    consequential! {
        DeleteIdentity = DeleteIdentity: "Deleting identities (one or many): asks for a recent authentication.",
        DeleteGroup = DeleteGroup: "Deleting a group: asks for a recent authentication.",
        RevokePasskey = RevokePasskey: "Revoking a passkey: asks for a recent authentication.",
        SuspendMany = SetStatus: "Suspending identities in bulk: asks for a recent authentication.",
        ApplyRemovals = CreateIdentity: "Applying an import that suspends identities or removes members: asks for a recent authentication.",
    }
}

/// The kinds of write that may PATCH an identity: an edit, and a status change.
pub trait PatchesIdentity: OnIdentity {}
impl PatchesIdentity for act::EditIdentity {}
impl PatchesIdentity for act::SetStatus {}
impl PatchesIdentity for act::SuspendMany {}

/// The kinds of write that act on identities that exist: each names its identities through a [`Target`] or
/// [`Targets`], so the protected-identity rule applies to it.
pub trait OnIdentity: Act {}
impl OnIdentity for act::EditIdentity {}
impl OnIdentity for act::SetStatus {}
impl OnIdentity for act::DeleteIdentity {}
impl OnIdentity for act::Invite {}
impl OnIdentity for act::RevokePasskey {}
impl OnIdentity for act::SuspendMany {}

/// Why a permit was not given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the operator's role does not allow {0:?}")]
    Role(Action),
    #[error("the operator may not use this realm")]
    Realm,
    #[error("a member of a protected group is changed by an admin only")]
    Protected(Vec<String>),
    #[error("the identities were not checked for protection")]
    Unchecked,
    #[error("this needs a recent authentication")]
    StepUp,
}

/// The proof that the operator authenticated recently: made only by [`Confirmed::within`], from when their session
/// last authenticated them. A consequential write's permit needs one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmed {
    operator: String,
}

impl Confirmed {
    /// The rule: `operator` authenticated at `authenticated` (Unix seconds) counts as confirmed while no more than
    /// `window` has passed by `now`.
    pub fn within(operator: &str, authenticated: i64, window: std::time::Duration, now: i64) -> Option<Confirmed> {
        (authenticated <= now && now - authenticated <= window.as_secs() as i64).then(|| Confirmed {
            operator: operator.to_string(),
        })
    }
}

/// Permission for `operator` to do `A` in `realm`, checked when it was made.
#[derive(Debug)]
pub struct Permit<A: Act> {
    operator: OperatorView,
    realm: String,
    act: PhantomData<A>,
}

impl<A: Act> Permit<A> {
    /// The door for work that no one confirms (jobs, the command line): as [`check_confirmed`](Self::check_confirmed)
    /// with no confirmation, so a consequential write is refused.
    pub fn check(operator: &OperatorView, realm: &str) -> Result<Permit<A>, Refusal> {
        Self::check_confirmed(operator, realm, None)
    }

    /// The one door: the operator's role must allow `A`, their realm list must include `realm`, and a consequential
    /// write needs `confirmed` for this operator.
    pub fn check_confirmed(
        operator: &OperatorView,
        realm: &str,
        confirmed: Option<&Confirmed>,
    ) -> Result<Permit<A>, Refusal> {
        if !operator.can(A::ACTION) {
            return Err(Refusal::Role(A::ACTION));
        }
        if !operator.may_use(realm) {
            return Err(Refusal::Realm);
        }
        if A::STEP_UP && confirmed.is_none_or(|c| c.operator != operator.username) {
            return Err(Refusal::StepUp);
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

/// What BI says about the identities a write names: which are members of a protected group. Made only by
/// [`Protection::read`]; with no protected group configured, or for an admin, nothing needs reading.
#[derive(Debug)]
pub struct Protection {
    realm: String,
    /// The operator it was read for: the rule depends on their role.
    operator: String,
    /// `None`: every identity of the realm was covered (or the rule does not apply).
    checked: Option<std::collections::HashSet<String>>,
    protected: std::collections::HashSet<String>,
}

/// The BI reads [`Protection::read`] needs (`bi::Client` answers them).
pub trait Membership {
    type Error;
    /// Every group `identity` belongs to.
    fn groups_of(
        &self,
        realm: &str,
        identity: &str,
    ) -> impl std::future::Future<Output = Result<Vec<Group>, Self::Error>> + Send;
    /// Every group of the realm.
    fn groups(
        &self,
        realm: &str,
    ) -> impl std::future::Future<Output = Result<Vec<Group>, Self::Error>> + Send;
    /// The ids of every member of `group`.
    fn member_ids(
        &self,
        realm: &str,
        group: &str,
    ) -> impl std::future::Future<Output = Result<Vec<String>, Self::Error>> + Send;
}

/// Whether `group` is one of `protected` (`CONSOLE_PROTECTED_GROUPS`: ids, or names ignoring case).
pub fn is_protected_group(protected: &[String], group: &Group) -> bool {
    protected
        .iter()
        .any(|p| *p == group.id || p.eq_ignore_ascii_case(&group.display_name))
}

impl Protection {
    /// Reads from BI which of `ids` are members of a protected group, for `operator` in `realm`. Nothing is read
    /// when the rule cannot refuse (an admin, or no protected group). One identity: its groups; more: the members
    /// of the realm's protected groups.
    pub async fn read<M: Membership + Sync>(
        directory: &M,
        operator: &OperatorView,
        realm: &str,
        protected_groups: &[String],
        ids: &[String],
    ) -> Result<Protection, M::Error> {
        let mut p = Protection {
            realm: realm.to_string(),
            operator: operator.username.clone(),
            checked: None,
            protected: Default::default(),
        };
        if operator.role == Role::Admin || protected_groups.is_empty() || ids.is_empty() {
            return Ok(p);
        }
        if let [id] = ids {
            let groups = directory.groups_of(realm, id).await?;
            if groups.iter().any(|g| is_protected_group(protected_groups, g)) {
                p.protected.insert(id.clone());
            }
            p.checked = Some([id.clone()].into());
            return Ok(p);
        }
        for g in directory.groups(realm).await? {
            if is_protected_group(protected_groups, &g) {
                p.protected.extend(directory.member_ids(realm, &g.id).await?);
            }
        }
        Ok(p)
    }

    /// Whether `id` is a member of a protected group (as far as this read knows).
    pub fn is_protected(&self, id: &str) -> bool {
        self.protected.contains(id)
    }

    fn covers(&self, operator: &OperatorView, realm: &str, id: &str) -> bool {
        self.realm == realm
            && self.operator == operator.username
            && self.checked.as_ref().is_none_or(|c| c.contains(id))
    }
}

/// A permit for `A` on one identity that the protected-identity rule allows.
#[derive(Debug)]
pub struct Target<'p, A: OnIdentity> {
    permit: &'p Permit<A>,
    id: String,
}

/// A permit for `A` on identities that the protected-identity rule allows.
#[derive(Debug)]
pub struct Targets<'p, A: OnIdentity> {
    permit: &'p Permit<A>,
    ids: Vec<String>,
}

impl<A: OnIdentity> Permit<A> {
    /// This permit on `id`: refused when `id` is a member of a protected group and the operator is not an admin.
    pub fn on(&self, id: &str, protection: &Protection) -> Result<Target<'_, A>, Refusal> {
        let (mut allowed, refused) = self.split(std::slice::from_ref(&id.to_string()), protection)?;
        if !refused.is_empty() {
            return Err(Refusal::Protected(refused));
        }
        Ok(Target {
            permit: self,
            id: allowed.ids.pop().ok_or(Refusal::Unchecked)?,
        })
    }

    /// This permit on those of `ids` the rule allows, and the ids it refuses (members of a protected group).
    pub fn split(
        &self,
        ids: &[String],
        protection: &Protection,
    ) -> Result<(Targets<'_, A>, Vec<String>), Refusal> {
        if ids.iter().any(|id| !protection.covers(&self.operator, &self.realm, id)) {
            return Err(Refusal::Unchecked);
        }
        let (refused, allowed): (Vec<String>, Vec<String>) =
            ids.iter().cloned().partition(|id| protection.is_protected(id));
        Ok((
            Targets {
                permit: self,
                ids: allowed,
            },
            refused,
        ))
    }
}

impl<A: OnIdentity> Target<'_, A> {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn realm(&self) -> &str {
        self.permit.realm()
    }
    pub fn permit(&self) -> &Permit<A> {
        self.permit
    }
}

impl<A: OnIdentity> Targets<'_, A> {
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
    pub fn realm(&self) -> &str {
        self.permit.realm()
    }
    pub fn permit(&self) -> &Permit<A> {
        self.permit
    }
    /// The identity `id` as a [`Target`] of its own, if these targets hold it.
    pub fn get(&self, id: &str) -> Option<Target<'_, A>> {
        self.ids.iter().any(|i| i == id).then(|| Target {
            permit: self.permit,
            id: id.to_string(),
        })
    }
    /// These targets narrowed to `ids` (a chunk of a larger write); ids it does not hold are left out.
    pub fn only(&self, ids: &[String]) -> Targets<'_, A> {
        let held: std::collections::HashSet<&str> = self.ids.iter().map(String::as_str).collect();
        Targets {
            permit: self.permit,
            ids: ids.iter().filter(|i| held.contains(i.as_str())).cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let now = 1_000_000;
        let fresh = Confirmed::within("op", now - 60, std::time::Duration::from_secs(600), now);
        let p = Permit::<act::DeleteGroup>::check_confirmed(&admin, "any", fresh.as_ref()).unwrap();
        assert_eq!(p.realm(), "any");
        let viewer = operator(Role::Viewer, None);
        assert!(Permit::<act::CreateIdentity>::check(&viewer, "r1").is_err());
    }

    #[test]
    fn a_consequential_write_needs_a_recent_authentication_of_the_same_operator() {
        let admin = operator(Role::Admin, None);
        let window = std::time::Duration::from_secs(600);
        let now = 1_000_000;
        assert_eq!(
            Permit::<act::DeleteIdentity>::check(&admin, "r1").unwrap_err(),
            Refusal::StepUp,
            "no confirmation (a job, the command line)"
        );
        let stale = Confirmed::within("op", now - 601, window, now);
        assert_eq!(stale, None, "older than the window");
        let edge = Confirmed::within("op", now - 600, window, now);
        assert!(Permit::<act::SuspendMany>::check_confirmed(&admin, "r1", edge.as_ref()).is_ok());
        assert_eq!(Confirmed::within("op", now + 5, window, now), None, "not from the future");
        let someone_else = Confirmed::within("other", now, window, now);
        assert_eq!(
            Permit::<act::RevokePasskey>::check_confirmed(&admin, "r1", someone_else.as_ref()).unwrap_err(),
            Refusal::StepUp
        );
        // Ordinary writes need none; the role still comes first.
        assert!(Permit::<act::SetStatus>::check(&admin, "r1").is_ok());
        let viewer = operator(Role::Viewer, None);
        let fresh = Confirmed::within("op", now, window, now);
        assert_eq!(
            Permit::<act::ApplyRemovals>::check_confirmed(&viewer, "r1", fresh.as_ref()).unwrap_err(),
            Refusal::Role(Action::CreateIdentity)
        );
    }

    /// BI's answers for the rule's tests: ada is in "Admins" (protected), grace in "Staff".
    struct Fake;
    fn group(id: &str, name: &str) -> Group {
        serde_json::from_value(serde_json::json!({"id": id, "display_name": name})).unwrap()
    }
    impl Membership for Fake {
        type Error = ();
        async fn groups_of(&self, _: &str, identity: &str) -> Result<Vec<Group>, ()> {
            Ok(match identity {
                "ada" => vec![group("g1", "Admins"), group("g2", "Staff")],
                _ => vec![group("g2", "Staff")],
            })
        }
        async fn groups(&self, _: &str) -> Result<Vec<Group>, ()> {
            Ok(vec![group("g1", "Admins"), group("g2", "Staff")])
        }
        async fn member_ids(&self, _: &str, g: &str) -> Result<Vec<String>, ()> {
            Ok(match g {
                "g1" => vec!["ada".into()],
                _ => vec!["ada".into(), "grace".into()],
            })
        }
    }

    #[tokio::test]
    async fn a_protected_identity_is_a_target_for_admins_only() {
        let protected = vec!["admins".to_string()];
        let helpdesk = operator(Role::Helpdesk, None);
        let permit = Permit::<act::SetStatus>::check(&helpdesk, "r1").unwrap();
        let one = |id: &str| vec![id.to_string()];
        let p = Protection::read(&Fake, &helpdesk, "r1", &protected, &one("ada")).await.unwrap();
        assert_eq!(
            permit.on("ada", &p).unwrap_err(),
            Refusal::Protected(one("ada"))
        );
        // A read for ada covers ada only.
        assert_eq!(permit.on("grace", &p).unwrap_err(), Refusal::Unchecked);
        let p = Protection::read(&Fake, &helpdesk, "r1", &protected, &one("grace")).await.unwrap();
        assert_eq!(permit.on("grace", &p).unwrap().id(), "grace");
        // Many: the members of the protected groups.
        let both = vec!["ada".to_string(), "grace".to_string()];
        let p = Protection::read(&Fake, &helpdesk, "r1", &protected, &both).await.unwrap();
        let (allowed, refused) = permit.split(&both, &p).unwrap();
        assert_eq!((allowed.ids(), refused), (&one("grace")[..], one("ada")));
        // Another realm's read opens nothing here.
        let other = Permit::<act::SetStatus>::check(&helpdesk, "r2").unwrap();
        assert_eq!(other.split(&both, &p).unwrap_err(), Refusal::Unchecked);
        // An admin may.
        let admin = operator(Role::Admin, None);
        let permit = Permit::<act::EditIdentity>::check(&admin, "r1").unwrap();
        let p = Protection::read(&Fake, &admin, "r1", &protected, &one("ada")).await.unwrap();
        assert_eq!(permit.on("ada", &p).unwrap().id(), "ada");
    }
}
