// Appended to the chunks' loader by scripts/site-assets.mjs (`make site`),
// which also routes every chunk fetch of the loader through `fetchChunk`.
//
// A tab opened before an upgrade runs the old build: its loader names the
// old build's chunks, which the server no longer has (every build has new
// content-hashed names). Left alone, the first lazy page opened in such a
// tab fetches a chunk, gets 404, the loader reports the failure to the
// WebAssembly side, and Leptos's lazy route panics: the app is dead, the
// page blank. Instead, a chunk the server answers 404 for means "this tab
// is from an older build": the tab does a full navigation to where the
// person was going, which loads the new build, and never reports the
// failure (the old app is about to be unloaded anyway). A network failure
// (offline) is not an upgrade and is reported as before.
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

function fetchChunk(url) {
  return fetch(url).then((response) => {
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
