// Rapport on bad venue Wi-Fi: the pages an attendee needs open offline from
// the service worker's saved copy (load online, go offline, reload), each
// marked "Offline — saved copy from HH:MM": my badge (also through the
// installed app's /my/badge shortcut), the scanner, my agenda, my
// connections (reached by in-app navigation, which the app reports to the
// worker) and a room's history as last seen. A message typed in the
// saved room goes out once when the network is back. The saved pages
// belong to the person who loaded them: after logging out, or when someone
// else signs in on the same phone, an offline reload shows nothing of the
// person before. And a room's server-rendered history stays on screen
// while the page hydrates and the socket catches up (it never empties).
import type { APIRequestContext, BrowserContext, Page } from '@playwright/test';
import {
  controlled,
  createEvent,
  expect,
  expectAccessible,
  joinByApi,
  main,
  newEvent,
  newPage,
  newPerson,
  hydrated,
  open,
  signUp,
  test,
} from './support';

async function call(request: APIRequestContext, fn: string, form: Record<string, string>) {
  const res = await request.post(`/api/${fn}`, { form });
  expect(res.status(), `${fn}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** The addresses the service worker keeps in the person's cache. */
async function savedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    if (!(await caches.has('rapport-pages-v1'))) return [];
    const cache = await caches.open('rapport-pages-v1');
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
}

/** Loads `path` online (saved by the worker), then reloads it offline. */
async function reloadOffline(context: BrowserContext, page: Page, path: string): Promise<void> {
  await open(page, path);
  await expect.poll(() => savedPaths(page)).toContain(new URL(page.url()).pathname);
  await context.setOffline(true);
  await page.reload();
  await hydrated(page);
}

const savedCopy = (page: Page) => page.getByRole('status').filter({ hasText: 'saved copy' });

/** An event with Ada (organizer) and Ben (attendee), connected, with a
 *  meeting request and a room with two messages. */
async function setUp(page: Page, browser: import('@playwright/test').Browser, baseURL?: string) {
  const ada = newPerson('Ada');
  await signUp(page, ada);
  const slug = await createEvent(page, newEvent('Offline Fest'));
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const ben = newPerson('Ben');
  const phone = await newPage(browser, baseURL, { viewport: { width: 360, height: 740 } });
  await joinByApi(phone.context, ben, code);
  const adaBadge = await call(page.context().request, 'my_badge', { slug });
  await call(phone.context.request, 'scan_badge', {
    slug,
    badge: adaBadge.badge.url,
    mode: 'connect',
    method: 'scanner',
  });
  await call(phone.context.request, 'request_meeting', {
    slug,
    user_id: adaBadge.badge.user_id,
    'when[date]': '2031-05-14',
    'when[time]': '10:00',
    'when[minutes]': '30',
    'when[spot]': '',
    'when[place]': 'The coffee bar',
    message: 'Coffee?',
  });
  const room: string = await call(page.context().request, 'create_room', {
    slug,
    kind: 'topic',
    title: 'Weak signal club',
    description: '',
    place: '',
    starts_at: '',
    ends_at: '',
    tags: '',
  });
  for (const text of ['First words', 'Second words']) {
    await call(page.context().request, 'post_room_message', {
      slug,
      room,
      client_id: `c-${Date.now()}-${text.length}`,
      text,
    });
  }
  return { ada, ben, slug, code, phone, roomPath: `/e/${slug}/rooms/${room}` };
}

test("an attendee's badge, scanner, agenda, connections and room open offline as saved copies", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const { ada, slug, phone, roomPath } = await setUp(page, browser, baseURL);
  const { context, page: p } = phone;
  await open(p, '/events');
  await controlled(p);

  // My badge, reached through the installed app's shortcut.
  await open(p, '/my/badge');
  await expect(p).toHaveURL(new RegExp(`/e/${slug}/badge$`));
  const badgeCode = (await main(p).locator('.badge-code strong').innerText()).trim();
  await expect(savedCopy(p)).toHaveCount(0);
  await reloadOffline(context, p, `/e/${slug}/badge`);
  await expect(p.getByRole('heading', { level: 1, name: 'My badge' })).toBeVisible();
  await expect(main(p).locator('.badge-code strong')).toHaveText(badgeCode);
  await expect(savedCopy(p)).toHaveText(/^Offline — saved copy from \d\d:\d\d\.$/);
  await expectAccessible(p);
  // The shortcut itself, offline: the saved badge.
  await p.goto('/my/badge');
  await expect(p).toHaveURL(new RegExp(`/e/${slug}/badge$`));
  await hydrated(p);
  await expect(main(p).locator('.badge-code strong')).toHaveText(badgeCode);
  await expect(savedCopy(p)).toBeVisible();
  // Back online, the banner offers the live page.
  await context.setOffline(false);
  await expect(savedCopy(p)).toHaveText(/^Saved copy from \d\d:\d\d\. Load the latest$/);
  await savedCopy(p).getByRole('link', { name: 'Load the latest' }).click();
  await hydrated(p);
  await expect(savedCopy(p)).toHaveCount(0);

  // The scanner.
  await reloadOffline(context, p, `/e/${slug}/scan`);
  await expect(main(p).getByRole('heading', { level: 1, name: 'Scan a badge' })).toBeVisible();
  await expect(savedCopy(p)).toBeVisible();
  await context.setOffline(false);

  // My agenda: Ben's request to Ada.
  await reloadOffline(context, p, `/e/${slug}/agenda`);
  await expect(p.getByRole('heading', { level: 1, name: 'My agenda' })).toBeVisible();
  await expect(main(p)).toContainText(ada.name);
  await expect(main(p)).toContainText('The coffee bar');
  await expect(savedCopy(p)).toBeVisible();
  await context.setOffline(false);

  // My connections (Ada), reached by in-app navigation: no HTML of it
  // passed the worker, so the app asks it to keep a copy.
  await open(p, `/e/${slug}/badge`);
  await main(p).getByRole('link', { name: 'My connections' }).click();
  await expect(main(p).getByRole('article', { name: ada.name })).toBeVisible();
  await expect.poll(() => savedPaths(p)).toContain('/connections');
  await context.setOffline(true);
  await p.reload();
  await hydrated(p);
  await expect(main(p).getByRole('article', { name: ada.name })).toBeVisible();
  await expect(savedCopy(p)).toBeVisible();
  await expectAccessible(p);
  await context.setOffline(false);

  // A room as last seen; a message typed there goes out once when back.
  await reloadOffline(context, p, roomPath);
  const texts = p.locator('[data-testid=messages] li.message:not(.pending) .text');
  await expect(texts).toHaveText(['First words', 'Second words']);
  await expect(savedCopy(p)).toBeVisible();
  await expect(p.getByTestId('live-status')).toHaveAttribute('data-link', 'offline');
  await p.getByLabel('Message', { exact: true }).fill('Typed on the saved copy');
  await p.getByRole('button', { name: 'Send' }).click();
  await expect(p.getByTestId('pending')).toContainText('Typed on the saved copy');
  await context.setOffline(false);
  await expect(p.getByTestId('pending')).toHaveCount(0, { timeout: 20_000 });
  await expect(texts).toHaveText(['First words', 'Second words', 'Typed on the saved copy']);
  await open(page, roomPath);
  await expect(page.locator('[data-testid=messages] li.message .text')).toHaveText([
    'First words',
    'Second words',
    'Typed on the saved copy',
  ]);
});

test('on a shared phone, an offline reload shows nothing of the person who signed out or was replaced', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const { ada, ben, slug, code, phone } = await setUp(page, browser, baseURL);
  const { context, page: p } = phone;
  await open(p, '/events');
  await controlled(p);
  for (const path of ['/connections', `/e/${slug}/badge`, `/e/${slug}/agenda`]) {
    await open(p, path);
  }
  await expect.poll(() => savedPaths(p)).toContain('/connections');

  // Cleo signs in on Ben's phone in a way the worker does not see (the
  // session cookie is simply replaced): her first page tells it.
  const cleo = newPerson('Cleo');
  await context.clearCookies();
  await joinByApi(context, cleo, code);
  await open(p, '/events');
  await expect.poll(() => savedPaths(p)).not.toContain('/connections');
  await context.setOffline(true);
  for (const path of ['/connections', `/e/${slug}/badge`, `/e/${slug}/agenda`, '/my/badge']) {
    await p.goto(path);
    await expect(p.getByRole('heading', { level: 1, name: 'You are offline' })).toBeVisible();
    await expect(p.locator('body')).not.toContainText(ben.name);
    await expect(p.locator('body')).not.toContainText(ada.name);
  }
  await context.setOffline(false);

  // Cleo's own pages are saved for her; she logs out; offline, they are gone.
  await open(p, '/connections');
  await open(p, `/e/${slug}/badge`);
  await expect.poll(() => savedPaths(p)).toContain(`/e/${slug}/badge`);
  await p.getByRole('button', { name: 'Log out' }).click();
  await expect(p.getByRole('navigation').getByRole('link', { name: 'Log in' })).toBeVisible();
  await context.setOffline(true);
  for (const path of ['/connections', `/e/${slug}/badge`]) {
    await p.goto(path);
    await expect(p.getByRole('heading', { level: 1, name: 'You are offline' })).toBeVisible();
    await expect(p.locator('body')).not.toContainText(cleo.name);
    await expect(p.locator('body')).not.toContainText('Offline Fest');
  }
  await expectAccessible(p);
  expect(await savedPaths(p)).toEqual([]);
});

test("a room's server-rendered history stays on screen while the page goes live", async ({
  page,
  browser,
  baseURL,
}) => {
  const { phone, roomPath } = await setUp(page, browser, baseURL);
  const { page: p } = phone;
  // Watches the message list from the first byte of the page: whether it
  // ever had messages and then none (emptied), and how many it showed.
  await p.addInitScript(() => {
    const w = window as unknown as { __emptied: boolean; __most: number };
    w.__emptied = false;
    w.__most = 0;
    const check = () => {
      const list = document.querySelector('[data-testid=messages]');
      const shown = list ? list.querySelectorAll('li.message:not(.pending)').length : 0;
      if (w.__most > 0 && shown === 0) w.__emptied = true;
      w.__most = Math.max(w.__most, shown);
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  });
  await open(p, roomPath);
  await expect(p.getByTestId('live-status')).toHaveAttribute('data-link', 'live');
  // A message after catching up arrives live, after the replayed history.
  await call(page.context().request, 'post_room_message', {
    slug: roomPath.split('/')[2],
    room: roomPath.split('/').pop()!,
    client_id: `c-${Date.now()}-late`,
    text: 'Third words',
  });
  const texts = p.locator('[data-testid=messages] li.message .text');
  await expect(texts).toHaveText(['First words', 'Second words', 'Third words']);
  const seen = await p.evaluate(() => {
    const w = window as unknown as { __emptied: boolean; __most: number };
    return { emptied: w.__emptied, most: w.__most };
  });
  expect(seen).toEqual({ emptied: false, most: 3 });
});
