//! Classifying the rows of an import, a chunk at a time: each row is checked with the Add form's rules and compared
//! with the identity the realm holds under its username (create; update, each changed field old → new; unchanged;
//! or an error on a column); the groups it names are found or planned for creation and the memberships it adds
//! counted. What must see the whole file (duplicate usernames, the groups to create, the members a group loses
//! when its membership is made to match the file) is gathered as the rows go and settled by `finish`.

use std::collections::{HashMap, HashSet};

use super::file::FileRow;
use super::plan::{Current, Options, Realm};
use super::store::{PlannedGroup, PlannedRow, RowWrite, Summary};
use crate::bi::forms::ToBi;
use crate::model::{
    check_name, Change, IdentityInput, ImportValues, OperatorView, PlanRow, Role, RowProblem, ROW_CREATE, ROW_ERROR,
    ROW_UNCHANGED, ROW_UPDATE,
};

/// What the plan of one file has gathered so far.
pub struct Planner<'a> {
    realm: &'a Realm,
    admin: bool,
    protected: &'a [String],
    options: Options,
    /// For `sync_groups`: the realm's groups the valid rows list, with the identities listing them.
    listing: HashMap<String, (String, HashSet<String>)>,
    /// Identities of rows in error: never removed from anything.
    keep: HashSet<String>,
    /// Usernames seen (lower case), with their first line.
    seen: HashMap<String, u64>,
    to_create: Vec<String>,
    /// `to_create` by lower-case name (position in it): the file may name thousands of groups.
    to_create_at: HashMap<String, usize>,
    /// Groups the rows join, by name, with their id when the realm has them.
    named: Vec<(String, Option<String>)>,
    /// The lower-case names in `named`.
    named_lower: HashSet<String>,
    summary: Summary,
}

impl<'a> Planner<'a> {
    pub fn new(
        realm: &'a Realm,
        operator: &OperatorView,
        protected: &'a [String],
        options: Options,
        unknown_columns: Vec<String>,
        unknown_more: u64,
    ) -> Self {
        Planner {
            realm,
            admin: operator.role == Role::Admin,
            protected,
            options,
            listing: HashMap::new(),
            keep: HashSet::new(),
            seen: HashMap::new(),
            to_create: Vec::new(),
            to_create_at: HashMap::new(),
            named: Vec::new(),
            named_lower: HashSet::new(),
            summary: Summary {
                unknown_columns,
                unknown_more,
                ..Summary::default()
            },
        }
    }

    /// Classifies one row against `current`, the identity of its username in the realm (if any).
    pub fn row(&mut self, fr: &FileRow, current: Option<&Current>) -> PlannedRow {
        let v = &fr.values;
        let username = v.username.trim().to_string();
        let key = username.to_lowercase();
        let mut row = PlanRow {
            line: fr.line,
            username,
            ..PlanRow::default()
        };
        let outcome = self.check(v, &key, current, &mut row);
        self.seen.entry(key).or_insert(fr.line);
        match outcome {
            Err(p) => {
                if let Some(now) = current {
                    self.keep.insert(now.id.clone());
                }
                row.action = ROW_ERROR.into();
                row.problem = Some(p);
                row.values = Some(v.clone());
                row.changes.clear();
                self.summary.counts.error += 1;
                PlannedRow { row, write: None }
            }
            Ok((write, join)) => {
                row.action = match (&write, &row.identity_id) {
                    (Some(_), None) => ROW_CREATE,
                    (Some(_), Some(_)) => ROW_UPDATE,
                    (None, _) => ROW_UNCHANGED,
                }
                .into();
                match row.action.as_str() {
                    ROW_CREATE => self.summary.counts.create += 1,
                    ROW_UPDATE => self.summary.counts.update += 1,
                    _ => self.summary.counts.unchanged += 1,
                }
                self.summary.counts.memberships += join.len() as u64;
                for name in v.groups.iter().flatten() {
                    let found = self.realm.groups.get(&name.to_lowercase()).map(Vec::as_slice);
                    if let (Some([g]), Some(who)) = (found, &row.identity_id) {
                        let entry = self
                            .listing
                            .entry(g.id.clone())
                            .or_insert_with(|| (g.display_name.clone(), HashSet::new()));
                        entry.1.insert(who.clone());
                    }
                }
                for name in &join {
                    let found = self.realm.groups.get(&name.to_lowercase()).and_then(|g| g.first());
                    let lower = name.to_lowercase();
                    if self.named_lower.insert(lower.clone()) {
                        self.named.push((name.clone(), found.map(|g| g.id.clone())));
                    }
                    if found.is_none() && !self.to_create_at.contains_key(&lower) {
                        self.to_create_at.insert(lower, self.to_create.len());
                        self.to_create.push(name.clone());
                    }
                }
                row.join = join;
                PlannedRow { row, write }
            }
        }
    }

