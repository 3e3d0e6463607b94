//! Notifications, presence and catch-up: the state behind "what happened while I was
//! away" and "who is here", all of it in the database so every instance sees the same.

use super::Services;
use crate::{
    db::now_ms,
    error::Result,
    realtime::Audience,
    store::{self, notifications::NewNotification},
};
use app::{
    error::ApiError,
    events::{
        NotificationPayload, NotificationReceived, NotificationsChanged, NotificationsUpdate,
        PresenceChanged, SyncHint,
    },
    model::{
        ConversationId, NOTIFICATION_PAGE_SIZE, NotificationId, NotificationKind, NotificationPage,
        NotificationSettings, OnlineUsers, PresenceChange, ReplayedEvent, ResyncHint, SessionInfo,
        SyncReply, UserId, UserSummary,
    },
    service::Viewer,
};
use std::time::Duration;

/// At most this many logged events are looked through for one catch-up; a longer gap
/// reloads instead.
const MAX_REPLAY_SCAN: i64 = 20_000;

/// A notification written in a transaction, to announce once it has committed.
#[derive(Debug)]
#[must_use = "announce it after the commit"]
pub(crate) struct Written {
    user: UserId,
    actor: UserId,
    id: NotificationId,
    replaces: Option<NotificationId>,
}

impl Services {
    /// Writes a notification in the caller's transaction, unless it is for one's own
    /// action, its kind is switched off, the two are blocked, or (messages) the recipient
    /// is looking at the conversation. A repeat (another message in the conversation, a
    /// changed reaction, a re-follow) replaces the unread one before it.
    pub(crate) async fn notify_in(
        &self,
        conn: &mut store::Conn,
        new: NewNotification<'_>,
    ) -> Result<Option<Written>> {
        if new.user == new.actor
            || store::notifications::is_muted(conn, new.user, new.kind).await?
            || store::graph::is_blocked_pair(conn, new.user, new.actor).await?
        {
            return Ok(None);
        }
        if let (NotificationKind::Message, Some(conversation)) = (new.kind, new.conversation)
            && store::presence::is_viewing(conn, new.user, conversation).await?
        {
            return Ok(None);
        }
        let excerpt: String = new.excerpt.chars().take(140).collect();
        let new = NewNotification {
            excerpt: &excerpt,
            ..new
        };
        let replaced = store::notifications::replaceable(conn, &new).await?;
        let count = match (new.kind, replaced) {
            (NotificationKind::Message, Some((_, count))) => count + 1,
            _ => 1,
        };
        if let Some((old, _)) = replaced {
            store::notifications::delete(conn, new.user, old).await?;
        }
        let id = store::notifications::insert(conn, &new, count, now_ms()).await?;
        Ok(Some(Written {
            user: new.user,
            actor: new.actor,
            id,
            replaces: replaced.map(|(old, _)| old),
        }))
    }

    /// Sends a committed notification to its recipient, with their unread count.
    pub(crate) async fn announce_notification(&self, written: Option<Written>) -> Result<()> {
        let Some(written) = written else {
            return Ok(());
        };
        let (notification, unread) = {
            let mut conn = self.db().acquire().await?;
            let notification =
                store::notifications::get(&mut conn, written.user, written.id).await?;
            let unread = store::notifications::unread_count(&mut conn, written.user).await?;
            (notification, unread)
        };
        // Deleted meanwhile (read in another tab and deleted, a block): nothing to say.
        let Some(notification) = notification else {
            return Ok(());
        };
        let payload = NotificationPayload {
            notification,
            replaces: written.replaces,
            unread,
        };
        let _shared = self.inner.fanout.read().await;
        self.emitter()
            .emit_by::<NotificationReceived>(
                Some(written.actor),
                &Audience::Users(vec![written.user]),
                &payload,
            )
            .await;
        Ok(())
    }

    /// Tells all of `user`'s tabs that notifications were read or deleted, with the
    /// unread count from storage; returns that count.
    async fn announce_notification_change(
        &self,
        user: UserId,
        mut update: NotificationsUpdate,
    ) -> Result<i64> {
        let mut conn = self.db().acquire().await?;
        update.unread = store::notifications::unread_count(&mut conn, user).await?;
        drop(conn);
        self.emitter()
            .emit::<NotificationsChanged>(&Audience::Users(vec![user]), &update)
            .await;
        Ok(update.unread)
    }

    /// Tells `user`'s tabs of notifications read or deleted by something other than their
    /// own marking (a withdrawn reaction, a block, a conversation read), if there are any.
    pub(super) async fn announce_if_any(
        &self,
        user: UserId,
        update: NotificationsUpdate,
    ) -> Result<()> {
        if !update.is_empty() {
            self.announce_notification_change(user, update).await?;
        }
        Ok(())
    }

