// A stand-in for the next release, for upgrade.spec.ts: a copy of a built
// site (`make site`) in which every content-hashed file has another name,
// as a real new build has. The code is the same (a second build of the
// WebAssembly app would take minutes); what an upgrade changes for a
// browser is the names: the pages, assets.json and the service worker name
// the new files, and the old names are gone from the server.
//
// Renamed: the main script and module, the stylesheet, the chunks' loader
// and every chunk. Rewritten to match: the main script and module (they
// name the loader), the loader (it names the chunks and the main script),
// pkg/assets.json (read by the server at start) and sw.js (its ASSETS line,
// and VERSION, which names its shell cache). Precompressed copies are left
// out (they would hold the old text); the server then sends the files as
// they are.
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the two builds are called, for the test's checks. */
export interface Build {
  /** The main script's stem, `rapport.<hash>` (also the module's). */
  stem: string;
  /** The chunks' loader file name. */
  loader: string;
  /** The service worker's VERSION, which names its shell cache. */
  version: string;
  /** One of its chunks' file names. */
  chunk: string;
}

interface Assets {
  js: string;
  wasm: string;
  css: string;
  loader: string;
  chunks: string[];
}

/** The names of the build in `site`. */
export function buildOf(site: string): Build {
  const assets = JSON.parse(readFileSync(join(site, 'pkg', 'assets.json'), 'utf8')) as Assets;
  const version = /^const VERSION = "([0-9a-f]+)";$/m.exec(readFileSync(join(site, 'sw.js'), 'utf8'));
  if (!version) throw new Error(`${site}/sw.js has no VERSION (run make site)`);
  return {
    stem: assets.js.replace(/\.js$/, ''),
    loader: assets.loader,
    version: version[1],
    chunk: assets.chunks[0],
  };
}

/** Another hex string of the same length, derived from `hash`. */
const rehash = (hash: string) =>
  createHash('sha256').update(`next release ${hash}`).digest('hex').slice(0, hash.length);

/** `<prefix>.<hash>` for `<prefix>.<hash>.<ext>`. */
function stemOf(file: string): { stem: string; hash: string; prefix: string } {
  const m = /^(.+)\.([0-9a-f]{16,22})\.(js|wasm|css)$/.exec(file);
  if (!m) throw new Error(`not a content-hashed name: ${file}`);
  return { stem: `${m[1]}.${m[2]}`, hash: m[2], prefix: m[1] };
}

/** Every occurrence of each old name in `buffer` replaced (same lengths). */
function replaceBytes(buffer: Buffer, names: [string, string][]): void {
  for (const [from, to] of names) {
    const a = Buffer.from(from);
    const b = Buffer.from(to);
    for (let at = buffer.indexOf(a); at !== -1; at = buffer.indexOf(a, at + b.length)) b.copy(buffer, at);
  }
}

/** Writes the next release of the site in `from` to `to`; returns its names. */
export function nextRelease(from: string, to: string): Build {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter: (src) => !/\.(br|gz)$/.test(src) });
  const pkg = join(to, 'pkg');
  const assets = JSON.parse(readFileSync(join(pkg, 'assets.json'), 'utf8')) as Assets;
  const files = [assets.js, assets.wasm, assets.css, assets.loader, ...assets.chunks];
  // Old stem -> new stem, each once (the script and module share theirs).
  const names = new Map<string, string>();
  for (const file of files) {
    const { stem, hash, prefix } = stemOf(file);
    names.set(stem, `${prefix}.${rehash(hash)}`);
  }
  const pairs = [...names.entries()];
  const renamed = (text: string) => pairs.reduce((t, [a, b]) => t.split(a).join(b), text);
  const rename = (file: string) => {
    const { stem } = stemOf(file);
    return `${names.get(stem)}${file.slice(stem.length)}`;
  };
  for (const file of files) {
    const bytes = readFileSync(join(pkg, file));
    if (file.endsWith('.wasm')) replaceBytes(bytes, pairs);
    const text = file.endsWith('.wasm') ? bytes : renamed(bytes.toString('utf8'));
    rmSync(join(pkg, file));
    writeFileSync(join(pkg, rename(file)), text);
  }
  writeFileSync(join(pkg, 'assets.json'), renamed(readFileSync(join(pkg, 'assets.json'), 'utf8')));
  const old = buildOf(from);
  const version = (v: string) => `const VERSION = "${v}";`;
  const sw = renamed(readFileSync(join(to, 'sw.js'), 'utf8'));
  writeFileSync(join(to, 'sw.js'), sw.replace(version(old.version), version(rehash(old.version))));
  const next = buildOf(to);
  if (next.stem === old.stem || next.version === old.version || next.loader === old.loader) {
    throw new Error('the next release kept a name of the first');
  }
  // Nothing of the old names may be left in the new site's pkg/.
  for (const file of readdirSync(pkg)) {
    if (names.has(file.replace(/\.(js|wasm|css)$/, ''))) throw new Error(`pkg/${file} kept its name`);
  }
  return next;
}
