//! The `follows` and `blocks` tables.

use super::Conn;
use app::model::UserId;
use sqlx::Row;

fn ids(rows: Vec<sqlx::any::AnyRow>) -> sqlx::Result<Vec<UserId>> {
    rows.iter()
        .map(|r| r.try_get::<i64, _>(0).map(UserId))
        .collect()
}

/// Everyone blocked with `user`, in either direction.
#[tracing::instrument(skip(conn))]
pub async fn blocked_with(conn: &mut Conn, user: UserId) -> sqlx::Result<Vec<UserId>> {
    let rows = sqlx::query(
        "SELECT blocked_id FROM blocks WHERE blocker_id = $1 \
         UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    ids(rows)
}

/// Are `a` and `b` blocked, either way?
#[tracing::instrument(skip(conn))]
pub async fn is_blocked_pair(conn: &mut Conn, a: UserId, b: UserId) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)",
    )
    .bind(a.0)
    .bind(b.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Has `blocker` blocked `blocked`?
#[tracing::instrument(skip(conn))]
pub async fn has_blocked(conn: &mut Conn, blocker: UserId, blocked: UserId) -> sqlx::Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM blocks WHERE blocker_id = $1 AND blocked_id = $2")
            .bind(blocker.0)
            .bind(blocked.0)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// Blocks (idempotent) and removes follows both ways; returns whether a follow was removed.
#[tracing::instrument(skip(conn))]
pub async fn block(
    conn: &mut Conn,
    blocker: UserId,
    blocked: UserId,
    now: i64,
) -> sqlx::Result<bool> {
    sqlx::query("INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(blocker.0)
        .bind(blocked.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let removed = sqlx::query(
        "DELETE FROM follows WHERE (follower_id = $1 AND followee_id = $2) OR (follower_id = $2 AND followee_id = $1)",
    )
    .bind(blocker.0)
    .bind(blocked.0)
    .execute(conn)
    .await?;
    Ok(removed.rows_affected() > 0)
}

/// Unblocks (idempotent); true if there was a block.
#[tracing::instrument(skip(conn))]
pub async fn unblock(conn: &mut Conn, blocker: UserId, blocked: UserId) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2")
        .bind(blocker.0)
        .bind(blocked.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Follows (idempotent); true if it is new.
#[tracing::instrument(skip(conn))]
pub async fn follow(
    conn: &mut Conn,
    follower: UserId,
    followee: UserId,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query("INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(follower.0)
        .bind(followee.0)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Unfollows (idempotent); true if there was a follow.
#[tracing::instrument(skip(conn))]
pub async fn unfollow(conn: &mut Conn, follower: UserId, followee: UserId) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2")
        .bind(follower.0)
        .bind(followee.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The ids of `user`'s followers.
#[tracing::instrument(skip(conn))]
pub async fn follower_ids(conn: &mut Conn, user: UserId) -> sqlx::Result<Vec<UserId>> {
    let rows = sqlx::query("SELECT follower_id FROM follows WHERE followee_id = $1")
        .bind(user.0)
        .fetch_all(conn)
        .await?;
    ids(rows)
}

/// (followers, following) of `user`.
#[tracing::instrument(skip(conn))]
pub async fn counts(conn: &mut Conn, user: UserId) -> sqlx::Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM follows WHERE followee_id = $1) AS followers, \
                (SELECT COUNT(*) FROM follows WHERE follower_id = $1) AS following",
    )
    .bind(user.0)
    .fetch_one(conn)
    .await?;
    Ok((row.try_get("followers")?, row.try_get("following")?))
}

/// Does `follower` follow `followee`?
#[tracing::instrument(skip(conn))]
pub async fn follows(conn: &mut Conn, follower: UserId, followee: UserId) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM follows WHERE follower_id = $1 AND followee_id = $2",
    )
    .bind(follower.0)
    .bind(followee.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
