// The visit in the browser: a visitor takes a ticket at the kiosk, follows
// it on their phone, an officer calls it in the counter console, and the
// display board (another browser) shows it and says it in Indonesian —
// through the browser's voice when it has one, through MPP's own audio
// when it has none. axe-core checks every screen.
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
const ONES = ['nol', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan'];

/** Indonesian words for 1–99 (enough for a test's ticket numbers). */
function words(n) {
  if (n < 10) return ONES[n];
  if (n === 10) return 'sepuluh';
  if (n === 11) return 'sebelas';
  if (n < 20) return `${ONES[n - 10]} belas`;
  return `${ONES[Math.floor(n / 10)]} puluh${n % 10 ? ' ' + ONES[n % 10] : ''}`;
}

/** A board page whose speech synthesis is recorded instead of spoken (each sentence taking `speakMs`). */
async function boardPage(browser, { voices, speakMs = 10 }) {
  const page = await newPage(browser, DESKTOP);
  await page.context().addInitScript(([haveVoice, ms]) => {
    window.__spoken = [];
    const voice = { lang: 'id-ID', name: 'Uji Bahasa Indonesia', default: true, localService: true, voiceURI: 'uji' };
    window.speechSynthesis.getVoices = () => (haveVoice ? [voice] : []);
    window.SpeechSynthesisUtterance = class {
      constructor(text) { this.text = text; }
    };
    window.speechSynthesis.speak = (u) => {
      window.__spoken.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.name });
      setTimeout(() => u.onend && u.onend(), ms);
    };
  }, [voices, speakMs]);
  await page.goto(url(`${MALL}/papan`));
  await page.locator('[data-sound]').click();
  return page;
}

/** Takes a KTP-EL ticket at the kiosk; returns its label, e.g. "A-003". */
async function takeTicket(page) {
  await page.goto(url(`${MALL}/kiosk`));
  await page.getByRole('link', { name: /Kependudukan/ }).click();
  await page.getByRole('link', { name: /KTP Elektronik/ }).first().click();
  await page.getByRole('button', { name: 'Ambil nomor antrian' }).click();
  await page.locator('.receipt-number').waitFor();
  return (await page.locator('.receipt-number').innerText()).trim();
}

