//! A native Socket.IO client over tokio-tungstenite, for integration tests and load
//! generation. It speaks through the same [`ClientCore`] as the browser, answers pings
//! by itself while it reads, and bounds every wait with a timeout.

use super::DEFAULT_ACK_TIMEOUT;
use super::client::{
    ClientCore, EventDecodeError, Incoming, PONG_FRAME, SOCKET_PATH, connect_error_message,
    decode_ack, decode_event,
};
use crate::events::{AckResult, ClientEvent, ServerEvent};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
pub use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long [`NativeSocket::connect`] may take, upgrade and namespace join included.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many unclaimed events are kept; older ones are dropped first.
const MAX_BUFFERED: usize = 4096;

/// Why the native client failed.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    /// The HTTP upgrade was answered with another status (a foreign `Origin`, say).
    #[error("the websocket upgrade was rejected with HTTP {status}")]
    Rejected {
        /// The HTTP status code.
        status: u16,
    },
    /// The server refused the namespace join (CONNECT_ERROR), e.g. without a session.
    #[error("the server refused the namespace join: {message}")]
    ConnectError {
        /// The `message` of the CONNECT_ERROR payload.
        message: String,
        /// The whole payload.
        data: Value,
    },
    /// What was waited for did not come in time.
    #[error("timed out waiting for {0}")]
    Timeout(String),
    /// The connection is closed (by the server, or by [`NativeSocket::close`]).
    #[error("the connection is closed")]
    Closed,
    /// An event arrived, but its payload does not match its type.
    #[error(transparent)]
    Decode(#[from] EventDecodeError),
    /// The base URL or a header value is unusable.
    #[error("bad input: {0}")]
    BadInput(String),
    /// The transport failed.
    #[error("websocket: {0}")]
    Io(#[from] Box<tungstenite::Error>),
}

struct Buffered {
    name: String,
    payload: Value,
    offset: Option<u64>,
    frame: String,
}

/// One Socket.IO connection to namespace `/`.
pub struct NativeSocket {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    core: ClientCore,
    events: VecDeque<Buffered>,
    open: bool,
    last_offset: Option<u64>,
}

impl std::fmt::Debug for NativeSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeSocket")
            .field("open", &self.open)
            .field("buffered", &self.events.len())
            .finish()
    }
}

