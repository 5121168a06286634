// Profiles, tags and who sees what; the event directory and profile pages;
// blocking; and "Your data" (download, delete the account).
import { readFile } from 'node:fs/promises';
import { type Browser, type Locator, type Page } from '@playwright/test';
import {
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
  type Person,
} from './support';

const NARROW = { width: 360, height: 740 };
const NO_JS = { javaScript: false };

/** One of the account page's forms, by its submit button. */
function accountForm(page: Page, button: string) {
  return main(page)
    .locator('form')
    .filter({ has: page.getByRole('button', { name: button }) });
}

/** Saves tags from /account (comma-separated lists). */
async function saveTags(
  page: Page,
  tags: { offer?: string; seek?: string; interest?: string },
): Promise<void> {
  await open(page, '/account');
  const form = accountForm(page, 'Save tags');
  await form.getByLabel('I can offer').fill(tags.offer ?? '');
  await form.getByLabel('I am looking for').fill(tags.seek ?? '');
  await form.getByLabel('Interests').fill(tags.interest ?? '');
  await form.getByRole('button', { name: 'Save tags' }).click();
  await expect(page.getByRole('status')).toHaveText('Tags saved.');
}

/** The names in the directory, in page order. */
const people = (page: Page) => page.locator('ul.people-list > li.person a.name');

/** Signs `person` up in its own context (JS on) and joins through `invite`. */
async function joinVia(
  browser: Browser,
  baseURL: string | undefined,
  person: Person,
  invite: string,
  slug: string,
  options: { viewport?: { width: number; height: number } } = {},
) {
  const ctx = await newPage(browser, baseURL, options);
  await signUp(ctx.page, person);
  await open(ctx.page, invite);
  await main(ctx.page).getByRole('button', { name: 'Join this event' }).click();
  await expect(ctx.page).toHaveURL(`/e/${slug}`);
  return ctx;
}

/** `scope` shows exactly these tag chips, in any order. */
async function expectChips(scope: Locator, chips: string[]) {
  const texts = await scope.locator('li.chip').allInnerTexts();
  expect(texts.map((t) => t.trim()).sort()).toEqual([...chips].sort());
}

async function expectNoHorizontalScroll(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `page ${page.url()} is ${width}px wide`).toBeLessThanOrEqual(NARROW.width);
}

