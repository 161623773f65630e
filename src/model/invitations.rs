//! Invitations sent to many identities at once, as the console follows them: one BI batch, or a run of several
//! (BI takes at most 1,000 per batch and queues at most 1,000 per realm), added up into one view.

use serde::{Deserialize, Serialize};

/// A batch of invitations (or a run of batches) as the console follows it: how far BI has got, and, once it has
/// finished, who was not sent an invitation and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: String,
    /// `RUNNING`, then `SUCCESS`, `PARTIAL_SUCCESS` or `FAILED`.
    pub state: String,
    pub total: u64,
    pub sent: u64,
    pub failed: u64,
    pub pending: u64,
    /// (who, why) for each identity not sent an invitation: no email address, an address that cannot receive
    /// mail, unknown to BI. Filled once the batch has finished.
    pub not_sent: Vec<(String, String)>,
    /// Identities the console has not yet handed to BI (a run waits while BI's queue is full).
    #[serde(default)]
    pub waiting: u64,
    /// BI's last answer was that the realm's queue is full.
    #[serde(default)]
    pub queue_full: bool,
    /// Why a run stopped before handing every identity to BI.
    #[serde(default)]
    pub stopped: Option<String>,
    /// BI batches so far.
    #[serde(default)]
    pub batches: usize,
}

impl BatchView {
    pub fn running(&self) -> bool {
        self.state == "RUNNING"
    }

    /// The view of a run of `total` identities: its batches' views added up, `waiting` not yet handed to BI, and
    /// why it stopped if it did (those waiting are then counted as not sent).
    pub fn of_run(
        id: &str,
        total: u64,
        batches: &[BatchView],
        waiting: u64,
        queue_full: bool,
        stopped: Option<String>,
    ) -> BatchView {
        let mut view = BatchView {
            id: id.to_string(),
            total,
            waiting,
            queue_full: queue_full && stopped.is_none(),
            batches: batches.len(),
            ..BatchView::default()
        };
        for b in batches {
            view.sent += b.sent;
            view.failed += b.failed;
            view.pending += b.pending;
            view.not_sent.extend(b.not_sent.iter().cloned());
        }
        let busy = batches.iter().any(BatchView::running) || (waiting > 0 && stopped.is_none());
        if let Some(why) = &stopped {
            if waiting > 0 {
                view.failed += waiting;
                view.not_sent.push((
                    format!("{waiting} more identities"),
                    format!("not handed to BI: {why}"),
                ));
            }
        }
        view.stopped = stopped;
        view.state = if busy {
            "RUNNING"
        } else if view.failed == 0 {
            "SUCCESS"
        } else if view.sent == 0 {
            "FAILED"
        } else {
            "PARTIAL_SUCCESS"
        }
        .to_string();
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(state: &str, sent: u64, failed: u64, pending: u64) -> BatchView {
        BatchView {
            state: state.into(),
            sent,
            failed,
            pending,
            not_sent: (0..failed)
                .map(|i| (format!("u{i}"), "no email".into()))
                .collect(),
            ..BatchView::default()
        }
    }

    #[test]
    fn a_run_adds_up_its_batches_and_runs_while_identities_wait() {
        let done = batch("PARTIAL_SUCCESS", 998, 2, 0);
        let going = batch("RUNNING", 100, 0, 900);
        let v = BatchView::of_run("run-1", 2_500, &[done.clone(), going], 500, true, None);
        assert!(v.running());
        assert_eq!(
            (v.sent, v.failed, v.pending, v.waiting),
            (1_098, 2, 900, 500)
        );
        assert!(v.queue_full);
        assert_eq!(v.batches, 2);

        let last = batch("SUCCESS", 500, 0, 0);
        let v = BatchView::of_run("run-1", 1_500, &[done.clone(), last], 0, false, None);
        assert_eq!(v.state, "PARTIAL_SUCCESS");
        assert_eq!(v.not_sent.len(), 2);

        // Stopped with 500 not handed over: they count as not sent, and say why.
        let v = BatchView::of_run(
            "run-1",
            1_500,
            &[done],
            500,
            true,
            Some("BI refused".into()),
        );
        assert_eq!(v.state, "PARTIAL_SUCCESS");
        assert_eq!(v.failed, 502);
        assert!(!v.queue_full);
        assert_eq!(v.not_sent.last().unwrap().1, "not handed to BI: BI refused");
        let none = BatchView::of_run("run-2", 10, &[], 10, false, Some("BI refused".into()));
        assert_eq!(none.state, "FAILED");
    }
}
