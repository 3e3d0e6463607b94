//! Several instances: real server processes sharing one PostgreSQL database and one
//! Redis, as behind a load balancer. Needs TEST_POSTGRES_URL and TEST_REDIS_URL (the
//! Redis outage test also starts its own `redis-server`, to stop it).

use crate::helpers::*;
use app::events::{
    AddComment, CatchUp, CommentCreated, MessageReceived, NewComment, NotificationReceived,
    PostCreated, PresenceChanged, React, ReactionRequest, ReactionsChanged, SendMessage, SyncHint,
    WatchPresence,
};
use app::model::{NotificationKind, PresenceWatch, ReactionKind, SyncReply, SyncRequest};
use app::realtime::native::NativeSocket;
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Longer than [`WAIT`]: crossing instances includes heartbeats and reconnections.
const CLUSTER_WAIT: Duration = Duration::from_secs(15);

/// True if both services are configured; loud otherwise, and fatal under CI.
fn cluster_available() -> bool {
    let redis = std::env::var("TEST_REDIS_URL").is_ok_and(|v| !v.is_empty());
    if !redis {
        let msg = "TEST_REDIS_URL is not set: this multi-instance test DID NOT RUN";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg} (CI must set it; .ci/run does)");
        }
        eprintln!("\n!!!!! {msg} !!!!!\n");
        return false;
    }
    postgres_available()
}

/// One server process.
struct Instance {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Instance {
    /// Starts an instance with a short heartbeat (300 ms + 300 ms), for the tests about
    /// crashed instances. Test sockets answer pings only while they read.
    async fn start(database_url: &str, redis_url: &str, prefix: &str) -> Self {
        Self::start_with_heartbeat(database_url, redis_url, prefix, 300).await
    }

