#!/usr/bin/env node
// The last step of `make site`: gives the app's files content-hashed names,
// tells the server and the service worker those names, and compresses every
// text file ahead of time, so the server only ever sends files as they lie on
// disk (docs/architecture.md, "Static files").
//
//   node scripts/site-assets.mjs <site dir> <quick|max>
//
// In <site>/pkg it renames
//   rapport.js + rapport.wasm -> rapport.<h>.js + rapport.<h>.wasm
//   rapport.css               -> rapport.<c>.css
// where <h> is a hash of both halves of the WebAssembly app (the script is
// generated from the module and is only ever valid with it, so they share one
// name) and <c> a hash of the stylesheet. A file whose name holds its hash can
// be cached for a year: a new build has new names.
//
// The app is split (tools/wasm-split, run by `make site` before
// wasm-bindgen): beside the main module lie its chunks (`*.wasm`), their
// loader `__wasm_split.<22 underscores>.js` and `split.json` (each lazy
// function's chunks). The chunks are named by their own hash; the loader,
// which names the chunks and imports the main script (which imports the
// loader back: the main module names it too, as the module of its imports),
// shares the main script's hash: <h> covers the script, the module and the
// loader, and the loader's 22 underscores become 22 hex digits of it (the
// same length, so the module's bytes are replaced in place).
//
// The loader gets the recovery of a tab opened before an upgrade
// (scripts/chunk-fetch.js, appended to it): its chunk fetches go through
// `fetchChunk`, and a chunk the server no longer has (404: the tab runs an
// older build) leads to a full navigation, which loads the new build.
//
// It writes <site>/pkg/assets.json, `{"js": ..., "wasm": ..., "css": ...,
// "loader": ..., "chunks": [...], "prefetch": {lazy function: [chunk
// stems]}}`, which the server reads once at start (server/src/assets.rs) to
// name the files in every page, and fills the names into <site>/sw.js (the
// line marked `ASSETS`, and the cache version), so the worker caches exactly
// the files the pages load: the main files, the loader, and the chunks of
// the lazy functions the offline pages use (OFFLINE_LAZY below); other
// chunks are kept when first fetched.
//
// Then every compressible file of the site gets a `.br` and a `.gz` beside it
// (kept only when smaller). `max` (release builds): brotli quality 11 with the
// largest window, gzip level 9. `quick` (the debug site of the tests): brotli
// quality 5, gzip level 6; the debug module is large and this runs on every
// `make site` (docs/benchmarks.md has the sizes and times of both).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const [site, level = "quick"] = process.argv.slice(2);
if (!site || !["quick", "max"].includes(level)) {
  console.error("usage: node scripts/site-assets.mjs <site dir> <quick|max>");
  process.exit(2);
}
const pkg = join(site, "pkg");
const NAME = "rapport";
const LOADER = "__wasm_split.______________________.js";
// The loader's chunk fetches, as wasm-split writes them, and the recovery
// they are routed through (see above), without its comment lines: every
// visitor downloads it.
const CHUNK_FETCH = "fetch(new URL(";
const CHUNK_FETCH_JS = readFileSync(new URL("./chunk-fetch.js", import.meta.url), "utf8")
  .replace(/^\s*\/\/.*\n/gm, "");
// The lazy functions the offline pages need, by the start of the name Leptos
// gives them: the pages kept for offline use (app/public/sw.js, SAVED_PAGES:
// my badge, the scanner, my agenda, my connections, a room; every page is a
// lazy route), the scanner's camera, QR decoder, sending of a scan and view
// of its outcome, and what every page runs once hydrated (the live link's
// socket, the reading of the offline scan queue).
// Their chunks are cached when the service worker installs, with the main
// files, so a page saved by an older build still opens offline once a new
// worker has taken over.
const OFFLINE_LAZY = [
  /^__my_badge_route_view_/,
  /^__scanner_route_view_/,
  /^__agenda_route_view_/,
  /^__connections_route_view_/,
  /^__room_chat_route_view_/,
  /^start_camera_/,
  /^decode_qr_/,
  /^send_scan_/,
  /^scan_outcome_/,
  /^open_socket_/,
  /^refresh_scan_queue_/,
];

