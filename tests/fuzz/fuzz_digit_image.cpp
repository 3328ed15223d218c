// The drawing pad's preparation (crop, scale into 20x20, centre by mass) of arbitrary
// pixels: two bytes give the width and height (1..256), the rest the ink (in [0, 1], the
// function's contract).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/digit_image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int width = data[0] + 1, height = data[1] + 1;
  std::vector<float> ink(static_cast<size_t>(width) * height, 0.0f);
  for (size_t i = 0; i < ink.size() && i + 2 < size; ++i) ink[i] = data[i + 2] / 255.0f;
  const digitrain::MnistImage image = digitrain::to_mnist_layout(ink.data(), width, height);
  (void)image;
  return 0;
}