    /// The row's write and the groups it joins, or its first problem.
    fn check(
        &self,
        v: &ImportValues,
        key: &str,
        current: Option<&Current>,
        row: &mut PlanRow,
    ) -> Result<(Option<RowWrite>, Vec<String>), RowProblem> {
        let problem = |column: &str, message: String| RowProblem {
            column: column.to_string(),
            message,
        };
        if row.username.is_empty() {
            return Err(problem("username", "The username is empty.".into()));
        }
        if let Some(first) = self.seen.get(key) {
            return Err(problem("username", format!("The username is also on line {first}.")));
        }
        if let Some(s) = &v.status {
            if s != "active" && s != "suspended" {
                return Err(problem("status", format!("Status must be active or suspended, not “{s}”.")));
            }
        }
        let write = match current {
            None => {
                let input = merged(&IdentityInput::default(), v);
                if input.display_name.trim().is_empty() {
                    return Err(problem("name", "A new identity needs a name.".into()));
                }
                check(&input)?;
                let mut body = input.to_create();
                body.status = v.status.clone().filter(|s| s == "suspended");
                Some(RowWrite { id: None, body })
            }
            Some(now) => {
                let before = &now.input;
                let input = merged(before, v);
                check(&input)?;
                let mut patch = input.to_patch(before);
                let status_change = v.status.clone().filter(|s| *s != now.status);
                if let Some(s) = &status_change {
                    patch.get_or_insert_with(Default::default).status = Some(s.clone());
                }
                row.changes = changes(before, &input);
                if let Some(s) = status_change {
                    row.changes.push(Change {
                        field: "status".into(),
                        before: now.status.clone(),
                        after: s,
                    });
                }
                if !row.changes.is_empty() && !self.admin {
                    return Err(problem(
                        &row.changes[0].field,
                        "Your role may add identities and memberships by import, not change existing identities.".into(),
                    ));
                }
                row.identity_id = Some(now.id.clone());
                patch.map(|body| RowWrite {
                    id: Some(now.id.clone()),
                    body,
                })
            }
        };
        // The groups it names: each a valid name, found once in the realm (or to create, by an admin), not
        // protected unless an admin imports; those it is not in yet are joined.
        let mut join: Vec<String> = Vec::new();
        let mut joined: HashSet<String> = HashSet::new();
        for name in v.groups.iter().flatten() {
            if let Err(p) = check_name(name) {
                return Err(problem("groups", format!("“{name}” is not a group name: a name {}.", p.message())));
            }
            let found = self.realm.groups.get(&name.to_lowercase()).map(Vec::as_slice).unwrap_or(&[]);
            let group = match found {
                [] if self.admin => None,
                [] => {
                    return Err(problem(
                        "groups",
                        format!("No group is named “{name}”; only an admin may create groups by import."),
                    ))
                }
                [one] => Some(one),
                many => {
                    return Err(problem(
                        "groups",
                        format!("{} groups are named “{name}”; add this one from the group's page.", many.len()),
                    ))
                }
            };
            if let Some(g) = group {
                let guarded = crate::permit::is_protected_group(self.protected, g);
                if guarded && !self.admin {
                    return Err(problem(
                        "groups",
                        format!("“{}” is protected: only an admin may add members to it.", g.display_name),
                    ));
                }
                let member = current.is_some_and(|c| self.realm.members.get(&g.id).is_some_and(|m| m.contains(&c.id)));
                if !member && joined.insert(g.display_name.to_lowercase()) {
                    join.push(g.display_name.clone());
                }
            } else if joined.insert(name.to_lowercase()) {
                let canonical = self
                    .to_create_at
                    .get(&name.to_lowercase())
                    .map(|&at| self.to_create[at].clone())
                    .unwrap_or_else(|| name.clone());
                join.push(canonical);
            }
        }
        Ok((write, join))
    }

    /// The groups the plan names (with the members each loses, when their membership is to match the file) and its
    /// summary.
    pub fn finish(mut self) -> (Vec<PlannedGroup>, Summary) {
        self.summary.counts.groups_to_create = self.to_create.len() as u64;
        self.summary.groups_to_create = self.to_create;
        let mut groups: Vec<PlannedGroup> = self
            .named
            .into_iter()
            .map(|(name, id)| PlannedGroup {
                name,
                id,
                leaving: Vec::new(),
            })
            .collect();
        if self.options.sync_groups {
            let mut listed: Vec<_> = self.listing.into_iter().collect();
            listed.sort_by(|a, b| a.1 .0.cmp(&b.1 .0));
            for (id, (name, stay)) in listed {
                let mut leaving: Vec<String> = self
                    .realm
                    .members
                    .get(&id)
                    .map(|m| {
                        m.iter()
                            .filter(|who| !stay.contains(*who) && !self.keep.contains(*who))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                if leaving.is_empty() {
                    continue;
                }
                leaving.sort();
                self.summary.counts.removals += leaving.len() as u64;
                self.summary.removals.push((name.clone(), leaving.len() as u64));
                match groups.iter_mut().find(|g| g.id.as_deref() == Some(id.as_str())) {
                    Some(g) => g.leaving = leaving,
                    None => groups.push(PlannedGroup {
                        name,
                        id: Some(id),
                        leaving,
                    }),
                }
            }
        }
        (groups, self.summary)
    }
}

/// The file's column for a form field.
fn column_of(field: &str) -> &str {
    match field {
        "display_name" => "name",
        other => other,
    }
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
