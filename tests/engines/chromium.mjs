// The Chromium adapter (driver.mjs): Debian's Chromium, headless, through playwright-core
// with the browser tests' flags (tests/browser/harness.mjs). Touch: CDP's
// Input.dispatchTouchEvent in a context that has touch.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../browser/harness.mjs';
import { isBrowserNoise } from './driver.mjs';

// options: width, height, touch (a touch screen: pointer 'touch' strokes, 'ontouchstart'),
// args (more Chromium flags, e.g. a --js-flags that turns a feature off).
export async function open({ width = 1000, height = 800, touch = false, args = [] } = {}) {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing; apt-get install chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...args] });
  const context = await browser.newContext({ viewport: { width, height }, hasTouch: touch });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const protocolErrors = [];
  // The page's console carries its workers' messages too.
  page.on('console', (m) => {
    if (m.type() === 'error' && !isBrowserNoise(`${m.text()} ${m.location().url}`)) protocolErrors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => protocolErrors.push(`pageerror: ${e.message}`));
  page.on('crash', () => protocolErrors.push('page crashed'));
  return {
    name: 'chromium',
    version: `Chromium ${browser.version()}`,
    touch,
    consoleSeen: 'everything: the page\'s and its workers\' console and uncaught errors (CDP)',
    protocolErrors,
    page,
    goto: (url) => page.goto(url, { waitUntil: 'load' }).then(() => {}),
    reload: () => page.reload({ waitUntil: 'load' }).then(() => {}),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    async strokes(strokes, { pointer = 'mouse' } = {}) {
      for (const stroke of strokes) {
        if (pointer === 'touch') {
          if (!touch) throw new Error('chromium: open the engine with touch: true for touch strokes');
          const at = ([x, y]) => [{ x, y, id: 1 }];
          await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(stroke[0]) });
          for (const p of stroke.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
          await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
        } else {
          await page.mouse.move(...stroke[0]);
          await page.mouse.down();
          for (const p of stroke.slice(1)) await page.mouse.move(...p);
          await page.mouse.up();
        }
      }
    },
    setViewport: ({ width: w, height: h }) => page.setViewportSize({ width: w, height: h }),
    close: () => browser.close(),
  };
}
