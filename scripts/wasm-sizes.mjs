#!/usr/bin/env node
// What the WebAssembly app is made of: the code size of each crate, from the
// module's `name` section (the function names the linker writes). Run it on
// the module cargo builds, before wasm-bindgen and wasm-opt strip the names:
//
//   node scripts/wasm-sizes.mjs target/wasm32-unknown-unknown/wasm-release/app.wasm [TOP]
//
// Sizes are of function bodies (the code section, most of the module) plus
// the data section, raw; wasm-opt later shrinks all of them by about a
// third, and brotli the rest. docs/benchmarks.md ("WebAssembly bundle") has
// the figures.
//
// The app is split (tools/wasm-split); `make site` keeps the main module as
// the splitter wrote it, names included, in app_split.wasm beside app.wasm:
//
//   node scripts/wasm-sizes.mjs target/wasm32-unknown-unknown/wasm-release/app_split.wasm
//
// Given a built site folder instead, it lists every part an attendee may
// download, as the server sends it (raw and brotli 11), and the lazy
// functions (pages, the QR decoder) each chunk holds:
//
//   node scripts/wasm-sizes.mjs target/site-release
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const [file, top = "25"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/wasm-sizes.mjs <module.wasm | site dir> [TOP]");
  process.exit(2);
}
if (statSync(file).isDirectory()) {
  const pkg = join(file, "pkg");
  const assets = JSON.parse(readFileSync(join(pkg, "assets.json"), "utf8"));
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const br = (raw) =>
    brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }).length;
  const prefetch = assets.prefetch ?? {};
  console.log("| part | raw | brotli | holds |");
  console.log("| --- | ---: | ---: | --- |");
  const row = (name, holds) => {
    const raw = readFileSync(join(pkg, name));
    console.log(`| ${name} | ${kib(raw.length)} | ${kib(br(raw))} | ${holds} |`);
  };
  row(assets.wasm, "main module");
  row(assets.js, "main script (wasm-bindgen)");
  if (assets.loader) row(assets.loader, "the chunks' loader");
  for (const chunk of assets.chunks ?? []) {
    const stem = chunk.slice(0, -".wasm".length);
    const users = Object.entries(prefetch)
      .filter(([, stems]) => stems.includes(stem))
      .map(([lazy]) => lazy.replace(/_\d+$/, ""));
    row(chunk, users.join(", "));
  }
  process.exit(0);
}
const bytes = readFileSync(file);
let pos = 8; // magic and version

function leb() {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return result;
  }
}
const text = (len) => {
  const s = bytes.toString("utf8", pos, pos + len);
  pos += len;
  return s;
};

let imported = 0;
const bodies = []; // size of each defined function's body
const names = new Map(); // function index -> name
const sections = {};
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const end = pos + size;
  if (id === 0) {
    const name = text(leb());
    sections[`custom ${name}`] = size;
    if (name === "name") {
      while (pos < end) {
        const sub = bytes[pos++];
        const subEnd = leb() + pos;
        if (sub === 1) {
          for (let n = leb(); n > 0; n--) {
            const index = leb();
            names.set(index, text(leb()));
          }
        }
        pos = subEnd;
      }
    }
  } else {
    sections[["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count"][id] ?? id] = size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        text(leb());
        text(leb());
        const kind = bytes[pos++];
        if (kind === 0) {
          leb();
          imported += 1;
        } else if (kind === 1) {
          pos += 1;
          const flags = leb();
          leb();
          if (flags & 1) leb();
        } else if (kind === 2) {
          const flags = leb();
          leb();
          if (flags & 1) leb();
        } else if (kind === 3) {
          pos += 2;
        }
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) {
        const len = leb();
        bodies.push(len);
        pos += len;
      }
    }
  }
  pos = end;
}

/** The crate a function belongs to: the first path segment of its name
 *  (a legacy-mangled `_ZN<len><segment>...E` name, or a demangled one). */
function crateOf(name) {
  if (!name) return "(unnamed)";
  const mangled = /^_ZN(\d+)/.exec(name);
  if (mangled) {
    const len = Number(mangled[1]);
    const at = mangled[0].length;
    let segment = name.slice(at, at + len).replace(/^_?\$LT\$/, "").replace(/^(mut\$u20\$|dyn\$u20\$|\$RF\$)+/, "");
    return /^[A-Za-z_][A-Za-z0-9_]*/.exec(segment)?.[0] ?? "(other)";
  }
  // A v0-mangled name (`_R…`): the first crate root in it, `C`, an optional
  // disambiguator `s<base62>_`, then the length-prefixed crate name.
  if (name.startsWith("_R")) {
    const root = /C(?:s[0-9A-Za-z]*_)?(\d+)([A-Za-z_][A-Za-z0-9_]*)/.exec(name);
    return root ? root[2].slice(0, Number(root[1])) : "(other)";
  }
  const s = name.replace(/^[<&*\s(\[]+/, "").replace(/^(mut |dyn |const )+/, "");
  const m = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  return m ? m[1] : "(runtime, libc)";
}

const byCrate = new Map();
bodies.forEach((size, i) => {
  const crate = crateOf(names.get(imported + i));
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
});
const code = bodies.reduce((a, b) => a + b, 0);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`${file}: ${kib(bytes.length)}; code ${kib(code)} in ${bodies.length} functions, data ${kib(sections.data ?? 0)}`);
console.log(`sections: ${Object.entries(sections).map(([k, v]) => `${k} ${kib(v)}`).join(", ")}`);
console.log("");
console.log("| crate | code | share |");
console.log("| --- | ---: | ---: |");
for (const [crate, size] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`| ${crate} | ${kib(size)} | ${((100 * size) / code).toFixed(1)} % |`);
}
