#include "data/digit_image.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace digitrain {

namespace {

// Faint strokes below this do not count as ink when cropping (antialiasing fringes).
constexpr float kInkThreshold = 0.05f;

struct Box {
  int x0, y0, x1, y1;  // inclusive
};

bool ink_box(const float* ink, int w, int h, Box& box) {
  box = {w, h, -1, -1};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (ink[y * w + x] > kInkThreshold) {
        box.x0 = std::min(box.x0, x);
        box.y0 = std::min(box.y0, y);
        box.x1 = std::max(box.x1, x);
        box.y1 = std::max(box.y1, y);
      }
  return box.x1 >= 0;
}

// Area-averaging resize of the box into out_w x out_h: each output pixel is the mean of
// the source area it covers, which antialiases when shrinking.
std::vector<float> resample(const float* ink, int w, const Box& b, int out_w, int out_h) {
  const double sx = static_cast<double>(b.x1 - b.x0 + 1) / out_w, sy = static_cast<double>(b.y1 - b.y0 + 1) / out_h;
  std::vector<float> out(static_cast<size_t>(out_w) * out_h, 0.0f);
  for (int oy = 0; oy < out_h; ++oy)
    for (int ox = 0; ox < out_w; ++ox) {
      const double fx0 = b.x0 + ox * sx, fx1 = fx0 + sx, fy0 = b.y0 + oy * sy, fy1 = fy0 + sy;
      double sum = 0.0, area = 0.0;
      for (int y = static_cast<int>(fy0); y < std::ceil(fy1) && y <= b.y1; ++y) {
        const double hy = std::min<double>(y + 1, fy1) - std::max<double>(y, fy0);
        for (int x = static_cast<int>(fx0); x < std::ceil(fx1) && x <= b.x1; ++x) {
          const double wx = std::min<double>(x + 1, fx1) - std::max<double>(x, fx0);
          sum += wx * hy * ink[y * w + x];
          area += wx * hy;
        }
      }
      out[static_cast<size_t>(oy) * out_w + ox] = area > 0 ? static_cast<float>(sum / area) : 0.0f;
    }
  return out;
}

}  // namespace

MnistImage to_mnist_layout(const float* ink, int width, int height) {
  MnistImage result{};
  Box box;
  if (width <= 0 || height <= 0 || !ink_box(ink, width, height, box)) return result;
  const int bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  // Fit the longer side to 20 pixels.
  const double scale = 20.0 / std::max(bw, bh);
  const int out_w = std::max(1, static_cast<int>(std::lround(bw * scale)));
  const int out_h = std::max(1, static_cast<int>(std::lround(bh * scale)));
  const std::vector<float> small = resample(ink, width, box, out_w, out_h);

  double mass = 0.0, cx = 0.0, cy = 0.0;
  for (int y = 0; y < out_h; ++y)
    for (int x = 0; x < out_w; ++x) {
      const double v = small[static_cast<size_t>(y) * out_w + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  if (mass <= 0.0) return result;
  // Shift so the centre of mass lands on (14, 14), clamped to keep the digit inside.
  const int left = std::clamp(static_cast<int>(std::lround(14.0 - cx / mass)), 0, 28 - out_w);
  const int top = std::clamp(static_cast<int>(std::lround(14.0 - cy / mass)), 0, 28 - out_h);
  for (int y = 0; y < out_h; ++y)
    for (int x = 0; x < out_w; ++x) {
      const float v = std::clamp(small[static_cast<size_t>(y) * out_w + x], 0.0f, 1.0f);
      result[static_cast<size_t>(top + y) * 28 + left + x] = static_cast<uint8_t>(std::lround(v * 255.0f));
    }
  return result;
}

}  // namespace digitrain
