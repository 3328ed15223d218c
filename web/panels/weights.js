// Weights: what the first layer learns, and for a CNN what its filters see.
//   Dense first layer on 28x28 input: each unit's 784 weights as a 28x28 image, the units
//   grouped by the digit they push toward most (through the layers after them), so the
//   shapes of the digits show; they change as training runs.
//   Conv2D: every 3x3 filter, large, with its values on hover; and the feature maps of the
//   current digit (drawn, picked in the confusion panel, or the first test image).
// Each view is one canvas per layer, sized when the model changes and repainted in place.
import { formatNumber, legend, maxAbs, mosaicLayout, paintMosaic } from './pixels.js';
import { watchVisibility } from './visibility.js';

const PER_DIGIT = 10;   // units shown per digit row
const DENSE_WORDS = 'Red pixels raise the unit\'s output when inked, blue ones lower it. Hover a square for its values.';
const CONV_NOTE = 'Each square is a 3×3 filter, each colour its weight. First layer: one row of filters; second layer: one row per filter, a square per first-layer map it reads.';
const CONV_WORDS = 'Each layer is scaled to its own largest weight. Hover a square for its values.';
// names: the dataset's class names; Fashion-MNIST's rows keep their numbers, named here.
const denseNote = (name, names) => (names && names[1] !== '1'
  ? `Each square is one unit of ${name}: its weight for every pixel. Row k holds the units that push the answer toward class k most` +
    ` (${names.map((n, k) => `${k} ${n}`).join(', ')}), strongest first (up to ${PER_DIGIT} a row).`
  : `Each square is one unit of ${name}: its weight for every pixel. Row d holds the units that push the answer toward digit d most,` +
    ` strongest first (up to ${PER_DIGIT} a row).`);
const denseLayout = () => mosaicLayout({ tileW: 28, tileH: 28, count: 10 * PER_DIGIT, cols: PER_DIGIT, scale: 2, gap: 6, left: 30 });
// One row of filters for a first layer; one row per filter (a square per input channel) after.
const filterLayout = (kh, kw, channels, filters) =>
  mosaicLayout({ tileW: kw, tileH: kh, count: filters * channels, cols: channels === 1 ? filters : channels, scale: 10, gap: 4 });
const mapLayout = (h, w, channels) => mosaicLayout({ tileW: w, tileH: h, count: channels, cols: Math.min(channels, 8), scale: 2, gap: 4 });
const REFRESH_MS = 1000;
const GAP = [206, 212, 218];  // between maps: pale maps need an edge

