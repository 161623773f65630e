//! The import and export routes, plain HTTP behind the sign-in guard (they work without the wasm): the upload of a
//! file, which plans it and goes to the plan's page; the export of a realm's identities, streamed; and an import's
//! errors and results as CSV.

use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

use crate::auth::web::CurrentOperator;
use crate::model::{encode_component, Action, AppError, FieldError, FormFlash, IdentityFilter};
use crate::request_id::RequestId;
use crate::service::{Actor, Service};
use crate::state::AppState;

/// Identities read per step of an export.
const EXPORT_CHUNK: u32 = 1_000;

fn refused(message: &str) -> Response {
    (StatusCode::FORBIDDEN, message.to_string()).into_response()
}

/// The console's work for `op` in this request (see [`crate::service`]).
fn service(s: &AppState, op: &crate::model::OperatorView, request: &RequestId) -> Service {
    Service::new(s.clone(), Actor::request(op, request.0.clone()))
}

/// A realm outside `op`'s realms, refused and recorded (as the server functions record theirs).
async fn refused_realm(svc: &Service, realm: &str, what: &str) -> Response {
    let detail = format!("{what} in a realm outside the operator's realms");
    // What was asked for is recorded only when it can be a realm's id (never a long or strange string).
    let realm = if crate::bi::seg(realm).is_ok() { realm } else { "(not a realm id)" };
    let event = crate::audit::Event::new(crate::model::AuditAction::RefusedRealm, realm, "", "", detail);
    let message = "Your operator account may not use this realm.";
    let outcome = Err::<(), _>(AppError {
        code: Some("forbidden".into()),
        ..AppError::new(message)
    });
    svc.record(event, &outcome).await;
    refused(message)
}

/// `POST /realms/{realm}/imports`: a multipart form with the file (`file`). Planned at once (nothing written); the
/// browser goes to the plan's page. A file that cannot be read goes back to the upload form with the reason.
pub async fn upload(
    State(s): State<AppState>,
    Extension(CurrentOperator(op)): Extension<CurrentOperator>,
    Extension(request): Extension<RequestId>,
    Path(realm): Path<String>,
    session: tower_sessions::Session,
    mut form: Multipart,
) -> Response {
    let back = format!("/realms/{}/import", encode_component(&realm));
    if !op.may_use(&realm) {
        return refused_realm(&service(&s, &op, &request), &realm, "an import").await;
    }
    if !op.can(Action::CreateIdentity) {
        return refused("Your operator account may not import into this realm.");
    }
    let fail = |message: String| {
        let session = session.clone();
        let back = back.clone();
        async move {
            let flash = FormFlash {
                path: back.clone(),
                values: Vec::new(),
                error: AppError::with_fields(
                    crate::model::FIX_FIELDS,
                    vec![FieldError::new("file", message)],
                ),
            };
            let _ = session.insert(FormFlash::SESSION_KEY, flash).await;
            Redirect::to(&back).into_response()
        }
    };
    let Some(imports) = s.imports.clone() else {
        return fail("Imports are not available in this console.".into()).await;
    };
    let limits = s.import_limits;
    let Upload { name, bytes, options } = match received(&mut form, limits.max_bytes).await {
        Ok(upload) => upload,
        Err(message) => return fail(message).await,
    };
    if name.is_empty() {
        return fail("Choose a CSV or JSON file to import.".into()).await;
    }
    if options.suspend_missing && op.role != crate::model::Role::Admin {
        return fail("Only an admin may suspend identities by import; upload the file without that option.".into()).await;
    }
    // Reading a file of up to the size limit is CPU work: off the async workers, so other requests go on.
    let read = tokio::task::spawn_blocking(move || {
        let sha256 = crate::transfer::sha256_hex(&bytes);
        crate::transfer::file::read(&bytes, limits.max_rows).map(|file| (file, sha256))
    })
    .await;
    let (file, sha256) = match read {
        Ok(Ok(read)) => read,
        Ok(Err(e)) => return fail(e.to_string()).await,
        Err(_) => return fail("The file could not be read.".into()).await,
    };
    let protected: Vec<String> = s.protected_groups.iter().cloned().collect();
    let cx = crate::transfer::plan::Context {
        client: &s.client,
        index: s.index.as_deref(),
        imports: &imports,
        realm: &realm,
        operator: &op,
        protected: &protected,
        options,
    };
    match crate::transfer::plan::plan_file(&cx, &file, &name, &sha256).await {
        Ok(planned) => {
            Redirect::to(&format!("/realms/{}/imports/{}", encode_component(&realm), planned.id)).into_response()
        }
        Err(crate::transfer::plan::PlanError::Bi(e)) => {
            fail(crate::api::errors::from_bi("read the realm", e).message).await
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot keep an import's plan");
            fail("The console could not keep the plan; see the server log.".into()).await
        }
    }
}

/// What an upload form sent: the file (its name and bytes) and the plan's options.
struct Upload {
    name: String,
    bytes: Vec<u8>,
    options: crate::transfer::plan::Options,
}

