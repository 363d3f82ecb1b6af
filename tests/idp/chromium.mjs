// The system browser for the window tests: Debian's Chromium, headless,
// driven by playwright-core through the test provider's login form, so that
// the redirect to http://localhost:PORT is resolved by a real browser.
// Handed to the app through BROWSER, it gets the authorization URL as its
// last argument.
//
// Environment: CELLS_TEST_LOGIN / CELLS_TEST_PASSWORD (default alice),
// CELLS_TEST_REPORT (a JSON report), CELLS_TEST_OPENED (our pid),
// CELLS_TEST_SCREENSHOT (a PNG of the browser's last page),
// CELLS_TEST_TRUST_SPKI (the base64 SHA-256 of a server key the user accepted
// when the browser warned about its certificate).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const url = process.argv.at(-1);
const env = process.env;
const report = { url, finalUrl: null, page: null, error: null };
if (env.CELLS_TEST_OPENED) fs.writeFileSync(env.CELLS_TEST_OPENED, String(process.pid));

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-chromium-'));
let browser;
const deadline = setTimeout(() => finish('the browser gave up after 60 s'), 60_000);

async function main() {
  // A fresh profile each time (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: env.CELLS_TEST_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--password-store=basic',
      ...(env.CELLS_TEST_TRUST_SPKI ? [`--ignore-certificate-errors-spki-list=${env.CELLS_TEST_TRUST_SPKI}`] : []),
    ],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(url);
  await page.fill('input[name=login]', env.CELLS_TEST_LOGIN || 'alice');
  await page.fill('input[name=password]', env.CELLS_TEST_PASSWORD || `${env.CELLS_TEST_LOGIN || 'alice'}-password`);
  await Promise.all([
    page.waitForURL(/^http:\/\/localhost:\d+\/servers\/callback/, { timeout: 30_000 }),
    page.click('button[value=login]'),
  ]);
  await page.waitForSelector('h1');
  report.finalUrl = new URL(page.url()).origin + new URL(page.url()).pathname;
  report.page = await page.textContent('body');
  if (env.CELLS_TEST_SCREENSHOT) await page.screenshot({ path: env.CELLS_TEST_SCREENSHOT });
}

async function finish(error) {
  clearTimeout(deadline);
  if (error) report.error = String(error);
  if (env.CELLS_TEST_REPORT) fs.writeFileSync(env.CELLS_TEST_REPORT, JSON.stringify(report, null, 2));
  await browser?.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(error ? 1 : 0);
}

main().then(() => finish(null), (err) => finish(err?.message || err));
