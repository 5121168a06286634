// Shared helpers for the end-to-end tests.
import AxeBuilder from '@axe-core/playwright';
import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type Page,
} from '@playwright/test';

export { expect };

/** Browser-side errors of the running test, from all its contexts. */
let browserErrors: string[] = [];

/**
 * Records uncaught errors, Rust panics, hydration errors and anything the
 * Content-Security-Policy refused in `context`: every test thus also proves
 * that the pages it visits live within the policy.
 */
function watch(context: BrowserContext): void {
  context.on('weberror', (e) => browserErrors.push(`uncaught: ${e.error().message}`));
  context.on('console', (m) => {
    if (
      m.type() === 'error' &&
      /panicked at|hydration error|Content Security Policy/i.test(m.text())
    ) {
      browserErrors.push(m.text().split('\n').slice(0, 3).join('\n'));
    }
  });
}

/**
 * Playwright's `test`, failing any test whose pages threw, panicked or could
 * not hydrate, even where the page still looked right. (A hydration error
 * usually means the server binary and the WebAssembly in target/site were
 * built from different sources: run `make e2e` again, which rebuilds both.)
 */
export const test = base.extend<{ browserErrorCheck: void }>({
  browserErrorCheck: [
    async ({ context }, use) => {
      browserErrors = [];
      watch(context);
      await use();
      expect(browserErrors, 'errors in the browser').toEqual([]);
    },
    { auto: true },
  ],
});

export interface Person {
  name: string;
  email: string;
  password: string;
}

let counter = 0;

/**
 * A new person with an email no other test (or earlier run) uses.
 *
 * Mind the server's sign-up rate limit per IP address (app/src/service/limits.rs):
 * every account here comes from 127.0.0.1. Each run starts a fresh server and
 * the suite signs up about 24 accounts on it, well within the burst; keep new
 * tests frugal all the same.
 */
