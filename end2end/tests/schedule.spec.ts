// The meeting scheduler in the browser: the organizer sets up the meeting
// sessions, an attendee wants to meet another from their profile, the
// other says when they can meet without JavaScript (a plain form post),
// the organizer runs the scheduler and publishes, both find the meeting on
// their agenda, and one declines it, which the organizer's review shows.
import {
  createEvent,
  expect,
  expectAccessible,
  joinByApi,
  main,
  newEvent,
  newPage,
  newPageAs,
  newPerson,
  open,
  setTags,
  signUp,
  test,
} from './support';

test('meetings are scheduled from wishes, published and declined', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const organizer = newPerson('Orla');
  const ida = newPerson('Ida');
  const jon = newPerson('Jon');
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Meet Fair'));
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const idaSide = await newPage(browser, baseURL, { viewport: { width: 360, height: 780 } });
  await joinByApi(idaSide.context, ida, code);
  await setTags(idaSide.context, 'rust', 'mentoring', 'hiring');
  const jonSide = await newPage(browser, baseURL);
  await joinByApi(jonSide.context, jon, code);
  await setTags(jonSide.context, 'rust', 'hiring', 'mentoring');

  // The organizer sets up three slots of 20 minutes and two tables.
  await open(page, `/e/${slug}/schedule`);
  await expect(page.getByRole('heading', { level: 1, name: 'Meeting scheduler' })).toBeVisible();
  const setup = main(page).getByRole('region', { name: 'Sessions' });
  await setup.getByLabel('Time slots').fill('2031-05-15 09:00-10:00/20');
  await setup
    .getByLabel('Meeting spots and how many meetings each holds at once')
    .fill('Table 1: 1\nTable 2: 1');
  await setup.getByLabel('Meetings per person, at most').fill('4');
  await setup.getByLabel('Meetings in a row without a break, at most').fill('2');
  await setup.getByRole('button', { name: 'Save sessions' }).click();
  await expect(setup.getByRole('status')).toHaveText('Sessions saved.');
  await expectAccessible(page);

  // Ida wants to meet Jon: from his profile, found in the directory.
  await open(idaSide.page, `/e/${slug}/people`);
  await main(idaSide.page).getByRole('link', { name: jon.name }).click();
  await expect(idaSide.page.getByRole('heading', { level: 1, name: jon.name })).toBeVisible();
  const wish = main(idaSide.page).getByRole('region', { name: 'Meeting scheduler' });
  await wish.getByLabel(`How much do you want to meet ${jon.name}?`).selectOption('must');
  await wish.getByRole('button', { name: 'Want to meet' }).click();
  await expect(wish.getByRole('button', { name: 'Change' })).toBeVisible();
  await open(idaSide.page, `/e/${slug}/wishes`);
  await expect(main(idaSide.page).getByTestId('my-wishes')).toContainText(jon.name);
  await expectAccessible(idaSide.page);

  // Jon, without JavaScript: not in the first slot, and he accepts being asked.
  const plain = await newPageAs(browser, baseURL, jonSide.context, { javaScriptEnabled: false });
  await plain.page.goto(`/e/${slug}/wishes`);
  const when = main(plain.page).getByRole('region', { name: 'When I can meet' });
  await when.getByLabel(/09:00–09:20/).uncheck();
  await when.getByLabel(/I accept being asked/).check();
  await when.getByRole('button', { name: 'Save' }).click();
  await expect(plain.page).toHaveURL(new RegExp(`/e/${slug}/wishes`));
  await expect(when.getByLabel(/09:00–09:20/)).not.toBeChecked();
  await expect(when.getByLabel(/I accept being asked/)).toBeChecked();
  await expectAccessible(plain.page, { javaScript: false });

  // The organizer runs the scheduler and publishes.
  await open(page, `/e/${slug}/schedule`);
  const run = main(page).getByRole('region', { name: 'Run and publish' });
  await run.getByRole('button', { name: 'Run the scheduler' }).click();
  await expect(run.getByTestId('run-result')).toContainText('1 meeting scheduled');
  const scheduled = main(page).getByTestId('scheduled-meetings');
  await expect(scheduled.getByRole('article')).toHaveCount(1);
  await expect(scheduled).toContainText(ida.name);
  await expect(scheduled).toContainText(jon.name);
  await expect(scheduled).toContainText('Draft');
  // Not in Jon's first slot, which he is not available in.
  await expect(scheduled.locator('.meta')).toContainText('09:20–09:40');
  await expect(main(page).getByTestId('schedule-stats')).toContainText('1 of 1');
  await expectAccessible(page);
  await run.getByRole('button', { name: 'Publish 1 draft meeting' }).click();
  await expect(run.getByRole('status').last()).toContainText('1 meeting published.');

  // Both see it on their agenda; Jon declines it.
  await open(idaSide.page, `/e/${slug}/agenda`);
  const idaMeeting = main(idaSide.page).getByRole('article', { name: `Meeting with ${jon.name}` });
  await expect(idaMeeting).toContainText('Table');
  await expect(idaMeeting).toContainText('Scheduled by the organizers');
  await expectAccessible(idaSide.page);
  await open(jonSide.page, `/e/${slug}/agenda`);
  const jonMeeting = main(jonSide.page).getByRole('article', { name: `Meeting with ${ida.name}` });
  await jonMeeting.getByRole('button', { name: 'Cancel meeting' }).click();
  await expect(
    main(jonSide.page).getByRole('region', { name: 'Declined or cancelled' }),
  ).toContainText(ida.name);

  // The organizer's review shows the decline; the dashboard counts it.
  await open(page, `/e/${slug}/schedule`);
  await expect(main(page).getByTestId('scheduled-meetings')).toContainText('Declined');
  await open(page, `/e/${slug}/dashboard`);
  const figures = main(page).getByRole('region', { name: 'Meeting scheduler' });
  await expect(figures.locator('.stat', { hasText: 'Declined' }).locator('dd')).toHaveText('1');
});
