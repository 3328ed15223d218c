// The terminal trainer against hostile files (issue #18): each is refused at once with a
// message naming the file and exit 1 (never a signal, never minutes or gigabytes).
//   node --test tests/cli/hostile.test.mjs   (DIGITRAIN_BIN names the binary)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { greyPng } from './png.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.DIGITRAIN_BIN ?? join(root, 'build/native/digitrain');
const work = mkdtempSync(join(tmpdir(), 'digitrain-hostile-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// Every refusal must come within a few seconds and without a large heap: `ulimit -v` of
// 1 GiB turns an allocation of gigabytes into a failure of its own.
function refused(args, message) {
  const started = Date.now();
  const r = spawnSync('bash', ['-c', 'ulimit -v 1048576; exec "$@"', 'bash', bin, ...args], {
    encoding: 'utf8', cwd: root, timeout: 20_000,
  });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(r.signal, null, `${args.join(' ')}: killed by ${r.signal}\n${r.stderr}`);
  assert.equal(r.status, 1, `${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, message);
  assert.ok(seconds < 10, `${args.join(' ')} took ${seconds} s`);
  return r;
}

const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);

test('devices, FIFOs and folders are refused before any read', () => {
  refused(['evaluate', '--model', '/dev/zero'], /\/dev\/zero: a character device, not a regular file/);
  refused(['predict', '--model', '/dev/urandom', '0'], /\/dev\/urandom: a character device/);
  const fifo = join(work, 'fifo.json');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  refused(['evaluate', '--model', fifo], /fifo\.json: a FIFO \(named pipe\), not a regular file/);
  refused(['train', '--model-spec', fifo], /fifo\.json: a FIFO/);
  mkdirSync(join(work, 'folder.json'));
  refused(['evaluate', '--model', join(work, 'folder.json')], /folder\.json: a directory, not a regular file/);
});

test('JSON nested 70,000 deep: a message, not a stack overflow', () => {
  const deepFile = join(work, 'deep.json');
  writeFileSync(deepFile, `{"format": "digitrain-model", "version": 1, "extra": ${nested(70000)}}`);
  refused(['evaluate', '--model', deepFile], /deep\.json: JSON nested more than 64 levels deep/);
  refused(['train', '--model-spec', deepFile], /deep\.json: JSON nested more than 64 levels deep/);
  const deepTfjs = join(work, 'deep-tfjs.json');
  writeFileSync(deepTfjs, `{"format": "layers-model", "modelTopology": ${nested(1_000_000)}}`);
  refused(['predict', '--model', deepTfjs, '0'], /deep-tfjs\.json: JSON nested more than 64 levels deep/);
  const overflow = join(work, 'overflow.json');
  writeFileSync(overflow, '1e389');
  refused(['evaluate', '--model', overflow], /overflow\.json: not valid JSON/);
});

test('a 200-byte model file describing gigabytes of weights is refused before building', () => {
  const file = join(work, 'small.json');
  writeFileSync(file, JSON.stringify({
    format: 'digitrain-model', version: 1, name: 'x', input_shape: [784],
    layers: [{ class_name: 'Dense', config: { units: 300000, activation: 'softmax' } }],
    weights: [{ name: 'dense/kernel', shape: [1], data: '' }, { name: 'dense/bias', shape: [1], data: '' }],
  }));
  refused(['evaluate', '--model', file], /small\.json: weight 'dense\/kernel' holds 0 bytes, its shape \[784,300000\] needs 940800000/);
});

test('pictures: sizes checked from the header, before decoding', () => {
  const model = join(work, 'm.json');
  const trained = spawnSync(bin, ['train', '--preset', 'mlp-256', '--epochs', '1', '--limit', '400', '--save', model],
    { encoding: 'utf8', cwd: root });
  assert.equal(trained.status, 0, trained.stderr);
  const picture = (name, bytes) => {
    writeFileSync(join(work, name), bytes);
    return join(work, name);
  };
  refused(['predict', '--model', model, picture('empty.pgm', 'P5 0 0 255\n')], /empty\.pgm: the picture is 0x0 pixels \(empty\)/);
  refused(['predict', '--model', model, picture('wide.pgm', 'P5 100000 2 255\n')], /wide\.pgm: the picture is 100000x2 pixels, at most 8192x8192/);
  refused(['predict', '--model', model, picture('short.pgm', 'P5 4 4 255\n\x01\x02')], /short\.pgm: 2 bytes of pixels, a 4x4 picture needs 16 \(truncated\?\)/);
  refused(['predict', '--model', model, picture('wide.png', greyPng(9000, 1, new Uint8Array(9000)))], /wide\.png: the picture is 9000x1 pixels, at most 8192x8192/);
  refused(['predict', '--model', model, picture('nine.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xc4, 0, 3, 0x10, 0xff, 0xd9]))], /nine\.jpg: not a readable JPEG/);
  refused(['predict', '--model', model, picture('radiance.hdr', '#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 8 +X 8\n')], /radiance\.hdr: not a PNG, JPEG, PGM or PPM picture/);
  // A JPEG whose frame header claims 60000 x 60000: refused before a pixel is decoded.
  const jpeg = readFileSync(join(root, 'tests/cli/fixtures/digit.jpg'));
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(sof > 0);
  const huge = Buffer.from(jpeg);
  huge.writeUInt16BE(60000, sof + 5);
  huge.writeUInt16BE(60000, sof + 7);
  refused(['predict', '--model', model, picture('huge.jpg', huge)], /huge\.jpg: the picture is 60000x60000 pixels, at most 8192x8192/);
  // The same small pictures, unbroken, are read (a PGM of a 7 drawn dark on light).
  const ok = spawnSync(bin, ['predict', '--model', model, join(root, 'tests/cli/fixtures/digit.jpg')], { encoding: 'utf8', cwd: root });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^Predicted: \d$/m);
});
