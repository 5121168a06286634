//! The site's static files (the WebAssembly app, its script and stylesheet,
//! the service worker, the manifest, icons), served as `make site` left
//! them on disk and never compressed on the fly.
//!
//! `make site` (scripts/site-assets.mjs) gives the app's script, module and
//! stylesheet content-hashed names, lists them in `pkg/assets.json`, and
//! writes a brotli (`.br`) and a gzip (`.gz`) copy beside every text file.
//! The server reads the list once at start: pages name those files (Leptos's
//! `output_name` is the hashed stem, the stylesheet is handed to the shell),
//! and a request is answered with the copy the browser accepts
//! (`Accept-Encoding`, with `Vary` saying so). The caching story:
//!
//! - a content-hashed file never changes (a new build has new names):
//!   `Cache-Control: public, max-age=31536000, immutable`, never revalidated;
//! - every other file (the service worker, the manifest, icons, favicon)
//!   keeps its name across builds: `no-cache`, revalidated on each use with
//!   its `Last-Modified` date, a `304 Not Modified` when it is unchanged;
//! - pages are made per request and per person: `private, no-cache`
//!   (set in [`crate::http`]).
//!
//! The app is split (tools/wasm-split): besides the main module there are
//! chunks, loaded the first time a lazy page or function is used, and their
//! loader script; all content-hashed and listed in `assets.json` with, for
//! each lazy function, the chunks it needs. Pages that used a lazy function
//! while rendered get preload links for its chunks (a `Link` header the page
//! writes from the [`app::pages::lazy::SplitChunks`] this module builds), so
//! a lazy page hydrates without waiting for its chunk after the main module.

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use tower::ServiceExt;
use tower_http::{
    compression::{predicate::DefaultPredicate, Predicate},
    services::ServeDir,
};

/// `Cache-Control` of a file whose name holds its content's hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of a file whose name stays the same across builds.
pub const REVALIDATE: &str = "no-cache";
/// Where `make site` lists the hashed names, under the package directory.
const MANIFEST: &str = "assets.json";
/// The names when there is no list (a site built without it, or none).
const PLAIN: &str = "rapport";

/// `pkg/assets.json` as scripts/site-assets.mjs writes it.
#[derive(Deserialize)]
struct Manifest {
    js: String,
    wasm: String,
    css: String,
    /// The chunks' loader script, which the main script imports; absent
    /// when the app has no split points.
    #[serde(default)]
    loader: Option<String>,
    /// The chunk files (`<stem>.<hash>.wasm`).
    #[serde(default)]
    chunks: Vec<String>,
    /// Each lazy function's name (as Leptos names it) and the stems of the
    /// chunks it needs.
    #[serde(default)]
    prefetch: HashMap<String, Vec<String>>,
}

/// Marks a response that carries a file from disk: the compression layer
/// leaves it as it is ([`compress_when`]).
#[derive(Clone, Copy, Debug)]
struct FromDisk;

/// The built site: the names pages give the app's files, and the files.
#[derive(Clone, Debug)]
pub struct Assets {
    /// Leptos's `output_name`: the stem of the app's script and module
    /// (`rapport.<hash>`), which its hydration script loads from the
    /// package directory as `<stem>.js` and `<stem>.wasm`.
    pub bundle: String,
    /// The stylesheet's absolute path (`/pkg/rapport.<hash>.css`), linked
    /// from every page's head.
    pub stylesheet: String,
    /// Absolute paths of the content-hashed files, served as immutable.
    hashed: Vec<String>,
    /// The chunks each lazy function needs and their loader, for the
    /// preload links of the pages that use one (given to every page's
    /// context); `None` when the app is not split.
    pub split: Option<app::pages::lazy::SplitChunks>,
    /// The site folder, with the precompressed copies it holds.
    files: ServeDir,
}

