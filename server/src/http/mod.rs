//! HTTP: the JSON API, its error responses and extractors, and the `Origin` check.

pub mod api;
pub mod chat;
pub mod extract;
pub mod live;
pub mod origin;
pub mod social;

use app::error::ApiError;
use axum::{
    Json,
    response::{IntoResponse, Response},
};

/// An [`ApiError`] as an HTTP response: its status and a JSON body (and `Retry-After`
/// when the server is busy).
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = http::StatusCode::from_u16(self.0.code.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let retry = self
            .0
            .code
            .retry_after()
            .map(|secs| [(http::header::RETRY_AFTER, secs)]);
        (status, retry, Json(self.0)).into_response()
    }
}

impl From<crate::error::Error> for HttpError {
    fn from(err: crate::error::Error) -> Self {
        HttpError(err.into_api())
    }
}

impl From<ApiError> for HttpError {
    fn from(err: ApiError) -> Self {
        HttpError(err)
    }
}