test('an attendee finds a mentor in the directory and sees only what she shares', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Orla');
  const amara = newPerson('Amara');
  const bruno = newPerson('Bruno');
  const secret = `Hiddenco ${Date.now().toString(36)}`;
  const phone = '+49 30 1234 5678';
  const headline = 'Mentors first-time founders in climate tech';

  // The organizer creates the event through the UI.
  const org = await newPage(browser, baseURL);
  let slug: string;
  let invite: string;
  try {
    await signUp(org.page, organizer);
    slug = await createEvent(org.page, newEvent('Mentor Match'));
    invite = (await org.page.getByTestId('invite-url').innerText()).trim();
  } finally {
    await org.context.close();
  }

  // --- Amara joins and fills in her profile, tags and visibility.
  await signUp(page, amara);
  await open(page, invite);
  await main(page).getByRole('button', { name: 'Join this event' }).click();
  await expect(page).toHaveURL(`/e/${slug}`);

  await open(page, '/account');
  const profile = accountForm(page, 'Save profile');
  await profile.getByLabel('Headline').fill(headline);
  await profile.getByLabel('Company').fill(secret);
  await profile.getByLabel('Phone').fill(phone);
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status')).toHaveText('Profile saved.');

  await saveTags(page, { offer: 'mentoring', seek: 'co-founder' });

  await open(page, '/account');
  const vis = accountForm(page, 'Save visibility');
  // Contact details are for connections unless the owner says otherwise.
  for (const field of ['Email', 'Phone', 'Links']) {
    await expect(vis.getByLabel(field, { exact: true })).toHaveValue('connections');
  }
  await expect(vis.getByLabel('Company', { exact: true })).toHaveValue('event');
  await vis.getByLabel('Company', { exact: true }).selectOption('only_me');
  await vis.getByRole('button', { name: 'Save visibility' }).click();
  await expect(page.getByRole('status')).toHaveText('Visibility saved.');
  // All sections of the account page, filled in.
  await expect(page.getByRole('heading', { level: 2, name: 'Photo' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Blocked people' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Your data' })).toBeVisible();
  await expectAccessible(page);
  await open(page, '/account');
  await expect(accountForm(page, 'Save visibility').getByLabel('Company', { exact: true })).toHaveValue(
    'only_me',
  );
  await expect(accountForm(page, 'Save tags').getByLabel('I can offer')).toHaveValue('mentoring');

  // --- Bruno, on a phone-sized screen, seeks mentoring.
  const b = await joinVia(browser, baseURL, bruno, invite, slug, { viewport: NARROW });
  try {
    const bp = b.page;
    await saveTags(bp, { seek: 'mentoring' });

    await open(bp, `/e/${slug}`);
    await main(bp).getByRole('link', { name: 'Find people' }).click();
    await expect(bp).toHaveURL(`/e/${slug}/people`);
    await expect(bp.getByRole('heading', { level: 1, name: 'People' })).toBeVisible();
    await expect(people(bp).filter({ hasText: organizer.name })).toHaveCount(1);
    await expect(people(bp).filter({ hasText: amara.name })).toHaveCount(1);
    await expectNoHorizontalScroll(bp);
    await expectAccessible(bp);

    const search = bp.getByRole('search');
    await search.getByLabel('With tags').fill('mentoring');
    await search.getByLabel('Tags they').selectOption('offer');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(bp).toHaveURL(/[?&]tags=mentoring(&|$)/);
    await expect(bp).toHaveURL(/[?&]intent=offer(&|$)/);
    // Only Amara offers mentoring (Bruno seeks it, the organizer has no tags).
    await expect(people(bp)).toHaveText([amara.name]);
    const row = bp.locator('ul.people-list > li.person').filter({ hasText: amara.name });
    await expectChips(row, ['offers: mentoring', 'seeks: co-founder']);
    await expect(row).toContainText(headline);
    expect(await bp.content()).not.toContain(secret);
    await expectNoHorizontalScroll(bp);
    await expectAccessible(bp);

    // Her profile: the headline and why to talk, not her company or contacts.
    await row.getByRole('link', { name: amara.name }).click();
    await expect(bp).toHaveURL(new RegExp(`/e/${slug}/p/[^/?#]+$`));
    await expect(bp.getByRole('heading', { level: 1, name: amara.name })).toBeVisible();
    await expect(bp.locator('section.why')).toContainText('You seek mentoring — they offer it');
    const fields = bp.locator('dl.fields');
    await expect(fields.locator('dt', { hasText: 'Headline' })).toHaveCount(1);
    await expect(fields).toContainText(headline);
    for (const hidden of ['Company', 'Email', 'Phone']) {
      await expect(fields.locator('dt').filter({ hasText: hidden })).toHaveCount(0);
    }
    await expect(bp.getByRole('button', { name: `Block ${amara.name}` })).toBeVisible();
    // Not just hidden: not in the HTML or the hydration data at all.
    const html = await bp.content();
    expect(html).not.toContain(secret);
    expect(html).not.toContain(amara.email);
    expect(html).not.toContain(phone);
    await expectNoHorizontalScroll(bp);
    await expectAccessible(bp);

    // A search nobody matches.
    await open(bp, `/e/${slug}/people?tags=${encodeURIComponent('underwater basket weaving')}`);
    await expect(main(bp).getByText('Nobody matches this search.')).toBeVisible();
    await expect(people(bp)).toHaveCount(0);
    await expect(bp.getByRole('search').getByLabel('With tags')).toHaveValue(
      'underwater basket weaving',
    );
    await expectNoHorizontalScroll(bp);
    await expectAccessible(bp);
  } finally {
    await b.context.close();
  }
});

test('blocking someone hides both people from each other', async ({ page, browser, baseURL }) => {
  const amara = newPerson('Alma');
  const bruno = newPerson('Benno');
  await signUp(page, amara);
  const slug = await createEvent(page, newEvent('Block Party'));
  const invite = (await page.getByTestId('invite-url').innerText()).trim();

  const b = await joinVia(browser, baseURL, bruno, invite, slug);
  try {
    // Alma's directory lists Bruno; note his profile address.
    await open(page, `/e/${slug}/people`);
    const toBruno = people(page).filter({ hasText: bruno.name });
    await expect(toBruno).toHaveCount(1);
    const brunoPath = (await toBruno.getAttribute('href'))!;
    expect(brunoPath).toMatch(new RegExp(`^/e/${slug}/p/[^/]+$`));

    const bp = b.page;
    await open(bp, `/e/${slug}/people`);
    await people(bp).filter({ hasText: amara.name }).click();
    await expect(bp.getByRole('heading', { level: 1, name: amara.name })).toBeVisible();
    await bp.getByRole('button', { name: `Block ${amara.name}` }).click();
    await expect(bp).toHaveURL(`/e/${slug}/people`);
    await expect(bp.getByRole('heading', { level: 1, name: 'People' })).toBeVisible();
    await expect(people(bp).filter({ hasText: amara.name })).toHaveCount(0);
    // Also after a fresh load; and listed under "Blocked people".
    await open(bp, `/e/${slug}/people`);
    await expect(people(bp).filter({ hasText: amara.name })).toHaveCount(0);
    await open(bp, '/account');
    await expect(bp.getByRole('button', { name: `Unblock ${amara.name}` })).toBeVisible();

    // Alma no longer sees Bruno, nor his profile.
    await open(page, `/e/${slug}/people`);
    await expect(page.getByRole('heading', { level: 1, name: 'People' })).toBeVisible();
    await expect(people(page).filter({ hasText: bruno.name })).toHaveCount(0);
    await open(page, brunoPath);
    await expect(main(page)).toContainText('This profile is not available.');
    await expect(page.getByRole('heading', { level: 1, name: bruno.name })).toHaveCount(0);
  } finally {
    await b.context.close();
  }
});

