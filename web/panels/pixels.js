// Small images from numbers, for the teaching views: weights as blue (negative) / white (0) /
// red (positive), activations as white (0) to dark blue (the largest). A view is one canvas
// holding many tiles (a mosaic), repainted in place: never new canvases per update, which
// meant layout work and long tasks while training.

// RGB of v in [-1, 1] (diverging) or [0, 1] (sequential).
export function colour(v, diverging) {
  const t = Math.min(1, Math.abs(v));
  if (diverging) {
    const fade = Math.round(255 * (1 - t));
    return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
  }
  return [Math.round(255 - 230 * t), Math.round(255 - 180 * t), Math.round(255 - 80 * t)];
}

// A mosaic: `count` tiles of tileW×tileH values in `cols` columns, `scale` canvas pixels per
// value, `gap` pixels between tiles, after a margin (left, top) for labels. value(t, i) is
// value i (row-major) of tile t; every value is divided by `max`. The canvas is sized once
// for its layout (so a repaint moves nothing) and keeps its CSS size from the stylesheet.
export function mosaicLayout({ tileW, tileH, count, cols, scale = 1, gap = 1, left = 0, top = 0 }) {
  const rows = Math.ceil(count / cols);
  const stepX = tileW * scale + gap;
  const stepY = tileH * scale + gap;
  return {
    tileW, tileH, count, cols, rows, scale, left, top, stepX, stepY,
    width: left + cols * stepX - gap, height: top + rows * stepY - gap,
    // The tile and value under canvas pixel (x, y), or null between tiles.
    at(x, y) {
      const c = Math.floor((x - left) / stepX), r = Math.floor((y - top) / stepY);
      const px = Math.floor((x - left - c * stepX) / scale), py = Math.floor((y - top - r * stepY) / scale);
      const t = r * cols + c;
      if (c < 0 || r < 0 || c >= cols || t >= count || px >= tileW || py >= tileH || px < 0 || py < 0) return null;
      return { tile: t, index: py * tileW + px, x: px, y: py };
    },
  };
}

export function paintMosaic(canvas, layout, value, { max = 1, diverging = false, background = [255, 255, 255] } = {}) {
  const { width, height, tileW, tileH, count, cols, scale, left, top, stepX, stepY } = layout;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(width, height);
  const data = image.data;
  for (let o = 0; o < data.length; o += 4) {
    data[o] = background[0], data[o + 1] = background[1], data[o + 2] = background[2], data[o + 3] = 255;
  }
  const inv = 1 / Math.max(max, 1e-12);
  for (let t = 0; t < count; t++) {
    const x0 = left + (t % cols) * stepX, y0 = top + Math.floor(t / cols) * stepY;
    for (let i = 0; i < tileW * tileH; i++) {
      const [r, g, b] = colour(value(t, i) * inv, diverging);
      const px = x0 + (i % tileW) * scale, py = y0 + Math.floor(i / tileW) * scale;
      for (let dy = 0; dy < scale; dy++) {
        let o = 4 * ((py + dy) * width + px);
        for (let dx = 0; dx < scale; dx++, o += 4) data[o] = r, data[o + 1] = g, data[o + 2] = b;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
  return ctx;
}

// The largest |value| of n values.
export function maxAbs(n, value) {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(value(i)));
  return max;
}

// A colour legend: the bar and its range, in words a learner reads.
export function legend(diverging) {
  const box = document.createElement('p');
  box.className = 'dt__legend';
  box.innerHTML = `<span class="dt__legend-bar dt__legend-bar--${diverging ? 'diverging' : 'sequential'}" aria-hidden="true"></span>
    <span class="dt__legend-text"></span>`;
  const text = box.querySelector('.dt__legend-text');
  return {
    element: box,
    // max null: not known yet (the words take their room already).
    set(max, words) {
      const m = max == null ? '…' : formatNumber(max);
      text.textContent = diverging ? `−${m} (blue) … 0 (white) … +${m} (red). ${words}` : `0 (white) … ${m} (dark blue). ${words}`;
    },
  };
}

export const formatNumber = (v) => String(+v.toPrecision(3));
