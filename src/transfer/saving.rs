//! Keeping a plan as it is made: the import's header first (state `planning`), then each chunk of classified rows in
//! a transaction of its own with multi-row inserts, then the groups, removals, suspensions and the summary, which
//! make it `planned`. A plan that cannot be finished is discarded.

use super::store::{Imports, PlannedGroup, PlannedRow, Summary};
use crate::model::OperatorView;
use crate::store::StoreError;

impl Imports {
    /// Starts keeping a plan (in the state `planning` until [`Saving::finish`]).
    pub async fn begin(
        &self,
        realm: &str,
        operator: &OperatorView,
        file_name: &str,
        sha256: &str,
    ) -> Result<Saving, StoreError> {
        let id = self.new_plan(realm, operator, file_name, sha256).await?;
        Ok(Saving {
            imports: self.clone(),
            id,
        })
    }
}

/// A plan being kept, a chunk of rows at a time (each chunk in a transaction of its own).
pub struct Saving {
    imports: Imports,
    id: String,
}

impl Saving {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Keeps classified rows, with the groups each joins.
    pub async fn rows(&mut self, rows: &[PlannedRow]) -> Result<(), StoreError> {
        self.imports.save_rows(&self.id, rows).await
    }

    /// Keeps the groups the plan names (with the members they lose), the identities it suspends and its summary;
    /// the plan is then ready to apply.
    pub async fn finish(
        &mut self,
        groups: &[PlannedGroup],
        suspensions: &[(String, String)],
        summary: &Summary,
    ) -> Result<(), StoreError> {
        self.imports.finish_plan(&self.id, groups, suspensions, summary).await
    }
}
