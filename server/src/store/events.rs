//! The `event_log` table: every durable event sent, kept for the catch-up window.

use super::Conn;
use sqlx::Row;

/// One logged event.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Its offset.
    pub id: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The event name.
    pub event: String,
    /// The payload, as JSON text.
    pub payload: String,
    /// The audience, as JSON text.
    pub audience: String,
    /// Who caused it, if anyone.
    pub actor: Option<i64>,
}

/// Appends an event; returns its offset.
#[tracing::instrument(skip(conn, payload, audience))]
pub async fn append(
    conn: &mut Conn,
    now: i64,
    event: &str,
    payload: &str,
    audience: &str,
    actor: Option<i64>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO event_log (created_at, event, payload, audience, actor_id) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(now)
    .bind(event)
    .bind(payload)
    .bind(audience)
    .bind(actor)
    .fetch_one(conn)
    .await
}

/// The newest offset (0 before the first event).
#[tracing::instrument(skip(conn))]
pub async fn head(conn: &mut Conn) -> sqlx::Result<i64> {
    let head: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM event_log")
        .fetch_one(&mut *conn)
        .await?;
    match head {
        Some(head) => Ok(head),
        // Everything may have been pruned: the head is then what was pruned through.
        None => pruned_through(conn).await,
    }
}

/// The newest offset pruned away.
#[tracing::instrument(skip(conn))]
pub async fn pruned_through(conn: &mut Conn) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT pruned_through FROM event_log_state WHERE id = 1")
        .fetch_one(conn)
        .await
}

/// The oldest event after `since`, if any: (offset, created_at).
#[tracing::instrument(skip(conn))]
pub async fn first_after(conn: &mut Conn, since: i64) -> sqlx::Result<Option<(i64, i64)>> {
    let row = sqlx::query("SELECT id, created_at FROM event_log WHERE id > $1 ORDER BY id LIMIT 1")
        .bind(since)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// Up to `limit` events after `since`, oldest first.
#[tracing::instrument(skip(conn))]
pub async fn after(conn: &mut Conn, since: i64, limit: i64) -> sqlx::Result<Vec<Logged>> {
    let rows = sqlx::query(
        "SELECT id, created_at, event, payload, audience, actor_id FROM event_log \
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Logged {
                id: r.try_get(0)?,
                created_at: r.try_get(1)?,
                event: r.try_get(2)?,
                payload: r.try_get(3)?,
                audience: r.try_get(4)?,
                actor: r.try_get(5)?,
            })
        })
        .collect()
}

/// Deletes events older than `cutoff` and records how far it pruned; returns how many
/// went. Call it inside a transaction.
#[tracing::instrument(skip(conn))]
pub async fn prune(conn: &mut Conn, cutoff: i64) -> sqlx::Result<u64> {
    let through: Option<i64> =
        sqlx::query_scalar("SELECT MAX(id) FROM event_log WHERE created_at < $1")
            .bind(cutoff)
            .fetch_one(&mut *conn)
            .await?;
    let Some(through) = through else {
        return Ok(0);
    };
    let done = sqlx::query("DELETE FROM event_log WHERE id <= $1")
        .bind(through)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE event_log_state SET pruned_through = $1 WHERE id = 1 AND pruned_through < $1",
    )
    .bind(through)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
