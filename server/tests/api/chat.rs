//! One-to-one chat: delivery only to the two participants, order, idempotent retries,
//! unread counts and receipts, deletes, reactions, and refusals.

use crate::helpers::*;
use crate::on_both_databases;
use app::events::{
    DeleteMessage, DeleteMessageRequest, MarkConversationRead, MarkRead, MessageChanged,
    MessageReactionRequest, MessageReceived, MessageRemoved, MessagesRead, NotificationsChanged,
    ReactToMessage, SendMessage, StartTyping, Typing, TypingNotice, UnreadChanged,
};
use app::model::Message;
use serde_json::json;

on_both_databases!(
    messages_reach_only_the_two_participants,
    two_hundred_rapid_messages_arrive_in_order,
    a_retried_message_is_stored_and_delivered_once,
    unread_counts_and_read_receipts,
    an_upgrade_counts_the_unread_messages_already_stored,
    delete_for_me_and_for_everyone,
    message_reactions_and_typing,
    refusals,
);

async fn messages_reach_only_the_two_participants(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    let (mut sa, mut sa2, mut sb, mut sc) = (
        app.socket(&a).await,
        app.socket(&a).await,
        app.socket(&b).await,
        app.socket(&c).await,
    );

    let sent = sa
        .emit::<SendMessage>(&outgoing(b.user.id, "m1", "psst, B"))
        .await
        .unwrap()
        .expect("sent");
    assert_eq!(
        app.get(
            &format!(
                "/api/v1/chat/conversations/{}/messages",
                sent.conversation_id.0
            ),
            &a
        )
        .await
        .0,
        200,
        "stored before the ack"
    );
    assert_eq!(
        sb.recv_event::<MessageReceived>(WAIT)
            .await
            .unwrap()
            .message,
        sent
    );
    assert_eq!(
        sa2.recv_event::<MessageReceived>(WAIT)
            .await
            .unwrap()
            .message
            .id,
        sent.id,
        "the sender's other tabs too"
    );
    let frames = sc.collect_frames(QUIET).await;
    assert!(
        frames
            .iter()
            .all(|f| !f.contains("psst") && !f.contains("chat:")),
        "C heard: {frames:?}"
    );

    // B answers over HTTP; A gets it live; C still nothing; C cannot read the conversation.
    app.send_message(&b, &a, "r1", "hi A").await;
    // Answering read A's message, and the notification of it, in every tab of B's.
    let change = sb.recv_event::<NotificationsChanged>(WAIT).await.unwrap();
    assert_eq!((change.read.len(), change.unread), (1, 0));
    assert_eq!(
        app.get("/api/v1/notifications/unread", &b).await.1["unread"],
        0
    );
    assert_eq!(
        sa.recv_event::<MessageReceived>(WAIT)
            .await
            .unwrap()
            .message
            .text,
        "psst, B",
        "the sender's own echo"
    );
    assert_eq!(
        sa.recv_event::<MessageReceived>(WAIT)
            .await
            .unwrap()
            .message
            .text,
        "hi A"
    );
    assert!(
        sc.collect_frames(QUIET)
            .await
            .iter()
            .all(|f| !f.contains("hi A"))
    );
    assert_eq!(
        app.get(
            &format!(
                "/api/v1/chat/conversations/{}/messages",
                sent.conversation_id.0
            ),
            &c
        )
        .await
        .0,
        404
    );
    let (_, page) = app
        .get(
            &format!(
                "/api/v1/chat/conversations/{}/messages",
                sent.conversation_id.0
            ),
            &a,
        )
        .await;
    let texts: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["psst, B", "hi A"], "oldest first");
}

