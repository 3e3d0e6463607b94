//! The message bus between server instances: Socket.IO's Redis adapter
//! (`socketioxide-redis`) over our own driver, [`Bus`].
//!
//! Without `REDIS_URL` the bus is local: publishing does nothing and one instance is the
//! whole cluster. With Redis, the driver keeps one auto-reconnecting connection that
//! resubscribes after a Redis restart. A publish that fails (Redis down) is logged and
//! counted but never fails the emit, so an instance keeps serving its own sockets; the
//! events stay in the event log and clients catch up once Redis is back (see
//! [`Bus::is_healthy`] and the resync hint sent on recovery).

use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::mpsc;

/// The adapter every socket of this server uses.
pub type ClusterAdapter =
    socketioxide_redis::CustomRedisAdapter<socketioxide::adapter::Emitter, Bus>;

/// The Socket.IO handle over [`ClusterAdapter`].
pub type Io = socketioxide::SocketIo<ClusterAdapter>;

/// A socket of this server.
pub type Socket = socketioxide::extract::SocketRef<ClusterAdapter>;

/// How long one Redis command may take before it counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(1500);

type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

/// A bus failure.
#[derive(Debug, thiserror::Error)]
#[error("redis: {0}")]
pub struct BusError(String);

/// The adapter's pub/sub driver: Redis, or nothing (a single instance).
#[derive(Clone)]
pub struct Bus {
    inner: Option<Arc<RedisBus>>,
    /// Each subscribed channel's sender: Redis messages are routed through it; without
    /// Redis it only keeps the subscription's stream open.
    handlers: Handlers,
}

struct RedisBus {
    conn: redis::aio::ConnectionManager,
    healthy: AtomicBool,
    dropped: AtomicU64,
}

impl Bus {
    /// A bus for a single instance.
    pub fn local() -> Self {
        Self {
            inner: None,
            handlers: Handlers::default(),
        }
    }

    /// Connects to Redis at `url` (RESP3 is required for pub/sub on one connection).
    pub async fn redis(url: &str) -> anyhow::Result<Self> {
        let url = if url.contains("protocol=") {
            url.to_owned()
        } else if url.contains('?') {
            format!("{url}&protocol=resp3")
        } else {
            format!("{url}?protocol=resp3")
        };
        let client = redis::Client::open(url)?;
        let handlers = Handlers::default();
        let push_handlers = handlers.clone();
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_max_delay(Duration::from_secs(2))
            .set_push_sender(move |msg: redis::PushInfo| {
                route(msg, &push_handlers);
                Ok::<(), std::convert::Infallible>(())
            })
            .set_automatic_resubscription();
        let conn = tokio::time::timeout(
            COMMAND_TIMEOUT * 4,
            redis::aio::ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| anyhow::anyhow!("Redis did not answer in time"))??;
        Ok(Self {
            inner: Some(Arc::new(RedisBus {
                conn,
                healthy: AtomicBool::new(true),
                dropped: AtomicU64::new(0),
            })),
            handlers,
        })
    }

    /// Is this bus Redis (several instances possible)?
    pub fn is_clustered(&self) -> bool {
        self.inner.is_some()
    }

    /// Was the last Redis command answered? Always true for the local bus.
    pub fn is_healthy(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|r| r.healthy.load(Ordering::Relaxed))
    }

    /// How many publishes were dropped because Redis was down.
    pub fn dropped(&self) -> u64 {
        self.inner
            .as_ref()
            .map_or(0, |r| r.dropped.load(Ordering::Relaxed))
    }

    /// Pings Redis and records whether it answered; true for the local bus.
    pub async fn check(&self) -> bool {
        let Some(redis) = &self.inner else {
            return true;
        };
        let mut conn = redis.conn.clone();
        let ping = tokio::time::timeout(
            COMMAND_TIMEOUT,
            redis::cmd("PING").query_async::<String>(&mut conn),
        )
        .await;
        let ok = matches!(ping, Ok(Ok(_)));
        redis.healthy.store(ok, Ordering::Relaxed);
        ok
    }
}

/// Hands a pub/sub message to the subscription of its channel.
fn route(msg: redis::PushInfo, handlers: &Handlers) {
    if !matches!(
        msg.kind,
        redis::PushKind::Message | redis::PushKind::SMessage
    ) {
        return;
    }
    let mut data = msg.data.into_iter();
    let (Some(chan), Some(body)) = (data.next(), data.next()) else {
        return;
    };
    let (Ok(chan), Ok(body)) = (
        redis::from_redis_value::<String>(chan),
        redis::from_redis_value::<Vec<u8>>(body),
    ) else {
        tracing::warn!("undecodable pub/sub message from redis");
        return;
    };
    let sender = handlers
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&chan)
        .cloned();
    match sender {
        Some(tx) => {
            if let Err(err) = tx.try_send((chan, body)) {
                tracing::warn!(error = %err, "redis subscription queue full; message dropped");
            }
        }
        None => tracing::debug!(%chan, "message for a channel nobody listens to"),
    }
}

impl Driver for Bus {
    type Error = BusError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        let Some(redis) = &self.inner else {
            return Ok(());
        };
        if !redis.healthy.load(Ordering::Relaxed) {
            redis.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(%chan, "redis is down; publish dropped (clients catch up later)");
            return Ok(());
        }
        let mut conn = redis.conn.clone();
        let sent = tokio::time::timeout(
            COMMAND_TIMEOUT,
            redis::AsyncCommands::publish::<_, _, redis::Value>(&mut conn, &chan, val),
        )
        .await;
        if !matches!(sent, Ok(Ok(_))) {
            redis.healthy.store(false, Ordering::Relaxed);
            redis.dropped.fetch_add(1, Ordering::Relaxed);
            let why = match sent {
                Err(_) => "timed out".to_owned(),
                Ok(Err(e)) => e.to_string(),
                Ok(Ok(_)) => unreachable!(),
            };
            tracing::warn!(%chan, error = %why, "redis publish failed; local sockets still served");
        }
        // The emit still reaches this instance's sockets: never fail it for the bus.
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        let (tx, rx) = mpsc::channel(size);
        self.handlers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(chan.clone(), tx);
        if let Some(redis) = &self.inner {
            redis
                .conn
                .clone()
                .subscribe(&chan)
                .await
                .map_err(|e| BusError(e.to_string()))?;
        }
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.handlers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&chan);
        if let Some(redis) = &self.inner {
            redis
                .conn
                .clone()
                .unsubscribe(&chan)
                .await
                .map_err(|e| BusError(e.to_string()))?;
        }
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        let Some(redis) = &self.inner else {
            return Ok(1);
        };
        let mut conn = redis.conn.clone();
        let (_, count): (String, u16) = tokio::time::timeout(
            COMMAND_TIMEOUT,
            redis::cmd("PUBSUB")
                .arg("NUMSUB")
                .arg(chan)
                .query_async(&mut conn),
        )
        .await
        .map_err(|_| BusError("PUBSUB NUMSUB timed out".into()))?
        .map_err(|e| BusError(e.to_string()))?;
        Ok(count)
    }
}
