#!/usr/bin/env node
// How fast the pages an attendee opens at the venue become interactive on a
// phone on conference Wi-Fi: the badge, the scanner and the people
// directory, signed in as an attendee of the demo event, under a phone
// profile (Chromium throttled through the DevTools protocol: 1.6 Mbit/s
// down, 750 kbit/s up, 150 ms round trip, CPU 4x slower).
//
// "Interactive" is the moment the WebAssembly app has hydrated the page (it
// sets `data-hydrated` on <body>), counted from the start of the navigation.
// Each page is measured RUNS times on a first visit (empty cache, a fresh
// browser context) and, in the same context, on a second visit (the
// content-hashed files come from the browser's cache); the medians are
// printed as a Markdown table. Service workers are blocked, so both visits
// go through the (throttled) network as a page does, never through a worker
// the throttling would not apply to.
//
// Not a test (`make test` does not run it): it needs the release build
// serving the demo event. From the repository root:
//
//   make run                      # or: RAPPORT_DATA_DIR=target/speed-data \
//                                 #   ./target/release/rapport serve --demo
//   node scripts/speed.mjs        # RAPPORT_URL=http://127.0.0.1:3000 RUNS=5
//
// It uses the Playwright package of end2end/ and Debian's Chromium, like
// the end2end tests (`cd end2end && npm ci` first on a fresh clone).
import { createRequire } from "node:module";

const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const BASE = process.env.RAPPORT_URL ?? "http://127.0.0.1:3000";
const RUNS = Number(process.env.RUNS ?? 5);
const EMAIL = process.env.RAPPORT_SPEED_EMAIL ?? "dev@demo.rapport.dev";
const PASSWORD = process.env.RAPPORT_SPEED_PASSWORD ?? "rapport-demo";
const PAGES = [
  ["badge", "/e/demo/badge"],
  ["scan", "/e/demo/scan"],
  ["people", "/e/demo/people"],
];
const PHONE = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6e6 / 8) | 0,
  uploadThroughput: (750e3 / 8) | 0,
};
const CPU_SLOWDOWN = 4;

const browser = await chromium.launch({
  executablePath: process.env.RAPPORT_E2E_CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

// Signed in once; each run starts from these cookies.
const signIn = await browser.newContext({ baseURL: BASE });
const login = await signIn.request.post("/api/login", { form: { email: EMAIL, password: PASSWORD } });
if (!login.ok()) throw new Error(`login as ${EMAIL} failed: ${login.status()} ${await login.text()}`);
const storageState = await signIn.storageState();
await signIn.close();

/** Loads `path` in `page` (throttled) and measures it. */
async function visit(page, path) {
  await page.goto(path, { waitUntil: "commit" });
  await page.waitForSelector("body[data-hydrated]", { timeout: 120_000 });
  return page.evaluate(() => {
    const resources = performance.getEntriesByType("resource");
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return {
      interactive: window.__rapportHydratedAt,
      fcp: paint ? paint.startTime : NaN,
      transferred: resources.reduce((sum, r) => sum + r.transferSize, 0)
        + performance.getEntriesByType("navigation")[0].transferSize,
    };
  });
}

async function run(path) {
  const context = await browser.newContext({
    baseURL: BASE,
    storageState,
    viewport: { width: 360, height: 740 },
    serviceWorkers: "block",
  });
  // When the app marks the page hydrated, in the page's own clock (from the
  // start of the navigation). Init scripts are not subject to the page's CSP.
  await context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.hasAttribute("data-hydrated")) {
        window.__rapportHydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", PHONE);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  const first = await visit(page, path);
  // A second visit: leave, then come back (the browser's cache is warm).
  await page.goto("about:blank");
  const second = await visit(page, path);
  await context.close();
  return { first, second };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const kib = (b) => `${Math.round(b / 1024)} KiB`;

const rows = [];
for (const [name, path] of PAGES) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run(path));
  const m = (visit, key) => median(runs.map((r) => r[visit][key]));
  rows.push(
    `| ${name} | ${secs(m("first", "interactive"))} | ${secs(m("first", "fcp"))} | ${kib(m("first", "transferred"))} ` +
      `| ${secs(m("second", "interactive"))} | ${kib(m("second", "transferred"))} |`,
  );
  console.error(`${name}: first visits ${runs.map((r) => secs(r.first.interactive)).join(", ")}`);
}
await browser.close();

console.log(`Phone profile: 1.6 Mbit/s down, 750 kbit/s up, 150 ms RTT, CPU ${CPU_SLOWDOWN}x; median of ${RUNS} runs; ${BASE}`);
console.log("");
console.log("| page | interactive, first visit | first contentful paint | transferred | interactive, second visit | transferred |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
