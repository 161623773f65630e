//! The plan of an import: nothing is written. Each row is checked with the Add form's rules and classified against
//! the realm as it is (create; update, each changed field old → new; unchanged; or an error on a column); the
//! groups it names are found or planned for creation, and the memberships it adds counted. What the realm holds is
//! read once for the whole file: the file's usernames from the directory index when it is ready (else BI's pages
//! of the realm), the realm's groups, and the members of the groups the file names.

use std::collections::{HashMap, HashSet};

use super::file::ImportFile;
use super::store::{Plan, PlannedGroup, PlannedRow, RowWrite, Summary};
use crate::bi::forms::ToBi;
use crate::bi::wire::ListQuery;
use crate::bi::{BiError, Client};
use crate::model::{
    check_name, Change, Group, Identity, IdentityInput, ImportValues, OperatorView, PlanRow, Role,
    RowProblem, MAX_PAGE_SIZE, ROW_CREATE, ROW_ERROR, ROW_UNCHANGED, ROW_UPDATE,
};

/// An identity of the realm as a plan needs it (kept small: a plan may hold a hundred thousand).
pub struct Current {
    pub id: String,
    pub input: IdentityInput,
    pub status: String,
}

impl Current {
    fn of(i: &Identity) -> Current {
        Current {
            id: i.id.clone(),
            input: IdentityInput::from_identity(i),
            status: i.status.clone().unwrap_or_default(),
        }
    }
}

/// What the realm holds that the file concerns.
pub struct Realm {
    /// By username, lower case.
    pub identities: HashMap<String, Current>,
    /// By name, lower case (several groups may share a name).
    pub groups: HashMap<String, Vec<Group>>,
    /// Members of the groups the file names, by group id.
    pub members: HashMap<String, HashSet<String>>,
}

/// Reads what the realm holds for this file (see the module's notes), counting BI calls.
pub async fn read_realm(
    client: &Client,
    index: Option<&crate::index::DirectoryIndex>,
    realm: &str,
    file: &ImportFile,
) -> Result<(Realm, u64), BiError> {
    let mut calls = 0u64;
    let usernames: Vec<String> = file.rows.iter().map(|r| r.values.username.trim().to_string()).collect();
    let wanted: HashSet<String> = usernames.iter().map(|u| u.to_lowercase()).collect();
    let mut identities = HashMap::new();
    let indexed = match index {
        Some(ix) if ix.state(realm).await.is_ok_and(|s| s.ready) => ix.by_usernames(realm, &usernames).await.ok(),
        _ => None,
    };
    match indexed {
        Some(found) => {
            for i in found {
                identities.insert(i.username().to_lowercase(), Current::of(&i));
            }
        }
        None => {
            let mut q = ListQuery {
                page_size: Some(MAX_PAGE_SIZE),
                ..ListQuery::default()
            };
            loop {
                let page = client.list_identities(realm, &q).await?;
                calls += 1;
                for i in &page.items {
                    let key = i.username().to_lowercase();
                    if wanted.contains(&key) {
                        identities.insert(key, Current::of(i));
                    }
                }
                match page.next_page_token {
                    Some(t) if !t.is_empty() && !page.items.is_empty() => q.page_token = Some(t),
                    _ => break,
                }
            }
        }
    }
    let mut groups: HashMap<String, Vec<Group>> = HashMap::new();
    let mut q = ListQuery {
        page_size: Some(MAX_PAGE_SIZE),
        ..ListQuery::default()
    };
    loop {
        let page = client.list_groups(realm, &q).await?;
        calls += 1;
        for g in &page.items {
            groups.entry(g.display_name.to_lowercase()).or_default().push(g.clone());
        }
        match page.next_page_token {
            Some(t) if !t.is_empty() && !page.items.is_empty() => q.page_token = Some(t),
            _ => break,
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
            let mut q = ListQuery {
                page_size: Some(MAX_PAGE_SIZE),
                ..ListQuery::default()
            };
            loop {
                let page = client.list_members(realm, &g.id, &q).await?;
                calls += 1;
                ids.extend(page.items.iter().map(|i| i.id.clone()));
                match page.next_page_token {
                    Some(t) if !t.is_empty() && !page.items.is_empty() => q.page_token = Some(t),
                    _ => break,
                }
            }
            members.insert(g.id.clone(), ids);
        }
    }
    Ok((
        Realm {
            identities,
            groups,
            members,
        },
        calls,
    ))
}

/// The file's column for a form field.
fn column_of(field: &str) -> &str {
    match field {
        "display_name" => "name",
        other => other,
    }
}

