//! `floor-server [ADDR]`: serves the yardstick page with leptos_axum, as our server
//! serves its pages (default 127.0.0.1:0), and prints the address it listens on.

use axum::{Router, serve::ListenerExt as _};
use floor::{App, shell};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    // As ours: Nagle's algorithm off, so a page's last segment does not wait for an ack.
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            eprintln!("cannot set TCP_NODELAY: {err}");
        }
    });
    let options = LeptosOptions::builder()
        .output_name("floor")
        .site_pkg_dir("pkg")
        .site_addr(local)
        .build();
    let routes = generate_route_list(App);
    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .with_state(options);
    println!("listening on http://{local}");
    axum::serve(listener, app).await
}