impl NativeSocket {
    /// Connects to the app at `base_http_url` (`http://127.0.0.1:PORT`), sending `cookie`
    /// (`name=value`) and `origin` on the upgrade, and joins namespace `/`.
    pub async fn connect(
        base_http_url: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Self, NativeError> {
        Self::connect_tuned(base_http_url, cookie, origin, &Tuning::default()).await
    }

    /// Like [`connect`](Self::connect), from a chosen source address and with chosen
    /// websocket buffers (a load generator holding thousands of sockets wants small ones).
    pub async fn connect_tuned(
        base_http_url: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
        tuning: &Tuning,
    ) -> Result<Self, NativeError> {
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        let url = ws_endpoint(base_http_url)?;
        let mut request = url.as_str().into_client_request().map_err(io)?;
        for (name, value) in [(header::COOKIE, cookie), (header::ORIGIN, origin)] {
            if let Some(value) = value {
                let value = HeaderValue::from_str(value)
                    .map_err(|_| NativeError::BadInput(format!("{name} header {value:?}")))?;
                request.headers_mut().insert(name, value);
            }
        }
        let upgrade = async {
            let stream = tcp_connect(&request, tuning.source_ip).await?;
            tokio_tungstenite::client_async_with_config(request, stream, tuning.websocket)
                .await
                .map_err(|e| match e {
                    tungstenite::Error::Http(response) => NativeError::Rejected {
                        status: response.status().as_u16(),
                    },
                    e => io(e),
                })
        };
        let ws = match timeout_at(deadline, upgrade).await {
            Err(_) => return Err(NativeError::Timeout("the websocket upgrade".into())),
            Ok(result) => result?.0,
        };
        let mut socket = Self {
            ws,
            core: ClientCore::new(),
            events: VecDeque::new(),
            open: true,
            last_offset: None,
        };
        loop {
            match socket.read(deadline, "the namespace join").await? {
                (_, Incoming::Open { .. }) => {
                    let join = socket.core.connect_frame();
                    socket.send_raw(&join).await?;
                }
                (_, Incoming::Connected) => return Ok(socket),
                (_, Incoming::ConnectError(data)) => {
                    return Err(NativeError::ConnectError {
                        message: connect_error_message(&data),
                        data,
                    });
                }
                (_, Incoming::Close) => return Err(NativeError::Closed),
                (frame, event @ Incoming::Event { .. }) => socket.keep(frame, event),
                _ => {}
            }
        }
    }

    /// The newest offset of the durable events read so far (claimed or not).
    pub fn last_offset(&self) -> Option<u64> {
        self.last_offset
    }

    /// Is the connection still up, as far as has been read?
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Sends one text frame exactly as given (for malformed-input tests).
    pub async fn send_raw(&mut self, frame: &str) -> Result<(), NativeError> {
        if !self.open {
            return Err(NativeError::Closed);
        }
        self.ws
            .send(Message::text(frame))
            .await
            .map_err(|e| self.failed(e))
    }

    /// Emits `E` and waits for its ack for [`DEFAULT_ACK_TIMEOUT`].
    pub async fn emit<E: ClientEvent>(
        &mut self,
        payload: &E::Payload,
    ) -> Result<AckResult<E::Ack>, NativeError> {
        self.emit_with_timeout::<E>(payload, DEFAULT_ACK_TIMEOUT)
            .await
    }

    /// Emits `E` and waits for its ack at most `timeout`.
    pub async fn emit_with_timeout<E: ClientEvent>(
        &mut self,
        payload: &E::Payload,
        timeout: Duration,
    ) -> Result<AckResult<E::Ack>, NativeError> {
        let (id, frame) = self.core.encode_emit::<E>(payload);
        Ok(decode_ack::<E>(self.wait_ack(id, frame, timeout).await?))
    }

    /// Emits any event name with any JSON payload and returns the raw ack payload
    /// (for tests of unknown events and bad payloads).
    pub async fn emit_value(
        &mut self,
        name: &str,
        payload: Value,
        timeout: Duration,
    ) -> Result<Value, NativeError> {
        let (id, frame) = self.core.encode_emit_value(name, payload);
        self.wait_ack(id, frame, timeout).await
    }

    /// Waits for the next `E`, first among the events already received; other events
    /// that arrive meanwhile are kept for later calls.
    pub async fn recv_event<E: ServerEvent>(
        &mut self,
        timeout: Duration,
    ) -> Result<E::Payload, NativeError> {
        let payload = self.recv_value(E::NAME, timeout).await?;
        Ok(decode_event::<E>(payload)?)
    }

    /// Like [`recv_event`](Self::recv_event), with the event's offset (`None` for
    /// transient events).
    pub async fn recv_event_with_offset<E: ServerEvent>(
        &mut self,
        timeout: Duration,
    ) -> Result<(E::Payload, Option<u64>), NativeError> {
        let (payload, offset) = self.recv_with_offset(E::NAME, timeout).await?;
        Ok((decode_event::<E>(payload)?, offset))
    }

    /// Like [`recv_event`](Self::recv_event), by name, returning the raw payload.
    pub async fn recv_value(
        &mut self,
        name: &str,
        timeout: Duration,
    ) -> Result<Value, NativeError> {
        Ok(self.recv_with_offset(name, timeout).await?.0)
    }

    async fn recv_with_offset(
        &mut self,
        name: &str,
        timeout: Duration,
    ) -> Result<(Value, Option<u64>), NativeError> {
        if let Some(at) = self.events.iter().position(|event| event.name == name) {
            return Ok(self
                .events
                .remove(at)
                .map(|event| (event.payload, event.offset))
                .unwrap_or_default());
        }
        let deadline = Instant::now() + timeout;
        loop {
            match self.read(deadline, name).await? {
                (
                    _,
                    Incoming::Event {
                        name: got,
                        payload,
                        offset,
                    },
                ) if got == name => return Ok((payload, offset)),
                (frame, event @ Incoming::Event { .. }) => self.keep(frame, event),
                (_, Incoming::Close) => return Err(NativeError::Closed),
                _ => {}
            }
        }
    }

    /// Hands over the websocket itself, with the frames of the events received and not
    /// yet claimed, for a caller that reads frames its own way (the load generator).
    pub fn into_raw(self) -> (WebSocketStream<MaybeTlsStream<TcpStream>>, Vec<String>) {
        let frames = self.events.into_iter().map(|event| event.frame).collect();
        (self.ws, frames)
    }

    /// Stops answering pings and reading, without closing anything: to the server the
    /// connection looks like one whose network died silently.
    pub fn go_silent(self) -> SilentSocket {
        SilentSocket { _ws: self.ws }
    }

    /// Every frame received during the next `window` (pings answered and left out),
    /// after the frames of the events received earlier and not yet claimed. Stops early
    /// if the connection closes.
    pub async fn collect_frames(&mut self, window: Duration) -> Vec<String> {
        let mut frames: Vec<String> = self.events.drain(..).map(|event| event.frame).collect();
        let deadline = Instant::now() + window;
        while let Ok((frame, incoming)) = self.read(deadline, "frames").await {
            if incoming != Incoming::Ping {
                frames.push(frame);
            }
        }
        frames
    }

    /// Waits at most `timeout` for the server to end the connection (a Socket.IO
    /// disconnect, an Engine.IO close, or the websocket closing); true if it did.
    pub async fn wait_closed(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.open {
            match self.read(deadline, "the connection to close").await {
                Ok((frame, event @ Incoming::Event { .. })) => self.keep(frame, event),
                Ok(_) => {}
                Err(NativeError::Timeout(_)) => return false,
                Err(_) => self.open = false,
            }
        }
        true
    }

    /// Leaves the namespace and closes the websocket, waiting at most a second for the
    /// server to acknowledge the close.
    pub async fn close(&mut self) {
        if self.open {
            let bye = self.core.disconnect_frame();
            // The server may already be gone; closing is all that is left to do either way.
            let _ = self.send_raw(&bye).await;
        }
        self.open = false;
        let deadline = Instant::now() + Duration::from_secs(1);
        if timeout_at(deadline, self.ws.close(None)).await.is_ok() {
            while let Ok(Some(Ok(_))) = timeout_at(deadline, self.ws.next()).await {}
        }
    }

    async fn wait_ack(
        &mut self,
        id: u64,
        frame: String,
        timeout: Duration,
    ) -> Result<Value, NativeError> {
        let deadline = Instant::now() + timeout;
        if let Err(e) = self.send_raw(&frame).await {
            self.core.forget_ack(id);
            return Err(e);
        }
        loop {
            let read = self.read(deadline, "an ack").await;
            match read {
                Ok((_, Incoming::Ack { id: got, payload })) if got == id => return Ok(payload),
                Ok((frame, event @ Incoming::Event { .. })) => self.keep(frame, event),
                Ok((_, Incoming::Close)) => return Err(NativeError::Closed),
                Ok(_) => {}
                Err(e) => {
                    self.core.forget_ack(id);
                    return Err(e);
                }
            }
        }
    }

    /// Reads the next text frame before `deadline`, answering pings.
    async fn read(
        &mut self,
        deadline: Instant,
        what: &str,
    ) -> Result<(String, Incoming), NativeError> {
        loop {
            let message = match timeout_at(deadline, self.ws.next()).await {
                Err(_) => return Err(NativeError::Timeout(what.to_owned())),
                Ok(None) => {
                    self.open = false;
                    return Err(NativeError::Closed);
                }
                Ok(Some(Err(e))) => return Err(self.failed(e)),
                Ok(Some(Ok(message))) => message,
            };
            let frame = match message {
                Message::Text(text) => text.to_string(),
                Message::Close(_) => {
                    self.open = false;
                    return Err(NativeError::Closed);
                }
                _ => continue,
            };
            let incoming = self.core.handle(&frame);
            match &incoming {
                Incoming::Ping => self.send_raw(PONG_FRAME).await?,
                Incoming::Close => self.open = false,
                Incoming::Event {
                    offset: Some(offset),
                    ..
                } => {
                    self.last_offset = Some(self.last_offset.map_or(*offset, |l| l.max(*offset)));
                }
                _ => {}
            }
            return Ok((frame, incoming));
        }
    }

    /// Keeps an event nobody waits for yet, for a later `recv_*` call.
    fn keep(&mut self, frame: String, event: Incoming) {
        let Incoming::Event {
            name,
            payload,
            offset,
        } = event
        else {
            return;
        };
        if self.events.len() == MAX_BUFFERED {
            self.events.pop_front();
        }
        self.events.push_back(Buffered {
            name,
            payload,
            offset,
            frame,
        });
    }

    fn failed(&mut self, e: tungstenite::Error) -> NativeError {
        self.open = false;
        match e {
            tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
                NativeError::Closed
            }
            tungstenite::Error::Protocol(
                tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            ) => NativeError::Closed,
            other => io(other),
        }
    }
}

