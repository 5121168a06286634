// An upgrade while people are using Rapport (issue 19): the server is
// restarted on the same address and data with the next release of the site,
// whose content-hashed files all have new names (upgrade-site.ts), and
//  1. a page the service worker saved before the upgrade still opens
//     offline and hydrates, first under the old worker, then under the new
//     one (which rewrites the old build's names in it), and none of the app's
//     files it asks for fails;
//  2. a tab left open from before the upgrade that goes, in the app, to a
//     lazy page whose chunk only the old build had, recovers: it lands on
//     that page with the new build (a full navigation, made by the chunks'
//     loader on the 404, scripts/chunk-fetch.js) instead of a dead page;
//  3. an online reload gets the new build, and the new worker dropped the
//     old build's cache.
// The test starts its own server (next to the suite's, on its port + 50):
// the suite's servers must keep serving the site the other specs expect.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page, Request } from '@playwright/test';
import {
  controlled,
  createEvent,
  expect,
  hydrated,
  main,
  newEvent,
  newPage,
  newPerson,
  open,
  signUp,
  test,
} from './support';
import { buildOf, nextRelease, type Build } from './upgrade-site';

const repo = resolve(__dirname, '..', '..');
const siteA = join(repo, 'target', 'site');

/** A server of the built binary on `port`, serving `site`, until stopped. */
class Server {
  private child?: ChildProcess;
  private log = '';

