// Who is here now, in the browser: an attendee says "I'm here" on the
// event page (with JavaScript, and as a plain form post without it), a
// second person finds them with "Only people here now" on People to meet
// and in the directory, and loses them once they say "I'm leaving".
import {
  createEvent,
  expect,
  expectAccessible,
  joinByApi,
  main,
  newEvent,
  newPage,
  newPageAs,
  newPerson,
  open,
  setTags,
  signUp,
  test,
} from './support';

/** YYYY-MM-DD, `days` from today (UTC). */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

test('attendees check in and out and are found here now', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  const organizer = newPerson('Olga');
  const ida = newPerson('Ida');
  const jon = newPerson('Jon');
  await signUp(page, organizer);
  const slug = await createEvent(page, {
    ...newEvent('Here Camp'),
    startsOn: day(-1),
    endsOn: day(1),
    timeZone: 'UTC',
  });
  const code = (await page.getByTestId('join-code').innerText()).trim();
  const idaSide = await newPage(browser, baseURL);
  await joinByApi(idaSide.context, ida, code);
  await setTags(idaSide.context, 'rust', 'mentoring', 'mentoring');
  const jonSide = await newPage(browser, baseURL);
  await joinByApi(jonSide.context, jon, code);
  await setTags(jonSide.context, 'rust', 'mentoring', 'mentoring');

  // Ida arrives.
  await open(idaSide.page, `/e/${slug}`);
  const card = main(idaSide.page).getByRole('region', { name: 'At the venue' });
  await card.getByRole('button', { name: "I'm here" }).click();
  await expect(card).toContainText('You are checked in since');
  await expectAccessible(idaSide.page);

  // Jon finds her among the people here now, and in the directory.
  await open(jonSide.page, `/e/${slug}/meet?here_now=on`);
  const cards = main(jonSide.page).getByRole('article');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toHaveAccessibleName(ida.name);
  await expect(cards.first()).toContainText('Here now');
  await open(jonSide.page, `/e/${slug}/people`);
  await main(jonSide.page).getByLabel('Only people here now').check();
  await main(jonSide.page).getByRole('button', { name: 'Search' }).click();
  await expect(jonSide.page).toHaveURL(/here=on/);
  await expect(main(jonSide.page).getByRole('link', { name: ida.name })).toBeVisible();
  await expect(main(jonSide.page).getByRole('link', { name: organizer.name })).toHaveCount(0);
  await expectAccessible(jonSide.page);

  // Ida leaves, without JavaScript this time: a plain form post.
  const plain = await newPageAs(browser, baseURL, idaSide.context, { javaScriptEnabled: false });
  await plain.page.goto(`/e/${slug}`);
  const plainCard = main(plain.page).getByRole('region', { name: 'At the venue' });
  await expect(plainCard).toContainText('You are checked in since');
  await plainCard.getByRole('button', { name: "I'm leaving" }).click();
  await expect(plain.page).toHaveURL(new RegExp(`/e/${slug}\\??$`));
  await expect(main(plain.page).getByRole('region', { name: 'At the venue' })).toContainText(
    'Let people looking for whom to meet here now find you.',
  );

  await open(jonSide.page, `/e/${slug}/meet?here_now=on`);
  await expect(main(jonSide.page).getByRole('article')).toHaveCount(0);
});
