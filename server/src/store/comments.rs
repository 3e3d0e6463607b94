//! The `comments` table.

use super::Conn;
use crate::visibility;
use app::model::{Comment, CommentId, PostId, UserId, UserSummary};
use sqlx::{Row, any::AnyRow};

fn decode(row: &AnyRow) -> sqlx::Result<Comment> {
    Ok(Comment {
        id: CommentId(row.try_get("id")?),
        post_id: PostId(row.try_get("post_id")?),
        author: UserSummary {
            id: UserId(row.try_get("author_id")?),
            username: row.try_get("username")?,
        },
        text: row.try_get("text")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Inserts a comment and returns it as stored.
#[tracing::instrument(skip(conn, text))]
pub async fn insert(
    conn: &mut Conn,
    post: PostId,
    author: UserId,
    text: &str,
    now: i64,
) -> sqlx::Result<Comment> {
    let row = sqlx::query("INSERT INTO comments (post_id, author_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(post.0)
        .bind(author.0)
        .bind(text)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    let id: i64 = row.try_get("id")?;
    let row = sqlx::query(
        "SELECT c.id, c.post_id, c.author_id, u.username, c.text, c.created_at \
         FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    decode(&row)
}

/// How many comments a post has (kept on the post by a trigger; zero for a post that
/// does not exist).
#[tracing::instrument(skip(conn))]
pub async fn count(conn: &mut Conn, post: PostId) -> sqlx::Result<i64> {
    let count = sqlx::query_scalar("SELECT comment_count FROM posts WHERE id = $1")
        .bind(post.0)
        .fetch_optional(conn)
        .await?;
    Ok(count.unwrap_or(0))
}

/// Up to `limit` comments of a post after `after`, oldest first, without those by users
/// blocked with `viewer`.
#[tracing::instrument(skip(conn))]
pub async fn page(
    conn: &mut Conn,
    viewer: UserId,
    post: PostId,
    after: Option<CommentId>,
    limit: i64,
) -> sqlx::Result<Vec<Comment>> {
    let sql = format!(
        "SELECT c.id, c.post_id, c.author_id, u.username, c.text, c.created_at \
         FROM comments c JOIN users u ON u.id = c.author_id \
         WHERE c.post_id = $2 AND c.id > $3 AND {} ORDER BY c.id ASC LIMIT $4",
        visibility::SQL_USER_VISIBLE_TO_1
    );
    let rows = sqlx::query(&sql)
        .bind(viewer.0)
        .bind(post.0)
        .bind(after.map_or(0, |a| a.0))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(decode).collect()
}
