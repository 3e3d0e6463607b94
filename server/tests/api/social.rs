//! Comments, reactions, follows, followers-only posts, profiles and people.

use crate::helpers::*;
use crate::on_both_databases;
use app::events::{
    AddComment, CommentCreated, FollowChanged, NewComment, PostCreated, ProfileUpdated, React,
    ReactionRequest, ReactionsChanged, UserRef, WatchProfile,
};
use app::model::ReactionKind;
use serde_json::{Value, json};

on_both_databases!(
    comments_happy_path_and_bad_input,
    reactions_are_one_per_user_and_counted_live,
    concurrent_reaction_toggles_keep_an_exact_count,
    an_upgrade_counts_the_comments_and_reactions_already_stored,
    follows_and_followers_only_posts,
    profiles_are_editable_and_update_live,
    people_suggestions_and_search,
);

async fn comments_happy_path_and_bad_input(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    let post = app.create_post(&a, "comment on me", "public").await;
    let mut c_socket = app.socket(&c).await;
    let mut b_socket = app.socket(&b).await;

    // Over the socket, with an ack carrying the stored comment; everyone who sees the post hears of it.
    let comment = b_socket
        .emit::<AddComment>(&NewComment {
            post_id: post.id,
            text: " nice ".into(),
        })
        .await
        .unwrap()
        .expect("commented");
    assert_eq!(
        (comment.text.as_str(), comment.author.id),
        ("nice", b.user.id)
    );
    let live = c_socket.recv_event::<CommentCreated>(WAIT).await.unwrap();
    assert_eq!((live.comment.id, live.comment_count), (comment.id, 1));

    // Over HTTP, and paged oldest first.
    for i in 0..55 {
        app.comment(&c, post.id.0, &format!("c{i}")).await;
    }
    let (status, page1) = app
        .get(&format!("/api/v1/posts/{}/comments", post.id.0), &a)
        .await;
    assert_eq!(status, 200);
    assert_eq!(page1["comments"].as_array().unwrap().len(), 50);
    assert_eq!(page1["comments"][0]["text"], "nice");
    let after = page1["next_after"].as_i64().unwrap();
    let (_, page2) = app
        .get(
            &format!("/api/v1/posts/{}/comments?after={after}", post.id.0),
            &a,
        )
        .await;
    assert_eq!(page2["comments"].as_array().unwrap().len(), 6);
    assert_eq!(page2["next_after"], Value::Null);
    let (_, fetched) = app.get(&format!("/api/v1/posts/{}", post.id.0), &a).await;
    assert_eq!(fetched["comment_count"], 56);

    let private = app.create_post(&a, "mine only", "private").await;
    let cases = [
        (post.id.0, json!({"text": ""}), 422, "validation"),
        (
            post.id.0,
            json!({"text": "x".repeat(2001)}),
            422,
            "validation",
        ),
        (post.id.0, json!({"text": 3}), 422, "validation"),
        (999_999, json!({"text": "hello?"}), 404, "not_found"),
        (private.id.0, json!({"text": "peek"}), 404, "not_found"),
    ];
    for (post_id, body, status, code) in cases {
        let (got, reply) = app
            .post(&format!("/api/v1/posts/{post_id}/comments"), &b, &body)
            .await;
        assert_eq!(
            (got, reply["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
    }
    let (status, _) = app
        .get(&format!("/api/v1/posts/{}/comments", private.id.0), &b)
        .await;
    assert_eq!(status, 404, "comments of an invisible post are invisible");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments")
        .fetch_one(app.services.db())
        .await
        .unwrap();
    assert_eq!(stored, 56, "nothing half-written");
}

async fn reactions_are_one_per_user_and_counted_live(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let post = app.create_post(&a, "react to me", "public").await;
    let mut a_socket = app.socket(&a).await;
    let mut b_socket = app.socket(&b).await;

    let state = b_socket
        .emit::<React>(&ReactionRequest {
            post_id: post.id,
            kind: Some(ReactionKind::Love),
        })
        .await
        .unwrap()
        .expect("reacted");
    assert_eq!(
        (state.counts.love, state.mine),
        (1, Some(ReactionKind::Love))
    );
    assert_eq!(
        a_socket
            .recv_event::<ReactionsChanged>(WAIT)
            .await
            .unwrap()
            .counts
            .love,
        1
    );

    // The same reaction twice (a double click) is still one; a change replaces it.
    app.react(&b, post.id.0, "love").await;
    app.react(&b, post.id.0, "wow").await;
    app.react(&a, post.id.0, "wow").await;
    let (_, fetched) = app.get(&format!("/api/v1/posts/{}", post.id.0), &b).await;
    assert_eq!(
        (
            fetched["reactions"]["love"].as_i64(),
            fetched["reactions"]["wow"].as_i64()
        ),
        (Some(0), Some(2))
    );
    assert_eq!(fetched["my_reaction"], "wow");
    let (_, who) = app
        .get(&format!("/api/v1/posts/{}/reactions", post.id.0), &a)
        .await;
    let mut names: Vec<&str> = who
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"]["username"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    let mut expected = vec![a.user.username.as_str(), b.user.username.as_str()];
    expected.sort_unstable();
    assert_eq!(names, expected);

    let (status, after) = app
        .delete(&format!("/api/v1/posts/{}/reaction", post.id.0), &b)
        .await;
    assert_eq!(
        (status, after["counts"]["wow"].as_i64(), &after["mine"]),
        (200, Some(1), &Value::Null)
    );

    for (post_id, body, status, code) in [
        (post.id.0, json!({"kind": "meh"}), 422, "validation"),
        (post.id.0, json!({}), 422, "validation"),
        (999_999, json!({"kind": "like"}), 404, "not_found"),
    ] {
        let (got, reply) = app
            .put(
                &format!("/api/v1/posts/{post_id}/reaction"),
                &b,
                Some(&body),
            )
            .await;
        assert_eq!(
            (got, reply["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
    }
}

async fn concurrent_reaction_toggles_keep_an_exact_count(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let b2 = session_of(app.sign_in_raw(&b.user.username, PASSWORD).await).await;
    let post = app.create_post(&a, "hammer me", "public").await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (app, user) = (app.clone(), if i % 2 == 0 { b.clone() } else { b2.clone() });
        tasks.push(tokio::spawn(async move {
            let path = format!("/api/v1/posts/{}/reaction", post.id.0);
            let kinds = ["like", "love", "wow"];
            let (status, body) = if i % 3 == 0 {
                app.delete(&path, &user).await
            } else {
                app.put(&path, &user, Some(&json!({"kind": kinds[i % 3]})))
                    .await
            };
            assert_eq!(status, 200, "{body}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reactions WHERE post_id = $1")
        .bind(post.id.0)
        .fetch_one(app.services.db())
        .await
        .unwrap();
    assert!(rows <= 1, "one reaction per user, got {rows}");
    let (_, fetched) = app.get(&format!("/api/v1/posts/{}", post.id.0), &a).await;
    for kind in ReactionKind::ALL {
        let stored: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM reactions WHERE post_id = $1 AND kind = $2")
                .bind(post.id.0)
                .bind(kind.as_str())
                .fetch_one(app.services.db())
                .await
                .unwrap();
        assert_eq!(
            fetched["reactions"][kind.as_str()].as_i64(),
            Some(stored),
            "the {kind:?} count equals the stored rows: {fetched}"
        );
    }
}

/// A database written before posts kept their counts gets them right on upgrade, and
/// the counts follow every later change.
async fn an_upgrade_counts_the_comments_and_reactions_already_stored(db: Db) {
    use server::store;
    let (url, _dir, old) = database_before_migration(db, "0007").await;
    let users = insert_users(&old, &["ann", "bob", "cy"]).await;
    let mut posts = Vec::new();
    for text in ["busy", "quiet"] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (author_id, text, color, privacy, created_at) \
             VALUES ($1, $2, 'plain', 'public', 0) RETURNING id",
        )
        .bind(users[0])
        .bind(text)
        .fetch_one(&old)
        .await
        .unwrap();
        posts.push(id);
    }
    for (user, kind) in [(0, "like"), (1, "like"), (2, "angry")] {
        sqlx::query(
            "INSERT INTO reactions (post_id, user_id, kind, created_at) VALUES ($1, $2, $3, 0)",
        )
        .bind(posts[0])
        .bind(users[user])
        .bind(kind)
        .execute(&old)
        .await
        .unwrap();
    }
    for user in [1, 2, 1] {
        sqlx::query(
            "INSERT INTO comments (post_id, author_id, text, created_at) VALUES ($1, $2, 'hi', 0)",
        )
        .bind(posts[0])
        .bind(users[user])
        .execute(&old)
        .await
        .unwrap();
    }
    old.close().await;

    let upgraded = server::db::connect(&url, server::db::DEFAULT_ACQUIRE_TIMEOUT)
        .await
        .unwrap();
    let mut conn = upgraded.acquire().await.unwrap();
    let (busy, quiet) = (app::model::PostId(posts[0]), app::model::PostId(posts[1]));
    let reader = app::model::UserId(users[1]);
    let read = async |conn: &mut store::Conn, id| {
        let post = store::posts::get(conn, reader, id).await.unwrap().unwrap();
        (
            post.comment_count,
            post.reactions.like,
            post.reactions.angry,
            post.reactions.wow,
        )
    };
    assert_eq!(read(&mut conn, busy).await, (3, 2, 1, 0));
    assert_eq!(read(&mut conn, quiet).await, (0, 0, 0, 0));

    // From now on the triggers keep them: a change of kind, a removal, a new comment.
    store::reactions::set(
        &mut conn,
        busy,
        app::model::UserId(users[2]),
        ReactionKind::Wow,
        1,
    )
    .await
    .unwrap();
    store::reactions::remove(&mut conn, busy, app::model::UserId(users[0]))
        .await
        .unwrap();
    store::comments::insert(&mut conn, quiet, reader, "first", 1)
        .await
        .unwrap();
    assert_eq!(read(&mut conn, busy).await, (3, 1, 0, 1));
    assert_eq!(read(&mut conn, quiet).await, (1, 0, 0, 0));
    assert_eq!(
        store::reactions::counts(&mut conn, busy)
            .await
            .unwrap()
            .like,
        1
    );
    assert_eq!(store::comments::count(&mut conn, quiet).await.unwrap(), 1);
}

async fn follows_and_followers_only_posts(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    let mut a_watch = app.socket(&a).await;
    a_watch
        .emit::<WatchProfile>(&UserRef { user: a.user.id })
        .await
        .unwrap()
        .expect("watching");
    app.follow(&b, &a).await;
    let counts = a_watch.recv_event::<FollowChanged>(WAIT).await.unwrap();
    assert_eq!((counts.user, counts.followers), (a.user.id, 1));
    app.follow(&b, &a).await; // idempotent

    let (_, profile) = app
        .get(&format!("/api/v1/users/{}", a.user.username), &b)
        .await;
    assert_eq!(
        (
            profile["followers"].as_i64(),
            profile["followed_by_me"].as_bool()
        ),
        (Some(1), Some(true))
    );
    let (_, followers) = app
        .get(&format!("/api/v1/users/{}/followers", a.user.username), &c)
        .await;
    assert_eq!(followers[0]["username"], b.user.username.as_str());
    let (_, following) = app
        .get(&format!("/api/v1/users/{}/following", b.user.username), &c)
        .await;
    assert_eq!(following[0]["username"], a.user.username.as_str());

    // A followers-only post reaches the author and followers, live and on reads, and nobody else.
    let mut b_socket = app.socket(&b).await;
    let mut c_socket = app.socket(&c).await;
    let post = app.create_post(&a, "for my followers", "followers").await;
    assert_eq!(
        b_socket
            .recv_event::<PostCreated>(WAIT)
            .await
            .unwrap()
            .post
            .id,
        post.id
    );
    assert!(
        c_socket
            .collect_frames(QUIET)
            .await
            .iter()
            .all(|f| !f.contains("for my followers"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/posts/{}", post.id.0), &b).await.0,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/posts/{}", post.id.0), &c).await.0,
        404
    );
    assert!(app.feed(&c, None).await.posts.is_empty());

    let (status, _) = app
        .delete(&format!("/api/v1/users/{}/follow", a.user.username), &b)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.get(&format!("/api/v1/posts/{}", post.id.0), &b).await.0,
        404,
        "no longer a follower"
    );

    let (status, reply) = app
        .put(
            &format!("/api/v1/users/{}/follow", a.user.username),
            &a,
            None,
        )
        .await;
    assert_eq!(
        (status, reply["field"].as_str()),
        (422, Some("user")),
        "cannot follow oneself"
    );
    assert_eq!(
        app.put("/api/v1/users/nobody_at_all/follow", &a, None)
            .await
            .0,
        404
    );
}

async fn profiles_are_editable_and_update_live(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut b_socket = app.socket(&b).await;
    b_socket
        .emit::<WatchProfile>(&UserRef { user: a.user.id })
        .await
        .unwrap()
        .expect("watching");
    let info = json!({"bio": " Rustacean ", "location": "Lyon", "website": "https://example.org"});
    let (status, profile) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/me/profile",
            &a,
            Some(&info),
        )
        .await;
    assert_eq!(
        (status, profile["info"]["bio"].as_str()),
        (200, Some("Rustacean"))
    );
    let live = b_socket.recv_event::<ProfileUpdated>(WAIT).await.unwrap();
    assert_eq!(
        (live.user.id, live.info.location.as_str()),
        (a.user.id, "Lyon")
    );
    let (_, seen) = app
        .get(
            &format!("/api/v1/users/{}", a.user.username.to_uppercase()),
            &b,
        )
        .await;
    assert_eq!(seen["info"]["website"], "https://example.org");

    for (body, field) in [
        (json!({"bio": "b".repeat(161)}), "bio"),
        (json!({"location": "l".repeat(61)}), "location"),
        (json!({"website": "javascript:alert(1)"}), "website"),
        (json!({"bio": 7}), "bio"),
    ] {
        let (status, reply) = app
            .call(
                reqwest::Method::PATCH,
                "/api/v1/me/profile",
                &a,
                Some(&body),
            )
            .await;
        assert_eq!(
            (status, reply["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
    }
    let (_, unchanged) = app
        .get(&format!("/api/v1/users/{}", a.user.username), &a)
        .await;
    assert_eq!(
        unchanged["info"]["bio"], "Rustacean",
        "nothing half-written"
    );
    let mine = app.create_post(&a, "on my profile", "public").await;
    let (_, posts) = app
        .get(&format!("/api/v1/users/{}/posts", a.user.username), &b)
        .await;
    assert_eq!(posts["posts"][0]["id"].as_i64(), Some(mine.id.0));
    assert_eq!(app.get("/api/v1/users/nobody_at_all", &a).await.0, 404);
}

async fn people_suggestions_and_search(db: Db) {
    let app = TestApp::spawn(db).await;
    let me = app.user().await;
    let (friend, fof, popular, loner) = (
        app.user().await,
        app.user().await,
        app.user().await,
        app.user().await,
    );
    app.follow(&me, &friend).await;
    app.follow(&friend, &fof).await;
    app.follow(&friend, &popular).await;
    app.follow(&loner, &popular).await;
    app.follow(&fof, &popular).await;

    let (_, people) = app.get("/api/v1/people", &me).await;
    let listed: Vec<&str> = people["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 4, "everyone but me: {listed:?}");
    assert!(!listed.contains(&me.user.username.as_str()));

    let (_, suggestions) = app.get("/api/v1/people/suggestions", &me).await;
    let order: Vec<&str> = suggestions
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user"]["username"].as_str().unwrap())
        .collect();
    // Followed by my friend first (popular has more followers, then fof), then the rest; never friend (followed).
    assert_eq!(
        order,
        [
            popular.user.username.as_str(),
            fof.user.username.as_str(),
            loner.user.username.as_str()
        ]
    );

    let prefix = &loner.user.username[..loner.user.username.len() - 1];
    let (_, found) = app
        .get(
            &format!("/api/v1/people/search?q={}", prefix.to_uppercase()),
            &me,
        )
        .await;
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["user"]["id"].as_i64() == Some(loner.user.id.0)),
        "{found}"
    );
    let (_, none) = app.get("/api/v1/people/search?q=%25", &me).await;
    assert_eq!(none, json!([]), "% is not a wildcard");
    let (status, _) = app
        .get(&format!("/api/v1/people/search?q={}", "x".repeat(31)), &me)
        .await;
    assert_eq!(status, 422);
}
