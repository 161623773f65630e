//! Sign-in throttling. Every attempt is counted *before* its password is checked, so parallel guesses cannot race
//! past the count. Three rules, over a sliding window (15 minutes by default):
//!
//! - **Per username and address: a wall.** After 5 failures for one username from one address, that address may
//!   not try that username again until the failures age out; unless the operator signed in from that address
//!   before (in the last 30 days): such a pair is never walled, only queued (below).
//! - **Per address: a wall for names that are not operators'.** After 20 failures from one address with usernames
//!   that are no operator's, it may not try such names for a while. Operators' names are not counted there and
//!   never refused by it: behind a proxy many people share an address, and a stranger spraying random names must
//!   not lock every operator out.
//! - **Per username: a slow-down, never a wall.** After 5 failures for a username from anywhere, each further
//!   attempt for it gets a turn, one after another, 1 s after the previous one, then 2, 4, up to 8 s; an attempt
//!   whose turn is more than 10 s away is refused. So a stranger cannot lock an operator out, and guesses spread
//!   over many addresses still come one at a time. An address the operator signed in from successfully (in the
//!   last 30 days) skips the queue while that pair's own failures are fewer than the pair limit: the real operator
//!   is not slowed down by someone else's guessing, and guessing from that address is slowed like any other.
//!
//! The address is the client's as `auth::client_addr` finds it (through trusted proxies only).
//!
//! In memory, each process its own; the tables are pruned so they stay bounded. Where replicas share the console's
//! database, all three rules count there instead ([`SharedCounts`]): five failures for a username from an address
//! are five across all replicas, and a username's queue is one queue whichever replica an attempt lands on. Both
//! decide with the same [`decide`].

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest username accepted for a check; a longer one is a failure without any password check.
pub const MAX_USERNAME_BYTES: usize = 256;

/// Entries kept per table before old ones are pruned.
const PRUNE_AT: usize = 10_000;
/// How long a successful (username, address) pair skips the per-username queue.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub window: Duration,
    /// Failures per (username, address) before that pair is refused.
    pub per_pair: usize,
    /// Failures per address before it is refused.
    pub per_address: usize,
    /// Failures per username before its attempts are queued.
    pub free_per_user: usize,
    /// The first delay between queued attempts; it doubles up to `max_delay`.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// An attempt whose turn is further away than this is refused.
    pub max_wait: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            window: Duration::from_secs(15 * 60),
            per_pair: 5,
            per_address: 20,
            free_per_user: 5,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(10),
        }
    }
}

/// The failures where several processes share them (replicas on one database; implemented in `db`).
pub trait SharedCounts: Send + Sync {
    /// Counts an attempt of `user` from `address` (`operator`: the name is an operator's), one at a time for a
    /// username across processes: reads its counts, asks [`decide`], and when admitted records the failure (and the
    /// username's next turn). Answers the wait, or why not.
    fn attempt<'a>(
        &'a self,
        user: &'a str,
        address: &'a str,
        operator: bool,
        limits: Limits,
        known_for: Duration,
    ) -> crate::store::Fut<'a, Result<Duration, Refusal>>;
    /// The attempt had the right password: it is no failure, the pair's failures are forgiven and the address is
    /// known for the user.
    fn succeeded<'a>(&'a self, user: &'a str, address: &'a str) -> crate::store::Fut<'a, ()>;
}

/// What is counted against an attempt, within the window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Failures of this (username, address) pair not yet forgiven.
    pub pair: usize,
    /// The operator signed in from this address within the last 30 days.
    pub known: bool,
    /// Failures from this address with names that are no operator's.
    pub address: usize,
    /// Failures for this username from anywhere.
    pub user: usize,
    /// How long until the username's next queued turn (zero when it has passed).
    pub turn_in: Duration,
}

/// An admitted attempt's wait, and when the username's next turn is (from now) if the attempt was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub wait: Duration,
    pub next_turn_in: Option<Duration>,
}

