// Rapport's service worker: keeps Rapport useful on bad venue Wi-Fi.
//
// Two caches:
// - the shell (the WebAssembly app, its script, styles, icons, manifest):
//   the same for everyone;
// - the person's pages: a saved copy of the few pages an attendee needs
//   offline (my badge, the scanner, my agenda, my connections, a room as
//   last seen) and the photos on them. These hold personal data, so:
//   * only an allow-list of pages is kept, never organizer pages (exports,
//     imports, dashboards, settings) and never anything with a query but
//     the check-in scanner;
//   * only a plain 200 HTML answer to a GET is kept: never a redirect, an
//     error page, a sign-in prompt (401), or a response marked `no-store`
//     (the server marks every response that sets a cookie so: a service
//     worker cannot see `Set-Cookie` itself);
//   * the cache belongs to one person: it is emptied whenever someone signs
//     in, signs up, claims an account, logs out or deletes their account
//     (the worker sees those posts go by), and whenever the app reports a
//     different person, or nobody, signed in (the app posts
//     `{type: "owner", user}` after every check of the session). A page
//     fetched before such a purge is never stored after it.
//
// The app's files have content-hashed names (`make site` fills them into
// ASSETS below, and VERSION, from which the shell cache is named): a build
// with other files is another worker, which installs its own shell cache and
// drops the old one once it is active (a tab of the old build still open
// then fetches what it lacks from the network, and the loader's recovery,
// scripts/chunk-fetch.js, takes it to the new build when the old build's
// chunks are gone). The WebAssembly app is split: besides the main module
// there is the chunks' loader (imported by the main script, so cached at
// install) and chunks loaded on first use; those of the offline pages (the
// scanner's QR decoder) are cached at install too (`offline`), the others
// when first fetched. Those hashed files never change, so they are served
// from the cache first; everything else (pages, icons, the manifest) goes to
// the network first, the cache only when the network fails. A saved page is
// served whole, with the headers it came with: its Content-Security-Policy
// and the nonce on its scripts stay together; only the app's file names in
// it are changed to the current ones (a page saved before an upgrade names
// files this worker no longer keeps). The worker marks it (`data-saved-at` on
// <html>, the time the server made it) so the app can say "Offline — saved
// copy from 14:05".
//
// Queued scans and room messages typed offline are kept by the app itself
// (localStorage, per person) and sent when the network returns; this worker
// only serves files and pages.

// Filled in by scripts/site-assets.mjs at `make site` (keep each on one line).
const ASSETS = { js: "/pkg/rapport.js", wasm: "/pkg/rapport.wasm", css: "/pkg/rapport.css" };
const VERSION = "unbuilt";
const SHELL_CACHE = `rapport-shell-${VERSION}`;
const PAGES_CACHE = "rapport-pages-v1";
const HASHED = Object.values(ASSETS).flat();
// Any other content-hashed file of the app (a chunk cached when first used).
const HASHED_FILE = /^\/pkg\/[\w.-]+\.[0-9a-f]{16}\.(wasm|js)$/;
const SHELL = [...HASHED, "/manifest.webmanifest", "/favicon.svg"];
// The content-hashed names of the app's files in a saved page: as paths
// (links), and as the stem Leptos's hydration script is given.
const HASHED_NAME = /\/pkg\/rapport\.[0-9a-f]{16}\.(js|wasm|css)\b/g;
const HASHED_STEM = /"rapport\.[0-9a-f]{16}"/g;
const STEM = JSON.stringify(ASSETS.js.replace(/^\/pkg\/|\.js$/g, ""));
// Links a lazy page's head may hold to the chunks' loader and the chunks
// (preloads): in a page saved by another build they name that build's
// files, which are gone; the page loads its chunks itself when needed.
const SPLIT_LINK = /<link\b[^>]*\bhref="\/pkg\/(?:__wasm_split\.|chunk_|split_)[^"]*"[^>]*>/g;
// A synthetic entry of the pages cache naming whose pages it holds.
const OWNER_KEY = "/__rapport/owner";

// The pages kept for offline use, by path (the query must be empty, except
// for the scanner's check-in mode).
const SAVED_PAGES = [
  { path: /^\/e\/[^/]+\/badge$/, label: "My badge" },
  { path: /^\/e\/[^/]+\/scan$/, label: "Badge scanner", query: ["", "?mode=check_in"] },
  { path: /^\/e\/[^/]+\/agenda$/, label: "My agenda" },
  { path: /^\/e\/[^/]+\/rooms\/[^/]+$/, label: "A room" },
  { path: /^\/connections$/, label: "My connections" },
];
const PHOTO = /^\/photos\/[^/]+$/;
// The installed app's shortcuts: offline, they lead to the saved page.
const SHORTCUTS = { "/my/badge": /^\/e\/[^/]+\/badge$/, "/my/scan": /^\/e\/[^/]+\/scan$/ };
// Posts after which someone else (or nobody) may be signed in.
const SESSION_CHANGES = [
  "/api/login",
  "/api/signup",
  "/api/logout",
  "/api/claim_account",
  "/api/delete_account",
];

