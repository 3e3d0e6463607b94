//! The servers under test: ours (the release binary on a fresh SQLite database) and the
//! Node.js peer (`bench/node/server.js`), each started pinned to its own core, with
//! the same users and sessions, known to the load generator.

use crate::stats::{self, ProcSample};
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// This project's server.
    Ours,
    /// The Node.js + socket.io 4.8 yardstick.
    Node,
}

impl Kind {
    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ours => "ours",
            Kind::Node => "node",
        }
    }
}

/// Where the servers' programs are and how to start them.
#[derive(Debug, Clone)]
pub struct Programs {
    /// Our server binary (`target/release/server`).
    pub ours: PathBuf,
    /// The Node peer's script.
    pub node_script: PathBuf,
    /// `LEPTOS_SITE_ROOT` for ours.
    pub site_root: PathBuf,
    /// The core servers are pinned to (`taskset -c`); `None` runs them unpinned.
    pub cpu: Option<String>,
}

/// The session token of bench user `i` (1-based): both servers accept `sid=<token>`.
pub fn token(i: usize) -> String {
    hex::encode(Sha256::digest(format!("chatty-bench-user-{i}").as_bytes()))
}

/// The `Cookie` header of bench user `i`.
pub fn cookie(i: usize) -> String {
    format!("sid={}", token(i))
}

/// A running server.
pub struct Server {
    /// Which one.
    pub kind: Kind,
    child: Child,
    pid: u32,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    port: u16,
    dir: PathBuf,
    users: usize,
    clock_ticks: f64,
}

impl Server {
    /// Starts `kind` with `users` users (ids 1..=users) in a fresh state under `dir`.
    pub async fn start(
        kind: Kind,
        programs: &Programs,
        users: usize,
        dir: &Path,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        if kind == Kind::Ours {
            // Let the server create and migrate the database, then add the users.
            let first = Self::spawn(kind, programs, users, dir, 0).await?;
            first.stop().await?;
            seed_sqlite(&dir.join("bench.db"), users).await?;
        }
        Self::spawn(kind, programs, users, dir, 0).await
    }

    /// Kills the process at once (no shutdown of its own), as a crash would.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// Starts the same server again, on the same port and state, after [`kill`](Self::kill).
    pub async fn restart(&self, programs: &Programs) -> anyhow::Result<Self> {
        Self::spawn(self.kind, programs, self.users, &self.dir, self.port).await
    }

    /// Stops the server and starts a new process on the same state (and any port): a
    /// fresh process, its memory untouched by what came before.
    pub async fn fresh_process(self, programs: &Programs) -> anyhow::Result<Self> {
        let (kind, users, dir) = (self.kind, self.users, self.dir.clone());
        self.stop().await?;
        Self::spawn(kind, programs, users, &dir, 0).await
    }

    /// Asks the process to stop (SIGTERM) and waits for it, at most 30 s.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await?;
        if !status.success() {
            bail!("kill -TERM {} failed", self.pid);
        }
        match tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await {
            Ok(done) => {
                done?;
            }
            Err(_) => {
                eprintln!("{} did not stop within 30 s; killing it", self.kind.name());
                self.child.kill().await?;
            }
        }
        Ok(())
    }

    /// CPU seconds and memory so far.
    pub fn sample(&self) -> anyhow::Result<ProcSample> {
        stats::sample(self.pid, self.clock_ticks)
    }

    async fn spawn(
        kind: Kind,
        programs: &Programs,
        users: usize,
        dir: &Path,
        port: u16,
    ) -> anyhow::Result<Self> {
        let (program, args): (&Path, Vec<String>) = match kind {
            Kind::Ours => (&programs.ours, vec![]),
            Kind::Node => (
                Path::new("node"),
                vec![programs.node_script.display().to_string()],
            ),
        };
        let mut command = match &programs.cpu {
            Some(cpu) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(cpu).arg(program).args(&args);
                c
            }
            None => {
                let mut c = Command::new(program);
                c.args(&args);
                c
            }
        };
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!("{}.log", kind.name())))?;
        let log_out = log.try_clone()?;
        command
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("PORT", port.to_string())
            .env("SEED_USERS", users.to_string())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.join("bench.db").display()),
            )
            .env("LEPTOS_SITE_ROOT", &programs.site_root)
            // The Node peer logs nothing; ours logs warnings and errors only.
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (listening, url) = tokio::sync::oneshot::channel();
        tokio::spawn(forward_output(stdout, log_out, listening));
        let base = tokio::time::timeout(Duration::from_secs(60), url)
            .await
            .with_context(|| format!("{} did not start listening within 60 s", kind.name()))?
            .with_context(|| {
                format!(
                    "{} exited before listening (see its log in {})",
                    kind.name(),
                    dir.display()
                )
            })?;
        let port = base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .with_context(|| format!("no port in {base:?}"))?;
        Ok(Self {
            kind,
            child,
            pid,
            base,
            port,
            dir: dir.to_owned(),
            users,
            clock_ticks: stats::clock_ticks(),
        })
    }
}

/// Copies the server's stdout into its log line by line, reading to the end so a chatty
/// server never blocks on a full pipe (ours logs to stdout: a failed request's cause is
/// only there), and passes on the address of its `listening on` line.
async fn forward_output(
    stdout: tokio::process::ChildStdout,
    log: std::fs::File,
    listening: tokio::sync::oneshot::Sender<String>,
) {
    let mut listening = Some(listening);
    let mut log = Some(tokio::fs::File::from_std(log));
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = line.strip_prefix("listening on ")
            && let Some(listening) = listening.take()
        {
            // The starter gave up waiting; the line still goes to the log.
            let _gave_up = listening.send(url.trim().to_owned());
        }
        if let Some(file) = log.as_mut()
            && let Err(e) = file.write_all(format!("{line}\n").as_bytes()).await
        {
            eprintln!("  the server's output is no longer logged: {e}");
            log = None;
        }
    }
}

/// Writes `users` users and one session each into our (migrated, stopped) database:
/// signing up thousands through Argon2 would take longer than the whole benchmark.
async fn seed_sqlite(path: &Path, users: usize) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::new().filename(path);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let far = now + 365 * 24 * 3600 * 1000;
    let mut tx = pool.begin().await?;
    for i in 1..=users {
        let name = format!("bench{i}");
        // Nobody signs in with a password: the hash is never checked.
        sqlx::query(
            "INSERT INTO users (id, username, username_key, email, password_hash, created_at) \
             VALUES (?, ?, ?, ?, '!', ?)",
        )
        .bind(i as i64)
        .bind(&name)
        .bind(&name)
        .bind(format!("{name}@bench.invalid"))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let session = hex::encode(Sha256::digest(token(i).as_bytes()));
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(session)
        .bind(i as i64)
        .bind(now)
        .bind(far)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    pool.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_and_distinct() {
        assert_eq!(token(1), token(1));
        assert_ne!(token(1), token(2));
        assert_eq!(token(1).len(), 64);
        assert!(cookie(3).starts_with("sid="));
    }
}