/// The three rules (see the module's documentation) applied to `c`.
pub fn decide(l: &Limits, c: Counts, operator: bool) -> Result<Decision, Refusal> {
    if c.pair >= l.per_pair && !c.known {
        return Err(Refusal::Pair);
    }
    if !operator && c.address >= l.per_address {
        return Err(Refusal::Address);
    }
    // A known pair skips the queue until its own failures reach the pair limit.
    let skips_queue = c.known && c.pair < l.per_pair;
    if skips_queue || c.user < l.free_per_user {
        return Ok(Decision {
            wait: Duration::ZERO,
            next_turn_in: None,
        });
    }
    let wait = c.turn_in;
    if wait > l.max_wait {
        return Err(Refusal::Queue);
    }
    let over = (c.user - l.free_per_user).min(16) as u32;
    let delay = l.first_delay.saturating_mul(1 << over).min(l.max_delay);
    Ok(Decision {
        wait,
        next_turn_in: Some(wait + delay),
    })
}

pub struct Throttle {
    limits: Limits,
    state: Mutex<State>,
    /// The failures across replicas, where they share a database: then the tables here are not used.
    shared: Option<std::sync::Arc<dyn SharedCounts>>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("limits", &self.limits)
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

#[derive(Debug, Default)]
struct State {
    /// The table size at which the next pruning runs: twice what survived the last one, so pruning costs O(1) per
    /// attempt on average even under a flood.
    prune_at: usize,
    by_pair: HashMap<(String, IpAddr), VecDeque<Instant>>,
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
    by_user: HashMap<String, UserQueue>,
    known: HashMap<(String, IpAddr), Instant>,
}

#[derive(Debug)]
struct UserQueue {
    failures: VecDeque<Instant>,
    /// The earliest time the next queued attempt may run.
    next_turn: Instant,
}

/// Why an attempt may not be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This address failed too often for this username.
    Pair,
    /// This address failed too often.
    Address,
    /// The username's queue is too long.
    Queue,
}

/// An admitted attempt: wait `wait`, then check the password; report the outcome with [`Throttle::succeeded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admitted {
    pub wait: Duration,
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) > window)
    {
        q.pop_front();
    }
}

/// The key a username is counted under: trimmed, lowercased, cut to [`MAX_USERNAME_BYTES`].
pub fn user_key(username: &str) -> String {
    let mut k = username.trim().to_lowercase();
    if k.len() > MAX_USERNAME_BYTES {
        let mut end = MAX_USERNAME_BYTES;
        while !k.is_char_boundary(end) {
            end -= 1;
        }
        k.truncate(end);
    }
    k
}

impl Throttle {
    pub fn new(limits: Limits) -> Throttle {
        Throttle {
            limits,
            state: Mutex::new(State::default()),
            shared: None,
        }
    }

    /// The same throttle, counting in `shared` instead of this process's tables (replicas on one database).
    pub fn with_shared(mut self, shared: std::sync::Arc<dyn SharedCounts>) -> Throttle {
        self.shared = Some(shared);
        self
    }

    /// Admits (and counts as a failure until [`forgive`](Self::forgive) says otherwise) or refuses an attempt, in
    /// the shared counts where there are some, else in this process's. A shared store that does not answer
    /// refuses the attempt (no password is checked that a rule might have stopped).
    pub async fn admit(&self, username: &str, address: IpAddr, operator: bool) -> Result<Admitted, Refusal> {
        let Some(shared) = &self.shared else {
            return self.begin(username, address, operator);
        };
        match shared
            .attempt(&user_key(username), &address.to_string(), operator, self.limits, KNOWN_FOR)
            .await
        {
            Ok(Ok(wait)) => Ok(Admitted { wait }),
            Ok(Err(why)) => Err(why),
            Err(e) => {
                tracing::warn!(error = %e, "sign-in refused: the shared sign-in counts did not answer");
                Err(Refusal::Pair)
            }
        }
    }

    /// The attempt admitted for `username` from `address` had the right password (see [`succeeded`](Self::succeeded)).
    pub async fn forgive(&self, username: &str, address: IpAddr) {
        let Some(shared) = &self.shared else {
            return self.succeeded(username, address);
        };
        if let Err(e) = shared.succeeded(&user_key(username), &address.to_string()).await {
            tracing::warn!(error = %e, "the shared sign-in counts were not updated");
        }
    }

