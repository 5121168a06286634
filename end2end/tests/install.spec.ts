// Rapport as an installed app: the manifest names PNG icons of the sizes
// launchers need (192, 512 and a maskable 512), an apple-touch-icon, the
// theme colours and a start URL, and two shortcuts, "My badge" and "Scan a
// badge", which open the badge or the scanner of the person's current
// event (or ask them to sign in, or to join an event). The service worker
// is registered and active.
import { expect, newEvent, createEvent, newPerson, open, signUp, signUpByApi, test, main, newPage, joinByApi } from './support';

/** The width and height a PNG's IHDR chunk records. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('the manifest makes Rapport installable, with icons, theme and shortcuts', async ({ page, request }) => {
  const res = await request.get('/manifest.webmanifest');
  expect(res.status()).toBe(200);
  const manifest = await res.json();
  expect(manifest.name).toBe('Rapport');
  expect(manifest.start_url).toBe('/events');
  expect(manifest.display).toBe('standalone');
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);

  const pngs = manifest.icons.filter((i: { type: string }) => i.type === 'image/png');
  const want = [
    ['192x192', 'any'],
    ['512x512', 'any'],
    ['512x512', 'maskable'],
  ];
  for (const [sizes, purpose] of want) {
    const icon = pngs.find((i: { sizes: string; purpose: string }) => i.sizes === sizes && i.purpose === purpose);
    expect(icon, `a ${purpose} PNG icon of ${sizes}`).toBeTruthy();
    const got = await request.get(icon.src);
    expect(got.status(), icon.src).toBe(200);
    expect(got.headers()['content-type']).toBe('image/png');
    const [w, h] = pngSize(await got.body());
    expect(`${w}x${h}`).toBe(sizes);
  }

  const shortcuts = Object.fromEntries(
    manifest.shortcuts.map((s: { name: string; url: string }) => [s.name, s.url]),
  );
  expect(shortcuts).toEqual({ 'My badge': '/my/badge', 'Scan a badge': '/my/scan' });

  // Every page links the manifest and an apple-touch-icon that exists.
  await open(page, '/');
  await expect(page.locator('link[rel=manifest]')).toHaveAttribute('href', '/manifest.webmanifest');
  const touch = await page.locator('link[rel=apple-touch-icon]').getAttribute('href');
  const touchIcon = await request.get(touch!);
  expect(touchIcon.status()).toBe(200);
  expect(pngSize(await touchIcon.body())).toEqual([180, 180]);

  // The service worker is registered and takes control.
  const worker = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.scriptURL ?? null;
  });
  expect(worker).toMatch(/\/sw\.js$/);
});

test("the shortcuts open the current event's badge and scanner", async ({ page, browser, baseURL }) => {
  // Signed out: sign in first, then back to the shortcut.
  await page.goto('/my/badge');
  await expect(page).toHaveURL(/\/login\?next=\/my\/badge$/);

  // In no event yet: the events page, to join one.
  const loner = await newPage(browser, baseURL);
  await signUpByApi(loner.context, newPerson('Lone'));
  await loner.page.goto('/my/scan');
  await expect(loner.page).toHaveURL(/\/events$/);

  // In an event: its badge and its scanner.
  const olga = newPerson('Olga');
  await signUp(page, olga);
  const slug = await createEvent(page, newEvent('Shortcut Conf'));
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const ben = await newPage(browser, baseURL);
  await joinByApi(ben.context, newPerson('Ben'), code);
  await open(ben.page, '/my/badge');
  await expect(ben.page).toHaveURL(new RegExp(`/e/${slug}/badge$`));
  await expect(ben.page.getByRole('heading', { level: 1, name: 'My badge' })).toBeVisible();
  await open(ben.page, '/my/scan');
  await expect(ben.page).toHaveURL(new RegExp(`/e/${slug}/scan$`));
  await expect(main(ben.page).getByRole('heading', { level: 1, name: 'Scan a badge' })).toBeVisible();
});
