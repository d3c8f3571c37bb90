// Every page a test did not check yet, for everyone: login, registration,
// the account page, error pages (404, 403, 400), a receipt, the booking
// search, the kiosk ticket, the devices page, the counter's filing form —
// each with axe-core's WCAG 2.2 A/AA rules and the table check, at 360 px
// and 1280 px, with nothing sticking out on the phone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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

const MALL = '/m/ttu';

describe('every page, for everyone', () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    test(`visitors' pages at ${size} width`, async () => {
      const page = await newPage(browser, viewport);
      try {
        for (const [path, label, status] of [
          ['/masuk', 'login', 200],
          ['/daftar', 'registration', 200],
          [`${MALL}/janji?q=ktp`, 'booking search', 200],
          [`${MALL}/tiket?nomor=Z-999`, 'ticket finder', 404],
          [`${MALL}/layanan/TIDAK-ADA`, 'not found page', 404],
        ]) {
          const r = await page.goto(url(path));
          assert.equal(r.status(), status, path);
          await checkA11y(page, `${label} (${size})`);
          assert.equal(await horizontalOverflow(page, viewport.width, label), null);
          await screenshot(page, `page-${label.replaceAll(' ', '-')}-${size}`);
          // The browser reports the error status of an error page itself: expected here.
          if (status >= 400) page.problems = page.problems.filter((p) => !p.includes(`status of ${status}`));
        }
        assertNoPageProblems(page, `visitors' pages (${size})`);
      } finally {
        await page.context().close();
      }
    });

    test(`logged-in pages at ${size} width`, async () => {
      const page = await newPage(browser, viewport);
      try {
        await login(page, 'petugas@demo.mpp.id', { next: '/akun' });
        await page.waitForURL((u) => u.pathname === '/akun');
        await page.fill('#token-name', 'aplikasi uji');
        await page.getByRole('button', { name: /token/i }).click();
        await page.locator('code.token').waitFor();
        for (const [path, label, status] of [
          ['/akun', 'account', 200],
          ['/akun/profil', 'profile', 200],
          ['/akun/dokumen', 'my documents', 200],
          ['/akun/persetujuan', 'my consents', 200],
          ['/akun/data-saya', 'my data and rights', 200],
          ['/akun/riwayat-akses', 'access history', 200],
          [`${MALL}/admin`, 'forbidden page', 403],
          [`${MALL}/loket`, 'counters to work', 200],
          [`${MALL}/loket/1/permohonan`, 'counter filing', 200],
          [`${MALL}/loket/satu`, 'bad request page', 400],
          [`${MALL}/koreksi`, 'correction requests', 200],
        ]) {
          const r = await page.goto(url(path));
          assert.equal(r.status(), status, path);
          await checkA11y(page, `${label} (${size})`);
          assert.equal(await horizontalOverflow(page, viewport.width, label), null);
          await screenshot(page, `page-${label.replaceAll(' ', '-')}-${size}`);
          // The browser reports the error status of an error page itself: expected here.
          if (status >= 400) page.problems = page.problems.filter((p) => !p.includes(`status of ${status}`));
        }
        // The forbidden page shows the officer as logged in.
        await page.goto(url(`${MALL}/admin`));
        assert.equal(await page.getByRole('button', { name: 'Keluar' }).count(), 1);
        page.problems = page.problems.filter((p) => !p.includes('status of 403'));
        assertNoPageProblems(page, `logged-in pages (${size})`);
      } finally {
        await page.context().close();
      }
    });
  }
});
