//! The database: SQLite by default, PostgreSQL when the URL says so, behind one
//! `sqlx::Any` pool so every store function is written once (with `$1` placeholders,
//! which both engines accept).

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, any::AnyPoolOptions};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::{path::Path, time::Duration};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The shared connection pool.
pub type Db = AnyPool;

/// Where reads that need no transaction go: the pages' session, feed, counts and
/// presence lookups.
///
/// On SQLite it is a connection of its own, read-only, beside the pool's one writer:
/// with the write-ahead log a reader neither waits for a write transaction nor holds
/// one up, and handing it back costs nothing, where a pooled connection's return is a
/// `ping` to SQLite's worker thread (sqlx always pings on release), one more round
/// trip of the four a feed page made. On PostgreSQL it is the pool.
#[derive(Clone)]
pub struct Reader(ReaderKind);

#[derive(Clone)]
enum ReaderKind {
    Pool(Db),
    Own {
        conn: Arc<Mutex<AnyConnection>>,
        timeout: Duration,
    },
}

/// A connection from a [`Reader`], for as long as it is held.
pub enum ReadConn {
    /// From the pool; goes back to it when dropped.
    Pooled(PoolConnection<Any>),
    /// The reader's own connection; free for the next reader when dropped.
    Own(OwnedMutexGuard<AnyConnection>),
}

impl Deref for ReadConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            ReadConn::Pooled(conn) => conn,
            ReadConn::Own(conn) => conn,
        }
    }
}

impl DerefMut for ReadConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            ReadConn::Pooled(conn) => conn,
            ReadConn::Own(conn) => conn,
        }
    }
}

impl Reader {
    /// The reader for the database at `url`, whose `pool` [`connect`] opened (so the
    /// file exists, migrated and in WAL mode).
    pub async fn open(url: &str, pool: &Db, acquire_timeout: Duration) -> anyhow::Result<Self> {
        if Engine::of(url) == Engine::Postgres {
            return Ok(Self(ReaderKind::Pool(pool.clone())));
        }
        let mut conn = AnyConnection::connect(&sqlite_url(url)?).await?;
        // A read-only connection: a write through it fails instead of taking the lock
        // that the pool's writer expects to be its own.
        sqlx::query("PRAGMA query_only = ON")
            .execute(&mut conn)
            .await?;
        Ok(Self(ReaderKind::Own {
            conn: Arc::new(Mutex::new(conn)),
            timeout: acquire_timeout,
        }))
    }

    /// A connection to read through; waits as long as the pool would, then answers
    /// `PoolTimedOut` as the pool would (the client is told the server is busy).
    pub async fn acquire(&self) -> sqlx::Result<ReadConn> {
        match &self.0 {
            ReaderKind::Pool(pool) => pool.acquire().await.map(ReadConn::Pooled),
            ReaderKind::Own { conn, timeout } => {
                tokio::time::timeout(*timeout, Arc::clone(conn).lock_owned())
                    .await
                    .map(ReadConn::Own)
                    .map_err(|_| sqlx::Error::PoolTimedOut)
            }
        }
    }
}

/// Which engine the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Engine {
    /// The engine a URL names.
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres") {
            Engine::Postgres
        } else {
            Engine::Sqlite
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a caller waits for a pooled connection unless settings say otherwise.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest size SQLite leaves its write-ahead log at after a checkpoint. The log
/// grows while writes outpace checkpoints and, without a limit, never shrinks.
const WAL_SIZE_LIMIT: u64 = 16 * 1024 * 1024;

/// Opens the database named by `url`, creating a SQLite file (and its folder) on first
/// run, switching SQLite to WAL, and applying migrations. A caller that waits longer
/// than `acquire_timeout` for a connection gets `PoolTimedOut` (answered `busy`).
pub async fn connect(url: &str, acquire_timeout: Duration) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of(url);
    let url = match engine {
        Engine::Sqlite => sqlite_url(url)?,
        Engine::Postgres => url.to_owned(),
    };
    // SQLite allows one writer at a time; a single connection serialises writes inside
    // the process instead of failing transactions with SQLITE_BUSY under load.
    let max = if engine == Engine::Sqlite { 1 } else { 10 };
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(acquire_timeout)
        // A ping before every acquire guards against connections a database server
        // dropped. SQLite's connection is a file handle in this process that cannot go
        // stale, and the ping is one more round trip to its worker thread: the feed
        // page's four acquires paid four (sqlx still pings when a connection returns).
        .test_before_acquire(engine == Engine::Postgres)
        // Pragmas hold per connection, and the pool replaces its connections (idle or
        // old ones): set them on every connection it opens, not once on the first.
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                        &format!("PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}"),
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                }
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    match engine {
        Engine::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
        Engine::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
    }
    Ok(pool)
}

