//! Catch-up bookkeeping, sans IO: which offsets a client has, what to ask for after a
//! reconnection, and which events to hand to listeners, in order and once.
//!
//! Durable server events carry an offset (their place in the server's event log). After
//! every (re)connection the client asks for what it missed since the last offset it has
//! ([`Catchup::begin`]); live events that arrive while it waits are held back, and
//! [`Catchup::finish`] releases the replayed events, then the held ones, skipping any it
//! has already delivered. A [`ResyncHint`](crate::model::ResyncHint) asks to catch up
//! from an earlier offset: the replay may then repeat events, which are skipped too.

use crate::error::ApiError;
use crate::model::{SyncReply, SyncRequest};
use serde_json::Value;
use std::collections::BTreeSet;

/// How many recent offsets are remembered to drop repeats.
const REMEMBERED: usize = 4096;

/// An event to hand to the listeners.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The event name.
    pub name: String,
    /// Its payload.
    pub payload: Value,
    /// Its offset, for durable events.
    pub offset: Option<u64>,
}

/// What a finished catch-up asks of the caller.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Finished {
    /// Events to hand to the listeners, in this order.
    pub deliveries: Vec<Delivery>,
    /// The gap could not be filled: the page must reload its data.
    pub reload: bool,
}

/// The catch-up state of one client, across its connections.
#[derive(Debug, Default)]
pub struct Catchup {
    last: Option<u64>,
    seen: BTreeSet<u64>,
    syncing: bool,
    held: Vec<Delivery>,
}

impl Catchup {
    /// A client that has received nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The newest offset received (or learnt from a catch-up answer).
    pub fn last(&self) -> Option<u64> {
        self.last
    }

    /// Is a catch-up request under way?
    pub fn is_syncing(&self) -> bool {
        self.syncing
    }

    /// Starts a catch-up from the last offset, or from `from` if that is earlier (a
    /// resync hint). Live durable events are held back until [`finish`](Self::finish).
    pub fn begin(&mut self, from: Option<u64>) -> SyncRequest {
        self.syncing = true;
        let since = match (self.last, from) {
            (Some(last), Some(from)) => Some(last.min(from)),
            (last, None) => last,
            (None, Some(_)) => None,
        };
        SyncRequest { since }
    }

    /// One incoming server event: what to deliver now, if anything.
    pub fn on_event(
        &mut self,
        name: String,
        payload: Value,
        offset: Option<u64>,
    ) -> Option<Delivery> {
        let delivery = Delivery {
            name,
            payload,
            offset,
        };
        match offset {
            None => Some(delivery),
            Some(_) if self.syncing => {
                self.held.push(delivery);
                None
            }
            Some(offset) => self.first_time(offset).then_some(delivery),
        }
    }

    /// The answer to the catch-up request (or why there is none): what to deliver, in
    /// order, and whether the page must reload.
    pub fn finish(&mut self, reply: Result<SyncReply, ApiError>) -> Finished {
        self.syncing = false;
        let mut finished = Finished::default();
        match reply {
            Ok(SyncReply::Events { events, head }) => {
                for event in events {
                    if self.first_time(event.offset) {
                        finished.deliveries.push(Delivery {
                            name: event.event,
                            payload: event.payload,
                            offset: Some(event.offset),
                        });
                    }
                }
                // A first connection has nothing to catch up: it starts at the head.
                self.last.get_or_insert(head);
            }
            Ok(SyncReply::Reload { head }) => {
                finished.reload = true;
                self.last = Some(self.last.map_or(head, |last| last.max(head)));
            }
            Err(_) => finished.reload = true,
        }
        for held in std::mem::take(&mut self.held) {
            if held.offset.is_none_or(|offset| self.first_time(offset)) {
                finished.deliveries.push(held);
            }
        }
        finished
    }

    /// The connection dropped mid catch-up: forget held events (the next catch-up,
    /// from the same offset, brings them again).
    pub fn abort(&mut self) {
        self.syncing = false;
        self.held.clear();
    }

