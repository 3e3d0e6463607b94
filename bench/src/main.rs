//! chatty-bench: runs every workload against our server and the Node.js Socket.IO peer
//! in turn (A B A B), and prints each figure for both with their ratio.
//!
//! ```text
//! chatty-bench [--smoke] [--rounds N] [--only ours|node] [--clients N,N,..] [--ours PATH]
//!              [--node-script PATH] [--site DIR] [--server-cpu CPU|none] [--work DIR]
//!              [--out FILE] [--readme FILE]
//! chatty-bench [--page BASE [--gzip]] [--wasm DIR]
//! ```
//! `--page` and `--wasm` measure one thing apart, as the full run measures it, for
//! `make floor`'s yardstick page: `--page` runs only the page phase against any server
//! (user 1's session cookie, which a server without sessions ignores, the same
//! concurrency and duration; with `--gzip` it asks for gzip, as browsers do, and fails
//! unless it gets it); `--wasm` prints the gzipped size of the WASM and JS in a folder.
//! `make bench` builds everything in release mode and runs it pinned (see the README).

mod fleet;
mod load;
mod report;
mod stats;
mod suite;
mod target;

use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use target::{Kind, Programs};

/// Where the README's table goes.
const README_START: &str = "<!-- bench:start -->";
const README_END: &str = "<!-- bench:end -->";