    /// The console's limits (see the module's documentation).
    pub fn standard() -> Throttle {
        Throttle::new(Limits::default())
    }

    /// Admits (and counts as a failure until [`Throttle::succeeded`] says otherwise) or refuses an attempt;
    /// `operator`: the username is an operator's.
    pub fn begin(
        &self,
        username: &str,
        address: IpAddr,
        operator: bool,
    ) -> Result<Admitted, Refusal> {
        let now = Instant::now();
        let l = self.limits;
        let user = user_key(username);
        let mut s = self.state.lock().expect("lock");
        s.prune_if_large(now, l.window);
        let pair_key = (user.clone(), address);
        let known = s
            .known
            .get(&pair_key)
            .is_some_and(|t| now.saturating_duration_since(*t) < KNOWN_FOR);
        let pair = s
            .by_pair
            .get_mut(&pair_key)
            .map(|q| {
                prune(q, now, l.window);
                q.len()
            })
            .unwrap_or(0);
        let address_failures = if operator {
            0
        } else {
            s.by_address
                .get_mut(&address)
                .map(|q| {
                    prune(q, now, l.window);
                    q.len()
                })
                .unwrap_or(0)
        };
        let queue = s.by_user.entry(user).or_insert_with(|| UserQueue {
            failures: VecDeque::new(),
            next_turn: now,
        });
        prune(&mut queue.failures, now, l.window);
        let counts = Counts {
            pair,
            known,
            address: address_failures,
            user: queue.failures.len(),
            turn_in: queue.next_turn.saturating_duration_since(now),
        };
        let decision = decide(&l, counts, operator)?;
        if let Some(next) = decision.next_turn_in {
            queue.next_turn = now + next;
        }
        queue.failures.push_back(now);
        s.by_pair.entry(pair_key).or_default().push_back(now);
        if !operator {
            s.by_address.entry(address).or_default().push_back(now);
        }
        Ok(Admitted {
            wait: decision.wait,
        })
    }

    /// The attempt begun for `username` from `address` had the right password: it is not a failure after all, the
    /// pair's failures are forgiven and the address is known for this username.
    pub fn succeeded(&self, username: &str, address: IpAddr) {
        let now = Instant::now();
        let user = user_key(username);
        let mut s = self.state.lock().expect("lock");
        let pair_key = (user.clone(), address);
        s.by_pair.remove(&pair_key);
        if let Some(q) = s.by_user.get_mut(&user) {
            q.failures.pop_back();
        }
        if s.known.len() >= PRUNE_AT {
            s.known
                .retain(|_, t| now.saturating_duration_since(*t) < KNOWN_FOR);
            if s.known.len() >= PRUNE_AT {
                s.known.clear();
            }
        }
        s.known.insert(pair_key, now);
    }

    /// Entries held, for tests of the pruning.
    pub fn entries(&self) -> usize {
        let s = self.state.lock().expect("lock");
        s.by_pair.len() + s.by_address.len() + s.by_user.len()
    }
}

impl State {
    fn prune_if_large(&mut self, now: Instant, window: Duration) {
        let size = self.by_pair.len() + self.by_address.len() + self.by_user.len();
        if size < self.prune_at.max(PRUNE_AT) {
            return;
        }
        self.by_pair.retain(|_, q| {
            prune(q, now, window);
            !q.is_empty()
        });
        self.by_address.retain(|_, q| {
            prune(q, now, window);
            !q.is_empty()
        });
        self.by_user.retain(|_, q| {
            prune(&mut q.failures, now, window);
            !q.failures.is_empty() || q.next_turn > now
        });
        // Whatever is still above the bound after pruning (a flood inside one window) is dropped: forgetting
        // failures weakens the throttle for a while, but the memory stays bounded.
        if self.by_pair.len() >= 4 * PRUNE_AT {
            self.by_pair.clear();
        }
        if self.by_address.len() >= 4 * PRUNE_AT {
            self.by_address.clear();
        }
        if self.by_user.len() >= 4 * PRUNE_AT {
            self.by_user.clear();
        }
        self.prune_at = 2 * (self.by_pair.len() + self.by_address.len() + self.by_user.len());
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