export function createWeightsPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">What the network learns</h2>
    <p class="hint dt__weights-note"></p><div class="dt__weights"></div>
    <p class="dt__readout" aria-live="off"></p>
    <h3 class="dt__subtitle" hidden>Feature maps of the current digit</h3><div class="dt__maps"></div>`;
  const note = section.querySelector('.dt__weights-note');
  const box = section.querySelector('.dt__weights');
  const readout = section.querySelector('.dt__readout');
  const mapsTitle = section.querySelector('h3');
  const mapsBox = section.querySelector('.dt__maps');
  const key = legend(true);
  box.after(key.element);
  const { session } = ctx;
  let lastRefresh = 0;
  let pending = null;
  let firstTest = null;
  let views = { key: '', canvases: [] };   // the canvases of the current model's layout
  let maps = { key: '', canvases: [] };

  // Canvases for a layout key (the model's shapes): built once per model, reused after.
  // captions: one per canvas (a layer's name and what it shows), or none.
  function canvasesFor(holder, container, key, count, className, captions = []) {
    if (holder.key === key) return holder.canvases;
    holder.key = key;
    holder.canvases = Array.from({ length: count }, () => {
      const canvas = document.createElement('canvas');
      canvas.className = `dt__mosaic ${className}`;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', 'Drawn when this view is on screen');
      return canvas;
    });
    container.replaceChildren(...holder.canvases.map((canvas, i) => {
      if (!captions[i]) return canvas;
      const figure = document.createElement('figure');
      figure.className = 'dt__figure';
      const caption = document.createElement('figcaption');
      caption.textContent = captions[i];
      figure.append(caption, canvas);
      return figure;
    }));
    return holder.canvases;
  }

  const filterCanvases = (layers, shapes) => canvasesFor(views, box, `conv:${shapes.join(';')}`, shapes.length, 'dt__weights-filters',
    shapes.map(([kh, kw, c, f], i) => `${layers[i].name}: ${f} filters of ${kh}×${kw}${c > 1 ? `, each reading ${c} maps` : ''}`));
  const mapCanvases = (outputs) => canvasesFor(maps, mapsBox, outputs.map((o) => o.shape).join(';'), outputs.length, 'dt__maps-canvas',
    outputs.map((o) => `${o.name}: ${o.shape[2]} maps of ${o.shape[0]}×${o.shape[1]}`));

  // Sizes the canvases for a new model at once, on screen or not: they fill later (when
  // seen) without moving what is below them.
  function prepare(info) {
    const layers = info.layers.filter((l) => l.params > 0);
    if (!layers.length) return;
    const size = (canvas, layout) => Object.assign(canvas, { width: layout.width, height: layout.height });
    if (layers[0].className === 'Dense') {
      const [canvas] = canvasesFor(views, box, `dense:${layers[0].outputShape[0]}`, 1, 'dt__weights-dense');
      mapsTitle.hidden = true;
      mapsBox.replaceChildren();
      maps.key = '';
      note.textContent = denseNote(layers[0].name, ctx.classNames);
      key.set(null, DENSE_WORDS);
      return size(canvas, denseLayout());
    }
    const convs = info.layers.filter((l) => l.className === 'Conv2D');
    let channels = info.inputShape?.[2] ?? 1;
    // A Conv2D layer's weight count is (k·k·C + 1)·F: its square kernel follows.
    const shapes = convs.map((l) => {
      const filters = l.outputShape[2];
      const k = Math.round(Math.sqrt((l.params / filters - 1) / channels));
      const shape = [k, k, channels, filters];
      channels = filters;
      return shape;
    });
    filterCanvases(convs, shapes).forEach((canvas, i) => size(canvas, filterLayout(...shapes[i])));
    mapCanvases(convs.map((l) => ({ name: l.name, shape: l.outputShape }))).forEach((canvas, i) => size(canvas, mapLayout(...convs[i].outputShape)));
    mapsTitle.hidden = false;
    note.textContent = CONV_NOTE;
    key.set(null, CONV_WORDS);
  }

  const paramLayers = () => (session.model?.layers ?? []).filter((l) => l.params > 0);
  const convLayers = () => (session.model?.layers ?? []).filter((l) => l.className === 'Conv2D');

  async function showWeights() {
    const layers = paramLayers();
    if (!layers.length) return;
    if (layers[0].className === 'Conv2D') return showFilters();
    // Kernels are parameters 0, 2, 4…: each Dense layer holds a kernel and a bias.
    const kernels = await Promise.all(layers.map((_, i) => session.weights(2 * i)));
    const [inputs, units] = kernels[0].shape;
    if (kernels[0].shape.length !== 2 || inputs !== 784) {
      note.textContent = `The first layer's weights (${kernels[0].shape.join('×')}) are drawn for 28×28 inputs only.`;
      return box.replaceChildren();
    }
    const groups = groupByDigit(kernels);
    const shown = groups.flat().length;
    const name = kernels[0].name.split('/')[0];
    const layout = denseLayout();
    const [canvas] = canvasesFor(views, box, `dense:${units}`, 1, 'dt__weights-dense');
    const order = Array.from({ length: 10 * PER_DIGIT }, (_, t) => groups[Math.floor(t / PER_DIGIT)][t % PER_DIGIT] ?? -1);
    const value = (t, p) => (order[t] < 0 ? 0 : kernels[0].values[p * units + order[t]]);
    const max = maxAbs(kernels[0].values.length, (i) => kernels[0].values[i]);
    const c = paintMosaic(canvas, layout, value, { max, diverging: true });
    c.font = '600 22px system-ui, sans-serif';
    c.fillStyle = '#212529';
    c.textBaseline = 'middle';
    for (let d = 0; d < 10; d++) c.fillText(String(d), 4, d * layout.stepY + 28);
    note.textContent = denseNote(name, ctx.classNames);
    key.set(max, DENSE_WORDS);
    canvas.setAttribute('aria-label', `${name}: weights of ${shown} units as 28 by 28 images, one row per ${(ctx.classNames?.[1] ?? '1') === '1' ? 'digit' : 'class'} they favour; range ±${formatNumber(max)}`);
    hover(canvas, layout, (hit) => {
      const u = order[hit.tile];
      return u < 0 ? '' : `Unit ${u} (favours ${Math.floor(hit.tile / PER_DIGIT)}): weight of pixel (${hit.x}, ${hit.y}) = ${formatNumber(kernels[0].values[hit.index * units + u])}`;
    });
  }

  // HWIO kernels: value (ky, kx, c, f) at ((ky*KW + kx)*C + c)*F + f.
  async function showFilters() {
    const layers = convLayers();
    const kernels = await Promise.all(layers.map((_, i) => session.weights(2 * i)));
    const canvases = filterCanvases(layers, kernels.map((k) => k.shape));
    let max = 0;
    kernels.forEach((k) => (max = Math.max(max, maxAbs(k.values.length, (i) => k.values[i]))));
    kernels.forEach((k, i) => {
      const [kh, kw, channels, filters] = k.shape;
      const layout = filterLayout(kh, kw, channels, filters);
      const at = (t) => (channels === 1 ? { f: t, c: 0 } : { f: Math.floor(t / channels), c: t % channels });
      const value = (t, p) => { const { f, c } = at(t); return k.values[(p * channels + c) * filters + f]; };
      paintMosaic(canvases[i], layout, value, { max: maxAbs(k.values.length, (j) => k.values[j]), diverging: true });
      canvases[i].setAttribute('aria-label', `${layers[i].name}: ${filters} filters of ${kh}×${kw}×${channels}` +
        `${channels > 1 ? ', one row per filter, one square per input channel' : ''}`);
      hover(canvases[i], layout, (hit) => {
        const { f, c } = at(hit.tile);
        return `${layers[i].name} filter ${f}${channels > 1 ? `, input channel ${c}` : ''}, row ${hit.y} column ${hit.x}: ${formatNumber(value(hit.tile, hit.index))}`;
      });
    });
    note.textContent = CONV_NOTE;
    key.set(max, CONV_WORDS);
  }

  async function showFeatureMaps() {
    const layers = convLayers();
    mapsTitle.hidden = layers.length === 0;
    if (layers.length === 0 || !session.dataReady && !ctx.input) return mapsBox.replaceChildren();
    let input = ctx.input;
    if (!input) {
      firstTest ??= (await session.testImages({ start: 0, count: 1 })).images;
      input = firstTest;
    }
    const outputs = (await session.layerOutputs(input)).filter((o) => o.className === 'Conv2D');
    const canvases = mapCanvases(outputs);
    outputs.forEach((o, i) => {
      const [h, w, channels] = o.shape;
      const layout = mapLayout(h, w, channels);
      paintMosaic(canvases[i], layout, (t, p) => o.values[p * channels + t], { max: maxAbs(o.values.length, (j) => o.values[j]), background: GAP });
      canvases[i].setAttribute('aria-label', `${o.name}: ${channels} feature maps of ${h}×${w} (after ReLU) for the current digit; dark blue is strong`);
    });
  }

  // The value under the pointer (mouse, pen or a tap), in words under the view.
  function hover(canvas, layout, describe) {
    canvas.onpointermove = canvas.onpointerdown = (e) => {
      const r = canvas.getBoundingClientRect();
      const hit = layout.at((e.offsetX * canvas.width) / r.width, (e.offsetY * canvas.height) / r.height);
      readout.textContent = hit ? describe(hit) : '';
    };
  }

  // At most one refresh in flight, and during training at most one a second.
  let stale = true;
  function refresh({ throttle = false } = {}) {
    if (!seen.visible) return void (stale = true);
    stale = false;
    if (throttle && performance.now() - lastRefresh < REFRESH_MS) return;
    lastRefresh = performance.now();
    pending ??= Promise.all([showWeights(), showFeatureMaps()])
      .catch((e) => ctx.fail(`Could not draw the weights: ${e.message}`, 'weights'))
      .finally(() => { pending = null; });
  }

  ctx.events.addEventListener('model', (e) => prepare(e.detail.info));
  for (const type of ['model', 'trainend', 'data', 'input']) ctx.events.addEventListener(type, () => refresh());
  const seen = watchVisibility(section, (visible) => visible && stale && refresh());
  ctx.events.addEventListener('progress', () => refresh({ throttle: true }));
  return { dispose: seen.dispose };
}

