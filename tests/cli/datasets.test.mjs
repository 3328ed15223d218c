// The terminal trainer on datasets beyond MNIST: Fashion-MNIST (Debian's
// dataset-fashion-mnist, copied to data/fashion-mnist by set-up) chosen with --dataset or by
// the preset, its class names in predictions, a missing folder, and evaluate on an IDX pair.
//   node --test tests/cli/datasets.test.mjs   (DIGITRAIN_BIN names the binary)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.DIGITRAIN_BIN ?? join(root, 'build/native/digitrain');
const work = mkdtempSync(join(tmpdir(), 'digitrain-datasets-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function run(args, options = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd: root, timeout: 300_000, ...options });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const testAccuracy = (out) => Number(/test_accuracy: ([01]\.\d{4})/.exec(out)?.[1]);

test('fashion-mlp-128, one epoch on Fashion-MNIST: test accuracy >= 0.82, class names in predictions', () => {
  const model = join(work, 'fashion.json');
  // The preset names its dataset, so no --dataset is needed.
  const r = run(['train', '--preset', 'fashion-mlp-128', '--epochs', '1', '--save', model]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /on 60000 Fashion-MNIST images/);
  const accuracy = testAccuracy(r.out);
  assert.ok(accuracy >= 0.82, `test accuracy ${accuracy}`);
  // A saved model remembers its dataset: evaluate and predict read Fashion-MNIST by themselves.
  assert.equal(JSON.parse(readFileSync(model, 'utf8')).fit.dataset, 'fashion-mnist');
  const e = run(['evaluate', '--model', model]);
  assert.equal(e.code, 0, e.err);
  assert.equal(testAccuracy(e.out), accuracy);
  // Test image 0 of Fashion-MNIST is an ankle boot.
  const p = run(['predict', '--model', model, '0']);
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /^Predicted: [A-Za-z/ -]+, Actual: Ankle boot$/m);
  assert.match(p.out, /9: \d\.\d{4} {2}Ankle boot/);
});

test('--dataset trains an MNIST preset on Fashion-MNIST, and evaluates the other way round', () => {
  const model = join(work, 'mlp256-fashion.json');
  const r = run(['train', '--preset', 'mlp-256', '--dataset', 'fashion-mnist', '--epochs', '1', '--limit', '6000', '--save', model]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Fashion-MNIST images/);
  const onFashion = testAccuracy(r.out);
  assert.ok(onFashion > 0.6, `Fashion-MNIST test accuracy ${onFashion}`);
  const onMnist = run(['evaluate', '--model', model, '--dataset', 'mnist']);
  assert.equal(onMnist.code, 0, onMnist.err);
  // Clothes taught nothing about digits.
  assert.ok(testAccuracy(onMnist.out) < 0.5, onMnist.out);
});

test('a missing dataset folder or --data folder: a clear message, exit 1', () => {
  // A copy of the trainer in an empty folder finds no data/ beside it nor in its working folder.
  const elsewhere = mkdtempSync(join(work, 'elsewhere-'));
  mkdirSync(join(elsewhere, 'build/native'), { recursive: true });
  const copy = join(elsewhere, 'build/native/digitrain');
  copyFileSync(bin, copy);
  chmodSync(copy, 0o755);
  const r = spawnSync(copy, ['train', '--preset', 'fashion-mlp-128', '--epochs', '1'], { encoding: 'utf8', cwd: elsewhere });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /data\/fashion-mnist: no such folder: the Fashion-MNIST files are missing .*dataset-fashion-mnist/);
  const missing = run(['train', '--preset', 'mlp-128-128', '--data', join(work, 'nope'), '--epochs', '1']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope: no such folder/);
  const bad = run(['train', '--dataset', 'cifar-10']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /fashion-mnist/);
});

// IDX writers, as the page's "My digits" export writes them.
function idxImages(images) {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x803, 0); header.writeUInt32BE(images.length, 4);
  header.writeUInt32BE(28, 8); header.writeUInt32BE(28, 12);
  return Buffer.concat([header, ...images.map((i) => Buffer.from(i))]);
}
function idxLabels(labels) {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x801, 0); header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

