//! The console's benchmark (run by `scripts/bench.sh`, which starts a release build on a fresh sandbox with the
//! large realm). Measures, side by side: the identities page against the bare sandbox list call it makes, at the
//! demo realm and at 100,000 identities; a 10,000-member group's members page; adding 1,000 members from a paste;
//! BI calls per page view; server memory while idle and under load. Prints a Markdown report.
//!
//! The large realm is "Acme Scale" (100,000 identities) or, with `BENCH_SEED=xlarge`, "Acme Million" (1,000,000).
//! Its directory index is made first (the time the console takes is reported), then searched through the page.
//!
//! usage: bench BASE_URL SANDBOX_TOKEN TENANT_ID OPERATOR PASSWORD SERVER_PID

use std::time::{Duration, Instant};

use bi_console::api::AddGroupMembersByUsernames;
use leptos::server_fn::ServerFn;
use serde_json::Value;

const CONCURRENCY: usize = 8;
const REQUESTS: usize = 400;

struct Stats {
    p50: Duration,
    p99: Duration,
    rps: f64,
}

/// p50, p99 and the rate of `times`, measured over `elapsed`.
fn stats(mut times: Vec<Duration>, elapsed: Duration) -> Stats {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        rps: times.len() as f64 / elapsed.as_secs_f64(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// `REQUESTS` GETs of `url`, `CONCURRENCY` at a time; every answer must be 200.
async fn load(client: &reqwest::Client, url: &str, bearer: Option<&str>) -> Stats {
    let started = Instant::now();
    let mut times: Vec<Duration> = Vec::with_capacity(REQUESTS);
    let per_worker = REQUESTS / CONCURRENCY;
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let client = client.clone();
        let url = url.to_string();
        let bearer = bearer.map(str::to_string);
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::with_capacity(per_worker);
            for _ in 0..per_worker {
                let t = Instant::now();
                let mut req = client.get(&url);
                if let Some(b) = &bearer {
                    req = req.bearer_auth(b);
                }
                let res = req.send().await.expect("answer");
                assert_eq!(res.status(), 200, "{url}");
                let _ = res.bytes().await.expect("body");
                mine.push(t.elapsed());
            }
            mine
        }));
    }
    for w in workers {
        times.extend(w.await.unwrap());
    }
    stats(times, started.elapsed())
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn json(client: &reqwest::Client, url: &str, token: &str) -> Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The calls the sandbox answered after its total was `since`, as "METHOD path".
async fn calls_since(client: &reqwest::Client, base: &str, token: &str, since: u64) -> Vec<String> {
    json(
        client,
        &format!("{base}/sandbox/_calls?since={since}"),
        token,
    )
    .await["since"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

/// Calls a server function the way the hydrated app does; answers its JSON.
async fn server_fn<T: ServerFn + serde::Serialize>(
    client: &reqwest::Client,
    base: &str,
    args: &T,
) -> Value {
    let res = client
        .post(format!("{base}{}", T::PATH))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_qs::to_string(args).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", T::PATH);
    res.json().await.unwrap()
}

/// p50 and p99 of GETs of `url(i)` for i in 0..runs, one at a time (every answer must be 200), with `bearer` when
/// given.
async fn sequential(
    client: &reqwest::Client,
    runs: usize,
    bearer: Option<&str>,
    url: impl Fn(usize) -> String,
) -> Stats {
    let started = Instant::now();
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        let mut req = client.get(url(i));
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.expect("answer");
        assert_eq!(res.status(), 200);
        let _ = res.bytes().await.expect("body");
        times.push(t.elapsed());
    }
    stats(times, started.elapsed())
}

async fn calls(client: &reqwest::Client, base: &str, token: &str) -> u64 {
    json(client, &format!("{base}/sandbox/_calls"), token).await["calls"]
        .as_u64()
        .unwrap()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, token, tenant, operator, password, pid] = &args[..] else {
        eprintln!("usage: bench BASE_URL SANDBOX_TOKEN TENANT_ID OPERATOR PASSWORD SERVER_PID");
        std::process::exit(2);
    };
    let pid: u32 = pid.parse().unwrap();
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONCURRENCY * 2)
        .build()
        .unwrap();
    let res = http
        .post(format!("{base}/sign-in"))
        .form(&[
            ("username", operator.as_str()),
            ("password", password.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/", "signed in");

    // The realms, straight from the sandbox.
    let api = format!("{base}/sandbox/v1/tenants/{tenant}");
    let realms = json(&http, &format!("{api}/realms"), token).await;
    let realm_id = |name: &str| {
        realms["realms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["display_name"] == name)
            .map(|r| r["id"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("realm {name}"))
    };
    let demo = realm_id("Acme Workforce");
    let xlarge = std::env::var("BENCH_SEED").is_ok_and(|s| s == "xlarge");
    let (large_name, large_label) = if xlarge {
        ("Acme Million", "1,000,000 identities")
    } else {
        ("Acme Scale", "100,000 identities")
    };
    let large = realm_id(large_name);

    // The directory indexes: the first view of a realm starts its index; wait until both are complete.
    let mut rows: Vec<(String, String)> = Vec::new();
    let started = Instant::now();
    let mut index_peak_kib = rss_kib(pid);
    for realm in [&demo, &large] {
        let _ = http
            .get(format!("{base}/realms/{realm}/identities"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await;
    }
    for (realm, label) in [(&demo, "demo realm"), (&large, large_label)] {
        loop {
            let state = server_fn(
                &http,
                base,
                &bi_console::api::IndexStatus {
                    realm: realm.clone(),
                },
            )
            .await;
            if state["ready"] == true && state["running"] == false {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30 * 60),
                "the {label}'s index was not complete after 30 minutes (its state: {state}); see the server's log"
            );
            for _ in 0..10 {
                index_peak_kib = index_peak_kib.max(rss_kib(pid));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        rows.push((
            format!("Directory index of the {label} made by the console (from its first view)"),
            format!("{:.1} s", started.elapsed().as_secs_f64()),
        ));
    }
    rows.push((
        "Server memory (RSS) peak while indexing".into(),
        format!("{:.1} MiB", index_peak_kib as f64 / 1024.0),
    ));

    let idle_kib = rss_kib(pid);
    // Peak memory is sampled every 10 ms while the load runs, not read after it.
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::SeqCst) {
                peak = peak.max(rss_kib(pid));
                std::thread::sleep(Duration::from_millis(10));
            }
            peak
        })
    };

    // BI calls per page view (the sidebar's realm list is cached, so a warm view is what counts).
    let page =
        |realm: &str, extra: &str| format!("{base}/realms/{realm}/identities?size=50{extra}");
    let _ = http
        .get(page(&demo, ""))
        .send()
        .await
        .unwrap()
        .bytes()
        .await;
    let before = calls(&http, base, token).await;
    for _ in 0..10 {
        let _ = http
            .get(page(&demo, ""))
            .send()
            .await
            .unwrap()
            .bytes()
            .await;
    }
    let per_view = (calls(&http, base, token).await - before) as f64 / 10.0;
    rows.push((
        "BI calls per identities page view".into(),
        format!("{per_view:.1}"),
    ));

    let compare = |label: &str, page: Stats, bare: Stats, rows: &mut Vec<(String, String)>| {
        rows.push((
            format!("{label}: page p50 / p99"),
            format!(
                "{} / {} ({:.0} pages/s)",
                ms(page.p50),
                ms(page.p99),
                page.rps
            ),
        ));
        rows.push((
            format!("{label}: bare API call p50 / p99"),
            format!("{} / {}", ms(bare.p50), ms(bare.p99)),
        ));
        rows.push((
            format!("{label}: ratio page / API (p50)"),
            format!("{:.2}×", page.p50.as_secs_f64() / bare.p50.as_secs_f64()),
        ));
    };

    for (label, realm) in [("Demo realm (60 identities)", &demo), (large_label, &large)] {
        let p = load(&http, &page(realm, ""), None).await;
        let b = load(
            &http,
            &format!("{api}/realms/{realm}/identities?page_size=50&skip=0"),
            Some(token),
        )
        .await;
        compare(label, p, b, &mut rows);
    }
    // One at a time: the demo realm's page against the BI call it makes (with the index ready, the one-row count);
    // the difference is the console's own work per page view.
    let one_page = sequential(&http, 400, None, |_| page(&demo, "")).await;
    let one_call = sequential(&http, 400, Some(token), |_| {
        format!("{api}/realms/{demo}/identities?page_size=1")
    })
    .await;
    rows.push((
        "Demo realm, one request at a time: page p50 / its BI call p50 / the console's own work"
            .into(),
        format!(
            "{} / {} / {:.2} ms",
            ms(one_page.p50),
            ms(one_call.p50),
            (one_page.p50.as_secs_f64() - one_call.p50.as_secs_f64()) * 1000.0
        ),
    ));
    // A deep page of the large realm (offset 99,950).
    let deep = load(&http, &page(&large, "&page=2000"), None).await;
    rows.push((
        format!("{large_label}, page 2,000: p50 / p99"),
        format!("{} / {}", ms(deep.p50), ms(deep.p99)),
    ));

    // Searches through the page (end to end: session, index query, the one-row count check at BI, rendering),
    // one at a time, each with other text.
    type Extra = Box<dyn Fn(usize) -> String>;
    let searches: [(&str, Extra); 4] = [
        (
            "part of a family name (\"person 4242\"…)",
            Box::new(|i| format!("&q=person+{}", 4242 + i * 37)),
        ),
        (
            "part of an email (\"scale.0123\"…)",
            Box::new(|i| format!("&q=scale.{:05}", (i * 7919) % 99_999)),
        ),
        (
            "a common substring (\"person 99\")",
            Box::new(|_| "&q=person+99".to_string()),
        ),
        (
            "active, newest first, pages 1–5",
            Box::new(|i| format!("&status=active&sort=-created&page={}", 1 + i % 5)),
        ),
    ];
    for (what, extra) in searches {
        let s = sequential(&http, 200, None, |i| page(&large, &extra(i))).await;
        rows.push((
            format!("{large_label}, search page: {what}, p50 / p99 (one at a time)"),
            format!("{} / {}", ms(s.p50), ms(s.p99)),
        ));
    }

    // A 10,000-member group's members page.
    let groups = json(
        &http,
        &format!("{api}/realms/{large}/groups?page_size=5"),
        token,
    )
    .await;
    let big = groups["groups"][0]["id"].as_str().unwrap().to_string();
    let members = load(
        &http,
        &format!("{base}/realms/{large}/groups/{big}?size=50"),
        None,
    )
    .await;
    let bare = load(
        &http,
        &format!("{api}/realms/{large}/groups/{big}:listMembers?page_size=50&skip=0"),
        Some(token),
    )
    .await;
    rows.push((
        "10,000-member group page p50 / p99".into(),
        format!(
            "{} / {} (bare :listMembers {} / {})",
            ms(members.p50),
            ms(members.p99),
            ms(bare.p50),
            ms(bare.p99)
        ),
    ));

    // Adding 1,000 members from a paste, into an empty group.
    let empty = json(
        &http,
        &format!("{api}/realms/{large}/groups?page_size=200&skip=4000"),
        token,
    )
    .await;
    let target = empty["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["description"] == "A small group"
                && g["display_name"].as_str().unwrap().ends_with("0")
        })
        .map(|g| g["id"].as_str().unwrap().to_string())
        .unwrap();
    let pasted: Vec<String> = (50_001..=51_000).map(|n| format!("scale.{n:06}")).collect();
    let before = calls(&http, base, token).await;
    let t = Instant::now();
    let res = http
        .post(format!("{base}{}", AddGroupMembersByUsernames::PATH))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_qs::to_string(&AddGroupMembersByUsernames {
                realm: large.clone(),
                group: target.clone(),
                usernames: pasted.join("\n"),
            })
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let took = t.elapsed();
    assert_eq!(res.status(), 200);
    let result: Value = res.json().await.unwrap();
    // Counted where they were answered, by kind.
    let made = calls_since(&http, base, token, before).await;
    let lookups = made
        .iter()
        .filter(|c| c.starts_with("GET identities"))
        .count();
    let adds = made.iter().filter(|c| c.ends_with(":addMembers")).count();
    let member_pages = made.iter().filter(|c| c.contains(":listMembers")).count();
    rows.push((
        "Add 1,000 members from a paste".into(),
        format!(
            "{} ; {} BI calls answered: {lookups} username lookups, {member_pages} members page(s), {adds} `:addMembers` ; {} added",
            ms(took),
            made.len(),
            result["changed"]
        ),
    ));
    rows.push((
        "Server memory (RSS) idle".into(),
        format!("{:.1} MiB", idle_kib as f64 / 1024.0),
    ));
    sampling.store(false, std::sync::atomic::Ordering::SeqCst);
    let peak_kib = sampler.join().unwrap();
    rows.push((
        "Server memory (RSS) peak under load".into(),
        format!("{:.1} MiB", peak_kib as f64 / 1024.0),
    ));

    println!("| measure | result |\n|---|---|");
    for (k, v) in rows {
        println!("| {k} | {v} |");
    }
}