/// Turns `sqlite://path` into a URL that creates the file, and creates its folder.
/// An in-memory database is refused: the server opens two connections to SQLite (the
/// pool's writer and the pages' reader), and each would get an empty database of its
/// own.
fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory") {
        anyhow::bail!(
            "DATABASE_URL {url:?}: an in-memory or unnamed SQLite database is not supported \
             (the server opens more than one connection, and each would see a database of \
             its own); name a file, e.g. sqlite://data/chatty.db"
        );
    }
    if let Some(dir) = Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if !params.iter().any(|p| p.starts_with("mode=")) {
        params.push("mode=rwc");
    }
    Ok(format!("sqlite://{path}?{}", params.join("&")))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file() {
        assert_eq!(
            sqlite_url("sqlite://data/app.db").unwrap(),
            "sqlite://data/app.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url("sqlite:///tmp/x.db?mode=ro").unwrap(),
            "sqlite:///tmp/x.db?mode=ro"
        );
        for memory in [
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite://",
            "sqlite://x.db?mode=memory",
        ] {
            let refused = sqlite_url(memory).expect_err(memory).to_string();
            assert!(refused.contains("not supported"), "{memory}: {refused}");
        }
        assert_eq!(Engine::of("postgres://x/y"), Engine::Postgres);
        assert_eq!(Engine::of("sqlite://x"), Engine::Sqlite);
    }

    /// A fresh SQLite file under the temp folder, opened as the server opens it, with
    /// an empty table `t (n)`: its URL, its pool and its folder.
    async fn scratch(name: &str) -> (String, Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("chatty_{name}_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let url = format!("sqlite://{}/db.sqlite", dir.display());
        let db = connect(&url, DEFAULT_ACQUIRE_TIMEOUT).await.unwrap();
        sqlx::query("CREATE TABLE t (n BIGINT)")
            .execute(&db)
            .await
            .unwrap();
        (url, db, dir)
    }

    async fn count(conn: &mut AnyConnection) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(conn)
            .await
            .unwrap()
    }

    /// SQLite's reader is a connection of its own: it sees what the pool committed,
    /// reads while the pool holds a write transaction open (instead of queueing behind
    /// it), and refuses to write.
    #[tokio::test]
    async fn the_sqlite_reader_reads_beside_the_writer_and_never_writes() {
        let (url, db, dir) = scratch("reader").await;
        let reader = Reader::open(&url, &db, DEFAULT_ACQUIRE_TIMEOUT)
            .await
            .unwrap();
        assert!(matches!(reader.0, ReaderKind::Own { .. }));

        sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(count(&mut reader.acquire().await.unwrap()).await, 1);

        // The pool's only connection is in a write transaction: the reader neither
        // waits for it nor sees its uncommitted row.
        let mut tx = db.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (2)")
            .execute(&mut *tx)
            .await
            .unwrap();
        let read = tokio::time::timeout(Duration::from_secs(5), async {
            count(&mut reader.acquire().await.unwrap()).await
        });
        assert_eq!(read.await.expect("the reader did not wait"), 1);
        tx.commit().await.unwrap();
        assert_eq!(count(&mut reader.acquire().await.unwrap()).await, 2);

        let write = sqlx::query("INSERT INTO t VALUES (3)")
            .execute(&mut *reader.acquire().await.unwrap())
            .await;
        assert!(write.is_err(), "the reader wrote");
        db.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A reader held too long answers as a saturated pool does (`PoolTimedOut`, which
    /// clients are told is `busy`), and is free again once let go.
    #[tokio::test]
    async fn a_held_reader_times_out_like_the_pool() {
        let (url, db, dir) = scratch("reader_wait").await;
        let reader = Reader::open(&url, &db, Duration::from_millis(50))
            .await
            .unwrap();
        let held = reader.acquire().await.unwrap();
        assert!(matches!(
            reader.acquire().await,
            Err(sqlx::Error::PoolTimedOut)
        ));
        drop(held);
        assert_eq!(count(&mut reader.acquire().await.unwrap()).await, 0);
        db.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A burst of writes grows SQLite's write-ahead log; once a checkpoint has copied it
    /// into the database, the next write starts the log over and cuts the file down to
    /// the limit instead of keeping its largest size for good.
    #[tokio::test]
    async fn the_sqlite_log_shrinks_back_after_a_burst() {
        let (_, db, dir) = scratch("wal").await;
        let wal = dir.join("db.sqlite-wal");
        let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());

        sqlx::query("CREATE TABLE burst (data BLOB)")
            .execute(&db)
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        for _ in 0..24 {
            sqlx::query("INSERT INTO burst VALUES (zeroblob(1024 * 1024))")
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        assert!(
            wal_size() > WAL_SIZE_LIMIT,
            "the burst grew the log: {}",
            wal_size()
        );

        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO burst VALUES (1)")
            .execute(&db)
            .await
            .unwrap();
        assert!(
            wal_size() <= WAL_SIZE_LIMIT,
            "the log stayed at {} bytes",
            wal_size()
        );
        db.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
