#!/usr/bin/env node
// The size budget of what a phone downloads before a page is interactive:
// the WebAssembly app and its script, brotli-compressed at the maximum (as
// the server sends them). Fails when they grow past BUDGET.
//
//   node scripts/bundle-size.mjs <release site dir>
//
// `make size` builds the release site into target/site-release and runs this;
// `make test` runs `make size`. Issue 19 sets the target at 300 KB; until the
// bundle is that small, BUDGET is a ratchet: the size reached, plus a little
// room, lowered whenever the bundle shrinks (docs/benchmarks.md, "WebAssembly
// bundle", has the history and what is in the bundle).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

/** Bytes, brotli quality 11, the module plus its script. A ratchet: 985 KiB
 *  measured on 2026-12-06 (issue 19); raised once, to 1,100 KiB, when the
 *  scheduler's and follow-up's pages joined the app (1,081 KiB; see
 *  docs/benchmarks.md). Lower it when the bundle shrinks; never raise it
 *  without saying why in docs/benchmarks.md. */
const BUDGET = 1100 * 1024;
/** Issue 19's target, not reached yet (docs/benchmarks.md says why). */
const TARGET = 300 * 1024;

const site = process.argv[2];
if (!site) {
  console.error("usage: node scripts/bundle-size.mjs <release site dir>");
  process.exit(2);
}
const pkg = join(site, "pkg");
const assets = JSON.parse(readFileSync(join(pkg, "assets.json"), "utf8"));

function brotli(name) {
  const raw = readFileSync(join(pkg, name));
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  return { raw: raw.length, br: br.length };
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
let total = 0;
for (const name of [assets.wasm, assets.js]) {
  const { raw, br } = brotli(name);
  total += br;
  console.log(`bundle: ${name}: ${kib(raw)} raw, ${kib(br)} brotli`);
}
console.log(`bundle: ${kib(total)} brotli in all; budget ${kib(BUDGET)}, target ${kib(TARGET)}`);
if (total > BUDGET) {
  console.error(
    `bundle: the WebAssembly app grew past its budget by ${kib(total - BUDGET)}. ` +
      "Find what grew (docs/benchmarks.md shows how) and cut it, or move it out of the first load.",
  );
  process.exit(1);
}
