//! The client against a sandbox that fails on purpose: 30% of calls answered 429, 503 or 500, or cut off, before or
//! after the sandbox processed them. A scripted run of more than 200 mixed operations must end with exactly the
//! directory it describes: no duplicate identity, no change lost or doubled. And BI's wait hints and the action's
//! deadline are honoured.

#![cfg(feature = "ssr")]

use crate::common;

use std::time::{Duration, Instant};

use bi_console::api::members;
use bi_console::bi::retry::{with_deadline, RetryPolicy};
use bi_console::bi::wire::{GroupWrite, IdentityWrite, ListQuery};
use bi_console::model::Traits;
use bi_console::sandbox::faults::{Fault, Faults};

fn patient() -> RetryPolicy {
    RetryPolicy {
        attempts: 12,
        base: Duration::from_millis(2),
        cap: Duration::from_millis(40),
    }
}

#[tokio::test]
async fn two_hundred_operations_under_thirty_percent_faults_end_exactly_as_scripted() {
    let t = common::start().await;
    let realm = t.workforce.clone();
    let clean = t.client();
    let group = clean
        .create_group(
            &common::permit(&realm),
            &GroupWrite {
                display_name: Some("Faulty".into()),
                description: None,
            },
        )
        .await
        .unwrap()
        .id;
    // A fixed seed replays a failing run: FAULT_SEED=… cargo test --test faults
    let seed = std::env::var("FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    t.sandbox.set_faults(Faults {
        rate: 0.3,
        max_latency: Duration::from_millis(2),
        retry_after_secs: 0,
        only: None,
        seed,
    });
    println!(
        "fault seed: {} (replay with FAULT_SEED={0})",
        t.sandbox.fault_seed()
    );
    let c = t.client().with_retry(patient());
    let mut ops = 0;

    // 80 creates.
    let mut ids = Vec::new();
    for k in 0..80 {
        let w = IdentityWrite {
            display_name: Some(format!("Faulty {k}")),
            status: None,
            traits: Some(Traits {
                username: Some(format!("faulty.{k}")),
                ..Traits::default()
            }),
        };
        let created = c
            .create_identity_verified(&common::permit(&realm), &w)
            .await
            .unwrap();
        assert_eq!(created.username(), format!("faulty.{k}"));
        ids.push(created.id);
        ops += 1;
    }
    // 40 edits.
    for (k, id) in ids.iter().enumerate().take(40) {
        let patch = IdentityWrite {
            display_name: Some(format!("Edited {k}")),
            ..IdentityWrite::default()
        };
        let now = c
            .update_identity_verified(
                &common::target(
                    &common::permit::<bi_console::permit::act::EditIdentity>(&realm),
                    id,
                ),
                &patch,
            )
            .await
            .unwrap();
        assert_eq!(now.display_name, format!("Edited {k}"));
        ops += 1;
    }
    // 30 suspends.
    for id in &ids[..30] {
        c.update_identity_verified(
            &common::target(
                &common::permit::<bi_console::permit::act::EditIdentity>(&realm),
                id,
            ),
            &IdentityWrite::status_change(true),
        )
        .await
        .unwrap();
        ops += 1;
    }
    // 25 adds of two members each, then 10 removals of one.
    for pair in ids[..50].chunks(2) {
        let r = members::change(&c, &common::permit(&realm), &group, pair, true).await;
        assert!(r.failed.is_empty(), "{:?}", r.failed);
        assert_eq!(r.changed, 2);
        ops += 1;
    }
    for id in &ids[..10] {
        let r = members::change(
            &c,
            &common::permit(&realm),
            &group,
            std::slice::from_ref(id),
            false,
        )
        .await;
        assert!(r.failed.is_empty(), "{:?}", r.failed);
        ops += 1;
    }
    // 20 deletes.
    for id in &ids[60..] {
        c.delete_identity(&common::target(&common::permit(&realm), id))
            .await
            .unwrap();
        ops += 1;
    }
    assert!(ops >= 200);
    let injected = t.sandbox.faults_injected();
    assert!(injected >= 50, "faults were injected: {injected}");
    let seed = t.sandbox.fault_seed();
    // Counted where BI would count them: each username was created by exactly one request that reached the store.
    for k in 0..80 {
        assert_eq!(
            t.sandbox.creates_processed(&format!("faulty.{k}")),
            1,
            "faulty.{k} created once (seed {seed})"
        );
    }
    // The paths that matter ran: creates lost before processing (then looked up, found missing, sent again) and
    // creates processed whose answer was lost (then found and not sent again).
    let faulted = t.sandbox.faulted_calls();
    let lost_before = faulted
        .iter()
        .filter(|f| {
            f.ends_with("POST identities")
                && (f.starts_with("ErrorBefore") || f.starts_with("DropBefore"))
        })
        .count();
    let lost_after = faulted
        .iter()
        .filter(|f| {
            f.ends_with("POST identities")
                && (f.starts_with("ErrorAfter") || f.starts_with("DropAfter"))
        })
        .count();
    assert!(
        lost_before > 0 && lost_after > 0,
        "both paths exercised (seed {seed}): {lost_before} / {lost_after}"
    );

    // The directory, read without faults.
    t.sandbox.set_faults(Faults::default());
    let store = t.sandbox.store();
    let all = store
        .list_identities(&realm, None, 0, 10_000)
        .await
        .unwrap();
    let ours: Vec<_> = all
        .items
        .iter()
        .filter(|i| i.username().starts_with("faulty."))
        .collect();
    assert_eq!(ours.len(), 60, "80 created once each, 20 deleted");
    for (k, id) in ids.iter().enumerate() {
        let found = ours.iter().find(|i| &i.id == id);
        if k >= 60 {
            assert!(found.is_none(), "faulty.{k} deleted");
            continue;
        }
        let i = found.unwrap_or_else(|| panic!("faulty.{k} exists"));
        let name = if k < 40 {
            format!("Edited {k}")
        } else {
            format!("Faulty {k}")
        };
        assert_eq!(i.display_name, name);
        let status = if k < 30 { "suspended" } else { "active" };
        assert_eq!(i.status.as_deref(), Some(status), "faulty.{k}");
    }
    let members = clean
        .list_members(&realm, &group, &ListQuery::numbered(1, 200))
        .await
        .unwrap();
    let mut got: Vec<String> = members.items.iter().map(|i| i.id.clone()).collect();
    let mut want: Vec<String> = ids[10..50].to_vec();
    got.sort();
    want.sort();
    assert_eq!(
        got, want,
        "members 10–49: added once, the first ten removed"
    );
}

