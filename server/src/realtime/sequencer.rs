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
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio::sync::watch;

/// The ticket counter and the ticket being served, kept in each socket's extensions.
#[derive(Clone)]
pub struct Sequencer {
    next: Arc<AtomicU64>,
    serving: Arc<watch::Sender<u64>>,
}

impl Default for Sequencer {
    fn default() -> Self {
        Self {
            next: Arc::new(AtomicU64::new(0)),
            serving: Arc::new(watch::Sender::new(0)),
        }
    }
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
        if let Some(s) = &self.0 {
            s.serving.send_modify(|v| *v += 1);
        }
    }
}

impl Turn {
    /// Waits until every earlier event of this socket has been handled.
    pub async fn wait(self) -> Serving {
        if let Some(s) = &self.sequencer {
            let mut rx = s.serving.subscribe();
            if rx
                .wait_for(|serving| *serving == self.ticket)
                .await
                .is_err()
            {
                tracing::warn!("socket sequencer dropped while waiting");
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
            .map_or(0, |q| q.next.fetch_add(1, Ordering::SeqCst));
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
                ticket: q.next.fetch_add(1, Ordering::SeqCst),
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
