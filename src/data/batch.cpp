#include "data/batch.h"

#include <cstring>

#include "core/error.h"
#include "core/number_text.h"

namespace digitrain {

PixelScaler::PixelScaler(float pixel_scale) : scale_(pixel_scale) {
  if (!(pixel_scale > 0.0f)) throw Error("pixel_scale must be positive, got " + number_text(pixel_scale));
}

void PixelScaler::convert(const uint8_t* __restrict pixels, long count, float* __restrict out) const {
  // A division per pixel, not a 256-entry table: the same floats, and it vectorises (a
  // lookup per pixel does not).
  const float scale = scale_;
  for (long i = 0; i < count; ++i) out[i] = static_cast<float>(pixels[i]) / scale;
}

void gather_batch(const Dataset& d, const int* indices, int n, const PixelScaler& scaler, float* x, uint8_t* labels) {
  const int f = d.features();
  // Shuffled images are scattered over 47 MB, mostly outside the caches: asking for all
  // their lines first overlaps the misses, which one image after another would wait out.
  for (int i = 0; i < n; ++i) {
    const uint8_t* image = d.image(indices[i]);
    for (int k = 0; k < f; k += 64) __builtin_prefetch(image + k);
  }
  for (int i = 0; i < n; ++i) {
    scaler.convert(d.image(indices[i]), f, x + static_cast<long>(i) * f);
    labels[i] = d.labels[indices[i]];
  }
}

void gather_range(const Samples& samples, int first, int n, const PixelScaler& scaler, float* x, uint8_t* labels) {
  const Dataset& d = *samples.data;
  const int start = samples.index(first);
  scaler.convert(d.image(start), static_cast<long>(n) * d.features(), x);
  std::memcpy(labels, d.labels.data() + start, n);
}

}  // namespace digitrain
