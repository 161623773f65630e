//! Import and export at scale (run by `scripts/bench-import.sh`): a sandbox in this process seeded with a realm of
//! N identities (default 100,000) and 20 groups, indexed through the BI client over HTTP; then
//! 1. the plan of an N-row file (every identity, a tenth of them with a new email) against it: time, BI calls, peak
//!    memory;
//! 2. the apply of 10,000 new identities, each joining one of the 20 groups: time, rate, BI calls by kind;
//! 3. the same with 30% of the sandbox's answers failing: the end state, duplicates counted at the sandbox, and a
//!    second import of the same file for what the first could not do;
//! 4. the export of the realm, streamed from the index: time, size, peak memory.
//!
//! Prints a Markdown report. usage: import_bench [IDENTITIES] [CREATES]

use std::time::{Duration, Instant};

use bi_console::bi::{Client, ClientAuth, ClientConfig};
use bi_console::index::DirectoryIndex;
use bi_console::model::{ConsoleInfo, OperatorView, Role};
use bi_console::sandbox::{Sandbox, PREFIX};
use bi_console::state::AppState;
use bi_console::transfer::{export, file, plan, store::Imports, Limits};

const GROUPS: usize = 20;

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

fn admin() -> OperatorView {
    OperatorView {
        username: "bench".into(),
        role: Role::Admin,
        realms: None,
    }
}

/// Plans `file` as the admin `bench` and keeps the plan.
async fn plan_it(s: &AppState, realm: &str, file: &file::ImportFile) -> plan::Planned {
    let cx = plan::Context {
        client: &s.client,
        index: s.index.as_deref(),
        imports: s.imports.as_ref().unwrap(),
        realm,
        operator: &admin(),
        protected: &[],
        options: Default::default(),
    };
    plan::plan_file(&cx, file, "bench.csv", "")
        .await
        .expect("plan")
}

/// Plans `text` and applies it to the end, with `faults` injected by the sandbox while applying; answers (plan
/// time, apply time, steps failed).
async fn import(
    s: &AppState,
    sandbox: &Sandbox,
    realm: &str,
    text: &str,
    faults: f64,
) -> (Duration, Duration, u64) {
    let started = Instant::now();
    let parsed = file::read(text.as_bytes(), 1_000_000).expect("file");
    let imports = s.imports.clone().unwrap();
    let id = plan_it(s, realm, &parsed).await.id;
    let planning = started.elapsed();
    let started = Instant::now();
    imports.set_state(&id, "applying").await.unwrap();
    sandbox.set_faults(bi_console::sandbox::faults::Faults {
        rate: faults,
        ..Default::default()
    });
    bi_console::api::run_import(s.clone(), id.clone());
    s.import_jobs.settled(&id).await;
    sandbox.set_faults(Default::default());
    let v = imports.view(&id, "", 1, 1).await.unwrap().unwrap();
    if v.failed > 0 {
        let failed = imports.view(&id, "failed", 1, 5).await.unwrap().unwrap();
        for r in failed.rows.items {
            eprintln!(
                "failed: line {} {} {}: {:?}",
                r.line, r.username, r.action, r.message
            );
        }
    }
    (planning, started.elapsed(), v.failed)
}

