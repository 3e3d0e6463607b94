//! The sans-IO Socket.IO client core both transports drive: the browser's `WebSocket`
//! and the native test client. It turns text frames into [`Incoming`] outcomes, numbers
//! acks, and computes the reconnection backoff. It never touches a socket or a clock.

use super::codec::{CodecError, DEFAULT_NSP, EioPacket, SioPacket};
use crate::error::ApiError;
use crate::events::{AckResult, ClientEvent, ServerEvent};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// The path (and query) of the Socket.IO websocket endpoint.
pub const SOCKET_PATH: &str = "/socket.io/?EIO=4&transport=websocket";

/// How long to wait for the server's open packet before giving the connection up.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);

/// The websocket URL for a page served over `protocol` (`"http:"` or `"https:"`, as in
/// `window.location.protocol`) from `host` (`"example.com:8080"`).
pub fn ws_url(protocol: &str, host: &str) -> String {
    let scheme = if protocol.trim_end_matches(':').eq_ignore_ascii_case("https") {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{host}{SOCKET_PATH}")
}

/// What one incoming text frame means to the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// The Engine.IO handshake; the caller sends [`ClientCore::connect_frame`] next.
    Open {
        /// How often the server pings.
        ping_interval: Duration,
        /// How long the server waits for a pong.
        ping_timeout: Duration,
    },
    /// The namespace is joined.
    Connected,
    /// The server refused the namespace join; usually `{"message": ..}`.
    ConnectError(Value),
    /// A server event, with its (first) argument and, for durable events, its offset
    /// (the second argument).
    Event {
        /// The event name.
        name: String,
        /// Its payload, `null` if it had none.
        payload: Value,
        /// Its place in the server's event log, if it is durable.
        offset: Option<u64>,
    },
    /// The answer to one of our emits, with its (first) argument.
    Ack {
        /// The id [`ClientCore::encode_emit`] returned.
        id: u64,
        /// The ack payload, `null` if it had none.
        payload: Value,
    },
    /// A server ping: the caller must send [`PONG_FRAME`].
    Ping,
    /// The server ended the session (Engine.IO close or Socket.IO disconnect).
    Close,
    /// Nothing for the caller to do; the reason is for logs.
    Ignored(String),
}

/// The answer to a server ping.
pub const PONG_FRAME: &str = "3";

/// Why the server refused a socket's CONNECT: the message of its CONNECT_ERROR, written
/// by the server and read by the clients through this one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConnectRefusal {
    /// No valid session: only signing in again helps.
    #[error("unauthorized")]
    Unauthorized,
    /// The server is overloaded for now (no database connection came free in time).
    #[error("busy")]
    Busy,
    /// The session could not be checked: a server fault, maybe a passing one.
    #[error("internal")]
    Internal,
}

impl ConnectRefusal {
    /// The refusal a CONNECT_ERROR message names; one this client does not know (a
    /// newer server's) counts as a passing fault.
    pub fn from_message(message: &str) -> Self {
        [Self::Unauthorized, Self::Busy, Self::Internal]
            .into_iter()
            .find(|r| r.to_string() == message)
            .unwrap_or(Self::Internal)
    }

    /// Does this refusal end the client's attempts? Only a refused session does; a
    /// busy or failing server is tried again with backoff, as after a lost connection.
    pub fn is_final(self) -> bool {
        self == Self::Unauthorized
    }
}

/// The message of a CONNECT_ERROR payload.
pub fn connect_error_message(data: &Value) -> String {
    match data {
        Value::String(message) => message.clone(),
        other => other
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| other.to_string(), str::to_owned),
    }
}

/// A server event whose payload does not match its type.
#[derive(Debug, thiserror::Error)]
#[error("could not decode the payload of {event}: {source}")]
pub struct EventDecodeError {
    /// The event name.
    pub event: &'static str,
    /// What serde said.
    pub source: serde_json::Error,
}

/// Decodes the payload of the server event `E`.
pub fn decode_event<E: ServerEvent>(payload: Value) -> Result<E::Payload, EventDecodeError> {
    serde_json::from_value(payload).map_err(|source| EventDecodeError {
        event: E::NAME,
        source,
    })
}

/// Decodes the ack of the client event `E`; an ack that does not decode is a `bad_request`.
pub fn decode_ack<E: ClientEvent>(payload: Value) -> AckResult<E::Ack> {
    serde_json::from_value::<AckResult<E::Ack>>(payload).unwrap_or_else(|_| {
        Err(ApiError::bad_request(format!(
            "The server's answer to {} could not be read.",
            E::NAME
        )))
    })
}