async fn two_hundred_rapid_messages_arrive_in_order(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let (mut sa, mut sb) = (app.socket(&a).await, app.socket(&b).await);
    for i in 0..200 {
        sa.send_raw(&format!(
            r#"42["chat:send",{{"to":{},"client_id":"c{i}","text":"n{i}"}}]"#,
            b.user.id.0
        ))
        .await
        .unwrap();
    }
    let (mut last, mut conversation) = (0, 0);
    for i in 0..200 {
        let got = sb
            .recv_event::<MessageReceived>(WAIT)
            .await
            .unwrap()
            .message;
        assert_eq!(got.text, format!("n{i}"), "in the order sent");
        assert!(got.id.0 > last, "ids grow");
        last = got.id.0;
        conversation = got.conversation_id.0;
    }
    let (_, page) = app
        .get(
            &format!(
                "/api/v1/chat/conversations/{conversation}/messages?before={}",
                last + 1
            ),
            &b,
        )
        .await;
    assert_eq!(page["messages"].as_array().unwrap().len(), 50, "paged");
    assert!(page["next_before"].as_i64().is_some());
}

async fn a_retried_message_is_stored_and_delivered_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let (mut sa, mut sb) = (app.socket(&a).await, app.socket(&b).await);
    let first: Message = sa
        .emit::<SendMessage>(&outgoing(b.user.id, "same-id", "only once"))
        .await
        .unwrap()
        .expect("sent");
    let again: Message = sa
        .emit::<SendMessage>(&outgoing(b.user.id, "same-id", "only once"))
        .await
        .unwrap()
        .expect("acked again");
    assert_eq!(first, again, "the same ack");
    // And over HTTP, after a reconnect, too.
    let (status, over_http) = app
        .post(
            "/api/v1/chat/messages",
            &a,
            &json!({"to": b.user.id.0, "client_id": "same-id", "text": "only once"}),
        )
        .await;
    assert_eq!((status, over_http["id"].as_i64()), (201, Some(first.id.0)));
    let frames = sb.collect_frames(QUIET).await;
    assert_eq!(
        frames
            .iter()
            .filter(|f| f.starts_with("42[\"chat:message\"") && f.contains("only once"))
            .count(),
        1,
        "one delivery: {frames:?}"
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(app.services.db())
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

async fn unread_counts_and_read_receipts(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let (mut sa, mut sb) = (app.socket(&a).await, app.socket(&b).await);
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(
            sa.emit::<SendMessage>(&outgoing(
                b.user.id,
                &format!("u{i}"),
                &format!("unread {i}"),
            ))
            .await
            .unwrap()
            .expect("sent"),
        );
        assert_eq!(
            sb.recv_event::<UnreadChanged>(WAIT).await.unwrap().total,
            i + 1
        );
    }
    let (first, last) = (sent[0].clone(), sent[2].clone());
    let (_, list) = app.get("/api/v1/chat/conversations", &b).await;
    assert_eq!(
        (list[0]["unread"].as_i64(), list[0]["other"]["id"].as_i64()),
        (Some(3), Some(a.user.id.0))
    );
    assert_eq!(list[0]["last_message"]["text"], "unread 2");
    // Every page's header reads both counts at once, through the reader.
    let viewer = app
        .services
        .viewer_for_cookie(Some(&b.cookie))
        .await
        .unwrap()
        .expect("b is signed in");
    let header = app.services.session_info(viewer).await.unwrap();
    let notifications = app.get("/api/v1/notifications/unread", &b).await.1["unread"].as_i64();
    assert_eq!(
        (header.unread_messages, Some(header.unread_notifications)),
        (3, notifications)
    );
    assert!(notifications > Some(0), "a message notifies");
    assert_eq!(header.user.map(|u| u.id), Some(b.user.id));
    assert_eq!(
        app.get("/api/v1/chat/unread", &a).await.1["total"],
        0,
        "one's own messages are read"
    );

    // The messages' notification stays unread while any of them is.
    sb.emit::<MarkConversationRead>(&MarkRead {
        conversation_id: first.conversation_id,
        up_to: first.id,
    })
    .await
    .unwrap()
    .expect("read the first");
    assert_eq!(sb.recv_event::<UnreadChanged>(WAIT).await.unwrap().total, 2);
    assert_eq!(
        sa.recv_event::<MessagesRead>(WAIT).await.unwrap().up_to,
        first.id
    );
    let unread_notifications =
        async |u: &TestUser| app.get("/api/v1/notifications/unread", u).await.1["unread"].as_i64();
    assert_eq!(unread_notifications(&b).await, notifications);
    let (_, list) = app.get("/api/v1/notifications", &b).await;
    let message_notification = list["items"][0]["id"].as_i64();
    assert_eq!(list["items"][0]["kind"], "message", "{list}");

    let receipt = sb
        .emit::<MarkConversationRead>(&MarkRead {
            conversation_id: last.conversation_id,
            up_to: last.id,
        })
        .await
        .unwrap()
        .expect("read");
    assert_eq!(receipt.reader, b.user.id);
    let seen = sa.recv_event::<MessagesRead>(WAIT).await.unwrap();
    assert_eq!((seen.reader, seen.up_to), (b.user.id, last.id));
    assert_eq!(sb.recv_event::<UnreadChanged>(WAIT).await.unwrap().total, 0);
    // All read: "A sent you 3 messages" is read too, in every tab of B's.
    let change = sb.recv_event::<NotificationsChanged>(WAIT).await.unwrap();
    assert_eq!(
        (
            change.read.iter().map(|n| n.0).collect::<Vec<_>>(),
            change.unread
        ),
        (message_notification.into_iter().collect(), 0)
    );
    assert_eq!(unread_notifications(&b).await, Some(0));
    let (_, list) = app.get("/api/v1/chat/conversations", &a).await;
    assert_eq!(
        list[0]["other_read_up_to"].as_i64(),
        Some(last.id.0),
        "A sees how far B read"
    );
    // Reading never moves back.
    let (status, _) = app
        .post(
            &format!("/api/v1/chat/conversations/{}/read", last.conversation_id.0),
            &b,
            &json!({"up_to": 1}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/api/v1/chat/unread", &b).await.1["total"], 0);
}

async fn delete_for_me_and_for_everyone(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let (mut sa, mut sb) = (app.socket(&a).await, app.socket(&b).await);
    let m1 = sa
        .emit::<SendMessage>(&outgoing(b.user.id, "d1", "for me only"))
        .await
        .unwrap()
        .expect("sent");
    let m2 = sa
        .emit::<SendMessage>(&outgoing(b.user.id, "d2", "regrettable"))
        .await
        .unwrap()
        .expect("sent");
    let path = format!(
        "/api/v1/chat/conversations/{}/messages",
        m1.conversation_id.0
    );

    sb.emit::<DeleteMessage>(&DeleteMessageRequest {
        id: m1.id,
        for_everyone: false,
    })
    .await
    .unwrap()
    .expect("hidden for B");
    assert_eq!(
        app.get("/api/v1/chat/unread", &b).await.1["total"],
        1,
        "a message hidden unread no longer counts"
    );
    let (_, b_view) = app.get(&path, &b).await;
    assert!(
        b_view["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["id"].as_i64() != Some(m1.id.0)),
        "gone for B"
    );
    let (_, a_view) = app.get(&path, &a).await;
    assert!(
        a_view["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"].as_i64() == Some(m1.id.0)),
        "still there for A"
    );

    // B may not delete A's message for everyone; A may.
    let refused = sb
        .emit::<DeleteMessage>(&DeleteMessageRequest {
            id: m2.id,
            for_everyone: true,
        })
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.code, app::error::ErrorCode::Forbidden);
    sa.emit::<DeleteMessage>(&DeleteMessageRequest {
        id: m2.id,
        for_everyone: true,
    })
    .await
    .unwrap()
    .expect("deleted");
    let changed = loop {
        let got = sb.recv_event::<MessageChanged>(WAIT).await.unwrap().message;
        if got.id == m2.id {
            break got;
        }
    };
    assert!(
        changed.deleted && changed.text.is_empty(),
        "shown as deleted, text gone"
    );
    assert_eq!(
        app.get("/api/v1/chat/unread", &b).await.1["total"],
        0,
        "a message deleted for everyone no longer counts"
    );
    let (_, list) = app.get("/api/v1/chat/conversations", &b).await;
    assert_eq!(list[0]["unread"], 0);
    let (_, a_view) = app.get(&path, &a).await;
    let tomb = a_view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"].as_i64() == Some(m2.id.0))
        .unwrap()
        .clone();
    assert_eq!(
        (tomb["deleted"].as_bool(), tomb["text"].as_str()),
        (Some(true), Some(""))
    );
    let (status, _) = app
        .delete(
            &format!("/api/v1/chat/messages/{}?for=everyone", m1.id.0),
            &b,
        )
        .await;
    assert_eq!(status, 403);
    // Deleting for oneself reaches one's other tabs.
    let mut b_tab2 = app.socket(&b).await;
    let (status, _) = app
        .delete(&format!("/api/v1/chat/messages/{}", m1.id.0), &b)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        b_tab2.recv_event::<MessageRemoved>(WAIT).await.unwrap().id,
        m1.id
    );
    assert!(
        sa.collect_frames(QUIET)
            .await
            .iter()
            .all(|f| !f.contains("chat:removed")),
        "not told to A"
    );
}