// For each digit, the first-layer units that push toward it most, strongest first: each
// unit's influence on the ten outputs is the product of the kernels after it (biases and
// ReLUs aside: a linear reading, good enough to sort by).
export function groupByDigit(kernels) {
  const units = kernels[0].shape[1];
  let influence = null; // units × n, row-major
  let n = units;
  for (const k of kernels.slice(1)) {
    const [rows, cols] = k.shape;
    if (rows !== n) return [Array.from({ length: units }, (_, u) => u).slice(0, PER_DIGIT)];
    const next = new Float64Array(units * cols);
    for (let u = 0; u < units; u++) {
      for (let j = 0; j < rows; j++) {
        const a = influence ? influence[u * rows + j] : (u === j ? 1 : 0);
        if (a === 0) continue;
        for (let m = 0; m < cols; m++) next[u * cols + m] += a * k.values[j * cols + m];
      }
    }
    influence = next;
    n = cols;
  }
  const groups = Array.from({ length: 10 }, () => []);
  if (!influence || n !== 10) return groups.map((_, d) => (d === 0 ? Array.from({ length: Math.min(units, PER_DIGIT) }, (__, u) => u) : []));
  for (let u = 0; u < units; u++) {
    let best = 0;
    for (let d = 1; d < 10; d++) if (influence[u * 10 + d] > influence[u * 10 + best]) best = d;
    groups[best].push([u, influence[u * 10 + best]]);
  }
  return groups.map((g) => g.sort((a, b) => b[1] - a[1]).slice(0, PER_DIGIT).map(([u]) => u));
}
