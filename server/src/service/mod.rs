//! The service layer: every operation, once, for pages, the JSON API and sockets alike.
//! Each one validates its input, writes in one transaction, commits, then emits.

use crate::{
    auth,
    config::Settings,
    db::{Db, Reader, now_ms},
    error::{Error, Result},
    realtime::{Audience, Emitter, session_room},
    store::{self, is_unique_violation},
    visibility,
};
use app::{
    error::{ApiError, ErrorCode},
    events::{PostCreated, PostDeleted, PostPayload, PostRef, PostUpdated},
    model::{
        Email, FEED_PAGE_SIZE, FeedPage, Password, Post, PostDraft, PostId, SignInForm, SignUpForm,
        Username, ValidPost,
    },
    service::Viewer,
};
use std::sync::Arc;

mod chat;
mod live;
mod people;
mod social;

/// The state every handler shares.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    reader: Reader,
    settings: Settings,
    emitter: Emitter,
    /// Verified against when the user is unknown, so both failures take as long.
    dummy_hash: String,
    /// Fan-out (audience computed, then emitted) holds it shared; a block holds it
    /// exclusively until it has committed, so no event whose audience predates a block
    /// leaves after it.
    fanout: tokio::sync::RwLock<()>,
    /// This server instance's id in the `instances` and `connections` tables.
    instance_id: String,
}

/// A session opened by sign-up or sign-in: the user and the raw token for the cookie.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Who.
    pub user: app::model::UserSummary,
    /// The raw token (only its hash is stored).
    pub token: String,
}

fn invalid_credentials() -> Error {
    ApiError::new(ErrorCode::InvalidCredentials, "Wrong username or password.").into()
}

