//! Engine.IO v4 and Socket.IO v5 text packets: pure functions, no I/O.
//!
//! An Engine.IO frame is one type digit and a payload; a `4` (message) frame carries a
//! Socket.IO packet: `<type>[/nsp,][ack id][json]`. Only text frames exist here: the
//! binary packet types are refused with [`CodecError::BinaryNotSupported`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The namespace this app uses; it is left out on the wire.
pub const DEFAULT_NSP: &str = "/";

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The frame (or the Socket.IO packet inside a message) has no characters.
    #[error("empty frame")]
    Empty,
    /// The first character is not an Engine.IO packet type.
    #[error("unknown engine.io packet type {0:?}")]
    UnknownEioType(char),
    /// The first character of a message is not a Socket.IO packet type.
    #[error("unknown socket.io packet type {0:?}")]
    UnknownSioType(char),
    /// A JSON part does not parse (or an open packet misses a field).
    #[error("bad JSON: {0}")]
    BadJson(String),
    /// Binary events and acks need attachments, which this client does not speak.
    #[error("binary not supported")]
    BinaryNotSupported,
    /// A namespace is followed by a payload without the separating comma.
    #[error("namespace without comma")]
    NamespaceWithoutComma,
    /// The ack id does not fit in a `u64`.
    #[error("ack id overflow")]
    AckIdOverflow,
    /// An ACK packet has no ack id.
    #[error("ack without id")]
    MissingAckId,
    /// A packet that needs a payload has none.
    #[error("missing payload")]
    MissingPayload,
    /// A packet that takes no payload (or no ack id) has one.
    #[error("unexpected payload")]
    UnexpectedPayload,
    /// An EVENT or ACK payload is not a JSON array.
    #[error("payload is not an array")]
    NotAnArray,
    /// An EVENT array has no elements.
    #[error("event array is empty")]
    EmptyEvent,
    /// The first element of an EVENT array is not a string.
    #[error("event name is not a string")]
    EventNameNotString,
    /// A CONNECT payload is not a JSON object.
    #[error("connect payload is not an object")]
    ConnectNotObject,
}

/// The handshake data of an Engine.IO open packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenInfo {
    /// The Engine.IO session id.
    pub sid: String,
    /// Transports the server offers to upgrade to.
    #[serde(default)]
    pub upgrades: Vec<String>,
    /// How often the server pings, in milliseconds.
    pub ping_interval: u64,
    /// How long the server waits for a pong, in milliseconds.
    pub ping_timeout: u64,
    /// The largest message the server accepts, in bytes.
    #[serde(default)]
    pub max_payload: u64,
}

/// An Engine.IO v4 packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EioPacket {
    /// `0{json}`: the server's handshake.
    Open(OpenInfo),
    /// `1`: the session is over.
    Close,
    /// `2`: the server's heartbeat (any trailing probe data is dropped).
    Ping,
    /// `3`: the answer to a ping.
    Pong,
    /// `4...`: a message; for us, a Socket.IO packet.
    Message(String),
    /// `5`: transport upgrade.
    Upgrade,
    /// `6`: nothing.
    Noop,
}

impl EioPacket {
    /// Parses one text frame.
    pub fn decode(frame: &str) -> Result<Self, CodecError> {
        let mut chars = frame.chars();
        let kind = chars.next().ok_or(CodecError::Empty)?;
        let rest = chars.as_str();
        Ok(match kind {
            '0' => EioPacket::Open(serde_json::from_str(rest).map_err(bad_json)?),
            '1' => EioPacket::Close,
            '2' => EioPacket::Ping,
            '3' => EioPacket::Pong,
            '4' => EioPacket::Message(rest.to_owned()),
            '5' => EioPacket::Upgrade,
            '6' => EioPacket::Noop,
            other => return Err(CodecError::UnknownEioType(other)),
        })
    }

    /// Writes the packet as one text frame.
    pub fn encode(&self) -> String {
        match self {
            EioPacket::Open(info) => format!("0{}", json(info)),
            EioPacket::Close => "1".to_owned(),
            EioPacket::Ping => "2".to_owned(),
            EioPacket::Pong => "3".to_owned(),
            EioPacket::Message(body) => format!("4{body}"),
            EioPacket::Upgrade => "5".to_owned(),
            EioPacket::Noop => "6".to_owned(),
        }
    }
}

/// A Socket.IO v5 packet (the payload of an Engine.IO message).
#[derive(Debug, Clone, PartialEq)]
pub enum SioPacket {
    /// `0`: join a namespace (client) or accept the join (server, with `{"sid":..}`).
    Connect {
        /// The namespace.
        nsp: String,
        /// Auth data (client) or the socket id (server).
        data: Option<Value>,
    },
    /// `1`: leave a namespace, or be removed from it.
    Disconnect {
        /// The namespace.
        nsp: String,
    },
    /// `2`: an event; with an id, the sender wants an ack.
    Event {
        /// The namespace.
        nsp: String,
        /// The ack id, if an ack is wanted.
        id: Option<u64>,
        /// The event name.
        name: String,
        /// The arguments after the name.
        args: Vec<Value>,
    },
    /// `3`: the answer to an event that carried an id.
    Ack {
        /// The namespace.
        nsp: String,
        /// The id of the event answered.
        id: u64,
        /// The ack arguments.
        args: Vec<Value>,
    },
    /// `4`: the namespace join was refused, usually `{"message": ..}`.
    ConnectError {
        /// The namespace.
        nsp: String,
        /// Why.
        data: Value,
    },
}