    /// Records `offset`; false if it was delivered before.
    fn first_time(&mut self, offset: u64) -> bool {
        let full = self.seen.len() >= REMEMBERED;
        if self.seen.contains(&offset) || (full && self.seen.first().is_some_and(|f| offset < *f)) {
            return false;
        }
        self.seen.insert(offset);
        if self.seen.len() > REMEMBERED {
            self.seen.pop_first();
        }
        self.last = Some(self.last.map_or(offset, |last| last.max(offset)));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::model::ReplayedEvent;
    use serde_json::json;

    fn replayed(offset: u64) -> ReplayedEvent {
        ReplayedEvent {
            offset,
            event: "post:created".into(),
            payload: json!({ "n": offset }),
        }
    }

    fn offsets(f: &Finished) -> Vec<Option<u64>> {
        f.deliveries.iter().map(|d| d.offset).collect()
    }

    #[test]
    fn a_first_connection_starts_at_the_head() {
        let mut c = Catchup::new();
        assert_eq!(c.begin(None), SyncRequest { since: None });
        let f = c.finish(Ok(SyncReply::Events {
            events: vec![],
            head: 40,
        }));
        assert!(!f.reload && f.deliveries.is_empty());
        assert_eq!(c.last(), Some(40));
        assert_eq!(c.begin(None), SyncRequest { since: Some(40) });
    }

    #[test]
    fn live_events_wait_behind_the_replay_and_repeats_are_dropped() {
        let mut c = Catchup::new();
        assert!(c.on_event("a".into(), json!(1), Some(5)).is_some());
        assert_eq!(c.begin(None), SyncRequest { since: Some(5) });
        // Live events during the catch-up are held, transient ones pass.
        assert!(c.on_event("a".into(), json!(1), Some(8)).is_none());
        assert!(c.on_event("chat:typing".into(), json!(1), None).is_some());
        let f = c.finish(Ok(SyncReply::Events {
            events: vec![replayed(6), replayed(7), replayed(8)],
            head: 8,
        }));
        assert_eq!(offsets(&f), vec![Some(6), Some(7), Some(8)]);
        // Delivered once: a repeat is dropped.
        assert!(c.on_event("a".into(), json!(1), Some(7)).is_none());
        assert!(c.on_event("a".into(), json!(1), Some(9)).is_some());
        assert_eq!(c.last(), Some(9));
    }

    #[test]
    fn a_resync_hint_goes_back_and_skips_what_was_seen() {
        let mut c = Catchup::new();
        for offset in [10, 12] {
            assert!(c.on_event("a".into(), json!(0), Some(offset)).is_some());
        }
        assert_eq!(c.begin(Some(9)), SyncRequest { since: Some(9) });
        let f = c.finish(Ok(SyncReply::Events {
            events: vec![replayed(10), replayed(11), replayed(12)],
            head: 12,
        }));
        assert_eq!(offsets(&f), vec![Some(11)]);
    }

    #[test]
    fn reload_and_failure_release_held_events() {
        let mut c = Catchup::new();
        c.on_event("a".into(), json!(0), Some(3));
        c.begin(None);
        c.on_event("a".into(), json!(0), Some(90));
        let f = c.finish(Ok(SyncReply::Reload { head: 95 }));
        assert!(f.reload);
        assert_eq!(offsets(&f), vec![Some(90)]);
        assert_eq!(c.last(), Some(95));

        c.begin(None);
        c.on_event("a".into(), json!(0), Some(96));
        let f = c.finish(Err(ApiError::new(ErrorCode::Timeout, "late")));
        assert!(f.reload);
        assert_eq!(offsets(&f), vec![Some(96)]);
    }

    #[test]
    fn an_aborted_catch_up_forgets_held_events() {
        let mut c = Catchup::new();
        c.on_event("a".into(), json!(0), Some(1));
        c.begin(None);
        c.on_event("a".into(), json!(0), Some(2));
        c.abort();
        assert!(!c.is_syncing());
        assert_eq!(c.begin(None), SyncRequest { since: Some(1) });
    }

    #[test]
    fn memory_of_offsets_is_bounded() {
        let mut c = Catchup::new();
        for offset in 0..(REMEMBERED as u64 + 10) {
            assert!(c.on_event("a".into(), json!(0), Some(offset)).is_some());
        }
        assert_eq!(c.seen.len(), REMEMBERED);
        // Older than anything remembered: treated as already seen.
        assert!(c.on_event("a".into(), json!(0), Some(3)).is_none());
    }
}