async fn message_reactions_and_typing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let (mut sa, mut sb) = (app.socket(&a).await, app.socket(&b).await);
    let m = sa
        .emit::<SendMessage>(&outgoing(b.user.id, "r1", "react to me"))
        .await
        .unwrap()
        .expect("sent");
    sb.recv_event::<MessageReceived>(WAIT).await.unwrap();

    let reacted = sb
        .emit::<ReactToMessage>(&MessageReactionRequest {
            id: m.id,
            emoji: Some("❤️".into()),
        })
        .await
        .unwrap()
        .expect("reacted");
    assert_eq!(reacted.reactions.len(), 1);
    assert_eq!(
        sa.recv_event::<MessageChanged>(WAIT)
            .await
            .unwrap()
            .message
            .reactions[0]
            .emoji,
        "❤️"
    );
    let removed = sb
        .emit::<ReactToMessage>(&MessageReactionRequest {
            id: m.id,
            emoji: None,
        })
        .await
        .unwrap()
        .expect("removed");
    assert!(removed.reactions.is_empty());
    assert!(
        sa.recv_event::<MessageChanged>(WAIT)
            .await
            .unwrap()
            .message
            .reactions
            .is_empty()
    );
    let bad = sb
        .emit::<ReactToMessage>(&MessageReactionRequest {
            id: m.id,
            emoji: Some("🦀".into()),
        })
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(bad.field.as_deref(), Some("emoji"));

    sb.emit::<StartTyping>(&TypingNotice {
        conversation_id: m.conversation_id,
    })
    .await
    .unwrap()
    .expect("typing");
    let typing = sa.recv_event::<Typing>(WAIT).await.unwrap();
    assert_eq!(
        (typing.user, typing.conversation_id),
        (b.user.id, m.conversation_id)
    );
}

