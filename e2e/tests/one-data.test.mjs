// Issue 13's "done means", walked through in a browser on a phone: a new
// citizen registers, links and verifies a NIK, keeps a KTP and a KK once,
// files the birth bundle and a business licence reusing them, an officer
// opens the kept KK under the consent, the citizen sees exactly that read
// on one page, downloads their data, withdraws a consent (and the officer's
// next attempt is refused), and an auditor checks the chains with one command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  DEMO_PASSWORD,
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


// One of the stand-in register's made-up people (data/stand-in-register.csv).
const AGUSTINA = { nik: '5303014107900003', name: 'Agustina Kolo', born: '1990-07-01' };


describe('one data, end to end', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a citizen gives their data once, sees every read, and an auditor proves the log', async () => {
    const page = await newPage(browser, PHONE);
    const officer = await newPage(browser, PHONE);
    try {
      // Registers and links a NIK the (stand-in) population register confirms.
      const email = `agustina.${Date.now()}@contoh.id`;
      await page.goto(url('/daftar'));
      await page.fill('#name', AGUSTINA.name);
      await page.fill('#email', email);
      await page.fill('#password', DEMO_PASSWORD);
      await page.fill('#password_again', DEMO_PASSWORD);
      await page.click('main form button[type=submit]');
      await page.waitForURL((u) => !u.pathname.startsWith('/daftar'));
      await page.goto(url('/akun/profil'));
      await page.getByLabel(/^NIK/).fill(AGUSTINA.nik);
      await page.getByLabel(/^Nama lengkap/).fill(AGUSTINA.name);
      await page.getByLabel(/^Tanggal lahir/).fill(AGUSTINA.born);
      await pickVillage(page);
      await page.getByLabel(/^Nomor HP/).fill('0813 1111 2222');
      await page.getByRole('button', { name: 'Simpan data diri' }).click();
      await page.getByText('NIK terverifikasi').waitFor();

      // Keeps a KTP and a KK once.
      for (const [kind, file] of [['ktp', 'ktp-agustina'], ['kk', 'kk-agustina']]) {
        await page.goto(url('/akun/dokumen'));
        await page.getByLabel('Jenis dokumen').selectOption(kind);
        await page.getByLabel(/^Berkas/).setInputFiles(pdf(file));
        await page.getByRole('button', { name: 'Unggah dokumen' }).click();
        await page.getByRole('link', { name: `${file}.pdf` }).waitFor();
      }

      // Files the birth bundle with them: one form, the NIK and village given, one consent tick.
      await page.goto(url('/m/ttu/paket/KELAHIRAN/ajukan'));
      assert.equal(await page.getByLabel(/^NIK pelapor/).inputValue(), AGUSTINA.nik, 'the NIK comes from the profile');
      await page.getByLabel(/^Nomor Kartu Keluarga/).fill('5303010101200009');
      await page.getByLabel(/^Nama lengkap anak/).fill('Maria Goreti Kolo');
      await page.getByLabel(/^Tanggal lahir anak/).fill('2026-11-21');
      await page.getByLabel(/^Jenis kelamin anak/).selectOption('Perempuan');
      await page.getByLabel(/^Nama ibu/).fill(AGUSTINA.name);
      await page.getByLabel(/^Fasilitas kesehatan/).selectOption('Puskesmas Kefamenanu');
      await page.getByLabel(/^Kelas perawatan/).selectOption('Kelas 3');
      const kk = await page.locator('#f-doc_kk-kept option', { hasText: 'kk-agustina.pdf' }).getAttribute('value');
      await page.locator('#f-doc_kk-kept').selectOption(kk);
      const ktp = await page.locator('#f-doc_parent_ktp-kept option', { hasText: 'ktp-agustina.pdf' }).getAttribute('value');
      await page.locator('#f-doc_parent_ktp-kept').selectOption(ktp);
      await page.locator('input[type=file][name=doc_birth_letter]').setInputFiles(pdf('surat-lahir'));
      for (const box of await page.locator('fieldset.requirements input[type=checkbox]').all()) await box.check();
      await page.getByLabel(/Saya mengizinkan/).check();
      await page.getByRole('button', { name: 'Kirim permohonan' }).click();
      await page.getByText('0 dari 4 permohonan selesai').waitFor();
      const kkLink = page.getByRole('link', { name: /Kartu Keluarga/ });
      const kkNumber = (await kkLink.getAttribute('href')).split('/').pop();

      // And a business licence: the NIK and village again from the profile.
      await page.goto(url('/m/ttu/layanan/IZIN-USAHA-MIKRO/ajukan'));
      assert.equal(await page.getByLabel(/^NIK pemilik usaha/).inputValue(), AGUSTINA.nik);
      assert.equal(await page.getByLabel('Desa/kelurahan').inputValue(), '53.03.05.1003');
      await page.getByLabel(/^Nama usaha/).fill('Tenun Ikat Kolo');
      await page.getByLabel('Bidang usaha').selectOption('Kerajinan');
      await page.getByLabel(/^Modal usaha/).fill('Rp 5.000.000');
      await page.getByLabel(/^Jumlah tenaga kerja/).fill('2');
      await page.getByLabel('Rendah').check();
      for (const box of await page.locator('fieldset.requirements input[type=checkbox]').all()) await box.check();
      await page.getByRole('button', { name: 'Kirim permohonan' }).click();
      await page.getByRole('heading', { name: /Tanda terima/ }).waitFor();

      // The Dukcapil officer opens the family card's application and the kept KK, under the consent.
      await login(officer, 'petugas@demo.mpp.id', { next: `/m/ttu/kotak-masuk/${kkNumber}` });
      await officer.getByText(kkNumber).first().waitFor();
      const file = await officer.request.get(url(`/m/ttu/permohonan/${kkNumber}/dokumen/doc_kk`));
      assert.equal(file.status(), 200);

      // The citizen sees exactly who read what, and why.
      await page.goto(url('/akun/riwayat-akses'));
      await page.getByRole('heading', { name: 'Riwayat akses data' }).waitFor();
      const history = await page.locator('main').innerText();
      assert.match(history, /Petugas Loket \(demo\)/);
      assert.match(history, /dokumen Kartu Keluarga/);
      assert.ok(history.includes(`persetujuan yang Anda berikan untuk permohonan ${kkNumber}`), history);
      await checkA11y(page, 'access history after the walk-through');
      assert.equal(await horizontalOverflow(page, PHONE.width, 'access history'), null);
      await screenshot(page, 'one-data-history-phone');

      // Downloads everything MPP holds about them.
      const archive = await page.request.get(url('/akun/data-saya/arsip.zip'));
      assert.equal(archive.status(), 200);
      const bytes = await archive.body();
      assert.ok(bytes.includes(Buffer.from(AGUSTINA.nik)) && bytes.includes(Buffer.from('KELAHIRAN')), 'the export holds the bundle');

      // Withdraws Dukcapil's consent for the family card: the officer's next attempt is refused.
      await page.goto(url('/akun/persetujuan'));
      const withdraw = page.getByRole('button', { name: /Tarik persetujuan untuk Dinas Kependudukan/ });
      const before = await withdraw.count();
      assert.ok(before >= 1, 'Dukcapil holds consents for the bundle');
      for (let i = 0; i < before; i++) await withdraw.first().click();
      await page.getByText('Ditarik').first().waitFor();
      const refused = await officer.request.get(url(`/m/ttu/permohonan/${kkNumber}/dokumen/doc_kk`));
      assert.equal(refused.status(), 409);
      await checkA11y(page, 'consents withdrawn');
      await screenshot(page, 'one-data-consents-phone');

      // An auditor proves with one command that nobody rewrote the log.
      const said = execFileSync(process.env.MPP_BIN, ['audit', 'verify', '--data-dir', process.env.MPP_DATA_DIR], {
        encoding: 'utf8',
      });
      assert.match(said, /access log: \d+ entries, the chain holds/);
      assert.doesNotMatch(said, /broken|edited|removed|inserted|moved/i);
      page.problems = page.problems.filter((p) => !p.includes('status of 409'));
      assertNoPageProblems(page, 'the citizen');
    } finally {
      await page.context().close();
      await officer.context().close();
    }
  });
});
