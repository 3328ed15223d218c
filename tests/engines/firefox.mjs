// The Firefox adapter (driver.mjs): Debian's Firefox ESR, headless, through puppeteer-core
// over WebDriver BiDi (puppeteer's CDP path for Firefox is gone). Prefs go into the fresh
// profile puppeteer makes, so a test can turn a feature off (javascript.options.wasm).
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';
import { isBrowserNoise } from './driver.mjs';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';

// options: width, height, touch (strokes with pointer 'touch' as BiDi touch actions),
// prefs (Firefox preferences for this profile).
export async function open({ width = 1000, height = 800, touch = false, prefs = {} } = {}) {
  if (!fs.existsSync(FIREFOX_PATH)) throw new Error(`${FIREFOX_PATH} is missing; apt-get install firefox-esr`);
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_PATH, protocol: 'webDriverBiDi',
    headless: true, extraPrefsFirefox: prefs, defaultViewport: { width, height, hasTouch: touch } });
  const page = (await browser.pages())[0] ?? await browser.newPage();
  await page.setViewport({ width, height, hasTouch: touch });
  const protocolErrors = [];
  // BiDi's log.entryAdded reaches puppeteer for the page and its dedicated workers.
  page.on('console', (m) => {
    if (m.type() === 'error' && !isBrowserNoise(m.text())) protocolErrors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => protocolErrors.push(`pageerror: ${e.message}`));
  return {
    name: 'firefox',
    version: `Firefox ${(await browser.version()).replace(/^firefox\//, '')}`,
    touch,
    consoleSeen: 'the page\'s and its workers\' console and uncaught errors (BiDi log.entryAdded)',
    protocolErrors,
    page,
    goto: (url) => page.goto(url, { waitUntil: 'load', timeout: 120_000 }).then(() => {}),
    reload: () => page.reload({ waitUntil: 'load', timeout: 120_000 }).then(() => {}),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    async strokes(strokes, { pointer = 'mouse' } = {}) {
      for (const stroke of strokes) {
        if (pointer === 'touch') {
          const handle = await page.touchscreen.touchStart(...stroke[0]);
          for (const p of stroke.slice(1)) await handle.move(...p);
          await handle.end();
        } else {
          await page.mouse.move(...stroke[0]);
          await page.mouse.down();
          for (const p of stroke.slice(1)) await page.mouse.move(...p);
          await page.mouse.up();
        }
      }
    },
    setViewport: ({ width: w, height: h }) => page.setViewport({ width: w, height: h, hasTouch: touch }),
    close: () => browser.close(),
  };
}
