//! Building and running the application: one listener for pages, server functions,
//! the JSON API and Socket.IO.

use crate::{
    config::Settings,
    db,
    http::{api, chat, live, origin, social},
    realtime::{self, Emitter, SOCKET_IO_PATH, cluster::Bus},
    service::Services,
};
use app::service::{SharedBackend, ViewerCache};
use axum::{Router, ServiceExt as _, extract::Request, middleware::Next, serve::ListenerExt as _};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use socketioxide::SocketIo;
use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tower::{Layer as _, ServiceExt as _};
use tower_http::{CompressionLevel, compression::CompressionLayer, services::ServeDir};

/// The websocket read buffer per socket (see its use).
const WS_READ_BUFFER: usize = 1024;

/// A built, bound, not yet running application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    services: Services,
    bus: Bus,
}

impl Application {
    /// Connects the database, applies migrations, binds the listener (port 0 picks a
    /// free one) and assembles the routes.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let pool = db::connect(&settings.database_url, settings.db_acquire_timeout).await?;
        let reader =
            db::Reader::open(&settings.database_url, &pool, settings.db_acquire_timeout).await?;
        let listener = TcpListener::bind(settings.bind_addr).await?;
        let addr = listener.local_addr()?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        settings.public_url = Some(public_url.clone());

        let bus = match &settings.redis_url {
            Some(url) => {
                let bus = Bus::redis(url)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot connect to REDIS_URL: {e}"))?;
                tracing::info!("clustered: instances meet over redis");
                bus
            }
            None => Bus::local(),
        };
        let adapter = RedisAdapterCtr::new_with_driver(
            bus.clone(),
            RedisAdapterConfig::default().with_prefix(settings.redis_prefix.clone()),
        );
        let max_frame = usize::try_from(settings.max_socket_payload).unwrap_or(usize::MAX);
        let (sio_layer, io) = SocketIo::builder()
            .with_adapter::<realtime::cluster::ClusterAdapter>(adapter)
            .req_path(SOCKET_IO_PATH)
            .transports([socketioxide::TransportType::Websocket])
            .max_payload(settings.max_socket_payload)
            .ws_max_message_size(max_frame)
            .ws_max_frame_size(max_frame)
            // Allocated up front for every socket, idle or not (default 4 KiB). Clients
            // send small frames (acks, pongs, typing); a larger one is read in steps.
            .ws_read_buffer_size(WS_READ_BUFFER)
            .ping_interval(settings.heartbeat_interval)
            .ping_timeout(settings.heartbeat_timeout)
            .build_layer();
        let emitter = Emitter::new(io.clone(), pool.clone());
        let services = Services::new(pool, reader, settings.clone(), emitter).await?;
        // The namespace first: the first heartbeat may sweep a crashed instance's
        // sockets and announce them offline, which needs somewhere to emit.
        realtime::socket::register(&io, services.clone()).await?;
        services.heartbeat().await?;

        let leptos_options = leptos_options(&settings, addr);
        let routes = generate_route_list(app::App);
        let backend: SharedBackend = Arc::new(services.clone());
        let context = move || {
            provide_context(backend.clone());
            provide_context(ViewerCache::default());
        };
        // The built WASM, JS and CSS are plain files, served before Leptos sees the
        // request. Leptos' fallback serves a file inside a reactive owner that can pick
        // up another request's response options on the same thread: racing a 404 page,
        // a lazy route's chunk went out with status 404 and the page never hydrated.
        let pkg = format!("/{}", leptos_options.site_pkg_dir);
        // Compressed once per download at zlib's default level: the WASM is most of a
        // first visit's bytes, and browsers cache it.
        let assets = CompressionLayer::new().layer(ServeDir::new(
            std::path::Path::new(&*leptos_options.site_root).join(&*leptos_options.site_pkg_dir),
        ));
        let pages = Router::new()
            .leptos_routes_with_context(&leptos_options, routes, context.clone(), {
                let options = leptos_options.clone();
                move || app::shell(options.clone())
            })
            .nest_service(&pkg, assets)
            .fallback(leptos_axum::file_and_error_handler_with_context(
                context,
                app::shell,
            ))
            .with_state(leptos_options);

