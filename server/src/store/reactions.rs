//! The `reactions` table: one row per user and post.

use super::Conn;
use crate::visibility;
use app::model::{PostId, ReactionCounts, ReactionKind, Reactor, UserId, UserSummary};
use sqlx::Row;

/// Takes the post's reaction lock (a row write) so concurrent changes to one post's
/// reactions run one after the other; false if the post does not exist.
#[tracing::instrument(skip(conn))]
pub async fn lock_post(conn: &mut Conn, post: PostId) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE posts SET reaction_version = reaction_version + 1 WHERE id = $1")
            .bind(post.0)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets (inserts or changes) a user's reaction.
#[tracing::instrument(skip(conn))]
pub async fn set(
    conn: &mut Conn,
    post: PostId,
    user: UserId,
    kind: ReactionKind,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reactions (post_id, user_id, kind, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (post_id, user_id) DO UPDATE SET kind = excluded.kind",
    )
    .bind(post.0)
    .bind(user.0)
    .bind(kind.as_str())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a user's reaction, if any.
#[tracing::instrument(skip(conn))]
pub async fn remove(conn: &mut Conn, post: PostId, user: UserId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM reactions WHERE post_id = $1 AND user_id = $2")
        .bind(post.0)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// The counts per kind of a post (zero for a post that does not exist).
#[tracing::instrument(skip(conn))]
pub async fn counts(conn: &mut Conn, post: PostId) -> sqlx::Result<ReactionCounts> {
    let row = sqlx::query(
        "SELECT reactions_like, reactions_love, reactions_happy, reactions_wow, reactions_sad, \
         reactions_angry FROM posts WHERE id = $1",
    )
    .bind(post.0)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(row) => super::posts::reaction_counts(&row),
        None => Ok(ReactionCounts::default()),
    }
}

/// Who reacted to a post and how, without users blocked with `viewer`.
#[tracing::instrument(skip(conn))]
pub async fn reactors(conn: &mut Conn, viewer: UserId, post: PostId) -> sqlx::Result<Vec<Reactor>> {
    let sql = format!(
        "SELECT u.id, u.username, r.kind FROM reactions r JOIN users u ON u.id = r.user_id \
         WHERE r.post_id = $2 AND {} ORDER BY r.created_at DESC, u.id",
        visibility::SQL_USER_VISIBLE_TO_1
    );
    let rows = sqlx::query(&sql)
        .bind(viewer.0)
        .bind(post.0)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .filter_map(|r| {
            let kind: String = r.try_get("kind").ok()?;
            Some((r, ReactionKind::parse(&kind)?))
        })
        .map(|(r, kind)| {
            Ok(Reactor {
                user: UserSummary {
                    id: UserId(r.try_get("id")?),
                    username: r.try_get("username")?,
                },
                kind,
            })
        })
        .collect()
}
