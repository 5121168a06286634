//! The site's static files (the WebAssembly app, its script and styles, the
//! service worker) as a browser fetches them: always the file, whatever
//! pages are rendered beside them.

use crate::common::{spawn_app_with, Backend};
use futures_util::future::join_all;

/// A page that is not found and a file that is, asked for at the same time,
/// many times over: every file answer is the file with status 200. The
/// server once served files through a handler whose reactive owner could
/// pick up a page's response options rendered on the same thread; the
/// app's WebAssembly then came back with the 404 of a missing image beside
/// it and the page never hydrated.
async fn files_are_never_answered_with_a_pages_status(backend: Backend) {
    let body = "body { color: #123456 }\n".repeat(200);
    let Some(app) = spawn_app_with(backend, |c| {
        c.site_root = c.data_dir.join("site");
        std::fs::create_dir_all(c.site_root.join("pkg")).unwrap();
        std::fs::write(c.site_root.join("pkg/style.css"), &body).unwrap();
    })
    .await
    else {
        return;
    };

    for _round in 0..10 {
        let requests = (0..40).map(|i| {
            let url = if i % 2 == 0 {
                format!("{}/pkg/style.css", app.base)
            } else {
                format!("{}/nothing-here-{i}.png", app.base)
            };
            let client = app.client.clone();
            async move {
                let res = client.get(&url).send().await.unwrap();
                (url, res.status().as_u16(), res.text().await.unwrap())
            }
        });
        for (url, status, text) in join_all(requests).await {
            if url.ends_with("style.css") {
                assert_eq!(status, 200, "{url}");
                assert_eq!(text, body, "{url}");
            } else {
                assert_eq!(status, 404, "{url}");
                assert!(text.contains("<html"), "the app's own 404 page: {url}");
            }
        }
    }
}
on_both_backends!(
    files_are_never_answered_with_a_pages_status,
    files_are_never_answered_with_a_pages_status
);
