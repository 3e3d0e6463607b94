//! Server functions: the pages' calls to the server, each a thin shell over the
//! [`Backend`](crate::service::Backend) the server puts in context.

use crate::error::ApiError;
use crate::events::ReactionState;
use crate::model::{
    ChatOpen, Comment, CommentId, CommentPage, ConversationId, ConversationSummary, FeedPage,
    MessageId, MessagePage, NotificationId, NotificationPage, NotificationSettings, OnlineUsers,
    PeoplePage, Post, PostDraft, PostId, Profile, ProfileInfo, ReactionKind, Reactor, SessionInfo,
    UserCard, UserId, UserSummary,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The signed-in user, if any, with their unread counts: what every page's header needs.
#[server]
pub async fn load_session() -> Result<SessionInfo, ApiError> {
    // Every page asks, signed in or not: without a session there is nothing unread.
    match ssr::viewer().await? {
        Some(viewer) => ssr::fail_with_status(ssr::backend()?.session_info(viewer).await),
        None => Ok(SessionInfo::default()),
    }
}

/// Creates an account, signs it in (sets the session cookie) and returns the user.
#[server]
pub async fn sign_up(
    username: String,
    email: String,
    password: String,
) -> Result<UserSummary, ApiError> {
    let form = crate::model::SignUpForm {
        username,
        email,
        password,
    };
    let session = ssr::fail_with_status(ssr::backend()?.sign_up(form).await)?;
    ssr::set_cookie(&session.set_cookie);
    Ok(session.user)
}

/// Signs in with a fresh session cookie.
#[server]
pub async fn sign_in(username: String, password: String) -> Result<UserSummary, ApiError> {
    let form = crate::model::SignInForm { username, password };
    let session = ssr::fail_with_status(ssr::backend()?.sign_in(form).await)?;
    ssr::set_cookie(&session.set_cookie);
    Ok(session.user)
}

/// Ends the session (its live connections close) and clears the cookie.
#[server]
pub async fn sign_out() -> Result<(), ApiError> {
    let viewer = ssr::require_viewer().await?;
    let clear = ssr::fail_with_status(ssr::backend()?.sign_out(&viewer).await)?;
    ssr::set_cookie(&clear);
    Ok(())
}

/// A page of the feed, newest first, older than `before`.
#[server(input = Json)]
pub async fn load_feed(before: Option<PostId>) -> Result<FeedPage, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.feed(&viewer, before).await)
}

/// Creates a post.
#[server(input = Json)]
pub async fn publish_post(draft: PostDraft) -> Result<Post, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.create_post(&viewer, draft).await)
}

/// Edits one's own post.
#[server(input = Json)]
pub async fn update_post(id: PostId, draft: PostDraft) -> Result<Post, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.edit_post(&viewer, id, draft).await)
}

/// Deletes one's own post.
#[server(input = Json)]
pub async fn remove_post(id: PostId) -> Result<(), ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.delete_post(&viewer, id).await)
}

/// One post.
#[server(input = Json)]
pub async fn load_post(id: PostId) -> Result<Post, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.post(&viewer, id).await)
}

/// A page of a post's comments, oldest first.
#[server(input = Json)]
pub async fn load_comments(
    post: PostId,
    after: Option<CommentId>,
) -> Result<CommentPage, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.comments(&viewer, post, after).await)
}

/// Comments on a post.
#[server(input = Json)]
pub async fn add_comment(post: PostId, text: String) -> Result<Comment, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(
        ssr::backend()?
            .add_comment(&viewer, post, crate::model::CommentDraft { text })
            .await,
    )
}

/// Sets (or with `None` removes) one's reaction to a post.
#[server(input = Json)]
pub async fn set_reaction(
    post: PostId,
    kind: Option<ReactionKind>,
) -> Result<ReactionState, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.react(&viewer, post, kind).await)
}

/// Who reacted to a post.
#[server(input = Json)]
pub async fn load_reactors(post: PostId) -> Result<Vec<Reactor>, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.reactors(&viewer, post).await)
}

/// A profile.
#[server(input = Json)]
pub async fn load_profile(username: String) -> Result<Profile, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.profile(&viewer, &username).await)
}

/// A page of a user's posts.
#[server(input = Json)]
pub async fn load_user_posts(
    username: String,
    before: Option<PostId>,
) -> Result<FeedPage, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.user_posts(&viewer, &username, before).await)
}

/// A user's followers (`followers = true`) or followees.
#[server(input = Json)]
pub async fn load_follow_list(
    username: String,
    followers: bool,
) -> Result<Vec<UserSummary>, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(
        ssr::backend()?
            .follow_list(&viewer, &username, followers)
            .await,
    )
}

/// Follows or unfollows someone.
#[server(input = Json)]
pub async fn set_follow(username: String, follow: bool) -> Result<Profile, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.set_follow(&viewer, &username, follow).await)
}

/// Blocks or unblocks someone.
#[server(input = Json)]
pub async fn set_block(username: String, block: bool) -> Result<Profile, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.set_block(&viewer, &username, block).await)
}

