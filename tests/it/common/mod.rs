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
    sandbox.set_link_origin(&format!("http://{addr}"));
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

/// The whole console (pages, server functions, sign-in, sessions, sandbox) on a random loopback port, built from
/// `vars` as if they were the environment.
pub struct TestConsole {
    pub base: String,
    pub dir: PathBuf,
    pub info: bi_console::model::ConsoleInfo,
    pub sandbox: Option<Arc<Sandbox>>,
    pub access: Arc<bi_console::auth::web::Access>,
    /// What the console's requests and jobs share (its job runner, to wait for a job).
    pub state: bi_console::state::AppState,
    /// The console's own database.
    pub db: bi_console::db::Pool,
    server: tokio::task::JoinHandle<()>,
}

impl TestConsole {
    /// Stops serving (the data directory stays, for a restart).
    pub fn stop(&self) {
        self.server.abort();
    }
}

/// Passwords of the test operators, and `CONSOLE_OPERATORS` naming them (hashed once per test binary).
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const HELPDESK_PASSWORD: &str = "helpdesk-password-for-tests";
pub const VIEWER_PASSWORD: &str = "viewer-password-for-tests";

pub fn operators() -> String {
    static OPS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    OPS.get_or_init(|| {
        let h = |p: &str| bi_console::auth::hash_password(p).unwrap();
        format!(
            "admin:admin:{} helpdesk:helpdesk:{} viewer:viewer:{}",
            h(ADMIN_PASSWORD),
            h(HELPDESK_PASSWORD),
            h(VIEWER_PASSWORD)
        )
    })
    .clone()
}

/// A data directory of a test's own, removed when the test ends (passed or failed).
pub struct TestDir(PathBuf);

impl std::ops::Deref for TestDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for TestDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_dir(tag: &str) -> TestDir {
    TestDir(std::env::temp_dir().join(format!("bi-console-{tag}-{:016x}", rand::random::<u64>())))
}

/// Whether this run keeps the consoles' databases in PostgreSQL (`TEST_DATABASE=postgres`, the test command's
/// second run of these tests, beside the private cluster of `scripts/with-postgres.sh`); otherwise SQLite files in
/// each data directory.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE").as_deref() == Ok("postgres")
}

