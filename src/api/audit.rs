//! Server functions reading the audit log (a local database, not BI).

use leptos::prelude::*;

use crate::model::{AppError, AuditEntry, AuditFilter, AuditSinkView, PageView};
#[cfg(feature = "ssr")]
use ssr::*;

/// One page of the audit log, newest first, filtered.
#[server(output = crate::api::codec::TextJson)]
pub async fn list_audit(
    filter: AuditFilter,
    page: u32,
    size: u32,
) -> Result<PageView<AuditEntry>, AppError> {
    let op = super::checks::allow(crate::model::Action::Read)?;
    let size = crate::model::clamp_page_size(Some(size));
    // An operator limited to some realms reads those realms' entries only.
    log()?
        .list(&filter, op.realms.as_deref(), page, size)
        .await
        .map_err(read_failed)
}

/// The latest 20 entries about an identity or group.
#[server(output = crate::api::codec::TextJson)]
pub async fn activity(id: String) -> Result<Vec<AuditEntry>, AppError> {
    let op = super::checks::allow(crate::model::Action::Read)?;
    log()?
        .activity(&id, op.realms.as_deref(), 20)
        .await
        .map_err(read_failed)
}

/// How sending the audit log to its sink goes (`None`: no sink is set).
#[server(output = crate::api::codec::TextJson)]
pub async fn audit_sink_status() -> Result<Option<AuditSinkView>, AppError> {
    super::checks::allow(crate::model::Action::Read)?;
    let log = log()?;
    let Some(sink) = log.sink() else {
        return Ok(None);
    };
    let status = sink.status().await.map_err(read_failed)?;
    Ok(Some(AuditSinkView {
        sink: sink.label(),
        waiting: status.waiting,
        lag_secs: status.lag().as_secs(),
        last_error: status.last_error,
    }))
}

/// What the server functions above do on the server only.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    pub(super) fn log() -> Result<crate::audit::AuditLog, AppError> {
        super::super::checks::state()?
            .audit
            .ok_or_else(|| AppError::new("The audit log is not configured."))
    }

    pub(super) fn read_failed(e: crate::store::StoreError) -> AppError {
        let request_id = super::super::errors::current_request_id();
        tracing::error!(%request_id, error = %e, "audit log read failed");
        AppError {
            request_id: Some(request_id),
            ..AppError::new("The audit log could not be read.")
        }
    }
}
