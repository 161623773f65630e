//! Add identity, as BI's own dialog does it and a little further: the identity, then the groups it joins and a
//! passkey invitation by email with the authenticator configuration chosen. Everything that can be checked is
//! checked before the identity is created (the form's rules, that each group exists and may be joined, that the
//! configuration is the realm's), so bad input writes nothing. After that each part is tried and reported on its
//! own: a failed invitation does not undo the identity or its groups. The report waits in the operator's session
//! for the new identity's page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{AfterCreate, AppError, AuthenticatorConfig, CreationReport, IdentityInput};
#[cfg(feature = "ssr")]
use ssr::*;
#[cfg(feature = "ssr")]
use {
    super::checks::{allow_in, permit, state},
    super::errors,
    crate::model::{FieldError, Group, NewIdentity, ReportLine},
    crate::permit::{act, Permit},
};

/// What the Add identity form offers in a realm: its authenticator configurations and the one to start from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationChoices {
    pub configs: Vec<AuthenticatorConfig>,
    pub default_config: String,
}

/// The authenticator configurations for the form's invitation, and the default: the one last used in the realm.
#[server(output = crate::api::codec::TextJson)]
pub async fn new_identity_options(realm: String) -> Result<InvitationChoices, AppError> {
    use crate::preferences::INVITATION_CONFIG;
    allow_in(crate::model::Action::CreateIdentity, &realm).await?;
    let configs = super::passkeys::realm_configs(&realm).await?;
    let remembered = state()?.preference(&realm, INVITATION_CONFIG).await;
    Ok(InvitationChoices {
        default_config: crate::model::default_config(&configs, remembered.as_deref()),
        configs,
    })
}

/// Adds an identity, then (as the form asked) adds it to groups and sends it a passkey invitation by email. The
/// form's rules and BI's own errors land on their fields. On success the browser goes to the new identity's page,
/// which shows what happened to each part.
#[server(output = crate::api::codec::TextJson)]
pub async fn create_identity(
    realm: String,
    input: IdentityInput,
    #[server(default)] then: AfterCreate,
) -> Result<String, AppError> {
    use crate::bi::forms::ToBi;
    use crate::model::encode_component as enc;
    let form = NewIdentity { input, then };
    let posted = super::forms::Posted {
        form: format!("/realms/{}/identities/new", enc(&realm)),
        values: form.pairs(),
        problems: form.validate(),
    };
    let write = async |p: &Permit<act::CreateIdentity>| {
        let plan = plan(&realm, &form).await?;
        let input = &form.input;
        let svc = super::checks::service_of(p)?;
        let event = |created: &Result<crate::model::Identity, AppError>| {
            let id = created.as_ref().map(|i| i.id.clone()).unwrap_or_default();
            let action = crate::model::AuditAction::IdentityCreate;
            crate::audit::Event::new(action, &realm, &id, input.username.trim(), input.describe())
        };
        let body = input.to_create();
        let call = svc.state.client.create_identity_verified(p, &body);
        let indexed = |created: &crate::model::Identity| {
            Some(crate::service::Indexed::Put(Box::new(created.clone())))
        };
        let created = svc.write("create identity", call, event, indexed).await?;
        let lines = follow_up(&created, plan).await;
        keep_report(CreationReport {
            realm: realm.clone(),
            identity: created.id.clone(),
            lines,
        })
        .await;
        Ok(created)
    };
    let done = |created: &crate::model::Identity| {
        format!(
            "/realms/{}/identities/{}?created=1",
            enc(&realm),
            enc(&created.id)
        )
    };
    let created = super::forms::form_write(permit(&realm).await, posted, write, done).await?;
    Ok(created.map(|c| c.id).unwrap_or_default())
}

