//! A realm's groups in the index: name, description and member count, found by any part of the name or description
//! (a realm has thousands of groups, not millions: a scan of the folded text suffices), sorted by name, member count
//! or creation.

use sqlx::Row;

use super::super::{Conn, DbRow, Pool, StoreError};
use super::identities::{page_of, stamp};
use crate::index::{fold, like_pattern, matcher, Match};
use crate::model::{Group, GroupListing, PageView, Sort, SortKey};

/// One page of `realm`'s groups whose name or description holds `q`, in `sort`'s order (else BI's).
pub(super) async fn search_groups(pool: &Pool, realm: &str,
    q: &str,
    sort: Option<Sort>,
    page: u32,
    size: u32,
) -> Result<PageView<GroupListing>, StoreError> {
    let (condition, pattern) = match matcher(q) {
        Match::All => ("", None),
        Match::Like(p) => (" AND folded LIKE ? ESCAPE '\\'", Some(p)),
        // A phrase is a substring here too: the quotes only guard FTS syntax, which a LIKE does not have.
        Match::Phrase(_) => (" AND folded LIKE ? ESCAPE '\\'", Some(like_pattern(&fold(q)))),
    };
    let order = match sort {
        None => "seq".to_string(),
        Some(s) => {
            let column = match s.key {
                SortKey::Members => "members",
                SortKey::Created => "create_time",
                SortKey::Updated => "update_time",
                _ => "display_name",
            };
            let direction = if s.descending { "DESC" } else { "ASC" };
            format!("{column} {direction}, display_name {direction}")
        }
    };
    let count_sql = format!("SELECT COUNT(*) FROM ix_groups WHERE realm_id = ?{condition}");
    let rows_sql = format!(
        "SELECT * FROM ix_groups WHERE realm_id = ?{condition} ORDER BY {order} LIMIT ? OFFSET ?"
    );
    let (count_sql, rows_sql) = (crate::db::numbered(&count_sql), crate::db::numbered(&rows_sql));
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(realm);
    let mut rows = sqlx::query(&rows_sql).bind(realm);
    if let Some(p) = &pattern {
        count = count.bind(p);
        rows = rows.bind(p);
    }
    let total = count.fetch_one(pool).await? as u64;
    page_of(pool, rows, total, (page, size), listing).await
}

/// The groups of `realm` named exactly one of `names` (ignoring case), as far as the index knows them; a name may
/// find several groups (BI does not require names to differ).
pub(super) async fn groups_named(pool: &Pool, realm: &str, names: &[String]) -> Result<Vec<Group>, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut found = Vec::new();
    for name in names {
        let rows = sqlx::query(match super::super::Backend::of(pool) {
            super::super::Backend::Sqlite => {
                "SELECT * FROM ix_groups WHERE realm_id = $1 AND display_name = $2 COLLATE NOCASE"
            }
            super::super::Backend::Postgres => {
                "SELECT * FROM ix_groups WHERE realm_id = $1 AND lower(display_name) = lower($2)"
            }
        })
        .bind(realm)
        .bind(name)
        .fetch_all(&mut *conn)
        .await?;
        found.extend(rows.iter().map(|r| listing(r).group));
    }
    Ok(found)
}

/// Keeps `group` (as BI answered a write) in the index; `members` when known.
pub(super) async fn put_group(pool: &Pool, realm: &str, group: &Group, members: Option<u64>) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    upsert(&mut conn, realm, group, members).await?;
    stamp(&mut conn, "ix_groups", realm, &group.id).await
}

pub(super) async fn remove_group(pool: &Pool, realm: &str, id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM ix_groups WHERE realm_id = $1 AND id = $2")
        .bind(realm)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(StoreError::from)
}

/// Adds `delta` (negative: removed) to a group's member count.
pub(super) async fn count_members(pool: &Pool, realm: &str, id: &str, delta: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE ix_groups SET members = CASE WHEN members + $1 < 0 THEN 0 ELSE members + $1 END WHERE realm_id = $2 AND id = $3")
        .bind(delta)
        .bind(realm)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(StoreError::from)
}

/// Writes `group` unless the row already holds the same values; a `None` count keeps the one known.
pub(super) async fn upsert(
    conn: &mut Conn,
    realm: &str,
    group: &Group,
    members: Option<u64>,
) -> Result<bool, StoreError> {
    let description = group.description.clone().unwrap_or_default();
    let folded = fold(&format!("{} {description}", group.display_name));
    let written = sqlx::query(
        "INSERT INTO ix_groups (realm_id, id, display_name, description, members, create_time, update_time, folded) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (realm_id, id) DO UPDATE SET display_name = excluded.display_name, \
         description = excluded.description, members = COALESCE(excluded.members, ix_groups.members), \
         create_time = excluded.create_time, update_time = excluded.update_time, folded = excluded.folded \
         WHERE (ix_groups.update_time, ix_groups.folded) IS DISTINCT FROM (excluded.update_time, excluded.folded) \
         OR (excluded.members IS NOT NULL AND ix_groups.members IS DISTINCT FROM excluded.members)",
    )
    .bind(realm)
    .bind(&group.id)
    .bind(&group.display_name)
    .bind(&description)
    .bind(members.map(|m| m as i64))
    .bind(group.create_time.as_deref().unwrap_or(""))
    .bind(group.update_time.as_deref().unwrap_or(""))
    .bind(&folded)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(written > 0)
}

fn listing(r: &DbRow) -> GroupListing {
    let some = |s: String| (!s.is_empty()).then_some(s);
    GroupListing {
        group: Group {
            id: r.get("id"),
            realm_id: r.get("realm_id"),
            display_name: r.get("display_name"),
            description: some(r.get("description")),
            create_time: some(r.get("create_time")),
            update_time: some(r.get("update_time")),
            ..Group::default()
        },
        members: r.get::<Option<i64>, _>("members").map(|m| m.max(0) as u64),
    }
}
