// The GEMM kernel's speed on the exact products each model's training step makes, and the
// training speed that speed would allow if nothing but those products took time: the
// ceiling the README compares measured samples/s with. Built natively and as WASM (run in
// Node and in Chromium by bench/wasm/gemm-ceiling.mjs). Prints one JSON object.
//   digitrain_gemm_bench [--min-ms N] [--samples N] PRESET...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "bench_spec.h"
#include "core/error.h"
#include "core/random.h"
#include "kernels/gemm.h"

namespace digitrain::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One product of a training step, shaped as the layer calls gemm().
struct Product {
  std::string layer, role;  // role: forward, weight_grad, input_grad
  int M, N, K;
  bool trans_a, trans_b;
  double flops() const { return 2.0 * M * N * K; }
};

// Per layer with weights: forward y = x·W, dW = xᵀ·dy and, unless no layer before it has
// weights, dx = dy·Wᵀ. A Conv2D counts as the products of im2col over the whole batch (rows
// = output pixels, K = kh·kw·C), however the layer computes them: the same FLOPs at the
// kernel's speed on those shapes. Derived from the layers' public shapes, so the list
// follows the model.
std::vector<Product> training_products(Sequential& model, int batch) {
  std::vector<Product> products;
  bool weights_before = false;
  for (const auto& layer : model.layers()) {
    const std::string name = layer->name(), kind = layer->class_name();
    int rows = 0, in = 0, out = 0;
    if (kind == "Dense") {
      rows = batch, in = layer->input_shape()[0], out = layer->output_shape()[0];
    } else if (kind == "Conv2D") {
      const Shape& y = layer->output_shape();
      const Shape kernel = layer->params()[0].shape;  // {kh, kw, C, filters}
      rows = batch * y[0] * y[1], in = kernel[0] * kernel[1] * kernel[2], out = y[2];
    } else {
      if (layer->param_count() > 0) throw Error("gemm bench: no product list for layer class " + kind);
      continue;
    }
    products.push_back({name, "forward", rows, out, in, false, false});
    products.push_back({name, "weight_grad", in, out, rows, true, false});
    if (weights_before) products.push_back({name, "input_grad", rows, in, out, false, true});
    weights_before = true;
  }
  return products;
}

struct Timing {
  int min_ms = 20, samples = 5;
};

// Seconds per call: the fastest of `samples` timed loops of at least min_ms each. A ceiling
// is what the kernel can do; on a shared machine other jobs only ever slow a loop down.
double time_product(const Product& p, const Timing& timing) {
  Rng rng(7);
  auto random = [&](long n) {
    std::vector<float> v(n);
    for (float& x : v) x = rng.uniform(-1, 1);
    return v;
  };
  const std::vector<float> A = random(static_cast<long>(p.M) * p.K), B = random(static_cast<long>(p.K) * p.N);
  std::vector<float> C(static_cast<size_t>(p.M) * p.N);
  const GemmArgs args{p.M, p.N, p.K, A.data(), p.trans_a ? p.M : p.K, p.trans_a,
                      B.data(), p.trans_b ? p.K : p.N, p.trans_b, C.data(), p.N, false};
  gemm(args);  // warm-up: packing buffers grow here, once
  std::vector<double> per_call;
  for (int s = 0; s < timing.samples; ++s) {
    long calls = 0;
    const Clock::time_point start = Clock::now();
    double elapsed = 0.0;
    do {
      gemm(args);
      ++calls;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed * 1000.0 < timing.min_ms);
    per_call.push_back(elapsed / calls);
  }
  return *std::min_element(per_call.begin(), per_call.end());
}

int run(int argc, char** argv) {
  Timing timing;
  std::vector<std::string> presets;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--min-ms" || arg == "--samples") && i + 1 < argc)
      (arg == "--min-ms" ? timing.min_ms : timing.samples) = std::max(1, std::stoi(argv[++i]));
    else if (!arg.empty() && arg[0] == '-') throw Error("unknown option " + arg);
    else presets.push_back(arg);
  }
  if (presets.empty()) presets = kBenchPresets;

  // V8 runs new WASM code on its baseline compiler until it is hot: without this warm-up the
  // first shape timed would be measured partly on unoptimised code.
  time_product({"warm-up", "forward", 32, 128, 784, false, false}, {/*min_ms=*/300, /*samples=*/1});

  nlohmann::json shapes = nlohmann::json::array(), models = nlohmann::json::array();
  std::map<std::tuple<int, int, int, bool, bool>, double> seconds_by_shape;  // presets share shapes
  double all_flops = 0.0, all_seconds = 0.0;
  for (const std::string& preset : presets) {
    const ModelSpec spec = bench_spec(preset);
    auto model = build_model(spec, 1);
    const int batch = spec.fit.batch_size;
    double step_flops = 0.0, step_s = 0.0, forward_flops = 0.0, forward_s = 0.0;
    for (const Product& p : training_products(*model, batch)) {
      const auto key = std::make_tuple(p.M, p.N, p.K, p.trans_a, p.trans_b);
      if (!seconds_by_shape.count(key)) seconds_by_shape[key] = time_product(p, timing);
      const double s = seconds_by_shape[key];
      shapes.push_back({{"preset", preset}, {"layer", p.layer}, {"role", p.role}, {"M", p.M}, {"N", p.N},
                        {"K", p.K}, {"trans_a", p.trans_a}, {"trans_b", p.trans_b}, {"seconds", s},
                        {"gflops", p.flops() / s / 1e9}});
      step_flops += p.flops(), step_s += s;
      if (p.role == "forward") forward_flops += p.flops(), forward_s += s;
    }
    all_flops += step_flops, all_seconds += step_s;
    // An epoch trains on 55,000 images and then runs the 5,000 validation images forward
    // in batches of the same size, as the trainer does.
    const double epoch_s = (kTrainImages * step_s + kValidationImages * forward_s) / batch;
    models.push_back({{"preset", preset},
                      {"batch_size", batch},
                      {"train_flops_per_sample", step_flops / batch},
                      {"forward_flops_per_sample", forward_flops / batch},
                      {"gflops", step_flops / step_s / 1e9},
                      {"ceiling_train_only_samples_per_s", batch / step_s},
                      {"ceiling_samples_per_s", kTrainImages / epoch_s}});
  }
  const nlohmann::json result = {
#ifdef __EMSCRIPTEN__
      {"runtime", "wasm"},
#else
      {"runtime", "native"},
#endif
      {"timing", {{"min_ms", timing.min_ms}, {"samples", timing.samples}}},
      {"gflops", all_flops / all_seconds / 1e9},  // over every model's step, weighted by FLOPs
      {"models", models},
      {"shapes", shapes}};
  std::printf("%s\n", result.dump().c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace digitrain::bench

int main(int argc, char** argv) {
  try {
    return digitrain::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "digitrain_gemm_bench: %s\n", e.what());
    return 1;
  }
}
