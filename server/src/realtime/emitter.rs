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

use super::user_room;
use app::{events::ServerEvent, model::UserId};
use socketioxide::SocketIo;
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

/// Who an event goes to, as rooms.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// Sends server events to audiences and counts what failed.
#[derive(Clone)]
pub struct Emitter {
    io: SocketIo,
    failed: Arc<AtomicU64>,
}

impl Emitter {
    /// Wraps the Socket.IO handle.
    pub fn new(io: SocketIo) -> Self {
        Self {
            io,
            failed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Sends `E` to `to`. A failure is logged and counted, never silently dropped.
    pub async fn emit<E: ServerEvent>(&self, to: &Audience, payload: &E::Payload) {
        let result = match to {
            Audience::Everyone => self.io.emit(E::NAME, payload).await,
            Audience::EveryoneExcept(users) => {
                let rooms: Vec<String> = users.iter().copied().map(user_room).collect();
                self.io.except(rooms).emit(E::NAME, payload).await
            }
            Audience::Users(users) if users.is_empty() => Ok(()),
            Audience::Users(users) => {
                let rooms: Vec<String> = users.iter().copied().map(user_room).collect();
                self.io.to(rooms).emit(E::NAME, payload).await
            }
        };
        if let Err(err) = result {
            self.failed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(event = E::NAME, ?to, error = %err, "emit failed");
        }
    }

    /// Sends `E` to every socket in `room` (a watched profile, say).
    pub async fn emit_to_room<E: ServerEvent>(&self, room: String, payload: &E::Payload) {
        if let Err(err) = self.io.to(room.clone()).emit(E::NAME, payload).await {
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
}
