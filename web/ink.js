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
