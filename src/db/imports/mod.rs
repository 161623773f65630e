//! The imports' stores (`transfer::store::{ImportStore, PlanStore, ImportReads}`) on the console's database:
//! `imports`, `import_rows` with each row's planned body, `import_joins`, `import_groups`, `import_leaves` and
//! `import_suspensions`. Everything the apply job needs is here, so a restart continues an apply where it stopped.

mod apply;
mod plan;
mod view;

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