const hash = (...buffers) => {
  const h = createHash("sha256");
  for (const b of buffers) h.update(b);
  return h.digest("hex").slice(0, 16);
};

// Every occurrence of `from` in `buffer` replaced by `to` (same length).
const replaceBytes = (buffer, from, to) => {
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  if (a.length !== b.length) throw new Error(`${from} -> ${to}: lengths differ`);
  let count = 0;
  for (let at = buffer.indexOf(a); at !== -1; at = buffer.indexOf(a, at + b.length)) {
    b.copy(buffer, at);
    count += 1;
  }
  return count;
};
const replaceText = (text, from, to) => text.split(from).join(to);

// 1. Content-hashed names: the chunks first (the loader names them).
const split = existsSync(join(pkg, LOADER));
const chunkNames = {};
let loaderText = split ? readFileSync(join(pkg, LOADER), "utf8") : null;
if (split) {
  const fetches = loaderText.split(CHUNK_FETCH).length - 1;
  if (fetches === 0 || loaderText.split("fetch(").length - 1 !== fetches) {
    console.error(`site: pkg/${LOADER} fetches its chunks in an unknown way`);
    process.exit(1);
  }
  loaderText = `${replaceText(loaderText, CHUNK_FETCH, "fetchChunk(new URL(")}\n${CHUNK_FETCH_JS}`;
}
for (const file of readdirSync(pkg)) {
  if (!file.endsWith(".wasm") || file === `${NAME}.wasm`) continue;
  const stem = file.slice(0, -".wasm".length);
  const named = `${stem}.${hash(readFileSync(join(pkg, file)))}`;
  if (!split || !loaderText.includes(`"./${file}"`)) {
    console.error(`site: pkg/${file} is not a chunk the loader names`);
    process.exit(1);
  }
  renameSync(join(pkg, file), join(pkg, `${named}.wasm`));
  loaderText = replaceText(loaderText, `"./${file}"`, `"./${named}.wasm"`);
  chunkNames[stem] = named;
}
const js = readFileSync(join(pkg, `${NAME}.js`));
const wasm = readFileSync(join(pkg, `${NAME}.wasm`));
const css = readFileSync(join(pkg, `${NAME}.css`));
const appDigest = createHash("sha256").update(js).update(wasm).update(loaderText ?? "").digest("hex");
const app = appDigest.slice(0, 16);
const assets = {
  js: `${NAME}.${app}.js`,
  wasm: `${NAME}.${app}.wasm`,
  css: `${NAME}.${hash(css)}.css`,
};
if (split) {
  const loader = `__wasm_split.${appDigest.slice(0, 22)}.js`;
  // The main script imports the loader, and the main module names it as
  // the module of its imports; the loader imports the main script.
  const jsText = js.toString("utf8");
  if (!jsText.includes(`./${LOADER}`)) {
    console.error(`site: pkg/${NAME}.js does not import ${LOADER}`);
    process.exit(1);
  }
  writeFileSync(join(pkg, `${NAME}.js`), replaceText(jsText, `./${LOADER}`, `./${loader}`));
  replaceBytes(wasm, `./${LOADER}`, `./${loader}`);
  writeFileSync(join(pkg, `${NAME}.wasm`), wasm);
  writeFileSync(join(pkg, loader), replaceText(loaderText, `"./${NAME}.js"`, `"./${assets.js}"`));
  rmSync(join(pkg, LOADER));
  const prefetch = JSON.parse(readFileSync(join(pkg, "split.json"), "utf8"));
  rmSync(join(pkg, "split.json"));
  assets.loader = loader;
  assets.chunks = Object.values(chunkNames).map((n) => `${n}.wasm`).sort();
  assets.prefetch = Object.fromEntries(
    Object.entries(prefetch).map(([lazy, stems]) => [lazy, stems.map((s) => chunkNames[s])]),
  );
  for (const [lazy, stems] of Object.entries(assets.prefetch)) {
    if (stems.some((s) => !s)) {
      console.error(`site: split.json names a chunk of ${lazy} that is not in pkg/`);
      process.exit(1);
    }
  }
}
renameSync(join(pkg, `${NAME}.js`), join(pkg, assets.js));
renameSync(join(pkg, `${NAME}.wasm`), join(pkg, assets.wasm));
renameSync(join(pkg, `${NAME}.css`), join(pkg, assets.css));
writeFileSync(join(pkg, "assets.json"), `${JSON.stringify(assets)}\n`);

