//! Bad input, over HTTP and Socket.IO: a clear error, nothing written, the connection
//! and the server alive.

use crate::helpers::*;
use crate::on_both_databases;
use app::error::ErrorCode;
use app::events::{CreatePost, PostCreated};
use app::realtime::{ConnectRefusal, native::NativeError};
use serde_json::{Value, json};
use std::time::Duration;

on_both_databases!(
    http_bodies_are_validated_field_by_field,
    bad_socket_packets_get_error_acks_and_keep_the_connection,
    oversized_socket_messages_do_not_hurt_the_server,
    a_saturated_database_answers_busy_and_writes_nothing
);

async fn http_bodies_are_validated_field_by_field(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app.user().await;
    let long = "x".repeat(5001);
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (json!({"text": ""}), 422, "validation", Some("text")),
        (json!({"text": " \n "}), 422, "validation", Some("text")),
        (json!({"text": long}), 422, "validation", Some("text")),
        (json!({"text": 5}), 422, "validation", Some("text")),
        (json!({}), 422, "validation", Some("text")),
        (
            json!({"text": "hi", "color": "neon"}),
            422,
            "validation",
            Some("color"),
        ),
        (
            json!({"text": "hi", "privacy": "everyone"}),
            422,
            "validation",
            Some("privacy"),
        ),
        (
            json!({"text": "hi", "feeling": 3}),
            422,
            "validation",
            Some("feeling"),
        ),
        (json!(["text"]), 422, "validation", Some("body")),
    ];
    for (body, status, code, field) in cases {
        let res = app.create_post_raw(Some(&a), &body).await;
        let got_status = res.status().as_u16();
        let reply: Value = res.json().await.unwrap();
        let got = (got_status, reply["code"].as_str(), reply["field"].as_str());
        assert_eq!(got, (status, Some(code), field), "{body} -> {reply}");
    }
    let res = app
        .request(reqwest::Method::POST, "/api/v1/posts", Some(&a))
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res, 400).await.0, "bad_request");
    let res = app
        .request(reqwest::Method::GET, "/api/v1/posts/abc", Some(&a))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res, 422).await.1.as_deref(), Some("id"));
    let res = app
        .request(reqwest::Method::GET, "/api/v1/posts?before=-3", Some(&a))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res, 422).await.1.as_deref(), Some("before"));
    assert_eq!(app.stored_posts().await, 0, "nothing written");
}

