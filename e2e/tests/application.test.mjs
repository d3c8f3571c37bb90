// Applications in the browser: a citizen on a phone files a business
// licence online and keeps the receipt; officers of three agencies work it
// through their inboxes (two of them side by side); the citizen sees it
// done, downloads the signed certificate and opens its public check.
// axe-core checks every screen; nothing sticks out on the phone.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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

/** Claims and approves, in the inbox, the first step this officer may act on. */
async function approveInInbox(browser, email, number, { check = false } = {}) {
  const page = await newPage(browser, DESKTOP);
  try {
    await login(page, email, { next: `${MALL}/kotak-masuk` });
    await page.getByRole('link', { name: number }).click();
    if (check) await checkA11y(page, `decide page (${email})`);
    await page.getByRole('button', { name: 'Ambil' }).first().click();
    await page.getByRole('button', { name: 'Setujui' }).first().click();
    await page.getByRole('heading', { name: new RegExp(number) }).waitFor();
    assertNoPageProblems(page, `inbox of ${email}`);
  } finally {
    await page.context().close();
  }
}

describe('applications', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a citizen files a licence on a phone; three agencies approve it in their inboxes', async () => {
    const citizen = await newPage(browser, PHONE);
    try {
      await login(citizen, 'warga@demo.mpp.id', { next: `${MALL}/layanan/IZIN-USAHA-MIKRO/ajukan` });
      await citizen.getByRole('heading', { name: /Ajukan permohonan/ }).waitFor();
      await checkA11y(citizen, 'application form');
      assert.equal(await horizontalOverflow(citizen, PHONE.width, 'application form'), null);
      // A mistake first: the page says what is wrong and keeps the rest.
      await citizen.getByLabel(/^Nama usaha/).fill('Warung Makan Nona');
      await citizen.getByLabel(/^NIK pemilik usaha/).fill('1234');
      await citizen.getByLabel('Bidang usaha').selectOption('Kuliner');
      await citizen.getByLabel(/^Modal usaha/).fill('Rp 15.000.000');
      await citizen.getByLabel(/^Jumlah tenaga kerja/).fill('3');
      // The address is picked level by level; each choice fetches the next (region.js).
      await citizen.getByLabel('Provinsi').selectOption({ label: 'Nusa Tenggara Timur' });
      await citizen.getByLabel('Kabupaten/kota').selectOption({ label: 'Kabupaten Timor Tengah Utara' });
      await citizen.getByLabel('Kecamatan').selectOption({ label: 'Kota Kefamenanu' });
      await citizen.getByLabel('Desa/kelurahan').selectOption({ label: 'Kefamenanu Tengah' });
      assert.equal(await citizen.getByRole('button', { name: 'Tampilkan pilihan' }).isVisible(), false, 'no round trip needed with JS');
      await citizen.getByLabel('Tinggi').check();
      // The service's requirements are a checklist to tick.
      const requirements = citizen.locator('fieldset.requirements input[type=checkbox]');
      assert.ok((await requirements.count()) > 1, 'the requirements are listed');
      for (const box of await requirements.all()) await box.check();
      await citizen.getByRole('button', { name: 'Kirim permohonan' }).click();
      await citizen.getByText('NIK harus 16 angka').waitFor();
      assert.equal(await citizen.getByLabel(/^Nama usaha/).inputValue(), 'Warung Makan Nona');
      assert.equal(await citizen.getByLabel('Desa/kelurahan').inputValue(), '53.03.05.1003', 'the address is kept too');
      await checkA11y(citizen, 'application form with errors');
      // The refusal is a 422 page, which Chromium logs; it is expected here.
      citizen.problems = citizen.problems.filter((p) => !p.includes('status of 422'));
      await citizen.getByLabel(/^NIK pemilik usaha/).fill('5304015203900001');
      await citizen.getByLabel('Tinggi').check();
      await citizen.getByRole('button', { name: 'Kirim permohonan' }).click();
      await citizen.getByRole('heading', { name: /Tanda terima/ }).waitFor();
      const number = decodeURIComponent(new URL(citizen.url()).pathname.split('/').pop());
      assert.match(number, /^TTU-\d{6}-\d{4}$/);
      await citizen.getByText('Kefamenanu Tengah, Kota Kefamenanu, Kabupaten Timor Tengah Utara, Nusa Tenggara Timur').waitFor();
      await checkA11y(citizen, 'receipt');
      assert.equal(await horizontalOverflow(citizen, PHONE.width, 'receipt'), null);
      await screenshot(citizen, 'application-receipt-phone');
      assert.ok((await citizen.locator('.receipt-qr svg').count()) === 1, 'the receipt has a QR code');

      // The licensing office: document check, then the self-declaration.
      const inbox = await newPage(browser, PHONE);
      try {
        await login(inbox, 'perizinan@demo.mpp.id', { next: `${MALL}/kotak-masuk` });
        await inbox.getByRole('link', { name: number }).waitFor();
        await checkA11y(inbox, 'inbox');
        await screenshot(inbox, 'application-inbox-phone');
        // At desktop width the table's headers sit over their columns.
        await inbox.setViewportSize(DESKTOP);
        await checkA11y(inbox, 'inbox at desktop width');
        await screenshot(inbox, 'application-inbox-desktop');
      } finally {
        await inbox.context().close();
      }
      await approveInInbox(browser, 'perizinan@demo.mpp.id', number, { check: true });
      await approveInInbox(browser, 'perizinan@demo.mpp.id', number);
      // Spatial planning and environment, side by side.
      await approveInInbox(browser, 'pupr@demo.mpp.id', number);
      await citizen.reload();
      await citizen.getByText('Dinas Lingkungan Hidup Kabupaten Timor Tengah Utara').first().waitFor();
      await approveInInbox(browser, 'dlh@demo.mpp.id', number);
      // Issuance, back at the licensing office.
      await approveInInbox(browser, 'perizinan@demo.mpp.id', number);
      await citizen.reload();
      await citizen.getByText('Selesai, dokumen terbit').first().waitFor();
      await checkA11y(citizen, 'receipt when issued');
      await screenshot(citizen, 'application-issued-phone');
      // The certificate: a signed PDF, downloaded from the receipt.
      const [download] = await Promise.all([
        citizen.waitForEvent('download'),
        citizen.getByRole('link', { name: 'Unduh sertifikat (PDF)' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^sertifikat-503-0001-DPMPTSP-[IVX]+-\d{4}\.pdf$/);
      const pdf = await readFile(await download.path());
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.ok(pdf.includes('/MPPSignature'), 'the PDF carries its signature');
      // Its public check, as anyone scanning the QR code would see it.
      await citizen.getByRole('link', { name: 'Periksa keaslian' }).click();
      await citizen.getByRole('heading', { name: /Sah/ }).waitFor();
      await checkA11y(citizen, 'certificate check');
      assert.equal(await horizontalOverflow(citizen, PHONE.width, 'certificate check'), null);
      await screenshot(citizen, 'certificate-check-phone');

      // An officer sees the NIK masked and reveals it with a reason, on a phone.
      const officer = await newPage(browser, PHONE);
      try {
        await login(officer, 'perizinan@demo.mpp.id', { next: `${MALL}/kotak-masuk/${number}` });
        await officer.getByText('5304••••••••0001').waitFor();
        assert.equal(await officer.getByText('5304015203900001').count(), 0, 'masked until revealed');
        await officer.locator('details.reveal summary').first().click();
        await officer.getByLabel(/Alasan membuka NIK pemilik usaha/).fill('Mencocokkan dengan KTP asli pemohon');
        await checkA11y(officer, 'decide page with the reveal form open');
        assert.equal(await horizontalOverflow(officer, PHONE.width, 'decide page'), null);
        await screenshot(officer, 'application-reveal-phone');
        await officer.getByRole('button', { name: 'Tampilkan lengkap' }).click();
        await officer.getByText('5304015203900001').waitFor();
        await checkA11y(officer, 'decide page with the NIK revealed');
        await screenshot(officer, 'application-revealed-phone');
        assertNoPageProblems(officer, 'officer pages');
      } finally {
        await officer.context().close();
      }
      // The citizen sees every officer's read: who, what, why, when.
      await citizen.goto(url('/akun'));
      await citizen.getByRole('link', { name: 'Riwayat akses data saya' }).click();
      await citizen.getByRole('heading', { name: 'Riwayat akses data' }).waitFor();
      await citizen.getByText('Mencocokkan dengan KTP asli pemohon').waitFor();
      await checkA11y(citizen, 'access history');
      assert.equal(await horizontalOverflow(citizen, PHONE.width, 'access history'), null);
      await screenshot(citizen, 'access-history-phone');
      await citizen.setViewportSize(DESKTOP);
      await checkA11y(citizen, 'access history at desktop width');
      await screenshot(citizen, 'access-history-desktop');
      assertNoPageProblems(citizen, 'citizen pages');
    } finally {
      await citizen.context().close();
    }
  });
});