describe('the visit', () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('kiosk → console → board, spoken in Indonesian', async () => {
    const board = await boardPage(browser, { voices: true });
    await checkA11y(board, 'board');

    // The kiosk: large targets, every step accessible.
    const kiosk = await newPage(browser, { width: 1080, height: 1920 });
    await kiosk.goto(url(`${MALL}/kiosk`));
    await checkA11y(kiosk, 'kiosk agencies');
    const smallest = await kiosk.evaluate(() =>
      Math.min(...[...document.querySelectorAll('.kiosk-choice, .kiosk-btn')].map((e) => e.getBoundingClientRect().height)));
    assert.ok(smallest >= 56, `kiosk targets are at least 56px tall (smallest ${smallest})`);
    await screenshot(kiosk, 'kiosk-agencies');
    await kiosk.getByRole('link', { name: /Kependudukan/ }).click();
    await checkA11y(kiosk, 'kiosk services');
    await kiosk.getByRole('link', { name: /KTP Elektronik/ }).first().click();
    await checkA11y(kiosk, 'kiosk details');
    await screenshot(kiosk, 'kiosk-details');
    await kiosk.getByRole('button', { name: 'Ambil nomor antrian' }).click();
    await kiosk.locator('.receipt-number').waitFor();
    const label = (await kiosk.locator('.receipt-number').innerText()).trim();
    assert.match(label, /^A-\d{3}$/);
    await checkA11y(kiosk, 'kiosk ticket');
    await screenshot(kiosk, 'kiosk-ticket');
    assertNoPageProblems(kiosk, 'kiosk');

    // The visitor follows the ticket on a phone (the QR code's link).
    const ticketId = new URL(kiosk.url()).pathname.split('/').pop();
    const phone = await newPage(browser, PHONE);
    await phone.goto(url(`${MALL}/tiket/${ticketId}`));
    await checkA11y(phone, 'my ticket');
    assert.equal(await horizontalOverflow(phone, PHONE.width, 'my ticket'), null);
    await screenshot(phone, 'my-ticket-phone');

    // The officer opens counter 1 and calls. Earlier tickets (if any) go first.
    const officer = await newPage(browser, DESKTOP);
    await login(officer, 'petugas@demo.mpp.id', { next: `${MALL}/loket/1` });
    await officer.waitForURL((u) => u.pathname === `${MALL}/loket/1`);
    await checkA11y(officer, 'console (closed)');
    await officer.getByRole('button', { name: 'Buka loket' }).click();
    let called = '';
    while (called !== label) {
      await officer.getByRole('button', { name: 'Panggil berikutnya' }).click();
      called = (await officer.locator('.console-label').innerText()).trim();
      if (called !== label) {
        await officer.getByRole('button', { name: 'Selesai', exact: true }).click();
      }
    }
    await checkA11y(officer, 'console (calling)');
    await screenshot(officer, 'console-desktop');

    // The board shows it and says it.
    const n = Number(label.slice(2));
    const sentence = `Nomor antrian A ${words(n)}, silakan menuju loket satu`;
    await board.locator('.board-calls .board-number', { hasText: label }).first().waitFor();
    await board.waitForFunction((s) => window.__spoken.some((u) => u.text === s), sentence, { timeout: 10_000 });
    const spoken = await board.evaluate(() => window.__spoken);
    const said = spoken.find((u) => u.text === sentence);
    assert.equal(said.lang, 'id-ID');
    assert.equal(said.voice, 'Uji Bahasa Indonesia');
    await screenshot(board, 'board-desktop');
    assertNoPageProblems(board, 'board');

    // The visitor's phone says where to go.
    await phone.reload();
    await phone.getByText('Silakan menuju loket 1').waitFor();

    // The console at phone width stays usable.
    await officer.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(officer, PHONE.width, 'console'), null);
    await screenshot(officer, 'console-phone');
    await officer.getByRole('button', { name: 'Selesai', exact: true }).click();
    assertNoPageProblems(officer, 'console');
  });

  test('three counters calling at once: the board says the newest first', async () => {
    // Each sentence takes three seconds: the calls come faster than that.
    const board = await boardPage(browser, { voices: true, speakMs: 3000 });
    const kiosk = await newPage(browser, DESKTOP);
    // One visitor for each counter's services (1: KTP-el, 2: KK, 3: birth certificates).
    for (const code of ['KTP-EL', 'KK', 'AKTA-LAHIR']) {
      await kiosk.goto(url(`${MALL}/kiosk/data?pilih=${code}`));
      await kiosk.getByRole('button', { name: 'Ambil nomor antrian' }).click();
      await kiosk.locator('.receipt-number').waitFor();
    }
    const consoles = [];
    for (const n of [1, 2, 3]) {
      const page = await newPage(browser, DESKTOP);
      await login(page, 'petugas@demo.mpp.id', { next: `${MALL}/loket/${n}` });
      await page.waitForURL((u) => u.pathname === `${MALL}/loket/${n}`);
      const open = page.getByRole('button', { name: 'Buka loket' });
      if ((await open.getAttribute('aria-pressed')) !== 'true') await open.click();
      // A visitor still at this counter from an earlier test: finished first.
      const finish = page.getByRole('button', { name: 'Selesai', exact: true });
      if (await finish.count()) await finish.click();
      consoles.push(page);
    }
    for (const page of consoles) await page.getByRole('button', { name: 'Panggil berikutnya' }).click();
    try {
      await board.waitForFunction(() => window.__spoken.length >= 3, null, { timeout: 20_000 });
    } catch (e) {
      const seen = await board.evaluate(() => ({ spoken: window.__spoken, calls: document.querySelector('[data-history]').innerText, skipped: document.querySelector('[data-skipped]').innerText }));
      throw new Error(`${e.message}: ${JSON.stringify(seen)} ${board.problems}`);
    }
    const order = (await board.evaluate(() => window.__spoken.map((u) => u.text))).map((t) => t.split(' loket ').pop());
    assert.deepEqual(order.slice(0, 3), ['satu', 'tiga', 'dua'], `the first, then the newest: ${order}`);
    assertNoPageProblems(board, 'board under load');
    // Leave the counters as found: nobody at them, the next test calls afresh.
    for (const page of consoles) await page.getByRole('button', { name: 'Selesai', exact: true }).click();
    for (const page of [board, kiosk, ...consoles]) await page.context().close();
  });

  test('by keyboard alone: find a service, take a ticket, serve the visitor at the console', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      // A citizen finds KTP-el from the home page's search, keys only.
      const citizen = await newPage(browser, viewport);
      await citizen.goto(url(MALL));
      await citizen.keyboard.press('Tab'); // the skip link
      await citizen.keyboard.press('Enter');
      await citizen.locator('#q').focus();
      await citizen.keyboard.type('ktpp');
      await citizen.keyboard.press('Enter');
      await citizen.waitForURL(/layanan\?q=ktpp/);
      const first = citizen.locator('ul.services a').first();
      await first.focus();
      await citizen.keyboard.press('Enter');
      await citizen.waitForURL(/\/layanan\/KTP-EL$/);
      await citizen.context().close();

      // The kiosk, keys only: the service, then the ticket.
      const kiosk = await newPage(browser, viewport);
      await kiosk.goto(url(`${MALL}/kiosk/data?pilih=KK`));
      const take = kiosk.getByRole('button', { name: 'Ambil nomor antrian' });
      await take.focus();
      await kiosk.keyboard.press('Enter');
      await kiosk.locator('.receipt-number').waitFor();
      const label = (await kiosk.locator('.receipt-number').innerText()).trim();
      await kiosk.context().close();

      // The officer at counter 2 (KK): each step lands on the next one.
      const officer = await newPage(browser, viewport);
      await login(officer, 'petugas@demo.mpp.id', { next: `${MALL}/loket/2` });
      await officer.waitForURL((u) => u.pathname === `${MALL}/loket/2`);
      const open = officer.getByRole('button', { name: 'Buka loket' });
      if ((await open.getAttribute('aria-pressed')) !== 'true') {
        await open.focus();
        await officer.keyboard.press('Enter');
        await officer.waitForLoadState();
      }
      const focused = () => officer.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
      let called = '';
      while (called !== label) {
        assert.equal(await focused(), 'Panggil berikutnya', 'with nobody at the counter, calling is where focus is');
        await officer.keyboard.press('Enter');
        await officer.locator('.console-label').waitFor();
        called = (await officer.locator('.console-label').innerText()).trim();
        assert.equal(await focused(), 'Mulai layani', 'after a call: start serving');
        await officer.waitForFunction((l) => document.querySelector('[data-live-region]').textContent.includes(l), called);
        await officer.keyboard.press('Enter');
        await officer.waitForFunction(() => document.activeElement && document.activeElement.textContent.trim() === 'Selesai');
        await officer.keyboard.press('Enter');
        await officer.getByRole('button', { name: 'Panggil berikutnya' }).waitFor();
      }
      await checkA11y(officer, 'console after serving by keyboard');
      assertNoPageProblems(officer, 'console by keyboard');
      await officer.context().close();
    }
  });

  test('a board without an Indonesian voice plays MPP\'s own audio', async () => {
    const board = await boardPage(browser, { voices: false });
    const kiosk = await newPage(browser, DESKTOP);
    const label = await takeTicket(kiosk);
    const audio = board.waitForRequest((r) => r.url().includes('/papan/suara/'), { timeout: 15_000 });
    const officer = await newPage(browser, DESKTOP);
    await login(officer, 'petugas@demo.mpp.id', { next: `${MALL}/loket/1` });
    let called = '';
    while (called !== label) {
      await officer.getByRole('button', { name: 'Panggil berikutnya' }).click();
      called = (await officer.locator('.console-label').innerText()).trim();
      if (called !== label) await officer.getByRole('button', { name: 'Selesai', exact: true }).click();
    }
    const request = await audio;
    const response = await request.response();
    assert.equal(response.headers()['content-type'], 'audio/wav');
    assert.equal((await board.evaluate(() => window.__spoken)).length, 0, 'no browser voice was used');
  });

  test('a citizen books on a phone and checks in at the kiosk', async () => {
    const phone = await newPage(browser, PHONE);
    await login(phone, 'warga@demo.mpp.id', { next: `${MALL}/janji` });
    await phone.waitForURL((u) => u.pathname === `${MALL}/janji`);
    await checkA11y(phone, 'booking index');
    await phone.getByRole('link', { name: /KTP Elektronik/ }).first().click();
    await checkA11y(phone, 'booking slots');
    assert.equal(await horizontalOverflow(phone, PHONE.width, 'booking slots'), null);
    await screenshot(phone, 'booking-slots-phone');
    await phone.locator('input[name=slot]:not([disabled])').first().check();
    await phone.getByRole('button', { name: 'Pesan jadwal ini' }).click();
    await phone.locator('.ticket-label').waitFor();
    const code = (await phone.locator('.ticket-label').innerText()).trim();
    assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await checkA11y(phone, 'booking');
    assert.equal(await horizontalOverflow(phone, PHONE.width, 'booking'), null);
    await screenshot(phone, 'booking-phone');
    assertNoPageProblems(phone, 'booking');

    const kiosk = await newPage(browser, { width: 1080, height: 1920 });
    await kiosk.goto(url(`${MALL}/kiosk`));
    await kiosk.getByRole('link', { name: 'Punya kode booking?' }).click();
    await checkA11y(kiosk, 'kiosk booking');
    await kiosk.fill('#code', code.toLowerCase());
    await kiosk.getByRole('button', { name: 'Ambil nomor antrian' }).click();
    await kiosk.locator('.receipt-number').waitFor();
    assertNoPageProblems(kiosk, 'kiosk booking');
  });

  test('the manager\'s floor and figures, and the greeter, at phone and desktop width', async () => {
    for (const [viewport, suffix] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
      const page = await newPage(browser, viewport);
      await login(page, 'admin@demo.mpp.id', { next: `${MALL}/admin/antrian` });
      await page.waitForURL((u) => u.pathname === `${MALL}/admin/antrian`);
      for (const [path, name] of [['/admin/antrian', 'floor'], ['/admin/statistik', 'stats'], ['/penyambut', 'greeter']]) {
        await page.goto(url(`${MALL}${path}`));
        await page.locator('h1').waitFor();
        await checkA11y(page, `${name} (${suffix})`);
        if (viewport === PHONE) assert.equal(await horizontalOverflow(page, PHONE.width, name), null);
        await screenshot(page, `${name}-${suffix}`);
      }
      assertNoPageProblems(page, `manager (${suffix})`);
    }
  });
});
