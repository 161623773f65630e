//! The directory index at scale (run by `scripts/bench-index.sh`): a sandbox in this process seeded with one realm
//! of N identities (default 1,000,000) and 5,000 groups, a first full index of it through the BI client over HTTP (time, BI calls,
//! peak memory), a refresh of the unchanged realm (nothing rewritten), then searches: substrings of names and
//! emails of differing selectivity, a filtered and sorted page, the Enrollment Summary. Prints a Markdown report.
//!
//! usage: index_bench [IDENTITIES]

use std::time::{Duration, Instant};

use bi_console::bi::{Client, ClientAuth, ClientConfig};
use bi_console::index::DirectoryIndex;
use bi_console::model::{IdentityFilter, Sort, SortKey};
use bi_console::sandbox::{Sandbox, PREFIX};

/// Groups seeded with the identities (five with 10,000 members, the rest a handful), as `SANDBOX_SEED` does.
const GROUPS: usize = 5_000;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// p50 and p99 in milliseconds of `runs` timings of `f`.
async fn timed<F, Fut>(runs: usize, mut f: F) -> (f64, f64)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut all = Vec::with_capacity(runs);
    for n in 0..runs {
        let start = Instant::now();
        f(n).await;
        all.push(start.elapsed());
    }
    all.sort();
    (percentile(&all, 0.5), percentile(&all, 0.99))
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("bi-console-index-bench-{}", std::process::id()));
    let sandbox = Sandbox::open(&dir.join("sandbox"), None)
        .await
        .expect("sandbox");
    let realm = sandbox
        .store()
        .insert_realm("Acme Million", "SECURE_WORKFORCE")
        .await
        .expect("realm")
        .id;
    let seeding = Instant::now();
    sandbox
        .store()
        .bulk_seed(&realm, "m", n, GROUPS, 5, 10_000)
        .await
        .expect("seed");
    let seeded = seeding.elapsed();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router: axum::Router = sandbox.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = Client::new(ClientConfig {
        api_base: format!("http://{addr}{PREFIX}"),
        tenant_id: sandbox.tenant_id().to_string(),
        auth: ClientAuth::Token(sandbox.credentials().api_token.clone()),
        timeout: Duration::from_secs(60),
    })
    .unwrap();
    // CONSOLE_DATABASE_URL (e.g. postgres://…): the index in that database instead of a SQLite file here.
    let url = std::env::var("CONSOLE_DATABASE_URL").ok();
    std::fs::create_dir_all(dir.join("console")).unwrap();
    let url = url.unwrap_or_else(|| bi_console::db::default_url(&dir.join("console")));
    println!("The index in: {}.\n", bi_console::db::place(&url));
    let pool = bi_console::db::open_url(&url).await.expect("console db");
    let index = DirectoryIndex::new(bi_console::db::Db::new(pool.clone()));

    let rss_before = peak_rss_mib();
    let started = Instant::now();
    let first = index.refresh(&client, &realm).await.expect("first index");
    let first_time = started.elapsed();
    let rss_peak = peak_rss_mib();
    let started = Instant::now();
    let again = index.refresh(&client, &realm).await.expect("refresh");
    let again_time = started.elapsed();
    let db_size: u64 = match bi_console::db::Backend::of(&pool) {
        bi_console::db::Backend::Postgres => sqlx::query_scalar::<_, i64>(
            "SELECT CAST(pg_database_size(current_database()) AS BIGINT)",
        )
        .fetch_one(&pool)
        .await
        .unwrap_or(0) as u64,
        bi_console::db::Backend::Sqlite => std::fs::read_dir(dir.join("console"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("console.db"))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum(),
    };

    let runs = 200;
    let search = |q: String| IdentityFilter {
        q,
        ..IdentityFilter::default()
    };
    let mut rows = Vec::new();
    for (what, make) in [
        (
            "part of a family name (\"person 4242\", ~110 matches)",
            Box::new(move |i: usize| format!("person {}", 4242 + i * 37))
                as Box<dyn Fn(usize) -> String>,
        ),
        (
            "by part of an email (\"m.0123\u{2026}@\", ~10 matches)",
            Box::new(move |i: usize| format!("m.{:05}", (i * 7919) % 99_999)),
        ),
        (
            "a common substring (\"person 99\", ~111,000 matches)",
            Box::new(|_| "person 99".to_string()),
        ),
        (
            "two letters (\"zz\", no index: a scan)",
            Box::new(|_| "zz".to_string()),
        ),
    ] {
        let (p50, p99) = timed(runs, |i| {
            let (index, realm, f) = (&index, &realm, search(make(i)));
            async move {
                index.search(realm, &f, 1, 50).await.unwrap();
            }
        })
        .await;
        rows.push((what.to_string(), p50, p99));
    }
    let sorted = IdentityFilter {
        status: "active".into(),
        sort: Some(Sort {
            key: SortKey::Created,
            descending: true,
        }),
        ..IdentityFilter::default()
    };
    let (p50, p99) = timed(runs, |i| {
        let (index, realm, f) = (&index, &realm, sorted.clone());
        async move {
            index
                .search(realm, &f, 1 + (i as u32 % 5), 50)
                .await
                .unwrap();
        }
    })
    .await;
    rows.push((
        "active, newest first, pages 1\u{2013}5 of 50".into(),
        p50,
        p99,
    ));
    for (what, page) in [
        ("no text, no sort: page 1 (the list as it opens)", 1u32),
        ("no text, no sort: page 2,000", 2_000),
    ] {
        let (p50, p99) = timed(runs, |_| {
            let (index, realm) = (&index, &realm);
            async move {
                index
                    .search(realm, &IdentityFilter::default(), page, 50)
                    .await
                    .unwrap();
            }
        })
        .await;
        rows.push((what.into(), p50, p99));
    }
    let (p50, p99) = timed(50, |_| {
        let (index, realm) = (&index, &realm);
        async move {
            index.enrollment_summary(realm).await.unwrap();
        }
    })
    .await;
    rows.push(("Enrollment Summary (counts per status)".into(), p50, p99));

    println!("## Directory index at {n} identities\n");
    println!(
        "Seeded {n} identities and {GROUPS} groups in {:.1} s.\n",
        seeded.as_secs_f64()
    );
    println!("| measure | result |\n|---|---|");
    println!(
        "| first full index | {:.1} s, {} BI calls, {} identity rows and {} group rows written |",
        first_time.as_secs_f64(),
        first.calls,
        first.written,
        first.groups_written
    );
    println!(
        "| refresh of the unchanged realm | {:.1} s, {} BI calls, {} rows rewritten ({} groups), {} removed |",
        again_time.as_secs_f64(),
        again.calls,
        again.written,
        again.groups_written,
        again.removed + again.groups_removed
    );
    println!(
        "| peak memory (this process: sandbox and index) | {rss_before:.0} MiB before indexing, {rss_peak:.0} MiB peak while indexing |"
    );
    println!(
        "| index and console database on disk | {:.0} MiB |",
        db_size as f64 / 1048576.0
    );
    println!("\n| query (index only, page of 50, {runs} runs) | p50 ms | p99 ms |\n|---|---|---|");
    for (what, p50, p99) in rows {
        println!("| {what} | {p50:.1} | {p99:.1} |");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
