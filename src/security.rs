//! Response hardening and cross-site request refusal.
//!
//! - Every response gets `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`, `X-Frame-Options: DENY`
//!   and a Content-Security-Policy. Pages get [`page_csp`] with the nonce Leptos puts on its hydration scripts (set
//!   by the shell); anything else gets [`FALLBACK_CSP`].
//! - State-changing requests (anything but GET, HEAD, OPTIONS) whose `Sec-Fetch-Site` or `Origin` shows they come
//!   from another site are refused with 403. The sandbox API is exempt: it is called with a bearer token, not a
//!   browser cookie.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy of a rendered page: scripts only from the console or carrying this response's nonce (Leptos's
/// hydration scripts), wasm allowed to compile, nothing framed, forms posted only to the console.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The policy of every other response.
pub const FALLBACK_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(FALLBACK_CSP),
        );
    }
    res
}

/// The console's own origin(s): the configured public URL, else the request's Host over http or https; and the
/// host names requests may carry.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    pub public_origin: Option<String>,
    /// Host names (no port) besides the loopback names and the public URL's host that the console answers to
    /// (`CONSOLE_ALLOWED_HOSTS`, and the address it listens on when that is a specific one).
    pub allowed_hosts: Vec<String>,
}

/// Loopback names: always allowed, so the console on 127.0.0.1 works with no setting.
const LOOPBACK_HOSTS: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "::1"];

impl Origins {
    /// Whether a request naming `host` (a Host header, with or without port) is for this console. A page from
    /// another site that re-points its own name at 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
    pub fn host_allowed(&self, host: &str) -> bool {
        let name = host_name(host);
        let public = self
            .public_origin
            .as_deref()
            .and_then(|o| o.split_once("://"))
            .map(|(_, h)| host_name(h));
        LOOPBACK_HOSTS.iter().any(|h| name.eq_ignore_ascii_case(h))
            || public.is_some_and(|p| p.eq_ignore_ascii_case(name))
            || self
                .allowed_hosts
                .iter()
                .any(|h| host_name(h).eq_ignore_ascii_case(name))
    }

    fn https(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    }
}

/// `host:port` → `host`; `[::1]:3000` → `[::1]`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map(|(h, _)| &host[..h.len() + 1])
            .unwrap_or(host);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    }
}

/// Whether a request's `Sec-Fetch-Site` / `Origin` headers show it comes from the console's own pages. A request
/// with neither (a non-browser client) is not cross-site.
pub fn same_site(origins: &Origins, headers: &axum::http::HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = get("origin") else {
        return true;
    };
    match &origins.public_origin {
        Some(own) => origin.eq_ignore_ascii_case(own),
        None => {
            let host = get("host").unwrap_or_default();
            !host.is_empty()
                && (origin.eq_ignore_ascii_case(&format!("http://{host}"))
                    || origin.eq_ignore_ascii_case(&format!("https://{host}")))
        }
    }
}

pub async fn refuse_cross_site(
    State(origins): State<Arc<Origins>>,
    req: Request,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().host())
        .map(str::to_string);
    if let Some(host) = host.filter(|h| !origins.host_allowed(h)) {
        let shown: String = host.chars().take(80).flat_map(char::escape_debug).collect();
        tracing::warn!(host = %shown, "request for an unknown host refused");
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "This console does not answer to that host name. Set CONSOLE_PUBLIC_URL or CONSOLE_ALLOWED_HOSTS.",
        )
            .into_response();
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let sandbox_api = req.uri().path().starts_with(crate::sandbox::PREFIX);
    let asset = req.uri().path().starts_with("/pkg/");
    if safe || sandbox_api || same_site(&origins, req.headers()) {
        let mut res = next.run(req).await;
        let h = res.headers_mut();
        // Pages and answers hold directory data for one operator: never kept by a browser or a proxy.
        if !asset && !h.contains_key(header::CACHE_CONTROL) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if origins.https() {
            h.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            );
        }
        return res;
    }
    tracing::warn!(path = %req.uri().path(), origin = ?req.headers().get("origin"), "cross-site request refused");
    (
        StatusCode::FORBIDDEN,
        "Cross-site request refused: this console accepts changes only from its own pages.",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn own_pages_pass_other_sites_do_not() {
        let by_host = Origins::default();
        assert!(same_site(
            &by_host,
            &headers(&[("sec-fetch-site", "same-origin")])
        ));
        assert!(!same_site(
            &by_host,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(!same_site(
            &by_host,
            &headers(&[("sec-fetch-site", "same-site")])
        ));
        assert!(same_site(
            &by_host,
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ])
        ));
        assert!(!same_site(
            &by_host,
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000")
            ])
        ));
        assert!(!same_site(
            &by_host,
            &headers(&[("origin", "null"), ("host", "x")])
        ));
        assert!(
            same_site(&by_host, &headers(&[])),
            "no browser headers: not a cross-site browser request"
        );
        let configured = Origins {
            public_origin: Some("https://console.example.com".into()),
            ..Origins::default()
        };
        assert!(same_site(
            &configured,
            &headers(&[
                ("origin", "https://console.example.com"),
                ("host", "internal:3000")
            ])
        ));
        assert!(!same_site(
            &configured,
            &headers(&[
                ("origin", "http://internal:3000"),
                ("host", "internal:3000")
            ])
        ));
    }

    #[test]
    fn only_known_host_names_are_answered() {
        let o = Origins {
            public_origin: Some("https://console.example.com".into()),
            allowed_hosts: vec!["10.1.2.3".into(), "console.internal:8443".into()],
        };
        for ok in [
            "127.0.0.1:3000",
            "localhost",
            "LOCALHOST:80",
            "[::1]:3000",
            "console.example.com",
            "10.1.2.3:3000",
            "console.internal",
        ] {
            assert!(o.host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:3000",
            "127.0.0.1.evil.example",
            "localhost.evil",
            "",
        ] {
            assert!(!o.host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn the_page_policy_carries_the_nonce_and_forbids_framing() {
        let p = page_csp("abc123");
        assert!(p.contains("'nonce-abc123'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("unsafe-inline"));
    }
}
