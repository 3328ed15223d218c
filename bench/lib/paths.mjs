// Where the bench finds the repository, MNIST and the peers.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MNIST_DIR = join(REPO, 'data/mnist');
export const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
// The peers live beside the project on its machines (bench/README.md).
export const PEERS_DIR = resolve(REPO, process.env.BENCH_PEERS_DIR ?? '../shared/peers');
export const PEERBENCH_DIR = process.env.PEERBENCH_DIR ?? '/tmp/peerbench';

// The four raw IDX files, as the Session's loadData takes them.
export function readMnist(dir = MNIST_DIR) {
  const [trainImages, trainLabels, testImages, testLabels] = MNIST_FILES.map((name) => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`${path} is missing; run scripts/setup.sh`);
    return new Uint8Array(readFileSync(path));
  });
  return { trainImages, trainLabels, testImages, testLabels };
}