#[tokio::test]
async fn reads_wait_as_bi_asks_and_stop_at_the_deadline() {
    let t = common::start().await;
    t.sandbox.set_faults(Faults {
        rate: 1.0,
        max_latency: Duration::ZERO,
        retry_after_secs: 1,
        only: Some(Fault::RateLimited),
        seed: None,
    });
    let c = t.client().with_retry(RetryPolicy {
        attempts: 2,
        base: Duration::from_millis(1),
        cap: Duration::from_millis(1),
    });
    let started = Instant::now();
    let err = c
        .list_identities(&t.workforce, &ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 honoured"
    );
    assert_eq!(t.sandbox.faults_injected(), 2, "two attempts");

    // Within a 300 ms deadline there is no room for a one-second wait: one attempt, then the error.
    let started = Instant::now();
    let err = with_deadline(Duration::from_millis(300), async {
        c.list_identities(&t.workforce, &ListQuery::default()).await
    })
    .await
    .unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(started.elapsed() < Duration::from_millis(300));
    assert_eq!(t.sandbox.faults_injected(), 3);
}

#[tokio::test]
async fn a_create_is_never_sent_twice_after_its_answer_is_lost() {
    let t = common::start().await;
    // Every call is processed, then its connection dropped: the client never sees an answer.
    t.sandbox.set_faults(Faults {
        rate: 1.0,
        only: Some(Fault::DropAfter),
        ..Faults::default()
    });
    let c = t.client().with_retry(RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(1),
        cap: Duration::from_millis(5),
    });
    let w = IdentityWrite {
        display_name: Some("Lost Answer".into()),
        status: None,
        traits: Some(Traits {
            username: Some("lost.answer".into()),
            ..Traits::default()
        }),
    };
    let before = t.sandbox.calls_total();
    // The create and every lookup lose their answers, so the outcome stays unknown: an error, and one identity.
    let err = c
        .create_identity_verified(&common::permit(&t.workforce), &w)
        .await
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err}");
    let calls = t.sandbox.calls_since(before);
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("POST identities"))
            .count(),
        1,
        "never re-sent while its outcome is unknown: {calls:?}"
    );
    t.sandbox.set_faults(Faults::default());
    let found = t
        .client()
        .find_by_username(&t.workforce, "lost.answer")
        .await
        .unwrap();
    assert!(found.is_some(), "the create itself happened once");
}
