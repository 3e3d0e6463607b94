//! The `posts` table.

use super::Conn;
use crate::visibility;
use app::model::{
    Feeling, Post, PostColor, PostId, Privacy, ReactionCounts, ReactionKind, UserId, UserSummary,
    ValidPost,
};
use sqlx::{Row, any::AnyRow};

/// Every read binds the reader as `$1` (for their own reaction and for visibility). The
/// counts are the post's own columns, kept by triggers (migration 0007).
const SELECT: &str = "SELECT p.id, p.text, p.color, p.feeling, p.privacy, p.created_at, p.edited_at, \
     u.id AS author_id, u.username AS author_username, p.comment_count, \
     p.reactions_like, p.reactions_love, p.reactions_happy, p.reactions_wow, p.reactions_sad, \
     p.reactions_angry, \
     (SELECT r.kind FROM reactions r WHERE r.post_id = p.id AND r.user_id = $1) AS my_reaction \
     FROM posts p JOIN users u ON u.id = p.author_id";

fn decode(row: &AnyRow) -> sqlx::Result<Post> {
    let bad = |col: &str, v: String| sqlx::Error::Decode(format!("unknown {col} {v:?}").into());
    let color: String = row.try_get("color")?;
    let privacy: String = row.try_get("privacy")?;
    let feeling: Option<String> = row.try_get("feeling")?;
    Ok(Post {
        id: PostId(row.try_get("id")?),
        author: UserSummary {
            id: UserId(row.try_get("author_id")?),
            username: row.try_get("author_username")?,
        },
        text: row.try_get("text")?,
        color: PostColor::parse(&color).ok_or_else(|| bad("color", color.clone()))?,
        feeling: match feeling {
            Some(f) => Some(Feeling::parse(&f).ok_or_else(|| bad("feeling", f.clone()))?),
            None => None,
        },
        privacy: Privacy::parse(&privacy).ok_or_else(|| bad("privacy", privacy.clone()))?,
        created_at: row.try_get("created_at")?,
        edited_at: row.try_get("edited_at")?,
        comment_count: row.try_get("comment_count")?,
        reactions: reaction_counts(row)?,
        my_reaction: row
            .try_get::<Option<String>, _>("my_reaction")?
            .as_deref()
            .and_then(ReactionKind::parse),
    })
}

/// The reaction counts of a row holding a post's `reactions_*` columns.
pub(super) fn reaction_counts(row: &AnyRow) -> sqlx::Result<ReactionCounts> {
    Ok(ReactionCounts {
        like: row.try_get("reactions_like")?,
        love: row.try_get("reactions_love")?,
        happy: row.try_get("reactions_happy")?,
        wow: row.try_get("reactions_wow")?,
        sad: row.try_get("reactions_sad")?,
        angry: row.try_get("reactions_angry")?,
    })
}

/// Inserts a post and returns its id.
#[tracing::instrument(skip(conn, post))]
pub async fn insert(
    conn: &mut Conn,
    author: UserId,
    post: &ValidPost,
    now: i64,
) -> sqlx::Result<PostId> {
    let row = sqlx::query(
        "INSERT INTO posts (author_id, text, color, feeling, privacy, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(author.0)
    .bind(&post.text)
    .bind(post.color.as_str())
    .bind(post.feeling.map(Feeling::as_str))
    .bind(post.privacy.as_str())
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(PostId(row.try_get("id")?))
}

/// One post as `reader` sees its counts, whoever may see it (callers check visibility).
#[tracing::instrument(skip(conn))]
pub async fn get(conn: &mut Conn, reader: UserId, id: PostId) -> sqlx::Result<Option<Post>> {
    let row = sqlx::query(&format!("{SELECT} WHERE p.id = $2"))
        .bind(reader.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// One post if `viewer` may see it.
#[tracing::instrument(skip(conn))]
pub async fn get_visible(
    conn: &mut Conn,
    viewer: UserId,
    id: PostId,
) -> sqlx::Result<Option<Post>> {
    let sql = format!(
        "{SELECT} WHERE p.id = $2 AND {}",
        visibility::SQL_POST_VISIBLE_TO_1
    );
    let row = sqlx::query(&sql)
        .bind(viewer.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

/// Replaces a post's content.
#[tracing::instrument(skip(conn, post))]
pub async fn update(conn: &mut Conn, id: PostId, post: &ValidPost, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE posts SET text = $1, color = $2, feeling = $3, privacy = $4, edited_at = $5 WHERE id = $6")
        .bind(&post.text)
        .bind(post.color.as_str())
        .bind(post.feeling.map(Feeling::as_str))
        .bind(post.privacy.as_str())
        .bind(now)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes a post.
#[tracing::instrument(skip(conn))]
pub async fn delete(conn: &mut Conn, id: PostId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Up to `limit` posts visible to `viewer` with ids below `before`, newest first, by
/// anyone or only by `author`. Keyset pagination on the id: new posts never shift or
/// repeat older pages.
#[tracing::instrument(skip(conn))]
pub async fn feed(
    conn: &mut Conn,
    viewer: UserId,
    author: Option<UserId>,
    before: Option<PostId>,
    limit: i64,
) -> sqlx::Result<Vec<Post>> {
    let by_author = if author.is_some() {
        "AND p.author_id = $4"
    } else {
        ""
    };
    let sql = format!(
        "{SELECT} WHERE {} AND p.id < $2 {by_author} ORDER BY p.id DESC LIMIT $3",
        visibility::SQL_POST_VISIBLE_TO_1
    );
    let mut query = sqlx::query(&sql)
        .bind(viewer.0)
        .bind(before.map_or(i64::MAX, |b| b.0))
        .bind(limit);
    if let Some(author) = author {
        query = query.bind(author.0);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(decode).collect()
}
