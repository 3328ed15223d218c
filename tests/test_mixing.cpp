// Augmentation and mixing of extra samples (the learner's own digits) into training data.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "data/augment.h"
#include "training/mixing.h"
#include "test_support.h"

namespace digitrain {
namespace {

std::vector<uint8_t> square_image() {  // a 6x6 bright square, off centre, in 28x28
  std::vector<uint8_t> img(784, 0);
  for (int r = 8; r < 14; ++r)
    for (int c = 10; c < 16; ++c) img[r * 28 + c] = 200;
  return img;
}

long mass(const std::vector<uint8_t>& img) { return std::accumulate(img.begin(), img.end(), 0L); }

TEST(Augment, NoRangeLeavesTheImageAsItWas) {
  const auto in = square_image();
  std::vector<uint8_t> out(784);
  Rng rng(3);
  augment_image(in.data(), 28, 28, rng, {0.0f, 0.0f, 0.0f}, out.data());
  EXPECT_EQ(out, in);
}

TEST(Augment, ChangesTheImageALittleAndTheSameSeedGivesTheSameBytes) {
  const auto in = square_image();
  std::vector<uint8_t> a(784), b(784), c(784);
  Rng r1(7), r2(7), r3(8);
  augment_image(in.data(), 28, 28, r1, {}, a.data());
  augment_image(in.data(), 28, 28, r2, {}, b.data());
  augment_image(in.data(), 28, 28, r3, {}, c.data());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, in);
  EXPECT_NE(a, c);
  // A little: the ink moves by at most a few pixels and keeps roughly its amount
  // (zoom 0.9-1.1 changes the area by at most ~21 %).
  EXPECT_NEAR(static_cast<double>(mass(a)) / mass(in), 1.0, 0.25);
  auto centre = [](const std::vector<uint8_t>& img) {
    double sum = 0, cx = 0, cy = 0;
    for (int i = 0; i < 784; ++i) sum += img[i], cx += img[i] * (i % 28), cy += img[i] * (i / 28);
    return std::pair{cx / sum, cy / sum};
  };
  const auto [x0, y0] = centre(in);
  const auto [x1, y1] = centre(a);
  EXPECT_LT(std::hypot(x1 - x0, y1 - y0), 2.0 * std::sqrt(2.0) + 1.5);  // shift <= 2 px each way, plus turning
}

TEST(Augment, AShiftAloneMovesTheSquareWithoutChangingIt) {
  const auto in = square_image();
  std::vector<uint8_t> out(784);
  Rng rng(11);
  augment_image(in.data(), 28, 28, rng, {3.0f, 0.0f, 0.0f}, out.data());
  // The square keeps its size and brightness within the bilinear blur of one pixel.
  long bright = 0;
  for (uint8_t v : out) bright += v > 0;
  EXPECT_GE(bright, 36);
  EXPECT_LE(bright, 49);
  EXPECT_NEAR(static_cast<double>(mass(out)), static_cast<double>(mass(in)), 0.02 * mass(in));
}

Dataset tiny_extra(int n) {
  Dataset d;
  d.count = n, d.rows = 28, d.cols = 28;
  d.pixels.assign(static_cast<size_t>(n) * 784, 0);
  d.labels.resize(n);
  const auto img = square_image();
  for (int i = 0; i < n; ++i) {
    std::copy(img.begin(), img.end(), d.pixels.begin() + i * 784);
    d.labels[i] = static_cast<uint8_t>(i % 10);
  }
  return d;
}

TEST(Mixing, RepeatsEachExtraImageToItsShareWithinTheCap) {
  MixOptions o;  // 20 %, at most 100 copies
  EXPECT_EQ(copies_per_extra_image(4000, 40, o), 25);      // 1000 of 5000
  EXPECT_EQ(copies_per_extra_image(60000, 40, o), 100);    // would be 375
  EXPECT_EQ(copies_per_extra_image(10, 40, o), 1);         // never fewer than once
  EXPECT_EQ(copies_per_extra_image(100, 0, o), 0);
}

TEST(Mixing, TheMixedSetHoldsTheBaseThenTheOriginalsThenChangedCopies) {
  const Mnist& mnist = testing::real_mnist();
  const Samples base{&mnist.train, 100, 400};
  const Dataset extra = tiny_extra(10);
  const Dataset mixed = mix_extra_samples(base, extra, {});
  const int copies = copies_per_extra_image(400, 10, {});
  ASSERT_EQ(copies, 10);
  ASSERT_EQ(mixed.count, 400 + 10 * copies);
  EXPECT_TRUE(std::equal(mnist.train.image(100), mnist.train.image(500), mixed.pixels.begin()));
  EXPECT_TRUE(std::equal(mnist.train.labels.begin() + 100, mnist.train.labels.begin() + 500, mixed.labels.begin()));
  EXPECT_TRUE(std::equal(extra.pixels.begin(), extra.pixels.end(), mixed.image(400)));  // first copy as drawn
  for (int i = 400; i < mixed.count; ++i) EXPECT_EQ(mixed.labels[i], (i - 400) % 10);
  EXPECT_FALSE(std::equal(extra.image(0), extra.image(1), mixed.image(410)));  // later copies changed
  Dataset wrong = tiny_extra(1);
  wrong.rows = 14, wrong.cols = 56;
  EXPECT_ERROR(mix_extra_samples(base, wrong, {}), "the extra images are 14x56, the training images 28x28");
}

}  // namespace
}  // namespace digitrain
