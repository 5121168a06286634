// With JavaScript off the pages are complete server-rendered HTML and the
// forms are plain posts followed by redirects.
import { type Page } from '@playwright/test';
import {
  attendees,
  createEvent,
  expect,
  expectAccessible,
  main,
  newEvent,
  newPage,
  newPerson,
  signUp,
  test,
} from './support';

test.use({ javaScriptEnabled: false });
const NO_JS = { javaScript: false };

/** Proves the page under test really ran no script. */
async function expectNotHydrated(page: Page) {
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', /.*/);
}

test('log in and read an event page without JavaScript', async ({ page, browser, baseURL }) => {
  // Set-up with JavaScript on: an organizer, an event and a second attendee.
  const organizer = newPerson('Nora');
  const guest = newPerson('Gregor');
  const event = newEvent('Plain HTML Days');
  let eventPath: string;
  {
    const org = await newPage(browser, baseURL);
    const other = await newPage(browser, baseURL);
    try {
      await signUp(org.page, organizer);
      eventPath = `/e/${await createEvent(org.page, event)}`;
      const invite = (await org.page.getByTestId('invite-url').innerText()).trim();
      await signUp(other.page, guest);
      await other.page.goto(invite);
      await main(other.page).getByRole('button', { name: 'Join this event' }).click();
      await expect(other.page).toHaveURL(eventPath);
    } finally {
      await org.context.close();
      await other.context.close();
    }
  }

  // Signed out, the event page asks to sign in and keeps the way back.
  await page.goto(eventPath);
  await expectNotHydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Please sign in' })).toBeVisible();
  await main(page).getByRole('link', { name: 'Log in' }).click();
  await expect(page).toHaveURL(`/login?next=${eventPath}`);
  await expectNotHydrated(page);
  await expectAccessible(page, NO_JS);

  // A wrong password: the plain post comes back to the form with the error.
  await main(page).getByLabel('Email').fill(organizer.email);
  await main(page).getByLabel('Password').fill('wrong password, sorry');
  await main(page).getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('p.form-error[role=alert]')).toHaveText(
    'That email and password do not match an account.',
  );
  await expect(page).toHaveURL(/\/login/);
  await expectNotHydrated(page);
  await expectAccessible(page, NO_JS);

  // The right one logs in and returns to the event (?next= survived the error).
  await expect(page.locator('input[type=hidden][name=next]')).toHaveValue(eventPath);
  await main(page).getByLabel('Email').fill(organizer.email);
  await main(page).getByLabel('Password').fill(organizer.password);
  await main(page).getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(eventPath);
  await expectNotHydrated(page);

  await expect(page.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: '2 attendees' })).toBeVisible();
  await expect(attendees(page).filter({ hasText: organizer.name })).toHaveText(
    `${organizer.name} (you)`,
  );
  await expect(attendees(page).filter({ hasText: guest.name })).toHaveText(guest.name);
  await expect(page.getByTestId('invite-url')).toContainText('/join/');
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: organizer.name }),
  ).toBeVisible();
  await expectAccessible(page, NO_JS);
});

test('sign up and join by code without JavaScript', async ({ page, browser, baseURL }) => {
  const organizer = newPerson('Nils');
  const event = newEvent('No Script Meetup');
  let code: string;
  {
    const org = await newPage(browser, baseURL);
    try {
      await signUp(org.page, organizer);
      await createEvent(org.page, event);
      code = (await org.page.getByTestId('join-code').innerText()).trim();
    } finally {
      await org.context.close();
    }
  }

  const person = newPerson('Petra');
  await page.goto('/');
  await expectNotHydrated(page);
  await expectAccessible(page, NO_JS);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expectAccessible(page, NO_JS);

  // A short password (browser check switched off) comes back as an alert.
  await page.locator('main form').evaluate((f: HTMLFormElement) => (f.noValidate = true));
  await main(page).getByLabel('Your name').fill(person.name);
  await main(page).getByLabel('Email').fill(person.email);
  await main(page).getByLabel('Password').fill('short');
  await main(page).getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('p.form-error[role=alert]')).toHaveText(
    'Password needs at least 10 characters.',
  );
  await expect(page).toHaveURL(/\/signup/);
  await expectNotHydrated(page);

  await main(page).getByLabel('Your name').fill(person.name);
  await main(page).getByLabel('Email').fill(person.email);
  await main(page).getByLabel('Password').fill(person.password);
  await main(page).getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My events' })).toBeVisible();
  await expectNotHydrated(page);
  await expectAccessible(page, NO_JS);

  const joinForm = main(page).locator('form').filter({ has: page.getByLabel('Join code') });
  await joinForm.getByLabel('Join code').fill('ZZZZ-ZZZZ');
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(page.locator('p.form-error[role=alert]')).toHaveText(
    'No event has this join code. Check it with the organizer.',
  );
  await expectNotHydrated(page);
  await expectAccessible(page, NO_JS);

  await joinForm.getByLabel('Join code').fill(code);
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(page).toHaveURL(/\/e\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
  await expect(attendees(page).filter({ hasText: person.name })).toHaveText(`${person.name} (you)`);
  await expect(attendees(page).filter({ hasText: organizer.name })).toHaveText(organizer.name);
  await expectNotHydrated(page);
});