    /// Removes what `actor` caused `user` to be notified of (an undone reaction, say).
    pub(crate) async fn withdraw_notifications(
        &self,
        user: UserId,
        actor: UserId,
        kind: NotificationKind,
        post: Option<app::model::PostId>,
    ) -> Result<()> {
        let deleted = {
            let mut conn = self.db().acquire().await?;
            store::notifications::withdraw(&mut conn, user, actor, kind, post).await?
        };
        self.announce_if_any(user, NotificationsUpdate::deleted(deleted))
            .await
    }

    /// At a block: each loses the notifications the other caused.
    pub(crate) async fn drop_notifications_between(&self, a: UserId, b: UserId) -> Result<()> {
        for (user, actor) in [(a, b), (b, a)] {
            let deleted = {
                let mut conn = self.db().acquire().await?;
                store::notifications::delete_from(&mut conn, user, actor).await?
            };
            self.announce_if_any(user, NotificationsUpdate::deleted(deleted))
                .await?;
        }
        Ok(())
    }

    /// A page of the viewer's notifications, newest first, with the unread count.
    pub async fn notifications(
        &self,
        viewer: &Viewer,
        before: Option<NotificationId>,
    ) -> Result<NotificationPage> {
        let me = viewer.user.id;
        let mut conn = self.db().acquire().await?;
        let fetched = store::notifications::page(
            &mut conn,
            me,
            before,
            super::fetch_limit(NOTIFICATION_PAGE_SIZE),
        )
        .await?;
        let (items, next_before) = super::paged(fetched, NOTIFICATION_PAGE_SIZE, |n| n.id);
        let unread = store::notifications::unread_count(&mut conn, me).await?;
        Ok(NotificationPage {
            items,
            next_before,
            unread,
        })
    }

    /// The viewer with both unread counts, in one query (every page's header).
    pub async fn session_info(&self, viewer: Viewer) -> Result<SessionInfo> {
        let mut conn = self.reader().acquire().await?;
        let (unread_messages, unread_notifications) =
            store::notifications::unread_both(&mut conn, viewer.user.id).await?;
        Ok(SessionInfo {
            unread_messages,
            unread_notifications,
            user: Some(viewer.user),
        })
    }

    /// The viewer's unread notification count.
    pub async fn unread_notifications(&self, viewer: &Viewer) -> Result<i64> {
        let mut conn = self.db().acquire().await?;
        Ok(store::notifications::unread_count(&mut conn, viewer.user.id).await?)
    }