async fn refusals(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut sb = app.socket(&b).await;
    let send = |to: i64, client_id: &str, text: String| json!({"to": to, "client_id": client_id, "text": text});
    let cases = [
        (
            send(b.user.id.0, "e1", String::new()),
            422,
            "validation",
            Some("text"),
        ),
        (
            send(b.user.id.0, "e2", "   ".into()),
            422,
            "validation",
            Some("text"),
        ),
        (
            send(b.user.id.0, "e3", "x".repeat(4001)),
            422,
            "validation",
            Some("text"),
        ),
        (
            send(b.user.id.0, "", "no id".into()),
            422,
            "validation",
            Some("client_id"),
        ),
        (
            send(a.user.id.0, "e4", "to myself".into()),
            422,
            "validation",
            Some("to"),
        ),
        (
            send(999_999, "e5", "to nobody".into()),
            404,
            "not_found",
            None,
        ),
    ];
    for (body, status, code, field) in cases {
        let (got, reply) = app.post("/api/v1/chat/messages", &a, &body).await;
        assert_eq!(
            (got, reply["code"].as_str(), reply["field"].as_str()),
            (status, Some(code), field),
            "{body}"
        );
    }
    // A conversation, then a block: no new messages either way, typing and receipts
    // stop, and the conversation leaves both lists.
    let m = app
        .post(
            "/api/v1/chat/messages",
            &a,
            &send(b.user.id.0, "ok", "before the block".into()),
        )
        .await
        .1;
    let conversation = m["conversation_id"].as_i64().unwrap();
    sb.collect_frames(QUIET).await;
    app.block(&b, &a).await;
    for (from, to) in [(&a, &b), (&b, &a)] {
        let (status, reply) = app
            .post(
                "/api/v1/chat/messages",
                from,
                &send(to.user.id.0, "blocked", "hello?".into()),
            )
            .await;
        assert_eq!((status, reply["code"].as_str()), (403, Some("blocked")));
        assert_eq!(
            app.get("/api/v1/chat/conversations", from).await.1,
            json!([])
        );
        let (status, _) = app
            .post(
                &format!("/api/v1/chat/conversations/{conversation}/read"),
                from,
                &json!({"up_to": 1}),
            )
            .await;
        assert_eq!(status, 403);
    }
    let typing = sb
        .emit::<StartTyping>(&TypingNotice {
            conversation_id: app::model::ConversationId(conversation),
        })
        .await
        .unwrap();
    assert!(typing.is_err());
    assert_eq!(
        app.get("/api/v1/chat/unread", &b).await.1["total"],
        0,
        "hidden conversations count nothing"
    );
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(app.services.db())
        .await
        .unwrap();
    assert_eq!(stored, 1, "nothing else written");
}

