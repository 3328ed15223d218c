#pragma once
// Weight initialisers with Keras' defaults (their names and JSON: keras/initializers.h). Draws come from our own Rng, so a
// seed gives the same weights natively and in WASM.
#include "core/random.h"

namespace digitrain {

struct Initializer {
  enum class Kind { glorot_uniform, random_normal, random_uniform, zeros, ones } kind = Kind::glorot_uniform;
  double mean = 0.0, stddev = 0.05;        // random_normal
  double minval = -0.05, maxval = 0.05;    // random_uniform
};

// fan_in/fan_out as Keras counts them (Conv2D: kh*kw*in and kh*kw*filters).
void initialize_weights(const Initializer& init, float* values, long size, long fan_in, long fan_out, Rng& rng);

}  // namespace digitrain
