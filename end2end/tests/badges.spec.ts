// QR badges end to end: Chromium with a fake camera that films a badge's QR
// code; the scanner decodes it in WebAssembly and both attendees see the
// connection. Then the same offline: the scan is queued while the browser
// context is offline and synced when it is back. Also: contact details
// appear only once connected, notes, the no-JavaScript code form, and the
// scanner offline before its decoder has been downloaded.
import { chromium, type Browser, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  controlled,
  createEvent,
  expect,
  expectAccessible,
  main,
  newEvent,
  newPage,
  newPerson,
  open,
  signUp,
  joinByApi,
  test,
  type Person,
} from './support';

/**
 * A one-frame YUV4MPEG2 video (Chromium's fake-camera format) of the QR
 * code on `page`: the SVG is drawn on a white 640×480 canvas in the page
 * and its brightness becomes the Y plane; the colour planes are neutral.
 */
async function badgeVideo(page: Page, file: string): Promise<void> {
  const svg = await page.locator('.badge-qr svg').evaluate((el) => el.outerHTML);
  const [w, h] = [640, 480];
  const grey: number[] = await page.evaluate(
    async ({ svg, w, h }) => {
      const img = new Image();
      img.src = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, w, h);
      ctx.imageSmoothingEnabled = false;
      const size = 400;
      ctx.drawImage(img, (w - size) / 2, (h - size) / 2, size, size);
      const data = ctx.getImageData(0, 0, w, h).data;
      const out: number[] = [];
      for (let i = 0; i < data.length; i += 4) out.push(data[i]);
      return out;
    },
    { svg, w, h },
  );
  const header = Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\nFRAME\n`);
  const y = Buffer.from(grey);
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  fs.writeFileSync(file, Buffer.concat([header, y, chroma]));
}

/** A Chromium whose camera films `video`, launched like the configured one. */
async function browserWithCamera(video: string): Promise<Browser> {
  const launch = test.info().project.use.launchOptions ?? {};
  return chromium.launch({
    ...launch,
    args: [
      ...(launch.args ?? []),
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
}

/**
 * An event `organizer` runs (signed in on `page`), which `holder` has joined
 * and opened their badge in; and a Chromium whose camera films that badge.
 */
async function filmedBadge(
  page: Page,
  browser: Browser,
  baseURL: string | undefined,
  organizer: Person,
  eventName: string,
  holder: Person,
): Promise<{ slug: string; code: string; cameraBrowser: Browser }> {
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent(eventName));
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const holderSide = await newPage(browser, baseURL);
  await joinByApi(holderSide.context, holder, code);
  await open(holderSide.page, `/e/${slug}/badge`);
  const video = path.join(test.info().outputDir, `${slug}.y4m`);
  fs.mkdirSync(path.dirname(video), { recursive: true });
  await badgeVideo(holderSide.page, video);
  return { slug, code, cameraBrowser: await browserWithCamera(video) };
}

test('attendees connect by scanning a badge with the in-app scanner, online and offline', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const organizer = newPerson('Olga');
  const ben = newPerson('Ben');
  const chloe = newPerson('Chloe');
  const dev = newPerson('Dev');

  // Olga runs the event; Ben joins and opens his badge.
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Badge Fest'));
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const benSide = await newPage(browser, baseURL);
  await joinByApi(benSide.context, ben, code);
  await open(benSide.page, `/e/${slug}/badge`);
  await expect(benSide.page.getByRole('heading', { level: 1, name: 'My badge' })).toBeVisible();
  const printed = main(benSide.page).getByRole('article', { name: `Badge of ${ben.name}` });
  await expect(printed.getByRole('img', { name: 'Badge QR code' })).toBeVisible();
  await expect(printed.locator('.badge-code strong')).toHaveText(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  await expectAccessible(benSide.page);

  const video = path.join(test.info().outputDir, 'badge.y4m');
  fs.mkdirSync(path.dirname(video), { recursive: true });
  await badgeVideo(benSide.page, video);
  const cameraBrowser = await browserWithCamera(video);
  try {
    // --- Chloe scans Ben's badge with the camera, online.
    const chloeSide = await newPage(cameraBrowser, baseURL);
    await joinByApi(chloeSide.context, chloe, code);
    // Before connecting she cannot see his email (connections only).
    await open(chloeSide.page, `/e/${slug}/people`);
    await main(chloeSide.page).getByRole('link', { name: ben.name }).click();
    await expect(chloeSide.page.getByRole('heading', { level: 1, name: ben.name })).toBeVisible();
    const benProfile = new URL(chloeSide.page.url()).pathname;
    await expect(main(chloeSide.page)).not.toContainText(ben.email);

    await open(chloeSide.page, `/e/${slug}/scan`);
    await expect(chloeSide.page.getByRole('heading', { level: 1, name: 'Scan a badge' })).toBeVisible();
    await expectAccessible(chloeSide.page);
    await chloeSide.page.getByRole('button', { name: 'Start camera' }).click();
    await expect(chloeSide.page.getByRole('heading', { name: 'You are connected.' })).toBeVisible({
      timeout: 20_000,
    });
    await expect(main(chloeSide.page).getByRole('heading', { level: 2, name: ben.name })).toBeVisible();
    await expectAccessible(chloeSide.page);

    // Now his email shows on his profile, and each has the other.
    await open(chloeSide.page, benProfile);
    await expect(main(chloeSide.page)).toContainText(ben.email);
    await open(chloeSide.page, '/connections');
    await expect(main(chloeSide.page).getByRole('article', { name: ben.name })).toBeVisible();
    await expectAccessible(chloeSide.page);
    await open(benSide.page, '/connections');
    await expect(main(benSide.page).getByRole('article', { name: chloe.name })).toContainText(
      'badge scanned in Rapport',
    );

    // A private note survives a reload.
    const card = main(chloeSide.page).getByRole('article', { name: ben.name });
    await card.getByText('Add a note').click();
    await card.getByLabel('Private note', { exact: true }).fill('Knows everyone at the Rust meetup');
    await card.getByLabel('Rating', { exact: true }).selectOption('4');
    await card.getByLabel('Labels', { exact: true }).fill('lead, rust');
    await card.getByRole('button', { name: 'Save note' }).click();
    await expect(card.getByRole('status')).toHaveText('Saved.');
    await open(chloeSide.page, '/connections?q=meetup');
    await expect(main(chloeSide.page).getByRole('article', { name: ben.name })).toContainText('lead');
    await expect(main(chloeSide.page).getByLabel('Private note', { exact: true })).toHaveValue(
      'Knows everyone at the Rust meetup',
    );

    // --- Dev scans the same badge while offline; it syncs when back online.
    const devSide = await newPage(cameraBrowser, baseURL);
    await joinByApi(devSide.context, dev, code);
    await open(devSide.page, `/e/${slug}/scan`);
    // Installed first: the worker keeps the QR decoder's code for offline.
    await controlled(devSide.page);
    await devSide.context.setOffline(true);
    await devSide.page.getByRole('button', { name: 'Start camera' }).click();
    await expect(devSide.page.getByText('1 scan waiting to be sent')).toBeVisible({ timeout: 20_000 });
    await expect(devSide.page.getByRole('alert')).toContainText('You are offline');
    await devSide.context.setOffline(false);
    await expect(devSide.page.getByText('1 saved scan sent.')).toBeVisible({ timeout: 20_000 });
    await expect(devSide.page.getByRole('heading', { name: 'You are connected.' })).toBeVisible();
    await expect(devSide.page.locator('.queue-status')).toBeEmpty();
    await open(benSide.page, '/connections');
    await expect(main(benSide.page).getByRole('article', { name: dev.name })).toContainText(
      'badge scanned offline',
    );
    // The camera keeps filming the badge: a repeat is "already connected", never a duplicate.
    await expect(main(benSide.page).getByRole('article')).toHaveCount(2);
  } finally {
    await cameraBrowser.close();
  }
});

test('offline before the QR decoder is on the phone, the scanner says so, stays alive, and scans once back online', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const ben = newPerson('Ben');
  const cara = newPerson('Cara');
  const { slug, code, cameraBrowser } = await filmedBadge(
    page,
    browser,
    baseURL,
    newPerson('Oona'),
    'Patchy Wi-Fi Fest',
    ben,
  );
  try {
    // No service worker: nothing is cached ahead, as on a first visit
    // before the worker has finished installing. The decoder is a chunk
    // of its own, fetched with the first camera frame.
    const phone = await newPage(cameraBrowser, baseURL, { serviceWorkers: 'block' });
    await joinByApi(phone.context, cara, code);
    await open(phone.page, `/e/${slug}/scan`);
    await phone.context.setOffline(true);
    await phone.page.getByRole('button', { name: 'Start camera' }).click();
    const waiting = phone.page.getByTestId('chunk-waiting');
    await expect(waiting).toHaveText(/not on this device yet/, { timeout: 20_000 });
    await expect(waiting).toHaveAttribute('role', 'status');
    // The app is alive (a panic would have left the page inert): the code
    // form still answers, queuing nothing as there is nothing typed.
    await expect(phone.page.getByRole('textbox', { name: 'Badge code' })).toBeEditable();
    await expectAccessible(phone.page);

    // Back online, the decoder comes, the frame is read and the scan sent.
    await phone.context.setOffline(false);
    await expect(phone.page.getByRole('heading', { name: 'You are connected.' })).toBeVisible({
      timeout: 30_000,
    });
    await expect(waiting).toHaveCount(0);
    await expect(main(phone.page).getByRole('heading', { level: 2, name: ben.name })).toBeVisible();
  } finally {
    await cameraBrowser.close();
  }
});

test('a shared phone keeps each person\'s offline scans: sent only for whoever made them, and once per badge', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const organizer = newPerson('Orla');
  const ben = newPerson('Ben');
  const ann = newPerson('Ann');
  const bo = newPerson('Bo');

  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Booth Fest'));
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const benSide = await newPage(browser, baseURL);
  await joinByApi(benSide.context, ben, code);
  await open(benSide.page, `/e/${slug}/badge`);
  const badgeCode = (await main(benSide.page).locator('.badge-code strong').innerText()).trim();

  // One phone: Ann scans Ben's badge while offline, twice (kept once).
  const phone = await newPage(browser, baseURL);
  await joinByApi(phone.context, ann, code);
  await open(phone.page, `/e/${slug}/scan`);
  await phone.context.setOffline(true);
  const typeCode = async (value: string) => {
    await phone.page.getByRole('textbox', { name: 'Badge code' }).fill(value);
    await phone.page.getByRole('button', { name: 'Connect' }).click();
  };
  await typeCode(badgeCode);
  await expect(phone.page.getByText('1 scan waiting to be sent')).toBeVisible();
  await typeCode(badgeCode.toLowerCase());
  await expect(phone.page.getByRole('alert')).toContainText('already waiting to be sent');
  await expect(phone.page.getByText('1 scan waiting to be sent')).toBeVisible();

  // Back online, but the sync cannot get through before Ann hands the
  // phone to Bo (the venue's Wi-Fi drops the request).
  await phone.context.route('**/api/sync_scans', (route) => route.abort());
  await phone.context.setOffline(false);
  await phone.context.clearCookies();
  await joinByApi(phone.context, bo, code);
  await open(phone.page, `/e/${slug}/scan`);
  await phone.context.unroute('**/api/sync_scans');

  // Bo's scanner counts none of Ann's scans and sends none of them.
  let sentForBo = 0;
  phone.page.on('request', (r) => {
    if (r.url().endsWith('/api/sync_scans')) sentForBo += 1;
  });
  await open(phone.page, `/e/${slug}/scan`);
  await expect(phone.page.locator('.queue-status')).toBeEmpty();
  await phone.page.waitForTimeout(1_000);
  expect(sentForBo, 'no sync was sent for Bo').toBe(0);
  await open(phone.page, '/connections');
  await expect(main(phone.page).getByRole('article', { name: ben.name })).toHaveCount(0);
  await open(benSide.page, '/connections');
  await expect(main(benSide.page).getByRole('article', { name: bo.name })).toHaveCount(0);

  // Ann signs in again on the phone: her scan goes out, once, as hers.
  await phone.context.clearCookies();
  const login = await phone.context.request.post('/api/login', {
    form: { email: ann.email, password: ann.password },
  });
  expect(login.status(), await login.text()).toBe(200);
  await open(phone.page, `/e/${slug}/scan`);
  await expect(phone.page.getByText('1 saved scan sent.')).toBeVisible({ timeout: 20_000 });
  await expect(phone.page.getByRole('heading', { name: 'You are connected.' })).toBeVisible();
  await open(benSide.page, '/connections');
  await expect(main(benSide.page).getByRole('article', { name: ann.name })).toContainText(
    'badge scanned offline',
  );
  await expect(main(benSide.page).getByRole('article')).toHaveCount(1);
});

test('without JavaScript, a typed badge code connects and the result page explains', async ({
  page,
  browser,
  baseURL,
}) => {
  const organizer = newPerson('Omar');
  const guest = newPerson('Gia');
  await signUp(page, organizer);
  const slug = await createEvent(page, newEvent('Plain Scan'));
  const joinCode = (await page.getByTestId('join-code').innerText()).trim();
  await open(page, `/e/${slug}/badge`);
  const badgeCode = (await page.locator('.badge-code strong').innerText()).trim();

  const plain = await newPage(browser, baseURL, { javaScriptEnabled: false });
  await joinByApi(plain.context, guest, joinCode);
  await plain.page.goto(`/e/${slug}/scan`);
  await expect(plain.page.getByRole('heading', { level: 1, name: 'Scan a badge' })).toBeVisible();
  await expectAccessible(plain.page, { javaScript: false });
  await main(plain.page).getByLabel('Badge code', { exact: true }).fill(badgeCode.toLowerCase());
  await main(plain.page).getByRole('button', { name: 'Connect' }).click();
  await expect(plain.page).toHaveURL(/\/scans\/[0-9a-f-]+$/);
  await expect(plain.page.getByRole('heading', { level: 1, name: 'You are connected.' })).toBeVisible();
  await expect(main(plain.page).getByRole('heading', { level: 2, name: organizer.name })).toBeVisible();
  await expectAccessible(plain.page, { javaScript: false });
  // Scanning my own badge gets a clear page too.
  await open(page, `/e/${slug}/scan`);
  await main(page).getByLabel('Badge code', { exact: true }).fill(badgeCode);
  await main(page).getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('heading', { name: 'That is your own badge.' })).toBeVisible();
  // The organizer's printable sheet lists both badges.
  await open(page, `/e/${slug}/badges?paper=letter`);
  await expect(main(page).getByRole('article')).toHaveCount(2);
  await expectAccessible(page);
});

test('on a phone, the scanner shows and announces the outcome without scrolling', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const holder = newPerson('Hugo');
  const scanner = newPerson('Sara');
  const { slug, code, cameraBrowser } = await filmedBadge(
    page,
    browser,
    baseURL,
    newPerson('Pia'),
    'Phone Scan',
    holder,
  );
  try {
    const phone = await newPage(cameraBrowser, baseURL, { viewport: { width: 360, height: 640 } });
    await joinByApi(phone.context, scanner, code);
    await open(phone.page, `/e/${slug}/scan`);
    // No scans wait: the queue's live region is there but draws nothing.
    await expect(phone.page.locator('.queue-status')).toBeEmpty();
    expect((await phone.page.locator('.queue-status').boundingBox())?.height ?? 0).toBeLessThan(2);
    await phone.page.getByRole('button', { name: 'Start camera' }).click();
    // Where the person looks, the camera's status says what happened...
    await expect(phone.page.locator('.camera-status')).toHaveText(
      'You are connected. Looking for the next badge…',
      { timeout: 20_000 },
    );
    // ...and the result itself is brought into view.
    await expect(phone.page.getByRole('heading', { name: 'You are connected.' })).toBeInViewport();
    await expect(main(phone.page).getByRole('heading', { level: 2, name: holder.name })).toBeVisible();
    await expectAccessible(phone.page);
  } finally {
    await cameraBrowser.close();
  }
});
