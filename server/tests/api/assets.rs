//! The site's files as a browser gets them: the content-hashed names pages
//! use, the precompressed copy the browser accepts (never compressed on the
//! fly), a year of caching for hashed files and revalidation (304) for the
//! rest, and nothing outside the site folder. The site is a small one
//! written for each test, laid out as `make site` lays it out; its
//! "compressed" copies hold marker bytes, so a test sees which file was sent.

use crate::common::{spawn_app_with, Backend, TestApp};
use futures_util::future::join_all;
use std::path::Path;

const BUNDLE: &str = "rapport.0123456789abcdef";
const CSS: &str = "rapport.fedcba9876543210.css";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Text worth compressing (the compression layer would take it).
fn text(what: &str) -> String {
    format!("/* {what} */\n").repeat(200)
}

fn write_site(root: &Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let write = |path: &Path, body: &[u8]| std::fs::write(path, body).unwrap();
    write(
        &pkg.join("assets.json"),
        format!(r#"{{"js":"{BUNDLE}.js","wasm":"{BUNDLE}.wasm","css":"{CSS}"}}"#).as_bytes(),
    );
    for (name, body) in [
        (format!("{BUNDLE}.js"), text("script")),
        (format!("{BUNDLE}.wasm"), text("module")),
        (CSS.to_owned(), text("style")),
    ] {
        write(&pkg.join(&name), body.as_bytes());
    }
    // The stylesheet has no compressed copies: a file that did not shrink.
    for name in [format!("{BUNDLE}.js"), format!("{BUNDLE}.wasm")] {
        write(&pkg.join(format!("{name}.br")), b"BROTLI COPY");
        write(&pkg.join(format!("{name}.gz")), b"GZIP COPY");
    }
    write(&root.join("sw.js"), text("worker").as_bytes());
    write(&root.join("sw.js.br"), b"BROTLI WORKER");
}

async fn app_with_site() -> TestApp {
    spawn_app_with(Backend::Sqlite, |config| {
        config.site_root = config.data_dir.join("site");
        write_site(&config.site_root);
    })
    .await
    .unwrap()
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{path}", app.base));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn pages_load_the_hashed_files_and_are_asked_for_again_on_each_visit() {
    let app = app_with_site().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), Some("private, no-cache"));
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("/pkg/{BUNDLE}.js")), "{html}");
    assert!(html.contains(&format!("/pkg/{BUNDLE}.wasm")), "{html}");
    assert!(html.contains(&format!(
        r#"<link rel="stylesheet" id="leptos" href="/pkg/{CSS}">"#
    )));
    assert!(!html.contains("/pkg/rapport.js") && !html.contains("/pkg/rapport.css"));
}

