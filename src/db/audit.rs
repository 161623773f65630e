//! The audit log's store (`audit::AuditStore`) on the console's database: `audit_events`, and `audit_subjects`
//! for the identities a membership change touched.

use sqlx::Row;

use super::{Db, DbRow};
use crate::audit::{AuditStore, NewEntry};
use crate::model::{AuditEntry, AuditFilter, PageView};
use crate::store::{Fut, StoreError};

pub(super) fn entry(r: &DbRow) -> AuditEntry {
    AuditEntry {
        id: r.get("id"),
        at: r.get("at"),
        operator: r.get("operator"),
        action: r.get("action"),
        realm: r.get("realm"),
        target_id: r.get("target_id"),
        target_name: r.get("target_name"),
        detail: r.get("detail"),
        result: r.get("result"),
        request_id: r.get("request_id"),
    }
}

/// Binds each realm of an `Option<&[String]>` for [`realm_clause`]'s placeholders.
macro_rules! bind_realms {
    ($q:expr, $realms:expr) => {{
        let mut q = $q;
        for r in $realms.unwrap_or_default() {
            q = q.bind(r);
        }
        q
    }};
}

/// ` AND realm IN (…)` with one placeholder per realm (bound by `bind_realms!`); nothing for every realm, and a
/// clause no row meets for an empty list.
fn realm_clause(realms: Option<&[String]>) -> String {
    match realms {
        None => String::new(),
        Some([]) => " AND 1 = 0".into(),
        Some(list) => format!(" AND realm IN ({})", vec!["?"; list.len()].join(", ")),
    }
}

