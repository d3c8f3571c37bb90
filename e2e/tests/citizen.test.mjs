// A citizen on a phone and on a desktop: the demo mall's home page, a search
// for "KTP", a service's page with its requirements, and the English toggle.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP,
  PHONE,
  assertNoPageProblems,
  checkA11y,
  launchBrowser,
  newPage,
  screenshot,
  url,
 horizontalOverflow } from './helpers.mjs';

const MALL = '/m/ttu';


/** Walks home → search "KTP" → first result, checking and photographing each page. */
async function citizenJourney(page, { suffix, width, phone }) {
  // Overflow is recorded per page and asserted at the end, so one run shows every page's screenshot and problem.
  const overflows = [];
  const checkOverflow = async (label) => {
    if (!phone) return;
    const o = await horizontalOverflow(page, width, label);
    if (o) overflows.push(o);
  };

  // Home page of the demo mall.
  await page.goto(url(MALL));
  await page.locator('h1').first().waitFor();
  await checkA11y(page, `home (${suffix})`);
  await checkOverflow('home');
  await screenshot(page, `home-${suffix}`);

  // Search for KTP through the search box.
  await page.fill('#q', 'KTP');
  await Promise.all([
    page.waitForURL((u) => u.pathname === `${MALL}/layanan` && u.searchParams.get('q') === 'KTP'),
    page.locator('#q').press('Enter'),
  ]);
  const results = page.locator('ul.services h3 a');
  assert.ok((await results.count()) > 0, 'the search for "KTP" listed no service');
  await checkA11y(page, `catalogue (${suffix})`);
  await checkOverflow('catalogue');
  await screenshot(page, `catalogue-${suffix}`);

  // The first result's service page shows its requirements.
  const first = results.first();
  const href = await first.getAttribute('href');
  assert.ok(href && href.startsWith(`${MALL}/layanan/`), `unexpected first result link: ${href}`);
  await Promise.all([page.waitForURL((u) => u.pathname === href), first.click()]);
  const heading = page.getByRole('heading', { name: 'Persyaratan', exact: true });
  assert.equal(await heading.count(), 1, 'the service page has no "Persyaratan" heading');
  const items = heading.locator(
    'xpath=following::ul[contains(concat(" ", normalize-space(@class), " "), " checklist ")][1]/li',
  );
  const texts = (await items.allInnerTexts()).map((t) => t.trim());
  assert.ok(texts.length > 0, 'the "Persyaratan" list (ul.checklist) is empty');
  assert.ok(texts.every((t) => t.length > 0), `a requirement is blank: ${JSON.stringify(texts)}`);
  await checkA11y(page, `service (${suffix})`);
  await checkOverflow('service');
  await screenshot(page, `service-${suffix}`);

  assertNoPageProblems(page, `citizen journey (${suffix})`);
  assert.ok(overflows.length === 0, `horizontal overflow at ${width}px:\n  ${overflows.join('\n  ')}`);
}

describe('citizen', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('phone (360×740): home, search for KTP, service requirements', async () => {
    const page = await newPage(browser, PHONE);
    try {
      await citizenJourney(page, { suffix: 'phone', width: PHONE.width, phone: true });
    } finally {
      await page.context().close();
    }
  });

  test('desktop (1280×900): home, search for KTP, service requirements', async () => {
    const page = await newPage(browser, DESKTOP);
    try {
      await citizenJourney(page, { suffix: 'desktop', width: DESKTOP.width, phone: false });
    } finally {
      await page.context().close();
    }
  });

  test('the English toggle switches <html lang> and it sticks across pages', async () => {
    const page = await newPage(browser, PHONE);
    try {
      await page.goto(url(MALL));
      assert.equal(await page.getAttribute('html', 'lang'), 'id');
      const toggle = page.getByRole('link', { name: 'English', exact: true });
      // The toggle sets a cookie and redirects back to the page it was on.
      await Promise.all([
        page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
        toggle.click(),
      ]);
      await page.waitForLoadState('load');
      assert.equal(new URL(page.url()).pathname, MALL, 'the toggle did not return to the page it was on');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await checkA11y(page, 'home (English)');

      await page.goto(url(`${MALL}/layanan`));
      assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the language did not stick after navigating');
      await checkA11y(page, 'catalogue (English)');
      assertNoPageProblems(page, 'English toggle');
    } finally {
      await page.context().close();
    }
  });
});
