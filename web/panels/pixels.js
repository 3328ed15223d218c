// Small images from numbers, for the teaching views: weights as blue (negative) / red
// (positive) and activations as grey, each scaled to its own largest magnitude. The canvas
// holds one pixel per value; CSS scales it up with pixelated rendering.

// value(i) for i in [0, width*height), row-major.
export function paintValues(canvas, width, height, value, { diverging = false, label } = {}) {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.classList.add('dt__tile');
  if (label) {
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', label);
  }
  let max = 1e-12;
  for (let i = 0; i < width * height; i++) max = Math.max(max, Math.abs(value(i)));
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = value(i) / max;
    const o = 4 * i;
    if (diverging) {
      // White at zero, red for positive weights, blue for negative ones.
      const t = Math.min(1, Math.abs(v));
      image.data[o] = v >= 0 ? 255 : Math.round(255 * (1 - t));
      image.data[o + 1] = Math.round(255 * (1 - t));
      image.data[o + 2] = v >= 0 ? Math.round(255 * (1 - t)) : 255;
    } else {
      image.data[o] = image.data[o + 1] = image.data[o + 2] = Math.round(255 * Math.max(0, v));
    }
    image.data[o + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

export function tile(width, height, value, options = {}) {
  return paintValues(document.createElement('canvas'), width, height, value, options);
}

export function figureOf(node, caption) {
  const figure = document.createElement('figure');
  figure.className = 'dt__figure';
  const text = document.createElement('figcaption');
  text.textContent = caption;
  figure.append(node, text);
  return figure;
}
