//! One-to-one chat: conversations, messages, read state.

use super::{UserId, UserSummary};
use serde::{Deserialize, Serialize};

/// A conversation's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConversationId(pub i64);

/// A message's id; ids grow with time within and across conversations.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct MessageId(pub i64);

/// The most characters a message may have.
pub const MESSAGE_TEXT_MAX: usize = 4000;
/// How many messages one page holds.
pub const MESSAGE_PAGE_SIZE: usize = 50;
/// The emoji a message can be reacted to with.
pub const MESSAGE_EMOJIS: &[&str] = &["👍", "❤️", "😂", "😮", "😢", "🙏"];

/// One user's reaction to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageReaction {
    /// Who.
    pub user: UserId,
    /// Which emoji, one of [`MESSAGE_EMOJIS`].
    pub emoji: String,
}

/// A message as its participants see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The stored id.
    pub id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Who sent it.
    pub sender: UserSummary,
    /// The sender's id for it (retries reuse it).
    pub client_id: String,
    /// The text; empty once deleted for everyone.
    pub text: String,
    /// When it was sent, milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Deleted for everyone ("message deleted").
    pub deleted: bool,
    /// Reactions, one per participant at most.
    pub reactions: Vec<MessageReaction>,
}

/// A conversation in the list: the other person, the last message, the unread count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    /// Which conversation.
    pub id: ConversationId,
    /// The other participant.
    pub other: UserSummary,
    /// The newest message the viewer can see, if any.
    pub last_message: Option<Message>,
    /// Messages from the other person the viewer has not read.
    pub unread: i64,
    /// How far the other person has read (for read receipts).
    pub other_read_up_to: MessageId,
}

/// A page of a conversation's messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MessagePage {
    /// Up to [`MESSAGE_PAGE_SIZE`] messages.
    pub messages: Vec<Message>,
    /// Pass as `before` for the page of older messages; `None` at the start.
    pub next_before: Option<MessageId>,
}

/// What a client sends: a message to a user, with its own id for safe retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// The recipient.
    pub to: UserId,
    /// 1 to 64 characters chosen by the client; a retry sends the same.
    pub client_id: String,
    /// 1 to 4000 characters.
    pub text: String,
}

/// A conversation being opened: its id, the other person, how far they have read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatOpen {
    /// The conversation.
    pub id: ConversationId,
    /// The other participant.
    pub other: UserSummary,
    /// How far the other person has read.
    pub other_read_up_to: MessageId,
    /// Was the other person online when this was answered? The tab's live presence
    /// replaces it once the tab watches presence.
    #[serde(default)]
    pub other_online: bool,
}
