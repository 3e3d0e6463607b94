//! Settings from environment variables, with defaults that run on a laptop.

use std::{net::SocketAddr, time::Duration};

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen; port 0 picks a free port (tests).
    pub bind_addr: SocketAddr,
    /// The URL browsers use to reach us; `Origin` is checked against it.
    /// `None` derives `http://<bound address>` after binding.
    pub public_url: Option<String>,
    /// `sqlite://path` (created on first run) or `postgres://…`.
    pub database_url: String,
    /// How long a request waits for a database connection before it is answered
    /// `busy` (503): SQLite has one connection, PostgreSQL ten.
    pub db_acquire_timeout: Duration,
    /// Mark the session cookie `Secure` (on by default when `public_url` is https).
    pub cookie_secure: bool,
    /// How long a session lives after sign-in.
    pub session_ttl: Duration,
    /// The folder cargo-leptos built the site into (`/pkg/app.js` and friends).
    pub site_root: String,
    /// The largest Socket.IO message accepted; larger ones close the connection.
    pub max_socket_payload: u64,
    /// `redis://…` to run as one of several instances; `None` for a single instance.
    pub redis_url: Option<String>,
    /// The prefix of the Redis channels: one per cluster sharing a Redis server.
    pub redis_prefix: String,
    /// How often the server pings each socket, and writes its own heartbeat.
    pub heartbeat_interval: Duration,
    /// How long a ping may go unanswered before its socket counts as gone. An instance
    /// silent for interval + timeout counts as crashed: its sockets go offline.
    pub heartbeat_timeout: Duration,
    /// How far back a reconnecting client can catch up; beyond, it reloads its data.
    pub catchup_window: Duration,
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}={value:?}: {reason}")]
pub struct SettingsError {
    name: &'static str,
    value: String,
    reason: String,
}

impl Settings {
    /// Defaults suitable for tests: port 0, the given database, a short-lived site root.
    pub fn for_tests(database_url: String) -> Self {
        Self {
            bind_addr: "127.0.0.1:0".parse().expect("literal address"),
            public_url: None,
            database_url,
            db_acquire_timeout: crate::db::DEFAULT_ACQUIRE_TIMEOUT,
            cookie_secure: false,
            session_ttl: Duration::from_secs(3600),
            site_root: "target/site".into(),
            max_socket_payload: 1_000_000,
            redis_url: None,
            redis_prefix: "chatty".into(),
            // Test sockets answer pings only while they read: keep the defaults generous
            // and shorten them in the tests about timeouts.
            heartbeat_interval: Duration::from_secs(25),
            heartbeat_timeout: Duration::from_secs(20),
            catchup_window: Duration::from_secs(600),
        }
    }

