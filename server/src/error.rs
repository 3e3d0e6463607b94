//! The server's internal error: either an expected, client-facing [`ApiError`], or a
//! fault whose cause is logged and hidden behind a generic `internal` error.

use app::error::ApiError;

/// Anything a service function can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An expected refusal, shown to the client as is.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Anything else that broke (a panicked blocking task, …).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    /// What the client may see; faults are logged here, once, with their cause.
    pub fn into_api(self) -> ApiError {
        match self {
            Error::Api(e) => e,
            other => {
                tracing::error!(error = %other, "internal error");
                ApiError::internal()
            }
        }
    }
}

/// A service result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
