//! Local operators' passkeys in the console's database (`auth::passkeys::PasskeyStore`), keyed by the credential's
//! id; an operator's are found by their username lowercased.

use super::Db;
use crate::auth::passkeys::{OperatorPasskey, PasskeyStore};
use crate::store::{Fut, StoreError};

type Row = (String, String, String, i64, Option<i64>);

fn passkey((id, name, json, created_at, last_used_at): Row) -> Result<OperatorPasskey, StoreError> {
    Ok(OperatorPasskey {
        passkey: serde_json::from_str(&json).map_err(|e| StoreError::new(format!("passkey {id}: {e}"), false))?,
        id,
        name,
        created_at,
        last_used_at,
    })
}

fn json(p: &webauthn_rs::prelude::Passkey) -> String {
    serde_json::to_string(p).expect("a passkey serializes")
}

impl PasskeyStore for Db {
    fn of<'a>(&'a self, username: &'a str) -> Fut<'a, Vec<OperatorPasskey>> {
        Box::pin(async move {
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT credential_id, name, passkey, created_at, last_used_at FROM operator_passkeys \
                 WHERE username = $1 ORDER BY created_at, credential_id",
            )
            .bind(username.to_lowercase())
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(passkey).collect()
        })
    }

    fn add<'a>(&'a self, username: &'a str, p: &'a OperatorPasskey) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO operator_passkeys (credential_id, username, name, passkey, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&p.id)
            .bind(username.to_lowercase())
            .bind(&p.name)
            .bind(json(&p.passkey))
            .bind(p.created_at)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn remove<'a>(&'a self, username: &'a str, id: &'a str) -> Fut<'a, bool> {
        Box::pin(async move {
            let done = sqlx::query("DELETE FROM operator_passkeys WHERE credential_id = $1 AND username = $2")
                .bind(id)
                .bind(username.to_lowercase())
                .execute(&self.pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    fn used<'a>(&'a self, id: &'a str, p: &'a webauthn_rs::prelude::Passkey, at: i64) -> Fut<'a, ()> {
        Box::pin(async move {
            sqlx::query("UPDATE operator_passkeys SET passkey = $1, last_used_at = $2 WHERE credential_id = $3")
                .bind(json(p))
                .bind(at)
                .bind(id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
}
