// The back office as its users see it: every page a mall manager opens,
// at phone and desktop width, through axe-core, without sideways scrolling;
// and the national supervisor's overview.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP,
  PHONE,
  assertNoPageProblems,
  checkA11y,
  horizontalOverflow,
  launchBrowser,
  login,
  newPage,
  screenshot,
  url,
} from './helpers.mjs';

const PAGES = [
  ['admin-dashboard', '/m/ttu/admin'],
  ['admin-services', '/m/ttu/admin/layanan'],
  ['admin-service-edit', '/m/ttu/admin/layanan/KTP-EL'],
  ['admin-agencies', '/m/ttu/admin/instansi'],
  ['admin-counters', '/m/ttu/admin/loket'],
  ['admin-counter-new', '/m/ttu/admin/loket/baru'],
  ['admin-facilities', '/m/ttu/admin/fasilitas'],
  ['admin-hours', '/m/ttu/admin/jam'],
  ['admin-calendar', '/m/ttu/admin/kalender'],
  ['admin-agreements', '/m/ttu/admin/perjanjian'],
  ['admin-agreement-new', '/m/ttu/admin/perjanjian/baru'],
  ['admin-audit', '/m/ttu/admin/audit'],
  ['admin-retention', '/m/ttu/admin/retensi'],
  ['admin-breaches', '/m/ttu/admin/insiden'],
  ['admin-bundles', '/m/ttu/admin/paket'],
  ['admin-exchange-clients', '/m/ttu/admin/sistem-instansi'],
  ['admin-exchange-client-new', '/m/ttu/admin/sistem-instansi/baru'],
  ['admin-exchanges', '/m/ttu/admin/pertukaran'],
];

test('every back-office page is accessible and fits a phone', async () => {
  const browser = await launchBrowser();
  try {
    for (const [viewport, suffix] of [[PHONE, 'phone'], [DESKTOP, 'desktop']]) {
      const page = await newPage(browser, viewport);
      await login(page, 'admin@demo.mpp.id', { next: '/m/ttu/admin' });
      const overflows = [];
      for (const [name, path] of PAGES) {
        const resp = await page.goto(url(path));
        assert.equal(resp.status(), 200, `${path} answers 200`);
        await checkA11y(page, `${name} (${suffix})`);
        if (suffix === 'phone') {
          const o = await horizontalOverflow(page, viewport.width, name);
          if (o) overflows.push(o);
        }
        if (['admin-dashboard', 'admin-service-edit', 'admin-hours', 'admin-agreements', 'admin-retention', 'admin-breaches', 'admin-exchange-clients', 'admin-exchange-client-new', 'admin-exchanges'].includes(name)) {
          await screenshot(page, `${name}-${suffix}`);
        }
      }
      assertNoPageProblems(page, `back office (${suffix})`);
      assert.deepEqual(overflows, [], 'no back-office page scrolls sideways on a phone');
      await page.context().close();
    }
  } finally {
    await browser.close();
  }
});

test('a form with mistakes says what is wrong, next to each field, and keeps the input', async () => {
  const browser = await launchBrowser();
  try {
    const page = await newPage(browser, PHONE);
    await login(page, 'admin@demo.mpp.id', { next: '/m/ttu/admin/loket/baru' });
    await page.goto(url('/m/ttu/admin/loket/baru'));
    await page.fill('#number', 'tiga');
    await page.fill('#zone', 'Lantai 9');
    await page.click('main form button[type=submit]');
    await page.waitForSelector('[role=alert]');
    assert.equal(await page.inputValue('#zone'), 'Lantai 9', 'typed text is kept');
    assert.match(await page.locator('#number-err').innerText(), /angka/);
    assert.equal(await page.getAttribute('#number', 'aria-invalid'), 'true');
    await checkA11y(page, 'counter form with errors');
    await screenshot(page, 'admin-form-errors-phone');
    // The form comes back with status 422 on purpose; Chromium logs that as a console error.
    page.problems = page.problems.filter((p) => !p.includes('status of 422'));
    assertNoPageProblems(page, 'counter form with errors');
  } finally {
    await browser.close();
  }
});

test('the national supervisor sees every mall, read-only', async () => {
  const browser = await launchBrowser();
  try {
    const page = await newPage(browser, DESKTOP);
    await login(page, 'pengawas@demo.mpp.id', { next: '/nasional' });
    await page.goto(url('/nasional'));
    assert.match(await page.locator('main').innerText(), /Timor Tengah Utara/);
    await checkA11y(page, 'national overview');
    await screenshot(page, 'national-desktop');
    await page.goto(url('/m/ttu/admin/layanan/KTP-EL'));
    assert.equal(await page.locator('main form button[type=submit]').count(), 0, 'no save button for the supervisor');
    await checkA11y(page, 'service read-only');
    assertNoPageProblems(page, 'supervisor');
  } finally {
    await browser.close();
  }
});
