// Digitrain's model file (JSON with base64 weights): a file that loads must also predict.
#include <vector>

#include "fuzz_support.h"
#include "model/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  digitrain::fuzz::expect_only_errors([&] {
    digitrain::LoadedModel loaded = digitrain::model_from_json_text(digitrain::fuzz::text_of(data, size), "fuzz.json");
    std::vector<uint8_t> pixels(static_cast<size_t>(loaded.model->input_size()), 128);
    std::vector<float> probs(static_cast<size_t>(loaded.model->output_size()));
    loaded.model->predict_images(pixels.data(), 1, probs.data());
  });
  return 0;
}