test('the directory and profiles work without JavaScript', async ({ browser, baseURL }) => {
  const amara = newPerson('Anke');
  const bruno = newPerson('Bernd');
  let slug: string;
  let invite: string;
  {
    const a = await newPage(browser, baseURL);
    try {
      await signUp(a.page, amara);
      slug = await createEvent(a.page, newEvent('Plain People'));
      invite = (await a.page.getByTestId('invite-url').innerText()).trim();
      await saveTags(a.page, { offer: 'mentoring', interest: 'rust' });
    } finally {
      await a.context.close();
    }
  }

  const { context, page } = await newPage(browser, baseURL, { javaScriptEnabled: false });
  try {
    const notHydrated = () =>
      expect(page.locator('body')).not.toHaveAttribute('data-hydrated', /.*/);
    await page.goto('/signup');
    await fillSignup(page, bruno);
    await expect(page).toHaveURL(/\/events$/);
    await page.goto(invite);
    await main(page).getByRole('button', { name: 'Join this event' }).click();
    await expect(page).toHaveURL(`/e/${slug}`);

    await main(page).getByRole('link', { name: 'Find people' }).click();
    await expect(page).toHaveURL(`/e/${slug}/people`);
    await notHydrated();
    // Everyone but Bernd himself: Anke is the only other member.
    await expect(people(page)).toHaveText([amara.name]);

    // The GET form: a search is a plain page load with its own address.
    const search = page.getByRole('search');
    await search.getByLabel('With tags').fill('rust');
    await search.getByLabel('Tags they').selectOption('interest');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/[?&]tags=rust(&|$)/);
    await expect(page).toHaveURL(/[?&]intent=interest(&|$)/);
    await notHydrated();
    await expect(people(page)).toHaveText([amara.name]);
    await expect(search.getByLabel('Tags they')).toHaveValue('interest');
    await expectAccessible(page, NO_JS);

    await search.getByLabel('Search people').fill(amara.name);
    await search.getByLabel('With tags').fill('');
    await search.getByLabel('Tags they').selectOption('');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/[?&]q=Anke/);
    await expect(people(page)).toHaveText([amara.name]);

    await search.getByLabel('Search people').fill('');
    await search.getByLabel('With tags').fill('mentoring');
    await search.getByLabel('Tags they').selectOption('seek');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(main(page).getByText('Nobody matches this search.')).toBeVisible();
    await expectAccessible(page, NO_JS);

    await page.goto(`/e/${slug}/people`);
    await people(page).filter({ hasText: amara.name }).click();
    await expect(page).toHaveURL(new RegExp(`/e/${slug}/p/[^/?#]+$`));
    await notHydrated();
    await expect(page.getByRole('heading', { level: 1, name: amara.name })).toBeVisible();
    await expectChips(main(page), ['offers: mentoring', 'rust']);
    await expect(page.getByRole('button', { name: `Block ${amara.name}` })).toBeVisible();
    await expectAccessible(page, NO_JS);
  } finally {
    await context.close();
  }
});

test('a person downloads their data and deletes their account', async ({ page }) => {
  const person = newPerson('Dora');
  const tag = `tag${Date.now().toString(36)}`;
  await signUp(page, person);
  await saveTags(page, { interest: tag });

  await open(page, '/account');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    main(page).getByRole('link', { name: 'Download all my data (JSON)' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.json$/);
  const text = await readFile((await download.path())!, 'utf8');
  const data = JSON.stringify(JSON.parse(text));
  expect(data).toContain(person.email);
  expect(data).toContain(tag);

  const form = accountForm(page, 'Delete my account');
  await form.getByLabel('Your password, to confirm').fill('not my password at all');
  await form.getByRole('button', { name: 'Delete my account' }).click();
  await expect(form.locator('p.form-error[role=alert]')).toHaveText('That password is not right.');
  await expect(page).toHaveURL(/\/account$/);

  await form.getByLabel('Your password, to confirm').fill(person.password);
  await form.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/\?deleted=1$/);
  await expect(page.getByRole('status')).toHaveText(
    'Your account and everything only it owned were deleted.',
  );
  await expectAccessible(page);
  // Signed out. (Checked after a fresh load: with JavaScript the header keeps
  // showing the deleted person until the next full page load, because the
  // session is not refetched after the delete action.)
  await open(page, '/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Log in' })).toBeVisible();
  await open(page, '/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Please sign in' })).toBeVisible();

  await open(page, '/login');
  await fillLogin(page, person.email, person.password);
  await expect(page.locator('p.form-error[role=alert]')).toHaveText(
    'That email and password do not match an account.',
  );
  await expect(page).toHaveURL(/\/login/);
});