// Bumped at every purge: a response fetched under an older generation
// belongs to a session that has ended and is not stored.
let generation = 0;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  const keep = [SHELL_CACHE, PAGES_CACHE];
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => !keep.includes(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function savedPage(url) {
  return SAVED_PAGES.find((p) => p.path.test(url.pathname) && (p.query || [""]).includes(url.search));
}

function isShell(url) {
  return SHELL.includes(url.pathname) || url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/");
}

// Whether a response may be kept in the person's cache.
function storable(response, html) {
  if (response.status !== 200 || response.type !== "basic" || response.redirected) return false;
  if (/no-store/i.test(response.headers.get("cache-control") || "")) return false;
  const type = response.headers.get("content-type") || "";
  return html ? type.startsWith("text/html") : type.startsWith("image/");
}

function key(url) {
  return url.origin + url.pathname + url.search;
}

async function purge() {
  generation += 1;
  await caches.delete(PAGES_CACHE);
}

// Keeps `response` for `url` unless a purge happened since `since`.
async function store(url, response, since) {
  if (since !== generation) return;
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(key(url), response);
  // A purge while writing: take it out again.
  if (since !== generation) await caches.delete(PAGES_CACHE);
}

// The app reports who is signed in (`user`: an account id, or null).
async function setOwner(user) {
  if (!user) return purge();
  const cache = await caches.open(PAGES_CACHE);
  const known = await cache.match(OWNER_KEY);
  const owner = known ? await known.text() : null;
  if (owner === user) return;
  // Pages stored since the last purge, before anyone was named, are this
  // person's: every sign-in purges. Pages of someone else go.
  if (owner !== null) await purge();
  const since = generation;
  const fresh = await caches.open(PAGES_CACHE);
  if (since === generation) await fresh.put(OWNER_KEY, new Response(user));
}

// A saved page, marked as such, or null.
async function savedCopy(url) {
  const cache = await caches.open(PAGES_CACHE);
  const hit = await cache.match(key(url));
  if (!hit) return null;
  const made = new Date(hit.headers.get("date") || Date.now());
  const savedAt = isNaN(made) ? new Date().toISOString() : made.toISOString();
  const saved = await hit.text();
  const sameBuild = (saved.match(HASHED_STEM) || [STEM])[0] === STEM;
  const html = (sameBuild ? saved : saved.replace(SPLIT_LINK, ""))
    .replace(/<html\b/i, `<html data-saved-at="${savedAt}"`)
    .replace(HASHED_NAME, (_, ext) => ASSETS[ext])
    .replace(HASHED_STEM, STEM);
  const headers = new Headers(hit.headers);
  // The body is stored decoded; these described the bytes on the wire.
  headers.delete("content-encoding");
  headers.delete("content-length");
  // A lazy page names its chunks in `Link: rel=preload` headers: another
  // build's are gone (the page loads its chunks itself when needed).
  if (!sameBuild) headers.delete("link");
  return new Response(html, { status: 200, statusText: "OK", headers });
}

// Shown offline for a page of the allow-list that has no saved copy (or a
// shortcut with none to lead to): no personal data, links to the person's
// saved pages (their addresses only), a strict policy of its own.
async function offlinePage() {
  const cache = await caches.open(PAGES_CACHE);
  const links = (await cache.keys())
    .map((request) => new URL(request.url))
    .map((url) => ({ url, page: savedPage(url) }))
    .filter((x) => x.page && x.url.search === "")
    .map((x) => `<li><a href="${x.url.pathname}">${x.page.label}</a></li>`)
    .join("");
  const list = links
    ? `<p>Pages saved on this device:</p><ul>${links}</ul>`
    : "<p>No pages are saved on this device yet.</p>";
  const body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offline · Rapport</title><link rel="stylesheet" href="${ASSETS.css}"></head>
<body><main id="main"><section class="card"><h1>You are offline</h1>
<p>This page was not saved on this device. It opens again when you are back online.</p>
${list}</section></main></body></html>`;
  return new Response(body, {
    status: 503,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy":
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "cache-control": "no-store",
    },
  });
}

// A page of the allow-list: the network, kept when it answers; else the
// saved copy; else the offline page.
async function page(request, url) {
  const since = generation;
  try {
    const response = await fetch(request);
    if (storable(response, true)) {
      await store(url, response.clone(), since).catch(() => {});
    }
    return response;
  } catch (e) {
    return (await savedCopy(url)) || offlinePage();
  }
}

// `/my/badge` and `/my/scan` offline: the most recently saved badge or scanner.
async function shortcut(request, target) {
  try {
    return await fetch(request);
  } catch (e) {
    const cache = await caches.open(PAGES_CACHE);
    const saved = (await cache.keys())
      .map((r) => new URL(r.url))
      .filter((u) => u.search === "" && target.test(u.pathname))
      .pop();
    return saved ? Response.redirect(saved.href, 302) : offlinePage();
  }
}

async function photo(request, url) {
  const since = generation;
  try {
    const response = await fetch(request);
    if (storable(response, false)) await store(url, response.clone(), since).catch(() => {});
    return response;
  } catch (e) {
    const cache = await caches.open(PAGES_CACHE);
    return (await cache.match(key(url))) || Response.error();
  }
}

// A content-hashed file never changes: the cache, else the network.
async function cacheFirst(request) {
  const hit = await caches.match(request, { cacheName: SHELL_CACHE });
  return hit || networkFirst(request);
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (e) {
    return (await caches.match(request, { cacheName: SHELL_CACHE })) || Response.error();
  }
}

// Only the requests named here pass through the worker; every other one
// (badge links from a camera app among them) goes to the network untouched,
// with the browser's own `Sec-Fetch-Site` and the rest.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (request.method === "POST" && SESSION_CHANGES.includes(url.pathname)) {
      // Whatever its outcome, the pages of the person before must not
      // outlive it. `purge` bumps the generation at once, so no page
      // fetched before this post is stored after it.
      event.waitUntil(purge());
    }
    return; // the browser sends it as usual
  }
  if (HASHED.includes(url.pathname) || HASHED_FILE.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (isShell(url)) {
    event.respondWith(networkFirst(request));
  } else if (request.mode === "navigate" && savedPage(url)) {
    event.respondWith(page(request, url));
  } else if (request.mode === "navigate" && SHORTCUTS[url.pathname] && url.search === "") {
    event.respondWith(shortcut(request, SHORTCUTS[url.pathname]));
  } else if (PHOTO.test(url.pathname) && url.search === "") {
    event.respondWith(photo(request, url));
  }
});

// Messages from the app's pages.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "owner") {
    event.waitUntil(setOwner(typeof data.user === "string" && data.user ? data.user : null));
  } else if (data.type === "visited" && typeof data.path === "string") {
    // A page reached by in-app navigation: no HTML of it went by, so fetch
    // it once to keep a copy (same rules as a page load).
    const url = new URL(data.path, self.location.origin);
    if (url.origin === self.location.origin && savedPage(url)) {
      const since = generation;
      event.waitUntil(
        fetch(url.href, { credentials: "same-origin", redirect: "manual" })
          .then((response) => (storable(response, true) ? store(url, response, since) : null))
          .catch(() => {}),
      );
    }
  }
});

// Web Push (opt-in on the account page). The payload is JSON
// `{title, body, url, tag}` from the server; every field is shown as plain
// text (a notification has no HTML). When one of the site's tabs is visible
// and focused the live notice already showed there, so nothing is shown
// (browsers allow that while the site is on screen).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = {};
  }
  const text = (value, fallback) => (typeof value === "string" && value ? value.slice(0, 300) : fallback);
  const title = text(data.title, "Rapport");
  const options = {
    body: text(data.body, ""),
    tag: text(data.tag, "rapport"),
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: { url: sameOrigin(data.url) },
  };
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((tabs) => {
      const onScreen = tabs.some((t) => t.visibilityState === "visible" && t.focused);
      return onScreen ? undefined : self.registration.showNotification(title, options);
    }),
  );
});

// A path on this site for `url`, or the home page: a notification never
// opens another site.
function sameOrigin(url) {
  try {
    const target = new URL(typeof url === "string" ? url : "/", self.location.origin);
    return target.origin === self.location.origin ? target.pathname + target.search + target.hash : "/";
  } catch (_) {
    return "/";
  }
}

// A click opens the notice's page: in a tab already showing the site if
// there is one, else in a new one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = sameOrigin(event.notification.data && event.notification.data.url);
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(async (tabs) => {
      const same = tabs.find((t) => t.url === target) || tabs[0];
      if (same) {
        const focused = await same.focus();
        if (focused && focused.url !== target && "navigate" in focused) {
          return focused.navigate(target);
        }
        return focused;
      }
      return self.clients.openWindow(target);
    }),
  );
});
