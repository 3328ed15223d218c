// <digit-pad>: draw a digit with mouse, pen or finger; white ink on black, like MNIST.
//
// Attributes in:
//   ink-size  side of the square ink image sent out (default 112)
//   label     accessible name of the drawing surface
// Events out (bubbling CustomEvents):
//   ink    {detail: {ink: Float32Array(inkSize*inkSize), width, height}}  1 = ink, 0 = paper;
//          at most once per animation frame while drawing, and once when a stroke ends.
//          The WASM core turns it into MNIST's 28x28 layout (preprocessDigit).
//   clear  the pad was emptied (Clear button, Escape or Delete on the focused pad, clear()).
// Methods: clear(), drawImage28(pixels784), readInk() -> the detail of an ink event.
//
// No Shadow DOM: the children carry `digit-pad__*` classes styled in styles.css. The element
// listens only on its own children and never touches the rest of the document.

const DEFAULT_INK_SIZE = 112;
const DEFAULT_LABEL = 'Drawing pad: draw a digit from 0 to 9. Escape or Delete clears it.';
// MNIST strokes are about 2-3 px wide in a 20 px box: a twelfth of the pad, once the
// core fits the drawing into that box.
const STROKE_FRACTION = 1 / 12;

export class DigitPad extends HTMLElement {
  static get observedAttributes() { return ['label']; }

  #canvas = null;
  #context = null;
  #stroke = null;        // {pointerId, points: [{x, y}]} in backing-store pixels
  #frame = 0;
  #empty = true;
  #resizeObserver = null;
  #inkCanvas = null;     // reused by readInk()

