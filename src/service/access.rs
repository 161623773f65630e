//! The protected-identity rule applied to a write: what BI says of the identities (`permit::Protection`), the
//! targets a permit opens on them, and the refusal of the others, recorded.

use super::Service;
use crate::model::AppError;
use crate::permit::{Act, OnIdentity, Permit, Protection, Refusal, Target, Targets};

/// A refusal (403) the operator reads.
fn forbidden(message: &str) -> AppError {
    AppError {
        code: Some("forbidden".into()),
        status: Some(403),
        ..AppError::new(message)
    }
}

fn unchecked() -> AppError {
    AppError::new("The identities' groups could not be checked; nothing was changed.")
}

impl Service {
    /// What BI says about `ids` for the protected-identity rule, read with the console's client.
    pub async fn protection<A: Act>(&self, permit: &Permit<A>, ids: &[String]) -> Result<Protection, AppError> {
        let s = &self.state;
        Protection::read(&*s.client, permit.operator(), permit.realm(), &s.protected_groups, ids)
            .await
            .map_err(|e| self.failed("read the identity's groups", e))
    }

    /// `permit` on the identity `id`: refused (403, recorded) when it is a member of a protected group and the
    /// operator is not an admin.
    pub async fn on_identity<'p, A: OnIdentity>(
        &self,
        permit: &'p Permit<A>,
        id: &str,
    ) -> Result<Target<'p, A>, AppError> {
        let protection = self.protection(permit, &[id.to_string()]).await?;
        match permit.on(id, &protection) {
            Ok(target) => Ok(target),
            Err(Refusal::Protected(ids)) => Err(self.refused_protected(permit.realm(), &ids).await),
            Err(_) => Err(unchecked()),
        }
    }

    /// `permit` on every one of `ids`, or refused whole (403, recorded) when some are members of a protected group
    /// and the operator is not an admin.
    pub async fn on_identities<'p, A: OnIdentity>(
        &self,
        permit: &'p Permit<A>,
        ids: &[String],
    ) -> Result<Targets<'p, A>, AppError> {
        let protection = self.protection(permit, ids).await?;
        match permit.split(ids, &protection) {
            Ok((targets, refused)) if refused.is_empty() => Ok(targets),
            Ok((_, refused)) => Err(self.refused_protected(permit.realm(), &refused).await),
            Err(_) => Err(unchecked()),
        }
    }

    /// The refusal of a write on members of a protected group (403), recorded.
    async fn refused_protected(&self, realm: &str, ids: &[String]) -> AppError {
        let refused = match ids {
            [_] => forbidden(crate::model::PROTECTED_IDENTITY),
            _ => forbidden(&format!(
                "{} of the selected identities are members of a protected group: only an admin may change them. \
                 Leave them out and try again.",
                ids.len()
            )),
        };
        if let Some(answer) = self.answer {
            answer(403);
        }
        let event = crate::audit::Event::new(
            crate::model::AuditAction::RefusedProtectedIdentity,
            realm,
            ids.first().map(String::as_str).unwrap_or_default(),
            "",
            "a change to a member of a protected group",
        )
        .with_subjects(ids.to_vec());
        self.record(event, &Err::<(), _>(refused.clone())).await;
        refused
    }
}
