//! BI-shaped paging: `page_size` (default 20, at most 200), opaque `page_token`s that remember the position, the
//! page size and the filter, and `skip`, which the token does not keep and the caller resends on every page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::bi::wire::ListQuery;
use crate::model::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

#[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
struct Token {
    /// Which list this token belongs to (e.g. `identities/<realm>`).
    l: String,
    /// Position after the previous page, counted after `skip`.
    p: u64,
    /// Page size.
    s: u32,
    /// The filter of the first request.
    f: Option<String>,
}

/// The window a list request asks for.
#[derive(Debug, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    pub limit: u32,
    position: u64,
}

/// A paging problem, reported as a field violation on `field`.
#[derive(Debug, PartialEq, Eq)]
pub struct PagingError {
    pub field: &'static str,
    pub description: String,
}

fn bad(field: &'static str, description: &str) -> PagingError {
    PagingError {
        field,
        description: description.to_string(),
    }
}

/// The largest offset SQLite can take (a signed 64-bit integer); any position past it is past every list's end,
/// so a larger `skip` or token position answers an empty page, as BI does past the end.
pub const MAX_OFFSET: u64 = i64::MAX as u64;

/// Works out offset and limit for `query` on the list named `list`.
pub fn window(list: &str, query: &ListQuery) -> Result<Window, PagingError> {
    let skip = query.skip.unwrap_or(0);
    let requested = query.page_size.filter(|n| *n > 0);
    match &query.page_token {
        None => Ok(Window {
            offset: skip.min(MAX_OFFSET),
            limit: requested.unwrap_or(DEFAULT_PAGE_SIZE).min(MAX_PAGE_SIZE),
            position: 0,
        }),
        Some(raw) => {
            let token: Token = URL_SAFE_NO_PAD
                .decode(raw)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| bad("page_token", "invalid page token"))?;
            if token.l != list {
                return Err(bad("page_token", "invalid page token"));
            }
            if query.filter.is_some() && query.filter != token.f {
                return Err(bad("filter", "filter does not match the page token"));
            }
            Ok(Window {
                offset: skip.saturating_add(token.p).min(MAX_OFFSET),
                limit: requested.unwrap_or(token.s).min(MAX_PAGE_SIZE),
                position: token.p,
            })
        }
    }
}

/// The filter in force: the request's, or the one the token carries.
pub fn effective_filter(query: &ListQuery) -> Option<String> {
    if query.filter.is_some() {
        return query.filter.clone();
    }
    let raw = query.page_token.as_ref()?;
    let token: Token = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
    token.f
}

/// The token for the page after one that returned `returned` items out of `total`; `None` on the last page.
pub fn next_token(
    list: &str,
    query: &ListQuery,
    w: &Window,
    returned: usize,
    total: u64,
) -> Option<String> {
    if returned == 0 || w.offset.saturating_add(returned as u64) >= total {
        return None;
    }
    let token = Token {
        l: list.to_string(),
        p: w.position.saturating_add(returned as u64),
        s: w.limit,
        f: effective_filter(query),
    };
    Some(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).expect("token serializes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(size: Option<u32>, token: Option<String>, skip: Option<u64>) -> ListQuery {
        ListQuery {
            filter: None,
            page_size: size,
            page_token: token,
            skip,
        }
    }

    #[test]
    fn defaults_and_ceiling() {
        assert_eq!(window("l", &q(None, None, None)).unwrap().limit, 20);
        assert_eq!(window("l", &q(Some(0), None, None)).unwrap().limit, 20);
        assert_eq!(window("l", &q(Some(500), None, None)).unwrap().limit, 200);
    }

    #[test]
    fn tokens_walk_the_list_and_skip_is_resent() {
        let first = q(Some(10), None, Some(5));
        let w = window("l", &first).unwrap();
        assert_eq!(w.offset, 5);
        let t = next_token("l", &first, &w, 10, 40).unwrap();
        let second = q(None, Some(t), Some(5));
        let w2 = window("l", &second).unwrap();
        assert_eq!((w2.offset, w2.limit), (15, 10));
        // last page: 15 + 10 .. 40 → one more page then none
        let t2 = next_token("l", &second, &w2, 10, 40).unwrap();
        let w3 = window("l", &q(None, Some(t2.clone()), Some(5))).unwrap();
        assert_eq!(w3.offset, 25);
        assert!(next_token("l", &q(None, Some(t2), Some(5)), &w3, 15, 40).is_none());
    }

    #[test]
    fn huge_positions_are_past_the_end_not_an_overflow() {
        let w = window("l", &q(Some(10), None, Some(u64::MAX))).unwrap();
        assert_eq!(w.offset, MAX_OFFSET);
        assert!(next_token("l", &q(None, None, Some(u64::MAX)), &w, 10, 40).is_none());
        let at_end = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Token {
                l: "l".into(),
                p: u64::MAX,
                s: 10,
                f: None,
            })
            .unwrap(),
        );
        let w = window("l", &q(None, Some(at_end.clone()), Some(7))).unwrap();
        assert_eq!(w.offset, MAX_OFFSET);
        assert!(next_token("l", &q(None, Some(at_end.clone()), None), &w, 10, 40).is_none());
        // Even a list "longer" than any offset: positions saturate instead of wrapping to the start.
        let t = next_token("l", &q(None, Some(at_end), None), &w, 10, u64::MAX).unwrap();
        assert_eq!(
            window("l", &q(None, Some(t), None)).unwrap().offset,
            MAX_OFFSET
        );
    }

    #[test]
    fn foreign_or_broken_tokens_are_refused() {
        let first = q(Some(1), None, None);
        let w = window("a", &first).unwrap();
        let t = next_token("a", &first, &w, 1, 3).unwrap();
        assert_eq!(
            window("b", &q(None, Some(t), None)).unwrap_err().field,
            "page_token"
        );
        assert_eq!(
            window("a", &q(None, Some("garbage".into()), None))
                .unwrap_err()
                .field,
            "page_token"
        );
    }

    #[test]
    fn the_filter_must_match_the_token() {
        let mut first = q(Some(1), None, None);
        first.filter = Some("traits.username eq \"a\"".into());
        let w = window("a", &first).unwrap();
        let t = next_token("a", &first, &w, 1, 3).unwrap();
        let mut other = q(None, Some(t.clone()), None);
        other.filter = Some("traits.username eq \"b\"".into());
        assert_eq!(window("a", &other).unwrap_err().field, "filter");
        assert_eq!(effective_filter(&q(None, Some(t), None)), first.filter);
    }
}
