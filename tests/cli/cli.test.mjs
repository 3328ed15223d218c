// The terminal trainer as a user runs it: exit codes, messages, Keras-style output on a
// pipe and on a terminal, save / evaluate / predict round trips, bad input.
//   node --test tests/cli/cli.test.mjs   (DIGITRAIN_BIN names the binary)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { greyPng } from './png.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.DIGITRAIN_BIN ?? join(root, 'build/native/digitrain');
const mnist = join(root, 'data/mnist');
const work = mkdtempSync(join(tmpdir(), 'digitrain-cli-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function run(args, options = {}) {
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd: root, timeout: 300_000, ...options });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const testLine = /^test_loss: \d+\.\d{4} - test_accuracy: [01]\.\d{4}$/;
const lastLine = (text) => text.trimEnd().split('\n').at(-1);

test('--help lists the commands and exits 0', () => {
  const r = run(['--help']);
  assert.equal(r.code, 0);
  for (const cmd of ['train', 'evaluate', 'predict', 'summary']) assert.match(r.out, new RegExp(cmd));
});

test('argument errors print usage and exit 2', () => {
  for (const args of [[], ['train', '--epochs', '-1'], ['train', '--batch-size', 'x'], ['fly'],
    ['train', '--preset', 'mlp-256', '--model-spec', 'x.json'], ['predict', '--model', 'm.json']]) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /Usage|usage/, args.join(' '));
  }
});

test('summary prints the tutorial parameter counts', () => {
  const totals = { 'mlp-300-100': '266,610', 'mlp-128-128': '118,282', 'cnn-16-8': '47,410', 'mlp-256': '203,530',
    'keras-convnet': '34,826', 'tfjs-convnet': '33,194' };
  for (const [preset, total] of Object.entries(totals)) {
    const r = run(['summary', '--preset', preset]);
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`Total params: ${total}`));
  }
  // Keras' own summary of examples/vision/mnist_convnet, row by row (shapes and counts).
  const keras = run(['summary', '--preset', 'keras-convnet']).out;
  for (const [layer, shape, params] of [['conv2d (Conv2D)', '(None, 26, 26, 32)', 320],
    ['max_pooling2d (MaxPooling2D)', '(None, 13, 13, 32)', 0], ['conv2d_1 (Conv2D)', '(None, 11, 11, 64)', 18496],
    ['max_pooling2d_1 (MaxPooling2D)', '(None, 5, 5, 64)', 0], ['flatten (Flatten)', '(None, 1600)', 0],
    ['dropout (Dropout)', '(None, 1600)', 0], ['dense (Dense)', '(None, 10)', 16010]]) {
    const escaped = `${layer} +${shape} +${params}`.replace(/[()]/g, '\\$&');
    assert.match(keras, new RegExp(escaped), layer);
  }
});

test('train on a pipe: one plain line per epoch, the test line last; then evaluate and predict', () => {
  const model = join(work, 'model.json');
  const r = run(['train', '--preset', 'mlp-128-128', '--epochs', '2', '--limit', '3000', '--save', model]);
  assert.equal(r.code, 0, r.err);
  const epochLines = r.out.split('\n').filter((l) => l.startsWith('Epoch '));
  assert.equal(epochLines.length, 2);
  assert.match(epochLines[1], /^Epoch 2\/2 - 94\/94 - \d+s \d+(ms|us)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/);
  assert.doesNotMatch(r.out, /\r|ETA/);
  assert.match(lastLine(r.out), testLine);
  assert.equal(r.out.split('\n').filter((l) => testLine.test(l)).length, 1);

  const evaluated = run(['evaluate', '--model', model]);
  assert.equal(evaluated.code, 0, evaluated.err);
  assert.equal(lastLine(evaluated.out), lastLine(r.out), 'evaluate gives the same test figures as training did');

  const predicted = run(['predict', '--model', model, '0']);
  assert.equal(predicted.code, 0, predicted.err);
  assert.match(predicted.out, /^Predicted: 7, Actual: 7$/m);
  const probs = [...predicted.out.matchAll(/^ {2}\d: (\d\.\d{4})$/gm)].map((m) => Number(m[1]));
  assert.equal(probs.length, 10);
  assert.ok(Math.abs(probs.reduce((a, b) => a + b) - 1) < 0.002);

  // Test image 0 drawn dark-on-light at 4x, as a scan would be: inverted, cropped, centred.
  const images = readFileSync(join(mnist, 't10k-images-idx3-ubyte'));
  const big = new Uint8Array(112 * 112);
  for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) big[y * 112 + x] = 255 - images[16 + (y >> 2) * 28 + (x >> 2)];
  writeFileSync(join(work, 'seven.png'), greyPng(112, 112, big));
  const fromPng = run(['predict', '--model', model, join(work, 'seven.png')]);
  assert.equal(fromPng.code, 0, fromPng.err);
  assert.match(fromPng.out, /^Predicted: 7$/m);
});

