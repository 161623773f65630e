//! Passkeys: authenticator configurations (list, get), an identity's credentials (list, get, `:revoke`) and
//! credential binding jobs (create by EMAIL or RETURN, list, get, `:revoke`), batches of jobs (create, get,
//! `:listResults`), and the enrollment link's page, which stands in for the person installing BI's authenticator.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use crate::model::escape_html;

use super::super::error::{violation, ApiError};
use super::super::store::{LinkStep, NewJob, QueueFull, BATCH_QUEUE_LIMIT};
use super::super::Shared;
use super::{body, check_id_count, list_query, paged};
use crate::bi::wire::*;
use crate::model::{DELIVERY_EMAIL, DELIVERY_RETURN};

type Res<T> = Result<T, ApiError>;

fn not_found() -> ApiError {
    ApiError::with_status(StatusCode::NOT_FOUND, "not_found", "not found")
}


pub(in crate::sandbox) async fn list_authenticator_configs(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListAuthenticatorConfigsResponse>> {
    sb.realm(&tenant, &realm).await?;
    let q = list_query(q)?;
    let list = format!("authenticator-configs/{realm}");
    let page = paged(&list, &q, |o, l| {
        sb.store.list_authenticator_configs(&realm, o, l)
    })
    .await?;
    Ok(Json(page.into()))
}

pub(in crate::sandbox) async fn get_authenticator_config(
    State(sb): Shared,
    UrlPath((tenant, realm, id)): UrlPath<(String, String, String)>,
) -> Res<Json<crate::model::AuthenticatorConfig>> {
    sb.realm(&tenant, &realm).await?;
    Ok(Json(sb.store.get_authenticator_config(&realm, &id).await?))
}

pub(in crate::sandbox) async fn list_credentials(
    State(sb): Shared,
    UrlPath((tenant, realm, identity)): UrlPath<(String, String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListCredentialsResponse>> {
    sb.realm(&tenant, &realm).await?;
    let q = list_query(q)?;
    let list = format!("credentials/{realm}/{identity}");
    let page = paged(&list, &q, |o, l| {
        sb.store.list_credentials(&realm, &identity, o, l)
    })
    .await?;
    Ok(Json(page.into()))
}

/// GET a credential, or POST `{id}:revoke`.
pub(in crate::sandbox) async fn credential(
    State(sb): Shared,
    method: axum::http::Method,
    UrlPath((tenant, realm, identity, item)): UrlPath<(String, String, String, String)>,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    match (method, item.strip_suffix(":revoke")) {
        (axum::http::Method::GET, None) if !item.contains(':') => {
            Ok(Json(sb.store.get_credential(&realm, &identity, &item).await?).into_response())
        }
        (axum::http::Method::POST, Some(id)) => {
            Ok(Json(sb.store.revoke_credential(&realm, &identity, id).await?).into_response())
        }
        _ => Err(not_found()),
    }
}

pub(in crate::sandbox) async fn create_job(
    State(sb): Shared,
    UrlPath((tenant, realm, identity)): UrlPath<(String, String, String)>,
    bytes: Bytes,
) -> Res<Json<CreatedJob>> {
    sb.realm(&tenant, &realm).await?;
    let req: JobEnvelope = body(&bytes)?;
    let job = req.job;
    let mut problems = Vec::new();
    if job.delivery_method != DELIVERY_EMAIL && job.delivery_method != DELIVERY_RETURN {
        problems.push(violation("job.delivery_method", "invalid delivery method"));
    }
    if job.authenticator_config_id.is_empty() {
        problems.push(violation("job.authenticator_config_id", "empty string"));
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let base = sb.link_base();
    let (created, link) = sb
        .store
        .create_job(
            &realm,
            &identity,
            NewJob {
                delivery_method: &job.delivery_method,
                authenticator_config_id: &job.authenticator_config_id,
                post_binding_redirect_uri: job.post_binding_redirect_uri.as_deref(),
                batch_id: None,
                link_base: &base,
            },
        )
        .await?;
    let returned = created.delivery_method == DELIVERY_RETURN;
    Ok(Json(CreatedJob {
        credential_binding_job: created,
        credential_binding_link: returned.then_some(link),
    }))
}

pub(in crate::sandbox) async fn list_jobs(
    State(sb): Shared,
    UrlPath((tenant, realm, identity)): UrlPath<(String, String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Json<ListCredentialBindingJobsResponse>> {
    sb.realm(&tenant, &realm).await?;
    sb.store.expire_jobs().await?;
    let q = list_query(q)?;
    let list = format!("credential-binding-jobs/{realm}/{identity}");
    let page = paged(&list, &q, |o, l| sb.store.list_jobs(&realm, &identity, o, l)).await?;
    Ok(Json(page.into()))
}

#[derive(Deserialize)]
pub(in crate::sandbox) struct LinkQuery {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub(in crate::sandbox) struct LinkForm {
    step: String,
}

/// GET a job, POST `{id}:revoke`; and the enrollment link `{id}:invokeAuthenticator?token=…` (no bearer token:
/// the link's token is the key): GET shows the page, POST `step=complete|decline` acts on it.
pub(in crate::sandbox) async fn job(
    State(sb): Shared,
    method: axum::http::Method,
    UrlPath((tenant, realm, identity, item)): UrlPath<(String, String, String, String)>,
    link: Query<LinkQuery>,
    form: Result<axum::Form<LinkForm>, axum::extract::rejection::FormRejection>,
) -> Res<Response> {
    if let Some(id) = item.strip_suffix(":invokeAuthenticator") {
        let step = match (&method, form.as_ref().ok().map(|f| f.step.as_str())) {
            (&axum::http::Method::GET, _) => LinkStep::Open,
            (&axum::http::Method::POST, Some("complete")) => LinkStep::Complete,
            (&axum::http::Method::POST, Some("decline")) => LinkStep::Decline,
            _ => return Err(not_found()),
        };
        let linked = sb.store.job_by_link(&link.token).await?;
        if tenant != sb.tenant_id()
            || linked.job.id != id || linked.job.identity_id != identity || linked.job.realm_id != realm {
            return Err(not_found());
        }
        sb.store.expire_jobs().await?;
        let job = sb.store.follow_link(&link.token, step).await?;
        return Ok(enrollment_page(&linked.identity, &job, &link.token).into_response());
    }
    sb.realm(&tenant, &realm).await?;
    sb.store.expire_jobs().await?;
    match (method, item.strip_suffix(":revoke")) {
        (axum::http::Method::GET, None) if !item.contains(':') => {
            Ok(Json(sb.store.get_job(&realm, &identity, &item).await?).into_response())
        }
        (axum::http::Method::POST, Some(id)) => {
            Ok(Json(sb.store.revoke_job(&realm, &identity, id).await?).into_response())
        }
        _ => Err(not_found()),
    }
}

/// "Simulated enrollment for ada — Complete / Decline": what the person would do in BI's authenticator.
fn enrollment_page(
    identity: &crate::model::Identity,
    job: &crate::model::CredentialBindingJob,
    token: &str,
) -> Html<String> {
    let who = escape_html(identity.username());
    let body = match job.state.as_str() {
        "COMPLETE" => "<p role=\"status\">Passkey created. This invitation is complete.</p>".to_string(),
        "LINK_SENT" | "LINK_OPENED" | "REQUEST_DELIVERED" => format!(
            "<p>This page stands in for Beyond Identity's authenticator: completing it creates a passkey for \
             {who}, as installing the authenticator would.</p>\
             <form method=\"post\" action=\"?token={token}\"><input type=\"hidden\" name=\"step\" value=\"complete\">\
             <button type=\"submit\">Complete enrollment</button></form>\
             <form method=\"post\" action=\"?token={token}\"><input type=\"hidden\" name=\"step\" value=\"decline\">\
             <button type=\"submit\">Decline</button></form>",
            token = escape_html(token)
        ),
        other => format!(
            "<p role=\"status\">This invitation can no longer be used ({}).</p>",
            escape_html(crate::model::job_state_label(other))
        ),
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Simulated enrollment for {who}</title></head>\
         <body><main><h1>Simulated enrollment for {who}</h1>{body}</main></body></html>"
    ))
}

pub(in crate::sandbox) async fn create_batch(
    State(sb): Shared,
    UrlPath((tenant, realm)): UrlPath<(String, String)>,
    bytes: Bytes,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    let req: BatchJobEnvelope = body(&bytes)?;
    let batch = req.batch_credential_binding_job;
    check_id_count("batch_credential_binding_job.identity_ids", &batch.identity_ids)?;
    if batch.job_template.authenticator_config_id.is_empty() {
        return Err(ApiError::invalid_field(
            "batch_credential_binding_job.job_template.authenticator_config_id",
            "empty string",
        ));
    }
    sb.store
        .get_authenticator_config(&realm, &batch.job_template.authenticator_config_id)
        .await
        .map_err(|_| {
            ApiError::invalid_field(
                "batch_credential_binding_job.job_template.authenticator_config_id",
                "authenticator config not found",
            )
        })?;
    match sb
        .store
        .create_batch(&realm, &batch.identity_ids, &batch.job_template)
        .await
    {
        Ok(created) => {
            sb.work_batches(sb.link_base());
            Ok(Json(created).into_response())
        }
        Err(QueueFull::Api(e)) => Err(e),
        Err(QueueFull::Full { queued, asked }) => {
            let remaining = BATCH_QUEUE_LIMIT.saturating_sub(queued);
            let mut e = ApiError::with_status(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                &format!(
                    "batch queue is full: {queued} queued, at most {BATCH_QUEUE_LIMIT}, {} over",
                    queued + asked - BATCH_QUEUE_LIMIT
                ),
            );
            e.body.details.push(ErrorDetail {
                kind: "QuotaFailure".into(),
                description: Some(format!("{queued} of {BATCH_QUEUE_LIMIT} queued")),
                ..ErrorDetail::default()
            });
            let mut res = e.into_response();
            let h = res.headers_mut();
            h.insert("ratelimit-limit", BATCH_QUEUE_LIMIT.into());
            h.insert("ratelimit-remaining", remaining.into());
            Ok(res)
        }
    }
}

/// GET a batch, or GET `{id}:listResults`.
pub(in crate::sandbox) async fn batch(
    State(sb): Shared,
    UrlPath((tenant, realm, item)): UrlPath<(String, String, String)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Res<Response> {
    sb.realm(&tenant, &realm).await?;
    // A batch left running by a restart is taken up again.
    sb.work_batches(sb.link_base());
    if let Some(id) = item.strip_suffix(":listResults") {
        let q = list_query(q)?;
        let list = format!("batch-results/{id}");
        let counts = std::sync::Mutex::new(None);
        let page = paged(&list, &q, |o, l| {
            let (sb, realm, counts) = (&sb, &realm, &counts);
            async move {
                let (rows, c) = sb.store.batch_results(realm, id, o, l).await?;
                *counts.lock().expect("lock") = Some(c);
                Ok(rows)
            }
        })
        .await?;
        let c = counts
            .into_inner()
            .expect("lock")
            .expect("counted with the page");
        return Ok(Json(BatchResults {
            job_results: page.items,
            total_success_count: c.success,
            total_failure_count: c.failure,
            total_pending_count: c.pending,
            total_size: page.total_size,
            next_page_token: page.next_page_token,
        })
        .into_response());
    }
    if item.contains(':') {
        return Err(not_found());
    }
    Ok(Json(sb.store.get_batch(&realm, &item).await?).into_response())
}