        let allowed = origin::AllowedOrigins::new(&public_url);
        let router = Router::new()
            .merge(
                api::router()
                    .merge(social::router())
                    .merge(chat::router())
                    .merge(live::router())
                    .with_state(services.clone()),
            )
            .merge(pages)
            // Pages and JSON are made per request: at the fastest level (and on zlib-rs)
            // the feed page is served 1.6x as often as at the default, for a third more
            // bytes (README, Performance). The files above come compressed already, and
            // this layer leaves them be.
            .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
            .layer(sio_layer)
            .layer(axum::middleware::from_fn(
                move |req: Request, next: Next| origin::check_origin(allowed.clone(), req, next),
            ));
        Ok(Self {
            listener,
            router,
            addr,
            services,
            bus,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The service layer (tests use it to inspect state).
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully: it stops accepting,
    /// closes its sockets (clients reconnect, to another instance behind a balancer, and
    /// catch up), takes their presence down and lets HTTP requests under way finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            listener,
            router,
            addr,
            services,
            bus,
        } = self;
        let background = [
            tokio::spawn(heartbeats(services.clone())),
            tokio::spawn(watch_bus(services.clone(), bus)),
        ];
        // Listen for the stop signals before announcing the port: whoever reads the line
        // may stop the server at once, and a SIGTERM arriving before the handler exists
        // would kill it with the default action instead of a graceful stop.
        let stop = stop_signals();
        // Tests and scripts read this line to learn the port.
        println!("listening on http://{addr}");
        tracing::info!(addr = %addr, instance = services.instance_id(), "listening");
        let stopping = services.clone();
        let app = router.map_request(own_socket_head).into_make_service();
        axum::serve(accepting(listener), app)
            .with_graceful_shutdown(async move {
                stop.await;
                background.iter().for_each(tokio::task::JoinHandle::abort);
                // Close this instance's sockets (their clients reconnect, elsewhere behind
                // a balancer, and catch up), then take whatever is left offline.
                let here = stopping.users_here().await.unwrap_or_default();
                if let Err(err) = stopping.emitter().io().local().disconnect().await {
                    tracing::error!(error = %err, "could not close the sockets");
                }
                if let Err(err) = stopping.leave_cluster(here).await {
                    tracing::error!(error = %err, "could not take this instance's sockets offline");
                }
            })
            .await?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The listener as the server accepts from it: every connection with Nagle's algorithm
/// off. With it on, the last small segment of a page (or a websocket frame written
/// right after another) waited for the client to acknowledge the previous one, and
/// clients delay acknowledgements by up to 40 ms: the bench's feed page took 44 ms at
/// the median, waiting, not working.
fn accepting(
    listener: TcpListener,
) -> impl axum::serve::Listener<Io = tokio::net::TcpStream, Addr = SocketAddr> {
    listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "cannot set TCP_NODELAY on a connection");
        }
    })
}

/// Writes this instance's heartbeat (sweeping crashed instances and pruning the event
/// log) every heartbeat interval.
async fn heartbeats(services: Services) {
    let mut beat = tokio::time::interval(services.settings().heartbeat_interval);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        beat.tick().await;
        if let Err(err) = services.heartbeat().await {
            tracing::error!(error = %err, "heartbeat failed");
        }
    }
}

/// Checks Redis every second (nothing to do without it). When it comes back after an outage (a failed check or a
/// failed publish), every client is told to catch up from before the outage began.
async fn watch_bus(services: Services, bus: Bus) {
    if !bus.is_clustered() {
        return;
    }
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The log head one check ago and now: an outage began after the older of the two.
    let mut heads = (0u64, 0u64);
    let mut down_since: Option<u64> = None;
    loop {
        every.tick().await;
        let flagged = !bus.is_healthy();
        let healthy = bus.check().await;
        if down_since.is_none() && (flagged || !healthy) {
            tracing::error!(
                dropped = bus.dropped(),
                "redis is down: serving this instance's sockets only"
            );
            down_since = Some(heads.0);
        }
        if !healthy {
            continue;
        }
        match down_since.take() {
            Some(from) => {
                tracing::warn!(
                    dropped = bus.dropped(),
                    from,
                    "redis is back: clients catch up"
                );
                services.resync_everyone(from).await;
            }
            None => {
                if let Ok(head) = services.log_head().await {
                    heads = (heads.1, head);
                }
            }
        }
    }
}

/// Gives a Socket.IO handshake a URI and headers in memory of their own.
///
/// hyper parses a request head as slices of the connection's read buffer (8 KiB or
/// more), so the `Uri` and every `HeaderValue` keep that whole buffer alive. Socket.IO
/// keeps its handshake's head for the socket's lifetime, and axum's `OriginalUri` is
/// one more clone of the URI; so every connected socket pinned a read buffer it never
/// used again. With copies of the few hundred bytes of head (made here, before the
/// router clones anything), hyper's buffer is freed once the connection is upgraded.
fn own_socket_head(req: Request) -> Request {
    if !req.uri().path().starts_with(SOCKET_IO_PATH) {
        return req;
    }
    // Re-parsing what parsed once cannot fail; if it did, the shared original still
    // works (it only costs memory).
    let (mut parts, body) = req.into_parts();
    parts.uri = http::Uri::try_from(parts.uri.to_string()).unwrap_or(parts.uri);
    parts.headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let owned = http::HeaderValue::from_bytes(value.as_bytes()).map(|mut owned| {
                owned.set_sensitive(value.is_sensitive());
                owned
            });
            (name.clone(), owned.unwrap_or_else(|_| value.clone()))
        })
        .collect();
    Request::from_parts(parts, body)
}

