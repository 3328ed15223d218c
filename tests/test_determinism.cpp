// One seed, one model: the same seed gives the same weights and shuffles in every build.
// The native run writes its checksum after 50 training steps to build/seed-checksums/;
// the WASM run (npm test runs it after the native one) compares with it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/thread_pool.h"
#include "model/presets.h"
#include "training/trainer.h"
#include "test_support.h"

namespace digitrain {
namespace {

// Sum and a position-weighted sum: catches both changed values and permuted ones.
std::pair<double, double> weights_checksum(Sequential& model) {
  double sum = 0.0, weighted = 0.0;
  long i = 0;
  for (const Param& p : model.params())
    for (long j = 0; j < p.size; ++j, ++i) {
      sum += p.value[j];
      weighted += p.value[j] * static_cast<double>(i % 1009 + 1);
    }
  return {sum, weighted};
}

std::pair<double, double> train_fifty_steps(const std::string& preset) {
  const Mnist& mnist = testing::real_mnist();
  ModelSpec spec = preset_spec(preset);
  auto model = build_model(spec, /*seed=*/1234);
  Trainer trainer(*model, all_of(mnist.train), std::nullopt, {spec.fit.batch_size, 1, true, /*seed=*/1234});
  trainer.run(50);
  return weights_checksum(*model);
}

std::string checksum_file(const std::string& preset, const std::string& flavour) {
  return testing::source_path("build/seed-checksums/" + preset + "." + flavour + ".txt");
}

TEST(Determinism, SameSeedSameWeightsInOneBuild) {
  auto a = build_model(preset_spec("mlp-256"), 99), b = build_model(preset_spec("mlp-256"), 99),
       c = build_model(preset_spec("mlp-256"), 100);
  EXPECT_EQ(weights_checksum(*a), weights_checksum(*b));
  EXPECT_NE(weights_checksum(*a), weights_checksum(*c));
  EXPECT_EQ(train_fifty_steps("mlp-128-128"), train_fifty_steps("mlp-128-128"));
}

TEST(Determinism, NativeAndWasmTrainTheSameModel) {
  const std::string flavour = DIGITRAIN_BUILD_FLAVOUR;
  // The threaded WASM build trains on 2 threads against the native single-thread reference:
  // the kernels split by outputs only, so threads add no rounding difference
  // (docs/toolchain.md "Threads").
  set_thread_count(flavour == "wasm-threads" ? 2 : 1);
  struct OneThreadAfter {
    ~OneThreadAfter() { set_thread_count(1); }
  } one_thread_after;
  for (const std::string preset : {"mlp-128-128", "cnn-16-8"}) {
    const auto [sum, weighted] = train_fifty_steps(preset);
    std::filesystem::create_directories(testing::source_path("build/seed-checksums"));
    {
      std::ofstream out(checksum_file(preset, flavour));
      out.precision(17);
      out << sum << " " << weighted << "\n";
    }
    if (flavour == "native") continue;  // the reference
    std::ifstream in(checksum_file(preset, "native"));
    ASSERT_TRUE(in.good()) << checksum_file(preset, "native") << " is missing: run the native suite first (npm test does)";
    double native_sum = 0, native_weighted = 0;
    in >> native_sum >> native_weighted;
    // FMA natively vs separate multiply-add in WASM: float rounding differs, the model not.
    EXPECT_NEAR(sum, native_sum, 1e-5 * (1.0 + std::fabs(native_sum))) << preset;
    EXPECT_NEAR(weighted, native_weighted, 1e-5 * (1.0 + std::fabs(native_weighted))) << preset;
  }
}

}  // namespace
}  // namespace digitrain
