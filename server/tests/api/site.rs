//! The built site's files (WASM, JS, CSS) as the browser fetches them.

use crate::helpers::*;

/// A page the router does not know renders the 404 page while the browser fetches the
/// site's files; each file must still come back 200, whatever runs beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_files_keep_their_status_beside_a_not_found_page() {
    let root = std::env::temp_dir().join(unique("chatty_site_"));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    let script = "export function hydrate() {}\n".repeat(200);
    std::fs::write(root.join("pkg").join("chunk.js"), &script).unwrap();
    let site_root = root.display().to_string();
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.site_root = site_root).await;
    let http = reqwest::Client::new();

    let mut file_statuses = Vec::new();
    for _ in 0..100 {
        let missing = http.get(app.url("/no-such-page")).send();
        let files =
            futures::future::join_all((0..3).map(|_| http.get(app.url("/pkg/chunk.js")).send()));
        let (missing, files) = tokio::join!(missing, files);
        assert_eq!(missing.unwrap().status(), 404, "an unknown page is a 404");
        for file in files {
            let file = file.unwrap();
            file_statuses.push(file.status().as_u16());
            assert_eq!(file.text().await.unwrap(), script, "the file's bytes");
        }
    }
    let wrong = file_statuses.iter().filter(|&&s| s != 200).count();
    assert_eq!(
        wrong,
        0,
        "{wrong} of {} file responses were not 200",
        file_statuses.len()
    );

    let absent = http.get(app.url("/pkg/absent.js")).send().await.unwrap();
    assert_eq!(absent.status(), 404, "a file that is not there");
    std::fs::remove_dir_all(&root).unwrap();
}

/// The feed page as the server renders it: each post once, escaped, with its links, its
/// date as an ISO instant, its reaction counts and its comment count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_page_renders_each_post_as_stored() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (a, b) = (app.user().await, app.user().await);
    let older = app.create_post(&a, "older post", "public").await;
    let post = app
        .create_post(&a, "first <b>bold</b> & more", "public")
        .await;
    app.react(&b, post.id.0, "love").await;
    app.comment(&b, post.id.0, "nice").await;

    let res = app
        .request(reqwest::Method::GET, "/", Some(&a))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();

    for p in [&older, &post] {
        let card = format!("data-post-id=\"{}\"", p.id.0);
        assert_eq!(
            html.matches(&card).count(),
            1,
            "one card for post {}",
            p.id.0
        );
        let when = app::components::time::format_iso(p.created_at);
        assert!(
            html.contains(&format!("<time datetime=\"{when}\">")),
            "{when} in {html}"
        );
    }
    assert!(
        html.contains("first &lt;b&gt;bold&lt;/b&gt; &amp; more"),
        "escaped text"
    );
    assert!(!html.contains("<b>bold</b>"), "no markup from a post");
    let link = format!("href=\"/posts/{}\"", post.id.0);
    assert_eq!(
        html.matches(&link).count(),
        2,
        "the time and the comment count link"
    );
    assert!(html.contains(">1 comment<"), "the comment count");
    // The reader did not react: love shows its count, unpressed; the others no count.
    assert!(
        html.contains("aria-label=\"React love\" aria-pressed=\"false\">❤️ 1<"),
        "love's count"
    );
    assert!(
        html.contains("aria-label=\"React like\" aria-pressed=\"false\">👍<"),
        "like without a count"
    );
}
