//! The service layer as `app` sees it: a trait the server implements and puts in
//! Leptos context, so server functions reach storage without `app` knowing SQL.

use crate::error::ApiError;
use crate::events::ReactionState;
use crate::model::{
    ChatOpen, Comment, CommentDraft, CommentId, CommentPage, ConversationId, ConversationSummary,
    FeedPage, MessageId, MessagePage, NotificationId, NotificationPage, NotificationSettings,
    OnlineUsers, PeoplePage, Post, PostDraft, PostId, Profile, ProfileInfo, ReactionKind, Reactor,
    SessionInfo, SignInForm, SignUpForm, UserCard, UserId, UserSummary,
};
use std::sync::Arc;

/// The viewer of the request being served, looked up once however many server functions
/// a page render calls (each of a page's resources asks). The server provides a fresh
/// one in every request's context.
#[derive(Clone, Default)]
pub struct ViewerCache(Arc<tokio::sync::OnceCell<Option<Viewer>>>);

impl ViewerCache {
    /// The cached viewer, or `lookup`'s answer (kept only when it succeeded).
    pub async fn get_or_lookup<F>(&self, lookup: F) -> Result<Option<Viewer>, ApiError>
    where
        F: Future<Output = Result<Option<Viewer>, ApiError>>,
    {
        self.0.get_or_try_init(|| lookup).await.cloned()
    }
}

/// The signed-in user behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// Who.
    pub user: UserSummary,
    /// Their session's stored id (not the token).
    pub session_id: String,
}

/// A session just opened by sign-up or sign-in.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Who signed in.
    pub user: UserSummary,
    /// The `Set-Cookie` header value carrying the token.
    pub set_cookie: String,
}

/// Everything pages need from the server.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The viewer for a `Cookie` header, if its session is valid.
    async fn viewer(&self, cookie_header: Option<&str>) -> Result<Option<Viewer>, ApiError>;
    /// Creates an account and signs it in.
    async fn sign_up(&self, form: SignUpForm) -> Result<NewSession, ApiError>;
    /// Signs in with a fresh session.
    async fn sign_in(&self, form: SignInForm) -> Result<NewSession, ApiError>;
    /// Ends the session and closes its sockets; returns the clearing `Set-Cookie`.
    async fn sign_out(&self, viewer: &Viewer) -> Result<String, ApiError>;
    /// A page of the viewer's feed.
    async fn feed(&self, viewer: &Viewer, before: Option<PostId>) -> Result<FeedPage, ApiError>;
    /// Creates a post.
    async fn create_post(&self, viewer: &Viewer, draft: PostDraft) -> Result<Post, ApiError>;
    /// Edits one's own post.
    async fn edit_post(
        &self,
        viewer: &Viewer,
        id: PostId,
        draft: PostDraft,
    ) -> Result<Post, ApiError>;
    /// Deletes one's own post.
    async fn delete_post(&self, viewer: &Viewer, id: PostId) -> Result<(), ApiError>;
    /// One post the viewer may see.
    async fn post(&self, viewer: &Viewer, id: PostId) -> Result<Post, ApiError>;
    /// A page of a post's comments.
    async fn comments(
        &self,
        viewer: &Viewer,
        post: PostId,
        after: Option<CommentId>,
    ) -> Result<CommentPage, ApiError>;
    /// Comments on a post.
    async fn add_comment(
        &self,
        viewer: &Viewer,
        post: PostId,
        draft: CommentDraft,
    ) -> Result<Comment, ApiError>;
    /// Sets or removes the viewer's reaction.
    async fn react(
        &self,
        viewer: &Viewer,
        post: PostId,
        kind: Option<ReactionKind>,
    ) -> Result<ReactionState, ApiError>;
    /// Who reacted to a post.
    async fn reactors(&self, viewer: &Viewer, post: PostId) -> Result<Vec<Reactor>, ApiError>;
    /// A profile by username.
    async fn profile(&self, viewer: &Viewer, username: &str) -> Result<Profile, ApiError>;
    /// A page of a user's posts.
    async fn user_posts(
        &self,
        viewer: &Viewer,
        username: &str,
        before: Option<PostId>,
    ) -> Result<FeedPage, ApiError>;
    /// Followers (`true`) or followees of a user.
    async fn follow_list(
        &self,
        viewer: &Viewer,
        username: &str,
        followers: bool,
    ) -> Result<Vec<UserSummary>, ApiError>;
    /// Follows (`true`) or unfollows someone.
    async fn set_follow(
        &self,
        viewer: &Viewer,
        username: &str,
        follow: bool,
    ) -> Result<Profile, ApiError>;
    /// Blocks (`true`) or unblocks someone.
    async fn set_block(
        &self,
        viewer: &Viewer,
        username: &str,
        block: bool,
    ) -> Result<Profile, ApiError>;
    /// Edits the viewer's profile details.
    async fn update_profile(&self, viewer: &Viewer, info: ProfileInfo)
    -> Result<Profile, ApiError>;
    /// A page of people.
    async fn people(&self, viewer: &Viewer, after: Option<UserId>) -> Result<PeoplePage, ApiError>;
    /// People to follow.
    async fn suggestions(&self, viewer: &Viewer) -> Result<Vec<UserCard>, ApiError>;
    /// People by username prefix.
    async fn search_people(&self, viewer: &Viewer, query: &str) -> Result<Vec<UserCard>, ApiError>;
    /// The viewer's conversations.
    async fn conversations(&self, viewer: &Viewer) -> Result<Vec<ConversationSummary>, ApiError>;
    /// Opens (creating if needed) the conversation with a user.
    async fn open_chat(&self, viewer: &Viewer, username: &str) -> Result<ChatOpen, ApiError>;
    /// A page of a conversation's messages.
    async fn messages(
        &self,
        viewer: &Viewer,
        id: ConversationId,
        before: Option<MessageId>,
    ) -> Result<MessagePage, ApiError>;
    /// The viewer with their unread message and notification counts.
    async fn session_info(&self, viewer: Viewer) -> Result<SessionInfo, ApiError>;
    /// A page of the viewer's notifications.
    async fn notifications(
        &self,
        viewer: &Viewer,
        before: Option<NotificationId>,
    ) -> Result<NotificationPage, ApiError>;
    /// The viewer's unread notification count.
    async fn unread_notifications(&self, viewer: &Viewer) -> Result<i64, ApiError>;
    /// Marks one notification read; returns the unread count.
    async fn mark_notification_read(
        &self,
        viewer: &Viewer,
        id: NotificationId,
    ) -> Result<i64, ApiError>;
    /// Marks every notification read; returns the unread count.
    async fn mark_all_notifications_read(&self, viewer: &Viewer) -> Result<i64, ApiError>;
    /// Deletes one notification; returns the unread count.
    async fn delete_notification(
        &self,
        viewer: &Viewer,
        id: NotificationId,
    ) -> Result<i64, ApiError>;
    /// Which notification kinds the viewer gets.
    async fn notification_settings(
        &self,
        viewer: &Viewer,
    ) -> Result<NotificationSettings, ApiError>;
    /// Switches notification kinds on and off.
    async fn set_notification_settings(
        &self,
        viewer: &Viewer,
        settings: NotificationSettings,
    ) -> Result<NotificationSettings, ApiError>;
    /// Who the viewer may see online: the first `limit` by username and a count of the
    /// rest, or (`None`) everyone.
    async fn online(&self, viewer: &Viewer, limit: Option<usize>) -> Result<OnlineUsers, ApiError>;
}

/// How the backend travels in Leptos context.
pub type SharedBackend = Arc<dyn Backend>;
