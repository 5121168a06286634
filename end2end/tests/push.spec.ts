// Web Push on the account page and in the service worker. The section
// "Notifications on this device" is there, passes axe on a 360 px phone,
// and says plainly without JavaScript that this device cannot get
// notifications (no dead button). With JavaScript it offers to turn them
// on; this machine's headless Chromium reaches no push service (a closed
// network), so a real subscribe() fails, and the page must say so clearly
// instead of pretending. The service worker's push handler is driven with
// a synthetic push through the DevTools protocol
// (ServiceWorker.deliverPushMessage): the notification is shown with the
// payload's text as text, and a link off the site is replaced by the home
// page. What cannot be tested here: a real push service delivering to a
// real subscription (the API tests cover the server's half against a
// local push service that decrypts), and the click on a notification
// (headless Chromium has no notification UI to click).
import {
  expect,
  expectAccessible,
  fitsWidth,
  newPageAs,
  open,
  signUp,
  newPerson,
  test,
} from './support';

test('the account page offers notifications on this device, and says when it cannot', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 360, height: 740 });
  await signUp(page, newPerson('Pia'));
  await page.context().grantPermissions(['notifications'], { origin: baseURL });
  await open(page, '/account');
  const section = page.getByTestId('push-section');
  await expect(section.getByRole('heading', { name: 'Notifications on this device' })).toBeVisible();
  const turnOn = section.getByRole('button', { name: 'Turn on notifications on this device' });
  await expect(turnOn).toBeVisible();
  await expectAccessible(page);
  await fitsWidth(page, 360);
  // No push service answers on this machine: the failure is said, and
  // nothing is claimed to be on.
  await turnOn.click();
  await expect(section.getByRole('status')).toContainText(/could not subscribe|not allowed/, {
    timeout: 30_000,
  });
  await expect(section.getByRole('button', { name: 'Turn on notifications on this device' })).toBeVisible();
  await expectAccessible(page);

  // Without JavaScript: a plain sentence, no button.
  const noJs = await newPageAs(browser, baseURL, page.context(), {
    javaScriptEnabled: false,
    viewport: { width: 360, height: 740 },
  });
  await noJs.page.goto('/account');
  const plain = noJs.page.getByTestId('push-section');
  await expect(plain.getByTestId('push-unavailable')).toContainText(
    'This device cannot get notifications from here',
  );
  await expect(plain.getByRole('button')).toHaveCount(0);
  await expectAccessible(noJs.page, { javaScript: false });
  await noJs.context.close();
});

test('the service worker shows a pushed notice as text, linking only into the site', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newPerson('Quinn'));
  const origin = new URL(baseURL!).origin;
  await page.context().grantPermissions(['notifications'], { origin });
  await open(page, '/account');
  await page.evaluate(() => navigator.serviceWorker.ready);

  const cdp = await page.context().newCDPSession(page);
  const registrations: { registrationId: string; scopeURL: string }[] = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  await expect.poll(() => registrations.some((r) => r.scopeURL.startsWith(origin))).toBe(true);
  const registrationId = registrations.find((r) => r.scopeURL.startsWith(origin))!.registrationId;
  // No tab of the site open (the worker skips showing a notice while one
  // is on screen: Playwright's pages always look focused).
  await page.goto('about:blank');

  const notice = {
    title: 'New connection',
    body: 'You are now connected with <img src=x onerror=alert(1)>.',
    url: 'https://evil.example/steal',
    tag: 'connection',
  };
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin,
    registrationId,
    data: JSON.stringify(notice),
  });
  // Back on a page of the site, to ask the worker's registration.
  await page.waitForTimeout(1000);
  await page.goto('/healthz');
  const shown = async () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      const list = await registration.getNotifications();
      return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
    });
  await expect.poll(shown, { timeout: 15_000 }).toHaveLength(1);
  const [n] = await shown();
  expect(n.title).toBe('New connection');
  expect(n.body).toBe(notice.body);
  expect(n.tag).toBe('connection');
  expect(n.data.url, 'a notification never opens another site').toBe('/');
});
