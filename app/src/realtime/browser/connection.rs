//! The machinery behind `SocketClient`: one `WebSocket` at a time, its timers, the
//! listeners and the acks waited for.

use super::Subscription;
use crate::error::{ApiError, ErrorCode};
use crate::events::AckResult;
use crate::events::{CatchUp, ClientEvent, ServerEvent, SyncHint};
use crate::realtime::ConnState;
use crate::realtime::catchup::{Catchup, Delivery};
use crate::realtime::client::{
    Backoff, ClientCore, ConnectRefusal, Incoming, PONG_FRAME, connect_error_message, decode_ack,
    decode_event, ws_url,
};
use futures::channel::oneshot;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

#[derive(Clone)]
pub(super) enum Listener {
    Event(&'static str, Rc<dyn Fn(Value)>),
    Connect(Rc<dyn Fn()>),
    Reload(Rc<dyn Fn()>),
}

/// How long a catch-up request may take before the page reloads its data instead.
const SYNC_TIMEOUT: Duration = Duration::from_secs(15);

struct PendingAck {
    answer: oneshot::Sender<AckResult<Value>>,
    _timeout: Option<Timer>,
}

struct Connection {
    ws: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    dead: Option<Timer>,
}

pub(super) struct Inner {
    me: Weak<Inner>,
    state: ArcRwSignal<ConnState>,
    core: RefCell<ClientCore>,
    catchup: RefCell<Catchup>,
    conn: RefCell<Option<Connection>>,
    listeners: RefCell<Vec<(u64, Listener)>>,
    next_listener: Cell<u64>,
    acks: RefCell<HashMap<u64, PendingAck>>,
    backoff: RefCell<Backoff>,
    retry: RefCell<Option<Timer>>,
    /// Set by `close()` and by a refused join: no more reconnections.
    stopped: Cell<bool>,
    /// Counts sockets, so a callback of a replaced socket does nothing.
    generation: Cell<u64>,
}

impl Inner {
    /// Creates the connection state without opening a socket: stopped until `restart`.
    pub(super) fn idle(state: ArcRwSignal<ConnState>) -> Rc<Inner> {
        Rc::new_cyclic(|me| Inner {
            me: me.clone(),
            state,
            core: RefCell::default(),
            catchup: RefCell::default(),
            conn: RefCell::default(),
            listeners: RefCell::default(),
            next_listener: Cell::new(0),
            acks: RefCell::default(),
            backoff: RefCell::default(),
            retry: RefCell::default(),
            stopped: Cell::new(true),
            generation: Cell::new(0),
        })
    }

    /// Starts over if stopped; see `SocketClient::reconnect`.
    pub(super) fn restart(&self) {
        if self.stopped.replace(false) {
            self.backoff.borrow_mut().reset();
            self.set_state(ConnState::Connecting);
            self.open();
        }
    }

    /// Says the page has nobody signed in, while stopped (nothing to connect as).
    pub(super) fn signed_out(&self) {
        if self.stopped.get() {
            self.set_state(ConnState::Unauthorized);
        }
    }

    /// Stops for good; see `SocketClient::close`.
    pub(super) fn close(&self) {
        self.stopped.set(true);
        self.retry.borrow_mut().take();
        if self.core.borrow().is_connected() {
            let bye = self.core.borrow().disconnect_frame();
            self.send(&bye);
        }
        self.drop_connection();
        self.set_state(ConnState::Offline);
    }

    pub(super) fn unsubscribe(&self, id: u64) {
        self.listeners
            .borrow_mut()
            .retain(|(listener, _)| *listener != id);
    }

    fn open(&self) {
        if self.stopped.get() {
            return;
        }
        self.retry.borrow_mut().take();
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let url = web_sys::window().and_then(|w| {
            Some(ws_url(
                &w.location().protocol().ok()?,
                &w.location().host().ok()?,
            ))
        });
        let ws = match url.map(|url| WebSocket::new(&url)) {
            Some(Ok(ws)) => ws,
            Some(Err(e)) => {
                warn(&format!("cannot open the socket: {e:?}"));
                return self.schedule_retry();
            }
            None => return warn("no window location to connect to"),
        };
        let me = self.me.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let (Some(inner), Some(frame)) = (me.upgrade(), event.data().as_string())
                && inner.generation.get() == generation
            {
                inner.on_frame(&frame);
            }
        });
        let me = self.me.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
            if let Some(inner) = me.upgrade()
                && inner.generation.get() == generation
            {
                inner.lost();
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.conn.borrow_mut() = Some(Connection {
            ws,
            _on_message: on_message,
            _on_close: on_close,
            dead: None,
        });
        self.arm_dead_timer();
    }

