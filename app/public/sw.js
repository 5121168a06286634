// Rapport's service worker: keeps the app shell (the WebAssembly app, its
// script and styles) and the badge scanner pages usable without a network,
// so attendees can keep scanning on bad venue Wi-Fi. Scans made offline are
// queued by the app itself (localStorage) and synced when the network
// returns; this worker only serves cached files and pages.
//
// Strategy: network first, cache as fallback. Files are not content-hashed,
// so serving the cache first could keep an old app alive after an upgrade.
// Only the shell and the scanner pages are cached: other pages may hold
// personal data and are always fetched live.

const CACHE = "rapport-shell-v2";
const SHELL = [
  "/pkg/rapport.js",
  "/pkg/rapport.wasm",
  "/pkg/rapport.css",
  "/manifest.webmanifest",
  "/favicon.svg",
];
const SCANNER_PAGE = /^\/e\/[^/]+\/scan$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function cacheable(url) {
  return SHELL.includes(url.pathname) || url.pathname.startsWith("/pkg/") || SCANNER_PAGE.test(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !cacheable(url)) {
    return; // the browser fetches it as usual
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(request, { ignoreSearch: SCANNER_PAGE.test(url.pathname) }).then(
          (cached) => cached || Response.error(),
        ),
      ),
  );
});
