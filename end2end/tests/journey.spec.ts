// The main journey: an organizer signs up and creates an event, a second
// person follows the invite link, signs up from there and joins.
import {
  attendees,
  expect,
  expectAccessible,
  fillSignup,
  main,
  newEvent,
  newPage,
  newPerson,
  open,
  test,
} from './support';

test('a visitor signs up, creates an event, and an invited person joins it', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Olivia');
  const guest = newPerson('Gustav');
  const event = newEvent('Journey Summit');

  // --- The organizer, from the home page.
  await open(page, '/');
  await expect(
    page.getByRole('heading', { level: 1, name: 'Meet the right people at your event' }),
  ).toBeVisible();
  await expectAccessible(page);

  await main(page).getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Create an account' })).toBeVisible();
  await expectAccessible(page);
  await fillSignup(page, organizer);

  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My events' })).toBeVisible();
  // The header now knows who is signed in.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: organizer.name })).toBeVisible();
  await expect(nav.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(main(page).locator('.empty')).toContainText('not in any event yet');
  await expectAccessible(page);

  await main(page).getByRole('link', { name: 'Create an event' }).click();
  await expect(page).toHaveURL(/\/events\/new$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Create an event' })).toBeVisible();
  await expect(main(page).getByLabel('Time zone')).toHaveValue('UTC');
  await expectAccessible(page);

  const form = main(page);
  await form.getByLabel('Event name').fill(event.name);
  await form.getByLabel('First day').fill(event.startsOn);
  await form.getByLabel('Last day').fill(event.endsOn);
  await form.getByLabel('Time zone').fill(event.timeZone!);
  await form.getByLabel('Venue').fill(event.venue!);
  await form.getByLabel('Description').fill(event.description!);
  await form.getByRole('button', { name: 'Create event' }).click();

  await expect(page).toHaveURL(/\/e\/[^/?#]+$/);
  const eventPath = new URL(page.url()).pathname;
  await expect(page.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
  await expect(main(page).locator('.meta').first()).toContainText('14 – 16 May 2031');
  await expect(main(page).locator('.meta').first()).toContainText('Europe/Berlin');
  await expect(main(page).locator('.meta').first()).toContainText(event.venue!);
  await expect(page.getByRole('heading', { level: 2, name: 'Invite people' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: '1 attendee' })).toBeVisible();
  await expect(attendees(page)).toHaveText([`${organizer.name} (you)`]);
  await expect(page.getByTestId('join-code')).toHaveText(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  await expectAccessible(page);

  const inviteUrl = (await page.getByTestId('invite-url').innerText()).trim();
  expect(inviteUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/join\/[A-Za-z0-9_-]+$/);
  // The link points at this very server.
  expect(new URL(inviteUrl).origin).toBe(new URL(baseURL!).origin);
  const invitePath = new URL(inviteUrl).pathname;

  // The event is listed under "My events".
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My events' }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(main(page).getByRole('link', { name: event.name })).toHaveAttribute(
    'href',
    eventPath,
  );

  // --- The guest: a separate browser context, so no shared cookies.
  const { context: guestContext, page: guestPage } = await newPage(browser, baseURL);
  try {
    await open(guestPage, inviteUrl);
    await expect(main(guestPage).getByText('You are invited to')).toBeVisible();
    await expect(guestPage.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
    await expect(main(guestPage).getByRole('button', { name: 'Join this event' })).toHaveCount(0);
    const toSignup = main(guestPage).getByRole('link', { name: 'Create an account' });
    await expect(toSignup).toHaveAttribute('href', `/signup?next=${invitePath}`);
    await expect(main(guestPage).getByRole('link', { name: 'Log in' })).toHaveAttribute(
      'href',
      `/login?next=${invitePath}`,
    );
    await expectAccessible(guestPage);

    await toSignup.click();
    await expect(guestPage).toHaveURL(`/signup?next=${invitePath}`);
    await expect(guestPage.locator('input[type=hidden][name=next]')).toHaveValue(invitePath);
    await fillSignup(guestPage, guest);

    // Back on the invite page, now signed in.
    await expect(guestPage).toHaveURL(invitePath);
    await expect(guestPage.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
    const join = main(guestPage).getByRole('button', { name: 'Join this event' });
    await expect(join).toBeVisible();
    await expectAccessible(guestPage);
    await join.click();

    await expect(guestPage).toHaveURL(eventPath);
    await expect(guestPage.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
    await expect(guestPage.getByRole('heading', { level: 2, name: '2 attendees' })).toBeVisible();
    await expect(attendees(guestPage).filter({ hasText: organizer.name })).toHaveText(organizer.name);
    await expect(attendees(guestPage).filter({ hasText: guest.name })).toHaveText(
      `${guest.name} (you)`,
    );
    // Attendees do not get the organizer's invite tools.
    await expect(guestPage.getByTestId('invite-url')).toHaveCount(0);
    await expectAccessible(guestPage);

    // Following the invite link again says they are already in.
    await open(guestPage, invitePath);
    await expect(main(guestPage).getByText('You are already in this event')).toBeVisible();
    await expect(main(guestPage).getByRole('button', { name: 'Join this event' })).toHaveCount(0);
  } finally {
    await guestContext.close();
  }

  // --- The organizer sees the guest too.
  await open(page, eventPath);
  await expect(page.getByRole('heading', { level: 2, name: '2 attendees' })).toBeVisible();
  await expect(attendees(page).filter({ hasText: organizer.name })).toHaveText(
    `${organizer.name} (you)`,
  );
  await expect(attendees(page).filter({ hasText: guest.name })).toHaveText(guest.name);
});
