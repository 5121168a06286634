// The integrations page: an organizer creates an API token, sees it once,
// uses it against /api/v1, revokes it, and the API refuses it from then on.
import {
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

test('an organizer creates, uses and revokes an API token', async ({ page, request }) => {
  const ada = newPerson('Ada');
  await signUp(page, ada);
  const event = newEvent('API');
  const slug = await createEvent(page, event);

  // Linked from the event page's organizer buttons.
  await main(page).getByRole('link', { name: 'Integrations', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/e/${slug}/integrations$`));
  await open(page, `/e/${slug}/integrations`);
  await expect(page.getByRole('heading', { level: 1, name: 'Integrations' })).toBeVisible();
  await expect(main(page).getByText('No tokens yet.')).toBeVisible();
  await expectAccessible(page);

  await main(page).getByLabel('Token name', { exact: true }).fill('Ticketing sync');
  await main(page).getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByTestId('new-token');
  await expect(shown).toHaveText(/^rpt_[A-Za-z0-9_-]{32}$/);
  const token = (await shown.textContent())!.trim();
  const listed = page.getByTestId('api-token');
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText('Ticketing sync');
  await expect(listed).toContainText(token.slice(0, 12));
  await expect(listed).not.toContainText(token);
  await expectAccessible(page);

  // The token works against the API (and cookies alone do not).
  const ok = await request.get('/api/v1/event', {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(ok.status()).toBe(200);
  const body = await ok.json();
  expect(body.slug).toBe(slug);
  expect(body.name).toBe(event.name);
  const cookieOnly = await page.request.get('/api/v1/event');
  expect(cookieOnly.status()).toBe(401);

  // Shown once: after a reload only its first characters remain.
  await open(page, `/e/${slug}/integrations`);
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  await expect(page.getByTestId('api-token')).toContainText(token.slice(0, 12));
  await expect(page.locator('main')).not.toContainText(token);

  await main(page).getByRole('button', { name: 'Revoke Ticketing sync' }).click();
  await expect(page.getByTestId('api-token')).toContainText('revoked');
  const refused = await request.get('/api/v1/event', {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error).toBe('invalid_token');
  await expectAccessible(page);
});
