//! The `sessions` table: server-side sessions keyed by the SHA-256 of their token.

use super::Conn;
use app::model::{UserId, UserSummary};
use sqlx::Row;

/// Stores a session.
#[tracing::instrument(skip(conn, id))]
pub async fn insert(
    conn: &mut Conn,
    id: &str,
    user: UserId,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(user.0)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user of a session that has not expired at `now`.
#[tracing::instrument(skip(conn, id))]
pub async fn user(conn: &mut Conn, id: &str, now: i64) -> sqlx::Result<Option<UserSummary>> {
    let row = sqlx::query(
        "SELECT u.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(UserSummary {
            id: UserId(r.try_get("id")?),
            username: r.try_get("username")?,
        })
    })
    .transpose()
}

/// Deletes a session; true if it existed.
#[tracing::instrument(skip(conn, id))]
pub async fn delete(conn: &mut Conn, id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes a user's expired sessions (done at sign-in, so the table does not grow).
#[tracing::instrument(skip(conn))]
pub async fn delete_expired(conn: &mut Conn, user: UserId, now: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
        .bind(user.0)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
