//! Reading a realm's identities for an export: the search's rows in rowid order after a given rowid (keyset
//! paging, so the millionth row costs what the first does).

use sqlx::Row;

use super::{identity, search_sql, DirectoryIndex, SearchSql};
use crate::model::{Identity, IdentityFilter};

impl DirectoryIndex {
    /// Up to `limit` identities of `realm` matching `filter` (its sort ignored), after rowid `after`, with their
    /// rowids.
    pub async fn export_page(
        &self,
        realm: &str,
        filter: &IdentityFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Identity)>, sqlx::Error> {
        let unsorted = IdentityFilter {
            sort: None,
            ..filter.clone()
        };
        let SearchSql { rows_sql, binds, .. } = search_sql(realm, &unsorted);
        let head = rows_sql
            .strip_suffix(" ORDER BY i.rowid LIMIT ? OFFSET ?")
            .unwrap_or(&rows_sql);
        let sql = format!("{head} AND i.rowid > ? ORDER BY i.rowid LIMIT ?");
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<i64, _>("rowid"), identity(r)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index made before given and family names were kept gains the columns, and an export walks a realm in
    /// order across chunks.
    #[tokio::test]
    async fn an_older_index_gains_names_and_an_export_walks_in_chunks() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::query(
            "CREATE TABLE ix_identities (rowid INTEGER PRIMARY KEY, realm_id TEXT NOT NULL, id TEXT NOT NULL, \
             username TEXT NOT NULL, display_name TEXT NOT NULL, email TEXT NOT NULL, external_id TEXT NOT NULL, \
             status TEXT NOT NULL, enrollment TEXT NOT NULL, create_time TEXT NOT NULL, update_time TEXT NOT NULL, \
             folded TEXT NOT NULL, UNIQUE (realm_id, id))",
        )
        .execute(&pool)
        .await
        .unwrap();
        let index = DirectoryIndex::open(pool).await.unwrap();
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
