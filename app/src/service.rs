//! The service layer as `app` sees it: a trait the server implements and puts in
//! Leptos context, so server functions reach storage without `app` knowing SQL.

use crate::error::ApiError;
use crate::model::{FeedPage, Post, PostDraft, PostId, SignInForm, SignUpForm, UserSummary};
use std::sync::Arc;

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
}

/// How the backend travels in Leptos context.
pub type SharedBackend = Arc<dyn Backend>;