    async fn start_with_heartbeat(
        database_url: &str,
        redis_url: &str,
        prefix: &str,
        heartbeat_ms: u64,
    ) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", database_url)
            .env("REDIS_URL", redis_url)
            .env("REDIS_PREFIX", prefix)
            .env("BIND_ADDR", "127.0.0.1:0")
            .env("HEARTBEAT_INTERVAL_MS", heartbeat_ms.to_string())
            .env("HEARTBEAT_TIMEOUT_MS", heartbeat_ms.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base = until_listening(&mut lines, CLUSTER_WAIT).await;
        // Keep draining its output (shown with the test's) so it never blocks on a full pipe.
        let tag = base.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[{tag}] {line}");
            }
        });
        Self {
            child,
            base,
            http: reqwest::Client::new(),
        }
    }

    async fn user(&self) -> TestUser {
        let name = unique("c");
        let res = self
            .http
            .post(format!("{}/api/v1/auth/signup", self.base))
            .json(&json!({"username": name, "email": format!("{name}@example.org"), "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        session_of(res).await
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        user: &TestUser,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &user.cookie);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, user: &TestUser, text: &str) -> i64 {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/posts",
                user,
                Some(json!({"text": text, "privacy": "public"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().unwrap()
    }

    async fn online(&self, viewer: &TestUser) -> Vec<String> {
        let (status, body) = self
            .call(reqwest::Method::GET, "/api/v1/presence", viewer, None)
            .await;
        assert_eq!(status, 200);
        usernames(&body)
    }

    async fn socket(&self, user: &TestUser) -> NativeSocket {
        NativeSocket::connect(&self.base, Some(&user.cookie), Some(&self.base))
            .await
            .expect("socket connects")
    }

    /// A socket that watches presence (as a tab showing who is online does).
    async fn watcher(&self, user: &TestUser) -> NativeSocket {
        let mut socket = self.socket(user).await;
        socket
            .emit::<WatchPresence>(&PresenceWatch {})
            .await
            .expect("the watch is acked")
            .expect("the watch is accepted");
        socket
    }
}

async fn postgres_database() -> String {
    fresh_database(Db::Postgres).await.0
}

/// Waits for `user`'s next presence change and returns whether they are online.
async fn presence_of(socket: &mut NativeSocket, user: &TestUser, what: &str) -> bool {
    loop {
        let change = socket
            .recv_event::<PresenceChanged>(CLUSTER_WAIT)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        if change.user.id == user.user.id {
            return change.online;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_kind_crosses_instances_and_presence_is_shared() {
    if !cluster_available() {
        return;
    }
    let db = postgres_database().await;
    let redis = std::env::var("TEST_REDIS_URL").unwrap();
    let prefix = unique("cl");
    let one = Instance::start_with_heartbeat(&db, &redis, &prefix, 10_000).await;
    let two = Instance::start_with_heartbeat(&db, &redis, &prefix, 10_000).await;
    let (a, b, c) = (one.user().await, two.user().await, one.user().await);
    let mut sa = one.watcher(&a).await;
    let mut sb = two.socket(&b).await;
    assert!(
        presence_of(&mut sa, &b, "presence change #1").await,
        "B (on 2) is seen online from 1"
    );

    let post = two.post(&b, "from instance 2").await;
    let created = sa.recv_event::<PostCreated>(CLUSTER_WAIT).await.unwrap();
    assert_eq!(created.post.id.0, post);

    sa.emit::<AddComment>(&NewComment {
        post_id: app::model::PostId(post),
        text: "from instance 1".into(),
    })
    .await
    .unwrap()
    .unwrap();
    let comment = sb.recv_event::<CommentCreated>(CLUSTER_WAIT).await.unwrap();
    assert_eq!(comment.comment.text, "from instance 1");
    let n = sb
        .recv_event::<NotificationReceived>(CLUSTER_WAIT)
        .await
        .unwrap();
    assert_eq!(n.notification.kind, NotificationKind::Comment);

    sa.emit::<React>(&ReactionRequest {
        post_id: app::model::PostId(post),
        kind: Some(ReactionKind::Love),
    })
    .await
    .unwrap()
    .unwrap();
    let counts = sb
        .recv_event::<ReactionsChanged>(CLUSTER_WAIT)
        .await
        .unwrap();
    assert_eq!(counts.counts.love, 1);
    let n = sb
        .recv_event::<NotificationReceived>(CLUSTER_WAIT)
        .await
        .unwrap();
    assert_eq!(n.notification.kind, NotificationKind::Reaction);

    let (status, _) = one
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/users/{}/follow", b.user.username),
            &a,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let n = sb
        .recv_event::<NotificationReceived>(CLUSTER_WAIT)
        .await
        .unwrap();
    assert_eq!(n.notification.kind, NotificationKind::Follow);

    sa.emit::<SendMessage>(&outgoing(b.user.id, "x-1", "across"))
        .await
        .unwrap()
        .unwrap();
    let m = sb
        .recv_event::<MessageReceived>(CLUSTER_WAIT)
        .await
        .unwrap();
    assert_eq!(m.message.text, "across");
    let n = sb
        .recv_event::<NotificationReceived>(CLUSTER_WAIT)
        .await
        .unwrap();
    assert_eq!(n.notification.kind, NotificationKind::Message);

    // Presence is one list, whichever instance answers.
    let mut sc = two.socket(&c).await;
    assert!(presence_of(&mut sa, &c, "presence change #2").await);
    let mut on_one = one.online(&a).await;
    on_one.sort();
    let mut on_two = two.online(&a).await;
    on_two.sort();
    assert_eq!(on_one, on_two);
    assert!(on_one.contains(&b.user.username) && on_one.contains(&c.user.username));
    sc.close().await;
    assert!(
        !presence_of(&mut sa, &c, "presence change #3").await,
        "C went offline on 2, seen from 1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_instance_leaves_no_ghosts_and_sigterm_moves_clients() {
    if !cluster_available() {
        return;
    }
    let db = postgres_database().await;
    let redis = std::env::var("TEST_REDIS_URL").unwrap();
    let prefix = unique("cl");
    let mut one = Instance::start(&db, &redis, &prefix).await;
    let two = Instance::start(&db, &redis, &prefix).await;
    let mut three = Instance::start(&db, &redis, &prefix).await;
    let (a, b) = (two.user().await, one.user().await);
    // The test's sockets answer pings only while they read, and the heartbeat is short:
    // no slow step (starting a process, waiting for one to exit) while A's is open.
    let mut sa = two.watcher(&a).await;
    let _sb = one.socket(&b).await;
    assert!(
        presence_of(&mut sa, &b, "presence change #4").await,
        "B online"
    );

    // Instance 1 dies without a word: instance 2 sweeps its sockets after the timeout.
    one.child.start_kill().unwrap();
    one.child.wait().await.unwrap();
    assert!(
        !presence_of(&mut sa, &b, "presence change #5").await,
        "no ghost of B"
    );
    assert!(!two.online(&a).await.contains(&b.user.username));

    // A graceful stop (SIGTERM) closes its sockets at once and takes them offline.
    let mut sb = three.socket(&b).await;
    assert!(
        presence_of(&mut sa, &b, "presence change #6").await,
        "B online again"
    );
    let pid = three.child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(
        sb.wait_closed(CLUSTER_WAIT).await,
        "SIGTERM closes the sockets"
    );
    assert!(!presence_of(&mut sa, &b, "presence change #7").await);
    sa.close().await;
    let status = tokio::time::timeout(CLUSTER_WAIT, three.child.wait())
        .await
        .expect("it exits")
        .unwrap();
    assert!(status.success(), "a clean exit: {status}");
    // B moves to the surviving instance.
    let mut sa = two.watcher(&a).await;
    let _moved = two.socket(&b).await;
    // Offline may be announced twice (by the closing socket and by the instance leaving);
    // what counts is that B comes back online.
    while !presence_of(&mut sa, &b, "presence change #8").await {}
}

/// A private Redis server on a free port, to stop and start again.
struct PrivateRedis {
    port: u16,
    child: Option<std::process::Child>,
}

impl PrivateRedis {
    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    async fn start(port: u16) -> Self {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (Debian package redis-server)");
        let deadline = tokio::time::Instant::now() + CLUSTER_WAIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            port,
            child: Some(child),
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_is_survived_and_caught_up() {
    if !cluster_available() {
        return;
    }
    let db = postgres_database().await;
    let port = PrivateRedis::free_port();
    let mut redis = PrivateRedis::start(port).await;
    let prefix = unique("cl");
    // A publish to a Redis that just died blocks for its timeout; the test's sockets
    // must not miss pings meanwhile.
    let one = Instance::start_with_heartbeat(&db, &redis.url(), &prefix, 10_000).await;
    let two = Instance::start_with_heartbeat(&db, &redis.url(), &prefix, 10_000).await;
    let (a, b) = (one.user().await, two.user().await);
    let mut sa = one.socket(&a).await;
    let mut sb = two.socket(&b).await;
    one.post(&a, "before").await;
    let (_, offset) = sb
        .recv_event_with_offset::<PostCreated>(CLUSTER_WAIT)
        .await
        .unwrap();
    let since = offset.unwrap();

    redis.stop();
    // Instance 1 keeps serving: the post is stored and its own sockets get it.
    let during = one.post(&a, "during the outage").await;
    loop {
        let live = sa.recv_event::<PostCreated>(CLUSTER_WAIT).await.unwrap();
        if live.post.id.0 == during {
            break;
        }
    }

    let _redis = PrivateRedis::start(port).await;
    // Back: B is told to catch up, and gets what it missed.
    let hint = sb.recv_event::<SyncHint>(CLUSTER_WAIT).await.unwrap();
    let reply = sb
        .emit::<CatchUp>(&SyncRequest {
            since: Some(since.min(hint.from)),
        })
        .await
        .unwrap()
        .unwrap();
    let SyncReply::Events { events, .. } = reply else {
        panic!("expected events: {reply:?}");
    };
    assert!(
        events
            .iter()
            .any(|e| e.event == "post:created" && e.payload["post"]["id"] == during),
        "the post from the outage is replayed: {events:?}"
    );
    // And live delivery across instances resumes.
    let after = one.post(&a, "after").await;
    loop {
        let p = sb.recv_event::<PostCreated>(CLUSTER_WAIT).await.unwrap();
        if p.post.id.0 == after {
            break;
        }
    }
}
