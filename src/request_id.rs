//! One id per request, made by [`assign`] (the outermost middleware): on every log line the request causes (a
//! tracing span), in the answer's `x-request-id` header, in every error shown to the operator and in the audit
//! entry — so an operator's "request id 3f2a…" finds both the log lines and the audit entry.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The id of the request being served, in its extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The route pattern a request matched (`/realms/{realm}/identities`, a server function's path, or a fixed word),
/// as `server::metrics::track` labels it: what names the request's span in traces.
#[derive(Clone, Debug)]
pub struct Route(pub String);

/// The response header that carries it.
pub const HEADER: &str = "x-request-id";

/// A new id: 12 hex digits.
pub fn new_id() -> String {
    format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}

/// Gives the request its id and runs it inside a `request{id=…}` span (in traces, a server span named by its method
/// and the [`Route`] it matched, with the answer's status).
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = new_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let route = req.extensions().get::<Route>().map_or("other", |r| r.0.as_str());
    let span = tracing::info_span!(
        "request",
        id = %id,
        otel.name = %format!("{} {route}", req.method()),
        otel.kind = "server",
        http.request.method = %req.method(),
        http.route = %route,
        http.response.status_code = tracing::field::Empty,
    );
    let mut res = next.run(req).instrument(span.clone()).await;
    span.record("http.response.status_code", res.status().as_u16());
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, v);
    }
    res
}

/// The id of the request a server function or page is serving; a fresh one outside any request.
pub fn current() -> String {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<RequestId>().map(|r| r.0.clone()))
        .unwrap_or_else(new_id)
}
