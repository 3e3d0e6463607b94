//! `TestApp`: the real server on a fresh database, with one method per endpoint.

use app::events::WatchPresence;
use app::model::{
    FeedPage, OnlineUsers, OutgoingMessage, Post, PostDraft, PresenceWatch, UserId, UserSummary,
};
use app::realtime::native::{NativeError, NativeSocket};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use server::{config::Settings, startup::Application};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Generates `mod <test> { sqlite(), postgres() }` for each async test fn taking a `Db`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Db::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::postgres_available() {
                    super::$name($crate::helpers::Db::Postgres).await;
                }
            }
        }
    )*};
}

/// True if TEST_POSTGRES_URL is set. Without it the PostgreSQL variant says loudly that
/// it did not run, and fails under CI, where the variable must be set.
pub fn postgres_available() -> bool {
    if std::env::var("TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        return true;
    }
    let msg = "TEST_POSTGRES_URL is not set: this PostgreSQL test DID NOT RUN";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} (CI must set it; .ci/run does)");
    }
    eprintln!("\n!!!!! {msg} !!!!!\n");
    false
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique suffix for names in one test run.
pub fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}{}_{n}", nanos % 1_000_000)
}

pub async fn fresh_database(db: Db) -> (String, Option<std::path::PathBuf>) {
    match db {
        Db::Sqlite => {
            let dir = std::env::temp_dir().join(unique("chatty_test_"));
            std::fs::create_dir_all(&dir).unwrap();
            (format!("sqlite://{}/app.db", dir.display()), Some(dir))
        }
        Db::Postgres => {
            use sqlx::Connection;
            let admin_url = std::env::var("TEST_POSTGRES_URL").unwrap();
            let name = unique("chatty_t_");
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connect to TEST_POSTGRES_URL");
            drop_leftover_databases(&mut admin).await;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create test database");
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), None)
        }
    }
}

/// A fresh database with only the migrations numbered below `version` applied, to write
/// rows as an older release did before `server::db::connect` (at `url`) upgrades it. The
/// folder, if any, must outlive the test's use of the database.
pub async fn database_before_migration(
    db: Db,
    version: &str,
) -> (String, Option<std::path::PathBuf>, sqlx::AnyPool) {
    let (url, dir) = fresh_database(db).await;
    let engine = match db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine);
    let before = std::env::temp_dir().join(unique("chatty_migrations_"));
    std::fs::create_dir_all(&before).unwrap();
    for entry in std::fs::read_dir(&all).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().as_ref() < version {
            std::fs::copy(entry.path(), before.join(entry.file_name())).unwrap();
        }
    }
    sqlx::any::install_default_drivers();
    let old_url = match db {
        Db::Sqlite => format!("{url}?mode=rwc"),
        Db::Postgres => url.clone(),
    };
    let old = sqlx::AnyPool::connect(&old_url).await.unwrap();
    sqlx::migrate::Migrator::new(before.as_path())
        .await
        .unwrap()
        .run(&old)
        .await
        .unwrap();
    std::fs::remove_dir_all(&before).unwrap();
    (url, dir, old)
}

/// Writes users straight into a database as an older release did, one per name
/// (username, key and email from the name), and returns their ids in order.
pub async fn insert_users(db: &sqlx::AnyPool, names: &[&str]) -> Vec<i64> {
    let mut ids = Vec::new();
    for name in names {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, username_key, email, password_hash, created_at) \
             VALUES ($1, $1, $2, 'x', 0) RETURNING id",
        )
        .bind(*name)
        .bind(format!("{name}@example.com"))
        .fetch_one(db)
        .await
        .unwrap();
        ids.push(id);
    }
    ids
}

/// Drops the test databases earlier runs left behind, once per test process (each test
/// cannot drop its own: the server it spawned may still hold connections when it ends).
async fn drop_leftover_databases(admin: &mut sqlx::PgConnection) {
    static ONCE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    ONCE.get_or_init(|| async {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'chatty_t_%'")
                .fetch_all(&mut *admin)
                .await
                .expect("list test databases");
        for name in names {
            let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
            if let Err(err) = dropped {
                eprintln!("could not drop leftover test database {name}: {err}");
            }
        }
    })
    .await;
}

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub user: UserSummary,
    /// `sid=<token>`, as a `Cookie` header.
    pub cookie: String,
}

/// The running server.
pub struct TestApp {
    pub base: String,
    /// The database it runs on (a second instance may share it).
    pub database_url: String,
    pub services: server::service::Services,
    http: reqwest::Client,
    sqlite_dir: Option<std::path::PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The server's socket handlers and its emitter refer to each other, so its
        // database pool would outlive the test and keep PostgreSQL connections open
        // (a whole suite then runs out of them): close it while the runtime still runs.
        let pool = self.services.db().clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            tokio::task::block_in_place(|| {
                handle.block_on(async {
                    let _ = tokio::time::timeout(Duration::from_secs(2), pool.close()).await;
                })
            });
        }
        if let Some(dir) = &self.sqlite_dir {
            let _ignored = std::fs::remove_dir_all(dir);
        }
    }
}

