//! Thousands of signed-in Socket.IO clients, one task each, that count the marked events
//! they receive and time them.
//!
//! A client joins the namespace through the project's own client (`NativeSocket`, small
//! websocket buffers, one of several loopback source addresses), then reads frames
//! itself: it answers pings and looks only at the event name and the benchmark marker
//! in the text, because decoding every payload as JSON would make the load generator,
//! not the server, the thing measured. Like a browser tab, a client whose connection
//! drops reconnects with the app's backoff (1 s doubling to 5 s, +-50 %).

use crate::stats::Latency;
use crate::target;
use app::realtime::Backoff;
use app::realtime::native::{NativeSocket, Tuning, WebSocketConfig};
use futures::{SinkExt, StreamExt};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// How many clients may be in the middle of connecting at once.
const CONNECTING_AT_ONCE: usize = 128;

/// The marker the load generator puts in every measured text: `bench:<run>:<seq>:`.
pub fn marker(run: u32, seq: usize) -> String {
    format!("bench:{run}:{seq}:")
}

/// The run and sequence number of the marker in `frame`, if any.
pub fn parse_marker(frame: &str) -> Option<(u32, usize)> {
    let rest = &frame[frame.find("bench:")? + "bench:".len()..];
    let (run, rest) = rest.split_once(':')?;
    let (seq, _) = rest.split_once(':')?;
    Some((run.parse().ok()?, seq.parse().ok()?))
}

/// What the clients saw of one measured run.
#[derive(Debug, Default)]
pub struct Recording {
    /// Marked events of the run received, all clients together.
    pub delivered: u64,
    /// Receipt minus the time the load generator sent the request, in microseconds.
    pub latencies_us: Vec<u32>,
    /// Other events received meanwhile (presence, notifications, ...).
    pub other_events: u64,
}

impl Recording {
    /// The latency percentiles.
    pub fn latency(&mut self) -> Latency {
        Latency::of_micros(&mut self.latencies_us)
    }
}

#[derive(Default)]
struct Recorder {
    /// The start of the frames counted, e.g. `42["post:created"`.
    prefix: String,
    run: u32,
    sent: Vec<Option<Instant>>,
    seen: Recording,
}

#[derive(Default)]
struct Shared {
    connected: AtomicUsize,
    connects: AtomicU64,
    failed_attempts: AtomicU64,
    drops: AtomicU64,
    last_error: Mutex<Option<String>>,
    recorder: Mutex<Recorder>,
}

impl Shared {
    fn on_event(&self, frame: &str) {
        let now = Instant::now();
        let mut recorder = self.recorder.lock().unwrap_or_else(|e| e.into_inner());
        if recorder.prefix.is_empty() || !frame.starts_with(recorder.prefix.as_str()) {
            recorder.seen.other_events += 1;
            return;
        }
        let Some((run, seq)) = parse_marker(frame) else {
            recorder.seen.other_events += 1;
            return;
        };
        if run != recorder.run {
            return;
        }
        if let Some(Some(sent)) = recorder.sent.get(seq).copied() {
            let us = now
                .duration_since(sent)
                .as_micros()
                .min(u128::from(u32::MAX)) as u32;
            recorder.seen.latencies_us.push(us);
            recorder.seen.delivered += 1;
        }
    }
}

/// The clients, all connected to one server.
pub struct Fleet {
    base: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    gate: Arc<Semaphore>,
    tasks: Vec<JoinHandle<()>>,
    sources: Vec<IpAddr>,
    users: Vec<usize>,
}

impl Fleet {
    /// An empty fleet for the server at `base`, connecting from `sources` in turn.
    pub fn new(base: &str, sources: Vec<IpAddr>) -> Self {
        Self {
            base: base.to_owned(),
            shared: Arc::default(),
            stop: watch::channel(false).0,
            gate: Arc::new(Semaphore::new(CONNECTING_AT_ONCE)),
            tasks: Vec::new(),
            sources,
            users: Vec::new(),
        }
    }

    /// The users with a client, in the order they were added.
    pub fn users(&self) -> &[usize] {
        &self.users
    }

    /// Clients connected right now.
    pub fn connected(&self) -> usize {
        self.shared.connected.load(Ordering::Relaxed)
    }

    /// Connections that dropped (other than at [`close`](Self::close)).
    pub fn drops(&self) -> u64 {
        self.shared.drops.load(Ordering::Relaxed)
    }

    /// Connection attempts that failed, and the last reason.
    pub fn failures(&self) -> (u64, Option<String>) {
        let reason = self
            .shared
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        (self.shared.failed_attempts.load(Ordering::Relaxed), reason)
    }

    /// Adds one client for each of `users` and waits until every client of the fleet is
    /// connected, at most `within`; returns how long that took.
    pub async fn grow(
        &mut self,
        users: impl IntoIterator<Item = usize>,
        within: Duration,
    ) -> anyhow::Result<Duration> {
        let started = Instant::now();
        for user in users {
            let source = self
                .sources
                .get(self.tasks.len() % self.sources.len().max(1));
            let tuning = Tuning {
                source_ip: source.copied(),
                websocket: Some(
                    WebSocketConfig::default()
                        .read_buffer_size(4096)
                        .write_buffer_size(0),
                ),
            };
            self.tasks.push(tokio::spawn(client(
                self.base.clone(),
                target::cookie(user),
                tuning,
                self.shared.clone(),
                self.stop.subscribe(),
                self.gate.clone(),
            )));
            self.users.push(user);
        }
        self.wait_connected(self.users.len(), started + within)
            .await?;
        Ok(started.elapsed())
    }

