//! THE realtime contract: every Socket.IO event's name, direction, payload and ack.
//!
//! Server-to-client events implement [`ServerEvent`]; client-to-server events implement
//! [`ClientEvent`] and are answered with an ack carrying `Result<Ack, ApiError>`.
//! Each event is an uninhabited marker type, so it can only be used as a type parameter:
//! `emit::<PostCreated>(&payload)`. Both are generated from the one table below.
//!
//! The server's emitter accepts only server events, and the browser client emits only
//! client events; the wrong direction does not compile:
//!
//! ```compile_fail,E0277
//! use app::events::*;
//! fn client_emit<E: ClientEvent>(_: &E::Payload) {}
//! // A server-to-client event cannot be emitted by the client.
//! client_emit::<PostCreated>(&PostPayload { post: todo!() });
//! ```
//!
//! ```compile_fail,E0277
//! use app::events::*;
//! fn server_emit<E: ServerEvent>(_: &E::Payload) {}
//! // A client-to-server event cannot be emitted by the server.
//! server_emit::<CreatePost>(&todo!());
//! ```
//!
//! ```compile_fail,E0308
//! use app::events::*;
//! fn server_emit<E: ServerEvent>(_: &E::Payload) {}
//! // A payload of the wrong type does not compile either.
//! server_emit::<PostDeleted>(&PostPayload { post: todo!() });
//! ```

use crate::error::ApiError;
use crate::model::{Post, PostDraft, PostId};
use serde::{Serialize, de::DeserializeOwned};

/// An event the server sends to browsers.
pub trait ServerEvent: 'static {
    /// The Socket.IO event name.
    const NAME: &'static str;
    /// The one payload struct it carries.
    type Payload: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static;
}

/// An event a browser sends to the server, always answered with an ack.
pub trait ClientEvent: 'static {
    /// The Socket.IO event name.
    const NAME: &'static str;
    /// The one payload struct it carries.
    type Payload: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static;
    /// What a successful ack carries; failures carry an [`ApiError`].
    type Ack: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static;
}

/// What every ack carries on the wire.
pub type AckResult<A> = Result<A, ApiError>;

macro_rules! contract {
    (
        server { $( $(#[$sm:meta])* $sname:ident = $swire:literal => $spayload:ty; )* }
        client { $( $(#[$cm:meta])* $cname:ident = $cwire:literal => $cpayload:ty, ack $cack:ty; )* }
    ) => {
        $(
            $(#[$sm])*
            #[derive(Debug)]
            pub enum $sname {}
            impl ServerEvent for $sname {
                const NAME: &'static str = $swire;
                type Payload = $spayload;
            }
        )*
        $(
            $(#[$cm])*
            #[derive(Debug)]
            pub enum $cname {}
            impl ClientEvent for $cname {
                const NAME: &'static str = $cwire;
                type Payload = $cpayload;
                type Ack = $cack;
            }
        )*
        /// Every server-to-client event name.
        pub const SERVER_EVENTS: &[&str] = &[$($swire),*];
        /// Every client-to-server event name.
        pub const CLIENT_EVENTS: &[&str] = &[$($cwire),*];
    };
}

/// A post, as stored (for created and updated).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostPayload {
    /// The stored post.
    pub post: Post,
}

/// A reference to a post by id (deleted; delete request and its ack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostRef {
    /// The post's id.
    pub id: PostId,
}

/// An edit of one's own post.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostEdit {
    /// Which post.
    pub id: PostId,
    /// Its new content.
    pub draft: PostDraft,
}

contract! {
    server {
        /// A post the recipient may see was created.
        PostCreated = "post:created" => PostPayload;
        /// A post the recipient may see was edited.
        PostUpdated = "post:updated" => PostPayload;
        /// A post the recipient could see was deleted (or is no longer visible to them).
        PostDeleted = "post:deleted" => PostRef;
    }
    client {
        /// Create a post; acks with the stored post.
        CreatePost = "post:create" => PostDraft, ack Post;
        /// Edit one's own post; acks with the stored post.
        EditPost = "post:edit" => PostEdit, ack Post;
        /// Delete one's own post; acks with its id.
        DeletePost = "post:delete" => PostRef, ack PostRef;
    }
}

/// Is `name` a client-to-server event of the contract?
pub fn is_client_event(name: &str) -> bool {
    CLIENT_EVENTS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_event_name_repeats_in_either_direction() {
        let mut all: Vec<&str> = SERVER_EVENTS.iter().chain(CLIENT_EVENTS).copied().collect();
        let total = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), total, "an event name is used twice: {all:?}");
    }

    #[test]
    fn names_are_not_reserved_by_socket_io() {
        const RESERVED: &[&str] = &[
            "connect",
            "connect_error",
            "disconnect",
            "disconnecting",
            "newListener",
            "removeListener",
        ];
        for name in SERVER_EVENTS.iter().chain(CLIENT_EVENTS) {
            assert!(!RESERVED.contains(name), "{name} is reserved");
            assert!(!name.is_empty());
        }
    }

    #[test]
    fn the_table_and_the_traits_agree() {
        assert_eq!(<PostCreated as ServerEvent>::NAME, "post:created");
        assert_eq!(<CreatePost as ClientEvent>::NAME, "post:create");
        assert!(is_client_event(DeletePost::NAME) && !is_client_event(PostDeleted::NAME));
    }

    #[test]
    fn acks_carry_a_result() {
        let err: AckResult<PostRef> = Err(ApiError::forbidden());
        let wire = serde_json::to_value(&err).unwrap();
        assert_eq!(wire["Err"]["code"], "forbidden");
        let ok: AckResult<PostRef> =
            serde_json::from_value(serde_json::json!({"Ok": {"id": 7}})).unwrap();
        assert_eq!(ok.unwrap().id, PostId(7));
    }
}
