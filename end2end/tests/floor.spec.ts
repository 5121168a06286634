// The organizer's view of the floor: the event page's copy buttons for the
// invite link and the join code (the Clipboard API, announced in a live
// region; without JavaScript the texts are there and no dead button is),
// counts that read as words ("1 attendee"), and the dashboard's rooms
// figures: people in rooms now, the busiest rooms, messages, joins and
// check-ins per hour, updating live. Pages pass axe at phone width.
import {
  createEvent,
  expect,
  expectAccessible,
  joinByApi,
  main,
  newEvent,
  newPage,
  newPerson,
  open,
  signUp,
  test,
} from './support';

test.use({ viewport: { width: 360, height: 800 } });

test('an organizer copies the invite link and the join code', async ({
  page,
  browser,
  baseURL,
}) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: baseURL,
  });
  const orla = newPerson('Orla');
  await signUp(page, orla);
  const slug = await createEvent(page, newEvent('Copy Fest'));
  await open(page, `/e/${slug}`);
  await expect(page.getByRole('heading', { level: 2, name: '1 attendee' })).toBeVisible();

  const link = (await page.getByTestId('invite-url').innerText()).trim();
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const invite = main(page).locator('section.invite');
  await invite.getByRole('button', { name: 'Copy the invite link' }).click();
  await expect(invite.getByRole('status').first()).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await invite.getByRole('button', { name: 'Copy the join code' }).click();
  await expect(invite.getByRole('status').nth(1)).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
  await expectAccessible(page);

  // Someone joins: the heading counts in words.
  const ben = newPerson('Ben');
  const benSide = await newPage(browser, baseURL);
  await joinByApi(benSide.context, ben, code);
  await page.reload();
  await expect(page.getByRole('heading', { level: 2, name: '2 attendees' })).toBeVisible();

  // Without JavaScript: the link and the code are there to select, and no
  // button that would do nothing.
  const plain = await newPage(browser, baseURL, { javaScriptEnabled: false });
  const login = await plain.context.request.post('/api/login', {
    form: { email: orla.email, password: orla.password },
  });
  expect(login.status(), await login.text()).toBe(200);
  await plain.page.goto(`/e/${slug}`);
  await expect(plain.page.getByTestId('invite-url')).toHaveText(link);
  await expect(plain.page.getByTestId('join-code')).toHaveText(code);
  await expect(plain.page.getByRole('button', { name: /^Copy/ })).toHaveCount(0);
  await expectAccessible(plain.page, { javaScript: false });
  await plain.context.close();
  await benSide.context.close();
});

test('the dashboard shows the rooms, joins and check-ins, live', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const orla = newPerson('Orla');
  await signUp(page, orla);
  const slug = await createEvent(page, newEvent('Floor Fest'));
  const code = (await page.getByTestId('join-code').innerText()).trim();

  // A room with a message from the organizer.
  await main(page).getByRole('link', { name: 'Rooms' }).click();
  await main(page).getByLabel('Title').fill('Floor talk');
  await main(page).getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/[0-9a-f-]{36}$/);
  const roomPath = new URL(page.url()).pathname;
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-link', 'live');
  await page.getByLabel('Message', { exact: true }).fill('Welcome, everyone');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('[data-testid=messages] li.message:not(.pending) .text')).toHaveText([
    'Welcome, everyone',
  ]);
  // The organizer leaves the room (before the dashboard counts who is in it).
  await open(page, `/e/${slug}`);

  // Ben joins the event and stays in the room, and says hello.
  const ben = newPerson('Ben');
  const benSide = await newPage(browser, baseURL);
  await joinByApi(benSide.context, ben, code);
  await open(benSide.page, roomPath);
  await expect(benSide.page.getByTestId('live-status')).toHaveAttribute('data-link', 'live');
  await benSide.page.getByLabel('Message', { exact: true }).fill('Hello floor');
  await benSide.page.getByRole('button', { name: 'Send' }).click();
  await expect(
    benSide.page.locator('[data-testid=messages] li.message:not(.pending) .text'),
  ).toHaveText(['Welcome, everyone', 'Hello floor']);

  await open(page, `/e/${slug}/dashboard`);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  const stat = (label: string) => page.locator('.stat', { hasText: label }).locator('dd');
  await expect(stat('In rooms now')).toHaveText('1');
  await expect(main(page)).toContainText('1 organizer, 0 staff, 1 attendee');
  const busiest = page.getByTestId('busiest-rooms');
  await expect(busiest.locator('tr', { hasText: 'Floor talk' }).locator('td')).toHaveText([
    '1',
    '2',
  ]);
  for (const chart of ['Joins per hour', 'Check-ins per hour', 'Room messages per hour']) {
    await expect(page.locator('figcaption', { hasText: chart })).toBeVisible();
  }
  await expect(page.getByRole('img', { name: /^Joins per hour: 2 in all/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Room messages per hour: 2 in all/ })).toBeVisible();
  await expectAccessible(page);

  // Live: Ben says more, and Cy joins the event. A join tells the
  // dashboard at once; the refetch brings the new message along (messages
  // alone are picked up by the page's 30-second refresh).
  await benSide.page.getByLabel('Message', { exact: true }).fill('Anyone for coffee?');
  await benSide.page.getByRole('button', { name: 'Send' }).click();
  const cy = newPerson('Cy');
  const cySide = await newPage(browser, baseURL);
  await joinByApi(cySide.context, cy, code);
  await expect(main(page)).toContainText('1 organizer, 0 staff, 2 attendees');
  await expect(busiest.locator('tr', { hasText: 'Floor talk' }).locator('td')).toHaveText([
    '1',
    '3',
  ]);
  await expect(page.getByRole('img', { name: /^Joins per hour: 3 in all/ })).toBeVisible();

  // Ben leaves the room: within the refresh, nobody is in a room.
  await benSide.page.close();
  await expect(stat('In rooms now')).toHaveText('0', { timeout: 45_000 });
  await cySide.context.close();
  await benSide.context.close();
});
