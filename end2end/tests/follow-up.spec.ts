// Following up across events, with two people in two browsers: they meet
// at one event; when the second joins a later one, the first is told at
// once ("meet again") and finds them first in people to meet with the
// reason; each connection's timeline shows where and when they met; a
// reminder set on it (without JavaScript, by a plain form post) arrives as
// a notification; "keep in touch" and the digest opt-in work; and the
// pages pass axe on a 360 px phone.
import {
  createEvent,
  expect,
  expectAccessible,
  fitsWidth,
  hydrated,
  joinByApi,
  main,
  newEvent,
  newPage,
  newPageAs,
  newPerson,
  open,
  signUp,
  test,
} from './support';

test('meet again, the timeline, a reminder and keeping in touch', async ({ page, browser, baseURL }) => {
  test.setTimeout(180_000);
  const organizer = newPerson('Alma');
  const ravi = newPerson('Ravi');
  await page.setViewportSize({ width: 360, height: 740 });
  await signUp(page, organizer);
  const firstCamp = newEvent('First Camp');
  const first = await createEvent(page, firstCamp);
  const firstCode = (await page.getByTestId('join-code').innerText()).trim();

  // Ravi, in his own browser, joins and scans Alma's badge.
  const raviSide = await newPage(browser, baseURL, { viewport: { width: 360, height: 740 } });
  await joinByApi(raviSide.context, ravi, firstCode);
  const badge = await page.context().request.post('/api/my_badge', { form: { slug: first } });
  const url = (await badge.json()).badge.url as string;
  const scan = await raviSide.context.request.post('/api/scan_badge', {
    form: { slug: first, badge: url, mode: 'connect', method: 'scanner' },
  });
  expect(scan.status(), await scan.text()).toBe(200);

  // A later event: Alma waits on her badge page; Ravi joins; she is told.
  const later = await createEvent(page, newEvent('Second Camp'));
  const laterCode = (await page.getByTestId('join-code').innerText()).trim();
  await open(page, `/e/${later}/badge`);
  // (The check also gives the page's socket time to open.)
  await expectAccessible(page);
  const notices = page.getByTestId('live-notices');
  const join = await raviSide.context.request.post('/api/join_by_code', { form: { code: laterCode } });
  expect(join.status(), await join.text()).toBe(200);
  await expect(notices).toContainText(`Meet again: ${ravi.name}, whom you met at ${firstCamp.name}, is here too.`);

  // Ravi ranks first in Alma's people to meet, with the reason.
  await open(page, `/e/${later}/meet`);
  const card = main(page).getByRole('article').first();
  await expect(card.getByRole('heading', { name: ravi.name })).toBeVisible();
  await expect(card.getByRole('list', { name: 'Why you should meet' })).toContainText(
    `You met at ${firstCamp.name}`,
  );
  await expectAccessible(page);
  await fitsWidth(page, 360);

  // The timeline: where and when they met.
  await card.getByRole('link', { name: 'Our timeline' }).click();
  await expect(page.getByRole('heading', { level: 1, name: ravi.name })).toBeVisible();
  await expect(page.getByTestId('timeline')).toContainText(`Connected at ${firstCamp.name}`);
  await expect(page.getByTestId('timeline')).toContainText(`They scanned your badge at ${firstCamp.name}`);
  await hydrated(page);
  await expectAccessible(page);
  await fitsWidth(page, 360);

  // Without JavaScript, Alma sets a reminder due today (a plain form
  // post) while her phone has her connections open.
  const timeline = new URL(page.url()).pathname;
  await open(page, '/connections');
  const noJs = await newPageAs(browser, baseURL, page.context(), {
    javaScriptEnabled: false,
    viewport: { width: 360, height: 740 },
  });
  await noJs.page.goto(timeline);
  await noJs.page.getByLabel('Remind me to').fill('Send the slides');
  await noJs.page.getByRole('button', { name: 'Add reminder' }).click();
  await noJs.page.goto(timeline);
  await expect(noJs.page.getByTestId('reminders')).toContainText('Send the slides');
  await expectAccessible(noJs.page, { javaScript: false });

  // The running server's follow-up job (every 2 s in these tests) sends
  // it to Alma's open page.
  await expect(notices).toContainText(`Reminder: Reminder about ${ravi.name}: Send the slides`, {
    timeout: 30_000,
  });
  await expectAccessible(page);

  // Ravi sees his side of the timeline, but not Alma's reminder.
  await open(raviSide.page, '/connections');
  await main(raviSide.page)
    .getByRole('article', { name: organizer.name })
    .getByRole('link', { name: 'Our timeline' })
    .click();
  await expect(raviSide.page.getByTestId('timeline')).toContainText(`You scanned their badge at ${firstCamp.name}`);
  await expect(raviSide.page.getByText('No open reminders.')).toBeVisible();

  // Keep in touch: nobody is quiet for 30 days; with 0 days, Alma is listed.
  await open(raviSide.page, '/keep-in-touch');
  await expect(main(raviSide.page)).toContainText('You have been in touch with all 1 of your connections');
  await main(raviSide.page).getByLabel('Not in touch for at least (days)').fill('0');
  await main(raviSide.page).getByRole('button', { name: 'Show' }).click();
  await expect(raviSide.page.getByTestId('keep-in-touch')).toContainText(organizer.name);
  await expectAccessible(raviSide.page);

  // The digest is opt-in, on the account page.
  await open(raviSide.page, '/account');
  const digest = main(raviSide.page).getByLabel('Send me the digest after each event day');
  await expect(digest).not.toBeChecked();
  await digest.check();
  await main(raviSide.page)
    .getByRole('form', { name: 'Follow-up digest' })
    .getByRole('button', { name: 'Save' })
    .click();
  await expect(main(raviSide.page).getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await raviSide.page.reload();
  await expect(main(raviSide.page).getByLabel('Send me the digest after each event day')).toBeChecked();

  await noJs.context.close();
  await raviSide.context.close();
});

