// IDX files (the MNIST format) written by the page: My digits leave as a standard pair,
// NAME-images-idx3-ubyte and NAME-labels-idx1-ubyte, which the terminal trainer reads with
// --extra-data and `evaluate --data`. Reading goes through the core's checked reader (the
// worker's read-idx), never here.

export const IDX_NAMES = Object.freeze({ images: 'my-digits-images-idx3-ubyte', labels: 'my-digits-labels-idx1-ubyte' });

// The header: magic 0x00000803 (uint8 data, 3 dimensions), then count, rows, cols, big-endian.
export function idxImages(pixels, count, rows = 28, cols = 28) {
  const out = new Uint8Array(16 + count * rows * cols);
  const view = new DataView(out.buffer);
  [0x803, count, rows, cols].forEach((v, i) => view.setUint32(4 * i, v));
  out.set(pixels.subarray(0, count * rows * cols), 16);
  return out;
}

// Magic 0x00000801 (uint8 data, 1 dimension), then count.
export function idxLabels(labels) {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x801);
  view.setUint32(4, labels.length);
  out.set(labels, 8);
  return out;
}

// Of two files picked together, which holds the images: by name as the CLI finds them,
// else by the magic's dimension byte (3 for images, 1 for labels). {images, labels} of the
// {name, bytes} given, or null when they cannot be told apart.
export function sortIdxPair(files) {
  if (files.length !== 2) return null;
  const byName = (suffix) => files.find((f) => f.name.endsWith(suffix));
  let images = byName('images-idx3-ubyte');
  let labels = byName('labels-idx1-ubyte');
  if (!images || !labels || images === labels) {
    images = files.find((f) => f.bytes[3] === 3);
    labels = files.find((f) => f.bytes[3] === 1);
  }
  return images && labels && images !== labels ? { images, labels } : null;
}
