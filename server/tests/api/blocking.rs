//! Blocking, on every surface and in both directions. A blocks B; C looks on.

use crate::helpers::*;
use crate::on_both_databases;
use app::events::{
    AddComment, NewComment, PostCreated, React, ReactionRequest, UserHidden, UserRef, WatchProfile,
};
use app::model::ReactionKind;
use app::realtime::native::NativeSocket;
use serde_json::{Value, json};

on_both_databases!(
    block_matrix_over_http,
    block_matrix_over_sockets,
    a_post_right_after_a_block_never_reaches_the_blocked,
    unblocking_restores_visibility_but_not_follows
);

fn names(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

async fn block_matrix_over_http(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    let (a_post, b_post, c_post) = (
        app.create_post(&a, "by A", "public").await,
        app.create_post(&b, "by B", "public").await,
        app.create_post(&c, "by C", "public").await,
    );
    app.follow(&a, &b).await;
    app.follow(&b, &a).await;
    app.follow(&b, &c).await;
    app.follow(&a, &c).await;
    for u in [&a, &b] {
        app.comment(u, c_post.id.0, &format!("comment by {}", u.user.username))
            .await;
        app.react(u, c_post.id.0, "like").await;
    }
    app.block(&a, &b).await;

    // Each pair: (viewer, other) for both directions of the block.
    for (me, other, other_post) in [(&a, &b, &b_post), (&b, &a, &a_post)] {
        let ctx = format!("{} looking at {}", me.user.username, other.user.username);
        let feed: Vec<i64> = app
            .feed(me, None)
            .await
            .posts
            .iter()
            .map(|p| p.author.id.0)
            .collect();
        assert!(!feed.contains(&other.user.id.0), "feed: {ctx}");
        assert_eq!(
            app.get(&format!("/api/v1/posts/{}", other_post.id.0), me)
                .await
                .0,
            404,
            "post read: {ctx}"
        );
        assert_eq!(
            app.get(&format!("/api/v1/users/{}/posts", other.user.username), me)
                .await
                .0,
            404,
            "profile posts: {ctx}"
        );
        let (_, comments) = app
            .get(&format!("/api/v1/posts/{}/comments", c_post.id.0), me)
            .await;
        let authors = names(&comments["comments"], "/author/username");
        assert!(
            authors.contains(&me.user.username) && !authors.contains(&other.user.username),
            "comments: {ctx}: {authors:?}"
        );
        let (_, reactors) = app
            .get(&format!("/api/v1/posts/{}/reactions", c_post.id.0), me)
            .await;
        assert!(
            !names(&reactors, "/user/username").contains(&other.user.username),
            "who reacted: {ctx}"
        );
        let (_, people) = app.get("/api/v1/people", me).await;
        assert!(
            !names(&people["people"], "/user/username").contains(&other.user.username),
            "people: {ctx}"
        );
        let (_, found) = app
            .get(
                &format!("/api/v1/people/search?q={}", other.user.username),
                me,
            )
            .await;
        assert_eq!(found, json!([]), "search: {ctx}");
        let (_, suggested) = app.get("/api/v1/people/suggestions", me).await;
        assert!(
            !names(&suggested, "/user/username").contains(&other.user.username),
            "suggestions: {ctx}"
        );
        let (_, followers) = app
            .get(&format!("/api/v1/users/{}/followers", c.user.username), me)
            .await;
        assert!(
            !names(&followers, "/username").contains(&other.user.username),
            "follower list: {ctx}"
        );
        // Interactions are refused with a clear error.
        let (status, reply) = app
            .post(
                &format!("/api/v1/posts/{}/comments", other_post.id.0),
                me,
                &json!({"text": "hi"}),
            )
            .await;
        assert_eq!(
            (status, reply["code"].as_str()),
            (403, Some("blocked")),
            "comment: {ctx}"
        );
        let (status, reply) = app
            .put(
                &format!("/api/v1/posts/{}/reaction", other_post.id.0),
                me,
                Some(&json!({"kind": "like"})),
            )
            .await;
        assert_eq!(
            (status, reply["code"].as_str()),
            (403, Some("blocked")),
            "react: {ctx}"
        );
        let (status, reply) = app
            .put(
                &format!("/api/v1/users/{}/follow", other.user.username),
                me,
                None,
            )
            .await;
        assert_eq!(
            (status, reply["code"].as_str()),
            (403, Some("blocked")),
            "follow: {ctx}"
        );
    }
    // The blocker sees a bare profile to unblock from; the blocked sees none.
    let (status, profile) = app
        .get(&format!("/api/v1/users/{}", b.user.username), &a)
        .await;
    assert_eq!(
        (
            status,
            profile["blocked_by_me"].as_bool(),
            profile["followers"].as_i64()
        ),
        (200, Some(true), Some(0))
    );
    assert_eq!(
        app.get(&format!("/api/v1/users/{}", a.user.username), &b)
            .await
            .0,
        404
    );
    // Follows between them are gone both ways; others' are untouched.
    let (_, a_following) = app
        .get(&format!("/api/v1/users/{}/following", a.user.username), &c)
        .await;
    assert_eq!(
        names(&a_following, "/username"),
        vec![c.user.username.clone()]
    );
    // The bystander sees everyone and everything.
    let c_feed = app.feed(&c, None).await.posts.len();
    assert_eq!(c_feed, 3);
    let (_, comments) = app
        .get(&format!("/api/v1/posts/{}/comments", c_post.id.0), &c)
        .await;
    assert_eq!(comments["comments"].as_array().unwrap().len(), 2);
    let (_, reactors) = app
        .get(&format!("/api/v1/posts/{}/reactions", c_post.id.0), &c)
        .await;
    assert_eq!(reactors.as_array().unwrap().len(), 2);
}

/// No frame of `socket` within the quiet window mentions `needle`.
async fn hears_nothing_of(socket: &mut NativeSocket, needle: &str, ctx: &str) {
    let frames = socket.collect_frames(QUIET).await;
    assert!(
        frames.iter().all(|f| !f.contains(needle)),
        "{ctx}: {frames:?}"
    );
}

async fn block_matrix_over_sockets(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    let c_post = app.create_post(&c, "C's post", "public").await;
    let a_post = app.create_post(&a, "A's post", "public").await;
    let b_post = app.create_post(&b, "B's post", "public").await;
    let (mut sa, mut sb, mut sc) = (
        app.socket(&a).await,
        app.socket(&b).await,
        app.socket(&c).await,
    );
    // B watches A's profile page before the block.
    sb.emit::<WatchProfile>(&UserRef { user: a.user.id })
        .await
        .unwrap()
        .expect("watching");
    for s in [&mut sa, &mut sb, &mut sc] {
        s.collect_frames(QUIET).await;
    }

    app.block(&a, &b).await;
    // Already-open pages drop the other's content: each is told whom to hide.
    assert_eq!(
        sb.recv_event::<UserHidden>(WAIT).await.unwrap().user,
        a.user.id
    );
    assert_eq!(
        sa.recv_event::<UserHidden>(WAIT).await.unwrap().user,
        b.user.id
    );
    // B can no longer watch A's profile.
    let refused = sb
        .emit::<WatchProfile>(&UserRef { user: a.user.id })
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.code, app::error::ErrorCode::NotFound);

    for label in ["A", "B"] {
        let (actor, actor_socket, other_socket) = if label == "A" {
            (&a, &mut sa, &mut sb)
        } else {
            (&b, &mut sb, &mut sa)
        };
        let text = format!("{label} posts after the block");
        let post = app.create_post(actor, &text, "public").await;
        assert_eq!(
            sc.recv_event::<PostCreated>(WAIT).await.unwrap().post.id,
            post.id,
            "C hears {label}'s post"
        );
        hears_nothing_of(other_socket, &text, &format!("{label}'s post")).await;

        let comment = format!("{label} comments on C");
        actor_socket
            .emit::<AddComment>(&NewComment {
                post_id: c_post.id,
                text: comment.clone(),
            })
            .await
            .unwrap()
            .expect("commented");
        hears_nothing_of(other_socket, &comment, &format!("{label}'s comment")).await;
        assert!(
            sc.collect_frames(QUIET)
                .await
                .iter()
                .any(|f| f.contains(&comment)),
            "C hears {label}'s comment"
        );

        actor_socket
            .emit::<React>(&ReactionRequest {
                post_id: c_post.id,
                kind: Some(ReactionKind::Angry),
            })
            .await
            .unwrap()
            .expect("reacted");
        hears_nothing_of(
            other_socket,
            "post:reactions",
            &format!("{label}'s reaction"),
        )
        .await;
        assert!(
            sc.collect_frames(QUIET)
                .await
                .iter()
                .any(|f| f.contains("post:reactions")),
            "C hears {label}'s reaction"
        );

        // Over the socket too, interacting across the block is refused.
        let other_post = if label == "A" { b_post.id } else { a_post.id };
        let refused = actor_socket
            .emit::<AddComment>(&NewComment {
                post_id: other_post,
                text: "hi".into(),
            })
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(
            refused.code,
            app::error::ErrorCode::Blocked,
            "{label} comments across the block"
        );
        let refused = actor_socket
            .emit::<React>(&ReactionRequest {
                post_id: other_post,
                kind: Some(ReactionKind::Like),
            })
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(
            refused.code,
            app::error::ErrorCode::Blocked,
            "{label} reacts across the block"
        );
    }
}