/// Classifies every row of `file` against `realm` for `operator` (see the module's notes).
pub fn classify(
    file: &ImportFile,
    realm: &Realm,
    operator: &OperatorView,
    protected: &[String],
    sync_groups: bool,
) -> (Vec<PlannedRow>, Vec<PlannedGroup>, Summary) {
    let admin = operator.role == Role::Admin;
    // For `sync_groups`: the realm's groups the valid rows list, with the identities listing them; and the
    // identities of rows in error, never removed from anything.
    let mut listing: HashMap<String, (String, HashSet<String>)> = HashMap::new();
    let mut keep: HashSet<String> = HashSet::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::with_capacity(file.rows.len());
    let mut to_create: Vec<String> = Vec::new();
    let mut named: Vec<(String, Option<String>)> = Vec::new();
    let mut summary = Summary {
        unknown_columns: file.unknown_columns.clone(),
        ..Summary::default()
    };
    for fr in &file.rows {
        let v = &fr.values;
        let username = v.username.trim().to_string();
        let mut row = PlanRow {
            line: fr.line,
            username: username.clone(),
            ..PlanRow::default()
        };
        let problem = |column: &str, message: String| RowProblem {
            column: column.to_string(),
            message,
        };
        let key = username.to_lowercase();
        let outcome = (|| -> Result<(Option<RowWrite>, Vec<String>), RowProblem> {
            if username.is_empty() {
                return Err(problem("username", "The username is empty.".into()));
            }
            if let Some(first) = seen.get(&key) {
                return Err(problem("username", format!("The username is also on line {first}.")));
            }
            if let Some(s) = &v.status {
                if s != "active" && s != "suspended" {
                    return Err(problem("status", format!("Status must be active or suspended, not “{s}”.")));
                }
            }
            let current = realm.identities.get(&key);
            let (input, write) = match current {
                None => {
                    let input = merged(&IdentityInput::default(), v);
                    if input.display_name.trim().is_empty() {
                        return Err(problem("name", "A new identity needs a name.".into()));
                    }
                    check(&input)?;
                    let mut body = input.to_create();
                    body.status = v.status.clone().filter(|s| s == "suspended");
                    (input, Some(RowWrite { id: None, body }))
                }
                Some(now) => {
                    let before = now.input.clone();
                    let input = merged(&before, v);
                    check(&input)?;
                    let mut patch = input.to_patch(&before);
                    let status_now = now.status.clone();
                    let status_change = v.status.clone().filter(|s| *s != status_now);
                    if let Some(s) = &status_change {
                        patch.get_or_insert_with(Default::default).status = Some(s.clone());
                    }
                    row.changes = changes(&before, &input);
                    if let Some(s) = status_change {
                        row.changes.push(Change {
                            field: "status".into(),
                            before: status_now,
                            after: s,
                        });
                    }
                    if !row.changes.is_empty() && !admin {
                        return Err(problem(
                            &row.changes[0].field,
                            "Your role may add identities and memberships by import, not change existing identities.".into(),
                        ));
                    }
                    row.identity_id = Some(now.id.clone());
                    (input, patch.map(|body| RowWrite { id: Some(now.id.clone()), body }))
                }
            };
            let _ = input;
            // The groups it names: each a valid name, found once in the realm (or to create, by an admin), not
            // protected unless an admin imports; those it is not in yet are joined.
            let mut join = Vec::new();
            for name in v.groups.iter().flatten() {
                if let Err(p) = check_name(name) {
                    return Err(problem("groups", format!("“{name}” is not a group name: a name {}.", p.message())));
                }
                let found = realm.groups.get(&name.to_lowercase()).map(Vec::as_slice).unwrap_or(&[]);
                let group = match found {
                    [] if admin => None,
                    [] => return Err(problem("groups", format!("No group is named “{name}”; only an admin may create groups by import."))),
                    [one] => Some(one),
                    many => return Err(problem("groups", format!("{} groups are named “{name}”; add this one from the group's page.", many.len()))),
                };
                if let Some(g) = group {
                    let guarded = protected.iter().any(|p| *p == g.id || p.eq_ignore_ascii_case(&g.display_name));
                    if guarded && !admin {
                        return Err(problem("groups", format!("“{}” is protected: only an admin may add members to it.", g.display_name)));
                    }
                    let member = current.is_some_and(|c| realm.members.get(&g.id).is_some_and(|m| m.contains(&c.id)));
                    if !member && !join.iter().any(|j: &String| j.eq_ignore_ascii_case(&g.display_name)) {
                        join.push(g.display_name.clone());
                    }
                } else if !join.iter().any(|j: &String| j.eq_ignore_ascii_case(name)) {
                    let canonical = to_create
                        .iter()
                        .find(|c| c.eq_ignore_ascii_case(name))
                        .cloned()
                        .unwrap_or_else(|| name.clone());
                    join.push(canonical);
                }
            }
            Ok((write, join))
        })();
        seen.entry(key).or_insert(fr.line);
        match outcome {
            Err(p) => {
                if let Some(now) = realm.identities.get(&username.to_lowercase()) {
                    keep.insert(now.id.clone());
                }
                row.action = ROW_ERROR.into();
                row.problem = Some(p);
                row.values = Some(v.clone());
                row.changes.clear();
                summary.counts.error += 1;
                rows.push(PlannedRow { row, write: None });
            }
            Ok((write, join)) => {
                row.action = match (&write, &row.identity_id) {
                    (Some(_), None) => ROW_CREATE,
                    (Some(_), Some(_)) => ROW_UPDATE,
                    (None, _) => ROW_UNCHANGED,
                }
                .into();
                match row.action.as_str() {
                    ROW_CREATE => summary.counts.create += 1,
                    ROW_UPDATE => summary.counts.update += 1,
                    _ => summary.counts.unchanged += 1,
                }
                summary.counts.memberships += join.len() as u64;
                for name in v.groups.iter().flatten() {
                    if let (Some([g]), Some(who)) = (realm.groups.get(&name.to_lowercase()).map(Vec::as_slice), &row.identity_id) {
                        let entry = listing.entry(g.id.clone()).or_insert_with(|| (g.display_name.clone(), HashSet::new()));
                        entry.1.insert(who.clone());
                    }
                }
                for name in &join {
                    let found = realm.groups.get(&name.to_lowercase()).and_then(|g| g.first());
                    if !named.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                        named.push((name.clone(), found.map(|g| g.id.clone())));
                    }
                    if found.is_none() && !to_create.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                        to_create.push(name.clone());
                    }
                }
                row.join = join;
                rows.push(PlannedRow { row, write });
            }
        }
    }
    summary.counts.groups_to_create = to_create.len() as u64;
    summary.groups_to_create = to_create;
    let mut groups: Vec<PlannedGroup> = named
        .into_iter()
        .map(|(name, id)| PlannedGroup { name, id, leaving: Vec::new() })
        .collect();
    if sync_groups {
        let mut listed: Vec<_> = listing.into_iter().collect();
        listed.sort_by(|a, b| a.1 .0.cmp(&b.1 .0));
        for (id, (name, stay)) in listed {
            let mut leaving: Vec<String> = realm
                .members
                .get(&id)
                .map(|m| m.iter().filter(|who| !stay.contains(*who) && !keep.contains(*who)).cloned().collect())
                .unwrap_or_default();
            if leaving.is_empty() {
                continue;
            }
            leaving.sort();
            summary.counts.removals += leaving.len() as u64;
            summary.removals.push((name.clone(), leaving.len() as u64));
            match groups.iter_mut().find(|g| g.id.as_deref() == Some(id.as_str())) {
                Some(g) => g.leaving = leaving,
                None => groups.push(PlannedGroup { name, id: Some(id), leaving }),
            }
        }
    }
    (rows, groups, summary)
}

