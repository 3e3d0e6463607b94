//! The socket client of builds without a browser (server-side rendering, native tests):
//! the same API as the browser's, inert. The page renders "connecting"; the browser's
//! client takes over after hydration.

use super::ConnState;
use crate::error::{ApiError, ErrorCode};
use crate::events::{AckResult, ClientEvent, ServerEvent};
use leptos::prelude::*;
use std::future::Future;
use std::time::Duration;

/// The realtime connection (inert outside the browser). Not `Copy`, like the browser's.
#[derive(Debug, Clone, Default)]
pub struct SocketClient {
    _private: (),
}

impl SocketClient {
    /// Starts connecting (here: does nothing). Call it once, inside a component, and put
    /// the client in context.
    pub fn connect() -> Self {
        Self::default()
    }

    /// A client that opens no connection until `reconnect` (here: does nothing).
    pub fn idle() -> Self {
        Self::default()
    }

    /// Nobody is signed in on this page (here: nothing to do).
    pub fn signed_out(&self) {}

    /// The connection state; always [`ConnState::Connecting`] here.
    pub fn state(&self) -> Signal<ConnState> {
        Signal::stored(ConnState::Connecting)
    }

    /// Emits `E` and waits for its ack for [`DEFAULT_ACK_TIMEOUT`](super::DEFAULT_ACK_TIMEOUT);
    /// here: fails with `disconnected`.
    pub fn emit<E: ClientEvent>(
        &self,
        payload: &E::Payload,
    ) -> impl Future<Output = AckResult<E::Ack>> + Send + 'static + use<E> {
        self.emit_with_timeout::<E>(payload, super::DEFAULT_ACK_TIMEOUT)
    }

    /// Emits `E` and waits for its ack at most `timeout`; here: fails with `disconnected`.
    pub fn emit_with_timeout<E: ClientEvent>(
        &self,
        _payload: &E::Payload,
        _timeout: Duration,
    ) -> impl Future<Output = AckResult<E::Ack>> + Send + 'static + use<E> {
        std::future::ready(Err(ApiError::new(
            ErrorCode::Disconnected,
            "Not connected.",
        )))
    }

    /// Calls `f` with every `E` the server sends (here: never).
    pub fn on<E: ServerEvent>(&self, f: impl Fn(E::Payload) + 'static) -> Subscription {
        drop(f);
        Subscription { _private: () }
    }

    /// Calls `f` on every (re)connection (here: never).
    pub fn on_connect(&self, f: impl Fn() + 'static) -> Subscription {
        drop(f);
        Subscription { _private: () }
    }

    /// Calls `f` when missed events could not be replayed (here: never).
    pub fn on_reload(&self, f: impl Fn() + 'static) -> Subscription {
        drop(f);
        Subscription { _private: () }
    }

    /// Starts over after [`close`](Self::close) or a refused join (here: nothing to do).
    pub fn reconnect(&self) {}

    /// Closes the connection for good (here: nothing to close).
    pub fn close(&self) {}
}

/// A listener registration; dropping it (or [`cancel`](Self::cancel)) unsubscribes.
#[derive(Debug)]
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription {
    _private: (),
}

impl Subscription {
    /// Unsubscribes.
    pub fn cancel(self) {}

    /// Keeps the listener for the client's whole life.
    pub fn detach(self) {}

    /// Keeps the listener until the current reactive owner (the component) is cleaned up.
    pub fn until_cleanup(self) {
        on_cleanup(move || drop(self));
    }
}
