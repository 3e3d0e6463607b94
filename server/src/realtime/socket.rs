//! Socket.IO: one namespace `/`, an auth middleware that admits only valid sessions
//! and joins the user's rooms, and one table of every feature's event handlers
//! ([`Handlers`], filled through [`on`], the typed registration helper), shared by
//! every socket.

use super::cluster::{ClusterAdapter, Io, Socket as SocketRef};
use super::{sequencer::Turn, session_room, user_room};
use crate::service::Services;
use app::{
    error::{ApiError, ErrorCode},
    events::{
        AckResult, AddComment, CatchUp, ClientEvent, CreatePost, DeleteMessage,
        DeleteMessageRequest, DeletePost, EditPost, FocusChat, MarkConversationRead, MarkRead,
        MessageReactionRequest, PostRef, React, ReactToMessage, SendMessage, StartTyping,
        TypingNotice, UnwatchPresence, UnwatchProfile, UserRef, WatchPresence, WatchProfile,
    },
    model::{ChatFocus, PresenceWatch, SyncRequest},
    realtime::ConnectRefusal,
    service::Viewer,
};
use socketioxide::{
    ParserError,
    extract::{AckSender, Event, TryData},
    handler::{ConnectHandler, FromMessage, FromMessageParts, Value},
};
use std::{collections::HashMap, convert::Infallible, future::Future, pin::Pin, sync::Arc};

/// Registers the namespace on `io` (and subscribes to the cluster bus for it).
///
/// Everything a socket needs (its viewer, its rooms, its handlers, its presence) is set
/// up in the middleware: socketioxide sends the CONNECT packet before it runs the connect
/// handler, so a client that emits at once would otherwise reach a socket with no
/// handlers yet.
pub async fn register(io: &Io, services: Services) -> anyhow::Result<()> {
    let handlers = Arc::new(Handlers {
        services: services.clone(),
        table: handlers(),
    });
    let authenticate = async move |socket: SocketRef| -> Result<(), ConnectRefusal> {
        let cookie = socket
            .req_parts()
            .headers
            .get(http::header::COOKIE)
            .and_then(|v| v.to_str().ok());
        match services.viewer_for_cookie(cookie).await {
            Ok(Some(viewer)) => {
                socket.join([user_room(viewer.user.id), session_room(&viewer.session_id)]);
                tracing::debug!(socket = %socket.id, user = viewer.user.id.0, "socket authenticated");
                let user = viewer.user.clone();
                socket.extensions.insert(viewer);
                socket
                    .extensions
                    .insert(super::sequencer::Sequencer::default());
                register_handlers(&socket, &handlers);
                if let Err(err) = services
                    .socket_connected(&socket.id.to_string(), &user)
                    .await
                {
                    // The socket works; only its presence is unknown until the next change.
                    tracing::error!(socket = %socket.id, error = %err, "could not record presence");
                }
                Ok(())
            }
            Ok(None) => {
                tracing::info!(socket = %socket.id, "socket refused: no valid session");
                Err(ConnectRefusal::Unauthorized)
            }
            Err(err) if err.is_overload() => {
                tracing::warn!(error = %err, "socket refused: busy");
                Err(ConnectRefusal::Busy)
            }
            Err(err) => {
                tracing::error!(error = %err, "socket refused: session lookup failed");
                Err(ConnectRefusal::Internal)
            }
        }
    };
    let on_connect = async |socket: SocketRef| {
        tracing::debug!(socket = %socket.id, "socket connected");
    };
    io.ns("/", on_connect.with(authenticate))
        .await
        .map_err(|e| anyhow::anyhow!("cannot subscribe to the cluster bus: {e}"))?;
    Ok(())
}

