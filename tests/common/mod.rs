//! A real sandbox on a random loopback port, with its own data directory, and a real client pointed at it.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bi_console::bi::{Client, ClientAuth, ClientConfig};
use bi_console::sandbox::{Sandbox, PREFIX};

pub struct TestSandbox {
    pub sandbox: Arc<Sandbox>,
    /// `http://127.0.0.1:PORT/sandbox`
    pub api_base: String,
    pub dir: PathBuf,
    pub workforce: String,
    pub customers: String,
}

impl Drop for TestSandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn start() -> TestSandbox {
    let dir = std::env::temp_dir().join(format!("bi-console-test-{:016x}", rand::random::<u64>()));
    let sandbox = Sandbox::open(&dir, None).await.expect("sandbox opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router: axum::Router = sandbox.router();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service())
            .await
            .unwrap();
    });
    let api_base = format!("http://{addr}{PREFIX}");
    let client = token_client(
        &api_base,
        &sandbox,
        sandbox.credentials().api_token.expose(),
    );
    let realms = client
        .list_realms(&Default::default())
        .await
        .expect("realms list");
    let realm_named = |name: &str| {
        realms
            .items
            .iter()
            .find(|r| r.display_name == name)
            .map(|r| r.id.clone())
            .expect("seeded realm")
    };
    TestSandbox {
        workforce: realm_named("Acme Workforce"),
        customers: realm_named("Acme Customers"),
        sandbox,
        api_base,
        dir,
    }
}

pub fn token_client(api_base: &str, sandbox: &Sandbox, token: &str) -> Client {
    Client::new(ClientConfig {
        api_base: api_base.to_string(),
        tenant_id: sandbox.tenant_id().to_string(),
        auth: ClientAuth::Token(bi_console::secret::Secret::new(token)),
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

impl TestSandbox {
    /// A client with the sandbox's static API token.
    pub fn client(&self) -> Client {
        token_client(
            &self.api_base,
            &self.sandbox,
            self.sandbox.credentials().api_token.expose(),
        )
    }

    /// A client that obtains its token through the client-credentials endpoint.
    pub fn credentials_client(&self, secret: &str) -> Client {
        let c = self.sandbox.credentials();
        let base = self.api_base.trim_end_matches(PREFIX);
        Client::new(ClientConfig {
            api_base: self.api_base.clone(),
            tenant_id: self.sandbox.tenant_id().to_string(),
            auth: ClientAuth::ClientCredentials {
                token_url: format!("{base}{}", self.sandbox.token_path(&self.workforce)),
                client_id: c.client_id.clone(),
                client_secret: bi_console::secret::Secret::new(secret),
            },
            timeout: Duration::from_secs(10),
        })
        .unwrap()
    }
}
