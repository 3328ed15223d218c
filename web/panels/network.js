// The network, drawn: the input digit, then each layer as a block with its output shape and
// weight count, then the ten outputs, as TensorFlow Playground draws its network. Every block
// shows what its layer outputs for the digit on the pad (or the first test digit): a Dense
// layer's units as a strip of cells, a Conv2D layer's feature maps, the output layer's ten
// probabilities. It follows training live (a few times a second, while on screen). Hovering,
// tapping or arrowing through the first layer's units shows a unit's incoming weights.
// Blocks are built once per model and repainted in place.
import { argmax } from '../heatmap.js';
import { formatNumber, legend, maxAbs, mosaicLayout, paintMosaic } from './pixels.js';
import { watchVisibility } from './visibility.js';

const REFRESH_MS = 400;
const CONV_WORDS = 'The filter slides over the image.';
const DENSE_WORDS = 'Ink on red pixels raises this unit, ink on blue lowers it.';
const CELL = 7;        // a Dense unit, in canvas pixels (CSS pixels too)
const COLS = 16;       // Dense units per row

export function createNetworkPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">The network, live</h2>
    <p class="hint"><span class="dt__net-what">What each layer outputs for the digit on the pad (until you draw, the first test digit)</span>: pale is 0, dark blue is the layer's
      strongest output. Point at, tap or arrow through the first layer's units to see what each one looks for.</p>
    <ol class="dt__net"></ol>
    <div class="dt__unit"><canvas class="dt__unit-canvas" width="112" height="112" role="img" aria-label="Incoming weights of the chosen unit"></canvas>
      <div><p class="dt__unit-text">Choose a unit of the first layer.</p></div></div>`;
  // Fashion-MNIST has no pad: the image is a picked test image (or the learner's photo).
  const what = section.querySelector('.dt__net-what');
  const say = () => {
    what.textContent = (ctx.classNames?.[1] ?? '1') === '1'
      ? 'What each layer outputs for the digit on the pad (until you draw, the first test digit)'
      : 'What each layer outputs for the image you picked (until you pick one, the first test image)';
  };
  say();
  ctx.events.addEventListener('dataset', say);
  const list = section.querySelector('.dt__net');
  const unitCanvas = section.querySelector('.dt__unit-canvas');
  const unitText = section.querySelector('.dt__unit-text');
  const key = legend(true);
  unitText.after(key.element);
  const { session } = ctx;
  // What a layer without weights does, in the block's caption.
  const WEIGHTLESS = {
    Flatten: 'the same numbers, in a row',
    MaxPooling2D: 'the largest number of each window',
    AveragePooling2D: 'the mean of each window',
    Dropout: 'while training, some numbers zeroed',
    ReLU: 'negative numbers set to 0',
    LeakyReLU: 'negative numbers made smaller',
  };
  let blocks = [];      // [{layer, canvas, layout, caption}] for the current model
  let modelKey = '';
  let shown = null;     // what was painted last: {input, layers}
  let unit = 0;
  let firstTest = null;
  let pending = null;
  let lastRefresh = 0;
  let stale = true;

  // One block per layer, plus the input; sized here once, so repaints move nothing.
  function build(info) {
    modelKey = JSON.stringify(info.layers);
    const input = block('Input', '28×28 pixels', 'input');
    input.layout = mosaicLayout({ tileW: 28, tileH: 28, count: 1, cols: 1, scale: 3 });
    sizeCanvas(input);
    blocks = [input];
    const last = info.layers.length - 1;
    info.layers.forEach((layer, i) => {
      const shape = layer.outputShape;
      const size = shape.join('×');
      const b = block(layer.className, layer.params === 0 ? `${size}: ${WEIGHTLESS[layer.className] ?? 'no weights'}` : `${size}${shape.length === 1 ? ' units' : ''} · ${layer.params.toLocaleString('en')} weights`, layer.name);
      b.layer = layer;
      if (i === last && shape.length === 1 && shape[0] === 10) {
        b.output = true;
        b.canvas.width = 120;
        b.canvas.height = 150;
        b.canvas.style.width = '120px';
        b.canvas.style.height = '150px';
      } else if (shape.length === 3) {
        // Feature maps: a convolution's, or what pooling and activations made of them.
        b.layout = mosaicLayout({ tileW: shape[1], tileH: shape[0], count: shape[2], cols: 4, gap: 2 });
        sizeCanvas(b);
      } else if (shape.length === 1 && layer.className !== 'Flatten') {
        b.layout = mosaicLayout({ tileW: 1, tileH: 1, count: shape[0], cols: Math.min(COLS, shape[0]), scale: CELL, gap: 1 });
        sizeCanvas(b);
      } else {
        b.canvas.remove(); // Flatten and the like only reshape: the numbers are the ones before
        b.canvas = null;
      }
      blocks.push(b);
    });
    list.replaceChildren(...blocks.map((b) => b.element));
    const first = blocks.find((b) => b.layer?.params > 0);
    if (first?.canvas && first.layout) {
      first.first = true;
      first.canvas.tabIndex = 0;
      first.canvas.classList.add('dt__net-pick');
      const pick = (e) => {
        const r = first.canvas.getBoundingClientRect();
        const hit = first.layout.at((e.offsetX * first.canvas.width) / r.width, (e.offsetY * first.canvas.height) / r.height);
        if (hit) choose(hit.tile);
      };
      first.canvas.addEventListener('pointermove', pick);
      first.canvas.addEventListener('pointerdown', pick);
      first.canvas.addEventListener('keydown', (e) => {
        const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -first.layout.cols, ArrowDown: first.layout.cols };
        if (!(e.key in moves)) return;
        e.preventDefault();
        choose(Math.min(first.layout.count - 1, Math.max(0, unit + moves[e.key])));
      });
    }
    unit = 0;
    // The texts take their room now: filled in later, they move nothing.
    if (first) {
      const conv = first.layer.className === 'Conv2D';
      describeUnit(first, 0, conv, conv ? 9 : 784, null);
      key.set(null, conv ? CONV_WORDS : DENSE_WORDS);
    }
  }

  function describeUnit(first, u, conv, inputs, now) {
    unitText.textContent = `${conv ? 'Filter' : 'Unit'} ${u} of ${first.layer.name}: its ${inputs} incoming weights` +
      `; its ${conv ? 'strongest ' : ''}output for this digit: ${now == null ? '…' : formatNumber(now)}.`;
  }

  function block(title, detail, name) {
    const element = document.createElement('li');
    element.className = 'dt__block';
    element.dataset.layer = name;
    element.innerHTML = '<canvas class="dt__block-canvas" role="img"></canvas><p class="dt__block-caption"><b></b><br><span></span></p>';
    element.querySelector('b').textContent = title;
    element.querySelector('canvas').setAttribute('aria-label', `${name}: drawn when a digit is shown`);
    element.querySelector('span').textContent = detail;
    return { element, canvas: element.querySelector('canvas'), caption: element.querySelector('span') };
  }

  function sizeCanvas(b) {
    const { width, height } = b.layout;
    b.canvas.width = width;
    b.canvas.height = height;
    // Small maps drawn at least ~100 CSS px wide, so a 26×26 map is still readable.
    const zoom = Math.max(1, Math.min(3, Math.floor(110 / width)));
    b.canvas.style.width = `${width * zoom}px`;
    b.canvas.style.height = `${height * zoom}px`;
  }

  async function show() {
    const info = session.model;
    if (!info) return;
    if (JSON.stringify(info.layers) !== modelKey) build(info);
    let input = ctx.input;
    if (!input) {
      if (!session.dataReady) return;
      firstTest ??= (await session.testImages({ start: 0, count: 1 })).images;
      input = firstTest;
    }
    const layers = await session.layerOutputs(input);
    if (layers.length !== blocks.length - 1) return; // the model changed meanwhile: the next refresh draws it
    shown = { input, layers };
    paintMosaic(blocks[0].canvas, blocks[0].layout, (_, i) => input[i], { max: 255 });
    blocks[0].canvas.setAttribute('aria-label', 'The input: the 28 by 28 digit the network reads');
    layers.forEach((out, i) => paintBlock(blocks[i + 1], out));
    await showUnit();
  }

  function paintBlock(b, out) {
    const n = out.values.length;
    const max = maxAbs(n, (i) => out.values[i]);
    if (b.output) {
      paintOutput(b.canvas, out.values);
      const top = argmax(out.values);
      b.canvas.setAttribute('aria-label', `Output: ${top} at ${(100 * out.values[top]).toFixed(1)}%`);
      return;
    }
    if (!b.canvas) return;
    if (out.shape.length === 3) {
      const channels = out.shape[2];
      paintMosaic(b.canvas, b.layout, (t, p) => out.values[p * channels + t], { max, background: [206, 212, 218] });
      b.canvas.setAttribute('aria-label', `${out.name}: ${channels} feature maps of ${out.shape[0]}×${out.shape[1]}; strongest output ${formatNumber(max)}`);
    } else {
      paintMosaic(b.canvas, b.layout, (t) => out.values[t], { max });
      let active = 0;
      for (let i = 0; i < n; i++) active += Number(out.values[i] > 0);
      b.canvas.setAttribute('aria-label', `${out.name}: ${active} of ${n} units active; strongest unit ${argmax(out.values)} (${formatNumber(max)})`);
    }
  }

  // The ten probabilities as bars, the winner in the accent colour.
  function paintOutput(canvas, probs) {
    const c = canvas.getContext('2d');
    const top = argmax(probs);
    c.clearRect(0, 0, canvas.width, canvas.height);
    c.font = '600 11px system-ui, sans-serif';
    c.textBaseline = 'middle';
    for (let d = 0; d < 10; d++) {
      const y = d * 15;
      c.fillStyle = '#212529';
      c.fillText(String(d), 2, y + 7);
      c.fillStyle = '#e9ecef';
      c.fillRect(14, y + 2, 70, 11);
      c.fillStyle = d === top ? '#1c7ed6' : '#868e96';
      c.fillRect(14, y + 2, Math.round(70 * Math.min(1, Math.max(0, probs[d]))), 11);
      c.fillStyle = '#212529';
      c.fillText(`${Math.round(100 * probs[d])}%`, 88, y + 7);
    }
  }

  function choose(u) {
    if (u === unit) return;
    unit = u;
    showUnit().catch(() => {});
  }

  // The chosen first-layer unit's incoming weights: 784 for a Dense unit (a 28×28 image),
  // 3×3 for a first convolution filter.
  async function showUnit() {
    const first = blocks.find((b) => b.first);
    if (!first) return;
    const k = await session.weights(0);
    const conv = k.shape.length === 4;
    const [w, h, units] = conv ? [k.shape[1], k.shape[0], k.shape[3]] : [28, 28, k.shape[1]];
    if (!conv && k.shape[0] !== 784) return;
    const u = Math.min(unit, units - 1);
    const value = (_, p) => (conv ? k.values[p * k.shape[2] * units + u] : k.values[p * units + u]);
    const max = maxAbs(w * h, (p) => value(0, p));
    paintMosaic(unitCanvas, mosaicLayout({ tileW: w, tileH: h, count: 1, cols: 1, scale: conv ? 30 : 4 }), value, { max, diverging: true });
    const output = shown?.layers[blocks.indexOf(first) - 1];
    const now = output ? (conv ? maxAbs(output.shape[0] * output.shape[1], (p) => output.values[p * units + u]) : output.values[u]) : null;
    describeUnit(first, u, conv, w * h, now);
    key.set(max, conv ? CONV_WORDS : DENSE_WORDS);
    unitCanvas.setAttribute('aria-label', `Incoming weights of ${conv ? 'filter' : 'unit'} ${u}, from −${formatNumber(max)} (blue) to +${formatNumber(max)} (red)`);
    const label = first.canvas.getAttribute('aria-label')?.split('. ')[0] ?? first.layer.name;
    first.canvas.setAttribute('aria-label', `${label}. ${conv ? 'Filter' : 'Unit'} ${u} chosen; the arrow keys choose another.`);
  }

  function refresh({ throttle = false } = {}) {
    if (!seen.visible) return void (stale = true);
    if (throttle && performance.now() - lastRefresh < REFRESH_MS) return;
    stale = false;
    lastRefresh = performance.now();
    if (pending) return void (stale = true);
    pending = show()
      .catch((e) => ctx.fail(`Could not draw the network: ${e.message}`, 'network'))
      .finally(() => {
        pending = null;
        if (stale && seen.visible) refresh();
      });
  }

  // The blocks take their size when the model comes, on screen or not.
  ctx.events.addEventListener('model', (e) => { if (JSON.stringify(e.detail.info.layers) !== modelKey) build(e.detail.info); });
  for (const type of ['model', 'trainend', 'data', 'input']) ctx.events.addEventListener(type, () => refresh());
  ctx.events.addEventListener('progress', () => refresh({ throttle: true }));
  const seen = watchVisibility(section, (visible) => visible && stale && refresh());
  return {
    dispose: seen.dispose,
    // What the blocks show: the input and every layer's output, as layerOutputs gave them.
    get shown() { return shown; },
    blocks: () => blocks.map((b) => ({ name: b.element.dataset.layer, caption: b.element.textContent })),
  };
}