/// Streams the export of `realm` from the index: (time, bytes, lines, BI calls, the process's peak memory while
/// exporting in MiB; the peak is reset first where Linux allows it).
async fn measure_export(s: &AppState, realm: &str) -> (Duration, usize, usize, u64, f64) {
    use futures::StreamExt;
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let started = Instant::now();
    let source = export::Source::open(s.client.clone(), s.index.clone(), realm, Default::default())
        .await
        .unwrap();
    let group_calls = source.calls;
    let mut out = Box::pin(export::stream(source, false, 1_000));
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = out.next().await {
        let chunk = chunk.unwrap();
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    (started.elapsed(), bytes, lines, group_calls, peak_rss_mib())
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let creates: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("bi-console-import-bench-{}", std::process::id()));
    let sandbox = Sandbox::open(&dir.join("sandbox"), None)
        .await
        .expect("sandbox");
    let store = sandbox.store();
    let realm = store
        .insert_realm("Acme Import", "SECURE_WORKFORCE")
        .await
        .expect("realm")
        .id;
    store
        .bulk_seed(&realm, "m", n, GROUPS, 0, 0)
        .await
        .expect("seed");
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
    let pool = bi_console::db::open(&dir.join("console"))
        .await
        .expect("db");
    let index = DirectoryIndex::new(bi_console::db::Db::new(pool.clone()));
    let indexing = Instant::now();
    index.refresh(&client, &realm).await.expect("index");
    let indexed = indexing.elapsed();
    let info = ConsoleInfo {
        sandbox: true,
        target_label: "bench".into(),
        tenant_id: sandbox.tenant_id().to_string(),
        default_realm: realm.clone(),
        bi_sign_in: false,
        password_sign_in: true,
    };
    let s = AppState::new(client, info)
        .with_audit(bi_console::audit::AuditLog::new(bi_console::db::Db::new(
            pool.clone(),
        )))
        .with_imports(
            Imports::new(bi_console::db::Db::new(pool.clone())),
            Limits::default(),
        )
        .with_index(index, Duration::from_secs(3600));
    let groups: Vec<String> = store
        .list_groups(&realm, 0, GROUPS as u32)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|g| g.display_name)
        .collect();

    if std::env::var_os("EXPORT_ONLY").is_some() {
        let rss_before = peak_rss_mib();
        let (time, bytes, lines, calls, rss) = measure_export(&s, &realm).await;
        println!("Indexed the realm ({n} identities, {GROUPS} groups) in {:.1} s; peak memory {rss_before:.0} MiB so far.\n", indexed.as_secs_f64());
        println!(
            "| export of {n} identities as CSV, streamed from the index | {:.1} s, {:.0} MiB, {} rows; {calls} BI calls for the groups' members; peak memory while exporting {rss:.0} MiB (this process, sandbox included) |",
            time.as_secs_f64(),
            bytes as f64 / 1048576.0,
            lines - 1
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }

    // 1. The plan of an N-row file: every identity; every tenth with a new email.
    let mut text = String::from("username,name,email\n");
    for k in 1..=n {
        let email = if k % 10 == 0 {
            format!("m.{k:06}@new.example")
        } else {
            format!("m.{k:06}@scale.example")
        };
        text.push_str(&format!("m.{k:06},Scale Person {k},{email}\n"));
    }
    let rss_before = peak_rss_mib();
    let calls = sandbox.calls_total();
    let started = Instant::now();
    let parsed = file::read(text.as_bytes(), 1_000_000).expect("file");
    let t_read = started.elapsed();
    let planned = plan_it(&s, &realm, &parsed).await;
    let plan_time = started.elapsed();
    eprintln!(
        "plan: file read {:.2} s, planned and kept {:.2} s",
        t_read.as_secs_f64(),
        (plan_time - t_read).as_secs_f64()
    );
    if std::env::var_os("PLAN_ONLY").is_some() {
        eprintln!(
            "plan {:.1} s, peak {:.0} MiB",
            plan_time.as_secs_f64(),
            peak_rss_mib()
        );
        return;
    }
    let plan_calls = sandbox.calls_total() - calls;
    let plan_rss = peak_rss_mib();
    let c = &planned.summary.counts;
    let plan_counts = format!(
        "{} unchanged, {} to update, {} errors",
        c.unchanged, c.update, c.error
    );
    drop((parsed, planned, text));

    let mut seeded_members = 0;
    for g in store
        .list_groups(&realm, 0, GROUPS as u32)
        .await
        .unwrap()
        .items
    {
        seeded_members += store.list_members(&realm, &g.id, 0, 1).await.unwrap().total;
    }

    // 2. Apply: `creates` new identities, each joining one of the groups.
    let file_of = |prefix: &str| {
        let mut t = String::from("username,name,email,groups\n");
        for k in 1..=creates {
            let group = &groups[k % groups.len()];
            t.push_str(&format!(
                "{prefix}.{k:05},New Person {k},{prefix}.{k:05}@new.example,{group}\n"
            ));
        }
        t
    };
    let calls = sandbox.calls_total();
    let (_, apply_time, failed) = import(&s, &sandbox, &realm, &file_of("new"), 0.0).await;
    let log = sandbox.calls_since(calls);
    let add_members = log.iter().filter(|c| c.contains(":addMembers")).count();
    let apply_calls = sandbox.calls_total() - calls;
    let rate = creates as f64 / apply_time.as_secs_f64();

    // 3. The same with 30% of answers failing; then the same file again.
    let (_, faulty_time, faulty_failed) =
        import(&s, &sandbox, &realm, &file_of("faulty"), 0.3).await;
    let (_, _, again_failed) = import(&s, &sandbox, &realm, &file_of("faulty"), 0.0).await;
    let all = store
        .list_identities(&realm, None, 0, (n + 3 * creates) as u32)
        .await
        .unwrap()
        .items;
    let made = all
        .iter()
        .filter(|i| i.username().starts_with("faulty."))
        .count();
    let distinct: std::collections::HashSet<&str> = all
        .iter()
        .map(|i| i.username())
        .filter(|u| u.starts_with("faulty."))
        .collect();
    let twins = made - distinct.len();
    let duplicates = (1..=creates)
        .filter(|k| sandbox.creates_processed(&format!("faulty.{k:05}")) > 1)
        .count();
    let mut members = 0;
    for g in store
        .list_groups(&realm, 0, GROUPS as u32)
        .await
        .unwrap()
        .items
    {
        members += store.list_members(&realm, &g.id, 0, 1).await.unwrap().total;
    }

    // 4. The export, streamed from the index.
    let (export_time, bytes, lines, group_calls, export_rss) = measure_export(&s, &realm).await;
    println!("## Import and export at {n} identities\n");
    println!(
        "Indexed the realm ({n} identities, {GROUPS} groups) in {:.1} s.\n",
        indexed.as_secs_f64()
    );
    println!("| measure | result |\n|---|---|");
    println!(
        "| plan of a {n}-row file against the {n}-identity realm (index ready) | {:.1} s; {plan_counts}; {plan_calls} BI calls (groups and their members; no per-row lookups); peak memory {plan_rss:.0} MiB (this process, sandbox included; {rss_before:.0} MiB before) |",
        plan_time.as_secs_f64()
    );
    println!(
        "| apply {creates} creates, each joining one of {GROUPS} groups | {:.1} s ({rate:.0} rows/s); {apply_calls} BI calls: {creates} creates, {add_members} `:addMembers` (≤ 1 per 1,000 per group), the rest reads; {failed} failed |",
        apply_time.as_secs_f64()
    );
    println!(
        "| the same with 30% of answers failing | {:.1} s; {faulty_failed} steps failed after the client's retries; the same file again (no faults): {again_failed} failed; end state {made} of {creates} identities, {twins} duplicates ({duplicates} creates reached the sandbox twice after a lost answer and were refused as taken); {} of {} memberships added |",
        faulty_time.as_secs_f64(),
        members - seeded_members,
        2 * creates as u64
    );
    println!(
        "| export of {n} identities (+{}) as CSV, streamed from the index | {:.1} s, {:.0} MiB, {} rows; {group_calls} BI calls for the groups' members; peak memory {export_rss:.0} MiB |",
        2 * creates,
        export_time.as_secs_f64(),
        bytes as f64 / 1048576.0,
        lines - 1
    );
    let _ = std::fs::remove_dir_all(&dir);
}
