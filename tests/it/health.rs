//! The load balancer's probes over HTTP: `/healthz` and `/readyz` answer without a session and whatever host name
//! the balancer uses; `/readyz` says 503, and which check failed, when BI refuses the console's credentials or the
//! console's database is not at this build's schema — and never says more than that.

use crate::common;
use common::{browser, start_console, temp_dir};

async fn get(c: &reqwest::Client, url: &str, host: Option<&str>) -> (u16, String, bool) {
    let mut req = c.get(url);
    if let Some(h) = host {
        req = req.header("host", h);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let cookie = res.headers().contains_key("set-cookie");
    (status, res.text().await.unwrap(), cookie)
}

#[tokio::test]
async fn a_console_on_its_sandbox_is_alive_and_ready_for_any_balancer() {
    let dir = temp_dir("probes");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", "probes-test-token".into())]).await;
    let c = browser();
    let (status, body, cookie) = get(&c, &format!("{}/healthz", t.base), None).await;
    assert_eq!(
        (status, body.as_str(), cookie),
        (200, "ok", false),
        "alive, and no session made"
    );
    let (status, body, _) = get(&c, &format!("{}/readyz", t.base), Some("10.0.0.7:3000")).await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"ready": true, "database": "ok", "schema": "ok", "bi": "ok"})
    );
    // The same host name is refused for the console's pages (the probes alone are outside the host check).
    let (status, _, _) = get(&c, &format!("{}/login", t.base), Some("10.0.0.7:3000")).await;
    assert_eq!(status, 421);
    t.stop();
}

#[tokio::test]
async fn bi_refusing_the_credentials_makes_the_console_not_ready_but_alive() {
    let bi = common::start().await;
    let dir = temp_dir("probes-bi");
    let wrong = format!("wrong-{:016x}", rand::random::<u64>());
    let vars = [
        ("BI_API_BASE_URL", bi.api_base.clone()),
        ("BI_TENANT_ID", bi.sandbox.tenant_id().to_string()),
        ("BI_REALM_ID", bi.workforce.clone()),
        ("BI_API_TOKEN", wrong.clone()),
    ];
    let t = start_console(&dir, &vars).await;
    let c = browser();
    let (status, body, _) = get(&c, &format!("{}/readyz", t.base), None).await;
    assert_eq!(status, 503, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ready"], false);
    assert_eq!(v["bi"], "answered 401", "{body}");
    assert_eq!(
        (v["database"].as_str(), v["schema"].as_str()),
        (Some("ok"), Some("ok"))
    );
    assert!(
        !body.contains(&wrong) && !body.contains(&bi.api_base),
        "nothing but the checks: {body}"
    );
    let (status, _, _) = get(&c, &format!("{}/healthz", t.base), None).await;
    assert_eq!(status, 200, "alive all the same");
    t.stop();
}

#[tokio::test]
async fn a_database_at_another_schema_makes_the_console_not_ready() {
    let dir = temp_dir("probes-schema");
    let t = start_console(&dir, &[("SANDBOX_TOKEN", "probes-test-token".into())]).await;
    // Another console (a newer one, say) has migrated the database since this one started.
    let other = common::open_db(&dir).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from a newer console', TRUE, $1, 0)",
    )
    .bind(vec![0u8])
    .execute(&other)
    .await
    .unwrap();
    other.close().await;
    let (status, body, _) = get(&browser(), &format!("{}/readyz", t.base), None).await;
    assert_eq!(status, 503, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["schema"], "not at this version's schema", "{body}");
    t.stop();
}
