//! The plan of an import: nothing is written to BI. What the realm holds is read once for the whole file: the
//! realm's groups, the members of the groups the file names, and (when the identities the file does not list are to
//! be suspended) the realm's active identities; the identities of the file's usernames are read from the directory
//! index a chunk at a time as the rows are classified (`classify`), or, until the index is ready, from BI's pages of
//! the realm once. Each chunk's rows are kept in the console's database as soon as they are classified, so a plan
//! of a hundred thousand rows never holds them all.

use std::collections::{HashMap, HashSet};

use super::classify::Planner;
use super::file::ImportFile;
use super::store::{Imports, Summary};
use futures::TryStreamExt;

use crate::bi::pages::{pages, Bounds};
use crate::bi::{BiError, Client};
use crate::index::DirectoryIndex;
use crate::model::{Group, Identity, IdentityInput, OperatorView, Role};

/// An identity of the realm as a plan needs it (kept small: a plan may hold a hundred thousand).
pub struct Current {
    pub id: String,
    pub input: IdentityInput,
    pub status: String,
}

impl Current {
    pub fn of(i: &Identity) -> Current {
        Current {
            id: i.id.clone(),
            input: IdentityInput::from_identity(i),
            status: i.status.clone().unwrap_or_default(),
        }
    }
}

/// The options of an import, off by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Make the membership of the groups the file names match it (members it does not list are removed).
    pub sync_groups: bool,
    /// Suspend the realm's active identities the file does not list (admin only).
    pub suspend_missing: bool,
}

/// What the realm holds that the file concerns.
pub struct Realm {
    /// The file's identities by username in lower case, read from BI's pages; `None` when the index is ready (then
    /// they are read a chunk of rows at a time).
    pub identities: Option<HashMap<String, Current>>,
    /// By name, lower case (several groups may share a name).
    pub groups: HashMap<String, Vec<Group>>,
    /// Members of the groups the file names, by group id.
    pub members: HashMap<String, HashSet<String>>,
    /// (id, username) of the active identities the file does not list, when asked for.
    pub others: Vec<(String, String)>,
}

/// Reads what the realm holds for this file (see the module's notes), counting BI calls.
pub async fn read_realm(
    client: &Client,
    index: Option<&DirectoryIndex>,
    realm: &str,
    file: &ImportFile,
    everyone: bool,
) -> Result<(Realm, u64), BiError> {
    let mut calls = 0u64;
    let wanted: HashSet<String> = file.rows.iter().map(|r| r.values.username.trim().to_lowercase()).collect();
    let ready = match index {
        Some(ix) => ix.state(realm).await.is_ok_and(|s| s.ready),
        None => false,
    };
    let mut others = Vec::new();
    let mut identities = None;
    let indexed = match index.filter(|_| ready) {
        Some(ix) if everyone => active_others(ix, realm, &wanted).await.ok().map(|o| others = o),
        Some(_) => Some(()),
        None => None,
    };
    if indexed.is_none() {
        let mut found = HashMap::new();
        let mut walk = std::pin::pin!(pages(Bounds::WHOLE, |q| async move { client.list_identities(realm, &q).await }));
        while let Some(page) = walk.try_next().await? {
            calls += 1;
            for i in &page.items {
                let key = i.username().to_lowercase();
                if wanted.contains(&key) {
                    found.insert(key, Current::of(i));
                } else if everyone && i.status.as_deref() != Some("suspended") {
                    others.push((i.id.clone(), i.username().to_string()));
                }
            }
        }
        identities = Some(found);
    }
    let mut groups: HashMap<String, Vec<Group>> = HashMap::new();
    let mut walk = std::pin::pin!(pages(Bounds::WHOLE, |q| async move { client.list_groups(realm, &q).await }));
    while let Some(page) = walk.try_next().await? {
        calls += 1;
        for g in &page.items {
            groups.entry(g.display_name.to_lowercase()).or_default().push(g.clone());
        }
    }
    let named: HashSet<String> = file
        .rows
        .iter()
        .flat_map(|r| r.values.groups.iter().flatten())
        .map(|g| g.to_lowercase())
        .collect();
    let mut members = HashMap::new();
    for name in &named {
        if let Some([g]) = groups.get(name).map(Vec::as_slice) {
            let mut ids = HashSet::new();
            let mut walk = std::pin::pin!(pages(Bounds::WHOLE, |q| async move { client.list_members(realm, &g.id, &q).await }));
            while let Some(page) = walk.try_next().await? {
                calls += 1;
                ids.extend(page.items.iter().map(|i| i.id.clone()));
            }
            members.insert(g.id.clone(), ids);
        }
    }
    Ok((
        Realm {
            identities,
            groups,
            members,
            others,
        },
        calls,
    ))
}