/// Gives a socket its handlers: the shared table behind socketioxide's fallback, and
/// the disconnect handler.
///
/// socketioxide keeps a map of message handlers in every socket; filled with one
/// handler per event it held about 1.6 KiB per socket, idle or not (README,
/// Performance). The fallback alone is one small box, and the events are looked up in
/// one table for all sockets.
fn register_handlers(socket: &SocketRef, handlers: &Arc<Handlers>) {
    let on_gone = handlers.services.clone();
    let handlers = handlers.clone();
    socket.on_fallback(
        async move |Event(event): Event,
                    turn: Turn,
                    ack: AckSender<ClusterAdapter>,
                    incoming: Incoming| {
            let _serving = turn.wait().await;
            handlers.handle(&event, incoming, ack).await;
        },
    );
    socket.on_disconnect(async move |socket: SocketRef| {
        let Some(viewer) = socket.extensions.get::<Viewer>() else {
            return;
        };
        let id = socket.id.to_string();
        if let Err(err) = on_gone.socket_disconnected(&id, &viewer.user).await {
            tracing::error!(socket = %socket.id, error = %err, "could not record a disconnect; the heartbeat sweep will");
        }
    });
}

/// Every feature's client events, in one place: the event's name to its handler.
fn handlers() -> Table {
    let mut table = Table::new();
    on::<CreatePost, _, _>(&mut table, async |s, viewer, draft| {
        s.create_post(&viewer, draft).await
    });
    on::<EditPost, _, _>(&mut table, async |s, viewer, edit| {
        s.edit_post(&viewer, edit.id, edit.draft).await
    });
    on::<DeletePost, _, _>(&mut table, async |s, viewer, r: PostRef| {
        s.delete_post(&viewer, r.id).await.map(|()| r)
    });
    on::<AddComment, _, _>(&mut table, async |s, viewer, c| {
        s.add_comment(
            &viewer,
            c.post_id,
            app::model::CommentDraft { text: c.text },
        )
        .await
    });
    on::<React, _, _>(&mut table, async |s, viewer, r| {
        s.react(&viewer, r.post_id, r.kind).await
    });
    on_socket::<WatchProfile, _, _>(&mut table, async |s, viewer, r: UserRef, socket| {
        s.watch_profile(&viewer, r.user, |room| socket.join(room))
            .await
            .map(|()| r)
    });
    on_socket::<UnwatchProfile, _, _>(&mut table, async |_, _, r: UserRef, socket| {
        socket.leave(super::profile_room(r.user));
        Ok(r)
    });
    on::<SendMessage, _, _>(&mut table, async |s, viewer, out| {
        s.send_message(&viewer, out).await
    });
    on::<MarkConversationRead, _, _>(&mut table, async |s, viewer, r: MarkRead| {
        s.mark_read(&viewer, r.conversation_id, r.up_to).await
    });
    on::<StartTyping, _, _>(&mut table, async |s, viewer, t: TypingNotice| {
        s.typing(&viewer, t.conversation_id).await.map(|()| t)
    });
    on::<ReactToMessage, _, _>(&mut table, async |s, viewer, r: MessageReactionRequest| {
        s.react_to_message(&viewer, r.id, r.emoji).await
    });
    on::<DeleteMessage, _, _>(&mut table, async |s, viewer, d: DeleteMessageRequest| {
        s.delete_message(&viewer, d.id, d.for_everyone).await
    });
    on::<CatchUp, _, _>(&mut table, async |s, viewer, r: SyncRequest| {
        s.catch_up(&viewer, r.since).await
    });
    on_socket::<FocusChat, _, _>(&mut table, async |s, viewer, f: ChatFocus, socket| {
        s.focus_chat(&viewer, &socket.id.to_string(), f.conversation_id)
            .await
            .map(|()| f)
    });
    on_socket::<WatchPresence, _, _>(&mut table, async |s, viewer, _, socket| {
        // Join first: a change after the list is read then still reaches this socket.
        socket.join(super::PRESENCE_ROOM);
        // Everyone: the tab shows who is online beside names anywhere on its pages.
        s.online(&viewer, None).await
    });
    on_socket::<UnwatchPresence, _, _>(&mut table, async |_, _, w: PresenceWatch, socket| {
        socket.leave(super::PRESENCE_ROOM);
        Ok(w)
    });
    table
}

/// A handler of one client event, given the services, the packet (with its socket) and
/// its ack; its future decodes, runs and acks.
type Handler = Box<
    dyn Fn(
            Services,
            Incoming,
            AckSender<ClusterAdapter>,
        ) -> Pin<Box<dyn Future<Output = ()> + Send>>
        + Send
        + Sync,
>;
type Table = HashMap<&'static str, Handler>;

