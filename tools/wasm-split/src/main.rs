//! Splits the WebAssembly module cargo builds for the app into the main
//! module and lazily loaded chunks, as `cargo leptos build --split` does,
//! for `make site`:
//!
//! ```text
//! rapport-wasm-split <app.wasm> <pkg dir> <main out .wasm> <manifest .json> [hot split...] [-- hot function...]
//! ```
//!
//! It writes the main module to `<main out>` (wasm-bindgen then binds it as
//! usual), the chunks and their loader (`__wasm_split.<22 underscores>.js`,
//! the name Leptos's server gives its preload link) into `<pkg dir>`, and
//! the map from each lazy function to the chunks it needs into `<manifest>`
//! (scripts/site-assets.mjs gives them all content-hashed names). The input
//! must be linked with `--emit-relocs`; a module without split points comes
//! out whole.
//!
//! The hot splits (the start of the names of the lazy functions whose first
//! load matters: the badge, scanner and people pages) shape the chunks of
//! shared code, through our patch of the splitter (vendor/, see its PATCH.md):
//! one chunk per set of hot splits the code serves, one for the
//! rest. The hot functions (after `--`: lazy functions that run on those
//! pages, such as the scanner's QR decoder) get the code no hot split needs
//! grouped by which of them it serves, so that loading one never loads the
//! chunk of all the other pages' code. Unpatched, the splitter writes one chunk per set of lazy functions
//! sharing code, which with every page lazy was 230 files for the scanner
//! page alone: hundreds of requests on a phone.

use std::path::Path;
use std::process::ExitCode;

/// The loader's name, as the wasm imports it and as Leptos's hydration
/// scripts name it; scripts/site-assets.mjs replaces the underscores with a
/// hash of the same length.
const LINK_NAME: &str = "./__wasm_split.______________________.js";
/// The wasm-bindgen script of the main module, relative to the loader (both
/// are in the package directory), from which the loader imports `initSync`.
const MAIN_MODULE: &str = "./rapport.js";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, main_out, manifest, hot @ ..] = args.as_slice() else {
        eprintln!("usage: rapport-wasm-split <app.wasm> <pkg dir> <main out .wasm> <manifest .json> [hot split...] [-- hot function...]");
        return ExitCode::from(2);
    };
    let hot: Vec<&str> = hot.iter().map(String::as_str).collect();
    let (pages, functions) = match hot.iter().position(|a| *a == "--") {
        Some(at) => (&hot[..at], &hot[at + 1..]),
        None => (&hot[..], &[][..]),
    };
    match split(input, out_dir, main_out, manifest, pages, functions) {
        Ok(chunks) => {
            println!("wasm-split: {chunks} chunk(s) written to {out_dir}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wasm-split: {e:?}");
            ExitCode::FAILURE
        }
    }
}

/// Splits `input`; returns how many chunk files were written.
fn split(
    input: &str,
    out_dir: &str,
    main_out: &str,
    manifest: &str,
    hot: &[&str],
    hot_functions: &[&str],
) -> Result<usize, String> {
    let wasm = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = Path::new(out_dir);
    opts.main_out_path = Path::new(main_out);
    opts.main_module = MAIN_MODULE;
    opts.link_name = LINK_NAME;
    opts.hot_splits = hot;
    opts.hot_functions = hot_functions;
    let split = wasm_split_cli_support::transform(opts).map_err(|e| format!("{e:?}"))?;
    // Sorted, so that the same module always gives the same file.
    let prefetch: std::collections::BTreeMap<_, _> = split.prefetch_map.into_iter().collect();
    let json = serde_json::to_string_pretty(&prefetch).map_err(|e| e.to_string())?;
    std::fs::write(manifest, json).map_err(|e| format!("{manifest}: {e}"))?;
    Ok(split.split_modules.len())
}
