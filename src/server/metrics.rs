//! `/metrics` (Prometheus's text format) on a listener of its own, `CONSOLE_METRICS_ADDR`: never on the console's
//! public port, and outside its sign-in guard (whoever reaches that address may read it; keep it on a private
//! network). Beside it, [`track`]: every request of the console counted and timed by the route pattern it matched.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::db::Pool;

/// The metrics' own router: `GET /metrics`.
pub fn router(db: Pool) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(Arc::new(db))
}

async fn scrape(State(db): State<Arc<Pool>>) -> Response {
    let mut out = String::new();
    crate::metrics::global().render(&mut out);
    let now_ms = chrono::Utc::now().timestamp_millis();
    let up = match crate::db::metrics_snapshot(&db).await {
        Ok(snapshot) => {
            snapshot.render(&mut out, now_ms);
            1
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the console's database did not answer");
            0
        }
    };
    crate::metrics::gauge_head(&mut out, "console_database_up", "Whether the console's database answered this scrape.");
    crate::metrics::sample(&mut out, "console_database_up", &[], None, &up.to_string());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        out,
    )
        .into_response()
}

/// The server functions' paths: a request to one is labelled by it; any other `/api/…` path by `/api/other` (a
/// label's values stay bounded whatever a client asks for).
fn server_fns() -> &'static HashSet<String> {
    static PATHS: OnceLock<HashSet<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_string())
            .collect()
    })
}

/// The label of a request's route: the pattern it matched, a server function's path, or a fixed word.
fn route_of(matched: Option<&MatchedPath>, path: &str) -> String {
    if path.starts_with("/api/") {
        return if server_fns().contains(path) { path.to_string() } else { "/api/other".into() };
    }
    match matched {
        Some(m) => m.as_str().to_string(),
        None if path.starts_with("/pkg/") => "/pkg/{file}".into(),
        None if path.starts_with(crate::sandbox::PREFIX) => format!("{}/…", crate::sandbox::PREFIX),
        None => "other".into(),
    }
}

/// Counts and times every request by its route pattern, method and status.
pub async fn track(mut req: Request, next: Next) -> Response {
    let route = route_of(req.extensions().get::<MatchedPath>(), req.uri().path());
    let method = match req.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => m,
        _ => "other",
    }
    .to_string();
    // The request's span (made by `request_id::assign`, inside) is named by its route, never its path.
    req.extensions_mut().insert(crate::request_id::Route(route.clone()));
    let started = Instant::now();
    let response = next.run(req).await;
    crate::metrics::global().http_request(&route, &method, response.status().as_u16(), started.elapsed());
    response
}
