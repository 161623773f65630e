//! The console's stores, whatever keeps their data: each subject declares the store it needs beside its domain
//! (`audit::AuditStore`, `preferences::PreferenceStore`), `db` implements them on the console's database, and this
//! room holds what they share: [`StoreError`], a store's failure, and [`Fut`], what a store's operation answers.

use std::future::Future;
use std::pin::Pin;

/// What a store's operation answers: its outcome, later.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A store could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("the console's database: {message}")]
pub struct StoreError {
    message: String,
    /// Another writer held the data (SQLite's busy or locked): work that only brings rows up to date can run again.
    contention: bool,
}

impl StoreError {
    pub fn new(message: impl Into<String>, contention: bool) -> StoreError {
        StoreError {
            message: message.into(),
            contention,
        }
    }

    /// Whether another writer held the data: work that only brings rows up to date can simply run again.
    pub fn is_contention(&self) -> bool {
        self.contention
    }
}

/// The span of one group of database queries (a store's operation, e.g. `index.search`): a child of the request or
/// job it serves in the traces (see `server::telemetry`).
pub fn span(group: &'static str) -> tracing::Span {
    tracing::info_span!("db", otel.name = group, otel.kind = "client")
}

/// Runs a store's operation `work` inside its [`span`].
pub async fn traced<T>(group: &'static str, work: Fut<'_, T>) -> Result<T, StoreError> {
    use tracing::Instrument;
    work.instrument(span(group)).await
}
