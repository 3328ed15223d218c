// Sequential's per-layer outputs (the teaching views' feature maps) against its predictions.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/model_spec.h"
#include "model/presets.h"
#include "model/sequential.h"
#include "test_support.h"

namespace digitrain {
namespace {

TEST(Sequential, LayerOutputsFollowTheLayersAndEndInThePrediction) {
  for (const char* preset : {"cnn-16-8", "mlp-300-100"}) {
    SCOPED_TRACE(preset);
    auto model = build_model(preset_spec(preset), /*seed=*/3);
    const Mnist& mnist = testing::real_mnist();
    const uint8_t* image = mnist.test.image(7);
    const std::vector<std::vector<float>> outputs = model->layer_outputs(image);
    ASSERT_EQ(outputs.size(), model->layers().size());
    for (size_t i = 0; i < outputs.size(); ++i)
      EXPECT_EQ(static_cast<long>(outputs[i].size()), shape_size(model->layers()[i]->output_shape())) << "layer " << i;
    std::vector<float> probs(10);
    model->predict_images(image, 1, probs.data());
    for (int c = 0; c < 10; ++c) EXPECT_NEAR(outputs.back()[c], probs[c], 1e-6f);
    // ReLU layers' outputs are non-negative and not all zero: real activations, not a buffer.
    const std::vector<float>& first = outputs.front();
    double sum = 0;
    for (float v : first) {
      EXPECT_GE(v, 0.0f);
      sum += v;
    }
    EXPECT_GT(sum, 0.0);
  }
}

}  // namespace
}  // namespace digitrain
