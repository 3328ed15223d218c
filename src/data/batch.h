#pragma once
// Gathers uint8 samples into a float batch, scaled as the model expects (x = pixel / scale:
// 255 for the tutorials that scale, 1 for T3's raw pixels).
#include <cstdint>

#include "data/dataset.h"

namespace digitrain {

class PixelScaler {
 public:
  explicit PixelScaler(float pixel_scale = 255.0f);
  float scale() const { return scale_; }
  void convert(const uint8_t* pixels, long count, float* out) const;

 private:
  float scale_;
};

// x gets n rows of d.features() floats, labels n entries, from the given sample indices.
void gather_batch(const Dataset& d, const int* indices, int n, const PixelScaler& scaler, float* x, uint8_t* labels);
// The same for n consecutive samples of `samples` starting at `first`.
void gather_range(const Samples& samples, int first, int n, const PixelScaler& scaler, float* x, uint8_t* labels);

}  // namespace digitrain
