//! `bi-console` — wiring only. Sub-commands:
//!   (none) | serve      the console (on the embedded sandbox unless BI settings are present)
//!   sandbox [ADDR]      only the sandbox API, on ADDR (default 127.0.0.1:8787)
//!   reset-sandbox       delete the sandbox data; the next start seeds a fresh demo tenant
//!   migrate [--status]  bring the console's database to this version's schema (or say where it is)
//!   hash-password       print the argon2 hash of a password read on standard input
//!   add-operator U ROLE [REALMS]  add an operator (optionally limited to realms)
//!   remove-operator U   remove an operator
//!   backup FILE / restore FILE  the console's SQLite database, copied while it runs / put back in place
//!   export / import     the realm's identities to a file; a file planned (and with --apply, applied)

/// mimalloc: a page view makes thousands of small allocations (its view, its rows, their HTML), which glibc's
/// allocator served at about a fifth of the console's CPU time. Tuned to give freed memory back at once.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    bi_console::server::tune_allocator();
    // Held to the end: traces still batched are sent before the process exits.
    let _telemetry = bi_console::server::init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    use bi_console::server;
    let result: Result<(), Box<dyn std::error::Error>> = match args.first().map(String::as_str) {
        None | Some("serve") => server::run_console().await.map_err(Into::into),
        Some("sandbox") => server::run_sandbox(args.get(1).cloned())
            .await
            .map_err(Into::into),
        Some("reset-sandbox") => server::reset_sandbox().map_err(Into::into),
        Some("migrate") => server::migrate_command(&args[1..])
            .await
            .map_err(Into::into),
        Some("hash-password") => server::hash_password_command().map_err(Into::into),
        Some("add-operator") => server::add_operator_command(
            args.get(1).cloned(),
            args.get(2).cloned(),
            args.get(3).cloned(),
        )
        .await
        .map_err(Into::into),
        Some("remove-operator") => server::remove_operator_command(args.get(1).cloned())
            .await
            .map_err(Into::into),
        Some("backup") => server::backup_command(&args[1..]).await.map_err(Into::into),
        Some("restore") => server::restore_command(&args[1..])
            .await
            .map_err(Into::into),
        Some("export") => server::export_command(&args[1..]).await.map_err(Into::into),
        Some("import") => match server::import_command(&args[1..]).await {
            Ok(true) => Ok(()),
            // The plan had errors, or something failed: said above; a distinct exit code for scripts.
            Ok(false) => return std::process::ExitCode::from(1),
            Err(e) => Err(e.into()),
        },
        Some("-h" | "--help" | "help") => {
            println!("{}", server::USAGE);
            Ok(())
        }
        Some(other) => Err(format!("unknown command '{other}'\n\n{}", server::USAGE).into()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(not(feature = "ssr"))]
pub fn main() {}
