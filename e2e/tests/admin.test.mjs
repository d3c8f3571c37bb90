// The mall manager adds a service through the back office, and a citizen
// (logged out, in a fresh context) then finds it in the public catalogue.
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
const ADMIN = 'admin@demo.mpp.id';

const SERVICE = {
  agency: 'dpmptsp',
  code: 'E2E-UJI',
  name_id: 'Layanan Uji Peramban',
  name_en: 'Browser Test Service',
  aliases: 'uji peramban\ntes e2e',
  summary_id: 'Layanan contoh yang dibuat oleh uji peramban otomatis.',
  requirements: ['Fotokopi KTP-el pemohon', 'Surat permohonan bermeterai'],
  procedures: ['Ambil nomor antrian di anjungan', 'Serahkan berkas kepada petugas loket'],
  completion_time_id: '1 hari kerja',
  product_id: 'Surat keterangan uji',
  complaint_id: 'Meja informasi MPP, Lantai 1',
  sla_days: '1',
  cost_rupiah: '0',
  queue_prefix: 'H',
};
const CHANNELS = ['counter', 'online', 'mobile', 'kiosk'];

describe('admin', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the mall manager adds a service and citizens find it', async () => {
    // Precondition: the code is free (./e2e/run gives every run a fresh database).
    const probe = await newPage(browser, DESKTOP);
    const existing = await probe.request.get(url(`${MALL}/layanan/${SERVICE.code}`), { maxRedirects: 0 });
    await probe.context().close();
    assert.notEqual(
      existing.status(),
      200,
      `${SERVICE.code} already exists on this server: run the admin test against a fresh data directory (./e2e/run does)`,
    );

    // The manager fills in the new-service form.
    const page = await newPage(browser, DESKTOP);
    try {
      await login(page, ADMIN, { next: `${MALL}/admin` });
      const response = await page.goto(url(`${MALL}/admin/layanan/baru`));
      assert.equal(response?.status(), 200, `the new-service form answered ${response?.status()}`);
      await page.locator('#code').waitFor();

      await page.selectOption('#agency', SERVICE.agency);
      await page.fill('#code', SERVICE.code);
      await page.fill('#name_id', SERVICE.name_id);
      await page.fill('#name_en', SERVICE.name_en);
      await page.fill('#aliases', SERVICE.aliases);
      await page.fill('#summary_id', SERVICE.summary_id);
      await page.fill('#requirements_id', SERVICE.requirements.join('\n'));
      await page.fill('#procedure_id', SERVICE.procedures.join('\n'));
      await page.fill('#completion_time_id', SERVICE.completion_time_id);
      await page.fill('#product_id', SERVICE.product_id);
      await page.fill('#complaint_id', SERVICE.complaint_id);
      await page.fill('#sla_days', SERVICE.sla_days);
      await page.fill('#cost_rupiah', SERVICE.cost_rupiah);
      await page.fill('#queue_prefix', SERVICE.queue_prefix);
      for (const channel of CHANNELS) {
        await page.setChecked(`#channels-${channel}`, channel === 'counter');
      }
      await page.setChecked('#active', true);

      await checkA11y(page, 'new-service form');
      await screenshot(page, 'admin-service-form');

      // Saving redirects away from the form to the saved service.
      const form = page.locator('main form', { has: page.locator('#code') });
      await form.locator('button[type=submit]').click();
      try {
        await page.waitForURL((u) => !u.pathname.endsWith('/admin/layanan/baru'), { timeout: 10_000 });
      } catch {
        const errors = await page.locator('.field-error, [role=alert]').allInnerTexts();
        throw new Error(
          `saving the service did not redirect; still at ${page.url()}; messages: ${JSON.stringify(errors.filter((e) => e.trim()))}`,
        );
      }
      await page.waitForLoadState('load');
      const text = await page.locator('body').innerText();
      assert.ok(text.includes(SERVICE.name_id), `the page after saving (${page.url()}) does not show "${SERVICE.name_id}"`);
      await checkA11y(page, 'service saved');
      await screenshot(page, 'admin-service-saved');
      assertNoPageProblems(page, 'admin');
    } finally {
      await page.context().close();
    }

    // A citizen, not logged in, finds it by searching and sees its requirements.
    const citizen = await newPage(browser, DESKTOP);
    try {
      await citizen.goto(url(`${MALL}/layanan?q=uji%20peramban`));
      const hit = citizen.locator('ul.services h3 a', { hasText: SERVICE.name_id });
      assert.equal(await hit.count(), 1, `searching "uji peramban" does not list "${SERVICE.name_id}"`);
      assert.equal(await hit.getAttribute('href'), `${MALL}/layanan/${SERVICE.code}`);
      await checkA11y(citizen, 'catalogue with the new service');

      await citizen.goto(url(`${MALL}/layanan/${SERVICE.code}`));
      await assert.doesNotReject(
        citizen.getByRole('heading', { name: SERVICE.name_id, level: 1 }).waitFor({ timeout: 5_000 }),
        'the service page has no heading with its name',
      );
      const requirements = (await citizen.locator('ul.checklist li').allInnerTexts()).map((t) => t.trim());
      assert.deepEqual(requirements, SERVICE.requirements);
      await checkA11y(citizen, 'the new service page');
      assertNoPageProblems(citizen, 'public pages of the new service');
    } finally {
      await citizen.context().close();
    }
  });

  test('the manager sets up how the new service takes applications, on a phone', async () => {
    const page = await newPage(browser, PHONE);
    try {
      await login(page, ADMIN, { next: `${MALL}/admin/layanan/${SERVICE.code}` });
      await page.getByRole('link', { name: /Permohonan: formulir, alur/ }).click();
      await page.getByRole('heading', { name: /Pengaturan permohonan/ }).waitFor();
      await checkA11y(page, 'application setup');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'application setup'), null);
      await page.locator('#field-0-key').fill('keperluan');
      await page.locator('#field-0-label_id').fill('Keperluan');
      await page.locator('#field-0-label_en').fill('Purpose');
      await page.locator('#step-0-name_id').fill('Verifikasi berkas');
      await page.locator('#step-0-name_en').fill('Document check');
      await page.locator('#step-0-agency').selectOption('dpmptsp');
      await page.locator('#step-0-sla').fill('1');
      await page.getByRole('button', { name: 'Simpan' }).click();
      await page.getByText('Perubahan tersimpan.').waitFor();
      assert.equal(await page.locator('#field-0-key').inputValue(), 'keperluan');
      await checkA11y(page, 'application setup saved');
      await screenshot(page, 'admin-application-setup-phone');
      await page.getByRole('link', { name: 'Lihat formulir warga' }).click();
      await page.getByLabel('Keperluan').waitFor();
      assertNoPageProblems(page, 'application setup');
    } finally {
      await page.context().close();
    }
  });

  test('the manager registers a kiosk and the kiosk enrols itself', async () => {
    const page = await newPage(browser, DESKTOP);
    const kiosk = await newPage(browser, { width: 1080, height: 1920 });
    try {
      await login(page, ADMIN, { next: `${MALL}/admin/perangkat` });
      await checkA11y(page, 'devices');
      await page.fill('#name', 'Kios pintu utara');
      await page.getByRole('button', { name: 'Daftarkan dan buat tautan' }).click();
      const link = (await page.locator('code.token').innerText()).trim();
      await checkA11y(page, 'device registered');
      await screenshot(page, 'admin-devices-desktop');
      await kiosk.goto(link);
      await checkA11y(kiosk, 'device enrolment');
      await kiosk.getByRole('button', { name: 'Ya, daftarkan perangkat ini' }).click();
      await kiosk.waitForURL(/\/kiosk$/);
      await page.reload();
      await page.getByText('Terdaftar, terakhir aktif').waitFor();
      await page.setViewportSize(PHONE);
      await checkA11y(page, 'devices on a phone');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'devices'), null);
      await screenshot(page, 'admin-devices-phone');
      assertNoPageProblems(page, 'devices');
      assertNoPageProblems(kiosk, 'enrolled kiosk');
    } finally {
      await page.context().close();
      await kiosk.context().close();
    }
  });

  test('the manager adds an officer, places them at a counter, and they leave', async () => {
    const page = await newPage(browser, DESKTOP);
    try {
      await login(page, ADMIN, { next: `${MALL}/admin/staf` });
      await checkA11y(page, 'staff');
      // A mistake first: the agency is missing; what was typed stays.
      await page.fill('#email', 'rina@ttu.go.id');
      await page.fill('#name', 'Rina Bria');
      await page.getByRole('button', { name: 'Tambahkan' }).click();
      await page.getByText('Pilih instansi untuk peran ini.').waitFor();
      assert.equal(await page.inputValue('#name'), 'Rina Bria');
      await checkA11y(page, 'staff with an error');
      await page.selectOption('#agency', 'dukcapil');
      await page.getByRole('button', { name: 'Tambahkan' }).click();
      await page.locator('code.token').waitFor();
      await checkA11y(page, 'staff member with link');
      await screenshot(page, 'admin-staff-member-desktop');
      await page.getByLabel(/Loket 2/).check();
      await page.getByRole('button', { name: 'Simpan penempatan' }).click();
      await page.getByLabel(/Loket 2/).isChecked();
      await page.setViewportSize(PHONE);
      await checkA11y(page, 'staff member on a phone');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'staff member'), null);
      await screenshot(page, 'admin-staff-member-phone');
      await page.goto(url(`${MALL}/admin/staf`));
      assert.equal(await horizontalOverflow(page, PHONE.width, 'staff'), null);
      await screenshot(page, 'admin-staff-phone');
      await page.setViewportSize(DESKTOP);
      await screenshot(page, 'admin-staff-desktop');
      await page.getByRole('link', { name: 'Rina Bria' }).click();
      await page.getByRole('button', { name: 'Keluarkan Rina Bria dari mal' }).click();
      await page.getByText('rina@ttu.go.id telah dikeluarkan').waitFor();
      // The browser reports the refused first try's 422 itself: expected here.
      page.problems = page.problems.filter((p) => !p.includes('status of 422'));
      assertNoPageProblems(page, 'staff');
    } finally {
      await page.context().close();
    }
  });
});
