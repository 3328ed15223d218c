// Turns a picture of a digit (ImageData, a canvas or an <img>) into ink in [0, 1] for the
// core's preprocessDigit: whichever of dark and light covers more of the picture is taken as
// the paper, so black-on-white and MNIST's white-on-black both work.
export function inkFromImage(image) {
  const data = toImageData(image);
  const { width, height } = data;
  const rgba = data.data;
  const ink = new Float32Array(width * height);
  let sum = 0;
  for (let i = 0; i < ink.length; i++) {
    // Transparent pixels are paper, whatever their colour.
    const alpha = rgba[4 * i + 3] / 255;
    const light = Math.max(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]) / 255;
    ink[i] = light * alpha;
    sum += ink[i];
  }
  if (sum / ink.length > 0.5) {
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3] === 0 ? 0 : 1 - ink[i];
  }
  return { ink, width, height };
}

function toImageData(image) {
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) return image;
  const width = image?.naturalWidth ?? image?.width;
  const height = image?.naturalHeight ?? image?.height;
  if (!(width > 0 && height > 0) || typeof image?.getContext !== 'function' && !(image instanceof HTMLImageElement)) {
    throw new TypeError('predict() takes an ImageData, a canvas, an <img>, or 784 MNIST pixels');
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(image, 0, 0);
  return ctx.getImageData(0, 0, width, height);
}

// A photo (an ImageBitmap, <img> or canvas) as a 28x28 grey image in Fashion-MNIST's layout:
// the whole picture scaled to fit 28x28 and centred, grey by luma, the object light on black.
// A photo's background is usually the lighter part, so a picture whose border is light on
// average is inverted. (No cropping to the object: Fashion-MNIST's images are whole photos.)
// The browser scales to 280x280, then each 10x10 block is averaged: one browser resampling
// of a large photo is blurred differently from engine to engine, a box average is exact.
export function grey28FromImage(image) {
  const width = image?.naturalWidth ?? image?.width;
  const height = image?.naturalHeight ?? image?.height;
  if (!(width > 0 && height > 0)) throw new TypeError('not a picture: it has no size');
  const S = 10; // 280 / 28
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 28 * S;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const scale = (28 * S) / Math.max(width, height);
  const w = Math.round(width * scale);
  const h = Math.round(height * scale);
  const left = Math.floor((28 * S - w) / 2);
  const top = Math.floor((28 * S - h) / 2);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, left, top, w, h);
  const rgba = ctx.getImageData(0, 0, 28 * S, 28 * S).data;
  const grey = new Uint8Array(784);
  const covered = new Uint8Array(784); // 1 where the picture is (not the margins)
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      let sum = 0;
      let alphaSum = 0;
      for (let dy = 0; dy < S; dy++) {
        for (let dx = 0; dx < S; dx++) {
          const o = 4 * ((y * S + dy) * 28 * S + x * S + dx);
          const alpha = rgba[o + 3] / 255;
          sum += (0.299 * rgba[o] + 0.587 * rgba[o + 1] + 0.114 * rgba[o + 2]) * alpha;
          alphaSum += alpha;
        }
      }
      grey[y * 28 + x] = Math.round(sum / (S * S));
      covered[y * 28 + x] = alphaSum > (S * S) / 2 ? 1 : 0;
    }
  }
  // The picture's outermost ring of pixels tells its background.
  const [x0, x1] = [Math.floor(left / S), Math.ceil((left + w) / S) - 1];
  const [y0, y1] = [Math.floor(top / S), Math.ceil((top + h) / S) - 1];
  let border = 0;
  let borderCount = 0;
  for (let i = 0; i < 784; i++) {
    const x = i % 28;
    const y = (i / 28) | 0;
    if (covered[i] && (x === x0 || x === x1 || y === y0 || y === y1)) {
      border += grey[i];
      borderCount += 1;
    }
  }
  if (borderCount > 0 && border / borderCount > 127) {
    for (let i = 0; i < 784; i++) if (covered[i]) grey[i] = 255 - grey[i];
  }
  return grey;
}
