//! Notifications, presence and catch-up, on both databases.

use crate::helpers::*;
use crate::on_both_databases;
use app::events::{
    AddComment, CatchUp, FocusChat, MessageReceived, NewComment, NotificationReceived,
    NotificationsChanged, PostCreated, PresenceChanged, SendMessage, UnwatchPresence,
};
use app::model::{
    ChatFocus, NotificationKind, NotificationPage, PresenceWatch, SyncReply, SyncRequest,
};
use serde_json::json;
use std::time::Duration;

on_both_databases!(
    each_kind_notifies_once_live_and_stored,
    settings_switch_a_kind_off,
    no_notifications_across_a_block,
    mark_read_mark_all_and_delete,
    notifications_come_in_pages_newest_first,
    messages_in_the_open_conversation_do_not_notify,
    two_tabs_then_one_then_none,
    a_silent_socket_goes_offline_within_the_timeout,
    a_socket_record_left_behind_is_swept,
    blocked_pairs_do_not_see_each_others_presence,
    presence_goes_only_to_tabs_that_watch_it,
    a_server_starts_over_the_sockets_of_a_crashed_instance,
    a_reconnect_replays_exactly_the_missed_events_in_order,
    a_gap_beyond_the_window_asks_for_a_reload,
);

async fn notifications_of(app: &TestApp, user: &TestUser) -> NotificationPage {
    let (status, body) = app.get("/api/v1/notifications", user).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn each_kind_notifies_once_live_and_stored(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut sb = app.socket(&b).await;
    let mut sa = app.socket(&a).await;

    app.follow(&a, &b).await;
    let n = sb.recv_event::<NotificationReceived>(WAIT).await.unwrap();
    assert_eq!(n.notification.kind, NotificationKind::Follow);
    assert_eq!(n.notification.actor.id, a.user.id);
    assert!(!n.notification.read);
    assert_eq!(n.unread, 1);

    let post = app.create_post(&b, "mine", "public").await;
    let comment = sa
        .emit::<AddComment>(&NewComment {
            post_id: post.id,
            text: "nice one".into(),
        })
        .await
        .unwrap()
        .expect("commented");
    let n = sb.recv_event::<NotificationReceived>(WAIT).await.unwrap();
    assert_eq!(n.notification.kind, NotificationKind::Comment);
    assert_eq!(n.notification.post_id, Some(post.id));
    assert_eq!(n.notification.excerpt, "nice one");
    assert_eq!(n.unread, 2);
    assert_eq!(comment.post_id, post.id);

    app.react(&a, post.id.0, "like").await;
    let first = sb.recv_event::<NotificationReceived>(WAIT).await.unwrap();
    assert_eq!(first.notification.kind, NotificationKind::Reaction);
    assert_eq!(first.unread, 3);
    // Changing the reaction replaces the unread notification rather than adding one.
    app.react(&a, post.id.0, "love").await;
    let second = sb.recv_event::<NotificationReceived>(WAIT).await.unwrap();
    assert_eq!(second.replaces, Some(first.notification.id));
    assert_eq!(
        second.notification.reaction,
        Some(app::model::ReactionKind::Love)
    );
    assert_eq!(second.unread, 3);

    sa.emit::<SendMessage>(&outgoing(b.user.id, "m1", "hello"))
        .await
        .unwrap()
        .expect("sent");
    let m1 = sb.recv_event::<NotificationReceived>(WAIT).await.unwrap();
    assert_eq!(m1.notification.kind, NotificationKind::Message);
    assert_eq!((m1.notification.count, m1.unread), (1, 4));
    sa.emit::<SendMessage>(&outgoing(b.user.id, "m2", "are you there?"))
        .await
        .unwrap()
        .expect("sent");
    let m2 = sb.recv_event::<NotificationReceived>(WAIT).await.unwrap();
    assert_eq!(m2.replaces, Some(m1.notification.id));
    assert_eq!((m2.notification.count, m2.unread), (2, 4));
    assert_eq!(m2.notification.excerpt, "are you there?");

    // One's own actions notify nobody: stored with the action, so checkable at once.
    app.comment(&b, post.id.0, "replying to myself").await;
    app.react(&b, post.id.0, "happy").await;
    let page = notifications_of(&app, &b).await;
    assert_eq!(page.unread, 4);
    let kinds: Vec<NotificationKind> = page.items.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        vec![
            NotificationKind::Message,
            NotificationKind::Reaction,
            NotificationKind::Comment,
            NotificationKind::Follow
        ],
        "newest first, one per replaced group"
    );
    assert!(notifications_of(&app, &a).await.items.is_empty());

    // Undoing the reaction withdraws its notification.
    let (status, _) = app
        .delete(&format!("/api/v1/posts/{}/reaction", post.id.0), &a)
        .await;
    assert_eq!(status, 200);
    let change = sb.recv_event::<NotificationsChanged>(WAIT).await.unwrap();
    assert_eq!(change.deleted, vec![second.notification.id]);
    assert_eq!(change.unread, 3);
}

