//! The `notifications` and `notification_mutes` tables.

use super::Conn;
use app::model::{
    ConversationId, Notification, NotificationId, NotificationKind, PostId, ReactionKind, UserId,
    UserSummary,
};
use sqlx::Row;

/// A notification to store.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    /// The recipient.
    pub user: UserId,
    /// What happened.
    pub kind: NotificationKind,
    /// Who did it.
    pub actor: UserId,
    /// The post, for comments and reactions.
    pub post: Option<PostId>,
    /// The conversation, for messages.
    pub conversation: Option<ConversationId>,
    /// The reaction, for reactions.
    pub reaction: Option<ReactionKind>,
    /// A short excerpt.
    pub excerpt: &'a str,
}

const SELECT: &str = "SELECT n.id, n.kind, n.actor_id, u.username, n.post_id, n.conversation_id, \
     n.reaction, n.excerpt, n.count, n.created_at, n.read_at \
     FROM notifications n JOIN users u ON u.id = n.actor_id";

fn from_row(row: &sqlx::any::AnyRow) -> sqlx::Result<Notification> {
    let kind: String = row.try_get(1)?;
    let reaction: Option<String> = row.try_get(6)?;
    Ok(Notification {
        id: NotificationId(row.try_get(0)?),
        kind: NotificationKind::parse(&kind).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown notification kind {kind:?}").into())
        })?,
        actor: UserSummary {
            id: UserId(row.try_get(2)?),
            username: row.try_get(3)?,
        },
        post_id: row.try_get::<Option<i64>, _>(4)?.map(PostId),
        conversation_id: row.try_get::<Option<i64>, _>(5)?.map(ConversationId),
        reaction: reaction.as_deref().and_then(ReactionKind::parse),
        excerpt: row.try_get(7)?,
        count: row.try_get(8)?,
        created_at: row.try_get(9)?,
        read: row.try_get::<Option<i64>, _>(10)?.is_some(),
    })
}

/// Has `user` switched `kind` off?
#[tracing::instrument(skip(conn))]
pub async fn is_muted(conn: &mut Conn, user: UserId, kind: NotificationKind) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notification_mutes WHERE user_id = $1 AND kind = $2",
    )
    .bind(user.0)
    .bind(kind.as_str())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The kinds `user` has switched off.
#[tracing::instrument(skip(conn))]
pub async fn muted(conn: &mut Conn, user: UserId) -> sqlx::Result<Vec<NotificationKind>> {
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM notification_mutes WHERE user_id = $1")
            .bind(user.0)
            .fetch_all(conn)
            .await?;
    Ok(kinds
        .iter()
        .filter_map(|k| NotificationKind::parse(k))
        .collect())
}

