//! The `users` table.

use super::Conn;
use app::model::{UserId, UserSummary};
use sqlx::Row;

/// A user row as needed to sign in.
#[derive(Debug)]
pub struct Credentials {
    /// The user.
    pub user: UserSummary,
    /// Their Argon2id hash.
    pub password_hash: String,
}

/// Inserts a user and returns its id.
#[tracing::instrument(skip(conn, password_hash))]
pub async fn insert(
    conn: &mut Conn,
    username: &str,
    email: &str,
    password_hash: &str,
    now: i64,
) -> sqlx::Result<UserId> {
    let row = sqlx::query(
        "INSERT INTO users (username, username_key, email, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(username)
    .bind(username.to_lowercase())
    .bind(email)
    .bind(password_hash)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(UserId(row.try_get("id")?))
}

/// Which of username and email are already taken (case-insensitively).
#[tracing::instrument(skip(conn))]
pub async fn taken(conn: &mut Conn, username: &str, email: &str) -> sqlx::Result<(bool, bool)> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM users WHERE username_key = $1) AS by_name, \
           (SELECT COUNT(*) FROM users WHERE email = $2) AS by_email",
    )
    .bind(username.to_lowercase())
    .bind(email)
    .fetch_one(conn)
    .await?;
    Ok((
        row.try_get::<i64, _>("by_name")? > 0,
        row.try_get::<i64, _>("by_email")? > 0,
    ))
}

/// Finds a user by username (case-insensitive) or email, for signing in.
#[tracing::instrument(skip(conn))]
pub async fn credentials(conn: &mut Conn, login: &str) -> sqlx::Result<Option<Credentials>> {
    let key = login.trim().to_lowercase();
    let row = sqlx::query(
        "SELECT id, username, password_hash FROM users WHERE username_key = $1 OR email = $1",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Credentials {
            user: UserSummary {
                id: UserId(r.try_get("id")?),
                username: r.try_get("username")?,
            },
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}
