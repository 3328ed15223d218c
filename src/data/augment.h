#pragma once
// Small random changes of a grey image, so that a few dozen drawings of one's own can be
// repeated in training without being learnt by heart: each copy is shifted, turned and
// scaled a little (the changes a hand makes from one digit to the next), like Keras'
// RandomTranslation / RandomRotation / RandomZoom layers.
#include <cstdint>

#include "core/random.h"

namespace digitrain {

struct AugmentRange {
  float max_shift = 2.0f;     // pixels, each axis
  float max_degrees = 12.0f;  // turned either way
  float max_zoom = 0.1f;      // scaled by 1 ± this
};

// out (rows x cols) = `in` moved by a random shift, rotation and zoom about its centre,
// sampled bilinearly, black (0) outside. The same seed gives the same bytes on every build:
// only + - * / on floats, no library sin/cos (libm differs between native and WASM).
void augment_image(const uint8_t* in, int rows, int cols, Rng& rng, const AugmentRange& range, uint8_t* out);

}  // namespace digitrain
