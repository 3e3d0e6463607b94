//! Profiles, follows, blocks and finding people.

use super::Services;
use crate::{
    db::now_ms,
    error::Result,
    realtime::{Audience, profile_room},
    store,
};
use app::{
    error::ApiError,
    events::{
        FollowChanged, FollowCounts, ProfilePayload, ProfileUpdated, UserHidden, UserRef,
        UserVisible,
    },
    model::{
        FeedPage, PEOPLE_PAGE_SIZE, PeoplePage, PostId, Profile, ProfileInfo, UserCard, UserId,
        UserSummary,
    },
    service::Viewer,
};

impl Services {
    /// A user by name, whatever their relation to the viewer; 404 if there is none.
    async fn named(
        &self,
        conn: &mut store::Conn,
        username: &str,
    ) -> Result<(UserSummary, ProfileInfo)> {
        Ok(store::users::by_username(conn, username)
            .await?
            .ok_or_else(|| ApiError::not_found("User"))?)
    }

    /// A user the viewer may see: 404 if missing or blocked either way.
    async fn visible_user(
        &self,
        conn: &mut store::Conn,
        viewer: &Viewer,
        username: &str,
    ) -> Result<(UserSummary, ProfileInfo)> {
        let found = self.named(conn, username).await?;
        if store::graph::is_blocked_pair(conn, viewer.user.id, found.0.id).await? {
            return Err(ApiError::not_found("User").into());
        }
        Ok(found)
    }

    /// Someone else, for follow and block: not oneself.
    pub(super) async fn other_user(
        &self,
        conn: &mut store::Conn,
        viewer: &Viewer,
        username: &str,
        what: &str,
    ) -> Result<UserSummary> {
        let (user, _) = self.named(conn, username).await?;
        if user.id == viewer.user.id {
            return Err(ApiError::validation("user", format!("You can't {what} yourself.")).into());
        }
        Ok(user)
    }

    async fn profile_of(
        &self,
        conn: &mut store::Conn,
        viewer: &Viewer,
        user: UserSummary,
        info: ProfileInfo,
    ) -> Result<Profile> {
        let (followers, following) = store::graph::counts(conn, user.id).await?;
        let followed_by_me = store::graph::follows(conn, viewer.user.id, user.id).await?;
        Ok(Profile {
            user,
            info,
            followers,
            following,
            followed_by_me,
            blocked_by_me: false,
        })
    }

    /// A profile. The blocker sees a bare profile marked `blocked_by_me` (to unblock
    /// from); the blocked user gets 404, as if it did not exist.
    pub async fn profile(&self, viewer: &Viewer, username: &str) -> Result<Profile> {
        let mut conn = self.db().acquire().await?;
        let (user, info) = self.named(&mut conn, username).await?;
        if store::graph::has_blocked(&mut conn, viewer.user.id, user.id).await? {
            return Ok(Profile {
                user,
                info: ProfileInfo::default(),
                followers: 0,
                following: 0,
                followed_by_me: false,
                blocked_by_me: true,
            });
        }
        if store::graph::has_blocked(&mut conn, user.id, viewer.user.id).await? {
            return Err(ApiError::not_found("User").into());
        }
        self.profile_of(&mut conn, viewer, user, info).await
    }

    /// A page of a user's posts that the viewer may see.
    pub async fn user_posts(
        &self,
        viewer: &Viewer,
        username: &str,
        before: Option<PostId>,
    ) -> Result<FeedPage> {
        let (user, _) = {
            let mut conn = self.db().acquire().await?;
            self.visible_user(&mut conn, viewer, username).await?
        };
        self.posts_page(viewer, Some(user.id), before).await
    }

