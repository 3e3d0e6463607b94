//! THE realtime contract: every Socket.IO event's name, direction, payload and ack.
//!
//! Server-to-client events implement [`ServerEvent`]; client-to-server events implement
//! [`ClientEvent`] and are answered with an ack carrying `Result<Ack, ApiError>`.
//! Each event is an uninhabited marker type, so it can only be used as a type parameter:
//! `emit::<PostCreated>(&payload)`. Both are generated from the one table below.
//!
//! The server's emitter accepts only server events, and the browser client emits only
//! client events; the wrong direction does not compile:
//!
//! ```compile_fail,E0277
//! use app::events::*;
//! fn client_emit<E: ClientEvent>(_: &E::Payload) {}
//! // A server-to-client event cannot be emitted by the client.
//! client_emit::<PostCreated>(&PostPayload { post: todo!() });
//! ```
//!
//! ```compile_fail,E0277
//! use app::events::*;
//! fn server_emit<E: ServerEvent>(_: &E::Payload) {}
//! // A client-to-server event cannot be emitted by the server.
//! server_emit::<CreatePost>(&todo!());
//! ```
//!
//! ```compile_fail,E0308
//! use app::events::*;
//! fn server_emit<E: ServerEvent>(_: &E::Payload) {}
//! // A payload of the wrong type does not compile either.
//! server_emit::<PostDeleted>(&PostPayload { post: todo!() });
//! ```

use crate::error::ApiError;
use crate::model::{
    ChatFocus, Notification, NotificationId, OnlineUsers, PresenceChange, PresenceWatch,
    ResyncHint, SyncReply, SyncRequest,
};
use crate::model::{
    Comment, CommentId, ConversationId, Message, MessageId, OutgoingMessage, Post, PostDraft,
    PostId, ProfileInfo, ReactionCounts, ReactionKind, UserId, UserSummary,
};
use serde::{Serialize, de::DeserializeOwned};

/// An event the server sends to browsers.
pub trait ServerEvent: 'static {
    /// The Socket.IO event name.
    const NAME: &'static str;
    /// The one payload struct it carries.
    type Payload: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static;
    /// Is it logged, numbered with an offset and replayed on catch-up? Transient events
    /// (typing, presence) are not: a late one would be wrong.
    const DURABLE: bool;
}

/// An event a browser sends to the server, always answered with an ack.
pub trait ClientEvent: 'static {
    /// The Socket.IO event name.
    const NAME: &'static str;
    /// The one payload struct it carries.
    type Payload: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static;
    /// What a successful ack carries; failures carry an [`ApiError`].
    type Ack: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static;
}

/// What every ack carries on the wire.
pub type AckResult<A> = Result<A, ApiError>;