/// The protocol state of one connection, and the ack numbering across connections.
#[derive(Debug, Default)]
pub struct ClientCore {
    ping_deadline: Option<Duration>,
    connected: bool,
    next_ack_id: u64,
    pending: HashMap<u64, String>,
}

impl ClientCore {
    /// A core for a fresh connection.
    pub fn new() -> Self {
        Self::default()
    }

    /// The frame that joins the namespace `/` (send it after [`Incoming::Open`]).
    pub fn connect_frame(&self) -> String {
        SioPacket::Connect {
            nsp: DEFAULT_NSP.to_owned(),
            data: None,
        }
        .to_frame()
    }

    /// The frame that leaves the namespace `/`.
    pub fn disconnect_frame(&self) -> String {
        SioPacket::Disconnect {
            nsp: DEFAULT_NSP.to_owned(),
        }
        .to_frame()
    }

    /// Is the namespace joined on the current connection?
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// How long silence may last before the connection counts as dead: the server's
    /// ping interval plus its ping timeout, or [`HANDSHAKE_TIMEOUT`] before the handshake.
    pub fn dead_after(&self) -> Duration {
        self.ping_deadline.unwrap_or(HANDSHAKE_TIMEOUT)
    }

    /// How many emits wait for their ack.
    pub fn pending_acks(&self) -> usize {
        self.pending.len()
    }

    /// Stops waiting for the ack `id` (timed out); a late ack is then ignored.
    pub fn forget_ack(&mut self, id: u64) -> bool {
        self.pending.remove(&id).is_some()
    }

    /// Forgets the connection (it closed); returns the ids of the acks that will never come.
    pub fn reset(&mut self) -> Vec<u64> {
        self.connected = false;
        self.ping_deadline = None;
        let mut lost: Vec<u64> = self.pending.drain().map(|(id, _)| id).collect();
        lost.sort_unstable();
        lost
    }

    /// Interprets one incoming text frame.
    pub fn handle(&mut self, frame: &str) -> Incoming {
        let packet = match EioPacket::decode(frame) {
            Ok(EioPacket::Message(body)) => body,
            Ok(EioPacket::Open(info)) => {
                let (ping_interval, ping_timeout) = (
                    Duration::from_millis(info.ping_interval),
                    Duration::from_millis(info.ping_timeout),
                );
                self.ping_deadline = Some(ping_interval + ping_timeout);
                return Incoming::Open {
                    ping_interval,
                    ping_timeout,
                };
            }
            Ok(EioPacket::Close) => {
                self.connected = false;
                return Incoming::Close;
            }
            Ok(EioPacket::Ping) => return Incoming::Ping,
            Ok(other) => return Incoming::Ignored(format!("engine.io packet {other:?}")),
            Err(e) => return ignored(e),
        };
        match SioPacket::decode(&packet) {
            Err(e) => ignored(e),
            Ok(p) if p.nsp() != DEFAULT_NSP => {
                Incoming::Ignored(format!("packet for namespace {}", p.nsp()))
            }
            Ok(SioPacket::Connect { .. }) => {
                self.connected = true;
                Incoming::Connected
            }
            Ok(SioPacket::Disconnect { .. }) => {
                self.connected = false;
                Incoming::Close
            }
            Ok(SioPacket::ConnectError { data, .. }) => {
                self.connected = false;
                Incoming::ConnectError(data)
            }
            Ok(SioPacket::Event { name, args, .. }) => Incoming::Event {
                name,
                offset: args.get(1).and_then(Value::as_u64),
                payload: first(args),
            },
            Ok(SioPacket::Ack { id, args, .. }) => match self.pending.remove(&id) {
                Some(_) => Incoming::Ack {
                    id,
                    payload: first(args),
                },
                None => Incoming::Ignored(format!("ack {id} nobody waits for")),
            },
        }
    }

