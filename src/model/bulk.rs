//! A change applied to many identities at once, and what it did.

use serde::{Deserialize, Serialize};

use super::names_list;

/// A change applied to several identities at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkOp {
    Suspend,
    Unsuspend,
    Delete,
}

impl BulkOp {
    /// "Delete", "Suspend", "Unsuspend".
    pub fn verb(self) -> &'static str {
        match self {
            BulkOp::Suspend => "Suspend",
            BulkOp::Unsuspend => "Unsuspend",
            BulkOp::Delete => "Delete",
        }
    }

    /// "deleted", "suspended", "unsuspended".
    pub fn past(self) -> &'static str {
        match self {
            BulkOp::Suspend => "suspended",
            BulkOp::Unsuspend => "unsuspended",
            BulkOp::Delete => "deleted",
        }
    }
}

/// One identity a bulk change could not be applied to, and why (BI's message).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkFailure {
    pub id: String,
    pub reason: String,
}

/// What a bulk change did: how many succeeded, which failed and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResult {
    pub succeeded: usize,
    pub failed: Vec<BulkFailure>,
}

/// "Delete 3 identities: ada, grace, alan" (at most ten names, then "and N more").
pub fn bulk_summary(op: BulkOp, names: &[String]) -> String {
    let count = names.len();
    let noun = if count == 1 { "identity" } else { "identities" };
    format!("{} {count} {noun}: {}", op.verb(), names_list(names))
}

impl BulkResult {
    /// "suspend: 3 succeeded, 1 failed (abc: not found)", for the audit log.
    pub fn describe(&self, op: BulkOp) -> String {
        let mut out = format!(
            "{}: {} succeeded, {} failed",
            op.verb().to_ascii_lowercase(),
            self.succeeded,
            self.failed.len()
        );
        if !self.failed.is_empty() {
            let shown: Vec<String> = self
                .failed
                .iter()
                .take(20)
                .map(|f| format!("{}: {}", f.id, f.reason))
                .collect();
            out.push_str(&format!(" ({})", shown.join(", ")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_who_is_affected() {
        let names: Vec<String> = ["ada", "grace", "alan"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            bulk_summary(BulkOp::Delete, &names),
            "Delete 3 identities: ada, grace, alan"
        );
        assert_eq!(
            bulk_summary(BulkOp::Suspend, &names[..1]),
            "Suspend 1 identity: ada"
        );
        let many: Vec<String> = (0..12).map(|n| format!("u{n}")).collect();
        assert!(bulk_summary(BulkOp::Unsuspend, &many).ends_with("u9 and 2 more"));
    }
}
