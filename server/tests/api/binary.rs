//! The server binary as shipped, for what the in-process tests cannot see: its allocator
//! is set in `main.rs`, and these tests run the library under the system allocator.

use crate::helpers::*;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

/// Long enough for a debug binary to start, and to stop and print its statistics.
const BINARY_WAIT: Duration = Duration::from_secs(30);

/// Asked through the environment variable only the binary's jemalloc reads (the prefixed
/// build `tikv-jemallocator` links) to print its statistics at exit, the binary prints
/// them. With the system allocator it prints nothing of the kind.
#[tokio::test]
async fn the_binary_allocates_with_jemalloc() {
    let (url, dir) = fresh_database(Db::Sqlite).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", url)
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server binary");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    until_listening(&mut lines, BINARY_WAIT).await;

    let pid = child.id().unwrap().to_string();
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(stopped.success());
    let mut stderr = String::new();
    let mut pipe = child.stderr.take().unwrap();
    let (read, status) = tokio::time::timeout(BINARY_WAIT, async {
        tokio::join!(pipe.read_to_string(&mut stderr), child.wait())
    })
    .await
    .expect("it stops in time");
    read.unwrap();
    assert!(status.unwrap().success(), "a graceful stop exits 0");
    assert!(
        stderr.contains("Begin jemalloc statistics"),
        "jemalloc printed its statistics at exit: {stderr}"
    );
    if let Some(dir) = dir {
        std::fs::remove_dir_all(dir).ok();
    }
}
