//! Failed sign-ins, counted per username and per client address over a sliding window. Past the limit, sign-in is
//! refused for that username (or from that address) until old failures age out; a success clears the username.
//! In memory: each replica counts its own (documented in the README).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Throttle {
    window: Duration,
    per_user: usize,
    per_address: usize,
    failures: Mutex<Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    by_user: HashMap<String, VecDeque<Instant>>,
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) > window) {
        q.pop_front();
    }
}

impl Throttle {
    /// At most `per_user` failures per username and `per_address` per client address within `window`.
    pub fn new(window: Duration, per_user: usize, per_address: usize) -> Throttle {
        Throttle {
            window,
            per_user,
            per_address,
            failures: Mutex::new(Failures::default()),
        }
    }

    /// The console's limits: 5 per username and 20 per address in 15 minutes.
    pub fn standard() -> Throttle {
        Throttle::new(Duration::from_secs(15 * 60), 5, 20)
    }

    /// Whether a sign-in for `username` from `address` may be tried now.
    pub fn allowed(&self, username: &str, address: IpAddr) -> bool {
        let now = Instant::now();
        let mut f = self.failures.lock().expect("lock");
        let key = username.trim().to_lowercase();
        let window = self.window;
        let user_ok = f.by_user.get_mut(&key).is_none_or(|q| {
            prune(q, now, window);
            q.len() < self.per_user
        });
        let address_ok = f.by_address.get_mut(&address).is_none_or(|q| {
            prune(q, now, window);
            q.len() < self.per_address
        });
        user_ok && address_ok
    }

    pub fn failed(&self, username: &str, address: IpAddr) {
        let now = Instant::now();
        let mut f = self.failures.lock().expect("lock");
        // Bound the memory an attacker can make us hold.
        if f.by_user.len() > 100_000 {
            let window = self.window;
            f.by_user.retain(|_, q| {
                prune(q, now, window);
                !q.is_empty()
            });
        }
        f.by_user
            .entry(username.trim().to_lowercase())
            .or_default()
            .push_back(now);
        f.by_address.entry(address).or_default().push_back(now);
    }

    pub fn succeeded(&self, username: &str) {
        self.failures
            .lock()
            .expect("lock")
            .by_user
            .remove(&username.trim().to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_username_and_per_address() {
        let t = Throttle::new(Duration::from_secs(60), 3, 5);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(t.allowed("ada", a));
            t.failed("ada", a);
        }
        assert!(!t.allowed("ADA", a), "username limit");
        assert!(!t.allowed("ada", b), "per username, from any address");
        assert!(t.allowed("grace", a));
        t.failed("grace", a);
        t.failed("alan", a);
        assert!(!t.allowed("someone", a), "address limit");
        assert!(t.allowed("someone", b));
        t.succeeded("ada");
        assert!(t.allowed("ada", b));
    }

    #[test]
    fn failures_age_out() {
        let t = Throttle::new(Duration::from_millis(20), 1, 10);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        t.failed("ada", a);
        assert!(!t.allowed("ada", a));
        std::thread::sleep(Duration::from_millis(30));
        assert!(t.allowed("ada", a));
    }
}
