//! The typed emitter: it accepts only [`ServerEvent`]s with their own payload type.
//!
//! ```compile_fail,E0277
//! # async fn f(emitter: server::realtime::Emitter, draft: app::model::PostDraft) {
//! use server::realtime::Audience;
//! // A client-to-server event cannot be sent by the server.
//! emitter.emit::<app::events::CreatePost>(&Audience::Everyone, &draft).await;
//! # }
//! ```
//!
//! ```compile_fail,E0308
//! # async fn f(emitter: server::realtime::Emitter, post: app::model::Post) {
//! use server::realtime::Audience;
//! // PostDeleted carries a PostRef, not a PostPayload.
//! emitter.emit::<app::events::PostDeleted>(&Audience::Everyone, &app::events::PostPayload { post }).await;
//! # }
//! ```

use super::cluster::Io;
use super::user_room;
use crate::db::{Db, now_ms};
use crate::store;
use app::{events::ServerEvent, model::UserId};
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

/// Who an event goes to, as rooms. Stored with durable events, so a catch-up replays an
/// event exactly to the users it was sent to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[must_use]
pub enum Audience {
    /// Every connected (hence signed-in) user.
    Everyone,
    /// Every connected user but these.
    EveryoneExcept(Vec<UserId>),
    /// Exactly these users (all their tabs).
    Users(Vec<UserId>),
}

impl Audience {
    /// The same audience without `users`.
    pub fn without(self, users: &[UserId]) -> Self {
        if users.is_empty() {
            return self;
        }
        match self {
            Audience::Everyone => Audience::EveryoneExcept(users.to_vec()),
            Audience::EveryoneExcept(mut except) => {
                except.extend(
                    users
                        .iter()
                        .filter(|u| !except.contains(u))
                        .copied()
                        .collect::<Vec<_>>(),
                );
                Audience::EveryoneExcept(except)
            }
            Audience::Users(mut to) => {
                to.retain(|u| !users.contains(u));
                Audience::Users(to)
            }
        }
    }

    /// Does it include `user`?
    pub fn includes(&self, user: UserId) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::EveryoneExcept(except) => !except.contains(&user),
            Audience::Users(to) => to.contains(&user),
        }
    }
}

/// Sends server events to audiences and counts what failed. Durable events are first
/// appended to the event log; their offset travels as the event's second argument.
#[derive(Clone)]
pub struct Emitter {
    io: Io,
    db: Db,
    failed: Arc<AtomicU64>,
}

