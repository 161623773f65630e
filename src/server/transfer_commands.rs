//! `bi-console export` and `bi-console import`: the console's own import and export engine from the command line,
//! with the same settings as the server (BI, or the embedded sandbox in the data directory, served on a local port
//! for the command's duration). The command acts as an admin named `cli`; its writes are in the audit log.

use std::io::Write;

use super::{build, CommandError};
use crate::config::Settings;
use crate::model::{OperatorView, Role};

/// A console for a command: built, and served on a local port (an embedded sandbox is called there).
async fn open_console() -> Result<super::Console, CommandError> {
    let settings = Settings::from_env()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| CommandError::Usage(format!("cannot listen on a local port: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("bi-console")
        .build();
    let console = build(&settings, options, local)
        .await
        .map_err(|e| CommandError::Usage(format!("cannot start: {e}")))?;
    if console.bootstrap.password.is_some() {
        eprintln!(
            "First run: created operator 'admin'; its password is in {}",
            console.bootstrap.password_file.display()
        );
    }
    let router = console.router.clone();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    Ok(console)
}

/// `--name value` among `args`.
fn option(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The arguments that are not options (nor their values).
fn positional(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if a == "--realm" || a == "--format" || a == "--confirm-suspensions" {
            skip = true;
        } else if !a.starts_with("--") {
            out.push(a.clone());
        }
    }
    out
}

fn cli_operator() -> OperatorView {
    OperatorView {
        username: crate::model::CLI_OPERATOR.into(),
        role: Role::Admin,
        realms: None,
    }
}

/// `export [--realm R] [--format csv|json] [FILE]`: the realm's identities to FILE (or standard output).
pub async fn export_command(args: &[String]) -> Result<(), CommandError> {
    use futures::StreamExt;
    let console = open_console().await?;
    let realm = option(args, "--realm").unwrap_or(console.info.default_realm.clone());
    let json = option(args, "--format").as_deref() == Some("json");
    let s = &console.state;
    let source = super::transfer_routes::export_source(s, &realm, Default::default())
        .await
        .map_err(|e| CommandError::Usage(format!("cannot read the realm: {e}")))?;
    let mut out: Box<dyn Write> = match positional(args).first() {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| CommandError::Usage(format!("cannot write {path}: {e}")))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut stream = Box::pin(crate::transfer::export::stream(source, json, 1_000));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| CommandError::Usage(format!("export failed: {e}")))?;
        out.write_all(&chunk)
            .map_err(|e| CommandError::Usage(e.to_string()))?;
    }
    out.flush().map_err(|e| CommandError::Usage(e.to_string()))?;
    Ok(())
}

/// `import FILE [--realm R] [--sync-groups] [--suspend-missing] [--apply [--confirm-suspensions N]]`: prints the
/// plan (and its errors); with `--apply`, applies it with a progress line and a summary. A plan that suspends
/// identities is applied only when `--confirm-suspensions` gives their number. Answers whether all went well (no
/// errors in the plan; nothing failed).
pub async fn import_command(args: &[String]) -> Result<bool, CommandError> {
    let Some(path) = positional(args).first().cloned() else {
        return Err(CommandError::Usage(format!(
            "import needs a file\n\n{}",
            super::USAGE
        )));
    };
    let bytes = std::fs::read(&path)
        .map_err(|e| CommandError::Usage(format!("cannot read {path}: {e}")))?;
    let console = open_console().await?;
    let s = console.state.clone();
    let realm = option(args, "--realm").unwrap_or(console.info.default_realm.clone());
    let file = crate::transfer::file::read(&bytes, s.import_limits.max_rows)
        .map_err(|e| CommandError::Usage(format!("{path}: {e}")))?;
    let options = crate::transfer::plan::Options {
        sync_groups: args.iter().any(|a| a == "--sync-groups"),
        suspend_missing: args.iter().any(|a| a == "--suspend-missing"),
    };
    let protected: Vec<String> = s.protected_groups.iter().cloned().collect();
    let name = std::path::Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or(path.clone());
    let imports = s
        .imports
        .clone()
        .ok_or_else(|| CommandError::Usage("imports are not available".into()))?;
    let db = |e: crate::store::StoreError| CommandError::Usage(format!("cannot keep the import: {e}"));
    let operator = cli_operator();
    let cx = crate::transfer::plan::Context {
        client: &s.client,
        index: s.index.as_deref(),
        imports: &imports,
        realm: &realm,
        operator: &operator,
        protected: &protected,
        options,
    };
    let sha256 = crate::transfer::sha256_hex(&bytes);
    let planned = crate::transfer::plan::plan_file(&cx, &file, &name, &sha256)
        .await
        .map_err(|e| CommandError::Usage(format!("cannot plan the import: {e}")))?;
    let (id, calls, c) = (planned.id, planned.calls, &planned.summary.counts);
    println!(
        "plan {id} for {name} ({calls} BI reads): {} to create, {} to update, {} unchanged, {} with errors, {} memberships to add, {} groups to create, {} memberships to remove, {} identities to suspend",
        c.create, c.update, c.unchanged, c.error, c.memberships, c.groups_to_create, c.removals, c.suspensions
    );
    if !planned.summary.unknown_columns.is_empty() {
        let more = match planned.summary.unknown_more {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        println!("columns not imported: {}{more}", planned.summary.unknown_columns.join(", "));
    }
    for row in imports.all_rows(&id, true).await.map_err(db)? {
        if let Some(p) = row.problem {
            println!("line {}: {}: {}", row.line, p.column, p.message);
        }
    }
    let clean_plan = c.error == 0;
    if !args.iter().any(|a| a == "--apply") {
        return Ok(clean_plan);
    }
    let confirmed = option(args, "--confirm-suspensions").and_then(|n| n.replace(',', "").parse::<u64>().ok());
    if c.suspensions > 0 && confirmed != Some(c.suspensions) {
        return Err(CommandError::Usage(format!(
            "the plan suspends {n} identities: give --confirm-suspensions {n} to apply it",
            n = c.suspensions
        )));
    }
    imports.start(&id, &operator, false).await.map_err(db)?;
    crate::api::run_import(s.clone(), id.clone());
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let settled = s.import_jobs.settled(&id);
    tokio::pin!(settled);
    // The job's progress on the terminal every half second, until it has settled.
    while tokio::time::timeout(std::time::Duration::from_millis(500), settled.as_mut())
        .await
        .is_err()
    {
        if terminal {
            if let Ok(Some(v)) = imports.view(&id, "", 1, 1).await {
                eprint!("\r{} of {} steps, {} failed ", v.done, v.total, v.failed);
            }
        }
    }
    if terminal {
        eprintln!();
    }
    let v = imports
        .view(&id, "", 1, 1)
        .await
        .map_err(db)?
        .ok_or_else(|| CommandError::Usage("the import is gone".into()))?;
    println!(
        "import {}: {} of {} steps done, {} failed",
        v.state, v.done, v.total, v.failed
    );
    Ok(clean_plan && v.failed == 0 && v.state == crate::model::IMPORT_DONE)
}
