//! Socket.IO: who may connect, and which sockets receive which post events.

use crate::helpers::*;
use crate::on_both_databases;
use app::events::{
    CreatePost, DeletePost, EditPost, PostCreated, PostDeleted, PostEdit, PostRef, PostUpdated,
};
use app::model::Privacy;
use app::realtime::native::NativeError;
use serde_json::json;

on_both_databases!(
    sockets_need_a_valid_session,
    sockets_from_another_site_are_refused,
    a_post_reaches_other_users_with_its_stored_id,
    a_private_post_reaches_only_the_authors_sockets,
    edits_and_deletes_propagate,
    posts_over_the_socket_are_acked_with_the_stored_post,
    privacy_changes_add_and_remove_the_post_live,
);

async fn sockets_need_a_valid_session(db: Db) {
    let app = TestApp::spawn(db).await;
    for cookie in [None, Some("sid=not-a-session"), Some("other=1")] {
        match app.socket_raw(cookie, Some(&app.base)).await {
            Err(NativeError::ConnectError { message, .. }) => {
                assert!(message.contains("unauthorized"), "{message}")
            }
            other => panic!(
                "{cookie:?} should be refused with connect_error, got {:?}",
                other.map(|_| "a socket")
            ),
        }
    }
}

async fn sockets_from_another_site_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app.user().await;
    match app
        .socket_raw(Some(&a.cookie), Some("http://evil.example"))
        .await
    {
        Err(NativeError::Rejected { status }) => assert_eq!(status, 403),
        other => panic!(
            "cross-site socket should be refused, got {:?}",
            other.map(|_| "a socket")
        ),
    }
    // The same cookie from our own origin works.
    let ok = app.socket(&a).await;
    assert!(ok.is_open());
    // State-changing HTTP from another site is refused too, and writes nothing.
    let res = app
        .request(reqwest::Method::POST, "/api/v1/posts", Some(&a))
        .header("origin", "http://evil.example")
        .json(&json!({"text": "csrf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res, 403).await.0, "bad_origin");
    assert_eq!(app.stored_posts().await, 0);
}

async fn a_post_reaches_other_users_with_its_stored_id(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut b_socket = app.socket(&b).await;
    let post = app.create_post(&a, "hello B", "public").await;
    let got = b_socket.recv_event::<PostCreated>(WAIT).await.unwrap();
    assert_eq!(got.post.id, post.id);
    assert_eq!(got.post, post, "the stored post, as the author got it");
}

async fn a_private_post_reaches_only_the_authors_sockets(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    let mut a_tab1 = app.socket(&a).await;
    let mut a_tab2 = app.socket(&a).await;
    let mut b_socket = app.socket(&b).await;
    let mut c_socket = app.socket(&c).await;

    let private = app.create_post(&a, "secret diary", "private").await;
    for tab in [&mut a_tab1, &mut a_tab2] {
        assert_eq!(
            tab.recv_event::<PostCreated>(WAIT).await.unwrap().post.id,
            private.id
        );
    }
    for other in [&mut b_socket, &mut c_socket] {
        let frames = other.collect_frames(QUIET).await;
        assert!(
            frames
                .iter()
                .all(|f| !f.contains("secret diary") && !f.contains("post:")),
            "leaked: {frames:?}"
        );
    }
    // Their sockets were live all along: a public post does reach them.
    let public = app.create_post(&a, "hello all", "public").await;
    for other in [&mut b_socket, &mut c_socket] {
        assert_eq!(
            other.recv_event::<PostCreated>(WAIT).await.unwrap().post.id,
            public.id
        );
    }
}

async fn edits_and_deletes_propagate(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut b_socket = app.socket(&b).await;
    let post = app.create_post(&a, "first", "public").await;
    b_socket.recv_event::<PostCreated>(WAIT).await.unwrap();

    assert_eq!(
        app.edit_post_raw(Some(&a), post.id.0, &json!({"text": "second"}))
            .await
            .status(),
        200
    );
    let updated = b_socket.recv_event::<PostUpdated>(WAIT).await.unwrap();
    assert_eq!(
        (updated.post.id, updated.post.text.as_str()),
        (post.id, "second")
    );

    assert_eq!(app.delete_post_raw(Some(&a), post.id.0).await.status(), 204);
    assert_eq!(
        b_socket.recv_event::<PostDeleted>(WAIT).await.unwrap().id,
        post.id
    );
}

async fn posts_over_the_socket_are_acked_with_the_stored_post(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut a_socket = app.socket(&a).await;
    let mut b_socket = app.socket(&b).await;

    let post = a_socket
        .emit::<CreatePost>(&draft("over the wire"))
        .await
        .unwrap()
        .expect("created");
    assert_eq!(
        app.get_post_raw(Some(&a), post.id.0).await.status(),
        200,
        "stored before the ack"
    );
    assert_eq!(
        b_socket
            .recv_event::<PostCreated>(WAIT)
            .await
            .unwrap()
            .post
            .id,
        post.id
    );

    let edit = PostEdit {
        id: post.id,
        draft: draft("edited over the wire"),
    };
    let edited = a_socket
        .emit::<EditPost>(&edit)
        .await
        .unwrap()
        .expect("edited");
    assert_eq!(edited.text, "edited over the wire");
    assert_eq!(
        b_socket
            .recv_event::<PostUpdated>(WAIT)
            .await
            .unwrap()
            .post
            .text,
        "edited over the wire"
    );

    // B may not delete A's post: an error ack, and the post stays.
    let refused = b_socket
        .emit::<DeletePost>(&PostRef { id: post.id })
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.code, app::error::ErrorCode::Forbidden);
    let deleted = a_socket
        .emit::<DeletePost>(&PostRef { id: post.id })
        .await
        .unwrap()
        .expect("deleted");
    assert_eq!(deleted.id, post.id);
    assert_eq!(
        b_socket.recv_event::<PostDeleted>(WAIT).await.unwrap().id,
        post.id
    );
}

async fn privacy_changes_add_and_remove_the_post_live(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let mut b_socket = app.socket(&b).await;
    let post = app.create_post(&a, "now you see me", "public").await;
    b_socket.recv_event::<PostCreated>(WAIT).await.unwrap();

    let to_private = json!({"text": "now you don't", "privacy": Privacy::Private.as_str()});
    assert_eq!(
        app.edit_post_raw(Some(&a), post.id.0, &to_private)
            .await
            .status(),
        200
    );
    assert_eq!(
        b_socket.recv_event::<PostDeleted>(WAIT).await.unwrap().id,
        post.id
    );
    let frames = b_socket.collect_frames(QUIET).await;
    assert!(
        frames.iter().all(|f| !f.contains("now you don't")),
        "private text leaked: {frames:?}"
    );

    assert_eq!(
        app.edit_post_raw(
            Some(&a),
            post.id.0,
            &json!({"text": "back", "privacy": "public"})
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        b_socket
            .recv_event::<PostCreated>(WAIT)
            .await
            .unwrap()
            .post
            .text,
        "back"
    );
}