/// A database of its own in the private PostgreSQL cluster, made when missing: the same `name` is the same
/// database (a console restarted on a data directory finds its database again).
pub async fn postgres_database(name: &str) -> String {
    use sqlx::{Connection, Executor};
    let admin = std::env::var("TEST_POSTGRES_URL")
        .expect("TEST_POSTGRES_URL names the test cluster: run through ./scripts/with-postgres.sh (./scripts/test.sh does)");
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("the test cluster answers");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    if !exists {
        conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
    format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
}

/// The URL of the console's database for the data directory `dir`: in this run's engine.
pub async fn database_url(dir: &std::path::Path) -> String {
    if on_postgres() {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        dir.hash(&mut h);
        postgres_database(&format!("t_{:016x}", h.finish())).await
    } else {
        std::fs::create_dir_all(dir).unwrap();
        bi_console::db::default_url(dir)
    }
}

/// The console's database of the data directory `dir` (as its console opens it), for a test to look inside.
pub async fn open_db(dir: &std::path::Path) -> bi_console::db::Pool {
    bi_console::db::open_url(&database_url(dir).await)
        .await
        .unwrap()
}

pub async fn start_console(dir: &std::path::Path, vars: &[(&str, String)]) -> TestConsole {
    let options = leptos::config::LeptosOptions::builder()
        .output_name("bi-console")
        .site_root("target/site")
        .build();
    start_console_with(dir, vars, options).await
}

/// [`start_console`] with these site options (e.g. a site root of the test's own, content-named files).
pub async fn start_console_with(
    dir: &std::path::Path,
    vars: &[(&str, String)],
    options: leptos::config::LeptosOptions,
) -> TestConsole {
    let mut map: std::collections::HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    map.insert("CONSOLE_DATA_DIR".into(), dir.display().to_string());
    if !map.contains_key("CONSOLE_DATABASE_URL") {
        map.insert("CONSOLE_DATABASE_URL".into(), database_url(dir).await);
    }
    map.entry("CONSOLE_OPERATORS".into())
        .or_insert_with(operators);
    let settings =
        bi_console::config::Settings::from_lookup(|k| map.get(k).cloned()).expect("settings");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let console = bi_console::server::build(&settings, options, addr)
        .await
        .expect("console builds");
    bi_console::server::resume_imports(&console.state).await;
    bi_console::server::start_audit_sink(&console.state)
        .await
        .expect("the audit sink starts");
    let state = console.state.clone();
    let router = console.router;
    let server = tokio::spawn(async move {
        let _ = axum::serve(
            bi_console::server::no_delay(listener),
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    TestConsole {
        base: format!("http://{addr}"),
        dir: dir.to_path_buf(),
        info: console.info,
        sandbox: console.sandbox,
        access: console.access,
        db: console.db,
        state,
        server,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (so tests can see them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A console that stops answering fails the test with the request that hung, instead of hanging it.
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A browser-like client whose requests come from another loopback address (e.g. `127.0.0.2`), so the console
/// sees a second client address.
pub fn browser_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// Signs in through the form; answers where the console sent the browser.
pub async fn sign_in(c: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let res = c
        .post(format!("{base}/sign-in"))
        .form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_string()
}

/// Calls a server function the way the hydrated app does (form-encoded arguments).
pub async fn call<T: serde::Serialize>(
    c: &reqwest::Client,
    base: &str,
    path: &str,
    args: &T,
) -> (u16, String) {
    let res = c
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(serde_qs::to_string(args).unwrap())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// A valid call of every server function, as (path, form body): valid arguments, so only the session and role
/// checks can refuse them.
pub fn every_call(realm: &str, identity: &str, group: &str) -> Vec<(&'static str, String, bool)> {
    let r = realm.to_string();
    let qs = |v: &dyn erased::Ser| v.qs();
    use bi_console::api::*;
    use bi_console::model::{AuditFilter, BulkOp, GroupInput, IdentityInput};
    use leptos::server_fn::ServerFn;
    let input = IdentityInput {
        display_name: "Forged".into(),
        username: "forged.call".into(),
        ..IdentityInput::default()
    };
    let group_input = GroupInput {
        display_name: "Forged group".into(),
        description: String::new(),
    };
    // (path, body, refused to a viewer: a write, or what only a writer needs)
    vec![
        (Whoami::PATH, qs(&Whoami {}), false),
        (GetConsoleInfo::PATH, qs(&GetConsoleInfo {}), false),
        (SignInOptions::PATH, qs(&SignInOptions {}), false),
        (ListRealms::PATH, qs(&ListRealms {}), false),
        (GetFrame::PATH, qs(&GetFrame {}), false),
        (
            ListIdentities::PATH,
            qs(&ListIdentities {
                realm: r.clone(),
                page: 1,
                size: 25,
                q: String::new(),
            }),
            false,
        ),
        (
            SearchIdentities::PATH,
            qs(&SearchIdentities {
                realm: r.clone(),
                filter: bi_console::model::IdentityFilter {
                    q: "ada".into(),
                    ..Default::default()
                },
                page: 1,
                size: 25,
            }),
            false,
        ),
        (
            RefreshIndex::PATH,
            qs(&RefreshIndex { realm: r.clone() }),
            false,
        ),
        (
            GetIdentity::PATH,
            qs(&GetIdentity {
                realm: r.clone(),
                id: identity.into(),
            }),
            false,
        ),
        (
            ListGroups::PATH,
            qs(&ListGroups {
                realm: r.clone(),
                page: 1,
                size: 25,
            }),
            false,
        ),
        (
            GetGroup::PATH,
            qs(&GetGroup {
                realm: r.clone(),
                id: group.into(),
                page: 1,
                size: 25,
            }),
            false,
        ),
        (
            MemberPickerPage::PATH,
            qs(&MemberPickerPage {
                realm: r.clone(),
                group: group.into(),
                page: 1,
                q: String::new(),
            }),
            false,
        ),
        (
            ListAudit::PATH,
            qs(&ListAudit {
                filter: AuditFilter::default(),
                page: 1,
                size: 25,
            }),
            false,
        ),
        (
            Activity::PATH,
            qs(&Activity {
                id: identity.into(),
            }),
            false,
        ),
        (
            CreateIdentity::PATH,
            qs(&CreateIdentity {
                realm: r.clone(),
                input: bi_console::model::IdentityInput {
                    display_name: input.display_name.clone(),
                    username: input.username.clone(),
                    ..Default::default()
                },
                then: bi_console::model::AfterCreate::default(),
            }),
            true,
        ),
        (
            SetIdentityStatus::PATH,
            qs(&SetIdentityStatus {
                realm: r.clone(),
                id: identity.into(),
                suspend: true,
            }),
            true,
        ),
        (
            DeleteIdentity::PATH,
            qs(&DeleteIdentity {
                realm: r.clone(),
                id: identity.into(),
            }),
            true,
        ),
        (
            UpdateIdentity::PATH,
            qs(&UpdateIdentity {
                realm: r.clone(),
                id: identity.into(),
                input: IdentityInput {
                    display_name: "Changed".into(),
                    username: "ada.lovelace".into(),
                    ..IdentityInput::default()
                },
                original: IdentityInput {
                    display_name: "Ada Lovelace".into(),
                    username: "ada.lovelace".into(),
                    ..IdentityInput::default()
                },
            }),
            true,
        ),
        (
            BulkIdentities::PATH,
            qs(&BulkIdentities {
                realm: r.clone(),
                op: BulkOp::Delete,
                ids: vec![identity.into()],
            }),
            true,
        ),
        (
            CreateGroup::PATH,
            qs(&CreateGroup {
                realm: r.clone(),
                input: bi_console::model::GroupInput {
                    display_name: group_input.display_name.clone(),
                    description: String::new(),
                },
            }),
            true,
        ),
        (
            UpdateGroup::PATH,
            qs(&UpdateGroup {
                realm: r.clone(),
                id: group.into(),
                input: group_input.clone(),
                original: GroupInput {
                    display_name: "Engineering".into(),
                    description: String::new(),
                },
            }),
            true,
        ),
        (
            DeleteGroup::PATH,
            qs(&DeleteGroup {
                realm: r.clone(),
                id: group.into(),
                remove_members: true,
            }),
            true,
        ),
        (
            AddGroupMembers::PATH,
            qs(&AddGroupMembers {
                realm: r.clone(),
                group: group.into(),
                ids: vec![identity.into()],
            }),
            true,
        ),
        (
            AddGroupMembersByUsernames::PATH,
            qs(&AddGroupMembersByUsernames {
                realm: r.clone(),
                group: group.into(),
                usernames: "ada.lovelace".into(),
            }),
            true,
        ),
        (
            RemoveGroupMembers::PATH,
            qs(&RemoveGroupMembers {
                realm: r.clone(),
                group: group.into(),
                ids: vec![identity.into()],
            }),
            true,
        ),
        (
            AddIdentityToGroups::PATH,
            qs(&AddIdentityToGroups {
                realm: r.clone(),
                identity: identity.into(),
                groups: vec![group.into()],
            }),
            true,
        ),
        (
            RemoveIdentityFromGroup::PATH,
            qs(&RemoveIdentityFromGroup {
                realm: r.clone(),
                identity: identity.into(),
                group: group.into(),
            }),
            true,
        ),
        (
            IndexStatus::PATH,
            qs(&IndexStatus { realm: r.clone() }),
            false,
        ),
        (
            SearchGroups::PATH,
            qs(&SearchGroups {
                realm: r.clone(),
                q: "fin".into(),
                sort: "-members".into(),
                page: 1,
                size: 25,
            }),
            false,
        ),
        (
            IdentityPasskeys::PATH,
            qs(&IdentityPasskeys {
                realm: r.clone(),
                identity: identity.into(),
            }),
            false,
        ),
        (
            SandboxOutbox::PATH,
            qs(&SandboxOutbox { realm: r.clone() }),
            // Its links complete enrollments: for those who may send invitations.
            true,
        ),
        (
            NewIdentityOptions::PATH,
            qs(&NewIdentityOptions { realm: r.clone() }),
            // The Add form's options: for those who may add identities.
            true,
        ),
        (
            AddedIdentityReport::PATH,
            qs(&AddedIdentityReport {
                realm: r.clone(),
                identity: identity.into(),
            }),
            false,
        ),
        (
            AddGroupMembersMatching::PATH,
            qs(&AddGroupMembersMatching {
                realm: r.clone(),
                group: group.into(),
                q: "forged".into(),
            }),
            true,
        ),
        (
            SendPasskeyInvitation::PATH,
            qs(&SendPasskeyInvitation {
                realm: r.clone(),
                identity: identity.into(),
                config: "0000000000000000".into(),
                link: true,
            }),
            true,
        ),
        (
            RevokePasskeyInvitation::PATH,
            qs(&RevokePasskeyInvitation {
                realm: r.clone(),
                identity: identity.into(),
                job: "0000000000000000".into(),
            }),
            true,
        ),
        (
            RevokePasskey::PATH,
            qs(&RevokePasskey {
                realm: r.clone(),
                identity: identity.into(),
                credential: "0000000000000000".into(),
            }),
            true,
        ),
        (
            StartPasskeyInvitations::PATH,
            qs(&StartPasskeyInvitations {
                realm: r,
                ids: vec![identity.into()],
            }),
            true,
        ),
    ]
}

mod erased {
    pub trait Ser {
        fn qs(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn qs(&self) -> String {
            serde_qs::to_string(self).unwrap()
        }
    }
}

/// The text of a GET of `url` (a page, whatever its status).
/// Where an answer sends the browser (its `Location`), or "" when it does not.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Starts signing in with Beyond Identity on the console at `base` (going to `next`): answers the issuer's
/// authorize URL the console sent the browser to.
pub async fn bi_begin(c: &reqwest::Client, base: &str, next: &str) -> String {
    let res = c
        .get(format!(
            "{base}/sign-in/bi?next={}",
            bi_console::model::encode_component(next)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    location(&res)
}

/// The sandbox's sign-in page at `authorize`.
pub async fn bi_page(c: &reqwest::Client, authorize: &str) -> String {
    let page = c.get(authorize).send().await.unwrap();
    assert_eq!(page.status(), 200);
    page.text().await.unwrap()
}

/// On the sandbox's sign-in page at `authorize`, `username` signs in with their passkey: answers the status and
/// where BI sent the browser (the console's callback), or BI's page when it refused.
pub async fn bi_choose(c: &reqwest::Client, authorize: &str, username: &str) -> (u16, String) {
    let mut form: Vec<(String, String)> = url::Url::parse(authorize)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    form.push(("username".into(), username.into()));
    let action = authorize.split('?').next().unwrap();
    let res = c.post(action).form(&form).send().await.unwrap();
    let status = res.status().as_u16();
    if status == 303 {
        (status, location(&res))
    } else {
        (status, res.text().await.unwrap())
    }
}

pub async fn page_text(c: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

pub async fn post_raw(c: &reqwest::Client, base: &str, path: &str, body: &str) -> (u16, String) {
    let res = c
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// `n` identities `{prefix}.0`… made straight in the sandbox's store (fast); answers their ids.
pub async fn make_identities(t: &TestSandbox, prefix: &str, n: usize) -> Vec<String> {
    let store = t.sandbox.store();
    let mut ids = Vec::with_capacity(n);
    for k in 0..n {
        let traits = bi_console::model::Traits {
            username: Some(format!("{prefix}.{k}")),
            ..bi_console::model::Traits::default()
        };
        let i = store
            .create_identity(
                &t.workforce,
                "Member",
                "active",
                "UNENROLLED",
                &traits,
                None,
            )
            .await
            .unwrap();
        ids.push(i.id);
    }
    ids
}

/// A seeded identity (ada.lovelace) and group (Engineering) of the console's default realm.
pub async fn seeded(t: &TestConsole) -> (String, String) {
    let sb = t.sandbox.as_ref().unwrap();
    let realm = &t.info.default_realm;
    let ada = sb
        .store()
        .list_identities(realm, Some("ada.lovelace"), 0, 1)
        .await
        .unwrap()
        .items[0]
        .id
        .clone();
    let groups = sb.store().list_groups(realm, 0, 50).await.unwrap();
    let eng = groups
        .items
        .iter()
        .find(|g| g.display_name == "Engineering")
        .unwrap()
        .id
        .clone();
    (ada, eng)
}

/// Every log line of a test binary, from the first call on.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends this test binary's log (at `filter`) to memory, once; answers it.
pub fn capture_logs(filter: &str) -> Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        logs
    })
    .clone()
}

/// A permit for a write of kind `A` in `realm`, as a server function of an admin who just signed in would hold
/// one.
#[allow(dead_code)]
pub fn permit<A: bi_console::permit::Act>(realm: &str) -> bi_console::permit::Permit<A> {
    let admin = bi_console::model::OperatorView {
        username: "test-admin".into(),
        role: bi_console::model::Role::Admin,
        realms: None,
    };
    let now = chrono::Utc::now().timestamp();
    let just_now = bi_console::permit::Confirmed::within(
        &admin.username,
        now,
        std::time::Duration::from_secs(60),
        now,
    );
    bi_console::permit::Permit::check_confirmed(&admin, realm, just_now.as_ref())
        .expect("an admin may do anything")
}

/// The protected-identity rule's reads, never made here: the tests' permits are an admin's, for whom the rule reads
/// nothing.
struct NoReads;

impl bi_console::permit::Membership for NoReads {
    type Error = ();
    async fn groups_of(&self, _: &str, _: &str) -> Result<Vec<bi_console::model::Group>, ()> {
        Err(())
    }
    async fn groups(&self, _: &str) -> Result<Vec<bi_console::model::Group>, ()> {
        Err(())
    }
    async fn member_ids(&self, _: &str, _: &str) -> Result<Vec<String>, ()> {
        Err(())
    }
}

/// What the protected-identity rule reads for an admin's permit (see [`permit`]) on `ids`: nothing.
#[allow(dead_code)]
pub fn protection<A: bi_console::permit::Act>(
    permit: &bi_console::permit::Permit<A>,
    ids: &[String],
) -> bi_console::permit::Protection {
    futures::executor::block_on(bi_console::permit::Protection::read(
        &NoReads,
        permit.operator(),
        permit.realm(),
        &[],
        ids,
    ))
    .expect("nothing is read for an admin")
}

/// `permit` (an admin's, see [`permit`]) on the identities `ids`.
#[allow(dead_code)]
pub fn targets<'p, A: bi_console::permit::OnIdentity>(
    permit: &'p bi_console::permit::Permit<A>,
    ids: &[String],
) -> bi_console::permit::Targets<'p, A> {
    let protection = protection(permit, ids);
    permit
        .split(ids, &protection)
        .expect("an admin's read covers them")
        .0
}

/// `permit` (an admin's, see [`permit`]) on the identity `id`.
#[allow(dead_code)]
pub fn target<'p, A: bi_console::permit::OnIdentity>(
    permit: &'p bi_console::permit::Permit<A>,
    id: &str,
) -> bi_console::permit::Target<'p, A> {
    let protection = protection(permit, &[id.to_string()]);
    permit.on(id, &protection).expect("an admin may")
}

/// The newest audit entries (at most 200) of `action` by `operator` (empty: any), as the Audit page reads them.
#[allow(dead_code)]
pub async fn audited(
    c: &reqwest::Client,
    base: &str,
    operator: &str,
    action: &str,
) -> Vec<bi_console::model::AuditEntry> {
    use leptos::server_fn::ServerFn;
    let args = bi_console::api::ListAudit {
        filter: bi_console::model::AuditFilter {
            operator: operator.into(),
            action: action.into(),
            ..Default::default()
        },
        page: 1,
        size: 200,
    };
    let (status, body) = call(c, base, bi_console::api::ListAudit::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<bi_console::model::PageView<bi_console::model::AuditEntry>>(&body)
        .unwrap()
        .items
}

/// Everything the binary printed (its log goes to standard output too).
pub type Output = std::sync::Arc<std::sync::Mutex<String>>;

/// Starts the console's binary on the data directory `dir` with `vars` set besides the test operators (and the
/// database of `dir` in this run's engine, unless `vars` names one); answers it, its address, the realm it opens,
/// and what it prints.
pub fn spawn_console(
    dir: &std::path::Path,
    vars: &[(&str, String)],
) -> (std::process::Child, String, String, Output) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_bi-console"));
    command.env_clear();
    if on_postgres() && !vars.iter().any(|(k, _)| *k == "CONSOLE_DATABASE_URL") {
        let url = std::thread::scope(|s| {
            s.spawn(|| {
                tokio::runtime::Runtime::new()
                    .unwrap()
                    .block_on(database_url(dir))
            })
            .join()
            .unwrap()
        });
        command.env("CONSOLE_DATABASE_URL", url);
    }
    let mut child = command
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CONSOLE_DATA_DIR", dir)
        .env("CONSOLE_DOTENV", "0")
        .env("CONSOLE_OPERATORS", operators())
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_OUTPUT_NAME", "bi-console")
        .env("RUST_LOG", "info")
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the console binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut base = None;
    let mut realm = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some((_, r)) = line.split_once("REALM_ID=") {
            realm = r.split_whitespace().next().unwrap_or_default().to_string();
        }
        if let Some(url) = line.strip_prefix("Console:") {
            base = Some(url.trim().to_string());
            break;
        }
    }
    let output = Output::default();
    {
        let output = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut o = output.lock().unwrap();
                o.push_str(&line);
                o.push('\n');
            }
        });
    }
    (
        child,
        base.expect("the console printed its address"),
        realm,
        output,
    )
}

pub fn signal(child: &std::process::Child, sig: libc::c_int) {
    // SAFETY: kill(2) with the pid of a child this test started and still owns.
    let r = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(r, 0, "the signal was delivered");
}

pub fn wait_exit(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> Option<std::process::ExitStatus> {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    None
}

/// Uploads `text` as the import file `name` to `base` for `realm`; answers the planned import's id.
pub async fn upload_import(
    c: &reqwest::Client,
    base: &str,
    realm: &str,
    name: &str,
    text: String,
) -> String {
    let part = reqwest::multipart::Part::bytes(text.into_bytes()).file_name(name.to_string());
    let res = c
        .post(format!("{base}/realms/{realm}/imports"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_string();
    to.rsplit_once("/imports/").expect("planned").1.to_string()
}

/// Applies the planned import `id` through `base`.
pub async fn apply_import(c: &reqwest::Client, base: &str, realm: &str, id: &str) {
    use leptos::server_fn::ServerFn;
    let args = bi_console::api::ApplyImport {
        realm: realm.into(),
        id: id.into(),
        invite: String::new(),
        confirm: String::new(),
    };
    let (status, body) = call(c, base, bi_console::api::ApplyImport::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
}

/// The import's view, read through `base`.
pub async fn import_view(
    c: &reqwest::Client,
    base: &str,
    realm: &str,
    id: &str,
) -> bi_console::model::ImportView {
    use leptos::server_fn::ServerFn;
    let args = bi_console::api::GetImport {
        realm: realm.into(),
        id: id.into(),
        show: String::new(),
        page: 1,
    };
    let (status, body) = call(c, base, bi_console::api::GetImport::PATH, &args).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Whether `tool` is installed (on the PATH, or in /usr/sbin where Debian puts daemons).
pub fn have(tool: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        || std::path::Path::new(&format!("/usr/sbin/{tool}")).exists()
}

/// PEM files of a test's own: a certificate authority, and a server certificate for "localhost" signed by it, with
/// its key.
pub struct Certificates {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Makes [`Certificates`] in `work` with Debian's openssl.
pub fn certificates(work: &std::path::Path) -> Certificates {
    std::fs::create_dir_all(work).unwrap();
    let (ca, ca_key) = (work.join("ca.pem"), work.join("ca.key"));
    let (cert, key, csr, ext) = (
        work.join("server.pem"),
        work.join("server.key"),
        work.join("server.csr"),
        work.join("ext.cnf"),
    );
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let openssl = |args: &[&std::ffi::OsStr]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(ok.success(), "openssl {args:?}");
    };
    let s = |v: &'static str| std::ffi::OsStr::new(v);
    let subject = |cn| [s("-newkey"), s("rsa:2048"), s("-nodes"), s("-subj"), s(cn)];
    openssl(
        &[
            &[s("req"), s("-x509"), s("-days"), s("1")][..],
            &subject("/CN=console test CA"),
            &[s("-keyout"), ca_key.as_os_str(), s("-out"), ca.as_os_str()],
        ]
        .concat(),
    );
    openssl(
        &[
            &[s("req")][..],
            &subject("/CN=localhost"),
            &[s("-keyout"), key.as_os_str(), s("-out"), csr.as_os_str()],
        ]
        .concat(),
    );
    openssl(&[
        s("x509"),
        s("-req"),
        s("-in"),
        csr.as_os_str(),
        s("-CA"),
        ca.as_os_str(),
        s("-CAkey"),
        ca_key.as_os_str(),
        s("-CAcreateserial"),
        s("-days"),
        s("1"),
        s("-extfile"),
        ext.as_os_str(),
        s("-out"),
        cert.as_os_str(),
    ]);
    Certificates { ca, cert, key }
}
