//! One pass of every workload against one server: page serving, idle capacity and
//! feed fan-out at growing client counts, targeted delivery at growing rates, and a
//! reconnect storm.

use crate::fleet::{Fleet, marker};
use crate::load::{self, Http, Paced, PageLoad};
use crate::stats::Latency;
use crate::target::{self, Kind, Programs, Server};
use rand::Rng;
use serde::Serialize;
use serde_json::json;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// The p99 beyond which targeted delivery counts as overloaded.
pub const TARGETED_P99_LIMIT_MS: f64 = 250.0;

/// What to run, and how much of it.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Connected clients for the idle and fan-out measurements, growing.
    pub clients: Vec<usize>,
    /// Posts per second for fan-out, at each client count.
    pub fanout_rates: Vec<f64>,
    /// How long each fan-out rate runs.
    pub fanout_secs: u64,
    /// Messages per second for targeted delivery (at the largest client count), growing.
    pub targeted_rates: Vec<f64>,
    /// How long each targeted rate runs.
    pub targeted_secs: u64,
    /// The idle window.
    pub idle_secs: u64,
    /// Clients in the reconnect storm.
    pub storm_clients: usize,
    /// Concurrent requesters for page serving.
    pub page_concurrency: usize,
    /// How long pages are requested.
    pub page_secs: u64,
    /// Loopback addresses the clients connect from, in turn.
    #[serde(skip)]
    pub sources: Vec<IpAddr>,
}

impl Plan {
    /// The issue's workloads, sized to end in under 15 minutes on two cores.
    pub fn full() -> Self {
        Self {
            clients: vec![1_000, 5_000, 10_000],
            fanout_rates: vec![1.0, 10.0, 50.0],
            fanout_secs: 4,
            targeted_rates: vec![100.0, 200.0, 400.0, 800.0, 1_600.0, 3_200.0],
            targeted_secs: 3,
            idle_secs: 5,
            storm_clients: 5_000,
            page_concurrency: 32,
            page_secs: 8,
            sources: loopback_sources(8),
        }
    }

    /// A few hundred clients for seconds: proves the harness works (CI runs it).
    pub fn smoke() -> Self {
        Self {
            clients: vec![100, 300],
            fanout_rates: vec![5.0],
            fanout_secs: 1,
            targeted_rates: vec![50.0],
            targeted_secs: 1,
            idle_secs: 1,
            storm_clients: 200,
            page_concurrency: 4,
            page_secs: 1,
            sources: loopback_sources(2),
        }
    }

    fn users(&self) -> usize {
        // User 1 writes the posts and messages; clients are users 2 and up.
        1 + self
            .clients
            .iter()
            .copied()
            .chain([self.storm_clients])
            .max()
            .unwrap_or(0)
    }
}

/// 127.0.0.1, 127.0.0.2, ...: each gives the clients another range of source ports.
fn loopback_sources(n: u8) -> Vec<IpAddr> {
    (1..=n).map(|i| IpAddr::from([127, 0, 0, i])).collect()
}

/// Idle capacity at one client count.
#[derive(Debug, Clone, Serialize)]
pub struct Idle {
    /// Connected clients.
    pub clients: usize,
    /// How long connecting the newly added clients took.
    pub connect_secs: f64,
    /// The server's RSS with them connected.
    pub rss_kib: u64,
    /// (RSS - RSS before any client) / clients.
    pub rss_per_conn_kib: f64,
    /// Server CPU while nothing happens, % of one core.
    pub idle_cpu_pct: f64,
    /// Connections dropped so far.
    pub drops: u64,
}

/// Feed fan-out at one client count and rate.
#[derive(Debug, Clone, Serialize)]
pub struct Fanout {
    /// Connected clients.
    pub clients: usize,
    /// Posts per second asked for.
    pub rate: f64,
    /// How the posting went.
    pub posts: Paced,
    /// Posts sent (accepted or failed: a timed-out one may still go out) x clients.
    pub expected: u64,
    /// `post:created` events received.
    pub delivered: u64,
    /// From the POST leaving to each client's receipt.
    pub latency: Latency,
    /// Server CPU seconds over the run (posting and delivery).
    pub server_cpu_secs: f64,
}

/// Targeted delivery at one rate.
#[derive(Debug, Clone, Serialize)]
pub struct Targeted {
    /// Connected clients.
    pub clients: usize,
    /// Messages per second asked for.
    pub rate: f64,
    /// How the sending went.
    pub messages: Paced,
    /// Messages sent (accepted or failed).
    pub expected: u64,
    /// `chat:message` events received by their recipients.
    pub delivered: u64,
    /// From the POST leaving to the recipient's receipt.
    pub latency: Latency,
}

/// The reconnect storm.
#[derive(Debug, Clone, Serialize)]
pub struct Storm {
    /// Clients connected before the kill.
    pub clients: usize,
    /// From the kill until the restarted server listened.
    pub restart_secs: f64,
    /// From the restarted server listening until every client was back.
    pub all_back_secs: Option<f64>,
    /// Clients not back within the deadline.
    pub never_returned: usize,
}