impl TestApp {
    /// Spawns the server with default test settings.
    pub async fn spawn(db: Db) -> Self {
        Self::spawn_with(db, |_| {}).await
    }

    /// Spawns the server after `tweak` adjusted its settings.
    pub async fn spawn_with(db: Db, tweak: impl FnOnce(&mut Settings)) -> Self {
        // `Drop` closes the pool with `block_in_place`, which a current-thread runtime
        // refuses: say so now, before the test runs, not in a panic while it ends (a
        // test declared so once held a filtered run for 25 minutes).
        assert_eq!(
            tokio::runtime::Handle::current().runtime_flavor(),
            tokio::runtime::RuntimeFlavor::MultiThread,
            "declare this test #[tokio::test(flavor = \"multi_thread\", worker_threads = 2)]"
        );
        server::telemetry::init_for_tests();
        let (url, sqlite_dir) = fresh_database(db).await;
        let mut settings = Settings::for_tests(url.clone());
        tweak(&mut settings);
        let app = Application::build(settings).await.expect("server builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let services = app.services().clone();
        tokio::spawn(app.run_until_stopped());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base,
            database_url: url,
            services,
            http,
            sqlite_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with an optional session cookie.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        user: Option<&TestUser>,
    ) -> reqwest::RequestBuilder {
        let req = self.http.request(method, self.url(path));
        match user {
            Some(u) => req.header("cookie", &u.cookie),
            None => req,
        }
    }

    pub async fn post_json(&self, path: &str, user: Option<&TestUser>, body: &Value) -> Response {
        self.request(reqwest::Method::POST, path, user)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_up_raw(&self, username: &str, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/signup",
            None,
            &json!({"username": username, "email": email, "password": password}),
        )
        .await
    }

    pub async fn sign_in_raw(&self, login: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/signin",
            None,
            &json!({"username": login, "password": password}),
        )
        .await
    }

    /// Signs up a fresh random user.
    pub async fn user(&self) -> TestUser {
        self.user_named("u").await
    }

