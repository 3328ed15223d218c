#include "data/augment.h"

#include <algorithm>
#include <cmath>

namespace digitrain {

namespace {

constexpr float kPi = 3.14159265358979f;

// Taylor series: for |x| <= 0.25 rad (14 degrees) the terms left out are under 1e-9.
float small_sin(float x) {
  const float x2 = x * x;
  return x * (1.0f - x2 / 6.0f * (1.0f - x2 / 20.0f * (1.0f - x2 / 42.0f)));
}
float small_cos(float x) {
  const float x2 = x * x;
  return 1.0f - x2 / 2.0f * (1.0f - x2 / 12.0f * (1.0f - x2 / 30.0f * (1.0f - x2 / 56.0f)));
}

float pixel_at(const uint8_t* in, int rows, int cols, int r, int c) {
  return r < 0 || c < 0 || r >= rows || c >= cols ? 0.0f : static_cast<float>(in[r * cols + c]);
}

}  // namespace

void augment_image(const uint8_t* in, int rows, int cols, Rng& rng, const AugmentRange& range, uint8_t* out) {
  // Beyond these a digit stops looking like itself (and the series above stops being exact).
  const float degrees = std::clamp(range.max_degrees, 0.0f, 14.0f);
  const float max_zoom = std::clamp(range.max_zoom, 0.0f, 0.5f);
  const float max_shift = std::clamp(range.max_shift, 0.0f, 0.5f * std::max(rows, cols));
  const float angle = rng.uniform(-degrees, degrees) * kPi / 180.0f;
  const float zoom = 1.0f + rng.uniform(-max_zoom, max_zoom);
  const float shift_x = rng.uniform(-max_shift, max_shift);
  const float shift_y = rng.uniform(-max_shift, max_shift);
  // Each output pixel reads the input where the inverse change takes it: turn back, unzoom,
  // unshift, about the image's centre.
  const float cos_a = small_cos(angle) / zoom, sin_a = small_sin(angle) / zoom;
  const float centre_x = (cols - 1) * 0.5f, centre_y = (rows - 1) * 0.5f;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const float dx = c - centre_x - shift_x, dy = r - centre_y - shift_y;
      const float sx = cos_a * dx + sin_a * dy + centre_x;
      const float sy = -sin_a * dx + cos_a * dy + centre_y;
      const int c0 = static_cast<int>(std::floor(sx)), r0 = static_cast<int>(std::floor(sy));
      const float fx = sx - c0, fy = sy - r0;
      const float top = pixel_at(in, rows, cols, r0, c0) * (1 - fx) + pixel_at(in, rows, cols, r0, c0 + 1) * fx;
      const float bottom =
          pixel_at(in, rows, cols, r0 + 1, c0) * (1 - fx) + pixel_at(in, rows, cols, r0 + 1, c0 + 1) * fx;
      const float v = top * (1 - fy) + bottom * fy;
      out[r * cols + c] = static_cast<uint8_t>(std::clamp(v + 0.5f, 0.0f, 255.0f));
    }
  }
}

}  // namespace digitrain