/// Everything measured of one server in one round.
#[derive(Debug, Clone, Serialize)]
pub struct Suite {
    /// Which server.
    pub server: Kind,
    /// Which round (A B A B: rounds alternate the servers).
    pub round: u32,
    /// The SSR feed page (ours only: the peer renders no pages).
    pub page: Option<PageLoad>,
    /// The same page asked for with `Accept-Encoding: gzip`, as browsers ask for it.
    pub page_gzip: Option<PageLoad>,
    /// RSS before any client connected.
    pub baseline_rss_kib: u64,
    /// Idle capacity, per client count.
    pub idle: Vec<Idle>,
    /// Fan-out, per client count and rate.
    pub fanout: Vec<Fanout>,
    /// Targeted delivery, per rate, up to the first that passed the p99 limit.
    pub targeted: Vec<Targeted>,
    /// The reconnect storm.
    pub storm: Option<Storm>,
    /// Peak RSS of the server processes before the storm.
    pub peak_rss_kib: u64,
    /// How long this suite took.
    pub secs: f64,
}

/// Runs every workload of `plan` against a fresh `kind` server.
pub async fn run(
    kind: Kind,
    programs: &Programs,
    plan: &Plan,
    round: u32,
    work: &Path,
) -> anyhow::Result<Suite> {
    let started = Instant::now();
    let dir = work.join(format!("{}-{round}", kind.name()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let server = Server::start(kind, programs, plan.users(), &dir).await?;
    let author = Http::new(&server.base, target::cookie(1))?;
    for i in 0..20 {
        let text = format!(
            "Post {i} of the benchmark's feed: {}",
            "lorem ipsum ".repeat(8)
        );
        author
            .post("/api/v1/posts", &json!({ "text": text }))
            .await?;
    }
    let (page, page_gzip) = match kind {
        Kind::Ours => {
            eprintln!("  [{}] page serving", kind.name());
            let concurrency = plan.page_concurrency;
            let secs = Duration::from_secs(plan.page_secs);
            let plain = load::pages(&author, "/", concurrency, secs).await;
            let gzip = author.clone().asking_gzip();
            let gzip = load::pages(&gzip, "/", concurrency, secs).await;
            (Some(plain), Some(gzip))
        }
        Kind::Node => (None, None),
    };
    settle(&server).await?;
    let baseline = server.sample()?;
    let mut suite = Suite {
        server: kind,
        round,
        page,
        page_gzip,
        baseline_rss_kib: baseline.rss_kib,
        idle: Vec::new(),
        fanout: Vec::new(),
        targeted: Vec::new(),
        storm: None,
        peak_rss_kib: 0,
        secs: 0.0,
    };
    // Idle capacity on a process that has done nothing else: fan-out leaves memory
    // behind (queues, allocator caches) that would count as "per connection".
    let mut fleet = Fleet::new(&server.base, plan.sources.clone());
    for &clients in &plan.clients {
        eprintln!("  [{}] {clients} idle clients", kind.name());
        let connect = grow_to(&mut fleet, clients).await?;
        settle(&server).await?;
        let before = server.sample()?;
        tokio::time::sleep(Duration::from_secs(plan.idle_secs)).await;
        let after = server.sample()?;
        suite.idle.push(Idle {
            clients,
            connect_secs: connect.as_secs_f64(),
            rss_kib: after.rss_kib,
            rss_per_conn_kib: (after.rss_kib as f64 - baseline.rss_kib as f64) / clients as f64,
            idle_cpu_pct: (after.cpu_secs - before.cpu_secs) / plan.idle_secs as f64 * 100.0,
            drops: fleet.drops(),
        });
    }
    fleet.close().await;
    suite.peak_rss_kib = server.sample()?.peak_rss_kib;

    let mut server = server.fresh_process(programs).await?;
    let author = Http::new(&server.base, target::cookie(1))?;
    let mut fleet = Fleet::new(&server.base, plan.sources.clone());
    let mut run = 0u32;
    for &clients in &plan.clients {
        eprintln!("  [{}] {clients} clients: connecting", kind.name());
        grow_to(&mut fleet, clients).await?;
        for &rate in &plan.fanout_rates {
            run += 1;
            eprintln!("  [{}] {clients} clients: fan-out at {rate}/s", kind.name());
            settle(&server).await?;
            suite
                .fanout
                .push(fanout(&server, &author, &fleet, plan, rate, run).await?);
        }
    }
    let users = fleet.users().to_vec();
    for &rate in &plan.targeted_rates {
        run += 1;
        eprintln!("  [{}] targeted delivery at {rate}/s", kind.name());
        settle(&server).await?;
        let step = targeted(&author, &fleet, &users, plan, rate, run).await;
        let over = step.latency.p99_ms > TARGETED_P99_LIMIT_MS || step.delivered < step.expected;
        suite.targeted.push(step);
        if over {
            break;
        }
    }
    fleet.close().await;
    suite.peak_rss_kib = suite.peak_rss_kib.max(server.sample()?.peak_rss_kib);

    eprintln!("  [{}] reconnect storm", kind.name());
    let mut fleet = Fleet::new(&server.base, plan.sources.clone());
    grow_to(&mut fleet, plan.storm_clients).await?;
    settle(&server).await?;
    let killed = Instant::now();
    server.kill().await?;
    let gone_by = Instant::now() + Duration::from_secs(10);
    while fleet.connected() > 0 && Instant::now() < gone_by {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let restarted = server.restart(programs).await?;
    let listening = Instant::now();
    let back_by = listening + Duration::from_secs(60);
    while fleet.connected() < plan.storm_clients && Instant::now() < back_by {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let back = fleet.connected();
    suite.storm = Some(Storm {
        clients: plan.storm_clients,
        restart_secs: (listening - killed).as_secs_f64(),
        all_back_secs: (back >= plan.storm_clients).then(|| listening.elapsed().as_secs_f64()),
        never_returned: plan.storm_clients.saturating_sub(back),
    });
    fleet.close().await;
    restarted.stop().await?;
    suite.secs = started.elapsed().as_secs_f64();
    Ok(suite)
}

async fn fanout(
    server: &Server,
    author: &Http,
    fleet: &Fleet,
    plan: &Plan,
    rate: f64,
    run: u32,
) -> anyhow::Result<Fanout> {
    fleet.record(r#"42["post:created""#, run);
    let clients = fleet.connected();
    let cpu = server.sample()?.cpu_secs;
    let posts = load::paced(
        author,
        fleet,
        rate,
        Duration::from_secs(plan.fanout_secs),
        |seq| ("/api/v1/posts", json!({ "text": text(run, seq, 1024) })),
    )
    .await;
    // A request that failed (timed out, say) may still have been broadcast.
    let expected = (posts.ok + posts.failed) * clients as u64;
    fleet
        .wait_delivered(expected, Duration::from_secs(15))
        .await;
    let server_cpu_secs = server.sample()?.cpu_secs - cpu;
    let mut seen = fleet.take();
    Ok(Fanout {
        clients,
        rate,
        posts,
        expected,
        delivered: seen.delivered,
        latency: seen.latency(),
        server_cpu_secs,
    })
}

async fn targeted(
    author: &Http,
    fleet: &Fleet,
    users: &[usize],
    plan: &Plan,
    rate: f64,
    run: u32,
) -> Targeted {
    fleet.record(r#"42["chat:message""#, run);
    let clients = fleet.connected();
    let messages = load::paced(
        author,
        fleet,
        rate,
        Duration::from_secs(plan.targeted_secs),
        |seq| {
            let to = users[rand::thread_rng().gen_range(0..users.len())];
            let body = json!({
                "to": to,
                "client_id": format!("bench-{run}-{seq}"),
                "text": text(run, seq, 100),
            });
            ("/api/v1/chat/messages", body)
        },
    )
    .await;
    let expected = messages.ok + messages.failed;
    fleet
        .wait_delivered(expected, Duration::from_secs(10))
        .await;
    let mut seen = fleet.take();
    Targeted {
        clients,
        rate,
        expected,
        messages,
        delivered: seen.delivered,
        latency: seen.latency(),
    }
}

/// Adds clients until the fleet has `clients` of them, all connected; returns how long
/// that took. Clients are users 2 and up (user 1 writes the posts and messages).
async fn grow_to(fleet: &mut Fleet, clients: usize) -> anyhow::Result<Duration> {
    let have = fleet.users().len();
    fleet
        .grow(have + 2..clients + 2, Duration::from_secs(300))
        .await
}

/// A text of `len` bytes that starts with the marker of `run`, `seq`.
fn text(run: u32, seq: usize, len: usize) -> String {
    let mut text = marker(run, seq);
    let pad = len.saturating_sub(text.len());
    text.extend(std::iter::repeat_n('x', pad));
    text
}

/// Waits until the server is quiet (under 2 % of a core over a second), at most 2
/// minutes: connecting thousands of clients leaves work behind (ours announces presence).
async fn settle(server: &Server) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = server.sample()?.cpu_secs;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = server.sample()?.cpu_secs;
        if now - last < 0.02 {
            return Ok(());
        }
        last = now;
    }
    eprintln!(
        "  [{}] still busy after 2 minutes; measuring anyway",
        server.kind.name()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::parse_marker;

    #[test]
    fn texts_are_marked_and_sized() {
        let t = text(4, 99, 1024);
        assert_eq!(t.len(), 1024);
        assert_eq!(parse_marker(&t), Some((4, 99)));
    }

    #[test]
    fn plans_have_a_user_for_every_client_and_the_author() {
        let plan = Plan::full();
        assert_eq!(plan.users(), 10_001);
        assert!(Plan::smoke().users() > Plan::smoke().storm_clients);
    }
}
