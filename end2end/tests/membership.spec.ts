// Joining by consent and by the event's policy (issue 15): people an
// organizer imports are invited, not enrolled, and answer on "My events" or
// on their personal link; a promotion waits for its member's answer too; a
// removed member stays out (join code, badge scan) until let back in; an
// invite-only event cannot be joined by scanning a badge. Every new page
// state is checked with axe, at phone width, and the plain forms (decline,
// let back in) also without JavaScript.
import {
  attendees,
  createEvent,
  expect,
  expectAccessible,
  fitsWidth,
  importCsv,
  joinByApi,
  main,
  newEvent,
  newPage,
  newPageAs,
  newPerson,
  open,
  signUp,
  signUpByApi,
  test,
} from './support';

const phone = { width: 360, height: 800 };
test.use({ viewport: phone });

/** The invitation card for `eventName` on the current "My events" page. */
const invitation = (page: import('@playwright/test').Page, eventName: string) =>
  main(page).locator('li.invitation').filter({ hasText: eventName });

/** The organizer's row for `name` on the settings page. */
const memberRow = (page: import('@playwright/test').Page, name: string) =>
  main(page).getByTestId('managed-member').filter({ hasText: name });

/** The path of the badge link of whoever is signed in in `context`. */
async function badgePath(
  context: import('@playwright/test').BrowserContext,
  slug: string,
): Promise<string> {
  const res = await context.request.post('/api/my_badge', { form: { slug } });
  expect(res.status(), await res.text()).toBe(200);
  return new URL((await res.json()).badge.url as string).pathname;
}

test('people imported with an account accept (getting exactly their role) or decline on My events', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Omar');
  const stella = newPerson('Stella');
  const dario = newPerson('Dario');
  await signUp(page, organizer);
  const event = newEvent('Consent Camp');
  const slug = await createEvent(page, event);
  const stellaSide = await newPage(browser, baseURL, { viewport: phone });
  await signUpByApi(stellaSide.context, stella);
  const darioSide = await newPage(browser, baseURL, { viewport: phone, javaScriptEnabled: false });
  await signUpByApi(darioSide.context, dario);

  await importCsv(
    page,
    slug,
    'name,email,role\n' +
      `${stella.name},${stella.email},staff\n` +
      `${dario.name},${dario.email},attendee\n`,
  );
  await expect(page.getByTestId('invited')).toHaveText('2');
  await open(page, `/e/${slug}`);
  await expect(attendees(page)).toHaveText([`${organizer.name} (you)`]);

  // Stella sees the invitation, with the role, and is no member before
  // she accepts.
  await open(stellaSide.page, '/events');
  await expect(
    main(stellaSide.page).getByRole('heading', { level: 2, name: 'Invitations' }),
  ).toBeVisible();
  const card = invitation(stellaSide.page, event.name);
  await expect(card).toContainText('Your role if you accept: Staff');
  await fitsWidth(stellaSide.page, 360);
  await expectAccessible(stellaSide.page);
  const before = await stellaSide.context.request.post('/api/event_page', { form: { slug } });
  expect(before.status()).toBe(403);

  await card.getByRole('button', { name: `Accept the invitation to ${event.name}` }).click();
  await expect(stellaSide.page).toHaveURL(new RegExp(`/e/${slug}$`));
  await expect(
    stellaSide.page.getByRole('heading', { level: 1, name: event.name }),
  ).toBeVisible();
  // Staff, exactly: check-in mode opens, the settings do not.
  await main(stellaSide.page).getByRole('link', { name: 'Check people in' }).click();
  await expect(stellaSide.page.getByRole('heading', { level: 1, name: 'Check-in' })).toBeVisible();
  const settings = await stellaSide.context.request.post('/api/event_settings', {
    form: { slug },
  });
  expect(settings.status()).toBe(403);
  await open(stellaSide.page, '/events');
  await expect(
    main(stellaSide.page).getByRole('heading', { level: 2, name: 'Invitations' }),
  ).toHaveCount(0);
  await expect(
    main(stellaSide.page).locator('li.card').filter({ hasText: event.name }).locator('.badge'),
  ).toHaveText('Staff');
  await stellaSide.context.close();

  // Dario declines, without JavaScript: the plain form does it, and he is
  // not a member.
  await darioSide.page.goto('/events');
  const his = invitation(darioSide.page, event.name);
  await expect(his).toContainText('Your role if you accept: Attendee');
  await expectAccessible(darioSide.page, { javaScript: false });
  await his.getByRole('button', { name: `Decline the invitation to ${event.name}` }).click();
  await expect(darioSide.page).toHaveURL(/\/events$/);
  await expect(main(darioSide.page).locator('li.invitation')).toHaveCount(0);
  await expect(main(darioSide.page)).not.toContainText(event.name);
  const closed = await darioSide.page.goto(`/e/${slug}`);
  expect(closed?.status()).toBe(403);
  await expect(
    darioSide.page.getByRole('heading', { level: 1, name: 'Members only' }),
  ).toBeVisible();
  await expect(main(darioSide.page)).toContainText('Only members of this event');
  await darioSide.context.close();

  await open(page, `/e/${slug}/settings`);
  await expect(memberRow(page, stella.name).locator('.badge')).toHaveText('Staff');
  await expect(memberRow(page, dario.name)).toHaveCount(0);
});