export function newPerson(first: string): Person {
  counter += 1;
  const id = `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name: `${first} Tester${counter}`,
    email: `${first.toLowerCase()}.${id}@example.test`,
    password: 'correct horse battery staple',
  };
}

/** Waits until the WebAssembly app has taken over the server-rendered page. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', {
    timeout: 30_000,
  });
}

/**
 * Waits until the service worker is installed (the app's files and the
 * offline pages' code are cached) and controls `page` (it saves pages from
 * then on): what "installed" means before anything is expected offline.
 */
export async function controlled(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

/** Opens `path` in a JavaScript-enabled page and waits for hydration. */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await hydrated(page);
}

/**
 * Runs axe-core on the page as it is now and fails on any violation, listing
 * each rule with the elements that break it.
 *
 * axe needs JavaScript (its timers never fire in a page with scripts off), so
 * for a page of a JavaScript-disabled context pass `{ javaScript: false }`:
 * the page's current HTML, without its scripts, is then checked in a scratch
 * JavaScript-enabled page at the same address (stylesheets load from the
 * server as usual), which is exactly what a visitor without JavaScript gets.
 */
export async function expectAccessible(
  page: Page,
  options: { javaScript?: boolean } = {},
): Promise<void> {
  if (options.javaScript === false) {
    const url = page.url();
    const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
    const browser = page.context().browser()!;
    const scratch = await browser.newContext({ javaScriptEnabled: true });
    try {
      await scratch.route(url, (route) =>
        route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
      );
      const copy = await scratch.newPage();
      await copy.goto(url, { waitUntil: 'load' });
      await expectNoViolations(copy, url);
    } finally {
      await scratch.close();
    }
  } else {
    await expectNoViolations(page, page.url());
  }
}

async function expectNoViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const report = results.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n'),
  );
  expect(report, `axe violations on ${label}`).toEqual([]);
}

/** The main content area (the header has its own "Log in"/"Sign up" links). */
export const main = (page: Page) => page.locator('main');

/** Fills and sends the sign-up form on the current /signup page. */
export async function fillSignup(page: Page, p: Person): Promise<void> {
  const form = main(page);
  await form.getByLabel('Your name').fill(p.name);
  await form.getByLabel('Email').fill(p.email);
  await form.getByLabel('Password').fill(p.password);
  await form.getByRole('button', { name: 'Create account' }).click();
}

/** Signs up through the UI; ends on "My events". */
export async function signUp(page: Page, p: Person): Promise<void> {
  await open(page, '/signup');
  await fillSignup(page, p);
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My events' })).toBeVisible();
}

/** Fills and sends the login form on the current /login page. */
export async function fillLogin(page: Page, email: string, password: string): Promise<void> {
  const form = main(page);
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
}

export interface EventInput {
  name: string;
  startsOn: string;
  endsOn: string;
  timeZone?: string;
  venue?: string;
  description?: string;
}

/** A unique event for a test. */
export function newEvent(label: string): EventInput {
  return {
    name: `${label} ${Date.now().toString(36)}`,
    startsOn: '2031-05-14',
    endsOn: '2031-05-16',
    timeZone: 'Europe/Berlin',
    venue: 'Kulturbrauerei, Berlin',
    description: 'Two days of talks.\nBring a badge.',
  };
}

/** Creates an event through the UI (from /events/new); returns its slug. */
export async function createEvent(page: Page, e: EventInput, checkA11y = false): Promise<string> {
  await open(page, '/events/new');
  await expect(page.getByRole('heading', { level: 1, name: 'Create an event' })).toBeVisible();
  if (checkA11y) await expectAccessible(page);
  const form = main(page);
  await form.getByLabel('Event name').fill(e.name);
  await form.getByLabel('First day').fill(e.startsOn);
  await form.getByLabel('Last day').fill(e.endsOn);
  if (e.timeZone) await form.getByLabel('Time zone').fill(e.timeZone);
  if (e.venue) await form.getByLabel('Venue').fill(e.venue);
  if (e.description) await form.getByLabel('Description').fill(e.description);
  await form.getByRole('button', { name: 'Create event' }).click();
  await expect(page).toHaveURL(/\/e\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name: e.name })).toBeVisible();
  return new URL(page.url()).pathname.split('/').pop()!;
}

/** The names in the event page's attendee list, in page order. */
export function attendees(page: Page) {
  return page.locator('ul.member-list li.member .name');
}

/** A new browser context and page (JavaScript on unless told otherwise). */
export async function newPage(
  browser: Browser,
  baseURL: string | undefined,
  options: {
    javaScriptEnabled?: boolean;
    viewport?: { width: number; height: number };
    serviceWorkers?: 'allow' | 'block';
  } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  // Explicit, because contexts made in a test inherit that file's `use` options.
  const context = await browser.newContext({ baseURL, javaScriptEnabled: true, ...options });
  watch(context);
  const page = await context.newPage();
  return { context, page };
}

/** Signs `p` up and joins the event with `code`, through the API of `context`. */
export async function joinByApi(context: BrowserContext, p: Person, code: string): Promise<void> {
  const signup = await context.request.post('/api/signup', {
    form: { display_name: p.name, email: p.email, password: p.password },
  });
  expect(signup.status(), await signup.text()).toBe(200);
  const join = await context.request.post('/api/join_by_code', { form: { code } });
  expect(join.status(), await join.text()).toBe(200);
}

/** Sets the tags of whoever is signed in in `context` (interest, offer, seek). */
export async function setTags(
  context: BrowserContext,
  interest: string,
  offer: string,
  seek: string,
): Promise<void> {
  const res = await context.request.post('/api/update_tags', {
    form: { tags_interest: interest, tags_offer: offer, tags_seek: seek },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** Signs `p` up through the API of `context` (no event joined). */
export async function signUpByApi(context: BrowserContext, p: Person): Promise<void> {
  const signup = await context.request.post('/api/signup', {
    form: { display_name: p.name, email: p.email, password: p.password },
  });
  expect(signup.status(), await signup.text()).toBe(200);
}

/**
 * Imports `csv` into the event at `slug` through the organizer's import
 * page (check, then import); ends on the report.
 */
export async function importCsv(page: Page, slug: string, csv: string): Promise<void> {
  await open(page, `/e/${slug}/import`);
  await main(page)
    .getByLabel('CSV file', { exact: true })
    .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await main(page).getByRole('button', { name: 'Check the file' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check before importing' })).toBeVisible();
  await main(page).getByRole('button', { name: 'Import now' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Import finished' })).toBeVisible({
    timeout: 30_000,
  });
}

/** Whether the page is no wider than the window (no sideways scrolling). */
export async function fitsWidth(page: Page, width: number): Promise<void> {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, 'page wider than the window').toBeLessThanOrEqual(width);
}

/**
 * A new browser context and page signed in as whoever is signed in in
 * `from` (its cookies copied), e.g. the same organizer with JavaScript off.
 */
export async function newPageAs(
  browser: Browser,
  baseURL: string | undefined,
  from: BrowserContext,
  options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const storageState = await from.storageState();
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled: true,
    ...options,
    storageState,
  });
  watch(context);
  const page = await context.newPage();
  return { context, page };
}
