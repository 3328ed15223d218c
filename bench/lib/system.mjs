// The machine and the versions a result belongs to: machines of this kind differ from day
// to day (AVX-512 or not), so every result carries them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { PEERBENCH_DIR, REPO } from './paths.mjs';

function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], ...options }).trim();
  } catch {
    return null;
  }
}

function packageVersion(dir) {
  const file = join(dir, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

export function loadAverage() {
  return loadavg().map((x) => Number(x.toFixed(2)));
}

export function systemInfo() {
  const lscpu = run('lscpu', []) ?? '';
  const field = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(lscpu)?.[1] ?? null;
  const flags = new Set((field('Flags') ?? '').split(/\s+/));
  // Debian's chromium wrapper may print shell noise first; the version is its last line.
  const chromium = run('/usr/bin/chromium', ['--version'])?.split('\n').pop() ?? null;
  const torch = run('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)']);
  return {
    date: new Date().toISOString(),
    cpu: field('Model name'),
    cores: cpus().length,
    simd: ['sse4_2', 'avx2', 'fma', 'avx512f'].filter((f) => flags.has(f)),
    load_average_start: loadAverage(),
    node: process.version,
    chromium,
    emscripten: run('emcc', ['--version'], { env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } })?.split('\n')[0] ?? null,
    gxx: run('g++', ['--version'])?.split('\n')[0] ?? null,
    tfjs: packageVersion(join(PEERBENCH_DIR, 'node_modules/@tensorflow/tfjs')),
    torch,
    digitrain_commit: run('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }),
    // Uncommitted changes in the core mean the figures are for a tree no commit names.
    digitrain_core_changed: Boolean(run('git', ['status', '--porcelain', '--', 'src', 'wasm', 'CMakeLists.txt'], { cwd: REPO })),
  };
}
