// Phones: at 360 CSS pixels nothing may scroll sideways.
import { type Page } from '@playwright/test';
import {
  createEvent,
  expect,
  expectAccessible,
  newPage,
  newPerson,
  open,
  signUp,
  test,
} from './support';

const WIDTH = 360;
test.use({ viewport: { width: WIDTH, height: 740 } });

async function expectNoHorizontalScroll(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `page ${page.url()} is ${width}px wide`).toBeLessThanOrEqual(WIDTH);
}

test('home, event and invite pages fit a 360px-wide screen', async ({ page, browser, baseURL }) => {
  await open(page, '/');
  expect(page.viewportSize()?.width).toBe(WIDTH);
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);

  // An event with long words and a second attendee, to stress the layout.
  const organizer = newPerson('Maximiliane');
  organizer.name = 'Maximiliane Oberhuber-Schwarzenfeld';
  await signUp(page, organizer);
  await expectNoHorizontalScroll(page);
  const slug = await createEvent(page, {
    name: `Internationale Softwareentwicklungskonferenz ${Date.now().toString(36)}`,
    startsOn: '2031-09-29',
    endsOn: '2031-10-02',
    timeZone: 'America/Argentina/ComodRivadavia',
    venue: 'Messe- und Kongresszentrum Friedrichshafen, Neue Messe 1, 88046 Friedrichshafen',
    description: 'https://example.org/a/very/long/address/without/any/spaces/to/break/at/all/0123456789',
  });
  await expectNoHorizontalScroll(page);
  const invite = (await page.getByTestId('invite-url').innerText()).trim();
  await open(page, '/events');
  await expectNoHorizontalScroll(page);

  const guest = await newPage(browser, baseURL, { viewport: { width: WIDTH, height: 740 } });
  try {
    const person = newPerson('Bartholomew');
    await signUp(guest.page, person);
    await open(guest.page, invite);
    await expectNoHorizontalScroll(guest.page);
    await guest.page.locator('main').getByRole('button', { name: 'Join this event' }).click();
    await expect(guest.page).toHaveURL(`/e/${slug}`);
    await expectNoHorizontalScroll(guest.page);
  } finally {
    await guest.context.close();
  }

  await open(page, `/e/${slug}`);
  await expect(page.getByRole('heading', { level: 2, name: '2 attendees' })).toBeVisible();
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
});