async fn bad_socket_packets_get_error_acks_and_keep_the_connection(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut s = app.socket(&a).await;
    let mut watcher = app.socket(&b).await;

    // Well-formed packets with bad content: (frame sent, expected error code in the ack
    // with id 7, if one is asked for). The connection stays up through all of them.
    let cases: [(&str, Option<&str>); 7] = [
        (r#"427["post:create",{"text":5}]"#, Some("bad_request")),
        (r#"427["post:create"]"#, Some("bad_request")),
        (r#"427["post:create","just a string"]"#, Some("bad_request")),
        (r#"427["post:create",{"text":""}]"#, Some("validation")),
        (r#"427["no:such:event",{}]"#, Some("unknown_event")),
        (r#"42["post:create",{"text":5}]"#, None),
        (r#"42["no:such:event"]"#, None),
    ];
    for (frame, expected) in cases {
        s.send_raw(frame).await.unwrap();
        if let Some(code) = expected {
            let frames = s.collect_frames(QUIET).await;
            let ack = frames
                .iter()
                .find(|f| f.starts_with("437"))
                .unwrap_or_else(|| panic!("no ack for {frame}: {frames:?}"));
            assert!(
                ack.contains(&format!("\"code\":\"{code}\"")),
                "{frame} -> {ack}"
            );
        }
    }
    // Still connected and working: a valid post goes through and is delivered.
    let post = s
        .emit::<CreatePost>(&draft("after the noise"))
        .await
        .unwrap()
        .expect("valid post accepted");
    assert_eq!(
        watcher
            .recv_event::<PostCreated>(WAIT)
            .await
            .unwrap()
            .post
            .id,
        post.id
    );
    assert_eq!(
        app.stored_posts().await,
        1,
        "only the valid post was written"
    );

    // Frames that are not Socket.IO packets at all: socketioxide (like the JS server)
    // closes that one connection. The server, other sockets and reconnection are fine.
    for garbage in ["42[not json", "4garbage", r#"42{"not":"an array"}"#] {
        let mut victim = app.socket(&a).await;
        victim.send_raw(garbage).await.unwrap();
        assert!(
            victim.wait_closed(WAIT).await,
            "{garbage} closes only its own connection"
        );
        assert!(s.is_open());
    }
    let post = s
        .emit::<CreatePost>(&draft("still alive"))
        .await
        .unwrap()
        .expect("accepted");
    assert_eq!(
        watcher
            .recv_event::<PostCreated>(WAIT)
            .await
            .unwrap()
            .post
            .id,
        post.id
    );
    assert_eq!(app.stored_posts().await, 2);
}

async fn oversized_socket_messages_do_not_hurt_the_server(db: Db) {
    let app = TestApp::spawn_with(db, |s| s.max_socket_payload = 64 * 1024).await;
    let a = app.user().await;
    let mut s = app.socket(&a).await;
    // Over the post limit but under the transport limit: a validation error, still connected.
    let big = draft(&"y".repeat(20_000));
    let err = s.emit::<CreatePost>(&big).await.unwrap().unwrap_err();
    assert_eq!(err.code, app::error::ErrorCode::Validation);
    assert!(s.is_open());
    // Over the transport limit: that connection is closed; the server and others live on.
    let mut other = app.socket(&a).await;
    let huge = format!(r#"42["post:create",{{"text":"{}"}}]"#, "z".repeat(200_000));
    let _sent = s.send_raw(&huge).await;
    assert!(
        s.wait_closed(WAIT).await,
        "an oversized frame closes its connection"
    );
    let post = app.create_post(&a, "server alive", "public").await;
    assert_eq!(
        other.recv_event::<PostCreated>(WAIT).await.unwrap().post.id,
        post.id
    );
    assert_eq!(app.stored_posts().await, 1);
}

/// When every database connection is taken for longer than a request may wait, the
/// request is answered `busy` (503 with `Retry-After`, over HTTP, a socket ack, a page
/// and a new socket's refusal, which clients retry), nothing is written, and the server
/// serves normally once connections free up.
async fn a_saturated_database_answers_busy_and_writes_nothing(db: Db) {
    let sqlite = matches!(db, Db::Sqlite);
    let app = TestApp::spawn_with(db, |s| s.db_acquire_timeout = Duration::from_millis(300)).await;
    let a = app.user().await;
    let mut s = app.socket(&a).await;

    let pool = app.services.db();
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.unwrap());
    }

    let res = app
        .create_post_raw(Some(&a), &json!({"text": "while busy"}))
        .await;
    assert_eq!(retry_after(&res), Some("1"));
    assert_eq!(error_code(res, 503).await.0, "busy");

    let ack = s
        .emit::<CreatePost>(&draft("while busy, by socket"))
        .await
        .expect("the ack arrives")
        .expect_err("no post while busy");
    assert_eq!(ack.code, ErrorCode::Busy, "{ack:?}");

    let feed_page = async || {
        app.request(reqwest::Method::GET, "/", Some(&a))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
    };
    // On SQLite the pages read through a connection of their own, so a saturated
    // writer does not hold them up; on PostgreSQL the reader is the pool.
    let reader = app.services.reader().acquire().await;
    assert_eq!(reader.is_ok(), sqlite, "the reader is apart on SQLite only");
    let held_reader = if sqlite {
        drop(reader);
        assert_eq!(
            feed_page().await.status(),
            200,
            "the feed page beside busy writes"
        );
        Some(app.services.reader().acquire().await.unwrap())
    } else {
        None
    };
    let page = feed_page().await;
    assert_eq!(page.status(), 503, "the feed page while busy");
    assert_eq!(retry_after(&page), Some("1"));

    let refused = app
        .socket_raw(Some(&a.cookie), Some(&app.base))
        .await
        .expect_err("no new socket while busy");
    assert!(
        matches!(&refused, NativeError::ConnectError { message, .. }
            if ConnectRefusal::from_message(message) == ConnectRefusal::Busy),
        "{refused:?}"
    );

    drop((held, held_reader));
    assert_eq!(
        app.stored_posts().await,
        0,
        "nothing was written while busy"
    );
    let post = s
        .emit::<CreatePost>(&draft("once free"))
        .await
        .unwrap()
        .expect("accepted once connections are free");
    let res = app
        .create_post_raw(Some(&a), &json!({"text": "once free, by HTTP"}))
        .await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    assert_eq!(app.stored_posts().await, 2);
    assert_eq!(post.text, "once free");
}

/// The `Retry-After` header of a response, if it has one.
fn retry_after(res: &reqwest::Response) -> Option<&str> {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
}
