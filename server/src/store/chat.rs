//! The chat tables: conversations, messages, hidden messages, reactions, read markers.

use super::Conn;
use app::model::{ConversationId, Message, MessageId, MessageReaction, UserId, UserSummary};
use sqlx::{Row, any::AnyRow};

/// The participants of a conversation, smaller id first.
pub fn pair(a: UserId, b: UserId) -> (UserId, UserId) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The conversation of two users, created on first use.
#[tracing::instrument(skip(conn))]
pub async fn conversation_between(
    conn: &mut Conn,
    a: UserId,
    b: UserId,
    now: i64,
) -> sqlx::Result<ConversationId> {
    let (low, high) = pair(a, b);
    sqlx::query(
        "INSERT INTO conversations (user_low, user_high, created_at, last_message_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (user_low, user_high) DO NOTHING",
    )
    .bind(low.0)
    .bind(high.0)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM conversations WHERE user_low = $1 AND user_high = $2")
            .bind(low.0)
            .bind(high.0)
            .fetch_one(conn)
            .await?;
    Ok(ConversationId(id))
}

/// The two participants of a conversation.
#[tracing::instrument(skip(conn))]
pub async fn participants(
    conn: &mut Conn,
    id: ConversationId,
) -> sqlx::Result<Option<(UserId, UserId)>> {
    let row = sqlx::query("SELECT user_low, user_high FROM conversations WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok((
            UserId(r.try_get("user_low")?),
            UserId(r.try_get("user_high")?),
        ))
    })
    .transpose()
}

/// The message a sender already stored under a client id.
#[tracing::instrument(skip(conn))]
pub async fn by_client_id(
    conn: &mut Conn,
    sender: UserId,
    client_id: &str,
) -> sqlx::Result<Option<MessageId>> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM messages WHERE sender_id = $1 AND client_id = $2")
            .bind(sender.0)
            .bind(client_id)
            .fetch_optional(conn)
            .await?;
    Ok(id.map(MessageId))
}

/// Stores a message, moves its conversation to the top of both lists and counts it
/// unread for the recipient.
#[tracing::instrument(skip(conn, text))]
pub async fn insert(
    conn: &mut Conn,
    conversation: ConversationId,
    sender: UserId,
    client_id: &str,
    text: &str,
    now: i64,
) -> sqlx::Result<MessageId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, sender_id, client_id, text, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(conversation.0)
    .bind(sender.0)
    .bind(client_id)
    .bind(text)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE conversations SET last_message_at = $1 WHERE id = $2")
        .bind(now)
        .bind(conversation.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO conversation_reads (conversation_id, user_id, last_read_id, unread) \
         SELECT c.id, CASE WHEN c.user_low = $2 THEN c.user_high ELSE c.user_low END, 0, 1 \
         FROM conversations c WHERE c.id = $1 \
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET unread = conversation_reads.unread + 1",
    )
    .bind(conversation.0)
    .bind(sender.0)
    .execute(conn)
    .await?;
    Ok(MessageId(id))
}

const SELECT: &str = "SELECT m.id, m.conversation_id, m.sender_id, u.username, m.client_id, m.text, m.created_at, m.deleted \
     FROM messages m JOIN users u ON u.id = m.sender_id";

fn decode(r: &AnyRow) -> sqlx::Result<Message> {
    let deleted = r.try_get::<i64, _>("deleted")? != 0;
    Ok(Message {
        id: MessageId(r.try_get("id")?),
        conversation_id: ConversationId(r.try_get("conversation_id")?),
        sender: UserSummary {
            id: UserId(r.try_get("sender_id")?),
            username: r.try_get("username")?,
        },
        client_id: r.try_get("client_id")?,
        text: if deleted {
            String::new()
        } else {
            r.try_get("text")?
        },
        created_at: r.try_get("created_at")?,
        deleted,
        reactions: Vec::new(),
    })
}

async fn with_reactions(conn: &mut Conn, mut messages: Vec<Message>) -> sqlx::Result<Vec<Message>> {
    for m in &mut messages {
        let rows = sqlx::query(
            "SELECT user_id, emoji FROM message_reactions WHERE message_id = $1 ORDER BY user_id",
        )
        .bind(m.id.0)
        .fetch_all(&mut *conn)
        .await?;
        m.reactions = rows
            .iter()
            .map(|r| {
                Ok(MessageReaction {
                    user: UserId(r.try_get("user_id")?),
                    emoji: r.try_get("emoji")?,
                })
            })
            .collect::<sqlx::Result<_>>()?;
    }
    Ok(messages)
}