/// What Add identity did for this identity, if this operator added it last (else `None`).
#[server(output = crate::api::codec::TextJson)]
pub async fn added_identity_report(
    realm: String,
    identity: String,
) -> Result<Option<CreationReport>, AppError> {
    allow_in(crate::model::Action::Read, &realm).await?;
    let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await else {
        return Ok(None);
    };
    let report: Option<CreationReport> = session
        .get(CreationReport::SESSION_KEY)
        .await
        .ok()
        .flatten();
    Ok(report.filter(|r| r.realm == realm && r.identity == identity))
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    /// Keeps the report in the operator's session (replacing the last one).
    pub(super) async fn keep_report(report: CreationReport) {
        if let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await {
            if let Err(e) = session.insert(CreationReport::SESSION_KEY, report).await {
                tracing::warn!(error = %e, "cannot keep the report of an added identity");
            }
        }
    }

    /// What Add identity will do after creating the identity, checked beforehand.
    pub(super) struct Plan {
        /// The groups to join, with the permit to change their members.
        groups: Option<(Permit<act::ManageMembers>, Vec<Group>)>,
        /// The invitation to send: the permit, the configuration, the address.
        invitation: Option<(Permit<act::Invite>, AuthenticatorConfig, String)>,
        /// An invitation was asked for, but there is no email address to send it to.
        no_email: bool,
    }

    /// An error on one field of the form: nothing has been written.
    pub(super) fn on_field(field: &str, message: String) -> AppError {
        let mut e = super::super::checks::bad_request(crate::model::FIX_FIELDS);
        e.fields = vec![FieldError::new(field, message)];
        e
    }

    /// Checks the parts after the identity: each group named exists once and may be joined by this operator; an
    /// invitation has an address and one of the realm's configurations.
    pub(super) async fn plan(realm: &str, form: &NewIdentity) -> Result<Plan, AppError> {
        let names = form.then.group_names();
        let groups = if names.is_empty() {
            None
        } else {
            let permit = permit::<act::ManageMembers>(realm).await?;
            let found = groups_named(realm, &names).await?;
            let chosen = choose_groups(&names, &found).map_err(|m| on_field("groups", m))?;
            for g in &chosen {
                super::super::groups::check_group_not_protected(permit.operator(), realm, &g.id)
                    .await
                    .map_err(|_| {
                        on_field(
                            "groups",
                            format!(
                                "“{}” is protected: only an admin may add members to it.",
                                g.display_name
                            ),
                        )
                    })?;
            }
            Some((permit, chosen))
        };
        let email = form.input.email.trim().to_string();
        let asked = form.then.wants_invitation();
        let invitation = if asked && !email.is_empty() {
            let permit = permit::<act::Invite>(realm).await?;
            let configs = super::super::passkeys::realm_configs(realm).await?;
            // None chosen: the realm's default.
            let wanted = match form.then.config.trim() {
                "" => {
                    let remembered = state()?
                        .preference(realm, crate::preferences::INVITATION_CONFIG)
                        .await;
                    crate::model::default_config(&configs, remembered.as_deref())
                }
                chosen => chosen.to_string(),
            };
            let Some(config) = configs.into_iter().find(|c| c.id == wanted) else {
                let message = if wanted.is_empty() {
                    "This realm has no authenticator configuration, so BI cannot send an invitation: untick it."
                } else {
                    "Choose one of this realm's authenticator configurations, or untick the invitation."
                };
                return Err(on_field("config", message.into()));
            };
            Some((permit, config, email.clone()))
        } else {
            None
        };
        Ok(Plan {
            groups,
            invitation,
            no_email: asked && email.is_empty(),
        })
    }

    /// Each name's one group, or what is wrong with the names: none found, or a name several groups share.
    pub(super) fn choose_groups(names: &[String], found: &[Group]) -> Result<Vec<Group>, String> {
        let mut chosen = Vec::new();
        let (mut unknown, mut shared) = (Vec::new(), Vec::new());
        for name in names {
            let same: Vec<&Group> = found
                .iter()
                .filter(|g| g.display_name.eq_ignore_ascii_case(name))
                .collect();
            match same.as_slice() {
                [] => unknown.push(format!("“{name}”")),
                [one] => chosen.push((*one).clone()),
                many => shared.push(format!("“{name}” ({} groups)", many.len())),
            }
        }
        if !unknown.is_empty() {
            let what = if unknown.len() == 1 {
                "No group is"
            } else {
                "No groups are"
            };
            return Err(format!(
                "{what} named {} in this realm.",
                unknown.join(", ")
            ));
        }
        if !shared.is_empty() {
            return Err(format!(
                "Several groups share the name {}: add the identity to the one you mean from that group's page.",
                shared.join(", ")
            ));
        }
        Ok(chosen)
    }

    /// The groups of `realm` named one of `names`: from the directory index when it is ready, else BI's pages of 200
    /// until each name is found (a realm has thousands of groups at most).
    pub(super) async fn groups_named(
        realm: &str,
        names: &[String],
    ) -> Result<Vec<Group>, AppError> {
        use futures::TryStreamExt;
        let s = state()?;
        if let Some(index) = &s.index {
            if index.state(realm).await.is_ok_and(|st| st.ready) {
                if let Ok(found) = index.groups_named(realm, names).await {
                    return Ok(found);
                }
            }
        }
        let named = |g: &Group| names.iter().any(|n| g.display_name.eq_ignore_ascii_case(n));
        let mut found: Vec<Group> = Vec::new();
        let client = &s.client;
        let mut walk = std::pin::pin!(crate::bi::pages::pages(
            crate::bi::pages::Bounds::WHOLE,
            |q| async move { client.list_groups(realm, &q).await }
        ));
        while let Some(page) = errors::bi("list groups", walk.try_next()).await? {
            found.extend(page.items.into_iter().filter(named));
            if names
                .iter()
                .all(|n| found.iter().any(|g| g.display_name.eq_ignore_ascii_case(n)))
            {
                break;
            }
        }
        Ok(found)
    }

    /// The groups joined and the invitation sent, each reported on its own line.
    pub(super) async fn follow_up(created: &crate::model::Identity, plan: Plan) -> Vec<ReportLine> {
        let line = |ok: bool, text: String| ReportLine { ok, text };
        let mut lines = vec![line(true, format!("Created {}.", created.username()))];
        if let Some((permit, groups)) = plan.groups {
            let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
            let joined = super::super::membership::join_recorded(
                &permit,
                &created.id,
                &ids,
                "joined when the identity was added",
            )
            .await;
            let name = |id: &str| {
                groups
                    .iter()
                    .find(|g| g.id == id)
                    .map(|g| g.display_name.clone())
                    .unwrap_or_else(|| id.to_string())
            };
            let ok: Vec<String> = groups
                .iter()
                .filter(|g| !joined.failed.iter().any(|f| f.id == g.id))
                .map(|g| g.display_name.clone())
                .collect();
            if !ok.is_empty() {
                let groups = if ok.len() == 1 { "group" } else { "groups" };
                lines.push(line(
                    true,
                    format!("Joined {} {groups}: {}.", ok.len(), ok.join(", ")),
                ));
            }
            for f in &joined.failed {
                lines.push(line(
                    false,
                    format!("Could not join {}: {}", name(&f.id), f.reason),
                ));
            }
        }
        if let Some((permit, config, email)) = plan.invitation {
            lines.push(
                match super::super::passkeys::invite(&permit, &created.id, &config.id, false).await {
                    Ok(sent) if sent.job.state == "FAILED_TO_SEND" => line(
                        false,
                        format!("BI could not send the passkey invitation to {email}: the address cannot receive mail. Correct it, then send one from the Passkeys section."),
                    ),
                    Ok(_) => line(
                        true,
                        format!("Passkey invitation sent to {email} ({}).", config.label()),
                    ),
                    Err(e) => line(
                        false,
                        format!("The passkey invitation was not sent: {}", e.message),
                    ),
                },
            );
        } else if plan.no_email {
            lines.push(line(
                true,
                "No passkey invitation: the identity has no email address. Get an enrollment link from its Passkeys section.".into(),
            ));
        }
        lines
    }
}
