//! The built site's files (WASM, JS, CSS) as the browser fetches them.

use crate::helpers::*;
use std::path::PathBuf;

/// The script every test site serves as its one file.
fn script() -> String {
    "export function hydrate() {}\n".repeat(200)
}

/// A server whose site root (its folder, removed by the caller) holds `pkg/<file>` with
/// [`script`] in it.
async fn app_with_site_file(file: &str) -> (TestApp, PathBuf) {
    let root = std::env::temp_dir().join(unique("chatty_site_"));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg").join(file), script()).unwrap();
    let site_root = root.display().to_string();
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.site_root = site_root).await;
    (app, root)
}

/// A page the router does not know renders the 404 page while the browser fetches the
/// site's files; each file must still come back 200, whatever runs beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_files_keep_their_status_beside_a_not_found_page() {
    let (app, root) = app_with_site_file("chunk.js").await;
    let script = script();
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

/// What a browser asking for gzip gets: the page, its JSON and the site's files each
/// compressed once (files at their own level, pages and JSON at the fastest), with
/// `Vary` so caches keep the two forms apart; a client that does not ask gets plain bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_json_and_files_come_gzipped_once_when_asked() {
    let (app, root) = app_with_site_file("app.js").await;
    let script = script();
    let a = app.user().await;
    let text = "a post long enough to be worth compressing ".repeat(4);
    app.create_post(&a, text.trim(), "public").await;

    let gunzip = |bytes: &[u8]| {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut out)
            .expect("one gzip layer around UTF-8");
        out
    };
    let fetch = async |path: &str, gzip: bool| {
        let mut req = app.request(reqwest::Method::GET, path, Some(&a));
        if gzip {
            req = req.header("accept-encoding", "gzip");
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let encoding = res.headers().get("content-encoding").cloned();
        let vary = res.headers().get("vary").cloned();
        (encoding, vary, res.bytes().await.unwrap())
    };

    for path in ["/", "/api/v1/posts", "/pkg/app.js"] {
        let (encoding, vary, body) = fetch(path, true).await;
        assert_eq!(
            encoding.as_ref().map(|e| e.to_str().unwrap()),
            Some("gzip"),
            "{path}"
        );
        assert!(
            vary.is_some_and(|v| v.to_str().unwrap().contains("accept-encoding")),
            "{path}: Vary names Accept-Encoding"
        );
        let (plain_encoding, _, plain) = fetch(path, false).await;
        assert_eq!(plain_encoding, None, "{path}: not asked, not compressed");
        let plain = String::from_utf8(plain.to_vec()).unwrap();
        let unzipped = gunzip(&body);
        if path == "/pkg/app.js" {
            assert_eq!(unzipped, script, "the file, compressed once");
        } else {
            assert!(unzipped.contains(text.trim()), "{path}: {unzipped}");
            assert!(plain.contains(text.trim()), "{path}: {plain}");
        }
        assert!(
            body.len() < plain.len(),
            "{path}: {} >= {}",
            body.len(),
            plain.len()
        );
    }
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

    let (status, html) = app.page("/", &a).await;
    assert_eq!(status, 200);

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

/// A page whose data does not exist says so and offers the feed: trying again would
/// get the same answer (a failure that may pass offers "Try again" instead).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_post_offers_the_feed_not_a_retry() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let a = app.user().await;
    let (status, html) = app.page("/posts/999999", &a).await;
    assert_eq!(status, 404);
    assert!(html.contains(">Post not found.<"), "{html}");
    assert!(
        html.contains("<a href=\"/\" class=\"button\">Back to the feed</a>"),
        "{html}"
    );
    assert!(!html.contains("Try again"), "{html}");
}

/// A page that shows who is online names the first few and counts the rest (the page
/// carries its list, so it must not grow with everyone online); a page that shows no
/// presence carries no list at all. The watch over the socket still gives everyone.
/// A green dot does not depend on that short list: a person's card and a conversation
/// say whether their one user is online.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_short_online_list_or_none() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let viewer = app.user().await;
    let offline = app.user_named("p00_").await;
    let (mut watch, _) = app.watcher(&viewer).await;
    let others = app::model::ONLINE_SHOWN + 2;
    let mut sockets = Vec::new();
    let mut names = Vec::new();
    for i in 0..others {
        // Created first, named last: the people page (by id) shows the first created,
        // and the first two of them are beyond the page's list (by name).
        let user = app.user_named(&format!("p{:02}_", 99 - i)).await;
        sockets.push(app.socket(&user).await);
        // Recorded once the viewer hears of it.
        let change = watch
            .recv_event::<app::events::PresenceChanged>(WAIT)
            .await
            .unwrap();
        assert_eq!((change.user.id, change.online), (user.user.id, true));
        names.push(user.user.username);
    }
    names.sort();

    let html = async |path: String| {
        let (status, html) = app.page(&path, &viewer).await;
        assert_eq!(status, 200, "{path}");
        html
    };
    let people = html("/people".into()).await;
    assert_eq!(
        people.matches("data-testid=\"online-user\"").count(),
        app::model::ONLINE_SHOWN,
        "{people}"
    );
    for (i, name) in names.iter().enumerate() {
        let listed = format!("data-testid=\"online-user\" data-username=\"{name}\"");
        assert_eq!(
            people.contains(&listed),
            i < app::model::ONLINE_SHOWN,
            "{name}"
        );
    }
    assert!(people.contains(">and 2 more<"), "{people}");
    // Each person's card says whether they are online, listed or not.
    let card = |name: &str| {
        let start = people
            .find(&format!("data-testid=\"person\" data-username=\"{name}\""))
            .unwrap_or_else(|| panic!("no card for {name}: {people}"));
        let end = start + people[start..].find("</li>").unwrap();
        people[start..end].to_owned()
    };
    let dot = "data-testid=\"online-dot\"";
    for name in &names[app::model::ONLINE_SHOWN..] {
        assert!(card(name).contains(dot), "{name} beyond the list has a dot");
    }
    let listed = &names[app::model::ONLINE_SHOWN - 1];
    assert!(card(listed).contains(dot), "{listed} has a dot");
    assert!(
        !card(&offline.user.username).contains(dot),
        "offline, no dot"
    );
    let api: app::model::PeoplePage = app
        .request(reqwest::Method::GET, "/api/v1/people", Some(&viewer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for c in &api.people {
        assert_eq!(
            c.online,
            c.user.id != offline.user.id,
            "{}",
            c.user.username
        );
    }

    // A conversation shows its partner's dot from the conversation, not from a list.
    let last = names.last().unwrap();
    let chat = html(format!("/chat/{last}")).await;
    assert_eq!(chat.matches(dot).count(), 1, "{last} is online: {chat}");
    assert!(!chat.contains(names[0].as_str()), "no online list: {chat}");
    let chat = html(format!("/chat/{}", offline.user.username)).await;
    assert!(!chat.contains(dot), "offline: {chat}");

    let feed = html("/".into()).await;
    for name in &names {
        assert!(!feed.contains(name.as_str()), "{name} on the feed page");
    }

    let (_, everyone) = app.watcher(&viewer).await;
    assert_eq!(everyone.users.len(), others);
    assert_eq!(everyone.more, 0);
}
