// The first scan of a person who is not logged in, on a 375 px phone with
// JavaScript on: the phone's camera app opens the badge link, Rapport asks
// them to log in (or sign up) and says whose badge it was, and after the
// form they are connected without a reload. This is how most newcomers meet
// Rapport.
import {
  createEvent,
  expect,
  expectAccessible,
  fillLogin,
  fillSignup,
  hydrated,
  joinByApi,
  main,
  newEvent,
  newPage,
  newPerson,
  signUp,
  test,
} from './support';

const phone = { width: 375, height: 740 };

test('logged out, a badge link leads through login or sign-up to a connection', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const olga = newPerson('Olga');
  const ben = newPerson('Ben');
  const nia = newPerson('Nia');
  const sam = newPerson('Sam');
  await signUp(page, olga);
  const event = newEvent('Hallway Track');
  const slug = await createEvent(page, event);
  const code = (await page.getByTestId('join-code').innerText()).trim();

  // Ben's badge link: what the QR code on his badge holds.
  const benSide = await newPage(browser, baseURL);
  await joinByApi(benSide.context, ben, code);
  const badge = await (await benSide.context.request.post('/api/my_badge', { form: { slug } })).json();
  const link = new URL(badge.badge.url as string).pathname;

  // Nia has an account and is a member, but is logged out on her phone.
  const niaAccount = await newPage(browser, baseURL);
  await joinByApi(niaAccount.context, nia, code);
  await niaAccount.context.close();
  const niaSide = await newPage(browser, baseURL, { viewport: phone });
  await niaSide.page.goto(link);
  await expect(niaSide.page).toHaveURL(/\/login\?next=/);
  await hydrated(niaSide.page);
  await expect(main(niaSide.page).getByTestId('badge-reason')).toHaveText(
    `Log in to connect with ${ben.name} at ${event.name}.`,
  );
  await expectAccessible(niaSide.page);
  await fillLogin(niaSide.page, nia.email, nia.password);
  await expect(niaSide.page).toHaveURL(/\/scans\/[0-9a-f-]+$/);
  await expect(niaSide.page.getByRole('heading', { level: 1, name: 'You are connected.' })).toBeVisible();
  await expect(main(niaSide.page).getByRole('heading', { level: 2, name: ben.name })).toBeVisible();
  await expect(niaSide.page.getByText('Page not found')).toHaveCount(0);
  await hydrated(niaSide.page);
  await expectAccessible(niaSide.page);

  // Sam has no account yet: from the login page to sign-up, then joins the
  // (open) event from the scan result, and is connected.
  const samSide = await newPage(browser, baseURL, { viewport: phone });
  await samSide.page.goto(link);
  await hydrated(samSide.page);
  await main(samSide.page).getByRole('link', { name: 'Create an account' }).click();
  await expect(samSide.page).toHaveURL(/\/signup\?next=/);
  await expect(main(samSide.page).getByTestId('badge-reason')).toHaveText(
    `Create an account to connect with ${ben.name} at ${event.name}.`,
  );
  await fillSignup(samSide.page, sam);
  await expect(samSide.page).toHaveURL(/\/scans\/[0-9a-f-]+$/);
  const join = main(samSide.page).getByRole('button', { name: `Join ${event.name} and connect` });
  await expect(join).toBeVisible();
  await expectAccessible(samSide.page);
  await join.click();
  await expect(samSide.page.getByRole('heading', { level: 1, name: 'You are connected.' })).toBeVisible();
  await expect(main(samSide.page).getByRole('heading', { level: 2, name: ben.name })).toBeVisible();

  // Ben has both of them.
  await benSide.page.goto('/connections');
  await expect(main(benSide.page).getByRole('article', { name: nia.name })).toBeVisible();
  await expect(main(benSide.page).getByRole('article', { name: sam.name })).toBeVisible();
  await benSide.context.close();
  await niaSide.context.close();
  await samSide.context.close();
});

test('error pages carry their status, with JavaScript off too', async ({ page, browser, baseURL }) => {
  const olga = newPerson('Olga');
  await signUp(page, olga);
  const slug = await createEvent(page, newEvent('Closed Doors'));
  const { context, page: plain } = await newPage(browser, baseURL, { javaScriptEnabled: false });
  const stranger = newPerson('Stella');
  const signup = await context.request.post('/api/signup', {
    form: { display_name: stranger.name, email: stranger.email, password: stranger.password },
  });
  expect(signup.status(), await signup.text()).toBe(200);
  const forbidden = await plain.goto(`/e/${slug}/people`);
  expect(forbidden?.status()).toBe(403);
  await expect(plain.getByRole('heading', { level: 1, name: 'Members only' })).toBeVisible();
  const missing = await plain.goto('/e/no-such-event-here/people');
  expect(missing?.status()).toBe(404);
  await expect(plain.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  const nowhere = await plain.goto('/no/such/page');
  expect(nowhere?.status()).toBe(404);
  await expect(plain.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await context.close();
});