macro_rules! contract {
    (
        server { $( $(#[$sm:meta])* $sname:ident = $swire:literal => $spayload:ty $(, $transient:ident)?; )* }
        client { $( $(#[$cm:meta])* $cname:ident = $cwire:literal => $cpayload:ty, ack $cack:ty; )* }
    ) => {
        $(
            $(#[$sm])*
            #[derive(Debug)]
            pub enum $sname {}
            impl ServerEvent for $sname {
                const NAME: &'static str = $swire;
                type Payload = $spayload;
                const DURABLE: bool = contract!(@durable $($transient)?);
            }
        )*
        $(
            $(#[$cm])*
            #[derive(Debug)]
            pub enum $cname {}
            impl ClientEvent for $cname {
                const NAME: &'static str = $cwire;
                type Payload = $cpayload;
                type Ack = $cack;
            }
        )*
        /// Every server-to-client event name.
        pub const SERVER_EVENTS: &[&str] = &[$($swire),*];
        /// Every client-to-server event name.
        pub const CLIENT_EVENTS: &[&str] = &[$($cwire),*];
        /// Every server event name with whether it is durable (logged and replayed).
        pub const SERVER_EVENT_DURABILITY: &[(&str, bool)] =
            &[$(($swire, contract!(@durable $($transient)?))),*];
    };
    (@durable) => { true };
    (@durable transient) => { false };
}

/// A post, as stored (for created and updated).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostPayload {
    /// The stored post.
    pub post: Post,
}

/// A reference to a post by id (deleted; delete request and its ack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostRef {
    /// The post's id.
    pub id: PostId,
}

/// An edit of one's own post.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostEdit {
    /// Which post.
    pub id: PostId,
    /// Its new content.
    pub draft: PostDraft,
}

/// A new comment and the post's comment count after it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentPayload {
    /// The stored comment.
    pub comment: Comment,
    /// The post's comment count including it.
    pub comment_count: i64,
}

/// A post's reaction counts after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReactionsPayload {
    /// Which post.
    pub post_id: PostId,
    /// Its counts now.
    pub counts: ReactionCounts,
}

/// A user's follower and following counts after a follow or unfollow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FollowCounts {
    /// Whose counts.
    pub user: UserId,
    /// How many follow them.
    pub followers: i64,
    /// How many they follow.
    pub following: i64,
}

/// A user's edited profile details.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProfilePayload {
    /// Whose.
    pub user: UserSummary,
    /// The details now.
    pub info: ProfileInfo,
}

/// A reference to a user by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserRef {
    /// The user's id.
    pub user: UserId,
}

/// A comment to add to a post.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewComment {
    /// Which post.
    pub post_id: PostId,
    /// The text, 1 to 2000 characters.
    pub text: String,
}

/// The reaction to have on a post (`None` removes one's reaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReactionRequest {
    /// Which post.
    pub post_id: PostId,
    /// The reaction to have, or none.
    pub kind: Option<ReactionKind>,
}

/// The reactions of a post as the reacting user sees them after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReactionState {
    /// Which post.
    pub post_id: PostId,
    /// Its counts now.
    pub counts: ReactionCounts,
    /// The user's own reaction now.
    pub mine: Option<ReactionKind>,
}

/// A reference to a comment by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentRef {
    /// The comment's id.
    pub id: CommentId,
}

/// A chat message, new or changed (deleted for everyone, reacted to).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MessagePayload {
    /// The message as stored.
    pub message: Message,
}

/// A reference to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MessageRef {
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// The message.
    pub id: MessageId,
}

/// How far someone has read a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReadReceipt {
    /// Which conversation.
    pub conversation_id: ConversationId,
    /// Who read.
    pub reader: UserId,
    /// Up to which message.
    pub up_to: MessageId,
}

/// Someone is typing in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TypingPayload {
    /// Where.
    pub conversation_id: ConversationId,
    /// Who.
    pub user: UserId,
}

/// The recipient's total of unread messages, from storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnreadTotal {
    /// Unread messages over all conversations.
    pub total: i64,
}

/// Mark a conversation read up to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MarkRead {
    /// Which conversation.
    pub conversation_id: ConversationId,
    /// Up to which message (later ones stay unread).
    pub up_to: MessageId,
}

/// Tell the other person one is typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TypingNotice {
    /// Where.
    pub conversation_id: ConversationId,
}

/// React to a message with an emoji, or remove one's reaction with `None`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MessageReactionRequest {
    /// Which message.
    pub id: MessageId,
    /// One of `MESSAGE_EMOJIS`, or none.
    pub emoji: Option<String>,
}

/// Delete a message for oneself, or (one's own) for everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeleteMessageRequest {
    /// Which message.
    pub id: MessageId,
    /// For everyone (own messages only) rather than just for oneself.
    pub for_everyone: bool,
}

/// A new or updated notification and the recipient's unread count after it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotificationPayload {
    /// The notification as stored.
    pub notification: Notification,
    /// The notification it takes the place of (a second message in a conversation, a
    /// changed reaction), to drop from the list.
    pub replaces: Option<NotificationId>,
    /// Unread notifications now, from storage.
    pub unread: i64,
}

