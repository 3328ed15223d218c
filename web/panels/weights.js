// Weights: what the first layer learns, and for a CNN what its filters see.
//   Dense first layer on 28x28 input: each unit's 784 weights as a 28x28 image (T1 shows
//   them before training; here they change as training runs).
//   Conv2D: the 16 + 8 filters, and the feature maps of the current digit (drawn, picked in
//   the confusion panel, or the first test image).
import { paintValues, tile, figureOf } from './pixels.js';
import { watchVisibility } from './visibility.js';

const MAX_UNITS = 64;
const REFRESH_MS = 1000;

export function createWeightsPanel(section, ctx) {
  section.innerHTML = `<h2 class="dt__title">What the network learns</h2>
    <p class="hint dt__weights-note"></p><div class="dt__weights"></div>
    <h3 class="dt__subtitle" hidden>Feature maps of the current digit</h3><div class="dt__maps"></div>`;
  const note = section.querySelector('.dt__weights-note');
  const box = section.querySelector('.dt__weights');
  const mapsTitle = section.querySelector('h3');
  const mapsBox = section.querySelector('.dt__maps');
  const { session } = ctx;
  let lastRefresh = 0;
  let pending = null;
  let firstTest = null;

  const convLayers = () => (session.model?.layers ?? []).filter((l) => l.className === 'Conv2D');

  async function showWeights() {
    const info = session.model;
    if (!info) return;
    const first = info.layers.find((l) => l.params > 0);
    if (first?.className === 'Conv2D') return showFilters();
    const kernel = await session.weights(0);
    const [inputs, units] = kernel.shape;
    if (kernel.shape.length !== 2 || inputs !== 784) {
      note.textContent = `The first layer's weights (${kernel.shape.join('×')}) are drawn for 28×28 inputs only.`;
      return box.replaceChildren();
    }
    const shown = Math.min(units, MAX_UNITS);
    note.textContent = `Each image is one unit of ${kernel.name.split('/')[0]}: its weight for every pixel (red positive, blue negative)` +
      `${shown < units ? `; the first ${shown} of ${units} units` : ''}.`;
    // Repainted in place while training: new canvases each second would mean layout work.
    if (box.childElementCount !== shown || box.firstElementChild?.localName !== 'canvas') {
      box.replaceChildren(...Array.from({ length: shown }, () => document.createElement('canvas')));
    }
    [...box.children].forEach((canvas, u) =>
      paintValues(canvas, 28, 28, (p) => kernel.values[p * units + u], { diverging: true, label: `Weights of unit ${u}` }));
  }

  // HWIO kernels: value (ky, kx, c, f) at ((ky*KW + kx)*C + c)*F + f.
  async function showFilters() {
    const layers = convLayers();
    const kernels = await Promise.all(layers.map((_, i) => session.weights(2 * i)));
    note.textContent = 'Each square is a 3×3 filter (red positive, blue negative); a second-layer filter has one square per input channel.';
    box.replaceChildren(...kernels.map((k, i) => {
      const [kh, kw, channels, filters] = k.shape;
      const row = document.createElement('div');
      row.className = 'dt__filters';
      for (let f = 0; f < filters; f++) {
        const group = document.createElement('div');
        group.className = 'dt__filter';
        for (let c = 0; c < channels; c++) {
          group.append(tile(kw, kh, (p) => k.values[(p * channels + c) * filters + f], { diverging: true, label: `${layers[i].name} filter ${f}, input channel ${c}` }));
        }
        row.append(figureOf(group, `${f}`));
      }
      return figureOf(row, `${layers[i].name}: ${filters} filters of ${kh}×${kw}×${channels}`);
    }));
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
    mapsBox.replaceChildren(...outputs.map((o) => {
      const [h, w, channels] = o.shape;
      const row = document.createElement('div');
      row.className = 'dt__filters';
      for (let c = 0; c < channels; c++) {
        row.append(figureOf(tile(w, h, (p) => o.values[p * channels + c], { label: `${o.name} feature map ${c}` }), `${c}`));
      }
      return figureOf(row, `${o.name}: ${channels} maps of ${h}×${w} (after ReLU)`);
    }));
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

  for (const type of ['model', 'trainend', 'data', 'input']) ctx.events.addEventListener(type, () => refresh());
  const seen = watchVisibility(section, (visible) => visible && stale && refresh());
  ctx.events.addEventListener('progress', () => refresh({ throttle: true }));
  return { dispose: seen.dispose };
}
