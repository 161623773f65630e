//! Reading a realm's identities for an export: the search's rows in the index's order (`seq`) after a given position (keyset
//! paging, so the millionth row costs what the first does).

use sqlx::Row;

use super::{identity, search_sql, DirectoryIndex, SearchSql};
use crate::model::{Identity, IdentityFilter};

impl DirectoryIndex {
    /// Up to `limit` identities of `realm` matching `filter` (its sort ignored), after position `after`, with their
    /// positions.
    pub async fn export_page(
        &self,
        realm: &str,
        filter: &IdentityFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Identity)>, crate::db::StoreError> {
        let unsorted = IdentityFilter {
            sort: None,
            ..filter.clone()
        };
        let SearchSql { rows_sql, binds, .. } = search_sql(realm, &unsorted);
        let head = rows_sql
            .strip_suffix(" ORDER BY i.seq LIMIT ? OFFSET ?")
            .unwrap_or(&rows_sql);
        let sql = crate::db::numbered(&format!("{head} AND i.seq > ? ORDER BY i.seq LIMIT ?"));
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
            .map(|r| (r.get::<i64, _>("seq"), identity(r)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An export walks a realm in the index's order across chunks, given and family names included.
    #[tokio::test]
    async fn an_export_walks_in_chunks() {
        let index = DirectoryIndex::new(crate::db::in_memory().await);
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