struct Args {
    smoke: bool,
    rounds: u32,
    only: Option<Kind>,
    clients: Option<Vec<usize>>,
    programs: Programs,
    work: PathBuf,
    out: PathBuf,
    readme: Option<PathBuf>,
    page: Option<String>,
    gzip: bool,
    wasm: Option<PathBuf>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        smoke: false,
        rounds: 2,
        only: None,
        clients: None,
        programs: Programs {
            ours: "target/release/server".into(),
            node_script: "bench/node/server.js".into(),
            site_root: "target/site".into(),
            cpu: Some("0".into()),
        },
        work: std::env::temp_dir().join("chatty-bench"),
        out: "target/bench/results.json".into(),
        readme: None,
        page: None,
        gzip: false,
        wasm: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--smoke" => args.smoke = true,
            "--rounds" => args.rounds = value()?.parse().context("--rounds")?,
            "--only" => {
                args.only = Some(match value()?.as_str() {
                    "ours" => Kind::Ours,
                    "node" => Kind::Node,
                    other => bail!("--only ours|node, not {other}"),
                })
            }
            "--clients" => {
                let list: Result<Vec<usize>, _> = value()?.split(',').map(str::parse).collect();
                args.clients = Some(list.context("--clients takes numbers, e.g. 1000,5000")?);
            }
            "--ours" => args.programs.ours = value()?.into(),
            "--node-script" => args.programs.node_script = value()?.into(),
            "--site" => args.programs.site_root = value()?.into(),
            "--server-cpu" => {
                args.programs.cpu = Some(value()?).filter(|c| c != "none");
            }
            "--work" => args.work = value()?.into(),
            "--out" => args.out = value()?.into(),
            "--readme" => args.readme = Some(value()?.into()),
            "--page" => args.page = Some(value()?.trim_end_matches('/').to_owned()),
            "--gzip" => args.gzip = true,
            "--wasm" => args.wasm = Some(value()?.into()),
            "-h" | "--help" => {
                println!(
                    "see the doc comment of bench/src/main.rs, or the README's Performance section"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    anyhow::ensure!(args.rounds > 0, "--rounds must be at least 1");
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let mut plan = if args.smoke {
        suite::Plan::smoke()
    } else {
        suite::Plan::full()
    };
    if let Some(clients) = &args.clients {
        anyhow::ensure!(!clients.is_empty(), "--clients needs at least one count");
        plan.clients = clients.clone();
        plan.storm_clients = plan
            .storm_clients
            .min(clients.iter().copied().max().unwrap_or(0));
    }
    if args.page.is_some() || args.wasm.is_some() {
        return measure_apart(&args, &plan).await;
    }
    if args.only != Some(Kind::Node) && !args.programs.ours.exists() {
        bail!(
            "{} not found: build it first (make bench does)",
            args.programs.ours.display()
        );
    }
    if args.programs.cpu.is_some() && which("taskset").is_none() {
        eprintln!("taskset not found: servers run unpinned");
        let mut programs = args.programs.clone();
        programs.cpu = None;
        return run(Args { programs, ..args }, plan).await;
    }
    run(args, plan).await
}

async fn run(args: Args, plan: suite::Plan) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let kinds: Vec<Kind> = [Kind::Ours, Kind::Node]
        .into_iter()
        .filter(|k| args.only.is_none_or(|only| only == *k))
        .collect();
    let mut suites = Vec::new();
    for round in 0..args.rounds {
        for &kind in &kinds {
            eprintln!("round {} of {}: {}", round + 1, args.rounds, kind.name());
            let suite = suite::run(kind, &args.programs, &plan, round, &args.work)
                .await
                .with_context(|| format!("{} in round {}", kind.name(), round + 1))?;
            eprintln!("  [{}] done in {:.0} s", kind.name(), suite.secs);
            suites.push(suite);
        }
    }
    let wasm = wasm_size(&args.programs.site_root.join("pkg"));
    let wasm_gz_kib = wasm.as_ref().map(|w| w.gzipped as f64 / 1024.0);
    let rows = report::rows(&suites, wasm_gz_kib);
    let machine = machine();
    let heading = format!(
        "{} on {}, {}, commit {}{}; {} round(s), the servers taking turns; {:.0} s in all.",
        if args.smoke { "Smoke run" } else { "Measured" },
        machine.cpu,
        machine.date,
        machine.commit,
        if args.programs.cpu.is_some() {
            ", server pinned to one core and the load generator to the other"
        } else {
            ""
        },
        args.rounds,
        started.elapsed().as_secs_f64()
    );
    let table = format!("{heading}\n\n{}", report::markdown(&rows));
    println!("\n{table}");

    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let json = serde_json::json!({
        "machine": machine,
        "plan": plan,
        "wasm": wasm,
        "rows": rows,
        "suites": suites,
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&json)?)?;
    eprintln!("figures written to {}", args.out.display());
    if let Some(readme) = &args.readme {
        update_readme(readme, &table)?;
        eprintln!("table written into {}", readme.display());
    }
    check(&suites, args.smoke)
}

/// `--wasm DIR`: the gzipped size of the WASM and JS in `DIR`, as the full run sizes
/// the app's; `--page BASE`: GETs `BASE/` as the page phase does (its cookie,
/// concurrency and duration; `--gzip` as its second half does). Prints what it measured.
async fn measure_apart(args: &Args, plan: &suite::Plan) -> anyhow::Result<()> {
    if let Some(dir) = &args.wasm {
        let size = wasm_size(dir).with_context(|| format!("no WASM or JS in {}", dir.display()))?;
        println!(
            "WASM + JS in {}, gzipped: {:.0} KiB ({} bytes raw)",
            dir.display(),
            size.gzipped as f64 / 1024.0,
            size.raw
        );
    }
    if let Some(base) = &args.page {
        let mut http = load::Http::new(base, target::cookie(1))?;
        if args.gzip {
            http = http.asking_gzip();
        }
        let secs = std::time::Duration::from_secs(plan.page_secs);
        let page = load::pages(&http, "/", plan.page_concurrency, secs).await;
        println!(
            "{base}/ at {} concurrent: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, \
             {} bytes a page, {} failed",
            page.concurrency,
            page.rps,
            page.latency.p50_ms,
            page.latency.p99_ms,
            page.page_bytes,
            page.failed
        );
        page.ensure_served(base)?;
    }
    Ok(())
}

/// The harness itself must work: every suite ran, clients connected and events arrived.
/// In a smoke run, with a few hundred clients on loopback, every event must arrive.
fn check(suites: &[suite::Suite], smoke: bool) -> anyhow::Result<()> {
    for s in suites {
        let name = s.server.name();
        let delivered: u64 = s.fanout.iter().map(|f| f.delivered).sum();
        anyhow::ensure!(delivered > 0, "{name}: no fan-out event arrived");
        anyhow::ensure!(
            s.targeted.iter().any(|t| t.delivered > 0),
            "{name}: no targeted event arrived"
        );
        let storm = s.storm.as_ref().context("no storm figures")?;
        if smoke {
            for f in &s.fanout {
                all_arrived(name, "fan-out", f.delivered, f.expected, &f.posts)?;
            }
            for t in &s.targeted {
                all_arrived(name, "targeted", t.delivered, t.expected, &t.messages)?;
            }
            anyhow::ensure!(
                storm.never_returned == 0,
                "{name}: {} clients never came back after the restart",
                storm.never_returned
            );
            for page in [&s.page, &s.page_gzip].into_iter().flatten() {
                page.ensure_served(name)?;
            }
        }
    }
    println!("bench: {} passed, 0 failed", suites.len());
    Ok(())
}

/// Every request of a paced run succeeded and every event it caused arrived.
fn all_arrived(
    server: &str,
    what: &str,
    delivered: u64,
    expected: u64,
    requests: &load::Paced,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        requests.failed == 0 && delivered == expected,
        "{server}: {what} delivered {delivered} of {expected} ({} requests failed: {:?})",
        requests.failed,
        requests.first_error
    );
    Ok(())
}

