// Hostile input, end to end: script payloads in every field a person can
// type that some page shows, then a visit to every page that shows them, in
// Chromium with JavaScript on and off. Nothing may run; the text must show
// literally. Also: the Content-Security-Policy stops an inline script even
// where escaping failed, and a redirect target cannot leave the site.
import { type APIRequestContext, type Page } from '@playwright/test';
import {
  expect,
  hydrated,
  main,
  newPage,
  newPerson,
  test,
} from './support';

/**
 * A payload for `field`: it closes `<title>`, opens a script and an image
 * whose error handler runs. Either one running sets `window.__xss`.
 */
const payload = (field: string) =>
  `</title><script>__xss='${field}'</script><img src=x onerror=__xss='${field}'>`;

/** A shorter payload for fields of at most 60 characters. */
const shortPayload = (field: string) => `<img src=x onerror=__xss='${field}'>`;

/** Calls a server function as a form post and returns its JSON answer. */
async function call(request: APIRequestContext, fn: string, form: Record<string, string>) {
  const res = await request.post(`/api/${fn}`, { form });
  expect(res.status(), `${fn}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** Fails if any payload ran in `page`, or an injected element exists. */
async function expectNothingRan(page: Page, where: string): Promise<void> {
  const ran = await page.evaluate(() => (window as unknown as { __xss?: string }).__xss);
  expect(ran, `a payload ran on ${where}`).toBeUndefined();
  await expect(page.locator('img[src="x"]'), `an injected <img> on ${where}`).toHaveCount(0);
  await expect(page.locator('main script'), `an injected <script> on ${where}`).toHaveCount(0);
}

test('script payloads in every user field show as text and never run, with JavaScript on and off', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const olga = newPerson('Olga');
  olga.name = payload('name');
  const mallory = newPerson('Mallory');
  mallory.name = payload('mal');

  // Olga (the organizer) fills every field she has with payloads.
  const req = page.context().request;
  await call(req, 'signup', { display_name: olga.name, email: olga.email, password: olga.password });
  const slug: string = await call(req, 'create_event', {
    name: payload('event'),
    starts_on: '2031-05-14',
    ends_on: '2031-05-16',
    time_zone: 'Europe/Berlin',
    venue: payload('venue'),
    description: payload('description'),
  });
  await call(req, 'update_profile', {
    'profile[display_name]': olga.name,
    'profile[pronouns]': 'they/them',
    'profile[headline]': payload('headline'),
    'profile[company]': payload('company'),
    'profile[job_title]': payload('job'),
    'profile[bio]': payload('bio'),
    'profile[links]': 'https://olga.example.org',
    'profile[location]': payload('location'),
    'profile[ask_me_about]': payload('ask'),
  });
  const room: string = await call(req, 'create_room', {
    slug,
    kind: 'topic',
    title: payload('room'),
    description: payload('room-desc'),
  });
  await call(req, 'post_room_message', {
    slug,
    room,
    client_id: `c-${Date.now()}`,
    text: payload('message'),
  });
  await call(req, 'post_announcement', { slug, body: payload('announcement') });
  await call(req, 'update_spots', { slug, spots: shortPayload('spot') });
  const detail = await call(req, 'event_page', { slug });
  const olgaBadge = await call(req, 'my_badge', { slug });

  // Mallory joins, connects by scanning Olga's badge, writes a note and asks
  // for a meeting with a payload in its message.
  const mal = await newPage(browser, baseURL);
  const code = (await (await req.post('/api/event_page', { form: { slug } })).json()).invitation
    ?.join_code;
  expect(code, JSON.stringify(detail.invitation)).toBeTruthy();
  await call(mal.context.request, 'signup', {
    display_name: mallory.name,
    email: mallory.email,
    password: mallory.password,
  });
  await call(mal.context.request, 'join_by_code', { code });
  await call(mal.context.request, 'scan_badge', {
    slug,
    badge: olgaBadge.badge.url,
    mode: 'connect',
    method: 'scanner',
  });
  const olgaId: string = olgaBadge.badge.user_id;
  await call(mal.context.request, 'save_note', { user_id: olgaId, note: payload('note'), labels: 'x' });
  await call(mal.context.request, 'request_meeting', {
    slug,
    user_id: olgaId,
    'when[date]': '2031-05-14',
    'when[time]': '10:00',
    'when[minutes]': '30',
    'when[spot]': '',
    'when[place]': payload('place'),
    message: payload('meeting'),
  });
  const malBadge = await call(mal.context.request, 'my_badge', { slug });
  const malId: string = malBadge.badge.user_id;

  // Every page that shows any of it, for Olga and for Mallory.
  const olgaPages = [
    '/events',
    `/e/${slug}`,
    `/e/${slug}/people`,
    `/e/${slug}/p/${malId}`,
    `/e/${slug}/badge`,
    `/e/${slug}/badges`,
    `/e/${slug}/rooms`,
    `/e/${slug}/rooms/${room}`,
    `/e/${slug}/moderation`,
    `/e/${slug}/agenda`,
    `/e/${slug}/meet`,
    `/e/${slug}/dashboard`,
    `/e/${slug}/leads`,
    `/e/${slug}/settings`,
    `/e/${slug}/scan`,
    '/connections',
    '/account',
  ];
  const malloryPages = [`/e/${slug}/p/${olgaId}`, '/connections', `/e/${slug}/agenda`];

  const visit = async (p: Page, path: string, javaScript: boolean) => {
    const res = await p.goto(path);
    expect(res?.status(), path).toBeLessThan(400);
    if (javaScript) await hydrated(p);
    await expect(main(p)).toBeVisible();
    await expectNothingRan(p, `${path} (JavaScript ${javaScript ? 'on' : 'off'})`);
  };
  for (const path of olgaPages) await visit(page, path, true);
  for (const path of malloryPages) await visit(mal.page, path, true);

  // The text itself is shown as typed, in the body and in the title.
  await page.goto(`/e/${slug}/rooms/${room}`);
  await hydrated(page);
  await expect(page).toHaveTitle(new RegExp(escapeRegExp(payload('room'))));
  await expect(main(page)).toContainText(payload('message'));
  await page.goto(`/e/${slug}`);
  await expect(main(page)).toContainText(payload('description'));
  await expect(main(page)).toContainText(payload('announcement'));
  await mal.page.goto(`/e/${slug}/p/${olgaId}`);
  await expect(main(mal.page)).toContainText(payload('headline'));
  await expect(main(mal.page)).toContainText(payload('bio'));
  await mal.page.goto('/connections');
  await expect(main(mal.page).getByLabel('Private note', { exact: true })).toHaveValue(payload('note'));

  // The same pages as the server renders them, without JavaScript.
  const plain = await newPage(browser, baseURL, { javaScriptEnabled: false });
  await call(plain.context.request, 'login', { email: olga.email, password: olga.password });
  for (const path of olgaPages) await visit(plain.page, path, false);
  await plain.page.goto(`/e/${slug}/rooms/${room}`);
  await expect(plain.page).toHaveTitle(new RegExp(escapeRegExp(payload('room'))));
  await plain.context.close();
  await mal.context.close();
});

test('an inline script that slipped into a page is blocked by the Content-Security-Policy', async ({
  browser,
  baseURL,
}) => {
  // A context of its own: the browser's CSP report of the injected script is
  // the point here, not an error (the shared check fails tests on those).
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __blocked?: string[] };
      (w.__blocked ??= []).push(e.violatedDirective);
    });
  });
  const direct = await page.request.get('/login');
  const csp = direct.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
  for (const part of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"]) {
    expect(csp).toContain(part);
  }
  expect(csp).not.toContain('unsafe-inline');
  // A fresh nonce for every response.
  const again = (await page.request.get('/login')).headers()['content-security-policy'];
  expect(again).not.toEqual(csp);

  // The server's page with markup added as if escaping had failed.
  await page.route('**/login', async (route) => {
    const response = await route.fetch();
    // Where they do not disturb hydration: the head, and the end of the body.
    const body = (await response.text())
      .replace('</head>', '<script>window.__xss = "inline"</script></head>')
      .replace(
        '</body>',
        '<img src="/nothing-here.png" alt="" onerror="window.__xss = \'handler\'"></body>',
      );
    await route.fulfill({ response, body });
  });
  await page.goto('/login');
  // The app's own nonce-carrying script still runs: the page hydrates.
  await hydrated(page);
  expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __blocked?: string[] }).__blocked ?? []))
    .toEqual([expect.stringMatching(/^script-src/), expect.stringMatching(/^script-src/)]);
  await context.close();
});

test('a login link cannot send anyone to another site', async ({ browser, baseURL }) => {
  const { context, page } = await newPage(browser, baseURL);
  const person = newPerson('Rita');
  await call(context.request, 'signup', {
    display_name: person.name,
    email: person.email,
    password: person.password,
  });
  await call(context.request, 'logout', {});
  // A tab inside the path: a browser would read `/\t/evil.example` as
  // `//evil.example`, another host.
  await page.goto(`/login?next=${encodeURIComponent('/\t/evil.example/')}`);
  await hydrated(page);
  await main(page).getByLabel('Email').fill(person.email);
  await main(page).getByLabel('Password').fill(person.password);
  await main(page).getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(new RegExp(`^${escapeRegExp(baseURL!)}/`));
  await expect(page.getByRole('heading', { level: 1, name: 'My events' })).toBeVisible();
  expect(new URL(page.url()).host).toBe(new URL(baseURL!).host);
  await context.close();
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
