#include "cli/image_input.h"

#include <memory>
#include <vector>

#include "core/error.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_FAILURE_USERMSG
#include <stb/stb_image.h>

namespace digitrain {

MnistImage read_digit_image(const std::string& path) {
  int w = 0, h = 0, channels = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(stbi_load(path.c_str(), &w, &h, &channels, 1), stbi_image_free);
  if (!pixels) throw Error("cannot read image " + path + ": " + stbi_failure_reason());
  if (w > 8192 || h > 8192) throw Error(path + ": image is " + std::to_string(w) + "x" + std::to_string(h) + ", at most 8192x8192");
  // The border tells the background: mostly light means dark ink, so invert.
  long border = 0, count = 0;
  for (int x = 0; x < w; ++x) border += pixels.get()[x] + pixels.get()[(h - 1) * w + x], count += 2;
  for (int y = 0; y < h; ++y) border += pixels.get()[y * w] + pixels.get()[y * w + w - 1], count += 2;
  const bool invert = border > 127 * count;
  std::vector<float> ink(static_cast<size_t>(w) * h);
  for (size_t i = 0; i < ink.size(); ++i) {
    const float v = pixels.get()[i] / 255.0f;
    ink[i] = invert ? 1.0f - v : v;
  }
  return to_mnist_layout(ink.data(), w, h);
}

}  // namespace digitrain
