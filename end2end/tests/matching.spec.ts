// Matching end to end: two attendees with complementary tags each see the
// other first with the right explanation, both say "interested" and are
// connected, then book a meeting that both find in their agenda.
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
  setTags,
  signUp,
  test,
} from './support';

test('complementary attendees are told to meet, connect, and book a meeting', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const organizer = newPerson('Olga');
  const mia = newPerson('Mia');
  const noah = newPerson('Noah');
  const pat = newPerson('Pat');
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Match Camp'));
  const code = (await page.getByTestId('join-code').innerText()).trim();

  const miaSide = await newPage(browser, baseURL);
  await joinByApi(miaSide.context, mia, code);
  await setTags(miaSide.context, 'rust', '', 'mentoring');
  const noahSide = await newPage(browser, baseURL);
  await joinByApi(noahSide.context, noah, code);
  await setTags(noahSide.context, 'rust', 'mentoring', '');
  const patSide = await newPage(browser, baseURL);
  await joinByApi(patSide.context, pat, code);
  await setTags(patSide.context, 'rust', '', '');

  // Each sees the other first, with why.
  await open(miaSide.page, `/e/${slug}/meet`);
  await expect(miaSide.page.getByRole('heading', { level: 1, name: 'People to meet' })).toBeVisible();
  const miaCards = main(miaSide.page).getByRole('article');
  await expect(miaCards).toHaveCount(2);
  await expect(miaCards.first()).toHaveAccessibleName(noah.name);
  await expect(miaCards.first().getByRole('listitem').first()).toHaveText(
    'Offers what you seek: mentoring',
  );
  await expect(miaCards.nth(1)).toHaveAccessibleName(pat.name);
  await expectAccessible(miaSide.page);

  await open(noahSide.page, `/e/${slug}/meet`);
  const noahFirst = main(noahSide.page).getByRole('article').first();
  await expect(noahFirst).toHaveAccessibleName(mia.name);
  await expect(noahFirst.getByRole('listitem').first()).toHaveText('Seeks what you offer: mentoring');

  // Interested both ways: connected.
  await miaCards.first().getByRole('button', { name: `Interested in ${noah.name}` }).click();
  await expect(miaCards.first()).toContainText('You are interested');
  await noahFirst.getByRole('button', { name: `Interested in ${mia.name}` }).click();
  await expect(noahSide.page.getByRole('status')).toHaveText(
    'You are both interested: you are connected now.',
  );
  await open(miaSide.page, '/connections');
  await expect(main(miaSide.page).getByRole('article', { name: noah.name })).toContainText(
    'both were interested',
  );

  // Mia proposes a meeting from Noah's profile.
  await main(miaSide.page).getByRole('link', { name: noah.name }).click();
  await expect(miaSide.page.getByRole('heading', { level: 1, name: noah.name })).toBeVisible();
  await hydratedForm(miaSide.page);
  const form = main(miaSide.page).getByRole('region', { name: 'Propose a meeting' });
  await form.getByLabel('Day').selectOption('2031-05-14');
  await form.getByLabel(/^Time/).fill('15:00');
  await form.getByLabel('Length').selectOption('30');
  await form.getByLabel('Place').fill('Coffee bar, hall B');
  await form.getByLabel('Message').fill('Mentoring chat?');
  await form.getByRole('button', { name: `Send to ${noah.name}` }).click();
  await expect(miaSide.page).toHaveURL(new RegExp(`/e/${slug}/agenda$`));
  const waiting = main(miaSide.page).getByRole('region', { name: 'Waiting for the other person' });
  await expect(waiting).toContainText(noah.name);
  await expect(waiting).toContainText('Wed 14 May, 15:00–15:30');

  // Noah accepts; both see it in their agenda.
  await open(noahSide.page, `/e/${slug}/agenda`);
  const toAnswer = main(noahSide.page).getByRole('region', { name: 'Waiting for your answer' });
  await expect(toAnswer).toContainText('Mentoring chat?');
  await expectAccessible(noahSide.page);
  await toAnswer.getByRole('button', { name: 'Accept' }).click();
  const noahMeetings = main(noahSide.page).getByRole('region', { name: 'Meetings', exact: true });
  await expect(noahMeetings).toContainText(mia.name);
  await expect(noahMeetings.getByRole('link', { name: 'Add to calendar (.ics)' })).toBeVisible();
  await open(miaSide.page, `/e/${slug}/agenda`);
  const miaMeetings = main(miaSide.page).getByRole('region', { name: 'Meetings', exact: true });
  await expect(miaMeetings).toContainText(noah.name);
  await expect(miaMeetings).toContainText('Coffee bar, hall B');
  await expect(main(miaSide.page).getByTestId('calendar-feed')).toHaveText(/\/calendar\/[0-9a-f]{32}$/);

  // The organizer's dashboard counts it, as numbers and accessible charts.
  await open(page, `/e/${slug}/dashboard`);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  const stat = (label: string) =>
    main(page).locator('.stat').filter({ has: page.getByText(label, { exact: true }) }).locator('dd');
  await expect(stat('Members')).toHaveText('4');
  await expect(stat('Connections made')).toHaveText('1');
  await expect(main(page).getByRole('img', { name: /^Networking funnel\./ })).toBeVisible();
  await expectAccessible(page);

  // An announcement reaches the attendees' event page.
  await open(page, `/e/${slug}`);
  await main(page).getByLabel('New announcement').fill('Speed networking starts at 16:00 in hall B');
  await main(page).getByRole('button', { name: 'Announce to everyone' }).click();
  await expect(main(page).getByRole('region', { name: 'Announcements' })).toContainText('Speed networking');
  await expectAccessible(page);
  await open(miaSide.page, `/e/${slug}`);
  await expect(miaSide.page.getByRole('status', { name: 'Latest announcement' })).toContainText(
    'Speed networking starts at 16:00 in hall B',
  );
});

/** The profile page is hydrated before its meeting form is used. */
async function hydratedForm(page: import('@playwright/test').Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}