/// Reads the upload form: the file, at most `max_bytes` (more is refused while it arrives, never held), and the
/// options' boxes; or why it could not be read, in the operator's words.
async fn received(form: &mut Multipart, max_bytes: usize) -> Result<Upload, String> {
    let too_large = || {
        let mib = max_bytes / (1024 * 1024);
        format!("The file is larger than {mib} MB; split it, or raise CONSOLE_IMPORT_MAX_BYTES.")
    };
    let mut upload = Upload {
        name: String::new(),
        bytes: Vec::new(),
        options: crate::transfer::plan::Options::default(),
    };
    loop {
        match form.next_field().await {
            Ok(Some(mut field)) if field.name() == Some("file") => {
                upload.name = field.file_name().unwrap_or("upload").to_string();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if upload.bytes.len() + chunk.len() > max_bytes => return Err(too_large()),
                        Ok(Some(chunk)) => upload.bytes.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(e) => return Err(format!("The upload failed: {e}")),
                    }
                }
            }
            Ok(Some(field)) if field.name() == Some("sync_groups") => upload.options.sync_groups = true,
            Ok(Some(field)) if field.name() == Some("suspend_missing") => upload.options.suspend_missing = true,
            Ok(Some(_)) => {}
            Ok(None) => return Ok(upload),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(format!("The upload failed: {e}")),
        }
    }
}

/// Where an export of `realm` reads: the directory index when it is ready, else BI's pages.
pub async fn export_source(
    s: &AppState,
    realm: &str,
    filter: IdentityFilter,
) -> Result<crate::transfer::export::Source, crate::bi::BiError> {
    let ready = match &s.index {
        Some(ix) => ix.state(realm).await.is_ok_and(|st| st.ready),
        None => false,
    };
    let index = s.index.clone().filter(|_| ready);
    crate::transfer::export::Source::open(s.client.clone(), index, realm, filter).await
}

/// What an export is asked for: the format and the Identities page's search.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub enrollment: String,
}

/// `GET /realms/{realm}/export?format=csv|json&q=…&status=…&enrollment=…`: the realm's identities (those the
/// search finds, from the directory index; the whole realm from BI until the index is ready), streamed.
pub async fn export(
    State(s): State<AppState>,
    Extension(CurrentOperator(op)): Extension<CurrentOperator>,
    Extension(request): Extension<RequestId>,
    Path(realm): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    if !op.may_use(&realm) {
        return refused_realm(&service(&s, &op, &request), &realm, "an export").await;
    }
    if let Some(problem) = crate::model::search_text_problem(&q.q) {
        return (StatusCode::BAD_REQUEST, problem).into_response();
    }
    // One export per operator at a time: each reads every group's members of the realm.
    let Some(turn) = s.exports.hold(&op.username.to_lowercase()) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "An export of yours is still running; wait for it to finish, then export again.",
        )
            .into_response();
    };
    let json = q.format == "json";
    let filter = IdentityFilter {
        q: q.q,
        status: q.status,
        enrollment: q.enrollment,
        sort: None,
    };
    // An export takes the realm's records out of the console: who did it, and of what, is kept.
    let searched = [("search", &filter.q), ("status", &filter.status), ("enrollment", &filter.enrollment)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k} “{v}”"))
        .collect::<Vec<_>>();
    let detail = format!(
        "{} export of {}",
        if json { "JSON" } else { "CSV" },
        if searched.is_empty() {
            "the whole realm".to_string()
        } else {
            format!("the identities found by {}", searched.join(", "))
        }
    );
    let event = crate::audit::Event::new(crate::model::AuditAction::IdentitiesExport, &realm, "", "", detail);
    service(&s, &op, &request).record(event, &Ok::<(), AppError>(())).await;
    let source = export_source(&s, &realm, filter).await;
    let source = match source {
        Ok(src) => src,
        Err(e) => {
            let message = crate::api::errors::from_bi("export", e).message;
            return (StatusCode::BAD_GATEWAY, message).into_response();
        }
    };
    // The turn is held while the file streams (until it ends, or the browser goes away).
    let stream = futures::StreamExt::map(crate::transfer::export::stream(source, json, EXPORT_CHUNK), move |chunk| {
        let _held = &turn;
        chunk
    });
    let (kind, ext) = if json {
        ("application/json", "json")
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    let file = format!("attachment; filename=\"identities.{ext}\"");
    (
        [(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, file)],
        Body::from_stream(stream),
    )
        .into_response()
}

/// `GET /realms/{realm}/imports/{id}/errors.csv` (the rows in error, with the problem, to fix and upload again) and
/// `…/result.csv` (every row: action, outcome, BI's message, the identity's id).
pub async fn rows_csv(
    State(s): State<AppState>,
    Extension(CurrentOperator(op)): Extension<CurrentOperator>,
    Extension(request): Extension<RequestId>,
    Path((realm, id, which)): Path<(String, String, String)>,
) -> Response {
    if !op.may_use(&realm) {
        return refused_realm(&service(&s, &op, &request), &realm, "an import's rows").await;
    }
    let errors_only = match which.as_str() {
        "errors.csv" => true,
        "result.csv" => false,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let Some(imports) = s.imports.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match imports.header(&id).await {
        Ok(Some(h)) if h.realm == realm => {}
        _ => return StatusCode::NOT_FOUND.into_response(),
    }
    let rows = match imports.all_rows(&id, errors_only).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an import's rows");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let body = crate::transfer::written::rows_csv(&rows, errors_only);
    let file = format!("attachment; filename=\"import-{id}-{which}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response()
}
