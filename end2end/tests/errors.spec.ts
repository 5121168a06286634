// Bad input through the UI (JavaScript on): the form shows the server's
// error in an alert and the person stays where they were.
import {
  attendees,
  createEvent,
  expect,
  expectAccessible,
  fillLogin,
  fillSignup,
  main,
  newEvent,
  newPage,
  newPerson,
  open,
  signUp,
  test,
} from './support';

test('sign-up with a short password is refused with an alert', async ({ page }) => {
  const person = { ...newPerson('Shorty'), password: 'too-short' }; // 9 characters
  await open(page, '/signup');
  await expectAccessible(page);

  // The browser's own check stops the form first...
  await fillSignup(page, person);
  const password = main(page).getByLabel('Password');
  expect(await password.evaluate((el: HTMLInputElement) => el.validity.tooShort)).toBe(true);
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.locator('p.form-error[role=alert]')).toHaveCount(0);

  // ...and the server refuses it as well when that check is bypassed.
  await page.locator('main form').evaluate((form: HTMLFormElement) => {
    form.noValidate = true;
  });
  await main(page).getByRole('button', { name: 'Create account' }).click();
  const alert = page.locator('p.form-error[role=alert]');
  await expect(alert).toHaveText('Password needs at least 10 characters.');
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Create an account' })).toBeVisible();
  // Nobody got signed in.
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }),
  ).toBeVisible();
  await expectAccessible(page);

  // Signing in as that person fails: no account was created.
  await open(page, '/login');
  await fillLogin(page, person.email, 'correct horse battery staple');
  await expect(page.locator('p.form-error[role=alert]')).toHaveText(
    'That email and password do not match an account.',
  );
});

test('a second sign-up with a known email is answered like a new one and signs nobody in', async ({
  page,
  browser,
  baseURL,
}) => {
  const person = newPerson('Twin');
  const first = await newPage(browser, baseURL);
  try {
    await signUp(first.page, person);
  } finally {
    await first.context.close();
  }
  const nav = page.getByRole('navigation', { name: 'Main' });

  // Another password: the same answer as a new account's (on to "My
  // events", no error saying the address is taken), but nobody is signed
  // in, so "My events" asks to sign in.
  await open(page, '/signup');
  await fillSignup(page, { ...person, name: 'Someone Else', password: 'another long password' });
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.locator('p.form-error[role=alert]')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Please sign in' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Log in' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Someone Else' })).toHaveCount(0);
  await expectAccessible(page);

  // A brand-new address ends on the same page, signed in.
  const stranger = newPerson('Newcomer');
  const other = await newPage(browser, baseURL);
  try {
    await open(other.page, '/signup');
    await fillSignup(other.page, stranger);
    await expect(other.page).toHaveURL(/\/events$/);
    await expect(
      other.page.getByRole('heading', { level: 1, name: 'My events' }),
    ).toBeVisible();
  } finally {
    await other.context.close();
  }

  // The owner's own password signs the owner in, as a login would; the
  // account is theirs as before (the other name was not taken).
  await open(page, '/signup');
  await fillSignup(page, { ...person, name: 'Someone Else' });
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My events' })).toBeVisible();
  await expect(nav.getByRole('link', { name: person.name })).toBeVisible();
});

test('a wrong password is refused; the right one returns to ?next=', async ({
  page,
  browser,
  baseURL,
}) => {
  const person = newPerson('Wanda');
  const first = await newPage(browser, baseURL);
  try {
    await signUp(first.page, person);
  } finally {
    await first.context.close();
  }

  await open(page, '/login?next=/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
  await expectAccessible(page);
  await fillLogin(page, person.email, 'not the right password');
  await expect(page.locator('p.form-error[role=alert]')).toHaveText(
    'That email and password do not match an account.',
  );
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }),
  ).toBeVisible();
  await expectAccessible(page);

  await main(page).getByLabel('Password').fill(person.password);
  await main(page).getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: person.name }),
  ).toBeVisible();
});

test('an unknown or malformed join code is refused; a real one joins', async ({
  page,
  browser,
  baseURL,
}) => {
  // An organizer with an event, to have one real code.
  const organizer = newPerson('Otto');
  const event = newEvent('Code Conf');
  const org = await newPage(browser, baseURL);
  let code: string;
  try {
    await signUp(org.page, organizer);
    await createEvent(org.page, event);
    code = (await org.page.getByTestId('join-code').innerText()).trim();
  } finally {
    await org.context.close();
  }

  const person = newPerson('Jules');
  await signUp(page, person);
  const joinForm = main(page).locator('form').filter({ has: page.getByLabel('Join code') });

  await joinForm.getByLabel('Join code').fill('ZZZZ-ZZZZ');
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(page.locator('p.form-error[role=alert]')).toHaveText(
    'No event has this join code. Check it with the organizer.',
  );
  await expect(page).toHaveURL(/\/events$/);
  await expectAccessible(page);

  await joinForm.getByLabel('Join code').fill('abc');
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(page.locator('p.form-error[role=alert]')).toHaveText(
    'A join code has eight letters and digits, like K7PM-Q2XR.',
  );
  await expect(page).toHaveURL(/\/events$/);

  // Codes are forgiving about case and the dash.
  await joinForm.getByLabel('Join code').fill(code.replace('-', '').toLowerCase());
  await joinForm.getByRole('button', { name: 'Join' }).click();
  await expect(page).toHaveURL(/\/e\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name: event.name })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: '2 attendees' })).toBeVisible();
  await expect(attendees(page).filter({ hasText: organizer.name })).toHaveText(organizer.name);
  await expect(attendees(page).filter({ hasText: person.name })).toHaveText(`${person.name} (you)`);
});