impl Assets {
    /// Reads the names `make site` gave the app's files under
    /// `<site_root>/<pkg_dir>`. Without a list (no site built, or one built
    /// by an older `make site`) the plain names are used and nothing is
    /// immutable; a list that names files in other folders is refused the
    /// same way.
    pub fn load(site_root: &Path, pkg_dir: &str) -> Self {
        let pkg = pkg_dir.trim_matches('/');
        let files = ServeDir::new(site_root)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        let plain = || Self {
            bundle: PLAIN.to_owned(),
            stylesheet: format!("/{pkg}/{PLAIN}.css"),
            hashed: Vec::new(),
            split: None,
            files: files.clone(),
        };
        let path = site_root.join(pkg).join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e,
                    "no list of the app's hashed file names: serving the plain names (run `make site`)");
                return plain();
            }
        };
        let manifest = match serde_json::from_str::<Manifest>(&text) {
            Ok(m) if m.is_plain() => m,
            Ok(_) | Err(_) => {
                tracing::warn!(path = %path.display(), "unreadable list of the app's file names");
                return plain();
            }
        };
        let Some(bundle) = manifest.js.strip_suffix(".js") else {
            return plain();
        };
        if manifest.wasm != format!("{bundle}.wasm") {
            tracing::warn!(path = %path.display(), "the app's script and module have different names");
            return plain();
        }
        let at = |name: &str| format!("/{pkg}/{name}");
        let mut hashed = vec![at(&manifest.js), at(&manifest.wasm), at(&manifest.css)];
        hashed.extend(
            manifest
                .loader
                .iter()
                .chain(&manifest.chunks)
                .map(|n| at(n)),
        );
        // A page names `<pkg path>/<stem>.wasm` (`app::pages::lazy`).
        let split = manifest
            .loader
            .is_some()
            .then(|| app::pages::lazy::SplitChunks {
                pkg: format!("/{pkg}").into(),
                by_function: std::sync::Arc::new(manifest.prefetch),
            });
        Self {
            bundle: bundle.to_owned(),
            stylesheet: at(&manifest.css),
            hashed,
            split,
            files,
        }
    }

    /// Answers `req` with a file of the site, or `None` when it names none
    /// (the caller renders the not-found page) or is not a GET or HEAD.
    pub fn serve(
        &self,
        req: &Request<Body>,
    ) -> impl std::future::Future<Output = Option<Response>> + Send + 'static {
        let get = matches!(*req.method(), Method::GET | Method::HEAD);
        // The file service reads only the method, the address and the
        // headers (encodings, conditions, ranges); a GET has no body.
        let mut probe = Request::new(Body::empty());
        *probe.method_mut() = req.method().clone();
        *probe.uri_mut() = req.uri().clone();
        *probe.headers_mut() = req.headers().clone();
        let cache = if self.hashed.iter().any(|p| p == req.uri().path()) {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        let files = self.files.clone();
        async move {
            if !get {
                return None;
            }
            let res = match files.oneshot(probe).await {
                Ok(res) => res,
                Err(never) => match never {},
            };
            if res.status() == StatusCode::NOT_FOUND {
                return None;
            }
            let mut res = res.into_response();
            let headers = res.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            res.extensions_mut().insert(FromDisk);
            Some(res)
        }
    }
}

impl Manifest {
    /// Whether every name is a plain file name (no folder, no `..`), the
    /// loader a script, every chunk a module, and every chunk a lazy
    /// function needs one of the chunks listed.
    fn is_plain(&self) -> bool {
        let plain = |name: &String| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                && !name.starts_with('.')
        };
        let listed = |stem: &String| self.chunks.iter().any(|c| *c == format!("{stem}.wasm"));
        [&self.js, &self.wasm, &self.css].into_iter().all(plain)
            && self.loader.iter().all(|l| plain(l) && l.ends_with(".js"))
            && self.chunks.iter().all(|c| plain(c) && c.ends_with(".wasm"))
            && (self.loader.is_some() || self.chunks.is_empty())
            && self.prefetch.values().flatten().all(listed)
    }
}

