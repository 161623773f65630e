//! Pages per second with one console and with several replicas (run by `scripts/bench-replicas.sh`, which starts
//! the sandbox as a service, a private PostgreSQL cluster and the replicas). Signs in on the first replica (the
//! session is every replica's), then views the realm's Identities page, `CONCURRENCY` at a time for `SECONDS`,
//! first on the first replica alone, then spread over all of them in turn (as a round-robin load balancer would).
//! Prints Markdown table rows.
//!
//! usage: replicas_bench OPERATOR PASSWORD REALM BASE_URL...

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 12;
const SECONDS: u64 = 20;

/// Page views of `realm`'s Identities page over `bases` in turn for `SECONDS`: pages per second, p50, p99.
async fn load(
    client: &reqwest::Client,
    bases: &[String],
    realm: &str,
) -> (f64, Duration, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, next) = (client.clone(), next.clone());
        let urls: Vec<String> = bases
            .iter()
            .map(|b| format!("{b}/realms/{realm}/identities"))
            .collect();
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < until {
                let url = &urls[next.fetch_add(1, Ordering::Relaxed) % urls.len()];
                let t = Instant::now();
                let res = client.get(url).send().await.expect("an answer");
                assert_eq!(res.status(), 200, "{url}");
                let body = res.text().await.expect("a body");
                assert!(body.contains("identities"), "{url}: not the page");
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for w in workers {
        times.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    (
        times.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [operator, password, realm, bases @ ..] = &args[..] else {
        eprintln!("usage: replicas_bench OPERATOR PASSWORD REALM BASE_URL...");
        std::process::exit(2);
    };
    assert!(!bases.is_empty(), "at least one replica");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let signed_in = client
        .post(format!("{}/sign-in", bases[0]))
        .form(&[
            ("username", operator.as_str()),
            ("password", password.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok()),
        Some("/"),
        "signed in"
    );
    // Warm: each replica's first view reads the realm's index state.
    for base in bases {
        let res = client
            .get(format!("{base}/realms/{realm}/identities"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{base}: the session is every replica's");
    }
    let (rps, p50, p99) = load(&client, &bases[..1], realm).await;
    println!(
        "| Identities page, one replica, {CONCURRENCY} at a time | {rps:.0} pages/s | {} / {} |",
        ms(p50),
        ms(p99)
    );
    let (rps, p50, p99) = load(&client, bases, realm).await;
    println!(
        "| Identities page, {} replicas in turn, {CONCURRENCY} at a time | {rps:.0} pages/s | {} / {} |",
        bases.len(),
        ms(p50),
        ms(p99)
    );
}
