// A citizen on a phone gives their details once: a NIK whose date does not
// match is refused at its field with everything kept; the right one is
// checked against the (stand-in) population register and verified. Then
// they keep a KTP in "Dokumen saya" and find it offered on the next form.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  PHONE,
  assertNoPageProblems,
  checkA11y,
  horizontalOverflow,
  launchBrowser,
  login,
  newPage,
  pickVillage,
  screenshot,
  url,
} from './helpers.mjs';

describe('profile', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a citizen links and verifies their NIK on a phone', async () => {
    const page = await newPage(browser, PHONE);
    try {
      await login(page, 'warga@demo.mpp.id', { next: '/akun' });
      await page.getByRole('link', { name: /Data diri saya/ }).click();
      await page.getByRole('heading', { name: 'Data diri' }).waitFor();
      await page.getByLabel(/^NIK/).fill('5304015203900001');
      await page.getByLabel(/^Nama lengkap/).fill('Maria Bano');
      await page.getByLabel(/^Tanggal lahir/).fill('1990-03-13');
      await pickVillage(page);
      await page.getByLabel(/^Nomor HP/).fill('0812 3456 7890');
      await page.getByRole('button', { name: 'Simpan data diri' }).click();
      await page.getByText('Tanggal lahir tidak sama dengan yang tercantum di NIK').waitFor();
      assert.equal(await page.getByLabel(/^Nama lengkap/).inputValue(), 'Maria Bano', 'what was typed is kept');
      await checkA11y(page, 'profile with an error');
      page.problems = page.problems.filter((p) => !p.includes('status of 422'));
      await page.getByLabel(/^Tanggal lahir/).fill('1990-03-12');
      await page.getByRole('button', { name: 'Simpan data diri' }).click();
      await page.getByText('NIK terverifikasi').waitFor();
      await checkA11y(page, 'profile verified');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'profile'), null);
      await screenshot(page, 'profile-verified-phone');
      assertNoPageProblems(page, 'profile');
    } finally {
      await page.context().close();
    }
  });

  test('a citizen keeps a KTP once and finds it offered on a form', async () => {
    const page = await newPage(browser, PHONE);
    try {
      await login(page, 'warga@demo.mpp.id', { next: '/akun' });
      await page.getByRole('link', { name: 'Dokumen saya' }).click();
      await page.getByRole('heading', { name: 'Dokumen saya', level: 1 }).waitFor();
      await checkA11y(page, 'my documents, empty');
      await page.getByLabel('Jenis dokumen').selectOption('ktp');
      await page.getByLabel(/^Berkas/).setInputFiles({
        name: 'ktp-maria.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n1 0 obj<</Note (KTP)>>endobj\n%%EOF\n'),
      });
      await page.getByRole('button', { name: 'Unggah dokumen' }).click();
      await page.getByRole('link', { name: 'ktp-maria.pdf' }).waitFor();
      await checkA11y(page, 'my documents');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'my documents'), null);
      await screenshot(page, 'documents-mine-phone');
      // The building approval asks for drawings: the kept KTP is offered (and the NIK filled in).
      await page.goto(url('/m/ttu/layanan/PBG/ajukan'));
      const kept = await page.locator('#f-drawings-kept option', { hasText: 'ktp-maria.pdf' }).getAttribute('value');
      await page.getByLabel('Atau pakai dokumen tersimpan').selectOption(kept);
      assert.equal(await page.getByLabel(/^NIK pemilik bangunan/).inputValue(), '5304015203900001');
      await checkA11y(page, 'form offering a kept document');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'form with kept documents'), null);
      await screenshot(page, 'form-kept-document-phone');
      // Filed with the kept KTP, consenting in one step.
      for (const box of await page.locator('fieldset.requirements input[type=checkbox]').all()) await box.check();
      await page.getByLabel(/^Fungsi bangunan/).selectOption('Hunian');
      await page.getByLabel(/^Luas lantai/).fill('90');
      await page.getByLabel(/^Jumlah lantai/).fill('1');
      await page.getByLabel(/Saya mengizinkan/).check();
      await page.getByRole('button', { name: 'Kirim permohonan' }).click();
      await page.getByRole('heading', { name: /Tanda terima/ }).waitFor();
      // Every consent on one page; one withdrawn.
      await page.goto(url('/akun/persetujuan'));
      await page.getByRole('heading', { name: 'Persetujuan saya' }).waitFor();
      await checkA11y(page, 'my consents');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'my consents'), null);
      await screenshot(page, 'consents-phone');
      const withdraw = page.getByRole('button', { name: /Tarik persetujuan untuk/ });
      const before = await withdraw.count();
      assert.ok(before >= 2, 'one consent per agency of the workflow');
      await withdraw.first().click();
      await page.getByText('Ditarik').first().waitFor();
      assert.equal(await withdraw.count(), before - 1);
      await checkA11y(page, 'my consents, one withdrawn');
      assertNoPageProblems(page, 'my documents');
    } finally {
      await page.context().close();
    }
  });
});