/// Notifications read or deleted, and the unread count after it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub struct NotificationsUpdate {
    /// Marked read.
    pub read: Vec<NotificationId>,
    /// Every notification was marked read.
    pub all_read: bool,
    /// Deleted (or withdrawn: an undone reaction, a block).
    pub deleted: Vec<NotificationId>,
    /// Unread notifications now, from storage.
    pub unread: i64,
}

impl NotificationsUpdate {
    /// These were marked read.
    pub fn read(ids: Vec<NotificationId>) -> Self {
        Self {
            read: ids,
            ..Self::default()
        }
    }

    /// These were deleted.
    pub fn deleted(ids: Vec<NotificationId>) -> Self {
        Self {
            deleted: ids,
            ..Self::default()
        }
    }

    /// Nothing was read or deleted.
    pub fn is_empty(&self) -> bool {
        self.read.is_empty() && self.deleted.is_empty() && !self.all_read
    }
}

contract! {
    server {
        /// A post the recipient may see was created.
        PostCreated = "post:created" => PostPayload;
        /// A post the recipient may see was edited.
        PostUpdated = "post:updated" => PostPayload;
        /// A post the recipient could see was deleted (or is no longer visible to them).
        PostDeleted = "post:deleted" => PostRef;
        /// A comment on a post the recipient may see.
        CommentCreated = "comment:created" => CommentPayload;
        /// The reaction counts of a post the recipient may see changed.
        ReactionsChanged = "post:reactions" => ReactionsPayload;
        /// A watched profile's follower counts changed.
        FollowChanged = "follow:changed" => FollowCounts, transient;
        /// A watched profile's details changed.
        ProfileUpdated = "profile:updated" => ProfilePayload, transient;
        /// The recipient and this user are now blocked (either way): drop their content.
        UserHidden = "user:hidden" => UserRef;
        /// The block between the recipient and this user is gone: their content may be reloaded.
        UserVisible = "user:visible" => UserRef;
        /// A new message in one of the recipient's conversations.
        MessageReceived = "chat:message" => MessagePayload;
        /// A message changed: deleted for everyone, or reacted to.
        MessageChanged = "chat:changed" => MessagePayload;
        /// The recipient deleted this message for themselves (in another tab, say).
        MessageRemoved = "chat:removed" => MessageRef;
        /// Someone read a conversation up to a message.
        MessagesRead = "chat:read" => ReadReceipt;
        /// The other person is typing.
        Typing = "chat:typing" => TypingPayload, transient;
        /// The recipient's unread total changed.
        UnreadChanged = "chat:unread" => UnreadTotal;
        /// A new (or grown) notification for the recipient, with their unread count.
        NotificationReceived = "notification:new" => NotificationPayload;
        /// The recipient read or deleted notifications (in another tab, say).
        NotificationsChanged = "notification:changed" => NotificationsUpdate;
        /// A user the recipient may see came online or went offline (to the tabs that
        /// watch presence, see [`WatchPresence`]).
        PresenceChanged = "presence:changed" => PresenceChange, transient;
        /// Events may have been lost for a while: catch up from an offset.
        SyncHint = "sync:hint" => ResyncHint, transient;
    }
    client {
        /// Create a post; acks with the stored post.
        CreatePost = "post:create" => PostDraft, ack Post;
        /// Edit one's own post; acks with the stored post.
        EditPost = "post:edit" => PostEdit, ack Post;
        /// Delete one's own post; acks with its id.
        DeletePost = "post:delete" => PostRef, ack PostRef;
        /// Comment on a post; acks with the stored comment.
        AddComment = "comment:add" => NewComment, ack Comment;
        /// Set or remove one's reaction to a post; acks with the counts after it.
        React = "post:react" => ReactionRequest, ack ReactionState;
        /// Receive live changes of a profile while its page is open.
        WatchProfile = "profile:watch" => UserRef, ack UserRef;
        /// Stop receiving them.
        UnwatchProfile = "profile:unwatch" => UserRef, ack UserRef;
        /// Send a chat message; acks with the stored message (the same one for a retry).
        SendMessage = "chat:send" => OutgoingMessage, ack Message;
        /// Mark a conversation read; acks with the receipt.
        MarkConversationRead = "chat:mark-read" => MarkRead, ack ReadReceipt;
        /// Tell the other person one is typing.
        StartTyping = "chat:type" => TypingNotice, ack TypingNotice;
        /// React to a message; acks with the message.
        ReactToMessage = "chat:react" => MessageReactionRequest, ack Message;
        /// Delete a message; acks with its reference.
        DeleteMessage = "chat:delete" => DeleteMessageRequest, ack MessageRef;
        /// Catch up: every event addressed to the client since an offset, or "reload".
        CatchUp = "sync" => SyncRequest, ack SyncReply;
        /// Say which conversation the tab shows (its messages then do not notify).
        FocusChat = "chat:focus" => ChatFocus, ack ChatFocus;
        /// Receive `presence:changed` while the tab shows who is online; acks with who
        /// is online now (read after joining, so no change falls between the two).
        WatchPresence = "presence:watch" => PresenceWatch, ack OnlineUsers;
        /// Stop receiving them.
        UnwatchPresence = "presence:unwatch" => PresenceWatch, ack PresenceWatch;
    }
}

