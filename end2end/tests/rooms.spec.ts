// Live rooms end to end: an organizer creates a room, an attendee joins it
// in a second browser context, and they chat live with presence. The
// attendee goes offline, types a message (it waits in the outbox), the
// organizer posts twice, and when the attendee is back the missed messages
// arrive in order and the waiting one goes out; a message typed offline in
// a tab closed before the network returned goes out when the room is opened
// again. The room also reads and posts without JavaScript. Rooms carry
// tags: chosen when created, changed by the room's moderator, shown as
// chips, and the list filters by tag with a plain GET form (also without
// JavaScript). Pages pass axe.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import {
  createEvent,
  expect,
  expectAccessible,
  main,
  newEvent,
  newPage,
  newPerson,
  open,
  signUp,
  test,
  type Person,
} from './support';

/** Signs `p` up and joins the event with `code`, through the API of `context`. */
async function joinByApi(context: BrowserContext, p: Person, code: string): Promise<void> {
  const signup = await context.request.post('/api/signup', {
    form: { display_name: p.name, email: p.email, password: p.password },
  });
  expect(signup.status(), await signup.text()).toBe(200);
  const join = await context.request.post('/api/join_by_code', { form: { code } });
  expect(join.status(), await join.text()).toBe(200);
}

/** The texts of the stored (not pending) messages on a room page, in order. */
const messageTexts = (page: Page) =>
  page.locator('[data-testid=messages] li.message:not(.pending) .text');

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** The width of a small phone: rooms pages must not scroll sideways on it. */
const PHONE_WIDTH = 360;

/**
 * A page in a phone-sized window (JavaScript on unless told otherwise), and
 * a check that the page it shows does not scroll sideways.
 */
async function phone(
  browser: Browser,
  baseURL: string | undefined,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; noSideScroll: () => Promise<void> }> {
  const { context, page } = await newPage(browser, baseURL, {
    ...options,
    viewport: { width: PHONE_WIDTH, height: 740 },
  });
  const noSideScroll = async () => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `page ${page.url()} is ${width}px wide`).toBeLessThanOrEqual(PHONE_WIDTH);
  };
  return { context, page, noSideScroll };
}

