//! One BI call for many who ask the same thing at once: a caller that asks while the same call (same key) is in
//! flight takes its answer instead of making another. The answer is as fresh as a call made at that moment (the
//! call started at most one call's time earlier); once it has ended, the next caller makes a new one. Nothing is
//! kept after a call ends.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use futures::future::{BoxFuture, FutureExt, Shared};

type InFlight<V> = Shared<BoxFuture<'static, V>>;

/// Calls in flight by key (e.g. a realm's count check).
pub struct Coalesced<V: Clone> {
    in_flight: Mutex<HashMap<String, InFlight<V>>>,
}

impl<V: Clone> Default for Coalesced<V> {
    fn default() -> Self {
        Coalesced {
            in_flight: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone + Send + Sync + 'static> Coalesced<V> {
    /// The answer of the call in flight for `key`, or of the one `call` makes when none is.
    ///
    /// Whoever sees the call end forgets it, so a caller that goes away before its answer leaves nothing behind:
    /// one who joined it, or the next caller, drives it to its end.
    pub async fn get<F>(&self, key: &str, call: impl FnOnce() -> F) -> V
    where
        F: Future<Output = V> + Send + 'static,
    {
        let flight = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            in_flight
                .entry(key.to_string())
                .or_insert_with(|| call().boxed().shared())
                .clone()
        };
        let answer = flight.clone().await;
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if in_flight.get(key).is_some_and(|f| f.ptr_eq(&flight)) {
            in_flight.remove(key);
        }
        answer
    }

    /// How many calls are in flight.
    #[cfg(test)]
    fn in_flight(&self) -> usize {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A call that counts itself and answers when told.
    fn gated(
        calls: &Arc<AtomicUsize>,
        answer: u64,
    ) -> (
        impl FnOnce() -> BoxFuture<'static, u64>,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let (open, gate) = tokio::sync::oneshot::channel::<()>();
        let calls = calls.clone();
        let call = move || {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                let _ = gate.await;
                answer
            }
            .boxed()
        };
        (call, open)
    }

    #[tokio::test]
    async fn callers_at_once_share_one_call_and_the_next_makes_its_own() {
        let c = Coalesced::<u64>::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let (first, open) = gated(&calls, 7);
        let (other, open_other) = gated(&calls, 9);
        // Calls that must not be made; their gates are dropped, so one made by mistake answers at once (and wrongly).
        let (second, _) = gated(&calls, 100);
        let (third, _) = gated(&calls, 101);
        // Polled in order: the first makes the call, the next two ask while it is in flight (their own calls are
        // never made), another key is another call; then both calls answer.
        let answers = futures::join!(
            c.get("realm-a", first),
            c.get("realm-a", second),
            c.get("realm-a", third),
            c.get("realm-b", other),
            async {
                open.send(()).unwrap();
                open_other.send(()).unwrap();
            },
        );
        assert_eq!((answers.0, answers.1, answers.2, answers.3), (7, 7, 7, 9));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(c.in_flight(), 0);
        // Once it has ended, the next caller makes a new call and gets its answer.
        let (again, open_again) = gated(&calls, 8);
        open_again.send(()).unwrap();
        assert_eq!(c.get("realm-a", again).await, 8);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_caller_that_goes_away_leaves_its_call_to_the_next() {
        let c = Arc::new(Coalesced::<u64>::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let (first, open) = gated(&calls, 5);
        let leader = tokio::spawn({
            let c = c.clone();
            async move { c.get("realm-a", first).await }
        });
        while c.in_flight() == 0 {
            tokio::task::yield_now().await;
        }
        leader.abort();
        let _ = leader.await;
        // The call is still in flight: the next caller drives it to its end, and it is forgotten.
        open.send(()).unwrap();
        let (next, _) = gated(&calls, 6);
        assert_eq!(c.get("realm-a", next).await, 5);
        assert_eq!(c.in_flight(), 0);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