/// Is `name` a durable server event (one that carries an offset and is replayed)?
pub fn is_durable_event(name: &str) -> bool {
    SERVER_EVENT_DURABILITY
        .iter()
        .any(|(event, durable)| *event == name && *durable)
}

/// Is `name` a client-to-server event of the contract?
pub fn is_client_event(name: &str) -> bool {
    CLIENT_EVENTS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_event_name_repeats_in_either_direction() {
        let mut all: Vec<&str> = SERVER_EVENTS.iter().chain(CLIENT_EVENTS).copied().collect();
        let total = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), total, "an event name is used twice: {all:?}");
    }

    #[test]
    fn names_are_not_reserved_by_socket_io() {
        const RESERVED: &[&str] = &[
            "connect",
            "connect_error",
            "disconnect",
            "disconnecting",
            "newListener",
            "removeListener",
        ];
        for name in SERVER_EVENTS.iter().chain(CLIENT_EVENTS) {
            assert!(!RESERVED.contains(name), "{name} is reserved");
            assert!(!name.is_empty());
        }
    }

    #[test]
    fn the_table_and_the_traits_agree() {
        assert_eq!(<PostCreated as ServerEvent>::NAME, "post:created");
        assert_eq!(<CreatePost as ClientEvent>::NAME, "post:create");
        assert!(is_client_event(DeletePost::NAME) && !is_client_event(PostDeleted::NAME));
    }

    #[test]
    fn typing_and_presence_are_transient_the_rest_durable() {
        const {
            assert!(
                PostCreated::DURABLE && MessageReceived::DURABLE && NotificationReceived::DURABLE
            );
            assert!(!Typing::DURABLE && !PresenceChanged::DURABLE && !SyncHint::DURABLE);
        }
        assert!(is_durable_event("comment:created"));
        assert!(!is_durable_event("chat:typing") && !is_durable_event("nope"));
    }

    #[test]
    fn acks_carry_a_result() {
        let err: AckResult<PostRef> = Err(ApiError::forbidden());
        let wire = serde_json::to_value(&err).unwrap();
        assert_eq!(wire["Err"]["code"], "forbidden");
        let ok: AckResult<PostRef> =
            serde_json::from_value(serde_json::json!({"Ok": {"id": 7}})).unwrap();
        assert_eq!(ok.unwrap().id, PostId(7));
    }
}
