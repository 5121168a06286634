// The realtime channel end to end: an organizer's announcement appears at
// once on an attendee's open page, a scan tells the badge's owner, and the
// organizer's dashboard counts the new connection without a reload.
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

test('announcements, connections and the dashboard arrive live', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  const organizer = newPerson('Liv');
  const mia = newPerson('Mia');
  const noah = newPerson('Noah');
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Live Camp'));
  const code = (await page.getByTestId('join-code').innerText()).trim();

  const miaSide = await newPage(browser, baseURL, { viewport: { width: 360, height: 740 } });
  await joinByApi(miaSide.context, mia, code);
  const noahSide = await newPage(browser, baseURL);
  await joinByApi(noahSide.context, noah, code);

  // Mia has her badge page open; the organizer announces from the event page.
  await open(miaSide.page, `/e/${slug}/badge`);
  const miaNotices = miaSide.page.getByTestId('live-notices');
  await open(page, `/e/${slug}`);
  await main(page).getByLabel('New announcement').fill('Coffee is served in the lobby');
  await main(page).getByRole('button', { name: 'Announce to everyone' }).click();
  await expect(miaNotices).toContainText('Announcement: Coffee is served in the lobby');
  await expect(miaNotices.getByRole('link', { name: 'Open' })).toHaveAttribute('href', `/e/${slug}`);
  await expectAccessible(miaSide.page);

  // The organizer watches the dashboard while Noah scans Mia's badge.
  await open(page, `/e/${slug}/dashboard`);
  const stat = (label: string) =>
    main(page).locator('.stat').filter({ has: page.getByText(label, { exact: true }) }).locator('dd');
  await expect(stat('Connections made')).toHaveText('0');
  await expect(main(page).getByRole('img', { name: 'Connections per hour: nothing yet' })).toBeVisible();
  await expect(stat('Members')).toHaveText('3');
  const badge = await miaSide.context.request.post('/api/my_badge', { form: { slug } });
  const url = (await badge.json()).badge.url as string;
  const scan = await noahSide.context.request.post('/api/scan_badge', {
    form: { slug, badge: url, mode: 'connect', method: 'scanner' },
  });
  expect(scan.status(), await scan.text()).toBe(200);

  // Mia is told at once, on the page she has open.
  await expect(miaNotices).toContainText(`New connection: You are now connected with ${noah.name}.`);
  // The dashboard moved without a reload: the counter and the chart's table.
  await expect(stat('Connections made')).toHaveText('1', { timeout: 10_000 });
  await expect(stat('Badge scans')).toHaveText('1');
  await expect(main(page).getByRole('img', { name: /^Connections per hour: 1 in all/ })).toBeVisible();
  await expectAccessible(page);

  // Dismissed, the notice goes away.
  await miaNotices.getByRole('button', { name: 'Dismiss notification' }).last().click();
  await expect(miaNotices).not.toContainText('New connection');
});
