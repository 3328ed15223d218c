// A JSON model description (docs/model-format.md). It is built and run when its weights
// are few: a description may legitimately ask for a big model (build_model then allocates
// what it asks, up to the build's per-tensor limit); model *files* must hold their weights
// and are fuzzed in fuzz_model_file.
#include <vector>

#include "fuzz_support.h"
#include "model/model_spec.h"
#include "model/tfjs_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  digitrain::fuzz::expect_only_errors([&] {
    const digitrain::ModelSpec spec = digitrain::parse_model_spec_text(digitrain::fuzz::text_of(data, size), "fuzz.json");
    uint64_t floats = 0;
    for (const digitrain::ExpectedWeight& w : digitrain::weights_of_topology(spec, "fuzz.json")) {
      uint64_t n = 1;
      for (const int64_t d : w.shape) n *= static_cast<uint64_t>(d);
      floats += n;
    }
    uint64_t input = 1;
    for (const int d : spec.input_shape) input *= static_cast<uint64_t>(d);
    if (floats > (1u << 20) || input > (1u << 16)) return;
    auto model = digitrain::build_model(spec, /*seed=*/1);
    std::vector<uint8_t> pixels(static_cast<size_t>(model->input_size()), 128);
    std::vector<float> probs(static_cast<size_t>(model->output_size()));
    model->predict_images(pixels.data(), 1, probs.data());
  });
  return 0;
}