/// The realm's active identities the file does not list (`wanted`: its usernames in lower case), from the index.
async fn active_others(
    index: &DirectoryIndex,
    realm: &str,
    wanted: &HashSet<String>,
) -> Result<Vec<(String, String)>, crate::store::StoreError> {
    let filter = crate::model::IdentityFilter {
        status: "active".into(),
        ..Default::default()
    };
    let (mut others, mut after) = (Vec::new(), 0);
    loop {
        let page = index.export_page(realm, &filter, after, 1_000).await?;
        let Some((last, _)) = page.last() else {
            return Ok(others);
        };
        after = *last;
        others.extend(
            page.into_iter()
                .filter(|(_, i)| !wanted.contains(&i.username().to_lowercase()))
                .map(|(_, i)| (i.id.clone(), i.username().to_string())),
        );
    }
}

/// Rows classified and kept at a time.
const CHUNK: usize = 1_000;

/// Where and for whom a file is planned.
pub struct Context<'a> {
    pub client: &'a Client,
    /// The directory index (read when it is ready for the realm).
    pub index: Option<&'a DirectoryIndex>,
    pub imports: &'a Imports,
    pub realm: &'a str,
    pub operator: &'a OperatorView,
    /// Groups only an admin may add members to (ids or names).
    pub protected: &'a [String],
    pub options: Options,
}

/// A plan made and kept: the import's id, its summary, and the BI calls made to read the realm.
#[derive(Debug)]
pub struct Planned {
    pub id: String,
    pub summary: Summary,
    pub calls: u64,
}

/// Why a file could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Bi(#[from] BiError),
    #[error("the console could not keep the plan: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// Plans `file` (see the module's notes) and keeps the plan in the console's database.
pub async fn plan_file(cx: &Context<'_>, file: &ImportFile, file_name: &str, sha256: &str) -> Result<Planned, PlanError> {
    let (realm, calls) = read_realm(cx.client, cx.index, cx.realm, file, cx.options.suspend_missing).await?;
    let mut saving = cx.imports.begin(cx.realm, cx.operator, file_name, sha256).await?;
    let planned = async {
        let mut planner = Planner::new(&realm, cx.operator, cx.protected, cx.options, file.unknown_columns.clone(), file.unknown_more);
        for chunk in file.rows.chunks(CHUNK) {
            let read = match (&realm.identities, cx.index) {
                (None, Some(ix)) => {
                    let names: Vec<String> = chunk.iter().map(|r| r.values.username.trim().to_string()).collect();
                    let found = ix.by_usernames(cx.realm, &names).await?;
                    Some(found.iter().map(|i| (i.username().to_lowercase(), Current::of(i))).collect())
                }
                _ => None,
            };
            let lookup: Option<&HashMap<String, Current>> = read.as_ref().or(realm.identities.as_ref());
            let rows: Vec<_> = chunk
                .iter()
                .map(|fr| planner.row(fr, lookup.and_then(|m| m.get(&fr.values.username.trim().to_lowercase()))))
                .collect();
            saving.rows(&rows).await?;
        }
        let (groups, mut summary) = planner.finish();
        // Only an admin suspends by import (the upload refuses the option to other roles before planning).
        let suspend = cx.options.suspend_missing && cx.operator.role == Role::Admin;
        let suspensions: &[(String, String)] = if suspend { &realm.others } else { &[] };
        summary.counts.suspensions = suspensions.len() as u64;
        saving.finish(&groups, suspensions, &summary).await?;
        Ok::<_, crate::store::StoreError>(summary)
    }
    .await;
    match planned {
        Ok(summary) => Ok(Planned {
            id: saving.id().to_string(),
            summary,
            calls,
        }),
        Err(e) => {
            let _ = cx.imports.discard(saving.id()).await;
            Err(e.into())
        }
    }
}
