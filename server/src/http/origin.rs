//! Cross-site request forgery and cross-site WebSocket hijacking defence: the Socket.IO
//! handshake and every state-changing request must come from our own origin when the
//! browser says where it comes from (browsers always do for these requests).

use crate::http::HttpError;
use app::error::{ApiError, ErrorCode};
use axum::{extract::Request, middleware::Next, response::IntoResponse, response::Response};
use http::{Method, header::ORIGIN};
use std::sync::Arc;

/// The origins we accept: the public URL, and its other loopback spelling.
#[derive(Debug, Clone)]
pub struct AllowedOrigins(Arc<Vec<String>>);

impl AllowedOrigins {
    /// Accepts `public_url` (scheme, host and port; any path is ignored).
    pub fn new(public_url: &str) -> Self {
        let origin = origin_of(public_url);
        let mut all = vec![origin.clone()];
        for (a, b) in [
            ("//127.0.0.1", "//localhost"),
            ("//localhost", "//127.0.0.1"),
        ] {
            if origin.contains(a) {
                all.push(origin.replacen(a, b, 1));
            }
        }
        Self(Arc::new(all))
    }

    /// Is this `Origin` header value one of ours?
    pub fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }
}

fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

fn needs_check(method: &Method, path: &str) -> bool {
    path.starts_with(crate::realtime::SOCKET_IO_PATH)
        || !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware: a foreign `Origin` gets 403 `bad_origin`.
pub async fn check_origin(allowed: AllowedOrigins, request: Request, next: Next) -> Response {
    if needs_check(request.method(), request.uri().path())
        && let Some(origin) = request.headers().get(ORIGIN)
    {
        let origin = origin.to_str().unwrap_or("<invalid>");
        if !allowed.allows(origin) {
            tracing::warn!(%origin, path = request.uri().path(), "request from a foreign origin refused");
            return HttpError(ApiError::new(
                ErrorCode::BadOrigin,
                "Requests from other sites are not allowed.",
            ))
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_only() {
        let allowed = AllowedOrigins::new("http://127.0.0.1:3000/");
        assert!(allowed.allows("http://127.0.0.1:3000"));
        assert!(allowed.allows("http://localhost:3000"));
        for bad in [
            "http://127.0.0.1:3001",
            "https://127.0.0.1:3000",
            "http://evil.example",
            "null",
            "",
        ] {
            assert!(!allowed.allows(bad), "{bad}");
        }
        let public = AllowedOrigins::new("https://social.example");
        assert!(public.allows("https://social.example"));
        assert!(!public.allows("http://social.example"));
    }

    #[test]
    fn which_requests_are_checked() {
        assert!(needs_check(&Method::GET, "/socket.io/"));
        assert!(needs_check(&Method::POST, "/api/v1/posts"));
        assert!(needs_check(&Method::DELETE, "/api/v1/posts/1"));
        assert!(!needs_check(&Method::GET, "/"));
    }
}
