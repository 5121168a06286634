// The organizer's operations: importing attendees from a CSV file in the
// browser (dry run, confirm, report, the invitations waiting in the outbox;
// the people imported become members only by accepting), and the settings
// page switching the
// event to invitation only so the join code stops working, and an exhibitor
// marked there finding their leads. Every new page is checked with axe at
// phone width.
import {
  attendees,
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

test('an organizer imports attendees from a CSV file and sees their invitations', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Orla');
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Import Summit'));
  const tag = Date.now().toString(36);
  const csv =
    'name,email,company,tags\n' +
    `Imogen Imported,imogen.${tag}@example.test,Acme,rust\n` +
    `Ivo Imported,ivo.${tag}@example.test,,\n` +
    'Nobody,not-an-email,,\n';

  await main(page).getByRole('link', { name: 'Import attendees' }).click();
  await expect(page).toHaveURL(new RegExp(`/e/${slug}/import$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Import attendees' })).toBeVisible();
  await expectAccessible(page);

  await main(page)
    .getByLabel('CSV file', { exact: true })
    .setInputFiles({ name: 'attendees.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await main(page).getByRole('button', { name: 'Check the file' }).click();

  // The dry run: nothing imported yet.
  await expect(page).toHaveURL(new RegExp(`/e/${slug}/import/[0-9a-f-]+$`));
  await expect(
    page.getByRole('heading', { level: 1, name: 'Check before importing' }),
  ).toBeVisible();
  await expect(page.getByTestId('invited')).toHaveText('2');
  await expect(page.getByTestId('skipped')).toHaveText('1');
  await expect(main(page).getByText('Line 4:')).toBeVisible();
  await expectAccessible(page);

  await main(page).getByRole('button', { name: 'Import now' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Import finished' })).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByTestId('invited')).toHaveText('2');
  await expectAccessible(page);

  // Invited, not members: nobody joins before accepting.
  await main(page).getByRole('link', { name: 'See who has joined' }).click();
  await expect(page).toHaveURL(new RegExp(`/e/${slug}$`));
  await expect(attendees(page)).toHaveText([`${organizer.name} (you)`]);

  // No mail server in the tests: their invitations wait in the outbox, with links.
  await open(page, `/e/${slug}/import`);
  const outbox = main(page).locator('section', {
    has: page.getByRole('heading', { name: 'Invitations not sent by mail' }),
  });
  const rows = outbox.getByTestId('invitation');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText(`imogen.${tag}@example.test`);
  await expect(rows.first().locator('code.invite-url')).toContainText('/claim/');
  await expect(rows.first()).toContainText('Not sent by mail');
  await expectAccessible(page);

  // Imogen follows her personal link, chooses a password and is in.
  const link = new URL((await rows.first().locator('code.invite-url').innerText()).trim());
  const imogen = await newPage(browser, baseURL, { viewport: { width: 360, height: 800 } });
  await open(imogen.page, link.pathname);
  await expect(main(imogen.page)).toContainText('invite you, as attendee');
  await main(imogen.page).getByLabel('Password').fill('correct horse battery staple');
  await main(imogen.page).getByRole('button', { name: 'Set password and accept' }).click();
  await expect(imogen.page).toHaveURL(new RegExp(`/e/${slug}$`));
  await expect(attendees(imogen.page).filter({ hasText: 'Imogen Imported' })).toHaveText(
    'Imogen Imported (you)',
  );
  await imogen.context.close();
  await open(page, `/e/${slug}`);
  await expect(attendees(page)).toHaveCount(2);
  await expect(attendees(page).filter({ hasText: 'Imogen Imported' })).toHaveCount(1);
  await expect(attendees(page).filter({ hasText: 'Ivo Imported' })).toHaveCount(0);
});

test('invitation only: after the switch in settings, the join code is refused', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Otto');
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Closed Circle'));
  const code = (await page.getByTestId('join-code').textContent())!.trim();

  await main(page).getByRole('link', { name: 'Settings and roles' }).click();
  await expect(page).toHaveURL(new RegExp(`/e/${slug}/settings$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Event settings' })).toBeVisible();
  await expectAccessible(page);
  await main(page).getByLabel('Invitation only', { exact: false }).check();
  await main(page).getByRole('button', { name: 'Save settings' }).click();
  await expect(main(page).getByText('Settings saved.')).toBeVisible();
  await page.reload();
  await expect(main(page).getByLabel('Invitation only', { exact: false })).toBeChecked();

  // Someone with the code cannot get in.
  const guest = newPerson('Gwen');
  const { context, page: other } = await newPage(browser, baseURL, {
    viewport: { width: 360, height: 800 },
  });
  await signUp(other, guest);
  await main(other).getByLabel('Join code', { exact: true }).fill(code);
  await main(other).getByRole('button', { name: 'Join' }).click();
  await expect(main(other).getByRole('alert')).toContainText('invitation only');
  await expect(other).toHaveURL(/\/events$/);
  const res = await context.request.post('/api/event_page', { form: { slug } });
  expect(res.status()).toBe(403);
  await context.close();
});

test('an exhibitor marked in settings sees counts and the attendee who scanned their badge', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Olga');
  const xena = newPerson('Xena');
  const lea = newPerson('Lea');
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Expo Hall'));
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const xenaSide = await newPage(browser, baseURL, { viewport: { width: 360, height: 800 } });
  await joinByApi(xenaSide.context, xena, code);
  const leaSide = await newPage(browser, baseURL);
  await joinByApi(leaSide.context, lea, code);

  // Not an exhibitor yet: the leads page says who it is for.
  await open(xenaSide.page, `/e/${slug}/leads`);
  await expect(main(xenaSide.page).getByRole('alert')).toContainText('sponsors and exhibitors');

  await open(page, `/e/${slug}/settings`);
  await main(page).getByLabel(`Change ${xena.name}`).selectOption('exhibitor');
  const row = main(page).getByTestId('managed-member').filter({ hasText: xena.name });
  await row.getByRole('button', { name: 'Apply' }).click();
  await expect(main(page).getByText('Member updated.')).toBeVisible();

  // Lea scans Xena's badge at the booth.
  const badge = await xenaSide.context.request.post('/api/my_badge', { form: { slug } });
  const url = (await badge.json()).badge.url as string;
  const scan = await leaSide.context.request.post('/api/scan_badge', {
    form: { slug, badge: url, mode: 'connect', method: 'scanner' },
  });
  expect(scan.status(), await scan.text()).toBe(200);

  await open(xenaSide.page, `/e/${slug}`);
  await main(xenaSide.page).getByRole('link', { name: 'My leads' }).click();
  await expect(xenaSide.page).toHaveURL(new RegExp(`/e/${slug}/leads$`));
  await expect(xenaSide.page.getByRole('heading', { level: 1, name: 'My leads' })).toBeVisible();
  const stat = (label: string) =>
    main(xenaSide.page)
      .locator('.stat')
      .filter({ has: xenaSide.page.getByText(label, { exact: true }) })
      .locator('dd');
  await expect(stat('My leads')).toHaveText('1');
  await expect(stat('Members')).toHaveText('3');
  await expect(xenaSide.page.getByTestId('leads')).toHaveText(new RegExp(lea.name));
  await expect(
    main(xenaSide.page).getByRole('link', { name: 'My leads (CSV)' }),
  ).toHaveAttribute('href', `/connections.csv?event=${slug}`);
  await expectAccessible(xenaSide.page);
  await xenaSide.context.close();
  await leaSide.context.close();
});
