//! Invitations to more identities than BI's queue takes, through the console's server functions over HTTP against
//! the sandbox (whose queue holds at most 1,000 per realm, as BI's): a selection sent while the queue is busy waits
//! and goes as it drains; 2,500 go as three batches, never more than BI accepts, to one summary.

#![cfg(feature = "ssr")]

use crate::common;

use std::time::{Duration, Instant};

use bi_console::api::*;
use bi_console::model::BatchView;
use common::{browser, call, sign_in, start_console, temp_dir, TestConsole};
use leptos::server_fn::ServerFn;

async fn start(c: &reqwest::Client, t: &TestConsole, ids: &[String]) -> (u16, String) {
    let args = StartPasskeyInvitations {
        realm: t.info.default_realm.clone(),
        ids: ids.to_vec(),
    };
    call(c, &t.base, StartPasskeyInvitations::PATH, &args).await
}

async fn view(c: &reqwest::Client, t: &TestConsole, realm: &str, id: &str) -> (u16, String) {
    let args = InvitationBatch {
        realm: realm.into(),
        batch: id.into(),
    };
    call(c, &t.base, InvitationBatch::PATH, &args).await
}

/// The view of `id` once BI has finished with it (a minute at most).
async fn finished(c: &reqwest::Client, t: &TestConsole, id: &str) -> BatchView {
    let realm = t.info.default_realm.clone();
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = view(c, t, &realm, id).await;
        assert_eq!(status, 200, "{body}");
        let v: BatchView = serde_json::from_str(&body).unwrap();
        if !v.running() {
            return v;
        }
        assert!(Instant::now() < until, "still running: {v:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_selection_larger_than_bis_queue_goes_as_the_queue_drains() {
    let dir = temp_dir("invitation-runs");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", "runs-test-token".to_string())]).await;
    let c = browser();
    sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let store = t.sandbox.as_ref().unwrap().store();
    store
        .bulk_seed(&realm, "run", 4_500, 0, 0, 0)
        .await
        .unwrap();
    let all = store
        .list_identities(&realm, None, 0, 10_000)
        .await
        .unwrap();
    let ids: Vec<String> = all
        .items
        .iter()
        .filter(|i| i.username().starts_with("run."))
        .map(|i| i.id.clone())
        .collect();
    assert_eq!(ids.len(), 4_500);

    // 1,000 fit: one batch at BI, answered by its own id.
    let (status, body) = start(&c, &t, &ids[..1_000]).await;
    assert_eq!(status, 200, "{body}");
    let first: String = serde_json::from_str(&body).unwrap();
    assert!(!first.starts_with("run-"), "{first}");
    // 1,000 more while any of those are queued: BI's queue is full, so they wait in the console and go once it
    // has drained (the sandbox works 50 a step every 100 ms, so the queue holds some of the first for ~2 s).
    let (status, body) = start(&c, &t, &ids[1_000..2_000]).await;
    assert_eq!(status, 200, "{body}");
    let waiting: String = serde_json::from_str(&body).unwrap();
    assert!(waiting.starts_with("run-"), "{waiting}");
    let (_, body) = view(&c, &t, &realm, &waiting).await;
    let now: BatchView = serde_json::from_str(&body).unwrap();
    assert!(now.running(), "{now:?}");
    assert_eq!(now.waiting, 1_000);
    assert!(now.queue_full);
    assert_eq!(now.batches, 0);
    assert_eq!(finished(&c, &t, &first).await.sent, 1_000);
    let done = finished(&c, &t, &waiting).await;
    assert_eq!(
        (done.state.as_str(), done.sent, done.waiting, done.batches),
        ("SUCCESS", 1_000, 0, 1)
    );

    // 2,500: three batches of at most 1,000, one summary.
    let (status, body) = start(&c, &t, &ids[2_000..]).await;
    assert_eq!(status, 200, "{body}");
    let run: String = serde_json::from_str(&body).unwrap();
    assert!(run.starts_with("run-"), "{run}");
    let done = finished(&c, &t, &run).await;
    assert_eq!(done.state, "SUCCESS", "{done:?}");
    assert_eq!(
        (done.total, done.sent, done.failed, done.batches),
        (2_500, 2_500, 0, 3)
    );
    let sample = store.get_identity(&realm, &ids[4_499]).await.unwrap();
    assert_eq!(sample.enrollment_status.as_deref(), Some("PENDING"));

    // Each batch BI took is in the audit log; a full queue wrote nothing and is not.
    let (_, body) = call(
        &c,
        &t.base,
        ListAudit::PATH,
        &ListAudit {
            filter: bi_console::model::AuditFilter {
                action: "passkey.invite.batch".into(),
                ..Default::default()
            },
            page: 1,
            size: 50,
        },
    )
    .await;
    assert_eq!(
        body.matches("\"action\":\"passkey.invite.batch\"").count(),
        5,
        "{body}"
    );

    // A run is only seen in its realm; one the console does not know says so.
    let (status, body) = view(&c, &t, "0000000000000000", &run).await;
    assert_ne!(status, 200, "{body}");
    let (status, body) = view(&c, &t, &realm, "run-0123456789abcdef").await;
    assert_ne!(status, 200);
    assert!(body.contains("does not know these invitations"), "{body}");
    // More than 10,000 at once is refused whole, before anything is sent.
    let over: Vec<String> = (0..10_001).map(|k| format!("{k:016x}")).collect();
    let (status, body) = start(&c, &t, &over).await;
    assert_eq!(status, 400, "{body}");
    t.stop();
}
