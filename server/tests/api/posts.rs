//! Posts over HTTP: create, read, edit, delete, feed pagination and privacy.

use crate::helpers::*;
use crate::on_both_databases;
use app::model::{FEED_PAGE_SIZE, Post};
use serde_json::json;

on_both_databases!(
    create_edit_delete,
    feed_pages_are_stable_under_inserts,
    private_posts_are_the_authors_alone,
    others_posts_are_403_and_missing_are_404
);

async fn create_edit_delete(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app.user().await;
    let res = app
        .create_post_raw(
            Some(&a),
            &json!({"text": "  hello  ", "color": "mint", "feeling": "happy", "privacy": "public"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let post: Post = res.json().await.unwrap();
    assert_eq!(post.text, "hello", "trimmed");
    assert_eq!(post.author.id, a.user.id);
    assert_eq!(post.feeling, Some(app::model::Feeling::Happy));
    assert_eq!(post.edited_at, None);

    let res = app
        .edit_post_raw(
            Some(&a),
            post.id.0,
            &json!({"text": "hello again", "color": "sun"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let edited: Post = res.json().await.unwrap();
    assert_eq!(
        (edited.text.as_str(), edited.color.as_str()),
        ("hello again", "sun")
    );
    assert!(edited.edited_at.is_some());
    let fetched: Post = app
        .get_post_raw(Some(&a), post.id.0)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, edited);

    assert_eq!(app.delete_post_raw(Some(&a), post.id.0).await.status(), 204);
    assert_eq!(
        error_code(app.get_post_raw(Some(&a), post.id.0).await, 404)
            .await
            .0,
        "not_found"
    );
    assert_eq!(app.stored_posts().await, 0);
}

async fn feed_pages_are_stable_under_inserts(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = app.user().await;
    let mut ids = Vec::new();
    for i in 0..(FEED_PAGE_SIZE + 5) {
        ids.push(app.create_post(&a, &format!("post {i}"), "public").await.id);
    }
    let first = app.feed(&a, None).await;
    assert_eq!(first.posts.len(), FEED_PAGE_SIZE);
    assert_eq!(first.posts[0].id, *ids.last().unwrap(), "newest first");
    // New posts arrive between page loads; the next page neither repeats nor skips.
    app.create_post(&a, "late arrival", "public").await;
    let second = app.feed(&a, first.next_before.map(|b| b.0)).await;
    assert_eq!(second.posts.len(), 5);
    assert_eq!(second.next_before, None);
    let mut seen: Vec<_> = first
        .posts
        .iter()
        .chain(&second.posts)
        .map(|p| p.id)
        .collect();
    seen.reverse();
    assert_eq!(seen, ids);
}

async fn private_posts_are_the_authors_alone(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let private = app.create_post(&a, "just for me", "private").await;
    let public = app.create_post(&a, "for all", "public").await;
    let a_feed: Vec<_> = app
        .feed(&a, None)
        .await
        .posts
        .iter()
        .map(|p| p.id)
        .collect();
    let b_feed: Vec<_> = app
        .feed(&b, None)
        .await
        .posts
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(a_feed, [public.id, private.id]);
    assert_eq!(b_feed, [public.id]);
    assert_eq!(
        error_code(app.get_post_raw(Some(&b), private.id.0).await, 404)
            .await
            .0,
        "not_found"
    );
}

async fn others_posts_are_403_and_missing_are_404(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b) = (app.user().await, app.user().await);
    let post = app.create_post(&a, "mine", "public").await;
    let (code, _) = error_code(
        app.edit_post_raw(Some(&b), post.id.0, &json!({"text": "hijack"}))
            .await,
        403,
    )
    .await;
    assert_eq!(code, "forbidden");
    assert_eq!(
        error_code(app.delete_post_raw(Some(&b), post.id.0).await, 403)
            .await
            .0,
        "forbidden"
    );
    assert_eq!(
        error_code(app.delete_post_raw(Some(&a), 999_999).await, 404)
            .await
            .0,
        "not_found"
    );
    assert_eq!(
        error_code(
            app.edit_post_raw(Some(&a), 999_999, &json!({"text": "x"}))
                .await,
            404
        )
        .await
        .0,
        "not_found"
    );
    let unchanged: Post = app
        .get_post_raw(Some(&a), post.id.0)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged.text, "mine");
}
