//! One BI call over HTTP: the bearer token, a 401/403 refresh, BI's error body kept whole, and repeats with
//! backoff for the calls that are safe to repeat.

use std::time::Instant;

use tracing::Instrument;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::wire::{BatchDeleteRequest, ErrorBody, ListQuery};
use super::{retry, BiError, Client, ClientAuth};

impl Client {
    /// One HTTP exchange: the answer's body on success, else the error (with BI's wait hint). A 401/403 with client
    /// credentials refreshes the token and tries once more.
    async fn exchange(
        &self,
        method: &Method,
        url: &str,
        query: Option<&ListQuery>,
        body: Option<&[u8]>,
    ) -> Result<axum::body::Bytes, BiError> {
        let refreshable = matches!(self.auth, ClientAuth::ClientCredentials { .. });
        let mut refreshed = false;
        loop {
            let limit = match retry::remaining() {
                Some(left) if left.is_zero() => return Err(BiError::Timeout(self.timeout)),
                Some(left) => left.min(self.timeout),
                None => self.timeout,
            };
            let token = self.bearer(refreshed).await?;
            let mut req = self
                .http
                .request(method.clone(), url)
                .timeout(limit)
                .bearer_auth(token.expose());
            if let Some(q) = query {
                req = req.query(q);
            }
            if let Some(b) = body {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.to_vec());
            }
            let started = Instant::now();
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    let e = BiError::from_reqwest(e, limit);
                    let kind = if matches!(e, BiError::Timeout(_)) { "timeout" } else { "error" };
                    crate::metrics::global().bi_call(&crate::metrics::operation(method.as_str(), url), kind, started.elapsed());
                    return Err(e);
                }
            };
            let status = resp.status();
            tracing::Span::current().record("http.response.status_code", status.as_u16());
            crate::metrics::global().bi_call(
                &crate::metrics::operation(method.as_str(), url),
                status.as_str(),
                started.elapsed(),
            );
            tracing::debug!(%method, path = %url_path(url), status = status.as_u16(),
                ms = started.elapsed().as_millis() as u64, "BI call");
            if refreshable
                && !refreshed
                && (status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN)
            {
                refreshed = true;
                continue;
            }
            let retry_after = retry::hint(resp.headers());
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| BiError::from_reqwest(e, limit))?;
            if status.is_success() {
                return Ok(bytes);
            }
            let reason = status
                .canonical_reason()
                .unwrap_or("error")
                .to_ascii_lowercase();
            let body = serde_json::from_slice::<ErrorBody>(&bytes)
                .unwrap_or_else(|_| ErrorBody::new(&reason.replace(' ', "_"), reason.clone()));
            return Err(BiError::Api {
                status: status.as_u16(),
                body,
                retry_after,
            });
        }
    }

    /// A call, repeated with backoff when it is safe to repeat (reads, deletes) and failed transiently, within the
    /// action's deadline. A delete that BI calls unknown after an attempt whose outcome was unknown has succeeded.
    async fn send(
        &self,
        method: Method,
        url: &str,
        query: Option<&ListQuery>,
        body: Option<Vec<u8>>,
    ) -> Result<axum::body::Bytes, BiError> {
        let batch_delete = url.ends_with(":batchDelete");
        // A full batch queue (429) drains as BI works through it, in minutes: the caller waits for it, not this loop.
        let batch_queue = url.ends_with("/batch-credential-binding-jobs");
        let repeatable = method == Method::GET || method == Method::DELETE || batch_delete;
        // In traces, a client span per call (its attempts within), named by the operation's shape.
        let span = tracing::info_span!(
            "bi.call",
            otel.name = %crate::metrics::operation(method.as_str(), url),
            otel.kind = "client",
            http.request.method = %method,
            http.response.status_code = tracing::field::Empty,
            bi.attempts = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
        );
        let outcome = self
            .attempts(&method, url, query, body, repeatable, batch_delete, batch_queue)
            .instrument(span.clone())
            .await;
        if outcome.is_err() {
            span.record("otel.status_code", "ERROR");
        }
        outcome
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempts(
        &self,
        method: &Method,
        url: &str,
        query: Option<&ListQuery>,
        body: Option<Vec<u8>>,
        repeatable: bool,
        batch_delete: bool,
        batch_queue: bool,
    ) -> Result<axum::body::Bytes, BiError> {
        let method = method.clone();
        let mut attempt = 0;
        let mut unsure = false;
        loop {
            tracing::Span::current().record("bi.attempts", attempt + 1);
            let outcome = self.exchange(&method, url, query, body.as_deref()).await;
            match outcome {
                Err(e) if e.is_not_found() && unsure && method == Method::DELETE => {
                    return Ok(axum::body::Bytes::new())
                }
                // BI deletes a batch entirely or not at all: when every id is unknown after an attempt whose
                // outcome was unknown, that attempt deleted them.
                Err(e) if e.is_not_found() && unsure && batch_delete && all_named(&e, &body) => {
                    return Ok(axum::body::Bytes::new())
                }
                Err(e)
                    if (repeatable && e.is_transient() || e.is_unprocessed())
                        && !(batch_queue && e.status() == Some(429))
                        && attempt + 1 < self.retry.attempts =>
                {
                    let wait = self.retry.wait(attempt, e.retry_after());
                    crate::metrics::global().bi_retry(&crate::metrics::operation(method.as_str(), url));
                    tracing::debug!(%method, path = %url_path(url), error = %e, attempt, wait_ms = wait.as_millis() as u64, "BI call will be repeated");
                    if !retry::pause(wait).await {
                        return Err(e);
                    }
                    unsure |= e.is_ambiguous();
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        query: Option<&ListQuery>,
        body: Option<&impl Serialize>,
    ) -> Result<T, BiError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| BiError::Decode(e.to_string()))?;
        let bytes = self.send(method, url, query, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| BiError::Decode(e.to_string()))
    }

    /// A call whose success has an empty body (deletes, batch delete).
    pub(super) async fn call_empty(
        &self,
        method: Method,
        url: &str,
        body: Option<&impl Serialize>,
    ) -> Result<(), BiError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| BiError::Decode(e.to_string()))?;
        self.send(method, url, None, body).await?;
        Ok(())
    }
}

/// Whether a batch delete's 404 names every id the request sent (or names none, meaning all of them).
fn all_named(e: &BiError, body: &Option<Vec<u8>>) -> bool {
    let sent: Vec<String> = body
        .as_deref()
        .and_then(|b| serde_json::from_slice::<BatchDeleteRequest>(b).ok())
        .map(|r| r.ids)
        .unwrap_or_default();
    let named = e.body().map(|b| b.failed_ids()).unwrap_or_default();
    named.is_empty() || sent.iter().all(|id| named.contains(id))
}

fn url_path(url: &str) -> &str {
    url.find("/v1/").map(|i| &url[i..]).unwrap_or(url)
}
