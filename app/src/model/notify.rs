//! Notifications, presence and catch-up: the shapes pages, the JSON API and the
//! realtime contract share.

use super::{ConversationId, PostId, ReactionKind, UserSummary};
use serde::{Deserialize, Serialize};

/// A notification's id; ids grow with time, so they double as the page cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotificationId(pub i64);

/// What a notification is about, each switchable in settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Someone commented on the recipient's post.
    Comment,
    /// Someone reacted to the recipient's post.
    Reaction,
    /// Someone followed the recipient.
    Follow,
    /// Someone messaged the recipient while they were not in that conversation.
    Message,
}

impl NotificationKind {
    /// Every kind, in the order settings show them.
    pub const ALL: [NotificationKind; 4] = [
        NotificationKind::Comment,
        NotificationKind::Reaction,
        NotificationKind::Follow,
        NotificationKind::Message,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Comment => "comment",
            NotificationKind::Reaction => "reaction",
            NotificationKind::Follow => "follow",
            NotificationKind::Message => "message",
        }
    }

    /// The kind stored as `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What the settings page calls it.
    pub fn label(self) -> &'static str {
        match self {
            NotificationKind::Comment => "Comments on my posts",
            NotificationKind::Reaction => "Reactions to my posts",
            NotificationKind::Follow => "New followers",
            NotificationKind::Message => "Messages",
        }
    }
}

/// One notification as its recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Its id.
    pub id: NotificationId,
    /// What happened.
    pub kind: NotificationKind,
    /// Who did it.
    pub actor: UserSummary,
    /// The post it is about (comments and reactions).
    pub post_id: Option<PostId>,
    /// The conversation it is about (messages).
    pub conversation_id: Option<ConversationId>,
    /// The reaction (reactions).
    pub reaction: Option<ReactionKind>,
    /// A short excerpt: the comment's or the message's text.
    pub excerpt: String,
    /// How many events it stands for (several messages in one conversation, say).
    pub count: i64,
    /// When it last changed, Unix milliseconds.
    pub created_at: i64,
    /// Has the recipient read it?
    pub read: bool,
}

/// A page of notifications, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NotificationPage {
    /// Up to [`NOTIFICATION_PAGE_SIZE`] notifications.
    pub items: Vec<Notification>,
    /// Pass as `before` to get the next page; `None` at the end.
    pub next_before: Option<NotificationId>,
    /// The recipient's unread count, from storage.
    pub unread: i64,
}

/// How many notifications one page holds.
pub const NOTIFICATION_PAGE_SIZE: usize = 20;

/// Which notification kinds a user gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Comments on one's posts.
    pub comment: bool,
    /// Reactions to one's posts.
    pub reaction: bool,
    /// New followers.
    pub follow: bool,
    /// Messages while not in the conversation.
    pub message: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            comment: true,
            reaction: true,
            follow: true,
            message: true,
        }
    }
}

impl NotificationSettings {
    /// Is `kind` switched on?
    pub fn enabled(&self, kind: NotificationKind) -> bool {
        match kind {
            NotificationKind::Comment => self.comment,
            NotificationKind::Reaction => self.reaction,
            NotificationKind::Follow => self.follow,
            NotificationKind::Message => self.message,
        }
    }

    /// Switches `kind` on or off.
    pub fn set(&mut self, kind: NotificationKind, on: bool) {
        match kind {
            NotificationKind::Comment => self.comment = on,
            NotificationKind::Reaction => self.reaction = on,
            NotificationKind::Follow => self.follow = on,
            NotificationKind::Message => self.message = on,
        }
    }
}

/// Who of the people the viewer may see is online now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OnlineUsers {
    /// Online users, by username: all of them, or the first [`ONLINE_SHOWN`] where the
    /// list was asked for shortened (a page shows no more).
    pub users: Vec<UserSummary>,
    /// How many more are online beyond `users` (0 when `users` is the whole list).
    #[serde(default)]
    pub more: u64,
}

/// How many online users the "Online now" list names; the rest are a count. A page
/// carries the list (its HTML and its hydration data), so it must not grow with
/// everyone online.
pub const ONLINE_SHOWN: usize = 20;

/// The payload of `presence:watch` and `presence:unwatch`: nothing to say but the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PresenceWatch {}

/// One user came online or went offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceChange {
    /// Who.
    pub user: UserSummary,
    /// Online now?
    pub online: bool,
}

/// A catch-up request: the offset of the last event the client has (none on a first
/// connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// The offset of the last server event received.
    pub since: Option<u64>,
}

/// One missed event, replayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayedEvent {
    /// Its offset.
    pub offset: u64,
    /// Its name, as in the contract.
    pub event: String,
    /// Its payload.
    pub payload: serde_json::Value,
}

/// The answer to a catch-up request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncReply {
    /// Every event addressed to the client after `since`, oldest first.
    Events {
        /// The missed events, in order.
        events: Vec<ReplayedEvent>,
        /// The newest offset now: remember it.
        head: u64,
    },
    /// The gap is longer than the catch-up window: reload the page's data.
    Reload {
        /// The newest offset now: remember it after reloading.
        head: u64,
    },
}

/// Sent after the server lost events for a while (its message bus was down): catch up
/// from `from`, dropping what was already received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResyncHint {
    /// The offset to catch up from.
    pub from: u64,
}

/// The conversation a tab shows, so its messages do not also notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatFocus {
    /// The conversation on screen, or none.
    pub conversation_id: Option<ConversationId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
            let wire = serde_json::to_value(kind).unwrap();
            assert_eq!(wire, kind.as_str());
        }
        assert_eq!(NotificationKind::parse("poke"), None);
    }

    #[test]
    fn settings_switch_each_kind() {
        let mut s = NotificationSettings::default();
        assert!(NotificationKind::ALL.iter().all(|k| s.enabled(*k)));
        s.set(NotificationKind::Reaction, false);
        assert!(!s.enabled(NotificationKind::Reaction));
        assert!(s.enabled(NotificationKind::Comment));
    }

    #[test]
    fn sync_replies_are_tagged() {
        let reload = serde_json::to_value(SyncReply::Reload { head: 9 }).unwrap();
        assert_eq!(reload, serde_json::json!({"kind": "reload", "head": 9}));
    }
}
