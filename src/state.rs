//! What every request shares on the server: the BI client, what the console may show about its target, and the
//! realm list the sidebar shows on every page (cached briefly, so a page view costs one BI call, not two).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::bi::wire::ListQuery;
use crate::bi::{BiError, Client};
use crate::model::{ConsoleInfo, Realm, MAX_PAGE_SIZE};

/// How long the realm list is reused. Realms change rarely, and never through this console.
pub const REALMS_TTL: Duration = Duration::from_secs(60);

/// The realm list and when it was fetched.
type CachedRealms = Arc<Mutex<Option<(Instant, Vec<Realm>)>>>;

#[derive(Clone)]
pub struct AppState {
    pub client: Arc<Client>,
    pub info: ConsoleInfo,
    /// Where every write is recorded; `None` only in tests that exercise reads.
    pub audit: Option<crate::audit::AuditLog>,
    /// Groups (ids or names) whose membership and settings only an admin may change (`CONSOLE_PROTECTED_GROUPS`).
    pub protected_groups: Arc<Vec<String>>,
    /// The directory index; `None` when it is off (`CONSOLE_INDEX=off`).
    pub index: Option<Arc<crate::index::DirectoryIndex>>,
    /// How long an index is used before a search refreshes it in the background.
    pub index_max_age: Duration,
    /// The embedded sandbox, in sandbox mode (its outbox is shown to operators).
    pub sandbox: Option<Arc<crate::sandbox::Sandbox>>,
    /// What the console remembers per realm (the invitation's authenticator configuration); `None` in tests.
    pub preferences: Option<crate::preferences::Preferences>,
    /// Invitations to more identities than BI's queue takes at once, handed over as it drains (kept in the
    /// console's database; in memory in tests without one).
    pub invitation_runs: crate::invitation_runs::Runs,
    /// Imports kept in the console's database; `None` in tests that do not use them.
    pub imports: Option<crate::transfer::store::Imports>,
    /// Bounds of an uploaded import file.
    pub import_limits: crate::transfer::Limits,
    /// The imports whose apply job runs in this process.
    pub import_jobs: crate::transfer::Jobs,
    /// The queue of jobs done once across processes (in the console's database); `None` in tests without one.
    pub jobs: Option<crate::jobs::Queue>,
    /// The operators with an export streaming from this process (one each at a time).
    pub exports: crate::transfer::Jobs,
    /// A realm's count at BI (the identities page's check of its index), one call for the views that ask at once.
    pub bi_counts: Arc<crate::bi::coalesce::Coalesced<Option<u64>>>,
    /// The operators in force (work outside a request checks its operator against them again); `None` in tests
    /// that have none.
    pub operators: Option<Arc<crate::auth::OperatorBook>>,
    realms: CachedRealms,
}

impl AppState {
    pub fn new(client: Client, info: ConsoleInfo) -> AppState {
        AppState {
            client: Arc::new(client),
            info,
            audit: None,
            protected_groups: Arc::new(Vec::new()),
            index: None,
            index_max_age: Duration::from_secs(600),
            sandbox: None,
            preferences: None,
            invitation_runs: Default::default(),
            imports: None,
            operators: None,
            import_limits: Default::default(),
            import_jobs: Default::default(),
            jobs: None,
            exports: Default::default(),
            bi_counts: Default::default(),
            realms: Arc::new(Mutex::new(None)),
        }
    }

    pub fn with_invitation_runs(mut self, runs: crate::invitation_runs::Runs) -> AppState {
        self.invitation_runs = runs;
        self
    }

    pub fn with_jobs(mut self, jobs: crate::jobs::Queue) -> AppState {
        self.jobs = Some(jobs);
        self
    }

    pub fn with_protected_groups(mut self, groups: Vec<String>) -> AppState {
        self.protected_groups = Arc::new(groups);
        self
    }

    pub fn with_index(mut self, index: crate::index::DirectoryIndex, max_age: Duration) -> AppState {
        self.index = Some(Arc::new(index));
        self.index_max_age = max_age;
        self
    }

    pub fn with_sandbox(mut self, sandbox: Option<Arc<crate::sandbox::Sandbox>>) -> AppState {
        self.sandbox = sandbox;
        self
    }

    pub fn with_preferences(mut self, preferences: crate::preferences::Preferences) -> AppState {
        self.preferences = Some(preferences);
        self
    }

    /// The value `realm` remembers under `name`, if any.
    pub async fn preference(&self, realm: &str, name: &str) -> Option<String> {
        match &self.preferences {
            Some(p) => p.get(realm, name).await,
            None => None,
        }
    }

    pub fn with_imports(
        mut self,
        imports: crate::transfer::store::Imports,
        limits: crate::transfer::Limits,
    ) -> AppState {
        self.imports = Some(imports);
        self.import_limits = limits;
        self
    }

    pub fn with_operators(mut self, operators: Arc<crate::auth::OperatorBook>) -> AppState {
        self.operators = Some(operators);
        self
    }

    /// `operator` as the operator book says they are now: `None` when they are no longer an operator.
    pub async fn operator_now(&self, username: &str) -> Option<crate::model::OperatorView> {
        let book = self.operators.as_ref()?.current().await;
        book.find(username).map(|o| crate::model::OperatorView {
            username: o.username.clone(),
            role: o.role,
            realms: o.realms.clone(),
        })
    }

    /// Whether `operator`, who started work in `realm` that goes on outside their request (an import's apply, an
    /// invitation run), may still do it, as the operator book says now: still an operator, with the same role,
    /// the realm still theirs. The command line (`cli`) has the machine's trust; with no book (tests) nothing is
    /// checked.
    pub async fn operator_still(
        &self,
        operator: &crate::model::OperatorView,
        realm: &str,
    ) -> Result<(), String> {
        if self.operators.is_none() || operator.username == crate::model::CLI_OPERATOR {
            return Ok(());
        }
        match self.operator_now(&operator.username).await {
            None => Err(format!("{} is no longer an operator.", operator.username)),
            Some(now) if now.role != operator.role => Err(format!(
                "{}'s role changed from {} to {} after this began.",
                operator.username,
                operator.role.as_str(),
                now.role.as_str()
            )),
            Some(now) if !now.may_use(realm) => {
                Err(format!("{} may no longer use this realm.", operator.username))
            }
            Some(_) => Ok(()),
        }
    }

    pub fn with_audit(mut self, audit: crate::audit::AuditLog) -> AppState {
        self.audit = Some(audit);
        self
    }

    /// Whether `group` is listed in `CONSOLE_PROTECTED_GROUPS`, by id or by name (ignoring case).
    pub fn is_protected_group(&self, group: &crate::model::Group) -> bool {
        crate::permit::is_protected_group(&self.protected_groups, group)
    }

    /// The tenant's realms (BI's first page of 200), fetched at most once per [`REALMS_TTL`].
    pub async fn realms(&self) -> Result<Vec<Realm>, BiError> {
        let mut cached = self.realms.lock().await;
        if let Some((at, list)) = cached.as_ref() {
            if at.elapsed() < REALMS_TTL {
                return Ok(list.clone());
            }
        }
        let page = self
            .client
            .list_realms(&ListQuery {
                page_size: Some(MAX_PAGE_SIZE),
                ..ListQuery::default()
            })
            .await?;
        *cached = Some((Instant::now(), page.items.clone()));
        Ok(page.items)
    }
}