    /// Marks one notification read (idempotent); 404 if it is not the viewer's.
    pub async fn mark_notification_read(&self, viewer: &Viewer, id: NotificationId) -> Result<i64> {
        let me = viewer.user.id;
        let mut conn = self.db().acquire().await?;
        if store::notifications::get(&mut conn, me, id)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found("Notification").into());
        }
        if !store::notifications::mark_read(&mut conn, me, id, now_ms()).await? {
            return Ok(store::notifications::unread_count(&mut conn, me).await?);
        }
        drop(conn);
        self.announce_notification_change(me, NotificationsUpdate::read(vec![id]))
            .await
    }

    /// Marks every notification of the viewer read.
    pub async fn mark_all_notifications_read(&self, viewer: &Viewer) -> Result<i64> {
        let me = viewer.user.id;
        let mut conn = self.db().acquire().await?;
        if store::notifications::mark_all_read(&mut conn, me, now_ms()).await? == 0 {
            return Ok(store::notifications::unread_count(&mut conn, me).await?);
        }
        drop(conn);
        let update = NotificationsUpdate {
            all_read: true,
            ..NotificationsUpdate::default()
        };
        self.announce_notification_change(me, update).await
    }

    /// Deletes one of the viewer's notifications; 404 if it is not theirs.
    pub async fn delete_notification(&self, viewer: &Viewer, id: NotificationId) -> Result<i64> {
        let me = viewer.user.id;
        let mut conn = self.db().acquire().await?;
        if !store::notifications::delete(&mut conn, me, id).await? {
            return Err(ApiError::not_found("Notification").into());
        }
        drop(conn);
        self.announce_notification_change(me, NotificationsUpdate::deleted(vec![id]))
            .await
    }

    /// Which notification kinds the viewer gets.
    pub async fn notification_settings(&self, viewer: &Viewer) -> Result<NotificationSettings> {
        let mut conn = self.db().acquire().await?;
        let muted = store::notifications::muted(&mut conn, viewer.user.id).await?;
        let mut settings = NotificationSettings::default();
        for kind in muted {
            settings.set(kind, false);
        }
        Ok(settings)
    }

    /// Switches notification kinds on and off.
    pub async fn set_notification_settings(
        &self,
        viewer: &Viewer,
        settings: NotificationSettings,
    ) -> Result<NotificationSettings> {
        let mut tx = self.db().begin().await?;
        for kind in NotificationKind::ALL {
            store::notifications::set_muted(&mut tx, viewer.user.id, kind, !settings.enabled(kind))
                .await?;
        }
        tx.commit().await?;
        self.notification_settings(viewer).await
    }

    // ----- presence -----

    /// A socket of `user` connected on this instance: record it and tell everyone who
    /// may see them.
    pub async fn socket_connected(&self, socket: &str, user: &UserSummary) -> Result<()> {
        {
            let mut conn = self.db().acquire().await?;
            store::presence::add(&mut conn, socket, self.instance_id(), user.id, now_ms()).await?;
        }
        self.announce_presence(user.clone(), true).await
    }

    /// A socket of `user` closed (or timed out): forget it; the user goes offline with
    /// their last.
    pub async fn socket_disconnected(&self, socket: &str, user: &UserSummary) -> Result<()> {
        let left = {
            let mut conn = self.db().acquire().await?;
            if store::presence::remove(&mut conn, socket).await?.is_none() {
                return Ok(()); // already swept
            }
            store::presence::sockets_of(&mut conn, user.id).await?
        };
        if left > 0 {
            return Ok(());
        }
        self.announce_presence(user.clone(), false).await
    }

    /// Tells the tabs that watch presence, but those of users blocked with `user` (and
    /// `user`'s own), that they came online or went offline.
    async fn announce_presence(&self, user: UserSummary, online: bool) -> Result<()> {
        let id = user.id;
        let payload = PresenceChange { user, online };
        let _shared = self.inner.fanout.read().await;
        let mut except = {
            let mut conn = self.db().acquire().await?;
            store::graph::blocked_with(&mut conn, id).await?
        };
        except.push(id);
        self.emitter()
            .emit_to_room_except::<PresenceChanged>(
                crate::realtime::PRESENCE_ROOM.into(),
                &except,
                &payload,
            )
            .await;
        Ok(())
    }

    /// Who the viewer may see online now, on any instance: the first `limit` by
    /// username and a count of the rest, or (`None`) everyone.
    pub async fn online(&self, viewer: &Viewer, limit: Option<usize>) -> Result<OnlineUsers> {
        let mut conn = self.reader().acquire().await?;
        Ok(store::presence::online_visible_to(&mut conn, viewer.user.id, limit).await?)
    }

    /// Records which conversation a socket shows; only one the viewer is in.
    pub async fn focus_chat(
        &self,
        viewer: &Viewer,
        socket: &str,
        conversation: Option<ConversationId>,
    ) -> Result<()> {
        let mut conn = self.db().acquire().await?;
        if let Some(id) = conversation {
            self.other_participant(&mut conn, viewer, id).await?;
        }
        store::presence::set_focus(&mut conn, socket, conversation).await?;
        Ok(())
    }

    /// One heartbeat of this instance: record it alive, take the sockets of crashed
    /// instances offline, and prune the event log to the catch-up window.
    pub async fn heartbeat(&self) -> Result<()> {
        let now = now_ms();
        let settings = self.settings();
        let silent_for = settings.heartbeat_interval + settings.heartbeat_timeout;
        let cutoff = now - millis(silent_for);
        let mut gone = {
            let mut tx = self.db().begin().await?;
            store::presence::heartbeat(&mut tx, self.instance_id(), now).await?;
            let gone = store::presence::sweep(&mut tx, cutoff, None).await?;
            store::events::prune(&mut tx, now - millis(settings.catchup_window)).await?;
            tx.commit().await?;
            gone
        };
        // Rows of this instance's sockets that are gone without their disconnect being
        // recorded (a database error then): remove them too, so no one stays a ghost.
        // Before the namespace exists (at startup) there is nothing to compare with.
        let Some(namespace) = self.emitter().io().of("/") else {
            return self.announce_gone(gone).await;
        };
        let live: std::collections::HashSet<String> = namespace
            .sockets()
            .iter()
            .map(|s| s.id.to_string())
            .collect();
        let mut conn = self.db().acquire().await?;
        for socket in store::presence::sockets_on(&mut conn, self.instance_id(), cutoff).await? {
            if !live.contains(&socket)
                && let Some(user) = store::presence::remove(&mut conn, &socket).await?
            {
                tracing::warn!(%socket, user = user.0, "removed the record of a vanished socket");
                gone.push(user);
            }
        }
        drop(conn);
        self.announce_gone(gone).await
    }

    /// The users with a socket on this instance.
    pub async fn users_here(&self) -> Result<Vec<UserId>> {
        let mut conn = self.db().acquire().await?;
        Ok(store::presence::users_on(&mut conn, self.instance_id()).await?)
    }

    /// At shutdown, once the sockets are closed: waits (briefly) for their disconnects to
    /// be recorded, removes what is left and the instance, and announces offline every
    /// one of `users` (those who were here) without a socket elsewhere.
    pub async fn leave_cluster(&self, users: Vec<UserId>) -> Result<()> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while tokio::time::Instant::now() < deadline && !self.users_here().await?.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut gone = {
            let mut tx = self.db().begin().await?;
            let gone = store::presence::sweep(&mut tx, 0, Some(self.instance_id())).await?;
            tx.commit().await?;
            gone
        };
        gone.extend(users);
        gone.sort_unstable();
        gone.dedup();
        self.announce_gone(gone).await
    }

    /// Announces offline those of `users` without a socket left anywhere.
    async fn announce_gone(&self, users: Vec<UserId>) -> Result<()> {
        for user in users {
            let summary = {
                let mut conn = self.db().acquire().await?;
                if store::presence::is_online(&mut conn, user).await? {
                    continue;
                }
                store::users::summary_by_id(&mut conn, user).await?
            };
            if let Some(summary) = summary {
                tracing::info!(user = user.0, "offline: its instance is gone");
                self.announce_presence(summary, false).await?;
            }
        }
        Ok(())
    }

    // ----- catch-up -----

    /// The newest offset of the event log.
    pub async fn log_head(&self) -> Result<u64> {
        let mut conn = self.db().acquire().await?;
        Ok(u64::try_from(store::events::head(&mut conn).await?).unwrap_or(0))
    }

    /// Every durable event addressed to the viewer after `since`, oldest first, without
    /// those caused by users blocked with them by now; or "reload" when the gap reaches
    /// beyond the catch-up window (or the offset is not one this server gave).
    pub async fn catch_up(&self, viewer: &Viewer, since: Option<u64>) -> Result<SyncReply> {
        let me = viewer.user.id;
        let mut conn = self.db().acquire().await?;
        let head = u64::try_from(store::events::head(&mut conn).await?).unwrap_or(0);
        let Some(since) = since else {
            return Ok(SyncReply::Events {
                events: vec![],
                head,
            });
        };
        let Ok(since_id) = i64::try_from(since) else {
            return Ok(SyncReply::Reload { head });
        };
        let cutoff = now_ms() - millis(self.settings().catchup_window);
        let pruned = store::events::pruned_through(&mut conn).await?;
        let too_old = match store::events::first_after(&mut conn, since_id).await? {
            Some((_, created_at)) => created_at < cutoff,
            None => false,
        };
        if since > head || since_id < pruned || too_old {
            return Ok(SyncReply::Reload { head });
        }
        let logged = store::events::after(&mut conn, since_id, MAX_REPLAY_SCAN + 1).await?;
        if logged.len() as i64 > MAX_REPLAY_SCAN {
            return Ok(SyncReply::Reload { head });
        }
        let blocked = store::graph::blocked_with(&mut conn, me).await?;
        drop(conn);
        let mut events = Vec::new();
        let mut last = since;
        for row in logged {
            last = last.max(u64::try_from(row.id).unwrap_or(0));
            let audience: Audience = match serde_json::from_str(&row.audience) {
                Ok(a) => a,
                Err(err) => {
                    tracing::error!(offset = row.id, error = %err, "unreadable audience in the event log");
                    continue;
                }
            };
            if !audience.includes(me) || row.actor.is_some_and(|a| blocked.contains(&UserId(a))) {
                continue;
            }
            match serde_json::from_str(&row.payload) {
                Ok(payload) => events.push(ReplayedEvent {
                    offset: u64::try_from(row.id).unwrap_or(0),
                    event: row.event,
                    payload,
                }),
                Err(err) => {
                    tracing::error!(offset = row.id, error = %err, "unreadable payload in the event log");
                }
            }
        }
        Ok(SyncReply::Events {
            events,
            head: head.max(last),
        })
    }

    /// After the message bus was down: ask every connected client (on every instance
    /// now that the bus is back) to catch up from `from`.
    pub async fn resync_everyone(&self, from: u64) {
        self.emitter()
            .emit::<SyncHint>(&Audience::Everyone, &ResyncHint { from })
            .await;
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
