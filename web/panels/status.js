// The part of a widget that is always there: the MNIST download (progress, Retry), the
// message line (a polite live region: epoch results are announced), and the list of bad
// attributes, if any.
export function showMessage(element, text, kind = '') {
  element.textContent = text;
  element.className = `message ${kind}`.trim();
}

export const formatSeconds = (s) => (s == null || !Number.isFinite(s) ? '–'
  : s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

const megabytes = (n) => (n / 1e6).toFixed(1);

export function buildStatus() {
  let title = 'MNIST'; // the dataset's, setDataset() changes it
  const element = document.createElement('div');
  element.className = 'dt__status';
  element.innerHTML = `
    <ul class="dt__attribute-errors message error" role="alert" hidden></ul>
    <div class="progress-row">
      <progress class="dt__data-progress" max="1" value="0" aria-label="MNIST download"></progress>
      <span class="dt__data-status" id="data-status" role="status">Preparing…</span>
      <button class="dt__data-retry" id="data-retry" type="button" hidden>Retry</button>
    </div>
    <p class="message dt__message" id="train-message" role="status" aria-live="polite"></p>`;
  const errors = /** @type {HTMLUListElement} */ (element.querySelector('.dt__attribute-errors'));
  const progress = element.querySelector('progress');
  const text = /** @type {HTMLSpanElement} */ (element.querySelector('.dt__data-status'));
  const retry = /** @type {HTMLButtonElement} */ (element.querySelector('.dt__data-retry'));
  const addError = (message) => {
    const item = document.createElement('li');
    item.textContent = `Digitrain: ${message}`;
    errors.append(item);
    errors.hidden = false;
  };
  return {
    element,
    retry,
    message: element.querySelector('.dt__message'),
    setAttributeErrors(messages) {
      errors.replaceChildren();
      errors.hidden = true;
      messages.forEach(addError);
    },
    addAttributeError: addError,
    setDataset(name) {
      title = name;
      progress.setAttribute('aria-label', `${title} download`);
    },
    dataLoading() {
      retry.hidden = true;
      text.classList.remove('error');
      text.textContent = `Downloading ${title}…`;
      element.classList.remove('dt__status--ready');
    },
    dataProgress({ loaded, total }) {
      if (!total) return void (text.textContent = `Downloading ${title}… ${megabytes(loaded)} MB`);
      progress.max = total;
      progress.value = loaded;
      text.textContent = `Downloading ${title}… ${megabytes(loaded)} of ${megabytes(total)} MB (${Math.round((100 * loaded) / total)} %)`;
    },
    dataReady(loaded) {
      progress.max = 1;
      progress.value = 1;
      const source = loaded.fromCache ? 'from this browser\'s cache' : `downloaded ${megabytes(loaded.bytesTransferred)} MB`;
      text.textContent = `${title} ready: ${loaded.trainCount.toLocaleString('en')} training and ${loaded.testCount.toLocaleString('en')} test images (${source}).`;
      if (loaded.cacheError) text.textContent += ` Not cached: ${loaded.cacheError}.`;
      element.classList.add('dt__status--ready');
    },
    dataFailed(message) {
      text.textContent = `${title} could not be loaded: ${message}`;
      text.classList.add('error');
      retry.hidden = false;
    },
  };
}
