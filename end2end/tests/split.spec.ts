// The split WebAssembly app (issue 19): every page is a lazy route, so an
// attendee's page downloads the main module, the chunks' loader and its own
// chunks, which its response names in preload headers, never an organizer
// page's chunk (the live link's socket, and on the scanner the code that
// runs the camera, sends a scan and draws its outcome, come once the page is
// interactive, not before); a lazily loaded page rendered by the server loads its chunks and hydrates
// (its form then works without reloading the page); every chunk is served content-hashed, as WebAssembly, cached
// for a year. And someone who asks for a chunk that is not there, or for
// one under another name, gets nothing but a not-found page.
import type { Page, Request } from '@playwright/test';
import { createEvent, expect, main, newEvent, newPerson, open, signUp, test } from './support';

test.use({ viewport: { width: 360, height: 800 } });

/** The app's files (`/pkg/...`) `page` asks for from now on. */
function appFiles(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/pkg/')) seen.push(r);
  });
  return seen;
}

const path = (r: Request) => new URL(r.url()).pathname;
const MAIN = /^\/pkg\/rapport\.[0-9a-f]{16}\.(js|wasm|css)$/;
const LOADER = /^\/pkg\/__wasm_split\.[0-9a-f]{22}\.js$/;

/** The chunks a page's response asks the browser to preload. */
function preloaded(res: { headers(): Record<string, string> } | null): string[] {
  const link = res?.headers()['link'] ?? '';
  return [...link.matchAll(/<([^>]+)>;\s*rel=preload;\s*as=fetch/g)].map((m) => m[1]);
}

/** A lazy page's own chunk, by the name of its route's view. */
const OWN = /^\/pkg\/split___([a-z_]+)_route_view_\d+\.[0-9a-f]{16}\.wasm$/;
/** A chunk of code several lazy parts share. */
const SHARED = /^\/pkg\/chunk_\d+\.[0-9a-f]{16}\.wasm$/;
/** What every page fetches once it is interactive: the live link's socket
 *  (`open_socket`, while someone is signed in) and the reading of the
 *  offline scan queue (`refresh_scan_queue`). */
const EVERY_PAGE = [
  /^\/pkg\/split_open_socket_\d+\.[0-9a-f]{16}\.wasm$/,
  /^\/pkg\/split_refresh_scan_queue_\d+\.[0-9a-f]{16}\.wasm$/,
];
/** What a hot page fetches in the background once it is interactive, not
 *  preloaded: what every page does, and on the scanner the camera (`start_camera`),
 *  the sending of a scan (`send_scan`) and the view of its outcome
 *  (`scan_outcome`). */
const BACKGROUND: Record<string, RegExp[]> = {
  my_badge: EVERY_PAGE,
  directory: EVERY_PAGE,
  scanner: [
    ...EVERY_PAGE,
    /^\/pkg\/split_start_camera_\d+\.[0-9a-f]{16}\.wasm$/,
    /^\/pkg\/split_send_scan_\d+\.[0-9a-f]{16}\.wasm$/,
    /^\/pkg\/split_scan_outcome_\d+\.[0-9a-f]{16}\.wasm$/,
  ],
};

