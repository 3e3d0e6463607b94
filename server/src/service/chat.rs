//! One-to-one chat: messages reach only the two participants' rooms, persisted first,
//! then emitted, then acked; never across a block.

use super::Services;
use crate::{
    db::now_ms,
    error::Result,
    realtime::Audience,
    store::{self, is_unique_violation},
};
use app::{
    error::ApiError,
    events::{
        MessageChanged, MessagePayload, MessageReceived, MessageRef, MessageRemoved, MessagesRead,
        NotificationsUpdate, ReadReceipt, Typing, TypingPayload, UnreadChanged, UnreadTotal,
    },
    model::{
        BoundedText, ChatOpen, ConversationId, ConversationSummary, MESSAGE_EMOJIS,
        MESSAGE_PAGE_SIZE, MESSAGE_TEXT_MAX, Message, MessageId, MessagePage, NotificationId,
        OutgoingMessage, UserId,
    },
    service::Viewer,
};

impl Services {
    /// The other participant of a conversation the viewer is in; 404 if they are not in
    /// it (or it does not exist).
    pub(super) async fn other_participant(
        &self,
        conn: &mut store::Conn,
        viewer: &Viewer,
        id: ConversationId,
    ) -> Result<UserId> {
        let me = viewer.user.id;
        match store::chat::participants(conn, id).await? {
            Some((low, high)) if low == me => Ok(high),
            Some((low, high)) if high == me => Ok(low),
            _ => Err(ApiError::not_found("Conversation").into()),
        }
    }

    /// Refuses with 403 `blocked` when the two are blocked either way.
    async fn refuse_across_block(
        &self,
        conn: &mut store::Conn,
        me: UserId,
        other: UserId,
    ) -> Result<()> {
        if store::graph::is_blocked_pair(conn, me, other).await? {
            return Err(ApiError::blocked().into());
        }
        Ok(())
    }

    /// The other participant of a conversation the viewer may use: 404 if they are not in
    /// it, 403 `blocked` across a block.
    async fn chat_partner(
        &self,
        conn: &mut store::Conn,
        viewer: &Viewer,
        id: ConversationId,
    ) -> Result<UserId> {
        let other = self.other_participant(conn, viewer, id).await?;
        self.refuse_across_block(conn, viewer.user.id, other)
            .await?;
        Ok(other)
    }

    /// A message in a conversation the viewer is in, and the other participant (blocks
    /// are the caller's to check: deleting for oneself is allowed across one).
    async fn chat_message(
        &self,
        conn: &mut store::Conn,
        viewer: &Viewer,
        id: MessageId,
    ) -> Result<(Message, UserId)> {
        let message = store::chat::get(conn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("Message"))?;
        let other = self
            .other_participant(conn, viewer, message.conversation_id)
            .await?;
        Ok((message, other))
    }

    async fn announce_unread(&self, user: UserId) -> Result<()> {
        let total = {
            let mut conn = self.db().acquire().await?;
            store::chat::unread_total(&mut conn, user).await?
        };
        self.emitter()
            .emit::<UnreadChanged>(&Audience::Users(vec![user]), &UnreadTotal { total })
            .await;
        Ok(())
    }