impl Services {
    /// Builds the services over an open database and a Socket.IO handle.
    pub async fn new(db: Db, reader: Reader, settings: Settings, emitter: Emitter) -> Result<Self> {
        let dummy_hash = auth::hash_password(auth::new_token()).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                reader,
                settings,
                emitter,
                dummy_hash,
                fanout: tokio::sync::RwLock::new(()),
                instance_id: format!("{}-{}", std::process::id(), &auth::new_token()[..12]),
            }),
        })
    }

    /// The database pool.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Where reads that need no transaction go (see [`Reader`]).
    pub fn reader(&self) -> &Reader {
        &self.inner.reader
    }

    /// The settings the server started with.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The typed emitter.
    pub fn emitter(&self) -> &Emitter {
        &self.inner.emitter
    }

    /// This instance's id among the servers sharing the database.
    pub fn instance_id(&self) -> &str {
        &self.inner.instance_id
    }

    /// The `Set-Cookie` value for a token (or clearing it).
    pub fn cookie(&self, token: Option<&str>) -> String {
        let s = self.settings();
        auth::set_cookie(token, s.session_ttl.as_secs(), s.cookie_secure)
    }

    /// The viewer whose session token this is, if the session is valid and unexpired.
    pub async fn viewer_for_token(&self, token: &str) -> Result<Option<Viewer>> {
        let session_id = auth::session_id(token);
        let mut conn = self.reader().acquire().await?;
        let user = store::sessions::user(&mut conn, &session_id, now_ms()).await?;
        Ok(user.map(|user| Viewer { user, session_id }))
    }

    /// The viewer for a whole `Cookie` header.
    pub async fn viewer_for_cookie(&self, header: Option<&str>) -> Result<Option<Viewer>> {
        match header.and_then(auth::token_from_cookie_header) {
            Some(token) => self.viewer_for_token(token).await,
            None => Ok(None),
        }
    }

    /// Creates an account and opens its first session.
    pub async fn sign_up(&self, form: SignUpForm) -> Result<Opened> {
        let username = Username::parse(&form.username)?;
        let email = Email::parse(&form.email)?;
        let password = Password::parse(&form.password)?;
        let hash = auth::hash_password(password.expose().to_owned()).await?;
        let mut tx = self.db().begin().await?;
        let (name_taken, email_taken) =
            store::users::taken(&mut tx, username.as_str(), email.as_str()).await?;
        if name_taken {
            return Err(ApiError::conflict("username", "That username is taken.").into());
        }
        if email_taken {
            return Err(ApiError::conflict("email", "That email is already registered.").into());
        }
        let now = now_ms();
        let id = match store::users::insert(&mut tx, username.as_str(), email.as_str(), &hash, now)
            .await
        {
            Ok(id) => id,
            // Lost a race with a concurrent sign-up of the same name or email.
            Err(e) if is_unique_violation(&e) => {
                return Err(
                    ApiError::conflict("username", "That username or email is taken.").into(),
                );
            }
            Err(e) => return Err(e.into()),
        };
        let user = app::model::UserSummary {
            id,
            username: username.as_str().to_owned(),
        };
        let token = self.open_session(&mut tx, &user, now).await?;
        tx.commit().await?;
        tracing::info!(user = user.id.0, "signed up");
        Ok(Opened { user, token })
    }

    /// Signs in by username or email; one error for an unknown user and a wrong password.
    pub async fn sign_in(&self, form: SignInForm) -> Result<Opened> {
        if form.username.trim().is_empty() {
            return Err(ApiError::validation("username", "Enter your username or email.").into());
        }
        if form.password.is_empty() || form.password.len() > 1024 {
            return Err(invalid_credentials());
        }
        let found = {
            let mut conn = self.db().acquire().await?;
            store::users::credentials(&mut conn, &form.username).await?
        };
        let Some(found) = found else {
            let _always_false =
                auth::verify_password(form.password, self.inner.dummy_hash.clone()).await?;
            return Err(invalid_credentials());
        };
        if !auth::verify_password(form.password, found.password_hash).await? {
            return Err(invalid_credentials());
        }
        let now = now_ms();
        let mut tx = self.db().begin().await?;
        store::sessions::delete_expired(&mut tx, found.user.id, now).await?;
        let token = self.open_session(&mut tx, &found.user, now).await?;
        tx.commit().await?;
        Ok(Opened {
            user: found.user,
            token,
        })
    }

    async fn open_session(
        &self,
        conn: &mut store::Conn,
        user: &app::model::UserSummary,
        now: i64,
    ) -> Result<String> {
        let token = auth::new_token();
        let ttl = i64::try_from(self.settings().session_ttl.as_millis()).unwrap_or(i64::MAX);
        store::sessions::insert(
            conn,
            &auth::session_id(&token),
            user.id,
            now,
            now.saturating_add(ttl),
        )
        .await?;
        Ok(token)
    }

    /// Ends a session and disconnects the sockets opened with it.
    pub async fn sign_out(&self, viewer: &Viewer) -> Result<()> {
        let mut conn = self.db().acquire().await?;
        store::sessions::delete(&mut conn, &viewer.session_id).await?;
        drop(conn);
        self.emitter()
            .disconnect_room(session_room(&viewer.session_id))
            .await;
        Ok(())
    }

    /// A page of posts the viewer may see, newest first, by anyone or by `author`.
    async fn posts_page(
        &self,
        viewer: &Viewer,
        author: Option<app::model::UserId>,
        before: Option<PostId>,
    ) -> Result<FeedPage> {
        let mut conn = self.reader().acquire().await?;
        let fetched = store::posts::feed(
            &mut conn,
            viewer.user.id,
            author,
            before,
            fetch_limit(FEED_PAGE_SIZE),
        )
        .await?;
        let (posts, next_before) = paged(fetched, FEED_PAGE_SIZE, |p| p.id);
        Ok(FeedPage { posts, next_before })
    }

    /// A page of the viewer's feed: every post they may see, newest first.
    pub async fn feed(&self, viewer: &Viewer, before: Option<PostId>) -> Result<FeedPage> {
        self.posts_page(viewer, None, before).await
    }

    /// One post, if it exists and the viewer may see it (otherwise not found: an
    /// invisible post is indistinguishable from a missing one).
    pub async fn post(&self, viewer: &Viewer, id: PostId) -> Result<Post> {
        let mut conn = self.reader().acquire().await?;
        store::posts::get_visible(&mut conn, viewer.user.id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("Post").into())
    }

    /// Computes an audience and emits to it, holding the fan-out lock shared (see
    /// [`Inner::fanout`]). Never called with a connection or transaction open.
    async fn fan_out<E: app::events::ServerEvent>(
        &self,
        payload: &E::Payload,
        audience: impl AsyncFnOnce(&mut store::Conn) -> sqlx::Result<Audience>,
    ) -> Result<()> {
        self.fan_out_by::<E>(None, payload, audience).await
    }

    /// [`fan_out`](Self::fan_out) of something `actor` did: a catch-up does not replay
    /// it to users blocked with `actor` by then.
    async fn fan_out_by<E: app::events::ServerEvent>(
        &self,
        actor: Option<app::model::UserId>,
        payload: &E::Payload,
        audience: impl AsyncFnOnce(&mut store::Conn) -> sqlx::Result<Audience>,
    ) -> Result<()> {
        let _shared = self.inner.fanout.read().await;
        let to = {
            let mut conn = self.db().acquire().await?;
            audience(&mut conn).await?
        };
        self.emitter().emit_by::<E>(actor, &to, payload).await;
        Ok(())
    }

    /// Creates a post, then tells everyone allowed to see it.
    pub async fn create_post(&self, viewer: &Viewer, draft: PostDraft) -> Result<Post> {
        let valid = ValidPost::parse(draft)?;
        let mut tx = self.db().begin().await?;
        let id = store::posts::insert(&mut tx, viewer.user.id, &valid, now_ms()).await?;
        let post = store::posts::get(&mut tx, viewer.user.id, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("post {id:?} vanished"))?;
        tx.commit().await?;
        let (author, privacy) = (post.author.id, post.privacy);
        let payload = PostPayload {
            post: Post {
                my_reaction: None,
                ..post.clone()
            },
        };
        self.fan_out_by::<PostCreated>(Some(author), &payload, async |c| {
            visibility::audience(c, author, privacy).await
        })
        .await?;
        Ok(post)
    }

    /// Loads a post for a change by its author: 404 if missing or invisible, 403 if not theirs.
    async fn own_post(&self, conn: &mut store::Conn, viewer: &Viewer, id: PostId) -> Result<Post> {
        match store::posts::get_visible(conn, viewer.user.id, id).await? {
            Some(post) if post.author.id == viewer.user.id => Ok(post),
            Some(_) => Err(ApiError::forbidden().into()),
            None => Err(ApiError::not_found("Post").into()),
        }
    }

    /// Edits one's own post, then tells everyone who can see it. A privacy change is
    /// told as a deletion to the old audience and a creation to the new one (the author's
    /// tabs get the update), so nobody keeps a post they may no longer see.
    pub async fn edit_post(&self, viewer: &Viewer, id: PostId, draft: PostDraft) -> Result<Post> {
        let valid = ValidPost::parse(draft)?;
        let mut tx = self.db().begin().await?;
        let before = self.own_post(&mut tx, viewer, id).await?;
        store::posts::update(&mut tx, id, &valid, now_ms()).await?;
        let post = store::posts::get(&mut tx, viewer.user.id, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("post {id:?} vanished"))?;
        tx.commit().await?;
        let author = post.author.id;
        let payload = PostPayload {
            post: Post {
                my_reaction: None,
                ..post.clone()
            },
        };
        if before.privacy == post.privacy {
            let privacy = post.privacy;
            self.fan_out_by::<PostUpdated>(Some(author), &payload, async |c| {
                visibility::audience(c, author, privacy).await
            })
            .await?;
        } else {
            let (old, new) = (before.privacy, post.privacy);
            self.fan_out::<PostDeleted>(&PostRef { id }, async |c| {
                Ok(visibility::audience(c, author, old)
                    .await?
                    .without(&[author]))
            })
            .await?;
            self.fan_out_by::<PostCreated>(Some(author), &payload, async |c| {
                Ok(visibility::audience(c, author, new)
                    .await?
                    .without(&[author]))
            })
            .await?;
            self.emitter()
                .emit::<PostUpdated>(&Audience::Users(vec![author]), &payload)
                .await;
        }
        Ok(post)
    }

    /// Deletes one's own post, then tells everyone who could see it.
    pub async fn delete_post(&self, viewer: &Viewer, id: PostId) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let post = self.own_post(&mut tx, viewer, id).await?;
        store::posts::delete(&mut tx, id).await?;
        tx.commit().await?;
        let (author, privacy) = (post.author.id, post.privacy);
        self.fan_out::<PostDeleted>(&PostRef { id }, async |c| {
            visibility::audience(c, author, privacy).await
        })
        .await?;
        Ok(())
    }
}

/// How many rows to fetch for a page of `size`: one more tells whether another page follows.
fn fetch_limit(size: usize) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX - 1) + 1
}

/// Cuts rows fetched with [`fetch_limit`] to a page, with the cursor of the next page
/// (the last row's key) when there is one.
fn paged<T, K>(mut rows: Vec<T>, size: usize, key: impl Fn(&T) -> K) -> (Vec<T>, Option<K>) {
    let more = rows.len() > size;
    rows.truncate(size);
    let next = if more { rows.last().map(key) } else { None };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::{fetch_limit, paged};

    #[test]
    fn pages_know_whether_more_follow() {
        assert_eq!(fetch_limit(20), 21);
        assert_eq!(paged(vec![1, 2, 3], 2, |x| *x), (vec![1, 2], Some(2)));
        assert_eq!(paged(vec![1, 2], 2, |x| *x), (vec![1, 2], None));
        assert_eq!(paged(Vec::<i32>::new(), 2, |x| *x), (vec![], None));
    }
}
