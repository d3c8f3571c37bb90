// A parent on a phone files the birth bundle: one form for the birth
// certificate, the family card, the child's identity card and the child's
// health insurance, each document attached once; then follows the four
// applications on one page. A mall admin sees the bundle among the back
// office's bundles. Every page with axe-core, nothing sticking out at 360 px.
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
  pdf,
  pickVillage,
  screenshot,
  url,
} from './helpers.mjs';


describe('life-event bundles', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a parent files the birth bundle on a phone and follows it on one page', async () => {
    const page = await newPage(browser, PHONE);
    try {
      await login(page, 'warga@demo.mpp.id', { next: '/m/ttu' });
      await page.getByRole('link', { name: /Paket kelahiran/ }).click();
      await page.getByRole('heading', { name: /Paket kelahiran/, level: 1 }).waitFor();
      await checkA11y(page, 'bundle page');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'bundle page'), null);
      await screenshot(page, 'bundle-about-phone');
      await page.getByRole('link', { name: 'Ajukan paket ini' }).click();
      await page.getByRole('heading', { name: /Paket kelahiran/ }).waitFor();
      await checkA11y(page, 'bundle form');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'bundle form'), null);
      await screenshot(page, 'bundle-form-phone');

      // Sent without the child's name: refused at its field, the rest kept.
      await page.getByLabel(/^NIK pelapor/).fill('5304015203900001');
      await page.getByLabel(/^Nomor Kartu Keluarga/).fill('5303050101200001');
      await page.getByLabel(/^Tanggal lahir anak/).fill('2026-11-20');
      await page.getByLabel(/^Jenis kelamin anak/).selectOption('Perempuan');
      await pickVillage(page);
      await page.getByLabel(/^Nama ibu/).fill('Maria Bano');
      await page.getByLabel(/^Fasilitas kesehatan/).selectOption('Puskesmas Sasi');
      await page.getByLabel(/^Kelas perawatan/).selectOption('Kelas 3');
      for (const box of await page.locator('fieldset.requirements input[type=checkbox]').all()) await box.check();
      await page.locator('input[type=file][name=doc_birth_letter]').setInputFiles(pdf('surat-lahir'));
      await page.locator('input[type=file][name=doc_kk]').setInputFiles(pdf('kk'));
      await page.locator('input[type=file][name=doc_parent_ktp]').setInputFiles(pdf('ktp'));
      await page.getByRole('button', { name: 'Kirim permohonan' }).click();
      await page.locator('#f-child_name-err').waitFor();
      assert.equal(await page.getByLabel(/^Nama ibu/).inputValue(), 'Maria Bano', 'what was typed is kept');
      page.problems = page.problems.filter((p) => !p.includes('status of 422'));
      await checkA11y(page, 'bundle form with an error');

      await page.getByLabel(/^Nama lengkap anak/).fill('Yohana Bano');
      for (const box of await page.locator('fieldset.requirements input[type=checkbox]').all()) await box.check();
      await page.getByRole('button', { name: 'Kirim permohonan' }).click();
      await page.getByText('0 dari 4 permohonan selesai').waitFor();
      for (const service of ['Kutipan Akta Kelahiran', 'Kartu Keluarga', 'Kartu Identitas Anak', 'Peserta JKN']) {
        assert.equal(await page.getByRole('link', { name: new RegExp(service) }).count(), 1, service);
      }
      await checkA11y(page, 'filed bundle');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'filed bundle'), null);
      await screenshot(page, 'bundle-filed-phone');
      assertNoPageProblems(page, 'bundle');
    } finally {
      await page.context().close();
    }
  });

  test("a mall admin sees the mall's bundles", async () => {
    const page = await newPage(browser, DESKTOP);
    try {
      await login(page, 'admin@demo.mpp.id', { next: '/m/ttu/admin/paket' });
      await page.getByRole('link', { name: 'KELAHIRAN' }).first().waitFor();
      await checkA11y(page, 'bundles in the back office');
      await screenshot(page, 'bundle-admin-list-desktop');
      await page.getByRole('link', { name: 'KELAHIRAN' }).first().click();
      await page.getByRole('heading', { name: /Paket kelahiran/ }).waitFor();
      await checkA11y(page, 'a bundle in the back office');
      await screenshot(page, 'bundle-admin-form-desktop');
      assertNoPageProblems(page, 'bundles in the back office');
    } finally {
      await page.context().close();
    }
  });
});
