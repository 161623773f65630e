//! Which paths the console takes and where it sends a browser after sign-in: plain paths only, and `next` only to
//! a plain path on the console itself.

/// Whether a request path is plain: no segment that is, or decodes to, `.` or `..`, no empty segment (`//`), no
/// backslash or control character, raw or percent-encoded. Anything else could mean one path to the guard and
/// another to a router or a proxy, so it is refused (400) before any decision is made on it.
pub fn plain_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    if path.chars().any(odd) || decode(path).chars().any(odd) {
        return false;
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.is_empty()
        || rest.split('/').all(|segment| {
            let d = decode(segment);
            !segment.is_empty() && d != "." && d != ".." && !d.contains('/')
        })
}

/// A backslash or a control character: never part of a path the console makes.
fn odd(c: char) -> bool {
    c == '\\' || c.is_control()
}

/// Percent-decoded, invalid UTF-8 replaced.
pub(super) fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// `next` if it is a plain path on this console (not another site, not the sign-in page), else `/`. A path is
/// accepted only when it starts with one `/`, holds no backslash or control character (raw or percent-encoded),
/// and resolves against the console's own origin to the same origin: `/\t/evil.example`, `/%5C…`, `%2F%2F…`
/// and `https:…` all become `/`.
pub fn safe_next(next: &str) -> String {
    const BASE: &str = "http://console.invalid";
    let decoded = decode(next);
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !decoded.starts_with("//")
        && !next.chars().any(odd)
        && !decoded.chars().any(odd)
        && !decoded.starts_with("/login")
        && !decoded.starts_with("/sign-")
        && url::Url::parse(BASE)
            .and_then(|b| b.join(next))
            .is_ok_and(|u| u.origin() == url::Url::parse(BASE).expect("base").origin());
    if ok {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_console() {
        assert_eq!(
            safe_next("/realms/r/identities?page=2&q=a%20b"),
            "/realms/r/identities?page=2&q=a%20b"
        );
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "https:evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example/",
            "/%09/evil.example/",
            "/\n/evil.example/",
            "/%0a/evil.example/",
            "/%2F%2Fevil.example",
            "%2F%2Fevil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/login?next=/x",
            "/%6Cogin",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn only_plain_paths_pass() {
        for ok in [
            "/",
            "/realms/r/identities",
            "/pkg/app.css",
            "/sandbox/v1/tenants/t",
            "/realms/r/",
        ] {
            assert!(plain_path(ok), "{ok}");
        }
        for bad in [
            "/pkg/../realms/r/identities",
            "/pkg/..",
            "/sandbox/..",
            "/sandbox/../realms",
            "/pkg/%2e%2e/realms",
            "/pkg/%2E%2E",
            "/pkg/.%2e/x",
            "//realms",
            "/realms//x",
            "/pkg/./x",
            "/pkg/a%2F..%2Fb",
            "/pkg\\..\\realms",
            "/realms/%0a",
            "realms",
        ] {
            assert!(!plain_path(bad), "{bad}");
        }
    }
}
