// Appended to the chunks' loader by scripts/site-assets.mjs (`make site`),
// which also routes every chunk fetch of the loader through `fetchChunk`.
// The loader reports a failed fetch to the WebAssembly side, and Leptos's
// lazy routes and functions panic on it: the app is dead, the page blank.
// Two failures are not errors of the app, and are handled here instead.
//
// 1. No network. A chunk not fetched yet (a page never opened, or the
// scanner's QR decoder before the service worker has finished caching it)
// cannot load offline. The fetch is tried again when the browser says it
// is back online (and every RETRY_MS in case it never says so), and the
// app is told meanwhile: `data-chunk-waiting` on `<html>` while a chunk
// waits for the network, and a `rapport:chunks` event on `window` at each
// change (components::offline::ChunkWaitNotice says so to the person). The page
// stays alive, and what waited for the chunk carries on when it comes.
//
// 2. An upgrade. A tab opened before an upgrade runs the old build: its
// loader names the old build's chunks, which the server no longer has
// (every build has new content-hashed names), so the first lazy page opened
// in such a tab would get 404 for its chunk. Instead, a chunk the server answers 404 for means "this tab
// is from an older build": the tab does a full navigation to where the
// person was going, which loads the new build, and never reports the
// failure (the old app is about to be unloaded anyway).
//
// Where the person was going: Leptos's router changes the address bar only
// once the new page's code is in, so the address still shows the page
// before. The last same-origin link clicked is the target (the router's
// own click handler runs after this capturing one); a history move
// (back/forward) has already changed the address, and anything else (a
// navigation made by code) falls back to the current address, which at
// worst reloads the page before with the new build.
//
// At most one such navigation per build and tab (sessionStorage holds the
// loader's address, which names the build): if the new build's chunks are
// missing too, the failure is reported instead of reloading forever.

const STALE_BUILD_KEY = "rapport-stale-build";
let staleBuildTarget = null;
// Set once the navigation has begun: the other chunks of the same page
// (fetched in parallel) fail too and must stay silent as well.
let staleBuildLeaving = false;

addEventListener(
  "click",
  (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    const plain = event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
    // (An SVG link's `href` is no string: such links are not the router's.)
    if (!link || !plain || typeof link.href !== "string" || link.hasAttribute("download")) return;
    if (link.target && link.target !== "_self") return;
    const url = new URL(link.href, location.href);
    if (url.origin === location.origin) staleBuildTarget = url.href;
  },
  true,
);
addEventListener("popstate", () => {
  staleBuildTarget = null;
});

const RETRY_MS = 10_000;
// How many chunks wait for the network.
let chunksWaiting = 0;

function countWaiting(change) {
  chunksWaiting += change;
  document.documentElement.toggleAttribute("data-chunk-waiting", chunksWaiting > 0);
  dispatchEvent(new Event("rapport:chunks"));
}

// Resolves when the browser is back online, or after RETRY_MS.
function networkBack() {
  return new Promise((resolve) => {
    const done = () => {
      removeEventListener("online", done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, RETRY_MS);
    addEventListener("online", done);
  });
}

// `fetch(url)`, tried again until the network answers.
async function fetchPatiently(url) {
  let waiting = false;
  for (;;) {
    try {
      const response = await fetch(url);
      if (waiting) countWaiting(-1);
      return response;
    } catch (_) {
      if (!waiting) {
        waiting = true;
        countWaiting(1);
      }
      await networkBack();
    }
  }
}

function fetchChunk(url) {
  return fetchPatiently(url).then((response) => {
    if (response.status !== 404) return response;
    if (!staleBuildLeaving) {
      let first = false;
      try {
        first = sessionStorage.getItem(STALE_BUILD_KEY) !== import.meta.url;
        if (first) sessionStorage.setItem(STALE_BUILD_KEY, import.meta.url);
      } catch (_) {
        first = false; // no storage: no guard against a loop, so no navigation
      }
      if (!first) return response;
      staleBuildLeaving = true;
      const pending = staleBuildTarget && staleBuildTarget !== location.href;
      location.assign(pending ? staleBuildTarget : location.href);
    }
    // Never settles: the old app does not learn of the failure (it would
    // panic) before the page is replaced.
    return new Promise(() => {});
  });
}
