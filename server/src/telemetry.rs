//! Logging setup: `RUST_LOG` filters, defaulting to info for our crates.

/// Installs the global tracing subscriber once (later calls are no-ops, as in tests).
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,socketioxide=warn,engineioxide=warn")
    });
    let _already_set = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .try_init();
}
