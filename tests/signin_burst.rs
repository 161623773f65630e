//! A burst of parallel wrong guesses for one operator, alone in its own test binary so the process's memory is
//! this test's: every attempt is counted before its password is checked, at most five are checked, checks run a
//! few at a time (each takes argon2's 19 MiB), and the real operator can still sign in from another address.

#![cfg(feature = "ssr")]

#[path = "it/common/mod.rs"]
mod common;

/// The allocator the binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use common::{browser, browser_from, sign_in, start_console, temp_dir};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_parallel_guesses_get_five_checks_and_bounded_memory() {
    // As the binary's main does (the allocator's default delay is mimalloc 3's 1,000 ms: the right option).
    assert_eq!(bi_console::server::allocator_purge_delay(), 1000);
    bi_console::server::tune_allocator();
    assert_eq!(
        bi_console::server::allocator_purge_delay(),
        bi_console::server::PURGE_DELAY_MS
    );
    let dir = temp_dir("burst");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", "burst-token".into())]).await;
    let baseline = t.access.verifications();
    let rss_before = rss_kib();
    // Sample the process's memory while the burst runs, not after.
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::SeqCst) {
                peak = peak.max(rss_kib());
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            peak
        })
    };
    let c = browser();
    let guesses: Vec<_> = (0..200)
        .map(|k| {
            let (c, base) = (c.clone(), t.base.clone());
            tokio::spawn(async move { sign_in(&c, &base, "admin", &format!("guess-{k}")).await })
        })
        .collect();
    let mut throttled = 0;
    for g in guesses {
        let location = g.await.unwrap();
        assert!(location.starts_with("/login?error="), "{location}");
        if location.starts_with("/login?error=throttled") {
            throttled += 1;
        }
    }
    sampling.store(false, std::sync::atomic::Ordering::SeqCst);
    let peak = sampler.join().unwrap();
    let checks = t.access.verifications() - baseline;
    assert!(
        checks <= 5,
        "{checks} password checks for one username from one address"
    );
    assert!(throttled >= 195, "{throttled}");
    assert!(peak < 150 * 1024, "peak RSS {} MiB", peak / 1024);
    // The real admin, from their own address, is not locked out by the stranger's guesses.
    let admin = browser_from("127.0.0.2");
    assert_eq!(
        sign_in(&admin, &t.base, "admin", common::ADMIN_PASSWORD).await,
        "/"
    );
    println!(
        "burst: {checks} checks, {throttled} refused, RSS {} MiB before, peak {} MiB",
        rss_before / 1024,
        peak / 1024
    );
    t.stop();
}
