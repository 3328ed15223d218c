// One driver interface over three protocols, so the cross-engine tests are written once:
//   chromium  Debian's Chromium through playwright-core (CDP), as tests/browser/ does
//   firefox   Debian's Firefox ESR through puppeteer-core over WebDriver BiDi
//   webkit    WebKitGTK's MiniBrowser through WebKitWebDriver (classic W3C WebDriver) under Xvfb
//
//   const engine = await openEngine('webkit', { width: 1000, height: 800 });
//   await engine.goto(url);
//   const title = await engine.evaluate((arg) => document.title + arg, '!');
//   await engine.waitFor(() => window.done === true, null, { timeout: 30_000 });
//   await engine.strokes([[[10, 10], [50, 60]]], { pointer: 'mouse' });
//   const problems = await engine.errors();   // [] when the page reported nothing
//   await engine.close();
//
// Every engine object has:
//   name, version            e.g. 'firefox', 'Firefox 153.8.0esr'
//   touch                    true when strokes({pointer: 'touch'}) reaches the page as touch
//   consoleSeen              what of the console the protocol shows (see errors())
//   goto(url), reload()      navigate and wait for the load event
//   evaluate(fn, arg)        runs fn(arg) in the page (fn may be async); resolves to its
//                            JSON-serialisable result; a throw in the page rejects
//   waitFor(fn, arg, {timeout, interval})  polls evaluate until it returns something truthy
//   strokes(strokes, {pointer})            pointer input through the protocol's own actions:
//                            each stroke is [[x, y], ...] in CSS px of the viewport
//   setViewport({width, height})           the page's layout viewport (innerWidth/innerHeight)
//   errors()                 the page's errors since the last call: the probe's (server.mjs,
//                            probe.js: the same in every engine) and the protocol's own
//                            console errors (workers included) where the protocol shows them
//   close()
export const ENGINES = ['chromium', 'firefox', 'webkit'];

export async function openEngine(name, options = {}) {
  const adapters = {
    chromium: () => import('./chromium.mjs'),
    firefox: () => import('./firefox.mjs'),
    webkit: () => import('./webkit.mjs'),
  };
  if (!adapters[name]) throw new Error(`unknown engine '${name}'; known: ${ENGINES.join(', ')}`);
  const { open } = await adapters[name]();
  const engine = await open(options);
  return withCommon(engine);
}

// What every adapter gets on top of its own few methods.
function withCommon(engine) {
  engine.waitFor = async (fn, arg = null, { timeout = 30_000, interval = 100, message } = {}) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = await engine.evaluate(fn, arg);
      if (value) return value;
      if (Date.now() > deadline) {
        throw new Error(`${engine.name}: timed out after ${timeout} ms waiting for ${message ?? String(fn).slice(0, 160)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  };
  const protocolErrors = engine.protocolErrors;
  engine.errors = async () => {
    const fromPage = await engine.evaluate(() => window.__probe?.take() ?? ['the probe script is missing (not served by server.mjs?)']);
    return [...fromPage, ...protocolErrors.splice(0)];
  };
  return engine;
}

// Console errors that are the browser's, not the page's: a favicon the page never names.
export const isBrowserNoise = (text) => /favicon\.ico/.test(text);
