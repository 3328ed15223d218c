// A 28x28 digit drawn large (optionally with each pixel's value written in it, like the
// annotated heat map of tutorial T1), and a model's ten class probabilities as bars.

// Draws pixels784 (uint8, 0 = background) as grey squares: 0 black, 255 white.
// cellSize is in CSS pixels; annotated cells need room for "255". The canvas gets its CSS
// size set and a backing store at devicePixelRatio.
/**
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} pixels784
 * @param {{annotate?: boolean, cellSize?: number, label?: string}} [options]
 */
export function renderDigit(canvas, pixels784, {annotate = false, cellSize = annotate ? 22 : 10, label} = {}) {
  if (!pixels784 || pixels784.length !== 784) {
    throw new RangeError(`renderDigit: expected 784 pixels, got ${pixels784?.length}`);
  }
  const dpr = globalThis.devicePixelRatio || 1;
  const side = 28 * cellSize;
  canvas.width = canvas.height = Math.round(side * dpr);
  canvas.style.width = canvas.style.height = `${side}px`;
  canvas.classList.add('digit-heatmap');
  if (!canvas.hasAttribute('role')) canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label ?? (annotate ? '28 by 28 digit image with pixel values' : '28 by 28 digit image'));

  const ctx = canvas.getContext('2d');
  // One 28x28 image scaled up without smoothing: 784 fillRect calls per digit add up to
  // long main-thread tasks when a gallery of digits is drawn.
  const small = smallCanvas(canvas.ownerDocument);
  const image = small.getContext('2d').createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = pixels784[i];
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  small.getContext('2d').putImageData(image, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  if (!annotate) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.font = `${Math.max(6, Math.floor(cellSize * 0.42))}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = pixels784[28 * y + x];
      ctx.fillStyle = v < 128 ? '#fff' : '#000';   // white on dark, black on light
      ctx.fillText(String(v), (x + 0.5) * cellSize, (y + 0.5) * cellSize);
    }
  }
}

let scratch = null;
function smallCanvas(doc) {
  if (!scratch) {
    scratch = doc.createElement('canvas');
    scratch.width = scratch.height = 28;
  }
  return scratch;
}

// The index of the largest value (the first, on a tie): the predicted digit.
export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

// Ten bars (digits 0-9) with their probability; the most likely digit is highlighted.
// label (optional): the true digit, marked on its row; a wrong guess gets `is-wrong`.
// names (optional): the ten class names (Fashion-MNIST's) instead of the digits.
// Re-rendering into the same container updates the rows in place.
/**
 * @param {HTMLElement} container
 * @param {ArrayLike<number>} probs10
 * @param {{label?: number, names?: readonly string[]}} [options]
 * @returns {number} the most likely class
 */
export function renderProbabilities(container, probs10, {label, names} = {}) {
  if (!probs10 || probs10.length !== 10) {
    throw new RangeError(`renderProbabilities: expected 10 probabilities, got ${probs10?.length}`);
  }
  const doc = container.ownerDocument;
  let list = /** @type {HTMLOListElement | null} */ (container.querySelector(':scope > ol.digit-probs'));
  if (!list) {
    container.replaceChildren();
    list = doc.createElement('ol');
    list.className = 'digit-probs';
    list.start = 0;
    for (let d = 0; d < 10; d++) {
      const row = doc.createElement('li');
      row.className = 'digit-probs__row';
      row.innerHTML = '<span class="digit-probs__digit"></span>' +
        '<span class="digit-probs__bar" aria-hidden="true"><span class="digit-probs__fill"></span></span>' +
        '<span class="digit-probs__value"></span>';
      row.querySelector('.digit-probs__digit').textContent = String(d);
      list.append(row);
    }
    const summary = doc.createElement('p');
    summary.className = 'digit-probs__summary';
    summary.setAttribute('aria-live', 'polite');
    container.append(summary, list);
  }

  const named = Boolean(names) && names[1] !== '1';
  const nameOf = (d) => (names ? names[d] : String(d));
  list.classList.toggle('digit-probs--named', named);
  [...list.children].forEach((row, d) => { row.querySelector('.digit-probs__digit').textContent = nameOf(d); });
  const top = argmax(probs10);
  const hasLabel = Number.isInteger(label) && label >= 0 && label <= 9;
  list.setAttribute('aria-label', named ? 'Probability of each class' : 'Probability of each digit');
  list.classList.toggle('is-wrong', hasLabel && label !== top);

  [...list.children].forEach((row, d) => {
    const p = Number.isFinite(probs10[d]) ? Math.min(1, Math.max(0, probs10[d])) : 0;
    const percent = `${(100 * p).toFixed(1)}%`;
    /** @type {HTMLElement} */ (row.querySelector('.digit-probs__fill')).style.width = `${100 * p}%`;
    row.querySelector('.digit-probs__value').textContent = percent;
    row.classList.toggle('is-top', d === top);
    row.classList.toggle('is-label', hasLabel && d === label);
    row.setAttribute('aria-label', `${nameOf(d)}: ${percent}${d === top ? ', most likely' : ''}${hasLabel && d === label ? ', true label' : ''}`);
  });

  const summary = container.querySelector(':scope > .digit-probs__summary');
  const confidence = `${(100 * probs10[top]).toFixed(1)}%`;
  summary.textContent = hasLabel
    ? `Predicted ${nameOf(top)} (${confidence}), actual ${nameOf(label)}${label === top ? '' : ': wrong'}`
    : `Predicted ${nameOf(top)} (${confidence})`;
  return top;
}