test('evaluate --data on a folder with one IDX pair of any name', () => {
  const model = join(work, 'mnist.json');
  assert.equal(run(['train', '--preset', 'mlp-128-128', '--epochs', '1', '--limit', '3000', '--save', model]).code, 0);
  // The first 200 MNIST test images as "my-digits".
  const images = readFileSync(join(root, 'data/mnist/t10k-images-idx3-ubyte')).subarray(16, 16 + 200 * 784);
  const labels = readFileSync(join(root, 'data/mnist/t10k-labels-idx1-ubyte')).subarray(8, 8 + 200);
  const pair = join(work, 'pair');
  mkdirSync(pair);
  writeFileSync(join(pair, 'my-digits-images-idx3-ubyte'),
    idxImages(Array.from({ length: 200 }, (_, i) => images.subarray(i * 784, (i + 1) * 784))));
  writeFileSync(join(pair, 'my-digits-labels-idx1-ubyte'), idxLabels([...labels]));
  const r = run(['evaluate', '--model', model, '--data', pair]);
  assert.equal(r.code, 0, r.err);
  assert.ok(testAccuracy(r.out) > 0.8, r.out);
  // Two pairs in one folder: which one is meant is not guessed.
  writeFileSync(join(pair, 'more-images-idx3-ubyte'), idxImages([images.subarray(0, 784)]));
  const two = run(['evaluate', '--model', model, '--data', pair]);
  assert.equal(two.code, 1);
  assert.match(two.err, /2 \*images-idx3-ubyte files/);
  // A pair whose counts disagree is refused with both files' story.
  rmSync(join(pair, 'more-images-idx3-ubyte'));
  writeFileSync(join(pair, 'my-digits-labels-idx1-ubyte'), idxLabels([...labels].slice(0, 10)));
  const mismatch = run(['evaluate', '--model', model, '--data', pair]);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.err, /200 images but 10 labels/);
});

test('train --extra-data mixes a pair of IDX files in: the model learns them, MNIST stays', () => {
  // 40 "drawings in another hand": MNIST test digits 1000-1039 transposed (mirrored across
  // the diagonal), which a model of upright MNIST gets mostly wrong, with their true labels.
  const images = readFileSync(join(root, 'data/mnist/t10k-images-idx3-ubyte')).subarray(16);
  const labels = readFileSync(join(root, 'data/mnist/t10k-labels-idx1-ubyte')).subarray(8);
  const transposed = Array.from({ length: 40 }, (_, k) => {
    const src = images.subarray((1000 + k) * 784, (1001 + k) * 784), out = new Uint8Array(784);
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) out[c * 28 + r] = src[r * 28 + c];
    return out;
  });
  const mine = join(work, 'mine');
  mkdirSync(mine);
  writeFileSync(join(mine, 'my-digits-images-idx3-ubyte'), idxImages(transposed));
  writeFileSync(join(mine, 'my-digits-labels-idx1-ubyte'), idxLabels([...labels.subarray(1000, 1040)]));

  const plain = join(work, 'plain.json'), mixed = join(work, 'mixed.json');
  const p = run(['train', '--preset', 'mlp-128-128', '--epochs', '1', '--save', plain]);
  assert.equal(p.code, 0, p.err);
  const m = run(['train', '--preset', 'mlp-128-128', '--epochs', '1', '--extra-data', mine, '--save', mixed]);
  assert.equal(m.code, 0, m.err);
  assert.match(m.out, /Mixing in 40 images from .*mine, each 100 times \(shifted, turned and scaled a little\): 4000 of 64000 samples/);
  const onMine = (model) => testAccuracy(run(['evaluate', '--model', model, '--data', mine]).out);
  const before = onMine(plain), after = onMine(mixed);
  assert.ok(before < 0.5, `a plain model reads ${before} of the transposed digits`);
  assert.ok(after >= 0.9, `after mixing them in: ${after}`);
  const mnistBefore = testAccuracy(p.out), mnistAfter = testAccuracy(m.out);
  console.log(`extra-data: own digits ${before} -> ${after}, MNIST test ${mnistBefore} -> ${mnistAfter}`);
  assert.ok(Math.abs(mnistAfter - mnistBefore) <= 0.01, `MNIST test ${mnistBefore} -> ${mnistAfter}`);
});
