// A TF.js model.json and one weights shard, in one input: the model.json, then the line
// "--shard--", then the shard's bytes. Every path the manifest names reads that shard.
#include <cstring>
#include <vector>

#include "fuzz_support.h"
#include "model/tfjs_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = digitrain::fuzz::text_of(data, size);
  const size_t cut = input.find("\n--shard--\n");
  const std::string model_json = input.substr(0, cut);
  const std::string shard_text = cut == std::string::npos ? std::string() : input.substr(cut + 11);
  const std::vector<uint8_t> shard(shard_text.begin(), shard_text.end());
  digitrain::fuzz::expect_only_errors([&] {
    (void)digitrain::is_tfjs_model_json(model_json);
    digitrain::LoadedModel loaded =
        digitrain::model_from_tfjs(model_json, [&](const std::string&) { return shard; }, "fuzz/model.json");
    std::vector<uint8_t> pixels(static_cast<size_t>(loaded.model->input_size()), 128);
    std::vector<float> probs(static_cast<size_t>(loaded.model->output_size()));
    loaded.model->predict_images(pixels.data(), 1, probs.data());
  });
  return 0;
}