    /// Reads `BIND_ADDR`, `PUBLIC_URL`, `DATABASE_URL`, `COOKIE_SECURE`, `SESSION_TTL_SECS`,
    /// `LEPTOS_SITE_ROOT`, `LEPTOS_SITE_ADDR` (set by cargo-leptos), `MAX_SOCKET_PAYLOAD`,
    /// `REDIS_URL`, `REDIS_PREFIX`, `HEARTBEAT_INTERVAL_MS`, `HEARTBEAT_TIMEOUT_MS`, `CATCHUP_WINDOW_SECS`,
    /// `DB_ACQUIRE_TIMEOUT_MS`.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Settings::from_env`], reading from any lookup (unit-testable).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        fn parse<T: std::str::FromStr>(
            name: &'static str,
            value: String,
        ) -> Result<T, SettingsError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e: T::Err| SettingsError {
                name,
                value,
                reason: e.to_string(),
            })
        }
        let addr = get("BIND_ADDR")
            .or_else(|| get("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind_addr = parse("BIND_ADDR", addr)?;
        let public_url = get("PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(SettingsError {
                name: "PUBLIC_URL",
                value: url.clone(),
                reason: "must start with http:// or https://".into(),
            });
        }
        let https = public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        let cookie_secure = match get("COOKIE_SECURE") {
            Some(v) => parse("COOKIE_SECURE", v)?,
            None => https,
        };
        let ttl: u64 = match get("SESSION_TTL_SECS") {
            Some(v) => parse("SESSION_TTL_SECS", v)?,
            None => 30 * 24 * 3600,
        };
        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/app.db".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(SettingsError {
                name: "DATABASE_URL",
                value: database_url,
                reason: "use sqlite://… or postgres://…".into(),
            });
        }
        let max_socket_payload = match get("MAX_SOCKET_PAYLOAD") {
            Some(v) => parse("MAX_SOCKET_PAYLOAD", v)?,
            None => 1_000_000,
        };
        let redis_url = get("REDIS_URL").filter(|u| !u.trim().is_empty());
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(SettingsError {
                name: "REDIS_URL",
                value: url.clone(),
                reason: "use redis://…".into(),
            });
        }
        let positive = |name: &'static str, default: u64| -> Result<u64, SettingsError> {
            let n: u64 = match get(name) {
                Some(v) => parse(name, v)?,
                None => default,
            };
            if n == 0 {
                return Err(SettingsError {
                    name,
                    value: "0".into(),
                    reason: "must be positive".into(),
                });
            }
            Ok(n)
        };
        let heartbeat_interval = Duration::from_millis(positive("HEARTBEAT_INTERVAL_MS", 25_000)?);
        let heartbeat_timeout = Duration::from_millis(positive("HEARTBEAT_TIMEOUT_MS", 20_000)?);
        let catchup_window = Duration::from_secs(positive("CATCHUP_WINDOW_SECS", 600)?);
        let default_acquire =
            u64::try_from(crate::db::DEFAULT_ACQUIRE_TIMEOUT.as_millis()).unwrap_or(u64::MAX);
        let db_acquire_timeout =
            Duration::from_millis(positive("DB_ACQUIRE_TIMEOUT_MS", default_acquire)?);
        Ok(Self {
            bind_addr,
            public_url,
            database_url,
            db_acquire_timeout,
            cookie_secure,
            session_ttl: Duration::from_secs(ttl),
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            max_socket_payload,
            redis_url,
            redis_prefix: get("REDIS_PREFIX").unwrap_or_else(|| "chatty".into()),
            heartbeat_interval,
            heartbeat_timeout,
            catchup_window,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_locally_on_sqlite() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.database_url, "sqlite://data/app.db");
        assert!(!s.cookie_secure);
        assert!(s.public_url.is_none());
        assert!(s.redis_url.is_none());
        assert_eq!(s.catchup_window, Duration::from_secs(600));
        assert_eq!(s.heartbeat_interval, Duration::from_secs(25));
        assert_eq!(s.db_acquire_timeout, Duration::from_secs(10));
        let short = settings(&[("DB_ACQUIRE_TIMEOUT_MS", "250")]).unwrap();
        assert_eq!(short.db_acquire_timeout, Duration::from_millis(250));
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let s = settings(&[("PUBLIC_URL", "https://social.example/")]).unwrap();
        assert!(s.cookie_secure);
        assert_eq!(s.public_url.as_deref(), Some("https://social.example"));
    }

    #[test]
    fn bad_values_are_named() {
        for (k, v) in [
            ("BIND_ADDR", "nope"),
            ("COOKIE_SECURE", "maybe"),
            ("DATABASE_URL", "mysql://x"),
            ("PUBLIC_URL", "ftp://x"),
            ("SESSION_TTL_SECS", "-1"),
            ("REDIS_URL", "http://x"),
            ("HEARTBEAT_TIMEOUT_MS", "0"),
            ("CATCHUP_WINDOW_SECS", "soon"),
            ("DB_ACQUIRE_TIMEOUT_MS", "0"),
        ] {
            let err = settings(&[(k, v)]).expect_err(k).to_string();
            assert!(err.contains(k), "{err}");
        }
    }
}
