//! The Socket.IO client: a pure codec and protocol core (tested natively), the browser
//! transport over `web_sys::WebSocket` (`hydrate`), an inert stand-in for server-side
//! rendering, and a native client for tests and load generation (`native-client`).
//!
//! Pages use [`SocketClient`] the same way in both builds: no `cfg` at call sites.

pub mod catchup;
pub mod client;
pub mod codec;
mod state;

pub use client::{Backoff, ClientCore, ConnectRefusal, Incoming, SOCKET_PATH};
pub use state::ConnState;

#[cfg(feature = "hydrate")]
mod browser;
#[cfg(feature = "hydrate")]
pub use browser::{SocketClient, Subscription};

#[cfg(not(feature = "hydrate"))]
mod stub;
#[cfg(not(feature = "hydrate"))]
pub use stub::{SocketClient, Subscription};

#[cfg(feature = "native-client")]
pub mod native;

/// How long an emit waits for its ack unless told otherwise.
pub const DEFAULT_ACK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
