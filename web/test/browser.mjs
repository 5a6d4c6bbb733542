// Browser test of `onehour serve`: starts the server on a free port, opens the page in headless
// Chromium (Debian's, driven by playwright-core), switches the compared scenario, clicks a
// centre, and checks that the matrix, the isochrone layer and the accessibility layer (with its
// legend) appear; saves a screenshot.
//
//   node web/test/browser.mjs [path/to/onehour] [output folder]
//
// Exits 0 on success, 1 with a message naming the step that failed.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const bin = resolve(process.argv[2] || 'target/release/onehour');
const out = resolve(process.argv[3] || 'target/browser-test');
const chrome = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(out, { recursive: true });

function startServer() {
  return new Promise((ok, fail) => {
    const p = spawn(bin, ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    const timer = setTimeout(() => fail(new Error('the server printed no URL within 60 s')), 60000);
    p.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/http:\/\/[^\s]+/);
      if (m) { clearTimeout(timer); ok({ proc: p, url: m[0] }); }
    });
    p.on('exit', (code) => fail(new Error(`the server exited (${code}) before printing its URL`)));
  });
}

const step = async (name, f) => {
  try { return await f(); } catch (e) { throw new Error(`${name}: ${e.message}`); }
};

const profile = mkdtempSync(join(tmpdir(), 'onehour-chromium-'));
let server, browser;
try {
  server = await step('start the server', startServer);
  // A fresh profile folder (playwright passes it as --user-data-dir).
  browser = await step('launch chromium', () => chromium.launchPersistentContext(profile, {
    executablePath: chrome,
    headless: true,
    viewport: { width: 1500, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--enable-unsafe-swiftshader'],
  }));
  const page = browser.pages()[0] || await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The page may fetch nothing but its own server: no CDN, no tiles.
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(server.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url()); });

  await step('open the page', () => page.goto(server.url, { waitUntil: 'load', timeout: 60000 }));
  await step('page ready', () => page.waitForSelector('body[data-ready=true]', { timeout: 60000 }));
  await step('matrix appears', () => page.waitForSelector('#matrix table.m td.ok, #matrix table.m td.bad', { timeout: 30000 }));

  await step('switch the compared scenario', async () => {
    await page.selectOption('#scenario-b', 'plan-2030');
    await page.waitForFunction(() => window.onehour.state.matrix?.compare?.scenario === 'plan-2030', null, { timeout: 60000 });
    await page.waitForSelector('#map-b canvas', { timeout: 30000 });
  });
  await step('click a centre', async () => {
    await page.click('#map-a .centre-marker[data-place=c_foshan]');
    await page.waitForSelector('body[data-isochrone=ready]', { timeout: 60000 });
  });
  const drawn = await step('isochrone layer drawn', () => page.waitForFunction(() => {
    const m = window.onehour.maps;
    const a = m.a.queryRenderedFeatures({ layers: ['iso-fill'] }).length;
    const b = m.b ? m.b.queryRenderedFeatures({ layers: ['iso-fill'] }).length : 0;
    return a > 0 && b > 0 ? { a, b } : null;
  }, null, { timeout: 30000 }).then((h) => h.jsonValue()));
  const access = await step('accessibility layer drawn', async () => {
    await page.check('#access-show');
    await page.waitForSelector('body[data-access=ready]', { timeout: 120000 });
    return page.waitForFunction(() => {
      const m = window.onehour.maps;
      const a = m.a.queryRenderedFeatures({ layers: ['access-fill'] }).length;
      const b = m.b ? m.b.queryRenderedFeatures({ layers: ['access-fill'] }).length : 0;
      const legend = document.querySelector('#legend').textContent.includes('people within');
      return a > 0 && b > 0 && legend ? { a, b } : null;
    }, null, { timeout: 30000 }).then((h) => h.jsonValue());
  });
  await step('route legs', async () => {
    await page.click('#matrix td[data-i="0"][data-j="2"]');
    await page.waitForSelector('#route table.legs', { timeout: 30000 });
  });
  await page.waitForTimeout(500);
  const shot = join(out, 'serve.png');
  await page.screenshot({ path: shot });
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  if (foreign.length) throw new Error(`the page fetched from elsewhere: ${foreign.join(', ')}`);
  const cells = await page.$$eval('#matrix td[data-i]', (t) => t.length);
  console.log(`browser test passed: matrix of ${cells} cells, isochrone features drawn ${drawn.a} / ${drawn.b}, accessibility cells ${access.a} / ${access.b}; screenshot ${shot}`);
} catch (e) {
  console.error(`browser test failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  if (server) server.proc.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
}