fn leptos_options(settings: &Settings, addr: SocketAddr) -> LeptosOptions {
    // cargo-leptos sets LEPTOS_OUTPUT_NAME; tests and a bare binary get the same defaults.
    let from_env = std::env::var("LEPTOS_OUTPUT_NAME")
        .is_ok()
        .then(|| get_configuration(None).ok())
        .flatten();
    let mut options = from_env.map(|c| c.leptos_options).unwrap_or_else(|| {
        LeptosOptions::builder()
            .output_name("app")
            .site_pkg_dir("pkg")
            .build()
    });
    options.site_root = settings.site_root.clone().into();
    options.site_addr = addr;
    options
}

/// Resolves at the first SIGINT or SIGTERM. The handlers are installed here, when it is
/// called, not when the future is first polled, so the caller decides from when on a
/// signal means a graceful stop.
#[cfg(unix)]
fn stop_signals() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::SignalKind;
    let interrupt = on_signal(SignalKind::interrupt(), "SIGINT");
    let terminate = on_signal(SignalKind::terminate(), "SIGTERM");
    async move {
        tokio::select! {
            () = interrupt => {},
            () = terminate => {},
        }
        tracing::info!("shutting down");
    }
}

/// Listens for `kind` from now on; the future resolves when it comes. A signal that
/// cannot be listened for is logged, and never comes.
#[cfg(unix)]
fn on_signal(
    kind: tokio::signal::unix::SignalKind,
    name: &'static str,
) -> impl std::future::Future<Output = ()> {
    let stream = tokio::signal::unix::signal(kind)
        .inspect_err(
            |err| tracing::error!(error = %err, signal = name, "cannot listen for the signal"),
        )
        .ok();
    async move {
        match stream {
            Some(mut stream) => _ = stream.recv().await,
            None => std::future::pending().await,
        }
    }
}

/// Ctrl-C only, listened for from the first poll: the servers we ship run on Unix, where
/// the version above installs its handlers at once.
#[cfg(not(unix))]
fn stop_signals() -> impl std::future::Future<Output = ()> {
    async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::serve::Listener as _;
    use bytes::Bytes;

    #[tokio::test]
    async fn accepted_connections_send_without_waiting_for_acks() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut listener = accepting(listener);
        let client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (server_side, _) = listener.accept().await;
        assert!(
            server_side.nodelay().unwrap(),
            "Nagle's algorithm is still on"
        );
        drop(client);
    }

    /// The race a stopping server lost in CI: the port was announced, a SIGTERM came
    /// before the handler existed, and the default action killed the process. A signal
    /// sent after `stop_signals` returns, before its future is ever polled, must be a
    /// graceful stop; were the handler installed on first poll, it would kill this test
    /// process instead.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_stop_signal_before_the_first_poll_stops_gracefully() {
        let stop = stop_signals();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        tokio::time::timeout(std::time::Duration::from_secs(10), stop)
            .await
            .expect("the signal sent before the first poll stops the server");
    }

    /// A request whose URI and headers are slices of `buf`, as hyper parses them.
    fn parsed_from(buf: &Bytes, path: &str) -> Request {
        let text = std::str::from_utf8(buf).unwrap();
        let at = |s: &str| {
            let start = text.find(s).unwrap();
            buf.slice(start..start + s.len())
        };
        let mut req = Request::new(Body::empty());
        *req.uri_mut() = http::Uri::from_maybe_shared(at(path)).unwrap();
        let cookie = http::HeaderValue::from_maybe_shared(at("sid=abc")).unwrap();
        req.headers_mut().insert(http::header::COOKIE, cookie);
        req
    }

    #[test]
    fn a_socket_handshake_lets_go_of_the_read_buffer() {
        let path = "/socket.io/?EIO=4&transport=websocket";
        let buf = Bytes::from(format!("GET {path} HTTP/1.1\r\nCookie: sid=abc\r\n\r\n"));
        let req = own_socket_head(parsed_from(&buf, path));
        assert!(
            buf.is_unique(),
            "the head still points into the read buffer"
        );
        assert_eq!(req.uri().to_string(), path);
        assert_eq!(req.headers()[http::header::COOKIE], "sid=abc");
    }

    #[test]
    fn other_requests_are_left_as_they_are() {
        let path = "/api/v1/posts";
        let buf = Bytes::from(format!("GET {path} HTTP/1.1\r\nCookie: sid=abc\r\n\r\n"));
        let req = own_socket_head(parsed_from(&buf, path));
        assert!(!buf.is_unique());
        assert_eq!(req.uri().path(), path);
    }
}