    fn on_frame(&self, frame: &str) {
        let incoming = self.core.borrow_mut().handle(frame);
        self.arm_dead_timer();
        match incoming {
            Incoming::Open { .. } => {
                let join = self.core.borrow().connect_frame();
                self.send(&join);
            }
            Incoming::Connected => {
                self.backoff.borrow_mut().reset();
                self.set_state(ConnState::Connected);
                for listener in self.snapshot() {
                    if let Listener::Connect(f) = listener {
                        f();
                    }
                }
                self.start_sync(None);
            }
            Incoming::ConnectError(data) => {
                let message = connect_error_message(&data);
                warn(&format!("the server refused the connection: {message}"));
                if ConnectRefusal::from_message(&message).is_final() {
                    self.stopped.set(true);
                    self.drop_connection();
                    self.set_state(ConnState::Unauthorized);
                } else {
                    // A busy or failing server: try again later, as after a lost link.
                    self.lost();
                }
            }
            Incoming::Event { name, payload, .. } if name == SyncHint::NAME => {
                match decode_event::<SyncHint>(payload) {
                    Ok(hint) if !self.catchup.borrow().is_syncing() => {
                        self.start_sync(Some(hint.from));
                    }
                    Ok(_) => {}
                    Err(e) => warn(&e.to_string()),
                }
            }
            Incoming::Event {
                name,
                payload,
                offset,
            } => {
                let delivery = self.catchup.borrow_mut().on_event(name, payload, offset);
                if let Some(delivery) = delivery {
                    self.deliver(delivery);
                }
            }
            Incoming::Ack { id, payload } => {
                let pending = self.acks.borrow_mut().remove(&id);
                if let Some(pending) = pending {
                    // The emitter may have stopped waiting; nobody to tell then.
                    let _ = pending.answer.send(Ok(payload));
                }
            }
            Incoming::Ping => self.send(PONG_FRAME),
            Incoming::Close => self.lost(),
            Incoming::Ignored(why) => warn(&why),
        }
    }

    fn deliver(&self, delivery: Delivery) {
        for listener in self.snapshot() {
            if let Listener::Event(wanted, f) = listener
                && wanted == delivery.name
            {
                f(delivery.payload.clone());
            }
        }
    }

    /// Asks for the events missed since the last offset (or `from`); live ones wait.
    fn start_sync(&self, from: Option<u64>) {
        let request = self.catchup.borrow_mut().begin(from);
        let waiting = self.start_emit(|core| core.encode_emit::<CatchUp>(&request), SYNC_TIMEOUT);
        let waiting = match waiting {
            Ok(waiting) => waiting,
            Err(e) => return self.finish_sync(Err(e)),
        };
        let (me, generation) = (self.me.clone(), self.generation.get());
        leptos::task::spawn_local(async move {
            let answer = match waiting.await {
                Ok(Ok(value)) => decode_ack::<CatchUp>(value),
                Ok(Err(e)) => Err(e),
                Err(oneshot::Canceled) => Err(disconnected()),
            };
            if let Some(inner) = me.upgrade()
                && inner.generation.get() == generation
            {
                inner.finish_sync(answer);
            }
        });
    }

    fn finish_sync(&self, answer: AckResult<<CatchUp as ClientEvent>::Ack>) {
        if !self.catchup.borrow().is_syncing() {
            return; // the connection dropped meanwhile; the next one catches up
        }
        if let Err(e) = &answer {
            warn(&format!(
                "catch-up failed, reloading instead: {}",
                e.message
            ));
        }
        let finished = self.catchup.borrow_mut().finish(answer);
        for delivery in finished.deliveries {
            self.deliver(delivery);
        }
        if finished.reload {
            for listener in self.snapshot() {
                if let Listener::Reload(f) = listener {
                    f();
                }
            }
        }
    }

    fn send(&self, frame: &str) {
        let conn = self.conn.borrow();
        if let Some(conn) = conn.as_ref()
            && let Err(e) = conn.ws.send_with_str(frame)
        {
            warn(&format!("could not send a frame: {e:?}"));
        }
    }

