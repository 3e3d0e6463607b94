#![recursion_limit = "256"]

use server::{config::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::from_env()?;
    Application::build(settings)
        .await?
        .run_until_stopped()
        .await
}
