//! Socket.IO: one namespace `/`, an auth middleware that admits only valid sessions,
//! and one connection handler that joins the user's rooms and registers every
//! feature's event handlers through [`on`], the typed registration helper.

use super::{session_room, user_room};
use crate::service::Services;
use app::{
    error::{ApiError, ErrorCode},
    events::{AckResult, ClientEvent, CreatePost, DeletePost, EditPost, PostRef},
    service::Viewer,
};
use socketioxide::{
    SocketIo,
    extract::{AckSender, Event, SocketRef, TryData},
    handler::ConnectHandler,
};
use std::future::Future;

/// Why a socket was refused; the text reaches the client in `connect_error`.
#[derive(Debug, thiserror::Error)]
pub enum ConnectRefused {
    /// No cookie, or a session that is unknown or expired.
    #[error("unauthorized")]
    Unauthorized,
    /// The session could not be checked.
    #[error("internal")]
    Internal,
}

/// Registers the namespace on `io`.
pub fn register(io: &SocketIo, services: Services) {
    let auth_services = services.clone();
    let authenticate = async move |socket: SocketRef| -> Result<(), ConnectRefused> {
        let cookie = socket
            .req_parts()
            .headers
            .get(http::header::COOKIE)
            .and_then(|v| v.to_str().ok());
        match auth_services.viewer_for_cookie(cookie).await {
            Ok(Some(viewer)) => {
                socket.extensions.insert(viewer);
                Ok(())
            }
            Ok(None) => {
                tracing::info!(socket = %socket.id, "socket refused: no valid session");
                Err(ConnectRefused::Unauthorized)
            }
            Err(err) => {
                tracing::error!(error = %err, "socket refused: session lookup failed");
                Err(ConnectRefused::Internal)
            }
        }
    };
    let on_connect = async move |socket: SocketRef| {
        let Some(viewer) = socket.extensions.get::<Viewer>() else {
            tracing::error!(socket = %socket.id, "connected socket without a viewer");
            if let Err(err) = socket.disconnect() {
                tracing::warn!(error = %err, "could not close a socket without a viewer");
            }
            return;
        };
        socket.join([user_room(viewer.user.id), session_room(&viewer.session_id)]);
        tracing::debug!(socket = %socket.id, user = viewer.user.id.0, "socket connected");
        register_handlers(&socket, &services);
    };
    io.ns("/", on_connect.with(authenticate));
}

/// Every feature's client events, in one place.
fn register_handlers(socket: &SocketRef, services: &Services) {
    on::<CreatePost, _, _>(socket, services, async |s, viewer, draft| {
        s.create_post(&viewer, draft).await
    });
    on::<EditPost, _, _>(socket, services, async |s, viewer, edit| {
        s.edit_post(&viewer, edit.id, edit.draft).await
    });
    on::<DeletePost, _, _>(socket, services, async |s, viewer, r: PostRef| {
        s.delete_post(&viewer, r.id).await.map(|()| r)
    });
    socket.on_fallback(
        async |socket: SocketRef, Event(event): Event, ack: AckSender| {
            tracing::warn!(socket = %socket.id, %event, "unknown socket event");
            let reply: AckResult<()> = Err(ApiError::new(
                ErrorCode::UnknownEvent,
                format!("Unknown event {event:?}."),
            ));
            send_ack(ack, &reply, &event);
        },
    );
}

/// Registers the handler of one client event: decodes its payload (a bad one gets an
/// error ack and a log line, never silence), runs it as the socket's viewer, and acks
/// `Result<Ack, ApiError>`.
pub fn on<E, F, Fut>(socket: &SocketRef, services: &Services, handler: F)
where
    E: ClientEvent,
    F: Fn(Services, Viewer, E::Payload) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = crate::error::Result<E::Ack>> + Send + 'static,
{
    let services = services.clone();
    socket.on(E::NAME, async move |socket: SocketRef, TryData(data): TryData<E::Payload>, ack: AckSender| {
        let reply: AckResult<E::Ack> = match (data, socket.extensions.get::<Viewer>()) {
            (Err(err), _) => {
                tracing::warn!(socket = %socket.id, event = E::NAME, error = %err, "bad socket payload");
                Err(ApiError::bad_request(format!("Malformed payload for {}.", E::NAME)))
            }
            (Ok(_), None) => Err(ApiError::unauthorized()),
            (Ok(payload), Some(viewer)) => handler(services.clone(), viewer, payload).await.map_err(|e| e.into_api()),
        };
        if let Err(err) = &reply {
            tracing::debug!(socket = %socket.id, event = E::NAME, code = ?err.code, "event refused");
        }
        send_ack(ack, &reply, E::NAME);
    });
}

fn send_ack<T: serde::Serialize>(ack: AckSender, reply: &T, event: &str) {
    if let Err(err) = ack.send(reply) {
        tracing::warn!(%event, error = %err, "ack could not be sent");
    }
}