/// The identity's values with the row's given ones over them.
fn merged(base: &IdentityInput, v: &ImportValues) -> IdentityInput {
    let pick = |given: &Option<String>, now: &str| given.clone().unwrap_or_else(|| now.to_string());
    IdentityInput {
        display_name: pick(&v.display_name, &base.display_name),
        // Rows match usernames ignoring case: an existing identity keeps its own spelling.
        username: if !base.username.is_empty() && base.username.eq_ignore_ascii_case(v.username.trim()) {
            base.username.clone()
        } else {
            v.username.trim().to_string()
        },
        email: pick(&v.email, &base.email),
        external_id: pick(&v.external_id, &base.external_id),
        given_name: pick(&v.given_name, &base.given_name),
        family_name: pick(&v.family_name, &base.family_name),
    }
}

/// The Add form's rules, the first problem on its column.
fn check(input: &IdentityInput) -> Result<(), RowProblem> {
    match input.validate().into_iter().next() {
        None => Ok(()),
        Some(e) => Err(RowProblem {
            column: column_of(&e.field).to_string(),
            message: e.message,
        }),
    }
}

/// Each field that differs, old → new (the username is how rows are matched, so it never differs but in case).
fn changes(before: &IdentityInput, after: &IdentityInput) -> Vec<Change> {
    let pairs = [
        ("name", &before.display_name, &after.display_name),
        ("email", &before.email, &after.email),
        ("external_id", &before.external_id, &after.external_id),
        ("given_name", &before.given_name, &after.given_name),
        ("family_name", &before.family_name, &after.family_name),
    ];
    pairs
        .into_iter()
        .filter(|(_, b, a)| b.trim() != a.trim())
        .map(|(f, b, a)| Change {
            field: f.to_string(),
            before: b.clone(),
            after: a.trim().to_string(),
        })
        .collect()
}

/// A plan ready to save.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    file: &ImportFile,
    realm_state: &Realm,
    realm: &str,
    operator: &OperatorView,
    protected: &[String],
    file_name: &str,
    sha256: String,
    sync_groups: bool,
) -> Plan {
    let (rows, groups, summary) = classify(file, realm_state, operator, protected, sync_groups);
    Plan {
        realm: realm.to_string(),
        operator: operator.clone(),
        file_name: file_name.to_string(),
        sha256,
        summary,
        rows,
        groups,
    }
}
