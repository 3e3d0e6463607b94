//! Logging setup: `RUST_LOG` filters, defaulting to info for our crates.

fn filter() -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,socketioxide=warn,engineioxide=warn")
    })
}

/// Installs the global tracing subscriber once (later calls are no-ops).
pub fn init() {
    let _already_set = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_target(true)
        .try_init();
}

/// Like [`init`], writing through the test harness, so logs show only for failing tests.
pub fn init_for_tests() {
    let _already_set = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_test_writer()
        .try_init();
}