test('a new account follows its personal link, sets a password, accepts and lands in the event', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Olive');
  await signUp(page, organizer);
  const event = newEvent('Claim Days');
  const slug = await createEvent(page, event);
  const nina = newPerson('Nina');
  await importCsv(page, slug, `name,email,role\n${nina.name},${nina.email},staff\n`);
  await open(page, `/e/${slug}/import`);
  const row = main(page).getByTestId('invitation').filter({ hasText: nina.email });
  const link = new URL((await row.locator('code.invite-url').innerText()).trim());
  expect(link.pathname).toMatch(/^\/claim\//);

  const ninaSide = await newPage(browser, baseURL, { viewport: phone });
  await open(ninaSide.page, link.pathname);
  await expect(
    ninaSide.page.getByRole('heading', { level: 1, name: `Welcome, ${nina.name}` }),
  ).toBeVisible();
  await expect(main(ninaSide.page)).toContainText('invite you, as staff');
  await fitsWidth(ninaSide.page, 360);
  await expectAccessible(ninaSide.page);
  await main(ninaSide.page).getByLabel('Password').fill(nina.password);
  await main(ninaSide.page).getByRole('button', { name: 'Set password and accept' }).click();
  await expect(ninaSide.page).toHaveURL(new RegExp(`/e/${slug}$`));
  await expect(ninaSide.page.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
  await expect(attendees(ninaSide.page).filter({ hasText: nina.name })).toHaveText(
    `${nina.name} (you)`,
  );
  await expect(main(ninaSide.page).getByRole('link', { name: 'Check people in' })).toBeVisible();
  await expectAccessible(ninaSide.page);
  await ninaSide.context.close();
});

test('a removed member cannot rejoin by join code or badge scan until let back in', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Odile');
  const rob = newPerson('Rob');
  await signUp(page, organizer);
  const event = newEvent('Strict Summit');
  const slug = await createEvent(page, event);
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const robSide = await newPage(browser, baseURL, { viewport: phone });
  await joinByApi(robSide.context, rob, code);

  await open(page, `/e/${slug}/settings`);
  await main(page).getByLabel(`Change ${rob.name}`).selectOption('remove');
  await memberRow(page, rob.name).getByRole('button', { name: 'Apply' }).click();
  await expect(main(page).getByText('Member updated.')).toBeVisible();
  await expect(memberRow(page, rob.name)).toHaveCount(0);
  const removed = main(page).locator('section', {
    has: page.getByRole('heading', { level: 2, name: 'Removed' }),
  });
  await expect(removed.getByTestId('removed-member')).toContainText(rob.name);
  await expectAccessible(page);

  // The join code says why it does not work.
  await open(robSide.page, '/events');
  await main(robSide.page).getByLabel('Join code', { exact: true }).fill(code);
  await main(robSide.page).getByRole('button', { name: 'Join' }).click();
  await expect(main(robSide.page).getByRole('alert')).toContainText(
    `The organizers removed you from ${event.name}`,
  );
  await expect(robSide.page).toHaveURL(/\/events$/);
  await expectAccessible(robSide.page);

  // So does scanning a member's badge: no button to join.
  await robSide.page.goto(await badgePath(page.context(), slug));
  await expect(robSide.page).toHaveURL(/\/scans\/[0-9a-f-]+$/);
  await expect(
    robSide.page.getByRole('heading', { level: 1, name: 'You cannot join this event.' }),
  ).toBeVisible();
  await expect(main(robSide.page).getByTestId('join-refused')).toContainText(
    'The organizers removed you',
  );
  await expect(main(robSide.page).getByRole('button', { name: /and connect/ })).toHaveCount(0);
  await expectAccessible(robSide.page);

  // The organizer lets him back in, without JavaScript.
  const plain = await newPageAs(browser, baseURL, page.context(), {
    viewport: phone,
    javaScriptEnabled: false,
  });
  await plain.page.goto(`/e/${slug}/settings`);
  await expectAccessible(plain.page, { javaScript: false });
  await main(plain.page).getByRole('button', { name: `Let ${rob.name} back in` }).click();
  await expect(plain.page).toHaveURL(new RegExp(`/e/${slug}/settings`));
  await expect(
    main(plain.page).getByRole('heading', { level: 2, name: 'Removed' }),
  ).toHaveCount(0);
  // Not a member again by that alone.
  await expect(memberRow(plain.page, rob.name)).toHaveCount(0);
  await plain.context.close();

  // He joins again with the code.
  await open(robSide.page, '/events');
  await main(robSide.page).getByLabel('Join code', { exact: true }).fill(code);
  await main(robSide.page).getByRole('button', { name: 'Join' }).click();
  await expect(robSide.page).toHaveURL(new RegExp(`/e/${slug}$`));
  await expect(attendees(robSide.page).filter({ hasText: rob.name })).toHaveText(
    `${rob.name} (you)`,
  );
  await robSide.context.close();
});

