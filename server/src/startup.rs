//! Building and running the application: one listener for pages, server functions,
//! the JSON API and Socket.IO.

use crate::{
    config::Settings,
    db,
    http::{api, chat, origin, social},
    realtime::{self, Emitter},
    service::Services,
};
use app::service::SharedBackend;
use axum::{Router, extract::Request, middleware::Next};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use socketioxide::SocketIo;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;

/// A built, bound, not yet running application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    services: Services,
}

impl Application {
    /// Connects the database, applies migrations, binds the listener (port 0 picks a
    /// free one) and assembles the routes.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let pool = db::connect(&settings.database_url).await?;
        let listener = TcpListener::bind(settings.bind_addr).await?;
        let addr = listener.local_addr()?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        settings.public_url = Some(public_url.clone());

        let max_frame = usize::try_from(settings.max_socket_payload).unwrap_or(usize::MAX);
        let (sio_layer, io) = SocketIo::builder()
            .transports([socketioxide::TransportType::Websocket])
            .max_payload(settings.max_socket_payload)
            .ws_max_message_size(max_frame)
            .ws_max_frame_size(max_frame)
            .ping_interval(Duration::from_secs(25))
            .ping_timeout(Duration::from_secs(20))
            .build_layer();
        let services = Services::new(pool, settings.clone(), Emitter::new(io.clone())).await?;
        realtime::socket::register(&io, services.clone());

        let leptos_options = leptos_options(&settings, addr);
        let routes = generate_route_list(app::App);
        let backend: SharedBackend = Arc::new(services.clone());
        let context = move || provide_context(backend.clone());
        let pages = Router::new()
            .leptos_routes_with_context(&leptos_options, routes, context.clone(), {
                let options = leptos_options.clone();
                move || app::shell(options.clone())
            })
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
                    .with_state(services.clone()),
            )
            .merge(pages)
            .layer(CompressionLayer::new())
            .layer(sio_layer)
            .layer(axum::middleware::from_fn(
                move |req: Request, next: Next| origin::check_origin(allowed.clone(), req, next),
            ));
        Ok(Self {
            listener,
            router,
            addr,
            services,
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

    /// Serves until SIGINT or SIGTERM.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        // Tests and scripts read this line to learn the port.
        println!("listening on http://{}", self.addr);
        tracing::info!(addr = %self.addr, "listening");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }
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

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
