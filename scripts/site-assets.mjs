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
// It writes <site>/pkg/assets.json, `{"js": ..., "wasm": ..., "css": ...}`,
// which the server reads once at start (server/src/assets.rs) to name the
// files in every page, and fills the same names into <site>/sw.js (the line
// marked `ASSETS`, and the cache version), so the worker caches exactly the
// files the pages load.
//
// Then every compressible file of the site gets a `.br` and a `.gz` beside it
// (kept only when smaller). `max` (release builds): brotli quality 11 with the
// largest window, gzip level 9. `quick` (the debug site of the tests): brotli
// quality 5, gzip level 6; the debug module is large and this runs on every
// `make site` (docs/benchmarks.md has the sizes and times of both).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const [site, level = "quick"] = process.argv.slice(2);
if (!site || !["quick", "max"].includes(level)) {
  console.error("usage: node scripts/site-assets.mjs <site dir> <quick|max>");
  process.exit(2);
}
const pkg = join(site, "pkg");
const NAME = "rapport";

const hash = (...buffers) => {
  const h = createHash("sha256");
  for (const b of buffers) h.update(b);
  return h.digest("hex").slice(0, 16);
};

// 1. Content-hashed names.
const js = readFileSync(join(pkg, `${NAME}.js`));
const wasm = readFileSync(join(pkg, `${NAME}.wasm`));
const css = readFileSync(join(pkg, `${NAME}.css`));
const app = hash(js, wasm);
const assets = {
  js: `${NAME}.${app}.js`,
  wasm: `${NAME}.${app}.wasm`,
  css: `${NAME}.${hash(css)}.css`,
};
renameSync(join(pkg, `${NAME}.js`), join(pkg, assets.js));
renameSync(join(pkg, `${NAME}.wasm`), join(pkg, assets.wasm));
renameSync(join(pkg, `${NAME}.css`), join(pkg, assets.css));
writeFileSync(join(pkg, "assets.json"), `${JSON.stringify(assets)}\n`);

// 2. The service worker learns them.
const swPath = join(site, "sw.js");
const sw = readFileSync(swPath, "utf8");
const urls = Object.fromEntries(Object.entries(assets).map(([k, v]) => [k, `/pkg/${v}`]));
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
for (const name of [assets.wasm, assets.js, assets.css]) {
  const r = report.find((x) => x.file === join("pkg", name));
  console.log(`site: pkg/${name}: ${kb(r.raw)} raw, ${kb(r.br)} brotli, ${kb(r.gz)} gzip`);
}
console.log(`site: ${report.length} files precompressed (${level}) in ${seconds} s`);
// Sanity: a renamed file must exist under its new name.
for (const name of Object.values(assets)) statSync(join(pkg, name));
