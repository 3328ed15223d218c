// Digitrain in Node on WASM: the product module (session-bench.mjs) per preset, then the
// GEMM ceiling (gemm-ceiling.mjs). One JSON line per result on stdout ({kind: 'model'|'gemm'}).
//   node bench/wasm/run-node.mjs [options: ../lib/wasm-args.mjs] PRESET...
// Needs build/wasm (scripts/build.sh wasm; the bench's own target for the GEMM part).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchPreset } from './session-bench.mjs';
import { runGemmCeiling } from './gemm-ceiling.mjs';
import { REPO, readMnist } from '../lib/paths.mjs';
import { parseWasmBenchArgs } from '../lib/wasm-args.mjs';

const { opts, presets } = parseWasmBenchArgs();
const build = join(REPO, 'build/wasm');
const load = async (name) => (await import(pathToFileURL(join(build, name)).href)).default;
const emit = (kind, result) => console.log(JSON.stringify({ kind, ...result, runtime: 'node-wasm' }));

const createDigitrain = await load('digitrain.mjs');
const wasmBinary = readFileSync(join(build, 'digitrain.wasm'));
const mnist = readMnist();
for (const preset of presets) {
  const result = await benchPreset(() => createDigitrain({ wasmBinary }), mnist, preset, {
    limit: Number(opts.limit), stepsPerCall: Number(opts['steps-per-call']), predictCalls: Number(opts['predict-calls']),
    repeats: Number(opts.repeats),
  });
  emit('model', result);
  console.error(`node-wasm ${preset}: ${Math.round(result.samples_per_s)} samples/s`);
}
if (!opts['no-gemm']) {
  const createGemmBench = await load('bench/digitrain_gemm_bench.mjs');
  const gemm = await runGemmCeiling(createGemmBench, { wasmBinary: readFileSync(join(build, 'bench/digitrain_gemm_bench.wasm')) },
    { presets, minMs: Number(opts['gemm-min-ms']), samples: Number(opts['gemm-samples']) });
  emit('gemm', gemm);
}