#[tokio::test]
async fn hashed_files_are_sent_as_the_copy_the_browser_accepts_and_kept_a_year() {
    let app = app_with_site().await;
    let path = format!("/pkg/{BUNDLE}.wasm");
    for (accept, encoding, body) in [
        (
            Some("gzip, deflate, br"),
            Some("br"),
            b"BROTLI COPY".to_vec(),
        ),
        (Some("gzip"), Some("gzip"), b"GZIP COPY".to_vec()),
        (None, None, text("module").into_bytes()),
        (Some("identity"), None, text("module").into_bytes()),
    ] {
        let headers: Vec<_> = accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let res = get(&app, &path, &headers).await;
        assert_eq!(res.status(), 200, "{accept:?}");
        assert_eq!(header(&res, "content-encoding"), encoding, "{accept:?}");
        assert_eq!(header(&res, "content-type"), Some("application/wasm"));
        assert_eq!(header(&res, "cache-control"), Some(IMMUTABLE));
        assert_eq!(header(&res, "vary"), Some("accept-encoding"));
        // The security headers every response carries.
        assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
        assert!(header(&res, "content-security-policy").is_some());
        assert_eq!(res.bytes().await.unwrap().to_vec(), body, "{accept:?}");
    }
    let script = get(
        &app,
        &format!("/pkg/{BUNDLE}.js"),
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(header(&script, "content-type"), Some("text/javascript"));
    assert_eq!(header(&script, "cache-control"), Some(IMMUTABLE));
    assert_eq!(script.bytes().await.unwrap().as_ref(), b"BROTLI COPY");
}

#[tokio::test]
async fn a_file_without_a_compressed_copy_is_sent_as_stored_never_compressed_on_the_fly() {
    let app = app_with_site().await;
    let res = get(
        &app,
        &format!("/pkg/{CSS}"),
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-encoding"), None);
    assert_eq!(header(&res, "content-type"), Some("text/css"));
    assert_eq!(header(&res, "cache-control"), Some(IMMUTABLE));
    assert_eq!(res.text().await.unwrap(), text("style"));
}

#[tokio::test]
async fn the_service_worker_is_revalidated_and_not_sent_again_when_unchanged() {
    let app = app_with_site().await;
    let res = get(&app, "/sw.js", &[("accept-encoding", "br")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), Some("no-cache"));
    assert_eq!(header(&res, "content-encoding"), Some("br"));
    let modified = header(&res, "last-modified")
        .expect("a Last-Modified date")
        .to_owned();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"BROTLI WORKER");

    let again = get(
        &app,
        "/sw.js",
        &[("accept-encoding", "br"), ("if-modified-since", &modified)],
    )
    .await;
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "cache-control"), Some("no-cache"));
    assert!(again.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_files_are_the_not_found_page_and_nothing_outside_the_site_is_served() {
    let app = app_with_site().await;
    // An older build's file: the app's not-found page, not cached.
    let res = app.get("/pkg/rapport.1111111111111111.wasm").await;
    assert_eq!(res.status(), 404);
    assert!(header(&res, "content-type")
        .unwrap()
        .starts_with("text/html"));
    assert_ne!(header(&res, "cache-control"), Some(IMMUTABLE));
    // The session key lies in the data directory, beside the site folder.
    assert!(app.data_dir.join("secret.key").exists());
    for path in [
        "/..%2fsecret.key",
        "/%2e%2e/secret.key",
        "/pkg/..%2f..%2fsecret.key",
        "/pkg/%2e%2e%2f%2e%2e%2fsecret.key",
        "/..%5csecret.key",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        let body = res.bytes().await.unwrap();
        let key = std::fs::read(app.data_dir.join("secret.key")).unwrap();
        assert!(
            !body.windows(key.len()).any(|w| w == key.as_slice()),
            "{path}"
        );
    }
    // A directory is not listed.
    assert_eq!(app.get("/pkg/").await.status(), 404);
}

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

/// A split site: the page `/account` is a lazy route whose view needs two
/// chunks (its own and a shared one); `/` needs its own.
fn write_split_site(root: &Path) {
    write_site(root);
    let pkg = root.join("pkg");
    std::fs::write(
        pkg.join("assets.json"),
        format!(
            r#"{{"js":"{BUNDLE}.js","wasm":"{BUNDLE}.wasm","css":"{CSS}",
                "loader":"__wasm_split.00112233445566778899aa.js",
                "chunks":["split___account_route_view_1.aa.wasm","chunk_2.bb.wasm","split___home_route_view_1.cc.wasm"],
                "prefetch":{{"__account_route_view_1":["split___account_route_view_1.aa","chunk_2.bb"],
                             "__home_route_view_1":["split___home_route_view_1.cc"]}}}}"#
        ),
    )
    .unwrap();
}

/// The `Link` preload headers of a response, as `(target, params)`.
fn preloads(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("link")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .filter(|l| l.contains("rel=preload"))
        .map(|l| l.trim().to_owned())
        .collect()
}

#[tokio::test]
async fn a_lazy_page_names_its_chunks_for_preloading_on_every_response() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.site_root = config.data_dir.join("site");
        write_split_site(&config.site_root);
    })
    .await
    .unwrap();
    app.signup("Lia", "lia@example.com").await;
    // Signed in, the page awaits the database (session, unread count) while
    // rendering, so it may resume on another thread: the header must not
    // depend on which (it did with Leptos's own preload links).
    let pages = join_all((0..12).map(|_| app.get("/account"))).await;
    for res in &pages {
        assert_eq!(res.status(), 200);
        let links = preloads(res);
        assert_eq!(links.len(), 2, "{links:?}");
        assert!(links.contains(
            &r#"</pkg/split___account_route_view_1.aa.wasm>; rel=preload; as=fetch; type="application/wasm"; crossorigin"#
                .to_owned()
        ));
        assert!(links
            .iter()
            .any(|l| l.starts_with("</pkg/chunk_2.bb.wasm>;")));
    }
    // Each page names its own chunks only.
    let home = app.get("/").await;
    let links = preloads(&home);
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(links[0].starts_with("</pkg/split___home_route_view_1.cc.wasm>;"));
    // A page that is not lazy (the fallback) names none; a site without a
    // split (the other tests) none either.
    assert!(preloads(&app.get("/no-such-page").await).is_empty());
}
