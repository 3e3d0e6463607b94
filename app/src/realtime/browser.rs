//! The browser transport: Engine.IO v4 over `web_sys::WebSocket`, driven by
//! [`ClientCore`](super::ClientCore).
//!
//! One connection per tab. The client answers pings, treats a silent server as dead,
//! reconnects with [`Backoff`](super::Backoff) until [`SocketClient::close`] or a refused
//! namespace join, and keeps its listeners across reconnections. Everything lives on the
//! page's one thread; `SendWrapper` only lets the handle sit in Leptos context.

mod connection;

use super::ConnState;
use super::client::{decode_ack, decode_event};
use crate::events::{AckResult, ClientEvent, ServerEvent};
use connection::{Inner, Listener, disconnected, warn};
use futures::channel::oneshot;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde_json::Value;
use std::future::Future;
use std::rc::{Rc, Weak};
use std::time::Duration;

/// The realtime connection of this tab: cheap to clone, `Send + Sync` for Leptos context.
#[derive(Clone)]
pub struct SocketClient {
    inner: SendWrapper<Rc<Inner>>,
    state: ArcRwSignal<ConnState>,
}

impl SocketClient {
    /// Starts connecting to the page's own origin. Call it once, inside a component, and
    /// keep the client (put it in context): dropping the last clone closes the connection.
    pub fn connect() -> Self {
        let client = Self::idle();
        client.reconnect();
        client
    }

    /// A client that opens no connection until [`reconnect`](Self::reconnect) (state
    /// `Connecting` meanwhile, as the server renders it): for a page that must first
    /// know whether anyone is signed in.
    pub fn idle() -> Self {
        let state = ArcRwSignal::new(ConnState::Connecting);
        let inner = Inner::idle(state.clone());
        Self {
            inner: SendWrapper::new(inner),
            state,
        }
    }

    /// Nobody is signed in on this page: an idle client shows `Unauthorized` and stays
    /// idle (a connection would only be refused). Does nothing once connecting.
    pub fn signed_out(&self) {
        self.inner.signed_out();
    }

    /// The connection state, for the UI.
    pub fn state(&self) -> Signal<ConnState> {
        self.state.clone().into()
    }

    /// Emits `E` and waits for its ack for [`DEFAULT_ACK_TIMEOUT`](super::DEFAULT_ACK_TIMEOUT).
    /// The frame leaves at once; the future only waits for the answer.
    pub fn emit<E: ClientEvent>(
        &self,
        payload: &E::Payload,
    ) -> impl Future<Output = AckResult<E::Ack>> + Send + 'static + use<E> {
        self.emit_with_timeout::<E>(payload, super::DEFAULT_ACK_TIMEOUT)
    }

    /// Emits `E` and waits for its ack at most `timeout`: `timeout` when it does not come,
    /// `disconnected` when the connection is down or drops meanwhile.
    pub fn emit_with_timeout<E: ClientEvent>(
        &self,
        payload: &E::Payload,
        timeout: Duration,
    ) -> impl Future<Output = AckResult<E::Ack>> + Send + 'static + use<E> {
        let waiting = self
            .inner
            .start_emit(|core| core.encode_emit::<E>(payload), timeout);
        async move {
            match waiting?.await {
                Ok(answer) => decode_ack::<E>(answer?),
                Err(oneshot::Canceled) => Err(disconnected()),
            }
        }
    }

    /// Calls `f` with every `E` the server sends, across reconnections, until the
    /// returned [`Subscription`] is dropped. A payload that does not decode is logged.
    pub fn on<E: ServerEvent>(&self, f: impl Fn(E::Payload) + 'static) -> Subscription {
        let handler = move |payload: Value| match decode_event::<E>(payload) {
            Ok(payload) => f(payload),
            Err(e) => warn(&e.to_string()),
        };
        self.inner
            .subscribe(Listener::Event(E::NAME, Rc::new(handler)))
    }

    /// Calls `f` on every (re)connection (to re-register interest in a room, say).
    /// Missed events are replayed by the client itself; see [`on_reload`](Self::on_reload).
    pub fn on_connect(&self, f: impl Fn() + 'static) -> Subscription {
        self.inner.subscribe(Listener::Connect(Rc::new(f)))
    }

    /// Calls `f` when missed events could not be replayed (the gap was longer than the
    /// server's catch-up window): the page must reload its data.
    pub fn on_reload(&self, f: impl Fn() + 'static) -> Subscription {
        self.inner.subscribe(Listener::Reload(Rc::new(f)))
    }

    /// Starts over after [`close`](Self::close) or a refused join (after signing in, say);
    /// does nothing while a connection is up or being attempted.
    pub fn reconnect(&self) {
        self.inner.restart();
    }

    /// Leaves the namespace and closes the connection for good (state `Offline`).
    pub fn close(&self) {
        self.inner.close();
    }
}

/// A listener registration; dropping it (or [`cancel`](Self::cancel)) unsubscribes.
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription {
    target: Option<(SendWrapper<Weak<Inner>>, u64)>,
}

impl Subscription {
    /// Unsubscribes.
    pub fn cancel(self) {}

    /// Keeps the listener for the client's whole life.
    pub fn detach(mut self) {
        self.target = None;
    }

    /// Keeps the listener until the current reactive owner (the component) is cleaned up.
    pub fn until_cleanup(self) {
        on_cleanup(move || drop(self));
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some((inner, id)) = self.target.take()
            && let Some(inner) = inner.upgrade()
        {
            inner.unsubscribe(id);
        }
    }
}
