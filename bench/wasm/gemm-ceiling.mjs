// Runs the GEMM ceiling program (bench/native/gemm_bench.cpp built as WASM:
// build/wasm/bench/digitrain_gemm_bench.{mjs,wasm}) and returns its JSON. Its main() runs
// when the factory is called; in Node and in Chromium alike.
export async function runGemmCeiling(createGemmBench, moduleOptions, { presets, minMs = 20, samples = 5 }) {
  const lines = [];
  const errors = [];
  await createGemmBench({
    ...moduleOptions,
    arguments: ['--min-ms', String(minMs), '--samples', String(samples), ...presets],
    print: (line) => lines.push(line),
    printErr: (line) => errors.push(line),
  });
  const json = lines.find((line) => line.startsWith('{'));
  if (!json) throw new Error(`the GEMM bench printed no result${errors.length ? `: ${errors.join('; ')}` : ''}`);
  return JSON.parse(json);
}
