//! The jobs' queue on the console's database (SQLite, or PostgreSQL in the second run): two processes never hold
//! the same job; a lease that lapses lets another take the job; a renewed one does not; a failed attempt comes back
//! after its backoff, until the attempts run out.

use std::time::Duration;

use bi_console::jobs::{Queue, MAX_ATTEMPTS};

/// Two queues (as two processes) on one database of its own.
async fn two(tag: &str, lease: Duration) -> (Queue, Queue, crate::common::TestDir) {
    let dir = crate::common::temp_dir(tag);
    let pool = crate::common::open_db(&dir).await;
    let queue = || Queue::new(bi_console::db::Db::new(pool.clone()), lease);
    (queue(), queue(), dir)
}

/// A job queued (claimed, then given back).
async fn queued(q: &Queue, subject: &str) {
    let job = q
        .claim("test.kind", subject)
        .await
        .unwrap()
        .expect("claimed");
    q.release(&job).await;
}

#[tokio::test]
async fn two_processes_never_hold_the_same_job() {
    let (p, q, _dir) = two("jobs-two", Duration::from_secs(30)).await;
    queued(&p, "a").await;
    queued(&p, "b").await;
    let (first, second) = tokio::join!(p.next(&["test.kind"]), q.next(&["test.kind"]));
    let (first, second) = (first.unwrap().unwrap(), second.unwrap().unwrap());
    assert_ne!(first.subject, second.subject);
    assert_eq!((first.attempt, second.attempt), (1, 1));
    assert!(
        p.next(&["test.kind"]).await.unwrap().is_none(),
        "both are held"
    );
    // A job of a kind the asker does not run is not taken.
    let other = p.claim("other.kind", "c").await.unwrap().expect("claimed");
    p.release(&other).await;
    assert!(
        q.next(&["test.kind"]).await.unwrap().is_none(),
        "not its kind"
    );
    assert_eq!(
        q.next(&["test.kind", "other.kind"])
            .await
            .unwrap()
            .map(|j| j.subject),
        Some("c".to_string())
    );
    assert!(q.claim("test.kind", "a").await.unwrap().is_none());
}

#[tokio::test]
async fn a_lapsed_lease_lets_another_take_the_job_and_a_renewed_one_does_not() {
    let lease = Duration::from_millis(600);
    let (p, q, _dir) = two("jobs-lease", lease).await;
    let held = p.claim("test.kind", "x").await.unwrap().unwrap();
    assert!(
        p.store().renew(&held, p.owner(), lease).await.unwrap(),
        "the holder renews"
    );
    assert!(
        !q.store().renew(&held, q.owner(), lease).await.unwrap(),
        "no one else does"
    );
    tokio::time::sleep(lease / 2).await;
    assert!(p.store().renew(&held, p.owner(), lease).await.unwrap());
    tokio::time::sleep(lease / 2).await;
    assert!(
        q.next(&["test.kind"]).await.unwrap().is_none(),
        "renewed: still held"
    );
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    let taken = q
        .next(&["test.kind"])
        .await
        .unwrap()
        .expect("taken over once the lease lapsed");
    assert_eq!((taken.subject.as_str(), taken.attempt), ("x", 2));
    assert!(
        !p.store().renew(&held, p.owner(), lease).await.unwrap(),
        "the first holder has lost it"
    );
}

#[tokio::test]
async fn a_failed_attempt_comes_back_after_its_backoff_until_the_attempts_run_out() {
    let (p, _q, _dir) = two("jobs-retry", Duration::from_secs(30)).await;
    let job = p.claim("test.kind", "r").await.unwrap().unwrap();
    p.store()
        .failed(
            &job,
            p.owner(),
            "BI did not answer",
            Duration::from_millis(400),
        )
        .await
        .unwrap();
    assert!(
        p.next(&["test.kind"]).await.unwrap().is_none(),
        "not before its backoff"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut job = p
        .next(&["test.kind"])
        .await
        .unwrap()
        .expect("after its backoff");
    assert_eq!(job.attempt, 2);
    while job.attempt < MAX_ATTEMPTS {
        p.store()
            .failed(&job, p.owner(), "again", Duration::ZERO)
            .await
            .unwrap();
        job = p.next(&["test.kind"]).await.unwrap().expect("queued again");
    }
    p.store()
        .failed(&job, p.owner(), "the last", Duration::ZERO)
        .await
        .unwrap();
    assert!(
        p.next(&["test.kind"]).await.unwrap().is_none(),
        "left failed after {MAX_ATTEMPTS} attempts"
    );
    // Work run through the queue: done when it succeeds.
    let job = p.claim("test.kind", "ok").await.unwrap().unwrap();
    p.run(job, async { Ok(()) }).await;
    assert!(
        p.claim("test.kind", "ok").await.unwrap().is_none(),
        "done: not claimed again"
    );
}

#[tokio::test]
async fn jobs_finished_long_ago_are_forgotten_and_the_hours_sweep_is_done_once() {
    let (p, _q, _dir) = two("jobs-forget", Duration::from_secs(30)).await;
    let job = p.claim("test.kind", "old").await.unwrap().unwrap();
    p.run(job, async { Ok(()) }).await;
    queued(&p, "waiting").await;
    assert_eq!(
        p.store()
            .forget_finished(Duration::from_secs(3600))
            .await
            .unwrap(),
        0,
        "not yet an hour old"
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        p.store()
            .forget_finished(Duration::from_millis(10))
            .await
            .unwrap(),
        1,
        "the done one only"
    );
    assert!(
        p.claim("test.kind", "old").await.unwrap().is_some(),
        "forgotten: a new job"
    );

    // A console's sweep of an hour: asked twice at once, done once; that hour is not swept again.
    let dir = crate::common::temp_dir("jobs-sweep");
    let t = crate::common::start_console(&dir, &[]).await;
    let (first, second) = tokio::join!(
        bi_console::server::sweep(&t.state, 7),
        bi_console::server::sweep(&t.state, 7)
    );
    assert!(first ^ second, "one of them: {first} {second}");
    assert!(!bi_console::server::sweep(&t.state, 7).await);
    assert!(
        bi_console::server::sweep(&t.state, 8).await,
        "the next hour's"
    );
    t.stop();
}
