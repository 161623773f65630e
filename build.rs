//! The console's database migrations are embedded at compile time (`sqlx::migrate!` in `src/db`): a migration added
//! or changed builds the crate again.
fn main() {
    println!("cargo:rerun-if-changed=src/db/migrations");
    println!("cargo:rerun-if-changed=src/sandbox/migrations");
}