test('train validates where the preset does, and shows val_ figures', () => {
  const r = run(['train', '--preset', 'mlp-256', '--epochs', '1', '--limit', '2000']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /validating on the last 12000 training images/);
  assert.match(r.out, /- val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$/m);
});

test('on a terminal: a Keras progress bar', { skip: spawnSync('script', ['--version']).error ? 'no script(1)' : false }, () => {
  const command = `${bin} train --preset mlp-128-128 --epochs 1 --limit 20000`;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', cwd: root, timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Epoch 1\/1\r?\n/);
  assert.match(r.stdout, /625\/625 \[={30}\] - \d+s \d+(ms|us)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}/);
  assert.match(lastLine(r.stdout).trim(), testLine);
});

test('bad data and bad files: a clear message and exit 1', () => {
  const missing = run(['train', '--data', join(work, 'nowhere'), '--epochs', '1']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nowhere: no such folder \(--data takes the folder of the IDX files\)/);
  const empty = join(work, 'empty');
  spawnSync('mkdir', ['-p', empty]);
  const nothing = run(['train', '--data', empty, '--epochs', '1']);
  assert.equal(nothing.code, 1);
  assert.match(nothing.err, /cannot open .*empty\/train-images-idx3-ubyte.*pass --data DIR/);

  const truncated = join(work, 'truncated');
  spawnSync('mkdir', ['-p', truncated]);
  for (const f of ['train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) copyFileSync(join(mnist, f), join(truncated, f));
  writeFileSync(join(truncated, 'train-images-idx3-ubyte'), readFileSync(join(mnist, 'train-images-idx3-ubyte')).subarray(0, 100000));
  const r = run(['train', '--data', truncated, '--epochs', '1']);
  assert.equal(r.code, 1);
  assert.match(r.err, /train-images-idx3-ubyte: truncated/);

  const badModel = join(work, 'bad.json');
  writeFileSync(badModel, '{"format": "digitrain-model", "layers": [');
  const evaluated = run(['evaluate', '--model', badModel]);
  assert.equal(evaluated.code, 1);
  assert.match(evaluated.err, /bad\.json: not valid JSON/);

  writeFileSync(join(work, 'not.png'), 'hello');
  const model = join(work, 'm.json');
  assert.equal(run(['train', '--preset', 'mlp-256', '--epochs', '1', '--limit', '400', '--save', model]).code, 0);
  const predicted = run(['predict', '--model', model, join(work, 'not.png')]);
  assert.equal(predicted.code, 1);
  assert.match(predicted.err, /not\.png: not a PNG, JPEG, PGM or PPM picture/);
  assert.match(run(['predict', '--model', model, '10000']).err, /test image index 10000 is out of range \(0-9999\)/);

  assert.match(run(['train', '--preset', 'lenet']).err, /unknown preset 'lenet' \(known presets: cnn-16-8, fashion-mlp-128, keras-convnet, mlp-128-128, mlp-256, mlp-300-100, tfjs-convnet\)/);
});

test('a diverging run stops with a message and exit 1, and still reports', () => {
  const r = run(['train', '--preset', 'mlp-300-100', '--learning-rate', '1000', '--epochs', '1', '--limit', '3000']);
  assert.equal(r.code, 1);
  assert.match(r.err, /training diverged: the loss became NaN at epoch 1, step \d+: the learning rate 1000 is far too high; try 0\.01; the weights from step 0 were kept\./);
  assert.match(lastLine(r.out), testLine);
});

// Keras' fit goes on when the loss climbs without reaching NaN: so does the CLI, with one
// warning line, and a normal exit.
test('a climbing loss is a warning line; training goes on to the end', () => {
  const r = run(['train', '--preset', 'mlp-128-128', '--learning-rate', '10', '--epochs', '2', '--limit', '3200']);
  assert.equal(r.code, 0, r.err);
  const warnings = r.err.split('\n').filter((line) => line.startsWith('digitrain: warning:'));
  assert.equal(warnings.length, 1, r.err);
  assert.match(warnings[0], /^digitrain: warning: training is diverging: the loss rose from 2\.\d\d to [\d.]+ in \d steps: the learning rate 10 is far too high; try 0\.001 \(training goes on, as Keras' fit does\)$/);
  assert.match(r.out, /Epoch 2\/2/);
  assert.match(lastLine(r.out), testLine);
});

test('--model-spec trains a description from a file', () => {
  const spec = JSON.parse(readFileSync(join(root, 'src/model/presets/mlp-128-128.json'), 'utf8'));
  spec.name = 'tiny';
  spec.layers = [spec.layers[0], { class_name: 'Dense', config: { name: 'out', units: 10, activation: 'softmax' } }];
  const file = join(work, 'tiny.json');
  writeFileSync(file, JSON.stringify(spec));
  const summary = run(['summary', '--model-spec', file]);
  assert.match(summary.out, /Total params: 7,850/);
  const r = run(['train', '--model-spec', file, '--epochs', '1', '--limit', '1000']);
  assert.equal(r.code, 0, r.err);
  assert.match(lastLine(r.out), testLine);
});