impl SioPacket {
    /// The namespace the packet belongs to.
    pub fn nsp(&self) -> &str {
        match self {
            SioPacket::Connect { nsp, .. }
            | SioPacket::Disconnect { nsp }
            | SioPacket::Event { nsp, .. }
            | SioPacket::Ack { nsp, .. }
            | SioPacket::ConnectError { nsp, .. } => nsp,
        }
    }

    /// Parses the payload of an Engine.IO message (without the leading `4`).
    pub fn decode(body: &str) -> Result<Self, CodecError> {
        let mut chars = body.chars();
        let kind = chars.next().ok_or(CodecError::Empty)?;
        if matches!(kind, '5' | '6') {
            return Err(CodecError::BinaryNotSupported);
        }
        if !matches!(kind, '0'..='4') {
            return Err(CodecError::UnknownSioType(kind));
        }
        let (nsp, rest) = split_nsp(chars.as_str())?;
        let (id, rest) = split_ack_id(rest)?;
        let payload = if rest.is_empty() {
            None
        } else {
            Some(serde_json::from_str::<Value>(rest).map_err(bad_json)?)
        };
        match kind {
            '0' => {
                no_id(id)?;
                match payload {
                    None => Ok(SioPacket::Connect { nsp, data: None }),
                    Some(data @ Value::Object(_)) => Ok(SioPacket::Connect {
                        nsp,
                        data: Some(data),
                    }),
                    Some(_) => Err(CodecError::ConnectNotObject),
                }
            }
            '1' => {
                no_id(id)?;
                match payload {
                    None => Ok(SioPacket::Disconnect { nsp }),
                    Some(_) => Err(CodecError::UnexpectedPayload),
                }
            }
            '2' => {
                let mut args = array(payload)?.into_iter();
                let name = match args.next() {
                    None => return Err(CodecError::EmptyEvent),
                    Some(Value::String(name)) => name,
                    Some(_) => return Err(CodecError::EventNameNotString),
                };
                Ok(SioPacket::Event {
                    nsp,
                    id,
                    name,
                    args: args.collect(),
                })
            }
            '3' => {
                let id = id.ok_or(CodecError::MissingAckId)?;
                Ok(SioPacket::Ack {
                    nsp,
                    id,
                    args: array(payload)?,
                })
            }
            _ => {
                no_id(id)?;
                Ok(SioPacket::ConnectError {
                    nsp,
                    data: payload.ok_or(CodecError::MissingPayload)?,
                })
            }
        }
    }

    /// Writes the packet as the payload of an Engine.IO message (without the leading `4`).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let nsp_prefix = |out: &mut String, nsp: &str| {
            if nsp != DEFAULT_NSP && !nsp.is_empty() {
                out.push_str(nsp);
                out.push(',');
            }
        };
        match self {
            SioPacket::Connect { nsp, data } => {
                out.push('0');
                nsp_prefix(&mut out, nsp);
                if let Some(data) = data {
                    out.push_str(&json(data));
                }
            }
            SioPacket::Disconnect { nsp } => {
                out.push('1');
                nsp_prefix(&mut out, nsp);
            }
            SioPacket::Event {
                nsp,
                id,
                name,
                args,
            } => {
                out.push('2');
                nsp_prefix(&mut out, nsp);
                if let Some(id) = id {
                    out.push_str(&id.to_string());
                }
                let mut array = Vec::with_capacity(args.len() + 1);
                array.push(Value::String(name.clone()));
                array.extend(args.iter().cloned());
                out.push_str(&json(&array));
            }
            SioPacket::Ack { nsp, id, args } => {
                out.push('3');
                nsp_prefix(&mut out, nsp);
                out.push_str(&id.to_string());
                out.push_str(&json(args));
            }
            SioPacket::ConnectError { nsp, data } => {
                out.push('4');
                nsp_prefix(&mut out, nsp);
                out.push_str(&json(data));
            }
        }
        out
    }

    /// Writes the packet as a complete Engine.IO message frame (`4` + packet).
    pub fn to_frame(&self) -> String {
        EioPacket::Message(self.encode()).encode()
    }
}

/// Splits `/nsp,rest` into the namespace and the rest; no leading `/` means "/".
///
/// A namespace may end the packet (`1/admin`), but one followed by a payload must be
/// separated from it by a comma.
fn split_nsp(s: &str) -> Result<(String, &str), CodecError> {
    if !s.starts_with('/') {
        return Ok((DEFAULT_NSP.to_owned(), s));
    }
    match s.find(',') {
        Some(comma) => Ok((s[..comma].to_owned(), &s[comma + 1..])),
        None if s.contains(['[', '{', '"']) => Err(CodecError::NamespaceWithoutComma),
        None => Ok((s.to_owned(), "")),
    }
}

/// Splits the leading decimal ack id, if any, from the JSON that follows.
fn split_ack_id(s: &str) -> Result<(Option<u64>, &str), CodecError> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Ok((None, s));
    }
    let id = s[..digits]
        .parse::<u64>()
        .map_err(|_| CodecError::AckIdOverflow)?;
    Ok((Some(id), &s[digits..]))
}

fn no_id(id: Option<u64>) -> Result<(), CodecError> {
    match id {
        None => Ok(()),
        Some(_) => Err(CodecError::UnexpectedPayload),
    }
}

fn array(payload: Option<Value>) -> Result<Vec<Value>, CodecError> {
    match payload {
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(CodecError::NotAnArray),
        None => Err(CodecError::MissingPayload),
    }
}

fn bad_json(e: serde_json::Error) -> CodecError {
    CodecError::BadJson(e.to_string())
}

/// Serialises plain data (no maps with non-string keys), which cannot fail.
fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

#[cfg(test)]
mod tests;
