// IDX image files (MNIST's format): header checks, sizes before allocation.
#include "data/idx.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  digitrain::fuzz::expect_only_errors([&] {
    const digitrain::IdxImages images = digitrain::parse_idx_images(data, size, "fuzz-images");
    if (images.pixels.size() != static_cast<size_t>(images.count) * images.rows * images.cols) __builtin_trap();
  });
  return 0;
}
