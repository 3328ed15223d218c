// The terminal trainer's picture reader (PNG, JPEG, PGM, PPM through libpng and
// libjpeg-turbo), then the preparation as an MNIST digit.
#include "cli/image_input.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  digitrain::fuzz::expect_only_errors([&] {
    const digitrain::GreyImage picture = digitrain::decode_picture(std::vector<uint8_t>(data, data + size), "fuzz");
    if (picture.width < 1 || picture.height < 1 || picture.width > digitrain::kMaxPictureSide ||
        picture.height > digitrain::kMaxPictureSide ||
        picture.pixels.size() != static_cast<size_t>(picture.width) * picture.height)
      __builtin_trap();
    (void)digitrain::digit_from_picture(picture);
  });
  return 0;
}
