//! A realm's identities in the index: the search (FTS5 trigram over the accent-folded text, or a `LIKE` scan for one
//! or two characters; filters and sorts through an index per column; the unsorted list in `seq` order), lookups
//! by username and id, the console's own writes, and the export's keyset pages.

use sqlx::Row;

use super::super::{Backend, Conn, DbRow, Pool, StoreError};
use crate::index::{fold, like_pattern, matcher, Match};
use crate::model::{Identity, IdentityFilter, PageView, SortKey, Traits};

/// Marks a row the console wrote with its realm's current refresh generation: a refresh running now keeps it even
/// if BI's pages it read did not have it yet.
pub(super) async fn stamp(
    conn: &mut Conn,
    table: &str,
    realm: &str,
    id: &str,
) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE {table} SET stamp = COALESCE((SELECT gen FROM ix_realms WHERE realm_id = $1), 0) \
         WHERE realm_id = $1 AND id = $2"
    );
    sqlx::query(&sql).bind(realm).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Marks the rows `ids` of `realm` in `table` as seen by the refresh of `generation` (in the row, not in a table
/// of its own): what it has not seen by its end, and the console has not written meanwhile, is removed.
pub(super) async fn seen(
    conn: &mut Conn,
    table: &str,
    realm: &str,
    ids: &[&str],
    generation: i64,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (3..ids.len() + 3).map(|n| format!("${n}")).collect();
    let sql = format!(
        "UPDATE {table} SET stamp = $1 WHERE realm_id = $2 AND stamp < $1 AND id IN ({})",
        marks.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(generation).bind(realm);
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// The two queries of a search: its total, and its rows in order (whose last two parameters, LIMIT and OFFSET, the
/// caller adds), each with its parameters, written `?` (numbered by `db::numbered` when run).
struct SearchSql {
    /// The rows' source and condition, for a walk in order (the export).
    from: &'static str,
    condition: String,
    count_sql: String,
    count_binds: Vec<String>,
    rows_sql: String,
    binds: Vec<String>,
}

fn search_sql(backend: Backend, realm: &str, filter: &IdentityFilter) -> SearchSql {
    // With text, the rows come from the full-text index (a few matches), else from the realm's rows in order.
    // Unsorted and without text, the rows are read in order from the realm's index: no sort of the realm's
    // rows (which SQLite's planner might otherwise choose, through an index of another column). On PostgreSQL
    // the text is matched with `LIKE`, which its trigram index serves.
    let plain = if filter.sort.is_none() && backend == Backend::Sqlite {
        "ix_identities i INDEXED BY ix_identities_realm"
    } else {
        "ix_identities i"
    };
    let matched = match (matcher(&filter.q), backend) {
        (Match::Phrase(_), Backend::Postgres) => Match::Like(like_pattern(&fold(&filter.q))),
        (m, _) => m,
    };
    let (from, mut conditions, mut binds) = match matched {
        Match::All => (plain, vec!["i.realm_id = ?".to_string()], vec![realm.to_string()]),
        Match::Phrase(phrase) => (
            // CROSS JOIN keeps this order: the matches first, then their rows (the other way round
            // would run the full-text match once per row of the realm).
            "ix_identities_fts f CROSS JOIN ix_identities i ON i.seq = f.rowid",
            vec!["ix_identities_fts MATCH ?".to_string(), "i.realm_id = ?".to_string()],
            vec![phrase, realm.to_string()],
        ),
        Match::Like(pattern) => (
            "ix_identities i",
            vec!["i.realm_id = ?".to_string(), "i.folded LIKE ? ESCAPE '\\'".to_string()],
            vec![realm.to_string(), pattern],
        ),
    };
    let mut counted = vec!["realm_id = ?".to_string()];
    let mut count_binds = vec![realm.to_string()];
    for (column, value) in [("status", &filter.status), ("enrollment", &filter.enrollment)] {
        if !value.is_empty() {
            conditions.push(format!("i.{column} = ?"));
            binds.push(value.clone());
            counted.push(format!("{column} = ?"));
            count_binds.push(value.clone());
        }
    }
    let condition = conditions.join(" AND ");
    let order = match filter.sort {
        None => "i.seq".to_string(),
        Some(sort) => {
            let column = match sort.key {
                SortKey::Username => "i.username",
                SortKey::Name => "i.display_name",
                SortKey::Email => "i.email",
                SortKey::Enrollment => "i.enrollment",
                SortKey::Created => "i.create_time",
                SortKey::Updated => "i.update_time",
                SortKey::Members => "i.seq",
            };
            let direction = if sort.descending { "DESC" } else { "ASC" };
            format!("{column} {direction}, i.seq {direction}")
        }
    };
    // Without text the total is a sum over the kept counts; with text, a count of the (few) matches.
    let count_sql = if matches!(matcher(&filter.q), Match::All) {
        format!("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM ix_counts WHERE {}", counted.join(" AND "))
    } else {
        count_binds = binds.clone();
        format!("SELECT COUNT(*) FROM {from} WHERE {condition}")
    };
    let rows_sql = format!("SELECT i.* FROM {from} WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?");
    SearchSql {
        from,
        condition,
        count_sql,
        count_binds,
        rows_sql,
        binds,
    }
}

/// [`search`](Self::search), with its total when the caller knows it already (from an [`Overview`]): then
/// only the rows are read.
pub(super) async fn search_counted(pool: &Pool, realm: &str,
    filter: &IdentityFilter,
    page: u32,
    size: u32,
    known_total: Option<u64>,
) -> Result<PageView<Identity>, StoreError> {
    let SearchSql {
        count_sql,
        count_binds,
        rows_sql,
        binds,
        ..
    } = search_sql(Backend::of(pool), realm, filter);
    // The count and the rows at once, on two connections (each a scan of the matches on PostgreSQL).
    let count_sql = crate::db::numbered(&count_sql);
    let counting = async {
        if let Some(total) = known_total {
            return Ok(total);
        }
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &count_binds {
            count = count.bind(b);
        }
        Ok::<_, StoreError>(count.fetch_one(pool).await? as u64)
    };
    let rows_sql = crate::db::numbered(&rows_sql);
    let mut rows = sqlx::query(&rows_sql);
    for b in &binds {
        rows = rows.bind(b);
    }
    let (total, read) = tokio::join!(counting, page_of(pool, rows, 0, (page, size), identity));
    let mut read = read?;
    read.total = total?;
    Ok(read)
}

/// Page `page` of `size` rows of `query` (whose last two parameters, added here, are LIMIT and OFFSET).
pub(super) async fn page_of<'q, T>(pool: &Pool, query: crate::db::Query<'q>,
    total: u64,
    (page, size): (u32, u32),
    map: fn(&DbRow) -> T,
) -> Result<PageView<T>, StoreError> {
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(size);
    let rows = query
        .bind(i64::from(size))
        .bind(offset)
        .fetch_all(pool)
        .await?;
    Ok(PageView {
        items: rows.iter().map(map).collect(),
        total,
        page,
        size,
    })
}

/// The identities of `realm` with these usernames (ignoring case, as BI does), as far as the index knows them:
/// one query per 500 names, through the username index.
pub(super) async fn by_usernames(pool: &Pool, realm: &str, usernames: &[String]) -> Result<Vec<Identity>, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut found = Vec::new();
    for chunk in usernames.chunks(500) {
        let marks: Vec<String> = (2..chunk.len() + 2).map(|n| format!("${n}")).collect();
        let sql = match Backend::of(pool) {
            Backend::Sqlite => format!(
                "SELECT * FROM ix_identities WHERE realm_id = $1 AND username COLLATE NOCASE IN ({})",
                marks.join(", ")
            ),
            Backend::Postgres => format!(
                "SELECT * FROM ix_identities WHERE realm_id = $1 AND lower(username) IN ({})",
                marks.iter().map(|m| format!("lower({m})")).collect::<Vec<_>>().join(", ")
            ),
        };
        let mut query = sqlx::query(&sql).bind(realm);
        for name in chunk {
            query = query.bind(name);
        }
        found.extend(query.fetch_all(&mut *conn).await?.iter().map(identity));
    }
    Ok(found)
}

/// The identities of `realm` with these ids, as far as the index knows them.
pub(super) async fn by_ids(pool: &Pool, realm: &str, ids: &[String]) -> Result<Vec<Identity>, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut found = Vec::new();
    for id in ids {
        let row = sqlx::query("SELECT * FROM ix_identities WHERE realm_id = $1 AND id = $2")
            .bind(realm)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        found.extend(row.as_ref().map(identity));
    }
    Ok(found)
}