// 2. The service worker learns them.
const swPath = join(site, "sw.js");
const sw = readFileSync(swPath, "utf8");
const urls = { js: `/pkg/${assets.js}`, wasm: `/pkg/${assets.wasm}`, css: `/pkg/${assets.css}` };
if (split) {
  urls.loader = `/pkg/${assets.loader}`;
  urls.offline = [
    ...new Set(
      Object.entries(assets.prefetch)
        .filter(([lazy]) => OFFLINE_LAZY.some((re) => re.test(lazy)))
        .flatMap(([, stems]) => stems.map((s) => `/pkg/${s}.wasm`)),
    ),
  ].sort();
}
const version = hash(Buffer.from(JSON.stringify(assets)));
let filled = 0;
const out = sw
  .replace(/^const ASSETS = .*;$/m, () => {
    filled += 1;
    return `const ASSETS = ${JSON.stringify(urls)};`;
  })
  .replace(/^const VERSION = .*;$/m, () => {
    filled += 1;
    return `const VERSION = ${JSON.stringify(version)};`;
  });
if (filled !== 2) {
  console.error(`${swPath}: the ASSETS and VERSION lines were not found`);
  process.exit(1);
}
writeFileSync(swPath, out);

// 3. Precompressed copies.
const COMPRESSIBLE = /\.(js|mjs|wasm|css|svg|json|webmanifest|html|txt|xml|ico)$/;
const brotliQuality = level === "max" ? constants.BROTLI_MAX_QUALITY : 5;
// 24 bits is brotli's standard maximum window (the "large window" extension
// beyond it is not accepted by browsers).
const brotliWindow = level === "max" ? constants.BROTLI_MAX_WINDOW_BITS : constants.BROTLI_DEFAULT_WINDOW;
const gzipLevel = level === "max" ? 9 : 6;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.test(entry.name)) yield path;
  }
}

const started = Date.now();
const report = [];
for (const path of files(site)) {
  const raw = readFileSync(path);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
      [constants.BROTLI_PARAM_LGWIN]: brotliWindow,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      [constants.BROTLI_PARAM_MODE]: /\.wasm$/.test(path) ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  const gz = gzipSync(raw, { level: gzipLevel });
  if (br.length < raw.length) writeFileSync(`${path}.br`, br);
  if (gz.length < raw.length) writeFileSync(`${path}.gz`, gz);
  report.push({ file: relative(site, path), raw: raw.length, br: br.length, gz: gz.length });
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
for (const name of [assets.wasm, assets.js, assets.css, ...(split ? [assets.loader, ...assets.chunks] : [])]) {
  const r = report.find((x) => x.file === join("pkg", name));
  console.log(`site: pkg/${name}: ${kb(r.raw)} raw, ${kb(r.br)} brotli, ${kb(r.gz)} gzip`);
}
console.log(`site: ${report.length} files precompressed (${level}) in ${seconds} s`);
// Sanity: a renamed file must exist under its new name.
for (const name of [assets.js, assets.wasm, assets.css, ...(split ? [assets.loader, ...assets.chunks] : [])]) {
  statSync(join(pkg, name));
}
