import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
for (const [w, h, name] of [[360, 800, 'phone'], [1280, 900, 'desktop']]) {
  const p = await b.newPage({ viewport: { width: w, height: h } });
  await p.goto('http://127.0.0.1:18080/masuk?next=/m/ttu/admin/layanan/PBG/permohonan');
  await p.fill('#email', 'admin@demo.mpp.id'); await p.fill('#password', 'mpp-demo-2026');
  await p.click('button[type=submit]');
  await p.waitForSelector('#steps');
  await p.screenshot({ path: `/tmp/setup-top-${name}.png` });
  await p.locator('#step-2').scrollIntoViewIfNeeded();
  await p.screenshot({ path: `/tmp/setup-step-${name}.png` });
  await p.locator('#fees').scrollIntoViewIfNeeded();
  await p.screenshot({ path: `/tmp/setup-fees-${name}.png` });
}
await b.close();