async fn a_post_right_after_a_block_never_reaches_the_blocked(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut sb = app.socket(&b).await;
    for round in 0..5 {
        app.block(&a, &b).await;
        let text = format!("right after the block {round}");
        app.create_post(&a, &text, "public").await;
        hears_nothing_of(&mut sb, &text, "post after block").await;
        let (status, _) = app
            .delete(&format!("/api/v1/users/{}/block", b.user.username), &a)
            .await;
        assert_eq!(status, 200);
        // Unblocked again: B's socket is live and does hear the next one.
        let control = app
            .create_post(&a, &format!("control {round}"), "public")
            .await;
        assert_eq!(
            sb.recv_event::<PostCreated>(WAIT).await.unwrap().post.id,
            control.id
        );
    }
}

async fn unblocking_restores_visibility_but_not_follows(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    app.follow(&b, &a).await;
    let post = app.create_post(&a, "visible again", "public").await;
    app.block(&a, &b).await;
    assert_eq!(
        app.get(&format!("/api/v1/posts/{}", post.id.0), &b).await.0,
        404
    );
    let (status, profile) = app
        .delete(&format!("/api/v1/users/{}/block", b.user.username), &a)
        .await;
    assert_eq!(
        (status, profile["blocked_by_me"].as_bool()),
        (200, Some(false))
    );
    assert_eq!(
        app.get(&format!("/api/v1/posts/{}", post.id.0), &b).await.0,
        200
    );
    let (_, followers) = app
        .get(&format!("/api/v1/users/{}/followers", a.user.username), &b)
        .await;
    assert_eq!(followers, json!([]), "the removed follow stays removed");
    let (_, blocked) = app.get("/api/v1/me/blocked", &a).await;
    assert_eq!(blocked, json!([]));
}