impl AuditStore for Db {
    fn forget_before<'a>(&'a self, before: &'a str) -> Fut<'a, u64> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            sqlx::query("DELETE FROM audit_subjects WHERE event_id IN (SELECT id FROM audit_events WHERE at < $1)")
                .bind(before)
                .execute(&mut *tx)
                .await?;
            let gone = sqlx::query("DELETE FROM audit_events WHERE at < $1")
                .bind(before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(gone)
        })
    }

    fn append(&self, entry: NewEntry) -> Fut<'_, ()> {
        Box::pin(async move {
            let NewEntry { id, at, operator, event, result, request_id, outbox } = entry;
        let write = async {
            let mut tx = self.pool.begin().await?;
            let written = sqlx::query(
                "INSERT INTO audit_events (id, at, operator, action, realm, target_id, target_name, detail, result, request_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&id)
            .bind(&at)
            .bind(&operator)
            .bind(event.action.as_str())
            .bind(&event.realm)
            .bind(&event.target_id)
            .bind(&event.target_name)
            .bind(&event.detail)
            .bind(&result)
            .bind(&request_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if written == 1 && outbox {
                let now = super::clock_ms(&self.pool);
                // At the event's own place in the log: sent in the order the Audit page lists.
                sqlx::query(&format!(
                    "INSERT INTO audit_outbox (seq, event_id, queued) SELECT seq, id, {now} FROM audit_events WHERE id = $1"
                ))
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
            for subject in &event.subjects {
                sqlx::query("INSERT INTO audit_subjects (subject_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(subject)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        };
            write.await.map_err(StoreError::from)
        })
    }

    fn list<'a>(
        &'a self,
        filter: &'a AuditFilter,
        realms: Option<&'a [String]>,
        page: u32,
        size: u32,
    ) -> Fut<'a, PageView<AuditEntry>> {
        Box::pin(async move {
        let target_like = format!("%{}%", filter.target.trim().to_lowercase());
        let to = if filter.to.is_empty() {
            String::new()
        } else {
            format!("{}T23:59:59.999Z", filter.to)
        };
        let clause = "WHERE (? = '' OR operator = ?) AND (? = '' OR action = ?) \
             AND (? = '' OR target_id = ? OR LOWER(target_name) LIKE ?) AND (? = '' OR at >= ?) AND (? = '' OR at <= ?)";
        let clause = format!("{clause}{}", realm_clause(realms));
        macro_rules! bind_filter {
            ($q:expr) => {
                bind_realms!($q.bind(&filter.operator)
                    .bind(&filter.operator)
                    .bind(&filter.action)
                    .bind(&filter.action)
                    .bind(filter.target.trim())
                    .bind(filter.target.trim())
                    .bind(&target_like)
                    .bind(&filter.from)
                    .bind(&filter.from)
                    .bind(&to)
                    .bind(&to), realms)
            };
        }
        let count = crate::db::numbered(&format!("SELECT COUNT(*) FROM audit_events {clause}"));
        let total: i64 = bind_filter!(sqlx::query_scalar(&count))
            .fetch_one(&self.pool)
            .await?;
        let select = crate::db::numbered(&format!(
            "SELECT * FROM audit_events {clause} ORDER BY seq DESC LIMIT ? OFFSET ?"
        ));
        let rows = bind_filter!(sqlx::query(&select))
        .bind(i64::from(size))
        .bind(i64::from(page.max(1) - 1) * i64::from(size))
        .fetch_all(&self.pool)
        .await?;
        Ok(PageView {
            items: rows.iter().map(entry).collect(),
            total: total as u64,
            page: page.max(1),
            size,
        })
        })
    }

    fn activity<'a>(&'a self, id: &'a str, realms: Option<&'a [String]>, limit: u32) -> Fut<'a, Vec<AuditEntry>> {
        Box::pin(async move {
        let sql = crate::db::numbered(&format!(
            "SELECT * FROM audit_events WHERE (target_id = ? \
             OR id IN (SELECT event_id FROM audit_subjects WHERE subject_id = ?)){} \
             ORDER BY seq DESC LIMIT ?",
            realm_clause(realms)
        ));
        let rows = bind_realms!(sqlx::query(&sql).bind(id).bind(id), realms)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(entry).collect())
    
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Db;
    use crate::audit::{AuditLog, Event};
    use crate::model::AuditFilter;

    #[tokio::test]
    async fn records_filters_and_activity() {
        let dir =
            std::env::temp_dir().join(format!("bi-console-audit-{:x}", rand::random::<u64>()));
        let log = AuditLog::new(Db::new(crate::db::open(&dir).await.unwrap()));
        log.record(
            "ada",
            Event {
                action: crate::model::AuditAction::IdentityCreate,
                realm: "r1".into(),
                target_id: "i1".into(),
                target_name: "grace.hopper".into(),
                detail: "created".into(),
                subjects: vec![],
                step: None,
            },
            "ok",
            "req1",
        )
        .await;
        log.record(
            "alan",
            Event {
                action: crate::model::AuditAction::GroupMembersAdd,
                realm: "r1".into(),
                target_id: "g1".into(),
                target_name: "Engineering".into(),
                detail: "added 1".into(),
                subjects: vec!["i1".into()],
                step: None,
            },
            "ok",
            "req2",
        )
        .await;
        log.record(
            "ada",
            Event {
                action: crate::model::AuditAction::IdentityCreate,
                realm: "r1".into(),
                target_id: String::new(),
                target_name: "grace.hopper".into(),
                detail: "refused".into(),
                subjects: vec![],
                step: None,
            },
            "conflict",
            "req3",
        )
        .await;
        let all = log.list(&AuditFilter::default(), None, 1, 10).await.unwrap();
        assert_eq!(all.total, 3);
        assert_eq!(all.items[0].request_id, "req3", "newest first");
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        let action = crate::model::AuditAction::GroupMembersAdd.to_string();
        let filters = [
            (AuditFilter { operator: "ada".into(), ..AuditFilter::default() }, 2),
            (AuditFilter { target: "GRACE".into(), ..AuditFilter::default() }, 2),
            (AuditFilter { from: today.clone(), to: today, action, ..AuditFilter::default() }, 1),
            (AuditFilter { to: "2000-01-01".into(), ..AuditFilter::default() }, 0),
        ];
        for (filter, expected) in filters {
            assert_eq!(log.list(&filter, None, 1, 10).await.unwrap().total, expected, "{filter:?}");
        }
        let activity = log.activity("i1", None, 10).await.unwrap();
        assert_eq!(activity.len(), 2, "its creation and the group it joined");
        // An operator limited to other realms reads none of it.
        let elsewhere = ["r2".to_string()];
        assert_eq!(log.list(&AuditFilter::default(), Some(&elsewhere), 1, 10).await.unwrap().total, 0);
        assert!(log.activity("i1", Some(&elsewhere), 10).await.unwrap().is_empty());
        let both = ["r2".to_string(), "r1".to_string()];
        assert_eq!(log.list(&AuditFilter::default(), Some(&both), 1, 10).await.unwrap().total, 3);
        assert_eq!(log.list(&AuditFilter::default(), Some(&[]), 1, 10).await.unwrap().total, 0);
        let paged = log.list(&AuditFilter::default(), None, 2, 2).await.unwrap();
        assert_eq!((paged.items.len(), paged.total), (1, 3));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The log's order is the order entries were written in, whatever time each process's clock gave them.
    #[tokio::test]
    async fn entries_list_in_the_order_they_were_written_not_by_their_clock() {
        let db = Db::new(crate::db::in_memory().await);
        for (id, at) in [("e1", "2026-12-03T10:00:00.000002Z"), ("e2", "2026-12-03T10:00:00.000001Z")] {
            let entry = crate::audit::NewEntry {
                id: id.into(),
                at: at.into(),
                operator: "ada".into(),
                event: Event::new(crate::model::AuditAction::IdentityCreate, "r1", id, id, "created"),
                result: "ok".into(),
                request_id: id.into(),
                outbox: false,
            };
            crate::audit::AuditStore::append(&db, entry).await.unwrap();
        }
        let log = AuditLog::new(db);
        let listed = log.list(&AuditFilter::default(), None, 1, 10).await.unwrap();
        let ids: Vec<&str> = listed.items.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["e2", "e1"], "the later write first, though its clock was behind");
    }

    /// A job's step done again records nothing more for the same outcome; another outcome, or another step, is an
    /// entry of its own; events outside a job are entries each.
    #[tokio::test]
    async fn a_step_done_again_is_recorded_once() {
        let log = AuditLog::new(Db::new(crate::db::in_memory().await));
        let event = |step: Option<&str>| Event {
            step: step.map(str::to_string),
            ..Event::new(crate::model::AuditAction::IdentityCreate, "r1", "i1", "grace", "from an import")
        };
        for _ in 0..2 {
            log.record("ada", event(Some("import/x/row/2")), "ok", "import-x").await;
        }
        log.record("ada", event(Some("import/x/row/2")), "error", "import-x").await;
        log.record("ada", event(Some("import/x/row/3")), "ok", "import-x").await;
        log.record("ada", event(None), "ok", "req1").await;
        log.record("ada", event(None), "ok", "req2").await;
        let listed = log.list(&AuditFilter::default(), None, 1, 10).await.unwrap();
        assert_eq!(listed.total, 5, "{:?}", listed.items);
    }

    /// `CONSOLE_AUDIT_RETENTION_DAYS`: the sweep forgets entries older than the retention (and their subjects),
    /// and nothing without one.
    #[tokio::test]
    async fn entries_past_their_retention_are_forgotten_with_their_subjects() {
        let db = Db::new(crate::db::in_memory().await);
        let pool = db.pool.clone();
        let old = (chrono::Utc::now() - chrono::Duration::days(31)).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let new = (chrono::Utc::now() - chrono::Duration::days(29)).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        for (id, at) in [("old", old), ("new", new)] {
            let entry = crate::audit::NewEntry {
                id: id.into(),
                at,
                operator: "ada".into(),
                event: Event::new(crate::model::AuditAction::GroupMembersAdd, "r1", "g1", "Staff", "added")
                    .with_subjects(vec![format!("{id}-member")]),
                result: "ok".into(),
                request_id: id.into(),
                outbox: false,
            };
            crate::audit::AuditStore::append(&db, entry).await.unwrap();
        }
        let kept_forever = AuditLog::new(Db::new(pool.clone()));
        assert_eq!(kept_forever.forget_expired().await.unwrap(), 0);
        let log = AuditLog::new(Db::new(pool.clone())).with_retention(Some(std::time::Duration::from_secs(30 * 86_400)));
        assert_eq!(log.forget_expired().await.unwrap(), 1);
        let listed = log.list(&AuditFilter::default(), None, 1, 10).await.unwrap();
        let ids: Vec<&str> = listed.items.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["new"]);
        let subjects: Vec<String> = sqlx::query_scalar("SELECT subject_id FROM audit_subjects").fetch_all(&pool).await.unwrap();
        assert_eq!(subjects, ["new-member"]);
    }
}
