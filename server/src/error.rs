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
            other if other.is_overload() => {
                tracing::warn!(error = %other, "overloaded: answered busy");
                ApiError::busy()
            }
            other => {
                tracing::error!(error = %other, "internal error");
                ApiError::internal()
            }
        }
    }

    /// Did the database turn the work away because it is saturated (no pooled
    /// connection came free in time, SQLite's file locked by another process), rather
    /// than because something is broken? Such work was not done, and may be retried.
    pub fn is_overload(&self) -> bool {
        let db = match self {
            Error::Db(err) => Some(err),
            Error::Other(err) => err.downcast_ref::<sqlx::Error>(),
            Error::Api(_) => None,
        };
        db.is_some_and(is_overload)
    }
}

/// See [`Error::is_overload`]. SQLite reports its extended result code; the primary
/// code is its low byte: 5 is `SQLITE_BUSY`, 6 `SQLITE_LOCKED`.
fn is_overload(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db)
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() =>
        {
            db.code()
                .and_then(|code| code.parse::<u32>().ok())
                .is_some_and(|code| matches!(code & 0xff, 5 | 6))
        }
        _ => false,
    }
}

/// A service result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use app::error::ErrorCode;

    #[test]
    fn a_saturated_pool_is_busy_and_other_faults_are_internal() {
        let busy = Error::Db(sqlx::Error::PoolTimedOut).into_api();
        assert_eq!(busy.code, ErrorCode::Busy);
        assert_eq!(busy.code.status(), 503);
        let wrapped = Error::Other(anyhow::Error::new(sqlx::Error::PoolTimedOut)).into_api();
        assert_eq!(wrapped.code, ErrorCode::Busy);

        let closed = Error::Db(sqlx::Error::PoolClosed).into_api();
        assert_eq!(closed.code, ErrorCode::Internal);
        let decode = Error::Db(sqlx::Error::Decode("bad".into())).into_api();
        assert_eq!(decode.code, ErrorCode::Internal);
        let refused = Error::Api(ApiError::forbidden()).into_api();
        assert_eq!(refused.code, ErrorCode::Forbidden);
    }

    /// Another process holding SQLite's write lock (a backup, the sqlite3 shell) makes a
    /// write fail with `SQLITE_BUSY` once the busy timeout passes: busy, not internal.
    #[tokio::test]
    async fn a_locked_sqlite_file_is_busy() {
        use sqlx::{AnyConnection, Connection as _};
        sqlx::any::install_default_drivers();
        let dir = std::env::temp_dir().join(format!("chatty_locked_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/db.sqlite?mode=rwc", dir.display());
        let mut holder = AnyConnection::connect(&url).await.unwrap();
        for sql in ["CREATE TABLE t (x INTEGER)", "BEGIN EXCLUSIVE"] {
            sqlx::query(sql).execute(&mut holder).await.unwrap();
        }
        let mut writer = AnyConnection::connect(&url).await.unwrap();
        sqlx::query("PRAGMA busy_timeout = 0")
            .execute(&mut writer)
            .await
            .unwrap();
        let err = sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut writer)
            .await
            .expect_err("the file is locked");
        assert!(is_overload(&err), "{err:?}");
        assert_eq!(Error::Db(err).into_api().code, ErrorCode::Busy);

        // Closing (not dropping) waits until the lock is let go.
        holder.close().await.unwrap();
        let bad = sqlx::query("INSERT INTO missing VALUES (1)")
            .execute(&mut writer)
            .await
            .expect_err("no such table");
        assert!(!is_overload(&bad), "{bad:?}");
        drop(writer);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
