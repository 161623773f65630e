//! The command-line tools: hashing a password, adding an operator, resetting the sandbox.

use crate::config::Settings;
use crate::sandbox;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Operators(#[from] crate::auth::OperatorError),
    #[error("cannot read the password from standard input: {0}")]
    Stdin(std::io::Error),
    #[error("cannot reset the sandbox: {0}")]
    Reset(std::io::Error),
}

/// `hash-password`: reads a password from standard input, prints its argon2 hash for `CONSOLE_OPERATORS`.
pub fn hash_password_command() -> Result<(), CommandError> {
    let password = read_password()?;
    println!("{}", crate::auth::hash_password(&password)?);
    Ok(())
}

/// `add-operator USERNAME ROLE`: reads a password from standard input (or makes one when it is empty) and keeps the
/// operator in the data directory's operators file.
pub fn add_operator_command(
    username: Option<String>,
    role: Option<String>,
    realms: Option<String>,
) -> Result<(), CommandError> {
    let (Some(username), Some(role)) = (username, role) else {
        return Err(CommandError::Usage(format!(
            "add-operator needs a username and a role\n\n{}",
            super::USAGE
        )));
    };
    let role = crate::model::Role::parse(&role).ok_or_else(|| {
        CommandError::Usage(format!(
            "unknown role '{role}'; expected admin, helpdesk or viewer"
        ))
    })?;
    let settings = Settings::from_env()?;
    let mut password = read_password()?;
    let made = password.is_empty();
    if made {
        password = crate::auth::random_password(20);
    }
    let realms = realms.map(|r| crate::auth::parse_realms(&r));
    crate::auth::add_operator_in(&settings.data_dir, &username, role, &password, realms)?;
    if made {
        println!(
            "Operator {username} ({}) added with password {password}",
            role.as_str()
        );
    } else {
        println!("Operator {username} ({}) added.", role.as_str());
    }
    Ok(())
}

fn read_password() -> Result<String, CommandError> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(CommandError::Stdin)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub fn reset_sandbox() -> Result<(), CommandError> {
    let settings = Settings::from_env()?;
    sandbox::reset(&settings.data_dir).map_err(CommandError::Reset)?;
    println!(
        "Sandbox data removed from {}; the next start seeds a fresh demo tenant.",
        settings.data_dir.display()
    );
    Ok(())
}
