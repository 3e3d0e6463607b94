//! Resident memory of one idle socket's outgoing-packet channel, as engineioxide makes it
//! (README, Performance, "engineioxide's packet channel"): a tokio `mpsc` channel of
//! `PacketBuf`, whose first block of 32 slots tokio allocates with the channel.
//!
//! ```text
//! cargo run --profile loadgen -p bench --example channel_rss
//! ```
//! Makes 10,000 channels of each slot type, sends two packets through each (as the
//! CONNECT packet and a ping do on an idle socket), and prints the RSS they added per
//! channel. The allocator is jemalloc, as in the server.

use engineioxide_core::PacketBuf;
use tokio::sync::mpsc;

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const CHANNELS: usize = 10_000;

// The bench's own reading of `/proc`; the example uses only the RSS part of it.
#[allow(dead_code)]
#[path = "../src/stats.rs"]
mod stats;

fn rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    stats::status_kib(&status, "VmRSS")
        .ok_or_else(|| anyhow::anyhow!("no VmRSS in /proc/self/status"))
}

type Channels<T> = Vec<(mpsc::Sender<T>, mpsc::Receiver<T>)>;

/// The RSS per channel of `CHANNELS` new channels of `T`, and the channels: the caller
/// keeps them, so the next kind cannot reuse their pages and look smaller than it is.
fn per_channel<T: Default>() -> anyhow::Result<(f64, Channels<T>)> {
    let before = rss_kib()?;
    let mut channels = Vec::with_capacity(CHANNELS);
    for _ in 0..CHANNELS {
        let (tx, mut rx) = mpsc::channel::<T>(128);
        for _ in 0..2 {
            tx.try_send(T::default())
                .map_err(|_| anyhow::anyhow!("a fresh channel refused a packet"))?;
            rx.try_recv()?;
        }
        channels.push((tx, rx));
    }
    let after = rss_kib()?;
    Ok((
        after.saturating_sub(before) as f64 / CHANNELS as f64,
        channels,
    ))
}

fn main() -> anyhow::Result<()> {
    let (engineioxide, _keep1) = per_channel::<PacketBuf>()?;
    let (vec, _keep2) = per_channel::<Vec<u8>>()?;
    let (boxed, _keep3) = per_channel::<Option<Box<PacketBuf>>>()?;
    println!("{:<34} {:>5}  RSS per channel", "slot type", "bytes");
    for (name, bytes, kib) in [
        (
            "PacketBuf (engineioxide's)",
            size_of::<PacketBuf>(),
            engineioxide,
        ),
        ("Vec<u8> (any 24-byte slot)", size_of::<Vec<u8>>(), vec),
        (
            "Option<Box<PacketBuf>>",
            size_of::<Option<Box<PacketBuf>>>(),
            boxed,
        ),
    ] {
        println!("{name:<34} {bytes:>5}  {kib:.2} KiB");
    }
    Ok(())
}
