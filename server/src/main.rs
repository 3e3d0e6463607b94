#![recursion_limit = "256"]

use server::{config::Settings, startup::Application, telemetry};

/// jemalloc rather than glibc's malloc: a page allocates and frees thousands of small
/// objects (owners, signals, strings, buffers), and allocation was a quarter of its
/// profile. Measured side by side (README, Performance): about 15 % more feed pages per
/// second for about 5 % more memory per idle connection (most likely jemalloc's size
/// classes rounding a socket's larger objects up), the fan-out's CPU unchanged.
/// mimalloc was faster still but cost half as much again per idle connection; shorter
/// decay times cost the fan-out latency, so jemalloc keeps its defaults.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::from_env()?;
    Application::build(settings)
        .await?
        .run_until_stopped()
        .await
}