    /// Edits the viewer's own profile details; open pages of it update live.
    pub async fn update_profile(&self, viewer: &Viewer, info: ProfileInfo) -> Result<Profile> {
        let info = ProfileInfo::parse(info)?;
        let mut conn = self.db().acquire().await?;
        store::users::update_profile(&mut conn, viewer.user.id, &info).await?;
        let profile = self
            .profile_of(&mut conn, viewer, viewer.user.clone(), info.clone())
            .await?;
        drop(conn);
        let _shared = self.inner.fanout.read().await;
        let payload = ProfilePayload {
            user: viewer.user.clone(),
            info,
        };
        self.emitter()
            .emit_to_room::<ProfileUpdated>(profile_room(viewer.user.id), &payload)
            .await;
        Ok(profile)
    }

    /// Tells the open profile pages of `users` their new follow counts.
    async fn announce_counts(&self, users: &[UserId]) -> Result<()> {
        let mut all = Vec::with_capacity(users.len());
        {
            let mut conn = self.db().acquire().await?;
            for &user in users {
                let (followers, following) = store::graph::counts(&mut conn, user).await?;
                all.push(FollowCounts {
                    user,
                    followers,
                    following,
                });
            }
        }
        for counts in all {
            self.emitter()
                .emit_to_room::<FollowChanged>(profile_room(counts.user), &counts)
                .await;
        }
        Ok(())
    }

    /// Follows someone (idempotent); refused across a block.
    pub async fn follow(&self, viewer: &Viewer, username: &str) -> Result<Profile> {
        let mut tx = self.db().begin().await?;
        let user = self.other_user(&mut tx, viewer, username, "follow").await?;
        if store::graph::is_blocked_pair(&mut tx, viewer.user.id, user.id).await? {
            return Err(ApiError::blocked().into());
        }
        let changed = store::graph::follow(&mut tx, viewer.user.id, user.id, now_ms()).await?;
        let written = if changed {
            let notification = store::notifications::NewNotification {
                user: user.id,
                kind: app::model::NotificationKind::Follow,
                actor: viewer.user.id,
                post: None,
                conversation: None,
                reaction: None,
                excerpt: "",
            };
            self.notify_in(&mut tx, notification).await?
        } else {
            None
        };
        tx.commit().await?;
        if changed {
            let _shared = self.inner.fanout.read().await;
            self.announce_counts(&[user.id, viewer.user.id]).await?;
        }
        self.announce_notification(written).await?;
        self.profile(viewer, &user.username).await
    }

    /// Unfollows someone (idempotent).
    pub async fn unfollow(&self, viewer: &Viewer, username: &str) -> Result<Profile> {
        let mut conn = self.db().acquire().await?;
        let user = self
            .other_user(&mut conn, viewer, username, "unfollow")
            .await?;
        let changed = store::graph::unfollow(&mut conn, viewer.user.id, user.id).await?;
        drop(conn);
        if changed {
            let _shared = self.inner.fanout.read().await;
            self.announce_counts(&[user.id, viewer.user.id]).await?;
        }
        self.profile(viewer, &user.username).await
    }

    /// Blocks someone: follows both ways go, each stops seeing the other at once (their
    /// open pages drop the other's content), and no event computed before the block
    /// commits can leave after it (the fan-out lock is held exclusively meanwhile).
    pub async fn block(&self, viewer: &Viewer, username: &str) -> Result<Profile> {
        let me = viewer.user.id;
        let _exclusive = self.inner.fanout.write().await;
        let mut tx = self.db().begin().await?;
        let user = self.other_user(&mut tx, viewer, username, "block").await?;
        let unfollowed = store::graph::block(&mut tx, me, user.id, now_ms()).await?;
        tx.commit().await?;
        self.emitter().leave_room(me, profile_room(user.id)).await;
        self.emitter().leave_room(user.id, profile_room(me)).await;
        self.emitter()
            .emit::<UserHidden>(&Audience::Users(vec![me]), &UserRef { user: user.id })
            .await;
        self.emitter()
            .emit::<UserHidden>(&Audience::Users(vec![user.id]), &UserRef { user: me })
            .await;
        if unfollowed {
            self.announce_counts(&[user.id, me]).await?;
        }
        self.drop_notifications_between(me, user.id).await?;
        drop(_exclusive);
        self.profile(viewer, &user.username).await
    }

