#include "cli/image_input.h"

#include <vector>

#include "cli/image_decode.h"
#include "core/file_limits.h"

namespace digitrain {

MnistImage digit_from_picture(const GreyImage& picture) {
  const int w = picture.width, h = picture.height;
  const uint8_t* pixels = picture.pixels.data();
  // The border tells the background: mostly light means dark ink, so invert.
  // (decode_picture never returns an empty picture: the border has at least one pixel.)
  long border = 0, count = 0;
  for (int x = 0; x < w; ++x) border += pixels[x] + pixels[(h - 1) * w + x], count += 2;
  for (int y = 0; y < h; ++y) border += pixels[y * w] + pixels[y * w + w - 1], count += 2;
  const bool invert = border > 127 * count;
  std::vector<float> ink(static_cast<size_t>(w) * h);
  for (size_t i = 0; i < ink.size(); ++i) {
    const float v = pixels[i] / 255.0f;
    ink[i] = invert ? 1.0f - v : v;
  }
  return to_mnist_layout(ink.data(), w, h);
}

MnistImage read_digit_image(const std::string& path) {
  return digit_from_picture(decode_picture(read_file_bytes(path, kMaxImageFileBytes), path));
}

}  // namespace digitrain
