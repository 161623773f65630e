//! What every request shares on the server: the BI client and what the console may show about its target.

use std::sync::Arc;

use crate::bi::Client;
use crate::model::ConsoleInfo;

#[derive(Clone)]
pub struct AppState {
    pub client: Arc<Client>,
    pub info: ConsoleInfo,
}
