//! The realtime layer: the typed emitter (the only way the server sends events) and
//! the Socket.IO connection handling.

pub mod cluster;
mod emitter;
mod sequencer;
pub mod socket;

pub use emitter::{Audience, Emitter};

/// Where Socket.IO is served (the builder's path; the origin check and the handshake's
/// own head match on it).
pub const SOCKET_IO_PATH: &str = "/socket.io";

/// The room every socket of one user joins.
pub fn user_room(user: app::model::UserId) -> String {
    format!("user:{}", user.0)
}

/// The room every socket opened with one session joins (closed at sign-out).
pub fn session_room(session_id: &str) -> String {
    format!("session:{session_id}")
}

/// The room of the sockets that have a user's profile page open.
pub fn profile_room(user: app::model::UserId) -> String {
    format!("profile:{}", user.0)
}

/// The room of the sockets that show who is online (they asked with `presence:watch`):
/// presence changes go there only, as a tab that shows none has no use for them, and
/// announcing every arrival to every connected tab would cost N^2 frames for N arrivals.
pub const PRESENCE_ROOM: &str = "presence";