/// What the compression layer compresses: what it would by default, except
/// files from disk, which are sent as stored (their precompressed copy, or
/// the file itself to a client that accepts neither brotli nor gzip, or for
/// a file that does not shrink).
pub fn compress_when() -> impl Predicate {
    DefaultPredicate::new().and(
        |_: StatusCode,
         _: axum::http::Version,
         _: &header::HeaderMap,
         ext: &axum::http::Extensions| { ext.get::<FromDisk>().is_none() },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh, empty folder under the system's temporary folder.
    fn folder() -> std::path::PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rapport-assets-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        dir
    }

    fn site(manifest: &str) -> std::path::PathBuf {
        let dir = folder();
        std::fs::write(dir.join("pkg").join(MANIFEST), manifest).unwrap();
        dir
    }

    #[test]
    fn the_list_names_the_bundle_and_the_stylesheet() {
        let dir = site(
            r#"{"js":"rapport.0123abcd.js","wasm":"rapport.0123abcd.wasm","css":"rapport.ffee.css"}"#,
        );
        let assets = Assets::load(&dir, "pkg");
        assert_eq!(assets.bundle, "rapport.0123abcd");
        assert_eq!(assets.stylesheet, "/pkg/rapport.ffee.css");
        assert_eq!(assets.hashed.len(), 3);
        assert!(assets.split.is_none());
    }

    #[test]
    fn the_list_names_the_chunks_their_loader_and_what_each_lazy_function_needs() {
        let dir = site(
            r#"{"js":"rapport.0123abcd.js","wasm":"rapport.0123abcd.wasm","css":"rapport.ffee.css",
                "loader":"__wasm_split.00112233445566778899aa.js",
                "chunks":["split_1.aa.wasm","chunk_2.bb.wasm"],
                "prefetch":{"decode_qr_17":["chunk_2.bb","split_1.aa"]}}"#,
        );
        let assets = Assets::load(&dir, "pkg");
        assert_eq!(assets.bundle, "rapport.0123abcd");
        assert!(assets
            .hashed
            .contains(&"/pkg/__wasm_split.00112233445566778899aa.js".to_owned()));
        assert!(assets.hashed.contains(&"/pkg/split_1.aa.wasm".to_owned()));
        assert!(assets.hashed.contains(&"/pkg/chunk_2.bb.wasm".to_owned()));
        let split = assets.split.expect("a split app");
        assert_eq!(&*split.pkg, "/pkg");
        assert_eq!(
            split.by_function["decode_qr_17"],
            ["chunk_2.bb", "split_1.aa"]
        );
    }

    #[test]
    fn without_a_list_the_plain_names_are_used_and_nothing_is_immutable() {
        let assets = Assets::load(&folder(), "pkg");
        assert_eq!(assets.bundle, "rapport");
        assert_eq!(assets.stylesheet, "/pkg/rapport.css");
        assert!(assets.hashed.is_empty());
    }

    #[test]
    fn a_list_naming_other_folders_or_mismatched_halves_is_refused() {
        for bad in [
            r#"{"js":"../rapport.1.js","wasm":"../rapport.1.wasm","css":"r.css"}"#,
            r#"{"js":"rapport.1.js","wasm":"rapport.2.wasm","css":"r.css"}"#,
            r#"{"js":"rapport.1.js","wasm":"rapport.1.wasm","css":"<x>.css"}"#,
            // A chunk in another folder, a loader that is no script, a
            // lazy function needing an unlisted chunk, chunks without loader.
            r#"{"js":"rapport.1.js","wasm":"rapport.1.wasm","css":"r.css","loader":"l.js","chunks":["../x.wasm"]}"#,
            r#"{"js":"rapport.1.js","wasm":"rapport.1.wasm","css":"r.css","loader":"l.wasm","chunks":[]}"#,
            r#"{"js":"rapport.1.js","wasm":"rapport.1.wasm","css":"r.css","loader":"l.js","chunks":["a.1.wasm"],"prefetch":{"f":["../../etc/passwd"]}}"#,
            r#"{"js":"rapport.1.js","wasm":"rapport.1.wasm","css":"r.css","chunks":["a.1.wasm"]}"#,
            "not json",
        ] {
            let assets = Assets::load(&site(bad), "pkg");
            assert_eq!(assets.bundle, "rapport", "{bad}");
            assert!(assets.hashed.is_empty(), "{bad}");
        }
    }
}