/// Keeps `identity` (as BI answered a write) in `realm`'s index at once.
pub(super) async fn put(pool: &Pool, realm: &str, identity: &Identity) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    upsert(&mut conn, realm, identity).await?;
    stamp(&mut conn, "ix_identities", realm, &identity.id).await
}

/// Drops identities BI no longer has.
pub(super) async fn remove(pool: &Pool, realm: &str, ids: &[String]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for id in ids {
        sqlx::query("DELETE FROM ix_identities WHERE realm_id = $1 AND id = $2")
            .bind(realm)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
        .map_err(StoreError::from)
}

/// Sets the status of identities a bulk change suspended or reactivated.
pub(super) async fn set_status(pool: &Pool, realm: &str, ids: &[String], status: &str) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for id in ids {
        sqlx::query("UPDATE ix_identities SET status = $1 WHERE realm_id = $2 AND id = $3")
            .bind(status)
            .bind(realm)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
        .map_err(StoreError::from)
}

/// Sets the enrollment status of these identities to `to`, except where it is one of `unless` (BI's rule puts
/// an active passkey before an open invitation, and an open invitation before a failed one).
pub(super) async fn set_enrollment(pool: &Pool, realm: &str,
    ids: &[String],
    to: &str,
    unless: &[&str],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let kept: Vec<String> = (4..unless.len() + 4).map(|n| format!("${n}")).collect();
    let sql = if kept.is_empty() {
        "UPDATE ix_identities SET enrollment = $1 WHERE realm_id = $2 AND id = $3".to_string()
    } else {
        format!(
            "UPDATE ix_identities SET enrollment = $1 WHERE realm_id = $2 AND id = $3 AND enrollment NOT IN ({})",
            kept.join(", ")
        )
    };
    for id in ids {
        let mut update = sqlx::query(&sql).bind(to).bind(realm).bind(id);
        for state in unless {
            update = update.bind(*state);
        }
        update.execute(&mut *tx).await?;
    }
    tx.commit().await
        .map_err(StoreError::from)
}

/// Up to `limit` identities of `realm` matching `filter` (its sort ignored), after position `after`, with their
/// positions.
pub(super) async fn export_page(pool: &Pool, realm: &str,
    filter: &IdentityFilter,
    after: i64,
    limit: u32,
) -> Result<Vec<(i64, Identity)>, StoreError> {
    let unsorted = IdentityFilter {
        sort: None,
        ..filter.clone()
    };
    let SearchSql {
        from,
        condition,
        binds,
        ..
    } = search_sql(Backend::of(pool), realm, &unsorted);
    let sql = crate::db::numbered(&format!(
        "SELECT i.* FROM {from} WHERE {condition} AND i.seq > ? ORDER BY i.seq LIMIT ?"
    ));
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let rows = query
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<i64, _>("seq"), identity(r)))
        .collect())
}

