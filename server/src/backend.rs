//! The server's implementation of `app`'s [`Backend`], so server functions reach the
//! same service layer as the JSON API and the sockets.

use crate::service::{Opened, Services};
use app::{
    error::ApiError,
    events::ReactionState,
    model::{
        ChatOpen, Comment, CommentDraft, CommentId, CommentPage, ConversationId,
        ConversationSummary, FeedPage, MessageId, MessagePage, NotificationId, NotificationPage,
        NotificationSettings, OnlineUsers, PeoplePage, Post, PostDraft, PostId, Profile,
        ProfileInfo, ReactionKind, Reactor, SessionInfo, SignInForm, SignUpForm, UserCard, UserId,
        UserSummary,
    },
    service::{Backend, NewSession, Viewer},
};

impl Services {
    fn new_session(&self, opened: Opened) -> NewSession {
        NewSession {
            set_cookie: self.cookie(Some(&opened.token)),
            user: opened.user,
        }
    }
}

#[async_trait::async_trait]
impl Backend for Services {
    async fn viewer(&self, cookie_header: Option<&str>) -> Result<Option<Viewer>, ApiError> {
        self.viewer_for_cookie(cookie_header)
            .await
            .map_err(|e| e.into_api())
    }
    async fn sign_up(&self, form: SignUpForm) -> Result<NewSession, ApiError> {
        Services::sign_up(self, form)
            .await
            .map(|o| self.new_session(o))
            .map_err(|e| e.into_api())
    }
    async fn sign_in(&self, form: SignInForm) -> Result<NewSession, ApiError> {
        Services::sign_in(self, form)
            .await
            .map(|o| self.new_session(o))
            .map_err(|e| e.into_api())
    }
    async fn sign_out(&self, viewer: &Viewer) -> Result<String, ApiError> {
        Services::sign_out(self, viewer)
            .await
            .map_err(|e| e.into_api())?;
        Ok(self.cookie(None))
    }
    async fn feed(&self, viewer: &Viewer, before: Option<PostId>) -> Result<FeedPage, ApiError> {
        Services::feed(self, viewer, before)
            .await
            .map_err(|e| e.into_api())
    }
    async fn create_post(&self, viewer: &Viewer, draft: PostDraft) -> Result<Post, ApiError> {
        Services::create_post(self, viewer, draft)
            .await
            .map_err(|e| e.into_api())
    }
    async fn edit_post(
        &self,
        viewer: &Viewer,
        id: PostId,
        draft: PostDraft,
    ) -> Result<Post, ApiError> {
        Services::edit_post(self, viewer, id, draft)
            .await
            .map_err(|e| e.into_api())
    }
    async fn delete_post(&self, viewer: &Viewer, id: PostId) -> Result<(), ApiError> {
        Services::delete_post(self, viewer, id)
            .await
            .map_err(|e| e.into_api())
    }
    async fn post(&self, viewer: &Viewer, id: PostId) -> Result<Post, ApiError> {
        Services::post(self, viewer, id)
            .await
            .map_err(|e| e.into_api())
    }
    async fn comments(
        &self,
        viewer: &Viewer,
        post: PostId,
        after: Option<CommentId>,
    ) -> Result<CommentPage, ApiError> {
        Services::comments(self, viewer, post, after)
            .await
            .map_err(|e| e.into_api())
    }
    async fn add_comment(
        &self,
        viewer: &Viewer,
        post: PostId,
        draft: CommentDraft,
    ) -> Result<Comment, ApiError> {
        Services::add_comment(self, viewer, post, draft)
            .await
            .map_err(|e| e.into_api())
    }
    async fn react(
        &self,
        viewer: &Viewer,
        post: PostId,
        kind: Option<ReactionKind>,
    ) -> Result<ReactionState, ApiError> {
        Services::react(self, viewer, post, kind)
            .await
            .map_err(|e| e.into_api())
    }
    async fn reactors(&self, viewer: &Viewer, post: PostId) -> Result<Vec<Reactor>, ApiError> {
        Services::reactors(self, viewer, post)
            .await
            .map_err(|e| e.into_api())
    }
    async fn profile(&self, viewer: &Viewer, username: &str) -> Result<Profile, ApiError> {
        Services::profile(self, viewer, username)
            .await
            .map_err(|e| e.into_api())
    }
    async fn user_posts(
        &self,
        viewer: &Viewer,
        username: &str,
        before: Option<PostId>,
    ) -> Result<FeedPage, ApiError> {
        Services::user_posts(self, viewer, username, before)
            .await
            .map_err(|e| e.into_api())
    }
    async fn follow_list(
        &self,
        viewer: &Viewer,
        username: &str,
        followers: bool,
    ) -> Result<Vec<UserSummary>, ApiError> {
        Services::follow_list(self, viewer, username, followers)
            .await
            .map_err(|e| e.into_api())
    }
    async fn set_follow(
        &self,
        viewer: &Viewer,
        username: &str,
        follow: bool,
    ) -> Result<Profile, ApiError> {
        let result = if follow {
            Services::follow(self, viewer, username).await
        } else {
            Services::unfollow(self, viewer, username).await
        };
        result.map_err(|e| e.into_api())
    }
    async fn set_block(
        &self,
        viewer: &Viewer,
        username: &str,
        block: bool,
    ) -> Result<Profile, ApiError> {
        let result = if block {
            Services::block(self, viewer, username).await
        } else {
            Services::unblock(self, viewer, username).await
        };
        result.map_err(|e| e.into_api())
    }
    async fn update_profile(
        &self,
        viewer: &Viewer,
        info: ProfileInfo,
    ) -> Result<Profile, ApiError> {
        Services::update_profile(self, viewer, info)
            .await
            .map_err(|e| e.into_api())
    }
    async fn people(&self, viewer: &Viewer, after: Option<UserId>) -> Result<PeoplePage, ApiError> {
        Services::people(self, viewer, after)
            .await
            .map_err(|e| e.into_api())
    }
    async fn suggestions(&self, viewer: &Viewer) -> Result<Vec<UserCard>, ApiError> {
        Services::suggestions(self, viewer)
            .await
            .map_err(|e| e.into_api())
    }
    async fn search_people(&self, viewer: &Viewer, query: &str) -> Result<Vec<UserCard>, ApiError> {
        Services::search_people(self, viewer, query)
            .await
            .map_err(|e| e.into_api())
    }
    async fn conversations(&self, viewer: &Viewer) -> Result<Vec<ConversationSummary>, ApiError> {
        Services::conversations(self, viewer)
            .await
            .map_err(|e| e.into_api())
    }
    async fn open_chat(&self, viewer: &Viewer, username: &str) -> Result<ChatOpen, ApiError> {
        Services::conversation_with(self, viewer, username)
            .await
            .map_err(|e| e.into_api())
    }
    async fn messages(
        &self,
        viewer: &Viewer,
        id: ConversationId,
        before: Option<MessageId>,
    ) -> Result<MessagePage, ApiError> {
        Services::messages(self, viewer, id, before)
            .await
            .map_err(|e| e.into_api())
    }
    async fn session_info(&self, viewer: Viewer) -> Result<SessionInfo, ApiError> {
        Services::session_info(self, viewer)
            .await
            .map_err(|e| e.into_api())
    }
    async fn notifications(
        &self,
        viewer: &Viewer,
        before: Option<NotificationId>,
    ) -> Result<NotificationPage, ApiError> {
        Services::notifications(self, viewer, before)
            .await
            .map_err(|e| e.into_api())
    }
    async fn unread_notifications(&self, viewer: &Viewer) -> Result<i64, ApiError> {
        Services::unread_notifications(self, viewer)
            .await
            .map_err(|e| e.into_api())
    }
    async fn mark_notification_read(
        &self,
        viewer: &Viewer,
        id: NotificationId,
    ) -> Result<i64, ApiError> {
        Services::mark_notification_read(self, viewer, id)
            .await
            .map_err(|e| e.into_api())
    }
    async fn mark_all_notifications_read(&self, viewer: &Viewer) -> Result<i64, ApiError> {
        Services::mark_all_notifications_read(self, viewer)
            .await
            .map_err(|e| e.into_api())
    }
    async fn delete_notification(
        &self,
        viewer: &Viewer,
        id: NotificationId,
    ) -> Result<i64, ApiError> {
        Services::delete_notification(self, viewer, id)
            .await
            .map_err(|e| e.into_api())
    }
    async fn notification_settings(
        &self,
        viewer: &Viewer,
    ) -> Result<NotificationSettings, ApiError> {
        Services::notification_settings(self, viewer)
            .await
            .map_err(|e| e.into_api())
    }
    async fn set_notification_settings(
        &self,
        viewer: &Viewer,
        settings: NotificationSettings,
    ) -> Result<NotificationSettings, ApiError> {
        Services::set_notification_settings(self, viewer, settings)
            .await
            .map_err(|e| e.into_api())
    }
    async fn online(&self, viewer: &Viewer, limit: Option<usize>) -> Result<OnlineUsers, ApiError> {
        Services::online(self, viewer, limit)
            .await
            .map_err(|e| e.into_api())
    }
}
