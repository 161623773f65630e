//! When and how long to wait before calling BI again: capped exponential backoff with full jitter, BI's own
//! `Retry-After` / `RateLimit-Reset` hints, and a deadline per operator action that no wait or call may pass.
//!
//! Reads and deletes are repeated on 429, 5xx and connection failures. Creates, edits and membership changes are
//! never repeated blindly: their callers first look at BI's state (see `bi::verified` and `api::members`).

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

/// How often and how long to retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first wait's ceiling; each later one doubles, up to `cap`.
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (0-based `attempt` just failed): BI's hint when it gave one, else a
    /// random duration up to `min(cap, base × 2^attempt)` ("full jitter").
    pub fn wait(&self, attempt: u32, hint: Option<Duration>) -> Duration {
        if let Some(h) = hint {
            // A hint is honoured as given (up to [`MAX_HINT`]); a little jitter keeps many clients from returning
            // at once.
            return h
                .min(MAX_HINT)
                .saturating_add(Duration::from_millis(rand::random_range(0..50)));
        }
        let ceiling = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cap);
        let ms = ceiling.as_millis() as u64;
        Duration::from_millis(if ms == 0 {
            0
        } else {
            rand::random_range(0..=ms)
        })
    }
}

/// The longest wait a hint is taken at: an hour. A larger one (a broken or hostile upstream) is read as this; the
/// action's deadline ends the wait long before anyway.
pub const MAX_HINT: Duration = Duration::from_secs(3600);

/// The wait BI asks for: `Retry-After` (seconds, or an HTTP date) or `RateLimit-Reset` (seconds), at most
/// [`MAX_HINT`].
pub fn hint(headers: &HeaderMap) -> Option<Duration> {
    raw_hint(headers).map(|d| d.min(MAX_HINT))
}

fn raw_hint(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = get("retry-after") {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = chrono::DateTime::parse_from_rfc2822(v) {
            let delta = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
            return Some(delta.to_std().unwrap_or(Duration::ZERO));
        }
    }
    get("ratelimit-reset")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
}

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `f` with a deadline: every BI call made inside (and every wait between retries) ends by then.
pub async fn with_deadline<F: Future>(limit: Duration, f: F) -> F::Output {
    DEADLINE.scope(Instant::now() + limit, f).await
}

/// Time left before the current action's deadline; `None` outside one.
pub fn remaining() -> Option<Duration> {
    DEADLINE
        .try_with(|d| d.saturating_duration_since(Instant::now()))
        .ok()
}

/// Sleeps `wait` if the deadline leaves room for it and a call after it; answers whether it did.
pub async fn pause(wait: Duration) -> bool {
    if let Some(left) = remaining() {
        if wait.saturating_add(Duration::from_millis(50)) >= left {
            return false;
        }
    }
    tokio::time::sleep(wait).await;
    true
}

/// Sends a write that must not be repeated blindly. `send` makes one attempt. After a failure that may hide a
/// success (no answer, a server error — or a conflict after such a failure), `check` reads BI's state and answers
/// the write's result if it has already happened; only otherwise is it sent again, after a wait, while the policy and
/// the deadline allow.
pub async fn write_checked<T, S, SF, C, CF>(
    policy: RetryPolicy,
    mut send: S,
    mut check: C,
) -> Result<T, super::BiError>
where
    S: FnMut() -> SF,
    SF: Future<Output = Result<T, super::BiError>>,
    C: FnMut() -> CF,
    CF: Future<Output = Result<Option<T>, super::BiError>>,
{
    let mut unsure = false;
    let mut attempt = 0;
    loop {
        let e = match send().await {
            Ok(done) => return Ok(done),
            Err(e) => e,
        };
        unsure |= e.is_ambiguous();
        if unsure && (e.is_ambiguous() || e.is_conflict()) {
            if let Some(done) = check().await? {
                tracing::info!("a write had been applied; not sent again");
                return Ok(done);
            }
        }
        if !e.is_transient() || attempt + 1 >= policy.attempts {
            return Err(e);
        }
        if !pause(policy.wait(attempt, e.retry_after())).await {
            return Err(e);
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn waits_grow_are_capped_and_jittered() {
        let p = RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(400),
        };
        for _ in 0..50 {
            assert!(p.wait(0, None) <= Duration::from_millis(100));
            assert!(p.wait(1, None) <= Duration::from_millis(200));
            assert!(p.wait(5, None) <= Duration::from_millis(400));
        }
        let hinted = p.wait(0, Some(Duration::from_secs(2)));
        assert!(hinted >= Duration::from_secs(2) && hinted < Duration::from_millis(2050));
    }

    #[test]
    fn hints_are_read_from_either_header() {
        let mut h = HeaderMap::new();
        assert_eq!(hint(&h), None);
        h.insert("ratelimit-reset", HeaderValue::from_static("3"));
        assert_eq!(hint(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after", HeaderValue::from_static("1"));
        assert_eq!(hint(&h), Some(Duration::from_secs(1)), "Retry-After first");
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        h.insert("retry-after", HeaderValue::from_str(&soon).unwrap());
        let d = hint(&h).unwrap();
        assert!(
            d > Duration::from_secs(25) && d <= Duration::from_secs(30),
            "{d:?}"
        );
    }

    #[test]
    fn hostile_hints_are_capped_not_overflowed() {
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("18446744073709551615"),
        );
        assert_eq!(hint(&h), Some(MAX_HINT));
        h.remove("retry-after");
        h.insert(
            "ratelimit-reset",
            HeaderValue::from_static("18446744073709551615"),
        );
        assert_eq!(hint(&h), Some(MAX_HINT));
        let p = RetryPolicy::default();
        assert!(p.wait(0, Some(Duration::MAX)) <= MAX_HINT + Duration::from_millis(50));
        assert!(p.wait(u32::MAX, None) <= p.cap);
    }

    #[tokio::test]
    async fn a_huge_wait_inside_a_deadline_is_refused_not_overflowed() {
        with_deadline(Duration::from_millis(100), async {
            assert!(!pause(Duration::MAX).await);
        })
        .await;
    }

    #[tokio::test]
    async fn the_deadline_bounds_waits() {
        with_deadline(Duration::from_millis(200), async {
            assert!(remaining().unwrap() <= Duration::from_millis(200));
            assert!(
                !pause(Duration::from_secs(1)).await,
                "would pass the deadline"
            );
            assert!(pause(Duration::from_millis(10)).await);
        })
        .await;
        assert_eq!(remaining(), None);
    }
}