#[derive(Debug, Default, serde::Serialize)]
struct WasmSize {
    /// What the feed page downloads: the main module, its JS and the split loader.
    files: Vec<String>,
    raw: u64,
    gzipped: u64,
    /// The other pages' lazy chunks (`--split`), fetched only when such a page opens.
    lazy_files: usize,
    lazy_raw: u64,
    lazy_gzipped: u64,
}

/// A file `cargo leptos build --split` makes for a lazy route (or code shared only by
/// lazy routes), which the feed page does not load.
fn is_lazy_chunk(name: &str) -> bool {
    name.starts_with("split_") || name.starts_with("chunk_")
}

/// The WASM and JS in `pkg`, raw and gzipped (level 9, as served): the feed page's share
/// and, apart, the lazy chunks of the other pages.
fn wasm_size(pkg: &Path) -> Option<WasmSize> {
    let mut size = WasmSize::default();
    for entry in std::fs::read_dir(pkg).ok()?.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "wasm" | "js") {
            continue;
        }
        let bytes = std::fs::read(&path).ok()?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes).ok()?;
        let gzipped = gz.finish().ok()?.len() as u64;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_lazy_chunk(name) {
            size.lazy_files += 1;
            size.lazy_raw += bytes.len() as u64;
            size.lazy_gzipped += gzipped;
        } else {
            size.raw += bytes.len() as u64;
            size.gzipped += gzipped;
            size.files.push(path.display().to_string());
        }
    }
    (!size.files.is_empty()).then_some(size)
}

#[derive(Debug, serde::Serialize)]
struct Machine {
    cpu: String,
    cores: usize,
    date: String,
    commit: String,
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("an unknown CPU".into(), |(_, name)| name.trim().to_owned());
    // Not available_parallelism: the load generator itself runs pinned to one core.
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    Machine {
        cpu: format!("{cpu} ({cores} cores)"),
        cores,
        date: command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default(),
        commit: command_output("git", &["rev-parse", "--short", "HEAD"]).map_or_else(
            || "unknown".into(),
            |head| {
                let dirty =
                    command_output("git", &["status", "--porcelain", "--untracked-files=no"])
                        .is_some_and(|changes| !changes.is_empty());
                if dirty {
                    format!("{head} with uncommitted changes")
                } else {
                    head
                }
            },
        ),
    }
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// Replaces what stands between the README's two bench markers with `table`.
fn update_readme(path: &Path, table: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let (Some(start), Some(end)) = (text.find(README_START), text.find(README_END)) else {
        bail!(
            "{} has no {README_START} ... {README_END} section",
            path.display()
        );
    };
    anyhow::ensure!(
        start < end,
        "the bench markers of {} are out of order",
        path.display()
    );
    let updated = format!("{}{README_START}\n{table}{}", &text[..start], &text[end..]);
    std::fs::write(path, updated)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_page_size_leaves_out_the_lazy_chunks() {
        let pkg = std::env::temp_dir().join(format!("chatty-bench-pkg-{}", std::process::id()));
        std::fs::create_dir_all(&pkg).unwrap();
        for (name, len) in [
            ("app.wasm", 4000),
            ("app.js", 1000),
            ("__wasm_split.abc.js", 100),
            ("split___abc_route_view_1.wasm", 3000),
            ("chunk_0.wasm", 2000),
            ("__wasm_split_manifest.json", 50),
            ("app.css", 500),
        ] {
            std::fs::write(pkg.join(name), vec![b'a'; len]).unwrap();
        }
        let size = wasm_size(&pkg).unwrap();
        std::fs::remove_dir_all(&pkg).unwrap();
        assert_eq!(size.raw, 5100);
        assert_eq!(size.files.len(), 3);
        assert_eq!((size.lazy_files, size.lazy_raw), (2, 5000));
        assert!(size.gzipped > 0 && size.gzipped < size.raw);
        assert!(size.lazy_gzipped > 0);
    }
}