    /// Numbers an emit of the client event `E` and writes its frame; the ack id is
    /// remembered until [`Incoming::Ack`], [`forget_ack`](Self::forget_ack) or [`reset`](Self::reset).
    ///
    /// ```
    /// use app::events::CreatePost;
    /// use app::error::ErrorCode;
    /// use app::model::PostDraft;
    /// use app::realtime::client::{ClientCore, Incoming, decode_ack};
    ///
    /// let mut core = ClientCore::new();
    /// let draft = PostDraft { text: "hello".into(), color: Default::default(), feeling: None, privacy: Default::default() };
    /// let (id, frame) = core.encode_emit::<CreatePost>(&draft);
    /// assert!(frame.starts_with(&format!(r#"42{id}["post:create",{{"#)));
    /// assert!(frame.contains(r#""text":"hello""#));
    ///
    /// let answer = core.handle(&format!(r#"43{id}[{{"Err":{{"code":"forbidden","message":"No."}}}}]"#));
    /// let Incoming::Ack { id: acked, payload } = answer else { panic!("{answer:?}") };
    /// assert_eq!(acked, id);
    /// assert_eq!(decode_ack::<CreatePost>(payload).unwrap_err().code, ErrorCode::Forbidden);
    /// ```
    ///
    /// A server-to-client event cannot be emitted:
    ///
    /// ```compile_fail,E0277
    /// use app::events::{PostCreated, PostPayload};
    /// let mut core = app::realtime::client::ClientCore::new();
    /// core.encode_emit::<PostCreated>(&PostPayload { post: todo!() });
    /// ```
    ///
    /// Nor can a client event with another event's payload:
    ///
    /// ```compile_fail,E0308
    /// use app::events::{CreatePost, PostRef};
    /// use app::model::PostId;
    /// let mut core = app::realtime::client::ClientCore::new();
    /// core.encode_emit::<CreatePost>(&PostRef { id: PostId(1) });
    /// ```
    pub fn encode_emit<E: ClientEvent>(&mut self, payload: &E::Payload) -> (u64, String) {
        // Serialising a derived payload struct cannot fail; were it to, the server would
        // answer the `null` with a bad_request ack, which is the right outcome anyway.
        self.encode_emit_value(
            E::NAME,
            serde_json::to_value(payload).unwrap_or(Value::Null),
        )
    }

    /// Like [`encode_emit`](Self::encode_emit) for any name and JSON payload (tests only:
    /// application code uses the typed version).
    pub fn encode_emit_value(&mut self, name: &str, payload: Value) -> (u64, String) {
        let id = self.next_ack_id;
        self.next_ack_id = self.next_ack_id.wrapping_add(1);
        self.pending.insert(id, name.to_owned());
        let frame = SioPacket::Event {
            nsp: DEFAULT_NSP.to_owned(),
            id: Some(id),
            name: name.to_owned(),
            args: vec![payload],
        }
        .to_frame();
        (id, frame)
    }
}

fn first(args: Vec<Value>) -> Value {
    args.into_iter().next().unwrap_or(Value::Null)
}

fn ignored(e: CodecError) -> Incoming {
    Incoming::Ignored(format!("undecodable frame: {e}"))
}

/// Reconnection delays: exponential from `min`, doubling, never above `max`, with a
/// jitter of ± `jitter` (a fraction) around each step. The defaults are the JS client's:
/// 1 s doubling to 5 s, ± 50 %.
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    jitter: f64,
    attempt: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(Duration::from_secs(1), Duration::from_secs(5), 0.5)
    }
}

impl Backoff {
    /// A backoff with its own bounds; `jitter` is clamped to `0..=1`.
    pub fn new(min: Duration, max: Duration, jitter: f64) -> Self {
        Self {
            min,
            max,
            jitter: jitter.clamp(0.0, 1.0),
            attempt: 0,
        }
    }

    /// How many delays were handed out since the last [`reset`](Self::reset).
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// Starts over (after a successful connection).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The delay before the next attempt; `random` is uniform in `[0, 1)` (clamped).
    pub fn next_delay(&mut self, random: f64) -> Duration {
        let delay = self.delay(self.attempt, random);
        self.attempt = self.attempt.saturating_add(1);
        delay
    }

    /// The delay of attempt number `attempt` (0-based) for a given `random` in `[0, 1)`.
    ///
    /// The step is capped at `max` before the jitter, so late attempts spread over
    /// `max / 2 ..= max` instead of all firing at `max` after a server restart.
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let random = if random.is_nan() {
            0.5
        } else {
            random.clamp(0.0, 1.0)
        };
        let step = self.min.as_secs_f64() * 2f64.powi(attempt.min(64) as i32);
        let step = step.min(self.max.as_secs_f64());
        let jittered = step * (1.0 + self.jitter * (2.0 * random - 1.0));
        Duration::from_secs_f64(jittered.clamp(0.0, self.max.as_secs_f64()))
    }
}

#[cfg(test)]
mod tests;
