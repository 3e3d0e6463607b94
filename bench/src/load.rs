//! HTTP load: requests at a steady rate (each one stamped in the fleet's recording as
//! it leaves), and pages at a fixed concurrency.

use crate::fleet::Fleet;
use crate::stats::Latency;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Requests allowed in flight at once; past that, ticks are skipped and counted.
const IN_FLIGHT: usize = 256;

/// An HTTP client for one server, as one signed-in user.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    cookie: String,
    gzip: bool,
}

impl Http {
    /// A client for `base`, sending `cookie`.
    pub fn new(base: &str, cookie: String) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(IN_FLIGHT)
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            client,
            base: base.to_owned(),
            cookie,
            gzip: false,
        })
    }

    /// The same client, asking for gzip as browsers do: a GET then fails unless the
    /// answer is gzip-encoded (its length is the compressed one).
    pub fn asking_gzip(mut self) -> Self {
        self.gzip = true;
        self
    }

    /// POSTs `body` as JSON to `path`; fails unless the answer is a success.
    pub async fn post(&self, path: &str, body: &serde_json::Value) -> anyhow::Result<()> {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, &self.cookie)
            .json(body)
            .send()
            .await?;
        let status = response.status();
        // Read the body, so the connection goes back to the pool.
        let text = response.text().await?;
        anyhow::ensure!(status.is_success(), "POST {path}: {status}: {text}");
        Ok(())
    }

    /// GETs `path`; returns the body's length, failing unless the answer is 200 (and,
    /// when asking for gzip, gzip-encoded).
    pub async fn get(&self, path: &str) -> anyhow::Result<usize> {
        let mut request = self
            .client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, &self.cookie);
        if self.gzip {
            request = request.header(reqwest::header::ACCEPT_ENCODING, "gzip");
        }
        let response = request.send().await?;
        let status = response.status();
        let encoding = response
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .cloned();
        let body = response.bytes().await?;
        anyhow::ensure!(status == reqwest::StatusCode::OK, "GET {path}: {status}");
        anyhow::ensure!(
            !self.gzip || encoding.as_ref().is_some_and(|e| e == "gzip"),
            "GET {path}: asked for gzip, got content-encoding {encoding:?}"
        );
        Ok(body.len())
    }
}

/// How a paced run went.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Paced {
    /// Requests answered with success.
    pub ok: u64,
    /// Requests that failed (error status, timeout).
    pub failed: u64,
    /// Ticks skipped because [`IN_FLIGHT`] requests were still waiting.
    pub skipped: u64,
    /// Requests sent per second, as achieved.
    pub achieved_rate: f64,
    /// The first failure, if any.
    pub first_error: Option<String>,
}

/// Sends `request(seq)` at `rate` per second for `duration`, stamping each seq in the
/// fleet's recording as it leaves; waits for the answers.
pub async fn paced<F>(
    http: &Http,
    fleet: &Fleet,
    rate: f64,
    duration: Duration,
    request: F,
) -> Paced
where
    F: Fn(usize) -> (&'static str, serde_json::Value),
{
    let total = (rate * duration.as_secs_f64()).round().max(1.0) as usize;
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let mut skipped = 0;
    let mut tasks = Vec::with_capacity(total);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    for seq in 0..total {
        tick.tick().await;
        let Ok(permit) = gate.clone().try_acquire_owned() else {
            skipped += 1;
            continue;
        };
        let (path, body) = request(seq);
        fleet.sending(seq);
        let (http, ok, failed, first_error) = (
            http.clone(),
            ok.clone(),
            failed.clone(),
            first_error.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            match http.post(path, &body).await {
                Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                Err(err) => {
                    first_error
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_or_insert(err.to_string());
                    failed.fetch_add(1, Ordering::Relaxed)
                }
            };
        }));
    }
    let elapsed = started.elapsed().as_secs_f64().max(1e-3);
    for task in tasks {
        if let Err(err) = task.await {
            eprintln!("a request task failed: {err}");
        }
    }
    let sent = (total - skipped) as f64;
    let first_error = first_error.lock().unwrap_or_else(|e| e.into_inner()).take();
    Paced {
        ok: ok.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
        skipped: skipped as u64,
        achieved_rate: sent / elapsed,
        first_error,
    }
}

/// Page serving at a fixed concurrency.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageLoad {
    /// Concurrent requesters.
    pub concurrency: usize,
    /// Pages served with 200.
    pub ok: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Pages per second.
    pub rps: f64,
    /// Bytes of one page.
    pub page_bytes: usize,
    /// Time per request.
    pub latency: Latency,
    /// What the first failed request said.
    pub first_error: Option<String>,
}

impl PageLoad {
    /// Fails unless pages were served and none failed, saying what the first failure was.
    pub fn ensure_served(&self, server: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.ok > 0 && self.failed == 0,
            "{server}: pages failed: {}",
            self.first_error.as_deref().unwrap_or_default()
        );
        Ok(())
    }
}

/// GETs `path` from `concurrency` loops for `duration` (after a one-second warm-up).
pub async fn pages(http: &Http, path: &str, concurrency: usize, duration: Duration) -> PageLoad {
    let warm_until = Instant::now() + Duration::from_secs(1);
    while Instant::now() < warm_until {
        if http.get(path).await.is_err() {
            break;
        }
    }
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let loops: Vec<_> = (0..concurrency)
        .map(|_| {
            let http = http.clone();
            let path = path.to_owned();
            tokio::spawn(async move {
                let (mut ok, mut failed, mut bytes, mut samples) = (0u64, 0u64, 0, Vec::new());
                let mut first_error = None;
                while Instant::now() < deadline {
                    let at = Instant::now();
                    match http.get(&path).await {
                        Ok(len) => {
                            ok += 1;
                            bytes = len;
                            samples.push(at.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                        }
                        Err(err) => {
                            failed += 1;
                            first_error.get_or_insert_with(|| format!("{err:#}"));
                        }
                    }
                }
                (ok, failed, bytes, samples, first_error)
            })
        })
        .collect();
    let mut result = PageLoad {
        concurrency,
        ..PageLoad::default()
    };
    let mut samples = Vec::new();
    for task in loops {
        match task.await {
            Ok((ok, failed, bytes, mut s, error)) => {
                result.first_error = result.first_error.or(error);
                result.ok += ok;
                result.failed += failed;
                result.page_bytes = result.page_bytes.max(bytes);
                samples.append(&mut s);
            }
            Err(err) => eprintln!("a page loop failed: {err}"),
        }
    }
    result.rps = result.ok as f64 / started.elapsed().as_secs_f64().max(1e-3);
    result.latency = Latency::of_micros(&mut samples);
    result
}
