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