/// A connection that no longer reads or answers pings but stays open until dropped
/// (see [`NativeSocket::go_silent`]).
pub struct SilentSocket {
    _ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How [`NativeSocket::connect_tuned`] opens its connection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tuning {
    /// The local address to connect from (several loopback addresses give a load
    /// generator more source ports); `None` lets the system choose.
    pub source_ip: Option<IpAddr>,
    /// Buffer sizes and limits of the websocket; `None` takes tungstenite's defaults.
    pub websocket: Option<WebSocketConfig>,
}

async fn tcp_connect(
    request: &tungstenite::handshake::client::Request,
    source_ip: Option<IpAddr>,
) -> Result<MaybeTlsStream<TcpStream>, NativeError> {
    let uri = request.uri();
    if uri.scheme_str() != Some("ws") {
        return Err(NativeError::BadInput(format!(
            "only ws:// is supported, not {uri}"
        )));
    }
    let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
    let port = uri.port_u16().unwrap_or(80);
    let peers: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| NativeError::BadInput(format!("cannot resolve {host}: {e}")))?
        .collect();
    let peer = match source_ip {
        Some(ip) => peers.iter().find(|p| p.is_ipv4() == ip.is_ipv4()),
        None => peers.first(),
    }
    .copied()
    .ok_or_else(|| NativeError::BadInput(format!("no address for {host}")))?;
    let socket = if peer.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(transport)?;
    if let Some(ip) = source_ip {
        socket.bind(SocketAddr::new(ip, 0)).map_err(transport)?;
    }
    let stream = socket.connect(peer).await.map_err(transport)?;
    stream.set_nodelay(true).map_err(transport)?;
    Ok(MaybeTlsStream::Plain(stream))
}