    /// Signs up a fresh user whose name starts with `prefix` (to order users by name).
    pub async fn user_named(&self, prefix: &str) -> TestUser {
        let name = unique(prefix);
        let res = self
            .sign_up_raw(&name, &format!("{name}@example.org"), PASSWORD)
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "sign up {name}");
        session_of(res).await
    }

    pub async fn me(&self, user: &TestUser) -> Response {
        self.request(reqwest::Method::GET, "/api/v1/me", Some(user))
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_out(&self, user: &TestUser) -> Response {
        self.request(reqwest::Method::POST, "/api/v1/auth/signout", Some(user))
            .send()
            .await
            .unwrap()
    }

    pub async fn create_post_raw(&self, user: Option<&TestUser>, body: &Value) -> Response {
        self.post_json("/api/v1/posts", user, body).await
    }

    /// Creates a post and returns it as stored.
    pub async fn create_post(&self, user: &TestUser, text: &str, privacy: &str) -> Post {
        let res = self
            .create_post_raw(
                Some(user),
                &json!({"text": text, "privacy": privacy, "color": "sky"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    pub async fn edit_post_raw(&self, user: Option<&TestUser>, id: i64, draft: &Value) -> Response {
        self.request(reqwest::Method::PATCH, &format!("/api/v1/posts/{id}"), user)
            .json(draft)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete_post_raw(&self, user: Option<&TestUser>, id: i64) -> Response {
        self.request(
            reqwest::Method::DELETE,
            &format!("/api/v1/posts/{id}"),
            user,
        )
        .send()
        .await
        .unwrap()
    }

    pub async fn get_post_raw(&self, user: Option<&TestUser>, id: i64) -> Response {
        self.request(reqwest::Method::GET, &format!("/api/v1/posts/{id}"), user)
            .send()
            .await
            .unwrap()
    }

    pub async fn feed(&self, user: &TestUser, before: Option<i64>) -> FeedPage {
        let path = match before {
            Some(b) => format!("/api/v1/posts?before={b}"),
            None => "/api/v1/posts".to_owned(),
        };
        let res = self
            .request(reqwest::Method::GET, &path, Some(user))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// A connected Socket.IO client with this user's cookie and our own origin.
    pub async fn socket(&self, user: &TestUser) -> NativeSocket {
        NativeSocket::connect(&self.base, Some(&user.cookie), Some(&self.base))
            .await
            .expect("socket connects")
    }

    /// A socket of `user` that watches presence, as a tab showing who is online does,
    /// and the list its watch was answered with.
    pub async fn watcher(&self, user: &TestUser) -> (NativeSocket, OnlineUsers) {
        let mut socket = self.socket(user).await;
        let online = socket
            .emit::<WatchPresence>(&PresenceWatch {})
            .await
            .expect("the watch is acked")
            .expect("the watch is accepted");
        (socket, online)
    }

    /// `from` sends `to` a chat message over HTTP; asserts it was stored (201).
    pub async fn send_message(&self, from: &TestUser, to: &TestUser, client_id: &str, text: &str) {
        let body = json!({"to": to.user.id.0, "client_id": client_id, "text": text});
        let (status, reply) = self.post("/api/v1/chat/messages", from, &body).await;
        assert_eq!(status, 201, "{reply}");
    }

    pub async fn socket_raw(
        &self,
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Result<NativeSocket, NativeError> {
        NativeSocket::connect(&self.base, cookie, origin).await
    }

    /// Any request with a JSON body (or none); returns the status and the JSON reply.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        user: &TestUser,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self.request(method, path, Some(user));
        if let Some(body) = body {
            req = req.json(body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A page as a signed-in browser asks for it: its status and HTML.
    pub async fn page(&self, path: &str, user: &TestUser) -> (u16, String) {
        let res = self
            .request(reqwest::Method::GET, path, Some(user))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    pub async fn get(&self, path: &str, user: &TestUser) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, user, None).await
    }

    pub async fn put(&self, path: &str, user: &TestUser, body: Option<&Value>) -> (u16, Value) {
        self.call(reqwest::Method::PUT, path, user, body).await
    }

    pub async fn post(&self, path: &str, user: &TestUser, body: &Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, user, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, user: &TestUser) -> (u16, Value) {
        self.call(reqwest::Method::DELETE, path, user, None).await
    }

    /// Follows `whom`, asserting success.
    pub async fn follow(&self, who: &TestUser, whom: &TestUser) {
        let (status, body) = self
            .put(
                &format!("/api/v1/users/{}/follow", whom.user.username),
                who,
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Blocks `whom`, asserting success.
    pub async fn block(&self, who: &TestUser, whom: &TestUser) {
        let (status, body) = self
            .put(
                &format!("/api/v1/users/{}/block", whom.user.username),
                who,
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Comments on a post, asserting success; returns the comment id.
    pub async fn comment(&self, who: &TestUser, post: i64, text: &str) -> i64 {
        let (status, body) = self
            .post(
                &format!("/api/v1/posts/{post}/comments"),
                who,
                &json!({"text": text}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().unwrap()
    }

    /// Sets a reaction, asserting success.
    pub async fn react(&self, who: &TestUser, post: i64, kind: &str) {
        let (status, body) = self
            .put(
                &format!("/api/v1/posts/{post}/reaction"),
                who,
                Some(&json!({"kind": kind})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// How many posts are stored, whoever wrote them.
    pub async fn stored_posts(&self) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM posts")
            .fetch_one(self.services.db())
            .await
            .unwrap()
    }
}

pub const PASSWORD: &str = "correct horse 1";

/// The user and cookie of a successful sign-up or sign-in response.
pub async fn session_of(res: Response) -> TestUser {
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sid="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let user: UserSummary = res.json().await.unwrap();
    TestUser { user, cookie }
}

/// The `code` of a JSON error body, checking the status on the way.
pub async fn error_code(res: Response, status: u16) -> (String, Option<String>) {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    let body: Value = res.json().await.unwrap();
    (
        body["code"].as_str().unwrap_or_default().to_owned(),
        body["field"].as_str().map(str::to_owned),
    )
}

/// A draft with defaults.
pub fn draft(text: &str) -> PostDraft {
    PostDraft {
        text: text.into(),
        color: Default::default(),
        feeling: None,
        privacy: Default::default(),
    }
}

/// How long a test waits for something that must happen.
pub const WAIT: Duration = Duration::from_secs(5);
/// How long a test watches for something that must not happen.
pub const QUIET: Duration = Duration::from_millis(700);

/// A chat message to send.
pub fn outgoing(to: UserId, client_id: &str, text: &str) -> OutgoingMessage {
    OutgoingMessage {
        to,
        client_id: client_id.into(),
        text: text.into(),
    }
}

/// The usernames of a `{"users": [...]}` answer (who is online).
pub fn usernames(body: &Value) -> Vec<String> {
    body["users"]
        .as_array()
        .expect("a list of users")
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

/// What a server binary started by a test prints on stdout, line by line.
pub type BinaryOutput = tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>;

/// Reads a server binary's output until it says where it listens: its base URL.
pub async fn until_listening(lines: &mut BinaryOutput, wait: Duration) -> String {
    tokio::time::timeout(wait, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("listening on ") {
                return url.trim().to_owned();
            }
        }
        panic!("the server exited before listening");
    })
    .await
    .expect("the server starts in time")
}
