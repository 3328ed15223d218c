// Native model benchmark. For each preset: one training epoch on the peers' split
// (validation included, as Keras times an epoch), the latency of a 1-image predict and the
// throughput of predicting the 10,000 test images in calls of 1,000. One JSON line per
// preset on stdout; bench/run.mjs collects them. The WASM figures come from the product
// module instead (bench/wasm/session-bench.mjs), so this program is built natively only.
//   digitrain_model_bench [--data DIR] [--limit N] [--predict-calls N] [--seed N] PRESET...
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_spec.h"
#include "core/error.h"
#include "data/dataset.h"
#include "training/trainer.h"
#include "training/training_data.h"

namespace digitrain::bench {
namespace {

using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point from, Clock::time_point to) { return std::chrono::duration<double>(to - from).count(); }

struct Options {
  std::string data_dir = "data/mnist";
  int limit = 0;              // > 0: train on the first N images only (quick runs)
  int predict_calls = 1000;   // one timed loop, divided: page timers are too coarse for one call
  int repeats = 1;            // epochs from fresh models; the median one is reported
  uint64_t seed = 1;
  std::vector<std::string> presets;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--data") o.data_dir = value();
    else if (arg == "--limit") o.limit = std::stoi(value());
    else if (arg == "--predict-calls") o.predict_calls = std::max(1, std::stoi(value()));
    else if (arg == "--repeats") o.repeats = std::max(1, std::stoi(value()));
    else if (arg == "--seed") o.seed = std::stoull(value());
    else if (!arg.empty() && arg[0] == '-') throw Error("unknown option " + arg);
    else o.presets.push_back(arg);
  }
  if (o.presets.empty()) o.presets = kBenchPresets;
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

nlohmann::json train_one_epoch(Sequential& model, const ModelSpec& spec, const Mnist& mnist, const Options& o) {
  const TrainingData plan = plan_training_data(spec.fit, mnist.train, mnist.test, o.limit);
  if (!plan.validation || plan.validation->count != kValidationImages || plan.train.begin != 0)
    throw Error("the bench split should validate on the last 5,000 training images");
  Trainer trainer(model, plan.train, plan.validation, {spec.fit.batch_size, 1, true, o.seed});
  // The last batch's callback marks where training ends and validation begins.
  Clock::time_point train_end{};
  EpochLogs logs{};
  Callbacks callbacks;
  callbacks.on_batch_end = [&](const BatchLogs& b) {
    if (b.step == b.steps_per_epoch) train_end = Clock::now();
    return true;
  };
  callbacks.on_epoch_end = [&](const EpochLogs& e) {
    logs = e;
    return true;
  };
  const Clock::time_point start = Clock::now();
  trainer.run(trainer.steps_per_epoch(), callbacks);
  const Clock::time_point end = Clock::now();
  if (!trainer.history().error.empty()) throw Error(trainer.history().error);
  const double epoch_s = seconds(start, end), train_s = seconds(start, train_end);
  return {{"batch_size", spec.fit.batch_size},
          {"train_samples", plan.train.count},
          {"val_samples", plan.validation->count},
          {"steps", trainer.steps_per_epoch()},
          {"epoch_s", epoch_s},
          {"samples_per_s", plan.train.count / epoch_s},
          {"train_only_s", train_s},
          {"train_only_samples_per_s", plan.train.count / train_s},
          {"val_s", epoch_s - train_s},
          {"loss", logs.loss},
          {"accuracy", logs.accuracy},
          {"val_accuracy", logs.val_accuracy}};
}

nlohmann::json predict_figures(Sequential& model, const Mnist& mnist, const Options& o) {
  std::vector<float> probs(static_cast<size_t>(1000) * kClasses);
  const uint8_t* image = mnist.test.image(0);
  for (int i = 0; i < 100; ++i) model.predict_images(image, 1, probs.data());  // warm-up
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < o.predict_calls; ++i) model.predict_images(image, 1, probs.data());
  const double one_ms = seconds(start, Clock::now()) * 1000.0 / o.predict_calls;

  // As the peers do it: calls of 1,000 images, one warm-up call, the median of 3 passes.
  constexpr int kBatch = 1000;
  const int test_count = mnist.test.count - mnist.test.count % kBatch;
  model.predict_images(mnist.test.image(0), kBatch, probs.data());
  std::vector<double> passes;
  long correct = 0;
  for (int pass = 0; pass < 3; ++pass) {
    correct = 0;
    const Clock::time_point t = Clock::now();
    for (int first = 0; first < test_count; first += kBatch) {
      model.predict_images(mnist.test.image(first), kBatch, probs.data());
      for (int i = 0; i < kBatch; ++i) {
        const float* row = probs.data() + static_cast<size_t>(i) * kClasses;
        correct += (std::max_element(row, row + kClasses) - row) == mnist.test.labels[first + i];
      }
    }
    passes.push_back(seconds(t, Clock::now()));
  }
  return {{"predict_one_ms", one_ms},
          {"predict_calls", o.predict_calls},
          {"batch_pass_s", passes},
          {"batch_predict_imgs_per_s", test_count / median(passes)},
          {"test_accuracy", static_cast<double>(correct) / test_count}};
}

int run(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  const Mnist mnist = load_mnist(o.data_dir);
  for (const std::string& preset : o.presets) {
    const ModelSpec spec = bench_spec(preset);
    std::unique_ptr<Sequential> model;
    std::vector<nlohmann::json> epochs;
    nlohmann::json runs = nlohmann::json::array();
    for (int r = 0; r < o.repeats; ++r) {
      model = build_model(spec, o.seed);  // predict is timed on the last one
      epochs.push_back(train_one_epoch(*model, spec, mnist, o));
      runs.push_back(std::lround(epochs.back()["samples_per_s"].get<double>()));
    }
    std::sort(epochs.begin(), epochs.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
      return a["epoch_s"].get<double>() < b["epoch_s"].get<double>();
    });
    nlohmann::json result = {{"preset", preset}, {"runtime", "native"}, {"params", model->param_count()}};
    result.update(epochs[epochs.size() / 2]);
    result["epoch_runs_samples_per_s"] = runs;
    result.update(predict_figures(*model, mnist, o));
    std::printf("%s\n", result.dump().c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace digitrain::bench

int main(int argc, char** argv) {
  try {
    return digitrain::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "digitrain_model_bench: %s\n", e.what());
    return 1;
  }
}