/// One message, with its reactions.
#[tracing::instrument(skip(conn))]
pub async fn get(conn: &mut Conn, id: MessageId) -> sqlx::Result<Option<Message>> {
    let row = sqlx::query(&format!("{SELECT} WHERE m.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(message) = row.as_ref().map(decode).transpose()? else {
        return Ok(None);
    };
    Ok(with_reactions(conn, vec![message]).await?.pop())
}

/// Up to `limit` messages of a conversation older than `before`, newest first, without
/// those `viewer` deleted for themselves.
#[tracing::instrument(skip(conn))]
pub async fn page(
    conn: &mut Conn,
    viewer: UserId,
    conversation: ConversationId,
    before: Option<MessageId>,
    limit: i64,
) -> sqlx::Result<Vec<Message>> {
    let sql = format!(
        "{SELECT} WHERE m.conversation_id = $1 AND m.id < $2 \
         AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.message_id = m.id AND h.user_id = $3) \
         ORDER BY m.id DESC LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(conversation.0)
        .bind(before.map_or(i64::MAX, |b| b.0))
        .bind(viewer.0)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let messages = rows.iter().map(decode).collect::<sqlx::Result<Vec<_>>>()?;
    with_reactions(conn, messages).await
}

/// Moves `user`'s read marker forward to `up_to` (never back) and recounts their unread
/// messages. Run it inside a transaction (see [`recount`]).
#[tracing::instrument(skip(conn))]
pub async fn mark_read(
    conn: &mut Conn,
    conversation: ConversationId,
    user: UserId,
    up_to: MessageId,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO conversation_reads (conversation_id, user_id, last_read_id) VALUES ($1, $2, $3) \
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_read_id = \
         CASE WHEN excluded.last_read_id > conversation_reads.last_read_id THEN excluded.last_read_id \
         ELSE conversation_reads.last_read_id END",
    )
    .bind(conversation.0)
    .bind(user.0)
    .bind(up_to.0)
    .execute(&mut *conn)
    .await?;
    recount(conn, conversation, user).await
}

/// SQL: the unread messages of the `conversation_reads` row being updated: those of the
/// other participant after the row's marker, neither deleted nor hidden from its user.
/// The migration that added the counters applies the same definition.
const UNREAD_OF_ROW: &str = "(SELECT COUNT(*) FROM messages m \
     WHERE m.conversation_id = conversation_reads.conversation_id \
     AND m.sender_id <> conversation_reads.user_id AND m.deleted = 0 \
     AND m.id > conversation_reads.last_read_id \
     AND NOT EXISTS (SELECT 1 FROM message_hidden h \
     WHERE h.message_id = m.id AND h.user_id = conversation_reads.user_id))";

/// Recomputes `user`'s unread count in a conversation after a change other than a new
/// message. It costs the messages after their read marker, not the whole history.
///
/// Run it inside a transaction. On PostgreSQL a statement's subquery reads the data as
/// of the statement's start, even if the statement then waits for a row lock; so the
/// row is locked by one statement and counted by the next, which then sees any new
/// message whose `+ 1` it waited for instead of overwriting that `+ 1` with an older
/// count. (SQLite has a single writer, so the order is already total there.)
async fn recount(conn: &mut Conn, conversation: ConversationId, user: UserId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE conversation_reads SET unread = unread WHERE conversation_id = $1 AND user_id = $2",
    )
    .bind(conversation.0)
    .bind(user.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "UPDATE conversation_reads SET unread = {UNREAD_OF_ROW} \
         WHERE conversation_id = $1 AND user_id = $2"
    ))
    .bind(conversation.0)
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// How far `user` has read a conversation.
#[tracing::instrument(skip(conn))]
pub async fn read_up_to(
    conn: &mut Conn,
    conversation: ConversationId,
    user: UserId,
) -> sqlx::Result<MessageId> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT last_read_id FROM conversation_reads WHERE conversation_id = $1 AND user_id = $2",
    )
    .bind(conversation.0)
    .bind(user.0)
    .fetch_optional(conn)
    .await?;
    Ok(MessageId(id.unwrap_or(0)))
}

