//! The audit log leaves the box (`CONSOLE_AUDIT_SINK`): every event reaches the SIEM, in order, through a receiver
//! that fails, stalls and restarts, and through the console's binary killed with SIGKILL in the middle of a
//! delivery — at least once, so after de-duplication by the event's id, each exactly once. Replicas sharing the
//! database send each event once between them. Formats: JSON lines with a bearer token, Splunk's HEC, syslog
//! (RFC 5424 over TCP).

#![cfg(all(feature = "ssr", unix))]

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{
    self, apply_import, browser, page_text, sign_in, signal, upload_import, wait_exit,
};

/// How the receiver answers a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Ok,
    /// 503, taking nothing.
    Fail,
    /// Takes the events, then never answers.
    Stall,
}

/// One request the receiver saw.
#[derive(Clone, Debug)]
struct Seen {
    answer: Answer,
    authorization: Option<String>,
    content_type: Option<String>,
    ids: Vec<String>,
}

#[derive(Default)]
struct Script {
    /// The answers to the next requests, then `then`.
    next: VecDeque<Answer>,
    then: Option<Answer>,
    seen: Vec<Seen>,
}

type Shared = Arc<Mutex<Script>>;

/// A SIEM's HTTP endpoint, answering as scripted and keeping every event id it took (copies included). It closes
/// each connection after answering, so when it is down the console meets a refused connection.
struct Receiver {
    script: Shared,
    addr: SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

async fn take(
    axum::extract::State(script): axum::extract::State<Shared>,
    headers: axum::http::HeaderMap,
    body: String,
) -> impl axum::response::IntoResponse {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let ids = body
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object per line");
            // Splunk's HEC carries the event inside its envelope.
            let event = if v.get("event").is_some() {
                &v["event"]
            } else {
                &v
            };
            event["id"]
                .as_str()
                .expect("every event has its id")
                .to_string()
        })
        .collect();
    let answer = {
        let mut s = script.lock().unwrap();
        let answer = s.next.pop_front().or(s.then).unwrap_or(Answer::Ok);
        let taken = if answer == Answer::Fail {
            Vec::new()
        } else {
            ids
        };
        s.seen.push(Seen {
            answer,
            authorization: header("authorization"),
            content_type: header("content-type"),
            ids: taken,
        });
        answer
    };
    let status = match answer {
        Answer::Ok => axum::http::StatusCode::OK,
        Answer::Fail => axum::http::StatusCode::SERVICE_UNAVAILABLE,
        Answer::Stall => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            axum::http::StatusCode::OK
        }
    };
    (
        status,
        [("connection", "close")],
        "{\"text\":\"Success\",\"code\":0}",
    )
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut r = Receiver {
            script: Shared::default(),
            addr,
            task: None,
        };
        r.serve(listener);
        r
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(take))
            .with_state(self.script.clone());
        self.task = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Down (connections refused) until [`Receiver::up`].
    async fn down(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }

    fn script(&self, next: &[Answer], then: Answer) {
        let mut s = self.script.lock().unwrap();
        s.next = next.iter().copied().collect();
        s.then = Some(then);
    }

    fn seen(&self) -> Vec<Seen> {
        self.script.lock().unwrap().seen.clone()
    }

    /// Every event id taken, in the order taken, copies included.
    fn ids(&self) -> Vec<String> {
        self.seen().into_iter().flat_map(|s| s.ids).collect()
    }

    /// Waits until `done` holds of what the receiver saw.
    async fn wait_for(&self, what: &str, limit: Duration, done: impl Fn(&[Seen]) -> bool) {
        let until = Instant::now() + limit;
        loop {
            if done(&self.seen()) {
                return;
            }
            assert!(
                Instant::now() < until,
                "{what}: not within {limit:?}; saw {:?}",
                self.seen()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The ids of the audit log in the order written, and how many wait in the outbox.
async fn written(db: &bi_console::db::Pool) -> (Vec<String>, i64) {
    let ids = sqlx::query_scalar("SELECT id FROM audit_events ORDER BY seq")
        .fetch_all(db)
        .await
        .unwrap();
    let waiting = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_outbox")
        .fetch_one(db)
        .await
        .unwrap();
    (ids, waiting)
}

/// `ids` without copies, in the order each was first taken.
fn first_seen(ids: &[String]) -> Vec<String> {
    let mut once = HashSet::new();
    ids.iter()
        .filter(|id| once.insert(id.as_str()))
        .cloned()
        .collect()
}

const ROWS: usize = 120;

#[tokio::test]
async fn every_event_reaches_a_failing_stalling_restarting_siem_once_after_dedup_through_a_sigkill()
{
    let mut receiver = Receiver::start().await;
    receiver.script(&[], Answer::Fail);
    let dir = common::temp_dir("audit-sink");
    let vars = [
        ("SANDBOX_TOKEN", "audit-sink-token".to_string()),
        ("SANDBOX_FAULTS", "latency_ms=10".to_string()),
        ("CONSOLE_JOB_LEASE_SECS", "3".to_string()),
        ("CONSOLE_AUDIT_SINK", receiver.url()),
        ("CONSOLE_AUDIT_SINK_TOKEN", "siem-secret".to_string()),
        ("CONSOLE_AUDIT_SINK_TIMEOUT_SECS", "1".to_string()),
    ];
    let (mut child, base, realm, output) = common::spawn_console(&dir, &vars);
    let c = browser();
    sign_in(&c, &base, "admin", common::ADMIN_PASSWORD).await;

    // The SIEM refuses: the events wait, and the Audit page says so, with why.
    receiver
        .wait_for("two refused deliveries", Duration::from_secs(20), |s| {
            s.len() >= 2
        })
        .await;
    let page = page_text(&c, format!("{base}/realms/{realm}/audit")).await;
    assert!(page.contains("The SIEM is behind"), "{page}");
    assert!(page.contains("the sink answered 503"), "{page}");
    assert!(
        page.contains(&format!("http://{}", receiver.addr)) && !page.contains("/hook"),
        "no path: {page}"
    );

    // It stalls once (the console gives up after its time limit and sends again), then takes events.
    receiver.script(&[Answer::Stall], Answer::Ok);
    receiver
        .wait_for("a delivery after the stall", Duration::from_secs(20), |s| {
            s.iter()
                .skip_while(|s| s.answer != Answer::Stall)
                .any(|s| s.answer == Answer::Ok)
        })
        .await;

    // An import writes an event per row while the SIEM restarts, and while a delivery is in flight the console is
    // killed.
    let file: String = std::iter::once("username,name\n".to_string())
        .chain((1..=ROWS).map(|n| format!("siem.{n:04},Siem {n}\n")))
        .collect();
    let import = upload_import(&c, &base, &realm, "siem.csv", file).await;
    apply_import(&c, &base, &realm, &import).await;
    receiver
        .wait_for(
            "a third of the rows' events",
            Duration::from_secs(60),
            |s| s.iter().map(|s| s.ids.len()).sum::<usize>() >= ROWS / 3,
        )
        .await;
    receiver.down().await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    receiver.up().await;
    let before = receiver.seen().len();
    receiver.script(&[Answer::Stall], Answer::Ok);
    receiver
        .wait_for("a stalled delivery", Duration::from_secs(30), |s| {
            s[before..].iter().any(|s| s.answer == Answer::Stall)
        })
        .await;
    signal(&child, libc::SIGKILL);
    wait_exit(&mut child, Duration::from_secs(10)).expect("killed");
    let db = common::open_db(&dir).await;
    let (_, waiting) = written(&db).await;
    assert!(waiting > 0, "events still to send when the console died");

    let (mut child, base, realm, _) = common::spawn_console(&dir, &vars);
    let c = browser();
    sign_in(&c, &base, "admin", common::ADMIN_PASSWORD).await;
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let view = common::import_view(&c, &base, &realm, &import).await;
        let (ids, waiting) = written(&db).await;
        if view.state == bi_console::model::IMPORT_DONE && waiting == 0 {
            let taken: HashSet<String> = receiver.ids().into_iter().collect();
            if ids.iter().all(|id| taken.contains(id)) {
                break;
            }
        }
        assert!(
            Instant::now() < until,
            "not all sent: {view:?}, {waiting} waiting"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    signal(&child, libc::SIGTERM);
    wait_exit(&mut child, Duration::from_secs(20)).expect("stopped");

    let (ids, _) = written(&db).await;
    let taken = receiver.ids();
    let once = first_seen(&taken);
    let expected: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        once.len(),
        ids.len(),
        "each event once after de-duplication, none the console did not write"
    );
    assert!(once.iter().all(|id| expected.contains(id)));
    assert!(
        taken.len() > once.len(),
        "the stalled deliveries were sent again (at least once)"
    );
    // The rows' events came in the order the log has them. (On PostgreSQL, rows written at the same moment may come
    // in the order their transactions ended rather than began: checked on SQLite, which has one writer at a time.)
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT id FROM audit_events WHERE request_id = $1 ORDER BY seq")
            .bind(format!("import-{import}"))
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(rows.len() >= ROWS, "{}", rows.len());
    let row_set: HashSet<&String> = rows.iter().collect();
    let arrived: Vec<String> = once.into_iter().filter(|id| row_set.contains(id)).collect();
    if !common::on_postgres() {
        assert_eq!(arrived, rows, "in the order written");
    } else {
        assert_eq!(arrived.len(), rows.len());
    }
    for seen in receiver.seen() {
        assert_eq!(seen.authorization.as_deref(), Some("Bearer siem-secret"));
        assert_eq!(seen.content_type.as_deref(), Some("application/x-ndjson"));
    }
    let printed = output.lock().unwrap().clone();
    assert!(
        !printed.contains("siem-secret"),
        "the sink's token is never logged"
    );
    assert!(printed.contains("audit events not delivered"), "{printed}");
}

/// Replicas sharing the console's database (two senders, as two processes would run them) send each event once
/// between them, in order, over Splunk's HEC, syslog over TCP, and syslog over TLS (a CA of the test's own, given
/// by `CONSOLE_AUDIT_SINK_CA`).
#[tokio::test]
async fn replicas_send_each_event_once_over_splunk_hec_and_syslog() {
    let certificates = common::temp_dir("audit-sink-tls");
    let tls = if common::have("openssl") {
        Some(common::certificates(&certificates))
    } else {
        assert!(
            std::env::var("CI").is_err(),
            "openssl (Debian's) is needed here"
        );
        eprintln!("openssl is not installed: syslog over TLS is not tried");
        None
    };
    for target in ["splunk", "syslog", "syslog-tls"] {
        if target == "syslog-tls" && tls.is_none() {
            continue;
        }
        let dir = common::temp_dir("audit-sink-replicas");
        let pool = common::open_db(&dir).await;
        let mut vars = Vec::new();
        let frames = match target {
            "splunk" => {
                let receiver = Receiver::start().await;
                vars.push(("CONSOLE_AUDIT_SINK", receiver.url()));
                vars.push(("CONSOLE_AUDIT_SINK_FORMAT", "splunk".into()));
                vars.push(("CONSOLE_AUDIT_SINK_TOKEN", "hec-token".into()));
                Source::Http(receiver)
            }
            "syslog" => {
                let (port, frames) = syslog_receiver(None).await;
                vars.push((
                    "CONSOLE_AUDIT_SINK",
                    format!("syslog+tcp://127.0.0.1:{port}"),
                ));
                Source::Syslog(frames)
            }
            _ => {
                let certs = tls.as_ref().unwrap();
                let (port, frames) = syslog_receiver(Some(certs)).await;
                vars.push((
                    "CONSOLE_AUDIT_SINK",
                    format!("syslog+tls://localhost:{port}"),
                ));
                vars.push(("CONSOLE_AUDIT_SINK_CA", certs.ca.display().to_string()));
                Source::Syslog(frames)
            }
        };
        let settings = bi_console::config::AuditSinkSettings::from_lookup(&|k: &str| {
            vars.iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.clone())
        })
        .unwrap()
        .unwrap();
        let log = |_: usize| {
            let sink = bi_console::audit::sink::Sink::new(
                bi_console::db::Db::new(pool.clone()),
                settings.clone(),
            );
            bi_console::audit::AuditLog::new(bi_console::db::Db::new(pool.clone()))
                .with_sink(Some(sink))
        };
        let replicas = [log(1), log(2)];
        for (n, r) in replicas.iter().enumerate() {
            r.sink()
                .unwrap()
                .start(format!("replica-{n}"), Duration::from_secs(5), true)
                .await
                .unwrap();
        }
        for n in 0..60 {
            let event = bi_console::audit::Event::new(
                bi_console::model::AuditAction::IdentityCreate,
                "r1",
                &format!("i{n}"),
                &format!("user.{n}"),
                "created",
            );
            replicas[n % 2]
                .record("ada", event, "ok", &format!("req-{n}"))
                .await;
        }
        let until = Instant::now() + Duration::from_secs(30);
        let (ids, taken) = loop {
            let (ids, waiting) = written(&pool).await;
            let taken = frames.ids();
            if waiting == 0 && taken.len() >= ids.len() {
                break (ids, taken);
            }
            assert!(
                Instant::now() < until,
                "{target}: {waiting} waiting, {} taken",
                taken.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(ids.len(), 60);
        assert_eq!(taken, ids, "{target}: each once, in the order written");
        if let Source::Http(receiver) = &frames {
            assert!(receiver
                .seen()
                .iter()
                .all(|s| s.authorization.as_deref() == Some("Splunk hec-token")));
        }
    }
}

enum Source {
    Http(Receiver),
    Syslog(Arc<Mutex<Vec<String>>>),
}

impl Source {
    fn ids(&self) -> Vec<String> {
        match self {
            Source::Http(r) => r.ids(),
            Source::Syslog(messages) => messages
                .lock()
                .unwrap()
                .iter()
                .map(|m| {
                    assert!(m.starts_with("<110>1 "), "{m}");
                    let json = m
                        .split_once(" bi-console - audit - ")
                        .expect("RFC 5424 header")
                        .1;
                    let v: serde_json::Value = serde_json::from_str(json).unwrap();
                    v["id"].as_str().unwrap().to_string()
                })
                .collect(),
        }
    }
}

/// A syslog receiver over TCP, or TLS with `certificates`, reading octet-counted frames (RFC 6587); answers its
/// port and the messages read.
async fn syslog_receiver(
    certificates: Option<&common::Certificates>,
) -> (u16, Arc<Mutex<Vec<String>>>) {
    use rustls_pki_types::pem::PemObject;
    use tokio::io::AsyncReadExt;
    let acceptor = certificates.map(|c| {
        let chain = rustls_pki_types::CertificateDer::pem_file_iter(&c.cert)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = rustls_pki_types::PrivateKeyDer::from_pem_file(&c.key).unwrap();
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let kept = messages.clone();
    tokio::spawn(async move {
        // One connection at a time, as the console sends one delivery at a time.
        while let Ok((conn, _)) = listener.accept().await {
            let mut buf = Vec::new();
            match &acceptor {
                None => {
                    let mut conn = conn;
                    conn.read_to_end(&mut buf).await.unwrap();
                }
                Some(acceptor) => {
                    let mut conn = acceptor
                        .accept(conn)
                        .await
                        .expect("the console trusts the test's CA");
                    conn.read_to_end(&mut buf).await.unwrap();
                }
            }
            let mut rest = &buf[..];
            while !rest.is_empty() {
                let space = rest
                    .iter()
                    .position(|b| *b == b' ')
                    .expect("a frame's length");
                let len: usize = std::str::from_utf8(&rest[..space])
                    .unwrap()
                    .parse()
                    .unwrap();
                let message = &rest[space + 1..space + 1 + len];
                kept.lock()
                    .unwrap()
                    .push(String::from_utf8(message.to_vec()).unwrap());
                rest = &rest[space + 1 + len..];
            }
        }
    });
    (port, messages)
}