    /// Restarts the dead-connection timer: no frame for ping interval + ping timeout
    /// (or the handshake timeout) means the connection is gone.
    fn arm_dead_timer(&self) {
        let me = self.me.clone();
        let generation = self.generation.get();
        let timer = Timer::start(self.core.borrow().dead_after(), move || {
            if let Some(inner) = me.upgrade()
                && inner.generation.get() == generation
            {
                warn("the server went silent; reconnecting");
                inner.lost();
            }
        });
        if let Some(conn) = self.conn.borrow_mut().as_mut() {
            conn.dead = timer;
        }
    }

    /// The connection is gone: fail what waits on it and try again unless stopped.
    fn lost(&self) {
        self.drop_connection();
        if !self.stopped.get() {
            self.set_state(ConnState::Reconnecting);
            self.schedule_retry();
        }
    }

    fn drop_connection(&self) {
        let conn = self.conn.borrow_mut().take();
        if let Some(conn) = conn {
            conn.ws.set_onmessage(None);
            conn.ws.set_onclose(None);
            // Closing an already closed socket fails harmlessly.
            let _ = conn.ws.close();
        }
        self.catchup.borrow_mut().abort();
        self.core.borrow_mut().reset();
        let pending: Vec<PendingAck> = self
            .acks
            .borrow_mut()
            .drain()
            .map(|(_, pending)| pending)
            .collect();
        for pending in pending {
            let _ = pending.answer.send(Err(disconnected()));
        }
    }

    fn schedule_retry(&self) {
        if self.stopped.get() {
            return;
        }
        let delay = self.backoff.borrow_mut().next_delay(js_sys::Math::random());
        let me = self.me.clone();
        let timer = Timer::start(delay, move || {
            if let Some(inner) = me.upgrade() {
                inner.open();
            }
        });
        *self.retry.borrow_mut() = timer;
    }

    fn set_state(&self, state: ConnState) {
        if self.state.get_untracked() != state {
            self.state.set(state);
        }
    }

    fn snapshot(&self) -> Vec<Listener> {
        self.listeners
            .borrow()
            .iter()
            .map(|(_, listener)| listener.clone())
            .collect()
    }

    pub(super) fn subscribe(&self, listener: Listener) -> Subscription {
        let id = self.next_listener.get();
        self.next_listener.set(id + 1);
        self.listeners.borrow_mut().push((id, listener));
        Subscription {
            target: Some((SendWrapper::new(self.me.clone()), id)),
        }
    }

    pub(super) fn start_emit(
        &self,
        encode: impl FnOnce(&mut ClientCore) -> (u64, String),
        timeout: Duration,
    ) -> Result<oneshot::Receiver<AckResult<Value>>, ApiError> {
        if !self.core.borrow().is_connected() {
            return Err(disconnected());
        }
        let (id, frame) = encode(&mut self.core.borrow_mut());
        let sent = self
            .conn
            .borrow()
            .as_ref()
            .map(|conn| conn.ws.send_with_str(&frame));
        if !matches!(sent, Some(Ok(()))) {
            self.core.borrow_mut().forget_ack(id);
            return Err(disconnected());
        }
        let me = self.me.clone();
        let timer = Timer::start(timeout, move || {
            let Some(inner) = me.upgrade() else { return };
            inner.core.borrow_mut().forget_ack(id);
            let pending = inner.acks.borrow_mut().remove(&id);
            if let Some(pending) = pending {
                let _ = pending.answer.send(Err(ApiError::new(
                    ErrorCode::Timeout,
                    "The server did not answer in time.",
                )));
            }
        });
        let (answer, waiting) = oneshot::channel();
        self.acks.borrow_mut().insert(
            id,
            PendingAck {
                answer,
                _timeout: timer,
            },
        );
        Ok(waiting)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stopped.set(true);
        self.drop_connection();
    }
}

/// A `setTimeout` that is cleared when dropped.
struct Timer {
    handle: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    fn start(after: Duration, f: impl FnOnce() + 'static) -> Option<Timer> {
        let mut f = Some(f);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f();
            }
        });
        let millis = i32::try_from(after.as_millis()).unwrap_or(i32::MAX);
        let handle = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                millis,
            )
            .ok()?;
        Some(Timer {
            handle,
            _callback: callback,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}

pub(super) fn disconnected() -> ApiError {
    ApiError::new(ErrorCode::Disconnected, "Not connected to the server.")
}

pub(super) fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