/// SQL: conversations `c` of user `$1` whose other participant is not blocked with them.
const MINE_NOT_BLOCKED: &str = "(c.user_low = $1 OR c.user_high = $1) AND NOT EXISTS (SELECT 1 FROM blocks b WHERE \
     (b.blocker_id = c.user_low AND b.blocked_id = c.user_high) OR (b.blocker_id = c.user_high AND b.blocked_id = c.user_low))";

/// The query of [`unread_total`], its user as `$1`.
pub(crate) fn unread_total_sql() -> String {
    format!(
        "SELECT CAST(COALESCE(SUM(r.unread), 0) AS BIGINT) FROM conversation_reads r \
         JOIN conversations c ON c.id = r.conversation_id \
         WHERE r.user_id = $1 AND r.unread > 0 AND {MINE_NOT_BLOCKED}"
    )
}

/// The user's unread messages over all their visible conversations: a sum over the
/// counters of conversations with unread messages (an index holds just those).
#[tracing::instrument(skip(conn))]
pub async fn unread_total(conn: &mut Conn, user: UserId) -> sqlx::Result<i64> {
    let total: i64 = sqlx::query_scalar(&unread_total_sql())
        .bind(user.0)
        .fetch_one(conn)
        .await?;
    Ok(total)
}

/// The user's visible conversations with a message, newest first: (id, other, unread).
#[tracing::instrument(skip(conn))]
pub async fn list(
    conn: &mut Conn,
    user: UserId,
) -> sqlx::Result<Vec<(ConversationId, UserSummary, i64)>> {
    let sql = format!(
        "SELECT c.id, u.id AS other_id, u.username, COALESCE(r.unread, 0) AS unread FROM conversations c \
         JOIN users u ON u.id = CASE WHEN c.user_low = $1 THEN c.user_high ELSE c.user_low END \
         LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = $1 \
         WHERE {MINE_NOT_BLOCKED} AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id) \
         ORDER BY c.last_message_at DESC, c.id DESC LIMIT 200"
    );
    let rows = sqlx::query(&sql).bind(user.0).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok((
                ConversationId(r.try_get("id")?),
                UserSummary {
                    id: UserId(r.try_get("other_id")?),
                    username: r.try_get("username")?,
                },
                r.try_get("unread")?,
            ))
        })
        .collect()
}

/// Hides a message from one user ("delete for me"); it no longer counts as unread. Run
/// it inside a transaction (see [`recount`]).
#[tracing::instrument(skip(conn, message), fields(message = message.id.0))]
pub async fn hide(conn: &mut Conn, message: &Message, user: UserId) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO message_hidden (message_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(message.id.0)
    .bind(user.0)
    .execute(&mut *conn)
    .await?;
    recount(conn, message.conversation_id, user).await
}

/// Deletes a message for everyone: its text is erased, a tombstone stays, and
/// `recipient` no longer counts it unread. Run it inside a transaction (see [`recount`]).
#[tracing::instrument(skip(conn, message), fields(message = message.id.0))]
pub async fn delete_for_everyone(
    conn: &mut Conn,
    message: &Message,
    recipient: UserId,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET deleted = 1, text = '' WHERE id = $1")
        .bind(message.id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM message_reactions WHERE message_id = $1")
        .bind(message.id.0)
        .execute(&mut *conn)
        .await?;
    recount(conn, message.conversation_id, recipient).await
}

/// Sets or (with `None`) removes a user's reaction to a message.
#[tracing::instrument(skip(conn))]
pub async fn react(
    conn: &mut Conn,
    message: MessageId,
    user: UserId,
    emoji: Option<&str>,
) -> sqlx::Result<()> {
    match emoji {
        Some(emoji) => {
            sqlx::query(
                "INSERT INTO message_reactions (message_id, user_id, emoji) VALUES ($1, $2, $3) \
                 ON CONFLICT (message_id, user_id) DO UPDATE SET emoji = excluded.emoji",
            )
            .bind(message.0)
            .bind(user.0)
            .bind(emoji)
            .execute(conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2")
                .bind(message.0)
                .bind(user.0)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}
