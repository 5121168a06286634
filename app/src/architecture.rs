//! The house rules of docs/architecture.md that a test can keep (issue 18):
//! no import cycles among the modules of `app/src` and `server/src`, no
//! file past 600 lines of non-test code, every server function in a span,
//! page titles escaped, and page data decoded by one JSON reader. Runs with
//! `cargo test`, so CI runs it.
//!
//! The check reads the sources, not the compiler's view, so it is a sketch of
//! name resolution that is right for how this project writes Rust:
//!
//! - each file is a node (`lib.rs` is the crate root, `a/mod.rs` and `a.rs`
//!   are `crate::a`, `a/b.rs` is `crate::a::b`); inline modules belong to
//!   their file; `#[cfg(test)]` modules and items are left out, they may
//!   reach anywhere.
//! - a file depends on what it names: `use crate::…`, `super::…`, `self::…`
//!   and paths written in code (`crate::a::b::Item`, `child::Item`, or
//!   `alias::Item` after `use crate::a::b as alias`).
//! - a path depends on the file that *defines* the item: `crate::a::b::Item`
//!   is the file of `a::b` if `Item` is defined there, else it is followed
//!   through `a::b`'s re-exports (`pub use c::*`, `pub use c::Item`). A
//!   re-export alone is no dependency (a facade like `ports/mod.rs` would
//!   otherwise be in a cycle with every file it re-exports); a name a glob
//!   brings in counts where the file uses it.
//!
//! `server/src/main.rs` is its own (binary) crate and only calls `server::`.

mod graph;
mod source;

use graph::Crate;
use std::path::{Path, PathBuf};

/// Lines of non-test code past which a file holds two things.
const MAX_LINES: usize = 600;

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("source directory readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The crate whose sources are in `<workspace>/<krate>/src`.
fn load(krate: &str) -> Crate {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let src = root.join(krate).join("src");
    let mut sources = Vec::new();
    for path in rust_files(&src) {
        let rel = path
            .strip_prefix(&src)
            .expect("below src")
            .to_string_lossy();
        let rel = rel.replace('\\', "/");
        if rel == "main.rs" || rel.starts_with("bin/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source readable");
        sources.push((format!("{krate}/src/{rel}"), rel, text));
    }
    Crate::new(sources)
}

/// The cycles of `krate`, described.
fn cycles(krate: &str) -> Vec<String> {
    let graph = load(krate).graph();
    graph
        .cycles()
        .iter()
        .map(|scc| graph.describe(scc))
        .collect()
}

#[test]
fn no_import_cycles_in_app() {
    let failures = cycles("app");
    assert!(
        failures.is_empty(),
        "import cycles in app/src:\n{}",
        failures.join("\n")
    );
}

#[test]
fn no_import_cycles_in_server() {
    let failures = cycles("server");
    assert!(
        failures.is_empty(),
        "import cycles in server/src:\n{}",
        failures.join("\n")
    );
}

#[test]
fn no_file_past_600_lines() {
    let mut big = Vec::new();
    for krate in ["app", "server"] {
        let krate = load(krate);
        for (name, p) in krate.names.iter().zip(&krate.files) {
            if p.code_lines > MAX_LINES {
                big.push(format!("{name}: {} lines", p.code_lines));
            }
        }
    }
    assert!(
        big.is_empty(),
        "files past {MAX_LINES} lines of non-test code hold two things, split them: {big:?}"
    );
}

/// Every server function opens a `tracing` span (docs/architecture.md):
/// the attribute goes right after `#[server(…)]`, which copies it to the
/// server-side body. A new server function without it fails here.
#[test]
fn every_server_function_opens_a_span() {
    let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut missing = Vec::new();
    for path in rust_files(&api) {
        let text = std::fs::read_to_string(&path).expect("source readable");
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.starts_with("#[server(") {
                continue;
            }
            // The attribute may span lines: find where it closes.
            let end = (i..lines.len())
                .find(|&j| lines[j].ends_with(")]"))
                .unwrap_or(i);
            let next = lines.get(end + 1).copied().unwrap_or_default();
            if !next.starts_with("#[cfg_attr(feature = \"ssr\", tracing::instrument(") {
                missing.push(format!("{}:{}", path.display(), i + 1));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "server functions without #[cfg_attr(feature = \"ssr\", tracing::instrument(skip_all))] \
         right after #[server(…)]: {missing:?}"
    );
}

/// The files below `app/src/<under>`, other than `own` (the one module
/// allowed to) and this one (which names what it looks for), whose text
/// contains one of `needles`.
fn app_files_naming(under: &str, needles: &[&str], own: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(under);
    rust_files(&src)
        .into_iter()
        .filter(|path| !path.ends_with(own) && !path.ends_with("architecture.rs"))
        .filter(|path| {
            let text = std::fs::read_to_string(path).expect("source readable");
            needles.iter().any(|n| text.contains(n))
        })
        .map(|path| path.display().to_string())
        .collect()
}

/// `leptos_meta::Title` writes raw text into the server's page, so nothing
/// but `components::title` may use it (its `PageTitle` escapes).
#[test]
fn no_page_sets_the_title_without_escaping() {
    let offenders = app_files_naming("", &["<Title", "leptos_meta::Title"], "components/title.rs");
    assert!(
        offenders.is_empty(),
        "use components::title::PageTitle instead of leptos_meta's Title in {offenders:?}"
    );
}

/// `Resource::new` decodes with Leptos's default codec, and
/// `serde_json::from_str` with a second reader: each compiles a second
/// JSON decoder for its type into the WebAssembly. Pages and components
/// use `components::resource` (`resource`, `read_json`).
#[test]
fn the_browser_reads_json_one_way() {
    let mut offenders = app_files_naming("", &["Resource::new"], "components/resource.rs");
    for under in ["components", "pages"] {
        offenders.extend(app_files_naming(
            under,
            &["serde_json::from_str"],
            "components/resource.rs",
        ));
    }
    assert!(
        offenders.is_empty(),
        "use components::resource (resource, read_json) instead of Resource::new or \
         serde_json::from_str in {offenders:?}"
    );
}
