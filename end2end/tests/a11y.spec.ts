// The signed-out pages, checked with axe; and a check that the axe helper
// really fails on a violation (so a silent helper cannot hide regressions).
import {
  expect,
  expectAccessible,
  main,
  newPage,
  open,
  test,
} from './support';

for (const [path, heading] of [
  ['/', 'Meet the right people at your event'],
  ['/signup', 'Create an account'],
  ['/login', 'Log in'],
  ['/events', 'Please sign in'],
  ['/events/new', 'Create an event'],
  ['/join/no-such-invite', 'Not found'],
  ['/e/no-such-event', 'Please sign in'],
  ['/no/such/page', 'Page not found'],
] as const) {
  test(`signed-out ${path} has no axe violations`, async ({ page }) => {
    await open(page, path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expectAccessible(page);
  });
}

test('the axe helper reports violations, with and without JavaScript', async ({
  page,
  browser,
  baseURL,
}) => {
  await open(page, '/');
  await main(page).evaluate((m) => m.insertAdjacentHTML('beforeend', '<img src="/x.png">'));
  await expect(expectAccessible(page)).rejects.toThrow(/image-alt/);

  const plain = await newPage(browser, baseURL, { javaScriptEnabled: false });
  try {
    await plain.page.goto('/login');
    await main(plain.page).evaluate((m) =>
      m.insertAdjacentHTML('beforeend', '<input type="text" name="unlabelled">'),
    );
    await expect(expectAccessible(plain.page, { javaScript: false })).rejects.toThrow(/label/);
  } finally {
    await plain.context.close();
  }
});
