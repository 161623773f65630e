//! Server functions: thin. Each one checks who may do it and what was sent, makes the BI call(s) and maps a BI
//! error to an [`AppError`]. Writes reach BI only with a [`crate::permit::Permit`] from `checks::permit`; the logic of
//! bulk changes and membership lives in [`bulk`] and [`members`], the plain-form sequence in `forms`.

mod account;
mod audit;
#[cfg(feature = "ssr")]
pub mod bulk;
#[cfg(feature = "ssr")]
pub(crate) mod checks;
pub mod codec;
#[cfg(feature = "ssr")]
pub mod errors;
#[cfg(feature = "ssr")]
mod forms;
mod groups;
mod identities;
#[cfg(feature = "ssr")]
mod import_job;
#[cfg(feature = "ssr")]
mod import_runs;
mod imports;
mod invitations;
#[cfg(feature = "ssr")]
pub mod members;
mod membership;
mod new_identity;
mod passkeys;
mod search;

pub use account::*;
pub use audit::*;
pub use groups::*;
pub use identities::*;
#[cfg(feature = "ssr")]
pub use import_runs::{run_claimed_import, run_import};
pub use imports::*;
pub use invitations::*;
pub use membership::*;
pub use new_identity::*;
pub use passkeys::*;
pub use search::*;

use leptos::prelude::*;

use crate::model::{AppError, ConsoleInfo, FieldError, Realm};

#[cfg(feature = "ssr")]
use checks::{allow, state};

/// A server function that takes a form as `input`: its rules, which the browser runs before sending and the
/// server runs again.
pub trait FormWrite {
    fn problems(&self) -> Vec<FieldError>;
}

macro_rules! form_writes {
    ($($write:ty),*) => {
        $(impl FormWrite for $write {
            fn problems(&self) -> Vec<FieldError> {
                self.input.validate()
            }
        })*
    };
}

form_writes!(UpdateIdentity, CreateGroup, UpdateGroup);

impl FormWrite for CreateIdentity {
    fn problems(&self) -> Vec<FieldError> {
        crate::model::NewIdentity {
            input: self.input.clone(),
            then: self.then.clone(),
        }
        .validate()
    }
}

/// The signed-in operator, for the top bar and for showing only what their role allows.
#[server(output = crate::api::codec::TextJson)]
pub async fn whoami() -> Result<crate::model::OperatorView, AppError> {
    allow(crate::model::Action::Read)
}

/// How operators may sign in: with Beyond Identity, with a password (for the sign-in page, before anyone signs in).
#[server(output = crate::api::codec::TextJson)]
pub async fn sign_in_options() -> Result<crate::model::SignInMethods, AppError> {
    let info = state()?.info;
    Ok(crate::model::SignInMethods {
        bi: info.bi_sign_in,
        password: info.password_sign_in,
    })
}

/// Where the console points (sandbox or BI region, tenant, default realm). Holds no secret.
#[server(output = crate::api::codec::TextJson)]
pub async fn get_console_info() -> Result<ConsoleInfo, AppError> {
    allow(crate::model::Action::Read)?;
    Ok(state()?.info)
}

/// The frame of every realm screen in one call (one resource for the page, one entry in its hydration data): the
/// operator, the console information and the realm list (an error there does not hide the rest).
#[server(output = crate::api::codec::TextJson)]
pub async fn get_frame() -> Result<crate::model::Frame, AppError> {
    Ok(crate::model::Frame {
        operator: whoami().await?,
        info: get_console_info().await?,
        realms: list_realms().await,
    })
}

/// The tenant's realms for the realm picker: at most 200 (BI's page ceiling), reused for a minute so the sidebar
/// does not add a BI call to every page view.
#[server(output = crate::api::codec::TextJson)]
pub async fn list_realms() -> Result<Vec<Realm>, AppError> {
    let op = allow(crate::model::Action::Read)?;
    let realms = state()?
        .realms()
        .await
        .map_err(|e| errors::from_bi("list realms", e))?;
    // Only the realms this operator may use.
    Ok(realms.into_iter().filter(|r| op.may_use(&r.id)).collect())
}