fn transport(e: std::io::Error) -> NativeError {
    io(tungstenite::Error::Io(e))
}

fn io(e: tungstenite::Error) -> NativeError {
    NativeError::Io(Box::new(e))
}

/// `http://host:port[/]` → `ws://host:port/socket.io/?EIO=4&transport=websocket`.
fn ws_endpoint(base: &str) -> Result<String, NativeError> {
    let base = base.trim_end_matches('/');
    let rest = [
        ("http://", "ws://"),
        ("https://", "wss://"),
        ("ws://", "ws://"),
        ("wss://", "wss://"),
    ]
    .into_iter()
    .find_map(|(from, to)| base.strip_prefix(from).map(|rest| format!("{to}{rest}")));
    match rest {
        Some(url) => Ok(format!("{url}{SOCKET_PATH}")),
        None => Err(NativeError::BadInput(format!("base url {base:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_base_scheme() {
        let cases = [
            (
                "http://127.0.0.1:3000",
                "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket",
            ),
            (
                "http://127.0.0.1:3000/",
                "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket",
            ),
            (
                "https://example.com",
                "wss://example.com/socket.io/?EIO=4&transport=websocket",
            ),
            ("ws://h:1", "ws://h:1/socket.io/?EIO=4&transport=websocket"),
        ];
        for (base, expected) in cases {
            assert_eq!(ws_endpoint(base).unwrap(), expected);
        }
        assert!(matches!(
            ws_endpoint("ftp://x"),
            Err(NativeError::BadInput(_))
        ));
    }
}