test('two people chat live in a room, through a dropped connection', async ({
  page,
  browser,
  baseURL,
}) => {
  const ada = newPerson('Ada');
  await signUp(page, ada);
  const slug = await createEvent(page, newEvent('Rooms'));
  const code = (await page.getByTestId('join-code').innerText()).trim();

  await main(page).getByRole('link', { name: 'Rooms' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Rooms' })).toBeVisible();
  await expectAccessible(page);
  await main(page).getByLabel('Title').fill('Rust folks');
  await main(page).getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/[0-9a-f-]{36}$/);
  const roomPath = new URL(page.url()).pathname;
  await expect(page.getByRole('heading', { level: 1, name: 'Rust folks' })).toBeVisible();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-link', 'live');

  const ben = newPerson('Ben');
  const benSide = await newPage(browser, baseURL);
  await joinByApi(benSide.context, ben, code);
  await open(benSide.page, roomPath);
  await expect(benSide.page.getByTestId('live-status')).toHaveAttribute('data-link', 'live');
  await expect(page.getByTestId('presence')).toContainText(ben.name);
  await expect(benSide.page.getByTestId('presence')).toContainText(ada.name);

  await say(page, 'Hello from Ada');
  await expect(messageTexts(benSide.page)).toHaveText(['Hello from Ada']);
  await say(benSide.page, 'Hi Ada, Table 12?');
  await expect(messageTexts(page)).toHaveText(['Hello from Ada', 'Hi Ada, Table 12?']);
  await expectAccessible(benSide.page);

  // Ben loses the network; what he types waits.
  await benSide.context.setOffline(true);
  await expect(benSide.page.getByTestId('live-status')).toHaveAttribute('data-link', 'offline');
  await expect(page.getByTestId('presence')).not.toContainText(ben.name);
  await say(benSide.page, 'Typed while offline');
  await expect(benSide.page.getByTestId('pending')).toContainText('Typed while offline');
  await say(page, 'Missed one');
  await say(page, 'Missed two');
  await expect(messageTexts(page)).toHaveText([
    'Hello from Ada',
    'Hi Ada, Table 12?',
    'Missed one',
    'Missed two',
  ]);

  // Back online: the missed messages arrive in order, then his own goes out.
  await benSide.context.setOffline(false);
  await expect(benSide.page.getByTestId('live-status')).toHaveAttribute('data-link', 'live', {
    timeout: 20_000,
  });
  const all = ['Hello from Ada', 'Hi Ada, Table 12?', 'Missed one', 'Missed two', 'Typed while offline'];
  await expect(messageTexts(benSide.page)).toHaveText(all);
  await expect(benSide.page.getByTestId('pending')).toHaveCount(0);
  await expect(messageTexts(page)).toHaveText(all);

  // Without JavaScript the room reads and posts too.
  const plain = await newPage(browser, baseURL, { javaScriptEnabled: false });
  const login = await plain.context.request.post('/api/login', {
    form: { email: ben.email, password: ben.password },
  });
  expect(login.status(), await login.text()).toBe(200);
  await plain.page.goto(roomPath);
  await expect(messageTexts(plain.page)).toHaveText(all);
  await expectAccessible(plain.page, { javaScript: false });
  await plain.page.getByLabel('Message', { exact: true }).fill('Posted without JavaScript');
  await plain.page.getByRole('button', { name: 'Send' }).click();
  await expect(messageTexts(plain.page).last()).toHaveText('Posted without JavaScript');
  await expect(messageTexts(page).last()).toHaveText('Posted without JavaScript');

  // What he types offline survives the tab: closed before the network came
  // back, it goes out the next time he opens the room.
  await benSide.context.setOffline(true);
  await expect(benSide.page.getByTestId('live-status')).toHaveAttribute('data-link', 'offline');
  await say(benSide.page, 'Typed, then the tab closed');
  await expect(benSide.page.getByTestId('pending')).toContainText('Typed, then the tab closed');
  await benSide.page.close();
  await benSide.context.setOffline(false);
  const again = await benSide.context.newPage();
  await open(again, roomPath);
  await expect(messageTexts(page).last()).toHaveText('Typed, then the tab closed');
  await expect(messageTexts(again).last()).toHaveText('Typed, then the tab closed');
  await expect(again.getByTestId('pending')).toHaveCount(0);
  await expect(messageTexts(page)).toHaveText([...all, 'Posted without JavaScript', 'Typed, then the tab closed']);

  await plain.context.close();
  await benSide.context.close();
});

test('Enter sends a message and Shift+Enter starts a new line', async ({ page }) => {
  const ada = newPerson('Ada');
  await signUp(page, ada);
  await createEvent(page, newEvent('Keys'));
  await main(page).getByRole('link', { name: 'Rooms' }).click();
  await main(page).getByLabel('Title').fill('Keyboard people');
  await main(page).getByRole('button', { name: 'Create room' }).click();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-link', 'live');
  await expect(page.locator('#f-text-hint')).toHaveText('Enter sends; Shift+Enter starts a new line.');

  const box = page.getByLabel('Message', { exact: true });
  await box.fill('First line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await expect(box).toHaveValue('First line\nsecond line');
  await expect(messageTexts(page)).toHaveCount(0);
  await box.press('Enter');
  await expect(messageTexts(page)).toHaveText(['First line\nsecond line']);
  await expect(box).toHaveValue('');
  // An empty box sends nothing.
  await box.press('Enter');
  await expect(messageTexts(page)).toHaveCount(1);
});

test('a meetup room on a 360px phone: created with a place and time, chat fits', async ({
  browser,
  baseURL,
}) => {
  const { context, page, noSideScroll } = await phone(browser, baseURL);
  await signUp(page, newPerson('Maximiliane'));
  const slug = await createEvent(page, newEvent('Phone rooms'));
  await open(page, `/e/${slug}/rooms`);
  await noSideScroll();
  const form = main(page);
  await form.getByLabel('Kind').selectOption('meetup');
  await form.getByLabel('Title').fill('Rustaceans-und-Softwareentwicklungsbegeisterte');
  await form.getByLabel('Place (meetups)').fill('Table 12');
  await form.getByLabel('Starts (meetups)').fill('2031-05-14T15:00');
  await form.getByLabel('Ends (meetups)').fill('2031-05-14T15:30');
  await form.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/[0-9a-f-]{36}$/);
  await expect(main(page).locator('p.meta')).toContainText('15:00–15:30 · May 14 · Table 12');
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-link', 'live');
  await say(page, 'https://example.org/a/very/long/address/without/any/spaces/0123456789abcdef');
  await expect(messageTexts(page)).toHaveCount(1);
  await noSideScroll();
  await expectAccessible(page);

  // Paging back: the page shows the newest 50; earlier ones on request.
  const roomPath = new URL(page.url()).pathname;
  const room = roomPath.split('/').pop()!;
  for (let i = 1; i <= 55; i++) {
    const form = { slug, room, client_id: `page-back-${String(i).padStart(4, '0')}`, text: `old ${i}` };
    let res = await context.request.post('/api/post_room_message', { form });
    // Posting has a rate limit (a burst of 10, then 5 a second): wait it out.
    while (res.status() === 429) {
      await page.waitForTimeout(250);
      res = await context.request.post('/api/post_room_message', { form });
    }
    expect(res.status(), await res.text()).toBe(200);
  }
  await open(page, roomPath);
  await expect(messageTexts(page)).toHaveCount(50);
  await expect(messageTexts(page).first()).toHaveText('old 6');
  await page.getByRole('button', { name: 'Show earlier messages' }).click();
  await expect(messageTexts(page)).toHaveCount(56);
  await expect(page.getByRole('button', { name: 'Show earlier messages' })).toHaveCount(0);
  await open(page, `/e/${slug}/rooms`);
  await expect(main(page).locator('.room-card')).toContainText('Table 12');
  await noSideScroll();
  await context.close();
});

test('rooms carry tags: chosen, changed, shown as chips and filtered by, on a 360px phone', async ({
  browser,
  baseURL,
}) => {
  const { context, page, noSideScroll } = await phone(browser, baseURL);
  const person = newPerson('Tagger');
  await signUp(page, person);
  const slug = await createEvent(page, newEvent('Tagged rooms'));
  const chips = (scope: ReturnType<typeof main>) => scope.getByTestId('room-tags').locator('li');

  // Chosen when the room is created, as people type them.
  await open(page, `/e/${slug}/rooms`);
  await main(page).getByLabel('Title').fill('Rust folks');
  await main(page).getByLabel('Tags (optional)').fill('Rust, WebAssembly, rust');
  await main(page).getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/[0-9a-f-]{36}$/);
  await expect(chips(main(page))).toHaveText(['rust', 'webassembly']);

  // Its creator changes them; the chips follow at once.
  await main(page).getByLabel('Tags (optional)').fill('rust, hiring');
  await main(page).getByRole('button', { name: 'Save tags' }).click();
  await expect(chips(main(page))).toHaveText(['rust', 'hiring']);
  await noSideScroll();
  await expectAccessible(page);

  // A second room; too many tags are refused, naming the problem.
  await open(page, `/e/${slug}/rooms`);
  await main(page).getByLabel('Title').fill('Gophers');
  await main(page).getByLabel('Tags (optional)').fill('go, a, b, c, d, e');
  await main(page).getByRole('button', { name: 'Create room' }).click();
  await expect(main(page).getByRole('alert')).toContainText('at most 5 tags');
  await main(page).getByLabel('Tags (optional)').fill('golang');
  await main(page).getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/[0-9a-f-]{36}$/);
  await expect(chips(main(page))).toHaveText(['go']);

  // The list shows each room's chips, and filters by tag.
  await open(page, `/e/${slug}/rooms`);
  const cards = main(page).locator('.room-card');
  await expect(cards).toHaveCount(2);
  await expect(chips(cards.filter({ hasText: 'Rust folks' }))).toHaveText(['rust', 'hiring']);
  await main(page).getByLabel('Rooms tagged').selectOption('go');
  await main(page).getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`/e/${slug}/rooms\\?tag=go$`));
  await expect(cards).toHaveCount(1);
  await expect(cards).toContainText('Gophers');
  await expect(page.getByTestId('tag-filter')).toContainText('Showing rooms tagged “go”');
  await noSideScroll();
  await expectAccessible(page);
  // A chip is a link to its filter.
  await main(page).getByRole('link', { name: 'Show all rooms' }).click();
  await expect(cards).toHaveCount(2);
  await cards.filter({ hasText: 'Rust folks' }).getByRole('link', { name: 'hiring' }).click();
  await expect(page).toHaveURL(/\?tag=hiring$/);
  await expect(cards).toHaveCount(1);
  await expect(cards).toContainText('Rust folks');

  // Without JavaScript the filter is a plain GET form.
  const plain = await phone(browser, baseURL, { javaScriptEnabled: false });
  const login = await plain.context.request.post('/api/login', {
    form: { email: person.email, password: person.password },
  });
  expect(login.status(), await login.text()).toBe(200);
  await plain.page.goto(`/e/${slug}/rooms`);
  await main(plain.page).getByLabel('Rooms tagged').selectOption('rust');
  await main(plain.page).getByRole('button', { name: 'Filter' }).click();
  await expect(plain.page).toHaveURL(/\?tag=rust$/);
  await expect(main(plain.page).locator('.room-card')).toHaveCount(1);
  await expect(main(plain.page).locator('.room-card')).toContainText('Rust folks');
  await plain.noSideScroll();
  await expectAccessible(plain.page, { javaScript: false });

  await plain.context.close();
  await context.close();
});