    /// Unblocks someone (idempotent): each may see the other again; removed follows stay removed.
    pub async fn unblock(&self, viewer: &Viewer, username: &str) -> Result<Profile> {
        let me = viewer.user.id;
        let mut conn = self.db().acquire().await?;
        let user = self
            .other_user(&mut conn, viewer, username, "unblock")
            .await?;
        let changed = store::graph::unblock(&mut conn, me, user.id).await?;
        drop(conn);
        if changed && !self.blocked_pair(me, user.id).await? {
            let _shared = self.inner.fanout.read().await;
            self.emitter()
                .emit::<UserVisible>(&Audience::Users(vec![me]), &UserRef { user: user.id })
                .await;
            self.emitter()
                .emit::<UserVisible>(&Audience::Users(vec![user.id]), &UserRef { user: me })
                .await;
        }
        self.profile(viewer, &user.username).await
    }

    async fn blocked_pair(&self, a: UserId, b: UserId) -> Result<bool> {
        let mut conn = self.db().acquire().await?;
        Ok(store::graph::is_blocked_pair(&mut conn, a, b).await?)
    }

    /// A user's followers or followees, without those blocked with the viewer.
    pub async fn follow_list(
        &self,
        viewer: &Viewer,
        username: &str,
        followers: bool,
    ) -> Result<Vec<UserSummary>> {
        let mut conn = self.db().acquire().await?;
        let (user, _) = self.visible_user(&mut conn, viewer, username).await?;
        Ok(store::users::follow_list(&mut conn, viewer.user.id, user.id, followers).await?)
    }

    /// Everyone the viewer may see, a page at a time.
    pub async fn people(&self, viewer: &Viewer, after: Option<UserId>) -> Result<PeoplePage> {
        let mut conn = self.db().acquire().await?;
        let fetched = store::users::people(
            &mut conn,
            viewer.user.id,
            after,
            super::fetch_limit(PEOPLE_PAGE_SIZE),
        )
        .await?;
        let (people, next_after) = super::paged(fetched, PEOPLE_PAGE_SIZE, |c| c.user.id);
        Ok(PeoplePage { people, next_after })
    }

    /// People the viewer might follow.
    pub async fn suggestions(&self, viewer: &Viewer) -> Result<Vec<UserCard>> {
        let mut conn = self.db().acquire().await?;
        Ok(store::users::suggestions(&mut conn, viewer.user.id, 10).await?)
    }

    /// Users whose name starts with `query`.
    pub async fn search_people(&self, viewer: &Viewer, query: &str) -> Result<Vec<UserCard>> {
        let query = query.trim();
        if query.chars().count() > 30 {
            return Err(ApiError::validation("q", "Search for at most 30 characters.").into());
        }
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.db().acquire().await?;
        Ok(store::users::search(&mut conn, viewer.user.id, query, 20).await?)
    }

    /// The users the viewer has blocked (to unblock them from settings).
    pub async fn blocked_users(&self, viewer: &Viewer) -> Result<Vec<UserSummary>> {
        let mut conn = self.db().acquire().await?;
        Ok(store::users::blocked_by(&mut conn, viewer.user.id).await?)
    }

    /// Lets `join` put the viewer's socket in a profile's room, unless blocked either
    /// way; under the fan-out lock, so a block cannot slip between check and join.
    pub async fn watch_profile(
        &self,
        viewer: &Viewer,
        user: UserId,
        join: impl FnOnce(String),
    ) -> Result<()> {
        let _shared = self.inner.fanout.read().await;
        let blocked = {
            let mut conn = self.db().acquire().await?;
            store::graph::is_blocked_pair(&mut conn, viewer.user.id, user).await?
        };
        if blocked {
            return Err(ApiError::not_found("User").into());
        }
        join(profile_room(user));
        Ok(())
    }
}