test('an attendee page loads the main module and its own chunks, preloaded; a lazy organizer page hydrates', async ({
  page,
  baseURL,
}) => {
  const organizer = newPerson('Sage');
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Split Summit'));

  // The hot pages: main module, script, stylesheet, loader, and the page's
  // own chunk (plus shared ones), named in the response's preload header
  // every time (it once came or not at random, by the thread the page's
  // rendering resumed on), never another page's.
  for (const [hot, route] of [
    [`/e/${slug}/badge`, 'my_badge'],
    [`/e/${slug}/scan`, 'scanner'],
    [`/e/${slug}/people`, 'directory'],
  ]) {
    let named: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await page.request.get(`${baseURL}${hot}`);
      named = preloaded(res);
      expect(named.filter((p) => OWN.exec(p)?.[1] === route), `${hot} preloads its chunk`).toHaveLength(1);
      expect(named.every((p) => OWN.exec(p)?.[1] === route || SHARED.test(p)), hot).toBe(true);
    }
    const files = appFiles(page);
    await open(page, hot);
    const paths = files.map(path);
    expect(paths.some((p) => /^\/pkg\/rapport\.[0-9a-f]{16}\.wasm$/.test(p)), hot).toBe(true);
    expect(paths.some((p) => LOADER.test(p)), hot).toBe(true);
    const chunks = paths.filter((p) => !MAIN.test(p) && !LOADER.test(p));
    expect(chunks.some((p) => OWN.exec(p)?.[1] === route), `${hot} fetched its chunk`).toBe(true);
    const background = BACKGROUND[route] ?? [];
    for (const later of background) {
      expect(named.some((p) => later.test(p)), `${hot} does not preload ${later}`).toBe(false);
      await expect
        .poll(() => files.map(path).some((p) => later.test(p)), { message: `${hot} fetches ${later}` })
        .toBe(true);
    }
    expect(
      files
        .map(path)
        .filter((p) => !MAIN.test(p) && !LOADER.test(p))
        .filter((p) => !(OWN.exec(p)?.[1] === route || SHARED.test(p) || background.some((b) => b.test(p)))),
      `${hot} fetched another page's chunk`,
    ).toEqual([]);
    page.removeAllListeners('request');
  }

  // A lazy organizer page, loaded from the server, preloads and fetches its
  // chunks and hydrates.
  const files = appFiles(page);
  const res = await page.goto(`/e/${slug}/settings`);
  expect(preloaded(res).filter((p) => OWN.exec(p)?.[1] === 'settings')).toHaveLength(1);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1, name: 'Event settings' })).toBeVisible();
  const preloads = files.map(path).filter((p) => /^\/pkg\/.+\.wasm$/.test(p) && !MAIN.test(p));
  expect(preloads.some((p) => OWN.exec(p)?.[1] === 'settings'), 'the lazy page fetched its chunk').toBe(true);

  // Hydrated: the form posts through the app (no page load) and says so.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await main(page).getByLabel('Venue').fill('Hall S');
  await main(page).getByRole('button', { name: 'Save settings' }).click();
  await expect(main(page).getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

  // Each chunk: WebAssembly, immutable, precompressed.
  for (const chunk of preloads) {
    const res = await page.request.get(`${baseURL}${chunk}`, {
      headers: { 'accept-encoding': 'br' },
    });
    expect(res.status(), chunk).toBe(200);
    expect(res.headers()['content-type'], chunk).toBe('application/wasm');
    expect(res.headers()['cache-control'], chunk).toBe('public, max-age=31536000, immutable');
    expect(res.headers()['content-encoding'], chunk).toBe('br');
  }

  // In-app navigation to another lazy page loads its code on the way.
  await open(page, `/e/${slug}`);
  const later = appFiles(page);
  await main(page).getByRole('link', { name: 'Dashboard' }).first().click();
  await expect(page).toHaveURL(new RegExp(`/e/${slug}/dashboard$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  expect(later.map(path).filter((p) => /\.wasm$/.test(p) && !MAIN.test(p)).length).toBeGreaterThan(0);
});

test('a hostile visitor gets no file outside the site from chunk-like names', async ({ page, baseURL }) => {
  await page.goto('/');
  for (const probe of [
    '/pkg/__wasm_split.______________________.js',
    '/pkg/split.json',
    '/pkg/__wasm_split_manifest.json',
    '/pkg/..%2f..%2fCargo.toml',
    '/pkg/chunk_0.0000000000000000.wasm',
  ]) {
    const res = await page.request.get(`${baseURL}${probe}`);
    expect(res.status(), probe).toBe(404);
  }
  const assets = await page.request.get(`${baseURL}/pkg/assets.json`);
  // The list is public (it names public files) but names nothing outside pkg/.
  if (assets.status() === 200) {
    const list = await assets.json();
    for (const name of [list.js, list.wasm, list.css, list.loader, ...(list.chunks ?? [])]) {
      expect(name).toMatch(/^[\w.-]+$/);
    }
  }
});
