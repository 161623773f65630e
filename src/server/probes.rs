//! The load balancer's questions, answered outside the sign-in guard, the sessions and the host check (they say
//! nothing of the directory): `/healthz`, the process answers; `/readyz`, the console's database answers and is at
//! this build's schema, and BI (or the sandbox) answers. A readiness answer is kept 5 s, so however many balancers
//! ask, BI is asked at most once per 5 s per process.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::bi::{BiError, Client};
use crate::db::Pool;

/// How long one check may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a readiness answer is kept.
const KEPT: Duration = Duration::from_secs(5);

/// What `/readyz` checks with.
pub struct Probes {
    db: Pool,
    client: Arc<Client>,
    /// A realm to read at BI (the default realm): one small call that needs the network and the credentials.
    realm: String,
    kept: Mutex<Option<(Instant, Readiness)>>,
}

/// `/readyz`'s answer: each check `ok` or why not (never a secret, a URL or a record).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub database: String,
    pub schema: String,
    pub bi: String,
}

impl Probes {
    pub fn new(db: Pool, client: Arc<Client>, realm: String) -> Probes {
        Probes {
            db,
            client,
            realm,
            kept: Mutex::new(None),
        }
    }

    /// Whether the console can serve, kept for [`KEPT`].
    async fn readiness(&self) -> Readiness {
        if let Some((at, kept)) = self.kept.lock().expect("lock").clone() {
            if at.elapsed() < KEPT {
                return kept;
            }
        }
        let (database, schema, bi) = tokio::join!(
            checked(async { crate::db::ping(&self.db).await.map_err(|_| "not answering".to_string()) }),
            checked(async {
                match crate::db::schema_current(&self.db).await {
                    Ok(true) => Ok(()),
                    Ok(false) => Err("not at this version's schema".to_string()),
                    Err(_) => Err("not readable".to_string()),
                }
            }),
            checked(async { self.client.get_realm(&self.realm).await.map(|_| ()).map_err(|e| why(&e)) }),
        );
        let ready = [&database, &schema, &bi].iter().all(|c| *c == "ok");
        let answer = Readiness {
            ready,
            database,
            schema,
            bi,
        };
        *self.kept.lock().expect("lock") = Some((Instant::now(), answer.clone()));
        answer
    }
}

/// `ok`, or why the check failed (also when it took longer than [`CHECK_TIMEOUT`]).
async fn checked(check: impl std::future::Future<Output = Result<(), String>>) -> String {
    match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(Ok(())) => "ok".into(),
        Ok(Err(why)) => why,
        Err(_) => format!("no answer within {} s", CHECK_TIMEOUT.as_secs()),
    }
}

/// A failed BI call in a few words: its status, or what kind of failure (no URL, no body).
fn why(e: &BiError) -> String {
    match e {
        BiError::Api { status, .. } => format!("answered {status}"),
        BiError::Timeout(_) => "no answer in time".into(),
        BiError::Unreachable(_) => "unreachable".into(),
        BiError::Token(_) => "no access token".into(),
        _ => "failed".into(),
    }
}

/// The probes' routes, to merge outside the console's layers.
pub fn router(probes: Arc<Probes>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(probes)
}

async fn healthz() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], "ok").into_response()
}

async fn readyz(State(probes): State<Arc<Probes>>) -> Response {
    let readiness = probes.readiness().await;
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    if !readiness.ready {
        tracing::warn!(database = %readiness.database, schema = %readiness.schema, bi = %readiness.bi, "not ready");
    }
    (status, [(header::CACHE_CONTROL, "no-store")], Json(readiness)).into_response()
}
