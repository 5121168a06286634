// The profile page: edit, save, see it on event pages; and logging out.
import {
  attendees,
  createEvent,
  expect,
  expectAccessible,
  main,
  newEvent,
  newPerson,
  open,
  signUp,
  test,
} from './support';

test('a person edits their profile, sees it at events, and logs out', async ({ page }) => {
  const person = newPerson('Ada');
  await signUp(page, person);

  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: person.name }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();
  await expect(main(page)).toContainText(`Signed in as ${person.email}`);
  // The page has more forms (tags, visibility...); this is the profile one.
  const form = main(page)
    .locator('form')
    .filter({ has: page.getByRole('button', { name: 'Save profile' }) });
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue(person.name);
  await expectAccessible(page);

  // A bad link is refused and nothing is saved.
  await form.getByLabel('Headline').fill('Not saved');
  await form.getByLabel('Links').fill('ftp://example.org/me');
  await form.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.locator('p.form-error[role=alert]')).toContainText(
    'is not a web address starting with https://.',
  );
  await expect(page.getByRole('status')).toHaveCount(0);
  await expectAccessible(page);

  await form.getByLabel('Pronouns').fill('she/her');
  await form.getByLabel('Headline').fill('Builds analytical engines');
  await form.getByLabel('Company').fill('Difference Ltd');
  await form.getByLabel('Job title').fill('Engineer');
  await form.getByLabel('Short bio').fill('Poetical science.');
  await form.getByLabel('Links').fill('https://example.org/ada');
  await form.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status')).toHaveText('Profile saved.');
  await expect(page.locator('p.form-error[role=alert]')).toHaveCount(0);
  await expectAccessible(page);

  // Saved for real: a fresh load shows the values.
  await open(page, '/account');
  await expect(form.getByLabel('Pronouns')).toHaveValue('she/her');
  await expect(form.getByLabel('Headline')).toHaveValue('Builds analytical engines');
  await expect(form.getByLabel('Company')).toHaveValue('Difference Ltd');
  await expect(form.getByLabel('Job title')).toHaveValue('Engineer');
  await expect(form.getByLabel('Short bio')).toHaveValue('Poetical science.');
  await expect(form.getByLabel('Links')).toHaveValue('https://example.org/ada');

  // Other attendees see the headline and company next to the name.
  await createEvent(page, newEvent('Profile Fair'));
  await expect(page.locator('ul.member-list li.member .detail')).toHaveText(
    'Builds analytical engines · Difference Ltd',
  );
  await expect(attendees(page)).toHaveText([`${person.name} (you)`]);

  // Logging out goes home and forgets the session.
  await nav.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(nav.getByRole('link', { name: 'Log in' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Sign up' })).toBeVisible();
  await expect(nav.getByRole('button', { name: 'Log out' })).toHaveCount(0);
  await expectAccessible(page);

  await open(page, '/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Please sign in' })).toBeVisible();
  await expect(main(page).getByRole('link', { name: 'Log in' })).toHaveAttribute(
    'href',
    '/login?next=/account',
  );
  await expectAccessible(page);
});