impl Emitter {
    /// Wraps the Socket.IO handle and the database holding the event log.
    pub fn new(io: Io, db: Db) -> Self {
        Self {
            io,
            db,
            failed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The Socket.IO handle.
    pub fn io(&self) -> &Io {
        &self.io
    }

    /// Sends `E` to `to`. A failure is logged and counted, never silently dropped.
    pub async fn emit<E: ServerEvent>(&self, to: &Audience, payload: &E::Payload) {
        self.emit_by::<E>(None, to, payload).await;
    }

    /// Sends `E`, caused by `actor`, to `to`: a catch-up does not replay it to users
    /// blocked with `actor` by then.
    pub async fn emit_by<E: ServerEvent>(
        &self,
        actor: Option<UserId>,
        to: &Audience,
        payload: &E::Payload,
    ) {
        if matches!(to, Audience::Users(users) if users.is_empty()) {
            return;
        }
        let offset = if E::DURABLE {
            self.log::<E>(actor, to, payload).await
        } else {
            None
        };
        let operators = match to {
            Audience::Everyone => self.io.broadcast(),
            Audience::EveryoneExcept(users) => {
                let rooms: Vec<String> = users.iter().copied().map(user_room).collect();
                self.io.except(rooms)
            }
            Audience::Users(users) => {
                let rooms: Vec<String> = users.iter().copied().map(user_room).collect();
                self.io.to(rooms)
            }
        };
        let result = match offset {
            Some(offset) => operators.emit(E::NAME, &(payload, offset)).await,
            None => operators.emit(E::NAME, payload).await,
        };
        if let Err(err) = result {
            self.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(event = E::NAME, ?to, error = %err, "emit failed");
        }
    }

    /// Appends a durable event to the log; `None` (logged, counted) if that failed: the
    /// event then still goes out live, without an offset.
    async fn log<E: ServerEvent>(
        &self,
        actor: Option<UserId>,
        to: &Audience,
        payload: &E::Payload,
    ) -> Option<u64> {
        let appended = async {
            let payload = serde_json::to_string(payload)?;
            let audience = serde_json::to_string(to)?;
            let mut conn = self.db.acquire().await?;
            let id = store::events::append(
                &mut conn,
                now_ms(),
                E::NAME,
                &payload,
                &audience,
                actor.map(|a| a.0),
            )
            .await?;
            anyhow::Ok(id)
        };
        match appended.await {
            Ok(id) => u64::try_from(id).ok(),
            Err(err) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                tracing::error!(event = E::NAME, error = %err, "event log append failed; sent without an offset");
                None
            }
        }
    }

    /// Sends the transient event `E` to every socket in `room` (a watched profile, say).
    pub async fn emit_to_room<E: ServerEvent>(&self, room: String, payload: &E::Payload) {
        self.emit_to_room_except::<E>(room, &[], payload).await;
    }

    /// Sends the transient event `E` to every socket in `room` but those of `except`.
    pub async fn emit_to_room_except<E: ServerEvent>(
        &self,
        room: String,
        except: &[UserId],
        payload: &E::Payload,
    ) {
        debug_assert!(
            !E::DURABLE,
            "room events are not replayed; make {} transient",
            E::NAME
        );
        let except: Vec<String> = except.iter().copied().map(user_room).collect();
        let to = self.io.to(room.clone()).except(except);
        if let Err(err) = to.emit(E::NAME, payload).await {
            self.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(event = E::NAME, %room, error = %err, "emit failed");
        }
    }

    /// Takes every socket of `user` out of `room` (on every server instance).
    pub async fn leave_room(&self, user: UserId, room: String) {
        if let Err(err) = self.io.to(user_room(user)).leave(room.clone()).await {
            self.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(user = user.0, %room, error = %err, "leaving room failed");
        }
    }

    /// How many emits have failed since start.
    pub fn failed_emits(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// Disconnects every socket in `room` (e.g. a session's, at sign-out).
    pub async fn disconnect_room(&self, room: String) {
        if let Err(err) = self.io.to(room.clone()).disconnect().await {
            self.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(%room, error = %err, "disconnecting room failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_removes_users_from_any_audience() {
        let (a, b, c) = (UserId(1), UserId(2), UserId(3));
        assert_eq!(
            Audience::Everyone.without(&[a]),
            Audience::EveryoneExcept(vec![a])
        );
        assert_eq!(
            Audience::EveryoneExcept(vec![a]).without(&[a, b]),
            Audience::EveryoneExcept(vec![a, b])
        );
        assert_eq!(
            Audience::Users(vec![a, b, c]).without(&[b]),
            Audience::Users(vec![a, c])
        );
        assert_eq!(Audience::Everyone.without(&[]), Audience::Everyone);
    }

    #[test]
    fn audiences_survive_the_log_and_know_their_members() {
        let (a, b) = (UserId(1), UserId(2));
        for audience in [
            Audience::Everyone,
            Audience::EveryoneExcept(vec![a]),
            Audience::Users(vec![b]),
        ] {
            let text = serde_json::to_string(&audience).unwrap();
            assert_eq!(serde_json::from_str::<Audience>(&text).unwrap(), audience);
        }
        assert!(Audience::Everyone.includes(a));
        assert!(!Audience::EveryoneExcept(vec![a]).includes(a));
        assert!(Audience::EveryoneExcept(vec![a]).includes(b));
        assert!(Audience::Users(vec![b]).includes(b) && !Audience::Users(vec![b]).includes(a));
    }
}