test('on an invite-only event, scanning a member badge offers no way in', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Oskar');
  await signUp(page, organizer);
  const event = newEvent('Private Salon');
  const slug = await createEvent(page, event);
  await open(page, `/e/${slug}/settings`);
  await main(page).getByLabel('Invitation only', { exact: false }).check();
  await main(page).getByRole('button', { name: 'Save settings' }).click();
  await expect(main(page).getByText('Settings saved.')).toBeVisible();

  const visitor = newPerson('Vera');
  const side = await newPage(browser, baseURL, { viewport: phone });
  await signUpByApi(side.context, visitor);
  await side.page.goto(await badgePath(page.context(), slug));
  await expect(side.page).toHaveURL(/\/scans\/[0-9a-f-]+$/);
  await expect(
    side.page.getByRole('heading', { level: 1, name: 'You cannot join this event.' }),
  ).toBeVisible();
  await expect(main(side.page).getByTestId('join-refused')).toContainText(
    'This event is by invitation only',
  );
  await expect(main(side.page).getByRole('button', { name: /and connect/ })).toHaveCount(0);
  await fitsWidth(side.page, 360);
  await expectAccessible(side.page);
  const res = await side.context.request.post('/api/event_page', { form: { slug } });
  expect(res.status()).toBe(403);
  await side.context.close();
});

test('a promotion to staff waits until the member accepts it', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Ophelia');
  const pia = newPerson('Pia');
  await signUp(page, organizer);
  const event = newEvent('Crew Call');
  const slug = await createEvent(page, event);
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const piaSide = await newPage(browser, baseURL, { viewport: phone });
  await joinByApi(piaSide.context, pia, code);

  await open(page, `/e/${slug}/settings`);
  await main(page).getByLabel(`Change ${pia.name}`).selectOption('staff');
  await memberRow(page, pia.name).getByRole('button', { name: 'Apply' }).click();
  await expect(main(page).getByRole('status').filter({ hasText: 'Offered' })).toContainText(
    'It is theirs once they accept.',
  );
  await expect(memberRow(page, pia.name).getByTestId('offered')).toHaveText(
    'offered: staff (waiting)',
  );
  await expect(memberRow(page, pia.name).locator('.badge')).toHaveText('Attendee');
  await fitsWidth(page, 360);
  await expectAccessible(page);

  // Until she accepts, Pia is an attendee.
  await open(piaSide.page, `/e/${slug}`);
  await expect(piaSide.page.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
  await expect(main(piaSide.page).getByRole('link', { name: 'Check people in' })).toHaveCount(0);

  await open(piaSide.page, '/events');
  const card = invitation(piaSide.page, event.name);
  await expect(card).toContainText('Your role if you accept: Staff');
  await expect(card).toContainText('You are a member already (Attendee)');
  await fitsWidth(piaSide.page, 360);
  await expectAccessible(piaSide.page);
  await card.getByRole('button', { name: `Accept the invitation to ${event.name}` }).click();
  await expect(piaSide.page).toHaveURL(new RegExp(`/e/${slug}$`));
  await expect(main(piaSide.page).getByRole('link', { name: 'Check people in' })).toBeVisible();
  await piaSide.context.close();

  await open(page, `/e/${slug}/settings`);
  await expect(memberRow(page, pia.name).locator('.badge')).toHaveText('Staff');
  await expect(memberRow(page, pia.name).getByTestId('offered')).toHaveCount(0);
});