/// The handlers of every client event, built once and shared by every socket.
struct Handlers {
    services: Services,
    table: Table,
}

impl Handlers {
    /// Runs the handler of `event`, or answers an unknown event with an error ack.
    async fn handle(&self, event: &str, incoming: Incoming, ack: AckSender<ClusterAdapter>) {
        match self.table.get(event) {
            Some(handler) => handler(self.services.clone(), incoming, ack).await,
            None => {
                tracing::warn!(socket = %incoming.socket.id, %event, "unknown socket event");
                let reply: AckResult<()> = Err(ApiError::new(
                    ErrorCode::UnknownEvent,
                    format!("Unknown event {event:?}."),
                ));
                send_ack(ack, &reply, event);
            }
        }
    }
}

/// A client event's packet as it arrived, with its socket, to be decoded by the handler
/// its name picks.
struct Incoming {
    socket: Arc<socketioxide::socket::Socket<ClusterAdapter>>,
    value: Value,
}

impl FromMessage<ClusterAdapter> for Incoming {
    type Error = Infallible;

    fn from_message(
        socket: Arc<socketioxide::socket::Socket<ClusterAdapter>>,
        value: Value,
        _: Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Self { socket, value })
    }
}

impl Incoming {
    /// The socket and the payload, decoded by the socket's parser as socketioxide's
    /// `TryData` does.
    fn decode<T: serde::de::DeserializeOwned>(mut self) -> (SocketRef, Result<T, ParserError>) {
        let Ok(TryData(data)) = TryData::from_message_parts(&self.socket, &mut self.value, &None);
        (self.socket.into(), data)
    }
}

/// Adds the handler of one client event: decodes its payload (a bad one gets an error
/// ack and a log line, never silence), runs it as the socket's viewer, and acks
/// `Result<Ack, ApiError>`.
fn on<E, F, Fut>(table: &mut Table, handler: F)
where
    E: ClientEvent,
    F: Fn(Services, Viewer, E::Payload) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = crate::error::Result<E::Ack>> + Send + 'static,
{
    on_socket::<E, _, _>(table, move |s, viewer, payload, _socket| {
        handler(s, viewer, payload)
    });
}

/// Like [`on`], for handlers that also need their socket (to join rooms, say). The
/// socket is passed in, never captured, so handlers hold no reference to it.
fn on_socket<E, F, Fut>(table: &mut Table, handler: F)
where
    E: ClientEvent,
    F: Fn(Services, Viewer, E::Payload, SocketRef) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = crate::error::Result<E::Ack>> + Send + 'static,
{
    let handler: Handler = Box::new(move |services, incoming, ack| {
        let (socket, payload) = incoming.decode::<E::Payload>();
        let work = match (payload, socket.extensions.get::<Viewer>()) {
            (Err(err), _) => {
                tracing::warn!(socket = %socket.id, event = E::NAME, error = %err, "bad socket payload");
                Err(ApiError::bad_request(format!(
                    "Malformed payload for {}.",
                    E::NAME
                )))
            }
            (Ok(_), None) => Err(ApiError::unauthorized()),
            (Ok(payload), Some(viewer)) => Ok(handler(services, viewer, payload, socket.clone())),
        };
        Box::pin(async move {
            let reply: AckResult<E::Ack> = match work {
                Ok(work) => work.await.map_err(|e| e.into_api()),
                Err(err) => Err(err),
            };
            if let Err(err) = &reply {
                tracing::debug!(socket = %socket.id, event = E::NAME, code = ?err.code, "event refused");
            }
            send_ack(ack, &reply, E::NAME);
        })
    });
    let earlier = table.insert(E::NAME, handler);
    assert!(earlier.is_none(), "two handlers for {}", E::NAME);
}

fn send_ack<T: serde::Serialize>(ack: AckSender<ClusterAdapter>, reply: &T, event: &str) {
    if let Err(err) = ack.send(reply) {
        tracing::warn!(%event, error = %err, "ack could not be sent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_event_has_one_handler_in_the_shared_table() {
        let mut handled: Vec<&str> = handlers().into_keys().collect();
        handled.sort_unstable();
        let mut events = app::events::CLIENT_EVENTS.to_vec();
        events.sort_unstable();
        assert_eq!(handled, events);
    }
}
