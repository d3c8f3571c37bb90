// Shared helpers for the browser tests: one headless Chromium, pages at a
// given viewport, axe-core accessibility checks, screenshots and login.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** Where screenshots go (gitignored). */
export const ARTIFACTS = join(here, '..', 'artifacts');

/** The demo accounts' password (see the README). */
export const DEMO_PASSWORD = 'mpp-demo-2026';

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

/** The WCAG 2.0, 2.1 and 2.2 level A and AA rules (2.2 brings target size). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** Base URL of the server under test, without a trailing slash. */
export function baseUrl() {
  const url = process.env.MPP_URL;
  if (!url) {
    throw new Error('MPP_URL is not set: run ./e2e/run, or start `mpp serve` and set MPP_URL=http://HOST:PORT');
  }
  return url.replace(/\/+$/, '');
}

/** An absolute URL for a path on the server under test. */
export function url(path) {
  return baseUrl() + path;
}

/** Launches Debian's headless Chromium. Close it with `browser.close()`. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * A page in a fresh browser context (its own cookies) at the given viewport.
 * Page errors and console errors (for example a Content-Security-Policy
 * refusal) are collected in `page.problems` so tests can assert there are none.
 */
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'id-ID' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.problems.push(`console error: ${msg.text()}`);
  });
  return page;
}

let axeSource;

/**
 * Runs axe-core's WCAG 2 A/AA rules on the page and throws, listing each
 * violation (rule id, impact, help text, first offending element), if any.
 */
export async function checkA11y(page, label) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) {
    // page.addScriptTag() adds an inline <script>, which the app's
    // Content-Security-Policy (rightly) refuses. Evaluating axe's source through
    // the DevTools protocol is not subject to the CSP, so the page is checked
    // with its real policy in force (no bypassCSP).
    axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_TAGS,
  );
  await checkTables(page, label);
  const violations = results.violations;
  if (violations.length > 0) {
    const lines = violations.map((v) => {
      const target = v.nodes[0]?.target?.join(' ') ?? '(no node)';
      return `  - ${v.id} [${v.impact}] ${v.help} — first at: ${target} (${v.nodes.length} node(s)); ${v.helpUrl}`;
    });
    throw new Error(`accessibility violations on ${label} (${page.url()}):\n${lines.join('\n')}`);
  }
}

/**
 * Checks that every table's header cells sit over their own columns: the
 * centre of each header cell must fall inside the body cell of the same
 * column in every row (a table laid out by a stray flex rule passed axe
 * with its headers over the wrong columns). Tables whose header is hidden
 * (stacked on a phone) and rows with merged cells are skipped.
 */
export async function checkTables(page, label) {
  const problems = await page.evaluate(() => {
    const out = [];
    for (const table of document.querySelectorAll('table')) {
      const heads = [...table.querySelectorAll('thead tr:first-child > *')];
      if (heads.length === 0) continue;
      const hb = heads.map((h) => h.getBoundingClientRect());
      if (hb.some((b) => b.width === 0 || b.right < 0)) continue;
      for (const row of table.querySelectorAll('tbody tr')) {
        const cells = [...row.children];
        if (cells.length !== heads.length || cells.some((c) => c.colSpan > 1)) continue;
        cells.forEach((cell, i) => {
          const b = cell.getBoundingClientRect();
          const mid = (hb[i].left + hb[i].right) / 2;
          if (b.width > 0 && (mid < b.left - 1 || mid > b.right + 1)) {
            out.push(`column ${i + 1} "${heads[i].textContent.trim()}" is not over its cells (table ${table.className || table.id || ''})`);
          }
        });
      }
    }
    return [...new Set(out)];
  });
  if (problems.length > 0) {
    throw new Error(`tables out of line on ${label} (${page.url()}):\n  - ${problems.join('\n  - ')}`);
  }
}

/** Saves a full-page screenshot as artifacts/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Logs in through the login form (/masuk) with a demo account and waits for
 * the redirect away from the login page. `next` is where to go afterwards.
 */
export async function login(page, email, { password = DEMO_PASSWORD, next } = {}) {
  const target = next ? `/masuk?next=${encodeURIComponent(next)}` : '/masuk';
  await page.goto(url(target));
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('main form button[type=submit]');
  try {
    await page.waitForURL((u) => !u.pathname.startsWith('/masuk'), { timeout: 10_000 });
  } catch {
    const shown = (await page.locator('main').innerText().catch(() => '')).slice(0, 500);
    throw new Error(`login as ${email} did not redirect; still at ${page.url()}; the page says:\n${shown}`);
  }
}

/** Fails with the collected page and console errors, if any. */
export function assertNoPageProblems(page, label) {
  if (page.problems.length > 0) {
    throw new Error(`errors in the browser on ${label}:\n  ${page.problems.join('\n  ')}`);
  }
}

/**
 * Measures horizontal overflow: returns a description when the page is wider
 * than the viewport (content cut off, or sideways scrolling), naming a few of
 * the elements that stick out; null when it fits.
 */
export async function horizontalOverflow(page, width, label) {
  const { scrollWidth, wide } = await page.evaluate((w) => {
    const describe = (e) =>
      e.tagName.toLowerCase() +
      (e.id ? `#${e.id}` : '') +
      (typeof e.className === 'string' && e.className.trim() ? `.${e.className.trim().split(/\s+/).join('.')}` : '');
    const wide = [...document.body.querySelectorAll('*')]
      .filter((e) => e.getBoundingClientRect().right > w + 0.5)
      .filter((e) => !(e.parentElement && e.parentElement.getBoundingClientRect().right > w + 0.5))
      .slice(0, 6)
      .map((e) => `${e.parentElement ? describe(e.parentElement) + ' > ' : ''}${describe(e)} (right edge ${Math.round(e.getBoundingClientRect().right)}px)`);
    return { scrollWidth: document.documentElement.scrollWidth, wide };
  }, width);
  if (scrollWidth <= width) return null;
  return `${label} (${page.url()}): document scrollWidth ${scrollWidth} > ${width}; sticking out: ${wide.join('; ')}`;
}

/** A small PDF to upload, named `${name}.pdf`. */
export function pdf(name) {
  return {
    name: `${name}.pdf`,
    mimeType: 'application/pdf',
    buffer: Buffer.from(`%PDF-1.4\n1 0 obj<</Note (${name})>>endobj\n%%EOF\n`),
  };
}

/** Picks the demo village (Kefamenanu Tengah) level by level in a form's region picker. */
export async function pickVillage(page) {
  await page.getByLabel('Provinsi').selectOption({ label: 'Nusa Tenggara Timur' });
  await page.getByLabel('Kabupaten/kota').selectOption({ label: 'Kabupaten Timor Tengah Utara' });
  await page.getByLabel('Kecamatan').selectOption({ label: 'Kota Kefamenanu' });
  await page.getByLabel('Desa/kelurahan').selectOption({ label: 'Kefamenanu Tengah' });
}