    /// Sends a message. A retry with the same client id stores nothing new, delivers
    /// nothing new and returns the original.
    pub async fn send_message(&self, viewer: &Viewer, out: OutgoingMessage) -> Result<Message> {
        let me = viewer.user.id;
        let text = BoundedText::parse(&out.text, "text", MESSAGE_TEXT_MAX)?.into_inner();
        let client_id = out.client_id.trim();
        if client_id.is_empty() || client_id.chars().count() > 64 {
            return Err(ApiError::validation(
                "client_id",
                "A message needs a client id of 1 to 64 characters.",
            )
            .into());
        }
        if out.to == me {
            return Err(ApiError::validation("to", "You can't message yourself.").into());
        }
        let mut tx = self.db().begin().await?;
        if let Some(id) = store::chat::by_client_id(&mut tx, me, client_id).await? {
            let original = store::chat::get(&mut tx, id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("message {id:?} vanished"))?;
            return Ok(original);
        }
        if store::users::summary_by_id(&mut tx, out.to)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found("User").into());
        }
        if store::graph::is_blocked_pair(&mut tx, me, out.to).await? {
            return Err(ApiError::blocked().into());
        }
        let now = now_ms();
        let conversation = store::chat::conversation_between(&mut tx, me, out.to, now).await?;
        let id = match store::chat::insert(&mut tx, conversation, me, client_id, &text, now).await {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                // A concurrent retry of the same message won: answer with it.
                drop(tx);
                let mut conn = self.db().acquire().await?;
                let id = store::chat::by_client_id(&mut conn, me, client_id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("lost message {client_id}"))?;
                return Ok(store::chat::get(&mut conn, id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("message {id:?} vanished"))?);
            }
            Err(e) => return Err(e.into()),
        };
        // Replying reads what came before.
        let read = read_up_to(&mut tx, conversation, me, id, now).await?;
        let message = store::chat::get(&mut tx, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("message {id:?} vanished"))?;
        let notification = store::notifications::NewNotification {
            user: out.to,
            kind: app::model::NotificationKind::Message,
            actor: me,
            post: None,
            conversation: Some(conversation),
            reaction: None,
            excerpt: &text,
        };
        let written = self.notify_in(&mut tx, notification).await?;
        tx.commit().await?;
        let to = out.to;
        let payload = MessagePayload {
            message: message.clone(),
        };
        self.fan_out_by::<MessageReceived>(Some(me), &payload, async |c| {
            pair_audience(c, me, to).await
        })
        .await?;
        self.announce_unread(to).await?;
        self.announce_notification(written).await?;
        self.announce_if_any(me, NotificationsUpdate::read(read))
            .await?;
        Ok(message)
    }

    /// The viewer's conversations, newest first, without those with blocked users.
    pub async fn conversations(&self, viewer: &Viewer) -> Result<Vec<ConversationSummary>> {
        let me = viewer.user.id;
        let mut conn = self.db().acquire().await?;
        let rows = store::chat::list(&mut conn, me).await?;
        let mut all = Vec::with_capacity(rows.len());
        for (id, other, unread) in rows {
            let last_message = store::chat::page(&mut conn, me, id, None, 1).await?.pop();
            let other_read_up_to = store::chat::read_up_to(&mut conn, id, other.id).await?;
            all.push(ConversationSummary {
                id,
                other,
                last_message,
                unread,
                other_read_up_to,
            });
        }
        Ok(all)
    }

    /// A page of a conversation, oldest first within the page.
    pub async fn messages(
        &self,
        viewer: &Viewer,
        id: ConversationId,
        before: Option<MessageId>,
    ) -> Result<MessagePage> {
        let mut conn = self.db().acquire().await?;
        self.chat_partner(&mut conn, viewer, id).await?;
        let fetched = store::chat::page(
            &mut conn,
            viewer.user.id,
            id,
            before,
            super::fetch_limit(MESSAGE_PAGE_SIZE),
        )
        .await?;
        let (mut messages, next_before) = super::paged(fetched, MESSAGE_PAGE_SIZE, |m| m.id);
        messages.reverse();
        Ok(MessagePage {
            messages,
            next_before,
        })
    }

    /// The conversation with `username` (created on first use), to open it: 403
    /// `blocked` across a block.
    pub async fn conversation_with(&self, viewer: &Viewer, username: &str) -> Result<ChatOpen> {
        let mut tx = self.db().begin().await?;
        let other = self
            .other_user(&mut tx, viewer, username, "message")
            .await?;
        if store::graph::is_blocked_pair(&mut tx, viewer.user.id, other.id).await? {
            return Err(ApiError::blocked().into());
        }
        let id =
            store::chat::conversation_between(&mut tx, viewer.user.id, other.id, now_ms()).await?;
        let other_read_up_to = store::chat::read_up_to(&mut tx, id, other.id).await?;
        let other_online = store::presence::is_online(&mut tx, other.id).await?;
        tx.commit().await?;
        Ok(ChatOpen {
            id,
            other,
            other_read_up_to,
            other_online,
        })
    }

    /// The viewer's unread total.
    pub async fn unread_total(&self, viewer: &Viewer) -> Result<i64> {
        let mut conn = self.db().acquire().await?;
        Ok(store::chat::unread_total(&mut conn, viewer.user.id).await?)
    }

    /// Marks a conversation read up to a message; the other person gets a read receipt.
    pub async fn mark_read(
        &self,
        viewer: &Viewer,
        id: ConversationId,
        up_to: MessageId,
    ) -> Result<ReadReceipt> {
        let me = viewer.user.id;
        let (other, read) = {
            let mut tx = self.db().begin().await?;
            let other = self.chat_partner(&mut tx, viewer, id).await?;
            let read = read_up_to(&mut tx, id, me, up_to, now_ms()).await?;
            tx.commit().await?;
            (other, read)
        };
        let receipt = ReadReceipt {
            conversation_id: id,
            reader: me,
            up_to,
        };
        self.fan_out::<MessagesRead>(&receipt, async |c| pair_audience(c, me, other).await)
            .await?;
        self.announce_unread(me).await?;
        self.announce_if_any(me, NotificationsUpdate::read(read))
            .await?;
        Ok(receipt)
    }

    /// Tells the other participant the viewer is typing (clients send this at most every
    /// few seconds).
    pub async fn typing(&self, viewer: &Viewer, id: ConversationId) -> Result<()> {
        let me = viewer.user.id;
        let other = {
            let mut conn = self.db().acquire().await?;
            self.chat_partner(&mut conn, viewer, id).await?
        };
        let payload = TypingPayload {
            conversation_id: id,
            user: me,
        };
        self.fan_out::<Typing>(&payload, async |c| partner_audience(c, me, other).await)
            .await
    }

    /// Sets or removes the viewer's emoji on a message; both participants see it.
    pub async fn react_to_message(
        &self,
        viewer: &Viewer,
        id: MessageId,
        emoji: Option<String>,
    ) -> Result<Message> {
        if let Some(e) = &emoji
            && !MESSAGE_EMOJIS.contains(&e.as_str())
        {
            return Err(ApiError::validation("emoji", "Pick one of the offered emoji.").into());
        }
        let me = viewer.user.id;
        let mut tx = self.db().begin().await?;
        let (message, other) = self.chat_message(&mut tx, viewer, id).await?;
        self.refuse_across_block(&mut tx, me, other).await?;
        if message.deleted {
            return Err(ApiError::not_found("Message").into());
        }
        store::chat::react(&mut tx, id, me, emoji.as_deref()).await?;
        let message = store::chat::get(&mut tx, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("message {id:?} vanished"))?;
        tx.commit().await?;
        let payload = MessagePayload {
            message: message.clone(),
        };
        self.fan_out::<MessageChanged>(&payload, async |_| Ok(Audience::Users(vec![me, other])))
            .await?;
        Ok(message)
    }

    /// Deletes a message for the viewer alone, or (their own) for both.
    pub async fn delete_message(
        &self,
        viewer: &Viewer,
        id: MessageId,
        for_everyone: bool,
    ) -> Result<MessageRef> {
        let me = viewer.user.id;
        let mut tx = self.db().begin().await?;
        let (message, other) = self.chat_message(&mut tx, viewer, id).await?;
        let reference = MessageRef {
            conversation_id: message.conversation_id,
            id,
        };
        if for_everyone {
            self.refuse_across_block(&mut tx, me, other).await?;
            if message.sender.id != me {
                return Err(ApiError::forbidden().into());
            }
            store::chat::delete_for_everyone(&mut tx, &message, other).await?;
            let message = store::chat::get(&mut tx, id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("message {id:?} vanished"))?;
            tx.commit().await?;
            let payload = MessagePayload { message };
            self.fan_out::<MessageChanged>(&payload, async |_| {
                Ok(Audience::Users(vec![me, other]))
            })
            .await?;
            self.announce_unread(other).await?;
        } else {
            store::chat::hide(&mut tx, &message, me).await?;
            tx.commit().await?;
            self.emitter()
                .emit::<MessageRemoved>(&Audience::Users(vec![me]), &reference)
                .await;
            self.announce_unread(me).await?;
        }
        Ok(reference)
    }
}

