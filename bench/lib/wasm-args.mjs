// The command line of the two WASM drivers (wasm/run-node.mjs, chromium/run-chromium.mjs):
// run.mjs passes both the same arguments, so both read them here.
//   [--limit N] [--steps-per-call N] [--predict-calls N] [--repeats N] [--gemm-min-ms N] [--gemm-samples N]
//   [--no-gemm] PRESET...
import { parseArgs } from 'node:util';

// {opts, presets}; `extraOptions` adds a driver's own options (parseArgs' form).
export function parseWasmBenchArgs(extraOptions = {}) {
  const { values: opts, positionals: presets } = parseArgs({
    allowPositionals: true,
    options: {
      limit: { type: 'string', default: '0' },
      'steps-per-call': { type: 'string', default: '1000' },
      repeats: { type: 'string', default: '1' },
      'predict-calls': { type: 'string', default: '1000' },
      'gemm-min-ms': { type: 'string', default: '20' },
      'gemm-samples': { type: 'string', default: '5' },
      'no-gemm': { type: 'boolean', default: false },
      ...extraOptions,
    },
  });
  return { opts, presets };
}