  constructor(
    private port: number,
    private dataDir: string,
    private databaseUrl: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(site: string): Promise<void> {
    const child = spawn(join(repo, 'target', 'debug', 'rapport'), ['serve'], {
      cwd: repo,
      env: {
        ...process.env,
        RAPPORT_DATA_DIR: this.dataDir,
        RAPPORT_BIND: `127.0.0.1:${this.port}`,
        DATABASE_URL: this.databaseUrl,
        LEPTOS_SITE_ROOT: site,
        RUST_LOG: 'warn',
        RAPPORT_SHUTDOWN_GRACE: '1s',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d) => (this.log += d));
    this.child = child;
    await expect
      .poll(
        async () => {
          expect(child.exitCode, `the server exited: ${this.log}`).toBeNull();
          return fetch(`${this.url}/healthz`).then(
            (r) => r.status,
            () => 0,
          );
        },
        { timeout: 60_000, message: 'the server answers /healthz' },
      )
      .toBe(200);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}

/** The app's files (`/pkg/...`) `page` asks for from now on, and any that failed. */
function appFiles(page: Page): { asked: string[]; failed: string[] } {
  const seen = { asked: [] as string[], failed: [] as string[] };
  const path = (r: Request) => new URL(r.url()).pathname;
  page.on('request', (r) => {
    if (path(r).startsWith('/pkg/')) seen.asked.push(path(r));
  });
  page.on('requestfailed', (r) => {
    if (path(r).startsWith('/pkg/')) seen.failed.push(`${path(r)}: ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    const p = path(r.request());
    if (p.startsWith('/pkg/') && r.status() >= 400) seen.failed.push(`${p}: ${r.status()}`);
  });
  return seen;
}

/** Reloads `page` (offline) and checks that it is the saved copy, hydrated,
 *  with no app file failing; returns the app files it asked for. */
async function reloadSavedCopy(page: Page): Promise<{ asked: string[]; failed: string[] }> {
  const files = appFiles(page);
  await page.reload();
  await hydrated(page);
  await expect(savedCopy(page)).toBeVisible();
  await expect(main(page).getByRole('heading', { level: 1 })).toBeVisible();
  expect(files.failed).toEqual([]);
  return files;
}

/** The service worker's caches, by name. */
const cacheNames = (page: Page) => page.evaluate(() => caches.keys());

/** The page saved for `path` as stored (before any rewriting), or null. */
const storedPage = (page: Page, path: string) =>
  page.evaluate(async (p) => {
    const cache = await caches.open('rapport-pages-v1');
    const hit = await cache.match(new URL(p, location.origin).href);
    return hit ? hit.text() : null;
  }, path);

const savedCopy = (page: Page) => page.getByRole('status').filter({ hasText: 'saved copy' });

test('a saved page, an open tab and a reload all reach the new build after an upgrade', async ({
  browser,
}, info) => {
  test.setTimeout(240_000);
  const project = info.project.name;
  const base = new URL(info.project.use.baseURL!);
  const port = Number(base.port) + 50;
  const work = join(repo, 'target', `e2e-upgrade-${project}`);
  const admin = process.env.RAPPORT_TEST_POSTGRES_URL?.trim();
  let database = '';
  let databaseUrl = '';
  if (project.includes('postgres')) {
    expect(admin, 'RAPPORT_TEST_POSTGRES_URL').toBeTruthy();
    database = `rapport_test_e2e_upgrade_${Date.now()}`;
    const url = new URL(admin!);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  rmSync(work, { recursive: true, force: true });
  const a: Build = buildOf(siteA);
  const b: Build = nextRelease(siteA, join(work, 'site-b'));
  const server = new Server(port, join(work, 'data'), databaseUrl);
  // Errors in its pages fail the test (newPage watches the context).
  const { context, page } = await newPage(browser, server.url, { viewport: { width: 360, height: 800 } });
  try {
    await server.start(siteA);
    const organizer = newPerson('Uma');
    await signUp(page, organizer);
    const slug = await createEvent(page, newEvent('Upgrade Days'));
    await controlled(page);
    const badgePath = `/e/${slug}/badge`;

    // Before the upgrade: the badge saved in a tab of its own; the event
    // page left open in another, on build A.
    const badge = await context.newPage();
    await open(badge, badgePath);
    await expect.poll(async () => (await storedPage(badge, badgePath)) !== null).toBe(true);
    await open(page, `/e/${slug}`);
    expect(await page.evaluate(() => document.documentElement.outerHTML)).toContain(a.stem);

    await server.stop();
    await server.start(join(work, 'site-b'));
    const aFiles = await fetch(`${server.url}/pkg/${a.stem}.js`);
    expect(aFiles.status, 'the old build is gone from the server').toBe(404);

    await test.step('1a. offline, the old worker still serves the saved badge whole', async () => {
      await context.setOffline(true);
      const files = await reloadSavedCopy(badge);
      expect(files.asked).toContain(`/pkg/${a.stem}.wasm`);
      badge.removeAllListeners('request');
      badge.removeAllListeners('requestfailed');
      badge.removeAllListeners('response');
      await context.setOffline(false);
    });

    await test.step('2. an open tab reaches a lazy page whose chunk is gone, on build B', async () => {
      const files = appFiles(page);
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      await main(page).getByRole('link', { name: 'Dashboard' }).first().click();
      await expect(page).toHaveURL(new RegExp(`/e/${slug}/dashboard$`));
      // A new document (the marker is gone) that hydrated with build B.
      const marker = () => page.evaluate(() => (window as unknown as { marker?: number }).marker ?? null);
      await expect.poll(marker).toBeNull();
      await hydrated(page);
      await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
      // The old build did ask for its chunk and got 404: the case was real.
      const gone = files.failed.filter((f) => f.endsWith(': 404') && !f.includes(b.stem));
      expect(gone.length, files.failed.join()).toBeGreaterThan(0);
      expect(files.asked).toContain(`/pkg/${b.stem}.wasm`);
      expect(await page.evaluate(() => document.documentElement.outerHTML)).toContain(b.stem);
    });

    await test.step("3. the new worker drops the old build's cache; a reload gets build B", async () => {
      await expect
        .poll(() => cacheNames(page))
        .toEqual(expect.arrayContaining([`rapport-shell-${b.version}`]));
      await expect.poll(() => cacheNames(page)).not.toContain(`rapport-shell-${a.version}`);
      const files = appFiles(page);
      await page.reload();
      await hydrated(page);
      await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
      expect(files.failed).toEqual([]);
      expect(files.asked).toContain(`/pkg/${b.stem}.wasm`);
      expect(files.asked.filter((f) => f.includes(a.stem) || f.includes(a.loader))).toEqual([]);
    });

    await test.step('1b. offline, the new worker serves the badge saved by build A with B', async () => {
      const stored = await storedPage(badge, badgePath);
      expect(stored, 'the copy is the one saved before the upgrade').toContain(a.stem);
      // As a lazy page's head holds when Leptos names its chunks: a preload
      // of a chunk of build A, which the new worker must drop.
      const preload = `<link rel="preload" href="/pkg/${a.chunk}" as="fetch" type="application/wasm">`;
      await badge.evaluate(
        async ({ path, link }) => {
          const cache = await caches.open('rapport-pages-v1');
          const key = new URL(path, location.origin).href;
          const hit = (await cache.match(key))!;
          const html = (await hit.text()).replace('<head>', `<head>${link}`);
          await cache.put(key, new Response(html, { headers: hit.headers }));
        },
        { path: badgePath, link: preload },
      );
      await context.setOffline(true);
      const files = await reloadSavedCopy(badge);
      expect(files.asked).toContain(`/pkg/${b.stem}.wasm`);
      expect(files.asked.filter((f) => f.includes(a.stem) || f.includes(a.chunk))).toEqual([]);
      await context.setOffline(false);
    });
  } finally {
    await context.close();
    await server.stop();
    if (database && admin) {
      spawnSync('psql', [admin, '-X', '-q', '-c', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`]);
    }
  }
});