/// A database written before the unread counters existed gets them right on upgrade.
async fn an_upgrade_counts_the_unread_messages_already_stored(db: Db) {
    let (url, _dir, old) = database_before_migration(db, "0005").await;
    let ids = insert_users(&old, &["ann", "bob", "cy"]).await;
    let (ann, bob, cy) = (ids[0], ids[1], ids[2]);
    let conversation = async |low: i64, high: i64| -> i64 {
        sqlx::query_scalar(
            "INSERT INTO conversations (user_low, user_high, created_at, last_message_at) \
             VALUES ($1, $2, 0, 0) RETURNING id",
        )
        .bind(low)
        .bind(high)
        .fetch_one(&old)
        .await
        .unwrap()
    };
    let (ann_bob, ann_cy) = (conversation(ann, bob).await, conversation(ann, cy).await);
    let message = async |conversation: i64, sender: i64, deleted: i64| -> i64 {
        sqlx::query_scalar(
            "INSERT INTO messages (conversation_id, sender_id, client_id, text, created_at, deleted) \
             VALUES ($1, $2, $3, 'hi', 0, $4) RETURNING id",
        )
        .bind(conversation)
        .bind(sender)
        .bind(unique("c"))
        .bind(deleted)
        .fetch_one(&old)
        .await
        .unwrap()
    };
    let read = message(ann_bob, ann, 0).await;
    message(ann_bob, ann, 0).await;
    let hidden = message(ann_bob, ann, 0).await;
    message(ann_bob, bob, 0).await;
    message(ann_cy, ann, 0).await;
    message(ann_cy, ann, 1).await;
    sqlx::query("INSERT INTO conversation_reads (conversation_id, user_id, last_read_id) VALUES ($1, $2, $3)")
        .bind(ann_bob)
        .bind(bob)
        .bind(read)
        .execute(&old)
        .await
        .unwrap();
    sqlx::query("INSERT INTO message_hidden (message_id, user_id) VALUES ($1, $2)")
        .bind(hidden)
        .bind(bob)
        .execute(&old)
        .await
        .unwrap();
    old.close().await;

    let upgraded = server::db::connect(&url, server::db::DEFAULT_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    let mut conn = upgraded.acquire().await.unwrap();
    let mut totals = Vec::new();
    for id in [ann, bob, cy] {
        totals.push(
            server::store::chat::unread_total(&mut conn, app::model::UserId(id))
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        totals,
        [1, 1, 1],
        "ann: bob's reply; bob: one read, one hidden, one not; cy: one deleted, one not"
    );
}
