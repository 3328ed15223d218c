// Injected as the first script of every page the cross-engine suite opens (server.mjs):
// records what went wrong in the page, the same way in every engine. The test reads and
// empties the list with window.__probe.take(). It sees the page's uncaught errors, rejected
// promises, console.error calls, CSP violations and its workers' uncaught errors (their
// 'error' event on the Worker object); it cannot see a worker's console.error, which only
// the protocol shows (Chromium's CDP and Firefox's BiDi do; WebKit's WebDriver does not).
(() => {
  const seen = [];
  const text = (value) => (value && value.message !== undefined ? `${value.name}: ${value.message}` : String(value));
  addEventListener('error', (e) => seen.push(`uncaught: ${e.message} (${e.filename}:${e.lineno})`));
  addEventListener('unhandledrejection', (e) => seen.push(`unhandled rejection: ${text(e.reason)}`));
  document.addEventListener('securitypolicyviolation', (e) => seen.push(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    seen.push(`console.error: ${args.map(text).join(' ')}`);
    consoleError(...args);
  };
  const NativeWorker = window.Worker;
  if (NativeWorker) {
    window.Worker = class extends NativeWorker {
      constructor(...args) {
        super(...args);
        this.addEventListener('error', (e) => seen.push(`worker uncaught: ${e.message ?? 'error'}`));
      }
    };
  }
  // Console lines a page prints for its driver (the bench's 'BENCHJSON ...'), for engines
  // whose protocol cannot read the console.
  const logs = [];
  const consoleLog = console.log.bind(console);
  console.log = (...args) => {
    logs.push(args.map(String).join(' '));
    consoleLog(...args);
  };
  window.__probe = {
    take: () => seen.splice(0),
    takeLogs: () => logs.splice(0),
  };
})();
