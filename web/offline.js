// Registers sw.js (the demo page's offline copy) and tells the learner when a newer version
// has arrived: "Digitrain was updated — reload". The widget never calls this on its own; a
// page that owns its scope does (app.js, frame.js).
export function registerOffline({ swUrl = './sw.js', onUpdate = showUpdateNote } = {}) {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return Promise.resolve(null);
  return navigator.serviceWorker.register(swUrl).then((registration) => {
    // (Automation that blocks service workers resolves with nothing.)
    if (!registration) return null;
    // A worker already waiting (installed on an earlier visit), or one installing now while
    // an older one controls the page: a new version is ready.
    const announce = (worker) => worker && navigator.serviceWorker.controller && onUpdate(() => {
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
      worker.postMessage('skipWaiting');
    });
    if (registration.waiting) announce(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => { if (worker.state === 'installed') announce(worker); });
    });
    return registration;
  }, (error) => {
    console.warn(`Digitrain: no offline copy (${error.message})`);
    return null;
  });
}

// A small bar at the foot of the page; Reload switches to the new version.
function showUpdateNote(reload) {
  if (document.getElementById('digitrain-update')) return;
  const note = document.createElement('div');
  note.id = 'digitrain-update';
  note.className = 'update-note';
  // Set through the CSSOM, which a strict Content-Security-Policy allows (a style attribute it would not).
  Object.assign(note.style, { position: 'fixed', insetInline: '0', bottom: '0', padding: '0.75rem 1rem', zIndex: '10',
    background: '#1f2937', color: '#fff', font: 'inherit', textAlign: 'center' });
  note.setAttribute('role', 'status');
  note.textContent = 'Digitrain was updated. Your trained model is kept. ';
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Reload';
  button.addEventListener('click', reload);
  note.append(button);
  document.body.append(note);
}