/// An index row as BI's `Identity` (the fields the index keeps).
fn identity(r: &DbRow) -> Identity {
    let some = |s: String| (!s.is_empty()).then_some(s);
    Identity {
        id: r.get("id"),
        realm_id: r.get("realm_id"),
        display_name: r.get("display_name"),
        create_time: some(r.get("create_time")),
        update_time: some(r.get("update_time")),
        status: some(r.get("status")),
        enrollment_status: some(r.get("enrollment")),
        traits: Traits {
            username: some(r.get("username")),
            primary_email_address: some(r.get("email")),
            external_id: some(r.get("external_id")),
            given_name: some(r.get("given_name")),
            family_name: some(r.get("family_name")),
            ..Traits::default()
        },
        ..Identity::default()
    }
}

/// Writes `identity` into `realm`'s index unless the row already holds the same values; answers whether it wrote.
pub(super) async fn upsert(
    conn: &mut Conn,
    realm: &str,
    identity: &Identity,
) -> Result<bool, StoreError> {
    let t = &identity.traits;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (username, email, external_id) = (text(&t.username), text(&t.primary_email_address), text(&t.external_id));
    let folded = fold(&format!(
        "{username} {} {email} {external_id}",
        identity.display_name
    ));
    let written = sqlx::query(
        "INSERT INTO ix_identities (realm_id, id, username, display_name, email, external_id, given_name, family_name, \
         status, enrollment, create_time, update_time, folded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (realm_id, id) DO UPDATE SET username = excluded.username, \
         display_name = excluded.display_name, email = excluded.email, external_id = excluded.external_id, \
         given_name = excluded.given_name, family_name = excluded.family_name, \
         status = excluded.status, enrollment = excluded.enrollment, create_time = excluded.create_time, \
         update_time = excluded.update_time, folded = excluded.folded \
         WHERE (ix_identities.update_time, ix_identities.status, ix_identities.enrollment, ix_identities.folded, \
         ix_identities.given_name, ix_identities.family_name) \
         IS DISTINCT FROM (excluded.update_time, excluded.status, excluded.enrollment, excluded.folded, excluded.given_name, \
         excluded.family_name)",
    )
    .bind(realm)
    .bind(&identity.id)
    .bind(&username)
    .bind(&identity.display_name)
    .bind(&email)
    .bind(&external_id)
    .bind(text(&t.given_name))
    .bind(text(&t.family_name))
    .bind(identity.status.as_deref().unwrap_or(""))
    .bind(identity.enrollment_status.as_deref().unwrap_or(""))
    .bind(identity.create_time.as_deref().unwrap_or(""))
    .bind(identity.update_time.as_deref().unwrap_or(""))
    .bind(&folded)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(written > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SortKey;

    /// What SQLite plans for a search's rows: no step may sort the realm's rows (at a million that is a third of a
    /// second per page), for the list as it opens and for each sortable column.
    #[tokio::test]
    async fn pages_of_the_realm_are_read_in_order_not_sorted() {
        let pool = crate::db::in_memory().await;
        let mut filters = vec![IdentityFilter::default()];
        for key in [SortKey::Username, SortKey::Name, SortKey::Email, SortKey::Created, SortKey::Updated] {
            for descending in [false, true] {
                filters.push(IdentityFilter {
                    sort: Some(crate::model::Sort { key, descending }),
                    ..IdentityFilter::default()
                });
            }
        }
        for filter in filters {
            let sql = search_sql(Backend::Sqlite, "r1", &filter);
            let explain = format!("EXPLAIN QUERY PLAN {}", sql.rows_sql);
            let mut plan = sqlx::query(&explain);
            for b in &sql.binds {
                plan = plan.bind(b);
            }
            let steps: Vec<String> = plan
                .bind(50)
                .bind(0)
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>("detail"))
                .collect();
            assert!(
                steps.iter().all(|s| !s.contains("TEMP B-TREE")),
                "{:?}: {steps:?}",
                filter.sort
            );
        }
    }

    

    /// An export walks a realm in the index's order across chunks, given and family names included.
    #[tokio::test]
    async fn an_export_walks_in_chunks() {
        let index = crate::index::DirectoryIndex::new(super::super::super::Db::new(crate::db::in_memory().await));
        for n in 0..5 {
            let person = Identity {
                id: format!("i{n}"),
                display_name: format!("Person {n}"),
                traits: crate::model::Traits {
                    username: Some(format!("p{n}")),
                    given_name: Some("Given".into()),
                    family_name: Some(format!("Family {n}")),
                    ..Default::default()
                },
                ..Identity::default()
            };
            index.put("r1", &person).await.unwrap();
        }
        let mut after = 0;
        let mut seen = Vec::new();
        loop {
            let page = index.export_page("r1", &IdentityFilter::default(), after, 2).await.unwrap();
            let Some((last, _)) = page.last() else { break };
            after = *last;
            seen.extend(page.into_iter().map(|(_, i)| i));
        }
        assert_eq!(seen.len(), 5);
        assert_eq!(seen[3].traits.family_name.as_deref(), Some("Family 3"));
        assert_eq!(seen[0].traits.given_name.as_deref(), Some("Given"));
    }
}