/// Moves `reader`'s read marker in `conversation` to `up_to` (never back) and, once
/// nothing in it is unread for them, reads its message notification ("X sent you 3
/// messages" is stale then); returns the notifications read. Run it in a transaction.
async fn read_up_to(
    conn: &mut store::Conn,
    conversation: ConversationId,
    reader: UserId,
    up_to: MessageId,
    now: i64,
) -> Result<Vec<NotificationId>> {
    store::chat::mark_read(conn, conversation, reader, up_to).await?;
    Ok(store::notifications::read_conversation(conn, reader, conversation, now).await?)
}

/// Where a chat event goes: both participants' tabs, or only the actor's across a block.
async fn pair_audience(
    conn: &mut store::Conn,
    me: UserId,
    other: UserId,
) -> sqlx::Result<Audience> {
    let blocked = store::graph::is_blocked_pair(conn, me, other).await?;
    Ok(Audience::Users(if blocked {
        vec![me]
    } else {
        vec![me, other]
    }))
}

/// Where an event for the other participant only goes: to them, or nowhere across a block.
async fn partner_audience(
    conn: &mut store::Conn,
    me: UserId,
    other: UserId,
) -> sqlx::Result<Audience> {
    Ok(pair_audience(conn, me, other).await?.without(&[me]))
}