/// Switches `kind` off (`muted`) or on for `user`; idempotent.
#[tracing::instrument(skip(conn))]
pub async fn set_muted(
    conn: &mut Conn,
    user: UserId,
    kind: NotificationKind,
    muted: bool,
) -> sqlx::Result<()> {
    let sql = if muted {
        "INSERT INTO notification_mutes (user_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM notification_mutes WHERE user_id = $1 AND kind = $2"
    };
    sqlx::query(sql)
        .bind(user.0)
        .bind(kind.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// The unread notification this one takes the place of: the same conversation's (for
/// messages), or the same actor's on the same post (reactions) or follow.
#[tracing::instrument(skip(conn))]
pub async fn replaceable(
    conn: &mut Conn,
    new: &NewNotification<'_>,
) -> sqlx::Result<Option<(NotificationId, i64)>> {
    let row = match new.kind {
        NotificationKind::Comment => return Ok(None),
        NotificationKind::Message => {
            sqlx::query(
                "SELECT id, count FROM notifications WHERE user_id = $1 AND kind = 'message' \
                 AND conversation_id = $2 AND read_at IS NULL ORDER BY id DESC LIMIT 1",
            )
            .bind(new.user.0)
            .bind(new.conversation.map(|c| c.0))
            .fetch_optional(conn)
            .await?
        }
        NotificationKind::Reaction | NotificationKind::Follow => sqlx::query(
            "SELECT id, 0 FROM notifications WHERE user_id = $1 AND kind = $2 AND actor_id = $3 \
                 AND COALESCE(post_id, 0) = $4 AND read_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(new.user.0)
        .bind(new.kind.as_str())
        .bind(new.actor.0)
        .bind(new.post.map_or(0, |p| p.0))
        .fetch_optional(conn)
        .await?,
    };
    row.map(|r| Ok((NotificationId(r.try_get(0)?), r.try_get(1)?)))
        .transpose()
}

/// Stores a notification standing for `count` events.
#[tracing::instrument(skip(conn))]
pub async fn insert(
    conn: &mut Conn,
    new: &NewNotification<'_>,
    count: i64,
    now: i64,
) -> sqlx::Result<NotificationId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, actor_id, post_id, conversation_id, reaction, \
         excerpt, count, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(new.user.0)
    .bind(new.kind.as_str())
    .bind(new.actor.0)
    .bind(new.post.map(|p| p.0))
    .bind(new.conversation.map(|c| c.0))
    .bind(new.reaction.map(ReactionKind::as_str))
    .bind(new.excerpt)
    .bind(count)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(NotificationId(id))
}

/// One notification of `user`.
#[tracing::instrument(skip(conn))]
pub async fn get(
    conn: &mut Conn,
    user: UserId,
    id: NotificationId,
) -> sqlx::Result<Option<Notification>> {
    let sql = format!("{SELECT} WHERE n.id = $1 AND n.user_id = $2");
    sqlx::query(&sql)
        .bind(id.0)
        .bind(user.0)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Up to `limit` notifications of `user` older than `before`, newest first.
#[tracing::instrument(skip(conn))]
pub async fn page(
    conn: &mut Conn,
    user: UserId,
    before: Option<NotificationId>,
    limit: i64,
) -> sqlx::Result<Vec<Notification>> {
    let sql = format!("{SELECT} WHERE n.user_id = $1 AND n.id < $2 ORDER BY n.id DESC LIMIT $3");
    let rows = sqlx::query(&sql)
        .bind(user.0)
        .bind(before.map_or(i64::MAX, |b| b.0))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

const UNREAD_COUNT: &str =
    "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL";

/// How many unread notifications `user` has.
#[tracing::instrument(skip(conn))]
pub async fn unread_count(conn: &mut Conn, user: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar(UNREAD_COUNT)
        .bind(user.0)
        .fetch_one(conn)
        .await
}

/// `user`'s unread messages ([`super::chat::unread_total`]) and unread notifications
/// ([`unread_count`]) in one query: every page's header shows both.
#[tracing::instrument(skip(conn))]
pub async fn unread_both(conn: &mut Conn, user: UserId) -> sqlx::Result<(i64, i64)> {
    let sql = format!(
        "SELECT ({}), ({UNREAD_COUNT})",
        super::chat::unread_total_sql()
    );
    sqlx::query_as(&sql).bind(user.0).fetch_one(conn).await
}

/// Marks one unread notification of `user` read; false if there was none to mark.
#[tracing::instrument(skip(conn))]
pub async fn mark_read(
    conn: &mut Conn,
    user: UserId,
    id: NotificationId,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(id.0)
    .bind(user.0)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks `user`'s unread message notifications of `conversation` read once nothing in
/// it is unread for them any more (run it after [`super::chat::mark_read`], in its
/// transaction); returns the ids it marked.
#[tracing::instrument(skip(conn))]
pub async fn read_conversation(
    conn: &mut Conn,
    user: UserId,
    conversation: ConversationId,
    now: i64,
) -> sqlx::Result<Vec<NotificationId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND kind = 'message' \
         AND conversation_id = $2 AND read_at IS NULL AND NOT EXISTS (SELECT 1 FROM \
         conversation_reads r WHERE r.conversation_id = $2 AND r.user_id = $1 AND r.unread > 0) \
         RETURNING id",
    )
    .bind(user.0)
    .bind(conversation.0)
    .bind(now)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(NotificationId).collect())
}

/// Marks every notification of `user` read; returns how many changed.
#[tracing::instrument(skip(conn))]
pub async fn mark_all_read(conn: &mut Conn, user: UserId, now: i64) -> sqlx::Result<u64> {
    let done =
        sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .bind(now)
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// Deletes one notification of `user`; false if there was none.
#[tracing::instrument(skip(conn))]
pub async fn delete(conn: &mut Conn, user: UserId, id: NotificationId) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM notifications WHERE id = $1 AND user_id = $2")
        .bind(id.0)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes what `actor` caused `user` to get of `kind` (on `post`, if given); returns
/// the deleted ids.
#[tracing::instrument(skip(conn))]
pub async fn withdraw(
    conn: &mut Conn,
    user: UserId,
    actor: UserId,
    kind: NotificationKind,
    post: Option<PostId>,
) -> sqlx::Result<Vec<NotificationId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "DELETE FROM notifications WHERE user_id = $1 AND actor_id = $2 AND kind = $3 \
         AND COALESCE(post_id, 0) = $4 RETURNING id",
    )
    .bind(user.0)
    .bind(actor.0)
    .bind(kind.as_str())
    .bind(post.map_or(0, |p| p.0))
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(NotificationId).collect())
}

/// Deletes every notification `actor` caused `user` to get (at a block); returns the ids.
#[tracing::instrument(skip(conn))]
pub async fn delete_from(
    conn: &mut Conn,
    user: UserId,
    actor: UserId,
) -> sqlx::Result<Vec<NotificationId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "DELETE FROM notifications WHERE user_id = $1 AND actor_id = $2 RETURNING id",
    )
    .bind(user.0)
    .bind(actor.0)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(NotificationId).collect())
}
