// MNIST-style preprocessing of drawn digits: crop to the ink, fit 20x20 keeping the
// aspect ratio, centre of mass at the centre of 28x28.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "data/digit_image.h"
#include "model/presets.h"
#include "training/trainer.h"
#include "test_support.h"

namespace digitrain {
namespace {

struct Moments {
  double mass = 0, cx = 0, cy = 0;
  int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
};

Moments moments(const MnistImage& img) {
  Moments m;
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x) {
      const double v = img[y * 28 + x];
      if (v == 0) continue;
      m.mass += v;
      m.cx += v * (x + 0.5);
      m.cy += v * (y + 0.5);
      m.x0 = std::min(m.x0, x), m.y0 = std::min(m.y0, y), m.x1 = std::max(m.x1, x), m.y1 = std::max(m.y1, y);
    }
  m.cx /= m.mass;
  m.cy /= m.mass;
  return m;
}

TEST(DigitImage, EmptyCanvasGivesAnEmptyImage) {
  std::vector<float> blank(300 * 200, 0.0f);
  const MnistImage img = to_mnist_layout(blank.data(), 300, 200);
  for (uint8_t v : img) EXPECT_EQ(v, 0);
}

TEST(DigitImage, AnOffCentreStrokeIsScaledToTwentyAndCentred) {
  // A tall bar in the top-left corner of a large canvas.
  const int w = 400, h = 300;
  std::vector<float> ink(w * h, 0.0f);
  for (int y = 10; y < 110; ++y)
    for (int x = 20; x < 45; ++x) ink[y * w + x] = 1.0f;
  const Moments m = moments(to_mnist_layout(ink.data(), w, h));
  EXPECT_EQ(m.y1 - m.y0 + 1, 20);  // the long side fills 20 pixels
  EXPECT_EQ(m.x1 - m.x0 + 1, 5);   // 25/100 of it, aspect kept
  EXPECT_NEAR(m.cx, 14.0, 0.6);
  EXPECT_NEAR(m.cy, 14.0, 0.6);
}

TEST(DigitImage, ShrinkingIsAntialiased) {
  // A one-pixel diagonal line on a 200x200 canvas must leave grey levels, not only 0/255.
  std::vector<float> ink(200 * 200, 0.0f);
  for (int i = 0; i < 200; ++i) ink[i * 200 + i] = 1.0f;
  const MnistImage img = to_mnist_layout(ink.data(), 200, 200);
  int grey = 0;
  for (uint8_t v : img) grey += v > 0 && v < 255;
  EXPECT_GT(grey, 10);
}

// The real thing: MNIST test digits pass through the preprocessing (as the drawing pad
// will) and a trained model still recognises them.
TEST(DigitImage, MnistDigitsSurviveThePreprocessing) {
  const Mnist& mnist = testing::real_mnist();
  auto model = build_model(preset_spec("mlp-128-128"), 1);
  Trainer(*model, head(all_of(mnist.train), 20000), std::nullopt, {32, 1, true, 1}).fit();
  int same = 0;
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    std::vector<float> ink(784);
    for (int p = 0; p < 784; ++p) ink[p] = mnist.test.image(i)[p] / 255.0f;
    const MnistImage processed = to_mnist_layout(ink.data(), 28, 28);
    float raw[10], prepared[10];
    model->predict_images(mnist.test.image(i), 1, raw);
    model->predict_images(processed.data(), 1, prepared);
    same += std::max_element(raw, raw + 10) - raw == std::max_element(prepared, prepared + 10) - prepared;
  }
  EXPECT_GE(same, n * 9 / 10);
}

}  // namespace
}  // namespace digitrain