/// Edits one's profile details.
#[server(input = Json)]
pub async fn save_profile(info: ProfileInfo) -> Result<Profile, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.update_profile(&viewer, info).await)
}

/// A page of people.
#[server(input = Json)]
pub async fn load_people(after: Option<UserId>) -> Result<PeoplePage, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.people(&viewer, after).await)
}

/// People to follow.
#[server(input = Json)]
pub async fn load_suggestions() -> Result<Vec<UserCard>, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.suggestions(&viewer).await)
}

/// People by username prefix.
#[server(input = Json)]
pub async fn search_people(query: String) -> Result<Vec<UserCard>, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.search_people(&viewer, &query).await)
}

/// The viewer's conversations, newest first.
#[server(input = Json)]
pub async fn load_conversations() -> Result<Vec<ConversationSummary>, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.conversations(&viewer).await)
}

/// Opens the conversation with a user.
#[server(input = Json)]
pub async fn open_chat(username: String) -> Result<ChatOpen, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.open_chat(&viewer, &username).await)
}

/// A page of a conversation, oldest first.
#[server(input = Json)]
pub async fn load_messages(
    id: ConversationId,
    before: Option<MessageId>,
) -> Result<MessagePage, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.messages(&viewer, id, before).await)
}

/// A page of the viewer's notifications, newest first.
#[server(input = Json)]
pub async fn load_notifications(
    before: Option<NotificationId>,
) -> Result<NotificationPage, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.notifications(&viewer, before).await)
}

/// The viewer's unread notification count (0 when signed out).
#[server(input = Json)]
pub async fn load_unread_notifications() -> Result<i64, ApiError> {
    match ssr::viewer().await? {
        Some(viewer) => ssr::fail_with_status(ssr::backend()?.unread_notifications(&viewer).await),
        None => Ok(0),
    }
}

/// Marks one notification read; returns the unread count.
#[server(input = Json)]
pub async fn read_notification(id: NotificationId) -> Result<i64, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.mark_notification_read(&viewer, id).await)
}

/// Marks every notification read; returns the unread count.
#[server(input = Json)]
pub async fn read_all_notifications() -> Result<i64, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.mark_all_notifications_read(&viewer).await)
}

/// Deletes one notification; returns the unread count.
#[server(input = Json)]
pub async fn delete_notification(id: NotificationId) -> Result<i64, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.delete_notification(&viewer, id).await)
}

/// Which notification kinds the viewer gets.
#[server(input = Json)]
pub async fn load_notification_settings() -> Result<NotificationSettings, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(ssr::backend()?.notification_settings(&viewer).await)
}

/// Switches notification kinds on and off.
#[server(input = Json)]
pub async fn save_notification_settings(
    settings: NotificationSettings,
) -> Result<NotificationSettings, ApiError> {
    let viewer = ssr::require_viewer().await?;
    ssr::fail_with_status(
        ssr::backend()?
            .set_notification_settings(&viewer, settings)
            .await,
    )
}

/// Who the viewer may see online now, as a page shows it: the first
/// [`ONLINE_SHOWN`](crate::model::ONLINE_SHOWN) and a count of the rest (the page
/// carries what this returns; the whole list comes over the socket once the tab
/// watches presence).
#[server(input = Json)]
pub async fn load_online() -> Result<OnlineUsers, ApiError> {
    let viewer = ssr::require_viewer().await?;
    let shown = Some(crate::model::ONLINE_SHOWN);
    let online = ssr::backend()?.online(&viewer, shown).await;
    ssr::fail_with_status(online)
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::ApiError;
    use crate::service::{SharedBackend, Viewer, ViewerCache};
    use http::{HeaderValue, StatusCode, header};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    pub fn backend() -> Result<SharedBackend, ApiError> {
        use_context::<SharedBackend>().ok_or_else(|| {
            tracing::error!("the backend is missing from Leptos context");
            ApiError::internal()
        })
    }

    pub async fn viewer() -> Result<Option<Viewer>, ApiError> {
        let lookup = async {
            let cookie = use_context::<http::request::Parts>().and_then(|p| {
                p.headers
                    .get(header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            });
            backend()?.viewer(cookie.as_deref()).await
        };
        let viewer = match use_context::<ViewerCache>() {
            Some(cache) => cache.get_or_lookup(lookup).await,
            None => lookup.await,
        };
        fail_with_status(viewer)
    }

    pub async fn require_viewer() -> Result<Viewer, ApiError> {
        fail_with_status(viewer().await?.ok_or_else(ApiError::unauthorized))
    }

    /// Sets the HTTP status of an error result, so HTTP clients see 401/403/404/422
    /// (and, for `busy`, when to try again).
    pub fn fail_with_status<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let (Err(err), Some(response)) = (&result, use_context::<ResponseOptions>()) {
            response.set_status(
                StatusCode::from_u16(err.code.status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let Some(secs) = err.code.retry_after() {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from_static(secs));
            }
        }
        result
    }

    pub fn set_cookie(value: &str) {
        match (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(value),
        ) {
            (Some(response), Ok(v)) => response.append_header(header::SET_COOKIE, v),
            _ => tracing::error!("could not set the session cookie"),
        }
    }
}
