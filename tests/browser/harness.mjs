// Browser test harness: serves a folder (build/web by default) on a free port and opens it
// in Debian's Chromium through playwright-core. Playwright's own browser downloads are never
// used: the tests run on the Chromium that apt installs (scripts/setup.sh).
//
//   const { page, url, errors, close } = await openBrowser();
//   try { await page.goto(url); ...; assert.deepEqual(errors, []); } finally { await close(); }
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_ROOT = path.join(REPO, 'build/web');
export const SCREENSHOT_DIR = path.join(REPO, 'build/artifacts/screenshots');
export const CHROMIUM_PATH = '/usr/bin/chromium';
// Headless and quiet: no GPU (none on CI), no QUIC, and none of the background traffic
// (updates, sync, first-run pages) a fresh profile would otherwise start.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

// Starts the server and Chromium. Resolves to {browser, page, url, errors, server, close}.
// `errors` fills with every console error and uncaught exception of the page and its
// workers, as strings, so a test can end with assert.deepEqual(errors, []).
// Service workers are blocked unless asked for: the demo page registers one (sw.js), and a
// test's page.route() does not see what a service worker fetches. tests/browser/offline
// allows them.
export async function openBrowser({ root = WEB_ROOT, crossOriginIsolated = false, serviceWorkers = 'block' } = {}) {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing; install Debian's Chromium: apt-get install chromium`);
  }
  if (!fs.existsSync(root)) throw new Error(`${root} does not exist; run scripts/build-web.sh first`);
  const server = await startServer({ root, port: 0, crossOriginIsolated });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  } catch (err) {
    await server.close();
    throw err;
  }
  const page = await browser.newPage({ serviceWorkers });
  const errors = collectErrors(page);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await browser.close();
    await server.close();
  };
  return { browser, page, url: server.url, errors, server, close };
}

function collectErrors(page) {
  const errors = [];
  // The page's console also carries its workers' messages and their uncaught errors
  // (as 'pageerror'), so no listener on each worker is needed.
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    // Chromium asks for /favicon.ico by itself when the page names no icon; that 404 is
    // not the page's doing.
    if (new URL(url || 'about:blank').pathname === '/favicon.ico') return;
    errors.push(`console.error: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.stack ?? err.message}`));
  page.on('crash', () => errors.push('page crashed'));
  return errors;
}

// Saves a PNG (the full page, or with fullPage false what the screen shows) as
// build/artifacts/screenshots/<name>.png; returns its path.
export async function screenshot(page, name, { fullPage = true } = {}) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// axe-core's serious and critical violations on the page as it is now, one line each
// (rule, impact, up to three of the elements): the accessibility checks' one verdict.
export async function axeViolations(page) {
  if (!await page.evaluate(() => 'axe' in window)) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations.filter((v) => ['serious', 'critical'].includes(v.impact))
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}