  connectedCallback() {
    if (!this.#canvas) this.#build();
    this.#resizeObserver = new ResizeObserver(() => this.#fitBackingStore());
    this.#resizeObserver.observe(this.#canvas);
    this.#fitBackingStore();
  }

  disconnectedCallback() {
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  attributeChangedCallback(name, _old, value) {
    if (name === 'label' && this.#canvas) this.#canvas.setAttribute('aria-label', value || DEFAULT_LABEL);
  }

  get inkSize() {
    const n = Number.parseInt(this.getAttribute('ink-size') ?? '', 10);
    return Number.isFinite(n) && n >= 28 && n <= 1024 ? n : DEFAULT_INK_SIZE;
  }

  get empty() { return this.#empty; }

  clear() {
    this.#cancelStroke();
    this.#paintBackground();
    this.#empty = true;
    this.dispatchEvent(new CustomEvent('clear', {bubbles: true}));
  }

  // Paints a 28x28 uint8 image (MNIST layout, 0 = background) over the whole pad, scaled
  // up smoothly, then sends its ink as if it had been drawn.
  drawImage28(pixels) {
    if (!pixels || pixels.length !== 784) throw new RangeError(`drawImage28: expected 784 pixels, got ${pixels?.length}`);
    this.#cancelStroke();
    const small = document.createElement('canvas');
    small.width = small.height = 28;
    const smallContext = small.getContext('2d');
    const image = smallContext.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = pixels[i];
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
      image.data[4 * i + 3] = 255;
    }
    smallContext.putImageData(image, 0, 0);
    const ctx = this.#context;
    this.#paintBackground();
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(small, 0, 0, this.#canvas.width, this.#canvas.height);
    this.#empty = false;
    this.#emitInk();
  }

  // The pad downsampled to inkSize x inkSize: max of the RGB channels / 255.
  readInk() {
    const size = this.inkSize;
    if (!this.#inkCanvas) this.#inkCanvas = document.createElement('canvas');
    const small = this.#inkCanvas;
    if (small.width !== size) small.width = small.height = size;
    const ctx = small.getContext('2d', {willReadFrequently: true});
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, size, size);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(this.#canvas, 0, 0, size, size);
    const rgba = ctx.getImageData(0, 0, size, size).data;
    const ink = new Float32Array(size * size);
    for (let i = 0; i < ink.length; i++) {
      ink[i] = Math.max(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]) / 255;
    }
    return {ink, width: size, height: size};
  }

  #build() {
    const canvas = document.createElement('canvas');
    canvas.className = 'digit-pad__canvas';
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', this.getAttribute('label') || DEFAULT_LABEL);
    canvas.width = canvas.height = 280;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'digit-pad__clear';
    button.textContent = 'Clear';
    this.append(canvas, button);
    this.#canvas = canvas;
    this.#context = canvas.getContext('2d');
    this.#paintBackground();

    canvas.addEventListener('pointerdown', (e) => this.#onDown(e));
    canvas.addEventListener('pointermove', (e) => this.#onMove(e));
    canvas.addEventListener('pointerup', (e) => this.#onUp(e));
    canvas.addEventListener('pointercancel', (e) => this.#onUp(e));
    canvas.addEventListener('lostpointercapture', (e) => this.#onUp(e));
    canvas.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' || e.key === 'Delete') {
        e.preventDefault();
        this.clear();
      }
    });
    button.addEventListener('click', () => this.clear());
  }

  // Backing store = CSS size x devicePixelRatio; the drawing so far is scaled over.
  #fitBackingStore() {
    const canvas = this.#canvas;
    const cssSize = canvas.clientWidth;
    if (!cssSize) return;
    const side = Math.round(cssSize * (window.devicePixelRatio || 1));
    if (side === canvas.width && side === canvas.height) return;
    const old = document.createElement('canvas');
    old.width = canvas.width;
    old.height = canvas.height;
    old.getContext('2d').drawImage(canvas, 0, 0);
    canvas.width = canvas.height = side;
    this.#paintBackground();
    if (!this.#empty) this.#context.drawImage(old, 0, 0, side, side);
  }

  #paintBackground() {
    const ctx = this.#context;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.#canvas.width, this.#canvas.height);
  }

  #point(e) {
    const rect = this.#canvas.getBoundingClientRect();
    return {
      x: (e.clientX - rect.left) * (this.#canvas.width / rect.width),
      y: (e.clientY - rect.top) * (this.#canvas.height / rect.height),
    };
  }

  #onDown(e) {
    if (this.#stroke) return;                     // one stroke at a time: a second finger is ignored
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    // No preventDefault: the mouse's default action focuses the canvas (so Escape works
    // next) without showing the keyboard focus ring; styles.css stops selection and scrolling.
    this.#canvas.setPointerCapture(e.pointerId);
    const p = this.#point(e);
    this.#stroke = {pointerId: e.pointerId, points: [p]};
    this.#dot(p);
    this.#empty = false;
    this.#scheduleInk();
  }

  #onMove(e) {
    const stroke = this.#stroke;
    if (!stroke || e.pointerId !== stroke.pointerId) return;
    // Coalesced events keep fast strokes smooth: the browser sends one move per frame.
    const events = e.getCoalescedEvents?.() ?? [];
    for (const ev of events.length ? events : [e]) this.#extend(this.#point(ev));
    this.#scheduleInk();
  }

  #onUp(e) {
    const stroke = this.#stroke;
    if (!stroke || e.pointerId !== stroke.pointerId) return;
    if (e.type === 'pointerup') this.#extend(this.#point(e));
    const points = stroke.points;
    const n = points.length;
    if (n >= 2) this.#segment(mid(points[n - 2], points[n - 1]), points[n - 1], null);
    this.#stroke = null;
    if (this.#canvas.hasPointerCapture(e.pointerId)) this.#canvas.releasePointerCapture(e.pointerId);
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#emitInk();
  }

  #cancelStroke() {
    if (this.#stroke && this.#canvas.hasPointerCapture(this.#stroke.pointerId)) {
      this.#canvas.releasePointerCapture(this.#stroke.pointerId);
    }
    this.#stroke = null;
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  #lineWidth() { return this.#canvas.width * STROKE_FRACTION; }

  #dot(p) {
    const ctx = this.#context;
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(p.x, p.y, this.#lineWidth() / 2, 0, 2 * Math.PI);
    ctx.fill();
  }

  // Smooth strokes: quadratic curves between the midpoints of successive samples, with the
  // samples as control points (the last half-segment is drawn when the stroke ends).
  #extend(p) {
    const points = this.#stroke.points;
    const last = points[points.length - 1];
    if (Math.hypot(p.x - last.x, p.y - last.y) < 0.5) return;
    points.push(p);
    const n = points.length;
    const from = n >= 3 ? mid(points[n - 3], points[n - 2]) : points[0];
    this.#segment(from, mid(points[n - 2], points[n - 1]), n >= 3 ? points[n - 2] : null);
  }

  #segment(from, to, control) {
    const ctx = this.#context;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = this.#lineWidth();
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    if (control) ctx.quadraticCurveTo(control.x, control.y, to.x, to.y);
    else ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }

  #scheduleInk() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#emitInk();
    });
  }

  #emitInk() {
    this.dispatchEvent(new CustomEvent('ink', {bubbles: true, detail: this.readInk()}));
  }
}

function mid(a, b) {
  return {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
}