async fn settings_switch_a_kind_off(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let (status, body) = app.get("/api/v1/settings/notifications", &b).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"comment": true, "reaction": true, "follow": true, "message": true})
    );
    let (status, body) = app
        .put(
            "/api/v1/settings/notifications",
            &b,
            Some(&json!({"comment": false, "reaction": true, "follow": true, "message": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["comment"], false);

    let post = app.create_post(&b, "quiet please", "public").await;
    app.comment(&a, post.id.0, "a comment nobody is told about")
        .await;
    assert_eq!(notifications_of(&app, &b).await.unread, 0);
    app.react(&a, post.id.0, "wow").await;
    let page = notifications_of(&app, &b).await;
    assert_eq!(page.unread, 1);
    assert_eq!(page.items[0].kind, NotificationKind::Reaction);

    // Bad settings are refused whole.
    let (status, _) = app
        .put(
            "/api/v1/settings/notifications",
            &b,
            Some(&json!({"comment": "no"})),
        )
        .await;
    assert_eq!(status, 422);
    let (_, body) = app.get("/api/v1/settings/notifications", &b).await;
    assert_eq!(body["comment"], false, "unchanged by the refused update");
}

async fn no_notifications_across_a_block(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut sb = app.socket(&b).await;
    app.follow(&a, &b).await;
    let n = sb.recv_event::<NotificationReceived>(WAIT).await.unwrap();

    // B blocks A: A's notifications go, live.
    app.block(&b, &a).await;
    let change = sb.recv_event::<NotificationsChanged>(WAIT).await.unwrap();
    assert_eq!(change.deleted, vec![n.notification.id]);
    assert_eq!(change.unread, 0);
    assert!(notifications_of(&app, &b).await.items.is_empty());

    // Nothing A tries reaches B, and nothing B does reaches A.
    let post = app.create_post(&b, "not for A", "public").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/posts/{}/comments", post.id.0),
            &a,
            &json!({"text": "hi"}),
        )
        .await;
    assert_eq!(status, 403);
    let a_post = app.create_post(&a, "A's", "public").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/posts/{}/comments", a_post.id.0),
            &b,
            &json!({"text": "hi"}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(notifications_of(&app, &a).await.unread, 0);
    assert_eq!(notifications_of(&app, &b).await.unread, 0);
}

async fn mark_read_mark_all_and_delete(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    app.follow(&a, &b).await;
    app.follow(&c, &b).await;
    let post = app.create_post(&b, "p", "public").await;
    app.comment(&a, post.id.0, "one").await;
    let page = notifications_of(&app, &b).await;
    assert_eq!(page.unread, 3);
    let ids: Vec<i64> = page.items.iter().map(|n| n.id.0).collect();
    let mut other_tab = app.socket(&b).await;

    let (status, body) = app
        .post(
            &format!("/api/v1/notifications/{}/read", ids[0]),
            &b,
            &json!({}),
        )
        .await;
    assert_eq!((status, body["unread"].as_i64()), (200, Some(2)));
    let change = other_tab
        .recv_event::<NotificationsChanged>(WAIT)
        .await
        .unwrap();
    assert_eq!((change.read[0].0, change.unread), (ids[0], 2));
    // Idempotent.
    let (status, body) = app
        .post(
            &format!("/api/v1/notifications/{}/read", ids[0]),
            &b,
            &json!({}),
        )
        .await;
    assert_eq!((status, body["unread"].as_i64()), (200, Some(2)));
    let page = notifications_of(&app, &b).await;
    assert!(page.items[0].read && !page.items[1].read);

    // Someone else's notification, or none at all: 404; a malformed id: 422.
    let (status, _) = app
        .post(
            &format!("/api/v1/notifications/{}/read", ids[1]),
            &a,
            &json!({}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .delete(&format!("/api/v1/notifications/{}", ids[1]), &c)
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.delete("/api/v1/notifications/abc", &b).await;
    assert_eq!(status, 422);

    let (status, body) = app
        .delete(&format!("/api/v1/notifications/{}", ids[1]), &b)
        .await;
    assert_eq!((status, body["unread"].as_i64()), (200, Some(1)));
    let (status, body) = app.post("/api/v1/notifications/read", &b, &json!({})).await;
    assert_eq!((status, body["unread"].as_i64()), (200, Some(0)));
    let page = notifications_of(&app, &b).await;
    assert_eq!(page.items.len(), 2);
    assert!(page.items.iter().all(|n| n.read));
    let (_, body) = app.get("/api/v1/notifications/unread", &b).await;
    assert_eq!(body["unread"], 0);
}

async fn notifications_come_in_pages_newest_first(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let post = app.create_post(&b, "popular", "public").await;
    let total = app::model::NOTIFICATION_PAGE_SIZE + 5;
    for n in 0..total {
        app.comment(&a, post.id.0, &format!("comment {n}")).await;
    }
    let first = notifications_of(&app, &b).await;
    assert_eq!(first.items.len(), app::model::NOTIFICATION_PAGE_SIZE);
    assert_eq!(first.unread, total as i64);
    assert_eq!(first.items[0].excerpt, format!("comment {}", total - 1));
    let before = first.next_before.expect("a second page");
    let (status, body) = app
        .get(&format!("/api/v1/notifications?before={}", before.0), &b)
        .await;
    assert_eq!(status, 200, "{body}");
    let second: NotificationPage = serde_json::from_value(body).unwrap();
    assert_eq!(second.items.len(), 5);
    assert_eq!(second.items[4].excerpt, "comment 0");
    assert!(second.next_before.is_none());
    assert!(second.items.iter().all(|n| n.id < before));
}

async fn messages_in_the_open_conversation_do_not_notify(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut sa = app.socket(&a).await;
    let mut sb = app.socket(&b).await;
    let first = sa
        .emit::<SendMessage>(&outgoing(b.user.id, "x1", "first"))
        .await
        .unwrap()
        .unwrap();
    sb.recv_event::<NotificationReceived>(WAIT).await.unwrap();
    app.post("/api/v1/notifications/read", &b, &json!({})).await;

    // B opens the conversation: A's messages there do not notify.
    sb.emit::<FocusChat>(&ChatFocus {
        conversation_id: Some(first.conversation_id),
    })
    .await
    .unwrap()
    .expect("focused");
    sa.emit::<SendMessage>(&outgoing(b.user.id, "x2", "seen live"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(notifications_of(&app, &b).await.unread, 0);

    // Another's conversation cannot be focused.
    let c = app.user().await;
    let mut sc = app.socket(&c).await;
    let refused = sc
        .emit::<FocusChat>(&ChatFocus {
            conversation_id: Some(first.conversation_id),
        })
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err().code, app::error::ErrorCode::NotFound);

    // B leaves it: the next message notifies again.
    sb.emit::<FocusChat>(&ChatFocus {
        conversation_id: None,
    })
    .await
    .unwrap()
    .unwrap();
    sa.emit::<SendMessage>(&outgoing(b.user.id, "x3", "back?"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(notifications_of(&app, &b).await.unread, 1);
}

async fn sockets_of(app: &TestApp, user: &TestUser) -> i64 {
    let mut conn = app.services.db().acquire().await.unwrap();
    server::store::presence::sockets_of(&mut conn, user.user.id)
        .await
        .unwrap()
}

async fn online_for(app: &TestApp, viewer: &TestUser) -> Vec<String> {
    let (status, body) = app.get("/api/v1/presence", viewer).await;
    assert_eq!(status, 200, "{body}");
    usernames(&body)
}

/// Waits until `user` has `n` sockets recorded (a disconnect is handled asynchronously).
async fn until_sockets(app: &TestApp, user: &TestUser, n: i64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while sockets_of(app, user).await != n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} never had {n} sockets",
            user.user.username
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn two_tabs_then_one_then_none(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let (mut sa, _) = app.watcher(&a).await;
    let mut tab1 = app.socket(&b).await;
    let online = sa.recv_event::<PresenceChanged>(WAIT).await.unwrap();
    assert_eq!((online.user.id, online.online), (b.user.id, true));
    let mut tab2 = app.socket(&b).await;
    assert_eq!(online_for(&app, &a).await, vec![b.user.username.clone()]);
    assert_eq!(
        online_for(&app, &b).await,
        vec![a.user.username.clone()],
        "never oneself"
    );

    tab1.close().await;
    until_sockets(&app, &b, 1).await;
    assert_eq!(
        online_for(&app, &a).await,
        vec![b.user.username.clone()],
        "online while a tab is open"
    );

    tab2.close().await;
    // Skip the online notices of B's second tab; the next change must be "offline".
    loop {
        let change = sa.recv_event::<PresenceChanged>(WAIT).await.unwrap();
        assert_eq!(change.user.id, b.user.id);
        if !change.online {
            break;
        }
    }
    assert!(online_for(&app, &a).await.is_empty());
    assert_eq!(sockets_of(&app, &b).await, 0);
}

async fn a_silent_socket_goes_offline_within_the_timeout(db: Db) {
    let app = TestApp::spawn_with(db, |s| {
        s.heartbeat_interval = Duration::from_millis(300);
        s.heartbeat_timeout = Duration::from_millis(300);
    })
    .await;
    let (a, b) = (app.user().await, app.user().await);
    let (mut sa, _) = app.watcher(&a).await;
    let sb = app.socket(&b).await;
    let online = sa.recv_event::<PresenceChanged>(WAIT).await.unwrap();
    assert!(online.online);

    // B's network dies: no close frame, no more pongs; the TCP connection stays open.
    let started = std::time::Instant::now();
    let _silent = sb.go_silent();
    let offline = sa.recv_event::<PresenceChanged>(WAIT).await.unwrap();
    assert_eq!((offline.user.id, offline.online), (b.user.id, false));
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "offline after {took:?}, the timeout is 600 ms"
    );
    assert!(online_for(&app, &a).await.is_empty());
}

async fn a_socket_record_left_behind_is_swept(db: Db) {
    let app = TestApp::spawn_with(db, |s| {
        s.heartbeat_interval = Duration::from_millis(300);
        s.heartbeat_timeout = Duration::from_millis(300);
    })
    .await;
    let (a, b) = (app.user().await, app.user().await);
    // A disconnect that could not be recorded leaves a row for a socket this instance
    // no longer has.
    sqlx::query(
        "INSERT INTO connections (socket_id, instance_id, user_id, connected_at) VALUES ($1, $2, $3, $4)",
    )
    .bind("vanished")
    .bind(app.services.instance_id())
    .bind(b.user.id.0)
    .bind(0_i64)
    .execute(app.services.db())
    .await
    .unwrap();
    let (mut sa, _) = app.watcher(&a).await;
    let change = sa.recv_event::<PresenceChanged>(WAIT).await.unwrap();
    assert_eq!((change.user.id, change.online), (b.user.id, false));
    assert!(online_for(&app, &a).await.is_empty());
}

async fn blocked_pairs_do_not_see_each_others_presence(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, c, d) = (app.user().await, app.user().await, app.user().await);
    app.block(&a, &c).await;
    let (mut sa, _) = app.watcher(&a).await;
    let _sc = app.socket(&c).await;
    let _sd = app.socket(&d).await;
    // C connected before D; the first presence change A hears of must be D's.
    let first = sa.recv_event::<PresenceChanged>(WAIT).await.unwrap();
    assert_eq!(first.user.id, d.user.id);
    assert_eq!(online_for(&app, &a).await, vec![d.user.username.clone()]);
    assert!(!online_for(&app, &c).await.contains(&a.user.username));

    // A shortened list (a page's) counts the rest, the blocked one not among them.
    let e = app.user().await;
    let _se = app.socket(&e).await;
    let change = sa.recv_event::<PresenceChanged>(WAIT).await.unwrap();
    assert_eq!((change.user.id, change.online), (e.user.id, true));
    let mut names = vec![d.user.username.clone(), e.user.username.clone()];
    names.sort();
    assert_eq!(online_for(&app, &a).await, names);
    let mut conn = app.services.db().acquire().await.unwrap();
    let short = server::store::presence::online_visible_to(&mut conn, a.user.id, Some(1))
        .await
        .unwrap();
    let shown: Vec<_> = short.users.iter().map(|u| u.username.clone()).collect();
    assert_eq!((shown, short.more), (vec![names[0].clone()], 1));
    let none = server::store::presence::online_visible_to(&mut conn, c.user.id, Some(0))
        .await
        .unwrap();
    assert_eq!(
        (none.users.len(), none.more),
        (0, 2),
        "C sees D and E, not A"
    );
}

/// An instance that crashed with users online leaves their sockets behind; the next
/// server to start sweeps them at its first heartbeat and announces them offline (which
/// once panicked: the namespace did not exist yet, so no server could start at all).
async fn a_server_starts_over_the_sockets_of_a_crashed_instance(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    sqlx::query("INSERT INTO instances (id, heartbeat_at) VALUES ('crashed', 0)")
        .execute(app.services.db())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO connections (socket_id, instance_id, user_id, connected_at) \
         VALUES ('ghost', 'crashed', $1, 0)",
    )
    .bind(b.user.id.0)
    .execute(app.services.db())
    .await
    .unwrap();
    assert_eq!(online_for(&app, &a).await, vec![b.user.username.clone()]);

    let settings = server::config::Settings::for_tests(app.database_url.clone());
    let second = server::startup::Application::build(settings)
        .await
        .expect("a server starts over a crashed instance's leftovers");
    assert!(
        online_for(&app, &a).await.is_empty(),
        "the crashed instance's socket was swept"
    );
    second.services().db().close().await;
}

/// Presence changes reach only the tabs that asked for them, from the watch on and until
/// the unwatch; the watch answers with who is online.
async fn presence_goes_only_to_tabs_that_watch_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    let (mut watching, online) = app.watcher(&a).await;
    assert!(
        online.users.is_empty(),
        "nobody else is online yet: {online:?}"
    );
    let mut feed_tab = app.socket(&a).await;
    let _sb = app.socket(&b).await;
    let change = watching.recv_event::<PresenceChanged>(WAIT).await.unwrap();
    assert_eq!((change.user.id, change.online), (b.user.id, true));

    // A message reaches both of A's tabs after B's arrival: the tab that does not watch
    // presence has nothing before it.
    app.send_message(&b, &a, "m1", "hi").await;
    feed_tab
        .recv_event::<MessageReceived>(WAIT)
        .await
        .expect("the message reaches the other tab");
    let before = feed_tab.collect_frames(Duration::ZERO).await;
    assert!(
        !before.iter().any(|f| f.contains("presence:changed")),
        "a tab that does not watch got presence: {before:?}"
    );

    // A later watch starts from the current list.
    let (_, online) = app.watcher(&a).await;
    assert_eq!(
        online.users.iter().map(|u| u.id).collect::<Vec<_>>(),
        [b.user.id]
    );

    // After the unwatch, C's arrival does not reach the tab; the next message does.
    watching
        .emit::<UnwatchPresence>(&PresenceWatch {})
        .await
        .unwrap()
        .unwrap();
    let _sc = app.socket(&c).await;
    app.send_message(&b, &a, "m2", "again").await;
    loop {
        let message = watching.recv_event::<MessageReceived>(WAIT).await.unwrap();
        if message.message.client_id == "m2" {
            break;
        }
    }
    let before = watching.collect_frames(Duration::ZERO).await;
    assert!(
        !before
            .iter()
            .any(|f| f.contains("presence:changed") && f.contains(&c.user.username)),
        "an unwatched tab heard of C: {before:?}"
    );
}

async fn a_reconnect_replays_exactly_the_missed_events_in_order(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    let b_post = app.create_post(&b, "B's post", "public").await;
    let mut sb = app.socket(&b).await;
    // B's client knows where it is in the stream.
    app.create_post(&a, "seen live", "public").await;
    let (_, offset) = sb
        .recv_event_with_offset::<PostCreated>(WAIT)
        .await
        .unwrap();
    let since = offset.expect("durable events carry an offset");
    sb.close().await;

    // While B is away: a post, a comment on B's post, a message to B, and things not
    // addressed to B at all.
    let missed_post = app.create_post(&a, "while you were out", "public").await;
    app.create_post(&a, "private", "private").await;
    app.comment(&a, b_post.id.0, "look at this").await;
    app.react(&a, b_post.id.0, "wow").await;
    let mut sa = app.socket(&a).await;
    sa.emit::<SendMessage>(&outgoing(b.user.id, "away-1", "ping"))
        .await
        .unwrap()
        .unwrap();
    sa.emit::<SendMessage>(&outgoing(c.user.id, "other-1", "not for B"))
        .await
        .unwrap()
        .unwrap();

    let mut again = app.socket(&b).await;
    let reply = again
        .emit::<CatchUp>(&SyncRequest { since: Some(since) })
        .await
        .unwrap()
        .expect("caught up");
    let SyncReply::Events { events, head } = reply else {
        panic!("expected events, got {reply:?}");
    };
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "post:created",
            "comment:created",
            "notification:new",
            "post:reactions",
            "notification:new",
            "chat:message",
            "chat:unread",
            "notification:new",
        ]
    );
    assert_eq!(events[0].payload["post"]["id"], missed_post.id.0);
    assert_eq!(events[1].payload["comment"]["text"], "look at this");
    assert_eq!(events[3].payload["counts"]["wow"], 1);
    assert_eq!(events[5].payload["message"]["text"], "ping");
    let offsets: Vec<u64> = events.iter().map(|e| e.offset).collect();
    assert!(
        offsets.windows(2).all(|w| w[0] < w[1]),
        "in order: {offsets:?}"
    );
    assert!(offsets[0] > since && head >= *offsets.last().unwrap());

    // Asking again from the last one gives nothing; a first connection gets the head.
    let reply = again
        .emit::<CatchUp>(&SyncRequest {
            since: Some(*offsets.last().unwrap()),
        })
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(reply, SyncReply::Events { events, .. } if events.is_empty()));
    let reply = again
        .emit::<CatchUp>(&SyncRequest { since: None })
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(reply, SyncReply::Events { events, head: h } if events.is_empty() && h >= head)
    );

    // Once B blocks A, A's events are no longer replayed to B.
    app.block(&b, &a).await;
    let reply = again
        .emit::<CatchUp>(&SyncRequest { since: Some(since) })
        .await
        .unwrap()
        .unwrap();
    let SyncReply::Events { events, .. } = reply else {
        panic!("expected events");
    };
    let content = [
        "post:created",
        "comment:created",
        "post:reactions",
        "chat:message",
        "notification:new",
    ];
    assert!(
        events.iter().all(|e| !content.contains(&e.event.as_str())),
        "none of A's content: {events:?}"
    );
    assert!(events.iter().any(|e| e.event == "user:hidden"));
}

async fn a_gap_beyond_the_window_asks_for_a_reload(db: Db) {
    let app = TestApp::spawn_with(db, |s| s.catchup_window = Duration::from_secs(1)).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut sb = app.socket(&b).await;
    app.create_post(&a, "first", "public").await;
    let (_, offset) = sb
        .recv_event_with_offset::<PostCreated>(WAIT)
        .await
        .unwrap();
    let since = offset.unwrap();
    app.create_post(&a, "missed, and then too old", "public")
        .await;
    // The gap has to age past the window: here the wait is the point.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let reply = sb
        .emit::<CatchUp>(&SyncRequest { since: Some(since) })
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(reply, SyncReply::Reload { head } if head > since),
        "{reply:?}"
    );
    // An offset this server never gave is no base to catch up from either.
    let reply = sb
        .emit::<CatchUp>(&SyncRequest {
            since: Some(u64::MAX),
        })
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(reply, SyncReply::Reload { .. }), "{reply:?}");
}
