// Direct messages, with two people in two browsers (and a second tab and a
// JavaScript-off page for one of them): Alma sends, Ravi sees it arrive
// live with the unread count in his navigation; Ravi opens it and the
// count drops on his other tab too; Enter sends and Shift+Enter breaks a
// line; without JavaScript the conversation page posts a message with a
// plain form; and the pages pass axe on a 360 px phone.
import {
  createEvent,
  expect,
  expectAccessible,
  fitsWidth,
  hydrated,
  joinByApi,
  main,
  newEvent,
  newPage,
  newPageAs,
  newPerson,
  open,
  signUp,
  test,
} from './support';

test('two connected people message each other live, with and without JavaScript', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const alma = newPerson('Alma');
  const ravi = newPerson('Ravi');
  const phone = { width: 360, height: 740 };
  await page.setViewportSize(phone);
  await signUp(page, alma);
  const slug = await createEvent(page, newEvent('Chat Camp'));
  const code = (await page.getByTestId('join-code').innerText()).trim();

  // Ravi, in his own browser, joins and scans Alma's badge: connected.
  const raviSide = await newPage(browser, baseURL, { viewport: phone });
  await joinByApi(raviSide.context, ravi, code);
  const badge = await page.context().request.post('/api/my_badge', { form: { slug } });
  const url = (await badge.json()).badge.url as string;
  const scan = await raviSide.context.request.post('/api/scan_badge', {
    form: { slug, badge: url, mode: 'connect', method: 'scanner' },
  });
  expect(scan.status(), await scan.text()).toBe(200);
  const raviId = (await (await raviSide.context.request.post('/api/my_profile')).json())
    .user_id as string;
  const almaId = (await (await page.context().request.post('/api/my_profile')).json())
    .user_id as string;

  // Ravi waits on his connections page (and has a second tab open).
  await open(raviSide.page, '/connections');
  const raviTab2 = await raviSide.context.newPage();
  await open(raviTab2, '/events');
  await expect(raviSide.page.getByTestId('nav-unread')).toHaveCount(0);

  // Alma opens the conversation from her connections and writes.
  await open(page, '/connections');
  await main(page).getByRole('article', { name: ravi.name }).getByRole('link', { name: 'Message', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: ravi.name })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-link', 'live');
  const box = main(page).getByLabel('Message', { exact: true });
  // Shift+Enter breaks the line; Enter sends.
  await box.fill('Hello Ravi');
  await box.press('Shift+Enter');
  await box.pressSequentially('Coffee at 3?');
  await expect(box).toHaveValue('Hello Ravi\nCoffee at 3?');
  await box.press('Enter');
  const mine = page.getByTestId('messages').locator('li.message:not(.pending)');
  await expect(mine).toHaveCount(1);
  await expect(mine.first()).toContainText('Coffee at 3?');
  await expect(box).toHaveValue('');
  await expectAccessible(page);
  await fitsWidth(page, 360);

  // Ravi: the count in the navigation and a notification, live, on both tabs.
  await expect(raviSide.page.getByTestId('nav-unread')).toHaveText('1');
  await expect(raviTab2.getByTestId('nav-unread')).toHaveText('1');
  await expect(raviSide.page.getByTestId('live-notices')).toContainText(`Message: ${alma.name}: Hello Ravi`);
  await expectAccessible(raviSide.page);

  // He opens it: the message is there; his other tab's count drops.
  await open(raviSide.page, `/messages/${almaId}`);
  await expect(raviSide.page.getByTestId('messages')).toContainText('Coffee at 3?');
  await expect(raviTab2.getByTestId('nav-unread')).toHaveCount(0);
  await expect(raviSide.page.getByTestId('live-status')).toHaveAttribute('data-link', 'live');
  await expectAccessible(raviSide.page);
  await fitsWidth(raviSide.page, 360);

  // He answers live; Alma's open page shows it without a reload.
  const reply = main(raviSide.page).getByLabel('Message', { exact: true });
  await reply.fill('Yes, see you there');
  await reply.press('Enter');
  await expect(page.getByTestId('messages')).toContainText('Yes, see you there');

  // Without JavaScript, Alma posts with the plain form and lands back.
  const noJs = await newPageAs(browser, baseURL, page.context(), {
    javaScriptEnabled: false,
    viewport: phone,
  });
  await noJs.page.goto(`/messages/${raviId}`);
  await expect(noJs.page.getByTestId('messages')).toContainText('Yes, see you there');
  await noJs.page.getByLabel('Message', { exact: true }).fill('Sent without JavaScript');
  await noJs.page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(noJs.page).toHaveURL(new RegExp(`/messages/${raviId}`));
  await expect(noJs.page.getByTestId('messages')).toContainText('Sent without JavaScript');
  await expectAccessible(noJs.page, { javaScript: false });
  // Ravi, reading the conversation, gets it live.
  await expect(raviSide.page.getByTestId('messages')).toContainText('Sent without JavaScript');

  // The inbox lists the conversation.
  await open(page, '/messages');
  await expect(page.getByTestId('conversations')).toContainText(ravi.name);
  await expectAccessible(page);
  await fitsWidth(page, 360);

  await noJs.context.close();
  await raviSide.context.close();
});
