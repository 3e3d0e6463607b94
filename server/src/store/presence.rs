//! The `instances` and `connections` tables: who is connected, on which instance.

use super::Conn;
use crate::visibility::SQL_USER_VISIBLE_TO_1;
use app::model::{ConversationId, OnlineUsers, UserId, UserSummary};
use sqlx::Row;

/// Records that `instance` is alive at `now`.
#[tracing::instrument(skip(conn))]
pub async fn heartbeat(conn: &mut Conn, instance: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO instances (id, heartbeat_at) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
    )
    .bind(instance)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a connected socket.
#[tracing::instrument(skip(conn))]
pub async fn add(
    conn: &mut Conn,
    socket: &str,
    instance: &str,
    user: UserId,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO connections (socket_id, instance_id, user_id, connected_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (socket_id) DO NOTHING",
    )
    .bind(socket)
    .bind(instance)
    .bind(user.0)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a socket; returns its user if it was recorded.
#[tracing::instrument(skip(conn))]
pub async fn remove(conn: &mut Conn, socket: &str) -> sqlx::Result<Option<UserId>> {
    let user: Option<i64> =
        sqlx::query_scalar("DELETE FROM connections WHERE socket_id = $1 RETURNING user_id")
            .bind(socket)
            .fetch_optional(conn)
            .await?;
    Ok(user.map(UserId))
}

/// How many sockets `user` has, on any instance.
#[tracing::instrument(skip(conn))]
pub async fn sockets_of(conn: &mut Conn, user: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM connections WHERE user_id = $1")
        .bind(user.0)
        .fetch_one(conn)
        .await
}

/// Removes the instances silent since before `cutoff` (or the one named `only`) and
/// their sockets; returns the users who had sockets there. Call it in a transaction.
#[tracing::instrument(skip(conn))]
pub async fn sweep(conn: &mut Conn, cutoff: i64, only: Option<&str>) -> sqlx::Result<Vec<UserId>> {
    let dead: Vec<String> = match only {
        Some(id) => vec![id.to_owned()],
        None => {
            sqlx::query_scalar("SELECT id FROM instances WHERE heartbeat_at < $1")
                .bind(cutoff)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let mut users = Vec::new();
    for instance in dead {
        let gone: Vec<i64> =
            sqlx::query_scalar("DELETE FROM connections WHERE instance_id = $1 RETURNING user_id")
                .bind(&instance)
                .fetch_all(&mut *conn)
                .await?;
        users.extend(gone.into_iter().map(UserId));
        sqlx::query("DELETE FROM instances WHERE id = $1")
            .bind(&instance)
            .execute(&mut *conn)
            .await?;
    }
    // Sockets of an instance that never wrote a heartbeat (it died at once).
    let orphans: Vec<i64> = sqlx::query_scalar(
        "DELETE FROM connections WHERE connected_at < $1 \
         AND instance_id NOT IN (SELECT id FROM instances) RETURNING user_id",
    )
    .bind(cutoff)
    .fetch_all(&mut *conn)
    .await?;
    users.extend(orphans.into_iter().map(UserId));
    users.sort_unstable();
    users.dedup();
    Ok(users)
}

/// The sockets recorded for `instance` that connected before `before`.
#[tracing::instrument(skip(conn))]
pub async fn sockets_on(conn: &mut Conn, instance: &str, before: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT socket_id FROM connections WHERE instance_id = $1 AND connected_at < $2",
    )
    .bind(instance)
    .bind(before)
    .fetch_all(conn)
    .await
}

/// The users with a socket on `instance`.
#[tracing::instrument(skip(conn))]
pub async fn users_on(conn: &mut Conn, instance: &str) -> sqlx::Result<Vec<UserId>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT user_id FROM connections WHERE instance_id = $1")
            .bind(instance)
            .fetch_all(conn)
            .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// The online users `viewer` may see (not blocked either way), themselves excluded, by
/// username: the first `limit` of them and how many more there are, or all of them.
#[tracing::instrument(skip(conn))]
pub async fn online_visible_to(
    conn: &mut Conn,
    viewer: UserId,
    limit: Option<usize>,
) -> sqlx::Result<OnlineUsers> {
    // The count is taken over every row before the limit applies (SQLite and PostgreSQL
    // both compute window functions first), so one query gives both; it needs a row to
    // ride on, so a limit of 0 fetches one and drops it.
    let clause = match limit {
        Some(n) => format!(" LIMIT {}", n.max(1)),
        None => String::new(),
    };
    let sql = format!(
        // From the connections, not the users: the work grows with who is online, not
        // with everyone who ever signed up (this list is loaded with every page).
        "SELECT u.id, u.username, COUNT(*) OVER () FROM users u \
         WHERE u.id IN (SELECT c.user_id FROM connections c) AND u.id <> $1 \
         AND {SQL_USER_VISIBLE_TO_1} ORDER BY u.username{clause}"
    );
    let rows = sqlx::query(&sql).bind(viewer.0).fetch_all(conn).await?;
    let total: i64 = match rows.first() {
        Some(row) => row.try_get(2)?,
        None => 0,
    };
    let mut users = rows
        .iter()
        .map(|r| {
            Ok(UserSummary {
                id: UserId(r.try_get(0)?),
                username: r.try_get(1)?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    users.truncate(limit.unwrap_or(usize::MAX));
    let more = u64::try_from(total)
        .unwrap_or(0)
        .saturating_sub(users.len() as u64);
    Ok(OnlineUsers { users, more })
}

/// Is `user` connected anywhere?
#[tracing::instrument(skip(conn))]
pub async fn is_online(conn: &mut Conn, user: UserId) -> sqlx::Result<bool> {
    Ok(sockets_of(conn, user).await? > 0)
}

/// Records which conversation a socket shows (or none).
#[tracing::instrument(skip(conn))]
pub async fn set_focus(
    conn: &mut Conn,
    socket: &str,
    conversation: Option<ConversationId>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE connections SET conversation_id = $2 WHERE socket_id = $1")
        .bind(socket)
        .bind(conversation.map(|c| c.0))
        .execute(conn)
        .await?;
    Ok(())
}

/// Does any tab of `user` show `conversation` now?
#[tracing::instrument(skip(conn))]
pub async fn is_viewing(
    conn: &mut Conn,
    user: UserId,
    conversation: ConversationId,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM connections WHERE user_id = $1 AND conversation_id = $2",
    )
    .bind(user.0)
    .bind(conversation.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
