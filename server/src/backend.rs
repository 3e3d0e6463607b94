//! The server's implementation of `app`'s [`Backend`], so server functions reach the
//! same service layer as the JSON API and the sockets.

use crate::service::{Opened, Services};
use app::{
    error::ApiError,
    model::{FeedPage, Post, PostDraft, PostId, SignInForm, SignUpForm},
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
}