    /// Waits until `count` clients are connected, or fails at `deadline`.
    pub async fn wait_connected(&self, count: usize, deadline: Instant) -> anyhow::Result<()> {
        while self.connected() < count {
            if Instant::now() >= deadline {
                let (failed, reason) = self.failures();
                anyhow::bail!(
                    "only {} of {count} clients connected in time ({failed} failed attempts, last: {})",
                    self.connected(),
                    reason.as_deref().unwrap_or("none")
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Starts counting the frames that begin with `prefix` and carry run `run`'s marker.
    pub fn record(&self, prefix: &str, run: u32) {
        let mut recorder = self
            .shared
            .recorder
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *recorder = Recorder {
            prefix: prefix.to_owned(),
            run,
            ..Recorder::default()
        };
    }

    /// Notes that the request carrying marker `seq` leaves now.
    pub fn sending(&self, seq: usize) {
        let mut recorder = self
            .shared
            .recorder
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if recorder.sent.len() <= seq {
            recorder.sent.resize(seq + 1, None);
        }
        recorder.sent[seq] = Some(Instant::now());
    }

    /// Marked events received so far in the current recording.
    pub fn delivered(&self) -> u64 {
        let recorder = self
            .shared
            .recorder
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        recorder.seen.delivered
    }

    /// Waits until `expected` marked events arrived, at most `within` (late or lost
    /// events are what the benchmark measures, so running out of time is no error).
    pub async fn wait_delivered(&self, expected: u64, within: Duration) {
        let deadline = Instant::now() + within;
        while self.delivered() < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Ends the current recording and returns it.
    pub fn take(&self) -> Recording {
        let mut recorder = self
            .shared
            .recorder
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *recorder).seen
    }

    /// Closes every client and waits for their tasks.
    pub async fn close(self) {
        // No client is left to tell.
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(err) = task.await {
                eprintln!("a client task failed: {err}");
            }
        }
    }
}

async fn client(
    base: String,
    cookie: String,
    tuning: Tuning,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    gate: Arc<Semaphore>,
) {
    let mut backoff = Backoff::default();
    loop {
        let attempt = {
            let Ok(_permit) = gate.acquire().await else {
                return;
            };
            tokio::select! {
                attempt = NativeSocket::connect_tuned(&base, Some(&cookie), None, &tuning) => attempt,
                _ = stop.changed() => return,
            }
        };
        match attempt {
            Ok(socket) => {
                backoff.reset();
                let (mut ws, early) = socket.into_raw();
                shared.connects.fetch_add(1, Ordering::Relaxed);
                shared.connected.fetch_add(1, Ordering::Relaxed);
                for frame in early {
                    shared.on_event(&frame);
                }
                let stopped = read(&shared, &mut ws, &mut stop).await;
                shared.connected.fetch_sub(1, Ordering::Relaxed);
                if stopped {
                    // Closing politely is a courtesy; the process is about to drop it anyway.
                    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
                    return;
                }
                shared.drops.fetch_add(1, Ordering::Relaxed);
            }
            Err(err) => {
                shared.failed_attempts.fetch_add(1, Ordering::Relaxed);
                *shared.last_error.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(err.to_string());
            }
        }
        let delay = backoff.next_delay(rand::random::<f64>());
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Reads until the connection ends (false) or the fleet stops (true).
async fn read<S>(
    shared: &Shared,
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
    stop: &mut watch::Receiver<bool>,
) -> bool
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        let message = tokio::select! {
            message = ws.next() => message,
            _ = stop.changed() => return true,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return false,
            Some(Ok(_)) => continue,
        };
        // Engine.IO: "2" ping, "1" close, "4…" a Socket.IO packet; "42" an event, "41" a
        // namespace disconnect.
        let text = text.as_str();
        if text == "2" {
            let pong = Message::text(app::realtime::client::PONG_FRAME);
            if ws.send(pong).await.is_err() {
                return false;
            }
        } else if text.starts_with("42") {
            shared.on_event(text);
        } else if text == "1" || text.starts_with("41") {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_inside_a_frame() {
        let frame = format!(
            r#"42["post:created",{{"post":{{"text":"{}xxxx"}}}},17]"#,
            marker(3, 1234)
        );
        assert_eq!(parse_marker(&frame), Some((3, 1234)));
        assert_eq!(parse_marker(r#"42["presence:changed",{}]"#), None);
        assert_eq!(parse_marker("bench:x:1:"), None);
    }

    #[test]
    fn only_marked_frames_of_the_current_run_count() {
        let shared = Shared::default();
        {
            let mut r = shared.recorder.lock().unwrap();
            r.prefix = r#"42["post:created""#.into();
            r.run = 2;
            r.sent = vec![Some(Instant::now())];
        }
        shared.on_event(&format!(r#"42["post:created",{{"t":"{}"}}]"#, marker(2, 0)));
        shared.on_event(&format!(r#"42["post:created",{{"t":"{}"}}]"#, marker(1, 0)));
        shared.on_event(&format!(r#"42["chat:message",{{"t":"{}"}}]"#, marker(2, 0)));
        let r = shared.recorder.lock().unwrap();
        assert_eq!(r.seen.delivered, 1);
        assert_eq!(r.seen.other_events, 1);
        assert_eq!(r.seen.latencies_us.len(), 1);
    }
}
