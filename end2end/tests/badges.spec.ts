// QR badges end to end: Chromium with a fake camera that films a badge's QR
// code; the scanner decodes it in WebAssembly and both attendees see the
// connection. Then the same offline: the scan is queued while the browser
// context is offline and synced when it is back. Also: contact details
// appear only once connected, notes, and the no-JavaScript code form.
import { chromium, type Browser, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
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
