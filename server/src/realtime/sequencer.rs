//! Per-socket ordering. socketioxide runs each event handler as its own task, so two
//! events from one socket could be handled in either order. Extractors run in arrival
//! order before that spawn, so the [`Turn`] extractor takes a ticket there, and the
//! handler waits for its turn: one socket's events are handled one at a time, in the
//! order they arrived (as a chat needs), while different sockets still run in parallel.

use socketioxide::{
    adapter::Adapter,
    handler::{FromMessageParts, Value},
    socket::Socket,
};
use std::{
    convert::Infallible,
    pin::pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio::sync::Notify;

/// The ticket counter, the ticket being served and the turns waiting for it, kept in
/// each socket's extensions: one allocation of under 100 bytes (a `watch` channel
/// did this before, at about 400 bytes per socket, idle or not).
#[derive(Clone, Default)]
pub struct Sequencer(Arc<Queue>);

#[derive(Default)]
struct Queue {
    next: AtomicU64,
    serving: AtomicU64,
    turn_over: Notify,
}

/// An event's place in its socket's queue.
pub struct Turn {
    ticket: u64,
    sequencer: Option<Sequencer>,
}

/// Held while an event is handled; dropping it (even in a panic) serves the next one.
pub struct Serving(Option<Sequencer>);

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(Sequencer(q)) = &self.0 {
            q.serving.fetch_add(1, Ordering::SeqCst);
            q.turn_over.notify_waiters();
        }
    }
}

impl Turn {
    /// Waits until every earlier event of this socket has been handled.
    pub async fn wait(self) -> Serving {
        if let Some(Sequencer(q)) = &self.sequencer {
            loop {
                let mut turn_over = pin!(q.turn_over.notified());
                // Listening before looking: a turn that ends in between still wakes us.
                turn_over.as_mut().enable();
                if q.serving.load(Ordering::SeqCst) == self.ticket {
                    break;
                }
                turn_over.await;
            }
        }
        Serving(self.sequencer)
    }
}

impl<A: Adapter> FromMessageParts<A> for Turn {
    type Error = Infallible;

    fn from_message_parts(
        s: &Arc<Socket<A>>,
        _: &mut Value,
        _: &Option<i64>,
    ) -> Result<Self, Infallible> {
        let sequencer = s.extensions.get::<Sequencer>();
        let ticket = sequencer
            .as_ref()
            .map_or(0, |Sequencer(q)| q.next.fetch_add(1, Ordering::SeqCst));
        Ok(Turn { ticket, sequencer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_served_in_ticket_order() {
        let q = Sequencer::default();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        // Tickets taken in order 0..10, tasks started in reverse.
        let turns: Vec<Turn> = (0..10)
            .map(|_| Turn {
                ticket: q.0.next.fetch_add(1, Ordering::SeqCst),
                sequencer: Some(q.clone()),
            })
            .collect();
        for (i, turn) in turns.into_iter().enumerate().rev() {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                let _serving = turn.wait().await;
                log.lock().unwrap().push(i);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*log.lock().unwrap(), (0..10).collect::<Vec<_>>());
    }
}
