//! Fault injection, switched on by configuration (`SANDBOX_FAULTS`) or by tests: added latency, and a share of
//! calls answered with 429 (with `Retry-After`), 503 or 500, or cut off by a dropped connection — before the call is
//! processed, or after (the write happened, the caller cannot know). For exercising the console's retries.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::calls::{short_path, CallLog};
use super::error::ApiError;
use super::{Sandbox, Shared};

/// What to inject. `rate` of the calls fail, spread evenly over the six kinds of [`Fault`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    /// Share of calls that fail, 0.0–1.0.
    pub rate: f64,
    /// Each call is delayed by a random time up to this.
    pub max_latency: Duration,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after_secs: u64,
    /// Inject only this kind (all kinds when `None`).
    pub only: Option<Fault>,
    /// The seed of the draws, so a failing run can be replayed (`seed=…`); a random one when `None`, reported by
    /// [`super::Sandbox::fault_seed`].
    pub seed: Option<u64>,
}

/// One kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    RateLimited,
    Unavailable,
    ErrorBefore,
    ErrorAfter,
    DropBefore,
    DropAfter,
}

const KINDS: [Fault; 6] = [
    Fault::RateLimited,
    Fault::Unavailable,
    Fault::ErrorBefore,
    Fault::ErrorAfter,
    Fault::DropBefore,
    Fault::DropAfter,
];

impl Faults {
    /// `rate=0.3,latency_ms=20,retry_after=1` (any part may be left out).
    pub fn parse(spec: &str) -> Result<Faults, String> {
        let mut f = Faults::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}' is not key=value"))?;
            match k.trim() {
                "rate" => {
                    f.rate = v
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|r| (0.0..=1.0).contains(r))
                        .ok_or("rate must be a number from 0 to 1")?
                }
                "latency_ms" => {
                    f.max_latency = Duration::from_millis(
                        v.trim()
                            .parse()
                            .map_err(|_| "latency_ms must be a whole number")?,
                    )
                }
                "seed" => {
                    f.seed = Some(
                        v.trim()
                            .parse()
                            .map_err(|_| "seed must be a whole number")?,
                    )
                }
                "retry_after" => {
                    f.retry_after_secs = v
                        .trim()
                        .parse()
                        .map_err(|_| "retry_after must be whole seconds")?
                }
                other => {
                    return Err(format!(
                        "unknown key '{other}' (rate, latency_ms, retry_after, seed)"
                    ))
                }
            }
        }
        Ok(f)
    }

    pub fn is_off(&self) -> bool {
        self.rate <= 0.0 && self.max_latency.is_zero()
    }

    /// The fault for the next call, if any, drawn from `rng`.
    pub(super) fn draw(&self, rng: &mut impl rand::Rng) -> Option<Fault> {
        let hit = self.rate > 0.0 && rng.random::<f64>() < self.rate;
        let kind = KINDS[rng.random_range(0..KINDS.len())];
        hit.then(|| self.only.unwrap_or(kind))
    }
}

/// A response whose body fails after the headers: the client sees the connection drop mid-answer.
fn dropped() -> Response {
    let body = Body::from_stream(futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "connection dropped (fault injection)",
        ))
    }));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .expect("a response")
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    ApiError::with_status(status, code, message).into_response()
}

pub(super) async fn inject(State(sb): Shared, req: Request, next: Next) -> Response {
    let f = sb.faults();
    let scripted = sb.next_scripted();
    if f.is_off() && scripted.is_none() {
        return next.run(req).await;
    }
    if !f.max_latency.is_zero() {
        let ms = f.max_latency.as_millis() as u64;
        tokio::time::sleep(Duration::from_millis(rand::random_range(0..=ms))).await;
    }
    let fault = scripted.or_else(|| sb.draw_fault(&f));
    if let Some(kind) = fault {
        sb.count_fault(kind, req.method().as_str(), req.uri().path());
    }
    match fault {
        None => next.run(req).await,
        Some(Fault::RateLimited) => {
            let mut res = error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "rate limit exceeded",
            );
            if let Ok(v) = f.retry_after_secs.to_string().parse() {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Some(Fault::Unavailable) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "service unavailable",
        ),
        Some(Fault::ErrorBefore) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        ),
        Some(Fault::ErrorAfter) => {
            let _ = next.run(req).await;
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
        }
        Some(Fault::DropBefore) => dropped(),
        Some(Fault::DropAfter) => {
            let _ = next.run(req).await;
            dropped()
        }
    }
}

impl Sandbox {
    /// Switches fault injection (see [`faults`]); `Faults::default()` switches it off. The draws start again from
    /// the given seed, or a new random one (see [`Sandbox::fault_seed`]).
    pub fn set_faults(&self, f: Faults) {
        use rand::SeedableRng;
        let seed = f.seed.unwrap_or_else(rand::random);
        *self.fault_rng.lock().expect("lock") = (seed, rand::rngs::StdRng::seed_from_u64(seed));
        if f.rate > 0.0 {
            tracing::info!(
                seed,
                rate = f.rate,
                "sandbox fault injection on (replay with seed={seed})"
            );
        }
        *self.faults.lock().expect("lock") = f;
    }

    /// The seed the current fault draws started from.
    pub fn fault_seed(&self) -> u64 {
        self.fault_rng.lock().expect("lock").0
    }

    fn draw_fault(&self, f: &Faults) -> Option<Fault> {
        f.draw(&mut self.fault_rng.lock().expect("lock").1)
    }

    /// The faults injected so far (the last 10,000), as "Kind METHOD path" with the path after the realm.
    pub fn faulted_calls(&self) -> Vec<String> {
        self.faulted.lock().expect("lock").iter().cloned().collect()
    }

    pub fn faults(&self) -> Faults {
        *self.faults.lock().expect("lock")
    }

    /// Answers the next calls with these faults, one each, in order (then as configured): for tests that need a
    /// fault at an exact step.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.scripted
            .lock()
            .expect("lock")
            .extend(faults.iter().copied());
    }

    fn next_scripted(&self) -> Option<Fault> {
        self.scripted.lock().expect("lock").pop_front()
    }

    /// How many faults have been injected since start.
    pub fn faults_injected(&self) -> u64 {
        self.faults_injected
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    fn count_fault(&self, kind: Fault, method: &str, path: &str) {
        self.faults_injected
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut log = self.faulted.lock().expect("lock");
        if log.len() == CallLog::KEEP {
            log.pop_front();
        }
        log.push_back(format!("{kind:?} {method} {}", short_path(path)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_the_same_faults() {
        use rand::SeedableRng;
        let f = Faults {
            rate: 0.5,
            ..Faults::default()
        };
        let run = |seed| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            (0..50).map(|_| f.draw(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn specs_parse() {
        let f = Faults::parse("rate=0.3, latency_ms=20,retry_after=1,seed=42").unwrap();
        assert_eq!(f.rate, 0.3);
        assert_eq!(f.seed, Some(42));
        assert_eq!(f.max_latency, Duration::from_millis(20));
        assert_eq!(f.retry_after_secs, 1);
        assert!(Faults::parse("").unwrap().is_off());
        assert!(Faults::parse("rate=2").is_err());
        assert!(Faults::parse("chaos=1").is_err());
    }
}
